/* der: a read-only view over bytes (cachet_cbs), a DER builder (cachet_cbb), a
 * push-fed BER reader that rebuilds DER and streams one bulk element
 * (cachet_ber_skel), and the OID table. Knows nothing of CMS. */
#ifndef CACHET_DER_DER_H
#define CACHET_DER_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/base.h"

/* ---- Tags ------------------------------------------------------------------
 * A tag is the class and constructed bits in the top byte and the tag number in
 * the low 29 bits: CACHET_ASN1_SEQUENCE, or CACHET_ASN1_CONTEXT(0) | CONSTRUCTED. */
typedef uint32_t cachet_asn1_tag;
#define CACHET_ASN1_CONSTRUCTED (0x20u << 24)
#define CACHET_ASN1_UNIVERSAL (0x00u << 24)
#define CACHET_ASN1_APPLICATION (0x40u << 24)
#define CACHET_ASN1_CONTEXT_SPECIFIC (0x80u << 24)
#define CACHET_ASN1_PRIVATE (0xc0u << 24)
#define CACHET_ASN1_CLASS_MASK (0xc0u << 24)
#define CACHET_ASN1_TAG_NUMBER_MASK ((1u << 29) - 1)
#define CACHET_ASN1_CONTEXT(n) (CACHET_ASN1_CONTEXT_SPECIFIC | (n))
#define CACHET_ASN1_CONTEXT_CONS(n) (CACHET_ASN1_CONTEXT_SPECIFIC | CACHET_ASN1_CONSTRUCTED | (n))

#define CACHET_ASN1_BOOLEAN 0x1u
#define CACHET_ASN1_INTEGER 0x2u
#define CACHET_ASN1_BITSTRING 0x3u
#define CACHET_ASN1_OCTETSTRING 0x4u
#define CACHET_ASN1_NULL 0x5u
#define CACHET_ASN1_OBJECT 0x6u
#define CACHET_ASN1_ENUMERATED 0xau
#define CACHET_ASN1_UTF8STRING 0xcu
#define CACHET_ASN1_SEQUENCE (0x10u | CACHET_ASN1_CONSTRUCTED)
#define CACHET_ASN1_SET (0x11u | CACHET_ASN1_CONSTRUCTED)
#define CACHET_ASN1_PRINTABLESTRING 0x13u
#define CACHET_ASN1_T61STRING 0x14u
#define CACHET_ASN1_IA5STRING 0x16u
#define CACHET_ASN1_UTCTIME 0x17u
#define CACHET_ASN1_GENERALIZEDTIME 0x18u
#define CACHET_ASN1_BMPSTRING 0x1eu

/* ---- cachet_cbs: a view over bytes ------------------------------------------
 * Getters return true and advance only on success; on failure the view is left
 * unchanged. Every ASN.1 getter requires DER (definite, minimal lengths, no
 * indefinite form, tag numbers in minimal form); BER input is first normalised
 * with the skeleton reader below. */
typedef struct cachet_cbs {
    const uint8_t *data;
    size_t len;
} cachet_cbs;

void cachet_cbs_init(cachet_cbs *cbs, const uint8_t *data, size_t len);
bool cachet_cbs_skip(cachet_cbs *cbs, size_t len);
bool cachet_cbs_get_u8(cachet_cbs *cbs, uint8_t *out);
bool cachet_cbs_get_bytes(cachet_cbs *cbs, cachet_cbs *out, size_t len);
bool cachet_cbs_mem_equal(const cachet_cbs *cbs, const uint8_t *data, size_t len);

/* cachet_cbs_get_asn1 reads one element with tag |tag| and sets |out| to its
 * contents (without header). */
bool cachet_cbs_get_asn1(cachet_cbs *cbs, cachet_cbs *out, cachet_asn1_tag tag);
/* cachet_cbs_get_asn1_element is like get_asn1 but |out| includes the header. */
bool cachet_cbs_get_asn1_element(cachet_cbs *cbs, cachet_cbs *out, cachet_asn1_tag tag);
/* cachet_cbs_get_any_asn1_element reads one element of any tag: |out| gets the
 * whole element, |out_tag| its tag, |out_header_len| its header length (each may be NULL). */
bool cachet_cbs_get_any_asn1_element(cachet_cbs *cbs, cachet_cbs *out, cachet_asn1_tag *out_tag,
                                     size_t *out_header_len);
/* cachet_cbs_get_any_asn1 reads one element of any tag, |out| = its contents. */
bool cachet_cbs_get_any_asn1(cachet_cbs *cbs, cachet_cbs *out, cachet_asn1_tag *out_tag);
/* cachet_cbs_peek_asn1_tag is true if the next element has tag |tag|. */
bool cachet_cbs_peek_asn1_tag(const cachet_cbs *cbs, cachet_asn1_tag tag);
/* cachet_cbs_get_optional_asn1: if the next element has |tag|, reads it into
 * |out| and sets |*out_present| true; else sets it false. Fails only on bad input. */
bool cachet_cbs_get_optional_asn1(cachet_cbs *cbs, cachet_cbs *out, bool *out_present,
                                  cachet_asn1_tag tag);
/* cachet_cbs_get_asn1_uint64 reads a non-negative, minimally encoded INTEGER. */
bool cachet_cbs_get_asn1_uint64(cachet_cbs *cbs, uint64_t *out);
/* cachet_cbs_get_asn1_bool reads a DER BOOLEAN (0x00 or 0xff). */
bool cachet_cbs_get_asn1_bool(cachet_cbs *cbs, bool *out);
/* cachet_cbs_is_valid_asn1_integer checks minimal encoding of INTEGER contents;
 * sets |*out_is_negative| if given. */
bool cachet_cbs_is_valid_asn1_integer(const cachet_cbs *cbs, bool *out_is_negative);
/* cachet_cbs_is_valid_oid checks OBJECT IDENTIFIER contents (non-empty, minimal arcs). */
bool cachet_cbs_is_valid_oid(const cachet_cbs *cbs);
/* cachet_cbs_oid_to_text writes dotted-decimal text of OID contents into |out|
 * (NUL-terminated, truncated to |out_len|); false if invalid. */
bool cachet_cbs_oid_to_text(const cachet_cbs *cbs, char *out, size_t out_len);
/* cachet_cbs_get_asn1_time reads a UTCTime or GeneralizedTime (DER forms: Z, seconds
 * present) and converts to seconds since the epoch. */
bool cachet_cbs_get_asn1_time(cachet_cbs *cbs, int64_t *out_time);
/* cachet_der_validate checks that |data| is exactly one DER element, recursively
 * well-formed to |max_depth| (lengths consistent, minimal, definite). */
bool cachet_der_validate(const uint8_t *data, size_t len, unsigned max_depth);

/* ---- cachet_cbb: a DER builder ---------------------------------------------
 * A builder with child length prefixes and a sticky error bit: after any
 * failure every call fails and finish reports it. Children are written in place
 * and their length is fixed up when the child is flushed (adding to the parent
 * or finishing flushes). At most one open child per builder at a time. */
typedef struct cachet_cbb cachet_cbb;
struct cachet_cbb {
    struct cachet_cbb_buffer *buf; /* shared by a builder and its children */
    cachet_cbb *child;             /* open child, if any */
    size_t offset;                 /* in buf: where this child's length goes */
    uint8_t pending_len_len;       /* bytes reserved for the length */
    bool pending_is_asn1;
    bool is_child;
};

/* cachet_cbb_init starts a top-level builder with |initial_cap|, never growing
 * past |max| bytes (0 = no limit). */
bool cachet_cbb_init(cachet_cbb *cbb, size_t initial_cap, size_t max);
/* cachet_cbb_cleanup frees a top-level builder that was not finished. */
void cachet_cbb_cleanup(cachet_cbb *cbb);
/* cachet_cbb_finish hands the bytes to the caller (free with cachet_free). */
bool cachet_cbb_finish(cachet_cbb *cbb, uint8_t **out_data, size_t *out_len);
/* cachet_cbb_flush writes any open child's length. */
bool cachet_cbb_flush(cachet_cbb *cbb);
/* cachet_cbb_data / cachet_cbb_len give the bytes so far (after a flush). */
const uint8_t *cachet_cbb_data(const cachet_cbb *cbb);
size_t cachet_cbb_len(const cachet_cbb *cbb);

bool cachet_cbb_add_bytes(cachet_cbb *cbb, const uint8_t *data, size_t len);
bool cachet_cbb_add_u8(cachet_cbb *cbb, uint8_t v);
/* cachet_cbb_add_asn1 opens a child element with |tag|; write its contents into
 * |*out_contents|, then flush the parent (or add to it) to close it. */
bool cachet_cbb_add_asn1(cachet_cbb *cbb, cachet_cbb *out_contents, cachet_asn1_tag tag);
bool cachet_cbb_add_asn1_element(cachet_cbb *cbb, cachet_asn1_tag tag, const uint8_t *contents,
                                 size_t len);
bool cachet_cbb_add_asn1_uint64(cachet_cbb *cbb, uint64_t value);
bool cachet_cbb_add_asn1_octet_string(cachet_cbb *cbb, const uint8_t *data, size_t len);
bool cachet_cbb_add_asn1_null(cachet_cbb *cbb);
/* cachet_cbb_add_asn1_oid adds an OBJECT IDENTIFIER from its DER contents. */
bool cachet_cbb_add_asn1_oid(cachet_cbb *cbb, const uint8_t *oid, size_t len);
/* cachet_cbb_add_asn1_time adds UTCTime for 1950..2049, else GeneralizedTime (RFC 5280). */
bool cachet_cbb_add_asn1_time(cachet_cbb *cbb, int64_t t);
/* cachet_cbb_flush_asn1_set_of sorts the elements of the open SET OF |cbb| (a child
 * created with CACHET_ASN1_SET) into DER order (X.690 §11.6). */
bool cachet_cbb_flush_asn1_set_of(cachet_cbb *cbb);
/* cachet_der_header_len: how many identifier and definite-length octets an
 * element with |tag| and |len| contents bytes takes (X.690 §8.1.3, minimal form). */
size_t cachet_der_header_len(cachet_asn1_tag tag, uint64_t len);
/* cachet_cbb_add_asn1_header adds only the identifier and definite length of an
 * element whose |len| contents bytes the caller writes later, elsewhere (a
 * streamed body). The builder's own length bookkeeping does not cover them. */
bool cachet_cbb_add_asn1_header(cachet_cbb *cbb, cachet_asn1_tag tag, uint64_t len);

/* ---- Streaming BER reader with DER skeleton --------------------------------
 * cachet_ber_skel takes one BER element pushed in arbitrary chunks. It rebuilds
 * everything as DER in a bounded buffer (the "skeleton"), except one "bulk"
 * element chosen by the caller: the bulk's content octets (the concatenation of
 * the primitive segments of a possibly constructed, possibly indefinite-length
 * string) are streamed to callbacks instead, and the skeleton holds an empty
 * primitive element with the bulk's tag in its place. This is how CMS streams
 * eContent/encryptedContent while the rest of the structure stays small.
 * Also serves as BER→DER normalisation (no bulk: is_bulk always false).
 * Rules enforced: depth limit, definite lengths consistent with their parent,
 * indefinite only on constructed elements, end-of-contents only where open,
 * constructed strings nest at most |max_string_depth| deep and contain only
 * their own universal tag, no trailing bytes after the root element. */
typedef struct cachet_ber_skel cachet_ber_skel;

typedef struct cachet_ber_skel_callbacks {
    /* is_bulk is called at the start of each element. path[i] / index[i] give the
     * tag and child position (0-based among siblings) of each element from the
     * root (i = 0) to this element (i = depth). Return true to stream this element.
     * Tags keep their constructed bit (a BER OCTET STRING may come either way). Only a
     * string may be chosen (universal string types, or any non-universal tag, taken as
     * IMPLICIT OCTET STRING); is_bulk is not asked again once a bulk began, nor for
     * the segments of a constructed string. */
    bool (*is_bulk)(void *arg, const cachet_asn1_tag *path, const size_t *index, size_t depth);
    /* on_bulk_begin: the bulk element starts; ancestors' completed children are
     * available through cachet_ber_skel_partial(). */
    cachet_status (*on_bulk_begin)(void *arg, cachet_ber_skel *skel);
    cachet_status (*on_bulk_data)(void *arg, const uint8_t *data, size_t len);
    cachet_status (*on_bulk_end)(void *arg);
    void *arg;
} cachet_ber_skel_callbacks;

typedef struct cachet_ber_limits {
    size_t max_skeleton;       /* bytes of DER skeleton kept, e.g. 4 MiB */
    unsigned max_depth;        /* nesting depth, e.g. 64 */
    unsigned max_string_depth; /* constructed string nesting, e.g. 4 */
} cachet_ber_limits;

/* cachet_ber_skel_new returns a reader or NULL on allocation failure. |cb| may be
 * NULL (plain normalisation). |limits| NULL takes {4 MiB, 64, 4}; a zero max_skeleton
 * or max_depth takes its default (max_string_depth 0 refuses constructed strings).
 * max_depth counts the root: 1 allows only a root without children. */
cachet_ber_skel *cachet_ber_skel_new(const cachet_ber_skel_callbacks *cb,
                                     const cachet_ber_limits *limits);
void cachet_ber_skel_free(cachet_ber_skel *skel);
/* cachet_ber_skel_update consumes |len| bytes. On failure |err| gets the reason,
 * the byte offset and the tag path, and every later call fails. */
cachet_status cachet_ber_skel_update(cachet_ber_skel *skel, const uint8_t *data, size_t len,
                                     cachet_error *err);
/* cachet_ber_skel_finish fails unless exactly one complete root element was read. */
cachet_status cachet_ber_skel_finish(cachet_ber_skel *skel, cachet_error *err);
/* cachet_ber_skel_done is true once the root element is complete (more bytes are an error). */
bool cachet_ber_skel_done(const cachet_ber_skel *skel);
/* cachet_ber_skel_partial: during on_bulk_begin, |out| gets the DER of the
 * completed children so far of the open ancestor at |depth| (0 = root). |out|
 * points into the skeleton and is valid only until the callback returns. */
bool cachet_ber_skel_partial(const cachet_ber_skel *skel, size_t depth, cachet_cbs *out);
/* cachet_ber_skel_der: after finish, the DER of the whole root element. */
bool cachet_ber_skel_der(const cachet_ber_skel *skel, cachet_cbs *out);
/* cachet_ber_skel_bulk_seen: whether a bulk element was found (and its byte count). */
bool cachet_ber_skel_bulk_seen(const cachet_ber_skel *skel, uint64_t *out_len);
/* cachet_ber_skel_offset: bytes consumed so far (for error messages). */
uint64_t cachet_ber_skel_offset(const cachet_ber_skel *skel);

/* cachet_ber_to_der normalises one complete BER element in memory (no bulk).
 * *out is allocated with cachet_malloc. */
cachet_status cachet_ber_to_der(const uint8_t *in, size_t in_len, const cachet_ber_limits *limits,
                                uint8_t **out, size_t *out_len, cachet_error *err);

/* ---- OIDs: one table -------------------------------------------------------- */
typedef enum cachet_oid {
    CACHET_OID_UNKNOWN = 0,
    /* CMS content types (RFC 5652, 5083, 3274) */
    CACHET_OID_DATA,
    CACHET_OID_SIGNED_DATA,
    CACHET_OID_ENVELOPED_DATA,
    CACHET_OID_DIGESTED_DATA,
    CACHET_OID_ENCRYPTED_DATA,
    CACHET_OID_AUTH_ENVELOPED_DATA,
    CACHET_OID_COMPRESSED_DATA,
    CACHET_OID_AUTH_DATA,
    CACHET_OID_CT_TSTINFO,
    CACHET_OID_CT_RECEIPT,
    /* attributes */
    CACHET_OID_ATTR_CONTENT_TYPE,
    CACHET_OID_ATTR_MESSAGE_DIGEST,
    CACHET_OID_ATTR_SIGNING_TIME,
    CACHET_OID_ATTR_COUNTERSIGNATURE,
    CACHET_OID_ATTR_SMIME_CAPABILITIES,
    CACHET_OID_ATTR_ENCRYPTION_KEY_PREF,
    CACHET_OID_ATTR_SIGNING_CERTIFICATE,
    CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2,
    CACHET_OID_ATTR_CMS_ALGORITHM_PROTECTION,
    CACHET_OID_ATTR_RECEIPT_REQUEST,
    CACHET_OID_ATTR_SECURITY_LABEL,
    CACHET_OID_ATTR_CONTENT_HINT,
    CACHET_OID_ATTR_SIGNATURE_TYPE,
    /* digests */
    CACHET_OID_MD5,
    CACHET_OID_SHA1,
    CACHET_OID_SHA224,
    CACHET_OID_SHA256,
    CACHET_OID_SHA384,
    CACHET_OID_SHA512,
    /* signature algorithms */
    CACHET_OID_RSA_ENCRYPTION,
    CACHET_OID_MD5_WITH_RSA,
    CACHET_OID_SHA1_WITH_RSA,
    CACHET_OID_SHA224_WITH_RSA,
    CACHET_OID_SHA256_WITH_RSA,
    CACHET_OID_SHA384_WITH_RSA,
    CACHET_OID_SHA512_WITH_RSA,
    CACHET_OID_RSASSA_PSS,
    CACHET_OID_MGF1,
    CACHET_OID_RSAES_OAEP,
    CACHET_OID_PSPECIFIED,
    CACHET_OID_EC_PUBLIC_KEY,
    CACHET_OID_ECDSA_WITH_SHA1,
    CACHET_OID_ECDSA_WITH_SHA224,
    CACHET_OID_ECDSA_WITH_SHA256,
    CACHET_OID_ECDSA_WITH_SHA384,
    CACHET_OID_ECDSA_WITH_SHA512,
    CACHET_OID_DSA,
    CACHET_OID_DSA_WITH_SHA1,
    CACHET_OID_DSA_WITH_SHA256,
    CACHET_OID_ED25519,
    CACHET_OID_ED448,
    CACHET_OID_X25519,
    CACHET_OID_X448,
    /* curves */
    CACHET_OID_PRIME256V1,
    CACHET_OID_SECP384R1,
    CACHET_OID_SECP521R1,
    /* key agreement (RFC 5753) */
    CACHET_OID_DH_SINGLE_PASS_STDDH_SHA1KDF,
    CACHET_OID_DH_SINGLE_PASS_STDDH_SHA224KDF,
    CACHET_OID_DH_SINGLE_PASS_STDDH_SHA256KDF,
    CACHET_OID_DH_SINGLE_PASS_STDDH_SHA384KDF,
    CACHET_OID_DH_SINGLE_PASS_STDDH_SHA512KDF,
    CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA256KDF,
    CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA384KDF,
    CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA512KDF,
    /* content encryption and key wrap */
    CACHET_OID_AES128_CBC,
    CACHET_OID_AES192_CBC,
    CACHET_OID_AES256_CBC,
    CACHET_OID_AES128_GCM,
    CACHET_OID_AES192_GCM,
    CACHET_OID_AES256_GCM,
    CACHET_OID_AES128_CCM,
    CACHET_OID_AES256_CCM,
    CACHET_OID_AES128_WRAP,
    CACHET_OID_AES192_WRAP,
    CACHET_OID_AES256_WRAP,
    CACHET_OID_DES_EDE3_CBC,
    CACHET_OID_DES_CBC,
    CACHET_OID_RC2_CBC,
    CACHET_OID_CMS3DES_WRAP,
    CACHET_OID_CHACHA20_POLY1305,
    /* compression (RFC 3274) */
    CACHET_OID_ZLIB_COMPRESS,
    /* certificates */
    CACHET_OID_EMAIL_ADDRESS,
    CACHET_OID_KP_EMAIL_PROTECTION,
    CACHET_OID_SMIME_CAPABILITY_PREFER_SIGNED_DATA,
    /* RFC 3183 §3.1.2 signature types (id-sti) and ESS mlExpansionHistory (RFC 2634 §4.1) */
    CACHET_OID_STI_ORIGINATOR_SIG,
    CACHET_OID_STI_DOMAIN_SIG,
    CACHET_OID_STI_ADD_ATTRIB_SIG,
    CACHET_OID_STI_REVIEW_SIG,
    CACHET_OID_ATTR_ML_EXPANSION_HISTORY,
    /* added for issue 5: legacy and AEAD ciphers, KEK/password recipients, RFC 8418 */
    CACHET_OID_AES192_CCM,
    CACHET_OID_AES128_WRAP_PAD,
    CACHET_OID_AES192_WRAP_PAD,
    CACHET_OID_AES256_WRAP_PAD,
    CACHET_OID_CAST5_CBC,
    CACHET_OID_IDEA_CBC,
    CACHET_OID_SEED_CBC,
    CACHET_OID_CAMELLIA128_CBC,
    CACHET_OID_CAMELLIA192_CBC,
    CACHET_OID_CAMELLIA256_CBC,
    CACHET_OID_CMSRC2_WRAP,
    CACHET_OID_PWRI_KEK,
    CACHET_OID_PBKDF2,
    CACHET_OID_HMAC_WITH_SHA1,
    CACHET_OID_HMAC_WITH_SHA224,
    CACHET_OID_HMAC_WITH_SHA256,
    CACHET_OID_HMAC_WITH_SHA384,
    CACHET_OID_HMAC_WITH_SHA512,
    CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA256,
    CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA384,
    CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA512,
    CACHET_OID_DSA_WITH_SHA224,
    /* SHAKE256 (RFC 8419 §2.3, RFC 8702 §2) */
    CACHET_OID_SHAKE256,
    CACHET_OID_SHAKE256_LEN,
    /* issue 7: ESS (RFC 2634), CAdES (RFC 5126), RFC 5752 */
    CACHET_OID_ATTR_MSG_SIG_DIGEST,
    CACHET_OID_ATTR_CONTENT_IDENTIFIER,
    CACHET_OID_ATTR_EQUIVALENT_LABELS,
    CACHET_OID_ATTR_CONTENT_REFERENCE,
    CACHET_OID_ATTR_SIG_POLICY_ID,
    CACHET_OID_ATTR_MULTIPLE_SIGNATURES,
    CACHET_OID__COUNT
} cachet_oid;

/* cachet_oid_lookup maps DER OID contents to the table (CACHET_OID_UNKNOWN if absent). */
cachet_oid cachet_oid_lookup(const uint8_t *der, size_t len);
cachet_oid cachet_oid_lookup_cbs(const cachet_cbs *oid_contents);
/* cachet_oid_der returns the DER contents (no tag/length) of |oid| and its length. */
const uint8_t *cachet_oid_der(cachet_oid oid, size_t *out_len);
/* cachet_oid_name returns a short name such as "sha256" or "id-signedData". */
const char *cachet_oid_name(cachet_oid oid);
/* cachet_oid_dotted returns the dotted-decimal text of |oid| (NULL if unknown). */
const char *cachet_oid_dotted(cachet_oid oid);
/* cachet_cbb_add_oid adds the OBJECT IDENTIFIER element for |oid|. */
bool cachet_cbb_add_oid(cachet_cbb *cbb, cachet_oid oid);
/* cachet_cbs_get_oid reads an OBJECT IDENTIFIER element and looks it up; |out_raw|
 * (may be NULL) gets its contents so unknown OIDs can be reported as text. */
bool cachet_cbs_get_oid(cachet_cbs *cbs, cachet_oid *out, cachet_cbs *out_raw);

#endif
