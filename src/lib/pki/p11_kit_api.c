#include "pki/p11_kit_api.h"

#ifndef CACHET_P11KIT_SONAME
#define CACHET_P11KIT_SONAME "libp11-kit.so.0"
#endif

static const char *const names[] = {CACHET_P11KIT_FUNCTIONS(CACHET_DYNLIB_NAME)};

const cachet_dynlib_spec cachet_p11kit_spec = {.soname = CACHET_P11KIT_SONAME,
                                               .where = "pkcs11",
                                               .user = "a key on a PKCS#11 token",
                                               .library = "libp11-kit",
                                               .package = "libp11-kit0",
                                               .names = names,
                                               .count = sizeof(names) / sizeof(names[0])};

const cachet_p11kit_api *cachet_p11kit(cachet_error *err) {
    static cachet_dynlib lib = {.spec = &cachet_p11kit_spec, .lock = PTHREAD_MUTEX_INITIALIZER};
    static cachet_p11kit_api api;
    return cachet_dynlib_get(&lib, &api, sizeof(api), err);
}
