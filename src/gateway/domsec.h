/* domsec: RFC 3183 naming conventions and name mapping (§3.1.1, §4.1), and the
 * classification of every signer of a verified message. Pure functions over
 * cachet's report; no I/O. */
#ifndef CACHETD_DOMSEC_H
#define CACHETD_DOMSEC_H

#include <stdbool.h>
#include <stddef.h>

#include <cachet/report.h>

#include "gateway/config.h"

#define CACHETD_DSA_LOCAL "domain-signing-authority"
#define CACHETD_RA_LOCAL "review-authority"
#define CACHETD_AA_LOCAL "attribute-authority"
#define CACHETD_DCA_LOCAL "domain-confidentiality-authority"

/* cachetd_domain_of: the domain part of an address (after the last '@'),
 * or NULL when there is none. */
const char *cachetd_domain_of(const char *address);
/* cachetd_domain_is_ascendant: |authority| equals |domain| or is an ascendant of
 * it by whole labels ("example.com" of "sub.example.com", never of
 * "badexample.com"); case-insensitive; a trailing dot is ignored; an empty or
 * single-label authority ("com") is never an ascendant of another domain. With
 * |exact| only equality counts. */
bool cachetd_domain_is_ascendant(const char *authority, const char *domain, bool exact);
/* cachetd_authority_address writes "LOCAL@domain" (domain lower-cased). */
bool cachetd_authority_address(char *out, size_t out_len, const char *local, const char *domain);

/* What a signer is, per RFC 3183. */
typedef enum cachetd_signer_role {
    CACHETD_ROLE_ORIGINATOR = 0, /* no SignatureType, or originatorSig */
    CACHETD_ROLE_DOMAIN,         /* domainSig that follows the naming and name mapping */
    CACHETD_ROLE_REVIEW,         /* reviewSig that follows the naming convention */
    CACHETD_ROLE_ATTRIBUTES,     /* addAttribSig that follows the naming convention */
    CACHETD_ROLE_FLAGGED,        /* a convention is violated: MUST be flagged (§3.1.1) */
} cachetd_signer_role;
/* "originator", "domain", "review", "attributes", "flagged". */
const char *cachetd_signer_role_name(cachetd_signer_role r);

typedef struct cachetd_signer_class {
    cachetd_signer_role role;
    const cachet_signer_report *signer; /* borrowed from the report */
    size_t layer;                       /* index in report->layers */
    bool valid;                         /* signature valid and chain trusted */
    char address[CACHETD_NAME_MAX];     /* the certificate address used for the naming check
                                           (the first one for originators), "" if none */
    char why[256]; /* for FLAGGED: which rule, e.g. "domain-signing-authority@evil.example
                      is not the originator's domain a.example or an ascendant of it" */
} cachetd_signer_class;

/* cachetd_classify_signer applies §3.1.1 to one signer of a message whose
 * originator is |from| (the From address): the SignatureType bits choose the
 * convention; the CN must be the single reserved name and every certificate
 * address's local part must be it (case-insensitive); for a domain signature
 * the address's domain must be the originator's or (unless |mapping| is EXACT)
 * an ascendant. A reserved name without a SignatureType, or a SignatureType
 * without the name, is FLAGGED. */
void cachetd_classify_signer(const cachet_signer_report *signer, const char *from,
                             cachetd_name_mapping mapping, cachetd_signer_class *out);

/* The verdict over all signers of a message (every layer). */
typedef struct cachetd_domsec_result {
    cachetd_signer_class signers[32];
    size_t num_signers; /* at most 32 are classified; the rest count as flagged */
    bool any_flagged;
    bool domain_ok;     /* a valid domain signature for the originator's domain */
    bool originator_ok; /* a valid originator signature whose address is From */
    const cachetd_signer_class *originator; /* the originator signature, if any (§3.2) */
    const cachetd_signer_class *domain;     /* the outermost valid domain signature */
} cachetd_domsec_result;
void cachetd_domsec_evaluate(const cachet_report *report, const char *from,
                             cachetd_name_mapping mapping, cachetd_domsec_result *out);

#endif
