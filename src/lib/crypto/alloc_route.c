/* Routing OpenSSL's heap through cachet's allocation wrappers, so that the
 * allocation-failure tests reach the allocations OpenSSL makes for us too. */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/internal.h"

/* OpenSSL code that dereferences NULL when this allocation fails (upstream
 * bugs in Debian 12's 3.0): failing it would test OpenSSL, not cachet.
 * providers/implementations/kdfs/sskdf.c sskdf_new (X9.63 KDF, ECDH) stores
 * into the context it failed to allocate. */
static bool may_fail(const char *file) {
    static const char *const crashes[] = {"kdfs/sskdf.c"};
    for (size_t i = 0; file != NULL && i < sizeof(crashes) / sizeof(crashes[0]); i++) {
        size_t fl = strlen(file), cl = strlen(crashes[i]);
        if (fl >= cl && strcmp(file + fl - cl, crashes[i]) == 0) {
            return false;
        }
    }
    return true;
}

static void *route_malloc(size_t n, const char *file, int line) {
    return cachet_alloc_foreign_malloc(n, may_fail(file));
}

/* OpenSSL's own CRYPTO_realloc frees on a zero size and returns NULL; keep that. */
static void *route_realloc(void *p, size_t n, const char *file, int line) {
    if (p != NULL && n == 0) {
        cachet_alloc_foreign_free(p);
        return NULL;
    }
    return cachet_alloc_foreign_realloc(p, n);
}

static void route_free(void *p, const char *file, int line) {
    cachet_alloc_foreign_free(p);
}

bool cachet_crypto_route_allocations(void) {
    return CRYPTO_set_mem_functions(route_malloc, route_realloc, route_free) == 1;
}
