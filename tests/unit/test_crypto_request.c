/* PKCS#10 requests: OpenSSL's parser and `openssl req -verify` read what we
 * build, the self-signature verifies, and the subject, extensionRequest and
 * signature algorithm are exactly the ones RFC 8550 §4.4.2 and crypto.h ask for. */
#include <stdlib.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "testlib.h"

typedef struct kcase {
    const char *spec;
    int sig_nid;
    int ku_bits; /* OpenSSL KU_* mask expected */
} kcase;

static const kcase kcases[] = {
    {"rsa:2048", NID_sha256WithRSAEncryption, KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT},
    {"ec:P-256", NID_ecdsa_with_SHA256, KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT},
    {"ec:P-384", NID_ecdsa_with_SHA256, KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT},
    {"ed25519", NID_ED25519, KU_DIGITAL_SIGNATURE},
};

static X509_REQ *parse(const cachet_membuf *der) {
    const unsigned char *p = der->data;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)der->len);
    CHECK(req != NULL);
    CHECK(p == der->data + der->len);
    return req;
}

static X509_EXTENSION *find_ext(const STACK_OF(X509_EXTENSION) * exts, int nid) {
    int idx = X509v3_get_ext_by_NID(exts, nid, -1);
    CHECK(idx >= 0);
    CHECK(X509v3_get_ext_by_NID(exts, nid, idx) < 0); /* once */
    return idx >= 0 ? X509v3_get_ext(exts, idx) : NULL;
}

/* check_request is the differential check through OpenSSL's X509_REQ API. */
static void check_request(const cachet_membuf *der, const cachet_pkey *key, const char *email,
                          const kcase *kc, bool cn_expected) {
    X509_REQ *req = parse(der);
    if (req == NULL) {
        return;
    }
    /* DER: OpenSSL re-encodes it to the same bytes. */
    unsigned char *re = NULL;
    int re_len = i2d_X509_REQ(req, &re);
    CHECK_MEM(re, (size_t)re_len, der->data, der->len);
    OPENSSL_free(re);

    CHECK_EQ_INT(X509_REQ_get_version(req), 0);
    EVP_PKEY *pub = X509_REQ_get0_pubkey(req);
    CHECK(pub != NULL && X509_REQ_verify(req, pub) == 1);
    unsigned char *spki = NULL;
    int spki_len = i2d_PUBKEY(pub, &spki);
    cachet_pkey *cpub = NULL;
    CHECK_EQ_INT(cachet_pkey_from_spki(spki, (size_t)spki_len, &cpub, NULL), CACHET_OK);
    CHECK(cachet_pkey_matches(cpub, key));
    cachet_pkey_free(cpub);
    OPENSSL_free(spki);
    CHECK_EQ_INT(X509_REQ_get_signature_nid(req), kc->sig_nid);
    const ASN1_BIT_STRING *sig = NULL;
    const X509_ALGOR *alg = NULL;
    X509_REQ_get0_signature(req, &sig, &alg);
    int ptype = -2;
    X509_ALGOR_get0(NULL, &ptype, NULL, alg);
    /* RFC 4055 §5: NULL parameters for RSA; RFC 5758 §3.2, RFC 8410 §6: absent. */
    CHECK_EQ_INT(ptype, kc->sig_nid == NID_sha256WithRSAEncryption ? V_ASN1_NULL : V_ASN1_UNDEF);

    const X509_NAME *subject = X509_REQ_get_subject_name(req);
    if (cn_expected) {
        CHECK_EQ_INT(X509_NAME_entry_count(subject), 1);
        char cn[128] = "";
        X509_NAME_get_text_by_NID(subject, NID_commonName, cn, sizeof(cn));
        CHECK_STR(cn, email);
    } else {
        CHECK_EQ_INT(X509_NAME_entry_count(subject), 0);
    }

    STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
    CHECK(exts != NULL);
    CHECK_EQ_INT(sk_X509_EXTENSION_num(exts), 3);
    X509_EXTENSION *e = find_ext(exts, NID_subject_alt_name);
    if (e != NULL) {
        CHECK(!X509_EXTENSION_get_critical(e));
        GENERAL_NAMES *gens = X509V3_EXT_d2i(e);
        CHECK(gens != NULL && sk_GENERAL_NAME_num(gens) == 1);
        if (gens != NULL && sk_GENERAL_NAME_num(gens) == 1) {
            const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, 0);
            CHECK_EQ_INT(g->type, GEN_EMAIL);
            CHECK_MEM(ASN1_STRING_get0_data(g->d.rfc822Name),
                      (size_t)ASN1_STRING_length(g->d.rfc822Name), email, strlen(email));
        }
        GENERAL_NAMES_free(gens);
    }
    e = find_ext(exts, NID_key_usage);
    if (e != NULL) {
        CHECK(X509_EXTENSION_get_critical(e));
        ASN1_BIT_STRING *ku = X509V3_EXT_d2i(e);
        CHECK(ku != NULL);
        if (ku != NULL) {
            /* The mask as X509_get_key_usage builds it: first two octets. */
            const unsigned char *b = ASN1_STRING_get0_data(ku);
            int n = ASN1_STRING_length(ku);
            int got = n > 0 ? b[0] : 0;
            if (n > 1) {
                got |= b[1] << 8;
            }
            CHECK_EQ_INT(got, kc->ku_bits);
        }
        ASN1_BIT_STRING_free(ku);
    }
    e = find_ext(exts, NID_ext_key_usage);
    if (e != NULL) {
        EXTENDED_KEY_USAGE *eku = X509V3_EXT_d2i(e);
        CHECK(eku != NULL && sk_ASN1_OBJECT_num(eku) == 1);
        if (eku != NULL && sk_ASN1_OBJECT_num(eku) == 1) {
            CHECK_EQ_INT(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_email_protect);
        }
        EXTENDED_KEY_USAGE_free(eku);
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);
    ERR_clear_error();
}

/* openssl_verify runs `openssl req -verify -noout -text` on |der| and returns
 * its combined output (static), or NULL if it failed. */
static const char *openssl_verify(const cachet_membuf *der) {
    static char out[16384];
    char dir[] = "/tmp/cachet-request-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        return NULL;
    }
    char path[128], cmd[512];
    snprintf(path, sizeof(path), "%s/req.der", dir);
    FILE *fp = fopen(path, "wb");
    if (fp == NULL || fwrite(der->data, 1, der->len, fp) != der->len || fclose(fp) != 0) {
        return NULL;
    }
    snprintf(cmd, sizeof(cmd),
             "openssl req -inform DER -in '%s' -verify -noout -text 2>&1; echo \"rc=$?\"", path);
    FILE *p = popen(cmd, "r");
    size_t n = p != NULL ? fread(out, 1, sizeof(out) - 1, p) : 0;
    out[n] = '\0';
    if (p != NULL) {
        pclose(p);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot remove %s\n", dir);
    }
    if (strstr(out, "rc=0") == NULL) {
        fprintf(stderr, "openssl req failed:\n%s\n", out);
        return NULL;
    }
    return out;
}

static void requests_for_each_key_type_verify_in_openssl(void) {
    for (size_t i = 0; i < sizeof(kcases) / sizeof(kcases[0]); i++) {
        cachet_pkey *key = NULL;
        CHECK_EQ_INT(cachet_pkey_generate(kcases[i].spec, &key, NULL), CACHET_OK);
        cachet_membuf der = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(cachet_request_build(key, "alice@example.com", &der, &err), CACHET_OK);
        check_request(&der, key, "alice@example.com", &kcases[i], true);
        const char *text = openssl_verify(&der);
        CHECK(text != NULL);
        if (text != NULL) {
            CHECK(strstr(text, "verify OK") != NULL);
            CHECK(strstr(text, "Subject: CN = alice@example.com") != NULL);
            CHECK(strstr(text, "Requested Extensions:") != NULL);
            CHECK(strstr(text, "email:alice@example.com") != NULL);
            CHECK(strstr(text, "E-mail Protection") != NULL);
        }
        cachet_membuf_free(&der);
        cachet_pkey_free(key);
    }
}

static void many_ecdsa_signatures_all_encode_whole_octets(void) {
    /* About half of all signatures end in a zero bit; a BIT STRING that
     * counted them as unused would fail verification in OpenSSL. */
    cachet_pkey *key = NULL;
    CHECK_EQ_INT(cachet_pkey_generate("ec:P-256", &key, NULL), CACHET_OK);
    for (int i = 0; i < 24; i++) {
        cachet_membuf der = {0};
        CHECK_EQ_INT(cachet_request_build(key, "carol@example.com", &der, NULL), CACHET_OK);
        X509_REQ *req = parse(&der);
        CHECK(req != NULL && X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) == 1);
        X509_REQ_free(req);
        cachet_membuf_free(&der);
    }
    ERR_clear_error();
    cachet_pkey_free(key);
}

static void an_address_too_long_for_a_cn_leaves_the_subject_empty(void) {
    char email[100];
    memset(email, 'x', 70);
    strcpy(email + 70, "@example.com");
    cachet_pkey *key = NULL;
    CHECK_EQ_INT(cachet_pkey_generate("ec:P-256", &key, NULL), CACHET_OK);
    cachet_membuf der = {0};
    CHECK_EQ_INT(cachet_request_build(key, email, &der, NULL), CACHET_OK);
    check_request(&der, key, email, &kcases[1], false);
    CHECK(openssl_verify(&der) != NULL);
    /* 64 characters still fit the CN. */
    memset(email, 'y', 52);
    strcpy(email + 52, "@example.com");
    CHECK_EQ_INT(strlen(email), 64);
    CHECK_EQ_INT(cachet_request_build(key, email, &der, NULL), CACHET_OK);
    check_request(&der, key, email, &kcases[1], true);
    cachet_membuf_free(&der);
    cachet_pkey_free(key);
}

static void bad_addresses_are_usage_errors(void) {
    char too_long[300];
    memset(too_long, 'a', 250);
    strcpy(too_long + 250, "@b.cd");
    static const char *const bad[] = {
        "",
        "alice",
        "@example.com",
        "alice@",
        "a b@example.com",
        "al\nice@x",
        "\xc3\xa4lice@example.com",
        "alice@exa\tmple.com",
        "alice@example.com\x7f",
    };
    cachet_pkey *key = NULL;
    CHECK_EQ_INT(cachet_pkey_generate("ec:P-256", &key, NULL), CACHET_OK);
    cachet_membuf der = {0};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ_INT(cachet_request_build(key, bad[i], &der, NULL), CACHET_ERR_USAGE);
        CHECK_EQ_INT(der.len, 0);
    }
    CHECK_EQ_INT(cachet_request_build(key, too_long, &der, NULL), CACHET_ERR_USAGE);
    CHECK_EQ_INT(cachet_request_build(key, NULL, &der, NULL), CACHET_ERR_USAGE);
    CHECK_EQ_INT(cachet_request_build(NULL, "a@b", &der, NULL), CACHET_ERR_USAGE);
    cachet_membuf_free(&der);
    cachet_pkey_free(key);
}

static void a_key_that_cannot_sign_is_unsupported(void) {
    EVP_PKEY *x = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    unsigned char *spki = NULL;
    int n = i2d_PUBKEY(x, &spki);
    cachet_pkey *pub = NULL;
    CHECK_EQ_INT(cachet_pkey_from_spki(spki, (size_t)n, &pub, NULL), CACHET_OK);
    cachet_membuf der = {0};
    CHECK_EQ_INT(cachet_request_build(pub, "a@example.com", &der, NULL), CACHET_ERR_UNSUPPORTED);
    cachet_membuf_free(&der);
    cachet_pkey_free(pub);
    OPENSSL_free(spki);
    EVP_PKEY_free(x);
}

static void a_public_key_alone_cannot_sign_a_request(void) {
    cachet_pkey *key = NULL;
    CHECK_EQ_INT(cachet_pkey_generate("ec:P-256", &key, NULL), CACHET_OK);
    cachet_membuf point = {0};
    CHECK(cachet_pkey_ec_point(key, &point));
    cachet_pkey *pub = NULL;
    CHECK_EQ_INT(cachet_pkey_from_ec_point(CACHET_CURVE_P256, point.data, point.len, &pub, NULL),
                 CACHET_OK);
    cachet_membuf der = {0};
    cachet_error err = {0};
    CHECK(cachet_request_build(pub, "a@example.com", &der, &err) != CACHET_OK);
    CHECK_EQ_INT(der.len, 0);
    cachet_membuf_free(&der);
    cachet_membuf_free(&point);
    cachet_pkey_free(pub);
    cachet_pkey_free(key);
}

static const cachet_test_case tests[] = {
    TEST_CASE(requests_for_each_key_type_verify_in_openssl),
    TEST_CASE(many_ecdsa_signatures_all_encode_whole_octets),
    TEST_CASE(an_address_too_long_for_a_cn_leaves_the_subject_empty),
    TEST_CASE(bad_addresses_are_usage_errors),
    TEST_CASE(a_key_that_cannot_sign_is_unsupported),
    TEST_CASE(a_public_key_alone_cannot_sign_a_request),
};
TEST_MAIN(tests)
