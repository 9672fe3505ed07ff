/* RFC 2634 §2.3 rules a receipt maker applies to requests made by others:
 * receipt requests that differ between signers, a first-tier request after a
 * mail list expansion, a mail list policy of none; and the reader of an
 * id-ct-receipt content: bounded, parsed, never itself requesting a receipt
 * (§2.2). The messages are made with cms/ directly (cachet_sign_opts has no
 * way to write mlExpansionHistory or another eContentType). */
#include "test_smime_sign_util.h"

#include "cms/signed.h"
#include "smime/receipt.h"

static gen_id alice, carol, bob;

static bool setup(void) {
    static int state = 0;
    if (state == 0) {
        state = gen_identity(&alice, "rsa", "alice@example.com") &&
                        gen_identity(&carol, "p256", "carol@example.com") &&
                        gen_identity(&bob, "p256", "bob@example.com")
                    ? 1
                    : -1;
    }
    return state == 1;
}

/* attr: SEQUENCE { oid, SET { value } } appended to |cbb| */
static void attr(cachet_cbb *cbb, cachet_oid oid, const uint8_t *value, size_t len) {
    cachet_cbb a, set;
    CHECK(cachet_cbb_add_asn1(cbb, &a, CACHET_ASN1_SEQUENCE) && cachet_cbb_add_oid(&a, oid) &&
          cachet_cbb_add_asn1(&a, &set, CACHET_ASN1_SET) &&
          cachet_cbb_add_bytes(&set, value, len) && cachet_cbb_flush(cbb));
}

static void request_value(cachet_receipts_from from, uint8_t id, uint8_t **out, size_t *len) {
    static const char *const to[] = {"alice@example.com"};
    cachet_cbb cbb;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    CHECK(cachet_cms_receipt_request_build(&cbb, &id, 1, from, NULL, 0, to, 1));
    CHECK(cachet_cbb_finish(&cbb, out, len));
}

/* MLExpansionHistory of one MLData { subjectKeyIdentifier, expansionTime,
 * mlReceiptPolicy none [0] NULL when |policy_none| } */
static void ml_history(bool policy_none, uint8_t **out, size_t *len) {
    static const uint8_t ski[] = {1, 2, 3, 4};
    cachet_cbb cbb, hist, mld;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    CHECK(cachet_cbb_add_asn1(&cbb, &hist, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1(&hist, &mld, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1_octet_string(&mld, ski, sizeof(ski)) &&
          cachet_cbb_add_asn1_element(&mld, CACHET_ASN1_GENERALIZEDTIME,
                                      (const uint8_t *)"20260101000000Z", 15) &&
          (!policy_none || cachet_cbb_add_asn1_element(&mld, CACHET_ASN1_CONTEXT(0), NULL, 0)) &&
          cachet_cbb_flush(&cbb));
    CHECK(cachet_cbb_finish(&cbb, out, len));
}

typedef struct signer_spec {
    const gen_id *who;
    cachet_receipts_from from;
    uint8_t id;
    int ml; /* 0 none, 1 history, 2 history with policy none */
} signer_spec;

/* sign_raw writes an encapsulated SignedData of "hello" with one SignerInfo per spec. */
static void sign_raw(const signer_spec *specs, size_t n, cachet_membuf *out) {
    cachet_cms_signer_opts so[2];
    uint8_t *extra[2] = {NULL, NULL};
    for (size_t i = 0; i < n; i++) {
        uint8_t *rr = NULL, *ml = NULL;
        size_t rr_len = 0, ml_len = 0;
        cachet_cbb cbb;
        CHECK(cachet_cbb_init(&cbb, 256, 0));
        request_value(specs[i].from, specs[i].id, &rr, &rr_len);
        attr(&cbb, CACHET_OID_ATTR_RECEIPT_REQUEST, rr, rr_len);
        if (specs[i].ml != 0) {
            ml_history(specs[i].ml == 2, &ml, &ml_len);
            attr(&cbb, CACHET_OID_ATTR_ML_EXPANSION_HISTORY, ml, ml_len);
        }
        size_t len = 0;
        CHECK(cachet_cbb_finish(&cbb, &extra[i], &len));
        so[i] = (cachet_cms_signer_opts){.key = specs[i].who->cred->key,
                                         .cert = specs[i].who->cred->cert,
                                         .md = CACHET_MD_SHA256,
                                         .extra_signed_attrs = extra[i],
                                         .extra_signed_attrs_len = len};
        cachet_free(rr);
        cachet_free(ml);
    }
    cachet_cms_sign_opts co = {.signers = so, .num_signers = n};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_error err = {0};
    cachet_cms_sign *s = cachet_cms_sign_new(&co, &sink, &err);
    CHECK(s != NULL);
    if (s != NULL) {
        CHECK_EQ_INT(cachet_cms_sign_update(s, (const uint8_t *)"hello", 5, &err), CACHET_OK);
        CHECK_EQ_INT(cachet_cms_sign_finish(s, &err), CACHET_OK);
    }
    cachet_cms_sign_free(s);
    for (size_t i = 0; i < n; i++) {
        cachet_free(extra[i]);
    }
}

typedef struct rule_case {
    const char *name;
    signer_spec specs[2];
    size_t n;
    cachet_status want;
    const char *message_has;
} rule_case;

static void section_2_3_rules_decide(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    const rule_case cases[] = {
        {"two identical requests",
         {{&alice, CACHET_RECEIPTS_FROM_ALL, 7, 0}, {&carol, CACHET_RECEIPTS_FROM_ALL, 7, 0}},
         2,
         CACHET_OK,
         ""},
        {"requests that differ",
         {{&alice, CACHET_RECEIPTS_FROM_ALL, 7, 0}, {&carol, CACHET_RECEIPTS_FROM_ALL, 8, 0}},
         2,
         CACHET_ERR_USAGE,
         "differ"},
        {"first tier after expansion",
         {{&alice, CACHET_RECEIPTS_FROM_FIRST_TIER, 7, 1}},
         1,
         CACHET_ERR_USAGE,
         "first-tier"},
        {"all after expansion", {{&alice, CACHET_RECEIPTS_FROM_ALL, 7, 1}}, 1, CACHET_OK, ""},
        {"mail list policy none",
         {{&alice, CACHET_RECEIPTS_FROM_ALL, 7, 2}},
         1,
         CACHET_ERR_USAGE,
         "policy is none"},
    };
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, carol.cert_path), CACHET_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const rule_case *c = &cases[i];
        cachet_membuf req = {0}, out = {0};
        sign_raw(c->specs, c->n, &req);
        cachet_receipt_opts ro = {.signer = bob.cred, .raw = true};
        cachet_error err = {0};
        cachet_sink sink = cachet_sink_membuf(&out);
        cachet_op *op = cachet_receipt_new(ctx, &ro, &sink, &err);
        CHECK(op != NULL);
        cachet_status st = CACHET_ERR_INTERNAL;
        if (op != NULL) {
            cachet_op_update(op, req.data, req.len);
            st = cachet_op_finish(op, NULL);
            err = *cachet_op_error(op);
        }
        if (st != c->want || strstr(err.message, c->message_has) == NULL) {
            fprintf(stderr, "case %s: status %d: %s\n", c->name, (int)st, err.message);
        }
        CHECK_EQ_INT(st, c->want);
        CHECK(strstr(err.message, c->message_has) != NULL);
        CHECK(c->want == CACHET_OK ? out.len > 0 : out.len == 0);
        cachet_op_free(op);
        cachet_membuf_free(&req);
        cachet_membuf_free(&out);
    }
    cachet_ctx_free(ctx);
}

/* receipt_layer signs |content| as eContentType id-ct-receipt (|request|: the
 * signer also asks for a receipt) and verifies it raw. */
static cachet_status receipt_layer(const uint8_t *content, size_t len, bool request,
                                   cachet_layer_report *copy, cachet_error *err) {
    cachet_membuf out = {0};
    uint8_t *extra = NULL, *rr = NULL;
    size_t extra_len = 0, rr_len = 0;
    if (request) {
        cachet_cbb cbb;
        CHECK(cachet_cbb_init(&cbb, 128, 0));
        request_value(CACHET_RECEIPTS_FROM_ALL, 1, &rr, &rr_len);
        attr(&cbb, CACHET_OID_ATTR_RECEIPT_REQUEST, rr, rr_len);
        CHECK(cachet_cbb_finish(&cbb, &extra, &extra_len));
    }
    cachet_cms_signer_opts so = {.key = bob.cred->key,
                                 .cert = bob.cred->cert,
                                 .md = CACHET_MD_SHA256,
                                 .extra_signed_attrs = extra,
                                 .extra_signed_attrs_len = extra_len};
    cachet_cms_sign_opts co = {
        .signers = &so, .num_signers = 1, .content_type = CACHET_OID_CT_RECEIPT};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_cms_sign *s = cachet_cms_sign_new(&co, &sink, err);
    CHECK(s != NULL && cachet_cms_sign_update(s, content, len, err) == CACHET_OK &&
          cachet_cms_sign_finish(s, err) == CACHET_OK);
    cachet_cms_sign_free(s);
    cachet_free(extra);
    cachet_free(rr);
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, bob.cert_path), CACHET_OK);
    cachet_verify_opts vo = {.raw = true};
    cachet_sink none = cachet_sink_null();
    cachet_op *op = cachet_verify_new(ctx, &vo, &none, err);
    cachet_report *rep = NULL;
    cachet_op_update(op, out.data, out.len);
    cachet_status st = cachet_op_finish(op, &rep);
    *err = *cachet_op_error(op);
    memset(copy, 0, sizeof(*copy));
    if (rep != NULL && rep->num_layers == 1) {
        copy->num_signers = rep->layers[0].num_signers;
        if (rep->layers[0].receipt != NULL) {
            static cachet_receipt_info info;
            info = *rep->layers[0].receipt;
            info.content_id_hex = info.signature_hex = NULL;
            copy->receipt = &info;
        }
    }
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    cachet_membuf_free(&out);
    return st;
}

static void receipt_content_is_bounded_parsed_and_never_requests(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    static const uint8_t oid_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
    static const uint8_t id[] = {1, 2, 3};
    static const uint8_t sig[] = {4, 5, 6};
    cachet_cms_receipt r;
    cachet_cbs_init(&r.content_type, oid_data, sizeof(oid_data));
    cachet_cbs_init(&r.content_id, id, sizeof(id));
    cachet_cbs_init(&r.signature, sig, sizeof(sig));
    cachet_cbb cbb;
    uint8_t *good = NULL;
    size_t good_len = 0;
    CHECK(cachet_cbb_init(&cbb, 64, 0) && cachet_cms_receipt_build(&cbb, &r) &&
          cachet_cbb_finish(&cbb, &good, &good_len));
    cachet_layer_report l;
    cachet_error err = {0};
    /* well-formed: reported, not matched (no original given) */
    CHECK_EQ_INT(receipt_layer(good, good_len, false, &l, &err), CACHET_OK);
    CHECK(l.receipt != NULL && l.receipt->matched == -1);
    if (l.receipt != NULL) {
        CHECK_STR(l.receipt->content_type, "id-data");
    }
    /* §2.2: a receipt whose signer requests a receipt */
    CHECK_EQ_INT(receipt_layer(good, good_len, true, &l, &err), CACHET_ERR_ATTRIBUTES);
    CHECK(strstr(err.message, "requests a receipt") != NULL);
    /* not a Receipt: malformed, named */
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x02};
    CHECK_EQ_INT(receipt_layer(junk, sizeof(junk), false, &l, &err), CACHET_ERR_MALFORMED);
    CHECK(strstr(err.message, "Receipt.version") != NULL);
    CHECK(l.receipt == NULL);
    /* past the bound: refused before it is all held */
    uint8_t *big = calloc(1, CACHET_CMS_RECEIPT_MAX + 1);
    CHECK_EQ_INT(receipt_layer(big, CACHET_CMS_RECEIPT_MAX + 1, false, &l, &err), CACHET_ERR_LIMIT);
    CHECK(strstr(err.message, "Receipt: more than") != NULL);
    free(big);
    cachet_free(good);
}

static const cachet_test_case tests[] = {
    TEST_CASE(section_2_3_rules_decide),
    TEST_CASE(receipt_content_is_bounded_parsed_and_never_requests),
};

TEST_MAIN(tests)
