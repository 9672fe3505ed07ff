/* Streaming base64 (RFC 2045 §6.8, RFC 4648 alphabet).
 *
 * Speed: the decoder runs whole quanta of four alphabet characters through
 * lookup tables whenever it sits at a quantum boundary; anything else (line
 * breaks or whitespace inside a quantum, '=', invalid bytes, the last few bytes
 * of a chunk) goes through the careful one-character step, which alone decides
 * every error, so errors and state are those of a byte-at-a-time decoder. The
 * encoder writes whole 76-character lines from 57 input bytes. */
#include <string.h>

#include "mime/mime.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Character classes for the careful step: 0..63 alphabet values, then: */
enum { B64_WS = 64, B64_PAD = 65, B64_BAD = 255 };

/* Tables built by the preprocessor from one definition so they cannot disagree. */
#define B64_VAL(c)                                                                                 \
    ((c) >= 'A' && (c) <= 'Z'                                  ? (c) - 'A'                         \
     : (c) >= 'a' && (c) <= 'z'                                ? (c) - 'a' + 26                    \
     : (c) >= '0' && (c) <= '9'                                ? (c) - '0' + 52                    \
     : (c) == '+'                                              ? 62                                \
     : (c) == '/'                                              ? 63                                \
     : (c) == '\r' || (c) == '\n' || (c) == ' ' || (c) == '\t' ? B64_WS                            \
     : (c) == '='                                              ? B64_PAD                           \
                                                               : B64_BAD)
#define B64_T4(f, b) f(b), f((b) + 1), f((b) + 2), f((b) + 3)
#define B64_T16(f, b) B64_T4(f, b), B64_T4(f, (b) + 4), B64_T4(f, (b) + 8), B64_T4(f, (b) + 12)
#define B64_T64(f, b)                                                                              \
    B64_T16(f, b), B64_T16(f, (b) + 16), B64_T16(f, (b) + 32), B64_T16(f, (b) + 48)
#define B64_T256(f) B64_T64(f, 0), B64_T64(f, 64), B64_T64(f, 128), B64_T64(f, 192)

/* For the quantum path: each character's value already shifted to its place in
 * the 24-bit group, and a flag bit no valid combination can produce, so one OR
 * of four lookups both decodes and validates. */
#define B64_FLAG 0x80000000u

/* The static analysers see the tables' declarations only: the expansion is
 * millions of tokens, which cost cppcheck 182 s and clang-tidy 66 s on this file
 * alone, more than on all other files together (scripts/static-analysis.sh defines
 * __CPPCHECK__; clang-tidy defines __clang_analyzer__). The code that reads the
 * tables is still analysed. The compilers see the definitions, and test_mime_codec
 * checks every entry against the alphabet. */
#if defined(__CPPCHECK__) || defined(__clang_analyzer__)
#define B64_TABLES_DECLARED_ONLY
extern const uint8_t b64_class[256];
extern const uint32_t b64_d0[256], b64_d1[256], b64_d2[256], b64_d3[256];
extern const uint8_t b64_pairs[4096 * 2];
#else
/* The cast keeps clang from judging the branches not taken. */
#define B64_CLASS(c) ((uint8_t)(B64_VAL(c)))
static const uint8_t b64_class[256] = {B64_T256(B64_CLASS)};

#define B64_SHIFTED(c, s) (B64_VAL(c) < 64 ? (uint32_t)B64_VAL(c) << (s) : B64_FLAG)
#define B64_S18(c) B64_SHIFTED(c, 18)
#define B64_S12(c) B64_SHIFTED(c, 12)
#define B64_S6(c) B64_SHIFTED(c, 6)
#define B64_S0(c) B64_SHIFTED(c, 0)
static const uint32_t b64_d0[256] = {B64_T256(B64_S18)};
static const uint32_t b64_d1[256] = {B64_T256(B64_S12)};
static const uint32_t b64_d2[256] = {B64_T256(B64_S6)};
static const uint32_t b64_d3[256] = {B64_T256(B64_S0)};
#endif

static inline uint32_t b64_quad(const uint8_t *s) {
    return b64_d0[s[0]] | b64_d1[s[1]] | b64_d2[s[2]] | b64_d3[s[3]];
}

static inline void b64_put3(uint8_t *o, uint32_t w) {
    o[0] = (uint8_t)(w >> 16);
    o[1] = (uint8_t)(w >> 8);
    o[2] = (uint8_t)w;
}

void cachet_mime_b64dec_init(cachet_mime_b64dec *d) {
    d->acc = 0;
    d->n = 0;
    d->pad = 0;
    d->done = false;
    d->failed = false;
}

/* Big-endian stores spelt out byte by byte: compilers turn them into one
 * byte-swapped store where the target allows. */
static inline void b64_store_be64(uint8_t *o, uint64_t v) {
    o[0] = (uint8_t)(v >> 56);
    o[1] = (uint8_t)(v >> 48);
    o[2] = (uint8_t)(v >> 40);
    o[3] = (uint8_t)(v >> 32);
    o[4] = (uint8_t)(v >> 24);
    o[5] = (uint8_t)(v >> 16);
    o[6] = (uint8_t)(v >> 8);
    o[7] = (uint8_t)v;
}

static inline void b64_store_be32(uint8_t *o, uint32_t v) {
    o[0] = (uint8_t)(v >> 24);
    o[1] = (uint8_t)(v >> 16);
    o[2] = (uint8_t)(v >> 8);
    o[3] = (uint8_t)v;
}

/* Decodes whole quanta from a quantum boundary (n == 0, no padding seen), skipping
 * whitespace between quanta, which leaves the state as it is. Stops before
 * anything else the careful step must see; returns the bytes consumed. */
static size_t b64_dec_quanta(const uint8_t *in, size_t len, uint8_t *out, size_t *o) {
    const uint8_t *s = in, *end = in + len;
    uint8_t *w = out + *o;
    for (;;) {
        while (end - s >= 16) {
            uint32_t a = b64_quad(s), b = b64_quad(s + 4), c = b64_quad(s + 8),
                     e = b64_quad(s + 12);
            if (((a | b | c | e) & B64_FLAG) != 0) {
                break;
            }
            b64_store_be64(w, ((uint64_t)a << 40) | ((uint64_t)b << 16) | (c >> 8));
            b64_store_be32(w + 8, (c << 24) | e);
            w += 12;
            s += 16;
        }
        if (end - s < 4) {
            break;
        }
        uint32_t q = b64_quad(s);
        if ((q & B64_FLAG) != 0) {
            if (b64_class[*s] != B64_WS) {
                break;
            }
            do {
                s++;
            } while (s < end && b64_class[*s] == B64_WS);
            continue;
        }
        b64_put3(w, q);
        w += 3;
        s += 4;
    }
    *o = (size_t)(w - out);
    return (size_t)(s - in);
}

/* Padding closes a quantum of 2 or 3 characters; the bits the padding drops must
 * be zero so that each byte string has exactly one accepted encoding. */
static bool b64_close_padded(cachet_mime_b64dec *d, uint8_t *out, size_t *o) {
    if (d->n == 2) {
        if ((d->acc & 0xf) != 0) {
            return false;
        }
        out[(*o)++] = (uint8_t)(d->acc >> 4);
    } else {
        if ((d->acc & 0x3) != 0) {
            return false;
        }
        out[(*o)++] = (uint8_t)(d->acc >> 10);
        out[(*o)++] = (uint8_t)(d->acc >> 2);
    }
    return true;
}

/* The careful step: one character, every rule. False on invalid input. */
static bool b64_dec_step(cachet_mime_b64dec *d, uint8_t c, uint8_t *out, size_t *o) {
    uint8_t v = b64_class[c];
    if (v == B64_WS) {
        return true;
    }
    if (d->done) {
        return false;
    }
    if (v == B64_PAD) {
        /* "xx==" or "xxx=": padding may start only after 2 or 3 characters. */
        if (d->pad == 0 && (d->n == 2 || d->n == 3)) {
            d->pad = 1;
            if (d->n == 3) {
                if (!b64_close_padded(d, out, o)) {
                    return false;
                }
                d->done = true;
            }
            return true;
        }
        if (d->pad == 1 && d->n == 2) {
            if (!b64_close_padded(d, out, o)) {
                return false;
            }
            d->done = true;
            return true;
        }
        return false;
    }
    if (v == B64_BAD || d->pad != 0) {
        return false;
    }
    d->acc = (d->acc << 6) | v;
    d->n++;
    if (d->n == 4) {
        b64_put3(out + *o, d->acc);
        *o += 3;
        d->acc = 0;
        d->n = 0;
    }
    return true;
}

bool cachet_mime_b64dec_update(cachet_mime_b64dec *d, const uint8_t *in, size_t len, uint8_t *out,
                               size_t *out_len) {
    size_t o = 0;
    *out_len = 0;
    if (d->failed) {
        return false;
    }
    size_t i = 0;
    while (i < len) {
        /* done implies pad, so this is "at a boundary, data may follow". */
        if (d->n == 0 && d->pad == 0) {
            i += b64_dec_quanta(in + i, len - i, out, &o);
            if (i == len) {
                break;
            }
        }
        if (!b64_dec_step(d, in[i], out, &o)) {
            d->failed = true;
            return false;
        }
        i++;
    }
    *out_len = o;
    return true;
}

bool cachet_mime_b64dec_finish(cachet_mime_b64dec *d) {
    if (d->failed) {
        return false;
    }
    if (d->done) {
        return true;
    }
    return d->n == 0 && d->pad == 0;
}

void cachet_mime_b64enc_init(cachet_mime_b64enc *e) {
    e->n = 0;
    e->col = 0;
}

/* The two characters of every 12-bit value, so a quantum takes two lookups. */
#define B64_CHAR(v)                                                                                \
    ((v) < 26    ? 'A' + (v)                                                                       \
     : (v) < 52  ? 'a' + (v)-26                                                                    \
     : (v) < 62  ? '0' + (v)-52                                                                    \
     : (v) == 62 ? '+'                                                                             \
                 : '/')
#define B64_PAIR(k) (uint8_t) B64_CHAR((k) >> 6), (uint8_t)B64_CHAR((k)&63)
#define B64_P4(b) B64_PAIR(b), B64_PAIR((b) + 1), B64_PAIR((b) + 2), B64_PAIR((b) + 3)
#define B64_P16(b) B64_P4(b), B64_P4((b) + 4), B64_P4((b) + 8), B64_P4((b) + 12)
#define B64_P64(b) B64_P16(b), B64_P16((b) + 16), B64_P16((b) + 32), B64_P16((b) + 48)
#define B64_P256(b) B64_P64(b), B64_P64((b) + 64), B64_P64((b) + 128), B64_P64((b) + 192)
#define B64_P1024(b) B64_P256(b), B64_P256((b) + 256), B64_P256((b) + 512), B64_P256((b) + 768)
#define B64_P4096 B64_P1024(0), B64_P1024(1024), B64_P1024(2048), B64_P1024(3072)
#ifndef B64_TABLES_DECLARED_ONLY
static const uint8_t b64_pairs[4096 * 2] = {B64_P4096};
#endif

static inline void b64_enc3(const uint8_t *in, uint8_t *out) {
    uint32_t v = ((uint32_t)in[0] << 16) | ((uint32_t)in[1] << 8) | in[2];
    memcpy(out, b64_pairs + 2 * (v >> 12), 2);
    memcpy(out + 2, b64_pairs + 2 * (v & 0xfff), 2);
}

/* Two quanta from an 8-byte big-endian load (the last 2 bytes unused). */
static inline void b64_enc6(const uint8_t *in, uint8_t *out) {
    uint64_t v = ((uint64_t)in[0] << 56) | ((uint64_t)in[1] << 48) | ((uint64_t)in[2] << 40) |
                 ((uint64_t)in[3] << 32) | ((uint64_t)in[4] << 24) | ((uint64_t)in[5] << 16) |
                 ((uint64_t)in[6] << 8) | in[7];
    memcpy(out, b64_pairs + 2 * ((v >> 52) & 0xfff), 2);
    memcpy(out + 2, b64_pairs + 2 * ((v >> 40) & 0xfff), 2);
    memcpy(out + 4, b64_pairs + 2 * ((v >> 28) & 0xfff), 2);
    memcpy(out + 6, b64_pairs + 2 * ((v >> 16) & 0xfff), 2);
}

/* Writes one encoded quantum at the current column, ending the line at 76. */
static size_t b64_put(cachet_mime_b64enc *e, const uint8_t q[4], uint8_t *out) {
    out[0] = q[0];
    out[1] = q[1];
    out[2] = q[2];
    out[3] = q[3];
    e->col += 4;
    if (e->col >= 76) {
        out[4] = '\r';
        out[5] = '\n';
        e->col = 0;
        return 6;
    }
    return 4;
}

size_t cachet_mime_b64enc_update(cachet_mime_b64enc *e, const uint8_t *in, size_t len,
                                 uint8_t *out) {
    size_t o = 0, i = 0;
    uint8_t q[4];
    while (e->n != 0 && i < len) {
        e->buf[e->n++] = in[i++];
        if (e->n == 3) {
            b64_enc3(e->buf, q);
            o += b64_put(e, q, out + o);
            e->n = 0;
        }
    }
    /* Quanta up to the end of the current line, then whole lines. */
    while (e->col != 0 && len - i >= 3) {
        b64_enc3(in + i, q);
        o += b64_put(e, q, out + o);
        i += 3;
    }
    while (len - i >= 57) {
        uint8_t *w = out + o;
        /* Nine 8-byte loads give 18 quanta (6 bytes each, within the 57); one more. */
        const uint8_t *r = in + i;
        b64_enc6(r, w);
        b64_enc6(r + 6, w + 8);
        b64_enc6(r + 12, w + 16);
        b64_enc6(r + 18, w + 24);
        b64_enc6(r + 24, w + 32);
        b64_enc6(r + 30, w + 40);
        b64_enc6(r + 36, w + 48);
        b64_enc6(r + 42, w + 56);
        b64_enc6(r + 48, w + 64);
        b64_enc3(r + 54, w + 72);
        w[76] = '\r';
        w[77] = '\n';
        o += 78;
        i += 57;
    }
    while (len - i >= 3) {
        b64_enc3(in + i, q);
        o += b64_put(e, q, out + o);
        i += 3;
    }
    while (i < len) {
        e->buf[e->n++] = in[i++];
    }
    return o;
}

size_t cachet_mime_b64enc_finish(cachet_mime_b64enc *e, uint8_t *out) {
    size_t o = 0;
    if (e->n > 0) {
        uint32_t v = (uint32_t)e->buf[0] << 16;
        if (e->n == 2) {
            v |= (uint32_t)e->buf[1] << 8;
        }
        uint8_t q[4] = {(uint8_t)b64_alphabet[(v >> 18) & 63],
                        (uint8_t)b64_alphabet[(v >> 12) & 63],
                        e->n == 2 ? (uint8_t)b64_alphabet[(v >> 6) & 63] : '=', '='};
        o += b64_put(e, q, out);
        e->n = 0;
    }
    if (e->col > 0) {
        out[o++] = '\r';
        out[o++] = '\n';
        e->col = 0;
    }
    return o;
}
