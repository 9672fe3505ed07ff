/* The legacy provider stays in crypto's private library context: legacy
 * ciphers and legacy PKCS#12 files work, and afterwards the process-wide
 * default context still has no legacy algorithm. */
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "testlib.h"

static bool global_has_legacy(void) {
    EVP_CIPHER *des = EVP_CIPHER_fetch(NULL, "DES-CBC", NULL);
    EVP_CIPHER *rc2 = EVP_CIPHER_fetch(NULL, "RC2-40-CBC", NULL);
    bool has = des != NULL || rc2 != NULL || OSSL_PROVIDER_available(NULL, "legacy");
    EVP_CIPHER_free(des);
    EVP_CIPHER_free(rc2);
    ERR_clear_error();
    return has;
}

/* legacy_p12 writes a PKCS#12 protected with pbeWithSHA1And40BitRC2-CBC (the
 * certificates) and 3DES (the key), made in a library context of the test's own. */
static uint8_t *legacy_p12(const char *pass, cachet_pkey **want_key, size_t *len) {
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *d = OSSL_PROVIDER_load(ctx, "default");
    OSSL_PROVIDER *l = OSSL_PROVIDER_load(ctx, "legacy");
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(ctx, NULL, "EC", "P-256");
    X509 *x = X509_new_ex(ctx, NULL);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"legacy p12", -1,
                               -1, 0);
    bool ok = d != NULL && l != NULL && pkey != NULL && x != NULL && X509_set_version(x, 2) == 1 &&
              ASN1_INTEGER_set(X509_get_serialNumber(x), 5) == 1 &&
              X509_set_subject_name(x, name) == 1 && X509_set_issuer_name(x, name) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
              X509_gmtime_adj(X509_getm_notAfter(x), 3600) != NULL &&
              X509_set_pubkey(x, pkey) == 1 && X509_sign(x, pkey, EVP_sha256()) > 0;
    PKCS12 *p12 =
        ok ? PKCS12_create_ex(pass, "k", pkey, x, NULL, NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                              NID_pbe_WithSHA1And40BitRC2_CBC, 2048, 2048, 0, ctx, NULL)
           : NULL;
    unsigned char *der = NULL;
    int n = p12 != NULL ? i2d_PKCS12(p12, &der) : -1;
    uint8_t *copy = NULL;
    if (n > 0) {
        copy = malloc((size_t)n);
        memcpy(copy, der, (size_t)n);
        *len = (size_t)n;
        /* the public half, for comparison, read back through the default context */
        unsigned char *spki = NULL;
        int sl = i2d_PUBKEY(pkey, &spki);
        if (sl <= 0 || cachet_pkey_from_spki(spki, (size_t)sl, want_key, NULL) != CACHET_OK) {
            *want_key = NULL;
        }
        OPENSSL_free(spki);
    }
    OPENSSL_free(der);
    PKCS12_free(p12);
    X509_NAME_free(name);
    X509_free(x);
    EVP_PKEY_free(pkey);
    OSSL_PROVIDER_unload(l);
    OSSL_PROVIDER_unload(d);
    OSSL_LIB_CTX_free(ctx);
    ERR_clear_error();
    return copy;
}

static void legacy_cipher_use_leaves_the_default_context_alone(void) {
    CHECK(!global_has_legacy());
    uint8_t key[8] = {0x13, 0x34, 0x57, 0x79, 0x9b, 0xbc, 0xdf, 0xf1}, iv[8] = {0};
    cachet_error err = {0};
    cachet_cipher_ctx *c = cachet_cipher_new(CACHET_CIPHER_DES_CBC, false, key, 8, iv, 8, &err);
    CHECK(c != NULL);
    cachet_cipher_free(c);
    cachet_cipher_params p = {.rc2_effective_bits = 40};
    c = cachet_cipher_new_ex(CACHET_CIPHER_RC2_CBC, false, key, 5, iv, 8, &p, &err);
    CHECK(c != NULL);
    cachet_cipher_free(c);
    CHECK(!global_has_legacy());
}

/* A PKCS#12 under RC2-40 / 3DES PBEs loads; its key signs and the
 * certificate's key verifies; the default context still lacks RC2. */
static void legacy_p12_loads_and_its_key_works_without_global_legacy(void) {
    size_t len = 0;
    cachet_pkey *want = NULL;
    uint8_t *der = legacy_p12("pw", &want, &len);
    CHECK(der != NULL && want != NULL);
    if (der == NULL) {
        return;
    }
    CHECK(!global_has_legacy());
    cachet_pkey *key = NULL;
    cachet_cert *cert = NULL;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_pkcs12_load(der, len, "pw", &key, &cert, NULL, &err), CACHET_OK);
    CHECK(!global_has_legacy());
    if (key != NULL && cert != NULL) {
        cachet_pkey *cpk = cachet_cert_pkey(cert);
        CHECK(cachet_pkey_matches(key, cpk));
        CHECK(cachet_pkey_matches(key, want));
        cachet_membuf sig = {0};
        CHECK_EQ_INT(cachet_sign(key, CACHET_SIG_ECDSA, CACHET_MD_SHA256, NULL,
                                 (const uint8_t *)"abc", 3, &sig, &err),
                     CACHET_OK);
        CHECK(cachet_verify(cpk, CACHET_SIG_ECDSA, CACHET_MD_SHA256, NULL, (const uint8_t *)"abc",
                            3, sig.data, sig.len));
        cachet_membuf_free(&sig);
        cachet_pkey_free(cpk);
    }
    cachet_pkey_free(key);
    cachet_cert_free(cert);
    cachet_error werr = {0};
    key = NULL;
    cert = NULL;
    CHECK_EQ_INT(cachet_pkcs12_load(der, len, "wrong", &key, &cert, NULL, &werr), CACHET_ERR_KEY);
    CHECK(key == NULL && cert == NULL);
    CHECK(!global_has_legacy());
    cachet_pkey_free(want);
    free(der);
}

static const cachet_test_case tests[] = {
    TEST_CASE(legacy_cipher_use_leaves_the_default_context_alone),
    TEST_CASE(legacy_p12_loads_and_its_key_works_without_global_legacy),
};

TEST_MAIN(tests)
