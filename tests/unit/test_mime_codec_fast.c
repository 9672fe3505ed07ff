/* The fast paths of the MIME codecs against naive byte-at-a-time references
 * (mime_codec_ref.h) over random inputs, each fed whole, byte by byte and in
 * random chunks: same output, same success, same failing byte, same state after
 * every chunk. The generators aim at the fast paths' edges: long clean runs,
 * whitespace and padding at every alignment, invalid bytes anywhere, CR and LF on
 * both sides of a chunk edge, lines around the 998-octet limit. */
#include <stdlib.h>

#include "mime_codec_ref.h"
#include "testlib.h"

#define MAX_IN 6000

typedef struct gen {
    uint8_t *data;
    size_t len;
    uint32_t seed;
} gen;

static uint32_t rnd(gen *g, uint32_t n) {
    return cachet_test_rand(&g->seed) % n;
}

static void put(gen *g, uint8_t c) {
    if (g->len < MAX_IN) {
        g->data[g->len++] = c;
    }
}

static void puts_(gen *g, const char *s) {
    while (*s != '\0') {
        put(g, (uint8_t)*s++);
    }
}

/* The chunkings every input is checked with: whole, byte by byte, and random
 * pieces (some empty, some long). Returns the number of pieces in |chunks|. */
static size_t chunking(int kind, size_t len, gen *g, size_t *chunks) {
    size_t n = 0;
    if (kind == 0) {
        chunks[n++] = len;
        return n;
    }
    for (size_t pos = 0; pos < len;) {
        size_t c = 1;
        if (kind == 2) {
            uint32_t r = rnd(g, 10);
            c = r < 2 ? rnd(g, 3) : r < 7 ? 1 + rnd(g, 20) : 1 + rnd(g, 700);
        }
        c = c > len - pos ? len - pos : c;
        chunks[n++] = c;
        pos += c;
    }
    return n;
}

static size_t chunks_buf[2 * MAX_IN + 8];

/* Runs |check| over the input in every chunking; counts failures by kind. */
typedef bool (*checker)(const uint8_t *in, size_t len, const size_t *chunks, size_t n,
                        long long *fail_at, char *why, size_t why_len);

static void check_all_chunkings(const char *what, checker check, gen *g, size_t *rejected) {
    long long first = -2;
    for (int kind = 0; kind < 4; kind++) {
        size_t n = chunking(kind > 2 ? 2 : kind, g->len, g, chunks_buf);
        char why[200];
        long long fail_at = -1;
        if (!check(g->data, g->len, chunks_buf, n, &fail_at, why, sizeof(why))) {
            fprintf(stderr, "%s (len %zu, chunking %d): %s\n", what, g->len, kind, why);
            cachet_test_failures++;
            return;
        }
        if (first != -2 && fail_at != first) {
            fprintf(stderr, "%s: failing byte depends on chunking\n", what);
            cachet_test_failures++;
        }
        first = fail_at;
    }
    if (first >= 0) {
        ++*rejected;
    }
}

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of random bytes, lines of a random length (rarely a multiple of 4),
 * random whitespace, then usually one corruption. */
static void gen_base64(gen *g) {
    uint8_t raw[4000];
    size_t rl = rnd(g, 8) == 0 ? rnd(g, 8) : rnd(g, sizeof(raw));
    for (size_t i = 0; i < rl; i++) {
        raw[i] = (uint8_t)rnd(g, 256);
    }
    size_t line = rnd(g, 3) == 0 ? 76 : 1 + rnd(g, 100);
    bool lf_only = rnd(g, 4) == 0;
    size_t col = 0;
    g->len = 0;
    for (size_t i = 0; i < rl; i += 3) {
        uint32_t v = (uint32_t)raw[i] << 16;
        size_t left = rl - i;
        v |= left > 1 ? (uint32_t)raw[i + 1] << 8 : 0;
        v |= left > 2 ? raw[i + 2] : 0;
        for (int k = 0; k < 4; k++) {
            put(g, k > (int)left ? '=' : (uint8_t)b64_chars[(v >> (18 - 6 * k)) & 63]);
            if (++col == line) {
                puts_(g, lf_only ? "\n" : "\r\n");
                col = 0;
            }
            if (rnd(g, 60) == 0) {
                put(g, (uint8_t) " \t\r\n"[rnd(g, 4)]);
            }
        }
    }
    if (rnd(g, 2) == 0) {
        puts_(g, "\r\n");
    }
    uint32_t what = rnd(g, 10);
    size_t at = g->len ? rnd(g, (uint32_t)g->len) : 0;
    static const uint8_t bad[] = {'!', '-', '_', '.', 0, 0x80, 0xff, '=', '\v', '*'};
    if (what < 3 && g->len > 0) {
        g->data[at] = bad[rnd(g, sizeof(bad))];
    } else if (what == 3 && g->len > 0) {
        g->data[at] = (uint8_t)b64_chars[rnd(g, 64)]; /* maybe breaks the padding bits */
    } else if (what == 4) {
        g->len = at; /* truncated mid-quantum or not */
    } else if (what == 5) {
        puts_(g, rnd(g, 2) ? "QUJD" : "=");
    }
}

static bool check_b64dec(const uint8_t *in, size_t len, const size_t *chunks, size_t n,
                         long long *fail_at, char *why, size_t why_len) {
    return cref_check_b64dec(in, len, chunks, n, fail_at, why, why_len);
}

static void base64_decoder_matches_reference_in_every_chunking(void) {
    gen g = {malloc(MAX_IN), 0, 11};
    size_t rejected = 0, runs = 1500;
    for (size_t t = 0; t < runs; t++) {
        gen_base64(&g);
        check_all_chunkings("b64dec", check_b64dec, &g, &rejected);
    }
    /* The generator must exercise both outcomes for the test to mean anything. */
    CHECK(rejected > runs / 5 && rejected < runs * 4 / 5);
    free(g.data);
}

static void base64_decoder_fails_at_the_same_byte_for_short_edge_cases(void) {
    /* Every string of up to 6 characters over a small alphabet covering padding,
     * whitespace, invalid bytes and bit patterns. */
    static const char alpha[] = "AQg=\r -";
    gen g = {malloc(MAX_IN), 0, 5};
    size_t rejected = 0, total = 0;
    for (size_t len = 0; len <= 6; len++) {
        size_t count = 1;
        for (size_t i = 0; i < len; i++) {
            count *= sizeof(alpha) - 1;
        }
        for (size_t k = 0; k < count; k++) {
            size_t v = k;
            g.len = len;
            for (size_t i = 0; i < len; i++) {
                g.data[i] = (uint8_t)alpha[v % (sizeof(alpha) - 1)];
                v /= sizeof(alpha) - 1;
            }
            check_all_chunkings("b64dec short", check_b64dec, &g, &rejected);
            total++;
        }
    }
    CHECK(rejected > 0 && rejected < total);
    free(g.data);
}

static bool check_b64enc(const uint8_t *in, size_t len, const size_t *chunks, size_t n,
                         long long *fail_at, char *why, size_t why_len) {
    *fail_at = -1;
    return cref_check_b64enc(in, len, chunks, n, why, why_len);
}

static void base64_encoder_matches_reference_in_every_chunking(void) {
    gen g = {malloc(MAX_IN), 0, 13};
    size_t rejected = 0;
    for (size_t t = 0; t < 600; t++) {
        g.len = rnd(&g, 5) == 0 ? rnd(&g, 200) : rnd(&g, MAX_IN);
        for (size_t i = 0; i < g.len; i++) {
            g.data[i] = (uint8_t)rnd(&g, 256);
        }
        check_all_chunkings("b64enc", check_b64enc, &g, &rejected);
    }
    CHECK_EQ_INT(rejected, 0);
    free(g.data);
}

/* Quoted-printable made of the pieces the decoder distinguishes. */
static void gen_qp(gen *g) {
    static const char *const pieces[] = {
        "=\r\n", "=\n", "= \t\r\n", "=  \n", "\r\n", "\n",  "\r", " ",    "\t",  "  \r\n", " \t\n",
        "=3D",   "=3d", "=e9",      "=Fa",   "=",    "=G1", "=4", "=\rx", "= x", "=\r",    "==",
    };
    g->len = 0;
    size_t n = rnd(g, 4) == 0 ? rnd(g, 10) : rnd(g, 900);
    bool clean = rnd(g, 3) == 0; /* only valid pieces: success is likely */
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rnd(g, 100);
        if (r < 55) {
            size_t run = 1 + rnd(g, 40);
            for (size_t k = 0; k < run; k++) {
                uint8_t c = (uint8_t)(33 + rnd(g, 94));
                put(g, c == '=' ? 'q' : c);
            }
        } else if (r < 58) {
            size_t run = 200 + rnd(g, 120); /* around CACHET_MIME_QP_MAX_WS */
            for (size_t k = 0; k < run; k++) {
                put(g, rnd(g, 2) ? ' ' : '\t');
            }
        } else if (r < 60) {
            put(g, (uint8_t)rnd(g, 256));
        } else if (r < 70) {
            static const char hex[] = "0123456789ABCDEFabcdef";
            put(g, '=');
            put(g, (uint8_t)hex[rnd(g, clean ? 16 : 22)]);
            put(g, (uint8_t)hex[rnd(g, clean ? 16 : 22)]);
        } else {
            size_t count = sizeof(pieces) / sizeof(pieces[0]);
            puts_(g, pieces[rnd(g, clean ? 15 : (uint32_t)count)]);
        }
    }
}

static bool check_qpdec(const uint8_t *in, size_t len, const size_t *chunks, size_t n,
                        long long *fail_at, char *why, size_t why_len) {
    return cref_check_qpdec(in, len, chunks, n, fail_at, why, why_len);
}

static void quoted_printable_decoder_matches_reference_in_every_chunking(void) {
    gen g = {malloc(MAX_IN), 0, 17};
    size_t rejected = 0, runs = 1500;
    for (size_t t = 0; t < runs; t++) {
        gen_qp(&g);
        check_all_chunkings("qpdec", check_qpdec, &g, &rejected);
    }
    CHECK(rejected > runs / 10 && rejected < runs * 9 / 10);
    free(g.data);
}

static bool check_canon(const uint8_t *in, size_t len, const size_t *chunks, size_t n,
                        long long *fail_at, char *why, size_t why_len) {
    *fail_at = -1;
    return cref_check_canon(in, len, chunks, n, why, why_len);
}

static void canonicaliser_matches_reference_in_every_chunking(void) {
    gen g = {malloc(MAX_IN), 0, 19};
    size_t rejected = 0;
    for (size_t t = 0; t < 1500; t++) {
        /* Dense CR/LF mixes and long lines with a few breaks. */
        uint32_t density = 1 + rnd(&g, t % 2 ? 4 : 200);
        g.len = rnd(&g, 3) == 0 ? rnd(&g, 16) : rnd(&g, MAX_IN);
        for (size_t i = 0; i < g.len; i++) {
            g.data[i] =
                rnd(&g, density) == 0 ? (uint8_t) "\r\n"[rnd(&g, 2)] : (uint8_t)rnd(&g, 256);
        }
        check_all_chunkings("canon", check_canon, &g, &rejected);
    }
    CHECK_EQ_INT(rejected, 0);
    free(g.data);
}

static bool check_7bit(const uint8_t *in, size_t len, const size_t *chunks, size_t n,
                       long long *fail_at, char *why, size_t why_len) {
    bool result = false;
    bool same = cref_check_7bit(in, len, chunks, n, &result, why, why_len);
    *fail_at = result ? -1 : 0; /* counts rejections; where is in the state compare */
    return same;
}

static void seven_bit_check_matches_reference_in_every_chunking(void) {
    gen g = {malloc(MAX_IN), 0, 23};
    size_t rejected = 0, runs = 1500;
    for (size_t t = 0; t < runs; t++) {
        g.len = 0;
        size_t lines = 1 + rnd(&g, 8);
        uint32_t odd = rnd(&g, 3) == 0 ? 1 + rnd(&g, 3000) : 0; /* rate of bad bytes */
        for (size_t l = 0; l < lines; l++) {
            uint32_t r = rnd(&g, 4);
            size_t ll = r == 0 ? 990 + rnd(&g, 14) : r == 1 ? rnd(&g, 4) : rnd(&g, 300);
            for (size_t i = 0; i < ll; i++) {
                uint8_t c = (uint8_t)(1 + rnd(&g, 127));
                c = c == '\r' || c == '\n' ? 'x' : c;
                if (odd != 0 && rnd(&g, odd) == 0) {
                    c = (uint8_t) "\0\x80\xff\r\n\t"[rnd(&g, 6)];
                }
                put(&g, c);
            }
            puts_(&g, rnd(&g, 40) == 0 ? "\n" : rnd(&g, 40) == 0 ? "\r" : "\r\n");
        }
        if (rnd(&g, 4) == 0 && g.len > 0) {
            g.len -= 1 + rnd(&g, (uint32_t)(g.len < 3 ? g.len : 3)); /* maybe a final lone CR */
        }
        check_all_chunkings("7bit", check_7bit, &g, &rejected);
    }
    CHECK(rejected > runs / 10 && rejected < runs * 9 / 10);
    free(g.data);
}

static const cachet_test_case tests[] = {
    TEST_CASE(base64_decoder_matches_reference_in_every_chunking),
    TEST_CASE(base64_decoder_fails_at_the_same_byte_for_short_edge_cases),
    TEST_CASE(base64_encoder_matches_reference_in_every_chunking),
    TEST_CASE(quoted_printable_decoder_matches_reference_in_every_chunking),
    TEST_CASE(canonicaliser_matches_reference_in_every_chunking),
    TEST_CASE(seven_bit_check_matches_reference_in_every_chunking),
};
TEST_MAIN(tests)
