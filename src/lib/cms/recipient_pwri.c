/* PasswordRecipientInfo (RFC 3211, RFC 5652 §6.2.4): a KEK derived from a
 * password with PBKDF2 (RFC 8018 §5.2) wraps the CEK with id-alg-PWRI-KEK, the
 * double CBC encryption of RFC 3211 §2.3 (AES-CBC; des-ede3-cbc read behind
 * allow_weak). An AES key wrap OID used directly (RFC 3565 §2.5) is read too.
 * We write PBKDF2-HMAC-SHA256 with a 16-byte random salt over AES-256-CBC. */
#include <stdio.h>
#include <string.h>

#include "cms/recipient_internal.h"

#define PWRI_WHERE "EnvelopedData.recipientInfos.pwri"
#define SALT_LEN 16
#define MAX_SALT 1024
#define MAX_KEK 32
#define MAX_BLOCK 16

typedef struct pwri_algs {
    cachet_md prf;
    cachet_cbs salt;
    uint64_t iterations;
    bool iterations_too_big; /* more than 64 bits: over any limit */
    uint64_t key_length;     /* 0 = absent */
    cachet_oid kea;          /* id-alg-PWRI-KEK or an AES key wrap OID */
    cachet_oid kek_alg;      /* PWRI-KEK: the KEK cipher's OID */
    cachet_cipher cipher;    /* PWRI-KEK: the KEK cipher */
    size_t kek_len;
    cachet_cbs iv;
    cachet_cbs ek;
} pwri_algs;

bool cachet_env_pwri_version(const cachet_cbs *pwri, uint64_t *out_version) {
    cachet_cbs p = *pwri;
    return cachet_cbs_get_asn1_uint64(&p, out_version);
}

static cachet_status malformed(cachet_error *err, const char *what) {
    return cachet_err_set(err, CACHET_ERR_MALFORMED, PWRI_WHERE, -1, "%s", what);
}

static cachet_status unsupported(cachet_error *err, const char *what, cachet_oid oid) {
    return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, PWRI_WHERE, -1, "%s %s not supported", what,
                          cachet_oid_name(oid));
}

/* A non-negative INTEGER of any size: *|too_big| when it does not fit 64 bits. */
static bool get_big_uint(cachet_cbs *cbs, uint64_t *out, bool *too_big) {
    cachet_cbs v;
    bool negative;
    uint8_t b;
    *out = 0;
    *too_big = false;
    if (!cachet_cbs_get_asn1(cbs, &v, CACHET_ASN1_INTEGER) ||
        !cachet_cbs_is_valid_asn1_integer(&v, &negative) || negative) {
        return false;
    }
    if (v.len > 1 && v.data[0] == 0) {
        cachet_cbs_skip(&v, 1);
    }
    if (v.len > 8) {
        *too_big = true;
        return true;
    }
    while (cachet_cbs_get_u8(&v, &b)) {
        *out = (*out << 8) | b;
    }
    return true;
}

/* An AlgorithmIdentifier whose parameters are NULL or absent (the PRF). */
static bool get_alg_null(cachet_cbs *cbs, cachet_oid *out) {
    cachet_cbs alg;
    return cachet_cbs_get_asn1(cbs, &alg, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_oid(&alg, out, NULL) &&
           (alg.len == 0 || cachet_cbs_mem_equal(&alg, (const uint8_t *)"\x05\x00", 2));
}

static cachet_md prf_md(cachet_oid oid) {
    switch (oid) {
        case CACHET_OID_HMAC_WITH_SHA1:
            return CACHET_MD_SHA1;
        case CACHET_OID_HMAC_WITH_SHA224:
            return CACHET_MD_SHA224;
        case CACHET_OID_HMAC_WITH_SHA256:
            return CACHET_MD_SHA256;
        case CACHET_OID_HMAC_WITH_SHA384:
            return CACHET_MD_SHA384;
        case CACHET_OID_HMAC_WITH_SHA512:
            return CACHET_MD_SHA512;
        default:
            return CACHET_MD_NONE;
    }
}

/* keyDerivationAlgorithm [0] IMPLICIT AlgorithmIdentifier { id-PBKDF2,
 * PBKDF2-params { salt CHOICE { specified OCTET STRING, otherSource },
 * iterationCount INTEGER (1..MAX), keyLength INTEGER (1..MAX) OPTIONAL,
 * prf AlgorithmIdentifier DEFAULT hmacWithSHA1 } } (RFC 8018 §A.2). */
static cachet_status parse_kdf(cachet_cbs *kdf, pwri_algs *a, cachet_error *err) {
    cachet_cbs params;
    cachet_oid oid, prf = CACHET_OID_HMAC_WITH_SHA1;
    bool too_big;
    if (!cachet_cbs_get_oid(kdf, &oid, NULL)) {
        return malformed(err, "keyDerivationAlgorithm malformed");
    }
    if (oid != CACHET_OID_PBKDF2) {
        return unsupported(err, "key derivation algorithm", oid);
    }
    if (!cachet_cbs_get_asn1(kdf, &params, CACHET_ASN1_SEQUENCE) || kdf->len != 0) {
        return malformed(err, "PBKDF2-params malformed");
    }
    if (cachet_cbs_peek_asn1_tag(&params, CACHET_ASN1_SEQUENCE)) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, PWRI_WHERE, -1,
                              "PBKDF2 salt from otherSource not supported");
    }
    if (!cachet_cbs_get_asn1(&params, &a->salt, CACHET_ASN1_OCTETSTRING) ||
        !get_big_uint(&params, &a->iterations, &a->iterations_too_big)) {
        return malformed(err, "PBKDF2-params salt or iterationCount malformed");
    }
    if (a->salt.len > MAX_SALT) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, PWRI_WHERE, -1,
                              "PBKDF2 salt of %zu bytes (at most %d)", a->salt.len, MAX_SALT);
    }
    if (cachet_cbs_peek_asn1_tag(&params, CACHET_ASN1_INTEGER)) {
        if (!get_big_uint(&params, &a->key_length, &too_big) || too_big || a->key_length == 0) {
            return malformed(err, "PBKDF2-params keyLength malformed");
        }
    }
    if (params.len > 0 && (!get_alg_null(&params, &prf) || params.len != 0)) {
        return malformed(err, "PBKDF2-params prf malformed");
    }
    a->prf = prf_md(prf);
    if (a->prf == CACHET_MD_NONE) {
        return unsupported(err, "PBKDF2 PRF", prf);
    }
    return CACHET_OK;
}

/* keyEncryptionAlgorithm: id-alg-PWRI-KEK with the KEK cipher's
 * AlgorithmIdentifier as parameters (RFC 3211 §2.2), or an AES key wrap OID
 * with parameters absent (RFC 3565 §2.5). */
static cachet_status parse_kea(cachet_cbs *alg, bool allow_weak, pwri_algs *a, cachet_error *err) {
    cachet_cbs inner;
    if (!cachet_cbs_get_oid(alg, &a->kea, NULL)) {
        return malformed(err, "keyEncryptionAlgorithm malformed");
    }
    a->kek_len = cachet_env_wrap_key_len(a->kea);
    if (a->kek_len != 0) {
        if (!(alg->len == 0 || cachet_cbs_mem_equal(alg, (const uint8_t *)"\x05\x00", 2))) {
            return malformed(err, "AES key wrap parameters must be absent (RFC 3565 §2.3.2)");
        }
        return CACHET_OK;
    }
    if (a->kea != CACHET_OID_PWRI_KEK) {
        return unsupported(err, "key encryption algorithm", a->kea);
    }
    if (!cachet_cbs_get_asn1(alg, &inner, CACHET_ASN1_SEQUENCE) || alg->len != 0 ||
        !cachet_cbs_get_oid(&inner, &a->kek_alg, NULL)) {
        return malformed(err, "id-alg-PWRI-KEK parameters malformed");
    }
    switch (a->kek_alg) {
        case CACHET_OID_AES128_CBC:
            a->cipher = CACHET_CIPHER_AES128_CBC;
            break;
        case CACHET_OID_AES192_CBC:
            a->cipher = CACHET_CIPHER_AES192_CBC;
            break;
        case CACHET_OID_AES256_CBC:
            a->cipher = CACHET_CIPHER_AES256_CBC;
            break;
        case CACHET_OID_DES_EDE3_CBC:
            if (!allow_weak) {
                return cachet_err_set(err, CACHET_ERR_POLICY, PWRI_WHERE, -1,
                                      "des-ede3-cbc KEK refused (legacy; allow_weak not set)");
            }
            a->cipher = CACHET_CIPHER_DES_EDE3_CBC;
            break;
        default:
            return unsupported(err, "id-alg-PWRI-KEK cipher", a->kek_alg);
    }
    a->kek_len = cachet_cipher_key_len(a->cipher);
    if (!cachet_cbs_get_asn1(&inner, &a->iv, CACHET_ASN1_OCTETSTRING) || inner.len != 0 ||
        a->iv.len != cachet_cipher_block_size(a->cipher)) {
        return malformed(err, "id-alg-PWRI-KEK cipher IV malformed");
    }
    return CACHET_OK;
}

static cachet_status parse_pwri(const cachet_cbs *pwri, bool allow_weak, pwri_algs *a,
                                cachet_error *err) {
    cachet_cbs p = *pwri, kdf, alg;
    uint64_t version;
    bool has_kdf;
    cachet_status st;
    size_t block;
    memset(a, 0, sizeof(*a));
    if (!cachet_cbs_get_asn1_uint64(&p, &version) ||
        !cachet_cbs_get_optional_asn1(&p, &kdf, &has_kdf, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&p, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&p, &a->ek, CACHET_ASN1_OCTETSTRING) || p.len != 0) {
        return malformed(err, "PasswordRecipientInfo malformed");
    }
    if (version != 0) { /* RFC 3211 §1.2.1, RFC 5652 §6.2.4 */
        return malformed(err, "version must be 0 (RFC 5652 §6.2.4)");
    }
    if (!has_kdf) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, PWRI_WHERE, -1,
                              "no keyDerivationAlgorithm: a KEK from an external source is "
                              "not supported, only a password");
    }
    st = parse_kdf(&kdf, a, err);
    if (st == CACHET_OK) {
        st = parse_kea(&alg, allow_weak, a, err);
    }
    if (st != CACHET_OK) {
        return st;
    }
    if (a->key_length != 0 && a->key_length != a->kek_len) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, PWRI_WHERE, -1,
                              "PBKDF2 keyLength %llu does not fit the %zu-byte KEK",
                              (unsigned long long)a->key_length, a->kek_len);
    }
    /* RFC 3211 §2.3.1: whole blocks, at least two of them; RFC 3394: n >= 2 too. */
    block = a->kea == CACHET_OID_PWRI_KEK ? cachet_cipher_block_size(a->cipher) : 8;
    if (a->ek.len < 2 * block || a->ek.len % block != 0 || a->ek.len > CACHET_ENV_MAX_WRAPPED) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, PWRI_WHERE, -1,
                              "encryptedKey of %zu bytes", a->ek.len);
    }
    /* RFC 8018 iterationCount (1..MAX); bounded before any work. */
    if (!a->iterations_too_big && a->iterations == 0) {
        return malformed(err, "PBKDF2 iterationCount 0");
    }
    return CACHET_OK;
}

/* One CBC pass without padding over |len| bytes (a multiple of the block). */
static bool cbc(cachet_cipher c, bool encrypt, const uint8_t *key, size_t key_len,
                const uint8_t *iv, size_t iv_len, const uint8_t *in, size_t len, uint8_t *out) {
    cachet_cipher_params params = {0, true};
    cachet_cipher_ctx *ctx =
        cachet_cipher_new_ex(c, encrypt, key, key_len, iv, iv_len, &params, NULL);
    uint8_t tail[MAX_BLOCK];
    size_t n = 0, m = 0;
    bool ok = ctx != NULL && cachet_cipher_update(ctx, in, len, out, &n) &&
              cachet_cipher_final(ctx, tail, &m) && n == len && m == 0;
    cachet_cipher_free(ctx);
    return ok;
}

/* RFC 3211 §2.3.2: undo the outer pass (block n with block n-1 as IV, then
 * blocks 1..n with the recovered block n as IV), the inner pass with the IV
 * of the message, then check the length byte and the check value. Every
 * outcome but success looks the same to the caller. */
static bool pwri_unwrap(const pwri_algs *a, const uint8_t *kek, uint8_t *cek, size_t cek_len) {
    size_t b = cachet_cipher_block_size(a->cipher), len = a->ek.len;
    const uint8_t *y = a->ek.data;
    /* cachet_cipher_update may need a block of room past the input length */
    uint8_t last[2 * MAX_BLOCK], x[CACHET_ENV_MAX_WRAPPED + MAX_BLOCK],
        p[CACHET_ENV_MAX_WRAPPED + MAX_BLOCK];
    bool ok = b <= MAX_BLOCK && len >= 2 * b &&
              cbc(a->cipher, false, kek, a->kek_len, y + len - 2 * b, b, y + len - b, b, last) &&
              cbc(a->cipher, false, kek, a->kek_len, last, b, y, len, x) &&
              cbc(a->cipher, false, kek, a->kek_len, a->iv.data, a->iv.len, x, len, p);
    if (ok) {
        unsigned diff = (unsigned)(p[0] ^ (uint8_t)cek_len);
        diff |= (unsigned)(p[1] ^ p[4] ^ 0xff) | (unsigned)(p[2] ^ p[5] ^ 0xff) |
                (unsigned)(p[3] ^ p[6] ^ 0xff);
        ok = diff == 0 && cek_len >= 3 && cek_len <= 255 && cek_len + 4 <= len;
    }
    if (ok) {
        memcpy(cek, p + 4, cek_len);
    }
    cachet_cleanse(last, sizeof(last));
    cachet_cleanse(x, sizeof(x));
    cachet_cleanse(p, sizeof(p));
    return ok;
}

cachet_status cachet_env_pwri_recover(const cachet_cbs *pwri, const cachet_cms_password *pw,
                                      bool allow_weak, const cachet_cms_limits *limits,
                                      uint8_t *cek, size_t cek_len, cachet_env_recipient_info *info,
                                      cachet_error *err) {
    pwri_algs a;
    uint8_t kek[MAX_KEK], out[CACHET_ENV_MAX_WRAPPED];
    size_t out_len = 0;
    bool ok;
    cachet_status st;
    if (pw->pass == NULL && pw->len != 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, PWRI_WHERE, -1, "password missing");
    }
    st = parse_pwri(pwri, allow_weak, &a, err);
    if (st != CACHET_OK) {
        return st;
    }
    if (a.iterations_too_big || a.iterations > limits->max_pbkdf2_iterations) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, PWRI_WHERE, -1,
                              "PBKDF2 iterationCount above the limit of %llu",
                              (unsigned long long)limits->max_pbkdf2_iterations);
    }
    snprintf(info->key_management, sizeof(info->key_management), "pwri-pbkdf2-hmac-%s",
             cachet_md_name(a.prf));
    info->weak = a.cipher == CACHET_CIPHER_DES_EDE3_CBC;
    /* From here on the password is in use: one failure for everything. */
    ok = a.kek_len <= sizeof(kek) && cachet_pbkdf2(a.prf, pw->pass, pw->len, a.salt.data,
                                                   a.salt.len, a.iterations, kek, a.kek_len, NULL);
    if (ok && a.kea == CACHET_OID_PWRI_KEK) {
        ok = pwri_unwrap(&a, kek, cek, cek_len);
    } else if (ok) {
        ok = cachet_aes_unwrap(kek, a.kek_len, a.ek.data, a.ek.len, out, &out_len, NULL) &&
             out_len == cek_len;
        if (ok) {
            memcpy(cek, out, cek_len);
        }
    }
    cachet_cleanse(kek, sizeof(kek));
    cachet_cleanse(out, sizeof(out));
    return ok ? CACHET_OK : cachet_env_decrypt_failed(err);
}

/* RFC 3211 §2.3.1: length byte || complement of the first three CEK bytes ||
 * CEK || random padding to whole blocks, at least two; then two CBC passes,
 * the second continuing from the last ciphertext block of the first (one
 * context encrypting the block twice does exactly that). */
static bool pwri_wrap(const uint8_t *kek, const uint8_t *iv, const uint8_t *cek, size_t cek_len,
                      uint8_t *out, size_t *out_len, cachet_error *err) {
    cachet_cipher_params params = {0, true};
    uint8_t block[64], mid[64 + MAX_BLOCK];
    size_t len = (4 + cek_len + 15) / 16 * 16, n1 = 0, n2 = 0, n3 = 0;
    cachet_cipher_ctx *ctx = NULL;
    bool ok;
    if (len < 32) {
        len = 32;
    }
    block[0] = (uint8_t)cek_len;
    for (size_t i = 0; i < 3; i++) {
        block[1 + i] = (uint8_t)~cek[i];
    }
    memcpy(block + 4, cek, cek_len);
    ok = cachet_random(block + 4 + cek_len, len - 4 - cek_len, err) == CACHET_OK;
    if (ok) {
        ctx = cachet_cipher_new_ex(CACHET_CIPHER_AES256_CBC, true, kek, 32, iv, 16, &params, err);
    }
    ok = ok && ctx != NULL && cachet_cipher_update(ctx, block, len, mid, &n1) && n1 == len &&
         cachet_cipher_update(ctx, mid, len, out, &n2) && n2 == len &&
         cachet_cipher_final(ctx, out + len, &n3) && n3 == 0;
    cachet_cipher_free(ctx);
    cachet_cleanse(block, sizeof(block));
    cachet_cleanse(mid, sizeof(mid));
    *out_len = len;
    return ok;
}

/* [3] IMPLICIT PasswordRecipientInfo { version 0, keyDerivationAlgorithm [0]
 * { id-PBKDF2, { salt, iterationCount, prf hmacWithSHA256 } } (keyLength
 * omitted: the KEK cipher fixes it), keyEncryptionAlgorithm { id-alg-PWRI-KEK,
 * { aes256-CBC, IV } }, encryptedKey }. */
static bool encode_pwri(cachet_cbb *ris, const uint8_t *salt, uint32_t iterations,
                        const uint8_t *iv, const uint8_t *wrapped, size_t wrapped_len) {
    cachet_cbb pwri, kdf, params, prf, kea, kek_alg;
    return cachet_cbb_add_asn1(ris, &pwri, CACHET_ASN1_CONTEXT_CONS(3)) &&
           cachet_cbb_add_asn1_uint64(&pwri, 0) &&
           cachet_cbb_add_asn1(&pwri, &kdf, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cbb_add_oid(&kdf, CACHET_OID_PBKDF2) &&
           cachet_cbb_add_asn1(&kdf, &params, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1_octet_string(&params, salt, SALT_LEN) &&
           cachet_cbb_add_asn1_uint64(&params, iterations) &&
           cachet_cbb_add_asn1(&params, &prf, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_oid(&prf, CACHET_OID_HMAC_WITH_SHA256) &&
           cachet_cbb_add_asn1_null(&prf) && cachet_cbb_flush(&pwri) &&
           cachet_cbb_add_asn1(&pwri, &kea, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_oid(&kea, CACHET_OID_PWRI_KEK) &&
           cachet_cbb_add_asn1(&kea, &kek_alg, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_oid(&kek_alg, CACHET_OID_AES256_CBC) &&
           cachet_cbb_add_asn1_octet_string(&kek_alg, iv, 16) && cachet_cbb_flush(&pwri) &&
           cachet_cbb_add_asn1_octet_string(&pwri, wrapped, wrapped_len) && cachet_cbb_flush(ris);
}

cachet_status cachet_env_add_pwri(cachet_cbb *ris, const cachet_cms_password *pw,
                                  uint32_t iterations, const uint8_t *cek, size_t cek_len,
                                  unsigned *io_version, cachet_error *err) {
    uint8_t salt[SALT_LEN], iv[16], kek[32], wrapped[64 + MAX_BLOCK];
    size_t wrapped_len = 0;
    cachet_status st;
    if (pw->pass == NULL && pw->len != 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "passwords", -1, "password missing");
    }
    if (cek_len < 3 || cek_len > CACHET_ENV_MAX_CEK) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "passwords", -1,
                              "content key of %zu bytes cannot be password-wrapped", cek_len);
    }
    if (iterations == 0) {
        iterations = CACHET_CMS_PBKDF2_DEFAULT_ITERATIONS;
    }
    st = cachet_random(salt, sizeof(salt), err);
    if (st == CACHET_OK) {
        st = cachet_random(iv, sizeof(iv), err);
    }
    if (st == CACHET_OK && !cachet_pbkdf2(CACHET_MD_SHA256, pw->pass, pw->len, salt, sizeof(salt),
                                          iterations, kek, sizeof(kek), err)) {
        st = cachet_err_set(err, CACHET_ERR_INTERNAL, PWRI_WHERE, -1, "PBKDF2 failed");
    }
    if (st == CACHET_OK && !pwri_wrap(kek, iv, cek, cek_len, wrapped, &wrapped_len, err)) {
        st = cachet_err_set(err, CACHET_ERR_INTERNAL, PWRI_WHERE, -1, "password key wrap failed");
    }
    if (st == CACHET_OK && !encode_pwri(ris, salt, iterations, iv, wrapped, wrapped_len)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, PWRI_WHERE, -1, "encoding failed");
    }
    cachet_cleanse(kek, sizeof(kek));
    cachet_cleanse(wrapped, sizeof(wrapped));
    if (st == CACHET_OK && *io_version < 3) {
        *io_version = 3; /* RFC 5652 §6.1: a pwri makes EnvelopedData version 3 */
    }
    return st;
}
