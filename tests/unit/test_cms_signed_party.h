/* A signer certificate from the SignedData fixture CA for any OpenSSL key
 * (test_cms_signed_ed448.c, test_cms_signed_legacy.c). */
#ifndef CACHET_TEST_CMS_SIGNED_PARTY_H
#define CACHET_TEST_CMS_SIGNED_PARTY_H

#include "test_cms_signed_builder.h"

/* party_make issues a certificate from the fixture CA for |key| (taken). */
static inline tpki_party party_make(EVP_PKEY *key, const char *cn, long serial) {
    tpki_party p = {0};
    p.ossl_key = key;
    CHECK(key != NULL);
    X509 *c = X509_new();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
    X509_gmtime_adj(X509_getm_notBefore(c), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c), 3600L * 24 * 365);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(c, name);
    X509_NAME_free(name);
    X509_set_issuer_name(c, X509_get_subject_name(ca.ossl_cert));
    X509_set_pubkey(c, key);
    char email[128];
    snprintf(email, sizeof(email), "email:%s@example.com", cn);
    tpki_ext(c, ca.ossl_cert, NID_subject_key_identifier, "hash");
    tpki_ext(c, ca.ossl_cert, NID_authority_key_identifier, "keyid");
    tpki_ext(c, ca.ossl_cert, NID_basic_constraints, "CA:FALSE");
    tpki_ext(c, ca.ossl_cert, NID_key_usage, "critical,digitalSignature,nonRepudiation");
    tpki_ext(c, ca.ossl_cert, NID_ext_key_usage, "emailProtection");
    tpki_ext(c, ca.ossl_cert, NID_subject_alt_name, email);
    CHECK(X509_sign(c, ca.ossl_key, EVP_sha256()) > 0);
    p.ossl_cert = c;
    unsigned char *der = NULL;
    int len = i2d_X509(c, &der);
    CHECK_EQ_INT(cachet_cert_parse(der, (size_t)len, &p.cert, NULL), CACHET_OK);
    OPENSSL_free(der);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
    char *pem = NULL;
    long pem_len = BIO_get_mem_data(b, &pem);
    CHECK_EQ_INT(
        cachet_pkey_load_private((const uint8_t *)pem, (size_t)pem_len, NULL, &p.key, NULL),
        CACHET_OK);
    BIO_free(b);
    return p;
}

#endif
