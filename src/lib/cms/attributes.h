/* attributes: private declarations of the SignedData code (signed_*.c,
 * attributes*.c): building and checking signed attributes (RFC 5652 §5.3, §11;
 * RFC 8551 §2.5.2; RFC 5035), signature AlgorithmIdentifiers, per-signer checks. */
#ifndef CACHET_CMS_ATTRIBUTES_H
#define CACHET_CMS_ATTRIBUTES_H

#include "cms/signed.h"

/* ---- Building (signer side) ---- */

/* cachet_cms_build_signed_attrs writes the DER SignedAttributes (tag SET, DER
 * sorted, X.690 §11.6) into the empty top-level builder |out|: contentType,
 * messageDigest, signingTime, smimeCapabilities, signingCertificateV2, and
 * SignatureType when |signature_types| is non-zero (checked beforehand with
 * cachet_cms_sigtype_check). */
bool cachet_cms_build_signed_attrs(cachet_cbb *out, cachet_oid content_type, const uint8_t *digest,
                                   size_t digest_len, int64_t signing_time, const cachet_cert *cert,
                                   unsigned signature_types, const uint8_t *extra,
                                   size_t extra_len);
/* cachet_cms_add_ess_cert_id adds an ESSCertID (RFC 2634 §5.4: |hash| is SHA-1)
 * or an ESSCertIDv2 with the DEFAULT SHA-256 omitted (RFC 5035 §4) naming
 * |cert|: SEQUENCE { certHash, issuerSerial { GeneralNames { directoryName [4]
 * issuer }, serialNumber } }. */
bool cachet_cms_add_ess_cert_id(cachet_cbb *cbb, const uint8_t *hash, size_t hash_len,
                                const cachet_cert *cert);
/* cachet_cms_add_signing_cert_v2_attr adds the signingCertificateV2 Attribute
 * naming |cert| (RFC 5035 §3) to the SET under construction |set|. */
bool cachet_cms_add_signing_cert_v2_attr(cachet_cbb *set, const cachet_cert *cert);
/* cachet_cms_check_extra_attrs: |extra| is a run of DER Attribute elements, none
 * of a type cachet_cms_build_signed_attrs writes itself and no type twice.
 * False with |detail| otherwise. */
bool cachet_cms_check_extra_attrs(const uint8_t *extra, size_t extra_len, char *detail,
                                  size_t detail_len);

/* ---- RFC 3183 §3.1.2 SignatureType (attributes_sigtype.c) ---- */

/* At most this many OIDs in one SignatureType value (four are defined).
 * cachet_cms_sigtype_check is in signed.h. */
#define CACHET_CMS_SIGTYPE_MAX_OIDS 8

/* cachet_cms_add_sigtype_attr adds the Attribute SEQUENCE { id-aa-signatureType,
 * SET { SEQUENCE OF OBJECT IDENTIFIER } } to |set|, the OIDs in bit order. */
bool cachet_cms_add_sigtype_attr(cachet_cbb *set, unsigned types);
/* cachet_cms_parse_sigtype_values reads the attrValues SET contents of a
 * SignatureType: one or more SEQUENCE OF OBJECT IDENTIFIER (each 1..8 OIDs),
 * their union in |*types| (unknown OIDs as CACHET_SIGTYPE_UNKNOWN). False with
 * |detail| naming SignatureType when malformed, or when addAttribSig comes with
 * any other OID. */
bool cachet_cms_parse_sigtype_values(const cachet_cbs *values, unsigned *types, char *detail,
                                     size_t detail_len);

/* cachet_cms_sig_scheme_for_key picks the signature scheme for |key| (pss asks for
 * RSASSA-PSS on an RSA key). CACHET_SIG_NONE if the key cannot sign CMS. */
cachet_sig_scheme cachet_cms_sig_scheme_for_key(const cachet_pkey *key, bool pss);

/* cachet_cms_add_sig_alg writes the signatureAlgorithm for |scheme| and |md|:
 * rsaEncryption (RFC 3370 §3.2, as openssl cms writes), RSASSA-PSS with params
 * (RFC 4056 §2), ecdsa-with-SHA* (RFC 5758 §3.2), id-Ed25519 (RFC 8419 §2.3). */
bool cachet_cms_add_sig_alg(cachet_cbb *cbb, cachet_sig_scheme scheme, cachet_md md);

/* ---- Checking (verifier side) ---- */

/* What cachet_cms_check_signed_attrs found. Views point into the checked bytes. */
typedef struct cachet_cms_attrs_info {
    cachet_cbs content_type;   /* OID contents */
    cachet_cbs message_digest; /* OCTET STRING contents */
    bool has_signing_time;
    int64_t signing_time;
    bool has_ess_cert_v2; /* signingCertificateV2: first ESSCertIDv2 */
    cachet_md ess_md;
    cachet_cbs ess_hash;
    bool has_signature_type; /* RFC 3183 SignatureType */
    unsigned signature_types;
    bool ml_expansion_history; /* ESS mlExpansionHistory present */
} cachet_cms_attrs_info;

/* cachet_cms_check_signed_attrs checks the contents of a SignedAttributes SET
 * (RFC 5652 §5.3, §11.1-§11.3; ATTACKS.md SG-05, SG-06, SG-07): at most
 * |max_attrs| attributes, each a SEQUENCE {OID, SET OF}, DER sorted, no type
 * twice, contentType and messageDigest present with exactly one value of the
 * right type, signingTime (if any) one well-formed time, SignatureType (if
 * any) well-formed (cachet_cms_parse_sigtype_values). Returns
 * CACHET_ERR_ATTRIBUTES (or CACHET_ERR_LIMIT) with |detail| on failure. */
cachet_status cachet_cms_check_signed_attrs(const cachet_cbs *attrs, size_t max_attrs,
                                            cachet_cms_attrs_info *out, char *detail,
                                            size_t detail_len);
/* cachet_cms_check_unsigned_attrs: well-formed, bounded, and without contentType
 * or messageDigest (RFC 5652 §11.1, §11.2). */
cachet_status cachet_cms_check_unsigned_attrs(const cachet_cbs *attrs, size_t max_attrs,
                                              char *detail, size_t detail_len);
/* cachet_cms_is_forged_attrs: |data| is exactly one DER SET OF Attribute that
 * holds contentType and messageDigest (ForgedAttributes, ATTACKS.md SG-03). */
bool cachet_cms_is_forged_attrs(const uint8_t *data, size_t len);

/* A parsed signatureAlgorithm. */
typedef struct cachet_cms_sig_alg {
    cachet_sig_scheme scheme;
    cachet_md md;          /* hash fixed by the OID (CACHET_MD_NONE: none fixed) */
    cachet_pss_params pss; /* RSASSA-PSS only */
    cachet_oid oid;
} cachet_cms_sig_alg;

/* cachet_cms_parse_sig_alg reads a signatureAlgorithm AlgorithmIdentifier.
 * Returns CACHET_ERR_UNSUPPORTED for unknown algorithms, CACHET_ERR_MALFORMED for
 * bad parameters, with |detail|. */
cachet_status cachet_cms_parse_sig_alg(cachet_cbs *cbs, cachet_cms_sig_alg *out, char *detail,
                                       size_t detail_len);
/* cachet_cms_sig_alg_name: the report's algorithm name ("rsaEncryption", "rsassa-pss"...). */
const char *cachet_cms_sig_alg_name(const cachet_cms_sig_alg *alg);

/* ---- Per-signer verification (signed_signer.c) ---- */

/* Everything a SignerInfo is checked against. */
typedef struct cachet_cms_signer_ctx {
    const cachet_cms_policy *policy;
    const cachet_cms_limits *limits;
    int64_t at;
    cachet_oid econtent_type;
    cachet_cbs econtent_type_raw; /* OID contents */
    const cachet_md *listed_mds;  /* SignedData.digestAlgorithms we know */
    size_t num_listed;
    const cachet_md *digest_mds; /* digests computed over the content */
    const uint8_t (*digests)[CACHET_MD_MAX_SIZE];
    size_t num_digests;
    bool content_forged; /* content is a DER SignedAttributes (SG-03) */
    /* the content itself, for pure EdDSA (RFC 8419 §3): |content_kept| false when
     * no copy was made (SHA-512 not computed) or it outgrew the bound (|content_over|) */
    bool content_kept;
    bool content_over;
    const uint8_t *content;
    size_t content_len;
    const cachet_cert_list *certs; /* SignedData.certificates */
} cachet_cms_signer_ctx;

/* cachet_cms_verify_signer checks one SignerInfo (DER element) and fills |rep|
 * (emails allocated) and |*out_cert| (a reference to the certificate that
 * verified, or NULL). Never fails on bad input: the outcome is in
 * rep->signature_status; returns false only on allocation failure. */
bool cachet_cms_verify_signer(const cachet_cms_signer_ctx *ctx, const cachet_cbs *signer_info,
                              cachet_signer_report *rep, cachet_cert **out_cert);

/* ---- The verify operation, shared by signed_verify.c and signed_finish.c ---- */

#define VERIFY_MAX_DIGESTS 8
#define PROBE_MAX 65536

struct cachet_cms_verify {
    cachet_cms_policy policy;
    cachet_cms_limits limits;
    cachet_sink content;
    bool has_sink;
    cachet_ber_skel *skel;
    bool detached;
    bool cms_started;
    bool finished;
    cachet_status failed; /* sticky */
    cachet_error fail_err;
    cachet_error cb_err; /* detail from a skeleton callback */
    /* digests over the content (eContent or detached) */
    cachet_md mds[VERIFY_MAX_DIGESTS];
    cachet_md_ctx *ctxs[VERIFY_MAX_DIGESTS];
    uint8_t values[VERIFY_MAX_DIGESTS][CACHET_MD_MAX_SIZE];
    size_t num_mds;
    bool digests_final;
    /* ForgedAttributes probe (SG-03): the first bytes of content starting 0x31 */
    uint8_t *probe;
    size_t probe_len;
    uint64_t content_len;
    /* a copy of the content for pure-EdDSA signers (CACHET_CMS_PURE_EDDSA_MAX) */
    bool keep_content; /* SHA-512 is computed, so a copy may matter */
    bool kept_over;    /* the content outgrew the bound: copy dropped */
    uint8_t *kept;
    size_t kept_len;
    size_t kept_cap;
    bool econtent_seen;
    bool wrong_type; /* the ContentInfo is not SignedData */
    cachet_oid econtent_type;
    cachet_cert_list certs;       /* SignedData.certificates */
    cachet_cert_list extra_certs; /* cachet_cms_verify_add_certs */
    cachet_cert_list all_certs;   /* both, for the signer search */
    cachet_cert **signer_certs;
    cachet_cbs *signer_attrs; /* signedAttrs contents of valid signers (len 0: none) */
    bool has_crls;
    cachet_cbs crls; /* SignedData.crls contents (in the skeleton) */
    size_t num_signer_certs;
    bool empty_layer;              /* no SignerInfo, id-data eContent (RFC 3183 §3) */
    cachet_cms_cert_lookup lookup; /* signer certificates from elsewhere */
    void *lookup_arg;
};

/* cachet_cms_verify_fail records the first failure (sticky) and copies it to |err|. */
cachet_status cachet_cms_verify_fail(cachet_cms_verify *v, const cachet_error *e,
                                     cachet_error *err);
cachet_status cachet_cms_verify_fail_msg(cachet_cms_verify *v, cachet_error *err, cachet_status st,
                                         const char *where, const char *msg);
/* cachet_cms_verify_drop_content cleanses and frees the kept content copy. */
void cachet_cms_verify_drop_content(cachet_cms_verify *v);
/* cachet_cms_verify_finalize_digests finishes the content digests once. */
bool cachet_cms_verify_finalize_digests(cachet_cms_verify *v);

/* ---- issue 7: ESS and richer signatures, read for a signature that verified ----
 * verify_signer (signed_signer.c) calls these after the signature and chain
 * checks, in this order; a failure makes the signature invalid with |detail|
 * and rep->ess is then dropped (SG-15). */

/* cachet_cms_ess_info_get: rep->ess, allocated zeroed on first use (NULL: out of
 * memory). cachet_cms_ess_info_free frees one and all it owns (ess_info.c). */
cachet_ess_info *cachet_cms_ess_info_get(cachet_signer_report *rep);
void cachet_cms_ess_info_free(cachet_ess_info *ess);
/* cachet_cms_signer_report_clear frees what a signer report owns (emails, ess,
 * countersigners, recursively) and zeroes it. */
void cachet_cms_signer_report_clear(cachet_signer_report *rep);

/* cachet_cms_ess_read (ess_read.c): securityLabel, equivalentLabels,
 * contentHints, contentReference, contentIdentifier, mlExpansionHistory,
 * signingCertificate (v1, checked against |cert|) and v2 (presence; checked
 * per candidate before), signaturePolicyIdentifier of |signed_attrs| (SET
 * contents) into rep->ess; ESS attributes that must be signed found in
 * |unsigned_attrs| (NULL: none) are refused. CACHET_ERR_ATTRIBUTES (or
 * NOMEM) with |detail|. */
cachet_status cachet_cms_ess_read(const cachet_cbs *signed_attrs, const cachet_cbs *unsigned_attrs,
                                  const cachet_cert *cert, cachet_signer_report *rep, char *detail,
                                  size_t detail_len);
/* cachet_cms_receipt_attrs_read (receipt_attrs.c): receiptRequest and
 * msgSigDigest (RFC 2634 §2.7, §2.8) into rep->ess. */
cachet_status cachet_cms_receipt_attrs_read(const cachet_cbs *signed_attrs,
                                            cachet_signer_report *rep, char *detail,
                                            size_t detail_len);
/* cachet_cms_multisig_read (multisig.c): multipleSignatures (RFC 5752) into rep->ess. */
cachet_status cachet_cms_multisig_read(const cachet_cbs *signed_attrs, cachet_signer_report *rep,
                                       char *detail, size_t detail_len);
/* cachet_cms_countersigs_verify (countersign_verify.c): every countersignature
 * (RFC 5652 §11.4) in |unsigned_attrs| (SET contents), checked over |signature|
 * (the contents of this SignerInfo's signature OCTET STRING) with the
 * certificates and policy of |ctx|, into rep->countersigners. A countersignature
 * that does not verify fails with its status and |detail| naming it
 * ("countersignature[0]: ..."). */
cachet_status cachet_cms_countersigs_verify(const cachet_cms_signer_ctx *ctx,
                                            const cachet_cbs *unsigned_attrs,
                                            const cachet_cbs *signature, cachet_signer_report *rep,
                                            char *detail, size_t detail_len);

#endif
