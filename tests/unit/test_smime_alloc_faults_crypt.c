/* PA-14: every allocation of a whole encrypt and decrypt failing in turn (see
 * test_smime_alloc_faults_util.h for what each run must end in). Decryption
 * may fail as CACHET_ERR_DECRYPT instead of CACHET_ERR_NOMEM: every failure
 * after the private-key operation started is that one class (RFC 3218). */
#include "test_smime_alloc_faults_util.h"

#define MSG                                                                                        \
    "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: secret\r\n"                        \
    "Content-Type: text/plain\r\n\r\nHello Bob.\r\nThe numbers are fine.\r\n"

static gen_id bob_rsa, bob_ec;
static cachet_ctx *ctx;

static bool setup(void) {
    static int state = 0;
    if (state == 0) {
        bool ok = gen_identity(&bob_rsa, "rsa", "bob@example.com") &&
                  gen_identity(&bob_ec, "p256", "bob@example.com");
        ctx = cachet_ctx_new();
        cachet_ctx_set_time(ctx, AF_TIME);
        state = ok ? 1 : -1;
    }
    CHECK(state == 1);
    return state == 1;
}

typedef struct crypt_arg {
    cachet_encrypt_opts enc;
    const gen_id *to;
} crypt_arg;

static cachet_op *start_encrypt(const af_case *c, const cachet_sink *out, cachet_error *err) {
    const crypt_arg *a = c->arg;
    return cachet_encrypt_new(ctx, &a->enc, out, err);
}

static cachet_op *start_decrypt(const af_case *c, const cachet_sink *out, cachet_error *err) {
    const crypt_arg *a = c->arg;
    cachet_decrypt_opts o = {.cred = a->to->cred};
    return cachet_decrypt_new(ctx, &o, out, err);
}

/* decrypted: the plaintext of |msg| for |to| (fault-free), or false. */
static bool decrypted(const gen_id *to, const uint8_t *msg, size_t len, cachet_membuf *plain) {
    cachet_error err = {0};
    cachet_sink sink = cachet_sink_membuf(plain);
    cachet_decrypt_opts o = {.cred = to->cred};
    cachet_op *op = cachet_decrypt_new(ctx, &o, &sink, &err);
    bool ok = op != NULL && cachet_op_update(op, msg, len) == CACHET_OK &&
              cachet_op_finish(op, NULL) == CACHET_OK;
    cachet_op_free(op);
    return ok;
}

/* Encryption is randomised (content key, IV): accepted when it decrypts to
 * what the fault-free message decrypts to. */
static bool accept_encrypted(const af_case *c, const uint8_t *out, size_t len) {
    const crypt_arg *a = c->arg;
    cachet_membuf got = {0}, want = {0};
    bool ok = decrypted(a->to, out, len, &got) &&
              decrypted(a->to, c->ref.data, c->ref.len, &want) &&
              cachet_test_mem_eq(got.data, got.len, want.data, want.len);
    cachet_membuf_free(&got);
    cachet_membuf_free(&want);
    return ok;
}

static void run_encrypt_then_decrypt(crypt_arg *a, const char *enc_name, const char *dec_name) {
    cachet_cert *cert = NULL;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_cert_load_file(a->to->cert_path, &cert, &err), CACHET_OK);
    cachet_cert *certs[1] = {cert};
    a->enc.recipients = certs;
    a->enc.num_recipients = 1;
    af_case enc = {.name = enc_name,
                   .start = start_encrypt,
                   .in = (const uint8_t *)MSG,
                   .in_len = strlen(MSG),
                   .accept = accept_encrypted,
                   .streams = true,
                   .arg = a};
    af_run(&enc);
    cachet_membuf msg = {0};
    cachet_sink sink = cachet_sink_membuf(&msg);
    cachet_op *op = cachet_encrypt_new(ctx, &a->enc, &sink, &err);
    CHECK(op != NULL && cachet_op_update(op, (const uint8_t *)MSG, strlen(MSG)) == CACHET_OK &&
          cachet_op_finish(op, NULL) == CACHET_OK);
    cachet_op_free(op);
    af_case dec = {.name = dec_name,
                   .start = start_decrypt,
                   .in = msg.data,
                   .in_len = msg.len,
                   .own_alt = CACHET_ERR_DECRYPT,
                   .arg = a};
    af_run(&dec);
    cachet_membuf_free(&msg);
    cachet_cert_free(cert);
}

static void encrypt_and_decrypt_rsa_gcm_survive_every_allocation_failure(void) {
    if (!setup()) {
        return;
    }
    crypt_arg a = {.enc = {.cipher = CACHET_CIPHER_CHOICE_AES256_GCM, .oaep = true},
                   .to = &bob_rsa};
    run_encrypt_then_decrypt(&a, "encrypt rsa-oaep aes256-gcm", "decrypt rsa-oaep aes256-gcm");
}

static void encrypt_and_decrypt_ecdh_cbc_survive_every_allocation_failure(void) {
    if (!setup()) {
        return;
    }
    crypt_arg a = {.enc = {.cipher = CACHET_CIPHER_CHOICE_AES128_CBC}, .to = &bob_ec};
    run_encrypt_then_decrypt(&a, "encrypt ecdh aes128-cbc", "decrypt ecdh aes128-cbc");
}

static void teardown(void) {
    cachet_ctx_free(ctx);
    gen_identity_free(&bob_rsa);
    gen_identity_free(&bob_ec);
}

static const cachet_test_case tests[] = {
    TEST_CASE(encrypt_and_decrypt_rsa_gcm_survive_every_allocation_failure),
    TEST_CASE(encrypt_and_decrypt_ecdh_cbc_survive_every_allocation_failure),
};

int main(int argc, char **argv) {
    int rc = af_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    teardown();
    return rc;
}
