/* The header section of one part: fields (RFC 5322 §2.2, folding §2.2.3), then
 * what the part is (RFC 2045 Content-Type / Content-Transfer-Encoding). */
#include <string.h>

#include "mime/internal.h"

enum { H_LINE_START, H_NAME, H_NAME_WSP, H_CR_START, H_VALUE, H_HTTP_LINE };

void cachet_mime_p_hdr_reset(cachet_mime_parser *p) {
    p->hs = H_LINE_START;
    p->fbuf.len = 0;
    p->lbuf.len = 0;
    p->name_len = 0;
    p->hdr_total = 0;
    p->ct_value.len = 0;
    p->cte_value.len = 0;
    p->ct_count = 0;
    p->cte_count = 0;
    p->saw_mime_version = false;
    p->part_anom = 0;
}

static bool is_name_char(uint8_t c) {
    return c >= 33 && c <= 126 && c != ':';
}

static cachet_mime_frame *top(cachet_mime_parser *p) {
    return &p->frames[p->nframes - 1];
}

static bool complete_field(cachet_mime_parser *p) {
    if (p->fbuf.len == 0) {
        return true;
    }
    cachet_mime_frame *f = top(p);
    const uint8_t *raw = p->fbuf.data;
    size_t rl = p->fbuf.len;
    if (!cachet_mime_p_emit(p, CACHET_MIME_OUT_RAW, p->nframes - 1, raw, rl)) {
        return false;
    }
    const uint8_t *colon = memchr(raw, ':', rl);
    size_t vstart = (size_t)(colon - raw) + 1;
    char *tmp = cachet_malloc(rl + 2);
    if (tmp == NULL) {
        return cachet_mime_p_fail(p, CACHET_ERR_NOMEM, "out of memory");
    }
    memcpy(tmp, raw, p->name_len);
    tmp[p->name_len] = '\0';
    char *val = tmp + p->name_len + 1;
    size_t vl = 0;
    for (size_t i = vstart; i < rl; i++) {
        uint8_t c = raw[i];
        if (c == '\n' || (c == '\r' && i + 1 < rl && raw[i + 1] == '\n')) {
            continue;
        }
        if (c >= 0x80) {
            p->part_anom |= CACHET_MIME_ANOM_HEADER_8BIT;
        } else if (c == 0 || c == '\r') {
            p->part_anom |= CACHET_MIME_ANOM_HEADER_NUL;
        }
        val[vl++] = (char)c;
    }
    size_t b = 0;
    while (b < vl && cachet_mime_is_wsp((unsigned char)val[b])) {
        b++;
    }
    while (vl > b && cachet_mime_is_wsp((unsigned char)val[vl - 1])) {
        vl--;
    }
    val += b;
    vl -= b;
    val[vl] = '\0';
    bool ok = true;
    cachet_membuf *save = NULL;
    if (cachet_mime_case_eq(tmp, p->name_len, "content-type")) {
        save = p->ct_count++ == 0 ? &p->ct_value : NULL;
    } else if (cachet_mime_case_eq(tmp, p->name_len, "content-transfer-encoding")) {
        save = p->cte_count++ == 0 ? &p->cte_value : NULL;
    } else if (cachet_mime_case_eq(tmp, p->name_len, "mime-version")) {
        p->saw_mime_version = true;
    }
    if (save != NULL && !cachet_membuf_append(save, val, vl)) {
        ok = cachet_mime_p_fail(p, CACHET_ERR_NOMEM, "out of memory");
    }
    if (ok && p->cb.header != NULL) {
        cachet_status st = p->cb.header(p->cb.arg, f->path, tmp, val, vl, raw, rl);
        if (st != CACHET_OK) {
            ok = cachet_mime_p_fail(p, st, "header callback failed");
        }
    }
    cachet_free(tmp);
    p->fbuf.len = 0;
    return ok;
}

static bool boundary_ok(cachet_mime_parser *p, const cachet_mime_param *bp) {
    if (bp == NULL) {
        return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED, "multipart without boundary");
    }
    if (bp->duplicated || bp->rfc2231) {
        /* MW-03: readers disagree on which value wins; refuse rather than guess. */
        return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED,
                                  "ambiguous boundary (duplicated or RFC 2231 form)");
    }
    if (bp->value_len == 0) {
        return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED, "empty boundary");
    }
    const char *ew = strstr(bp->value, "=?");
    if (ew != NULL && strstr(ew + 2, "?=") != NULL) {
        /* MW-03: a reader that decodes RFC 2047 words in parameters (MIME-tools
         * CPANSA-2026-116265) splits the body at other lines than we do. */
        return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED,
                                  "ambiguous boundary (RFC 2047 encoded word)");
    }
    if (bp->value_len > p->lim.max_boundary) {
        return cachet_mime_p_fail(p, CACHET_ERR_LIMIT, "boundary longer than %zu",
                                  p->lim.max_boundary);
    }
    for (size_t i = 0; i < bp->value_len; i++) {
        uint8_t c = (uint8_t)bp->value[i];
        if (c < 32 || c > 126) {
            return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED, "control byte in boundary");
        }
        bool bchar = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     strchr("'()+_,-./:=?", c) != NULL || (c == ' ' && i + 1 < bp->value_len);
        if (!bchar) {
            p->part_anom |= CACHET_MIME_ANOM_BOUNDARY_CHARS;
        }
    }
    return true;
}

static bool end_headers(cachet_mime_parser *p) {
    cachet_mime_frame *f = top(p);
    if (p->ct_count > 1 || p->cte_count > 1) {
        return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED,
                                  "more than one Content-Type or Content-Transfer-Encoding");
    }
    if (f->depth == 0 && !p->saw_mime_version) {
        p->part_anom |= CACHET_MIME_ANOM_NO_MIME_VERSION;
    }
    cachet_mime_ctype ct;
    bool present = false;
    if (p->ct_count == 1) {
        cachet_error e;
        cachet_err_clear(&e);
        cachet_status st = cachet_mime_parse_content_type((const char *)p->ct_value.data,
                                                          p->ct_value.len, &ct, &e);
        if (st == CACHET_ERR_NOMEM) {
            return cachet_mime_p_fail(p, st, "out of memory");
        }
        present = st == CACHET_OK;
        if (!present) {
            p->part_anom |= CACHET_MIME_ANOM_BAD_CONTENT_TYPE;
        }
    }
    if (!present) {
        /* RFC 2045 §5.2 and RFC 2046 §5.1.5 defaults. */
        const char *def = f->default_message ? "message/rfc822" : "text/plain; charset=us-ascii";
        if (cachet_mime_parse_content_type(def, strlen(def), &ct, NULL) != CACHET_OK) {
            return cachet_mime_p_fail(p, CACHET_ERR_NOMEM, "out of memory");
        }
    }
    p->part_anom |= ct.anomalies;
    f->cte = p->cte_count ? cachet_mime_parse_cte((const char *)p->cte_value.data, p->cte_value.len)
                          : CACHET_MIME_CTE_7BIT;
    bool multi = strcmp(ct.type, "multipart") == 0;
    bool message = strcmp(ct.type, "message") == 0 &&
                   (strcmp(ct.subtype, "rfc822") == 0 || strcmp(ct.subtype, "global") == 0);
    const char *boundary = NULL;
    if (multi) {
        const cachet_mime_param *bp = cachet_mime_params_find(&ct.params, "boundary");
        if (!boundary_ok(p, bp)) {
            cachet_mime_ctype_clear(&ct);
            return false;
        }
        boundary = bp->value;
    }
    bool descend = multi || (message && (p->cb.flags & CACHET_MIME_DESCEND_MESSAGE));
    cachet_mime_part_info info = {.path = f->path,
                                  .depth = f->depth,
                                  .ctype = &ct,
                                  .ctype_present = present,
                                  .cte = f->cte,
                                  .boundary = boundary,
                                  .anomalies = p->part_anom};
    p->anomalies |= p->part_anom;
    /* The header's raw bytes reach part_raw before headers_end, whatever the chunking. */
    if (!cachet_mime_p_flush(p)) {
        cachet_mime_ctype_clear(&ct);
        return false;
    }
    p->skip_decode = false;
    if (p->cb.headers_end != NULL) {
        p->in_headers_end = true;
        cachet_status st = p->cb.headers_end(p->cb.arg, &info, &descend);
        p->in_headers_end = false;
        if (st != CACHET_OK) {
            cachet_mime_ctype_clear(&ct);
            return cachet_mime_p_fail(p, st, "headers_end callback failed");
        }
    }
    descend = descend && (multi || message);
    bool identity = f->cte == CACHET_MIME_CTE_7BIT || f->cte == CACHET_MIME_CTE_8BIT ||
                    f->cte == CACHET_MIME_CTE_BINARY;
    if (descend && !identity) {
        cachet_mime_ctype_clear(&ct);
        return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED,
                                  "composite type with transfer encoding %s",
                                  cachet_mime_cte_name(f->cte));
    }
    cachet_mime_p_hdr_reset(p);
    if (descend && multi) {
        f->kind = CACHET_MIME_K_MULTI;
        f->state = CACHET_MIME_F_PREAMBLE;
        memcpy(f->boundary, boundary, strlen(boundary) + 1);
        f->blen = strlen(boundary);
        f->digest = strcmp(ct.subtype, "digest") == 0;
        cachet_mime_ctype_clear(&ct);
        return true;
    }
    cachet_mime_ctype_clear(&ct);
    if (descend) {
        f->kind = CACHET_MIME_K_MESSAGE;
        f->state = CACHET_MIME_F_CHILD;
        return cachet_mime_p_push(p);
    }
    f->kind = CACHET_MIME_K_LEAF;
    f->state = CACHET_MIME_F_BODY;
    f->no_decode = p->skip_decode;
    if ((multi || message) && !identity) {
        p->anomalies |= CACHET_MIME_ANOM_CTE_ON_LEAF_MULTI;
    }
    if (f->cte == CACHET_MIME_CTE_UNKNOWN) {
        p->anomalies |= CACHET_MIME_ANOM_UNKNOWN_CTE;
    }
    cachet_mime_b64dec_init(&f->b64);
    cachet_mime_qpdec_init(&f->qp);
    return true;
}

/* A line that cannot be a header field ends the header section and is body. */
/* An AS2 message (RFC 4130) is often stored as the HTTP request or response
 * that carried it: its first line is "POST /path HTTP/1.1" or "HTTP/1.1 200
 * OK", then the MIME header. Only that line, only first in the message: a line
 * that starts so is held to its end and skipped only if it is one. */
static bool http_start_prefix(const cachet_mime_parser *p) {
    static const char *const starts[] = {"POST ", "PUT ", "HTTP/1.0 ", "HTTP/1.1 "};
    if (p->nframes != 1 || p->hdr_total != p->lbuf.len) {
        return false;
    }
    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
        size_t n = strlen(starts[i]);
        if (p->lbuf.len > n && memcmp(p->lbuf.data, starts[i], n) == 0) {
            return true;
        }
    }
    return false;
}

static bool is_digit(uint8_t c) {
    return c >= '0' && c <= '9';
}

static bool is_http_version(const uint8_t *s, size_t n) {
    return n == 8 && (memcmp(s, "HTTP/1.0", 8) == 0 || memcmp(s, "HTTP/1.1", 8) == 0);
}

/* http_start_line_valid: |s| (|n| bytes, line end excluded) is "METHOD target
 * HTTP/1.x" (POST or PUT, a target without blanks) or "HTTP/1.x NNN[ reason]". */
static bool http_start_line_valid(const uint8_t *s, size_t n) {
    const uint8_t *sp1 = memchr(s, ' ', n);
    if (sp1 == NULL) {
        return false;
    }
    size_t first = (size_t)(sp1 - s), rest_len = n - first - 1;
    const uint8_t *rest = sp1 + 1;
    if (is_http_version(s, first)) {
        return rest_len >= 3 && is_digit(rest[0]) && is_digit(rest[1]) && is_digit(rest[2]) &&
               (rest_len == 3 || rest[3] == ' ');
    }
    if (!(first == 4 && memcmp(s, "POST", 4) == 0) && !(first == 3 && memcmp(s, "PUT", 3) == 0)) {
        return false;
    }
    const uint8_t *sp2 = memchr(rest, ' ', rest_len);
    if (sp2 == NULL || sp2 == rest) {
        return false;
    }
    size_t target_len = (size_t)(sp2 - rest);
    return is_http_version(sp2 + 1, rest_len - target_len - 1);
}

/* junk_body: a line that is no header field ends the header; it is body. */
static bool junk_body(cachet_mime_parser *p) {
    p->anomalies |= CACHET_MIME_ANOM_NO_BLANK_LINE;
    cachet_membuf line = p->lbuf;
    p->lbuf = (cachet_membuf){.max = line.max};
    bool ok = complete_field(p) && end_headers(p) && cachet_mime_p_consume(p, line.data, line.len);
    cachet_membuf_free(&line);
    return ok;
}

/* http_line_end: the held start line is complete (it ends in LF). */
static bool http_line_end(cachet_mime_parser *p) {
    size_t n = p->lbuf.len - 1;
    if (n > 0 && p->lbuf.data[n - 1] == '\r') {
        n--;
    }
    if (!http_start_line_valid(p->lbuf.data, n)) {
        return junk_body(p);
    }
    p->anomalies |= CACHET_MIME_ANOM_HTTP_START_LINE;
    p->lbuf.len = 0;
    p->hs = H_LINE_START;
    return true;
}

static bool junk_line(cachet_mime_parser *p) {
    if (!http_start_prefix(p)) {
        return junk_body(p);
    }
    /* The byte that made the line junk may be its LF: then it has ended. */
    if (p->lbuf.data[p->lbuf.len - 1] == '\n') {
        return http_line_end(p);
    }
    p->hs = H_HTTP_LINE;
    return true;
}

static bool blank_line(cachet_mime_parser *p, const char *eol) {
    return cachet_mime_p_emit(p, CACHET_MIME_OUT_RAW, p->nframes - 1, (const uint8_t *)eol,
                              strlen(eol)) &&
           end_headers(p);
}

/* A failed append is the field limit when the buffer is full, else memory. */
static bool field_append(cachet_mime_parser *p, cachet_membuf *b, const void *d, size_t n) {
    if (cachet_membuf_append(b, d, n)) {
        return true;
    }
    if (b->len + n > b->max) {
        return cachet_mime_p_fail(p, CACHET_ERR_LIMIT, "header field longer than %zu",
                                  p->lim.max_header_field);
    }
    return cachet_mime_p_fail(p, CACHET_ERR_NOMEM, "out of memory");
}

static bool lbuf_add(cachet_mime_parser *p, uint8_t c) {
    return field_append(p, &p->lbuf, &c, 1);
}

bool cachet_mime_p_hdr_byte(cachet_mime_parser *p, uint8_t c) {
    if (++p->hdr_total > p->lim.max_header_total) {
        return cachet_mime_p_fail(p, CACHET_ERR_LIMIT, "header section longer than %zu",
                                  p->lim.max_header_total);
    }
    switch (p->hs) {
        case H_LINE_START:
            if (cachet_mime_is_wsp(c) && p->fbuf.len > 0) {
                p->hs = H_VALUE;
                break;
            }
            if (!complete_field(p)) {
                return false;
            }
            if (c == '\n') {
                return blank_line(p, "\n");
            }
            p->lbuf.len = 0;
            if (!lbuf_add(p, c)) {
                return false;
            }
            if (c == '\r') {
                p->hs = H_CR_START;
                return true;
            }
            if (!is_name_char(c)) {
                return junk_line(p);
            }
            p->hs = H_NAME;
            return true;
        case H_NAME:
        case H_NAME_WSP:
            if (!lbuf_add(p, c)) {
                return false;
            }
            if (c == ':') {
                if (p->hs == H_NAME) {
                    p->name_len = p->lbuf.len - 1;
                } else {
                    p->part_anom |= CACHET_MIME_ANOM_HEADER_WSP_COLON;
                }
                p->fbuf.len = 0;
                if (!field_append(p, &p->fbuf, p->lbuf.data, p->lbuf.len)) {
                    return false;
                }
                p->lbuf.len = 0;
                p->hs = H_VALUE;
                return true;
            }
            if (cachet_mime_is_wsp(c)) {
                if (p->hs == H_NAME) {
                    p->name_len = p->lbuf.len - 1;
                }
                p->hs = H_NAME_WSP;
                return true;
            }
            if (p->hs == H_NAME && is_name_char(c)) {
                return true;
            }
            return junk_line(p);
        case H_CR_START:
            if (c == '\n') {
                p->lbuf.len = 0;
                return blank_line(p, "\r\n");
            }
            if (!lbuf_add(p, c)) {
                return false;
            }
            return junk_line(p);
        case H_HTTP_LINE:
            if (!lbuf_add(p, c)) {
                return false;
            }
            return c == '\n' ? http_line_end(p) : true;
        default: /* H_VALUE */
            if (c == '\n') {
                p->hs = H_LINE_START;
            }
            break;
    }
    return field_append(p, &p->fbuf, &c, 1);
}

bool cachet_mime_p_hdr_close(cachet_mime_parser *p) {
    switch (p->hs) {
        case H_LINE_START:
            return complete_field(p) && end_headers(p);
        case H_VALUE:
        case H_HTTP_LINE:
        default:
            /* The input ends inside the line: even a start-line prefix cannot wait
             * for its LF any more, so the line is body (fuzz_mime_parse F5-05). */
            return junk_body(p);
    }
}

void cachet_mime_parser_skip_decode(cachet_mime_parser *p) {
    if (p->in_headers_end) {
        p->skip_decode = true;
    }
}
