/* The store suite against a real PostgreSQL server ($CACHET_TEST_PG, started by
 * scripts/pg-start.sh; skipped with 77 when unset). Each store is a database of
 * its own, created here and dropped at the end, so parallel runs never meet. */
#include <libpq-fe.h>

#include "test_store_suite.h"

static const char *server_url;
static char made[64][64];
static int num_made;

static bool admin_exec(const char *url, const char *sql) {
    PGconn *c = PQconnectdb(url);
    bool ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
    }
    if (!ok) {
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
    }
    PQfinish(c);
    return ok;
}

/* |base| with its database name replaced by |dbname|. */
static void with_dbname(const char *base, const char *dbname, char *out, size_t out_len) {
    const char *auth = strstr(base, "://");
    auth = auth != NULL ? auth + 3 : base;
    size_t auth_len = strcspn(auth, "/?");
    const char *rest = auth + auth_len;
    if (*rest == '/') {
        rest += strcspn(rest, "?");
    }
    snprintf(out, out_len, "%.*s/%s%s", (int)(auth + auth_len - base), base, dbname, rest);
}

static void pg_fresh_url(char *out, size_t out_len) {
    char name[64], sql[128];
    snprintf(name, sizeof(name), "cachet_test_%d_%d", (int)getpid(), num_made);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    if (num_made < 64 && admin_exec(server_url, sql)) {
        snprintf(made[num_made++], sizeof(made[0]), "%s", name);
    }
    with_dbname(server_url, name, out, out_len);
}

static bool pg_raw_sql(const char *url, const char *sql) {
    return admin_exec(url, sql);
}

static const suite_backend_ops pg_backend = {
    .fresh_url = pg_fresh_url,
    .raw_sql = pg_raw_sql,
    .kind = "postgresql",
};

static void password_never_appears_in_messages(void) {
    char url[1024], bad[1200];
    pg_fresh_url(url, sizeof(url));
    /* the same server, a role that does not exist, a password in two places */
    char nodb[1024];
    with_dbname(url, "nodb?password=SeCrEt99&sslmode=disable", nodb, sizeof(nodb));
    const char *auth = strstr(nodb, "://") + 3;
    const char *at = strchr(auth, '@');
    snprintf(bad, sizeof(bad), "%.*su:SeCrEt99@%s", (int)(auth - nodb), nodb,
             at != NULL ? at + 1 : auth);
    cachet_db *db = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    cachet_status st = cachet_db_open(bad, &db, &err);
    CHECK_EQ_INT(st, CACHET_ERR_IO);
    CHECK(db == NULL);
    CHECK(strstr(err.message, "SeCrEt99") == NULL);
    CHECK(strstr(err.message, "password=") == NULL);
    CHECK(strstr(err.message, "cannot connect to postgresql://u@127.0.0.1") != NULL);
    CHECK(strstr(err.message, "/nodb?...: ") != NULL);
    if (st != CACHET_ERR_IO) {
        cachet_db_close(db);
    }
}

static void two_databases_on_one_server_are_separate(void) {
    char a_url[1024], b_url[1024];
    cachet_db *a = su_open_fresh(a_url, sizeof(a_url));
    cachet_db *b = su_open_fresh(b_url, sizeof(b_url));
    if (a == NULL || b == NULL) {
        cachet_db_close(a);
        cachet_db_close(b);
        return;
    }
    cachet_db_cert c, got;
    su_cert(&c, 1, "CN=Only in A", SU_T0, CACHET_DB_IMPORTED);
    CHECK_EQ_INT(su_put(a, &c, NULL), CACHET_OK);
    CHECK_EQ_INT(su_get(a, c.fingerprint, &got), CACHET_OK);
    cachet_db_cert_clear(&got);
    CHECK_EQ_INT(su_get(b, c.fingerprint, &got), CACHET_ERR_KEY);
    cachet_db_cert_clear(&c);
    cachet_db_close(a);
    cachet_db_close(b);
}

static const cachet_test_case tests[] = {
    SUITE_CASES,
    TEST_CASE(password_never_appears_in_messages),
    TEST_CASE(two_databases_on_one_server_are_separate),
};

int main(int argc, char **argv) {
    server_url = getenv("CACHET_TEST_PG");
    if (server_url == NULL || server_url[0] == '\0') {
        fprintf(stderr, "CACHET_TEST_PG not set (scripts/pg-start.sh): skipped\n");
        return 77;
    }
    suite_backend = &pg_backend;
    int rc = cachet_test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    for (int i = 0; i < num_made; i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", made[i]);
        admin_exec(server_url, sql);
    }
    return rc;
}
