/* ESS attributes of other implementations' messages ($CACHET_VECTORS, see
 * MANIFEST.md): RFC 4134 4.10 (Bouncy Castle copy: securityLabel,
 * equivalentLabels, contentHints, contentReference, mlExpansionHistory; a
 * DSA/SHA-1 signer, so weak algorithms allowed) and the pyasn1-alt-modules
 * RFC 2634 / RFC 5035 messages (securityLabel, contentHints,
 * contentIdentifier; signingCertificateV2). Fed whole, byte by byte and in
 * random chunks. A label changed in transit breaks the signature, and then
 * nothing of it is reported (ATTACKS.md SG-15). */
#include <stdio.h>
#include <string.h>

#include "test_smime_issue5_util.h"

static uint8_t *load(const char *rel, size_t *len) {
    return cachet_test_read_file(cachet_test_vector_path(rel), len);
}

static i5_result verify_raw(const uint8_t *in, size_t len, int mode, bool rfc4134) {
    (void)i5_message; /* the shared helpers' message is not used here */
    cachet_ctx *ctx = cachet_ctx_new();
    if (rfc4134) {
        cachet_ctx_set_allow_weak(ctx, true);
        cachet_ctx_set_time(ctx, I5_TEST_TIME);
        CHECK_EQ_INT(cachet_ctx_add_trust_file(
                         ctx, cachet_test_vector_path("rfc4134-bcjava/CarlDSSSelf.cer")),
                     CACHET_OK);
    }
    cachet_verify_opts vo = {.raw = true};
    i5_result r = i5_read(ctx, &vo, false, in, len, mode);
    cachet_ctx_free(ctx);
    return r;
}

static const cachet_signer_report *first_signer(const i5_result *r) {
    const cachet_layer_report *l = i5_layer(r, 0);
    return l != NULL && l->num_signers == 1 ? &l->signers[0] : NULL;
}

static void rfc4134_4_10_reports_every_ess_attribute(void) {
    size_t len = 0;
    uint8_t *in = load("rfc4134-bcjava/4.10.bin", &len);
    CHECK(in != NULL);
    for (int mode = FEED_WHOLE; in != NULL && mode <= FEED_RANDOM; mode++) {
        i5_result r = verify_raw(in, len, mode, true);
        CHECK_EQ_INT(r.st, CACHET_OK);
        const cachet_signer_report *s = first_signer(&r);
        CHECK(s != NULL && s->signature_valid && s->ess != NULL && s->ml_expansion_history);
        const cachet_ess_info *e = s != NULL ? s->ess : NULL;
        if (e != NULL) {
            CHECK(e->label != NULL);
            if (e->label != NULL) {
                CHECK_STR(e->label->policy, "1.2.3.4.5.6.7.8");
                CHECK_EQ_INT(e->label->classification, 1);
                CHECK_STR(e->label->privacy_mark, "THIS IS A PRIVACY MARK TEST");
                CHECK_EQ_INT(e->label->num_categories, 1);
                if (e->label->num_categories == 1) {
                    CHECK_STR(e->label->categories[0].type, "1.2.3.4.5.6.7.888");
                    /* PrintableString "THIS IS A TEST SECURITY-CATEGORY." */
                    CHECK(strncmp(e->label->categories[0].value_hex, "132154484953", 12) == 0);
                }
            }
            CHECK_EQ_INT(e->num_equivalent_labels, 2);
            if (e->num_equivalent_labels == 2) {
                CHECK_STR(e->equivalent_labels[0].policy, "1.2.3.4.5.6.7.9");
                CHECK_STR(e->equivalent_labels[1].policy, "1.2.3.4.5.6.7.10");
                CHECK_STR(e->equivalent_labels[1].privacy_mark,
                          "EQUIVALENT THIS IS A SECOND PRIVACY MARK TEST");
            }
            CHECK(e->has_content_hints);
            CHECK_STR(e->content_description, "Content Hints Description Buffer");
            CHECK_STR(e->content_hints_type, "id-data");
            CHECK(e->has_content_reference);
            CHECK_STR(e->content_reference_type, "1.2.3.4.5.6");
            /* "Content Reference Content Identifier Buffer" */
            CHECK(e->content_reference_id_hex != NULL &&
                  strncmp(e->content_reference_id_hex, "436f6e74656e74205265666572656e6365", 34) ==
                      0 &&
                  strlen(e->content_reference_id_hex) == 2 * 43);
            CHECK_EQ_INT(e->num_ml_history, 1);
            if (e->num_ml_history == 1) {
                CHECK_STR(e->ml_history[0].identifier, "ski=35373338323939"); /* "5738299" */
                CHECK_EQ_INT(e->ml_history[0].expansion_time, 921149073);     /* 19990311104433Z */
                CHECK_STR(e->ml_history[0].receipt_policy, "insteadOf");
            }
            CHECK(!e->signing_certificate_v1 && !e->signing_certificate_v2);
            CHECK(e->content_identifier_hex == NULL && !e->has_signature_policy);
        }
        i5_result_free(&r);
    }
    free(in);
}

static void rfc4134_4_10_with_a_changed_label_is_not_believed(void) {
    size_t len = 0;
    uint8_t *in = load("rfc4134-bcjava/4.10.bin", &len);
    CHECK(in != NULL);
    static const char mark[] = "THIS IS A PRIVACY MARK TEST";
    uint8_t *at = NULL;
    for (size_t i = 0; in != NULL && i + sizeof(mark) - 1 <= len && at == NULL; i++) {
        if (memcmp(in + i, mark, sizeof(mark) - 1) == 0) {
            at = in + i;
        }
    }
    CHECK(at != NULL);
    if (at != NULL) {
        memcpy(at, "THIS IS A PUBLIC", 16); /* same length: still well-formed DER */
        i5_result r = verify_raw(in, len, FEED_RANDOM, true);
        CHECK_EQ_INT(r.st, CACHET_ERR_BAD_SIGNATURE);
        const cachet_signer_report *s = first_signer(&r);
        CHECK(s != NULL && !s->signature_valid && s->ess == NULL);
        i5_result_free(&r);
    }
    free(in);
}

static void pyasn1_signed_messages_report_label_hint_and_identifier(void) {
    static const char *files[] = {
        "pyasn1-alt-modules-ess/rfc2634.SignedMessageTestCase.signed_message.pem",
        "pyasn1-alt-modules-ess/rfc5035.SignedMessageTestCase.signed_message.pem",
    };
    for (size_t f = 0; f < 2; f++) {
        size_t len = 0;
        uint8_t *in = load(files[f], &len);
        CHECK(in != NULL);
        for (int mode = FEED_WHOLE; in != NULL && mode <= FEED_RANDOM; mode++) {
            i5_result r = verify_raw(in, len, mode, false);
            /* no anchor for the pyasn1 CA: untrusted, but the signature stands */
            CHECK_EQ_INT(r.st, CACHET_ERR_UNTRUSTED);
            const cachet_signer_report *s = first_signer(&r);
            CHECK(s != NULL && s->signature_valid && s->ess != NULL);
            const cachet_ess_info *e = s != NULL ? s->ess : NULL;
            if (e != NULL) {
                CHECK(e->label != NULL);
                if (e->label != NULL) {
                    CHECK_STR(e->label->policy, "1.3.6.1.4.1.22112.1.1");
                    CHECK_EQ_INT(e->label->classification, 1);
                    CHECK_STR(e->label->privacy_mark, "Boagus Privacy Mark");
                    CHECK_EQ_INT(e->label->num_categories, 0);
                }
                CHECK(e->has_content_hints);
                CHECK_STR(e->content_description, "Watson, come here");
                CHECK_STR(e->content_hints_type, "id-data");
                CHECK_STR(e->content_identifier_hex, "01b59941884b3b9c2d520b0e086b53e15dda3615");
                CHECK_EQ_INT(e->signing_certificate_v2, f == 1);
                CHECK(!e->signing_certificate_v1);
            }
            i5_result_free(&r);
        }
        free(in);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(rfc4134_4_10_reports_every_ess_attribute),
    TEST_CASE(rfc4134_4_10_with_a_changed_label_is_not_believed),
    TEST_CASE(pyasn1_signed_messages_report_label_hint_and_identifier),
};

TEST_MAIN(tests)
