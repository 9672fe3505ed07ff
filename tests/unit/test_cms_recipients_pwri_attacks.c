/* PasswordRecipientInfo under attack (ATTACKS BL-07, RFC 3211 §2.3.2): a
 * wrong password, spoiled check bytes and bad length bytes leave one identical
 * error; the PBKDF2 iteration count and salt are bounded before the password
 * is used; absent or unknown algorithms, stream and AEAD KEK ciphers, bad
 * lengths; only the first pwri is ever tried. */
#include "test_cms_recipients_pwri_util.h"

/* The check bytes and the length byte must not be an oracle: a wrong
 * password, spoiled check bytes, a spoiled length byte and a tampered
 * encryptedKey leave exactly the same error behind. */
static void wrong_password_and_bad_check_or_length_bytes_fail_alike(void) {
    static const struct {
        const char *pass;
        int bad;
        size_t ask; /* the CEK length the content algorithm wants */
    } cases[] = {
        {"wrong password", 0, 16}, {"right password", 1, 16}, {"right password", 2, 16},
        {"right password", 3, 29}, /* length byte 29: 4 + 29 > 32 bytes */
        {"right password", 4, 16}, /* length byte 0 */
        {"right password", 5, 16}, /* length byte 255 */
    };
    cachet_error first;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t block[32], ek[32], cek[32];
        cachet_env_recipient_info info;
        cachet_error err;
        raw_pwri r;
        memset(&r, 0, sizeof(r));
        r.iter = 10;
        r.prf = CACHET_OID_HMAC_WITH_SHA256;
        format_block(cek_bytes, 16, 32, cases[i].bad, block);
        if (cases[i].bad >= 3) {
            block[0] = cases[i].bad == 3 ? 29 : cases[i].bad == 4 ? 0 : 255;
        }
        CHECK(ossl_pwri_wrap(EVP_sha256(), "right password", 10, EVP_aes_256_cbc(), iv16, block, 32,
                             ek));
        r.ek = ek;
        r.ek_len = 32;
        tr_check_uniform(
            recover_raw(&r, cases[i].pass, false, NULL, cek, cases[i].ask, &info, &err), &err);
        if (i == 0) {
            first = err;
        } else {
            CHECK(memcmp(&first, &err, sizeof(err)) == 0);
        }
    }
    /* and the same block, well formed, opens: the cases above differ only in
     * what they spoil */
    {
        uint8_t block[32], ek[32], cek[16];
        cachet_env_recipient_info info;
        cachet_error err;
        raw_pwri r;
        memset(&r, 0, sizeof(r));
        r.iter = 10;
        r.prf = CACHET_OID_HMAC_WITH_SHA256;
        format_block(cek_bytes, 16, 32, 0, block);
        CHECK(ossl_pwri_wrap(EVP_sha256(), "right password", 10, EVP_aes_256_cbc(), iv16, block, 32,
                             ek));
        r.ek = ek;
        r.ek_len = 32;
        CHECK_EQ_INT(recover_raw(&r, "right password", false, NULL, cek, 16, &info, &err),
                     CACHET_OK);
        CHECK_MEM(cek, 16, cek_bytes, 16);
        ek[31] ^= 0x80;
        tr_check_uniform(recover_raw(&r, "right password", false, NULL, cek, 16, &info, &err),
                         &err);
    }
}

/* The iteration count is bounded before the password is used (a wrong
 * password still says LIMIT; 2^40 iterations would not return in time). */
static void iteration_count_is_checked_before_any_work(void) {
    static const uint8_t nine_bytes[] = {0x01, 0, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t two_pow_40[] = {0x01, 0, 0, 0, 0, 0};
    static const uint8_t zero[] = {0x00};
    static const uint8_t negative[] = {0xff};
    static const uint8_t int_max[] = {0x7f, 0xff, 0xff, 0xff}; /* ATTACKS BL-07 */
    static const struct {
        const uint8_t *raw;
        size_t raw_len;
        uint64_t iter;
        uint64_t limit; /* 0 = default */
        cachet_status want;
    } cases[] = {
        {NULL, 0, 1001, 1000, CACHET_ERR_LIMIT},
        {NULL, 0, 1000, 1000, CACHET_ERR_DECRYPT}, /* at the limit: derived, wrong password */
        {two_pow_40, sizeof(two_pow_40), 0, 0, CACHET_ERR_LIMIT},
        {int_max, sizeof(int_max), 0, 0, CACHET_ERR_LIMIT},
        {nine_bytes, sizeof(nine_bytes), 0, 0, CACHET_ERR_LIMIT},
        {zero, sizeof(zero), 0, 0, CACHET_ERR_MALFORMED},
        {negative, sizeof(negative), 0, 0, CACHET_ERR_MALFORMED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t ek[32] = {0}, cek[16];
        cachet_cms_limits limits;
        cachet_env_recipient_info info;
        cachet_error err;
        raw_pwri r;
        cachet_cms_limits_default(&limits);
        if (cases[i].limit != 0) {
            limits.max_pbkdf2_iterations = cases[i].limit;
        }
        memset(&r, 0, sizeof(r));
        r.iter_raw = cases[i].raw;
        r.iter_raw_len = cases[i].raw_len;
        r.iter = cases[i].iter;
        r.ek = ek;
        r.ek_len = sizeof(ek);
        CHECK_EQ_INT(recover_raw(&r, "not the password", false, &limits, cek, 16, &info, &err),
                     cases[i].want);
    }
}

static void malformed_unsupported_and_unknown_versions(void) {
    uint8_t ek32[32] = {0}, ek24[24] = {0};
    static const struct {
        uint64_t version;
        bool no_kdf, salt_other;
        cachet_oid kdf, prf, kek_cipher;
        size_t iv_len, ek_len;
        uint64_t key_length;
        bool weak;
        cachet_status want;
    } cases[] = {
        {0, true, false, 0, 0, 0, 0, 32, 0, false, CACHET_ERR_UNSUPPORTED}, /* no KDF */
        {0, false, true, 0, 0, 0, 0, 32, 0, false, CACHET_ERR_UNSUPPORTED}, /* otherSource */
        {0, false, false, CACHET_OID_SHA256, 0, 0, 0, 32, 0, false, CACHET_ERR_UNSUPPORTED},
        {0, false, false, 0, CACHET_OID_SHA256, 0, 0, 32, 0, false, CACHET_ERR_UNSUPPORTED},
        {0, false, false, 0, 0, CACHET_OID_DES_CBC, 8, 32, 0, true, CACHET_ERR_UNSUPPORTED},
        {0, false, false, 0, 0, CACHET_OID_DES_EDE3_CBC, 8, 32, 0, false, CACHET_ERR_POLICY},
        /* ATTACKS BL-07: only CBC block ciphers from an allowlist wrap keys */
        {0, false, false, 0, 0, CACHET_OID_AES256_GCM, 12, 32, 0, false, CACHET_ERR_UNSUPPORTED},
        {0, false, false, 0, 0, CACHET_OID_CHACHA20_POLY1305, 12, 32, 0, false,
         CACHET_ERR_UNSUPPORTED},
        {0, false, false, 0, 0, CACHET_OID_AES256_WRAP_PAD, 16, 32, 0, false,
         CACHET_ERR_UNSUPPORTED},
        {0, false, false, 0, 0, 0, 8, 32, 0, false, CACHET_ERR_MALFORMED},    /* IV length */
        {0, false, false, 0, 0, 0, 0, 24, 0, false, CACHET_ERR_MALFORMED},    /* not n*16 */
        {0, false, false, 0, 0, 0, 0, 16, 0, false, CACHET_ERR_MALFORMED},    /* one block */
        {0, false, false, 0, 0, 0, 0, 32, 16, false, CACHET_ERR_MALFORMED},   /* keyLength */
        {0, false, false, 0, 0, 0, 0, 32, 32, false, CACHET_ERR_DECRYPT},     /* keyLength ok */
        {1, false, false, 0, 0, 0, 0, 32, 0, false, CACHET_ERR_NO_RECIPIENT}, /* not ours */
    };
    for (size_t i = 0; i <= sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t cek[16];
        cachet_env_recipient_info info;
        cachet_error err;
        raw_pwri r;
        memset(&r, 0, sizeof(r));
        if (i == sizeof(cases) / sizeof(cases[0])) {
            /* ATTACKS BL-07: a huge salt is refused before any work */
            r.salt_len = 4096;
            r.iter = 3;
            r.ek = ek32;
            r.ek_len = 32;
            CHECK_EQ_INT(recover_raw(&r, "pw", false, NULL, cek, 16, &info, &err),
                         CACHET_ERR_LIMIT);
            break;
        }
        r.version = cases[i].version;
        r.no_kdf = cases[i].no_kdf;
        r.salt_other = cases[i].salt_other;
        r.kdf = cases[i].kdf;
        r.prf = cases[i].prf;
        r.kek_cipher = cases[i].kek_cipher;
        r.iv_len = cases[i].iv_len;
        r.key_length = cases[i].key_length;
        r.iter = 3;
        r.ek = cases[i].ek_len == 24 ? ek24 : ek32;
        r.ek_len = cases[i].ek_len;
        CHECK_EQ_INT(recover_raw(&r, "pw", cases[i].weak, NULL, cek, 16, &info, &err),
                     cases[i].want);
    }
}

/* Nothing tells two pwri apart (RFC 3211 §1.2.2): only the first is tried. */
static void only_the_first_pwri_is_tried(void) {
    cachet_cms_password pw;
    cachet_cms_secrets s;
    cachet_env_recipient_info info;
    cachet_error err;
    uint8_t cek[16], *set;
    size_t len;
    tr_set t;
    tr_begin(&t);
    tr_add_pw(&t, "first", 100, cek_bytes, 16);
    tr_add_pw(&t, "second", 100, cek_bytes, 16);
    set = tr_end(&t, &len);
    s = pw_secrets(&pw, "second");
    tr_check_uniform(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err), &err);
    CHECK_EQ_INT(info.num_recipients, 2);
    s = pw_secrets(&pw, "first");
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err), CACHET_OK);
    CHECK_MEM(cek, 16, cek_bytes, 16);
    cachet_free(set);
}

static const cachet_test_case tests[] = {
    TEST_CASE(wrong_password_and_bad_check_or_length_bytes_fail_alike),
    TEST_CASE(iteration_count_is_checked_before_any_work),
    TEST_CASE(malformed_unsupported_and_unknown_versions),
    TEST_CASE(only_the_first_pwri_is_tried),
};
TEST_MAIN(tests)
