/* cachetd_process outbound (RFC 3183 §3-§5) and cachetd_keys_load: every case
 * re-reads what the gateway wrote with libcachet (decrypt, verify, their reports). */
#include "test_gateway_process_util.h"

static const char *const A_KEYS[] = {"dsa-a", "dca-a", NULL};
#define ALICE "alice@a.example"
#define BOB "bob@b.example"
#define DSA_A "domain-signing-authority@a.example"

/* outbound_a makes a store of a.example's gateway with |certs| and processes
 * PLAIN (or |msg|) from alice to |rcpt|. */
static bool outbound_a(const char *const *keys, const char *const *certs, const char *conf,
                       const char *rcpt, const char *client, const char *auth, const char *msg,
                       size_t msg_len, cachetd_result *out) {
    char url[512];
    if (!make_store(keys != NULL ? keys : A_KEYS, certs, url, sizeof(url))) {
        return false;
    }
    cachetd_config *cfg = make_config(url, "mx.a.example", conf);
    if (cfg == NULL) {
        return false;
    }
    if (msg == NULL) {
        msg = PLAIN_MSG;
        msg_len = strlen(PLAIN_MSG);
    }
    bool ok = process(cfg, ALICE, rcpt, client, auth, (const uint8_t *)msg, msg_len, out);
    cachetd_config_free(cfg);
    return ok;
}

static bool starts_with(const char *s, const char *prefix) {
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* check_signer: layer |l| is signed by |addr| with SignatureType bits |types|. */
static void check_signer(const cachet_report *rep, size_t l, const char *addr, unsigned types) {
    CHECK(rep != NULL && l < rep->num_layers);
    if (rep == NULL || l >= rep->num_layers) {
        return;
    }
    const cachet_layer_report *layer = &rep->layers[l];
    CHECK_EQ_INT(layer->type, CACHET_LAYER_SIGNED);
    CHECK_EQ_INT(layer->num_signers, 1);
    if (layer->num_signers != 1) {
        return;
    }
    const cachet_signer_report *s = &layer->signers[0];
    CHECK_EQ_INT(s->num_emails, 1);
    CHECK_STR(s->num_emails > 0 ? s->emails[0] : "", addr);
    CHECK(s->signature_valid);
    CHECK_EQ_INT(s->chain, CACHET_CHAIN_TRUSTED);
    CHECK_EQ_INT(s->has_signature_type, types != 0);
    CHECK_EQ_INT(s->signature_types, types);
}

static void domain_signs_and_encrypts_to_the_recipient_certificate(void) {
    REQUIRE_PKI();
    const char *certs[] = {"bob", "dca-b", NULL};
    cachetd_result r;
    CHECK(outbound_a(NULL, certs, "[domain a.example]\n", BOB, "127.0.0.1", NULL, NULL, 0, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(r.replaced);
    CHECK_STR(r.summary, "action=sign,encrypt result=ok signer=" DSA_A " recipients=" BOB
                         " encrypted_to=" BOB " cipher=aes-256-cbc");
    cachet_membuf plain;
    CHECK_EQ_INT(decrypt_with("bob", r.new_message.data, r.new_message.len, &plain), CACHET_OK);
    cachet_membuf_free(&plain);
    CHECK_EQ_INT(decrypt_with("dca-b", r.new_message.data, r.new_message.len, &plain),
                 CACHET_ERR_NO_RECIPIENT);
    cachet_membuf_free(&plain);
    cachet_status st;
    cachet_membuf content = {0};
    cachet_report *rep = verify_msg("bob", r.new_message.data, r.new_message.len, &st, &content);
    CHECK_EQ_INT(st, CACHET_OK);
    CHECK(rep != NULL && rep->num_layers == 2);
    if (rep != NULL && rep->num_layers == 2) {
        CHECK_EQ_INT(rep->layers[0].type, CACHET_LAYER_ENVELOPED);
        CHECK(rep->layers[1].detached);
        check_signer(rep, 1, DSA_A, CACHET_SIGTYPE_DOMAIN);
    }
    CHECK(content.len >= strlen(PLAIN_BODY) &&
          memcmp(content.data + content.len - strlen(PLAIN_BODY), PLAIN_BODY, strlen(PLAIN_BODY)) ==
              0);
    cachet_report_free(rep);
    cachet_membuf_free(&content);
    cachetd_result_clear(&r);
}

static void content_fields_and_body_describe_the_new_message(void) {
    REQUIRE_PKI();
    const char *certs[] = {"bob", NULL};
    cachetd_result r;
    CHECK(outbound_a(NULL, certs, "[domain a.example]\n", BOB, "127.0.0.1", NULL, NULL, 0, &r));
    CHECK(r.replaced);
    bool mime_version = false, ctype = false;
    for (size_t i = 0; i < r.num_content_fields; i++) {
        const cachetd_field *f = &r.content_fields[i];
        CHECK(starts_with(f->name, "Content-") || strcmp(f->name, "MIME-Version") == 0);
        CHECK(strchr(f->value, '\n') == NULL || strstr(f->value, "\r\n ") != NULL ||
              strstr(f->value, "\r\n\t") != NULL);
        if (strcmp(f->name, "MIME-Version") == 0) {
            mime_version = true;
            CHECK_STR(f->value, "1.0");
        }
        if (strcmp(f->name, "Content-Type") == 0) {
            ctype = true;
            CHECK(starts_with(f->value, "application/pkcs7-mime"));
            CHECK(contains(f->value, "enveloped-data"));
        }
    }
    CHECK(mime_version && ctype);
    /* The body starts right after the blank line and runs to the end. */
    const uint8_t *m = r.new_message.data;
    CHECK(r.body > m + 4 && r.body <= m + r.new_message.len);
    CHECK(r.body != NULL && memcmp(r.body - 4, "\r\n\r\n", 4) == 0);
    CHECK_EQ_INT((size_t)(r.body - m) + r.body_len, r.new_message.len);
    /* The other fields of the original stay in the new message's header. */
    CHECK(mem_contains(m, (size_t)(r.body - m), "Subject: quarterly numbers\r\n"));
    cachetd_result_clear(&r);
}

static void without_recipient_certificate_encrypts_to_the_domain_dca(void) {
    REQUIRE_PKI();
    const char *certs[] = {"dca-b", NULL};
    /* bob@b.example and a subdomain's user: both reach dca-b (ascendant rule). */
    const char *rcpts[] = {BOB, "dave@mail.b.example"};
    for (size_t i = 0; i < 2; i++) {
        cachetd_result r;
        CHECK(outbound_a(NULL, certs, "[domain a.example]\n", rcpts[i], "127.0.0.1", NULL, NULL, 0,
                         &r));
        CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
        CHECK(contains(r.summary, " encrypted_to=domain-confidentiality-authority@b.example"));
        CHECK(starts_with(r.summary, "action=sign,encrypt result=ok"));
        cachet_membuf plain;
        CHECK_EQ_INT(decrypt_with("dca-b", r.new_message.data, r.new_message.len, &plain),
                     CACHET_OK);
        cachet_membuf_free(&plain);
        CHECK_EQ_INT(decrypt_with("bob", r.new_message.data, r.new_message.len, &plain),
                     CACHET_ERR_NO_RECIPIENT);
        cachet_membuf_free(&plain);
        cachetd_result_clear(&r);
    }
}

/* A cipher agreed with the partner ([partner] cipher =) is used for its
 * domain; without one the DCA, which advertised nothing, gets AES-256-CBC. */
static void partner_cipher_overrides_the_advertised_capabilities(void) {
    REQUIRE_PKI();
    const char *certs[] = {"dca-b", NULL};
    static const struct {
        const char *conf;
        cachet_layer_type type;
        const char *cipher;
    } cases[] = {
        {"[domain a.example]\n", CACHET_LAYER_ENVELOPED, "aes-256-cbc"},
        {"[domain a.example]\n[partner b.example]\ncipher = aes-256-gcm\n",
         CACHET_LAYER_AUTH_ENVELOPED, "aes-256-gcm"},
        {"[domain a.example]\n[partner b.example]\ncipher = aes-128-cbc\n", CACHET_LAYER_ENVELOPED,
         "aes-128-cbc"},
        {"[domain a.example]\n[partner example]\ncipher = aes-128-gcm\n", /* an ascendant */
         CACHET_LAYER_AUTH_ENVELOPED, "aes-128-gcm"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachetd_result r;
        CHECK(outbound_a(NULL, certs, cases[i].conf, BOB, "127.0.0.1", NULL, NULL, 0, &r));
        CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
        cachet_status st;
        cachet_report *rep = verify_msg("dca-b", r.new_message.data, r.new_message.len, &st, NULL);
        CHECK_EQ_INT(st, CACHET_OK);
        CHECK(rep != NULL && rep->num_layers == 2);
        if (rep != NULL && rep->num_layers == 2) {
            CHECK_EQ_INT(rep->layers[0].type, cases[i].type);
            CHECK_STR(rep->layers[0].cipher, cases[i].cipher);
        }
        cachet_report_free(rep);
        cachetd_result_clear(&r);
    }
}

static void required_encryption_without_certificate_is_refused(void) {
    REQUIRE_PKI();
    static const struct {
        const char *conf;
        cachetd_verdict verdict;
        const char *rcode;
        const char *xclass;
    } cases[] = {
        {"[domain a.example]\n[partner b.example]\nencryption = required\n", CACHETD_TEMPFAIL,
         "451", "4."},
        {"[domain a.example]\n[partner b.example]\nencryption = required\n"
         "missing_certificate = reject\n",
         CACHETD_REJECT, "550", "5.7."},
        {"[domain a.example]\nencryption = required\n", CACHETD_TEMPFAIL, "451", "4."},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachetd_result r;
        CHECK(outbound_a(NULL, NULL, cases[i].conf, BOB, "127.0.0.1", NULL, NULL, 0, &r));
        CHECK_EQ_INT(r.verdict, cases[i].verdict);
        CHECK_STR(r.smtp_rcode, cases[i].rcode);
        CHECK(starts_with(r.smtp_xcode, cases[i].xclass));
        CHECK(r.smtp_text[0] != '\0' && strpbrk(r.smtp_text, "\r\n") == NULL);
        CHECK(!r.replaced && r.new_message.data == NULL && r.body == NULL);
        CHECK(starts_with(r.summary, "action=none result="));
        cachetd_result_clear(&r);
    }
    /* Opportunistic: signed, sent without encryption, and the log says so. */
    cachetd_result r;
    CHECK(outbound_a(NULL, NULL, "[domain a.example]\n", BOB, "127.0.0.1", NULL, NULL, 0, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(starts_with(r.summary, "action=sign result=ok signer=" DSA_A " recipients=" BOB));
    CHECK(!contains(r.summary, "encrypted_to="));
    cachet_status st;
    cachet_report *rep = verify_msg(NULL, r.new_message.data, r.new_message.len, &st, NULL);
    CHECK_EQ_INT(st, CACHET_OK);
    CHECK(rep != NULL && rep->num_layers == 1);
    check_signer(rep, 0, DSA_A, CACHET_SIGTYPE_DOMAIN);
    cachet_report_free(rep);
    cachetd_result_clear(&r);
}

/* fuzz_gateway_milter found a multipart without a boundary signed and encrypted,
 * which the recipient's gateway could not open. Such mail is the sender's to
 * mend: 554 5.6.0 with the reason, never 451 (a retry cannot help). */
static void malformed_mime_is_rejected_not_protected(void) {
    REQUIRE_PKI();
    static const char no_boundary[] = "From: alice@a.example\r\nTo: bob@b.example\r\n"
                                      "Content-Type: multipart/mixed\r\n\r\n"
                                      "--b1\r\n\r\nx\r\n--b1--\r\n";
    static const char twice[] = "From: alice@a.example\r\nTo: bob@b.example\r\n"
                                "Content-Type: multipart/mixed; boundary=b1; boundary=b2\r\n\r\n"
                                "--b1\r\n\r\nx\r\n--b1--\r\n";
    static const char *const bob_cert[] = {"bob", NULL};
    static const struct {
        const char *conf;
        const char *const *certs;
        const char *msg;
        const char *text;
    } cases[] = {
        {"[domain a.example]\n", NULL, no_boundary,
         "the message cannot be protected (the domain signature): multipart without boundary: "
         "a reader would refuse the message (cachet verify does); correct its MIME structure "
         "(at input)"},
        /* not signed, only encrypted to bob's certificate */
        {"[domain a.example]\nsigning = none\n", bob_cert, twice,
         "the message cannot be protected (encryption): ambiguous boundary "
         "(duplicated or RFC 2231 form): a reader would refuse the message (cachet verify "
         "does); correct its MIME structure (at input)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachetd_result r;
        CHECK(outbound_a(NULL, cases[i].certs, cases[i].conf, BOB, "127.0.0.1", NULL, cases[i].msg,
                         strlen(cases[i].msg), &r));
        CHECK_EQ_INT(r.verdict, CACHETD_REJECT);
        CHECK_STR(r.smtp_rcode, "554");
        CHECK_STR(r.smtp_xcode, "5.6.0");
        CHECK_STR(r.smtp_text, cases[i].text);
        CHECK(!r.replaced && r.new_message.data == NULL && r.body == NULL);
        CHECK(starts_with(r.summary, "action=none result=reject reason=\"the message cannot"));
        cachetd_result_clear(&r);
    }
}

static void untrusted_submitter_is_not_domain_signed(void) {
    REQUIRE_PKI();
    const char *certs[] = {"bob", NULL};
    cachetd_result r;
    CHECK(outbound_a(NULL, certs, "[domain a.example]\n", BOB, "192.0.2.7", NULL, NULL, 0, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(starts_with(r.summary, "action=encrypt result=ok recipients=" BOB));
    CHECK(!contains(r.summary, "signer="));
    cachet_status st;
    cachet_report *rep = verify_msg("bob", r.new_message.data, r.new_message.len, &st, NULL);
    CHECK_EQ_INT(st, CACHET_ERR_NO_SIGNERS);
    CHECK(rep != NULL && rep->num_layers == 1 && rep->layers[0].type == CACHET_LAYER_ENVELOPED);
    cachet_report_free(rep);
    cachetd_result_clear(&r);
    /* The same address after SMTP AUTH is a trusted submitter (§3.2). */
    CHECK(outbound_a(NULL, certs, "[domain a.example]\n", BOB, "192.0.2.7", "alice", NULL, 0, &r));
    CHECK(starts_with(r.summary, "action=sign,encrypt result=ok signer=" DSA_A));
    cachetd_result_clear(&r);
}

static void signed_input_is_encapsulated_whole(void) {
    REQUIRE_PKI();
    cachet_membuf signed_msg;
    CHECK(sign_msg("alice", 0, PLAIN_MSG, &signed_msg));
    const char *certs[] = {"bob", NULL};
    cachetd_result r;
    CHECK(outbound_a(NULL, certs, "[domain a.example]\n", BOB, "127.0.0.1", NULL,
                     (const char *)signed_msg.data, signed_msg.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    cachet_status st;
    cachet_membuf content = {0};
    cachet_report *rep = verify_msg("bob", r.new_message.data, r.new_message.len, &st, &content);
    CHECK_EQ_INT(st, CACHET_OK);
    CHECK(rep != NULL && rep->num_layers == 3);
    check_signer(rep, 1, DSA_A, CACHET_SIGTYPE_DOMAIN);
    check_signer(rep, 2, ALICE, 0); /* the originator's signature, intact and valid */
    CHECK(mem_contains(content.data, content.len, PLAIN_BODY));
    cachet_report_free(rep);
    cachet_membuf_free(&content);
    cachetd_result_clear(&r);
    /* §3.2: over a signature that does not verify, no domain signature. */
    CHECK(tamper_text(&signed_msg));
    CHECK(outbound_a(NULL, certs, "[domain a.example]\n", BOB, "127.0.0.1", NULL,
                     (const char *)signed_msg.data, signed_msg.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(starts_with(r.summary, "action=encrypt result=ok recipients=" BOB));
    CHECK(contains(r.summary, "not_signed=\"a signature in the message does not verify\""));
    rep = verify_msg("bob", r.new_message.data, r.new_message.len, &st, NULL);
    CHECK(rep != NULL && rep->num_layers == 2);
    CHECK(rep != NULL && rep->num_layers == 2 && rep->layers[1].num_signers == 1 &&
          !rep->layers[1].signers[0].signature_valid);
    cachet_report_free(rep);
    cachetd_result_clear(&r);
    cachet_membuf_free(&signed_msg);
}

static void empty_layer_attribute_and_review_signatures_come_in_order(void) {
    REQUIRE_PKI();
    const char *keys[] = {"dsa-a", "dca-a", "ra-a", "aa-a", NULL};
    const char *certs[] = {"bob", NULL};
    cachetd_result r;
    CHECK(outbound_a(keys, certs,
                     "[domain a.example]\nempty_signature_layer = yes\n"
                     "attributes_signature = yes\nreview_signature = yes\n",
                     BOB, "127.0.0.1", NULL, NULL, 0, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(starts_with(r.summary, "action=empty,attributes,review,sign,encrypt result=ok"));
    cachet_status st;
    cachet_report *rep = verify_msg("bob", r.new_message.data, r.new_message.len, &st, NULL);
    /* envelope, domain, review, attributes, then the empty layer innermost */
    CHECK(rep != NULL && rep->num_layers == 5);
    check_signer(rep, 1, DSA_A, CACHET_SIGTYPE_DOMAIN);
    check_signer(rep, 2, "review-authority@a.example", CACHET_SIGTYPE_REVIEW);
    check_signer(rep, 3, "attribute-authority@a.example", CACHET_SIGTYPE_ADD_ATTRIB);
    CHECK(rep != NULL && rep->num_layers == 5 && rep->layers[4].type == CACHET_LAYER_SIGNED &&
          rep->layers[4].num_signers == 0);
    cachet_report_free(rep);
    cachetd_result_clear(&r);
    /* Only the empty layer: three layers in all. */
    CHECK(outbound_a(NULL, certs, "[domain a.example]\nempty_signature_layer = yes\n", BOB,
                     "127.0.0.1", NULL, NULL, 0, &r));
    CHECK(starts_with(r.summary, "action=empty,sign,encrypt result=ok"));
    rep = verify_msg("bob", r.new_message.data, r.new_message.len, &st, NULL);
    CHECK(rep != NULL && rep->num_layers == 3);
    check_signer(rep, 1, DSA_A, CACHET_SIGTYPE_DOMAIN);
    CHECK(rep != NULL && rep->num_layers == 3 && rep->layers[2].num_signers == 0);
    cachet_report_free(rep);
    cachetd_result_clear(&r);
}

static void opaque_format_signs_opaque(void) {
    REQUIRE_PKI();
    cachetd_result r;
    CHECK(outbound_a(NULL, NULL, "[domain a.example]\nsign_format = opaque\n", BOB, "127.0.0.1",
                     NULL, NULL, 0, &r));
    cachet_status st;
    cachet_report *rep = verify_msg(NULL, r.new_message.data, r.new_message.len, &st, NULL);
    CHECK_EQ_INT(st, CACHET_OK);
    CHECK(rep != NULL && rep->num_layers == 1 && !rep->layers[0].detached);
    cachet_report_free(rep);
    cachetd_result_clear(&r);
}

static void unreachable_store_tempfails(void) {
    REQUIRE_PKI();
    char bad[600], conf[2048];
    snprintf(bad, sizeof(bad), "%s/not-a-store.db", g_tmp);
    FILE *f = fopen(bad, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("this is not a cachet store, just a text file long enough to be looked at\n", f);
        fclose(f);
    }
    snprintf(conf, sizeof(conf),
             "[domain a.example]\nsigning_cert = %s\nsigning_key = %s\ndecrypt = no\n",
             pki("dsa-a.crt"), pki("dsa-a.key"));
    cachetd_config *cfg = make_config(bad, "mx.a.example", conf);
    CHECK(cfg != NULL);
    if (cfg == NULL) {
        return;
    }
    cachetd_result r;
    CHECK(process(cfg, ALICE, BOB, "127.0.0.1", NULL, (const uint8_t *)PLAIN_MSG, strlen(PLAIN_MSG),
                  &r));
    CHECK_EQ_INT(r.verdict, CACHETD_TEMPFAIL);
    CHECK_STR(r.smtp_rcode, "451");
    CHECK_STR(r.smtp_xcode, "4.3.0");
    CHECK(starts_with(r.smtp_text, "certificate store unavailable"));
    CHECK(!r.replaced);
    cachetd_result_clear(&r);
    cachetd_config_free(cfg);
}

/* RFC 3183 §3.1.1/§4.1 on our own side: an authority certificate that does not
 * follow the naming convention is refused when the keys are loaded. */
static void own_authority_certificates_must_follow_the_naming(void) {
    REQUIRE_PKI();
    static const struct {
        const char *role; /* "signing" or "dca": which file pair of [domain] */
        const char *name; /* the files given */
        const char *why;  /* expected in the error, NULL = accepted */
    } cases[] = {
        {"signing", "dsa-a", NULL},
        {"signing", "dsa-caps",
         NULL}, /* DOMAIN-SIGNING-AUTHORITY@A.EXAMPLE: case does not matter */
        {"signing", "mallory", "exactly one CN 'domain-signing-authority'"},
        {"signing", "dca-a", "exactly one CN 'domain-signing-authority'"},
        {"signing", "dsa-sub", "domain-signing-authority@sub.a.example is not"}, /* a descendant */
        {"signing", "dsa-evil", "domain-signing-authority@evil.example is not"},
        {"dca", "dca-a", NULL},
        {"dca", "dsa-a", "exactly one CN 'domain-confidentiality-authority'"},
        {"dca", "dca-evil", "domain-confidentiality-authority@evil.example is not"},
    };
    char url[512];
    const char *none[] = {NULL};
    CHECK(make_store(none, NULL, url, sizeof(url)));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char conf[2048], crt[400], key[400], err[1024] = "";
        snprintf(crt, sizeof(crt), "%s.crt", cases[i].name);
        snprintf(key, sizeof(key), "%s.key", cases[i].name);
        if (strcmp(cases[i].role, "signing") == 0) {
            snprintf(conf, sizeof(conf),
                     "[domain a.example]\nsigning_cert = %s\nsigning_key = %s\n", pki(crt),
                     pki(key));
        } else {
            snprintf(conf, sizeof(conf),
                     "[domain a.example]\nsigning = none\ndca_cert = %s\ndca_key = %s\n", pki(crt),
                     pki(key));
        }
        cachetd_config *cfg = make_config(url, "mx.a.example", conf);
        CHECK(cfg != NULL);
        cachetd_keys *k = cfg != NULL ? cachetd_keys_load(cfg, err, sizeof(err)) : NULL;
        if (cases[i].why == NULL) {
            CHECK(k != NULL);
        } else {
            CHECK(k == NULL);
            CHECK(contains(err, "does not follow the RFC 3183 naming convention"));
            if (!contains(err, cases[i].why)) {
                fprintf(stderr, "%s: %s\n", cases[i].name, err);
                cachet_test_failures++;
            }
        }
        cachetd_keys_free(k);
        cachetd_config_free(cfg);
    }
}

static void missing_signing_key_names_domain_address_and_fix(void) {
    REQUIRE_PKI();
    char url[512], err[1024] = "";
    const char *none[] = {NULL};
    CHECK(make_store(none, NULL, url, sizeof(url)));
    cachetd_config *cfg = make_config(url, "mx.a.example", "[domain a.example]\n");
    CHECK(cfg != NULL);
    if (cfg == NULL) {
        return;
    }
    cachetd_keys *k = cachetd_keys_load(cfg, err, sizeof(err));
    CHECK(k == NULL);
    CHECK(contains(err, "[domain a.example]"));
    CHECK(contains(err, DSA_A));
    CHECK(contains(err, "keys import --store "));
    CHECK(contains(err, url));
    cachetd_keys_free(k);
    cachetd_config_free(cfg);
    /* signing = none needs no key; the DCA is optional. */
    cfg = make_config(url, "mx.a.example", "[domain a.example]\nsigning = none\n");
    k = cfg != NULL ? cachetd_keys_load(cfg, err, sizeof(err)) : NULL;
    CHECK(k != NULL);
    CHECK(cachetd_keys_get(k, "a.example", "domain-confidentiality-authority") == NULL);
    cachetd_keys_free(k);
    cachetd_config_free(cfg);
    /* Loaded keys are found by domain (any case) and reserved name. */
    const char *keys[] = {"dsa-a", "dca-a", NULL};
    CHECK(make_store(keys, NULL, url, sizeof(url)));
    cfg = make_config(url, "mx.a.example", "[domain a.example]\n");
    k = cfg != NULL ? cachetd_keys_load(cfg, err, sizeof(err)) : NULL;
    CHECK(k != NULL);
    CHECK(cachetd_keys_get(k, "A.Example", "domain-signing-authority") != NULL);
    CHECK(cachetd_keys_get(k, "a.example", "domain-confidentiality-authority") != NULL);
    CHECK(cachetd_keys_get(k, "a.example", "review-authority") == NULL);
    CHECK(cachetd_keys_get(k, "b.example", "domain-signing-authority") == NULL);
    cachetd_keys_free(k);
    cachetd_config_free(cfg);
}

static void internal_mail_passes_unchanged(void) {
    REQUIRE_PKI();
    cachetd_result r;
    CHECK(outbound_a(NULL, NULL, "[domain a.example]\n", "carol@a.example", "127.0.0.1", NULL, NULL,
                     0, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(!r.replaced);
    CHECK_STR(r.summary, "action=none result=ok direction=internal");
    cachetd_result_clear(&r);
}

/* encrypt_to_dca_a: |msg| encrypted to a.example's own DCA, as an internal
 * client would (RFC 3183 §5). */
static bool encrypt_to_dca_a(const uint8_t *msg, size_t len, cachet_membuf *enc) {
    memset(enc, 0, sizeof(*enc));
    cachet_cert *dca = NULL;
    cachet_error e;
    cachet_ctx *ctx = trust_ctx();
    cachet_op *op = NULL;
    cachet_sink sink = cachet_sink_membuf(enc);
    if (ctx != NULL && cachet_cert_load_file(pki("dca-a.crt"), &dca, &e) == CACHET_OK) {
        cachet_encrypt_opts eo = {.recipients = &dca, .num_recipients = 1};
        op = cachet_encrypt_new(ctx, &eo, &sink, &e);
    }
    cachet_status st = run_whole(op, msg, len, NULL);
    cachet_ctx_free(ctx);
    cachet_cert_free(dca);
    return st == CACHET_OK;
}

static void message_encrypted_to_our_dca_is_unwrapped_signed_and_reencrypted(void) {
    REQUIRE_PKI();
    cachet_membuf enc;
    CHECK(encrypt_to_dca_a((const uint8_t *)PLAIN_MSG, strlen(PLAIN_MSG), &enc));
    const char *certs[] = {"bob", NULL};
    cachetd_result r;
    CHECK(outbound_a(NULL, certs, "[domain a.example]\n", BOB, "127.0.0.1", NULL,
                     (const char *)enc.data, enc.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(starts_with(r.summary, "action=unwrap,sign,encrypt result=ok"));
    cachet_status st;
    cachet_membuf content = {0};
    cachet_report *rep = verify_msg("bob", r.new_message.data, r.new_message.len, &st, &content);
    CHECK_EQ_INT(st, CACHET_OK);
    CHECK(rep != NULL && rep->num_layers == 2);
    check_signer(rep, 1, DSA_A, CACHET_SIGTYPE_DOMAIN);
    CHECK(mem_contains(content.data, content.len, PLAIN_BODY));
    cachet_report_free(rep);
    cachet_membuf_free(&content);
    cachetd_result_clear(&r);
    cachet_membuf_free(&enc);
}

/* RFC 3183 §3.2: the signatures inside an envelope opened with our DCA are
 * verified too; one that does not verify means no domain signature. */
static void unwrapped_message_with_a_broken_signature_is_not_domain_signed(void) {
    REQUIRE_PKI();
    cachet_membuf sig, enc;
    CHECK(sign_msg("alice", 0, PLAIN_MSG, &sig));
    CHECK(tamper_text(&sig));
    CHECK(encrypt_to_dca_a(sig.data, sig.len, &enc));
    const char *certs[] = {"bob", NULL};
    cachetd_result r;
    CHECK(outbound_a(NULL, certs, "[domain a.example]\n", BOB, "127.0.0.1", NULL,
                     (const char *)enc.data, enc.len, &r));
    CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
    CHECK(contains(r.summary, "a signature in the message does not verify"));
    CHECK(!contains(r.summary, "action=unwrap"));
    /* Whatever leaves carries no signature by domain-signing-authority@a.example. */
    CHECK(!mem_contains(r.new_message.data, r.new_message.len, "domain-signing-authority"));
    cachetd_result_clear(&r);
    cachet_membuf_free(&enc);
    cachet_membuf_free(&sig);
}

static const cachet_test_case tests[] = {
    TEST_CASE(domain_signs_and_encrypts_to_the_recipient_certificate),
    TEST_CASE(content_fields_and_body_describe_the_new_message),
    TEST_CASE(without_recipient_certificate_encrypts_to_the_domain_dca),
    TEST_CASE(partner_cipher_overrides_the_advertised_capabilities),
    TEST_CASE(required_encryption_without_certificate_is_refused),
    TEST_CASE(malformed_mime_is_rejected_not_protected),
    TEST_CASE(untrusted_submitter_is_not_domain_signed),
    TEST_CASE(signed_input_is_encapsulated_whole),
    TEST_CASE(empty_layer_attribute_and_review_signatures_come_in_order),
    TEST_CASE(opaque_format_signs_opaque),
    TEST_CASE(unreachable_store_tempfails),
    TEST_CASE(missing_signing_key_names_domain_address_and_fix),
    TEST_CASE(internal_mail_passes_unchanged),
    TEST_CASE(message_encrypted_to_our_dca_is_unwrapped_signed_and_reencrypted),
    TEST_CASE(own_authority_certificates_must_follow_the_naming),
    TEST_CASE(unwrapped_message_with_a_broken_signature_is_not_domain_signed),
};
TEST_MAIN(tests)
