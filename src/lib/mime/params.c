/* MIME parameters (RFC 2045 §5.1) with RFC 2231 extensions, Content-Type,
 * Content-Disposition and Content-Transfer-Encoding. */
#include <string.h>
#include <strings.h>

#include "mime/internal.h"

#define PARAMS_MAX 64
#define PARAM_VALUE_MAX 65536

/* RFC 2045 tspecials plus space and controls end a token. */
static bool is_token_char(unsigned char c) {
    if (c <= 32 || c >= 127) {
        return false;
    }
    return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static size_t token_len(const char *s, size_t len, size_t pos) {
    size_t i = pos;
    while (i < len && is_token_char((unsigned char)s[i])) {
        i++;
    }
    return i - pos;
}

typedef struct raw_param {
    const char *name; /* base name, not NUL-terminated */
    size_t name_len;
    int section;   /* -1 when not a continuation */
    bool extended; /* trailing '*': charset'lang'%XX */
    cachet_membuf value;
} raw_param;

static void raw_free(raw_param *r, size_t n) {
    for (size_t i = 0; i < n; i++) {
        cachet_membuf_free(&r[i].value);
    }
}

static bool split_name(raw_param *rp, const char *n, size_t nl) {
    rp->section = -1;
    rp->extended = false;
    if (nl > 0 && n[nl - 1] == '*') {
        rp->extended = true;
        nl--;
    }
    const char *star = memchr(n, '*', nl);
    if (star != NULL) {
        size_t d = (size_t)(star - n) + 1;
        if (d == nl || nl - d > 2 || (n[d] == '0' && nl - d > 1)) {
            return false;
        }
        int v = 0;
        for (size_t i = d; i < nl; i++) {
            if (n[i] < '0' || n[i] > '9') {
                return false;
            }
            v = v * 10 + (n[i] - '0');
        }
        rp->section = v;
        nl = (size_t)(star - n);
    }
    if (nl == 0) {
        return false;
    }
    rp->name = n;
    rp->name_len = nl;
    return true;
}

static int hexv(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)cachet_mime_lower((unsigned char)c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

static bool pct_decode(const uint8_t *s, size_t n, cachet_membuf *out) {
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '%') {
            if (i + 2 >= n) {
                return false;
            }
            int a = hexv((char)s[i + 1]), b = hexv((char)s[i + 2]);
            if (a < 0 || b < 0) {
                return false;
            }
            c = (uint8_t)(a * 16 + b);
            i += 2;
        }
        if (!cachet_membuf_append(out, &c, 1)) {
            return false;
        }
    }
    return true;
}

/* Converts the decoded octets of an RFC 2231 value to UTF-8 where we know how. */
static bool convert_charset(const char *cs, cachet_membuf *v, unsigned *anom) {
    if (strcmp(cs, "utf-8") == 0 || strcmp(cs, "utf8") == 0) {
        if (!cachet_utf8_valid(v->data, v->len)) {
            *anom |= CACHET_MIME_ANOM_PARAM_CHARSET;
        }
        return true;
    }
    if (strcmp(cs, "us-ascii") == 0 || strcmp(cs, "ascii") == 0 || cs[0] == '\0') {
        for (size_t i = 0; i < v->len; i++) {
            if (v->data[i] >= 0x80) {
                *anom |= CACHET_MIME_ANOM_PARAM_CHARSET;
                break;
            }
        }
        return true;
    }
    if (strcmp(cs, "iso-8859-1") == 0 || strcmp(cs, "latin1") == 0) {
        cachet_membuf u = {.max = PARAM_VALUE_MAX * 2};
        for (size_t i = 0; i < v->len; i++) {
            uint8_t c = v->data[i];
            uint8_t t[2] = {(uint8_t)(0xc0 | (c >> 6)), (uint8_t)(0x80 | (c & 0x3f))};
            if (!cachet_membuf_append(&u, c < 0x80 ? &c : t, c < 0x80 ? 1 : 2)) {
                cachet_membuf_free(&u);
                return false;
            }
        }
        cachet_membuf_free(v);
        *v = u;
        return true;
    }
    *anom |= CACHET_MIME_ANOM_PARAM_CHARSET;
    return true;
}

/* Splits "charset'language'rest" of a first extended segment. */
static bool split_ext(const cachet_membuf *raw, char **cs, char **lang, size_t *rest) {
    const char *s = (const char *)raw->data;
    const char *q1 = raw->len ? memchr(s, '\'', raw->len) : NULL;
    if (q1 == NULL) {
        return false;
    }
    size_t a = (size_t)(q1 - s);
    const char *q2 = memchr(q1 + 1, '\'', raw->len - a - 1);
    if (q2 == NULL) {
        return false;
    }
    size_t b = (size_t)(q2 - s);
    *cs = cachet_mime_strndup(s, a, true);
    *lang = cachet_mime_strndup(s + a + 1, b - a - 1, false);
    *rest = b + 1;
    return *cs != NULL && *lang != NULL;
}

/* Builds one output parameter from the raw occurrences of base name |idx|. */
static cachet_status assemble(raw_param *raw, size_t n, size_t idx, cachet_mime_param *out,
                              unsigned *anom, bool *used, cachet_error *err) {
    raw_param *first = &raw[idx];
    cachet_membuf v = {.max = PARAM_VALUE_MAX};
    bool ok = true;
    size_t occurrences = 0;
    out->rfc2231 = first->section >= 0 || first->extended;
    for (size_t i = idx; i < n; i++) {
        if (raw[i].name_len == first->name_len &&
            strncasecmp(raw[i].name, first->name, first->name_len) == 0) {
            used[i] = true;
            occurrences++;
        }
    }
    if (first->section < 0) {
        out->duplicated = occurrences > 1;
        if (first->extended) {
            size_t rest = 0;
            ok = split_ext(&first->value, &out->charset, &out->language, &rest) &&
                 pct_decode(first->value.data + rest, first->value.len - rest, &v);
        } else {
            ok = cachet_membuf_append(&v, first->value.data, first->value.len);
        }
    } else {
        /* Join sections 0..k in numeric order; a gap or a repeat is not a value. */
        size_t sections = 0;
        int sec = 0;
        for (; ok; sec++) {
            raw_param *seg = NULL;
            size_t count = 0;
            for (size_t i = idx; i < n; i++) {
                if (used[i] && raw[i].section == sec && raw[i].name_len == first->name_len &&
                    strncasecmp(raw[i].name, first->name, first->name_len) == 0) {
                    seg = seg ? seg : &raw[i];
                    count++;
                }
            }
            if (seg == NULL) {
                break;
            }
            if (count > 1) {
                out->duplicated = true;
            }
            sections += count;
            size_t rest = 0;
            if (sec == 0 && seg->extended) {
                ok = split_ext(&seg->value, &out->charset, &out->language, &rest);
            }
            if (ok && seg->extended) {
                ok = pct_decode(seg->value.data + rest, seg->value.len - rest, &v);
            } else if (ok) {
                ok = cachet_membuf_append(&v, seg->value.data, seg->value.len);
            }
        }
        if (ok && sections != occurrences) {
            out->duplicated = true;
            for (size_t i = idx; i < n; i++) {
                if (used[i] && raw[i].section >= 0 && raw[i].section >= sec &&
                    raw[i].name_len == first->name_len &&
                    strncasecmp(raw[i].name, first->name, first->name_len) == 0) {
                    cachet_membuf_free(&v);
                    return cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", -1,
                                          "RFC 2231 continuation has a gap");
                }
            }
        }
    }
    if (ok && out->charset != NULL) {
        ok = convert_charset(out->charset, &v, anom);
    }
    out->name = ok ? cachet_mime_strndup(first->name, first->name_len, true) : NULL;
    if (!ok || out->name == NULL || !cachet_membuf_append(&v, "", 1)) {
        cachet_membuf_free(&v);
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", -1,
                              "bad RFC 2231 parameter value or out of memory");
    }
    out->value = (char *)v.data;
    out->value_len = v.len - 1;
    if (out->rfc2231) {
        *anom |= CACHET_MIME_ANOM_PARAM_2231;
    }
    if (out->duplicated) {
        *anom |= CACHET_MIME_ANOM_DUP_PARAM;
    }
    if (out->value_len >= 2 && strstr(out->value, "=?") != NULL) {
        *anom |= CACHET_MIME_ANOM_PARAM_ENCODED_WORD;
    }
    return CACHET_OK;
}

cachet_status cachet_mime_params_parse(const char *s, size_t len, size_t pos,
                                       cachet_mime_params *out, unsigned *anom, cachet_error *err) {
    raw_param raw[PARAMS_MAX];
    size_t n = 0;
    cachet_status st = CACHET_OK;
    memset(out, 0, sizeof(*out));
    for (;;) {
        if (!cachet_mime_skip_cfws(s, len, &pos)) {
            st = cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", (long long)pos,
                                "unterminated comment");
            goto done;
        }
        if (pos == len) {
            break;
        }
        if (s[pos] != ';') {
            st = cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", (long long)pos,
                                "expected ';' between parameters");
            goto done;
        }
        pos++;
        if (!cachet_mime_skip_cfws(s, len, &pos)) {
            st = cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", (long long)pos,
                                "unterminated comment");
            goto done;
        }
        if (pos == len) {
            break; /* a trailing ';' is common and harmless */
        }
        if (n == PARAMS_MAX) {
            st = cachet_err_set(err, CACHET_ERR_LIMIT, "Content-Type", (long long)pos,
                                "more than %d parameters", PARAMS_MAX);
            goto done;
        }
        size_t nl = token_len(s, len, pos);
        raw_param *rp = &raw[n];
        memset(rp, 0, sizeof(*rp));
        rp->value.max = PARAM_VALUE_MAX;
        if (nl == 0 || !split_name(rp, s + pos, nl)) {
            st = cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", (long long)pos,
                                "bad parameter name");
            goto done;
        }
        if (rp->section >= 0 || rp->extended) {
            *anom |= CACHET_MIME_ANOM_PARAM_2231; /* even when a plain duplicate wins */
        }
        n++;
        pos += nl;
        if (!cachet_mime_skip_cfws(s, len, &pos) || pos == len || s[pos] != '=') {
            st = cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", (long long)pos,
                                "expected '=' after parameter name");
            goto done;
        }
        pos++;
        if (!cachet_mime_skip_cfws(s, len, &pos) || pos == len) {
            st = cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", (long long)pos,
                                "missing parameter value");
            goto done;
        }
        if (s[pos] == '"') {
            if (!cachet_mime_read_quoted(s, len, &pos, &rp->value)) {
                st = cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", (long long)pos,
                                    "unterminated quoted parameter value");
                goto done;
            }
        } else {
            size_t vl = token_len(s, len, pos);
            if (vl == 0 || !cachet_membuf_append(&rp->value, s + pos, vl)) {
                st = cachet_err_set(err, CACHET_ERR_MALFORMED, "Content-Type", (long long)pos,
                                    "bad parameter value");
                goto done;
            }
            pos += vl;
        }
    }
    bool used[PARAMS_MAX] = {false};
    for (size_t i = 0; i < n; i++) {
        if (used[i]) {
            continue;
        }
        if (out->items == NULL) {
            out->items = cachet_calloc(n, sizeof(*out->items));
            if (out->items == NULL) {
                st = cachet_err_set(err, CACHET_ERR_NOMEM, "Content-Type", -1, "out of memory");
                goto done;
            }
        }
        st = assemble(raw, n, i, &out->items[out->count], anom, used, err);
        out->count++;
        if (st != CACHET_OK) {
            goto done;
        }
    }
done:
    raw_free(raw, n);
    if (st != CACHET_OK) {
        cachet_mime_params_clear(out);
    }
    return st;
}

void cachet_mime_params_clear(cachet_mime_params *p) {
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->count; i++) {
        cachet_free(p->items[i].name);
        cachet_free(p->items[i].value);
        cachet_free(p->items[i].charset);
        cachet_free(p->items[i].language);
    }
    cachet_free(p->items);
    p->items = NULL;
    p->count = 0;
}

const cachet_mime_param *cachet_mime_params_find(const cachet_mime_params *params,
                                                 const char *name) {
    if (params == NULL || name == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < params->count; i++) {
        if (params->items[i].name != NULL &&
            cachet_mime_case_eq(name, strlen(name), params->items[i].name)) {
            return &params->items[i];
        }
    }
    return NULL;
}

const char *cachet_mime_params_get(const cachet_mime_params *params, const char *name) {
    const cachet_mime_param *p = cachet_mime_params_find(params, name);
    return p ? p->value : NULL;
}
