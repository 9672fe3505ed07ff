/* smime/receipt_request.c: the signed attributes a sender adds for receipts
 * and replies: receiptRequest and contentIdentifier (RFC 2634 §2.7), and
 * contentReference (§2.11). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "smime/receipt.h"

/* A fresh signedContentIdentifier: §2.7 suggests a time stamp and random
 * bytes, so two messages never share one. */
#define FRESH_ID_LEN (8 + 16)

static cachet_status check_addrs(const char *what, const char *const *list, size_t num, size_t max,
                                 cachet_error *err) {
    if (list == NULL || num == 0 || num > max) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "receipt request", -1,
                              "%s needs 1 to %zu addresses (RFC 2634 §2.7)", what, max);
    }
    for (size_t i = 0; i < num; i++) {
        const char *a = list[i];
        bool ok = a != NULL && a[0] != '\0' && strlen(a) <= 256 && strchr(a, '@') != NULL;
        for (const char *p = a; ok && *p != '\0'; p++) {
            ok = (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f;
        }
        if (!ok) {
            return cachet_err_set(err, CACHET_ERR_USAGE, "receipt request", -1,
                                  "%s: \"%s\" is not an email address (rfc822Name, ASCII)", what,
                                  a != NULL ? a : "(null)");
        }
    }
    return CACHET_OK;
}

/* fresh_id makes a signedContentIdentifier: the signing time (8 bytes, big
 * endian) then 16 random bytes. */
static cachet_status fresh_id(const cachet_ctx *ctx, uint8_t out[FRESH_ID_LEN], cachet_error *err) {
    int64_t t = ctx->at != 0 ? ctx->at : (int64_t)time(NULL);
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)((uint64_t)t >> (56 - 8 * i));
    }
    return cachet_random(out + 8, FRESH_ID_LEN - 8, err);
}

/* add_content_identifier writes the contentIdentifier attribute (§2.7): the
 * name by which a receipt or a reply (contentReference, §2.11) refers to this
 * message. */
static cachet_status add_content_identifier(const uint8_t *id, size_t id_len, cachet_cbb *run,
                                            cachet_error *err) {
    cachet_cbb attr, set;
    if (!cachet_cbb_add_asn1(run, &attr, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_CONTENT_IDENTIFIER) ||
        !cachet_cbb_add_asn1(&attr, &set, CACHET_ASN1_SET) ||
        !cachet_cbb_add_asn1_octet_string(&set, id, id_len) || !cachet_cbb_flush(run)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "content identifier", -1, "out of memory");
    }
    return CACHET_OK;
}

/* add_request writes the receiptRequest and, with the same identifier, the
 * contentIdentifier attribute (§2.7, §2.11: "the first SignedData MUST include
 * a contentIdentifier"). */
static cachet_status add_request(const cachet_ctx *ctx, const cachet_receipt_request *rq,
                                 cachet_cbb *run, cachet_error *err) {
    uint8_t fresh[FRESH_ID_LEN];
    const uint8_t *id = rq->content_id;
    size_t id_len = rq->content_id_len;
    if (rq->from != CACHET_RECEIPTS_FROM_ALL && rq->from != CACHET_RECEIPTS_FROM_FIRST_TIER &&
        rq->from != CACHET_RECEIPTS_FROM_LIST) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "receipt request", -1,
                              "unknown receiptsFrom %d", (int)rq->from);
    }
    cachet_status st =
        check_addrs("receiptsTo", rq->to, rq->num_to, CACHET_CMS_RECEIPTS_TO_MAX, err);
    if (st == CACHET_OK && rq->from == CACHET_RECEIPTS_FROM_LIST) {
        st = check_addrs("receiptList", rq->from_list, rq->num_from_list,
                         CACHET_CMS_GENERAL_NAMES_MAX, err);
    }
    if (st != CACHET_OK) {
        return st;
    }
    if (id == NULL) {
        st = fresh_id(ctx, fresh, err);
        if (st != CACHET_OK) {
            return st;
        }
        id = fresh;
        id_len = sizeof(fresh);
    } else if (id_len == 0 || id_len > CACHET_CMS_CONTENT_ID_MAX) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "receipt request", -1,
                              "signedContentIdentifier must be 1 to %d bytes",
                              CACHET_CMS_CONTENT_ID_MAX);
    }
    cachet_cbb attr, set;
    if (!cachet_cbb_add_asn1(run, &attr, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_RECEIPT_REQUEST) ||
        !cachet_cbb_add_asn1(&attr, &set, CACHET_ASN1_SET) ||
        !cachet_cms_receipt_request_build(&set, id, id_len, rq->from, rq->from_list,
                                          rq->num_from_list, rq->to, rq->num_to) ||
        !cachet_cbb_flush(run)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "receipt request", -1, "out of memory");
    }
    return add_content_identifier(id, id_len, run, err);
}

/* reference_of picks what names the original (§2.11): the innermost signed
 * layer's first signature carrying a contentIdentifier, else the
 * signedContentIdentifier of its receipt request. */
static bool reference_of(const cachet_receipt_ref *ref, cachet_cms_receipt *out) {
    const cachet_receipt_layer *inner = NULL;
    for (size_t k = 0; k < ref->num_layers; k++) {
        if (inner == NULL || ref->layers[k].depth > inner->depth) {
            inner = &ref->layers[k];
        }
    }
    for (size_t i = 0; inner != NULL && i < inner->num_signers; i++) {
        const cachet_receipt_orig *o = &inner->signers[i];
        cachet_cbs attrs, values, id;
        cachet_cms_receipt_request rr;
        bool found = false;
        if (o->signed_attrs == NULL) {
            continue;
        }
        cachet_cbs_init(&attrs, o->signed_attrs, o->signed_attrs_len);
        if (cachet_cms_find_attr(&attrs, CACHET_OID_ATTR_CONTENT_IDENTIFIER, &found, &values) &&
            found && cachet_cms_single_value(&values, CACHET_ASN1_OCTETSTRING, false, &id) &&
            id.len > 0 && id.len <= CACHET_CMS_CONTENT_ID_MAX) {
            out->content_id = id;
        } else if (cachet_receipt_request_of(o, &rr, NULL)) {
            out->content_id = rr.content_id;
        } else {
            continue;
        }
        cachet_cbs_init(&out->content_type, inner->econtent_type, inner->econtent_type_len);
        cachet_cbs_init(&out->signature, o->signature, o->signature_len);
        return o->signature_len > 0 && o->signature_len <= CACHET_CMS_SIGNATURE_MAX;
    }
    return false;
}

static cachet_status add_reference(const cachet_receipt_ref *ref, cachet_cbb *run,
                                   cachet_error *err) {
    cachet_cms_receipt r;
    if (!reference_of(ref, &r)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "content reference", -1,
                              "the original message has no contentIdentifier or receipt request "
                              "to refer to (RFC 2634 §2.11)");
    }
    cachet_cbb attr, set;
    if (!cachet_cbb_add_asn1(run, &attr, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_CONTENT_REFERENCE) ||
        !cachet_cbb_add_asn1(&attr, &set, CACHET_ASN1_SET) ||
        !cachet_cms_content_reference_build(&set, &r) || !cachet_cbb_flush(run)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "content reference", -1, "out of memory");
    }
    return CACHET_OK;
}

cachet_status cachet_smime_receipt_request_attrs(const cachet_ctx *ctx,
                                                 const cachet_sign_opts *opts, cachet_cbb *run,
                                                 cachet_error *err) {
    cachet_status st = CACHET_OK;
    if (opts->receipt_request != NULL) {
        st = add_request(ctx, opts->receipt_request, run, err);
    } else if (opts->content_identifier) {
        uint8_t id[FRESH_ID_LEN];
        st = fresh_id(ctx, id, err);
        if (st == CACHET_OK) {
            st = add_content_identifier(id, sizeof(id), run, err);
        }
    }
    if (st == CACHET_OK && opts->content_reference != NULL) {
        st = add_reference(opts->content_reference, run, err);
    }
    return st;
}
