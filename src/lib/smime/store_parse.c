/* What cachet_store_import reads: PEM (CERTIFICATE, PKCS7, CMS blocks), a DER
 * certificate, a DER/BER ContentInfo SignedData (certs-only, RFC 8551 §3.8),
 * or an S/MIME certs-only message. Every certificate must parse: the caller
 * stores nothing otherwise. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cms/signed.h"
#include "mime/mime.h"
#include "smime/store_internal.h"

/* The most bytes of CMS a certs-only message body may hold. */
#define MAX_CERTS_ONLY_BODY ((size_t)16 << 20)

static cachet_status push_cert(cachet_cert_list *out, cachet_cert *c, const char *source,
                               cachet_error *err) {
    if (out->num >= CACHET_STORE_IMPORT_MAX_CERTS) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, source, -1,
                              "%s holds more than %d certificates", source,
                              CACHET_STORE_IMPORT_MAX_CERTS);
    }
    if (!cachet_cert_list_push(out, c)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, source, -1, "out of memory");
    }
    return CACHET_OK;
}

static cachet_status parse_one_cert(const uint8_t *der, size_t len, const char *source,
                                    const char *what, cachet_cert_list *out, cachet_error *err) {
    cachet_cert *c = NULL;
    cachet_error sub = {0};
    if (cachet_cert_parse(der, len, &c, &sub) != CACHET_OK) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, source, -1,
                              "%s: %s is not a valid certificate (%s)", source, what, sub.message);
    }
    cachet_status st = push_cert(out, c, source, err);
    cachet_cert_free(c);
    return st;
}

/* count_cert_elements counts the Certificate (SEQUENCE) choices of
 * SignedData.certificates, so that one the cms layer skipped as unparseable
 * is noticed (all-or-nothing import). */
static bool count_cert_elements(const cachet_cms_limits *limits, const uint8_t *cms, size_t len,
                                size_t *count) {
    cachet_ber_limits bl = cachet_cms_ber_limits(limits);
    uint8_t *der = NULL;
    size_t der_len = 0;
    if (cachet_ber_to_der(cms, len, &bl, &der, &der_len, NULL) != CACHET_OK) {
        return false;
    }
    cachet_cbs in, ci, wrap, sd, skip, certs;
    cachet_oid oid;
    bool present = false, ok = false;
    cachet_cbs_init(&in, der, der_len);
    /* RFC 5652 §5.1: version, digestAlgorithms, encapContentInfo, [0] certificates. */
    if (cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) &&
        cachet_cbs_get_oid(&ci, &oid, NULL) &&
        cachet_cbs_get_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) &&
        cachet_cbs_get_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) &&
        cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_INTEGER) &&
        cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SET) &&
        cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SEQUENCE) &&
        cachet_cbs_get_optional_asn1(&sd, &certs, &present, CACHET_ASN1_CONTEXT_CONS(0))) {
        ok = true;
        *count = 0;
        while (present && certs.len > 0) {
            cachet_asn1_tag tag;
            if (!cachet_cbs_get_any_asn1_element(&certs, NULL, &tag, NULL)) {
                ok = false;
                break;
            }
            if (tag == CACHET_ASN1_SEQUENCE) {
                (*count)++;
            }
        }
    }
    cachet_free(der);
    return ok;
}

static cachet_status parse_cms(const uint8_t *data, size_t len, const char *source,
                               cachet_cert_list *out, cachet_error *err) {
    cachet_oid oid = CACHET_OID_UNKNOWN;
    cachet_status st = cachet_cms_sniff(data, len, &oid, err);
    if (st != CACHET_OK) {
        cachet_err_prefix_where(err, source);
        return st;
    }
    if (oid != CACHET_OID_SIGNED_DATA) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, source, -1,
                              "%s: a CMS %s holds no certificates to import (SignedData needed)",
                              source, cachet_oid_name(oid));
    }
    cachet_cms_limits limits;
    cachet_cms_limits_default(&limits);
    limits.max_certificates = CACHET_STORE_IMPORT_MAX_CERTS;
    cachet_cert_list certs = {0};
    st = cachet_cms_signed_certs(&limits, data, len, &certs, err);
    if (st != CACHET_OK) {
        cachet_err_prefix_where(err, source);
        cachet_cert_list_clear(&certs);
        return st;
    }
    size_t expected = 0;
    if (!count_cert_elements(&limits, data, len, &expected) || expected != certs.num) {
        cachet_cert_list_clear(&certs);
        return cachet_err_set(err, CACHET_ERR_MALFORMED, source, -1,
                              "%s: a certificate in SignedData.certificates does not parse",
                              source);
    }
    for (size_t i = 0; st == CACHET_OK && i < certs.num; i++) {
        st = push_cert(out, certs.certs[i], source, err);
    }
    cachet_cert_list_clear(&certs);
    return st;
}

static cachet_status parse_der(const uint8_t *data, size_t len, const char *source,
                               cachet_cert_list *out, cachet_error *err) {
    cachet_oid oid;
    /* A ContentInfo starts with an OBJECT IDENTIFIER, a Certificate with a SEQUENCE. */
    if (cachet_cms_sniff(data, len, &oid, NULL) == CACHET_OK) {
        return parse_cms(data, len, source, out, err);
    }
    return parse_one_cert(data, len, source, "the DER input", out, err);
}

/* ---- PEM: every block; certificates and CMS taken, other labels skipped ---- */

typedef enum pem_kind { PEM_CERT, PEM_CMS, PEM_OTHER } pem_kind;

static pem_kind label_kind(const char *label, size_t n) {
    static const struct {
        const char *label;
        pem_kind kind;
    } table[] = {{"CERTIFICATE", PEM_CERT},
                 {"X509 CERTIFICATE", PEM_CERT},
                 {"PKCS7", PEM_CMS},
                 {"CMS", PEM_CMS}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strlen(table[i].label) == n && memcmp(table[i].label, label, n) == 0) {
            return table[i].kind;
        }
    }
    return PEM_OTHER;
}

/* armor matches "-----<what> LABEL-----" (trailing white space allowed) and
 * sets the label. */
static bool armor(const uint8_t *line, size_t n, const char *what, const uint8_t **label,
                  size_t *label_len) {
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r')) {
        n--;
    }
    size_t wl = strlen(what);
    if (n < 5 + wl + 1 + 5 + 1 || memcmp(line, "-----", 5) != 0 ||
        memcmp(line + 5, what, wl) != 0 || line[5 + wl] != ' ' ||
        memcmp(line + n - 5, "-----", 5) != 0) {
        return false;
    }
    *label = line + 6 + wl;
    *label_len = n - 11 - wl;
    return true;
}

typedef struct pem_block {
    pem_kind kind;
    const uint8_t *label;
    size_t label_len;
    size_t offset; /* of the BEGIN line */
    cachet_mime_b64dec dec;
    cachet_membuf der;
} pem_block;

static cachet_status pem_body_line(pem_block *b, const uint8_t *line, size_t n, size_t off,
                                   const char *source, cachet_error *err) {
    if (b->kind == PEM_OTHER) {
        return CACHET_OK; /* an encrypted key's RFC 1421 headers included */
    }
    if (memchr(line, ':', n) != NULL) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, source, (long long)off,
                              "%s: PEM headers (RFC 1421) are not accepted", source);
    }
    uint8_t tmp[CACHET_MIME_B64DEC_MAX(256)];
    for (size_t i = 0; i < n; i += 256) {
        size_t chunk = n - i < 256 ? n - i : 256;
        size_t got = 0;
        if (!cachet_mime_b64dec_update(&b->dec, line + i, chunk, tmp, &got)) {
            return cachet_err_set(err, CACHET_ERR_MALFORMED, source, (long long)off,
                                  "%s: bad base64 in a PEM block", source);
        }
        if (!cachet_membuf_append(&b->der, tmp, got)) {
            return cachet_err_set(err, CACHET_ERR_LIMIT, source, (long long)off,
                                  "%s: PEM block too large", source);
        }
    }
    return CACHET_OK;
}

static cachet_status pem_block_end(pem_block *b, const char *source, cachet_cert_list *out,
                                   cachet_error *err) {
    if (b->kind == PEM_OTHER) {
        return CACHET_OK;
    }
    if (!cachet_mime_b64dec_finish(&b->dec) || b->der.len == 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, source, (long long)b->offset,
                              "%s: truncated base64 in a PEM block", source);
    }
    if (b->kind == PEM_CMS) {
        return parse_cms(b->der.data, b->der.len, source, out, err);
    }
    char what[64];
    snprintf(what, sizeof(what), "the PEM block at byte %zu", b->offset);
    return parse_one_cert(b->der.data, b->der.len, source, what, out, err);
}

static cachet_status parse_pem(const uint8_t *data, size_t len, const char *source,
                               cachet_cert_list *out, cachet_error *err) {
    bool in_block = false;
    size_t blocks = 0;
    pem_block b = {0};
    b.der.max = CACHET_DB_MAX_CERT > MAX_CERTS_ONLY_BODY ? CACHET_DB_MAX_CERT : MAX_CERTS_ONLY_BODY;
    cachet_status st = CACHET_OK;
    size_t pos = 0;
    while (st == CACHET_OK && pos < len) {
        const uint8_t *nl = memchr(data + pos, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - (data + pos)) : len - pos;
        const uint8_t *line = data + pos;
        const uint8_t *label;
        size_t label_len;
        if (!in_block) {
            if (armor(line, n, "BEGIN", &label, &label_len)) {
                in_block = true;
                b.kind = label_kind((const char *)label, label_len);
                b.label = label;
                b.label_len = label_len;
                b.offset = pos;
                cachet_mime_b64dec_init(&b.dec);
                cachet_membuf_reset(&b.der);
            }
        } else if (n > 0 && line[0] == '-') {
            if (!armor(line, n, "END", &label, &label_len) || label_len != b.label_len ||
                memcmp(label, b.label, label_len) != 0) {
                st = cachet_err_set(err, CACHET_ERR_MALFORMED, source, (long long)pos,
                                    "%s: PEM END line missing or not matching BEGIN", source);
                break;
            }
            in_block = false;
            blocks += b.kind != PEM_OTHER;
            st = pem_block_end(&b, source, out, err);
        } else {
            st = pem_body_line(&b, line, n, pos, source, err);
        }
        pos += n + (nl != NULL);
    }
    cachet_membuf_free(&b.der);
    if (st == CACHET_OK && in_block) {
        st = cachet_err_set(err, CACHET_ERR_MALFORMED, source, (long long)len,
                            "%s: PEM END line missing", source);
    }
    if (st == CACHET_OK && blocks == 0) {
        st = cachet_err_set(err, CACHET_ERR_MALFORMED, source, -1,
                            "%s: no CERTIFICATE, PKCS7 or CMS block", source);
    }
    return st;
}

/* ---- An S/MIME certs-only message (RFC 8551 §3.8) ---- */

typedef struct mime_ctx {
    const char *source;
    cachet_membuf body;
    bool top_ok;
    cachet_error err;
} mime_ctx;

static bool is_certs_only(const cachet_mime_ctype *ct) {
    if (!cachet_mime_ctype_is(ct, "application", "pkcs7-mime") &&
        !cachet_mime_ctype_is(ct, "application", "x-pkcs7-mime")) {
        return false;
    }
    const char *type = cachet_mime_params_get(&ct->params, "smime-type");
    if (type != NULL) {
        return strcasecmp(type, "certs-only") == 0;
    }
    /* Older agents omit smime-type; the .p7c name then says certs-only. */
    const char *name = cachet_mime_params_get(&ct->params, "name");
    size_t n = name != NULL ? strlen(name) : 0;
    return n >= 4 && strcasecmp(name + n - 4, ".p7c") == 0;
}

static cachet_status mime_headers_end(void *arg, const cachet_mime_part_info *info, bool *descend) {
    mime_ctx *m = arg;
    if (info->path[0] != '\0') {
        return CACHET_OK;
    }
    *descend = false;
    if (!is_certs_only(info->ctype)) {
        return cachet_err_set(&m->err, CACHET_ERR_UNSUPPORTED, m->source, -1,
                              "%s: not a certificate file nor a certs-only message "
                              "(Content-Type %s/%s)",
                              m->source, info->ctype->type, info->ctype->subtype);
    }
    if (info->cte != CACHET_MIME_CTE_BASE64 && info->cte != CACHET_MIME_CTE_BINARY &&
        info->cte != CACHET_MIME_CTE_8BIT && info->cte != CACHET_MIME_CTE_7BIT) {
        return cachet_err_set(&m->err, CACHET_ERR_UNSUPPORTED, m->source, -1,
                              "%s: certs-only body in an unusable transfer encoding", m->source);
    }
    m->top_ok = true;
    return CACHET_OK;
}

static cachet_status mime_body(void *arg, const char *path, const uint8_t *raw, size_t raw_len,
                               const uint8_t *decoded, size_t decoded_len) {
    mime_ctx *m = arg;
    if (path[0] != '\0' || !m->top_ok) {
        return CACHET_OK;
    }
    if (!cachet_membuf_append(&m->body, decoded, decoded_len)) {
        return cachet_err_set(&m->err, CACHET_ERR_LIMIT, m->source, -1,
                              "%s: certs-only body larger than %zu bytes", m->source,
                              MAX_CERTS_ONLY_BODY);
    }
    return CACHET_OK;
}

static cachet_status parse_mime(const uint8_t *data, size_t len, const char *source,
                                cachet_cert_list *out, cachet_error *err) {
    mime_ctx m = {.source = source};
    m.body.max = MAX_CERTS_ONLY_BODY;
    cachet_mime_callbacks cb = {.arg = &m, .headers_end = mime_headers_end, .body = mime_body};
    cachet_mime_parser *p = cachet_mime_parser_new(NULL, &cb);
    if (p == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, source, -1, "out of memory");
    }
    cachet_status st = cachet_mime_parser_update(p, data, len);
    if (st == CACHET_OK) {
        st = cachet_mime_parser_finish(p);
    }
    if (st != CACHET_OK) {
        if (m.err.status != CACHET_OK) {
            cachet_err_set(err, m.err.status, m.err.where, m.err.offset, "%s", m.err.message);
        } else {
            const cachet_error *pe = cachet_mime_parser_error(p);
            cachet_err_set(err, st, source, pe->offset, "%s: %s", source, pe->message);
        }
    } else if (!m.top_ok) {
        st = cachet_err_set(err, CACHET_ERR_MALFORMED, source, -1,
                            "%s: not a certificate file nor a certs-only message", source);
    } else {
        st = parse_cms(m.body.data, m.body.len, source, out, err);
    }
    cachet_mime_parser_free(p);
    cachet_membuf_free(&m.body);
    return st;
}

/* has_pem_begin: a line starts with "-----BEGIN " (a certs-only message is
 * base64 and never does). */
static bool has_pem_begin(const uint8_t *data, size_t len) {
    static const char begin[] = "-----BEGIN ";
    size_t n = sizeof(begin) - 1;
    for (size_t i = 0; i + n <= len; i++) {
        if ((i == 0 || data[i - 1] == '\n') && memcmp(data + i, begin, n) == 0) {
            return true;
        }
    }
    return false;
}

cachet_status cachet_store_parse_certs(const uint8_t *data, size_t len, const char *source,
                                       cachet_cert_list *out, cachet_error *err) {
    if (data == NULL || len == 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, source, 0, "%s is empty", source);
    }
    cachet_input_kind kind = cachet_smime_detect_input(data, len, true);
    if (kind == CACHET_INPUT_DER) {
        return parse_der(data, len, source, out, err);
    }
    /* PEM may follow text (openssl x509 -text). */
    if (kind == CACHET_INPUT_PEM || has_pem_begin(data, len)) {
        return parse_pem(data, len, source, out, err);
    }
    return parse_mime(data, len, source, out, err);
}
