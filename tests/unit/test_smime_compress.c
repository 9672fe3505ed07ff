/* cachet_compress_new: compressed-data framing and raw forms. OpenSSL here has
 * no zlib CMS support, so OpenSSL parses the ContentInfo and zlib itself
 * inflates the eContent: an independent check of what we write. */
#include <zlib.h>

#include "test_smime_sign_util.h"

static cachet_status compress_msg(const char *in, size_t len, cachet_compress_opts o, int mode,
                                  cachet_membuf *out, cachet_error *err) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_compress_new(ctx, &o, &sink, err);
    cachet_status st = err->status;
    if (op != NULL) {
        uint32_t seed = 99;
        st = gen_feed(op, in, len, mode, &seed);
        *err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    cachet_ctx_free(ctx);
    return st;
}

/* inflated: the eContent of a CompressedData, inflated by zlib (malloc'd) or NULL. */
static char *inflated(CMS_ContentInfo *cms, size_t *len) {
    if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_id_smime_ct_compressedData) {
        return NULL;
    }
    ASN1_OCTET_STRING **oct = CMS_get0_content(cms);
    if (oct == NULL || *oct == NULL) {
        return NULL;
    }
    uLongf cap = 1 << 22;
    char *out = malloc(cap + 1);
    if (uncompress((Bytef *)out, &cap, ASN1_STRING_get0_data(*oct),
                   (uLong)ASN1_STRING_length(*oct)) != Z_OK) {
        free(out);
        return NULL;
    }
    out[cap] = '\0';
    *len = cap;
    return out;
}

static const char *message = "From: a@example.com\nSubject: zip\n\n"
                             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nend\n";
static const char *entity = "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
                            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\nend\r\n";

static void compressed_data_holds_the_canonical_entity(void) {
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        cachet_membuf out = {0};
        cachet_error err;
        cachet_compress_opts o = {0};
        CHECK_EQ_INT(compress_msg(message, strlen(message), o, mode, &out, &err), CACHET_OK);
        char *s = gen_str(&out);
        const char *head = "From: a@example.com\r\nSubject: zip\r\nMIME-Version: 1.0\r\n"
                           "Content-Type: application/pkcs7-mime; smime-type=compressed-data;\r\n"
                           " name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n"
                           "Content-Disposition: attachment; filename=smime.p7m\r\n\r\n";
        CHECK(strncmp(s, head, strlen(head)) == 0);
        CMS_ContentInfo *cms = ossl_read(&out, NULL);
        CHECK(cms != NULL);
        size_t len = 0;
        char *pt = inflated(cms, &len);
        CHECK(pt != NULL);
        if (pt != NULL) {
            CHECK_MEM(pt, len, entity, strlen(entity));
        }
        free(pt);
        CMS_ContentInfo_free(cms);
        free(s);
        cachet_membuf_free(&out);
    }
}

static void raw_der_and_pem_compress_the_bytes_as_they_are(void) {
    const char *content = "raw\nbytes\n";
    for (int pem = 0; pem <= 1; pem++) {
        cachet_membuf out = {0};
        cachet_error err;
        cachet_compress_opts o = {.raw = true,
                                  .format = pem ? CACHET_FORMAT_PEM : CACHET_FORMAT_DER};
        CHECK_EQ_INT(compress_msg(content, strlen(content), o, FEED_BYTES, &out, &err), CACHET_OK);
        BIO *bio = BIO_new_mem_buf(out.data, (int)out.len);
        CMS_ContentInfo *cms =
            pem ? PEM_read_bio_CMS(bio, NULL, NULL, NULL) : d2i_CMS_bio(bio, NULL);
        size_t len = 0;
        char *pt = inflated(cms, &len);
        CHECK(pt != NULL);
        if (pt != NULL) {
            CHECK_MEM(pt, len, content, strlen(content));
        }
        free(pt);
        CMS_ContentInfo_free(cms);
        BIO_free(bio);
        cachet_membuf_free(&out);
    }
}

static void smime_output_with_der_format_is_a_usage_error(void) {
    cachet_membuf out = {0};
    cachet_error err;
    cachet_compress_opts o = {.format = CACHET_FORMAT_PEM};
    CHECK_EQ_INT(compress_msg(message, strlen(message), o, FEED_WHOLE, &out, &err),
                 CACHET_ERR_USAGE);
    CHECK_EQ_INT(out.len, 0);
    cachet_membuf_free(&out);
}

static const cachet_test_case tests[] = {
    TEST_CASE(compressed_data_holds_the_canonical_entity),
    TEST_CASE(raw_der_and_pem_compress_the_bytes_as_they_are),
    TEST_CASE(smime_output_with_der_format_is_a_usage_error),
};
TEST_MAIN(tests)
