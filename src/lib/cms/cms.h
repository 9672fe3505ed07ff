/* cms: the CMS content types of RFC 5652 and the algorithm RFCs, parsed and
 * generated in a streaming way. Shared declarations for signed.h, enveloped.h,
 * compressed.h. cms/ knows nothing of MIME. */
#ifndef CACHET_CMS_CMS_H
#define CACHET_CMS_CMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cachet/report.h>

#include "base/base.h"
#include "crypto/crypto.h"
#include "der/der.h"

/* Limits applied while reading CMS (every count read from input is checked). */
typedef struct cachet_cms_limits {
    size_t max_skeleton;            /* DER outside the streamed content, default 4 MiB */
    unsigned max_depth;             /* BER nesting, default 64 */
    unsigned max_string_depth;      /* constructed OCTET STRING nesting, default 4 */
    size_t max_signers;             /* default 16 */
    size_t max_recipients;          /* default 1024 */
    size_t max_certificates;        /* default 64 */
    size_t max_attributes;          /* per attribute set, default 64 */
    uint64_t max_decompressed;      /* default 1 GiB */
    unsigned max_ratio;             /* decompressed / compressed, default 1000 */
    uint64_t max_pbkdf2_iterations; /* PasswordRecipientInfo, default 10,000,000 */
    size_t max_ccm_content;         /* AES-CCM content is held whole (one-shot), default 64 MiB */
    size_t max_attribute_bytes;     /* signedAttrs / unsignedAttrs contents of one SignerInfo,
                                     * default 1 MiB (0 = the default) */
} cachet_cms_limits;

#define CACHET_CMS_DEFAULT_ATTRIBUTE_BYTES ((size_t)1 << 20)

/* cachet_cms_limits_default fills the defaults above. */
void cachet_cms_limits_default(cachet_cms_limits *out);
/* cachet_cms_ber_limits converts to the der reader's limits. */
cachet_ber_limits cachet_cms_ber_limits(const cachet_cms_limits *limits);

/* Algorithm policy (DESIGN.md principle 5): weak algorithms are refused unless
 * allow_weak, and then reported weak. */
typedef struct cachet_cms_policy {
    bool allow_weak;           /* MD5/SHA-1 signatures, DSA, RSA < 2048, the legacy
                                * content ciphers (3DES, DES, RC2, CAST5, IDEA, SEED,
                                * Camellia; decrypt only) and SignerInfos without
                                * signed attributes (SG-03) */
    int64_t at;                /* verification time, seconds since the epoch (0 = now) */
    const cachet_trust *trust; /* trust anchors (NULL: chains reported not checked) */
    /* certificates read from messages are parsed through this memo (NULL:
     * parsed every time); not owned, used by threads at once (its own lock) */
    cachet_cert_cache *cert_cache;
} cachet_cms_policy;

/* cachet_cms_sniff identifies the content type of a ContentInfo from its first
 * bytes (BER or DER). Returns CACHET_OK and sets |out| when |len| bytes are
 * enough; CACHET_ERR_MALFORMED if the bytes cannot start a ContentInfo. A few
 * dozen bytes always suffice. */
cachet_status cachet_cms_sniff(const uint8_t *data, size_t len, cachet_oid *out, cachet_error *err);

/* Digest AlgorithmIdentifier (RFC 5754: parameters absent; NULL accepted on input). */
bool cachet_cms_add_digest_alg(cachet_cbb *cbb, cachet_md md);
/* cachet_cms_parse_digest_alg reads an AlgorithmIdentifier; CACHET_MD_NONE if unknown. */
bool cachet_cms_parse_digest_alg(cachet_cbs *cbs, cachet_md *out, cachet_oid *out_oid);
cachet_md cachet_cms_md_from_oid(cachet_oid oid);
cachet_oid cachet_cms_oid_from_md(cachet_md md);

/* IssuerAndSerialNumber / SubjectKeyIdentifier matching against a certificate
 * (used by SignerIdentifier and RecipientIdentifier alike). |sid| is the whole
 * element: a SEQUENCE (issuerAndSerialNumber) or [0] IMPLICIT OCTET STRING (SKI). */
bool cachet_cms_sid_matches(const cachet_cbs *sid, const cachet_cert *cert);
/* cachet_cms_add_sid writes issuerAndSerialNumber, or [0] SKI if use_ski. */
bool cachet_cms_add_sid(cachet_cbb *cbb, const cachet_cert *cert, bool use_ski);

/* Streaming readers (DigestedData, CompressedData): the cachet_ber_skel is_bulk
 * callback for ContentInfo.content [0] -> DigestedData / CompressedData ->
 * encapContentInfo (its third field) -> eContent [0] -> OCTET STRING (primitive
 * or constructed). |arg| is unused. */
bool cachet_cms_is_econtent_bulk(void *arg, const cachet_asn1_tag *path, const size_t *index,
                                 size_t depth);
/* cachet_cms_record_failure keeps the first failure in |*failed| (sticky) and
 * returns |st|. */
cachet_status cachet_cms_record_failure(cachet_status *failed, cachet_status st);
/* cachet_cms_fail_out ends a streaming reader's call with a failure: the detail
 * the callbacks already recorded in |sticky| wins over |other| (the reader's);
 * the result is copied to |err| (may be NULL) and the sticky status returned. */
cachet_status cachet_cms_fail_out(cachet_error *sticky, cachet_status *failed, cachet_status st,
                                  const cachet_error *other, cachet_error *err);

/* Streaming output: write BER with indefinite lengths. */
/* cachet_cms_write_indef_header writes |tag| with the indefinite length octet (0x80). */
cachet_status cachet_cms_write_indef_header(const cachet_sink *out, cachet_asn1_tag tag);
/* cachet_cms_write_header writes |tag| with a definite length of |len| (the
 * contents follow, written by the caller). */
cachet_status cachet_cms_write_header(const cachet_sink *out, cachet_asn1_tag tag, uint64_t len);
/* cachet_cms_write_eoc writes |n| end-of-contents octets pairs. */
cachet_status cachet_cms_write_eoc(const cachet_sink *out, unsigned n);
/* cachet_cms_write_octets writes one primitive OCTET STRING segment (of a
 * constructed OCTET STRING) holding |len| bytes. */
cachet_status cachet_cms_write_octets(const cachet_sink *out, const uint8_t *data, size_t len);

/* Definite lengths for content whose size is known in advance (a regular file):
 * the writers check that exactly |declared| bytes arrive. */
typedef struct cachet_cms_length {
    bool known;
    uint64_t declared;
    uint64_t seen;
} cachet_cms_length;

/* The largest size accepted: every enclosing length still fits in 64 bits. */
#define CACHET_CMS_MAX_DECLARED ((uint64_t)1 << 62)

/* cachet_cms_length_init: CACHET_ERR_USAGE when |size| is over the maximum. */
cachet_status cachet_cms_length_init(cachet_cms_length *l, bool known, uint64_t size,
                                     const char *where, cachet_error *err);
/* cachet_cms_length_add counts |len| more bytes: CACHET_ERR_USAGE ("input was
 * at least N bytes, content_size said M") once they exceed the declared size. */
cachet_status cachet_cms_length_add(cachet_cms_length *l, size_t len, const char *where,
                                    cachet_error *err);
/* cachet_cms_length_check at the end: CACHET_ERR_USAGE ("input was N bytes,
 * content_size said M") unless exactly the declared size arrived. */
cachet_status cachet_cms_length_check(const cachet_cms_length *l, const char *where,
                                      cachet_error *err);
/* cachet_cms_tlv_len: the whole element (header and contents) of |len| bytes. */
uint64_t cachet_cms_tlv_len(cachet_asn1_tag tag, uint64_t len);

#endif
