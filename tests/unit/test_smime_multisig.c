/* RFC 5752 through the message API: cachet_sign_new with more_signers and
 * multiple_signatures makes each SignerInfo name the others; both signatures
 * of one subject (RSA and P-256) are valid for cachet and for OpenSSL; two
 * subjects cannot be linked; without the option nothing is added. */
#include "test_smime_issue5_util.h"

static gen_id a_rsa, a_ec, bob;
static bool ids_ready;

static bool setup(void) {
    if (!ids_ready) {
        ids_ready = gen_identity(&a_rsa, "rsa", "alice@example.com") &&
                    gen_identity(&a_ec, "p256", "alice@example.com") &&
                    gen_identity(&bob, "p256", "bob@example.com");
        CHECK(ids_ready);
    }
    return ids_ready;
}

static cachet_ctx *trusting_ctx(void) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, a_rsa.cert_path), CACHET_OK);
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, a_ec.cert_path), CACHET_OK);
    return ctx;
}

static bool ossl_verifies(const cachet_membuf *msg) {
    BIO *detached = NULL;
    CMS_ContentInfo *cms = ossl_read(msg, &detached);
    if (cms == NULL) {
        return false;
    }
    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, a_rsa.cert);
    X509_STORE_add_cert(store, a_ec.cert);
    BIO *out = BIO_new(BIO_s_mem());
    bool ok = CMS_verify(cms, NULL, store, detached, out, CMS_BINARY) == 1 &&
              sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) == 2;
    BIO_free(out);
    X509_STORE_free(store);
    BIO_free(detached);
    CMS_ContentInfo_free(cms);
    return ok;
}

/* |multisig| on or off, multipart/signed and opaque, fed in random chunks. */
static void signatures_of_one_subject_name_each_other(void) {
    if (!setup()) {
        return;
    }
    const cachet_credential *more[] = {a_ec.cred};
    for (int multisig = 0; multisig <= 1; multisig++) {
        for (int opaque = 0; opaque <= 1; opaque++) {
            cachet_sign_opts so = {.signer = a_rsa.cred,
                                   .more_signers = more,
                                   .num_more_signers = 1,
                                   .opaque = opaque != 0,
                                   .multiple_signatures = multisig != 0};
            cachet_membuf msg = {0};
            cachet_error err = {0};
            CHECK_EQ_INT(sign_msg(i5_message, strlen(i5_message), &so, FEED_RANDOM, 0, &msg, &err),
                         CACHET_OK);
            CHECK(ossl_verifies(&msg));
            cachet_ctx *ctx = trusting_ctx();
            cachet_verify_opts vo = {0};
            i5_result r = i5_read(ctx, &vo, false, msg.data, msg.len, FEED_BYTES);
            if (r.st != CACHET_OK) {
                fprintf(stderr, "  %s (%s)\n", r.err.message, r.err.where);
            }
            CHECK_EQ_INT(r.st, CACHET_OK);
            CHECK(r.rep != NULL && r.rep->valid);
            CHECK(i5_find(&r.out, I5_TEXT));
            const cachet_layer_report *l = i5_layer(&r, 0);
            CHECK(l != NULL && l->num_signers == 2);
            for (size_t i = 0; l != NULL && i < l->num_signers; i++) {
                const cachet_signer_report *s = &l->signers[i];
                CHECK(s->signature_valid && !s->superseded);
                CHECK_EQ_INT(s->address_match, 1);
                CHECK_EQ_INT(s->ess != NULL && s->ess->multiple_signatures, multisig);
            }
            i5_result_free(&r);
            cachet_ctx_free(ctx);
            cachet_membuf_free(&msg);
        }
    }
}

/* RFC 5752 links the signatures of one signer: two subjects are refused, and
 * the error says why. */
static void two_subjects_are_not_linked(void) {
    if (!setup()) {
        return;
    }
    const cachet_credential *more[] = {bob.cred};
    cachet_sign_opts so = {.signer = a_rsa.cred,
                           .more_signers = more,
                           .num_more_signers = 1,
                           .multiple_signatures = true};
    cachet_membuf msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_msg(i5_message, strlen(i5_message), &so, FEED_WHOLE, 0, &msg, &err),
                 CACHET_ERR_USAGE);
    CHECK(strstr(err.message, "multiple_signatures: signers[1] has another subject than "
                              "signers[0]") != NULL);
    cachet_membuf_free(&msg);
}

static const cachet_test_case tests[] = {
    TEST_CASE(signatures_of_one_subject_name_each_other),
    TEST_CASE(two_subjects_are_not_linked),
};
TEST_MAIN(tests)
