/* Where a receipt goes when its request came through mail lists (RFC 2634
 * §2.3 step 2, §2.5): the last MLData's mlReceiptPolicy of the history decides
 * (insteadOf replaces receiptsTo, inAdditionTo adds to it, none means no
 * receipt; an earlier MLData's policy does not count), seen in the receipt's
 * To field; receiptsFrom still decides whether a receipt is made (§2.3 step
 * 3); and the receipt's own signer never carries the history (§2.4.1). The
 * requests are made with cms/ (cachet_sign_opts cannot write
 * mlExpansionHistory) and wrapped as S/MIME application/pkcs7-mime. */
#include <openssl/evp.h>

#include "test_smime_sign_util.h"

#include "cms/signed.h"
#include "smime/receipt.h"

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

/* attr: SEQUENCE { oid, SET { value } } appended to |cbb| */
static void attr(cachet_cbb *cbb, cachet_oid oid, const uint8_t *value, size_t len) {
    cachet_cbb a, set;
    CHECK(cachet_cbb_add_asn1(cbb, &a, CACHET_ASN1_SEQUENCE) && cachet_cbb_add_oid(&a, oid) &&
          cachet_cbb_add_asn1(&a, &set, CACHET_ASN1_SET) &&
          cachet_cbb_add_bytes(&set, value, len) && cachet_cbb_flush(cbb));
}

/* One MLData: policy 0 absent, 'n' none, 'i' insteadOf, 'a' inAdditionTo with
 * |names| (NULL-terminated; one GeneralNames of one rfc822Name each). */
typedef struct mld_spec {
    char policy;
    const char *names[3];
} mld_spec;

static void add_mldata(cachet_cbb *hist, const mld_spec *m) {
    static const uint8_t ski[] = {9, 8, 7, 6};
    cachet_cbb mld, pol, gns, name;
    CHECK(cachet_cbb_add_asn1(hist, &mld, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1_octet_string(&mld, ski, sizeof(ski)) &&
          cachet_cbb_add_asn1_element(&mld, CACHET_ASN1_GENERALIZEDTIME,
                                      (const uint8_t *)"20260101000000Z", 15));
    if (m->policy == 'n') {
        CHECK(cachet_cbb_add_asn1_element(&mld, CACHET_ASN1_CONTEXT(0), NULL, 0));
    } else if (m->policy == 'i' || m->policy == 'a') {
        CHECK(cachet_cbb_add_asn1(&mld, &pol, CACHET_ASN1_CONTEXT_CONS(m->policy == 'i' ? 1 : 2)));
        for (size_t i = 0; i < 3 && m->names[i] != NULL; i++) {
            CHECK(cachet_cbb_add_asn1(&pol, &gns, CACHET_ASN1_SEQUENCE) &&
                  cachet_cbb_add_asn1(&gns, &name, CACHET_ASN1_CONTEXT(1)) &&
                  cachet_cbb_add_bytes(&name, (const uint8_t *)m->names[i], strlen(m->names[i])));
        }
    }
    CHECK(cachet_cbb_flush(hist));
}

/* request_der: a SignedData by alice of a small MIME entity requesting a
 * receipt to receiptsTo alice@example.com (all), with an mlExpansionHistory
 * of |n| MLData when n > 0. */
static void request_der(cachet_receipts_from from, const char *list, const mld_spec *mlds, size_t n,
                        cachet_membuf *out) {
    static const char *const to[] = {"alice@example.com"};
    static const uint8_t id[] = {0x42, 0x43};
    cachet_cbb cbb, run, hist;
    uint8_t *rr = NULL, *ml = NULL, *extra = NULL;
    size_t rr_len = 0, ml_len = 0, extra_len = 0;
    CHECK(cachet_cbb_init(&cbb, 64, 0) &&
          cachet_cms_receipt_request_build(&cbb, id, sizeof(id), from, &list,
                                           from == CACHET_RECEIPTS_FROM_LIST ? 1 : 0, to, 1) &&
          cachet_cbb_finish(&cbb, &rr, &rr_len));
    CHECK(cachet_cbb_init(&run, 256, 0));
    attr(&run, CACHET_OID_ATTR_RECEIPT_REQUEST, rr, rr_len);
    if (n > 0) {
        CHECK(cachet_cbb_init(&cbb, 128, 0) &&
              cachet_cbb_add_asn1(&cbb, &hist, CACHET_ASN1_SEQUENCE));
        for (size_t i = 0; i < n; i++) {
            add_mldata(&hist, &mlds[i]);
        }
        CHECK(cachet_cbb_flush(&cbb) && cachet_cbb_finish(&cbb, &ml, &ml_len));
        attr(&run, CACHET_OID_ATTR_ML_EXPANSION_HISTORY, ml, ml_len);
    }
    CHECK(cachet_cbb_finish(&run, &extra, &extra_len));
    cachet_cms_signer_opts so = {.key = alice.cred->key,
                                 .cert = alice.cred->cert,
                                 .md = CACHET_MD_SHA256,
                                 .extra_signed_attrs = extra,
                                 .extra_signed_attrs_len = extra_len};
    cachet_cms_sign_opts co = {.signers = &so, .num_signers = 1};
    static const char body[] = "Content-Type: text/plain\r\n\r\nhello\r\n";
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_error err = {0};
    cachet_cms_sign *s = cachet_cms_sign_new(&co, &sink, &err);
    CHECK(s != NULL);
    if (s != NULL) {
        CHECK_EQ_INT(cachet_cms_sign_update(s, (const uint8_t *)body, strlen(body), &err),
                     CACHET_OK);
        CHECK_EQ_INT(cachet_cms_sign_finish(s, &err), CACHET_OK);
    }
    cachet_cms_sign_free(s);
    cachet_free(rr);
    cachet_free(ml);
    cachet_free(extra);
}

/* as_smime wraps DER in an application/pkcs7-mime signed-data entity. */
static void as_smime(const cachet_membuf *der, cachet_membuf *out) {
    static const char hdr[] = "From: alice@example.com\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n"
                              "Content-Transfer-Encoding: base64\r\n\r\n";
    CHECK(cachet_membuf_append(out, (const uint8_t *)hdr, strlen(hdr)));
    for (size_t off = 0; off < der->len; off += 57) {
        unsigned char line[80];
        size_t n = der->len - off < 57 ? der->len - off : 57;
        int k = EVP_EncodeBlock(line, der->data + off, (int)n);
        CHECK(cachet_membuf_append(out, line, (size_t)k) &&
              cachet_membuf_append(out, (const uint8_t *)"\r\n", 2));
    }
}

/* receipt_for runs bob's receipt op over |msg|; the S/MIME receipt in |out|. */
static cachet_status receipt_for(const cachet_membuf *msg, int mode, cachet_membuf *out,
                                 cachet_error *err) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
    cachet_receipt_opts ro = {.signer = bob.cred};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_receipt_new(ctx, &ro, &sink, err);
    CHECK(op != NULL);
    cachet_status st = err->status;
    if (op != NULL) {
        uint32_t seed = 11;
        st = gen_feed(op, (const char *)msg->data, msg->len, mode, &seed);
        *err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    cachet_ctx_free(ctx);
    return st;
}

/* receipt_has_no_history verifies bob's receipt: valid, and its signer
 * carries no mlExpansionHistory although the request's did (§2.4.1). */
static void receipt_has_no_history(const cachet_membuf *receipt) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, bob.cert_path), CACHET_OK);
    cachet_verify_opts vo = {0};
    cachet_sink none = cachet_sink_null();
    cachet_error err = {0};
    cachet_op *op = cachet_verify_new(ctx, &vo, &none, &err);
    cachet_report *rep = NULL;
    CHECK(op != NULL);
    cachet_op_update(op, receipt->data, receipt->len);
    CHECK_EQ_INT(cachet_op_finish(op, &rep), CACHET_OK);
    CHECK(rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1);
    if (rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1) {
        CHECK_STR(rep->layers[0].content_type, "id-ct-receipt");
        CHECK(!rep->layers[0].signers[0].ml_expansion_history);
    }
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
}

/* to_field: the receipt's To field, unfolded ("" when absent). */
static void to_field(const cachet_membuf *receipt, char *out, size_t cap) {
    out[0] = '\0';
    if (receipt->len == 0) {
        return;
    }
    char *s = gen_str(receipt);
    char *p = strstr(s, "\r\nTo: ");
    size_t o = 0;
    out[0] = '\0';
    if (p != NULL) {
        p += 6;
        while (*p != '\0' && o + 1 < cap) {
            if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
                p += 2; /* unfold: the space stays */
                continue;
            }
            if (p[0] == '\r') {
                break;
            }
            out[o++] = *p++;
        }
        out[o] = '\0';
    }
    free(s);
}

typedef struct ml_case {
    const char *name;
    cachet_receipts_from from;
    const char *list; /* receiptList (one address) with CACHET_RECEIPTS_FROM_LIST */
    mld_spec mlds[3];
    size_t n;
    cachet_status want;
    const char *to; /* the To field, or the message fragment on failure */
} ml_case;

static void receipt_recipients_follow_last_ml_receipt_policy(void) {
    if (!setup()) {
        CHECK(false);
        return;
    }
    const ml_case cases[] = {
        {"no mail list", CACHET_RECEIPTS_FROM_ALL, NULL, {{0}}, 0, CACHET_OK, "alice@example.com"},
        {"expansion without policy",
         CACHET_RECEIPTS_FROM_ALL,
         NULL,
         {{0, {NULL}}},
         1,
         CACHET_OK,
         "alice@example.com"},
        {"insteadOf replaces receiptsTo",
         CACHET_RECEIPTS_FROM_ALL,
         NULL,
         {{'i', {"list-owner@example.org", "audit@example.org", NULL}}},
         1,
         CACHET_OK,
         "list-owner@example.org, audit@example.org"},
        {"inAdditionTo adds to receiptsTo",
         CACHET_RECEIPTS_FROM_ALL,
         NULL,
         {{'a', {"list-owner@example.org", NULL}}},
         1,
         CACHET_OK,
         "alice@example.com, list-owner@example.org"},
        {"inAdditionTo naming receiptsTo again: once",
         CACHET_RECEIPTS_FROM_ALL,
         NULL,
         {{'a', {"ALICE@example.com", "audit@example.org", NULL}}},
         1,
         CACHET_OK,
         "alice@example.com, audit@example.org"},
        {"only the last MLData counts (insteadOf then inAdditionTo)",
         CACHET_RECEIPTS_FROM_ALL,
         NULL,
         {{'i', {"first-list@example.org", NULL}}, {'a', {"second-list@example.org", NULL}}},
         2,
         CACHET_OK,
         "alice@example.com, second-list@example.org"},
        {"only the last MLData counts (none then insteadOf)",
         CACHET_RECEIPTS_FROM_ALL,
         NULL,
         {{'n', {NULL}}, {'i', {"second-list@example.org", NULL}}},
         2,
         CACHET_OK,
         "second-list@example.org"},
        {"last policy none: no receipt",
         CACHET_RECEIPTS_FROM_ALL,
         NULL,
         {{'i', {"first-list@example.org", NULL}}, {'n', {NULL}}},
         2,
         CACHET_ERR_USAGE,
         "receipt policy is none"},
        {"many names are folded, all kept",
         CACHET_RECEIPTS_FROM_ALL,
         NULL,
         {{'a',
           {"a-very-long-mail-list-owner-address@lists.example.org",
            "another-rather-long-auditing-address@audit.example.org", "third@example.org"}}},
         1,
         CACHET_OK,
         "alice@example.com, a-very-long-mail-list-owner-address@lists.example.org, "
         "another-rather-long-auditing-address@audit.example.org, third@example.org"},
        /* §2.3 step 3 still applies with insteadOf / inAdditionTo (R2634-2.3-11) */
        {"insteadOf with a receiptList naming us",
         CACHET_RECEIPTS_FROM_LIST,
         "bob@example.com",
         {{'i', {"list-owner@example.org", NULL}}},
         1,
         CACHET_OK,
         "list-owner@example.org"},
        {"inAdditionTo with a receiptList not naming us",
         CACHET_RECEIPTS_FROM_LIST,
         "carol@example.com",
         {{'a', {"list-owner@example.org", NULL}}},
         1,
         CACHET_ERR_USAGE,
         "receiptList does not name"},
        {"insteadOf with a first-tier request",
         CACHET_RECEIPTS_FROM_FIRST_TIER,
         NULL,
         {{'i', {"list-owner@example.org", NULL}}},
         1,
         CACHET_ERR_USAGE,
         "first-tier"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const ml_case *c = &cases[i];
        cachet_membuf der = {0}, msg = {0};
        request_der(c->from, c->list, c->mlds, c->n, &der);
        as_smime(&der, &msg);
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf out = {0};
            cachet_error err = {0};
            cachet_status st = receipt_for(&msg, mode, &out, &err);
            char to[1024];
            to_field(&out, to, sizeof(to));
            const char *got = c->want == CACHET_OK ? to : err.message;
            if (st != c->want || strstr(got, c->to) == NULL ||
                (c->want == CACHET_OK && strcmp(to, c->to) != 0)) {
                fprintf(stderr, "case %s (mode %d): status %d: %s / To: %s\n", c->name, mode,
                        (int)st, err.message, to);
            }
            CHECK_EQ_INT(st, c->want);
            if (c->want == CACHET_OK) {
                CHECK_STR(to, c->to);
                char *s = gen_str(&out);
                CHECK(strstr(s, "smime-type=signed-receipt") != NULL);
                /* folded lines stay within RFC 5322's 78 characters */
                for (char *line = s; line != NULL && strncmp(line, "\r\n", 2) != 0;) {
                    char *end = strstr(line, "\r\n");
                    CHECK(end != NULL && end - line <= 78);
                    line = end != NULL ? end + 2 : NULL;
                }
                free(s);
                if (mode == FEED_WHOLE) {
                    receipt_has_no_history(&out);
                }
            } else {
                CHECK(strstr(err.message, c->to) != NULL);
                CHECK_EQ_INT((int)out.len, 0);
            }
            cachet_membuf_free(&out);
        }
        cachet_membuf_free(&der);
        cachet_membuf_free(&msg);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(receipt_recipients_follow_last_ml_receipt_policy),
};

TEST_MAIN(tests)
