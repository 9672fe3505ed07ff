/* RFC 5752 multipleSignatures, the attribute itself: signAttrsHash against
 * hand-written DER (both forms), the checks on a received value (each a
 * precise error), and OpenSSL accepting what cachet writes. */
#include "test_cms_multisig_util.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap) {
    size_t n = 0;
    for (const char *p = hex; p[0] != '\0' && n < cap;) {
        if (p[0] == ' ') {
            p++;
            continue;
        }
        unsigned v = 0;
        sscanf(p, "%2x", &v);
        out[n++] = (uint8_t)v;
        p += 2;
    }
    return n;
}

#define CT "3018 0609 2a864886f70d010903 310b 0609 2a864886f70d010701 "
#define SHA256ID "300b 0609 608648016503040201 "
#define ECDSA256 "300a 0608 2a8648ce3d040302 "
#define MSOID "060b 2a864886f70d0109100233 "
#define X32 "1111111111111111111111111111111111111111111111111111111111111111 "

/* A messageDigest with a 64-byte value: its length sorts it between the
 * placeholder multipleSignatures (30 3b) and the final one (30 5b). */
static size_t md_attr_hex(char *out, size_t cap) {
    int n = snprintf(out, cap, "304f 0609 2a864886f70d010904 3142 0440 ");
    for (int i = 0; i < 64 && (size_t)n + 2 < cap; i++) {
        n += snprintf(out + n, cap - (size_t)n, "22");
    }
    return (size_t)n;
}

/* RFC 5752 §4.4.1: the hash covers the signedAttrs with the values' hashes
 * empty, re-sorted as DER; the stripped form leaves the attribute out. */
static void attrs_hash_matches_hand_written_der(void) {
    char md[300];
    md_attr_hex(md, sizeof(md));
    char in_hex[1200], ph_hex[1200], st_hex[1200];
    snprintf(in_hex, sizeof(in_hex),
             "%s%s305b " MSOID "314c 304a " SHA256ID ECDSA256 "302f " SHA256ID "0420 " X32, CT, md);
    snprintf(ph_hex, sizeof(ph_hex),
             "3181a8 " CT "303b " MSOID "312c 302a " SHA256ID ECDSA256 "300f " SHA256ID "0400 %s",
             md);
    snprintf(st_hex, sizeof(st_hex), "316b " CT "%s", md);
    uint8_t in[512], ph[512], st[512];
    size_t in_len = unhex(in_hex, in, sizeof(in));
    size_t ph_len = unhex(ph_hex, ph, sizeof(ph));
    size_t st_len = unhex(st_hex, st, sizeof(st));
    CHECK_EQ_INT(in_len, 26 + 81 + 93);
    CHECK_EQ_INT(ph_len, 3 + 168);
    CHECK_EQ_INT(st_len, 2 + 107);
    cachet_cbs attrs;
    cachet_cbs_init(&attrs, in, in_len);
    static const struct {
        cachet_md md;
        const char *name;
    } mds[] = {{CACHET_MD_SHA256, "SHA256"}, {CACHET_MD_SHA384, "SHA384"}};
    for (size_t i = 0; i < 2; i++) {
        uint8_t want[64], got[64];
        unsigned wl = 0;
        const EVP_MD *e = EVP_get_digestbyname(mds[i].name);
        CHECK(EVP_Digest(ph, ph_len, want, &wl, e, NULL) == 1);
        CHECK(cachet_cms_multisig_attrs_hash(&attrs, mds[i].md, CACHET_CMS_MULTISIG_PLACEHOLDER,
                                             got));
        CHECK_MEM(got, cachet_md_size(mds[i].md), want, wl);
        CHECK(EVP_Digest(st, st_len, want, &wl, e, NULL) == 1);
        CHECK(cachet_cms_multisig_attrs_hash(&attrs, mds[i].md, CACHET_CMS_MULTISIG_STRIPPED, got));
        CHECK_MEM(got, cachet_md_size(mds[i].md), want, wl);
    }
    /* malformed attributes hash to nothing */
    cachet_cbs_init(&attrs, in, in_len - 1);
    uint8_t got[64];
    CHECK(!cachet_cms_multisig_attrs_hash(&attrs, CACHET_MD_SHA256, CACHET_CMS_MULTISIG_STRIPPED,
                                          got));
}

/* One SignerInfo (the builder's alice, SHA-256) carrying |value| (a whole
 * MultipleSignatures element) as its multipleSignatures attribute. */
static cachet_status verify_value(const char *value_hex, cachet_layer_report *layer,
                                  cachet_error *err) {
    static const uint8_t ms_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                     0x01, 0x09, 0x10, 0x02, 0x33};
    attr_spec a[3] = {
        ct_attr(CACHET_OID_DATA),
        md_attr(msg, MSG_LEN, false),
        {.type = CACHET_OID_UNKNOWN, .raw_type = ms_oid, .raw_type_len = sizeof(ms_oid)}};
    a[2].values_len = unhex(value_hex, a[2].values, sizeof(a[2].values));
    cachet_membuf attrs = build_attrs(a, 3, true);
    sdb s = {.content = {msg, MSG_LEN}, .attrs = {attrs.data, attrs.len}};
    size_t len = 0;
    uint8_t *der = build_sd(&s, &len);
    cachet_cms_policy pol = {.trust = trust};
    cachet_membuf content = {0};
    cachet_status st =
        tpki_verify(&pol, der, len, NULL, 0, NULL, 0, TFEED_RANDOM, &content, layer, err);
    cachet_membuf_free(&content);
    cachet_free(der);
    cachet_membuf_free(&attrs);
    return st;
}

/* Each received value is checked (RFC 5752 §3) and fails the signature that
 * carries it with what is wrong; one naming nothing is a removed signature. */
static void received_values_are_checked(void) {
    ms_setup();
    static const struct {
        const char *value;
        const char *detail;
    } cases[] = {
        {"3000", "signedAttrs: multipleSignatures value 0 is malformed (RFC 5752 section 3)"},
        /* bodyHashAlg, signAlg, then no signAttrsHash */
        {"301a " SHA256ID "300b 0609 2a864886f70d01010b",
         "signedAttrs: multipleSignatures value 0 is malformed (RFC 5752 section 3)"},
        /* signAttrsHash.algID SHA-512 in a SHA-256 SignerInfo */
        {"302a " SHA256ID ECDSA256 "300f 300b 0609 608648016503040203 0400",
         "signedAttrs: multipleSignatures value 0: signAttrsHash.algID sha512 is not this "
         "SignerInfo's digestAlgorithm sha256 (RFC 5752 section 3)"},
        /* a 2-byte hash */
        {"302c " SHA256ID ECDSA256 "3011 " SHA256ID "0402 abcd",
         "signedAttrs: multipleSignatures value 0: signAttrsHash.hash is 2 bytes, not a sha256 "
         "digest"},
        /* well-formed, but no SignerInfo here has those signed attributes */
        {"304a " SHA256ID ECDSA256 "302f " SHA256ID "0420 " X32,
         "signedAttrs: multipleSignatures value 0 (bodyHashAlg sha256, signAlg "
         "ecdsa-with-SHA256) names a SignerInfo that is not in this SignedData: a signature of "
         "this signer was removed or altered (RFC 5752 sections 1 and 4.6)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_layer_report layer;
        cachet_error err = {0};
        CHECK_EQ_INT(verify_value(cases[i].value, &layer, &err), CACHET_ERR_ATTRIBUTES);
        CHECK_STR(err.where, "SignedData.signerInfos[0]");
        CHECK(layer.num_signers == 1 && !layer.signers[0].signature_valid &&
              !layer.signers[0].superseded && layer.signers[0].ess == NULL);
        if (layer.num_signers == 1) {
            CHECK_STR(layer.signers[0].signature_detail, cases[i].detail);
        }
        cachet_cms_layer_report_clear(&layer);
    }
}

/* OpenSSL CMS_verify accepts cachet's multi-signature output (opaque and
 * detached) and reads multipleSignatures as a signed attribute of each
 * SignerInfo (R5752: the attribute MUST be signed). */
static void openssl_verifies_multisig_output(void) {
    ms_setup();
    tpki_party *who[] = {&alice, &alice_ec, &alice_p384};
    const cachet_md mds[] = {CACHET_MD_SHA256, CACHET_MD_SHA384, CACHET_MD_SHA512};
    ASN1_OBJECT *oid = OBJ_txt2obj("1.2.840.113549.1.9.16.2.51", 1);
    for (int detached = 0; detached <= 1; detached++) {
        cachet_membuf out = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(ms_sign(who, mds, 3, true, detached != 0, TFEED_RANDOM, &out, &err),
                     CACHET_OK);
        const unsigned char *p = out.data;
        CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)out.len);
        CHECK(cms != NULL);
        if (cms == NULL) {
            cachet_membuf_free(&out);
            continue;
        }
        X509_STORE *store = tpki_store(&ca);
        BIO *dc = detached ? BIO_new_mem_buf(msg, (int)MSG_LEN) : NULL;
        BIO *content = BIO_new(BIO_s_mem());
        CHECK(CMS_verify(cms, NULL, store, dc, content, CMS_BINARY) == 1);
        char *got = NULL;
        long got_len = BIO_get_mem_data(content, &got);
        CHECK_MEM(got, (size_t)got_len, msg, MSG_LEN);
        STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
        CHECK_EQ_INT(sk_CMS_SignerInfo_num(sis), 3);
        for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
            CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
            int at = CMS_signed_get_attr_by_OBJ(si, oid, -1);
            CHECK(at >= 0);
            X509_ATTRIBUTE *attr = at >= 0 ? CMS_signed_get_attr(si, at) : NULL;
            CHECK(attr != NULL && X509_ATTRIBUTE_count(attr) == 2);
            CHECK(CMS_unsigned_get_attr_by_OBJ(si, oid, -1) < 0);
        }
        BIO_free(content);
        BIO_free(dc);
        X509_STORE_free(store);
        CMS_ContentInfo_free(cms);
        cachet_membuf_free(&out);
    }
    ASN1_OBJECT_free(oid);
}

static const cachet_test_case tests[] = {
    TEST_CASE(attrs_hash_matches_hand_written_der),
    TEST_CASE(received_values_are_checked),
    TEST_CASE(openssl_verifies_multisig_output),
};
TEST_MAIN(tests)
