/* inspect (layers without keys or trust) and decompress, including a compressed
 * layer nested in a signed one. */
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/pkcs12.h>

#include "cms/compressed.h"
#include "mime/mime.h"
#include "test_smime_util.h"

static cachet_report *inspect_file(const char *rel, cachet_status *st) {
    size_t len = 0;
    uint8_t *in = cachet_test_read_file(cachet_test_vector_path(rel), &len);
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_op *op = cachet_inspect_new(ctx, false, NULL);
    cachet_report *rep = NULL;
    *st = test_feed(op, in, len, FEED_RANDOM, 5, &rep);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    free(in);
    return rep;
}

static void inspect_lists_signed_and_closed_enveloped_layers(void) {
    cachet_status st;
    cachet_report *rep = inspect_file(TB_DIR "alice.env.sig.SHA256.opaque.eml", &st);
    CHECK_EQ_INT(st, CACHET_OK);
    CHECK(rep != NULL && rep->num_layers == 2);
    if (rep != NULL && rep->num_layers == 2) {
        CHECK_EQ_INT(rep->layers[0].type, CACHET_LAYER_SIGNED);
        CHECK_EQ_INT(rep->layers[0].num_signers, 1);
        CHECK_EQ_INT(rep->layers[0].signers[0].chain, CACHET_CHAIN_NOT_CHECKED);
        CHECK(rep->layers[0].signers[0].signature_valid);
        CHECK_EQ_INT(rep->layers[1].type, CACHET_LAYER_ENVELOPED);
        CHECK_STR(rep->layers[1].cipher, "aes-128-cbc");
        CHECK(!rep->layers[1].authenticated);
        CHECK_EQ_INT(rep->layers[1].num_recipients, 1);
        CHECK_STR(rep->layers[1].key_management, "rsaEncryption");
        CHECK(!rep->valid); /* inspect never vouches for a message */
    }
    cachet_report_free(rep);
}

static void inspect_of_detached_signature(void) {
    cachet_status st;
    cachet_report *rep = inspect_file(TB_DIR "alice.dsig.SHA384.multipart.eml", &st);
    CHECK_EQ_INT(st, CACHET_OK);
    CHECK(rep != NULL && rep->num_layers == 1 && rep->layers[0].detached);
    if (rep != NULL && rep->num_layers == 1) {
        CHECK_STR(rep->layers[0].signers[0].digest, "sha384");
        CHECK_STR(rep->from, "Alice@example.com");
    }
    cachet_report_free(rep);
}

/* compressed_entity makes "application/pkcs7-mime; smime-type=compressed-data"
 * around |content| with the cms writer. */
static char *compressed_entity(const char *headers, const char *content, size_t *out_len) {
    cachet_membuf der = {0};
    cachet_sink s = cachet_sink_membuf(&der);
    cachet_cms_compress *c = cachet_cms_compress_new(CACHET_OID_UNKNOWN, &s, NULL);
    CHECK(c != NULL);
    CHECK_EQ_INT(cachet_cms_compress_update(c, (const uint8_t *)content, strlen(content), NULL),
                 CACHET_OK);
    CHECK_EQ_INT(cachet_cms_compress_finish(c, NULL), CACHET_OK);
    cachet_cms_compress_free(c);
    size_t hl = strlen(headers);
    const char *ct = "Content-Type: application/pkcs7-mime; smime-type=compressed-data; "
                     "name=smime.p7z\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    size_t cl = strlen(ct);
    char *out = malloc(hl + cl + CACHET_MIME_B64ENC_MAX(der.len) + CACHET_MIME_B64ENC_FINISH_MAX);
    memcpy(out, headers, hl);
    memcpy(out + hl, ct, cl);
    size_t n = hl + cl;
    cachet_mime_b64enc enc;
    cachet_mime_b64enc_init(&enc);
    n += cachet_mime_b64enc_update(&enc, der.data, der.len, (uint8_t *)out + n);
    n += cachet_mime_b64enc_finish(&enc, (uint8_t *)out + n);
    cachet_membuf_free(&der);
    *out_len = n;
    return out;
}

static const char *INNER = "Content-Type: text/plain\r\n\r\nhello compressed world\r\n";

static void decompress_restores_the_entity_under_the_outer_header(void) {
    size_t len = 0;
    char *msg = compressed_entity("From: a@example.com\r\nSubject: z\r\nMIME-Version: 1.0\r\n",
                                  INNER, &len);
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        cachet_ctx *ctx = cachet_ctx_new();
        cachet_membuf out = {0};
        cachet_sink sink = cachet_sink_membuf(&out);
        cachet_compress_opts o = {0};
        cachet_op *op = cachet_decompress_new(ctx, &o, &sink, NULL);
        cachet_report *rep = NULL;
        CHECK_EQ_INT(test_feed(op, (uint8_t *)msg, len, (feed_mode)mode, 3, &rep), CACHET_OK);
        const char *want = "From: a@example.com\r\nSubject: z\r\nMIME-Version: 1.0\r\n"
                           "Content-Type: text/plain\r\n\r\nhello compressed world\r\n";
        CHECK_MEM(out.data, out.len, want, strlen(want));
        CHECK(rep != NULL && rep->num_layers == 1);
        if (rep != NULL && rep->num_layers == 1) {
            CHECK_EQ_INT(rep->layers[0].type, CACHET_LAYER_COMPRESSED);
            CHECK_STR(rep->layers[0].compression, "zlib");
            CHECK_EQ_INT(rep->layers[0].decompressed_size, strlen(INNER));
        }
        cachet_report_free(rep);
        cachet_op_free(op);
        cachet_membuf_free(&out);
        cachet_ctx_free(ctx);
    }
    /* verify: a compressed message is not a signed one */
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_verify_opts vo = {0};
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, NULL);
    CHECK_EQ_INT(test_feed(op, (uint8_t *)msg, len, FEED_WHOLE, 3, NULL), CACHET_ERR_NO_SIGNERS);
    CHECK_EQ_INT(out.len, 0);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    free(msg);
}

static void decompress_of_an_uncompressed_message_fails(void) {
    size_t len = 0;
    uint8_t *in =
        cachet_test_read_file(cachet_test_vector_path(TB_DIR "alice.sig.SHA256.opaque.eml"), &len);
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_compress_opts o = {0};
    cachet_op *op = cachet_decompress_new(ctx, &o, &sink, NULL);
    CHECK_EQ_INT(test_feed(op, in, len, FEED_WHOLE, 3, NULL), CACHET_ERR_UNSUPPORTED);
    CHECK_STR(cachet_op_error(op)->message, "message is not compressed");
    CHECK_EQ_INT(out.len, 0);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    free(in);
}

static void compressed_layer_inside_an_opaque_signature(void) {
    size_t elen = 0;
    char *entity = compressed_entity("", INNER, &elen);
    /* Alice signs the compressed entity (opaque), OpenSSL writes the S/MIME message. */
    size_t plen = 0;
    uint8_t *p12 = cachet_test_read_file(cachet_test_vector_path(TB_DIR "Alice.p12"), &plen);
    const uint8_t *p = p12;
    PKCS12 *pk = d2i_PKCS12(NULL, &p, (long)plen);
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    CHECK(pk != NULL && PKCS12_parse(pk, "nss", &key, &cert, NULL) == 1);
    BIO *in = BIO_new_mem_buf(entity, (int)elen);
    CMS_ContentInfo *cms = CMS_sign(cert, key, NULL, in, CMS_BINARY);
    BIO *outb = BIO_new(BIO_s_mem());
    BIO_puts(outb, "From: Alice@example.com\r\n");
    CHECK(SMIME_write_CMS(outb, cms, NULL, CMS_BINARY) == 1);
    char *msg = NULL;
    long mlen = BIO_get_mem_data(outb, &msg);
    cachet_ctx *ctx = test_ctx(TB_DIR "TestCA.pem", false, true);
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_verify_opts vo = {0};
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, NULL);
    cachet_report *rep = NULL;
    cachet_status st = test_feed(op, (uint8_t *)msg, (size_t)mlen, FEED_RANDOM, 8, &rep);
    if (st != CACHET_OK) {
        fprintf(stderr, "%s: %s\n", cachet_op_error(op)->where, cachet_op_error(op)->message);
    }
    CHECK_EQ_INT(st, CACHET_OK);
    CHECK(test_memfind(out.data, out.len, "From: Alice@example.com\r\n"));
    CHECK(test_memfind(out.data, out.len, "\r\n\r\nhello compressed world\r\n"));
    CHECK(rep != NULL && rep->num_layers == 2);
    if (rep != NULL && rep->num_layers == 2) {
        CHECK_EQ_INT(rep->layers[0].type, CACHET_LAYER_SIGNED);
        CHECK_EQ_INT(rep->layers[1].type, CACHET_LAYER_COMPRESSED);
    }
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_membuf_free(&out);
    cachet_ctx_free(ctx);
    BIO_free(outb);
    BIO_free(in);
    CMS_ContentInfo_free(cms);
    X509_free(cert);
    EVP_PKEY_free(key);
    PKCS12_free(pk);
    free(p12);
    free(entity);
}

static const cachet_test_case tests[] = {
    TEST_CASE(inspect_lists_signed_and_closed_enveloped_layers),
    TEST_CASE(inspect_of_detached_signature),
    TEST_CASE(decompress_restores_the_entity_under_the_outer_header),
    TEST_CASE(decompress_of_an_uncompressed_message_fails),
    TEST_CASE(compressed_layer_inside_an_opaque_signature),
};
TEST_MAIN(tests)
