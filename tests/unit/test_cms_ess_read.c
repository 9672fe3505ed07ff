/* cachet_cms_ess_read over hand-built signed attributes: what each ESS/CAdES
 * attribute reports, signingCertificate (v1) checked against the certificate
 * that verified (RFC 2634 §5.4), and the precise refusals: an attribute that
 * must be signed among the unsigned ones (§1.3.4), two AttributeValues,
 * repeated security policies (§3.4.1), malformed values. */
#include <stdio.h>
#include <string.h>

#include "cms/attributes.h"
#include "cms/ess.h"
#include "test_cms_signed_pki.h"

static tpki_party alice, bob;

/* run_t: a run of Attribute elements, as SET contents */
typedef struct run_t {
    uint8_t *data;
    size_t len;
} run_t;

static run_t run_finish(cachet_cbb *cbb) {
    run_t r = {0};
    CHECK(cachet_cbb_finish(cbb, &r.data, &r.len));
    return r;
}

/* raw_attr adds Attribute { oid, SET { values } } with |values| given as DER. */
static void raw_attr(cachet_cbb *run, cachet_oid oid, const uint8_t *values, size_t len) {
    cachet_cbb attr, set;
    CHECK(cachet_cbb_add_asn1(run, &attr, CACHET_ASN1_SEQUENCE) && cachet_cbb_add_oid(&attr, oid) &&
          cachet_cbb_add_asn1(&attr, &set, CACHET_ASN1_SET) &&
          cachet_cbb_add_bytes(&set, values, len) && cachet_cbb_flush(run));
}

typedef struct read_result {
    cachet_status st;
    char detail[200];
    cachet_signer_report rep;
} read_result;

static read_result read_run(const run_t *signed_run, const run_t *unsigned_run,
                            const cachet_cert *cert) {
    read_result r;
    memset(&r, 0, sizeof(r));
    cachet_cbs s, u;
    cachet_cbs_init(&s, signed_run->data, signed_run->len);
    if (unsigned_run != NULL) {
        cachet_cbs_init(&u, unsigned_run->data, unsigned_run->len);
    }
    r.st = cachet_cms_ess_read(&s, unsigned_run != NULL ? &u : NULL, cert, &r.rep, r.detail,
                               sizeof(r.detail));
    return r;
}

static void expect_fail(const read_result *r, const char *want) {
    CHECK_EQ_INT(r->st, CACHET_ERR_ATTRIBUTES);
    if (strstr(r->detail, want) == NULL) {
        fprintf(stderr, "detail \"%s\" lacks \"%s\"\n", r->detail, want);
        CHECK(false);
    }
}

static void teardown(void) {
    tpki_free(&alice);
    tpki_free(&bob);
}

static void setup_parties(void) {
    if (alice.cert == NULL) {
        atexit(teardown);
        alice = tpki_make(TPKI_P256, "alice", NULL, 0x1001);
        bob = tpki_make(TPKI_P256, "bob", NULL, 0x1002);
    }
}

static void signing_certificate_v1_naming_the_signer_is_reported(void) {
    setup_parties();
    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 256, 0) && cachet_ess_add_signing_cert_v1_attr(&cbb, alice.cert));
    run_t run = run_finish(&cbb);
    read_result r = read_run(&run, NULL, alice.cert);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(r.rep.ess != NULL && r.rep.ess->signing_certificate_v1);
    CHECK(r.rep.ess != NULL && !r.rep.ess->signing_certificate_v2);
    cachet_cms_signer_report_clear(&r.rep);
    /* the same attribute against another certificate: the hash differs */
    r = read_run(&run, NULL, bob.cert);
    expect_fail(&r, "signingCertificate.certs[0].certHash does not match");
    cachet_cms_signer_report_clear(&r.rep);
    cachet_free(run.data);
}

/* signing_cert: SigningCertificate { certs { ESSCertID { SHA-1 of |hash_of|,
 * issuerSerial of |serial_of| (NULL: none) } } } */
static run_t signing_cert(const cachet_cert *hash_of, const cachet_cert *serial_of,
                          bool extra_general_name) {
    uint8_t h[20];
    size_t dl = 0, il = 0, sl = 0;
    const uint8_t *der = cachet_cert_der(hash_of, &dl);
    CHECK(cachet_md_oneshot(CACHET_MD_SHA1, der, dl, h));
    cachet_cbb cbb, attr, set, sc, certs, id, is, names, dn;
    CHECK(cachet_cbb_init(&cbb, 256, 0) && cachet_cbb_add_asn1(&cbb, &attr, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_SIGNING_CERTIFICATE) &&
          cachet_cbb_add_asn1(&attr, &set, CACHET_ASN1_SET) &&
          cachet_cbb_add_asn1(&set, &sc, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1(&sc, &certs, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1(&certs, &id, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1_octet_string(&id, h, sizeof(h)));
    if (serial_of != NULL) {
        const uint8_t *is_der = cachet_cert_issuer_der(hash_of, &il);
        const uint8_t *sn = cachet_cert_serial_der(serial_of, &sl);
        CHECK(cachet_cbb_add_asn1(&id, &is, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_asn1(&is, &names, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_asn1(&names, &dn, CACHET_ASN1_CONTEXT_CONS(4)) &&
              cachet_cbb_add_bytes(&dn, is_der, il) && cachet_cbb_flush(&names));
        if (extra_general_name) {
            static const uint8_t mail[] = "ca@example.com";
            CHECK(cachet_cbb_add_asn1_element(&names, CACHET_ASN1_CONTEXT(1), mail,
                                              sizeof(mail) - 1));
        }
        CHECK(cachet_cbb_flush(&is) &&
              cachet_cbb_add_asn1_element(&is, CACHET_ASN1_INTEGER, sn, sl));
    }
    CHECK(cachet_cbb_flush(&cbb));
    return run_finish(&cbb);
}

static void signing_certificate_v1_issuer_serial_must_name_the_signer(void) {
    setup_parties();
    static const struct {
        bool with_serial, other_serial, extra_name;
        const char *want; /* NULL: accepted */
    } cases[] = {
        {false, false, false, NULL}, /* certHash alone (issuerSerial is a SHOULD) */
        {true, false, false, NULL},
        {true, true, false, "issuerSerial does not name the certificate"},
        {true, false, true, "must hold only a directoryName"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_t run = signing_cert(alice.cert,
                                 !cases[i].with_serial   ? NULL
                                 : cases[i].other_serial ? bob.cert
                                                         : alice.cert,
                                 cases[i].extra_name);
        read_result r = read_run(&run, NULL, alice.cert);
        if (cases[i].want == NULL) {
            CHECK_EQ_INT(r.st, CACHET_OK);
            CHECK(r.rep.ess != NULL && r.rep.ess->signing_certificate_v1);
        } else {
            expect_fail(&r, cases[i].want);
        }
        cachet_cms_signer_report_clear(&r.rep);
        cachet_free(run.data);
    }
}

static void attributes_that_must_be_signed_are_refused_unsigned(void) {
    static const struct {
        cachet_oid oid;
        const char *name;
    } cases[] = {
        {CACHET_OID_ATTR_SECURITY_LABEL, "id-aa-securityLabel"},
        {CACHET_OID_ATTR_EQUIVALENT_LABELS, "id-aa-equivalentLabels"},
        {CACHET_OID_ATTR_ML_EXPANSION_HISTORY, "id-aa-mlExpandHistory"},
        {CACHET_OID_ATTR_CONTENT_REFERENCE, "id-aa-contentReference"},
        {CACHET_OID_ATTR_SIGNING_CERTIFICATE, "id-aa-signingCertificate"},
        {CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2, "id-aa-signingCertificateV2"},
        {CACHET_OID_ATTR_SIG_POLICY_ID, "id-aa-ets-sigPolicyId"},
        {CACHET_OID_ATTR_RECEIPT_REQUEST, "id-aa-receiptRequest"},
        {CACHET_OID_ATTR_MSG_SIG_DIGEST, "id-aa-msgSigDigest"},
    };
    static const uint8_t null_value[] = {0x05, 0x00};
    run_t empty = {NULL, 0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cbb cbb;
        CHECK(cachet_cbb_init(&cbb, 64, 0));
        raw_attr(&cbb, cases[i].oid, null_value, sizeof(null_value));
        run_t u = run_finish(&cbb);
        read_result r = read_run(&empty, &u, NULL);
        /* the whole message, so that the attribute's name is asserted exactly
         * (id-aa-signingCertificate must not pass for ...V2, nor "" for any) */
        char want[200];
        snprintf(want, sizeof(want),
                 "%s found among the unsigned attributes: it must be a signed attribute (RFC "
                 "2634 section 1.3.4)",
                 cases[i].name);
        CHECK_EQ_INT(r.st, CACHET_ERR_ATTRIBUTES);
        CHECK_STR(r.detail, want);
        CHECK(r.rep.ess == NULL);
        cachet_free(u.data);
    }
    /* contentHints and contentIdentifier MAY be unsigned (§1.3.4) */
    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 64, 0) &&
          cachet_ess_add_content_hints_attr(&cbb, "hint", CACHET_OID_DATA));
    run_t u = run_finish(&cbb);
    read_result r = read_run(&empty, &u, NULL);
    CHECK_EQ_INT(r.st, CACHET_OK);
    cachet_free(u.data);
}

static void one_attribute_value_only(void) {
    /* securityLabel with two values */
    static const uint8_t two[] = {0x31, 0x04, 0x06, 0x02, 0x2a, 0x03,
                                  0x31, 0x04, 0x06, 0x02, 0x2a, 0x04};
    static const uint8_t none[] = {0};
    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    raw_attr(&cbb, CACHET_OID_ATTR_SECURITY_LABEL, two, sizeof(two));
    run_t run = run_finish(&cbb);
    read_result r = read_run(&run, NULL, NULL);
    expect_fail(&r, "id-aa-securityLabel must have exactly one AttributeValue");
    cachet_free(run.data);
    /* two securityLabel attributes (§1.3.4: no type twice) */
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    raw_attr(&cbb, CACHET_OID_ATTR_SECURITY_LABEL, two, 6);
    raw_attr(&cbb, CACHET_OID_ATTR_SECURITY_LABEL, two + 6, 6);
    run = run_finish(&cbb);
    r = read_run(&run, NULL, NULL);
    expect_fail(&r, "id-aa-securityLabel appears twice (RFC 2634 section 1.3.4)");
    cachet_free(run.data);
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    raw_attr(&cbb, CACHET_OID_ATTR_CONTENT_IDENTIFIER, none, 0);
    run = run_finish(&cbb);
    r = read_run(&run, NULL, NULL);
    expect_fail(&r, "must have exactly one AttributeValue");
    cachet_free(run.data);
}

static void hints_identifier_reference_and_policy_are_reported(void) {
    static const uint8_t id[] = {0x04, 0x03, 0x01, 0x02, 0x03};
    /* ContentReference { 1.2.3, "ab", "sig" } */
    static const uint8_t ref[] = {0x30, 0x0d, 0x06, 0x02, 0x2a, 0x03, 0x04, 0x02,
                                  'a',  'b',  0x04, 0x03, 's',  'i',  'g'};
    uint8_t hash[32];
    for (size_t i = 0; i < sizeof(hash); i++) {
        hash[i] = (uint8_t)i;
    }
    static const uint8_t pol[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xac, 0x60, 0x01};
    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 256, 0) &&
          cachet_ess_add_content_hints_attr(&cbb, "Watson, come here", CACHET_OID_DATA) &&
          cachet_ess_add_sig_policy_attr(&cbb, pol, sizeof(pol), CACHET_MD_SHA256, hash,
                                         sizeof(hash)));
    raw_attr(&cbb, CACHET_OID_ATTR_CONTENT_IDENTIFIER, id, sizeof(id));
    raw_attr(&cbb, CACHET_OID_ATTR_CONTENT_REFERENCE, ref, sizeof(ref));
    run_t run = run_finish(&cbb);
    read_result r = read_run(&run, NULL, NULL);
    CHECK_EQ_INT(r.st, CACHET_OK);
    const cachet_ess_info *e = r.rep.ess;
    CHECK(e != NULL);
    if (e != NULL) {
        CHECK(e->has_content_hints);
        CHECK_STR(e->content_description, "Watson, come here");
        CHECK_STR(e->content_hints_type, "id-data");
        CHECK_STR(e->content_identifier_hex, "010203");
        CHECK(e->has_content_reference);
        CHECK_STR(e->content_reference_type, "1.2.3");
        CHECK_STR(e->content_reference_id_hex, "6162");
        CHECK(e->has_signature_policy && !e->signature_policy_implied);
        CHECK_STR(e->signature_policy, "1.3.6.1.4.1.22112.1");
        CHECK_STR(e->signature_policy_hash_alg, "sha256");
        CHECK_STR(e->signature_policy_hash_hex,
                  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        CHECK(e->label == NULL && e->num_ml_history == 0);
    }
    cachet_cms_signer_report_clear(&r.rep);
    cachet_free(run.data);
}

static void malformed_content_hints_are_ignored_not_fatal(void) {
    /* contentHints { "please ignore", OBJECT IDENTIFIER of zero length } (as in the
     * Bouncy Castle test message bc1639test.p7m) */
    static const uint8_t bad[] = {0x30, 0x11, 0x0c, 0x0d, 'p', 'l', 'e', 'a',  's', 'e',
                                  ' ',  'i',  'g',  'n',  'o', 'r', 'e', 0x06, 0x00};
    static const uint8_t id[] = {0x04, 0x01, 0x07};
    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    raw_attr(&cbb, CACHET_OID_ATTR_CONTENT_HINT, bad, sizeof(bad));
    raw_attr(&cbb, CACHET_OID_ATTR_CONTENT_IDENTIFIER, id, sizeof(id));
    run_t run = run_finish(&cbb);
    read_result r = read_run(&run, NULL, NULL);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(r.rep.ess != NULL && !r.rep.ess->has_content_hints &&
          r.rep.ess->content_description[0] == '\0');
    if (r.rep.ess != NULL) {
        CHECK_STR(r.rep.ess->content_identifier_hex, "07");
    }
    cachet_cms_signer_report_clear(&r.rep);
    cachet_free(run.data);
}

static void signature_policy_forms_and_errors(void) {
    static const struct {
        uint8_t value[48];
        size_t len;
        const char *want; /* NULL: accepted */
    } cases[] = {
        {{0x05, 0x00}, 2, NULL}, /* signaturePolicyImplied */
        {{0x05, 0x01, 0x00}, 3, "signaturePolicyImplied is not a DER NULL"},
        /* sha256 with a 2-byte hash */
        {{0x30, 0x17, 0x06, 0x02, 0x2a, 0x03, 0x30, 0x11, 0x30, 0x0b, 0x06, 0x09, 0x60,
          0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x02, 0x00, 0x01},
         25,
         "is 2 bytes, not the 32 of sha256"},
        /* no sigPolicyHash */
        {{0x30, 0x04, 0x06, 0x02, 0x2a, 0x03}, 6, "sigPolicyHash is not"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cbb cbb;
        CHECK(cachet_cbb_init(&cbb, 64, 0));
        raw_attr(&cbb, CACHET_OID_ATTR_SIG_POLICY_ID, cases[i].value, cases[i].len);
        run_t run = run_finish(&cbb);
        read_result r = read_run(&run, NULL, NULL);
        if (cases[i].want == NULL) {
            CHECK_EQ_INT(r.st, CACHET_OK);
            CHECK(r.rep.ess != NULL && r.rep.ess->signature_policy_implied);
        } else {
            expect_fail(&r, cases[i].want);
        }
        cachet_cms_signer_report_clear(&r.rep);
        cachet_free(run.data);
    }
}

static void equivalent_labels_need_unique_policies(void) {
    cachet_security_label label = {.policy = "1.2.3", .classification = 2};
    cachet_security_label eq[2] = {{.policy = "1.2.4", .classification = 1},
                                   {.policy = "1.2.3", .classification = 3}};
    cachet_cbb cbb;
    char detail[200];
    CHECK(cachet_cbb_init(&cbb, 256, 0) &&
          cachet_ess_add_label_attr(&cbb, &label, detail, sizeof(detail)) &&
          cachet_ess_add_equivalent_labels_attr(&cbb, eq, 1, detail, sizeof(detail)));
    run_t run = run_finish(&cbb);
    read_result r = read_run(&run, NULL, NULL);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(r.rep.ess != NULL && r.rep.ess->label != NULL && r.rep.ess->num_equivalent_labels == 1);
    if (r.rep.ess != NULL && r.rep.ess->num_equivalent_labels == 1) {
        CHECK_STR(r.rep.ess->label->policy, "1.2.3");
        CHECK_EQ_INT(r.rep.ess->label->classification, 2);
        CHECK_STR(r.rep.ess->equivalent_labels[0].policy, "1.2.4");
    }
    cachet_cms_signer_report_clear(&r.rep);
    cachet_free(run.data);
    CHECK(cachet_cbb_init(&cbb, 256, 0) &&
          cachet_ess_add_label_attr(&cbb, &label, detail, sizeof(detail)) &&
          cachet_ess_add_equivalent_labels_attr(&cbb, eq, 2, detail, sizeof(detail)));
    run = run_finish(&cbb);
    r = read_run(&run, NULL, NULL);
    expect_fail(&r, "security policy 1.2.3 appears twice");
    cachet_cms_signer_report_clear(&r.rep);
    cachet_free(run.data);
}

static void label_errors_name_the_attribute(void) {
    /* an equivalentLabels whose second label has no policy */
    static const uint8_t bad_eq[] = {0x30, 0x09, 0x31, 0x04, 0x06, 0x02,
                                     0x2a, 0x03, 0x31, 0x01, 0x00};
    static const uint8_t bad_eq2[] = {0x30, 0x0b, 0x31, 0x04, 0x06, 0x02, 0x2a,
                                      0x03, 0x31, 0x03, 0x02, 0x01, 0x01};
    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    raw_attr(&cbb, CACHET_OID_ATTR_EQUIVALENT_LABELS, bad_eq2, sizeof(bad_eq2));
    run_t run = run_finish(&cbb);
    read_result r = read_run(&run, NULL, NULL);
    expect_fail(&r, "equivalentLabels[1]: ESSSecurityLabel has no security-policy-identifier");
    cachet_cms_signer_report_clear(&r.rep);
    cachet_free(run.data);
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    raw_attr(&cbb, CACHET_OID_ATTR_EQUIVALENT_LABELS, bad_eq, sizeof(bad_eq));
    run = run_finish(&cbb);
    r = read_run(&run, NULL, NULL);
    CHECK_EQ_INT(r.st, CACHET_ERR_ATTRIBUTES);
    cachet_cms_signer_report_clear(&r.rep);
    cachet_free(run.data);
}

static const cachet_test_case tests[] = {
    TEST_CASE(signing_certificate_v1_naming_the_signer_is_reported),
    TEST_CASE(signing_certificate_v1_issuer_serial_must_name_the_signer),
    TEST_CASE(attributes_that_must_be_signed_are_refused_unsigned),
    TEST_CASE(one_attribute_value_only),
    TEST_CASE(hints_identifier_reference_and_policy_are_reported),
    TEST_CASE(malformed_content_hints_are_ignored_not_fatal),
    TEST_CASE(signature_policy_forms_and_errors),
    TEST_CASE(equivalent_labels_need_unique_policies),
    TEST_CASE(label_errors_name_the_attribute),
};

TEST_MAIN(tests)
