/* One attribute, one value, for every ESS attribute type cachet reads (RFC 2634
 * §1.3.4, §3.4.1, §5.4; RFC 5035 §3, §5): each type given twice in signedAttrs,
 * with zero AttributeValues and with two, refused with the exact status and
 * message, at each stage that sees it: the ESS readers (cachet_cms_ess_read,
 * cachet_cms_receipt_attrs_read), the signedAttrs check that runs before them
 * (cachet_cms_check_signed_attrs), and whole SignedData (made by cachet's
 * signer, and by OpenSSL for the shapes cachet's signer will not write)
 * verified fed whole, byte by byte and in random chunks. A one-value control
 * per type shows each refusal is about the count, not the value. */
#include <stdio.h>
#include <string.h>

#include "cms/attributes.h"
#include "cms/ess.h"
#include "test_cms_signed_pki.h"

static tpki_party ca, alice;
static cachet_trust *trust;

static void teardown(void) {
    tpki_free(&alice);
    tpki_free(&ca);
    cachet_trust_free(trust);
}

static void setup(void) {
    if (ca.cert == NULL) {
        atexit(teardown);
        ca = tpki_make(TPKI_P256, "ESS single CA", NULL, 1);
        /* RSA: a re-made signature keeps its length (resign) */
        alice = tpki_make(TPKI_RSA, "alice", &ca, 2);
        trust = tpki_trust(&ca);
    }
}

typedef struct buf_t {
    uint8_t *data;
    size_t len;
} buf_t;

/* One well-formed AttributeValue of each type (the signingCertificate and
 * signingCertificateV2 ones are made per run by cachet's writers: they must
 * name alice's certificate). */
static const uint8_t v_label[] = {0x31, 0x04, 0x06, 0x02, 0x2a, 0x03};
static const uint8_t v_equiv[] = {0x30, 0x06, 0x31, 0x04, 0x06, 0x02, 0x2a, 0x04};
static const uint8_t v_hints[] = {0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                  0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
static const uint8_t v_ref[] = {0x30, 0x0d, 0x06, 0x02, 0x2a, 0x03, 0x04, 0x02,
                                'a',  'b',  0x04, 0x03, 's',  'i',  'g'};
static const uint8_t v_id[] = {0x04, 0x03, 0x01, 0x02, 0x03};
/* MLExpansionHistory { MLData { subjectKeyIdentifier 0102, 20260101000000Z } } */
static const uint8_t v_ml[] = {0x30, 0x17, 0x30, 0x15, 0x04, 0x02, 0x01, 0x02, 0x18,
                               0x0f, '2',  '0',  '2',  '6',  '0',  '1',  '0',  '1',
                               '0',  '0',  '0',  '0',  '0',  '0',  'Z'};
static const uint8_t v_policy[] = {0x05, 0x00}; /* signaturePolicyImplied */
/* ReceiptRequest { id 07, allOrFirstTier allReceipts, receiptsTo { { rfc822Name } } } */
static const uint8_t v_rr[] = {0x30, 0x19, 0x04, 0x01, 0x07, 0x80, 0x01, 0x00, 0x30,
                               0x11, 0x30, 0x0f, 0x81, 0x0d, 'a',  '@',  'e',  'x',
                               'a',  'm',  'p',  'l',  'e',  '.',  'c',  'o',  'm'};
static const uint8_t v_msd[] = {0x04, 0x04, 0xde, 0xad, 0xbe, 0xef};

typedef struct ess_type {
    cachet_oid oid;
    const char *name; /* as every message names it */
    const uint8_t *value;
    size_t value_len;
    bool ess_read; /* read by cachet_cms_ess_read (else by the receipt reader) */
} ess_type;

#define T(o, n, v, r)                                                                              \
    { CACHET_OID_ATTR_##o, n, v, sizeof(v), r }
static const ess_type types[] = {
    T(SECURITY_LABEL, "id-aa-securityLabel", v_label, true),
    T(EQUIVALENT_LABELS, "id-aa-equivalentLabels", v_equiv, true),
    T(ML_EXPANSION_HISTORY, "id-aa-mlExpandHistory", v_ml, true),
    T(CONTENT_HINT, "id-aa-contentHint", v_hints, true),
    T(CONTENT_REFERENCE, "id-aa-contentReference", v_ref, true),
    T(CONTENT_IDENTIFIER, "id-aa-contentIdentifier", v_id, true),
    {CACHET_OID_ATTR_SIGNING_CERTIFICATE, "id-aa-signingCertificate", NULL, 0, true},
    {CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2, "id-aa-signingCertificateV2", NULL, 0, true},
    T(SIG_POLICY_ID, "id-aa-ets-sigPolicyId", v_policy, true),
    T(RECEIPT_REQUEST, "id-aa-receiptRequest", v_rr, false),
    T(MSG_SIG_DIGEST, "id-aa-msgSigDigest", v_msd, false),
};
#undef T
#define NUM_TYPES (sizeof(types) / sizeof(types[0]))

typedef enum shape { ONE, TWICE, ZERO_VALUES, TWO_VALUES } shape;
static const char *const shape_names[] = {"one", "twice", "zero values", "two values"};

/* cert_id_value: the value of the signingCertificate (v1) or
 * signingCertificateV2 attribute naming alice, as cachet writes it. */
static buf_t cert_id_value(cachet_oid oid) {
    cachet_cbb cbb;
    buf_t attr = {0}, v = {0};
    CHECK(cachet_cbb_init(&cbb, 256, 0) &&
          (oid == CACHET_OID_ATTR_SIGNING_CERTIFICATE
               ? cachet_ess_add_signing_cert_v1_attr(&cbb, alice.cert)
               : cachet_cms_add_signing_cert_v2_attr(&cbb, alice.cert)) &&
          cachet_cbb_finish(&cbb, &attr.data, &attr.len));
    cachet_cbs in, seq, type, set;
    cachet_cbs_init(&in, attr.data, attr.len);
    CHECK(cachet_cbs_get_asn1(&in, &seq, CACHET_ASN1_SEQUENCE) &&
          cachet_cbs_get_asn1(&seq, &type, CACHET_ASN1_OBJECT) &&
          cachet_cbs_get_asn1(&seq, &set, CACHET_ASN1_SET));
    v.len = set.len;
    v.data = cachet_malloc(v.len);
    memcpy(v.data, set.data, v.len);
    cachet_free(attr.data);
    return v;
}

/* add_attr adds Attribute { oid, SET { |n| copies of value } } to |run|. */
static void add_attr(cachet_cbb *run, cachet_oid oid, const uint8_t *value, size_t len, int n) {
    cachet_cbb attr, set;
    CHECK(cachet_cbb_add_asn1(run, &attr, CACHET_ASN1_SEQUENCE) && cachet_cbb_add_oid(&attr, oid) &&
          cachet_cbb_add_asn1(&attr, &set, CACHET_ASN1_SET));
    for (int i = 0; i < n; i++) {
        CHECK(cachet_cbb_add_bytes(&set, value, len));
    }
    CHECK(cachet_cbb_flush(run));
}

/* shaped_run: the attribute of type |t| in shape |s|, after |prefix| (DER
 * Attributes, may be empty), as SET contents. */
static buf_t shaped_run(const ess_type *t, shape s, const buf_t *prefix) {
    buf_t made = {0};
    const uint8_t *value = t->value;
    size_t len = t->value_len;
    if (value == NULL) {
        made = cert_id_value(t->oid);
        value = made.data;
        len = made.len;
    }
    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 256, 0));
    if (prefix != NULL) {
        CHECK(cachet_cbb_add_bytes(&cbb, prefix->data, prefix->len));
    }
    add_attr(&cbb, t->oid, value, len, s == ZERO_VALUES ? 0 : s == TWO_VALUES ? 2 : 1);
    if (s == TWICE) {
        add_attr(&cbb, t->oid, value, len, 1);
    }
    buf_t r = {0};
    CHECK(cachet_cbb_finish(&cbb, &r.data, &r.len));
    cachet_free(made.data);
    return r;
}

static void expect_detail(const char *got, const char *want, const ess_type *t, shape s) {
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "%s, %s:\n", t->name, shape_names[s]);
    }
    CHECK_STR(got, want);
}

/* cachet_cms_ess_read and cachet_cms_receipt_attrs_read, in verify_signer's
 * order, over the run alone. */
typedef struct read_out {
    cachet_status st;
    char detail[200];
    cachet_signer_report rep;
} read_out;

static read_out read_hooks(const buf_t *run) {
    read_out r;
    memset(&r, 0, sizeof(r));
    cachet_cbs s;
    cachet_cbs_init(&s, run->data, run->len);
    r.st = cachet_cms_ess_read(&s, NULL, alice.cert, &r.rep, r.detail, sizeof(r.detail));
    if (r.st == CACHET_OK) {
        r.st = cachet_cms_receipt_attrs_read(&s, &r.rep, r.detail, sizeof(r.detail));
    }
    return r;
}

static void ess_readers_refuse_a_second_instance_and_zero_or_two_values(void) {
    setup();
    for (size_t i = 0; i < NUM_TYPES; i++) {
        const ess_type *t = &types[i];
        for (int s = ONE; s <= TWO_VALUES; s++) {
            if (!t->ess_read && s == TWICE) {
                continue; /* the receipt reader leaves that to the signedAttrs check */
            }
            buf_t run = shaped_run(t, (shape)s, NULL);
            read_out r = read_hooks(&run);
            char want[200];
            if (s == ONE) {
                if (r.st != CACHET_OK) {
                    fprintf(stderr, "%s, one: %s\n", t->name, r.detail);
                }
                CHECK_EQ_INT(r.st, CACHET_OK);
                CHECK(r.rep.ess != NULL);
            } else {
                CHECK_EQ_INT(r.st, CACHET_ERR_ATTRIBUTES);
                /* refused before anything is reported (verify_signer drops
                 * rep->ess on any failure anyway: the last test) */
                CHECK(!t->ess_read || r.rep.ess == NULL);
                if (!t->ess_read) {
                    snprintf(want, sizeof(want), "%s",
                             t->oid == CACHET_OID_ATTR_RECEIPT_REQUEST
                                 ? "receiptRequest: not exactly one value"
                                 : "msgSigDigest: not exactly one OCTET STRING value of 1 to "
                                   "64 bytes");
                } else if (s == TWICE) {
                    snprintf(want, sizeof(want), "%s appears twice (RFC 2634 section 1.3.4)",
                             t->name);
                } else {
                    snprintf(want, sizeof(want),
                             "%s must have exactly one AttributeValue (RFC 2634 section 1.3.4)",
                             t->name);
                }
                expect_detail(r.detail, want, t, (shape)s);
            }
            cachet_cms_signer_report_clear(&r.rep);
            cachet_free(run.data);
        }
    }
}

/* mandatory: contentType (id-data) and messageDigest, as DER Attributes. */
static buf_t mandatory(void) {
    static const uint8_t ct[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
    uint8_t md[34] = {0x04, 0x20};
    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 128, 0));
    add_attr(&cbb, CACHET_OID_ATTR_CONTENT_TYPE, ct, sizeof(ct), 1);
    add_attr(&cbb, CACHET_OID_ATTR_MESSAGE_DIGEST, md, sizeof(md), 1);
    buf_t r = {0};
    CHECK(cachet_cbb_finish(&cbb, &r.data, &r.len));
    return r;
}

static void signed_attrs_check_refuses_a_second_instance_of_every_ess_type(void) {
    setup();
    buf_t base = mandatory();
    for (size_t i = 0; i < NUM_TYPES; i++) {
        const ess_type *t = &types[i];
        for (int s = ONE; s <= TWO_VALUES; s++) {
            buf_t run = shaped_run(t, (shape)s, &base);
            cachet_cbs in;
            cachet_cbs_init(&in, run.data, run.len);
            cachet_cms_attrs_info info;
            char detail[200] = "";
            cachet_status st =
                cachet_cms_check_signed_attrs(&in, 64, &info, detail, sizeof(detail));
            const bool sc2 = t->oid == CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2;
            char want[200] = "";
            if (s == TWICE) {
                snprintf(want, sizeof(want), "attribute %s appears twice", t->name);
            } else if (sc2 && s != ONE) {
                snprintf(want, sizeof(want), "malformed signingCertificateV2");
            } else if (s == ZERO_VALUES) {
                snprintf(want, sizeof(want), "attribute with no value");
            }
            /* two values of a type other than signingCertificateV2 pass here:
             * the ESS readers refuse them (previous test and the next) */
            CHECK_EQ_INT(st, want[0] != '\0' ? CACHET_ERR_ATTRIBUTES : CACHET_OK);
            expect_detail(detail, want, t, (shape)s);
            cachet_free(run.data);
        }
    }
    cachet_free(base.data);
}

static const uint8_t content[] = "Content-Type: text/plain\r\n\r\none value each\r\n";

static cachet_membuf sign_with(const buf_t *extra) {
    cachet_cms_signer_opts signer = {.key = alice.key,
                                     .cert = alice.cert,
                                     .md = CACHET_MD_SHA256,
                                     .extra_signed_attrs = extra->data,
                                     .extra_signed_attrs_len = extra->len};
    cachet_cms_sign_opts o = {.signers = &signer,
                              .num_signers = 1,
                              .content_type = CACHET_OID_DATA,
                              .signing_time = 1780272000};
    cachet_membuf out = {0};
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(tpki_sign(&o, content, sizeof(content) - 1, TFEED_WHOLE, &out, &err), CACHET_OK);
    return out;
}

/* A SignerInfo whose signature is good but whose signedAttrs carry an ESS
 * attribute with two values: the signature is invalid, the op fails, nothing
 * of ESS is reported (SG-15). cachet's signer writes signingCertificateV2
 * itself, so that type is covered by the tests above only; receiptRequest
 * with two values is refused here before it is parsed. */
static void a_signature_over_two_values_of_an_ess_attribute_is_invalid(void) {
    setup();
    for (size_t i = 0; i < NUM_TYPES; i++) {
        const ess_type *t = &types[i];
        if (t->oid == CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2) {
            continue;
        }
        buf_t extra = shaped_run(t, TWO_VALUES, NULL);
        cachet_membuf m = sign_with(&extra);
        char want[256];
        if (t->oid == CACHET_OID_ATTR_RECEIPT_REQUEST) {
            snprintf(want, sizeof(want), "signedAttrs: receiptRequest: not exactly one value");
        } else if (t->oid == CACHET_OID_ATTR_MSG_SIG_DIGEST) {
            snprintf(want, sizeof(want),
                     "signedAttrs: msgSigDigest: not exactly one OCTET STRING value of 1 to 64 "
                     "bytes");
        } else {
            snprintf(want, sizeof(want),
                     "signedAttrs: %s must have exactly one AttributeValue (RFC 2634 section "
                     "1.3.4)",
                     t->name);
        }
        for (int mode = TFEED_WHOLE; mode <= TFEED_RANDOM; mode++) {
            cachet_cms_policy policy = {.trust = trust};
            cachet_membuf got = {0};
            cachet_layer_report layer;
            cachet_error err;
            cachet_err_clear(&err);
            cachet_status st = tpki_verify(&policy, m.data, m.len, NULL, 0, NULL, 0, (tfeed)mode,
                                           &got, &layer, &err);
            CHECK_EQ_INT(st, CACHET_ERR_ATTRIBUTES);
            CHECK_EQ_INT(layer.num_signers, 1);
            if (layer.num_signers == 1) {
                const cachet_signer_report *r = &layer.signers[0];
                CHECK(!r->signature_valid);
                CHECK_EQ_INT(r->signature_status, CACHET_ERR_ATTRIBUTES);
                if (strcmp(r->signature_detail, want) != 0) {
                    fprintf(stderr, "%s fed %s:\n", t->name, tfeed_names[mode]);
                }
                CHECK_STR(r->signature_detail, want);
                CHECK(r->ess == NULL);
            }
            cachet_cms_layer_report_clear(&layer);
            cachet_membuf_free(&got);
        }
        cachet_membuf_free(&m);
        cachet_free(extra.data);
    }
}

/* OpenSSL checks the ESS attributes it knows when it signs (one instance, one
 * value), so each attribute of the run is added under a placeholder type of
 * the same encoded length (id-aa arcs 126 and 127, unknown to it) and renamed
 * in the DER afterwards; the signedAttrs are then signed again with alice's
 * RSA key (the signature keeps its length) so that the signature verifies. */
static const uint8_t placeholder[2][11] = {
    {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x7e},
    {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x7f},
};

static void rename_type(cachet_membuf *m, const uint8_t *from, const uint8_t *to, size_t len) {
    size_t hits = 0;
    for (size_t i = 0; i + len <= m->len; i++) {
        if (memcmp(m->data + i, from, len) == 0) {
            memcpy(m->data + i, to, len);
            hits++;
        }
    }
    CHECK_EQ_INT(hits, 1);
}

static void resign(cachet_membuf *m) {
    cachet_cbs attrs, sig;
    CHECK(tpki_first_signer(m->data, m->len, &attrs, &sig));
    uint8_t *tbs = cachet_malloc(attrs.len);
    memcpy(tbs, attrs.data, attrs.len);
    tbs[0] = 0x31; /* RFC 5652 §5.4: signed as a SET */
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t sig_len = sig.len;
    uint8_t *out = cachet_malloc(sig_len);
    CHECK(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, alice.ossl_key) == 1 &&
          EVP_DigestSign(ctx, out, &sig_len, tbs, attrs.len) == 1);
    CHECK_EQ_INT(sig_len, sig.len);
    memcpy((uint8_t *)sig.data, out, sig.len);
    EVP_MD_CTX_free(ctx);
    cachet_free(out);
    cachet_free(tbs);
}

/* ossl_sign: a SignedData by alice made with OpenSSL, whose signedAttrs carry
 * its own attributes plus the Attributes of |run| (DER, one or two elements). */
static cachet_membuf ossl_sign(const buf_t *run) {
    cachet_membuf out = {0};
    BIO *data = BIO_new_mem_buf(content, (int)(sizeof(content) - 1));
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_BINARY);
    CMS_SignerInfo *si = cms != NULL ? CMS_add1_signer(cms, alice.ossl_cert, alice.ossl_key,
                                                       EVP_sha256(), CMS_PARTIAL | CMS_BINARY)
                                     : NULL;
    CHECK(data != NULL && si != NULL);
    const unsigned char *p = run->data, *end = run->data + run->len;
    uint8_t real[11];
    size_t n = 0;
    for (; si != NULL && p < end && n < 2; n++) {
        X509_ATTRIBUTE *a = d2i_X509_ATTRIBUTE(NULL, &p, (long)(end - p));
        CHECK(a != NULL);
        if (a == NULL) {
            break;
        }
        ASN1_OBJECT *type = X509_ATTRIBUTE_get0_object(a);
        CHECK_EQ_INT(OBJ_length(type), sizeof(real));
        memcpy(real, OBJ_get0_data(type), sizeof(real));
        ASN1_OBJECT *ph =
            OBJ_txt2obj(n == 0 ? "1.2.840.113549.1.9.16.2.126" : "1.2.840.113549.1.9.16.2.127", 1);
        CHECK(X509_ATTRIBUTE_set1_object(a, ph) == 1 && CMS_signed_add1_attr(si, a) == 1);
        ASN1_OBJECT_free(ph);
        X509_ATTRIBUTE_free(a);
    }
    unsigned char *der = NULL;
    int len = 0;
    if (si != NULL && CMS_final(cms, data, NULL, CMS_BINARY) == 1) {
        len = i2d_CMS_ContentInfo(cms, &der);
    }
    CHECK(len > 0);
    if (len > 0) {
        cachet_sink sink = cachet_sink_membuf(&out);
        CHECK_EQ_INT(cachet_sink_write(&sink, der, (size_t)len), CACHET_OK);
        for (size_t k = 0; k < n; k++) {
            rename_type(&out, placeholder[k], real, sizeof(real));
        }
        resign(&out);
    }
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    BIO_free(data);
    return out;
}

/* want_verify: the signature_detail verify_signer gives for type |t| in
 * shape |s| ("signature valid" for ONE). The signedAttrs check runs
 * first and refuses a second instance, zero values, and any malformed
 * signingCertificateV2; two values of another type reach the ESS readers. */
static void want_verify(const ess_type *t, shape s, char *want, size_t want_len) {
    const bool sc2 = t->oid == CACHET_OID_ATTR_SIGNING_CERTIFICATE_V2;
    if (s == ONE) {
        snprintf(want, want_len, "signature valid");
    } else if (s == TWICE) {
        snprintf(want, want_len, "signedAttrs: attribute %s appears twice", t->name);
    } else if (sc2) {
        snprintf(want, want_len, "signedAttrs: malformed signingCertificateV2");
    } else if (s == ZERO_VALUES) {
        snprintf(want, want_len, "signedAttrs: attribute with no value");
    } else if (t->oid == CACHET_OID_ATTR_RECEIPT_REQUEST) {
        snprintf(want, want_len, "signedAttrs: receiptRequest: not exactly one value");
    } else if (t->oid == CACHET_OID_ATTR_MSG_SIG_DIGEST) {
        snprintf(want, want_len,
                 "signedAttrs: msgSigDigest: not exactly one OCTET STRING value of 1 to 64 "
                 "bytes");
    } else {
        snprintf(want, want_len,
                 "signedAttrs: %s must have exactly one AttributeValue (RFC 2634 section "
                 "1.3.4)",
                 t->name);
    }
}

/* Every type in every shape, in a SignedData signed by OpenSSL (which lets any
 * attribute shape be signed, signingCertificateV2 included), verified by
 * cachet fed whole, byte by byte and in random chunks: one value verifies and
 * is reported; twice, zero and two values make the signature invalid with
 * the exact detail, and nothing of ESS is reported (SG-15). */
static void openssl_signed_ess_attributes_in_every_shape_verify_precisely(void) {
    setup();
    for (size_t i = 0; i < NUM_TYPES; i++) {
        const ess_type *t = &types[i];
        for (int s = ONE; s <= TWO_VALUES; s++) {
            buf_t run = shaped_run(t, (shape)s, NULL);
            cachet_membuf m = ossl_sign(&run);
            char want[256];
            want_verify(t, (shape)s, want, sizeof(want));
            for (int mode = TFEED_WHOLE; mode <= TFEED_RANDOM; mode++) {
                cachet_cms_policy policy = {.trust = trust};
                cachet_membuf got = {0};
                cachet_layer_report layer;
                cachet_error err;
                cachet_err_clear(&err);
                cachet_status st = tpki_verify(&policy, m.data, m.len, NULL, 0, NULL, 0,
                                               (tfeed)mode, &got, &layer, &err);
                CHECK_EQ_INT(st, s == ONE ? CACHET_OK : CACHET_ERR_ATTRIBUTES);
                CHECK_EQ_INT(layer.num_signers, 1);
                if (layer.num_signers == 1) {
                    const cachet_signer_report *r = &layer.signers[0];
                    CHECK(r->signature_valid == (s == ONE));
                    CHECK_EQ_INT(r->signature_status, s == ONE ? CACHET_OK : CACHET_ERR_ATTRIBUTES);
                    if (strcmp(r->signature_detail, want) != 0) {
                        fprintf(stderr, "%s, %s, fed %s:\n", t->name, shape_names[s],
                                tfeed_names[mode]);
                    }
                    CHECK_STR(r->signature_detail, want);
                    CHECK((r->ess != NULL) == (s == ONE));
                }
                cachet_cms_layer_report_clear(&layer);
                cachet_membuf_free(&got);
            }
            cachet_membuf_free(&m);
            cachet_free(run.data);
        }
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(ess_readers_refuse_a_second_instance_and_zero_or_two_values),
    TEST_CASE(signed_attrs_check_refuses_a_second_instance_of_every_ess_type),
    TEST_CASE(a_signature_over_two_values_of_an_ess_attribute_is_invalid),
    TEST_CASE(openssl_signed_ess_attributes_in_every_shape_verify_precisely),
};

TEST_MAIN(tests)
