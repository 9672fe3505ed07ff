/* Streaming base64 (RFC 2045 §6.8, RFC 4648 alphabet). */
#include "mime/mime.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(uint8_t c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

void cachet_mime_b64dec_init(cachet_mime_b64dec *d) {
    d->acc = 0;
    d->n = 0;
    d->pad = 0;
    d->done = false;
    d->failed = false;
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

bool cachet_mime_b64dec_update(cachet_mime_b64dec *d, const uint8_t *in, size_t len, uint8_t *out,
                               size_t *out_len) {
    size_t o = 0;
    *out_len = 0;
    if (d->failed) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
            continue;
        }
        if (d->done) {
            d->failed = true;
            return false;
        }
        if (c == '=') {
            /* "xx==" or "xxx=": padding may start only after 2 or 3 characters. */
            if (d->pad == 0 && (d->n == 2 || d->n == 3)) {
                d->pad = 1;
                if (d->n == 3) {
                    if (!b64_close_padded(d, out, &o)) {
                        d->failed = true;
                        return false;
                    }
                    d->done = true;
                }
                continue;
            }
            if (d->pad == 1 && d->n == 2) {
                if (!b64_close_padded(d, out, &o)) {
                    d->failed = true;
                    return false;
                }
                d->done = true;
                continue;
            }
            d->failed = true;
            return false;
        }
        int v = b64_value(c);
        if (v < 0 || d->pad != 0) {
            d->failed = true;
            return false;
        }
        d->acc = (d->acc << 6) | (uint32_t)v;
        d->n++;
        if (d->n == 4) {
            out[o++] = (uint8_t)(d->acc >> 16);
            out[o++] = (uint8_t)(d->acc >> 8);
            out[o++] = (uint8_t)d->acc;
            d->acc = 0;
            d->n = 0;
        }
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

static size_t b64_put(cachet_mime_b64enc *e, const char q[4], uint8_t *out) {
    size_t o = 0;
    for (int i = 0; i < 4; i++) {
        out[o++] = (uint8_t)q[i];
    }
    e->col += 4;
    if (e->col >= 76) {
        out[o++] = '\r';
        out[o++] = '\n';
        e->col = 0;
    }
    return o;
}

size_t cachet_mime_b64enc_update(cachet_mime_b64enc *e, const uint8_t *in, size_t len,
                                 uint8_t *out) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        e->buf[e->n++] = in[i];
        if (e->n == 3) {
            uint32_t v = ((uint32_t)e->buf[0] << 16) | ((uint32_t)e->buf[1] << 8) | e->buf[2];
            char q[4] = {b64_alphabet[(v >> 18) & 63], b64_alphabet[(v >> 12) & 63],
                         b64_alphabet[(v >> 6) & 63], b64_alphabet[v & 63]};
            o += b64_put(e, q, out + o);
            e->n = 0;
        }
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
        char q[4] = {b64_alphabet[(v >> 18) & 63], b64_alphabet[(v >> 12) & 63],
                     e->n == 2 ? b64_alphabet[(v >> 6) & 63] : '=', '='};
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
