/* Streaming quoted-printable (RFC 2045 §6.7) and the CRLF canonicaliser. */
#include <string.h>

#include "mime/mime.h"

enum { QP_NORMAL, QP_CR, QP_EQ, QP_EQ_HEX1, QP_EQ_WS, QP_EQ_CR };

static int hex_value(uint8_t c, bool *lower) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        *lower = true;
        return c - 'a' + 10;
    }
    return -1;
}

void cachet_mime_qpdec_init(cachet_mime_qpdec *d) {
    d->st = QP_NORMAL;
    d->hex = 0;
    d->lowercase = false;
    d->failed = false;
    d->ws_len = 0;
}

static size_t qp_flush_ws(cachet_mime_qpdec *d, uint8_t *out) {
    size_t n = d->ws_len;
    for (size_t i = 0; i < n; i++) {
        out[i] = d->ws[i];
    }
    d->ws_len = 0;
    return n;
}

/* One byte in the NORMAL state; whitespace is held back because rule 3 makes
 * whitespace before a line break transport padding, not data. */
static void qp_normal(cachet_mime_qpdec *d, uint8_t c, uint8_t *out, size_t *o) {
    if (c == ' ' || c == '\t') {
        if (d->ws_len == CACHET_MIME_QP_MAX_WS) {
            *o += qp_flush_ws(d, out + *o);
        }
        d->ws[d->ws_len++] = c;
        return;
    }
    if (c == '\n') {
        d->ws_len = 0;
        out[(*o)++] = '\n';
        return;
    }
    if (c == '\r') {
        d->st = QP_CR;
        return;
    }
    *o += qp_flush_ws(d, out + *o);
    if (c == '=') {
        d->st = QP_EQ;
        return;
    }
    out[(*o)++] = c;
}

/* The careful step: one byte in any state, every rule. False on invalid input. */
static bool qp_step(cachet_mime_qpdec *d, uint8_t c, uint8_t *out, size_t *o) {
    int v;
    switch (d->st) {
        case QP_NORMAL:
            qp_normal(d, c, out, o);
            return true;
        case QP_CR:
            d->st = QP_NORMAL;
            if (c == '\n') {
                d->ws_len = 0;
                out[(*o)++] = '\r';
                out[(*o)++] = '\n';
            } else {
                *o += qp_flush_ws(d, out + *o);
                out[(*o)++] = '\r';
                qp_normal(d, c, out, o);
            }
            return true;
        case QP_EQ:
            v = hex_value(c, &d->lowercase);
            if (v >= 0) {
                d->hex = (uint8_t)v;
                d->st = QP_EQ_HEX1;
            } else if (c == '\n') {
                d->st = QP_NORMAL;
            } else if (c == '\r') {
                d->st = QP_EQ_CR;
            } else if (c == ' ' || c == '\t') {
                d->st = QP_EQ_WS;
            } else {
                return false;
            }
            return true;
        case QP_EQ_HEX1:
            v = hex_value(c, &d->lowercase);
            if (v < 0) {
                return false;
            }
            out[(*o)++] = (uint8_t)((d->hex << 4) | v);
            d->st = QP_NORMAL;
            return true;
        case QP_EQ_WS:
            if (c == '\n') {
                d->st = QP_NORMAL;
            } else if (c == '\r') {
                d->st = QP_EQ_CR;
            } else if (c != ' ' && c != '\t') {
                return false;
            }
            return true;
        default: /* QP_EQ_CR */
            if (c != '\n') {
                return false;
            }
            d->st = QP_NORMAL;
            return true;
    }
}

/* Byte classes for the fast path: literal data, whitespace, or anything else. */
enum { QC_LIT = 0, QC_WS = 1, QC_OTHER = 2 };
#define QP_CLASS(c)                                                                                \
    ((c) == ' ' || (c) == '\t'                  ? QC_WS                                            \
     : (c) == '\r' || (c) == '\n' || (c) == '=' ? QC_OTHER                                         \
                                                : QC_LIT)
/* Hex digit values; lowercase digits carry 0x10, non-digits are 0xff. */
#define QP_HEX(c)                                                                                  \
    ((c) >= '0' && (c) <= '9'   ? (c) - '0'                                                        \
     : (c) >= 'A' && (c) <= 'F' ? (c) - 'A' + 10                                                   \
     : (c) >= 'a' && (c) <= 'f' ? ((c) - 'a' + 10) | 0x10                                          \
                                : 0xff)
#define QP_T4(f, b) f(b), f((b) + 1), f((b) + 2), f((b) + 3)
#define QP_T16(f, b) QP_T4(f, b), QP_T4(f, (b) + 4), QP_T4(f, (b) + 8), QP_T4(f, (b) + 12)
#define QP_T64(f, b) QP_T16(f, b), QP_T16(f, (b) + 16), QP_T16(f, (b) + 32), QP_T16(f, (b) + 48)
#define QP_T256(f) QP_T64(f, 0), QP_T64(f, 64), QP_T64(f, 128), QP_T64(f, 192)
static const uint8_t qp_class[256] = {QP_T256(QP_CLASS)};
#define QP_HEX8(c) ((uint8_t)(QP_HEX(c)))
static const uint8_t qp_hex[256] = {QP_T256(QP_HEX8)};

/* From the NORMAL state with no whitespace held: copies literal runs, "=XX",
 * soft breaks "=" CRLF / "=" LF, hard breaks, and whitespace runs that data
 * follows (not trailing, so kept as they are), each exactly as the careful step
 * would decode it and leaving the same state. Stops at whatever needs that step
 * (trailing or chunk-final whitespace, a "=" sequence split or invalid, a lone
 * CR) and returns the new input position. */
static size_t qp_fast(cachet_mime_qpdec *d, const uint8_t *in, size_t i, size_t len, uint8_t *out,
                      size_t *o) {
    size_t k = *o;
    while (i < len) {
        uint8_t c = in[i];
        uint8_t cls = qp_class[c];
        if (cls == QC_LIT) {
            out[k++] = c;
            i++;
            continue;
        }
        if (cls == QC_WS) {
            size_t j = i + 1;
            while (j < len && qp_class[in[j]] == QC_WS) {
                j++;
            }
            if (j == len || in[j] == '\r' || in[j] == '\n') {
                break;
            }
            while (i < j) {
                out[k++] = in[i++];
            }
            continue;
        }
        if (c == '\n') {
            out[k++] = '\n';
            i++;
        } else if (c == '\r') {
            if (len - i < 2 || in[i + 1] != '\n') {
                break;
            }
            out[k++] = '\r';
            out[k++] = '\n';
            i += 2;
        } else if (len - i >= 3 && (qp_hex[in[i + 1]] | qp_hex[in[i + 2]]) < 0x20) {
            uint8_t h = qp_hex[in[i + 1]], l = qp_hex[in[i + 2]];
            if (((h | l) & 0x10) != 0) {
                d->lowercase = true;
            }
            out[k++] = (uint8_t)(((h & 15) << 4) | (l & 15));
            i += 3;
        } else if (len - i >= 2 && in[i + 1] == '\n') {
            i += 2;
        } else if (len - i >= 3 && in[i + 1] == '\r' && in[i + 2] == '\n') {
            i += 3;
        } else {
            break;
        }
    }
    *o = k;
    return i;
}

bool cachet_mime_qpdec_update(cachet_mime_qpdec *d, const uint8_t *in, size_t len, uint8_t *out,
                              size_t *out_len) {
    size_t o = 0;
    *out_len = 0;
    if (d->failed) {
        return false;
    }
    size_t i = 0;
    while (i < len) {
        if (d->st == QP_NORMAL && d->ws_len == 0) {
            i = qp_fast(d, in, i, len, out, &o);
            if (i == len) {
                break;
            }
        }
        if (!qp_step(d, in[i], out, &o)) {
            d->failed = true;
            return false;
        }
        i++;
    }
    *out_len = o;
    return true;
}

bool cachet_mime_qpdec_finish(cachet_mime_qpdec *d, uint8_t *out, size_t *out_len) {
    *out_len = 0;
    if (d->failed || d->st == QP_EQ_HEX1 || d->st == QP_EQ_CR) {
        d->failed = true;
        return false;
    }
    size_t o = 0;
    if (d->st == QP_CR) {
        /* A lone CR at the very end is data, and so is the whitespace before it. */
        o += qp_flush_ws(d, out);
        out[o++] = '\r';
    }
    d->ws_len = 0;
    d->st = QP_NORMAL;
    *out_len = o;
    return true;
}

static const char hex_upper[] = "0123456789ABCDEF";

void cachet_mime_qpenc_init(cachet_mime_qpenc *e, bool text) {
    e->col = 0;
    e->text = text;
    e->pend_cr = false;
    e->pend_ws = -1;
}

/* Writes one input byte as a literal or "=XX", breaking the line softly first when
 * it would pass 75 characters (76 with the '=' of the soft break). */
static size_t qp_put(cachet_mime_qpenc *e, uint8_t c, bool force_encode, uint8_t *out) {
    size_t o = 0;
    for (int pass = 0; pass < 2; pass++) {
        bool enc = force_encode || c == '=' || c < 33 || c > 126;
        if (e->col == 0 && (c == 'F' || c == '.')) {
            enc = true;
        }
        if (c == ' ' || c == '\t') {
            enc = force_encode;
        }
        size_t t = enc ? 3 : 1;
        if (pass == 0 && e->col + t > 75) {
            out[o++] = '=';
            out[o++] = '\r';
            out[o++] = '\n';
            e->col = 0;
            continue;
        }
        if (enc) {
            out[o++] = '=';
            out[o++] = (uint8_t)hex_upper[c >> 4];
            out[o++] = (uint8_t)hex_upper[c & 15];
        } else {
            out[o++] = c;
        }
        e->col += t;
        break;
    }
    return o;
}

static size_t qp_flush_pending_ws(cachet_mime_qpenc *e, bool before_break, uint8_t *out) {
    if (e->pend_ws < 0) {
        return 0;
    }
    uint8_t ws = (uint8_t)e->pend_ws;
    e->pend_ws = -1;
    return qp_put(e, ws, before_break, out);
}

static size_t qp_hard_break(cachet_mime_qpenc *e, uint8_t *out) {
    size_t o = qp_flush_pending_ws(e, true, out);
    out[o++] = '\r';
    out[o++] = '\n';
    e->col = 0;
    return o;
}

size_t cachet_mime_qpenc_update(cachet_mime_qpenc *e, const uint8_t *in, size_t len, uint8_t *out) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (e->text && e->pend_cr) {
            e->pend_cr = false;
            if (c == '\n') {
                o += qp_hard_break(e, out + o);
                continue;
            }
            o += qp_flush_pending_ws(e, false, out + o);
            o += qp_put(e, '\r', true, out + o);
        }
        if (e->text && c == '\r') {
            e->pend_cr = true;
            continue;
        }
        if (e->text && c == '\n') {
            o += qp_hard_break(e, out + o);
            continue;
        }
        o += qp_flush_pending_ws(e, false, out + o);
        if (c == ' ' || c == '\t') {
            e->pend_ws = c;
            continue;
        }
        o += qp_put(e, c, false, out + o);
    }
    return o;
}

size_t cachet_mime_qpenc_finish(cachet_mime_qpenc *e, uint8_t *out) {
    size_t o = 0;
    if (e->pend_cr) {
        e->pend_cr = false;
        o += qp_flush_pending_ws(e, false, out + o);
        o += qp_put(e, '\r', true, out + o);
    }
    /* Whitespace at the very end of the body is trailing whitespace too. */
    o += qp_flush_pending_ws(e, true, out + o);
    return o;
}

void cachet_mime_canon_init(cachet_mime_canon *c) {
    c->last_cr = false;
}

/* Copies runs between bare LFs whole: memchr finds each LF, and only a bare one
 * interrupts the run to insert its CR. */
size_t cachet_mime_canon_update(cachet_mime_canon *c, const uint8_t *in, size_t len, uint8_t *out) {
    if (len == 0) {
        return 0;
    }
    size_t o = 0, start = 0, i = 0;
    while (i < len) {
        const uint8_t *nl = memchr(in + i, '\n', len - i);
        if (nl == NULL) {
            break;
        }
        size_t p = (size_t)(nl - in);
        bool cr_before = p > 0 ? in[p - 1] == '\r' : c->last_cr;
        if (!cr_before) {
            memcpy(out + o, in + start, p - start);
            o += p - start;
            out[o++] = '\r';
            start = p;
        }
        i = p + 1;
    }
    memcpy(out + o, in + start, len - start);
    o += len - start;
    c->last_cr = in[len - 1] == '\r';
    return o;
}

size_t cachet_mime_canon_prefix(const cachet_mime_canon *c, const uint8_t *data, size_t len) {
    size_t i = 0;
    while (i < len) {
        const uint8_t *nl = memchr(data + i, '\n', len - i);
        if (nl == NULL) {
            return len;
        }
        size_t at = (size_t)(nl - data);
        bool cr = at > 0 ? data[at - 1] == '\r' : c->last_cr;
        if (!cr) {
            return at;
        }
        i = at + 1;
    }
    return len;
}

void cachet_mime_canon_skip(cachet_mime_canon *c, const uint8_t *data, size_t len) {
    if (len > 0) {
        c->last_cr = data[len - 1] == '\r';
    }
}
