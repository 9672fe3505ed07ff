/* AES key wrap with padding (RFC 5649) and the Triple-DES key wrap of RFC 3217
 * §3 (unwrap only: 3DES is legacy, read and never written). */
#include <openssl/core_names.h>
#include <openssl/err.h>

#include "crypto/internal.h"

/* A wrapped key is at most a 512-bit key plus the integrity block; CMS wraps
 * content-encryption keys and nothing larger. */
#define KEYWRAP_MAX_INPUT 4096u
/* RFC 3217 §3.1: a 24-byte key, its 8-byte checksum, an 8-byte IV, in 8-byte blocks. */
#define DES3_WRAP_MIN_INPUT 24u

static const char *wrap_pad_name(size_t kek_len) {
    switch (kek_len) {
        case 16:
            return "AES-128-WRAP-PAD";
        case 24:
            return "AES-192-WRAP-PAD";
        case 32:
            return "AES-256-WRAP-PAD";
        default:
            return NULL;
    }
}

bool cachet_crypto_wrap_run(const char *where, const char *name, bool wrap, const uint8_t *kek,
                            const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                            size_t *out_len, cachet_error *err) {
    EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0;
    int n2 = 0;
    bool ok = false;
    if (ciph == NULL || ctx == NULL) {
        cachet_crypto_fail(err, CACHET_ERR_UNSUPPORTED, where, name);
        goto done;
    }
    EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    if (EVP_CipherInit_ex2(ctx, ciph, kek, NULL, wrap ? 1 : 0, NULL) != 1) {
        cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "key wrap setup failed");
        goto done;
    }
    if (EVP_CipherUpdate(ctx, out, &n1, in, (int)in_len) != 1 || n1 < 0 || (size_t)n1 > out_cap ||
        EVP_CipherFinal_ex(ctx, out + n1, &n2) != 1 || n2 != 0) {
        cachet_crypto_fail(err, wrap ? CACHET_ERR_INTERNAL : CACHET_ERR_DECRYPT, where,
                           wrap ? "key wrap failed" : "key unwrap integrity check failed");
        goto done;
    }
    *out_len = (size_t)n1;
    ok = true;
done:
    if (!ok && out != NULL) {
        cachet_cleanse(out, out_cap);
    }
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(ciph);
    ERR_clear_error();
    return ok;
}

bool cachet_aes_wrap_pad(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                         uint8_t *out, size_t *out_len, cachet_error *err) {
    static const char where[] = "aes-wrap-pad";
    const char *name = wrap_pad_name(kek_len);
    if (name == NULL || kek == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "KEK length %zu is not 16, 24 or 32",
                       kek_len);
        return false;
    }
    if (in == NULL || out == NULL || in_len == 0 || in_len > KEYWRAP_MAX_INPUT) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "key of %zu bytes (not 1..%u)", in_len,
                       KEYWRAP_MAX_INPUT);
        return false;
    }
    size_t cap = (in_len + 7) / 8 * 8 + 8;
    if (!cachet_crypto_wrap_run(where, name, true, kek, in, in_len, out, cap, out_len, err)) {
        return false;
    }
    if (*out_len != cap) {
        cachet_cleanse(out, cap);
        cachet_err_set(err, CACHET_ERR_INTERNAL, where, -1, "unexpected output length");
        return false;
    }
    return true;
}

bool cachet_aes_unwrap_pad(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                           uint8_t *out, size_t *out_len, cachet_error *err) {
    static const char where[] = "aes-unwrap-pad";
    const char *name = wrap_pad_name(kek_len);
    if (name == NULL || kek == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "KEK length %zu is not 16, 24 or 32",
                       kek_len);
        return false;
    }
    /* RFC 5649 §4.2: at least two 64-bit blocks. */
    if (in == NULL || out == NULL || in_len < 16 || in_len % 8 != 0 || in_len > KEYWRAP_MAX_INPUT) {
        cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1,
                       "wrapped key of %zu bytes is not a multiple of 8 of at least 16", in_len);
        return false;
    }
    /* The plaintext length comes from the integrity block; OpenSSL checks it and the padding. */
    return cachet_crypto_wrap_run(where, name, false, kek, in, in_len, out, in_len - 8, out_len,
                                  err);
}

bool cachet_des3_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                        uint8_t *out, size_t *out_len, cachet_error *err) {
    static const char where[] = "des3-unwrap";
    if (kek == NULL || kek_len != 24) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "KEK length %zu is not 24", kek_len);
        return false;
    }
    if (in == NULL || out == NULL || in_len < DES3_WRAP_MIN_INPUT || in_len % 8 != 0 ||
        in_len > KEYWRAP_MAX_INPUT) {
        cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1,
                       "wrapped key of %zu bytes is not a multiple of 8 of at least %u", in_len,
                       DES3_WRAP_MIN_INPUT);
        return false;
    }
    /* OpenSSL's default provider has id-smime-alg-CMS3DESwrap; it strips the
     * IV and the checksum, leaving in_len - 16 bytes. */
    if (!cachet_crypto_wrap_run(where, "DES3-WRAP", false, kek, in, in_len, out, in_len, out_len,
                                err)) {
        return false;
    }
    if (*out_len != in_len - 16) {
        cachet_cleanse(out, in_len);
        cachet_err_set(err, CACHET_ERR_DECRYPT, where, -1, "decryption failed");
        return false;
    }
    return true;
}
