/* Regressions found by fuzz/fuzz_mime_mailboxes.c (issue 8): each input is also
 * in fuzz/corpus/fuzz_mime_mailboxes/. */
#include <stdlib.h>

#include "mime/internal.h"
#include "testlib.h"

/* A quoted-pair may escape VCHAR or WSP only (RFC 5322 §3.2.1); "\" before a
 * line break used to put that CR or LF into the display name or local part. */
static void escaped_line_break_in_quoted_string_is_refused(void) {
    static const char *const refused[] = {
        "\"Bob, the \\\nbuilder\\\"\" <bob@b.example>",
        "\"Bob \\\r\" <bob@b.example>",
        "\"a\\\r\nb\"@example.org",
        "\"a\\\nb\"@example.org",
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        cachet_mime_mailbox_list l;
        CHECK_EQ_INT(cachet_mime_parse_mailboxes(refused[i], strlen(refused[i]), &l, NULL),
                     CACHET_ERR_MALFORMED);
        CHECK_EQ_INT(l.count, 0);
        CHECK(l.items == NULL);
    }
    /* Folding inside the quotes stays invisible, an escaped tab stays a tab. */
    cachet_mime_mailbox_list l;
    const char *ok = "\"Bob\r\n the\\\tbuilder\" <bob@b.example>";
    CHECK_EQ_INT(cachet_mime_parse_mailboxes(ok, strlen(ok), &l, NULL), CACHET_OK);
    CHECK_EQ_INT(l.count, 1);
    if (l.count == 1) {
        CHECK_STR(l.items[0].display, "Bob the\tbuilder");
        CHECK_STR(l.items[0].addr_spec, "bob@b.example");
    }
    cachet_mime_mailbox_list_clear(&l);
}

/* The same rule holds in Content-Type parameters, which share the reader. */
static void escaped_line_break_in_parameter_is_refused(void) {
    cachet_mime_ctype ct;
    const char *v = "text/plain; name=\"a\\\r\nb\"";
    CHECK(cachet_mime_parse_content_type(v, strlen(v), &ct, NULL) != CACHET_OK);
    const char *good = "text/plain; name=\"a\\\"b\"";
    CHECK_EQ_INT(cachet_mime_parse_content_type(good, strlen(good), &ct, NULL), CACHET_OK);
    CHECK_STR(cachet_mime_params_get(&ct.params, "name"), "a\"b");
    cachet_mime_ctype_clear(&ct);
}

/* An empty quoted word used to pass for a domain ("" gave alice@ with an
 * empty domain, "".x a leading dot); the header promises MALFORMED. */
static void empty_or_dotted_quoted_domain_is_refused(void) {
    static const char *const refused[] = {
        "\rce\r@\"\"\r", "alice@\"\"", "<alice@\"\">", "alice@\"\".example", "alice@a.\"\"",
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        cachet_mime_mailbox_list l;
        CHECK_EQ_INT(cachet_mime_parse_mailboxes(refused[i], strlen(refused[i]), &l, NULL),
                     CACHET_ERR_MALFORMED);
        CHECK_EQ_INT(l.count, 0);
    }
    cachet_mime_mailbox_list l;
    const char *ok = "alice@a . example";
    CHECK_EQ_INT(cachet_mime_parse_mailboxes(ok, strlen(ok), &l, NULL), CACHET_OK);
    CHECK_EQ_INT(l.count, 1);
    if (l.count == 1) {
        CHECK_STR(l.items[0].addr_spec, "alice@a.example");
    }
    cachet_mime_mailbox_list_clear(&l);
}

static const cachet_test_case tests[] = {
    TEST_CASE(escaped_line_break_in_quoted_string_is_refused),
    TEST_CASE(escaped_line_break_in_parameter_is_refused),
    TEST_CASE(empty_or_dotted_quoted_domain_is_refused),
};
TEST_MAIN(tests)
