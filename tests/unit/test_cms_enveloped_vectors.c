/* EnvelopedData made by other implementations ($CACHET_VECTORS, see
 * ../shared/vectors/MANIFEST.md): OpenSSL 2015 ECDH messages collected by Bouncy
 * Castle, and RFC 4134 §5.1 (3DES). */
#include <openssl/bio.h>
#include <openssl/evp.h>

#include "test_cms_enveloped_util.h"

/* unarmor strips "-----BEGIN CMS-----" armor and decodes the base64 body. */
static uint8_t *unarmor(const uint8_t *pem, size_t len, size_t *out_len) {
    BIO *b64 = BIO_new(BIO_f_base64()), *mem;
    const char *start = strstr((const char *)pem, "-----BEGIN CMS-----");
    const char *end = strstr((const char *)pem, "-----END CMS-----");
    uint8_t *out = malloc(len);
    int n;
    if (start == NULL || end == NULL || out == NULL) {
        free(out);
        BIO_free(b64);
        return NULL;
    }
    start += strlen("-----BEGIN CMS-----");
    mem = BIO_new_mem_buf(start, (int)(end - start));
    BIO_push(b64, mem);
    n = BIO_read(b64, out, (int)len);
    BIO_free_all(b64);
    *out_len = n > 0 ? (size_t)n : 0;
    return out;
}

static test_party load_party(const char *key_rel, const char *cert_rel) {
    test_party p;
    size_t klen = 0, clen = 0;
    uint8_t *k = cachet_test_read_file(cachet_test_vector_path(key_rel), &klen);
    uint8_t *c = cachet_test_read_file(cachet_test_vector_path(cert_rel), &clen);
    cachet_cert_list list = {0};
    cachet_error err;
    memset(&p, 0, sizeof(p));
    cachet_err_clear(&err);
    CHECK(k != NULL && c != NULL);
    if (k != NULL && c != NULL) {
        if (cachet_pkey_load_private(k, klen, NULL, &p.key, &err) != CACHET_OK) {
            /* crypto/ does not skip the leading "EC PARAMETERS" block of ecc.key
             * (reported): read it with OpenSSL and hand over PKCS#8 instead. */
            BIO *bio = BIO_new_mem_buf(k, (int)klen);
            EVP_PKEY *ok = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
            fprintf(stderr, "  note: %s: %s (falling back to OpenSSL PEM reading)\n", key_rel,
                    err.message);
            CHECK(ok != NULL);
            if (ok != NULL) {
                p.key = tu_cachet_key(ok);
            }
            EVP_PKEY_free(ok);
            BIO_free(bio);
        }
        CHECK_EQ_INT(cachet_cert_load(c, clen, &list, &err), CACHET_OK);
        if (list.num > 0) {
            p.cert = cachet_cert_up_ref(list.certs[0]);
        }
    }
    cachet_cert_list_clear(&list);
    free(k);
    free(c);
    return p;
}

static void bc_openssl_ecdh_vectors_decrypt(void) {
    static const char plain[] = "abcdefghijklmnopqrstuvwxyz0123456789\r\n";
    static const struct {
        char id;
        cachet_status want;
        const char *km;
    } cases[] = {
        {'C', CACHET_OK, "ecdh-stdDH-sha1kdf"},
        {'D', CACHET_OK, "ecdh-stdDH-sha256kdf"},
        {'E', CACHET_OK, "ecdh-stdDH-sha1kdf"},
        {'F', CACHET_OK, "ecdh-stdDH-sha384kdf"},
        {'G', CACHET_OK, "ecdh-stdDH-sha1kdf"},
        {'H', CACHET_OK, "ecdh-stdDH-sha512kdf"},
        {'3', CACHET_OK, "ecdh-stdDH-sha1kdf"},
        {'4', CACHET_OK, "ecdh-stdDH-sha256kdf"},
        {'7', CACHET_OK, "ecdh-stdDH-sha1kdf"},
        {'8', CACHET_OK, "ecdh-stdDH-sha256kdf"},
        /* 3DES content: refused by policy before the key is used. */
        {'1', CACHET_ERR_POLICY, ""},
        {'A', CACHET_ERR_POLICY, ""},
    };
    test_party ecc =
        load_party("bcjava-smime/pkix-cms/ecdh/ecc.key", "bcjava-smime/pkix-cms/ecdh/ecc.crt");
    if (ecc.key == NULL || ecc.cert == NULL) {
        return;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char rel[64];
        size_t len = 0, der_len = 0;
        uint8_t *pem, *der;
        snprintf(rel, sizeof(rel), "bcjava-smime/pkix-cms/ecdh/encSess%c.asc", cases[i].id);
        pem = cachet_test_read_file(cachet_test_vector_path(rel), &len);
        CHECK(pem != NULL);
        if (pem == NULL) {
            continue;
        }
        der = unarmor(pem, len, &der_len);
        CHECK(der != NULL && der_len > 0);
        for (int mode = FEED_WHOLE; der != NULL && mode <= FEED_RANDOM; mode++) {
            cachet_membuf pt = {0};
            cachet_layer_report rep;
            cachet_error err;
            cachet_err_clear(&err);
            CHECK_EQ_INT(
                tu_decrypt(&ecc, NULL, NULL, der, der_len, (feed_mode)mode, &pt, &rep, &err),
                cases[i].want);
            if (err.status != cases[i].want) {
                fprintf(stderr, "  encSess%c: %s: %s\n", cases[i].id, err.where, err.message);
            }
            if (cases[i].want == CACHET_OK) {
                CHECK_MEM(pt.data, pt.len, plain, strlen(plain));
                CHECK_STR(rep.key_management, cases[i].km);
                CHECK_EQ_INT(rep.authenticated, false);
            } else {
                CHECK_EQ_INT(pt.len, 0);
            }
            cachet_membuf_free(&pt);
        }
        free(der);
        free(pem);
    }
    {
        /* encSess1's id-alg-CMS3DESwrap is legacy: refused by default, decrypts
         * with allow_weak (test_cms_kari_vectors covers the content). */
        cachet_cms_policy weak = {.allow_weak = true};
        size_t len = 0, der_len = 0;
        uint8_t *pem = cachet_test_read_file(
            cachet_test_vector_path("bcjava-smime/pkix-cms/ecdh/encSess1.asc"), &len);
        uint8_t *der = pem != NULL ? unarmor(pem, len, &der_len) : NULL;
        cachet_membuf pt = {0};
        cachet_error err;
        cachet_err_clear(&err);
        CHECK(der != NULL);
        if (der != NULL) {
            CHECK_EQ_INT(tu_decrypt(&ecc, NULL, NULL, der, der_len, FEED_WHOLE, &pt, NULL, &err),
                         CACHET_ERR_POLICY);
            CHECK_EQ_INT(pt.len, 0);
            cachet_err_clear(&err);
            CHECK_EQ_INT(tu_decrypt(&ecc, &weak, NULL, der, der_len, FEED_WHOLE, &pt, NULL, &err),
                         CACHET_OK);
            CHECK(pt.len > 0);
        }
        cachet_membuf_free(&pt);
        free(der);
        free(pem);
    }
    tu_party_free(&ecc);
}

static void rfc4134_5_1_and_5_2_legacy_only_with_allow_weak(void) {
    static const char plain[] = "This is some sample content.";
    cachet_cms_policy weak = {.allow_weak = true};
    size_t len = 0, len2 = 0;
    uint8_t *der = cachet_test_read_file(cachet_test_vector_path("rfc4134-bcjava/5.1.bin"), &len);
    uint8_t *der2 = cachet_test_read_file(cachet_test_vector_path("rfc4134-bcjava/5.2.bin"), &len2);
    test_party bob =
        load_party("rfc4134-bcjava/BobPrivRSAEncrypt.pri", "rfc4134-bcjava/BobRSASignByCarl.cer");
    CHECK(der != NULL && der2 != NULL);
    if (der != NULL && der2 != NULL && bob.key != NULL && bob.cert != NULL) {
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf pt = {0};
            cachet_layer_report rep;
            cachet_error err;
            cachet_err_clear(&err);
            /* Refused by default: 3DES content (policy checked before the key is used). */
            CHECK_EQ_INT(tu_decrypt(&bob, NULL, NULL, der, len, (feed_mode)mode, &pt, NULL, &err),
                         CACHET_ERR_POLICY);
            CHECK_EQ_INT(pt.len, 0);
            cachet_err_clear(&err);
            CHECK_EQ_INT(tu_decrypt(&bob, &weak, NULL, der, len, (feed_mode)mode, &pt, &rep, &err),
                         CACHET_OK);
            CHECK_MEM(pt.data, pt.len, plain, strlen(plain));
            CHECK_STR(rep.cipher, "des-ede3-cbc");
            CHECK_STR(rep.key_management, "rsaEncryption");
            CHECK_EQ_INT(rep.num_recipients, 1);
            /* 5.2: RC2/40 content (parameter version 160) is legacy too: refused
             * by default, decrypts with allow_weak. */
            cachet_err_clear(&err);
            pt.len = 0;
            CHECK_EQ_INT(tu_decrypt(&bob, NULL, NULL, der2, len2, (feed_mode)mode, &pt, NULL, &err),
                         CACHET_ERR_POLICY);
            CHECK_EQ_INT(pt.len, 0);
            cachet_err_clear(&err);
            CHECK_EQ_INT(
                tu_decrypt(&bob, &weak, NULL, der2, len2, (feed_mode)mode, &pt, &rep, &err),
                CACHET_OK);
            CHECK_MEM(pt.data, pt.len, plain, strlen(plain));
            CHECK_STR(rep.cipher, "rc2-40-cbc");
            cachet_membuf_free(&pt);
        }
    }
    free(der);
    free(der2);
    tu_party_free(&bob);
}

static const cachet_test_case tests[] = {
    TEST_CASE(bc_openssl_ecdh_vectors_decrypt),
    TEST_CASE(rfc4134_5_1_and_5_2_legacy_only_with_allow_weak),
};

TEST_MAIN(tests)
