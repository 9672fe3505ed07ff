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

static const cachet_test_case tests[] = {
    TEST_CASE(membuf_refuses_growth_past_its_maximum),
    TEST_CASE(first_error_detail_wins),
    TEST_CASE(injected_allocation_failure_is_reported),
    TEST_CASE(status_names_are_distinct),
};
TEST_MAIN(tests)
