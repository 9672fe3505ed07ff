#include <pthread.h>

#include <openssl/err.h>

#include "crypto/internal.h"

struct cachet_md_ctx {
    EVP_MD_CTX *ctx;
    cachet_md md;
};

static const struct {
    const char *ossl;
    const char *name;
    size_t size;
} md_table[] = {
    [CACHET_MD_NONE] = {NULL, "none", 0},
    [CACHET_MD_MD5] = {"MD5", "md5", 16},
    [CACHET_MD_SHA1] = {"SHA1", "sha1", 20},
    [CACHET_MD_SHA224] = {"SHA224", "sha224", 28},
    [CACHET_MD_SHA256] = {"SHA256", "sha256", 32},
    [CACHET_MD_SHA384] = {"SHA384", "sha384", 48},
    [CACHET_MD_SHA512] = {"SHA512", "sha512", 64},
    [CACHET_MD_SHAKE256_512] = {"SHAKE256", "shake256", 64},
};

/* An XOF has no fixed output: its length is chosen at the end (RFC 8419 §2.3). */
static bool md_is_xof(cachet_md md) {
    return md == CACHET_MD_SHAKE256_512;
}

static bool md_known(cachet_md md) {
    return (size_t)md < sizeof(md_table) / sizeof(md_table[0]) && md != CACHET_MD_NONE;
}

size_t cachet_md_size(cachet_md md) {
    return md_known(md) ? md_table[md].size : 0;
}

const char *cachet_md_name(cachet_md md) {
    return md_known(md) ? md_table[md].name : "none";
}

const char *cachet_md_ossl_name(cachet_md md) {
    return md_known(md) ? md_table[md].ossl : NULL;
}

/* Every digest is fetched once per process: a fetch searches OpenSSL's method
 * store under its locks, which costs more than hashing a small message. The
 * EVP_MDs are immutable and shared by threads; each caller still gets (and
 * frees) a reference of its own. One that cannot be fetched here is fetched
 * again on use, so the failure is reported where it happens.
 * Not global mutable state (DESIGN.md): these tables, the ciphers of cipher.c
 * and the EC templates of pkey.c are written only inside their pthread_once
 * initialiser and never changed or freed afterwards, so every thread sees the
 * same constant objects (whose reference counts OpenSSL keeps atomically). */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_fetched[sizeof(md_table) / sizeof(md_table[0])];

static void md_prefetch(void) {
    ERR_set_mark();
    for (size_t i = 1; i < sizeof(md_table) / sizeof(md_table[0]); i++) {
        md_fetched[i] = EVP_MD_fetch(NULL, md_table[i].ossl, NULL);
    }
    ERR_pop_to_mark();
}

EVP_MD *cachet_md_fetch(cachet_md md) {
    if (!md_known(md)) {
        return NULL;
    }
    if (pthread_once(&md_once, md_prefetch) == 0 && md_fetched[md] != NULL &&
        EVP_MD_up_ref(md_fetched[md]) == 1) {
        return md_fetched[md];
    }
    return EVP_MD_fetch(NULL, md_table[md].ossl, NULL);
}

cachet_md_ctx *cachet_md_new(cachet_md md, cachet_error *err) {
    if (!md_known(md)) {
        cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "digest", -1, "unknown digest %d", (int)md);
        return NULL;
    }
    unsigned long failures = cachet_alloc_failures();
    cachet_md_ctx *c = cachet_calloc(1, sizeof(*c));
    EVP_MD *m = cachet_md_fetch(md);
    if (c == NULL) {
        EVP_MD_free(m);
        cachet_err_set(err, CACHET_ERR_NOMEM, "digest", -1, "out of memory");
        return NULL;
    }
    c->md = md;
    c->ctx = EVP_MD_CTX_new();
    if (m == NULL || c->ctx == NULL || EVP_DigestInit_ex2(c->ctx, m, NULL) != 1) {
        /* a known digest that cannot be set up for lack of memory is no
         * unsupported one (OpenSSL does not always say why a fetch failed) */
        bool nomem = c->ctx == NULL || cachet_alloc_failures() != failures;
        cachet_crypto_fail(err, nomem ? CACHET_ERR_NOMEM : CACHET_ERR_UNSUPPORTED, "digest",
                           md_table[md].name);
        EVP_MD_free(m);
        cachet_md_free(c);
        return NULL;
    }
    EVP_MD_free(m);
    return c;
}

bool cachet_md_update(cachet_md_ctx *ctx, const void *data, size_t len) {
    if (ctx == NULL) {
        return false;
    }
    if (len == 0) {
        return true;
    }
    if (EVP_DigestUpdate(ctx->ctx, data, len) != 1) {
        ERR_clear_error();
        return false;
    }
    return true;
}

bool cachet_md_final(cachet_md_ctx *ctx, uint8_t *out) {
    unsigned n = 0;
    if (ctx == NULL) {
        return false;
    }
    if (md_is_xof(ctx->md)) {
        if (EVP_DigestFinalXOF(ctx->ctx, out, md_table[ctx->md].size) != 1) {
            ERR_clear_error();
            return false;
        }
        return true;
    }
    if (EVP_DigestFinal_ex(ctx->ctx, out, &n) != 1 || n != md_table[ctx->md].size) {
        ERR_clear_error();
        return false;
    }
    return true;
}

void cachet_md_free(cachet_md_ctx *ctx) {
    if (ctx == NULL) {
        return;
    }
    EVP_MD_CTX_free(ctx->ctx);
    cachet_free(ctx);
}

bool cachet_md_oneshot(cachet_md md, const void *data, size_t len, uint8_t *out) {
    cachet_md_ctx *c = cachet_md_new(md, NULL);
    bool ok = c != NULL && cachet_md_update(c, data, len) && cachet_md_final(c, out);
    cachet_md_free(c);
    ERR_clear_error();
    return ok;
}
