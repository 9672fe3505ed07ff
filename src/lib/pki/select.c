/* Choosing the certificate to encrypt to an address (RFC 8550 §3: the address
 * is bound through the certificate; RFC 8551 §2.4.2 and §4: valid, usable for
 * key management, chaining to a trusted CA), chains built from the store, and
 * the store's trust anchors.
 *
 * Path validation: the path is validated without the signing purpose
 * (cachet_trust_verify_recipient), so encryption-only certificates (KeyUsage
 * keyEncipherment or keyAgreement alone, common where CAs issue separate
 * signing and encryption certificates) qualify; key usage for the algorithm
 * and emailProtection are checked here beforehand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pki/pki.h"

/* Issuers looked up above a leaf at most (the CA depth seen in practice is 2-4). */
#define CACHET_PKI_SELECT_MAX_CHAIN 8
/* OCSP/CRL fetch timeout when the caller gives none. */
#define CACHET_PKI_DEFAULT_TIMEOUT 10

static void fmt_date(int64_t t, char *out, size_t len) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%d", &tm) == 0) {
        snprintf(out, len, "%lld", (long long)t);
    }
}

static bool same_cert(const cachet_cert *a, const cachet_cert *b) {
    uint8_t ha[32], hb[32];
    cachet_cert_sha256(a, ha);
    cachet_cert_sha256(b, hb);
    return memcmp(ha, hb, sizeof(ha)) == 0;
}

static bool in_list(const cachet_cert_list *l, const cachet_cert *c) {
    for (size_t i = 0; i < l->num; i++) {
        if (same_cert(l->certs[i], c)) {
            return true;
        }
    }
    return false;
}

static bool self_signed(const cachet_cert *c) {
    char subject[256], issuer[256];
    cachet_cert_subject(c, subject, sizeof(subject));
    cachet_cert_issuer(c, issuer, sizeof(issuer));
    return strcmp(subject, issuer) == 0 && cachet_cert_issued_by(c, c);
}

cachet_status cachet_pki_store_chain(cachet_db *db, cachet_cert_cache *cache,
                                     const cachet_cert *leaf, size_t max, cachet_cert_list *chain,
                                     cachet_error *err) {
    if (db == NULL || leaf == NULL || chain == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "missing store or certificate");
    }
    const cachet_cert *cur = leaf;
    for (size_t added = 0; added < max && !self_signed(cur); added++) {
        char issuer[256];
        cachet_cert_issuer(cur, issuer, sizeof(issuer));
        cachet_db_cert *recs = NULL;
        size_t n = 0;
        cachet_status st = cachet_db_find_by_subject(db, issuer, &recs, &n, err);
        if (st != CACHET_OK) {
            return st;
        }
        cachet_cert *found = NULL;
        for (size_t i = 0; i < n && found == NULL; i++) {
            cachet_cert *c = NULL;
            cachet_error ignored;
            cachet_err_clear(&ignored);
            /* A record that does not parse cannot be anybody's issuer. */
            if (cachet_pki_record_cert_cached(cache, &recs[i], &c, &ignored) != CACHET_OK) {
                continue;
            }
            /* issued_by checks names, key identifiers and the signature; a
             * certificate already on the path would make a loop. */
            if (!same_cert(c, leaf) && !in_list(chain, c) && cachet_cert_issued_by(cur, c)) {
                found = c;
            } else {
                cachet_cert_free(c);
            }
        }
        cachet_db_certs_free(recs, n);
        if (found == NULL) {
            break;
        }
        bool ok = cachet_cert_list_push(chain, found);
        cachet_cert_free(found);
        if (!ok) {
            return cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1,
                                  "certificate chain too long or out of memory");
        }
        cur = chain->certs[chain->num - 1];
    }
    return CACHET_OK;
}

cachet_status cachet_pki_add_anchors(cachet_db *db, cachet_trust *trust, size_t *num_added,
                                     cachet_error *err) {
    if (num_added != NULL) {
        *num_added = 0;
    }
    if (db == NULL || trust == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "missing store or trust");
    }
    cachet_db_cert *recs = NULL;
    size_t n = 0;
    cachet_status st = cachet_db_list_anchors(db, &recs, &n, err);
    for (size_t i = 0; st == CACHET_OK && i < n; i++) {
        cachet_cert *c = NULL;
        st = cachet_pki_record_cert(&recs[i], &c, err);
        if (st != CACHET_OK) {
            cachet_err_clear(err);
            st = cachet_err_set(err, CACHET_ERR_MALFORMED, "store", -1,
                                "stored trust anchor %s does not parse", recs[i].fingerprint);
            break;
        }
        st = cachet_trust_add_cert(trust, c, err);
        cachet_cert_free(c);
        if (st == CACHET_OK && num_added != NULL) {
            (*num_added)++;
        }
    }
    cachet_db_certs_free(recs, n);
    return st;
}

cachet_status cachet_pki_store_intermediates(cachet_db *db, cachet_cert_cache *cache, size_t max,
                                             cachet_cert_list *out, cachet_error *err) {
    if (db == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "missing store");
    }
    cachet_db_cert *recs = NULL;
    size_t n = 0;
    cachet_status st = cachet_db_list_certs(db, &recs, &n, err);
    size_t taken = 0;
    for (size_t i = 0; st == CACHET_OK && i < n && taken < max; i++) {
        if (!recs[i].is_ca || recs[i].origin == CACHET_DB_ANCHOR) {
            continue;
        }
        cachet_cert *c = NULL;
        if (cachet_pki_record_cert_cached(cache, &recs[i], &c, NULL) != CACHET_OK) {
            continue; /* a damaged record cannot complete any path */
        }
        if (!cachet_cert_list_push(out, c)) {
            st = cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
        }
        cachet_cert_free(c);
        taken++;
    }
    cachet_db_certs_free(recs, n);
    return st;
}

cachet_status cachet_pki_store_matching(cachet_db *db, cachet_cert_cache *cache,
                                        bool (*match)(void *arg, const cachet_cert *c), void *arg,
                                        size_t max, cachet_cert_list *out, cachet_error *err) {
    if (db == NULL || out == NULL || match == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "missing store");
    }
    cachet_db_cert *recs = NULL;
    size_t n = 0;
    cachet_status st = cachet_db_list_certs(db, &recs, &n, err);
    size_t taken = 0;
    for (size_t i = 0; st == CACHET_OK && i < n && taken < max; i++) {
        cachet_cert *c = NULL;
        if (cachet_pki_record_cert_cached(cache, &recs[i], &c, NULL) != CACHET_OK) {
            continue;
        }
        if (match(arg, c)) {
            if (!cachet_cert_list_push(out, c)) {
                st = cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
            }
            taken++;
        }
        cachet_cert_free(c);
    }
    cachet_db_certs_free(recs, n);
    return st;
}

/* Why candidates were refused, for the error message. */
typedef struct tally {
    size_t expired, not_yet_valid, key_usage, eku, key_type, untrusted, revoked, unknown,
        unreadable;
    int64_t newest_expired;
    char untrusted_reason[200];
    char revoked_text[200];
    char unknown_reason[200];
} tally;

/* Certificates someone imported (or made anchors) come before harvested ones,
 * newest first within each: a certificate learnt from signed mail never
 * silently displaces one an administrator put in the store, even when it is
 * newer and chains to a trusted CA (ATTACKS OR-08 (d), GW-05); it is used only
 * when no imported one qualifies. */
static int by_preference(const void *a, const void *b) {
    const cachet_db_cert *x = a, *y = b;
    bool xh = x->origin == CACHET_DB_HARVESTED, yh = y->origin == CACHET_DB_HARVESTED;
    if (xh != yh) {
        return xh ? 1 : -1;
    }
    if (x->not_before != y->not_before) {
        return x->not_before > y->not_before ? -1 : 1;
    }
    if (x->not_after != y->not_after) {
        return x->not_after > y->not_after ? -1 : 1;
    }
    return strcmp(x->fingerprint, y->fingerprint);
}

/* usable_key: RSA key transport needs keyEncipherment, ECDH keyAgreement (RFC
 * 8550 §4.4.2); other key types cannot receive a content-encryption key here. */
static bool usable_key(const cachet_cert *cert, tally *t) {
    cachet_pkey *pk = cachet_cert_pkey(cert);
    cachet_key_type kt = pk != NULL ? cachet_pkey_type(pk) : CACHET_KEY_NONE;
    cachet_pkey_free(pk);
    if (kt == CACHET_KEY_RSA) {
        if (!cachet_cert_allows_key_encipherment(cert)) {
            t->key_usage++;
            return false;
        }
    } else if (kt == CACHET_KEY_EC) {
        if (!cachet_cert_allows_key_agreement(cert)) {
            t->key_usage++;
            return false;
        }
    } else {
        t->key_type++;
        return false;
    }
    if (!cachet_cert_allows_email_protection(cert)) {
        t->eku++;
        return false;
    }
    return true;
}

static bool chain_trusted(const cachet_cert *cert, const cachet_cert_list *chain,
                          const cachet_pki_select_opts *opts, int64_t now, tally *t) {
    char detail[256] = "";
    cachet_chain_status cs = CACHET_CHAIN_NOT_CHECKED;
    bool weak = false;
    if (opts->trust != NULL) {
        cs = cachet_trust_verify_recipient(opts->trust, cert, chain, now, opts->allow_weak, &weak,
                                           detail, sizeof(detail));
    } else {
        snprintf(detail, sizeof(detail), "no trust anchors");
    }
    if (cs == CACHET_CHAIN_TRUSTED) {
        return true;
    }
    t->untrusted++;
    if (t->untrusted_reason[0] == '\0') {
        snprintf(t->untrusted_reason, sizeof(t->untrusted_reason), "%s",
                 detail[0] != '\0' ? detail : cachet_chain_status_name(cs));
    }
    return false;
}

/* describe_revocation: "CRL from http://..., 2026-11-20". */
static void describe_revocation(const cachet_revocation_result *r, char *out, size_t len) {
    char date[32] = "";
    int64_t when = r->revoked_at != 0 ? r->revoked_at : r->this_update;
    if (when != 0) {
        fmt_date(when, date, sizeof(date));
    }
    const char *method = strcmp(r->method, "ocsp") == 0 ? "OCSP" : "CRL";
    const char *source = strcmp(r->source, "store") == 0 ? "the store" : r->source;
    snprintf(out, len, "%s from %s%s%s", method, source[0] != '\0' ? source : "unknown source",
             date[0] != '\0' ? ", " : "", date);
}

/* revocation_ok applies the policy; false refuses the candidate. A failing
 * check (bad arguments, out of memory) is returned in |*fatal|. */
static bool revocation_ok(cachet_db *db, const char *addr, const cachet_cert *cert,
                          const cachet_cert_list *chain, const cachet_pki_select_opts *opts,
                          int64_t now, tally *t, cachet_status *fatal, cachet_error *err) {
    *fatal = CACHET_OK;
    /* A self-signed certificate trusted as such has nobody who could revoke it. */
    if (opts->revocation == CACHET_REVOCATION_NONE || self_signed(cert)) {
        return true;
    }
    const cachet_cert *issuer = NULL;
    for (size_t i = 0; i < chain->num && issuer == NULL; i++) {
        if (cachet_cert_issued_by(cert, chain->certs[i])) {
            issuer = chain->certs[i];
        }
    }
    cachet_revocation_result r;
    memset(&r, 0, sizeof(r));
    if (issuer == NULL) {
        r.state = CACHET_REV_UNKNOWN;
        snprintf(r.detail, sizeof(r.detail), "the issuer certificate is not in the store");
    } else {
        int timeout =
            opts->timeout_seconds > 0 ? opts->timeout_seconds : CACHET_PKI_DEFAULT_TIMEOUT;
        *fatal = cachet_pki_revocation_check(db, cert, issuer, now, timeout, &r, err);
        if (*fatal != CACHET_OK) {
            return false;
        }
    }
    switch (r.state) {
        case CACHET_REV_GOOD:
        case CACHET_REV_NOT_CHECKED:
            /* NOT_CHECKED: the certificate names no OCSP responder or CRL and none
             * is stored - nothing to ask, which is not "unknown" (the CLI's
             * revoke-check treats it alike). */
            return true;
        case CACHET_REV_REVOKED:
            t->revoked++;
            if (t->revoked_text[0] == '\0') {
                describe_revocation(&r, t->revoked_text, sizeof(t->revoked_text));
            }
            return false;
        case CACHET_REV_UNKNOWN:
            break;
    }
    const char *why = r.detail[0] != '\0' ? r.detail : "no answer";
    if (opts->revocation == CACHET_REVOCATION_HARD) {
        t->unknown++;
        if (t->unknown_reason[0] == '\0') {
            snprintf(t->unknown_reason, sizeof(t->unknown_reason), "%s", why);
        }
        return false;
    }
    if (opts->warning != NULL && opts->warning_len > 0) {
        snprintf(opts->warning, opts->warning_len,
                 "revocation status of the certificate for %s is unknown (%s)", addr, why);
    }
    return true;
}

/* append_part adds ", " and a formatted piece to |out|. */
static void append_part(char *out, size_t len, const char *fmt, size_t n, const char *extra) {
    size_t used = strnlen(out, len);
    if (used + 1 >= len) {
        return;
    }
    char piece[320];
    snprintf(piece, sizeof(piece), fmt, n, extra);
    snprintf(out + used, len - used, "%s%s", used > 0 ? ", " : "", piece);
}

static cachet_status refuse(const char *addr, size_t num, const tally *t, cachet_error *err) {
    if (t->revoked == num && num == 1) {
        return cachet_err_set(err, CACHET_ERR_UNTRUSTED, "", -1,
                              "certificate for %s is revoked (%s)", addr, t->revoked_text);
    }
    char parts[300] = "";
    if (t->expired > 0) {
        char date[32] = "";
        fmt_date(t->newest_expired, date, sizeof(date));
        append_part(parts, sizeof(parts), "%zu expired, newest expired %s", t->expired, date);
    }
    if (t->not_yet_valid > 0) {
        append_part(parts, sizeof(parts), "%zu not yet valid%s", t->not_yet_valid, "");
    }
    if (t->key_usage > 0) {
        append_part(parts, sizeof(parts), "%zu not for encryption (key usage)%s", t->key_usage, "");
    }
    if (t->eku > 0) {
        append_part(parts, sizeof(parts), "%zu not for email (extended key usage)%s", t->eku, "");
    }
    if (t->key_type > 0) {
        append_part(parts, sizeof(parts), "%zu with a key type that cannot encrypt%s", t->key_type,
                    "");
    }
    if (t->untrusted > 0) {
        append_part(parts, sizeof(parts), "%zu untrusted (%s)", t->untrusted, t->untrusted_reason);
    }
    if (t->revoked > 0) {
        append_part(parts, sizeof(parts), "%zu revoked (%s)", t->revoked, t->revoked_text);
    }
    if (t->unknown > 0) {
        append_part(parts, sizeof(parts), "%zu with unknown revocation status (%s)", t->unknown,
                    t->unknown_reason);
    }
    if (t->unreadable > 0) {
        append_part(parts, sizeof(parts), "%zu unreadable%s", t->unreadable, "");
    }
    return cachet_err_set(err, CACHET_ERR_UNTRUSTED, "", -1, "no certificate for %s (%s)", addr,
                          parts);
}

cachet_status cachet_pki_select_recipient(cachet_db *db, const char *address,
                                          const cachet_pki_select_opts *opts, cachet_cert **out,
                                          cachet_error *err) {
    if (out != NULL) {
        *out = NULL;
    }
    if (db == NULL || address == NULL || opts == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "missing store, address or options");
    }
    if (opts->warning != NULL && opts->warning_len > 0) {
        opts->warning[0] = '\0';
    }
    char addr[320];
    if (!cachet_db_normalize_address(address, addr, sizeof(addr))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "\"%.200s\" is not an email address",
                              address);
    }
    int64_t now = opts->now != 0 ? opts->now : (int64_t)time(NULL);
    cachet_db_cert *recs = NULL;
    size_t n = 0;
    cachet_status st = cachet_db_find_by_email(db, addr, &recs, &n, err);
    if (st != CACHET_OK) {
        return st;
    }
    if (n == 0) {
        return cachet_err_set(err, CACHET_ERR_KEY, "", -1, "no certificate for %s in the store",
                              addr);
    }
    /* Imported before harvested, newest first: the first one that qualifies is
     * the one to use and no revocation check is made for the others. */
    qsort(recs, n, sizeof(*recs), by_preference);
    tally t;
    memset(&t, 0, sizeof(t));
    cachet_cert *chosen = NULL;
    for (size_t i = 0; i < n && chosen == NULL && st == CACHET_OK; i++) {
        cachet_cert *cert = NULL;
        cachet_error ignored;
        cachet_err_clear(&ignored);
        if (cachet_pki_record_cert_cached(opts->cert_cache, &recs[i], &cert, &ignored) !=
            CACHET_OK) {
            t.unreadable++;
            continue;
        }
        int64_t nb = 0, na = 0;
        cachet_cert_validity(cert, &nb, &na);
        cachet_cert_list chain = {0};
        bool ok = false;
        if (na < now) {
            t.expired++;
            if (na > t.newest_expired) {
                t.newest_expired = na;
            }
        } else if (nb > now) {
            t.not_yet_valid++;
        } else if (usable_key(cert, &t)) {
            st = cachet_pki_store_chain(db, opts->cert_cache, cert, CACHET_PKI_SELECT_MAX_CHAIN,
                                        &chain, err);
            cachet_status fatal = CACHET_OK;
            ok = st == CACHET_OK && chain_trusted(cert, &chain, opts, now, &t) &&
                 revocation_ok(db, addr, cert, &chain, opts, now, &t, &fatal, err);
            if (fatal != CACHET_OK) {
                st = fatal;
            }
        }
        cachet_cert_list_clear(&chain);
        if (ok) {
            chosen = cert;
        } else {
            cachet_cert_free(cert);
        }
    }
    cachet_db_certs_free(recs, n);
    if (st != CACHET_OK) {
        cachet_cert_free(chosen);
        return st;
    }
    if (chosen == NULL) {
        if (opts->warning != NULL && opts->warning_len > 0) {
            opts->warning[0] = '\0';
        }
        return refuse(addr, n, &t, err);
    }
    *out = chosen;
    return CACHET_OK;
}
