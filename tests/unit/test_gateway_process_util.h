/* Shared by test_gateway_process*.c: the two-domain test PKI (tests/pki/mkdomains.sh)
 * made once per process, fresh SQLite stores filled through the public API,
 * configurations parsed from text, and libcachet helpers that re-read what
 * cachetd_process wrote. */
#ifndef TEST_GATEWAY_PROCESS_UTIL_H
#define TEST_GATEWAY_PROCESS_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cachet/cachet.h>

#include "base/base.h"

#include "gateway/config.h"
#include "gateway/process.h"
#include "testlib.h"

static char g_tmp[256];
static char g_pki[320];
static int g_seq;

static const char PLAIN_MSG[] = "From: Alice <alice@a.example>\r\n"
                                "To: bob@b.example\r\n"
                                "Subject: quarterly numbers\r\n"
                                "Message-ID: <1@a.example>\r\n"
                                "MIME-Version: 1.0\r\n"
                                "Content-Type: text/plain; charset=us-ascii\r\n"
                                "\r\n"
                                "Hello Bob.\r\n"
                                "The numbers are fine.\r\n";
static const char PLAIN_BODY[] = "Hello Bob.\r\nThe numbers are fine.\r\n";

__attribute__((format(printf, 1, 2))) static int run_cmd(const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static __attribute__((unused)) void cleanup_tmp(void) {
    if (g_tmp[0] != '\0') {
        run_cmd("rm -rf '%s'", g_tmp);
    }
}

/* pki_setup runs mkdomains.sh once per process; false (printed) if it cannot. */
static __attribute__((unused)) bool pki_setup(void) {
    if (g_pki[0] != '\0') {
        return true;
    }
    snprintf(g_tmp, sizeof(g_tmp), "/tmp/cachetd-process-test-XXXXXX");
    if (mkdtemp(g_tmp) == NULL) {
        g_tmp[0] = '\0';
        fprintf(stderr, "cannot make a temporary folder\n");
        return false;
    }
    atexit(cleanup_tmp);
    snprintf(g_pki, sizeof(g_pki), "%s/pki", g_tmp);
    if (run_cmd("bash '%s/pki/mkdomains.sh' '%s' >/dev/null 2>&1", cachet_test_tests_dir(),
                g_pki) != 0) {
        fprintf(stderr, "mkdomains.sh failed\n");
        g_pki[0] = '\0';
        return false;
    }
    return true;
}

static __attribute__((unused)) const char *pki(const char *name) {
    static _Thread_local char bufs[8][512]; /* threads call it too */
    static _Thread_local int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 512, "%s/%s", g_pki, name);
    return b;
}

static __attribute__((unused)) bool import_file(cachet_store *st, const char *path,
                                                cachet_import_result *res) {
    size_t len = 0;
    uint8_t *data = cachet_test_read_file(path, &len);
    if (data == NULL) {
        return false;
    }
    cachet_error e;
    cachet_err_clear(&e);
    cachet_status s =
        cachet_store_import(st, data, len, path, NULL, CACHET_ORIGIN_IMPORTED, res, &e);
    free(data);
    if (s != CACHET_OK) {
        fprintf(stderr, "import %s: %s\n", path, e.message);
    }
    return s == CACHET_OK;
}

/* make_store writes a fresh store's path into |url|: ca.crt as the anchor, the
 * keys of |keys| (PKI names, NULL-terminated: NAME.key with NAME.crt) and the
 * certificates of |certs|. */
static __attribute__((unused)) bool make_store(const char *const *keys, const char *const *certs,
                                               char *url, size_t len) {
    snprintf(url, len, "%s/store%d.db", g_tmp, ++g_seq);
    cachet_store *st = NULL;
    cachet_error e;
    cachet_err_clear(&e);
    if (cachet_store_open(url, &st, &e) != CACHET_OK) {
        fprintf(stderr, "store %s: %s\n", url, e.message);
        return false;
    }
    cachet_import_result res;
    bool ok = import_file(st, pki("ca.crt"), &res) &&
              cachet_store_trust(st, res.first_fp, true, &e) == CACHET_OK;
    for (size_t i = 0; ok && keys != NULL && keys[i] != NULL; i++) {
        char k[64], c[64];
        snprintf(k, sizeof(k), "%s.key", keys[i]);
        snprintf(c, sizeof(c), "%s.crt", keys[i]);
        ok = cachet_store_import_key_files(st, pki(k), pki(c), NULL, &res, &e) == CACHET_OK;
        if (!ok) {
            fprintf(stderr, "key %s: %s\n", keys[i], e.message);
        }
    }
    for (size_t i = 0; ok && certs != NULL && certs[i] != NULL; i++) {
        char c[64];
        snprintf(c, sizeof(c), "%s.crt", certs[i]);
        ok = import_file(st, pki(c), &res);
    }
    cachet_store_close(st);
    return ok;
}

/* make_config parses "[cachetd] store=URL authserv_id=ID" followed by |rest|. */
static __attribute__((unused)) cachetd_config *make_config(const char *url, const char *authserv,
                                                           const char *rest) {
    char text[4096], err[512] = "";
    snprintf(text, sizeof(text), "[cachetd]\nstore = %s\nauthserv_id = %s\n%s", url, authserv,
             rest);
    cachetd_config *cfg = cachetd_config_parse_string(text, "test.conf", err, sizeof(err));
    if (cfg == NULL) {
        fprintf(stderr, "config: %s\n", err);
    }
    return cfg;
}

/* process runs one message through a configuration (keys loaded from it). */
static __attribute__((unused)) bool process(const cachetd_config *cfg, const char *sender,
                                            const char *rcpt, const char *client, const char *auth,
                                            const uint8_t *msg, size_t len, cachetd_result *out) {
    memset(out, 0, sizeof(*out));
    char err[512] = "";
    cachetd_keys *keys = cachetd_keys_load(cfg, err, sizeof(err));
    if (keys == NULL) {
        fprintf(stderr, "keys: %s\n", err);
        return false;
    }
    const char *rcpts[1] = {rcpt};
    cachetd_envelope env = {
        .queue_id = "Q1",
        .sender = sender,
        .recipients = rcpts,
        .num_recipients = 1,
        .auth_authen = auth,
        .client_addr = client,
    };
    cachetd_process(cfg, keys, &env, msg, len, out);
    cachetd_keys_free(keys);
    if (getenv("GWP_VERBOSE") != NULL) {
        fprintf(stderr, "  %s -> %s: %s %s %s | %s | A-R: %s\n", sender, rcpt,
                out->verdict == CACHETD_CONTINUE ? "continue" : out->smtp_rcode, out->smtp_xcode,
                out->smtp_text, out->summary, out->authres);
    }
    return true;
}

static __attribute__((unused)) cachet_credential *cred(const char *name) {
    char k[64], c[64];
    snprintf(k, sizeof(k), "%s.key", name);
    snprintf(c, sizeof(c), "%s.crt", name);
    cachet_credential *cr = NULL;
    cachet_error e;
    cachet_err_clear(&e);
    if (cachet_credential_load(pki(c), pki(k), NULL, &cr, &e) != CACHET_OK) {
        fprintf(stderr, "credential %s: %s\n", name, e.message);
    }
    return cr;
}

/* trust_ctx: a context trusting the test root, no From binding (the gateway's
 * signatures are not the author's). */
static __attribute__((unused)) cachet_ctx *trust_ctx(void) {
    cachet_ctx *ctx = cachet_ctx_new();
    if (ctx != NULL && cachet_ctx_add_trust_file(ctx, pki("ca.crt")) != CACHET_OK) {
        cachet_ctx_free(ctx);
        return NULL;
    }
    cachet_ctx_set_address_check(ctx, false);
    return ctx;
}

/* run_whole feeds |msg| whole to |op| (NULL: starting it failed), finishes it
 * and frees it; the report goes to |rep| when not NULL. */
static __attribute__((unused)) cachet_status run_whole(cachet_op *op, const uint8_t *msg,
                                                       size_t len, cachet_report **rep) {
    if (op == NULL) {
        return CACHET_ERR_INTERNAL;
    }
    cachet_status st = cachet_op_update(op, msg, len);
    if (st == CACHET_OK) {
        st = cachet_op_finish(op, rep);
    }
    cachet_op_free(op);
    return st;
}

/* decrypt_with decrypts |msg| with PKI key |name| (signatures kept); status. */
static __attribute__((unused)) cachet_status decrypt_with(const char *name, const uint8_t *msg,
                                                          size_t len, cachet_membuf *out) {
    memset(out, 0, sizeof(*out));
    cachet_ctx *ctx = trust_ctx();
    cachet_credential *c = cred(name);
    cachet_decrypt_opts o = {.cred = c, .verify_signed = false};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_error e;
    cachet_op *op = ctx != NULL && c != NULL ? cachet_decrypt_new(ctx, &o, &sink, &e) : NULL;
    cachet_status st = run_whole(op, msg, len, NULL);
    cachet_credential_free(c);
    cachet_ctx_free(ctx);
    return st;
}

/* verify_msg verifies |msg| (optionally decrypting with PKI key |name|); the
 * report (caller frees), the status in |st|, the content in |content| (may be NULL). */
static __attribute__((unused)) cachet_report *verify_msg(const char *name, const uint8_t *msg,
                                                         size_t len, cachet_status *st,
                                                         cachet_membuf *content) {
    cachet_ctx *ctx = trust_ctx();
    cachet_credential *c = name != NULL ? cred(name) : NULL;
    cachet_verify_opts o = {.decrypt_with = c};
    cachet_membuf scratch = {0};
    cachet_sink sink = cachet_sink_membuf(content != NULL ? content : &scratch);
    cachet_error e;
    cachet_report *rep = NULL;
    cachet_op *op = ctx != NULL ? cachet_verify_new(ctx, &o, &sink, &e) : NULL;
    *st = run_whole(op, msg, len, &rep);
    cachet_membuf_free(&scratch);
    cachet_credential_free(c);
    cachet_ctx_free(ctx);
    return rep;
}

/* sign_msg signs |msg| with PKI key |name| and SignatureType bits |types|. */
static __attribute__((unused)) bool sign_msg(const char *name, unsigned types, const char *msg,
                                             cachet_membuf *out) {
    memset(out, 0, sizeof(*out));
    cachet_ctx *ctx = trust_ctx();
    cachet_credential *c = cred(name);
    cachet_sign_opts o = {.signer = c, .signature_types = types};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_error e;
    cachet_op *op = ctx != NULL && c != NULL ? cachet_sign_new(ctx, &o, &sink, &e) : NULL;
    if (op == NULL) {
        fprintf(stderr, "sign: %s\n", e.message);
    }
    cachet_status st = run_whole(op, (const uint8_t *)msg, strlen(msg), NULL);
    cachet_credential_free(c);
    cachet_ctx_free(ctx);
    return st == CACHET_OK;
}

static __attribute__((unused)) bool contains(const char *hay, const char *needle) {
    return hay != NULL && strstr(hay, needle) != NULL;
}

static __attribute__((unused)) bool mem_contains(const uint8_t *hay, size_t len,
                                                 const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i + n <= len; i++) {
        if (memcmp(hay + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

/* tamper_text changes the first letter of PLAIN_BODY's "Hello Bob." inside a
 * signed message (the content, not its structure); false if it is not there. */
static __attribute__((unused)) bool tamper_text(cachet_membuf *m) {
    for (size_t i = 0; m->data != NULL && i + 10 <= m->len; i++) {
        if (memcmp(m->data + i, "Hello Bob.", 10) == 0) {
            m->data[i] = 'J';
            return true;
        }
    }
    return false;
}

#define REQUIRE_PKI()                                                                              \
    do {                                                                                           \
        if (!pki_setup()) {                                                                        \
            cachet_test_failures++;                                                                \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#endif
