/* authres: the Authentication-Results header (RFC 8601) with the smime method
 * (RFC 7281), and recognising forged ones that claim our authserv-id. */
#ifndef CACHETD_AUTHRES_H
#define CACHETD_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

#include <cachet/domsec.h>

#include "gateway/config.h"

/* RFC 8601 §2.7.1 result values used for smime. */
typedef enum cachetd_ar_result {
    CACHETD_AR_NONE = 0, /* not signed */
    CACHETD_AR_PASS,
    CACHETD_AR_FAIL,      /* a signature does not verify, or the naming rules are violated */
    CACHETD_AR_NEUTRAL,   /* valid signature, untrusted chain or unclassified signer */
    CACHETD_AR_POLICY,    /* valid but refused by local policy */
    CACHETD_AR_TEMPERROR, /* our fault: store, revocation answer, ... */
    CACHETD_AR_PERMERROR, /* malformed */
} cachetd_ar_result;
const char *cachetd_ar_result_name(cachetd_ar_result r);

/* One smime method entry. */
typedef struct cachetd_ar_entry {
    cachetd_ar_result result;
    const char *reason;     /* may be NULL; becomes reason="..." */
    const char *identifier; /* the signer's address: body.smime-identifier (RFC 7281 §3) */
    const char *part;       /* MIME part path: body.smime-part, may be NULL/"" */
    const char *role;       /* cachet_domsec_role_name: x-domsec-role comment, may be NULL */
} cachetd_ar_entry;

/* cachetd_authres_value writes the header's value (without "Authentication-Results:"):
 * "authserv-id; smime=pass (domain signature) body.smime-identifier=...", one
 * method entry per signer, or "authserv-id; none" with none. Every value taken
 * from the message or a certificate is sanitised: CR, LF, NUL and other controls
 * removed, non-ASCII dropped, quoted as an RFC 2045 quoted-string when needed,
 * and capped to 200 bytes (ATTACKS GW-06). Folded with CRLF TAB before 78
 * columns. Returns false if |out| is too small. */
bool cachetd_authres_value(char *out, size_t out_len, const char *authserv_id,
                           const cachetd_ar_entry *entries, size_t num);

/* cachetd_authres_claims_id: the header value |value| of an existing
 * Authentication-Results field names |authserv_id| (case-insensitive, after CFWS
 * and before ';' or the version), i.e. it must be removed before we add ours
 * (RFC 8601 §5). */
bool cachetd_authres_claims_id(const char *value, const char *authserv_id);

/* cachetd_authres_from_domsec fills |entries| (up to |max|) from a verification:
 * one entry per classified signer, result pass when valid and not flagged,
 * fail when the signature failed or the signer is flagged, neutral when the
 * chain is not trusted, policy for an originator signature whose certificate
 * does not hold the report's From address. |report| NULL or unsigned gives one entry "none".
 * Strings point into |ds| / the report. Returns the number written. */
size_t cachetd_authres_from_domsec(const cachet_domsec_result *ds, const cachet_report *report,
                                   cachetd_ar_entry *entries, size_t max);

#endif
