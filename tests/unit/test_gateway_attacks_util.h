/* Shared by test_gateway_attacks_*.c (ATTACKS.md OR-*, PO-*, GW-* through
 * cachetd_process): envelopes of several recipients, the gateways of
 * a.example and b.example as tests/pki/mkdomains.sh sets them up, and
 * messages built here with the library (encrypted, signed, altered). */
#ifndef TEST_GATEWAY_ATTACKS_UTIL_H
#define TEST_GATEWAY_ATTACKS_UTIL_H

#include "test_gateway_process_util.h"

#define ALICE "alice@a.example"
#define BOB "bob@b.example"
#define CAROL "carol@b.example"
#define EVE "eve@evil.example"
#define DCA_B "domain-confidentiality-authority@b.example"
#define DSA_A "domain-signing-authority@a.example"

static __attribute__((unused)) bool starts_with(const char *s, const char *prefix) {
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* gw: a gateway's store (PKI keys and certificates) and configuration. */
typedef struct gw {
    char url[512];
    cachetd_config *cfg;
} gw;

static __attribute__((unused)) bool gw_open(gw *g, const char *const *keys,
                                            const char *const *certs, const char *authserv,
                                            const char *conf) {
    memset(g, 0, sizeof(*g));
    if (!make_store(keys, certs, g->url, sizeof(g->url))) {
        return false;
    }
    g->cfg = make_config(g->url, authserv, conf);
    return g->cfg != NULL;
}

static __attribute__((unused)) void gw_close(gw *g) {
    cachetd_config_free(g->cfg);
    g->cfg = NULL;
}

/* gw_run: one transaction of |sender| to the NULL-terminated |rcpts| from
 * |client| (not a trusted network unless it is 127.0.0.1). */
static __attribute__((unused)) bool gw_run(const gw *g, const char *sender,
                                           const char *const *rcpts, const char *client,
                                           const uint8_t *msg, size_t len, cachetd_result *out) {
    memset(out, 0, sizeof(*out));
    char err[512] = "";
    cachetd_keys *keys = cachetd_keys_load(g->cfg, err, sizeof(err));
    if (keys == NULL) {
        fprintf(stderr, "keys: %s\n", err);
        return false;
    }
    size_t n = 0;
    while (rcpts[n] != NULL) {
        n++;
    }
    cachetd_envelope env = {
        .queue_id = "QA",
        .sender = sender,
        .recipients = rcpts,
        .num_recipients = n,
        .client_addr = client,
    };
    cachetd_process(g->cfg, keys, &env, msg, len, out);
    cachetd_keys_free(keys);
    if (getenv("GWP_VERBOSE") != NULL) {
        fprintf(stderr, "  %s -> %s (+%zu): %s %s %s | %s | A-R: %s\n", sender, rcpts[0], n - 1,
                out->verdict == CACHETD_CONTINUE ? "continue" : out->smtp_rcode, out->smtp_xcode,
                out->smtp_text, out->summary, out->authres);
    }
    return true;
}

/* gw_a_out: PLAIN-style |msg| from alice through a.example's gateway (signing
 * keys, and the certificates |certs| to encrypt to) for |rcpts|; the message as
 * it leaves (taken over into |out|). */
static __attribute__((unused)) bool gw_a_out(const char *const *certs, const char *conf,
                                             const char *const *rcpts, const char *msg,
                                             cachet_membuf *out) {
    memset(out, 0, sizeof(*out));
    const char *keys[] = {"dsa-a", "dca-a", NULL};
    gw g;
    bool ok = gw_open(&g, keys, certs, "mx.a.example", conf);
    cachetd_result r;
    ok = ok && gw_run(&g, ALICE, rcpts, "127.0.0.1", (const uint8_t *)msg, strlen(msg), &r);
    ok = ok && r.verdict == CACHETD_CONTINUE && r.replaced;
    if (ok) {
        *out = r.new_message;
        memset(&r.new_message, 0, sizeof(r.new_message));
    }
    if (g.cfg != NULL) {
        cachetd_result_clear(&r);
    }
    gw_close(&g);
    return ok;
}

/* encrypt_to encrypts |msg| (a MIME message) to the PKI certificates |names|
 * (NULL-terminated) with |cipher|, as an S/MIME message. */
static __attribute__((unused)) bool encrypt_to(const char *const *names,
                                               cachet_cipher_choice cipher, const uint8_t *msg,
                                               size_t len, cachet_membuf *out) {
    memset(out, 0, sizeof(*out));
    cachet_cert *certs[8] = {0};
    size_t n = 0;
    bool ok = true;
    for (; ok && names[n] != NULL && n < 8; n++) {
        char c[64];
        snprintf(c, sizeof(c), "%s.crt", names[n]);
        cachet_error e;
        ok = cachet_cert_load_file(pki(c), &certs[n], &e) == CACHET_OK;
    }
    cachet_ctx *ctx = trust_ctx();
    cachet_encrypt_opts o = {.recipients = certs, .num_recipients = n, .cipher = cipher};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_error e;
    cachet_op *op = ok && ctx != NULL ? cachet_encrypt_new(ctx, &o, &sink, &e) : NULL;
    ok = run_whole(op, msg, len, NULL) == CACHET_OK;
    for (size_t i = 0; i < n; i++) {
        cachet_cert_free(certs[i]);
    }
    cachet_ctx_free(ctx);
    return ok;
}

/* inbound_msg: an RFC 5322 message from eve with |ctype_body| (header fields
 * from Content-Type on, then the body) after the usual header. */
static __attribute__((unused)) char *inbound_msg(const char *to, const char *ctype_body) {
    size_t n = strlen(ctype_body) + 512;
    char *m = malloc(n);
    if (m != NULL) {
        snprintf(m, n,
                 "From: Eve <" EVE ">\r\nTo: %s\r\nSubject: invoice\r\n"
                 "Message-ID: <e1@evil.example>\r\nMIME-Version: 1.0\r\n%s",
                 to, ctype_body);
    }
    return m;
}

/* body_of: the body of an RFC 5322 message (after the first empty line). */
static __attribute__((unused)) const uint8_t *body_of(const cachet_membuf *m, size_t *len) {
    for (size_t i = 0; i + 4 <= m->len; i++) {
        if (memcmp(m->data + i, "\r\n\r\n", 4) == 0) {
            *len = m->len - i - 4;
            return m->data + i + 4;
        }
    }
    *len = 0;
    return NULL;
}

/* result_has_text: |needle| anywhere the result could carry text on: the new
 * message, its fields, the A-R value, the SMTP reply. */
static __attribute__((unused)) bool result_has_text(const cachetd_result *r, const char *needle) {
    if (mem_contains(r->new_message.data, r->new_message.len, needle) ||
        contains(r->authres, needle) || contains(r->smtp_text, needle)) {
        return true;
    }
    for (size_t i = 0; i < r->num_content_fields; i++) {
        if (contains(r->content_fields[i].value, needle)) {
            return true;
        }
    }
    return false;
}

#endif
