/* ATTACKS.md OR-08 / GW-05 (certificate harvesting and key replacement:
 * what b.example's gateway learns from inbound signed mail, and whom it then
 * encrypts to) and GW-11 (Bcc leakage through RecipientInfos), through
 * cachetd_process. The attacker's certificates are issued here by the test
 * root, as a careless public CA would: they chain to a trusted anchor. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "test_gateway_attacks_util.h"

/* issue: PKI leaf |name| for |email| from the test root (P-256, |ku|). */
static bool issue(const char *name, const char *email, const char *ku) {
    return run_cmd("cd '%s' && umask 077 && "
                   "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out %s.key "
                   "2>/dev/null && "
                   "openssl req -new -key %s.key -subj '/C=XX/O=A Example/CN=%s' -out %s.csr && "
                   "printf 'basicConstraints=critical,CA:FALSE\\nkeyUsage=critical,%s\\n"
                   "extendedKeyUsage=emailProtection\\nsubjectAltName=email:%s\\n"
                   "subjectKeyIdentifier=hash\\nauthorityKeyIdentifier=keyid\\n' >%s.ext && "
                   "openssl x509 -req -in %s.csr -CA ca.crt -CAkey ca.key -set_serial 0x%lx "
                   "-days 30 -sha256 -extfile %s.ext -out %s.crt 2>/dev/null && chmod 0644 %s.crt",
                   g_pki, name, name, name, name, ku, email, name, name,
                   (unsigned long)(0x900 + ++g_seq), name, name, name) == 0;
}

/* ossl_signed: |from| signs (openssl cms, detached) with PKI key |signer|,
 * carrying the extra certificate |extra| (NULL: none); CRLF line ends. */
static bool ossl_signed(const char *signer, const char *extra, const char *from,
                        cachet_membuf *out) {
    memset(out, 0, sizeof(*out));
    char in[600], path[600];
    snprintf(in, sizeof(in), "%s/content-%d.txt", g_tmp, ++g_seq);
    snprintf(path, sizeof(path), "%s/signed-%d.eml", g_tmp, g_seq);
    FILE *f = fopen(in, "wb");
    if (f == NULL) {
        return false;
    }
    fputs("Content-Type: text/plain\r\n\r\nPlease use my new certificate.\r\n", f);
    fclose(f);
    char certfile[600] = "";
    if (extra != NULL) {
        snprintf(certfile, sizeof(certfile), "-certfile '%s/%s.crt'", g_pki, extra);
    }
    if (run_cmd("openssl cms -sign -signer '%s/%s.crt' -inkey '%s/%s.key' %s -from %s "
                "-to " BOB " -subject new -in '%s' -out '%s'",
                g_pki, signer, g_pki, signer, certfile, from, in, path) != 0) {
        return false;
    }
    size_t len = 0;
    uint8_t *raw = cachet_test_read_file(path, &len);
    if (raw == NULL) {
        return false;
    }
    cachet_sink s = cachet_sink_membuf(out);
    bool ok = true;
    for (size_t i = 0; ok && i < len; i++) {
        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) {
            ok = s.write(s.arg, (const uint8_t *)"\r", 1) == CACHET_OK;
        }
        ok = ok && s.write(s.arg, raw + i, 1) == CACHET_OK;
    }
    free(raw);
    return ok;
}

/* count_for: certificates the store at |url| holds for |address| (-1 on error),
 * and whether any of them is the PKI certificate |name|. */
static int count_for(const char *url, const char *address, const char *name, bool *has) {
    cachet_store *st = NULL;
    cachet_error e;
    cachet_cert_info *infos = NULL;
    size_t num = 0;
    bool ok = cachet_store_open(url, &st, &e) == CACHET_OK &&
              cachet_store_find(st, address, &infos, &num, &e) == CACHET_OK;
    if (has != NULL) {
        *has = false;
        char c[64], hex[65] = "";
        snprintf(c, sizeof(c), "%s.crt", name);
        FILE *f = fopen(pki(c), "r");
        X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
        if (f != NULL) {
            fclose(f);
        }
        unsigned char h[32];
        unsigned hl = 0;
        if (x != NULL && X509_digest(x, EVP_sha256(), h, &hl) == 1 && hl == 32) {
            for (size_t i = 0; i < 32; i++) {
                snprintf(hex + 2 * i, 3, "%02x", h[i]);
            }
        }
        X509_free(x);
        for (size_t i = 0; ok && hex[0] != '\0' && i < num; i++) {
            *has = *has || strcmp(infos[i].fingerprint, hex) == 0;
        }
    }
    cachet_cert_info_free(infos, num);
    cachet_store_close(st);
    return ok ? (int)num : -1;
}

/* gw_b_harvest: b.example's gateway with harvest on; alice's real certificate
 * was imported by its administrator. */
static bool gw_b_harvest(gw *g, const char *extra_conf) {
    const char *keys[] = {"dsa-b", "dca-b", "bob", NULL};
    const char *certs[] = {"alice", NULL};
    char conf[512];
    snprintf(conf, sizeof(conf), "[domain b.example]\nharvest = yes\n%s", extra_conf);
    return gw_open(g, keys, certs, "mx.b.example", conf);
}

static bool inbound(const gw *g, const cachet_membuf *m, cachetd_result *r) {
    const char *to_bob[] = {BOB, NULL};
    return gw_run(g, "someone@a.example.net", to_bob, "198.51.100.9", m->data, m->len, r);
}

/* OR-08 (a)(c): mallory@a.example, whose certificate is valid and trusted,
 * signs mail carrying another certificate for alice@a.example, and mail
 * whose From is alice. Only mallory's own certificate is learnt, under
 * mallory's own address; alice's lookups still find only the imported one. */
static void or08_only_the_signer_certificate_is_learnt(void) {
    REQUIRE_PKI();
    CHECK(issue("evil-alice-a", ALICE, "digitalSignature,keyAgreement"));
    static const struct {
        const char *extra, *from;
    } cases[] = {{"evil-alice-a", "mallory@a.example"}, {NULL, ALICE}, {"evil-alice-a", ALICE}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_membuf m;
        CHECK(ossl_signed("mallory", cases[i].extra, cases[i].from, &m));
        gw g;
        CHECK(gw_b_harvest(&g, ""));
        cachetd_result r;
        CHECK(inbound(&g, &m, &r));
        CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
        cachetd_result_clear(&r);
        bool has_real = false, has_evil = true;
        CHECK_EQ_INT(count_for(g.url, ALICE, "alice", &has_real), 1);
        CHECK(has_real);
        CHECK(count_for(g.url, ALICE, "evil-alice-a", &has_evil) == 1 && !has_evil);
        bool has_mallory = false;
        CHECK_EQ_INT(count_for(g.url, "mallory@a.example", "mallory", &has_mallory), 1);
        CHECK(has_mallory);
        gw_close(&g);
        cachet_membuf_free(&m);
    }
}

/* outbound_to_alice: bob's mail to alice through b.example's gateway (|g|);
 * which key opens the copy: 1 alice's real one, 2 |evil|'s, 0 neither (or
 * not encrypted), -1 on error. */
static int outbound_to_alice(const gw *g, const char *evil, cachetd_result *r) {
    static const char msg[] =
        "From: bob@b.example\r\nTo: alice@a.example\r\nSubject: s\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nsecret plan\r\n";
    const char *to_alice[] = {ALICE, NULL};
    if (!gw_run(g, BOB, to_alice, "127.0.0.1", (const uint8_t *)msg, strlen(msg), r)) {
        return -1;
    }
    if (!r->replaced) {
        return 0;
    }
    cachet_membuf out;
    cachet_status real = decrypt_with("alice", r->new_message.data, r->new_message.len, &out);
    cachet_membuf_free(&out);
    cachet_status other = decrypt_with(evil, r->new_message.data, r->new_message.len, &out);
    cachet_membuf_free(&out);
    if (real == CACHET_OK && other == CACHET_ERR_NO_RECIPIENT) {
        return 1;
    }
    if (other == CACHET_OK && real == CACHET_ERR_NO_RECIPIENT) {
        return 2;
    }
    return 0;
}

/* OR-08 (d): a newer certificate for alice@a.example from a trusted CA (as a
 * careless public CA might issue to anyone), used to sign mail from alice:
 * the signature is valid and the address matches, so it is learnt, but it
 * never silently replaces the certificate the administrator imported: bob's
 * next mail to alice is still encrypted to alice's real key. */
static void or08_harvested_certificate_never_replaces_an_imported_one(void) {
    REQUIRE_PKI();
    sleep(1); /* notBefore after alice's */
    CHECK(issue("evil-alice-d", ALICE, "digitalSignature,keyAgreement"));
    cachet_membuf m;
    CHECK(ossl_signed("evil-alice-d", NULL, ALICE, &m));
    gw g;
    CHECK(gw_b_harvest(&g, ""));
    cachetd_result r;
    CHECK_EQ_INT(outbound_to_alice(&g, "evil-alice-d", &r), 1); /* control */
    cachetd_result_clear(&r);
    CHECK(inbound(&g, &m, &r));
    CHECK(contains(r.authres, "smime=pass"));
    cachetd_result_clear(&r);
    bool has_evil = false;
    CHECK_EQ_INT(count_for(g.url, ALICE, "evil-alice-d", &has_evil), 2);
    CHECK(has_evil);
    CHECK_EQ_INT(outbound_to_alice(&g, "evil-alice-d", &r), 1);
    CHECK(contains(r.summary, "encrypted_to=" ALICE));
    cachetd_result_clear(&r);
    gw_close(&g);
    cachet_membuf_free(&m);
}

/* OR-08 (e): a harvested signing-only certificate (mallory's: KeyUsage
 * digitalSignature) is never an encryption certificate: mail to mallory
 * under required encryption is held, not encrypted to it nor sent plain. */
static void or08_signing_only_certificate_is_never_encrypted_to(void) {
    REQUIRE_PKI();
    cachet_membuf m;
    CHECK(ossl_signed("mallory", NULL, "mallory@a.example", &m));
    gw g;
    CHECK(gw_b_harvest(&g, "encryption = required\n"));
    cachetd_result r;
    CHECK(inbound(&g, &m, &r));
    cachetd_result_clear(&r);
    CHECK_EQ_INT(count_for(g.url, "mallory@a.example", "mallory", NULL), 1);
    static const char msg[] =
        "From: bob@b.example\r\nTo: mallory@a.example\r\nSubject: s\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nsecret plan\r\n";
    const char *to[] = {"mallory@a.example", NULL};
    CHECK(gw_run(&g, BOB, to, "127.0.0.1", (const uint8_t *)msg, strlen(msg), &r));
    CHECK_EQ_INT(r.verdict, CACHETD_TEMPFAIL);
    CHECK(r.smtp_rcode[0] == '4');
    CHECK(!r.replaced);
    cachetd_result_clear(&r);
    gw_close(&g);
    cachet_membuf_free(&m);
}

/* recipients_of: RecipientInfos of the enveloped layer of |m| (-1: none). */
static long recipients_of(const cachet_membuf *m) {
    cachet_ctx *ctx = trust_ctx();
    cachet_error e;
    cachet_op *op = ctx != NULL ? cachet_inspect_new(ctx, false, &e) : NULL;
    cachet_report *rep = NULL;
    long n = -1;
    if (run_whole(op, m->data, m->len, &rep) == CACHET_OK && rep != NULL && rep->num_layers > 0 &&
        rep->layers[0].type == CACHET_LAYER_ENVELOPED) {
        n = (long)rep->layers[0].num_recipients;
    }
    cachet_report_free(rep);
    cachet_ctx_free(ctx);
    return n;
}

/* GW-11: alice writes To: bob, Bcc: carol (both b.example, both with
 * certificates). With split = recipient each copy names only its recipient;
 * the default split = domain shares one copy within a recipient domain. */
static void gw11_bcc_recipient_is_not_named_in_the_other_copy(void) {
    REQUIRE_PKI();
    const char *certs[] = {"bob", "carol", NULL};
    /* split = recipient: the classes differ, so bob's transaction is bob's alone */
    const char *keys[] = {"dsa-a", "dca-a", NULL};
    gw g;
    CHECK(gw_open(&g, keys, certs, "mx.a.example", "split = recipient\n[domain a.example]\n"));
    char cb[CACHETD_NAME_MAX + 8], cc[CACHETD_NAME_MAX + 8];
    cachetd_policy_rcpt_class(g.cfg, ALICE, BOB, cb, sizeof(cb));
    cachetd_policy_rcpt_class(g.cfg, ALICE, CAROL, cc, sizeof(cc));
    CHECK(strcmp(cb, cc) != 0);
    gw_close(&g);
    cachet_membuf m;
    const char *only_bob[] = {BOB, NULL};
    CHECK(gw_a_out(certs, "split = recipient\n[domain a.example]\n", only_bob, PLAIN_MSG, &m));
    CHECK_EQ_INT(recipients_of(&m), 1);
    cachet_membuf dec;
    CHECK_EQ_INT(decrypt_with("carol", m.data, m.len, &dec), CACHET_ERR_NO_RECIPIENT);
    cachet_membuf_free(&dec);
    CHECK_EQ_INT(decrypt_with("bob", m.data, m.len, &dec), CACHET_OK);
    CHECK(!mem_contains(dec.data, dec.len, "carol"));
    cachet_membuf_free(&dec);
    cachet_membuf_free(&m);
    /* the default: one copy for bob and carol names both */
    const char *both[] = {BOB, CAROL, NULL};
    CHECK(gw_a_out(certs, "[domain a.example]\n", both, PLAIN_MSG, &m));
    CHECK_EQ_INT(recipients_of(&m), 2);
    CHECK_EQ_INT(decrypt_with("carol", m.data, m.len, &dec), CACHET_OK);
    cachet_membuf_free(&dec);
    cachet_membuf_free(&m);
}

static const cachet_test_case tests[] = {
    TEST_CASE(or08_only_the_signer_certificate_is_learnt),
    TEST_CASE(or08_harvested_certificate_never_replaces_an_imported_one),
    TEST_CASE(or08_signing_only_certificate_is_never_encrypted_to),
    TEST_CASE(gw11_bcc_recipient_is_not_named_in_the_other_copy),
};
TEST_MAIN(tests)
