/* Countersignatures (RFC 5652 §11.4), adding: cachet_cms_countersign_add over
 * SignedData made by cachet's signer (BER, streamed) and by OpenSSL (DER),
 * verified by cachet (the countersignature) and by OpenSSL (the main
 * signature, unchanged); countersignatures built by hand for the §11.4 rules
 * (contentType absent, messageDigest present, over the right signature, nesting). */
#include <stdlib.h>

#include "cms/countersign.h"
#include "test_cms_signed_pki.h"

static const uint8_t content[] = "Content-Type: text/plain\r\n\r\nhello countersigners\r\n";
#define CONTENT_LEN (sizeof(content) - 1)

typedef struct fixture {
    tpki_party ca, rsa, ec, ed;
    cachet_trust *trust;
} fixture;

static fixture fx;

static void setup(void) {
    if (fx.trust != NULL) {
        return;
    }
    fx.ca = tpki_make(TPKI_RSA, "Countersign CA", NULL, 1);
    fx.rsa = tpki_make(TPKI_RSA, "alice", &fx.ca, 2);
    fx.ec = tpki_make(TPKI_P256, "notary", &fx.ca, 3);
    fx.ed = tpki_make(TPKI_ED25519, "witness", &fx.ca, 4);
    fx.trust = tpki_trust(&fx.ca);
}

/* sign: a SignedData over |content| by |n| of rsa, ec (cachet's streaming BER). */
static cachet_membuf sign(size_t n, bool detached) {
    cachet_cms_signer_opts so[2] = {{.key = fx.rsa.key, .cert = fx.rsa.cert},
                                    {.key = fx.ec.key, .cert = fx.ec.cert}};
    cachet_cms_sign_opts o = {.signers = so, .num_signers = n, .detached = detached};
    cachet_membuf out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(tpki_sign(&o, content, CONTENT_LEN, TFEED_WHOLE, &out, &err), CACHET_OK);
    return out;
}

static cachet_status countersign(const cachet_membuf *in, const tpki_party *by, size_t index,
                                 bool all, uint8_t **out, size_t *out_len, cachet_error *err) {
    cachet_cms_countersign_opts o = {.key = by->key,
                                     .cert = by->cert,
                                     .signer_index = index,
                                     .all_signers = all,
                                     .signing_time = 1700000000};
    return cachet_cms_countersign_add(&o, NULL, in->data, in->len, out, out_len, err);
}

static cachet_status verify(const uint8_t *cms, size_t len, bool detached,
                            cachet_layer_report *layer, cachet_error *err) {
    cachet_cms_policy pol = {.trust = fx.trust};
    return cachet_cms_verify_der(&pol, NULL, cms, len, detached ? content : NULL,
                                 detached ? CONTENT_LEN : 0, NULL, layer, err);
}

/* openssl_verifies: OpenSSL (which ignores countersignatures) still accepts
 * the main signature(s). */
static bool openssl_verifies(const uint8_t *cms, size_t len, bool detached) {
    BIO *in = BIO_new_mem_buf(cms, (int)len);
    CMS_ContentInfo *ci = d2i_CMS_bio(in, NULL);
    BIO *dc = detached ? BIO_new_mem_buf(content, (int)CONTENT_LEN) : NULL;
    X509_STORE *st = tpki_store(&fx.ca);
    int ok = ci != NULL && CMS_verify(ci, NULL, st, dc, NULL, CMS_BINARY) == 1;
    if (!ok) {
        ERR_print_errors_fp(stderr);
    }
    CMS_ContentInfo_free(ci);
    X509_STORE_free(st);
    BIO_free(dc);
    BIO_free(in);
    return ok;
}

typedef struct add_case {
    const char *name;
    tpki_party *by;
    const char *subject;
    const char *digest;
    const char *algorithm;
    bool detached;
} add_case;

static void added_countersignature_verifies_for_each_key_type(void) {
    setup();
    const add_case cases[] = {
        {"rsa by ec", &fx.ec, "CN=notary", "sha256", "ecdsa-with-SHA256", false},
        {"rsa by ed25519", &fx.ed, "CN=witness", "sha512", "ed25519", false},
        {"rsa by rsa, detached", &fx.rsa, "CN=alice", "sha256", "rsaEncryption", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const add_case *c = &cases[i];
        cachet_membuf in = sign(1, c->detached);
        uint8_t *out = NULL;
        size_t out_len = 0;
        cachet_error err = {0};
        cachet_status st = countersign(&in, c->by, 0, false, &out, &out_len, &err);
        if (st != CACHET_OK) {
            fprintf(stderr, "%s: %s: %s\n", c->name, err.where, err.message);
        }
        CHECK_EQ_INT(st, CACHET_OK);
        cachet_layer_report layer;
        st = verify(out, out_len, c->detached, &layer, &err);
        CHECK_EQ_INT(st, CACHET_OK);
        /* SG-15: the countersigner is reported as one, never as a signer of the content */
        CHECK(layer.num_signers == 1 && layer.signers[0].num_countersigners == 1);
        CHECK(layer.num_signers == 1 && layer.signers[0].signature_valid &&
              strcmp(layer.signers[0].subject, "CN=alice") == 0);
        if (layer.num_signers == 1 && layer.signers[0].num_countersigners == 1) {
            const cachet_signer_report *cs = &layer.signers[0].countersigners[0];
            if (!cs->signature_valid) {
                fprintf(stderr, "%s: %s\n", c->name, cs->signature_detail);
            }
            CHECK(cs->signature_valid);
            CHECK_STR(cs->subject, c->subject);
            CHECK_STR(cs->digest, c->digest);
            CHECK_STR(cs->algorithm, c->algorithm);
            CHECK_EQ_INT(cs->chain, CACHET_CHAIN_TRUSTED);
            CHECK(cs->has_signing_time && cs->signing_time == 1700000000);
            CHECK(cs->num_emails == 1);
        }
        CHECK(openssl_verifies(out, out_len, c->detached));
        cachet_cms_layer_report_clear(&layer);
        cachet_free(out);
        cachet_membuf_free(&in);
    }
}

/* The element |n| (0-based) of SignedData's signerInfos of a DER ContentInfo. */
static bool signer_elem(const uint8_t *der, size_t len, size_t n, cachet_cbs *out) {
    cachet_cbs in, ci, wrap, sd, skip, sis;
    cachet_cbs_init(&in, der, len);
    bool ok = cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) &&
              cachet_cbs_get_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbs_get_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_INTEGER) &&
              cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SET) &&
              cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SEQUENCE);
    while (ok && !cachet_cbs_peek_asn1_tag(&sd, CACHET_ASN1_SET)) {
        ok = cachet_cbs_get_any_asn1_element(&sd, NULL, NULL, NULL); /* certificates, crls */
    }
    ok = ok && cachet_cbs_get_asn1(&sd, &sis, CACHET_ASN1_SET);
    for (size_t i = 0; ok && i <= n; i++) {
        ok = cachet_cbs_get_asn1_element(&sis, out, CACHET_ASN1_SEQUENCE);
    }
    return ok;
}

static bool contains(const uint8_t *hay, size_t len, const uint8_t *needle, size_t nlen) {
    for (size_t i = 0; i + nlen <= len; i++) {
        if (memcmp(hay + i, needle, nlen) == 0) {
            return true;
        }
    }
    return false;
}

/* Two signers, the second countersigned: the first SignerInfo, the content and
 * the second's signed part stay byte for byte; a second countersignature joins
 * the same attribute; --signer all countersigns each. */
static void add_leaves_the_rest_untouched(void) {
    setup();
    cachet_membuf in = sign(2, false);
    uint8_t *der = NULL, *out = NULL, *out2 = NULL, *all = NULL;
    size_t der_len = 0, out_len = 0, out2_len = 0, all_len = 0;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_ber_to_der(in.data, in.len, NULL, &der, &der_len, &err), CACHET_OK);
    CHECK_EQ_INT(countersign(&in, &fx.ed, 1, false, &out, &out_len, &err), CACHET_OK);
    cachet_cbs a0, b0, a1, b1;
    CHECK(signer_elem(der, der_len, 0, &a0) && signer_elem(out, out_len, 0, &b0));
    CHECK_MEM(a0.data, a0.len, b0.data, b0.len);
    CHECK(signer_elem(der, der_len, 1, &a1) && signer_elem(out, out_len, 1, &b1));
    CHECK(b1.len > a1.len);
    /* the SignerInfo up to its end, with the header length adjusted: compare the tail */
    CHECK(memcmp(a1.data + 4, b1.data + 4, a1.len - 4) == 0);
    CHECK(contains(out, out_len, content, CONTENT_LEN));
    CHECK_EQ_INT(countersign(&(cachet_membuf){.data = out, .len = out_len}, &fx.ec, 1, false, &out2,
                             &out2_len, &err),
                 CACHET_OK);
    CHECK_EQ_INT(countersign(&in, &fx.ec, 0, true, &all, &all_len, &err), CACHET_OK);
    cachet_layer_report layer;
    CHECK_EQ_INT(verify(out2, out2_len, false, &layer, &err), CACHET_OK);
    CHECK(layer.num_signers == 2 && layer.signers[0].num_countersigners == 0 &&
          layer.signers[1].num_countersigners == 2);
    cachet_cms_layer_report_clear(&layer);
    CHECK_EQ_INT(verify(all, all_len, false, &layer, &err), CACHET_OK);
    CHECK(layer.num_signers == 2 && layer.signers[0].num_countersigners == 1 &&
          layer.signers[1].num_countersigners == 1);
    cachet_cms_layer_report_clear(&layer);
    CHECK(openssl_verifies(all, all_len, false));
    cachet_free(der);
    cachet_free(out);
    cachet_free(out2);
    cachet_free(all);
    cachet_membuf_free(&in);
}

static void add_refuses_what_it_cannot_do(void) {
    setup();
    cachet_membuf in = sign(1, true);
    uint8_t *out = NULL;
    size_t out_len = 0;
    cachet_error err = {0};
    CHECK_EQ_INT(countersign(&in, &fx.ec, 1, false, &out, &out_len, &err), CACHET_ERR_USAGE);
    CHECK(strstr(err.message, "no SignerInfo 1 to countersign: the message has 1") != NULL);
    cachet_err_clear(&err);
    cachet_cms_countersign_opts o = {.key = fx.ec.key, .cert = fx.ec.cert, .max_input = 100};
    CHECK_EQ_INT(cachet_cms_countersign_add(&o, NULL, in.data, in.len, &out, &out_len, &err),
                 CACHET_ERR_LIMIT);
    CHECK(strstr(err.message, "holds the whole SignedData in memory") != NULL);
    cachet_err_clear(&err);
    o = (cachet_cms_countersign_opts){.key = fx.ec.key, .cert = fx.rsa.cert};
    CHECK_EQ_INT(cachet_cms_countersign_add(&o, NULL, in.data, in.len, &out, &out_len, &err),
                 CACHET_ERR_KEY);
    cachet_err_clear(&err);
    in.data[0] ^= 0x01;
    CHECK_EQ_INT(countersign(&in, &fx.ec, 0, false, &out, &out_len, &err), CACHET_ERR_MALFORMED);
    cachet_membuf_free(&in);
}

/* ---- Countersignatures built by hand (ECDSA P-256, SHA-256) ---- */

enum { A_CONTENT_TYPE = 1, A_MESSAGE_DIGEST = 2, A_SIGNING_TIME = 4 };

typedef struct cs_parts {
    uint8_t *attrs; /* DER SET of the signed attributes */
    size_t attrs_len;
    cachet_membuf sig;
} cs_parts;

/* cs_sign signs the attributes |which| over |parent_sig| with fx.ec. */
static cs_parts cs_sign(const uint8_t *parent_sig, size_t plen, unsigned which) {
    cs_parts p = {0};
    uint8_t md[32];
    cachet_cbb top, set, attr, vals;
    CHECK(cachet_md_oneshot(CACHET_MD_SHA256, parent_sig, plen, md));
    CHECK(cachet_cbb_init(&top, 256, 0));
    CHECK(cachet_cbb_add_asn1(&top, &set, CACHET_ASN1_SET));
    if (which & A_CONTENT_TYPE) {
        CHECK(cachet_cbb_add_asn1(&set, &attr, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_CONTENT_TYPE) &&
              cachet_cbb_add_asn1(&attr, &vals, CACHET_ASN1_SET) &&
              cachet_cbb_add_oid(&vals, CACHET_OID_DATA) && cachet_cbb_flush(&set));
    }
    if (which & A_MESSAGE_DIGEST) {
        CHECK(cachet_cbb_add_asn1(&set, &attr, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_MESSAGE_DIGEST) &&
              cachet_cbb_add_asn1(&attr, &vals, CACHET_ASN1_SET) &&
              cachet_cbb_add_asn1_octet_string(&vals, md, sizeof(md)) && cachet_cbb_flush(&set));
    }
    if (which & A_SIGNING_TIME) {
        CHECK(cachet_cbb_add_asn1(&set, &attr, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_SIGNING_TIME) &&
              cachet_cbb_add_asn1(&attr, &vals, CACHET_ASN1_SET) &&
              cachet_cbb_add_asn1_time(&vals, 1700000000) && cachet_cbb_flush(&set));
    }
    CHECK(cachet_cbb_flush_asn1_set_of(&set) && cachet_cbb_finish(&top, &p.attrs, &p.attrs_len));
    CHECK_EQ_INT(cachet_sign(fx.ec.key, CACHET_SIG_ECDSA, CACHET_MD_SHA256, NULL, p.attrs,
                             p.attrs_len, &p.sig, NULL),
                 CACHET_OK);
    return p;
}

/* cs_encode: the SignerInfo of |p|, with |nested| (a DER SignerInfo, may be
 * NULL) as its own countersignature. */
static cachet_membuf cs_encode(const cs_parts *p, const cachet_membuf *nested) {
    cachet_cbb top, si, un, attr, vals;
    cachet_membuf out = {0};
    uint8_t *der = NULL;
    size_t len = 0;
    CHECK(cachet_cbb_init(&top, 1024, 0));
    CHECK(cachet_cbb_add_asn1(&top, &si, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1_uint64(&si, 1) && cachet_cms_add_sid(&si, fx.ec.cert, false) &&
          cachet_cms_add_digest_alg(&si, CACHET_MD_SHA256) &&
          cachet_cbb_add_asn1_element(&si, CACHET_ASN1_CONTEXT_CONS(0), p->attrs + 2,
                                      p->attrs_len - 2) &&
          cachet_cms_add_sig_alg(&si, CACHET_SIG_ECDSA, CACHET_MD_SHA256) &&
          cachet_cbb_add_asn1_octet_string(&si, p->sig.data, p->sig.len));
    if (nested != NULL) {
        CHECK(cachet_cbb_add_asn1(&si, &un, CACHET_ASN1_CONTEXT_CONS(1)) &&
              cachet_cbb_add_asn1(&un, &attr, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_COUNTERSIGNATURE) &&
              cachet_cbb_add_asn1(&attr, &vals, CACHET_ASN1_SET) &&
              cachet_cbb_add_bytes(&vals, nested->data, nested->len));
    }
    CHECK(cachet_cbb_finish(&top, &der, &len));
    CHECK(cachet_membuf_append(&out, der, len));
    cachet_free(der);
    return out;
}

static void cs_parts_free(cs_parts *p) {
    cachet_free(p->attrs);
    cachet_membuf_free(&p->sig);
}

/* sig_of: the signature value of SignerInfo |n| of a DER ContentInfo. */
static cachet_cbs sig_of(const uint8_t *der, size_t len, size_t n) {
    cachet_cbs si, body, sig = {NULL, 0};
    CHECK(signer_elem(der, len, n, &si));
    CHECK(cachet_cbs_get_asn1(&si, &body, CACHET_ASN1_SEQUENCE));
    while (body.len > 0 && !cachet_cbs_peek_asn1_tag(&body, CACHET_ASN1_OCTETSTRING)) {
        cachet_cbs_get_any_asn1_element(&body, NULL, NULL, NULL);
    }
    CHECK(cachet_cbs_get_asn1(&body, &sig, CACHET_ASN1_OCTETSTRING));
    return sig;
}

typedef struct rule_case {
    const char *name;
    unsigned attrs;
    size_t over; /* the SignerInfo whose signature is countersigned */
    size_t onto; /* the SignerInfo that carries the countersignature */
    cachet_status want;
    const char *detail;
} rule_case;

static const rule_case rules[] = {
    {"valid", A_MESSAGE_DIGEST | A_SIGNING_TIME, 1, 1, CACHET_OK, "signature valid"},
    {"contentType present", A_CONTENT_TYPE | A_MESSAGE_DIGEST | A_SIGNING_TIME, 1, 1,
     CACHET_ERR_ATTRIBUTES,
     "unsignedAttrs: countersignature[0] by CN=notary: signedAttrs: contentType present in the "
     "signedAttrs of a countersignature (RFC 5652 section 11.4 forbids it)"},
    {"messageDigest missing", A_SIGNING_TIME, 1, 1, CACHET_ERR_ATTRIBUTES,
     "unsignedAttrs: countersignature[0] by CN=notary: signedAttrs: the signedAttrs of a "
     "countersignature lack messageDigest (RFC 5652 section 11.4)"},
    {"moved onto another signature", A_MESSAGE_DIGEST | A_SIGNING_TIME, 0, 1,
     CACHET_ERR_BAD_SIGNATURE,
     "unsignedAttrs: countersignature[0] by CN=notary: messageDigest does not match the "
     "signature it countersigns"},
};

static void countersignature_rules_of_rfc5652_11_4(void) {
    setup();
    cachet_membuf in = sign(2, false);
    uint8_t *der = NULL;
    size_t der_len = 0;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_ber_to_der(in.data, in.len, NULL, &der, &der_len, &err), CACHET_OK);
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        const rule_case *c = &rules[i];
        cachet_cbs psig = sig_of(der, der_len, c->over);
        cs_parts p = cs_sign(psig.data, psig.len, c->attrs);
        cachet_membuf si = cs_encode(&p, NULL);
        uint8_t *out = NULL;
        size_t out_len = 0;
        CHECK_EQ_INT(cachet_cms_countersign_insert(NULL, der, der_len, c->onto, si.data, si.len,
                                                   &fx.ec.cert, 1, &out, &out_len, &err),
                     CACHET_OK);
        cachet_layer_report layer;
        cachet_status st = verify(out, out_len, false, &layer, &err);
        CHECK_EQ_INT(st, c->want);
        CHECK(layer.num_signers == 2);
        if (layer.num_signers == 2) {
            const cachet_signer_report *s = &layer.signers[c->onto];
            if (strstr(s->signature_detail, c->detail) == NULL) {
                fprintf(stderr, "%s: got \"%s\"\n", c->name, s->signature_detail);
            }
            CHECK(strstr(s->signature_detail, c->detail) != NULL);
            CHECK_EQ_INT(s->signature_status, c->want);
            CHECK(layer.signers[1 - c->onto].signature_valid);
        }
        cachet_cms_layer_report_clear(&layer);
        cachet_free(out);
        cachet_membuf_free(&si);
        cs_parts_free(&p);
    }
    cachet_free(der);
    cachet_membuf_free(&in);
}

/* A chain of |depth| countersignatures, each over the one before. */
static cachet_status nested_chain(size_t depth, cachet_layer_report *layer, cachet_error *err) {
    cachet_membuf in = sign(1, false);
    uint8_t *der = NULL, *out = NULL;
    size_t der_len = 0, out_len = 0;
    cs_parts parts[8];
    CHECK_EQ_INT(cachet_ber_to_der(in.data, in.len, NULL, &der, &der_len, err), CACHET_OK);
    cachet_cbs psig = sig_of(der, der_len, 0);
    for (size_t i = 0; i < depth; i++) {
        parts[i] = cs_sign(psig.data, psig.len, A_MESSAGE_DIGEST);
        psig.data = parts[i].sig.data;
        psig.len = parts[i].sig.len;
    }
    cachet_membuf si = {0};
    for (size_t i = depth; i-- > 0;) {
        cachet_membuf next = cs_encode(&parts[i], i + 1 < depth ? &si : NULL);
        cachet_membuf_free(&si);
        si = next;
        cs_parts_free(&parts[i]);
    }
    CHECK_EQ_INT(cachet_cms_countersign_insert(NULL, der, der_len, 0, si.data, si.len, &fx.ec.cert,
                                               1, &out, &out_len, err),
                 CACHET_OK);
    cachet_status st = verify(out, out_len, false, layer, err);
    cachet_membuf_free(&si);
    cachet_free(out);
    cachet_free(der);
    cachet_membuf_free(&in);
    return st;
}

static void nested_countersignatures_verify_up_to_the_bound(void) {
    setup();
    for (size_t depth = 1; depth <= CACHET_CMS_COUNTERSIG_MAX_DEPTH + 1; depth++) {
        cachet_layer_report layer;
        cachet_error err = {0};
        cachet_status st = nested_chain(depth, &layer, &err);
        bool over = depth > CACHET_CMS_COUNTERSIG_MAX_DEPTH;
        CHECK_EQ_INT(st, over ? CACHET_ERR_LIMIT : CACHET_OK);
        CHECK(layer.num_signers == 1);
        /* walk down the report: one countersigner per level */
        const cachet_signer_report *r = layer.num_signers == 1 ? &layer.signers[0] : NULL;
        size_t levels = 0;
        while (r != NULL && r->num_countersigners == 1) {
            r = &r->countersigners[0];
            levels++;
        }
        CHECK_EQ_INT(levels, over ? CACHET_CMS_COUNTERSIG_MAX_DEPTH : depth);
        if (over && layer.num_signers == 1) {
            CHECK(strstr(layer.signers[0].signature_detail, "nested more than 4 deep") != NULL);
        }
        cachet_cms_layer_report_clear(&layer);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(added_countersignature_verifies_for_each_key_type),
    TEST_CASE(add_leaves_the_rest_untouched),
    TEST_CASE(add_refuses_what_it_cannot_do),
    TEST_CASE(countersignature_rules_of_rfc5652_11_4),
    TEST_CASE(nested_countersignatures_verify_up_to_the_bound),
};

int main(int argc, char **argv) {
    int r = cachet_test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    if (fx.trust != NULL) {
        tpki_free(&fx.ca);
        tpki_free(&fx.rsa);
        tpki_free(&fx.ec);
        tpki_free(&fx.ed);
        cachet_trust_free(fx.trust);
    }
    return r;
}
