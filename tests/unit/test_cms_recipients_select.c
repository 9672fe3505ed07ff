/* Choosing the RecipientInfo (RFC 5652 §6.2, the issue 5 contract): the first
 * one in message order addressed to any of our secrets (certificates by rid
 * and key type, KEKs by kekid, a password by the first pwri), ori never ours,
 * the count limit, and the NO_RECIPIENT detail naming what we looked for.
 * Also whole messages through cachet_cms_encrypt_new and
 * cachet_cms_decrypt_new_secrets with every kind of recipient at once. */
#include "test_cms_recipients_util.h"

static test_party rsa, rsa2, ec256, x25519;
static bool have_x25519;
static const uint8_t kek_bytes[32] = {
    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};
static const uint8_t cek_bytes[32] = {
    0x31, 0x41, 0x59, 0x26, 0x53, 0x58, 0x97, 0x93, 0x23, 0x84, 0x62, 0x64, 0x33, 0x83, 0x27, 0x95,
    0x02, 0x88, 0x41, 0x97, 0x16, 0x93, 0x99, 0x37, 0x51, 0x05, 0x82, 0x09, 0x74, 0x94, 0x45, 0x92};
static const char msg[] = "One message, many kinds of recipient.";

/* An X25519 certificate cannot sign itself: |ca| signs it. */
static test_party x_party(const test_party *ca) {
    test_party p;
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    memset(&p, 0, sizeof(p));
    p.ossl_key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    ASN1_INTEGER_set(X509_get_serialNumber(x), 25519);
    X509_set_version(x, 2);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"Xavier X25519", -1,
                               -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, X509_get_subject_name(ca->ossl_cert));
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
    X509_set_pubkey(x, p.ossl_key);
    X509V3_set_ctx(&v3, ca->ossl_cert, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage, "keyAgreement");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    X509_sign(x, ca->ossl_key, EVP_sha256());
    X509_NAME_free(name);
    p.ossl_cert = x;
    p.key = tu_cachet_key(p.ossl_key);
    p.cert = tu_cachet_cert(p.ossl_cert);
    return p;
}

static void setup(void) {
    static bool done;
    cachet_error err;
    if (done) {
        return;
    }
    done = true;
    rsa = tu_party("rsa2048", "Alice RSA", 1, "keyEncipherment");
    rsa2 = tu_party("rsa2048", "Bob RSA", 2, NULL);
    ec256 = tu_party("P-256", "Carol P-256", 3, "keyAgreement");
    x25519 = x_party(&rsa);
    cachet_err_clear(&err);
    /* X25519 (RFC 8418) is the kari engineer's: used when it is there */
    have_x25519 = x25519.cert != NULL && x25519.key != NULL &&
                  cachet_env_check_recipient(x25519.cert, false, 0, &err) == CACHET_OK;
}

static cachet_cms_secrets secrets_for(const test_party *const *parties, size_t n,
                                      const cachet_pkey **keys, const cachet_cert **certs) {
    cachet_cms_secrets s;
    memset(&s, 0, sizeof(s));
    for (size_t i = 0; i < n; i++) {
        keys[i] = parties[i]->key;
        certs[i] = parties[i]->cert;
    }
    s.keys = keys;
    s.certs = certs;
    s.num_keys = n;
    return s;
}

/* RSA cert, EC cert, KEK and password in one SET: each secret alone finds
 * the CEK, and OpenSSL opens the same message with each of them. */
static void mixed_recipients_each_open_alone(void) {
    setup();
    cachet_cms_kek kek = {kek_bytes, 32, (const uint8_t *)"team-kek", 8};
    cachet_cms_password pw = {(const uint8_t *)"team password", 13};
    const cachet_pkey *keys[1];
    const cachet_cert *certs[1];
    const test_party *only;
    cachet_cms_secrets s;
    cachet_env_recipient_info info;
    cachet_error err;
    uint8_t cek[32], *set, *env, *pt;
    size_t set_len, env_len, pt_len = 0;
    tr_set t;
    tr_begin(&t);
    tr_add_cert(&t, &rsa, cek_bytes, 32);
    tr_add_cert(&t, &ec256, cek_bytes, 32);
    tr_add_kek(&t, &kek, cek_bytes, 32);
    tr_add_pw(&t, "team password", 1000, cek_bytes, 32);
    set = tr_end(&t, &set_len);
    CHECK_EQ_INT(t.version, 3); /* RFC 5652 §6.1: a pwri makes it 3 */
    env = tr_envelope(set, set_len, t.version, cek_bytes, 32, (const uint8_t *)msg, strlen(msg),
                      &env_len);
    static const char *const kms[] = {"rsaEncryption", "ecdh-stdDH-sha256kdf", "kek-aes256-wrap",
                                      "pwri-pbkdf2-hmac-sha256"};
    for (int which = 0; which < 4; which++) {
        memset(&s, 0, sizeof(s));
        if (which < 2) {
            only = which == 0 ? &rsa : &ec256;
            s = secrets_for(&only, 1, keys, certs);
        } else if (which == 2) {
            s.keks = &kek;
            s.num_keks = 1;
        } else {
            s.password = &pw;
        }
        CHECK_EQ_INT(tr_recover(set, set_len, &s, false, NULL, cek, 32, &info, &err), CACHET_OK);
        CHECK_MEM(cek, 32, cek_bytes, 32);
        CHECK_STR(info.key_management, kms[which]);
        CHECK_EQ_INT(info.num_recipients, 4);
    }
    pt = tu_ossl_decrypt(env, env_len, &rsa, &pt_len);
    CHECK(pt != NULL && cachet_test_mem_eq(pt, pt_len, msg, strlen(msg)));
    free(pt);
    pt = tu_ossl_decrypt(env, env_len, &ec256, &pt_len);
    CHECK(pt != NULL && cachet_test_mem_eq(pt, pt_len, msg, strlen(msg)));
    free(pt);
    pt = tr_ossl_open_secret(env, env_len, &kek, NULL, &pt_len);
    CHECK(pt != NULL && cachet_test_mem_eq(pt, pt_len, msg, strlen(msg)));
    free(pt);
    pt = tr_ossl_open_secret(env, env_len, NULL, "team password", &pt_len);
    CHECK(pt != NULL && cachet_test_mem_eq(pt, pt_len, msg, strlen(msg)));
    free(pt);
    cachet_free(env);
    cachet_free(set);
}

/* With several of our secrets in one message, the first RecipientInfo in
 * message order that one of them opens is used, whatever order the secrets
 * are given in. */
static void first_recipient_info_in_message_order_is_used(void) {
    setup();
    cachet_cms_kek kek = {kek_bytes, 16, (const uint8_t *)"k", 1};
    cachet_cms_password pw = {(const uint8_t *)"pw", 2};
    const test_party *two[2] = {&rsa, &ec256}; /* secrets: RSA first */
    const cachet_pkey *keys[2];
    const cachet_cert *certs[2];
    cachet_cms_secrets s = secrets_for(two, 2, keys, certs);
    cachet_env_recipient_info info;
    cachet_error err;
    uint8_t cek[16], *set;
    size_t len;
    tr_set t;
    /* message: EC first, then RSA */
    tr_begin(&t);
    tr_add_cert(&t, &ec256, cek_bytes, 16);
    tr_add_cert(&t, &rsa, cek_bytes, 16);
    set = tr_end(&t, &len);
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err), CACHET_OK);
    CHECK_STR(info.key_management, "ecdh-stdDH-sha256kdf");
    CHECK_MEM(cek, 16, cek_bytes, 16);
    cachet_free(set);
    /* message: RSA first, then EC */
    tr_begin(&t);
    tr_add_cert(&t, &rsa, cek_bytes, 16);
    tr_add_cert(&t, &ec256, cek_bytes, 16);
    set = tr_end(&t, &len);
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err), CACHET_OK);
    CHECK_STR(info.key_management, "rsaEncryption");
    cachet_free(set);
    /* message: pwri, kekri, ktri: the password's pwri comes first */
    tr_begin(&t);
    tr_add_pw(&t, "pw", 100, cek_bytes, 16);
    tr_add_kek(&t, &kek, cek_bytes, 16);
    tr_add_cert(&t, &rsa, cek_bytes, 16);
    set = tr_end(&t, &len);
    s.keks = &kek;
    s.num_keks = 1;
    s.password = &pw;
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err), CACHET_OK);
    CHECK_STR(info.key_management, "pwri-pbkdf2-hmac-sha256");
    s.password = NULL;
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err), CACHET_OK);
    CHECK_STR(info.key_management, "kek-aes128-wrap");
    /* a first match that fails does not fall through to the next one */
    {
        cachet_cms_password wrong = {(const uint8_t *)"wrong", 5};
        s.password = &wrong;
        tr_check_uniform(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err), &err);
    }
    cachet_free(set);
}

/* A certificate's key is only used on the RecipientInfo type its key type
 * fits: an RSA certificate paired with an EC key never opens a ktri. */
static void key_type_must_fit_the_recipient_info_type(void) {
    setup();
    const cachet_pkey *keys[1] = {ec256.key};
    const cachet_cert *certs[1] = {rsa.cert};
    cachet_cms_secrets s;
    cachet_env_recipient_info info;
    cachet_error err;
    uint8_t cek[16], *set;
    size_t len;
    tr_set t;
    memset(&s, 0, sizeof(s));
    s.keys = keys;
    s.certs = certs;
    s.num_keys = 1;
    tr_begin(&t);
    tr_add_cert(&t, &rsa, cek_bytes, 16);
    set = tr_end(&t, &len);
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err),
                 CACHET_ERR_NO_RECIPIENT);
    cachet_free(set);
}

static void no_recipient_names_what_we_looked_for(void) {
    setup();
    const test_party *bob = &rsa2;
    const cachet_pkey *keys[1];
    const cachet_cert *certs[1];
    cachet_cms_secrets s = secrets_for(&bob, 1, keys, certs);
    cachet_cms_kek mine = {kek_bytes, 32, (const uint8_t *)"abc", 3}, theirs = mine;
    cachet_cms_password pw = {(const uint8_t *)"pw", 2};
    cachet_env_recipient_info info;
    cachet_error err;
    uint8_t cek[32], *set;
    size_t len;
    tr_set t;
    theirs.id = (const uint8_t *)"xyz";
    tr_begin(&t);
    tr_add_cert(&t, &rsa, cek_bytes, 32);
    tr_add_kek(&t, &theirs, cek_bytes, 32);
    set = tr_end(&t, &len);
    s.keks = &mine;
    s.num_keks = 1;
    s.password = &pw;
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 32, &info, &err),
                 CACHET_ERR_NO_RECIPIENT);
    CHECK(strstr(err.message, "Bob RSA") != NULL);
    CHECK(strstr(err.message, "616263") != NULL);
    CHECK(strstr(err.message, "a password") != NULL);
    CHECK(strstr(err.message, "Alice") == NULL);
    CHECK_EQ_INT(info.num_recipients, 2);
    memset(&s, 0, sizeof(s));
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 32, &info, &err),
                 CACHET_ERR_NO_RECIPIENT);
    CHECK(strstr(err.message, "nothing") != NULL);
    cachet_free(set);
}

/* ori ([4], RFC 5652 §6.2.5) is counted and never ours; an unknown CHOICE is
 * malformed; the count is bounded by max_recipients before any key is used. */
static void ori_unknown_choices_and_the_recipient_limit(void) {
    cachet_cms_kek kek = {kek_bytes, 16, (const uint8_t *)"k", 1};
    cachet_cms_secrets s;
    cachet_cms_limits limits;
    cachet_env_recipient_info info;
    cachet_error err;
    cachet_cbb ori;
    uint8_t cek[16], *set;
    size_t len;
    tr_set t;
    memset(&s, 0, sizeof(s));
    s.keks = &kek;
    s.num_keks = 1;
    tr_begin(&t);
    CHECK(cachet_cbb_add_asn1(&t.set, &ori, CACHET_ASN1_CONTEXT_CONS(4)) &&
          cachet_cbb_add_oid(&ori, CACHET_OID_DATA) && cachet_cbb_add_asn1_null(&ori) &&
          cachet_cbb_flush(&t.set));
    tr_add_kek(&t, &kek, cek_bytes, 16);
    tr_add_kek(&t, &kek, cek_bytes, 16);
    set = tr_end(&t, &len);
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err), CACHET_OK);
    CHECK_EQ_INT(info.num_recipients, 3);
    CHECK_MEM(cek, 16, cek_bytes, 16);
    cachet_cms_limits_default(&limits);
    limits.max_recipients = 2;
    CHECK_EQ_INT(tr_recover(set, len, &s, false, &limits, cek, 16, &info, &err), CACHET_ERR_LIMIT);
    cachet_free(set);
    tr_begin(&t);
    CHECK(cachet_cbb_add_asn1(&t.set, &ori, CACHET_ASN1_CONTEXT_CONS(4)) &&
          cachet_cbb_add_oid(&ori, CACHET_OID_DATA) && cachet_cbb_flush(&t.set));
    set = tr_end(&t, &len);
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err),
                 CACHET_ERR_NO_RECIPIENT);
    cachet_free(set);
    tr_begin(&t);
    CHECK(cachet_cbb_add_asn1(&t.set, &ori, CACHET_ASN1_CONTEXT_CONS(5)) &&
          cachet_cbb_add_oid(&ori, CACHET_OID_DATA) && cachet_cbb_flush(&t.set));
    set = tr_end(&t, &len);
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err), CACHET_ERR_MALFORMED);
    cachet_free(set);
}

/* X25519 certificates go to key agreement (RFC 8418) through
 * cachet_env_add_recipient; the recipient check wants keyAgreement. */
static void x25519_certificates_take_the_kari_path(void) {
    setup();
    const test_party *x = &x25519;
    const cachet_pkey *keys[1];
    const cachet_cert *certs[1];
    cachet_cms_secrets s;
    cachet_env_recipient_info info;
    cachet_error err;
    uint8_t cek[16], *set;
    size_t len;
    tr_set t;
    if (!have_x25519) {
        fprintf(stderr, "SKIP: X25519 recipients not available yet\n");
        return;
    }
    s = secrets_for(&x, 1, keys, certs);
    tr_begin(&t);
    tr_add_cert(&t, &rsa, cek_bytes, 16);
    tr_add_cert(&t, &x25519, cek_bytes, 16);
    set = tr_end(&t, &len);
    CHECK_EQ_INT(t.version, 2);
    CHECK_EQ_INT(tr_recover(set, len, &s, false, NULL, cek, 16, &info, &err), CACHET_OK);
    CHECK_MEM(cek, 16, cek_bytes, 16);
    CHECK_STR(info.key_management, "ecdh-x25519-hkdf-sha256");
    cachet_free(set);
}

/* ---- whole messages through the EnvelopedData writer and reader ---- */

static cachet_status decrypt_with(const cachet_cms_secrets *s, const uint8_t *der, size_t len,
                                  feed_mode mode, cachet_membuf *out, cachet_layer_report *rep,
                                  cachet_error *err) {
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_cms_decrypt *dec;
    uint32_t rng = 4242;
    size_t off = 0;
    cachet_status st = CACHET_OK;
    cachet_err_clear(err);
    memset(rep, 0, sizeof(*rep));
    dec = cachet_cms_decrypt_new_secrets(s, NULL, NULL, &sink, err);
    if (dec == NULL) {
        return err->status;
    }
    while (st == CACHET_OK && off < len) {
        size_t n = tu_next_chunk(mode, len - off, &rng);
        st = cachet_cms_decrypt_update(dec, der + off, n, err);
        off += n;
    }
    if (st == CACHET_OK) {
        st = cachet_cms_decrypt_finish(dec, rep, err);
    }
    cachet_cms_decrypt_free(dec);
    return st;
}

static void whole_messages_to_every_kind_of_recipient_open_with_each(void) {
    setup();
    static const cachet_cipher ciphers[] = {CACHET_CIPHER_AES128_CBC, CACHET_CIPHER_AES192_CBC,
                                            CACHET_CIPHER_AES256_CBC, CACHET_CIPHER_AES256_GCM};
    static const size_t kek_lens[] = {16, 24, 32, 32};
    for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++) {
        cachet_cert_list list = {0};
        cachet_cms_kek kek = {kek_bytes, kek_lens[c], (const uint8_t *)"kid", 3};
        cachet_cms_password pw = {(const uint8_t *)"whole message pw", 16};
        cachet_cms_encrypt_opts opts;
        cachet_membuf ct = {0};
        cachet_error err;
        memset(&opts, 0, sizeof(opts));
        cachet_err_clear(&err);
        cachet_cert_list_push(&list, rsa.cert);
        cachet_cert_list_push(&list, ec256.cert);
        if (have_x25519) {
            cachet_cert_list_push(&list, x25519.cert);
        }
        opts.recipients = &list;
        opts.cipher = ciphers[c];
        opts.keks = &kek;
        opts.num_keks = 1;
        opts.passwords = &pw;
        opts.num_passwords = 1;
        opts.pbkdf2_iterations = 1000;
        CHECK_EQ_INT(tu_encrypt(&opts, (const uint8_t *)msg, strlen(msg), FEED_RANDOM, &ct, &err),
                     CACHET_OK);
        for (int which = 0; which < 5; which++) {
            const test_party *p = which == 0 ? &rsa : which == 1 ? &ec256 : &x25519;
            const cachet_pkey *keys[1];
            const cachet_cert *certs[1];
            cachet_cms_secrets s;
            cachet_membuf pt = {0};
            cachet_layer_report rep;
            memset(&s, 0, sizeof(s));
            if (which == 2 && !have_x25519) {
                continue;
            }
            if (which < 3) {
                s = secrets_for(&p, 1, keys, certs);
            } else if (which == 3) {
                s.keks = &kek;
                s.num_keks = 1;
            } else {
                s.password = &pw;
            }
            CHECK_EQ_INT(decrypt_with(&s, ct.data, ct.len, (feed_mode)(which % 3), &pt, &rep, &err),
                         CACHET_OK);
            CHECK_MEM(pt.data, pt.len, msg, strlen(msg));
            CHECK_EQ_INT(rep.num_recipients, have_x25519 ? 5 : 4);
            if (which == 3) {
                char km[32];
                snprintf(km, sizeof(km), "kek-aes%zu-wrap", kek_lens[c] * 8);
                CHECK_STR(rep.key_management, km);
            } else if (which == 4) {
                CHECK_STR(rep.key_management, "pwri-pbkdf2-hmac-sha256");
            }
            cachet_membuf_free(&pt);
        }
        /* a wrong KEK and a wrong password: the uniform failure */
        {
            uint8_t other[32];
            cachet_cms_kek wrong = kek;
            cachet_cms_password wrong_pw = {(const uint8_t *)"whole message pW", 16};
            cachet_cms_secrets s;
            cachet_membuf pt = {0};
            cachet_layer_report rep;
            memcpy(other, kek_bytes, 32);
            other[0] ^= 0x40;
            wrong.key = other;
            memset(&s, 0, sizeof(s));
            s.keks = &wrong;
            s.num_keks = 1;
            tr_check_uniform(decrypt_with(&s, ct.data, ct.len, FEED_WHOLE, &pt, &rep, &err), &err);
            cachet_membuf_free(&pt);
            memset(&s, 0, sizeof(s));
            s.password = &wrong_pw;
            tr_check_uniform(decrypt_with(&s, ct.data, ct.len, FEED_WHOLE, &pt, &rep, &err), &err);
            cachet_membuf_free(&pt);
        }
        /* EnvelopedData (not AuthEnvelopedData) with a pwri is version 3 and
         * OpenSSL opens it with the KEK and with the password */
        if (!cachet_cipher_is_aead(ciphers[c])) {
            uint8_t *pt;
            size_t pt_len = 0;
            pt = tr_ossl_open_secret(ct.data, ct.len, &kek, NULL, &pt_len);
            CHECK(pt != NULL && cachet_test_mem_eq(pt, pt_len, msg, strlen(msg)));
            free(pt);
            pt = tr_ossl_open_secret(ct.data, ct.len, NULL, "whole message pw", &pt_len);
            CHECK(pt != NULL && cachet_test_mem_eq(pt, pt_len, msg, strlen(msg)));
            free(pt);
        }
        cachet_membuf_free(&ct);
        cachet_cert_list_clear(&list);
    }
}

/* OpenSSL messages with a KEK and a password recipient open whole through
 * our reader with either. */
static void whole_openssl_messages_open_with_kek_or_password(void) {
    cachet_cms_kek kek = {kek_bytes, 32, (const uint8_t *)"ossl", 4};
    cachet_cms_password pw = {(const uint8_t *)"ossl pw", 7};
    size_t len = 0;
    uint8_t *der = tr_ossl_encrypt_secret(EVP_aes_256_cbc(), &kek, "ossl pw", 1000,
                                          (const uint8_t *)msg, strlen(msg), &len);
    CHECK(der != NULL);
    for (int which = 0; der != NULL && which < 2; which++) {
        cachet_cms_secrets s;
        cachet_membuf pt = {0};
        cachet_layer_report rep;
        cachet_error err;
        memset(&s, 0, sizeof(s));
        if (which == 0) {
            s.keks = &kek;
            s.num_keks = 1;
        } else {
            s.password = &pw;
        }
        CHECK_EQ_INT(decrypt_with(&s, der, len, FEED_BYTES, &pt, &rep, &err), CACHET_OK);
        CHECK_MEM(pt.data, pt.len, msg, strlen(msg));
        CHECK_EQ_INT(rep.num_recipients, 2);
        cachet_membuf_free(&pt);
    }
    free(der);
}

static const cachet_test_case tests[] = {
    TEST_CASE(mixed_recipients_each_open_alone),
    TEST_CASE(first_recipient_info_in_message_order_is_used),
    TEST_CASE(key_type_must_fit_the_recipient_info_type),
    TEST_CASE(no_recipient_names_what_we_looked_for),
    TEST_CASE(ori_unknown_choices_and_the_recipient_limit),
    TEST_CASE(x25519_certificates_take_the_kari_path),
    TEST_CASE(whole_messages_to_every_kind_of_recipient_open_with_each),
    TEST_CASE(whole_openssl_messages_open_with_kek_or_password),
};
TEST_MAIN(tests)
