#include "base/dynlib.h"

#include <dlfcn.h>
#include <string.h>

#include "base/base.h"

/* Every field of a table is a function pointer; POSIX lets dlsym's result be
 * converted to one, and all of them share one representation, which is copied. */
typedef void (*dynlib_fn)(void);

cachet_status cachet_dynlib_load(const cachet_dynlib_spec *spec, void *table, size_t size,
                                 cachet_error *err) {
    memset(table, 0, size);
    if (size != spec->count * sizeof(dynlib_fn)) {
        return cachet_err_set(err, CACHET_ERR_INTERNAL, spec->where, -1,
                              "the table for %s does not match its %zu names", spec->library,
                              spec->count);
    }
    void *lib = dlopen(spec->soname, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *why = dlerror();
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, spec->where, -1,
                              "%s needs %s, which could not be loaded (%s): install it (Debian: "
                              "apt-get install %s)",
                              spec->user, spec->library, why != NULL ? why : spec->soname,
                              spec->package);
    }
    for (size_t i = 0; i < spec->count; i++) {
        void *sym = dlsym(lib, spec->names[i]);
        if (sym == NULL) {
            dlclose(lib);
            memset(table, 0, size);
            return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, spec->where, -1,
                                  "%s has no %s: it is not the %s cachet was built for",
                                  spec->soname, spec->names[i], spec->library);
        }
        dynlib_fn fn = (dynlib_fn)sym;
        memcpy((unsigned char *)table + i * sizeof(fn), &fn, sizeof(fn));
    }
    /* Never closed: libraries such as libpq keep process-wide state once used. */
    /* cppcheck-suppress resourceLeak ; the library stays loaded for the process's life */
    return CACHET_OK;
}

const void *cachet_dynlib_get(cachet_dynlib *lib, void *table, size_t size, cachet_error *err) {
    pthread_mutex_lock(&lib->lock);
    if (!lib->done) {
        cachet_dynlib_load(lib->spec, table, size, &lib->err);
        lib->done = true;
    }
    pthread_mutex_unlock(&lib->lock);
    if (lib->err.status != CACHET_OK) {
        if (err != NULL) {
            *err = lib->err;
        }
        return NULL;
    }
    return table;
}
