/* store/: the certificate store's records, in SQLite (the embedded default) or
 * PostgreSQL (several gateway nodes sharing one store). It knows nothing of
 * ASN.1 or keys: callers hand it DER blobs and the fields they extracted (pki/).
 * Both backends have the same schema, versioned with migrations, and the same
 * semantics; every write is one transaction, and concurrent writers (several
 * processes) are safe: a certificate stored twice at once is stored once.
 *
 * Addresses are kept normalised: the local part as given, the domain in lower
 * case (RFC 8550 §3: the domain compares case-insensitively). Callers pass
 * addresses through cachet_db_normalize_address before storing or looking up. */
#ifndef CACHET_STORE_STORE_H
#define CACHET_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

typedef struct cachet_db cachet_db;

/* Where a certificate came from. Origins only ever move up (harvested <
 * imported < anchor): importing a harvested certificate makes it imported, and
 * harvesting an anchor leaves it an anchor. */
typedef enum cachet_db_origin {
    CACHET_DB_HARVESTED = 0,
    CACHET_DB_IMPORTED = 1,
    CACHET_DB_ANCHOR = 2,
} cachet_db_origin;

/* Key usage bits (our own numbering of the X.509 KeyUsage bits). */
#define CACHET_KU_DIGITAL_SIGNATURE 0x0001u
#define CACHET_KU_NON_REPUDIATION 0x0002u
#define CACHET_KU_KEY_ENCIPHERMENT 0x0004u
#define CACHET_KU_DATA_ENCIPHERMENT 0x0008u
#define CACHET_KU_KEY_AGREEMENT 0x0010u
#define CACHET_KU_KEY_CERT_SIGN 0x0020u
#define CACHET_KU_CRL_SIGN 0x0040u
#define CACHET_KU_ENCIPHER_ONLY 0x0080u
#define CACHET_KU_DECIPHER_ONLY 0x0100u
#define CACHET_KU_ABSENT 0x8000u /* the certificate has no KeyUsage extension */

#define CACHET_DB_MAX_EMAILS 64
#define CACHET_DB_MAX_CERT (256u * 1024u) /* bytes of one DER certificate */
#define CACHET_DB_MAX_CRL (64u << 20)     /* bytes of one DER CRL */
#define CACHET_DB_MAX_CAPS (16u * 1024u)  /* bytes of one SMIMECapabilities value */
#define CACHET_DB_MAX_ROWS 100000         /* rows one query returns at most */

/* One certificate record. Strings are NUL-terminated and truncated to fit. */
typedef struct cachet_db_cert {
    uint8_t *der; /* the certificate (cachet_malloc'd; owned by the record) */
    size_t der_len;
    char fingerprint[65]; /* SHA-256 of der, lowercase hex: the primary key */
    char subject[256];    /* RFC 2253 */
    char issuer[256];     /* RFC 2253 */
    char serial[132];     /* lowercase hex of the serialNumber contents */
    char ski[132];        /* subjectKeyIdentifier, lowercase hex, "" if none */
    char aki[132];        /* authorityKeyIdentifier keyIdentifier, hex, "" if none */
    char **emails;        /* normalised addresses (cachet_malloc'd strings) */
    size_t num_emails;
    int64_t not_before, not_after; /* seconds since the epoch */
    unsigned key_usage;            /* CACHET_KU_* */
    bool email_protection;         /* EKU absent, or has emailProtection */
    bool is_ca;                    /* basicConstraints cA */
    cachet_db_origin origin;
    int64_t added;      /* when the record was first written (set by the store) */
    char key_ref[1024]; /* "" or "file:/abs/path" or a "pkcs11:..." URI (RFC 7512) */
} cachet_db_cert;

/* cachet_db_cert_clear frees what |c| owns and zeroes it. */
void cachet_db_cert_clear(cachet_db_cert *c);
/* cachet_db_certs_free clears |num| records and frees the array. */
void cachet_db_certs_free(cachet_db_cert *certs, size_t num);
/* cachet_db_cert_add_email appends a copy of |addr| (normalised). */
bool cachet_db_cert_add_email(cachet_db_cert *c, const char *addr);

/* cachet_db_normalize_address writes |addr| with its domain in lower case.
 * False if |addr| is not local@domain, has controls/space, or does not fit. */
bool cachet_db_normalize_address(const char *addr, char *out, size_t out_len);

/* ---- Opening ---- */

/* cachet_db_open opens (creating and migrating as needed) the store at |url|:
 *   "postgresql://..." or "postgres://..."  PostgreSQL (libpq connection URI)
 *   "sqlite:PATH" or a plain PATH            SQLite file (parent directory made 0700,
 *                                            file 0600)
 * A file that is not a cachet store, or a schema newer than this code knows,
 * is refused (CACHET_ERR_MALFORMED / CACHET_ERR_UNSUPPORTED) and left as it is.
 * An unreachable database is CACHET_ERR_IO with the server's reason. */
cachet_status cachet_db_open(const char *url, cachet_db **out, cachet_error *err);
void cachet_db_close(cachet_db *db);
/* cachet_db_kind: "sqlite" or "postgresql". */
const char *cachet_db_kind(const cachet_db *db);
/* cachet_db_schema_version: the schema version of the open store. */
int cachet_db_schema_version(const cachet_db *db);
/* The schema version this code writes. */
#define CACHET_DB_SCHEMA_VERSION 1

/* ---- Certificates ---- */

/* cachet_db_put_cert stores |c| (its key_ref too, when not ""). If the
 * fingerprint is already stored, the DER and fields are kept, the origin moves
 * up (never down), new emails are added and a non-empty key_ref replaces the
 * old one. |*inserted| (may be NULL) tells whether it was new. */
cachet_status cachet_db_put_cert(cachet_db *db, const cachet_db_cert *c, bool *inserted,
                                 cachet_error *err);
/* cachet_db_get_cert finds one certificate by full fingerprint or by a unique
 * prefix of at least 8 hex digits. Not found: CACHET_ERR_KEY ("no certificate
 * with fingerprint ... in the store"); ambiguous prefix: CACHET_ERR_USAGE. */
cachet_status cachet_db_get_cert(cachet_db *db, const char *fp, cachet_db_cert *out,
                                 cachet_error *err);
/* cachet_db_list_certs returns every certificate, ordered by subject then
 * not_before (newest first). An empty store gives *num = 0, *out = NULL. */
cachet_status cachet_db_list_certs(cachet_db *db, cachet_db_cert **out, size_t *num,
                                   cachet_error *err);
/* cachet_db_find_by_email: certificates carrying the (normalised) address,
 * newest not_before first, whatever their validity. */
cachet_status cachet_db_find_by_email(cachet_db *db, const char *addr, cachet_db_cert **out,
                                      size_t *num, cachet_error *err);
/* cachet_db_find_by_subject: certificates whose subject is |subject| (RFC 2253),
 * for building chains (issuer lookup). */
cachet_status cachet_db_find_by_subject(cachet_db *db, const char *subject, cachet_db_cert **out,
                                        size_t *num, cachet_error *err);
/* cachet_db_list_anchors: every certificate whose origin is ANCHOR. */
cachet_status cachet_db_list_anchors(cachet_db *db, cachet_db_cert **out, size_t *num,
                                     cachet_error *err);
/* cachet_db_list_keys: every certificate with a non-empty key_ref. */
cachet_status cachet_db_list_keys(cachet_db *db, cachet_db_cert **out, size_t *num,
                                  cachet_error *err);
/* cachet_db_set_origin sets the origin of the certificate with fingerprint
 * |fp| (full) whatever it was (trust/untrust). Not found: CACHET_ERR_KEY. */
cachet_status cachet_db_set_origin(cachet_db *db, const char *fp, cachet_db_origin origin,
                                   cachet_error *err);
/* cachet_db_set_key_ref sets (or with "" clears) the private-key reference. */
cachet_status cachet_db_set_key_ref(cachet_db *db, const char *fp, const char *key_ref,
                                    cachet_error *err);
/* cachet_db_remove_cert deletes the certificate |fp| (full) and its addresses
 * and key reference. Not found: CACHET_ERR_KEY. */
cachet_status cachet_db_remove_cert(cachet_db *db, const char *fp, cachet_error *err);

/* ---- S/MIME capabilities per address (RFC 8551 §2.5.2) ---- */

/* cachet_db_put_caps records the SMIMECapabilities value (DER) an address
 * advertised at time |seen|; an older |seen| than the one stored is ignored. */
cachet_status cachet_db_put_caps(cachet_db *db, const char *addr, const uint8_t *der, size_t len,
                                 int64_t seen, cachet_error *err);
/* cachet_db_get_caps reads the newest capabilities of |addr| into |der| (reset
 * first) and |*seen|; |*found| is false (and OK returned) if none. */
cachet_status cachet_db_get_caps(cachet_db *db, const char *addr, cachet_membuf *der, int64_t *seen,
                                 bool *found, cachet_error *err);

/* ---- CRLs ---- */

typedef struct cachet_db_crl {
    char issuer[256];                 /* RFC 2253 subject of the CRL issuer */
    char source[1024];                /* where it came from: a URL or "file:PATH" */
    int64_t this_update, next_update; /* next_update 0 = none */
    int64_t fetched;
} cachet_db_crl;

/* cachet_db_put_crl stores a CRL for |meta->issuer|, replacing the stored one
 * only when this_update is newer. */
cachet_status cachet_db_put_crl(cachet_db *db, const cachet_db_crl *meta, const uint8_t *der,
                                size_t len, cachet_error *err);
/* cachet_db_get_crl reads the newest CRL of |issuer|; |*found| false if none. */
cachet_status cachet_db_get_crl(cachet_db *db, const char *issuer, cachet_db_crl *meta,
                                cachet_membuf *der, bool *found, cachet_error *err);

#endif
