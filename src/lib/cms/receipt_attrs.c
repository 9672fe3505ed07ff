/* cms/receipt_attrs.c: the receiptRequest (RFC 2634 §2.7) and msgSigDigest
 * (§2.8) signed attributes of a signature that verified, into the report. */
#include <stdio.h>
#include <string.h>

#include "cms/attributes.h"
#include "cms/receipt.h"

#define FAIL(st, ...) (snprintf(detail, detail_len, __VA_ARGS__), (st))

static char *hex_dup(const cachet_cbs *b) {
    char *s = cachet_malloc(b->len * 2 + 1);
    if (s != NULL) {
        cachet_hex(s, b->data, b->len);
    }
    return s;
}

typedef struct addr_list {
    char **items;
    size_t num;
} addr_list;

static bool push_addr(void *arg, const char *addr, size_t len) {
    addr_list *l = arg;
    char **grown = cachet_realloc(l->items, (l->num + 1) * sizeof(*grown));
    if (grown == NULL) {
        return false;
    }
    l->items = grown;
    grown[l->num] = cachet_malloc(len + 1);
    if (grown[l->num] == NULL) {
        return false;
    }
    memcpy(grown[l->num], addr, len);
    grown[l->num][len] = '\0';
    l->num++;
    return true;
}

static cachet_status read_request(const cachet_cbs *values, cachet_ess_info *ess, char *detail,
                                  size_t detail_len) {
    cachet_cbs value;
    cachet_cms_receipt_request rr;
    char why[200];
    if (!cachet_cms_single_value(values, CACHET_ASN1_SEQUENCE, true, &value)) {
        return FAIL(CACHET_ERR_ATTRIBUTES, "receiptRequest: not exactly one value");
    }
    if (!cachet_cms_receipt_request_parse(&value, &rr, why, sizeof(why))) {
        return FAIL(CACHET_ERR_ATTRIBUTES, "receiptRequest: %s", why);
    }
    ess->receipt_requested = true;
    ess->receipts_from = rr.from;
    ess->receipt_content_id_hex = hex_dup(&rr.content_id);
    if (ess->receipt_content_id_hex == NULL) {
        return FAIL(CACHET_ERR_NOMEM, "receiptRequest: out of memory");
    }
    addr_list to = {0}, from = {0};
    bool ok = cachet_cms_names_emails(&rr.to, push_addr, &to);
    ess->receipts_to = to.items;
    ess->num_receipts_to = to.num;
    if (ok && rr.from == CACHET_RECEIPTS_FROM_LIST) {
        ok = cachet_cms_names_emails(&rr.from_list, push_addr, &from);
        ess->receipts_from_list = from.items;
        ess->num_receipts_from_list = from.num;
    }
    /* the request parsed, so only allocation can have failed */
    return ok ? CACHET_OK : FAIL(CACHET_ERR_NOMEM, "receiptRequest: out of memory");
}

cachet_status cachet_cms_receipt_attrs_read(const cachet_cbs *signed_attrs,
                                            cachet_signer_report *rep, char *detail,
                                            size_t detail_len) {
    bool has_rr = false, has_msd = false;
    cachet_cbs rr_values, msd_values, msd;
    if (!cachet_cms_find_attr(signed_attrs, CACHET_OID_ATTR_RECEIPT_REQUEST, &has_rr, &rr_values) ||
        !cachet_cms_find_attr(signed_attrs, CACHET_OID_ATTR_MSG_SIG_DIGEST, &has_msd,
                              &msd_values)) {
        return FAIL(CACHET_ERR_ATTRIBUTES, "malformed attribute");
    }
    if (!has_rr && !has_msd) {
        return CACHET_OK;
    }
    /* MsgSigDigest ::= OCTET STRING, a digest of one of our hashes */
    if (has_msd && (!cachet_cms_single_value(&msd_values, CACHET_ASN1_OCTETSTRING, false, &msd) ||
                    msd.len == 0 || msd.len > CACHET_MD_MAX_SIZE)) {
        return FAIL(CACHET_ERR_ATTRIBUTES,
                    "msgSigDigest: not exactly one OCTET STRING value of 1 to %d bytes",
                    CACHET_MD_MAX_SIZE);
    }
    cachet_ess_info *ess = cachet_cms_ess_info_get(rep);
    if (ess == NULL) {
        return FAIL(CACHET_ERR_NOMEM, "out of memory");
    }
    ess->has_msg_sig_digest = has_msd;
    return has_rr ? read_request(&rr_values, ess, detail, detail_len) : CACHET_OK;
}
