/* cms/common.c: limits, sniffing, digest AlgorithmIdentifiers, signer/recipient
 * identifiers and the indefinite-length writers. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cms/cms.h"
#include "testlib.h"

static void limits_default_values(void) {
    cachet_cms_limits l;
    cachet_cms_limits_default(&l);
    CHECK_EQ_INT(l.max_skeleton, 4u << 20);
    CHECK_EQ_INT(l.max_depth, 64);
    CHECK_EQ_INT(l.max_string_depth, 4);
    CHECK_EQ_INT(l.max_signers, 16);
    CHECK_EQ_INT(l.max_recipients, 1024);
    CHECK_EQ_INT(l.max_certificates, 64);
    CHECK_EQ_INT(l.max_attributes, 64);
    CHECK_EQ_INT(l.max_decompressed, 1ull << 30);
    CHECK_EQ_INT(l.max_ratio, 1000);
    cachet_ber_limits b = cachet_cms_ber_limits(&l);
    CHECK_EQ_INT(b.max_skeleton, l.max_skeleton);
    CHECK_EQ_INT(b.max_depth, 64);
    CHECK_EQ_INT(b.max_string_depth, 4);
}

static void sniff_identifies_content_types(void) {
    static const struct {
        const char *name;
        uint8_t bytes[20];
        size_t len;
        cachet_status st;
        cachet_oid oid;
    } cases[] = {
        {"signed definite",
         {0x30, 0x82, 0x01, 0x00, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02},
         15,
         CACHET_OK,
         CACHET_OID_SIGNED_DATA},
        {"enveloped indefinite",
         {0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03, 0xa0},
         14,
         CACHET_OK,
         CACHET_OID_ENVELOPED_DATA},
        {"compressed",
         {0x30, 0x80, 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x09},
         15,
         CACHET_OK,
         CACHET_OID_COMPRESSED_DATA},
        {"truncated oid", {0x30, 0x80, 0x06, 0x09, 0x2a, 0x86}, 6, CACHET_ERR_MALFORMED, 0},
        {"truncated header", {0x30}, 1, CACHET_ERR_MALFORMED, 0},
        {"empty", {0}, 0, CACHET_ERR_MALFORMED, 0},
        {"not a sequence", {0x31, 0x80, 0x06, 0x01, 0x2a}, 5, CACHET_ERR_MALFORMED, 0},
        {"no oid", {0x30, 0x03, 0x02, 0x01, 0x00}, 5, CACHET_ERR_MALFORMED, 0},
        {"sha256 is no content type",
         {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01},
         13,
         CACHET_ERR_UNSUPPORTED,
         0},
        {"length shorter than oid",
         {0x30, 0x03, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02},
         13,
         CACHET_ERR_MALFORMED,
         0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_oid oid = CACHET_OID_UNKNOWN;
        cachet_error err = {0};
        cachet_status st = cachet_cms_sniff(cases[i].bytes, cases[i].len, &oid, &err);
        if (st != cases[i].st) {
            fprintf(stderr, "case %s\n", cases[i].name);
        }
        CHECK_EQ_INT(st, cases[i].st);
        if (st == CACHET_OK) {
            CHECK_EQ_INT(oid, cases[i].oid);
        } else {
            CHECK_EQ_INT(oid, CACHET_OID_UNKNOWN);
            CHECK_EQ_INT(err.status, cases[i].st);
        }
    }
}

static void digest_alg_written_without_parameters_and_parsed_leniently(void) {
    cachet_cbb cbb;
    uint8_t *der = NULL;
    size_t len = 0;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    CHECK(cachet_cms_add_digest_alg(&cbb, CACHET_MD_SHA256));
    CHECK(cachet_cbb_finish(&cbb, &der, &len));
    static const uint8_t want[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                   0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
    CHECK_MEM(der, len, want, sizeof(want));
    cachet_free(der);

    static const struct {
        uint8_t bytes[24];
        size_t len;
        bool ok;
        cachet_md md;
    } cases[] = {
        /* SHA-384 absent params, with NULL, with garbage */
        {{0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02},
         13,
         true,
         CACHET_MD_SHA384},
        {{0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00},
         15,
         true,
         CACHET_MD_SHA512},
        {{0x30, 0x0e, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x02, 0x01,
          0x01},
         16,
         false,
         0},
        /* SHA-1 1.3.14.3.2.26 */
        {{0x30, 0x07, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a}, 9, true, CACHET_MD_SHA1},
        /* unknown 1.2.3.4 with parameters: known-unknown, not an error */
        {{0x30, 0x08, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x02, 0x01, 0x07}, 10, true, CACHET_MD_NONE},
        /* empty OID */
        {{0x30, 0x02, 0x06, 0x00}, 4, false, 0},
        {{0x31, 0x02, 0x06, 0x00}, 4, false, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cbs cbs;
        cachet_md md = CACHET_MD_MD5;
        cachet_oid oid;
        cachet_cbs_init(&cbs, cases[i].bytes, cases[i].len);
        bool ok = cachet_cms_parse_digest_alg(&cbs, &md, &oid);
        CHECK_EQ_INT(ok, cases[i].ok);
        if (ok) {
            CHECK_EQ_INT(md, cases[i].md);
            CHECK_EQ_INT(cbs.len, 0);
        } else {
            CHECK_EQ_INT(cbs.len, cases[i].len);
        }
    }
    CHECK_EQ_INT(cachet_cms_md_from_oid(CACHET_OID_SHA512), CACHET_MD_SHA512);
    CHECK_EQ_INT(cachet_cms_md_from_oid(CACHET_OID_RSA_ENCRYPTION), CACHET_MD_NONE);
    CHECK_EQ_INT(cachet_cms_oid_from_md(CACHET_MD_MD5), CACHET_OID_MD5);
    CHECK_EQ_INT(cachet_cms_oid_from_md(CACHET_MD_NONE), CACHET_OID_UNKNOWN);
}

/* A certificate with a known issuer, serial and SKI, made with OpenSSL. */
static cachet_cert *make_cert(long serial, const char *ski_hex, const char *issuer_cn) {
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *c = X509_new();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
    X509_gmtime_adj(X509_getm_notBefore(c), 0);
    X509_gmtime_adj(X509_getm_notAfter(c), 3600);
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)issuer_cn, -1, -1, 0);
    X509_set_subject_name(c, n);
    X509_set_issuer_name(c, n);
    X509_NAME_free(n);
    X509_set_pubkey(c, k);
    if (ski_hex != NULL) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, c, c, NULL, NULL, 0);
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, ski_hex);
        X509_add_ext(c, e, -1);
        X509_EXTENSION_free(e);
    }
    X509_sign(c, k, EVP_sha256());
    unsigned char *der = NULL;
    int len = i2d_X509(c, &der);
    cachet_cert *out = NULL;
    CHECK_EQ_INT(cachet_cert_parse(der, (size_t)len, &out, NULL), CACHET_OK);
    OPENSSL_free(der);
    X509_free(c);
    EVP_PKEY_free(k);
    return out;
}

static bool sid_of(const cachet_cert *cert, bool ski, uint8_t **der, size_t *len) {
    cachet_cbb cbb;
    return cachet_cbb_init(&cbb, 64, 0) && cachet_cms_add_sid(&cbb, cert, ski) &&
           cachet_cbb_finish(&cbb, der, len);
}

static void sid_matches_exactly_its_certificate(void) {
    cachet_cert *a = make_cert(1000, "0102030405", "Issuer A");
    cachet_cert *same_issuer_other_serial = make_cert(1001, "0102030406", "Issuer A");
    cachet_cert *other_issuer_same_serial = make_cert(1000, "0102030405", "Issuer B");
    cachet_cert *no_ski = make_cert(1000, NULL, "Issuer A");
    uint8_t *der = NULL;
    size_t len = 0;
    cachet_cbs sid;

    CHECK(sid_of(a, false, &der, &len));
    CHECK(der != NULL && der[0] == 0x30);
    cachet_cbs_init(&sid, der, len);
    CHECK(cachet_cms_sid_matches(&sid, a));
    CHECK(!cachet_cms_sid_matches(&sid, same_issuer_other_serial));
    CHECK(!cachet_cms_sid_matches(&sid, other_issuer_same_serial));
    CHECK(cachet_cms_sid_matches(&sid, no_ski)); /* same issuer DN + serial: a real ambiguity */
    cachet_free(der);

    CHECK(sid_of(a, true, &der, &len));
    static const uint8_t want_ski[] = {0x80, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05};
    CHECK_MEM(der, len, want_ski, sizeof(want_ski));
    cachet_cbs_init(&sid, der, len);
    CHECK(cachet_cms_sid_matches(&sid, a));
    CHECK(cachet_cms_sid_matches(&sid, other_issuer_same_serial)); /* same SKI value */
    CHECK(!cachet_cms_sid_matches(&sid, same_issuer_other_serial));
    CHECK(!cachet_cms_sid_matches(&sid, no_ski));
    cachet_free(der);

    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    CHECK(!cachet_cms_add_sid(&cbb, no_ski, true));
    cachet_cbb_cleanup(&cbb);

    /* malformed or foreign sids never match */
    static const uint8_t bad[][8] = {{0x80, 0x00}, {0xa0, 0x00}, {0x04, 0x01, 0x01}, {0x30, 0x00}};
    static const size_t bad_len[] = {2, 2, 3, 2};
    for (size_t i = 0; i < 4; i++) {
        cachet_cbs_init(&sid, bad[i], bad_len[i]);
        CHECK(!cachet_cms_sid_matches(&sid, a));
    }
    cachet_cert_free(a);
    cachet_cert_free(same_issuer_other_serial);
    cachet_cert_free(other_issuer_same_serial);
    cachet_cert_free(no_ski);
}

static void indefinite_writers_produce_ber(void) {
    cachet_membuf buf = {0};
    cachet_sink s = cachet_sink_membuf(&buf);
    CHECK_EQ_INT(cachet_cms_write_indef_header(&s, CACHET_ASN1_SEQUENCE), CACHET_OK);
    CHECK_EQ_INT(cachet_cms_write_indef_header(&s, CACHET_ASN1_CONTEXT_CONS(0)), CACHET_OK);
    CHECK_EQ_INT(cachet_cms_write_indef_header(&s, CACHET_ASN1_CONTEXT_CONS(40)), CACHET_OK);
    CHECK_EQ_INT(cachet_cms_write_indef_header(&s, CACHET_ASN1_OCTETSTRING), CACHET_ERR_INTERNAL);
    CHECK_EQ_INT(cachet_cms_write_octets(&s, (const uint8_t *)"abc", 3), CACHET_OK);
    CHECK_EQ_INT(cachet_cms_write_eoc(&s, 3), CACHET_OK);
    static const uint8_t want[] = {0x30, 0x80, 0xa0, 0x80, 0xbf, 0x28, 0x80, 0x04, 0x03,
                                   'a',  'b',  'c',  0,    0,    0,    0,    0,    0};
    CHECK_MEM(buf.data, buf.len, want, sizeof(want));
    cachet_membuf_free(&buf);

    /* long-form lengths, and the whole thing normalises to the same DER */
    static const size_t sizes[] = {0, 127, 128, 255, 256, 65535, 65536, 70000};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t *data = calloc(1, sizes[i] + 1);
        cachet_membuf b = {0};
        cachet_sink bs = cachet_sink_membuf(&b);
        CHECK_EQ_INT(
            cachet_cms_write_indef_header(&bs, CACHET_ASN1_OCTETSTRING | CACHET_ASN1_CONSTRUCTED),
            CACHET_OK);
        CHECK_EQ_INT(cachet_cms_write_octets(&bs, data, sizes[i]), CACHET_OK);
        CHECK_EQ_INT(cachet_cms_write_octets(&bs, data, 1), CACHET_OK);
        CHECK_EQ_INT(cachet_cms_write_eoc(&bs, 1), CACHET_OK);
        cachet_ber_limits lim = {1u << 20, 8, 4};
        uint8_t *der = NULL;
        size_t der_len = 0;
        CHECK_EQ_INT(cachet_ber_to_der(b.data, b.len, &lim, &der, &der_len, NULL), CACHET_OK);
        cachet_cbs cbs, body;
        cachet_cbs_init(&cbs, der, der_len);
        CHECK(cachet_cbs_get_asn1(&cbs, &body, CACHET_ASN1_OCTETSTRING));
        CHECK_EQ_INT(body.len, sizes[i] + 1);
        cachet_free(der);
        cachet_membuf_free(&b);
        free(data);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(limits_default_values),
    TEST_CASE(sniff_identifies_content_types),
    TEST_CASE(digest_alg_written_without_parameters_and_parsed_leniently),
    TEST_CASE(sid_matches_exactly_its_certificate),
    TEST_CASE(indefinite_writers_produce_ber),
};
TEST_MAIN(tests)
