/* pki/: certificates as store records, choosing a recipient's certificate and
 * the algorithms it supports, revocation, and private keys (files, PKCS#11).
 * It sits under smime/ and over store/, der/ and crypto/ (DESIGN.md layers). */
#ifndef CACHET_PKI_PKI_H
#define CACHET_PKI_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cachet/store.h>

#include "base/base.h"
#include "crypto/crypto.h"
#include "store/store.h"

/* ---- Records (pki/record.c) ---- */

/* cachet_pki_hex writes |len| bytes as lowercase hex (truncated to fit). */
void cachet_pki_hex(const uint8_t *in, size_t len, char *out, size_t out_len);
/* cachet_pki_cert_record fills |out| (a copy of the DER, fingerprint, subject,
 * issuer, serial, SKI, AKI, every address normalised, validity, key usage,
 * emailProtection, cA) with |origin| and no key_ref. */
cachet_status cachet_pki_cert_record(const cachet_cert *cert, cachet_db_origin origin,
                                     cachet_db_cert *out, cachet_error *err);
/* cachet_pki_record_cert parses the DER of a record back into a certificate;
 * _cached parses it through |cache| (NULL: parsed every time). The functions
 * below that take a |cache| read their records through it. */
cachet_status cachet_pki_record_cert(const cachet_db_cert *rec, cachet_cert **out,
                                     cachet_error *err);
cachet_status cachet_pki_record_cert_cached(cachet_cert_cache *cache, const cachet_db_cert *rec,
                                            cachet_cert **out, cachet_error *err);

/* ---- Capabilities (pki/caps.c; RFC 8551 §2.5.2, RFC 4262, RFC 5084 §5) ---- */

typedef struct cachet_pki_caps {
    bool aes256_gcm, aes128_gcm, aes256_cbc, aes128_cbc, rsa_oaep;
} cachet_pki_caps;

/* cachet_pki_caps_parse reads a DER SMIMECapabilities (SEQUENCE OF
 * SMIMECapability); unknown capabilities are skipped. False if malformed. */
bool cachet_pki_caps_parse(const uint8_t *der, size_t len, cachet_pki_caps *out);
/* cachet_pki_caps_of: what is known of |cert|'s owner: the newest capabilities
 * stored for any of its addresses, merged with its RFC 4262 extension.
 * |*known| is false when neither exists. */
cachet_status cachet_pki_caps_of(cachet_db *db, const cachet_cert *cert, cachet_pki_caps *out,
                                 bool *known, cachet_error *err);
/* cachet_pki_choose_algorithms: AES-256-GCM only when every recipient is known
 * to support it, else AES-256-CBC; |*oaep| when every RSA recipient is known to
 * support RSAES-OAEP (false when there is no RSA recipient). |db| may be NULL
 * (only certificate extensions are then known). */
cachet_status cachet_pki_choose_algorithms(cachet_db *db, cachet_cert *const *certs, size_t num,
                                           cachet_cipher *cipher, bool *oaep, cachet_error *err);

/* ---- Certificate selection and chains (pki/select.c) ---- */

/* cachet_pki_store_chain appends to |chain| the issuers of |leaf| found in the
 * store, up to a self-signed certificate or |max| certificates. */
cachet_status cachet_pki_store_chain(cachet_db *db, cachet_cert_cache *cache,
                                     const cachet_cert *leaf, size_t max, cachet_cert_list *chain,
                                     cachet_error *err);
/* cachet_pki_store_intermediates appends the stored CA certificates that are
 * not anchors (at most |max|, newest first) to |out|: candidates for the
 * middle of a path. */
cachet_status cachet_pki_store_intermediates(cachet_db *db, cachet_cert_cache *cache, size_t max,
                                             cachet_cert_list *out, cachet_error *err);
/* cachet_pki_store_matching appends to |out| the stored certificates for which
 * |match| is true (at most |max|): e.g. the certificate of a signer whose
 * message did not carry it. */
cachet_status cachet_pki_store_matching(cachet_db *db, cachet_cert_cache *cache,
                                        bool (*match)(void *arg, const cachet_cert *c), void *arg,
                                        size_t max, cachet_cert_list *out, cachet_error *err);
/* cachet_pki_add_anchors adds every stored anchor to |trust|. */
cachet_status cachet_pki_add_anchors(cachet_db *db, cachet_trust *trust, size_t *num_added,
                                     cachet_error *err);

typedef struct cachet_pki_select_opts {
    const cachet_trust *trust; /* NULL: no chain check (refused: see below) */
    int64_t now;
    cachet_revocation_policy revocation;
    int timeout_seconds; /* for OCSP/CRL fetches */
    bool allow_weak;
    cachet_cert_cache *cert_cache; /* stored certificates are parsed through it (may be NULL) */
    /* warning (may be NULL): with the soft policy, a certificate whose
     * revocation status is unknown is selected and this says so ("" otherwise). */
    char *warning;
    size_t warning_len;
} cachet_pki_select_opts;

/* cachet_pki_select_recipient picks the certificate to encrypt to |address|:
 * valid at |now|, keyEncipherment (RSA) or keyAgreement (EC) allowed,
 * emailProtection, chaining to an anchor of |trust|, not revoked (per the
 * policy); among several, the newest. When none qualifies the error says why,
 * counting the rejected: "no certificate for bob@example.com (2 expired,
 * newest expired 2026-03-01)", "certificate for bob@example.com is revoked (CRL
 * from http://..., 2026-11-20)". CACHET_ERR_KEY when nothing is stored for the
 * address, CACHET_ERR_UNTRUSTED when candidates exist but none qualifies. */
cachet_status cachet_pki_select_recipient(cachet_db *db, const char *address,
                                          const cachet_pki_select_opts *opts, cachet_cert **out,
                                          cachet_error *err);

/* ---- Revocation (pki/revocation.c; RFC 5280 CRLs, RFC 6960 OCSP) ---- */

/* cachet_pki_revocation_check asks OCSP (the certificate's AIA responders)
 * first, then a CRL: the one stored for |issuer| if still current, else one
 * fetched from the distribution points over HTTP (verified with |issuer|, then
 * stored when |db| is not NULL). Every answer's signature is checked (OCSP: by
 * the issuer or a delegated responder certificate it issued with
 * id-kp-OCSPSigning). |out| says good, revoked or unknown; the return is
 * CACHET_OK whenever |out| was filled (policy is the caller's), an error only
 * for bad arguments or out of memory. */
cachet_status cachet_pki_revocation_check(cachet_db *db, const cachet_cert *cert,
                                          const cachet_cert *issuer, int64_t now,
                                          int timeout_seconds, cachet_revocation_result *out,
                                          cachet_error *err);
/* cachet_pki_import_crl verifies a CRL (DER or PEM) against an issuer found in
 * the store and stores it. */
cachet_status cachet_pki_import_crl(cachet_db *db, const uint8_t *data, size_t len,
                                    const char *source, cachet_error *err);

/* ---- Private keys (pki/keyref.c, pki/p11*.c) ---- */
/* cachet_pki_read_file reads all of |path| (at most |max| bytes) into |out|
 * (reset first; its stack copy cleansed, so key files may pass). A file that
 * cannot be opened or read is |fail| (CACHET_ERR_IO, CACHET_ERR_KEY); |what|
 * prefixes the path in messages ("the key file ", or ""). */
cachet_status cachet_pki_read_file(const char *path, size_t max, cachet_status fail,
                                   const char *what, cachet_membuf *out, cachet_error *err);

/* cachet_pki_load_key_ref opens the key a record points to: "file:PATH" (with
 * |pass|) or a "pkcs11:" URI. The key must match |cert|. */
cachet_status cachet_pki_load_key_ref(const char *key_ref, const char *pass,
                                      const cachet_cert *cert, cachet_pkey **out,
                                      cachet_error *err);
/* cachet_pki_p11_load opens the token key named by the RFC 7512 |uri| through
 * the PKCS#11 API (module from "module-path=" or p11-kit's registered modules;
 * PIN from "pin-value=", "pin-source=" or $CACHET_PIN). The returned key keeps a
 * session open and runs sign (RSA v1.5/PSS, ECDSA, EdDSA), RSA decrypt (v1.5,
 * OAEP) and ECDH derive on the token. Its public half comes from |cert|, or
 * when |cert| is NULL from the token certificate with the key's CKA_ID, which
 * is then returned in |*out_cert| (may be NULL otherwise). */
cachet_status cachet_pki_p11_load(const char *uri, const cachet_cert *cert, cachet_pkey **out_key,
                                  cachet_cert **out_cert, cachet_error *err);

#endif
