/* ATTACKS.md OR-03 / GW-13 (decryption context: keys used only for the
 * envelope recipient of the copy) and OR-04 (decrypted text never leaves for
 * a recipient outside the domain), through cachetd_process. The ciphertexts
 * are what a.example's gateway sends; the attacker (eve@evil.example) resends
 * them to other recipients of b.example's gateway, which holds the keys. */
#include "test_gateway_attacks_util.h"

#define SECRET "The numbers are fine."

/* captured: a.example's gateway output for bob, encrypted to |cert|. */
static bool captured(const char *cert, cachet_membuf *out) {
    const char *certs[] = {cert, NULL};
    const char *rcpts[] = {BOB, NULL};
    return gw_a_out(certs, "[domain a.example]\n", rcpts, PLAIN_MSG, out);
}

/* gw_b: b.example's gateway with its authorities and the keys of bob and carol
 * (carol stands for any other user of the domain, e.g. the attacker's mailbox). */
static bool gw_b(gw *g, const char *conf) {
    const char *keys[] = {"dsa-b", "dca-b", "bob", "carol", NULL};
    return gw_open(g, keys, NULL, "mx.b.example", conf);
}

static void or03_ciphertext_for_bob_resent_to_carol_is_not_decrypted(void) {
    REQUIRE_PKI();
    cachet_membuf m;
    CHECK(captured("bob", &m));
    gw g;
    CHECK(gw_b(&g, "[domain b.example]\n"));
    /* control: to bob it opens with bob's key */
    const char *to_bob[] = {BOB, NULL};
    cachetd_result r;
    CHECK(gw_run(&g, EVE, to_bob, "198.51.100.9", m.data, m.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(r.replaced);
    CHECK(contains(r.summary, "decrypted_with=" BOB));
    CHECK(mem_contains(r.new_message.data, r.new_message.len, SECRET));
    cachetd_result_clear(&r);
    /* to carol: carol's key is not addressed, bob's is never tried */
    const char *to_carol[] = {CAROL, NULL};
    CHECK(gw_run(&g, EVE, to_carol, "198.51.100.9", m.data, m.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(!r.replaced);
    CHECK(!r.quarantine);
    CHECK_STR(r.summary, "action=none result=undecryptable delivery=deliver "
                         "reason=\"encrypted for a key this gateway does not hold\"");
    CHECK_STR(r.authres, "mx.b.example;\r\n\tsmime=none reason=\"encrypted for a key this "
                         "gateway does not hold\"");
    CHECK(!result_has_text(&r, SECRET));
    cachetd_result_clear(&r);
    gw_close(&g);
    cachet_membuf_free(&m);
}

/* The captured ciphertext sent to bob and carol in one transaction: opening it
 * with bob's key would hand carol bob's plaintext, in either order. */
static void or03_recipient_key_is_never_used_for_a_shared_transaction(void) {
    REQUIRE_PKI();
    cachet_membuf m;
    CHECK(captured("bob", &m));
    gw g;
    CHECK(gw_b(&g, "[domain b.example]\n"));
    const char *orders[2][3] = {{BOB, CAROL, NULL}, {CAROL, BOB, NULL}};
    for (size_t i = 0; i < 2; i++) {
        cachetd_result r;
        CHECK(gw_run(&g, EVE, orders[i], "198.51.100.9", m.data, m.len, &r));
        CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
        CHECK(!r.replaced);
        CHECK(r.new_message.data == NULL && r.body == NULL);
        CHECK(starts_with(r.summary, "action=none result=undecryptable delivery=deliver "
                                     "reason=\"not decrypted: a recipient's own key is used "
                                     "only in a transaction for that recipient alone (2 "
                                     "recipients)\""));
        CHECK(!contains(r.summary, "decrypted_with"));
        CHECK(!result_has_text(&r, SECRET));
        cachetd_result_clear(&r);
    }
    /* split = recipient: the milter gives each recipient a transaction of its
     * own, where bob's copy opens and carol's does not. */
    gw_close(&g);
    CHECK(gw_b(&g, "split = recipient\n[domain b.example]\n"));
    char cb[CACHETD_NAME_MAX + 8], cc[CACHETD_NAME_MAX + 8];
    cachetd_policy_rcpt_class(g.cfg, EVE, BOB, cb, sizeof(cb));
    cachetd_policy_rcpt_class(g.cfg, EVE, CAROL, cc, sizeof(cc));
    CHECK_STR(cb, "in:" BOB);
    CHECK_STR(cc, "in:" CAROL);
    gw_close(&g);
    cachet_membuf_free(&m);
}

/* GW-13: one gateway for two tenants, a.example and b.example, holding both
 * DCA keys and alice's key. b.example's DCA key decrypts for b.example's
 * recipients only; a transaction never mixes the tenants. */
static void gw13_domain_key_decrypts_only_for_its_own_domain(void) {
    REQUIRE_PKI();
    cachet_membuf m;
    CHECK(captured("dca-b", &m));
    const char *keys[] = {"dsa-a", "dca-a", "alice", "dsa-b", "dca-b", NULL};
    gw g;
    CHECK(gw_open(&g, keys, NULL, "mx.example", "[domain a.example]\n[domain b.example]\n"));
    char ca[CACHETD_NAME_MAX + 8], cb[CACHETD_NAME_MAX + 8];
    cachetd_policy_rcpt_class(g.cfg, EVE, ALICE, ca, sizeof(ca));
    cachetd_policy_rcpt_class(g.cfg, EVE, "<Bob@B.Example>", cb, sizeof(cb));
    CHECK_STR(ca, "in:a.example");
    CHECK_STR(cb, "in:b.example");
    cachetd_result r;
    /* to alice (tenant a): neither a.example's DCA nor alice's key is addressed */
    const char *to_alice[] = {ALICE, NULL};
    CHECK(gw_run(&g, EVE, to_alice, "198.51.100.9", m.data, m.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(!r.replaced);
    CHECK(starts_with(r.summary, "action=none result=undecryptable"));
    CHECK(!result_has_text(&r, SECRET));
    cachetd_result_clear(&r);
    /* both tenants in one transaction, either order: refused before any key use */
    const char *mixed[2][3] = {{BOB, ALICE, NULL}, {ALICE, BOB, NULL}};
    for (size_t i = 0; i < 2; i++) {
        CHECK(gw_run(&g, EVE, mixed[i], "198.51.100.9", m.data, m.len, &r));
        CHECK_EQ_INT(r.verdict, CACHETD_TEMPFAIL);
        CHECK_STR(r.smtp_rcode, "451");
        CHECK_STR(r.smtp_xcode, "4.3.0");
        CHECK_STR(r.smtp_text, "internal error: recipients of several domains in one transaction");
        CHECK(!r.replaced && r.new_message.data == NULL);
        CHECK(!result_has_text(&r, SECRET));
        cachetd_result_clear(&r);
    }
    /* RFC 3183 §4: the DCA acts for every recipient of its domain, so a copy
     * for two b.example recipients opens (domain encryption binds the domain,
     * not the user: a per-user binding needs the user's own certificate). */
    const char *two_b[] = {BOB, "dave@b.example", NULL};
    CHECK(gw_run(&g, EVE, two_b, "198.51.100.9", m.data, m.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(r.replaced);
    CHECK(contains(r.summary, "decrypted_with=" DCA_B));
    cachetd_result_clear(&r);
    gw_close(&g);
    cachet_membuf_free(&m);
}

/* OR-04: decrypted text goes only to recipients of the domain that decrypted
 * it. A foreign recipient is another class (the milter defers it, 452), and
 * an envelope that mixes them anyway is a tempfail with nothing decrypted. */
static void or04_decrypted_text_never_reaches_a_foreign_recipient(void) {
    REQUIRE_PKI();
    cachet_membuf m;
    CHECK(captured("dca-b", &m));
    gw g;
    CHECK(gw_b(&g, "[domain b.example]\n"));
    char cb[CACHETD_NAME_MAX + 8], cd[CACHETD_NAME_MAX + 8], ce[CACHETD_NAME_MAX + 8];
    cachetd_policy_rcpt_class(g.cfg, EVE, BOB, cb, sizeof(cb));
    cachetd_policy_rcpt_class(g.cfg, EVE, "dave@c.example", cd, sizeof(cd));
    cachetd_policy_rcpt_class(g.cfg, EVE, "bob@b.example.evil.example", ce, sizeof(ce));
    CHECK_STR(cb, "in:b.example");
    CHECK_STR(cd, "pass");
    CHECK_STR(ce, "pass");
    static const char *const foreign[] = {"dave@c.example", "bob@b.example.evil.example",
                                          "bob@sub.b.example", "bob"};
    for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
        const char *rcpts[] = {BOB, foreign[i], NULL};
        cachetd_result r;
        CHECK(gw_run(&g, EVE, rcpts, "198.51.100.9", m.data, m.len, &r));
        CHECK_EQ_INT(r.verdict, CACHETD_TEMPFAIL);
        CHECK_STR(r.smtp_rcode, "451");
        CHECK(!r.replaced && r.new_message.data == NULL);
        CHECK(!result_has_text(&r, SECRET));
        cachetd_result_clear(&r);
    }
    gw_close(&g);
    cachet_membuf_free(&m);
}

static const cachet_test_case tests[] = {
    TEST_CASE(or03_ciphertext_for_bob_resent_to_carol_is_not_decrypted),
    TEST_CASE(or03_recipient_key_is_never_used_for_a_shared_transaction),
    TEST_CASE(gw13_domain_key_decrypts_only_for_its_own_domain),
    TEST_CASE(or04_decrypted_text_never_reaches_a_foreign_recipient),
};
TEST_MAIN(tests)
