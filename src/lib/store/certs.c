/* Certificate records: the SQL both backends run, and what it means (origins
 * only move up, addresses merge, a key reference is replaced only by another).
 * Every read is bounded in the SQL itself (substr) and checked again here, so a
 * corrupted store cannot make us copy more than the record's limits. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/internal.h"

_Static_assert(CACHET_DB_MAX_CERT == 262144, "update the substr bound in CERT_COLS");
_Static_assert(CACHET_DB_MAX_ROWS == 100000, "update CERT_LIMIT");
_Static_assert(CACHET_DB_MAX_EMAILS == 64, "update the LIMIT of EMAILS_SQL");
_Static_assert(CACHET_DB_MAX_ADDRESS == 320, "update the substr bound of EMAILS_SQL");

/* One more than each limit, so an oversized value is seen (and refused) rather
 * than silently cut. */
#define CERT_COLS                                                                                  \
    "SELECT substr(c.fingerprint, 1, 65), substr(c.subject, 1, 255), substr(c.issuer, 1, 255),"    \
    " substr(c.serial, 1, 131), substr(c.ski, 1, 131), substr(c.aki, 1, 131), c.not_before,"       \
    " c.not_after, c.key_usage, c.email_protection, c.is_ca, c.origin, c.added,"                   \
    " substr(c.key_ref, 1, 1023), substr(c.der, 1, 262145) FROM certs c "
#define CERT_LIMIT " LIMIT 100001"
#define EMAILS_SQL "SELECT substr(address, 1, 321) FROM cert_emails WHERE fingerprint = $1 LIMIT 65"

typedef struct cert_list {
    cachet_db_cert *items;
    size_t num, cap;
} cert_list;

static void list_reset(cert_list *l) {
    cachet_db_certs_free(l->items, l->num);
    memset(l, 0, sizeof(*l));
}

static bool read_emails_row(cachet_db *db, const cachet_db_row *row, void *arg, cachet_error *err) {
    cachet_db_cert *c = arg;
    char addr[CACHET_DB_MAX_ADDRESS + 2];
    if (!cachet_db_read_text(db, row, 0, addr, sizeof(addr), err)) {
        return false;
    }
    if (c->num_emails >= CACHET_DB_MAX_EMAILS || strlen(addr) > CACHET_DB_MAX_ADDRESS) {
        return cachet_db_corrupt(db, err, "a certificate has too many or too long addresses");
    }
    char norm[CACHET_DB_MAX_ADDRESS + 1];
    if (!cachet_db_normalize_address(addr, norm, sizeof(norm))) {
        return cachet_db_corrupt(db, err, "a stored address is not an address");
    }
    if (!cachet_db_cert_add_email(c, norm)) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
        return false;
    }
    return true;
}

static bool read_cert_row(cachet_db *db, const cachet_db_row *row, cachet_db_cert *c,
                          cachet_error *err) {
    int64_t nb, na, ku, ep, ca, origin, added;
    if (!cachet_db_read_text(db, row, 0, c->fingerprint, sizeof(c->fingerprint), err) ||
        !cachet_db_read_text(db, row, 1, c->subject, sizeof(c->subject), err) ||
        !cachet_db_read_text(db, row, 2, c->issuer, sizeof(c->issuer), err) ||
        !cachet_db_read_text(db, row, 3, c->serial, sizeof(c->serial), err) ||
        !cachet_db_read_text(db, row, 4, c->ski, sizeof(c->ski), err) ||
        !cachet_db_read_text(db, row, 5, c->aki, sizeof(c->aki), err) ||
        !cachet_db_read_int(db, row, 6, &nb, err) || !cachet_db_read_int(db, row, 7, &na, err) ||
        !cachet_db_read_int(db, row, 8, &ku, err) || !cachet_db_read_int(db, row, 9, &ep, err) ||
        !cachet_db_read_int(db, row, 10, &ca, err) ||
        !cachet_db_read_int(db, row, 11, &origin, err) ||
        !cachet_db_read_int(db, row, 12, &added, err) ||
        !cachet_db_read_text(db, row, 13, c->key_ref, sizeof(c->key_ref), err) ||
        !cachet_db_read_blob(db, row, 14, CACHET_DB_MAX_CERT, &c->der, &c->der_len, err)) {
        return false;
    }
    if (!cachet_db_valid_fp(c->fingerprint) || c->der_len == 0) {
        return cachet_db_corrupt(db, err, "a certificate record has no valid fingerprint");
    }
    if (ku < 0 || ku > 0xffff || (ep != 0 && ep != 1) || (ca != 0 && ca != 1) ||
        origin < CACHET_DB_HARVESTED || origin > CACHET_DB_ANCHOR) {
        return cachet_db_corrupt(db, err, "a certificate record has out-of-range fields");
    }
    c->not_before = nb;
    c->not_after = na;
    c->key_usage = (unsigned)ku;
    c->email_protection = ep == 1;
    c->is_ca = ca == 1;
    c->origin = (cachet_db_origin)origin;
    c->added = added;
    return true;
}

static bool collect_row(cachet_db *db, const cachet_db_row *row, void *arg, cachet_error *err) {
    cert_list *l = arg;
    if (l->num >= CACHET_DB_MAX_ROWS) {
        cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1, "more than %d certificates match in %s",
                       CACHET_DB_MAX_ROWS, db->where);
        return false;
    }
    if (l->num == l->cap) {
        size_t cap = l->cap == 0 ? 8 : l->cap * 2;
        cachet_db_cert *grown = cachet_realloc(l->items, cap * sizeof(*grown));
        if (grown == NULL) {
            cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
            return false;
        }
        l->items = grown;
        l->cap = cap;
    }
    cachet_db_cert *c = &l->items[l->num];
    memset(c, 0, sizeof(*c));
    if (!read_cert_row(db, row, c, err)) {
        cachet_db_cert_clear(c);
        return false;
    }
    l->num++;
    return true;
}

/* Subject, then newest first: sorted here, not in SQL, because PostgreSQL sorts
 * text by the database's collation and SQLite by bytes. */
static int by_subject(const void *a, const void *b) {
    const cachet_db_cert *x = a, *y = b;
    int s = strcmp(x->subject, y->subject);
    if (s != 0) {
        return s;
    }
    if (x->not_before != y->not_before) {
        return x->not_before > y->not_before ? -1 : 1;
    }
    return strcmp(x->fingerprint, y->fingerprint);
}

static int by_newest(const void *a, const void *b) {
    const cachet_db_cert *x = a, *y = b;
    if (x->not_before != y->not_before) {
        return x->not_before > y->not_before ? -1 : 1;
    }
    return strcmp(x->fingerprint, y->fingerprint);
}

typedef struct query {
    const char *sql;
    cachet_db_param params[2];
    size_t num_params;
    int (*order)(const void *, const void *);
    cert_list out;
} query;

static cachet_status query_tx(cachet_db *db, void *arg, cachet_error *err) {
    query *q = arg;
    list_reset(&q->out); /* a retried transaction starts over */
    cachet_status st =
        db->ops->exec(db, q->sql, q->params, q->num_params, collect_row, &q->out, NULL, err);
    for (size_t i = 0; st == CACHET_OK && i < q->out.num; i++) {
        cachet_db_param fp = CACHET_DB_TEXT(q->out.items[i].fingerprint);
        st = db->ops->exec(db, EMAILS_SQL, &fp, 1, read_emails_row, &q->out.items[i], NULL, err);
    }
    return st;
}

static cachet_status run_query(cachet_db *db, query *q, cachet_db_cert **out, size_t *num,
                               cachet_error *err) {
    if (out == NULL || num == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no output");
    }
    *out = NULL;
    *num = 0;
    cachet_status st = cachet_db_in_tx(db, CACHET_DB_TX_READ, query_tx, q, err);
    if (st != CACHET_OK) {
        list_reset(&q->out);
        return st;
    }
    if (q->out.num > 1) {
        qsort(q->out.items, q->out.num, sizeof(*q->out.items), q->order);
    }
    if (q->out.num == 0) {
        list_reset(&q->out);
    }
    *out = q->out.items;
    *num = q->out.num;
    return CACHET_OK;
}

cachet_status cachet_db_list_certs(cachet_db *db, cachet_db_cert **out, size_t *num,
                                   cachet_error *err) {
    query q = {.sql = CERT_COLS CERT_LIMIT, .order = by_subject};
    return run_query(db, &q, out, num, err);
}

cachet_status cachet_db_find_by_email(cachet_db *db, const char *addr, cachet_db_cert **out,
                                      size_t *num, cachet_error *err) {
    char norm[CACHET_DB_MAX_ADDRESS + 1];
    if (!cachet_db_normalize_address(addr, norm, sizeof(norm))) {
        if (out != NULL && num != NULL) {
            *out = NULL;
            *num = 0;
        }
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "not an email address: %.80s",
                              addr != NULL ? addr : "(none)");
    }
    query q = {.sql = CERT_COLS "JOIN cert_emails e ON e.fingerprint = c.fingerprint"
                                " WHERE e.address = $1" CERT_LIMIT,
               .params = {CACHET_DB_TEXT(norm)},
               .num_params = 1,
               .order = by_newest};
    return run_query(db, &q, out, num, err);
}

cachet_status cachet_db_find_by_subject(cachet_db *db, const char *subject, cachet_db_cert **out,
                                        size_t *num, cachet_error *err) {
    if (subject == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no subject");
    }
    query q = {.sql = CERT_COLS "WHERE c.subject = $1" CERT_LIMIT,
               .params = {CACHET_DB_TEXT(subject)},
               .num_params = 1,
               .order = by_newest};
    return run_query(db, &q, out, num, err);
}

cachet_status cachet_db_list_anchors(cachet_db *db, cachet_db_cert **out, size_t *num,
                                     cachet_error *err) {
    query q = {.sql = CERT_COLS "WHERE c.origin = $1" CERT_LIMIT,
               .params = {CACHET_DB_INT(CACHET_DB_ANCHOR)},
               .num_params = 1,
               .order = by_subject};
    return run_query(db, &q, out, num, err);
}

cachet_status cachet_db_list_keys(cachet_db *db, cachet_db_cert **out, size_t *num,
                                  cachet_error *err) {
    query q = {.sql = CERT_COLS "WHERE c.key_ref <> ''" CERT_LIMIT, .order = by_subject};
    return run_query(db, &q, out, num, err);
}

cachet_status cachet_db_get_cert(cachet_db *db, const char *fp, cachet_db_cert *out,
                                 cachet_error *err) {
    if (out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no output");
    }
    memset(out, 0, sizeof(*out));
    char pattern[66];
    size_t len = fp != NULL ? strnlen(fp, 65) : 0;
    bool hex = len >= 8 && len <= 64;
    for (size_t i = 0; hex && i < len; i++) {
        char ch = fp[i];
        if (ch >= 'A' && ch <= 'F') {
            ch = (char)(ch - 'A' + 'a');
        }
        hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
        pattern[i] = ch;
    }
    if (!hex) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1,
                              "a fingerprint is 8 to 64 hex digits: %.80s",
                              fp != NULL ? fp : "(none)");
    }
    pattern[len] = '%'; /* hex digits only: no LIKE metacharacters in the prefix */
    pattern[len + 1] = '\0';
    query q = {.sql = CERT_COLS "WHERE c.fingerprint LIKE $1 LIMIT 2",
               .params = {CACHET_DB_TEXT(pattern)},
               .num_params = 1,
               .order = by_newest};
    cachet_db_cert *found = NULL;
    size_t num = 0;
    cachet_status st = run_query(db, &q, &found, &num, err);
    if (st != CACHET_OK) {
        return st;
    }
    pattern[len] = '\0';
    if (num == 0) {
        return cachet_err_set(err, CACHET_ERR_KEY, "store", -1,
                              "no certificate with fingerprint %s in the store", pattern);
    }
    if (num > 1) {
        cachet_db_certs_free(found, num);
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1,
                              "fingerprint prefix %s matches several certificates; give more "
                              "digits",
                              pattern);
    }
    *out = found[0];
    cachet_free(found);
    return CACHET_OK;
}
