/* cachet_sink.discard_on_failure: the reading operations (verify, decrypt,
 * decompress) write through to such a sink as they go, and finish decides; a
 * sink without the flag gets nothing before finish succeeded (the hold). Both
 * must end with the same status, error (status, where, offset, message),
 * report and output bytes, whatever the chunking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cachet/cachet.h>

#include "base/base.h"
#include "testlib.h"

/* A sink that counts what it got, and when. */
typedef struct watch {
    cachet_membuf buf;
    size_t writes;
    size_t writes_after_fail; /* writes after the op reported a failure */
    bool op_failed;           /* set by the test once an update failed */
    size_t fail_after;        /* > 0: fail every write once this many bytes came */
} watch;

static cachet_status watch_write(void *arg, const uint8_t *data, size_t len) {
    watch *w = arg;
    w->writes++;
    if (w->op_failed) {
        w->writes_after_fail++;
    }
    if (w->fail_after > 0 && w->buf.len + len > w->fail_after) {
        return CACHET_ERR_IO;
    }
    return cachet_membuf_append(&w->buf, data, len) ? CACHET_OK : CACHET_ERR_NOMEM;
}

static char pki[512];

static const char *pki_path(const char *name) {
    static char path[600];
    snprintf(path, sizeof(path), "%s/%s", pki, name);
    return path;
}

static cachet_credential *load_cred(const char *name) {
    char crt[64], key[64];
    snprintf(crt, sizeof(crt), "%s.pem", name);
    snprintf(key, sizeof(key), "%s.key", name);
    char crt_path[600];
    snprintf(crt_path, sizeof(crt_path), "%s", pki_path(crt));
    cachet_credential *c = NULL;
    cachet_error e;
    memset(&e, 0, sizeof(e));
    cachet_status st = cachet_credential_load(crt_path, pki_path(key), NULL, &c, &e);
    if (st != CACHET_OK) {
        fprintf(stderr, "credential %s: %s\n", name, e.message);
    }
    CHECK_EQ_INT(st, CACHET_OK);
    return c;
}

static cachet_ctx *make_ctx(void) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, pki_path("ca.crt")), CACHET_OK);
    return ctx;
}

/* The plain message: text lines (LF and CRLF mixed, so that canonical form
 * matters) beyond the hold's memory bound (1 MiB), so the hold spills. */
static cachet_membuf plain_message(size_t lines) {
    cachet_membuf m = {0};
    const char *hdr = "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: stream\r\n"
                      "Content-Type: text/plain; charset=us-ascii\r\n\r\n";
    CHECK(cachet_membuf_append(&m, hdr, strlen(hdr)));
    for (size_t i = 0; i < lines; i++) {
        char line[96];
        int n = snprintf(line, sizeof(line), "line %07zu of the streamed message, some text%s", i,
                         i % 7 == 3 ? "\n" : "\r\n");
        CHECK(cachet_membuf_append(&m, line, (size_t)n));
    }
    return m;
}

typedef enum gen_kind {
    GEN_SIGN,
    GEN_SIGN_OPAQUE,
    GEN_ENC_GCM,
    GEN_ENC_CBC,
    GEN_COMPRESS
} gen_kind;

static cachet_membuf generate(gen_kind kind, bool raw, const cachet_membuf *in,
                              const cachet_credential *alice, cachet_cert *bob_cert) {
    cachet_ctx *ctx = make_ctx();
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_error e;
    memset(&e, 0, sizeof(e));
    cachet_op *op = NULL;
    cachet_format fmt = raw ? CACHET_FORMAT_DER : CACHET_FORMAT_SMIME;
    if (kind == GEN_SIGN || kind == GEN_SIGN_OPAQUE) {
        cachet_sign_opts o = {
            .signer = alice, .opaque = kind == GEN_SIGN_OPAQUE || raw, .raw = raw, .format = fmt};
        op = cachet_sign_new(ctx, &o, &sink, &e);
    } else if (kind == GEN_COMPRESS) {
        cachet_compress_opts o = {.raw = raw, .format = fmt};
        op = cachet_compress_new(ctx, &o, &sink, &e);
    } else {
        cachet_cert *rcpt[] = {bob_cert};
        cachet_encrypt_opts o = {.recipients = rcpt,
                                 .num_recipients = 1,
                                 .cipher = kind == GEN_ENC_GCM ? CACHET_CIPHER_CHOICE_AES256_GCM
                                                               : CACHET_CIPHER_CHOICE_AES256_CBC,
                                 .raw = raw,
                                 .format = fmt};
        op = cachet_encrypt_new(ctx, &o, &sink, &e);
    }
    CHECK(op != NULL);
    if (op != NULL) {
        CHECK_EQ_INT(cachet_op_update(op, in->data, in->len), CACHET_OK);
        CHECK_EQ_INT(cachet_op_finish(op, NULL), CACHET_OK);
    }
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    return out;
}

typedef enum rd_kind { RD_VERIFY, RD_DECRYPT, RD_DECOMPRESS } rd_kind;

typedef struct outcome {
    cachet_status st;
    cachet_error err;
    bool have_report;
    bool valid;
    size_t num_layers;
    size_t before_finish; /* bytes the sink had when finish was called */
} outcome;

/* run_reader feeds |in| to a reading op (chunks: 0 = whole, else random up to
 * |chunk|) writing to |w| with |discard| as the flag. */
static outcome run_reader(rd_kind kind, bool raw, const cachet_membuf *in, bool discard,
                          size_t chunk, uint32_t seed, const cachet_credential *bob, watch *w) {
    cachet_ctx *ctx = make_ctx();
    cachet_sink sink = {.write = watch_write, .arg = w, .discard_on_failure = discard};
    cachet_error e;
    memset(&e, 0, sizeof(e));
    cachet_op *op = NULL;
    if (kind == RD_VERIFY) {
        cachet_verify_opts o = {.raw = raw};
        op = cachet_verify_new(ctx, &o, &sink, &e);
    } else if (kind == RD_DECRYPT) {
        cachet_decrypt_opts o = {.cred = bob, .raw = raw};
        op = cachet_decrypt_new(ctx, &o, &sink, &e);
    } else {
        cachet_compress_opts o = {.raw = raw};
        op = cachet_decompress_new(ctx, &o, &sink, &e);
    }
    outcome r;
    memset(&r, 0, sizeof(r));
    CHECK(op != NULL);
    if (op == NULL) {
        cachet_ctx_free(ctx);
        r.st = CACHET_ERR_INTERNAL;
        return r;
    }
    size_t off = 0;
    while (off < in->len) {
        size_t n = chunk == 0 ? in->len : 1 + cachet_test_rand(&seed) % chunk;
        if (n > in->len - off) {
            n = in->len - off;
        }
        if (cachet_op_update(op, in->data + off, n) != CACHET_OK) {
            w->op_failed = true;
            break;
        }
        off += n;
    }
    r.before_finish = w->buf.len;
    cachet_report *rep = NULL;
    r.st = cachet_op_finish(op, &rep);
    r.err = *cachet_op_error(op);
    if (rep != NULL) {
        r.have_report = true;
        r.valid = rep->valid;
        r.num_layers = rep->num_layers;
        cachet_report_free(rep);
    }
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    return r;
}

static void same_outcome(const outcome *a, const outcome *b) {
    CHECK_EQ_INT(a->st, b->st);
    CHECK_EQ_INT(a->err.status, b->err.status);
    CHECK_STR(a->err.where, b->err.where);
    CHECK_EQ_INT(a->err.offset, b->err.offset);
    CHECK_STR(a->err.message, b->err.message);
    CHECK_EQ_INT(a->have_report, b->have_report);
    CHECK_EQ_INT(a->valid, b->valid);
    CHECK_EQ_INT(a->num_layers, b->num_layers);
}

/* tamper changes one character in the middle of |m|: a base64 letter (so the
 * encoding stays valid) or, in raw DER, one byte of the content. */
static void tamper(cachet_membuf *m, bool raw) {
    size_t i = m->len / 2;
    if (raw) {
        m->data[i] ^= 0x01;
        return;
    }
    while (i < m->len && !((m->data[i] >= 'a' && m->data[i] <= 'y') ||
                           (m->data[i] >= 'A' && m->data[i] <= 'Y'))) {
        i++;
    }
    CHECK(i < m->len);
    m->data[i]++;
}

typedef struct rd_case {
    const char *name;
    gen_kind gen;
    rd_kind rd;
    bool raw;
    bool tampered;
    cachet_status want; /* the outcome expected */
} rd_case;

static const rd_case cases[] = {
    {"multipart/signed", GEN_SIGN, RD_VERIFY, false, false, CACHET_OK},
    {"multipart/signed, body changed", GEN_SIGN, RD_VERIFY, false, true, CACHET_ERR_BAD_SIGNATURE},
    {"opaque signed", GEN_SIGN_OPAQUE, RD_VERIFY, false, false, CACHET_OK},
    {"opaque signed, content changed", GEN_SIGN_OPAQUE, RD_VERIFY, false, true,
     CACHET_ERR_BAD_SIGNATURE},
    {"raw signed", GEN_SIGN_OPAQUE, RD_VERIFY, true, false, CACHET_OK},
    {"raw signed, content changed", GEN_SIGN_OPAQUE, RD_VERIFY, true, true,
     CACHET_ERR_BAD_SIGNATURE},
    {"AES-GCM", GEN_ENC_GCM, RD_DECRYPT, false, false, CACHET_OK},
    {"AES-GCM, ciphertext changed (tag fails)", GEN_ENC_GCM, RD_DECRYPT, false, true,
     CACHET_ERR_DECRYPT},
    {"raw AES-GCM", GEN_ENC_GCM, RD_DECRYPT, true, false, CACHET_OK},
    {"raw AES-GCM, ciphertext changed (tag fails)", GEN_ENC_GCM, RD_DECRYPT, true, true,
     CACHET_ERR_DECRYPT},
    {"AES-CBC", GEN_ENC_CBC, RD_DECRYPT, false, false, CACHET_OK},
    {"compressed", GEN_COMPRESS, RD_DECOMPRESS, false, false, CACHET_OK},
    {"raw compressed", GEN_COMPRESS, RD_DECOMPRESS, true, false, CACHET_OK},
};

static void write_through_streams_and_finish_decides(void) {
    if (!cachet_test_make_pki(pki, sizeof(pki))) {
        CHECK(false);
        return;
    }
    cachet_credential *alice = load_cred("alice");
    cachet_credential *bob = load_cred("bob");
    cachet_cert *bob_cert = NULL;
    cachet_error e;
    memset(&e, 0, sizeof(e));
    CHECK_EQ_INT(cachet_cert_load_file(pki_path("bob.crt"), &bob_cert, &e), CACHET_OK);
    cachet_membuf plain = plain_message(25000); /* 1.3 MiB: the hold spills */
    uint32_t seed = 0x5eed;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const rd_case *c = &cases[i];
        cachet_membuf in = generate(c->gen, c->raw, &plain, alice, bob_cert);
        if (c->tampered) {
            tamper(&in, c->raw);
        }
        watch held = {0}, through = {0}, through_rnd = {0};
        outcome h = run_reader(c->rd, c->raw, &in, false, 0, 0, bob, &held);
        outcome t = run_reader(c->rd, c->raw, &in, true, 0, 0, bob, &through);
        outcome tr = run_reader(c->rd, c->raw, &in, true, 70000, seed++, bob, &through_rnd);
        if (h.st != c->want || t.st != c->want) {
            fprintf(stderr, "case %s: held %s (%s), through %s (%s)\n", c->name,
                    cachet_status_str(h.st), h.err.message, cachet_status_str(t.st), t.err.message);
        }
        CHECK_EQ_INT(h.st, c->want);
        same_outcome(&h, &t);
        same_outcome(&h, &tr);
        /* Held: nothing before finish, and nothing at all on failure. */
        CHECK_EQ_INT(h.before_finish, 0);
        /* Through: the output came as the input went (the plaintext of a GCM
         * message whose tag then fails included); finish adds at most what the
         * parser still had (the last line). */
        CHECK(t.before_finish > plain.len / 2);
        CHECK(tr.before_finish > plain.len / 2);
        CHECK(through.buf.len - t.before_finish < 1024);
        CHECK(through_rnd.buf.len - tr.before_finish < 1024);
        if (c->want == CACHET_OK) {
            CHECK(held.buf.len > plain.len / 2);
            CHECK_MEM(held.buf.data, held.buf.len, through.buf.data, through.buf.len);
            CHECK_MEM(held.buf.data, held.buf.len, through_rnd.buf.data, through_rnd.buf.len);
        } else {
            CHECK_EQ_INT(held.writes, 0);
        }
        cachet_membuf_free(&held.buf);
        cachet_membuf_free(&through.buf);
        cachet_membuf_free(&through_rnd.buf);
        cachet_membuf_free(&in);
    }
    cachet_membuf_free(&plain);
    cachet_cert_free(bob_cert);
    cachet_credential_free(alice);
    cachet_credential_free(bob);
}

/* A small message fed byte by byte ends the same both ways. */
static void byte_by_byte_write_through_matches_held(void) {
    if (!cachet_test_make_pki(pki, sizeof(pki))) {
        CHECK(false);
        return;
    }
    cachet_credential *alice = load_cred("alice");
    cachet_membuf plain = plain_message(300);
    cachet_membuf in = generate(GEN_SIGN, false, &plain, alice, NULL);
    watch held = {0}, through = {0};
    outcome h = run_reader(RD_VERIFY, false, &in, false, 0, 0, NULL, &held);
    outcome t = run_reader(RD_VERIFY, false, &in, true, 1, 0, NULL, &through);
    CHECK_EQ_INT(h.st, CACHET_OK);
    same_outcome(&h, &t);
    CHECK_MEM(held.buf.data, held.buf.len, through.buf.data, through.buf.len);
    CHECK(t.before_finish > through.buf.len / 2);
    cachet_membuf_free(&held.buf);
    cachet_membuf_free(&through.buf);
    cachet_membuf_free(&in);
    cachet_membuf_free(&plain);
    cachet_credential_free(alice);
}

/* The sink failing mid-way fails the op at once; nothing more is written. */
static void failing_sink_stops_the_op_and_gets_nothing_more(void) {
    if (!cachet_test_make_pki(pki, sizeof(pki))) {
        CHECK(false);
        return;
    }
    cachet_credential *alice = load_cred("alice");
    cachet_membuf plain = plain_message(40000);
    cachet_membuf in = generate(GEN_SIGN_OPAQUE, false, &plain, alice, NULL);
    watch w = {.fail_after = 100000};
    outcome r = run_reader(RD_VERIFY, false, &in, true, 4096, 7, NULL, &w);
    CHECK(w.op_failed); /* an update failed, before the end of the input */
    CHECK_EQ_INT(r.st, CACHET_ERR_IO);
    CHECK_STR(r.err.message, "writing the output failed");
    CHECK_EQ_INT(w.writes_after_fail, 0);
    CHECK(w.buf.len <= 100000);
    CHECK(!r.valid);
    cachet_membuf_free(&w.buf);
    cachet_membuf_free(&in);
    cachet_membuf_free(&plain);
    cachet_credential_free(alice);
}

static const cachet_test_case tests[] = {
    TEST_CASE(write_through_streams_and_finish_decides),
    TEST_CASE(byte_by_byte_write_through_matches_held),
    TEST_CASE(failing_sink_stops_the_op_and_gets_nothing_more),
};
TEST_MAIN(tests)
