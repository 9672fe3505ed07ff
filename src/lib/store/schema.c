/* The schema and its migrations. A store records every migration applied in
 * cachet_schema; opening a store applies the missing ones, in order, in one
 * transaction. A new schema version is one more entry in |migrations| (never an
 * edit of an old one: stores in the field already ran it). */
#include <time.h>

#include "store/internal.h"

typedef struct cachet_db_migration {
    int version;
    const char *sql[2]; /* indexed by cachet_db_dialect */
} cachet_db_migration;

/* Integers are BIGINT in both (SQLite gives BIGINT integer affinity); flags are
 * 0/1 integers rather than booleans so both dialects read them alike. */
#define CACHET_DB_V1(BLOB)                                                                         \
    "CREATE TABLE certs ("                                                                         \
    " fingerprint TEXT PRIMARY KEY,"                                                               \
    " der " BLOB " NOT NULL,"                                                                      \
    " subject TEXT NOT NULL,"                                                                      \
    " issuer TEXT NOT NULL,"                                                                       \
    " serial TEXT NOT NULL,"                                                                       \
    " ski TEXT NOT NULL,"                                                                          \
    " aki TEXT NOT NULL,"                                                                          \
    " not_before BIGINT NOT NULL,"                                                                 \
    " not_after BIGINT NOT NULL,"                                                                  \
    " key_usage BIGINT NOT NULL,"                                                                  \
    " email_protection BIGINT NOT NULL,"                                                           \
    " is_ca BIGINT NOT NULL,"                                                                      \
    " origin BIGINT NOT NULL,"                                                                     \
    " added BIGINT NOT NULL,"                                                                      \
    " key_ref TEXT NOT NULL DEFAULT '');"                                                          \
    "CREATE INDEX certs_subject ON certs (subject);"                                               \
    "CREATE TABLE cert_emails ("                                                                   \
    " fingerprint TEXT NOT NULL REFERENCES certs (fingerprint) ON DELETE CASCADE,"                 \
    " address TEXT NOT NULL,"                                                                      \
    " PRIMARY KEY (fingerprint, address));"                                                        \
    "CREATE INDEX cert_emails_address ON cert_emails (address);"                                   \
    "CREATE TABLE caps ("                                                                          \
    " address TEXT PRIMARY KEY,"                                                                   \
    " der " BLOB " NOT NULL,"                                                                      \
    " seen BIGINT NOT NULL);"                                                                      \
    "CREATE TABLE crls ("                                                                          \
    " issuer TEXT PRIMARY KEY,"                                                                    \
    " source TEXT NOT NULL,"                                                                       \
    " this_update BIGINT NOT NULL,"                                                                \
    " next_update BIGINT NOT NULL,"                                                                \
    " fetched BIGINT NOT NULL,"                                                                    \
    " der " BLOB " NOT NULL);"

static const cachet_db_migration migrations[] = {
    {1, {CACHET_DB_V1("BLOB"), CACHET_DB_V1("BYTEA")}},
};

#define NUM_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

static const char schema_table_sql[] = "CREATE TABLE IF NOT EXISTS cachet_schema ("
                                       " version BIGINT PRIMARY KEY,"
                                       " applied BIGINT NOT NULL)";

static bool read_first_int(cachet_db *db, const cachet_db_row *row, void *arg, cachet_error *err) {
    int64_t *v = arg;
    if (db->ops->col_null(row, 0)) {
        *v = 0;
        return true;
    }
    return cachet_db_read_int(db, row, 0, v, err);
}

static cachet_status migrate_tx(cachet_db *db, void *arg, cachet_error *err) {
    (void)arg;
    cachet_status st = CACHET_OK;
    if (db->ops->check_foreign != NULL) {
        st = db->ops->check_foreign(db, err);
        if (st != CACHET_OK) {
            return st;
        }
    }
    int64_t exists = 0;
    cachet_db_param name = CACHET_DB_TEXT("cachet_schema");
    st = db->ops->exec(db, db->ops->table_exists_sql, &name, 1, read_first_int, &exists, NULL, err);
    if (st != CACHET_OK) {
        return st;
    }
    int64_t version = 0;
    if (exists != 0) {
        st = db->ops->exec(db, "SELECT MAX(version) FROM cachet_schema", NULL, 0, read_first_int,
                           &version, NULL, err);
        if (st != CACHET_OK) {
            return st;
        }
    } else {
        st = db->ops->exec_script(db, schema_table_sql, err);
        if (st != CACHET_OK) {
            return st;
        }
    }
    if (version < 0) {
        cachet_db_corrupt(db, err, "negative schema version");
        return CACHET_ERR_MALFORMED;
    }
    if (version > CACHET_DB_SCHEMA_VERSION) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "store", -1,
                              "store %s has schema version %lld; this cachet knows up to %d "
                              "(upgrade cachet)",
                              db->where, (long long)version, CACHET_DB_SCHEMA_VERSION);
    }
    for (size_t i = 0; i < NUM_MIGRATIONS; i++) {
        const cachet_db_migration *m = &migrations[i];
        if (m->version <= version) {
            continue;
        }
        st = db->ops->exec_script(db, m->sql[db->ops->dialect], err);
        if (st != CACHET_OK) {
            return st;
        }
        cachet_db_param p[2] = {CACHET_DB_INT(m->version), CACHET_DB_INT((int64_t)time(NULL))};
        st = db->ops->exec(db, "INSERT INTO cachet_schema (version, applied) VALUES ($1, $2)", p, 2,
                           NULL, NULL, NULL, err);
        if (st != CACHET_OK) {
            return st;
        }
        version = m->version;
    }
    db->schema_version = (int)version;
    return CACHET_OK;
}

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == CACHET_DB_SCHEMA_VERSION,
               "one migration per schema version, the last one CACHET_DB_SCHEMA_VERSION");

cachet_status cachet_db_migrate(cachet_db *db, cachet_error *err) {
    return cachet_db_in_tx(db, CACHET_DB_TX_SCHEMA, migrate_tx, NULL, err);
}
