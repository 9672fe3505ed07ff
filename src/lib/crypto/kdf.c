/* AES key wrap (RFC 3394) and the ANSI X9.63 KDF (RFC 5753 §7.2). */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>

#include "crypto/internal.h"

/* A wrapped key is at most a 512-bit key plus the integrity block; CMS wraps
 * content-encryption keys and nothing larger. */
#define WRAP_MAX_INPUT 4096u

static const char *wrap_name(size_t kek_len) {
    switch (kek_len) {
        case 16:
            return "AES-128-WRAP";
        case 24:
            return "AES-192-WRAP";
        case 32:
            return "AES-256-WRAP";
        default:
            return NULL;
    }
}

static bool aes_wrap_run(bool wrap, const uint8_t *kek, size_t kek_len, const uint8_t *in,
                         size_t in_len, uint8_t *out, size_t *out_len, cachet_error *err) {
    const char *where = wrap ? "aes-wrap" : "aes-unwrap";
    const char *name = wrap_name(kek_len);
    if (name == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "KEK length %zu is not 16, 24 or 32",
                       kek_len);
        return false;
    }
    size_t min = wrap ? 16 : 24;
    if (in_len < min || in_len % 8 != 0 || in_len > WRAP_MAX_INPUT) {
        cachet_err_set(err, wrap ? CACHET_ERR_USAGE : CACHET_ERR_MALFORMED, where, -1,
                       "input length %zu is not a multiple of 8 of at least %zu", in_len, min);
        return false;
    }
    size_t expect = wrap ? in_len + 8 : in_len - 8;
    if (!cachet_crypto_wrap_run(where, name, wrap, kek, in, in_len, out, expect, out_len, err)) {
        return false;
    }
    if (*out_len != expect) {
        cachet_cleanse(out, expect);
        cachet_err_set(err, CACHET_ERR_INTERNAL, where, -1, "unexpected output length");
        return false;
    }
    return true;
}

bool cachet_aes_wrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                     uint8_t *out, size_t *out_len, cachet_error *err) {
    return aes_wrap_run(true, kek, kek_len, in, in_len, out, out_len, err);
}

bool cachet_aes_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                       uint8_t *out, size_t *out_len, cachet_error *err) {
    return aes_wrap_run(false, kek, kek_len, in, in_len, out, out_len, err);
}

/* X9.63 output is bounded by the key-encryption key sizes CMS asks for. */
#define X963_MAX_OUT 1024u

bool cachet_x963_kdf(cachet_md md, const uint8_t *secret, size_t secret_len,
                     const uint8_t *shared_info, size_t info_len, uint8_t *out, size_t out_len,
                     cachet_error *err) {
    const char *mdname = cachet_md_ossl_name(md);
    if (mdname == NULL || md == CACHET_MD_MD5) {
        cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "x963-kdf", -1, "unsupported digest");
        return false;
    }
    if (secret == NULL || secret_len == 0 || out_len == 0 || out_len > X963_MAX_OUT) {
        cachet_err_set(err, CACHET_ERR_USAGE, "x963-kdf", -1, "bad secret or output length");
        return false;
    }
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "X963KDF", NULL);
    EVP_KDF_CTX *kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[4];
    size_t i = 0;
    params[i++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)mdname, 0);
    params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len);
    if (shared_info != NULL && info_len > 0) {
        params[i++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)shared_info, info_len);
    }
    params[i] = OSSL_PARAM_construct_end();
    bool ok = kctx != NULL && EVP_KDF_derive(kctx, out, out_len, params) == 1;
    if (!ok) {
        cachet_crypto_fail(err, CACHET_ERR_INTERNAL, "x963-kdf", "X9.63 KDF failed");
    }
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    ERR_clear_error();
    return ok;
}
