/* Revocation policy (RFC 5280 §6.3, RFC 6960): OCSP first because it is the
 * freshest, then a CRL: the stored one while current, else one fetched from the
 * certificate's distribution points and cached. Every source that fails adds a
 * line to the result's detail, so an "unknown" says exactly what was tried. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto/revocation.h"
#include "pki/pki.h"

#define REV_DEFAULT_TIMEOUT 10

static void detail_add(cachet_revocation_result *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void detail_add(cachet_revocation_result *out, const char *fmt, ...) {
    size_t used = strlen(out->detail);
    if (used + 3 >= sizeof(out->detail)) {
        return;
    }
    if (used > 0) {
        memcpy(out->detail + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->detail + used, sizeof(out->detail) - used, fmt, ap);
    va_end(ap);
}

static void fmt_date(int64_t t, char *out, size_t out_len) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, out_len, "%Y-%m-%d %H:%M:%SZ", &tm) == 0) {
        snprintf(out, out_len, "%lld", (long long)t);
    }
}

/* settle records a definite answer; its detail replaces what failed before. */
static void settle(cachet_revocation_result *out, const char *method, const char *source,
                   const cachet_rev_answer *a) {
    out->state = a->status == CACHET_REV_STATUS_REVOKED ? CACHET_REV_REVOKED : CACHET_REV_GOOD;
    snprintf(out->method, sizeof(out->method), "%s", method);
    snprintf(out->source, sizeof(out->source), "%s", source);
    out->revoked_at = a->status == CACHET_REV_STATUS_REVOKED ? a->revoked_at : 0;
    out->this_update = a->this_update;
    out->detail[0] = '\0';
    if (a->status == CACHET_REV_STATUS_REVOKED) {
        snprintf(out->detail, sizeof(out->detail), "%s", cachet_crl_reason_name(a->reason));
    }
}

/* ask_ocsp: true when a responder gave a definite answer (now in |out|).
 * |*said_unknown| tells that a responder answered "unknown". */
static bool ask_ocsp(char **urls, size_t num, const cachet_cert *cert, const cachet_cert *issuer,
                     int64_t now, int timeout, cachet_revocation_result *out, bool *said_unknown) {
    for (size_t i = 0; i < num; i++) {
        cachet_error e = {0};
        cachet_rev_answer a;
        if (cachet_ocsp_query(urls[i], cert, issuer, now, timeout, &a, &e) != CACHET_OK) {
            detail_add(out, "OCSP responder %s %s: %s", urls[i],
                       e.status == CACHET_ERR_IO ? "did not answer" : "gave no usable answer",
                       e.message);
        } else if (a.status == CACHET_REV_STATUS_UNKNOWN) {
            detail_add(out, "OCSP responder %s does not know the certificate", urls[i]);
            if (!*said_unknown) {
                *said_unknown = true;
                snprintf(out->method, sizeof(out->method), "ocsp");
                snprintf(out->source, sizeof(out->source), "%s", urls[i]);
                out->this_update = a.this_update;
            }
        } else {
            settle(out, "ocsp", urls[i], &a);
            return true;
        }
    }
    return false;
}

/* crl_answer: |crl| is from |issuer| and current at |now|; |a| gets its answer. */
static bool crl_answer(const cachet_crl *crl, const cachet_cert *cert, const cachet_cert *issuer,
                       int64_t now, cachet_rev_answer *a, char *why, size_t why_len) {
    if (!cachet_crl_verify(crl, issuer, why, why_len)) {
        return false;
    }
    int64_t this_update = 0;
    int64_t next_update = 0;
    cachet_crl_times(crl, &this_update, &next_update);
    char date[32];
    if (this_update > now + CACHET_REV_SKEW_SECONDS) {
        fmt_date(this_update, date, sizeof(date));
        snprintf(why, why_len, "issued in the future (%s)", date);
        return false;
    }
    /* RFC 5280 §5.1.2.5: conforming CRLs carry nextUpdate; without it we cannot
     * tell a current list from an old one. */
    if (next_update == 0) {
        snprintf(why, why_len, "no nextUpdate, so its freshness is unknown");
        return false;
    }
    if (next_update < now - CACHET_REV_SKEW_SECONDS) {
        fmt_date(next_update, date, sizeof(date));
        snprintf(why, why_len, "expired %s", date);
        return false;
    }
    cachet_crl_lookup(crl, cert, a);
    return true;
}

/* stored_crl: the CRL cached for |issuer_name| while its nextUpdate has not passed. */
static bool stored_crl(cachet_db *db, const char *issuer_name, const cachet_cert *cert,
                       const cachet_cert *issuer, int64_t now, cachet_revocation_result *out,
                       bool *had_one) {
    cachet_db_crl meta;
    cachet_membuf der = {.max = CACHET_CRL_MAX_BYTES};
    cachet_error e = {0};
    bool found = false;
    bool done = false;
    if (cachet_db_get_crl(db, issuer_name, &meta, &der, &found, &e) != CACHET_OK) {
        detail_add(out, "the stored CRL could not be read: %s", e.message);
    } else if (found) {
        *had_one = true;
        char why[200];
        cachet_crl *crl = NULL;
        cachet_rev_answer a;
        if (meta.next_update != 0 && meta.next_update < now) {
            fmt_date(meta.next_update, why, sizeof(why));
            detail_add(out, "the stored CRL (from %s) expired %s", meta.source, why);
        } else if (cachet_crl_parse(der.data, der.len, &crl, &e) != CACHET_OK) {
            detail_add(out, "the stored CRL is unreadable: %s", e.message);
        } else if (!crl_answer(crl, cert, issuer, now, &a, why, sizeof(why))) {
            detail_add(out, "the stored CRL (from %s) is not usable: %s", meta.source, why);
        } else {
            settle(out, "crl", "store", &a);
            done = true;
        }
        cachet_crl_free(crl);
    }
    cachet_membuf_free(&der);
    return done;
}

static bool fetch_crl(cachet_db *db, char **urls, size_t num, const cachet_cert *cert,
                      const cachet_cert *issuer, int64_t now, int timeout,
                      cachet_revocation_result *out) {
    for (size_t i = 0; i < num; i++) {
        cachet_membuf buf = {.max = CACHET_CRL_MAX_FETCH};
        cachet_error e = {0};
        cachet_crl *crl = NULL;
        cachet_rev_answer a;
        char why[200];
        bool done = false;
        if (cachet_http_fetch(urls[i], NULL, 0, NULL, NULL, CACHET_CRL_MAX_FETCH, timeout, &buf,
                              &e) != CACHET_OK) {
            detail_add(out, "CRL %s could not be fetched: %s", urls[i], e.message);
        } else if (cachet_crl_parse(buf.data, buf.len, &crl, &e) != CACHET_OK) {
            detail_add(out, "CRL from %s is malformed: %s", urls[i], e.message);
        } else if (!crl_answer(crl, cert, issuer, now, &a, why, sizeof(why))) {
            detail_add(out, "CRL from %s is not usable: %s", urls[i], why);
        } else {
            settle(out, "crl", urls[i], &a);
            done = true;
            if (db != NULL) {
                cachet_db_crl meta = {
                    .this_update = a.this_update, .next_update = a.next_update, .fetched = now};
                cachet_crl_issuer(crl, meta.issuer, sizeof(meta.issuer));
                snprintf(meta.source, sizeof(meta.source), "%s", urls[i]);
                size_t der_len = 0;
                const uint8_t *der = cachet_crl_der(crl, &der_len);
                /* A cache that cannot be written costs a fetch next time, not the answer. */
                (void)cachet_db_put_crl(db, &meta, der, der_len, &e);
            }
        }
        cachet_crl_free(crl);
        cachet_membuf_free(&buf);
        if (done) {
            return true;
        }
    }
    return false;
}

cachet_status cachet_pki_revocation_check(cachet_db *db, const cachet_cert *cert,
                                          const cachet_cert *issuer, int64_t now,
                                          int timeout_seconds, cachet_revocation_result *out,
                                          cachet_error *err) {
    static const char where[] = "revocation";
    if (cert == NULL || issuer == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "no certificate or issuer");
    }
    memset(out, 0, sizeof(*out));
    out->state = CACHET_REV_UNKNOWN;
    if (!cachet_cert_issued_by(cert, issuer)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                              "the issuer certificate given did not issue the certificate");
    }
    int timeout = timeout_seconds > 0 ? timeout_seconds : REV_DEFAULT_TIMEOUT;
    char **ocsp = NULL;
    char **crls = NULL;
    size_t num_ocsp = cachet_cert_ocsp_urls(cert, &ocsp);
    size_t num_crls = cachet_cert_crl_urls(cert, &crls);
    char issuer_name[256];
    cachet_cert_subject(issuer, issuer_name, sizeof(issuer_name));

    bool said_unknown = false;
    bool had_stored = false;
    bool done = ask_ocsp(ocsp, num_ocsp, cert, issuer, now, timeout, out, &said_unknown);
    if (!done) {
        cachet_revocation_result ocsp_out = *out;
        done = (db != NULL && stored_crl(db, issuer_name, cert, issuer, now, out, &had_stored)) ||
               fetch_crl(db, crls, num_crls, cert, issuer, now, timeout, out);
        /* A responder's "unknown" is not overruled by a CRL that merely does not
         * list the certificate (a CRL cannot know certificates never issued),
         * only by one that lists it as revoked. */
        if (done && said_unknown && out->state == CACHET_REV_GOOD) {
            *out = ocsp_out;
            done = false;
        }
    }
    if (!done && num_ocsp == 0 && num_crls == 0 && !had_stored) {
        out->state = CACHET_REV_NOT_CHECKED;
        snprintf(out->detail, sizeof(out->detail),
                 "the certificate names no OCSP responder or CRL distribution point");
    } else if (!done) {
        out->state = CACHET_REV_UNKNOWN;
    }
    cachet_cert_emails_free(ocsp, num_ocsp);
    cachet_cert_emails_free(crls, num_crls);
    return CACHET_OK;
}

cachet_status cachet_pki_import_crl(cachet_db *db, const uint8_t *data, size_t len,
                                    const char *source, cachet_error *err) {
    static const char where[] = "CertificateList";
    if (db == NULL || data == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "no store or no data");
    }
    cachet_crl *crl = NULL;
    cachet_status st = cachet_crl_parse(data, len, &crl, err);
    if (st != CACHET_OK) {
        return st;
    }
    cachet_db_crl meta = {.fetched = (int64_t)time(NULL)};
    cachet_crl_issuer(crl, meta.issuer, sizeof(meta.issuer));
    snprintf(meta.source, sizeof(meta.source), "%s", source != NULL ? source : "import");
    cachet_crl_times(crl, &meta.this_update, &meta.next_update);
    cachet_db_cert *recs = NULL;
    size_t num = 0;
    st = cachet_db_find_by_subject(db, meta.issuer, &recs, &num, err);
    bool verified = false;
    char why[200] = "";
    for (size_t i = 0; st == CACHET_OK && i < num && !verified; i++) {
        cachet_cert *c = NULL;
        cachet_error e = {0};
        if (!recs[i].is_ca) {
            snprintf(why, sizeof(why), "the certificate with its subject is not a CA");
        } else if (cachet_cert_parse(recs[i].der, recs[i].der_len, &c, &e) == CACHET_OK) {
            verified = cachet_crl_verify(crl, c, why, sizeof(why));
        }
        cachet_cert_free(c);
    }
    /* A CRL dated ahead would shadow every genuine one: the store keeps the newest. */
    if (st == CACHET_OK && meta.this_update > meta.fetched + CACHET_REV_SKEW_SECONDS) {
        st = cachet_err_set(err, CACHET_ERR_UNTRUSTED, where, -1,
                            "the CRL of %s is dated in the future", meta.issuer);
    } else if (st == CACHET_OK && num == 0) {
        st = cachet_err_set(err, CACHET_ERR_KEY, where, -1,
                            "no certificate of the CRL issuer %s in the store", meta.issuer);
    } else if (st == CACHET_OK && !verified) {
        st = cachet_err_set(err, CACHET_ERR_UNTRUSTED, where, -1,
                            "the CRL of %s does not verify with a stored issuer certificate: %s",
                            meta.issuer, why);
    } else if (st == CACHET_OK) {
        size_t der_len = 0;
        const uint8_t *der = cachet_crl_der(crl, &der_len);
        st = cachet_db_put_crl(db, &meta, der, der_len, err);
    }
    cachet_db_certs_free(recs, num);
    cachet_crl_free(crl);
    return st;
}
