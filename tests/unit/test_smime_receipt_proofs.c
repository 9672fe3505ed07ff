/* RFC 2634 §2.4 and §2.4.1 rules on the receipts themselves: no receipt for a
 * request whose content does not match its messageDigest; the receipt's signer
 * carries signingTime (the context's time); and a received receipt whose
 * signer carries mlExpansionHistory is refused, naming it. */
#include <time.h>

#include "test_smime_sign_util.h"

#include "cms/signed.h"
#include "smime/receipt.h"

#define MSG "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nHello Bob.\r\n"

static gen_id alice, bob;

static bool setup(void) {
    static int state = 0;
    if (state == 0) {
        state = gen_identity(&alice, "rsa", "alice@example.com") &&
                        gen_identity(&bob, "p256", "bob@example.com")
                    ? 1
                    : -1;
    }
    return state == 1;
}

static cachet_ctx *trusting(int64_t at) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, bob.cert_path), CACHET_OK);
    cachet_ctx_set_time(ctx, at);
    return ctx;
}

static void sign_request(bool raw, cachet_membuf *out) {
    static const char *const to[] = {"alice@example.com"};
    cachet_receipt_request rq = {.from = CACHET_RECEIPTS_FROM_ALL, .to = to, .num_to = 1};
    cachet_sign_opts o = {.signer = alice.cred, .raw = raw, .opaque = raw, .receipt_request = &rq};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_str(MSG, &o, out, &err), CACHET_OK);
}

static cachet_status make_receipt(const cachet_membuf *req, bool raw, int64_t at,
                                  cachet_membuf *out, cachet_error *err) {
    cachet_ctx *ctx = trusting(at);
    cachet_receipt_opts ro = {.signer = bob.cred, .raw = raw};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_receipt_new(ctx, &ro, &sink, err);
    cachet_status st = err->status;
    if (op != NULL) {
        uint32_t seed = 3;
        st = gen_feed(op, (const char *)req->data, req->len, FEED_RANDOM, &seed);
        *err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    cachet_ctx_free(ctx);
    return st;
}

static cachet_status verify_raw(const cachet_membuf *msg, int64_t at, cachet_report **rep,
                                cachet_error *err) {
    cachet_ctx *ctx = trusting(at);
    cachet_verify_opts vo = {.raw = true};
    cachet_sink none = cachet_sink_null();
    cachet_op *op = cachet_verify_new(ctx, &vo, &none, err);
    CHECK(op != NULL);
    cachet_op_update(op, msg->data, msg->len);
    cachet_status st = cachet_op_finish(op, rep);
    *err = *cachet_op_error(op);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    return st;
}

/* §2.4: "If the signature does not verify ... no receipt". The content is
 * altered after signing: the signature over signedAttrs still verifies, the
 * messageDigest does not match, and no receipt is made. */
static void no_receipt_when_message_digest_does_not_match(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_membuf req = {0}, out = {0};
    sign_request(true, &req);
    cachet_error err = {0};
    /* the same request unaltered gets its receipt (the control) */
    CHECK_EQ_INT(make_receipt(&req, true, 0, &out, &err), CACHET_OK);
    CHECK(out.len > 0);
    cachet_membuf_free(&out);
    uint8_t *p = NULL;
    for (size_t i = 0; p == NULL && i + 10 <= req.len; i++) {
        p = memcmp(req.data + i, "Hello Bob.", 10) == 0 ? req.data + i : NULL;
    }
    CHECK(p != NULL);
    if (p != NULL) {
        p[6] = 'J'; /* "Hello Job." */
    }
    cachet_status st = make_receipt(&req, true, 0, &out, &err);
    CHECK_EQ_INT(st, CACHET_ERR_BAD_SIGNATURE);
    CHECK(strstr(err.message, "messageDigest") != NULL);
    CHECK(strncmp(err.where, "request", 7) == 0);
    CHECK_EQ_INT((int)out.len, 0);
    cachet_membuf_free(&req);
}

/* §2.4 step 3: the receipt's signer SHOULD carry signingTime: ours is the
 * context's time, as every signature cachet makes. */
static void receipt_signer_carries_signing_time(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    const int64_t at = (int64_t)time(NULL) - 3600;
    cachet_membuf req = {0}, out = {0};
    sign_request(true, &req);
    cachet_error err = {0};
    CHECK_EQ_INT(make_receipt(&req, true, at, &out, &err), CACHET_OK);
    cachet_report *rep = NULL;
    CHECK_EQ_INT(verify_raw(&out, at, &rep, &err), CACHET_OK);
    CHECK(rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1);
    if (rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1) {
        const cachet_signer_report *s = &rep->layers[0].signers[0];
        CHECK_STR(rep->layers[0].content_type, "id-ct-receipt");
        CHECK(s->has_signing_time);
        CHECK(s->signing_time == at);
        /* §2.4.1: a receipt never carries mlExpansionHistory */
        CHECK(!s->ml_expansion_history);
        CHECK(s->ess != NULL && s->ess->num_ml_history == 0);
    }
    cachet_report_free(rep);
    cachet_membuf_free(&req);
    cachet_membuf_free(&out);
}

/* attr: SEQUENCE { oid, SET { value } } appended to |cbb| */
static void attr(cachet_cbb *cbb, cachet_oid oid, const uint8_t *value, size_t len) {
    cachet_cbb a, set;
    CHECK(cachet_cbb_add_asn1(cbb, &a, CACHET_ASN1_SEQUENCE) && cachet_cbb_add_oid(&a, oid) &&
          cachet_cbb_add_asn1(&a, &set, CACHET_ASN1_SET) &&
          cachet_cbb_add_bytes(&set, value, len) && cachet_cbb_flush(cbb));
}

/* receipt_with: a well-formed signed receipt by bob (Receipt, msgSigDigest),
 * with an mlExpansionHistory on its signer when |ml|. */
static void receipt_with(bool ml, cachet_membuf *out) {
    static const uint8_t oid_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
    static const uint8_t id[] = {1, 2, 3}, sig[] = {4, 5, 6}, ski[] = {7, 7, 7};
    static const uint8_t msd[32] = {0x5a};
    cachet_cms_receipt r;
    cachet_cbs_init(&r.content_type, oid_data, sizeof(oid_data));
    cachet_cbs_init(&r.content_id, id, sizeof(id));
    cachet_cbs_init(&r.signature, sig, sizeof(sig));
    cachet_cbb cbb, run, hist, mld;
    uint8_t *body = NULL, *extra = NULL, *h = NULL, *m = NULL;
    size_t body_len = 0, extra_len = 0, h_len = 0, m_len = 0;
    CHECK(cachet_cbb_init(&cbb, 64, 0) && cachet_cms_receipt_build(&cbb, &r) &&
          cachet_cbb_finish(&cbb, &body, &body_len));
    CHECK(cachet_cbb_init(&cbb, 64, 0) &&
          cachet_cbb_add_asn1_octet_string(&cbb, msd, sizeof(msd)) &&
          cachet_cbb_finish(&cbb, &m, &m_len));
    CHECK(cachet_cbb_init(&run, 256, 0));
    attr(&run, CACHET_OID_ATTR_MSG_SIG_DIGEST, m, m_len);
    if (ml) {
        CHECK(cachet_cbb_init(&cbb, 64, 0) &&
              cachet_cbb_add_asn1(&cbb, &hist, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_asn1(&hist, &mld, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_asn1_octet_string(&mld, ski, sizeof(ski)) &&
              cachet_cbb_add_asn1_element(&mld, CACHET_ASN1_GENERALIZEDTIME,
                                          (const uint8_t *)"20260101000000Z", 15) &&
              cachet_cbb_flush(&cbb) && cachet_cbb_finish(&cbb, &h, &h_len));
        attr(&run, CACHET_OID_ATTR_ML_EXPANSION_HISTORY, h, h_len);
    }
    CHECK(cachet_cbb_finish(&run, &extra, &extra_len));
    cachet_cms_signer_opts so = {.key = bob.cred->key,
                                 .cert = bob.cred->cert,
                                 .md = CACHET_MD_SHA256,
                                 .extra_signed_attrs = extra,
                                 .extra_signed_attrs_len = extra_len};
    cachet_cms_sign_opts co = {
        .signers = &so, .num_signers = 1, .content_type = CACHET_OID_CT_RECEIPT};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_error err = {0};
    cachet_cms_sign *s = cachet_cms_sign_new(&co, &sink, &err);
    CHECK(s != NULL && cachet_cms_sign_update(s, body, body_len, &err) == CACHET_OK &&
          cachet_cms_sign_finish(s, &err) == CACHET_OK);
    cachet_cms_sign_free(s);
    cachet_free(body);
    cachet_free(extra);
    cachet_free(h);
    cachet_free(m);
}

/* §2.4.1: mlExpansionHistory is never on a receipt's signer; one that has it
 * is refused with ATTRIBUTES naming the attribute. */
static void received_receipt_with_ml_expansion_history_is_refused(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_membuf good = {0}, bad = {0};
    receipt_with(false, &good);
    receipt_with(true, &bad);
    cachet_report *rep = NULL;
    cachet_error err = {0};
    CHECK_EQ_INT(verify_raw(&good, 0, &rep, &err), CACHET_OK);
    cachet_report_free(rep);
    rep = NULL;
    CHECK_EQ_INT(verify_raw(&bad, 0, &rep, &err), CACHET_ERR_ATTRIBUTES);
    CHECK(strstr(err.message, "signerInfos[0] of a signed receipt carries mlExpansionHistory") !=
          NULL);
    CHECK(rep != NULL && !rep->valid);
    cachet_report_free(rep);
    cachet_membuf_free(&good);
    cachet_membuf_free(&bad);
}

static const cachet_test_case tests[] = {
    TEST_CASE(no_receipt_when_message_digest_does_not_match),
    TEST_CASE(receipt_signer_carries_signing_time),
    TEST_CASE(received_receipt_with_ml_expansion_history_is_refused),
};

TEST_MAIN(tests)
