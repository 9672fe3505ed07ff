/* cms/signed_util.c: one-shot verification, certificate extraction (certs-only,
 * RFC 8551 §3.6) and report cleanup around the streaming verifier. */
#include <string.h>

#include "cms/attributes.h"

void cachet_cms_layer_report_clear(cachet_layer_report *layer) {
    if (layer == NULL) {
        return;
    }
    for (size_t i = 0; i < layer->num_signers; i++) {
        cachet_cms_signer_report_clear(&layer->signers[i]);
    }
    cachet_free(layer->signers);
    if (layer->receipt != NULL) {
        cachet_free(layer->receipt->content_id_hex);
        cachet_free(layer->receipt->signature_hex);
        cachet_free(layer->receipt);
    }
    memset(layer, 0, sizeof(*layer));
}

cachet_status cachet_cms_verify_der(const cachet_cms_policy *policy,
                                    const cachet_cms_limits *limits, const uint8_t *cms,
                                    size_t cms_len, const uint8_t *detached_content,
                                    size_t detached_len, const cachet_sink *content,
                                    cachet_layer_report *out, cachet_error *err) {
    cachet_status st;
    memset(out, 0, sizeof(*out));
    out->type = CACHET_LAYER_SIGNED;
    cachet_cms_verify *v = cachet_cms_verify_new(policy, limits, content, err);
    if (v == NULL) {
        return err != NULL ? err->status : CACHET_ERR_NOMEM;
    }
    st = CACHET_OK;
    if (detached_content != NULL) {
        st = cachet_cms_verify_detached(v, NULL, 0, err);
        if (st == CACHET_OK) {
            st = cachet_cms_verify_content(v, detached_content, detached_len, err);
        }
    }
    if (st == CACHET_OK) {
        /* a failure is sticky: finish repeats it */
        (void)cachet_cms_verify_update(v, cms, cms_len, err);
    }
    /* finish always fills |out| (and repeats a sticky failure) */
    st = cachet_cms_verify_finish(v, out, err);
    cachet_cms_verify_free(v);
    return st;
}

/* RFC 5652 §5.1: the certificates field of any SignedData; the whole structure
 * is normalised to DER first (bounded by limits), nothing is verified. */
cachet_status cachet_cms_signed_certs(const cachet_cms_limits *limits, const uint8_t *cms,
                                      size_t cms_len, cachet_cert_list *out, cachet_error *err) {
    cachet_cms_limits defaults;
    uint8_t *der = NULL;
    size_t der_len = 0;
    if (limits == NULL) {
        cachet_cms_limits_default(&defaults);
        limits = &defaults;
    }
    cachet_ber_limits bl = cachet_cms_ber_limits(limits);
    cachet_status st = cachet_ber_to_der(cms, cms_len, &bl, &der, &der_len, err);
    if (st != CACHET_OK) {
        return st;
    }
    cachet_cbs in, ci, wrap, sd, skip, certs;
    cachet_oid oid;
    bool present = false;
    cachet_cbs_init(&in, der, der_len);
    if (!cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) || in.len != 0 ||
        !cachet_cbs_get_oid(&ci, &oid, NULL) || oid != CACHET_OID_SIGNED_DATA ||
        !cachet_cbs_get_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_INTEGER) ||
        !cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SET) ||
        !cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_optional_asn1(&sd, &certs, &present, CACHET_ASN1_CONTEXT_CONS(0))) {
        cachet_free(der);
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "SignedData", -1,
                              "not a well-formed SignedData ContentInfo");
    }
    size_t n = 0;
    while (present && certs.len > 0) {
        cachet_cbs elem;
        cachet_asn1_tag tag;
        cachet_cert *c = NULL;
        if (!cachet_cbs_get_any_asn1_element(&certs, &elem, &tag, NULL)) {
            st = cachet_err_set(err, CACHET_ERR_MALFORMED, "SignedData.certificates", -1,
                                "malformed CertificateSet");
            break;
        }
        if (++n > limits->max_certificates) {
            st = cachet_err_set(err, CACHET_ERR_LIMIT, "SignedData.certificates", -1,
                                "more than %zu certificates", limits->max_certificates);
            break;
        }
        if (tag != CACHET_ASN1_SEQUENCE ||
            cachet_cert_parse(elem.data, elem.len, &c, NULL) != CACHET_OK) {
            continue;
        }
        bool ok = cachet_cert_list_push(out, c);
        cachet_cert_free(c);
        if (!ok) {
            st = cachet_err_set(err, CACHET_ERR_NOMEM, "SignedData.certificates", -1,
                                "out of memory");
            break;
        }
    }
    cachet_free(der);
    return st;
}
