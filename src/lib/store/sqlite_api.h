/* libsqlite3, opened when a SQLite store is first used rather than linked
 * (base/dynlib.h): verify and decrypt without a store file, and every other
 * command without a store, never need it. */
#ifndef CACHET_STORE_SQLITE_API_H
#define CACHET_STORE_SQLITE_API_H

#include <sqlite3.h>

#include "base/dynlib.h"
#include "cachet/status.h"

/* The SQLite functions the store calls: each becomes a field of cachet_sqlite_api. */
#define CACHET_SQLITE_FUNCTIONS(X)                                                                 \
    X(sqlite3_bind_blob64)                                                                         \
    X(sqlite3_bind_int64)                                                                          \
    X(sqlite3_bind_parameter_count)                                                                \
    X(sqlite3_bind_parameter_index)                                                                \
    X(sqlite3_bind_text)                                                                           \
    X(sqlite3_bind_zeroblob)                                                                       \
    X(sqlite3_busy_timeout)                                                                        \
    X(sqlite3_changes64)                                                                           \
    X(sqlite3_close)                                                                               \
    X(sqlite3_column_blob)                                                                         \
    X(sqlite3_column_bytes)                                                                        \
    X(sqlite3_column_int64)                                                                        \
    X(sqlite3_column_text)                                                                         \
    X(sqlite3_column_type)                                                                         \
    X(sqlite3_errmsg)                                                                              \
    X(sqlite3_errstr)                                                                              \
    X(sqlite3_exec)                                                                                \
    X(sqlite3_extended_result_codes)                                                               \
    X(sqlite3_finalize)                                                                            \
    X(sqlite3_get_autocommit)                                                                      \
    X(sqlite3_open_v2)                                                                             \
    X(sqlite3_prepare_v2)                                                                          \
    X(sqlite3_step)

typedef struct cachet_sqlite_api {
    CACHET_SQLITE_FUNCTIONS(CACHET_DYNLIB_FIELD)
} cachet_sqlite_api;

/* cachet_sqlite opens libsqlite3 (CACHET_SQLITE_SONAME) once per process and returns
 * its functions, or NULL with CACHET_ERR_UNSUPPORTED in |err| saying what is missing
 * and which package provides it. Safe to call from several threads. */
const cachet_sqlite_api *cachet_sqlite(cachet_error *err);

/* cachet_sqlite_spec: the library and its functions (base/dynlib.h); the unit tests
 * load it under other names. */
extern const cachet_dynlib_spec cachet_sqlite_spec;

#endif
