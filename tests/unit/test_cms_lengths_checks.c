/* Declared content sizes (issue 6), the rest: DigestedData becomes DER,
 * CompressedData stays indefinite (the compressed size is not known ahead) but
 * checks the count; every writer refuses a count other than the declared one
 * (fewer at finish, more as soon as it arrives) with CACHET_ERR_USAGE and a
 * message naming both numbers, and a size past the maximum; and the DER header
 * helpers of der/ against a table. */
#include "cms/compressed.h"
#include "cms/digested.h"
#include "test_cms_enveloped_util.h"
#include "test_cms_lengths.h"
#include "test_cms_signed_pki.h"

typedef enum writer { W_SIGN, W_ENCRYPT, W_DIGEST, W_COMPRESS, W_NUM } writer;
static const char *const writer_names[] = {"sign", "encrypt", "digest", "compress"};

static test_party bob;
static tpki_party ca, signer;

static void setup(void) {
    if (bob.key != NULL) {
        return;
    }
    bob = tu_party("rsa2048", "bob", 2, "keyEncipherment");
    ca = tpki_make(TPKI_RSA, "Checks CA", NULL, 1);
    signer = tpki_make(TPKI_P256, "p256", &ca, 2);
}

/* run_writer drives one writer with |declared| announced and |fed| bytes given
 * in chunks of up to 100; the status of the first failing call (or finish). */
static cachet_status run_writer(writer w, uint64_t declared, size_t fed, cachet_membuf *out,
                                cachet_error *err) {
    cachet_err_clear(err);
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_cert_list recips = {0};
    cachet_cert_list_push(&recips, bob.cert);
    cachet_cms_signer_opts so = {.key = signer.key, .cert = signer.cert, .md = CACHET_MD_SHA256};
    cachet_cms_sign_opts sopts = {
        .signers = &so, .num_signers = 1, .content_size_known = true, .content_size = declared};
    cachet_cms_encrypt_opts eopts = {.recipients = &recips,
                                     .cipher = CACHET_CIPHER_AES256_CBC,
                                     .content_size_known = true,
                                     .content_size = declared};
    cachet_cms_sign *s = NULL;
    cachet_cms_encrypt *e = NULL;
    cachet_cms_digest *d = NULL;
    cachet_cms_compress *c = NULL;
    switch (w) {
        case W_SIGN:
            s = cachet_cms_sign_new(&sopts, &sink, err);
            break;
        case W_ENCRYPT:
            e = cachet_cms_encrypt_new(&eopts, &sink, err);
            break;
        case W_DIGEST:
            d = cachet_cms_digest_new_ex(CACHET_MD_SHA256, CACHET_OID_DATA, true, declared, &sink,
                                         err);
            break;
        default:
            c = cachet_cms_compress_new_ex(CACHET_OID_DATA, true, declared, &sink, err);
            break;
    }
    cachet_cert_list_clear(&recips);
    if (s == NULL && e == NULL && d == NULL && c == NULL) {
        return err->status;
    }
    uint8_t *msg = tl_content(fed, 77);
    cachet_status st = CACHET_OK;
    for (size_t off = 0; off < fed && st == CACHET_OK;) {
        size_t n = fed - off < 100 ? fed - off : 100;
        st = s   ? cachet_cms_sign_update(s, msg + off, n, err)
             : e ? cachet_cms_encrypt_update(e, msg + off, n, err)
             : d ? cachet_cms_digest_update(d, msg + off, n, err)
                 : cachet_cms_compress_update(c, msg + off, n, err);
        off += n;
    }
    if (st == CACHET_OK) {
        st = s   ? cachet_cms_sign_finish(s, err)
             : e ? cachet_cms_encrypt_finish(e, err)
             : d ? cachet_cms_digest_finish(d, err)
                 : cachet_cms_compress_finish(c, err);
    } else {
        /* the failure is sticky: finishing after it fails too */
        cachet_error again = {0};
        cachet_status fin = s   ? cachet_cms_sign_finish(s, &again)
                            : e ? cachet_cms_encrypt_finish(e, &again)
                            : d ? cachet_cms_digest_finish(d, &again)
                                : cachet_cms_compress_finish(c, &again);
        CHECK_EQ_INT(fin, st);
    }
    cachet_cms_sign_free(s);
    cachet_cms_encrypt_free(e);
    cachet_cms_digest_free(d);
    cachet_cms_compress_free(c);
    free(msg);
    return st;
}

static void every_writer_refuses_another_count_than_declared(void) {
    setup();
    for (int w = 0; w < W_NUM; w++) {
        cachet_membuf out = {0};
        cachet_error err = {0};
        /* exactly: fine */
        CHECK_EQ_INT(run_writer((writer)w, 250, 250, &out, &err), CACHET_OK);
        cachet_membuf_free(&out);
        /* fewer: found at finish */
        CHECK_EQ_INT(run_writer((writer)w, 250, 249, &out, &err), CACHET_ERR_USAGE);
        CHECK_STR(err.message, "input was 249 bytes, content_size said 250");
        cachet_membuf_free(&out);
        CHECK_EQ_INT(run_writer((writer)w, 1, 0, &out, &err), CACHET_ERR_USAGE);
        CHECK_STR(err.message, "input was 0 bytes, content_size said 1");
        cachet_membuf_free(&out);
        /* more: found by the update that goes past (the third chunk, 51 bytes) */
        CHECK_EQ_INT(run_writer((writer)w, 250, 251, &out, &err), CACHET_ERR_USAGE);
        CHECK_STR(err.message, "input was at least 251 bytes, content_size said 250");
        cachet_membuf_free(&out);
        CHECK_EQ_INT(run_writer((writer)w, 0, 1, &out, &err), CACHET_ERR_USAGE);
        CHECK_STR(err.message, "input was at least 1 bytes, content_size said 0");
        if (cachet_test_failures > 0) {
            fprintf(stderr, "  (writer %s)\n", writer_names[w]);
        }
        cachet_membuf_free(&out);
    }
}

static void a_size_past_the_maximum_is_refused_up_front(void) {
    setup();
    for (int w = 0; w < W_NUM; w++) {
        cachet_membuf out = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(run_writer((writer)w, CACHET_CMS_MAX_DECLARED + 1, 0, &out, &err),
                     CACHET_ERR_USAGE);
        CHECK(strstr(err.message, "is over the maximum") != NULL);
        CHECK_EQ_INT(out.len, 0); /* nothing written */
        cachet_membuf_free(&out);
    }
}

static void digested_with_declared_size_is_der(void) {
    setup();
    for (size_t i = 0; i < TL_NUM_SIZES; i++) {
        size_t size = tl_sizes[i];
        uint8_t *msg = tl_content(size, 31);
        cachet_membuf out = {0};
        cachet_sink sink = cachet_sink_membuf(&out);
        cachet_error err = {0};
        cachet_cms_digest *d =
            cachet_cms_digest_new_ex(CACHET_MD_SHA384, CACHET_OID_UNKNOWN, true, size, &sink, &err);
        CHECK(d != NULL);
        if (d == NULL) {
            free(msg);
            continue;
        }
        uint32_t rng = 3;
        for (size_t off = 0; off < size;) {
            size_t n = tu_next_chunk(FEED_RANDOM, size - off, &rng);
            CHECK_EQ_INT(cachet_cms_digest_update(d, msg + off, n, &err), CACHET_OK);
            off += n;
        }
        CHECK_EQ_INT(cachet_cms_digest_finish(d, &err), CACHET_OK);
        cachet_cms_digest_free(d);
        CHECK(cachet_der_validate(out.data, out.len, 64));
        tl_outline ol;
        char want[200];
        snprintf(want, sizeof(want),
                 "30d(06:9 a0d(30d(02:1 30d(06:9) 30d(06:9 a0d(04:%zu)) 04:48)))", size);
        CHECK(tl_outline_of(out.data, out.len, 8, &ol));
        CHECK_STR(ol.text, want);
        /* OpenSSL recomputes the digest over the one definite eContent */
        BIO *in = BIO_new_mem_buf(out.data, (int)out.len), *o = BIO_new(BIO_s_mem());
        CMS_ContentInfo *cms = d2i_CMS_bio(in, NULL);
        CHECK(cms != NULL && CMS_digest_verify(cms, NULL, o, CMS_BINARY) == 1);
        char *data = NULL;
        long n = BIO_get_mem_data(o, &data);
        CHECK_MEM(data, (size_t)n, msg, size);
        CMS_ContentInfo_free(cms);
        BIO_free(in);
        BIO_free(o);
        cachet_membuf_free(&out);
        free(msg);
    }
}

static void compressed_stays_indefinite_and_round_trips(void) {
    setup();
    for (size_t i = 0; i < TL_NUM_SIZES; i++) {
        size_t size = tl_sizes[i];
        cachet_membuf out = {0}, back = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(run_writer(W_COMPRESS, size, size, &out, &err), CACHET_OK);
        tl_outline ol;
        CHECK(tl_outline_of(out.data, out.len, 6, &ol));
        const char *want = "30i(06:11 a0i(30i(02:1 30d(06:11) 30i(06:9 a0i(24i(";
        CHECK(strncmp(ol.text, want, strlen(want)) == 0);
        CHECK_EQ_INT(ol.indefinite, 6);
        cachet_sink sink = cachet_sink_membuf(&back);
        cachet_cms_decompress *d = cachet_cms_decompress_new(NULL, &sink, &err);
        CHECK(d != NULL);
        CHECK_EQ_INT(cachet_cms_decompress_update(d, out.data, out.len, &err), CACHET_OK);
        CHECK_EQ_INT(cachet_cms_decompress_finish(d, NULL, &err), CACHET_OK);
        cachet_cms_decompress_free(d);
        uint8_t *msg = tl_content(size, 77);
        CHECK_MEM(back.data, back.len, msg, size);
        free(msg);
        cachet_membuf_free(&out);
        cachet_membuf_free(&back);
    }
}

/* X.690 §8.1.3: the short form up to 127, then the fewest length octets. */
static void der_header_helpers_match_x690(void) {
    static const struct {
        cachet_asn1_tag tag;
        uint64_t len;
        const char *hex;
    } cases[] = {
        {CACHET_ASN1_OCTETSTRING, 0, "0400"},
        {CACHET_ASN1_OCTETSTRING, 127, "047f"},
        {CACHET_ASN1_OCTETSTRING, 128, "048180"},
        {CACHET_ASN1_SEQUENCE, 255, "3081ff"},
        {CACHET_ASN1_SEQUENCE, 256, "30820100"},
        {CACHET_ASN1_CONTEXT(0), 65535, "8082ffff"},
        {CACHET_ASN1_CONTEXT_CONS(0), 65536, "a083010000"},
        {CACHET_ASN1_SEQUENCE, (uint64_t)1 << 32, "30850100000000"},
        {CACHET_ASN1_SEQUENCE, (uint64_t)1 << 62, "30884000000000000000"},
        {CACHET_ASN1_CONTEXT(40), 1, "9f2801"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cbb cbb;
        uint8_t *der = NULL;
        size_t len = 0;
        char hex[64] = "";
        CHECK(cachet_cbb_init(&cbb, 4, 0));
        CHECK(cachet_cbb_add_asn1_header(&cbb, cases[i].tag, cases[i].len));
        CHECK(cachet_cbb_finish(&cbb, &der, &len));
        for (size_t k = 0; k < len && k < 31; k++) {
            snprintf(hex + 2 * k, 3, "%02x", der[k]);
        }
        CHECK_STR(hex, cases[i].hex);
        CHECK_EQ_INT(cachet_der_header_len(cases[i].tag, cases[i].len), strlen(cases[i].hex) / 2);
        CHECK_EQ_INT(cachet_cms_tlv_len(cases[i].tag, cases[i].len),
                     strlen(cases[i].hex) / 2 + cases[i].len);
        cachet_free(der);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(every_writer_refuses_another_count_than_declared),
    TEST_CASE(a_size_past_the_maximum_is_refused_up_front),
    TEST_CASE(digested_with_declared_size_is_der),
    TEST_CASE(compressed_stays_indefinite_and_round_trips),
    TEST_CASE(der_header_helpers_match_x690),
};

TEST_MAIN(tests)
