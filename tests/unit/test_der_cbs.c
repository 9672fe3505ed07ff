/* cachet_cbs: DER getters accept exactly the DER form and leave the view
 * unchanged on failure. */
#include "der/der.h"
#include "testlib.h"

typedef struct der_case {
    const char *name;
    uint8_t in[16];
    size_t len;
    bool ok;
} der_case;

static void any_element_accepts_only_minimal_definite_der(void) {
    static const der_case cases[] = {
        {"short form", {0x04, 0x01, 0xaa}, 3, true},
        {"empty contents", {0x05, 0x00}, 2, true},
        {"long form for < 128", {0x04, 0x81, 0x01, 0xaa}, 4, false},
        {"long form leading zero", {0x04, 0x82, 0x00, 0x01, 0xaa}, 5, false},
        {"indefinite length", {0x30, 0x80, 0x00, 0x00}, 4, false},
        {"reserved length 0xff", {0x04, 0xff}, 2, false},
        {"length past end", {0x04, 0x05, 0x01}, 3, false},
        {"truncated header", {0x04}, 1, false},
        {"empty", {0}, 0, false},
        {"high tag below 31", {0x9f, 0x1e, 0x00}, 3, false},
        {"high tag leading 0x80", {0x9f, 0x80, 0x1f, 0x00}, 4, false},
        {"high tag 31 ok", {0x9f, 0x1f, 0x00}, 3, true},
        {"high tag 200 ok", {0x9f, 0x81, 0x48, 0x00}, 4, true},
        {"end-of-contents", {0x00, 0x00}, 2, false},
        {"4-byte length too long", {0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00}, 7, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cbs cbs, out;
        cachet_cbs_init(&cbs, cases[i].in, cases[i].len);
        bool ok = cachet_cbs_get_any_asn1_element(&cbs, &out, NULL, NULL);
        if (ok != cases[i].ok) {
            fprintf(stderr, "case %s\n", cases[i].name);
        }
        CHECK(ok == cases[i].ok);
        CHECK_EQ_INT(cbs.len, ok ? 0 : cases[i].len);
    }
}

static void long_form_length_is_decoded(void) {
    uint8_t buf[3 + 200];
    buf[0] = 0x04;
    buf[1] = 0x81;
    buf[2] = 200;
    memset(buf + 3, 0x5a, 200);
    cachet_cbs cbs, out;
    cachet_cbs_init(&cbs, buf, sizeof(buf));
    cachet_asn1_tag tag = 0;
    CHECK(cachet_cbs_get_any_asn1(&cbs, &out, &tag));
    CHECK_EQ_INT(tag, CACHET_ASN1_OCTETSTRING);
    CHECK_EQ_INT(out.len, 200);
    CHECK(out.data == buf + 3);
}

static void tags_are_decoded_with_class_and_number(void) {
    const uint8_t in[] = {0xa0, 0x00, 0x9f, 0x81, 0x48, 0x00, 0x30, 0x00, 0x7f, 0x20, 0x00};
    cachet_cbs cbs;
    cachet_cbs_init(&cbs, in, sizeof(in));
    CHECK(!cachet_cbs_get_asn1(&cbs, NULL, CACHET_ASN1_CONTEXT(0)));
    CHECK(cachet_cbs_peek_asn1_tag(&cbs, CACHET_ASN1_CONTEXT_CONS(0)));
    CHECK(cachet_cbs_get_asn1(&cbs, NULL, CACHET_ASN1_CONTEXT_CONS(0)));
    CHECK(cachet_cbs_get_asn1(&cbs, NULL, CACHET_ASN1_CONTEXT(200)));
    CHECK(cachet_cbs_get_asn1(&cbs, NULL, CACHET_ASN1_SEQUENCE));
    CHECK(
        cachet_cbs_get_asn1(&cbs, NULL, CACHET_ASN1_APPLICATION | CACHET_ASN1_CONSTRUCTED | 0x20));
    CHECK_EQ_INT(cbs.len, 0);
}

static void optional_element_reports_presence(void) {
    const uint8_t in[] = {0xa1, 0x01, 0x05, 0x02, 0x01, 0x07};
    cachet_cbs cbs, out;
    bool present = true;
    cachet_cbs_init(&cbs, in, sizeof(in));
    CHECK(cachet_cbs_get_optional_asn1(&cbs, &out, &present, CACHET_ASN1_CONTEXT_CONS(0)));
    CHECK(!present);
    CHECK(cachet_cbs_get_optional_asn1(&cbs, &out, &present, CACHET_ASN1_CONTEXT_CONS(1)));
    CHECK(present);
    CHECK_EQ_INT(out.len, 1);
    uint64_t v = 0;
    CHECK(cachet_cbs_get_asn1_uint64(&cbs, &v));
    CHECK_EQ_INT(v, 7);
    /* A present but malformed element is an error, not "absent". */
    const uint8_t bad[] = {0xa0, 0x05, 0x00};
    cachet_cbs_init(&cbs, bad, sizeof(bad));
    CHECK(!cachet_cbs_get_optional_asn1(&cbs, &out, &present, CACHET_ASN1_CONTEXT_CONS(0)));
    CHECK_EQ_INT(cbs.len, 3);
}

typedef struct int_case {
    uint8_t in[12];
    size_t len;
    bool ok;
    uint64_t value;
} int_case;

static void uint64_requires_minimal_non_negative_integer(void) {
    static const int_case cases[] = {
        {{0x02, 0x01, 0x00}, 3, true, 0},
        {{0x02, 0x01, 0x7f}, 3, true, 127},
        {{0x02, 0x02, 0x00, 0x80}, 4, true, 128},
        {{0x02, 0x02, 0x00, 0x7f}, 4, false, 0}, /* non-minimal */
        {{0x02, 0x01, 0x80}, 3, false, 0},       /* negative */
        {{0x02, 0x02, 0xff, 0x80}, 4, false, 0}, /* non-minimal negative */
        {{0x02, 0x00}, 2, false, 0},             /* empty */
        {{0x02, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 11, true, UINT64_MAX},
        {{0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}, 11, false, 0}, /* 2^64 */
        {{0x0a, 0x01, 0x01}, 3, false, 0},                          /* ENUMERATED, not INTEGER */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cbs cbs;
        uint64_t v = 12345;
        cachet_cbs_init(&cbs, cases[i].in, cases[i].len);
        bool ok = cachet_cbs_get_asn1_uint64(&cbs, &v);
        CHECK(ok == cases[i].ok);
        if (ok) {
            CHECK(v == cases[i].value);
        } else {
            CHECK_EQ_INT(cbs.len, cases[i].len);
        }
    }
}

static void integer_validity_reports_sign(void) {
    const uint8_t neg[] = {0xff, 0x7f};
    const uint8_t bad[] = {0xff, 0xff};
    cachet_cbs c;
    bool negative = false;
    cachet_cbs_init(&c, neg, sizeof(neg));
    CHECK(cachet_cbs_is_valid_asn1_integer(&c, &negative));
    CHECK(negative);
    cachet_cbs_init(&c, bad, sizeof(bad));
    CHECK(!cachet_cbs_is_valid_asn1_integer(&c, NULL));
}

static void boolean_must_be_00_or_ff(void) {
    const uint8_t t[] = {0x01, 0x01, 0xff}, f[] = {0x01, 0x01, 0x00}, one[] = {0x01, 0x01, 0x01},
                  two[] = {0x01, 0x02, 0x00, 0x00};
    cachet_cbs c;
    bool v = false;
    cachet_cbs_init(&c, t, sizeof(t));
    CHECK(cachet_cbs_get_asn1_bool(&c, &v) && v);
    cachet_cbs_init(&c, f, sizeof(f));
    CHECK(cachet_cbs_get_asn1_bool(&c, &v) && !v);
    cachet_cbs_init(&c, one, sizeof(one));
    CHECK(!cachet_cbs_get_asn1_bool(&c, &v));
    CHECK_EQ_INT(c.len, 3);
    cachet_cbs_init(&c, two, sizeof(two));
    CHECK(!cachet_cbs_get_asn1_bool(&c, &v));
}

static void oid_validity_and_text(void) {
    const uint8_t sha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
    const uint8_t nonminimal[] = {0x2a, 0x80, 0x01};
    const uint8_t unterminated[] = {0x2a, 0x86};
    const uint8_t big[] = {0x2a, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    cachet_cbs c;
    char text[64];
    cachet_cbs_init(&c, sha256, sizeof(sha256));
    CHECK(cachet_cbs_is_valid_oid(&c));
    CHECK(cachet_cbs_oid_to_text(&c, text, sizeof(text)));
    CHECK_STR(text, "2.16.840.1.101.3.4.2.1");
    CHECK(cachet_cbs_oid_to_text(&c, text, 8));
    CHECK_STR(text, "2.16.84");
    cachet_cbs_init(&c, nonminimal, sizeof(nonminimal));
    CHECK(!cachet_cbs_is_valid_oid(&c));
    cachet_cbs_init(&c, unterminated, sizeof(unterminated));
    CHECK(!cachet_cbs_is_valid_oid(&c));
    cachet_cbs_init(&c, NULL, 0);
    CHECK(!cachet_cbs_is_valid_oid(&c));
    cachet_cbs_init(&c, big, sizeof(big));
    CHECK(cachet_cbs_is_valid_oid(&c));
    CHECK(!cachet_cbs_oid_to_text(&c, text, sizeof(text))); /* arc beyond 64 bits */
}

typedef struct time_case {
    const char *text;
    cachet_asn1_tag tag;
    bool ok;
    int64_t t;
} time_case;

static void times_parse_der_forms_only(void) {
    static const time_case cases[] = {
        {"700101000000Z", CACHET_ASN1_UTCTIME, true, 0},
        {"491231235959Z", CACHET_ASN1_UTCTIME, true, 2524607999},
        {"500101000000Z", CACHET_ASN1_UTCTIME, true, -631152000},
        {"19500101000000Z", CACHET_ASN1_GENERALIZEDTIME, true, -631152000},
        {"20500101000000Z", CACHET_ASN1_GENERALIZEDTIME, true, 2524608000},
        {"20240229120000Z", CACHET_ASN1_GENERALIZEDTIME, true, 1709208000},
        {"20230229120000Z", CACHET_ASN1_GENERALIZEDTIME, false, 0},
        {"21000229000000Z", CACHET_ASN1_GENERALIZEDTIME, false, 0},
        {"7001010000Z", CACHET_ASN1_UTCTIME, false, 0},
        {"700101000000+0000", CACHET_ASN1_UTCTIME, false, 0},
        {"700101000000", CACHET_ASN1_UTCTIME, false, 0},
        {"20240101000000.5Z", CACHET_ASN1_GENERALIZEDTIME, false, 0},
        {"701301000000Z", CACHET_ASN1_UTCTIME, false, 0},
        {"700100000000Z", CACHET_ASN1_UTCTIME, false, 0},
        {"700101240000Z", CACHET_ASN1_UTCTIME, false, 0},
        {"700101006000Z", CACHET_ASN1_UTCTIME, false, 0},
        {"700101000060Z", CACHET_ASN1_UTCTIME, false, 0},
        {"7o0101000000Z", CACHET_ASN1_UTCTIME, false, 0},
        {"700101000000Z", CACHET_ASN1_OCTETSTRING, false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[40];
        size_t n = strlen(cases[i].text);
        buf[0] = (uint8_t)cases[i].tag;
        buf[1] = (uint8_t)n;
        memcpy(buf + 2, cases[i].text, n);
        cachet_cbs c;
        cachet_cbs_init(&c, buf, n + 2);
        int64_t t = -1;
        bool ok = cachet_cbs_get_asn1_time(&c, &t);
        if (ok != cases[i].ok || (ok && t != cases[i].t)) {
            fprintf(stderr, "time case %s -> %d %lld\n", cases[i].text, ok, (long long)t);
        }
        CHECK(ok == cases[i].ok);
        if (ok) {
            CHECK_EQ_INT(t, cases[i].t);
            CHECK_EQ_INT(c.len, 0);
        } else {
            CHECK_EQ_INT(c.len, n + 2);
        }
    }
}

static void validate_checks_whole_tree(void) {
    const uint8_t good[] = {0x30, 0x06, 0x31, 0x04, 0x04, 0x02, 0xab, 0xcd};
    const uint8_t inner_bad[] = {0x30, 0x06, 0x31, 0x04, 0x04, 0x81, 0x01, 0xab};
    const uint8_t trailing[] = {0x30, 0x00, 0x00};
    const uint8_t cons_octets[] = {0x24, 0x03, 0x04, 0x01, 0xaa};
    const uint8_t prim_seq[] = {0x10, 0x00};
    const uint8_t inner_overrun[] = {0x30, 0x03, 0x04, 0x02, 0xab, 0xcd};
    CHECK(cachet_der_validate(good, sizeof(good), 3));
    CHECK(!cachet_der_validate(good, sizeof(good), 2)); /* three levels deep */
    CHECK(!cachet_der_validate(inner_bad, sizeof(inner_bad), 8));
    CHECK(!cachet_der_validate(trailing, sizeof(trailing), 8));
    CHECK(!cachet_der_validate(cons_octets, sizeof(cons_octets), 8));
    CHECK(!cachet_der_validate(prim_seq, sizeof(prim_seq), 8));
    CHECK(!cachet_der_validate(inner_overrun, sizeof(inner_overrun), 8));
}

static void byte_getters_fail_without_moving(void) {
    const uint8_t in[] = {1, 2, 3};
    cachet_cbs c, out;
    uint8_t b;
    cachet_cbs_init(&c, in, sizeof(in));
    CHECK(!cachet_cbs_get_bytes(&c, &out, 4));
    CHECK(!cachet_cbs_skip(&c, 4));
    CHECK_EQ_INT(c.len, 3);
    CHECK(cachet_cbs_get_u8(&c, &b) && b == 1);
    CHECK(cachet_cbs_get_bytes(&c, &out, 2));
    CHECK(cachet_cbs_mem_equal(&out, in + 1, 2));
    CHECK(!cachet_cbs_get_u8(&c, &b));
}

static const cachet_test_case tests[] = {
    TEST_CASE(any_element_accepts_only_minimal_definite_der),
    TEST_CASE(long_form_length_is_decoded),
    TEST_CASE(tags_are_decoded_with_class_and_number),
    TEST_CASE(optional_element_reports_presence),
    TEST_CASE(uint64_requires_minimal_non_negative_integer),
    TEST_CASE(integer_validity_reports_sign),
    TEST_CASE(boolean_must_be_00_or_ff),
    TEST_CASE(oid_validity_and_text),
    TEST_CASE(times_parse_der_forms_only),
    TEST_CASE(validate_checks_whole_tree),
    TEST_CASE(byte_getters_fail_without_moving),
};
TEST_MAIN(tests)
