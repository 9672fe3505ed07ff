/* Helpers for the test_cms_content_*.c tests: a decrypt driver over
 * cachet_cms_decrypt_new_secrets, and hand-made (Auth)EnvelopedData and
 * EncryptedData whose content is encrypted with OpenSSL's EVP (the independent
 * oracle: our reader must open what another implementation of the same RFC
 * text produces, with any parameters we choose). */
#ifndef CACHET_TEST_CMS_CONTENT_UTIL_H
#define CACHET_TEST_CMS_CONTENT_UTIL_H

#include <openssl/core_names.h>
#include <openssl/provider.h>

#include "cms/enveloped_internal.h"
#include "test_cms_enveloped_util.h"

typedef struct cd_blob {
    uint8_t *data;
    size_t len;
} cd_blob;

static inline void cd_blob_free(cd_blob *b) {
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

/* cd_find: the first occurrence of |needle| in |hay|, or NULL. */
static inline uint8_t *cd_find(uint8_t *hay, size_t len, const uint8_t *needle, size_t n) {
    for (size_t i = 0; n <= len && i <= len - n; i++) {
        if (memcmp(hay + i, needle, n) == 0) {
            return hay + i;
        }
    }
    return NULL;
}

/* cd_legacy_providers loads OpenSSL's legacy and default providers into the
 * test process (cachet itself uses its own library context); unloaded at exit. */
static OSSL_PROVIDER *cd_providers[2];

static inline void cd_unload_providers(void) {
    for (size_t i = 0; i < 2; i++) {
        OSSL_PROVIDER_unload(cd_providers[i]);
        cd_providers[i] = NULL;
    }
}

static inline void cd_legacy_providers(void) {
    if (cd_providers[0] == NULL && cd_providers[1] == NULL) {
        cd_providers[0] = OSSL_PROVIDER_load(NULL, "legacy");
        cd_providers[1] = OSSL_PROVIDER_load(NULL, "default");
        atexit(cd_unload_providers);
    }
}

/* cd_secrets_for: the secrets of one party (|k| and |c| hold the pointers). */
static inline cachet_cms_secrets cd_secrets_for(const test_party *p, const cachet_pkey **k,
                                                const cachet_cert **c) {
    cachet_cms_secrets s;
    memset(&s, 0, sizeof(s));
    *k = p->key;
    *c = p->cert;
    s.keys = k;
    s.certs = c;
    s.num_keys = 1;
    return s;
}

/* cd_decrypt runs cachet_cms_decrypt_new_secrets over |msg| fed as |mode|;
 * |out| gets whatever the sink was given. */
static inline cachet_status cd_decrypt(const cachet_cms_secrets *s, const cachet_cms_policy *policy,
                                       const cachet_cms_limits *limits, const uint8_t *msg,
                                       size_t len, feed_mode mode, cachet_membuf *out,
                                       cachet_layer_report *report, cachet_error *err) {
    cachet_err_clear(err);
    return tu_decrypt_secrets(s, policy, limits, msg, len, mode, 4242, out, report, err);
}

/* cd_is_uniform: the one CACHET_ERR_DECRYPT detail, nothing added. */
static inline bool cd_is_uniform(cachet_status st, const cachet_error *err) {
    return st == CACHET_ERR_DECRYPT && err->status == CACHET_ERR_DECRYPT &&
           strcmp(err->message, CACHET_ENV_DECRYPT_MSG) == 0 && err->where[0] == '\0';
}

static inline cd_blob cd_cbb_take(cachet_cbb *cbb) {
    cd_blob b = {NULL, 0};
    uint8_t *d = NULL;
    size_t n = 0;
    if (cachet_cbb_finish(cbb, &d, &n)) {
        b.data = malloc(n > 0 ? n : 1);
        memcpy(b.data, d, n);
        b.len = n;
        cachet_free(d);
    } else {
        cachet_cbb_cleanup(cbb);
    }
    return b;
}

/* cd_alg: AlgorithmIdentifier { |oid|, |params| (raw DER, may be empty) }. */
static inline cd_blob cd_alg(cachet_oid oid, const uint8_t *params, size_t params_len) {
    cachet_cbb cbb, seq;
    cachet_cbb_init(&cbb, 64, 0);
    cachet_cbb_add_asn1(&cbb, &seq, CACHET_ASN1_SEQUENCE);
    cachet_cbb_add_oid(&seq, oid);
    cachet_cbb_add_bytes(&seq, params, params_len);
    return cd_cbb_take(&cbb);
}

/* cd_octets writes an OCTET STRING element into |out| (room for len + 2). */
static inline size_t cd_octets(uint8_t *out, const uint8_t *data, size_t len) {
    out[0] = 0x04;
    out[1] = (uint8_t)len;
    memcpy(out + 2, data, len);
    return len + 2;
}

/* The one authAttrs element the tests use: [1] IMPLICIT SET OF { contentType
 * id-data }. Its AAD (RFC 5083 §2.2) is the same bytes with 0x31 first. */
static const uint8_t cd_auth_attrs[] = {0xa1, 0x1a, 0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                        0xf7, 0x0d, 0x01, 0x09, 0x03, 0x31, 0x0b, 0x06, 0x09, 0x2a,
                                        0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};

typedef struct cd_msg {
    cachet_oid outer;     /* ENVELOPED_DATA, AUTH_ENVELOPED_DATA, ENCRYPTED_DATA */
    unsigned version;     /* the version field written */
    const test_party *to; /* ktri (PKCS#1 v1.5) recipient; NULL for EncryptedData */
    const uint8_t *cek;   /* encrypted to |to| */
    size_t cek_len;
    cd_blob alg;       /* contentEncryptionAlgorithm */
    const uint8_t *ct; /* encryptedContent */
    size_t ct_len;
    const uint8_t *attrs; /* [1] authAttrs / unprotectedAttrs element, or NULL */
    size_t attrs_len;
    const uint8_t *mac; /* AuthEnvelopedData */
    size_t mac_len;
} cd_msg;

/* cd_build writes the DER ContentInfo that |m| describes. */
static inline cd_blob cd_build(const cd_msg *m) {
    cachet_cbb cbb, ci, ex, ed, ris, ktri, ias, alg, eci, ec;
    uint8_t ek[1024];
    size_t ek_len = sizeof(ek), issuer_len = 0, serial_len = 0;
    cachet_cbb_init(&cbb, 4096, 0);
    cachet_cbb_add_asn1(&cbb, &ci, CACHET_ASN1_SEQUENCE);
    cachet_cbb_add_oid(&ci, m->outer);
    cachet_cbb_add_asn1(&ci, &ex, CACHET_ASN1_CONTEXT_CONS(0));
    cachet_cbb_add_asn1(&ex, &ed, CACHET_ASN1_SEQUENCE);
    cachet_cbb_add_asn1_uint64(&ed, m->version);
    if (m->to != NULL) {
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(m->to->ossl_key, NULL);
        const uint8_t *issuer = cachet_cert_issuer_der(m->to->cert, &issuer_len);
        const uint8_t *serial = cachet_cert_serial_der(m->to->cert, &serial_len);
        if (EVP_PKEY_encrypt_init(pctx) != 1 ||
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
            EVP_PKEY_encrypt(pctx, ek, &ek_len, m->cek, m->cek_len) != 1) {
            fprintf(stderr, "cd_build: RSA encryption failed\n");
            ek_len = 0;
        }
        EVP_PKEY_CTX_free(pctx);
        cachet_cbb_add_asn1(&ed, &ris, CACHET_ASN1_SET);
        cachet_cbb_add_asn1(&ris, &ktri, CACHET_ASN1_SEQUENCE);
        cachet_cbb_add_asn1_uint64(&ktri, 0);
        cachet_cbb_add_asn1(&ktri, &ias, CACHET_ASN1_SEQUENCE);
        cachet_cbb_add_bytes(&ias, issuer, issuer_len);
        cachet_cbb_add_asn1_element(&ias, CACHET_ASN1_INTEGER, serial, serial_len);
        cachet_cbb_add_asn1(&ktri, &alg, CACHET_ASN1_SEQUENCE);
        cachet_cbb_add_oid(&alg, CACHET_OID_RSA_ENCRYPTION);
        cachet_cbb_add_asn1_null(&alg);
        cachet_cbb_add_asn1_octet_string(&ktri, ek, ek_len);
    }
    cachet_cbb_add_asn1(&ed, &eci, CACHET_ASN1_SEQUENCE);
    cachet_cbb_add_oid(&eci, CACHET_OID_DATA);
    cachet_cbb_add_bytes(&eci, m->alg.data, m->alg.len);
    cachet_cbb_add_asn1(&eci, &ec, CACHET_ASN1_CONTEXT(0));
    cachet_cbb_add_bytes(&ec, m->ct, m->ct_len);
    if (m->attrs != NULL) {
        cachet_cbb_add_bytes(&ed, m->attrs, m->attrs_len);
    }
    if (m->outer == CACHET_OID_AUTH_ENVELOPED_DATA) {
        cachet_cbb_add_asn1_octet_string(&ed, m->mac, m->mac_len);
    }
    return cd_cbb_take(&cbb);
}

/* cd_evp runs OpenSSL's |name| cipher (CBC with PKCS#7 padding, or an AEAD
 * encrypting with |aad| and writing |tag|) over |in|; |out| needs len + 16.
 * Returns the output length, or 0 when OpenSSL failed. */
static inline size_t cd_evp(const char *name, const uint8_t *key, size_t key_len, const uint8_t *iv,
                            size_t iv_len, unsigned rc2_bits, const uint8_t *aad, size_t aad_len,
                            const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag,
                            size_t tag_len) {
    EVP_CIPHER *c;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    bool ccm = strstr(name, "CCM") != NULL, aead = tag != NULL, ok;
    cd_legacy_providers();
    c = EVP_CIPHER_fetch(NULL, name, NULL);
    ok = c != NULL && EVP_EncryptInit_ex2(ctx, c, NULL, NULL, NULL) == 1;
    if (ok && aead) {
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)iv_len, NULL) == 1 &&
             (!ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, NULL) == 1);
    } else if (ok) {
        ok = EVP_CIPHER_CTX_set_key_length(ctx, (int)key_len) == 1;
        if (ok && rc2_bits != 0) {
            ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_SET_RC2_KEY_BITS, (int)rc2_bits, NULL) == 1;
        }
    }
    ok = ok && EVP_EncryptInit_ex2(ctx, NULL, key, iv, NULL) == 1;
    if (ok && ccm) {
        ok = EVP_EncryptUpdate(ctx, NULL, &n, NULL, (int)len) == 1;
    }
    if (ok && aad_len > 0) {
        ok = EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1;
    }
    ok = ok && EVP_EncryptUpdate(ctx, out, &n, in, (int)len) == 1 &&
         EVP_EncryptFinal_ex(ctx, out + n, &fin) == 1;
    if (ok && aead) {
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)tag_len, tag) == 1;
    }
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    if (!ok) {
        fprintf(stderr, "cd_evp: %s failed\n", name);
        return 0;
    }
    return (size_t)(n + fin);
}

#endif
