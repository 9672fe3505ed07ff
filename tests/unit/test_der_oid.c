/* The OID table agrees with OpenSSL's object table, round-trips through the
 * builder and reader, and names unknown OIDs as such. */
#include <openssl/objects.h>

#include "der/der.h"
#include "testlib.h"

/* openssl_der returns the DER contents OpenSSL has for |obj| in |buf|. */
static size_t openssl_der(ASN1_OBJECT *obj, uint8_t *buf, size_t cap) {
    size_t n = OBJ_length(obj);
    if (n > cap) {
        return 0;
    }
    memcpy(buf, OBJ_get0_data(obj), n);
    return n;
}

static void every_row_encodes_its_dotted_text(void) {
    for (int o = CACHET_OID_UNKNOWN + 1; o < CACHET_OID__COUNT; o++) {
        const char *dotted = cachet_oid_dotted((cachet_oid)o);
        CHECK(dotted != NULL);
        if (dotted == NULL) {
            continue;
        }
        ASN1_OBJECT *obj = OBJ_txt2obj(dotted, 1);
        CHECK(obj != NULL);
        uint8_t want[64];
        size_t want_len = obj != NULL ? openssl_der(obj, want, sizeof(want)) : 0;
        size_t len = 0;
        const uint8_t *der = cachet_oid_der((cachet_oid)o, &len);
        if (!cachet_test_mem_eq(der, len, want, want_len)) {
            fprintf(stderr, "row %s (%s) differs from OpenSSL\n", cachet_oid_name((cachet_oid)o),
                    dotted);
        }
        CHECK_MEM(der, len, want, want_len);
        cachet_cbs c;
        char text[64];
        cachet_cbs_init(&c, der, len);
        CHECK(cachet_cbs_oid_to_text(&c, text, sizeof(text)));
        CHECK_STR(text, dotted);
        CHECK_EQ_INT(cachet_oid_lookup(der, len), o);
        ASN1_OBJECT_free(obj);
    }
}

/* Rows checked against OpenSSL's own registry by NID, independent of our dotted text. */
static void rows_match_openssl_nids(void) {
    static const struct {
        cachet_oid oid;
        int nid;
    } cases[] = {
        {CACHET_OID_DATA, NID_pkcs7_data},
        {CACHET_OID_SIGNED_DATA, NID_pkcs7_signed},
        {CACHET_OID_ENVELOPED_DATA, NID_pkcs7_enveloped},
        {CACHET_OID_DIGESTED_DATA, NID_pkcs7_digest},
        {CACHET_OID_ENCRYPTED_DATA, NID_pkcs7_encrypted},
        {CACHET_OID_AUTH_ENVELOPED_DATA, NID_id_smime_ct_authEnvelopedData},
        {CACHET_OID_COMPRESSED_DATA, NID_id_smime_ct_compressedData},
        {CACHET_OID_AUTH_DATA, NID_id_smime_ct_authData},
        {CACHET_OID_CT_TSTINFO, NID_id_smime_ct_TSTInfo},
        {CACHET_OID_CT_RECEIPT, NID_id_smime_ct_receipt},
        {CACHET_OID_ATTR_CONTENT_TYPE, NID_pkcs9_contentType},
        {CACHET_OID_ATTR_MESSAGE_DIGEST, NID_pkcs9_messageDigest},
        {CACHET_OID_ATTR_SIGNING_TIME, NID_pkcs9_signingTime},
        {CACHET_OID_ATTR_COUNTERSIGNATURE, NID_pkcs9_countersignature},
        {CACHET_OID_ATTR_SMIME_CAPABILITIES, NID_SMIMECapabilities},
        {CACHET_OID_ATTR_ENCRYPTION_KEY_PREF, NID_id_smime_aa_encrypKeyPref},
        {CACHET_OID_ATTR_SIGNING_CERTIFICATE, NID_id_smime_aa_signingCertificate},
        {CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2, NID_id_smime_aa_signingCertificateV2},
        {CACHET_OID_ATTR_RECEIPT_REQUEST, NID_id_smime_aa_receiptRequest},
        {CACHET_OID_ATTR_SECURITY_LABEL, NID_id_smime_aa_securityLabel},
        {CACHET_OID_ATTR_CONTENT_HINT, NID_id_smime_aa_contentHint},
        {CACHET_OID_ATTR_SIGNATURE_TYPE, NID_id_smime_aa_signatureType},
        {CACHET_OID_MD5, NID_md5},
        {CACHET_OID_SHA1, NID_sha1},
        {CACHET_OID_SHA224, NID_sha224},
        {CACHET_OID_SHA256, NID_sha256},
        {CACHET_OID_SHA384, NID_sha384},
        {CACHET_OID_SHA512, NID_sha512},
        {CACHET_OID_RSA_ENCRYPTION, NID_rsaEncryption},
        {CACHET_OID_MD5_WITH_RSA, NID_md5WithRSAEncryption},
        {CACHET_OID_SHA1_WITH_RSA, NID_sha1WithRSAEncryption},
        {CACHET_OID_SHA224_WITH_RSA, NID_sha224WithRSAEncryption},
        {CACHET_OID_SHA256_WITH_RSA, NID_sha256WithRSAEncryption},
        {CACHET_OID_SHA384_WITH_RSA, NID_sha384WithRSAEncryption},
        {CACHET_OID_SHA512_WITH_RSA, NID_sha512WithRSAEncryption},
        {CACHET_OID_RSASSA_PSS, NID_rsassaPss},
        {CACHET_OID_MGF1, NID_mgf1},
        {CACHET_OID_RSAES_OAEP, NID_rsaesOaep},
        {CACHET_OID_PSPECIFIED, NID_pSpecified},
        {CACHET_OID_EC_PUBLIC_KEY, NID_X9_62_id_ecPublicKey},
        {CACHET_OID_ECDSA_WITH_SHA1, NID_ecdsa_with_SHA1},
        {CACHET_OID_ECDSA_WITH_SHA224, NID_ecdsa_with_SHA224},
        {CACHET_OID_ECDSA_WITH_SHA256, NID_ecdsa_with_SHA256},
        {CACHET_OID_ECDSA_WITH_SHA384, NID_ecdsa_with_SHA384},
        {CACHET_OID_ECDSA_WITH_SHA512, NID_ecdsa_with_SHA512},
        {CACHET_OID_DSA, NID_dsa},
        {CACHET_OID_DSA_WITH_SHA1, NID_dsaWithSHA1},
        {CACHET_OID_DSA_WITH_SHA256, NID_dsa_with_SHA256},
        {CACHET_OID_ED25519, NID_ED25519},
        {CACHET_OID_ED448, NID_ED448},
        {CACHET_OID_X25519, NID_X25519},
        {CACHET_OID_X448, NID_X448},
        {CACHET_OID_PRIME256V1, NID_X9_62_prime256v1},
        {CACHET_OID_SECP384R1, NID_secp384r1},
        {CACHET_OID_SECP521R1, NID_secp521r1},
        {CACHET_OID_DH_SINGLE_PASS_STDDH_SHA1KDF, NID_dhSinglePass_stdDH_sha1kdf_scheme},
        {CACHET_OID_DH_SINGLE_PASS_STDDH_SHA224KDF, NID_dhSinglePass_stdDH_sha224kdf_scheme},
        {CACHET_OID_DH_SINGLE_PASS_STDDH_SHA256KDF, NID_dhSinglePass_stdDH_sha256kdf_scheme},
        {CACHET_OID_DH_SINGLE_PASS_STDDH_SHA384KDF, NID_dhSinglePass_stdDH_sha384kdf_scheme},
        {CACHET_OID_DH_SINGLE_PASS_STDDH_SHA512KDF, NID_dhSinglePass_stdDH_sha512kdf_scheme},
        {CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA256KDF,
         NID_dhSinglePass_cofactorDH_sha256kdf_scheme},
        {CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA384KDF,
         NID_dhSinglePass_cofactorDH_sha384kdf_scheme},
        {CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA512KDF,
         NID_dhSinglePass_cofactorDH_sha512kdf_scheme},
        {CACHET_OID_AES128_CBC, NID_aes_128_cbc},
        {CACHET_OID_AES192_CBC, NID_aes_192_cbc},
        {CACHET_OID_AES256_CBC, NID_aes_256_cbc},
        {CACHET_OID_AES128_GCM, NID_aes_128_gcm},
        {CACHET_OID_AES192_GCM, NID_aes_192_gcm},
        {CACHET_OID_AES256_GCM, NID_aes_256_gcm},
        {CACHET_OID_AES128_CCM, NID_aes_128_ccm},
        {CACHET_OID_AES256_CCM, NID_aes_256_ccm},
        {CACHET_OID_AES128_WRAP, NID_id_aes128_wrap},
        {CACHET_OID_AES192_WRAP, NID_id_aes192_wrap},
        {CACHET_OID_AES256_WRAP, NID_id_aes256_wrap},
        {CACHET_OID_DES_EDE3_CBC, NID_des_ede3_cbc},
        {CACHET_OID_DES_CBC, NID_des_cbc},
        {CACHET_OID_RC2_CBC, NID_rc2_cbc},
        {CACHET_OID_CMS3DES_WRAP, NID_id_smime_alg_CMS3DESwrap},
        {CACHET_OID_ZLIB_COMPRESS, NID_zlib_compression},
        {CACHET_OID_EMAIL_ADDRESS, NID_pkcs9_emailAddress},
        {CACHET_OID_KP_EMAIL_PROTECTION, NID_email_protect},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t want[64];
        size_t want_len = openssl_der(OBJ_nid2obj(cases[i].nid), want, sizeof(want));
        size_t len = 0;
        const uint8_t *der = cachet_oid_der(cases[i].oid, &len);
        if (!cachet_test_mem_eq(der, len, want, want_len)) {
            fprintf(stderr, "%s differs from OpenSSL NID %d\n", cachet_oid_name(cases[i].oid),
                    cases[i].nid);
        }
        CHECK_MEM(der, len, want, want_len);
    }
}

/* OIDs OpenSSL 3.0 has no NID for, checked against the text given in the RFCs. */
static void rows_without_openssl_nid_match_rfc_text(void) {
    static const struct {
        cachet_oid oid;
        const char *dotted;
    } cases[] = {
        {CACHET_OID_ATTR_CMS_ALGORITHM_PROTECTION, "1.2.840.113549.1.9.52"},
        {CACHET_OID_CHACHA20_POLY1305, "1.2.840.113549.1.9.16.3.18"},
        {CACHET_OID_SMIME_CAPABILITY_PREFER_SIGNED_DATA, "1.2.840.113549.1.9.15.1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ASN1_OBJECT *obj = OBJ_txt2obj(cases[i].dotted, 1);
        uint8_t want[64];
        size_t want_len = openssl_der(obj, want, sizeof(want));
        size_t len = 0;
        const uint8_t *der = cachet_oid_der(cases[i].oid, &len);
        CHECK_MEM(der, len, want, want_len);
        ASN1_OBJECT_free(obj);
    }
}

static void builder_and_reader_round_trip(void) {
    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 0, 0));
    CHECK(cachet_cbb_add_oid(&cbb, CACHET_OID_SHA256));
    CHECK(cachet_cbb_add_asn1_oid(&cbb, (const uint8_t *)"\x2a\x03", 2));
    CHECK(!cachet_cbb_add_oid(&cbb, CACHET_OID__COUNT));
    uint8_t *out = NULL;
    size_t len = 0;
    /* The failed add above made the error sticky. */
    CHECK(!cachet_cbb_finish(&cbb, &out, &len));
    cachet_cbb_cleanup(&cbb);

    CHECK(cachet_cbb_init(&cbb, 0, 0));
    CHECK(cachet_cbb_add_oid(&cbb, CACHET_OID_SHA256));
    CHECK(cachet_cbb_add_asn1_oid(&cbb, (const uint8_t *)"\x2a\x03", 2));
    CHECK(cachet_cbb_finish(&cbb, &out, &len));
    cachet_cbs c, raw;
    cachet_oid oid = CACHET_OID_UNKNOWN;
    cachet_cbs_init(&c, out, len);
    CHECK(cachet_cbs_get_oid(&c, &oid, &raw));
    CHECK_EQ_INT(oid, CACHET_OID_SHA256);
    CHECK(cachet_cbs_get_oid(&c, &oid, &raw));
    CHECK_EQ_INT(oid, CACHET_OID_UNKNOWN);
    CHECK_MEM(raw.data, raw.len, "\x2a\x03", 2);
    CHECK_EQ_INT(c.len, 0);
    cachet_free(out);
}

static void names_and_unknowns(void) {
    CHECK_STR(cachet_oid_name(CACHET_OID_SHA256), "sha256");
    CHECK_STR(cachet_oid_name(CACHET_OID_SIGNED_DATA), "id-signedData");
    CHECK_STR(cachet_oid_name(CACHET_OID_UNKNOWN), "unknown");
    CHECK_STR(cachet_oid_name((cachet_oid)9999), "unknown");
    size_t len = 7;
    CHECK(cachet_oid_der(CACHET_OID_UNKNOWN, &len) == NULL);
    CHECK_EQ_INT(len, 0);
    const uint8_t bad_oid_elem[] = {0x06, 0x02, 0x2a, 0x80};
    cachet_cbs c;
    cachet_oid oid;
    cachet_cbs_init(&c, bad_oid_elem, sizeof(bad_oid_elem));
    CHECK(!cachet_cbs_get_oid(&c, &oid, NULL));
    CHECK_EQ_INT(c.len, 4);
}

static const cachet_test_case tests[] = {
    TEST_CASE(every_row_encodes_its_dotted_text),
    TEST_CASE(rows_match_openssl_nids),
    TEST_CASE(rows_without_openssl_nid_match_rfc_text),
    TEST_CASE(builder_and_reader_round_trip),
    TEST_CASE(names_and_unknowns),
};
TEST_MAIN(tests)
