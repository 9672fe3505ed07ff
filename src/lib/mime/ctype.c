/* Content-Type (RFC 2045 §5), Content-Disposition (RFC 2183) and
 * Content-Transfer-Encoding (RFC 2045 §6) values. */
#include <string.h>

#include "mime/internal.h"

static bool is_token_char(unsigned char c) {
    return c > 32 && c < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static size_t read_token(const char *s, size_t len, size_t *pos) {
    size_t start = *pos;
    while (*pos < len && is_token_char((unsigned char)s[*pos])) {
        (*pos)++;
    }
    return *pos - start;
}

cachet_status cachet_mime_parse_content_type(const char *value, size_t len, cachet_mime_ctype *out,
                                             cachet_error *err) {
    if (value == NULL) {
        value = "";
        len = 0;
    }
    cachet_mime_ctype ct;
    memset(&ct, 0, sizeof(ct));
    memset(out, 0, sizeof(*out));
    size_t pos = 0;
    if (!cachet_mime_skip_cfws(value, len, &pos)) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", 0, "bad comment");
    }
    size_t t0 = pos;
    size_t tl = read_token(value, len, &pos);
    size_t p1 = pos;
    if (tl == 0 || !cachet_mime_skip_cfws(value, len, &pos) || pos == len || value[pos] != '/') {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", (long long)p1,
                              "expected type/subtype");
    }
    pos++;
    if (!cachet_mime_skip_cfws(value, len, &pos)) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", (long long)pos,
                              "bad comment");
    }
    size_t s0 = pos;
    size_t sl = read_token(value, len, &pos);
    if (sl == 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", (long long)pos,
                              "missing subtype");
    }
    cachet_status st = cachet_mime_params_parse(value, len, pos, &ct.params, &ct.anomalies, err);
    if (st != CACHET_OK) {
        return st;
    }
    ct.type = cachet_mime_strndup(value + t0, tl, true);
    ct.subtype = cachet_mime_strndup(value + s0, sl, true);
    if (ct.type == NULL || ct.subtype == NULL) {
        cachet_mime_ctype_clear(&ct);
        return cachet_err_set(err, CACHET_ERR_NOMEM, "Content-Type", -1, "out of memory");
    }
    *out = ct;
    return CACHET_OK;
}

void cachet_mime_ctype_clear(cachet_mime_ctype *ct) {
    if (ct == NULL) {
        return;
    }
    cachet_free(ct->type);
    cachet_free(ct->subtype);
    cachet_mime_params_clear(&ct->params);
    memset(ct, 0, sizeof(*ct));
}

bool cachet_mime_ctype_is(const cachet_mime_ctype *ct, const char *type, const char *subtype) {
    return ct != NULL && ct->type != NULL && ct->subtype != NULL &&
           cachet_mime_case_eq(ct->type, strlen(ct->type), type) &&
           cachet_mime_case_eq(ct->subtype, strlen(ct->subtype), subtype);
}

cachet_status cachet_mime_parse_disposition(const char *value, size_t len,
                                            cachet_mime_disposition *out, cachet_error *err) {
    if (value == NULL) {
        value = "";
        len = 0;
    }
    cachet_mime_disposition d;
    memset(&d, 0, sizeof(d));
    memset(out, 0, sizeof(*out));
    size_t pos = 0;
    if (!cachet_mime_skip_cfws(value, len, &pos)) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Disposition", 0, "bad comment");
    }
    size_t t0 = pos;
    size_t tl = read_token(value, len, &pos);
    if (tl == 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Disposition", (long long)pos,
                              "missing disposition type");
    }
    cachet_status st = cachet_mime_params_parse(value, len, pos, &d.params, &d.anomalies, err);
    if (st != CACHET_OK) {
        return st;
    }
    d.type = cachet_mime_strndup(value + t0, tl, true);
    if (d.type == NULL) {
        cachet_mime_disposition_clear(&d);
        return cachet_err_set(err, CACHET_ERR_NOMEM, "Content-Disposition", -1, "out of memory");
    }
    *out = d;
    return CACHET_OK;
}

void cachet_mime_disposition_clear(cachet_mime_disposition *d) {
    if (d == NULL) {
        return;
    }
    cachet_free(d->type);
    cachet_mime_params_clear(&d->params);
    memset(d, 0, sizeof(*d));
}

cachet_mime_cte cachet_mime_parse_cte(const char *value, size_t len) {
    if (value == NULL) {
        value = "";
        len = 0;
    }
    size_t pos = 0;
    if (!cachet_mime_skip_cfws(value, len, &pos)) {
        return CACHET_MIME_CTE_UNKNOWN;
    }
    size_t t0 = pos;
    size_t tl = read_token(value, len, &pos);
    if (!cachet_mime_skip_cfws(value, len, &pos) || pos != len) {
        return CACHET_MIME_CTE_UNKNOWN;
    }
    static const struct {
        const char *name;
        cachet_mime_cte cte;
    } names[] = {{"7bit", CACHET_MIME_CTE_7BIT},
                 {"8bit", CACHET_MIME_CTE_8BIT},
                 {"binary", CACHET_MIME_CTE_BINARY},
                 {"quoted-printable", CACHET_MIME_CTE_QP},
                 {"base64", CACHET_MIME_CTE_BASE64}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (cachet_mime_case_eq(value + t0, tl, names[i].name)) {
            return names[i].cte;
        }
    }
    return CACHET_MIME_CTE_UNKNOWN;
}

const char *cachet_mime_cte_name(cachet_mime_cte cte) {
    switch (cte) {
        case CACHET_MIME_CTE_7BIT:
            return "7bit";
        case CACHET_MIME_CTE_8BIT:
            return "8bit";
        case CACHET_MIME_CTE_BINARY:
            return "binary";
        case CACHET_MIME_CTE_QP:
            return "quoted-printable";
        case CACHET_MIME_CTE_BASE64:
            return "base64";
        default:
            return "unknown";
    }
}
