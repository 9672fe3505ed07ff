/* Certificates from the shared corpus: fields, PEM bundles and PKCS#12. */
#include <stdlib.h>

#include <openssl/err.h>

#include "crypto/crypto.h"
#include "testlib.h"

static size_t unhex(uint8_t *out, size_t cap, const char *hex) {
    size_t n = 0;
    for (; hex[0] != '\0' && hex[1] != '\0' && n < cap; hex += 2) {
        unsigned v = 0;
        sscanf(hex, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    return n;
}

static uint8_t *vector(const char *rel, size_t *len) {
    uint8_t *d = cachet_test_read_file(cachet_test_vector_path(rel), len);
    CHECK(d != NULL);
    return d;
}

static cachet_cert *load_one(const char *rel) {
    size_t len = 0;
    uint8_t *d = vector(rel, &len);
    cachet_cert_list list = {0};
    if (d != NULL) {
        CHECK_EQ_INT(cachet_cert_load(d, len, &list, NULL), CACHET_OK);
    }
    free(d);
    CHECK_EQ_INT(list.num, 1);
    cachet_cert *c = list.num > 0 ? cachet_cert_up_ref(list.certs[0]) : NULL;
    cachet_cert_list_clear(&list);
    return c;
}

/* RFC 9216 sample: lamps-alice.crt (values cross-checked with `openssl x509`). */
static void lamps_alice_fields(void) {
    cachet_cert *c = load_one("examples-cms/lamps-alice.crt");
    if (c == NULL) {
        return;
    }
    char subject[256];
    cachet_cert_subject(c, subject, sizeof(subject));
    CHECK_STR(subject, "CN=Alice Lovelace,OU=LAMPS WG,O=IETF");

    uint8_t want[40];
    size_t n = unhex(want, sizeof(want), "37410579ED757F42A9A25C3AF4F86ACE9AA9D7");
    size_t len = 0;
    const uint8_t *serial = cachet_cert_serial_der(c, &len);
    CHECK_MEM(serial, len, want, n);

    const uint8_t *ski = NULL;
    CHECK(cachet_cert_ski(c, &ski, &len));
    n = unhex(want, sizeof(want), "BBF6CCB22D1D06121C97AE296A9010D320666673");
    CHECK_MEM(ski, len, want, n);

    /* The issuer Name is the TLV at offset 49 of the DER (87 bytes; see asn1parse). */
    size_t der_len = 0;
    const uint8_t *der = cachet_cert_der(c, &der_len);
    const uint8_t *issuer = cachet_cert_issuer_der(c, &len);
    CHECK(der_len > 136);
    CHECK_MEM(issuer, len, der + 49, 87);

    uint8_t fp[32];
    cachet_cert_sha256(c, fp);
    n = unhex(want, sizeof(want),
              "61237C070284DCEF14EBB5A05B0E8950D427EE46041CDB4891468330C13475A6");
    CHECK_MEM(fp, 32, want, n);

    char **emails = NULL;
    size_t num = cachet_cert_emails(c, &emails);
    CHECK_EQ_INT(num, 1);
    if (num == 1) {
        CHECK_STR(emails[0], "alice@smime.example");
    }
    cachet_cert_emails_free(emails, num);

    CHECK(cachet_cert_allows_email_protection(c));
    CHECK(!cachet_cert_allows_key_encipherment(c)); /* digitalSignature, nonRepudiation */
    CHECK(!cachet_cert_allows_key_agreement(c));

    int64_t nb = 0;
    int64_t na = 0;
    cachet_cert_validity(c, &nb, &na);
    CHECK_EQ_INT(nb, 1574232858);   /* 2019-11-20 06:54:18 UTC */
    CHECK_EQ_INT(na, 2611032858LL); /* 2052-09-27 06:54:18 UTC */
    cachet_cert_free(c);
}

static void cert_public_key_matches_private_key(void) {
    cachet_cert *c = load_one("examples-cms/lamps-alice.crt");
    size_t len = 0;
    uint8_t *d = vector("examples-cms/lamps-alice.p8.pem", &len);
    if (c == NULL || d == NULL) {
        free(d);
        cachet_cert_free(c);
        return;
    }
    cachet_pkey *priv = NULL;
    CHECK_EQ_INT(cachet_pkey_load_private(d, len, NULL, &priv, NULL), CACHET_OK);
    cachet_pkey *pub = cachet_cert_pkey(c);
    CHECK(pub != NULL);
    CHECK_EQ_INT(cachet_pkey_type(pub), CACHET_KEY_RSA);
    CHECK_EQ_INT(cachet_pkey_bits(pub), 2048);
    CHECK(cachet_pkey_matches(pub, priv));
    cachet_pkey_free(pub);
    cachet_pkey_free(priv);
    free(d);
    cachet_cert_free(c);
}

static void der_reparses_and_trailing_bytes_fail(void) {
    cachet_cert *c = load_one("examples-cms/lamps-alice.crt");
    if (c == NULL) {
        return;
    }
    size_t len = 0;
    const uint8_t *der = cachet_cert_der(c, &len);
    cachet_cert *again = NULL;
    CHECK_EQ_INT(cachet_cert_parse(der, len, &again, NULL), CACHET_OK);
    size_t len2 = 0;
    const uint8_t *der2 = cachet_cert_der(again, &len2);
    CHECK_MEM(der2, len2, der, len);
    cachet_cert_free(again);

    /* cachet_cert_load also takes one bare DER certificate. */
    cachet_cert_list list = {0};
    CHECK_EQ_INT(cachet_cert_load(der, len, &list, NULL), CACHET_OK);
    CHECK_EQ_INT(list.num, 1);
    cachet_cert_list_clear(&list);

    uint8_t *longer = malloc(len + 1);
    memcpy(longer, der, len);
    longer[len] = 0;
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_cert_parse(longer, len + 1, &again, &err), CACHET_ERR_MALFORMED);
    CHECK_EQ_INT(err.offset, (long long)len);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_cert_parse(longer, len - 1, &again, &err), CACHET_ERR_MALFORMED);
    CHECK(strstr(err.message, "OpenSSL") != NULL);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    free(longer);
    cachet_cert_free(c);
}

static void pem_bundle_yields_certificates_and_skips_keys(void) {
    size_t l1 = 0;
    size_t l2 = 0;
    size_t l3 = 0;
    uint8_t *a = vector("examples-cms/lamps-alice.crt", &l1);
    uint8_t *k = vector("examples-cms/lamps-alice.p8.pem", &l2);
    uint8_t *ca = vector("thunderbird-comm-central/mailnews-test-data-smime/TestCA.pem", &l3);
    if (a == NULL || k == NULL || ca == NULL) {
        free(a);
        free(k);
        free(ca);
        return;
    }
    cachet_membuf bundle = {0};
    /* The corpus files lack a final newline; a bundle separates its blocks. */
    cachet_membuf_append(&bundle, a, l1);
    cachet_membuf_append(&bundle, "\n", 1);
    cachet_membuf_append(&bundle, k, l2);
    cachet_membuf_append(&bundle, "\n", 1);
    cachet_membuf_append(&bundle, ca, l3);
    cachet_cert_list list = {0};
    CHECK_EQ_INT(cachet_cert_load(bundle.data, bundle.len, &list, NULL), CACHET_OK);
    CHECK_EQ_INT(list.num, 2);
    if (list.num == 2) {
        char s[256];
        cachet_cert_subject(list.certs[1], s, sizeof(s));
        CHECK_STR(s, "CN=NSS Test CA (RSA),O=BOGUS NSS,L=Mountain View,ST=California,C=US");
        /* a short buffer truncates, still terminated */
        cachet_cert_subject(list.certs[1], s, 7);
        CHECK_STR(s, "CN=NSS");
    }
    cachet_cert_list_clear(&list);
    /* A PEM file with only a key has no certificate. */
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_cert_load(k, l2, &list, &err), CACHET_ERR_MALFORMED);
    CHECK_EQ_INT(list.num, 0);
    cachet_membuf_free(&bundle);
    free(a);
    free(k);
    free(ca);
}

static void thunderbird_alice_p12_loads(void) {
    size_t len = 0;
    uint8_t *d = vector("thunderbird-comm-central/mailnews-test-data-smime/Alice.p12", &len);
    if (d == NULL) {
        return;
    }
    cachet_pkey *key = NULL;
    cachet_cert *cert = NULL;
    cachet_cert_list chain = {0};
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pkcs12_load(d, len, "nss", &key, &cert, &chain, &err), CACHET_OK);
    if (cert != NULL) {
        char s[256];
        cachet_cert_subject(cert, s, sizeof(s));
        CHECK_STR(s, "CN=Alice,emailAddress=Alice@example.com,O=BOGUS NSS,L=Mountain View,"
                     "ST=California,C=US");
        char **emails = NULL;
        size_t num = cachet_cert_emails(cert, &emails);
        CHECK_EQ_INT(num, 1);
        if (num == 1) {
            CHECK_STR(emails[0], "Alice@example.com");
        }
        cachet_cert_emails_free(emails, num);
        size_t sl = 0;
        const uint8_t *serial = cachet_cert_serial_der(cert, &sl);
        CHECK_MEM(serial, sl, "\x1e", 1);
        const uint8_t *ski = NULL;
        CHECK(!cachet_cert_ski(cert, &ski, &sl)); /* v1-style cert without extensions */
        CHECK(cachet_cert_allows_email_protection(cert));
        CHECK(cachet_cert_allows_key_encipherment(cert));
        cachet_pkey *pub = cachet_cert_pkey(cert);
        CHECK(cachet_pkey_matches(pub, key));
        cachet_pkey_free(pub);
    }
    CHECK_EQ_INT(chain.num, 1);
    if (chain.num == 1) {
        char s[256];
        cachet_cert_subject(chain.certs[0], s, sizeof(s));
        CHECK(strncmp(s, "CN=NSS Test CA (RSA)", 20) == 0);
    }
    cachet_pkey_free(key);
    cachet_cert_free(cert);
    cachet_cert_list_clear(&chain);

    key = NULL;
    cert = NULL;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pkcs12_load(d, len, "wrong", &key, &cert, &chain, &err), CACHET_ERR_KEY);
    CHECK(strstr(err.message, "wrong passphrase") != NULL);
    CHECK(key == NULL && cert == NULL && chain.num == 0);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    free(d);
}

/* bc johndoe.p12 uses pbeWithSHA1And40BitRC2-CBC with an empty password. */
static void legacy_rc2_p12_loads_through_legacy_provider(void) {
    size_t len = 0;
    uint8_t *d = vector("bcjava-smime/mail-smime/johndoe.p12", &len);
    if (d == NULL) {
        return;
    }
    cachet_pkey *key = NULL;
    cachet_cert *cert = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    cachet_status st = cachet_pkcs12_load(d, len, NULL, &key, &cert, NULL, &err);
    if (st != CACHET_OK) {
        fprintf(stderr, "johndoe.p12: %s\n", err.message);
        CHECK(strstr(err.message, "legacy") != NULL);
    } else {
        char s[128];
        cachet_cert_subject(cert, s, sizeof(s));
        CHECK_STR(s, "CN=John Doe");
    }
    CHECK_EQ_INT(st, CACHET_OK); /* Debian's libssl3 ships the legacy provider */
    cachet_pkey_free(key);
    cachet_cert_free(cert);
    free(d);
}

static void garbage_p12_is_key_error(void) {
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x03};
    cachet_pkey *key = NULL;
    cachet_cert *cert = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pkcs12_load(junk, sizeof(junk), "x", &key, &cert, NULL, &err),
                 CACHET_ERR_KEY);
    CHECK_EQ_INT(ERR_peek_error(), 0);
}

/* Every allocation failure on the load paths ends in an error, not a crash or a leak
 * (the sanitizer build checks the leaks). */
static void allocation_failures_fail_cleanly(void) {
    size_t l1 = 0;
    size_t l2 = 0;
    uint8_t *pem = vector("thunderbird-comm-central/mailnews-test-data-smime/TestCA.pem", &l1);
    uint8_t *p12 = vector("thunderbird-comm-central/mailnews-test-data-smime/Alice.p12", &l2);
    if (pem == NULL || p12 == NULL) {
        free(pem);
        free(p12);
        return;
    }
    for (unsigned long n = 1; n <= 12; n++) {
        cachet_cert_list list = {0};
        cachet_alloc_fail_after(n);
        cachet_status st = cachet_cert_load(pem, l1, &list, NULL);
        cachet_alloc_fail_after(0);
        CHECK(st == CACHET_OK || st == CACHET_ERR_NOMEM || st == CACHET_ERR_LIMIT);
        CHECK_EQ_INT(list.num, st == CACHET_OK ? 1 : 0);
        if (list.num == 1) {
            char **emails = NULL;
            cachet_alloc_fail_after(1);
            size_t num = cachet_cert_emails(list.certs[0], &emails);
            cachet_alloc_fail_after(0);
            CHECK(num == 0 && emails == NULL);
        }
        cachet_cert_list_clear(&list);

        cachet_pkey *key = NULL;
        cachet_cert *cert = NULL;
        cachet_alloc_fail_after(n);
        st = cachet_pkcs12_load(p12, l2, "nss", &key, &cert, &list, NULL);
        cachet_alloc_fail_after(0);
        CHECK(st == CACHET_OK || st == CACHET_ERR_NOMEM || st == CACHET_ERR_LIMIT);
        CHECK((st == CACHET_OK) == (key != NULL && cert != NULL));
        cachet_pkey_free(key);
        cachet_cert_free(cert);
        cachet_cert_list_clear(&list);
    }
    free(pem);
    free(p12);
}

static const cachet_test_case tests[] = {
    TEST_CASE(allocation_failures_fail_cleanly),
    TEST_CASE(lamps_alice_fields),
    TEST_CASE(cert_public_key_matches_private_key),
    TEST_CASE(der_reparses_and_trailing_bytes_fail),
    TEST_CASE(pem_bundle_yields_certificates_and_skips_keys),
    TEST_CASE(thunderbird_alice_p12_loads),
    TEST_CASE(legacy_rc2_p12_loads_through_legacy_provider),
    TEST_CASE(garbage_p12_is_key_error),
};
TEST_MAIN(tests)
