/* Recipients by address (pki/select.c through cachet_encrypt_new), algorithms
 * from capabilities (cipher_auto), and verify --harvest, against a temporary
 * SQLite store. Certificates are made with OpenSSL for each run, their
 * validity placed around a fixed time given to the context. */
#include "test_smime_lookup_util.h"

static void fingerprint(const cachet_cert *c, char fp[65]) {
    uint8_t h[32];
    cachet_cert_sha256(c, h);
    for (size_t i = 0; i < 32; i++) {
        snprintf(fp + 2 * i, 3, "%02x", h[i]);
    }
}

/* ---- Selection ---- */

static void newest_valid_certificate_is_chosen(void) {
    fixture f;
    if (!fx_open(&f, true)) {
        return;
    }
    party older = leaf("bob@example.com", "rsa", NULL, NOW - 300 * DAY, NOW + 300 * DAY);
    party newest = leaf("bob@example.com", "ec", NULL, NOW - 10 * DAY, NOW + 300 * DAY);
    party middle = leaf("bob@example.com", "rsa", NULL, NOW - 100 * DAY, NOW + 300 * DAY);
    party future = leaf("bob@example.com", "rsa", NULL, NOW + 5 * DAY, NOW + 300 * DAY);
    party expired = leaf("bob@example.com", "rsa", NULL, NOW - 5 * DAY, NOW - DAY);
    const party *all[] = {&older, &newest, &middle, &future, &expired};
    for (size_t i = 0; i < 5; i++) {
        put(&f, all[i]->cert, CACHET_DB_IMPORTED);
    }
    cachet_cert *got = NULL;
    cachet_error e;
    char warning[200] = "x";
    CHECK_EQ_INT(select_for(&f, "bob@example.com", CACHET_REVOCATION_NONE, &got, &e, warning,
                            sizeof(warning)),
                 CACHET_OK);
    CHECK(got != NULL && same(got, newest.cert));
    CHECK_STR(warning, "");
    cachet_cert_free(got);
    /* the domain compares case-insensitively (RFC 8550 §3) */
    CHECK_EQ_INT(select_for(&f, "bob@EXAMPLE.com", CACHET_REVOCATION_NONE, &got, &e, NULL, 0),
                 CACHET_OK);
    CHECK(got != NULL && same(got, newest.cert));
    cachet_cert_free(got);
    for (size_t i = 0; i < 5; i++) {
        party_free((party *)all[i]);
    }
    fx_close(&f);
}

static void expired_only_says_how_many_and_when(void) {
    fixture f;
    if (!fx_open(&f, true)) {
        return;
    }
    int64_t last = NOW - 92 * DAY;
    party a = leaf("bob@example.com", "rsa", NULL, NOW - 400 * DAY, NOW - 200 * DAY);
    party b = leaf("bob@example.com", "rsa", NULL, NOW - 300 * DAY, last);
    put(&f, a.cert, CACHET_DB_IMPORTED);
    put(&f, b.cert, CACHET_DB_IMPORTED);
    cachet_cert *got = NULL;
    cachet_error e;
    CHECK_EQ_INT(select_for(&f, "bob@example.com", CACHET_REVOCATION_NONE, &got, &e, NULL, 0),
                 CACHET_ERR_UNTRUSTED);
    CHECK(got == NULL);
    char date[16], want[160];
    ymd(last, date, sizeof(date));
    snprintf(want, sizeof(want),
             "no certificate for bob@example.com (2 expired, newest expired %s)", date);
    CHECK_STR(e.message, want);
    CHECK_STR(date, "2026-03-01");
    party_free(&a);
    party_free(&b);
    fx_close(&f);
}

static void nothing_stored_is_a_key_error(void) {
    fixture f;
    if (!fx_open(&f, true)) {
        return;
    }
    cachet_cert *got = NULL;
    cachet_error e;
    CHECK_EQ_INT(select_for(&f, "nobody@example.com", CACHET_REVOCATION_NONE, &got, &e, NULL, 0),
                 CACHET_ERR_KEY);
    CHECK_STR(e.message, "no certificate for nobody@example.com in the store");
    CHECK_EQ_INT(select_for(&f, "not an address", CACHET_REVOCATION_NONE, &got, &e, NULL, 0),
                 CACHET_ERR_USAGE);
    fx_close(&f);
}

static void each_reason_is_counted(void) {
    fixture f;
    if (!fx_open(&f, true)) {
        return;
    }
    /* RSA without keyEncipherment, EC without keyAgreement */
    party sig_rsa =
        leaf("dave@example.com", "rsa", "critical,digitalSignature", NOW - DAY, NOW + 100 * DAY);
    party sig_ec = leaf("dave@example.com", "ec", "critical,digitalSignature,keyEncipherment",
                        NOW - DAY, NOW + 100 * DAY);
    party later = leaf("dave@example.com", "rsa", NULL, NOW + DAY, NOW + 100 * DAY);
    spec s = {"dave@example.com", "rsa", NULL, NOW - DAY, NOW + 100 * DAY, &other_ca, NULL};
    party foreign = make(&s);
    const party *all[] = {&sig_rsa, &sig_ec, &later, &foreign};
    for (size_t i = 0; i < 4; i++) {
        put(&f, all[i]->cert, CACHET_DB_IMPORTED);
    }
    cachet_cert *got = NULL;
    cachet_error e;
    CHECK_EQ_INT(select_for(&f, "dave@example.com", CACHET_REVOCATION_NONE, &got, &e, NULL, 0),
                 CACHET_ERR_UNTRUSTED);
    const char *want = "no certificate for dave@example.com (1 not yet valid, 2 not for "
                       "encryption (key usage), 1 untrusted (";
    CHECK(strncmp(e.message, want, strlen(want)) == 0);
    CHECK(strstr(e.message, "unable to get local issuer certificate") != NULL);
    if (strncmp(e.message, want, strlen(want)) != 0) {
        fprintf(stderr, "got: %s\n", e.message);
    }
    for (size_t i = 0; i < 4; i++) {
        party_free((party *)all[i]);
    }
    fx_close(&f);
}

/* Encryption-only certificates (keyEncipherment alone for RSA, keyAgreement
 * alone for EC), as CAs issue beside a signing certificate, are valid
 * recipients: their path is validated without the signing purpose. */
static void encryption_only_certificates_qualify(void) {
    fixture f;
    if (!fx_open(&f, true)) {
        return;
    }
    party rsa =
        leaf("erin@example.com", "rsa", "critical,keyEncipherment", NOW - DAY, NOW + 100 * DAY);
    party ec = leaf("ivan@example.com", "ec", "critical,keyAgreement", NOW - DAY, NOW + 100 * DAY);
    put(&f, rsa.cert, CACHET_DB_IMPORTED);
    put(&f, ec.cert, CACHET_DB_IMPORTED);
    cachet_cert *got = NULL;
    cachet_error e;
    CHECK_EQ_INT(select_for(&f, "erin@example.com", CACHET_REVOCATION_NONE, &got, &e, NULL, 0),
                 CACHET_OK);
    CHECK(got != NULL && same(got, rsa.cert));
    cachet_cert_free(got);
    got = NULL;
    CHECK_EQ_INT(select_for(&f, "ivan@example.com", CACHET_REVOCATION_NONE, &got, &e, NULL, 0),
                 CACHET_OK);
    CHECK(got != NULL && same(got, ec.cert));
    cachet_cert_free(got);
    party_free(&rsa);
    party_free(&ec);
    fx_close(&f);
}

static void untrusted_without_anchor(void) {
    fixture f;
    if (!fx_open(&f, false)) {
        return;
    }
    party bob = valid_leaf("bob@example.com", "rsa");
    put(&f, bob.cert, CACHET_DB_IMPORTED);
    cachet_cert *got = NULL;
    cachet_error e;
    CHECK_EQ_INT(select_for(&f, "bob@example.com", CACHET_REVOCATION_NONE, &got, &e, NULL, 0),
                 CACHET_ERR_UNTRUSTED);
    CHECK_STR(e.message, "no certificate for bob@example.com (1 untrusted (no trust anchors))");
    party_free(&bob);
    fx_close(&f);
}

/* The CA comes from a trust file, not the store: the issuer needed for a
 * revocation check is missing, so the status is unknown without any network. */
static void unknown_revocation_soft_warns_hard_refuses(void) {
    fixture f;
    if (!fx_open(&f, false)) {
        return;
    }
    fx_trust_ca_file(&f);
    party bob = valid_leaf("bob@example.com", "rsa");
    put(&f, bob.cert, CACHET_DB_IMPORTED);
    cachet_cert *got = NULL;
    cachet_error e;
    char warning[320];
    CHECK_EQ_INT(select_for(&f, "bob@example.com", CACHET_REVOCATION_SOFT, &got, &e, warning,
                            sizeof(warning)),
                 CACHET_OK);
    CHECK(got != NULL && same(got, bob.cert));
    cachet_cert_free(got);
    CHECK_STR(warning, "revocation status of the certificate for bob@example.com is unknown (the "
                       "issuer certificate is not in the store)");
    CHECK_EQ_INT(select_for(&f, "bob@example.com", CACHET_REVOCATION_HARD, &got, &e, warning,
                            sizeof(warning)),
                 CACHET_ERR_UNTRUSTED);
    CHECK_STR(e.message, "no certificate for bob@example.com (1 with unknown revocation status "
                         "(the issuer certificate is not in the store))");
    CHECK_STR(warning, "");
    /* encrypt passes the soft warning on with a successful status */
    cachet_ctx_set_revocation(f.ctx, CACHET_REVOCATION_SOFT);
    const char *to[] = {"bob@example.com"};
    cachet_membuf out;
    CHECK_EQ_INT(encrypt_to(&f, to, 1, NULL, 0, false, &out, &e), CACHET_OK);
    CHECK_EQ_INT(e.status, CACHET_OK);
    CHECK(strstr(e.message, "revocation status of the certificate for bob@example.com is "
                            "unknown") != NULL);
    cachet_membuf_free(&out);
    cachet_ctx_set_revocation(f.ctx, CACHET_REVOCATION_HARD);
    CHECK_EQ_INT(encrypt_to(&f, to, 1, NULL, 0, false, &out, &e), CACHET_ERR_UNTRUSTED);
    CHECK_EQ_INT(out.len, 0);
    cachet_membuf_free(&out);
    party_free(&bob);
    fx_close(&f);
}

/* ---- Encrypting to an address ---- */

static void encrypt_to_address_opens_with_the_chosen_key_only(void) {
    fixture f;
    if (!fx_open(&f, true)) {
        return;
    }
    party old = leaf("bob@example.com", "rsa", NULL, NOW - 300 * DAY, NOW + 300 * DAY);
    party cur = leaf("bob@example.com", "rsa", NULL, NOW - 3 * DAY, NOW + 300 * DAY);
    party carol = valid_leaf("carol@example.com", "ec");
    put(&f, old.cert, CACHET_DB_IMPORTED);
    put(&f, cur.cert, CACHET_DB_IMPORTED);
    const char *to[] = {"bob@example.com"};
    cachet_membuf out;
    cachet_error e;
    CHECK_EQ_INT(encrypt_to(&f, to, 1, NULL, 0, false, &out, &e), CACHET_OK);
    CHECK_EQ_INT(decrypt_with(&f, &cur, &out), CACHET_OK);
    CHECK_EQ_INT(decrypt_with(&f, &old, &out), CACHET_ERR_NO_RECIPIENT);
    cachet_membuf_free(&out);
    /* a certificate given directly and an address, together */
    cachet_cert *direct[] = {carol.cert};
    CHECK_EQ_INT(encrypt_to(&f, to, 1, direct, 1, false, &out, &e), CACHET_OK);
    CHECK_EQ_INT(decrypt_with(&f, &cur, &out), CACHET_OK);
    CHECK_EQ_INT(decrypt_with(&f, &carol, &out), CACHET_OK);
    cachet_membuf_free(&out);
    /* one address that cannot be served fails the whole operation */
    const char *two[] = {"bob@example.com", "nobody@example.com"};
    CHECK_EQ_INT(encrypt_to(&f, two, 2, NULL, 0, false, &out, &e), CACHET_ERR_KEY);
    CHECK_STR(e.message, "no certificate for nobody@example.com in the store");
    CHECK_EQ_INT(out.len, 0);
    cachet_membuf_free(&out);
    party_free(&old);
    party_free(&cur);
    party_free(&carol);
    fx_close(&f);
}

static void address_without_store_is_a_usage_error(void) {
    setup_cas();
    cachet_ctx *ctx = cachet_ctx_new();
    const char *to[] = {"bob@example.com"};
    cachet_encrypt_opts o = {.to_addresses = to, .num_to_addresses = 1};
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_error e;
    CHECK(cachet_encrypt_new(ctx, &o, &sink, &e) == NULL);
    CHECK_EQ_INT(e.status, CACHET_ERR_USAGE);
    CHECK_STR(e.message, "encrypting to an address needs a certificate store");
    cachet_verify_opts vo = {.harvest = true};
    CHECK(cachet_verify_new(ctx, &vo, &sink, &e) == NULL);
    CHECK_EQ_INT(e.status, CACHET_ERR_USAGE);
    cachet_ctx_free(ctx);
}

/* ---- Capabilities and harvest ---- */

static void harvested_gcm_sender_gets_auth_enveloped(void) {
    fixture f;
    if (!fx_open(&f, true)) {
        return;
    }
    party alice = valid_leaf("alice@example.com", "rsa");
    cachet_membuf signed_msg;
    CHECK_EQ_INT(sign_as(&f, &alice, message, &signed_msg), CACHET_OK);
    bool caps = true;
    CHECK_EQ_INT(stored_for(&f, "alice@example.com", &caps), 0);
    CHECK(!caps);
    cachet_error e;
    CHECK_EQ_INT(verify_harvest(&f, &signed_msg, &e), CACHET_OK);
    CHECK_EQ_INT(stored_for(&f, "alice@example.com", &caps), 1);
    CHECK(caps);
    char fp[65];
    fingerprint(alice.cert, fp);
    cachet_db_cert rec;
    memset(&rec, 0, sizeof(rec));
    CHECK_EQ_INT(cachet_db_get_cert(f.st->db, fp, &rec, &e), CACHET_OK);
    CHECK_EQ_INT(rec.origin, CACHET_DB_HARVESTED);
    cachet_db_cert_clear(&rec);
    const char *to[] = {"alice@example.com"};
    cachet_membuf out;
    char cipher[32] = "";
    CHECK_EQ_INT(encrypt_to(&f, to, 1, NULL, 0, true, &out, &e), CACHET_OK);
    CHECK_EQ_INT(layer_of(&f, &out, cipher, sizeof(cipher)), CACHET_LAYER_AUTH_ENVELOPED);
    CHECK_STR(cipher, "aes-256-gcm");
    CHECK_EQ_INT(decrypt_with(&f, &alice, &out), CACHET_OK);
    cachet_membuf_free(&out);
    /* without cipher_auto the caller's cipher stands */
    CHECK_EQ_INT(encrypt_to(&f, to, 1, NULL, 0, false, &out, &e), CACHET_OK);
    CHECK_EQ_INT(layer_of(&f, &out, cipher, sizeof(cipher)), CACHET_LAYER_ENVELOPED);
    CHECK_STR(cipher, "aes-128-cbc");
    cachet_membuf_free(&out);
    cachet_membuf_free(&signed_msg);
    party_free(&alice);
    fx_close(&f);
}

static void sender_without_gcm_and_unknown_sender_get_cbc(void) {
    fixture f;
    if (!fx_open(&f, true)) {
        return;
    }
    party carol = valid_leaf("carol@example.com", "rsa");
    party dave = valid_leaf("dave@example.com", "rsa");
    party alice = valid_leaf("alice@example.com", "rsa");
    cachet_membuf msg;
    ossl_sign(&carol, "carol@example.com", &msg);
    cachet_error e;
    CHECK_EQ_INT(verify_harvest(&f, &msg, &e), CACHET_OK);
    if (e.status != CACHET_OK) {
        fprintf(stderr, "verify: %s: %s\n", e.where, e.message);
    }
    bool caps = false;
    CHECK_EQ_INT(stored_for(&f, "carol@example.com", &caps), 1);
    CHECK(caps);
    put(&f, dave.cert, CACHET_DB_IMPORTED);
    cachet_membuf signed_msg;
    CHECK_EQ_INT(sign_as(&f, &alice, message, &signed_msg), CACHET_OK);
    CHECK_EQ_INT(verify_harvest(&f, &signed_msg, &e), CACHET_OK);
    static const struct {
        const char *to[2];
        size_t n;
    } cases[] = {
        {{"carol@example.com"}, 1},                     /* advertised CBC only */
        {{"dave@example.com"}, 1},                      /* advertised nothing */
        {{"alice@example.com", "dave@example.com"}, 2}, /* GCM must suit every recipient */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_membuf out;
        char cipher[32] = "";
        CHECK_EQ_INT(encrypt_to(&f, cases[i].to, cases[i].n, NULL, 0, true, &out, &e), CACHET_OK);
        CHECK_EQ_INT(layer_of(&f, &out, cipher, sizeof(cipher)), CACHET_LAYER_ENVELOPED);
        CHECK_STR(cipher, "aes-256-cbc");
        cachet_membuf_free(&out);
    }
    cachet_membuf_free(&msg);
    cachet_membuf_free(&signed_msg);
    party_free(&carol);
    party_free(&dave);
    party_free(&alice);
    fx_close(&f);
}

static void harvest_never_learns_from_a_bad_or_untrusted_signature(void) {
    fixture f;
    if (!fx_open(&f, true)) {
        return;
    }
    party alice = valid_leaf("alice@example.com", "rsa");
    cachet_membuf signed_msg;
    CHECK_EQ_INT(sign_as(&f, &alice, message, &signed_msg), CACHET_OK);
    /* tampered body */
    uint8_t *p = find(signed_msg.data, signed_msg.len, "hello from");
    CHECK(p != NULL);
    if (p != NULL) {
        *p = 'j';
    }
    cachet_error e;
    CHECK_EQ_INT(verify_harvest(&f, &signed_msg, &e), CACHET_ERR_BAD_SIGNATURE);
    bool caps = true;
    CHECK_EQ_INT(stored_for(&f, "alice@example.com", &caps), 0);
    CHECK(!caps);
    if (p != NULL) {
        *p = 'h';
    }
    /* untrusted: a store without the CA as anchor */
    fixture g;
    if (fx_open(&g, false)) {
        CHECK_EQ_INT(verify_harvest(&g, &signed_msg, &e), CACHET_ERR_UNTRUSTED);
        CHECK_EQ_INT(stored_for(&g, "alice@example.com", &caps), 0);
        CHECK(!caps);
        fx_close(&g);
    }
    /* signer from another CA, valid signature, not trusted here */
    spec s = {"alice@example.com", "rsa", NULL, NOW - DAY, NOW + 100 * DAY, &other_ca, NULL};
    party stranger = make(&s);
    cachet_membuf msg2;
    CHECK_EQ_INT(sign_as(&f, &stranger, message, &msg2), CACHET_OK);
    CHECK_EQ_INT(verify_harvest(&f, &msg2, &e), CACHET_ERR_UNTRUSTED);
    CHECK_EQ_INT(stored_for(&f, "alice@example.com", &caps), 0);
    /* the intact message is learnt */
    CHECK_EQ_INT(verify_harvest(&f, &signed_msg, &e), CACHET_OK);
    CHECK_EQ_INT(stored_for(&f, "alice@example.com", &caps), 1);
    CHECK(caps);
    cachet_membuf_free(&msg2);
    cachet_membuf_free(&signed_msg);
    party_free(&stranger);
    party_free(&alice);
    fx_close(&f);
}

/* The CA is trusted through a file here, so the store learns it from the
 * message; a certificate off the signer's path is not learnt. */
static void harvest_stores_the_signer_path_only(void) {
    fixture f;
    if (!fx_open(&f, false)) {
        return;
    }
    fx_trust_ca_file(&f);
    party alice = valid_leaf("alice@example.com", "rsa");
    cachet_credential *cred = credential(&alice);
    CHECK(cachet_cert_list_push(&cred->chain, ca.cert));
    CHECK(cachet_cert_list_push(&cred->chain, other_ca.cert));
    /* a certificate for another address riding along (ATTACKS OR-08 a) */
    party planted = valid_leaf("bob@example.com", "rsa");
    CHECK(cachet_cert_list_push(&cred->chain, planted.cert));
    cachet_sign_opts o = {.signer = cred};
    cachet_membuf msg = {0}, in;
    cachet_sink sink = cachet_sink_membuf(&msg);
    cachet_op *op = cachet_sign_new(f.ctx, &o, &sink, NULL);
    text(&in, message);
    CHECK_EQ_INT(run(op, &in, NULL), CACHET_OK);
    cachet_op_free(op);
    cachet_error e;
    CHECK_EQ_INT(verify_harvest(&f, &msg, &e), CACHET_OK);
    const struct {
        const party *who;
        cachet_status st;
    } want[] = {{&alice, CACHET_OK},
                {&ca, CACHET_OK},
                {&other_ca, CACHET_ERR_KEY},
                {&planted, CACHET_ERR_KEY}};
    for (size_t i = 0; i < 4; i++) {
        char fpr[65];
        fingerprint(want[i].who->cert, fpr);
        cachet_db_cert rec;
        memset(&rec, 0, sizeof(rec));
        CHECK_EQ_INT(cachet_db_get_cert(f.st->db, fpr, &rec, &e), want[i].st);
        if (want[i].st == CACHET_OK) {
            CHECK_EQ_INT(rec.origin, CACHET_DB_HARVESTED);
        }
        cachet_db_cert_clear(&rec);
    }
    cachet_membuf_free(&in);
    cachet_membuf_free(&msg);
    bool caps = true;
    CHECK_EQ_INT(stored_for(&f, "bob@example.com", &caps), 0);
    CHECK(!caps);
    cachet_credential_free(cred);
    party_free(&planted);
    party_free(&alice);
    fx_close(&f);
}

/* Verify with a revocation policy, the issuer nowhere to be found (trusted
 * through a file, not carried, not stored): unknown, without any network. */
static void verify_revocation_unknown_soft_notes_hard_fails(void) {
    fixture f;
    if (!fx_open(&f, false)) {
        return;
    }
    fx_trust_ca_file(&f);
    party alice = valid_leaf("alice@example.com", "rsa");
    cachet_membuf msg;
    CHECK_EQ_INT(sign_as(&f, &alice, message, &msg), CACHET_OK);
    const cachet_revocation_policy pols[] = {CACHET_REVOCATION_SOFT, CACHET_REVOCATION_HARD};
    for (size_t i = 0; i < 2; i++) {
        cachet_ctx_set_revocation(f.ctx, pols[i]);
        cachet_verify_opts o = {0};
        cachet_membuf out = {0};
        cachet_sink sink = cachet_sink_membuf(&out);
        cachet_op *op = cachet_verify_new(f.ctx, &o, &sink, NULL);
        cachet_report *rep = NULL;
        cachet_status st = run(op, &msg, &rep);
        CHECK_EQ_INT(st, i == 0 ? CACHET_OK : CACHET_ERR_UNTRUSTED);
        CHECK(rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1);
        if (rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1) {
            const cachet_signer_report *sr = &rep->layers[0].signers[0];
            CHECK_EQ_INT(sr->chain, i == 0 ? CACHET_CHAIN_TRUSTED : CACHET_CHAIN_INVALID);
            CHECK_STR(sr->chain_detail,
                      "revocation status unknown: the issuer certificate is not available");
        }
        if (i == 1) {
            CHECK_STR(cachet_op_error(op)->message, "signer certificate: revocation status "
                                                    "unknown: the issuer certificate is not "
                                                    "available");
            CHECK_EQ_INT(out.len, 0);
        }
        cachet_report_free(rep);
        cachet_op_free(op);
        cachet_membuf_free(&out);
    }
    cachet_membuf_free(&msg);
    party_free(&alice);
    fx_close(&f);
}

/* A CRL in the store (no network): the revoked certificate is refused for
 * encryption, and its signatures fail verification. */
static void stored_crl_revokes_for_encrypt_and_verify(void) {
    fixture f;
    if (!fx_open(&f, true)) {
        return;
    }
    party bob = valid_leaf("bob@example.com", "rsa");
    party carol = valid_leaf("carol@example.com", "rsa");
    put(&f, bob.cert, CACHET_DB_IMPORTED);
    put(&f, carol.cert, CACHET_DB_IMPORTED);
    int64_t when = NOW - 10 * DAY;
    cachet_membuf crl;
    make_crl(&bob, when, &crl);
    cachet_error e;
    cachet_err_clear(&e);
    CHECK_EQ_INT(cachet_pki_import_crl(f.st->db, crl.data, crl.len, "file:ca.crl", &e), CACHET_OK);
    char date[16], want[200];
    ymd(when, date, sizeof(date));
    cachet_cert *got = NULL;
    CHECK_EQ_INT(select_for(&f, "bob@example.com", CACHET_REVOCATION_SOFT, &got, &e, NULL, 0),
                 CACHET_ERR_UNTRUSTED);
    snprintf(want, sizeof(want),
             "certificate for bob@example.com is revoked (CRL from the store, %s)", date);
    CHECK_STR(e.message, want);
    /* not listed: good */
    CHECK_EQ_INT(select_for(&f, "carol@example.com", CACHET_REVOCATION_HARD, &got, &e, NULL, 0),
                 CACHET_OK);
    cachet_cert_free(got);
    /* without a policy nothing is checked */
    CHECK_EQ_INT(select_for(&f, "bob@example.com", CACHET_REVOCATION_NONE, &got, &e, NULL, 0),
                 CACHET_OK);
    cachet_cert_free(got);

    cachet_membuf msg;
    CHECK_EQ_INT(
        sign_as(&f, &bob, "From: bob@example.com\r\nContent-Type: text/plain\r\n\r\nhi\r\n", &msg),
        CACHET_OK);
    cachet_ctx_set_revocation(f.ctx, CACHET_REVOCATION_SOFT);
    cachet_verify_opts o = {0};
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_op *op = cachet_verify_new(f.ctx, &o, &sink, NULL);
    cachet_report *rep = NULL;
    CHECK_EQ_INT(run(op, &msg, &rep), CACHET_ERR_UNTRUSTED);
    snprintf(want, sizeof(want), "certificate revoked (crl from the store, %s)", date);
    if (rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1) {
        CHECK_EQ_INT(rep->layers[0].signers[0].chain, CACHET_CHAIN_INVALID);
        CHECK_STR(rep->layers[0].signers[0].chain_detail, want);
    } else {
        CHECK(false);
    }
    CHECK_EQ_INT(out.len, 0);
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_membuf_free(&out);
    cachet_membuf_free(&msg);
    cachet_membuf_free(&crl);
    party_free(&bob);
    party_free(&carol);
    fx_close(&f);
}

static void teardown_last(void) {
    party_free(&ca);
    party_free(&other_ca);
    cas_ready = false;
}

static const cachet_test_case tests[] = {
    TEST_CASE(newest_valid_certificate_is_chosen),
    TEST_CASE(expired_only_says_how_many_and_when),
    TEST_CASE(nothing_stored_is_a_key_error),
    TEST_CASE(each_reason_is_counted),
    TEST_CASE(untrusted_without_anchor),
    TEST_CASE(encryption_only_certificates_qualify),
    TEST_CASE(unknown_revocation_soft_warns_hard_refuses),
    TEST_CASE(encrypt_to_address_opens_with_the_chosen_key_only),
    TEST_CASE(address_without_store_is_a_usage_error),
    TEST_CASE(harvested_gcm_sender_gets_auth_enveloped),
    TEST_CASE(sender_without_gcm_and_unknown_sender_get_cbc),
    TEST_CASE(harvest_never_learns_from_a_bad_or_untrusted_signature),
    TEST_CASE(harvest_stores_the_signer_path_only),
    TEST_CASE(verify_revocation_unknown_soft_notes_hard_fails),
    TEST_CASE(stored_crl_revokes_for_encrypt_and_verify),
    TEST_CASE(teardown_last),
};

TEST_MAIN(tests)
