/* Revocation policy (pki/revocation.c): OCSP, then a stored CRL while current,
 * then one fetched and cached; a temporary SQLite store is the cache. Live
 * cases run a real `openssl ocsp` responder and a CRL served by `python3 -m
 * http.server` on loopback, and stop them to make "responder down" and "both
 * down". The test PKI: test_revocation_fixture.h. */
#include "pki/pki.h"
#include "test_revocation_fixture.h"

/* ---- The check (pki), with a store as the CRL cache ---- */

/* open_store opens a fresh SQLite store holding the CA as an anchor. */
static cachet_db *open_store(const char *name, bool with_ca) {
    cachet_db *db = NULL;
    cachet_error err = {0};
    if (cachet_db_open(path_of(name), &db, &err) != CACHET_OK) {
        fprintf(stderr, "cachet_db_open: %s\n", err.message);
        return NULL;
    }
    cachet_db_cert rec = {0};
    if (with_ca && (cachet_pki_cert_record(certs[CA], CACHET_DB_ANCHOR, &rec, &err) != CACHET_OK ||
                    cachet_db_put_cert(db, &rec, NULL, &err) != CACHET_OK)) {
        fprintf(stderr, "storing the CA: %s\n", err.message);
        cachet_db_close(db);
        db = NULL;
    }
    cachet_db_cert_clear(&rec);
    return db;
}

static cachet_status import_file(cachet_db *db, const char *name) {
    size_t len = 0;
    uint8_t *data = cachet_test_read_file(path_of(name), &len);
    char source[300];
    snprintf(source, sizeof(source), "file:%s", path_of(name));
    cachet_status st = cachet_pki_import_crl(db, data, len, source, NULL);
    free(data);
    return st;
}

static cachet_revocation_result check(cachet_db *db, int cert, int64_t now) {
    cachet_revocation_result r;
    memset(&r, 0xAA, sizeof(r)); /* every field must be written */
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_pki_revocation_check(db, certs[cert], certs[CA], now, 5, &r, &err),
                 CACHET_OK);
    return r;
}

static void import_crl_needs_a_stored_issuer_whose_key_signed_it(void) {
    CHECK(setup());
    cachet_db *empty = open_store("import-empty.db", false);
    cachet_db *db = open_store("import.db", true);
    CHECK(empty != NULL && db != NULL);
    if (empty == NULL || db == NULL) {
        cachet_db_close(empty);
        cachet_db_close(db);
        return;
    }
    CHECK_EQ_INT(import_file(empty, "www/ca.crl"), CACHET_ERR_KEY);
    CHECK_EQ_INT(import_file(db, "wrongkey.crl"), CACHET_ERR_UNTRUSTED);
    CHECK_EQ_INT(import_file(db, "good.crt"), CACHET_ERR_MALFORMED);
    CHECK_EQ_INT(import_file(db, "future.crl.pem"), CACHET_ERR_UNTRUSTED);
    cachet_db_crl meta;
    cachet_membuf der = {0};
    bool found = true;
    CHECK_EQ_INT(cachet_db_get_crl(db, "CN=Cachet Revocation Test CA,O=Cachet Test,C=XX", &meta,
                                   &der, &found, NULL),
                 CACHET_OK);
    CHECK(!found);
    CHECK_EQ_INT(import_file(db, "ca.crl.pem"), CACHET_OK);
    CHECK_EQ_INT(cachet_db_get_crl(db, "CN=Cachet Revocation Test CA,O=Cachet Test,C=XX", &meta,
                                   &der, &found, NULL),
                 CACHET_OK);
    CHECK(found);
    char source[300];
    snprintf(source, sizeof(source), "file:%s", path_of("ca.crl.pem"));
    CHECK_STR(meta.source, source);
    CHECK_EQ_INT(meta.next_update - meta.this_update, 30 * 86400);
    size_t len = 0;
    uint8_t *want = cachet_test_read_file(path_of("www/ca.crl"), &len);
    CHECK_MEM(der.data, der.len, want, len); /* stored as DER whatever came in */
    free(want);
    cachet_membuf_free(&der);
    cachet_db_close(empty);
    cachet_db_close(db);
}

static void no_responder_and_no_crl_means_not_checked(void) {
    CHECK(setup());
    cachet_revocation_result r = check(NULL, PLAIN, time(NULL));
    CHECK_EQ_INT(r.state, CACHET_REV_NOT_CHECKED);
    CHECK_STR(r.method, "");
    CHECK_STR(r.source, "");
    CHECK_STR(r.detail, "the certificate names no OCSP responder or CRL distribution point");
    /* A CRL imported for its issuer is a source all the same. */
    cachet_db *db = open_store("plain.db", true);
    CHECK(db != NULL && import_file(db, "www/ca.crl") == CACHET_OK);
    r = check(db, PLAIN, time(NULL));
    CHECK_EQ_INT(r.state, CACHET_REV_GOOD);
    CHECK_STR(r.method, "crl");
    CHECK_STR(r.source, "store");
    cachet_db_close(db);
    cachet_revocation_result bad;
    CHECK_EQ_INT(
        cachet_pki_revocation_check(NULL, certs[GOOD], certs[WRONGKEY], time(NULL), 5, &bad, NULL),
        CACHET_ERR_USAGE);
}

/* No server is running yet: the responder and the distribution point refuse. */
static void stored_crl_answers_while_current_and_not_after(void) {
    CHECK(setup());
    cachet_db *db = open_store("stored.db", true);
    CHECK(db != NULL && import_file(db, "www/ca.crl") == CACHET_OK);
    int64_t now = time(NULL);
    cachet_revocation_result r = check(db, GOOD, now);
    CHECK_EQ_INT(r.state, CACHET_REV_GOOD);
    CHECK_STR(r.method, "crl");
    CHECK_STR(r.source, "store");
    CHECK_STR(r.detail, "");
    CHECK_EQ_INT(r.revoked_at, 0);
    r = check(db, REVOKED, now);
    CHECK_EQ_INT(r.state, CACHET_REV_REVOKED);
    CHECK_STR(r.source, "store");
    CHECK_EQ_INT(r.revoked_at, index_revocation_time("5002"));
    CHECK_STR(r.detail, "keyCompromise");
    /* Past its nextUpdate the stored CRL is not used, and nothing else answers. */
    cachet_crl *crl = load_crl("www/ca.crl");
    int64_t tu = 0, nu = 0;
    if (crl != NULL) {
        cachet_crl_times(crl, &tu, &nu);
    }
    cachet_crl_free(crl);
    r = check(db, REVOKED, nu + 86400);
    CHECK_EQ_INT(r.state, CACHET_REV_UNKNOWN);
    char want[600], date[32];
    time_t nt = (time_t)nu;
    struct tm tm;
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%SZ", gmtime_r(&nt, &tm));
    snprintf(want, sizeof(want),
             "OCSP responder http://127.0.0.1:%d did not answer: connection refused; the stored "
             "CRL (from file:%s) expired %s; CRL http://127.0.0.1:%d/ca.crl could not be fetched: "
             "connection refused",
             port_ocsp, path_of("www/ca.crl"), date, port_http);
    want[sizeof(r.detail) - 1] = '\0';
    CHECK_STR(r.detail, want);
    cachet_db_close(db);
}

/* ---- Live: a real responder and a CRL over HTTP on loopback ---- */

static void live_responder_then_crl_then_nothing(void) {
    CHECK(setup());
    start_ocsp();
    start_http();
    CHECK(pid_ocsp > 0 && log_says(path_of("ocsp.log"), "waiting for OCSP client connections"));
    CHECK(pid_http > 0 && port_open(port_http));
    char ocsp_url[64], crl_url[64];
    snprintf(ocsp_url, sizeof(ocsp_url), "http://127.0.0.1:%d", port_ocsp);
    snprintf(crl_url, sizeof(crl_url), "http://127.0.0.1:%d/ca.crl", port_http);
    int64_t now = time(NULL);

    /* Both up: OCSP answers. */
    cachet_revocation_result r = check(NULL, GOOD, now);
    CHECK_EQ_INT(r.state, CACHET_REV_GOOD);
    CHECK_STR(r.method, "ocsp");
    CHECK_STR(r.source, ocsp_url);
    CHECK_STR(r.detail, "");
    CHECK(r.this_update >= now - 5 && r.this_update <= time(NULL) + 5);
    r = check(NULL, REVOKED, now);
    CHECK_EQ_INT(r.state, CACHET_REV_REVOKED);
    CHECK_STR(r.method, "ocsp");
    CHECK_EQ_INT(r.revoked_at, index_revocation_time("5002"));
    CHECK_STR(r.detail, "keyCompromise");
    /* The responder does not know it; the CRL, which does not list it, cannot overrule that. */
    r = check(NULL, UNKNOWN, now);
    CHECK_EQ_INT(r.state, CACHET_REV_UNKNOWN);
    CHECK_STR(r.method, "ocsp");
    CHECK_STR(r.source, ocsp_url);
    char want[400];
    snprintf(want, sizeof(want), "OCSP responder %s does not know the certificate", ocsp_url);
    CHECK_STR(r.detail, want);

    /* The HTTP client's limits, against a real server. */
    cachet_membuf body = {0};
    cachet_error err = {0};
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/missing.crl", port_http);
    CHECK_EQ_INT(cachet_http_fetch(url, NULL, 0, NULL, NULL, 100000, 5, &body, &err),
                 CACHET_ERR_IO);
    CHECK_STR(err.message, "received error: code=404, reason=File not found");
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_http_fetch(crl_url, NULL, 0, NULL, NULL, 100, 5, &body, &err),
                 CACHET_ERR_IO);
    CHECK(strstr(err.message, "max resp len exceeded") != NULL);
    CHECK_EQ_INT(body.len, 0);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_http_fetch(crl_url, NULL, 0, NULL, NULL, 100000, 5, &body, &err),
                 CACHET_OK);
    size_t crl_len = 0;
    uint8_t *crl_der = cachet_test_read_file(path_of("www/ca.crl"), &crl_len);
    CHECK_MEM(body.data, body.len, crl_der, crl_len);
    free(crl_der);
    cachet_membuf_free(&body);

    /* Responder down: the CRL is fetched, checked and cached. */
    stop(&pid_ocsp);
    cachet_db *db = open_store("live.db", true);
    CHECK(db != NULL);
    r = check(NULL, REVOKED, now);
    CHECK_EQ_INT(r.state, CACHET_REV_REVOKED);
    CHECK_STR(r.method, "crl");
    CHECK_STR(r.source, crl_url);
    CHECK_EQ_INT(r.revoked_at, index_revocation_time("5002"));
    r = check(db, GOOD, now);
    CHECK_EQ_INT(r.state, CACHET_REV_GOOD);
    CHECK_STR(r.method, "crl");
    CHECK_STR(r.source, crl_url);
    cachet_db_crl meta;
    cachet_membuf der = {0};
    bool found = false;
    CHECK_EQ_INT(cachet_db_get_crl(db, "CN=Cachet Revocation Test CA,O=Cachet Test,C=XX", &meta,
                                   &der, &found, NULL),
                 CACHET_OK);
    CHECK(found);
    CHECK_STR(meta.source, crl_url);
    cachet_membuf_free(&der);

    /* Both down: the cached CRL answers; without it nothing does. */
    stop(&pid_http);
    r = check(db, REVOKED, now);
    CHECK_EQ_INT(r.state, CACHET_REV_REVOKED);
    CHECK_STR(r.source, "store");
    r = check(NULL, GOOD, now);
    CHECK_EQ_INT(r.state, CACHET_REV_UNKNOWN);
    CHECK_STR(r.method, "");
    snprintf(want, sizeof(want),
             "OCSP responder %s did not answer: connection refused; CRL %s could not be fetched: "
             "connection refused",
             ocsp_url, crl_url);
    CHECK_STR(r.detail, want);
    cachet_db_close(db);
}

static const cachet_test_case tests[] = {
    TEST_CASE(import_crl_needs_a_stored_issuer_whose_key_signed_it),
    TEST_CASE(no_responder_and_no_crl_means_not_checked),
    TEST_CASE(stored_crl_answers_while_current_and_not_after),
    TEST_CASE(live_responder_then_crl_then_nothing),
};
TEST_MAIN(tests)
