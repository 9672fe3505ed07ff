/* Signed receipts through the library (RFC 2634 §2): a request made when
 * signing, the receipt made for it, the receipt checked against the original
 * (whole, byte by byte, in random chunks), and the §2.3 refusals. */
#include "test_smime_sign_util.h"

#include "smime/receipt.h"

#define MSG "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nHello Bob.\r\n"

static gen_id alice, bob, carol;

static bool setup(void) {
    static int state = 0;
    if (state == 0) {
        state = gen_identity(&alice, "rsa", "alice@example.com") &&
                        gen_identity(&bob, "p256", "bob@example.com") &&
                        gen_identity(&carol, "ed25519", "carol@example.com")
                    ? 1
                    : -1;
    }
    return state == 1;
}

static cachet_ctx *trusting(bool anchors) {
    cachet_ctx *ctx = cachet_ctx_new();
    if (anchors) {
        CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
        CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, bob.cert_path), CACHET_OK);
        CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, carol.cert_path), CACHET_OK);
    }
    cachet_ctx_set_address_check(ctx, true);
    return ctx;
}

static const char *const to_alice[] = {"alice@example.com"};

/* sign_request signs MSG as alice asking for a receipt (|rq| NULL: none). */
static void sign_request(const cachet_receipt_request *rq, bool opaque, bool raw,
                         cachet_membuf *out) {
    cachet_sign_opts o = {
        .signer = alice.cred, .opaque = opaque, .raw = raw, .receipt_request = rq};
    cachet_error err = {0};
    cachet_status sst = sign_str(MSG, &o, out, &err);
    if (sst != CACHET_OK) {
        fprintf(stderr, "sign: %s: %s\n", err.where, err.message);
    }
    CHECK_EQ_INT(sst, CACHET_OK);
}

static int receipt_feed_mode = FEED_RANDOM;

static cachet_status make_receipt(const cachet_membuf *request, const cachet_credential *who,
                                  const char *my_address, bool raw, bool anchors,
                                  cachet_membuf *out, cachet_error *err) {
    cachet_ctx *ctx = trusting(anchors);
    cachet_receipt_opts o = {.signer = who, .raw = raw, .my_address = my_address};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_receipt_new(ctx, &o, &sink, err);
    cachet_status st = err->status;
    if (op != NULL) {
        uint32_t seed = 7;
        st = gen_feed(op, (const char *)request->data, request->len, receipt_feed_mode, &seed);
        *err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    cachet_ctx_free(ctx);
    return st;
}

static cachet_receipt_ref *load_ref(const cachet_membuf *original, bool raw, int mode) {
    cachet_ctx *ctx = trusting(false); /* not judged: no anchors needed */
    cachet_verify_opts vo = {.raw = raw};
    cachet_error err = {0};
    cachet_op *op = cachet_receipt_ref_new(ctx, &vo, &err);
    CHECK(op != NULL);
    uint32_t seed = 99;
    cachet_status st = gen_feed(op, (const char *)original->data, original->len, mode, &seed);
    CHECK_EQ_INT(st, CACHET_OK);
    cachet_receipt_ref *ref = cachet_op_take_receipt_ref(op);
    CHECK(ref != NULL);
    CHECK(cachet_op_take_receipt_ref(op) == NULL); /* taken once */
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    return ref;
}

/* verify_receipt checks |receipt| against |ref|; the receipt layer's report in |info|. */
static cachet_status verify_receipt(const cachet_membuf *receipt, const cachet_receipt_ref *ref,
                                    bool raw, int mode, cachet_receipt_info *info,
                                    cachet_error *err) {
    cachet_ctx *ctx = trusting(true);
    cachet_verify_opts vo = {.raw = raw, .receipt_for = ref};
    cachet_membuf content = {0};
    cachet_sink sink = cachet_sink_membuf(&content);
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, err);
    CHECK(op != NULL);
    uint32_t seed = 3;
    const uint8_t *p = receipt->data;
    size_t off = 0;
    cachet_status st = CACHET_OK;
    while (st == CACHET_OK && off < receipt->len) {
        size_t n = mode == FEED_WHOLE   ? receipt->len - off
                   : mode == FEED_BYTES ? 1
                                        : 1 + cachet_test_rand(&seed) % 61;
        n = n < receipt->len - off ? n : receipt->len - off;
        st = cachet_op_update(op, p + off, n);
        off += n;
    }
    cachet_report *rep = NULL;
    st = cachet_op_finish(op, &rep);
    *err = *cachet_op_error(op);
    memset(info, 0, sizeof(*info));
    info->matched = -2;
    for (size_t i = 0; rep != NULL && i < rep->num_layers; i++) {
        if (rep->layers[i].receipt != NULL) {
            cachet_receipt_info *r = rep->layers[i].receipt;
            *info = *r;
            info->content_id_hex = NULL;
            info->signature_hex = NULL;
        }
    }
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_membuf_free(&content);
    cachet_ctx_free(ctx);
    return st;
}

static void round_trip(bool opaque, bool raw) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_receipt_request rq = {.from = CACHET_RECEIPTS_FROM_ALL, .to = to_alice, .num_to = 1};
    cachet_membuf original = {0}, receipt = {0};
    cachet_error err = {0};
    sign_request(&rq, opaque, raw, &original);
    CHECK_EQ_INT(make_receipt(&original, bob.cred, NULL, raw, true, &receipt, &err), CACHET_OK);
    if (!raw) {
        char *s = gen_str(&receipt);
        CHECK(strstr(s, "smime-type=signed-receipt") != NULL);
        CHECK(strstr(s, "From: bob@example.com\r\n") != NULL);
        CHECK(strstr(s, "To: alice@example.com\r\n") != NULL);
        free(s);
    }
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        cachet_receipt_ref *ref = load_ref(&original, raw, mode);
        cachet_receipt_info info;
        cachet_status st = verify_receipt(&receipt, ref, raw, mode, &info, &err);
        if (st != CACHET_OK) {
            fprintf(stderr, "mode %d: %s: %s\n", mode, err.where, err.message);
        }
        CHECK_EQ_INT(st, CACHET_OK);
        CHECK_EQ_INT(info.matched, 1);
        CHECK_STR(info.content_type, "id-data");
        CHECK_STR(info.match_detail, "");
        cachet_receipt_ref_free(ref);
    }
    /* without an original the receipt is a signature only: not checked */
    cachet_receipt_info info;
    CHECK_EQ_INT(verify_receipt(&receipt, NULL, raw, FEED_WHOLE, &info, &err), CACHET_OK);
    CHECK_EQ_INT(info.matched, -1);
    cachet_membuf_free(&original);
    cachet_membuf_free(&receipt);
}

static void receipt_matches_original_multipart_signed(void) {
    round_trip(false, false);
}

static void receipt_matches_original_opaque(void) {
    round_trip(true, false);
}

static void receipt_matches_original_raw_der(void) {
    round_trip(true, true);
}

static void receipt_is_made_from_a_request_fed_in_any_chunking(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_receipt_request rq = {.from = CACHET_RECEIPTS_FROM_ALL, .to = to_alice, .num_to = 1};
    for (int raw = 0; raw <= 1; raw++) {
        cachet_membuf original = {0};
        sign_request(&rq, raw, raw, &original); /* raw: opaque (a detached one has no content) */
        cachet_receipt_ref *ref = load_ref(&original, raw, FEED_WHOLE);
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf receipt = {0};
            cachet_error err = {0};
            receipt_feed_mode = mode;
            CHECK_EQ_INT(make_receipt(&original, bob.cred, NULL, raw, true, &receipt, &err),
                         CACHET_OK);
            cachet_receipt_info info;
            CHECK_EQ_INT(verify_receipt(&receipt, ref, raw, FEED_WHOLE, &info, &err), CACHET_OK);
            CHECK_EQ_INT(info.matched, 1);
            cachet_membuf_free(&receipt);
        }
        receipt_feed_mode = FEED_RANDOM;
        cachet_receipt_ref_free(ref);
        cachet_membuf_free(&original);
    }
}

static void ref_reads_a_detached_raw_original_with_its_content(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_receipt_request rq = {.from = CACHET_RECEIPTS_FROM_ALL, .to = to_alice, .num_to = 1};
    cachet_membuf sig = {0};
    sign_request(&rq, false, true, &sig); /* raw, not opaque: detached */
    cachet_ctx *ctx = trusting(false);
    cachet_verify_opts vo = {.raw = true, .detached = true};
    cachet_error err = {0};
    cachet_op *op = cachet_receipt_ref_new(ctx, &vo, &err);
    CHECK(op != NULL);
    CHECK_EQ_INT(cachet_op_update_content(op, (const uint8_t *)MSG, strlen(MSG)), CACHET_OK);
    CHECK_EQ_INT(cachet_op_update(op, sig.data, sig.len), CACHET_OK);
    CHECK_EQ_INT(cachet_op_finish(op, NULL), CACHET_OK);
    cachet_receipt_ref *ref = cachet_op_take_receipt_ref(op);
    cachet_cms_receipt_request rr;
    CHECK(ref != NULL && ref->num_layers == 1 && ref->layers[0].num_signers == 1 &&
          cachet_receipt_request_of(&ref->layers[0].signers[0], &rr, NULL));
    cachet_receipt_ref_free(ref);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    cachet_membuf_free(&sig);
}

static void request_is_reported_on_the_signer(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    static const char *const list[] = {"bob@example.com", "carol@example.com"};
    static const char *const to[] = {"alice@example.com", "audit@example.com"};
    static const uint8_t id[] = {1, 2, 3, 4};
    cachet_receipt_request rq = {.content_id = id,
                                 .content_id_len = sizeof(id),
                                 .from = CACHET_RECEIPTS_FROM_LIST,
                                 .from_list = list,
                                 .num_from_list = 2,
                                 .to = to,
                                 .num_to = 2};
    cachet_membuf original = {0}, content = {0};
    sign_request(&rq, false, false, &original);
    cachet_ctx *ctx = trusting(true);
    cachet_verify_opts vo = {0};
    cachet_error err = {0};
    cachet_sink sink = cachet_sink_membuf(&content);
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, &err);
    CHECK_EQ_INT(cachet_op_update(op, original.data, original.len), CACHET_OK);
    cachet_report *rep = NULL;
    CHECK_EQ_INT(cachet_op_finish(op, &rep), CACHET_OK);
    const cachet_ess_info *ess =
        rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1
            ? rep->layers[0].signers[0].ess
            : NULL;
    CHECK(ess != NULL);
    if (ess != NULL) {
        CHECK(ess->receipt_requested);
        CHECK_STR(ess->receipt_content_id_hex, "01020304");
        CHECK_EQ_INT(ess->receipts_from, CACHET_RECEIPTS_FROM_LIST);
        CHECK_EQ_INT(ess->num_receipts_from_list, 2);
        CHECK_EQ_INT(ess->num_receipts_to, 2);
        if (ess->num_receipts_to == 2 && ess->num_receipts_from_list == 2) {
            CHECK_STR(ess->receipts_to[1], "audit@example.com");
            CHECK_STR(ess->receipts_from_list[1], "carol@example.com");
        }
        CHECK(!ess->has_msg_sig_digest);
    }
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    /* bob is in the receiptList: he answers; carol too; alice is not */
    cachet_membuf receipt = {0};
    CHECK_EQ_INT(make_receipt(&original, bob.cred, NULL, false, true, &receipt, &err), CACHET_OK);
    cachet_membuf_free(&receipt);
    CHECK_EQ_INT(make_receipt(&original, alice.cred, NULL, false, true, &receipt, &err),
                 CACHET_ERR_USAGE);
    CHECK(strstr(err.message, "receiptList") != NULL);
    cachet_membuf_free(&receipt);
    cachet_membuf_free(&original);
    cachet_membuf_free(&content);
}

static void fresh_content_identifiers_differ(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_receipt_request rq = {.from = CACHET_RECEIPTS_FROM_ALL, .to = to_alice, .num_to = 1};
    cachet_membuf a = {0}, b = {0};
    sign_request(&rq, true, true, &a);
    sign_request(&rq, true, true, &b);
    cachet_receipt_ref *ra = load_ref(&a, true, FEED_WHOLE);
    cachet_receipt_ref *rb = load_ref(&b, true, FEED_WHOLE);
    cachet_cms_receipt_request qa, qb;
    CHECK(ra != NULL && rb != NULL && ra->num_layers == 1 && rb->num_layers == 1);
    if (ra != NULL && rb != NULL && ra->num_layers == 1 && rb->num_layers == 1) {
        CHECK(cachet_receipt_request_of(&ra->layers[0].signers[0], &qa, NULL));
        CHECK(cachet_receipt_request_of(&rb->layers[0].signers[0], &qb, NULL));
        CHECK_EQ_INT(qa.content_id.len, 24);
        CHECK(qa.content_id.len == qb.content_id.len &&
              memcmp(qa.content_id.data, qb.content_id.data, qa.content_id.len) != 0);
    }
    cachet_receipt_ref_free(ra);
    cachet_receipt_ref_free(rb);
    cachet_membuf_free(&a);
    cachet_membuf_free(&b);
}

typedef struct refusal_case {
    const char *name;
    cachet_receipts_from from;
    bool no_request;
    bool anchors;
    cachet_status want;
    const char *message_has;
} refusal_case;

static void receipt_refused_per_section_2_3(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    static const refusal_case cases[] = {
        {"no request", CACHET_RECEIPTS_FROM_ALL, true, true, CACHET_ERR_USAGE, "requests a"},
        {"untrusted signature", CACHET_RECEIPTS_FROM_ALL, false, false, CACHET_ERR_UNTRUSTED, ""},
        {"first tier without expansion", CACHET_RECEIPTS_FROM_FIRST_TIER, false, true, CACHET_OK,
         ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const refusal_case *c = &cases[i];
        cachet_receipt_request rq = {.from = c->from, .to = to_alice, .num_to = 1};
        cachet_membuf original = {0}, receipt = {0};
        cachet_error err = {0};
        sign_request(c->no_request ? NULL : &rq, true, false, &original);
        cachet_status st =
            make_receipt(&original, bob.cred, NULL, false, c->anchors, &receipt, &err);
        if (st != c->want) {
            fprintf(stderr, "case %s: %d %s\n", c->name, (int)st, err.message);
        }
        CHECK_EQ_INT(st, c->want);
        CHECK(strstr(err.message, c->message_has) != NULL);
        if (c->want != CACHET_OK) {
            CHECK_EQ_INT(receipt.len, 0); /* nothing written */
        }
        cachet_membuf_free(&original);
        cachet_membuf_free(&receipt);
    }
}

static void no_receipt_for_a_receipt(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_receipt_request rq = {.from = CACHET_RECEIPTS_FROM_ALL, .to = to_alice, .num_to = 1};
    cachet_membuf original = {0}, receipt = {0}, again = {0};
    cachet_error err = {0};
    sign_request(&rq, true, false, &original);
    CHECK_EQ_INT(make_receipt(&original, bob.cred, NULL, false, true, &receipt, &err), CACHET_OK);
    CHECK_EQ_INT(make_receipt(&receipt, alice.cred, NULL, false, true, &again, &err),
                 CACHET_ERR_USAGE);
    CHECK(strstr(err.message, "no receipt for a receipt") != NULL);
    cachet_membuf_free(&original);
    cachet_membuf_free(&receipt);
    cachet_membuf_free(&again);
}

static void ed25519_receipt_signer_uses_sha512_msg_sig_digest(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_receipt_request rq = {.from = CACHET_RECEIPTS_FROM_ALL, .to = to_alice, .num_to = 1};
    cachet_membuf original = {0}, receipt = {0};
    cachet_error err = {0};
    sign_request(&rq, true, true, &original);
    CHECK_EQ_INT(make_receipt(&original, carol.cred, NULL, true, true, &receipt, &err), CACHET_OK);
    cachet_receipt_ref *ref = load_ref(&original, true, FEED_WHOLE);
    cachet_receipt_info info;
    CHECK_EQ_INT(verify_receipt(&receipt, ref, true, FEED_WHOLE, &info, &err), CACHET_OK);
    CHECK_EQ_INT(info.matched, 1);
    cachet_receipt_ref_free(ref);
    cachet_membuf_free(&original);
    cachet_membuf_free(&receipt);
}

static void content_reference_names_the_original(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    cachet_receipt_request rq = {.from = CACHET_RECEIPTS_FROM_ALL, .to = to_alice, .num_to = 1};
    cachet_membuf original = {0}, reply = {0};
    sign_request(&rq, true, true, &original);
    cachet_receipt_ref *ref = load_ref(&original, true, FEED_WHOLE);
    cachet_sign_opts o = {
        .signer = bob.cred, .opaque = true, .raw = true, .content_reference = ref};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_str("a reply", &o, &reply, &err), CACHET_OK);
    /* OpenSSL reads the attribute back: ContentReference of the original's signature */
    const unsigned char *p = reply.data;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)reply.len);
    CHECK(cms != NULL);
    STACK_OF(CMS_SignerInfo) *sis = cms != NULL ? CMS_get0_SignerInfos(cms) : NULL;
    CMS_SignerInfo *si = sis != NULL ? sk_CMS_SignerInfo_value(sis, 0) : NULL;
    ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113549.1.9.16.2.10", 1);
    int loc = si != NULL ? CMS_signed_get_attr_by_OBJ(si, obj, -1) : -1;
    CHECK(loc >= 0);
    if (loc >= 0 && ref != NULL) {
        X509_ATTRIBUTE *a = CMS_signed_get_attr(si, loc);
        ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(a, 0);
        CHECK(t != NULL && t->type == V_ASN1_SEQUENCE);
        const cachet_receipt_orig *orig = &ref->layers[0].signers[0];
        const uint8_t *der = t->value.sequence->data;
        size_t len = (size_t)t->value.sequence->length;
        /* the signature value is the last field */
        CHECK(len > orig->signature_len &&
              memcmp(der + len - orig->signature_len, orig->signature, orig->signature_len) == 0);
    }
    ASN1_OBJECT_free(obj);
    CMS_ContentInfo_free(cms);
    cachet_receipt_ref_free(ref);
    cachet_membuf_free(&original);
    cachet_membuf_free(&reply);
}

static void bad_request_options_are_usage_errors(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    static const char *const bad[] = {"not an address"};
    static const char *const many[17] = {"a@x.org", "a@x.org", "a@x.org", "a@x.org", "a@x.org",
                                         "a@x.org", "a@x.org", "a@x.org", "a@x.org", "a@x.org",
                                         "a@x.org", "a@x.org", "a@x.org", "a@x.org", "a@x.org",
                                         "a@x.org", "a@x.org"};
    cachet_receipt_request cases[] = {
        {.from = CACHET_RECEIPTS_FROM_ALL, .to = NULL, .num_to = 0},
        {.from = CACHET_RECEIPTS_FROM_ALL, .to = bad, .num_to = 1},
        {.from = CACHET_RECEIPTS_FROM_ALL, .to = many, .num_to = 17},
        {.from = CACHET_RECEIPTS_FROM_LIST, .to = to_alice, .num_to = 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_sign_opts o = {.signer = alice.cred, .receipt_request = &cases[i]};
        cachet_membuf out = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(sign_str(MSG, &o, &out, &err), CACHET_ERR_USAGE);
        CHECK(strstr(err.message, "receipt") != NULL || strstr(err.message, "address") != NULL);
        cachet_membuf_free(&out);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(receipt_matches_original_multipart_signed),
    TEST_CASE(receipt_matches_original_opaque),
    TEST_CASE(receipt_matches_original_raw_der),
    TEST_CASE(receipt_is_made_from_a_request_fed_in_any_chunking),
    TEST_CASE(ref_reads_a_detached_raw_original_with_its_content),
    TEST_CASE(request_is_reported_on_the_signer),
    TEST_CASE(fresh_content_identifiers_differ),
    TEST_CASE(receipt_refused_per_section_2_3),
    TEST_CASE(no_receipt_for_a_receipt),
    TEST_CASE(ed25519_receipt_signer_uses_sha512_msg_sig_digest),
    TEST_CASE(content_reference_names_the_original),
    TEST_CASE(bad_request_options_are_usage_errors),
};

TEST_MAIN(tests)
