#include <string.h>

#include "pki/p11_kit_api.h"

#ifndef CACHET_P11KIT_SONAME
#define CACHET_P11KIT_SONAME "libp11-kit.so.0"
#endif

static const char *const p11kit_names[] = {CACHET_P11KIT_FUNCTIONS(CACHET_DYNLIB_NAME)};
#define P11KIT_COUNT (sizeof(p11kit_names) / sizeof(p11kit_names[0]))

cachet_status cachet_p11kit_load(const char *soname, cachet_p11kit_api *api, cachet_error *err) {
    const cachet_dynlib_spec spec = {.soname = soname,
                                     .where = "pkcs11",
                                     .user = "a key on a PKCS#11 token",
                                     .library = "libp11-kit",
                                     .package = "libp11-kit0"};
    void *syms[P11KIT_COUNT];
    memset(api, 0, sizeof(*api));
    cachet_status st = cachet_dynlib_load(&spec, p11kit_names, P11KIT_COUNT, syms, err);
    if (st != CACHET_OK) {
        return st;
    }
    size_t i = 0;
#define CACHET_P11KIT_SET(fn) api->fn = (__typeof__(api->fn))syms[i++];
    CACHET_P11KIT_FUNCTIONS(CACHET_P11KIT_SET)
#undef CACHET_P11KIT_SET
    return CACHET_OK;
}

static cachet_status p11kit_load_default(void *api, cachet_error *err) {
    return cachet_p11kit_load(CACHET_P11KIT_SONAME, api, err);
}

const cachet_p11kit_api *cachet_p11kit(cachet_error *err) {
    static cachet_dynlib_state state = CACHET_DYNLIB_STATE_INIT;
    static cachet_p11kit_api api;
    return cachet_dynlib_once(&state, p11kit_load_default, &api, err) ? &api : NULL;
}
