/* Revocation on OpenSSL: CRLs (RFC 5280 §5, §6.3) and OCSP (RFC 6960). The
 * HTTP both use is in revocation_http.c. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/internal.h"
#include "crypto/revocation.h"

struct cachet_crl {
    X509_CRL *crl;
    uint8_t *der;
    size_t der_len;
};

/* ---- Shared helpers ---- */

/* sig_weak: the house policy on signatures (DESIGN principle 5) applied to
 * revocation data: MD5/SHA-1 digests and RSA/DSA keys under 2048 bits. */
static bool sig_weak(int sig_nid, EVP_PKEY *key, char *detail, size_t detail_len) {
    int md = NID_undef;
    int pk = NID_undef;
    if (OBJ_find_sigid_algs(sig_nid, &md, &pk) &&
        (md == NID_md5 || md == NID_sha1 || md == NID_md4 || md == NID_md2)) {
        snprintf(detail, detail_len, "signed with %s, a weak algorithm", OBJ_nid2ln(sig_nid));
        return true;
    }
    int base = key != NULL ? EVP_PKEY_get_base_id(key) : 0;
    if ((base == EVP_PKEY_RSA || base == EVP_PKEY_RSA_PSS || base == EVP_PKEY_DSA) &&
        EVP_PKEY_get_bits(key) < 2048) {
        snprintf(detail, detail_len, "signed with a %d-bit key, too weak", EVP_PKEY_get_bits(key));
        return true;
    }
    return false;
}

const char *cachet_crl_reason_name(int reason) {
    static const char *const names[] = {
        "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
        "superseded",    "cessationOfOperation", "certificateHold", "value7",
        "removeFromCRL", "privilegeWithdrawn",   "aACompromise",
    };
    if (reason < 0 || reason >= (int)(sizeof(names) / sizeof(names[0])) || reason == 7) {
        return "unspecified";
    }
    return names[reason];
}

/* ---- CRLs ---- */

cachet_status cachet_crl_parse(const uint8_t *data, size_t len, cachet_crl **out,
                               cachet_error *err) {
    static const char where[] = "CertificateList";
    if (out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "no output");
    }
    *out = NULL;
    if (data == NULL || len == 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1, "empty CRL");
    }
    if (len > CACHET_CRL_MAX_BYTES) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, where, -1, "CRL of %zu bytes (at most %u)",
                              len, CACHET_CRL_MAX_BYTES);
    }
    X509_CRL *x = NULL;
    if (data[0] == 0x30) {
        const unsigned char *p = data;
        x = d2i_X509_CRL(NULL, &p, (long)len);
        if (x != NULL && p != data + len) {
            X509_CRL_free(x);
            ERR_clear_error();
            return cachet_err_set(err, CACHET_ERR_MALFORMED, where, (long long)(p - data),
                                  "%zu bytes after the CRL", (size_t)(data + len - p));
        }
    } else {
        BIO *bio = BIO_new_mem_buf(data, (int)len);
        x = bio != NULL ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
    }
    if (x == NULL) {
        return cachet_crypto_fail(err, CACHET_ERR_MALFORMED, where, "cannot parse CRL");
    }
    cachet_crl *c = cachet_calloc(1, sizeof(*c));
    unsigned char *der = NULL;
    int n = c != NULL ? i2d_X509_CRL(x, &der) : -1;
    if (n > 0) {
        c->der = cachet_malloc((size_t)n);
    }
    if (c == NULL || n <= 0 || c->der == NULL) {
        OPENSSL_free(der);
        X509_CRL_free(x);
        if (c != NULL) {
            cachet_free(c->der);
        }
        cachet_free(c);
        ERR_clear_error();
        return cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
    }
    memcpy(c->der, der, (size_t)n);
    c->der_len = (size_t)n;
    c->crl = x;
    OPENSSL_free(der);
    *out = c;
    return CACHET_OK;
}

void cachet_crl_free(cachet_crl *crl) {
    if (crl != NULL) {
        X509_CRL_free(crl->crl);
        cachet_free(crl->der);
        cachet_free(crl);
    }
}

const uint8_t *cachet_crl_der(const cachet_crl *crl, size_t *out_len) {
    *out_len = crl->der_len;
    return crl->der;
}

void cachet_crl_issuer(const cachet_crl *crl, char *out, size_t out_len) {
    cachet_crypto_name_text(X509_CRL_get_issuer(crl->crl), out, out_len);
}

void cachet_crl_times(const cachet_crl *crl, int64_t *this_update, int64_t *next_update) {
    *this_update = cachet_crypto_time_epoch(X509_CRL_get0_lastUpdate(crl->crl));
    const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl->crl);
    *next_update = next != NULL ? cachet_crypto_time_epoch(next) : 0;
}

/* crl_complete: RFC 5280 §6.3.3 (b)(2) and (d): only a complete CRL for every
 * reason and for end-entity certificates tells that a certificate it does not
 * list is good; delta CRLs and unknown critical extensions are not processed. */
static bool crl_complete(X509_CRL *crl, char *detail, size_t detail_len) {
    int count = X509_CRL_get_ext_count(crl);
    for (int i = 0; i < count; i++) {
        X509_EXTENSION *ex = X509_CRL_get_ext(crl, i);
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ex));
        if (nid == NID_delta_crl) {
            snprintf(detail, detail_len, "a delta CRL (only complete CRLs are used)");
            return false;
        }
        if (X509_EXTENSION_get_critical(ex) && nid != NID_issuing_distribution_point &&
            nid != NID_authority_key_identifier && nid != NID_crl_number) {
            snprintf(detail, detail_len, "the CRL has an unknown critical extension");
            return false;
        }
    }
    int crit = 0;
    ISSUING_DIST_POINT *idp =
        X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &crit, NULL);
    if (idp == NULL && crit != -1) {
        snprintf(detail, detail_len, "unreadable IssuingDistributionPoint");
        return false;
    }
    bool partial = idp != NULL && (idp->onlyCA > 0 || idp->onlyattr > 0 ||
                                   idp->onlysomereasons != NULL || idp->indirectCRL > 0);
    ISSUING_DIST_POINT_free(idp);
    if (partial) {
        snprintf(detail, detail_len,
                 "a partial CRL (its IssuingDistributionPoint limits its scope)");
    }
    return !partial;
}

bool cachet_crl_verify(const cachet_crl *crl, const cachet_cert *issuer, char *detail,
                       size_t detail_len) {
    X509 *ix = issuer->x509;
    bool ok = false;
    int crit = 0;
    AUTHORITY_KEYID *akid =
        X509_CRL_get_ext_d2i(crl->crl, NID_authority_key_identifier, &crit, NULL);
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(ix);
    EVP_PKEY *key = X509_get0_pubkey(ix);
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl->crl), X509_get_subject_name(ix)) != 0) {
        snprintf(detail, detail_len, "the CRL issuer is not the issuer certificate's subject");
    } else if (akid != NULL && akid->keyid != NULL && ski != NULL &&
               ASN1_OCTET_STRING_cmp(akid->keyid, ski) != 0) {
        snprintf(detail, detail_len, "the CRL's authority key identifier names another key");
    } else if ((X509_get_key_usage(ix) & KU_CRL_SIGN) == 0) {
        snprintf(detail, detail_len, "the issuer certificate's key usage does not allow cRLSign");
    } else if (key == NULL) {
        snprintf(detail, detail_len, "the issuer certificate's key is unreadable");
    } else if (sig_weak(X509_CRL_get_signature_nid(crl->crl), key, detail, detail_len)) {
        /* detail written */
    } else if (X509_CRL_verify(crl->crl, key) != 1) {
        snprintf(detail, detail_len, "the CRL signature does not verify with the issuer's key");
    } else {
        ok = crl_complete(crl->crl, detail, detail_len);
    }
    AUTHORITY_KEYID_free(akid);
    ERR_clear_error();
    return ok;
}

static int revoked_reason(X509_REVOKED *rev) {
    int crit = 0;
    ASN1_ENUMERATED *e = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, &crit, NULL);
    long r = e != NULL ? ASN1_ENUMERATED_get(e) : CACHET_CRL_REASON_NONE;
    ASN1_ENUMERATED_free(e);
    return r >= 0 && r <= 10 ? (int)r : CACHET_CRL_REASON_NONE;
}

void cachet_crl_lookup(const cachet_crl *crl, const cachet_cert *cert, cachet_rev_answer *out) {
    memset(out, 0, sizeof(*out));
    out->status = CACHET_REV_STATUS_GOOD;
    out->reason = CACHET_CRL_REASON_NONE;
    cachet_crl_times(crl, &out->this_update, &out->next_update);
    X509_REVOKED *rev = NULL;
    /* 2 is an entry with reason removeFromCRL, which only a delta CRL may hold;
     * in a complete CRL it is nonsense, so it counts as listed (fail closed). */
    if (X509_CRL_get0_by_cert(crl->crl, &rev, cert->x509) > 0 && rev != NULL) {
        out->status = CACHET_REV_STATUS_REVOKED;
        out->revoked_at = cachet_crypto_time_epoch(X509_REVOKED_get0_revocationDate(rev));
        out->reason = revoked_reason(rev);
    }
    ERR_clear_error();
}

/* ---- OCSP ---- */

cachet_status cachet_ocsp_request(const cachet_cert *cert, const cachet_cert *issuer,
                                  cachet_membuf *der, cachet_error *err) {
    static const char where[] = "OCSPRequest";
    if (cert == NULL || issuer == NULL || der == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "bad arguments");
    }
    uint8_t nonce[16];
    cachet_status st = cachet_random(nonce, sizeof(nonce), err);
    if (st != CACHET_OK) {
        return st;
    }
    /* SHA-1 CertIDs: RFC 6960 §4.1.1 names no other that responders must index. */
    EVP_MD *sha1 = cachet_md_fetch(CACHET_MD_SHA1);
    OCSP_REQUEST *req = OCSP_REQUEST_new();
    OCSP_CERTID *id = sha1 != NULL ? OCSP_cert_to_id(sha1, cert->x509, issuer->x509) : NULL;
    unsigned char *p = NULL;
    int n = -1;
    if (req != NULL && id != NULL && OCSP_request_add0_id(req, id) != NULL) {
        id = NULL; /* owned by req now */
        if (OCSP_request_add1_nonce(req, nonce, (int)sizeof(nonce))) {
            n = i2d_OCSP_REQUEST(req, &p);
        }
    }
    cachet_membuf_reset(der);
    if (n <= 0) {
        st = cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "cannot build the OCSP request");
    } else if (!cachet_membuf_append(der, p, (size_t)n)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
    }
    OPENSSL_free(p);
    OCSP_CERTID_free(id);
    OCSP_REQUEST_free(req);
    EVP_MD_free(sha1);
    ERR_clear_error();
    return st;
}

/* responder_is: |c| is the certificate the ResponderID names (RFC 6960 §4.2.2.3:
 * byKey is the SHA-1 of the subjectPublicKey BIT STRING contents). */
static bool responder_is(X509 *c, const ASN1_OCTET_STRING *kid, const X509_NAME *name) {
    if (name != NULL) {
        return X509_NAME_cmp(name, X509_get_subject_name(c)) == 0;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_MD *sha1 = cachet_md_fetch(CACHET_MD_SHA1);
    bool ok = kid != NULL && sha1 != NULL && X509_pubkey_digest(c, sha1, md, &md_len) &&
              (int)md_len == ASN1_STRING_length(kid) &&
              memcmp(md, ASN1_STRING_get0_data(kid), md_len) == 0;
    EVP_MD_free(sha1);
    return ok;
}

/* delegated_ok: RFC 6960 §4.2.2.2: a responder certificate issued directly by
 * the CA that issued the certificate in question, with id-kp-OCSPSigning. */
static bool delegated_ok(X509 *c, X509 *issuer, int64_t now, char *detail, size_t detail_len) {
    uint32_t flags = X509_get_extension_flags(c);
    EVP_PKEY *ikey = X509_get0_pubkey(issuer);
    int64_t nb = cachet_crypto_time_epoch(X509_get0_notBefore(c));
    int64_t na = cachet_crypto_time_epoch(X509_get0_notAfter(c));
    bool ok = false;
    if (X509_check_issued(issuer, c) != X509_V_OK || ikey == NULL || X509_verify(c, ikey) != 1) {
        snprintf(detail, detail_len, "signed by a responder certificate the issuer did not issue");
    } else if ((flags & EXFLAG_INVALID) != 0 || (flags & EXFLAG_XKUSAGE) == 0 ||
               (X509_get_extended_key_usage(c) & XKU_OCSP_SIGN) == 0) {
        snprintf(detail, detail_len, "signed by a certificate without id-kp-OCSPSigning");
    } else if (nb > now + CACHET_REV_SKEW_SECONDS || na < now - CACHET_REV_SKEW_SECONDS) {
        snprintf(detail, detail_len, "signed by a responder certificate not valid now");
    } else if (!sig_weak(X509_get_signature_nid(c), ikey, detail, detail_len)) {
        ok = true;
    }
    ERR_clear_error();
    return ok;
}

/* ocsp_signer finds who signed |bs|: the issuer itself, else an authorised
 * responder certificate carried in the response. */
static X509 *ocsp_signer(OCSP_BASICRESP *bs, X509 *issuer, int64_t now, char *detail,
                         size_t detail_len) {
    const ASN1_OCTET_STRING *kid = NULL;
    const X509_NAME *name = NULL;
    if (!OCSP_resp_get0_id(bs, &kid, &name)) {
        snprintf(detail, detail_len, "the response has no responder ID");
        return NULL;
    }
    if (responder_is(issuer, kid, name)) {
        return issuer;
    }
    snprintf(detail, detail_len, "signed by neither the issuer nor a responder it authorised");
    const STACK_OF(X509) *certs = OCSP_resp_get0_certs(bs);
    int num = sk_X509_num(certs);
    for (int i = 0; i < num && i < CACHET_OCSP_MAX_CERTS; i++) {
        X509 *c = sk_X509_value(certs, i);
        if (responder_is(c, kid, name) && delegated_ok(c, issuer, now, detail, detail_len)) {
            return c;
        }
    }
    return NULL;
}

/* single_for finds the SingleResponse about |cert|, comparing CertIDs under
 * the hash each one names; conflicting answers give the gravest. */
static OCSP_SINGLERESP *single_for(OCSP_BASICRESP *bs, X509 *cert, X509 *issuer) {
    OCSP_SINGLERESP *best = NULL;
    int best_rank = -1;
    int num = OCSP_resp_count(bs);
    for (int i = 0; i < num && i < 256; i++) {
        OCSP_SINGLERESP *s = OCSP_resp_get0(bs, i);
        ASN1_OBJECT *md_oid = NULL;
        if (s == NULL || !OCSP_id_get0_info(NULL, &md_oid, NULL, NULL,
                                            (OCSP_CERTID *)OCSP_SINGLERESP_get0_id(s))) {
            continue;
        }
        EVP_MD *md = EVP_MD_fetch(NULL, OBJ_nid2sn(OBJ_obj2nid(md_oid)), NULL);
        OCSP_CERTID *want = md != NULL ? OCSP_cert_to_id(md, cert, issuer) : NULL;
        bool match = want != NULL && OCSP_id_cmp(want, OCSP_SINGLERESP_get0_id(s)) == 0;
        OCSP_CERTID_free(want);
        EVP_MD_free(md);
        if (!match) {
            continue;
        }
        int st = OCSP_single_get0_status(s, NULL, NULL, NULL, NULL);
        int rank = st == V_OCSP_CERTSTATUS_REVOKED ? 2 : st == V_OCSP_CERTSTATUS_UNKNOWN ? 1 : 0;
        if (rank > best_rank) {
            best = s;
            best_rank = rank;
        }
    }
    ERR_clear_error();
    return best;
}

/* ocsp_answer reads the SingleResponse and checks it is current (§4.2.2.1). */
static cachet_status ocsp_answer(OCSP_SINGLERESP *s, int64_t now, cachet_rev_answer *out,
                                 cachet_error *err) {
    int reason = -1;
    ASN1_GENERALIZEDTIME *rev = NULL, *thisu = NULL, *nextu = NULL;
    int st = OCSP_single_get0_status(s, &reason, &rev, &thisu, &nextu);
    out->this_update = cachet_crypto_time_epoch(thisu);
    out->next_update = nextu != NULL ? cachet_crypto_time_epoch(nextu) : 0;
    if (thisu == NULL || out->this_update > now + CACHET_REV_SKEW_SECONDS) {
        return cachet_err_set(err, CACHET_ERR_UNTRUSTED, "OCSPResponse", -1,
                              "the answer's thisUpdate is in the future");
    }
    if (nextu != NULL ? out->next_update < now - CACHET_REV_SKEW_SECONDS
                      : out->this_update < now - CACHET_OCSP_MAX_AGE_SECONDS) {
        return cachet_err_set(err, CACHET_ERR_UNTRUSTED, "OCSPResponse", -1,
                              "the answer is stale (no longer current)");
    }
    if (st == V_OCSP_CERTSTATUS_GOOD) {
        out->status = CACHET_REV_STATUS_GOOD;
    } else if (st == V_OCSP_CERTSTATUS_REVOKED) {
        out->status = CACHET_REV_STATUS_REVOKED;
        out->revoked_at = cachet_crypto_time_epoch(rev);
        out->reason = reason >= 0 && reason <= 10 ? reason : CACHET_CRL_REASON_NONE;
    } else {
        out->status = CACHET_REV_STATUS_UNKNOWN;
    }
    return CACHET_OK;
}

/* ocsp_signed_answer checks who signed |bs| and how, then reads its answer. */
static cachet_status ocsp_signed_answer(OCSP_BASICRESP *bs, const cachet_cert *cert,
                                        const cachet_cert *issuer, int64_t now,
                                        cachet_rev_answer *out, cachet_error *err) {
    static const char where[] = "OCSPResponse";
    char detail[200] = "";
    X509 *signer = ocsp_signer(bs, issuer->x509, now, detail, sizeof(detail));
    EVP_PKEY *key = signer != NULL ? X509_get0_pubkey(signer) : NULL;
    const X509_ALGOR *alg = OCSP_resp_get0_tbs_sigalg(bs);
    if (key == NULL) {
        return cachet_err_set(err, CACHET_ERR_UNTRUSTED, where, -1, "%s", detail);
    }
    if (sig_weak(OBJ_obj2nid(alg->algorithm), key, detail, sizeof(detail))) {
        return cachet_err_set(err, CACHET_ERR_POLICY, where, -1, "%s", detail);
    }
    if (ASN1_item_verify(ASN1_ITEM_rptr(OCSP_RESPDATA), alg,
                         (const ASN1_BIT_STRING *)OCSP_resp_get0_signature(bs),
                         OCSP_resp_get0_respdata(bs), key) != 1) {
        return cachet_err_set(err, CACHET_ERR_BAD_SIGNATURE, where, -1,
                              "the response signature does not verify");
    }
    OCSP_SINGLERESP *single = single_for(bs, cert->x509, issuer->x509);
    if (single == NULL) {
        return cachet_err_set(err, CACHET_ERR_UNTRUSTED, where, -1,
                              "the response says nothing about this certificate");
    }
    return ocsp_answer(single, now, out, err);
}

cachet_status cachet_ocsp_check(const uint8_t *resp, size_t resp_len, const uint8_t *req,
                                size_t req_len, const cachet_cert *cert, const cachet_cert *issuer,
                                int64_t now, cachet_rev_answer *out, cachet_error *err) {
    static const char where[] = "OCSPResponse";
    if (resp == NULL || req == NULL || cert == NULL || issuer == NULL || out == NULL ||
        resp_len > CACHET_OCSP_MAX_RESPONSE || req_len > CACHET_OCSP_MAX_RESPONSE) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "bad arguments");
    }
    memset(out, 0, sizeof(*out));
    out->reason = CACHET_CRL_REASON_NONE;
    const unsigned char *p = resp;
    OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)resp_len);
    bool whole = r != NULL && p == resp + resp_len;
    const unsigned char *q = req;
    OCSP_REQUEST *oreq = d2i_OCSP_REQUEST(NULL, &q, (long)req_len);
    int status = whole ? OCSP_response_status(r) : -1;
    OCSP_BASICRESP *bs =
        status == OCSP_RESPONSE_STATUS_SUCCESSFUL ? OCSP_response_get1_basic(r) : NULL;
    cachet_status st;
    if (!whole) {
        st = cachet_crypto_fail(err, CACHET_ERR_MALFORMED, where, "cannot parse the OCSP response");
    } else if (oreq == NULL) {
        st = cachet_crypto_fail(err, CACHET_ERR_USAGE, "OCSPRequest", "cannot parse our request");
    } else if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        st = cachet_err_set(err, CACHET_ERR_UNTRUSTED, where, -1, "the responder answered %s",
                            OCSP_response_status_str(status));
    } else if (bs == NULL) {
        st = cachet_err_set(err, CACHET_ERR_UNSUPPORTED, where, -1, "not a basic OCSP response");
    } else if (OCSP_check_nonce(oreq, bs) == 0) {
        st = cachet_err_set(err, CACHET_ERR_UNTRUSTED, where, -1,
                            "the nonce differs from ours (a replayed answer?)");
    } else {
        st = ocsp_signed_answer(bs, cert, issuer, now, out, err);
    }
    OCSP_BASICRESP_free(bs);
    OCSP_REQUEST_free(oreq);
    OCSP_RESPONSE_free(r);
    ERR_clear_error();
    return st;
}

cachet_status cachet_ocsp_query(const char *url, const cachet_cert *cert, const cachet_cert *issuer,
                                int64_t now, int timeout_seconds, cachet_rev_answer *out,
                                cachet_error *err) {
    cachet_membuf req = {0};
    cachet_membuf resp = {.max = CACHET_OCSP_MAX_RESPONSE};
    cachet_status st = cachet_ocsp_request(cert, issuer, &req, err);
    if (st == CACHET_OK) {
        st = cachet_http_fetch(url, req.data, req.len, "application/ocsp-request",
                               "application/ocsp-response", CACHET_OCSP_MAX_RESPONSE,
                               timeout_seconds, &resp, err);
    }
    if (st == CACHET_OK) {
        st = cachet_ocsp_check(resp.data, resp.len, req.data, req.len, cert, issuer, now, out, err);
    }
    cachet_membuf_free(&req);
    cachet_membuf_free(&resp);
    return st;
}
