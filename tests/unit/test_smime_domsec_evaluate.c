/* smime/domsec (moved from the gateway): cachet_domsec_evaluate, the verdict
 * over every signer of every layer of a message (originator, outermost valid
 * domain signature, anything flagged), on hand-built reports. */
#include "test_smime_domsec_util.h"

static const t_signer sig_dsa_a = {
    DSA, 0, {"domain-signing-authority@a.example"}, CACHET_SIGTYPE_DOMAIN, false, 0, 0};
static const t_signer sig_alice = {"Alice", 0, {"alice@a.example"}, T_NONE, false, 0, 1};
static const t_signer sig_ra = {RA, 0, {"review-authority@a.example"}, CACHET_SIGTYPE_REVIEW, false,
                                0,  0};
static const t_signer sig_aa = {
    AA, 0, {"attribute-authority@a.example"}, CACHET_SIGTYPE_ADD_ATTRIB, false, 0, 0};

static void evaluate_triple_wrapped_domain_and_originator(void) {
    t_report r;
    t_report_init(&r, "alice@a.example");
    t_report_add(&r, CACHET_LAYER_SIGNED, &sig_dsa_a, 1);
    t_report_add(&r, CACHET_LAYER_ENVELOPED, NULL, 0);
    t_report_add(&r, CACHET_LAYER_SIGNED, &sig_alice, 1);
    cachet_domsec_result ds;
    cachet_domsec_evaluate(&r.rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
    CHECK_EQ_INT(ds.num_signers, 2);
    CHECK(ds.domain_ok);
    CHECK(ds.originator_ok);
    CHECK(!ds.any_flagged);
    CHECK(ds.domain == &ds.signers[0]);
    CHECK(ds.originator == &ds.signers[1]);
    CHECK_EQ_INT(ds.signers[0].layer, 0);
    CHECK_EQ_INT(ds.signers[1].layer, 2);
    CHECK(ds.signers[1].signer == &r.signers[1]);
}

static void evaluate_review_or_attributes_alone_authenticate_nobody(void) {
    /* GW-01 (h), R3183-3.3-2, R3183-3.4-1 */
    const t_signer *alone[] = {&sig_ra, &sig_aa};
    for (size_t i = 0; i < 2; i++) {
        t_report r;
        t_report_init(&r, "ceo@a.example");
        t_report_add(&r, CACHET_LAYER_SIGNED, alone[i], 1);
        cachet_domsec_result ds;
        cachet_domsec_evaluate(&r.rep, "ceo@a.example", CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
        CHECK_EQ_INT(ds.num_signers, 1);
        CHECK_EQ_INT(ds.signers[0].role,
                     i == 0 ? CACHET_DOMSEC_ROLE_REVIEW : CACHET_DOMSEC_ROLE_ATTRIBUTES);
        CHECK(ds.signers[0].valid);
        CHECK(!ds.domain_ok);
        CHECK(!ds.originator_ok);
        CHECK(ds.domain == NULL);
        CHECK(ds.originator == NULL);
        CHECK(!ds.any_flagged);
    }
}

static void evaluate_invalid_or_untrusted_domain_signature_does_not_count(void) {
    t_signer bad = sig_dsa_a;
    bad.invalid = true;
    t_signer untrusted = sig_dsa_a;
    untrusted.chain = CACHET_CHAIN_UNTRUSTED;
    const t_signer *cases[] = {&bad, &untrusted};
    for (size_t i = 0; i < 2; i++) {
        t_report r;
        t_report_init(&r, "ceo@a.example");
        t_report_add(&r, CACHET_LAYER_SIGNED, cases[i], 1);
        cachet_domsec_result ds;
        cachet_domsec_evaluate(&r.rep, "ceo@a.example", CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
        CHECK_EQ_INT(ds.signers[0].role, CACHET_DOMSEC_ROLE_DOMAIN);
        CHECK(!ds.domain_ok);
        CHECK(ds.domain == NULL);
    }
}

static void evaluate_outermost_valid_domain_signature_is_chosen(void) {
    t_signer bad = sig_dsa_a;
    bad.invalid = true;
    t_signer other = {DSA, 0, {"domain-signing-authority@example"}, CACHET_SIGTYPE_DOMAIN, false,
                      0,   0};
    t_report r;
    t_report_init(&r, "ceo@sub.a.example");
    t_report_add(&r, CACHET_LAYER_SIGNED, &bad, 1);
    t_report_add(&r, CACHET_LAYER_SIGNED, &other, 1);
    t_report_add(&r, CACHET_LAYER_SIGNED, &sig_dsa_a, 1);
    cachet_domsec_result ds;
    cachet_domsec_evaluate(&r.rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
    CHECK(ds.domain_ok);
    CHECK(ds.any_flagged); /* the single-label authority */
    CHECK_EQ_INT(ds.signers[1].role, CACHET_DOMSEC_ROLE_FLAGGED);
    CHECK(ds.domain == &ds.signers[2]);
}

static void evaluate_flagged_domain_signer_never_sets_domain_ok(void) {
    t_signer evil = {
        DSA, 0, {"domain-signing-authority@evil.example"}, CACHET_SIGTYPE_DOMAIN, false, 0, 0};
    t_signer mallory = {"Mallory", 0, {"mallory@a.example"}, CACHET_SIGTYPE_DOMAIN, false, 0, 0};
    const t_signer *cases[] = {&evil, &mallory};
    for (size_t i = 0; i < 2; i++) {
        t_report r;
        t_report_init(&r, "ceo@a.example");
        t_report_add(&r, CACHET_LAYER_SIGNED, cases[i], 1);
        cachet_domsec_result ds;
        cachet_domsec_evaluate(&r.rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
        CHECK(ds.signers[0].valid);
        CHECK(ds.any_flagged);
        CHECK(!ds.domain_ok);
        CHECK(!ds.originator_ok);
    }
}

static void evaluate_originator_must_hold_from(void) {
    static const struct {
        const char *email;
        int address_match;
        const char *from;
        bool want;
    } cases[] = {
        {"alice@a.example", 1, "alice@a.example", true},
        {"alice@a.example", 0, "alice@a.example", false}, /* the library's word wins */
        {"alice@a.example", 2, "alice@a.example", true},
        {"alice@A.EXAMPLE", 2, "alice@a.example", true},  /* the domain is case-insensitive */
        {"Alice@a.example", 2, "alice@a.example", false}, /* the local part is not */
        {"alice@a.example", 2, "mallory@a.example", false},
        {"alice@a.example", 2, "alice@a.example.evil", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        t_signer s = {"Alice", 0, {cases[i].email}, T_NONE, false, 0, cases[i].address_match};
        t_report r;
        t_report_init(&r, cases[i].from);
        t_report_add(&r, CACHET_LAYER_SIGNED, &s, 1);
        cachet_domsec_result ds;
        cachet_domsec_evaluate(&r.rep, cases[i].from, CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
        CHECK_EQ_INT(ds.signers[0].role, CACHET_DOMSEC_ROLE_ORIGINATOR);
        if (ds.originator_ok != cases[i].want) {
            fprintf(stderr, "originator case %zu: got %d\n", i, ds.originator_ok);
        }
        CHECK_EQ_INT(ds.originator_ok, cases[i].want);
        CHECK(ds.originator == &ds.signers[0]); /* reported even when not ok */
        CHECK(!ds.domain_ok);
    }
}

static void evaluate_untrusted_originator_is_not_ok(void) {
    t_signer s = sig_alice;
    s.chain = CACHET_CHAIN_UNTRUSTED;
    t_report r;
    t_report_init(&r, "alice@a.example");
    t_report_add(&r, CACHET_LAYER_SIGNED, &s, 1);
    cachet_domsec_result ds;
    cachet_domsec_evaluate(&r.rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
    CHECK(!ds.originator_ok);
}

static void evaluate_full_domsec_chain(void) {
    /* RFC 3183 §3 order: domain(review(attributes(originator))). */
    t_report r;
    t_report_init(&r, "alice@a.example");
    t_report_add(&r, CACHET_LAYER_SIGNED, &sig_dsa_a, 1);
    t_report_add(&r, CACHET_LAYER_SIGNED, &sig_ra, 1);
    t_report_add(&r, CACHET_LAYER_SIGNED, &sig_aa, 1);
    t_report_add(&r, CACHET_LAYER_SIGNED, &sig_alice, 1);
    cachet_domsec_result ds;
    cachet_domsec_evaluate(&r.rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
    CHECK_EQ_INT(ds.num_signers, 4);
    CHECK_EQ_INT(ds.signers[0].role, CACHET_DOMSEC_ROLE_DOMAIN);
    CHECK_EQ_INT(ds.signers[1].role, CACHET_DOMSEC_ROLE_REVIEW);
    CHECK_EQ_INT(ds.signers[2].role, CACHET_DOMSEC_ROLE_ATTRIBUTES);
    CHECK_EQ_INT(ds.signers[3].role, CACHET_DOMSEC_ROLE_ORIGINATOR);
    CHECK(ds.domain_ok && ds.originator_ok && !ds.any_flagged);
}

static void evaluate_more_than_32_signers_count_as_flagged(void) {
    t_signer many[36];
    for (size_t i = 0; i < 36; i++) {
        many[i] = sig_alice;
    }
    t_report r;
    t_report_init(&r, "alice@a.example");
    t_report_add(&r, CACHET_LAYER_SIGNED, many, 36);
    cachet_domsec_result ds;
    cachet_domsec_evaluate(&r.rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
    CHECK_EQ_INT(ds.num_signers, 32);
    CHECK(ds.any_flagged);
}

static void evaluate_without_report_or_signers(void) {
    cachet_domsec_result ds;
    cachet_domsec_evaluate(NULL, "a@a.example", CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
    CHECK_EQ_INT(ds.num_signers, 0);
    CHECK(!ds.domain_ok && !ds.originator_ok && !ds.any_flagged);
    t_report r;
    t_report_init(&r, "alice@a.example");
    t_report_add(&r, CACHET_LAYER_SIGNED, NULL, 0); /* the empty signature layer */
    cachet_domsec_evaluate(&r.rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
    CHECK_EQ_INT(ds.num_signers, 0);
    CHECK(!ds.domain_ok && !ds.originator_ok);
}

static void evaluate_exact_mapping_applies_to_every_layer(void) {
    t_signer up = {DSA, 0, {"domain-signing-authority@a.example"}, CACHET_SIGTYPE_DOMAIN, false,
                   0,   0};
    t_report r;
    t_report_init(&r, "ceo@sub.a.example");
    t_report_add(&r, CACHET_LAYER_SIGNED, &up, 1);
    cachet_domsec_result ds;
    cachet_domsec_evaluate(&r.rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
    CHECK(ds.domain_ok);
    cachet_domsec_evaluate(&r.rep, NULL, CACHET_DOMSEC_MAPPING_EXACT, &ds);
    CHECK(!ds.domain_ok);
    CHECK(ds.any_flagged);
}

static const cachet_test_case tests[] = {
    TEST_CASE(evaluate_triple_wrapped_domain_and_originator),
    TEST_CASE(evaluate_review_or_attributes_alone_authenticate_nobody),
    TEST_CASE(evaluate_invalid_or_untrusted_domain_signature_does_not_count),
    TEST_CASE(evaluate_outermost_valid_domain_signature_is_chosen),
    TEST_CASE(evaluate_flagged_domain_signer_never_sets_domain_ok),
    TEST_CASE(evaluate_originator_must_hold_from),
    TEST_CASE(evaluate_untrusted_originator_is_not_ok),
    TEST_CASE(evaluate_full_domsec_chain),
    TEST_CASE(evaluate_more_than_32_signers_count_as_flagged),
    TEST_CASE(evaluate_without_report_or_signers),
    TEST_CASE(evaluate_exact_mapping_applies_to_every_layer),
};
TEST_MAIN(tests)
