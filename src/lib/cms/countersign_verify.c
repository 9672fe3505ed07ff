/* cms/countersign_verify.c: the countersignatures of a SignerInfo (RFC 5652
 * §11.4), each a SignerInfo over the parent's signature value, checked with
 * the same rules as a signer (signed_signer.c) and reported beside it. */
#include <stdio.h>
#include <string.h>

#include "cms/countersign.h"

/* each_countersig walks the values of every id-countersignature attribute of
 * |attrs| (SET contents, already found well-formed by
 * cachet_cms_check_unsigned_attrs): |*values| is the remaining values of the
 * current attribute. Returns 1 with |*out| the next value, 0 at the end, -1
 * when malformed. */
static int each_countersig(cachet_cbs *attrs, cachet_cbs *values, cachet_cbs *out) {
    while (values->len == 0) {
        cachet_cbs attr;
        cachet_oid type;
        cachet_cbs raw;
        if (attrs->len == 0) {
            return 0;
        }
        if (!cachet_cbs_get_asn1(attrs, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_oid(&attr, &type, &raw) ||
            !cachet_cbs_get_asn1(&attr, values, CACHET_ASN1_SET)) {
            return -1;
        }
        if (type != CACHET_OID_ATTR_COUNTERSIGNATURE) {
            values->len = 0;
        }
    }
    cachet_asn1_tag tag;
    if (!cachet_cbs_get_any_asn1_element(values, out, &tag, NULL) || tag != CACHET_ASN1_SEQUENCE) {
        return -1;
    }
    return 1;
}

cachet_status cachet_cms_countersigs_verify(const cachet_cms_signer_ctx *ctx,
                                            const cachet_cbs *unsigned_attrs,
                                            const cachet_cbs *signature, cachet_signer_report *rep,
                                            char *detail, size_t detail_len) {
    return cachet_cms_countersigs_verify_at(ctx, unsigned_attrs, signature, 0, rep, detail,
                                            detail_len);
}

cachet_status cachet_cms_countersigs_verify_at(const cachet_cms_signer_ctx *ctx,
                                               const cachet_cbs *unsigned_attrs,
                                               const cachet_cbs *signature, unsigned depth,
                                               cachet_signer_report *rep, char *detail,
                                               size_t detail_len) {
    cachet_cbs attrs = *unsigned_attrs, values = {NULL, 0}, si;
    size_t n = 0;
    int r = each_countersig(&attrs, &values, &si);
    for (; r > 0; r = each_countersig(&attrs, &values, &si)) {
        n++;
        if (n > CACHET_CMS_COUNTERSIG_MAX_PER_SIGNER) {
            snprintf(detail, detail_len, "more than %d countersignatures on one signature",
                     CACHET_CMS_COUNTERSIG_MAX_PER_SIGNER);
            return CACHET_ERR_LIMIT;
        }
    }
    if (r < 0) {
        snprintf(detail, detail_len,
                 "countersignature[%zu]: malformed (a countersignature value is a SignerInfo)", n);
        return CACHET_ERR_MALFORMED;
    }
    if (n == 0) {
        return CACHET_OK;
    }
    /* Nesting costs a signature check per level: bounded like every count. */
    if (depth >= CACHET_CMS_COUNTERSIG_MAX_DEPTH) {
        snprintf(detail, detail_len, "countersignatures nested more than %d deep",
                 CACHET_CMS_COUNTERSIG_MAX_DEPTH);
        return CACHET_ERR_LIMIT;
    }
    rep->countersigners = cachet_calloc(n, sizeof(*rep->countersigners));
    if (rep->countersigners == NULL) {
        return CACHET_ERR_NOMEM;
    }
    cachet_status first = CACHET_OK;
    attrs = *unsigned_attrs;
    values.len = 0;
    for (size_t i = 0; i < n; i++) {
        each_countersig(&attrs, &values, &si);
        cachet_signer_report *cr = &rep->countersigners[i];
        if (!cachet_cms_verify_countersigner(ctx, &si, signature, depth, cr)) {
            rep->num_countersigners = i + 1;
            return CACHET_ERR_NOMEM;
        }
        rep->num_countersigners = i + 1;
        /* The first failure names the layer's error; every one is reported. */
        if (!cr->signature_valid && first == CACHET_OK) {
            static const char nested[] = "unsignedAttrs: countersignature[";
            first = cr->signature_status;
            if (strncmp(cr->signature_detail, nested, sizeof(nested) - 1) == 0) {
                /* a path, "countersignature[0].countersignature[1] by ...: why",
                 * so that the innermost signer and reason survive the nesting */
                snprintf(detail, detail_len, "countersignature[%zu].%s", i,
                         cr->signature_detail + strlen("unsignedAttrs: "));
            } else {
                snprintf(detail, detail_len, "countersignature[%zu] by %s: %s", i,
                         cr->subject[0] != '\0' ? cr->subject : "an unknown signer",
                         cr->signature_detail);
            }
        }
    }
    return first;
}
