/* cms/attributes_sigtype.c: the RFC 3183 §3.1.2 SignatureType signed attribute,
 * SignatureType ::= SEQUENCE OF OBJECT IDENTIFIER, values under id-sti. */
#include <stdio.h>

#include "cms/attributes.h"

/* Bit i of cachet_sig_type is id-sti .(i + 1). */
static const cachet_oid sti_oids[] = {CACHET_OID_STI_ORIGINATOR_SIG, CACHET_OID_STI_DOMAIN_SIG,
                                      CACHET_OID_STI_ADD_ATTRIB_SIG, CACHET_OID_STI_REVIEW_SIG};
#define NUM_STI (sizeof(sti_oids) / sizeof(sti_oids[0]))
#define KNOWN_BITS                                                                                 \
    (CACHET_SIGTYPE_ORIGINATOR | CACHET_SIGTYPE_DOMAIN | CACHET_SIGTYPE_ADD_ATTRIB |               \
     CACHET_SIGTYPE_REVIEW)

bool cachet_cms_sigtype_check(unsigned types, char *detail, size_t detail_len) {
    if (types == 0) {
        snprintf(detail, detail_len, "SignatureType needs at least one signature type");
        return false;
    }
    if ((types & ~(unsigned)KNOWN_BITS) != 0) {
        snprintf(detail, detail_len,
                 "SignatureType: unknown signature type bits 0x%x (only originator, domain, "
                 "addAttrib and review can be written)",
                 types & ~(unsigned)KNOWN_BITS);
        return false;
    }
    if ((types & CACHET_SIGTYPE_ADD_ATTRIB) != 0 && types != CACHET_SIGTYPE_ADD_ATTRIB) {
        snprintf(
            detail, detail_len,
            "SignatureType: an additional attributes signature (addAttribSig) cannot carry "
            "another signature type (RFC 3183 section 3.1.2: other OIDs MUST NOT be included)");
        return false;
    }
    return true;
}

bool cachet_cms_add_sigtype_attr(cachet_cbb *set, unsigned types) {
    cachet_cbb attr, values, seq;
    if (!cachet_cbb_add_asn1(set, &attr, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_SIGNATURE_TYPE) ||
        !cachet_cbb_add_asn1(&attr, &values, CACHET_ASN1_SET) ||
        !cachet_cbb_add_asn1(&values, &seq, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    for (size_t i = 0; i < NUM_STI; i++) {
        if ((types & (1u << i)) != 0 && !cachet_cbb_add_oid(&seq, sti_oids[i])) {
            return false;
        }
    }
    return cachet_cbb_flush(set);
}

bool cachet_cms_parse_sigtype_values(const cachet_cbs *values, unsigned *types, char *detail,
                                     size_t detail_len) {
    cachet_cbs rest = *values;
    unsigned acc = 0;
    size_t num_values = 0;
    while (rest.len > 0) {
        cachet_cbs seq;
        size_t n = 0;
        if (!cachet_cbs_get_asn1(&rest, &seq, CACHET_ASN1_SEQUENCE)) {
            snprintf(detail, detail_len,
                     "SignatureType value %zu is not a SEQUENCE OF OBJECT IDENTIFIER", num_values);
            return false;
        }
        while (seq.len > 0) {
            cachet_oid oid;
            cachet_cbs raw;
            if (!cachet_cbs_get_oid(&seq, &oid, &raw)) {
                snprintf(detail, detail_len,
                         "SignatureType value %zu holds something other than an OBJECT "
                         "IDENTIFIER",
                         num_values);
                return false;
            }
            if (++n > CACHET_CMS_SIGTYPE_MAX_OIDS) {
                snprintf(detail, detail_len, "SignatureType value %zu has more than %d OIDs",
                         num_values, CACHET_CMS_SIGTYPE_MAX_OIDS);
                return false;
            }
            unsigned bit = CACHET_SIGTYPE_UNKNOWN;
            for (size_t i = 0; i < NUM_STI; i++) {
                if (oid == sti_oids[i]) {
                    bit = 1u << i;
                }
            }
            acc |= bit;
        }
        if (n == 0) {
            snprintf(detail, detail_len, "SignatureType value %zu is an empty SEQUENCE",
                     num_values);
            return false;
        }
        num_values++;
    }
    if (num_values == 0) {
        snprintf(detail, detail_len, "SignatureType has no value");
        return false;
    }
    /* §3.1.2: with addAttribSig, "Other Object Identifiers MUST NOT be included". */
    if ((acc & CACHET_SIGTYPE_ADD_ATTRIB) != 0 && acc != CACHET_SIGTYPE_ADD_ATTRIB) {
        snprintf(detail, detail_len,
                 "SignatureType: addAttribSig together with another signature type "
                 "(RFC 3183 section 3.1.2)");
        return false;
    }
    *types = acc;
    return true;
}
