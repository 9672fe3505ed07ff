/* Signed receipts that do not belong to the original (RFC 2634 §2.7
 * validation): each altered field fails with CACHET_ERR_RECEIPT naming it; the
 * pyasn1-alt-modules ESS receipt is valid as a signature but not a receipt for
 * the message beside it (MANIFEST.md). */
#include "test_smime_sign_util.h"

#include "smime/receipt.h"

#define MSG "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nHello Bob.\r\n"
#define ESS_DIR "pyasn1-alt-modules-ess/"

static gen_id alice, bob;

static bool setup(void) {
    static int state = 0;
    if (state == 0) {
        state = gen_identity(&alice, "rsa", "alice@example.com") &&
                        gen_identity(&bob, "p384", "bob@example.com")
                    ? 1
                    : -1;
    }
    return state == 1;
}

static cachet_ctx *trusting(void) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, bob.cert_path), CACHET_OK);
    return ctx;
}

static const char *const to_alice[] = {"alice@example.com"};

static void sign_raw(bool request, cachet_membuf *out) {
    cachet_receipt_request rq = {.from = CACHET_RECEIPTS_FROM_ALL, .to = to_alice, .num_to = 1};
    cachet_sign_opts o = {
        .signer = alice.cred, .opaque = true, .raw = true, .receipt_request = request ? &rq : NULL};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_str(MSG, &o, out, &err), CACHET_OK);
}

static cachet_receipt_ref *load_ref(const uint8_t *data, size_t len) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_verify_opts vo = {.raw = true};
    cachet_error err = {0};
    cachet_op *op = cachet_receipt_ref_new(ctx, &vo, &err);
    cachet_receipt_ref *ref = NULL;
    if (op != NULL && cachet_op_update(op, data, len) == CACHET_OK &&
        cachet_op_finish(op, NULL) == CACHET_OK) {
        ref = cachet_op_take_receipt_ref(op);
    }
    CHECK(ref != NULL);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    return ref;
}

/* check verifies |receipt| (raw) against |ref| under |ctx|: the status, the
 * layer's matched, and its detail. */
static cachet_status check(cachet_ctx *ctx, const uint8_t *receipt, size_t len,
                           const cachet_receipt_ref *ref, int *matched, char *detail,
                           size_t detail_len, bool *sig_valid, cachet_error *err) {
    cachet_verify_opts vo = {.raw = true, .receipt_for = ref};
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, err);
    cachet_report *rep = NULL;
    CHECK(op != NULL);
    cachet_op_update(op, receipt, len);
    cachet_status st = cachet_op_finish(op, &rep);
    *err = *cachet_op_error(op);
    *matched = -2;
    detail[0] = '\0';
    *sig_valid = false;
    if (rep != NULL && rep->num_layers == 1 && rep->layers[0].receipt != NULL) {
        *matched = rep->layers[0].receipt->matched;
        snprintf(detail, detail_len, "%s", rep->layers[0].receipt->match_detail);
        *sig_valid = rep->layers[0].num_signers == 1 && rep->layers[0].signers[0].signature_valid;
    }
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_membuf_free(&out);
    return st;
}

typedef enum tamper {
    T_NONE,
    T_OTHER_MESSAGE,
    T_CONTENT_TYPE,
    T_CONTENT_ID,
    T_SIGNATURE,
    T_MSG_SIG_DIGEST,
    T_NO_REQUEST,
} tamper;

typedef struct tamper_case {
    const char *name;
    tamper t;
    cachet_status want;
    const char *field; /* the detail starts with it */
} tamper_case;

static const tamper_case cases[] = {
    {"untouched", T_NONE, CACHET_OK, ""},
    {"receipt for another message", T_OTHER_MESSAGE, CACHET_ERR_RECEIPT,
     "originatorSignatureValue:"},
    {"contentType altered", T_CONTENT_TYPE, CACHET_ERR_RECEIPT, "contentType:"},
    {"signedContentIdentifier altered", T_CONTENT_ID, CACHET_ERR_RECEIPT,
     "signedContentIdentifier:"},
    {"originatorSignatureValue altered", T_SIGNATURE, CACHET_ERR_RECEIPT,
     "originatorSignatureValue:"},
    {"msgSigDigest altered", T_MSG_SIG_DIGEST, CACHET_ERR_RECEIPT, "msgSigDigest:"},
    {"original requested no receipt", T_NO_REQUEST, CACHET_ERR_RECEIPT, "receiptRequest:"},
};

static void each_altered_field_fails_naming_it(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_membuf orig = {0}, other = {0}, plain = {0};
    sign_raw(true, &orig);
    sign_raw(true, &other);
    sign_raw(false, &plain);
    cachet_receipt_ref *ref = load_ref(orig.data, orig.len);
    cachet_receipt_ref *ref_other = load_ref(other.data, other.len);
    cachet_receipt_ref *ref_plain = load_ref(plain.data, plain.len);
    if (ref == NULL || ref_other == NULL || ref_plain == NULL) {
        goto done;
    }
    cachet_ctx *ctx = trusting();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const tamper_case *c = &cases[i];
        /* the receipt is made for |from|, then checked against |ref| */
        const cachet_receipt_ref *from = c->t == T_OTHER_MESSAGE ? ref_other
                                         : c->t == T_NO_REQUEST  ? ref_plain
                                                                 : ref;
        const cachet_receipt_orig *o = &from->layers[0].signers[0];
        cachet_cms_receipt_request rr;
        static const uint8_t made_up_id[] = {0xde, 0xad};
        static const uint8_t receipt_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                              0x01, 0x09, 0x10, 0x01, 0x01};
        uint8_t sig[4096], id[64];
        cachet_cms_receipt r;
        cachet_cbs_init(&r.content_type, from->layers[0].econtent_type,
                        from->layers[0].econtent_type_len);
        if (c->t == T_NO_REQUEST) {
            cachet_cbs_init(&r.content_id, made_up_id, sizeof(made_up_id));
        } else {
            CHECK(cachet_receipt_request_of(o, &rr, NULL));
            r.content_id = rr.content_id;
        }
        memcpy(sig, o->signature, o->signature_len);
        cachet_cbs_init(&r.signature, sig, o->signature_len);
        if (c->t == T_SIGNATURE) {
            sig[o->signature_len - 1] ^= 1;
        } else if (c->t == T_CONTENT_TYPE) {
            cachet_cbs_init(&r.content_type, receipt_oid, sizeof(receipt_oid));
        } else if (c->t == T_CONTENT_ID) {
            memcpy(id, r.content_id.data, r.content_id.len);
            id[0] ^= 0x80;
            cachet_cbs_init(&r.content_id, id, r.content_id.len);
        }
        cachet_cbs attrs;
        cachet_cbs_init(&attrs, o->signed_attrs, o->signed_attrs_len);
        uint8_t bad_msd[48] = {0};
        cachet_membuf receipt = {0};
        cachet_sink sink = cachet_sink_membuf(&receipt);
        cachet_error err = {0};
        CHECK_EQ_INT(cachet_receipt_sign(ctx, bob.cred, CACHET_DIGEST_SHA384, CACHET_FORMAT_DER, &r,
                                         &attrs, c->t == T_MSG_SIG_DIGEST ? bad_msd : NULL,
                                         sizeof(bad_msd), NULL, &sink, &err),
                     CACHET_OK);
        int matched = -2;
        char detail[256];
        bool sig_valid = false;
        /* the plain message is checked against its own receipt: it asked for none */
        const cachet_receipt_ref *against = c->t == T_NO_REQUEST ? ref_plain : ref;
        cachet_status st = check(ctx, receipt.data, receipt.len, against, &matched, detail,
                                 sizeof(detail), &sig_valid, &err);
        if (st != c->want || strncmp(detail, c->field, strlen(c->field)) != 0) {
            fprintf(stderr, "case %s: status %d, detail \"%s\", error %s\n", c->name, (int)st,
                    detail, err.message);
        }
        CHECK_EQ_INT(st, c->want);
        CHECK_EQ_INT(matched, c->want == CACHET_OK ? 1 : 0);
        CHECK(strncmp(detail, c->field, strlen(c->field)) == 0);
        CHECK(sig_valid); /* the receipt's own signature is fine in every case */
        if (c->want != CACHET_OK) {
            CHECK(strstr(err.message, c->field) != NULL);
        }
        cachet_membuf_free(&receipt);
    }
    cachet_ctx_free(ctx);
done:
    cachet_receipt_ref_free(ref);
    cachet_receipt_ref_free(ref_other);
    cachet_receipt_ref_free(ref_plain);
    cachet_membuf_free(&orig);
    cachet_membuf_free(&other);
    cachet_membuf_free(&plain);
}

static uint8_t *vector(const char *name, size_t *len) {
    char rel[256];
    snprintf(rel, sizeof(rel), ESS_DIR "%s", name);
    return cachet_test_read_file(cachet_test_vector_path(rel), len);
}

static void pyasn1_receipt_is_not_for_the_message_beside_it(void) {
    static const char *const pairs[][2] = {
        {"rfc2634.SignedMessageTestCase.signed_message.pem",
         "rfc2634.SignedReceiptTestCase.signed_receipt.pem"},
        {"rfc5035.SignedMessageTestCase.signed_message.pem",
         "rfc5035.SignedReceiptTestCase.signed_receipt.pem"},
    };
    for (size_t i = 0; i < 2; i++) {
        size_t mlen = 0, rlen = 0;
        uint8_t *msg = vector(pairs[i][0], &mlen);
        uint8_t *rcp = vector(pairs[i][1], &rlen);
        if (msg == NULL || rcp == NULL) {
            free(msg);
            free(rcp);
            if (getenv("CACHET_VECTORS") == NULL) {
                exit(77);
            }
            CHECK(false);
            return;
        }
        cachet_receipt_ref *ref = load_ref(msg, mlen);
        cachet_ctx *ctx = cachet_ctx_new(); /* no anchor: Bogus CA is not in the files */
        cachet_ctx_set_time(ctx, 1780272000);
        int matched = -2;
        char detail[256];
        bool sig_valid = false;
        cachet_error err = {0};
        /* alone: the signature verifies, only the chain is unknown */
        CHECK_EQ_INT(
            check(ctx, rcp, rlen, NULL, &matched, detail, sizeof(detail), &sig_valid, &err),
            CACHET_ERR_UNTRUSTED);
        CHECK(sig_valid);
        CHECK_EQ_INT(matched, -1);
        /* against the message beside it: not its receipt */
        CHECK_EQ_INT(check(ctx, rcp, rlen, ref, &matched, detail, sizeof(detail), &sig_valid, &err),
                     CACHET_ERR_RECEIPT);
        CHECK_EQ_INT(matched, 0);
        CHECK(strncmp(detail, "originatorSignatureValue:", 25) == 0);
        /* the message's request is read and reported */
        cachet_verify_opts vo = {.raw = true};
        cachet_sink none = cachet_sink_null();
        cachet_op *op = cachet_verify_new(ctx, &vo, &none, &err);
        cachet_report *rep = NULL;
        cachet_op_update(op, msg, mlen);
        CHECK_EQ_INT(cachet_op_finish(op, &rep), CACHET_ERR_UNTRUSTED);
        const cachet_ess_info *ess =
            rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1
                ? rep->layers[0].signers[0].ess
                : NULL;
        CHECK(ess != NULL && ess->receipt_requested && ess->num_receipts_to >= 1);
        cachet_report_free(rep);
        cachet_op_free(op);
        cachet_ctx_free(ctx);
        cachet_receipt_ref_free(ref);
        free(msg);
        free(rcp);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(each_altered_field_fails_naming_it),
    TEST_CASE(pyasn1_receipt_is_not_for_the_message_beside_it),
};

TEST_MAIN(tests)
