/* signed: CMS SignedData (RFC 5652 §5), streaming sign and verify.
 *
 * Algorithms: RSA PKCS#1 v1.5 (RFC 3370/5754), RSASSA-PSS (RFC 4056), ECDSA
 * (RFC 5753/5758/5480), Ed25519 and Ed448 (RFC 8419); digests SHA-256/384/512 and
 * SHAKE256 for Ed448 (SHA-1, MD5
 * and DSA only for verification and only with policy.allow_weak).
 * Signed attributes we write (RFC 5652 §11, RFC 8551 §2.5.2, RFC 5035):
 * contentType, messageDigest, signingTime, smimeCapabilities, signingCertificateV2. */
#ifndef CACHET_CMS_SIGNED_H
#define CACHET_CMS_SIGNED_H

#include "cms/cms.h"

/* ---- Signing ------------------------------------------------------------- */

/* cachet_cms_signer_opts describes one signer. |key| and |cert| are borrowed and
 * must outlive the signing operation. |md| is SHA-256, SHA-384 or SHA-512
 * (CACHET_MD_NONE = SHA-256; for Ed25519 it must be NONE or SHA-512, RFC 8419
 * §3.1). |pss| selects RSASSA-PSS for an RSA key (salt = hash length, MGF1 with
 * the same hash); an id-RSASSA-PSS key always uses PSS. |use_ski| identifies
 * the signer by subjectKeyIdentifier (SignerInfo version 3; the certificate must
 * have the extension), else by issuerAndSerialNumber (version 1). */
typedef struct cachet_cms_signer_opts {
    cachet_pkey *key;
    cachet_cert *cert;
    cachet_md md;
    bool pss;
    bool use_ski;
    /* further signed attributes (issue 7: ESS, CAdES): DER Attribute elements
     * one after another, merged into the SET and sorted with ours; none may be
     * of a type we write ourselves (checked: CACHET_ERR_USAGE) */
    const uint8_t *extra_signed_attrs;
    size_t extra_signed_attrs_len;
} cachet_cms_signer_opts;

/* cachet_cms_sign_opts: |signers| (1..16 entries) and |extra_certs| (the chain,
 * at most 64; written with the signer certificates as a DER-sorted SET, each
 * certificate once) are borrowed. |detached|: eContent absent and the whole SignedData is
 * written as DER at finish; otherwise BER with indefinite lengths is written as
 * content arrives (like `openssl cms -sign -stream`). |content_type| is the
 * eContentType (CACHET_OID_UNKNOWN = id-data). |signing_time| is the
 * signingTime attribute in seconds since the epoch (0 = the current time).
 * |signature_types| (NULL = none) has one entry per signer: non-zero adds the
 * RFC 3183 §3.1.2 SignatureType signed attribute with those cachet_sig_type
 * bits to that signer (see cachet_cms_sigtype_check).
 * |empty|: RFC 3183 §3 method 1, the empty signature layer: no signers
 * (num_signers must be 0), no digestAlgorithms, no certificates, encapsulated
 * (detached must be false); only the eContent is written.
 * |content_size_known|: exactly |content_size| content bytes will be fed; the
 * eContent is then one primitive OCTET STRING, and it, [0] and encapContentInfo
 * have definite lengths (ContentInfo, [0] and SignedData stay indefinite: the
 * SignerInfos that follow the content may vary in length, an ECDSA signature
 * does). Another count fails update or finish with CACHET_ERR_USAGE. */
typedef struct cachet_cms_sign_opts {
    const cachet_cms_signer_opts *signers;
    size_t num_signers;
    cachet_cert *const *extra_certs;
    size_t num_extra_certs;
    bool detached;
    cachet_oid content_type;
    int64_t signing_time;
    const unsigned *signature_types;
    bool empty;
    bool content_size_known;
    uint64_t content_size;
    /* the caller already found every signer's key to match its certificate
     * (smime/ credentials are checked when loaded): not compared again per
     * message; false (direct callers) keeps the check */
    bool keys_checked;
    /* RFC 5752: with two or more signers, each SignerInfo gets a multipleSignatures
     * attribute for every other one (multiple signatures of the same content) */
    bool multiple_signatures;
} cachet_cms_sign_opts;

typedef struct cachet_cms_sign cachet_cms_sign;

/* cachet_cms_sigtype_check: |types| (cachet_sig_type bits) can be written as a
 * SignatureType: non-zero, only the four defined bits, and addAttribSig alone
 * (RFC 3183 §3.1.2 "Other Object Identifiers MUST NOT be included"). False with
 * |detail| otherwise. cachet_cms_sign_new refuses such signers with USAGE. */
bool cachet_cms_sigtype_check(unsigned types, char *detail, size_t detail_len);

/* cachet_cms_sign_new validates |opts| and starts signing; output goes to |out|
 * (borrowed, must outlive the operation; not closed by it). For encapsulated
 * output the ContentInfo header is written here. Returns NULL with |err| set on
 * failure (CACHET_ERR_USAGE for bad options, CACHET_ERR_KEY when a key does not
 * match its certificate or cannot sign, CACHET_ERR_IO from the sink). */
cachet_cms_sign *cachet_cms_sign_new(const cachet_cms_sign_opts *opts, const cachet_sink *out,
                                     cachet_error *err);
/* cachet_cms_sign_update digests |len| content bytes and, when encapsulated,
 * writes them as OCTET STRING segments (small updates are gathered up to 4 KiB).
 * After a failure every later call fails with the same status. */
cachet_status cachet_cms_sign_update(cachet_cms_sign *s, const uint8_t *data, size_t len,
                                     cachet_error *err);
/* cachet_cms_sign_finish computes the signatures and writes the rest of the
 * SignedData (all of it when detached). Call once. */
cachet_status cachet_cms_sign_finish(cachet_cms_sign *s, cachet_error *err);
/* cachet_cms_sign_free releases |s| (NULL accepted); keys and certs stay the caller's. */
void cachet_cms_sign_free(cachet_cms_sign *s);

/* ---- Verification -------------------------------------------------------- */

typedef struct cachet_cms_verify cachet_cms_verify;

/* CACHET_CMS_PURE_EDDSA_MAX: the most content bytes a verifier keeps for
 * SignerInfos that sign the content itself (Ed25519/Ed448 without signedAttrs, RFC
 * 8419 §3: pure EdDSA needs the whole message at once, unlike the digest
 * streamed for every other case). A copy of the content (eContent, or the
 * detached content) is kept only when policy.allow_weak (without it a
 * SignerInfo without signedAttrs is refused, ATTACKS.md SG-03) and SHA-512 -
 * Ed25519's digestAlgorithm, RFC 8419 §3.1 - is among the digests computed
 * (SignedData.digestAlgorithms when encapsulated, the list given to cachet_cms_verify_detached
 * otherwise), so messages signed with SHA-256/384 cost nothing; it is dropped (and cleansed) the
 * moment the content outgrows the bound, and at finish. A pure-Ed25519 signer over longer content
 * fails with CACHET_ERR_LIMIT. */
#define CACHET_CMS_PURE_EDDSA_MAX ((size_t)1 << 20)

/* cachet_cms_verify_new starts verifying one ContentInfo{SignedData}, BER or DER.
 * |policy| and |limits| are copied (limits NULL = defaults; policy.trust is
 * borrowed and must outlive the operation). |content| (may be NULL, borrowed)
 * receives the eContent octets of an encapsulated SignedData while they stream
 * in. CONTRACT: those bytes are UNVERIFIED until cachet_cms_verify_finish
 * returns CACHET_OK; the caller must hold them (not display, forward or act on
 * them) until then, and discard them on any other result. In detached mode the
 * sink is never written (and an eContent, which is then a conflict, is never
 * delivered). Returns NULL with |err| set on failure. */
cachet_cms_verify *cachet_cms_verify_new(const cachet_cms_policy *policy,
                                         const cachet_cms_limits *limits,
                                         const cachet_sink *content, cachet_error *err);
/* cachet_cms_verify_detached switches to detached mode (multipart/signed); call
 * before any other update. Digests of the external content are computed for the
 * |num_mds| digests in |mds| (e.g. from micalg); mds NULL / num_mds 0 means all
 * of SHA-1, SHA-224, SHA-256, SHA-384, SHA-512 and SHAKE256 (MD5 is added when
 * policy.allow_weak).
 * A signer whose digest is not computed fails with CACHET_ERR_UNSUPPORTED. */
cachet_status cachet_cms_verify_detached(cachet_cms_verify *v, const cachet_md *mds, size_t num_mds,
                                         cachet_error *err);
/* cachet_cms_verify_content feeds external (detached) content, in any chunks,
 * all of it before the first cachet_cms_verify_update. */
cachet_status cachet_cms_verify_content(cachet_cms_verify *v, const uint8_t *data, size_t len,
                                        cachet_error *err);
/* cachet_cms_verify_add_certs offers extra candidate certificates (e.g. from a
 * certificate store, or for a SignedData that carries none): they are searched
 * for signers after SignedData.certificates and serve as untrusted
 * intermediates. New references are taken; call before finish. */
cachet_status cachet_cms_verify_add_certs(cachet_cms_verify *v, const cachet_cert_list *certs,
                                          cachet_error *err);
/* cachet_cms_cert_lookup finds certificates for a signer whose sid (the whole
 * SignerIdentifier element) matches no certificate the message or
 * cachet_cms_verify_add_certs brought, appending them to |out| (new
 * references). False only on a failure that must stop verification (|err|
 * set); finding nothing is true with |out| unchanged. */
typedef bool (*cachet_cms_cert_lookup)(void *arg, const cachet_cbs *sid, cachet_cert_list *out,
                                       cachet_error *err);
/* cachet_cms_verify_set_cert_lookup installs |fn| (called from finish, at most
 * once per such signer). The certificates found are candidates like the others:
 * the signature decides (SG-10) and they serve as intermediates too. */
void cachet_cms_verify_set_cert_lookup(cachet_cms_verify *v, cachet_cms_cert_lookup fn, void *arg);
/* cachet_cms_verify_update feeds ContentInfo bytes in any chunks. Fails with
 * MALFORMED/LIMIT/UNSUPPORTED on a structural problem (sticky). */
cachet_status cachet_cms_verify_update(cachet_cms_verify *v, const uint8_t *data, size_t len,
                                       cachet_error *err);
/* cachet_cms_verify_finish checks every signer and fills |out| (see
 * cachet_cms_layer_report_clear). |out| is always initialised (type
 * CACHET_LAYER_SIGNED) and filled as far as the input allowed, even on failure;
 * the caller must clear it in every case. Returns CACHET_OK only if there is at
 * least one signer and every signer's signature is valid and its chain is
 * TRUSTED (policy.trust NULL => chains are CACHET_CHAIN_NOT_CHECKED and the
 * result is CACHET_ERR_UNTRUSTED even when every signature_valid is true).
 * Otherwise, the first that applies: structural errors (MALFORMED, LIMIT,
 * UNSUPPORTED content type), NO_SIGNERS (also certs-only), CONTENT_CONFLICT
 * (eContent present in detached mode or absent otherwise), then the worst
 * signer status in the order MALFORMED or LIMIT, ATTRIBUTES, BAD_SIGNATURE,
 * UNSUPPORTED, POLICY, UNTRUSTED (ATTRIBUTES also when valid SignerInfos carry
 * different RFC 3183 SignatureType contents); |err| names the signer
 * ("SignedData.signerInfos[1]"). A signer without signedAttrs fails with
 * ATTRIBUTES unless policy.allow_weak (ATTACKS.md SG-03, ForgedAttributes);
 * with it, the signer is reported weak and still fails with ATTRIBUTES when
 * the content parses as a SignedAttributes carrying contentType and
 * messageDigest. Such a pure-Ed25519 signer is
 * verified over the kept content (see CACHET_CMS_PURE_EDDSA_MAX): LIMIT when the
 * content was longer, UNSUPPORTED when SHA-512 was not computed.
 * A bad signature is reported in |out|, never as a crash. Call once. */
cachet_status cachet_cms_verify_finish(cachet_cms_verify *v, cachet_layer_report *out,
                                       cachet_error *err);
/* cachet_cms_verify_econtent_type: the eContentType (valid after
 * finish got past the structure; CACHET_OID_UNKNOWN if unknown or not yet known). */
cachet_oid cachet_cms_verify_econtent_type(const cachet_cms_verify *v);
/* cachet_cms_verify_is_empty_layer: after finish returned CACHET_ERR_NO_SIGNERS,
 * whether the SignedData is RFC 3183's empty signature layer (§3 method 1): no
 * SignerInfo, encapsulated, eContentType id-data, a non-empty eContent, and the
 * structure otherwise well-formed. Its eContent was delivered to the content
 * sink but is authenticated by nothing here: the caller passes it on as content
 * only if another layer signs it (SG-09 holds at the message level). */
bool cachet_cms_verify_is_empty_layer(const cachet_cms_verify *v);
/* cachet_cms_verify_signer_cert: after finish, the certificate that verified
 * signer |i| (get0: owned by |v|), or NULL if none did. */
const cachet_cert *cachet_cms_verify_signer_cert(const cachet_cms_verify *v, size_t i);
/* cachet_cms_verify_signed_attrs: after finish, sets |out| to the contents (DER,
 * without the SET header) of signer |i|'s signedAttrs, so that callers can read
 * attributes such as smimeCapabilities, receiptRequest or signatureType (RFC
 * 3183) - but only of a signer whose signature is valid (ATTACKS.md SG-15).
 * The bytes are owned by |v|. False if |i| is out of range, the signer has no
 * signedAttrs, or its signature is not valid. */
bool cachet_cms_verify_signed_attrs(const cachet_cms_verify *v, size_t i, cachet_cbs *out);
/* cachet_cms_verify_certs: after finish, every certificate carried in
 * SignedData.certificates (get0: owned by |v|; empty list if none). */
const cachet_cert_list *cachet_cms_verify_certs(const cachet_cms_verify *v);
/* cachet_cms_verify_crls: after finish, the contents of SignedData.crls
 * (RevocationInfoChoices: CertificateList SEQUENCEs and [1] other formats), owned
 * by |v|. False if the SignedData carries none. The CRLs are not checked here:
 * a caller that uses one verifies it against its issuer first. */
bool cachet_cms_verify_crls(const cachet_cms_verify *v, cachet_cbs *out);
/* cachet_cms_verify_free releases |v| (NULL accepted). */
void cachet_cms_verify_free(cachet_cms_verify *v);

/* cachet_cms_layer_report_clear frees what cachet_cms_verify_finish allocated in
 * |layer| (signers, their emails) and zeroes it (NULL accepted). */
void cachet_cms_layer_report_clear(cachet_layer_report *layer);

/* cachet_cms_verify_der: one-shot verification of a ContentInfo{SignedData} held
 * in memory (BER or DER). |detached_content| non-NULL (length may be 0) selects
 * detached mode with all digests; NULL means encapsulated, and the eContent is
 * delivered to |content| (may be NULL) under the contract above. Same results
 * and |out| rules as cachet_cms_verify_finish. */
cachet_status cachet_cms_verify_der(const cachet_cms_policy *policy,
                                    const cachet_cms_limits *limits, const uint8_t *cms,
                                    size_t cms_len, const uint8_t *detached_content,
                                    size_t detached_len, const cachet_sink *content,
                                    cachet_layer_report *out, cachet_error *err);

/* cachet_cms_signed_certs extracts the certificates of a SignedData (any, but
 * meant for certs-only "degenerate" messages, RFC 8551 §3.8) and appends them
 * to |out| (new references; the caller clears the list). No signature is
 * checked. Unparseable certificates are skipped; more than
 * limits->max_certificates is CACHET_ERR_LIMIT. */
cachet_status cachet_cms_signed_certs(const cachet_cms_limits *limits, const uint8_t *cms,
                                      size_t cms_len, cachet_cert_list *out, cachet_error *err);

#endif
