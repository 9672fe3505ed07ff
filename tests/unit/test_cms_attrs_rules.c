/* Attribute rules of RFC 5652 §11 and RFC 5035 §3-§4 (doc/conformance.md rows
 * R5652-11.1-5, 11.2-3, 11.3-12, 11.3-13, R5035-3-1..3-3, 4-1, 4-3). Each bad
 * message differs from a valid one only in the property under test and is
 * signed with the signer key, so only the attribute rule can refuse it. */
#include "test_cms_signed_builder.h"

#include <openssl/sha.h>

/* verify_si: verify |der| (content encapsulated) and keep err and the first
 * signer's status and detail. */
typedef struct verdict {
    cachet_status st;
    cachet_error err;
    size_t num_signers;
    cachet_status signer_st;
    char signer_detail[256];
} verdict;

static verdict verify_si(const uint8_t *der, size_t len) {
    verdict v = {0};
    cachet_cms_policy pol = {.trust = trust};
    cachet_layer_report layer;
    cachet_membuf got = {0};
    v.st = tpki_verify(&pol, der, len, NULL, 0, NULL, 0, TFEED_RANDOM, &got, &layer, &v.err);
    v.num_signers = layer.num_signers;
    if (layer.num_signers > 0) {
        v.signer_st = layer.signers[0].signature_status;
        snprintf(v.signer_detail, sizeof(v.signer_detail), "%s", layer.signers[0].signature_detail);
    }
    cachet_cms_layer_report_clear(&layer);
    cachet_membuf_free(&got);
    return v;
}

/* verify_sets builds a SignedData whose signedAttrs and unsignedAttrs (NULL =
 * none) are |a| and |u|, signed by alice, and verifies it. */
static verdict verify_sets(const attr_spec *a, size_t n, const attr_spec *u, size_t un) {
    cachet_membuf attrs = build_attrs(a, n, true);
    cachet_membuf uattrs = {0};
    sdb s = {.content = {msg, MSG_LEN}, .attrs = {attrs.data, attrs.len}};
    if (u != NULL) {
        uattrs = build_attrs(u, un, true);
        s.unsigned_attrs = (bytes){uattrs.data, uattrs.len};
    }
    size_t len = 0;
    uint8_t *der = build_sd(&s, &len);
    verdict v = verify_si(der, len);
    cachet_free(der);
    cachet_membuf_free(&attrs);
    cachet_membuf_free(&uattrs);
    return v;
}

static void expect_attr_refusal(const char *name, verdict v, const char *detail) {
    if (v.st != CACHET_ERR_ATTRIBUTES || strcmp(v.err.message, detail) != 0) {
        fprintf(stderr, "case '%s': %s (%s: %s) signer %s '%s'\n", name, cachet_status_str(v.st),
                v.err.where, v.err.message, cachet_status_str(v.signer_st), v.signer_detail);
    }
    CHECK_EQ_INT(v.st, CACHET_ERR_ATTRIBUTES);
    CHECK_STR(v.err.where, "SignedData.signerInfos[0]");
    CHECK_STR(v.err.message, detail);
    CHECK_EQ_INT(v.num_signers, 1);
    CHECK_EQ_INT(v.signer_st, CACHET_ERR_ATTRIBUTES);
    CHECK_STR(v.signer_detail, detail);
}

/* Control: the fixtures below are valid when the rule under test is not broken. */
static void baseline_with_signing_time_verifies(void) {
    setup();
    attr_spec a[] = {ct_attr(CACHET_OID_DATA), md_attr(msg, MSG_LEN, false), time_attr()};
    verdict v = verify_sets(a, 3, NULL, 0);
    CHECK_EQ_INT(v.st, CACHET_OK);
    CHECK_EQ_INT(v.signer_st, CACHET_OK);
}

/* R5652-11.1-5 / R5652-11.3-13 / R5652-11.3-12: duplicate contentType, duplicate
 * signingTime, signingTime with an empty value SET. */
static void duplicate_or_empty_single_instance_attrs_are_refused(void) {
    setup();
    static const uint8_t other_ct[] = {0x06, 0x03, 0x2a, 0x03, 0x04};
    static const uint8_t other_time[] = {0x17, 0x0d, '2', '6', '0', '2', '0', '1',
                                         '0',  '0',  '0', '0', '0', '0', 'Z'};
    const attr_spec ct = ct_attr(CACHET_OID_DATA), md = md_attr(msg, MSG_LEN, false),
                    tm = time_attr();
    struct {
        const char *name;
        attr_spec a[4];
        size_t n;
        const char *detail;
    } cases[] = {
        {"two identical contentType",
         {ct, ct, md},
         3,
         "signedAttrs: attribute id-contentType appears twice"},
        {"two different contentType",
         {ct, raw_attr(CACHET_OID_ATTR_CONTENT_TYPE, other_ct, sizeof(other_ct)), md},
         3,
         "signedAttrs: attribute id-contentType appears twice"},
        {"two identical signingTime",
         {ct, md, tm, tm},
         4,
         "signedAttrs: attribute id-signingTime appears twice"},
        {"two different signingTime",
         {ct, md, tm, raw_attr(CACHET_OID_ATTR_SIGNING_TIME, other_time, sizeof(other_time))},
         4,
         "signedAttrs: attribute id-signingTime appears twice"},
        {"signingTime with zero values",
         {ct, md, raw_attr(CACHET_OID_ATTR_SIGNING_TIME, NULL, 0)},
         3,
         "signedAttrs: signingTime must have one well-formed Time value"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        expect_attr_refusal(cases[i].name, verify_sets(cases[i].a, cases[i].n, NULL, 0),
                            cases[i].detail);
    }
}

/* R5652-11.2-3: messageDigest (the right digest) among the unsigned attributes;
 * the same message without it verifies (the control above). */
static void message_digest_as_unsigned_attribute_is_refused(void) {
    setup();
    attr_spec a[] = {ct_attr(CACHET_OID_DATA), md_attr(msg, MSG_LEN, false), time_attr()};
    attr_spec u[] = {md_attr(msg, MSG_LEN, false)};
    expect_attr_refusal("unsigned messageDigest", verify_sets(a, 3, u, 1),
                        "unsignedAttrs: id-messageDigest as an unsigned attribute (RFC 5652 §11)");
    /* an unknown unsigned attribute alone is fine: the refusal is about the type */
    static const uint8_t null_v[] = {0x05, 0x00};
    attr_spec ok = {
        .type = CACHET_OID_UNKNOWN, .raw_type = (const uint8_t *)"\x2a\x03\x05", .raw_type_len = 3};
    memcpy(ok.values, null_v, 2);
    ok.values_len = 2;
    verdict v = verify_sets(a, 3, &ok, 1);
    CHECK_EQ_INT(v.st, CACHET_OK);
}

/* ---- signingCertificateV2 as cachet_cms_sign writes it ---- */

/* sign_alice: detached, DER, by cachet_cms_sign; returns the SignedData. */
static cachet_membuf sign_alice(void) {
    cachet_cms_signer_opts so = {.key = alice.key, .cert = alice.cert, .md = CACHET_MD_SHA256};
    cachet_cms_sign_opts opts = {
        .signers = &so, .num_signers = 1, .detached = true, .signing_time = 1767225600};
    cachet_membuf out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(tpki_sign(&opts, msg, MSG_LEN, TFEED_WHOLE, &out, &err), CACHET_OK);
    return out;
}

/* find_scv2: in the [0] signedAttrs element |attrs|, the value SET contents of
 * the signingCertificateV2 attribute (exactly one such attribute). */
static bool find_scv2(const cachet_cbs *attrs, cachet_cbs *values) {
    size_t oid_len = 0, found = 0;
    const uint8_t *oid = cachet_oid_der(CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2, &oid_len);
    cachet_cbs in = *attrs, set, attr, type, vals;
    if (!cachet_cbs_get_asn1(&in, &set, CACHET_ASN1_CONTEXT_CONS(0)) || in.len != 0) {
        return false;
    }
    while (set.len > 0) {
        if (!cachet_cbs_get_asn1(&set, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_asn1(&attr, &type, CACHET_ASN1_OBJECT) ||
            !cachet_cbs_get_asn1(&attr, &vals, CACHET_ASN1_SET) || attr.len != 0) {
            return false;
        }
        if (cachet_cbs_mem_equal(&type, oid, oid_len)) {
            *values = vals;
            found++;
        }
    }
    return found == 1;
}

/* R5035-3-1, 3-2, 4-1, 4-3: one value, one ESSCertIDv2 { certHash, issuerSerial
 * { GeneralNames { [4] issuer Name }, serialNumber } }, no hashAlgorithm (SHA-256
 * DEFAULT), no policies; each part compared with OpenSSL's view of alice's cert. */
static void signing_certificate_v2_names_exactly_the_signer(void) {
    setup();
    cachet_membuf sd = sign_alice();
    cachet_cbs attrs, sig, vals, scv2, certs, id, hash, is, names, dn, serial;
    CHECK(tpki_first_signer(sd.data, sd.len, &attrs, &sig));
    CHECK(find_scv2(&attrs, &vals));
    /* one AttributeValue: SigningCertificateV2 ::= SEQUENCE { certs, policies OPTIONAL } */
    CHECK(cachet_cbs_get_asn1(&vals, &scv2, CACHET_ASN1_SEQUENCE));
    CHECK_EQ_INT(vals.len, 0);
    CHECK(cachet_cbs_get_asn1(&scv2, &certs, CACHET_ASN1_SEQUENCE));
    CHECK_EQ_INT(scv2.len, 0);
    /* exactly one ESSCertIDv2, starting with certHash (hashAlgorithm omitted) */
    CHECK(cachet_cbs_get_asn1(&certs, &id, CACHET_ASN1_SEQUENCE));
    CHECK_EQ_INT(certs.len, 0);
    CHECK(cachet_cbs_get_asn1(&id, &hash, CACHET_ASN1_OCTETSTRING));
    CHECK(cachet_cbs_get_asn1(&id, &is, CACHET_ASN1_SEQUENCE));
    CHECK_EQ_INT(id.len, 0);
    /* IssuerSerial { GeneralNames holding one directoryName, serialNumber } */
    CHECK(cachet_cbs_get_asn1(&is, &names, CACHET_ASN1_SEQUENCE));
    CHECK(cachet_cbs_get_asn1(&names, &dn, CACHET_ASN1_CONTEXT_CONS(4)));
    CHECK_EQ_INT(names.len, 0);
    CHECK(cachet_cbs_get_asn1_element(&is, &serial, CACHET_ASN1_INTEGER));
    CHECK_EQ_INT(is.len, 0);

    unsigned char *cert_der = NULL, *issuer_der = NULL, *serial_der = NULL;
    int cert_len = i2d_X509(alice.ossl_cert, &cert_der);
    int issuer_len = i2d_X509_NAME(X509_get_issuer_name(alice.ossl_cert), &issuer_der);
    int serial_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(alice.ossl_cert), &serial_der);
    CHECK(cert_len > 0 && issuer_len > 0 && serial_len > 0);
    unsigned char want_hash[SHA256_DIGEST_LENGTH];
    CHECK(EVP_Digest(cert_der, (size_t)cert_len, want_hash, NULL, EVP_sha256(), NULL) == 1);
    CHECK_MEM(hash.data, hash.len, want_hash, sizeof(want_hash));
    CHECK_MEM(dn.data, dn.len, issuer_der, (size_t)issuer_len);
    CHECK_MEM(serial.data, serial.len, serial_der, (size_t)serial_len);
    /* the issuer is the CA's subject, not alice's own name */
    unsigned char *ca_subject = NULL;
    int ca_len = i2d_X509_NAME(X509_get_subject_name(ca.ossl_cert), &ca_subject);
    CHECK_MEM(dn.data, dn.len, ca_subject, (size_t)ca_len);
    OPENSSL_free(ca_subject);
    OPENSSL_free(cert_der);
    OPENSSL_free(issuer_der);
    OPENSSL_free(serial_der);
    cachet_membuf_free(&sd);
}

/* R5035-3-3: cachet's own signedAttrs with certHash replaced by the SHA-256 of
 * the CA certificate, re-signed with alice's key: the signature is good, the
 * message is refused; the unmodified attributes re-signed the same way verify. */
static void signing_certificate_v2_naming_another_cert_is_refused(void) {
    setup();
    cachet_membuf sd = sign_alice();
    cachet_cbs attrs, sig, vals, scv2, certs, id, hash;
    CHECK(tpki_first_signer(sd.data, sd.len, &attrs, &sig));
    CHECK(find_scv2(&attrs, &vals));
    CHECK(cachet_cbs_get_asn1(&vals, &scv2, CACHET_ASN1_SEQUENCE) &&
          cachet_cbs_get_asn1(&scv2, &certs, CACHET_ASN1_SEQUENCE) &&
          cachet_cbs_get_asn1(&certs, &id, CACHET_ASN1_SEQUENCE) &&
          cachet_cbs_get_asn1(&id, &hash, CACHET_ASN1_OCTETSTRING));
    CHECK_EQ_INT(hash.len, 32);
    unsigned char ca_hash[32];
    unsigned char *ca_der = NULL;
    int ca_len = i2d_X509(ca.ossl_cert, &ca_der);
    CHECK(ca_len > 0);
    CHECK(EVP_Digest(ca_der, (size_t)ca_len, ca_hash, NULL, EVP_sha256(), NULL) == 1);
    OPENSSL_free(ca_der);
    size_t hash_off = (size_t)(hash.data - attrs.data);
    for (int wrong = 0; wrong < 2; wrong++) {
        /* signed as the SET OF the [0] IMPLICIT contents (RFC 5652 §5.4) */
        cachet_membuf set = {0};
        cachet_membuf_append(&set, attrs.data, attrs.len);
        set.data[0] = 0x31;
        if (wrong) {
            memcpy(set.data + hash_off, ca_hash, sizeof(ca_hash));
        }
        sdb s = {.content = {msg, MSG_LEN}, .attrs = {set.data, set.len}};
        size_t len = 0;
        uint8_t *der = build_sd(&s, &len);
        /* the signature itself verifies under alice's key */
        CHECK(EVP_PKEY_get_id(alice.ossl_key) == EVP_PKEY_RSA);
        cachet_cbs a2, sig2;
        CHECK(tpki_first_signer(der, len, &a2, &sig2));
        CHECK_EQ_INT(cachet_verify(alice.key, CACHET_SIG_RSA_PKCS1, CACHET_MD_SHA256, NULL,
                                   set.data, set.len, sig2.data, sig2.len),
                     true);
        verdict v = verify_si(der, len);
        if (wrong) {
            expect_attr_refusal("certHash of the CA certificate", v,
                                "signingCertificateV2 does not name this certificate");
        } else {
            CHECK_EQ_INT(v.st, CACHET_OK);
            CHECK_EQ_INT(v.signer_st, CACHET_OK);
        }
        cachet_free(der);
        cachet_membuf_free(&set);
    }
    cachet_membuf_free(&sd);
}

static const cachet_test_case tests[] = {
    TEST_CASE(baseline_with_signing_time_verifies),
    TEST_CASE(duplicate_or_empty_single_instance_attrs_are_refused),
    TEST_CASE(message_digest_as_unsigned_attribute_is_refused),
    TEST_CASE(signing_certificate_v2_names_exactly_the_signer),
    TEST_CASE(signing_certificate_v2_naming_another_cert_is_refused),
};
TEST_MAIN(tests)
