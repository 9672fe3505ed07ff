/* Definite lengths when the content size is declared (issue 6): EnvelopedData,
 * AuthEnvelopedData and EncryptedData become DER throughout, with
 * encryptedContent one primitive OCTET STRING as long as the cipher makes it;
 * SignedData gets a definite encapContentInfo with one primitive eContent
 * inside its indefinite outer layers. Each at sizes around the block size, the
 * short length form, 64 KiB and a few MiB, fed whole and in random chunks (and
 * byte by byte when small), read back by cachet and by OpenSSL. Without a
 * declared size the output is indefinite-length BER as before. */
#include "test_cms_enveloped_util.h"
#include "test_cms_lengths.h"
#include "test_cms_signed_pki.h"

static test_party bob;
static tpki_party ca, signer_rsa, signer_p256;
static cachet_trust *trust;

static void setup(void) {
    if (trust != NULL) {
        return;
    }
    bob = tu_party("rsa2048", "bob", 2, "keyEncipherment");
    ca = tpki_make(TPKI_RSA, "Lengths CA", NULL, 1);
    signer_rsa = tpki_make(TPKI_RSA, "rsa", &ca, 2);
    signer_p256 = tpki_make(TPKI_P256, "p256", &ca, 3);
    trust = tpki_trust(&ca);
}

static feed_mode mode_for(size_t size, int k) {
    /* byte by byte only where it stays quick */
    return k == 0 ? FEED_WHOLE : (k == 1 || size > 1000) ? FEED_RANDOM : FEED_BYTES;
}

/* expected_ct: AES-CBC pads to the next whole block, AEAD adds nothing. */
static size_t expected_ct(cachet_cipher c, size_t len) {
    bool cbc = c == CACHET_CIPHER_AES128_CBC || c == CACHET_CIPHER_AES192_CBC ||
               c == CACHET_CIPHER_AES256_CBC;
    return cbc ? (len / 16 + 1) * 16 : len;
}

/* find_encrypted_content walks the DER ContentInfo down to encryptedContent
 * [0] IMPLICIT (primitive) and, for AuthEnvelopedData, the mac. */
static bool find_encrypted_content(const uint8_t *der, size_t len, bool encrypted_data, bool auth,
                                   cachet_cbs *ct, cachet_cbs *mac) {
    cachet_cbs in, ci, wrap, body, skip, eci;
    cachet_cbs_init(&in, der, len);
    bool ok = cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) && in.len == 0 &&
              cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) &&
              cachet_cbs_get_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) && ci.len == 0 &&
              cachet_cbs_get_asn1(&wrap, &body, CACHET_ASN1_SEQUENCE) && wrap.len == 0 &&
              cachet_cbs_get_asn1(&body, &skip, CACHET_ASN1_INTEGER);
    if (ok && !encrypted_data) {
        ok = cachet_cbs_get_asn1(&body, &skip, CACHET_ASN1_SET);
    }
    ok = ok && cachet_cbs_get_asn1(&body, &eci, CACHET_ASN1_SEQUENCE) &&
         cachet_cbs_get_asn1(&eci, &skip, CACHET_ASN1_OBJECT) &&
         cachet_cbs_get_asn1(&eci, &skip, CACHET_ASN1_SEQUENCE) &&
         cachet_cbs_get_asn1(&eci, ct, CACHET_ASN1_CONTEXT(0)) && eci.len == 0;
    if (ok && auth) {
        ok = cachet_cbs_get_asn1(&body, mac, CACHET_ASN1_OCTETSTRING);
    }
    return ok && body.len == 0;
}

/* ossl_decrypt: OpenSSL's plaintext (malloc'd) of an EnvelopedData /
 * AuthEnvelopedData for |p|, or of an EncryptedData under |key|; NULL if it
 * refuses. (Empty content is the point of some cases: no memcpy from NULL.) */
static uint8_t *ossl_decrypt(const uint8_t *der, size_t len, const test_party *p,
                             const uint8_t *key, size_t key_len, size_t *out_len) {
    BIO *in = BIO_new_mem_buf(der, (int)len), *out = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms = d2i_CMS_bio(in, NULL);
    uint8_t *res = NULL;
    int ok = cms == NULL   ? 0
             : key != NULL ? CMS_EncryptedData_decrypt(cms, key, key_len, NULL, out, CMS_BINARY)
                           : CMS_decrypt(cms, p->ossl_key, p->ossl_cert, NULL, out, CMS_BINARY);
    if (ok == 1) {
        char *data = NULL;
        long n = BIO_get_mem_data(out, &data);
        res = malloc((size_t)n + 1);
        if (n > 0) {
            memcpy(res, data, (size_t)n);
        }
        *out_len = (size_t)n;
    }
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(out);
    return res;
}

/* One encryption with a declared size: strict DER, the exact ciphertext
 * length, and the plaintext back through cachet and (CBC, GCM) OpenSSL. */
static void check_encrypt(cachet_cipher cipher, bool encrypted_data, size_t size, int k) {
    static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    cachet_cert_list recips = {0};
    cachet_cert_list_push(&recips, bob.cert);
    bool auth = !encrypted_data && expected_ct(cipher, 1) == 1;
    cachet_cms_encrypt_opts o = {
        .cipher = cipher, .content_size_known = true, .content_size = size};
    if (encrypted_data) {
        o.content_key = key;
        o.content_key_len = cipher == CACHET_CIPHER_AES128_CBC ? 16 : 32;
    } else {
        o.recipients = &recips;
    }
    uint8_t *msg = tl_content(size, (uint32_t)size + 11);
    cachet_membuf out = {0}, pt = {0};
    cachet_error err = {0};
    feed_mode mode = mode_for(size, k);
    CHECK_EQ_INT(tu_encrypt(&o, msg, size, mode, &out, &err), CACHET_OK);
    CHECK(cachet_der_validate(out.data, out.len, 64));
    tl_outline ol;
    CHECK(tl_outline_of(out.data, out.len, 8, &ol));
    CHECK_EQ_INT(ol.indefinite, 0);
    cachet_cbs ct = {0}, mac = {0};
    CHECK(find_encrypted_content(out.data, out.len, encrypted_data, auth, &ct, &mac));
    CHECK_EQ_INT(ct.len, expected_ct(cipher, size));
    CHECK_EQ_INT(mac.len, auth ? 16 : 0);
    if (!encrypted_data) {
        cachet_layer_report rep = {0};
        CHECK_EQ_INT(tu_decrypt(&bob, NULL, NULL, out.data, out.len, mode, &pt, &rep, &err),
                     CACHET_OK);
        CHECK_MEM(pt.data, pt.len, msg, size);
        cachet_cms_layer_report_clear(&rep);
    }
    bool ossl = cipher == CACHET_CIPHER_AES128_CBC || cipher == CACHET_CIPHER_AES256_CBC ||
                cipher == CACHET_CIPHER_AES256_GCM;
    if (ossl) {
        size_t n = 0;
        uint8_t *back = ossl_decrypt(out.data, out.len, &bob, encrypted_data ? key : NULL,
                                     o.content_key_len, &n);
        CHECK(back != NULL);
        if (back != NULL) {
            CHECK_MEM(back, n, msg, size);
        }
        free(back);
    }
    free(msg);
    cachet_membuf_free(&out);
    cachet_membuf_free(&pt);
    cachet_cert_list_clear(&recips);
}

static void enveloped_with_declared_size_is_der_with_exact_ciphertext(void) {
    setup();
    static const cachet_cipher ciphers[] = {CACHET_CIPHER_AES128_CBC, CACHET_CIPHER_AES256_CBC,
                                            CACHET_CIPHER_AES256_GCM, CACHET_CIPHER_AES128_CCM,
                                            CACHET_CIPHER_CHACHA20_POLY1305};
    for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++) {
        for (size_t i = 0; i < TL_NUM_SIZES; i++) {
            for (int k = 0; k < 3; k++) {
                check_encrypt(ciphers[c], false, tl_sizes[i], k);
            }
        }
    }
}

static void encrypted_data_with_declared_size_is_der(void) {
    setup();
    for (size_t i = 0; i < TL_NUM_SIZES; i++) {
        check_encrypt(CACHET_CIPHER_AES128_CBC, true, tl_sizes[i], 1);
        check_encrypt(CACHET_CIPHER_AES256_CBC, true, tl_sizes[i], 0);
    }
}

/* Without a declared size nothing changes: indefinite lengths, segments. */
static void enveloped_without_size_stays_indefinite(void) {
    setup();
    cachet_cert_list recips = {0};
    cachet_cert_list_push(&recips, bob.cert);
    cachet_cms_encrypt_opts o = {.recipients = &recips, .cipher = CACHET_CIPHER_AES256_GCM};
    cachet_membuf out = {0};
    cachet_error err = {0};
    uint8_t *msg = tl_content(40000, 5);
    CHECK_EQ_INT(tu_encrypt(&o, msg, 40000, FEED_RANDOM, &out, &err), CACHET_OK);
    tl_outline ol;
    CHECK(tl_outline_of(out.data, out.len, 3, &ol));
    /* ContentInfo, [0], AuthEnvelopedData, authEncryptedContentInfo, [0] */
    CHECK_EQ_INT(ol.indefinite, 5);
    CHECK(strncmp(ol.text, "30i(06:11 a0i(30i(02:1 31d 30i", 30) == 0);
    free(msg);
    cachet_membuf_free(&out);
    cachet_cert_list_clear(&recips);
}

/* The SignedData outline up to the end of encapContentInfo. */
static void expect_signed_head(const cachet_membuf *out, size_t size, bool definite) {
    tl_outline ol;
    char want[160];
    CHECK(tl_outline_of(out->data, out->len, 6, &ol));
    if (definite) {
        snprintf(want, sizeof(want),
                 "30i(06:9 a0i(30i(02:1 31d(30d(06:9)) 30d(06:9 a0d(04:%zu)) a0d(", size);
        /* ContentInfo, [0], SignedData: the SignerInfos' length is known only at the end */
        CHECK_EQ_INT(ol.indefinite, 3);
    } else {
        snprintf(want, sizeof(want), "30i(06:9 a0i(30i(02:1 31d(30d(06:9)) 30i(06:9 a0i(24i(");
    }
    if (strncmp(ol.text, want, strlen(want)) != 0) {
        fprintf(stderr, "outline: %.200s\nwanted:  %s\n", ol.text, want);
        cachet_test_failures++;
    }
}

static uint8_t *ossl_verify(const cachet_membuf *cms, size_t *out_len) {
    BIO *in = BIO_new_mem_buf(cms->data, (int)cms->len), *out = BIO_new(BIO_s_mem());
    CMS_ContentInfo *ci = d2i_CMS_bio(in, NULL);
    X509_STORE *store = tpki_store(&ca);
    uint8_t *res = NULL;
    if (ci != NULL && CMS_verify(ci, NULL, store, NULL, out, CMS_BINARY) == 1) {
        char *data = NULL;
        long n = BIO_get_mem_data(out, &data);
        res = malloc((size_t)n + 1);
        if (n > 0) {
            memcpy(res, data, (size_t)n);
        }
        *out_len = (size_t)n;
    } else {
        ERR_print_errors_fp(stderr);
    }
    X509_STORE_free(store);
    CMS_ContentInfo_free(ci);
    BIO_free(in);
    BIO_free(out);
    return res;
}

static void signed_with_declared_size_has_one_definite_econtent(void) {
    setup();
    const tpki_party *signers[] = {&signer_rsa, &signer_p256};
    cachet_cms_policy policy = {.trust = trust}; /* now: the certificates are new */
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < TL_NUM_SIZES; i++) {
            size_t size = tl_sizes[i];
            uint8_t *msg = tl_content(size, (uint32_t)size + 3);
            for (int k = 0; k < 3; k++) {
                cachet_cms_signer_opts so = {
                    .key = signers[s]->key, .cert = signers[s]->cert, .md = CACHET_MD_SHA256};
                cachet_cms_sign_opts o = {.signers = &so,
                                          .num_signers = 1,
                                          .content_size_known = true,
                                          .content_size = size};
                cachet_membuf out = {0}, back = {0};
                cachet_error err = {0};
                tfeed mode = (tfeed)mode_for(size, k);
                CHECK_EQ_INT(tpki_sign(&o, msg, size, mode, &out, &err), CACHET_OK);
                expect_signed_head(&out, size, true);
                cachet_layer_report rep;
                CHECK_EQ_INT(tpki_verify(&policy, out.data, out.len, NULL, 0, NULL, 0, mode, &back,
                                         &rep, &err),
                             CACHET_OK);
                CHECK_MEM(back.data, back.len, msg, size);
                cachet_cms_layer_report_clear(&rep);
                if (k == 1) {
                    size_t n = 0;
                    uint8_t *o2 = ossl_verify(&out, &n);
                    CHECK(o2 != NULL);
                    if (o2 != NULL) {
                        CHECK_MEM(o2, n, msg, size);
                    }
                    free(o2);
                }
                cachet_membuf_free(&out);
                cachet_membuf_free(&back);
            }
            free(msg);
        }
    }
}

static void signed_without_size_stays_segmented(void) {
    setup();
    cachet_cms_signer_opts so = {
        .key = signer_rsa.key, .cert = signer_rsa.cert, .md = CACHET_MD_SHA256};
    cachet_cms_sign_opts o = {.signers = &so, .num_signers = 1};
    cachet_membuf out = {0};
    cachet_error err = {0};
    uint8_t *msg = tl_content(10000, 9);
    CHECK_EQ_INT(tpki_sign(&o, msg, 10000, TFEED_RANDOM, &out, &err), CACHET_OK);
    expect_signed_head(&out, 10000, false);
    free(msg);
    cachet_membuf_free(&out);
}

/* The empty signature layer (RFC 3183) is encapsulated too. */
static void empty_layer_with_declared_size(void) {
    setup();
    cachet_cms_sign_opts o = {.empty = true, .content_size_known = true, .content_size = 300};
    cachet_membuf out = {0};
    cachet_error err = {0};
    uint8_t *msg = tl_content(300, 4);
    CHECK_EQ_INT(tpki_sign(&o, msg, 300, TFEED_BYTES, &out, &err), CACHET_OK);
    tl_outline ol;
    CHECK(tl_outline_of(out.data, out.len, 6, &ol));
    CHECK_STR(ol.text, "30i(06:9 a0i(30i(02:1 31d() 30d(06:9 a0d(04:300)) 31d())))");
    free(msg);
    cachet_membuf_free(&out);
}

/* A detached SignedData is DER anyway; the declared size is still enforced. */
static void detached_checks_the_declared_size(void) {
    setup();
    cachet_cms_signer_opts so = {
        .key = signer_p256.key, .cert = signer_p256.cert, .md = CACHET_MD_SHA256};
    cachet_cms_sign_opts o = {.signers = &so,
                              .num_signers = 1,
                              .detached = true,
                              .content_size_known = true,
                              .content_size = 20};
    cachet_membuf out = {0};
    cachet_error err = {0};
    uint8_t *msg = tl_content(21, 4);
    CHECK_EQ_INT(tpki_sign(&o, msg, 20, TFEED_BYTES, &out, &err), CACHET_OK);
    CHECK(cachet_der_validate(out.data, out.len, 64));
    cachet_membuf_free(&out);
    CHECK_EQ_INT(tpki_sign(&o, msg, 19, TFEED_WHOLE, &out, &err), CACHET_ERR_USAGE);
    CHECK_STR(err.message, "input was 19 bytes, content_size said 20");
    CHECK_EQ_INT(out.len, 0);
    cachet_membuf_free(&out);
    free(msg);
}

static const cachet_test_case tests[] = {
    TEST_CASE(enveloped_with_declared_size_is_der_with_exact_ciphertext),
    TEST_CASE(encrypted_data_with_declared_size_is_der),
    TEST_CASE(enveloped_without_size_stays_indefinite),
    TEST_CASE(signed_with_declared_size_has_one_definite_econtent),
    TEST_CASE(signed_without_size_stays_segmented),
    TEST_CASE(empty_layer_with_declared_size),
    TEST_CASE(detached_checks_the_declared_size),
};

TEST_MAIN(tests)
