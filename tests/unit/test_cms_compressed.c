/* CompressedData (RFC 3274): round trips in every feed mode, our output read by
 * OpenSSL's CMS parser and zlib, hand-built DER from zlib read by us, and the
 * decompressed-size and ratio caps (ATTACKS GW-08). */
#include <openssl/cms.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cms/compressed.h"
#include "testlib.h"

typedef enum feed_mode { FEED_WHOLE, FEED_BYTES, FEED_RANDOM } feed_mode;

static size_t next_chunk(feed_mode mode, size_t remaining, uint32_t *rng) {
    size_t n;
    if (mode == FEED_WHOLE) {
        return remaining;
    }
    if (mode == FEED_BYTES) {
        return 1;
    }
    n = 1 + cachet_test_rand(rng) % 1000;
    return n < remaining ? n : remaining;
}

static cachet_status compress_buf(const uint8_t *in, size_t len, feed_mode mode,
                                  cachet_membuf *out) {
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_error err;
    cachet_cms_compress *c;
    uint32_t rng = 1;
    size_t off = 0;
    cachet_status st = CACHET_OK;
    cachet_err_clear(&err);
    c = cachet_cms_compress_new(CACHET_OID_UNKNOWN, &sink, &err);
    if (c == NULL) {
        return err.status;
    }
    while (st == CACHET_OK && off < len) {
        size_t n = next_chunk(mode, len - off, &rng);
        st = cachet_cms_compress_update(c, in + off, n, &err);
        off += n;
    }
    if (st == CACHET_OK) {
        st = cachet_cms_compress_finish(c, &err);
    }
    cachet_cms_compress_free(c);
    return st;
}

static cachet_status decompress_buf(const uint8_t *in, size_t len, feed_mode mode,
                                    const cachet_cms_limits *limits, cachet_membuf *out,
                                    cachet_layer_report *rep, cachet_error *err) {
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_cms_decompress *d = cachet_cms_decompress_new(limits, &sink, err);
    uint32_t rng = 2;
    size_t off = 0;
    cachet_status st = CACHET_OK;
    if (d == NULL) {
        return err->status;
    }
    while (st == CACHET_OK && off < len) {
        size_t n = next_chunk(mode, len - off, &rng);
        st = cachet_cms_decompress_update(d, in + off, n, err);
        off += n;
    }
    if (st == CACHET_OK) {
        st = cachet_cms_decompress_finish(d, rep, err);
    }
    cachet_cms_decompress_free(d);
    return st;
}

static uint8_t text[20000];

static void make_text(void) {
    uint32_t rng = 7;
    static const char *words[] = {"alpha ", "beta ", "gamma ", "delta\r\n", "epsilon ", "zeta "};
    size_t p = 0;
    while (p < sizeof(text)) {
        const char *w = words[cachet_test_rand(&rng) % 6];
        for (size_t i = 0; w[i] != '\0' && p < sizeof(text); i++) {
            text[p++] = (uint8_t)w[i];
        }
    }
}

static void round_trips_in_every_feed_mode(void) {
    const size_t sizes[] = {0, 1, 100, sizeof(text)};
    make_text();
    for (size_t s = 0; s < 4; s++) {
        for (int cm = FEED_WHOLE; cm <= FEED_RANDOM; cm++) {
            for (int dm = FEED_WHOLE; dm <= FEED_RANDOM; dm++) {
                cachet_membuf z = {0}, out = {0};
                cachet_layer_report rep;
                cachet_error err;
                cachet_err_clear(&err);
                CHECK_EQ_INT(compress_buf(text, sizes[s], (feed_mode)cm, &z), CACHET_OK);
                CHECK_EQ_INT(decompress_buf(z.data, z.len, (feed_mode)dm, NULL, &out, &rep, &err),
                             CACHET_OK);
                CHECK_MEM(out.data, out.len, text, sizes[s]);
                CHECK_EQ_INT(rep.type, CACHET_LAYER_COMPRESSED);
                CHECK_STR(rep.compression, "zlib");
                CHECK_EQ_INT(rep.decompressed_size, sizes[s]);
                CHECK_STR(rep.content_type, cachet_oid_name(CACHET_OID_DATA));
                cachet_membuf_free(&z);
                cachet_membuf_free(&out);
            }
        }
    }
}

static void openssl_parses_our_output_and_zlib_inflates_it(void) {
    cachet_membuf z = {0};
    BIO *in;
    CMS_ContentInfo *cms;
    make_text();
    CHECK_EQ_INT(compress_buf(text, sizeof(text), FEED_RANDOM, &z), CACHET_OK);
    in = BIO_new_mem_buf(z.data, (int)z.len);
    cms = d2i_CMS_bio(in, NULL);
    CHECK(cms != NULL);
    if (cms != NULL) {
        ASN1_OCTET_STRING **content = CMS_get0_content(cms);
        uint8_t *plain = malloc(sizeof(text));
        uLongf plain_len = sizeof(text);
        CHECK_EQ_INT(OBJ_obj2nid(CMS_get0_type(cms)), NID_id_smime_ct_compressedData);
        CHECK_EQ_INT(OBJ_obj2nid(CMS_get0_eContentType(cms)), NID_pkcs7_data);
        CHECK(content != NULL && *content != NULL);
        CHECK_EQ_INT(uncompress(plain, &plain_len, ASN1_STRING_get0_data(*content),
                                (uLong)ASN1_STRING_length(*content)),
                     Z_OK);
        CHECK_MEM(plain, plain_len, text, sizeof(text));
        free(plain);
    }
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    cachet_membuf_free(&z);
}

/* DER CompressedData around |z| (zlib bytes), as RFC 3274 §1.1 spells it, with
 * NULL algorithm parameters as older implementations send (§2). */
static size_t build_der(const uint8_t *z, size_t zlen, uint8_t *out) {
    static const uint8_t head_tail[] = {0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                        0x0d, 0x01, 0x09, 0x10, 0x01, 0x09};
    static const uint8_t alg[] = {0x02, 0x01, 0x00, 0x30, 0x0f, 0x06, 0x0b, 0x2a, 0x86, 0x48,
                                  0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x03, 0x08, 0x05, 0x00};
    static const uint8_t data_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                       0xf7, 0x0d, 0x01, 0x07, 0x01};
    size_t os = 4 + zlen, ex = 4 + os, eci = 4 + sizeof(data_oid) + ex;
    size_t cd = 4 + sizeof(alg) + eci, c0 = 4 + cd, ci = sizeof(head_tail) + c0, p = 0;
#define HDR(tag, len)                                                                              \
    do {                                                                                           \
        out[p++] = (tag);                                                                          \
        out[p++] = 0x82;                                                                           \
        out[p++] = (uint8_t)((len) >> 8);                                                          \
        out[p++] = (uint8_t)(len);                                                                 \
    } while (0)
    HDR(0x30, ci);
    memcpy(out + p, head_tail, sizeof(head_tail));
    p += sizeof(head_tail);
    HDR(0xa0, cd);
    HDR(0x30, sizeof(alg) + eci);
    memcpy(out + p, alg, sizeof(alg));
    p += sizeof(alg);
    HDR(0x30, sizeof(data_oid) + ex);
    memcpy(out + p, data_oid, sizeof(data_oid));
    p += sizeof(data_oid);
    HDR(0xa0, os);
    HDR(0x04, zlen);
    memcpy(out + p, z, zlen);
    p += zlen;
#undef HDR
    return p;
}

static void der_from_zlib_with_null_params_decompresses(void) {
    uint8_t z[30000], der[30100];
    uLongf zlen = sizeof(z);
    size_t n;
    make_text();
    CHECK_EQ_INT(compress2(z, &zlen, text, sizeof(text), 9), Z_OK);
    n = build_der(z, zlen, der);
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        cachet_membuf out = {0};
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(decompress_buf(der, n, (feed_mode)mode, NULL, &out, NULL, &err), CACHET_OK);
        CHECK_MEM(out.data, out.len, text, sizeof(text));
        cachet_membuf_free(&out);
    }
    /* A damaged zlib stream (bad Adler-32) is malformed. */
    {
        cachet_membuf out = {0};
        cachet_error err;
        cachet_err_clear(&err);
        der[n - 1] ^= 0xff;
        CHECK_EQ_INT(decompress_buf(der, n, FEED_WHOLE, NULL, &out, NULL, &err),
                     CACHET_ERR_MALFORMED);
        cachet_membuf_free(&out);
    }
}

static void size_cap_at_and_past_the_limit(void) {
    make_text();
    for (size_t extra = 0; extra <= 1; extra++) {
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_cms_limits limits;
            cachet_membuf z = {0}, out = {0};
            cachet_error err;
            cachet_cms_limits_default(&limits);
            limits.max_decompressed = 5000;
            cachet_err_clear(&err);
            CHECK_EQ_INT(compress_buf(text, 5000 + extra, FEED_WHOLE, &z), CACHET_OK);
            CHECK_EQ_INT(decompress_buf(z.data, z.len, (feed_mode)mode, &limits, &out, NULL, &err),
                         extra == 0 ? CACHET_OK : CACHET_ERR_LIMIT);
            CHECK(out.len <= 5000);
            if (extra == 0) {
                CHECK_MEM(out.data, out.len, text, 5000);
            }
            cachet_membuf_free(&z);
            cachet_membuf_free(&out);
        }
    }
}

static void ratio_cap_stops_a_bomb_while_streaming(void) {
    /* 64 MiB of zeros compress to about 64 KiB (ratio ~1000:1). */
    size_t big = 64u << 20;
    uint8_t *zeros = calloc(1, big);
    cachet_membuf z = {0};
    cachet_cms_limits limits;
    CHECK_EQ_INT(compress_buf(zeros, big, FEED_WHOLE, &z), CACHET_OK);
    cachet_cms_limits_default(&limits);
    limits.max_ratio = 100;
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode += 2) {
        cachet_membuf out = {0};
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(decompress_buf(z.data, z.len, (feed_mode)mode, &limits, &out, NULL, &err),
                     CACHET_ERR_LIMIT);
        CHECK(strstr(err.message, "ratio") != NULL);
        /* Stopped early: far less than the bomb came out. */
        CHECK(out.len < (8u << 20));
        cachet_membuf_free(&out);
    }
    {
        /* The default cap (1 GiB, 1000:1) lets this through. */
        cachet_membuf out = {0};
        cachet_layer_report rep;
        cachet_error err;
        cachet_err_clear(&err);
        cachet_cms_limits_default(&limits);
        limits.max_ratio = 2000;
        CHECK_EQ_INT(decompress_buf(z.data, z.len, FEED_WHOLE, &limits, &out, &rep, &err),
                     CACHET_OK);
        CHECK_EQ_INT(rep.decompressed_size, big);
        cachet_membuf_free(&out);
    }
    free(zeros);
    cachet_membuf_free(&z);
}

static void other_content_types_and_algorithms_are_refused(void) {
    cachet_membuf z = {0}, out = {0};
    cachet_error err;
    make_text();
    CHECK_EQ_INT(compress_buf(text, 100, FEED_WHOLE, &z), CACHET_OK);
    /* Unknown compression algorithm: flip the last arc of id-alg-zlibCompress. */
    for (size_t i = 0; i + 11 <= z.len; i++) {
        if (memcmp(z.data + i, "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x03\x08", 11) == 0) {
            z.data[i + 10] = 0x09;
        }
    }
    cachet_err_clear(&err);
    CHECK_EQ_INT(decompress_buf(z.data, z.len, FEED_WHOLE, NULL, &out, NULL, &err),
                 CACHET_ERR_UNSUPPORTED);
    CHECK_EQ_INT(out.len, 0);
    cachet_membuf_free(&z);
    cachet_membuf_free(&out);
    /* Not a CompressedData at all: ContentInfo { id-data, [0] OCTET STRING }. */
    {
        static const uint8_t data_ci[] = {0x30, 0x12, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                          0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0,
                                          0x05, 0x04, 0x03, 0x61, 0x62, 0x63};
        cachet_membuf o2 = {0};
        cachet_err_clear(&err);
        CHECK_EQ_INT(decompress_buf(data_ci, sizeof(data_ci), FEED_BYTES, NULL, &o2, NULL, &err),
                     CACHET_ERR_UNSUPPORTED);
        CHECK_EQ_INT(o2.len, 0);
        cachet_membuf_free(&o2);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(round_trips_in_every_feed_mode),
    TEST_CASE(openssl_parses_our_output_and_zlib_inflates_it),
    TEST_CASE(der_from_zlib_with_null_params_decompresses),
    TEST_CASE(size_cap_at_and_past_the_limit),
    TEST_CASE(ratio_cap_stops_a_bomb_while_streaming),
    TEST_CASE(other_content_types_and_algorithms_are_refused),
};

TEST_MAIN(tests)
