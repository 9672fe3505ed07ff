/* SignedData interop with OpenSSL's CMS at unit level: OpenSSL reads back the
 * structure cachet writes (attributes, versions, algorithm identifiers), and
 * cachet verifies what OpenSSL streams (i2d_CMS_bio_stream), with and without
 * -keyid, detached and encapsulated, fed whole, byte by byte and in chunks, and
 * refuses OpenSSL's SignerInfos without signedAttrs (CMS_NOATTR) unless weak
 * algorithms are allowed (ATTACKS.md SG-03). */
#include <openssl/rsa.h>

#include "test_cms_signed_pki.h"

static tpki_party ca, rsa, p256, p384;
static cachet_trust *trust;
static const int64_t when = 1767225600; /* 2026-01-01T00:00:00Z */

static void setup(void) {
    if (trust != NULL) {
        return;
    }
    ca = tpki_make(TPKI_RSA, "Interop CA", NULL, 1);
    rsa = tpki_make(TPKI_RSA, "rsa", &ca, 2);
    p256 = tpki_make(TPKI_P256, "p256", &ca, 3);
    p384 = tpki_make(TPKI_P384, "p384", &ca, 4);
    trust = tpki_trust(&ca);
}

static uint8_t *make_content(size_t len) {
    uint8_t *c = malloc(len + 1);
    uint32_t r = 7;
    for (size_t i = 0; i < len; i++) {
        c[i] = (uint8_t)cachet_test_rand(&r);
    }
    return c;
}

/* RFC 5652 §5.3/§11, RFC 8551 §2.5.2, RFC 5035: the five signed attributes,
 * versions 1/3 and rsaEncryption as signatureAlgorithm, read back by OpenSSL. */
static void signed_structure_read_back_by_openssl(void) {
    setup();
    for (int ski = 0; ski < 2; ski++) {
        cachet_cms_signer_opts so = {
            .key = rsa.key, .cert = rsa.cert, .md = CACHET_MD_SHA384, .pss = false, .use_ski = ski};
        cachet_cms_sign_opts opts = {
            .signers = &so, .num_signers = 1, .detached = true, .signing_time = when};
        cachet_membuf out = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(tpki_sign(&opts, (const uint8_t *)"x", 1, TFEED_WHOLE, &out, &err), CACHET_OK);
        const unsigned char *p = out.data;
        CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)out.len);
        CHECK(cms != NULL);
        if (cms == NULL) {
            continue;
        }
        CHECK(CMS_is_detached(cms));
        STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
        CHECK_EQ_INT(sk_CMS_SignerInfo_num(sis), 1);
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
        CHECK_EQ_INT(CMS_signed_get_attr_count(si), 5);
        CHECK(CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1) >= 0);
        CHECK(CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1) >= 0);
        CHECK(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0);
        CHECK(CMS_signed_get_attr_by_NID(si, NID_SMIMECapabilities, -1) >= 0);
        CHECK(CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) >= 0);
        X509_ALGOR *dig = NULL, *sig = NULL;
        CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
        const ASN1_OBJECT *obj = NULL;
        X509_ALGOR_get0(&obj, NULL, NULL, sig);
        CHECK_EQ_INT(OBJ_obj2nid(obj), NID_rsaEncryption);
        X509_ALGOR_get0(&obj, NULL, NULL, dig);
        CHECK_EQ_INT(OBJ_obj2nid(obj), NID_sha384);
        ASN1_OCTET_STRING *keyid = NULL;
        X509_NAME *issuer = NULL;
        ASN1_INTEGER *serial = NULL;
        CHECK(CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) == 1);
        CHECK_EQ_INT(keyid != NULL, ski);
        /* §5.1: SignedData version 3 exactly when a SignerInfo is version 3 */
        cachet_cbs in, ci, wrap, sd;
        uint64_t version = 0;
        cachet_cbs_init(&in, out.data, out.len);
        CHECK(cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_oid(&ci, &(cachet_oid){0}, NULL) &&
              cachet_cbs_get_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbs_get_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_asn1_uint64(&sd, &version));
        CHECK_EQ_INT(version, ski ? 3 : 1);
        CHECK(cachet_der_validate(out.data, out.len, 64));
        CMS_ContentInfo_free(cms);
        cachet_membuf_free(&out);
    }
}

/* OpenSSL's output, streamed with indefinite lengths (i2d_CMS_bio_stream), with
 * and without -keyid, detached and encapsulated, verified by cachet. */
static void openssl_streamed_output_verifies(void) {
    setup();
    tpki_party *who[] = {&rsa, &p256, &p384};
    const EVP_MD *mds[] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
    const size_t len = 5000;
    uint8_t *content = make_content(len);
    for (size_t w = 0; w < 3; w++) {
        for (int keyid = 0; keyid < 2; keyid++) {
            for (int detached = 0; detached < 2; detached++) {
                /* OpenSSL's DER streaming embeds the content even with CMS_DETACHED
                 * (detached streaming exists only for its S/MIME writer), so the
                 * detached case is produced without CMS_STREAM. */
                unsigned flags = CMS_BINARY | CMS_PARTIAL | (detached ? CMS_DETACHED : CMS_STREAM);
                CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
                CHECK(cms != NULL);
                CHECK(CMS_add1_signer(cms, who[w]->ossl_cert, who[w]->ossl_key, mds[w],
                                      flags | (keyid ? CMS_USE_KEYID : 0)) != NULL);
                BIO *in = BIO_new_mem_buf(content, (int)len);
                BIO *out = BIO_new(BIO_s_mem());
                if (detached) {
                    CHECK(CMS_final(cms, in, NULL, flags) == 1);
                    CHECK(i2d_CMS_bio(out, cms) == 1);
                } else {
                    CHECK(i2d_CMS_bio_stream(out, cms, in, (int)flags) == 1);
                }
                char *der = NULL;
                long der_len = BIO_get_mem_data(out, &der);
                CHECK(der_len > 2 && (uint8_t)der[1] == (detached ? 0x82 : 0x80));
                for (tfeed f = TFEED_WHOLE; f <= TFEED_RANDOM; f++) {
                    cachet_membuf got = {0};
                    cachet_error err = {0};
                    cachet_layer_report layer;
                    cachet_cms_policy pol = {.trust = trust};
                    cachet_status st =
                        tpki_verify(&pol, (const uint8_t *)der, (size_t)der_len,
                                    detached ? content : NULL, len, NULL, 0, f, &got, &layer, &err);
                    if (st != CACHET_OK) {
                        fprintf(stderr, "openssl %zu keyid=%d detached=%d: %s %s %s\n", w, keyid,
                                detached, cachet_status_str(st), err.where, err.message);
                    }
                    CHECK_EQ_INT(st, CACHET_OK);
                    CHECK_EQ_INT(layer.num_signers, 1);
                    if (layer.num_signers == 1) {
                        CHECK_EQ_INT(layer.signers[0].sid_is_ski, keyid);
                    }
                    if (!detached) {
                        CHECK_MEM(got.data, got.len, content, len);
                    }
                    cachet_cms_layer_report_clear(&layer);
                    cachet_membuf_free(&got);
                }
                BIO_free(in);
                BIO_free(out);
                CMS_ContentInfo_free(cms);
            }
        }
    }
    free(content);
}

/* RFC 4056 §3: the verifier takes saltLength from RSASSA-PSS-params. OpenSSL signs
 * with the maximum salt (222 bytes for RSA-2048/SHA-256); regression: such
 * signatures were refused as "inconsistent RSASSA-PSS parameters". */
static void openssl_pss_with_maximum_salt_verifies(void) {
    setup();
    static const uint8_t content[] = "PSS with the longest salt the key allows";
    unsigned flags = CMS_BINARY | CMS_PARTIAL;
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
    CMS_SignerInfo *si =
        CMS_add1_signer(cms, rsa.ossl_cert, rsa.ossl_key, EVP_sha256(), flags | CMS_KEY_PARAM);
    CHECK(si != NULL);
    EVP_PKEY_CTX *pctx = si != NULL ? CMS_SignerInfo_get0_pkey_ctx(si) : NULL;
    CHECK(pctx != NULL && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_MAX) > 0);
    BIO *in = BIO_new_mem_buf(content, (int)sizeof(content) - 1);
    CHECK(CMS_final(cms, in, NULL, flags) == 1);
    uint8_t *der = NULL;
    int der_len = i2d_CMS_ContentInfo(cms, &der);
    CHECK(der_len > 0);
    cachet_membuf got = {0};
    cachet_error err = {0};
    cachet_layer_report layer;
    cachet_cms_policy pol = {.trust = trust};
    cachet_status st =
        tpki_verify(&pol, der, (size_t)der_len, NULL, 0, NULL, 0, TFEED_WHOLE, &got, &layer, &err);
    if (st != CACHET_OK) {
        fprintf(stderr, "pss max salt: %s %s %s\n", cachet_status_str(st), err.where, err.message);
    }
    CHECK_EQ_INT(st, CACHET_OK);
    CHECK_STR(layer.num_signers == 1 ? layer.signers[0].algorithm : "", "rsassa-pss");
    CHECK_MEM(got.data, got.len, content, sizeof(content) - 1);
    cachet_cms_layer_report_clear(&layer);
    cachet_membuf_free(&got);
    OPENSSL_free(der);
    BIO_free(in);
    CMS_ContentInfo_free(cms);
}

/* noattr_cms: |content| signed by OpenSSL without signed attributes (CMS_NOATTR:
 * the signature is over the content digest, RFC 5652 §5.4), DER; RSASSA-PSS when
 * |pss|. CMS_sign itself for the plain case, as `openssl cms -sign -noattr` does. */
static uint8_t *noattr_cms(const tpki_party *p, const EVP_MD *md, bool pss, bool detached,
                           const uint8_t *content, size_t len, int *der_len) {
    unsigned flags = CMS_BINARY | CMS_NOATTR | (detached ? CMS_DETACHED : 0);
    BIO *in = BIO_new_mem_buf(content, (int)len);
    CMS_ContentInfo *cms = NULL;
    if (!pss && md == EVP_sha256()) {
        cms = CMS_sign(p->ossl_cert, p->ossl_key, NULL, in, flags);
    } else {
        cms = CMS_sign(NULL, NULL, NULL, NULL, flags | CMS_PARTIAL);
        CMS_SignerInfo *si =
            CMS_add1_signer(cms, p->ossl_cert, p->ossl_key, md, flags | (pss ? CMS_KEY_PARAM : 0));
        EVP_PKEY_CTX *pctx = si != NULL && pss ? CMS_SignerInfo_get0_pkey_ctx(si) : NULL;
        CHECK(si != NULL &&
              (!pss ||
               (pctx != NULL && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) > 0)));
        CHECK(CMS_final(cms, in, NULL, flags) == 1);
    }
    CHECK(cms != NULL);
    uint8_t *der = NULL;
    *der_len = cms != NULL ? i2d_CMS_ContentInfo(cms, &der) : 0;
    CHECK(*der_len > 0);
    if (cms != NULL) {
        /* no signedAttrs indeed, and OpenSSL verifies its own signature */
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
        CHECK(si != NULL && CMS_signed_get_attr_count(si) < 0);
        X509_STORE *store = tpki_store(&ca);
        BIO *dc = detached ? BIO_new_mem_buf(content, (int)len) : NULL;
        CHECK(CMS_verify(cms, NULL, store, dc, NULL, CMS_BINARY) == 1);
        ERR_clear_error();
        BIO_free(dc);
        X509_STORE_free(store);
    }
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    return der;
}

/* SG-03: a SignerInfo without signedAttrs made by OpenSSL (RSA SHA-256 - what
 * `openssl cms -sign -noattr` writes -, RSASSA-PSS and ECDSA) is refused with
 * ATTRIBUTES by default, opaque and detached, in every feeding mode; with
 * allow_weak it is valid, trusted and reported weak, and the signature is really
 * checked (a changed byte of detached content is a bad signature). */
static void openssl_noattr_signers_need_allow_weak(void) {
    setup();
    static const uint8_t content[] = "Signed by OpenSSL without signed attributes.\r\n";
    const size_t len = sizeof(content) - 1;
    uint8_t changed[sizeof(content)];
    memcpy(changed, content, sizeof(content));
    changed[3] ^= 0x01;
    struct {
        const char *name;
        const tpki_party *p;
        const EVP_MD *md;
        bool pss;
        const char *algorithm, *digest;
    } cases[] = {
        {"rsa sha256", &rsa, EVP_sha256(), false, "rsaEncryption", "sha256"},
        {"rsa-pss sha256", &rsa, EVP_sha256(), true, "rsassa-pss", "sha256"},
        {"ecdsa p256 sha256", &p256, EVP_sha256(), false, "ecdsa-with-SHA256", "sha256"},
        {"ecdsa p384 sha384", &p384, EVP_sha384(), false, "ecdsa-with-SHA384", "sha384"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int detached = 0; detached < 2; detached++) {
            int der_len = 0;
            uint8_t *der =
                noattr_cms(cases[i].p, cases[i].md, cases[i].pss, detached, content, len, &der_len);
            /* run 0: default policy; 1: allow_weak; 2: allow_weak, changed content */
            for (int run = 0; run < (detached ? 3 : 2); run++) {
                for (tfeed f = TFEED_WHOLE; f <= TFEED_RANDOM; f++) {
                    cachet_membuf got = {0};
                    cachet_error err = {0};
                    cachet_layer_report layer;
                    cachet_cms_policy pol = {.trust = trust, .allow_weak = run > 0};
                    cachet_status want = run == 0   ? CACHET_ERR_ATTRIBUTES
                                         : run == 1 ? CACHET_OK
                                                    : CACHET_ERR_BAD_SIGNATURE;
                    cachet_status st = tpki_verify(&pol, der, (size_t)der_len,
                                                   detached ? (run == 2 ? changed : content) : NULL,
                                                   len, NULL, 0, f, &got, &layer, &err);
                    if (st != want) {
                        fprintf(stderr, "noattr %s detached=%d run %d: %s %s %s\n", cases[i].name,
                                detached, run, cachet_status_str(st), err.where, err.message);
                    }
                    CHECK_EQ_INT(st, want);
                    CHECK_EQ_INT(layer.num_signers, 1);
                    if (layer.num_signers == 1) {
                        const cachet_signer_report *r = &layer.signers[0];
                        CHECK_STR(r->algorithm, cases[i].algorithm);
                        CHECK_STR(r->digest, cases[i].digest);
                        CHECK_EQ_INT(r->signature_valid, run == 1);
                        CHECK_EQ_INT(r->weak, run > 0); /* a property of the signer */
                        CHECK_EQ_INT(r->chain,
                                     run == 1 ? CACHET_CHAIN_TRUSTED : CACHET_CHAIN_NOT_CHECKED);
                    }
                    if (run == 0) {
                        CHECK_STR(err.where, "SignedData.signerInfos[0]");
                        CHECK_STR(err.message,
                                  "SignerInfo without signed attributes refused (ForgedAttributes "
                                  "risk, ATTACKS SG-03); accepted only when weak algorithms are "
                                  "allowed (reported weak)");
                    }
                    if (run == 1 && !detached) {
                        CHECK_MEM(got.data, got.len, content, len);
                    }
                    cachet_cms_layer_report_clear(&layer);
                    cachet_membuf_free(&got);
                }
            }
            OPENSSL_free(der);
        }
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(openssl_noattr_signers_need_allow_weak),
    TEST_CASE(openssl_pss_with_maximum_salt_verifies),
    TEST_CASE(signed_structure_read_back_by_openssl),
    TEST_CASE(openssl_streamed_output_verifies),
};
TEST_MAIN(tests)
