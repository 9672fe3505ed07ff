/* Shared libraries opened on their first use (dlopen) rather than linked. Each
 * library linked costs every process its loading, and most cachet runs need none
 * of these: measured per start, libp11-kit (with libffi) 5-6 ms, libsqlite3 4 ms,
 * libpq (with its fifteen dependencies) about 20 ms; under valgrind ten times as
 * much. A user lists the functions it calls in an X-macro and makes each a field
 * with CACHET_DYNLIB_FIELD, typed from the library's own header, so that a call
 * through the table is checked as a direct call would be. */
#ifndef CACHET_BASE_DYNLIB_H
#define CACHET_BASE_DYNLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "cachet/status.h"

/* A declarator cannot be parenthesised. */
#define CACHET_DYNLIB_FIELD(fn) __typeof__(&fn) fn; /* NOLINT(bugprone-macro-parentheses) */
#define CACHET_DYNLIB_NAME(fn) #fn,

/* What a library is and who needs it, for the messages of a failed load. */
typedef struct cachet_dynlib_spec {
    const char *soname;  /* "libsqlite3.so.0" */
    const char *where;   /* the error's location: "store" */
    const char *user;    /* "a SQLite store" */
    const char *library; /* "libsqlite3" */
    const char *package; /* the Debian package: "libsqlite3-0" */
} cachet_dynlib_spec;

/* cachet_dynlib_load opens spec->soname and puts the address of each of the |count|
 * functions |names| into |syms|, in order. The library then stays loaded for the
 * process's life. On failure nothing stays open, |syms| is zeroed, and |err| holds
 * CACHET_ERR_UNSUPPORTED: "USER needs LIBRARY, which could not be loaded (WHY):
 * install it (Debian: apt-get install PACKAGE)", or, when a function is missing,
 * "SONAME has no FUNCTION: it is not the LIBRARY cachet was built for". */
cachet_status cachet_dynlib_load(const cachet_dynlib_spec *spec, const char *const *names,
                                 size_t count, void **syms, cachet_error *err);

/* Once per process: the first cachet_dynlib_once on |state| runs load(api, err),
 * and every call returns its outcome (the same error for every later caller).
 * Safe from several threads. */
typedef struct cachet_dynlib_state {
    pthread_mutex_t lock;
    bool done;
    cachet_error err;
} cachet_dynlib_state;
#define CACHET_DYNLIB_STATE_INIT                                                                   \
    {                                                                                              \
        PTHREAD_MUTEX_INITIALIZER, false, {                                                        \
            0                                                                                      \
        }                                                                                          \
    }
bool cachet_dynlib_once(cachet_dynlib_state *state,
                        cachet_status (*load)(void *api, cachet_error *err), void *api,
                        cachet_error *err);

#endif
