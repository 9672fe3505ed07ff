/* cms/receipt_codec.c: DER codecs of ReceiptRequest, Receipt and
 * ContentReference (RFC 2634 §2.7, §2.11; the module is IMPLICIT TAGS, so the
 * ReceiptsFrom choices and rfc822Name carry context tags in place of their own). */
#include <stdio.h>
#include <string.h>

#include "cms/receipt.h"

#define FAIL(...) (snprintf(detail, detail_len, __VA_ARGS__), false)

/* rfc822Name is an IA5String: printable addresses only, bounded. */
static bool valid_addr(const uint8_t *p, size_t len) {
    if (len == 0 || len > 256) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (p[i] <= 0x20 || p[i] >= 0x7f) {
            return false;
        }
    }
    return true;
}

/* GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName; each entry is one
 * element (any form); rfc822Name is [1] IMPLICIT IA5String. */
static bool walk_general_names(cachet_cbs names, bool (*fn)(void *, const char *, size_t),
                               void *arg) {
    size_t n = 0;
    if (names.len == 0) {
        return false;
    }
    while (names.len > 0) {
        cachet_cbs name;
        cachet_asn1_tag tag;
        if (++n > CACHET_CMS_GENERAL_NAMES_MAX || !cachet_cbs_get_any_asn1(&names, &name, &tag)) {
            return false;
        }
        if (tag != CACHET_ASN1_CONTEXT(1)) {
            continue;
        }
        if (!valid_addr(name.data, name.len)) {
            return false;
        }
        if (fn != NULL && !fn(arg, (const char *)name.data, name.len)) {
            return false;
        }
    }
    return true;
}

/* count_names checks a SEQUENCE OF GeneralNames contents and counts its GeneralNames. */
static bool walk_list(cachet_cbs list, size_t max, size_t *count,
                      bool (*fn)(void *, const char *, size_t), void *arg) {
    *count = 0;
    while (list.len > 0) {
        cachet_cbs names;
        if (++*count > max || !cachet_cbs_get_asn1(&list, &names, CACHET_ASN1_SEQUENCE) ||
            !walk_general_names(names, fn, arg)) {
            return false;
        }
    }
    return *count > 0;
}

bool cachet_cms_names_emails(const cachet_cbs *list,
                             bool (*fn)(void *arg, const char *addr, size_t len), void *arg) {
    size_t count = 0;
    return walk_list(*list, CACHET_CMS_GENERAL_NAMES_MAX, &count, fn, arg);
}

bool cachet_cms_receipt_request_parse(const cachet_cbs *in, cachet_cms_receipt_request *out,
                                      char *detail, size_t detail_len) {
    cachet_cbs all = *in, rr, from;
    cachet_asn1_tag tag;
    memset(out, 0, sizeof(*out));
    if (!cachet_cbs_get_asn1(&all, &rr, CACHET_ASN1_SEQUENCE) || all.len != 0) {
        return FAIL("ReceiptRequest: not one DER SEQUENCE");
    }
    if (!cachet_cbs_get_asn1(&rr, &out->content_id, CACHET_ASN1_OCTETSTRING) ||
        out->content_id.len == 0 || out->content_id.len > CACHET_CMS_CONTENT_ID_MAX) {
        return FAIL("ReceiptRequest.signedContentIdentifier: missing, empty or over %d bytes",
                    CACHET_CMS_CONTENT_ID_MAX);
    }
    if (!cachet_cbs_get_any_asn1(&rr, &from, &tag)) {
        return FAIL("ReceiptRequest.receiptsFrom: missing");
    }
    if (tag == CACHET_ASN1_CONTEXT(0)) {
        /* AllOrFirstTier ::= INTEGER { allReceipts (0), firstTierRecipients (1) } */
        if (from.len != 1 || from.data[0] > 1) {
            return FAIL("ReceiptRequest.receiptsFrom.allOrFirstTier: not 0 or 1");
        }
        out->from = from.data[0] == 0 ? CACHET_RECEIPTS_FROM_ALL : CACHET_RECEIPTS_FROM_FIRST_TIER;
    } else if (tag == CACHET_ASN1_CONTEXT_CONS(1)) {
        size_t count = 0;
        if (!walk_list(from, CACHET_CMS_GENERAL_NAMES_MAX, &count, NULL, NULL)) {
            return FAIL("ReceiptRequest.receiptsFrom.receiptList: malformed, empty or over %d "
                        "entries",
                        CACHET_CMS_GENERAL_NAMES_MAX);
        }
        out->from = CACHET_RECEIPTS_FROM_LIST;
        out->from_list = from;
    } else {
        return FAIL("ReceiptRequest.receiptsFrom: neither allOrFirstTier [0] nor receiptList [1]");
    }
    if (!cachet_cbs_get_asn1(&rr, &out->to, CACHET_ASN1_SEQUENCE) || rr.len != 0 ||
        !walk_list(out->to, CACHET_CMS_RECEIPTS_TO_MAX, &out->num_to, NULL, NULL)) {
        return FAIL("ReceiptRequest.receiptsTo: malformed, or not 1 to %d GeneralNames",
                    CACHET_CMS_RECEIPTS_TO_MAX);
    }
    return true;
}

static bool add_general_names(cachet_cbb *list, const char *addr) {
    cachet_cbb names;
    size_t len = addr != NULL ? strlen(addr) : 0;
    return valid_addr((const uint8_t *)addr, len) &&
           cachet_cbb_add_asn1(list, &names, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1_element(&names, CACHET_ASN1_CONTEXT(1), (const uint8_t *)addr,
                                       len) &&
           cachet_cbb_flush(list);
}

bool cachet_cms_receipt_request_build(cachet_cbb *cbb, const uint8_t *content_id,
                                      size_t content_id_len, cachet_receipts_from from,
                                      const char *const *from_list, size_t num_from_list,
                                      const char *const *to, size_t num_to) {
    cachet_cbb rr, list;
    if (content_id_len == 0 || content_id_len > CACHET_CMS_CONTENT_ID_MAX || num_to == 0 ||
        num_to > CACHET_CMS_RECEIPTS_TO_MAX || to == NULL ||
        !cachet_cbb_add_asn1(cbb, &rr, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_asn1_octet_string(&rr, content_id, content_id_len)) {
        return false;
    }
    if (from == CACHET_RECEIPTS_FROM_LIST) {
        if (from_list == NULL || num_from_list == 0 ||
            num_from_list > CACHET_CMS_GENERAL_NAMES_MAX ||
            !cachet_cbb_add_asn1(&rr, &list, CACHET_ASN1_CONTEXT_CONS(1))) {
            return false;
        }
        for (size_t i = 0; i < num_from_list; i++) {
            if (!add_general_names(&list, from_list[i])) {
                return false;
            }
        }
        if (!cachet_cbb_flush(&rr)) {
            return false;
        }
    } else {
        uint8_t v = from == CACHET_RECEIPTS_FROM_FIRST_TIER ? 1 : 0;
        if (!cachet_cbb_add_asn1_element(&rr, CACHET_ASN1_CONTEXT(0), &v, 1)) {
            return false;
        }
    }
    if (!cachet_cbb_add_asn1(&rr, &list, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    for (size_t i = 0; i < num_to; i++) {
        if (!add_general_names(&list, to[i])) {
            return false;
        }
    }
    return cachet_cbb_flush(cbb);
}

/* The three fields Receipt and ContentReference share. */
static bool parse_ref_fields(cachet_cbs *seq, cachet_cms_receipt *out, const char *what,
                             char *detail, size_t detail_len) {
    if (!cachet_cbs_get_asn1(seq, &out->content_type, CACHET_ASN1_OBJECT) ||
        !cachet_cbs_is_valid_oid(&out->content_type)) {
        return FAIL("%s.contentType: not an OBJECT IDENTIFIER", what);
    }
    if (!cachet_cbs_get_asn1(seq, &out->content_id, CACHET_ASN1_OCTETSTRING) ||
        out->content_id.len == 0 || out->content_id.len > CACHET_CMS_CONTENT_ID_MAX) {
        return FAIL("%s.signedContentIdentifier: missing, empty or over %d bytes", what,
                    CACHET_CMS_CONTENT_ID_MAX);
    }
    if (!cachet_cbs_get_asn1(seq, &out->signature, CACHET_ASN1_OCTETSTRING) ||
        out->signature.len == 0 || out->signature.len > CACHET_CMS_SIGNATURE_MAX) {
        return FAIL("%s.originatorSignatureValue: missing, empty or over %d bytes", what,
                    CACHET_CMS_SIGNATURE_MAX);
    }
    if (seq->len != 0) {
        return FAIL("%s: data after originatorSignatureValue", what);
    }
    return true;
}

bool cachet_cms_receipt_parse(const cachet_cbs *in, cachet_cms_receipt *out, char *detail,
                              size_t detail_len) {
    cachet_cbs all = *in, seq;
    uint64_t version = 0;
    memset(out, 0, sizeof(*out));
    if (!cachet_cbs_get_asn1(&all, &seq, CACHET_ASN1_SEQUENCE) || all.len != 0) {
        return FAIL("Receipt: not one DER SEQUENCE");
    }
    /* ESSVersion ::= INTEGER { v1(1) } */
    if (!cachet_cbs_get_asn1_uint64(&seq, &version) || version != 1) {
        return FAIL("Receipt.version: not v1 (1)");
    }
    return parse_ref_fields(&seq, out, "Receipt", detail, detail_len);
}

bool cachet_cms_content_reference_parse(const cachet_cbs *in, cachet_cms_receipt *out, char *detail,
                                        size_t detail_len) {
    cachet_cbs all = *in, seq;
    memset(out, 0, sizeof(*out));
    if (!cachet_cbs_get_asn1(&all, &seq, CACHET_ASN1_SEQUENCE) || all.len != 0) {
        return FAIL("ContentReference: not one DER SEQUENCE");
    }
    return parse_ref_fields(&seq, out, "ContentReference", detail, detail_len);
}

static bool build_fields(cachet_cbb *seq, const cachet_cms_receipt *r) {
    return cachet_cbb_add_asn1_oid(seq, r->content_type.data, r->content_type.len) &&
           cachet_cbb_add_asn1_octet_string(seq, r->content_id.data, r->content_id.len) &&
           cachet_cbb_add_asn1_octet_string(seq, r->signature.data, r->signature.len);
}

bool cachet_cms_receipt_build(cachet_cbb *cbb, const cachet_cms_receipt *r) {
    cachet_cbb seq;
    return cachet_cbb_add_asn1(cbb, &seq, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1_uint64(&seq, 1) && build_fields(&seq, r) && cachet_cbb_flush(cbb);
}

bool cachet_cms_content_reference_build(cachet_cbb *cbb, const cachet_cms_receipt *r) {
    cachet_cbb seq;
    return cachet_cbb_add_asn1(cbb, &seq, CACHET_ASN1_SEQUENCE) && build_fields(&seq, r) &&
           cachet_cbb_flush(cbb);
}
