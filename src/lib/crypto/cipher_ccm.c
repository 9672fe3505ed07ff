/* AES-CCM (RFC 3610, in CMS RFC 5084): the formatting of the first block
 * carries the message length, so CCM cannot stream; the caller holds the whole
 * content and this does it in one call. */
#include <limits.h>

#include <openssl/core_names.h>
#include <openssl/err.h>

#include "crypto/internal.h"

/* RFC 5084 §3.1 CCMParameters: aes-nonce 7..13 octets, aes-ICVlen 4..16, even. */
#define CCM_MIN_NONCE 7
#define CCM_MAX_NONCE 13
#define CCM_MIN_TAG 4
#define CCM_MAX_TAG 16

static bool ccm_args_ok(cachet_cipher c, const uint8_t *key, size_t key_len, const uint8_t *nonce,
                        size_t nonce_len, const uint8_t *in, size_t len, const uint8_t *out,
                        const uint8_t *tag, size_t tag_len, const uint8_t *aad, size_t aad_len,
                        cachet_error *err) {
    static const char where[] = "aes-ccm";
    if (c != CACHET_CIPHER_AES128_CCM && c != CACHET_CIPHER_AES192_CCM &&
        c != CACHET_CIPHER_AES256_CCM) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "%s is not an AES-CCM cipher",
                       cachet_cipher_name(c));
        return false;
    }
    if (key == NULL || key_len != cachet_cipher_key_len(c)) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "%s needs a %zu-byte key, got %zu",
                       cachet_cipher_name(c), cachet_cipher_key_len(c), key_len);
        return false;
    }
    if (nonce == NULL || nonce_len < CCM_MIN_NONCE || nonce_len > CCM_MAX_NONCE) {
        cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1, "nonce of %zu bytes (not 7..13)",
                       nonce_len);
        return false;
    }
    if (tag == NULL || tag_len < CCM_MIN_TAG || tag_len > CCM_MAX_TAG || tag_len % 2 != 0) {
        cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1, "tag of %zu bytes (not an even 4..16)",
                       tag_len);
        return false;
    }
    if ((len > 0 && (in == NULL || out == NULL)) || (aad_len > 0 && aad == NULL)) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "missing input or output");
        return false;
    }
    /* L = 15 - nonce length octets carry the length (RFC 3610 §2.1). */
    size_t l_octets = 15 - nonce_len;
    if (len > INT_MAX || aad_len > INT_MAX ||
        (l_octets < sizeof(size_t) && (len >> (8 * l_octets)) != 0)) {
        cachet_err_set(err, CACHET_ERR_LIMIT, where, -1,
                       "%zu bytes do not fit the length field of a %zu-byte nonce", len, nonce_len);
        return false;
    }
    return true;
}

bool cachet_aes_ccm_aad(cachet_cipher c, bool encrypt, const uint8_t *key, size_t key_len,
                        const uint8_t *nonce, size_t nonce_len, const uint8_t *aad, size_t aad_len,
                        const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag, size_t tag_len,
                        cachet_error *err) {
    static const char where[] = "aes-ccm";
    if (!ccm_args_ok(c, key, key_len, nonce, nonce_len, in, len, out, tag, tag_len, aad, aad_len,
                     err)) {
        return false;
    }
    EVP_CIPHER *ciph = cachet_crypto_cipher_fetch(c, err);
    if (ciph == NULL) {
        return false;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int enc = encrypt ? 1 : 0;
    size_t ivl = nonce_len;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivl),
        /* Encryption names only the tag length; decryption installs the expected tag. */
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, encrypt ? NULL : tag,
                                          tag_len),
        OSSL_PARAM_construct_end(),
    };
    /* OpenSSL treats a NULL input as "finish"; an empty content still needs a pointer. */
    static const uint8_t empty[1];
    uint8_t sink[1];
    const uint8_t *src = len > 0 ? in : empty;
    uint8_t *dst = len > 0 ? out : sink;
    int outl = 0;
    bool ok = false;
    if (ctx == NULL || EVP_CipherInit_ex2(ctx, ciph, NULL, NULL, enc, NULL) != 1 ||
        EVP_CIPHER_CTX_set_params(ctx, params) != 1 ||
        EVP_CipherInit_ex2(ctx, NULL, key, nonce, enc, NULL) != 1 ||
        EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)len) != 1) {
        cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "AES-CCM setup failed");
        goto done;
    }
    if (aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len) != 1) {
        cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "AES-CCM additional data failed");
        goto done;
    }
    if (EVP_CipherUpdate(ctx, dst, &outl, src, (int)len) != 1) {
        /* For decryption this is the tag not matching. */
        cachet_crypto_fail(err, encrypt ? CACHET_ERR_INTERNAL : CACHET_ERR_DECRYPT, where,
                           encrypt ? "AES-CCM encryption failed" : "decryption failed");
        goto done;
    }
    if (encrypt) {
        int fin = 0;
        OSSL_PARAM get[] = {
            OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, tag_len),
            OSSL_PARAM_construct_end(),
        };
        if (EVP_CipherFinal_ex(ctx, sink, &fin) != 1 || EVP_CIPHER_CTX_get_params(ctx, get) != 1) {
            cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "AES-CCM tag failed");
            goto done;
        }
    }
    ok = true;
done:
    if (!ok && len > 0 && out != NULL) {
        /* Never hand back unauthenticated plaintext. */
        cachet_cleanse(out, len);
    }
    cachet_cleanse(sink, sizeof(sink));
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(ciph);
    ERR_clear_error();
    return ok;
}

bool cachet_aes_ccm(cachet_cipher c, bool encrypt, const uint8_t *key, size_t key_len,
                    const uint8_t *nonce, size_t nonce_len, const uint8_t *in, size_t len,
                    uint8_t *out, uint8_t *tag, size_t tag_len, cachet_error *err) {
    return cachet_aes_ccm_aad(c, encrypt, key, key_len, nonce, nonce_len, NULL, 0, in, len, out,
                              tag, tag_len, err);
}
