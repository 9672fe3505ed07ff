/* The parser's fast path for text (whole runs of lines in one piece, batches
 * delivered straight from the input) against its careful path: fed one byte per
 * update, the parser never sees the next line in the same buffer, so every line
 * break goes through the careful line engine. Generated messages (nesting,
 * base64 / quoted-printable / 7bit bodies, bare LF and CR, long lines, lines
 * that start like a boundary, preamble and epilogue, some errors) must give the
 * same event log, anomalies and error offset fed whole and in random chunks. */
#include <stdlib.h>

#include "mime/internal.h"
#include "testlib.h"

typedef struct gen {
    uint8_t *d;
    size_t len, cap;
    uint32_t seed;
    uint32_t lf_rate; /* one line break in lf_rate is a bare LF (0: none) */
    bool errors;      /* this message may hold invalid encodings */
} gen;

static uint32_t rnd(gen *g, uint32_t n) {
    return cachet_test_rand(&g->seed) % n;
}

static void put(gen *g, const void *s, size_t n) {
    if (g->len + n > g->cap) {
        g->cap = (g->len + n) * 2 + 256;
        g->d = realloc(g->d, g->cap);
    }
    memcpy(g->d + g->len, s, n);
    g->len += n;
}

static void puts_(gen *g, const char *s) {
    put(g, s, strlen(s));
}

static void eol(gen *g) {
    puts_(g, g->lf_rate > 0 && rnd(g, g->lf_rate) == 0 ? "\n" : "\r\n");
}

/* A line that starts like a delimiter of one of |bounds| without being one,
 * or (rarely) a real one followed by text: an error. */
static void boundary_like(gen *g, const char *const *bounds, size_t nb) {
    const char *b = bounds[rnd(g, (uint32_t)nb)];
    size_t bl = strlen(b);
    switch (rnd(g, 5)) {
        case 0:
            puts_(g, "-");
            break;
        case 1:
            puts_(g, "--");
            put(g, b, rnd(g, (uint32_t)bl)); /* a proper prefix */
            break;
        case 2:
            puts_(g, "-x--");
            puts_(g, b);
            break;
        case 3:
            puts_(g, "--");
            put(g, b, bl > 1 ? bl - 1 : 0);
            puts_(g, "Z");
            break;
        default:
            if (g->errors && rnd(g, 8) == 0) {
                puts_(g, "--");
                puts_(g, b);
                puts_(g, "junk");
            } else {
                puts_(g, "- list item");
            }
            break;
    }
}

static void text_line(gen *g, const char *const *bounds, size_t nb) {
    static const char chars[] = "abcdefghij KLMNOP-=.,0123456789\t";
    uint32_t r = rnd(g, 40);
    if (nb > 0 && r < 4) {
        boundary_like(g, bounds, nb);
        return;
    }
    size_t n = rnd(g, 90);
    if (r == 4) {
        n = 995 + rnd(g, 6); /* around the 998-octet limit */
    } else if (r == 6) {
        n = 1000 + rnd(g, 1200);
    } else if (r == 5) {
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = chars[rnd(g, sizeof(chars) - 1)];
        if (rnd(g, 300) == 0) {
            c = '\r'; /* a bare CR is an ordinary byte */
        }
        put(g, &c, 1);
    }
}

static void b64_body(gen *g, size_t nbytes) {
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t width = rnd(g, 3) == 0 ? 4 * (1 + rnd(g, 30)) : 76;
    size_t col = 0;
    for (size_t i = 0; i < nbytes; i += 3) {
        uint32_t v = rnd(g, 1u << 24);
        size_t have = nbytes - i < 3 ? nbytes - i : 3;
        v &= have == 3 ? 0xffffffu : have == 2 ? 0xffff00u : 0xff0000u;
        char q[4];
        for (int k = 0; k < 4; k++) {
            q[k] = (size_t)k <= have ? al[(v >> (18 - 6 * k)) & 63] : '=';
        }
        if (g->errors && rnd(g, 1000) == 0) {
            q[rnd(g, 4)] = "*-. "[rnd(g, 4)];
        }
        for (int k = 0; k < 4; k++) {
            put(g, &q[k], 1);
            if (++col == width && (i + 3 < nbytes || k < 3)) {
                eol(g);
                col = 0;
            }
        }
    }
}

static void qp_body(gen *g, size_t lines) {
    static const char chars[] = "abcXYZ 019.,-\t";
    for (size_t l = 0; l < lines; l++) {
        size_t n = rnd(g, 30) == 0 ? 990 + rnd(g, 20) : rnd(g, 100);
        if (rnd(g, 6) == 0 && l > 0) {
            puts_(g, "-"); /* a line starting with '-' */
        }
        for (size_t i = 0; i < n; i++) {
            uint32_t r = rnd(g, 20);
            if (r == 0) {
                puts_(g, rnd(g, 2) ? "=3D" : "=c3");
            } else if (r == 1 && g->errors && rnd(g, n > 900 ? 300 : 30) == 0) {
                puts_(g, rnd(g, 2) ? "=G1" : "=A");
            } else {
                char c = chars[rnd(g, sizeof(chars) - 1)];
                put(g, &c, 1);
            }
        }
        if (l + 1 < lines) {
            if (g->errors && rnd(g, 40) == 0) {
                /* invalid at the line break or at a bare CR */
                puts_(g, rnd(g, 2) ? "=A" : "=A\rx");
            } else if (rnd(g, 5) == 0) {
                puts_(g, rnd(g, 2) ? "=" : "=  ");
            }
            eol(g);
        }
    }
}

static void entity(gen *g, int depth, const char **bounds, size_t nb);

static void multipart(gen *g, int depth, const char **bounds, size_t nb) {
    static const char *const names[] = {"b", "bb", "b1", "=_q", "outer", "a b"};
    char b[32];
    /* Often an extension of the enclosing boundary: each is a prefix of the other's lines. */
    if (nb > 0 && rnd(g, 2) == 0) {
        snprintf(b, sizeof(b), "%s%c", bounds[nb - 1], "xb-"[rnd(g, 3)]);
    } else {
        snprintf(b, sizeof(b), "%s%d", names[rnd(g, 6)], depth);
    }
    puts_(g, "Content-Type: multipart/mixed; boundary=\"");
    puts_(g, b);
    puts_(g, "\"");
    eol(g);
    eol(g);
    const char *inner[8];
    for (size_t i = 0; i < nb; i++) {
        inner[i] = bounds[i];
    }
    inner[nb] = b;
    if (rnd(g, 3) == 0) {
        for (uint32_t i = rnd(g, 3) + 1; i > 0; i--) {
            text_line(g, inner, nb + 1);
            eol(g);
        }
    }
    uint32_t parts = 1 + rnd(g, 3);
    for (uint32_t i = 0; i < parts; i++) {
        puts_(g, "--");
        puts_(g, b);
        if (rnd(g, 10) == 0) {
            puts_(g, " \t"); /* padding */
        }
        eol(g);
        entity(g, depth + 1, inner, nb + 1);
        eol(g);
    }
    puts_(g, "--");
    puts_(g, b);
    puts_(g, "--");
    if (rnd(g, 3) == 0) {
        eol(g);
        for (uint32_t i = rnd(g, 3); i > 0; i--) {
            text_line(g, inner, nb + 1);
            eol(g);
        }
    }
}

static void entity(gen *g, int depth, const char **bounds, size_t nb) {
    if (depth == 0 && rnd(g, 2) == 0) {
        puts_(g, "MIME-Version: 1.0");
        eol(g);
    }
    uint32_t r = rnd(g, 10);
    if (depth < 3 && r < 4) {
        multipart(g, depth, bounds, nb);
        return;
    }
    if (depth < 3 && r == 4) {
        puts_(g, "Content-Type: message/rfc822");
        eol(g);
        eol(g);
        entity(g, depth + 1, bounds, nb);
        return;
    }
    size_t big = rnd(g, 25) == 0 ? 20000 + rnd(g, 60000) : rnd(g, 700);
    r = rnd(g, 3);
    if (r == 0) {
        puts_(g, "Content-Transfer-Encoding: base64");
        eol(g);
        eol(g);
        b64_body(g, big);
    } else if (r == 1) {
        puts_(g, "Content-Transfer-Encoding: Quoted-Printable");
        eol(g);
        eol(g);
        qp_body(g, big / 40 + 1);
    } else {
        puts_(g, "Content-Type: text/plain");
        eol(g);
        eol(g);
        for (size_t l = big / 40 + 1; l > 0; l--) {
            text_line(g, bounds, nb);
            if (l > 1) {
                eol(g);
            }
        }
    }
}

static const char *last_line(const cachet_membuf *log, size_t *len) {
    size_t st = log->len > 0 ? log->len - 1 : 0;
    while (st > 0 && log->data[st - 1] != '\n') {
        st--;
    }
    *len = log->len - st;
    return (const char *)log->data + st;
}

/* Equal logs on success; after an error the final line (status, part, offset,
 * message, anomalies) only: data delivered before it depends on the chunks. */
static bool agree(const cachet_membuf *a, const cachet_membuf *b, cachet_status st) {
    if (st == CACHET_OK) {
        return cachet_test_mem_eq(a->data, a->len, b->data, b->len);
    }
    size_t la, lb;
    const char *xa = last_line(a, &la), *xb = last_line(b, &lb);
    return cachet_test_mem_eq(xa, la, xb, lb);
}

/* Cuts: random piece sizes up to |max|, or (max == 0) next to line ends and
 * dashes, where the line engine changes state. */
static size_t make_cuts(const uint8_t *m, size_t len, size_t max, uint32_t *seed, size_t *cuts) {
    size_t n = 0;
    if (max == 0) {
        for (size_t i = 0; i + 1 < len; i++) {
            if ((m[i] == '\r' || m[i] == '\n' || m[i] == '-') && cachet_test_rand(seed) % 3 == 0) {
                cuts[n++] = i + (cachet_test_rand(seed) % 2);
            }
        }
        return n;
    }
    for (size_t at = 0;;) {
        at += 1 + cachet_test_rand(seed) % max;
        if (at >= len) {
            return n;
        }
        cuts[n++] = at;
    }
}

typedef struct tally {
    size_t ok, failed;
    unsigned long anomalies; /* seen in successful parses */
} tally;

/* The anomaly bits in a log's final line ("= ok anomalies=0x..."). */
static unsigned long log_anomalies(const cachet_membuf *log) {
    size_t n;
    const char *l = last_line(log, &n);
    char line[512];
    snprintf(line, sizeof(line), "%.*s", (int)n, l);
    const char *a = strstr(line, "anomalies=0x");
    return a != NULL ? strtoul(a + 12, NULL, 16) : 0;
}

static void compare_chunkings(const uint8_t *m, size_t len, unsigned flags, const char *nd,
                              uint32_t *seed, tally *t) {
    size_t *cuts = malloc((len + 1) * sizeof(size_t));
    for (size_t i = 0; i < len; i++) {
        cuts[i] = i + 1;
    }
    cachet_mime_recorder ref;
    cachet_status st = cachet_mime_record_run(m, len, cuts, len, flags, nd, NULL, &ref);
    t->ok += st == CACHET_OK;
    t->failed += st != CACHET_OK;
    static const size_t maxes[] = {SIZE_MAX, 3, 17, 200, 5000, 70000, 0};
    for (size_t v = 0; v < sizeof(maxes) / sizeof(maxes[0]); v++) {
        size_t n = maxes[v] == SIZE_MAX ? 0 : make_cuts(m, len, maxes[v], seed, cuts);
        cachet_mime_recorder r;
        cachet_status s2 = cachet_mime_record_run(m, len, cuts, n, flags, nd, NULL, &r);
        CHECK_EQ_INT(s2, st);
        if (!agree(&r.log, &ref.log, st)) {
            size_t la, lb;
            const char *xa = last_line(&ref.log, &la), *xb = last_line(&r.log, &lb);
            fprintf(stderr,
                    "chunking %zu differs from byte by byte (%zu bytes, seed state %u):\n"
                    "  ref %.*s  got %.*s",
                    v, len, *seed, (int)la, xa, (int)lb, xb);
            cachet_test_failures++;
        }
        cachet_mime_record_free(&r);
    }
    if (st == CACHET_OK) {
        const cachet_membuf *top = cachet_mime_record_raw(&ref, "");
        CHECK(top != NULL && cachet_test_mem_eq(top->data, top->len, m, len));
    }
    if (st == CACHET_OK) {
        t->anomalies |= log_anomalies(&ref.log);
    }
    cachet_mime_record_free(&ref);
    free(cuts);
}

static void generated_messages_parse_alike_whole_chunked_and_bytewise(void) {
    tally t = {0};
    const uint32_t rounds = CACHET_TEST_UNDER_ASAN ? 500 : 1500;
    for (uint32_t i = 0; i < rounds; i++) {
        static const uint32_t lf_rates[] = {0, 4, 0, 60};
        gen g = {.seed = 0x5eed0000u + i, .lf_rate = lf_rates[i % 4], .errors = i % 3 == 0};
        rnd(&g, 2);
        entity(&g, 0, NULL, 0);
        unsigned flags = i % 5 == 0 ? CACHET_MIME_DESCEND_MESSAGE : 0;
        const char *nd = i % 7 == 0 ? "1" : NULL;
        uint32_t seed = i * 7919u + 1;
        compare_chunkings(g.d, g.len, flags, nd, &seed, &t);
        free(g.d);
    }
    /* The generator reaches both outcomes often enough to matter. */
    CHECK(t.ok > rounds / 15 * 8);
    CHECK(t.failed > rounds / 15);
    unsigned long want = CACHET_MIME_ANOM_BARE_LF | CACHET_MIME_ANOM_LONG_LINE |
                         CACHET_MIME_ANOM_PREAMBLE | CACHET_MIME_ANOM_EPILOGUE |
                         CACHET_MIME_ANOM_BOUNDARY_PADDING | CACHET_MIME_ANOM_QP_LOWERCASE;
    CHECK_EQ_INT(t.anomalies & want, want);
    fprintf(stderr, "  %zu parsed, %zu failed\n", t.ok, t.failed);
}

/* The final log line of |msg| fed whole, byte by byte and in random chunks,
 * each checked against |want|. */
static void check_final_line(const char *msg, const char *want) {
    size_t len = strlen(msg);
    size_t *cuts = malloc((len + 1) * sizeof(size_t));
    uint32_t seed = 99;
    for (int v = 0; v < 12; v++) {
        size_t n = 0;
        if (v == 1) {
            for (n = 0; n < len; n++) {
                cuts[n] = n + 1;
            }
        } else if (v > 1) {
            n = make_cuts((const uint8_t *)msg, len, v == 2 ? 0 : (size_t)v * 7, &seed, cuts);
        }
        cachet_mime_recorder r;
        (void)cachet_mime_record_run((const uint8_t *)msg, len, cuts, n, 0, NULL, NULL, &r);
        size_t ll;
        const char *l = last_line(&r.log, &ll);
        if (ll != strlen(want) || memcmp(l, want, ll) != 0) {
            fprintf(stderr, "chunking %d: got   %.*s       want  %s", v, (int)ll, l, want);
            cachet_test_failures++;
        }
        cachet_mime_record_free(&r);
    }
    free(cuts);
}

#define QP_HDR "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
#define MP_HDR "Content-Type: multipart/mixed; boundary=bb\r\n\r\n--bb\r\n" QP_HDR

/* Where the careful path reports a decoding error, and which anomalies it has
 * noted by then: a line break is decoded when the next line is known to be no
 * delimiter, a bare CR when the next byte is read. */
static void decoding_errors_keep_their_offsets_and_anomalies(void) {
    static const struct {
        const char *msg;
        const char *marker; /* the error is at the first byte of this (after the header) */
        const char *path;
        unsigned anomalies;
    } cases[] = {
        {QP_HDR "ab=A\r\ncd\r\nef", "cd", "", 0x1},
        {QP_HDR "ab=A\rxy\r\nz", "xy", "", 0x1},
        {QP_HDR "ab=A\ncd\r\n", "cd", "", 0x1 | CACHET_MIME_ANOM_BARE_LF},
        {QP_HDR "l1\nab=A\r\ncd\r\n", "cd", "", 0x1 | CACHET_MIME_ANOM_BARE_LF},
        {QP_HDR "ab=G1\r\ncd", "G1", "", 0x1},
        {MP_HDR "ab=A\r\n-x\r\n--bb--\r\n", "x\r", "1", 0x1},
        {MP_HDR "ab=A\r\n--bz\r\n--bb--\r\n", "z\r", "1", 0x1},
        {MP_HDR "ab=A\r\ncd\r\n--bb--\r\n", "cd", "1", 0x1},
    };
    const char *what = cachet_status_str(CACHET_ERR_MALFORMED);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *body = strstr(cases[i].msg, "\r\n\r\n") + 4;
        if (strncmp(cases[i].msg, "Content-Type", 12) == 0) {
            body = strstr(body, "\r\n\r\n") + 4;
        }
        long long at = (long long)(strstr(body, cases[i].marker) - cases[i].msg);
        char want[256];
        snprintf(want, sizeof(want),
                 "= %s anomalies=0x%x at [%s] %lld: invalid quoted-printable body\n", what,
                 cases[i].anomalies, cases[i].path, at);
        check_final_line(cases[i].msg, want);
    }
}

/* A long line is noted at its 999th counted octet (a CR counts, the LF of a
 * CRLF does not), so an error before that octet leaves the bit unset. */
static void long_line_bit_is_set_at_the_999th_octet_only(void) {
    static const struct {
        size_t pad; /* octets before "=G1" */
        unsigned long_line;
    } cases[] = {{996, 0}, {997, CACHET_MIME_ANOM_LONG_LINE}, {1500, CACHET_MIME_ANOM_LONG_LINE}};
    const char *what = cachet_status_str(CACHET_ERR_MALFORMED);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char msg[2048];
        size_t h = strlen(QP_HDR);
        memcpy(msg, QP_HDR, h);
        memset(msg + h, 'a', cases[i].pad);
        snprintf(msg + h + cases[i].pad, sizeof(msg) - h - cases[i].pad, "=G1\r\nxyz\r\n");
        char want[256];
        snprintf(want, sizeof(want),
                 "= %s anomalies=0x%x at [] %zu: invalid quoted-printable body\n", what,
                 0x1 | cases[i].long_line, h + cases[i].pad + 1);
        check_final_line(msg, want);
    }
    /* Parsed to the end: 997 octets are fine, 1000 are not. */
    static const struct {
        size_t pad;
        unsigned anomalies;
    } ok[] = {{997, 0x1}, {1000, 0x1 | CACHET_MIME_ANOM_LONG_LINE}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char msg[2048];
        size_t h = strlen(QP_HDR);
        memcpy(msg, QP_HDR, h);
        memset(msg + h, 'a', ok[i].pad);
        snprintf(msg + h + ok[i].pad, sizeof(msg) - h - ok[i].pad, "\r\nxyz\r\n");
        char want[64];
        snprintf(want, sizeof(want), "= ok anomalies=0x%x\n", ok[i].anomalies);
        check_final_line(msg, want);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(generated_messages_parse_alike_whole_chunked_and_bytewise),
    TEST_CASE(decoding_errors_keep_their_offsets_and_anomalies),
    TEST_CASE(long_line_bit_is_set_at_the_999th_octet_only),
};
TEST_MAIN(tests)
