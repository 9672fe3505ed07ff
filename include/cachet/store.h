/* The certificate and key store (RFC 8550): certificates found by address,
 * capabilities learnt from signed mail, private keys kept as references (a file
 * or a PKCS#11 token, never key bytes in the database), revocation.
 *
 *   cachet_store *st;
 *   cachet_store_open(NULL, &st, &err);        // $CACHET_STORE or the SQLite default
 *   cachet_ctx_use_store(ctx, st);             // anchors, --to lookups, harvest, --as
 *   ... operations ...
 *   cachet_ctx_free(ctx); cachet_store_close(st);
 */
#ifndef CACHET_STORE_H
#define CACHET_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cachet/sink.h>
#include <cachet/smime.h>
#include <cachet/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cachet_store cachet_store;

/* cachet_store_default_url writes the store used when none is named:
 * $CACHET_STORE if set, else $XDG_DATA_HOME/cachet/store.db, else
 * ~/.local/share/cachet/store.db. */
cachet_status cachet_store_default_url(char *out, size_t out_len, cachet_error *err);
/* cachet_store_open opens |url| (NULL: the default above): "postgresql://...",
 * "sqlite:PATH" or a PATH. The store is created on first use. A file that is
 * not a cachet store is refused and left untouched; an unreachable database is
 * CACHET_ERR_IO. */
cachet_status cachet_store_open(const char *url, cachet_store **out, cachet_error *err);
void cachet_store_close(cachet_store *st);
/* cachet_store_describe: "sqlite /path/store.db" or "postgresql host/db" (no password). */
const char *cachet_store_describe(const cachet_store *st);

/* ---- Certificates ---- */

typedef enum cachet_cert_origin {
    CACHET_ORIGIN_HARVESTED = 0, /* learnt from a valid signed message */
    CACHET_ORIGIN_IMPORTED = 1,  /* imported by the user */
    CACHET_ORIGIN_ANCHOR = 2,    /* a trust anchor */
} cachet_cert_origin;

/* cachet_cert_origin_name: "harvested", "imported", "anchor". */
const char *cachet_cert_origin_name(cachet_cert_origin o);

typedef struct cachet_cert_info {
    char fingerprint[65]; /* SHA-256, lowercase hex */
    char subject[256];
    char issuer[256];
    char serial[132]; /* hex */
    char **emails;    /* the certificate's addresses, domain in lower case */
    size_t num_emails;
    int64_t not_before, not_after;
    unsigned key_usage;    /* CACHET_KU_* of store/store.h: 1 digitalSignature, 2 nonRepudiation,
                              4 keyEncipherment, 8 dataEncipherment, 0x10 keyAgreement,
                              0x20 keyCertSign, 0x40 cRLSign, 0x8000 no KeyUsage extension */
    bool email_protection; /* EKU absent or includes emailProtection */
    bool is_ca;
    cachet_cert_origin origin;
    int64_t added;
    char key_ref[1024]; /* "" or "file:/path" or "pkcs11:..." */
} cachet_cert_info;

/* cachet_cert_info_free frees an array from list/find (NULL accepted). */
void cachet_cert_info_free(cachet_cert_info *infos, size_t num);
/* cachet_cert_info_clear frees what one record owns (from cachet_store_get). */
void cachet_cert_info_clear(cachet_cert_info *info);

typedef struct cachet_import_result {
    size_t added;      /* certificates new to the store */
    size_t known;      /* certificates already there (origin raised if lower) */
    char first_fp[65]; /* fingerprint of the first certificate in the input */
} cachet_import_result;

/* cachet_store_import reads |data|: PEM (CERTIFICATE, PKCS7, CMS blocks), one DER
 * certificate, a DER/BER ContentInfo or an S/MIME message of type certs-only
 * (RFC 8551 §3.8), or, when |p12_pass| is not NULL, a PKCS#12 file (its
 * certificates only; keys go through cachet_store_import_key_p12). Nothing is
 * stored unless every certificate in |data| parses. |origin| is the origin of
 * new records. |source| names the input in error messages. */
cachet_status cachet_store_import(cachet_store *st, const uint8_t *data, size_t len,
                                  const char *source, const char *p12_pass,
                                  cachet_cert_origin origin, cachet_import_result *res,
                                  cachet_error *err);
/* cachet_store_import_many imports several inputs (each as cachet_store_import
 * reads one) all or nothing: every input is parsed before anything is stored. */
typedef struct cachet_import_input {
    const uint8_t *data;
    size_t len;
    const char *source; /* names the input in error messages */
} cachet_import_input;
cachet_status cachet_store_import_many(cachet_store *st, const cachet_import_input *in, size_t num,
                                       const char *p12_pass, cachet_cert_origin origin,
                                       cachet_import_result *res, cachet_error *err);
cachet_status cachet_store_list(cachet_store *st, cachet_cert_info **out, size_t *num,
                                cachet_error *err);
/* cachet_store_find: the certificates for |address| (case-insensitive domain),
 * newest first, whatever their validity. None: *num = 0 and CACHET_OK. */
cachet_status cachet_store_find(cachet_store *st, const char *address, cachet_cert_info **out,
                                size_t *num, cachet_error *err);
/* |fp| below: a full fingerprint or a unique prefix of at least 8 hex digits. */
cachet_status cachet_store_get(cachet_store *st, const char *fp, cachet_cert_info *out,
                               cachet_error *err);
/* cachet_store_export writes the certificate as PEM (|pem|) or DER. */
cachet_status cachet_store_export(cachet_store *st, const char *fp, bool pem,
                                  const cachet_sink *out, cachet_error *err);
/* cachet_store_load_cert gives the stored certificate |fp| (free with cachet_cert_free). */
cachet_status cachet_store_load_cert(cachet_store *st, const char *fp, cachet_cert **out,
                                     cachet_error *err);
cachet_status cachet_store_remove(cachet_store *st, const char *fp, cachet_error *err);
/* cachet_store_trust makes a stored certificate a trust anchor (|trust|) or an
 * imported certificate again (!|trust|). */
cachet_status cachet_store_trust(cachet_store *st, const char *fp, bool trust, cachet_error *err);

/* ---- Private keys (references only) ---- */

/* cachet_store_import_key_files records the key file |key_path| (absolute path
 * kept, key bytes never copied) for the certificate in |cert_path|, after
 * checking that the key opens with |pass| and matches the certificate. A key
 * file readable by group or others is refused. */
cachet_status cachet_store_import_key_files(cachet_store *st, const char *key_path,
                                            const char *cert_path, const char *pass,
                                            cachet_import_result *res, cachet_error *err);
/* cachet_store_import_key_p12 imports a PKCS#12 file (modern or legacy 3DES/RC2
 * bags): its certificates go into the store, its key is written to
 * |key_dir|/<fingerprint>.key (NULL: the keys/ folder beside the store; 0700
 * folder, 0600 file) as PKCS#8 encrypted with |pass|, and referenced. */
cachet_status cachet_store_import_key_p12(cachet_store *st, const char *p12_path, const char *pass,
                                          const char *key_dir, cachet_import_result *res,
                                          cachet_error *err);
/* cachet_store_import_key_pkcs11 references the token key named by the RFC
 * 7512 URI |uri| (with "module-path=" or p11-kit's configured modules). The
 * certificate comes from |cert_path|, or (NULL) from the token object with the
 * key's CKA_ID. The PIN is taken from the URI's pin-value/pin-source or $CACHET_PIN. */
cachet_status cachet_store_import_key_pkcs11(cachet_store *st, const char *uri,
                                             const char *cert_path, cachet_import_result *res,
                                             cachet_error *err);
/* cachet_store_list_keys: the certificates that have a key reference. */
cachet_status cachet_store_list_keys(cachet_store *st, cachet_cert_info **out, size_t *num,
                                     cachet_error *err);
/* cachet_credential_from_store loads the key of |address|: the newest
 * certificate valid now that has a key reference (|for_decrypt|: one with
 * keyEncipherment/keyAgreement; else digitalSignature/nonRepudiation), with its
 * chain from the store. |pass| opens an encrypted key file (may be NULL). */
cachet_status cachet_credential_from_store(cachet_store *st, const char *address, bool for_decrypt,
                                           const char *pass, cachet_credential **out,
                                           cachet_error *err);
/* cachet_credential_load_pkcs11 loads a token key by URI with the certificate
 * in |cert_path| (NULL: from the token). */
cachet_status cachet_credential_load_pkcs11(const char *uri, const char *cert_path,
                                            cachet_credential **out, cachet_error *err);

/* ---- Using the store in operations ---- */

/* cachet_ctx_use_store makes |st| the context's store: its anchors become trust
 * anchors, encrypt may name recipients by address, sign/decrypt may use stored
 * keys, verify may harvest. |st| must outlive the context. */
cachet_status cachet_ctx_use_store(cachet_ctx *ctx, cachet_store *st);

typedef enum cachet_revocation_policy {
    CACHET_REVOCATION_NONE = 0, /* not checked */
    CACHET_REVOCATION_SOFT,     /* revoked fails; unknown (no answer) is a warning */
    CACHET_REVOCATION_HARD,     /* revoked or unknown fails */
} cachet_revocation_policy;
void cachet_ctx_set_revocation(cachet_ctx *ctx, cachet_revocation_policy policy);
/* cachet_ctx_set_network_timeout bounds each OCSP request and CRL download
 * (seconds; 0 = the default, 10). */
void cachet_ctx_set_network_timeout(cachet_ctx *ctx, int seconds);

typedef enum cachet_revocation_state {
    CACHET_REV_GOOD = 0,
    CACHET_REV_REVOKED,
    CACHET_REV_UNKNOWN, /* no CRL or OCSP answer could be had, or the responder said unknown */
    CACHET_REV_NOT_CHECKED,
} cachet_revocation_state;
/* cachet_revocation_state_name: "good", "revoked", "unknown", "not_checked". */
const char *cachet_revocation_state_name(cachet_revocation_state s);

typedef struct cachet_revocation_result {
    cachet_revocation_state state;
    char method[8];     /* "ocsp", "crl" or "" */
    char source[1024];  /* the responder or CRL URL, or "store" for a stored CRL */
    int64_t revoked_at; /* when revoked (0 if not) */
    int64_t this_update;
    char detail[320]; /* why unknown, or the revocation reason */
} cachet_revocation_result;

/* cachet_store_import_crl stores a CRL (PEM or DER) after verifying its
 * signature with its issuer, which must be in the store; a CRL older than the
 * stored one for that issuer is ignored (RFC 8550 §6: the newest is consulted). */
cachet_status cachet_store_import_crl(cachet_store *st, const uint8_t *data, size_t len,
                                      const char *source, cachet_error *err);

/* cachet_store_revoke_check checks the stored certificate |fp| now: OCSP (from
 * its AIA) first, then a stored CRL or one fetched from its CRL distribution
 * point (cached in the store). Needs the issuer in the store. */
cachet_status cachet_store_revoke_check(const cachet_ctx *ctx, const char *fp,
                                        cachet_revocation_result *out, cachet_error *err);

/* ---- Certificate requests and certs-only messages ---- */

typedef struct cachet_request_opts {
    const char *email;    /* required: rfc822Name SAN and emailAddress-free subject CN */
    const char *key_path; /* an existing key (with |pass|), or NULL to generate */
    const char *pass;
    const char *new_key; /* "rsa:2048".."rsa:8192", "ec:P-256", "ec:P-384", "ec:P-521",
                            "ed25519"; default "rsa:3072" */
    const char *key_out; /* where a generated key is written (PKCS#8 PEM, 0600,
                            encrypted with |pass| if given); required when generating */
    bool mime;           /* application/pkcs10 MIME message instead of PEM */
} cachet_request_opts;
/* cachet_request_make writes a signed PKCS#10 request (RFC 2986) for |opts->email|. */
cachet_status cachet_request_make(const cachet_request_opts *opts, const cachet_sink *out,
                                  cachet_error *err);

/* cachet_certs_only_make writes a certs-only message (RFC 8551 §3.8): a SignedData
 * without signers carrying |certs|, as an S/MIME message (|format| SMIME, with
 * smime-type=certs-only and a .p7c name) or raw DER/PEM. */
cachet_status cachet_certs_only_make(cachet_cert *const *certs, size_t num, cachet_format format,
                                     const cachet_sink *out, cachet_error *err);

#ifdef __cplusplus
}
#endif
#endif
