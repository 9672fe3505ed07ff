/* Symmetric ciphers: AES-CBC, AES-GCM, 3DES (decrypt) and AES key wrap. */
#include <stdlib.h>

#include "test_crypto_cipher_util.h"

/* run: cipher_run with this file's chunking. */
static bool run(cachet_cipher_ctx *c, const uint8_t *in, size_t len, int mode, uint8_t *out,
                size_t *out_len) {
    return cipher_run(c, in, len, mode, 777, 40, out, out_len);
}

static const char gcm_key[] = "feffe9928665731c6d6a8f9467308308";
static const char gcm_iv[] = "cafebabefacedbaddecaf888";
static const char gcm_pt[] = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                             "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
static const char gcm_ct[] = "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                             "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985";

/* GCM spec (McGrew/Viega) test cases 3 and 4 (AES-128, with and without AAD). */
static void gcm_encrypt_matches_spec_vectors(void) {
    static const struct {
        size_t pt_len;
        const char *aad;
        const char *tag;
    } cases[] = {
        {64, "", "4d5c2af327cd64a62cf35abd2ba6fab4"},
        {60, "feedfacedeadbeeffeedfacedeadbeefabaddad2", "5bc94fbc3221a5db94fae95ae7121a47"},
    };
    uint8_t key[16];
    uint8_t iv[12];
    uint8_t pt[64];
    uint8_t ct[64];
    unhex(key, sizeof(key), gcm_key);
    unhex(iv, sizeof(iv), gcm_iv);
    unhex(pt, sizeof(pt), gcm_pt);
    unhex(ct, sizeof(ct), gcm_ct);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int mode = 0; mode < 3; mode++) {
            uint8_t aad[32];
            uint8_t tag[16];
            uint8_t got_tag[16];
            size_t aad_len = unhex(aad, sizeof(aad), cases[i].aad);
            unhex(tag, sizeof(tag), cases[i].tag);
            cachet_cipher_ctx *c =
                cachet_cipher_new(CACHET_CIPHER_AES128_GCM, true, key, 16, iv, 12, NULL);
            CHECK(c != NULL);
            CHECK(cachet_cipher_aad(c, aad, aad_len));
            uint8_t out[80];
            size_t out_len = 0;
            CHECK(run(c, pt, cases[i].pt_len, mode, out, &out_len));
            CHECK_MEM(out, out_len, ct, cases[i].pt_len);
            CHECK(cachet_cipher_get_tag(c, got_tag, 16));
            CHECK_MEM(got_tag, 16, tag, 16);
            /* A truncated tag is the prefix of the full one. */
            CHECK(cachet_cipher_get_tag(c, got_tag, 12));
            CHECK_MEM(got_tag, 12, tag, 12);
            CHECK(!cachet_cipher_get_tag(c, got_tag, 11));
            cachet_cipher_free(c);

            c = cachet_cipher_new(CACHET_CIPHER_AES128_GCM, false, key, 16, iv, 12, NULL);
            CHECK(c != NULL);
            CHECK(cachet_cipher_aad(c, aad, aad_len));
            CHECK(cachet_cipher_set_tag(c, tag, 16));
            CHECK(run(c, ct, cases[i].pt_len, mode, out, &out_len));
            CHECK_MEM(out, out_len, pt, cases[i].pt_len);
            cachet_cipher_free(c);
        }
    }
}

static void gcm_tag_mismatch_fails_final(void) {
    uint8_t key[16];
    uint8_t iv[12];
    uint8_t ct[64];
    uint8_t tag[16];
    unhex(key, sizeof(key), gcm_key);
    unhex(iv, sizeof(iv), gcm_iv);
    unhex(ct, sizeof(ct), gcm_ct);
    unhex(tag, sizeof(tag), "4d5c2af327cd64a62cf35abd2ba6fab4");
    for (int flip = 0; flip < 3; flip++) {
        uint8_t t[16];
        uint8_t c2[64];
        memcpy(t, tag, 16);
        memcpy(c2, ct, 64);
        if (flip == 0) {
            t[15] ^= 1;
        } else if (flip == 1) {
            c2[10] ^= 0x80;
        }
        cachet_cipher_ctx *c =
            cachet_cipher_new(CACHET_CIPHER_AES128_GCM, false, key, 16, iv, 12, NULL);
        CHECK(c != NULL);
        if (flip == 2) {
            uint8_t aad = 1; /* AAD the sender did not authenticate */
            CHECK(cachet_cipher_aad(c, &aad, 1));
        }
        CHECK(cachet_cipher_set_tag(c, t, 16));
        uint8_t out[80];
        size_t out_len = 0;
        CHECK(!run(c, c2, sizeof(c2), 0, out, &out_len));
        cachet_cipher_free(c);
    }
}

static void gcm_rejects_bad_tag_lengths_and_late_aad(void) {
    uint8_t key[32] = {0};
    uint8_t iv[12] = {0};
    uint8_t tag[17] = {0};
    cachet_cipher_ctx *c =
        cachet_cipher_new(CACHET_CIPHER_AES256_GCM, false, key, 32, iv, 12, NULL);
    CHECK(c != NULL);
    CHECK(!cachet_cipher_set_tag(c, tag, 11));
    CHECK(!cachet_cipher_set_tag(c, tag, 17));
    uint8_t out[32];
    size_t n = 0;
    CHECK(cachet_cipher_update(c, key, 5, out, &n));
    CHECK(!cachet_cipher_aad(c, key, 1));
    cachet_cipher_free(c);
}

static void gcm_long_nonce_round_trips(void) {
    uint8_t key[32];
    uint8_t nonce[64];
    uint8_t pt[100];
    for (size_t i = 0; i < sizeof(pt); i++) {
        pt[i] = (uint8_t)i;
    }
    CHECK_EQ_INT(cachet_random(key, 32, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_random(nonce, 64, NULL), CACHET_OK);
    cachet_cipher_ctx *e =
        cachet_cipher_new(CACHET_CIPHER_AES256_GCM, true, key, 32, nonce, 64, NULL);
    uint8_t ct[128];
    size_t ct_len = 0;
    uint8_t tag[14];
    CHECK(e != NULL && run(e, pt, sizeof(pt), 2, ct, &ct_len) && cachet_cipher_get_tag(e, tag, 14));
    cachet_cipher_free(e);
    cachet_cipher_ctx *d =
        cachet_cipher_new(CACHET_CIPHER_AES256_GCM, false, key, 32, nonce, 64, NULL);
    uint8_t back[128];
    size_t back_len = 0;
    CHECK(d != NULL && cachet_cipher_set_tag(d, tag, 14) && run(d, ct, ct_len, 1, back, &back_len));
    CHECK_MEM(back, back_len, pt, sizeof(pt));
    cachet_cipher_free(d);
    CHECK(cachet_cipher_new(CACHET_CIPHER_AES256_GCM, true, key, 32, nonce, 0, NULL) == NULL);
}

/* NIST SP 800-38A F.2.1 (CBC-AES128 encrypt), first two blocks, plus PKCS#7 padding. */
static void cbc_matches_sp800_38a_and_pads(void) {
    uint8_t key[16];
    uint8_t iv[16];
    uint8_t pt[32];
    uint8_t want[32];
    unhex(key, sizeof(key), "2b7e151628aed2a6abf7158809cf4f3c");
    unhex(iv, sizeof(iv), "000102030405060708090a0b0c0d0e0f");
    unhex(pt, sizeof(pt), "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
    unhex(want, sizeof(want), "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2");
    for (int mode = 0; mode < 3; mode++) {
        cachet_cipher_ctx *c =
            cachet_cipher_new(CACHET_CIPHER_AES128_CBC, true, key, 16, iv, 16, NULL);
        uint8_t out[64];
        size_t n = 0;
        CHECK(c != NULL && run(c, pt, 32, mode, out, &n));
        CHECK_EQ_INT(n, 48); /* a full padding block follows block-aligned input */
        CHECK_MEM(out, 32, want, 32);
        cachet_cipher_free(c);
        c = cachet_cipher_new(CACHET_CIPHER_AES128_CBC, false, key, 16, iv, 16, NULL);
        uint8_t back[64];
        size_t bn = 0;
        CHECK(c != NULL && run(c, out, n, mode, back, &bn));
        CHECK_MEM(back, bn, pt, 32);
        cachet_cipher_free(c);
    }
}

static void cbc_bad_padding_fails_final(void) {
    uint8_t key[32] = {1, 2, 3};
    uint8_t iv[16] = {4, 5, 6};
    uint8_t pt[21] = "twenty-one bytes long";
    cachet_cipher_ctx *c = cachet_cipher_new(CACHET_CIPHER_AES256_CBC, true, key, 32, iv, 16, NULL);
    uint8_t ct[64];
    size_t n = 0;
    CHECK(c != NULL && run(c, pt, sizeof(pt), 0, ct, &n));
    CHECK_EQ_INT(n, 32);
    cachet_cipher_free(c);
    /* Flipping the previous block's last byte turns the 0x0b padding byte into 0x5e. */
    ct[15] ^= 0x55;
    c = cachet_cipher_new(CACHET_CIPHER_AES256_CBC, false, key, 32, iv, 16, NULL);
    uint8_t back[64];
    size_t bn = 0;
    CHECK(c != NULL);
    CHECK(!run(c, ct, n, 0, back, &bn));
    cachet_cipher_free(c);
    /* Truncated ciphertext (not a block multiple) also fails. */
    c = cachet_cipher_new(CACHET_CIPHER_AES256_CBC, false, key, 32, iv, 16, NULL);
    CHECK(c != NULL);
    CHECK(!run(c, ct, 20, 0, back, &bn));
    cachet_cipher_free(c);
}

static void cipher_properties_table(void) {
    static const struct {
        cachet_cipher c;
        const char *name;
        size_t key;
        size_t iv;
        size_t block;
        bool aead;
    } cases[] = {
        {CACHET_CIPHER_AES128_CBC, "aes-128-cbc", 16, 16, 16, false},
        {CACHET_CIPHER_AES192_CBC, "aes-192-cbc", 24, 16, 16, false},
        {CACHET_CIPHER_AES256_CBC, "aes-256-cbc", 32, 16, 16, false},
        {CACHET_CIPHER_AES128_GCM, "aes-128-gcm", 16, 12, 1, true},
        {CACHET_CIPHER_AES192_GCM, "aes-192-gcm", 24, 12, 1, true},
        {CACHET_CIPHER_AES256_GCM, "aes-256-gcm", 32, 12, 1, true},
        {CACHET_CIPHER_DES_EDE3_CBC, "des-ede3-cbc", 24, 8, 8, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_STR(cachet_cipher_name(cases[i].c), cases[i].name);
        CHECK_EQ_INT(cachet_cipher_key_len(cases[i].c), cases[i].key);
        CHECK_EQ_INT(cachet_cipher_iv_len(cases[i].c), cases[i].iv);
        CHECK_EQ_INT(cachet_cipher_block_size(cases[i].c), cases[i].block);
        CHECK_EQ_INT(cachet_cipher_is_aead(cases[i].c), cases[i].aead);
    }
}

static void wrong_key_or_iv_length_is_usage_error(void) {
    uint8_t key[32] = {0};
    uint8_t iv[16] = {0};
    cachet_error err;
    cachet_err_clear(&err);
    CHECK(cachet_cipher_new(CACHET_CIPHER_AES128_CBC, true, key, 32, iv, 16, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    cachet_err_clear(&err);
    CHECK(cachet_cipher_new(CACHET_CIPHER_AES128_CBC, true, key, 16, iv, 12, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    cachet_err_clear(&err);
    CHECK(cachet_cipher_new(CACHET_CIPHER_DES_EDE3_CBC, true, key, 24, iv, 8, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_POLICY);
    cachet_cipher_ctx *c =
        cachet_cipher_new(CACHET_CIPHER_DES_EDE3_CBC, false, key, 24, iv, 8, NULL);
    CHECK(c != NULL);
    cachet_cipher_free(c);
    cachet_cipher_free(NULL);
}

/* RFC 3394 §4.1: wrap 128 bits of key data with a 128-bit KEK. */
static void aes_wrap_matches_rfc3394(void) {
    uint8_t kek[16];
    uint8_t key[16];
    uint8_t want[24];
    unhex(kek, sizeof(kek), "000102030405060708090A0B0C0D0E0F");
    unhex(key, sizeof(key), "00112233445566778899AABBCCDDEEFF");
    unhex(want, sizeof(want), "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
    uint8_t out[24];
    size_t n = 0;
    CHECK(cachet_aes_wrap(kek, 16, key, 16, out, &n, NULL));
    CHECK_MEM(out, n, want, 24);
    uint8_t back[16];
    size_t bn = 0;
    CHECK(cachet_aes_unwrap(kek, 16, out, 24, back, &bn, NULL));
    CHECK_MEM(back, bn, key, 16);
    out[3] ^= 1;
    cachet_error err;
    cachet_err_clear(&err);
    CHECK(!cachet_aes_unwrap(kek, 16, out, 24, back, &bn, &err));
    CHECK_EQ_INT(err.status, CACHET_ERR_DECRYPT);
    cachet_err_clear(&err);
    CHECK(!cachet_aes_unwrap(kek, 16, out, 20, back, &bn, &err));
    CHECK_EQ_INT(err.status, CACHET_ERR_MALFORMED);
    cachet_err_clear(&err);
    CHECK(!cachet_aes_wrap(kek, 15, key, 16, out, &n, &err));
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
}

/* RFC 3394 §4.6: 256 bits of key data with a 256-bit KEK. */
static void aes_wrap_256_matches_rfc3394(void) {
    uint8_t kek[32];
    uint8_t key[32];
    uint8_t want[40];
    unhex(kek, sizeof(kek), "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
    unhex(key, sizeof(key), "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
    unhex(want, sizeof(want),
          "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");
    uint8_t out[40];
    size_t n = 0;
    CHECK(cachet_aes_wrap(kek, 32, key, 32, out, &n, NULL));
    CHECK_MEM(out, n, want, 40);
}

static const cachet_test_case tests[] = {
    TEST_CASE(gcm_encrypt_matches_spec_vectors),
    TEST_CASE(gcm_tag_mismatch_fails_final),
    TEST_CASE(gcm_rejects_bad_tag_lengths_and_late_aad),
    TEST_CASE(gcm_long_nonce_round_trips),
    TEST_CASE(cbc_matches_sp800_38a_and_pads),
    TEST_CASE(cbc_bad_padding_fails_final),
    TEST_CASE(cipher_properties_table),
    TEST_CASE(wrong_key_or_iv_length_is_usage_error),
    TEST_CASE(aes_wrap_matches_rfc3394),
    TEST_CASE(aes_wrap_256_matches_rfc3394),
};
TEST_MAIN(tests)
