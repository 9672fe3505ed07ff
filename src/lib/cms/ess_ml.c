/* cms/ess_ml.c: mlExpansionHistory (RFC 2634 §4.2):
 *   MLExpansionHistory ::= SEQUENCE SIZE (1..64) OF MLData
 *   MLData ::= SEQUENCE { mailListIdentifier EntityIdentifier,
 *     expansionTime GeneralizedTime, mlReceiptPolicy MLReceiptPolicy OPTIONAL }
 *   EntityIdentifier ::= CHOICE { issuerAndSerialNumber, subjectKeyIdentifier }
 *   MLReceiptPolicy ::= CHOICE { none [0] NULL, insteadOf [1] SEQUENCE OF
 *     GeneralNames, inAdditionTo [2] SEQUENCE OF GeneralNames }   (IMPLICIT)
 * and the RFC 2253 text of the Names it carries. */
#include <stdio.h>
#include <string.h>

#include "cms/ess.h"

#define FAILF(...)                                                                                 \
    do {                                                                                           \
        snprintf(detail, detail_len, __VA_ARGS__);                                                 \
        goto err;                                                                                  \
    } while (0)

/* ---- Names as RFC 2253 text ---- */

static const struct {
    const char *oid; /* dotted */
    const char *name;
} attr_names[] = {
    {"2.5.4.3", "CN"},
    {"2.5.4.7", "L"},
    {"2.5.4.8", "ST"},
    {"2.5.4.10", "O"},
    {"2.5.4.11", "OU"},
    {"2.5.4.6", "C"},
    {"2.5.4.9", "STREET"},
    {"0.9.2342.19200300.100.1.25", "DC"},
    {"0.9.2342.19200300.100.1.1", "UID"},
    {"1.2.840.113549.1.9.1", "emailAddress"},
    {"2.5.4.5", "serialNumber"},
};

typedef struct text_out {
    char *p;
    size_t len, used;
} text_out;

static void put(text_out *t, const char *s, size_t n) {
    for (size_t i = 0; i < n && t->used + 1 < t->len; i++) {
        t->p[t->used++] = s[i];
    }
    t->p[t->used] = '\0';
}

static void put_hex(text_out *t, const uint8_t *d, size_t n) {
    char h[3];
    for (size_t i = 0; i < n; i++) {
        snprintf(h, sizeof(h), "%02x", d[i]);
        put(t, h, 2);
    }
}

/* put_value writes an AttributeValue: a string type escaped as RFC 2253 §2.4
 * asks, anything else "#" and the hex of its DER. */
static void put_value(text_out *t, const cachet_cbs *el, cachet_asn1_tag tag, size_t hl) {
    bool is_string = tag == CACHET_ASN1_PRINTABLESTRING || tag == CACHET_ASN1_UTF8STRING ||
                     tag == CACHET_ASN1_IA5STRING || tag == CACHET_ASN1_T61STRING;
    if (!is_string) {
        put(t, "#", 1);
        put_hex(t, el->data, el->len);
        return;
    }
    const uint8_t *v = el->data + hl;
    size_t n = el->len - hl;
    for (size_t i = 0; i < n; i++) {
        char c = (char)v[i];
        bool edge_space = c == ' ' && (i == 0 || i + 1 == n);
        if (v[i] < 0x20 || v[i] == 0x7f) {
            char h[4];
            snprintf(h, sizeof(h), "\\%02x", v[i]);
            put(t, h, 3);
        } else if (strchr(",+\"\\<>;", c) != NULL || (i == 0 && c == '#') || edge_space) {
            put(t, "\\", 1);
            put(t, &c, 1);
        } else {
            put(t, &c, 1);
        }
    }
}

bool cachet_ess_name_text(const cachet_cbs *name, char *out, size_t out_len) {
    cachet_cbs in = *name, rdns, rdn;
    cachet_cbs list[64];
    size_t n = 0;
    text_out t = {out, out_len, 0};
    if (out_len == 0) {
        return false;
    }
    out[0] = '\0';
    if (!cachet_cbs_get_asn1(&in, &rdns, CACHET_ASN1_SEQUENCE) || in.len != 0) {
        return false;
    }
    while (rdns.len > 0) {
        if (n == 64 || !cachet_cbs_get_asn1(&rdns, &list[n], CACHET_ASN1_SET)) {
            out[0] = '\0';
            return false;
        }
        n++;
    }
    /* RFC 2253 §2.1: the last RDN of the sequence comes first. */
    for (size_t i = n; i-- > 0;) {
        rdn = list[i];
        bool first_ava = true;
        while (rdn.len > 0) {
            cachet_cbs ava, type, value;
            cachet_asn1_tag tag;
            size_t hl;
            char dotted[64];
            if (!cachet_cbs_get_asn1(&rdn, &ava, CACHET_ASN1_SEQUENCE) ||
                !cachet_cbs_get_asn1(&ava, &type, CACHET_ASN1_OBJECT) ||
                !cachet_ess_oid_text(&type, dotted, sizeof(dotted)) ||
                !cachet_cbs_get_any_asn1_element(&ava, &value, &tag, &hl) || ava.len != 0) {
                out[0] = '\0';
                return false;
            }
            const char *label = dotted;
            for (size_t k = 0; k < sizeof(attr_names) / sizeof(attr_names[0]); k++) {
                if (strcmp(attr_names[k].oid, dotted) == 0) {
                    label = attr_names[k].name;
                }
            }
            if (t.used > 0) {
                put(&t, first_ava ? "," : "+", 1);
            }
            put(&t, label, strlen(label));
            put(&t, "=", 1);
            put_value(&t, &value, tag, hl);
            first_ava = false;
        }
    }
    return true;
}

/* ---- The history ---- */

/* parse_receipt_policy checks an MLReceiptPolicy: [0] NULL, or [1]/[2] a
 * non-empty SEQUENCE OF GeneralNames (each a non-empty SEQUENCE OF GeneralName). */
static bool parse_receipt_policy(cachet_cbs *in, cachet_ml_data *d, size_t i, char *detail,
                                 size_t detail_len) {
    cachet_cbs body;
    if (cachet_cbs_peek_asn1_tag(in, CACHET_ASN1_CONTEXT(0))) {
        if (!cachet_cbs_get_asn1(in, &body, CACHET_ASN1_CONTEXT(0)) || body.len != 0) {
            FAILF("mlExpansionHistory[%zu].mlReceiptPolicy none is not an empty [0] NULL", i);
        }
        snprintf(d->receipt_policy, sizeof(d->receipt_policy), "none");
        return true;
    }
    unsigned which = cachet_cbs_peek_asn1_tag(in, CACHET_ASN1_CONTEXT_CONS(1))   ? 1
                     : cachet_cbs_peek_asn1_tag(in, CACHET_ASN1_CONTEXT_CONS(2)) ? 2
                                                                                 : 0;
    if (which == 0 || !cachet_cbs_get_asn1(in, &body, CACHET_ASN1_CONTEXT_CONS(which)) ||
        body.len == 0) {
        FAILF("mlExpansionHistory[%zu].mlReceiptPolicy is not none, insteadOf or inAdditionTo", i);
    }
    while (body.len > 0) {
        cachet_cbs names;
        if (!cachet_cbs_get_asn1(&body, &names, CACHET_ASN1_SEQUENCE) || names.len == 0) {
            FAILF("mlExpansionHistory[%zu].mlReceiptPolicy holds an empty or malformed "
                  "GeneralNames",
                  i);
        }
        while (names.len > 0) {
            cachet_cbs gn;
            cachet_asn1_tag tag;
            if (!cachet_cbs_get_any_asn1_element(&names, &gn, &tag, NULL) ||
                (tag & CACHET_ASN1_CLASS_MASK) != CACHET_ASN1_CONTEXT_SPECIFIC ||
                (tag & CACHET_ASN1_TAG_NUMBER_MASK) > 8) {
                FAILF("mlExpansionHistory[%zu].mlReceiptPolicy holds a malformed GeneralName", i);
            }
        }
    }
    snprintf(d->receipt_policy, sizeof(d->receipt_policy), "%s",
             which == 1 ? "insteadOf" : "inAdditionTo");
    return true;
err:
    return false;
}

/* parse_ml_data reads one MLData; |id| gets the EntityIdentifier element. */
static bool parse_ml_data(cachet_cbs *seq, cachet_ml_data *d, cachet_cbs *id, size_t i,
                          char *detail, size_t detail_len) {
    cachet_cbs md, body, issuer, serial;
    memset(d, 0, sizeof(*d));
    if (!cachet_cbs_get_asn1(seq, &md, CACHET_ASN1_SEQUENCE)) {
        FAILF("mlExpansionHistory[%zu] is not an MLData SEQUENCE", i);
    }
    if (cachet_cbs_peek_asn1_tag(&md, CACHET_ASN1_SEQUENCE)) {
        char name[256];
        bool neg = false;
        if (!cachet_cbs_get_asn1_element(&md, id, CACHET_ASN1_SEQUENCE)) {
            FAILF("mlExpansionHistory[%zu].mailListIdentifier is malformed", i);
        }
        cachet_cbs ias = *id;
        if (!cachet_cbs_get_asn1(&ias, &body, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_asn1_element(&body, &issuer, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_asn1(&body, &serial, CACHET_ASN1_INTEGER) || body.len != 0 ||
            !cachet_cbs_is_valid_asn1_integer(&serial, &neg) ||
            !cachet_ess_name_text(&issuer, name, sizeof(name))) {
            FAILF("mlExpansionHistory[%zu].mailListIdentifier is not an IssuerAndSerialNumber", i);
        }
        char *hex = cachet_ess_hex(serial.data, serial.len > 64 ? 64 : serial.len);
        if (hex == NULL) {
            FAILF("out of memory");
        }
        snprintf(d->identifier, sizeof(d->identifier), "issuer=%s, serial=%s", name, hex);
        cachet_free(hex);
    } else if (cachet_cbs_peek_asn1_tag(&md, CACHET_ASN1_OCTETSTRING)) {
        if (!cachet_cbs_get_asn1_element(&md, id, CACHET_ASN1_OCTETSTRING) || id->len <= 2 ||
            id->len > 2 + 64) {
            FAILF("mlExpansionHistory[%zu].mailListIdentifier subjectKeyIdentifier must be "
                  "1..64 bytes",
                  i);
        }
        char *hex = cachet_ess_hex(id->data + 2, id->len - 2);
        if (hex == NULL) {
            FAILF("out of memory");
        }
        snprintf(d->identifier, sizeof(d->identifier), "ski=%s", hex);
        cachet_free(hex);
    } else {
        FAILF("mlExpansionHistory[%zu].mailListIdentifier is not an EntityIdentifier", i);
    }
    if (!cachet_cbs_peek_asn1_tag(&md, CACHET_ASN1_GENERALIZEDTIME) ||
        !cachet_cbs_get_asn1_time(&md, &d->expansion_time)) {
        FAILF("mlExpansionHistory[%zu].expansionTime is not a DER GeneralizedTime", i);
    }
    if (md.len > 0 && !parse_receipt_policy(&md, d, i, detail, detail_len)) {
        goto err;
    }
    if (md.len != 0) {
        FAILF("mlExpansionHistory[%zu] has bytes after its fields", i);
    }
    return true;
err:
    return false;
}

bool cachet_ess_parse_ml_history(const cachet_cbs *value, cachet_ml_data **out, size_t *num,
                                 char *detail, size_t detail_len) {
    cachet_cbs in = *value, seq, copy, el;
    cachet_ml_data *list = NULL;
    size_t n = 0;
    *num = 0;
    if (out != NULL) {
        *out = NULL;
    }
    if (!cachet_cbs_get_asn1(&in, &seq, CACHET_ASN1_SEQUENCE) || in.len != 0) {
        FAILF("mlExpansionHistory is not one SEQUENCE OF MLData");
    }
    copy = seq;
    while (copy.len > 0) {
        if (!cachet_cbs_get_any_asn1_element(&copy, &el, NULL, NULL)) {
            FAILF("mlExpansionHistory[%zu] is malformed", n);
        }
        if (++n > CACHET_ESS_MAX_ML_HISTORY) {
            FAILF("mlExpansionHistory has more than %d entries (ub-ml-expansion-history)",
                  CACHET_ESS_MAX_ML_HISTORY);
        }
    }
    if (n == 0) {
        FAILF("mlExpansionHistory is empty (SIZE 1..%d)", CACHET_ESS_MAX_ML_HISTORY);
    }
    list = cachet_calloc(n, sizeof(*list));
    if (list == NULL) {
        FAILF("out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        cachet_cbs id;
        if (!parse_ml_data(&seq, &list[i], &id, i, detail, detail_len)) {
            goto err;
        }
    }
    if (out != NULL) {
        *out = list;
    } else {
        cachet_free(list);
    }
    *num = n;
    return true;
err:
    cachet_free(list);
    return false;
}

long cachet_ess_ml_find(const cachet_cbs *value, const cachet_cert *cert) {
    cachet_cbs in = *value, seq;
    size_t issuer_len = 0, serial_len = 0, ski_len = 0;
    const uint8_t *issuer = cachet_cert_issuer_der(cert, &issuer_len);
    const uint8_t *serial = cachet_cert_serial_der(cert, &serial_len);
    const uint8_t *ski = NULL;
    bool has_ski = cachet_cert_ski(cert, &ski, &ski_len);
    if (!cachet_cbs_get_asn1(&in, &seq, CACHET_ASN1_SEQUENCE)) {
        return -1;
    }
    for (long i = 0; seq.len > 0 && i < CACHET_ESS_MAX_ML_HISTORY; i++) {
        cachet_cbs md, body, is, sn;
        if (!cachet_cbs_get_asn1(&seq, &md, CACHET_ASN1_SEQUENCE)) {
            return -1;
        }
        if (cachet_cbs_get_asn1(&md, &body, CACHET_ASN1_SEQUENCE)) {
            if (cachet_cbs_get_asn1_element(&body, &is, CACHET_ASN1_SEQUENCE) &&
                cachet_cbs_get_asn1(&body, &sn, CACHET_ASN1_INTEGER) && issuer != NULL &&
                serial != NULL && cachet_cbs_mem_equal(&is, issuer, issuer_len) &&
                cachet_cbs_mem_equal(&sn, serial, serial_len)) {
                return i;
            }
        } else if (cachet_cbs_get_asn1(&md, &body, CACHET_ASN1_OCTETSTRING)) {
            if (has_ski && cachet_cbs_mem_equal(&body, ski, ski_len)) {
                return i;
            }
        }
    }
    return -1;
}
