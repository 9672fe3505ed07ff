/* Streaming symmetric ciphers: AES-CBC/GCM, ChaCha20-Poly1305 and the legacy
 * CBC ciphers accepted for decryption only. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>

#include <openssl/core_names.h>
#include <openssl/err.h>

#include "crypto/internal.h"

#ifdef CACHET_HAVE_MEMCHECK_H
#include <valgrind/memcheck.h>
#endif

/* Under valgrind (tests/valgrind) every byte cachet hands a cipher is checked to be defined
 * here, before OpenSSL sees it: a report from inside OpenSSL's own cipher code, which
 * tests/valgrind/cachet.supp then suppresses, cannot come from cachet's input. Outside
 * valgrind the client request costs a few instructions. */
static void handed_to_openssl(const void *p, size_t n) {
#ifdef CACHET_HAVE_MEMCHECK_H
    if (p != NULL && n > 0) {
        (void)VALGRIND_CHECK_MEM_IS_DEFINED(p, n);
    }
#else
    (void)p;
    (void)n;
#endif
}

struct cachet_cipher_ctx {
    EVP_CIPHER_CTX *ctx;
    cachet_cipher c;
    bool encrypt;
    bool updated;  /* data has been fed: AAD no longer allowed */
    bool tag_set;  /* AEAD decryption: the expected tag is installed */
    bool finished; /* final ran successfully */
};

/* Where a cipher comes from: the default library context, or the private one
 * with OpenSSL's legacy provider (cipher_legacy.c). */
enum cipher_src { SRC_DEFAULT, SRC_LEGACY_PROVIDER };

static const struct {
    const char *ossl;
    const char *name;
    size_t key_len; /* the default (and, unless key_min/key_max differ, only) length */
    size_t key_min;
    size_t key_max;
    size_t iv_len;
    size_t block;
    bool aead;
    bool legacy; /* decrypt only, behind the weak/legacy policy */
    enum cipher_src src;
} cipher_table[] = {
    [CACHET_CIPHER_NONE] = {NULL, "none", 0, 0, 0, 0, 0, false, false, SRC_DEFAULT},
    [CACHET_CIPHER_AES128_CBC] = {"AES-128-CBC", "aes-128-cbc", 16, 16, 16, 16, 16, false, false,
                                  SRC_DEFAULT},
    [CACHET_CIPHER_AES192_CBC] = {"AES-192-CBC", "aes-192-cbc", 24, 24, 24, 16, 16, false, false,
                                  SRC_DEFAULT},
    [CACHET_CIPHER_AES256_CBC] = {"AES-256-CBC", "aes-256-cbc", 32, 32, 32, 16, 16, false, false,
                                  SRC_DEFAULT},
    [CACHET_CIPHER_AES128_GCM] = {"AES-128-GCM", "aes-128-gcm", 16, 16, 16, 12, 1, true, false,
                                  SRC_DEFAULT},
    [CACHET_CIPHER_AES192_GCM] = {"AES-192-GCM", "aes-192-gcm", 24, 24, 24, 12, 1, true, false,
                                  SRC_DEFAULT},
    [CACHET_CIPHER_AES256_GCM] = {"AES-256-GCM", "aes-256-gcm", 32, 32, 32, 12, 1, true, false,
                                  SRC_DEFAULT},
    [CACHET_CIPHER_DES_EDE3_CBC] = {"DES-EDE3-CBC", "des-ede3-cbc", 24, 24, 24, 8, 8, false, true,
                                    SRC_DEFAULT},
    /* CCM: RFC 5084 recommends a 12-byte nonce; streaming is refused (cachet_aes_ccm). */
    [CACHET_CIPHER_AES128_CCM] = {"AES-128-CCM", "aes-128-ccm", 16, 16, 16, 12, 1, true, false,
                                  SRC_DEFAULT},
    [CACHET_CIPHER_AES192_CCM] = {"AES-192-CCM", "aes-192-ccm", 24, 24, 24, 12, 1, true, false,
                                  SRC_DEFAULT},
    [CACHET_CIPHER_AES256_CCM] = {"AES-256-CCM", "aes-256-ccm", 32, 32, 32, 12, 1, true, false,
                                  SRC_DEFAULT},
    [CACHET_CIPHER_CHACHA20_POLY1305] = {"ChaCha20-Poly1305", "chacha20-poly1305", 32, 32, 32, 12,
                                         1, true, false, SRC_DEFAULT},
    [CACHET_CIPHER_DES_CBC] = {"DES-CBC", "des-cbc", 8, 8, 8, 8, 8, false, true,
                               SRC_LEGACY_PROVIDER},
    /* RFC 2268 allows 1..128 key bytes; RFC 3370 §4.3.2 uses 128-bit keys. */
    [CACHET_CIPHER_RC2_CBC] = {"RC2-CBC", "rc2-cbc", 16, 1, 128, 8, 8, false, true,
                               SRC_LEGACY_PROVIDER},
    /* RFC 2144 / RFC 2984: CAST-128 keys of 40..128 bits in 8-bit steps. */
    [CACHET_CIPHER_CAST5_CBC] = {"CAST5-CBC", "cast5-cbc", 16, 5, 16, 8, 8, false, true,
                                 SRC_LEGACY_PROVIDER},
    [CACHET_CIPHER_IDEA_CBC] = {"IDEA-CBC", "idea-cbc", 16, 16, 16, 8, 8, false, true,
                                SRC_LEGACY_PROVIDER},
    [CACHET_CIPHER_SEED_CBC] = {"SEED-CBC", "seed-cbc", 16, 16, 16, 16, 16, false, true,
                                SRC_LEGACY_PROVIDER},
    [CACHET_CIPHER_CAMELLIA128_CBC] = {"CAMELLIA-128-CBC", "camellia-128-cbc", 16, 16, 16, 16, 16,
                                       false, true, SRC_DEFAULT},
    [CACHET_CIPHER_CAMELLIA192_CBC] = {"CAMELLIA-192-CBC", "camellia-192-cbc", 24, 24, 24, 16, 16,
                                       false, true, SRC_DEFAULT},
    [CACHET_CIPHER_CAMELLIA256_CBC] = {"CAMELLIA-256-CBC", "camellia-256-cbc", 32, 32, 32, 16, 16,
                                       false, true, SRC_DEFAULT},
};

/* GCM nonces longer than this are legal but never seen in CMS (RFC 5084 says 12). */
#define GCM_MAX_NONCE 64
#define GCM_MIN_TAG 12
#define AEAD_MAX_TAG 16
/* RFC 8103 §2: a 12-byte nonce and a 16-byte tag, nothing else. */
#define CHACHA_NONCE 12
#define CHACHA_TAG 16
/* RFC 2268: the effective key bits of RC2 range over 1..1024. */
#define RC2_MAX_EFFECTIVE_BITS 1024u

static bool cipher_known(cachet_cipher c) {
    return (size_t)c < sizeof(cipher_table) / sizeof(cipher_table[0]) && c != CACHET_CIPHER_NONE;
}

static bool cipher_is_ccm(cachet_cipher c) {
    return c == CACHET_CIPHER_AES128_CCM || c == CACHET_CIPHER_AES192_CCM ||
           c == CACHET_CIPHER_AES256_CCM;
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

bool cachet_cipher_is_legacy(cachet_cipher c) {
    return cipher_known(c) && cipher_table[c].legacy;
}

bool cachet_cipher_key_len_ok(cachet_cipher c, size_t len) {
    return cipher_known(c) && len >= cipher_table[c].key_min && len <= cipher_table[c].key_max;
}

const char *cachet_cipher_name(cachet_cipher c) {
    return cipher_known(c) ? cipher_table[c].name : "none";
}

/* The ciphers of the default library context are fetched once per process
 * (as the digests, digest.c): immutable, shared by threads, a reference per
 * caller. The legacy provider's stay fetched on use, so that it is loaded
 * only when a legacy message asks for it. */
static pthread_once_t cipher_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *cipher_fetched[sizeof(cipher_table) / sizeof(cipher_table[0])];

static void cipher_prefetch(void) {
    ERR_set_mark();
    for (size_t i = 1; i < sizeof(cipher_table) / sizeof(cipher_table[0]); i++) {
        if (cipher_table[i].src == SRC_DEFAULT) {
            cipher_fetched[i] = EVP_CIPHER_fetch(NULL, cipher_table[i].ossl, NULL);
        }
    }
    ERR_pop_to_mark();
}

/* cachet_crypto_cipher_fetch fetches |c| from where it lives; NULL with the
 * reason in |err| (CACHET_ERR_UNSUPPORTED naming the cipher) when this OpenSSL
 * cannot provide it. */
EVP_CIPHER *cachet_crypto_cipher_fetch(cachet_cipher c, cachet_error *err) {
    if (!cipher_known(c)) {
        cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "cipher", -1, "unknown cipher %d", (int)c);
        return NULL;
    }
    OSSL_LIB_CTX *libctx = NULL;
    if (cipher_table[c].src == SRC_LEGACY_PROVIDER) {
        libctx = cachet_crypto_legacy_libctx();
        if (libctx == NULL) {
            cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "cipher", -1,
                           "%s needs the OpenSSL legacy provider, which cannot be loaded",
                           cipher_table[c].name);
            return NULL;
        }
    }
    EVP_CIPHER *ciph = NULL;
    if (cipher_table[c].src == SRC_DEFAULT && pthread_once(&cipher_once, cipher_prefetch) == 0 &&
        cipher_fetched[c] != NULL && EVP_CIPHER_up_ref(cipher_fetched[c]) == 1) {
        ciph = cipher_fetched[c];
    } else {
        ciph = EVP_CIPHER_fetch(libctx, cipher_table[c].ossl, NULL);
    }
    if (ciph == NULL) {
        char what[96];
        snprintf(what, sizeof(what), "%s is not provided by this OpenSSL build",
                 cipher_table[c].name);
        cachet_crypto_fail(err, CACHET_ERR_UNSUPPORTED, "cipher", what);
    }
    ERR_clear_error();
    return ciph;
}

/* cipher_init installs |ciph| then the key and IV: the parameters that shape
 * the key schedule (nonce length, key length, RC2 effective bits) must be in
 * place before the key is. */
static bool cipher_init(cachet_cipher_ctx *cc, const EVP_CIPHER *ciph, const uint8_t *key,
                        size_t key_len, const uint8_t *iv, size_t iv_len, unsigned rc2_bits,
                        bool no_padding) {
    int enc = cc->encrypt ? 1 : 0;
    handed_to_openssl(key, key_len);
    handed_to_openssl(iv, iv_len);
    if (EVP_CipherInit_ex2(cc->ctx, ciph, NULL, NULL, enc, NULL) != 1) {
        return false;
    }
    if (cipher_table[cc->c].aead) {
        size_t ivl = iv_len;
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivl),
            OSSL_PARAM_construct_end(),
        };
        if (EVP_CIPHER_CTX_set_params(cc->ctx, params) != 1) {
            return false;
        }
        return EVP_CipherInit_ex2(cc->ctx, NULL, key, iv, enc, NULL) == 1;
    }
    if (cipher_table[cc->c].key_min != cipher_table[cc->c].key_max &&
        EVP_CIPHER_CTX_set_key_length(cc->ctx, (int)key_len) != 1) {
        return false;
    }
    if (cc->c == CACHET_CIPHER_RC2_CBC) {
        size_t bits = rc2_bits;
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_RC2_KEYBITS, &bits),
            OSSL_PARAM_construct_end(),
        };
        if (EVP_CIPHER_CTX_set_params(cc->ctx, params) != 1) {
            return false;
        }
    }
    if (EVP_CipherInit_ex2(cc->ctx, NULL, key, iv, enc, NULL) != 1) {
        return false;
    }
    return EVP_CIPHER_CTX_set_padding(cc->ctx, no_padding ? 0 : 1) == 1;
}

/* check_new_args checks what cachet_cipher_new_ex is given; false with |err| set. */
static bool check_new_args(cachet_cipher c, bool encrypt, const uint8_t *key, size_t key_len,
                           const uint8_t *iv, size_t iv_len, unsigned rc2_bits, cachet_error *err) {
    const char *name = cipher_table[c].name;
    if (cipher_is_ccm(c)) {
        cachet_err_set(err, CACHET_ERR_USAGE, "cipher", -1,
                       "%s needs the length first: use the one-shot cachet_aes_ccm", name);
        return false;
    }
    if (cipher_table[c].legacy && encrypt) {
        cachet_err_set(err, CACHET_ERR_POLICY, "cipher", -1, "%s is accepted for decryption only",
                       name);
        return false;
    }
    if (key == NULL || !cachet_cipher_key_len_ok(c, key_len)) {
        if (cipher_table[c].key_min == cipher_table[c].key_max) {
            cachet_err_set(err, CACHET_ERR_USAGE, "cipher", -1, "%s needs a %zu-byte key, got %zu",
                           name, cipher_table[c].key_len, key_len);
        } else {
            cachet_err_set(err, CACHET_ERR_USAGE, "cipher", -1,
                           "%s needs a key of %zu..%zu bytes, got %zu", name,
                           cipher_table[c].key_min, cipher_table[c].key_max, key_len);
        }
        return false;
    }
    bool iv_ok = iv_len == cipher_table[c].iv_len;
    if (c == CACHET_CIPHER_CHACHA20_POLY1305) {
        iv_ok = iv_len == CHACHA_NONCE;
    } else if (cipher_table[c].aead) {
        iv_ok = iv_len >= 1 && iv_len <= GCM_MAX_NONCE;
    }
    if (iv == NULL || !iv_ok) {
        cachet_err_set(err, CACHET_ERR_USAGE, "cipher", -1, "%s: bad IV/nonce length %zu", name,
                       iv_len);
        return false;
    }
    if (c == CACHET_CIPHER_RC2_CBC && (rc2_bits < 1 || rc2_bits > RC2_MAX_EFFECTIVE_BITS)) {
        cachet_err_set(err, CACHET_ERR_USAGE, "cipher", -1,
                       "rc2-cbc: effective key bits %u outside 1..%u", rc2_bits,
                       RC2_MAX_EFFECTIVE_BITS);
        return false;
    }
    return true;
}

cachet_cipher_ctx *cachet_cipher_new_ex(cachet_cipher c, bool encrypt, const uint8_t *key,
                                        size_t key_len, const uint8_t *iv, size_t iv_len,
                                        const cachet_cipher_params *params, cachet_error *err) {
    if (!cipher_known(c)) {
        cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "cipher", -1, "unknown cipher %d", (int)c);
        return NULL;
    }
    /* Effective bits only mean something for RC2; other ciphers ignore them. */
    unsigned rc2_bits = (unsigned)(key_len * 8);
    if (params != NULL && params->rc2_effective_bits != 0) {
        rc2_bits = params->rc2_effective_bits;
    }
    bool no_padding = params != NULL && params->no_padding && !cipher_table[c].aead;
    if (!check_new_args(c, encrypt, key, key_len, iv, iv_len, rc2_bits, err)) {
        return NULL;
    }
    EVP_CIPHER *ciph = cachet_crypto_cipher_fetch(c, err);
    if (ciph == NULL) {
        return NULL;
    }
    cachet_cipher_ctx *cc = cachet_calloc(1, sizeof(*cc));
    if (cc == NULL) {
        EVP_CIPHER_free(ciph);
        cachet_err_set(err, CACHET_ERR_NOMEM, "cipher", -1, "out of memory");
        return NULL;
    }
    cc->c = c;
    cc->encrypt = encrypt;
    cc->ctx = EVP_CIPHER_CTX_new();
    if (cc->ctx == NULL || !cipher_init(cc, ciph, key, key_len, iv, iv_len, rc2_bits, no_padding)) {
        cachet_crypto_fail(err, CACHET_ERR_UNSUPPORTED, "cipher", cipher_table[c].name);
        EVP_CIPHER_free(ciph);
        cachet_cipher_free(cc);
        return NULL;
    }
    EVP_CIPHER_free(ciph);
    return cc;
}

cachet_cipher_ctx *cachet_cipher_new(cachet_cipher c, bool encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *iv, size_t iv_len,
                                     cachet_error *err) {
    return cachet_cipher_new_ex(c, encrypt, key, key_len, iv, iv_len, NULL, err);
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
    handed_to_openssl(aad, len);
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
    handed_to_openssl(in, len);
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

static bool tag_len_ok(cachet_cipher c, size_t len) {
    if (c == CACHET_CIPHER_CHACHA20_POLY1305) {
        return len == CHACHA_TAG;
    }
    return len >= GCM_MIN_TAG && len <= AEAD_MAX_TAG;
}

bool cachet_cipher_set_tag(cachet_cipher_ctx *ctx, const uint8_t *tag, size_t len) {
    if (ctx == NULL || !cipher_table[ctx->c].aead || ctx->encrypt || ctx->finished || tag == NULL ||
        !tag_len_ok(ctx->c, len)) {
        return false;
    }
    handed_to_openssl(tag, len);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag, len),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_CIPHER_CTX_set_params(ctx->ctx, params) != 1) {
        ERR_clear_error();
        return false;
    }
    ctx->tag_set = true;
    return true;
}

bool cachet_cipher_final(cachet_cipher_ctx *ctx, uint8_t *out, size_t *out_len) {
    if (ctx == NULL || ctx->finished) {
        return false;
    }
    /* An AEAD decryption without an expected tag authenticates nothing. */
    if (cipher_table[ctx->c].aead && !ctx->encrypt && !ctx->tag_set) {
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
        tag == NULL || !tag_len_ok(ctx->c, len)) {
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
