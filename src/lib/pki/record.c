/* A certificate as a store record: the fields the store indexes and shows,
 * all taken from the certificate itself (never from what a caller claims). */
#include <string.h>

#include "pki/pki.h"

void cachet_pki_hex(const uint8_t *in, size_t len, char *out, size_t out_len) {
    static const char digits[] = "0123456789abcdef";
    if (out_len == 0) {
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < len && n + 2 < out_len; i++) {
        out[n++] = digits[in[i] >> 4];
        out[n++] = digits[in[i] & 0x0f];
    }
    out[n] = '\0';
}

/* add_emails stores every address of |cert| that normalises; one that does not
 * (no domain, say) could never be looked up, so it is left out. */
static cachet_status add_emails(const cachet_cert *cert, cachet_db_cert *out, cachet_error *err) {
    char **emails = NULL;
    size_t num = cachet_cert_emails(cert, &emails);
    cachet_status st = CACHET_OK;
    for (size_t i = 0; i < num && out->num_emails < CACHET_DB_MAX_EMAILS; i++) {
        char norm[320];
        if (!cachet_db_normalize_address(emails[i], norm, sizeof(norm))) {
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < out->num_emails; j++) {
            dup = dup || strcmp(out->emails[j], norm) == 0;
        }
        if (!dup && !cachet_db_cert_add_email(out, norm)) {
            st = cachet_err_set(err, CACHET_ERR_NOMEM, "certificate record", -1,
                                "cannot add address");
            break;
        }
    }
    cachet_cert_emails_free(emails, num);
    return st;
}

cachet_status cachet_pki_cert_record(const cachet_cert *cert, cachet_db_origin origin,
                                     cachet_db_cert *out, cachet_error *err) {
    static const char where[] = "certificate record";
    if (cert == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "no certificate");
    }
    memset(out, 0, sizeof(*out));
    size_t der_len = 0;
    const uint8_t *der = cachet_cert_der(cert, &der_len);
    if (der_len == 0 || der_len > CACHET_DB_MAX_CERT) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, where, -1,
                              "certificate of %zu bytes (the store keeps at most %u)", der_len,
                              CACHET_DB_MAX_CERT);
    }
    out->der = cachet_malloc(der_len);
    if (out->der == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
    }
    memcpy(out->der, der, der_len);
    out->der_len = der_len;

    uint8_t fp[32];
    cachet_cert_sha256(cert, fp);
    cachet_pki_hex(fp, sizeof(fp), out->fingerprint, sizeof(out->fingerprint));
    cachet_cert_subject(cert, out->subject, sizeof(out->subject));
    cachet_cert_issuer(cert, out->issuer, sizeof(out->issuer));
    size_t len = 0;
    const uint8_t *p = cachet_cert_serial_der(cert, &len);
    cachet_pki_hex(p, len, out->serial, sizeof(out->serial));
    if (cachet_cert_ski(cert, &p, &len)) {
        cachet_pki_hex(p, len, out->ski, sizeof(out->ski));
    }
    if (cachet_cert_aki(cert, &p, &len)) {
        cachet_pki_hex(p, len, out->aki, sizeof(out->aki));
    }
    cachet_cert_validity(cert, &out->not_before, &out->not_after);
    /* The crypto and store bit values are the same by design (crypto.h). */
    out->key_usage = cachet_cert_key_usage(cert);
    out->email_protection = cachet_cert_allows_email_protection(cert);
    out->is_ca = cachet_cert_is_ca(cert);
    out->origin = origin;
    cachet_status st = add_emails(cert, out, err);
    if (st != CACHET_OK) {
        cachet_db_cert_clear(out);
    }
    return st;
}

cachet_status cachet_pki_record_cert(const cachet_db_cert *rec, cachet_cert **out,
                                     cachet_error *err) {
    return cachet_pki_record_cert_cached(NULL, rec, out, err);
}

cachet_status cachet_pki_record_cert_cached(cachet_cert_cache *cache, const cachet_db_cert *rec,
                                            cachet_cert **out, cachet_error *err) {
    static const char where[] = "certificate record";
    if (rec == NULL || out == NULL || rec->der == NULL || rec->der_len == 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1, "record holds no certificate");
    }
    cachet_cert *cert = NULL;
    cachet_status st = cachet_cert_parse_cached(cache, rec->der, rec->der_len, &cert, err);
    if (st != CACHET_OK) {
        cachet_err_prefix_where(err, where);
        return st;
    }
    /* A record whose bytes are not the certificate its key names is a corrupt
     * (or tampered) store: using it would answer for another certificate. */
    if (rec->fingerprint[0] != '\0') {
        uint8_t fp[32];
        char hex[65];
        cachet_cert_sha256(cert, fp);
        cachet_pki_hex(fp, sizeof(fp), hex, sizeof(hex));
        if (strcmp(hex, rec->fingerprint) != 0) {
            cachet_cert_free(cert);
            return cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1,
                                  "stored certificate does not match its fingerprint %.16s...",
                                  rec->fingerprint);
        }
    }
    *out = cert;
    return CACHET_OK;
}
