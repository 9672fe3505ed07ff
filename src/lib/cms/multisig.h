/* cms/multisig.h: RFC 5752 multipleSignatures, private to cms/ (multisig.c).
 *
 * Every SignerInfo of one signer names each of that signer's other SignerInfos
 * by a MultipleSignatures value: bodyHashAlg and signAlg of the other one, and
 * signAttrsHash, a hash (with this SignerInfo's own digest) of the other one's
 * DER signedAttrs (SET tag, as signed, RFC 5652 §5.4). RFC 5752 §4.4.1 computes
 * that hash while every multipleSignatures value still has an empty hash
 * (CACHET_CMS_MULTISIG_PLACEHOLDER); cachet writes that form and also accepts
 * a hash over the signedAttrs without their multipleSignatures attribute
 * (CACHET_CMS_MULTISIG_STRIPPED), the other reading of the RFC. A value that
 * matches no SignerInfo present means one was removed (RFC 5752 §1, §4.6). */
#ifndef CACHET_CMS_MULTISIG_H
#define CACHET_CMS_MULTISIG_H

#include "cms/attributes.h"

/* At most this many MultipleSignatures values in one SignerInfo (RFC 5752 §3:
 * one per other signature of the signer). */
#define CACHET_CMS_MULTISIG_MAX 32

/* One SignerInfo as the generator describes it to its siblings, with what
 * cachet_cms_build_signed_attrs needs for its signedAttrs. */
typedef struct cachet_cms_multisig_peer {
    cachet_md md;
    cachet_sig_scheme scheme;
    const cachet_cert *cert;
    const uint8_t *digest; /* of the content, cachet_md_size(md) bytes */
    unsigned signature_types;
    const uint8_t *extra; /* the caller's extra signed attributes */
    size_t extra_len;
} cachet_cms_multisig_peer;

/* cachet_cms_multisig_extras sets extras[i] (emptied first; the caller frees)
 * to peers[i].extra followed by its multipleSignatures attribute, for each of
 * the |n| (>= 2) peers (RFC 5752 §4.4.1): every signedAttrs is first built
 * with placeholder values (empty hashes); the signAttrsHash for peer k in peer
 * i's attribute is peer i's digest of peer k's placeholder signedAttrs (DER,
 * SET tag). */
bool cachet_cms_multisig_extras(const cachet_cms_multisig_peer *peers, size_t n,
                                cachet_oid content_type, int64_t signing_time,
                                cachet_membuf *extras);

/* cachet_cms_multisig_add_attr adds to the open SET |set| the multipleSignatures
 * Attribute of peers[self]: one value for every other peer k, its signAttrsHash
 * with algID peers[self].md and hash hashes[k] (cachet_md_size bytes), or an
 * empty hash for all when |hashes| is NULL (RFC 5752 §4.4.1 step 2). Values
 * are DER sorted; cert is always written (§3: required when two values would
 * otherwise be alike). */
bool cachet_cms_multisig_add_attr(cachet_cbb *set, const cachet_cms_multisig_peer *peers, size_t n,
                                  size_t self, const uint8_t (*hashes)[CACHET_MD_MAX_SIZE]);

typedef enum cachet_cms_multisig_form {
    CACHET_CMS_MULTISIG_PLACEHOLDER, /* RFC 5752 §4.4.1: values present, hashes empty */
    CACHET_CMS_MULTISIG_STRIPPED,    /* the multipleSignatures attribute left out */
} cachet_cms_multisig_form;

/* cachet_cms_multisig_attrs_hash computes into |out| (cachet_md_size(md) bytes)
 * the signAttrsHash of the signedAttrs whose SET contents are |attrs|, in
 * |form|. False if |attrs| is malformed or |md| unusable. */
bool cachet_cms_multisig_attrs_hash(const cachet_cbs *attrs, cachet_md md,
                                    cachet_cms_multisig_form form, uint8_t *out);

/* What the cross-check needs of one SignerInfo, whatever its verification result. */
typedef struct cachet_cms_multisig_si {
    bool parsed; /* false: too malformed to be named by anyone */
    cachet_cbs sid;
    cachet_md md;
    cachet_oid md_oid;
    cachet_cbs sig_alg; /* the signatureAlgorithm element */
    bool has_signed;
    cachet_cbs signed_attrs; /* [0] contents */
    /* its signAttrsHash per form and digest, each computed at most once (the
     * values of every other SignerInfo are matched against it) */
    uint8_t hash[2][CACHET_MD_SHAKE256_512 + 1][CACHET_MD_MAX_SIZE];
    uint8_t hash_state[2][CACHET_MD_SHAKE256_512 + 1]; /* 0 not yet, 1 done, 2 failed */
} cachet_cms_multisig_si;

/* cachet_cms_multisig_si_parse fills |out| from one SignerInfo element. */
void cachet_cms_multisig_si_parse(const cachet_cbs *si, cachet_cms_multisig_si *out);

/* cachet_cms_multisig_same_subject: |a| and |b| name the same subject (RFC 2253
 * text), which makes them one signer for RFC 5752 (§5.2 step 1). */
bool cachet_cms_multisig_same_subject(const cachet_cert *a, const cachet_cert *b);

/* cachet_cms_multisig_resolve checks the multipleSignatures values of SignerInfo
 * |self| (whose signature verified, so they are well-formed) against the
 * SignerInfos |sis| of the same SignedData: each must name one other, present
 * SignerInfo (signAttrsHash in either form, bodyHashAlg, signAlg, and cert when
 * a certificate for that SignerInfo is known: |certs[j]| if one verified it,
 * else the first of |pool| that matches its sid). Sets linked[j] for each one
 * named whose certificate has the subject of |certs[self]|. Returns false with |detail|
 * (CACHET_ERR_ATTRIBUTES) when a value names none (a removed signature) or names one whose
 * algorithms differ; true when |self| carries no multipleSignatures. */
bool cachet_cms_multisig_resolve(cachet_cms_multisig_si *sis, size_t n, size_t self,
                                 cachet_cert *const *certs, const cachet_cert_list *pool,
                                 bool *linked, char *detail, size_t detail_len);

#endif
