/* The streaming MIME parser: golden event logs, identical whatever the chunking. */
#include <stdlib.h>

#include "mime/internal.h"
#include "testlib.h"

/* The last line of a log: status, anomalies and error detail. */
static const char *last_line(const cachet_membuf *log, size_t *len) {
    size_t end = log->len > 0 ? log->len - 1 : 0;
    size_t st = end;
    while (st > 0 && log->data[st - 1] != '\n') {
        st--;
    }
    *len = log->len - st;
    return (const char *)log->data + st;
}

/* Two logs agree: equal when parsing succeeded; after an error only the final
 * line (status, part, offset, message) is compared, since how much data was
 * delivered before the error depends on the chunking. */
static bool logs_agree(const cachet_membuf *a, const cachet_membuf *b, cachet_status st) {
    if (st == CACHET_OK) {
        return cachet_test_mem_eq(a->data, a->len, b->data, b->len);
    }
    size_t la, lb;
    const char *xa = last_line(a, &la), *xb = last_line(b, &lb);
    return cachet_test_mem_eq(xa, la, xb, lb);
}

/* Records |msg| fed whole, byte by byte and in random chunks; every log must
 * agree; returns the whole-input log (malloc'd), only its last line on error. */
static char *run_all(const char *msg, size_t len, unsigned flags, const char *no_descend,
                     const cachet_mime_limits *lim, cachet_status *st_out) {
    cachet_mime_recorder whole;
    cachet_status st =
        cachet_mime_record_run((const uint8_t *)msg, len, NULL, 0, flags, no_descend, lim, &whole);
    size_t *cuts = malloc((len + 1) * sizeof(size_t));
    for (size_t i = 0; i < len; i++) {
        cuts[i] = i + 1;
    }
    cachet_mime_recorder r;
    cachet_status st2 =
        cachet_mime_record_run((const uint8_t *)msg, len, cuts, len, flags, no_descend, lim, &r);
    CHECK_EQ_INT(st2, st);
    if (!logs_agree(&r.log, &whole.log, st)) {
        fprintf(stderr, "byte-by-byte log differs:\n%.*s\n", (int)r.log.len,
                (const char *)r.log.data);
        cachet_test_failures++;
    }
    cachet_mime_record_free(&r);
    uint32_t seed = 12345;
    for (int round = 0; round < 20; round++) {
        size_t n = 0, at = 0;
        while (at < len) {
            at += 1 + cachet_test_rand(&seed) % 17;
            cuts[n++] = at < len ? at : len;
        }
        st2 =
            cachet_mime_record_run((const uint8_t *)msg, len, cuts, n, flags, no_descend, lim, &r);
        CHECK_EQ_INT(st2, st);
        if (!logs_agree(&r.log, &whole.log, st)) {
            fprintf(stderr, "chunked log differs (round %d):\n%.*s\n", round, (int)r.log.len,
                    (const char *)r.log.data);
            cachet_test_failures++;
        }
        cachet_mime_record_free(&r);
    }
    free(cuts);
    size_t ll = whole.log.len;
    const char *from = (const char *)whole.log.data;
    if (st != CACHET_OK) {
        from = last_line(&whole.log, &ll);
    }
    char *log = malloc(ll + 1);
    memcpy(log, from, ll);
    log[ll] = '\0';
    cachet_mime_record_free(&whole);
    if (st_out != NULL) {
        *st_out = st;
    }
    return log;
}

/* Status and error part of |msg| under |lim|, checked equal whole and byte by byte. */
static cachet_status status_of(const char *msg, const cachet_mime_limits *lim, char *where,
                               size_t where_len) {
    char *log = run_all(msg, strlen(msg), 0, NULL, lim, NULL);
    cachet_mime_recorder r;
    cachet_status st =
        cachet_mime_record_run((const uint8_t *)msg, strlen(msg), NULL, 0, 0, NULL, lim, &r);
    const char *at = strstr(log, " at [");
    where[0] = '\0';
    if (at != NULL) {
        const char *end = strchr(at + 5, ']');
        size_t n = end ? (size_t)(end - at - 5) : 0;
        snprintf(where, where_len, "%.*s", (int)(n < where_len ? n : where_len - 1), at + 5);
    }
    cachet_mime_record_free(&r);
    free(log);
    return st;
}

static char *repeat(char c, size_t n) {
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void header_field_limit_is_exact(void) {
    cachet_mime_limits lim;
    cachet_mime_limits_default(&lim);
    lim.max_header_field = 32;
    char where[64];
    /* "Subject: " + 21 + CRLF = 32 bytes: allowed; one more is not. */
    CHECK_EQ_INT(status_of("Subject: xxxxxxxxxxxxxxxxxxxxx\r\n\r\nb", &lim, where, sizeof(where)),
                 CACHET_OK);
    CHECK_EQ_INT(status_of("Subject: xxxxxxxxxxxxxxxxxxxxxx\r\n\r\nb", &lim, where, sizeof(where)),
                 CACHET_ERR_LIMIT);
    /* Folding counts: the field is all its lines. */
    CHECK_EQ_INT(
        status_of("Subject: xxxxxxxxxx\r\n xxxxxxxxxx\r\n\r\nb", &lim, where, sizeof(where)),
        CACHET_ERR_LIMIT);
    /* A long name with no colon is bounded too. */
    char *name = repeat('N', 40);
    CHECK_EQ_INT(status_of(name, &lim, where, sizeof(where)), CACHET_ERR_LIMIT);
    free(name);
}

static void header_total_limit_is_per_part_and_exact(void) {
    cachet_mime_limits lim;
    cachet_mime_limits_default(&lim);
    lim.max_header_total = 32;
    char where[64];
    /* 15 + 15 + 2 = 32 header bytes. */
    CHECK_EQ_INT(
        status_of("A: 1234567890\r\nB: 1234567890\r\n\r\nbody", &lim, where, sizeof(where)),
        CACHET_OK);
    CHECK_EQ_INT(
        status_of("A: 1234567890\r\nB: 12345678901\r\n\r\nbody", &lim, where, sizeof(where)),
        CACHET_ERR_LIMIT);
    /* In a child part the error names the part. */
    lim.max_header_total = 60;
    CHECK_EQ_INT(
        status_of("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nA: 1234567890\r\n"
                  "B: 1234567890\r\nC: 1234567890\r\nD: 1234567890\r\nE: 1234567890\r\n\r\n"
                  "--a--\r\n",
                  &lim, where, sizeof(where)),
        CACHET_ERR_LIMIT);
    CHECK_STR(where, "1");
}

static void nesting_depth_limit_is_exact(void) {
    cachet_mime_limits lim;
    cachet_mime_limits_default(&lim);
    lim.max_depth = 2;
    char where[64];
    const char *depth2 = "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n"
                         "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nleaf\r\n"
                         "--b--\r\n--a--\r\n";
    CHECK_EQ_INT(status_of(depth2, &lim, where, sizeof(where)), CACHET_OK);
    lim.max_depth = 1;
    CHECK_EQ_INT(status_of(depth2, &lim, where, sizeof(where)), CACHET_ERR_LIMIT);
    CHECK_STR(where, "1");
}

static void part_count_limit_is_exact(void) {
    cachet_mime_limits lim;
    cachet_mime_limits_default(&lim);
    lim.max_parts = 3;
    char where[64];
    const char *two =
        "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\r\n1\r\n--a\r\n\r\n2\r\n"
        "--a--\r\n";
    const char *three =
        "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\r\n1\r\n--a\r\n\r\n2"
        "\r\n--a\r\n\r\n3\r\n--a--\r\n";
    CHECK_EQ_INT(status_of(two, &lim, where, sizeof(where)), CACHET_OK);
    CHECK_EQ_INT(status_of(three, &lim, where, sizeof(where)), CACHET_ERR_LIMIT);
    CHECK_STR(where, "");
}

static void boundary_length_limit_is_exact(void) {
    char where[64];
    char msg[512];
    char *b70 = repeat('b', 70), *b71 = repeat('b', 71);
    snprintf(msg, sizeof(msg),
             "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n\r\nx\r\n--%s--\r\n",
             b70, b70, b70);
    CHECK_EQ_INT(status_of(msg, NULL, where, sizeof(where)), CACHET_OK);
    snprintf(msg, sizeof(msg),
             "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n\r\nx\r\n--%s--\r\n",
             b71, b71, b71);
    CHECK_EQ_INT(status_of(msg, NULL, where, sizeof(where)), CACHET_ERR_LIMIT);
    cachet_mime_limits lim;
    cachet_mime_limits_default(&lim);
    lim.max_boundary = 10;
    CHECK_EQ_INT(
        status_of("Content-Type: multipart/mixed; boundary=0123456789\r\n\r\n--0123456789\r\n"
                  "\r\n--0123456789--\r\n",
                  &lim, where, sizeof(where)),
        CACHET_OK);
    CHECK_EQ_INT(
        status_of("Content-Type: multipart/mixed; boundary=0123456789a\r\n\r\n--0123456789a"
                  "\r\n\r\n--0123456789a--\r\n",
                  &lim, where, sizeof(where)),
        CACHET_ERR_LIMIT);
    free(b70);
    free(b71);
}

/* The raw bytes of part 1 are what RFC 1847 says is signed, independent of the
 * line-end style, of padding after the boundary and of chunking. */
static void signed_part_raw_bytes_are_exact(void) {
    static const struct {
        const char *msg;
        const char *part1;
        const char *part2;
    } cases[] = {
        {"Content-Type: multipart/signed; boundary=s\r\n\r\n--s\r\nA: b\r\n\r\nbody\r\n\r\n--s\r\n"
         "\r\nsig\r\n--s--\r\n",
         "A: b\r\n\r\nbody\r\n", "\r\nsig"},
        {"Content-Type: multipart/signed; boundary=s\n\n--s   \nA: b\n\nbody\n--s\t\n\nsig\n--s-- "
         "\n",
         "A: b\n\nbody", "\nsig"},
        {"Content-Type: multipart/signed; "
         "boundary=s\r\n\r\n--s\r\n\r\n\r\n\r\n--s\r\n\r\nsig\r\n--s--",
         "\r\n\r\n", "\r\nsig"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = strlen(cases[i].msg);
        for (size_t cut = 0; cut <= len; cut++) {
            cachet_mime_recorder r;
            size_t cuts[1] = {cut};
            CHECK_EQ_INT(cachet_mime_record_run((const uint8_t *)cases[i].msg, len, cuts, 1, 0,
                                                NULL, NULL, &r),
                         CACHET_OK);
            const cachet_membuf *p1 = cachet_mime_record_raw(&r, "1");
            const cachet_membuf *p2 = cachet_mime_record_raw(&r, "2");
            CHECK(p1 != NULL && p2 != NULL);
            if (p1 != NULL && p2 != NULL) {
                CHECK_MEM(p1->data, p1->len, cases[i].part1, strlen(cases[i].part1));
                CHECK_MEM(p2->data, p2->len, cases[i].part2, strlen(cases[i].part2));
            }
            cachet_mime_record_free(&r);
        }
    }
}

static void update_after_finish_is_a_usage_error(void) {
    cachet_mime_parser *p = cachet_mime_parser_new(NULL, NULL);
    CHECK(p != NULL);
    CHECK_EQ_INT(cachet_mime_parser_update(p, (const uint8_t *)"A: b\r\n\r\nx", 10), CACHET_OK);
    CHECK_EQ_INT(cachet_mime_parser_finish(p), CACHET_OK);
    CHECK_EQ_INT(cachet_mime_parser_update(p, (const uint8_t *)"x", 1), CACHET_ERR_USAGE);
    CHECK_EQ_INT(cachet_mime_parser_anomalies(p), CACHET_MIME_ANOM_NO_MIME_VERSION);
    cachet_mime_parser_free(p);
    cachet_mime_parser_free(NULL);
}

static cachet_status refuse_part_2(void *arg, const cachet_mime_part_info *info, bool *descend) {
    (void)arg;
    (void)descend;
    return strcmp(info->path, "2") == 0 ? CACHET_ERR_POLICY : CACHET_OK;
}

static void callback_failure_stops_the_parser_with_its_status(void) {
    cachet_mime_callbacks cb = {.headers_end = refuse_part_2};
    cachet_mime_parser *p = cachet_mime_parser_new(NULL, &cb);
    const char *m =
        "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\r\n1\r\n--a\r\n\r\n2\r\n"
        "--a--\r\n";
    CHECK_EQ_INT(cachet_mime_parser_update(p, (const uint8_t *)m, strlen(m)), CACHET_ERR_POLICY);
    CHECK_STR(cachet_mime_parser_error(p)->where, "2");
    CHECK_EQ_INT(cachet_mime_parser_finish(p), CACHET_ERR_POLICY);
    cachet_mime_parser_free(p);
}

static void allocation_failures_are_reported_not_crashed(void) {
    const char *m =
        "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: text/plain;"
        " name*0*=utf-8''%C3%A9; name*1=x\r\n\r\n1\r\n--a--\r\n";
    for (unsigned long n = 1; n < 60; n++) {
        cachet_alloc_fail_after(n);
        cachet_mime_recorder r;
        cachet_status st =
            cachet_mime_record_run((const uint8_t *)m, strlen(m), NULL, 0, 0, NULL, NULL, &r);
        cachet_alloc_fail_after(0);
        if (st != CACHET_OK && st != CACHET_ERR_NOMEM) {
            fprintf(stderr, "alloc failure %lu gave %s\n", n, cachet_status_str(st));
            cachet_test_failures++;
        }
        cachet_mime_record_free(&r);
    }
}

typedef struct golden {
    const char *name;
    const char *msg;
    unsigned flags;
    const char *no_descend;
    const char *want;
} golden;

#define SIGNED_HDR                                                                                 \
    "MIME-Version: 1.0\r\nContent-Type: multipart/signed; "                                        \
    "protocol=\"application/pkcs7-signature\";"                                                    \
    " micalg=sha-256;\r\n boundary=\"=_b1\"\r\n\r\n"

static const golden goldens[] = {
    /* AS2 (RFC 4130) messages stored as the HTTP request that carried them */
    {"as2_http_request_line_first_is_skipped",
     "POST /as2 HTTP/1.1\r\nContent-Type: text/plain\r\n\r\nbody\r\n", 0, NULL,
     "H [] Content-Type: text/plain | raw Content-Type: text/plain\\r\\n\n"
     "E [] text/plain 7bit\n"
     "B [] body\\r\\n | raw body\\r\\n\n"
     "X []\n"
     "R [] Content-Type: text/plain\\r\\n\\r\\nbody\\r\\n\n"
     "= ok anomalies=0x100001\n"},
    {"http_status_line_first_is_skipped",
     "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbody\r\n", 0, NULL,
     "H [] Content-Type: text/plain | raw Content-Type: text/plain\\r\\n\n"
     "E [] text/plain 7bit\n"
     "B [] body\\r\\n | raw body\\r\\n\n"
     "X []\n"
     "R [] Content-Type: text/plain\\r\\n\\r\\nbody\\r\\n\n"
     "= ok anomalies=0x100001\n"},
    {"http_request_line_ended_by_a_bare_lf_skips_only_itself",
     "POST /as2 HTTP/1.1\nContent-Type: text/html\n\nbody\n", 0, NULL,
     "H [] Content-Type: text/html | raw Content-Type: text/html\\n\n"
     "E [] text/html 7bit\n"
     "B [] body\\n | raw body\\n\n"
     "X []\n"
     "R [] Content-Type: text/html\\n\\nbody\\n\n"
     "= ok anomalies=0x100003\n"},
    /* fuzz_mime_parse F5-03: "PUT " alone is no request line; it must not eat the next line */
    {"put_without_target_is_body_not_a_request_line", "PUT \nContent-Type: text/html\n\nbody\n", 0,
     NULL,
     "E [] text/plain (default) 7bit\n"
     "B [] PUT \\nContent-Type: text/html\\n\\nbody\\n | raw PUT \\nContent-Type: "
     "text/html\\n\\nbody\\n\n"
     "X []\n"
     "R [] PUT \\nContent-Type: text/html\\n\\nbody\\n\n"
     "= ok anomalies=0x7\n"},
    {"status_line_without_code_is_body", "HTTP/1.1 OK\r\nContent-Type: text/html\r\n\r\nx\r\n", 0,
     NULL,
     "E [] text/plain (default) 7bit\n"
     "B [] HTTP/1.1 OK\\r\\nContent-Type: text/html\\r\\n\\r\\nx\\r\\n | raw HTTP/1.1 "
     "OK\\r\\nContent-Type: text/html\\r\\n\\r\\nx\\r\\n\n"
     "X []\n"
     "R [] HTTP/1.1 OK\\r\\nContent-Type: text/html\\r\\n\\r\\nx\\r\\n\n"
     "= ok anomalies=0x5\n"},
    {"http_prefix_cut_before_its_lf_is_body", "HTTP/1.1  ", 0, NULL,
     "E [] text/plain (default) 7bit\n"
     "B [] HTTP/1.1   | raw HTTP/1.1  \n"
     "X []\n"
     "R [] HTTP/1.1  \n"
     "= ok anomalies=0x5\n"},
    {"http_line_later_in_the_header_ends_it",
     "Content-Type: text/plain\r\nPOST /as2 HTTP/1.1\r\n\r\nbody\r\n", 0, NULL,
     "H [] Content-Type: text/plain | raw Content-Type: text/plain\\r\\n\n"
     "E [] text/plain 7bit\n"
     "B [] POST /as2 HTTP/1.1\\r\\n\\r\\nbody\\r\\n | raw POST /as2 "
     "HTTP/1.1\\r\\n\\r\\nbody\\r\\n\n"
     "X []\n"
     "R [] Content-Type: text/plain\\r\\nPOST /as2 HTTP/1.1\\r\\n\\r\\nbody\\r\\n\n"
     "= ok anomalies=0x5\n"},
    {"folded_header_is_unfolded_and_body_passes_through",
     "From: a@b\r\nSubject: hi\r\n there\r\n\r\nbody\r\nline2\r\n", 0, NULL,
     "H [] From: a@b | raw From: a@b\\r\\n\n"
     "H [] Subject: hi there | raw Subject: hi\\r\\n there\\r\\n\n"
     "E [] text/plain (default) 7bit\n"
     "B [] body\\r\\nline2\\r\\n | raw body\\r\\nline2\\r\\n\n"
     "X []\n"
     "R [] From: a@b\\r\\nSubject: hi\\r\\n there\\r\\n\\r\\nbody\\r\\nline2\\r\\n\n"
     "= ok anomalies=0x1\n"},
    {"signed_parts_exclude_the_crlf_before_each_delimiter",
     SIGNED_HDR "This is an S/MIME signed message\r\n\r\n--=_b1\r\nContent-Type: text/plain\r\n\r\n"
                "Hello\r\n\r\n--=_b1 \t\r\nContent-Type: application/pkcs7-signature\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\nMIIB\r\nAA==\r\n--=_b1--\r\n",
     0, NULL,
     "H [] MIME-Version: 1.0 | raw MIME-Version: 1.0\\r\\n\n"
     "H [] Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; "
     "micalg=sha-256; boundary=\"=_b1\" | raw Content-Type: multipart/signed; "
     "protocol=\"application/pkcs7-signature\"; micalg=sha-256;\\r\\n boundary=\"=_b1\"\\r\\n\n"
     "E [] multipart/signed 7bit boundary==_b1 descend\n"
     "P [] This is an S/MIME signed message\\r\\n\n"
     "H [1] Content-Type: text/plain | raw Content-Type: text/plain\\r\\n\n"
     "E [1] text/plain 7bit\n"
     "B [1] Hello\\r\\n | raw Hello\\r\\n\n"
     "X [1]\n"
     "H [2] Content-Type: application/pkcs7-signature | raw Content-Type: "
     "application/pkcs7-signature\\r\\n\n"
     "H [2] Content-Transfer-Encoding: base64 | raw Content-Transfer-Encoding: base64\\r\\n\n"
     "E [2] application/pkcs7-signature base64\n"
     "B [2] 0\\x82\\x01\\x00 | raw MIIB\\r\\nAA==\n"
     "X [2]\n"
     "X []\n"
     "R [] MIME-Version: 1.0\\r\\nContent-Type: multipart/signed; "
     "protocol=\"application/pkcs7-signature\"; micalg=sha-256;\\r\\n "
     "boundary=\"=_b1\"\\r\\n\\r\\nThis is an S/MIME signed "
     "message\\r\\n\\r\\n--=_b1\\r\\nContent-Type: text/plain\\r\\n\\r\\nHello\\r\\n\\r\\n--=_b1 "
     "\\x09\\r\\nContent-Type: application/pkcs7-signature\\r\\nContent-Transfer-Encoding: "
     "base64\\r\\n\\r\\nMIIB\\r\\nAA==\\r\\n--=_b1--\\r\\n\n"
     "R [1] Content-Type: text/plain\\r\\n\\r\\nHello\\r\\n\n"
     "R [2] Content-Type: application/pkcs7-signature\\r\\nContent-Transfer-Encoding: "
     "base64\\r\\n\\r\\nMIIB\\r\\nAA==\n"
     "= ok anomalies=0x2800\n"},
    {"nested_multipart_ends_before_the_outer_delimiter_crlf",
     "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/alternative;"
     " boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n--a\r\nContent-Transfer-Encoding: "
     "quoted-printable\r\n\r\nh=C3=A9llo =\r\nworld  \r\n--a--",
     0, NULL,
     "H [] Content-Type: multipart/mixed; boundary=a | raw Content-Type: multipart/mixed; "
     "boundary=a\\r\\n\n"
     "E [] multipart/mixed 7bit boundary=a descend\n"
     "H [1] Content-Type: multipart/alternative; boundary=b | raw Content-Type: "
     "multipart/alternative; boundary=b\\r\\n\n"
     "E [1] multipart/alternative 7bit boundary=b descend\n"
     "E [1.1] text/plain (default) 7bit\n"
     "B [1.1] x | raw x\n"
     "X [1.1]\n"
     "X [1]\n"
     "H [2] Content-Transfer-Encoding: quoted-printable | raw Content-Transfer-Encoding: "
     "quoted-printable\\r\\n\n"
     "E [2] text/plain (default) quoted-printable\n"
     "B [2] h\\xc3\\xa9llo world | raw h=C3=A9llo =\\r\\nworld  \n"
     "X [2]\n"
     "X []\n"
     "R [] Content-Type: multipart/mixed; boundary=a\\r\\n\\r\\n--a\\r\\nContent-Type: "
     "multipart/alternative; "
     "boundary=b\\r\\n\\r\\n--b\\r\\n\\r\\nx\\r\\n--b--\\r\\n--a\\r\\nContent-Transfer-Encoding: "
     "quoted-printable\\r\\n\\r\\nh=C3=A9llo =\\r\\nworld  \\r\\n--a--\n"
     "R [1] Content-Type: multipart/alternative; "
     "boundary=b\\r\\n\\r\\n--b\\r\\n\\r\\nx\\r\\n--b--\n"
     "R [1.1] \\r\\nx\n"
     "R [2] Content-Transfer-Encoding: quoted-printable\\r\\n\\r\\nh=C3=A9llo =\\r\\nworld  \n"
     "= ok anomalies=0x1\n"},
    {"preamble_and_epilogue_are_reported_apart",
     "Content-Type: multipart/mixed; boundary=a\n\npreamble <b>html</b>\n--a\n\none\n--a--\n"
     "epilogue\ntext\n",
     0, NULL,
     "H [] Content-Type: multipart/mixed; boundary=a | raw Content-Type: multipart/mixed; "
     "boundary=a\\n\n"
     "E [] multipart/mixed 7bit boundary=a descend\n"
     "P [] preamble <b>html</b>\n"
     "E [1] text/plain (default) 7bit\n"
     "B [1] one | raw one\n"
     "X [1]\n"
     "Q [] epilogue\\ntext\\n\n"
     "X []\n"
     "R [] Content-Type: multipart/mixed; boundary=a\\n\\npreamble "
     "<b>html</b>\\n--a\\n\\none\\n--a--\\nepilogue\\ntext\\n\n"
     "R [1] \\none\n"
     "= ok anomalies=0x6003\n"},
    {"bare_lf_input_and_part_without_headers",
     "Content-Type: multipart/mixed; boundary=\"q\"\n\n--q\n\n--q\nContent-Type: "
     "text/plain\n--q--\n",
     0, NULL,
     "H [] Content-Type: multipart/mixed; boundary=\"q\" | raw Content-Type: multipart/mixed; "
     "boundary=\"q\"\\n\n"
     "E [] multipart/mixed 7bit boundary=q descend\n"
     "E [1] text/plain (default) 7bit\n"
     "X [1]\n"
     "H [2] Content-Type: text/plain | raw Content-Type: text/plain\n"
     "E [2] text/plain 7bit\n"
     "X [2]\n"
     "X []\n"
     "R [] Content-Type: multipart/mixed; boundary=\"q\"\\n\\n--q\\n\\n--q\\nContent-Type: "
     "text/plain\\n--q--\\n\n"
     "R [2] Content-Type: text/plain\n"
     "= ok anomalies=0x20007\n"},
    {"message_rfc822_is_a_leaf_unless_asked",
     "Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\ninner\r\n", 0, NULL,
     "H [] Content-Type: message/rfc822 | raw Content-Type: message/rfc822\\r\\n\n"
     "E [] message/rfc822 7bit\n"
     "B [] Subject: in\\r\\n\\r\\ninner\\r\\n | raw Subject: in\\r\\n\\r\\ninner\\r\\n\n"
     "X []\n"
     "R [] Content-Type: message/rfc822\\r\\n\\r\\nSubject: in\\r\\n\\r\\ninner\\r\\n\n"
     "= ok anomalies=0x1\n"},
    {"message_rfc822_is_descended_with_the_flag",
     "Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\ninner\r\n",
     CACHET_MIME_DESCEND_MESSAGE, NULL,
     "H [] Content-Type: message/rfc822 | raw Content-Type: message/rfc822\\r\\n\n"
     "E [] message/rfc822 7bit descend\n"
     "H [1] Subject: in | raw Subject: in\\r\\n\n"
     "E [1] text/plain (default) 7bit\n"
     "B [1] inner\\r\\n | raw inner\\r\\n\n"
     "X [1]\n"
     "X []\n"
     "R [] Content-Type: message/rfc822\\r\\n\\r\\nSubject: in\\r\\n\\r\\ninner\\r\\n\n"
     "R [1] Subject: in\\r\\n\\r\\ninner\\r\\n\n"
     "= ok anomalies=0x1\n"},
    {"caller_can_keep_a_multipart_as_a_leaf",
     "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\r\nx\r\n--a--\r\n", 0, "",
     "H [] Content-Type: multipart/mixed; boundary=a | raw Content-Type: multipart/mixed; "
     "boundary=a\\r\\n\n"
     "E [] multipart/mixed 7bit boundary=a\n"
     "B [] --a\\r\\n\\r\\nx\\r\\n--a--\\r\\n | raw --a\\r\\n\\r\\nx\\r\\n--a--\\r\\n\n"
     "X []\n"
     "R [] Content-Type: multipart/mixed; boundary=a\\r\\n\\r\\n--a\\r\\n\\r\\nx\\r\\n--a--\\r\\n\n"
     "= ok anomalies=0x1\n"},
    {"digest_children_default_to_message_rfc822",
     "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: "
     "s\r\n\r\nm\r\n--d--\r\n",
     CACHET_MIME_DESCEND_MESSAGE, NULL,
     "H [] Content-Type: multipart/digest; boundary=d | raw Content-Type: multipart/digest; "
     "boundary=d\\r\\n\n"
     "E [] multipart/digest 7bit boundary=d descend\n"
     "E [1] message/rfc822 (default) 7bit descend\n"
     "H [1.1] Subject: s | raw Subject: s\\r\\n\n"
     "E [1.1] text/plain (default) 7bit\n"
     "B [1.1] m | raw m\n"
     "X [1.1]\n"
     "X [1]\n"
     "X []\n"
     "R [] Content-Type: multipart/digest; boundary=d\\r\\n\\r\\n--d\\r\\n\\r\\nSubject: "
     "s\\r\\n\\r\\nm\\r\\n--d--\\r\\n\n"
     "R [1] \\r\\nSubject: s\\r\\n\\r\\nm\n"
     "R [1.1] Subject: s\\r\\n\\r\\nm\n"
     "= ok anomalies=0x1\n"},
    {"non_header_line_ends_the_header_and_is_body",
     "Subject: x\r\nthis is not a header\r\nmore\r\n", 0, NULL,
     "H [] Subject: x | raw Subject: x\\r\\n\n"
     "E [] text/plain (default) 7bit\n"
     "B [] this is not a header\\r\\nmore\\r\\n | raw this is not a header\\r\\nmore\\r\\n\n"
     "X []\n"
     "R [] Subject: x\\r\\nthis is not a header\\r\\nmore\\r\\n\n"
     "= ok anomalies=0x5\n"},
    {"header_without_body_at_end_of_input", "Subject: x\r\nX-A: y", 0, NULL,
     "H [] Subject: x | raw Subject: x\\r\\n\n"
     "H [] X-A: y | raw X-A: y\n"
     "E [] text/plain (default) 7bit\n"
     "X []\n"
     "R [] Subject: x\\r\\nX-A: y\n"
     "= ok anomalies=0x5\n"},
    {"base64_invalid_character_is_malformed_at_its_part",
     "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Transfer-Encoding: base64\r\n"
     "\r\nQUJ*\r\n--a--\r\n",
     0, NULL, "= malformed input anomalies=0x1 at [1] 90: invalid base64 body\n"},
    {"qp_invalid_escape_is_malformed_at_its_offset",
     "Content-Transfer-Encoding: quoted-printable\r\n\r\nabcdefgh=4 xyz\r\n", 0, NULL,
     "= malformed input anomalies=0x1 at [] 57: invalid quoted-printable body\n"},
    {"base64_junk_in_a_long_line_is_reported_at_its_byte",
     "Content-Transfer-Encoding: base64\r\n\r\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVph$mNkZWZn\r\n", 0,
     NULL, "= malformed input anomalies=0x1 at [] 73: invalid base64 body\n"},
    {"encoded_message_rfc822_is_not_descended_into",
     "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: "
     "base64\r\n\r\nU3ViamVjdDogeA==\r\n",
     CACHET_MIME_DESCEND_MESSAGE, NULL,
     "= malformed input anomalies=0x1 at [] 67: composite type with transfer encoding base64\n"},
    {"missing_close_delimiter_is_malformed",
     "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\r\nx\r\n", 0, NULL,
     "= malformed input anomalies=0x1 at [] 55: multipart without close-delimiter \"--a--\"\n"},
    {"text_after_a_delimiter_is_malformed",
     "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\r\nx\r\n--ab\r\n\r\n--a--\r\n", 0,
     NULL, "= malformed input anomalies=0x1 at [1] 60: text after boundary delimiter \"--a\"\n"},
    {"delimiter_after_close_delimiter_is_malformed",
     "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\r\nx\r\n--a--\r\n--a\r\n", 0, NULL,

     "= malformed input anomalies=0x1 at [] 66: boundary delimiter after the close-delimiter\n"},
    {"multipart_without_parts_is_malformed",
     "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a--\r\n", 0, NULL,
     "= malformed input anomalies=0x1 at [] 51: multipart without body parts\n"},
    {"two_content_types_are_malformed",
     "Content-Type: text/plain\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\nx\r\n", 0, NULL,

     "= malformed input anomalies=0x0 at [] 71: more than one Content-Type or "
     "Content-Transfer-Encoding\n"},
    {"rfc2231_boundary_is_malformed",
     "Content-Type: multipart/mixed; boundary*0=a; boundary*1=b\r\n\r\n--ab\r\n\r\n--ab--\r\n", 0,
     NULL,
     "= malformed input anomalies=0x0 at [] 61: ambiguous boundary (duplicated or RFC 2231 "
     "form)\n"},
    {"duplicate_boundary_is_malformed",
     "Content-Type: multipart/mixed; boundary=a; boundary=b\r\n\r\n--a\r\n\r\n--a--\r\n", 0, NULL,

     "= malformed input anomalies=0x0 at [] 57: ambiguous boundary (duplicated or RFC 2231 "
     "form)\n"},
    /* MW-03: readers that decode RFC 2047 words in parameters split elsewhere */
    {"encoded_word_boundary_is_malformed",
     "Content-Type: multipart/mixed; boundary=\"=?us-ascii?Q?zz?=\"\r\n\r\n--zz\r\n\r\nx\r\n"
     "--zz--\r\n",
     0, NULL,
     "= malformed input anomalies=0x0 at [] 63: ambiguous boundary (RFC 2047 encoded word)\n"},
    {"multipart_without_boundary_is_malformed", "Content-Type: multipart/mixed\r\n\r\nx\r\n", 0,
     NULL, "= malformed input anomalies=0x0 at [] 33: multipart without boundary\n"},
    {"base64_on_a_multipart_is_malformed",
     "Content-Type: multipart/mixed; boundary=a\r\nContent-Transfer-Encoding: base64\r\n\r\n--a\r\n"
     "\r\n--a--\r\n",
     0, NULL,
     "= malformed input anomalies=0x1 at [] 80: composite type with transfer encoding base64\n"},
    {"unparsable_content_type_defaults_to_text_plain", "Content-Type: multipart\r\n\r\n--a\r\n", 0,
     NULL,
     "H [] Content-Type: multipart | raw Content-Type: multipart\\r\\n\n"
     "E [] text/plain (default) 7bit\n"
     "B [] --a\\r\\n | raw --a\\r\\n\n"
     "X []\n"
     "R [] Content-Type: multipart\\r\\n\\r\\n--a\\r\\n\n"
     "= ok anomalies=0x41\n"},
};

static void goldens_match_fed_whole_bytewise_and_in_random_chunks(void) {
    for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
        char *log = run_all(goldens[i].msg, strlen(goldens[i].msg), goldens[i].flags,
                            goldens[i].no_descend, NULL, NULL);
        if (strcmp(log, goldens[i].want) != 0) {
            fprintf(stderr, "golden %s:\n--- got:\n%s--- want:\n%s", goldens[i].name, log,
                    goldens[i].want);
            cachet_test_failures++;
        }
        free(log);
    }
}

typedef struct raw_at_eoh {
    char raw[256];
    size_t len;
    char seen[256];
} raw_at_eoh;

static cachet_status eoh_raw(void *arg, const char *path, const uint8_t *d, size_t n) {
    raw_at_eoh *r = arg;
    if (strcmp(path, "1") == 0 && r->len + n < sizeof(r->raw)) {
        memcpy(r->raw + r->len, d, n);
        r->len += n;
    }
    return CACHET_OK;
}

static cachet_status eoh_end(void *arg, const cachet_mime_part_info *info, bool *descend) {
    raw_at_eoh *r = arg;
    (void)descend;
    if (strcmp(info->path, "1") == 0) {
        snprintf(r->seen, sizeof(r->seen), "%.*s", (int)r->len, r->raw);
    }
    return CACHET_OK;
}

static void header_raw_bytes_arrive_before_headers_end(void) {
    const char *m =
        "Content-Type: multipart/signed; boundary=s\r\n\r\n--s\r\nA: b\r\n c\r\n\r\nbody\r\n"
        "--s\r\n\r\nsig\r\n--s--\r\n";
    size_t len = strlen(m);
    for (size_t step = 1; step <= len; step++) {
        raw_at_eoh r = {.len = 0};
        cachet_mime_callbacks cb = {.arg = &r, .part_raw = eoh_raw, .headers_end = eoh_end};
        cachet_mime_parser *p = cachet_mime_parser_new(NULL, &cb);
        for (size_t at = 0; at < len; at += step) {
            size_t n = len - at < step ? len - at : step;
            CHECK_EQ_INT(cachet_mime_parser_update(p, (const uint8_t *)m + at, n), CACHET_OK);
        }
        CHECK_EQ_INT(cachet_mime_parser_finish(p), CACHET_OK);
        CHECK_STR(r.seen, "A: b\r\n c\r\n\r\n");
        cachet_mime_parser_free(p);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(goldens_match_fed_whole_bytewise_and_in_random_chunks),
    TEST_CASE(signed_part_raw_bytes_are_exact),
    TEST_CASE(header_raw_bytes_arrive_before_headers_end),
    TEST_CASE(header_field_limit_is_exact),
    TEST_CASE(header_total_limit_is_per_part_and_exact),
    TEST_CASE(nesting_depth_limit_is_exact),
    TEST_CASE(part_count_limit_is_exact),
    TEST_CASE(boundary_length_limit_is_exact),
    TEST_CASE(update_after_finish_is_a_usage_error),
    TEST_CASE(callback_failure_stops_the_parser_with_its_status),
    TEST_CASE(allocation_failures_are_reported_not_crashed),
};
TEST_MAIN(tests)
