/* The PEM writer and reader fast paths (large pieces instead of per line / per
 * byte) against simple references written here, over random inputs and random
 * chunkings: the writer's output is byte for byte RFC 7468 as a naive encoder
 * writes it; the reader gives back the bytes of any valid armor, and refuses a
 * bad byte with the same message and offset however the input is cut. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "smime/pem.h"
#include "testlib.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ref_pem: BEGIN line, lines of 64 characters from 48-byte groups, END line. */
static void ref_pem(const uint8_t *in, size_t len, cachet_membuf *out) {
    const char *begin = "-----BEGIN CMS-----\n";
    CHECK(cachet_membuf_append(out, begin, strlen(begin)));
    for (size_t g = 0; g < len; g += 48) {
        size_t n = len - g < 48 ? len - g : 48;
        for (size_t i = 0; i < n; i += 3) {
            uint32_t v = (uint32_t)in[g + i] << 16;
            size_t k = n - i < 3 ? n - i : 3;
            if (k > 1) {
                v |= (uint32_t)in[g + i + 1] << 8;
            }
            if (k > 2) {
                v |= in[g + i + 2];
            }
            char q[4] = {b64[(v >> 18) & 63], b64[(v >> 12) & 63], k > 1 ? b64[(v >> 6) & 63] : '=',
                         k > 2 ? b64[v & 63] : '='};
            CHECK(cachet_membuf_append(out, q, 4));
        }
        CHECK(cachet_membuf_append(out, "\n", 1));
    }
    const char *end = "-----END CMS-----\n";
    CHECK(cachet_membuf_append(out, end, strlen(end)));
}

static void random_bytes(uint8_t *p, size_t n, uint32_t *seed) {
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)cachet_test_rand(seed);
    }
}

static size_t chunk_len(int mode, size_t left, uint32_t *seed) {
    size_t n = mode == 0 ? left : mode == 1 ? 1 : 1 + cachet_test_rand(seed) % 40000;
    return n > left ? left : n;
}

static void writer_matches_reference_for_any_chunking(void) {
    static const size_t sizes[] = {0, 1, 2, 3, 47, 48, 49, 96, 12287, 12288, 12289, 100000};
    uint32_t seed = 99;
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        size_t len = sizes[si];
        uint8_t *in = malloc(len + 1);
        random_bytes(in, len, &seed);
        cachet_membuf want = {0};
        ref_pem(in, len, &want);
        for (int mode = 0; mode < 3; mode++) {
            if (mode == 1 && len > 20000) {
                continue;
            }
            cachet_membuf got = {0};
            cachet_sink s = cachet_sink_membuf(&got);
            cachet_pem_writer *w = cachet_pem_writer_new(CACHET_PEM_LABEL_CMS, &s, NULL);
            CHECK(w != NULL);
            size_t off = 0;
            while (off < len) {
                size_t n = chunk_len(mode, len - off, &seed);
                CHECK_EQ_INT(cachet_pem_writer_update(w, in + off, n, NULL), CACHET_OK);
                off += n;
            }
            CHECK_EQ_INT(cachet_pem_writer_finish(w, NULL), CACHET_OK);
            cachet_pem_writer_free(w);
            CHECK_MEM(got.data, got.len, want.data, want.len);
            cachet_membuf_free(&got);
        }
        cachet_membuf_free(&want);
        free(in);
    }
}

/* armor writes |in| as PEM with lines of random length, LF or CRLF, blanks
 * inside lines and a text preamble: all of which readers must accept. */
static void armor(const uint8_t *in, size_t len, uint32_t *seed, cachet_membuf *out) {
    const char *pre = "preamble text: ignored\r\n\r\n-----BEGIN PKCS7-----\r\n";
    CHECK(cachet_membuf_append(out, pre, strlen(pre)));
    size_t col = 0, line = 1 + cachet_test_rand(seed) % 100;
    bool crlf = cachet_test_rand(seed) % 2 == 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        size_t k = len - i < 3 ? len - i : 3;
        if (k > 1) {
            v |= (uint32_t)in[i + 1] << 8;
        }
        if (k > 2) {
            v |= in[i + 2];
        }
        char q[4] = {b64[(v >> 18) & 63], b64[(v >> 12) & 63], k > 1 ? b64[(v >> 6) & 63] : '=',
                     k > 2 ? b64[v & 63] : '='};
        for (int j = 0; j < 4; j++) {
            CHECK(cachet_membuf_append(out, &q[j], 1));
            if (cachet_test_rand(seed) % 50 == 0) {
                CHECK(cachet_membuf_append(out, cachet_test_rand(seed) % 2 ? " " : "\t", 1));
            }
            if (++col == line) {
                CHECK(cachet_membuf_append(out, crlf ? "\r\n" : "\n", crlf ? 2 : 1));
                col = 0;
                line = 1 + cachet_test_rand(seed) % 100;
            }
        }
    }
    const char *end = "\n-----END PKCS7-----  \n\n";
    CHECK(cachet_membuf_append(out, end, strlen(end)));
}

typedef struct read_result {
    cachet_status st;
    cachet_error err;
    cachet_membuf out;
} read_result;

static read_result read_pem(const cachet_membuf *in, int mode, uint32_t *seed) {
    read_result r;
    memset(&r, 0, sizeof(r));
    cachet_sink s = cachet_sink_membuf(&r.out);
    cachet_pem_reader *rd = cachet_pem_reader_new(&s, NULL);
    CHECK(rd != NULL);
    size_t off = 0;
    r.st = CACHET_OK;
    while (r.st == CACHET_OK && off < in->len) {
        size_t n = chunk_len(mode, in->len - off, seed);
        r.st = cachet_pem_reader_update(rd, in->data + off, n, &r.err);
        off += n;
    }
    if (r.st == CACHET_OK) {
        r.st = cachet_pem_reader_finish(rd, &r.err);
    }
    cachet_pem_reader_free(rd);
    return r;
}

static void reader_gives_back_the_bytes_for_any_chunking(void) {
    uint32_t seed = 7;
    for (int round = 0; round < 30; round++) {
        size_t len = round < 10 ? (size_t)round : 1 + cachet_test_rand(&seed) % 60000;
        uint8_t *in = malloc(len + 1);
        random_bytes(in, len, &seed);
        cachet_membuf pem = {0};
        armor(in, len, &seed, &pem);
        for (int mode = 0; mode < 3; mode++) {
            if (mode == 1 && pem.len > 20000) {
                continue;
            }
            read_result r = read_pem(&pem, mode, &seed);
            CHECK_EQ_INT(r.st, CACHET_OK);
            CHECK_MEM(r.out.data, r.out.len, in, len);
            cachet_membuf_free(&r.out);
        }
        cachet_membuf_free(&pem);
        free(in);
    }
}

/* A byte that cannot be there is refused at its own offset, with the same
 * message, however the input is cut; ':' near a line start is an RFC 1421
 * header, '-' in the body an invalid character (or a broken END line). */
static void bad_byte_is_refused_alike_for_any_chunking(void) {
    static const char bad[] = {'!', '*', ':', '-', '=', '\0'};
    uint32_t seed = 11;
    for (int round = 0; round < 60; round++) {
        size_t len = 3000 + cachet_test_rand(&seed) % 30000;
        uint8_t *in = malloc(len);
        random_bytes(in, len, &seed);
        cachet_membuf pem = {0};
        armor(in, len, &seed, &pem);
        /* a body position: after the BEGIN line, before the END line */
        size_t begin = (size_t)(strstr((const char *)pem.data, "-----\r\n") - (char *)pem.data) + 7;
        size_t at = begin + cachet_test_rand(&seed) % (pem.len - begin - 40);
        while (pem.data[at] == '\r' || pem.data[at] == '\n' || pem.data[at] == ' ' ||
               pem.data[at] == '\t') {
            at++;
        }
        char c = bad[round % (sizeof(bad) - 1)];
        pem.data[at] = (uint8_t)c;
        read_result whole = read_pem(&pem, 0, &seed);
        CHECK_EQ_INT(whole.st, CACHET_ERR_MALFORMED);
        if (c == '!' || c == '*') {
            CHECK_EQ_INT(whole.err.offset, (long long)at);
            CHECK_STR(whole.err.message, "invalid character in PEM base64");
        }
        for (int mode = 1; mode < 3; mode++) {
            read_result r = read_pem(&pem, mode, &seed);
            CHECK_EQ_INT(r.st, whole.st);
            CHECK_EQ_INT(r.err.offset, whole.err.offset);
            CHECK_STR(r.err.message, whole.err.message);
            CHECK_EQ_INT(r.out.len <= at, true);
            cachet_membuf_free(&r.out);
        }
        cachet_membuf_free(&whole.out);
        cachet_membuf_free(&pem);
        free(in);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(writer_matches_reference_for_any_chunking),
    TEST_CASE(reader_gives_back_the_bytes_for_any_chunking),
    TEST_CASE(bad_byte_is_refused_alike_for_any_chunking),
};
TEST_MAIN(tests)
