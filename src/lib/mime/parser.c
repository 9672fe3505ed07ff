/* The streaming parser: a one-pass state machine over lines that finds boundary
 * delimiters (RFC 2046 §5.1.1), keeps a stack of open parts and sends every byte
 * to exactly one consumer (header, body, preamble, epilogue or delimiter).
 * The line break before a delimiter line belongs to the delimiter, so each line
 * break is held until the next line is known not to be a delimiter. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mime/internal.h"

enum { LS_START, LS_PLAIN, LS_AFTER_CR, LS_CAND, LS_DELIM };

void cachet_mime_limits_default(cachet_mime_limits *l) {
    l->max_header_field = 64 * 1024;
    l->max_header_total = 256 * 1024;
    l->max_depth = 32;
    l->max_parts = 10000;
    l->max_boundary = 70;
}

bool cachet_mime_p_fail(cachet_mime_parser *p, cachet_status st, const char *fmt, ...) {
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!p->failed) {
        const char *where = p->nframes > 0 ? p->frames[p->nframes - 1].path : "";
        cachet_err_set(&p->err, st, where, p->off, "%s", msg);
        p->failed = true;
    }
    return false;
}

bool cachet_mime_p_push(cachet_mime_parser *p) {
    cachet_mime_frame *parent = p->nframes ? &p->frames[p->nframes - 1] : NULL;
    size_t depth = parent ? parent->depth + 1 : 0;
    if (depth > p->lim.max_depth) {
        return cachet_mime_p_fail(p, CACHET_ERR_LIMIT, "MIME nesting deeper than %zu",
                                  p->lim.max_depth);
    }
    if (p->parts >= p->lim.max_parts) {
        return cachet_mime_p_fail(p, CACHET_ERR_LIMIT, "more than %zu MIME parts",
                                  p->lim.max_parts);
    }
    if (!cachet_mime_p_flush(p)) {
        return false;
    }
    cachet_mime_frame *f = &p->frames[p->nframes];
    memset(f, 0, sizeof(*f));
    f->depth = depth;
    f->state = CACHET_MIME_F_HDR;
    if (parent != NULL) {
        parent->children++;
        int w = parent->path[0]
                    ? snprintf(f->path, sizeof(f->path), "%s.%zu", parent->path, parent->children)
                    : snprintf(f->path, sizeof(f->path), "%zu", parent->children);
        if (w < 0 || (size_t)w >= sizeof(f->path)) {
            return cachet_mime_p_fail(p, CACHET_ERR_LIMIT, "MIME part path too long");
        }
        f->default_message = parent->digest;
    }
    p->nframes++;
    p->parts++;
    cachet_mime_p_hdr_reset(p);
    return true;
}

/* Ends the innermost part: its header if still open, its decoder, its event. */
static bool close_top(cachet_mime_parser *p) {
    cachet_mime_frame *f = &p->frames[p->nframes - 1];
    if (f->state == CACHET_MIME_F_HDR) {
        size_t before = p->nframes;
        if (!cachet_mime_p_hdr_close(p)) {
            return false;
        }
        if (p->nframes != before) {
            return true; /* an encapsulated message was opened: close it first */
        }
    }
    if (!cachet_mime_p_flush(p)) {
        return false;
    }
    if (f->kind == CACHET_MIME_K_MULTI && f->state != CACHET_MIME_F_EPILOGUE) {
        return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED,
                                  "multipart without close-delimiter \"--%s--\"", f->boundary);
    }
    if (f->nbytes == 0) {
        p->anomalies |= CACHET_MIME_ANOM_EMPTY_PART;
    }
    if (f->kind == CACHET_MIME_K_LEAF && !f->no_decode) {
        size_t dl = 0;
        bool ok = true;
        if (f->cte == CACHET_MIME_CTE_BASE64) {
            ok = cachet_mime_b64dec_finish(&f->b64);
        } else if (f->cte == CACHET_MIME_CTE_QP) {
            ok = cachet_mime_qpdec_finish(&f->qp, p->dec, &dl);
            if (f->qp.lowercase) {
                p->anomalies |= CACHET_MIME_ANOM_QP_LOWERCASE;
            }
        }
        if (!ok) {
            return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED, "%s body ends mid-sequence",
                                      cachet_mime_cte_name(f->cte));
        }
        if (dl > 0 && p->cb.body != NULL &&
            !cachet_mime_p_cb(p, p->cb.body(p->cb.arg, f->path, NULL, 0, p->dec, dl), "body")) {
            return false;
        }
    }
    if (p->cb.part_end != NULL &&
        !cachet_mime_p_cb(p, p->cb.part_end(p->cb.arg, f->path), "part_end")) {
        return false;
    }
    p->nframes--;
    return true;
}

static bool consume_byte(cachet_mime_parser *p, uint8_t c) {
    size_t level = p->nframes - 1;
    cachet_mime_frame *f = &p->frames[level];
    f->nbytes++;
    switch (f->state) {
        case CACHET_MIME_F_HDR:
            return cachet_mime_p_hdr_byte(p, c);
        case CACHET_MIME_F_BODY:
            return cachet_mime_p_emit(p, CACHET_MIME_OUT_BODY, level, &c, 1);
        case CACHET_MIME_F_PREAMBLE:
            return cachet_mime_p_emit(p, CACHET_MIME_OUT_PRE, level, &c, 1);
        case CACHET_MIME_F_EPILOGUE:
            return cachet_mime_p_emit(p, CACHET_MIME_OUT_EPI, level, &c, 1);
        default:
            return cachet_mime_p_fail(p, CACHET_ERR_INTERNAL, "byte for a part with a child");
    }
}

bool cachet_mime_p_consume(cachet_mime_parser *p, const uint8_t *d, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!consume_byte(p, d[i])) {
            return false;
        }
    }
    return true;
}

static bool release_held(cachet_mime_parser *p) {
    size_t n = p->held_len;
    p->held_len = 0;
    if (p->held_close) {
        /* The line break after a close-delimiter is syntax of the multipart, not
         * epilogue text, unless an outer delimiter claims it. */
        p->held_close = false;
        return cachet_mime_p_emit(p, CACHET_MIME_OUT_RAW, p->nframes - 1, p->held, n);
    }
    return cachet_mime_p_consume(p, p->held, n);
}

bool cachet_mime_p_boundary_active(const cachet_mime_frame *f) {
    return f->kind == CACHET_MIME_K_MULTI &&
           (f->state == CACHET_MIME_F_PREAMBLE || f->state == CACHET_MIME_F_CHILD ||
            f->state == CACHET_MIME_F_EPILOGUE);
}

/* The innermost multipart whose "--boundary" starts the candidate line wins;
 * -2 while an inner one could still match, -1 when none can. */
static long eval_cand(const cachet_mime_parser *p, bool final) {
    for (size_t k = p->nframes; k-- > 0;) {
        const cachet_mime_frame *f = &p->frames[k];
        if (!cachet_mime_p_boundary_active(f)) {
            continue;
        }
        size_t plen = 2 + f->blen;
        size_t m = p->cand_len < plen ? p->cand_len : plen;
        bool match = true;
        for (size_t i = 0; i < m && match; i++) {
            uint8_t want = i < 2 ? '-' : (uint8_t)f->boundary[i - 2];
            match = p->cand[i] == want;
        }
        if (!match) {
            continue;
        }
        if (p->cand_len >= plen) {
            return (long)k;
        }
        if (!final) {
            return -2;
        }
    }
    return -1;
}

static size_t active_count(const cachet_mime_parser *p) {
    size_t n = 0;
    for (size_t k = 0; k < p->nframes; k++) {
        n += cachet_mime_p_boundary_active(&p->frames[k]) ? 1 : 0;
    }
    return n;
}

static bool any_boundary(const cachet_mime_parser *p) {
    return active_count(p) > 0;
}

static bool process(cachet_mime_parser *p, uint8_t c);

/* A complete delimiter line of the multipart at frame |j|: held line break,
 * "--boundary", then dtail (rest of the line with its line break, if any). */
static bool do_delim(cachet_mime_parser *p) {
    size_t j = p->dlevel;
    cachet_mime_frame *mf = &p->frames[j];
    size_t tl = p->dtail_len;
    if (tl > 0 && p->dtail[tl - 1] == '\n') {
        tl--;
        if (tl > 0 && p->dtail[tl - 1] == '\r') {
            tl--;
        }
    }
    size_t eol = p->dtail_len - tl;
    size_t i = 0;
    bool close = tl >= 2 && p->dtail[0] == '-' && p->dtail[1] == '-';
    i = close ? 2 : 0;
    for (; i < tl; i++) {
        if (!cachet_mime_is_wsp(p->dtail[i])) {
            return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED,
                                      "text after boundary delimiter \"--%s\"", mf->boundary);
        }
        p->anomalies |= CACHET_MIME_ANOM_BOUNDARY_PADDING;
    }
    /* Close the parts this delimiter ends first, so that their last header bytes
     * come before the delimiter in every enclosing part's raw bytes. */
    uint8_t held_eol[2] = {p->held[0], p->held[1]};
    size_t held = p->held_len;
    p->held_len = 0;
    p->held_close = false;
    uint8_t tail[sizeof(p->dtail)];
    size_t tail_len = p->dtail_len;
    memcpy(tail, p->dtail, tail_len);
    p->dtail_len = 0;
    p->ls = LS_START;
    while (p->nframes - 1 > j) {
        if (!close_top(p)) {
            return false;
        }
    }
    /* After a close-delimiter the line break is held: the CRLF before an outer
     * delimiter belongs to that delimiter (RFC 2046 §5.1.1). */
    size_t keep = close ? tail_len - eol : tail_len;
    uint8_t dash[2] = {'-', '-'};
    if (!cachet_mime_p_emit(p, CACHET_MIME_OUT_RAW, j, held_eol, held) ||
        !cachet_mime_p_emit(p, CACHET_MIME_OUT_RAW, j, dash, 2) ||
        !cachet_mime_p_emit(p, CACHET_MIME_OUT_RAW, j, (const uint8_t *)mf->boundary, mf->blen) ||
        !cachet_mime_p_emit(p, CACHET_MIME_OUT_RAW, j, tail, keep)) {
        return false;
    }
    if (close && eol > 0) {
        memcpy(p->held, tail + keep, eol);
        p->held_len = eol;
        p->held_close = true;
    }
    if (mf->state == CACHET_MIME_F_EPILOGUE) {
        return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED,
                                  "boundary delimiter after the close-delimiter");
    }
    if (close) {
        if (mf->state == CACHET_MIME_F_PREAMBLE) {
            return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED, "multipart without body parts");
        }
        if (!cachet_mime_p_flush(p)) {
            return false;
        }
        mf->state = CACHET_MIME_F_EPILOGUE;
        return true;
    }
    mf->state = CACHET_MIME_F_CHILD;
    return cachet_mime_p_push(p);
}

/* NOLINTNEXTLINE(misc-no-recursion): replays a strict part of cand[80] */
static bool start_delim(cachet_mime_parser *p, size_t level) {
    const cachet_mime_frame *f = &p->frames[level];
    size_t plen = 2 + f->blen;
    uint8_t tail[sizeof(p->cand)];
    size_t n = p->cand_len - plen;
    memcpy(tail, p->cand + plen, n);
    p->cand_len = 0;
    p->dlevel = level;
    p->dtail_len = 0;
    p->ls = LS_DELIM;
    for (size_t i = 0; i < n; i++) {
        if (!process(p, tail[i])) {
            return false;
        }
    }
    return true;
}

/* NOLINTNEXTLINE(misc-no-recursion): replays a strict part of cand[80] */
static bool not_delim(cachet_mime_parser *p) {
    uint8_t line[sizeof(p->cand)];
    size_t n = p->cand_len;
    memcpy(line, p->cand, n);
    p->cand_len = 0;
    size_t before = active_count(p);
    if (!release_held(p)) {
        return false;
    }
    /* Not a delimiter of the boundaries known at the line start; but the held line
     * break may have ended a header defining a new one: look at the line again. */
    p->ls = active_count(p) != before ? LS_START : LS_PLAIN;
    for (size_t i = 0; i < n; i++) {
        if (!process(p, line[i])) {
            return false;
        }
    }
    return true;
}

/* NOLINTNEXTLINE(misc-no-recursion): replays are ever shorter parts of cand[80] */
static bool process(cachet_mime_parser *p, uint8_t c) {
    long r;
    switch (p->ls) {
        case LS_START:
            p->line_len = 0;
            if (!any_boundary(p)) {
                if (p->held_len > 0) {
                    /* The held line break may end a header that defines a boundary:
                     * then this line is checked against it. */
                    if (!release_held(p)) {
                        return false;
                    }
                    if (any_boundary(p)) {
                        return process(p, c);
                    }
                }
                p->ls = LS_PLAIN;
                return process(p, c);
            }
            p->ls = LS_CAND;
            p->cand_len = 0;
            /* fall through */
        case LS_CAND:
            p->cand[p->cand_len++] = c;
            r = eval_cand(p, false);
            if (r == -2) {
                return true;
            }
            return r >= 0 ? start_delim(p, (size_t)r) : not_delim(p);
        case LS_DELIM:
            if (p->dtail_len == sizeof(p->dtail)) {
                return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED, "boundary line too long");
            }
            p->dtail[p->dtail_len++] = c;
            return c == '\n' ? do_delim(p) : true;
        case LS_AFTER_CR:
            if (c == '\n') {
                p->held[0] = '\r';
                p->held[1] = '\n';
                p->held_len = 2;
                p->ls = LS_START;
                return true;
            }
            p->ls = LS_PLAIN;
            if (!cachet_mime_p_consume(p, (const uint8_t *)"\r", 1)) {
                return false;
            }
            return process(p, c);
        default: /* LS_PLAIN */
            if (++p->line_len == 999) {
                p->anomalies |= CACHET_MIME_ANOM_LONG_LINE;
            }
            if (c == '\r') {
                p->ls = LS_AFTER_CR;
                return true;
            }
            if (c == '\n') {
                p->anomalies |= CACHET_MIME_ANOM_BARE_LF;
                p->held[0] = '\n';
                p->held_len = 1;
                p->ls = LS_START;
                return true;
            }
            return cachet_mime_p_consume(p, &c, 1);
    }
}

cachet_mime_parser *cachet_mime_parser_new(const cachet_mime_limits *limits,
                                           const cachet_mime_callbacks *cb) {
    cachet_mime_parser *p = cachet_calloc(1, sizeof(*p));
    if (p == NULL) {
        return NULL;
    }
    cachet_mime_limits def;
    cachet_mime_limits_default(&def);
    p->lim = limits ? *limits : def;
    if (p->lim.max_header_field == 0) {
        p->lim.max_header_field = def.max_header_field;
    }
    if (p->lim.max_header_total == 0) {
        p->lim.max_header_total = def.max_header_total;
    }
    if (p->lim.max_depth == 0 || p->lim.max_depth > 64) {
        p->lim.max_depth = p->lim.max_depth == 0 ? def.max_depth : 64;
    }
    if (p->lim.max_parts == 0) {
        p->lim.max_parts = def.max_parts;
    }
    if (p->lim.max_boundary == 0 || p->lim.max_boundary > 70) {
        p->lim.max_boundary = 70;
    }
    if (cb != NULL) {
        p->cb = *cb;
    }
    cachet_err_clear(&p->err);
    p->fbuf.max = p->lim.max_header_field;
    p->lbuf.max = p->lim.max_header_field;
    p->ct_value.max = p->lim.max_header_field;
    p->cte_value.max = p->lim.max_header_field;
    p->frames = cachet_calloc(p->lim.max_depth + 1, sizeof(*p->frames));
    if (p->frames == NULL || !cachet_mime_p_push(p)) {
        cachet_mime_parser_free(p);
        return NULL;
    }
    p->ls = LS_START;
    return p;
}

void cachet_mime_parser_free(cachet_mime_parser *p) {
    if (p == NULL) {
        return;
    }
    cachet_membuf_free(&p->fbuf);
    cachet_membuf_free(&p->lbuf);
    cachet_membuf_free(&p->ct_value);
    cachet_membuf_free(&p->cte_value);
    cachet_free(p->frames);
    cachet_free(p);
}

cachet_status cachet_mime_parser_update(cachet_mime_parser *p, const uint8_t *data, size_t len) {
    if (p->failed) {
        return p->err.status;
    }
    if (p->finished) {
        return cachet_err_set(&p->err, CACHET_ERR_USAGE, "mime", p->off, "update after finish");
    }
    size_t i = 0;
    while (i < len) {
        if (p->ls == LS_PLAIN && p->frames[p->nframes - 1].state != CACHET_MIME_F_HDR) {
            /* Mid-line in text: whole lines at once where the next line is known
             * not to be a delimiter, else the rest of this line up to CR or LF. */
            size_t used = 0;
            if (!cachet_mime_p_lines(p, data + i, len - i, &used)) {
                return p->err.status;
            }
            i += used;
            const uint8_t *lf = memchr(data + i, '\n', len - i);
            size_t j = lf != NULL ? (size_t)(lf - data) : len;
            const uint8_t *cr = memchr(data + i, '\r', j - i);
            j = cr != NULL ? (size_t)(cr - data) : j;
            if (j - i > 1) {
                if (!cachet_mime_p_plain(p, data + i, j - i)) {
                    return p->err.status;
                }
                i = j;
                continue;
            }
            if (i == len) {
                break;
            }
        }
        if (!process(p, data[i])) {
            return p->err.status;
        }
        p->off++;
        i++;
    }
    if (!cachet_mime_p_flush(p)) {
        return p->err.status;
    }
    return CACHET_OK;
}

cachet_status cachet_mime_parser_finish(cachet_mime_parser *p) {
    if (p->failed) {
        return p->err.status;
    }
    if (p->finished) {
        return cachet_err_set(&p->err, CACHET_ERR_USAGE, "mime", p->off, "finish called twice");
    }
    p->finished = true;
    bool ok = true;
    long r;
    switch (p->ls) {
        case LS_AFTER_CR:
            p->ls = LS_PLAIN;
            ok = cachet_mime_p_consume(p, (const uint8_t *)"\r", 1);
            break;
        case LS_CAND:
            r = eval_cand(p, true);
            ok = r >= 0 ? start_delim(p, (size_t)r) && (p->ls != LS_DELIM || do_delim(p))
                        : not_delim(p);
            if (ok && p->ls == LS_AFTER_CR) {
                ok = cachet_mime_p_consume(p, (const uint8_t *)"\r", 1);
            }
            break;
        case LS_DELIM:
            ok = do_delim(p);
            break;
        default:
            break;
    }
    if (ok) {
        ok = release_held(p);
    }
    while (ok && p->nframes > 0) {
        ok = close_top(p);
    }
    if (!ok) {
        return p->err.status;
    }
    return CACHET_OK;
}

const cachet_error *cachet_mime_parser_error(const cachet_mime_parser *p) {
    return &p->err;
}

unsigned cachet_mime_parser_anomalies(const cachet_mime_parser *p) {
    return p->anomalies;
}
