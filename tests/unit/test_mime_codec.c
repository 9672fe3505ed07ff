/* Streaming base64, quoted-printable and CRLF canonical form: goldens, strictness,
 * and round trips with the input split at every position. */
#include <stdlib.h>

#include "mime/mime.h"
#include "testlib.h"

/* Decodes |in| split at |cut|; returns false on a decoding error. */
static bool b64_decode_split(const char *in, size_t cut, uint8_t *out, size_t *out_len) {
    size_t len = strlen(in);
    cachet_mime_b64dec d;
    cachet_mime_b64dec_init(&d);
    size_t a = 0, b = 0;
    bool ok = cachet_mime_b64dec_update(&d, (const uint8_t *)in, cut, out, &a) &&
              cachet_mime_b64dec_update(&d, (const uint8_t *)in + cut, len - cut, out + a, &b) &&
              cachet_mime_b64dec_finish(&d);
    *out_len = a + b;
    return ok;
}

static void base64_decoder_goldens_at_every_split(void) {
    static const struct {
        const char *in;
        const char *out; /* NULL: must fail */
    } cases[] = {
        {"", ""},
        {"Zg==", "f"},
        {"Zm8=", "fo"},
        {"Zm9v", "foo"},
        {"Zm9v\r\nYmFy", "foobar"},
        {" Zm 9v\tYg ==\r\n", "foob"},
        {"Zg==\r\n  \r\n", "f"},
        {"Zg=", NULL},  /* padding incomplete */
        {"Zg", NULL},   /* missing padding */
        {"Z", NULL},    /* one character is no byte */
        {"Z===", NULL}, /* padding too early */
        {"=", NULL},
        {"Zg==Zg==", NULL}, /* data after the padding */
        {"Zh==", NULL},     /* non-zero padding bits: a second encoding of "f" */
        {"Zm9=", NULL},
        {"Zm9v!", NULL},  /* not in the alphabet */
        {"Zm9v-_", NULL}, /* base64url is not MIME base64 */
        {"Zm\x01v", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = strlen(cases[i].in);
        for (size_t cut = 0; cut <= len; cut++) {
            uint8_t out[64];
            size_t n = 0;
            bool ok = b64_decode_split(cases[i].in, cut, out, &n);
            if (cases[i].out == NULL) {
                if (ok) {
                    fprintf(stderr, "base64 case %zu accepted at cut %zu\n", i, cut);
                    cachet_test_failures++;
                }
            } else {
                CHECK(ok);
                CHECK_MEM(out, n, cases[i].out, strlen(cases[i].out));
            }
        }
    }
}

static void base64_encoder_writes_76_column_crlf_lines(void) {
    uint8_t in[200];
    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t)(i * 7 + 3);
    }
    cachet_mime_b64enc e;
    cachet_mime_b64enc_init(&e);
    uint8_t out[CACHET_MIME_B64ENC_MAX(200) + CACHET_MIME_B64ENC_FINISH_MAX];
    size_t n = cachet_mime_b64enc_update(&e, in, sizeof(in), out);
    n += cachet_mime_b64enc_finish(&e, out + n);
    /* 200 bytes -> 268 characters: 3 lines of 76 and one of 40, each with CRLF. */
    CHECK_EQ_INT(n, 268 + 4 * 2);
    CHECK(out[76] == '\r' && out[77] == '\n');
    CHECK(out[n - 2] == '\r' && out[n - 1] == '\n');
    CHECK(memcmp(out + n - 4, "==", 2) == 0 || memcmp(out + n - 3, "=", 1) == 0);
    static const struct {
        const char *in, *out;
    } gold[] = {{"", ""},
                {"f", "Zg==\r\n"},
                {"fo", "Zm8=\r\n"},
                {"foo", "Zm9v\r\n"},
                {"foobar", "Zm9vYmFy\r\n"}};
    for (size_t i = 0; i < sizeof(gold) / sizeof(gold[0]); i++) {
        cachet_mime_b64enc_init(&e);
        size_t k =
            cachet_mime_b64enc_update(&e, (const uint8_t *)gold[i].in, strlen(gold[i].in), out);
        k += cachet_mime_b64enc_finish(&e, out + k);
        CHECK_MEM(out, k, gold[i].out, strlen(gold[i].out));
    }
}

static void base64_round_trips_at_every_split(void) {
    uint32_t seed = 7;
    for (size_t len = 0; len < 120; len += 7) {
        uint8_t in[128];
        for (size_t i = 0; i < len; i++) {
            in[i] = (uint8_t)cachet_test_rand(&seed);
        }
        for (size_t cut = 0; cut <= len; cut++) {
            cachet_mime_b64enc e;
            cachet_mime_b64enc_init(&e);
            uint8_t enc[CACHET_MIME_B64ENC_MAX(128) * 2 + 16];
            size_t n = cachet_mime_b64enc_update(&e, in, cut, enc);
            n += cachet_mime_b64enc_update(&e, in + cut, len - cut, enc + n);
            n += cachet_mime_b64enc_finish(&e, enc + n);
            CHECK(cachet_mime_is_7bit_safe(enc, n));
            enc[n] = '\0';
            uint8_t dec[256];
            size_t dl = 0;
            CHECK(b64_decode_split((const char *)enc, cut < n ? cut : n, dec, &dl));
            CHECK_MEM(dec, dl, in, len);
        }
    }
}

/* The codec's lookup tables, entry by entry, against the alphabet. */
static const char b64_ref[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decodes |text| (whole quanta, no padding, no whitespace) the slow way. */
static void b64_ref_decode(const char *text, size_t len, uint8_t *out) {
    for (size_t q = 0; q < len / 4; q++) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            v = v << 6 | (uint32_t)(strchr(b64_ref, text[4 * q + k]) - b64_ref);
        }
        out[3 * q] = (uint8_t)(v >> 16);
        out[3 * q + 1] = (uint8_t)(v >> 8);
        out[3 * q + 2] = (uint8_t)v;
    }
}

/* Decodes all of |in| in one call; false on a decoding error. */
static bool b64_decode_all(const uint8_t *in, size_t len, uint8_t *out, size_t *out_len) {
    cachet_mime_b64dec d;
    cachet_mime_b64dec_init(&d);
    *out_len = 0;
    return cachet_mime_b64dec_update(&d, in, len, out, out_len) && cachet_mime_b64dec_finish(&d);
}

static void base64_tables_hold_every_value(void) {
    /* Decoding: every byte value at every place of a 16-character run (four
     * quanta per lookup round) and of a single quantum (one at a time); a byte
     * outside the alphabet falls to the careful step and its class table. Only
     * an alphabet character keeps the input valid: '=' comes too early, and
     * whitespace leaves a quantum short. */
    static const char *const runs[] = {"QUJDREVGR0hJSktM", "QUJD"};
    for (size_t r = 0; r < 2; r++) {
        size_t len = strlen(runs[r]);
        for (int b = 0; b < 256; b++) {
            for (size_t at = 0; at < len; at++) {
                char in[17];
                memcpy(in, runs[r], len + 1);
                in[at] = (char)b;
                uint8_t out[16], want[16];
                size_t n = 0;
                bool ok = b64_decode_all((const uint8_t *)in, len, out, &n);
                bool alpha = b != 0 && strchr(b64_ref, b) != NULL;
                if (ok != alpha) {
                    fprintf(stderr, "base64 byte 0x%02x at %zu of %zu: %s\n", b, at, len,
                            ok ? "accepted" : "refused");
                    cachet_test_failures++;
                } else if (ok) {
                    b64_ref_decode(in, len, want);
                    CHECK_MEM(out, n, want, len / 4 * 3);
                }
            }
        }
    }
    /* Whitespace is skipped anywhere, and only the four characters RFC 2045 allows. */
    static const char base[] = "QUJDREVG";
    for (int b = 0; b < 256; b++) {
        bool ws = b == '\r' || b == '\n' || b == ' ' || b == '\t';
        for (size_t at = 0; at <= 8; at++) {
            uint8_t in[9], out[8];
            memcpy(in, base, at);
            in[at] = (uint8_t)b;
            memcpy(in + at + 1, base + at, 8 - at);
            size_t n = 0;
            bool ok = b64_decode_all(in, sizeof(in), out, &n);
            if (ok != ws) {
                fprintf(stderr, "base64 byte 0x%02x inserted at %zu: %s\n", b, at,
                        ok ? "accepted" : "refused");
                cachet_test_failures++;
            } else if (ok) {
                CHECK_MEM(out, n, "ABCDEF", 6);
            }
        }
    }
    /* Encoding: every 12-bit value in both halves of a quantum, on the
     * 57-byte-line path and its tail. */
    enum { N = 4096 * 3 };
    uint8_t *in = malloc(N);
    uint8_t *enc = malloc(CACHET_MIME_B64ENC_MAX(N) + CACHET_MIME_B64ENC_FINISH_MAX);
    char *want = malloc(N / 3 * 4);
    CHECK(in != NULL && enc != NULL && want != NULL);
    if (in == NULL || enc == NULL || want == NULL) {
        free(in);
        free(enc);
        free(want);
        return;
    }
    for (uint32_t k = 0; k < 4096; k++) {
        uint32_t v = k << 12 | k;
        in[3 * k] = (uint8_t)(v >> 16);
        in[3 * k + 1] = (uint8_t)(v >> 8);
        in[3 * k + 2] = (uint8_t)v;
        for (size_t c = 0; c < 4; c++) {
            want[4 * k + c] = b64_ref[(v >> (18 - 6 * c)) & 63];
        }
    }
    cachet_mime_b64enc e;
    cachet_mime_b64enc_init(&e);
    size_t n = cachet_mime_b64enc_update(&e, in, N, enc);
    n += cachet_mime_b64enc_finish(&e, enc + n);
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) {
        if (enc[i] != '\r' && enc[i] != '\n') {
            enc[chars++] = enc[i];
        }
    }
    CHECK_MEM(enc, chars, want, (size_t)N / 3 * 4);
    free(in);
    free(enc);
    free(want);
}

static bool qp_decode_split(const char *in, size_t cut, uint8_t *out, size_t *out_len,
                            bool *lower) {
    size_t len = strlen(in);
    cachet_mime_qpdec d;
    cachet_mime_qpdec_init(&d);
    size_t a = 0, b = 0, c = 0;
    bool ok = cachet_mime_qpdec_update(&d, (const uint8_t *)in, cut, out, &a) &&
              cachet_mime_qpdec_update(&d, (const uint8_t *)in + cut, len - cut, out + a, &b) &&
              cachet_mime_qpdec_finish(&d, out + a + b, &c);
    *out_len = a + b + c;
    *lower = d.lowercase;
    return ok;
}

static void quoted_printable_decoder_goldens_at_every_split(void) {
    static const struct {
        const char *in;
        const char *out; /* NULL: must fail */
        bool lower;
    } cases[] = {
        {"a=3Db", "a=b", false},
        {"a=3db", "a=b", true}, /* lowercase hex: accepted, flagged */
        {"h=C3=A9llo", "h\xc3\xa9llo", false},
        {"ab=\r\ncd", "abcd", false},                /* soft line break */
        {"ab= \t\r\ncd", "abcd", false},             /* soft break with transport padding */
        {"ab=\ncd", "abcd", false},                  /* soft break, bare LF */
        {"ab  \r\ncd\t\r\n", "ab\r\ncd\r\n", false}, /* trailing whitespace is padding */
        {"ab  \ncd", "ab\ncd", false},
        {"a b", "a b", false},
        {"ab  ", "ab", false},   /* end of body ends the line */
        {"ab=", "ab", false},    /* final soft break */
        {"a\rb", "a\rb", false}, /* lone CR is data */
        {"a=Zb", NULL, false},
        {"a=3", NULL, false},
        {"a=3Z", NULL, false},
        {"a=\rx", NULL, false},
        {"a= x", NULL, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = strlen(cases[i].in);
        for (size_t cut = 0; cut <= len; cut++) {
            uint8_t out[64];
            size_t n = 0;
            bool lower = false;
            bool ok = qp_decode_split(cases[i].in, cut, out, &n, &lower);
            if (cases[i].out == NULL) {
                if (ok) {
                    fprintf(stderr, "qp case %zu accepted at cut %zu\n", i, cut);
                    cachet_test_failures++;
                }
            } else {
                CHECK(ok);
                CHECK_MEM(out, n, cases[i].out, strlen(cases[i].out));
                CHECK_EQ_INT(lower, cases[i].lower);
            }
        }
    }
}

static size_t qp_encode(const uint8_t *in, size_t len, size_t cut, bool text, uint8_t *out) {
    cachet_mime_qpenc e;
    cachet_mime_qpenc_init(&e, text);
    size_t n = cachet_mime_qpenc_update(&e, in, cut, out);
    n += cachet_mime_qpenc_update(&e, in + cut, len - cut, out + n);
    n += cachet_mime_qpenc_finish(&e, out + n);
    return n;
}

static void quoted_printable_encoder_goldens_at_every_split(void) {
    static const struct {
        const char *in, *out;
        bool text;
    } cases[] = {
        {"From here", "=46rom here", true},
        {"a\r\nFrom x", "a\r\n=46rom x", true},
        {".\r\n", "=2E\r\n", true},
        {"a \r\nb", "a=20\r\nb", true},
        {"a\t\nb", "a=09\r\nb", true}, /* bare LF becomes CRLF in text mode */
        {"a ", "a=20", true},
        {"a  b", "a  b", true},
        {"a=b", "a=3Db", true},
        {"\xc3\xa9t\xc3\xa9", "=C3=A9t=C3=A9", true},
        {"a\rb", "a=0Db", true},
        {"a\r\nb", "a=0D=0Ab", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = strlen(cases[i].in);
        for (size_t cut = 0; cut <= len; cut++) {
            uint8_t out[CACHET_MIME_QPENC_MAX(64)];
            size_t n = qp_encode((const uint8_t *)cases[i].in, len, cut, cases[i].text, out);
            CHECK_MEM(out, n, cases[i].out, strlen(cases[i].out));
        }
    }
}

static void quoted_printable_lines_stay_within_76_and_round_trip(void) {
    static const char alphabet[] = "ab =\t\xe9\xff.F\r\n\r\n";
    uint32_t seed = 99;
    for (int round = 0; round < 40; round++) {
        uint8_t in[300];
        size_t len = 50 + cachet_test_rand(&seed) % 250;
        for (size_t i = 0; i < len; i++) {
            in[i] = (uint8_t)alphabet[cachet_test_rand(&seed) % (sizeof(alphabet) - 1)];
        }
        /* Text mode maps bare LF/CR the canonical way; use CRLF-only text for it. */
        uint8_t text[600];
        size_t tl = 0;
        for (size_t i = 0; i < len; i++) {
            if (in[i] == '\n' || in[i] == '\r') {
                text[tl++] = '\r';
                text[tl++] = '\n';
            } else {
                text[tl++] = in[i];
            }
        }
        for (int mode = 0; mode < 2; mode++) {
            const uint8_t *src = mode ? text : in;
            size_t sl = mode ? tl : len;
            size_t cut = cachet_test_rand(&seed) % (sl + 1);
            uint8_t enc[CACHET_MIME_QPENC_MAX(600)];
            size_t n = qp_encode(src, sl, cut, mode == 1, enc);
            CHECK(cachet_mime_is_7bit_safe(enc, n));
            size_t col = 0;
            for (size_t i = 0; i < n; i++) {
                if (enc[i] == '\r') {
                    CHECK(col <= 76);
                    col = 0;
                } else if (enc[i] != '\n') {
                    col++;
                }
            }
            CHECK(col <= 76);
            enc[n] = '\0';
            uint8_t dec[700];
            size_t dl = 0;
            bool lower = true;
            CHECK(qp_decode_split((const char *)enc, cut < n ? cut : n, dec, &dl, &lower));
            CHECK_MEM(dec, dl, src, sl);
            CHECK(!lower);
        }
    }
}

static void canonicaliser_turns_bare_lf_into_crlf_across_chunks(void) {
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"a\nb\r\nc\r", "a\r\nb\r\nc\r"},
        {"\n\n", "\r\n\r\n"},
        {"\r\n\r\n", "\r\n\r\n"},
        {"x\r\r\n", "x\r\r\n"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = strlen(cases[i].in);
        for (size_t cut = 0; cut <= len; cut++) {
            cachet_mime_canon c;
            cachet_mime_canon_init(&c);
            uint8_t out[32];
            size_t n = cachet_mime_canon_update(&c, (const uint8_t *)cases[i].in, cut, out);
            n += cachet_mime_canon_update(&c, (const uint8_t *)cases[i].in + cut, len - cut,
                                          out + n);
            CHECK_MEM(out, n, cases[i].out, strlen(cases[i].out));
        }
    }
}

static void seven_bit_check_refuses_8bit_bare_line_ends_and_long_lines(void) {
    CHECK(cachet_mime_is_7bit_safe((const uint8_t *)"a\r\nb", 4));
    CHECK(!cachet_mime_is_7bit_safe((const uint8_t *)"a\nb", 3));
    CHECK(!cachet_mime_is_7bit_safe((const uint8_t *)"a\rb", 3));
    CHECK(!cachet_mime_is_7bit_safe((const uint8_t *)"a\r", 2));
    CHECK(!cachet_mime_is_7bit_safe((const uint8_t *)"\xe9", 1));
    CHECK(!cachet_mime_is_7bit_safe((const uint8_t *)"a\0b", 3));
    uint8_t line[1001];
    memset(line, 'x', sizeof(line));
    CHECK(cachet_mime_is_7bit_safe(line, 998));
    CHECK(!cachet_mime_is_7bit_safe(line, 999));
    /* Streaming: state carries across chunks. */
    cachet_mime_7bit_check c;
    cachet_mime_7bit_init(&c);
    cachet_mime_7bit_update(&c, (const uint8_t *)"ab\r", 3);
    cachet_mime_7bit_update(&c, (const uint8_t *)"\ncd", 3);
    CHECK(cachet_mime_7bit_result(&c));
}

static const cachet_test_case tests[] = {
    TEST_CASE(base64_decoder_goldens_at_every_split),
    TEST_CASE(base64_encoder_writes_76_column_crlf_lines),
    TEST_CASE(base64_round_trips_at_every_split),
    TEST_CASE(base64_tables_hold_every_value),
    TEST_CASE(quoted_printable_decoder_goldens_at_every_split),
    TEST_CASE(quoted_printable_encoder_goldens_at_every_split),
    TEST_CASE(quoted_printable_lines_stay_within_76_and_round_trip),
    TEST_CASE(canonicaliser_turns_bare_lf_into_crlf_across_chunks),
    TEST_CASE(seven_bit_check_refuses_8bit_bare_line_ends_and_long_lines),
};
TEST_MAIN(tests)
