/* Signatures: RSA PKCS#1 v1.5, RSA-PSS, ECDSA, Ed25519/Ed448 and DSA verification. */
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "crypto/internal.h"
#include "testlib.h"

static const uint8_t msg[] = "Content-Type: text/plain\r\n\r\nsigned body\r\n";

static cachet_pkey *gen(const char *type, const char *arg, size_t bits) {
    EVP_PKEY *k = arg != NULL ? EVP_PKEY_Q_keygen(NULL, NULL, type, arg)
                  : bits != 0 ? EVP_PKEY_Q_keygen(NULL, NULL, type, bits)
                              : EVP_PKEY_Q_keygen(NULL, NULL, type);
    CHECK(k != NULL);
    return cachet_pkey_wrap(k);
}

static cachet_pkey *rsa;

static cachet_pkey *rsa_key(void) {
    if (rsa == NULL) {
        rsa = gen("RSA", NULL, 2048);
    }
    return rsa;
}

/* sign_verify_flip signs, verifies, then checks a flipped signature bit and a
 * flipped message bit both fail. */
static void sign_verify_flip(cachet_pkey *k, cachet_sig_scheme s, cachet_md md,
                             const cachet_pss_params *pss) {
    cachet_membuf sig = {0};
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_sign(k, s, md, pss, msg, sizeof(msg), &sig, &err), CACHET_OK);
    if (err.status != CACHET_OK) {
        fprintf(stderr, "sign scheme %d: %s\n", (int)s, err.message);
    }
    CHECK(cachet_verify(k, s, md, pss, msg, sizeof(msg), sig.data, sig.len));
    sig.data[sig.len / 2] ^= 0x01;
    CHECK(!cachet_verify(k, s, md, pss, msg, sizeof(msg), sig.data, sig.len));
    sig.data[sig.len / 2] ^= 0x01;
    uint8_t m2[sizeof(msg)];
    memcpy(m2, msg, sizeof(msg));
    m2[3] ^= 0x20;
    CHECK(!cachet_verify(k, s, md, pss, m2, sizeof(m2), sig.data, sig.len));
    CHECK(!cachet_verify(k, s, md, pss, msg, sizeof(msg), sig.data, sig.len - 1));
    CHECK_EQ_INT(ERR_peek_error(), 0);
    cachet_membuf_free(&sig);
}

static void rsa_pkcs1_signs_and_flipped_bit_fails(void) {
    static const cachet_md mds[] = {CACHET_MD_SHA256, CACHET_MD_SHA384, CACHET_MD_SHA512};
    for (size_t i = 0; i < 3; i++) {
        sign_verify_flip(rsa_key(), CACHET_SIG_RSA_PKCS1, mds[i], NULL);
    }
    /* A SHA-256 signature does not verify as SHA-384. */
    cachet_membuf sig = {0};
    CHECK_EQ_INT(cachet_sign(rsa_key(), CACHET_SIG_RSA_PKCS1, CACHET_MD_SHA256, NULL, msg,
                             sizeof(msg), &sig, NULL),
                 CACHET_OK);
    CHECK(!cachet_verify(rsa_key(), CACHET_SIG_RSA_PKCS1, CACHET_MD_SHA384, NULL, msg, sizeof(msg),
                         sig.data, sig.len));
    CHECK(!cachet_verify(rsa_key(), CACHET_SIG_RSA_PSS, CACHET_MD_SHA256, NULL, msg, sizeof(msg),
                         sig.data, sig.len));
    cachet_membuf_free(&sig);
}

static void rsa_pss_default_and_explicit_params(void) {
    sign_verify_flip(rsa_key(), CACHET_SIG_RSA_PSS, CACHET_MD_SHA256, NULL);
    cachet_pss_params p = {CACHET_MD_SHA384, CACHET_MD_SHA256, 20, 1};
    sign_verify_flip(rsa_key(), CACHET_SIG_RSA_PSS, CACHET_MD_SHA384, &p);
    /* Verifying with other parameters than signed fails. */
    cachet_membuf sig = {0};
    CHECK_EQ_INT(cachet_sign(rsa_key(), CACHET_SIG_RSA_PSS, CACHET_MD_SHA384, &p, msg, sizeof(msg),
                             &sig, NULL),
                 CACHET_OK);
    cachet_pss_params other_salt = {CACHET_MD_SHA384, CACHET_MD_SHA256, 48, 1};
    CHECK(!cachet_verify(rsa_key(), CACHET_SIG_RSA_PSS, CACHET_MD_SHA384, &other_salt, msg,
                         sizeof(msg), sig.data, sig.len));
    cachet_pss_params other_mgf = {CACHET_MD_SHA384, CACHET_MD_SHA384, 20, 1};
    CHECK(!cachet_verify(rsa_key(), CACHET_SIG_RSA_PSS, CACHET_MD_SHA384, &other_mgf, msg,
                         sizeof(msg), sig.data, sig.len));
    cachet_pss_params bad_trailer = {CACHET_MD_SHA384, CACHET_MD_SHA256, 20, 2};
    CHECK(!cachet_verify(rsa_key(), CACHET_SIG_RSA_PSS, CACHET_MD_SHA384, &bad_trailer, msg,
                         sizeof(msg), sig.data, sig.len));
    cachet_membuf_free(&sig);
}

/* Default PSS salt is the digest length: OpenSSL verifying with salt 32 agrees. */
static void rsa_pss_default_salt_is_digest_length(void) {
    cachet_membuf sig = {0};
    CHECK_EQ_INT(cachet_sign(rsa_key(), CACHET_SIG_RSA_PSS, CACHET_MD_SHA256, NULL, msg,
                             sizeof(msg), &sig, NULL),
                 CACHET_OK);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    CHECK(EVP_DigestVerifyInit_ex(m, &pc, "SHA256", NULL, NULL, rsa_key()->pkey, NULL) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1);
    CHECK(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, 32) == 1);
    CHECK(EVP_DigestVerify(m, sig.data, sig.len, msg, sizeof(msg)) == 1);
    EVP_MD_CTX_free(m);
    cachet_membuf_free(&sig);
}

static void ecdsa_on_every_curve(void) {
    static const struct {
        const char *group;
        cachet_md md;
    } cases[] = {
        {"P-256", CACHET_MD_SHA256}, {"P-384", CACHET_MD_SHA384}, {"P-521", CACHET_MD_SHA512}};
    for (size_t i = 0; i < 3; i++) {
        cachet_pkey *k = gen("EC", cases[i].group, 0);
        sign_verify_flip(k, CACHET_SIG_ECDSA, cases[i].md, NULL);
        cachet_pkey_free(k);
    }
}

static void eddsa_signs_whole_message(void) {
    cachet_pkey *ed = gen("ED25519", NULL, 0);
    CHECK_EQ_INT(cachet_pkey_type(ed), CACHET_KEY_ED25519);
    sign_verify_flip(ed, CACHET_SIG_ED25519, CACHET_MD_SHA512, NULL);
    cachet_membuf sig = {0};
    CHECK_EQ_INT(
        cachet_sign(ed, CACHET_SIG_ED25519, CACHET_MD_NONE, NULL, msg, sizeof(msg), &sig, NULL),
        CACHET_OK);
    CHECK_EQ_INT(sig.len, 64);
    cachet_membuf_free(&sig);
    cachet_pkey_free(ed);
    cachet_pkey *ed448 = gen("ED448", NULL, 0);
    CHECK_EQ_INT(cachet_pkey_type(ed448), CACHET_KEY_ED448);
    sign_verify_flip(ed448, CACHET_SIG_ED448, CACHET_MD_NONE, NULL);
    cachet_pkey_free(ed448);
}

static void verify_digest_matches_message_signatures(void) {
    uint8_t d[32];
    CHECK(cachet_md_oneshot(CACHET_MD_SHA256, msg, sizeof(msg), d));
    cachet_pkey *ec = gen("EC", "P-256", 0);
    static const cachet_sig_scheme schemes[] = {CACHET_SIG_RSA_PKCS1, CACHET_SIG_RSA_PSS,
                                                CACHET_SIG_ECDSA};
    for (size_t i = 0; i < 3; i++) {
        cachet_pkey *k = schemes[i] == CACHET_SIG_ECDSA ? ec : rsa_key();
        cachet_membuf sig = {0};
        CHECK_EQ_INT(
            cachet_sign(k, schemes[i], CACHET_MD_SHA256, NULL, msg, sizeof(msg), &sig, NULL),
            CACHET_OK);
        CHECK(
            cachet_verify_digest(k, schemes[i], CACHET_MD_SHA256, NULL, d, 32, sig.data, sig.len));
        d[0] ^= 1;
        CHECK(
            !cachet_verify_digest(k, schemes[i], CACHET_MD_SHA256, NULL, d, 32, sig.data, sig.len));
        d[0] ^= 1;
        CHECK(
            !cachet_verify_digest(k, schemes[i], CACHET_MD_SHA256, NULL, d, 31, sig.data, sig.len));
        cachet_membuf_free(&sig);
    }
    cachet_pkey_free(ec);
}

static void scheme_must_fit_key(void) {
    cachet_pkey *ec = gen("EC", "P-256", 0);
    cachet_membuf sig = {0};
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(
        cachet_sign(ec, CACHET_SIG_RSA_PKCS1, CACHET_MD_SHA256, NULL, msg, sizeof(msg), &sig, &err),
        CACHET_ERR_USAGE);
    CHECK_EQ_INT(cachet_sign(rsa_key(), CACHET_SIG_ECDSA, CACHET_MD_SHA256, NULL, msg, sizeof(msg),
                             &sig, NULL),
                 CACHET_ERR_USAGE);
    CHECK_EQ_INT(cachet_sign(rsa_key(), CACHET_SIG_RSA_PKCS1, CACHET_MD_NONE, NULL, msg,
                             sizeof(msg), &sig, NULL),
                 CACHET_ERR_UNSUPPORTED);
    CHECK_EQ_INT(sig.len, 0);
    cachet_pkey_free(ec);
}

/* RFC 4134 AliceDSS key: verify a signature OpenSSL makes; we never sign DSA. */
static void dsa_verifies_but_does_not_sign(void) {
    size_t len = 0;
    uint8_t *der =
        cachet_test_read_file(cachet_test_vector_path("rfc4134-bcjava/AlicePrivDSSSign.pri"), &len);
    if (der == NULL) {
        CHECK(!"AlicePrivDSSSign.pri missing");
        return;
    }
    cachet_pkey *k = NULL;
    CHECK_EQ_INT(cachet_pkey_load_private(der, len, NULL, &k, NULL), CACHET_OK);
    free(der);
    if (k == NULL) {
        return;
    }
    CHECK_EQ_INT(cachet_pkey_type(k), CACHET_KEY_DSA);
    CHECK_EQ_INT(cachet_pkey_bits(k), 1024);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    uint8_t sig[128];
    size_t sig_len = sizeof(sig);
    CHECK(EVP_DigestSignInit_ex(m, NULL, "SHA1", NULL, NULL, k->pkey, NULL) == 1 &&
          EVP_DigestSign(m, sig, &sig_len, msg, sizeof(msg)) == 1);
    EVP_MD_CTX_free(m);
    CHECK(cachet_verify(k, CACHET_SIG_DSA, CACHET_MD_SHA1, NULL, msg, sizeof(msg), sig, sig_len));
    uint8_t d[20];
    CHECK(cachet_md_oneshot(CACHET_MD_SHA1, msg, sizeof(msg), d));
    CHECK(cachet_verify_digest(k, CACHET_SIG_DSA, CACHET_MD_SHA1, NULL, d, 20, sig, sig_len));
    sig[sig_len - 1] ^= 1;
    CHECK(!cachet_verify(k, CACHET_SIG_DSA, CACHET_MD_SHA1, NULL, msg, sizeof(msg), sig, sig_len));
    cachet_membuf out = {0};
    CHECK_EQ_INT(cachet_sign(k, CACHET_SIG_DSA, CACHET_MD_SHA1, NULL, msg, sizeof(msg), &out, NULL),
                 CACHET_ERR_POLICY);
    cachet_pkey_free(k);
}

static void release_shared_key(void) {
    cachet_pkey_free(rsa);
    rsa = NULL;
}

static const cachet_test_case tests[] = {
    TEST_CASE(rsa_pkcs1_signs_and_flipped_bit_fails),
    TEST_CASE(rsa_pss_default_and_explicit_params),
    TEST_CASE(rsa_pss_default_salt_is_digest_length),
    TEST_CASE(ecdsa_on_every_curve),
    TEST_CASE(eddsa_signs_whole_message),
    TEST_CASE(verify_digest_matches_message_signatures),
    TEST_CASE(scheme_must_fit_key),
    TEST_CASE(dsa_verifies_but_does_not_sign),
    TEST_CASE(release_shared_key),
};
TEST_MAIN(tests)
