/* cms/ess_write.c: the ESS and CAdES attributes cachet writes when asked
 * (RFC 2634 §2.9, §3.2, §3.4, §5.4; RFC 5126 §5.8.1), each one whole DER
 * Attribute with a single AttributeValue (RFC 2634 §1.3.4). */
#include <stdio.h>
#include <string.h>

#include "cms/attributes.h"
#include "cms/ess.h"

/* open_attr opens Attribute { type, SET { ... } } in |run|; the caller writes
 * the one value into |values| and flushes |run|. */
static bool open_attr(cachet_cbb *run, cachet_cbb *attr, cachet_cbb *values, cachet_oid oid) {
    return cachet_cbb_add_asn1(run, attr, CACHET_ASN1_SEQUENCE) && cachet_cbb_add_oid(attr, oid) &&
           cachet_cbb_add_asn1(attr, values, CACHET_ASN1_SET);
}

bool cachet_ess_add_label_attr(cachet_cbb *run, const cachet_security_label *l, char *detail,
                               size_t detail_len) {
    cachet_cbb attr, values;
    if (!open_attr(run, &attr, &values, CACHET_OID_ATTR_SECURITY_LABEL)) {
        snprintf(detail, detail_len, "out of memory");
        return false;
    }
    if (!cachet_ess_add_label(&values, l, detail, detail_len)) {
        return false;
    }
    if (!cachet_cbb_flush(run)) {
        snprintf(detail, detail_len, "out of memory");
        return false;
    }
    return true;
}

bool cachet_ess_add_equivalent_labels_attr(cachet_cbb *run, const cachet_security_label *labels,
                                           size_t num, char *detail, size_t detail_len) {
    cachet_cbb attr, values, seq;
    if (num == 0 || num > CACHET_ESS_MAX_EQUIV_LABELS) {
        snprintf(detail, detail_len, "equivalentLabels takes 1..%d labels",
                 CACHET_ESS_MAX_EQUIV_LABELS);
        return false;
    }
    if (!open_attr(run, &attr, &values, CACHET_OID_ATTR_EQUIVALENT_LABELS) ||
        !cachet_cbb_add_asn1(&values, &seq, CACHET_ASN1_SEQUENCE)) {
        snprintf(detail, detail_len, "out of memory");
        return false;
    }
    for (size_t i = 0; i < num; i++) {
        char sub[160];
        if (!cachet_ess_add_label(&seq, &labels[i], sub, sizeof(sub))) {
            snprintf(detail, detail_len, "equivalentLabels[%zu]: %s", i, sub);
            return false;
        }
    }
    if (!cachet_cbb_flush(run)) {
        snprintf(detail, detail_len, "out of memory");
        return false;
    }
    return true;
}

bool cachet_ess_add_content_hints_attr(cachet_cbb *run, const char *description,
                                       cachet_oid content_type) {
    cachet_cbb attr, values, seq;
    size_t n = description != NULL ? strlen(description) : 0;
    return open_attr(run, &attr, &values, CACHET_OID_ATTR_CONTENT_HINT) &&
           cachet_cbb_add_asn1(&values, &seq, CACHET_ASN1_SEQUENCE) &&
           (n == 0 || cachet_cbb_add_asn1_element(&seq, CACHET_ASN1_UTF8STRING,
                                                  (const uint8_t *)description, n)) &&
           cachet_cbb_add_oid(&seq, content_type) && cachet_cbb_flush(run);
}

bool cachet_ess_add_signing_cert_v1_attr(cachet_cbb *run, const cachet_cert *cert) {
    uint8_t hash[20];
    size_t der_len = 0;
    const uint8_t *der = cachet_cert_der(cert, &der_len);
    cachet_cbb attr, values, sc, certs;
    if (der == NULL || !cachet_md_oneshot(CACHET_MD_SHA1, der, der_len, hash)) {
        return false;
    }
    /* §5.4: the ESSCertID SHOULD include issuerSerial; §5.4.1: only the issuer's
     * directoryName in its GeneralNames. */
    return open_attr(run, &attr, &values, CACHET_OID_ATTR_SIGNING_CERTIFICATE) &&
           cachet_cbb_add_asn1(&values, &sc, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1(&sc, &certs, CACHET_ASN1_SEQUENCE) &&
           cachet_cms_add_ess_cert_id(&certs, hash, sizeof(hash), cert) && cachet_cbb_flush(run);
}

static cachet_oid md_oid(cachet_md md) {
    switch (md) {
        case CACHET_MD_SHA256:
            return CACHET_OID_SHA256;
        case CACHET_MD_SHA384:
            return CACHET_OID_SHA384;
        case CACHET_MD_SHA512:
            return CACHET_OID_SHA512;
        default:
            return CACHET_OID_UNKNOWN;
    }
}

bool cachet_ess_add_sig_policy_attr(cachet_cbb *run, const uint8_t *oid, size_t oid_len,
                                    cachet_md md, const uint8_t *hash, size_t hash_len) {
    cachet_cbb attr, values, spi, hav, alg;
    cachet_oid alg_oid = md_oid(md);
    if (alg_oid == CACHET_OID_UNKNOWN || hash_len != cachet_md_size(md)) {
        return false;
    }
    return open_attr(run, &attr, &values, CACHET_OID_ATTR_SIG_POLICY_ID) &&
           cachet_cbb_add_asn1(&values, &spi, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1_oid(&spi, oid, oid_len) &&
           cachet_cbb_add_asn1(&spi, &hav, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1(&hav, &alg, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_oid(&alg, alg_oid) && cachet_cbb_flush(&hav) &&
           cachet_cbb_add_asn1_octet_string(&hav, hash, hash_len) && cachet_cbb_flush(run);
}
