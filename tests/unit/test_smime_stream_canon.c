/* cachet_smime_canon_feed (canonical form that passes canonical runs on
 * without copying) against a naive reference written here, over random inputs
 * and random chunkings; and the prefix/skip pair it is built on. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "smime/writer.h"
#include "testlib.h"

/* ref_canon: every LF not after a CR gets one; the whole input at once. */
static size_t ref_canon(const uint8_t *in, size_t len, uint8_t *out) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
            out[o++] = '\r';
        }
        out[o++] = in[i];
    }
    return o;
}

typedef struct collect {
    cachet_membuf out;
    size_t calls;
    size_t direct; /* calls whose bytes were the input itself (no copy) */
    const uint8_t *in_lo, *in_hi;
    size_t fail_at_call; /* > 0: that call fails */
} collect;

static cachet_status collect_fn(void *arg, const uint8_t *d, size_t n) {
    collect *c = arg;
    c->calls++;
    if (d >= c->in_lo && d < c->in_hi) {
        c->direct++;
    }
    if (c->fail_at_call > 0 && c->calls == c->fail_at_call) {
        return CACHET_ERR_IO;
    }
    return cachet_membuf_append(&c->out, d, n) ? CACHET_OK : CACHET_ERR_NOMEM;
}

/* random_text: mostly |crlf| lines, with bare LFs, bare CRs and CRs at the end
 * of a chunk (the CR-then-LF-in-the-next-chunk case) at the rates given. */
static void random_text(uint8_t *buf, size_t len, uint32_t *seed, unsigned bare_lf_per_mille) {
    size_t i = 0;
    while (i < len) {
        uint32_t r = cachet_test_rand(seed);
        size_t line = 1 + r % 120;
        for (size_t k = 0; k < line && i < len; k++) {
            buf[i++] = (uint8_t)(' ' + cachet_test_rand(seed) % 95);
        }
        uint32_t kind = cachet_test_rand(seed) % 1000;
        if (i < len && kind < bare_lf_per_mille) {
            buf[i++] = '\n';
        } else if (i < len && kind < bare_lf_per_mille + 5) {
            buf[i++] = '\r'; /* bare CR */
        } else if (i + 1 < len) {
            buf[i++] = '\r';
            buf[i++] = '\n';
        }
    }
}

static void feed_matches_reference_for_any_chunking(void) {
    static const unsigned rates[] = {0, 1, 50, 1000};
    static const size_t sizes[] = {0, 1, 2, 100, 5000, 70000, 300000};
    static const size_t bufs[] = {2, 16, 8192, 65536};
    uint32_t seed = 0xc0ffee;
    for (size_t ri = 0; ri < sizeof(rates) / sizeof(rates[0]); ri++) {
        for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
            size_t len = sizes[si];
            uint8_t *in = malloc(len + 1);
            uint8_t *want = malloc(2 * len + 1);
            random_text(in, len, &seed, rates[ri]);
            size_t want_len = ref_canon(in, len, want);
            for (size_t bi = 0; bi < sizeof(bufs) / sizeof(bufs[0]); bi++) {
                for (int mode = 0; mode < 3; mode++) { /* whole, bytes, random */
                    if (mode == 1 && len > 5000) {
                        continue;
                    }
                    uint8_t *scratch = malloc(bufs[bi]);
                    cachet_mime_canon st;
                    cachet_mime_canon_init(&st);
                    collect c = {.in_lo = in, .in_hi = in + len};
                    size_t off = 0;
                    while (off < len) {
                        size_t n = mode == 0   ? len
                                   : mode == 1 ? 1
                                               : 1 + cachet_test_rand(&seed) % 9000;
                        if (n > len - off) {
                            n = len - off;
                        }
                        CHECK_EQ_INT(cachet_smime_canon_feed(&st, scratch, bufs[bi], in + off, n,
                                                             collect_fn, &c),
                                     CACHET_OK);
                        off += n;
                    }
                    CHECK_MEM(c.out.data, c.out.len, want, want_len);
                    if (rates[ri] == 0 && mode == 0 && len > 0) {
                        /* canonical input is passed on as it is, in one call */
                        CHECK_EQ_INT(c.calls, 1);
                        CHECK_EQ_INT(c.direct, 1);
                    }
                    cachet_membuf_free(&c.out);
                    free(scratch);
                }
            }
            free(in);
            free(want);
        }
    }
}

/* The chunk boundary between CR and LF: LF alone in the next chunk is no bare LF. */
static void cr_at_chunk_end_then_lf_stays_one_line_break(void) {
    uint8_t scratch[64];
    cachet_mime_canon st;
    cachet_mime_canon_init(&st);
    collect c = {0};
    const uint8_t a[] = "abc\r", b[] = "\ndef\n";
    CHECK_EQ_INT(cachet_smime_canon_feed(&st, scratch, sizeof(scratch), a, 4, collect_fn, &c),
                 CACHET_OK);
    CHECK_EQ_INT(cachet_smime_canon_feed(&st, scratch, sizeof(scratch), b, 5, collect_fn, &c),
                 CACHET_OK);
    CHECK_MEM(c.out.data, c.out.len, "abc\r\ndef\r\n", 10);
    cachet_membuf_free(&c.out);
}

static void prefix_stops_at_the_first_bare_lf(void) {
    cachet_mime_canon st;
    cachet_mime_canon_init(&st);
    CHECK_EQ_INT(cachet_mime_canon_prefix(&st, (const uint8_t *)"a\r\nb\nc", 6), 4);
    CHECK_EQ_INT(cachet_mime_canon_prefix(&st, (const uint8_t *)"\nx", 2), 0);
    CHECK_EQ_INT(cachet_mime_canon_prefix(&st, (const uint8_t *)"a\rb\r", 4), 4);
    cachet_mime_canon_skip(&st, (const uint8_t *)"a\rb\r", 4);
    CHECK_EQ_INT(cachet_mime_canon_prefix(&st, (const uint8_t *)"\nx", 2), 2);
    cachet_mime_canon_skip(&st, (const uint8_t *)"\nx", 2);
    CHECK_EQ_INT(cachet_mime_canon_prefix(&st, (const uint8_t *)"\nx", 2), 0);
}

/* A failure of the consumer stops the feed and is returned. */
static void consumer_failure_is_returned(void) {
    uint8_t in[20000];
    uint32_t seed = 3;
    random_text(in, sizeof(in), &seed, 1000);
    uint8_t scratch[1024];
    cachet_mime_canon st;
    cachet_mime_canon_init(&st);
    collect c = {.fail_at_call = 3};
    CHECK_EQ_INT(
        cachet_smime_canon_feed(&st, scratch, sizeof(scratch), in, sizeof(in), collect_fn, &c),
        CACHET_ERR_IO);
    CHECK_EQ_INT(c.calls, 3);
    cachet_membuf_free(&c.out);
}

static const cachet_test_case tests[] = {
    TEST_CASE(feed_matches_reference_for_any_chunking),
    TEST_CASE(cr_at_chunk_end_then_lf_stays_one_line_break),
    TEST_CASE(prefix_stops_at_the_first_bare_lf),
    TEST_CASE(consumer_failure_is_returned),
};
TEST_MAIN(tests)
