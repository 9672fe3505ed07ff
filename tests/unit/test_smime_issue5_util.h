/* Helpers for the issue 5 smime tests (header-only, static): running an
 * encrypt/digest/sign op and a reading op over a buffer in a chosen chunking,
 * and building small DER objects by hand. */
#ifndef CACHET_TEST_SMIME_ISSUE5_UTIL_H
#define CACHET_TEST_SMIME_ISSUE5_UTIL_H

#include "base/base.h"
#include "test_smime_sign_util.h"

/* 2026-06-01T00:00:00Z: inside the validity of the RFC 4134 certificates. */
#define I5_TEST_TIME 1780272000

#define I5_TEXT "the eagle lands at dawn"
static const char *i5_message = "From: alice@example.com\r\n"
                                "To: bob@example.com\r\n"
                                "Subject: issue 5\r\n"
                                "Content-Type: text/plain; charset=us-ascii\r\n"
                                "\r\n" I5_TEXT "\r\n";

typedef struct i5_result {
    cachet_status st;
    cachet_membuf out;
    cachet_report *rep;
    cachet_error err;
} i5_result;

static inline void i5_result_free(i5_result *r) {
    cachet_membuf_free(&r->out);
    cachet_report_free(r->rep);
    memset(r, 0, sizeof(*r));
}

/* i5_feed pushes |in| in |mode| chunks and finishes the op, keeping the report. */
static inline cachet_status i5_feed(cachet_op *op, const uint8_t *in, size_t len, int mode,
                                    uint32_t seed, cachet_report **rep) {
    size_t i = 0;
    cachet_status st = CACHET_OK;
    while (st == CACHET_OK && i < len) {
        size_t n = len - i;
        if (mode == FEED_BYTES) {
            n = 1;
        } else if (mode == FEED_RANDOM) {
            size_t r = 1 + cachet_test_rand(&seed) % 700;
            n = r < n ? r : n;
        }
        st = cachet_op_update(op, in + i, n);
        i += n;
    }
    return cachet_op_finish(op, rep);
}

/* i5_encrypt runs cachet_encrypt_new over |msg| with a fresh context. */
static inline cachet_status i5_encrypt(const cachet_encrypt_opts *o, const char *msg, int mode,
                                       cachet_membuf *out, cachet_error *err) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_encrypt_new(ctx, o, &sink, err);
    cachet_status st = err->status;
    if (op != NULL) {
        st = i5_feed(op, (const uint8_t *)msg, strlen(msg), mode, 99, NULL);
        *err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    cachet_ctx_free(ctx);
    return st;
}

/* i5_decrypt runs cachet_decrypt_new over |in|; |allow_weak| for legacy vectors. */
static inline i5_result i5_decrypt(const cachet_decrypt_opts *o, const uint8_t *in, size_t len,
                                   int mode, bool allow_weak) {
    i5_result r = {0};
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_ctx_set_allow_weak(ctx, allow_weak);
    cachet_ctx_set_time(ctx, I5_TEST_TIME);
    cachet_sink sink = cachet_sink_membuf(&r.out);
    cachet_op *op = cachet_decrypt_new(ctx, o, &sink, &r.err);
    r.st = r.err.status;
    if (op != NULL) {
        r.st = i5_feed(op, in, len, mode, 4242, &r.rep);
        r.err = *cachet_op_error(op);
        cachet_op_free(op);
    } else if (r.st == CACHET_OK) {
        r.st = CACHET_ERR_INTERNAL;
    }
    cachet_ctx_free(ctx);
    return r;
}

/* i5_read runs a verify (or, with |inspect|, an inspect) op over |in|. */
static inline i5_result i5_read(const cachet_ctx *ctx, const cachet_verify_opts *vo, bool inspect,
                                const uint8_t *in, size_t len, int mode) {
    i5_result r = {0};
    cachet_sink sink = cachet_sink_membuf(&r.out);
    cachet_op *op = inspect ? cachet_inspect_new(ctx, vo->raw, &r.err)
                            : cachet_verify_new(ctx, vo, &sink, &r.err);
    r.st = r.err.status;
    if (op != NULL) {
        r.st = i5_feed(op, in, len, mode, 777, &r.rep);
        r.err = *cachet_op_error(op);
        cachet_op_free(op);
    } else if (r.st == CACHET_OK) {
        r.st = CACHET_ERR_INTERNAL;
    }
    return r;
}

static inline bool i5_find(const cachet_membuf *b, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; b->data != NULL && i + n <= b->len; i++) {
        if (memcmp(b->data + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

static inline const cachet_layer_report *i5_layer(const i5_result *r, size_t i) {
    return r->rep != NULL && i < r->rep->num_layers ? &r->rep->layers[i] : NULL;
}

/* i5_der_header appends a DER tag and length. */
static inline void i5_der_header(cachet_membuf *b, uint8_t tag, size_t len) {
    uint8_t h[6] = {tag};
    size_t n = 1;
    if (len < 0x80) {
        h[n++] = (uint8_t)len;
    } else if (len < 0x100) {
        h[n++] = 0x81;
        h[n++] = (uint8_t)len;
    } else if (len < 0x10000) {
        h[n++] = 0x82;
        h[n++] = (uint8_t)(len >> 8);
        h[n++] = (uint8_t)len;
    } else {
        h[n++] = 0x83;
        h[n++] = (uint8_t)(len >> 16);
        h[n++] = (uint8_t)(len >> 8);
        h[n++] = (uint8_t)len;
    }
    cachet_membuf_append(b, h, n);
}

/* i5_id_data wraps |content| in ContentInfo{id-data, [0] OCTET STRING} (DER). */
static inline void i5_id_data(const uint8_t *content, size_t len, cachet_membuf *out) {
    static const uint8_t oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
    cachet_membuf os = {0}, ctx0 = {0};
    i5_der_header(&os, 0x04, len);
    cachet_membuf_append(&os, content, len);
    i5_der_header(&ctx0, 0xa0, os.len);
    cachet_membuf_append(&ctx0, os.data, os.len);
    i5_der_header(out, 0x30, sizeof(oid) + ctx0.len);
    cachet_membuf_append(out, oid, sizeof(oid));
    cachet_membuf_append(out, ctx0.data, ctx0.len);
    cachet_membuf_free(&os);
    cachet_membuf_free(&ctx0);
}

/* i5_base64 encodes |in| in 76-column CRLF lines (OpenSSL's encoder). */
static inline void i5_base64(const uint8_t *in, size_t len, cachet_membuf *out) {
    for (size_t i = 0; i < len; i += 57) {
        size_t n = len - i < 57 ? len - i : 57;
        unsigned char line[80];
        int w = EVP_EncodeBlock(line, in + i, (int)n);
        cachet_membuf_append(out, line, (size_t)w);
        cachet_membuf_append(out, "\r\n", 2);
    }
}

#endif
