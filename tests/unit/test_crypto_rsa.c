/* RSA keys: loading in every format, key transport v1.5 (RFC 3218) and OAEP. */
#include <stdlib.h>

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "crypto/internal.h"
#include "testlib.h"

static EVP_PKEY *shared_key;

static EVP_PKEY *rsa_key(void) {
    if (shared_key == NULL) {
        shared_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    }
    return shared_key;
}

/* Last in the table, so leak checkers see a clean exit. */
static void release_shared_key(void) {
    EVP_PKEY_free(shared_key);
    shared_key = NULL;
}

static cachet_pkey *our_key(void) {
    cachet_pkey *k = NULL;
    EVP_PKEY_up_ref(rsa_key());
    k = cachet_pkey_wrap(rsa_key());
    return k;
}

typedef enum fmt { PEM_PKCS8, DER_PKCS8, PEM_PKCS8_ENC, DER_PKCS8_ENC, PEM_TRAD, DER_TRAD } fmt;

/* encode writes the test key in |f| with OpenSSL itself, as a user's file would be. */
static cachet_membuf encode(EVP_PKEY *k, fmt f, const char *pass) {
    BIO *b = BIO_new(BIO_s_mem());
    int ok = 0;
    const EVP_CIPHER *aes = EVP_aes_256_cbc();
    switch (f) {
        case PEM_PKCS8:
            ok = PEM_write_bio_PKCS8PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
            break;
        case DER_PKCS8:
            ok = i2d_PKCS8PrivateKey_bio(b, k, NULL, NULL, 0, NULL, NULL);
            break;
        case PEM_PKCS8_ENC:
            ok = PEM_write_bio_PKCS8PrivateKey(b, k, aes, (char *)pass, (int)strlen(pass), NULL,
                                               NULL);
            break;
        case DER_PKCS8_ENC:
            ok = i2d_PKCS8PrivateKey_bio(b, k, aes, (char *)pass, (int)strlen(pass), NULL, NULL);
            break;
        case PEM_TRAD:
            ok = PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL, NULL);
            break;
        case DER_TRAD:
            ok = i2d_PrivateKey_bio(b, k);
            break;
    }
    CHECK(ok == 1);
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    cachet_membuf out = {0};
    cachet_membuf_append(&out, p, (size_t)n);
    BIO_free(b);
    return out;
}

static void private_key_loads_from_every_format(void) {
    static const fmt fmts[] = {PEM_PKCS8,     DER_PKCS8, PEM_PKCS8_ENC,
                               DER_PKCS8_ENC, PEM_TRAD,  DER_TRAD};
    cachet_pkey *ref = our_key();
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        cachet_membuf m = encode(rsa_key(), fmts[i], "s3cret");
        cachet_pkey *k = NULL;
        cachet_error err;
        cachet_err_clear(&err);
        bool enc = fmts[i] == PEM_PKCS8_ENC || fmts[i] == DER_PKCS8_ENC;
        CHECK_EQ_INT(cachet_pkey_load_private(m.data, m.len, enc ? "s3cret" : NULL, &k, &err),
                     CACHET_OK);
        if (k == NULL) {
            fprintf(stderr, "format %zu: %s\n", i, err.message);
        }
        CHECK(k != NULL && cachet_pkey_matches(k, ref));
        CHECK_EQ_INT(cachet_pkey_type(k), CACHET_KEY_RSA);
        CHECK_EQ_INT(cachet_pkey_bits(k), 2048);
        CHECK_EQ_INT(cachet_pkey_curve(k), CACHET_CURVE_NONE);
        cachet_pkey_free(k);
        cachet_membuf_free(&m);
    }
    cachet_pkey_free(ref);
}

static void wrong_or_missing_passphrase_is_key_error(void) {
    static const fmt fmts[] = {PEM_PKCS8_ENC, DER_PKCS8_ENC};
    for (size_t i = 0; i < 2; i++) {
        cachet_membuf m = encode(rsa_key(), fmts[i], "s3cret");
        cachet_pkey *k = NULL;
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(cachet_pkey_load_private(m.data, m.len, "wrong", &k, &err), CACHET_ERR_KEY);
        CHECK(k == NULL);
        CHECK(strstr(err.message, "wrong passphrase or corrupt key") != NULL);
        cachet_err_clear(&err);
        CHECK_EQ_INT(cachet_pkey_load_private(m.data, m.len, NULL, &k, &err), CACHET_ERR_KEY);
        CHECK(strstr(err.message, "passphrase") != NULL);
        cachet_membuf_free(&m);
    }
}

static void garbage_is_not_a_key(void) {
    static const uint8_t junk[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    cachet_pkey *k = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pkey_load_private(junk, sizeof(junk) - 1, NULL, &k, &err), CACHET_ERR_KEY);
    CHECK(k == NULL);
    CHECK(err.message[0] != '\0');
    CHECK_EQ_INT(ERR_peek_error(), 0); /* nothing leaks into OpenSSL's queue */
    /* A public key is not a private key. */
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(rsa_key(), &der);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pkey_load_private(der, (size_t)n, NULL, &k, &err), CACHET_ERR_KEY);
    CHECK(k == NULL);
    OPENSSL_free(der);
}

static void spki_round_trip_and_trailing_bytes(void) {
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(rsa_key(), &der);
    CHECK(n > 0);
    cachet_pkey *pub = NULL;
    CHECK_EQ_INT(cachet_pkey_from_spki(der, (size_t)n, &pub, NULL), CACHET_OK);
    cachet_pkey *ref = our_key();
    CHECK(cachet_pkey_matches(pub, ref));
    cachet_pkey_free(pub);
    uint8_t *longer = malloc((size_t)n + 1);
    memcpy(longer, der, (size_t)n);
    longer[n] = 0;
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pkey_from_spki(longer, (size_t)n + 1, &pub, &err), CACHET_ERR_MALFORMED);
    free(longer);
    OPENSSL_free(der);
    /* up_ref keeps the key alive after one free */
    CHECK(cachet_pkey_up_ref(ref) == ref);
    cachet_pkey_free(ref);
    CHECK_EQ_INT(cachet_pkey_bits(ref), 2048);
    cachet_pkey_free(ref);
}

static void v15_round_trip(void) {
    cachet_pkey *k = our_key();
    uint8_t cek[32];
    CHECK_EQ_INT(cachet_random(cek, sizeof(cek), NULL), CACHET_OK);
    cachet_membuf ct = {0};
    CHECK_EQ_INT(cachet_rsa_encrypt(k, NULL, cek, sizeof(cek), &ct, NULL), CACHET_OK);
    CHECK_EQ_INT(ct.len, 256);
    uint8_t back[32];
    CHECK(cachet_rsa_decrypt_key(k, NULL, ct.data, ct.len, back, sizeof(back)));
    CHECK_MEM(back, 32, cek, 32);
    cachet_membuf_free(&ct);
    cachet_pkey_free(k);
}

/* RFC 3218 §2.3.2: garbage or a wrong-length key yields a stand-in key and
 * success. The stand-in is a function of the key and the ciphertext (issue 8:
 * a probe sent twice gets the same key, so repeats tell nothing). */
static void v15_failure_yields_random_key_and_success(void) {
    cachet_pkey *k = our_key();
    uint8_t garbage[256];
    CHECK_EQ_INT(cachet_random(garbage, sizeof(garbage), NULL), CACHET_OK);
    garbage[0] = 0x00; /* below the modulus */
    uint8_t a[32];
    uint8_t b[32];
    CHECK(cachet_rsa_decrypt_key(k, NULL, garbage, sizeof(garbage), a, sizeof(a)));
    CHECK(cachet_rsa_decrypt_key(k, NULL, garbage, sizeof(garbage), b, sizeof(b)));
    CHECK(memcmp(a, b, sizeof(a)) == 0);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    garbage[255] ^= 0x01;
    CHECK(cachet_rsa_decrypt_key(k, NULL, garbage, sizeof(garbage), b, sizeof(b)));
    CHECK(memcmp(a, b, sizeof(a)) != 0);
    /* a longer stand-in starts with the shorter one (one HMAC block per 32 bytes) */
    uint8_t c48[48];
    CHECK(cachet_rsa_decrypt_key(k, NULL, garbage, sizeof(garbage), c48, sizeof(c48)));
    CHECK(memcmp(c48, b, sizeof(b)) == 0);

    /* Correct padding, wrong length: a 16-byte key when 32 are expected. */
    uint8_t short_key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    cachet_membuf ct = {0};
    CHECK_EQ_INT(cachet_rsa_encrypt(k, NULL, short_key, 16, &ct, NULL), CACHET_OK);
    CHECK(cachet_rsa_decrypt_key(k, NULL, ct.data, ct.len, a, sizeof(a)));
    CHECK(memcmp(a, short_key, 16) != 0);
    CHECK(cachet_rsa_decrypt_key(k, NULL, ct.data, ct.len, b, sizeof(b)));
    CHECK(memcmp(a, b, sizeof(a)) == 0);
    /* Truncated ciphertext. */
    CHECK(cachet_rsa_decrypt_key(k, NULL, ct.data, 100, a, 16));
    cachet_membuf_free(&ct);
    cachet_pkey_free(k);
}

static void oaep_sha256_round_trip_with_label(void) {
    cachet_pkey *k = our_key();
    static const uint8_t label[] = "cachet label";
    cachet_oaep_params p = {CACHET_MD_SHA256, CACHET_MD_SHA256, label, sizeof(label) - 1};
    uint8_t cek[32];
    CHECK_EQ_INT(cachet_random(cek, sizeof(cek), NULL), CACHET_OK);
    cachet_membuf ct = {0};
    CHECK_EQ_INT(cachet_rsa_encrypt(k, &p, cek, sizeof(cek), &ct, NULL), CACHET_OK);
    uint8_t back[32];
    CHECK(cachet_rsa_decrypt_key(k, &p, ct.data, ct.len, back, sizeof(back)));
    CHECK_MEM(back, 32, cek, 32);
    /* A different label, digest or length fails visibly for OAEP. */
    cachet_oaep_params nolabel = {CACHET_MD_SHA256, CACHET_MD_SHA256, NULL, 0};
    CHECK(!cachet_rsa_decrypt_key(k, &nolabel, ct.data, ct.len, back, sizeof(back)));
    cachet_oaep_params sha1 = {CACHET_MD_NONE, CACHET_MD_NONE, label, sizeof(label) - 1};
    CHECK(!cachet_rsa_decrypt_key(k, &sha1, ct.data, ct.len, back, sizeof(back)));
    CHECK(!cachet_rsa_decrypt_key(k, &p, ct.data, ct.len, back, 16));
    ct.data[5] ^= 1;
    CHECK(!cachet_rsa_decrypt_key(k, &p, ct.data, ct.len, back, sizeof(back)));
    CHECK_EQ_INT(ERR_peek_error(), 0);
    cachet_membuf_free(&ct);
    cachet_pkey_free(k);
}

/* Ciphertext made by OpenSSL directly with OAEP defaults (SHA-1, RFC 3560) decrypts. */
static void oaep_default_sha1_interoperates_with_openssl(void) {
    cachet_pkey *k = our_key();
    uint8_t cek[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, rsa_key(), NULL);
    uint8_t ct[256];
    size_t ct_len = sizeof(ct);
    CHECK(EVP_PKEY_encrypt_init(c) == 1 &&
          EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) == 1 &&
          EVP_PKEY_encrypt(c, ct, &ct_len, cek, sizeof(cek)) == 1);
    EVP_PKEY_CTX_free(c);
    cachet_oaep_params defaults = {CACHET_MD_NONE, CACHET_MD_NONE, NULL, 0};
    uint8_t back[16];
    CHECK(cachet_rsa_decrypt_key(k, &defaults, ct, ct_len, back, sizeof(back)));
    CHECK_MEM(back, 16, cek, 16);
    cachet_pkey_free(k);
}

static void non_rsa_key_is_refused_for_transport(void) {
    cachet_pkey *ec = NULL;
    CHECK_EQ_INT(cachet_pkey_generate_ec(CACHET_CURVE_P256, &ec, NULL), CACHET_OK);
    cachet_membuf ct = {0};
    cachet_error err;
    cachet_err_clear(&err);
    uint8_t cek[16] = {0};
    CHECK_EQ_INT(cachet_rsa_encrypt(ec, NULL, cek, 16, &ct, &err), CACHET_ERR_USAGE);
    CHECK(!cachet_rsa_decrypt_key(ec, NULL, cek, 16, cek, 16));
    cachet_pkey_free(ec);
}

static const cachet_test_case tests[] = {
    TEST_CASE(private_key_loads_from_every_format),
    TEST_CASE(wrong_or_missing_passphrase_is_key_error),
    TEST_CASE(garbage_is_not_a_key),
    TEST_CASE(spki_round_trip_and_trailing_bytes),
    TEST_CASE(v15_round_trip),
    TEST_CASE(v15_failure_yields_random_key_and_success),
    TEST_CASE(oaep_sha256_round_trip_with_label),
    TEST_CASE(oaep_default_sha1_interoperates_with_openssl),
    TEST_CASE(non_rsa_key_is_refused_for_transport),
    TEST_CASE(release_shared_key),
};
TEST_MAIN(tests)
