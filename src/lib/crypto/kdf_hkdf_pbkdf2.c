/* HKDF (RFC 5869, used by RFC 8418 for X25519/X448 recipients) and PBKDF2
 * (RFC 8018 §5.2, used by password recipients, RFC 3211). */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>

#include "crypto/internal.h"

/* RFC 5869 §2.3: L <= 255 * HashLen. */
#define HKDF_MAX_BLOCKS 255u
/* OpenSSL 3.0's HKDF keeps |info| in a 1024-byte buffer; ECC-CMS-SharedInfo is far smaller. */
#define HKDF_MAX_INFO 1024u
/* Inputs longer than this are mistakes, not key material or passwords. */
#define KDF_MAX_INPUT 65536u
/* Keys derived here are key-encryption keys. */
#define PBKDF2_MAX_OUT 1024u

/* kdf_run derives |out_len| bytes with the EVP_KDF |name| and |params|. */
static bool kdf_run(const char *name, const OSSL_PARAM *params, uint8_t *out, size_t out_len,
                    const char *where, cachet_error *err) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, name, NULL);
    EVP_KDF_CTX *kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    bool ok = kctx != NULL && EVP_KDF_derive(kctx, out, out_len, params) == 1;
    if (!ok) {
        cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "key derivation failed");
        cachet_cleanse(out, out_len);
    }
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    ERR_clear_error();
    return ok;
}

bool cachet_hkdf(cachet_md md, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                 size_t ikm_len, const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len,
                 cachet_error *err) {
    static const char where[] = "hkdf";
    const char *mdname = cachet_md_ossl_name(md);
    if (mdname == NULL || md == CACHET_MD_MD5) {
        cachet_err_set(err, CACHET_ERR_UNSUPPORTED, where, -1, "unsupported digest");
        return false;
    }
    if (ikm == NULL || ikm_len == 0 || ikm_len > KDF_MAX_INPUT || out == NULL || out_len == 0 ||
        out_len > HKDF_MAX_BLOCKS * cachet_md_size(md) || (salt == NULL && salt_len > 0) ||
        salt_len > KDF_MAX_INPUT || (info == NULL && info_len > 0) || info_len > HKDF_MAX_INFO) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "bad input or output length");
        return false;
    }
    OSSL_PARAM params[5];
    size_t i = 0;
    params[i++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)mdname, 0);
    params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len);
    /* No salt: HMAC pads an empty key with zeros, which is the HashLen zeros
     * RFC 5869 §2.2 prescribes. */
    if (salt != NULL && salt_len > 0) {
        params[i++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    }
    if (info != NULL && info_len > 0) {
        params[i++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    }
    params[i] = OSSL_PARAM_construct_end();
    return kdf_run("HKDF", params, out, out_len, where, err);
}

bool cachet_pbkdf2(cachet_md prf, const uint8_t *pass, size_t pass_len, const uint8_t *salt,
                   size_t salt_len, uint64_t iterations, uint8_t *out, size_t out_len,
                   cachet_error *err) {
    static const char where[] = "pbkdf2";
    const char *mdname = cachet_md_ossl_name(prf);
    if (mdname == NULL || prf == CACHET_MD_MD5) {
        cachet_err_set(err, CACHET_ERR_UNSUPPORTED, where, -1, "unsupported PRF digest");
        return false;
    }
    if (iterations == 0) {
        cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1, "iteration count 0");
        return false;
    }
    if ((pass == NULL && pass_len > 0) || pass_len > KDF_MAX_INPUT || salt == NULL ||
        salt_len == 0 || salt_len > KDF_MAX_INPUT || out == NULL || out_len == 0 ||
        out_len > PBKDF2_MAX_OUT) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "bad input or output length");
        return false;
    }
    /* OpenSSL's "pkcs5" mode turns off its SP 800-132 floor (16-byte salt,
     * 1000 iterations, 112-bit output): RFC 3211 peers send 8-byte salts, and
     * the caller bounds the iteration count from the message itself. */
    int pkcs5 = 1;
    uint64_t iter = iterations;
    static const uint8_t empty[1] = {0};
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)mdname, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                          pass_len > 0 ? (void *)pass : (void *)empty, pass_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iter),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &pkcs5),
        OSSL_PARAM_construct_end(),
    };
    return kdf_run("PBKDF2", params, out, out_len, where, err);
}
