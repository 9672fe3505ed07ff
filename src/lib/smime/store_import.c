/* cachet_store_import and the record-writing helpers shared with key import. */
#include <stdio.h>
#include <string.h>

#include "smime/store_internal.h"

/* key_clash refuses a key whose certificate a RecipientIdentifier could not tell
 * from the certificate of another key the store holds (ATTACKS CE-01): which of
 * the two keys a message was for would be a guess. A re-import, or a renewed
 * certificate of the same key, is no clash. */
static cachet_status key_clash(cachet_store *st, const cachet_cert *cert, cachet_error *err) {
    cachet_db_cert *recs = NULL;
    size_t num = 0;
    cachet_status s = cachet_db_list_keys(st->db, &recs, &num, err);
    cachet_pkey *pub = cachet_cert_pkey(cert);
    for (size_t i = 0; s == CACHET_OK && i < num; i++) {
        cachet_cert *other = NULL;
        s = cachet_pki_record_cert(&recs[i], &other, err);
        if (s != CACHET_OK) {
            break;
        }
        cachet_pkey *other_pub = cachet_cert_pkey(other);
        const char *what =
            cachet_pkey_matches(pub, other_pub) ? NULL : cachet_cert_rid_clash(cert, other);
        if (what != NULL) {
            s = cachet_err_set(err, CACHET_ERR_USAGE, "store", -1,
                               "the store holds the key of certificate %.16s (%s), another key "
                               "whose certificate has the same %s as this one: a message for one "
                               "could not be told from one for the other; remove one of the two",
                               recs[i].fingerprint, recs[i].subject, what);
        }
        cachet_pkey_free(other_pub);
        cachet_cert_free(other);
    }
    cachet_pkey_free(pub);
    cachet_db_certs_free(recs, num);
    return s;
}

cachet_status cachet_store_put_certs(cachet_store *st, cachet_cert *const *certs, size_t num,
                                     cachet_db_origin origin, const char *key_ref_first,
                                     cachet_import_result *res, cachet_error *err) {
    if (num == 0) {
        return CACHET_OK;
    }
    if (key_ref_first != NULL) {
        cachet_status s = key_clash(st, certs[0], err);
        if (s != CACHET_OK) {
            return s;
        }
    }
    cachet_db_cert *recs = cachet_calloc(num, sizeof(*recs));
    if (recs == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
    }
    cachet_status s = CACHET_OK;
    size_t made = 0;
    for (; made < num && s == CACHET_OK; made++) {
        s = cachet_pki_cert_record(certs[made], origin, &recs[made], err);
    }
    if (s == CACHET_OK && key_ref_first != NULL) {
        size_t n = strlen(key_ref_first);
        if (n >= sizeof(recs[0].key_ref)) {
            s = cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1,
                               "the key reference is longer than %zu bytes",
                               sizeof(recs[0].key_ref) - 1);
        } else {
            memcpy(recs[0].key_ref, key_ref_first, n + 1);
        }
    }
    if (s == CACHET_OK && res != NULL) {
        snprintf(res->first_fp, sizeof(res->first_fp), "%s", recs[0].fingerprint);
    }
    for (size_t i = 0; i < num && s == CACHET_OK; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) {
            dup = strcmp(recs[i].fingerprint, recs[j].fingerprint) == 0;
        }
        if (dup) {
            continue;
        }
        bool inserted = false;
        s = cachet_db_put_cert(st->db, &recs[i], &inserted, err);
        if (s == CACHET_OK && res != NULL) {
            if (inserted) {
                res->added++;
            } else {
                res->known++;
            }
        }
    }
    cachet_db_certs_free(recs, made);
    return s;
}

cachet_status cachet_store_load_cert_file(const char *path, cachet_cert_list *list,
                                          cachet_error *err) {
    cachet_membuf buf = {0};
    cachet_status s = cachet_smime_read_file(path, CACHET_SMIME_MAX_KEY_FILE, &buf, err);
    if (s == CACHET_OK) {
        cachet_error sub = {0};
        s = cachet_store_parse_certs(buf.data, buf.len, path, list, &sub);
        if (s != CACHET_OK) {
            s = cachet_err_set(err, CACHET_ERR_KEY, path, -1,
                               "cannot read a certificate from %s: %s", path, sub.message);
        } else if (list->num == 0) {
            s = cachet_err_set(err, CACHET_ERR_KEY, path, -1, "no certificate in %s", path);
        }
    }
    cachet_membuf_free(&buf);
    return s;
}

static cachet_status parse_p12(const uint8_t *data, size_t len, const char *source,
                               const char *pass, cachet_cert_list *out, cachet_error *err) {
    cachet_pkey *key = NULL;
    cachet_cert *cert = NULL;
    cachet_cert_list chain = {0};
    cachet_error sub = {0};
    cachet_status s = cachet_pkcs12_load(data, len, pass, &key, &cert, &chain, &sub);
    /* Certificates only: the key goes through cachet_store_import_key_p12. */
    cachet_pkey_free(key);
    if (s != CACHET_OK) {
        return cachet_err_set(err, s, source, -1, "%s: %s", source, sub.message);
    }
    if (!cachet_cert_list_push(out, cert)) {
        s = cachet_err_set(err, CACHET_ERR_NOMEM, source, -1, "out of memory");
    }
    for (size_t i = 0; s == CACHET_OK && i < chain.num; i++) {
        if (!cachet_cert_list_push(out, chain.certs[i])) {
            s = cachet_err_set(err, CACHET_ERR_NOMEM, source, -1, "out of memory");
        }
    }
    cachet_cert_free(cert);
    cachet_cert_list_clear(&chain);
    return s;
}

cachet_status cachet_store_import_many(cachet_store *st, const cachet_import_input *in, size_t num,
                                       const char *p12_pass, cachet_cert_origin origin,
                                       cachet_import_result *res, cachet_error *err) {
    if (res != NULL) {
        memset(res, 0, sizeof(*res));
    }
    if (st == NULL || st->db == NULL || (in == NULL && num > 0)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no store or no input");
    }
    if (origin != CACHET_ORIGIN_HARVESTED && origin != CACHET_ORIGIN_IMPORTED &&
        origin != CACHET_ORIGIN_ANCHOR) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "bad origin %d", (int)origin);
    }
    /* Every input is parsed before the first write: one bad input stores nothing. */
    cachet_cert_list certs = {0};
    cachet_status s = CACHET_OK;
    for (size_t i = 0; i < num && s == CACHET_OK; i++) {
        const char *source = in[i].source != NULL ? in[i].source : "input";
        if (in[i].data == NULL && in[i].len > 0) {
            s = cachet_err_set(err, CACHET_ERR_USAGE, source, -1, "no data for %s", source);
            break;
        }
        size_t before = certs.num;
        if (p12_pass != NULL) {
            s = parse_p12(in[i].data, in[i].len, source, p12_pass, &certs, err);
        } else {
            s = cachet_store_parse_certs(in[i].data, in[i].len, source, &certs, err);
        }
        if (s == CACHET_OK && certs.num == before) {
            s = cachet_err_set(err, CACHET_ERR_MALFORMED, source, -1, "%s holds no certificate",
                               source);
        }
    }
    if (s == CACHET_OK) {
        s = cachet_store_put_certs(st, certs.certs, certs.num, (cachet_db_origin)origin, NULL, res,
                                   err);
    }
    cachet_cert_list_clear(&certs);
    return s;
}

cachet_status cachet_store_import(cachet_store *st, const uint8_t *data, size_t len,
                                  const char *source, const char *p12_pass,
                                  cachet_cert_origin origin, cachet_import_result *res,
                                  cachet_error *err) {
    cachet_import_input one = {.data = data, .len = len, .source = source};
    return cachet_store_import_many(st, &one, 1, p12_pass, origin, res, err);
}
