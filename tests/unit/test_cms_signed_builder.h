/* SignedData attack-test helpers: a shared fixture (CA, signer alice), a tiny
 * SignedData builder that signs whatever attributes it is given with the
 * fixture key, and attribute encoders. Used by test_cms_signed_attacks.c and
 * test_cms_signed_robust.c. */
#ifndef CACHET_TEST_CMS_SIGNED_BUILDER_H
#define CACHET_TEST_CMS_SIGNED_BUILDER_H

#include "test_cms_signed_pki.h"

static tpki_party ca, alice;
static cachet_trust *trust;
static const uint8_t msg[] = "Pay Bob 10 EUR.\r\n";
#define MSG_LEN (sizeof(msg) - 1)

static inline void setup(void) {
    if (trust == NULL) {
        ca = tpki_make(TPKI_RSA, "Attack CA", NULL, 100);
        alice = tpki_make(TPKI_RSA, "alice", &ca, 101);
        trust = tpki_trust(&ca);
    }
}

/* ---- a SignedData builder ---- */

typedef struct bytes {
    const uint8_t *p;
    size_t n;
} bytes;
#define B(x) ((bytes){(const uint8_t *)(x), sizeof(x)})

typedef struct sdb {
    bytes content;
    bool detached;
    cachet_oid econtent_type; /* 0 = id-data */
    bytes attrs;              /* whole SET element signed and sent as [0]; {0} = none */
    bytes unsigned_attrs;     /* whole SET element; {0} = none */
    bytes sig;                /* precomputed signature; {0} = sign now */
    bytes digest_algs;        /* SET contents; {0} = sha256 */
    bytes sig_alg;            /* AlgorithmIdentifier element; {0} = rsaEncryption */
    bytes digest_alg;         /* signer's digestAlgorithm element; {0} = sha256 */
    unsigned version;         /* SignerInfo version; 0 = 1 */
    bool ski;
    bool no_signer;
    tpki_party *signer;
    cachet_cert *certs[3];
} sdb;

static inline bool add_raw(cachet_cbb *c, bytes b) {
    return cachet_cbb_add_bytes(c, b.p, b.n);
}

/* build_sd returns DER (cachet_free) or NULL. */
static inline uint8_t *build_sd(const sdb *s, size_t *out_len) {
    tpki_party *who = s->signer != NULL ? s->signer : &alice;
    cachet_cbb cbb, ci, w, sd, set, eci, ec, certs, sis, si;
    cachet_membuf sig = {0};
    bytes signature = s->sig;
    if (signature.p == NULL && !s->no_signer) {
        bytes tbs = s->attrs.p != NULL ? s->attrs : s->content;
        CHECK_EQ_INT(cachet_sign(who->key, CACHET_SIG_RSA_PKCS1, CACHET_MD_SHA256, NULL, tbs.p,
                                 tbs.n, &sig, NULL),
                     CACHET_OK);
        signature = (bytes){sig.data, sig.len};
    }
    bool ok = cachet_cbb_init(&cbb, 4096, 0) &&
              cachet_cbb_add_asn1(&cbb, &ci, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&ci, CACHET_OID_SIGNED_DATA) &&
              cachet_cbb_add_asn1(&ci, &w, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbb_add_asn1(&w, &sd, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_asn1_uint64(&sd, s->ski ? 3 : 1) &&
              cachet_cbb_add_asn1(&sd, &set, CACHET_ASN1_SET);
    if (s->digest_algs.p != NULL) {
        ok = ok && add_raw(&set, s->digest_algs);
    } else {
        ok = ok && cachet_cms_add_digest_alg(&set, CACHET_MD_SHA256);
    }
    ok = ok && cachet_cbb_add_asn1(&sd, &eci, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_oid(&eci, s->econtent_type ? s->econtent_type : CACHET_OID_DATA);
    if (!s->detached) {
        ok = ok && cachet_cbb_add_asn1(&eci, &ec, CACHET_ASN1_CONTEXT_CONS(0)) &&
             cachet_cbb_add_asn1_octet_string(&ec, s->content.p, s->content.n);
    }
    ok = ok && cachet_cbb_flush(&sd) &&
         cachet_cbb_add_asn1(&sd, &certs, CACHET_ASN1_CONTEXT_CONS(0));
    cachet_cert *const defaults[3] = {who->cert, NULL, NULL};
    cachet_cert *const *list = s->certs[0] != NULL ? s->certs : defaults;
    for (size_t i = 0; i < 3 && list[i] != NULL; i++) {
        size_t n = 0;
        const uint8_t *d = cachet_cert_der(list[i], &n);
        ok = ok && cachet_cbb_add_bytes(&certs, d, n);
    }
    ok = ok && cachet_cbb_flush(&sd) && cachet_cbb_add_asn1(&sd, &sis, CACHET_ASN1_SET);
    if (!s->no_signer) {
        ok = ok && cachet_cbb_add_asn1(&sis, &si, CACHET_ASN1_SEQUENCE) &&
             cachet_cbb_add_asn1_uint64(&si, s->version ? s->version : 1) &&
             cachet_cms_add_sid(&si, who->cert, s->ski);
        if (s->digest_alg.p != NULL) {
            ok = ok && add_raw(&si, s->digest_alg);
        } else {
            ok = ok && cachet_cms_add_digest_alg(&si, CACHET_MD_SHA256);
        }
        if (s->attrs.p != NULL) {
            /* [0] IMPLICIT: the SET's contents under tag A0 */
            cachet_cbs in, contents;
            cachet_cbs_init(&in, s->attrs.p, s->attrs.n);
            ok = ok && cachet_cbs_get_asn1(&in, &contents, CACHET_ASN1_SET) &&
                 cachet_cbb_add_asn1_element(&si, CACHET_ASN1_CONTEXT_CONS(0), contents.data,
                                             contents.len);
        }
        if (s->sig_alg.p != NULL) {
            ok = ok && add_raw(&si, s->sig_alg);
        } else {
            static const uint8_t rsa_enc[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                              0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
            ok = ok && cachet_cbb_add_bytes(&si, rsa_enc, sizeof(rsa_enc));
        }
        ok = ok && cachet_cbb_add_asn1_octet_string(&si, signature.p, signature.n);
        if (s->unsigned_attrs.p != NULL) {
            cachet_cbs in, contents;
            cachet_cbs_init(&in, s->unsigned_attrs.p, s->unsigned_attrs.n);
            ok = ok && cachet_cbs_get_asn1(&in, &contents, CACHET_ASN1_SET) &&
                 cachet_cbb_add_asn1_element(&si, CACHET_ASN1_CONTEXT_CONS(1), contents.data,
                                             contents.len);
        }
    }
    uint8_t *der = NULL;
    ok = ok && cachet_cbb_finish(&cbb, &der, out_len);
    CHECK(ok);
    cachet_membuf_free(&sig);
    return der;
}

/* Attribute list builder: each entry is {type OID, contents of the value SET}. */
typedef struct attr_spec {
    cachet_oid type;
    const uint8_t *raw_type; /* OID contents when type is UNKNOWN */
    size_t raw_type_len;
    uint8_t values[80];
    size_t values_len;
    bool values_as_sequence;
} attr_spec;

static inline cachet_membuf build_attrs(const attr_spec *a, size_t n, bool sort) {
    cachet_cbb cbb, set, attr, vals;
    cachet_membuf out = {0};
    uint8_t *der = NULL;
    size_t len = 0;
    bool ok = cachet_cbb_init(&cbb, 512, 0) && cachet_cbb_add_asn1(&cbb, &set, CACHET_ASN1_SET);
    for (size_t i = 0; i < n; i++) {
        ok = ok && cachet_cbb_add_asn1(&set, &attr, CACHET_ASN1_SEQUENCE);
        if (a[i].type != CACHET_OID_UNKNOWN) {
            ok = ok && cachet_cbb_add_oid(&attr, a[i].type);
        } else {
            ok = ok && cachet_cbb_add_asn1_element(&attr, CACHET_ASN1_OBJECT, a[i].raw_type,
                                                   a[i].raw_type_len);
        }
        ok = ok &&
             cachet_cbb_add_asn1(
                 &attr, &vals, a[i].values_as_sequence ? CACHET_ASN1_SEQUENCE : CACHET_ASN1_SET) &&
             cachet_cbb_add_bytes(&vals, a[i].values, a[i].values_len) && cachet_cbb_flush(&set);
    }
    ok = ok && (sort ? cachet_cbb_flush_asn1_set_of(&set) : cachet_cbb_flush(&set)) &&
         cachet_cbb_finish(&cbb, &der, &len);
    CHECK(ok);
    cachet_membuf_append(&out, der, len);
    cachet_free(der);
    return out;
}

/* Value encodings. */
static inline attr_spec ct_attr(cachet_oid ct) {
    attr_spec a = {.type = CACHET_OID_ATTR_CONTENT_TYPE};
    size_t n = 0;
    const uint8_t *d = cachet_oid_der(ct, &n);
    a.values[0] = 0x06;
    a.values[1] = (uint8_t)n;
    memcpy(a.values + 2, d, n);
    a.values_len = 2 + n;
    return a;
}

static inline attr_spec md_attr(const uint8_t *content, size_t len, bool corrupt) {
    attr_spec a = {.type = CACHET_OID_ATTR_MESSAGE_DIGEST};
    a.values[0] = 0x04;
    a.values[1] = 32;
    cachet_md_oneshot(CACHET_MD_SHA256, content, len, a.values + 2);
    a.values[2] ^= corrupt ? 1 : 0;
    a.values_len = 34;
    return a;
}

static inline attr_spec raw_attr(cachet_oid type, const uint8_t *v, size_t n) {
    attr_spec a = {.type = type};
    if (n > 0) {
        memcpy(a.values, v, n);
    }
    a.values_len = n;
    return a;
}

static inline attr_spec time_attr(void) {
    static const uint8_t t[] = {0x17, 0x0d, '2', '6', '0', '1', '0', '1',
                                '0',  '0',  '0', '0', '0', '0', 'Z'};
    return raw_attr(CACHET_OID_ATTR_SIGNING_TIME, t, sizeof(t));
}

/* verify_built verifies |der| (detached content = |detached| if non-NULL). */
static inline cachet_status verify_built(const uint8_t *der, size_t len, const uint8_t *detached,
                                         size_t dlen, cachet_membuf *content, cachet_error *err) {
    cachet_cms_policy pol = {.trust = trust};
    cachet_layer_report layer;
    cachet_status st =
        tpki_verify(&pol, der, len, detached, dlen, NULL, 0, TFEED_RANDOM, content, &layer, err);
    cachet_cms_layer_report_clear(&layer);
    return st;
}

static inline cachet_status verify_attrs(const attr_spec *a, size_t n, bool sort,
                                         cachet_oid econtent, cachet_error *err) {
    cachet_membuf attrs = build_attrs(a, n, sort);
    sdb s = {
        .content = {msg, MSG_LEN}, .econtent_type = econtent, .attrs = {attrs.data, attrs.len}};
    size_t len = 0;
    uint8_t *der = build_sd(&s, &len);
    cachet_membuf got = {0};
    cachet_status st = verify_built(der, len, NULL, 0, &got, err);
    cachet_free(der);
    cachet_membuf_free(&attrs);
    cachet_membuf_free(&got);
    return st;
}

#endif
