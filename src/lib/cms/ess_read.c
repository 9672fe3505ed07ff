/* cms/ess_read.c: the ESS attributes other than receipts and the CAdES
 * signature policy, read from the signed attributes of a signature that
 * verified (ATTACKS.md SG-15) into rep->ess. Each is one AttributeValue
 * (RFC 2634 §1.3.4); those §1.3.4 and RFC 5126 require to be signed are refused
 * among the unsigned attributes. signingCertificate (v1, §5.4) must name the
 * certificate that verified the signature, else the signature fails. */
#include <stdio.h>
#include <string.h>

#include "cms/attributes.h"
#include "cms/ess.h"

#define FAILF(...)                                                                                 \
    do {                                                                                           \
        snprintf(detail, detail_len, __VA_ARGS__);                                                 \
        goto err;                                                                                  \
    } while (0)

#define MAX_ESS_CERT_IDS 16

bool cachet_ess_find_attr(const cachet_cbs *attrs, cachet_oid oid, bool *found, cachet_cbs *value,
                          char *detail, size_t detail_len) {
    cachet_cbs in = *attrs;
    size_t want_len = 0;
    const uint8_t *want = cachet_oid_der(oid, &want_len);
    *found = false;
    while (in.len > 0) {
        cachet_cbs attr, type, values;
        if (!cachet_cbs_get_asn1(&in, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_asn1(&attr, &type, CACHET_ASN1_OBJECT) ||
            !cachet_cbs_get_asn1(&attr, &values, CACHET_ASN1_SET) || attr.len != 0) {
            FAILF("an Attribute is malformed");
        }
        /* compared as bytes: a table lookup per attribute and per type costs more */
        if (!cachet_cbs_mem_equal(&type, want, want_len)) {
            continue;
        }
        if (*found) {
            FAILF("%s appears twice (RFC 2634 section 1.3.4)", cachet_oid_name(oid));
        }
        if (!cachet_cbs_get_any_asn1_element(&values, value, NULL, NULL) || values.len != 0) {
            FAILF("%s must have exactly one AttributeValue (RFC 2634 section 1.3.4)",
                  cachet_oid_name(oid));
        }
        *found = true;
    }
    return true;
err:
    return false;
}

/* oid_text: the name of a known OID, else its dotted text if that fits whole. */
static bool oid_text(const cachet_cbs *oid, char *out, size_t out_len) {
    cachet_oid known = cachet_oid_lookup_cbs(oid);
    if (known != CACHET_OID_UNKNOWN) {
        snprintf(out, out_len, "%s", cachet_oid_name(known));
        return true;
    }
    return cachet_ess_oid_text(oid, out, out_len);
}

/* contentHints ::= SEQUENCE { contentDescription UTF8String (SIZE (1..MAX))
 * OPTIONAL, contentType ContentType } (§2.9) */
static bool read_hints(const cachet_cbs *value, cachet_ess_info *ess, char *detail,
                       size_t detail_len) {
    cachet_cbs in = *value, seq, desc, type;
    bool has_desc = false;
    if (!cachet_cbs_get_asn1(&in, &seq, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_optional_asn1(&seq, &desc, &has_desc, CACHET_ASN1_UTF8STRING) ||
        !cachet_cbs_get_asn1(&seq, &type, CACHET_ASN1_OBJECT) || seq.len != 0 || in.len != 0 ||
        !cachet_cbs_is_valid_oid(&type)) {
        FAILF("contentHints is not SEQUENCE { UTF8String OPTIONAL, OBJECT IDENTIFIER }");
    }
    if (has_desc && (desc.len == 0 || desc.len >= sizeof(ess->content_description) ||
                     memchr(desc.data, 0, desc.len) != NULL)) {
        FAILF("contentHints.contentDescription must be 1..%zu bytes without NUL",
              sizeof(ess->content_description) - 1);
    }
    ess->has_content_hints = true;
    if (has_desc) {
        memcpy(ess->content_description, desc.data, desc.len);
        ess->content_description[desc.len] = '\0';
    }
    if (!oid_text(&type, ess->content_hints_type, sizeof(ess->content_hints_type))) {
        FAILF("contentHints.contentType is longer than %zu characters",
              sizeof(ess->content_hints_type) - 1);
    }
    return true;
err:
    return false;
}

/* ContentReference ::= SEQUENCE { contentType, signedContentIdentifier OCTET
 * STRING, originatorSignatureValue OCTET STRING } (§2.11) */
static bool read_reference(const cachet_cbs *value, cachet_ess_info *ess, char *detail,
                           size_t detail_len) {
    cachet_cbs in = *value, seq, type, id, sig;
    if (!cachet_cbs_get_asn1(&in, &seq, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&seq, &type, CACHET_ASN1_OBJECT) ||
        !cachet_cbs_get_asn1(&seq, &id, CACHET_ASN1_OCTETSTRING) ||
        !cachet_cbs_get_asn1(&seq, &sig, CACHET_ASN1_OCTETSTRING) || seq.len != 0 || in.len != 0 ||
        !cachet_cbs_is_valid_oid(&type)) {
        FAILF("contentReference is not SEQUENCE { OBJECT IDENTIFIER, OCTET STRING, OCTET "
              "STRING }");
    }
    if (id.len == 0 || id.len > CACHET_ESS_MAX_ID || sig.len == 0) {
        FAILF("contentReference.signedContentIdentifier must be 1..%d bytes and the signature "
              "value non-empty",
              CACHET_ESS_MAX_ID);
    }
    ess->has_content_reference = true;
    if (!oid_text(&type, ess->content_reference_type, sizeof(ess->content_reference_type))) {
        FAILF("contentReference.contentType is longer than %zu characters",
              sizeof(ess->content_reference_type) - 1);
    }
    ess->content_reference_id_hex = cachet_ess_hex(id.data, id.len);
    if (ess->content_reference_id_hex == NULL) {
        FAILF("out of memory");
    }
    return true;
err:
    return false;
}

static bool read_identifier(const cachet_cbs *value, cachet_ess_info *ess, char *detail,
                            size_t detail_len) {
    cachet_cbs in = *value, id;
    if (!cachet_cbs_get_asn1(&in, &id, CACHET_ASN1_OCTETSTRING) || in.len != 0 || id.len == 0 ||
        id.len > CACHET_ESS_MAX_ID) {
        FAILF("contentIdentifier is not an OCTET STRING of 1..%d bytes", CACHET_ESS_MAX_ID);
    }
    ess->content_identifier_hex = cachet_ess_hex(id.data, id.len);
    if (ess->content_identifier_hex == NULL) {
        FAILF("out of memory");
    }
    return true;
err:
    return false;
}

static bool read_labels(const cachet_cbs *label, const cachet_cbs *equivalent, cachet_ess_info *ess,
                        char *detail, size_t detail_len) {
    if (label != NULL) {
        cachet_cbs in = *label;
        ess->label = cachet_calloc(1, sizeof(*ess->label));
        if (ess->label == NULL) {
            FAILF("out of memory");
        }
        char sub[160];
        if (!cachet_ess_parse_label(&in, ess->label, sub, sizeof(sub))) {
            FAILF("securityLabel: %s", sub);
        }
    }
    if (equivalent != NULL) {
        cachet_cbs in = *equivalent, seq, copy;
        size_t n = 0;
        if (!cachet_cbs_get_asn1(&in, &seq, CACHET_ASN1_SEQUENCE) || in.len != 0) {
            FAILF("equivalentLabels is not a SEQUENCE OF ESSSecurityLabel");
        }
        for (copy = seq; copy.len > 0; n++) {
            cachet_cbs el;
            if (n == CACHET_ESS_MAX_EQUIV_LABELS ||
                !cachet_cbs_get_any_asn1_element(&copy, &el, NULL, NULL)) {
                FAILF("equivalentLabels is malformed or has more than %d labels",
                      CACHET_ESS_MAX_EQUIV_LABELS);
            }
        }
        if (n == 0) {
            FAILF("equivalentLabels is empty (RFC 2634 section 3.4.1: one or more labels)");
        }
        ess->equivalent_labels = cachet_calloc(n, sizeof(*ess->equivalent_labels));
        if (ess->equivalent_labels == NULL) {
            FAILF("out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            char sub[160];
            if (!cachet_ess_parse_label(&seq, &ess->equivalent_labels[i], sub, sizeof(sub))) {
                FAILF("equivalentLabels[%zu]: %s", i, sub);
            }
            ess->num_equivalent_labels = i + 1;
        }
    }
    /* §3.4.1: every security-policy OID unique among the label and its equivalents. */
    size_t total = ess->num_equivalent_labels + (ess->label != NULL ? 1 : 0);
    for (size_t i = 0; i < total; i++) {
        const cachet_security_label *a =
            i < ess->num_equivalent_labels ? &ess->equivalent_labels[i] : ess->label;
        for (size_t j = i + 1; j < total; j++) {
            const cachet_security_label *b =
                j < ess->num_equivalent_labels ? &ess->equivalent_labels[j] : ess->label;
            if (strcmp(a->policy, b->policy) == 0) {
                FAILF("equivalentLabels: security policy %s appears twice among the labels (RFC "
                      "2634 section 3.4.1: policy OIDs must be unique)",
                      a->policy);
            }
        }
    }
    return true;
err:
    return false;
}

/* SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies
 * SEQUENCE OF PolicyInformation OPTIONAL }; ESSCertID ::= SEQUENCE { certHash
 * OCTET STRING (SHA-1), issuerSerial IssuerSerial OPTIONAL } (§5.4). The first
 * ESSCertID must be the certificate that verified the signature (§5.4). */
static bool check_signing_cert_v1(const cachet_cbs *value, const cachet_cert *cert, char *detail,
                                  size_t detail_len) {
    cachet_cbs in = *value, sc, certs, first = {NULL, 0}, hash, is, names, dn, serial;
    size_t n = 0;
    if (!cachet_cbs_get_asn1(&in, &sc, CACHET_ASN1_SEQUENCE) || in.len != 0 ||
        !cachet_cbs_get_asn1(&sc, &certs, CACHET_ASN1_SEQUENCE)) {
        FAILF("signingCertificate is not SEQUENCE { SEQUENCE OF ESSCertID, ... }");
    }
    if (sc.len > 0) {
        cachet_cbs policies;
        if (!cachet_cbs_get_asn1(&sc, &policies, CACHET_ASN1_SEQUENCE) || sc.len != 0) {
            FAILF("signingCertificate.policies is not a SEQUENCE OF PolicyInformation");
        }
    }
    while (certs.len > 0) {
        cachet_cbs id;
        if (n == MAX_ESS_CERT_IDS || !cachet_cbs_get_asn1(&certs, &id, CACHET_ASN1_SEQUENCE)) {
            FAILF("signingCertificate.certs[%zu] is not an ESSCertID (at most %d)", n,
                  MAX_ESS_CERT_IDS);
        }
        if (n++ == 0) {
            first = id;
        }
    }
    if (n == 0) {
        FAILF("signingCertificate.certs is empty: it must name the signer certificate (RFC "
              "2634 section 5.4)");
    }
    if (!cachet_cbs_get_asn1(&first, &hash, CACHET_ASN1_OCTETSTRING) || hash.len != 20) {
        FAILF("signingCertificate.certs[0].certHash is not a 20-byte SHA-1 OCTET STRING");
    }
    size_t der_len = 0;
    const uint8_t *der = cachet_cert_der(cert, &der_len);
    uint8_t sha1[20];
    if (der == NULL || !cachet_md_oneshot(CACHET_MD_SHA1, der, der_len, sha1)) {
        FAILF("signingCertificate: SHA-1 of the signer certificate could not be computed");
    }
    if (!cachet_cbs_mem_equal(&hash, sha1, sizeof(sha1))) {
        FAILF("signingCertificate.certs[0].certHash does not match the SHA-1 of the "
              "certificate that verified the signature (RFC 2634 section 5.4)");
    }
    if (first.len == 0) {
        return true;
    }
    size_t issuer_len = 0, serial_len = 0;
    const uint8_t *issuer = cachet_cert_issuer_der(cert, &issuer_len);
    const uint8_t *cserial = cachet_cert_serial_der(cert, &serial_len);
    if (!cachet_cbs_get_asn1(&first, &is, CACHET_ASN1_SEQUENCE) || first.len != 0 ||
        !cachet_cbs_get_asn1(&is, &names, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&is, &serial, CACHET_ASN1_INTEGER) || is.len != 0) {
        FAILF("signingCertificate.certs[0].issuerSerial is malformed");
    }
    /* §5.4.1: for a public-key certificate, only the issuer's directoryName. */
    if (!cachet_cbs_get_asn1(&names, &dn, CACHET_ASN1_CONTEXT_CONS(4)) || names.len != 0) {
        FAILF("signingCertificate.certs[0].issuerSerial.issuer must hold only a directoryName "
              "(RFC 2634 section 5.4.1)");
    }
    if (issuer == NULL || cserial == NULL || !cachet_cbs_mem_equal(&dn, issuer, issuer_len) ||
        !cachet_cbs_mem_equal(&serial, cserial, serial_len)) {
        FAILF("signingCertificate.certs[0].issuerSerial does not name the certificate that "
              "verified the signature (RFC 2634 section 5.4)");
    }
    return true;
err:
    return false;
}

/* SignaturePolicyIdentifier ::= CHOICE { signaturePolicyId SEQUENCE {
 * sigPolicyId OID, sigPolicyHash SEQUENCE { AlgorithmIdentifier, OCTET STRING },
 * sigPolicyQualifiers SEQUENCE OF SigPolicyQualifierInfo OPTIONAL },
 * signaturePolicyImplied NULL } (RFC 5126 §5.8.1) */
static bool read_sig_policy(const cachet_cbs *value, cachet_ess_info *ess, char *detail,
                            size_t detail_len) {
    cachet_cbs in = *value, spi, oid, hav, alg, alg_oid, hash;
    ess->has_signature_policy = true;
    if (cachet_cbs_peek_asn1_tag(&in, CACHET_ASN1_NULL)) {
        cachet_cbs null;
        if (!cachet_cbs_get_asn1(&in, &null, CACHET_ASN1_NULL) || null.len != 0 || in.len != 0) {
            FAILF("signaturePolicyIdentifier: signaturePolicyImplied is not a DER NULL");
        }
        ess->signature_policy_implied = true;
        return true;
    }
    if (!cachet_cbs_get_asn1(&in, &spi, CACHET_ASN1_SEQUENCE) || in.len != 0 ||
        !cachet_cbs_get_asn1(&spi, &oid, CACHET_ASN1_OBJECT) ||
        !cachet_ess_oid_text(&oid, ess->signature_policy, sizeof(ess->signature_policy))) {
        FAILF("signaturePolicyIdentifier is not SEQUENCE { sigPolicyId, sigPolicyHash, ... }");
    }
    if (!cachet_cbs_get_asn1(&spi, &hav, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&hav, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&alg, &alg_oid, CACHET_ASN1_OBJECT) ||
        !cachet_cbs_get_asn1(&hav, &hash, CACHET_ASN1_OCTETSTRING) || hav.len != 0) {
        FAILF("signaturePolicyIdentifier.sigPolicyHash is not SEQUENCE { AlgorithmIdentifier, "
              "OCTET STRING }");
    }
    if (alg.len > 0) {
        cachet_cbs null;
        if (!cachet_cbs_get_asn1(&alg, &null, CACHET_ASN1_NULL) || null.len != 0 || alg.len != 0) {
            FAILF("signaturePolicyIdentifier.sigPolicyHash.hashAlgorithm has parameters other "
                  "than NULL");
        }
    }
    cachet_md md = cachet_cms_md_from_oid(cachet_oid_lookup_cbs(&alg_oid));
    if (md == CACHET_MD_NONE) {
        snprintf(ess->signature_policy_hash_alg, sizeof(ess->signature_policy_hash_alg), "unknown");
    } else {
        if (hash.len != cachet_md_size(md)) {
            FAILF("signaturePolicyIdentifier.sigPolicyHash is %zu bytes, not the %zu of %s",
                  hash.len, cachet_md_size(md), cachet_md_name(md));
        }
        snprintf(ess->signature_policy_hash_alg, sizeof(ess->signature_policy_hash_alg), "%s",
                 cachet_md_name(md));
    }
    if (hash.len == 0 || hash.len > CACHET_MD_MAX_SIZE) {
        FAILF("signaturePolicyIdentifier.sigPolicyHash value must be 1..%d bytes",
              CACHET_MD_MAX_SIZE);
    }
    if (spi.len > 0) {
        cachet_cbs quals;
        if (!cachet_cbs_get_asn1(&spi, &quals, CACHET_ASN1_SEQUENCE) || spi.len != 0 ||
            quals.len == 0) {
            FAILF("signaturePolicyIdentifier.sigPolicyQualifiers is not a non-empty SEQUENCE");
        }
        while (quals.len > 0) {
            cachet_cbs q, qid;
            if (!cachet_cbs_get_asn1(&quals, &q, CACHET_ASN1_SEQUENCE) ||
                !cachet_cbs_get_asn1(&q, &qid, CACHET_ASN1_OBJECT)) {
                FAILF("signaturePolicyIdentifier.sigPolicyQualifiers holds a malformed entry");
            }
        }
    }
    ess->signature_policy_hash_hex = cachet_ess_hex(hash.data, hash.len);
    if (ess->signature_policy_hash_hex == NULL) {
        FAILF("out of memory");
    }
    return true;
err:
    return false;
}

/* The attributes RFC 2634 §1.3.4 (and RFC 5035, RFC 5126 §5.8.1) allow only
 * among the signed ones. */
static const cachet_oid signed_only[] = {
    CACHET_OID_ATTR_SECURITY_LABEL,       CACHET_OID_ATTR_EQUIVALENT_LABELS,
    CACHET_OID_ATTR_ML_EXPANSION_HISTORY, CACHET_OID_ATTR_CONTENT_REFERENCE,
    CACHET_OID_ATTR_RECEIPT_REQUEST,      CACHET_OID_ATTR_MSG_SIG_DIGEST,
    CACHET_OID_ATTR_SIGNING_CERTIFICATE,  CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2,
    CACHET_OID_ATTR_SIG_POLICY_ID,
};

static bool check_unsigned(const cachet_cbs *attrs, char *detail, size_t detail_len) {
    cachet_cbs in = *attrs;
    while (in.len > 0) {
        cachet_cbs attr, type;
        if (!cachet_cbs_get_asn1(&in, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_asn1(&attr, &type, CACHET_ASN1_OBJECT)) {
            FAILF("an unsigned Attribute is malformed");
        }
        cachet_oid oid = cachet_oid_lookup_cbs(&type);
        for (size_t i = 0; i < sizeof(signed_only) / sizeof(signed_only[0]); i++) {
            if (oid == signed_only[i]) {
                FAILF("%s found among the unsigned attributes: it must be a signed attribute "
                      "(RFC 2634 section 1.3.4)",
                      cachet_oid_name(oid));
            }
        }
    }
    return true;
err:
    return false;
}

/* The attributes read here, in the order they are looked up. */
enum { A_LABEL, A_EQUIV, A_HINTS, A_REF, A_ID, A_ML, A_SC1, A_SC2, A_POLICY, A_NUM };
static const cachet_oid read_oids[A_NUM] = {
    CACHET_OID_ATTR_SECURITY_LABEL,      CACHET_OID_ATTR_EQUIVALENT_LABELS,
    CACHET_OID_ATTR_CONTENT_HINT,        CACHET_OID_ATTR_CONTENT_REFERENCE,
    CACHET_OID_ATTR_CONTENT_IDENTIFIER,  CACHET_OID_ATTR_ML_EXPANSION_HISTORY,
    CACHET_OID_ATTR_SIGNING_CERTIFICATE, CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2,
    CACHET_OID_ATTR_SIG_POLICY_ID,
};

cachet_status cachet_cms_ess_read(const cachet_cbs *signed_attrs, const cachet_cbs *unsigned_attrs,
                                  const cachet_cert *cert, cachet_signer_report *rep, char *detail,
                                  size_t detail_len) {
    cachet_cbs values[A_NUM];
    bool found[A_NUM], any = false;
    cachet_ess_info *ess = NULL;
    if (unsigned_attrs != NULL && !check_unsigned(unsigned_attrs, detail, detail_len)) {
        return CACHET_ERR_ATTRIBUTES;
    }
    for (size_t i = 0; i < A_NUM; i++) {
        if (!cachet_ess_find_attr(signed_attrs, read_oids[i], &found[i], &values[i], detail,
                                  detail_len)) {
            return CACHET_ERR_ATTRIBUTES;
        }
        any = any || found[i];
    }
    if (!any) {
        return CACHET_OK;
    }
    ess = cachet_cms_ess_info_get(rep);
    if (ess == NULL) {
        snprintf(detail, detail_len, "out of memory");
        return CACHET_ERR_NOMEM;
    }
    if (found[A_SC1]) {
        if (cert == NULL) {
            snprintf(detail, detail_len,
                     "signingCertificate present but no certificate verified the signature");
            return CACHET_ERR_ATTRIBUTES;
        }
        if (!check_signing_cert_v1(&values[A_SC1], cert, detail, detail_len)) {
            return CACHET_ERR_ATTRIBUTES;
        }
        ess->signing_certificate_v1 = true;
    }
    ess->signing_certificate_v2 = found[A_SC2];
    if (!read_labels(found[A_LABEL] ? &values[A_LABEL] : NULL,
                     found[A_EQUIV] ? &values[A_EQUIV] : NULL, ess, detail, detail_len) ||
        (found[A_REF] && !read_reference(&values[A_REF], ess, detail, detail_len)) ||
        (found[A_ID] && !read_identifier(&values[A_ID], ess, detail, detail_len)) ||
        (found[A_POLICY] && !read_sig_policy(&values[A_POLICY], ess, detail, detail_len))) {
        return strstr(detail, "out of memory") != NULL ? CACHET_ERR_NOMEM : CACHET_ERR_ATTRIBUTES;
    }
    /* contentHints only hints at what the content is (§2.9): a malformed one (a
     * Bouncy Castle test message carries an empty OID there) is not reported,
     * and the signature over it is not failed for it. */
    if (found[A_HINTS] && !read_hints(&values[A_HINTS], ess, detail, detail_len)) {
        if (strstr(detail, "out of memory") != NULL) {
            return CACHET_ERR_NOMEM;
        }
        ess->has_content_hints = false;
        ess->content_description[0] = '\0';
        ess->content_hints_type[0] = '\0';
        detail[0] = '\0';
    }
    if (found[A_ML]) {
        if (!cachet_ess_parse_ml_history(&values[A_ML], &ess->ml_history, &ess->num_ml_history,
                                         detail, detail_len)) {
            return strstr(detail, "out of memory") != NULL ? CACHET_ERR_NOMEM
                                                           : CACHET_ERR_ATTRIBUTES;
        }
    }
    return CACHET_OK;
}
