/* ess: codecs of the ESS attributes other than receipts (RFC 2634 §2.9-§2.11,
 * §3, §4, §5.4) and of the CAdES signaturePolicyIdentifier (RFC 5126 §5.8.1):
 * strict DER readers into the report types of cachet/report.h, DER writers for
 * the signing side, and the per-layer checks that need every SignerInfo. */
#ifndef CACHET_CMS_ESS_H
#define CACHET_CMS_ESS_H

#include "cms/signed.h"

/* Bounds on what one message may carry (each checked before use). */
#define CACHET_ESS_MAX_CATEGORIES 64      /* ub-security-categories (RFC 2634 §3.2) */
#define CACHET_ESS_MAX_CLASSIFICATION 256 /* ub-integer-options */
#define CACHET_ESS_MAX_PSTRING_MARK 128   /* ub-privacy-mark-length */
#define CACHET_ESS_MAX_EQUIV_LABELS 16    /* no ub in the RFC: cachet's bound */
#define CACHET_ESS_MAX_ML_HISTORY 64      /* ub-ml-expansion-history (§4.2) */
#define CACHET_ESS_MAX_CATEGORY_VALUE 4096
#define CACHET_ESS_MAX_ID 1024 /* contentIdentifier, contentReference octets */
#define CACHET_ESS_MAX_DEPTH 32

/* ---- Labels (ess_label.c) ---- */

/* cachet_ess_parse_label reads one DER ESSSecurityLabel element from |in|
 * (RFC 2634 §3.2: a SET whose components come in tag order) into |out|
 * (categories allocated; |out| cleared first). False with |detail|, naming
 * the component, when malformed or over a bound; |out| is then empty. */
bool cachet_ess_parse_label(cachet_cbs *in, cachet_security_label *out, char *detail,
                            size_t detail_len);
/* cachet_ess_label_clear frees what a parsed label owns and zeroes it. */
void cachet_ess_label_clear(cachet_security_label *l);
/* cachet_ess_add_label writes |l| as a DER ESSSecurityLabel to |cbb|. False
 * with |detail| when |l| is not a valid label (bad OID, classification out of
 * 0..256, empty or oversized mark, category value not one DER element). */
bool cachet_ess_add_label(cachet_cbb *cbb, const cachet_security_label *l, char *detail,
                          size_t detail_len);
/* cachet_ess_oid_from_text encodes a dotted OID ("1.2.840.113549") as DER
 * contents into |out| (|*out_len| bytes of |out_cap|). False if it is not one
 * (fewer than two arcs, first arc > 2, second > 39 under 0 or 1, non-digits). */
bool cachet_ess_oid_from_text(const char *text, uint8_t *out, size_t out_cap, size_t *out_len);
/* cachet_ess_oid_text writes the dotted text of OID contents |oid| into |out|;
 * false (and "") if it is not a valid OID or its text does not fit whole, so
 * that a long OID is never reported as a shorter, different one. */
bool cachet_ess_oid_text(const cachet_cbs *oid, char *out, size_t out_len);
/* cachet_ess_hex writes |len| bytes as an allocated lower-case hex string. */
char *cachet_ess_hex(const uint8_t *data, size_t len);

/* ---- mlExpansionHistory (ess_ml.c) ---- */

/* cachet_ess_parse_ml_history reads an MLExpansionHistory element (§4.2) from
 * |value| (the whole attribute value): 1..64 MLData, each an EntityIdentifier,
 * a GeneralizedTime and an optional MLReceiptPolicy. |out| (may be NULL) gets an
 * allocated array of |*num| entries. */
bool cachet_ess_parse_ml_history(const cachet_cbs *value, cachet_ml_data **out, size_t *num,
                                 char *detail, size_t detail_len);
/* cachet_ess_ml_find: the index of the first MLData of |value| (a history that
 * parsed) whose mailListIdentifier names |cert| (issuerAndSerialNumber or the
 * certificate's subjectKeyIdentifier), or -1. */
long cachet_ess_ml_find(const cachet_cbs *value, const cachet_cert *cert);
/* cachet_ess_name_text writes a DER Name (the whole SEQUENCE) as RFC 2253 text,
 * most significant RDN last; "" with false when it is not a Name. */
bool cachet_ess_name_text(const cachet_cbs *name, char *out, size_t out_len);

/* ---- Finding attributes (ess_read.c) ---- */

/* cachet_ess_find_attr looks for |oid| in |attrs| (SET OF Attribute contents).
 * Found: |*found| true and |value| the single AttributeValue element (more or
 * fewer than one value is an error, RFC 2634 §1.3.4). False only on error. */
bool cachet_ess_find_attr(const cachet_cbs *attrs, cachet_oid oid, bool *found, cachet_cbs *value,
                          char *detail, size_t detail_len);

/* ---- Writing (ess_write.c) ---- */

/* Each adds one whole Attribute SEQUENCE { type, SET { value } } to |run|. */
bool cachet_ess_add_label_attr(cachet_cbb *run, const cachet_security_label *l, char *detail,
                               size_t detail_len);
bool cachet_ess_add_equivalent_labels_attr(cachet_cbb *run, const cachet_security_label *labels,
                                           size_t num, char *detail, size_t detail_len);
/* contentHints { contentDescription UTF8String, contentType } (§2.9) */
bool cachet_ess_add_content_hints_attr(cachet_cbb *run, const char *description,
                                       cachet_oid content_type);
/* SigningCertificate { certs { ESSCertID { SHA-1 certHash, issuerSerial } } } (§5.4) */
bool cachet_ess_add_signing_cert_v1_attr(cachet_cbb *run, const cachet_cert *cert);
/* SignaturePolicyIdentifier signaturePolicyId { sigPolicyId, sigPolicyHash
 * { hashAlgorithm (no parameters, RFC 5754), hashValue } } (RFC 5126 §5.8.1). */
bool cachet_ess_add_sig_policy_attr(cachet_cbb *run, const uint8_t *oid, size_t oid_len,
                                    cachet_md md, const uint8_t *hash, size_t hash_len);

/* ---- Per layer (ess_layer.c) ---- */

/* cachet_ess_check_layer applies the rules that span the SignerInfos of one
 * SignedData |v| whose report is |layer|, to the signers whose signature is
 * valid: their securityLabels are all present and identical (RFC 2634 §3.1.1),
 * and so are their mlExpansionHistories (§4.1); with |ml_identity|, a history
 * naming it is a mail list loop (§4.2). A disagreeing signer is made invalid
 * (CACHET_ERR_ATTRIBUTES, detail naming both), a loop CACHET_ERR_POLICY "mail
 * list loop: ..."; |out| gets the error. Returns the worst status found. */
cachet_status cachet_ess_check_layer(const cachet_cms_verify *v, cachet_layer_report *layer,
                                     const cachet_cert *ml_identity, cachet_error *out);

#endif
