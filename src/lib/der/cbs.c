/* cachet_cbs: getters over a read-only view, strict DER. */
#include <stdio.h>
#include <string.h>

#include "der/internal.h"

void cachet_cbs_init(cachet_cbs *cbs, const uint8_t *data, size_t len) {
    cbs->data = data;
    cbs->len = len;
}

bool cachet_cbs_skip(cachet_cbs *cbs, size_t len) {
    if (len > cbs->len) {
        return false;
    }
    cbs->data += len;
    cbs->len -= len;
    return true;
}

bool cachet_cbs_get_u8(cachet_cbs *cbs, uint8_t *out) {
    if (cbs->len < 1) {
        return false;
    }
    *out = cbs->data[0];
    return cachet_cbs_skip(cbs, 1);
}

bool cachet_cbs_get_bytes(cachet_cbs *cbs, cachet_cbs *out, size_t len) {
    if (len > cbs->len) {
        return false;
    }
    cachet_cbs_init(out, cbs->data, len);
    return cachet_cbs_skip(cbs, len);
}

bool cachet_cbs_mem_equal(const cachet_cbs *cbs, const uint8_t *data, size_t len) {
    return cbs->len == len && (len == 0 || memcmp(cbs->data, data, len) == 0);
}

bool cachet_cbs_get_any_asn1_element(cachet_cbs *cbs, cachet_cbs *out, cachet_asn1_tag *out_tag,
                                     size_t *out_header_len) {
    cachet_asn1_header h;
    if (cachet_asn1_parse_header(cbs->data, cbs->len, true, &h) != CACHET_HDR_OK) {
        return false;
    }
    /* End-of-contents (universal 0) never appears in DER. */
    if ((h.tag & ~CACHET_ASN1_CONSTRUCTED) == 0) {
        return false;
    }
    if (h.len > cbs->len - h.header_len) {
        return false;
    }
    cachet_cbs elem;
    if (!cachet_cbs_get_bytes(cbs, &elem, h.header_len + (size_t)h.len)) {
        return false;
    }
    if (out != NULL) {
        *out = elem;
    }
    if (out_tag != NULL) {
        *out_tag = h.tag;
    }
    if (out_header_len != NULL) {
        *out_header_len = h.header_len;
    }
    return true;
}

bool cachet_cbs_get_any_asn1(cachet_cbs *cbs, cachet_cbs *out, cachet_asn1_tag *out_tag) {
    cachet_cbs copy = *cbs, elem;
    size_t hlen;
    if (!cachet_cbs_get_any_asn1_element(&copy, &elem, out_tag, &hlen)) {
        return false;
    }
    *cbs = copy;
    if (out != NULL) {
        cachet_cbs_init(out, elem.data + hlen, elem.len - hlen);
    }
    return true;
}

bool cachet_cbs_get_asn1_element(cachet_cbs *cbs, cachet_cbs *out, cachet_asn1_tag tag) {
    cachet_cbs copy = *cbs, elem;
    cachet_asn1_tag got;
    if (!cachet_cbs_get_any_asn1_element(&copy, &elem, &got, NULL) || got != tag) {
        return false;
    }
    *cbs = copy;
    if (out != NULL) {
        *out = elem;
    }
    return true;
}

bool cachet_cbs_get_asn1(cachet_cbs *cbs, cachet_cbs *out, cachet_asn1_tag tag) {
    cachet_cbs copy = *cbs, contents;
    cachet_asn1_tag got;
    if (!cachet_cbs_get_any_asn1(&copy, &contents, &got) || got != tag) {
        return false;
    }
    *cbs = copy;
    if (out != NULL) {
        *out = contents;
    }
    return true;
}

bool cachet_cbs_peek_asn1_tag(const cachet_cbs *cbs, cachet_asn1_tag tag) {
    cachet_asn1_header h;
    cachet_hdr_result r = cachet_asn1_parse_header(cbs->data, cbs->len, true, &h);
    return r == CACHET_HDR_OK && h.tag == tag;
}

bool cachet_cbs_get_optional_asn1(cachet_cbs *cbs, cachet_cbs *out, bool *out_present,
                                  cachet_asn1_tag tag) {
    if (cbs->len > 0 && cachet_cbs_peek_asn1_tag(cbs, tag)) {
        if (!cachet_cbs_get_asn1(cbs, out, tag)) {
            return false;
        }
        *out_present = true;
        return true;
    }
    *out_present = false;
    return true;
}

bool cachet_cbs_is_valid_asn1_integer(const cachet_cbs *cbs, bool *out_is_negative) {
    if (cbs->len == 0) {
        return false;
    }
    const uint8_t *p = cbs->data;
    if (cbs->len > 1 &&
        ((p[0] == 0x00 && (p[1] & 0x80) == 0) || (p[0] == 0xff && (p[1] & 0x80) != 0))) {
        return false; /* X.690 8.3.2: the first nine bits must not be all equal */
    }
    if (out_is_negative != NULL) {
        *out_is_negative = (p[0] & 0x80) != 0;
    }
    return true;
}

bool cachet_cbs_get_asn1_uint64(cachet_cbs *cbs, uint64_t *out) {
    cachet_cbs copy = *cbs, v;
    bool negative;
    if (!cachet_cbs_get_asn1(&copy, &v, CACHET_ASN1_INTEGER) ||
        !cachet_cbs_is_valid_asn1_integer(&v, &negative) || negative) {
        return false;
    }
    size_t start = v.data[0] == 0 ? 1 : 0;
    if (v.len - start > 8) {
        return false;
    }
    uint64_t r = 0;
    for (size_t i = start; i < v.len; i++) {
        r = (r << 8) | v.data[i];
    }
    *out = r;
    *cbs = copy;
    return true;
}

bool cachet_cbs_get_asn1_bool(cachet_cbs *cbs, bool *out) {
    cachet_cbs copy = *cbs, v;
    if (!cachet_cbs_get_asn1(&copy, &v, CACHET_ASN1_BOOLEAN) || v.len != 1 ||
        (v.data[0] != 0x00 && v.data[0] != 0xff)) {
        return false;
    }
    *out = v.data[0] != 0;
    *cbs = copy;
    return true;
}

bool cachet_cbs_is_valid_oid(const cachet_cbs *cbs) {
    if (cbs->len == 0 || (cbs->data[cbs->len - 1] & 0x80) != 0) {
        return false;
    }
    bool arc_start = true;
    for (size_t i = 0; i < cbs->len; i++) {
        if (arc_start && cbs->data[i] == 0x80) {
            return false; /* X.690 8.19.2: subidentifiers are minimal */
        }
        arc_start = (cbs->data[i] & 0x80) == 0;
    }
    return true;
}

/* get_arc reads one base-128 subidentifier; false if it does not fit 64 bits. */
static bool get_arc(cachet_cbs *cbs, uint64_t *out) {
    uint64_t v = 0;
    uint8_t b;
    do {
        if (!cachet_cbs_get_u8(cbs, &b) || v > (UINT64_MAX >> 7)) {
            return false;
        }
        v = (v << 7) | (b & 0x7f);
    } while (b & 0x80);
    *out = v;
    return true;
}

bool cachet_cbs_oid_to_text(const cachet_cbs *cbs, char *out, size_t out_len) {
    if (out_len == 0 || !cachet_cbs_is_valid_oid(cbs)) {
        return false;
    }
    cachet_cbs in = *cbs;
    uint64_t v;
    char tmp[48];
    size_t used = 0;
    out[0] = '\0';
    bool first = true;
    while (in.len > 0) {
        if (!get_arc(&in, &v)) {
            return false;
        }
        if (first) {
            unsigned top = v < 40 ? 0 : v < 80 ? 1 : 2;
            snprintf(tmp, sizeof(tmp), "%u.%llu", top, (unsigned long long)(v - 40u * top));
            first = false;
        } else {
            snprintf(tmp, sizeof(tmp), ".%llu", (unsigned long long)v);
        }
        size_t n = strlen(tmp);
        if (used + n >= out_len) {
            n = out_len - 1 - used;
        }
        memcpy(out + used, tmp, n);
        used += n;
        out[used] = '\0';
    }
    return true;
}

/* get_digits parses |n| ASCII digits. */
static bool get_digits(cachet_cbs *cbs, size_t n, unsigned *out) {
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c;
        if (!cachet_cbs_get_u8(cbs, &c) || c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (unsigned)(c - '0');
    }
    *out = v;
    return true;
}

static bool is_leap(unsigned y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool cachet_cbs_get_asn1_time(cachet_cbs *cbs, int64_t *out_time) {
    cachet_cbs copy = *cbs, v;
    unsigned year, mon, day, hour, min, sec;
    if (cachet_cbs_get_asn1(&copy, &v, CACHET_ASN1_UTCTIME)) {
        /* RFC 5280 4.1.2.5.1: YYMMDDHHMMSSZ, YY >= 50 is 19YY. */
        if (v.len != 13 || !get_digits(&v, 2, &year)) {
            return false;
        }
        year += year >= 50 ? 1900 : 2000;
    } else if (cachet_cbs_get_asn1(&copy, &v, CACHET_ASN1_GENERALIZEDTIME)) {
        /* X.690 11.7: YYYYMMDDHHMMSSZ; we take no fraction (RFC 5280 4.1.2.5.2). */
        if (v.len != 15 || !get_digits(&v, 4, &year)) {
            return false;
        }
    } else {
        return false;
    }
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!get_digits(&v, 2, &mon) || !get_digits(&v, 2, &day) || !get_digits(&v, 2, &hour) ||
        !get_digits(&v, 2, &min) || !get_digits(&v, 2, &sec) ||
        !cachet_cbs_mem_equal(&v, (const uint8_t *)"Z", 1)) {
        return false;
    }
    if (mon < 1 || mon > 12 || day < 1 ||
        day > mdays[mon - 1] + (mon == 2 && is_leap(year) ? 1u : 0u) || hour > 23 || min > 59 ||
        sec > 59) {
        return false;
    }
    int64_t days = cachet_days_from_civil(year, mon, day);
    *out_time = days * 86400 + (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
    *cbs = copy;
    return true;
}

/* NOLINTNEXTLINE(misc-no-recursion): depth_left bounds it */
static bool validate_contents(cachet_cbs contents, unsigned depth_left) {
    while (contents.len > 0) {
        cachet_cbs elem;
        cachet_asn1_tag tag;
        size_t hlen;
        if (depth_left == 0 || !cachet_cbs_get_any_asn1_element(&contents, &elem, &tag, &hlen) ||
            !cachet_asn1_form_is_valid(tag)) {
            return false;
        }
        if ((tag & CACHET_ASN1_CONSTRUCTED) != 0) {
            cachet_cbs inner;
            cachet_cbs_init(&inner, elem.data + hlen, elem.len - hlen);
            if (!validate_contents(inner, depth_left - 1)) {
                return false;
            }
        }
    }
    return true;
}

bool cachet_der_validate(const uint8_t *data, size_t len, unsigned max_depth) {
    cachet_cbs in, elem;
    cachet_cbs_init(&in, data, len);
    /* Exactly one element: read it, then insist nothing follows. */
    if (!cachet_cbs_get_any_asn1_element(&in, &elem, NULL, NULL) || in.len != 0) {
        return false;
    }
    cachet_cbs_init(&in, data, len);
    return validate_contents(in, max_depth);
}
