/* libpq, opened when a PostgreSQL store is first used rather than linked
 * (base/dynlib.h): libpq brings fifteen more shared libraries (Kerberos, LDAP,
 * GnuTLS, ...), and most runs never open a PostgreSQL store. */
#ifndef CACHET_STORE_PQ_H
#define CACHET_STORE_PQ_H

#include <libpq-fe.h>

#include "base/dynlib.h"
#include "cachet/status.h"

/* The libpq functions the store calls: each becomes a field of cachet_pq_api. */
#define CACHET_PQ_FUNCTIONS(X)                                                                     \
    X(PQclear)                                                                                     \
    X(PQcmdStatus)                                                                                 \
    X(PQcmdTuples)                                                                                 \
    X(PQconnectdbParams)                                                                           \
    X(PQerrorMessage)                                                                              \
    X(PQexec)                                                                                      \
    X(PQexecParams)                                                                                \
    X(PQfinish)                                                                                    \
    X(PQftype)                                                                                     \
    X(PQgetisnull)                                                                                 \
    X(PQgetlength)                                                                                 \
    X(PQgetvalue)                                                                                  \
    X(PQntuples)                                                                                   \
    X(PQresultErrorField)                                                                          \
    X(PQresultStatus)                                                                              \
    X(PQsetNoticeProcessor)                                                                        \
    X(PQstatus)                                                                                    \
    X(PQtransactionStatus)

typedef struct cachet_pq_api {
    CACHET_PQ_FUNCTIONS(CACHET_DYNLIB_FIELD)
} cachet_pq_api;

/* cachet_pq opens libpq (CACHET_LIBPQ_SONAME) once per process and returns its
 * functions, or NULL with CACHET_ERR_UNSUPPORTED in |err| saying what is missing
 * and which package provides it. Safe to call from several threads. */
const cachet_pq_api *cachet_pq(cachet_error *err);

/* cachet_pq_spec: the library and its functions (base/dynlib.h); the unit tests
 * load it under other names. */
extern const cachet_dynlib_spec cachet_pq_spec;

#endif
