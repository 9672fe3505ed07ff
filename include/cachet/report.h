/* What a verify/decrypt operation found: a tree of layers, outermost first. */
#ifndef CACHET_REPORT_H
#define CACHET_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cachet/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* cachet_chain_status: the result of certification-path validation. */
typedef enum cachet_chain_status {
    CACHET_CHAIN_TRUSTED = 0,
    CACHET_CHAIN_UNTRUSTED, /* no path to a trust anchor */
    CACHET_CHAIN_EXPIRED,   /* a certificate was not valid at the time checked */
    CACHET_CHAIN_NOT_YET_VALID,
    CACHET_CHAIN_BAD_USAGE,   /* key usage / EKU / purpose not S/MIME */
    CACHET_CHAIN_INVALID,     /* any other failure (bad signature in the chain, ...) */
    CACHET_CHAIN_NOT_CHECKED, /* no certificate found for the signer */
} cachet_chain_status;

/* cachet_chain_status_name: "trusted", "untrusted", "expired", "not_yet_valid",
 * "bad_usage", "invalid", "not_checked". */
const char *cachet_chain_status_name(cachet_chain_status st);

typedef enum cachet_layer_type {
    CACHET_LAYER_SIGNED,
    CACHET_LAYER_ENVELOPED,
    CACHET_LAYER_AUTH_ENVELOPED,
    CACHET_LAYER_COMPRESSED,
    CACHET_LAYER_ENCRYPTED, /* EncryptedData (RFC 5652 §8): a key shared out of band */
    CACHET_LAYER_DIGESTED,  /* DigestedData (§7): integrity only, never a signature */
    CACHET_LAYER_DATA,      /* a ContentInfo of type id-data around the content */
} cachet_layer_type;

/* cachet_layer_type_name: "signed", "enveloped", "authEnveloped", "compressed",
 * "encrypted", "digested", "data". */
const char *cachet_layer_type_name(cachet_layer_type t);

/* RFC 3183 §3.1.2 signature types, from the SignatureType signed attribute
 * (id-aa-signatureType 1.2.840.113549.1.9.16.2.28, values under id-sti
 * 1.2.840.113549.1.9.16.9). A bit set. */
typedef enum cachet_sig_type {
    CACHET_SIGTYPE_ORIGINATOR = 1u << 0, /* id-sti-originatorSig (.1) */
    CACHET_SIGTYPE_DOMAIN = 1u << 1,     /* id-sti-domainSig (.2) */
    CACHET_SIGTYPE_ADD_ATTRIB = 1u << 2, /* id-sti-addAttribSig (.3) */
    CACHET_SIGTYPE_REVIEW = 1u << 3,     /* id-sti-reviewSig (.4) */
    CACHET_SIGTYPE_UNKNOWN = 1u << 4,    /* an OID this version does not know */
} cachet_sig_type;

/* ---- ESS (RFC 2634, RFC 5035), CAdES (RFC 5126) and RFC 5752 signed attributes ---- */

/* One SecurityCategory of an ESSSecurityLabel (RFC 2634 §3.2). */
typedef struct cachet_security_category {
    char type[64];   /* dotted OID */
    char *value_hex; /* the DER of the value (inside [1] EXPLICIT), lower-case hex */
} cachet_security_category;

/* ESSSecurityLabel (RFC 2634 §3.2; RFC 3114 gives an example policy). Read from
 * a report, and given to cachet_sign_opts to attach one. */
typedef struct cachet_security_label {
    char policy[64];        /* security-policy-identifier, dotted OID (required) */
    int classification;     /* -1 absent; else 0..256: 0 unmarked, 1 unclassified,
                               2 restricted, 3 confidential, 4 secret, 5 top-secret */
    char privacy_mark[256]; /* UTF-8 ("" = absent) */
    cachet_security_category *categories;
    size_t num_categories;
} cachet_security_label;

/* One MLData of an mlExpansionHistory (RFC 2634 §4.2). */
typedef struct cachet_ml_data {
    char identifier[320]; /* the MLA: "issuer=<RFC 2253>, serial=<hex>" or "ski=<hex>" */
    int64_t expansion_time;
    char receipt_policy[16]; /* "" absent, "none", "insteadOf", "inAdditionTo" */
} cachet_ml_data;

/* How receipts are requested (ReceiptsFrom, RFC 2634 §2.7). */
typedef enum cachet_receipts_from {
    CACHET_RECEIPTS_FROM_ALL = 0,        /* allOrFirstTier allReceipts */
    CACHET_RECEIPTS_FROM_FIRST_TIER = 1, /* allOrFirstTier firstTierRecipients */
    CACHET_RECEIPTS_FROM_LIST = 2,       /* receiptList */
} cachet_receipts_from;

/* What the ESS and related signed attributes of one valid signature say. Only
 * attributes of a signature that verified are reported (ATTACKS.md SG-15). */
typedef struct cachet_ess_info {
    /* receiptRequest (§2.7) */
    bool receipt_requested;
    char *receipt_content_id_hex; /* signedContentIdentifier */
    cachet_receipts_from receipts_from;
    char **receipts_from_list; /* rfc822Name entries of receiptList */
    size_t num_receipts_from_list;
    char **receipts_to; /* rfc822Name entries of receiptsTo */
    size_t num_receipts_to;
    bool has_msg_sig_digest;      /* msgSigDigest (§2.8): a signed receipt's signer */
    char *content_identifier_hex; /* id-aa-contentIdentifier (§2.7), NULL if absent */
    /* securityLabel (§3.2) and equivalentLabels (§3.4) */
    cachet_security_label *label; /* NULL if absent */
    cachet_security_label *equivalent_labels;
    size_t num_equivalent_labels;
    /* contentHints (§2.9) */
    bool has_content_hints;
    char content_description[256]; /* UTF-8, "" if absent */
    char content_hints_type[64];   /* name or dotted OID */
    /* contentReference (§2.11) */
    bool has_content_reference;
    char content_reference_type[64];
    char *content_reference_id_hex;
    /* mlExpansionHistory (§4.2), oldest first */
    cachet_ml_data *ml_history;
    size_t num_ml_history;
    /* signingCertificate (§5.4, ESSCertID, SHA-1) and signingCertificateV2 (RFC 5035):
     * present and found to name the signer certificate (a mismatch fails the signature) */
    bool signing_certificate_v1;
    bool signing_certificate_v2;
    /* signaturePolicyIdentifier (RFC 5126 §5.8.1, RFC 3125): CAdES-EPES */
    bool has_signature_policy;
    bool signature_policy_implied;      /* signaturePolicyImplied */
    char signature_policy[64];          /* sigPolicyId, dotted OID */
    char signature_policy_hash_alg[16]; /* "sha256" */
    char *signature_policy_hash_hex;
    /* multipleSignatures (RFC 5752) */
    bool multiple_signatures;
} cachet_ess_info;

/* What a signed receipt (eContentType id-ct-receipt, RFC 2634 §2.7) says, and
 * whether it was matched against the original (cachet_verify_opts.receipt_for). */
typedef struct cachet_receipt_info {
    char content_type[64];  /* of the original: name or dotted OID */
    char *content_id_hex;   /* signedContentIdentifier */
    char *signature_hex;    /* originatorSignatureValue */
    int matched;            /* 1 matches the original, 0 does not, -1 not checked */
    char match_detail[256]; /* why not, or "" */
} cachet_receipt_info;

typedef struct cachet_signer_report cachet_signer_report;

struct cachet_signer_report {
    char subject[256]; /* RFC 2253 subject of the signer certificate, "" if none */
    char **emails;     /* addresses in the certificate (SAN rfc822Name, emailAddress) */
    size_t num_emails;
    bool signature_valid; /* the signature and messageDigest verify */
    cachet_status
        signature_status; /* CACHET_OK or why not (ATTRIBUTES, BAD_SIGNATURE, POLICY...) */
    char signature_detail[256];
    cachet_chain_status chain;
    char chain_detail[256];
    int address_match;  /* 1 match, 0 mismatch, -1 not checked */
    char digest[16];    /* "sha256" */
    char algorithm[32]; /* "rsaEncryption", "rsassa-pss", "ecdsa-with-SHA256", "ed25519" */
    bool has_signing_time;
    int64_t signing_time; /* seconds since the epoch */
    bool weak;            /* accepted only because weak algorithms were allowed */
    bool sid_is_ski;      /* identified by subjectKeyIdentifier */
    /* RFC 3183: the SignatureType signed attribute (absent: has_signature_type
     * false, signature_types 0; a SignatureType among the unsigned attributes is
     * not one and is ignored). */
    bool has_signature_type;
    unsigned signature_types; /* cachet_sig_type bits */
    /* The subject's commonName when it has exactly one (RFC 3183 §3.1.1 naming
     * convention: "There MUST be only one CN"), else "". */
    char common_name[128];
    size_t num_common_names;
    bool ml_expansion_history; /* the signed attributes carry ESS mlExpansionHistory */
    cachet_ess_info *ess; /* ESS/CAdES/RFC 5752 attributes of a valid signature; NULL if none */
    /* countersignatures (RFC 5652 §11.4) in the unsigned attributes, each checked
     * over this signature's value; their own countersignatures nest */
    cachet_signer_report *countersigners;
    size_t num_countersigners;
    /* RFC 4853/5752: another SignerInfo of the same signer (the same certificate)
     * is valid, so this one's failure does not fail the message */
    bool superseded;
};

typedef struct cachet_layer_report {
    cachet_layer_type type;
    char part[64]; /* MIME part path of this layer ("" = whole message) */
    /* signed */
    bool detached;
    char content_type[64]; /* eContentType name, e.g. "id-data" */
    cachet_signer_report *signers;
    size_t num_signers;
    bool empty_signature_layer; /* no SignerInfo, eContent passed on (RFC 3183 §3
                                   method 1); never counts as a signature */
    /* enveloped / authEnveloped */
    char cipher[32];         /* "aes-256-gcm" */
    bool authenticated;      /* true for AEAD; false for CBC (malleable, EFAIL) */
    char key_management[48]; /* "rsaEncryption", "rsaes-oaep", "ecdh-stdDH-sha256kdf" */
    size_t num_recipients;
    /* compressed */
    char compression[16]; /* "zlib" */
    uint64_t decompressed_size;
    /* issue 5 */
    bool weak; /* enveloped/encrypted: a legacy cipher or RSA < 2048 was accepted
                * only because weak algorithms were allowed; digested: MD5/SHA-1 */
    /* digested */
    char digest_algorithm[16]; /* "sha256" */
    bool digest_valid;         /* the digest matches the content */
    /* a signed receipt (eContentType id-ct-receipt); NULL otherwise */
    cachet_receipt_info *receipt;
} cachet_layer_report;

typedef struct cachet_report {
    cachet_layer_report *layers; /* outermost first */
    size_t num_layers;
    bool valid;            /* every signer valid and trusted, every layer intact */
    bool partially_signed; /* unsigned MIME text surrounds a signed part */
    bool from_mismatch;    /* some signer's address does not match From */
    char from[256];        /* the message's From address ("" if none) */
} cachet_report;

/* cachet_report_free releases everything |r| owns, then |r| itself (NULL accepted). */
void cachet_report_free(cachet_report *r);

#ifdef __cplusplus
}
#endif
#endif
