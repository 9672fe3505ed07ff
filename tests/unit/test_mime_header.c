/* Header utilities: Content-Type with RFC 2231, Content-Disposition,
 * Content-Transfer-Encoding, addresses, and the writer helpers. */
#include <stdlib.h>

#include "mime/internal.h"
#include "testlib.h"

static void content_type_is_lowercased_and_params_are_case_insensitive(void) {
    cachet_mime_ctype ct;
    const char *v = " Text/Plain (a comment) ; Charset=\"us-ascii\" ; FORMAT=flowed;";
    CHECK_EQ_INT(cachet_mime_parse_content_type(v, strlen(v), &ct, NULL), CACHET_OK);
    CHECK_STR(ct.type, "text");
    CHECK_STR(ct.subtype, "plain");
    CHECK_EQ_INT(ct.params.count, 2);
    CHECK_STR(cachet_mime_params_get(&ct.params, "charset"), "us-ascii");
    CHECK_STR(cachet_mime_params_get(&ct.params, "Format"), "flowed");
    CHECK(cachet_mime_params_get(&ct.params, "name") == NULL);
    CHECK(cachet_mime_ctype_is(&ct, "TEXT", "plain"));
    CHECK_EQ_INT(ct.anomalies, 0);
    cachet_mime_ctype_clear(&ct);
    v = "multipart/signed; boundary=\"a \\\"q\\\" b\"; protocol=\"application/pkcs7-signature\"";
    CHECK_EQ_INT(cachet_mime_parse_content_type(v, strlen(v), &ct, NULL), CACHET_OK);
    CHECK_STR(cachet_mime_params_get(&ct.params, "boundary"), "a \"q\" b");
    cachet_mime_ctype_clear(&ct);
}

/* The examples of RFC 2231 §3, §4 and §4.1. */
static void rfc2231_examples_decode(void) {
    static const struct {
        const char *value, *param, *want, *charset, *language;
    } cases[] = {
        {"message/external-body; access-type=URL; URL*0=\"ftp://\"; "
         "URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
         "url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar", NULL, NULL},
        {"application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", "title",
         "This is ***fun***", "us-ascii", "en-us"},
        {"application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; "
         "title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
         "title", "This is even more ***fun*** isn't it!", "us-ascii", "en"},
        /* Out of order sections are joined by number. */
        {"a/b; n*1=\"def\"; n*0=\"abc\"", "n", "abcdef", NULL, NULL},
        {"a/b; name*=iso-8859-1''caf%E9", "name", "caf\xc3\xa9", "iso-8859-1", ""},
        {"a/b; name*=UTF-8''caf%C3%A9", "name", "caf\xc3\xa9", "utf-8", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_mime_ctype ct;
        CHECK_EQ_INT(
            cachet_mime_parse_content_type(cases[i].value, strlen(cases[i].value), &ct, NULL),
            CACHET_OK);
        const cachet_mime_param *p = cachet_mime_params_find(&ct.params, cases[i].param);
        CHECK(p != NULL);
        if (p != NULL) {
            CHECK_STR(p->value, cases[i].want);
            CHECK(p->rfc2231);
            if (cases[i].charset != NULL) {
                CHECK_STR(p->charset, cases[i].charset);
                CHECK_STR(p->language, cases[i].language);
            }
        }
        CHECK(ct.anomalies & CACHET_MIME_ANOM_PARAM_2231);
        CHECK(!(ct.anomalies & CACHET_MIME_ANOM_PARAM_CHARSET));
        cachet_mime_ctype_clear(&ct);
    }
}

static void parameter_anomalies_are_flagged(void) {
    static const struct {
        const char *value;
        unsigned anom;
    } cases[] = {
        {"a/b; charset=x; charset=y", CACHET_MIME_ANOM_DUP_PARAM},
        {"a/b; boundary=x; boundary*0=y", CACHET_MIME_ANOM_DUP_PARAM | CACHET_MIME_ANOM_PARAM_2231},
        {"a/b; name=\"=?utf-8?q?x?=\"", CACHET_MIME_ANOM_PARAM_ENCODED_WORD},
        {"a/b; name*=koi8-r''%E1", CACHET_MIME_ANOM_PARAM_CHARSET | CACHET_MIME_ANOM_PARAM_2231},
        {"a/b; name*=us-ascii''%E1", CACHET_MIME_ANOM_PARAM_CHARSET | CACHET_MIME_ANOM_PARAM_2231},
        {"a/b; name*=utf-8''%C3", CACHET_MIME_ANOM_PARAM_CHARSET | CACHET_MIME_ANOM_PARAM_2231},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_mime_ctype ct;
        CHECK_EQ_INT(
            cachet_mime_parse_content_type(cases[i].value, strlen(cases[i].value), &ct, NULL),
            CACHET_OK);
        CHECK_EQ_INT(ct.anomalies, cases[i].anom);
        cachet_mime_ctype_clear(&ct);
    }
    cachet_mime_ctype ct;
    const char *v = "a/b; charset=x; charset=y";
    CHECK_EQ_INT(cachet_mime_parse_content_type(v, strlen(v), &ct, NULL), CACHET_OK);
    CHECK_STR(cachet_mime_params_get(&ct.params, "charset"), "x"); /* first kept */
    CHECK(cachet_mime_params_find(&ct.params, "charset")->duplicated);
    cachet_mime_ctype_clear(&ct);
}

static void malformed_content_types_are_refused(void) {
    static const struct {
        const char *value;
        cachet_status st;
    } cases[] = {
        {"text", CACHET_ERR_MALFORMED},
        {"text/", CACHET_ERR_MALFORMED},
        {"/plain", CACHET_ERR_MALFORMED},
        {"text/plain; =x", CACHET_ERR_MALFORMED},
        {"text/plain; a=\"open", CACHET_ERR_MALFORMED},
        {"text/plain; a", CACHET_ERR_MALFORMED},
        {"text/plain (open", CACHET_ERR_MALFORMED},
        {"text/plain x", CACHET_ERR_MALFORMED},
        {"a/b; n*0=a; n*2=c", CACHET_ERR_MALFORMED}, /* gap in continuations */
        {"a/b; n*01=a", CACHET_ERR_MALFORMED},       /* leading zero */
        {"a/b; n*=nocharsetquotes", CACHET_ERR_MALFORMED},
        {"a/b; n*=utf-8''%G1", CACHET_ERR_MALFORMED},
        {"a/b; a=1;b=1;c=1;d=1;e=1;f=1;g=1;h=1;i=1;j=1;k=1;l=1;m=1;n=1;o=1;p=1;q=1;r=1;s=1;t=1;"
         "u=1;v=1;w=1;x=1;y=1;z=1;aa=1;ab=1;ac=1;ad=1;ae=1;af=1;ag=1;ah=1;ai=1;aj=1;ak=1;al=1;"
         "am=1;an=1;ao=1;ap=1;aq=1;ar=1;as=1;at=1;au=1;av=1;aw=1;ax=1;ay=1;az=1;ba=1;bb=1;bc=1;"
         "bd=1;be=1;bf=1;bg=1;bh=1;bi=1;bj=1;bk=1;bl=1;bm=1",
         CACHET_ERR_LIMIT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_mime_ctype ct;
        cachet_error e;
        cachet_err_clear(&e);
        cachet_status st =
            cachet_mime_parse_content_type(cases[i].value, strlen(cases[i].value), &ct, &e);
        if (st != cases[i].st) {
            fprintf(stderr, "case %zu \"%s\": %s\n", i, cases[i].value, cachet_status_str(st));
            cachet_test_failures++;
        }
        CHECK(ct.type == NULL && ct.params.count == 0);
        CHECK_EQ_INT(e.status, cases[i].st);
    }
}

static void disposition_and_transfer_encoding_parse(void) {
    cachet_mime_disposition d;
    const char *v = "Attachment; filename=\"smime.p7s\"; size=12";
    CHECK_EQ_INT(cachet_mime_parse_disposition(v, strlen(v), &d, NULL), CACHET_OK);
    CHECK_STR(d.type, "attachment");
    CHECK_STR(cachet_mime_params_get(&d.params, "FILENAME"), "smime.p7s");
    cachet_mime_disposition_clear(&d);
    CHECK_EQ_INT(cachet_mime_parse_disposition("", 0, &d, NULL), CACHET_ERR_MALFORMED);
    static const struct {
        const char *v;
        cachet_mime_cte cte;
    } ctes[] = {
        {"7bit", CACHET_MIME_CTE_7BIT},           {" 8BIT ", CACHET_MIME_CTE_8BIT},
        {"Binary", CACHET_MIME_CTE_BINARY},       {"base64 (a comment)", CACHET_MIME_CTE_BASE64},
        {"Quoted-Printable", CACHET_MIME_CTE_QP}, {"x-uuencode", CACHET_MIME_CTE_UNKNOWN},
        {"base64 junk", CACHET_MIME_CTE_UNKNOWN}, {"", CACHET_MIME_CTE_UNKNOWN}};
    for (size_t i = 0; i < sizeof(ctes) / sizeof(ctes[0]); i++) {
        CHECK_EQ_INT(cachet_mime_parse_cte(ctes[i].v, strlen(ctes[i].v)), ctes[i].cte);
    }
    CHECK_STR(cachet_mime_cte_name(CACHET_MIME_CTE_QP), "quoted-printable");
}

static void addresses_yield_addr_specs_never_display_names(void) {
    static const struct {
        const char *value;
        cachet_status st;
        size_t count;
        const char *first, *first_display;
        size_t groups;
    } cases[] = {
        {"alice@example.com", CACHET_OK, 1, "alice@example.com", "", 0},
        {"Alice Liddell <alice@example.com>", CACHET_OK, 1, "alice@example.com", "Alice Liddell",
         0},
        {"\"Manager\" <eve@evil.example>", CACHET_OK, 1, "eve@evil.example", "Manager", 0},
        {"\"manager@work.example\" <eve@evil.example>", CACHET_OK, 1, "eve@evil.example",
         "manager@work.example", 0},
        {"eve@evil.example (manager@work.example)", CACHET_OK, 1, "eve@evil.example", "", 0},
        {"\"manager@work.example\"@evil.example", CACHET_OK, 1,
         "\"manager@work.example\"@evil.example", "", 0},
        {"<@work.example,@x.example:eve@evil.example>", CACHET_OK, 1, "eve@evil.example", "", 0},
        {"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", CACHET_OK, 1,
         "pete@silly.test", "Pete", 0},
        {"a@b.example, \"x y\" <c@d.example>", CACHET_OK, 2, "a@b.example", "", 0},
        {"Team: a@b.example, d@e.example;, z@y.example", CACHET_OK, 3, "a@b.example", "", 1},
        {"undisclosed-recipients:;", CACHET_OK, 0, NULL, NULL, 1},
        {"john.q.public@example.com", CACHET_OK, 1, "john.q.public@example.com", "", 0},
        {"x@[192.0.2.1]", CACHET_OK, 1, "x@[192.0.2.1]", "", 0},
        {"manager@work.example.", CACHET_ERR_MALFORMED, 0, NULL, NULL, 0},
        {"manager@work.example <eve@evil.example>", CACHET_ERR_MALFORMED, 0, NULL, NULL, 0},
        {"=?utf-8?q?manager@work.example?= <eve@evil.example>", CACHET_ERR_MALFORMED, 0, NULL, NULL,
         0},
        {"<>", CACHET_ERR_MALFORMED, 0, NULL, NULL, 0},
        {"a@", CACHET_ERR_MALFORMED, 0, NULL, NULL, 0},
        {"@b", CACHET_ERR_MALFORMED, 0, NULL, NULL, 0},
        {"a b@c", CACHET_ERR_MALFORMED, 0, NULL, NULL, 0},
        {"a..b@c", CACHET_ERR_MALFORMED, 0, NULL, NULL, 0},
        {"Alice", CACHET_ERR_MALFORMED, 0, NULL, NULL, 0},
        {"a@b\x01", CACHET_ERR_MALFORMED, 0, NULL, NULL, 0},
        {"<a@b", CACHET_ERR_MALFORMED, 0, NULL, NULL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_mime_mailbox_list l;
        cachet_status st =
            cachet_mime_parse_mailboxes(cases[i].value, strlen(cases[i].value), &l, NULL);
        if (st != cases[i].st) {
            fprintf(stderr, "address case %zu \"%s\": %s\n", i, cases[i].value,
                    cachet_status_str(st));
            cachet_test_failures++;
        }
        CHECK_EQ_INT(l.count, cases[i].count);
        CHECK_EQ_INT(l.groups, cases[i].groups);
        if (cases[i].first != NULL && l.count > 0) {
            CHECK_STR(l.items[0].addr_spec, cases[i].first);
            CHECK_STR(l.items[0].display, cases[i].first_display);
        }
        cachet_mime_mailbox_list_clear(&l);
    }
    cachet_mime_mailbox_list l;
    const char *q = "\"a\\\"b c\"@Example.COM";
    CHECK_EQ_INT(cachet_mime_parse_mailboxes(q, strlen(q), &l, NULL), CACHET_OK);
    CHECK_STR(l.items[0].local, "a\"b c");
    CHECK_STR(l.items[0].domain, "Example.COM");
    CHECK_STR(l.items[0].addr_spec, "\"a\\\"b c\"@Example.COM");
    cachet_mime_mailbox_list_clear(&l);
    char *big = malloc(16 * 1024 + 10);
    memset(big, 'a', 16 * 1024 + 9);
    big[0] = '<';
    CHECK_EQ_INT(cachet_mime_parse_mailboxes(big, 16 * 1024 + 9, &l, NULL), CACHET_ERR_LIMIT);
    free(big);
}

static void addr_equal_folds_only_the_domain(void) {
    static const struct {
        const char *a, *b;
        bool eq;
    } cases[] = {
        {"alice@example.com", "alice@EXAMPLE.com", true},
        {"alice@example.com", "Alice@example.com", false},
        {"alice@example.com", "alice@example.com.", false},
        {"\"a@b\"@example.com", "\"a@b\"@Example.com", true},
        {"alice@example.com", "alice@example.co", false},
        {"alice", "alice", false},
        {"@example.com", "@example.com", false},
        {"alice@", "alice@", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_EQ_INT(cachet_mime_addr_equal(cases[i].a, cases[i].b), cases[i].eq);
    }
    CHECK(!cachet_mime_addr_equal(NULL, "a@b"));
}

static void header_writer_folds_at_78_and_refuses_injection(void) {
    cachet_membuf out = {.max = 1 << 16};
    CHECK_EQ_INT(cachet_mime_write_header(&out, "Subject", "hello", NULL), CACHET_OK);
    CHECK_MEM(out.data, out.len, "Subject: hello\r\n", 16);
    out.len = 0;
    char value[400] = "";
    for (int i = 0; i < 40; i++) {
        strcat(value, i ? " word" : "word");
        if (i % 7 == 0) {
            strcat(value, "longer");
        }
    }
    CHECK_EQ_INT(cachet_mime_write_header(&out, "X-Long", value, NULL), CACHET_OK);
    size_t col = 0, lines = 1;
    for (size_t i = 0; i < out.len; i++) {
        if (out.data[i] == '\r') {
            CHECK(col <= 78);
            CHECK(out.data[i + 1] == '\n');
            col = 0;
            lines++;
            i++;
        } else {
            col++;
        }
    }
    CHECK(lines > 2);
    /* Unfolding what was written gives the value back (RFC 5322 §2.2.3). */
    char unfolded[512];
    size_t u = 0;
    for (size_t i = strlen("X-Long: "); i + 2 < out.len; i++) {
        if (out.data[i] != '\r' && out.data[i] != '\n') {
            unfolded[u++] = (char)out.data[i];
        }
    }
    unfolded[u] = '\0';
    CHECK_STR(unfolded, value);
    out.len = 0;
    cachet_error e;
    cachet_err_clear(&e);
    CHECK_EQ_INT(cachet_mime_write_header(&out, "Subject", "x\r\nBcc: evil@example", &e),
                 CACHET_ERR_USAGE);
    CHECK_EQ_INT(cachet_mime_write_header(&out, "Sub:ject", "x", NULL), CACHET_ERR_USAGE);
    CHECK_EQ_INT(cachet_mime_write_header(&out, "Subject", "x\ny", NULL), CACHET_ERR_USAGE);
    CHECK_EQ_INT(cachet_mime_write_header(&out, "", "x", NULL), CACHET_ERR_USAGE);
    CHECK_EQ_INT(out.len, 0);
    char huge[1200];
    memset(huge, 'z', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    CHECK_EQ_INT(cachet_mime_write_header(&out, "X", huge, NULL), CACHET_ERR_LIMIT);
    CHECK_EQ_INT(out.len, 0);
    cachet_membuf_free(&out);
}

static void header_checks_and_boundary_builder(void) {
    CHECK(cachet_mime_header_name_valid("Content-Type", 12));
    CHECK(!cachet_mime_header_name_valid("Content Type", 12));
    CHECK(!cachet_mime_header_name_valid("A:", 2));
    CHECK(!cachet_mime_header_name_valid("\xc3\xa9", 2));
    CHECK(cachet_mime_header_value_valid("a\tb", 3, false));
    CHECK(!cachet_mime_header_value_valid("a\rb", 3, false));
    CHECK(!cachet_mime_header_value_valid("a\0b", 3, false));
    CHECK(!cachet_mime_header_value_valid("a\x7f", 2, false));
    CHECK(!cachet_mime_header_value_valid("\xc3\xa9", 2, false));
    CHECK(cachet_mime_header_value_valid("\xc3\xa9", 2, true));
    uint8_t rnd[16];
    for (int i = 0; i < 16; i++) {
        rnd[i] = (uint8_t)(i * 17);
    }
    char b[71];
    CHECK(cachet_mime_make_boundary(rnd, 16, b, sizeof(b)));
    CHECK_STR(b, "=_cachet_00112233445566778899aabbccddeeff");
    CHECK(!cachet_mime_make_boundary(rnd, 7, b, sizeof(b)));
    CHECK(!cachet_mime_make_boundary(rnd, 16, b, 70));
    uint8_t big[31] = {0};
    CHECK(!cachet_mime_make_boundary(big, 31, b, sizeof(b)));
    CHECK(cachet_mime_make_boundary(big, 30, b, sizeof(b)));
    CHECK_EQ_INT(strlen(b), 69);
}

static const cachet_test_case tests[] = {
    TEST_CASE(content_type_is_lowercased_and_params_are_case_insensitive),
    TEST_CASE(rfc2231_examples_decode),
    TEST_CASE(parameter_anomalies_are_flagged),
    TEST_CASE(malformed_content_types_are_refused),
    TEST_CASE(disposition_and_transfer_encoding_parse),
    TEST_CASE(addresses_yield_addr_specs_never_display_names),
    TEST_CASE(addr_equal_folds_only_the_domain),
    TEST_CASE(header_writer_folds_at_78_and_refuses_injection),
    TEST_CASE(header_checks_and_boundary_builder),
};
TEST_MAIN(tests)
