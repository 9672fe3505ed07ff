/* Store suite, part 1: certificate records (put, get, find, list, origins, keys,
 * addresses, removal). Included by test_store_suite.h only. */
#ifndef CACHET_TEST_STORE_CASES_RECORDS_H
#define CACHET_TEST_STORE_CASES_RECORDS_H

#include "test_store_util.h"

static void put_then_get_returns_every_field(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_cert c, got;
    su_cert(&c, 7, "CN=Alice,O=Example", SU_T0, CACHET_DB_IMPORTED);
    CHECK(cachet_db_cert_add_email(&c, "alice@Example.ORG"));
    CHECK(cachet_db_cert_add_email(&c, "a.l@example.org"));
    snprintf(c.key_ref, sizeof(c.key_ref), "file:/keys/alice.pem");
    bool inserted = false;
    CHECK_EQ_INT(su_put(db, &c, &inserted), CACHET_OK);
    CHECK(inserted);
    CHECK_EQ_INT(su_get(db, c.fingerprint, &got), CACHET_OK);
    CHECK_MEM(got.der, got.der_len, c.der, c.der_len);
    CHECK_STR(got.fingerprint, c.fingerprint);
    CHECK_STR(got.subject, "CN=Alice,O=Example");
    CHECK_STR(got.issuer, c.issuer);
    CHECK_STR(got.serial, "0007");
    CHECK_STR(got.ski, c.ski);
    CHECK_STR(got.aki, c.aki);
    CHECK_EQ_INT(got.not_before, SU_T0);
    CHECK_EQ_INT(got.not_after, SU_T0 + 86400 * 365);
    CHECK_EQ_INT(got.key_usage, CACHET_KU_DIGITAL_SIGNATURE | CACHET_KU_KEY_ENCIPHERMENT);
    CHECK(got.email_protection);
    CHECK(!got.is_ca);
    CHECK_EQ_INT(got.origin, CACHET_DB_IMPORTED);
    CHECK(got.added > SU_T0);
    CHECK_STR(got.key_ref, "file:/keys/alice.pem");
    CHECK_EQ_INT(got.num_emails, 2);
    CHECK(su_has_email(&got, "alice@example.org"));
    CHECK(su_has_email(&got, "a.l@example.org"));
    cachet_db_cert_clear(&got);
    CHECK(su_put(db, &c, &inserted) == CACHET_OK && !inserted);
    cachet_db_cert_clear(&c);
    cachet_db_close(db);
}

static void get_by_prefix_finds_unique_and_refuses_ambiguous(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_cert a, b, got;
    su_cert(&a, 1, "CN=A", SU_T0, CACHET_DB_IMPORTED);
    su_cert(&b, 2, "CN=B", SU_T0, CACHET_DB_IMPORTED);
    /* Two fingerprints sharing their first 9 digits (the store does not recompute). */
    memset(a.fingerprint, '0', 64);
    memcpy(a.fingerprint, "abcdef012", 9);
    memset(b.fingerprint, '1', 64);
    memcpy(b.fingerprint, "abcdef012", 9);
    CHECK_EQ_INT(su_put(db, &a, NULL), CACHET_OK);
    CHECK_EQ_INT(su_put(db, &b, NULL), CACHET_OK);
    static const struct {
        const char *fp;
        cachet_status want;
        const char *subject;
    } cases[] = {
        {"abcdef012", CACHET_ERR_USAGE, NULL}, /* ambiguous */
        {"abcdef01", CACHET_ERR_USAGE, NULL},  /* ambiguous */
        {"abcdef0120", CACHET_OK, "CN=A"},     /* unique prefix */
        {"ABCDEF0121", CACHET_OK, "CN=B"},     /* upper case accepted */
        {"abcdef0", CACHET_ERR_USAGE, NULL},   /* under 8 digits */
        {"abcdef0x", CACHET_ERR_USAGE, NULL},  /* not hex */
        {"abcdef0%", CACHET_ERR_USAGE, NULL},  /* no LIKE pattern passes */
        {"abcdef013", CACHET_ERR_KEY, NULL},   /* not stored */
        {"", CACHET_ERR_USAGE, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_status st = su_get(db, cases[i].fp, &got);
        if (st != cases[i].want) {
            fprintf(stderr, "case %s\n", cases[i].fp);
        }
        CHECK_EQ_INT(st, cases[i].want);
        if (cases[i].subject != NULL) {
            CHECK_STR(got.subject, cases[i].subject);
        }
        cachet_db_cert_clear(&got);
    }
    CHECK_EQ_INT(su_get(db, a.fingerprint, &got), CACHET_OK);
    CHECK_STR(got.subject, "CN=A");
    cachet_db_cert_clear(&got);
    cachet_db_cert_clear(&a);
    cachet_db_cert_clear(&b);
    cachet_db_close(db);
}

static void origin_only_moves_up_on_put(void) {
    static const struct {
        cachet_db_origin first, second, want;
    } cases[] = {
        {CACHET_DB_HARVESTED, CACHET_DB_IMPORTED, CACHET_DB_IMPORTED},
        {CACHET_DB_HARVESTED, CACHET_DB_ANCHOR, CACHET_DB_ANCHOR},
        {CACHET_DB_IMPORTED, CACHET_DB_HARVESTED, CACHET_DB_IMPORTED},
        {CACHET_DB_ANCHOR, CACHET_DB_HARVESTED, CACHET_DB_ANCHOR},
        {CACHET_DB_ANCHOR, CACHET_DB_IMPORTED, CACHET_DB_ANCHOR},
        {CACHET_DB_IMPORTED, CACHET_DB_IMPORTED, CACHET_DB_IMPORTED},
    };
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_db_cert c, got;
        su_cert(&c, 100 + (int)i, "CN=O", SU_T0, cases[i].first);
        CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
        c.origin = cases[i].second;
        CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
        CHECK_EQ_INT(su_get(db, c.fingerprint, &got), CACHET_OK);
        CHECK_EQ_INT(got.origin, cases[i].want);
        cachet_db_cert_clear(&got);
        cachet_db_cert_clear(&c);
    }
    cachet_db_close(db);
}

static void set_origin_sets_any_origin_and_reports_unknown(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_cert c, got;
    cachet_error err;
    su_cert(&c, 3, "CN=T", SU_T0, CACHET_DB_ANCHOR);
    CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_set_origin(db, c.fingerprint, CACHET_DB_HARVESTED, &err), CACHET_OK);
    CHECK_EQ_INT(su_get(db, c.fingerprint, &got), CACHET_OK);
    CHECK_EQ_INT(got.origin, CACHET_DB_HARVESTED);
    cachet_db_cert_clear(&got);
    CHECK_EQ_INT(cachet_db_set_origin(db, c.fingerprint, CACHET_DB_ANCHOR, &err), CACHET_OK);
    CHECK_EQ_INT(su_get(db, c.fingerprint, &got), CACHET_OK);
    CHECK_EQ_INT(got.origin, CACHET_DB_ANCHOR);
    cachet_db_cert_clear(&got);
    char other[65];
    memset(other, 'e', 64);
    other[64] = '\0';
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_set_origin(db, other, CACHET_DB_ANCHOR, &err), CACHET_ERR_KEY);
    CHECK(strstr(err.message, "no certificate with fingerprint eeee") != NULL);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_set_origin(db, "abcd", CACHET_DB_ANCHOR, &err), CACHET_ERR_USAGE);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_set_origin(db, c.fingerprint, (cachet_db_origin)7, &err),
                 CACHET_ERR_USAGE);
    cachet_db_cert_clear(&c);
    cachet_db_close(db);
}

static void key_ref_is_kept_replaced_and_cleared(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_cert c, plain, got, *keys = NULL;
    cachet_error err;
    size_t num = 0;
    su_cert(&c, 4, "CN=K", SU_T0, CACHET_DB_IMPORTED);
    su_cert(&plain, 5, "CN=P", SU_T0, CACHET_DB_IMPORTED);
    snprintf(c.key_ref, sizeof(c.key_ref), "pkcs11:token=t;object=k");
    CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
    CHECK_EQ_INT(su_put(db, &plain, NULL), CACHET_OK);
    c.key_ref[0] = '\0'; /* a put without a key keeps the stored one */
    CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
    CHECK_EQ_INT(su_get(db, c.fingerprint, &got), CACHET_OK);
    CHECK_STR(got.key_ref, "pkcs11:token=t;object=k");
    cachet_db_cert_clear(&got);
    snprintf(c.key_ref, sizeof(c.key_ref), "file:/k2.pem");
    CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
    CHECK_EQ_INT(su_get(db, c.fingerprint, &got), CACHET_OK);
    CHECK_STR(got.key_ref, "file:/k2.pem");
    cachet_db_cert_clear(&got);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_list_keys(db, &keys, &num, &err), CACHET_OK);
    CHECK_EQ_INT(num, 1);
    if (num == 1) {
        CHECK_STR(keys[0].fingerprint, c.fingerprint);
    }
    cachet_db_certs_free(keys, num);
    CHECK_EQ_INT(cachet_db_set_key_ref(db, plain.fingerprint, "file:/p.pem", &err), CACHET_OK);
    CHECK_EQ_INT(cachet_db_set_key_ref(db, c.fingerprint, "", &err), CACHET_OK);
    CHECK_EQ_INT(cachet_db_list_keys(db, &keys, &num, &err), CACHET_OK);
    CHECK_EQ_INT(num, 1);
    if (num == 1) {
        CHECK_STR(keys[0].fingerprint, plain.fingerprint);
        CHECK_STR(keys[0].key_ref, "file:/p.pem");
    }
    cachet_db_certs_free(keys, num);
    char other[65];
    memset(other, 'f', 64);
    other[64] = '\0';
    CHECK_EQ_INT(cachet_db_set_key_ref(db, other, "file:/x", &err), CACHET_ERR_KEY);
    cachet_db_cert_clear(&c);
    cachet_db_cert_clear(&plain);
    cachet_db_close(db);
}

static void emails_of_a_stored_certificate_are_merged(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_cert c, got, *found = NULL;
    su_cert(&c, 6, "CN=M", SU_T0, CACHET_DB_HARVESTED);
    CHECK(cachet_db_cert_add_email(&c, "one@example.com"));
    CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
    cachet_db_cert again;
    su_cert(&again, 6, "CN=M", SU_T0, CACHET_DB_HARVESTED);
    CHECK(cachet_db_cert_add_email(&again, "two@EXAMPLE.com"));
    CHECK(cachet_db_cert_add_email(&again, "one@example.com"));
    bool inserted = true;
    CHECK_EQ_INT(su_put(db, &again, &inserted), CACHET_OK);
    CHECK(!inserted);
    CHECK_EQ_INT(su_get(db, c.fingerprint, &got), CACHET_OK);
    CHECK_EQ_INT(got.num_emails, 2);
    CHECK(su_has_email(&got, "one@example.com"));
    CHECK(su_has_email(&got, "two@example.com"));
    cachet_db_cert_clear(&got);
    size_t n = su_find(db, "two@example.com", &found);
    CHECK_EQ_INT(n, 1);
    cachet_db_certs_free(found, n);
    cachet_db_cert_clear(&c);
    cachet_db_cert_clear(&again);
    cachet_db_close(db);
}

static void find_by_email_ignores_domain_case_not_local_case(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_cert old, young, other;
    su_cert(&old, 10, "CN=Bob", SU_T0, CACHET_DB_IMPORTED);
    su_cert(&young, 11, "CN=Bob", SU_T0 + 1000, CACHET_DB_HARVESTED);
    su_cert(&other, 12, "CN=bob", SU_T0 + 2000, CACHET_DB_IMPORTED);
    CHECK(cachet_db_cert_add_email(&old, "Bob@Example.COM"));
    CHECK(cachet_db_cert_add_email(&young, "Bob@example.com"));
    CHECK(cachet_db_cert_add_email(&other, "bob@example.com"));
    CHECK_EQ_INT(su_put(db, &old, NULL), CACHET_OK);
    CHECK_EQ_INT(su_put(db, &young, NULL), CACHET_OK);
    CHECK_EQ_INT(su_put(db, &other, NULL), CACHET_OK);
    static const struct {
        const char *addr;
        size_t want;
    } cases[] = {
        {"Bob@example.com", 2}, {"Bob@EXAMPLE.com", 2}, {"Bob@Example.Com", 2},
        {"bob@example.com", 1}, {"BOB@example.com", 0}, {"bob@example.org", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_db_cert *found = NULL;
        size_t n = su_find(db, cases[i].addr, &found);
        if (n != cases[i].want) {
            fprintf(stderr, "case %s\n", cases[i].addr);
        }
        CHECK_EQ_INT(n, cases[i].want);
        if (n == 2) { /* newest not_before first */
            CHECK_STR(found[0].fingerprint, young.fingerprint);
            CHECK_STR(found[1].fingerprint, old.fingerprint);
        }
        CHECK(n > 0 || found == NULL);
        cachet_db_certs_free(found, n);
    }
    cachet_error err;
    cachet_err_clear(&err);
    cachet_db_cert *found = NULL;
    size_t n = 0;
    CHECK_EQ_INT(cachet_db_find_by_email(db, "no-at-sign", &found, &n, &err), CACHET_ERR_USAGE);
    cachet_db_cert_clear(&old);
    cachet_db_cert_clear(&young);
    cachet_db_cert_clear(&other);
    cachet_db_close(db);
}

static void find_by_subject_and_list_are_ordered(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_cert c[4];
    su_cert(&c[0], 20, "CN=Zed", SU_T0, CACHET_DB_IMPORTED);
    su_cert(&c[1], 21, "CN=CA", SU_T0, CACHET_DB_ANCHOR);
    c[1].is_ca = true;
    su_cert(&c[2], 22, "CN=CA", SU_T0 + 50, CACHET_DB_IMPORTED);
    su_cert(&c[3], 23, "CN=Amy", SU_T0, CACHET_DB_HARVESTED);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(su_put(db, &c[i], NULL), CACHET_OK);
    }
    cachet_error err;
    cachet_err_clear(&err);
    cachet_db_cert *out = NULL;
    size_t n = 0;
    CHECK_EQ_INT(cachet_db_find_by_subject(db, "CN=CA", &out, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 2);
    if (n == 2) {
        CHECK_STR(out[0].fingerprint, c[2].fingerprint);
        CHECK_STR(out[1].fingerprint, c[1].fingerprint);
    }
    cachet_db_certs_free(out, n);
    CHECK_EQ_INT(cachet_db_find_by_subject(db, "cn=ca", &out, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 0);
    CHECK(out == NULL);
    CHECK_EQ_INT(cachet_db_list_certs(db, &out, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 4);
    if (n == 4) { /* subject (bytewise), then newest first */
        CHECK_STR(out[0].subject, "CN=Amy");
        CHECK_STR(out[1].fingerprint, c[2].fingerprint);
        CHECK_STR(out[2].fingerprint, c[1].fingerprint);
        CHECK_STR(out[3].subject, "CN=Zed");
    }
    cachet_db_certs_free(out, n);
    CHECK_EQ_INT(cachet_db_list_anchors(db, &out, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK_STR(out[0].fingerprint, c[1].fingerprint);
        CHECK(out[0].is_ca);
    }
    cachet_db_certs_free(out, n);
    for (int i = 0; i < 4; i++) {
        cachet_db_cert_clear(&c[i]);
    }
    cachet_db_close(db);
}

static void empty_store_lists_nothing(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_error err;
    cachet_err_clear(&err);
    cachet_db_cert *out = (cachet_db_cert *)&err;
    size_t n = 5;
    CHECK_EQ_INT(cachet_db_list_certs(db, &out, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 0);
    CHECK(out == NULL);
    CHECK_EQ_INT(cachet_db_list_anchors(db, &out, &n, &err), CACHET_OK);
    CHECK(n == 0 && out == NULL);
    CHECK_EQ_INT(cachet_db_list_keys(db, &out, &n, &err), CACHET_OK);
    CHECK(n == 0 && out == NULL);
    cachet_db_close(db);
}

static void remove_deletes_record_and_addresses(void) {
    char url[1024];
    cachet_db *db = su_open_fresh(url, sizeof(url));
    if (db == NULL) {
        return;
    }
    cachet_db_cert c, keep, got, *found = NULL;
    su_cert(&c, 30, "CN=R", SU_T0, CACHET_DB_IMPORTED);
    su_cert(&keep, 31, "CN=R", SU_T0, CACHET_DB_IMPORTED);
    CHECK(cachet_db_cert_add_email(&c, "r@example.com"));
    CHECK(cachet_db_cert_add_email(&keep, "r@example.com"));
    snprintf(c.key_ref, sizeof(c.key_ref), "file:/r.pem");
    CHECK_EQ_INT(su_put(db, &c, NULL), CACHET_OK);
    CHECK_EQ_INT(su_put(db, &keep, NULL), CACHET_OK);
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_db_remove_cert(db, c.fingerprint, &err), CACHET_OK);
    CHECK_EQ_INT(su_get(db, c.fingerprint, &got), CACHET_ERR_KEY);
    size_t n = su_find(db, "r@example.com", &found);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK_STR(found[0].fingerprint, keep.fingerprint);
    }
    cachet_db_certs_free(found, n);
    CHECK_EQ_INT(cachet_db_remove_cert(db, c.fingerprint, &err), CACHET_ERR_KEY);
    /* stored again after removal: new, with only the addresses it now carries */
    cachet_db_cert_clear(&c);
    su_cert(&c, 30, "CN=R", SU_T0, CACHET_DB_HARVESTED);
    bool inserted = false;
    CHECK_EQ_INT(su_put(db, &c, &inserted), CACHET_OK);
    CHECK(inserted);
    CHECK_EQ_INT(su_get(db, c.fingerprint, &got), CACHET_OK);
    CHECK_EQ_INT(got.num_emails, 0);
    CHECK_STR(got.key_ref, "");
    cachet_db_cert_clear(&got);
    cachet_db_cert_clear(&c);
    cachet_db_cert_clear(&keep);
    cachet_db_close(db);
}

#endif
