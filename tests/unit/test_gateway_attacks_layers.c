/* ATTACKS.md GW-03 (a signature over ciphertext: encrypt-then-sign, signature
 * replacement), GW-07 (header fields outside the signed entity) and GW-12
 * (processing loops and the gateway's own signatures coming back), through
 * cachetd_process. */
#include "test_gateway_attacks_util.h"

#define SECRET "The numbers are fine."

static bool captured_for_dca(cachet_membuf *out) {
    const char *certs[] = {"dca-b", NULL};
    const char *rcpts[] = {BOB, NULL};
    return gw_a_out(certs, "[domain a.example]\n", rcpts, PLAIN_MSG, out);
}

static bool gw_b(gw *g, const char *conf) {
    const char *keys[] = {"dsa-b", "dca-b", "bob", NULL};
    return gw_open(g, keys, NULL, "mx.b.example", conf);
}

/* GW-03: a.example's encrypted mail from alice (for b.example's DCA) with an
 * outer signature added: by mallory@a.example (another address), by a domain
 * authority of another domain, and by alice herself. The gateway opens only a
 * root envelope (EF-03), so the ciphertext under the signature is never
 * decrypted, and a signature over ciphertext vouches for nothing inside it:
 * whoever signed, the result is "none" with the reason, never a pass, and
 * under on_failure = reject it is refused (before any key use, so a 5xx tells
 * the sender nothing about a key). */
static void gw03_signature_over_ciphertext_is_never_a_pass(void) {
    REQUIRE_PKI();
    cachet_membuf m;
    CHECK(captured_for_dca(&m));
    static const struct {
        const char *signer;
        unsigned types;
    } cases[] = {{"mallory", 0}, {"dsa-evil", CACHET_SIGTYPE_DOMAIN}, {"alice", 0}};
    static const char want_ar[] = "mx.b.example;\r\n\tsmime=none\r\n\treason=\"the signed content "
                                  "is encrypted and not opened here: nothing\r\n verified\"";
    const char *to_bob[] = {BOB, NULL};
    for (size_t pol = 0; pol < 2; pol++) {
        gw g;
        CHECK(gw_b(&g, pol == 0 ? "[domain b.example]\n"
                                : "[domain b.example]\non_failure = reject\n"));
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            cachet_membuf s;
            char *text = strndup((const char *)m.data, m.len);
            CHECK(text != NULL && sign_msg(cases[i].signer, cases[i].types, text, &s));
            free(text);
            cachetd_result r;
            CHECK(gw_run(&g, ALICE, to_bob, "198.51.100.9", s.data, s.len, &r));
            if (pol == 0) {
                CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
                CHECK_STR(r.authres, want_ar);
                CHECK(
                    starts_with(r.summary, "action=verify result=undecryptable delivery=deliver"));
            } else {
                CHECK_EQ_INT(r.verdict, CACHETD_REJECT);
                CHECK_STR(r.smtp_rcode, "550");
                CHECK(contains(r.summary, "result=undecryptable delivery=reject"));
            }
            CHECK(!r.replaced && !result_has_text(&r, SECRET));
            CHECK(!contains(r.summary, "decrypted_with"));
            cachetd_result_clear(&r);
            cachet_membuf_free(&s);
        }
        gw_close(&g);
    }
    cachet_membuf_free(&m);
}

/* ID-01 at the gateway (the From binding GW-03 relies on): a valid, trusted
 * originator signature by mallory@a.example on mail From alice@a.example is
 * not a pass. */
static void gw03_originator_signature_of_another_address_is_not_a_pass(void) {
    REQUIRE_PKI();
    cachet_membuf s;
    CHECK(sign_msg("mallory", 0, PLAIN_MSG, &s));
    gw g;
    CHECK(gw_b(&g, "[domain b.example]\n"));
    const char *to_bob[] = {BOB, NULL};
    cachetd_result r;
    CHECK(gw_run(&g, ALICE, to_bob, "198.51.100.9", s.data, s.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(!contains(r.authres, "smime=pass"));
    CHECK(contains(r.authres, "smime=policy"));
    CHECK(contains(r.authres, "body.smime-identifier=mallory@a.example"));
    CHECK(contains(r.authres, "reason=\"the signer's certificate does not hold the From address"));
    CHECK(starts_with(r.summary, "action=verify result=fail signer=mallory@a.example"));
    cachetd_result_clear(&r);
    cachet_membuf_free(&s);
    /* control: alice's own signature passes */
    CHECK(sign_msg("alice", 0, PLAIN_MSG, &s));
    CHECK(gw_run(&g, ALICE, to_bob, "198.51.100.9", s.data, s.len, &r));
    CHECK(contains(r.authres, "smime=pass (originator signature)"));
    CHECK(starts_with(r.summary, "action=verify result=pass"));
    cachetd_result_clear(&r);
    cachet_membuf_free(&s);
    gw_close(&g);
}

/* replace_field: a copy of |m| with the first header field |name| given the
 * value |value| (the field must be there). */
static bool replace_field(const cachet_membuf *m, const char *name, const char *value,
                          cachet_membuf *out) {
    memset(out, 0, sizeof(*out));
    size_t blen = 0;
    const uint8_t *body = body_of(m, &blen);
    size_t n = strlen(name);
    for (size_t i = 0; body != NULL && m->data + i < body; i++) {
        if ((i == 0 || m->data[i - 1] == '\n') && i + n < m->len &&
            strncmp((const char *)m->data + i, name, n) == 0 && m->data[i + n] == ':') {
            size_t end = i;
            while (end + 1 < m->len && !(m->data[end] == '\r' && m->data[end + 1] == '\n')) {
                end++;
            }
            cachet_sink s = cachet_sink_membuf(out);
            return s.write(s.arg, m->data, i + n + 1) == CACHET_OK &&
                   s.write(s.arg, (const uint8_t *)" ", 1) == CACHET_OK &&
                   s.write(s.arg, (const uint8_t *)value, strlen(value)) == CACHET_OK &&
                   s.write(s.arg, m->data + end, m->len - end) == CACHET_OK;
        }
    }
    return false;
}

/* GW-07: Subject, To and Date changed in transit on a domain-signed message.
 * The smime result speaks of the body only (RFC 7281 body.smime-*): the same
 * A-R for the changed message, which claims nothing about those fields. */
static void gw07_changed_header_fields_get_the_same_body_only_result(void) {
    REQUIRE_PKI();
    cachet_membuf s;
    CHECK(sign_msg("dsa-a", CACHET_SIGTYPE_DOMAIN, PLAIN_MSG, &s));
    gw g;
    CHECK(gw_b(&g, "[domain b.example]\n"));
    const char *to_bob[] = {BOB, NULL};
    cachetd_result base;
    CHECK(gw_run(&g, ALICE, to_bob, "198.51.100.9", s.data, s.len, &base));
    CHECK(contains(base.authres, "smime=pass (domain signature)"));
    static const struct {
        const char *name, *value;
    } edits[] = {{"Subject", "wire the money today"},
                 {"To", "everyone@b.example"},
                 {"Message-ID", "<forged@a.example>"}};
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        cachet_membuf t;
        CHECK(replace_field(&s, edits[i].name, edits[i].value, &t));
        cachetd_result r;
        CHECK(gw_run(&g, ALICE, to_bob, "198.51.100.9", t.data, t.len, &r));
        CHECK_STR(r.authres, base.authres);
        CHECK(!contains(r.authres, edits[i].value));
        CHECK(!contains(r.authres, "header."));
        cachetd_result_clear(&r);
        cachet_membuf_free(&t);
    }
    cachetd_result_clear(&base);
    gw_close(&g);
    cachet_membuf_free(&s);
}

/* GW-12: loops and the gateway's own signatures coming back. */
static void gw12_loops_do_not_grow_and_own_signatures_are_not_internal(void) {
    REQUIRE_PKI();
    const char *keys[] = {"dsa-a", "dca-a", NULL};
    const char *certs[] = {"dca-b", NULL};
    const char *to_bob[] = {BOB, NULL};
    gw a;
    CHECK(gw_open(&a, keys, certs, "mx.a.example", "[domain a.example]\n"));
    cachetd_result r1, r2;
    CHECK(
        gw_run(&a, ALICE, to_bob, "127.0.0.1", (const uint8_t *)PLAIN_MSG, strlen(PLAIN_MSG), &r1));
    CHECK(r1.replaced);
    /* (a) the protected message passes a.example's gateway again (a forwarding
     * loop): it is already encrypted and not for a.example's DCA, so it goes on
     * as it is, no layer added */
    CHECK(gw_run(&a, ALICE, to_bob, "127.0.0.1", r1.new_message.data, r1.new_message.len, &r2));
    CHECK_EQ_INT(r2.verdict, CACHETD_CONTINUE);
    CHECK(!r2.replaced);
    cachetd_result_clear(&r2);
    /* (b) a delivery status notification (null sender) is never domain-signed
     * or processed: it is nobody's outbound mail */
    CHECK(gw_run(&a, "", to_bob, "127.0.0.1", (const uint8_t *)PLAIN_MSG, strlen(PLAIN_MSG), &r2));
    CHECK_EQ_INT(r2.verdict, CACHETD_CONTINUE);
    CHECK(!r2.replaced);
    CHECK_STR(r2.summary, "action=none result=ok direction=foreign");
    cachetd_result_clear(&r2);
    /* (c) mail claiming a.example's sender arriving for a.example (its own
     * signature reflected back): internal, passed on with no result added, so
     * nothing vouches for it */
    cachet_membuf own;
    CHECK(sign_msg("dsa-a", CACHET_SIGTYPE_DOMAIN, PLAIN_MSG, &own));
    const char *to_alice2[] = {"alice2@a.example", NULL};
    CHECK(gw_run(&a, ALICE, to_alice2, "198.51.100.9", own.data, own.len, &r2));
    CHECK_EQ_INT(r2.verdict, CACHETD_CONTINUE);
    CHECK(!r2.replaced);
    CHECK_STR(r2.authres, "");
    CHECK_STR(r2.summary, "action=none result=ok direction=internal");
    cachetd_result_clear(&r2);
    gw_close(&a);
    /* (d) b.example decrypts once; the decrypted copy coming round again is
     * verified only: nothing more is opened or added */
    gw b;
    CHECK(gw_b(&b, "[domain b.example]\n"));
    CHECK(gw_run(&b, ALICE, to_bob, "198.51.100.9", r1.new_message.data, r1.new_message.len, &r2));
    CHECK(r2.replaced);
    cachetd_result r3;
    CHECK(gw_run(&b, ALICE, to_bob, "198.51.100.9", r2.new_message.data, r2.new_message.len, &r3));
    CHECK_EQ_INT(r3.verdict, CACHETD_CONTINUE);
    CHECK(!r3.replaced);
    CHECK(starts_with(r3.summary, "action=verify result=pass"));
    cachetd_result_clear(&r3);
    cachetd_result_clear(&r2);
    gw_close(&b);
    cachetd_result_clear(&r1);
    cachet_membuf_free(&own);
}

static const cachet_test_case tests[] = {
    TEST_CASE(gw03_signature_over_ciphertext_is_never_a_pass),
    TEST_CASE(gw03_originator_signature_of_another_address_is_not_a_pass),
    TEST_CASE(gw07_changed_header_fields_get_the_same_body_only_result),
    TEST_CASE(gw12_loops_do_not_grow_and_own_signatures_are_not_internal),
};
TEST_MAIN(tests)
