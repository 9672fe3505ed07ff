/* Helpers shared by the test_cms_enveloped*.c tests: test keys and certificates
 * made with OpenSSL at run time, drivers that feed our streaming API whole, byte
 * by byte and in random chunks, and OpenSSL's CMS API as the interop oracle. */
#ifndef CACHET_TEST_CMS_ENVELOPED_UTIL_H
#define CACHET_TEST_CMS_ENVELOPED_UTIL_H

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "cms/enveloped.h"
#include "testlib.h"

typedef enum feed_mode { FEED_WHOLE, FEED_BYTES, FEED_RANDOM } feed_mode;

typedef struct test_party {
    EVP_PKEY *ossl_key;
    X509 *ossl_cert;
    cachet_pkey *key;
    cachet_cert *cert;
} test_party;

static inline X509 *tu_make_cert(EVP_PKEY *key, const char *cn, long serial, const char *ku) {
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_set_version(x, 2);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, name);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
    X509_set_pubkey(x, key);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_key_identifier, "hash");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    if (ku != NULL) {
        ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage, ku);
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    X509_sign(x, key, EVP_sha256());
    X509_NAME_free(name);
    return x;
}

static inline cachet_cert *tu_cachet_cert(X509 *x) {
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    cachet_cert *c = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    if (len <= 0 || cachet_cert_parse(der, (size_t)len, &c, &err) != CACHET_OK) {
        fprintf(stderr, "cert parse failed: %s\n", err.message);
    }
    OPENSSL_free(der);
    return c;
}

static inline cachet_pkey *tu_cachet_key(EVP_PKEY *k) {
    unsigned char *der = NULL;
    cachet_pkey *p = NULL;
    cachet_error err;
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
    int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    PKCS8_PRIV_KEY_INFO_free(p8);
    cachet_err_clear(&err);
    if (len <= 0 || cachet_pkey_load_private(der, (size_t)len, NULL, &p, &err) != CACHET_OK) {
        fprintf(stderr, "key load failed: %s\n", err.message);
    }
    OPENSSL_free(der);
    return p;
}

/* tu_party makes a key ("rsa2048", "rsa1024", "P-256", "P-384", "P-521") and a
 * self-signed certificate with KeyUsage |ku| (NULL: no KeyUsage extension). */
static inline test_party tu_party(const char *type, const char *cn, long serial, const char *ku) {
    test_party p;
    memset(&p, 0, sizeof(p));
    if (strncmp(type, "rsa", 3) == 0) {
        p.ossl_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)atoi(type + 3));
    } else {
        p.ossl_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", type);
    }
    p.ossl_cert = tu_make_cert(p.ossl_key, cn, serial, ku);
    p.key = tu_cachet_key(p.ossl_key);
    p.cert = tu_cachet_cert(p.ossl_cert);
    return p;
}

static inline void tu_party_free(test_party *p) {
    EVP_PKEY_free(p->ossl_key);
    X509_free(p->ossl_cert);
    cachet_pkey_free(p->key);
    cachet_cert_free(p->cert);
}

static inline size_t tu_next_chunk(feed_mode mode, size_t remaining, uint32_t *rng) {
    size_t n;
    switch (mode) {
        case FEED_WHOLE:
            return remaining;
        case FEED_BYTES:
            return remaining > 0 ? 1 : 0;
        default:
            n = 1 + cachet_test_rand(rng) % 777;
            return n < remaining ? n : remaining;
    }
}

/* tu_encrypt runs our encryptor over |msg| fed according to |mode|. */
static inline cachet_status tu_encrypt(const cachet_cms_encrypt_opts *opts, const uint8_t *msg,
                                       size_t len, feed_mode mode, cachet_membuf *out,
                                       cachet_error *err) {
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_cms_encrypt *enc = cachet_cms_encrypt_new(opts, &sink, err);
    uint32_t rng = 12345;
    cachet_status st = CACHET_OK;
    size_t off = 0;
    if (enc == NULL) {
        return err->status;
    }
    while (st == CACHET_OK && off < len) {
        size_t n = tu_next_chunk(mode, len - off, &rng);
        st = cachet_cms_encrypt_update(enc, msg + off, n, err);
        off += n;
    }
    if (st == CACHET_OK) {
        st = cachet_cms_encrypt_finish(enc, err);
    }
    cachet_cms_encrypt_free(enc);
    return st;
}

/* tu_decrypt_secrets runs cachet_cms_decrypt_new_secrets over |msg| fed as |mode|
 * (random chunks drawn from |seed|); |out| receives whatever the sink was given. */
static inline cachet_status tu_decrypt_secrets(const cachet_cms_secrets *s,
                                               const cachet_cms_policy *policy,
                                               const cachet_cms_limits *limits, const uint8_t *msg,
                                               size_t len, feed_mode mode, uint32_t seed,
                                               cachet_membuf *out, cachet_layer_report *report,
                                               cachet_error *err) {
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_cms_decrypt *dec = cachet_cms_decrypt_new_secrets(s, policy, limits, &sink, err);
    uint32_t rng = seed;
    cachet_status st = CACHET_OK;
    size_t off = 0;
    if (dec == NULL) {
        return err->status;
    }
    while (st == CACHET_OK && off < len) {
        size_t n = tu_next_chunk(mode, len - off, &rng);
        st = cachet_cms_decrypt_update(dec, msg + off, n, err);
        off += n;
    }
    if (st == CACHET_OK) {
        st = cachet_cms_decrypt_finish(dec, report, err);
    }
    cachet_cms_decrypt_free(dec);
    return st;
}

/* tu_decrypt runs our decryptor with |p|'s key; |out| receives whatever the sink was given. */
static inline cachet_status tu_decrypt(const test_party *p, const cachet_cms_policy *policy,
                                       const cachet_cms_limits *limits, const uint8_t *msg,
                                       size_t len, feed_mode mode, cachet_membuf *out,
                                       cachet_layer_report *report, cachet_error *err) {
    const cachet_pkey *k[1] = {p->key};
    const cachet_cert *c[1] = {p->cert};
    cachet_cms_secrets s = {.keys = k, .certs = c, .num_keys = 1};
    return tu_decrypt_secrets(&s, policy, limits, msg, len, mode, 777, out, report, err);
}

/* tu_ossl_decrypt: OpenSSL's CMS_decrypt on our output (BER accepted). Returns
 * the plaintext (malloc'd) or NULL. */
static inline uint8_t *tu_ossl_decrypt(const uint8_t *msg, size_t len, const test_party *p,
                                       size_t *out_len) {
    BIO *in = BIO_new_mem_buf(msg, (int)len), *out = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms = d2i_CMS_bio(in, NULL);
    uint8_t *res = NULL;
    if (cms != NULL && CMS_decrypt(cms, p->ossl_key, p->ossl_cert, NULL, out, 0) == 1) {
        char *data;
        long n = BIO_get_mem_data(out, &data);
        res = malloc((size_t)n + 1);
        memcpy(res, data, (size_t)n);
        *out_len = (size_t)n;
    }
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(out);
    return res;
}

/* tu_ossl_encrypt: OpenSSL's CMS_encrypt to |n| parties. |oaep| sets RSA-OAEP
 * (SHA-256) on RSA recipients; |flags| may add CMS_USE_KEYID, CMS_STREAM. */
static inline uint8_t *tu_ossl_encrypt(const test_party *const *parties, size_t n,
                                       const EVP_CIPHER *c, bool oaep, unsigned flags,
                                       const uint8_t *msg, size_t len, size_t *out_len) {
    BIO *in = BIO_new_mem_buf(msg, (int)len), *out = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms = CMS_encrypt(NULL, NULL, c, CMS_BINARY | CMS_PARTIAL | flags);
    uint8_t *res = NULL;
    bool ok = cms != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        CMS_RecipientInfo *ri =
            CMS_add1_recipient_cert(cms, parties[i]->ossl_cert, flags | (oaep ? CMS_KEY_PARAM : 0));
        ok = ri != NULL;
        if (ok && oaep && CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS) {
            EVP_PKEY_CTX *pctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
            ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
                 EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) > 0 &&
                 EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0;
        }
    }
    if (ok && (flags & CMS_STREAM)) {
        ok = i2d_CMS_bio_stream(out, cms, in, CMS_BINARY | flags) == 1;
    } else if (ok) {
        ok = CMS_final(cms, in, NULL, CMS_BINARY | flags) == 1 && i2d_CMS_bio(out, cms) == 1;
    }
    if (ok) {
        char *data;
        long m = BIO_get_mem_data(out, &data);
        res = malloc((size_t)m);
        memcpy(res, data, (size_t)m);
        *out_len = (size_t)m;
    }
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(out);
    return res;
}

#endif
