/* Legacy signatures of issue 5 found by the OpenSSL interop suites (F-ossl-2/3):
 * DSA with SHA-224 (RFC 5754 §3.1) read like DSA with SHA-1/256, and an MD5
 * detached signature refused by policy, not as a digest never computed. The
 * messages are made by OpenSSL's CMS. */
#include <openssl/dsa.h>

#include "test_cms_signed_party.h"

static tpki_party dsa;

/* DSA 2048/224 (FIPS 186-4), the size OpenSSL pairs with SHA-224. */
static void setup_dsa(void) {
    setup();
    if (dsa.key != NULL) {
        return;
    }
    EVP_PKEY *params = NULL, *key = NULL;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
    CHECK(pc != NULL && EVP_PKEY_paramgen_init(pc) == 1 &&
          EVP_PKEY_CTX_set_dsa_paramgen_bits(pc, 2048) == 1 &&
          EVP_PKEY_CTX_set_dsa_paramgen_q_bits(pc, 224) == 1 &&
          EVP_PKEY_paramgen(pc, &params) == 1);
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
    CHECK(kc != NULL && EVP_PKEY_keygen_init(kc) == 1 && EVP_PKEY_keygen(kc, &key) == 1);
    EVP_PKEY_CTX_free(kc);
    EVP_PKEY_free(params);
    dsa = party_make(key, "dora", 302);
}

static cachet_status verify(const uint8_t *der, size_t len, const uint8_t *detached, size_t dlen,
                            tfeed mode, bool allow_weak, cachet_membuf *got,
                            cachet_layer_report *layer, cachet_error *err) {
    cachet_cms_policy pol = {.trust = trust, .allow_weak = allow_weak};
    return tpki_verify(&pol, der, len, detached, dlen, NULL, 0, mode, got, layer, err);
}

/* ossl_cms_sign: a SignedData made by OpenSSL's CMS with |md| (DER). */
static cachet_membuf ossl_cms_sign(const tpki_party *p, const EVP_MD *md, bool detached) {
    cachet_membuf out = {0};
    BIO *in = BIO_new_mem_buf(msg, (int)MSG_LEN);
    unsigned flags = CMS_BINARY | CMS_PARTIAL | (detached ? CMS_DETACHED : 0);
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
    CHECK(cms != NULL && CMS_add1_signer(cms, p->ossl_cert, p->ossl_key, md, 0) != NULL &&
          CMS_final(cms, in, NULL, flags) == 1);
    unsigned char *der = NULL;
    int len = i2d_CMS_ContentInfo(cms, &der);
    CHECK(len > 0);
    cachet_membuf_append(&out, der, (size_t)len);
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    return out;
}

/* RFC 5754 §3.1: id-dsa-with-sha224 is read like DSA with SHA-1/256: legacy,
 * accepted with allow_weak and reported weak, refused by policy otherwise. */
static void dsa_with_sha224_is_legacy(void) {
    setup_dsa();
    for (int detached = 0; detached < 2; detached++) {
        cachet_membuf der = ossl_cms_sign(&dsa, EVP_sha224(), detached);
        cachet_membuf got = {0};
        cachet_error err = {0};
        cachet_layer_report layer;
        const uint8_t *dc = detached ? msg : NULL;
        cachet_status st =
            verify(der.data, der.len, dc, MSG_LEN, TFEED_RANDOM, true, &got, &layer, &err);
        if (st != CACHET_OK) {
            fprintf(stderr, "dsa-sha224 detached=%d: %s\n", detached, err.message);
        }
        CHECK_EQ_INT(st, CACHET_OK);
        CHECK(layer.num_signers == 1);
        if (layer.num_signers == 1) {
            CHECK_STR(layer.signers[0].algorithm, "id-dsa-with-sha224");
            CHECK_STR(layer.signers[0].digest, "sha224");
            CHECK_EQ_INT(layer.signers[0].weak, true);
        }
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&got);
        CHECK_EQ_INT(verify(der.data, der.len, dc, MSG_LEN, TFEED_WHOLE, false, &got, &layer, &err),
                     CACHET_ERR_POLICY);
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&got);
        cachet_membuf_free(&der);
    }
}

/* MD5 is left out of the digests of detached content unless allow_weak; a
 * signer using it is then refused by policy and reported weak (like SHA-1),
 * not UNSUPPORTED "not computed". With allow_weak it verifies, weak. */
static void md5_detached_without_allow_weak_is_policy(void) {
    setup();
    cachet_membuf der = ossl_cms_sign(&alice, EVP_md5(), true);
    cachet_membuf got = {0};
    cachet_error err = {0};
    cachet_layer_report layer;
    CHECK_EQ_INT(verify(der.data, der.len, msg, MSG_LEN, TFEED_BYTES, false, &got, &layer, &err),
                 CACHET_ERR_POLICY);
    CHECK(layer.num_signers == 1);
    if (layer.num_signers == 1) {
        CHECK_EQ_INT(layer.signers[0].weak, true);
        CHECK_EQ_INT(layer.signers[0].signature_status, CACHET_ERR_POLICY);
        CHECK(strstr(layer.signers[0].signature_detail, "refused") != NULL);
        CHECK_STR(layer.signers[0].digest, "md5");
    }
    cachet_cms_layer_report_clear(&layer);
    CHECK_EQ_INT(verify(der.data, der.len, msg, MSG_LEN, TFEED_RANDOM, true, &got, &layer, &err),
                 CACHET_OK);
    CHECK(layer.num_signers == 1 && layer.signers[0].weak);
    cachet_cms_layer_report_clear(&layer);
    cachet_membuf_free(&der);
    /* the policy check is about the weak digest only: SHA-224 (now computed for
     * detached content) verifies without allow_weak */
    der = ossl_cms_sign(&alice, EVP_sha224(), true);
    CHECK_EQ_INT(verify(der.data, der.len, msg, MSG_LEN, TFEED_WHOLE, false, &got, &layer, &err),
                 CACHET_OK);
    CHECK(layer.num_signers == 1 && !layer.signers[0].weak);
    cachet_cms_layer_report_clear(&layer);
    cachet_membuf_free(&der);
    cachet_membuf_free(&got);
}

static const cachet_test_case tests[] = {
    TEST_CASE(dsa_with_sha224_is_legacy),
    TEST_CASE(md5_detached_without_allow_weak_is_policy),
};
TEST_MAIN(tests)
