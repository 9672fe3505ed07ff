/* Identifier/length decoding and calendar arithmetic shared by the readers and
 * the builder. */
#include <stdio.h>

#include "der/internal.h"

static cachet_hdr_result parse_tag(const uint8_t *p, size_t n, cachet_asn1_tag *out_tag,
                                   size_t *used) {
    if (n < 1) {
        return CACHET_HDR_SHORT;
    }
    uint8_t b = p[0];
    cachet_asn1_tag tag = (cachet_asn1_tag)(b & 0xe0) << 24;
    uint32_t number = b & 0x1f;
    size_t i = 1;
    if (number == 0x1f) {
        number = 0;
        for (;;) {
            if (i >= n) {
                return CACHET_HDR_SHORT;
            }
            uint8_t c = p[i++];
            /* X.690 8.1.2.4.2: no leading 0x80 (non-minimal); numbers < 31 use the low form. */
            if (i == 2 && c == 0x80) {
                return CACHET_HDR_BAD;
            }
            if (number > (CACHET_ASN1_TAG_NUMBER_MASK >> 7)) {
                return CACHET_HDR_BAD;
            }
            number = (number << 7) | (c & 0x7f);
            if ((c & 0x80) == 0) {
                break;
            }
        }
        if (number < 0x1f) {
            return CACHET_HDR_BAD;
        }
    }
    *out_tag = tag | number;
    *used = i;
    return CACHET_HDR_OK;
}

cachet_hdr_result cachet_asn1_parse_header(const uint8_t *p, size_t n, bool der,
                                           cachet_asn1_header *out) {
    cachet_asn1_tag tag;
    size_t i;
    cachet_hdr_result r = parse_tag(p, n, &tag, &i);
    if (r != CACHET_HDR_OK) {
        return r;
    }
    if (i >= n) {
        return CACHET_HDR_SHORT;
    }
    uint8_t lb = p[i++];
    uint64_t len = 0;
    bool indefinite = false;
    if (lb < 0x80) {
        len = lb;
    } else if (lb == 0x80) {
        if (der || (tag & CACHET_ASN1_CONSTRUCTED) == 0) {
            return CACHET_HDR_BAD;
        }
        indefinite = true;
    } else {
        size_t nbytes = lb & 0x7f;
        /* 0xff is reserved (X.690 8.1.3.5 c); more than 8 bytes cannot be a real length. */
        if (nbytes > 8) {
            return CACHET_HDR_BAD;
        }
        if (n - i < nbytes) {
            return CACHET_HDR_SHORT;
        }
        for (size_t k = 0; k < nbytes; k++) {
            len = (len << 8) | p[i + k];
        }
        if (der && (p[i] == 0 || len < 0x80)) {
            return CACHET_HDR_BAD;
        }
        i += nbytes;
    }
    out->tag = tag;
    out->header_len = i;
    out->len = len;
    out->indefinite = indefinite;
    return CACHET_HDR_OK;
}

size_t cachet_asn1_tag_len(cachet_asn1_tag tag) {
    uint32_t number = tag & CACHET_ASN1_TAG_NUMBER_MASK;
    if (number < 0x1f) {
        return 1;
    }
    size_t n = 1;
    while (number > 0) {
        n++;
        number >>= 7;
    }
    return n;
}

static const char *const universal_names[] = {
    [0] = "EOC",
    [CACHET_ASN1_BOOLEAN] = "BOOLEAN",
    [CACHET_ASN1_INTEGER] = "INTEGER",
    [CACHET_ASN1_BITSTRING] = "BIT STRING",
    [CACHET_ASN1_OCTETSTRING] = "OCTET STRING",
    [CACHET_ASN1_NULL] = "NULL",
    [CACHET_ASN1_OBJECT] = "OBJECT",
    [CACHET_ASN1_ENUMERATED] = "ENUMERATED",
    [CACHET_ASN1_UTF8STRING] = "UTF8String",
    [0x10] = "SEQUENCE",
    [0x11] = "SET",
    [0x12] = "NumericString",
    [CACHET_ASN1_PRINTABLESTRING] = "PrintableString",
    [CACHET_ASN1_T61STRING] = "T61String",
    [CACHET_ASN1_IA5STRING] = "IA5String",
    [CACHET_ASN1_UTCTIME] = "UTCTime",
    [CACHET_ASN1_GENERALIZEDTIME] = "GeneralizedTime",
    [0x1a] = "VisibleString",
    [0x1c] = "UniversalString",
    [CACHET_ASN1_BMPSTRING] = "BMPString",
};

void cachet_asn1_tag_name(cachet_asn1_tag tag, char *out, size_t out_len) {
    uint32_t number = tag & CACHET_ASN1_TAG_NUMBER_MASK;
    switch (tag & CACHET_ASN1_CLASS_MASK) {
        case CACHET_ASN1_UNIVERSAL:
            if (number < sizeof(universal_names) / sizeof(universal_names[0]) &&
                universal_names[number] != NULL) {
                snprintf(out, out_len, "%s", universal_names[number]);
            } else {
                snprintf(out, out_len, "UNIVERSAL %u", (unsigned)number);
            }
            break;
        case CACHET_ASN1_CONTEXT_SPECIFIC:
            snprintf(out, out_len, "[%u]", (unsigned)number);
            break;
        case CACHET_ASN1_APPLICATION:
            snprintf(out, out_len, "[APPLICATION %u]", (unsigned)number);
            break;
        default:
            snprintf(out, out_len, "[PRIVATE %u]", (unsigned)number);
            break;
    }
}

bool cachet_asn1_is_string_tag(uint32_t number) {
    switch (number) {
        case CACHET_ASN1_OCTETSTRING:
        case CACHET_ASN1_UTF8STRING:
        case 0x12: /* NumericString */
        case CACHET_ASN1_PRINTABLESTRING:
        case CACHET_ASN1_T61STRING:
        case 0x15: /* VideotexString */
        case CACHET_ASN1_IA5STRING:
        case CACHET_ASN1_UTCTIME:
        case CACHET_ASN1_GENERALIZEDTIME:
        case 0x19: /* GraphicString */
        case 0x1a: /* VisibleString */
        case 0x1b: /* GeneralString */
        case 0x1c: /* UniversalString */
        case CACHET_ASN1_BMPSTRING:
            return true;
        default:
            return false;
    }
}

bool cachet_asn1_form_is_valid(cachet_asn1_tag tag) {
    if ((tag & CACHET_ASN1_CLASS_MASK) != CACHET_ASN1_UNIVERSAL) {
        return true;
    }
    uint32_t number = tag & CACHET_ASN1_TAG_NUMBER_MASK;
    bool constructed = (tag & CACHET_ASN1_CONSTRUCTED) != 0;
    /* SEQUENCE, SET, EXTERNAL and EMBEDDED PDV are always constructed. */
    if (number == 0x10 || number == 0x11 || number == 8 || number == 11) {
        return constructed;
    }
    return !constructed;
}

/* Days/civil conversion by eras of 400 years (146097 days), which keeps the
 * arithmetic exact for negative years too. */
int64_t cachet_days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cachet_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d) {
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}
