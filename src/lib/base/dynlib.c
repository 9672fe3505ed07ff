#include "base/dynlib.h"

#include <dlfcn.h>
#include <string.h>

#include "base/base.h"

cachet_status cachet_dynlib_load(const cachet_dynlib_spec *spec, const char *const *names,
                                 size_t count, void **syms, cachet_error *err) {
    memset(syms, 0, count * sizeof(*syms));
    void *lib = dlopen(spec->soname, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *why = dlerror();
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, spec->where, -1,
                              "%s needs %s, which could not be loaded (%s): install it (Debian: "
                              "apt-get install %s)",
                              spec->user, spec->library, why != NULL ? why : spec->soname,
                              spec->package);
    }
    for (size_t i = 0; i < count; i++) {
        syms[i] = dlsym(lib, names[i]);
        if (syms[i] == NULL) {
            dlclose(lib);
            memset(syms, 0, count * sizeof(*syms));
            return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, spec->where, -1,
                                  "%s has no %s: it is not the %s cachet was built for",
                                  spec->soname, names[i], spec->library);
        }
    }
    /* Never closed: libraries such as libpq keep process-wide state once used. */
    /* cppcheck-suppress resourceLeak ; the library stays loaded for the process's life */
    return CACHET_OK;
}

bool cachet_dynlib_once(cachet_dynlib_state *state,
                        cachet_status (*load)(void *api, cachet_error *err), void *api,
                        cachet_error *err) {
    pthread_mutex_lock(&state->lock);
    if (!state->done) {
        load(api, &state->err);
        state->done = true;
    }
    pthread_mutex_unlock(&state->lock);
    if (state->err.status != CACHET_OK) {
        if (err != NULL) {
            *err = state->err;
        }
        return false;
    }
    return true;
}
