/* Truncated and bit-flipped messages: every run ends in a status with a message,
 * never a crash, and a failed run releases nothing. */
#include "base/base.h"
#include "test_smime_util.h"

static const char *const files[] = {
    TB_DIR "alice.sig.SHA256.opaque.eml",
    TB_DIR "alice.dsig.SHA256.multipart.env.eml",
    TB_DIR "alice.env.sig.SHA256.opaque.eml",
    TB_BROWSER_DIR "alice.dsig.SHA256.multipart.in.mixed.eml",
};

static size_t g_ok, g_failed;

/* A mutated message that still verifies must give exactly the reference output,
 * unless the change is in the top-level header (not signed, copied to the output):
 * |changed_at| is the offset of the change (or SIZE_MAX for none), |protected_from|
 * the offset where the top-level header ends. */
typedef struct reference {
    cachet_membuf out;
    size_t protected_from;
} reference;

static void check_one(cachet_ctx *ctx, const cachet_credential *cred, const uint8_t *in, size_t len,
                      const reference *ref, size_t changed_at) {
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_verify_opts opts = {.decrypt_with = cred};
    cachet_op *op = cachet_verify_new(ctx, &opts, &sink, NULL);
    cachet_report *rep = NULL;
    cachet_status st = test_feed(op, in, len, FEED_WHOLE, 1, &rep);
    const cachet_error *e = cachet_op_error(op);
    if (st == CACHET_OK) {
        g_ok++;
        CHECK(out.len > 0);
        if (ref != NULL && changed_at >= ref->protected_from) {
            if (!cachet_test_mem_eq(out.data, out.len, ref->out.data, ref->out.len)) {
                fprintf(stderr, "accepted a change at %zu with a different output\n", changed_at);
            }
            CHECK_MEM(out.data, out.len, ref->out.data, ref->out.len);
        }
    } else {
        g_failed++;
        CHECK_EQ_INT(out.len, 0);
        CHECK_EQ_INT(e->status, st);
        CHECK(e->message[0] != '\0');
        CHECK(st != CACHET_ERR_INTERNAL && st != CACHET_ERR_NOMEM);
    }
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_membuf_free(&out);
}

static void truncations_and_bit_flips_fail_cleanly(void) {
    cachet_ctx *ctx = test_ctx(TB_DIR "TestCA.pem", false, true);
    cachet_credential *cred = test_p12(TB_DIR "Bob.p12");
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        size_t len = 0;
        uint8_t *in = cachet_test_read_file(cachet_test_vector_path(files[f]), &len);
        CHECK(in != NULL);
        if (in == NULL) {
            continue;
        }
        reference ref = {.protected_from = 0};
        cachet_sink rs = cachet_sink_membuf(&ref.out);
        cachet_verify_opts ro = {.decrypt_with = cred};
        cachet_op *rop = cachet_verify_new(ctx, &ro, &rs, NULL);
        /* the partially signed message never verifies: no reference output */
        bool partial = strstr(files[f], ".in.mixed.") != NULL;
        CHECK_EQ_INT(test_feed(rop, in, len, FEED_WHOLE, 1, NULL),
                     partial ? CACHET_ERR_BAD_SIGNATURE : CACHET_OK);
        cachet_op_free(rop);
        CHECK(partial || ref.out.len > 0);
        for (size_t i = 0; i + 4 <= len; i++) {
            if (memcmp(in + i, "\r\n\r\n", 4) == 0 || memcmp(in + i, "\n\n", 2) == 0) {
                ref.protected_from = i + (in[i + 1] == '\n' ? 2 : 4);
                break;
            }
        }
        CHECK(ref.protected_from > 0);
        for (size_t cut = 0; cut < len; cut += 41) {
            check_one(ctx, cred, in, cut, partial ? NULL : &ref, cut);
        }
        uint32_t rng = (uint32_t)f + 1;
        for (size_t i = 0; i < 150; i++) {
            size_t pos = cachet_test_rand(&rng) % len;
            uint8_t bit = (uint8_t)(1u << (cachet_test_rand(&rng) % 8));
            in[pos] ^= bit;
            check_one(ctx, cred, in, len, partial ? NULL : &ref, pos);
            in[pos] ^= bit;
        }
        cachet_membuf_free(&ref.out);
        free(in);
    }
    /* the unmodified messages are not all failures: the mutations were compared
     * against working inputs */
    CHECK(g_failed > 0);
    cachet_credential_free(cred);
    cachet_ctx_free(ctx);
}

static void deep_mime_nesting_is_a_limit(void) {
    /* 100 nested multipart/mixed: the depth limit (32) stops it before any
     * recursion gets deep. */
    cachet_membuf m = {0};
    const char *top =
        "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"b000\"\r\n\r\n";
    cachet_membuf_append(&m, top, strlen(top));
    for (int i = 0; i < 100; i++) {
        char line[128];
        int n = snprintf(line, sizeof(line),
                         "--b%03d\r\nContent-Type: multipart/mixed; boundary=\"b%03d\"\r\n\r\n", i,
                         i + 1);
        cachet_membuf_append(&m, line, (size_t)n);
    }
    cachet_ctx *ctx = test_ctx(TB_DIR "TestCA.pem", false, true);
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_verify_opts opts = {0};
    cachet_op *op = cachet_verify_new(ctx, &opts, &sink, NULL);
    CHECK_EQ_INT(test_feed(op, m.data, m.len, FEED_RANDOM, 4, NULL), CACHET_ERR_LIMIT);
    CHECK_EQ_INT(out.len, 0);
    cachet_op_free(op);
    cachet_membuf_free(&out);
    cachet_membuf_free(&m);
    cachet_ctx_free(ctx);
}

static const cachet_test_case tests[] = {
    TEST_CASE(deep_mime_nesting_is_a_limit),
    TEST_CASE(truncations_and_bit_flips_fail_cleanly),
};
TEST_MAIN(tests)
