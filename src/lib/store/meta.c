/* Capabilities per address and CRLs per issuer. Both are upserts guarded by a
 * time in the row (the newest capabilities, the CRL with the newest
 * thisUpdate), so concurrent writers end with the newest whatever the order. */
#include <string.h>

#include "store/internal.h"

_Static_assert(CACHET_DB_MAX_CAPS == 16384, "update the substr bound of the caps SELECT");
_Static_assert(CACHET_DB_MAX_CRL == 67108864, "update the substr bound of the CRL SELECT");

typedef struct blob_args {
    const char *sql;
    const cachet_db_param *params;
    size_t num_params;
} blob_args;

static cachet_status write_tx(cachet_db *db, void *arg, cachet_error *err) {
    blob_args *a = arg;
    return db->ops->exec(db, a->sql, a->params, a->num_params, NULL, NULL, NULL, err);
}

cachet_status cachet_db_put_caps(cachet_db *db, const char *addr, const uint8_t *der, size_t len,
                                 int64_t seen, cachet_error *err) {
    char norm[CACHET_DB_MAX_ADDRESS + 1];
    if (!cachet_db_normalize_address(addr, norm, sizeof(norm))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "not an email address: %.80s",
                              addr != NULL ? addr : "(none)");
    }
    if (der == NULL || len == 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "empty capabilities");
    }
    if (len > CACHET_DB_MAX_CAPS) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1,
                              "capabilities of %zu bytes exceed the store's limit of %u", len,
                              CACHET_DB_MAX_CAPS);
    }
    const cachet_db_param p[3] = {CACHET_DB_TEXT(norm), CACHET_DB_BLOB(der, len),
                                  CACHET_DB_INT(seen)};
    /* ">=": the same message seen twice, or two in one second, keeps the last. */
    blob_args a = {.sql = "INSERT INTO caps (address, der, seen) VALUES ($1, $2, $3)"
                          " ON CONFLICT (address) DO UPDATE SET der = excluded.der,"
                          " seen = excluded.seen WHERE excluded.seen >= caps.seen",
                   .params = p,
                   .num_params = 3};
    return cachet_db_in_tx(db, CACHET_DB_TX_WRITE, write_tx, &a, err);
}

typedef struct caps_read {
    const cachet_db_param *param;
    cachet_membuf *der;
    int64_t seen;
    bool found;
} caps_read;

static bool copy_blob(cachet_db *db, const cachet_db_row *row, int col, size_t max,
                      cachet_membuf *out, cachet_error *err) {
    uint8_t *blob = NULL;
    size_t len = 0;
    if (!cachet_db_read_blob(db, row, col, max, &blob, &len, err)) {
        return false;
    }
    cachet_membuf_reset(out);
    bool ok = cachet_membuf_append(out, blob, len);
    cachet_free(blob);
    if (!ok) {
        cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1,
                       "a stored object of %zu bytes does not fit the buffer", len);
    }
    return ok;
}

static bool caps_row(cachet_db *db, const cachet_db_row *row, void *arg, cachet_error *err) {
    caps_read *r = arg;
    if (!cachet_db_read_int(db, row, 1, &r->seen, err) ||
        !copy_blob(db, row, 0, CACHET_DB_MAX_CAPS, r->der, err)) {
        return false;
    }
    r->found = true;
    return true;
}

static cachet_status caps_tx(cachet_db *db, void *arg, cachet_error *err) {
    caps_read *r = arg;
    r->found = false;
    return db->ops->exec(db, "SELECT substr(der, 1, 16385), seen FROM caps WHERE address = $1",
                         r->param, 1, caps_row, r, NULL, err);
}

cachet_status cachet_db_get_caps(cachet_db *db, const char *addr, cachet_membuf *der, int64_t *seen,
                                 bool *found, cachet_error *err) {
    if (der == NULL || found == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no output");
    }
    *found = false;
    cachet_membuf_reset(der);
    char norm[CACHET_DB_MAX_ADDRESS + 1];
    if (!cachet_db_normalize_address(addr, norm, sizeof(norm))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "not an email address: %.80s",
                              addr != NULL ? addr : "(none)");
    }
    cachet_db_param p = CACHET_DB_TEXT(norm);
    caps_read r = {.param = &p, .der = der};
    cachet_status st = cachet_db_in_tx(db, CACHET_DB_TX_READ, caps_tx, &r, err);
    if (st != CACHET_OK) {
        cachet_membuf_reset(der);
        return st;
    }
    *found = r.found;
    if (seen != NULL) {
        *seen = r.found ? r.seen : 0;
    }
    return CACHET_OK;
}

cachet_status cachet_db_put_crl(cachet_db *db, const cachet_db_crl *meta, const uint8_t *der,
                                size_t len, cachet_error *err) {
    if (meta == NULL || !cachet_db_terminated(meta->issuer, sizeof(meta->issuer)) ||
        !cachet_db_terminated(meta->source, sizeof(meta->source)) || meta->issuer[0] == '\0') {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "CRL without an issuer");
    }
    if (der == NULL || len == 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "empty CRL");
    }
    if (len > CACHET_DB_MAX_CRL) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1,
                              "CRL of %zu bytes exceeds the store's limit of %u", len,
                              CACHET_DB_MAX_CRL);
    }
    const cachet_db_param p[6] = {
        CACHET_DB_TEXT(meta->issuer),     CACHET_DB_TEXT(meta->source),
        CACHET_DB_INT(meta->this_update), CACHET_DB_INT(meta->next_update),
        CACHET_DB_INT(meta->fetched),     CACHET_DB_BLOB(der, len),
    };
    blob_args a = {.sql = "INSERT INTO crls (issuer, source, this_update, next_update, fetched,"
                          " der) VALUES ($1, $2, $3, $4, $5, $6)"
                          " ON CONFLICT (issuer) DO UPDATE SET source = excluded.source,"
                          " this_update = excluded.this_update,"
                          " next_update = excluded.next_update, fetched = excluded.fetched,"
                          " der = excluded.der WHERE excluded.this_update > crls.this_update",
                   .params = p,
                   .num_params = 6};
    return cachet_db_in_tx(db, CACHET_DB_TX_WRITE, write_tx, &a, err);
}

typedef struct crl_read {
    const cachet_db_param *param;
    cachet_db_crl *meta;
    cachet_membuf *der;
    bool found;
} crl_read;

static bool crl_row(cachet_db *db, const cachet_db_row *row, void *arg, cachet_error *err) {
    crl_read *r = arg;
    cachet_db_crl *m = r->meta;
    if (!cachet_db_read_text(db, row, 0, m->issuer, sizeof(m->issuer), err) ||
        !cachet_db_read_text(db, row, 1, m->source, sizeof(m->source), err) ||
        !cachet_db_read_int(db, row, 2, &m->this_update, err) ||
        !cachet_db_read_int(db, row, 3, &m->next_update, err) ||
        !cachet_db_read_int(db, row, 4, &m->fetched, err) ||
        !copy_blob(db, row, 5, CACHET_DB_MAX_CRL, r->der, err)) {
        return false;
    }
    r->found = true;
    return true;
}

static cachet_status crl_tx(cachet_db *db, void *arg, cachet_error *err) {
    crl_read *r = arg;
    r->found = false;
    return db->ops->exec(db,
                         "SELECT substr(issuer, 1, 255), substr(source, 1, 1023), this_update,"
                         " next_update, fetched, substr(der, 1, 67108865) FROM crls"
                         " WHERE issuer = $1",
                         r->param, 1, crl_row, r, NULL, err);
}

cachet_status cachet_db_get_crl(cachet_db *db, const char *issuer, cachet_db_crl *meta,
                                cachet_membuf *der, bool *found, cachet_error *err) {
    if (issuer == NULL || meta == NULL || der == NULL || found == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no issuer or output");
    }
    *found = false;
    memset(meta, 0, sizeof(*meta));
    cachet_membuf_reset(der);
    cachet_db_param p = CACHET_DB_TEXT(issuer);
    crl_read r = {.param = &p, .meta = meta, .der = der};
    cachet_status st = cachet_db_in_tx(db, CACHET_DB_TX_READ, crl_tx, &r, err);
    if (st != CACHET_OK || !r.found) {
        memset(meta, 0, sizeof(*meta));
        cachet_membuf_reset(der);
        return st;
    }
    *found = true;
    return CACHET_OK;
}
