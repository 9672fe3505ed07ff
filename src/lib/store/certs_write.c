/* Writing certificate records. Each call is one transaction; the INSERT ... ON
 * CONFLICT DO NOTHING makes two processes storing the same certificate at once
 * end with one row and no error, whichever commits first. */
#include <string.h>
#include <time.h>

#include "store/internal.h"

static cachet_status check_fp(const char *fp, cachet_error *err) {
    if (!cachet_db_valid_fp(fp)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1,
                              "a full fingerprint is 64 lowercase hex digits: %.80s",
                              fp != NULL ? fp : "(none)");
    }
    return CACHET_OK;
}

typedef struct put_args {
    const cachet_db_cert *c;
    char (*emails)[CACHET_DB_MAX_ADDRESS + 1];
    bool inserted;
} put_args;

static bool read_count(cachet_db *db, const cachet_db_row *row, void *arg, cachet_error *err) {
    return cachet_db_read_int(db, row, 0, arg, err);
}

static cachet_status put_tx(cachet_db *db, void *arg, cachet_error *err) {
    put_args *a = arg;
    const cachet_db_cert *c = a->c;
    const cachet_db_param p[15] = {
        CACHET_DB_TEXT(c->fingerprint),
        CACHET_DB_BLOB(c->der, c->der_len),
        CACHET_DB_TEXT(c->subject),
        CACHET_DB_TEXT(c->issuer),
        CACHET_DB_TEXT(c->serial),
        CACHET_DB_TEXT(c->ski),
        CACHET_DB_TEXT(c->aki),
        CACHET_DB_INT(c->not_before),
        CACHET_DB_INT(c->not_after),
        CACHET_DB_INT(c->key_usage),
        CACHET_DB_INT(c->email_protection ? 1 : 0),
        CACHET_DB_INT(c->is_ca ? 1 : 0),
        CACHET_DB_INT(c->origin),
        CACHET_DB_INT((int64_t)time(NULL)),
        CACHET_DB_TEXT(c->key_ref),
    };
    int64_t changes = 0;
    cachet_status st = db->ops->exec(
        db,
        "INSERT INTO certs (fingerprint, der, subject, issuer, serial, ski, aki, not_before,"
        " not_after, key_usage, email_protection, is_ca, origin, added, key_ref)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        " ON CONFLICT (fingerprint) DO NOTHING",
        p, 15, NULL, NULL, &changes, err);
    if (st != CACHET_OK) {
        return st;
    }
    a->inserted = changes > 0;
    if (!a->inserted) {
        const cachet_db_param up[2] = {CACHET_DB_TEXT(c->fingerprint), CACHET_DB_INT(c->origin)};
        st =
            db->ops->exec(db, "UPDATE certs SET origin = $2 WHERE fingerprint = $1 AND origin < $2",
                          up, 2, NULL, NULL, NULL, err);
        if (st == CACHET_OK && c->key_ref[0] != '\0') {
            const cachet_db_param kp[2] = {CACHET_DB_TEXT(c->fingerprint),
                                           CACHET_DB_TEXT(c->key_ref)};
            st = db->ops->exec(db, "UPDATE certs SET key_ref = $2 WHERE fingerprint = $1", kp, 2,
                               NULL, NULL, NULL, err);
        }
    }
    for (size_t i = 0; st == CACHET_OK && i < c->num_emails; i++) {
        const cachet_db_param ep[2] = {CACHET_DB_TEXT(c->fingerprint),
                                       CACHET_DB_TEXT(a->emails[i])};
        st = db->ops->exec(db,
                           "INSERT INTO cert_emails (fingerprint, address) VALUES ($1, $2)"
                           " ON CONFLICT DO NOTHING",
                           ep, 2, NULL, NULL, NULL, err);
    }
    if (st == CACHET_OK && !a->inserted && c->num_emails > 0) {
        int64_t count = 0;
        cachet_db_param fp = CACHET_DB_TEXT(c->fingerprint);
        st = db->ops->exec(db, "SELECT COUNT(*) FROM cert_emails WHERE fingerprint = $1", &fp, 1,
                           read_count, &count, NULL, err);
        if (st == CACHET_OK && count > CACHET_DB_MAX_EMAILS) {
            st = cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1,
                                "certificate %s would carry more than %d addresses", c->fingerprint,
                                CACHET_DB_MAX_EMAILS);
        }
    }
    return st;
}

static cachet_status check_record(const cachet_db_cert *c, cachet_error *err) {
    if (c == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no certificate");
    }
    cachet_status st = check_fp(c->fingerprint, err);
    if (st != CACHET_OK) {
        return st;
    }
    if (c->der == NULL || c->der_len == 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "certificate without DER");
    }
    if (c->der_len > CACHET_DB_MAX_CERT) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1,
                              "certificate of %zu bytes exceeds the store's limit of %u",
                              c->der_len, CACHET_DB_MAX_CERT);
    }
    if (!cachet_db_terminated(c->subject, sizeof(c->subject)) ||
        !cachet_db_terminated(c->issuer, sizeof(c->issuer)) ||
        !cachet_db_terminated(c->serial, sizeof(c->serial)) ||
        !cachet_db_terminated(c->ski, sizeof(c->ski)) ||
        !cachet_db_terminated(c->aki, sizeof(c->aki)) ||
        !cachet_db_terminated(c->key_ref, sizeof(c->key_ref))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "unterminated record field");
    }
    if (c->origin < CACHET_DB_HARVESTED || c->origin > CACHET_DB_ANCHOR || c->key_usage > 0xffff) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "record field out of range");
    }
    if (c->num_emails > CACHET_DB_MAX_EMAILS || (c->num_emails > 0 && c->emails == NULL)) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1,
                              "certificate with more than %d addresses", CACHET_DB_MAX_EMAILS);
    }
    return CACHET_OK;
}

cachet_status cachet_db_put_cert(cachet_db *db, const cachet_db_cert *c, bool *inserted,
                                 cachet_error *err) {
    if (inserted != NULL) {
        *inserted = false;
    }
    cachet_status st = check_record(c, err);
    if (st != CACHET_OK) {
        return st;
    }
    char emails[CACHET_DB_MAX_EMAILS][CACHET_DB_MAX_ADDRESS + 1];
    for (size_t i = 0; i < c->num_emails; i++) {
        if (!cachet_db_normalize_address(c->emails[i], emails[i], sizeof(emails[i]))) {
            return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "not an email address: %.80s",
                                  c->emails[i] != NULL ? c->emails[i] : "(none)");
        }
    }
    put_args a = {.c = c, .emails = emails};
    st = cachet_db_in_tx(db, CACHET_DB_TX_WRITE, put_tx, &a, err);
    if (st == CACHET_OK && inserted != NULL) {
        *inserted = a.inserted;
    }
    return st;
}

typedef struct update_args {
    const char *sql[2];
    cachet_db_param params[2];
    size_t num_params;
} update_args;

/* Runs the statements in order; the last one must touch a row, else the
 * certificate is not in the store. */
static cachet_status update_tx(cachet_db *db, void *arg, cachet_error *err) {
    update_args *a = arg;
    int64_t changes = 0;
    for (size_t i = 0; i < 2 && a->sql[i] != NULL; i++) {
        cachet_status st =
            db->ops->exec(db, a->sql[i], a->params, a->num_params, NULL, NULL, &changes, err);
        if (st != CACHET_OK) {
            return st;
        }
    }
    if (changes == 0) {
        return cachet_err_set(err, CACHET_ERR_KEY, "store", -1,
                              "no certificate with fingerprint %s in the store", a->params[0].s);
    }
    return CACHET_OK;
}

cachet_status cachet_db_set_origin(cachet_db *db, const char *fp, cachet_db_origin origin,
                                   cachet_error *err) {
    cachet_status st = check_fp(fp, err);
    if (st != CACHET_OK) {
        return st;
    }
    if (origin < CACHET_DB_HARVESTED || origin > CACHET_DB_ANCHOR) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "unknown origin %d", (int)origin);
    }
    update_args a = {.sql = {"UPDATE certs SET origin = $2 WHERE fingerprint = $1", NULL},
                     .params = {CACHET_DB_TEXT(fp), CACHET_DB_INT(origin)},
                     .num_params = 2};
    return cachet_db_in_tx(db, CACHET_DB_TX_WRITE, update_tx, &a, err);
}

cachet_status cachet_db_set_key_ref(cachet_db *db, const char *fp, const char *key_ref,
                                    cachet_error *err) {
    cachet_status st = check_fp(fp, err);
    if (st != CACHET_OK) {
        return st;
    }
    if (key_ref == NULL || strnlen(key_ref, 1024) >= 1024) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1,
                              "a key reference is at most 1023 bytes");
    }
    update_args a = {.sql = {"UPDATE certs SET key_ref = $2 WHERE fingerprint = $1", NULL},
                     .params = {CACHET_DB_TEXT(fp), CACHET_DB_TEXT(key_ref)},
                     .num_params = 2};
    return cachet_db_in_tx(db, CACHET_DB_TX_WRITE, update_tx, &a, err);
}

cachet_status cachet_db_remove_cert(cachet_db *db, const char *fp, cachet_error *err) {
    cachet_status st = check_fp(fp, err);
    if (st != CACHET_OK) {
        return st;
    }
    update_args a = {.sql = {"DELETE FROM cert_emails WHERE fingerprint = $1",
                             "DELETE FROM certs WHERE fingerprint = $1"},
                     .params = {CACHET_DB_TEXT(fp)},
                     .num_params = 1};
    return cachet_db_in_tx(db, CACHET_DB_TX_WRITE, update_tx, &a, err);
}
