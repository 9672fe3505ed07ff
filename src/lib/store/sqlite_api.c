#include "store/sqlite_api.h"

#include <string.h>

#ifndef CACHET_SQLITE_SONAME
#define CACHET_SQLITE_SONAME "libsqlite3.so.0"
#endif

static const char *const sqlite_names[] = {CACHET_SQLITE_FUNCTIONS(CACHET_DYNLIB_NAME)};
#define SQLITE_COUNT (sizeof(sqlite_names) / sizeof(sqlite_names[0]))

cachet_status cachet_sqlite_load(const char *soname, cachet_sqlite_api *api, cachet_error *err) {
    const cachet_dynlib_spec spec = {.soname = soname,
                                     .where = "store",
                                     .user = "a SQLite store",
                                     .library = "libsqlite3",
                                     .package = "libsqlite3-0"};
    void *syms[SQLITE_COUNT];
    memset(api, 0, sizeof(*api));
    cachet_status st = cachet_dynlib_load(&spec, sqlite_names, SQLITE_COUNT, syms, err);
    if (st != CACHET_OK) {
        return st;
    }
    size_t i = 0;
#define CACHET_SQLITE_SET(fn) api->fn = (__typeof__(api->fn))syms[i++];
    CACHET_SQLITE_FUNCTIONS(CACHET_SQLITE_SET)
#undef CACHET_SQLITE_SET
    return CACHET_OK;
}

static cachet_status sqlite_load_default(void *api, cachet_error *err) {
    return cachet_sqlite_load(CACHET_SQLITE_SONAME, api, err);
}

const cachet_sqlite_api *cachet_sqlite(cachet_error *err) {
    static cachet_dynlib_state state = CACHET_DYNLIB_STATE_INIT;
    static cachet_sqlite_api api;
    return cachet_dynlib_once(&state, sqlite_load_default, &api, err) ? &api : NULL;
}
