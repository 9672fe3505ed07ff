/* Shared libraries opened on their first use (dlopen) rather than linked. Each
 * library linked costs every process its loading, and most cachet runs need none
 * of these: measured per start, libp11-kit (with libffi) 5-6 ms, libsqlite3 4 ms,
 * libpq (with its fifteen dependencies) about 20 ms; under valgrind ten times as
 * much. A user lists the functions it calls in an X-macro, makes each a field of
 * its table with CACHET_DYNLIB_FIELD, typed from the library's own header (so that
 * a call through the table is checked as a direct call would be), and names them
 * in its cachet_dynlib_spec with CACHET_DYNLIB_NAME. */
#ifndef CACHET_BASE_DYNLIB_H
#define CACHET_BASE_DYNLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "cachet/status.h"

/* A declarator cannot be parenthesised. */
#define CACHET_DYNLIB_FIELD(fn) __typeof__(&fn) fn; /* NOLINT(bugprone-macro-parentheses) */
#define CACHET_DYNLIB_NAME(fn) #fn,

/* A library: what it is and who needs it (for the messages of a failed load), and
 * the functions to take from it, in the order of the fields of its table. */
typedef struct cachet_dynlib_spec {
    const char *soname;       /* "libsqlite3.so.0" */
    const char *where;        /* the error's location: "store" */
    const char *user;         /* "a SQLite store" */
    const char *library;      /* "libsqlite3" */
    const char *package;      /* the Debian package: "libsqlite3-0" */
    const char *const *names; /* CACHET_DYNLIB_NAME of each field, in order */
    size_t count;
} cachet_dynlib_spec;

/* cachet_dynlib_load opens spec->soname and fills |table|, a struct of |size| bytes
 * made of spec->count CACHET_DYNLIB_FIELDs, with the functions spec->names. The
 * library then stays loaded for the process's life. On failure nothing stays open,
 * |table| is zeroed, and |err| holds CACHET_ERR_UNSUPPORTED: "USER needs LIBRARY,
 * which could not be loaded (WHY): install it (Debian: apt-get install PACKAGE)",
 * or, when a function is missing, "SONAME has no FUNCTION: it is not the LIBRARY
 * cachet was built for"; a |size| that does not match the names is
 * CACHET_ERR_INTERNAL. */
cachet_status cachet_dynlib_load(const cachet_dynlib_spec *spec, void *table, size_t size,
                                 cachet_error *err);

/* A library loaded once per process: initialise as
 * {.spec = &SPEC, .lock = PTHREAD_MUTEX_INITIALIZER}. */
typedef struct cachet_dynlib {
    const cachet_dynlib_spec *spec;
    pthread_mutex_t lock;
    bool done;
    cachet_error err; /* why the load failed, for every later caller */
} cachet_dynlib;

/* cachet_dynlib_get loads |lib| into |table| on the first call and returns
 * |table|; a failed load is not retried: every call returns NULL with its error in
 * |err|. Safe from several threads. */
const void *cachet_dynlib_get(cachet_dynlib *lib, void *table, size_t size, cachet_error *err);

#endif
