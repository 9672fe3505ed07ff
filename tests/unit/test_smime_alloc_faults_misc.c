/* PA-14: every allocation of a whole compress, decompress and triple wrap
 * (RFC 2634 §1.1) failing in turn (see test_smime_alloc_faults_util.h); zlib's
 * allocations go through cachet's (crypto/zstream.c), so they are among them. */
#include "test_smime_alloc_faults_util.h"

#define MSG                                                                                        \
    "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: hi\r\n"                            \
    "Content-Type: text/plain\r\n\r\nHello Bob.\r\nThe numbers are fine.\r\n"                      \
    "The numbers are fine.\r\nThe numbers are fine.\r\n"

static gen_id alice, bob;
static cachet_ctx *ctx;

static bool setup(void) {
    static int state = 0;
    if (state == 0) {
        bool ok = gen_identity(&alice, "p256", "alice@example.com") &&
                  gen_identity(&bob, "p256", "bob@example.com");
        ctx = cachet_ctx_new();
        ok = ok && cachet_ctx_add_trust_file(ctx, alice.cert_path) == CACHET_OK;
        cachet_ctx_set_time(ctx, AF_TIME);
        state = ok ? 1 : -1;
    }
    CHECK(state == 1);
    return state == 1;
}

static cachet_op *start_compress(const af_case *c, const cachet_sink *out, cachet_error *err) {
    cachet_compress_opts o = {0};
    return cachet_compress_new(ctx, &o, out, err);
}

static cachet_op *start_decompress(const af_case *c, const cachet_sink *out, cachet_error *err) {
    cachet_compress_opts o = {0};
    return cachet_decompress_new(ctx, &o, out, err);
}

static void compress_and_decompress_survive_every_allocation_failure(void) {
    if (!setup()) {
        return;
    }
    af_case comp = {.name = "compress",
                    .start = start_compress,
                    .in = (const uint8_t *)MSG,
                    .in_len = strlen(MSG),
                    .streams = true};
    af_run(&comp);
    cachet_membuf msg = {0};
    cachet_error err = {0};
    cachet_sink sink = cachet_sink_membuf(&msg);
    cachet_compress_opts o = {0};
    cachet_op *op = cachet_compress_new(ctx, &o, &sink, &err);
    CHECK(op != NULL && cachet_op_update(op, (const uint8_t *)MSG, strlen(MSG)) == CACHET_OK &&
          cachet_op_finish(op, NULL) == CACHET_OK);
    cachet_op_free(op);
    af_case dec = {
        .name = "decompress", .start = start_decompress, .in = msg.data, .in_len = msg.len};
    af_run(&dec);
    cachet_membuf_free(&msg);
}

typedef struct triple_arg {
    cachet_sign_opts sign;
    cachet_encrypt_opts enc;
} triple_arg;

static cachet_op *start_triple(const af_case *c, const cachet_sink *out, cachet_error *err) {
    const triple_arg *a = c->arg;
    return cachet_triple_wrap_new(ctx, &a->sign, &a->enc, &a->sign, out, err);
}

/* opened: verify |msg| opening its enveloped layer with bob's key (fault-free). */
static bool opened(const uint8_t *msg, size_t len, cachet_membuf *content) {
    cachet_error err = {0};
    cachet_sink sink = cachet_sink_membuf(content);
    cachet_verify_opts vo = {.decrypt_with = bob.cred};
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, &err);
    cachet_report *rep = NULL;
    bool ok = op != NULL && cachet_op_update(op, msg, len) == CACHET_OK &&
              cachet_op_finish(op, &rep) == CACHET_OK && rep != NULL && rep->valid &&
              rep->num_layers == 3;
    cachet_report_free(rep);
    cachet_op_free(op);
    return ok;
}

static bool accept_triple(const af_case *c, const uint8_t *out, size_t len) {
    cachet_membuf got = {0}, want = {0};
    bool ok = opened(out, len, &got) && opened(c->ref.data, c->ref.len, &want) &&
              cachet_test_mem_eq(got.data, got.len, want.data, want.len);
    cachet_membuf_free(&got);
    cachet_membuf_free(&want);
    return ok;
}

static void triple_wrap_survives_every_allocation_failure(void) {
    if (!setup()) {
        return;
    }
    cachet_cert *cert = NULL;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_cert_load_file(bob.cert_path, &cert, &err), CACHET_OK);
    cachet_cert *certs[1] = {cert};
    triple_arg a = {.sign = {.signer = alice.cred},
                    .enc = {.recipients = certs,
                            .num_recipients = 1,
                            .cipher = CACHET_CIPHER_CHOICE_AES256_GCM}};
    af_case tw = {.name = "triple wrap",
                  .start = start_triple,
                  .in = (const uint8_t *)MSG,
                  .in_len = strlen(MSG),
                  .accept = accept_triple,
                  .streams = true,
                  .arg = &a};
    af_run(&tw);
    cachet_cert_free(cert);
}

/* Loading a credential (certificate and PKCS#8 key, through OpenSSL) and a
 * certificate: the same loop outside an op. Success gives the object, failure
 * CACHET_ERR_NOMEM, a message and none; cachet's count comes back either way.
 * (OpenSSL's decoders can make do with less of a key after a failure: the
 * credential's key-against-certificate check then refuses it, as NOMEM.) */
static void loading_keys_survives_every_allocation_failure(void) {
    if (!setup()) {
        return;
    }
    for (int what = 0; what < 2; what++) {
        const char *name = what == 0 ? "credential load" : "certificate load";
        unsigned long n = 1, tried = 0, failures = 0;
        bool more = true;
        /* a few thousand points (OpenSSL's decoders try one format after
         * another and make do when one fails): af_next strides past 600 */
        for (; more && n < 100000; n = af_next(n)) {
            tried++;
            long live = cachet_alloc_live();
            cachet_error err = {0};
            cachet_credential *cred = NULL;
            cachet_cert *cert = NULL;
            cachet_alloc_fail_after(n);
            cachet_status st = what == 0 ? cachet_credential_load(alice.cert_path, alice.key_path,
                                                                  NULL, &cred, &err)
                                         : cachet_cert_load_file(alice.cert_path, &cert, &err);
            cachet_alloc_fault fired = cachet_alloc_fault_fired();
            cachet_alloc_fail_after(0);
            more = fired != CACHET_ALLOC_FAULT_NONE;
            if (st != CACHET_OK) {
                failures++;
                if (st != CACHET_ERR_NOMEM || err.message[0] == '\0' || cred != NULL ||
                    cert != NULL || !more) {
                    AF_FAIL("%s: allocation %lu failing: %s (%s)\n", name, n, cachet_status_str(st),
                            err.message);
                }
            } else {
                CHECK(what == 0 ? cred != NULL : cert != NULL);
            }
            cachet_credential_free(cred);
            cachet_cert_free(cert);
            if (cachet_alloc_live() != live) {
                AF_FAIL("%s: allocation %lu failing leaks %ld cachet blocks\n", name, n,
                        cachet_alloc_live() - live);
            }
        }
        CHECK(!more);
        CHECK(failures > 0);
        fprintf(stderr, "%s: %lu points tried (N up to %lu), %lu failed cleanly\n", name, tried, n,
                failures);
    }
}

static void teardown(void) {
    cachet_ctx_free(ctx);
    gen_identity_free(&alice);
    gen_identity_free(&bob);
}

static const cachet_test_case tests[] = {
    TEST_CASE(compress_and_decompress_survive_every_allocation_failure),
    TEST_CASE(triple_wrap_survives_every_allocation_failure),
    TEST_CASE(loading_keys_survives_every_allocation_failure),
};

int main(int argc, char **argv) {
    int rc = af_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    teardown();
    return rc;
}
