#include "store/sqlite_api.h"

#ifndef CACHET_SQLITE_SONAME
#define CACHET_SQLITE_SONAME "libsqlite3.so.0"
#endif

static const char *const names[] = {CACHET_SQLITE_FUNCTIONS(CACHET_DYNLIB_NAME)};

const cachet_dynlib_spec cachet_sqlite_spec = {.soname = CACHET_SQLITE_SONAME,
                                               .where = "store",
                                               .user = "a SQLite store",
                                               .library = "libsqlite3",
                                               .package = "libsqlite3-0",
                                               .names = names,
                                               .count = sizeof(names) / sizeof(names[0])};

const cachet_sqlite_api *cachet_sqlite(cachet_error *err) {
    static cachet_dynlib lib = {.spec = &cachet_sqlite_spec, .lock = PTHREAD_MUTEX_INITIALIZER};
    static cachet_sqlite_api api;
    return cachet_dynlib_get(&lib, &api, sizeof(api), err);
}
