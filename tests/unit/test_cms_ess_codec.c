/* The ESS codecs (cms/ess_label.c, ess_ml.c, ess_write.c): exact DER written,
 * what is read back, and each malformed or over-bound input refused with a
 * detail naming the component (RFC 2634 §3.2, §4.2; X.690 DER rules). */
#include <stdio.h>
#include <string.h>

#include "cms/ess.h"
#include "test_cms_signed_pki.h"

static uint8_t *finish(cachet_cbb *cbb, size_t *len) {
    uint8_t *out = NULL;
    CHECK(cachet_cbb_finish(cbb, &out, len));
    return out;
}

static void label_is_written_in_der_tag_order_and_reads_back(void) {
    cachet_security_category cat = {.type = "1.2.3.4", .value_hex = (char *)"0101ff"};
    cachet_security_label l = {.policy = "1.2.3",
                               .classification = 4,
                               .privacy_mark = "SECRET",
                               .categories = &cat,
                               .num_categories = 1};
    static const uint8_t want[] = {0x31, 0x1d, 0x02, 0x01, 0x04, 0x06, 0x02, 0x2a, 0x03, 0x13, 0x06,
                                   'S',  'E',  'C',  'R',  'E',  'T',  0x31, 0x0c, 0x30, 0x0a, 0x80,
                                   0x03, 0x2a, 0x03, 0x04, 0xa1, 0x03, 0x01, 0x01, 0xff};
    cachet_cbb cbb;
    char detail[200];
    size_t len = 0;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    CHECK(cachet_ess_add_label(&cbb, &l, detail, sizeof(detail)));
    uint8_t *der = finish(&cbb, &len);
    CHECK_MEM(der, len, want, sizeof(want));
    cachet_security_label back;
    cachet_cbs in;
    cachet_cbs_init(&in, der, len);
    CHECK(cachet_ess_parse_label(&in, &back, detail, sizeof(detail)));
    CHECK_EQ_INT(in.len, 0);
    CHECK_STR(back.policy, "1.2.3");
    CHECK_EQ_INT(back.classification, 4);
    CHECK_STR(back.privacy_mark, "SECRET");
    CHECK_EQ_INT(back.num_categories, 1);
    if (back.num_categories == 1) {
        CHECK_STR(back.categories[0].type, "1.2.3.4");
        CHECK_STR(back.categories[0].value_hex, "0101ff");
    }
    cachet_ess_label_clear(&back);
    cachet_free(der);
}

static void label_mark_outside_printable_string_is_written_utf8(void) {
    cachet_security_label l = {.policy = "2.16.840.1.101.2.1.12.0.1",
                               .classification = -1,
                               .privacy_mark = "GEHEIM @ \xc3\xa9quipe"};
    cachet_cbb cbb;
    char detail[200];
    size_t len = 0;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    CHECK(cachet_ess_add_label(&cbb, &l, detail, sizeof(detail)));
    uint8_t *der = finish(&cbb, &len);
    /* SET { OID (11 bytes), UTF8String } and no INTEGER: the classification is absent */
    CHECK(len > 16 && der[0] == 0x31 && der[2] == 0x06 && der[2 + 2 + der[3]] == 0x0c);
    cachet_security_label back;
    cachet_cbs in;
    cachet_cbs_init(&in, der, len);
    CHECK(cachet_ess_parse_label(&in, &back, detail, sizeof(detail)));
    CHECK_EQ_INT(back.classification, -1);
    CHECK_STR(back.privacy_mark, l.privacy_mark);
    CHECK_STR(back.policy, "2.16.840.1.101.2.1.12.0.1");
    cachet_ess_label_clear(&back);
    cachet_free(der);
}

static void label_writer_refuses_what_is_not_a_label(void) {
    static const struct {
        const char *policy;
        int classification;
        const char *cat_type, *cat_hex;
        const char *want;
    } cases[] = {
        {"1.2", 257, NULL, NULL, "security-classification 257"},
        {"1", 1, NULL, NULL, "security-policy-identifier \"1\""},
        {"1.2", 1, "x.y", "0500", "type \"x.y\""},
        {"1.2", 1, "1.2.3", "050", "value must be 1..4096 bytes of hex DER"},
        {"1.2", 1, "1.2.3", "05000500", "is not one DER element"},
        {"1.2", 1, "1.2.3", "zz00", "is not hex"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_security_category cat = {.value_hex = (char *)cases[i].cat_hex};
        cachet_security_label l = {.classification = cases[i].classification};
        snprintf(l.policy, sizeof(l.policy), "%s", cases[i].policy);
        if (cases[i].cat_type != NULL) {
            snprintf(cat.type, sizeof(cat.type), "%s", cases[i].cat_type);
            l.categories = &cat;
            l.num_categories = 1;
        }
        cachet_cbb cbb;
        char detail[200] = "";
        CHECK(cachet_cbb_init(&cbb, 64, 0));
        CHECK(!cachet_ess_add_label(&cbb, &l, detail, sizeof(detail)));
        if (strstr(detail, cases[i].want) == NULL) {
            fprintf(stderr, "case %zu: detail \"%s\" lacks \"%s\"\n", i, detail, cases[i].want);
            CHECK(false);
        }
        cachet_cbb_cleanup(&cbb);
    }
}

static void label_reader_refuses_malformed_labels(void) {
    static const struct {
        uint8_t der[40];
        size_t len;
        const char *want;
    } cases[] = {
        {{0x31, 0x07, 0x06, 0x02, 0x2a, 0x03, 0x02, 0x01, 0x04}, 9, "DER tag order"},
        {{0x31, 0x08, 0x02, 0x02, 0x01, 0x01, 0x06, 0x02, 0x2a, 0x03}, 10, "0..256"},
        {{0x31, 0x07, 0x02, 0x01, 0xff, 0x06, 0x02, 0x2a, 0x03}, 9, "0..256"},
        {{0x31, 0x03, 0x02, 0x01, 0x04}, 5, "no security-policy-identifier"},
        {{0x31, 0x06, 0x06, 0x02, 0x2a, 0x03, 0x13, 0x00}, 8, "SIZE 1..128"},
        {{0x31, 0x07, 0x06, 0x02, 0x2a, 0x03, 0x13, 0x01, 0x40}, 9, "outside PrintableString"},
        /* a NUL inside a pString (found by fuzz_cms_ess_attrs: strchr matched it) */
        {{0x31, 0x09, 0x06, 0x02, 0x2a, 0x03, 0x13, 0x03, 'S', 0x00, 'T'},
         11,
         "outside PrintableString"},
        {{0x31, 0x07, 0x06, 0x02, 0x2a, 0x03, 0x0c, 0x01, 0xff}, 9, "not valid UTF-8"},
        {{0x31, 0x08, 0x06, 0x02, 0x2a, 0x03, 0x06, 0x02, 0x2a, 0x04},
         10,
         "unexpected or repeated"},
        {{0x31, 0x06, 0x06, 0x02, 0x2a, 0x03, 0x31, 0x00}, 8, "security-categories is empty"},
        /* type as [0] EXPLICIT (constructed) instead of IMPLICIT */
        {{0x31, 0x12, 0x06, 0x02, 0x2a, 0x03, 0x31, 0x0c, 0x30, 0x0a,
          0xa0, 0x04, 0x06, 0x02, 0x2a, 0x03, 0xa1, 0x02, 0x05, 0x00},
         20,
         "[0] IMPLICIT"},
        /* value [1] holding two elements */
        {{0x31, 0x12, 0x06, 0x02, 0x2a, 0x03, 0x31, 0x0c, 0x30, 0x0a,
          0x80, 0x02, 0x2a, 0x03, 0xa1, 0x04, 0x05, 0x00, 0x05, 0x00},
         20,
         "not one DER element"},
        /* two categories, the larger first */
        {{0x31, 0x1a, 0x06, 0x02, 0x2a, 0x03, 0x31, 0x14, 0x30, 0x08, 0x80, 0x02, 0x2a, 0x04,
          0xa1, 0x02, 0x05, 0x00, 0x30, 0x08, 0x80, 0x02, 0x2a, 0x03, 0xa1, 0x02, 0x05, 0x00},
         28,
         "DER SET OF order"},
        {{0x30, 0x04, 0x06, 0x02, 0x2a, 0x03}, 6, "not a DER SET"},
        /* a policy OID whose text is over 63 characters: refused, never truncated into
         * another OID (found by fuzz_cms_ess_attrs) */
        {{0x31, 0x1b, 0x06, 0x19, 0x2b, 0x06, 0x01, 0x04, 0x6f, 0x75, 0x74, 0x20, 0x6f, 0x66, 0x20,
          0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x30, 0x30, 0x30, 0x30, 0x5a, 0x21, 0x16, 0x30},
         29,
         "of at most 63 characters"},
        /* BER: a long-form length where the short form fits */
        {{0x31, 0x81, 0x04, 0x06, 0x02, 0x2a, 0x03}, 7, "not a DER SET"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_security_label l;
        char detail[200] = "";
        cachet_cbs in;
        cachet_cbs_init(&in, cases[i].der, cases[i].len);
        CHECK(!cachet_ess_parse_label(&in, &l, detail, sizeof(detail)));
        CHECK(l.categories == NULL && l.num_categories == 0);
        if (strstr(detail, cases[i].want) == NULL) {
            fprintf(stderr, "case %zu: detail \"%s\" lacks \"%s\"\n", i, detail, cases[i].want);
            CHECK(false);
        }
    }
}

/* categories_label: a label with |n| distinct categories, built by the writer
 * (up to 64) or by hand (n > 64, which the writer refuses). */
static uint8_t *categories_label(size_t n, size_t *len) {
    cachet_cbb cbb, set, cats, cat, v;
    CHECK(cachet_cbb_init(&cbb, 256, 0));
    static const uint8_t oid[] = {0x2a, 0x03};
    CHECK(cachet_cbb_add_asn1(&cbb, &set, CACHET_ASN1_SET) &&
          cachet_cbb_add_asn1_oid(&set, oid, 2) &&
          cachet_cbb_add_asn1(&set, &cats, CACHET_ASN1_SET));
    for (size_t i = 0; i < n; i++) {
        uint8_t t[3] = {0x2a, 0x03, (uint8_t)i};
        CHECK(cachet_cbb_add_asn1(&cats, &cat, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_asn1_element(&cat, CACHET_ASN1_CONTEXT(0), t, 3) &&
              cachet_cbb_add_asn1(&cat, &v, CACHET_ASN1_CONTEXT_CONS(1)) &&
              cachet_cbb_add_asn1_null(&v) && cachet_cbb_flush(&cats));
    }
    CHECK(cachet_cbb_flush_asn1_set_of(&cats) && cachet_cbb_flush(&cbb));
    return finish(&cbb, len);
}

static void label_categories_bounded_at_64(void) {
    for (size_t n = 63; n <= 65; n++) {
        size_t len = 0;
        uint8_t *der = categories_label(n, &len);
        cachet_security_label l;
        char detail[200] = "";
        cachet_cbs in;
        cachet_cbs_init(&in, der, len);
        bool ok = cachet_ess_parse_label(&in, &l, detail, sizeof(detail));
        CHECK_EQ_INT(ok, n <= 64);
        if (ok) {
            CHECK_EQ_INT(l.num_categories, n);
            CHECK_STR(l.categories[n - 1].value_hex, "0500");
        } else {
            CHECK(strstr(detail, "more than 64 security-categories") != NULL);
        }
        cachet_ess_label_clear(&l);
        cachet_free(der);
    }
}

static void oid_from_text_encodes_and_refuses(void) {
    static const struct {
        const char *text;
        uint8_t der[12];
        size_t len;
    } good[] = {
        {"1.2.840.113549", {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d}, 6},
        {"2.999", {0x88, 0x37}, 2},
        {"0.0", {0x00}, 1},
        {"1.3.6.1.4.1.22112", {0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xac, 0x60}, 8},
        {"1.2.18446744073709551615",
         {0x2a, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
         11},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        uint8_t out[16];
        size_t len = 0;
        CHECK(cachet_ess_oid_from_text(good[i].text, out, sizeof(out), &len));
        CHECK_MEM(out, len, good[i].der, good[i].len);
    }
    static const char *bad[] = {"1",    "3.1", "1.40", "1..2", "01.2",
                                "1.2.", "a.b", "",     "1.2 ", "1.2.18446744073709551616"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t out[16];
        size_t len = 0;
        if (cachet_ess_oid_from_text(bad[i], out, sizeof(out), &len)) {
            fprintf(stderr, "\"%s\" accepted\n", bad[i]);
            CHECK(false);
        }
    }
}

static void name_text_is_rfc2253_with_escapes(void) {
    /* C=DE, then O=X+OU=Y in one RDN, then CN="a,b " (RFC 2253 §2.4 escapes) */
    X509_NAME *nm = X509_NAME_new();
    X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_ASC, (const unsigned char *)"DE", -1, -1, 0);
    X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC, (const unsigned char *)"X", -1, -1, 0);
    X509_NAME_add_entry_by_txt(nm, "OU", MBSTRING_ASC, (const unsigned char *)"Y", -1, -1, -1);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8, (const unsigned char *)"a,b ", -1, -1, 0);
    unsigned char *der = NULL;
    int len = i2d_X509_NAME(nm, &der);
    CHECK(len > 0);
    char out[128];
    cachet_cbs in;
    cachet_cbs_init(&in, der, (size_t)len);
    CHECK(cachet_ess_name_text(&in, out, sizeof(out)));
    CHECK_STR(out, "CN=a\\,b\\ ,O=X+OU=Y,C=DE");
    OPENSSL_free(der);
    X509_NAME_free(nm);
    static const uint8_t not_name[] = {0x31, 0x00};
    cachet_cbs_init(&in, not_name, sizeof(not_name));
    CHECK(!cachet_ess_name_text(&in, out, sizeof(out)));
    CHECK_STR(out, "");
}

/* ml_history builds an MLExpansionHistory of |n| entries: entry |ski_at| names
 * |cert| by subjectKeyIdentifier, entry |ias_at| by issuer and serial, the
 * others by a made-up key identifier; entry 0 carries mlReceiptPolicy none and
 * entry 1 insteadOf. |utc| writes one UTCTime (wrong: GeneralizedTime only). */
static uint8_t *ml_history(size_t n, const cachet_cert *cert, size_t ski_at, size_t ias_at,
                           bool utc, size_t *len) {
    cachet_cbb cbb, seq, md, id, names, gns, gn;
    CHECK(cachet_cbb_init(&cbb, 256, 0) && cachet_cbb_add_asn1(&cbb, &seq, CACHET_ASN1_SEQUENCE));
    for (size_t i = 0; i < n; i++) {
        CHECK(cachet_cbb_add_asn1(&seq, &md, CACHET_ASN1_SEQUENCE));
        const uint8_t *ski = NULL;
        size_t ski_len = 0, il = 0, sl = 0;
        if (i == ski_at && cachet_cert_ski(cert, &ski, &ski_len)) {
            CHECK(cachet_cbb_add_asn1_octet_string(&md, ski, ski_len));
        } else if (i == ias_at) {
            const uint8_t *is = cachet_cert_issuer_der(cert, &il);
            const uint8_t *sn = cachet_cert_serial_der(cert, &sl);
            CHECK(cachet_cbb_add_asn1(&md, &id, CACHET_ASN1_SEQUENCE) &&
                  cachet_cbb_add_bytes(&id, is, il) &&
                  cachet_cbb_add_asn1_element(&id, CACHET_ASN1_INTEGER, sn, sl) &&
                  cachet_cbb_flush(&md));
        } else {
            uint8_t other[4] = {0xee, 0, 0, (uint8_t)i};
            CHECK(cachet_cbb_add_asn1_octet_string(&md, other, sizeof(other)));
        }
        const char *t = utc && i == n - 1 ? "990311104433Z" : "19990311104433Z";
        CHECK(cachet_cbb_add_asn1_element(
            &md, utc && i == n - 1 ? CACHET_ASN1_UTCTIME : CACHET_ASN1_GENERALIZEDTIME,
            (const uint8_t *)t, strlen(t)));
        if (i == 0) {
            CHECK(cachet_cbb_add_asn1_element(&md, CACHET_ASN1_CONTEXT(0), NULL, 0));
        } else if (i == 1) {
            static const uint8_t mail[] = "list@example.com";
            CHECK(cachet_cbb_add_asn1(&md, &names, CACHET_ASN1_CONTEXT_CONS(1)) &&
                  cachet_cbb_add_asn1(&names, &gns, CACHET_ASN1_SEQUENCE) &&
                  cachet_cbb_add_asn1(&gns, &gn, CACHET_ASN1_CONTEXT(1)) &&
                  cachet_cbb_add_bytes(&gn, mail, sizeof(mail) - 1) && cachet_cbb_flush(&md));
        }
        CHECK(cachet_cbb_flush(&seq));
    }
    CHECK(cachet_cbb_flush(&cbb));
    return finish(&cbb, len);
}

static void ml_history_reads_entries_and_finds_the_agent(void) {
    tpki_party mla = tpki_make(TPKI_P256, "mla", NULL, 0x4242);
    tpki_party other = tpki_make(TPKI_P256, "other", NULL, 0x4343);
    size_t len = 0;
    uint8_t *der = ml_history(4, mla.cert, 3, 2, false, &len);
    cachet_cbs v;
    cachet_cbs_init(&v, der, len);
    cachet_ml_data *list = NULL;
    size_t n = 0;
    char detail[200] = "";
    CHECK(cachet_ess_parse_ml_history(&v, &list, &n, detail, sizeof(detail)));
    CHECK_EQ_INT(n, 4);
    if (n == 4) {
        CHECK_STR(list[0].identifier, "ski=ee000000");
        CHECK_STR(list[0].receipt_policy, "none");
        CHECK_STR(list[1].receipt_policy, "insteadOf");
        CHECK_STR(list[2].receipt_policy, "");
        CHECK_STR(list[2].identifier, "issuer=CN=mla, serial=4242");
        CHECK(strncmp(list[3].identifier, "ski=", 4) == 0);
        CHECK_EQ_INT(list[0].expansion_time, 921149073);
    }
    cachet_free(list);
    /* the first entry that names the agent: by issuer/serial at 2 */
    CHECK_EQ_INT(cachet_ess_ml_find(&v, mla.cert), 2);
    CHECK_EQ_INT(cachet_ess_ml_find(&v, other.cert), -1);
    cachet_free(der);
    der = ml_history(3, mla.cert, 1, 99, false, &len);
    cachet_cbs_init(&v, der, len);
    CHECK_EQ_INT(cachet_ess_ml_find(&v, mla.cert), 1);
    cachet_free(der);
    tpki_free(&mla);
    tpki_free(&other);
}

static void ml_history_bounded_and_generalized_time_only(void) {
    tpki_party mla = tpki_make(TPKI_P256, "mla", NULL, 7);
    static const struct {
        size_t n;
        bool utc;
        const char *want; /* NULL: accepted */
    } cases[] = {
        {64, false, NULL},
        {65, false, "more than 64 entries"},
        {0, false, "is empty"},
        {2, true, "expansionTime is not a DER GeneralizedTime"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0, n = 0;
        uint8_t *der = ml_history(cases[i].n, mla.cert, 99, 99, cases[i].utc, &len);
        cachet_cbs v;
        cachet_cbs_init(&v, der, len);
        cachet_ml_data *list = NULL;
        char detail[200] = "";
        bool ok = cachet_ess_parse_ml_history(&v, &list, &n, detail, sizeof(detail));
        CHECK_EQ_INT(ok, cases[i].want == NULL);
        if (cases[i].want != NULL) {
            CHECK(list == NULL && n == 0);
            if (strstr(detail, cases[i].want) == NULL) {
                fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i, detail, cases[i].want);
                CHECK(false);
            }
        } else {
            CHECK_EQ_INT(n, cases[i].n);
        }
        cachet_free(list);
        cachet_free(der);
    }
    tpki_free(&mla);
}

static const cachet_test_case tests[] = {
    TEST_CASE(label_is_written_in_der_tag_order_and_reads_back),
    TEST_CASE(label_mark_outside_printable_string_is_written_utf8),
    TEST_CASE(label_writer_refuses_what_is_not_a_label),
    TEST_CASE(label_reader_refuses_malformed_labels),
    TEST_CASE(label_categories_bounded_at_64),
    TEST_CASE(oid_from_text_encodes_and_refuses),
    TEST_CASE(name_text_is_rfc2253_with_escapes),
    TEST_CASE(ml_history_reads_entries_and_finds_the_agent),
    TEST_CASE(ml_history_bounded_and_generalized_time_only),
};

TEST_MAIN(tests)
