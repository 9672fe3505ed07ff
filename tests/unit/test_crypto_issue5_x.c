/* Issue 5 keys: X25519/X448 (RFC 7748 §6 vectors, the all-zero shared secret
 * of RFC 8418 §2, external keys), Ed448 signatures (RFC 8032 §7.4) and
 * certificates carrying X25519/X448 keys. */
#include <stdlib.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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

/* load_raw_private wraps a raw RFC 7748/8032 private key in PKCS#8 (RFC 8410)
 * and loads it through the public API. */
static cachet_pkey *load_raw_private(cachet_key_type type, const char *hex) {
    /* SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.x }, OCTET STRING { OCTET STRING key } } */
    uint8_t der[128];
    uint8_t key[64];
    size_t n = unhex(key, sizeof(key), hex);
    uint8_t oid = type == CACHET_KEY_X25519 ? 110 : type == CACHET_KEY_X448 ? 111 : 113;
    uint8_t head[] = {
        0x30, (uint8_t)(n + 14), 0x02, 0x01,      0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, oid,
        0x04, (uint8_t)(n + 2),  0x04, (uint8_t)n};
    memcpy(der, head, sizeof(head));
    memcpy(der + sizeof(head), key, n);
    cachet_pkey *k = NULL;
    cachet_error err = {0};
    if (cachet_pkey_load_private(der, sizeof(head) + n, NULL, &k, &err) != CACHET_OK) {
        fprintf(stderr, "load: %s\n", err.message);
    }
    return k;
}

static cachet_pkey *raw_public(cachet_key_type type, const char *hex) {
    uint8_t raw[64];
    size_t n = unhex(raw, sizeof(raw), hex);
    cachet_pkey *k = NULL;
    cachet_error err = {0};
    if (cachet_pkey_from_raw_public(type, raw, n, &k, &err) != CACHET_OK) {
        fprintf(stderr, "raw public: %s\n", err.message);
    }
    return k;
}

static const struct {
    cachet_key_type type;
    const char *a_priv, *a_pub, *b_priv, *b_pub, *shared;
} rfc7748[] = {
    {CACHET_KEY_X25519, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
     "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
     "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
     "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
     "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"},
    {CACHET_KEY_X448,
     "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127"
     "ab1d9ac2d8c0a598726b",
     "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da8812"
     "0d53177f80e532c41fa0",
     "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09"
     "d1b0366f10b65173992d",
     "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec"
     "3dae07bdc1c67bf33609",
     "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085"
     "d59a449a5037514a879d"},
};

/* RFC 7748 §6.1 (X25519) and §6.2 (X448): public keys from private keys, and
 * the shared secret from both sides. */
static void x25519_x448_ecdh_match_rfc7748_section6(void) {
    for (size_t i = 0; i < 2; i++) {
        cachet_pkey *a = load_raw_private(rfc7748[i].type, rfc7748[i].a_priv);
        cachet_pkey *b = load_raw_private(rfc7748[i].type, rfc7748[i].b_priv);
        cachet_pkey *a_pub = raw_public(rfc7748[i].type, rfc7748[i].a_pub);
        cachet_pkey *b_pub = raw_public(rfc7748[i].type, rfc7748[i].b_pub);
        CHECK(a != NULL && b != NULL && a_pub != NULL && b_pub != NULL);
        if (a == NULL || b == NULL || a_pub == NULL || b_pub == NULL) {
            return;
        }
        CHECK_EQ_INT(cachet_pkey_type(a), rfc7748[i].type);
        CHECK_EQ_INT(cachet_pkey_type(b_pub), rfc7748[i].type);
        uint8_t expect[56];
        size_t n = unhex(expect, sizeof(expect), rfc7748[i].a_pub);
        cachet_membuf pub = {0};
        CHECK(cachet_pkey_raw_public(a, &pub));
        CHECK_MEM(pub.data, pub.len, expect, n);
        CHECK(cachet_pkey_matches(a, a_pub));
        cachet_membuf_free(&pub);
        n = unhex(expect, sizeof(expect), rfc7748[i].shared);
        cachet_membuf s1 = {0}, s2 = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(cachet_ecdh(a, b_pub, &s1, &err), CACHET_OK);
        CHECK_EQ_INT(cachet_ecdh(b, a_pub, &s2, &err), CACHET_OK);
        CHECK_MEM(s1.data, s1.len, expect, n);
        CHECK_MEM(s2.data, s2.len, expect, n);
        cachet_membuf_free(&s1);
        cachet_membuf_free(&s2);
        cachet_pkey_free(a);
        cachet_pkey_free(b);
        cachet_pkey_free(a_pub);
        cachet_pkey_free(b_pub);
    }
}

/* RFC 8418 §2 / RFC 7748 §6: low-order peer keys (u = 0, u = 1, and for
 * X25519 a point of order 8) give an all-zero secret, which is refused and
 * leaves nothing in the output. */
static void all_zero_shared_secret_is_refused(void) {
    static const struct {
        cachet_key_type type;
        size_t len;
        uint8_t first; /* u = first, little-endian, when |u| is NULL */
        const char *u;
    } low[] = {
        {CACHET_KEY_X25519, 32, 0, NULL},
        {CACHET_KEY_X25519, 32, 1, NULL},
        {CACHET_KEY_X25519, 32, 0,
         "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"},
        {CACHET_KEY_X448, 56, 0, NULL},
        {CACHET_KEY_X448, 56, 1, NULL},
    };
    for (size_t i = 0; i < sizeof(low) / sizeof(low[0]); i++) {
        cachet_pkey *priv = NULL;
        CHECK_EQ_INT(cachet_pkey_generate_x(low[i].type, &priv, NULL), CACHET_OK);
        uint8_t u[56] = {0};
        u[0] = low[i].first;
        if (low[i].u != NULL) {
            unhex(u, sizeof(u), low[i].u);
        }
        cachet_pkey *peer = NULL;
        CHECK_EQ_INT(cachet_pkey_from_raw_public(low[i].type, u, low[i].len, &peer, NULL),
                     CACHET_OK);
        CHECK(peer != NULL);
        cachet_membuf out = {0};
        CHECK(cachet_membuf_append(&out, "x", 1));
        cachet_error err = {0};
        CHECK_EQ_INT(cachet_ecdh(priv, peer, &out, &err), CACHET_ERR_DECRYPT);
        CHECK_EQ_INT(out.len, 1);
        cachet_membuf_free(&out);
        cachet_pkey_free(priv);
        cachet_pkey_free(peer);
    }
}

typedef struct ext_arg {
    cachet_pkey *real; /* the private key the "token" holds */
    bool zero;         /* misbehave: return an all-zero secret */
    int calls;
} ext_arg;

static cachet_status ext_derive(void *arg, const cachet_pkey *peer, cachet_membuf *secret,
                                cachet_error *err) {
    ext_arg *a = arg;
    a->calls++;
    if (a->zero) {
        uint8_t z[56] = {0};
        size_t len = cachet_pkey_type(a->real) == CACHET_KEY_X25519 ? 32 : 56;
        return cachet_membuf_append(secret, z, len) ? CACHET_OK : CACHET_ERR_NOMEM;
    }
    return cachet_ecdh(a->real, peer, secret, err);
}

static void ext_free(void *arg) {
    ext_arg *a = arg;
    cachet_pkey_free(a->real);
    free(a);
}

/* An external (token) X25519/X448 key: cachet_ecdh calls its derive and
 * returns the same secret as the software key; an all-zero answer is refused. */
static void external_x_keys_derive_through_ops_and_zero_is_refused(void) {
    static const cachet_key_type types[] = {CACHET_KEY_X25519, CACHET_KEY_X448};
    for (size_t i = 0; i < 2; i++) {
        for (int zero = 0; zero < 2; zero++) {
            ext_arg *a = calloc(1, sizeof(*a));
            a->zero = zero != 0;
            cachet_pkey *peer = NULL;
            CHECK_EQ_INT(cachet_pkey_generate_x(types[i], &a->real, NULL), CACHET_OK);
            CHECK_EQ_INT(cachet_pkey_generate_x(types[i], &peer, NULL), CACHET_OK);
            cachet_membuf raw = {0};
            CHECK(cachet_pkey_raw_public(a->real, &raw));
            cachet_pkey *pub = NULL;
            CHECK_EQ_INT(cachet_pkey_from_raw_public(types[i], raw.data, raw.len, &pub, NULL),
                         CACHET_OK);
            cachet_membuf_free(&raw);
            cachet_pkey_ops ops = {.derive = ext_derive, .free_arg = ext_free};
            cachet_pkey *ext = cachet_pkey_new_external(pub, &ops, a, NULL);
            CHECK(ext != NULL && cachet_pkey_type(ext) == types[i]);
            cachet_membuf via_ext = {0}, direct = {0};
            cachet_error err = {0};
            cachet_status st = cachet_ecdh(ext, peer, &via_ext, &err);
            CHECK_EQ_INT(a->calls, 1);
            if (zero) {
                CHECK_EQ_INT(st, CACHET_ERR_DECRYPT);
                CHECK_EQ_INT(via_ext.len, 0);
            } else {
                CHECK_EQ_INT(st, CACHET_OK);
                CHECK_EQ_INT(cachet_ecdh(peer, pub, &direct, NULL), CACHET_OK);
                CHECK_EQ_INT(via_ext.len, types[i] == CACHET_KEY_X25519 ? 32 : 56);
                CHECK_MEM(via_ext.data, via_ext.len, direct.data, direct.len);
            }
            cachet_membuf_free(&via_ext);
            cachet_membuf_free(&direct);
            cachet_pkey_free(ext);
            cachet_pkey_free(pub);
            cachet_pkey_free(peer);
        }
    }
}

/* Ephemeral pairs: right type and raw size, fresh each time, agreeing
 * secrets; raw public keys of the wrong size or type are refused. */
static void generated_x_keys_agree_and_raw_keys_are_checked(void) {
    static const cachet_key_type types[] = {CACHET_KEY_X25519, CACHET_KEY_X448};
    static const size_t raw_len[] = {32, 56};
    for (size_t i = 0; i < 2; i++) {
        cachet_pkey *a = NULL, *b = NULL;
        CHECK_EQ_INT(cachet_pkey_generate_x(types[i], &a, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_pkey_generate_x(types[i], &b, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_pkey_type(a), types[i]);
        CHECK(!cachet_pkey_matches(a, b));
        cachet_membuf ra = {0}, rb = {0}, s1 = {0}, s2 = {0};
        CHECK(cachet_pkey_raw_public(a, &ra) && ra.len == raw_len[i]);
        CHECK(cachet_pkey_raw_public(b, &rb) && rb.len == raw_len[i]);
        cachet_pkey *pa = NULL, *pb = NULL;
        CHECK_EQ_INT(cachet_pkey_from_raw_public(types[i], ra.data, ra.len, &pa, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_pkey_from_raw_public(types[i], rb.data, rb.len, &pb, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_ecdh(a, pb, &s1, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_ecdh(b, pa, &s2, NULL), CACHET_OK);
        CHECK(s1.len == raw_len[i]);
        CHECK_MEM(s1.data, s1.len, s2.data, s2.len);
        cachet_error err = {0};
        cachet_pkey *bad = NULL;
        CHECK_EQ_INT(cachet_pkey_from_raw_public(types[i], ra.data, ra.len - 1, &bad, &err),
                     CACHET_ERR_MALFORMED);
        CHECK(bad == NULL);
        cachet_membuf_free(&ra);
        cachet_membuf_free(&rb);
        cachet_membuf_free(&s1);
        cachet_membuf_free(&s2);
        cachet_pkey_free(pa);
        cachet_pkey_free(pb);
        cachet_pkey_free(b);
        cachet_pkey_free(a);
    }
    /* X25519 against X448, or against an EC key: refused before any derivation. */
    cachet_pkey *x25519 = NULL, *x448 = NULL, *ec = NULL;
    CHECK_EQ_INT(cachet_pkey_generate_x(CACHET_KEY_X25519, &x25519, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_pkey_generate_x(CACHET_KEY_X448, &x448, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_pkey_generate_ec(CACHET_CURVE_P256, &ec, NULL), CACHET_OK);
    cachet_membuf out = {0};
    CHECK_EQ_INT(cachet_ecdh(x25519, x448, &out, NULL), CACHET_ERR_KEY);
    CHECK_EQ_INT(cachet_ecdh(x25519, ec, &out, NULL), CACHET_ERR_KEY);
    CHECK(!cachet_pkey_raw_public(ec, &out));
    CHECK_EQ_INT(out.len, 0);
    cachet_pkey *none = NULL;
    cachet_error uerr = {0};
    CHECK_EQ_INT(cachet_pkey_generate_x(CACHET_KEY_ED25519, &none, &uerr), CACHET_ERR_USAGE);
    CHECK_EQ_INT(cachet_pkey_from_raw_public(CACHET_KEY_EC, (const uint8_t *)"x", 1, &none, NULL),
                 CACHET_ERR_USAGE);
    cachet_pkey_free(x25519);
    cachet_pkey_free(x448);
    cachet_pkey_free(ec);
}

/* RFC 8032 §7.4, the "blank" Ed448 vector (empty message, no context), and a
 * generated Ed448 key signing and verifying through cachet_sign/cachet_verify. */
static void ed448_signs_and_verifies_rfc8032_and_generated(void) {
    cachet_pkey *k = load_raw_private(CACHET_KEY_ED448,
                                      "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e3"
                                      "48a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b");
    CHECK(k != NULL && cachet_pkey_type(k) == CACHET_KEY_ED448);
    uint8_t expect[114];
    size_t n =
        unhex(expect, sizeof(expect),
              "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f62"
              "8281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d"
              "8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600");
    cachet_membuf sig = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(
        cachet_sign(k, CACHET_SIG_ED448, CACHET_MD_NONE, NULL, (const uint8_t *)"", 0, &sig, &err),
        CACHET_OK);
    CHECK_MEM(sig.data, sig.len, expect, n);
    CHECK(cachet_verify(k, CACHET_SIG_ED448, CACHET_MD_NONE, NULL, (const uint8_t *)"", 0, expect,
                        n));
    cachet_membuf_free(&sig);
    cachet_pkey_free(k);

    cachet_pkey *g = NULL;
    CHECK_EQ_INT(cachet_pkey_generate("ed448", &g, NULL), CACHET_OK);
    const char *msg = "Content-Type: text/plain\r\n\r\nsigned with Ed448\r\n";
    CHECK_EQ_INT(cachet_sign(g, CACHET_SIG_ED448, CACHET_MD_NONE, NULL, (const uint8_t *)msg,
                             strlen(msg), &sig, NULL),
                 CACHET_OK);
    CHECK_EQ_INT(sig.len, 114);
    CHECK(cachet_verify(g, CACHET_SIG_ED448, CACHET_MD_NONE, NULL, (const uint8_t *)msg,
                        strlen(msg), sig.data, sig.len));
    CHECK(!cachet_verify(g, CACHET_SIG_ED448, CACHET_MD_NONE, NULL, (const uint8_t *)msg,
                         strlen(msg) - 1, sig.data, sig.len));
    sig.data[10] ^= 1;
    CHECK(!cachet_verify(g, CACHET_SIG_ED448, CACHET_MD_NONE, NULL, (const uint8_t *)msg,
                         strlen(msg), sig.data, sig.len));
    CHECK(!cachet_verify(g, CACHET_SIG_ED25519, CACHET_MD_NONE, NULL, (const uint8_t *)msg,
                         strlen(msg), sig.data, sig.len));
    cachet_membuf_free(&sig);
    cachet_pkey_free(g);
}

/* make_cert issues a certificate for an X25519/X448 |subject_key| (signed by
 * a throwaway Ed25519 issuer, since these keys cannot sign) with the given
 * KeyUsage bits (-1: no KeyUsage extension). */
static uint8_t *make_cert(EVP_PKEY *subject_key, int ku_bit, size_t *len) {
    EVP_PKEY *issuer = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"x test", -1, -1,
                               0);
    bool ok = issuer != NULL && x != NULL && X509_set_version(x, 2) == 1 &&
              ASN1_INTEGER_set(X509_get_serialNumber(x), 7) == 1 &&
              X509_set_subject_name(x, name) == 1 && X509_set_issuer_name(x, name) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
              X509_gmtime_adj(X509_getm_notAfter(x), 3600) != NULL &&
              X509_set_pubkey(x, subject_key) == 1;
    if (ok && ku_bit >= 0) {
        ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
        ok = ku != NULL && ASN1_BIT_STRING_set_bit(ku, ku_bit, 1) == 1 &&
             X509_add1_ext_i2d(x, NID_key_usage, ku, 1, 0) == 1;
        ASN1_BIT_STRING_free(ku);
    }
    ok = ok && X509_sign(x, issuer, NULL) > 0;
    unsigned char *der = NULL;
    int n = ok ? i2d_X509(x, &der) : -1;
    uint8_t *copy = NULL;
    if (n > 0) {
        copy = malloc((size_t)n);
        memcpy(copy, der, (size_t)n);
        *len = (size_t)n;
    }
    OPENSSL_free(der);
    X509_NAME_free(name);
    X509_free(x);
    EVP_PKEY_free(issuer);
    return copy;
}

/* Certificates with X25519/X448 keys load, their key comes out typed and
 * usable for ECDH, and KeyUsage keyAgreement is honoured. */
static void certificates_with_x_keys_load_and_allow_key_agreement(void) {
    static const char *const algs[] = {"X25519", "X448"};
    static const cachet_key_type types[] = {CACHET_KEY_X25519, CACHET_KEY_X448};
    for (size_t i = 0; i < 2; i++) {
        EVP_PKEY *sk = EVP_PKEY_Q_keygen(NULL, NULL, algs[i]);
        CHECK(sk != NULL);
        static const int kus[] = {4 /* keyAgreement */, 0 /* digitalSignature */, -1};
        for (size_t j = 0; j < 3; j++) {
            size_t len = 0;
            uint8_t *der = make_cert(sk, kus[j], &len);
            CHECK(der != NULL);
            if (der == NULL) {
                continue;
            }
            cachet_cert *cert = NULL;
            cachet_error err = {0};
            CHECK_EQ_INT(cachet_cert_parse(der, len, &cert, &err), CACHET_OK);
            cachet_pkey *pk = cachet_cert_pkey(cert);
            CHECK(pk != NULL && cachet_pkey_type(pk) == types[i]);
            CHECK_EQ_INT(cachet_cert_allows_key_agreement(cert), kus[j] != 0);
            CHECK(!cachet_cert_allows_key_encipherment(cert) || kus[j] == -1);
            /* The certificate's key is an ECDH peer like a raw one. */
            cachet_pkey *eph = NULL;
            cachet_membuf s = {0};
            CHECK_EQ_INT(cachet_pkey_generate_x(types[i], &eph, NULL), CACHET_OK);
            CHECK_EQ_INT(cachet_ecdh(eph, pk, &s, NULL), CACHET_OK);
            CHECK_EQ_INT(s.len, types[i] == CACHET_KEY_X25519 ? 32 : 56);
            cachet_membuf_free(&s);
            cachet_pkey_free(eph);
            cachet_pkey_free(pk);
            cachet_cert_free(cert);
            free(der);
        }
        EVP_PKEY_free(sk);
    }
}

/* add_ext adds one extension written in OpenSSL's configuration syntax. */
static bool add_ext(X509 *x, X509 *issuer, int nid, const char *value) {
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    bool ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

/* issue makes a certificate for |key| named |cn|, signed by |signer| as
 * |issuer| (NULL: self-issued), with the extensions |exts| (nid, value pairs). */
static X509 *issue(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *signer, const int *nids,
                   const char *const *values, size_t n_ext) {
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    bool ok = x != NULL && X509_set_version(x, 2) == 1 &&
              ASN1_INTEGER_set(X509_get_serialNumber(x), issuer == NULL ? 1 : 2) == 1 &&
              X509_set_subject_name(x, name) == 1 &&
              X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(x), -60) != NULL &&
              X509_gmtime_adj(X509_getm_notAfter(x), 3600) != NULL && X509_set_pubkey(x, key) == 1;
    for (size_t i = 0; ok && i < n_ext; i++) {
        ok = add_ext(x, issuer != NULL ? issuer : x, nids[i], values[i]);
    }
    ok = ok && X509_sign(x, signer, NULL) > 0;
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static cachet_cert *to_cachet(X509 *x) {
    unsigned char *der = NULL;
    int n = x != NULL ? i2d_X509(x, &der) : -1;
    cachet_cert *c = NULL;
    if (n > 0 && cachet_cert_parse(der, (size_t)n, &c, NULL) != CACHET_OK) {
        c = NULL;
    }
    OPENSSL_free(der);
    return c;
}

/* An X25519/X448 encryption certificate under an Ed25519 CA validates as a
 * recipient (path, key strength), with keyAgreement and emailProtection. */
static void x_recipient_certificates_validate_under_a_ca(void) {
    EVP_PKEY *ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    static const int ca_nids[] = {NID_basic_constraints, NID_key_usage, NID_subject_key_identifier};
    static const char *const ca_vals[] = {"critical,CA:TRUE", "critical,keyCertSign,cRLSign",
                                          "hash"};
    X509 *ca = issue(ca_key, "X Test CA", NULL, ca_key, ca_nids, ca_vals, 3);
    CHECK(ca != NULL);
    static const char *const algs[] = {"X25519", "X448"};
    for (size_t i = 0; i < 2 && ca != NULL; i++) {
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, algs[i]);
        static const int nids[] = {NID_key_usage, NID_ext_key_usage, NID_subject_alt_name,
                                   NID_subject_key_identifier, NID_authority_key_identifier};
        static const char *const vals[] = {"critical,keyAgreement", "emailProtection",
                                           "email:x@example.org", "hash", "keyid:always"};
        X509 *leaf = issue(k, "x recipient", ca, ca_key, nids, vals, 5);
        CHECK(leaf != NULL);
        cachet_cert *cca = to_cachet(ca), *cleaf = to_cachet(leaf);
        CHECK(cca != NULL && cleaf != NULL);
        cachet_trust *trust = cachet_trust_new(NULL);
        CHECK_EQ_INT(cachet_trust_add_cert(trust, cca, NULL), CACHET_OK);
        cachet_cert_list none = {0};
        bool weak = true;
        char detail[200] = "";
        cachet_chain_status st = cachet_trust_verify_recipient(
            trust, cleaf, &none, (int64_t)time(NULL), false, &weak, detail, sizeof(detail));
        if (st != CACHET_CHAIN_TRUSTED) {
            fprintf(stderr, "%s leaf: %s\n", algs[i], detail);
        }
        CHECK_EQ_INT(st, CACHET_CHAIN_TRUSTED);
        CHECK(!weak);
        CHECK(cachet_cert_allows_key_agreement(cleaf));
        CHECK(cachet_cert_allows_email_protection(cleaf));
        cachet_pkey *pk = cachet_cert_pkey(cleaf);
        CHECK_EQ_INT(cachet_pkey_type(pk), i == 0 ? CACHET_KEY_X25519 : CACHET_KEY_X448);
        cachet_pkey_free(pk);
        cachet_trust_free(trust);
        cachet_cert_free(cca);
        cachet_cert_free(cleaf);
        X509_free(leaf);
        EVP_PKEY_free(k);
    }
    X509_free(ca);
    EVP_PKEY_free(ca_key);
}

static const cachet_test_case tests[] = {
    TEST_CASE(x25519_x448_ecdh_match_rfc7748_section6),
    TEST_CASE(all_zero_shared_secret_is_refused),
    TEST_CASE(external_x_keys_derive_through_ops_and_zero_is_refused),
    TEST_CASE(generated_x_keys_agree_and_raw_keys_are_checked),
    TEST_CASE(ed448_signs_and_verifies_rfc8032_and_generated),
    TEST_CASE(certificates_with_x_keys_load_and_allow_key_agreement),
    TEST_CASE(x_recipient_certificates_validate_under_a_ca),
};

TEST_MAIN(tests)
