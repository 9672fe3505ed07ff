/* cms/ess_label.c: ESSSecurityLabel (RFC 2634 §3.2) read and written in DER:
 *   ESSSecurityLabel ::= SET { security-policy-identifier OBJECT IDENTIFIER,
 *     security-classification INTEGER (0..256) OPTIONAL,
 *     privacy-mark CHOICE { PrintableString (1..128), UTF8String } OPTIONAL,
 *     security-categories SET SIZE (1..64) OF SecurityCategory OPTIONAL }
 *   SecurityCategory ::= SEQUENCE { type [0] IMPLICIT OID, value [1] EXPLICIT ANY }
 * A DER SET puts its components in tag order (X.690 §10.3): INTEGER, OID, the
 * mark, the categories; a SET OF sorts its elements (§11.6). */
#include <stdio.h>
#include <string.h>

#include "cms/ess.h"

#define FAILF(...)                                                                                 \
    do {                                                                                           \
        snprintf(detail, detail_len, __VA_ARGS__);                                                 \
        goto err;                                                                                  \
    } while (0)

char *cachet_ess_hex(const uint8_t *data, size_t len) {
    static const char digits[] = "0123456789abcdef";
    char *s = cachet_malloc(len * 2 + 1);
    if (s == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = digits[data[i] >> 4];
        s[2 * i + 1] = digits[data[i] & 15];
    }
    s[len * 2] = '\0';
    return s;
}

static bool is_printable_char(uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr(" '()+,-./:=?", c) != NULL); /* strchr finds the NUL too */
}

bool cachet_ess_oid_text(const cachet_cbs *oid, char *out, size_t out_len) {
    char tmp[256];
    if (out_len == 0) {
        return false;
    }
    out[0] = '\0';
    if (out_len > sizeof(tmp) - 1 || !cachet_cbs_is_valid_oid(oid) ||
        !cachet_cbs_oid_to_text(oid, tmp, out_len + 1) || strlen(tmp) >= out_len) {
        return false;
    }
    /* only what cachet_ess_oid_from_text writes back the same (arcs of 64 bits) */
    uint8_t der[128];
    size_t der_len = 0;
    if (!cachet_ess_oid_from_text(tmp, der, sizeof(der), &der_len) ||
        !cachet_cbs_mem_equal(oid, der, der_len)) {
        return false;
    }
    memcpy(out, tmp, strlen(tmp) + 1);
    return true;
}

void cachet_ess_label_clear(cachet_security_label *l) {
    for (size_t i = 0; i < l->num_categories; i++) {
        cachet_free(l->categories[i].value_hex);
    }
    cachet_free(l->categories);
    memset(l, 0, sizeof(*l));
    l->classification = -1;
}

/* der_less_or_equal: |a| sorts no later than |b| in a DER SET OF (X.690 §11.6:
 * as octet strings, the shorter padded with zeros at its end). */
static bool der_less_or_equal(const cachet_cbs *a, const cachet_cbs *b) {
    size_t n = a->len > b->len ? a->len : b->len;
    for (size_t i = 0; i < n; i++) {
        uint8_t x = i < a->len ? a->data[i] : 0, y = i < b->len ? b->data[i] : 0;
        if (x != y) {
            return x < y;
        }
    }
    return true;
}

static bool parse_categories(cachet_cbs *set, cachet_security_label *out, char *detail,
                             size_t detail_len) {
    cachet_cbs copy = *set, prev = {NULL, 0};
    size_t n = 0;
    while (copy.len > 0) {
        cachet_cbs el;
        if (!cachet_cbs_get_asn1_element(&copy, &el, CACHET_ASN1_SEQUENCE)) {
            FAILF("security-categories[%zu] is not a SecurityCategory SEQUENCE", n);
        }
        if (prev.data != NULL && !der_less_or_equal(&prev, &el)) {
            FAILF("security-categories are not in DER SET OF order (X.690 11.6)");
        }
        prev = el;
        if (++n > CACHET_ESS_MAX_CATEGORIES) {
            FAILF("more than %d security-categories (ub-security-categories)",
                  CACHET_ESS_MAX_CATEGORIES);
        }
    }
    if (n == 0) {
        FAILF("security-categories is empty (SIZE 1..%d)", CACHET_ESS_MAX_CATEGORIES);
    }
    out->categories = cachet_calloc(n, sizeof(*out->categories));
    if (out->categories == NULL) {
        FAILF("out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        cachet_cbs cat, type, value, inner;
        cachet_security_category *c = &out->categories[i];
        cachet_cbs_get_asn1(set, &cat, CACHET_ASN1_SEQUENCE);
        if (!cachet_cbs_get_asn1(&cat, &type, CACHET_ASN1_CONTEXT(0)) ||
            !cachet_ess_oid_text(&type, c->type, sizeof(c->type))) {
            FAILF("security-categories[%zu].type is not an [0] IMPLICIT OBJECT IDENTIFIER (of "
                  "at most %zu characters)",
                  i, sizeof(c->type) - 1);
        }
        if (!cachet_cbs_get_asn1(&cat, &value, CACHET_ASN1_CONTEXT_CONS(1)) || cat.len != 0) {
            FAILF("security-categories[%zu].value is not one [1] EXPLICIT element", i);
        }
        inner = value;
        if (value.len > CACHET_ESS_MAX_CATEGORY_VALUE) {
            FAILF("security-categories[%zu].value is over %d bytes", i,
                  CACHET_ESS_MAX_CATEGORY_VALUE);
        }
        if (!cachet_der_validate(inner.data, inner.len, CACHET_ESS_MAX_DEPTH)) {
            FAILF("security-categories[%zu].value is not one DER element", i);
        }
        c->value_hex = cachet_ess_hex(value.data, value.len);
        out->num_categories = i + 1;
        if (c->value_hex == NULL) {
            FAILF("out of memory");
        }
    }
    return true;
err:
    return false;
}

/* utf8_text: well-formed UTF-8 without NUL (a privacy mark is text). */
static bool utf8_text(const uint8_t *p, size_t n) {
    return cachet_utf8_valid(p, n) && memchr(p, 0, n) == NULL;
}

bool cachet_ess_parse_label(cachet_cbs *in, cachet_security_label *out, char *detail,
                            size_t detail_len) {
    cachet_cbs set, el;
    cachet_asn1_tag tag;
    size_t hl;
    memset(out, 0, sizeof(*out));
    out->classification = -1;
    if (!cachet_cbs_get_asn1(in, &set, CACHET_ASN1_SET)) {
        FAILF("ESSSecurityLabel is not a DER SET");
    }
    bool have_policy = false, have_class = false, have_mark = false, have_cats = false;
    int last = -1;
    while (set.len > 0) {
        if (!cachet_cbs_get_any_asn1_element(&set, &el, &tag, &hl)) {
            FAILF("ESSSecurityLabel holds a malformed element");
        }
        cachet_cbs body = {el.data + hl, el.len - hl};
        int order;
        if (tag == CACHET_ASN1_INTEGER && !have_class) {
            uint64_t v = 0;
            cachet_cbs c = el;
            if (!cachet_cbs_get_asn1_uint64(&c, &v) || v > CACHET_ESS_MAX_CLASSIFICATION) {
                FAILF("security-classification is not an INTEGER in 0..%d",
                      CACHET_ESS_MAX_CLASSIFICATION);
            }
            out->classification = (int)v;
            have_class = true;
            order = 0;
        } else if (tag == CACHET_ASN1_OBJECT && !have_policy) {
            if (!cachet_ess_oid_text(&body, out->policy, sizeof(out->policy))) {
                FAILF("security-policy-identifier is not a valid OBJECT IDENTIFIER (of at most "
                      "%zu characters)",
                      sizeof(out->policy) - 1);
            }
            have_policy = true;
            order = 1;
        } else if ((tag == CACHET_ASN1_PRINTABLESTRING || tag == CACHET_ASN1_UTF8STRING) &&
                   !have_mark) {
            bool printable = tag == CACHET_ASN1_PRINTABLESTRING;
            if (body.len == 0 || (printable && body.len > CACHET_ESS_MAX_PSTRING_MARK)) {
                FAILF("privacy-mark %s has %zu characters (SIZE 1..%s)",
                      printable ? "pString" : "utf8String", body.len, printable ? "128" : "MAX");
            }
            if (body.len >= sizeof(out->privacy_mark)) {
                FAILF("privacy-mark is over %zu bytes (cachet's bound)",
                      sizeof(out->privacy_mark) - 1);
            }
            for (size_t i = 0; printable && i < body.len; i++) {
                if (!is_printable_char(body.data[i])) {
                    FAILF("privacy-mark pString holds a character outside PrintableString");
                }
            }
            if (!printable && !utf8_text(body.data, body.len)) {
                FAILF("privacy-mark utf8String is not valid UTF-8");
            }
            memcpy(out->privacy_mark, body.data, body.len);
            out->privacy_mark[body.len] = '\0';
            have_mark = true;
            order = tag == CACHET_ASN1_UTF8STRING ? 2 : 3;
        } else if (tag == CACHET_ASN1_SET && !have_cats) {
            if (!parse_categories(&body, out, detail, detail_len)) {
                goto err;
            }
            have_cats = true;
            order = 4;
        } else {
            FAILF("ESSSecurityLabel holds an unexpected or repeated component (tag 0x%02x)",
                  (unsigned)(el.data[0]));
        }
        /* cppcheck-suppress legacyUninitvar ; FAILF jumps to err, every other branch sets it */
        if (order <= last) {
            FAILF("ESSSecurityLabel components are not in DER tag order (X.690 10.3)");
        }
        last = order;
    }
    if (!have_policy) {
        FAILF("ESSSecurityLabel has no security-policy-identifier");
    }
    return true;
err:
    cachet_ess_label_clear(out);
    return false;
}

bool cachet_ess_oid_from_text(const char *text, uint8_t *out, size_t out_cap, size_t *out_len) {
    uint64_t arcs[64];
    size_t n = 0;
    const char *p = text;
    if (text == NULL) {
        return false;
    }
    while (n < 64) {
        if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9')) {
            return false;
        }
        uint64_t v = 0;
        while (*p >= '0' && *p <= '9') {
            uint64_t d = (uint64_t)(*p++ - '0');
            if (v > (UINT64_MAX - d) / 10) {
                return false;
            }
            v = v * 10 + d;
        }
        arcs[n++] = v;
        if (*p == '\0') {
            break;
        }
        if (*p++ != '.') {
            return false;
        }
    }
    if (n < 2 || *p != '\0' || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39) ||
        arcs[1] > UINT64_MAX - 80) {
        return false;
    }
    size_t len = 0;
    for (size_t i = 1; i < n; i++) {
        uint64_t v = i == 1 ? arcs[0] * 40 + arcs[1] : arcs[i];
        uint8_t tmp[10];
        size_t k = 0;
        do {
            tmp[k++] = (uint8_t)(v & 0x7f);
            v >>= 7;
        } while (v != 0);
        if (len + k > out_cap) {
            return false;
        }
        while (k > 0) {
            k--;
            out[len++] = (uint8_t)(tmp[k] | (k > 0 ? 0x80 : 0));
        }
    }
    *out_len = len;
    return true;
}

static int hexval(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static bool add_category(cachet_cbb *cats, const cachet_security_category *c, size_t i,
                         char *detail, size_t detail_len) {
    uint8_t oid[64];
    size_t oid_len = 0, hex_len = c->value_hex != NULL ? strlen(c->value_hex) : 0;
    uint8_t *value = NULL;
    cachet_cbb cat, v;
    if (!cachet_ess_oid_from_text(c->type, oid, sizeof(oid), &oid_len)) {
        FAILF("security-categories[%zu].type \"%s\" is not a dotted OID", i, c->type);
    }
    if (hex_len == 0 || hex_len % 2 != 0 || hex_len / 2 > CACHET_ESS_MAX_CATEGORY_VALUE) {
        FAILF("security-categories[%zu].value must be 1..%d bytes of hex DER", i,
              CACHET_ESS_MAX_CATEGORY_VALUE);
    }
    value = cachet_malloc(hex_len / 2);
    if (value == NULL) {
        FAILF("out of memory");
    }
    for (size_t k = 0; k < hex_len / 2; k++) {
        int hi = hexval(c->value_hex[2 * k]), lo = hexval(c->value_hex[2 * k + 1]);
        if (hi < 0 || lo < 0) {
            FAILF("security-categories[%zu].value is not hex", i);
        }
        value[k] = (uint8_t)(hi << 4 | lo);
    }
    if (!cachet_der_validate(value, hex_len / 2, CACHET_ESS_MAX_DEPTH)) {
        FAILF("security-categories[%zu].value is not one DER element", i);
    }
    if (!cachet_cbb_add_asn1(cats, &cat, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_asn1_element(&cat, CACHET_ASN1_CONTEXT(0), oid, oid_len) ||
        !cachet_cbb_add_asn1(&cat, &v, CACHET_ASN1_CONTEXT_CONS(1)) ||
        !cachet_cbb_add_bytes(&v, value, hex_len / 2) || !cachet_cbb_flush(cats)) {
        FAILF("out of memory");
    }
    cachet_free(value);
    return true;
err:
    cachet_free(value);
    return false;
}

bool cachet_ess_add_label(cachet_cbb *cbb, const cachet_security_label *l, char *detail,
                          size_t detail_len) {
    uint8_t oid[64];
    size_t oid_len = 0, mark_len = strnlen(l->privacy_mark, sizeof(l->privacy_mark));
    cachet_cbb set, cats;
    bool printable = mark_len <= CACHET_ESS_MAX_PSTRING_MARK;
    if (!cachet_ess_oid_from_text(l->policy, oid, sizeof(oid), &oid_len)) {
        FAILF("security-policy-identifier \"%s\" is not a dotted OID", l->policy);
    }
    if (l->classification < -1 || l->classification > CACHET_ESS_MAX_CLASSIFICATION) {
        FAILF("security-classification %d is not in 0..%d", l->classification,
              CACHET_ESS_MAX_CLASSIFICATION);
    }
    if (mark_len == sizeof(l->privacy_mark) ||
        !utf8_text((const uint8_t *)l->privacy_mark, mark_len)) {
        FAILF("privacy-mark is not a NUL-terminated UTF-8 string");
    }
    if (l->num_categories > CACHET_ESS_MAX_CATEGORIES ||
        (l->num_categories > 0 && l->categories == NULL)) {
        FAILF("at most %d security-categories", CACHET_ESS_MAX_CATEGORIES);
    }
    for (size_t i = 0; i < mark_len && printable; i++) {
        printable = is_printable_char((uint8_t)l->privacy_mark[i]);
    }
    if (!cachet_cbb_add_asn1(cbb, &set, CACHET_ASN1_SET)) {
        FAILF("out of memory");
    }
    if (l->classification >= 0 && !cachet_cbb_add_asn1_uint64(&set, (uint64_t)l->classification)) {
        FAILF("out of memory");
    }
    if (!cachet_cbb_add_asn1_oid(&set, oid, oid_len)) {
        FAILF("out of memory");
    }
    /* UTF8String (0x0c) sorts before PrintableString (0x13) but either comes
     * after the OID and before the categories' SET. */
    if (mark_len > 0 && !cachet_cbb_add_asn1_element(
                            &set, printable ? CACHET_ASN1_PRINTABLESTRING : CACHET_ASN1_UTF8STRING,
                            (const uint8_t *)l->privacy_mark, mark_len)) {
        FAILF("out of memory");
    }
    if (l->num_categories > 0) {
        if (!cachet_cbb_add_asn1(&set, &cats, CACHET_ASN1_SET)) {
            FAILF("out of memory");
        }
        for (size_t i = 0; i < l->num_categories; i++) {
            if (!add_category(&cats, &l->categories[i], i, detail, detail_len)) {
                goto err;
            }
        }
        if (!cachet_cbb_flush_asn1_set_of(&cats)) {
            FAILF("out of memory");
        }
    }
    if (!cachet_cbb_flush(cbb)) {
        FAILF("out of memory");
    }
    return true;
err:
    return false;
}
