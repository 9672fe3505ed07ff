/* RFC 3183 §3 signature encapsulation through the library API. Method 2: a
 * domain signature made opaquely over the originator's signed message
 * (cachet_sign_opts.opaque with the signed message as input) reads back as two
 * signed layers, the outer one the domain's, the inner one the originator's,
 * and cachet_domsec_evaluate finds both; fed whole, byte by byte and in random
 * chunks. The empty layer (method 1) over a signed message is a layer around
 * it, never a signature of its own. A change to the inner signed content fails
 * both signatures' purpose: the message is not valid. */
#include <cachet/domsec.h>

#include "base/base.h"
#include "test_smime_sign_util.h"

#define MSG                                                                                        \
    "From: alice@a.example\r\nTo: bob@b.example\r\nSubject: encapsulation\r\n"                     \
    "Content-Type: text/plain; charset=us-ascii\r\n\r\nPay Bob 10 EUR.\r\n"
#define MSG_OUT                                                                                    \
    "From: alice@a.example\r\nTo: bob@b.example\r\nSubject: encapsulation\r\n"                     \
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPay Bob 10 EUR.\r\n"

static gen_id alice, dsa;
static bool ready;

/* make_dsa: domain-signing-authority@a.example with the reserved CN. */
static bool make_dsa(gen_id *id) {
    memset(id, 0, sizeof(*id));
    id->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 3183);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)CACHET_DOMSEC_DSA_LOCAL, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, id->key);
    bool ok = gen_add_ext(x, NID_subject_alt_name, "email:" CACHET_DOMSEC_DSA_LOCAL "@a.example") &&
              gen_add_ext(x, NID_key_usage, "critical,digitalSignature") &&
              gen_add_ext(x, NID_ext_key_usage, "emailProtection") &&
              X509_sign(x, id->key, EVP_sha256()) > 0;
    id->cert = x;
    cachet_error err;
    return ok && gen_write_pem(id->cert_path, sizeof(id->cert_path), x, NULL) &&
           gen_write_pem(id->key_path, sizeof(id->key_path), NULL, id->key) &&
           cachet_credential_load(id->cert_path, id->key_path, NULL, &id->cred, &err) == CACHET_OK;
}

static void setup(void) {
    if (!ready) {
        CHECK(gen_identity(&alice, "rsa", "alice@a.example"));
        CHECK(make_dsa(&dsa));
        ready = true;
    }
}

/* run_verify verifies |in| fed in |mode| with both signers trusted. The
 * address check is off: the domain signer is not the From address (the
 * domain binding is cachet_domsec_evaluate's). */
static cachet_status run_verify(const cachet_membuf *in, int mode, cachet_report **rep,
                                cachet_membuf *out) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, dsa.cert_path), CACHET_OK);
    cachet_ctx_set_address_check(ctx, false);
    cachet_verify_opts vo = {0};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_error err;
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, &err);
    CHECK(op != NULL);
    uint32_t seed = 3183;
    size_t off = 0;
    cachet_status st = CACHET_OK;
    while (st == CACHET_OK && off < in->len) {
        size_t n = mode == FEED_WHOLE   ? in->len - off
                   : mode == FEED_BYTES ? 1
                                        : 1 + cachet_test_rand(&seed) % 257;
        n = n < in->len - off ? n : in->len - off;
        st = cachet_op_update(op, in->data + off, n);
        off += n;
    }
    cachet_status fst = cachet_op_finish(op, rep);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    return st != CACHET_OK ? st : fst;
}

static cachet_status sign_over(const cachet_membuf *in, const cachet_sign_opts *so,
                               cachet_membuf *out) {
    cachet_error err = {0};
    return sign_msg((const char *)in->data, in->len, so, FEED_RANDOM, 0, out, &err);
}

static void domain_signature_encapsulates_the_originators(void) {
    setup();
    for (int inner_opaque = 0; inner_opaque < 2; inner_opaque++) {
        cachet_sign_opts orig = {.signer = alice.cred, .opaque = inner_opaque != 0};
        cachet_membuf msg = {0}, signed_msg = {0}, wrapped = {0};
        cachet_membuf_append(&msg, MSG, strlen(MSG));
        CHECK_EQ_INT(sign_over(&msg, &orig, &signed_msg), CACHET_OK);
        cachet_sign_opts dom = {
            .signer = dsa.cred, .opaque = true, .signature_types = CACHET_SIGTYPE_DOMAIN};
        CHECK_EQ_INT(cachet_domsec_check_signer(dsa.cred, CACHET_SIGTYPE_DOMAIN, NULL), CACHET_OK);
        CHECK_EQ_INT(sign_over(&signed_msg, &dom, &wrapped), CACHET_OK);
        char *w = gen_str(&wrapped);
        /* §3 method 2: the outer signature carries the signed message inside */
        CHECK(strstr(w, "application/pkcs7-mime; smime-type=signed-data") != NULL);
        CHECK(strncmp(w, "From: alice@a.example\r\n", 23) == 0);
        free(w);
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_report *rep = NULL;
            cachet_membuf out = {0};
            CHECK_EQ_INT(run_verify(&wrapped, mode, &rep, &out), CACHET_OK);
            CHECK(rep != NULL && rep->valid && rep->num_layers == 2);
            if (rep != NULL && rep->num_layers == 2) {
                CHECK_EQ_INT(rep->layers[0].type, CACHET_LAYER_SIGNED);
                CHECK_EQ_INT(rep->layers[1].type, CACHET_LAYER_SIGNED);
                CHECK(!rep->layers[0].detached);
                CHECK_EQ_INT(rep->layers[1].detached, inner_opaque == 0);
                cachet_domsec_result res;
                cachet_domsec_evaluate(rep, NULL, CACHET_DOMSEC_MAPPING_EXACT, &res);
                CHECK_EQ_INT(res.num_signers, 2);
                CHECK_EQ_INT(res.signers[0].role, CACHET_DOMSEC_ROLE_DOMAIN);
                CHECK_EQ_INT(res.signers[0].layer, 0);
                CHECK_EQ_INT(res.signers[1].role, CACHET_DOMSEC_ROLE_ORIGINATOR);
                CHECK_EQ_INT(res.signers[1].layer, 1);
                CHECK(res.domain_ok && res.originator_ok && !res.any_flagged);
                CHECK(res.domain == &res.signers[0] && res.originator == &res.signers[1]);
            }
            CHECK_MEM(out.data, out.len, MSG_OUT, strlen(MSG_OUT));
            cachet_report_free(rep);
            cachet_membuf_free(&out);
        }
        cachet_membuf_free(&msg);
        cachet_membuf_free(&signed_msg);
        cachet_membuf_free(&wrapped);
    }
}

/* The domain of another originator: the encapsulation verifies, the name
 * mapping flags the domain signer (the originator is b.example's). */
static void encapsulation_does_not_lend_the_domain_to_another_originator(void) {
    setup();
    static const char other[] = "From: bob@b.example\r\nTo: carol@c.example\r\nSubject: x\r\n"
                                "Content-Type: text/plain\r\n\r\nhi\r\n";
    cachet_membuf msg = {0}, signed_msg = {0}, wrapped = {0}, out = {0};
    cachet_membuf_append(&msg, other, strlen(other));
    cachet_sign_opts orig = {.signer = alice.cred};
    CHECK_EQ_INT(sign_over(&msg, &orig, &signed_msg), CACHET_OK);
    cachet_sign_opts dom = {
        .signer = dsa.cred, .opaque = true, .signature_types = CACHET_SIGTYPE_DOMAIN};
    CHECK_EQ_INT(sign_over(&signed_msg, &dom, &wrapped), CACHET_OK);
    cachet_report *rep = NULL;
    CHECK_EQ_INT(run_verify(&wrapped, FEED_WHOLE, &rep, &out), CACHET_OK);
    cachet_domsec_result res;
    cachet_domsec_evaluate(rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &res);
    CHECK_EQ_INT(res.num_signers, 2);
    CHECK_EQ_INT(res.signers[0].role, CACHET_DOMSEC_ROLE_FLAGGED);
    CHECK_STR(res.signers[0].why,
              "domain-signing-authority@a.example is not the originator's domain b.example or an "
              "ascendant of it (RFC 3183 section 3.1.1)");
    CHECK(!res.domain_ok && res.any_flagged);
    cachet_report_free(rep);
    cachet_membuf_free(&msg);
    cachet_membuf_free(&signed_msg);
    cachet_membuf_free(&wrapped);
    cachet_membuf_free(&out);
}

/* Method 1 around a signed message: an empty layer, then the signature. */
static void empty_layer_around_a_signed_message_is_no_signature(void) {
    setup();
    cachet_membuf msg = {0}, signed_msg = {0}, wrapped = {0};
    cachet_membuf_append(&msg, MSG, strlen(MSG));
    cachet_sign_opts orig = {.signer = alice.cred};
    CHECK_EQ_INT(sign_over(&msg, &orig, &signed_msg), CACHET_OK);
    cachet_sign_opts empty = {.empty = true};
    CHECK_EQ_INT(sign_over(&signed_msg, &empty, &wrapped), CACHET_OK);
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        cachet_report *rep = NULL;
        cachet_membuf out = {0};
        CHECK_EQ_INT(run_verify(&wrapped, mode, &rep, &out), CACHET_OK);
        CHECK(rep != NULL && rep->valid && rep->num_layers == 2);
        if (rep != NULL && rep->num_layers == 2) {
            CHECK(rep->layers[0].empty_signature_layer);
            CHECK_EQ_INT(rep->layers[0].num_signers, 0);
            CHECK_EQ_INT(rep->layers[1].num_signers, 1);
            cachet_domsec_result res;
            cachet_domsec_evaluate(rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &res);
            /* the empty layer contributes no signer */
            CHECK_EQ_INT(res.num_signers, 1);
            CHECK_EQ_INT(res.signers[0].layer, 1);
            CHECK(res.originator_ok && !res.domain_ok);
        }
        CHECK_MEM(out.data, out.len, MSG_OUT, strlen(MSG_OUT));
        cachet_report_free(rep);
        cachet_membuf_free(&out);
    }
    cachet_membuf_free(&msg);
    cachet_membuf_free(&signed_msg);
    cachet_membuf_free(&wrapped);
}

/* A changed byte of the originator's content inside the domain signature:
 * the outer signature no longer verifies; nothing is released. */
static void changed_inner_content_fails(void) {
    setup();
    cachet_membuf msg = {0}, signed_msg = {0}, wrapped = {0}, out = {0};
    cachet_membuf_append(&msg, MSG, strlen(MSG));
    cachet_sign_opts orig = {.signer = alice.cred};
    CHECK_EQ_INT(sign_over(&msg, &orig, &signed_msg), CACHET_OK);
    /* domain-sign as multipart/signed so that the inner message is in clear */
    cachet_sign_opts dom = {.signer = dsa.cred, .signature_types = CACHET_SIGTYPE_DOMAIN};
    CHECK_EQ_INT(sign_over(&signed_msg, &dom, &wrapped), CACHET_OK);
    char *w = gen_str(&wrapped);
    char *p = strstr(w, "Pay Bob 10 EUR.");
    CHECK(p != NULL);
    if (p != NULL) {
        wrapped.data[(size_t)(p - w) + 8] = '9';
        cachet_report *rep = NULL;
        cachet_status st = run_verify(&wrapped, FEED_RANDOM, &rep, &out);
        CHECK_EQ_INT(st, CACHET_ERR_BAD_SIGNATURE);
        CHECK(rep != NULL && !rep->valid);
        CHECK_EQ_INT(out.len, 0);
        cachet_report_free(rep);
    }
    free(w);
    cachet_membuf_free(&msg);
    cachet_membuf_free(&signed_msg);
    cachet_membuf_free(&wrapped);
    cachet_membuf_free(&out);
}

static void cleanup(void) {
    if (ready) {
        gen_identity_free(&alice);
        gen_identity_free(&dsa);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(domain_signature_encapsulates_the_originators),
    TEST_CASE(encapsulation_does_not_lend_the_domain_to_another_originator),
    TEST_CASE(empty_layer_around_a_signed_message_is_no_signature),
    TEST_CASE(changed_inner_content_fails),
    TEST_CASE(cleanup),
};

TEST_MAIN(tests)
