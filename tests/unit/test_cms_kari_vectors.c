/* KeyAgreeRecipientInfo made by other implementations ($CACHET_VECTORS, see
 * ../shared/vectors/MANIFEST.md): the RFC 9216 examples for Dana (X25519 with
 * HKDF and with the X9.63 KDF, RFC 8418) and the OpenSSL 2015 ECDH messages
 * that Bouncy Castle keeps, with the CMS Triple-DES key wrap and AES-192 wrap. */
#include <openssl/bio.h>
#include <openssl/evp.h>

#include "cms/enveloped_internal.h"
#include "test_cms_enveloped_util.h"

static const char sample[] = "This is some sample content.";
static const char sess_plain[] = "abcdefghijklmnopqrstuvwxyz0123456789\r\n";

/* unarmor decodes the base64 between "-----BEGIN CMS-----" and "-----END CMS-----". */
static uint8_t *unarmor(const uint8_t *pem, size_t len, size_t *out_len) {
    const char *start = strstr((const char *)pem, "-----BEGIN CMS-----");
    const char *end = strstr((const char *)pem, "-----END CMS-----");
    uint8_t *out;
    BIO *b64, *mem;
    int n;
    if (start == NULL || end == NULL) {
        return NULL;
    }
    start += strlen("-----BEGIN CMS-----");
    out = malloc(len);
    b64 = BIO_new(BIO_f_base64());
    mem = BIO_new_mem_buf(start, (int)(end - start));
    BIO_push(b64, mem);
    n = BIO_read(b64, out, (int)len);
    BIO_free_all(b64);
    *out_len = n > 0 ? (size_t)n : 0;
    return out;
}

static uint8_t *read_vector(const char *rel, size_t *len) {
    uint8_t *data = cachet_test_read_file(cachet_test_vector_path(rel), len);
    CHECK(data != NULL);
    return data;
}

/* load_party reads a private key (PEM/DER, PKCS#8 or SEC1 after an "EC
 * PARAMETERS" block, which OpenSSL reads for us) and the first certificate. */
static test_party load_party(const char *key_rel, const char *cert_rel) {
    test_party p;
    size_t klen = 0, clen = 0;
    uint8_t *k = read_vector(key_rel, &klen), *c = read_vector(cert_rel, &clen);
    cachet_cert_list list = {0};
    cachet_error err;
    memset(&p, 0, sizeof(p));
    cachet_err_clear(&err);
    if (k != NULL && cachet_pkey_load_private(k, klen, NULL, &p.key, &err) != CACHET_OK) {
        BIO *bio = BIO_new_mem_buf(k, (int)klen);
        EVP_PKEY *ok = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        CHECK(ok != NULL);
        p.key = ok != NULL ? tu_cachet_key(ok) : NULL;
        EVP_PKEY_free(ok);
        BIO_free(bio);
    }
    if (c != NULL && cachet_cert_load(c, clen, &list, &err) == CACHET_OK && list.num > 0) {
        p.cert = cachet_cert_up_ref(list.certs[0]);
    }
    CHECK(p.key != NULL && p.cert != NULL);
    cachet_cert_list_clear(&list);
    free(k);
    free(c);
    return p;
}

typedef struct vector_case {
    const char *file;
    bool armored;
    bool allow_weak;
    cachet_status want;
    const char *plain;
    const char *key_management;
    const char *cipher;
} vector_case;

/* run_case decrypts one vector fed whole, byte by byte and in random chunks. */
static void run_case(const test_party *p, const vector_case *c) {
    cachet_cms_policy policy = {.allow_weak = c->allow_weak};
    size_t len = 0, der_len = 0;
    uint8_t *raw = read_vector(c->file, &len), *der;
    if (raw == NULL) {
        return;
    }
    der = c->armored ? unarmor(raw, len, &der_len) : raw;
    der_len = c->armored ? der_len : len;
    CHECK(der != NULL && der_len > 0);
    for (int mode = FEED_WHOLE; der != NULL && mode <= FEED_RANDOM; mode++) {
        cachet_membuf pt = {0};
        cachet_layer_report rep;
        cachet_error err;
        memset(&rep, 0, sizeof(rep));
        cachet_err_clear(&err);
        CHECK_EQ_INT(tu_decrypt(p, &policy, NULL, der, der_len, (feed_mode)mode, &pt, &rep, &err),
                     c->want);
        if (err.status != c->want) {
            fprintf(stderr, "  %s: %s: %s\n", c->file, err.where, err.message);
        }
        if (c->want == CACHET_OK) {
            CHECK_MEM(pt.data, pt.len, c->plain, strlen(c->plain));
            CHECK_STR(rep.key_management, c->key_management);
            CHECK_STR(rep.cipher, c->cipher);
        } else {
            CHECK_EQ_INT(pt.len, 0);
        }
        cachet_membuf_free(&pt);
    }
    if (c->armored) {
        free(der);
    }
    free(raw);
}

static void rfc9216_dana_x25519_hkdf_and_x963_decrypt_to_the_sample(void) {
    static const vector_case cases[] = {
        /* RFC 8418 §2.2: HKDF-SHA256, no ukm (no salt), id-aes256-wrap, AES-128-GCM. */
        {"examples-cms/authEnvelopedForDanaX25519HKDF.p7m", false, false, CACHET_OK, sample,
         "ecdh-x25519-hkdf-sha256", "aes-128-gcm"},
        /* RFC 8418 §2.1: X9.63 KDF with SHA-256, id-aes128-wrap; Bob's ktri comes first. */
        {"examples-cms/encryptedForBobAndDana.p7m", false, false, CACHET_OK, sample,
         "ecdh-x25519-sha256kdf", "aes-128-cbc"},
    };
    /* Dana's certificate as both corpora ship it: the rid matches either. */
    static const char *certs[] = {"examples-cms/lamps-dana.encrypt.crt",
                                  "rfc9216-certs-certvalidator/dana@smime.example.enc.pem"};
    for (size_t k = 0; k < sizeof(certs) / sizeof(certs[0]); k++) {
        test_party dana = load_party("examples-cms/lamps-dana.decrypt.p8.pem", certs[k]);
        CHECK_EQ_INT(cachet_pkey_type(dana.key), CACHET_KEY_X25519);
        for (size_t i = 0; dana.key != NULL && dana.cert != NULL && i < 2; i++) {
            run_case(&dana, &cases[i]);
        }
        tu_party_free(&dana);
    }
    {
        /* The file the examples say the content is. */
        size_t len = 0;
        uint8_t *content = read_vector("examples-cms/content.txt", &len);
        CHECK(content != NULL && len >= strlen(sample) && memcmp(content, sample, 28) == 0);
        free(content);
    }
}

static void rfc9216_bob_key_never_opens_danas_kari(void) {
    /* The HKDF message has Dana's kari only: Bob gets "no recipient", and his
     * key is never tried on a RecipientInfo not addressed to him. */
    test_party dana =
        load_party("examples-cms/lamps-dana.decrypt.p8.pem", "examples-cms/lamps-dana.encrypt.crt");
    test_party bob =
        load_party("examples-cms/lamps-bob.decrypt.p8.pem", "examples-cms/lamps-bob.encrypt.crt");
    size_t len = 0;
    uint8_t *der = read_vector("examples-cms/authEnvelopedForDanaX25519HKDF.p7m", &len);
    if (der != NULL && bob.key != NULL && bob.cert != NULL) {
        cachet_membuf pt = {0};
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(tu_decrypt(&bob, NULL, NULL, der, len, FEED_WHOLE, &pt, NULL, &err),
                     CACHET_ERR_NO_RECIPIENT);
        CHECK_EQ_INT(pt.len, 0);
        cachet_membuf_free(&pt);
    }
    free(der);
    tu_party_free(&dana);
    tu_party_free(&bob);
}

static void bc_ecdh_triple_des_wrap_needs_allow_weak_aes192_wrap_does_not(void) {
    static const vector_case cases[] = {
        /* id-alg-CMS3DESwrap (RFC 3217) with NULL parameters, 3DES content. */
        {"bcjava-smime/pkix-cms/ecdh/encSess1.asc", true, true, CACHET_OK, sess_plain,
         "ecdh-stdDH-sha1kdf", "des-ede3-cbc"},
        {"bcjava-smime/pkix-cms/ecdh/encSess2.asc", true, true, CACHET_OK, sess_plain,
         "ecdh-stdDH-sha256kdf", "des-ede3-cbc"},
        {"bcjava-smime/pkix-cms/ecdh/encSessA.asc", true, true, CACHET_OK, sess_plain,
         "ecdh-stdDH-sha1kdf", "des-ede3-cbc"},
        {"bcjava-smime/pkix-cms/ecdh/encSessB.asc", true, true, CACHET_OK, sess_plain,
         "ecdh-stdDH-sha224kdf", "des-ede3-cbc"},
        {"bcjava-smime/pkix-cms/ecdh/encSess1.asc", true, false, CACHET_ERR_POLICY, NULL, NULL,
         NULL},
        {"bcjava-smime/pkix-cms/ecdh/encSessB.asc", true, false, CACHET_ERR_POLICY, NULL, NULL,
         NULL},
        /* id-aes192-wrap with NULL (5, 6) or absent (E, F) parameters, AES-192-CBC. */
        {"bcjava-smime/pkix-cms/ecdh/encSess5.asc", true, false, CACHET_OK, sess_plain,
         "ecdh-stdDH-sha1kdf", "aes-192-cbc"},
        {"bcjava-smime/pkix-cms/ecdh/encSess6.asc", true, false, CACHET_OK, sess_plain,
         "ecdh-stdDH-sha256kdf", "aes-192-cbc"},
        {"bcjava-smime/pkix-cms/ecdh/encSessE.asc", true, false, CACHET_OK, sess_plain,
         "ecdh-stdDH-sha1kdf", "aes-192-cbc"},
        {"bcjava-smime/pkix-cms/ecdh/encSessF.asc", true, false, CACHET_OK, sess_plain,
         "ecdh-stdDH-sha384kdf", "aes-192-cbc"},
    };
    test_party ecc =
        load_party("bcjava-smime/pkix-cms/ecdh/ecc.key", "bcjava-smime/pkix-cms/ecdh/ecc.crt");
    for (size_t i = 0; ecc.key != NULL && ecc.cert != NULL && i < sizeof(cases) / sizeof(cases[0]);
         i++) {
        run_case(&ecc, &cases[i]);
    }
    tu_party_free(&ecc);
}

/* find_kari digs recipientInfos[0] (a kari) and its first encryptedKey out of
 * an EnvelopedData ContentInfo. */
static bool find_kari(const uint8_t *der, size_t len, cachet_cbs *kari, cachet_cbs *ek) {
    cachet_cbs in, ci, content, ed, ris, k, skip, reks, rek;
    uint64_t version;
    bool present;
    cachet_cbs_init(&in, der, len);
    if (!cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) ||
        !cachet_cbs_get_asn1(&ci, &content, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&content, &ed, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1_uint64(&ed, &version) ||
        !cachet_cbs_get_optional_asn1(&ed, &skip, &present, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&ed, &ris, CACHET_ASN1_SET) ||
        !cachet_cbs_get_asn1(&ris, kari, CACHET_ASN1_CONTEXT_CONS(1))) {
        return false;
    }
    k = *kari;
    return cachet_cbs_get_asn1_uint64(&k, &version) &&
           cachet_cbs_get_asn1(&k, &skip, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cbs_get_optional_asn1(&k, &skip, &present, CACHET_ASN1_CONTEXT_CONS(1)) &&
           cachet_cbs_get_asn1(&k, &skip, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&k, &reks, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&reks, &rek, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_any_asn1_element(&rek, &skip, NULL, NULL) &&
           cachet_cbs_get_asn1(&rek, ek, CACHET_ASN1_OCTETSTRING);
}

static void triple_des_wrap_is_refused_by_the_kari_itself_and_marked_weak(void) {
    /* The content cipher (3DES) is refused earlier by the content reader; this
     * proves the key wrap has its own policy check, before the key is used. */
    test_party ecc =
        load_party("bcjava-smime/pkix-cms/ecdh/ecc.key", "bcjava-smime/pkix-cms/ecdh/ecc.crt");
    size_t len = 0, der_len = 0;
    uint8_t *pem = read_vector("bcjava-smime/pkix-cms/ecdh/encSess2.asc", &len);
    uint8_t *der = pem != NULL ? unarmor(pem, len, &der_len) : NULL;
    cachet_cbs kari, ek;
    CHECK(der != NULL && find_kari(der, der_len, &kari, &ek));
    if (der != NULL && ecc.key != NULL && find_kari(der, der_len, &kari, &ek)) {
        uint8_t cek[24];
        cachet_env_recipient_info info;
        cachet_error err;
        memset(&info, 0, sizeof(info));
        cachet_err_clear(&err);
        CHECK_EQ_INT(cachet_env_kari_recover(&kari, &ek, ecc.key, false, cek, 24, &info, &err),
                     CACHET_ERR_POLICY);
        CHECK(strstr(err.message, "CMS3DESwrap") != NULL);
        CHECK_EQ_INT(info.weak, false);
        cachet_err_clear(&err);
        CHECK_EQ_INT(cachet_env_kari_recover(&kari, &ek, ecc.key, true, cek, 24, &info, &err),
                     CACHET_OK);
        CHECK_EQ_INT(info.weak, true);
        CHECK_STR(info.key_management, "ecdh-stdDH-sha256kdf");
        /* A CEK length the 3DES-wrapped key does not have: the uniform failure. */
        cachet_err_clear(&err);
        CHECK_EQ_INT(cachet_env_kari_recover(&kari, &ek, ecc.key, true, cek, 16, &info, &err),
                     CACHET_ERR_DECRYPT);
        CHECK_STR(err.message, CACHET_ENV_DECRYPT_MSG);
    }
    free(der);
    free(pem);
    tu_party_free(&ecc);
}

static const cachet_test_case tests[] = {
    TEST_CASE(rfc9216_dana_x25519_hkdf_and_x963_decrypt_to_the_sample),
    TEST_CASE(rfc9216_bob_key_never_opens_danas_kari),
    TEST_CASE(bc_ecdh_triple_des_wrap_needs_allow_weak_aes192_wrap_does_not),
    TEST_CASE(triple_des_wrap_is_refused_by_the_kari_itself_and_marked_weak),
};

TEST_MAIN(tests)
