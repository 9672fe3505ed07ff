/* X25519 and X448 keys (RFC 7748) for RFC 8418 key agreement: ephemeral pairs,
 * raw public keys as they travel in originatorKey, and the all-zero check. */
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "crypto/internal.h"

#define X25519_RAW_LEN 32u
#define X448_RAW_LEN 56u

static const char *x_name(cachet_key_type type, size_t *raw_len) {
    switch (type) {
        case CACHET_KEY_X25519:
            *raw_len = X25519_RAW_LEN;
            return "X25519";
        case CACHET_KEY_X448:
            *raw_len = X448_RAW_LEN;
            return "X448";
        default:
            *raw_len = 0;
            return NULL;
    }
}

cachet_status cachet_pkey_generate_x(cachet_key_type type, cachet_pkey **out, cachet_error *err) {
    static const char where[] = "X25519/X448 keygen";
    size_t raw_len = 0;
    const char *name = x_name(type, &raw_len);
    if (name == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "not an X25519 or X448 key type");
    }
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, name);
    if (pkey == NULL) {
        return cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "key generation failed");
    }
    return cachet_pkey_wrap_out(pkey, where, out, err);
}

cachet_status cachet_pkey_from_raw_public(cachet_key_type type, const uint8_t *raw, size_t len,
                                          cachet_pkey **out, cachet_error *err) {
    static const char where[] = "originatorKey";
    size_t raw_len = 0;
    const char *name = x_name(type, &raw_len);
    if (name == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "not an X25519 or X448 key type");
    }
    if (raw == NULL || len != raw_len) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1,
                              "%s public key of %zu bytes (expected %zu)", name, len, raw_len);
    }
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key_ex(NULL, name, NULL, raw, len);
    if (pkey == NULL) {
        return cachet_crypto_fail(err, CACHET_ERR_MALFORMED, where, "invalid public key");
    }
    return cachet_pkey_wrap_out(pkey, where, out, err);
}

bool cachet_pkey_raw_public(const cachet_pkey *key, cachet_membuf *out) {
    size_t raw_len = 0;
    if (key == NULL || out == NULL || x_name(cachet_pkey_type(key), &raw_len) == NULL) {
        return false;
    }
    size_t len = raw_len;
    if (!cachet_membuf_reserve(out, raw_len) ||
        EVP_PKEY_get_raw_public_key(key->pkey, out->data + out->len, &len) != 1 || len != raw_len) {
        ERR_clear_error();
        return false;
    }
    out->len += len;
    return true;
}

bool cachet_crypto_all_zero(const uint8_t *p, size_t len) {
    /* Accumulated without an early exit: the secret's bytes decide nothing but the result. */
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++) {
        acc |= p[i];
    }
    return acc == 0;
}
