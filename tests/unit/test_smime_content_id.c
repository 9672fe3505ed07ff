/* The contentIdentifier attribute (RFC 2634 §2.7): written on request
 * (sign_opts.content_identifier, fresh and unique) and always beside a receipt
 * request, with the request's identifier; reported on verify; and what a reply's
 * contentReference names (§2.11: "The first SignedData MUST include a
 * contentIdentifier signed attribute"). */
#include "test_smime_sign_util.h"

#define MSG "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nHello Bob.\r\n"

static gen_id alice, bob;

static bool setup(void) {
    static int state = 0;
    if (state == 0) {
        state = gen_identity(&alice, "p256", "alice@example.com") &&
                        gen_identity(&bob, "p256", "bob@example.com")
                    ? 1
                    : -1;
    }
    return state == 1;
}

/* verify_report verifies |msg| (raw or S/MIME) trusting alice and bob, fed in
 * random chunks, and returns the report (NULL when the op could not start). */
static cachet_report *verify_report(const cachet_membuf *msg, bool raw, cachet_status *st) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, bob.cert_path), CACHET_OK);
    cachet_ctx_set_address_check(ctx, false);
    cachet_verify_opts vo = {.raw = raw};
    cachet_membuf content = {0};
    cachet_sink sink = cachet_sink_membuf(&content);
    cachet_error err = {0};
    cachet_report *rep = NULL;
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, &err);
    CHECK(op != NULL);
    if (op != NULL) {
        uint32_t seed = 5;
        for (size_t off = 0; off < msg->len;) {
            size_t n = 1 + cachet_test_rand(&seed) % 97;
            n = n > msg->len - off ? msg->len - off : n;
            cachet_op_update(op, msg->data + off, n);
            off += n;
        }
        *st = cachet_op_finish(op, &rep);
        cachet_op_free(op);
    }
    cachet_membuf_free(&content);
    cachet_ctx_free(ctx);
    return rep;
}

static const cachet_ess_info *ess_of(const cachet_report *rep) {
    if (rep == NULL || rep->num_layers < 1 || rep->layers[0].num_signers < 1) {
        return NULL;
    }
    return rep->layers[0].signers[0].ess;
}

static void content_identifier_on_request_is_fresh_and_reported(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    char first[128] = "";
    for (int round = 0; round < 2; round++) {
        cachet_sign_opts o = {.signer = alice.cred, .opaque = true, .content_identifier = true};
        cachet_membuf msg = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(sign_str(MSG, &o, &msg, &err), CACHET_OK);
        cachet_status st = CACHET_ERR_INTERNAL;
        cachet_report *rep = verify_report(&msg, false, &st);
        CHECK_EQ_INT(st, CACHET_OK);
        const cachet_ess_info *ess = ess_of(rep);
        CHECK(ess != NULL && ess->content_identifier_hex != NULL);
        if (ess != NULL && ess->content_identifier_hex != NULL) {
            /* the signing time (8 bytes) and 16 random bytes */
            CHECK_EQ_INT((int)strlen(ess->content_identifier_hex), 48);
            CHECK(!ess->receipt_requested);
            if (round == 0) {
                snprintf(first, sizeof(first), "%s", ess->content_identifier_hex);
            } else {
                CHECK(strcmp(first, ess->content_identifier_hex) != 0);
            }
        }
        cachet_report_free(rep);
        cachet_membuf_free(&msg);
    }
}

static void no_content_identifier_unless_asked(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_sign_opts o = {.signer = alice.cred, .opaque = true};
    cachet_membuf msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_str(MSG, &o, &msg, &err), CACHET_OK);
    cachet_status st = CACHET_ERR_INTERNAL;
    cachet_report *rep = verify_report(&msg, false, &st);
    CHECK_EQ_INT(st, CACHET_OK);
    const cachet_ess_info *ess = ess_of(rep);
    CHECK(ess == NULL || ess->content_identifier_hex == NULL);
    cachet_report_free(rep);
    cachet_membuf_free(&msg);
}

static void receipt_request_carries_the_same_content_identifier(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    static const char *const to[] = {"alice@example.com"};
    static const uint8_t id[] = {'m', 's', 'g', '-', '4', '2'};
    const struct {
        const uint8_t *id;
        size_t len;
        const char *want; /* "" = fresh */
    } cases[] = {{id, sizeof(id), "6d73672d3432"}, {NULL, 0, ""}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_receipt_request rq = {.content_id = cases[i].id,
                                     .content_id_len = cases[i].len,
                                     .from = CACHET_RECEIPTS_FROM_ALL,
                                     .to = to,
                                     .num_to = 1};
        cachet_sign_opts o = {.signer = alice.cred, .raw = true, .receipt_request = &rq};
        o.opaque = true;
        cachet_membuf msg = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(sign_str(MSG, &o, &msg, &err), CACHET_OK);
        cachet_status st = CACHET_ERR_INTERNAL;
        cachet_report *rep = verify_report(&msg, true, &st);
        CHECK_EQ_INT(st, CACHET_OK);
        const cachet_ess_info *ess = ess_of(rep);
        CHECK(ess != NULL && ess->receipt_requested && ess->content_identifier_hex != NULL &&
              ess->receipt_content_id_hex != NULL);
        if (ess != NULL && ess->content_identifier_hex != NULL &&
            ess->receipt_content_id_hex != NULL) {
            CHECK_STR(ess->content_identifier_hex, ess->receipt_content_id_hex);
            if (cases[i].want[0] != '\0') {
                CHECK_STR(ess->content_identifier_hex, cases[i].want);
            }
        }
        cachet_report_free(rep);
        cachet_membuf_free(&msg);
    }
}

/* §2.11: a reply to a message that carries only a contentIdentifier (no receipt
 * request) names it by that identifier and its signature value. */
static void reply_refers_by_content_identifier(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_sign_opts o = {
        .signer = alice.cred, .opaque = true, .raw = true, .content_identifier = true};
    cachet_membuf original = {0}, reply = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_str(MSG, &o, &original, &err), CACHET_OK);
    cachet_status st = CACHET_ERR_INTERNAL;
    cachet_report *orep = verify_report(&original, true, &st);
    const cachet_ess_info *oess = ess_of(orep);
    CHECK(oess != NULL && oess->content_identifier_hex != NULL);

    cachet_ctx *ctx = cachet_ctx_new();
    cachet_verify_opts vo = {.raw = true};
    cachet_op *op = cachet_receipt_ref_new(ctx, &vo, &err);
    CHECK(op != NULL);
    cachet_receipt_ref *ref = NULL;
    if (op != NULL) {
        CHECK_EQ_INT(cachet_op_update(op, original.data, original.len), CACHET_OK);
        CHECK_EQ_INT(cachet_op_finish(op, NULL), CACHET_OK);
        ref = cachet_op_take_receipt_ref(op);
        cachet_op_free(op);
    }
    CHECK(ref != NULL);
    cachet_sign_opts ro = {
        .signer = bob.cred, .opaque = true, .raw = true, .content_reference = ref};
    err = (cachet_error){0};
    CHECK_EQ_INT(sign_str("a reply", &ro, &reply, &err), CACHET_OK);
    cachet_report *rrep = verify_report(&reply, true, &st);
    CHECK_EQ_INT(st, CACHET_OK);
    const cachet_ess_info *ress = ess_of(rrep);
    CHECK(ress != NULL && ress->has_content_reference && ress->content_reference_id_hex != NULL);
    if (ress != NULL && oess != NULL && ress->content_reference_id_hex != NULL &&
        oess->content_identifier_hex != NULL) {
        CHECK_STR(ress->content_reference_id_hex, oess->content_identifier_hex);
        CHECK_STR(ress->content_reference_type, "id-data");
    }
    cachet_report_free(orep);
    cachet_report_free(rrep);
    cachet_receipt_ref_free(ref);
    cachet_ctx_free(ctx);
    cachet_membuf_free(&original);
    cachet_membuf_free(&reply);
}

static void cleanup(void) {
    gen_identity_free(&alice);
    gen_identity_free(&bob);
}

static const cachet_test_case tests[] = {
    TEST_CASE(content_identifier_on_request_is_fresh_and_reported),
    TEST_CASE(no_content_identifier_unless_asked),
    TEST_CASE(receipt_request_carries_the_same_content_identifier),
    TEST_CASE(reply_refers_by_content_identifier),
    TEST_CASE(cleanup),
};

TEST_MAIN(tests)
