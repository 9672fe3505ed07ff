#include <limits.h>

#include <openssl/core_names.h>
#include <openssl/err.h>

#include "crypto/internal.h"

struct cachet_cipher_ctx {
    EVP_CIPHER_CTX *ctx;
    cachet_cipher c;
    bool encrypt;
    bool updated;  /* data has been fed: AAD no longer allowed */
    bool finished; /* final ran successfully */
};

static const struct {
    const char *ossl;
    const char *name;
    size_t key_len;
    size_t iv_len;
    size_t block;
    bool aead;
} cipher_table[] = {
    [CACHET_CIPHER_NONE] = {NULL, "none", 0, 0, 0, false},
    [CACHET_CIPHER_AES128_CBC] = {"AES-128-CBC", "aes-128-cbc", 16, 16, 16, false},
    [CACHET_CIPHER_AES192_CBC] = {"AES-192-CBC", "aes-192-cbc", 24, 16, 16, false},
    [CACHET_CIPHER_AES256_CBC] = {"AES-256-CBC", "aes-256-cbc", 32, 16, 16, false},
    [CACHET_CIPHER_AES128_GCM] = {"AES-128-GCM", "aes-128-gcm", 16, 12, 1, true},
    [CACHET_CIPHER_AES192_GCM] = {"AES-192-GCM", "aes-192-gcm", 24, 12, 1, true},
    [CACHET_CIPHER_AES256_GCM] = {"AES-256-GCM", "aes-256-gcm", 32, 12, 1, true},
    [CACHET_CIPHER_DES_EDE3_CBC] = {"DES-EDE3-CBC", "des-ede3-cbc", 24, 8, 8, false},
};

/* GCM nonces longer than this are legal but never seen in CMS (RFC 5084 says 12). */
#define GCM_MAX_NONCE 64
#define GCM_MIN_TAG 12
#define GCM_MAX_TAG 16

static bool cipher_known(cachet_cipher c) {
    return (size_t)c < sizeof(cipher_table) / sizeof(cipher_table[0]) && c != CACHET_CIPHER_NONE;
}

size_t cachet_cipher_key_len(cachet_cipher c) {
    return cipher_known(c) ? cipher_table[c].key_len : 0;
}

size_t cachet_cipher_iv_len(cachet_cipher c) {
    return cipher_known(c) ? cipher_table[c].iv_len : 0;
}

size_t cachet_cipher_block_size(cachet_cipher c) {
    return cipher_known(c) ? cipher_table[c].block : 0;
}

bool cachet_cipher_is_aead(cachet_cipher c) {
    return cipher_known(c) && cipher_table[c].aead;
}

const char *cachet_cipher_name(cachet_cipher c) {
    return cipher_known(c) ? cipher_table[c].name : "none";
}

static bool cipher_init(cachet_cipher_ctx *cc, const EVP_CIPHER *ciph, const uint8_t *key,
                        const uint8_t *iv, size_t iv_len) {
    int enc = cc->encrypt ? 1 : 0;
    if (cipher_table[cc->c].aead) {
        /* The nonce length must be known before the IV is installed. */
        size_t ivl = iv_len;
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivl),
            OSSL_PARAM_construct_end(),
        };
        if (EVP_CipherInit_ex2(cc->ctx, ciph, NULL, NULL, enc, params) != 1) {
            return false;
        }
        return EVP_CipherInit_ex2(cc->ctx, NULL, key, iv, enc, NULL) == 1;
    }
    if (EVP_CipherInit_ex2(cc->ctx, ciph, key, iv, enc, NULL) != 1) {
        return false;
    }
    return EVP_CIPHER_CTX_set_padding(cc->ctx, 1) == 1;
}

cachet_cipher_ctx *cachet_cipher_new(cachet_cipher c, bool encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *iv, size_t iv_len,
                                     cachet_error *err) {
    if (!cipher_known(c)) {
        cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "cipher", -1, "unknown cipher %d", (int)c);
        return NULL;
    }
    const char *name = cipher_table[c].name;
    if (c == CACHET_CIPHER_DES_EDE3_CBC && encrypt) {
        cachet_err_set(err, CACHET_ERR_POLICY, "cipher", -1, "%s is accepted for decryption only",
                       name);
        return NULL;
    }
    if (key == NULL || key_len != cipher_table[c].key_len) {
        cachet_err_set(err, CACHET_ERR_USAGE, "cipher", -1, "%s needs a %zu-byte key, got %zu",
                       name, cipher_table[c].key_len, key_len);
        return NULL;
    }
    bool iv_ok = cipher_table[c].aead ? (iv_len >= 1 && iv_len <= GCM_MAX_NONCE)
                                      : iv_len == cipher_table[c].iv_len;
    if (iv == NULL || !iv_ok) {
        cachet_err_set(err, CACHET_ERR_USAGE, "cipher", -1, "%s: bad IV/nonce length %zu", name,
                       iv_len);
        return NULL;
    }
    cachet_cipher_ctx *cc = cachet_calloc(1, sizeof(*cc));
    if (cc == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "cipher", -1, "out of memory");
        return NULL;
    }
    cc->c = c;
    cc->encrypt = encrypt;
    cc->ctx = EVP_CIPHER_CTX_new();
    EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, cipher_table[c].ossl, NULL);
    if (cc->ctx == NULL || ciph == NULL || !cipher_init(cc, ciph, key, iv, iv_len)) {
        cachet_crypto_fail(err, CACHET_ERR_UNSUPPORTED, "cipher", name);
        EVP_CIPHER_free(ciph);
        cachet_cipher_free(cc);
        return NULL;
    }
    EVP_CIPHER_free(ciph);
    return cc;
}

bool cachet_cipher_aad(cachet_cipher_ctx *ctx, const uint8_t *aad, size_t len) {
    if (ctx == NULL || !cipher_table[ctx->c].aead || ctx->updated || ctx->finished ||
        len > INT_MAX) {
        return false;
    }
    if (len == 0) {
        return true;
    }
    int outl = 0;
    if (EVP_CipherUpdate(ctx->ctx, NULL, &outl, aad, (int)len) != 1) {
        ERR_clear_error();
        return false;
    }
    return true;
}

bool cachet_cipher_update(cachet_cipher_ctx *ctx, const uint8_t *in, size_t len, uint8_t *out,
                          size_t *out_len) {
    if (ctx == NULL || ctx->finished) {
        return false;
    }
    ctx->updated = true;
    size_t total = 0;
    /* EVP takes int lengths: feed huge inputs in slices. */
    while (len > 0) {
        int n = len > (INT_MAX / 2) ? (INT_MAX / 2) : (int)len;
        int outl = 0;
        if (EVP_CipherUpdate(ctx->ctx, out + total, &outl, in, n) != 1) {
            ERR_clear_error();
            return false;
        }
        total += (size_t)outl;
        in += n;
        len -= (size_t)n;
    }
    *out_len = total;
    return true;
}

bool cachet_cipher_set_tag(cachet_cipher_ctx *ctx, const uint8_t *tag, size_t len) {
    if (ctx == NULL || !cipher_table[ctx->c].aead || ctx->encrypt || ctx->finished ||
        len < GCM_MIN_TAG || len > GCM_MAX_TAG) {
        return false;
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag, len),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_CIPHER_CTX_set_params(ctx->ctx, params) != 1) {
        ERR_clear_error();
        return false;
    }
    return true;
}

bool cachet_cipher_final(cachet_cipher_ctx *ctx, uint8_t *out, size_t *out_len) {
    if (ctx == NULL || ctx->finished) {
        return false;
    }
    int outl = 0;
    if (EVP_CipherFinal_ex(ctx->ctx, out, &outl) != 1) {
        ERR_clear_error();
        return false;
    }
    ctx->finished = true;
    *out_len = (size_t)outl;
    return true;
}

bool cachet_cipher_get_tag(cachet_cipher_ctx *ctx, uint8_t *tag, size_t len) {
    if (ctx == NULL || !cipher_table[ctx->c].aead || !ctx->encrypt || !ctx->finished ||
        len < GCM_MIN_TAG || len > GCM_MAX_TAG) {
        return false;
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, len),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_CIPHER_CTX_get_params(ctx->ctx, params) != 1) {
        ERR_clear_error();
        return false;
    }
    return true;
}

void cachet_cipher_free(cachet_cipher_ctx *ctx) {
    if (ctx == NULL) {
        return;
    }
    EVP_CIPHER_CTX_free(ctx->ctx); /* cleanses the key schedule */
    cachet_free(ctx);
}
