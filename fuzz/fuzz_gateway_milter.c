/* libFuzzer target: cachetd's milter input path. The input is a message as
 * the MTA has it; it is cut into what libmilter hands the milter (header
 * fields as name and value, folded lines joined with LF, then the body) and
 * put back together exactly as src/gateway/milter/milter.c does (bare LF in
 * values made CRLF, our own forged Authentication-Results dropped, the
 * max_message_size limit), then run through cachetd_process outbound
 * (alice@a.example to bob@b.example, authenticated) and inbound
 * (bob@b.example to alice@a.example) with a fixed configuration, a temporary
 * SQLite store (put back as made before every input, since inbound harvests
 * certificates into it) and fixed keys (throw-away EC P-256 PKI made for this target:
 * a root, a.example's domain-signing and domain-confidentiality authorities,
 * b.example's domain-confidentiality authority). No network, no MTA: the
 * milter callbacks themselves need libmilter and are not linked here, so the
 * reassembly below mirrors cachetd_cb_header/cachetd_cb_body/cachetd_rebuild.
 *
 * Oracles:
 * - every message gets a verdict; TEMPFAIL/REJECT carry a 4xx/5xx reply code,
 *   an x.y.z code and a one-line text, and never a replaced message;
 * - a replaced message is complete: the body is the tail of the new message,
 *   after a header ending in an empty line, and every content field is a
 *   Content-* or MIME-Version field whose value has no NUL and no line break
 *   that is not folding; outbound, the new message verifies (decrypted with
 *   b.example's DCA key, signed by a.example's DSA under the fixed root)
 *   unless the message already held S/MIME of its own (carried inside as is,
 *   it may be encrypted to someone else);
 * - summary and reply text are single lines, Authentication-Results at most
 *   folded (every line break CRLF + blank);
 * - the same message processed twice gives the same result (verdict, codes,
 *   text, replaced, content field names, Authentication-Results, quarantine). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cachet/cachet.h>
#include <cachet/store.h>

#include "base/base.h"
#include "gateway/authres.h"
#include "gateway/config.h"
#include "gateway/process.h"

#include "fuzz_util.h"

static const char kCaCrt[] = "-----BEGIN CERTIFICATE-----\n"
                             "MIIBzjCCAXWgAwIBAgIBATAKBggqhkjOPQQDAjBOMQswCQYDVQQGEwJYWDEcMBoG\n"
                             "A1UECgwTQ2FjaGV0IEZ1enogRG9tYWluczEhMB8GA1UEAwwYY2FjaGV0IGZ1enog\n"
                             "ZG9tYWlucyByb290MCAXDTI2MDEwMTAwMDAwMFoYDzIxMjYwMTAxMDAwMDAwWjBO\n"
                             "MQswCQYDVQQGEwJYWDEcMBoGA1UECgwTQ2FjaGV0IEZ1enogRG9tYWluczEhMB8G\n"
                             "A1UEAwwYY2FjaGV0IGZ1enogZG9tYWlucyByb290MFkwEwYHKoZIzj0CAQYIKoZI\n"
                             "zj0DAQcDQgAESeFtrlbOY+KizOtrZrMTW21SNI/LB90tLdh3Bw8DBJFgN/BFibzs\n"
                             "2q/+q+02/mgCjgJEn4bEEbLT6zAogQttvKNCMEAwDwYDVR0TAQH/BAUwAwEB/zAO\n"
                             "BgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFNEXTVTCCWCSSdyp1Op9Z/vyKIFeMAoG\n"
                             "CCqGSM49BAMCA0cAMEQCIGnb5egZCmGi5qIbfFe0knQ2Kp9QjJkbOK/2hjabJOvQ\n"
                             "AiAf4Dx18YDmRhqkVRJcRr0VYD+hjo50Bpk1riGclrLHLw==\n"
                             "-----END CERTIFICATE-----\n";
static const char kDsaAKey[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwoJ/rSohkIlfGdYz\n"
                               "tbo3Ou1h6QojPA36+QMJXdXZazWhRANCAATjAGSAuT2LXP0Y3+7D0TsFCbaO1u2t\n"
                               "/c/0d694kh5+2mjv/ZdqnmUVwqgGCoKRQPtUdOEKzznm7aqlg1eIp7ny\n"
                               "-----END PRIVATE KEY-----\n";
static const char kDsaACrt[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIICKjCCAdCgAwIBAgICAQEwCgYIKoZIzj0EAwIwTjELMAkGA1UEBhMCWFgxHDAa\n"
                               "BgNVBAoME0NhY2hldCBGdXp6IERvbWFpbnMxITAfBgNVBAMMGGNhY2hldCBmdXp6\n"
                               "IGRvbWFpbnMgcm9vdDAgFw0yNjAxMDEwMDAwMDBaGA8yMTI2MDEwMTAwMDAwMFow\n"
                               "RDELMAkGA1UEBhMCWFgxEjAQBgNVBAoMCUEgRXhhbXBsZTEhMB8GA1UEAwwYZG9t\n"
                               "YWluLXNpZ25pbmctYXV0aG9yaXR5MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
                               "4wBkgLk9i1z9GN/uw9E7BQm2jtbtrf3P9HeveJIeftpo7/2Xap5lFcKoBgqCkUD7\n"
                               "VHThCs855u2qpYNXiKe58qOBpTCBojAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQE\n"
                               "AwIGwDATBgNVHSUEDDAKBggrBgEFBQcDBDAtBgNVHREEJjAkgSJkb21haW4tc2ln\n"
                               "bmluZy1hdXRob3JpdHlAYS5leGFtcGxlMB0GA1UdDgQWBBQrl3K/XYI8OKw5BKs7\n"
                               "6xFTdHqqtDAfBgNVHSMEGDAWgBTRF01UwglgkkncqdTqfWf78iiBXjAKBggqhkjO\n"
                               "PQQDAgNIADBFAiEAlW1N6Be5yYGQ0XKzMlZYpb6Tl54DHb2lTY3LXwX/isUCIBDx\n"
                               "ktuvL91UKXyLitJko0fDWzMYrG+bpWI06TVWAiTy\n"
                               "-----END CERTIFICATE-----\n";
static const char kDcaAKey[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0phoQaXqqFHhaXqr\n"
                               "ifPkKuguv4AYN/K6RvLdwbwe4NyhRANCAASe+0N5RADBV2ohUEFZu/iaYBFyeyuA\n"
                               "DP//GeByeJey+gRcnNR3J2c8BovtAhTuQd0g0qLyzmYRvzH2JmD5EbJy\n"
                               "-----END PRIVATE KEY-----\n";
static const char kDcaACrt[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIICOzCCAeCgAwIBAgICAQIwCgYIKoZIzj0EAwIwTjELMAkGA1UEBhMCWFgxHDAa\n"
                               "BgNVBAoME0NhY2hldCBGdXp6IERvbWFpbnMxITAfBgNVBAMMGGNhY2hldCBmdXp6\n"
                               "IGRvbWFpbnMgcm9vdDAgFw0yNjAxMDEwMDAwMDBaGA8yMTI2MDEwMTAwMDAwMFow\n"
                               "TDELMAkGA1UEBhMCWFgxEjAQBgNVBAoMCUEgRXhhbXBsZTEpMCcGA1UEAwwgZG9t\n"
                               "YWluLWNvbmZpZGVudGlhbGl0eS1hdXRob3JpdHkwWTATBgcqhkjOPQIBBggqhkjO\n"
                               "PQMBBwNCAASe+0N5RADBV2ohUEFZu/iaYBFyeyuADP//GeByeJey+gRcnNR3J2c8\n"
                               "BovtAhTuQd0g0qLyzmYRvzH2JmD5EbJyo4GtMIGqMAwGA1UdEwEB/wQCMAAwDgYD\n"
                               "VR0PAQH/BAQDAgMIMBMGA1UdJQQMMAoGCCsGAQUFBwMEMDUGA1UdEQQuMCyBKmRv\n"
                               "bWFpbi1jb25maWRlbnRpYWxpdHktYXV0aG9yaXR5QGEuZXhhbXBsZTAdBgNVHQ4E\n"
                               "FgQUzEfmhLKRsHsJnKtYy2F8O8k0rPwwHwYDVR0jBBgwFoAU0RdNVMIJYJJJ3KnU\n"
                               "6n1n+/IogV4wCgYIKoZIzj0EAwIDSQAwRgIhAN6NnTQ1BYCkz79Vx1FhPN8KBWk+\n"
                               "8GqdLIRfEJizTbN/AiEA5xFeho7j8hp5CCVgz7KpckIl/po6z1NOF29rZROECzE=\n"
                               "-----END CERTIFICATE-----\n";
static const char kDcaBKey[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgUaaBju+ejT9eW4HR\n"
                               "KKqJFswiGb9y6fjISEPVBEU4cr6hRANCAASZSKtfH9ZqNp9arJniF8QNRy/TMjEP\n"
                               "oratQUMcY68tXVX2uB0vnsGDckjx3ULdvuQLQ2A5GrWrYe7zahJaxblS\n"
                               "-----END PRIVATE KEY-----\n";
static const char kDcaBCrt[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIICOjCCAeCgAwIBAgICAgIwCgYIKoZIzj0EAwIwTjELMAkGA1UEBhMCWFgxHDAa\n"
                               "BgNVBAoME0NhY2hldCBGdXp6IERvbWFpbnMxITAfBgNVBAMMGGNhY2hldCBmdXp6\n"
                               "IGRvbWFpbnMgcm9vdDAgFw0yNjAxMDEwMDAwMDBaGA8yMTI2MDEwMTAwMDAwMFow\n"
                               "TDELMAkGA1UEBhMCWFgxEjAQBgNVBAoMCUIgRXhhbXBsZTEpMCcGA1UEAwwgZG9t\n"
                               "YWluLWNvbmZpZGVudGlhbGl0eS1hdXRob3JpdHkwWTATBgcqhkjOPQIBBggqhkjO\n"
                               "PQMBBwNCAASZSKtfH9ZqNp9arJniF8QNRy/TMjEPoratQUMcY68tXVX2uB0vnsGD\n"
                               "ckjx3ULdvuQLQ2A5GrWrYe7zahJaxblSo4GtMIGqMAwGA1UdEwEB/wQCMAAwDgYD\n"
                               "VR0PAQH/BAQDAgMIMBMGA1UdJQQMMAoGCCsGAQUFBwMEMDUGA1UdEQQuMCyBKmRv\n"
                               "bWFpbi1jb25maWRlbnRpYWxpdHktYXV0aG9yaXR5QGIuZXhhbXBsZTAdBgNVHQ4E\n"
                               "FgQUA/s6SKNpt6OWzSAM9tZy4cxbYZwwHwYDVR0jBBgwFoAU0RdNVMIJYJJJ3KnU\n"
                               "6n1n+/IogV4wCgYIKoZIzj0EAwIDSAAwRQIgUQBzRT1AGwZuddr0MfdbiMHwzKui\n"
                               "qkFZJcJHl9ipOqMCIQCwsZlgBuaTEMy+lgIHdWanCSOlC+4qxPo69hVwz2M+aA==\n"
                               "-----END CERTIFICATE-----\n";

static char g_dir[256];
static cachetd_config *g_cfg;
static cachetd_keys *g_keys;
static cachet_ctx *g_verify_ctx;
static cachet_credential *g_dca_b;

static void cleanup(void) {
    if (g_dir[0] != '\0') {
        static const char *const files[] = {"ca.crt",       "dsa-a.key",       "dsa-a.crt",
                                            "dca-a.key",    "dca-a.crt",       "dca-b.key",
                                            "dca-b.crt",    "store.db",        "store.db-wal",
                                            "store.db-shm", "store.db-journal"};
        char p[512];
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            snprintf(p, sizeof(p), "%s/%s", g_dir, files[i]);
            unlink(p);
        }
        rmdir(g_dir);
    }
}

static char g_pristine[512];

static void copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    REQUIRE(in != NULL && out != NULL);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        REQUIRE(fwrite(buf, 1, n, out) == n);
    }
    fclose(in);
    REQUIRE(fclose(out) == 0);
}

/* restore_store puts the store back as setup made it: inbound processing
 * harvests signer certificates into it, and an input must not change what the
 * next one meets (a finding must replay alone). */
static void restore_store(void) {
    char url[512];
    snprintf(url, sizeof(url), "%s/store.db", g_dir);
    copy_file(g_pristine, url);
    static const char *const side[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
        char p[600];
        snprintf(p, sizeof(p), "%s%s", url, side[i]);
        unlink(p);
    }
}

static const char *put(const char *name, const char *text) {
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", g_dir, name);
    FILE *f = fopen(p, "wb");
    REQUIRE(f != NULL);
    REQUIRE(fwrite(text, 1, strlen(text), f) == strlen(text));
    fclose(f);
    REQUIRE(chmod(p, 0600) == 0); /* key files readable by others are refused */
    return p;
}

static void setup(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof(g_dir), "%s/cachet-fuzz-milter-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    REQUIRE(mkdtemp(g_dir) != NULL);
    atexit(cleanup);
    char url[512];
    snprintf(url, sizeof(url), "%s/store.db", g_dir);
    cachet_store *st = NULL;
    cachet_error e;
    cachet_err_clear(&e);
    cachet_import_result res;
    REQUIRE(cachet_store_open(url, &st, &e) == CACHET_OK);
    const char *ca = put("ca.crt", kCaCrt);
    REQUIRE(cachet_store_import(st, (const uint8_t *)kCaCrt, strlen(kCaCrt), ca, NULL,
                                CACHET_ORIGIN_IMPORTED, &res, &e) == CACHET_OK);
    REQUIRE(cachet_store_trust(st, res.first_fp, true, &e) == CACHET_OK);
    static const char *const keys[][4] = {{"dsa-a.key", "dsa-a.crt", kDsaAKey, kDsaACrt},
                                          {"dca-a.key", "dca-a.crt", kDcaAKey, kDcaACrt}};
    for (size_t i = 0; i < 2; i++) {
        const char *k = put(keys[i][0], keys[i][2]);
        const char *c = put(keys[i][1], keys[i][3]);
        REQUIRE(cachet_store_import_key_files(st, k, c, NULL, &res, &e) == CACHET_OK);
    }
    const char *dcab = put("dca-b.crt", kDcaBCrt);
    REQUIRE(cachet_store_import(st, (const uint8_t *)kDcaBCrt, strlen(kDcaBCrt), dcab, NULL,
                                CACHET_ORIGIN_IMPORTED, &res, &e) == CACHET_OK);
    cachet_store_close(st);
    snprintf(g_pristine, sizeof(g_pristine), "%s/store.pristine", g_dir);
    copy_file(url, g_pristine);

    char text[1024], err[512] = "";
    snprintf(text, sizeof(text),
             "[cachetd]\nstore = %s\nauthserv_id = mx.a.example\nmax_message_size = 1048576\n"
             "[domain a.example]\n",
             url);
    g_cfg = cachetd_config_parse_string(text, "fuzz.conf", err, sizeof(err));
    REQUIRE(g_cfg != NULL);
    g_keys = cachetd_keys_load(g_cfg, err, sizeof(err));
    REQUIRE(g_keys != NULL);

    /* What a.example's gateway writes is read back as b.example would. */
    g_verify_ctx = cachet_ctx_new();
    REQUIRE(g_verify_ctx != NULL && cachet_ctx_add_trust_file(g_verify_ctx, ca) == CACHET_OK);
    cachet_ctx_set_address_check(g_verify_ctx, false);
    const char *bk = put("dca-b.key", kDcaBKey);
    REQUIRE(cachet_credential_load(dcab, bk, NULL, &g_dca_b, &e) == CACHET_OK);
}

/* ---- the milter's view of the message ---- */

typedef struct field {
    char *name;
    char *value; /* as libmilter gives it: folded lines joined with LF */
    bool forged_ar;
} field;

typedef struct milter_msg {
    field *fields;
    size_t num_fields;
    cachet_membuf body;
    uint64_t size; /* counted as cachetd_size_add does */
} milter_msg;

static char *dup_n(const uint8_t *s, size_t n) {
    /* libmilter strings end at the first NUL. */
    const uint8_t *nul = memchr(s, '\0', n);
    if (nul != NULL) {
        n = (size_t)(nul - s);
    }
    char *r = malloc(n + 1);
    REQUIRE(r != NULL);
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

/* line_end: the end of the line starting at |i| (without its CRLF or LF) and
 * where the next one starts. */
static size_t line_end(const uint8_t *d, size_t n, size_t i, size_t *next) {
    const uint8_t *lf = memchr(d + i, '\n', n - i);
    size_t e = lf != NULL ? (size_t)(lf - d) : n;
    *next = lf != NULL ? e + 1 : n;
    if (e > i && d[e - 1] == '\r') {
        e--;
    }
    return e;
}

static bool is_field_name(const uint8_t *s, size_t n) {
    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] <= 32 || s[i] >= 127 || s[i] == ':') {
            return false;
        }
    }
    return true;
}

static void add_field(milter_msg *m, char *name, char *value, const char *authserv_id) {
    field *f = realloc(m->fields, (m->num_fields + 1) * sizeof(*f));
    REQUIRE(f != NULL);
    m->fields = f;
    f = &m->fields[m->num_fields++];
    f->name = name;
    f->value = value;
    /* Counted as "Name: value\r\n" (cachetd_cb_header). */
    m->size += strlen(name) + strlen(value) + 4;
    f->forged_ar = strcasecmp(name, "Authentication-Results") == 0 &&
                   cachetd_authres_claims_id(value, authserv_id);
}

/* split reads the header fields as an MTA hands them to a milter; the first
 * line that is not a field (an empty one is consumed) starts the body, which
 * arrives in chunks of at most 64 KiB (cachetd_cb_body). */
static void split(const uint8_t *d, size_t n, milter_msg *m, const char *authserv_id) {
    size_t i = 0;
    while (i < n) {
        size_t next;
        size_t e = line_end(d, n, i, &next);
        if (e == i) {
            i = next;
            break;
        }
        const uint8_t *colon = memchr(d + i, ':', e - i);
        if (colon == NULL || !is_field_name(d + i, (size_t)(colon - (d + i)))) {
            break;
        }
        char *name = dup_n(d + i, (size_t)(colon - (d + i)));
        size_t vstart = (size_t)(colon - d) + 1;
        if (vstart < e && d[vstart] == ' ') {
            vstart++;
        }
        cachet_membuf v = {0};
        REQUIRE(cachet_membuf_append(&v, d + vstart, e - vstart));
        i = next;
        while (i < n && (d[i] == ' ' || d[i] == '\t')) { /* folded: joined with LF */
            e = line_end(d, n, i, &next);
            REQUIRE(cachet_membuf_append(&v, "\n", 1) && cachet_membuf_append(&v, d + i, e - i));
            i = next;
        }
        add_field(m, name, dup_n(v.len != 0 ? v.data : (const uint8_t *)"", v.len), authserv_id);
        cachet_membuf_free(&v);
    }
    for (size_t off = i; off < n; off += 65536) {
        size_t c = n - off < 65536 ? n - off : 65536;
        m->size += c;
        REQUIRE(cachet_membuf_append(&m->body, d + off, c));
    }
}

static void append_crlf(cachet_membuf *b, const char *s) {
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '\n' && (p == s || p[-1] != '\r')) {
            REQUIRE(cachet_membuf_append(b, "\r", 1));
        }
        REQUIRE(cachet_membuf_append(b, p, 1));
    }
}

/* rebuild: the message as cachetd_rebuild gives it to cachetd_process. */
static void rebuild(const milter_msg *m, cachet_membuf *msg) {
    for (size_t i = 0; i < m->num_fields; i++) {
        const field *f = &m->fields[i];
        if (f->forged_ar) {
            continue;
        }
        bool space = f->value[0] != ' ' && f->value[0] != '\t';
        REQUIRE(cachet_membuf_append(msg, f->name, strlen(f->name)) &&
                cachet_membuf_append(msg, space ? ": " : ":", space ? 2 : 1));
        append_crlf(msg, f->value);
        REQUIRE(cachet_membuf_append(msg, "\r\n", 2));
    }
    REQUIRE(cachet_membuf_append(msg, "\r\n", 2));
    if (m->body.len != 0) {
        REQUIRE(cachet_membuf_append(msg, m->body.data, m->body.len));
    }
}

static void free_msg(milter_msg *m) {
    for (size_t i = 0; i < m->num_fields; i++) {
        free(m->fields[i].name);
        free(m->fields[i].value);
    }
    free(m->fields);
    cachet_membuf_free(&m->body);
}

/* ---- oracles ---- */

static bool one_line(const char *s) {
    return strchr(s, '\r') == NULL && strchr(s, '\n') == NULL;
}

/* folded_ok: every line break is CRLF followed by a blank (folding). */
static bool folded_ok(const char *s) {
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '\r' && !(p[1] == '\n' && (p[2] == ' ' || p[2] == '\t'))) {
            return false;
        }
        if (*p == '\n' && (p == s || p[-1] != '\r')) {
            return false;
        }
    }
    return true;
}

static void check_result(const cachetd_result *r, bool outbound, bool had_smime) {
    REQUIRE(r->verdict == CACHETD_CONTINUE || r->verdict == CACHETD_TEMPFAIL ||
            r->verdict == CACHETD_REJECT);
    REQUIRE(memchr(r->smtp_text, '\0', sizeof(r->smtp_text)) != NULL && one_line(r->smtp_text));
    /* Authentication-Results may be folded (CRLF + blank), never broken. */
    REQUIRE(memchr(r->authres, '\0', sizeof(r->authres)) != NULL && folded_ok(r->authres));
    REQUIRE(memchr(r->summary, '\0', sizeof(r->summary)) != NULL && one_line(r->summary));
    if (r->verdict != CACHETD_CONTINUE) {
        char c = r->verdict == CACHETD_TEMPFAIL ? '4' : '5';
        REQUIRE(strlen(r->smtp_rcode) == 3 && r->smtp_rcode[0] == c);
        REQUIRE(r->smtp_xcode[0] == c && r->smtp_xcode[1] == '.');
        REQUIRE(!r->replaced); /* nothing half-done leaves */
        return;
    }
    if (!r->replaced) {
        return;
    }
    const cachet_membuf *m = &r->new_message;
    REQUIRE(m->len > 0 && r->body != NULL && r->body >= m->data && r->body <= m->data + m->len);
    REQUIRE(r->body + r->body_len == m->data + m->len);
    size_t head = (size_t)(r->body - m->data);
    REQUIRE(head >= 2 && memcmp(r->body - 2, "\r\n", 2) == 0);
    REQUIRE(head == 2 || (head >= 4 && memcmp(r->body - 4, "\r\n\r\n", 4) == 0));
    for (size_t i = 0; i < r->num_content_fields; i++) {
        const cachetd_field *f = &r->content_fields[i];
        REQUIRE(strncasecmp(f->name, "Content-", 8) == 0 ||
                strcasecmp(f->name, "MIME-Version") == 0);
        REQUIRE(folded_ok(f->value));
    }
    if (outbound) {
        /* What leaves must open and verify at the other end. */
        cachet_verify_opts o = {.decrypt_with = g_dca_b};
        cachet_membuf content = {.max = 4u << 20};
        cachet_sink sink = cachet_sink_membuf(&content);
        cachet_error e;
        cachet_err_clear(&e);
        cachet_op *op = cachet_verify_new(g_verify_ctx, &o, &sink, &e);
        REQUIRE(op != NULL);
        cachet_status st = cachet_op_update(op, m->data, m->len);
        cachet_report *rep = NULL;
        cachet_status fst = cachet_op_finish(op, &rep);
        /* A message that already held S/MIME travels inside as it came: its own
         * layers (say, encrypted to someone else) may not open at b.example. */
        REQUIRE((st == CACHET_OK && fst == CACHET_OK && rep != NULL && rep->valid) || had_smime);
        cachet_report_free(rep);
        cachet_op_free(op);
        cachet_membuf_free(&content);
    }
}

/* has_pkcs7: the message names a PKCS #7 media type somewhere (any case). */
static bool has_pkcs7(const cachet_membuf *m) {
    static const char needle[] = "pkcs7-";
    for (size_t i = 0; i + sizeof(needle) - 1 <= m->len; i++) {
        if (strncasecmp((const char *)m->data + i, needle, sizeof(needle) - 1) == 0) {
            return true;
        }
    }
    return false;
}

static bool same_result(const cachetd_result *a, const cachetd_result *b) {
    if (a->verdict != b->verdict || strcmp(a->smtp_rcode, b->smtp_rcode) != 0 ||
        strcmp(a->smtp_xcode, b->smtp_xcode) != 0 || strcmp(a->smtp_text, b->smtp_text) != 0 ||
        a->replaced != b->replaced || a->num_content_fields != b->num_content_fields ||
        strcmp(a->authres, b->authres) != 0 || a->quarantine != b->quarantine ||
        strcmp(a->quarantine_to, b->quarantine_to) != 0) {
        return false;
    }
    for (size_t i = 0; i < a->num_content_fields; i++) {
        if (strcmp(a->content_fields[i].name, b->content_fields[i].name) != 0) {
            return false;
        }
    }
    return true;
}

static void process(const cachet_membuf *msg, bool outbound) {
    const char *alice = "alice@a.example", *bob = "bob@b.example";
    const char *rcpt = outbound ? bob : alice;
    cachetd_envelope env = {
        .queue_id = "FUZZ1",
        .sender = outbound ? alice : bob,
        .recipients = &rcpt,
        .num_recipients = 1,
        .auth_authen = outbound ? "alice" : NULL,
        .client_addr = outbound ? "127.0.0.1" : "198.51.100.9",
    };
    cachetd_result r[2];
    for (int i = 0; i < 2; i++) {
        memset(&r[i], 0, sizeof(r[i]));
        cachetd_process(g_cfg, g_keys, &env, msg->data, msg->len, &r[i]);
        check_result(&r[i], outbound, has_pkcs7(msg));
    }
    if (getenv("CACHET_FUZZ_VERBOSE") != NULL) {
        fprintf(stderr, "%s: %s %s %s replaced=%d | %s | A-R: %s\n",
                outbound ? "outbound" : "inbound", cachetd_verdict_name(r[0].verdict),
                r[0].smtp_rcode, r[0].smtp_text, r[0].replaced, r[0].summary, r[0].authres);
    }
    REQUIRE(same_result(&r[0], &r[1]));
    cachetd_result_clear(&r[0]);
    cachetd_result_clear(&r[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (g_cfg == NULL) {
        setup();
    }
    restore_store();
    milter_msg m = {0};
    split(data, size, &m, g_cfg->authserv_id);
    if (m.size > g_cfg->max_message_size) {
        free_msg(&m); /* the milter rejects it before the end of the message */
        return 0;
    }
    cachet_membuf msg = {0};
    rebuild(&m, &msg);
    free_msg(&m);
    process(&msg, true);
    process(&msg, false);
    cachet_membuf_free(&msg);
    return 0;
}
