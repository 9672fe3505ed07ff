/* PA-14: every allocation of a whole sign and verify failing in turn (see
 * test_smime_alloc_faults_util.h for what each run must end in). */
#include "test_smime_alloc_faults_util.h"

#define MSG                                                                                        \
    "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: hi\r\n"                            \
    "Content-Type: text/plain\r\n\r\nHello Bob.\r\nThe numbers are fine.\r\n"

static gen_id alice_ec, alice_rsa;
static cachet_ctx *ctx;

static bool setup(void) {
    static int state = 0;
    if (state == 0) {
        bool ok = gen_identity(&alice_ec, "p256", "alice@example.com") &&
                  gen_identity(&alice_rsa, "rsa", "alice@example.com");
        ctx = cachet_ctx_new();
        ok = ok && cachet_ctx_add_trust_file(ctx, alice_ec.cert_path) == CACHET_OK &&
             cachet_ctx_add_trust_file(ctx, alice_rsa.cert_path) == CACHET_OK;
        cachet_ctx_set_time(ctx, AF_TIME);
        state = ok ? 1 : -1;
    }
    CHECK(state == 1);
    return state == 1;
}

static cachet_op *start_sign(const af_case *c, const cachet_sink *out, cachet_error *err) {
    return cachet_sign_new(ctx, c->arg, out, err);
}

static cachet_op *start_verify(const af_case *c, const cachet_sink *out, cachet_error *err) {
    cachet_verify_opts vo = {0};
    return cachet_verify_new(ctx, &vo, out, err);
}

/* verified: the content of a valid signed message (fault-free), or NULL. */
static bool verified(const uint8_t *msg, size_t len, cachet_membuf *content) {
    cachet_error err = {0};
    cachet_sink sink = cachet_sink_membuf(content);
    cachet_verify_opts vo = {0};
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, &err);
    cachet_report *rep = NULL;
    bool ok = op != NULL && cachet_op_update(op, msg, len) == CACHET_OK &&
              cachet_op_finish(op, &rep) == CACHET_OK && rep != NULL && rep->valid;
    cachet_report_free(rep);
    cachet_op_free(op);
    return ok;
}

/* A signature differs from run to run (ECDSA, PSS); it is accepted when it
 * verifies to the same content as the fault-free one. */
static bool accept_signed(const af_case *c, const uint8_t *out, size_t len) {
    cachet_membuf got = {0}, want = {0};
    bool ok = verified(out, len, &got) && verified(c->ref.data, c->ref.len, &want) &&
              cachet_test_mem_eq(got.data, got.len, want.data, want.len);
    cachet_membuf_free(&got);
    cachet_membuf_free(&want);
    return ok;
}

static void run_sign_then_verify(const cachet_sign_opts *o, const char *sign_name,
                                 const char *verify_name) {
    af_case sign = {.name = sign_name,
                    .start = start_sign,
                    .in = (const uint8_t *)MSG,
                    .in_len = strlen(MSG),
                    .accept = accept_signed,
                    .streams = true,
                    .arg = o};
    af_run(&sign);
    cachet_membuf msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_msg(MSG, strlen(MSG), o, FEED_WHOLE, AF_TIME, &msg, &err), CACHET_OK);
    af_case verify = {
        .name = verify_name, .start = start_verify, .in = msg.data, .in_len = msg.len};
    af_run(&verify);
    CHECK(verify.ref_valid);
    cachet_membuf_free(&msg);
}

static void sign_and_verify_detached_ecdsa_survive_every_allocation_failure(void) {
    if (!setup()) {
        return;
    }
    cachet_sign_opts o = {.signer = alice_ec.cred};
    run_sign_then_verify(&o, "sign detached p256", "verify detached p256");
}

static void sign_and_verify_opaque_rsa_pss_survive_every_allocation_failure(void) {
    if (!setup()) {
        return;
    }
    cachet_sign_opts o = {.signer = alice_rsa.cred, .opaque = true, .pss = true};
    run_sign_then_verify(&o, "sign opaque rsa-pss", "verify opaque rsa-pss");
}

static void teardown(void) {
    cachet_ctx_free(ctx);
    gen_identity_free(&alice_ec);
    gen_identity_free(&alice_rsa);
}

static const cachet_test_case tests[] = {
    TEST_CASE(sign_and_verify_detached_ecdsa_survive_every_allocation_failure),
    TEST_CASE(sign_and_verify_opaque_rsa_pss_survive_every_allocation_failure),
};

int main(int argc, char **argv) {
    int rc = af_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    teardown();
    return rc;
}
