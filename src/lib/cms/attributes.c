/* cms/attributes.c: the signed attributes we write (RFC 5652 §11, RFC 8551
 * §2.5.2, RFC 5035 §3) and the checks applied to received ones (RFC 5652 §5.3,
 * §11; ATTACKS.md SG-03, SG-05, SG-06, SG-07). */
#include <stdio.h>
#include <string.h>

#include "cms/attributes.h"
#include "cms/countersign.h"

/* open_attr starts Attribute ::= SEQUENCE { attrType, attrValues SET OF } and
 * leaves |values| open for exactly the caller's values. */
static bool open_attr(cachet_cbb *set, cachet_cbb *attr, cachet_cbb *values, cachet_oid type) {
    return cachet_cbb_add_asn1(set, attr, CACHET_ASN1_SEQUENCE) && cachet_cbb_add_oid(attr, type) &&
           cachet_cbb_add_asn1(attr, values, CACHET_ASN1_SET);
}

/* RFC 8551 §2.5.2: SMIMECapabilities ::= SEQUENCE OF SMIMECapability, in order of
 * preference; AES (RFC 3565 §4, RFC 5084 §5) capabilities carry no parameters. */
static bool add_smime_capabilities(cachet_cbb *values) {
    static const cachet_oid prefs[] = {CACHET_OID_AES256_GCM, CACHET_OID_AES128_GCM,
                                       CACHET_OID_AES256_CBC, CACHET_OID_AES128_CBC};
    cachet_cbb caps, cap;
    if (!cachet_cbb_add_asn1(values, &caps, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    for (size_t i = 0; i < sizeof(prefs) / sizeof(prefs[0]); i++) {
        if (!cachet_cbb_add_asn1(&caps, &cap, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbb_add_oid(&cap, prefs[i]) || !cachet_cbb_flush(&caps)) {
            return false;
        }
    }
    return cachet_cbb_flush(values);
}

bool cachet_cms_add_ess_cert_id(cachet_cbb *cbb, const uint8_t *hash, size_t hash_len,
                                const cachet_cert *cert) {
    size_t issuer_len = 0, serial_len = 0;
    const uint8_t *issuer = cachet_cert_issuer_der(cert, &issuer_len);
    const uint8_t *serial = cachet_cert_serial_der(cert, &serial_len);
    cachet_cbb id, is, names, dn;
    if (issuer == NULL || serial == NULL) {
        return false;
    }
    return cachet_cbb_add_asn1(cbb, &id, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1_octet_string(&id, hash, hash_len) &&
           cachet_cbb_add_asn1(&id, &is, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1(&is, &names, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1(&names, &dn, CACHET_ASN1_CONTEXT_CONS(4)) &&
           cachet_cbb_add_bytes(&dn, issuer, issuer_len) && cachet_cbb_flush(&is) &&
           cachet_cbb_add_asn1_element(&is, CACHET_ASN1_INTEGER, serial, serial_len) &&
           cachet_cbb_flush(cbb);
}

/* RFC 5035 §3: SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 }; the
 * ESSCertIDv2 hashAlgorithm is omitted because SHA-256 is its DEFAULT (DER
 * omits defaults). */
bool cachet_cms_add_signing_cert_v2_attr(cachet_cbb *set, const cachet_cert *cert) {
    uint8_t hash[32];
    cachet_cbb attr, values, scv2, certs;
    cachet_cert_sha256(cert, hash);
    return open_attr(set, &attr, &values, CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2) &&
           cachet_cbb_add_asn1(&values, &scv2, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1(&scv2, &certs, CACHET_ASN1_SEQUENCE) &&
           cachet_cms_add_ess_cert_id(&certs, hash, sizeof(hash), cert) && cachet_cbb_flush(set);
}

bool cachet_cms_build_signed_attrs(cachet_cbb *out, cachet_oid content_type, const uint8_t *digest,
                                   size_t digest_len, int64_t signing_time, const cachet_cert *cert,
                                   unsigned signature_types, const uint8_t *extra,
                                   size_t extra_len) {
    cachet_cbb set, attr, values;
    /* RFC 5652 §5.3: contentType and messageDigest MUST be present (§11.1, §11.2);
     * signingTime §11.3. */
    return cachet_cbb_add_asn1(out, &set, CACHET_ASN1_SET) &&
           open_attr(&set, &attr, &values, CACHET_OID_ATTR_CONTENT_TYPE) &&
           cachet_cbb_add_oid(&values, content_type) && cachet_cbb_flush(&set) &&
           open_attr(&set, &attr, &values, CACHET_OID_ATTR_MESSAGE_DIGEST) &&
           cachet_cbb_add_asn1_octet_string(&values, digest, digest_len) &&
           cachet_cbb_flush(&set) &&
           open_attr(&set, &attr, &values, CACHET_OID_ATTR_SIGNING_TIME) &&
           cachet_cbb_add_asn1_time(&values, signing_time) && cachet_cbb_flush(&set) &&
           open_attr(&set, &attr, &values, CACHET_OID_ATTR_SMIME_CAPABILITIES) &&
           add_smime_capabilities(&values) && cachet_cbb_flush(&set) &&
           cachet_cms_add_signing_cert_v2_attr(&set, cert) &&
           (signature_types == 0 || cachet_cms_add_sigtype_attr(&set, signature_types)) &&
           (extra_len == 0 || cachet_cbb_add_bytes(&set, extra, extra_len)) &&
           /* RFC 5652 §5.4: the signature covers the DER encoding, so SET OF is sorted. */
           cachet_cbb_flush_asn1_set_of(&set) && cachet_cbb_flush(out);
}

bool cachet_cms_check_extra_attrs(const uint8_t *extra, size_t extra_len, char *detail,
                                  size_t detail_len) {
    static const cachet_oid ours[] = {
        CACHET_OID_ATTR_CONTENT_TYPE,           CACHET_OID_ATTR_MESSAGE_DIGEST,
        CACHET_OID_ATTR_SIGNING_TIME,           CACHET_OID_ATTR_SMIME_CAPABILITIES,
        CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2, CACHET_OID_ATTR_SIGNATURE_TYPE,
    };
    cachet_cbs rest, seen;
    cachet_cbs_init(&rest, extra, extra_len);
    cachet_cbs_init(&seen, extra, 0);
    while (rest.len > 0) {
        /* Attribute ::= SEQUENCE { attrType OID, attrValues SET SIZE (1..MAX) } */
        cachet_cbs attr, values, type_raw;
        cachet_oid type;
        if (!cachet_cbs_get_asn1(&rest, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_oid(&attr, &type, &type_raw) || !cachet_cbs_is_valid_oid(&type_raw) ||
            !cachet_cbs_get_asn1(&attr, &values, CACHET_ASN1_SET) || attr.len != 0 ||
            values.len == 0) {
            snprintf(detail, detail_len, "an extra signed attribute is not a DER Attribute");
            return false;
        }
        /* RFC 5652 §11.4: a countersignature MUST NOT be a signed attribute */
        if (type == CACHET_OID_ATTR_COUNTERSIGNATURE) {
            snprintf(detail, detail_len,
                     "countersignature cannot be a signed attribute (RFC 5652 section 11.4)");
            return false;
        }
        for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
            if (type == ours[i]) {
                snprintf(detail, detail_len,
                         "extra signed attribute %s is one cachet writes itself",
                         cachet_oid_name(type));
                return false;
            }
        }
        /* no type twice (RFC 5652 §5.3: each attribute type once in signedAttrs) */
        for (cachet_cbs prev = seen; prev.len > 0;) {
            cachet_cbs pa, pt;
            cachet_oid ptype;
            if (!cachet_cbs_get_asn1(&prev, &pa, CACHET_ASN1_SEQUENCE) ||
                !cachet_cbs_get_oid(&pa, &ptype, &pt)) {
                break;
            }
            if (pt.len == type_raw.len && memcmp(pt.data, type_raw.data, pt.len) == 0) {
                snprintf(detail, detail_len, "extra signed attribute %s is given twice",
                         cachet_oid_name(type));
                return false;
            }
        }
        seen.len = (size_t)(rest.data - extra);
    }
    return true;
}

/* ---- Checking ---- */

#define FAIL(st, ...)                                                                              \
    do {                                                                                           \
        snprintf(detail, detail_len, __VA_ARGS__);                                                 \
        return (st);                                                                               \
    } while (0)

typedef struct attr_walk {
    cachet_cbs rest;
    size_t count;
} attr_walk;

/* next_attr reads one Attribute; -1 malformed, 0 end, 1 read. */
static int next_attr(attr_walk *w, cachet_oid *type, cachet_cbs *type_raw, cachet_cbs *values,
                     size_t *num_values) {
    cachet_cbs elem, attr, vals;
    if (w->rest.len == 0) {
        return 0;
    }
    if (!cachet_cbs_get_asn1_element(&w->rest, &elem, CACHET_ASN1_SEQUENCE)) {
        return -1;
    }
    attr = elem;
    if (!cachet_cbs_get_asn1(&attr, &vals, CACHET_ASN1_SEQUENCE)) {
        return -1;
    }
    attr = vals;
    if (!cachet_cbs_get_oid(&attr, type, type_raw) || !cachet_cbs_is_valid_oid(type_raw) ||
        !cachet_cbs_get_asn1(&attr, values, CACHET_ASN1_SET) || attr.len != 0) {
        return -1;
    }
    size_t n = 0;
    for (cachet_cbs v = *values; v.len > 0; n++) {
        if (!cachet_cbs_get_any_asn1_element(&v, NULL, NULL, NULL)) {
            return -1;
        }
    }
    *num_values = n;
    w->count++;
    return 1;
}

/* check_attrs: the signedAttrs of a SignerInfo, or of a countersignature
 * (|countersig|: RFC 5652 §11.4, no contentType, messageDigest required). */
static cachet_status check_attrs(const cachet_cbs *attrs, size_t max_attrs, bool countersig,
                                 cachet_cms_attrs_info *out, char *detail, size_t detail_len) {
    attr_walk w = {.rest = *attrs};
    cachet_oid seen[64];
    size_t num_seen = 0;
    cachet_cbs seen_raw[64];
    bool has_ct = false, has_md = false;
    memset(out, 0, sizeof(*out));
    if (max_attrs > 64) {
        max_attrs = 64;
    }
    for (;;) {
        cachet_oid type;
        cachet_cbs raw, values, v;
        size_t nvals = 0;
        int r = next_attr(&w, &type, &raw, &values, &nvals);
        if (r == 0) {
            break;
        }
        /* SignedAttributes out of DER SET OF order (a signer's bug, R5652-5.3-7)
         * are accepted: the signature is checked over the bytes received, so
         * the order cannot change what was signed. */
        if (r < 0) {
            FAIL(CACHET_ERR_ATTRIBUTES, "malformed attribute %zu", w.count);
        }
        if (w.count > max_attrs) {
            FAIL(CACHET_ERR_LIMIT, "more than %zu signed attributes", max_attrs);
        }
        /* RFC 5652 §5.3: a type appears at most once in SignedAttributes (X.501
         * Attribute semantics; §11.1-§11.3 single instance). */
        for (size_t i = 0; i < num_seen; i++) {
            if (cachet_cbs_mem_equal(&seen_raw[i], raw.data, raw.len)) {
                FAIL(CACHET_ERR_ATTRIBUTES, "attribute %s appears twice",
                     seen[i] != CACHET_OID_UNKNOWN ? cachet_oid_name(seen[i]) : "(unknown)");
            }
        }
        seen[num_seen] = type;
        seen_raw[num_seen++] = raw;
        v = values;
        switch (type) {
            case CACHET_OID_ATTR_CONTENT_TYPE:
                /* §11.4: "there is no content type for countersignatures". */
                if (countersig) {
                    FAIL(CACHET_ERR_ATTRIBUTES,
                         "contentType present in the signedAttrs of a countersignature "
                         "(RFC 5652 section 11.4 forbids it)");
                }
                /* §11.1: exactly one value, an OBJECT IDENTIFIER. */
                if (nvals != 1 ||
                    !cachet_cbs_get_asn1(&v, &out->content_type, CACHET_ASN1_OBJECT) ||
                    !cachet_cbs_is_valid_oid(&out->content_type)) {
                    FAIL(CACHET_ERR_ATTRIBUTES,
                         "contentType must have one OBJECT IDENTIFIER value");
                }
                has_ct = true;
                break;
            case CACHET_OID_ATTR_MESSAGE_DIGEST:
                /* §11.2: exactly one value, an OCTET STRING. */
                if (nvals != 1 ||
                    !cachet_cbs_get_asn1(&v, &out->message_digest, CACHET_ASN1_OCTETSTRING) ||
                    out->message_digest.len == 0) {
                    FAIL(CACHET_ERR_ATTRIBUTES, "messageDigest must have one OCTET STRING value");
                }
                has_md = true;
                break;
            case CACHET_OID_ATTR_SIGNING_TIME:
                /* §11.3: one Time value, UTCTime or GeneralizedTime in DER form. */
                if (nvals != 1 || !cachet_cbs_get_asn1_time(&v, &out->signing_time) || v.len != 0) {
                    FAIL(CACHET_ERR_ATTRIBUTES, "signingTime must have one well-formed Time value");
                }
                out->has_signing_time = true;
                break;
            case CACHET_OID_ATTR_COUNTERSIGNATURE:
                /* §11.4: countersignature is an unsigned attribute only. */
                FAIL(CACHET_ERR_ATTRIBUTES, "countersignature in signedAttrs");
            case CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2: {
                /* RFC 5035 §3: the first ESSCertIDv2 names the signer certificate. */
                cachet_cbs scv2, certs, id;
                if (nvals != 1 || !cachet_cbs_get_asn1(&v, &scv2, CACHET_ASN1_SEQUENCE) ||
                    !cachet_cbs_get_asn1(&scv2, &certs, CACHET_ASN1_SEQUENCE) ||
                    !cachet_cbs_get_asn1(&certs, &id, CACHET_ASN1_SEQUENCE)) {
                    FAIL(CACHET_ERR_ATTRIBUTES, "malformed signingCertificateV2");
                }
                out->ess_md = CACHET_MD_SHA256;
                if (cachet_cbs_peek_asn1_tag(&id, CACHET_ASN1_SEQUENCE)) {
                    cachet_oid oid;
                    if (!cachet_cms_parse_digest_alg(&id, &out->ess_md, &oid)) {
                        FAIL(CACHET_ERR_ATTRIBUTES, "malformed ESSCertIDv2 hashAlgorithm");
                    }
                }
                if (!cachet_cbs_get_asn1(&id, &out->ess_hash, CACHET_ASN1_OCTETSTRING)) {
                    FAIL(CACHET_ERR_ATTRIBUTES, "malformed ESSCertIDv2 certHash");
                }
                out->has_ess_cert_v2 = out->ess_md != CACHET_MD_NONE;
                break;
            }
            case CACHET_OID_ATTR_SIGNATURE_TYPE:
                /* RFC 3183 §3.1.2; a second SignatureType attribute was refused above. */
                if (!cachet_cms_parse_sigtype_values(&values, &out->signature_types, detail,
                                                     detail_len)) {
                    return CACHET_ERR_ATTRIBUTES;
                }
                out->has_signature_type = true;
                break;
            case CACHET_OID_ATTR_ML_EXPANSION_HISTORY:
                if (nvals == 0) {
                    FAIL(CACHET_ERR_ATTRIBUTES, "attribute with no value");
                }
                out->ml_expansion_history = true;
                break;
            default:
                /* Unknown attributes are tolerated (RFC 4134 §4.10); a value SET
                 * must not be empty (X.501 SIZE (1..MAX)). */
                if (nvals == 0) {
                    FAIL(CACHET_ERR_ATTRIBUTES, "attribute with no value");
                }
                break;
        }
    }
    if (countersig && !has_md) {
        FAIL(CACHET_ERR_ATTRIBUTES, "the signedAttrs of a countersignature lack messageDigest "
                                    "(RFC 5652 section 11.4)");
    }
    if (!countersig && (!has_ct || !has_md)) {
        FAIL(CACHET_ERR_ATTRIBUTES, "signedAttrs lack %s (RFC 5652 §5.3)",
             !has_ct ? "contentType" : "messageDigest");
    }
    return CACHET_OK;
}

cachet_status cachet_cms_check_signed_attrs(const cachet_cbs *attrs, size_t max_attrs,
                                            cachet_cms_attrs_info *out, char *detail,
                                            size_t detail_len) {
    return check_attrs(attrs, max_attrs, false, out, detail, detail_len);
}

cachet_status cachet_cms_check_countersig_attrs(const cachet_cbs *attrs, size_t max_attrs,
                                                cachet_cms_attrs_info *out, char *detail,
                                                size_t detail_len) {
    return check_attrs(attrs, max_attrs, true, out, detail, detail_len);
}

cachet_status cachet_cms_check_unsigned_attrs(const cachet_cbs *attrs, size_t max_attrs,
                                              char *detail, size_t detail_len) {
    attr_walk w = {.rest = *attrs};
    for (;;) {
        cachet_oid type;
        cachet_cbs raw, values;
        size_t nvals = 0;
        int r = next_attr(&w, &type, &raw, &values, &nvals);
        if (r == 0) {
            return CACHET_OK;
        }
        if (r < 0) {
            FAIL(CACHET_ERR_ATTRIBUTES, "malformed unsigned attribute %zu", w.count);
        }
        if (w.count > max_attrs) {
            FAIL(CACHET_ERR_LIMIT, "more than %zu unsigned attributes", max_attrs);
        }
        if (type == CACHET_OID_ATTR_CONTENT_TYPE || type == CACHET_OID_ATTR_MESSAGE_DIGEST) {
            FAIL(CACHET_ERR_ATTRIBUTES, "%s as an unsigned attribute (RFC 5652 §11)",
                 cachet_oid_name(type));
        }
        /* X.501 attrValues SET SIZE (1..MAX); RFC 5652 §11.4 says it again for
         * countersignature: "one or more instances of AttributeValue". */
        if (nvals == 0) {
            FAIL(CACHET_ERR_ATTRIBUTES, "unsigned attribute %zu (%s) has no value", w.count,
                 type != CACHET_OID_UNKNOWN ? cachet_oid_name(type) : "unknown type");
        }
    }
}

/* draft-ietf-lamps-cms-euf-cma-signeddata §5.1: content that is a DER
 * SignedAttributes with contentType and messageDigest is refused when the
 * signature has no signed attributes. */
bool cachet_cms_is_forged_attrs(const uint8_t *data, size_t len) {
    cachet_cbs in, set;
    bool ct = false, md = false;
    cachet_cbs_init(&in, data, len);
    if (!cachet_cbs_get_asn1(&in, &set, CACHET_ASN1_SET) || in.len != 0) {
        return false;
    }
    attr_walk w = {.rest = set};
    for (;;) {
        cachet_oid type;
        cachet_cbs raw, values;
        size_t nvals = 0;
        int r = next_attr(&w, &type, &raw, &values, &nvals);
        if (r == 0) {
            break;
        }
        if (r < 0) {
            return false;
        }
        ct = ct || type == CACHET_OID_ATTR_CONTENT_TYPE;
        md = md || type == CACHET_OID_ATTR_MESSAGE_DIGEST;
    }
    return ct && md;
}
