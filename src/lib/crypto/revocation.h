/* crypto/revocation: CRLs (RFC 5280 §5, §6.3), OCSP (RFC 6960) and the plain
 * HTTP fetches both need, on OpenSSL (its own HTTP client: we never parse HTTP).
 * Policy (which source first, caching, what "unknown" means to the caller)
 * belongs to pki/revocation.c; this layer only says what an answer proves. */
#ifndef CACHET_CRYPTO_REVOCATION_H
#define CACHET_CRYPTO_REVOCATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "crypto/crypto.h"

/* Clock skew tolerated between us and a CRL issuer or OCSP responder. */
#define CACHET_REV_SKEW_SECONDS 300
/* An OCSP answer without nextUpdate is accepted this long after its thisUpdate. */
#define CACHET_OCSP_MAX_AGE_SECONDS 86400
/* Largest CRL parsed (the store's limit too) and largest fetched over HTTP. */
#define CACHET_CRL_MAX_BYTES (64u << 20)
#define CACHET_CRL_MAX_FETCH (32u << 20)
#define CACHET_OCSP_MAX_RESPONSE (1u << 20)
/* Certificates a response may carry before we stop looking for its signer. */
#define CACHET_OCSP_MAX_CERTS 16

/* CRLReason (RFC 5280 §5.3.1); CACHET_CRL_REASON_NONE when the entry has none. */
#define CACHET_CRL_REASON_NONE (-1)
/* cachet_crl_reason_name: "keyCompromise", ..., "unspecified" for NONE or unknown codes. */
const char *cachet_crl_reason_name(int reason);

typedef enum cachet_rev_status {
    CACHET_REV_STATUS_GOOD = 0,
    CACHET_REV_STATUS_REVOKED,
    CACHET_REV_STATUS_UNKNOWN, /* OCSP only: the responder does not know the certificate */
} cachet_rev_status;

/* What one CRL or OCSP answer says about one certificate. */
typedef struct cachet_rev_answer {
    cachet_rev_status status;
    int64_t this_update, next_update; /* next_update 0: none given */
    int64_t revoked_at;               /* 0 unless revoked */
    int reason;                       /* CACHET_CRL_REASON_* code, or NONE */
} cachet_rev_answer;

/* ---- CRLs ---- */

typedef struct cachet_crl cachet_crl;
/* cachet_crl_parse reads one CRL, DER or PEM (X509 CRL block), at most
 * CACHET_CRL_MAX_BYTES; trailing bytes after DER are refused. */
cachet_status cachet_crl_parse(const uint8_t *data, size_t len, cachet_crl **out,
                               cachet_error *err);
void cachet_crl_free(cachet_crl *crl);
/* cachet_crl_der: the DER encoding (owned by |crl|). */
const uint8_t *cachet_crl_der(const cachet_crl *crl, size_t *out_len);
/* cachet_crl_issuer writes the issuer as RFC 2253 text (as cachet_cert_subject). */
void cachet_crl_issuer(const cachet_crl *crl, char *out, size_t out_len);
/* cachet_crl_times: thisUpdate and nextUpdate (0 when absent). */
void cachet_crl_times(const cachet_crl *crl, int64_t *this_update, int64_t *next_update);
/* cachet_crl_verify checks that |issuer| issued |crl|: its subject is the CRL's
 * issuer, the key identifiers agree, its KeyUsage (if any) allows cRLSign, the
 * signature verifies and is not weak (MD5, SHA-1, RSA/DSA under 2048 bits); and
 * that the CRL is complete for every reason and end-entity certificate (no delta
 * CRL, no indirect or partitioned IssuingDistributionPoint, no unknown critical
 * extension). False with a reason in |detail| otherwise. */
bool cachet_crl_verify(const cachet_crl *crl, const cachet_cert *issuer, char *detail,
                       size_t detail_len);
/* cachet_crl_lookup: REVOKED (with date and reason) when the CRL lists |cert|
 * (issuer name and serial), else GOOD. Times come from the CRL. */
void cachet_crl_lookup(const cachet_crl *crl, const cachet_cert *cert, cachet_rev_answer *out);

/* ---- OCSP ---- */

/* cachet_ocsp_request writes a DER OCSPRequest for |cert|: one CertID with SHA-1
 * hashes (what responders index by) and a 16-byte random nonce extension. */
cachet_status cachet_ocsp_request(const cachet_cert *cert, const cachet_cert *issuer,
                                  cachet_membuf *der, cachet_error *err);
/* cachet_ocsp_check parses and checks |resp| (a DER OCSPResponse) as the answer
 * to the request |req| about |cert|: status successful, a basic response signed
 * (with no weak algorithm) by |issuer| or by a responder certificate |issuer|
 * issued with id-kp-OCSPSigning and valid at |now|; the nonce, when echoed,
 * equal to ours; a SingleResponse for our CertID current at |now| (thisUpdate
 * not after now + skew, nextUpdate not before now - skew, or without nextUpdate
 * thisUpdate at most CACHET_OCSP_MAX_AGE_SECONDS old). CACHET_OK fills |out|;
 * otherwise the error says what was wrong (MALFORMED, UNSUPPORTED,
 * BAD_SIGNATURE, UNTRUSTED, POLICY). */
cachet_status cachet_ocsp_check(const uint8_t *resp, size_t resp_len, const uint8_t *req,
                                size_t req_len, const cachet_cert *cert, const cachet_cert *issuer,
                                int64_t now, cachet_rev_answer *out, cachet_error *err);
/* cachet_ocsp_query asks the responder at |url| (http:// only) about |cert|:
 * request, HTTP POST within |timeout_seconds|, cachet_ocsp_check. A failure to
 * get an answer is CACHET_ERR_IO ("connection refused", "timed out", ...). */
cachet_status cachet_ocsp_query(const char *url, const cachet_cert *cert, const cachet_cert *issuer,
                                int64_t now, int timeout_seconds, cachet_rev_answer *out,
                                cachet_error *err);

/* ---- HTTP (OpenSSL's client; http:// only, no redirects, bounded) ---- */

/* cachet_http_fetch GETs |url| (|body| NULL) or POSTs |body| with |content_type|,
 * and appends the response body to |out|. The response must be DER-framed ASN.1
 * of at most |max| bytes, of |expect_type| when not NULL, and arrive within
 * |timeout_seconds|. Failures are CACHET_ERR_IO with the reason ("connection
 * refused", "HTTP 404 File not found", ...); a URL we do not fetch (not
 * http://, user info, no host) is CACHET_ERR_UNSUPPORTED. */
cachet_status cachet_http_fetch(const char *url, const uint8_t *body, size_t body_len,
                                const char *content_type, const char *expect_type, size_t max,
                                int timeout_seconds, cachet_membuf *out, cachet_error *err);

#endif
