/* Helpers of the store suite (test_store_suite.h): the backend a test binary
 * runs the suite against, and records made up for the tests. */
#ifndef CACHET_TEST_STORE_UTIL_H
#define CACHET_TEST_STORE_UTIL_H

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "testlib.h"

typedef struct suite_backend_ops {
    /* a URL naming a store that does not exist yet */
    void (*fresh_url)(char *out, size_t out_len);
    /* runs |sql| directly on the store at |url| (corrupting it on purpose) */
    bool (*raw_sql)(const char *url, const char *sql);
    const char *kind;
} suite_backend_ops;

static const suite_backend_ops *suite_backend;

/* ---- helpers ---- */

static void su_hex(const uint8_t *in, size_t len, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

/* A record whose DER is |n| made into bytes and whose fingerprint is their
 * SHA-256, as pki/ would build it (the store itself does not parse). */
static void su_cert(cachet_db_cert *c, int n, const char *subject, int64_t not_before,
                    cachet_db_origin origin) {
    memset(c, 0, sizeof(*c));
    c->der_len = 64 + (size_t)(n % 50);
    c->der = cachet_malloc(c->der_len);
    for (size_t i = 0; i < c->der_len; i++) {
        c->der[i] = (uint8_t)(n * 31 + i * 7);
    }
    c->der[0] = 0x30;
    c->der[1] = (uint8_t)(n & 0xff);
    c->der[2] = (uint8_t)(n >> 8);
    uint8_t md[32];
    unsigned mdlen = 0;
    EVP_Digest(c->der, c->der_len, md, &mdlen, EVP_sha256(), NULL);
    su_hex(md, 32, c->fingerprint);
    snprintf(c->subject, sizeof(c->subject), "%s", subject);
    snprintf(c->issuer, sizeof(c->issuer), "CN=Test CA %d", n % 3);
    snprintf(c->serial, sizeof(c->serial), "%04x", n);
    snprintf(c->ski, sizeof(c->ski), "%08x", n);
    snprintf(c->aki, sizeof(c->aki), "%08x", n % 3);
    c->not_before = not_before;
    c->not_after = not_before + 86400 * 365;
    c->key_usage = CACHET_KU_DIGITAL_SIGNATURE | CACHET_KU_KEY_ENCIPHERMENT;
    c->email_protection = true;
    c->is_ca = n % 5 == 0;
    c->origin = origin;
}

static cachet_db *su_open_fresh(char *url, size_t url_len) {
    suite_backend->fresh_url(url, url_len);
    cachet_db *db = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    cachet_status st = cachet_db_open(url, &db, &err);
    if (st != CACHET_OK) {
        fprintf(stderr, "cannot open %s: %s\n", url, err.message);
    }
    CHECK_EQ_INT(st, CACHET_OK);
    return db;
}

static cachet_db *su_open(const char *url) {
    cachet_db *db = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    if (cachet_db_open(url, &db, &err) != CACHET_OK) {
        fprintf(stderr, "cannot open %s: %s\n", url, err.message);
    }
    return db;
}

static cachet_status su_put(cachet_db *db, const cachet_db_cert *c, bool *inserted) {
    cachet_error err;
    cachet_err_clear(&err);
    cachet_status st = cachet_db_put_cert(db, c, inserted, &err);
    if (st != CACHET_OK) {
        fprintf(stderr, "put_cert: %s\n", err.message);
    }
    return st;
}

static cachet_status su_get(cachet_db *db, const char *fp, cachet_db_cert *out) {
    cachet_error err;
    cachet_err_clear(&err);
    return cachet_db_get_cert(db, fp, out, &err);
}

static size_t su_find(cachet_db *db, const char *addr, cachet_db_cert **out) {
    cachet_error err;
    cachet_err_clear(&err);
    size_t num = 99;
    CHECK_EQ_INT(cachet_db_find_by_email(db, addr, out, &num, &err), CACHET_OK);
    return num;
}

static bool su_has_email(const cachet_db_cert *c, const char *addr) {
    for (size_t i = 0; i < c->num_emails; i++) {
        if (strcmp(c->emails[i], addr) == 0) {
            return true;
        }
    }
    return false;
}

#define SU_T0 1700000000

#endif
