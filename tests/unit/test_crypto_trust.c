/* Path validation at a fixed time over a small PKI built in the test, and
 * certificate fields that need crafted certificates. */
#include <stdlib.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "testlib.h"

#define T0 1700000000LL /* 2023-11-14 22:13:20 UTC */
#define DAY 86400LL

typedef struct spec {
    const char *cn;
    bool ca;
    const char *ku;  /* keyUsage value, NULL = absent */
    const char *eku; /* extendedKeyUsage value, NULL = absent */
    long long not_before;
    long long not_after;
    long serial;
} spec;

static EVP_PKEY *new_key(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    CHECK(ext != NULL && X509_add_ext(x, ext, -1) == 1);
    X509_EXTENSION_free(ext);
}

/* make builds a certificate for |key| signed by |ikey| (self-signed if issuer NULL). */
static X509 *make(const spec *s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey) {
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), s->serial);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"cachet test", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)s->cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
    X509_NAME_free(name);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)s->not_before);
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)s->not_after);
    X509_set_pubkey(x, key);
    X509 *iss = issuer != NULL ? issuer : x;
    add_ext(x, iss, NID_basic_constraints, s->ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(x, iss, NID_subject_key_identifier, "hash");
    add_ext(x, iss, NID_authority_key_identifier, "keyid");
    if (s->ku != NULL) {
        add_ext(x, iss, NID_key_usage, s->ku);
    }
    if (s->eku != NULL) {
        add_ext(x, iss, NID_ext_key_usage, s->eku);
    }
    CHECK(X509_sign(x, ikey != NULL ? ikey : key, EVP_sha256()) > 0);
    return x;
}

static cachet_cert *wrap(X509 *x) {
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    cachet_cert *c = NULL;
    CHECK_EQ_INT(cachet_cert_parse(der, (size_t)n, &c, NULL), CACHET_OK);
    OPENSSL_free(der);
    return c;
}

typedef struct pki {
    EVP_PKEY *ca_key;
    EVP_PKEY *int_key;
    EVP_PKEY *leaf_key;
    EVP_PKEY *other_key;
    cachet_cert *ca;
    cachet_cert *inter;
    cachet_cert *leaf;         /* CA -> leaf, emailProtection */
    cachet_cert *leaf_via;     /* CA -> inter -> leaf_via */
    cachet_cert *leaf_server;  /* CA -> leaf with serverAuth only */
    cachet_cert *leaf_encrypt; /* CA -> leaf whose keyUsage is keyEncipherment only */
    cachet_cert *other_ca;     /* an unrelated root */
    cachet_cert *fake_ca;      /* same DN as ca, different key */
} pki;

static pki build(void) {
    pki p;
    p.ca_key = new_key();
    p.int_key = new_key();
    p.leaf_key = new_key();
    p.other_key = new_key();
    const spec ca = {"Root", true, "critical,keyCertSign,cRLSign", NULL, T0, T0 + 3650 * DAY, 1};
    const spec in = {"Inter", true, "critical,keyCertSign", NULL, T0, T0 + 1000 * DAY, 2};
    const spec leaf = {"Leaf",
                       false,
                       "critical,digitalSignature,nonRepudiation",
                       "emailProtection",
                       T0 + DAY,
                       T0 + 365 * DAY,
                       3};
    const spec server = {"Server",       false, "critical,digitalSignature", "serverAuth", T0 + DAY,
                         T0 + 365 * DAY, 4};
    const spec enc = {
        "Encrypt Only", false, "critical,keyEncipherment", "emailProtection", T0 + DAY,
        T0 + 365 * DAY, 6};
    const spec other = {"Other Root", true, "critical,keyCertSign", NULL, T0, T0 + 3650 * DAY, 5};
    X509 *xca = make(&ca, p.ca_key, NULL, NULL);
    X509 *xin = make(&in, p.int_key, xca, p.ca_key);
    X509 *xleaf = make(&leaf, p.leaf_key, xca, p.ca_key);
    X509 *xvia = make(&leaf, p.leaf_key, xin, p.int_key);
    X509 *xserver = make(&server, p.leaf_key, xca, p.ca_key);
    X509 *xenc = make(&enc, p.leaf_key, xca, p.ca_key);
    X509 *xother = make(&other, p.other_key, NULL, NULL);
    X509 *xfake = make(&ca, p.other_key, NULL, NULL);
    p.ca = wrap(xca);
    p.inter = wrap(xin);
    p.leaf = wrap(xleaf);
    p.leaf_via = wrap(xvia);
    p.leaf_server = wrap(xserver);
    p.leaf_encrypt = wrap(xenc);
    p.other_ca = wrap(xother);
    p.fake_ca = wrap(xfake);
    X509 *all[] = {xca, xin, xleaf, xvia, xserver, xenc, xother, xfake};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        X509_free(all[i]);
    }
    return p;
}

static void release(pki *p) {
    EVP_PKEY *keys[] = {p->ca_key, p->int_key, p->leaf_key, p->other_key};
    for (size_t i = 0; i < 4; i++) {
        EVP_PKEY_free(keys[i]);
    }
    cachet_cert *certs[] = {p->ca,          p->inter,        p->leaf,     p->leaf_via,
                            p->leaf_server, p->leaf_encrypt, p->other_ca, p->fake_ca};
    for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
        cachet_cert_free(certs[i]);
    }
}

static cachet_trust *trust_of(cachet_cert *anchor) {
    cachet_trust *t = cachet_trust_new(NULL);
    CHECK(t != NULL);
    CHECK_EQ_INT(cachet_trust_add_cert(t, anchor, NULL), CACHET_OK);
    return t;
}

static void chain_results_at_fixed_times(void) {
    pki p = build();
    cachet_trust *t = trust_of(p.ca);
    cachet_trust *other = trust_of(p.other_ca);
    cachet_trust *fake = trust_of(p.fake_ca);
    cachet_cert_list inter = {0};
    CHECK(cachet_cert_list_push(&inter, p.inter));
    static const long long mid = T0 + 30 * DAY;
    const struct {
        const char *what;
        cachet_trust *trust;
        cachet_cert *leaf;
        cachet_cert_list *untrusted;
        long long at;
        cachet_chain_status want;
        const char *detail; /* substring of the detail, NULL = empty detail */
    } cases[] = {
        {"direct", t, p.leaf, NULL, mid, CACHET_CHAIN_TRUSTED, NULL},
        {"via intermediate", t, p.leaf_via, &inter, mid, CACHET_CHAIN_TRUSTED, NULL},
        {"intermediate missing", t, p.leaf_via, NULL, mid, CACHET_CHAIN_UNTRUSTED, "CN=Leaf"},
        {"expired", t, p.leaf, NULL, T0 + 400 * DAY, CACHET_CHAIN_EXPIRED, "expired"},
        {"not yet valid", t, p.leaf, NULL, T0 + 60, CACHET_CHAIN_NOT_YET_VALID, "not yet valid"},
        {"other anchor", other, p.leaf, NULL, mid, CACHET_CHAIN_UNTRUSTED, "issuer"},
        {"serverAuth only", t, p.leaf_server, NULL, mid, CACHET_CHAIN_BAD_USAGE, "CN=Server"},
        {"keyEncipherment only", t, p.leaf_encrypt, NULL, mid, CACHET_CHAIN_BAD_USAGE,
         "CN=Encrypt Only"},
        {"intermediate expired", t, p.leaf_via, &inter, T0 + 1200 * DAY, CACHET_CHAIN_EXPIRED,
         "CN=Inter"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char detail[256];
        cachet_chain_status st = cachet_trust_verify(
            cases[i].trust, cases[i].leaf, cases[i].untrusted, cases[i].at, detail, sizeof(detail));
        if (st != cases[i].want) {
            fprintf(stderr, "case '%s': got %s (%s)\n", cases[i].what, cachet_chain_status_name(st),
                    detail);
        }
        CHECK_EQ_INT(st, cases[i].want);
        if (cases[i].detail == NULL) {
            CHECK_STR(detail, "");
        } else if (strstr(detail, cases[i].detail) == NULL) {
            fprintf(stderr, "case '%s': detail '%s' lacks '%s'\n", cases[i].what, detail,
                    cases[i].detail);
            CHECK(!"detail");
        }
    }
    /* Same DN, different key: never trusted. */
    char detail[256];
    CHECK(cachet_trust_verify(fake, p.leaf, NULL, mid, detail, sizeof(detail)) !=
          CACHET_CHAIN_TRUSTED);
    CHECK_EQ_INT(cachet_trust_verify(NULL, p.leaf, NULL, mid, detail, sizeof(detail)),
                 CACHET_CHAIN_NOT_CHECKED);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    cachet_cert_list_clear(&inter);
    cachet_trust_free(t);
    cachet_trust_free(other);
    cachet_trust_free(fake);
    release(&p);
}

/* CE-09: OpenSSL's default path validation accepts MD5- and SHA-1-signed
 * certificates and RSA-1024 CA keys (B15); ours refuses them unless weak
 * algorithms are allowed, and then says the path is weak. */
static void weak_certificate_signatures_and_keys_in_the_path_are_refused(void) {
    EVP_PKEY *ca_key = new_key();
    EVP_PKEY *leaf_key = new_key();
    EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    const spec ca = {"Weak Root", true, "critical,keyCertSign", NULL, T0, T0 + 3650 * DAY, 11};
    const spec in = {"Small Inter", true, "critical,keyCertSign", NULL, T0, T0 + 1000 * DAY, 12};
    const spec leaf = {
        "Leaf",         false, "critical,digitalSignature", "emailProtection", T0 + DAY,
        T0 + 365 * DAY, 13};
    X509 *xca = make(&ca, ca_key, NULL, NULL);
    X509 *xstrong = make(&leaf, leaf_key, xca, ca_key);
    X509 *xsha1 = make(&leaf, leaf_key, xca, ca_key);
    CHECK(X509_sign(xsha1, ca_key, EVP_sha1()) > 0);
    X509 *xsmall = make(&in, small, xca, ca_key);
    X509 *xvia_small = make(&leaf, leaf_key, xsmall, small);
    cachet_cert *anchor = wrap(xca), *strong = wrap(xstrong), *sha1 = wrap(xsha1);
    cachet_cert *inter = wrap(xsmall), *via_small = wrap(xvia_small);
    cachet_trust *t = trust_of(anchor);
    cachet_cert_list chain = {0};
    CHECK(cachet_cert_list_push(&chain, inter));
    const long long mid = T0 + 30 * DAY;
    char detail[256];
    bool weak = true;
    CHECK_EQ_INT(
        cachet_trust_verify_policy(t, strong, NULL, mid, false, &weak, detail, sizeof(detail)),
        CACHET_CHAIN_TRUSTED);
    CHECK(!weak);
    CHECK_EQ_INT(cachet_trust_verify(t, sha1, NULL, mid, detail, sizeof(detail)),
                 CACHET_CHAIN_INVALID);
    CHECK(strstr(detail, "digest algorithm too weak") != NULL);
    CHECK_EQ_INT(cachet_trust_verify(t, via_small, &chain, mid, detail, sizeof(detail)),
                 CACHET_CHAIN_INVALID);
    CHECK(strstr(detail, "CA certificate key too weak") != NULL);
    CHECK_EQ_INT(
        cachet_trust_verify_policy(t, sha1, NULL, mid, false, &weak, detail, sizeof(detail)),
        CACHET_CHAIN_INVALID);
    CHECK(!weak);
    CHECK_EQ_INT(
        cachet_trust_verify_policy(t, sha1, NULL, mid, true, &weak, detail, sizeof(detail)),
        CACHET_CHAIN_TRUSTED);
    CHECK(weak);
    weak = false;
    CHECK_EQ_INT(
        cachet_trust_verify_policy(t, via_small, &chain, mid, true, &weak, detail, sizeof(detail)),
        CACHET_CHAIN_TRUSTED);
    CHECK(weak);
    /* The anchor is trusted by configuration: its own self-signature is not judged. */
    X509 *xca_sha1 = make(&ca, ca_key, NULL, NULL);
    CHECK(X509_sign(xca_sha1, ca_key, EVP_sha1()) > 0);
    cachet_cert *anchor_sha1 = wrap(xca_sha1);
    cachet_trust *t1 = trust_of(anchor_sha1);
    CHECK_EQ_INT(cachet_trust_verify(t1, strong, NULL, mid, detail, sizeof(detail)),
                 CACHET_CHAIN_TRUSTED);
    cachet_trust_free(t1);
    cachet_cert_free(anchor_sha1);
    X509_free(xca_sha1);
    cachet_cert_list_clear(&chain);
    cachet_trust_free(t);
    cachet_cert *certs[] = {anchor, strong, sha1, inter, via_small};
    for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
        cachet_cert_free(certs[i]);
    }
    X509 *xs[] = {xca, xstrong, xsha1, xsmall, xvia_small};
    for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
        X509_free(xs[i]);
    }
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(leaf_key);
    EVP_PKEY_free(small);
}

static void trust_file_adds_every_certificate(void) {
    pki p = build();
    char path[] = "/tmp/cachet-trust-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    size_t len = 0;
    const uint8_t *der = cachet_cert_der(p.other_ca, &len);
    const unsigned char *q = der;
    X509 *x = d2i_X509(NULL, &q, (long)len);
    PEM_write_X509(fp, x);
    X509_free(x);
    der = cachet_cert_der(p.ca, &len);
    q = der;
    x = d2i_X509(NULL, &q, (long)len);
    PEM_write_X509(fp, x);
    X509_free(x);
    fclose(fp);
    cachet_trust *t = cachet_trust_new(NULL);
    CHECK_EQ_INT(cachet_trust_add_file(t, path, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_trust_verify(t, p.leaf, NULL, T0 + 30 * DAY, NULL, 0),
                 CACHET_CHAIN_TRUSTED);
    unlink(path);
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_trust_add_file(t, path, &err), CACHET_ERR_IO);
    cachet_trust_free(t);
    /* The system store loads without error (it may be empty in a container). */
    t = cachet_trust_new(NULL);
    CHECK_EQ_INT(cachet_trust_add_system(t, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_trust_verify(t, p.leaf, NULL, T0 + 30 * DAY, NULL, 0),
                 CACHET_CHAIN_UNTRUSTED);
    cachet_trust_free(t);
    release(&p);
}

static void chain_status_names(void) {
    CHECK_STR(cachet_chain_status_name(CACHET_CHAIN_TRUSTED), "trusted");
    CHECK_STR(cachet_chain_status_name(CACHET_CHAIN_UNTRUSTED), "untrusted");
    CHECK_STR(cachet_chain_status_name(CACHET_CHAIN_EXPIRED), "expired");
    CHECK_STR(cachet_chain_status_name(CACHET_CHAIN_NOT_YET_VALID), "not_yet_valid");
    CHECK_STR(cachet_chain_status_name(CACHET_CHAIN_BAD_USAGE), "bad_usage");
    CHECK_STR(cachet_chain_status_name(CACHET_CHAIN_INVALID), "invalid");
    CHECK_STR(cachet_chain_status_name(CACHET_CHAIN_NOT_CHECKED), "not_checked");
}

static void push_email(GENERAL_NAMES *gens, const char *addr, int len) {
    ASN1_IA5STRING *s = ASN1_IA5STRING_new();
    ASN1_STRING_set(s, addr, len);
    GENERAL_NAME *g = GENERAL_NAME_new();
    GENERAL_NAME_set0_value(g, GEN_EMAIL, s);
    sk_GENERAL_NAME_push(gens, g);
}

/* SAN entries with NUL or control characters are dropped; duplicates (also
 * against subject emailAddress) collapse case-insensitively. */
static void emails_drop_control_chars_and_duplicates(void) {
    EVP_PKEY *k = new_key();
    const spec s = {"Mail", false, "critical,keyAgreement", NULL, T0, T0 + DAY, 0x80};
    X509 *x = make(&s, k, NULL, NULL);
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    push_email(gens, "good@example.org", 16);
    push_email(gens, "evil@example.org\0.attacker.test", 31);
    push_email(gens, "tab\t@example.org", 16);
    push_email(gens, "GOOD@Example.ORG", 16);
    push_email(gens, "second@example.org", 18);
    CHECK(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1);
    GENERAL_NAMES_free(gens);
    X509_NAME *subj = X509_get_subject_name(x);
    X509_NAME_add_entry_by_NID(subj, NID_pkcs9_emailAddress, MBSTRING_ASC,
                               (const unsigned char *)"Second@example.org", -1, -1, 0);
    X509_NAME_add_entry_by_NID(subj, NID_pkcs9_emailAddress, MBSTRING_ASC,
                               (const unsigned char *)"third@example.org", -1, -1, 0);
    CHECK(X509_sign(x, k, EVP_sha256()) > 0);
    cachet_cert *c = wrap(x);
    char **emails = NULL;
    size_t n = cachet_cert_emails(c, &emails);
    CHECK_EQ_INT(n, 3);
    if (n == 3) {
        CHECK_STR(emails[0], "good@example.org");
        CHECK_STR(emails[1], "second@example.org");
        CHECK_STR(emails[2], "third@example.org");
    }
    cachet_cert_emails_free(emails, n);
    /* Serial 0x80 needs a leading zero octet in DER. */
    size_t sl = 0;
    const uint8_t *serial = cachet_cert_serial_der(c, &sl);
    CHECK_MEM(serial, sl, "\x00\x80", 2);
    CHECK(cachet_cert_allows_key_agreement(c));
    CHECK(!cachet_cert_allows_key_encipherment(c));
    CHECK(cachet_cert_allows_email_protection(c)); /* no EKU at all */
    cachet_cert_free(c);
    X509_free(x);
    EVP_PKEY_free(k);
}

static const cachet_test_case tests[] = {
    TEST_CASE(chain_results_at_fixed_times),
    TEST_CASE(weak_certificate_signatures_and_keys_in_the_path_are_refused),
    TEST_CASE(trust_file_adds_every_certificate),
    TEST_CASE(chain_status_names),
    TEST_CASE(emails_drop_control_chars_and_duplicates),
};
TEST_MAIN(tests)
