/* Certificate fields for the store: key usage, issuer, key identifiers, cA,
 * issuance, CRL/OCSP URLs and the RFC 4262 extension, on the test PKI made by
 * tests/pki/mkpki.sh, on a certificate made by the openssl command with CDP,
 * AIA and SMIMECapabilities, and on certificates crafted with OpenSSL's API
 * for the edge cases (hostile URLs, duplicate extensions, forged issuers). */
#include <stdlib.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "test_cert_util.h"
#include "testlib.h"

static char pki_dir[256];

static const char pat_cnf[] =
    "[req]\ndistinguished_name = dn\n[dn]\n[ext]\n"
    "basicConstraints = critical,CA:FALSE\n"
    "subjectAltName = email:pat@example.com\n"
    "crlDistributionPoints = URI:http://crl.example.com/inter.crl,"
    "URI:ldap://ldap.example.com/cn=Inter,URI:https://crl.example.com/inter.crl,"
    "URI:HTTP://crl2.example.com/inter.crl\n"
    "authorityInfoAccess = OCSP;URI:http://ocsp.example.com/,"
    "caIssuers;URI:http://ca.example.com/inter.crt,OCSP;URI:http://ocsp2.example.com:8080/ocsp\n"
    "1.2.840.113549.1.9.15 = DER:3029300b0609608648016503040106300d06092a864886f70d0101070500"
    "300b060960864801650304012a\n";

/* pki_path makes the test PKI once (mkpki.sh, plus pat.crt with CDP/AIA/RFC
 * 4262 from the openssl command) and returns DIR/|name|. */
static const char *pki_path(const char *name) {
    static char path[512];
    if (pki_dir[0] == '\0') {
        char cmd[1024];
        if (!cachet_test_make_pki(pki_dir, sizeof(pki_dir))) {
            exit(1);
        }
        snprintf(path, sizeof(path), "%s/pat.cnf", pki_dir);
        FILE *fp = fopen(path, "w");
        if (fp == NULL || fputs(pat_cnf, fp) < 0 || fclose(fp) != 0) {
            fprintf(stderr, "cannot write %s\n", path);
            exit(1);
        }
        snprintf(cmd, sizeof(cmd),
                 "cd '%s' && openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                 "-nodes -keyout pat.key -out pat.crt -subj /CN=Pat -days 30 -config pat.cnf "
                 "-extensions ext >/dev/null 2>&1",
                 pki_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "openssl req for pat.crt failed\n");
            exit(1);
        }
    }
    snprintf(path, sizeof(path), "%s/%s", pki_dir, name);
    return path;
}

static cachet_cert *load(const char *name) {
    char file[64];
    snprintf(file, sizeof(file), "%s.crt", name);
    return cert_from_file(pki_path(file));
}

static X509 *load_x509(const char *name) {
    char file[64];
    snprintf(file, sizeof(file), "%s.crt", name);
    FILE *fp = fopen(pki_path(file), "r");
    X509 *x = fp != NULL ? PEM_read_X509(fp, NULL, NULL, NULL) : NULL;
    if (fp != NULL) {
        fclose(fp);
    }
    CHECK(x != NULL);
    return x;
}

static EVP_PKEY *load_key(const char *name) {
    char file[64];
    snprintf(file, sizeof(file), "%s.key", name);
    FILE *fp = fopen(pki_path(file), "r");
    EVP_PKEY *k = fp != NULL ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) : NULL;
    if (fp != NULL) {
        fclose(fp);
    }
    CHECK(k != NULL);
    return k;
}

/* ---- crafted certificates ---- */

static cachet_cert *craft(EVP_PKEY *key, const X509_NAME *issuer_name, EVP_PKEY *ikey,
                          const char *cn, const ext_spec *exts, size_t num) {
    return craft_cert(77, key, issuer_name, ikey, cn, exts, num);
}

static EVP_PKEY *ec_key(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* A tiny DER writer for extension values the config syntax cannot express. */
typedef struct dbuf {
    uint8_t b[4096];
    size_t n;
} dbuf;

static void put_tlv(dbuf *d, uint8_t tag, const uint8_t *v, size_t len) {
    CHECK(len < 0x10000 && d->n + len + 4 <= sizeof(d->b));
    d->b[d->n++] = tag;
    if (len < 0x80) {
        d->b[d->n++] = (uint8_t)len;
    } else if (len < 0x100) {
        d->b[d->n++] = 0x81;
        d->b[d->n++] = (uint8_t)len;
    } else {
        d->b[d->n++] = 0x82;
        d->b[d->n++] = (uint8_t)(len >> 8);
        d->b[d->n++] = (uint8_t)len;
    }
    memcpy(d->b + d->n, v, len);
    d->n += len;
}

/* cdp_der: CRLDistributionPoints with one DistributionPoint per URI, each a
 * fullName [0] { uniformResourceIdentifier [6] }. */
static void cdp_der(dbuf *out, const char *const *uris, const size_t *lens, size_t num) {
    dbuf points = {.n = 0};
    for (size_t i = 0; i < num; i++) {
        dbuf uri = {.n = 0}, full = {.n = 0}, dpn = {.n = 0};
        put_tlv(&uri, 0x86, (const uint8_t *)uris[i], lens[i]);
        put_tlv(&full, 0xa0, uri.b, uri.n);
        put_tlv(&dpn, 0xa0, full.b, full.n);
        put_tlv(&points, 0x30, dpn.b, dpn.n);
    }
    out->n = 0;
    put_tlv(out, 0x30, points.b, points.n);
}

/* ---- tests ---- */

static void key_usage_of_the_test_pki_is_what_mkpki_asked_for(void) {
    static const struct {
        const char *name;
        unsigned ku;
    } cases[] = {
        {"ca", CACHET_CERT_KU_KEY_CERT_SIGN | CACHET_CERT_KU_CRL_SIGN},
        {"inter", CACHET_CERT_KU_KEY_CERT_SIGN | CACHET_CERT_KU_CRL_SIGN},
        {"alice", CACHET_CERT_KU_DIGITAL_SIGNATURE | CACHET_CERT_KU_NON_REPUDIATION |
                      CACHET_CERT_KU_KEY_ENCIPHERMENT},
        {"carol", CACHET_CERT_KU_DIGITAL_SIGNATURE | CACHET_CERT_KU_KEY_AGREEMENT},
        {"dave", CACHET_CERT_KU_DIGITAL_SIGNATURE | CACHET_CERT_KU_KEY_AGREEMENT},
        {"erin", CACHET_CERT_KU_DIGITAL_SIGNATURE | CACHET_CERT_KU_NON_REPUDIATION},
        {"frank", CACHET_CERT_KU_DIGITAL_SIGNATURE | CACHET_CERT_KU_KEY_ENCIPHERMENT},
        {"kusig", CACHET_CERT_KU_DIGITAL_SIGNATURE},
        {"kuenc", CACHET_CERT_KU_KEY_ENCIPHERMENT},
        {"expired", CACHET_CERT_KU_DIGITAL_SIGNATURE | CACHET_CERT_KU_KEY_AGREEMENT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cert *c = load(cases[i].name);
        if (c != NULL && cachet_cert_key_usage(c) != cases[i].ku) {
            fprintf(stderr, "%s: key usage 0x%x, want 0x%x\n", cases[i].name,
                    cachet_cert_key_usage(c), cases[i].ku);
            CHECK(false);
        }
        cachet_cert_free(c);
    }
}

static void key_usage_absent_reads_absent_and_every_bit_maps(void) {
    EVP_PKEY *k = ec_key();
    cachet_cert *none = craft(k, NULL, k, "No KU", NULL, 0);
    CHECK_EQ_INT(cachet_cert_key_usage(none), CACHET_CERT_KU_ABSENT);
    const ext_spec all[] = {{NID_key_usage, 1,
                             "critical,digitalSignature,nonRepudiation,keyEncipherment,"
                             "dataEncipherment,keyAgreement,keyCertSign,cRLSign,encipherOnly,"
                             "decipherOnly",
                             NULL, 0}};
    cachet_cert *every = craft(k, NULL, k, "All KU", all, 1);
    CHECK_EQ_INT(cachet_cert_key_usage(every), 0x1ff);
    const ext_spec data_only[] = {{NID_key_usage, 1, "critical,dataEncipherment", NULL, 0}};
    cachet_cert *data = craft(k, NULL, k, "Data KU", data_only, 1);
    CHECK_EQ_INT(cachet_cert_key_usage(data), CACHET_CERT_KU_DATA_ENCIPHERMENT);
    cachet_cert_free(none);
    cachet_cert_free(every);
    cachet_cert_free(data);
    EVP_PKEY_free(k);
}

static void issuer_is_rfc2253_text_and_truncates(void) {
    cachet_cert *alice = load("alice");
    cachet_cert *ca = load("ca");
    char buf[256];
    cachet_cert_issuer(alice, buf, sizeof(buf));
    CHECK_STR(buf, "CN=Cachet Test Intermediate CA,O=Cachet Test,C=XX");
    cachet_cert_issuer(ca, buf, sizeof(buf));
    CHECK_STR(buf, "CN=Cachet Test Root CA,O=Cachet Test,C=XX");
    char small[5];
    cachet_cert_issuer(alice, small, sizeof(small));
    CHECK_STR(small, "CN=C");
    cachet_cert_free(alice);
    cachet_cert_free(ca);
}

static void aki_is_the_issuers_ski_and_agrees_with_openssl(void) {
    const char *names[] = {"alice", "carol", "inter", "ca"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        cachet_cert *c = load(names[i]);
        X509 *x = load_x509(names[i]);
        const ASN1_OCTET_STRING *want = X509_get0_authority_key_id(x);
        const uint8_t *aki = NULL;
        size_t aki_len = 0;
        bool have = cachet_cert_aki(c, &aki, &aki_len);
        CHECK_EQ_INT(have, want != NULL);
        if (have && want != NULL) {
            CHECK_MEM(aki, aki_len, ASN1_STRING_get0_data(want), (size_t)ASN1_STRING_length(want));
        }
        X509_free(x);
        cachet_cert_free(c);
    }
    cachet_cert *alice = load("alice");
    cachet_cert *inter = load("inter");
    const uint8_t *aki = NULL, *ski = NULL;
    size_t aki_len = 0, ski_len = 0;
    CHECK(cachet_cert_aki(alice, &aki, &aki_len));
    CHECK(cachet_cert_ski(inter, &ski, &ski_len));
    CHECK_EQ_INT(aki_len, 20);
    CHECK_MEM(aki, aki_len, ski, ski_len);
    EVP_PKEY *k = ec_key();
    cachet_cert *bare = craft(k, NULL, k, "No AKI", NULL, 0);
    CHECK(!cachet_cert_aki(bare, &aki, &aki_len));
    cachet_cert_free(bare);
    EVP_PKEY_free(k);
    cachet_cert_free(alice);
    cachet_cert_free(inter);
}

static void is_ca_needs_basic_constraints_ca_true(void) {
    cachet_cert *ca = load("ca");
    cachet_cert *inter = load("inter");
    cachet_cert *alice = load("alice");
    CHECK(cachet_cert_is_ca(ca));
    CHECK(cachet_cert_is_ca(inter));
    CHECK(!cachet_cert_is_ca(alice));
    EVP_PKEY *k = ec_key();
    cachet_cert *bare = craft(k, NULL, k, "No BC", NULL, 0);
    CHECK(!cachet_cert_is_ca(bare));
    const ext_spec bc[] = {{NID_basic_constraints, 0, "CA:TRUE", NULL, 0}};
    cachet_cert *noncrit = craft(k, NULL, k, "BC", bc, 1);
    CHECK(cachet_cert_is_ca(noncrit));
    cachet_cert_free(bare);
    cachet_cert_free(noncrit);
    EVP_PKEY_free(k);
    cachet_cert_free(ca);
    cachet_cert_free(inter);
    cachet_cert_free(alice);
}

static void issued_by_checks_name_key_id_and_signature(void) {
    cachet_cert *ca = load("ca");
    cachet_cert *inter = load("inter");
    cachet_cert *alice = load("alice");
    cachet_cert *fake = load("fakealice");
    X509 *xinter = load_x509("inter");
    EVP_PKEY *inter_key = load_key("inter");
    EVP_PKEY *other = ec_key();
    const X509_NAME *inter_name = X509_get_subject_name(xinter);
    /* Same DN as the intermediate, another key, no SKI: only the signature
     * check can tell. */
    cachet_cert *impostor = NULL;
    X509 *ximp = X509_new();
    X509_set_version(ximp, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(ximp), 5);
    X509_set_subject_name(ximp, inter_name);
    X509_set_issuer_name(ximp, inter_name);
    X509_gmtime_adj(X509_getm_notBefore(ximp), -3600);
    X509_gmtime_adj(X509_getm_notAfter(ximp), 86400);
    X509_set_pubkey(ximp, other);
    CHECK(X509_sign(ximp, other, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509(ximp, &der);
    CHECK_EQ_INT(cachet_cert_parse(der, (size_t)n, &impostor, NULL), CACHET_OK);
    OPENSSL_free(der);
    X509_free(ximp);
    /* Signed by the real intermediate key but naming another key id. */
    static const uint8_t wrong_aki[] = {0x30, 0x06, 0x80, 0x04, 0xde, 0xad, 0xbe, 0xef};
    const ext_spec aki[] = {{NID_authority_key_identifier, 0, NULL, wrong_aki, sizeof(wrong_aki)}};
    cachet_cert *bad_aki = craft(other, inter_name, inter_key, "Bad AKI", aki, 1);
    cachet_cert *no_aki = craft(other, inter_name, inter_key, "No AKI", NULL, 0);
    static const struct {
        int cert, issuer;
        bool want;
    } cases[] = {
        {2, 1, true},  /* alice <- inter */
        {1, 0, true},  /* inter <- ca */
        {0, 0, true},  /* ca self-signed */
        {3, 3, true},  /* fakealice self-signed (no keyCertSign needed for this check) */
        {2, 0, false}, /* alice <- ca: names differ */
        {2, 2, false}, /* alice <- alice */
        {2, 3, false}, /* alice <- fakealice: fakealice's subject is not alice's issuer */
        {2, 4, false}, /* alice <- impostor: same name, wrong key */
        {5, 1, false}, /* AKI names another key */
        {6, 1, true},  /* no AKI: name and signature decide */
        {6, 4, false},
    };
    cachet_cert *certs[] = {ca, inter, alice, fake, impostor, bad_aki, no_aki};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = cachet_cert_issued_by(certs[cases[i].cert], certs[cases[i].issuer]);
        if (got != cases[i].want) {
            fprintf(stderr, "issued_by case %zu: got %d\n", i, got);
            CHECK(false);
        }
    }
    CHECK(!cachet_cert_issued_by(alice, NULL));
    for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
        cachet_cert_free(certs[i]);
    }
    X509_free(xinter);
    EVP_PKEY_free(inter_key);
    EVP_PKEY_free(other);
}

static void check_list(char **got, size_t num, const char *const *want, size_t want_num) {
    CHECK_EQ_INT(num, want_num);
    for (size_t i = 0; i < num && i < want_num; i++) {
        CHECK_STR(got[i], want[i]);
    }
    cachet_cert_emails_free(got, num);
}

static void urls_from_an_openssl_made_certificate_are_the_http_ones(void) {
    cachet_cert *pat = load("pat");
    char **urls = NULL;
    size_t n;
    static const char *const crl[] = {"http://crl.example.com/inter.crl",
                                      "http://crl2.example.com/inter.crl"};
    n = cachet_cert_crl_urls(pat, &urls);
    check_list(urls, n, crl, 2);
    static const char *const ocsp[] = {"http://ocsp.example.com/",
                                       "http://ocsp2.example.com:8080/ocsp"};
    n = cachet_cert_ocsp_urls(pat, &urls);
    check_list(urls, n, ocsp, 2);
    cachet_cert *alice = load("alice");
    CHECK_EQ_INT(cachet_cert_crl_urls(alice, &urls), 0);
    CHECK(urls == NULL);
    CHECK_EQ_INT(cachet_cert_ocsp_urls(alice, &urls), 0);
    CHECK(urls == NULL);
    cachet_cert_free(alice);
    cachet_cert_free(pat);
}

static void crl_urls_drop_controls_spaces_and_stop_at_eight(void) {
    static const char *const uris[] = {
        "http://a.example/1.crl",  "http://b.example/\r\nX-Evil: 1", "http://c.example/ x",
        "http://d.example/\x7f",   "http://e.example/\xc3\xa9",      "http://",
        "http://a.example/1.crl",  "http://f.example/2.crl",         "ftp://g.example/3.crl",
        "http://h.example/4.crl",  "http://i.example/5.crl",         "http://j.example/6.crl",
        "http://k.example/7.crl",  "http://l.example/8.crl",         "http://m.example/9.crl",
        "http://n.example/10.crl",
    };
    size_t lens[sizeof(uris) / sizeof(uris[0])];
    for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
        lens[i] = strlen(uris[i]);
    }
    dbuf d;
    cdp_der(&d, uris, lens, sizeof(uris) / sizeof(uris[0]));
    EVP_PKEY *k = ec_key();
    const ext_spec cdp[] = {{NID_crl_distribution_points, 0, NULL, d.b, d.n}};
    cachet_cert *c = craft(k, NULL, k, "CDP", cdp, 1);
    char **urls = NULL;
    size_t n;
    static const char *const want[] = {
        "http://a.example/1.crl", "http://f.example/2.crl", "http://h.example/4.crl",
        "http://i.example/5.crl", "http://j.example/6.crl", "http://k.example/7.crl",
        "http://l.example/8.crl", "http://m.example/9.crl",
    };
    n = cachet_cert_crl_urls(c, &urls);
    check_list(urls, n, want, 8);
    cachet_cert_free(c);

    /* A NUL inside the URL: the text a C string shows is not the URL. */
    const char nul_uri[] = "http://good.example/\0.evil.example/";
    const char *const one[] = {nul_uri};
    size_t one_len[] = {sizeof(nul_uri) - 1};
    cdp_der(&d, one, one_len, 1);
    const ext_spec cdp2[] = {{NID_crl_distribution_points, 0, NULL, d.b, d.n}};
    c = craft(k, NULL, k, "CDP NUL", cdp2, 1);
    CHECK_EQ_INT(cachet_cert_crl_urls(c, &urls), 0);
    cachet_cert_free(c);
    EVP_PKEY_free(k);
}

static void ocsp_urls_take_only_id_ad_ocsp(void) {
    EVP_PKEY *k = ec_key();
    const ext_spec aia[] = {
        {NID_info_access, 0,
         "caIssuers;URI:http://ca.example/ca.crt,OCSP;URI:https://ocsp.example/,"
         "OCSP;URI:Http://ocsp.example/a,OCSP;email:ocsp@example.com",
         NULL, 0}};
    cachet_cert *c = craft(k, NULL, k, "AIA", aia, 1);
    char **urls = NULL;
    size_t n;
    static const char *const want[] = {"http://ocsp.example/a"};
    n = cachet_cert_ocsp_urls(c, &urls);
    check_list(urls, n, want, 1);
    CHECK_EQ_INT(cachet_cert_crl_urls(c, &urls), 0);
    cachet_cert_free(c);
    EVP_PKEY_free(k);
}

static void smime_caps_returns_the_extension_value(void) {
    /* aes128-GCM, id-RSAES-OAEP (NULL parameters), aes256-CBC: as pat.cnf has it. */
    static const uint8_t want[] = {0x30, 0x29, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                                   0x03, 0x04, 0x01, 0x06, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                   0x86, 0xf7, 0x0d, 0x01, 0x01, 0x07, 0x05, 0x00, 0x30, 0x0b, 0x06,
                                   0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a};
    cachet_cert *pat = load("pat");
    const uint8_t *v = NULL;
    size_t len = 0;
    CHECK(cachet_cert_smime_caps(pat, &v, &len));
    CHECK_MEM(v, len, want, sizeof(want));
    cachet_cert *alice = load("alice");
    CHECK(!cachet_cert_smime_caps(alice, &v, &len));
    EVP_PKEY *k = ec_key();
    const ext_spec twice[] = {{NID_SMIMECapabilities, 0, NULL, want, sizeof(want)},
                              {NID_SMIMECapabilities, 0, NULL, want, sizeof(want)}};
    cachet_cert *dup = craft(k, NULL, k, "Twice", twice, 2);
    CHECK(!cachet_cert_smime_caps(dup, &v, &len));
    cachet_cert_free(dup);
    EVP_PKEY_free(k);
    cachet_cert_free(alice);
    cachet_cert_free(pat);
}

static const cachet_test_case tests[] = {
    TEST_CASE(key_usage_of_the_test_pki_is_what_mkpki_asked_for),
    TEST_CASE(key_usage_absent_reads_absent_and_every_bit_maps),
    TEST_CASE(issuer_is_rfc2253_text_and_truncates),
    TEST_CASE(aki_is_the_issuers_ski_and_agrees_with_openssl),
    TEST_CASE(is_ca_needs_basic_constraints_ca_true),
    TEST_CASE(issued_by_checks_name_key_id_and_signature),
    TEST_CASE(urls_from_an_openssl_made_certificate_are_the_http_ones),
    TEST_CASE(crl_urls_drop_controls_spaces_and_stop_at_eight),
    TEST_CASE(ocsp_urls_take_only_id_ad_ocsp),
    TEST_CASE(smime_caps_returns_the_extension_value),
};
TEST_MAIN(tests)
