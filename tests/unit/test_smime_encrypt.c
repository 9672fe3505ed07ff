/* cachet_encrypt_new: enveloped-data / authEnveloped-data framing, header split,
 * ciphers and key management, raw forms, checked by decrypting with OpenSSL. */
#include "test_smime_sign_util.h"

static gen_id bob_rsa, bob_ec;
static bool ids_ready;

static bool setup(void) {
    if (!ids_ready) {
        ids_ready = gen_identity(&bob_rsa, "rsa", "bob@example.com") &&
                    gen_identity(&bob_ec, "p256", "bob-ec@example.com");
        CHECK(ids_ready);
    }
    return ids_ready;
}

static cachet_cert *load_cert(const gen_id *id) {
    cachet_cert *c = NULL;
    cachet_error err;
    CHECK_EQ_INT(cachet_cert_load_file(id->cert_path, &c, &err), CACHET_OK);
    return c;
}

static cachet_status encrypt_msg(const char *in, size_t len, const gen_id *const *to, size_t n,
                                 cachet_encrypt_opts o, int mode, cachet_membuf *out,
                                 cachet_error *err) {
    cachet_cert *certs[4] = {0};
    for (size_t i = 0; i < n; i++) {
        certs[i] = load_cert(to[i]);
    }
    o.recipients = certs;
    o.num_recipients = n;
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_encrypt_new(ctx, &o, &sink, err);
    cachet_status st = err->status;
    if (op != NULL) {
        uint32_t seed = 777;
        st = gen_feed(op, in, len, mode, &seed);
        *err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    cachet_ctx_free(ctx);
    for (size_t i = 0; i < n; i++) {
        cachet_cert_free(certs[i]);
    }
    return st;
}

/* ossl_decrypt: OpenSSL decrypts |cms| with |id|; the plaintext (malloc'd) or NULL. */
static char *ossl_decrypt(CMS_ContentInfo *cms, const gen_id *id, size_t *len) {
    BIO *out = BIO_new(BIO_s_mem());
    char *pt = NULL;
    if (CMS_decrypt(cms, id->key, id->cert, NULL, out, CMS_BINARY) == 1) {
        *len = bio_take(out, &pt);
    }
    BIO_free(out);
    return pt;
}

static const char *message = "From: alice@example.com\n"
                             "To: bob@example.com\n"
                             "Subject: secret\n"
                             "Content-Type: text/plain; charset=utf-8\n"
                             "Content-Transfer-Encoding: 8bit\n"
                             "\n"
                             "caf\xc3\xa9 at noon\n";

static const char *entity = "Content-Type: text/plain; charset=utf-8\r\n"
                            "Content-Transfer-Encoding: 8bit\r\n"
                            "\r\n"
                            "caf\xc3\xa9 at noon\r\n";

/* Table: every cipher and key management OpenSSL can decrypt, fed in every chunking. */
static void every_cipher_and_key_management_decrypts_with_openssl(void) {
    if (!setup()) {
        return;
    }
    const struct {
        cachet_cipher_choice cipher;
        bool oaep;
        const gen_id *to;
        const char *smime_type;
        int nid;
    } cases[] = {
        {CACHET_CIPHER_CHOICE_AES256_GCM, false, &bob_rsa, "authEnveloped-data",
         NID_id_smime_ct_authEnvelopedData},
        {CACHET_CIPHER_CHOICE_AES128_GCM, true, &bob_rsa, "authEnveloped-data",
         NID_id_smime_ct_authEnvelopedData},
        {CACHET_CIPHER_CHOICE_AES256_CBC, false, &bob_rsa, "enveloped-data", NID_pkcs7_enveloped},
        {CACHET_CIPHER_CHOICE_AES128_CBC, true, &bob_rsa, "enveloped-data", NID_pkcs7_enveloped},
        {CACHET_CIPHER_CHOICE_AES256_GCM, false, &bob_ec, "authEnveloped-data",
         NID_id_smime_ct_authEnvelopedData},
        {CACHET_CIPHER_CHOICE_AES256_CBC, false, &bob_ec, "enveloped-data", NID_pkcs7_enveloped},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf out = {0};
            cachet_error err;
            cachet_encrypt_opts o = {.cipher = cases[i].cipher, .oaep = cases[i].oaep};
            CHECK_EQ_INT(
                encrypt_msg(message, strlen(message), &cases[i].to, 1, o, mode, &out, &err),
                CACHET_OK);
            char *s = gen_str(&out);
            char want[256];
            snprintf(want, sizeof(want),
                     "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: secret\r\n"
                     "MIME-Version: 1.0\r\n"
                     "Content-Type: application/pkcs7-mime; smime-type=%s;\r\n name=smime.p7m\r\n"
                     "Content-Transfer-Encoding: base64\r\n"
                     "Content-Disposition: attachment; filename=smime.p7m\r\n\r\n",
                     cases[i].smime_type);
            CHECK(strncmp(s, want, strlen(want)) == 0);
            CHECK(strstr(s, " at noon") == NULL &&
                  strstr(s, "Content-Transfer-Encoding: 8bit") == NULL);
            CMS_ContentInfo *cms = ossl_read(&out, NULL);
            CHECK(cms != NULL);
            if (cms != NULL) {
                CHECK_EQ_INT(OBJ_obj2nid(CMS_get0_type(cms)), cases[i].nid);
                size_t len = 0;
                char *pt = ossl_decrypt(cms, cases[i].to, &len);
                CHECK(pt != NULL);
                if (pt != NULL) {
                    CHECK_MEM(pt, len, entity, strlen(entity));
                }
                free(pt);
            }
            CMS_ContentInfo_free(cms);
            free(s);
            cachet_membuf_free(&out);
        }
    }
}

static void every_recipient_can_decrypt(void) {
    if (!setup()) {
        return;
    }
    const gen_id *to[2] = {&bob_rsa, &bob_ec};
    cachet_membuf out = {0};
    cachet_error err;
    cachet_encrypt_opts o = {0};
    CHECK_EQ_INT(encrypt_msg(message, strlen(message), to, 2, o, FEED_WHOLE, &out, &err),
                 CACHET_OK);
    for (int i = 0; i < 2; i++) {
        CMS_ContentInfo *cms = ossl_read(&out, NULL);
        CHECK(cms != NULL);
        size_t len = 0;
        char *pt = cms != NULL ? ossl_decrypt(cms, to[i], &len) : NULL;
        CHECK(pt != NULL);
        free(pt);
        CMS_ContentInfo_free(cms);
    }
    cachet_membuf_free(&out);
}

static void raw_der_and_pem_hold_the_bytes_as_they_are(void) {
    if (!setup()) {
        return;
    }
    const gen_id *to = &bob_rsa;
    const char *content = "raw\nbytes\r\n\x00\xff";
    size_t clen = 13;
    for (int pem = 0; pem <= 1; pem++) {
        cachet_membuf out = {0};
        cachet_error err;
        cachet_encrypt_opts o = {.raw = true,
                                 .format = pem ? CACHET_FORMAT_PEM : CACHET_FORMAT_DER};
        CHECK_EQ_INT(encrypt_msg(content, clen, &to, 1, o, FEED_RANDOM, &out, &err), CACHET_OK);
        BIO *bio = BIO_new_mem_buf(out.data, (int)out.len);
        CMS_ContentInfo *cms =
            pem ? PEM_read_bio_CMS(bio, NULL, NULL, NULL) : d2i_CMS_bio(bio, NULL);
        CHECK(cms != NULL);
        if (pem) {
            CHECK(out.len > 20 && memcmp(out.data, "-----BEGIN CMS-----\n", 20) == 0);
        }
        size_t len = 0;
        char *pt = cms != NULL ? ossl_decrypt(cms, to, &len) : NULL;
        CHECK(pt != NULL);
        if (pt != NULL) {
            CHECK_MEM(pt, len, content, clen);
        }
        free(pt);
        CMS_ContentInfo_free(cms);
        BIO_free(bio);
        cachet_membuf_free(&out);
    }
}

static void bad_options_are_usage_errors(void) {
    if (!setup()) {
        return;
    }
    cachet_membuf out = {0};
    cachet_error err;
    cachet_encrypt_opts none = {0};
    CHECK_EQ_INT(encrypt_msg(message, strlen(message), NULL, 0, none, FEED_WHOLE, &out, &err),
                 CACHET_ERR_USAGE);
    const gen_id *to = &bob_rsa;
    cachet_encrypt_opts der_no_raw = {.format = CACHET_FORMAT_DER};
    CHECK_EQ_INT(encrypt_msg(message, strlen(message), &to, 1, der_no_raw, FEED_WHOLE, &out, &err),
                 CACHET_ERR_USAGE);
    cachet_encrypt_opts bad_cipher = {.cipher = (cachet_cipher_choice)42};
    CHECK_EQ_INT(encrypt_msg(message, strlen(message), &to, 1, bad_cipher, FEED_WHOLE, &out, &err),
                 CACHET_ERR_USAGE);
    CHECK_EQ_INT(out.len, 0);
    cachet_membuf_free(&out);
}

static void empty_input_encrypts_a_default_entity(void) {
    if (!setup()) {
        return;
    }
    const gen_id *to = &bob_rsa;
    cachet_membuf out = {0};
    cachet_error err;
    cachet_encrypt_opts o = {0};
    CHECK_EQ_INT(encrypt_msg("", 0, &to, 1, o, FEED_WHOLE, &out, &err), CACHET_OK);
    CMS_ContentInfo *cms = ossl_read(&out, NULL);
    size_t len = 0;
    char *pt = cms != NULL ? ossl_decrypt(cms, to, &len) : NULL;
    const char *want = "Content-Type: text/plain; charset=us-ascii\r\n\r\n";
    CHECK(pt != NULL);
    if (pt != NULL) {
        CHECK_MEM(pt, len, want, strlen(want));
    }
    free(pt);
    CMS_ContentInfo_free(cms);
    cachet_membuf_free(&out);
}

static void teardown_last(void) {
    gen_identity_free(&bob_rsa);
    gen_identity_free(&bob_ec);
}

static const cachet_test_case tests[] = {
    TEST_CASE(every_cipher_and_key_management_decrypts_with_openssl),
    TEST_CASE(every_recipient_can_decrypt),
    TEST_CASE(raw_der_and_pem_hold_the_bytes_as_they_are),
    TEST_CASE(bad_options_are_usage_errors),
    TEST_CASE(empty_input_encrypts_a_default_entity),
    TEST_CASE(teardown_last),
};
TEST_MAIN(tests)
