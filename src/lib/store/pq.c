#include "store/pq.h"

#ifndef CACHET_LIBPQ_SONAME
#define CACHET_LIBPQ_SONAME "libpq.so.5"
#endif

static const char *const names[] = {CACHET_PQ_FUNCTIONS(CACHET_DYNLIB_NAME)};

const cachet_dynlib_spec cachet_pq_spec = {.soname = CACHET_LIBPQ_SONAME,
                                           .where = "store",
                                           .user = "a PostgreSQL store",
                                           .library = "libpq",
                                           .package = "libpq5",
                                           .names = names,
                                           .count = sizeof(names) / sizeof(names[0])};

const cachet_pq_api *cachet_pq(cachet_error *err) {
    static cachet_dynlib lib = {.spec = &cachet_pq_spec, .lock = PTHREAD_MUTEX_INITIALIZER};
    static cachet_pq_api api;
    return cachet_dynlib_get(&lib, &api, sizeof(api), err);
}
