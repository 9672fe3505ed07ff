/* The store suite against SQLite, and what only a file can get wrong: modes of
 * new files, and files that are not ours left byte-for-byte untouched. */
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "test_store_suite.h"

static char tmp_root[256];
static int next_store;

static void sqlite_fresh_url(char *out, size_t out_len) {
    /* in a directory that does not exist yet: the store makes it */
    snprintf(out, out_len, "%s/d%d/store.db", tmp_root, next_store++);
}

static bool sqlite_raw_sql(const char *url, const char *sql) {
    sqlite3 *h = NULL;
    bool ok = sqlite3_open_v2(url, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
              sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK;
    if (!ok) {
        fprintf(stderr, "raw sql: %s\n", sqlite3_errmsg(h));
    }
    sqlite3_close(h);
    return ok;
}

static const suite_backend_ops sqlite_backend = {
    .fresh_url = sqlite_fresh_url,
    .raw_sql = sqlite_raw_sql,
    .kind = "sqlite",
};

static void new_store_file_is_0600_in_a_0700_directory(void) {
    char url[1024];
    mode_t old = umask(0);
    cachet_db *db = su_open_fresh(url, sizeof(url));
    umask(old);
    if (db == NULL) {
        return;
    }
    cachet_db_cert c;
    su_cert(&c, 1, "CN=M", SU_T0, CACHET_DB_IMPORTED);
    CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
    cachet_db_cert_clear(&c);
    struct stat sb;
    CHECK(stat(url, &sb) == 0);
    CHECK_EQ_INT(sb.st_mode & 0777, 0600);
    char wal[1100];
    snprintf(wal, sizeof(wal), "%s-wal", url);
    CHECK(stat(wal, &sb) == 0); /* WAL mode */
    CHECK_EQ_INT(sb.st_mode & 0777, 0600);
    char *slash = strrchr(url, '/');
    *slash = '\0';
    CHECK(stat(url, &sb) == 0);
    CHECK_EQ_INT(sb.st_mode & 0777, 0700);
    cachet_db_close(db);
}

static void sqlite_url_forms_are_accepted(void) {
    static const char *const forms[] = {"sqlite:%s/u1.db", "sqlite://%s/u2.db", "%s/u3.db"};
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        char url[1024];
        snprintf(url, sizeof(url), forms[i], tmp_root);
        cachet_db *db = su_open(url);
        CHECK(db != NULL);
        CHECK_STR(cachet_db_kind(db), "sqlite");
        cachet_db_close(db);
    }
    static const struct {
        const char *url;
        cachet_status want;
    } bad[] = {
        {"", CACHET_ERR_USAGE},
        {"sqlite:", CACHET_ERR_USAGE},
        {"sqlite://relative.db", CACHET_ERR_USAGE},
        {"mysql://host/db", CACHET_ERR_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cachet_db *db = NULL;
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(cachet_db_open(bad[i].url, &db, &err), bad[i].want);
        CHECK(db == NULL);
    }
}

/* The bytes of |path| and the names in its directory, to prove nothing changed. */
typedef struct snapshot {
    uint8_t *bytes;
    size_t len;
    int entries;
} snapshot;

static snapshot take_snapshot(const char *path) {
    snapshot s = {0};
    s.bytes = cachet_test_read_file(path, &s.len);
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s", path);
    *strrchr(dir, '/') = '\0';
    DIR *d = opendir(dir);
    for (struct dirent *e = d != NULL ? readdir(d) : NULL; e != NULL; e = readdir(d)) {
        s.entries++;
    }
    if (d != NULL) {
        closedir(d);
    }
    return s;
}

/* |same_dir|: no file appears beside it either (a store of ours in WAL mode may
 * get its -shm from the read-only look). */
static void expect_refused_unchanged(const char *path, cachet_status want, const char *msg,
                                     bool same_dir) {
    snapshot before = take_snapshot(path);
    cachet_db *db = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_open(path, &db, &err), want);
    CHECK(db == NULL);
    if (strstr(err.message, msg) == NULL) {
        fprintf(stderr, "message: %s\n", err.message);
    }
    CHECK(strstr(err.message, msg) != NULL);
    CHECK(strstr(err.message, path) != NULL);
    snapshot after = take_snapshot(path);
    CHECK_MEM(after.bytes, after.len, before.bytes, before.len);
    if (same_dir) {
        CHECK_EQ_INT(after.entries, before.entries); /* no -wal, -shm or -journal left */
    }
    free(before.bytes);
    free(after.bytes);
}

static void corrupt_file_is_refused_and_left_unchanged(void) {
    static const size_t sizes[] = {1, 100, 4096, 70000};
    uint32_t rng = 12345;
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        char dir[512], path[600];
        snprintf(dir, sizeof(dir), "%s/corrupt%zu", tmp_root, k);
        CHECK(mkdir(dir, 0700) == 0);
        snprintf(path, sizeof(path), "%s/store.db", dir);
        FILE *f = fopen(path, "wb");
        for (size_t i = 0; f != NULL && i < sizes[k]; i++) {
            fputc((int)(cachet_test_rand(&rng) & 0xff), f);
        }
        if (f != NULL) {
            fclose(f);
        }
        expect_refused_unchanged(path, CACHET_ERR_MALFORMED,
                                 "is not a cachet store (not a SQLite database)", true);
    }
}

static void foreign_sqlite_database_is_refused_and_left_unchanged(void) {
    char dir[512], path[600];
    snprintf(dir, sizeof(dir), "%s/foreign", tmp_root);
    CHECK(mkdir(dir, 0700) == 0);
    snprintf(path, sizeof(path), "%s/app.db", dir);
    sqlite3 *h = NULL;
    CHECK(sqlite3_open(path, &h) == SQLITE_OK);
    CHECK(sqlite3_exec(h,
                       "CREATE TABLE certs (x TEXT); CREATE TABLE mail (id INTEGER);"
                       "INSERT INTO mail VALUES (42)",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(h);
    expect_refused_unchanged(path, CACHET_ERR_MALFORMED,
                             "is not a cachet store (a SQLite database with other tables)", true);
}

static void newer_schema_file_is_left_unchanged(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    cachet_db_close(db);
    CHECK(sqlite_raw_sql(url, "INSERT INTO cachet_schema (version, applied) VALUES (5, 0)"));
    expect_refused_unchanged(url, CACHET_ERR_UNSUPPORTED, "schema version 5", false);
}

static void empty_file_becomes_a_store(void) {
    char path[600];
    snprintf(path, sizeof(path), "%s/empty.db", tmp_root);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    close(fd);
    cachet_db *db = su_open(path);
    CHECK(db != NULL);
    CHECK_EQ_INT(cachet_db_schema_version(db), CACHET_DB_SCHEMA_VERSION);
    cachet_db_close(db);
}

static void unreadable_location_is_an_io_error(void) {
    char path[600];
    snprintf(path, sizeof(path), "%s/is-a-dir.db", tmp_root);
    CHECK(mkdir(path, 0700) == 0);
    cachet_db *db = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_open(path, &db, &err), CACHET_ERR_IO);
    CHECK(db == NULL);
}

/* Every allocation of a read or write failing in turn: NOMEM (or success once
 * the countdown passes the last one), never a crash or a leak (ASan build). */
static void allocation_failures_are_reported(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_cert c[3], got;
    for (int i = 0; i < 3; i++) {
        su_cert(&c[i], 70 + i, "CN=Alloc", SU_T0 + i, CACHET_DB_IMPORTED);
        CHECK(cachet_db_cert_add_email(&c[i], "x@example.com"));
        CHECK(cachet_db_cert_add_email(&c[i], "y@example.com"));
        CHECK_EQ_INT(su_put(db, &c[i], NULL), CACHET_OK);
    }
    bool finished = false, saw_nomem = false;
    for (unsigned long n = 1; n < 200 && !finished; n++) {
        cachet_error err;
        cachet_err_clear(&err);
        cachet_db_cert *out = NULL;
        size_t num = 0;
        cachet_alloc_fail_after(n);
        cachet_status a = cachet_db_list_certs(db, &out, &num, &err);
        cachet_alloc_fail_after(0);
        CHECK(a == CACHET_OK || a == CACHET_ERR_NOMEM);
        CHECK(a == CACHET_OK || (out == NULL && num == 0));
        if (a == CACHET_OK) {
            CHECK_EQ_INT(num, 3);
            CHECK(num != 3 || out[2].num_emails == 2);
        }
        cachet_db_certs_free(out, num);
        cachet_err_clear(&err);
        cachet_alloc_fail_after(n);
        cachet_status b = cachet_db_get_cert(db, c[1].fingerprint, &got, &err);
        cachet_alloc_fail_after(0);
        CHECK(b == CACHET_OK || b == CACHET_ERR_NOMEM);
        cachet_db_cert_clear(&got);
        finished = a == CACHET_OK && b == CACHET_OK;
        saw_nomem = saw_nomem || a == CACHET_ERR_NOMEM || b == CACHET_ERR_NOMEM;
    }
    CHECK(finished);
    CHECK(saw_nomem);
    for (int i = 0; i < 3; i++) {
        cachet_db_cert_clear(&c[i]);
    }
    cachet_db_close(db);
}

static const cachet_test_case tests[] = {
    SUITE_CASES,
    TEST_CASE(new_store_file_is_0600_in_a_0700_directory),
    TEST_CASE(sqlite_url_forms_are_accepted),
    TEST_CASE(corrupt_file_is_refused_and_left_unchanged),
    TEST_CASE(foreign_sqlite_database_is_refused_and_left_unchanged),
    TEST_CASE(newer_schema_file_is_left_unchanged),
    TEST_CASE(empty_file_becomes_a_store),
    TEST_CASE(unreadable_location_is_an_io_error),
    TEST_CASE(allocation_failures_are_reported),
};

int main(int argc, char **argv) {
    const char *base = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
    snprintf(tmp_root, sizeof(tmp_root), "%s/cachet-store-XXXXXX", base);
    if (mkdtemp(tmp_root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    suite_backend = &sqlite_backend;
    int rc = cachet_test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    if (rc == 0 && getenv("CACHET_TEST_KEEP") == NULL) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
        if (system(cmd) != 0) {
            fprintf(stderr, "could not remove %s\n", tmp_root);
        }
    }
    return rc;
}
