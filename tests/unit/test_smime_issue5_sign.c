/* Issue 5: several signers (more_signers): one SignerInfo each, every chain in
 * the message, micalg listing every digest used; both reported and valid, by
 * us and by OpenSSL. */
#include "test_smime_issue5_util.h"

static gen_id alice, bob_ec, erin_ed;
static bool ids_ready;

static bool setup(void) {
    if (!ids_ready) {
        ids_ready = gen_identity(&alice, "rsa", "alice@example.com") &&
                    gen_identity(&bob_ec, "p256", "bob@example.com") &&
                    gen_identity(&erin_ed, "ed25519", "erin@example.com");
        CHECK(ids_ready);
    }
    return ids_ready;
}

static cachet_ctx *trusting_ctx(void) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, bob_ec.cert_path), CACHET_OK);
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, erin_ed.cert_path), CACHET_OK);
    /* the co-signers' addresses are not the From address */
    cachet_ctx_set_address_check(ctx, false);
    return ctx;
}

/* ossl_both_verify: OpenSSL verifies every SignerInfo against the three anchors. */
static bool ossl_both_verify(const cachet_membuf *msg, size_t want_signers) {
    BIO *detached = NULL;
    CMS_ContentInfo *cms = ossl_read(msg, &detached);
    if (cms == NULL) {
        return false;
    }
    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, alice.cert);
    X509_STORE_add_cert(store, bob_ec.cert);
    X509_STORE_add_cert(store, erin_ed.cert);
    BIO *out = BIO_new(BIO_s_mem());
    bool ok = CMS_verify(cms, NULL, store, detached, out, CMS_BINARY) == 1 &&
              (size_t)sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) == want_signers;
    BIO_free(out);
    X509_STORE_free(store);
    BIO_free(detached);
    CMS_ContentInfo_free(cms);
    return ok;
}

/* signer_for: the reported signer whose subject names |email| (SignerInfos
 * are a SET: their order in the message is DER order, not ours). */
static const cachet_signer_report *signer_for(const cachet_layer_report *l, const char *email) {
    for (size_t i = 0; l != NULL && i < l->num_signers; i++) {
        if (strstr(l->signers[i].subject, email) != NULL) {
            return &l->signers[i];
        }
    }
    return NULL;
}

/* Two signers, multipart/signed and opaque: both SignerInfos reported valid
 * and trusted, in order; micalg has the one digest both used. */
static void two_signers_are_both_reported_valid(void) {
    if (!setup()) {
        return;
    }
    const cachet_credential *more[] = {bob_ec.cred};
    for (int opaque = 0; opaque <= 1; opaque++) {
        cachet_sign_opts so = {.signer = alice.cred,
                               .more_signers = more,
                               .num_more_signers = 1,
                               .opaque = opaque != 0};
        cachet_membuf msg = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(sign_msg(i5_message, strlen(i5_message), &so, FEED_RANDOM, 0, &msg, &err),
                     CACHET_OK);
        if (!opaque) {
            CHECK(i5_find(&msg, " micalg=sha-256; "));
        }
        CHECK(ossl_both_verify(&msg, 2));
        cachet_ctx *ctx = trusting_ctx();
        cachet_verify_opts vo = {0};
        i5_result r = i5_read(ctx, &vo, false, msg.data, msg.len, FEED_RANDOM);
        if (r.st != CACHET_OK) {
            fprintf(stderr, "  %s (%s)\n", r.err.message, r.err.where);
        }
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK(i5_find(&r.out, I5_TEXT));
        const cachet_layer_report *l = i5_layer(&r, 0);
        CHECK(l != NULL && l->num_signers == 2);
        const cachet_signer_report *sa = signer_for(l, "alice@example.com");
        const cachet_signer_report *sb = signer_for(l, "bob@example.com");
        CHECK(sa != NULL && sb != NULL);
        if (sa != NULL && sb != NULL) {
            CHECK_STR(sa->algorithm, "rsaEncryption");
            CHECK(strstr(sb->algorithm, "ecdsa") != NULL);
            const cachet_signer_report *both[] = {sa, sb};
            for (size_t i = 0; i < 2; i++) {
                CHECK(both[i]->signature_valid);
                CHECK_EQ_INT(both[i]->chain, CACHET_CHAIN_TRUSTED);
                CHECK_STR(both[i]->digest, "sha256");
            }
        }
        CHECK(r.rep != NULL && r.rep->valid);
        i5_result_free(&r);
        cachet_ctx_free(ctx);
        cachet_membuf_free(&msg);
    }
}

/* Three signers with different digests (Ed25519 always SHA-512): micalg lists
 * each digest once, quoted (RFC 8551 §3.5.3.2 / RFC 1847 comma list); PSS
 * applies to the RSA signer only. */
static void micalg_lists_every_digest_used_once(void) {
    if (!setup()) {
        return;
    }
    const cachet_credential *more[] = {erin_ed.cred, bob_ec.cred};
    cachet_sign_opts so = {.signer = alice.cred,
                           .more_signers = more,
                           .num_more_signers = 2,
                           .pss = true,
                           .digest = CACHET_DIGEST_SHA256};
    cachet_membuf msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_msg(i5_message, strlen(i5_message), &so, FEED_BYTES, 0, &msg, &err),
                 CACHET_OK);
    CHECK(i5_find(&msg, " micalg=\"sha-256,sha-512\"; "));
    /* (OpenSSL 3.0 cannot verify Ed25519 with signed attributes in CMS: ours only.) */
    cachet_ctx *ctx = trusting_ctx();
    cachet_verify_opts vo = {0};
    i5_result r = i5_read(ctx, &vo, false, msg.data, msg.len, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_OK);
    const cachet_layer_report *l = i5_layer(&r, 0);
    CHECK(l != NULL && l->num_signers == 3);
    const cachet_signer_report *sa = signer_for(l, "alice@example.com");
    const cachet_signer_report *se = signer_for(l, "erin@example.com");
    const cachet_signer_report *sb = signer_for(l, "bob@example.com");
    CHECK(sa != NULL && se != NULL && sb != NULL);
    if (sa != NULL && se != NULL && sb != NULL) {
        CHECK_STR(sa->algorithm, "rsassa-pss");
        CHECK_STR(se->algorithm, "ed25519");
        CHECK_STR(se->digest, "sha512");
        CHECK(strstr(sb->algorithm, "ecdsa") != NULL);
        CHECK(sa->signature_valid && se->signature_valid && sb->signature_valid);
    }
    i5_result_free(&r);
    cachet_ctx_free(ctx);
    cachet_membuf_free(&msg);
}

/* Raw SignedData with two signers: both certificates carried, each once. */
static void raw_two_signers_carry_both_certificates(void) {
    if (!setup()) {
        return;
    }
    const cachet_credential *more[] = {bob_ec.cred};
    cachet_sign_opts so = {.signer = alice.cred,
                           .more_signers = more,
                           .num_more_signers = 1,
                           .raw = true,
                           .opaque = true,
                           .format = CACHET_FORMAT_DER};
    cachet_membuf msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_msg(I5_TEXT, strlen(I5_TEXT), &so, FEED_RANDOM, 0, &msg, &err), CACHET_OK);
    const unsigned char *p = msg.data;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)msg.len);
    CHECK(cms != NULL);
    if (cms != NULL) {
        STACK_OF(X509) *certs = CMS_get1_certs(cms);
        CHECK_EQ_INT(sk_X509_num(certs), 2);
        CHECK_EQ_INT(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)), 2);
        sk_X509_pop_free(certs, X509_free);
        CMS_ContentInfo_free(cms);
    }
    cachet_ctx *ctx = trusting_ctx();
    cachet_verify_opts vo = {.raw = true};
    i5_result r = i5_read(ctx, &vo, false, msg.data, msg.len, FEED_RANDOM);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK_MEM(r.out.data, r.out.len, I5_TEXT, strlen(I5_TEXT));
    CHECK(i5_layer(&r, 0) != NULL && i5_layer(&r, 0)->num_signers == 2);
    i5_result_free(&r);
    cachet_ctx_free(ctx);
    cachet_membuf_free(&msg);
}

static void bad_more_signers_are_usage_errors(void) {
    if (!setup()) {
        return;
    }
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    const cachet_credential *with_null[] = {bob_ec.cred, NULL};
    const cachet_credential *many[16];
    for (size_t i = 0; i < 16; i++) {
        many[i] = bob_ec.cred;
    }
    const cachet_credential *ec_only[] = {bob_ec.cred};
    const struct {
        const char *name;
        cachet_sign_opts o;
    } cases[] = {
        {"a NULL further signer",
         {.signer = alice.cred, .more_signers = with_null, .num_more_signers = 2}},
        {"seventeen signers", {.signer = alice.cred, .more_signers = many, .num_more_signers = 16}},
        {"a count without a list", {.signer = alice.cred, .num_more_signers = 1}},
        {"no first signer", {.more_signers = ec_only, .num_more_signers = 1}},
        {"pss without any RSA signer",
         {.signer = bob_ec.cred, .more_signers = ec_only, .num_more_signers = 1, .pss = true}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_error err = {0};
        cachet_op *op = cachet_sign_new(ctx, &cases[i].o, &sink, &err);
        if (op != NULL || err.status != CACHET_ERR_USAGE) {
            fprintf(stderr, "  case \"%s\" not refused\n", cases[i].name);
        }
        CHECK(op == NULL);
        CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
        cachet_op_free(op);
    }
    cachet_membuf_free(&out);
    cachet_ctx_free(ctx);
}

static const cachet_test_case tests[] = {
    TEST_CASE(two_signers_are_both_reported_valid),
    TEST_CASE(micalg_lists_every_digest_used_once),
    TEST_CASE(raw_two_signers_carry_both_certificates),
    TEST_CASE(bad_more_signers_are_usage_errors),
};

TEST_MAIN(tests)
