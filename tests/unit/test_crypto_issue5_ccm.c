/* AES-CCM one-shot (RFC 3610 vectors, RFC 5084 parameter ranges), against
 * OpenSSL's CCM driven directly. */
#include <stdlib.h>

#include <openssl/evp.h>

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

/* RFC 3610 packet vector #1: 8 header bytes are the AAD, 13-byte nonce, M = 8. */
static void ccm_matches_rfc3610_packet_vector_1(void) {
    uint8_t key[16], nonce[13], packet[31], expect[40], out[31], tag[8];
    unhex(key, sizeof(key), "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
    unhex(nonce, sizeof(nonce), "00000003020100a0a1a2a3a4a5");
    unhex(packet, sizeof(packet), "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e");
    size_t exp_len = unhex(expect, sizeof(expect),
                           "0001020304050607588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417"
                           "e8d12cfdf926e0");
    CHECK_EQ_INT(exp_len, 39);
    cachet_error err = {0};
    CHECK(cachet_aes_ccm_aad(CACHET_CIPHER_AES128_CCM, true, key, 16, nonce, 13, packet, 8,
                             packet + 8, 23, out, tag, 8, &err));
    CHECK_MEM(out, 23, expect + 8, 23);
    CHECK_MEM(tag, 8, expect + 31, 8);
    uint8_t back[23];
    CHECK(cachet_aes_ccm_aad(CACHET_CIPHER_AES128_CCM, false, key, 16, nonce, 13, packet, 8,
                             expect + 8, 23, back, expect + 31, 8, &err));
    CHECK_MEM(back, 23, packet + 8, 23);
    /* A changed header (AAD) fails and leaves the output cleansed. */
    uint8_t hdr[8];
    memcpy(hdr, packet, 8);
    hdr[7] ^= 1;
    memset(back, 0xee, sizeof(back));
    CHECK(!cachet_aes_ccm_aad(CACHET_CIPHER_AES128_CCM, false, key, 16, nonce, 13, hdr, 8,
                              expect + 8, 23, back, expect + 31, 8, NULL));
    uint8_t zero[23] = {0};
    CHECK_MEM(back, 23, zero, 23);
}

/* ccm_openssl encrypts with OpenSSL's CCM directly (no AAD). */
static bool ccm_openssl(const char *name, const uint8_t *key, const uint8_t *nonce,
                        size_t nonce_len, const uint8_t *pt, size_t len, uint8_t *ct, uint8_t *tag,
                        size_t tag_len) {
    EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0;
    bool ok = ciph != NULL && ctx != NULL &&
              EVP_EncryptInit_ex2(ctx, ciph, NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)nonce_len, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, NULL) == 1 &&
              EVP_EncryptInit_ex2(ctx, NULL, key, nonce, NULL) == 1 &&
              EVP_EncryptUpdate(ctx, NULL, &outl, NULL, (int)len) == 1 &&
              EVP_EncryptUpdate(ctx, ct, &outl, pt, (int)len) == 1 &&
              EVP_EncryptFinal_ex(ctx, ct + outl, &outl) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)tag_len, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(ciph);
    return ok;
}

/* cachet_aes_ccm against OpenSSL for each key size and the extreme nonce and
 * tag lengths of RFC 5084; decryption round trips; a flipped bit in the
 * ciphertext or tag fails with the output cleansed. */
static void ccm_one_shot_matches_openssl_and_detects_tampering(void) {
    static const struct {
        cachet_cipher c;
        const char *ossl;
        size_t nonce_len, tag_len, len;
    } cases[] = {
        {CACHET_CIPHER_AES128_CCM, "AES-128-CCM", 12, 16, 1000},
        {CACHET_CIPHER_AES192_CCM, "AES-192-CCM", 7, 4, 333},
        {CACHET_CIPHER_AES256_CCM, "AES-256-CCM", 13, 10, 65535},
        {CACHET_CIPHER_AES256_CCM, "AES-256-CCM", 12, 16, 1},
    };
    uint8_t key[32], nonce[13];
    for (size_t i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(i * 3 + 1);
    }
    memset(nonce, 0x77, sizeof(nonce));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = cases[i].len;
        size_t kl = cachet_cipher_key_len(cases[i].c);
        uint8_t *pt = malloc(len), *ct = malloc(len), *ours = malloc(len), *back = malloc(len);
        uint8_t tag[16], our_tag[16];
        for (size_t j = 0; j < len; j++) {
            pt[j] = (uint8_t)(j * 31 + i);
        }
        CHECK(ccm_openssl(cases[i].ossl, key, nonce, cases[i].nonce_len, pt, len, ct, tag,
                          cases[i].tag_len));
        cachet_error err = {0};
        CHECK(cachet_aes_ccm(cases[i].c, true, key, kl, nonce, cases[i].nonce_len, pt, len, ours,
                             our_tag, cases[i].tag_len, &err));
        CHECK_MEM(ours, len, ct, len);
        CHECK_MEM(our_tag, cases[i].tag_len, tag, cases[i].tag_len);
        CHECK(cachet_aes_ccm(cases[i].c, false, key, kl, nonce, cases[i].nonce_len, ct, len, back,
                             tag, cases[i].tag_len, &err));
        CHECK_MEM(back, len, pt, len);
        ct[len / 2] ^= 0x04;
        memset(back, 0xab, len);
        cachet_error terr = {0};
        CHECK(!cachet_aes_ccm(cases[i].c, false, key, kl, nonce, cases[i].nonce_len, ct, len, back,
                              tag, cases[i].tag_len, &terr));
        CHECK_EQ_INT(terr.status, CACHET_ERR_DECRYPT);
        bool cleansed = true;
        for (size_t j = 0; j < len; j++) {
            cleansed = cleansed && back[j] == 0;
        }
        CHECK(cleansed);
        ct[len / 2] ^= 0x04;
        tag[0] ^= 0x01;
        CHECK(!cachet_aes_ccm(cases[i].c, false, key, kl, nonce, cases[i].nonce_len, ct, len, back,
                              tag, cases[i].tag_len, NULL));
        free(pt);
        free(ct);
        free(ours);
        free(back);
    }
}

static void ccm_refuses_bad_lengths_and_streaming(void) {
    uint8_t key[16] = {1}, nonce[14] = {2}, in[70000] = {0}, out[70000], tag[18];
    static const struct {
        size_t nonce_len, tag_len, len;
        cachet_status st;
    } bad[] = {
        {6, 16, 10, CACHET_ERR_MALFORMED},  {14, 16, 10, CACHET_ERR_MALFORMED},
        {12, 3, 10, CACHET_ERR_MALFORMED},  {12, 5, 10, CACHET_ERR_MALFORMED},
        {12, 18, 10, CACHET_ERR_MALFORMED}, {12, 2, 10, CACHET_ERR_MALFORMED},
        {13, 16, 65536, CACHET_ERR_LIMIT}, /* L = 2 holds at most 65535 */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cachet_error err = {0};
        CHECK(!cachet_aes_ccm(CACHET_CIPHER_AES128_CCM, true, key, 16, nonce, bad[i].nonce_len, in,
                              bad[i].len, out, tag, bad[i].tag_len, &err));
        CHECK_EQ_INT(err.status, bad[i].st);
    }
    cachet_error err = {0};
    CHECK(!cachet_aes_ccm(CACHET_CIPHER_AES128_GCM, true, key, 16, nonce, 12, in, 10, out, tag, 16,
                          &err));
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    CHECK(!cachet_aes_ccm(CACHET_CIPHER_AES256_CCM, true, key, 16, nonce, 12, in, 10, out, tag, 16,
                          NULL));
    cachet_error serr = {0};
    CHECK(cachet_cipher_new(CACHET_CIPHER_AES128_CCM, true, key, 16, nonce, 12, &serr) == NULL);
    CHECK_EQ_INT(serr.status, CACHET_ERR_USAGE);
    /* An empty content still carries a tag that authenticates. */
    uint8_t t[16];
    CHECK(cachet_aes_ccm(CACHET_CIPHER_AES128_CCM, true, key, 16, nonce, 12, NULL, 0, NULL, t, 16,
                         NULL));
    CHECK(cachet_aes_ccm(CACHET_CIPHER_AES128_CCM, false, key, 16, nonce, 12, NULL, 0, NULL, t, 16,
                         NULL));
    t[3] ^= 1;
    CHECK(!cachet_aes_ccm(CACHET_CIPHER_AES128_CCM, false, key, 16, nonce, 12, NULL, 0, NULL, t, 16,
                          NULL));
}

static const cachet_test_case tests[] = {
    TEST_CASE(ccm_matches_rfc3610_packet_vector_1),
    TEST_CASE(ccm_one_shot_matches_openssl_and_detects_tampering),
    TEST_CASE(ccm_refuses_bad_lengths_and_streaming),
};

TEST_MAIN(tests)
