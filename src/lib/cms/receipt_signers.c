/* cms/receipt_signers.c: what a signed receipt is made from and checked
 * against (RFC 2634 §2.4, §2.7, §2.8): attributes of a SignerInfo, msgSigDigest,
 * and each SignerInfo of a SignedData as it was read, valid or not. */
#include <string.h>

#include "cms/attributes.h"
#include "cms/receipt.h"

bool cachet_cms_find_attr(const cachet_cbs *attrs, cachet_oid oid, bool *found,
                          cachet_cbs *values) {
    cachet_cbs in = *attrs;
    size_t want_len = 0;
    const uint8_t *want = cachet_oid_der(oid, &want_len);
    *found = false;
    while (in.len > 0) {
        cachet_cbs attr, type, vals;
        if (!cachet_cbs_get_asn1(&in, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_asn1(&attr, &type, CACHET_ASN1_OBJECT) ||
            !cachet_cbs_get_asn1(&attr, &vals, CACHET_ASN1_SET) || attr.len != 0) {
            return false;
        }
        if (!*found && want != NULL && cachet_cbs_mem_equal(&type, want, want_len)) {
            *found = true;
            *values = vals;
        }
    }
    return true;
}

bool cachet_cms_single_value(const cachet_cbs *values, cachet_asn1_tag tag, bool element,
                             cachet_cbs *out) {
    cachet_cbs in = *values;
    bool ok =
        element ? cachet_cbs_get_asn1_element(&in, out, tag) : cachet_cbs_get_asn1(&in, out, tag);
    return ok && in.len == 0;
}

bool cachet_cms_msg_sig_digest(cachet_md md, const cachet_cbs *attrs, uint8_t *out,
                               size_t *out_len) {
    /* the digest is over the DER SignedAttributes with its universal SET tag,
     * exactly what the original signature covered (RFC 5652 §5.4) */
    uint8_t hdr[16];
    size_t hdr_len = 0;
    hdr[hdr_len++] = 0x31;
    if (attrs->len < 0x80) {
        hdr[hdr_len++] = (uint8_t)attrs->len;
    } else {
        size_t n = 0;
        for (size_t l = attrs->len; l > 0; l >>= 8) {
            n++;
        }
        hdr[hdr_len++] = (uint8_t)(0x80 | n);
        for (size_t k = n; k > 0; k--) {
            hdr[hdr_len++] = (uint8_t)(attrs->len >> (8 * (k - 1)));
        }
    }
    cachet_md_ctx *ctx = cachet_md_new(md, NULL);
    bool ok = ctx != NULL && cachet_md_update(ctx, hdr, hdr_len) &&
              cachet_md_update(ctx, attrs->data, attrs->len) && cachet_md_final(ctx, out);
    cachet_md_free(ctx);
    *out_len = ok ? cachet_md_size(md) : 0;
    return ok;
}

/* RFC 5652 §3 / §5.1, up to the signerInfos SET contents and eContentType. */
static bool signer_infos(const cachet_cms_verify *v, cachet_cbs *sis, cachet_cbs *ect) {
    cachet_cbs der, ci, wrap, sd, skip, eci;
    uint64_t version;
    bool present;
    if (v == NULL || v->skel == NULL || !cachet_ber_skel_der(v->skel, &der)) {
        return false;
    }
    return cachet_cbs_get_asn1(&der, &ci, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) &&
           cachet_cbs_get_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cbs_get_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1_uint64(&sd, &version) &&
           cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SET) &&
           cachet_cbs_get_asn1(&sd, &eci, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&eci, ect, CACHET_ASN1_OBJECT) &&
           cachet_cbs_get_optional_asn1(&sd, &skip, &present, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cbs_get_optional_asn1(&sd, &skip, &present, CACHET_ASN1_CONTEXT_CONS(1)) &&
           cachet_cbs_get_asn1(&sd, sis, CACHET_ASN1_SET);
}

/* RFC 5652 §5.3 SignerInfo. */
static bool parse_signer(cachet_cbs si, cachet_cms_receipt_signer *out) {
    cachet_cbs body, skip, alg;
    uint64_t version;
    memset(out, 0, sizeof(*out));
    if (!cachet_cbs_get_asn1(&si, &body, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1_uint64(&body, &version) ||
        !cachet_cbs_get_any_asn1_element(&body, &skip, NULL, NULL) ||
        !cachet_cbs_get_asn1_element(&body, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_optional_asn1(&body, &out->signed_attrs, &out->has_signed_attrs,
                                      CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&body, &skip, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&body, &out->signature, CACHET_ASN1_OCTETSTRING)) {
        return false;
    }
    cachet_oid oid;
    if (!cachet_cms_parse_digest_alg(&alg, &out->md, &oid)) {
        out->md = CACHET_MD_NONE;
    }
    return true;
}

bool cachet_cms_receipt_signers(const cachet_cms_verify *v, size_t i, size_t *num,
                                cachet_cbs *econtent_type, cachet_cms_receipt_signer *out) {
    cachet_cbs sis, ect;
    if (!signer_infos(v, &sis, &ect)) {
        return false;
    }
    *num = 0;
    if (econtent_type != NULL) {
        *econtent_type = ect;
    }
    bool ok = out == NULL;
    while (sis.len > 0) {
        cachet_cbs si;
        if (!cachet_cbs_get_any_asn1_element(&sis, &si, NULL, NULL)) {
            return false;
        }
        if (out != NULL && *num == i) {
            ok = parse_signer(si, out);
        }
        ++*num;
        if (*num > v->limits.max_signers) {
            return false;
        }
    }
    return ok;
}
