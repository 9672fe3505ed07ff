/* One context and one credential used for many operations in a row (issue 6,
 * many small messages): every result is what a fresh context and a freshly
 * loaded credential give, deterministic parts byte for byte, and every
 * output is valid; the random parts (content keys, IVs, ECDSA nonces,
 * boundaries) are fresh each time. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cachet/cachet.h>

#include "testlib.h"

#define ROUNDS 12

static char pki[512];
static char path_buf[640];
static int64_t fixed_time;

static const char *pki_path(const char *name) {
    snprintf(path_buf, sizeof(path_buf), "%s/%s", pki, name);
    return path_buf;
}

static bool have_pki(void) {
    if (pki[0] != '\0') {
        return true;
    }
    if (!cachet_test_make_pki(pki, sizeof(pki))) {
        CHECK(false);
        return false;
    }
    /* one verification and signing time for the whole file: signingTime is
     * then the same in every signature */
    fixed_time = (int64_t)time(NULL);
    return true;
}

static cachet_ctx *new_ctx(void) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, pki_path("ca.crt")), CACHET_OK);
    cachet_ctx_set_time(ctx, fixed_time);
    return ctx;
}

static cachet_credential *load_cred(const char *name) {
    char crt[64], key[64];
    snprintf(crt, sizeof(crt), "%s.pem", name);
    snprintf(key, sizeof(key), "%s.key", name);
    char crt_path[640];
    snprintf(crt_path, sizeof(crt_path), "%s", pki_path(crt));
    cachet_credential *cred = NULL;
    cachet_error err;
    CHECK_EQ_INT(cachet_credential_load(crt_path, pki_path(key), NULL, &cred, &err), CACHET_OK);
    return cred;
}

static cachet_cert *load_cert(const char *name) {
    char crt[64];
    snprintf(crt, sizeof(crt), "%s.crt", name);
    cachet_cert *c = NULL;
    cachet_error err;
    CHECK_EQ_INT(cachet_cert_load_file(pki_path(crt), &c, &err), CACHET_OK);
    return c;
}

static const char message[] = "From: Alice <alice@example.com>\r\n"
                              "To: Bob <bob@example.com>\r\n"
                              "Subject: reuse\r\n"
                              "MIME-Version: 1.0\r\n"
                              "Content-Type: text/plain\r\n"
                              "\r\n"
                              "one of many small messages\r\n";

static const char carol_message[] = "From: Carol <carol@example.com>\r\n"
                                    "To: Bob <bob@example.com>\r\n"
                                    "Subject: reuse\r\n"
                                    "Content-Type: text/plain\r\n"
                                    "\r\n"
                                    "one of many small messages\r\n";

typedef enum kind { SIGN, ENCRYPT, VERIFY, DECRYPT } kind;

typedef struct job {
    kind k;
    const cachet_ctx *ctx;
    const void *opts;
    const uint8_t *in;
    size_t in_len;
} job;

/* run performs |j| whole; |out| is reset first. The report, if any, goes to
 * |rep| (freed by the caller) or is freed here. */
static cachet_status run(const job *j, cachet_membuf *out, cachet_report **rep) {
    out->len = 0;
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_error err;
    cachet_op *op = NULL;
    switch (j->k) {
        case SIGN:
            op = cachet_sign_new(j->ctx, j->opts, &sink, &err);
            break;
        case ENCRYPT:
            op = cachet_encrypt_new(j->ctx, j->opts, &sink, &err);
            break;
        case VERIFY:
            op = cachet_verify_new(j->ctx, j->opts, &sink, &err);
            break;
        case DECRYPT:
            op = cachet_decrypt_new(j->ctx, j->opts, &sink, &err);
            break;
    }
    if (op == NULL) {
        fprintf(stderr, "op: %s\n", err.message);
        return err.status != CACHET_OK ? err.status : CACHET_ERR_INTERNAL;
    }
    cachet_report *r = NULL;
    cachet_status st = cachet_op_update(op, j->in, j->in_len);
    cachet_status fst = cachet_op_finish(op, &r);
    cachet_op_free(op);
    if (rep != NULL) {
        *rep = r;
    } else {
        cachet_report_free(r);
    }
    return st != CACHET_OK ? st : fst;
}

static void copy(cachet_membuf *dst, const cachet_membuf *src) {
    dst->len = 0;
    cachet_sink s = cachet_sink_membuf(dst);
    CHECK_EQ_INT(cachet_sink_write(&s, src->data, src->len), CACHET_OK);
}

/* verify_raw checks that |signed_der| verifies, trusted, to |content|. */
static void verify_raw(const cachet_ctx *ctx, const cachet_membuf *signed_der,
                       const uint8_t *content, size_t content_len) {
    cachet_verify_opts vo = {.raw = true};
    job j = {VERIFY, ctx, &vo, signed_der->data, signed_der->len};
    cachet_membuf out = {0};
    cachet_report *rep = NULL;
    CHECK_EQ_INT(run(&j, &out, &rep), CACHET_OK);
    CHECK(rep != NULL && rep->valid);
    CHECK_MEM(out.data, out.len, content, content_len);
    cachet_report_free(rep);
    cachet_membuf_free(&out);
}

/* RSA PKCS#1 v1.5 signatures are deterministic: with the signing time fixed,
 * the raw SignedData of a reused credential is the same every time, and the
 * same as a fresh context with a freshly loaded credential makes. */
static void reused_rsa_credential_signs_byte_identically(void) {
    if (!have_pki()) {
        return;
    }
    cachet_ctx *ctx = new_ctx();
    cachet_credential *alice = load_cred("alice");
    cachet_sign_opts so = {.signer = alice, .raw = true, .opaque = true};
    job j = {SIGN, ctx, &so, (const uint8_t *)message, sizeof(message) - 1};
    cachet_membuf first = {0}, out = {0};
    CHECK_EQ_INT(run(&j, &out, NULL), CACHET_OK);
    copy(&first, &out);
    CHECK(first.len > 1000);
    for (int i = 1; i < ROUNDS; i++) {
        CHECK_EQ_INT(run(&j, &out, NULL), CACHET_OK);
        CHECK_MEM(out.data, out.len, first.data, first.len);
        verify_raw(ctx, &out, (const uint8_t *)message, sizeof(message) - 1);
    }
    cachet_ctx *fresh = new_ctx();
    cachet_credential *alice2 = load_cred("alice");
    cachet_sign_opts so2 = so;
    so2.signer = alice2;
    job j2 = {SIGN, fresh, &so2, (const uint8_t *)message, sizeof(message) - 1};
    CHECK_EQ_INT(run(&j2, &out, NULL), CACHET_OK);
    CHECK_MEM(out.data, out.len, first.data, first.len);
    cachet_credential_free(alice2);
    cachet_ctx_free(fresh);
    cachet_membuf_free(&first);
    cachet_membuf_free(&out);
    cachet_credential_free(alice);
    cachet_ctx_free(ctx);
}

/* normalise_boundary replaces every occurrence of the message's boundary by
 * a fixed string of the same length, in place. */
static bool normalise_boundary(cachet_membuf *m) {
    static const char key[] = "boundary=\"";
    const uint8_t *p = NULL;
    for (size_t i = 0; i + sizeof(key) - 1 <= m->len && p == NULL; i++) {
        if (memcmp(m->data + i, key, sizeof(key) - 1) == 0) {
            p = m->data + i + sizeof(key) - 1;
        }
    }
    if (p == NULL) {
        return false;
    }
    const uint8_t *end = memchr(p, '"', m->len - (size_t)(p - m->data));
    if (end == NULL || end == p) {
        return false;
    }
    size_t blen = (size_t)(end - p);
    char b[128];
    if (blen >= sizeof(b)) {
        return false;
    }
    memcpy(b, p, blen);
    for (size_t i = 0; i + blen <= m->len; i++) {
        if (memcmp(m->data + i, b, blen) == 0) {
            memset(m->data + i, 'B', blen);
            i += blen - 1;
        }
    }
    return true;
}

/* multipart/signed from a reused credential: the same bytes every time but
 * for the boundary, which is fresh each time; every message verifies. */
static void reused_credential_multipart_differs_only_in_boundary(void) {
    if (!have_pki()) {
        return;
    }
    cachet_ctx *ctx = new_ctx();
    cachet_credential *alice = load_cred("alice");
    cachet_sign_opts so = {.signer = alice};
    job j = {SIGN, ctx, &so, (const uint8_t *)message, sizeof(message) - 1};
    cachet_membuf first = {0}, out = {0}, seen = {0};
    CHECK_EQ_INT(run(&j, &out, NULL), CACHET_OK);
    copy(&seen, &out);
    copy(&first, &out);
    CHECK(normalise_boundary(&first));
    cachet_verify_opts vo = {0};
    for (int i = 1; i < ROUNDS; i++) {
        CHECK_EQ_INT(run(&j, &out, NULL), CACHET_OK);
        CHECK(out.len != seen.len || memcmp(out.data, seen.data, out.len) != 0);
        job v = {VERIFY, ctx, &vo, out.data, out.len};
        cachet_membuf got = {0};
        cachet_report *rep = NULL;
        CHECK_EQ_INT(run(&v, &got, &rep), CACHET_OK);
        CHECK(rep != NULL && rep->valid && rep->num_layers == 1);
        if (rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1) {
            CHECK_EQ_INT(rep->layers[0].signers[0].chain, CACHET_CHAIN_TRUSTED);
            CHECK_EQ_INT(rep->layers[0].signers[0].address_match, 1);
        }
        cachet_report_free(rep);
        cachet_membuf_free(&got);
        copy(&seen, &out);
        CHECK(normalise_boundary(&out));
        CHECK_MEM(out.data, out.len, first.data, first.len);
    }
    cachet_membuf_free(&first);
    cachet_membuf_free(&out);
    cachet_membuf_free(&seen);
    cachet_credential_free(alice);
    cachet_ctx_free(ctx);
}

/* ECDSA draws a fresh nonce per signature: a reused EC credential gives a
 * different, valid signature every time. */
static void reused_ec_credential_signs_freshly_and_validly(void) {
    if (!have_pki()) {
        return;
    }
    cachet_ctx *ctx = new_ctx();
    cachet_credential *carol = load_cred("carol");
    cachet_sign_opts so = {.signer = carol, .raw = true, .opaque = true};
    job j = {SIGN, ctx, &so, (const uint8_t *)message, sizeof(message) - 1};
    cachet_membuf outs[ROUNDS];
    memset(outs, 0, sizeof(outs));
    for (int i = 0; i < ROUNDS; i++) {
        CHECK_EQ_INT(run(&j, &outs[i], NULL), CACHET_OK);
        verify_raw(ctx, &outs[i], (const uint8_t *)message, sizeof(message) - 1);
        for (int k = 0; k < i; k++) {
            CHECK(outs[k].len != outs[i].len || memcmp(outs[k].data, outs[i].data, outs[i].len));
        }
    }
    for (int i = 0; i < ROUNDS; i++) {
        cachet_membuf_free(&outs[i]);
    }
    cachet_credential_free(carol);
    cachet_ctx_free(ctx);
}

/* Encrypting again and again to one recipient certificate: a fresh content
 * key and IV every time (no two messages alike), and the reused credential
 * decrypts each one to the exact message. RSA and ECDH, GCM and CBC. */
static void reused_recipient_gets_fresh_keys_and_decrypts(void) {
    if (!have_pki()) {
        return;
    }
    static const struct {
        const char *who;
        cachet_cipher_choice cipher;
    } cases[] = {
        {"alice", CACHET_CIPHER_CHOICE_AES256_GCM},
        {"alice", CACHET_CIPHER_CHOICE_AES256_CBC},
        {"carol", CACHET_CIPHER_CHOICE_AES256_GCM},
        {"carol", CACHET_CIPHER_CHOICE_AES128_CBC},
    };
    cachet_ctx *ctx = new_ctx();
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        cachet_credential *cred = load_cred(cases[c].who);
        cachet_cert *cert = load_cert(cases[c].who);
        cachet_cert *to[] = {cert};
        cachet_encrypt_opts eo = {
            .recipients = to, .num_recipients = 1, .cipher = cases[c].cipher, .raw = true};
        job e = {ENCRYPT, ctx, &eo, (const uint8_t *)message, sizeof(message) - 1};
        cachet_decrypt_opts dopt = {.cred = cred, .raw = true};
        cachet_membuf outs[ROUNDS], plain = {0};
        memset(outs, 0, sizeof(outs));
        for (int i = 0; i < ROUNDS; i++) {
            CHECK_EQ_INT(run(&e, &outs[i], NULL), CACHET_OK);
            for (int k = 0; k < i; k++) {
                CHECK(outs[k].len != outs[i].len ||
                      memcmp(outs[k].data, outs[i].data, outs[i].len) != 0);
            }
            job d = {DECRYPT, ctx, &dopt, outs[i].data, outs[i].len};
            CHECK_EQ_INT(run(&d, &plain, NULL), CACHET_OK);
            CHECK_MEM(plain.data, plain.len, message, sizeof(message) - 1);
        }
        for (int i = 0; i < ROUNDS; i++) {
            cachet_membuf_free(&outs[i]);
        }
        cachet_membuf_free(&plain);
        cachet_cert_free(cert);
        cachet_credential_free(cred);
    }
    cachet_ctx_free(ctx);
}

/* A reused context verifies one message the same way every time, and the
 * same way as a fresh context: the report and the output do not drift. */
static void reused_ctx_verifies_the_same_each_time(void) {
    if (!have_pki()) {
        return;
    }
    cachet_ctx *ctx = new_ctx();
    cachet_credential *carol = load_cred("carol");
    cachet_sign_opts so = {.signer = carol};
    job s = {SIGN, ctx, &so, (const uint8_t *)carol_message, sizeof(carol_message) - 1};
    cachet_membuf signed_msg = {0}, first = {0}, out = {0};
    CHECK_EQ_INT(run(&s, &signed_msg, NULL), CACHET_OK);
    cachet_verify_opts vo = {0};
    cachet_ctx *fresh = new_ctx();
    job v0 = {VERIFY, fresh, &vo, signed_msg.data, signed_msg.len};
    cachet_report *r0 = NULL;
    CHECK_EQ_INT(run(&v0, &first, &r0), CACHET_OK);
    CHECK(r0 != NULL && r0->valid && r0->num_layers == 1 && r0->layers[0].num_signers == 1);
    for (int i = 0; r0 != NULL && r0->num_layers == 1 && i < ROUNDS; i++) {
        job v = {VERIFY, ctx, &vo, signed_msg.data, signed_msg.len};
        cachet_report *r = NULL;
        CHECK_EQ_INT(run(&v, &out, &r), CACHET_OK);
        CHECK_MEM(out.data, out.len, first.data, first.len);
        CHECK(r != NULL && r->valid && r->num_layers == 1 && r->layers[0].num_signers == 1);
        if (r != NULL && r->num_layers == 1 && r->layers[0].num_signers == 1) {
            const cachet_signer_report *a = &r->layers[0].signers[0];
            const cachet_signer_report *b = &r0->layers[0].signers[0];
            CHECK_STR(a->subject, b->subject);
            CHECK_STR(a->algorithm, b->algorithm);
            CHECK_EQ_INT(a->chain, CACHET_CHAIN_TRUSTED);
            CHECK_EQ_INT(a->address_match, b->address_match);
            CHECK_EQ_INT(a->num_emails, b->num_emails);
            CHECK_EQ_INT(a->signing_time, fixed_time);
        }
        cachet_report_free(r);
    }
    cachet_report_free(r0);
    cachet_ctx_free(fresh);
    cachet_membuf_free(&signed_msg);
    cachet_membuf_free(&first);
    cachet_membuf_free(&out);
    cachet_credential_free(carol);
    cachet_ctx_free(ctx);
}

/* A message signed by someone else (a certificate the context has not seen)
 * between two of ours: each is judged on its own certificates. */
static void interleaved_signers_are_not_confused(void) {
    if (!have_pki()) {
        return;
    }
    cachet_ctx *ctx = new_ctx();
    cachet_credential *alice = load_cred("alice");
    cachet_credential *fake = NULL;
    cachet_error err;
    char crt[640];
    snprintf(crt, sizeof(crt), "%s", pki_path("fakealice.crt"));
    CHECK_EQ_INT(cachet_credential_load(crt, pki_path("fakealice.key"), NULL, &fake, &err),
                 CACHET_OK);
    cachet_sign_opts good = {.signer = alice}, bad = {.signer = fake};
    cachet_verify_opts vo = {0};
    for (int i = 0; fake != NULL && i < 4; i++) {
        const cachet_sign_opts *so = i % 2 == 0 ? &good : &bad;
        job s = {SIGN, ctx, so, (const uint8_t *)message, sizeof(message) - 1};
        cachet_membuf sm = {0}, out = {0};
        CHECK_EQ_INT(run(&s, &sm, NULL), CACHET_OK);
        job v = {VERIFY, ctx, &vo, sm.data, sm.len};
        cachet_report *r = NULL;
        cachet_status st = run(&v, &out, &r);
        CHECK(r != NULL && r->num_layers == 1 && r->layers[0].num_signers == 1);
        if (r != NULL && r->num_layers == 1 && r->layers[0].num_signers == 1) {
            cachet_chain_status want = i % 2 == 0 ? CACHET_CHAIN_TRUSTED : CACHET_CHAIN_UNTRUSTED;
            CHECK_EQ_INT(r->layers[0].signers[0].chain, want);
            CHECK(r->valid == (i % 2 == 0));
            CHECK((st == CACHET_OK) == (i % 2 == 0));
        }
        cachet_report_free(r);
        cachet_membuf_free(&sm);
        cachet_membuf_free(&out);
    }
    cachet_credential_free(fake);
    cachet_credential_free(alice);
    cachet_ctx_free(ctx);
}

static const cachet_test_case tests[] = {
    TEST_CASE(reused_rsa_credential_signs_byte_identically),
    TEST_CASE(reused_credential_multipart_differs_only_in_boundary),
    TEST_CASE(reused_ec_credential_signs_freshly_and_validly),
    TEST_CASE(reused_recipient_gets_fresh_keys_and_decrypts),
    TEST_CASE(reused_ctx_verifies_the_same_each_time),
    TEST_CASE(interleaved_signers_are_not_confused),
};

TEST_MAIN(tests)
