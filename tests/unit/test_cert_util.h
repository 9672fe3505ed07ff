/* Shared by unit tests of crypto/ and above: certificates read from PEM files
 * and certificates crafted with OpenSSL's API for edge cases the test PKI does
 * not have. (static inline: not every includer uses every helper.) */
#ifndef TEST_CERT_UTIL_H
#define TEST_CERT_UTIL_H

#include <stdlib.h>

#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "testlib.h"

typedef struct ext_spec {
    int nid;
    int crit;
    const char *conf;   /* X509V3 config value, or NULL */
    const uint8_t *der; /* raw extension value when conf is NULL */
    size_t der_len;
} ext_spec;

/* cert_from_file: the one certificate of the PEM file |path|; NULL (and a
 * failed check) otherwise. */
static inline cachet_cert *cert_from_file(const char *path) {
    size_t len = 0;
    uint8_t *data = cachet_test_read_file(path, &len);
    cachet_cert_list list = {0};
    cachet_cert *c = NULL;
    if (data != NULL && cachet_cert_load(data, len, &list, NULL) == CACHET_OK && list.num == 1) {
        c = cachet_cert_up_ref(list.certs[0]);
    }
    CHECK(c != NULL);
    cachet_cert_list_clear(&list);
    free(data);
    return c;
}

/* craft_cert issues a certificate (serial |serial|, 1 h before now to 1 day
 * after) for |key| under |issuer_name| (NULL: self) signed by |ikey| with
 * SHA-256, carrying exactly |exts|. */
static inline cachet_cert *craft_cert(long serial, EVP_PKEY *key, const X509_NAME *issuer_name,
                                      EVP_PKEY *ikey, const char *cn, const ext_spec *exts,
                                      size_t num) {
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, issuer_name != NULL ? issuer_name : name);
    X509_NAME_free(name);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    for (size_t i = 0; i < num; i++) {
        X509_EXTENSION *e = NULL;
        if (exts[i].conf != NULL) {
            X509V3_CTX ctx;
            X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
            e = X509V3_EXT_conf_nid(NULL, &ctx, exts[i].nid, exts[i].conf);
        } else {
            ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
            ASN1_OCTET_STRING_set(os, exts[i].der, (int)exts[i].der_len);
            e = X509_EXTENSION_create_by_NID(NULL, exts[i].nid, exts[i].crit, os);
            ASN1_OCTET_STRING_free(os);
        }
        CHECK(e != NULL && X509_add_ext(x, e, -1) == 1);
        X509_EXTENSION_free(e);
    }
    CHECK(X509_sign(x, ikey, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    cachet_cert *c = NULL;
    CHECK_EQ_INT(cachet_cert_parse(der, (size_t)n, &c, NULL), CACHET_OK);
    OPENSSL_free(der);
    X509_free(x);
    return c;
}

#endif
