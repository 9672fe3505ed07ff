/* Context, credentials, certificate files, and the op state machine. */
#include "test_smime_util.h"

#define R4134 "rfc4134-bcjava/"

static cachet_status load_cred(const char *cert, const char *key, cachet_credential **out,
                               cachet_error *e) {
    memset(e, 0, sizeof(*e));
    char cpath[1024], kpath[1024];
    snprintf(cpath, sizeof(cpath), "%s", cachet_test_vector_path(cert));
    snprintf(kpath, sizeof(kpath), "%s", cachet_test_vector_path(key));
    return cachet_credential_load(cpath, kpath, NULL, out, e);
}

static void credential_from_der_certificate_and_pkcs8_key(void) {
    cachet_credential *c = NULL;
    cachet_error e;
    CHECK_EQ_INT(load_cred(R4134 "AliceRSASignByCarl.cer", R4134 "AlicePrivRSASign.pri", &c, &e),
                 CACHET_OK);
    CHECK(c != NULL);
    CHECK_EQ_INT(
        cachet_credential_add_chain_file(c, cachet_test_vector_path(R4134 "CarlRSASelf.cer"), &e),
        CACHET_OK);
    cachet_credential_free(c);
}

static void key_of_another_certificate_is_refused(void) {
    cachet_credential *c = NULL;
    cachet_error e;
    CHECK_EQ_INT(load_cred(R4134 "AliceRSASignByCarl.cer", R4134 "BobPrivRSAEncrypt.pri", &c, &e),
                 CACHET_ERR_KEY);
    CHECK(c == NULL);
    CHECK(strstr(e.message, "does not match") != NULL);
}

static void missing_file_is_an_io_error_naming_it(void) {
    cachet_credential *c = NULL;
    cachet_error e;
    CHECK_EQ_INT(load_cred(R4134 "NoSuchFile.cer", R4134 "AlicePrivRSASign.pri", &c, &e),
                 CACHET_ERR_IO);
    CHECK(strstr(e.message, "NoSuchFile.cer") != NULL);
}

static void pkcs12_password_is_checked(void) {
    cachet_credential *c = NULL;
    cachet_error e;
    memset(&e, 0, sizeof(e));
    CHECK_EQ_INT(
        cachet_credential_load_p12(cachet_test_vector_path(TB_DIR "Bob.p12"), "wrong", &c, &e),
        CACHET_ERR_KEY);
    CHECK(c == NULL);
    memset(&e, 0, sizeof(e));
    CHECK_EQ_INT(
        cachet_credential_load_p12(cachet_test_vector_path(TB_DIR "Bob.p12"), "nss", &c, &e),
        CACHET_OK);
    cachet_credential_free(c);
}

static void certificate_file_loads_and_non_certificate_is_refused(void) {
    cachet_cert *cert = NULL;
    cachet_error e;
    memset(&e, 0, sizeof(e));
    CHECK_EQ_INT(cachet_cert_load_file(cachet_test_vector_path(TB_DIR "TestCA.pem"), &cert, &e),
                 CACHET_OK);
    CHECK(cert != NULL);
    cachet_cert_free(cert);
    cert = NULL;
    memset(&e, 0, sizeof(e));
    CHECK_EQ_INT(cachet_cert_load_file(cachet_test_vector_path(R4134 "ExContent.bin"), &cert, &e),
                 CACHET_ERR_KEY);
    CHECK(cert == NULL);
}

static void context_defaults_and_limits_round_trip(void) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_limits l;
    cachet_ctx_get_limits(ctx, &l);
    CHECK_EQ_INT(l.max_layers, 8);
    CHECK_EQ_INT(l.max_mime_depth, 32);
    CHECK_EQ_INT(l.hold_in_memory, 1 << 20);
    l.max_layers = 3;
    cachet_ctx_set_limits(ctx, &l);
    cachet_limits l2;
    cachet_ctx_get_limits(ctx, &l2);
    CHECK_EQ_INT(l2.max_layers, 3);
    CHECK(cachet_ctx_add_trust_file(ctx, "/nonexistent/trust.pem") != CACHET_OK);
    CHECK(cachet_ctx_error(ctx)->message[0] != '\0');
    cachet_ctx_free(ctx);
    cachet_ctx_free(NULL);
}

static void operation_state_machine_refuses_misuse(void) {
    cachet_ctx *ctx = test_ctx(TB_DIR "TestCA.pem", false, true);
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_verify_opts vo = {0};
    cachet_error e;
    memset(&e, 0, sizeof(e));
    /* detached content only makes sense for raw input */
    cachet_verify_opts bad = {.detached = true};
    CHECK(cachet_verify_new(ctx, &bad, &sink, &e) == NULL);
    CHECK_EQ_INT(e.status, CACHET_ERR_USAGE);
    cachet_decrypt_opts dno = {0};
    CHECK(cachet_decrypt_new(ctx, &dno, &sink, NULL) == NULL);

    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, NULL);
    CHECK_EQ_INT(cachet_op_update_content(op, (const uint8_t *)"x", 1), CACHET_ERR_USAGE);
    /* sticky: the op stays failed */
    CHECK_EQ_INT(cachet_op_update(op, (const uint8_t *)"x", 1), CACHET_ERR_USAGE);
    cachet_report *rep = NULL;
    CHECK(cachet_op_finish(op, &rep) != CACHET_OK);
    cachet_report_free(rep);
    CHECK_EQ_INT(out.len, 0);
    cachet_op_free(op);

    op = cachet_verify_new(ctx, &vo, &sink, NULL);
    CHECK(cachet_op_finish(op, NULL) != CACHET_OK); /* empty input */
    CHECK_EQ_INT(cachet_op_update(op, (const uint8_t *)"x", 1), cachet_op_error(op)->status);
    CHECK(cachet_op_finish(op, NULL) != CACHET_OK);
    cachet_op_free(op);
    cachet_op_free(NULL);
    cachet_membuf_free(&out);
    cachet_ctx_free(ctx);
}

static void rfc4134_enveloped_example_needs_weak_algorithms(void) {
    /* 5.3.eml: 3DES content, RSA-1024 transport to BobRSA. */
    cachet_credential *c = NULL;
    cachet_error e;
    CHECK_EQ_INT(load_cred(R4134 "BobRSASignByCarl.cer", R4134 "BobPrivRSAEncrypt.pri", &c, &e),
                 CACHET_OK);
    size_t len = 0;
    uint8_t *in = cachet_test_read_file(cachet_test_vector_path(R4134 "5.3.eml"), &len);
    for (int weak = 0; weak < 2; weak++) {
        cachet_ctx *ctx = test_ctx(NULL, weak, true);
        cachet_membuf out = {0};
        cachet_sink sink = cachet_sink_membuf(&out);
        cachet_decrypt_opts o = {.cred = c};
        cachet_op *op = cachet_decrypt_new(ctx, &o, &sink, NULL);
        cachet_status st = test_feed(op, in, len, FEED_RANDOM, 3, NULL);
        if (weak) {
            CHECK_EQ_INT(st, CACHET_OK);
            CHECK(test_memfind(out.data, out.len, "This is some sample content."));
        } else {
            CHECK_EQ_INT(st, CACHET_ERR_POLICY);
            CHECK_EQ_INT(out.len, 0);
        }
        cachet_op_free(op);
        cachet_membuf_free(&out);
        cachet_ctx_free(ctx);
    }
    free(in);
    cachet_credential_free(c);
}

static const cachet_test_case tests[] = {
    TEST_CASE(credential_from_der_certificate_and_pkcs8_key),
    TEST_CASE(key_of_another_certificate_is_refused),
    TEST_CASE(missing_file_is_an_io_error_naming_it),
    TEST_CASE(pkcs12_password_is_checked),
    TEST_CASE(certificate_file_loads_and_non_certificate_is_refused),
    TEST_CASE(context_defaults_and_limits_round_trip),
    TEST_CASE(operation_state_machine_refuses_misuse),
    TEST_CASE(rfc4134_enveloped_example_needs_weak_algorithms),
};
TEST_MAIN(tests)
