/* Streaming quoted-printable (RFC 2045 §6.7) and the CRLF canonicaliser. */
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

bool cachet_mime_qpdec_update(cachet_mime_qpdec *d, const uint8_t *in, size_t len, uint8_t *out,
                              size_t *out_len) {
    size_t o = 0;
    *out_len = 0;
    if (d->failed) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        int v;
        switch (d->st) {
            case QP_NORMAL:
                qp_normal(d, c, out, &o);
                break;
            case QP_CR:
                d->st = QP_NORMAL;
                if (c == '\n') {
                    d->ws_len = 0;
                    out[o++] = '\r';
                    out[o++] = '\n';
                } else {
                    o += qp_flush_ws(d, out + o);
                    out[o++] = '\r';
                    qp_normal(d, c, out, &o);
                }
                break;
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
                    d->failed = true;
                    return false;
                }
                break;
            case QP_EQ_HEX1:
                v = hex_value(c, &d->lowercase);
                if (v < 0) {
                    d->failed = true;
                    return false;
                }
                out[o++] = (uint8_t)((d->hex << 4) | v);
                d->st = QP_NORMAL;
                break;
            case QP_EQ_WS:
                if (c == '\n') {
                    d->st = QP_NORMAL;
                } else if (c == '\r') {
                    d->st = QP_EQ_CR;
                } else if (c != ' ' && c != '\t') {
                    d->failed = true;
                    return false;
                }
                break;
            default: /* QP_EQ_CR */
                if (c != '\n') {
                    d->failed = true;
                    return false;
                }
                d->st = QP_NORMAL;
                break;
        }
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

size_t cachet_mime_canon_update(cachet_mime_canon *c, const uint8_t *in, size_t len, uint8_t *out) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '\n' && !c->last_cr) {
            out[o++] = '\r';
        }
        out[o++] = in[i];
        c->last_cr = in[i] == '\r';
    }
    return o;
}
