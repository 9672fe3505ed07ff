/* The SQLite backend: one file, WAL mode so readers never wait for a writer,
 * a busy timeout so concurrent processes queue instead of failing, and write
 * transactions that take the write lock up front (BEGIN IMMEDIATE: a deferred
 * transaction upgrading its lock can fail without waiting). An existing file is
 * inspected read-only first and left byte-for-byte as it is unless it is a
 * cachet store of a schema version we know. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/internal.h"
#include "store/sqlite_api.h"

#define CACHET_DB_SQLITE_BUSY_MS 30000

static sqlite3 *handle(cachet_db *db) {
    return db->handle;
}

static cachet_status sqlite_fail(cachet_db *db, sqlite3 *h, int rc, const char *what,
                                 cachet_error *err) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
        db->retry = true; /* e.g. a lock upgrade SQLite refuses without waiting */
    }
    const char *msg = h != NULL ? sq->sqlite3_errmsg(h) : sq->sqlite3_errstr(rc);
    if (primary == SQLITE_NOTADB) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "store", -1,
                              "%s is not a cachet store (not a SQLite database)", db->where);
    }
    if (primary == SQLITE_CORRUPT) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "store", -1, "corrupt store %s: %s",
                              db->where, msg);
    }
    if (primary == SQLITE_NOMEM) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
    }
    return cachet_err_set(err, CACHET_ERR_IO, "store", -1, "%s %s: %s", what, db->where, msg);
}

static cachet_status sqlite_exec(cachet_db *db, const char *sql, const cachet_db_param *params,
                                 size_t num_params, cachet_db_row_fn fn, void *arg,
                                 int64_t *changes, cachet_error *err) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    sqlite3 *h = handle(db);
    sqlite3_stmt *stmt = NULL;
    int rc = sq->sqlite3_prepare_v2(h, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) {
        return sqlite_fail(db, h, rc, "cannot query store", err);
    }
    if ((size_t)sq->sqlite3_bind_parameter_count(stmt) > num_params) {
        sq->sqlite3_finalize(stmt);
        return cachet_err_set(err, CACHET_ERR_INTERNAL, "store", -1, "statement parameters");
    }
    for (size_t i = 0; i < num_params && rc == SQLITE_OK; i++) {
        char name[8];
        snprintf(name, sizeof(name), "$%zu", i + 1);
        int idx = sq->sqlite3_bind_parameter_index(stmt, name);
        if (idx == 0) {
            continue;
        }
        const cachet_db_param *p = &params[i];
        if (p->type == CACHET_DB_P_INT) {
            rc = sq->sqlite3_bind_int64(stmt, idx, p->i);
        } else if (p->type == CACHET_DB_P_TEXT) {
            rc = sq->sqlite3_bind_text(stmt, idx, p->s, -1, SQLITE_STATIC);
        } else if (p->len == 0) {
            rc = sq->sqlite3_bind_zeroblob(stmt, idx, 0); /* a NULL pointer would bind NULL */
        } else {
            rc = sq->sqlite3_bind_blob64(stmt, idx, p->b, p->len, SQLITE_STATIC);
        }
    }
    while (rc == SQLITE_OK) {
        int step = sq->sqlite3_step(stmt);
        if (step == SQLITE_DONE) {
            break;
        }
        if (step != SQLITE_ROW) {
            rc = step;
            break;
        }
        if (fn != NULL) {
            cachet_db_row row = {.h = stmt, .index = 0};
            if (!fn(db, &row, arg, err)) {
                sq->sqlite3_finalize(stmt);
                return err != NULL && err->status != CACHET_OK ? err->status : CACHET_ERR_INTERNAL;
            }
        }
    }
    sq->sqlite3_finalize(stmt);
    if (rc != SQLITE_OK) {
        return sqlite_fail(db, h, rc, "cannot query store", err);
    }
    if (changes != NULL) {
        *changes = sq->sqlite3_changes64(h);
    }
    return CACHET_OK;
}

static cachet_status sqlite_exec_script(cachet_db *db, const char *sql, cachet_error *err) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    int rc = sq->sqlite3_exec(handle(db), sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        return sqlite_fail(db, handle(db), rc, "cannot update the schema of", err);
    }
    return CACHET_OK;
}

static cachet_status sqlite_begin(cachet_db *db, bool write, bool schema, cachet_error *err) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    (void)schema; /* the write lock already serialises schema changes */
    int rc = sq->sqlite3_exec(handle(db), write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        return sqlite_fail(db, handle(db), rc, "cannot start a transaction on", err);
    }
    return CACHET_OK;
}

static cachet_status sqlite_commit(cachet_db *db, cachet_error *err) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    int rc = sq->sqlite3_exec(handle(db), "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        return sqlite_fail(db, handle(db), rc, "cannot commit to", err);
    }
    return CACHET_OK;
}

static void sqlite_rollback(cachet_db *db) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    if (!sq->sqlite3_get_autocommit(handle(db))) {
        sq->sqlite3_exec(handle(db), "ROLLBACK", NULL, NULL, NULL);
    }
}

/* The tables of a store, looked at without changing anything: whether
 * cachet_schema is there and how many tables of anyone else are. */
static int inspect_tables(sqlite3 *h, bool *has_schema, int *others) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    static const char *const ours[] = {"cachet_schema", "certs", "cert_emails", "caps", "crls"};
    *has_schema = false;
    *others = 0;
    sqlite3_stmt *stmt = NULL;
    int rc = sq->sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE type = 'table'", -1,
                                    &stmt, NULL);
    while (rc == SQLITE_OK) {
        int step = sq->sqlite3_step(stmt);
        if (step != SQLITE_ROW) {
            rc = step == SQLITE_DONE ? SQLITE_OK : step;
            break;
        }
        const char *name = (const char *)sq->sqlite3_column_text(stmt, 0);
        bool mine = name == NULL || strncmp(name, "sqlite_", 7) == 0;
        for (size_t i = 0; !mine && i < sizeof(ours) / sizeof(ours[0]); i++) {
            mine = strcmp(name, ours[i]) == 0;
        }
        if (name != NULL && strcmp(name, "cachet_schema") == 0) {
            *has_schema = true;
        }
        if (!mine) {
            (*others)++;
        }
    }
    sq->sqlite3_finalize(stmt);
    return rc;
}

static cachet_status foreign_refusal(cachet_db *db, cachet_error *err) {
    return cachet_err_set(err, CACHET_ERR_MALFORMED, "store", -1,
                          "%s is not a cachet store (a SQLite database with other tables)",
                          db->where);
}

static cachet_status sqlite_check_foreign(cachet_db *db, cachet_error *err) {
    bool has_schema = false;
    int others = 0;
    int rc = inspect_tables(handle(db), &has_schema, &others);
    if (rc != SQLITE_OK) {
        return sqlite_fail(db, handle(db), rc, "cannot read", err);
    }
    if (!has_schema && others > 0) {
        return foreign_refusal(db, err);
    }
    return CACHET_OK;
}

/* SQLite takes a file shorter than its header for an empty database and would
 * overwrite it: any non-empty file must start with the SQLite magic. */
static cachet_status check_header(cachet_db *db, const char *path, cachet_error *err) {
    static const char magic[16] = "SQLite format 3";
    char head[16];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return cachet_err_set(err, CACHET_ERR_IO, "store", -1, "cannot read %s: %s", path,
                              strerror(errno));
    }
    ssize_t n = read(fd, head, sizeof(head));
    close(fd);
    if (n < 0) {
        return cachet_err_set(err, CACHET_ERR_IO, "store", -1, "cannot read %s: %s", path,
                              strerror(errno));
    }
    if (n > 0 && (n < (ssize_t)sizeof(head) || memcmp(head, magic, sizeof(magic)) != 0)) {
        return sqlite_fail(db, NULL, SQLITE_NOTADB, "cannot read", err);
    }
    return CACHET_OK;
}

/* An existing file is looked at read-only: nothing (not even the WAL switch,
 * which rewrites the header) touches it before we know it is ours. */
static cachet_status precheck(cachet_db *db, const char *path, cachet_error *err) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    cachet_status st = check_header(db, path, err);
    if (st != CACHET_OK) {
        return st;
    }
    sqlite3 *h = NULL;
    int rc = sq->sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL);
    bool has_schema = false;
    int others = 0;
    if (rc == SQLITE_OK) {
        sq->sqlite3_busy_timeout(h, CACHET_DB_SQLITE_BUSY_MS);
        rc = inspect_tables(h, &has_schema, &others);
    }
    if (rc != SQLITE_OK) {
        st = sqlite_fail(db, h, rc, "cannot read", err);
    } else if (!has_schema && others > 0) {
        st = foreign_refusal(db, err);
    } else if (has_schema) {
        sqlite3_stmt *stmt = NULL;
        rc = sq->sqlite3_prepare_v2(h, "SELECT MAX(version) FROM cachet_schema", -1, &stmt, NULL);
        if (rc == SQLITE_OK && sq->sqlite3_step(stmt) == SQLITE_ROW &&
            sq->sqlite3_column_type(stmt, 0) == SQLITE_INTEGER &&
            sq->sqlite3_column_int64(stmt, 0) > CACHET_DB_SCHEMA_VERSION) {
            st = cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "store", -1,
                                "store %s has schema version %lld; this cachet knows up to %d "
                                "(upgrade cachet)",
                                db->where, (long long)sq->sqlite3_column_int64(stmt, 0),
                                CACHET_DB_SCHEMA_VERSION);
        }
        sq->sqlite3_finalize(stmt);
    }
    sq->sqlite3_close(h);
    return st;
}

/* Missing parent directories are made 0700: the store says who one writes to. */
static cachet_status make_parents(const char *path, cachet_error *err) {
    char buf[1024];
    size_t len = strlen(path);
    if (len >= sizeof(buf)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "store path too long");
    }
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i < len; i++) {
        if (buf[i] != '/') {
            continue;
        }
        buf[i] = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
            cachet_status st =
                cachet_err_set(err, CACHET_ERR_IO, "store", -1, "cannot create directory %s: %s",
                               buf, strerror(errno));
            return st;
        }
        buf[i] = '/';
    }
    return CACHET_OK;
}

/* Creates the file 0600 ourselves (SQLite would use 0644); |*created| false when
 * it already existed. SQLite gives its -wal and -shm files the same mode. */
static cachet_status create_file(const char *path, bool *created, cachet_error *err) {
    *created = false;
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            return cachet_err_set(err, CACHET_ERR_IO, "store", -1, "store %s is not a regular file",
                                  path);
        }
        return CACHET_OK;
    }
    cachet_status st = make_parents(path, err);
    if (st != CACHET_OK) {
        return st;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            return CACHET_OK; /* another process made it first */
        }
        return cachet_err_set(err, CACHET_ERR_IO, "store", -1, "cannot create store %s: %s", path,
                              strerror(errno));
    }
    close(fd);
    *created = true;
    return CACHET_OK;
}

static bool sqlite_col_null(const cachet_db_row *row, int col) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    return sq->sqlite3_column_type(row->h, col) == SQLITE_NULL;
}

static bool sqlite_col_int(const cachet_db_row *row, int col, int64_t *out) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    if (sq->sqlite3_column_type(row->h, col) != SQLITE_INTEGER) {
        return false;
    }
    *out = sq->sqlite3_column_int64(row->h, col);
    return true;
}

static bool sqlite_col_bytes(const cachet_db_row *row, int col, const uint8_t **out, size_t *len) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    int type = sq->sqlite3_column_type(row->h, col);
    const void *p = NULL;
    if (type == SQLITE_TEXT) {
        p = sq->sqlite3_column_text(row->h, col);
    } else if (type == SQLITE_BLOB) {
        p = sq->sqlite3_column_blob(row->h, col);
    } else {
        return false;
    }
    int n = sq->sqlite3_column_bytes(row->h, col);
    *out = p != NULL ? p : (const uint8_t *)"";
    *len = n > 0 ? (size_t)n : 0;
    return true;
}

static void sqlite_close(cachet_db *db) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    sq->sqlite3_close(handle(db));
    db->handle = NULL;
}

static const cachet_db_ops sqlite_ops = {
    .kind = "sqlite",
    .dialect = CACHET_DB_SQLITE,
    .exec = sqlite_exec,
    .exec_script = sqlite_exec_script,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .check_foreign = sqlite_check_foreign,
    .table_exists_sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
    .col_null = sqlite_col_null,
    .col_int = sqlite_col_int,
    .col_bytes = sqlite_col_bytes,
    .close = sqlite_close,
};

/* The WAL switch needs an exclusive lock, and SQLite answers BUSY at once
 * (without its busy handler) when another process opens the new file at the same
 * moment: wait and try again, as the busy timeout would. */
static int exec_waiting(cachet_db *db, const char *sql) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    int rc = SQLITE_BUSY;
    for (int waited = 0; waited < CACHET_DB_SQLITE_BUSY_MS; waited += 20) {
        rc = sq->sqlite3_exec(handle(db), sql, NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
            break;
        }
        nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000}, NULL);
    }
    return rc;
}

static cachet_status configure(cachet_db *db, cachet_error *err) {
    const cachet_sqlite_api *sq = cachet_sqlite(NULL);
    sqlite3 *h = handle(db);
    sq->sqlite3_extended_result_codes(h, 1);
    sq->sqlite3_busy_timeout(h, CACHET_DB_SQLITE_BUSY_MS);
    int rc = sq->sqlite3_exec(h, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        /* Refuse before the WAL switch: it rewrites the file header. */
        cachet_status st = sqlite_check_foreign(db, err);
        if (st != CACHET_OK) {
            return st;
        }
        rc = exec_waiting(db, "PRAGMA journal_mode = WAL");
    }
    if (rc != SQLITE_OK) {
        return sqlite_fail(db, h, rc, "cannot open", err);
    }
    return CACHET_OK;
}

cachet_status cachet_db_sqlite_open(const char *path, cachet_db **out, cachet_error *err) {
    const cachet_sqlite_api *sq = cachet_sqlite(err);
    if (sq == NULL) {
        return CACHET_ERR_UNSUPPORTED;
    }
    cachet_db *db = cachet_calloc(1, sizeof(*db));
    if (db == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
    }
    db->ops = &sqlite_ops;
    snprintf(db->where, sizeof(db->where), "%s", path);
    bool created = false;
    cachet_status st = create_file(path, &created, err);
    if (st == CACHET_OK && !created) {
        st = precheck(db, path, err);
    }
    if (st == CACHET_OK) {
        sqlite3 *h = NULL;
        int rc = sq->sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
        db->handle = h;
        if (rc != SQLITE_OK) {
            st = sqlite_fail(db, h, rc, "cannot open", err);
        }
    }
    if (st == CACHET_OK) {
        st = configure(db, err);
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
