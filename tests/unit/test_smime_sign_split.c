/* The header splitter of the generating operations (smime/writer.h), fed whole,
 * byte by byte and in random chunks: which fields stay outside, which form the
 * entity, canonical line breaks, where the body starts, and its limits. */
#include <stdlib.h>
#include <string.h>

#include "smime/writer.h"
#include "testlib.h"

typedef struct split_result {
    cachet_status st;
    char outer[1024];
    char inner[1024];
    char cte_raw[256];
    char body[1024];
    bool has_ctype;
    bool has_cte;
    cachet_mime_cte cte;
    char ctype[64];
} split_result;

static void copy_buf(char *dst, size_t cap, const cachet_membuf *b) {
    size_t n = b->len < cap - 1 ? b->len : cap - 1;
    if (n > 0) {
        memcpy(dst, b->data, n);
    }
    dst[n] = '\0';
}

/* run_split feeds |in| in |mode| (0 whole, 1 bytes, 2 random) and collects the
 * result; body bytes are what the splitter did not take plus its leftover. */
static split_result run_split(const char *in, size_t len, int mode, size_t max_field) {
    split_result r;
    memset(&r, 0, sizeof(r));
    cachet_smime_split s;
    cachet_smime_split_init(&s, max_field);
    cachet_error err;
    cachet_err_clear(&err);
    uint32_t seed = 4242;
    size_t body_len = 0;
    size_t i = 0;
    r.st = CACHET_OK;
    while (i < len && r.st == CACHET_OK) {
        size_t n = len - i;
        if (mode == 1) {
            n = 1;
        } else if (mode == 2) {
            size_t c = 1 + cachet_test_rand(&seed) % 13;
            n = c < n ? c : n;
        }
        size_t used = n;
        if (!s.done) {
            r.st = cachet_smime_split_push(&s, (const uint8_t *)in + i, n, &used, &err);
        } else {
            used = 0;
        }
        if (r.st == CACHET_OK && s.done && used < n && body_len + (n - used) < sizeof(r.body) / 2) {
            memcpy(r.body + body_len, in + i + used, n - used);
            body_len += n - used;
        }
        i += n;
    }
    if (r.st == CACHET_OK) {
        r.st = cachet_smime_split_end(&s, &err);
    }
    if (r.st == CACHET_OK) {
        copy_buf(r.outer, sizeof(r.outer), &s.outer);
        copy_buf(r.inner, sizeof(r.inner), &s.inner);
        copy_buf(r.cte_raw, sizeof(r.cte_raw), &s.cte_raw);
        /* the leftover line (if any) precedes the rest of the body */
        char tmp[1024];
        size_t lo = s.leftover.len < sizeof(tmp) / 2 ? s.leftover.len : 0;
        if (lo > 0) {
            memcpy(tmp, s.leftover.data, lo);
        }
        memcpy(tmp + lo, r.body, body_len);
        memcpy(r.body, tmp, lo + body_len);
        r.body[lo + body_len] = '\0';
        r.has_ctype = s.has_ctype;
        r.has_cte = s.has_cte;
        r.cte = s.cte;
        if (s.has_ctype) {
            snprintf(r.ctype, sizeof(r.ctype), "%s/%s", s.ctype.type, s.ctype.subtype);
        }
    }
    cachet_smime_split_free(&s);
    return r;
}

typedef struct split_case {
    const char *name;
    const char *in;
    const char *outer;
    const char *inner;
    const char *body;
    const char *ctype; /* "" = none */
    const char *cte_raw;
} split_case;

static const split_case cases[] = {
    {"typical message with MIME-Version dropped",
     "From: a@example.com\nSubject: hi\nMIME-Version: 1.0\nContent-Type: text/html\n\n<p>x</p>\n",
     "From: a@example.com\r\nSubject: hi\r\n", "Content-Type: text/html\r\n", "<p>x</p>\n",
     "text/html", ""},
    {"folding kept, CRLF input",
     "Subject: one\r\n two\r\nContent-Type: multipart/mixed;\r\n\tboundary=\"b\"\r\n\r\nbody",
     "Subject: one\r\n two\r\n", "Content-Type: multipart/mixed;\r\n\tboundary=\"b\"\r\n", "body",
     "multipart/mixed", ""},
    {"every Content-* field is protected, CTE kept apart",
     "Content-Disposition: inline\nX-Mailer: m\nContent-Transfer-Encoding: 8bit\n"
     "content-language: de\n\nx",
     "X-Mailer: m\r\n", "Content-Disposition: inline\r\ncontent-language: de\r\n", "x", "",
     "Content-Transfer-Encoding: 8bit\r\n"},
    {"no header at all", "hello world\nsecond\n", "", "", "hello world\nsecond\n", "", ""},
    {"mbox From_ line is not a header", "From alice Mon Jan 1\nSubject: x\n\nb", "", "",
     "From alice Mon Jan 1\nSubject: x\n\nb", "", ""},
    {"header ended by a non-header line", "Subject: x\nthis is text\nmore\n", "Subject: x\r\n", "",
     "this is text\nmore\n", "", ""},
    {"header only, no line break at the end", "Subject: x\nTo: y", "Subject: x\r\nTo: y\r\n", "",
     "", "", ""},
    {"obsolete name-colon spacing", "Subject : x\nContent-Type : text/plain\n\nb",
     "Subject : x\r\n", "Content-Type : text/plain\r\n", "b", "text/plain", ""},
    {"white-space-only continuation dropped", "Subject: a\n   \n b\nTo: c\n\nx",
     "Subject: a\r\n b\r\nTo: c\r\n", "", "x", "", ""},
    {"empty input", "", "", "", "", "", ""},
};

static void header_split_table_in_every_chunking(void) {
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int mode = 0; mode <= 2; mode++) {
            split_result r = run_split(cases[i].in, strlen(cases[i].in), mode, 65536);
            if (r.st != CACHET_OK || strcmp(r.outer, cases[i].outer) != 0 ||
                strcmp(r.inner, cases[i].inner) != 0 || strcmp(r.body, cases[i].body) != 0 ||
                strcmp(r.ctype, cases[i].ctype) != 0 || strcmp(r.cte_raw, cases[i].cte_raw) != 0) {
                fprintf(stderr,
                        "case '%s' mode %d: st=%d outer=[%s] inner=[%s] body=[%s] ctype=[%s]\n",
                        cases[i].name, mode, r.st, r.outer, r.inner, r.body, r.ctype);
            }
            CHECK_EQ_INT(r.st, CACHET_OK);
            CHECK_STR(r.outer, cases[i].outer);
            CHECK_STR(r.inner, cases[i].inner);
            CHECK_STR(r.body, cases[i].body);
            CHECK_STR(r.ctype, cases[i].ctype);
            CHECK_STR(r.cte_raw, cases[i].cte_raw);
        }
    }
}

static void two_content_types_are_malformed(void) {
    const char *in = "Content-Type: text/plain\nContent-Type: text/html\n\nx";
    for (int mode = 0; mode <= 2; mode++) {
        CHECK_EQ_INT(run_split(in, strlen(in), mode, 65536).st, CACHET_ERR_MALFORMED);
    }
    const char *cte = "Content-Transfer-Encoding: 7bit\nContent-Transfer-Encoding: base64\n\nx";
    CHECK_EQ_INT(run_split(cte, strlen(cte), 1, 65536).st, CACHET_ERR_MALFORMED);
}

static void an_unparsable_content_type_is_refused(void) {
    const char *in = "Content-Type: text/plain; charset=\"unterminated\n\nx";
    CHECK(run_split(in, strlen(in), 0, 65536).st != CACHET_OK);
}

static void a_field_over_the_limit_is_a_limit_error(void) {
    char in[300];
    memcpy(in, "Subject: ", 9);
    memset(in + 9, 'a', 200);
    memcpy(in + 209, "\n\nbody", 7);
    for (int mode = 0; mode <= 2; mode++) {
        CHECK_EQ_INT(run_split(in, strlen(in), mode, 100).st, CACHET_ERR_LIMIT);
    }
    /* folded continuation lines count towards the same field */
    char folded[400];
    strcpy(folded, "Subject: a\n");
    for (int i = 0; i < 30; i++) {
        strcat(folded, " bbbbbbbb\n");
    }
    strcat(folded, "\nx");
    CHECK_EQ_INT(run_split(folded, strlen(folded), 1, 100).st, CACHET_ERR_LIMIT);
    CHECK_EQ_INT(run_split(folded, strlen(folded), 1, 1000).st, CACHET_OK);
}

/* Input without a header whose first line is longer than a header field may be
 * is body, not a limit error (a long line of text, a binary blob). */
static void a_long_first_line_that_is_no_field_is_body(void) {
    char in[400];
    memset(in, 'z', sizeof(in) - 1);
    in[sizeof(in) - 1] = '\0';
    in[250] = ':'; /* a colon late in the line: the name part has no valid end */
    in[100] = ' ';
    for (int mode = 0; mode <= 2; mode++) {
        split_result r = run_split(in, strlen(in), mode, 100);
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK_STR(r.outer, "");
        CHECK_STR(r.body, in);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(a_long_first_line_that_is_no_field_is_body),
    TEST_CASE(header_split_table_in_every_chunking),
    TEST_CASE(two_content_types_are_malformed),
    TEST_CASE(an_unparsable_content_type_is_refused),
    TEST_CASE(a_field_over_the_limit_is_a_limit_error),
};
TEST_MAIN(tests)
