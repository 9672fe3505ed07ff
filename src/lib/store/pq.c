#include "store/pq.h"

#include <string.h>

#ifndef CACHET_LIBPQ_SONAME
#define CACHET_LIBPQ_SONAME "libpq.so.5"
#endif

static const char *const pq_names[] = {CACHET_PQ_FUNCTIONS(CACHET_DYNLIB_NAME)};
#define PQ_COUNT (sizeof(pq_names) / sizeof(pq_names[0]))

cachet_status cachet_pq_load(const char *soname, cachet_pq_api *api, cachet_error *err) {
    const cachet_dynlib_spec spec = {.soname = soname,
                                     .where = "store",
                                     .user = "a PostgreSQL store",
                                     .library = "libpq",
                                     .package = "libpq5"};
    void *syms[PQ_COUNT];
    memset(api, 0, sizeof(*api));
    cachet_status st = cachet_dynlib_load(&spec, pq_names, PQ_COUNT, syms, err);
    if (st != CACHET_OK) {
        return st;
    }
    size_t i = 0;
#define CACHET_PQ_SET(fn) api->fn = (__typeof__(api->fn))syms[i++];
    CACHET_PQ_FUNCTIONS(CACHET_PQ_SET)
#undef CACHET_PQ_SET
    return CACHET_OK;
}

static cachet_status pq_load_default(void *api, cachet_error *err) {
    return cachet_pq_load(CACHET_LIBPQ_SONAME, api, err);
}

const cachet_pq_api *cachet_pq(cachet_error *err) {
    static cachet_dynlib_state state = CACHET_DYNLIB_STATE_INIT;
    static cachet_pq_api api;
    return cachet_dynlib_once(&state, pq_load_default, &api, err) ? &api : NULL;
}
