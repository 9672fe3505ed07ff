/* Certificates as store records: every field taken from the certificate
 * (checked against OpenSSL's view and against what tests/pki/mkpki.sh asked
 * for), addresses normalised, and records turned back into certificates only
 * when the bytes are the ones the fingerprint names. */
#include <stdlib.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "pki/pki.h"
#include "test_cert_util.h"
#include "testlib.h"

static char pki_dir[256];

/* pki_path makes the test PKI once with tests/pki/mkpki.sh and returns DIR/|name|. */
static const char *pki_path(const char *name) {
    static char path[512];
    if (pki_dir[0] == '\0' && !cachet_test_make_pki(pki_dir, sizeof(pki_dir))) {
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/%s", pki_dir, name);
    return path;
}

static cachet_cert *load(const char *name) {
    char file[64];
    snprintf(file, sizeof(file), "%s.crt", name);
    return cert_from_file(pki_path(file));
}

static X509 *to_x509(const cachet_cert *c) {
    size_t len = 0;
    const unsigned char *p = cachet_cert_der(c, &len);
    X509 *x = d2i_X509(NULL, &p, (long)len);
    CHECK(x != NULL);
    return x;
}

static void ossl_hex(const ASN1_OCTET_STRING *s, char *out, size_t out_len) {
    out[0] = '\0';
    if (s == NULL) {
        return;
    }
    const unsigned char *d = ASN1_STRING_get0_data(s);
    for (int i = 0; i < ASN1_STRING_length(s) && (size_t)(2 * i + 2) < out_len; i++) {
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    }
}

static void hex_is_lowercase_and_truncates_to_whole_bytes(void) {
    static const uint8_t in[] = {0x00, 0xff, 0x10, 0xab};
    static const struct {
        size_t out_len;
        const char *want;
    } cases[] = {{9, "00ff10ab"}, {100, "00ff10ab"}, {8, "00ff10"}, {5, "00ff"},
                 {4, "00"},       {3, "00"},         {2, ""},       {1, ""}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[100];
        memset(out, 'X', sizeof(out));
        cachet_pki_hex(in, sizeof(in), out, cases[i].out_len);
        CHECK_STR(out, cases[i].want);
    }
    char untouched = 'X';
    cachet_pki_hex(in, sizeof(in), &untouched, 0);
    CHECK_EQ_INT(untouched, 'X');
}

static void alice_record_has_every_field_from_her_certificate(void) {
    cachet_cert *alice = load("alice");
    cachet_db_cert rec;
    CHECK_EQ_INT(cachet_pki_cert_record(alice, CACHET_DB_IMPORTED, &rec, NULL), CACHET_OK);
    size_t der_len = 0;
    const uint8_t *der = cachet_cert_der(alice, &der_len);
    CHECK_MEM(rec.der, rec.der_len, der, der_len);
    CHECK(rec.der != der);

    uint8_t md[32];
    unsigned md_len = 0;
    CHECK(EVP_Digest(der, der_len, md, &md_len, EVP_sha256(), NULL) == 1);
    char want_fp[65];
    for (size_t i = 0; i < 32; i++) {
        snprintf(want_fp + 2 * i, 3, "%02x", md[i]);
    }
    CHECK_STR(rec.fingerprint, want_fp);
    CHECK_STR(rec.subject, "emailAddress=alice@example.com,CN=Alice,O=Cachet Test,C=XX");
    CHECK_STR(rec.issuer, "CN=Cachet Test Intermediate CA,O=Cachet Test,C=XX");
    CHECK_STR(rec.serial, "2001");

    X509 *x = to_x509(alice);
    char want[132];
    ossl_hex(X509_get0_subject_key_id(x), want, sizeof(want));
    CHECK_EQ_INT(strlen(rec.ski), 40);
    CHECK_STR(rec.ski, want);
    ossl_hex(X509_get0_authority_key_id(x), want, sizeof(want));
    CHECK_EQ_INT(strlen(rec.aki), 40);
    CHECK_STR(rec.aki, want);
    X509_free(x);
    cachet_cert *inter = load("inter");
    const uint8_t *ski = NULL;
    size_t ski_len = 0;
    CHECK(cachet_cert_ski(inter, &ski, &ski_len));
    cachet_pki_hex(ski, ski_len, want, sizeof(want));
    CHECK_STR(rec.aki, want);
    cachet_cert_free(inter);

    CHECK_EQ_INT(rec.num_emails, 1);
    if (rec.num_emails == 1) {
        CHECK_STR(rec.emails[0], "alice@example.com");
    }
    /* mkpki.sh: valid for exactly 3650 days. */
    CHECK_EQ_INT(rec.not_after - rec.not_before, 3650LL * 86400);
    CHECK_EQ_INT(rec.key_usage, CACHET_KU_DIGITAL_SIGNATURE | CACHET_KU_NON_REPUDIATION |
                                    CACHET_KU_KEY_ENCIPHERMENT);
    CHECK(rec.email_protection);
    CHECK(!rec.is_ca);
    CHECK_EQ_INT(rec.origin, CACHET_DB_IMPORTED);
    CHECK_STR(rec.key_ref, "");
    CHECK_EQ_INT(rec.added, 0);
    cachet_db_cert_clear(&rec);
    cachet_cert_free(alice);
}

static void records_of_the_test_pki_carry_its_usages_dates_and_roles(void) {
    static const struct {
        const char *name;
        const char *serial;
        unsigned ku;
        bool email_protection, is_ca;
        size_t num_emails;
        long long not_before, not_after; /* 0: not fixed by mkpki.sh */
    } cases[] = {
        {"ca", NULL, CACHET_KU_KEY_CERT_SIGN | CACHET_KU_CRL_SIGN, true, true, 0, 0, 0},
        {"inter", "1001", CACHET_KU_KEY_CERT_SIGN | CACHET_KU_CRL_SIGN, true, true, 0, 0, 0},
        {"erin", "2005", CACHET_KU_DIGITAL_SIGNATURE | CACHET_KU_NON_REPUDIATION, true, false, 1, 0,
         0},
        {"srveku", "2007", CACHET_KU_DIGITAL_SIGNATURE | CACHET_KU_KEY_AGREEMENT, false, false, 1,
         0, 0},
        {"kuenc", "2009", CACHET_KU_KEY_ENCIPHERMENT, true, false, 1, 0, 0},
        /* 2020-01-01 .. 2021-01-01 and 2090-01-01 .. 2091-01-01 */
        {"expired", "3001", CACHET_KU_DIGITAL_SIGNATURE | CACHET_KU_KEY_AGREEMENT, true, false, 1,
         1577836800LL, 1609459200LL},
        {"notyet", "3002", CACHET_KU_DIGITAL_SIGNATURE | CACHET_KU_KEY_AGREEMENT, true, false, 1,
         3786912000LL, 3818448000LL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cert *c = load(cases[i].name);
        cachet_db_cert rec;
        CHECK_EQ_INT(cachet_pki_cert_record(c, CACHET_DB_ANCHOR, &rec, NULL), CACHET_OK);
        bool ok =
            (cases[i].serial == NULL || strcmp(rec.serial, cases[i].serial) == 0) &&
            rec.key_usage == cases[i].ku && rec.email_protection == cases[i].email_protection &&
            rec.is_ca == cases[i].is_ca && rec.num_emails == cases[i].num_emails &&
            (cases[i].not_before == 0 ||
             (rec.not_before == cases[i].not_before && rec.not_after == cases[i].not_after)) &&
            rec.origin == CACHET_DB_ANCHOR;
        if (!ok) {
            fprintf(stderr, "%s: serial %s ku 0x%x ep %d ca %d emails %zu %lld..%lld\n",
                    cases[i].name, rec.serial, rec.key_usage, rec.email_protection, rec.is_ca,
                    rec.num_emails, (long long)rec.not_before, (long long)rec.not_after);
            CHECK(false);
        }
        cachet_db_cert_clear(&rec);
        cachet_cert_free(c);
    }
}

static void addresses_are_normalised_and_unusable_ones_dropped(void) {
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 0x7f01);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"Pat", -1, -1, 0);
    X509_NAME_add_entry_by_NID(name, NID_pkcs9_emailAddress, MBSTRING_ASC,
                               (const unsigned char *)"Other@Example.NET", -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, name);
    X509_NAME_free(name);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, k);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *e =
        X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name,
                            "email:Pat@EXAMPLE.COM,email:not-an-address,email:pat@example.com,"
                            "email:Pat.Two@Sub.Example.COM");
    CHECK(e != NULL && X509_add_ext(x, e, -1) == 1);
    X509_EXTENSION_free(e);
    CHECK(X509_sign(x, k, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    cachet_cert *c = NULL;
    CHECK_EQ_INT(cachet_cert_parse(der, (size_t)n, &c, NULL), CACHET_OK);
    cachet_db_cert rec;
    CHECK_EQ_INT(cachet_pki_cert_record(c, CACHET_DB_HARVESTED, &rec, NULL), CACHET_OK);
    /* "pat@example.com" is the same address as the first, compared whole
     * case-insensitively, so the certificate lists it once. */
    static const char *const want[] = {"Pat@example.com", "Pat.Two@sub.example.com",
                                       "Other@example.net"};
    CHECK_EQ_INT(rec.num_emails, 3);
    for (size_t i = 0; i < rec.num_emails && i < 3; i++) {
        CHECK_STR(rec.emails[i], want[i]);
    }
    CHECK_STR(rec.serial, "7f01");
    CHECK_EQ_INT(rec.key_usage, CACHET_KU_ABSENT);
    CHECK_STR(rec.aki, "");
    CHECK_EQ_INT(rec.origin, CACHET_DB_HARVESTED);
    cachet_db_cert_clear(&rec);
    cachet_cert_free(c);
    OPENSSL_free(der);
    X509_free(x);
    EVP_PKEY_free(k);
}

static void record_turns_back_into_the_same_certificate(void) {
    cachet_cert *bob = load("bob");
    cachet_db_cert rec;
    CHECK_EQ_INT(cachet_pki_cert_record(bob, CACHET_DB_IMPORTED, &rec, NULL), CACHET_OK);
    cachet_cert *back = NULL;
    CHECK_EQ_INT(cachet_pki_record_cert(&rec, &back, NULL), CACHET_OK);
    size_t a_len = 0, b_len = 0;
    const uint8_t *a = cachet_cert_der(bob, &a_len);
    const uint8_t *b = back != NULL ? cachet_cert_der(back, &b_len) : NULL;
    CHECK_MEM(a, a_len, b, b_len);
    cachet_cert_free(back);
    back = NULL;

    /* A fingerprint naming other bytes is a corrupt store. */
    rec.fingerprint[10] = rec.fingerprint[10] == '0' ? '1' : '0';
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_pki_record_cert(&rec, &back, &err), CACHET_ERR_MALFORMED);
    CHECK(back == NULL);
    CHECK(strstr(err.message, "fingerprint") != NULL);
    /* No fingerprint (a record being built): the bytes alone decide. */
    rec.fingerprint[0] = '\0';
    CHECK_EQ_INT(cachet_pki_record_cert(&rec, &back, NULL), CACHET_OK);
    cachet_cert_free(back);
    back = NULL;
    rec.der[rec.der_len / 2] ^= 0xff;
    rec.der_len -= 3;
    CHECK_EQ_INT(cachet_pki_record_cert(&rec, &back, NULL), CACHET_ERR_MALFORMED);
    CHECK(back == NULL);
    cachet_db_cert empty = {0};
    CHECK_EQ_INT(cachet_pki_record_cert(&empty, &back, NULL), CACHET_ERR_MALFORMED);
    cachet_db_cert_clear(&rec);
    cachet_cert_free(bob);
}

static void a_record_survives_a_store_round_trip(void) {
    char dir[] = "/tmp/cachet-record-store-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof(path), "%s/store.db", dir);
    cachet_db *db = NULL;
    CHECK_EQ_INT(cachet_db_open(path, &db, NULL), CACHET_OK);
    cachet_cert *carol = load("carol");
    cachet_db_cert rec, got;
    memset(&got, 0, sizeof(got));
    CHECK_EQ_INT(cachet_pki_cert_record(carol, CACHET_DB_IMPORTED, &rec, NULL), CACHET_OK);
    if (db != NULL) {
        bool inserted = false;
        CHECK_EQ_INT(cachet_db_put_cert(db, &rec, &inserted, NULL), CACHET_OK);
        CHECK(inserted);
        CHECK_EQ_INT(cachet_db_get_cert(db, rec.fingerprint, &got, NULL), CACHET_OK);
        CHECK_MEM(got.der, got.der_len, rec.der, rec.der_len);
        CHECK_STR(got.subject, rec.subject);
        CHECK_STR(got.issuer, rec.issuer);
        CHECK_STR(got.serial, "2003");
        CHECK_STR(got.ski, rec.ski);
        CHECK_STR(got.aki, rec.aki);
        CHECK_EQ_INT(got.num_emails, 1);
        CHECK_EQ_INT(got.key_usage, CACHET_KU_DIGITAL_SIGNATURE | CACHET_KU_KEY_AGREEMENT);
        CHECK_EQ_INT(got.not_before, rec.not_before);
        CHECK_EQ_INT(got.not_after, rec.not_after);
        cachet_cert *back = NULL;
        CHECK_EQ_INT(cachet_pki_record_cert(&got, &back, NULL), CACHET_OK);
        cachet_cert_free(back);
        cachet_db_close(db);
    }
    cachet_db_cert_clear(&got);
    cachet_db_cert_clear(&rec);
    cachet_cert_free(carol);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

static const cachet_test_case tests[] = {
    TEST_CASE(hex_is_lowercase_and_truncates_to_whole_bytes),
    TEST_CASE(alice_record_has_every_field_from_her_certificate),
    TEST_CASE(records_of_the_test_pki_carry_its_usages_dates_and_roles),
    TEST_CASE(addresses_are_normalised_and_unusable_ones_dropped),
    TEST_CASE(record_turns_back_into_the_same_certificate),
    TEST_CASE(a_record_survives_a_store_round_trip),
};
TEST_MAIN(tests)
