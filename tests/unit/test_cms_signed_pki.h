/* Test fixture for the SignedData tests: a small PKI made with OpenSSL (CA, leaf
 * certificates with SKI, S/MIME EKU and an email SAN), handed to cachet as DER/PEM,
 * plus helpers to drive cachet's streaming sign/verify in chunking modes. Tests
 * may use OpenSSL directly; the library may not. */
#ifndef CACHET_TEST_CMS_SIGNED_PKI_H
#define CACHET_TEST_CMS_SIGNED_PKI_H

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "cms/signed.h"
#include "testlib.h"

typedef enum tpki_alg { TPKI_RSA, TPKI_RSA1024, TPKI_P256, TPKI_P384, TPKI_ED25519 } tpki_alg;

/* One party: OpenSSL objects and the cachet equivalents. */
typedef struct tpki_party {
    EVP_PKEY *ossl_key;
    X509 *ossl_cert;
    cachet_pkey *key;
    cachet_cert *cert;
} tpki_party;

static inline EVP_PKEY *tpki_keygen(tpki_alg alg) {
    switch (alg) {
        case TPKI_RSA:
            return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
        case TPKI_RSA1024:
            return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
        case TPKI_P256:
            return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        case TPKI_P384:
            return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
        case TPKI_ED25519:
            return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    }
    return NULL;
}

static inline void tpki_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL) {
        fprintf(stderr, "extension %d failed\n", nid);
        abort();
    }
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

/* tpki_make issues a certificate for a new key of |alg|; |ca| NULL = self-signed CA. */
static inline tpki_party tpki_make(tpki_alg alg, const char *cn, const tpki_party *ca,
                                   long serial) {
    tpki_party p = {0};
    p.ossl_key = tpki_keygen(alg);
    X509 *c = X509_new();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
    X509_gmtime_adj(X509_getm_notBefore(c), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c), 3600L * 24 * 365);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(c, name);
    X509_set_issuer_name(c, ca != NULL ? X509_get_subject_name(ca->ossl_cert) : name);
    X509_NAME_free(name);
    X509_set_pubkey(c, p.ossl_key);
    X509 *issuer = ca != NULL ? ca->ossl_cert : c;
    tpki_ext(c, issuer, NID_subject_key_identifier, "hash");
    if (ca == NULL) {
        tpki_ext(c, issuer, NID_basic_constraints, "critical,CA:TRUE");
        tpki_ext(c, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        char email[128];
        snprintf(email, sizeof(email), "email:%s@example.com", cn);
        tpki_ext(c, issuer, NID_authority_key_identifier, "keyid");
        tpki_ext(c, issuer, NID_basic_constraints, "CA:FALSE");
        tpki_ext(c, issuer, NID_key_usage, "critical,digitalSignature,nonRepudiation");
        tpki_ext(c, issuer, NID_ext_key_usage, "emailProtection");
        tpki_ext(c, issuer, NID_subject_alt_name, email);
    }
    EVP_PKEY *signer = ca != NULL ? ca->ossl_key : p.ossl_key;
    const EVP_MD *md = EVP_PKEY_get_id(signer) == EVP_PKEY_ED25519 ? NULL : EVP_sha256();
    if (X509_sign(c, signer, md) <= 0) {
        fprintf(stderr, "X509_sign failed\n");
        abort();
    }
    p.ossl_cert = c;
    unsigned char *der = NULL;
    int len = i2d_X509(c, &der);
    if (cachet_cert_parse(der, (size_t)len, &p.cert, NULL) != CACHET_OK) {
        fprintf(stderr, "cachet_cert_parse failed\n");
        abort();
    }
    OPENSSL_free(der);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, p.ossl_key, NULL, NULL, 0, NULL, NULL);
    char *pem = NULL;
    long pem_len = BIO_get_mem_data(b, &pem);
    if (cachet_pkey_load_private((const uint8_t *)pem, (size_t)pem_len, NULL, &p.key, NULL) !=
        CACHET_OK) {
        fprintf(stderr, "cachet_pkey_load_private failed\n");
        abort();
    }
    BIO_free(b);
    return p;
}

static inline void tpki_free(tpki_party *p) {
    EVP_PKEY_free(p->ossl_key);
    X509_free(p->ossl_cert);
    cachet_pkey_free(p->key);
    cachet_cert_free(p->cert);
    memset(p, 0, sizeof(*p));
}

/* Chunking modes for streaming APIs. */
typedef enum tfeed { TFEED_WHOLE, TFEED_BYTES, TFEED_RANDOM } tfeed;
static const char *const tfeed_names[] = {"whole", "bytes", "random"};

/* tfeed_next: the next chunk length for |mode| with |left| bytes remaining. */
static inline size_t tfeed_next(tfeed mode, size_t left, uint32_t *rng) {
    if (mode == TFEED_WHOLE || left == 0) {
        return left;
    }
    if (mode == TFEED_BYTES) {
        return 1;
    }
    size_t n = 1 + cachet_test_rand(rng) % 700;
    return n < left ? n : left;
}

/* tpki_sign runs cachet's streaming signer over |content| fed in |mode|. */
static inline cachet_status tpki_sign(const cachet_cms_sign_opts *opts, const uint8_t *content,
                                      size_t len, tfeed mode, cachet_membuf *out,
                                      cachet_error *err) {
    cachet_sink sink = cachet_sink_membuf(out);
    uint32_t rng = 0x1234567u + (uint32_t)len;
    cachet_cms_sign *s = cachet_cms_sign_new(opts, &sink, err);
    if (s == NULL) {
        return err->status;
    }
    cachet_status st = CACHET_OK;
    for (size_t off = 0; off < len && st == CACHET_OK;) {
        size_t n = tfeed_next(mode, len - off, &rng);
        st = cachet_cms_sign_update(s, content + off, n, err);
        off += n;
    }
    if (st == CACHET_OK) {
        st = cachet_cms_sign_finish(s, err);
    }
    cachet_cms_sign_free(s);
    return st;
}

/* tpki_verify runs cachet's streaming verifier; |detached| non-NULL selects
 * detached mode (with |mds| / |num_mds|). The eContent goes to |content|. */
static inline cachet_status tpki_verify(const cachet_cms_policy *policy, const uint8_t *cms,
                                        size_t cms_len, const uint8_t *detached,
                                        size_t detached_len, const cachet_md *mds, size_t num_mds,
                                        tfeed mode, cachet_membuf *content,
                                        cachet_layer_report *layer, cachet_error *err) {
    cachet_sink sink = cachet_sink_membuf(content);
    uint32_t rng = 0x9876543u + (uint32_t)cms_len;
    cachet_cms_verify *v = cachet_cms_verify_new(policy, NULL, &sink, err);
    memset(layer, 0, sizeof(*layer));
    if (v == NULL) {
        return err->status;
    }
    cachet_status st = CACHET_OK;
    if (detached != NULL) {
        st = cachet_cms_verify_detached(v, mds, num_mds, err);
        for (size_t off = 0; off < detached_len && st == CACHET_OK;) {
            size_t n = tfeed_next(mode, detached_len - off, &rng);
            st = cachet_cms_verify_content(v, detached + off, n, err);
            off += n;
        }
    }
    for (size_t off = 0; off < cms_len && st == CACHET_OK;) {
        size_t n = tfeed_next(mode, cms_len - off, &rng);
        st = cachet_cms_verify_update(v, cms + off, n, err);
        off += n;
    }
    st = cachet_cms_verify_finish(v, layer, err);
    cachet_cms_verify_free(v);
    return st;
}

/* tpki_store: an OpenSSL store trusting |ca|. */
/* tpki_first_signer finds, in a DER ContentInfo{SignedData} with one signer and
 * signed attributes, the [0] signedAttrs element and the signature value. */
static inline bool tpki_first_signer(const uint8_t *der, size_t len, cachet_cbs *attrs,
                                     cachet_cbs *sig) {
    cachet_cbs in, ci, wrap, sd, skip, sis, si;
    cachet_cbs_init(&in, der, len);
    return cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) &&
           cachet_cbs_get_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cbs_get_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_INTEGER) &&
           cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SET) &&
           cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cbs_get_asn1(&sd, &sis, CACHET_ASN1_SET) &&
           cachet_cbs_get_asn1(&sis, &si, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&si, &skip, CACHET_ASN1_INTEGER) &&
           cachet_cbs_get_asn1(&si, &skip, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&si, &skip, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1_element(&si, attrs, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cbs_get_asn1(&si, &skip, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&si, sig, CACHET_ASN1_OCTETSTRING);
}

static inline X509_STORE *tpki_store(const tpki_party *ca) {
    X509_STORE *st = X509_STORE_new();
    X509_STORE_add_cert(st, ca->ossl_cert);
    return st;
}

/* tpki_trust: a cachet trust store with |ca| as anchor. */
static inline cachet_trust *tpki_trust(const tpki_party *ca) {
    cachet_trust *t = cachet_trust_new(NULL);
    if (t == NULL || cachet_trust_add_cert(t, ca->cert, NULL) != CACHET_OK) {
        fprintf(stderr, "trust setup failed\n");
        abort();
    }
    return t;
}

#endif
