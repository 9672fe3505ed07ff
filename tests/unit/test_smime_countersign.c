/* cachet_countersign_new over each form of signed message (multipart/signed
 * with CRLF and with LF line ends, opaque, raw DER, raw PEM), fed whole, byte by
 * byte and in random chunks: only the signature changes (multipart/signed: the
 * body of the signature part, every other byte as it was), cachet's verify
 * reports the countersigner, OpenSSL still verifies the main signature. */
#include "test_smime_sign_util.h"

static gen_id alice, carol;
static const char msg[] = "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: hi\r\n"
                          "Content-Type: text/plain\r\n\r\nsee you at noon\r\n";

typedef enum form { F_MULTIPART, F_MULTIPART_LF, F_OPAQUE, F_RAW_DER, F_RAW_PEM } form;
static const char *const form_names[] = {"multipart", "multipart LF", "opaque", "raw DER",
                                         "raw PEM"};

/* signed_message: alice's signature over msg in |f|. */
static cachet_membuf signed_message(form f) {
    cachet_sign_opts o = {.signer = alice.cred,
                          .opaque = f == F_OPAQUE,
                          .raw = f == F_RAW_DER || f == F_RAW_PEM,
                          .format = f == F_RAW_PEM ? CACHET_FORMAT_PEM : CACHET_FORMAT_SMIME};
    cachet_membuf out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_str(msg, &o, &out, &err), CACHET_OK);
    if (f == F_MULTIPART_LF) {
        size_t w = 0;
        for (size_t i = 0; i < out.len; i++) {
            if (!(out.data[i] == '\r' && i + 1 < out.len && out.data[i + 1] == '\n')) {
                out.data[w++] = out.data[i];
            }
        }
        out.len = w;
    }
    return out;
}

static cachet_status countersign(const cachet_membuf *in, form f, int mode, cachet_membuf *out,
                                 cachet_error *err) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_countersign_opts o = {.signer = carol.cred,
                                 .raw = f == F_RAW_DER || f == F_RAW_PEM,
                                 .format = f == F_RAW_PEM ? CACHET_FORMAT_PEM : CACHET_FORMAT_DER};
    if (!o.raw) {
        o.format = CACHET_FORMAT_SMIME;
    }
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_countersign_new(ctx, &o, &sink, err);
    cachet_status st = err->status;
    if (op != NULL) {
        uint32_t seed = 777;
        st = gen_feed(op, (const char *)in->data, in->len, mode, &seed);
        *err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    cachet_ctx_free(ctx);
    return st;
}

/* verify: cachet's verify with alice and carol as anchors; the report's first
 * signer's countersigner count, or -1. */
static long countersigners(const cachet_membuf *m, form f) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, carol.cert_path), CACHET_OK);
    cachet_verify_opts vo = {.raw = f == F_RAW_DER || f == F_RAW_PEM,
                             .detached = f == F_RAW_DER || f == F_RAW_PEM};
    cachet_membuf body = {0};
    cachet_sink sink = cachet_sink_membuf(&body);
    cachet_error err = {0};
    cachet_report *rep = NULL;
    long n = -1;
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, &err);
    CHECK(op != NULL);
    cachet_status st = CACHET_OK;
    if (vo.detached) {
        st = cachet_op_update_content(op, (const uint8_t *)msg, strlen(msg));
    }
    if (st == CACHET_OK) {
        st = cachet_op_update(op, m->data, m->len);
    }
    st = cachet_op_finish(op, &rep);
    if (st != CACHET_OK) {
        fprintf(stderr, "%s: verify: %s: %s\n", form_names[f], cachet_op_error(op)->where,
                cachet_op_error(op)->message);
    }
    CHECK_EQ_INT(st, CACHET_OK);
    if (rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1) {
        const cachet_signer_report *s = &rep->layers[0].signers[0];
        n = (long)s->num_countersigners;
        for (size_t i = 0; i < s->num_countersigners; i++) {
            CHECK(s->countersigners[i].signature_valid);
            CHECK_EQ_INT(s->countersigners[i].chain, CACHET_CHAIN_TRUSTED);
            CHECK_STR(s->countersigners[i].emails[0], "carol@example.com");
        }
    }
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_membuf_free(&body);
    cachet_ctx_free(ctx);
    return n;
}

/* sig_body: where the body of the last application/pkcs7-signature part starts
 * and ends (before the line break of the closing delimiter). */
static void sig_body(const cachet_membuf *m, size_t *start, size_t *end) {
    char *s = gen_str(m);
    char *p = NULL;
    for (char *q = strstr(s, "Content-Type: application/pkcs7-signature"); q != NULL;
         q = strstr(q + 1, "Content-Type: application/pkcs7-signature")) {
        p = q;
    }
    CHECK(p != NULL);
    char *b = p != NULL ? strstr(p, "\n\n") : NULL;
    char *b2 = p != NULL ? strstr(p, "\r\n\r\n") : NULL;
    if (b2 != NULL && (b == NULL || b2 < b)) {
        b = b2 + 2;
    }
    CHECK(b != NULL);
    *start = b != NULL ? (size_t)(b + 2 - s) : 0;
    char *e = strstr(s + *start, "\n--");
    CHECK(e != NULL);
    *end = e != NULL ? (size_t)(e - s) : 0;
    if (*end > 0 && s[*end - 1] == '\r') {
        (*end)--;
    }
    free(s);
}

static void countersigned_in_every_form_and_chunking(void) {
    for (form f = F_MULTIPART; f <= F_RAW_PEM; f++) {
        cachet_membuf in = signed_message(f);
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf out = {0};
            cachet_error err = {0};
            cachet_status st = countersign(&in, f, mode, &out, &err);
            if (st != CACHET_OK) {
                fprintf(stderr, "%s mode %d: %s: %s\n", form_names[f], mode, err.where,
                        err.message);
            }
            CHECK_EQ_INT(st, CACHET_OK);
            CHECK_EQ_INT(countersigners(&out, f), 1);
            if (f == F_MULTIPART || f == F_MULTIPART_LF) {
                size_t a0, a1, b0, b1;
                sig_body(&in, &a0, &a1);
                sig_body(&out, &b0, &b1);
                CHECK_EQ_INT(a0, b0);
                CHECK(memcmp(in.data, out.data, a0) == 0);
                CHECK_MEM(in.data + a1, in.len - a1, out.data + b1, out.len - b1);
                CHECK((memchr(out.data, '\r', out.len) == NULL) == (f == F_MULTIPART_LF));
            }
            if (f == F_MULTIPART || f == F_OPAQUE) {
                size_t len = 0;
                char *content = verified_content(&out, alice.cert, &len);
                CHECK(content != NULL);
                free(content);
            }
            if (f == F_RAW_PEM) {
                CHECK(out.len > 20 && memcmp(out.data, "-----BEGIN CMS-----", 19) == 0);
            }
            cachet_membuf_free(&out);
        }
        cachet_membuf_free(&in);
    }
}

/* countersigning twice adds a second countersignature to the same signature */
static void countersigned_twice_has_two(void) {
    cachet_membuf in = signed_message(F_OPAQUE), once = {0}, twice = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(countersign(&in, F_OPAQUE, FEED_WHOLE, &once, &err), CACHET_OK);
    CHECK_EQ_INT(countersign(&once, F_OPAQUE, FEED_WHOLE, &twice, &err), CACHET_OK);
    CHECK_EQ_INT(countersigners(&twice, F_OPAQUE), 2);
    cachet_membuf_free(&in);
    cachet_membuf_free(&once);
    cachet_membuf_free(&twice);
}

typedef struct refuse_case {
    const char *input;
    cachet_status want;
    const char *message;
} refuse_case;

static void what_is_not_a_signed_message_is_refused(void) {
    static const refuse_case cases[] = {
        {"Content-Type: text/plain\r\n\r\nhello\r\n", CACHET_ERR_USAGE,
         "not a signed S/MIME message"},
        {"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n",
         CACHET_ERR_USAGE, "not a signed message (decrypt or decompress it first)"},
        {"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; "
         "boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n",
         CACHET_ERR_MALFORMED, "without its application/pkcs7-signature part"},
        {"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n"
         "Content-Transfer-Encoding: 7bit\r\n\r\n0\r\n",
         CACHET_ERR_UNSUPPORTED, "not base64-encoded"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_membuf in = {.data = (uint8_t *)strdup(cases[i].input),
                            .len = strlen(cases[i].input)},
                      out = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(countersign(&in, F_MULTIPART, FEED_WHOLE, &out, &err), cases[i].want);
        if (strstr(err.message, cases[i].message) == NULL) {
            fprintf(stderr, "case %zu: %s\n", i, err.message);
        }
        CHECK(strstr(err.message, cases[i].message) != NULL);
        CHECK_EQ_INT(out.len, 0);
        free(in.data);
        cachet_membuf_free(&out);
    }
}

/* The message is held whole: more than the bound is refused while it arrives,
 * with the reason, and nothing is written. */
static void oversized_input_is_refused_naming_the_bound(void) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_countersign_opts o = {.signer = carol.cred};
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_error err = {0};
    cachet_op *op = cachet_countersign_new(ctx, &o, &sink, &err);
    CHECK(op != NULL);
    size_t chunk = (size_t)1 << 20, sent = 0;
    uint8_t *buf = calloc(1, chunk);
    cachet_status st = CACHET_OK;
    while (op != NULL && st == CACHET_OK && sent < ((size_t)200 << 20)) {
        st = cachet_op_update(op, buf, chunk);
        sent += chunk;
    }
    CHECK_EQ_INT(st, CACHET_ERR_LIMIT);
    CHECK_EQ_INT(sent, (size_t)97 << 20); /* the 97th MiB crosses 96 MiB */
    if (op != NULL) {
        CHECK(strstr(cachet_op_error(op)->message, "holds the whole message in memory") != NULL);
        CHECK_EQ_INT(cachet_op_finish(op, NULL), CACHET_ERR_LIMIT);
        cachet_op_free(op);
    }
    CHECK_EQ_INT(out.len, 0);
    free(buf);
    cachet_membuf_free(&out);
    cachet_ctx_free(ctx);
}

static const cachet_test_case tests[] = {
    TEST_CASE(countersigned_in_every_form_and_chunking),
    TEST_CASE(countersigned_twice_has_two),
    TEST_CASE(what_is_not_a_signed_message_is_refused),
    TEST_CASE(oversized_input_is_refused_naming_the_bound),
};

int main(int argc, char **argv) {
    if (!gen_identity(&alice, "rsa", "alice@example.com") ||
        !gen_identity(&carol, "p256", "carol@example.com")) {
        return 1;
    }
    int r = cachet_test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    gen_identity_free(&alice);
    gen_identity_free(&carol);
    return r;
}
