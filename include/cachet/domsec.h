/* RFC 3183 domain security: the §3.1.1 naming conventions and name mapping,
 * and what each signer of a verified message is (originator, domain, review,
 * attributes, or flagged because a convention is broken). Shared by the
 * gateway (cachetd), the CLI (`cachet sign --signature-type`, the role in
 * `cachet verify`) and any caller. Pure functions over the report; no I/O.
 *
 * Signature encapsulation (RFC 3183 §3): method 1 is the empty signature layer
 * (cachet_sign_opts.empty); method 2 is signing an already signed message
 * opaquely (cachet_sign_opts.opaque over the signed message as input), which
 * verify reads as two signed layers, outermost first. */
#ifndef CACHET_DOMSEC_H
#define CACHET_DOMSEC_H

#include <stdbool.h>
#include <stddef.h>

#include <cachet/report.h>
#include <cachet/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cachet_credential cachet_credential;

/* The reserved names of §3.1.1 (the CN, and the local part of every address). */
#define CACHET_DOMSEC_DSA_LOCAL "domain-signing-authority"
#define CACHET_DOMSEC_RA_LOCAL "review-authority"
#define CACHET_DOMSEC_AA_LOCAL "attribute-authority"
#define CACHET_DOMSEC_DCA_LOCAL "domain-confidentiality-authority"

/* The longest address or domain name handled, NUL included. */
#define CACHET_DOMSEC_NAME_MAX 256

/* How a domain signer's address must relate to the originator's domain. */
typedef enum cachet_domsec_mapping {
    CACHET_DOMSEC_MAPPING_ASCENDANT = 0, /* §3.1.1: the same domain or an ascendant */
    CACHET_DOMSEC_MAPPING_EXACT,         /* stricter: the same domain only */
} cachet_domsec_mapping;

/* cachet_domsec_domain_of: the domain part of an address (after the last '@'),
 * or NULL when there is none. */
const char *cachet_domsec_domain_of(const char *address);
/* cachet_domsec_is_ascendant: |authority| equals |domain| or is an ascendant
 * of it by whole labels ("example.com" of "sub.example.com", never of
 * "badexample.com"); case-insensitive; a trailing dot is ignored; an empty or
 * single-label authority ("com") is never an ascendant of another domain. With
 * |exact| only equality counts. */
bool cachet_domsec_is_ascendant(const char *authority, const char *domain, bool exact);
/* cachet_domsec_authority_address writes "LOCAL@domain" (domain lower-cased);
 * false (and "" when |out_len| > 0) if it does not fit or |domain| is not a
 * domain name. */
bool cachet_domsec_authority_address(char *out, size_t out_len, const char *local,
                                     const char *domain);

/* What a signer is, per RFC 3183. */
typedef enum cachet_domsec_role {
    CACHET_DOMSEC_ROLE_ORIGINATOR = 0, /* no SignatureType, or originatorSig */
    CACHET_DOMSEC_ROLE_DOMAIN,         /* domainSig that follows the naming and name mapping */
    CACHET_DOMSEC_ROLE_REVIEW,         /* reviewSig that follows the naming convention */
    CACHET_DOMSEC_ROLE_ATTRIBUTES,     /* addAttribSig that follows the naming convention */
    CACHET_DOMSEC_ROLE_FLAGGED,        /* a convention is violated: MUST be flagged (§3.1.1) */
} cachet_domsec_role;
/* "originator", "domain", "review", "attributes", "flagged". */
const char *cachet_domsec_role_name(cachet_domsec_role r);

typedef struct cachet_domsec_signer_class {
    cachet_domsec_role role;
    const cachet_signer_report *signer;   /* borrowed from the report */
    size_t layer;                         /* index in report->layers */
    bool valid;                           /* signature valid and chain trusted */
    char address[CACHET_DOMSEC_NAME_MAX]; /* the certificate address used for the naming
                                             check (the first one for originators), "" if none */
    char why[256]; /* for FLAGGED: which rule, e.g. "domain-signing-authority@evil.example
                      is not the originator's domain a.example or an ascendant of it" */
    /* ORIGINATOR: the certificate holds the From address (RFC 8550 section 3);
     * one that does not authenticates someone else (ATTACKS ID-01, GW-03) */
    bool holds_from;
} cachet_domsec_signer_class;

/* cachet_domsec_classify_signer applies §3.1.1 to one signer of a message
 * whose originator is |from| (the From address): the SignatureType bits choose
 * the convention; the CN must be the single reserved name and every
 * certificate address's local part must be it (case-insensitive); for a
 * domain signature the address's domain must be the originator's or (unless
 * |mapping| is EXACT) an ascendant. A reserved name without a SignatureType,
 * or a SignatureType without the name, is FLAGGED. */
void cachet_domsec_classify_signer(const cachet_signer_report *signer, const char *from,
                                   cachet_domsec_mapping mapping, cachet_domsec_signer_class *out);

/* The verdict over all signers of a message (every layer). */
#define CACHET_DOMSEC_MAX_SIGNERS 32
typedef struct cachet_domsec_result {
    cachet_domsec_signer_class signers[CACHET_DOMSEC_MAX_SIGNERS];
    size_t num_signers; /* at most 32 are classified; the rest count as flagged */
    bool any_flagged;
    bool domain_ok;     /* a valid domain signature for the originator's domain */
    bool originator_ok; /* a valid originator signature whose address is From */
    const cachet_domsec_signer_class *originator; /* the originator signature, if any (§3.2) */
    const cachet_domsec_signer_class *domain;     /* the outermost valid domain signature */
} cachet_domsec_result;
/* cachet_domsec_evaluate classifies every signer of |report| (NULL: an empty
 * result); |from| NULL or "" means report->from. */
void cachet_domsec_evaluate(const cachet_report *report, const char *from,
                            cachet_domsec_mapping mapping, cachet_domsec_result *out);

/* cachet_domsec_check_signer: before signing with SignatureType |types|
 * (cachet_sig_type bits), the certificate of |cred| follows the §3.1.1 naming
 * convention of that type: exactly one CN, the reserved name; every address's
 * local part the reserved name; a domain signer has at least one address (the
 * name mapping is checked against it by the verifier). originatorSig refuses a
 * certificate with a reserved name. |types| 0: nothing is checked. Returns
 * CACHET_OK, or CACHET_ERR_POLICY with the rule and the name found in |err|
 * (CACHET_ERR_USAGE for a missing credential or a combination of types that
 * cannot be written). */
cachet_status cachet_domsec_check_signer(const cachet_credential *cred, unsigned types,
                                         cachet_error *err);

#ifdef __cplusplus
}
#endif
#endif
