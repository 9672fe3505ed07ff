/* OpenSSL 3 keeps DES, RC2, CAST5, IDEA and SEED in its "legacy" provider.
 * Loading that provider into the process-wide default library context would
 * make those ciphers reachable from every fetch anywhere in the process (and in
 * the application linking us), so it lives in a private library context, beside
 * a "default" provider of its own, and only the legacy cipher fetches of this
 * module look there. Loaded once, on first need, kept for the life of the
 * process. */
#include <pthread.h>

#include <openssl/err.h>
#include <openssl/provider.h>

#include "crypto/internal.h"

static pthread_once_t legacy_once = PTHREAD_ONCE_INIT;
/* Held for the life of the process; kept in variables so they stay reachable. */
static OSSL_LIB_CTX *legacy_libctx;
static OSSL_PROVIDER *legacy_default;
static OSSL_PROVIDER *legacy_legacy;

static void legacy_libctx_init(void) {
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
    if (ctx == NULL) {
        ERR_clear_error();
        return;
    }
    OSSL_PROVIDER *def = OSSL_PROVIDER_load(ctx, "default");
    OSSL_PROVIDER *leg = def != NULL ? OSSL_PROVIDER_load(ctx, "legacy") : NULL;
    if (leg == NULL) {
        OSSL_PROVIDER_unload(def);
        OSSL_LIB_CTX_free(ctx);
        ERR_clear_error();
        return;
    }
    legacy_default = def;
    legacy_legacy = leg;
    legacy_libctx = ctx;
    ERR_clear_error();
}

OSSL_LIB_CTX *cachet_crypto_legacy_libctx(void) {
    if (pthread_once(&legacy_once, legacy_libctx_init) != 0) {
        return NULL;
    }
    return legacy_libctx;
}
