/* Revocation status of a stored certificate on demand (`cachet certs
 * revoke-check`): the issuer comes from the store, the answer from OCSP or a
 * CRL (pki/revocation.c), and CRLs fetched on the way are cached in the store. */
#include <string.h>
#include <time.h>

#include "smime/internal.h"

const char *cachet_revocation_state_name(cachet_revocation_state s) {
    switch (s) {
        case CACHET_REV_GOOD:
            return "good";
        case CACHET_REV_REVOKED:
            return "revoked";
        case CACHET_REV_UNKNOWN:
            return "unknown";
        case CACHET_REV_NOT_CHECKED:
            return "not_checked";
    }
    return "unknown";
}

void cachet_ctx_set_network_timeout(cachet_ctx *ctx, int seconds) {
    if (ctx != NULL && seconds >= 0) {
        ctx->net_timeout = seconds;
    }
}

/* find_issuer picks, among the stored certificates named as |cert|'s issuer,
 * one whose key verifies |cert| (a CA may have several with one name). */
static cachet_status find_issuer(cachet_db *db, const cachet_cert *cert, cachet_cert **out,
                                 cachet_error *err) {
    char issuer[256];
    cachet_cert_issuer(cert, issuer, sizeof(issuer));
    cachet_db_cert *recs = NULL;
    size_t num = 0;
    cachet_status st = cachet_db_find_by_subject(db, issuer, &recs, &num, err);
    if (st != CACHET_OK) {
        return st;
    }
    for (size_t i = 0; i < num && *out == NULL; i++) {
        cachet_cert *cand = NULL;
        if (cachet_pki_record_cert(&recs[i], &cand, NULL) != CACHET_OK) {
            continue;
        }
        if (cachet_cert_issued_by(cert, cand)) {
            *out = cand;
        } else {
            cachet_cert_free(cand);
        }
    }
    cachet_db_certs_free(recs, num);
    if (*out == NULL) {
        return cachet_err_set(err, CACHET_ERR_KEY, "", -1,
                              "the issuer of this certificate (%s) is not in the store: import "
                              "it with `cachet certs import`",
                              issuer);
    }
    return CACHET_OK;
}

cachet_status cachet_store_revoke_check(const cachet_ctx *ctx, const char *fp,
                                        cachet_revocation_result *out, cachet_error *err) {
    if (ctx == NULL || fp == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "missing argument");
    }
    if (ctx->store == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                              "checking revocation of a stored certificate needs a store");
    }
    cachet_db *db = ctx->store->db;
    cachet_db_cert rec;
    memset(&rec, 0, sizeof(rec));
    cachet_status st = cachet_db_get_cert(db, fp, &rec, err);
    if (st != CACHET_OK) {
        return st;
    }
    cachet_cert *cert = NULL, *issuer = NULL;
    st = cachet_pki_record_cert(&rec, &cert, err);
    cachet_db_cert_clear(&rec);
    if (st == CACHET_OK) {
        st = find_issuer(db, cert, &issuer, err);
    }
    if (st == CACHET_OK) {
        int64_t now = ctx->at != 0 ? ctx->at : (int64_t)time(NULL);
        cachet_revocation_result res;
        memset(&res, 0, sizeof(res));
        st = cachet_pki_revocation_check(db, cert, issuer, now, ctx->net_timeout, &res, err);
        if (st == CACHET_OK) {
            *out = res;
        }
    }
    cachet_cert_free(issuer);
    cachet_cert_free(cert);
    return st;
}

cachet_status cachet_store_import_crl(cachet_store *st, const uint8_t *data, size_t len,
                                      const char *source, cachet_error *err) {
    if (st == NULL || st->db == NULL || data == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "missing argument");
    }
    return cachet_pki_import_crl(st->db, data, len, source != NULL ? source : "input", err);
}

cachet_status cachet_store_load_cert(cachet_store *st, const char *fp, cachet_cert **out,
                                     cachet_error *err) {
    if (st == NULL || st->db == NULL || fp == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "missing argument");
    }
    cachet_db_cert rec;
    memset(&rec, 0, sizeof(rec));
    cachet_status s = cachet_db_get_cert(st->db, fp, &rec, err);
    if (s == CACHET_OK) {
        s = cachet_pki_record_cert(&rec, out, err);
    }
    cachet_db_cert_clear(&rec);
    return s;
}
