/* cms/receipt: the ESS signed-receipt codecs (RFC 2634 §2.7, §2.8, §2.11, as
 * updated by RFC 5035): ReceiptRequest, Receipt, msgSigDigest and
 * ContentReference, and what a receipt needs from a SignedData being read (each
 * SignerInfo's signedAttrs and signature value, whatever its validity). */
#ifndef CACHET_CMS_RECEIPT_H
#define CACHET_CMS_RECEIPT_H

#include "cms/signed.h"

/* ub-receiptsTo (§2.7) */
#define CACHET_CMS_RECEIPTS_TO_MAX 16
/* The most GeneralName entries read from one GeneralNames and the most
 * GeneralNames in a receiptList: no limit in the RFC, this one is ours. */
#define CACHET_CMS_GENERAL_NAMES_MAX 64
/* A ContentIdentifier longer than this is refused (ours, read and write). */
#define CACHET_CMS_CONTENT_ID_MAX 1024
/* A signature value longer than this cannot be anyone's (RSA 16384 bits). */
#define CACHET_CMS_SIGNATURE_MAX 2048
/* A Receipt content is a few hundred bytes; anything past this is refused. */
#define CACHET_CMS_RECEIPT_MAX 8192

/* A parsed ReceiptRequest. Views point into the parsed bytes. */
typedef struct cachet_cms_receipt_request {
    cachet_cbs content_id; /* signedContentIdentifier contents */
    cachet_receipts_from from;
    cachet_cbs from_list; /* receiptList SEQUENCE OF GeneralNames contents (LIST) */
    cachet_cbs to;        /* receiptsTo SEQUENCE OF GeneralNames contents (1..16) */
    size_t num_to;
} cachet_cms_receipt_request;

/* cachet_cms_receipt_request_parse reads one DER ReceiptRequest element (the
 * whole of |in|). False with |detail| ("ReceiptRequest.receiptsTo: ...") when
 * malformed or past the bounds above. */
bool cachet_cms_receipt_request_parse(const cachet_cbs *in, cachet_cms_receipt_request *out,
                                      char *detail, size_t detail_len);
/* cachet_cms_names_emails calls |fn| for each rfc822Name in a SEQUENCE OF
 * GeneralNames (|list|: its contents, as receiptsTo and receiptList are; other
 * name forms are skipped). False when malformed, over the bounds above, or
 * when |fn| says false. */
bool cachet_cms_names_emails(const cachet_cbs *list,
                             bool (*fn)(void *arg, const char *addr, size_t len), void *arg);
/* cachet_cms_receipt_request_build adds a ReceiptRequest element to |cbb|:
 * |from_list| addresses for CACHET_RECEIPTS_FROM_LIST, one GeneralNames of one
 * rfc822Name per |to| address (1..16). */
bool cachet_cms_receipt_request_build(cachet_cbb *cbb, const uint8_t *content_id,
                                      size_t content_id_len, cachet_receipts_from from,
                                      const char *const *from_list, size_t num_from_list,
                                      const char *const *to, size_t num_to);

/* A parsed Receipt (§2.7) or ContentReference (§2.11, same fields but version). */
typedef struct cachet_cms_receipt {
    cachet_cbs content_type; /* OID contents */
    cachet_cbs content_id;   /* signedContentIdentifier contents */
    cachet_cbs signature;    /* originatorSignatureValue contents */
} cachet_cms_receipt;

/* cachet_cms_receipt_parse reads a DER Receipt (version 1) filling the whole of
 * |in|; False with |detail| naming the field otherwise. */
bool cachet_cms_receipt_parse(const cachet_cbs *in, cachet_cms_receipt *out, char *detail,
                              size_t detail_len);
/* cachet_cms_receipt_build adds a Receipt element (version 1) to |cbb|. */
bool cachet_cms_receipt_build(cachet_cbb *cbb, const cachet_cms_receipt *r);
/* cachet_cms_content_reference_build adds a ContentReference element. */
bool cachet_cms_content_reference_build(cachet_cbb *cbb, const cachet_cms_receipt *r);
/* cachet_cms_content_reference_parse reads a DER ContentReference (all of |in|). */
bool cachet_cms_content_reference_parse(const cachet_cbs *in, cachet_cms_receipt *out, char *detail,
                                        size_t detail_len);

/* cachet_cms_find_attr finds the attribute of type |oid| in |attrs| (SET
 * contents): *found false when absent; |values| gets its attrValues SET
 * contents. False when |attrs| is malformed. */
bool cachet_cms_find_attr(const cachet_cbs *attrs, cachet_oid oid, bool *found, cachet_cbs *values);
/* cachet_cms_single_value: |values| (SET contents) holds exactly one element,
 * with |tag|; its contents (or the whole element when |element|) in |out|. */
bool cachet_cms_single_value(const cachet_cbs *values, cachet_asn1_tag tag, bool element,
                             cachet_cbs *out);

/* cachet_cms_msg_sig_digest computes msgSigDigest (§2.8): the |md| digest of the
 * DER SignedAttributes (tag SET) whose contents are |attrs|. */
bool cachet_cms_msg_sig_digest(cachet_md md, const cachet_cbs *attrs, uint8_t *out,
                               size_t *out_len);

/* What a receipt needs of one SignerInfo of a finished verifier. Views point
 * into the verifier's skeleton (valid while it lives). */
typedef struct cachet_cms_receipt_signer {
    bool has_signed_attrs;
    cachet_cbs signed_attrs; /* SET contents */
    cachet_cbs signature;    /* signature OCTET STRING contents */
    cachet_md md;            /* digestAlgorithm (CACHET_MD_NONE if unknown) */
} cachet_cms_receipt_signer;

/* cachet_cms_receipt_signers: after cachet_cms_verify_finish got past the
 * structure, the number of SignerInfos (|*num|), the eContentType OID contents
 * (|econtent_type|), and signer |i| in |out| when |out| is not NULL. False when
 * the SignedData could not be read or |i| is out of range. Validity is not
 * judged here: the caller decides (its layer report says). */
bool cachet_cms_receipt_signers(const cachet_cms_verify *v, size_t i, size_t *num,
                                cachet_cbs *econtent_type, cachet_cms_receipt_signer *out);

#endif
