/* Splitting the top-level header of a message to protect: Content-* fields go
 * into the protected entity, the others stay outside (see writer.h). */
#include <string.h>

#include "smime/writer.h"

void cachet_smime_split_init(cachet_smime_split *s, size_t max_field) {
    memset(s, 0, sizeof(*s));
    s->max_field = max_field;
    s->line.max = max_field;
    s->field.max = max_field;
    s->outer.max = CACHET_SMIME_MAX_HEADER_TOTAL;
    s->inner.max = CACHET_SMIME_MAX_HEADER_TOTAL;
    s->cte_raw.max = max_field;
}

void cachet_smime_split_free(cachet_smime_split *s) {
    cachet_membuf_free(&s->line);
    cachet_membuf_free(&s->field);
    cachet_membuf_free(&s->outer);
    cachet_membuf_free(&s->inner);
    cachet_membuf_free(&s->cte_raw);
    cachet_membuf_free(&s->leftover);
    cachet_mime_ctype_clear(&s->ctype);
}

bool cachet_smime_split_is_text(const cachet_smime_split *s) {
    return !s->has_ctype || (s->ctype.type != NULL && strcmp(s->ctype.type, "text") == 0);
}

static bool is_wsp(uint8_t c) {
    return c == ' ' || c == '\t';
}

/* field_name_len: the length of the field name if |l| starts a header field
 * (name of printable ASCII without ':', optional white space, ':'), else 0. */
static size_t field_name_len(const uint8_t *l, size_t len) {
    size_t i = 0;
    while (i < len && l[i] > 32 && l[i] < 127 && l[i] != ':') {
        i++;
    }
    size_t name = i;
    while (i < len && is_wsp(l[i])) {
        i++;
    }
    return name > 0 && i < len && l[i] == ':' ? name : 0;
}

static bool name_is(const uint8_t *f, size_t name_len, const char *want) {
    size_t n = strlen(want);
    if (name_len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t c = f[i];
        if (c >= 'A' && c <= 'Z') {
            c = (uint8_t)(c - 'A' + 'a');
        }
        if (c != (uint8_t)want[i]) {
            return false;
        }
    }
    return true;
}

/* unfold: the value of field |f| (after the colon) without line breaks, trimmed. */
static bool unfold(const uint8_t *f, size_t len, cachet_membuf *out) {
    const uint8_t *colon = memchr(f, ':', len);
    size_t i = (size_t)(colon - f) + 1;
    cachet_membuf_reset(out);
    for (; i < len; i++) {
        if (f[i] != '\r' && f[i] != '\n' && !cachet_membuf_append(out, &f[i], 1)) {
            return false;
        }
    }
    size_t start = 0;
    while (start < out->len && is_wsp(out->data[start])) {
        start++;
    }
    while (out->len > start && is_wsp(out->data[out->len - 1])) {
        out->len--;
    }
    if (start > 0) {
        memmove(out->data, out->data + start, out->len - start);
        out->len -= start;
    }
    return cachet_membuf_append(out, "", 1); /* NUL for the parsers */
}

static cachet_status flush_field(cachet_smime_split *s, cachet_error *err) {
    if (s->field.len == 0) {
        return CACHET_OK;
    }
    const uint8_t *f = s->field.data;
    size_t len = s->field.len;
    size_t name = field_name_len(f, len);
    cachet_status st = CACHET_OK;
    cachet_membuf value = {.max = s->max_field + 1};
    if (name_is(f, name, "mime-version")) {
        /* dropped: written once by us */
    } else if (name >= 8 && name_is(f, 8, "content-")) {
        if (name_is(f, name, "content-type")) {
            if (s->has_ctype) {
                st = cachet_err_set(err, CACHET_ERR_MALFORMED, "header", (long long)s->offset,
                                    "two Content-Type fields in the message header");
            } else if (!unfold(f, len, &value)) {
                st = cachet_err_set(err, CACHET_ERR_NOMEM, "header", -1, "out of memory");
            } else {
                st = cachet_mime_parse_content_type((const char *)value.data, value.len - 1,
                                                    &s->ctype, err);
                if (st == CACHET_OK) {
                    s->has_ctype = true;
                } else {
                    cachet_err_prefix_where(err, "header.Content-Type");
                }
            }
            if (st == CACHET_OK && !cachet_membuf_append(&s->inner, f, len)) {
                st = cachet_err_set(err, CACHET_ERR_LIMIT, "header", (long long)s->offset,
                                    "the message header is over %zu bytes",
                                    (size_t)CACHET_SMIME_MAX_HEADER_TOTAL);
            }
        } else if (name_is(f, name, "content-transfer-encoding")) {
            if (s->has_cte) {
                st = cachet_err_set(err, CACHET_ERR_MALFORMED, "header", (long long)s->offset,
                                    "two Content-Transfer-Encoding fields in the message header");
            } else if (!unfold(f, len, &value) || !cachet_membuf_append(&s->cte_raw, f, len)) {
                st = cachet_err_set(err, CACHET_ERR_NOMEM, "header", -1, "out of memory");
            } else {
                s->cte = cachet_mime_parse_cte((const char *)value.data, value.len - 1);
                s->has_cte = true;
            }
        } else if (!cachet_membuf_append(&s->inner, f, len)) {
            st = cachet_err_set(err, CACHET_ERR_LIMIT, "header", (long long)s->offset,
                                "the message header is over %zu bytes",
                                (size_t)CACHET_SMIME_MAX_HEADER_TOTAL);
        }
    } else if (!cachet_membuf_append(&s->outer, f, len)) {
        st = cachet_err_set(err, CACHET_ERR_LIMIT, "header", (long long)s->offset,
                            "the message header is over %zu bytes",
                            (size_t)CACHET_SMIME_MAX_HEADER_TOTAL);
    }
    cachet_membuf_free(&value);
    cachet_membuf_reset(&s->field);
    return st;
}

/* append_canonical adds line |l| to the field with its line break made CRLF. */
static bool append_canonical(cachet_membuf *b, const uint8_t *l, size_t len) {
    size_t body = len;
    if (body > 0 && l[body - 1] == '\n') {
        body--;
        if (body > 0 && l[body - 1] == '\r') {
            body--;
        }
    }
    return cachet_membuf_append(b, l, body) && cachet_membuf_append(b, "\r\n", 2);
}

static cachet_status field_too_long(cachet_smime_split *s, cachet_error *err) {
    return cachet_err_set(err, CACHET_ERR_LIMIT, "header", (long long)s->offset,
                          "a header field is longer than %zu bytes", s->max_field);
}

/* one_line handles a complete header line (with its line break, if any). */
static cachet_status one_line(cachet_smime_split *s, cachet_error *err) {
    const uint8_t *l = s->line.data;
    size_t len = s->line.len;
    if ((len == 1 && l[0] == '\n') || (len == 2 && l[0] == '\r' && l[1] == '\n')) {
        s->done = true;
        return flush_field(s, err);
    }
    if (is_wsp(l[0]) && s->field.len > 0) {
        /* A continuation of nothing but white space (obsolete syntax) is dropped:
         * readers disagree on whether it ends the header, and it adds nothing. */
        size_t k = 0;
        while (k < len && (is_wsp(l[k]) || l[k] == '\r' || l[k] == '\n')) {
            k++;
        }
        if (k == len) {
            return CACHET_OK;
        }
        return append_canonical(&s->field, l, len) ? CACHET_OK : field_too_long(s, err);
    }
    if (field_name_len(l, len) > 0) {
        cachet_status st = flush_field(s, err);
        if (st != CACHET_OK) {
            return st;
        }
        return append_canonical(&s->field, l, len) ? CACHET_OK : field_too_long(s, err);
    }
    /* Not a header line: the header ended without a blank line (or, on the first
     * line, there is no header at all). The line is body. */
    s->done = true;
    if (!cachet_membuf_append(&s->leftover, l, len)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "header", -1, "out of memory");
    }
    return flush_field(s, err);
}

cachet_status cachet_smime_split_push(cachet_smime_split *s, const uint8_t *data, size_t len,
                                      size_t *used, cachet_error *err) {
    size_t i = 0;
    while (i < len && !s->done) {
        const uint8_t *nl = memchr(data + i, '\n', len - i);
        size_t take = nl != NULL ? (size_t)(nl - (data + i)) + 1 : len - i;
        if (take > s->max_field - s->line.len) {
            /* A line too long for a header field: fine if it is not one (input
             * without a header, e.g. one long line of text), else a limit. */
            size_t room = s->max_field - s->line.len;
            if (!cachet_membuf_append(&s->line, data + i, room)) {
                return cachet_err_set(err, CACHET_ERR_NOMEM, "header", -1, "out of memory");
            }
            i += room;
            s->offset += room;
            const uint8_t *l = s->line.data;
            if ((is_wsp(l[0]) && s->field.len > 0) || field_name_len(l, s->line.len) > 0) {
                return field_too_long(s, err);
            }
            cachet_status st = one_line(s, err);
            cachet_membuf_reset(&s->line);
            if (st != CACHET_OK) {
                return st;
            }
            break;
        }
        if (!cachet_membuf_append(&s->line, data + i, take)) {
            return cachet_err_set(err, CACHET_ERR_NOMEM, "header", -1, "out of memory");
        }
        i += take;
        s->offset += take;
        if (nl != NULL) {
            cachet_status st = one_line(s, err);
            cachet_membuf_reset(&s->line);
            if (st != CACHET_OK) {
                return st;
            }
        }
    }
    *used = i;
    return CACHET_OK;
}

cachet_status cachet_smime_split_end(cachet_smime_split *s, cachet_error *err) {
    if (s->done) {
        return CACHET_OK;
    }
    cachet_status st = CACHET_OK;
    if (s->line.len > 0) {
        st = one_line(s, err);
        cachet_membuf_reset(&s->line);
    }
    s->done = true;
    if (st == CACHET_OK) {
        st = flush_field(s, err);
    }
    return st;
}
