#include "store/pq.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "base/base.h"

#ifndef CACHET_LIBPQ_SONAME
#define CACHET_LIBPQ_SONAME "libpq.so.5"
#endif

cachet_status cachet_pq_load(const char *soname, cachet_pq_api *api, cachet_error *err) {
    memset(api, 0, sizeof(*api));
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *why = dlerror();
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "store", -1,
                              "a PostgreSQL store needs libpq, which could not be loaded (%s): "
                              "install it (Debian: apt-get install libpq5)",
                              why != NULL ? why : soname);
    }
    const char *missing = NULL;
#define CACHET_PQ_RESOLVE(name)                                                                    \
    if (missing == NULL) {                                                                         \
        api->name = (__typeof__(api->name))dlsym(lib, #name);                                      \
        missing = api->name == NULL ? #name : NULL;                                                \
    }
    CACHET_PQ_FUNCTIONS(CACHET_PQ_RESOLVE)
#undef CACHET_PQ_RESOLVE
    if (missing != NULL) {
        dlclose(lib);
        memset(api, 0, sizeof(*api));
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "store", -1,
                              "%s has no %s: it is not the libpq cachet was built for", soname,
                              missing);
    }
    /* Never closed: libpq keeps process-wide state (OpenSSL, Kerberos) once used. */
    /* cppcheck-suppress resourceLeak ; the library stays loaded for the process's life */
    return CACHET_OK;
}

static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static cachet_pq_api pq_api;
static cachet_error pq_err; /* why loading failed, kept for every later caller */

static void pq_load_once(void) {
    cachet_pq_load(CACHET_LIBPQ_SONAME, &pq_api, &pq_err);
}

const cachet_pq_api *cachet_pq(cachet_error *err) {
    pthread_once(&pq_once, pq_load_once);
    if (pq_err.status != CACHET_OK) {
        if (err != NULL) {
            *err = pq_err;
        }
        return NULL;
    }
    return &pq_api;
}
