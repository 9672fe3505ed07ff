/* Streaming zlib (RFC 1950) used by CompressedData. */
#include <stdlib.h>

#include <zlib.h>

#include "crypto/crypto.h"
#include "testlib.h"

static void make_input(uint8_t *buf, size_t len) {
    uint32_t rs = 4242;
    for (size_t i = 0; i < len; i++) {
        /* Mostly text-like so it compresses, with some noise. */
        buf[i] = (i % 97 < 80) ? (uint8_t)('a' + i % 26) : (uint8_t)cachet_test_rand(&rs);
    }
}

/* feed pushes |in| through |z| whole (mode 0), byte by byte (1) or in random chunks (2). */
static cachet_status feed(cachet_zstream *z, const uint8_t *in, size_t len, int mode,
                          const cachet_sink *sink, cachet_error *err) {
    uint32_t rs = 99;
    size_t off = 0;
    while (off < len) {
        size_t n = mode == 0 ? len : mode == 1 ? 1 : 1 + cachet_test_rand(&rs) % 5000;
        if (n > len - off) {
            n = len - off;
        }
        cachet_status st = cachet_zstream_update(z, in + off, n, sink, err);
        if (st != CACHET_OK) {
            return st;
        }
        off += n;
    }
    return CACHET_OK;
}

static void compress_then_decompress_round_trips_in_every_chunking(void) {
    size_t len = 300 * 1024; /* several 64 KiB scratch buffers of output */
    uint8_t *in = malloc(len);
    make_input(in, len);
    for (int cmode = 0; cmode < 3; cmode++) {
        cachet_membuf comp = {0};
        cachet_sink cs = cachet_sink_membuf(&comp);
        cachet_zstream *z = cachet_zstream_new(true, NULL);
        CHECK(z != NULL);
        CHECK_EQ_INT(feed(z, in, len, cmode == 1 ? 2 : cmode, &cs, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_zstream_finish(z, &cs, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_zstream_total_in(z), len);
        CHECK_EQ_INT(cachet_zstream_total_out(z), comp.len);
        CHECK(comp.len < len / 2);
        cachet_zstream_free(z);

        /* zlib's own one-shot inflate agrees: the output is standard zlib format. */
        uLongf ref_len = (uLongf)len;
        uint8_t *ref = malloc(len);
        CHECK_EQ_INT(uncompress(ref, &ref_len, comp.data, (uLong)comp.len), Z_OK);
        CHECK_MEM(ref, ref_len, in, len);
        free(ref);

        for (int dmode = 0; dmode < 3; dmode++) {
            cachet_membuf plain = {0};
            cachet_sink ps = cachet_sink_membuf(&plain);
            z = cachet_zstream_new(false, NULL);
            CHECK_EQ_INT(feed(z, comp.data, comp.len, dmode, &ps, NULL), CACHET_OK);
            CHECK_EQ_INT(cachet_zstream_finish(z, &ps, NULL), CACHET_OK);
            CHECK_MEM(plain.data, plain.len, in, len);
            CHECK_EQ_INT(cachet_zstream_total_in(z), comp.len);
            CHECK_EQ_INT(cachet_zstream_total_out(z), len);
            cachet_zstream_free(z);
            cachet_membuf_free(&plain);
        }
        cachet_membuf_free(&comp);
    }
    free(in);
}

static cachet_membuf compress_ref(const uint8_t *in, size_t len) {
    cachet_membuf out = {0};
    uLongf n = compressBound((uLong)len);
    cachet_membuf_reserve(&out, n);
    compress(out.data, &n, in, (uLong)len);
    out.len = n;
    return out;
}

static void truncated_stream_fails_at_finish(void) {
    uint8_t in[4000];
    make_input(in, sizeof(in));
    cachet_membuf comp = compress_ref(in, sizeof(in));
    for (size_t cut = 1; cut < comp.len; cut += comp.len / 7 + 1) {
        cachet_sink null = cachet_sink_null();
        cachet_zstream *z = cachet_zstream_new(false, NULL);
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(cachet_zstream_update(z, comp.data, comp.len - cut, &null, &err), CACHET_OK);
        CHECK_EQ_INT(cachet_zstream_finish(z, &null, &err), CACHET_ERR_MALFORMED);
        CHECK(strstr(err.message, "truncated") != NULL);
        cachet_zstream_free(z);
    }
    cachet_membuf_free(&comp);
}

static void trailing_garbage_is_rejected(void) {
    uint8_t in[1000];
    make_input(in, sizeof(in));
    cachet_membuf comp = compress_ref(in, sizeof(in));
    size_t good = comp.len;
    cachet_membuf_append(&comp, "XYZ", 3);
    for (int mode = 0; mode < 2; mode++) {
        cachet_sink null = cachet_sink_null();
        cachet_zstream *z = cachet_zstream_new(false, NULL);
        cachet_error err;
        cachet_err_clear(&err);
        cachet_status st;
        if (mode == 0) {
            /* garbage in the same chunk as the end of the stream */
            st = cachet_zstream_update(z, comp.data, comp.len, &null, &err);
        } else {
            /* garbage arriving in a later call */
            CHECK_EQ_INT(cachet_zstream_update(z, comp.data, good, &null, &err), CACHET_OK);
            st = cachet_zstream_update(z, comp.data + good, 3, &null, &err);
        }
        CHECK_EQ_INT(st, CACHET_ERR_MALFORMED);
        CHECK(strstr(err.message, "trailing") != NULL);
        cachet_zstream_free(z);
    }
    cachet_membuf_free(&comp);
}

static void corrupt_stream_is_malformed(void) {
    static const uint8_t junk[] = {0x78, 0x9c, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01};
    cachet_sink null = cachet_sink_null();
    cachet_zstream *z = cachet_zstream_new(false, NULL);
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_zstream_update(z, junk, sizeof(junk), &null, &err), CACHET_ERR_MALFORMED);
    /* A failed stream stays failed. */
    CHECK(cachet_zstream_update(z, junk, 1, &null, NULL) != CACHET_OK);
    cachet_zstream_free(z);
    /* Raw deflate without the zlib header is not the RFC 1950 format. */
    z = cachet_zstream_new(false, NULL);
    static const uint8_t raw[] = {0x4b, 0x4c, 0x4a, 0x06, 0x00};
    CHECK_EQ_INT(cachet_zstream_update(z, raw, sizeof(raw), &null, NULL), CACHET_ERR_MALFORMED);
    cachet_zstream_free(z);
}

static cachet_status refusing_write(void *arg, const uint8_t *data, size_t len) {
    (void)arg;
    (void)data;
    (void)len;
    return CACHET_ERR_LIMIT;
}

static void sink_failure_is_reported(void) {
    uint8_t in[2000];
    make_input(in, sizeof(in));
    cachet_membuf comp = compress_ref(in, sizeof(in));
    cachet_sink bad = {.write = refusing_write};
    cachet_zstream *z = cachet_zstream_new(false, NULL);
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_zstream_update(z, comp.data, comp.len, &bad, &err), CACHET_ERR_LIMIT);
    cachet_zstream_free(z);
    cachet_membuf_free(&comp);
}

static void empty_input_compresses_to_valid_stream(void) {
    cachet_membuf comp = {0};
    cachet_sink cs = cachet_sink_membuf(&comp);
    cachet_zstream *z = cachet_zstream_new(true, NULL);
    CHECK_EQ_INT(cachet_zstream_finish(z, &cs, NULL), CACHET_OK);
    cachet_zstream_free(z);
    cachet_membuf plain = {0};
    cachet_sink ps = cachet_sink_membuf(&plain);
    z = cachet_zstream_new(false, NULL);
    CHECK_EQ_INT(cachet_zstream_update(z, comp.data, comp.len, &ps, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_zstream_finish(z, &ps, NULL), CACHET_OK);
    CHECK_EQ_INT(plain.len, 0);
    CHECK_EQ_INT(cachet_zstream_total_out(z), 0);
    cachet_zstream_free(z);
    cachet_membuf_free(&comp);
    cachet_membuf_free(&plain);
}

static const cachet_test_case tests[] = {
    TEST_CASE(compress_then_decompress_round_trips_in_every_chunking),
    TEST_CASE(truncated_stream_fails_at_finish),
    TEST_CASE(trailing_garbage_is_rejected),
    TEST_CASE(corrupt_stream_is_malformed),
    TEST_CASE(sink_failure_is_reported),
    TEST_CASE(empty_input_compresses_to_valid_stream),
};
TEST_MAIN(tests)
