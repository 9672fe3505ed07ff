/* Issue 5 through the public API: KEK and password recipients, a mix of every
 * kind (each opens the message alone), several keys of ours, EncryptedData in
 * S/MIME and raw form, AES-CCM and ChaCha20-Poly1305, the RFC 4134 legacy
 * EncryptedData vectors, and the USAGE errors. OpenSSL is the independent
 * reader and writer where it can be. */
#include "test_smime_issue5_util.h"

static gen_id rsa_id, ec_id, other_id;
static bool ids_ready;

static bool setup(void) {
    if (!ids_ready) {
        ids_ready = gen_identity(&rsa_id, "rsa", "bob@example.com") &&
                    gen_identity(&ec_id, "p256", "bob-ec@example.com") &&
                    gen_identity(&other_id, "p256", "carol@example.com");
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

static const uint8_t kek32[32] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
                                  0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
                                  0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20};
static const uint8_t kek16[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                  0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};
#define KEK_ID "mail-list-key-1"
#define PASSWORD "correct horse battery staple"

static cachet_secret_key kek(const uint8_t *key, size_t len, const char *id) {
    return (cachet_secret_key){key, len, (const uint8_t *)id, id != NULL ? strlen(id) : 0};
}

/* decrypt_ok decrypts |in| with |d| and checks that it opened (naming |name|
 * and the error when not); the caller checks the content and frees. */
static i5_result decrypt_ok(const cachet_decrypt_opts *d, const uint8_t *in, size_t len, int mode,
                            bool allow_weak, const char *name) {
    i5_result r = i5_decrypt(d, in, len, mode, allow_weak);
    if (r.st != CACHET_OK) {
        fprintf(stderr, "  %s: %s (%s)\n", name, r.err.message, r.err.where);
    }
    CHECK_EQ_INT(r.st, CACHET_OK);
    return r;
}

/* The uniform failure of a wrong key or a tampered message: no output. */
static void check_uniform_failure(const i5_result *r) {
    CHECK_EQ_INT(r->st, CACHET_ERR_DECRYPT);
    CHECK_STR(r->err.message, "decryption failed");
    CHECK_EQ_INT(r->out.len, 0);
}

/* ossl_decrypts_to_text: OpenSSL, its secret already set on |cms|, decrypts
 * the message to the test text. */
static void ossl_decrypts_to_text(CMS_ContentInfo *cms) {
    BIO *out = BIO_new(BIO_s_mem());
    CHECK_EQ_INT(CMS_decrypt(cms, NULL, NULL, NULL, out, 0), 1);
    char *pt = NULL;
    bio_take(out, &pt);
    CHECK(pt != NULL && strstr(pt, I5_TEXT) != NULL);
    free(pt);
    BIO_free(out);
}

/* A KEK-only message decrypts with the KEK, in every chunking, and OpenSSL
 * opens it with the same key. */
static void kek_recipient_round_trip(void) {
    cachet_secret_key k = kek(kek32, sizeof(kek32), KEK_ID);
    cachet_encrypt_opts eo = {
        .secret_keys = &k, .num_secret_keys = 1, .cipher = CACHET_CIPHER_CHOICE_AES256_CBC};
    cachet_membuf msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(i5_encrypt(&eo, i5_message, FEED_RANDOM, &msg, &err), CACHET_OK);
    CHECK(i5_find(&msg, "smime-type=enveloped-data"));
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        cachet_decrypt_opts d = {.secret_keys = &k, .num_secret_keys = 1};
        i5_result r = i5_decrypt(&d, msg.data, msg.len, mode, false);
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK(i5_find(&r.out, "\r\n\r\n" I5_TEXT "\r\n"));
        CHECK(i5_find(&r.out, "Subject: issue 5\r\n"));
        const cachet_layer_report *l = i5_layer(&r, 0);
        CHECK(l != NULL && r.rep->num_layers == 1);
        if (l != NULL) {
            CHECK_EQ_INT(l->type, CACHET_LAYER_ENVELOPED);
            CHECK_STR(l->key_management, "kek-aes256-wrap");
            CHECK_STR(l->cipher, "aes-256-cbc");
            CHECK_EQ_INT(l->num_recipients, 1);
            CHECK(r.rep->valid);
        }
        i5_result_free(&r);
    }
    /* inspect names the KEK recipient without the key */
    cachet_ctx *ictx = cachet_ctx_new();
    cachet_verify_opts ivo = {0};
    i5_result ir = i5_read(ictx, &ivo, true, msg.data, msg.len, FEED_RANDOM);
    CHECK_EQ_INT(ir.st, CACHET_OK);
    CHECK(i5_layer(&ir, 0) != NULL &&
          strcmp(i5_layer(&ir, 0)->key_management, "kek-aes256-wrap") == 0);
    i5_result_free(&ir);
    cachet_ctx_free(ictx);
    /* OpenSSL: the KEK recipient by id. */
    CMS_ContentInfo *cms = ossl_read(&msg, NULL);
    CHECK(cms != NULL);
    if (cms != NULL) {
        unsigned char *key = (unsigned char *)kek32;
        CHECK_EQ_INT(CMS_decrypt_set1_key(cms, key, sizeof(kek32), (const unsigned char *)KEK_ID,
                                          strlen(KEK_ID)),
                     1);
        ossl_decrypts_to_text(cms);
        CMS_ContentInfo_free(cms);
    }
    cachet_membuf_free(&msg);
}

/* A KEK that is not addressed (other id) is never tried: NO_RECIPIENT; the
 * right id with the wrong key: the uniform decryption failure. */
static void kek_with_other_id_or_wrong_key_fails_cleanly(void) {
    cachet_secret_key k = kek(kek32, sizeof(kek32), KEK_ID);
    cachet_encrypt_opts eo = {.secret_keys = &k, .num_secret_keys = 1};
    cachet_membuf msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(i5_encrypt(&eo, i5_message, FEED_WHOLE, &msg, &err), CACHET_OK);
    uint8_t wrong[32];
    memcpy(wrong, kek32, sizeof(wrong));
    wrong[5] ^= 0x40;
    const struct {
        cachet_secret_key key;
        cachet_status want;
    } cases[] = {
        {kek(kek32, sizeof(kek32), "another-id"), CACHET_ERR_NO_RECIPIENT},
        {kek(wrong, sizeof(wrong), KEK_ID), CACHET_ERR_DECRYPT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_decrypt_opts d = {.secret_keys = &cases[i].key, .num_secret_keys = 1};
        i5_result r = i5_decrypt(&d, msg.data, msg.len, FEED_RANDOM, false);
        CHECK_EQ_INT(r.st, cases[i].want);
        CHECK_EQ_INT(r.out.len, 0);
        if (cases[i].want == CACHET_ERR_DECRYPT) {
            CHECK_STR(r.err.message, "decryption failed");
        }
        i5_result_free(&r);
    }
    cachet_membuf_free(&msg);
}

/* A password recipient (PBKDF2 iterations chosen low for the test) opens with
 * the password, OpenSSL agrees; a wrong password is "decryption failed". */
static void password_recipient_round_trip(void) {
    const char *pw[] = {PASSWORD};
    cachet_encrypt_opts eo = {.passwords = pw, .num_passwords = 1, .pbkdf2_iterations = 2000};
    cachet_membuf msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(i5_encrypt(&eo, i5_message, FEED_BYTES, &msg, &err), CACHET_OK);
    CHECK(i5_find(&msg, "smime-type=authEnveloped-data"));
    cachet_decrypt_opts d = {.password = PASSWORD};
    i5_result r = i5_decrypt(&d, msg.data, msg.len, FEED_RANDOM, false);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(i5_find(&r.out, I5_TEXT));
    const cachet_layer_report *l = i5_layer(&r, 0);
    CHECK(l != NULL);
    if (l != NULL) {
        CHECK_EQ_INT(l->type, CACHET_LAYER_AUTH_ENVELOPED);
        CHECK_STR(l->key_management, "pwri-pbkdf2-hmac-sha256");
        CHECK_STR(l->cipher, "aes-256-gcm");
        CHECK(l->authenticated);
    }
    i5_result_free(&r);
    cachet_ctx *ictx = cachet_ctx_new();
    cachet_verify_opts ivo = {0};
    r = i5_read(ictx, &ivo, true, msg.data, msg.len, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(i5_layer(&r, 0) != NULL &&
          strcmp(i5_layer(&r, 0)->key_management, "pwri-pbkdf2-hmac-sha256") == 0 &&
          strcmp(i5_layer(&r, 0)->cipher, "aes-256-gcm") == 0);
    i5_result_free(&r);
    cachet_ctx_free(ictx);
    cachet_decrypt_opts bad = {.password = "correct horse battery stapler"};
    r = i5_decrypt(&bad, msg.data, msg.len, FEED_WHOLE, false);
    check_uniform_failure(&r);
    i5_result_free(&r);
    cachet_membuf_free(&msg);
}

/* One message to an RSA certificate, an EC certificate, a KEK and a password
 * (RecipientInfos ktri, kari, kekri, pwri): each secret alone opens it. */
static void mixed_recipients_each_open_the_message_alone(void) {
    if (!setup()) {
        return;
    }
    cachet_cert *certs[2] = {load_cert(&rsa_id), load_cert(&ec_id)};
    cachet_secret_key k = kek(kek16, sizeof(kek16), KEK_ID);
    const char *pw[] = {PASSWORD};
    cachet_encrypt_opts eo = {.recipients = certs,
                              .num_recipients = 2,
                              .secret_keys = &k,
                              .num_secret_keys = 1,
                              .passwords = pw,
                              .num_passwords = 1,
                              .pbkdf2_iterations = 1000,
                              .cipher = CACHET_CIPHER_CHOICE_AES128_CBC};
    cachet_membuf msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(i5_encrypt(&eo, i5_message, FEED_RANDOM, &msg, &err), CACHET_OK);
    const cachet_credential *rsa = rsa_id.cred, *ec = ec_id.cred;
    const struct {
        const char *name;
        cachet_decrypt_opts d;
        const char *km;
    } cases[] = {
        {"rsa", {.cred = rsa}, "rsaEncryption"},
        {"ec", {.more_creds = &ec, .num_more_creds = 1}, "ecdh-stdDH-sha256kdf"},
        {"kek", {.secret_keys = &k, .num_secret_keys = 1}, "kek-aes128-wrap"},
        {"password", {.password = PASSWORD}, "pwri-pbkdf2-hmac-sha256"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        i5_result r = decrypt_ok(&cases[i].d, msg.data, msg.len, FEED_RANDOM, false, cases[i].name);
        CHECK(i5_find(&r.out, I5_TEXT));
        const cachet_layer_report *l = i5_layer(&r, 0);
        CHECK(l != NULL);
        if (l != NULL) {
            CHECK_EQ_INT(l->num_recipients, 4);
            CHECK_STR(l->cipher, "aes-128-cbc");
            CHECK_STR(l->key_management, cases[i].km);
        }
        i5_result_free(&r);
    }
    /* inspect names the first RecipientInfo and counts all four */
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_verify_opts vo = {0};
    i5_result r = i5_read(ctx, &vo, true, msg.data, msg.len, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(i5_layer(&r, 0) != NULL && i5_layer(&r, 0)->num_recipients == 4);
    i5_result_free(&r);
    cachet_ctx_free(ctx);
    /* OpenSSL decrypts with the password too */
    CMS_ContentInfo *cms = ossl_read(&msg, NULL);
    CHECK(cms != NULL);
    if (cms != NULL) {
        CHECK_EQ_INT(CMS_decrypt_set1_password(cms, (unsigned char *)PASSWORD, -1), 1);
        ossl_decrypts_to_text(cms);
        CMS_ContentInfo_free(cms);
    }
    cachet_cert_free(certs[0]);
    cachet_cert_free(certs[1]);
    cachet_membuf_free(&msg);
}

/* OpenSSL writes KEK and password recipients; we read them. */
static void openssl_kek_and_password_messages_decrypt(void) {
    BIO *in = BIO_new_mem_buf(i5_message, (int)strlen(i5_message));
    CMS_ContentInfo *cms =
        CMS_encrypt(NULL, in, EVP_aes_256_cbc(), CMS_BINARY | CMS_PARTIAL | CMS_STREAM);
    BIO_free(in);
    CHECK(cms != NULL);
    if (cms == NULL) {
        return;
    }
    /* add0: OpenSSL takes both the key and the id */
    unsigned char *kid = OPENSSL_memdup(KEK_ID, strlen(KEK_ID));
    unsigned char *key = OPENSSL_memdup(kek16, sizeof(kek16));
    CHECK(CMS_add0_recipient_key(cms, NID_undef, key, sizeof(kek16), kid, strlen(KEK_ID), NULL,
                                 NULL, NULL) != NULL);
    unsigned char *pass = (unsigned char *)OPENSSL_strdup(PASSWORD);
    CHECK(CMS_add0_recipient_password(cms, 1000, NID_undef, NID_id_alg_PWRI_KEK, pass, -1, NULL) !=
          NULL);
    BIO *src = BIO_new_mem_buf(i5_message, (int)strlen(i5_message));
    BIO *out = BIO_new(BIO_s_mem());
    CHECK_EQ_INT(SMIME_write_CMS(out, cms, src, CMS_BINARY | CMS_STREAM), 1);
    char *smime = NULL;
    size_t len = bio_take(out, &smime);
    cachet_secret_key k = kek(kek16, sizeof(kek16), KEK_ID);
    cachet_decrypt_opts by_kek = {.secret_keys = &k, .num_secret_keys = 1};
    cachet_decrypt_opts by_pw = {.password = PASSWORD};
    const cachet_decrypt_opts *cases[] = {&by_kek, &by_pw};
    for (size_t i = 0; i < 2; i++) {
        i5_result r = i5_decrypt(cases[i], (const uint8_t *)smime, len, FEED_RANDOM, false);
        if (r.st != CACHET_OK) {
            fprintf(stderr, "  case %zu: %s (%s)\n", i, r.err.message, r.err.where);
        }
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK(i5_find(&r.out, I5_TEXT));
        i5_result_free(&r);
    }
    free(smime);
    BIO_free(src);
    BIO_free(out);
    CMS_ContentInfo_free(cms);
}

/* more_creds: the message is for our second key; the first is never tried. */
static void several_keys_of_ours_the_message_is_for_the_second(void) {
    if (!setup()) {
        return;
    }
    cachet_cert *cert = load_cert(&ec_id);
    cachet_encrypt_opts eo = {.recipients = &cert, .num_recipients = 1};
    cachet_membuf msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(i5_encrypt(&eo, i5_message, FEED_WHOLE, &msg, &err), CACHET_OK);
    const cachet_credential *more[] = {other_id.cred, ec_id.cred};
    cachet_decrypt_opts d = {.cred = rsa_id.cred, .more_creds = more, .num_more_creds = 2};
    i5_result r = i5_decrypt(&d, msg.data, msg.len, FEED_RANDOM, false);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(i5_find(&r.out, I5_TEXT));
    CHECK(i5_layer(&r, 0) != NULL &&
          strcmp(i5_layer(&r, 0)->key_management, "ecdh-stdDH-sha256kdf") == 0);
    i5_result_free(&r);
    /* without the second key: nothing addressed to us */
    cachet_decrypt_opts d2 = {.cred = rsa_id.cred, .more_creds = more, .num_more_creds = 1};
    r = i5_decrypt(&d2, msg.data, msg.len, FEED_WHOLE, false);
    CHECK_EQ_INT(r.st, CACHET_ERR_NO_RECIPIENT);
    CHECK_EQ_INT(r.out.len, 0);
    i5_result_free(&r);
    cachet_cert_free(cert);
    cachet_membuf_free(&msg);
}

/* EncryptedData: S/MIME without smime-type (none is defined), DER and PEM raw;
 * decrypts with the content key given as a secret key without id; OpenSSL
 * decrypts the raw form; inspect lists the layer unopened; a credential alone
 * cannot open it; a wrong key is the uniform failure. */
/* contains_text: |out| holds the test text somewhere. */
static bool contains_text(const cachet_membuf *out) {
    size_t n = strlen(I5_TEXT);
    for (size_t i = 0; out->len >= n && i <= out->len - n; i++) {
        if (memcmp(out->data + i, I5_TEXT, n) == 0) {
            return true;
        }
    }
    return false;
}

static void encrypted_data_smime_and_raw(void) {
    if (!setup()) {
        return;
    }
    cachet_secret_key ck = kek(kek16, sizeof(kek16), NULL);
    const struct {
        bool raw;
        cachet_format format;
    } forms[] = {
        {false, CACHET_FORMAT_SMIME}, {true, CACHET_FORMAT_DER}, {true, CACHET_FORMAT_PEM}};
    for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
        cachet_encrypt_opts eo = {.secret_keys = &ck,
                                  .num_secret_keys = 1,
                                  .encrypted_data = true,
                                  .raw = forms[f].raw,
                                  .format = forms[f].format};
        cachet_membuf msg = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(i5_encrypt(&eo, i5_message, FEED_RANDOM, &msg, &err), CACHET_OK);
        if (!forms[f].raw) {
            CHECK(i5_find(&msg, "Content-Type: application/pkcs7-mime; name=smime.p7m\r\n"));
            CHECK(i5_find(&msg, "Content-Disposition: attachment; filename=smime.p7m\r\n"));
            CHECK(!i5_find(&msg, "smime-type"));
            CHECK(i5_find(&msg, "Subject: issue 5\r\n"));
        }
        if (forms[f].format == CACHET_FORMAT_PEM) {
            CHECK(i5_find(&msg, "-----BEGIN CMS-----"));
        }
        cachet_decrypt_opts d = {.secret_keys = &ck, .num_secret_keys = 1, .raw = forms[f].raw};
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            i5_result r = i5_decrypt(&d, msg.data, msg.len, mode, false);
            CHECK_EQ_INT(r.st, CACHET_OK);
            CHECK(i5_find(&r.out, I5_TEXT));
            const cachet_layer_report *l = i5_layer(&r, 0);
            CHECK(l != NULL && r.rep->num_layers == 1);
            if (l != NULL) {
                CHECK_EQ_INT(l->type, CACHET_LAYER_ENCRYPTED);
                CHECK_STR(l->cipher, "aes-128-cbc");
                CHECK_EQ_INT(l->num_recipients, 0);
                CHECK(!l->weak);
            }
            i5_result_free(&r);
        }
        /* inspect: listed, not opened */
        cachet_ctx *ctx = cachet_ctx_new();
        cachet_verify_opts vo = {.raw = forms[f].raw};
        i5_result r = i5_read(ctx, &vo, true, msg.data, msg.len, FEED_RANDOM);
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK(i5_layer(&r, 0) != NULL && i5_layer(&r, 0)->type == CACHET_LAYER_ENCRYPTED &&
              strcmp(i5_layer(&r, 0)->cipher, "aes-128-cbc") == 0);
        CHECK_EQ_INT(r.out.len, 0);
        i5_result_free(&r);
        cachet_ctx_free(ctx);
        /* a credential is no content key */
        cachet_decrypt_opts by_cred = {.cred = rsa_id.cred, .raw = forms[f].raw};
        r = i5_decrypt(&by_cred, msg.data, msg.len, FEED_WHOLE, false);
        CHECK_EQ_INT(r.st, CACHET_ERR_NO_RECIPIENT);
        CHECK(i5_layer(&r, 0) != NULL && i5_layer(&r, 0)->type == CACHET_LAYER_ENCRYPTED);
        i5_result_free(&r);
        /* Wrong keys: CBC is not authenticated, so about 1 wrong key in 256 gives
         * valid padding and "decrypts" to noise. Each wrong key must fail with the
         * uniform error and no output, or give noise, never the text; and of eight
         * wrong keys at least one must fail (all eight pass with odds 2^-64). */
        size_t failed = 0;
        for (uint8_t flip = 1; flip <= 8; flip++) {
            uint8_t wrong[16];
            memcpy(wrong, kek16, sizeof(wrong));
            wrong[0] ^= flip;
            cachet_secret_key wk = kek(wrong, sizeof(wrong), NULL);
            cachet_decrypt_opts dw = {
                .secret_keys = &wk, .num_secret_keys = 1, .raw = forms[f].raw};
            r = i5_decrypt(&dw, msg.data, msg.len, FEED_WHOLE, false);
            if (r.st == CACHET_ERR_DECRYPT) {
                CHECK_EQ_INT(r.out.len, 0);
                failed++;
            } else {
                CHECK_EQ_INT(r.st, CACHET_OK);
                CHECK(!contains_text(&r.out));
            }
            i5_result_free(&r);
        }
        CHECK(failed > 0);
        if (forms[f].format == CACHET_FORMAT_DER) {
            /* RFC 5652 §8: no unprotectedAttrs, version 0 */
            static const uint8_t v0[] = {0xa0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x00};
            CHECK(msg.len > 13 + sizeof(v0) && memcmp(msg.data + 13, v0, sizeof(v0)) == 0);
            const unsigned char *p = msg.data;
            CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)msg.len);
            CHECK(cms != NULL);
            BIO *out = BIO_new(BIO_s_mem());
            CHECK(cms != NULL &&
                  CMS_EncryptedData_decrypt(cms, kek16, sizeof(kek16), NULL, out, CMS_BINARY) == 1);
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

/* RFC 4134 §7.1/7.2: EncryptedData under 3DES (legacy: only with allow_weak,
 * reported weak). */
static void rfc4134_encrypted_data_needs_allow_weak(void) {
    static const uint8_t key[24] = {0x73, 0x7c, 0x79, 0x1f, 0x25, 0xea, 0xd0, 0xe0,
                                    0x46, 0x29, 0x25, 0x43, 0x52, 0xf7, 0xdc, 0x62,
                                    0x91, 0xe5, 0xcb, 0x26, 0x91, 0x7a, 0xda, 0x32};
    const char *files[] = {"rfc4134-bcjava/7.1.bin", "rfc4134-bcjava/7.2.bin"};
    for (size_t i = 0; i < 2; i++) {
        size_t len = 0;
        uint8_t *in = cachet_test_read_file(cachet_test_vector_path(files[i]), &len);
        if (in == NULL) {
            CHECK(in != NULL);
            continue;
        }
        cachet_secret_key ck = kek(key, sizeof(key), NULL);
        cachet_decrypt_opts d = {.secret_keys = &ck, .num_secret_keys = 1, .raw = true};
        i5_result r = decrypt_ok(&d, in, len, FEED_RANDOM, true, files[i]);
        CHECK_MEM(r.out.data, r.out.len, "This is some sample content.", 28);
        const cachet_layer_report *l = i5_layer(&r, 0);
        CHECK(l != NULL && l->type == CACHET_LAYER_ENCRYPTED && l->weak &&
              strcmp(l->cipher, "des-ede3-cbc") == 0);
        i5_result_free(&r);
        r = i5_decrypt(&d, in, len, FEED_WHOLE, false);
        CHECK_EQ_INT(r.st, CACHET_ERR_POLICY);
        CHECK_EQ_INT(r.out.len, 0);
        i5_result_free(&r);
        free(in);
    }
}

/* RFC 4134 §5.2/§5.3: 3DES (S/MIME) and RC2/40 (raw, beside a kekri we have
 * no key for) to Bob's RSA-1024 key: legacy, opened only with allow_weak and
 * reported weak with the cipher by its effective size. */
static void rfc4134_legacy_enveloped_data_to_bob(void) {
    cachet_credential *bob = NULL;
    cachet_error err = {0};
    char cert[1024], key[1024];
    snprintf(cert, sizeof(cert), "%s",
             cachet_test_vector_path("rfc4134-bcjava/BobRSASignByCarl.cer"));
    snprintf(key, sizeof(key), "%s",
             cachet_test_vector_path("rfc4134-bcjava/BobPrivRSAEncrypt.pri"));
    CHECK_EQ_INT(cachet_credential_load(cert, key, NULL, &bob, &err), CACHET_OK);
    if (bob == NULL) {
        return;
    }
    const struct {
        const char *file;
        bool raw;
        const char *cipher;
    } cases[] = {
        {"rfc4134-bcjava/5.3.eml", false, "des-ede3-cbc"},
        {"rfc4134-bcjava/5.2.bin", true, "rc2-40-cbc"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0;
        uint8_t *in = cachet_test_read_file(cachet_test_vector_path(cases[i].file), &len);
        CHECK(in != NULL);
        if (in == NULL) {
            continue;
        }
        cachet_decrypt_opts d = {.cred = bob, .raw = cases[i].raw};
        i5_result r = decrypt_ok(&d, in, len, FEED_RANDOM, true, cases[i].file);
        CHECK(i5_find(&r.out, "This is some sample content."));
        const cachet_layer_report *l = i5_layer(&r, 0);
        CHECK(l != NULL && l->weak && l->type == CACHET_LAYER_ENVELOPED);
        if (l != NULL) {
            CHECK_STR(l->cipher, cases[i].cipher);
        }
        i5_result_free(&r);
        r = i5_decrypt(&d, in, len, FEED_WHOLE, false);
        CHECK(r.st == CACHET_ERR_POLICY);
        CHECK_EQ_INT(r.out.len, 0);
        i5_result_free(&r);
        free(in);
    }
    cachet_credential_free(bob);
}

/* AES-CCM and ChaCha20-Poly1305 (and AES-192) round trips, with the S/MIME
 * smime-type of AuthEnvelopedData. */
static void ccm_chacha_and_aes192_round_trips(void) {
    if (!setup()) {
        return;
    }
    const struct {
        cachet_cipher_choice c;
        const char *name;
        bool aead;
    } cases[] = {
        {CACHET_CIPHER_CHOICE_AES128_CCM, "aes-128-ccm", true},
        {CACHET_CIPHER_CHOICE_AES256_CCM, "aes-256-ccm", true},
        {CACHET_CIPHER_CHOICE_CHACHA20_POLY1305, "chacha20-poly1305", true},
        {CACHET_CIPHER_CHOICE_AES192_GCM, "aes-192-gcm", true},
        {CACHET_CIPHER_CHOICE_AES192_CBC, "aes-192-cbc", false},
    };
    cachet_cert *cert = load_cert(&rsa_id);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_encrypt_opts eo = {.recipients = &cert, .num_recipients = 1, .cipher = cases[i].c};
        cachet_membuf msg = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(i5_encrypt(&eo, i5_message, FEED_RANDOM, &msg, &err), CACHET_OK);
        CHECK(i5_find(&msg, cases[i].aead ? "smime-type=authEnveloped-data"
                                          : "smime-type=enveloped-data"));
        cachet_decrypt_opts d = {.cred = rsa_id.cred};
        i5_result r = decrypt_ok(&d, msg.data, msg.len, FEED_RANDOM, false, cases[i].name);
        CHECK(i5_find(&r.out, I5_TEXT));
        const cachet_layer_report *l = i5_layer(&r, 0);
        CHECK(l != NULL);
        if (l != NULL) {
            CHECK_STR(l->cipher, cases[i].name);
            CHECK_EQ_INT(l->authenticated, cases[i].aead);
            CHECK_EQ_INT(l->type,
                         cases[i].aead ? CACHET_LAYER_AUTH_ENVELOPED : CACHET_LAYER_ENVELOPED);
        }
        i5_result_free(&r);
        cachet_membuf_free(&msg);
    }
    cachet_cert_free(cert);
}

/* RFC 5083 §2: a tampered AEAD message (CCM holds the content whole, ChaCha
 * streams it) releases no plaintext at all, and fails uniformly. */
static void tampered_ccm_and_chacha_release_nothing(void) {
    if (!setup()) {
        return;
    }
    char big[4096];
    size_t n = (size_t)snprintf(big, sizeof(big), "%s", i5_message);
    while (n + 40 < sizeof(big)) {
        n += (size_t)snprintf(big + n, sizeof(big) - n, "%s\r\n", I5_TEXT);
    }
    const cachet_cipher_choice ciphers[] = {CACHET_CIPHER_CHOICE_AES256_CCM,
                                            CACHET_CIPHER_CHOICE_CHACHA20_POLY1305};
    cachet_cert *cert = load_cert(&ec_id);
    for (size_t i = 0; i < 2; i++) {
        cachet_encrypt_opts eo = {.recipients = &cert,
                                  .num_recipients = 1,
                                  .cipher = ciphers[i],
                                  .raw = true,
                                  .format = CACHET_FORMAT_DER};
        cachet_membuf msg = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(i5_encrypt(&eo, big, FEED_RANDOM, &msg, &err), CACHET_OK);
        cachet_decrypt_opts d = {.cred = ec_id.cred, .raw = true};
        i5_result r = i5_decrypt(&d, msg.data, msg.len, FEED_WHOLE, false);
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK_MEM(r.out.data, r.out.len, big, strlen(big));
        i5_result_free(&r);
        msg.data[msg.len / 2] ^= 0x01; /* inside the ciphertext */
        r = i5_decrypt(&d, msg.data, msg.len, FEED_RANDOM, false);
        check_uniform_failure(&r);
        i5_result_free(&r);
        cachet_membuf_free(&msg);
    }
    cachet_cert_free(cert);
}

/* verify's decrypt_with (one credential) still opens an enveloped layer. */
static void verify_decrypt_with_still_opens_a_signed_then_encrypted_message(void) {
    if (!setup()) {
        return;
    }
    cachet_sign_opts so = {.signer = rsa_id.cred};
    cachet_membuf signed_msg = {0}, msg = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_str(i5_message, &so, &signed_msg, &err), CACHET_OK);
    char *s = gen_str(&signed_msg);
    cachet_cert *cert = load_cert(&ec_id);
    cachet_encrypt_opts eo = {.recipients = &cert, .num_recipients = 1};
    CHECK_EQ_INT(i5_encrypt(&eo, s, FEED_WHOLE, &msg, &err), CACHET_OK);
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, rsa_id.cert_path), CACHET_OK);
    cachet_ctx_set_address_check(ctx, false);
    cachet_verify_opts vo = {.decrypt_with = ec_id.cred};
    i5_result r = i5_read(ctx, &vo, false, msg.data, msg.len, FEED_RANDOM);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(i5_find(&r.out, I5_TEXT));
    CHECK(r.rep != NULL && r.rep->num_layers == 2 && r.rep->valid);
    i5_result_free(&r);
    cachet_ctx_free(ctx);
    cachet_cert_free(cert);
    free(s);
    cachet_membuf_free(&signed_msg);
    cachet_membuf_free(&msg);
}

/* The USAGE errors of the new options, each refused at _new. */
static void usage_errors_are_refused_at_new(void) {
    if (!setup()) {
        return;
    }
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_cert *cert = load_cert(&rsa_id);
    cachet_secret_key ck = kek(kek16, sizeof(kek16), NULL);
    cachet_secret_key two[2] = {kek(kek16, sizeof(kek16), NULL), kek(kek32, sizeof(kek32), NULL)};
    cachet_secret_key k20 = kek(kek32, 20, KEK_ID);
    cachet_secret_key kid = kek(kek32, sizeof(kek32), KEK_ID);
    const char *pw[] = {PASSWORD};
    const char *empty_pw[] = {""};
    const struct {
        const char *name;
        cachet_encrypt_opts o;
    } enc[] = {
        {"nothing at all", {.cipher = CACHET_CIPHER_CHOICE_AES256_GCM}},
        {"encrypted_data with a recipient",
         {.encrypted_data = true,
          .secret_keys = &ck,
          .num_secret_keys = 1,
          .recipients = &cert,
          .num_recipients = 1}},
        {"encrypted_data with a password",
         {.encrypted_data = true,
          .secret_keys = &ck,
          .num_secret_keys = 1,
          .passwords = pw,
          .num_passwords = 1}},
        {"encrypted_data with two keys",
         {.encrypted_data = true, .secret_keys = two, .num_secret_keys = 2}},
        {"encrypted_data without a key", {.encrypted_data = true}},
        {"encrypted_data with a key of 20 bytes",
         {.encrypted_data = true, .secret_keys = &k20, .num_secret_keys = 1}},
        {"encrypted_data with a CBC of another size",
         {.encrypted_data = true,
          .secret_keys = &ck,
          .num_secret_keys = 1,
          .cipher = CACHET_CIPHER_CHOICE_AES256_CBC}},
        {"a KEK without an id", {.secret_keys = &ck, .num_secret_keys = 1}},
        {"a KEK of 20 bytes", {.secret_keys = &k20, .num_secret_keys = 1}},
        {"an empty password", {.passwords = empty_pw, .num_passwords = 1}},
        {"PBKDF2 iterations over the limit",
         {.passwords = pw, .num_passwords = 1, .pbkdf2_iterations = 20000000}},
    };
    for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
        cachet_error err = {0};
        cachet_op *op = cachet_encrypt_new(ctx, &enc[i].o, &sink, &err);
        if (op != NULL || err.status != CACHET_ERR_USAGE) {
            fprintf(stderr, "  encrypt case \"%s\" not refused\n", enc[i].name);
        }
        CHECK(op == NULL);
        CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
        cachet_op_free(op);
    }
    const struct {
        const char *name;
        cachet_decrypt_opts o;
    } dec[] = {
        {"no secrets", {.verify_signed = true}},
        {"two keys without id", {.secret_keys = two, .num_secret_keys = 2}},
        {"a KEK of 20 bytes", {.secret_keys = &k20, .num_secret_keys = 1}},
        {"a count without a list", {.num_more_creds = 1, .password = PASSWORD}},
    };
    for (size_t i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
        cachet_error err = {0};
        cachet_op *op = cachet_decrypt_new(ctx, &dec[i].o, &sink, &err);
        if (op != NULL || err.status != CACHET_ERR_USAGE) {
            fprintf(stderr, "  decrypt case \"%s\" not refused\n", dec[i].name);
        }
        CHECK(op == NULL);
        CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
        cachet_op_free(op);
    }
    /* a KEK with an id and a content key together are fine */
    cachet_secret_key both[2] = {kid, ck};
    cachet_decrypt_opts ok = {.secret_keys = both, .num_secret_keys = 2};
    cachet_error err = {0};
    cachet_op *op = cachet_decrypt_new(ctx, &ok, &sink, &err);
    CHECK(op != NULL);
    cachet_op_free(op);
    cachet_cert_free(cert);
    cachet_membuf_free(&out);
    cachet_ctx_free(ctx);
}

static const cachet_test_case tests[] = {
    TEST_CASE(kek_recipient_round_trip),
    TEST_CASE(kek_with_other_id_or_wrong_key_fails_cleanly),
    TEST_CASE(password_recipient_round_trip),
    TEST_CASE(mixed_recipients_each_open_the_message_alone),
    TEST_CASE(openssl_kek_and_password_messages_decrypt),
    TEST_CASE(several_keys_of_ours_the_message_is_for_the_second),
    TEST_CASE(encrypted_data_smime_and_raw),
    TEST_CASE(rfc4134_encrypted_data_needs_allow_weak),
    TEST_CASE(rfc4134_legacy_enveloped_data_to_bob),
    TEST_CASE(ccm_chacha_and_aes192_round_trips),
    TEST_CASE(tampered_ccm_and_chacha_release_nothing),
    TEST_CASE(verify_decrypt_with_still_opens_a_signed_then_encrypted_message),
    TEST_CASE(usage_errors_are_refused_at_new),
};

TEST_MAIN(tests)
