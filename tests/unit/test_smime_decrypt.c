/* Decryption through the public API: Thunderbird vectors, OpenSSL-made CBC and
 * GCM messages, tampering (nothing released, one uniform error), stopping at a
 * signed layer, nested layers. */
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "test_smime_util.h"

#define ALICE_TEXT "This is a test message from Alice to Bob."

typedef struct result {
    cachet_status st;
    cachet_membuf out;
    cachet_report *rep;
    cachet_error err;
} result;

static void result_free(result *r) {
    cachet_membuf_free(&r->out);
    cachet_report_free(r->rep);
}

static result run_decrypt(const uint8_t *in, size_t len, const char *p12, bool verify_signed,
                          bool raw, feed_mode mode) {
    result r = {0};
    cachet_ctx *ctx = test_ctx(TB_DIR "TestCA.pem", false, true);
    cachet_credential *cred = test_p12(p12);
    cachet_sink sink = cachet_sink_membuf(&r.out);
    cachet_decrypt_opts opts = {.cred = cred, .verify_signed = verify_signed, .raw = raw};
    cachet_op *op = cachet_decrypt_new(ctx, &opts, &sink, &r.err);
    CHECK(op != NULL);
    if (op != NULL) {
        r.st = test_feed(op, in, len, mode, 77, &r.rep);
        r.err = *cachet_op_error(op);
    }
    cachet_op_free(op);
    cachet_credential_free(cred);
    cachet_ctx_free(ctx);
    return r;
}

static result run_file(const char *rel, const char *p12, bool verify_signed, feed_mode mode) {
    size_t len = 0;
    uint8_t *in = cachet_test_read_file(cachet_test_vector_path(rel), &len);
    CHECK(in != NULL);
    result r = run_decrypt(in, len, p12, verify_signed, false, mode);
    free(in);
    return r;
}

static void thunderbird_enveloped_message_decrypts_in_any_chunking(void) {
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        result r = run_file(TB_DIR "alice.env.eml", TB_DIR "Bob.p12", false, (feed_mode)mode);
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK(test_memfind(r.out.data, r.out.len, "From: Alice@example.com\r\n"));
        CHECK(test_memfind(r.out.data, r.out.len, "\r\n\r\n" ALICE_TEXT "\r\n"));
        CHECK(!test_memfind(r.out.data, r.out.len, "pkcs7-mime"));
        CHECK(r.rep != NULL && r.rep->num_layers == 1);
        if (r.rep != NULL && r.rep->num_layers == 1) {
            cachet_layer_report *l = &r.rep->layers[0];
            CHECK_EQ_INT(l->type, CACHET_LAYER_ENVELOPED);
            CHECK_STR(l->cipher, "aes-128-cbc");
            CHECK(!l->authenticated);
            CHECK_STR(l->key_management, "rsaEncryption");
            CHECK(r.rep->valid);
        }
        result_free(&r);
    }
}

static void decrypt_stops_at_a_signed_layer_and_outputs_it_intact(void) {
    result r = run_file(TB_DIR "alice.dsig.SHA256.multipart.env.eml", TB_DIR "Bob.p12", false,
                        FEED_RANDOM);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(r.rep != NULL && r.rep->num_layers == 1);
    CHECK(test_memfind(r.out.data, r.out.len, "Content-Type: multipart/signed;"));
    CHECK(test_memfind(r.out.data, r.out.len, "application/pkcs7-signature"));
    /* What came out still verifies: the signed entity was not altered. */
    cachet_ctx *ctx = test_ctx(TB_DIR "TestCA.pem", false, true);
    cachet_membuf out2 = {0};
    cachet_sink s2 = cachet_sink_membuf(&out2);
    cachet_verify_opts vo = {0};
    cachet_op *op = cachet_verify_new(ctx, &vo, &s2, NULL);
    cachet_report *rep2 = NULL;
    CHECK_EQ_INT(test_feed(op, r.out.data, r.out.len, FEED_WHOLE, 1, &rep2), CACHET_OK);
    CHECK(test_memfind(out2.data, out2.len, ALICE_TEXT));
    cachet_report_free(rep2);
    cachet_op_free(op);
    cachet_membuf_free(&out2);
    cachet_ctx_free(ctx);
    result_free(&r);
}

static void decrypt_with_verify_removes_both_layers(void) {
    result r =
        run_file(TB_DIR "alice.dsig.SHA256.multipart.env.eml", TB_DIR "Bob.p12", true, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(r.rep != NULL && r.rep->num_layers == 2);
    if (r.rep != NULL && r.rep->num_layers == 2) {
        CHECK_EQ_INT(r.rep->layers[0].type, CACHET_LAYER_ENVELOPED);
        CHECK_EQ_INT(r.rep->layers[1].type, CACHET_LAYER_SIGNED);
        CHECK_EQ_INT(r.rep->layers[1].num_signers, 1);
    }
    CHECK(!test_memfind(r.out.data, r.out.len, "multipart/signed"));
    CHECK(test_memfind(r.out.data, r.out.len, ALICE_TEXT));
    result_free(&r);
}

static void decrypt_with_verify_fails_on_a_bad_inner_signature(void) {
    result r = run_file(TB_DIR "alice.env.dsig.SHA256.multipart.dave.sig.SHA256.opaque.eml",
                        TB_DIR "Bob.p12", true, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_ERR_BAD_SIGNATURE);
    /* where: the second layer (Alice's multipart/signed inside Dave's signature) */
    CHECK_STR(r.err.where, "layer 2: SignedData.signerInfos[0]");
    CHECK_EQ_INT(r.out.len, 0);
    result_free(&r);
}

static void unencrypted_message_is_refused(void) {
    result r =
        run_file(TB_DIR "alice.dsig.SHA256.multipart.eml", TB_DIR "Bob.p12", false, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_ERR_NO_RECIPIENT);
    CHECK_STR(r.err.message, "message is not encrypted");
    CHECK_EQ_INT(r.out.len, 0);
    result_free(&r);
}

static void message_for_someone_else_says_no_recipient(void) {
    result r = run_file(TB_DIR "alice.env.eml", TB_DIR "Alice.p12", false, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_ERR_NO_RECIPIENT);
    CHECK_EQ_INT(r.out.len, 0);
    result_free(&r);
}

/* ---- Messages made with OpenSSL's CMS API ---- */

static bool load_bob(X509 **cert, EVP_PKEY **key) {
    size_t len = 0;
    uint8_t *p12 = cachet_test_read_file(cachet_test_vector_path(TB_DIR "Bob.p12"), &len);
    const uint8_t *p = p12;
    PKCS12 *pk = d2i_PKCS12(NULL, &p, (long)len);
    free(p12);
    bool ok = pk != NULL && PKCS12_parse(pk, "nss", key, cert, NULL) == 1;
    PKCS12_free(pk);
    return ok;
}

/* openssl_encrypt makes an S/MIME message (MIME, or DER when |der|) to Bob. */
static uint8_t *openssl_encrypt(const EVP_CIPHER *cipher, const char *content, size_t clen,
                                bool der, size_t *out_len) {
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    CHECK(load_bob(&cert, &key));
    STACK_OF(X509) *certs = sk_X509_new_null();
    sk_X509_push(certs, cert);
    BIO *in = BIO_new_mem_buf(content, (int)clen);
    CMS_ContentInfo *cms = CMS_encrypt(certs, in, cipher, CMS_BINARY);
    CHECK(cms != NULL);
    BIO *out = BIO_new(BIO_s_mem());
    if (der) {
        CHECK(i2d_CMS_bio(out, cms) == 1);
    } else {
        CHECK(SMIME_write_CMS(out, cms, NULL, CMS_BINARY) == 1);
    }
    char *data = NULL;
    long n = BIO_get_mem_data(out, &data);
    uint8_t *copy = malloc((size_t)n);
    memcpy(copy, data, (size_t)n);
    *out_len = (size_t)n;
    BIO_free(out);
    BIO_free(in);
    CMS_ContentInfo_free(cms);
    sk_X509_pop_free(certs, X509_free);
    EVP_PKEY_free(key);
    return copy;
}

static char *big_entity(size_t body_len, size_t *out_len) {
    const char *hdr = "Content-Type: text/plain\r\n\r\n";
    size_t h = strlen(hdr);
    char *s = malloc(h + body_len + 1);
    memcpy(s, hdr, h);
    for (size_t i = 0; i < body_len; i++) {
        s[h + i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
    }
    s[h + body_len] = '\0';
    *out_len = h + body_len;
    return s;
}

static void openssl_gcm_message_decrypts_and_is_authenticated(void) {
    const char *content = "Content-Type: text/plain\r\n\r\nsecret gcm text\r\n";
    size_t len = 0;
    uint8_t *msg = openssl_encrypt(EVP_aes_256_gcm(), content, strlen(content), false, &len);
    result r = run_decrypt(msg, len, TB_DIR "Bob.p12", false, false, FEED_RANDOM);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(test_memfind(r.out.data, r.out.len, "\r\n\r\nsecret gcm text\r\n"));
    CHECK(r.rep != NULL && r.rep->num_layers == 1);
    if (r.rep != NULL && r.rep->num_layers == 1) {
        CHECK_EQ_INT(r.rep->layers[0].type, CACHET_LAYER_AUTH_ENVELOPED);
        CHECK(r.rep->layers[0].authenticated);
        CHECK_STR(r.rep->layers[0].cipher, "aes-256-gcm");
    }
    result_free(&r);
    free(msg);
}

/* tamper flips one byte of a DER CMS object at |pos| from its end. */
static void flip(uint8_t *der, size_t len, size_t from_end) {
    der[len - 1 - from_end] ^= 0x01;
}

static void tampered_gcm_releases_nothing_and_says_decryption_failed(void) {
    size_t clen = 0;
    char *content = big_entity(1500000, &clen);
    size_t len = 0;
    uint8_t *der = openssl_encrypt(EVP_aes_256_gcm(), content, clen, true, &len);
    /* A byte of the ciphertext well before the mac: the tag check fails at the end. */
    flip(der, len, 5000);
    result r = run_decrypt(der, len, TB_DIR "Bob.p12", false, true, FEED_RANDOM);
    CHECK_EQ_INT(r.st, CACHET_ERR_DECRYPT);
    CHECK_STR(r.err.message, "decryption failed");
    CHECK_EQ_INT(r.out.len, 0);
    result_free(&r);
    free(der);
    free(content);
}

static void cbc_padding_failure_releases_nothing(void) {
    size_t clen = 0;
    char *content = big_entity(1500000, &clen);
    size_t len = 0;
    uint8_t *der = openssl_encrypt(EVP_aes_256_cbc(), content, clen, true, &len);
    /* The DER ends with the ciphertext. Bit 0 of the second-to-last block's last
     * byte turns the padding byte p into p^1, never valid padding (flipping the
     * last byte itself garbles the block, whose padding is then valid once in
     * about 256 runs). */
    flip(der, len, 16);
    result r = run_decrypt(der, len, TB_DIR "Bob.p12", false, true, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_ERR_DECRYPT);
    CHECK_STR(r.err.message, "decryption failed");
    CHECK_EQ_INT(r.out.len, 0);
    result_free(&r);
    /* and the untampered message decrypts to exactly the content (raw output) */
    flip(der, len, 16);
    r = run_decrypt(der, len, TB_DIR "Bob.p12", false, true, FEED_RANDOM);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK_MEM(r.out.data, r.out.len, content, clen);
    result_free(&r);
    free(der);
    free(content);
}

static void malformed_decrypted_mime_is_the_uniform_decrypt_error(void) {
    const char *content = "Content-Type: multipart/mixed\r\n\r\nno boundary here\r\n";
    size_t len = 0;
    uint8_t *msg = openssl_encrypt(EVP_aes_128_cbc(), content, strlen(content), false, &len);
    result r = run_decrypt(msg, len, TB_DIR "Bob.p12", false, false, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_ERR_DECRYPT);
    CHECK_STR(r.err.message, "decryption failed");
    CHECK_EQ_INT(r.out.len, 0);
    result_free(&r);
    free(msg);
}

static void pem_armored_raw_input_is_detected(void) {
    const char *content = "raw bytes, not MIME";
    size_t len = 0;
    uint8_t *der = openssl_encrypt(EVP_aes_128_gcm(), content, strlen(content), true, &len);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio(b, "CMS", "", der, (long)len);
    char *pem = NULL;
    long plen = BIO_get_mem_data(b, &pem);
    result r =
        run_decrypt((const uint8_t *)pem, (size_t)plen, TB_DIR "Bob.p12", false, true, FEED_BYTES);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK_MEM(r.out.data, r.out.len, content, strlen(content));
    result_free(&r);
    BIO_free(b);
    free(der);
}

static const cachet_test_case tests[] = {
    TEST_CASE(thunderbird_enveloped_message_decrypts_in_any_chunking),
    TEST_CASE(decrypt_stops_at_a_signed_layer_and_outputs_it_intact),
    TEST_CASE(decrypt_with_verify_removes_both_layers),
    TEST_CASE(decrypt_with_verify_fails_on_a_bad_inner_signature),
    TEST_CASE(unencrypted_message_is_refused),
    TEST_CASE(message_for_someone_else_says_no_recipient),
    TEST_CASE(openssl_gcm_message_decrypts_and_is_authenticated),
    TEST_CASE(tampered_gcm_releases_nothing_and_says_decryption_failed),
    TEST_CASE(cbc_padding_failure_releases_nothing),
    TEST_CASE(malformed_decrypted_mime_is_the_uniform_decrypt_error),
    TEST_CASE(pem_armored_raw_input_is_detected),
};
TEST_MAIN(tests)
