#include <string.h>
#include <time.h>

#include "store/internal.h"

static bool has_prefix(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

cachet_status cachet_db_open(const char *url, cachet_db **out, cachet_error *err) {
    if (out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no output handle");
    }
    *out = NULL;
    if (url == NULL || url[0] == '\0') {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "empty store URL");
    }
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
        return cachet_db_pg_open(url, out, err);
    }
    const char *path = url;
    if (has_prefix(url, "sqlite://")) {
        path = url + strlen("sqlite://");
        if (path[0] != '/') {
            return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1,
                                  "a sqlite:// URL needs an absolute path (sqlite:///path)");
        }
    } else if (has_prefix(url, "sqlite:")) {
        path = url + strlen("sqlite:");
    } else if (strstr(url, "://") != NULL) {
        /* Not a file name anyone means: refuse rather than create "mysql:/..". */
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "store", -1,
                              "unknown store URL scheme (use postgresql://, sqlite: or a path)");
    }
    if (path[0] == '\0') {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "empty store path");
    }
    return cachet_db_sqlite_open(path, out, err);
}

void cachet_db_close(cachet_db *db) {
    if (db == NULL) {
        return;
    }
    db->ops->close(db);
    cachet_free(db);
}

const char *cachet_db_kind(const cachet_db *db) {
    return db != NULL ? db->ops->kind : "";
}

int cachet_db_schema_version(const cachet_db *db) {
    return db != NULL ? db->schema_version : 0;
}

/* Serialisation failures and deadlocks (PostgreSQL) are a normal outcome of
 * concurrent writers: the transaction is simply run again. */
#define CACHET_DB_TX_ATTEMPTS 8

cachet_status cachet_db_in_tx(cachet_db *db, cachet_db_tx_mode mode, cachet_db_tx_fn fn, void *arg,
                              cachet_error *err) {
    if (db == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no store");
    }
    cachet_status st = CACHET_OK;
    for (int attempt = 0; attempt < CACHET_DB_TX_ATTEMPTS; attempt++) {
        cachet_error local;
        cachet_err_clear(&local);
        db->retry = false;
        st = db->ops->begin(db, mode != CACHET_DB_TX_READ, mode == CACHET_DB_TX_SCHEMA, &local);
        if (st == CACHET_OK) {
            st = fn(db, arg, &local);
            if (st == CACHET_OK) {
                st = db->ops->commit(db, &local);
            }
            if (st != CACHET_OK) {
                db->ops->rollback(db);
            }
        }
        if (st == CACHET_OK || !db->retry || attempt + 1 == CACHET_DB_TX_ATTEMPTS) {
            if (st != CACHET_OK && err != NULL && err->status == CACHET_OK) {
                *err = local;
            }
            return st;
        }
        /* back off a little longer each time so two retrying writers drift apart */
        long ms = 5L * (attempt + 1) + (long)(clock() % 7);
        nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = ms * 1000 * 1000}, NULL);
    }
    return st;
}

bool cachet_db_corrupt(cachet_db *db, cachet_error *err, const char *what) {
    cachet_err_set(err, CACHET_ERR_MALFORMED, "store", -1, "corrupt store %s: %s", db->where, what);
    return false;
}

bool cachet_db_read_int(cachet_db *db, const cachet_db_row *row, int col, int64_t *out,
                        cachet_error *err) {
    if (!db->ops->col_int(row, col, out)) {
        return cachet_db_corrupt(db, err, "a number column holds something else");
    }
    return true;
}

bool cachet_db_read_text(cachet_db *db, const cachet_db_row *row, int col, char *out,
                         size_t out_len, cachet_error *err) {
    const uint8_t *p = NULL;
    size_t len = 0;
    if (db->ops->col_null(row, col) || !db->ops->col_bytes(row, col, &p, &len)) {
        return cachet_db_corrupt(db, err, "a text column holds something else");
    }
    if (memchr(p, '\0', len) != NULL) {
        return cachet_db_corrupt(db, err, "a text column holds a NUL byte");
    }
    if (len >= out_len) {
        len = out_len - 1;
    }
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

bool cachet_db_read_blob(cachet_db *db, const cachet_db_row *row, int col, size_t max,
                         uint8_t **out, size_t *len, cachet_error *err) {
    const uint8_t *p = NULL;
    size_t n = 0;
    *out = NULL;
    *len = 0;
    if (db->ops->col_null(row, col) || !db->ops->col_bytes(row, col, &p, &n)) {
        return cachet_db_corrupt(db, err, "a binary column holds something else");
    }
    if (n > max) {
        cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1,
                       "corrupt store %s: a stored object exceeds %zu bytes", db->where, max);
        return false;
    }
    uint8_t *copy = cachet_malloc(n > 0 ? n : 1);
    if (copy == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
        return false;
    }
    if (n > 0) {
        memcpy(copy, p, n);
    }
    *out = copy;
    *len = n;
    return true;
}
