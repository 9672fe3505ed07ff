/* The PostgreSQL backend (libpq), for several nodes sharing one store. Writes
 * run in READ COMMITTED with INSERT ... ON CONFLICT, so two processes storing
 * the same certificate at once both succeed and it is stored once; reads run in
 * a REPEATABLE READ snapshot so a record and its addresses agree. Schema
 * changes take a transaction-scoped advisory lock so two processes creating the
 * schema at once queue. Results come in binary format: no bytea unescaping, and
 * the sizes are known before anything is copied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/pq.h"

/* Type OIDs of pg_type (server headers are not part of libpq's). */
#define PG_OID_BYTEA 17
#define PG_OID_INT8 20
#define PG_OID_INT2 21
#define PG_OID_INT4 23
#define PG_OID_TEXT 25
#define PG_OID_VARCHAR 1043
#define PG_OID_NAME 19

static PGconn *conn(cachet_db *db) {
    return db->handle;
}

/* The first line of a libpq message, without its trailing newline. */
static void first_line(const char *msg, char *out, size_t out_len) {
    size_t n = strcspn(msg != NULL ? msg : "", "\n");
    if (n >= out_len) {
        n = out_len - 1;
    }
    memcpy(out, msg != NULL ? msg : "", n);
    out[n] = '\0';
}

/* The URL as shown in messages: the password in the user part and every query
 * parameter (one may be password=) are left out. */
static void redact_url(const char *url, char *out, size_t out_len) {
    const char *auth = strstr(url, "://");
    auth = auth != NULL ? auth + 3 : url;
    size_t auth_len = strcspn(auth, "/?");
    const char *at = NULL;
    for (size_t i = 0; i < auth_len; i++) {
        if (auth[i] == '@') {
            at = auth + i;
        }
    }
    const char *host = auth;
    size_t user_len = 0;
    if (at != NULL) {
        host = at + 1;
        user_len = strcspn(auth, ":@");
        if (auth + user_len > at) {
            user_len = (size_t)(at - auth);
        }
    }
    size_t rest_len = strcspn(host, "?");
    snprintf(out, out_len, "%.*s%.*s%s%.*s%s", (int)(auth - url), url, (int)user_len, auth,
             at != NULL ? "@" : "", (int)rest_len, host, host[rest_len] == '?' ? "?..." : "");
}

static cachet_status pg_fail(cachet_db *db, PGresult *res, const char *what, cachet_error *err) {
    const cachet_pq_api *pq = cachet_pq(NULL);
    const char *state = res != NULL ? pq->PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)) {
        db->retry = true;
    }
    const char *primary = res != NULL ? pq->PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char line[256];
    first_line(primary != NULL ? primary : pq->PQerrorMessage(conn(db)), line, sizeof(line));
    return cachet_err_set(err, CACHET_ERR_IO, "store", -1, "%s %s: %s", what, db->where, line);
}

static bool result_ok(PGresult *res) {
    const cachet_pq_api *pq = cachet_pq(NULL);
    ExecStatusType s = pq->PQresultStatus(res);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static cachet_status pg_exec(cachet_db *db, const char *sql, const cachet_db_param *params,
                             size_t num_params, cachet_db_row_fn fn, void *arg, int64_t *changes,
                             cachet_error *err) {
    const cachet_pq_api *pq = cachet_pq(NULL);
    if (num_params > CACHET_DB_MAX_PARAMS) {
        return cachet_err_set(err, CACHET_ERR_INTERNAL, "store", -1, "too many parameters");
    }
    Oid types[CACHET_DB_MAX_PARAMS];
    const char *values[CACHET_DB_MAX_PARAMS];
    int lengths[CACHET_DB_MAX_PARAMS];
    int formats[CACHET_DB_MAX_PARAMS];
    char ints[CACHET_DB_MAX_PARAMS][24];
    for (size_t i = 0; i < num_params; i++) {
        const cachet_db_param *p = &params[i];
        lengths[i] = 0;
        formats[i] = 0;
        if (p->type == CACHET_DB_P_INT) {
            snprintf(ints[i], sizeof(ints[i]), "%lld", (long long)p->i);
            types[i] = PG_OID_INT8;
            values[i] = ints[i];
        } else if (p->type == CACHET_DB_P_TEXT) {
            types[i] = PG_OID_TEXT;
            values[i] = p->s;
        } else {
            if (p->len > (size_t)CACHET_DB_MAX_CRL) {
                return cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1, "value too big");
            }
            types[i] = PG_OID_BYTEA;
            values[i] = p->len > 0 ? (const char *)p->b : "";
            lengths[i] = (int)p->len;
            formats[i] = 1;
        }
    }
    PGresult *res =
        pq->PQexecParams(conn(db), sql, (int)num_params, types, values, lengths, formats, 1);
    if (res == NULL || !result_ok(res)) {
        cachet_status st = pg_fail(db, res, "cannot query store", err);
        pq->PQclear(res);
        return st;
    }
    int rows = pq->PQntuples(res);
    for (int r = 0; fn != NULL && r < rows; r++) {
        cachet_db_row row = {.h = res, .index = r};
        if (!fn(db, &row, arg, err)) {
            pq->PQclear(res);
            return err != NULL && err->status != CACHET_OK ? err->status : CACHET_ERR_INTERNAL;
        }
    }
    if (changes != NULL) {
        const char *n = pq->PQcmdTuples(res);
        *changes = n[0] != '\0' ? strtoll(n, NULL, 10) : 0;
    }
    pq->PQclear(res);
    return CACHET_OK;
}

static cachet_status pg_simple(cachet_db *db, const char *sql, const char *tag, const char *what,
                               cachet_error *err) {
    const cachet_pq_api *pq = cachet_pq(NULL);
    PGresult *res = pq->PQexec(conn(db), sql);
    cachet_status st = CACHET_OK;
    if (res == NULL || !result_ok(res)) {
        st = pg_fail(db, res, what, err);
    } else if (tag != NULL && strcmp(pq->PQcmdStatus(res), tag) != 0) {
        /* COMMIT of a failed transaction answers ROLLBACK, not an error. */
        st = cachet_err_set(err, CACHET_ERR_IO, "store", -1, "%s %s: transaction rolled back", what,
                            db->where);
    }
    pq->PQclear(res);
    return st;
}

static cachet_status pg_exec_script(cachet_db *db, const char *sql, cachet_error *err) {
    return pg_simple(db, sql, NULL, "cannot update the schema of", err);
}

/* Any constant works as long as every cachet uses the same one ("cachet" in ASCII). */
#define PG_SCHEMA_LOCK "SELECT pg_advisory_xact_lock(109386157320564)"

static cachet_status pg_begin(cachet_db *db, bool write, bool schema, cachet_error *err) {
    const cachet_pq_api *pq = cachet_pq(NULL);
    const char *sql = write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    cachet_status st = pg_simple(db, sql, NULL, "cannot start a transaction on", err);
    if (st == CACHET_OK && schema) {
        st = pg_simple(db, PG_SCHEMA_LOCK, NULL, "cannot lock the schema of", err);
        if (st != CACHET_OK) {
            pq->PQclear(pq->PQexec(conn(db), "ROLLBACK"));
        }
    }
    return st;
}

static cachet_status pg_commit(cachet_db *db, cachet_error *err) {
    return pg_simple(db, "COMMIT", "COMMIT", "cannot commit to", err);
}

static void pg_rollback(cachet_db *db) {
    const cachet_pq_api *pq = cachet_pq(NULL);
    if (pq->PQtransactionStatus(conn(db)) != PQTRANS_IDLE) {
        pq->PQclear(pq->PQexec(conn(db), "ROLLBACK"));
    }
}

static bool pg_col_null(const cachet_db_row *row, int col) {
    const cachet_pq_api *pq = cachet_pq(NULL);
    return pq->PQgetisnull(row->h, row->index, col) != 0;
}

static bool pg_col_int(const cachet_db_row *row, int col, int64_t *out) {
    const cachet_pq_api *pq = cachet_pq(NULL);
    const PGresult *res = row->h;
    if (pq->PQgetisnull(res, row->index, col)) {
        return false;
    }
    Oid type = pq->PQftype(res, col);
    int len = pq->PQgetlength(res, row->index, col);
    const unsigned char *p = (const unsigned char *)pq->PQgetvalue(res, row->index, col);
    int want = type == PG_OID_INT8 ? 8 : type == PG_OID_INT4 ? 4 : type == PG_OID_INT2 ? 2 : 0;
    if (want == 0 || len != want) {
        return false;
    }
    uint64_t v = (p[0] & 0x80) != 0 ? UINT64_MAX : 0; /* sign-extend */
    for (int i = 0; i < len; i++) {
        v = (v << 8) | p[i];
    }
    *out = (int64_t)v;
    return true;
}

static bool pg_col_bytes(const cachet_db_row *row, int col, const uint8_t **out, size_t *len) {
    const cachet_pq_api *pq = cachet_pq(NULL);
    const PGresult *res = row->h;
    Oid type = pq->PQftype(res, col);
    if (type != PG_OID_TEXT && type != PG_OID_BYTEA && type != PG_OID_VARCHAR &&
        type != PG_OID_NAME) {
        return false;
    }
    int n = pq->PQgetlength(res, row->index, col);
    *out = (const uint8_t *)pq->PQgetvalue(res, row->index, col);
    *len = n > 0 ? (size_t)n : 0;
    return true;
}

static void pg_close(cachet_db *db) {
    const cachet_pq_api *pq = cachet_pq(NULL);
    pq->PQfinish(conn(db));
    db->handle = NULL;
}

static const cachet_db_ops pg_ops = {
    .kind = "postgresql",
    .dialect = CACHET_DB_POSTGRES,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .check_foreign = NULL, /* a shared database may well hold other tables */
    .table_exists_sql = "SELECT COUNT(*) FROM pg_catalog.pg_tables"
                        " WHERE schemaname = current_schema() AND tablename = $1",
    .col_null = pg_col_null,
    .col_int = pg_col_int,
    .col_bytes = pg_col_bytes,
    .close = pg_close,
};

/* The library never prints: libpq's default notice processor writes to stderr. */
static void quiet_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

cachet_status cachet_db_pg_open(const char *url, cachet_db **out, cachet_error *err) {
    cachet_error why = {0};
    const cachet_pq_api *pq = cachet_pq(&why);
    if (pq == NULL) {
        char where[sizeof(((cachet_db *)NULL)->where)];
        redact_url(url, where, sizeof(where));
        return cachet_err_set(err, why.status, "store", -1, "cannot open %s: %s", where,
                              why.message);
    }
    cachet_db *db = cachet_calloc(1, sizeof(*db));
    if (db == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
    }
    db->ops = &pg_ops;
    redact_url(url, db->where, sizeof(db->where));
    /* Later keywords override earlier ones: the URL's own settings win. */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const vals[] = {"10", "cachet", url, NULL};
    PGconn *c = pq->PQconnectdbParams(keys, vals, 1);
    db->handle = c;
    cachet_status st = CACHET_OK;
    if (c == NULL) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
    } else if (pq->PQstatus(c) != CONNECTION_OK) {
        char line[256];
        first_line(pq->PQerrorMessage(c), line, sizeof(line));
        st = cachet_err_set(err, CACHET_ERR_IO, "store", -1, "cannot connect to %s: %s", db->where,
                            line);
    } else {
        pq->PQsetNoticeProcessor(c, quiet_notice, NULL);
        st = pg_simple(db, "SET client_encoding = 'UTF8'", NULL, "cannot configure", err);
    }
    if (st == CACHET_OK) {
        st = cachet_db_migrate(db, err);
    }
    if (st != CACHET_OK) {
        cachet_db_close(db);
        return st;
    }
    *out = db;
    return CACHET_OK;
}
