/* Helpers for the test_cms_kari_*.c tests: X25519/X448 certificates issued by a
 * test CA, and KeyAgreeRecipientInfos built independently of cachet with
 * OpenSSL's primitives (X25519/X448, X9.63 KDF, HKDF, AES key wrap) so that our
 * reader is checked against RFC 8418 rather than against our own writer. */
#ifndef CACHET_TEST_CMS_KARI_X_UTIL_H
#define CACHET_TEST_CMS_KARI_X_UTIL_H

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "cms/enveloped_internal.h"
#include "test_cms_enveloped_util.h"

/* kx_issue makes a key of |alg| ("X25519", "X448") and a certificate for it
 * issued by |ca_key| / |ca_cert|, with KeyUsage |ku| (NULL: none) and a SKI. */
static inline test_party kx_issue(EVP_PKEY *ca_key, X509 *ca_cert, const char *alg, const char *cn,
                                  long serial, const char *ku) {
    test_party p;
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    memset(&p, 0, sizeof(p));
    p.ossl_key = EVP_PKEY_Q_keygen(NULL, NULL, alg);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_set_version(x, 2);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, X509_get_subject_name(ca_cert));
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 30);
    X509_set_pubkey(x, p.ossl_key);
    X509V3_set_ctx(&v3, ca_cert, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_key_identifier, "hash");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    if (ku != NULL) {
        ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage, ku);
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    X509_sign(x, ca_key, EVP_sha256());
    X509_NAME_free(name);
    p.ossl_cert = x;
    p.key = tu_cachet_key(p.ossl_key);
    p.cert = tu_cachet_cert(x);
    return p;
}

/* What kx_hand_kari gets wrong on purpose. */
typedef enum kx_flaw {
    KX_OK = 0,
    KX_OTHER_ORIGINATOR, /* a valid originator key that is not the one used */
    KX_ZERO_ORIGINATOR,  /* u = 0: the shared secret is all zero (RFC 7748 §6) */
    KX_FLIPPED_KEY,      /* one bit of encryptedKey changed */
    KX_PARAMS_PRESENT,   /* id-X25519 with NULL parameters (RFC 8410: absent) */
    KX_SHORT_KEY,        /* the raw originator key one octet short */
    KX_WRONG_ALG,        /* id-X448 for an X25519 recipient and vice versa */
    KX_UNUSED_BITS,      /* BIT STRING with unused bits */
    KX_VERSION_2,        /* KeyAgreeRecipientInfo version 2 (RFC 5652 §6.2.2: always 3) */
} kx_flaw;

typedef struct kx_spec {
    bool hkdf;          /* HKDF (RFC 8418 §2.2) instead of X9.63 (§2.1) */
    const char *md;     /* "SHA256", "SHA384", "SHA512" */
    size_t kek_len;     /* 16/24/32: id-aes{128,192,256}-wrap */
    const uint8_t *ukm; /* NULL: absent */
    size_t ukm_len;
    kx_flaw flaw;
} kx_spec;

static inline cachet_oid kx_kea(const kx_spec *s) {
    bool s256 = strcmp(s->md, "SHA256") == 0, s384 = strcmp(s->md, "SHA384") == 0;
    if (s->hkdf) {
        return s256   ? CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA256
               : s384 ? CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA384
                      : CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA512;
    }
    return s256   ? CACHET_OID_DH_SINGLE_PASS_STDDH_SHA256KDF
           : s384 ? CACHET_OID_DH_SINGLE_PASS_STDDH_SHA384KDF
                  : CACHET_OID_DH_SINGLE_PASS_STDDH_SHA512KDF;
}

static inline cachet_oid kx_wrap(size_t kek_len) {
    return kek_len == 16   ? CACHET_OID_AES128_WRAP
           : kek_len == 24 ? CACHET_OID_AES192_WRAP
                           : CACHET_OID_AES256_WRAP;
}

/* kx_kdf: OpenSSL's X963KDF or HKDF over |z| with the SharedInfo |info|. */
static inline bool kx_kdf(const kx_spec *s, const uint8_t *z, size_t z_len, const uint8_t *info,
                          size_t info_len, uint8_t *kek) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, s->hkdf ? "HKDF" : "X963KDF", NULL);
    EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[5], *p = params;
    bool ok;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)s->md, 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)z, z_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    if (s->hkdf && s->ukm != NULL) {
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)s->ukm, s->ukm_len);
    }
    *p = OSSL_PARAM_construct_end();
    ok = ctx != NULL && EVP_KDF_derive(ctx, kek, s->kek_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

/* kx_aes_wrap: RFC 3394 with OpenSSL's id-aes*-wrap cipher. */
static inline bool kx_aes_wrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                               uint8_t *out) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    const EVP_CIPHER *c = kek_len == 16   ? EVP_aes_128_wrap()
                          : kek_len == 24 ? EVP_aes_192_wrap()
                                          : EVP_aes_256_wrap();
    int n = 0, m = 0;
    bool ok;
    EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    ok = EVP_EncryptInit_ex(ctx, c, NULL, kek, NULL) == 1 &&
         EVP_EncryptUpdate(ctx, out, &n, in, (int)in_len) == 1 &&
         EVP_EncryptFinal_ex(ctx, out + n, &m) == 1 && (size_t)(n + m) == in_len + 8;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* kx_hand_kari appends to the open SET |ris| a KeyAgreeRecipientInfo for
 * |to| carrying |cek|, made with OpenSSL only (the DER is assembled with
 * cachet_cbb, which has its own tests). */
static inline bool kx_hand_kari(cachet_cbb *ris, const test_party *to, const kx_spec *s,
                                const uint8_t *cek, size_t cek_len) {
    char alg[16];
    bool x25519, ok;
    EVP_PKEY *eph, *other;
    EVP_PKEY_CTX *dctx;
    uint8_t z[64], pub[64], kek[32], wrapped[48];
    size_t z_len = sizeof(z), pub_len = sizeof(pub), wrap_oid_len;
    uint8_t *info = NULL;
    size_t info_len = 0;
    cachet_cbb si, seq, alg_seq, t, kari, orig, okey, a, bits, u, kea, reks, rek;
    uint32_t nbits = (uint32_t)s->kek_len * 8;
    uint8_t bits_be[4] = {(uint8_t)(nbits >> 24), (uint8_t)(nbits >> 16), (uint8_t)(nbits >> 8),
                          (uint8_t)nbits};
    const uint8_t *wrap_oid = cachet_oid_der(kx_wrap(s->kek_len), &wrap_oid_len);

    snprintf(alg, sizeof(alg), "%s", EVP_PKEY_get0_type_name(to->ossl_key));
    x25519 = strcmp(alg, "X25519") == 0;
    eph = EVP_PKEY_Q_keygen(NULL, NULL, alg);
    dctx = EVP_PKEY_CTX_new(eph, NULL);
    ok = dctx != NULL && EVP_PKEY_derive_init(dctx) == 1 &&
         EVP_PKEY_derive_set_peer(dctx, to->ossl_key) == 1 &&
         EVP_PKEY_derive(dctx, z, &z_len) == 1 &&
         EVP_PKEY_get_raw_public_key(eph, pub, &pub_len) == 1;
    EVP_PKEY_CTX_free(dctx);
    EVP_PKEY_free(eph);
    /* ECC-CMS-SharedInfo (RFC 5753 §7.2): keyInfo = the KeyWrapAlgorithm with
     * absent parameters, entityUInfo = ukm, suppPubInfo = KEK bits. */
    ok = ok && cachet_cbb_init(&si, 64, 0) &&
         cachet_cbb_add_asn1(&si, &seq, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_asn1(&seq, &alg_seq, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_asn1_oid(&alg_seq, wrap_oid, wrap_oid_len) && cachet_cbb_flush(&seq);
    if (ok && s->ukm != NULL) {
        ok = cachet_cbb_add_asn1(&seq, &t, CACHET_ASN1_CONTEXT_CONS(0)) &&
             cachet_cbb_add_asn1_octet_string(&t, s->ukm, s->ukm_len) && cachet_cbb_flush(&seq);
    }
    ok = ok && cachet_cbb_add_asn1(&seq, &t, CACHET_ASN1_CONTEXT_CONS(2)) &&
         cachet_cbb_add_asn1_octet_string(&t, bits_be, 4) &&
         cachet_cbb_finish(&si, &info, &info_len);
    ok = ok && kx_kdf(s, z, z_len, info, info_len, kek) &&
         kx_aes_wrap(kek, s->kek_len, cek, cek_len, wrapped);
    cachet_free(info);
    if (!ok) {
        return false;
    }
    switch (s->flaw) {
        case KX_OTHER_ORIGINATOR:
            other = EVP_PKEY_Q_keygen(NULL, NULL, alg);
            ok = EVP_PKEY_get_raw_public_key(other, pub, &pub_len) == 1;
            EVP_PKEY_free(other);
            break;
        case KX_ZERO_ORIGINATOR:
            memset(pub, 0, pub_len);
            break;
        case KX_FLIPPED_KEY:
            wrapped[5] ^= 0x10;
            break;
        case KX_SHORT_KEY:
            pub_len--;
            break;
        default:
            break;
    }
    /* KeyAgreeRecipientInfo (RFC 8418 §3.2). */
    ok = ok && cachet_cbb_add_asn1(ris, &kari, CACHET_ASN1_CONTEXT_CONS(1)) &&
         cachet_cbb_add_asn1_uint64(&kari, s->flaw == KX_VERSION_2 ? 2 : 3) &&
         cachet_cbb_add_asn1(&kari, &orig, CACHET_ASN1_CONTEXT_CONS(0)) &&
         cachet_cbb_add_asn1(&orig, &okey, CACHET_ASN1_CONTEXT_CONS(1)) &&
         cachet_cbb_add_asn1(&okey, &a, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_oid(&a, (x25519 != (s->flaw == KX_WRONG_ALG)) ? CACHET_OID_X25519
                                                                      : CACHET_OID_X448);
    if (ok && s->flaw == KX_PARAMS_PRESENT) {
        ok = cachet_cbb_add_asn1_null(&a);
    }
    ok = ok && cachet_cbb_flush(&okey) &&
         cachet_cbb_add_asn1(&okey, &bits, CACHET_ASN1_BITSTRING) &&
         cachet_cbb_add_u8(&bits, s->flaw == KX_UNUSED_BITS ? 1 : 0) &&
         cachet_cbb_add_bytes(&bits, pub, pub_len) && cachet_cbb_flush(&kari);
    if (ok && s->ukm != NULL) {
        ok = cachet_cbb_add_asn1(&kari, &u, CACHET_ASN1_CONTEXT_CONS(1)) &&
             cachet_cbb_add_asn1_octet_string(&u, s->ukm, s->ukm_len) && cachet_cbb_flush(&kari);
    }
    return ok && cachet_cbb_add_asn1(&kari, &kea, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_oid(&kea, kx_kea(s)) &&
           cachet_cbb_add_asn1(&kea, &alg_seq, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1_oid(&alg_seq, wrap_oid, wrap_oid_len) && cachet_cbb_flush(&kari) &&
           cachet_cbb_add_asn1(&kari, &reks, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1(&reks, &rek, CACHET_ASN1_SEQUENCE) &&
           cachet_cms_add_sid(&rek, to->cert, false) &&
           cachet_cbb_add_asn1_octet_string(&rek, wrapped, cek_len + 8) && cachet_cbb_flush(ris);
}

/* kx_find_kari digs recipientInfos[|index|] (a kari: its contents) and that
 * kari's originatorKey contents out of an EnvelopedData ContentInfo (DER). */
static inline bool kx_find_kari(const uint8_t *der, size_t len, size_t index, cachet_cbs *kari,
                                cachet_cbs *okey) {
    cachet_cbs in, ci, content, ed, ris, k, orig, skip;
    cachet_asn1_tag tag = 0;
    uint64_t version;
    bool present;
    cachet_cbs_init(&in, der, len);
    if (!cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) ||
        !cachet_cbs_get_asn1(&ci, &content, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&content, &ed, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1_uint64(&ed, &version) ||
        !cachet_cbs_get_optional_asn1(&ed, &skip, &present, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&ed, &ris, CACHET_ASN1_SET)) {
        return false;
    }
    for (size_t i = 0; i <= index; i++) {
        if (!cachet_cbs_get_any_asn1(&ris, kari, &tag)) {
            return false;
        }
    }
    k = *kari;
    return tag == CACHET_ASN1_CONTEXT_CONS(1) && cachet_cbs_get_asn1_uint64(&k, &version) &&
           version == 3 && cachet_cbs_get_asn1(&k, &orig, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cbs_get_asn1(&orig, okey, CACHET_ASN1_CONTEXT_CONS(1));
}

/* How the RecipientInfo of a kx_envelop message is made. */
typedef struct kx_ri {
    const kx_spec *hand;              /* OpenSSL-made (kx_hand_kari), or */
    const cachet_env_kari_opts *ours; /* cachet_env_add_kari_ex with these options */
    bool use_ski;
} kx_ri;

/* kx_envelop builds EnvelopedData v2 { one kari for |to|, AES-128-CBC content
 * encrypted with OpenSSL }. Returns a malloc'd DER message or NULL. */
static inline uint8_t *kx_envelop(const test_party *to, const kx_ri *ri, const uint8_t *msg,
                                  size_t len, size_t *out_len) {
    uint8_t cek[16], iv[16], *ct = malloc(len + 16), *der = NULL, *res = NULL;
    int n = 0, m = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    cachet_cbb top, ci, content, ed, ris, eci, alg;
    cachet_pkey *pub = cachet_cert_pkey(to->cert);
    cachet_error err;
    bool ok = RAND_bytes(cek, 16) == 1 && RAND_bytes(iv, 16) == 1 &&
              EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, cek, iv) == 1 &&
              EVP_EncryptUpdate(c, ct, &n, msg, (int)len) == 1 &&
              EVP_EncryptFinal_ex(c, ct + n, &m) == 1;
    cachet_err_clear(&err);
    EVP_CIPHER_CTX_free(c);
    ok = ok && cachet_cbb_init(&top, 256, 0) &&
         cachet_cbb_add_asn1(&top, &ci, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_oid(&ci, CACHET_OID_ENVELOPED_DATA) &&
         cachet_cbb_add_asn1(&ci, &content, CACHET_ASN1_CONTEXT_CONS(0)) &&
         cachet_cbb_add_asn1(&content, &ed, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_asn1_uint64(&ed, 2) && cachet_cbb_add_asn1(&ed, &ris, CACHET_ASN1_SET);
    if (ok && ri->hand != NULL) {
        ok = kx_hand_kari(&ris, to, ri->hand, cek, 16);
    } else if (ok) {
        ok = cachet_env_add_kari_ex(&ris, to->cert, pub, ri->use_ski, ri->ours, cek, 16, &err) ==
             CACHET_OK;
        if (!ok) {
            fprintf(stderr, "  add_kari_ex: %s: %s\n", err.where, err.message);
        }
    }
    ok = ok && cachet_cbb_flush(&ed) && cachet_cbb_add_asn1(&ed, &eci, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_oid(&eci, CACHET_OID_DATA) &&
         cachet_cbb_add_asn1(&eci, &alg, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_oid(&alg, CACHET_OID_AES128_CBC) &&
         cachet_cbb_add_asn1_octet_string(&alg, iv, 16) && cachet_cbb_flush(&eci) &&
         cachet_cbb_add_asn1_element(&eci, CACHET_ASN1_CONTEXT(0), ct, (size_t)(n + m)) &&
         cachet_cbb_finish(&top, &der, out_len);
    if (ok) {
        res = malloc(*out_len);
        memcpy(res, der, *out_len);
    } else {
        cachet_cbb_cleanup(&top);
    }
    cachet_free(der);
    cachet_pkey_free(pub);
    free(ct);
    return res;
}

#endif
