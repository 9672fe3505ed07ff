/* cachet_triple_wrap_new (RFC 2634 §1.1): sign, encrypt, sign in one stream.
 * What it writes verifies as three layers (outer signature, envelope, inner
 * signature) whichever way it is fed; OpenSSL opens each layer on its own; a
 * change under the outer signature is caught; options that cannot be honoured
 * are refused by name; a failure says which layer failed; ESS attributes go
 * where RFC 2634 puts them (labels on both, the receipt request inside). */
#include "base/base.h"
#include "test_smime_sign_util.h"

#define MSG                                                                                        \
    "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: triple\r\n"                        \
    "Content-Type: text/plain; charset=us-ascii\r\n\r\nPay Bob 10 EUR.\r\n"
#define MSG_OUT                                                                                    \
    "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: triple\r\nMIME-Version: 1.0\r\n"   \
    "Content-Type: text/plain; charset=us-ascii\r\n\r\nPay Bob 10 EUR.\r\n"

static gen_id alice, bob;
static cachet_cert *bob_cert;
static bool ready;

static void setup(void) {
    if (ready) {
        return;
    }
    CHECK(gen_identity(&alice, "rsa", "alice@example.com"));
    CHECK(gen_identity(&bob, "p256", "bob@example.com"));
    cachet_error err;
    CHECK_EQ_INT(cachet_cert_load_file(bob.cert_path, &bob_cert, &err), CACHET_OK);
    ready = true;
}

static cachet_ctx *trusting(void) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, bob.cert_path), CACHET_OK);
    return ctx;
}

/* wrap runs a triple wrap over MSG fed in |mode| into |out|. */
static cachet_status wrap(const cachet_sign_opts *in, const cachet_encrypt_opts *eo,
                          const cachet_sign_opts *outer, int mode, const cachet_sink *sink,
                          cachet_error *err) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_op *op = cachet_triple_wrap_new(ctx, in, eo, outer, sink, err);
    cachet_status st = err->status;
    if (op != NULL) {
        uint32_t seed = 777;
        st = gen_feed(op, MSG, strlen(MSG), mode, &seed);
        *err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    cachet_ctx_free(ctx);
    return st;
}

static cachet_encrypt_opts to_bob(void) {
    static cachet_cert *recips[1];
    recips[0] = bob_cert;
    return (cachet_encrypt_opts){.recipients = recips, .num_recipients = 1};
}

/* open_wrap verifies |msg| with bob's key; returns the status, the report and output. */
static cachet_status open_wrap(const cachet_membuf *msg, cachet_report **rep, cachet_membuf *out) {
    cachet_ctx *ctx = trusting();
    cachet_verify_opts vo = {.decrypt_with = bob.cred};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_error err;
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, &err);
    CHECK(op != NULL);
    cachet_status st = cachet_op_update(op, msg->data, msg->len);
    cachet_status fst = cachet_op_finish(op, rep);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    return st != CACHET_OK ? st : fst;
}

static void triple_wrap_verifies_as_three_layers_fed_any_way(void) {
    setup();
    cachet_encrypt_opts eo = to_bob();
    for (int opaque = 0; opaque < 2; opaque++) {
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_sign_opts so = {.signer = alice.cred, .opaque = opaque != 0};
            cachet_membuf wrapped = {0}, out = {0};
            cachet_sink sink = cachet_sink_membuf(&wrapped);
            cachet_error err;
            CHECK_EQ_INT(wrap(&so, &eo, &so, mode, &sink, &err), CACHET_OK);
            cachet_report *rep = NULL;
            CHECK_EQ_INT(open_wrap(&wrapped, &rep, &out), CACHET_OK);
            CHECK(rep != NULL && rep->valid && rep->num_layers == 3);
            if (rep != NULL && rep->num_layers == 3) {
                CHECK_EQ_INT(rep->layers[0].type, CACHET_LAYER_SIGNED);
                CHECK_EQ_INT(rep->layers[1].type, CACHET_LAYER_AUTH_ENVELOPED);
                CHECK_EQ_INT(rep->layers[2].type, CACHET_LAYER_SIGNED);
                CHECK_EQ_INT(rep->layers[0].detached, opaque == 0);
                CHECK_EQ_INT(rep->layers[2].detached, opaque == 0);
                for (size_t l = 0; l < 3; l += 2) {
                    CHECK_EQ_INT(rep->layers[l].num_signers, 1);
                    CHECK(rep->layers[l].signers[0].signature_valid);
                    CHECK_EQ_INT(rep->layers[l].signers[0].chain, CACHET_CHAIN_TRUSTED);
                    CHECK_EQ_INT(rep->layers[l].signers[0].address_match, 1);
                }
            }
            CHECK_MEM(out.data, out.len, MSG_OUT, strlen(MSG_OUT));
            /* the outer header keeps the message's own fields */
            char *s = gen_str(&wrapped);
            CHECK(strncmp(s,
                          "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: triple\r\n",
                          61) == 0);
            free(s);
            cachet_report_free(rep);
            cachet_membuf_free(&wrapped);
            cachet_membuf_free(&out);
        }
    }
}

/* OpenSSL, independently: verify the outer signature, decrypt what it signed,
 * verify the inner signature and find the message body. */
static void openssl_opens_each_layer(void) {
    setup();
    cachet_encrypt_opts eo = to_bob();
    cachet_sign_opts so = {.signer = alice.cred};
    cachet_membuf wrapped = {0};
    cachet_sink sink = cachet_sink_membuf(&wrapped);
    cachet_error err;
    CHECK_EQ_INT(wrap(&so, &eo, &so, FEED_WHOLE, &sink, &err), CACHET_OK);

    size_t len = 0;
    char *enveloped = verified_content(&wrapped, alice.cert, &len); /* layer 1 */
    CHECK(enveloped != NULL);
    if (enveloped == NULL) {
        cachet_membuf_free(&wrapped);
        return;
    }
    CHECK(strstr(enveloped, "application/pkcs7-mime; smime-type=authEnveloped-data") != NULL);
    cachet_membuf env = {0};
    cachet_membuf_append(&env, enveloped, len);
    CMS_ContentInfo *cms = ossl_read(&env, NULL); /* layer 2 */
    CHECK(cms != NULL);
    BIO *dec = BIO_new(BIO_s_mem());
    CHECK(cms != NULL && CMS_decrypt(cms, bob.key, bob.cert, NULL, dec, 0) == 1);
    char *inner_text = NULL;
    size_t inner_len = bio_take(dec, &inner_text);
    CHECK(strstr(inner_text, "multipart/signed") != NULL);
    cachet_membuf inner = {0};
    cachet_membuf_append(&inner, inner_text, inner_len);
    size_t body_len = 0;
    char *body = verified_content(&inner, alice.cert, &body_len); /* layer 3 */
    CHECK(body != NULL);
    if (body != NULL) {
        CHECK(strstr(body, "Pay Bob 10 EUR.") != NULL);
        /* the inner signature is over the entity only; From/To stay outside */
        CHECK(strstr(body, "From:") == NULL);
    }
    free(body);
    free(inner_text);
    BIO_free(dec);
    CMS_ContentInfo_free(cms);
    free(enveloped);
    cachet_membuf_free(&inner);
    cachet_membuf_free(&env);
    cachet_membuf_free(&wrapped);
}

/* A byte changed in the enveloped part (what the outer signature covers):
 * the outer signature fails and the op with it. */
static void change_under_the_outer_signature_is_caught(void) {
    setup();
    cachet_encrypt_opts eo = to_bob();
    cachet_sign_opts so = {.signer = alice.cred};
    cachet_membuf wrapped = {0}, out = {0};
    cachet_sink sink = cachet_sink_membuf(&wrapped);
    cachet_error err;
    CHECK_EQ_INT(wrap(&so, &eo, &so, FEED_WHOLE, &sink, &err), CACHET_OK);
    char *s = gen_str(&wrapped);
    /* the enveloped part's own header, inside the outer signature's part 1:
     * decryption is unaffected, only the outer signature can notice */
    char *name = strstr(s, "filename=smime.p7m");
    CHECK(name != NULL);
    if (name != NULL) {
        wrapped.data[(size_t)(name - s) + strlen("filename=smime.p7")] = 'x';
        cachet_report *rep = NULL;
        cachet_status st = open_wrap(&wrapped, &rep, &out);
        CHECK_EQ_INT(st, CACHET_ERR_BAD_SIGNATURE);
        CHECK(rep != NULL && !rep->valid);
        CHECK(rep != NULL && rep->num_layers == 3 && rep->layers[0].num_signers == 1 &&
              !rep->layers[0].signers[0].signature_valid);
        CHECK(rep != NULL && rep->num_layers == 3 && rep->layers[2].num_signers == 1 &&
              rep->layers[2].signers[0].signature_valid);
        CHECK_EQ_INT(out.len, 0);
        cachet_report_free(rep);
    }
    free(s);
    cachet_membuf_free(&wrapped);
    cachet_membuf_free(&out);
}

static void unusable_options_are_refused_by_name(void) {
    setup();
    cachet_encrypt_opts eo = to_bob();
    cachet_sign_opts ok = {.signer = alice.cred};
    cachet_sign_opts raw = {.signer = alice.cred, .raw = true};
    cachet_sign_opts empty = {.empty = true};
    cachet_sign_opts nosigner = {0};
    cachet_encrypt_opts raw_enc = eo;
    raw_enc.raw = true;
    cachet_encrypt_opts none = {0};
    static const char *const raw_msg =
        "triple wrapping writes S/MIME (RFC 2634 section 1.1); raw CMS, DER/PEM output and "
        "detached SignedData do not apply";
    const struct {
        const cachet_sign_opts *in;
        const cachet_encrypt_opts *enc;
        const cachet_sign_opts *out;
        cachet_status want;
        const char *where;
        const char *message;
    } cases[] = {
        {&raw, &eo, &ok, CACHET_ERR_USAGE, "inner signature", raw_msg},
        {&ok, &eo, &raw, CACHET_ERR_USAGE, "outer signature", raw_msg},
        {&empty, &eo, &ok, CACHET_ERR_USAGE, "inner signature",
         "the inner signature of a triple wrap needs a signer; the empty signature layer (RFC "
         "3183) is not a signature"},
        {&ok, &eo, &empty, CACHET_ERR_USAGE, "outer signature",
         "the outer signature of a triple wrap needs a signer; the empty signature layer (RFC "
         "3183) is not a signature"},
        {&ok, &raw_enc, &ok, CACHET_ERR_USAGE, "encryption",
         "triple wrapping writes S/MIME (RFC 2634 section 1.1); the encryption cannot be raw CMS"},
        /* what the chained operations refuse, named by layer */
        {&nosigner, &eo, &ok, CACHET_ERR_USAGE, "inner signature",
         "sign needs a signer (key and certificate)"},
        {&ok, &eo, &nosigner, CACHET_ERR_USAGE, "outer signature",
         "sign needs a signer (key and certificate)"},
        {&ok, &none, &ok, CACHET_ERR_USAGE, "encryption", NULL},
    };
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_membuf buf = {0};
    cachet_sink sink = cachet_sink_membuf(&buf);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_error err;
        cachet_op *op =
            cachet_triple_wrap_new(ctx, cases[i].in, cases[i].enc, cases[i].out, &sink, &err);
        CHECK(op == NULL);
        cachet_op_free(op);
        if (err.status != cases[i].want || strcmp(err.where, cases[i].where) != 0) {
            fprintf(stderr, "case %zu: %d at '%s': %s\n", i, (int)err.status, err.where,
                    err.message);
        }
        CHECK_EQ_INT(err.status, cases[i].want);
        CHECK_STR(err.where, cases[i].where);
        if (cases[i].message != NULL) {
            CHECK_STR(err.message, cases[i].message);
        } else {
            CHECK(err.message[0] != '\0');
        }
    }
    cachet_error err;
    CHECK(cachet_triple_wrap_new(ctx, NULL, &eo, &ok, &sink, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    CHECK(cachet_triple_wrap_new(ctx, &ok, &eo, &ok, NULL, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    CHECK_EQ_INT(buf.len, 0);
    cachet_membuf_free(&buf);
    cachet_ctx_free(ctx);
}

/* A sink that fails after |budget| bytes, as a full disk would. */
typedef struct failing {
    size_t budget;
    size_t written;
    bool closed;
} failing;

static cachet_status failing_write(void *arg, const uint8_t *data, size_t len) {
    (void)data;
    failing *f = arg;
    if (f->written + len > f->budget) {
        return CACHET_ERR_IO;
    }
    f->written += len;
    return CACHET_OK;
}

static cachet_status failing_close(void *arg) {
    failing *f = arg;
    f->closed = true;
    return CACHET_OK;
}

/* The failure travels back through the chain as failed writes: the error
 * names the layer where it happened (the outer signature writing the output),
 * and the caller's sink is not closed. Without a failure it is closed once. */
static void failure_names_the_layer_and_the_sink_is_closed_once(void) {
    setup();
    cachet_encrypt_opts eo = to_bob();
    cachet_sign_opts so = {.signer = alice.cred};
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        failing f = {.budget = 300};
        cachet_sink sink = {.write = failing_write, .close = failing_close, .arg = &f};
        cachet_error err;
        cachet_status st = wrap(&so, &eo, &so, mode, &sink, &err);
        CHECK_EQ_INT(st, CACHET_ERR_IO);
        CHECK(strncmp(err.where, "triple wrap outer signature", 27) == 0);
        CHECK(!f.closed);
    }
    failing f = {.budget = SIZE_MAX};
    cachet_sink sink = {.write = failing_write, .close = failing_close, .arg = &f};
    cachet_error err;
    CHECK_EQ_INT(wrap(&so, &eo, &so, FEED_RANDOM, &sink, &err), CACHET_OK);
    CHECK(f.closed);
    CHECK(f.written > 1000);
}

/* RFC 2634: a label on both signatures as given (§3.1.1), the receipt
 * request on the inner one only (§2.3), even when given for the outer. */
static void ess_attributes_go_where_rfc2634_puts_them(void) {
    setup();
    cachet_encrypt_opts eo = to_bob();
    cachet_security_label label = {.policy = "1.2.840.113549.1.9.16.7.1", .classification = 3};
    const char *to[] = {"alice@example.com"};
    cachet_receipt_request rr = {.from = CACHET_RECEIPTS_FROM_ALL, .to = to, .num_to = 1};
    cachet_sign_opts inner = {.signer = alice.cred, .security_label = &label};
    cachet_sign_opts outer = {
        .signer = alice.cred, .security_label = &label, .receipt_request = &rr};
    cachet_membuf wrapped = {0}, out = {0};
    cachet_sink sink = cachet_sink_membuf(&wrapped);
    cachet_error err;
    cachet_status wst = wrap(&inner, &eo, &outer, FEED_RANDOM, &sink, &err);
    if (wst != CACHET_OK) {
        fprintf(stderr, "triple wrap with ESS attributes: %s (at %s)\n", err.message, err.where);
    }
    CHECK_EQ_INT(wst, CACHET_OK);
    cachet_report *rep = NULL;
    CHECK_EQ_INT(open_wrap(&wrapped, &rep, &out), CACHET_OK);
    CHECK(rep != NULL && rep->num_layers == 3);
    if (rep != NULL && rep->num_layers == 3) {
        const cachet_signer_report *o = &rep->layers[0].signers[0];
        const cachet_signer_report *i = &rep->layers[2].signers[0];
        CHECK(o->ess != NULL && i->ess != NULL);
        if (o->ess != NULL && i->ess != NULL) {
            CHECK(o->ess->label != NULL && i->ess->label != NULL);
            if (o->ess->label != NULL && i->ess->label != NULL) {
                CHECK_STR(o->ess->label->policy, "1.2.840.113549.1.9.16.7.1");
                CHECK_EQ_INT(o->ess->label->classification, 3);
                CHECK_STR(i->ess->label->policy, "1.2.840.113549.1.9.16.7.1");
                CHECK_EQ_INT(i->ess->label->classification, 3);
            }
            CHECK(!o->ess->receipt_requested);
            CHECK(i->ess->receipt_requested);
            CHECK_EQ_INT(i->ess->num_receipts_to, 1);
            if (i->ess->num_receipts_to == 1) {
                CHECK_STR(i->ess->receipts_to[0], "alice@example.com");
            }
        }
    }
    cachet_report_free(rep);
    cachet_membuf_free(&wrapped);
    cachet_membuf_free(&out);
}

static void cleanup(void) {
    if (ready) {
        cachet_cert_free(bob_cert);
        gen_identity_free(&alice);
        gen_identity_free(&bob);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(triple_wrap_verifies_as_three_layers_fed_any_way),
    TEST_CASE(openssl_opens_each_layer),
    TEST_CASE(change_under_the_outer_signature_is_caught),
    TEST_CASE(unusable_options_are_refused_by_name),
    TEST_CASE(failure_names_the_layer_and_the_sink_is_closed_once),
    TEST_CASE(ess_attributes_go_where_rfc2634_puts_them),
    TEST_CASE(cleanup),
};

TEST_MAIN(tests)
