/* The ESS receipt codecs (RFC 2634 §2.7, §2.8, §2.11): round trips, OpenSSL's
 * own ReceiptRequest decoder and encoder as the independent check, malformed
 * input refused naming the field, msgSigDigest, the report of the attributes. */
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "cms/attributes.h"
#include "cms/receipt.h"
#include "testlib.h"

static const char *const to2[] = {"alice@example.com", "audit@example.org"};
static const char *const list1[] = {"bob@example.com"};
static const uint8_t cid[] = {0xc0, 0xff, 0xee, 0x01};

static bool build_request(cachet_receipts_from from, uint8_t **out, size_t *len) {
    cachet_cbb cbb;
    if (!cachet_cbb_init(&cbb, 64, 0)) {
        return false;
    }
    if (!cachet_cms_receipt_request_build(&cbb, cid, sizeof(cid), from, list1, 1, to2, 2) ||
        !cachet_cbb_finish(&cbb, out, len)) {
        cachet_cbb_cleanup(&cbb);
        return false;
    }
    return true;
}

typedef struct collected {
    char addrs[4][64];
    size_t n;
} collected;

static bool collect(void *arg, const char *a, size_t len) {
    collected *c = arg;
    if (c->n < 4) {
        snprintf(c->addrs[c->n++], 64, "%.*s", (int)len, a);
    }
    return true;
}

static void request_round_trips_and_openssl_reads_it(void) {
    static const cachet_receipts_from froms[] = {
        CACHET_RECEIPTS_FROM_ALL, CACHET_RECEIPTS_FROM_FIRST_TIER, CACHET_RECEIPTS_FROM_LIST};
    for (size_t i = 0; i < 3; i++) {
        uint8_t *der = NULL;
        size_t len = 0;
        CHECK(build_request(froms[i], &der, &len));
        cachet_cbs in;
        cachet_cms_receipt_request rr;
        char detail[200];
        cachet_cbs_init(&in, der, len);
        CHECK(cachet_cms_receipt_request_parse(&in, &rr, detail, sizeof(detail)));
        CHECK_EQ_INT(rr.from, froms[i]);
        CHECK_MEM(rr.content_id.data, rr.content_id.len, cid, sizeof(cid));
        CHECK_EQ_INT(rr.num_to, 2);
        collected c = {0};
        CHECK(cachet_cms_names_emails(&rr.to, collect, &c));
        CHECK_EQ_INT(c.n, 2);
        CHECK_STR(c.addrs[1], "audit@example.org");
        /* OpenSSL's decoder agrees */
        const unsigned char *p = der;
        CMS_ReceiptRequest *orr = d2i_CMS_ReceiptRequest(NULL, &p, (long)len);
        CHECK(orr != NULL && p == der + len);
        if (orr != NULL) {
            ASN1_STRING *ocid = NULL;
            int allorfirst = -2;
            STACK_OF(GENERAL_NAMES) *olist = NULL, *oto = NULL;
            CMS_ReceiptRequest_get0_values(orr, &ocid, &allorfirst, &olist, &oto);
            CHECK_MEM(ASN1_STRING_get0_data(ocid), (size_t)ASN1_STRING_length(ocid), cid,
                      sizeof(cid));
            CHECK_EQ_INT(sk_GENERAL_NAMES_num(oto), 2);
            if (froms[i] == CACHET_RECEIPTS_FROM_LIST) {
                CHECK_EQ_INT(allorfirst, -1);
                CHECK_EQ_INT(sk_GENERAL_NAMES_num(olist), 1);
            } else {
                CHECK_EQ_INT(allorfirst, (int)froms[i]);
            }
            CMS_ReceiptRequest_free(orr);
        }
        cachet_free(der);
    }
}

static void openssl_request_is_read(void) {
    STACK_OF(GENERAL_NAMES) *to = sk_GENERAL_NAMES_new_null();
    GENERAL_NAMES *gns = GENERAL_NAMES_new();
    GENERAL_NAME *gn = GENERAL_NAME_new();
    ASN1_IA5STRING *s = ASN1_IA5STRING_new();
    ASN1_STRING_set(s, "ossl@example.net", -1);
    GENERAL_NAME_set0_value(gn, GEN_EMAIL, s);
    sk_GENERAL_NAME_push(gns, gn);
    sk_GENERAL_NAMES_push(to, gns);
    unsigned char id[] = "0123456789abcdef";
    /* create0: the identifier buffer becomes OpenSSL's */
    CMS_ReceiptRequest *orr =
        CMS_ReceiptRequest_create0_ex(OPENSSL_memdup(id, 16), 16, 1, NULL, to, NULL);
    CHECK(orr != NULL);
    unsigned char *der = NULL;
    int len = orr != NULL ? i2d_CMS_ReceiptRequest(orr, &der) : -1;
    CHECK(len > 0);
    if (len > 0) {
        cachet_cbs in;
        cachet_cms_receipt_request rr;
        char detail[200];
        cachet_cbs_init(&in, der, (size_t)len);
        CHECK(cachet_cms_receipt_request_parse(&in, &rr, detail, sizeof(detail)));
        CHECK_EQ_INT(rr.from, CACHET_RECEIPTS_FROM_FIRST_TIER);
        CHECK_MEM(rr.content_id.data, rr.content_id.len, id, 16);
        collected c = {0};
        CHECK(cachet_cms_names_emails(&rr.to, collect, &c));
        CHECK_EQ_INT(c.n, 1);
        CHECK_STR(c.addrs[0], "ossl@example.net");
    }
    OPENSSL_free(der);
    CMS_ReceiptRequest_free(orr);
}

typedef struct bad_case {
    const char *name;
    const char *hex;
    const char *field; /* the detail names it */
} bad_case;

/* hand-made DER: ReceiptRequest { id, from, to } */
static const bad_case bad_requests[] = {
    {"empty", "", "ReceiptRequest:"},
    {"truncated", "300b0401aa800100", "ReceiptRequest:"},
    {"empty identifier", "300f0400800100300830068104612e6263", "signedContentIdentifier"},
    {"allOrFirstTier 2", "30100401aa800102300830068104612e6263", "allOrFirstTier"},
    {"wrong receiptsFrom tag", "30100401aa820100300830068104612e6263", "receiptsFrom"},
    {"no receiptsTo", "30060401aa800100", "receiptsTo"},
    {"empty receiptsTo", "30080401aa8001003000", "receiptsTo"},
    {"empty GeneralNames", "300a0401aa80010030023000", "receiptsTo"},
    {"address with a space", "300f0401aa800100300730058103612062", "receiptsTo"},
    {"data after receiptsTo", "30120401aa800100300830068104612e62630500", "receiptsTo"},
    {"empty receiptList", "300f0401aaa100300830068104612e6263", "receiptList"},
    {"receiptList of an empty GeneralNames", "30110401aaa1023000300830068104612e6263",
     "receiptList"},
};

static size_t unhex(const char *h, uint8_t *out) {
    size_t n = 0;
    while (*h != '\0') {
        if (*h == ' ') {
            h++;
            continue;
        }
        unsigned v = 0;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

static void malformed_requests_are_refused_naming_the_field(void) {
    for (size_t i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]); i++) {
        uint8_t buf[256];
        size_t n = unhex(bad_requests[i].hex, buf);
        cachet_cbs in;
        cachet_cms_receipt_request rr;
        char detail[200] = "";
        cachet_cbs_init(&in, buf, n);
        bool ok = cachet_cms_receipt_request_parse(&in, &rr, detail, sizeof(detail));
        if (ok || strstr(detail, bad_requests[i].field) == NULL) {
            fprintf(stderr, "case %s: ok=%d detail=%s\n", bad_requests[i].name, ok, detail);
        }
        CHECK(!ok);
        CHECK(strstr(detail, bad_requests[i].field) != NULL);
    }
}

static void too_many_receipts_to_are_refused(void) {
    const char *many[17];
    for (int i = 0; i < 17; i++) {
        many[i] = "x@example.com";
    }
    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    CHECK(!cachet_cms_receipt_request_build(&cbb, cid, sizeof(cid), CACHET_RECEIPTS_FROM_ALL, NULL,
                                            0, many, 17));
    cachet_cbb_cleanup(&cbb);
    /* and 16 is the most a parser accepts */
    uint8_t *der = NULL;
    size_t len = 0;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    CHECK(cachet_cms_receipt_request_build(&cbb, cid, sizeof(cid), CACHET_RECEIPTS_FROM_ALL, NULL,
                                           0, many, 16));
    CHECK(cachet_cbb_finish(&cbb, &der, &len));
    cachet_cbs in;
    cachet_cms_receipt_request rr;
    char detail[200];
    cachet_cbs_init(&in, der, len);
    CHECK(cachet_cms_receipt_request_parse(&in, &rr, detail, sizeof(detail)));
    CHECK_EQ_INT(rr.num_to, 16);
    cachet_free(der);
}

static void receipt_and_content_reference_round_trip(void) {
    static const uint8_t oid_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
    static const uint8_t sig[] = {9, 8, 7, 6, 5};
    cachet_cms_receipt r;
    cachet_cbs_init(&r.content_type, oid_data, sizeof(oid_data));
    cachet_cbs_init(&r.content_id, cid, sizeof(cid));
    cachet_cbs_init(&r.signature, sig, sizeof(sig));
    for (int kind = 0; kind < 2; kind++) {
        cachet_cbb cbb;
        uint8_t *der = NULL;
        size_t len = 0;
        CHECK(cachet_cbb_init(&cbb, 64, 0));
        CHECK(kind == 0 ? cachet_cms_receipt_build(&cbb, &r)
                        : cachet_cms_content_reference_build(&cbb, &r));
        CHECK(cachet_cbb_finish(&cbb, &der, &len));
        cachet_cbs in;
        cachet_cms_receipt back;
        char detail[200];
        cachet_cbs_init(&in, der, len);
        CHECK(kind == 0 ? cachet_cms_receipt_parse(&in, &back, detail, sizeof(detail))
                        : cachet_cms_content_reference_parse(&in, &back, detail, sizeof(detail)));
        CHECK_MEM(back.content_type.data, back.content_type.len, oid_data, sizeof(oid_data));
        CHECK_MEM(back.content_id.data, back.content_id.len, cid, sizeof(cid));
        CHECK_MEM(back.signature.data, back.signature.len, sig, sizeof(sig));
        if (kind == 0) {
            /* version 2 is not a Receipt */
            der[4] = 2;
            cachet_cbs_init(&in, der, len);
            CHECK(!cachet_cms_receipt_parse(&in, &back, detail, sizeof(detail)));
            CHECK(strstr(detail, "Receipt.version") != NULL);
            /* every truncation is refused */
            for (size_t cut = 0; cut < len; cut++) {
                der[4] = 1;
                cachet_cbs_init(&in, der, cut);
                CHECK(!cachet_cms_receipt_parse(&in, &back, detail, sizeof(detail)));
            }
        }
        cachet_free(der);
    }
}

static void msg_sig_digest_is_over_the_der_set(void) {
    static const size_t sizes[] = {0, 5, 127, 128, 255, 256, 70000};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        uint8_t *attrs = malloc(n + 1);
        for (size_t k = 0; k < n; k++) {
            attrs[k] = (uint8_t)(k * 7);
        }
        cachet_cbs a;
        cachet_cbs_init(&a, attrs, n);
        uint8_t got[64];
        size_t got_len = 0;
        CHECK(cachet_cms_msg_sig_digest(CACHET_MD_SHA384, &a, got, &got_len));
        /* OpenSSL's encoder writes the SET header */
        unsigned char *der = malloc(n + 16), *q = der;
        ASN1_put_object(&q, 1, (int)n, V_ASN1_SET, V_ASN1_UNIVERSAL);
        memcpy(q, attrs, n);
        q += n;
        uint8_t want[64];
        unsigned wlen = 0;
        EVP_Digest(der, (size_t)(q - der), want, &wlen, EVP_sha384(), NULL);
        CHECK_MEM(got, got_len, want, wlen);
        free(der);
        free(attrs);
    }
}

/* attribute SEQUENCE { oid, SET { value... } } appended to |cbb| */
static void add_attr(cachet_cbb *cbb, cachet_oid oid, const uint8_t *value, size_t len, int times) {
    cachet_cbb attr, set;
    CHECK(cachet_cbb_add_asn1(cbb, &attr, CACHET_ASN1_SEQUENCE));
    CHECK(cachet_cbb_add_oid(&attr, oid));
    CHECK(cachet_cbb_add_asn1(&attr, &set, CACHET_ASN1_SET));
    for (int i = 0; i < times; i++) {
        CHECK(cachet_cbb_add_bytes(&set, value, len));
    }
    CHECK(cachet_cbb_flush(cbb));
}

static void attributes_are_reported_or_refused(void) {
    uint8_t *rr = NULL;
    size_t rr_len = 0;
    CHECK(build_request(CACHET_RECEIPTS_FROM_LIST, &rr, &rr_len));
    static const uint8_t msd[] = {0x04, 0x03, 1, 2, 3};
    for (int variant = 0; variant < 3; variant++) {
        cachet_cbb cbb;
        uint8_t *attrs = NULL;
        size_t len = 0;
        CHECK(cachet_cbb_init(&cbb, 256, 0));
        add_attr(&cbb, CACHET_OID_ATTR_RECEIPT_REQUEST, rr, rr_len, variant == 1 ? 2 : 1);
        add_attr(&cbb, CACHET_OID_ATTR_MSG_SIG_DIGEST, msd, variant == 2 ? 2 : sizeof(msd), 1);
        CHECK(cachet_cbb_finish(&cbb, &attrs, &len));
        cachet_cbs a;
        cachet_cbs_init(&a, attrs, len);
        cachet_signer_report rep;
        memset(&rep, 0, sizeof(rep));
        char detail[256] = "";
        cachet_status st = cachet_cms_receipt_attrs_read(&a, &rep, detail, sizeof(detail));
        if (variant == 0) {
            CHECK_EQ_INT(st, CACHET_OK);
            CHECK(rep.ess != NULL && rep.ess->receipt_requested && rep.ess->has_msg_sig_digest);
            if (rep.ess != NULL) {
                CHECK_STR(rep.ess->receipt_content_id_hex, "c0ffee01");
                CHECK_EQ_INT(rep.ess->receipts_from, CACHET_RECEIPTS_FROM_LIST);
                CHECK_EQ_INT(rep.ess->num_receipts_from_list, 1);
                CHECK_EQ_INT(rep.ess->num_receipts_to, 2);
                if (rep.ess->num_receipts_from_list == 1 && rep.ess->num_receipts_to == 2) {
                    CHECK_STR(rep.ess->receipts_from_list[0], "bob@example.com");
                    CHECK_STR(rep.ess->receipts_to[0], "alice@example.com");
                }
            }
        } else {
            CHECK_EQ_INT(st, CACHET_ERR_ATTRIBUTES);
            CHECK(strstr(detail, variant == 1 ? "receiptRequest" : "msgSigDigest") != NULL);
        }
        cachet_cms_signer_report_clear(&rep);
        cachet_free(attrs);
    }
    cachet_free(rr);
}

static const cachet_test_case tests[] = {
    TEST_CASE(request_round_trips_and_openssl_reads_it),
    TEST_CASE(openssl_request_is_read),
    TEST_CASE(malformed_requests_are_refused_naming_the_field),
    TEST_CASE(too_many_receipts_to_are_refused),
    TEST_CASE(receipt_and_content_reference_round_trip),
    TEST_CASE(msg_sig_digest_is_over_the_der_set),
    TEST_CASE(attributes_are_reported_or_refused),
};

TEST_MAIN(tests)
