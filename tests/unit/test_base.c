#include "base/base.h"
#include "testlib.h"

static void membuf_refuses_growth_past_its_maximum(void) {
    cachet_membuf b = {.max = 10};
    CHECK(cachet_membuf_append(&b, "0123456789", 10));
    CHECK(!cachet_membuf_append(&b, "x", 1));
    CHECK_EQ_INT(b.len, 10);
    cachet_membuf_free(&b);
}

static void first_error_detail_wins(void) {
    cachet_error e;
    cachet_err_clear(&e);
    CHECK_EQ_INT(cachet_err_set(&e, CACHET_ERR_MALFORMED, "SignedData", 12, "bad %s", "tag"),
                 CACHET_ERR_MALFORMED);
    cachet_err_set(&e, CACHET_ERR_LIMIT, "other", 3, "later");
    CHECK_EQ_INT(e.status, CACHET_ERR_MALFORMED);
    CHECK_STR(e.message, "bad tag");
    cachet_err_prefix_where(&e, "ContentInfo");
    CHECK_STR(e.where, "ContentInfo.SignedData");
    CHECK_EQ_INT(e.offset, 12);
}

static void injected_allocation_failure_is_reported(void) {
    cachet_alloc_fail_after(1);
    void *p = cachet_malloc(8);
    CHECK(p == NULL);
    p = cachet_malloc(8);
    CHECK(p != NULL);
    cachet_free(p);
}

static void status_names_are_distinct(void) {
    CHECK_STR(cachet_status_str(CACHET_OK), "ok");
    CHECK_STR(cachet_status_str(CACHET_ERR_DECRYPT), "decryption failed");
    CHECK_STR(cachet_status_str((cachet_status)999), "unknown status");
}

/* RFC 3629 section 3 and 10: what a decoder must refuse. */
static void utf8_check_refuses_what_rfc3629_forbids(void) {
    static const struct {
        const char *bytes;
        bool valid;
    } cases[] = {
        {"", true},
        {"plain ascii", true},
        {"\xc3\xa9t\xc3\xa9", true},     /* été */
        {"\xe2\x82\xac", true},          /* U+20AC */
        {"\xf0\x9f\x94\x92", true},      /* U+1F512 */
        {"\xf4\x8f\xbf\xbf", true},      /* U+10FFFF */
        {"\xef\xbb\xbf", true},          /* U+FEFF: callers decide */
        {"\xc0\xaf", false},             /* overlong '/' */
        {"\xe0\x80\xaf", false},         /* overlong '/' */
        {"\xf0\x80\x80\xaf", false},     /* overlong '/' */
        {"\xed\xa0\x80", false},         /* surrogate U+D800 */
        {"\xf4\x90\x80\x80", false},     /* U+110000 */
        {"\xf8\x88\x80\x80\x80", false}, /* five-byte form */
        {"\x80", false},                 /* lone continuation */
        {"\xc3", false},                 /* truncated */
        {"\xe2\x82", false},             /* truncated */
        {"a\xc3(", false},               /* bad continuation */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *b = cases[i].bytes;
        if (cachet_utf8_valid((const uint8_t *)b, strlen(b)) != cases[i].valid) {
            CHECK(!"cachet_utf8_valid disagrees");
            fprintf(stderr, "  case %zu\n", i);
        }
    }
    CHECK(cachet_utf8_valid((const uint8_t *)"a\0b", 3)); /* NUL: callers decide */
}

static const cachet_test_case tests[] = {
    TEST_CASE(membuf_refuses_growth_past_its_maximum),  TEST_CASE(first_error_detail_wins),
    TEST_CASE(injected_allocation_failure_is_reported), TEST_CASE(status_names_are_distinct),
    TEST_CASE(utf8_check_refuses_what_rfc3629_forbids),
};
TEST_MAIN(tests)
