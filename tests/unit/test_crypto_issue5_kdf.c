/* Issue 5 key derivation and key wrap: HKDF (RFC 5869), PBKDF2 (RFC 6070,
 * RFC 7914 §11, and the short salts / low counts RFC 3211 peers send), AES key
 * wrap with padding (RFC 5649) and the RFC 3217 Triple-DES key unwrap. */
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "crypto/crypto.h"
#include "testlib.h"

static size_t unhex(uint8_t *out, size_t cap, const char *hex) {
    size_t n = 0;
    for (; hex[0] != '\0' && hex[1] != '\0' && n < cap; hex += 2) {
        unsigned v = 0;
        sscanf(hex, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    return n;
}

static void fill_range(uint8_t *out, size_t n, unsigned start) {
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(start + i);
    }
}

/* RFC 5869 appendix A: test cases 1-3 (SHA-256) and 4 (SHA-1). */
static void hkdf_matches_rfc5869_appendix_a(void) {
    uint8_t ikm[80], salt[80], info[80], okm[82], expect[82];
    /* case 1 */
    memset(ikm, 0x0b, 22);
    fill_range(salt, 13, 0x00);
    fill_range(info, 10, 0xf0);
    size_t n = unhex(expect, sizeof(expect),
                     "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b8"
                     "87185865");
    cachet_error err = {0};
    CHECK(cachet_hkdf(CACHET_MD_SHA256, salt, 13, ikm, 22, info, 10, okm, 42, &err));
    CHECK_MEM(okm, 42, expect, n);
    /* case 2: long inputs */
    fill_range(ikm, 80, 0x00);
    fill_range(salt, 80, 0x60);
    fill_range(info, 80, 0xb0);
    n = unhex(expect, sizeof(expect),
              "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac78272"
              "71cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f"
              "1d87");
    CHECK(cachet_hkdf(CACHET_MD_SHA256, salt, 80, ikm, 80, info, 80, okm, 82, &err));
    CHECK_MEM(okm, 82, expect, n);
    /* case 3: no salt, no info */
    memset(ikm, 0x0b, 22);
    n = unhex(expect, sizeof(expect),
              "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a"
              "96c8");
    CHECK(cachet_hkdf(CACHET_MD_SHA256, NULL, 0, ikm, 22, NULL, 0, okm, 42, &err));
    CHECK_MEM(okm, 42, expect, n);
    /* case 4: SHA-1 */
    memset(ikm, 0x0b, 11);
    fill_range(salt, 13, 0x00);
    fill_range(info, 10, 0xf0);
    n = unhex(expect, sizeof(expect),
              "085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3"
              "f896");
    CHECK(cachet_hkdf(CACHET_MD_SHA1, salt, 13, ikm, 11, info, 10, okm, 42, &err));
    CHECK_MEM(okm, 42, expect, n);
    CHECK_EQ_INT(err.status, CACHET_OK);
}

static void hkdf_refuses_bad_lengths(void) {
    uint8_t ikm[32] = {1}, out[255 * 32 + 1];
    cachet_error err = {0};
    CHECK(cachet_hkdf(CACHET_MD_SHA256, NULL, 0, ikm, 32, NULL, 0, out, 255 * 32, &err));
    CHECK(!cachet_hkdf(CACHET_MD_SHA256, NULL, 0, ikm, 32, NULL, 0, out, 255 * 32 + 1, &err));
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    CHECK(!cachet_hkdf(CACHET_MD_SHA256, NULL, 0, ikm, 0, NULL, 0, out, 32, NULL));
    CHECK(!cachet_hkdf(CACHET_MD_SHA256, NULL, 0, ikm, 32, NULL, 0, out, 0, NULL));
    cachet_error uerr = {0};
    CHECK(!cachet_hkdf(CACHET_MD_MD5, NULL, 0, ikm, 32, NULL, 0, out, 16, &uerr));
    CHECK_EQ_INT(uerr.status, CACHET_ERR_UNSUPPORTED);
}

/* RFC 6070 (PBKDF2-HMAC-SHA1, including 1 and 2 iterations, 4-byte salts and
 * embedded NULs) and RFC 7914 §11 (PBKDF2-HMAC-SHA256). */
static void pbkdf2_matches_rfc6070_and_rfc7914(void) {
    static const struct {
        cachet_md prf;
        const char *pass;
        size_t pass_len;
        const char *salt;
        size_t salt_len;
        uint64_t iter;
        const char *dk;
    } cases[] = {
        {CACHET_MD_SHA1, "password", 8, "salt", 4, 1, "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
        {CACHET_MD_SHA1, "password", 8, "salt", 4, 2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
        {CACHET_MD_SHA1, "password", 8, "salt", 4, 4096,
         "4b007901b765489abead49d926f721d065a429c1"},
        {CACHET_MD_SHA1, "passwordPASSWORDpassword", 24, "saltSALTsaltSALTsaltSALTsaltSALTsalt", 36,
         4096, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
        {CACHET_MD_SHA1, "pass\0word", 9, "sa\0lt", 5, 4096, "56fa6aa75548099dcc37d7f03425e0c3"},
        {CACHET_MD_SHA256, "passwd", 6, "salt", 4, 1,
         "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664"
         "b39d77ef317c71b845b1e30bd509112041d3a19783"},
        {CACHET_MD_SHA256, "Password", 8, "NaCl", 4, 80000,
         "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb84"
         "1b51c9b3176a272bdebba1d078478f62b397f33c8d"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t expect[64], dk[64];
        size_t n = unhex(expect, sizeof(expect), cases[i].dk);
        cachet_error err = {0};
        bool ok = cachet_pbkdf2(cases[i].prf, (const uint8_t *)cases[i].pass, cases[i].pass_len,
                                (const uint8_t *)cases[i].salt, cases[i].salt_len, cases[i].iter,
                                dk, n, &err);
        if (!ok) {
            fprintf(stderr, "case %zu: %s\n", i, err.message);
        }
        CHECK(ok);
        CHECK_MEM(dk, n, expect, n);
    }
}

/* What RFC 3211 peers send: 8-byte salts, 1000..2048 iterations, 16..24-byte
 * keys, PRFs SHA-1 to SHA-512, all agreeing with OpenSSL's PKCS5_PBKDF2_HMAC. */
static void pbkdf2_accepts_short_salts_and_low_counts_like_openssl(void) {
    static const cachet_md prfs[] = {CACHET_MD_SHA1, CACHET_MD_SHA224, CACHET_MD_SHA256,
                                     CACHET_MD_SHA384, CACHET_MD_SHA512};
    static const char *const names[] = {"SHA1", "SHA224", "SHA256", "SHA384", "SHA512"};
    static const uint64_t iters[] = {1, 1000, 2048};
    static const size_t out_lens[] = {8, 16, 24};
    const uint8_t salt[8] = {0x12, 0x34, 0x56, 0x78, 0x78, 0x56, 0x34, 0x12};
    const char *pass =
        "All n-entities must communicate with other n-entities via n-1 entiteeheehees";
    for (size_t p = 0; p < 5; p++) {
        for (size_t i = 0; i < 3; i++) {
            uint8_t ours[24], ref[24];
            size_t len = out_lens[i];
            cachet_error err = {0};
            CHECK(cachet_pbkdf2(prfs[p], (const uint8_t *)pass, strlen(pass), salt, 8, iters[i],
                                ours, len, &err));
            EVP_MD *md = EVP_MD_fetch(NULL, names[p], NULL);
            CHECK(PKCS5_PBKDF2_HMAC(pass, (int)strlen(pass), salt, 8, (int)iters[i], md, (int)len,
                                    ref) == 1);
            EVP_MD_free(md);
            CHECK_MEM(ours, len, ref, len);
        }
    }
    /* An empty password is a password. */
    uint8_t a[16], b[16];
    CHECK(cachet_pbkdf2(CACHET_MD_SHA256, NULL, 0, salt, 8, 5, a, 16, NULL));
    CHECK(PKCS5_PBKDF2_HMAC("", 0, salt, 8, 5, EVP_sha256(), 16, b) == 1);
    CHECK_MEM(a, 16, b, 16);
    cachet_error err = {0};
    CHECK(!cachet_pbkdf2(CACHET_MD_SHA256, (const uint8_t *)"x", 1, salt, 8, 0, a, 16, &err));
    CHECK_EQ_INT(err.status, CACHET_ERR_MALFORMED);
    cachet_error uerr = {0};
    CHECK(!cachet_pbkdf2(CACHET_MD_MD5, (const uint8_t *)"x", 1, salt, 8, 1, a, 16, &uerr));
    CHECK_EQ_INT(uerr.status, CACHET_ERR_UNSUPPORTED);
    CHECK(!cachet_pbkdf2(CACHET_MD_SHA256, (const uint8_t *)"x", 1, NULL, 0, 1, a, 16, NULL));
}

/* RFC 5649 §6: the two 192-bit KEK examples (20-byte and 7-byte keys). */
static void aes_wrap_pad_matches_rfc5649_section6(void) {
    static const struct {
        const char *key, *wrapped;
    } cases[] = {
        {"c37b7e6492584340bed12207808941155068f738",
         "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"},
        {"466f7250617369", "afbeb0f07dfbf5419200f2ccb50bb24f"},
    };
    uint8_t kek[24];
    unhex(kek, sizeof(kek), "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");
    for (size_t i = 0; i < 2; i++) {
        uint8_t key[32], expect[40], out[40], back[40];
        size_t key_len = unhex(key, sizeof(key), cases[i].key);
        size_t exp_len = unhex(expect, sizeof(expect), cases[i].wrapped);
        size_t n = 0;
        cachet_error err = {0};
        CHECK(cachet_aes_wrap_pad(kek, 24, key, key_len, out, &n, &err));
        CHECK_MEM(out, n, expect, exp_len);
        CHECK(cachet_aes_unwrap_pad(kek, 24, expect, exp_len, back, &n, &err));
        CHECK_MEM(back, n, key, key_len);
        /* Any flipped bit fails the integrity check, output cleansed. */
        for (size_t bit = 0; bit < exp_len * 8; bit += 13) {
            uint8_t bad[40];
            memcpy(bad, expect, exp_len);
            bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            cachet_error terr = {0};
            memset(back, 0xcc, sizeof(back));
            CHECK(!cachet_aes_unwrap_pad(kek, 24, bad, exp_len, back, &n, &terr));
            CHECK_EQ_INT(terr.status, CACHET_ERR_DECRYPT);
            CHECK(back[0] == 0 && back[exp_len - 9] == 0);
        }
    }
}

/* Every key length 1..40 round trips under each KEK size; lengths are checked. */
static void aes_wrap_pad_round_trips_and_checks_lengths(void) {
    uint8_t kek[32], key[40], out[56], back[56];
    fill_range(kek, 32, 0x21);
    fill_range(key, 40, 0x90);
    for (size_t kl = 16; kl <= 32; kl += 8) {
        for (size_t len = 1; len <= 40; len++) {
            size_t n = 0, m = 0;
            CHECK(cachet_aes_wrap_pad(kek, kl, key, len, out, &n, NULL));
            CHECK_EQ_INT(n, (len + 7) / 8 * 8 + 8);
            CHECK(cachet_aes_unwrap_pad(kek, kl, out, n, back, &m, NULL));
            CHECK_MEM(back, m, key, len);
            /* The RFC 3394 unwrap (another integrity value) never accepts it. */
            if (n >= 24) {
                CHECK(!cachet_aes_unwrap(kek, kl, out, n, back, &m, NULL));
            }
        }
    }
    size_t n = 0;
    cachet_error err = {0};
    CHECK(!cachet_aes_wrap_pad(kek, 20, key, 16, out, &n, &err));
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    CHECK(!cachet_aes_wrap_pad(kek, 16, key, 0, out, &n, NULL));
    cachet_error merr = {0};
    CHECK(!cachet_aes_unwrap_pad(kek, 16, out, 8, back, &n, &merr));
    CHECK_EQ_INT(merr.status, CACHET_ERR_MALFORMED);
    CHECK(!cachet_aes_unwrap_pad(kek, 16, out, 20, back, &n, NULL));
}

/* des3_wrap_rfc3217 wraps |cek| (24 bytes) as RFC 3217 §3.1 spells it out,
 * with OpenSSL's 3DES-CBC and SHA-1 as building blocks. */
static bool des3_wrap_rfc3217(const uint8_t kek[24], const uint8_t cek[24], const uint8_t iv[8],
                              uint8_t out[40]) {
    uint8_t wkcks[32], temp2[40], temp3[40], digest[20];
    static const uint8_t iv2[8] = {0x4a, 0xdd, 0xa2, 0x2c, 0x79, 0xe8, 0x21, 0x05};
    unsigned dlen = 0;
    if (EVP_Digest(cek, 24, digest, &dlen, EVP_sha1(), NULL) != 1) {
        return false;
    }
    memcpy(wkcks, cek, 24);
    memcpy(wkcks + 24, digest, 8);
    memcpy(temp2, iv, 8);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    bool ok = EVP_EncryptInit_ex2(ctx, EVP_des_ede3_cbc(), kek, iv, NULL) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_EncryptUpdate(ctx, temp2 + 8, &n, wkcks, 32) == 1 && n == 32;
    for (size_t i = 0; i < 40; i++) {
        temp3[i] = temp2[39 - i];
    }
    ok = ok && EVP_EncryptInit_ex2(ctx, EVP_des_ede3_cbc(), kek, iv2, NULL) == 1 &&
         EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
         EVP_EncryptUpdate(ctx, out, &n, temp3, 40) == 1 && n == 40;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* RFC 3217 CMS3DESwrap: our unwrap reads what the RFC's algorithm (built here
 * from 3DES-CBC and SHA-1) produces; a changed byte fails the checksum. */
static void des3_unwrap_reads_rfc3217_wrapping(void) {
    uint8_t kek[24], cek[24], iv[8], wrapped[40], out[40];
    fill_range(kek, 24, 0x31);
    for (size_t i = 0; i < 24; i++) {
        /* odd parity, as a 3DES key has */
        uint8_t b = (uint8_t)(0x5b * (i + 1));
        b &= 0xfe;
        b |= (uint8_t)((__builtin_popcount(b) + 1) & 1);
        cek[i] = b;
    }
    fill_range(iv, 8, 0xd0);
    CHECK(des3_wrap_rfc3217(kek, cek, iv, wrapped));
    size_t n = 0;
    cachet_error err = {0};
    CHECK(cachet_des3_unwrap(kek, 24, wrapped, 40, out, &n, &err));
    CHECK_MEM(out, n, cek, 24);
    for (size_t pos = 0; pos < 40; pos += 7) {
        uint8_t bad[40];
        memcpy(bad, wrapped, 40);
        bad[pos] ^= 0x40;
        cachet_error terr = {0};
        CHECK(!cachet_des3_unwrap(kek, 24, bad, 40, out, &n, &terr));
        CHECK_EQ_INT(terr.status, CACHET_ERR_DECRYPT);
    }
    /* And what OpenSSL's own DES3-WRAP writes. */
    EVP_CIPHER *w = EVP_CIPHER_fetch(NULL, "DES3-WRAP", NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0;
    CHECK(w != NULL && EVP_EncryptInit_ex2(ctx, w, kek, NULL, NULL) == 1 &&
          EVP_EncryptUpdate(ctx, wrapped, &l1, cek, 24) == 1 &&
          EVP_EncryptFinal_ex(ctx, wrapped + l1, &l2) == 1);
    CHECK_EQ_INT(l1 + l2, 40);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(w);
    CHECK(cachet_des3_unwrap(kek, 24, wrapped, 40, out, &n, NULL));
    CHECK_MEM(out, n, cek, 24);
    cachet_error lerr = {0};
    CHECK(!cachet_des3_unwrap(kek, 16, wrapped, 40, out, &n, &lerr));
    CHECK_EQ_INT(lerr.status, CACHET_ERR_USAGE);
    cachet_error merr = {0};
    CHECK(!cachet_des3_unwrap(kek, 24, wrapped, 36, out, &n, &merr));
    CHECK_EQ_INT(merr.status, CACHET_ERR_MALFORMED);
}

static const cachet_test_case tests[] = {
    TEST_CASE(hkdf_matches_rfc5869_appendix_a),
    TEST_CASE(hkdf_refuses_bad_lengths),
    TEST_CASE(pbkdf2_matches_rfc6070_and_rfc7914),
    TEST_CASE(pbkdf2_accepts_short_salts_and_low_counts_like_openssl),
    TEST_CASE(aes_wrap_pad_matches_rfc5649_section6),
    TEST_CASE(aes_wrap_pad_round_trips_and_checks_lengths),
    TEST_CASE(des3_unwrap_reads_rfc3217_wrapping),
};

TEST_MAIN(tests)
