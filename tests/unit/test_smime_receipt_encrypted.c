/* Encrypted signed receipts (RFC 2634 §2.4, §2.9): cachet_receipt_opts.encrypt_to
 * makes the receipt signed, enveloped and signed again, the outer signature
 * carrying contentHints of type id-ct-receipt; the recipient's verify opens
 * every layer and matches the receipt against the original. */
#include "test_smime_sign_util.h"

#include "smime/receipt.h"

#define MSG "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nHello Bob.\r\n"

static gen_id alice, bob;

static bool setup(void) {
    static int state = 0;
    if (state == 0) {
        state = gen_identity(&alice, "rsa", "alice@example.com") &&
                        gen_identity(&bob, "p256", "bob@example.com")
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

static void sign_request(const char *msg, cachet_membuf *out) {
    static const char *const to[] = {"alice@example.com"};
    cachet_receipt_request rq = {.from = CACHET_RECEIPTS_FROM_ALL, .to = to, .num_to = 1};
    cachet_sign_opts o = {.signer = alice.cred, .receipt_request = &rq};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_str(msg, &o, out, &err), CACHET_OK);
}

static cachet_receipt_ref *load_ref(const cachet_membuf *original) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_verify_opts vo = {0};
    cachet_error err = {0};
    cachet_op *op = cachet_receipt_ref_new(ctx, &vo, &err);
    uint32_t seed = 1;
    CHECK_EQ_INT(gen_feed(op, (const char *)original->data, original->len, FEED_WHOLE, &seed),
                 CACHET_OK);
    cachet_receipt_ref *ref = cachet_op_take_receipt_ref(op);
    CHECK(ref != NULL);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    return ref;
}

/* encrypted_receipt: bob's receipt for |request|, encrypted to alice. */
static cachet_status encrypted_receipt(const cachet_membuf *request, cachet_cipher_choice cipher,
                                       bool raw, int mode, cachet_membuf *out, cachet_error *err) {
    cachet_cert *to = NULL;
    CHECK_EQ_INT(cachet_cert_load_file(alice.cert_path, &to, err), CACHET_OK);
    cachet_cert *const list[] = {to};
    cachet_ctx *ctx = trusting();
    cachet_receipt_opts ro = {.signer = bob.cred,
                              .raw = raw,
                              .format = raw ? CACHET_FORMAT_DER : CACHET_FORMAT_SMIME,
                              .encrypt_to = list,
                              .num_encrypt_to = 1,
                              .cipher = cipher};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_receipt_new(ctx, &ro, &sink, err);
    cachet_status st = err->status;
    if (op != NULL) {
        uint32_t seed = 5;
        st = gen_feed(op, (const char *)request->data, request->len, mode, &seed);
        *err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    cachet_ctx_free(ctx);
    cachet_cert_free(to);
    return st;
}

/* open_receipt verifies |receipt| with alice's key against |ref|. */
static cachet_status open_receipt(const cachet_membuf *receipt, const cachet_receipt_ref *ref,
                                  const cachet_credential *key, cachet_report **rep,
                                  cachet_error *err) {
    cachet_ctx *ctx = trusting();
    cachet_verify_opts vo = {.decrypt_with = key, .receipt_for = ref};
    cachet_membuf content = {0};
    cachet_sink sink = cachet_sink_membuf(&content);
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, err);
    CHECK(op != NULL);
    cachet_op_update(op, receipt->data, receipt->len);
    cachet_status st = cachet_op_finish(op, rep);
    *err = *cachet_op_error(op);
    cachet_op_free(op);
    cachet_membuf_free(&content);
    cachet_ctx_free(ctx);
    return st;
}

typedef struct cipher_case {
    cachet_cipher_choice cipher;
    cachet_layer_type layer;
    const char *name;
} cipher_case;

static void encrypted_receipt_is_signed_enveloped_signed_with_receipt_hint(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    static const cipher_case cases[] = {
        {CACHET_CIPHER_CHOICE_AES256_GCM, CACHET_LAYER_AUTH_ENVELOPED, "aes-256-gcm"},
        {CACHET_CIPHER_CHOICE_AES128_CBC, CACHET_LAYER_ENVELOPED, "aes-128-cbc"},
    };
    cachet_membuf req = {0};
    sign_request(MSG, &req);
    cachet_receipt_ref *ref = load_ref(&req);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf out = {0};
            cachet_error err = {0};
            CHECK_EQ_INT(encrypted_receipt(&req, cases[i].cipher, false, mode, &out, &err),
                         CACHET_OK);
            char *s = gen_str(&out);
            /* the addressing stays outside every layer */
            static const char head[] = "From: bob@example.com\r\nTo: alice@example.com\r\n";
            CHECK(strncmp(s, head, strlen(head)) == 0);
            CHECK(strstr(s, "smime-type=signed-data") != NULL);
            CHECK(strstr(s, "signed-receipt") == NULL); /* inside the envelope */
            free(s);
            cachet_report *rep = NULL;
            CHECK_EQ_INT(open_receipt(&out, ref, alice.cred, &rep, &err), CACHET_OK);
            CHECK(rep != NULL && rep->num_layers == 3);
            if (rep != NULL && rep->num_layers == 3) {
                const cachet_layer_report *outer = &rep->layers[0], *env = &rep->layers[1],
                                          *inner = &rep->layers[2];
                CHECK_EQ_INT(outer->type, CACHET_LAYER_SIGNED);
                CHECK_EQ_INT((int)outer->num_signers, 1);
                CHECK(outer->receipt == NULL);
                const cachet_ess_info *ess = outer->signers[0].ess;
                CHECK(ess != NULL && ess->has_content_hints);
                if (ess != NULL) {
                    CHECK_STR(ess->content_hints_type, "id-ct-receipt");
                }
                CHECK_EQ_INT(env->type, cases[i].layer);
                CHECK_STR(env->cipher, cases[i].name);
                CHECK_EQ_INT(inner->type, CACHET_LAYER_SIGNED);
                CHECK_STR(inner->content_type, "id-ct-receipt");
                CHECK(inner->signers[0].ess != NULL && inner->signers[0].ess->has_msg_sig_digest);
                CHECK(inner->receipt != NULL && inner->receipt->matched == 1);
            }
            cachet_report_free(rep);
            /* without the recipient's key the receipt cannot be read */
            rep = NULL;
            CHECK_EQ_INT(open_receipt(&out, ref, bob.cred, &rep, &err), CACHET_ERR_NO_RECIPIENT);
            cachet_report_free(rep);
            cachet_membuf_free(&out);
        }
    }
    cachet_receipt_ref_free(ref);
    cachet_membuf_free(&req);
}

static void encrypted_receipt_for_another_message_fails_with_receipt(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_membuf req = {0}, other = {0}, out = {0};
    sign_request(MSG, &req);
    sign_request("Subject: other\r\n\r\nAnother message.\r\n", &other);
    cachet_receipt_ref *ref = load_ref(&other);
    cachet_error err = {0};
    CHECK_EQ_INT(
        encrypted_receipt(&req, CACHET_CIPHER_CHOICE_AES256_GCM, false, FEED_WHOLE, &out, &err),
        CACHET_OK);
    cachet_report *rep = NULL;
    CHECK_EQ_INT(open_receipt(&out, ref, alice.cred, &rep, &err), CACHET_ERR_RECEIPT);
    CHECK(rep != NULL && rep->num_layers == 3 && rep->layers[2].receipt != NULL &&
          rep->layers[2].receipt->matched == 0);
    cachet_report_free(rep);
    cachet_receipt_ref_free(ref);
    cachet_membuf_free(&req);
    cachet_membuf_free(&other);
    cachet_membuf_free(&out);
}

static void encrypted_receipt_options_are_checked(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_membuf req = {0}, out = {0};
    sign_request(MSG, &req);
    cachet_error err = {0};
    /* raw CMS cannot carry the three layers as S/MIME does */
    CHECK_EQ_INT(
        encrypted_receipt(&req, CACHET_CIPHER_CHOICE_AES256_GCM, true, FEED_WHOLE, &out, &err),
        CACHET_ERR_USAGE);
    CHECK(strstr(err.message, "S/MIME") != NULL);
    CHECK_STR(err.where, "receipt_opts.encrypt_to");
    /* a count without the list */
    cachet_ctx *ctx = trusting();
    cachet_receipt_opts ro = {.signer = bob.cred, .num_encrypt_to = 1};
    cachet_sink sink = cachet_sink_membuf(&out);
    CHECK(cachet_receipt_new(ctx, &ro, &sink, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    CHECK(strstr(err.message, "without encrypt_to") != NULL);
    /* contentHints' type must be an OID */
    cachet_sign_opts so = {.signer = alice.cred, .content_hint = "x", .content_hint_type = "1.x"};
    CHECK_EQ_INT(sign_str(MSG, &so, &out, &err), CACHET_ERR_USAGE);
    CHECK_STR(err.where, "sign_opts.content_hint_type");
    CHECK_EQ_INT((int)out.len, 0);
    cachet_ctx_free(ctx);
    cachet_membuf_free(&req);
}

static const cachet_test_case tests[] = {
    TEST_CASE(encrypted_receipt_is_signed_enveloped_signed_with_receipt_hint),
    TEST_CASE(encrypted_receipt_for_another_message_fails_with_receipt),
    TEST_CASE(encrypted_receipt_options_are_checked),
};

TEST_MAIN(tests)
