/* Revocation of signer certificates on verify/decrypt (RFC 5280 CRLs, RFC 6960
 * OCSP through pki/revocation.c), under the context's policy: revoked always
 * makes the chain INVALID; unknown does so under the hard policy and is noted
 * in the chain detail (the chain stays trusted) under the soft one; "not
 * checked" (nothing to ask) is only noted. Only the signer certificate is
 * checked, not the CAs above it. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "smime/pipeline.h"

static void fmt_date(int64_t t, char *out, size_t len) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%d", &tm) == 0) {
        snprintf(out, len, "%lld", (long long)t);
    }
}

/* Seconds an OCSP or CRL fetch may take (the context has no setting for it). */
#define CACHET_RD_REVOCATION_TIMEOUT 10

/* find_issuer looks in the message's certificates, then the store. */
static cachet_cert *find_issuer(const cachet_reader *rd, const cachet_cms_verify *v,
                                const cachet_cert *cert) {
    const cachet_cert_list *certs = cachet_cms_verify_certs(v);
    for (size_t i = 0; certs != NULL && i < certs->num; i++) {
        if (cachet_cert_issued_by(cert, certs->certs[i])) {
            return cachet_cert_up_ref(certs->certs[i]);
        }
    }
    if (rd->ctx->store == NULL) {
        return NULL;
    }
    cachet_cert_list chain = {0};
    cachet_error e;
    cachet_err_clear(&e);
    cachet_cert *found = NULL;
    if (cachet_pki_store_chain(rd->ctx->store->db, rd->ctx->cert_cache, cert, 1, &chain, &e) ==
            CACHET_OK &&
        chain.num > 0) {
        found = cachet_cert_up_ref(chain.certs[0]);
    }
    cachet_cert_list_clear(&chain);
    return found;
}

static bool self_signed(const cachet_cert *c) {
    char subject[256], issuer[256];
    cachet_cert_subject(c, subject, sizeof(subject));
    cachet_cert_issuer(c, issuer, sizeof(issuer));
    return strcmp(subject, issuer) == 0 && cachet_cert_issued_by(c, c);
}

void cachet_rd_check_revocation(cachet_reader *rd, const cachet_cms_verify *v,
                                cachet_signer_report *s, const cachet_cert *cert, const char *where,
                                cachet_error *out) {
    /* A self-signed certificate trusted as an anchor has nobody who could revoke it. */
    if (self_signed(cert)) {
        return;
    }
    int64_t now = rd->ctx->at != 0 ? rd->ctx->at : (int64_t)time(NULL);
    cachet_db *db = rd->ctx->store != NULL ? rd->ctx->store->db : NULL;
    cachet_revocation_result r;
    memset(&r, 0, sizeof(r));
    cachet_cert *issuer = find_issuer(rd, v, cert);
    if (issuer == NULL) {
        r.state = CACHET_REV_UNKNOWN;
        snprintf(r.detail, sizeof(r.detail), "the issuer certificate is not available");
    } else {
        cachet_error e;
        cachet_err_clear(&e);
        if (cachet_pki_revocation_check(db, cert, issuer, now, CACHET_RD_REVOCATION_TIMEOUT, &r,
                                        &e) != CACHET_OK) {
            memset(&r, 0, sizeof(r));
            r.state = CACHET_REV_UNKNOWN;
            snprintf(r.detail, sizeof(r.detail), "%s", e.message);
        }
        cachet_cert_free(issuer);
    }
    if (r.state == CACHET_REV_GOOD) {
        return;
    }
    if (r.state == CACHET_REV_NOT_CHECKED) {
        /* Nothing to ask (no OCSP responder or CRL named, none stored): not
         * "unknown", so no policy refuses it; the report says so. */
        snprintf(s->chain_detail, sizeof(s->chain_detail), "revocation not checked: %s",
                 r.detail[0] != '\0' ? r.detail : "no OCSP responder or CRL");
        return;
    }
    if (r.state == CACHET_REV_REVOKED) {
        char date[32] = "";
        if (r.revoked_at != 0) {
            fmt_date(r.revoked_at, date, sizeof(date));
        }
        s->chain = CACHET_CHAIN_INVALID;
        bool stored = strcmp(r.source, "store") == 0;
        snprintf(s->chain_detail, sizeof(s->chain_detail), "certificate revoked (%s %s%s%s)",
                 r.method[0] != '\0' ? r.method : "crl", stored ? "from the store" : r.source,
                 date[0] != '\0' ? ", " : "", date);
        cachet_err_set(out, CACHET_ERR_UNTRUSTED, where, -1, "signer %s", s->chain_detail);
        return;
    }
    snprintf(s->chain_detail, sizeof(s->chain_detail), "revocation status unknown: %s",
             r.detail[0] != '\0' ? r.detail : "no answer");
    if (rd->ctx->revocation == CACHET_REVOCATION_HARD) {
        s->chain = CACHET_CHAIN_INVALID;
        cachet_err_set(out, CACHET_ERR_UNTRUSTED, where, -1, "signer certificate: %s",
                       s->chain_detail);
    }
}
