/* cachetd_process inbound: decryption with the DCA or the recipient's key,
 * verification of every layer, RFC 3183 naming (domsec), Authentication-Results
 * and the failure policy. Inputs are what a.example's gateway wrote, or
 * messages signed here by the attackers of tests/pki/mkdomains.sh. */
#include "test_gateway_process_util.h"

#define ALICE "alice@a.example"
#define BOB "bob@b.example"
#define DSA_A "domain-signing-authority@a.example"
#define DCA_B "domain-confidentiality-authority@b.example"

static bool starts_with(const char *s, const char *prefix) {
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* from_a: PLAIN from alice through a.example's gateway (|certs| in its store). */
static bool from_a(const char *const *certs, const char *rcpt, cachet_membuf *out) {
    memset(out, 0, sizeof(*out));
    const char *keys[] = {"dsa-a", "dca-a", NULL};
    char url[512];
    if (!make_store(keys, certs, url, sizeof(url))) {
        return false;
    }
    cachetd_config *cfg = make_config(url, "mx.a.example", "[domain a.example]\n");
    cachetd_result r;
    bool ok = cfg != NULL && process(cfg, ALICE, rcpt, "127.0.0.1", NULL,
                                     (const uint8_t *)PLAIN_MSG, strlen(PLAIN_MSG), &r);
    ok = ok && r.verdict == CACHETD_CONTINUE && r.replaced;
    if (ok) {
        *out = r.new_message; /* taken over */
        memset(&r.new_message, 0, sizeof(r.new_message));
    }
    if (cfg != NULL) {
        cachetd_result_clear(&r);
    }
    cachetd_config_free(cfg);
    return ok;
}

/* to_b processes |msg| at b.example's gateway (keys dsa-b, dca-b and |keys|). */
static bool to_b(const char *const *extra_keys, const char *conf, const char *rcpt,
                 const uint8_t *msg, size_t len, cachetd_result *out) {
    const char *keys[8] = {"dsa-b", "dca-b"};
    for (size_t i = 0; extra_keys != NULL && extra_keys[i] != NULL && i < 5; i++) {
        keys[2 + i] = extra_keys[i];
    }
    char url[512];
    if (!make_store(keys, NULL, url, sizeof(url))) {
        return false;
    }
    cachetd_config *cfg = make_config(url, "mx.b.example", conf);
    bool ok = cfg != NULL && process(cfg, ALICE, rcpt, "198.51.100.9", NULL, msg, len, out);
    cachetd_config_free(cfg);
    return ok;
}

static void dca_encrypted_domain_signed_mail_is_decrypted_and_passes(void) {
    REQUIRE_PKI();
    const char *certs[] = {"dca-b", NULL};
    cachet_membuf m;
    CHECK(from_a(certs, BOB, &m));
    cachetd_result r;
    CHECK(to_b(NULL, "[domain b.example]\n", BOB, m.data, m.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(r.replaced);
    CHECK(starts_with(r.authres, "mx.b.example;"));
    CHECK(contains(r.authres, "smime=pass"));
    CHECK(contains(r.authres, "body.smime-identifier=" DSA_A));
    CHECK(!contains(r.authres, "smime=fail"));
    CHECK(starts_with(r.summary, "action=decrypt,verify result=pass signer=" DSA_A " role=domain"));
    CHECK(contains(r.summary, "delivery=deliver decrypted_with=" DCA_B));
    CHECK(!r.quarantine);
    /* The delivered message keeps the domain signature, which still verifies,
     * and its content is the original text. */
    bool multipart_signed = false;
    for (size_t i = 0; i < r.num_content_fields; i++) {
        if (strcmp(r.content_fields[i].name, "Content-Type") == 0) {
            multipart_signed = starts_with(r.content_fields[i].value, "multipart/signed");
        }
    }
    CHECK(multipart_signed);
    cachet_status st;
    cachet_membuf content = {0};
    cachet_report *rep = verify_msg(NULL, r.new_message.data, r.new_message.len, &st, &content);
    CHECK_EQ_INT(st, CACHET_OK);
    CHECK(rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1);
    size_t bl = strlen(PLAIN_BODY);
    CHECK(content.len >= bl && memcmp(content.data + content.len - bl, PLAIN_BODY, bl) == 0);
    cachet_report_free(rep);
    cachet_membuf_free(&content);
    cachetd_result_clear(&r);
    cachet_membuf_free(&m);
}

static void mail_for_the_recipient_key_is_decrypted_with_it(void) {
    REQUIRE_PKI();
    const char *certs[] = {"bob", NULL};
    cachet_membuf m;
    CHECK(from_a(certs, BOB, &m));
    const char *bobkey[] = {"bob", NULL};
    cachetd_result r;
    CHECK(to_b(bobkey, "[domain b.example]\n", BOB, m.data, m.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(r.replaced);
    CHECK(contains(r.summary, "decrypted_with=" BOB));
    CHECK(contains(r.authres, "smime=pass"));
    cachetd_result_clear(&r);
    /* Without bob's key the gateway holds no key for it: left as it is. */
    CHECK(to_b(NULL, "[domain b.example]\n", BOB, m.data, m.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(!r.replaced);
    CHECK(starts_with(r.summary, "action=none result=undecryptable"));
    CHECK(contains(r.authres, "smime=none"));
    cachetd_result_clear(&r);
    cachet_membuf_free(&m);
}

static void tampered_signed_mail_fails(void) {
    REQUIRE_PKI();
    cachet_membuf m;
    CHECK(from_a(NULL, BOB, &m)); /* no certificate: signed only */
    CHECK(tamper_text(&m));
    cachetd_result r;
    CHECK(to_b(NULL, "[domain b.example]\n", BOB, m.data, m.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(!r.replaced);
    CHECK(contains(r.authres, "smime=fail"));
    CHECK(!contains(r.authres, "smime=pass"));
    /* the reason is the broken signature, not a naming rule it can no longer be checked against */
    CHECK(contains(r.authres, "messageDigest"));
    CHECK(!contains(r.authres, "SignatureType"));
    CHECK(contains(r.summary, "reason=\"signature: messageDigest"));
    CHECK(starts_with(r.summary, "action=verify result=fail"));
    cachetd_result_clear(&r);
    cachet_membuf_free(&m);
}

/* RFC 3183 §3.1.1 / §4.1: who may domain-sign for alice@a.example. */
static void domain_signers_are_judged_by_the_naming_rules(void) {
    REQUIRE_PKI();
    static const struct {
        const char *signer;
        unsigned types;
        const char *ar;      /* expected in Authentication-Results */
        const char *summary; /* expected prefix of the summary */
    } cases[] = {
        {"dsa-a", CACHET_SIGTYPE_DOMAIN, "smime=pass", "action=verify result=pass"},
        {"dsa-caps", CACHET_SIGTYPE_DOMAIN, "smime=pass", "action=verify result=pass"},
        {"dsa-evil", CACHET_SIGTYPE_DOMAIN, "smime=fail", "action=verify result=fail"},
        {"dsa-sub", CACHET_SIGTYPE_DOMAIN, "smime=fail", "action=verify result=fail"},
        {"dsa-up", CACHET_SIGTYPE_DOMAIN, "smime=fail", "action=verify result=fail"},
        {"dsa-a", 0, "smime=fail", "action=verify result=fail"}, /* reserved name, no type */
        {"mallory", CACHET_SIGTYPE_DOMAIN, "smime=fail", "action=verify result=fail"},
        {"rogue-dsa-a", CACHET_SIGTYPE_DOMAIN, "smime=neutral", "action=verify result=untrusted"},
        {"alice", 0, "smime=pass", "action=verify result=pass"}, /* the originator */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_membuf m;
        CHECK(sign_msg(cases[i].signer, cases[i].types, PLAIN_MSG, &m));
        cachetd_result r;
        CHECK(to_b(NULL, "[domain b.example]\n", BOB, m.data, m.len, &r));
        if (!contains(r.authres, cases[i].ar) || !starts_with(r.summary, cases[i].summary)) {
            fprintf(stderr, "case %zu (%s): authres \"%s\" summary \"%s\"\n", i, cases[i].signer,
                    r.authres, r.summary);
            cachet_test_failures++;
        }
        CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
        cachetd_result_clear(&r);
        cachet_membuf_free(&m);
    }
}

static void failure_policy_rejects_or_quarantines(void) {
    REQUIRE_PKI();
    cachet_membuf evil;
    CHECK(sign_msg("dsa-evil", CACHET_SIGTYPE_DOMAIN, PLAIN_MSG, &evil));
    cachetd_result r;
    CHECK(to_b(NULL, "[domain b.example]\non_failure = reject\n", BOB, evil.data, evil.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_REJECT);
    CHECK_STR(r.smtp_rcode, "550");
    CHECK_STR(r.smtp_xcode, "5.7.1");
    CHECK(!r.replaced);
    CHECK(contains(r.summary, "delivery=reject"));
    cachetd_result_clear(&r);
    CHECK(to_b(NULL, "[domain b.example]\non_failure = quarantine\nquarantine = hold@b.example\n",
               BOB, evil.data, evil.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(r.quarantine);
    CHECK_STR(r.quarantine_to, "hold@b.example");
    CHECK(contains(r.authres, "smime=fail"));
    cachetd_result_clear(&r);
    /* A valid domain signature under the same policy is delivered. */
    cachet_membuf good;
    CHECK(sign_msg("dsa-a", CACHET_SIGTYPE_DOMAIN, PLAIN_MSG, &good));
    CHECK(to_b(NULL, "[domain b.example]\non_failure = reject\n", BOB, good.data, good.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(!r.quarantine);
    cachetd_result_clear(&r);
    cachet_membuf_free(&good);
    cachet_membuf_free(&evil);
}

/* ATTACKS PO-02/PO-04: once one of our keys has been used, the SMTP reply
 * must not depend on how decryption went. A message for dca-b whose ciphertext
 * was altered (padding or tag now fail) is held, not refused, even under
 * on_failure = reject, and the A-R reason is the uniform one. */
static void decryption_failures_are_never_refused(void) {
    REQUIRE_PKI();
    const char *certs[] = {"dca-b", NULL};
    cachet_membuf m;
    CHECK(from_a(certs, BOB, &m));
    /* Alter a base64 character of the last cipher block, so that the padding
     * (CBC) breaks: back over the line end and the end-of-contents octets (base64
     * 'A's and '='), then a few characters more. */
    size_t at = m.len;
    while (at > 0 && strchr("\r\nA=", m.data[at - 1]) != NULL) {
        at--;
    }
    at = at > 8 ? at - 8 : 0;
    CHECK(at > 0 && m.data[at] != '\n' && m.data[at] != '\r');
    if (at > 0) {
        m.data[at] = m.data[at] == 'Q' ? 'g' : 'Q';
    }
    cachetd_result r;
    CHECK(to_b(NULL, "[domain b.example]\non_failure = reject\n", BOB, m.data, m.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(r.quarantine);
    CHECK(!r.replaced);
    CHECK(contains(r.summary, "delivery=quarantine reject_withheld=decryption-oracle"));
    CHECK(contains(r.authres, "smime=fail"));
    cachetd_result_clear(&r);
    cachet_membuf_free(&m);
}

static void plain_mail_gets_none_and_partner_may_require_signature(void) {
    REQUIRE_PKI();
    cachetd_result r;
    CHECK(
        to_b(NULL, "[domain b.example]\n", BOB, (const uint8_t *)PLAIN_MSG, strlen(PLAIN_MSG), &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(!r.replaced);
    CHECK_STR(r.authres, "mx.b.example; none");
    CHECK_STR(r.summary, "action=none result=plain delivery=deliver");
    cachetd_result_clear(&r);
    /* GW-02: a partner that must sign, and mail from it that is not signed. */
    CHECK(to_b(NULL,
               "[domain b.example]\non_failure = reject\n"
               "[partner a.example]\nrequire_signature = yes\n",
               BOB, (const uint8_t *)PLAIN_MSG, strlen(PLAIN_MSG), &r));
    CHECK_EQ_INT(r.verdict, CACHETD_REJECT);
    CHECK_STR(r.smtp_rcode, "550");
    cachetd_result_clear(&r);
}

/* harvest_run processes |msg| at b.example with "harvest = |harvest|" and
 * returns how many certificates of |address| b's store holds afterwards (-1 on
 * a set-up failure). */
static int harvest_run(const char *harvest, const uint8_t *msg, size_t len, const char *address) {
    const char *keys[] = {"dsa-b", "dca-b", NULL};
    char url[512], conf[128];
    if (!make_store(keys, NULL, url, sizeof(url))) {
        return -1;
    }
    snprintf(conf, sizeof(conf), "[domain b.example]\nharvest = %s\n", harvest);
    cachetd_config *cfg = make_config(url, "mx.b.example", conf);
    cachetd_result r;
    bool ok = cfg != NULL && process(cfg, ALICE, BOB, "198.51.100.9", NULL, msg, len, &r);
    if (cfg != NULL) {
        cachetd_result_clear(&r);
    }
    cachetd_config_free(cfg);
    cachet_store *st = NULL;
    cachet_error e;
    cachet_cert_info *infos = NULL;
    size_t num = 0;
    ok = ok && cachet_store_open(url, &st, &e) == CACHET_OK &&
         cachet_store_find(st, address, &infos, &num, &e) == CACHET_OK;
    cachet_cert_info_free(infos, num);
    cachet_store_close(st);
    return ok ? (int)num : -1;
}

/* Certificates of valid, trusted signers are stored when harvest is on; never
 * from a signature that does not verify, and not at all when it is off. */
static void harvest_stores_only_valid_signers_when_on(void) {
    REQUIRE_PKI();
    cachet_membuf m;
    CHECK(from_a(NULL, BOB, &m)); /* signed only, by domain-signing-authority@a.example */
    CHECK_EQ_INT(harvest_run("yes", m.data, m.len, DSA_A), 1);
    CHECK_EQ_INT(harvest_run("no", m.data, m.len, DSA_A), 0);
    CHECK(tamper_text(&m));
    CHECK_EQ_INT(harvest_run("yes", m.data, m.len, DSA_A), 0);
    cachet_membuf_free(&m);
}

static const cachet_test_case tests[] = {
    TEST_CASE(dca_encrypted_domain_signed_mail_is_decrypted_and_passes),
    TEST_CASE(mail_for_the_recipient_key_is_decrypted_with_it),
    TEST_CASE(tampered_signed_mail_fails),
    TEST_CASE(domain_signers_are_judged_by_the_naming_rules),
    TEST_CASE(failure_policy_rejects_or_quarantines),
    TEST_CASE(decryption_failures_are_never_refused),
    TEST_CASE(plain_mail_gets_none_and_partner_may_require_signature),
    TEST_CASE(harvest_stores_only_valid_signers_when_on),
};
TEST_MAIN(tests)
