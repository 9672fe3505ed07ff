/* Naive byte-at-a-time reference codecs and differential checkers for the MIME
 * codecs (base64 decode/encode, quoted-printable decode, CRLF canonical form,
 * 7-bit check), shared by tests/unit/test_mime_codec_fast.c and the fuzz target
 * fuzz/fuzz_mime_codecs.c. The references follow the rules of mime.h one byte at a
 * time; a checker feeds the real codec the given chunks and the reference the
 * same bytes, and after every chunk compares output, success, the state struct
 * (sticky state included) and, on failure, the failing byte: the real codec must
 * fail in the chunk holding the reference's failing byte, and replaying that
 * chunk byte by byte from the state before it must stop at that byte. Output
 * buffers are allocated at exactly the documented maximum so that a sanitizer
 * sees any overrun. */
#ifndef CACHET_TEST_MIME_CODEC_REF_H
#define CACHET_TEST_MIME_CODEC_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime/mime.h"

typedef struct cref_buf {
    uint8_t *data;
    size_t len, cap;
} cref_buf;

/* Never NULL, so that data + 0 is defined. */
static inline cref_buf cref_new(void) {
    cref_buf b = {malloc(256), 0, 256};
    if (b.data == NULL) {
        abort();
    }
    return b;
}

static inline void cref_put(cref_buf *b, uint8_t c) {
    if (b->len == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 256;
        b->data = realloc(b->data, b->cap);
        if (b->data == NULL) {
            abort();
        }
    }
    b->data[b->len++] = c;
}

static inline void cref_append(cref_buf *b, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        cref_put(b, p[i]);
    }
}

static inline bool cref_eq(const void *a, const void *b, size_t n) {
    return n == 0 || memcmp(a, b, n) == 0;
}

static inline uint8_t *cref_alloc(size_t n) {
    uint8_t *p = malloc(n ? n : 1);
    if (p == NULL) {
        abort();
    }
    return p;
}

/* ---- References ---------------------------------------------------------- */

typedef struct cref_b64dec {
    uint32_t acc;
    uint8_t n, pad;
    bool done, failed;
} cref_b64dec;

static inline int cref_b64_value(uint8_t c) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int k = 0; k < 64; k++) {
        if ((uint8_t)alphabet[k] == c) {
            return k;
        }
    }
    return -1;
}

static inline bool cref_is_b64_space(uint8_t c) {
    return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

/* False (and failed set) on the byte that makes the input invalid. */
static inline bool cref_b64dec_byte(cref_b64dec *r, uint8_t c, cref_buf *out) {
    if (r->failed) {
        return false;
    }
    if (cref_is_b64_space(c)) {
        return true;
    }
    int v = cref_b64_value(c);
    if (r->done || (c != '=' && v < 0) || (v >= 0 && r->pad)) {
        r->failed = true;
        return false;
    }
    if (v >= 0) {
        r->acc = (r->acc << 6) | (uint32_t)v;
        if (++r->n == 4) {
            cref_put(out, (uint8_t)(r->acc >> 16));
            cref_put(out, (uint8_t)(r->acc >> 8));
            cref_put(out, (uint8_t)r->acc);
            r->acc = 0;
            r->n = 0;
        }
        return true;
    }
    /* '=': the first after 2 or 3 characters, the second only after 2. */
    if (r->pad == 0 && r->n == 2) {
        r->pad = 1;
        return true;
    }
    if ((r->pad == 0 && r->n == 3) || (r->pad == 1 && r->n == 2)) {
        r->pad = 1;
        uint32_t dropped = r->n == 3 ? (r->acc & 3) : (r->acc & 15);
        if (dropped != 0) {
            r->failed = true;
            return false;
        }
        if (r->n == 3) {
            cref_put(out, (uint8_t)(r->acc >> 10));
            cref_put(out, (uint8_t)(r->acc >> 2));
        } else {
            cref_put(out, (uint8_t)(r->acc >> 4));
        }
        r->done = true;
        return true;
    }
    r->failed = true;
    return false;
}

static inline bool cref_b64dec_finish(const cref_b64dec *r) {
    return !r->failed && (r->done || (r->n == 0 && r->pad == 0));
}

typedef struct cref_b64enc {
    uint8_t buf[3];
    uint8_t n;
    size_t col;
} cref_b64enc;

static inline void cref_b64enc_quad(cref_b64enc *r, const char q[4], cref_buf *out) {
    cref_append(out, (const uint8_t *)q, 4);
    r->col += 4;
    if (r->col == 76) {
        cref_append(out, (const uint8_t *)"\r\n", 2);
        r->col = 0;
    }
}

static inline char cref_b64_char(uint32_t v) {
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[v & 63];
}

static inline void cref_b64enc_byte(cref_b64enc *r, uint8_t c, cref_buf *out) {
    r->buf[r->n++] = c;
    if (r->n == 3) {
        uint32_t v = ((uint32_t)r->buf[0] << 16) | ((uint32_t)r->buf[1] << 8) | r->buf[2];
        char q[4] = {cref_b64_char(v >> 18), cref_b64_char(v >> 12), cref_b64_char(v >> 6),
                     cref_b64_char(v)};
        cref_b64enc_quad(r, q, out);
        r->n = 0;
    }
}

static inline void cref_b64enc_finish(cref_b64enc *r, cref_buf *out) {
    if (r->n > 0) {
        uint32_t v = ((uint32_t)r->buf[0] << 16) | (r->n == 2 ? (uint32_t)r->buf[1] << 8 : 0);
        char q[4] = {cref_b64_char(v >> 18), cref_b64_char(v >> 12),
                     r->n == 2 ? cref_b64_char(v >> 6) : '=', '='};
        cref_b64enc_quad(r, q, out);
        r->n = 0;
    }
    if (r->col > 0) {
        cref_append(out, (const uint8_t *)"\r\n", 2);
        r->col = 0;
    }
}

/* Quoted-printable states; the numbering mirrors codec_qp.c so that the state
 * structs can be compared. */
enum { CREF_QP_NORMAL, CREF_QP_CR, CREF_QP_EQ, CREF_QP_EQ_HEX1, CREF_QP_EQ_WS, CREF_QP_EQ_CR };

typedef struct cref_qpdec {
    int st;
    int hex;
    bool lowercase, failed;
    size_t ws_len;
    uint8_t ws[CACHET_MIME_QP_MAX_WS];
} cref_qpdec;

static inline int cref_hex(cref_qpdec *r, uint8_t c) {
    if (c >= 'a' && c <= 'f') {
        r->lowercase = true;
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return c >= '0' && c <= '9' ? c - '0' : -1;
}

static inline void cref_qp_release_ws(cref_qpdec *r, cref_buf *out) {
    cref_append(out, r->ws, r->ws_len);
    r->ws_len = 0;
}

/* A byte of line content in the NORMAL state. */
static inline void cref_qp_normal(cref_qpdec *r, uint8_t c, cref_buf *out) {
    if (c == ' ' || c == '\t') {
        if (r->ws_len == CACHET_MIME_QP_MAX_WS) {
            cref_qp_release_ws(r, out);
        }
        r->ws[r->ws_len++] = c;
    } else if (c == '\n') {
        r->ws_len = 0; /* trailing whitespace is dropped */
        cref_put(out, c);
    } else if (c == '\r') {
        r->st = CREF_QP_CR;
    } else {
        cref_qp_release_ws(r, out);
        if (c == '=') {
            r->st = CREF_QP_EQ;
        } else {
            cref_put(out, c);
        }
    }
}

static inline bool cref_qpdec_byte(cref_qpdec *r, uint8_t c, cref_buf *out) {
    if (r->failed) {
        return false;
    }
    int st = r->st;
    bool bad = false;
    if (st == CREF_QP_NORMAL) {
        cref_qp_normal(r, c, out);
    } else if (st == CREF_QP_CR) {
        r->st = CREF_QP_NORMAL;
        if (c == '\n') {
            r->ws_len = 0;
            cref_append(out, (const uint8_t *)"\r\n", 2);
        } else {
            cref_qp_release_ws(r, out);
            cref_put(out, '\r');
            cref_qp_normal(r, c, out);
        }
    } else if (st == CREF_QP_EQ) {
        int v = cref_hex(r, c);
        if (v >= 0) {
            r->hex = v;
            r->st = CREF_QP_EQ_HEX1;
        } else if (c == '\n' || c == '\r') {
            r->st = c == '\n' ? CREF_QP_NORMAL : CREF_QP_EQ_CR;
        } else if (c == ' ' || c == '\t') {
            r->st = CREF_QP_EQ_WS;
        } else {
            bad = true;
        }
    } else if (st == CREF_QP_EQ_HEX1) {
        int v = cref_hex(r, c);
        if (v < 0) {
            bad = true;
        } else {
            cref_put(out, (uint8_t)(r->hex * 16 + v));
            r->st = CREF_QP_NORMAL;
        }
    } else if (st == CREF_QP_EQ_WS) {
        if (c == '\n' || c == '\r') {
            r->st = c == '\n' ? CREF_QP_NORMAL : CREF_QP_EQ_CR;
        } else if (c != ' ' && c != '\t') {
            bad = true;
        }
    } else if (c == '\n') { /* CREF_QP_EQ_CR */
        r->st = CREF_QP_NORMAL;
    } else {
        bad = true;
    }
    r->failed = bad;
    return !bad;
}

static inline bool cref_qpdec_finish(cref_qpdec *r, cref_buf *out) {
    if (r->failed || r->st == CREF_QP_EQ_HEX1 || r->st == CREF_QP_EQ_CR) {
        r->failed = true;
        return false;
    }
    if (r->st == CREF_QP_CR) {
        cref_qp_release_ws(r, out);
        cref_put(out, '\r');
    }
    r->ws_len = 0;
    r->st = CREF_QP_NORMAL;
    return true;
}

static inline void cref_canon_byte(bool *last_cr, uint8_t c, cref_buf *out) {
    if (c == '\n' && !*last_cr) {
        cref_put(out, '\r');
    }
    cref_put(out, c);
    *last_cr = c == '\r';
}

/* As cachet_mime_7bit_update for one byte, fields included. */
static inline void cref_7bit_byte(cachet_mime_7bit_check *r, uint8_t b) {
    if (!r->ok) {
        return;
    }
    bool was_cr = r->prev_cr;
    r->prev_cr = b == '\r';
    if (b == '\n') {
        r->ok = was_cr; /* a bare LF fails but still ends the line */
        r->line_len = 0;
    } else if (was_cr || b == 0 || b >= 128) {
        r->ok = false;
    } else if (b != '\r') {
        r->ok = ++r->line_len <= 998;
    }
}

/* ---- Differential checkers ------------------------------------------------
 * Each returns true when the real codec matched the reference over |in| cut
 * into |nchunks| pieces of the given lengths (summing to |len|), else false with
 * the difference in |why|. |*fail_at| (where given) gets the reference's
 * failing byte index or -1. */

#define CREF_DIFF(...)                                                                             \
    do {                                                                                           \
        snprintf(why, why_len, __VA_ARGS__);                                                       \
        same = false;                                                                              \
        goto done;                                                                                 \
    } while (0)

static inline bool cref_same_b64dec(const cachet_mime_b64dec *d, const cref_b64dec *r) {
    return d->acc == r->acc && d->n == r->n && d->pad == r->pad && d->done == r->done &&
           d->failed == r->failed;
}

static inline bool cref_check_b64dec(const uint8_t *in, size_t len, const size_t *chunks,
                                     size_t nchunks, long long *fail_at, char *why,
                                     size_t why_len) {
    cachet_mime_b64dec d;
    cachet_mime_b64dec_init(&d);
    cref_b64dec r = {0};
    cref_buf ref = cref_new();
    uint8_t *o = NULL;
    bool same = true;
    long long rf = -1;
    size_t pos = 0;
    for (size_t c = 0; c < nchunks && rf < 0; c++) {
        size_t n = chunks[c], ref_start = ref.len, ol = 99;
        cachet_mime_b64dec before = d;
        o = cref_alloc(CACHET_MIME_B64DEC_MAX(n));
        bool ok = cachet_mime_b64dec_update(&d, in + pos, n, o, &ol);
        for (size_t k = 0; k < n && rf < 0; k++) {
            if (!cref_b64dec_byte(&r, in[pos + k], &ref)) {
                rf = (long long)(pos + k);
            }
        }
        if (rf >= 0) {
            if (ok || ol != 0) {
                CREF_DIFF("b64dec: chunk at %zu accepted, reference fails at %lld", pos, rf);
            }
            size_t k = 0;
            for (; k < n; k++) {
                uint8_t t[CACHET_MIME_B64DEC_MAX(1)];
                size_t tl;
                if (!cachet_mime_b64dec_update(&before, in + pos + k, 1, t, &tl)) {
                    break;
                }
            }
            if ((long long)(pos + k) != rf) {
                CREF_DIFF("b64dec: replay fails at %zu, reference at %lld", pos + k, rf);
            }
            if (cachet_mime_b64dec_update(&d, in, len > 0 ? 1 : 0, o, &ol) || ol != 0 ||
                cachet_mime_b64dec_finish(&d)) {
                CREF_DIFF("b64dec: failure not sticky");
            }
        } else if (!ok || ol != ref.len - ref_start || !cref_eq(o, ref.data + ref_start, ol)) {
            CREF_DIFF("b64dec: chunk at %zu (%zu bytes): ok=%d out %zu, reference %zu", pos, n, ok,
                      ol, ref.len - ref_start);
        }
        if (!cref_same_b64dec(&d, &r)) {
            CREF_DIFF("b64dec: state after chunk at %zu differs", pos);
        }
        free(o);
        o = NULL;
        pos += n;
    }
    if (rf < 0 && cachet_mime_b64dec_finish(&d) != cref_b64dec_finish(&r)) {
        CREF_DIFF("b64dec: finish differs (reference %d)", cref_b64dec_finish(&r));
    }
done:
    if (fail_at != NULL) {
        *fail_at = rf;
    }
    free(o);
    free(ref.data);
    return same;
}

static inline bool cref_check_b64enc(const uint8_t *in, size_t len, const size_t *chunks,
                                     size_t nchunks, char *why, size_t why_len) {
    cachet_mime_b64enc e;
    cachet_mime_b64enc_init(&e);
    cref_b64enc r = {{0}, 0, 0};
    cref_buf ref = cref_new();
    uint8_t *o = NULL;
    bool same = true;
    size_t pos = 0;
    (void)len;
    for (size_t c = 0; c <= nchunks; c++) {
        size_t n = c < nchunks ? chunks[c] : 0, ref_start = ref.len, ol;
        if (c < nchunks) {
            o = cref_alloc(CACHET_MIME_B64ENC_MAX(n));
            ol = cachet_mime_b64enc_update(&e, in + pos, n, o);
            for (size_t k = 0; k < n; k++) {
                cref_b64enc_byte(&r, in[pos + k], &ref);
            }
        } else {
            o = cref_alloc(CACHET_MIME_B64ENC_FINISH_MAX);
            ol = cachet_mime_b64enc_finish(&e, o);
            cref_b64enc_finish(&r, &ref);
        }
        if (ol != ref.len - ref_start || !cref_eq(o, ref.data + ref_start, ol)) {
            CREF_DIFF("b64enc: output of chunk %zu at %zu differs", c, pos);
        }
        if (e.n != r.n || e.col != r.col || !cref_eq(e.buf, r.buf, r.n)) {
            CREF_DIFF("b64enc: state after chunk %zu differs", c);
        }
        free(o);
        o = NULL;
        pos += n;
    }
done:
    free(o);
    free(ref.data);
    return same;
}

static inline bool cref_same_qpdec(const cachet_mime_qpdec *d, const cref_qpdec *r) {
    return d->st == r->st && (r->st != CREF_QP_EQ_HEX1 || d->hex == r->hex) &&
           d->lowercase == r->lowercase && d->failed == r->failed && d->ws_len == r->ws_len &&
           cref_eq(d->ws, r->ws, r->ws_len);
}

static inline bool cref_check_qpdec(const uint8_t *in, size_t len, const size_t *chunks,
                                    size_t nchunks, long long *fail_at, char *why, size_t why_len) {
    static cachet_mime_qpdec d, before; /* large: off the stack */
    static cref_qpdec r;
    cachet_mime_qpdec_init(&d);
    memset(&r, 0, sizeof(r));
    cref_buf ref = cref_new();
    uint8_t *o = NULL;
    bool same = true;
    long long rf = -1;
    size_t pos = 0;
    for (size_t c = 0; c < nchunks && rf < 0; c++) {
        size_t n = chunks[c], ref_start = ref.len, ol = 99;
        before = d;
        o = cref_alloc(CACHET_MIME_QPDEC_MAX(n));
        bool ok = cachet_mime_qpdec_update(&d, in + pos, n, o, &ol);
        for (size_t k = 0; k < n && rf < 0; k++) {
            if (!cref_qpdec_byte(&r, in[pos + k], &ref)) {
                rf = (long long)(pos + k);
            }
        }
        if (rf >= 0) {
            if (ok || ol != 0) {
                CREF_DIFF("qpdec: chunk at %zu accepted, reference fails at %lld", pos, rf);
            }
            size_t k = 0;
            for (; k < n; k++) {
                uint8_t t[CACHET_MIME_QPDEC_MAX(1)];
                size_t tl;
                if (!cachet_mime_qpdec_update(&before, in + pos + k, 1, t, &tl)) {
                    break;
                }
            }
            if ((long long)(pos + k) != rf) {
                CREF_DIFF("qpdec: replay fails at %zu, reference at %lld", pos + k, rf);
            }
            if (cachet_mime_qpdec_update(&d, in, len > 0 ? 1 : 0, o, &ol) || ol != 0) {
                CREF_DIFF("qpdec: failure not sticky");
            }
        } else if (!ok || ol != ref.len - ref_start || !cref_eq(o, ref.data + ref_start, ol)) {
            CREF_DIFF("qpdec: chunk at %zu (%zu bytes): ok=%d out %zu, reference %zu", pos, n, ok,
                      ol, ref.len - ref_start);
        }
        if (!cref_same_qpdec(&d, &r)) {
            CREF_DIFF("qpdec: state after chunk at %zu differs", pos);
        }
        free(o);
        o = NULL;
        pos += n;
    }
    size_t ref_start = ref.len, ol = 99;
    o = cref_alloc(CACHET_MIME_QPDEC_MAX(0));
    bool fin = cachet_mime_qpdec_finish(&d, o, &ol);
    bool ref_fin = cref_qpdec_finish(&r, &ref);
    if (fin != ref_fin ||
        (fin && (ol != ref.len - ref_start || !cref_eq(o, ref.data + ref_start, ol)))) {
        CREF_DIFF("qpdec: finish differs (reference %d)", ref_fin);
    }
    if (!cref_same_qpdec(&d, &r)) {
        CREF_DIFF("qpdec: state after finish differs");
    }
done:
    if (fail_at != NULL) {
        *fail_at = rf;
    }
    free(o);
    free(ref.data);
    return same;
}

static inline bool cref_check_canon(const uint8_t *in, size_t len, const size_t *chunks,
                                    size_t nchunks, char *why, size_t why_len) {
    cachet_mime_canon cn;
    cachet_mime_canon_init(&cn);
    bool last_cr = false, same = true;
    cref_buf ref = cref_new();
    uint8_t *o = NULL;
    size_t pos = 0;
    (void)len;
    for (size_t c = 0; c < nchunks; c++) {
        size_t n = chunks[c], ref_start = ref.len;
        o = cref_alloc(CACHET_MIME_CANON_MAX(n));
        size_t ol = cachet_mime_canon_update(&cn, in + pos, n, o);
        for (size_t k = 0; k < n; k++) {
            cref_canon_byte(&last_cr, in[pos + k], &ref);
        }
        if (ol != ref.len - ref_start || !cref_eq(o, ref.data + ref_start, ol) ||
            cn.last_cr != last_cr) {
            CREF_DIFF("canon: chunk at %zu (%zu bytes) differs", pos, n);
        }
        free(o);
        o = NULL;
        pos += n;
    }
done:
    free(o);
    free(ref.data);
    return same;
}

static inline bool cref_check_7bit(const uint8_t *in, size_t len, const size_t *chunks,
                                   size_t nchunks, bool *result, char *why, size_t why_len) {
    cachet_mime_7bit_check c, r;
    cachet_mime_7bit_init(&c);
    cachet_mime_7bit_init(&r);
    bool same = true;
    size_t pos = 0;
    (void)len;
    for (size_t k = 0; k < nchunks; k++) {
        cachet_mime_7bit_update(&c, in + pos, chunks[k]);
        for (size_t i = 0; i < chunks[k]; i++) {
            cref_7bit_byte(&r, in[pos + i]);
        }
        if (c.ok != r.ok || c.prev_cr != r.prev_cr || c.line_len != r.line_len) {
            CREF_DIFF("7bit: state after chunk at %zu differs: ok %d/%d line %zu/%zu", pos, c.ok,
                      r.ok, c.line_len, r.line_len);
        }
        pos += chunks[k];
    }
    if (cachet_mime_7bit_result(&c) != (r.ok && !r.prev_cr)) {
        CREF_DIFF("7bit: result differs");
    }
done:
    if (result != NULL) {
        *result = r.ok && !r.prev_cr;
    }
    return same;
}

#endif
