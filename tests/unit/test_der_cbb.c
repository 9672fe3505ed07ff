/* cachet_cbb: the builder writes DER, fixes child lengths, sorts SET OF, and
 * keeps its error sticky. */
#include <stdlib.h>

#include "der/der.h"
#include "testlib.h"

static void finish_and_check(cachet_cbb *cbb, const uint8_t *want, size_t want_len) {
    uint8_t *out = NULL;
    size_t len = 0;
    CHECK(cachet_cbb_finish(cbb, &out, &len));
    CHECK_MEM(out, len, want, want_len);
    cachet_free(out);
}

static void nested_children_get_their_lengths(void) {
    cachet_cbb cbb, seq, ctx;
    CHECK(cachet_cbb_init(&cbb, 0, 0));
    CHECK(cachet_cbb_add_asn1(&cbb, &seq, CACHET_ASN1_SEQUENCE));
    CHECK(cachet_cbb_add_asn1_uint64(&seq, 0));
    CHECK(cachet_cbb_add_asn1(&seq, &ctx, CACHET_ASN1_CONTEXT_CONS(0)));
    CHECK(cachet_cbb_add_asn1_null(&ctx));
    CHECK(cachet_cbb_add_asn1_octet_string(&seq, (const uint8_t *)"ab", 2));
    const uint8_t want[] = {0x30, 0x0b, 0x02, 0x01, 0x00, 0xa0, 0x02,
                            0x05, 0x00, 0x04, 0x02, 'a',  'b'};
    finish_and_check(&cbb, want, sizeof(want));
}

static void long_children_move_to_long_form_lengths(void) {
    static const size_t sizes[] = {127, 128, 255, 256, 65535, 65536, 70000};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        uint8_t *content = malloc(n);
        for (size_t k = 0; k < n; k++) {
            content[k] = (uint8_t)k;
        }
        cachet_cbb cbb, seq;
        CHECK(cachet_cbb_init(&cbb, 16, 0));
        CHECK(cachet_cbb_add_asn1(&cbb, &seq, CACHET_ASN1_SEQUENCE));
        CHECK(cachet_cbb_add_asn1_octet_string(&seq, content, n));
        uint8_t *out = NULL;
        size_t len = 0;
        CHECK(cachet_cbb_finish(&cbb, &out, &len));
        CHECK(cachet_der_validate(out, len, 4));
        cachet_cbs c, seqc, oct;
        cachet_cbs_init(&c, out, len);
        CHECK(cachet_cbs_get_asn1(&c, &seqc, CACHET_ASN1_SEQUENCE));
        CHECK(cachet_cbs_get_asn1(&seqc, &oct, CACHET_ASN1_OCTETSTRING));
        CHECK_MEM(oct.data, oct.len, content, n);
        cachet_free(out);
        free(content);
    }
}

static void integers_are_minimal(void) {
    static const struct {
        uint64_t v;
        uint8_t der[11];
        size_t len;
    } cases[] = {
        {0, {0x02, 0x01, 0x00}, 3},
        {127, {0x02, 0x01, 0x7f}, 3},
        {128, {0x02, 0x02, 0x00, 0x80}, 4},
        {256, {0x02, 0x02, 0x01, 0x00}, 4},
        {UINT64_MAX, {0x02, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 11},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cbb cbb;
        CHECK(cachet_cbb_init(&cbb, 0, 0));
        CHECK(cachet_cbb_add_asn1_uint64(&cbb, cases[i].v));
        finish_and_check(&cbb, cases[i].der, cases[i].len);
    }
}

static void high_tag_numbers_round_trip(void) {
    cachet_cbb cbb, c;
    CHECK(cachet_cbb_init(&cbb, 0, 0));
    CHECK(cachet_cbb_add_asn1(&cbb, &c, CACHET_ASN1_CONTEXT(200)));
    CHECK(cachet_cbb_add_u8(&c, 0x42));
    const uint8_t want[] = {0x9f, 0x81, 0x48, 0x01, 0x42};
    finish_and_check(&cbb, want, sizeof(want));
}

static void times_use_utctime_only_for_1950_to_2049(void) {
    static const struct {
        int64_t t;
        const char *der_text;
        uint8_t tag;
    } cases[] = {
        {0, "700101000000Z", CACHET_ASN1_UTCTIME},
        {-631152000, "500101000000Z", CACHET_ASN1_UTCTIME},
        {-631152001, "19491231235959Z", CACHET_ASN1_GENERALIZEDTIME},
        {2524607999, "491231235959Z", CACHET_ASN1_UTCTIME},
        {2524608000, "20500101000000Z", CACHET_ASN1_GENERALIZEDTIME},
        {1709208000, "240229120000Z", CACHET_ASN1_UTCTIME},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cbb cbb;
        CHECK(cachet_cbb_init(&cbb, 0, 0));
        CHECK(cachet_cbb_add_asn1_time(&cbb, cases[i].t));
        uint8_t *out = NULL;
        size_t len = 0;
        CHECK(cachet_cbb_finish(&cbb, &out, &len));
        size_t n = strlen(cases[i].der_text);
        CHECK_EQ_INT(len, n + 2);
        CHECK_EQ_INT(out[0], cases[i].tag);
        CHECK_MEM(out + 2, len - 2, cases[i].der_text, n);
        cachet_cbs c;
        int64_t back = 0;
        cachet_cbs_init(&c, out, len);
        CHECK(cachet_cbs_get_asn1_time(&c, &back));
        CHECK_EQ_INT(back, cases[i].t);
        cachet_free(out);
    }
}

static void set_of_is_sorted_by_encoding(void) {
    cachet_cbb cbb, set;
    CHECK(cachet_cbb_init(&cbb, 0, 0));
    CHECK(cachet_cbb_add_asn1(&cbb, &set, CACHET_ASN1_SET));
    CHECK(cachet_cbb_add_asn1_octet_string(&set, (const uint8_t *)"\x02\x00", 2));
    CHECK(cachet_cbb_add_asn1_uint64(&set, 5));
    CHECK(cachet_cbb_add_asn1_octet_string(&set, (const uint8_t *)"\x01", 1));
    CHECK(cachet_cbb_add_asn1_octet_string(&set, (const uint8_t *)"\x02", 1));
    CHECK(cachet_cbb_add_asn1_null(&set));
    CHECK(cachet_cbb_flush_asn1_set_of(&set));
    /* 04 01 02 sorts before 04 02 02 00 (second byte), 05 00 last. */
    const uint8_t want[] = {0x31, 0x0f, 0x02, 0x01, 0x05, 0x04, 0x01, 0x01, 0x04,
                            0x01, 0x02, 0x04, 0x02, 0x02, 0x00, 0x05, 0x00};
    finish_and_check(&cbb, want, sizeof(want));
}

static void max_size_makes_the_error_sticky(void) {
    cachet_cbb cbb, seq;
    uint8_t big[40] = {0};
    CHECK(cachet_cbb_init(&cbb, 4, 32));
    CHECK(cachet_cbb_add_asn1(&cbb, &seq, CACHET_ASN1_SEQUENCE));
    CHECK(!cachet_cbb_add_bytes(&seq, big, sizeof(big)));
    CHECK(!cachet_cbb_add_u8(&seq, 1));
    CHECK(!cachet_cbb_add_asn1_null(&cbb));
    uint8_t *out = NULL;
    size_t len = 0;
    CHECK(!cachet_cbb_finish(&cbb, &out, &len));
    cachet_cbb_cleanup(&cbb);
}

static void length_growth_past_max_fails(void) {
    /* 128 content bytes fit in 2 + 128 = 130 bytes, but the flush needs the long
     * length form (81 80), one byte more than the maximum. */
    uint8_t content[128] = {0};
    cachet_cbb cbb, oct;
    CHECK(cachet_cbb_init(&cbb, 0, 130));
    CHECK(cachet_cbb_add_asn1(&cbb, &oct, CACHET_ASN1_OCTETSTRING));
    CHECK(cachet_cbb_add_bytes(&oct, content, sizeof(content)));
    CHECK(!cachet_cbb_flush(&cbb));
    uint8_t *out = NULL;
    size_t len = 0;
    CHECK(!cachet_cbb_finish(&cbb, &out, &len));
    cachet_cbb_cleanup(&cbb);
}

static void set_of_prefix_sorts_shorter_first(void) {
    cachet_cbb cbb, set;
    CHECK(cachet_cbb_init(&cbb, 0, 0));
    CHECK(cachet_cbb_add_asn1(&cbb, &set, CACHET_ASN1_SET));
    CHECK(cachet_cbb_add_bytes(&set, (const uint8_t *)"\x04\x02\x01\x00", 4));
    CHECK(cachet_cbb_add_bytes(&set, (const uint8_t *)"\x04\x01\x01", 3));
    CHECK(cachet_cbb_flush_asn1_set_of(&set));
    const uint8_t want[] = {0x31, 0x07, 0x04, 0x01, 0x01, 0x04, 0x02, 0x01, 0x00};
    finish_and_check(&cbb, want, sizeof(want));
}

static void invalid_oid_is_refused(void) {
    cachet_cbb cbb;
    const uint8_t bad[] = {0x2a, 0x80, 0x01};
    CHECK(cachet_cbb_init(&cbb, 0, 0));
    CHECK(!cachet_cbb_add_asn1_oid(&cbb, bad, sizeof(bad)));
    CHECK(!cachet_cbb_add_asn1_null(&cbb));
    cachet_cbb_cleanup(&cbb);
}

static void allocation_failure_is_reported(void) {
    for (unsigned long n = 1; n <= 4; n++) {
        cachet_cbb cbb, seq;
        cachet_alloc_fail_after(n);
        bool ok = cachet_cbb_init(&cbb, 0, 0);
        if (ok) {
            uint8_t big[300] = {0};
            ok = cachet_cbb_add_asn1(&cbb, &seq, CACHET_ASN1_SEQUENCE) &&
                 cachet_cbb_add_bytes(&seq, big, sizeof(big)) && cachet_cbb_flush(&cbb);
            uint8_t *out = NULL;
            size_t len = 0;
            if (ok && cachet_cbb_finish(&cbb, &out, &len)) {
                CHECK_EQ_INT(len, 304);
                cachet_free(out);
            } else {
                cachet_cbb_cleanup(&cbb);
            }
        }
        cachet_alloc_fail_after(0);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(nested_children_get_their_lengths),
    TEST_CASE(long_children_move_to_long_form_lengths),
    TEST_CASE(integers_are_minimal),
    TEST_CASE(high_tag_numbers_round_trip),
    TEST_CASE(times_use_utctime_only_for_1950_to_2049),
    TEST_CASE(set_of_is_sorted_by_encoding),
    TEST_CASE(set_of_prefix_sorts_shorter_first),
    TEST_CASE(max_size_makes_the_error_sticky),
    TEST_CASE(length_growth_past_max_fails),
    TEST_CASE(invalid_oid_is_refused),
    TEST_CASE(allocation_failure_is_reported),
};
TEST_MAIN(tests)
