/* Helpers for the PasswordRecipientInfo tests: an RFC 3211 §2.3 key wrap and
 * unwrap written here from the RFC with OpenSSL's EVP (the independent
 * oracle), and PasswordRecipientInfos built by hand field by field. */
#ifndef CACHET_TEST_CMS_RECIPIENTS_PWRI_UTIL_H
#define CACHET_TEST_CMS_RECIPIENTS_PWRI_UTIL_H

#include "test_cms_recipients_util.h"

static const uint8_t cek_bytes[32] = {
    0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7};
static const uint8_t salt8[8] = {0x12, 0x34, 0x56, 0x78, 0x78, 0x56, 0x34, 0x12};
static const uint8_t iv16[16] = {0xba, 0xf1, 0xca, 0x79, 0x31, 0x21, 0x3c, 0x4e,
                                 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

static inline cachet_cms_secrets pw_secrets(cachet_cms_password *pw, const char *pass) {
    cachet_cms_secrets s;
    memset(&s, 0, sizeof(s));
    pw->pass = (const uint8_t *)pass;
    pw->len = strlen(pass);
    s.password = pw;
    return s;
}

/* ---- an independent RFC 3211 §2.3 wrap made with OpenSSL ---- */

/* format: length byte, check value, CEK, padding to |total| (RFC 3211 §2.3.1);
 * |bad| 1 spoils the length byte, 2 the check value. */
static inline void format_block(const uint8_t *cek, size_t cek_len, size_t total, int bad,
                                uint8_t *out) {
    memset(out, 0x5a, total);
    out[0] = (uint8_t)(bad == 1 ? cek_len + 1 : cek_len);
    for (size_t i = 0; i < 3; i++) {
        out[1 + i] = (uint8_t)~cek[i];
    }
    if (bad == 2) {
        out[2] ^= 0x01;
    }
    memcpy(out + 4, cek, cek_len);
}

static inline bool ossl_pwri_wrap(const EVP_MD *md, const char *pass, int iter, const EVP_CIPHER *c,
                                  const uint8_t *iv, const uint8_t *block, size_t len,
                                  uint8_t *out) {
    uint8_t kek[32], mid[256];
    int n1 = 0, n2 = 0, klen = EVP_CIPHER_get_key_length(c);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = PKCS5_PBKDF2_HMAC(pass, (int)strlen(pass), salt8, sizeof(salt8), iter, md, klen,
                                kek) == 1 &&
              EVP_EncryptInit_ex(ctx, c, NULL, kek, iv) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_EncryptUpdate(ctx, mid, &n1, block, (int)len) == 1 &&
              EVP_EncryptUpdate(ctx, out, &n2, mid, n1) == 1 && (size_t)n2 == len;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* RFC 3211 §2.3.2 done here with OpenSSL: the CEK our writer wrapped. */
static inline bool ossl_pwri_unwrap(const char *pass, const uint8_t *salt, size_t salt_len,
                                    int iter, const uint8_t *iv, const uint8_t *in, size_t len,
                                    uint8_t *cek, size_t *cek_len) {
    uint8_t kek[32], last[32], x[256], p[256];
    int n = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = len >= 32 && len % 16 == 0 && len <= sizeof(x) &&
              PKCS5_PBKDF2_HMAC(pass, (int)strlen(pass), salt, (int)salt_len, iter, EVP_sha256(),
                                32, kek) == 1 &&
              EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, kek, in + len - 32) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_DecryptUpdate(ctx, last, &n, in + len - 16, 16) == 1 &&
              EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, kek, last) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_DecryptUpdate(ctx, x, &n, in, (int)len) == 1 &&
              EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, kek, iv) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_DecryptUpdate(ctx, p, &n, x, (int)len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    ok = ok && p[0] + 4u <= len && (uint8_t)(p[1] ^ p[4]) == 0xff &&
         (uint8_t)(p[2] ^ p[5]) == 0xff && (uint8_t)(p[3] ^ p[6]) == 0xff;
    if (ok) {
        *cek_len = p[0];
        memcpy(cek, p + 4, p[0]);
    }
    return ok;
}

/* ---- PasswordRecipientInfos made by hand ---- */

typedef struct raw_pwri {
    uint64_t version;
    bool no_kdf;
    cachet_oid kdf; /* UNKNOWN = id-PBKDF2 */
    bool salt_other;
    size_t salt_len;         /* 0 = the 8-byte salt of RFC 3211 §3; else that many zero bytes */
    const uint8_t *iter_raw; /* INTEGER contents; NULL = |iter| */
    size_t iter_raw_len;
    uint64_t iter;
    uint64_t key_length;   /* 0 = absent */
    cachet_oid prf;        /* UNKNOWN = absent (hmacWithSHA1) */
    cachet_oid kea;        /* UNKNOWN = id-alg-PWRI-KEK */
    cachet_oid kek_cipher; /* UNKNOWN = aes256-CBC */
    size_t iv_len;         /* 0 = 16 */
    const uint8_t *ek;
    size_t ek_len;
} raw_pwri;

static inline void add_raw_pwri(cachet_cbb *set, const raw_pwri *r) {
    cachet_cbb pwri, kdf, params, prf, kea, inner, other;
    bool ok = cachet_cbb_add_asn1(set, &pwri, CACHET_ASN1_CONTEXT_CONS(3)) &&
              cachet_cbb_add_asn1_uint64(&pwri, r->version);
    if (!r->no_kdf) {
        ok = ok && cachet_cbb_add_asn1(&pwri, &kdf, CACHET_ASN1_CONTEXT_CONS(0)) &&
             cachet_cbb_add_oid(&kdf, r->kdf != CACHET_OID_UNKNOWN ? r->kdf : CACHET_OID_PBKDF2) &&
             cachet_cbb_add_asn1(&kdf, &params, CACHET_ASN1_SEQUENCE);
        if (r->salt_other) {
            ok = ok && cachet_cbb_add_asn1(&params, &other, CACHET_ASN1_SEQUENCE) &&
                 cachet_cbb_add_oid(&other, CACHET_OID_DATA) && cachet_cbb_flush(&params);
        } else if (r->salt_len != 0) {
            uint8_t *zeros = calloc(1, r->salt_len);
            ok = ok && cachet_cbb_add_asn1_octet_string(&params, zeros, r->salt_len);
            free(zeros);
        } else {
            ok = ok && cachet_cbb_add_asn1_octet_string(&params, salt8, sizeof(salt8));
        }
        if (r->iter_raw != NULL) {
            ok = ok && cachet_cbb_add_asn1_element(&params, CACHET_ASN1_INTEGER, r->iter_raw,
                                                   r->iter_raw_len);
        } else {
            ok = ok && cachet_cbb_add_asn1_uint64(&params, r->iter);
        }
        if (r->key_length != 0) {
            ok = ok && cachet_cbb_add_asn1_uint64(&params, r->key_length);
        }
        if (r->prf != CACHET_OID_UNKNOWN) {
            ok = ok && cachet_cbb_add_asn1(&params, &prf, CACHET_ASN1_SEQUENCE) &&
                 cachet_cbb_add_oid(&prf, r->prf) && cachet_cbb_add_asn1_null(&prf);
        }
        ok = ok && cachet_cbb_flush(&pwri);
    }
    ok = ok && cachet_cbb_add_asn1(&pwri, &kea, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_oid(&kea, r->kea != CACHET_OID_UNKNOWN ? r->kea : CACHET_OID_PWRI_KEK);
    if (r->kea == CACHET_OID_UNKNOWN) {
        ok = ok && cachet_cbb_add_asn1(&kea, &inner, CACHET_ASN1_SEQUENCE) &&
             cachet_cbb_add_oid(&inner, r->kek_cipher != CACHET_OID_UNKNOWN
                                            ? r->kek_cipher
                                            : CACHET_OID_AES256_CBC) &&
             cachet_cbb_add_asn1_octet_string(&inner, iv16, r->iv_len != 0 ? r->iv_len : 16);
    }
    ok = ok && cachet_cbb_flush(&pwri) &&
         cachet_cbb_add_asn1_octet_string(&pwri, r->ek, r->ek_len) && cachet_cbb_flush(set);
    CHECK(ok);
}

static inline cachet_status recover_raw(const raw_pwri *r, const char *pass, bool allow_weak,
                                        const cachet_cms_limits *limits, uint8_t *cek,
                                        size_t cek_len, cachet_env_recipient_info *info,
                                        cachet_error *err) {
    cachet_cms_password pw;
    cachet_cms_secrets s = pw_secrets(&pw, pass);
    size_t len;
    uint8_t *set;
    cachet_status st;
    tr_set t;
    tr_begin(&t);
    add_raw_pwri(&t.set, r);
    set = tr_end(&t, &len);
    st = tr_recover(set, len, &s, allow_weak, limits, cek, cek_len, info, err);
    cachet_free(set);
    return st;
}

#endif
