/* ESS through a real SignedData (cms/ sign and verify): the attributes of a
 * valid signature reported, a signingCertificate (v1) naming another
 * certificate failing the signature (RFC 2634 §5.4), and the rules across the
 * SignerInfos of cachet_ess_check_layer: one label (§3.1.1), one history
 * (§4.1), mail list loops (§4.2). Fed whole, byte by byte and in random chunks. */
#include <stdio.h>
#include <string.h>

#include "cms/attributes.h"
#include "cms/ess.h"
#include "test_cms_signed_pki.h"

static tpki_party ca, alice, bob, mla;
static cachet_trust *trust;
static const uint8_t content[] = "Content-Type: text/plain\r\n\r\nlabelled\r\n";

static void teardown(void) {
    tpki_free(&alice);
    tpki_free(&bob);
    tpki_free(&mla);
    tpki_free(&ca);
    cachet_trust_free(trust);
}

static void setup(void) {
    if (ca.cert == NULL) {
        atexit(teardown);
        ca = tpki_make(TPKI_P256, "ESS CA", NULL, 1);
        alice = tpki_make(TPKI_P256, "alice", &ca, 2);
        bob = tpki_make(TPKI_RSA, "bob", &ca, 3);
        mla = tpki_make(TPKI_P256, "lists", &ca, 4);
        trust = tpki_trust(&ca);
    }
}

typedef struct attrs_t {
    uint8_t *data;
    size_t len;
} attrs_t;

static attrs_t label_attr(const char *policy, int classification) {
    cachet_security_label l = {.classification = classification};
    snprintf(l.policy, sizeof(l.policy), "%s", policy);
    cachet_cbb cbb;
    char detail[200];
    attrs_t a = {0};
    CHECK(cachet_cbb_init(&cbb, 128, 0) &&
          cachet_ess_add_label_attr(&cbb, &l, detail, sizeof(detail)) &&
          cachet_cbb_finish(&cbb, &a.data, &a.len));
    return a;
}

/* ml_attr: mlExpansionHistory with one MLData naming |who| by issuer/serial. */
static attrs_t ml_attr(const cachet_cert *who, const char *when) {
    cachet_cbb cbb, attr, set, seq, md, id;
    size_t il = 0, sl = 0;
    const uint8_t *is = cachet_cert_issuer_der(who, &il);
    const uint8_t *sn = cachet_cert_serial_der(who, &sl);
    attrs_t a = {0};
    CHECK(cachet_cbb_init(&cbb, 128, 0) && cachet_cbb_add_asn1(&cbb, &attr, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_ML_EXPANSION_HISTORY) &&
          cachet_cbb_add_asn1(&attr, &set, CACHET_ASN1_SET) &&
          cachet_cbb_add_asn1(&set, &seq, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1(&seq, &md, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1(&md, &id, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_bytes(&id, is, il) &&
          cachet_cbb_add_asn1_element(&id, CACHET_ASN1_INTEGER, sn, sl) && cachet_cbb_flush(&md) &&
          cachet_cbb_add_asn1_element(&md, CACHET_ASN1_GENERALIZEDTIME, (const uint8_t *)when,
                                      strlen(when)) &&
          cachet_cbb_flush(&cbb) && cachet_cbb_finish(&cbb, &a.data, &a.len));
    return a;
}

static attrs_t join(attrs_t a, attrs_t b) {
    attrs_t j = {cachet_malloc(a.len + b.len), a.len + b.len};
    memcpy(j.data, a.data, a.len);
    memcpy(j.data + a.len, b.data, b.len);
    cachet_free(a.data);
    cachet_free(b.data);
    return j;
}

/* sign_signers: a SignedData by alice (extra attributes |a|) and, with |two|, bob (|b|). */
static cachet_membuf sign_signers(const attrs_t *a, const attrs_t *b, bool two) {
    cachet_cms_signer_opts signers[2] = {
        {.key = alice.key,
         .cert = alice.cert,
         .md = CACHET_MD_SHA256,
         .extra_signed_attrs = a->data,
         .extra_signed_attrs_len = a->len},
        {.key = bob.key,
         .cert = bob.cert,
         .md = CACHET_MD_SHA256,
         .extra_signed_attrs = b != NULL ? b->data : NULL,
         .extra_signed_attrs_len = b != NULL ? b->len : 0},
    };
    cachet_cms_sign_opts o = {.signers = signers,
                              .num_signers = two ? 2 : 1,
                              .content_type = CACHET_OID_DATA,
                              .signing_time = 1780272000};
    cachet_membuf out = {0};
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(tpki_sign(&o, content, sizeof(content) - 1, TFEED_WHOLE, &out, &err), CACHET_OK);
    if (err.status != CACHET_OK) {
        fprintf(stderr, "sign: %s: %s\n", err.where, err.message);
    }
    return out;
}

typedef struct verified {
    cachet_status st;
    cachet_error err;
    cachet_layer_report layer;
    cachet_status layer_st;
    cachet_error layer_err;
} verified;

/* verify_layer verifies |cms| fed in |mode|, then applies the layer rules. */
static verified verify_layer(const cachet_membuf *cms, tfeed mode, const cachet_cert *ml_identity) {
    verified r;
    memset(&r, 0, sizeof(r));
    cachet_cms_policy policy = {.trust = trust};
    cachet_cms_verify *v = cachet_cms_verify_new(&policy, NULL, NULL, &r.err);
    CHECK(v != NULL);
    uint32_t rng = 99;
    cachet_status st = CACHET_OK;
    for (size_t off = 0; off < cms->len && st == CACHET_OK;) {
        size_t n = tfeed_next(mode, cms->len - off, &rng);
        st = cachet_cms_verify_update(v, cms->data + off, n, &r.err);
        off += n;
    }
    r.st = cachet_cms_verify_finish(v, &r.layer, &r.err);
    cachet_err_clear(&r.layer_err);
    r.layer_st = cachet_ess_check_layer(v, &r.layer, ml_identity, &r.layer_err);
    cachet_cms_verify_free(v);
    return r;
}

static void verified_free(verified *r) {
    cachet_cms_layer_report_clear(&r->layer);
}

static void signing_certificate_v1_of_another_certificate_fails_the_signature(void) {
    setup();
    cachet_cbb cbb;
    attrs_t good = {0}, bad = {0};
    CHECK(cachet_cbb_init(&cbb, 128, 0) && cachet_ess_add_signing_cert_v1_attr(&cbb, alice.cert) &&
          cachet_cbb_finish(&cbb, &good.data, &good.len));
    CHECK(cachet_cbb_init(&cbb, 128, 0) && cachet_ess_add_signing_cert_v1_attr(&cbb, bob.cert) &&
          cachet_cbb_finish(&cbb, &bad.data, &bad.len));
    for (int mode = TFEED_WHOLE; mode <= TFEED_RANDOM; mode++) {
        cachet_membuf m = sign_signers(&good, NULL, false);
        verified r = verify_layer(&m, (tfeed)mode, NULL);
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK(r.layer.num_signers == 1 && r.layer.signers[0].ess != NULL &&
              r.layer.signers[0].ess->signing_certificate_v1 &&
              r.layer.signers[0].ess->signing_certificate_v2);
        verified_free(&r);
        cachet_membuf_free(&m);
        m = sign_signers(&bad, NULL, false);
        r = verify_layer(&m, (tfeed)mode, NULL);
        CHECK_EQ_INT(r.st, CACHET_ERR_ATTRIBUTES);
        CHECK(r.layer.num_signers == 1 && !r.layer.signers[0].signature_valid);
        if (r.layer.num_signers == 1) {
            CHECK_EQ_INT(r.layer.signers[0].signature_status, CACHET_ERR_ATTRIBUTES);
            CHECK(strstr(r.layer.signers[0].signature_detail,
                         "signingCertificate.certs[0].certHash does not match") != NULL);
            CHECK(r.layer.signers[0].ess == NULL); /* SG-15 */
        }
        verified_free(&r);
        cachet_membuf_free(&m);
    }
    cachet_free(good.data);
    cachet_free(bad.data);
}

static void signers_with_the_same_label_pass_and_different_labels_fail(void) {
    setup();
    static const struct {
        const char *pa, *pb; /* NULL pb: bob without a label */
        int ca, cb;
        const char *want; /* NULL: the layer stands */
    } cases[] = {
        {"1.2.3", "1.2.3", 4, 4, NULL},
        {"1.2.3", "1.2.3", 4, 5,
         "the id-aa-securityLabel of signerInfos[1] differs from that "
         "of signerInfos[0]: all SignerInfos carry the same label"},
        {"1.2.3", NULL, 4, 0,
         "signerInfos[1] lacks a id-aa-securityLabel but signerInfos[0] "
         "has one"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        attrs_t a = label_attr(cases[i].pa, cases[i].ca);
        attrs_t b = cases[i].pb != NULL ? label_attr(cases[i].pb, cases[i].cb) : (attrs_t){0};
        cachet_membuf m = sign_signers(&a, &b, true);
        verified r = verify_layer(&m, TFEED_WHOLE, NULL);
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK_EQ_INT(r.layer.num_signers, 2);
        if (cases[i].want == NULL) {
            CHECK_EQ_INT(r.layer_st, CACHET_OK);
            CHECK(r.layer.signers[1].signature_valid && r.layer.signers[1].ess != NULL &&
                  r.layer.signers[1].ess->label != NULL);
        } else {
            CHECK_EQ_INT(r.layer_st, CACHET_ERR_ATTRIBUTES);
            CHECK_EQ_INT(r.layer_err.status, CACHET_ERR_ATTRIBUTES);
            CHECK_STR(r.layer_err.where, "SignedData.signerInfos[1]");
            if (strstr(r.layer_err.message, cases[i].want) == NULL) {
                fprintf(stderr, "case %zu: \"%s\"\n", i, r.layer_err.message);
                CHECK(false);
            }
            CHECK(r.layer.signers[0].signature_valid && !r.layer.signers[1].signature_valid);
            CHECK(r.layer.signers[1].ess == NULL);
        }
        verified_free(&r);
        cachet_membuf_free(&m);
        cachet_free(a.data);
        cachet_free(b.data);
    }
}

static void differing_ml_histories_fail(void) {
    setup();
    attrs_t a = ml_attr(mla.cert, "20260601000000Z");
    attrs_t b = ml_attr(mla.cert, "20260601000001Z");
    cachet_membuf m = sign_signers(&a, &b, true);
    verified r = verify_layer(&m, TFEED_BYTES, NULL);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK_EQ_INT(r.layer_st, CACHET_ERR_ATTRIBUTES);
    CHECK(strstr(r.layer_err.message, "all SignerInfos carry the same history (RFC 2634 section "
                                      "4.1)") != NULL);
    verified_free(&r);
    cachet_membuf_free(&m);
    cachet_free(a.data);
    cachet_free(b.data);
}

static void history_naming_this_agent_is_a_mail_list_loop(void) {
    setup();
    attrs_t a = join(label_attr("1.2.3", 1), ml_attr(mla.cert, "20260601000000Z"));
    cachet_membuf m = sign_signers(&a, NULL, false);
    for (int mode = TFEED_WHOLE; mode <= TFEED_RANDOM; mode++) {
        /* another agent: no loop; the history is reported */
        verified r = verify_layer(&m, (tfeed)mode, alice.cert);
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK_EQ_INT(r.layer_st, CACHET_OK);
        CHECK(r.layer.signers[0].ess != NULL && r.layer.signers[0].ess->num_ml_history == 1);
        if (r.layer.signers[0].ess != NULL && r.layer.signers[0].ess->num_ml_history == 1) {
            CHECK_STR(r.layer.signers[0].ess->ml_history[0].identifier,
                      "issuer=CN=ESS CA, serial=04");
            CHECK_EQ_INT(r.layer.signers[0].ess->ml_history[0].expansion_time, 1780272000);
        }
        verified_free(&r);
        r = verify_layer(&m, (tfeed)mode, mla.cert);
        CHECK_EQ_INT(r.layer_st, CACHET_ERR_POLICY);
        CHECK_EQ_INT(r.layer_err.status, CACHET_ERR_POLICY);
        CHECK(strncmp(r.layer_err.message,
                      "mail list loop: mlExpansionHistory[0] names this mail "
                      "list agent (issuer=CN=ESS CA, serial=04)",
                      90) == 0);
        CHECK(!r.layer.signers[0].signature_valid);
        CHECK_EQ_INT(r.layer.signers[0].signature_status, CACHET_ERR_POLICY);
        verified_free(&r);
    }
    cachet_membuf_free(&m);
    cachet_free(a.data);
}

static const cachet_test_case tests[] = {
    TEST_CASE(signing_certificate_v1_of_another_certificate_fails_the_signature),
    TEST_CASE(signers_with_the_same_label_pass_and_different_labels_fail),
    TEST_CASE(differing_ml_histories_fail),
    TEST_CASE(history_naming_this_agent_is_a_mail_list_loop),
};

TEST_MAIN(tests)
