/* Issue 5 ciphers: ChaCha20-Poly1305 (RFC 8439), the legacy CBC ciphers of OpenSSL's legacy
 * provider (decrypt only), Camellia, RC2 effective key bits (RFC 2268) and CBC without padding.
 * OpenSSL is driven directly here to produce the ciphertexts our decryption must read. AES-CCM:
 * test_crypto_issue5_ccm.c. */
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "test_crypto_cipher_util.h"

/* run: cipher_run with this file's chunking. */
static bool run(cachet_cipher_ctx *c, const uint8_t *in, size_t len, int mode, uint8_t *out,
                size_t *out_len) {
    return cipher_run(c, in, len, mode, 4242, 37, out, out_len);
}

/* A library context of the test's own with the legacy provider, so the
 * ciphertexts come from OpenSSL independently of the code under test. */
static OSSL_LIB_CTX *test_legacy_ctx(void) {
    static OSSL_LIB_CTX *ctx;
    static bool tried;
    if (!tried) {
        tried = true;
        ctx = OSSL_LIB_CTX_new();
        if (OSSL_PROVIDER_load(ctx, "default") == NULL ||
            OSSL_PROVIDER_load(ctx, "legacy") == NULL) {
            fprintf(stderr, "cannot load the legacy provider in the test\n");
        }
    }
    return ctx;
}

/* ossl_encrypt encrypts with OpenSSL's |name| (CBC, PKCS#7 padding unless
 * |no_pad|), optional variable key length and RC2 effective bits; 0 on failure. */
static size_t ossl_encrypt(const char *name, const uint8_t *key, size_t key_len, const uint8_t *iv,
                           unsigned rc2_bits, bool no_pad, const uint8_t *pt, size_t pt_len,
                           uint8_t *out) {
    EVP_CIPHER *ciph = EVP_CIPHER_fetch(test_legacy_ctx(), name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0;
    int n2 = 0;
    bool ok = ciph != NULL && ctx != NULL &&
              EVP_EncryptInit_ex2(ctx, ciph, NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_set_key_length(ctx, (int)key_len) == 1;
    if (ok && rc2_bits != 0) {
        size_t bits = rc2_bits;
        OSSL_PARAM p[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_RC2_KEYBITS, &bits),
                          OSSL_PARAM_construct_end()};
        ok = EVP_CIPHER_CTX_set_params(ctx, p) == 1;
    }
    ok = ok && EVP_EncryptInit_ex2(ctx, NULL, key, iv, NULL) == 1 &&
         EVP_CIPHER_CTX_set_padding(ctx, no_pad ? 0 : 1) == 1 &&
         EVP_EncryptUpdate(ctx, out, &n1, pt, (int)pt_len) == 1 &&
         EVP_EncryptFinal_ex(ctx, out + n1, &n2) == 1;
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(ciph);
    ERR_clear_error();
    return ok ? (size_t)(n1 + n2) : 0;
}

static const char chacha_key[] = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
static const char chacha_nonce[] = "070000004041424344454647";
static const char chacha_aad[] = "50515253c0c1c2c3c4c5c6c7";
static const char chacha_pt[] =
    "Ladies and Gentlemen of the class of '99: If I could offer you only "
    "one tip for the future, sunscreen would be it.";
static const char chacha_ct[] = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                                "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                                "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                                "3ff4def08e4b7a9de576d26586cec64b6116";
static const char chacha_tag[] = "1ae10b594f09e26a7e902ecbd0600691";

/* RFC 8439 §2.8.2: the AEAD_CHACHA20_POLY1305 test vector, encrypting. */
static void chacha20_poly1305_encrypt_matches_rfc8439(void) {
    uint8_t key[32], nonce[12], aad[12], ct[128], tag[16];
    unhex(key, sizeof(key), chacha_key);
    unhex(nonce, sizeof(nonce), chacha_nonce);
    unhex(aad, sizeof(aad), chacha_aad);
    size_t ct_len = unhex(ct, sizeof(ct), chacha_ct);
    unhex(tag, sizeof(tag), chacha_tag);
    size_t pt_len = strlen(chacha_pt);
    CHECK_EQ_INT(pt_len, 114);
    CHECK_EQ_INT(ct_len, 114);
    for (int mode = 0; mode < 3; mode++) {
        cachet_error err = {0};
        cachet_cipher_ctx *c =
            cachet_cipher_new(CACHET_CIPHER_CHACHA20_POLY1305, true, key, 32, nonce, 12, &err);
        CHECK(c != NULL);
        if (c == NULL) {
            return;
        }
        CHECK(cachet_cipher_aad(c, aad, sizeof(aad)));
        uint8_t out[160];
        size_t n = 0;
        CHECK(run(c, (const uint8_t *)chacha_pt, pt_len, mode, out, &n));
        CHECK_MEM(out, n, ct, ct_len);
        uint8_t got[16];
        CHECK(cachet_cipher_get_tag(c, got, 16));
        CHECK_MEM(got, 16, tag, 16);
        CHECK(!cachet_cipher_get_tag(c, got, 12)); /* RFC 8103: the tag is 16 octets */
        cachet_cipher_free(c);
    }
}

/* The same vector decrypts whole, byte by byte and in random chunks, and any
 * change to ciphertext, tag or AAD fails at final. */
static void chacha20_poly1305_decrypt_streams_and_detects_tampering(void) {
    uint8_t key[32], nonce[12], aad[12], ct[128], tag[16];
    unhex(key, sizeof(key), chacha_key);
    unhex(nonce, sizeof(nonce), chacha_nonce);
    unhex(aad, sizeof(aad), chacha_aad);
    size_t ct_len = unhex(ct, sizeof(ct), chacha_ct);
    unhex(tag, sizeof(tag), chacha_tag);
    for (int mode = 0; mode < 3; mode++) {
        cachet_cipher_ctx *c =
            cachet_cipher_new(CACHET_CIPHER_CHACHA20_POLY1305, false, key, 32, nonce, 12, NULL);
        CHECK(c != NULL && cachet_cipher_aad(c, aad, sizeof(aad)));
        CHECK(cachet_cipher_set_tag(c, tag, 16));
        uint8_t out[160];
        size_t n = 0;
        CHECK(run(c, ct, ct_len, mode, out, &n));
        CHECK_MEM(out, n, chacha_pt, strlen(chacha_pt));
        cachet_cipher_free(c);
    }
    for (int what = 0; what < 4; what++) {
        uint8_t t_ct[128], t_tag[16], t_aad[12];
        memcpy(t_ct, ct, ct_len);
        memcpy(t_tag, tag, 16);
        memcpy(t_aad, aad, 12);
        if (what == 0) {
            t_ct[57] ^= 0x01;
        } else if (what == 1) {
            t_tag[15] ^= 0x80;
        } else if (what == 2) {
            t_aad[0] ^= 0x01;
        }
        cachet_cipher_ctx *c =
            cachet_cipher_new(CACHET_CIPHER_CHACHA20_POLY1305, false, key, 32, nonce, 12, NULL);
        CHECK(c != NULL && cachet_cipher_aad(c, t_aad, sizeof(t_aad)));
        if (what != 3) {
            CHECK(cachet_cipher_set_tag(c, t_tag, 16));
        }
        uint8_t out[160];
        size_t n = 0;
        /* what 3: no tag was set, which must not pass either */
        CHECK(!run(c, t_ct, ct_len, 1, out, &n));
        cachet_cipher_free(c);
    }
}

static void chacha20_poly1305_refuses_other_nonce_and_tag_sizes(void) {
    uint8_t key[32] = {1}, nonce[16] = {2}, tag[16] = {0};
    cachet_error err = {0};
    CHECK(cachet_cipher_new(CACHET_CIPHER_CHACHA20_POLY1305, true, key, 32, nonce, 8, &err) ==
          NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    CHECK(cachet_cipher_new(CACHET_CIPHER_CHACHA20_POLY1305, true, key, 16, nonce, 12, NULL) ==
          NULL);
    cachet_cipher_ctx *c =
        cachet_cipher_new(CACHET_CIPHER_CHACHA20_POLY1305, false, key, 32, nonce, 12, NULL);
    CHECK(c != NULL);
    CHECK(!cachet_cipher_set_tag(c, tag, 12));
    CHECK(cachet_cipher_set_tag(c, tag, 16));
    cachet_cipher_free(c);
}

/* Every cipher's name, sizes and classes, as the reports and the CMS layer use them. */
static void cipher_table_names_sizes_and_classes(void) {
    static const struct {
        cachet_cipher c;
        const char *name;
        size_t key, iv, block;
        bool aead, legacy;
    } cases[] = {
        {CACHET_CIPHER_AES128_CBC, "aes-128-cbc", 16, 16, 16, false, false},
        {CACHET_CIPHER_AES192_CBC, "aes-192-cbc", 24, 16, 16, false, false},
        {CACHET_CIPHER_AES256_CBC, "aes-256-cbc", 32, 16, 16, false, false},
        {CACHET_CIPHER_AES192_GCM, "aes-192-gcm", 24, 12, 1, true, false},
        {CACHET_CIPHER_AES128_CCM, "aes-128-ccm", 16, 12, 1, true, false},
        {CACHET_CIPHER_AES192_CCM, "aes-192-ccm", 24, 12, 1, true, false},
        {CACHET_CIPHER_AES256_CCM, "aes-256-ccm", 32, 12, 1, true, false},
        {CACHET_CIPHER_CHACHA20_POLY1305, "chacha20-poly1305", 32, 12, 1, true, false},
        {CACHET_CIPHER_DES_EDE3_CBC, "des-ede3-cbc", 24, 8, 8, false, true},
        {CACHET_CIPHER_DES_CBC, "des-cbc", 8, 8, 8, false, true},
        {CACHET_CIPHER_RC2_CBC, "rc2-cbc", 16, 8, 8, false, true},
        {CACHET_CIPHER_CAST5_CBC, "cast5-cbc", 16, 8, 8, false, true},
        {CACHET_CIPHER_IDEA_CBC, "idea-cbc", 16, 8, 8, false, true},
        {CACHET_CIPHER_SEED_CBC, "seed-cbc", 16, 16, 16, false, true},
        {CACHET_CIPHER_CAMELLIA128_CBC, "camellia-128-cbc", 16, 16, 16, false, true},
        {CACHET_CIPHER_CAMELLIA192_CBC, "camellia-192-cbc", 24, 16, 16, false, true},
        {CACHET_CIPHER_CAMELLIA256_CBC, "camellia-256-cbc", 32, 16, 16, false, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_STR(cachet_cipher_name(cases[i].c), cases[i].name);
        CHECK_EQ_INT(cachet_cipher_key_len(cases[i].c), cases[i].key);
        CHECK_EQ_INT(cachet_cipher_iv_len(cases[i].c), cases[i].iv);
        CHECK_EQ_INT(cachet_cipher_block_size(cases[i].c), cases[i].block);
        CHECK_EQ_INT(cachet_cipher_is_aead(cases[i].c), cases[i].aead);
        CHECK_EQ_INT(cachet_cipher_is_legacy(cases[i].c), cases[i].legacy);
        CHECK(cachet_cipher_key_len_ok(cases[i].c, cases[i].key));
    }
    CHECK(!cachet_cipher_is_legacy(CACHET_CIPHER_NONE));
    CHECK(!cachet_cipher_is_legacy((cachet_cipher)999));
    CHECK_STR(cachet_cipher_name((cachet_cipher)999), "none");
    /* Variable key lengths: RC2 1..128 bytes, CAST5 5..16; fixed ones exactly. */
    CHECK(cachet_cipher_key_len_ok(CACHET_CIPHER_RC2_CBC, 1));
    CHECK(cachet_cipher_key_len_ok(CACHET_CIPHER_RC2_CBC, 5));
    CHECK(cachet_cipher_key_len_ok(CACHET_CIPHER_RC2_CBC, 128));
    CHECK(!cachet_cipher_key_len_ok(CACHET_CIPHER_RC2_CBC, 0));
    CHECK(!cachet_cipher_key_len_ok(CACHET_CIPHER_RC2_CBC, 129));
    CHECK(cachet_cipher_key_len_ok(CACHET_CIPHER_CAST5_CBC, 5));
    CHECK(!cachet_cipher_key_len_ok(CACHET_CIPHER_CAST5_CBC, 4));
    CHECK(!cachet_cipher_key_len_ok(CACHET_CIPHER_CAST5_CBC, 17));
    CHECK(!cachet_cipher_key_len_ok(CACHET_CIPHER_DES_CBC, 16));
    CHECK(!cachet_cipher_key_len_ok(CACHET_CIPHER_AES192_CBC, 16));
    CHECK(!cachet_cipher_key_len_ok(CACHET_CIPHER_NONE, 0));
}

typedef struct legacy_case {
    cachet_cipher c;
    const char *ossl;
    size_t key_len;
    unsigned rc2_bits; /* 0: the cipher's default */
} legacy_case;

static const legacy_case legacy_cases[] = {
    {CACHET_CIPHER_DES_EDE3_CBC, "DES-EDE3-CBC", 24, 0},
    {CACHET_CIPHER_DES_CBC, "DES-CBC", 8, 0},
    {CACHET_CIPHER_RC2_CBC, "RC2-CBC", 16, 0},
    {CACHET_CIPHER_RC2_CBC, "RC2-CBC", 5, 0},
    {CACHET_CIPHER_RC2_CBC, "RC2-CBC", 16, 40},
    {CACHET_CIPHER_RC2_CBC, "RC2-CBC", 24, 1024},
    {CACHET_CIPHER_CAST5_CBC, "CAST5-CBC", 16, 0},
    {CACHET_CIPHER_CAST5_CBC, "CAST5-CBC", 5, 0},
    {CACHET_CIPHER_CAST5_CBC, "CAST5-CBC", 10, 0},
    {CACHET_CIPHER_SEED_CBC, "SEED-CBC", 16, 0},
    {CACHET_CIPHER_CAMELLIA128_CBC, "CAMELLIA-128-CBC", 16, 0},
    {CACHET_CIPHER_CAMELLIA192_CBC, "CAMELLIA-192-CBC", 24, 0},
    {CACHET_CIPHER_CAMELLIA256_CBC, "CAMELLIA-256-CBC", 32, 0},
    {CACHET_CIPHER_AES192_CBC, "AES-192-CBC", 24, 0},
};

/* Each legacy cipher: OpenSSL (legacy provider, the test's own context)
 * encrypts, we decrypt whole, byte by byte and in random chunks. */
static void legacy_ciphers_decrypt_what_openssl_encrypts(void) {
    uint8_t key[32], iv[16], pt[300], ct[400], out[400];
    uint32_t rs = 99;
    for (size_t i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(cachet_test_rand(&rs) | 0x01); /* never a weak DES key */
    }
    for (size_t i = 0; i < sizeof(iv); i++) {
        iv[i] = (uint8_t)cachet_test_rand(&rs);
    }
    for (size_t i = 0; i < sizeof(pt); i++) {
        pt[i] = (uint8_t)cachet_test_rand(&rs);
    }
    for (size_t i = 0; i < sizeof(legacy_cases) / sizeof(legacy_cases[0]); i++) {
        const legacy_case *lc = &legacy_cases[i];
        size_t pt_len = 1 + i * 17; /* various lengths, some block multiples */
        /* Our default effective bits are key_len * 8 (OpenSSL's would stay 128). */
        unsigned ossl_bits = lc->rc2_bits;
        if (lc->c == CACHET_CIPHER_RC2_CBC && ossl_bits == 0) {
            ossl_bits = (unsigned)lc->key_len * 8;
        }
        size_t ct_len =
            ossl_encrypt(lc->ossl, key, lc->key_len, iv, ossl_bits, false, pt, pt_len, ct);
        CHECK(ct_len > 0);
        cachet_cipher_params params = {.rc2_effective_bits = lc->rc2_bits};
        for (int mode = 0; mode < 3; mode++) {
            cachet_error err = {0};
            cachet_cipher_ctx *c = cachet_cipher_new_ex(lc->c, false, key, lc->key_len, iv,
                                                        cachet_cipher_iv_len(lc->c), &params, &err);
            if (c == NULL) {
                fprintf(stderr, "%s/%zu: %s\n", lc->ossl, lc->key_len, err.message);
                CHECK(c != NULL);
                continue;
            }
            size_t n = 0;
            CHECK(run(c, ct, ct_len, mode, out, &n));
            if (!cachet_test_mem_eq(out, n, pt, pt_len)) {
                fprintf(stderr, "case %zu (%s, %zu-byte key, mode %d)\n", i, lc->ossl, lc->key_len,
                        mode);
            }
            CHECK_MEM(out, n, pt, pt_len);
            cachet_cipher_free(c);
        }
        /* A wrong key gives bad padding or other bytes, never the plaintext. */
        uint8_t wrong[32];
        memcpy(wrong, key, sizeof(wrong));
        wrong[2] ^= 0x10;
        cachet_cipher_ctx *c = cachet_cipher_new_ex(lc->c, false, wrong, lc->key_len, iv,
                                                    cachet_cipher_iv_len(lc->c), &params, NULL);
        size_t n = 0;
        CHECK(c != NULL);
        CHECK(!run(c, ct, ct_len, 0, out, &n) || !cachet_test_mem_eq(out, n, pt, pt_len));
        cachet_cipher_free(c);
    }
}

/* Published single-block known answers, decrypted through CBC with a zero IV
 * and no padding (the bare block cipher): DES (FIPS 81 "Now is t"), CAST5
 * with 128/80/40-bit keys (RFC 2144 B.1), SEED (RFC 4269 B), Camellia (RFC 3713 A). */
static void legacy_block_ciphers_decrypt_published_vectors(void) {
    static const struct {
        cachet_cipher c;
        const char *key, *pt, *ct;
    } cases[] = {
        {CACHET_CIPHER_DES_CBC, "0123456789abcdef", "4e6f772069732074", "3fa40e8a984d4815"},
        {CACHET_CIPHER_CAST5_CBC, "0123456712345678234567893456789a", "0123456789abcdef",
         "238b4fe5847e44b2"},
        {CACHET_CIPHER_CAST5_CBC, "01234567123456782345", "0123456789abcdef", "eb6a711a2c02271b"},
        {CACHET_CIPHER_CAST5_CBC, "0123456712", "0123456789abcdef", "7ac816d16e9b302e"},
        {CACHET_CIPHER_SEED_CBC, "00000000000000000000000000000000",
         "000102030405060708090a0b0c0d0e0f", "5ebac6e0054e166819aff1cc6d346cdb"},
        {CACHET_CIPHER_SEED_CBC, "000102030405060708090a0b0c0d0e0f",
         "00000000000000000000000000000000", "c11f22f20140505084483597e4370f43"},
        {CACHET_CIPHER_CAMELLIA128_CBC, "0123456789abcdeffedcba9876543210",
         "0123456789abcdeffedcba9876543210", "67673138549669730857065648eabe43"},
        {CACHET_CIPHER_CAMELLIA192_CBC, "0123456789abcdeffedcba98765432100011223344556677",
         "0123456789abcdeffedcba9876543210", "b4993401b3e996f84ee5cee7d79b09b9"},
        {CACHET_CIPHER_CAMELLIA256_CBC,
         "0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff",
         "0123456789abcdeffedcba9876543210", "9acc237dff16d76c20ef7c919e3a7509"},
    };
    uint8_t iv[16] = {0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t key[32], pt[16], ct[16], out[32];
        size_t key_len = unhex(key, sizeof(key), cases[i].key);
        size_t pt_len = unhex(pt, sizeof(pt), cases[i].pt);
        size_t ct_len = unhex(ct, sizeof(ct), cases[i].ct);
        cachet_cipher_params params = {.no_padding = true};
        cachet_error err = {0};
        cachet_cipher_ctx *c = cachet_cipher_new_ex(
            cases[i].c, false, key, key_len, iv, cachet_cipher_iv_len(cases[i].c), &params, &err);
        size_t n = 0;
        CHECK(c != NULL && run(c, ct, ct_len, 0, out, &n));
        if (!cachet_test_mem_eq(out, n, pt, pt_len)) {
            fprintf(stderr, "vector %zu (%s)\n", i, cachet_cipher_name(cases[i].c));
        }
        CHECK_MEM(out, n, pt, pt_len);
        cachet_cipher_free(c);
    }
}

/* Legacy ciphers are never used to encrypt: CACHET_ERR_POLICY. */
static void legacy_ciphers_refuse_to_encrypt(void) {
    static const cachet_cipher legacy[] = {
        CACHET_CIPHER_DES_EDE3_CBC,    CACHET_CIPHER_DES_CBC,         CACHET_CIPHER_RC2_CBC,
        CACHET_CIPHER_CAST5_CBC,       CACHET_CIPHER_IDEA_CBC,        CACHET_CIPHER_SEED_CBC,
        CACHET_CIPHER_CAMELLIA128_CBC, CACHET_CIPHER_CAMELLIA192_CBC, CACHET_CIPHER_CAMELLIA256_CBC,
    };
    uint8_t key[32] = {7}, iv[16] = {9};
    for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
        cachet_error err = {0};
        CHECK(cachet_cipher_new(legacy[i], true, key, cachet_cipher_key_len(legacy[i]), iv,
                                cachet_cipher_iv_len(legacy[i]), &err) == NULL);
        CHECK_EQ_INT(err.status, CACHET_ERR_POLICY);
        CHECK(strstr(err.message, cachet_cipher_name(legacy[i])) != NULL);
    }
}

/* IDEA: Debian's OpenSSL is built without it; then the cipher is reported
 * unsupported by name, otherwise it decrypts what OpenSSL encrypts. */
static void idea_decrypts_or_is_unsupported_by_name(void) {
    uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, iv[8] = {3};
    uint8_t pt[40], ct[64], out[64];
    memset(pt, 'i', sizeof(pt));
    EVP_CIPHER *probe = EVP_CIPHER_fetch(test_legacy_ctx(), "IDEA-CBC", NULL);
    ERR_clear_error();
    cachet_error err = {0};
    cachet_cipher_ctx *c = cachet_cipher_new(CACHET_CIPHER_IDEA_CBC, false, key, 16, iv, 8, &err);
    if (probe == NULL) {
        CHECK(c == NULL);
        CHECK_EQ_INT(err.status, CACHET_ERR_UNSUPPORTED);
        CHECK(strstr(err.message, "idea-cbc") != NULL);
        return;
    }
    EVP_CIPHER_free(probe);
    size_t ct_len = ossl_encrypt("IDEA-CBC", key, 16, iv, 0, false, pt, sizeof(pt), ct);
    size_t n = 0;
    CHECK(c != NULL && run(c, ct, ct_len, 1, out, &n));
    CHECK_MEM(out, n, pt, sizeof(pt));
    cachet_cipher_free(c);
}

/* RC2 effective key bits 40/64/128 against OpenSSL's own RC2-40-CBC,
 * RC2-64-CBC and RC2-CBC (which fix the effective bits by name). */
static void rc2_effective_bits_match_openssl_named_variants(void) {
    static const struct {
        const char *ossl;
        size_t key_len;
        unsigned bits;
    } cases[] = {{"RC2-40-CBC", 5, 40}, {"RC2-64-CBC", 8, 64}, {"RC2-CBC", 16, 128}};
    uint8_t key[16] = {0x3a, 0x11, 0x90, 0x7c, 0x55, 0x01, 0xfe, 0x23,
                       0x19, 0x88, 0x42, 0x0d, 0x6b, 0x9e, 0xc4, 0x71};
    uint8_t iv[8] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7};
    uint8_t pt[64], ct[80], out[80];
    for (size_t i = 0; i < sizeof(pt); i++) {
        pt[i] = (uint8_t)(i * 7);
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        EVP_CIPHER *ciph = EVP_CIPHER_fetch(test_legacy_ctx(), cases[i].ossl, NULL);
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        int n1 = 0, n2 = 0;
        CHECK(ciph != NULL && ctx != NULL && EVP_EncryptInit_ex2(ctx, ciph, key, iv, NULL) == 1 &&
              EVP_EncryptUpdate(ctx, ct, &n1, pt, (int)sizeof(pt)) == 1 &&
              EVP_EncryptFinal_ex(ctx, ct + n1, &n2) == 1);
        CHECK_EQ_INT(EVP_CIPHER_CTX_get_key_length(ctx), cases[i].key_len);
        EVP_CIPHER_CTX_free(ctx);
        EVP_CIPHER_free(ciph);
        cachet_cipher_params params = {.rc2_effective_bits = cases[i].bits};
        cachet_cipher_ctx *c = cachet_cipher_new_ex(CACHET_CIPHER_RC2_CBC, false, key,
                                                    cases[i].key_len, iv, 8, &params, NULL);
        size_t n = 0;
        CHECK(c != NULL && run(c, ct, (size_t)(n1 + n2), 2, out, &n));
        CHECK_MEM(out, n, pt, sizeof(pt));
        cachet_cipher_free(c);
        /* The effective bits change the key schedule: 128-bit keys read with 40 bits fail. */
        if (cases[i].bits == 128) {
            params.rc2_effective_bits = 40;
            c = cachet_cipher_new_ex(CACHET_CIPHER_RC2_CBC, false, key, 16, iv, 8, &params, NULL);
            CHECK(c != NULL);
            CHECK(!run(c, ct, (size_t)(n1 + n2), 0, out, &n) ||
                  !cachet_test_mem_eq(out, n, pt, sizeof(pt)));
            cachet_cipher_free(c);
        }
    }
    cachet_error err = {0};
    cachet_cipher_params bad = {.rc2_effective_bits = 1025};
    CHECK(cachet_cipher_new_ex(CACHET_CIPHER_RC2_CBC, false, key, 16, iv, 8, &bad, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
}

/* RFC 2268 §5 test vectors (one block, so CBC with a zero IV and no padding
 * is the bare block cipher), decrypting the given ciphertext. */
static void rc2_decrypts_rfc2268_vectors(void) {
    static const struct {
        const char *key;
        unsigned bits;
        const char *pt, *ct;
    } cases[] = {
        {"0000000000000000", 63, "0000000000000000", "ebb773f993278eff"},
        {"ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"},
        {"3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"},
        {"88", 64, "0000000000000000", "61a8a244adacccf0"},
        {"88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"},
        {"88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"},
        {"88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"},
        {"88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", 129,
         "0000000000000000", "5b78d3a43dfff1f1"},
    };
    uint8_t iv[8] = {0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t key[64], pt[8], ct[8], out[16];
        size_t key_len = unhex(key, sizeof(key), cases[i].key);
        unhex(pt, sizeof(pt), cases[i].pt);
        unhex(ct, sizeof(ct), cases[i].ct);
        cachet_cipher_params params = {.rc2_effective_bits = cases[i].bits, .no_padding = true};
        cachet_error err = {0};
        cachet_cipher_ctx *c =
            cachet_cipher_new_ex(CACHET_CIPHER_RC2_CBC, false, key, key_len, iv, 8, &params, &err);
        size_t n = 0;
        CHECK(c != NULL && run(c, ct, 8, 0, out, &n));
        if (!cachet_test_mem_eq(out, n, pt, 8)) {
            fprintf(stderr, "RFC 2268 vector %zu\n", i);
        }
        CHECK_MEM(out, n, pt, 8);
        cachet_cipher_free(c);
    }
}

/* no_padding: CBC over whole blocks exactly as OpenSSL without padding, both
 * directions; a partial block then fails at final. */
static void cbc_without_padding_matches_openssl(void) {
    uint8_t key[32], iv[16], pt[48], ct[64], out[80];
    for (size_t i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(0x40 + i);
    }
    memset(iv, 0x5c, sizeof(iv));
    for (size_t i = 0; i < sizeof(pt); i++) {
        pt[i] = (uint8_t)(i ^ 0xa5);
    }
    static const cachet_cipher aes[] = {CACHET_CIPHER_AES128_CBC, CACHET_CIPHER_AES192_CBC,
                                        CACHET_CIPHER_AES256_CBC};
    static const char *const names[] = {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"};
    cachet_cipher_params params = {.no_padding = true};
    for (size_t i = 0; i < 3; i++) {
        size_t key_len = cachet_cipher_key_len(aes[i]);
        size_t ct_len = ossl_encrypt(names[i], key, key_len, iv, 0, true, pt, sizeof(pt), ct);
        CHECK_EQ_INT(ct_len, sizeof(pt));
        cachet_cipher_ctx *e =
            cachet_cipher_new_ex(aes[i], true, key, key_len, iv, 16, &params, NULL);
        size_t n = 0;
        CHECK(e != NULL && run(e, pt, sizeof(pt), 2, out, &n));
        CHECK_MEM(out, n, ct, ct_len);
        cachet_cipher_free(e);
        cachet_cipher_ctx *d =
            cachet_cipher_new_ex(aes[i], false, key, key_len, iv, 16, &params, NULL);
        CHECK(d != NULL && run(d, ct, ct_len, 1, out, &n));
        CHECK_MEM(out, n, pt, sizeof(pt));
        cachet_cipher_free(d);
        d = cachet_cipher_new_ex(aes[i], false, key, key_len, iv, 16, &params, NULL);
        CHECK(d != NULL && !run(d, ct, ct_len - 3, 0, out, &n));
        cachet_cipher_free(d);
    }
    /* The legacy 3DES CBC of RFC 3211 PWRI, read without padding. */
    size_t ct_len = ossl_encrypt("DES-EDE3-CBC", key, 24, iv, 0, true, pt, 32, ct);
    cachet_cipher_ctx *d =
        cachet_cipher_new_ex(CACHET_CIPHER_DES_EDE3_CBC, false, key, 24, iv, 8, &params, NULL);
    size_t n = 0;
    CHECK(d != NULL && run(d, ct, ct_len, 0, out, &n));
    CHECK_MEM(out, n, pt, 32);
    cachet_cipher_free(d);
}

static const cachet_test_case tests[] = {
    TEST_CASE(chacha20_poly1305_encrypt_matches_rfc8439),
    TEST_CASE(chacha20_poly1305_decrypt_streams_and_detects_tampering),
    TEST_CASE(chacha20_poly1305_refuses_other_nonce_and_tag_sizes),
    TEST_CASE(cipher_table_names_sizes_and_classes),
    TEST_CASE(legacy_ciphers_decrypt_what_openssl_encrypts),
    TEST_CASE(legacy_block_ciphers_decrypt_published_vectors),
    TEST_CASE(legacy_ciphers_refuse_to_encrypt),
    TEST_CASE(idea_decrypts_or_is_unsupported_by_name),
    TEST_CASE(rc2_effective_bits_match_openssl_named_variants),
    TEST_CASE(rc2_decrypts_rfc2268_vectors),
    TEST_CASE(cbc_without_padding_matches_openssl),
};

TEST_MAIN(tests)
