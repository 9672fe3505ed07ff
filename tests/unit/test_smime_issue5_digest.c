/* Issue 5: DigestedData written by cachet_digest_new (S/MIME, DER, PEM) and
 * read back as a "digested" layer that is never a signature; tampering; the
 * RFC 4134 DigestedData (SHA-1) and id-data ContentInfos; pkcs7-mime bodies
 * recognised by their CMS content type whatever smime-type says. */
#include "test_smime_issue5_util.h"

static cachet_status run_digest(const cachet_digest_opts *o, const char *msg, int mode,
                                cachet_membuf *out, cachet_error *err) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_digest_new(ctx, o, &sink, err);
    cachet_status st = err->status;
    if (op != NULL) {
        st = i5_feed(op, (const uint8_t *)msg, strlen(msg), mode, 5, NULL);
        *err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    cachet_ctx_free(ctx);
    return st;
}

/* A digested-only message: inspect shows a valid digest; verify says it is not
 * signed (a digest is no signature) and the report is not valid. */
static void digested_message_is_intact_but_never_signed(void) {
    const struct {
        cachet_digest_opts o;
        const char *alg;
    } forms[] = {
        {{.digest = CACHET_DIGEST_SHA256}, "sha256"},
        {{.digest = CACHET_DIGEST_SHA384, .raw = true, .format = CACHET_FORMAT_DER}, "sha384"},
        {{.digest = CACHET_DIGEST_SHA512, .raw = true, .format = CACHET_FORMAT_PEM}, "sha512"},
    };
    for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
        cachet_membuf msg = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(run_digest(&forms[f].o, i5_message, FEED_RANDOM, &msg, &err), CACHET_OK);
        if (!forms[f].o.raw) {
            CHECK(i5_find(&msg, "Content-Type: application/pkcs7-mime; name=smime.p7m\r\n"));
            CHECK(i5_find(&msg, "Content-Transfer-Encoding: base64\r\n"));
            CHECK(i5_find(&msg, "Content-Disposition: attachment; filename=smime.p7m\r\n"));
            CHECK(!i5_find(&msg, "smime-type"));
            CHECK(i5_find(&msg, "From: alice@example.com\r\n"));
        }
        cachet_ctx *ctx = cachet_ctx_new();
        cachet_verify_opts vo = {.raw = forms[f].o.raw};
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            i5_result r = i5_read(ctx, &vo, true, msg.data, msg.len, mode);
            CHECK_EQ_INT(r.st, CACHET_OK);
            const cachet_layer_report *l = i5_layer(&r, 0);
            CHECK(l != NULL && r.rep->num_layers == 1);
            if (l != NULL) {
                CHECK_EQ_INT(l->type, CACHET_LAYER_DIGESTED);
                CHECK_STR(l->digest_algorithm, forms[f].alg);
                CHECK(l->digest_valid);
                CHECK(!l->weak);
                CHECK_EQ_INT(l->num_signers, 0);
            }
            i5_result_free(&r);
        }
        i5_result r = i5_read(ctx, &vo, false, msg.data, msg.len, FEED_RANDOM);
        CHECK_EQ_INT(r.st, CACHET_ERR_NO_SIGNERS);
        CHECK(strstr(r.err.message, "digest") != NULL);
        CHECK_EQ_INT(r.out.len, 0);
        CHECK(r.rep != NULL && !r.rep->valid);
        CHECK(i5_layer(&r, 0) != NULL && i5_layer(&r, 0)->digest_valid);
        i5_result_free(&r);
        cachet_ctx_free(ctx);
        /* OpenSSL checks the digest of the raw DER form */
        if (forms[f].o.format == CACHET_FORMAT_DER) {
            /* RFC 5652 §7: id-data inside, version 0 (BER, indefinite lengths) */
            static const uint8_t v0[] = {0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x00};
            CHECK(msg.len > 13 + sizeof(v0) && memcmp(msg.data + 13, v0, sizeof(v0)) == 0);
            const unsigned char *p = msg.data;
            CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)msg.len);
            BIO *out = BIO_new(BIO_s_mem());
            CHECK(cms != NULL && CMS_digest_verify(cms, NULL, out, CMS_BINARY) == 1);
            char *pt = NULL;
            bio_take(out, &pt);
            CHECK(pt != NULL && strstr(pt, I5_TEXT) != NULL);
            free(pt);
            BIO_free(out);
            CMS_ContentInfo_free(cms);
        }
        cachet_membuf_free(&msg);
    }
}

/* Changing one content byte: inspect reports the digest invalid; verify fails
 * with the digest error (not merely "not signed"); nothing is output. */
static void tampered_digested_data_is_reported(void) {
    cachet_digest_opts o = {.raw = true, .format = CACHET_FORMAT_DER};
    cachet_membuf msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(run_digest(&o, i5_message, FEED_WHOLE, &msg, &err), CACHET_OK);
    bool changed = false;
    for (size_t i = 0; i + 5 <= msg.len && !changed; i++) {
        if (memcmp(msg.data + i, "eagle", 5) == 0) {
            msg.data[i] = 'E';
            changed = true;
        }
    }
    CHECK(changed);
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_verify_opts vo = {.raw = true};
    i5_result r = i5_read(ctx, &vo, true, msg.data, msg.len, FEED_RANDOM);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(i5_layer(&r, 0) != NULL && !i5_layer(&r, 0)->digest_valid);
    i5_result_free(&r);
    r = i5_read(ctx, &vo, false, msg.data, msg.len, FEED_BYTES);
    CHECK_EQ_INT(r.st, CACHET_ERR_BAD_SIGNATURE);
    CHECK_EQ_INT(r.out.len, 0);
    CHECK(r.rep != NULL && !r.rep->valid);
    CHECK(i5_layer(&r, 0) != NULL && !i5_layer(&r, 0)->digest_valid);
    i5_result_free(&r);
    cachet_ctx_free(ctx);
    cachet_membuf_free(&msg);
}

/* digested_by_hand: ContentInfo{DigestedData v2, sha256, id-ct-compressedData,
 * |content|} in DER, the digest by OpenSSL. */
static void digested_by_hand(const uint8_t *content, size_t len, cachet_membuf *out) {
    static const uint8_t dd_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                     0xf7, 0x0d, 0x01, 0x07, 0x05};
    static const uint8_t ver_alg[] = {0x02, 0x01, 0x02, 0x30, 0x0b, 0x06, 0x09, 0x60,
                                      0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
    static const uint8_t z_oid[] = {0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                    0x0d, 0x01, 0x09, 0x10, 0x01, 0x09};
    uint8_t md[32];
    unsigned md_len = 0;
    CHECK_EQ_INT(EVP_Digest(content, len, md, &md_len, EVP_sha256(), NULL), 1);
    cachet_membuf os = {0}, inner = {0}, eci = {0}, body = {0}, dd = {0}, ctx0 = {0};
    i5_der_header(&os, 0x04, len);
    cachet_membuf_append(&os, content, len);
    i5_der_header(&inner, 0xa0, os.len);
    cachet_membuf_append(&inner, os.data, os.len);
    i5_der_header(&eci, 0x30, sizeof(z_oid) + inner.len);
    cachet_membuf_append(&eci, z_oid, sizeof(z_oid));
    cachet_membuf_append(&eci, inner.data, inner.len);
    cachet_membuf_append(&body, ver_alg, sizeof(ver_alg));
    cachet_membuf_append(&body, eci.data, eci.len);
    i5_der_header(&body, 0x04, md_len);
    cachet_membuf_append(&body, md, md_len);
    i5_der_header(&dd, 0x30, body.len);
    cachet_membuf_append(&dd, body.data, body.len);
    i5_der_header(&ctx0, 0xa0, dd.len);
    cachet_membuf_append(&ctx0, dd.data, dd.len);
    i5_der_header(out, 0x30, sizeof(dd_oid) + ctx0.len);
    cachet_membuf_append(out, dd_oid, sizeof(dd_oid));
    cachet_membuf_append(out, ctx0.data, ctx0.len);
    cachet_membuf *all[] = {&os, &inner, &eci, &body, &dd, &ctx0};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        cachet_membuf_free(all[i]);
    }
}

/* wrap_pkcs7 makes an S/MIME message whose application/pkcs7-mime body (with
 * |ctype_params| after the type) is |der|. */
static void wrap_pkcs7(const uint8_t *der, size_t len, const char *ctype_params,
                       cachet_membuf *out) {
    char head[256];
    snprintf(head, sizeof(head),
             "From: alice@example.com\r\nSubject: wrapped\r\nMIME-Version: 1.0\r\n"
             "Content-Type: application/pkcs7-mime%s\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\n",
             ctype_params);
    cachet_membuf_append(out, head, strlen(head));
    i5_base64(der, len, out);
}

/* A DigestedData that does not match, inside decrypted content: the uniform
 * decryption failure, like every other fault in decrypted bytes (ATTACKS
 * PO-02), not a digest verdict. */
static void digest_mismatch_inside_decryption_is_the_uniform_failure(void) {
    cachet_digest_opts o = {.raw = true, .format = CACHET_FORMAT_DER};
    cachet_membuf dig = {0}, entity = {0}, msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(run_digest(&o, i5_message, FEED_WHOLE, &dig, &err), CACHET_OK);
    for (int tamper = 0; tamper <= 1; tamper++) {
        if (tamper) {
            for (size_t i = 0; i + 5 <= dig.len; i++) {
                if (memcmp(dig.data + i, "eagle", 5) == 0) {
                    dig.data[i] = 'E';
                    break;
                }
            }
        }
        cachet_membuf_reset(&entity);
        cachet_membuf_reset(&msg);
        wrap_pkcs7(dig.data, dig.len, "; name=smime.p7m", &entity);
        cachet_membuf_append(&entity, "", 1);
        static const uint8_t key[32] = "0123456789abcdef0123456789abcdef";
        cachet_secret_key k = {key, sizeof(key), (const uint8_t *)"k3", 2};
        cachet_encrypt_opts eo = {
            .secret_keys = &k, .num_secret_keys = 1, .cipher = CACHET_CIPHER_CHOICE_AES256_CBC};
        CHECK_EQ_INT(i5_encrypt(&eo, (const char *)entity.data, FEED_WHOLE, &msg, &err), CACHET_OK);
        cachet_decrypt_opts d = {.secret_keys = &k, .num_secret_keys = 1};
        i5_result r = i5_decrypt(&d, msg.data, msg.len, FEED_RANDOM, false);
        if (!tamper) {
            CHECK_EQ_INT(r.st, CACHET_OK);
            CHECK(i5_find(&r.out, I5_TEXT));
            CHECK(r.rep != NULL && r.rep->num_layers == 2 &&
                  r.rep->layers[1].type == CACHET_LAYER_DIGESTED && r.rep->layers[1].digest_valid);
        } else {
            CHECK_EQ_INT(r.st, CACHET_ERR_DECRYPT);
            CHECK_STR(r.err.message, "decryption failed");
            CHECK_EQ_INT(r.out.len, 0);
            CHECK(r.rep != NULL && r.rep->num_layers == 1);
        }
        i5_result_free(&r);
    }
    cachet_membuf_free(&dig);
    cachet_membuf_free(&entity);
    cachet_membuf_free(&msg);
}

/* A digested layer around a compressed one: decompress removes both, and the
 * report lists both (digest valid). */
static void digest_around_compression_is_removed_by_decompress(void) {
    cachet_compress_opts co = {.raw = true};
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_membuf z = {0}, msg = {0}, out = {0};
    cachet_sink zs = cachet_sink_membuf(&z);
    cachet_error err = {0};
    cachet_op *op = cachet_compress_new(ctx, &co, &zs, &err);
    CHECK(op != NULL);
    CHECK_EQ_INT(i5_feed(op, (const uint8_t *)i5_message, strlen(i5_message), FEED_WHOLE, 1, NULL),
                 CACHET_OK);
    cachet_op_free(op);
    /* DigestedData over the CompressedData (eContentType id-ct-compressedData,
     * version 2, which cachet_digest_new does not write), built by hand. */
    digested_by_hand(z.data, z.len, &msg);
    cachet_sink os = cachet_sink_membuf(&out);
    op = cachet_decompress_new(ctx, &co, &os, &err);
    cachet_report *rep = NULL;
    cachet_status st = i5_feed(op, msg.data, msg.len, FEED_RANDOM, 3, &rep);
    if (st != CACHET_OK) {
        fprintf(stderr, "  %s (%s)\n", cachet_op_error(op)->message, cachet_op_error(op)->where);
    }
    CHECK_EQ_INT(st, CACHET_OK);
    CHECK(i5_find(&out, I5_TEXT));
    CHECK(rep != NULL && rep->num_layers == 2);
    if (rep != NULL && rep->num_layers == 2) {
        CHECK_EQ_INT(rep->layers[0].type, CACHET_LAYER_DIGESTED);
        CHECK(rep->layers[0].digest_valid);
        CHECK_EQ_INT(rep->layers[1].type, CACHET_LAYER_COMPRESSED);
    }
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    cachet_membuf_free(&z);
    cachet_membuf_free(&msg);
    cachet_membuf_free(&out);
}

/* RFC 4134 §6 (6.0.bin): SHA-1 DigestedData: weak, so only with allow_weak. */
static void rfc4134_sha1_digested_data_is_weak(void) {
    size_t len = 0;
    uint8_t *in = cachet_test_read_file(cachet_test_vector_path("rfc4134-bcjava/6.0.bin"), &len);
    CHECK(in != NULL);
    if (in == NULL) {
        return;
    }
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_verify_opts vo = {.raw = true};
    i5_result r = i5_read(ctx, &vo, true, in, len, FEED_RANDOM);
    CHECK_EQ_INT(r.st, CACHET_OK);
    const cachet_layer_report *l = i5_layer(&r, 0);
    CHECK(l != NULL && l->type == CACHET_LAYER_DIGESTED && l->digest_valid && l->weak &&
          strcmp(l->digest_algorithm, "sha1") == 0);
    i5_result_free(&r);
    r = i5_read(ctx, &vo, false, in, len, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_ERR_POLICY);
    i5_result_free(&r);
    cachet_ctx_set_allow_weak(ctx, true);
    r = i5_read(ctx, &vo, false, in, len, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_ERR_NO_SIGNERS);
    CHECK(i5_layer(&r, 0) != NULL && i5_layer(&r, 0)->digest_valid);
    i5_result_free(&r);
    cachet_ctx_free(ctx);
    free(in);
}

/* RFC 4134 §3.1 (BER, constructed OCTET STRING) and §3.2 (DER): id-data
 * ContentInfos are a "data" layer. */
static void rfc4134_id_data_content_infos_are_data_layers(void) {
    const char *files[] = {"rfc4134-bcjava/3.1.bin", "rfc4134-bcjava/3.2.bin"};
    cachet_ctx *ctx = cachet_ctx_new();
    for (size_t i = 0; i < 2; i++) {
        size_t len = 0;
        uint8_t *in = cachet_test_read_file(cachet_test_vector_path(files[i]), &len);
        CHECK(in != NULL);
        if (in == NULL) {
            continue;
        }
        cachet_verify_opts vo = {.raw = true};
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            i5_result r = i5_read(ctx, &vo, true, in, len, mode);
            CHECK_EQ_INT(r.st, CACHET_OK);
            const cachet_layer_report *l = i5_layer(&r, 0);
            CHECK(l != NULL && r.rep->num_layers == 1 && l->type == CACHET_LAYER_DATA &&
                  strcmp(l->content_type, "id-data") == 0);
            i5_result_free(&r);
        }
        i5_result r = i5_read(ctx, &vo, false, in, len, FEED_RANDOM);
        CHECK_EQ_INT(r.st, CACHET_ERR_NO_SIGNERS);
        CHECK(r.rep != NULL && !r.rep->valid);
        i5_result_free(&r);
        free(in);
    }
    cachet_ctx_free(ctx);
}

/* An id-data ContentInfo in application/pkcs7-mime: its octets are the next
 * MIME entity - here an encrypted message, which then decrypts. */
static void id_data_in_pkcs7_mime_unwraps_to_the_next_entity(void) {
    static const uint8_t key[16] = "0123456789abcdef";
    cachet_secret_key k = {key, sizeof(key), (const uint8_t *)"k1", 2};
    /* a 16-byte KEK wraps at most an AES-128 content key */
    cachet_encrypt_opts eo = {
        .secret_keys = &k, .num_secret_keys = 1, .cipher = CACHET_CIPHER_CHOICE_AES128_GCM};
    cachet_membuf enc = {0}, der = {0}, msg = {0};
    cachet_error err = {0};
    const char *entity = "Content-Type: text/plain\r\n\r\n" I5_TEXT "\r\n";
    CHECK_EQ_INT(i5_encrypt(&eo, entity, FEED_WHOLE, &enc, &err), CACHET_OK);
    if (err.status != CACHET_OK) {
        fprintf(stderr, "  encrypt: %s\n", err.message);
    }
    i5_id_data(enc.data, enc.len, &der);
    wrap_pkcs7(der.data, der.len, "; name=smime.p7m", &msg);
    cachet_decrypt_opts d = {.secret_keys = &k, .num_secret_keys = 1};
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        i5_result r = i5_decrypt(&d, msg.data, msg.len, mode, false);
        if (r.st != CACHET_OK) {
            fprintf(stderr, "  %s (%s)\n", r.err.message, r.err.where);
        }
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK(i5_find(&r.out, "\r\n\r\n" I5_TEXT "\r\n"));
        CHECK(r.rep != NULL && r.rep->num_layers == 2);
        if (r.rep != NULL && r.rep->num_layers == 2) {
            CHECK_EQ_INT(r.rep->layers[0].type, CACHET_LAYER_DATA);
            CHECK_EQ_INT(r.rep->layers[1].type, CACHET_LAYER_AUTH_ENVELOPED);
        }
        i5_result_free(&r);
    }
    /* an id-data ContentInfo whose [0] is not an OCTET STRING is malformed */
    static const uint8_t bad[] = {0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                  0x0d, 0x01, 0x07, 0x01, 0xa0, 0x02, 0x05, 0x00};
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_verify_opts vo = {.raw = true};
    i5_result r = i5_read(ctx, &vo, true, bad, sizeof(bad), FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_ERR_MALFORMED);
    i5_result_free(&r);
    cachet_ctx_free(ctx);
    cachet_membuf_free(&enc);
    cachet_membuf_free(&der);
    cachet_membuf_free(&msg);
}

/* The smime-type parameter does not decide: missing, unknown or wrong, the
 * body's CMS content type does. */
static void pkcs7_mime_is_sniffed_whatever_smime_type_says(void) {
    static const uint8_t key[16] = "fedcba9876543210";
    cachet_secret_key k = {key, sizeof(key), (const uint8_t *)"k2", 2};
    cachet_encrypt_opts eo = {.secret_keys = &k,
                              .num_secret_keys = 1,
                              .raw = true,
                              .cipher = CACHET_CIPHER_CHOICE_AES128_CBC};
    cachet_membuf der = {0};
    cachet_error err = {0};
    const char *entity = "Content-Type: text/plain\r\n\r\n" I5_TEXT "\r\n";
    CHECK_EQ_INT(i5_encrypt(&eo, entity, FEED_WHOLE, &der, &err), CACHET_OK);
    const char *params[] = {"", "; smime-type=certs-only", "; smime-type=something-new",
                            "; smime-type=signed-data"};
    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
        cachet_membuf msg = {0};
        wrap_pkcs7(der.data, der.len, params[i], &msg);
        cachet_decrypt_opts d = {.secret_keys = &k, .num_secret_keys = 1};
        i5_result r = i5_decrypt(&d, msg.data, msg.len, FEED_RANDOM, false);
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK(i5_find(&r.out, I5_TEXT));
        CHECK(i5_layer(&r, 0) != NULL && i5_layer(&r, 0)->type == CACHET_LAYER_ENVELOPED);
        i5_result_free(&r);
        cachet_membuf_free(&msg);
    }
    cachet_membuf_free(&der);
}

static void unknown_digest_choice_is_usage(void) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_digest_opts o = {.digest = (cachet_digest)7};
    cachet_error err = {0};
    CHECK(cachet_digest_new(ctx, &o, &sink, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    cachet_digest_opts pem_not_raw = {.format = CACHET_FORMAT_PEM};
    CHECK(cachet_digest_new(ctx, &pem_not_raw, &sink, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    cachet_membuf_free(&out);
    cachet_ctx_free(ctx);
}

static const cachet_test_case tests[] = {
    TEST_CASE(digested_message_is_intact_but_never_signed),
    TEST_CASE(tampered_digested_data_is_reported),
    TEST_CASE(digest_mismatch_inside_decryption_is_the_uniform_failure),
    TEST_CASE(digest_around_compression_is_removed_by_decompress),
    TEST_CASE(rfc4134_sha1_digested_data_is_weak),
    TEST_CASE(rfc4134_id_data_content_infos_are_data_layers),
    TEST_CASE(id_data_in_pkcs7_mime_unwraps_to_the_next_entity),
    TEST_CASE(pkcs7_mime_is_sniffed_whatever_smime_type_says),
    TEST_CASE(unknown_digest_choice_is_usage),
};

TEST_MAIN(tests)
