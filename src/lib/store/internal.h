/* store/ private declarations: the backend vtable and the helpers shared by the
 * SQL code of both backends.
 *
 * Every query is written once, in the SQL both SQLite and PostgreSQL accept, with
 * $1..$n placeholders (SQLite binds them by name, libpq by position). A backend
 * only runs statements, reads columns and brackets transactions; what the store
 * means (origins moving up, merged addresses, newest capabilities) lives in
 * certs.c and meta.c, so the two backends cannot drift apart. */
#ifndef CACHET_STORE_INTERNAL_H
#define CACHET_STORE_INTERNAL_H

#include "store/store.h"

/* Dialects index the per-backend SQL of a migration. */
typedef enum cachet_db_dialect {
    CACHET_DB_SQLITE = 0,
    CACHET_DB_POSTGRES = 1,
} cachet_db_dialect;

typedef enum cachet_db_ptype {
    CACHET_DB_P_INT,
    CACHET_DB_P_TEXT,
    CACHET_DB_P_BLOB,
} cachet_db_ptype;

/* One statement parameter. Text is NUL-terminated; a blob is (b, len). */
typedef struct cachet_db_param {
    cachet_db_ptype type;
    int64_t i;
    const char *s;
    const uint8_t *b;
    size_t len;
} cachet_db_param;

#define CACHET_DB_INT(v) ((cachet_db_param){.type = CACHET_DB_P_INT, .i = (v)})
#define CACHET_DB_TEXT(v) ((cachet_db_param){.type = CACHET_DB_P_TEXT, .s = (v)})
#define CACHET_DB_BLOB(p, n) ((cachet_db_param){.type = CACHET_DB_P_BLOB, .b = (p), .len = (n)})

/* At most this many parameters in one statement. */
#define CACHET_DB_MAX_PARAMS 20

/* One result row, valid only inside the row callback. */
typedef struct cachet_db_row {
    void *h;   /* sqlite3_stmt * or PGresult * */
    int index; /* row number (PostgreSQL) */
} cachet_db_row;

/* A row callback returns false to stop with the error it set in |err|. */
typedef bool (*cachet_db_row_fn)(cachet_db *db, const cachet_db_row *row, void *arg,
                                 cachet_error *err);

typedef struct cachet_db_ops {
    const char *kind; /* "sqlite" or "postgresql" */
    cachet_db_dialect dialect;
    /* run one statement; |fn| (may be NULL) sees each row; |*changes| (may be
     * NULL) gets the rows an INSERT/UPDATE/DELETE touched. */
    cachet_status (*exec)(cachet_db *db, const char *sql, const cachet_db_param *params,
                          size_t num_params, cachet_db_row_fn fn, void *arg, int64_t *changes,
                          cachet_error *err);
    /* run a parameterless script of several statements (schema migrations). */
    cachet_status (*exec_script)(cachet_db *db, const char *sql, cachet_error *err);
    /* begin a transaction; |write| takes the write lock up front (SQLite
     * BEGIN IMMEDIATE), |schema| also serialises schema changes across
     * processes (PostgreSQL advisory lock). */
    cachet_status (*begin)(cachet_db *db, bool write, bool schema, cachet_error *err);
    cachet_status (*commit)(cachet_db *db, cachet_error *err);
    void (*rollback)(cachet_db *db);
    /* refuse a store that holds tables which are not ours (called in the schema
     * transaction, before any change); NULL when a shared database is normal. */
    cachet_status (*check_foreign)(cachet_db *db, cachet_error *err);
    /* SQL counting tables named $1 in the store (0 or 1). */
    const char *table_exists_sql;
    /* column accessors: false (nothing set) when the value has the wrong type */
    bool (*col_null)(const cachet_db_row *row, int col);
    bool (*col_int)(const cachet_db_row *row, int col, int64_t *out);
    bool (*col_bytes)(const cachet_db_row *row, int col, const uint8_t **out, size_t *len);
    void (*close)(cachet_db *db);
} cachet_db_ops;

struct cachet_db {
    const cachet_db_ops *ops;
    void *handle; /* sqlite3 * or PGconn * */
    bool retry;   /* the last failure was a serialisation failure or deadlock */
    int schema_version;
    char where[1100]; /* the file, or the URL without its password, for messages */
};

/* backends (sqlite.c, postgres.c): open and migrate; |*out| set on success. */
cachet_status cachet_db_sqlite_open(const char *path, cachet_db **out, cachet_error *err);
cachet_status cachet_db_pg_open(const char *url, cachet_db **out, cachet_error *err);

/* schema.c: bring the store to CACHET_DB_SCHEMA_VERSION in one transaction;
 * a newer schema is CACHET_ERR_UNSUPPORTED. */
cachet_status cachet_db_migrate(cachet_db *db, cachet_error *err);

/* db.c: run |fn| in one transaction (read, write, or a schema change that
 * also serialises with other processes changing the schema), retried when the
 * database reports a serialisation failure or deadlock. */
typedef enum cachet_db_tx_mode {
    CACHET_DB_TX_READ,
    CACHET_DB_TX_WRITE,
    CACHET_DB_TX_SCHEMA,
} cachet_db_tx_mode;
typedef cachet_status (*cachet_db_tx_fn)(cachet_db *db, void *arg, cachet_error *err);
cachet_status cachet_db_in_tx(cachet_db *db, cachet_db_tx_mode mode, cachet_db_tx_fn fn, void *arg,
                              cachet_error *err);

/* db.c: column readers for the shared SQL; a value of the wrong type or too
 * big is a corrupt store (CACHET_ERR_MALFORMED). */
bool cachet_db_read_int(cachet_db *db, const cachet_db_row *row, int col, int64_t *out,
                        cachet_error *err);
/* reads text into |out|, truncating to fit (the SQL already bounds it). */
bool cachet_db_read_text(cachet_db *db, const cachet_db_row *row, int col, char *out,
                         size_t out_len, cachet_error *err);
/* reads a blob of at most |max| bytes into a cachet_malloc'd copy. */
bool cachet_db_read_blob(cachet_db *db, const cachet_db_row *row, int col, size_t max,
                         uint8_t **out, size_t *len, cachet_error *err);
/* cachet_db_corrupt records "corrupt store WHERE: what". */
bool cachet_db_corrupt(cachet_db *db, cachet_error *err, const char *what);

/* record.c: a full fingerprint is 64 lowercase hex digits. */
bool cachet_db_valid_fp(const char *fp);
/* record.c: true when |s| has a NUL within |len| bytes. */
bool cachet_db_terminated(const char *s, size_t len);
/* The longest address we store (RFC 5321 local part 64 + @ + domain 255). */
#define CACHET_DB_MAX_ADDRESS 320

#endif
