/* Looking at and changing stored certificates (include/cachet/store.h). */
#include <string.h>

#include "smime/pem.h"
#include "smime/store_internal.h"

static cachet_status need_store(const cachet_store *st, cachet_error *err) {
    if (st == NULL || st->db == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no store");
    }
    return CACHET_OK;
}

typedef cachet_status (*list_fn)(cachet_db *db, cachet_db_cert **out, size_t *num,
                                 cachet_error *err);

static cachet_status list_with(cachet_store *st, list_fn fn, cachet_cert_info **out, size_t *num,
                               cachet_error *err) {
    if (out == NULL || num == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no output");
    }
    *out = NULL;
    *num = 0;
    cachet_status s = need_store(st, err);
    if (s != CACHET_OK) {
        return s;
    }
    cachet_db_cert *recs = NULL;
    size_t n = 0;
    s = fn(st->db, &recs, &n, err);
    if (s == CACHET_OK) {
        s = cachet_store_infos_from_records(recs, n, out, err);
    }
    if (s == CACHET_OK) {
        *num = n;
    }
    cachet_db_certs_free(recs, n);
    return s;
}

cachet_status cachet_store_list(cachet_store *st, cachet_cert_info **out, size_t *num,
                                cachet_error *err) {
    return list_with(st, cachet_db_list_certs, out, num, err);
}

cachet_status cachet_store_list_keys(cachet_store *st, cachet_cert_info **out, size_t *num,
                                     cachet_error *err) {
    return list_with(st, cachet_db_list_keys, out, num, err);
}

cachet_status cachet_store_find(cachet_store *st, const char *address, cachet_cert_info **out,
                                size_t *num, cachet_error *err) {
    if (out == NULL || num == NULL || address == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no address or output");
    }
    *out = NULL;
    *num = 0;
    cachet_status s = need_store(st, err);
    if (s != CACHET_OK) {
        return s;
    }
    char norm[512];
    if (!cachet_db_normalize_address(address, norm, sizeof(norm))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "address", -1,
                              "\"%s\" is not an email address", address);
    }
    cachet_db_cert *recs = NULL;
    size_t n = 0;
    s = cachet_db_find_by_email(st->db, norm, &recs, &n, err);
    if (s == CACHET_OK) {
        s = cachet_store_infos_from_records(recs, n, out, err);
    }
    if (s == CACHET_OK) {
        *num = n;
    }
    cachet_db_certs_free(recs, n);
    return s;
}

cachet_status cachet_store_get(cachet_store *st, const char *fp, cachet_cert_info *out,
                               cachet_error *err) {
    if (fp == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no fingerprint or output");
    }
    cachet_status s = need_store(st, err);
    if (s != CACHET_OK) {
        return s;
    }
    cachet_db_cert rec = {0};
    s = cachet_db_get_cert(st->db, fp, &rec, err);
    if (s == CACHET_OK && !cachet_store_info_from_record(&rec, out)) {
        s = cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
    }
    cachet_db_cert_clear(&rec);
    return s;
}

cachet_status cachet_store_export(cachet_store *st, const char *fp, bool pem,
                                  const cachet_sink *out, cachet_error *err) {
    if (fp == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no fingerprint or output");
    }
    cachet_status s = need_store(st, err);
    if (s != CACHET_OK) {
        return s;
    }
    cachet_db_cert rec = {0};
    cachet_membuf buf = {0};
    s = cachet_db_get_cert(st->db, fp, &rec, err);
    if (s == CACHET_OK && pem) {
        s = cachet_pem_encode("CERTIFICATE", rec.der, rec.der_len, &buf, err);
    }
    if (s == CACHET_OK) {
        s = pem ? cachet_sink_write(out, buf.data, buf.len)
                : cachet_sink_write(out, rec.der, rec.der_len);
        if (s != CACHET_OK) {
            cachet_err_set(err, s, "output", -1, "writing the certificate failed");
        }
    }
    cachet_membuf_free(&buf);
    cachet_db_cert_clear(&rec);
    return s;
}

/* full_fp resolves a fingerprint or unique prefix to the stored fingerprint. */
static cachet_status full_fp(cachet_store *st, const char *fp, char out[65], cachet_error *err) {
    if (fp == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no fingerprint");
    }
    cachet_status s = need_store(st, err);
    if (s != CACHET_OK) {
        return s;
    }
    cachet_db_cert rec = {0};
    s = cachet_db_get_cert(st->db, fp, &rec, err);
    if (s == CACHET_OK) {
        memcpy(out, rec.fingerprint, 65);
    }
    cachet_db_cert_clear(&rec);
    return s;
}

cachet_status cachet_store_remove(cachet_store *st, const char *fp, cachet_error *err) {
    char full[65];
    cachet_status s = full_fp(st, fp, full, err);
    if (s == CACHET_OK) {
        s = cachet_db_remove_cert(st->db, full, err);
    }
    return s;
}

cachet_status cachet_store_trust(cachet_store *st, const char *fp, bool trust, cachet_error *err) {
    char full[65];
    cachet_status s = full_fp(st, fp, full, err);
    if (s == CACHET_OK) {
        s = cachet_db_set_origin(st->db, full, trust ? CACHET_DB_ANCHOR : CACHET_DB_IMPORTED, err);
    }
    return s;
}
