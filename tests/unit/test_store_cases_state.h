/* Store suite, part 2: capabilities, CRLs, the schema, persistence, limits,
 * corruption and concurrent writers. Included by test_store_suite.h only. */
#ifndef CACHET_TEST_STORE_CASES_STATE_H
#define CACHET_TEST_STORE_CASES_STATE_H

#include "test_store_util.h"

static void caps_keep_the_newest_seen(void) {
    static const struct {
        const char *addr;
        uint8_t byte;
        int64_t seen;
        uint8_t want_byte;
        int64_t want_seen;
    } steps[] = {
        {"c@Example.com", 1, 100, 1, 100}, /* first */
        {"c@example.COM", 2, 200, 2, 200}, /* newer wins, same address */
        {"c@example.com", 3, 150, 2, 200}, /* older ignored */
        {"c@example.com", 4, 200, 4, 200}, /* same time: the later write */
    };
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_error err;
    cachet_membuf der = {0};
    bool found = true;
    int64_t seen = -1;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_get_caps(db, "c@example.com", &der, &seen, &found, &err), CACHET_OK);
    CHECK(!found);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        uint8_t value[3] = {0x30, 0x01, steps[i].byte};
        CHECK_EQ_INT(cachet_db_put_caps(db, steps[i].addr, value, 3, steps[i].seen, &err),
                     CACHET_OK);
        uint8_t want[3] = {0x30, 0x01, steps[i].want_byte};
        CHECK_EQ_INT(cachet_db_get_caps(db, "c@EXAMPLE.com", &der, &seen, &found, &err), CACHET_OK);
        CHECK(found);
        CHECK_MEM(der.data, der.len, want, 3);
        CHECK_EQ_INT(seen, steps[i].want_seen);
    }
    CHECK_EQ_INT(cachet_db_get_caps(db, "C@example.com", &der, &seen, &found, &err), CACHET_OK);
    CHECK(!found);
    uint8_t big[CACHET_DB_MAX_CAPS + 1] = {0x30};
    CHECK_EQ_INT(cachet_db_put_caps(db, "c@example.com", big, sizeof(big), 999, &err),
                 CACHET_ERR_LIMIT);
    cachet_membuf_free(&der);
    cachet_db_close(db);
}

static void crl_is_replaced_only_by_a_newer_one(void) {
    static const struct {
        int64_t this_update;
        uint8_t byte;
        int64_t want_this_update;
        uint8_t want_byte;
    } steps[] = {
        {1000, 1, 1000, 1},
        {2000, 2, 2000, 2},
        {1500, 3, 2000, 2},
        {2000, 4, 2000, 2},
    };
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_error err;
    cachet_err_clear(&err);
    cachet_membuf der = {0};
    cachet_db_crl meta, got;
    bool found = true;
    CHECK_EQ_INT(cachet_db_get_crl(db, "CN=CA", &got, &der, &found, &err), CACHET_OK);
    CHECK(!found);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        memset(&meta, 0, sizeof(meta));
        snprintf(meta.issuer, sizeof(meta.issuer), "CN=CA");
        snprintf(meta.source, sizeof(meta.source), "http://crl.example/%zu", i);
        meta.this_update = steps[i].this_update;
        meta.next_update = steps[i].this_update + 86400;
        meta.fetched = 5000 + (int64_t)i;
        uint8_t value[4] = {0x30, 0x02, 0x05, steps[i].byte};
        CHECK_EQ_INT(cachet_db_put_crl(db, &meta, value, 4, &err), CACHET_OK);
        CHECK_EQ_INT(cachet_db_get_crl(db, "CN=CA", &got, &der, &found, &err), CACHET_OK);
        CHECK(found);
        uint8_t want[4] = {0x30, 0x02, 0x05, steps[i].want_byte};
        CHECK_MEM(der.data, der.len, want, 4);
        CHECK_EQ_INT(got.this_update, steps[i].want_this_update);
        CHECK_EQ_INT(got.next_update, steps[i].want_this_update + 86400);
        CHECK_STR(got.issuer, "CN=CA");
    }
    CHECK_STR(got.source, "http://crl.example/1");
    CHECK_EQ_INT(got.fetched, 5001);
    CHECK_EQ_INT(cachet_db_get_crl(db, "CN=Other", &got, &der, &found, &err), CACHET_OK);
    CHECK(!found);
    cachet_membuf_free(&der);
    cachet_db_close(db);
}

static void schema_version_and_kind_are_reported(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    CHECK_EQ_INT(cachet_db_schema_version(db), CACHET_DB_SCHEMA_VERSION);
    CHECK_EQ_INT(cachet_db_schema_version(db), 1);
    CHECK_STR(cachet_db_kind(db), suite_backend->kind);
    cachet_db_close(db);
}

static void reopened_store_keeps_everything(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_cert c, got;
    cachet_error err;
    cachet_err_clear(&err);
    su_cert(&c, 40, "CN=P", SU_T0, CACHET_DB_ANCHOR);
    CHECK(cachet_db_cert_add_email(&c, "p@example.com"));
    CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
    uint8_t caps[2] = {0x30, 0x00};
    CHECK_EQ_INT(cachet_db_put_caps(db, "p@example.com", caps, 2, 77, &err), CACHET_OK);
    cachet_db_close(db);
    db = su_open(url);
    CHECK(db != NULL);
    if (db == NULL) {
        cachet_db_cert_clear(&c);
        return;
    }
    CHECK_EQ_INT(cachet_db_schema_version(db), CACHET_DB_SCHEMA_VERSION);
    CHECK_EQ_INT(su_get(db, c.fingerprint, &got), CACHET_OK);
    CHECK_MEM(got.der, got.der_len, c.der, c.der_len);
    CHECK_EQ_INT(got.origin, CACHET_DB_ANCHOR);
    CHECK(got.num_emails == 1 && su_has_email(&got, "p@example.com"));
    cachet_db_cert_clear(&got);
    cachet_membuf der = {0};
    bool found = false;
    int64_t seen = 0;
    CHECK_EQ_INT(cachet_db_get_caps(db, "p@example.com", &der, &seen, &found, &err), CACHET_OK);
    CHECK(found && seen == 77);
    cachet_membuf_free(&der);
    cachet_db_cert_clear(&c);
    cachet_db_close(db);
}

static void bad_records_are_refused_before_writing(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_cert c;
    su_cert(&c, 50, "CN=Bad", SU_T0, CACHET_DB_IMPORTED);
    cachet_error err;
    /* DER over the limit */
    uint8_t *saved = c.der;
    size_t saved_len = c.der_len;
    c.der = cachet_calloc(1, CACHET_DB_MAX_CERT + 1);
    c.der_len = CACHET_DB_MAX_CERT + 1;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_put_cert(db, &c, NULL, &err), CACHET_ERR_LIMIT);
    cachet_free(c.der);
    c.der = saved;
    c.der_len = saved_len;
    /* fingerprint not 64 lowercase hex */
    char fp[65];
    memcpy(fp, c.fingerprint, sizeof(fp));
    c.fingerprint[0] = 'A';
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_put_cert(db, &c, NULL, &err), CACHET_ERR_USAGE);
    memcpy(c.fingerprint, fp, sizeof(fp));
    /* more addresses than a record holds */
    for (int i = 0; i < CACHET_DB_MAX_EMAILS; i++) {
        char addr[40];
        snprintf(addr, sizeof(addr), "u%d@example.com", i);
        CHECK(cachet_db_cert_add_email(&c, addr));
    }
    CHECK(!cachet_db_cert_add_email(&c, "one-more@example.com"));
    CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
    cachet_db_cert extra;
    su_cert(&extra, 50, "CN=Bad", SU_T0, CACHET_DB_IMPORTED);
    CHECK(cachet_db_cert_add_email(&extra, "one-more@example.com"));
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_put_cert(db, &extra, NULL, &err), CACHET_ERR_LIMIT);
    cachet_db_cert *found = NULL;
    CHECK_EQ_INT(su_find(db, "one-more@example.com", &found), 0); /* rolled back */
    cachet_db_cert_clear(&extra);
    cachet_db_cert_clear(&c);
    cachet_db_close(db);
}

/* A store edited behind our back: an oversized DER and an out-of-range origin
 * are refused on read, never allocated or passed on. */
static void corrupted_records_are_refused_on_read(void) {
    bool lite = strcmp(suite_backend->kind, "sqlite") == 0;
    const struct {
        const char *sql; /* %s: the record's fingerprint */
        cachet_status want;
    } cases[] = {
        {lite ? "UPDATE certs SET der = zeroblob(300000) WHERE fingerprint = '%s'"
              : "UPDATE certs SET der = decode(repeat('00', 300000), 'hex') WHERE fingerprint = "
                "'%s'",
         CACHET_ERR_LIMIT},
        {"UPDATE certs SET origin = 9 WHERE fingerprint = '%s'", CACHET_ERR_MALFORMED},
        {"UPDATE certs SET is_ca = 2 WHERE fingerprint = '%s'", CACHET_ERR_MALFORMED},
        {"UPDATE certs SET key_usage = -1 WHERE fingerprint = '%s'", CACHET_ERR_MALFORMED},
        {"UPDATE cert_emails SET address = 'no address' WHERE fingerprint = '%s'",
         CACHET_ERR_MALFORMED},
        {lite ? "UPDATE certs SET der = x'' WHERE fingerprint = '%s'"
              : "UPDATE certs SET der = ''::bytea WHERE fingerprint = '%s'",
         CACHET_ERR_MALFORMED},
        /* SQLite keeps what it is given whatever the column type */
        {lite ? "UPDATE certs SET not_before = 'yesterday' WHERE fingerprint = '%s'" : NULL,
         CACHET_ERR_MALFORMED},
        {lite ? "UPDATE certs SET serial = x'4100ff' WHERE fingerprint = '%s'" : NULL,
         CACHET_ERR_MALFORMED},
        /* bytes stored as text are still the bytes */
        {lite ? "UPDATE certs SET der = 'text' WHERE fingerprint = '%s'" : NULL, CACHET_OK},
    };
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (cases[i].sql == NULL) {
            continue;
        }
        cachet_db_cert c, got, *list = NULL;
        su_cert(&c, 60 + (int)i, "CN=Corrupt", SU_T0, CACHET_DB_IMPORTED);
        CHECK(cachet_db_cert_add_email(&c, "victim@example.com"));
        CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
        char sql[256];
        snprintf(sql, sizeof(sql), cases[i].sql, c.fingerprint);
        CHECK(suite_backend->raw_sql(url, sql));
        cachet_status st = su_get(db, c.fingerprint, &got);
        if (st != cases[i].want) {
            fprintf(stderr, "case %zu: %s\n", i, cases[i].sql);
        }
        CHECK_EQ_INT(st, cases[i].want);
        CHECK(st == CACHET_OK || (got.der == NULL && got.emails == NULL));
        cachet_db_cert_clear(&got);
        cachet_error err;
        cachet_err_clear(&err);
        size_t n = 7;
        st = cachet_db_list_certs(db, &list, &n, &err);
        CHECK_EQ_INT(st, cases[i].want);
        CHECK(st == CACHET_OK || (list == NULL && n == 0));
        CHECK(st == CACHET_OK || strstr(err.message, "corrupt store") != NULL);
        cachet_db_certs_free(list, n);
        cachet_err_clear(&err);
        CHECK_EQ_INT(cachet_db_remove_cert(db, c.fingerprint, &err), CACHET_OK); /* repairs */
        cachet_db_cert_clear(&c);
    }
    cachet_db_close(db);
}

static void newer_schema_is_refused(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_close(db);
    CHECK(
        suite_backend->raw_sql(url, "INSERT INTO cachet_schema (version, applied) VALUES (2, 0)"));
    cachet_error err;
    cachet_err_clear(&err);
    db = NULL;
    CHECK_EQ_INT(cachet_db_open(url, &db, &err), CACHET_ERR_UNSUPPORTED);
    CHECK(db == NULL);
    CHECK(strstr(err.message, "schema version 2") != NULL);
}

/* Two processes open the same new store at once (both create the schema) and
 * write the same 30 certificates, each with its own address added, plus 30 of
 * their own: no error, every certificate once, every address merged. */
#define SU_SHARED 30
#define SU_OWN 30

static int su_writer(const char *url, int who, int go_fd) {
    char c;
    if (read(go_fd, &c, 1) < 0) {
        return 2;
    }
    cachet_db *db = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    if (cachet_db_open(url, &db, &err) != CACHET_OK) {
        fprintf(stderr, "writer %d: open: %s\n", who, err.message);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < SU_SHARED + SU_OWN && rc == 0; i++) {
        int n = i < SU_SHARED ? 1000 + i : 2000 + who * 100 + i;
        cachet_db_cert rec;
        su_cert(&rec, n, "CN=Concurrent", SU_T0 + i, CACHET_DB_HARVESTED);
        char addr[64];
        snprintf(addr, sizeof(addr), "writer%d@example.com", who);
        cachet_db_cert_add_email(&rec, addr);
        cachet_db_cert_add_email(&rec, "all@example.com");
        if (cachet_db_put_cert(db, &rec, NULL, &err) != CACHET_OK) {
            fprintf(stderr, "writer %d: put %d: %s\n", who, i, err.message);
            rc = 1;
        }
        uint8_t caps[3] = {0x30, 0x01, (uint8_t)who};
        if (rc == 0 && cachet_db_put_caps(db, "all@example.com", caps, 3, i, &err) != CACHET_OK) {
            fprintf(stderr, "writer %d: caps %d: %s\n", who, i, err.message);
            rc = 1;
        }
        cachet_db_cert_clear(&rec);
    }
    cachet_db_close(db);
    return rc;
}

static void two_processes_writing_at_once_store_each_once(void) {
    char url[1024];
    suite_backend->fresh_url(url, sizeof(url));
    int go[2];
    CHECK(pipe(go) == 0);
    pid_t pids[2];
    for (int who = 0; who < 2; who++) {
        fflush(NULL);
        pids[who] = fork();
        if (pids[who] == 0) {
            close(go[1]);
            _exit(su_writer(url, who, go[0]));
        }
    }
    close(go[0]);
    close(go[1]); /* both readers wake at once */
    for (int who = 0; who < 2; who++) {
        int status = 0;
        CHECK(waitpid(pids[who], &status, 0) == pids[who]);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    cachet_db *db = su_open(url);
    CHECK(db != NULL);
    if (db == NULL) {
        return;
    }
    cachet_error err;
    cachet_err_clear(&err);
    cachet_db_cert *all = NULL;
    size_t n = 0;
    CHECK_EQ_INT(cachet_db_list_certs(db, &all, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, SU_SHARED + 2 * SU_OWN);
    for (size_t i = 0; i < n; i++) {
        bool shared = strcmp(all[i].serial, "07d0") < 0; /* n < 2000 */
        CHECK(su_has_email(&all[i], "all@example.com"));
        if (shared) {
            CHECK_EQ_INT(all[i].num_emails, 3);
        } else {
            CHECK_EQ_INT(all[i].num_emails, 2);
        }
        for (size_t j = 0; j < i; j++) {
            CHECK(strcmp(all[i].fingerprint, all[j].fingerprint) != 0);
        }
    }
    cachet_db_certs_free(all, n);
    CHECK_EQ_INT(su_find(db, "writer0@example.com", &all), SU_SHARED + SU_OWN);
    cachet_db_certs_free(all, SU_SHARED + SU_OWN);
    cachet_membuf der = {0};
    bool found = false;
    int64_t seen = 0;
    CHECK_EQ_INT(cachet_db_get_caps(db, "all@example.com", &der, &seen, &found, &err), CACHET_OK);
    CHECK(found && seen == SU_SHARED + SU_OWN - 1);
    cachet_membuf_free(&der);
    cachet_db_close(db);
}

#endif
