/* EnvelopedData / AuthEnvelopedData: round trips through our encryptor and
 * decryptor, interop with OpenSSL in both directions, recipient selection and
 * the recipient checks made before encrypting. */
#include "test_cms_enveloped_util.h"

static test_party rsa, rsa2, ec256, ec384, ec521;
static uint8_t msg[3000];

/* setup makes the parties once; they stay reachable from these globals. */
static void setup(void) {
    static bool done;
    uint32_t rng = 99;
    if (done) {
        return;
    }
    done = true;
    rsa = tu_party("rsa2048", "Alice RSA", 1, "keyEncipherment,digitalSignature");
    rsa2 = tu_party("rsa2048", "Bob RSA", 2, NULL);
    ec256 = tu_party("P-256", "Carol P-256", 3, "keyAgreement,digitalSignature");
    ec384 = tu_party("P-384", "Dave P-384", 4, "keyAgreement");
    ec521 = tu_party("P-521", "Erin P-521", 5, NULL);
    for (size_t i = 0; i < sizeof(msg); i++) {
        msg[i] = (uint8_t)cachet_test_rand(&rng);
    }
}

typedef struct rt_case {
    test_party *party;
    bool oaep;
    const char *km;
} rt_case;

static const cachet_cipher ciphers[] = {CACHET_CIPHER_AES128_CBC, CACHET_CIPHER_AES256_CBC,
                                        CACHET_CIPHER_AES128_GCM, CACHET_CIPHER_AES256_GCM};

static void encrypt_to(test_party *const *to, size_t n, cachet_cipher c, bool oaep, bool ski,
                       feed_mode mode, const uint8_t *content, size_t len, cachet_membuf *out) {
    cachet_cert_list list = {0};
    cachet_cms_encrypt_opts opts;
    cachet_error err;
    memset(&opts, 0, sizeof(opts));
    cachet_err_clear(&err);
    for (size_t i = 0; i < n; i++) {
        cachet_cert_list_push(&list, to[i]->cert);
    }
    opts.recipients = &list;
    opts.cipher = c;
    opts.oaep = oaep;
    opts.use_ski = ski;
    CHECK_EQ_INT(tu_encrypt(&opts, content, len, mode, out, &err), CACHET_OK);
    cachet_cert_list_clear(&list);
}

static void round_trips_every_key_and_cipher_in_every_feed_mode(void) {
    setup();
    const rt_case cases[] = {
        {&rsa, false, "rsaEncryption"},          {&rsa, true, "rsaes-oaep"},
        {&ec256, false, "ecdh-stdDH-sha256kdf"}, {&ec384, false, "ecdh-stdDH-sha384kdf"},
        {&ec521, false, "ecdh-stdDH-sha512kdf"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (size_t c = 0; c < 4; c++) {
            for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
                cachet_membuf ct = {0}, pt = {0};
                cachet_layer_report rep;
                cachet_error err;
                test_party *to = cases[i].party;
                cachet_err_clear(&err);
                encrypt_to(&to, 1, ciphers[c], cases[i].oaep, false, (feed_mode)mode, msg,
                           sizeof(msg), &ct);
                CHECK_EQ_INT(
                    tu_decrypt(to, NULL, NULL, ct.data, ct.len, (feed_mode)mode, &pt, &rep, &err),
                    CACHET_OK);
                CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
                CHECK_STR(rep.cipher, cachet_cipher_name(ciphers[c]));
                CHECK_EQ_INT(rep.authenticated, c >= 2);
                CHECK_EQ_INT(rep.type,
                             c >= 2 ? CACHET_LAYER_AUTH_ENVELOPED : CACHET_LAYER_ENVELOPED);
                CHECK_STR(rep.key_management, cases[i].km);
                CHECK_EQ_INT(rep.num_recipients, 1);
                CHECK_STR(rep.content_type, cachet_oid_name(CACHET_OID_DATA));
                cachet_membuf_free(&ct);
                cachet_membuf_free(&pt);
            }
        }
    }
}

static void empty_content_round_trips(void) {
    setup();
    for (size_t c = 0; c < 4; c++) {
        cachet_membuf ct = {0}, pt = {0};
        cachet_error err;
        test_party *to = &rsa;
        cachet_err_clear(&err);
        encrypt_to(&to, 1, ciphers[c], false, false, FEED_WHOLE, msg, 0, &ct);
        CHECK_EQ_INT(tu_decrypt(&rsa, NULL, NULL, ct.data, ct.len, FEED_BYTES, &pt, NULL, &err),
                     CACHET_OK);
        CHECK_EQ_INT(pt.len, 0);
        cachet_membuf_free(&ct);
        cachet_membuf_free(&pt);
    }
}

static void openssl_decrypts_our_output(void) {
    setup();
    test_party *parties[] = {&rsa, &ec256, &ec384, &ec521};
    for (size_t p = 0; p < 4; p++) {
        for (size_t c = 0; c < 4; c++) {
            for (int oaep = 0; oaep <= (p == 0); oaep++) {
                for (int ski = 0; ski <= 1; ski++) {
                    cachet_membuf ct = {0};
                    size_t n = 0;
                    uint8_t *pt;
                    encrypt_to(&parties[p], 1, ciphers[c], oaep, ski, FEED_RANDOM, msg, sizeof(msg),
                               &ct);
                    pt = tu_ossl_decrypt(ct.data, ct.len, parties[p], &n);
                    CHECK(pt != NULL);
                    if (pt == NULL) {
                        fprintf(stderr, "  party %zu cipher %zu oaep %d ski %d\n", p, c, oaep, ski);
                    }
                    CHECK_MEM(pt, n, msg, sizeof(msg));
                    free(pt);
                    cachet_membuf_free(&ct);
                }
            }
        }
    }
}

typedef struct ossl_case {
    test_party *party;
    const char *cipher;
    bool oaep;
    unsigned flags;
    const char *km;
    const char *cname;
} ossl_case;

static void we_decrypt_openssl_output(void) {
    setup();
    const ossl_case cases[] = {
        {&rsa, "aes-128-cbc", false, 0, "rsaEncryption", "aes-128-cbc"},
        {&rsa, "aes-256-cbc", false, CMS_STREAM, "rsaEncryption", "aes-256-cbc"},
        {&rsa, "aes-192-cbc", false, CMS_USE_KEYID, "rsaEncryption", "aes-192-cbc"},
        {&rsa, "aes-256-cbc", true, 0, "rsaes-oaep", "aes-256-cbc"},
        {&rsa, "aes-256-gcm", false, 0, "rsaEncryption", "aes-256-gcm"},
        {&rsa, "aes-128-gcm", true, CMS_STREAM, "rsaes-oaep", "aes-128-gcm"},
        {&ec256, "aes-128-cbc", false, 0, "ecdh-stdDH-sha1kdf", "aes-128-cbc"},
        {&ec256, "aes-256-gcm", false, CMS_STREAM | CMS_USE_KEYID, "ecdh-stdDH-sha1kdf",
         "aes-256-gcm"},
        {&ec384, "aes-256-cbc", false, 0, "ecdh-stdDH-sha1kdf", "aes-256-cbc"},
        {&ec521, "aes-256-gcm", false, 0, "ecdh-stdDH-sha1kdf", "aes-256-gcm"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const test_party *to = cases[i].party;
        size_t n = 0;
        EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cases[i].cipher, NULL);
        uint8_t *ct =
            tu_ossl_encrypt(&to, 1, c, cases[i].oaep, cases[i].flags, msg, sizeof(msg), &n);
        CHECK(ct != NULL);
        for (int mode = FEED_WHOLE; ct != NULL && mode <= FEED_RANDOM; mode++) {
            cachet_membuf pt = {0};
            cachet_layer_report rep;
            cachet_error err;
            cachet_err_clear(&err);
            CHECK_EQ_INT(
                tu_decrypt(cases[i].party, NULL, NULL, ct, n, (feed_mode)mode, &pt, &rep, &err),
                CACHET_OK);
            if (err.status != CACHET_OK) {
                fprintf(stderr, "  case %zu: %s: %s\n", i, err.where, err.message);
            }
            CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
            CHECK_STR(rep.key_management, cases[i].km);
            CHECK_STR(rep.cipher, cases[i].cname);
            cachet_membuf_free(&pt);
        }
        free(ct);
        EVP_CIPHER_free(c);
    }
}

static void our_recipient_second_of_several_is_found(void) {
    setup();
    test_party *to[] = {&rsa2, &ec256, &rsa, &ec384};
    cachet_membuf ct = {0};
    for (size_t i = 0; i < 4; i++) {
        cachet_membuf pt = {0};
        cachet_layer_report rep;
        cachet_error err;
        cachet_err_clear(&err);
        ct.len = 0;
        encrypt_to(to, 4, CACHET_CIPHER_AES256_GCM, i % 2 == 1, i >= 2, FEED_WHOLE, msg,
                   sizeof(msg), &ct);
        CHECK_EQ_INT(tu_decrypt(to[i], NULL, NULL, ct.data, ct.len, FEED_RANDOM, &pt, &rep, &err),
                     CACHET_OK);
        CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
        CHECK_EQ_INT(rep.num_recipients, 4);
        cachet_membuf_free(&pt);
    }
    cachet_membuf_free(&ct);
}

static void openssl_multi_recipient_output_decrypts_for_second(void) {
    setup();
    const test_party *to[] = {&rsa2, &rsa, &ec256};
    size_t n = 0;
    uint8_t *ct = tu_ossl_encrypt(to, 3, EVP_aes_256_cbc(), false, 0, msg, sizeof(msg), &n);
    for (size_t i = 0; i < 3; i++) {
        cachet_membuf pt = {0};
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(tu_decrypt(to[i], NULL, NULL, ct, n, FEED_WHOLE, &pt, NULL, &err), CACHET_OK);
        CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
        cachet_membuf_free(&pt);
    }
    free(ct);
}

static void message_for_others_is_no_recipient_and_sink_untouched(void) {
    setup();
    test_party *to[] = {&rsa2, &ec384};
    test_party *us[] = {&rsa, &ec256, &ec521};
    cachet_membuf ct = {0};
    encrypt_to(to, 2, CACHET_CIPHER_AES128_CBC, false, false, FEED_WHOLE, msg, sizeof(msg), &ct);
    for (size_t i = 0; i < 3; i++) {
        cachet_membuf pt = {0};
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(tu_decrypt(us[i], NULL, NULL, ct.data, ct.len, FEED_RANDOM, &pt, NULL, &err),
                     CACHET_ERR_NO_RECIPIENT);
        CHECK_EQ_INT(pt.len, 0);
        cachet_membuf_free(&pt);
    }
    cachet_membuf_free(&ct);
}

static void encrypt_refuses_unusable_recipient_certificates(void) {
    setup();
    test_party sign_only = tu_party("rsa2048", "Sign Only", 10, "digitalSignature");
    test_party ec_sign = tu_party("P-256", "EC Sign Only", 11, "digitalSignature");
    test_party weak = tu_party("rsa1024", "Weak RSA", 12, NULL);
    test_party *cases[] = {&sign_only, &ec_sign, &weak};
    const cachet_status want[] = {CACHET_ERR_USAGE, CACHET_ERR_USAGE, CACHET_ERR_POLICY};
    const char *names[] = {"Sign Only", "EC Sign Only", "Weak RSA"};
    for (size_t i = 0; i < 3; i++) {
        cachet_cert_list list = {0};
        cachet_cms_encrypt_opts opts;
        cachet_membuf out = {0};
        cachet_sink sink = cachet_sink_membuf(&out);
        cachet_error err;
        memset(&opts, 0, sizeof(opts));
        cachet_err_clear(&err);
        cachet_cert_list_push(&list, cases[i]->cert);
        opts.recipients = &list;
        CHECK(cachet_cms_encrypt_new(&opts, &sink, &err) == NULL);
        CHECK_EQ_INT(err.status, want[i]);
        CHECK(strstr(err.message, names[i]) != NULL);
        CHECK_EQ_INT(out.len, 0);
        cachet_cert_list_clear(&list);
    }
    {
        /* allow_weak lets the 1024-bit key through, and decryption then needs it too. */
        cachet_cert_list list = {0};
        cachet_cms_encrypt_opts opts;
        cachet_cms_policy policy = {.allow_weak = true};
        cachet_membuf ct = {0}, pt = {0};
        cachet_error err;
        memset(&opts, 0, sizeof(opts));
        cachet_err_clear(&err);
        cachet_cert_list_push(&list, weak.cert);
        opts.recipients = &list;
        opts.policy = &policy;
        CHECK_EQ_INT(tu_encrypt(&opts, msg, 100, FEED_WHOLE, &ct, &err), CACHET_OK);
        CHECK_EQ_INT(tu_decrypt(&weak, NULL, NULL, ct.data, ct.len, FEED_WHOLE, &pt, NULL, &err),
                     CACHET_ERR_POLICY);
        cachet_err_clear(&err);
        pt.len = 0;
        CHECK_EQ_INT(tu_decrypt(&weak, &policy, NULL, ct.data, ct.len, FEED_WHOLE, &pt, NULL, &err),
                     CACHET_OK);
        CHECK_MEM(pt.data, pt.len, msg, 100);
        cachet_cert_list_clear(&list);
        cachet_membuf_free(&ct);
        cachet_membuf_free(&pt);
    }
    tu_party_free(&sign_only);
    tu_party_free(&ec_sign);
    tu_party_free(&weak);
}

static void output_is_indefinite_ber_with_expected_versions(void) {
    setup();
    /* RFC 5652 §6.1: version 0 for ktri+issuerAndSerial only, 2 with kari or SKI;
     * RFC 5083 §2.1: AuthEnvelopedData version 0. */
    struct {
        test_party *to;
        bool ski;
        cachet_cipher c;
        uint8_t version;
    } cases[] = {
        {&rsa, false, CACHET_CIPHER_AES128_CBC, 0},
        {&rsa, true, CACHET_CIPHER_AES128_CBC, 2},
        {&ec256, false, CACHET_CIPHER_AES128_CBC, 2},
        {&ec256, false, CACHET_CIPHER_AES128_GCM, 0},
    };
    for (size_t i = 0; i < 4; i++) {
        cachet_membuf ct = {0};
        encrypt_to(&cases[i].to, 1, cases[i].c, false, cases[i].ski, FEED_WHOLE, msg, 10, &ct);
        /* 30 80 06 LL <oid> a0 80 30 80 02 01 vv */
        size_t o = 4 + ct.data[3];
        CHECK(ct.len > o + 6);
        CHECK_EQ_INT(ct.data[0], 0x30);
        CHECK_EQ_INT(ct.data[1], 0x80);
        CHECK_EQ_INT(ct.data[3], cases[i].c == CACHET_CIPHER_AES128_GCM ? 11 : 9);
        CHECK_EQ_INT(ct.data[o], 0xa0);
        CHECK_EQ_INT(ct.data[o + 1], 0x80);
        CHECK_EQ_INT(ct.data[o + 2], 0x30);
        CHECK_EQ_INT(ct.data[o + 3], 0x80);
        CHECK_EQ_INT(ct.data[o + 4], 0x02);
        CHECK_EQ_INT(ct.data[o + 6], cases[i].version);
        cachet_membuf_free(&ct);
    }
}

static void inner_content_type_is_carried_and_reported(void) {
    setup();
    cachet_cert_list list = {0};
    cachet_cms_encrypt_opts opts;
    cachet_membuf ct = {0}, pt = {0};
    cachet_layer_report rep;
    cachet_sink sink = cachet_sink_membuf(&pt);
    cachet_cms_decrypt *dec;
    cachet_error err;
    memset(&opts, 0, sizeof(opts));
    cachet_err_clear(&err);
    cachet_cert_list_push(&list, rsa.cert);
    opts.recipients = &list;
    opts.content_type = CACHET_OID_SIGNED_DATA;
    opts.cipher = CACHET_CIPHER_AES128_CBC;
    CHECK_EQ_INT(tu_encrypt(&opts, msg, 50, FEED_WHOLE, &ct, &err), CACHET_OK);
    dec = cachet_cms_decrypt_new(rsa.key, rsa.cert, NULL, NULL, &sink, &err);
    CHECK_EQ_INT(cachet_cms_decrypt_content_type(dec), CACHET_OID_UNKNOWN);
    CHECK_EQ_INT(cachet_cms_decrypt_update(dec, ct.data, ct.len, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_cms_decrypt_finish(dec, &rep, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_cms_decrypt_content_type(dec), CACHET_OID_SIGNED_DATA);
    CHECK_STR(rep.content_type, cachet_oid_name(CACHET_OID_SIGNED_DATA));
    CHECK_EQ_INT(cachet_cms_decrypt_weak(dec), false);
    CHECK_MEM(pt.data, pt.len, msg, 50);
    cachet_cms_decrypt_free(dec);
    /* AuthEnvelopedData would need authAttrs for it (RFC 5083 §2.1). */
    opts.cipher = CACHET_CIPHER_AES256_GCM;
    ct.len = 0;
    CHECK_EQ_INT(tu_encrypt(&opts, msg, 50, FEED_WHOLE, &ct, &err), CACHET_ERR_USAGE);
    CHECK_EQ_INT(ct.len, 0);
    cachet_cert_list_clear(&list);
    cachet_membuf_free(&ct);
    cachet_membuf_free(&pt);
}

/* ukm_shared_info: DER ECC-CMS-SharedInfo (RFC 5753 §7.2) for id-aes128-wrap
 * with entityUInfo = |ukm| (8 bytes) and a 128-bit KEK, spelt out byte by byte. */
static const uint8_t ukm_value[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t ukm_shared_info[] = {0x30, 0x21, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                          0x01, 0x65, 0x03, 0x04, 0x01, 0x05, 0xa0, 0x0a, 0x04,
                                          0x08, 1,    2,    3,    4,    5,    6,    7,    8,
                                          0xa2, 0x06, 0x04, 0x04, 0x00, 0x00, 0x00, 0x80};

static void kari_with_ukm_decrypts(void) {
    setup();
    /* Our encryptor sends no ukm; rebuild its kari with one (RFC 5753 §3.1.1:
     * "implementations MUST support ukm message recipient processing"),
     * re-deriving the KEK as the sender would. OpenSSL is the oracle that the
     * rebuilt message is right; then we must decrypt it too. */
    test_party *to = &ec256;
    cachet_membuf ct = {0}, z = {0}, pt = {0};
    cachet_cbs all, head, set, kari, version, orig, origkey, point, kea, reks, rek, rid, ek;
    cachet_cbb cbb, nset, nkari, nukm, nreks, nrek;
    cachet_pkey *peer = NULL;
    uint8_t kek[16], cek[16], wrapped[24], *set_der = NULL;
    size_t out_len = 0, set_len = 0, n = 0, set_off;
    uint8_t *oss;
    cachet_error err;
    cachet_err_clear(&err);
    encrypt_to(&to, 1, CACHET_CIPHER_AES128_CBC, false, false, FEED_WHOLE, msg, sizeof(msg), &ct);
    /* 30 80 06 09 <oid> a0 80 30 80 02 01 02 | SET ... */
    set_off = 4 + ct.data[3] + 4 + 3;
    cachet_cbs_init(&all, ct.data + set_off, ct.len - set_off);
    head = all;
    CHECK(cachet_cbs_get_asn1(&all, &set, CACHET_ASN1_SET));
    CHECK(cachet_cbs_get_asn1(&set, &kari, CACHET_ASN1_CONTEXT_CONS(1)));
    CHECK(cachet_cbs_get_asn1_element(&kari, &version, CACHET_ASN1_INTEGER));
    CHECK(cachet_cbs_get_asn1_element(&kari, &orig, CACHET_ASN1_CONTEXT_CONS(0)));
    CHECK(cachet_cbs_get_asn1_element(&kari, &kea, CACHET_ASN1_SEQUENCE));
    CHECK(cachet_cbs_get_asn1(&kari, &reks, CACHET_ASN1_SEQUENCE));
    CHECK(cachet_cbs_get_asn1(&reks, &rek, CACHET_ASN1_SEQUENCE));
    CHECK(cachet_cbs_get_any_asn1_element(&rek, &rid, NULL, NULL));
    CHECK(cachet_cbs_get_asn1(&rek, &ek, CACHET_ASN1_OCTETSTRING));
    /* originator [0] { [1] { SEQUENCE { ecPublicKey }, BIT STRING 00 || point } } */
    origkey = orig;
    CHECK(cachet_cbs_get_asn1(&origkey, &origkey, CACHET_ASN1_CONTEXT_CONS(0)));
    CHECK(cachet_cbs_get_asn1(&origkey, &origkey, CACHET_ASN1_CONTEXT_CONS(1)));
    CHECK(cachet_cbs_get_asn1(&origkey, &point, CACHET_ASN1_SEQUENCE));
    CHECK(cachet_cbs_get_asn1(&origkey, &point, CACHET_ASN1_BITSTRING));
    CHECK_EQ_INT(
        cachet_pkey_from_ec_point(CACHET_CURVE_P256, point.data + 1, point.len - 1, &peer, &err),
        CACHET_OK);
    CHECK_EQ_INT(cachet_ecdh(ec256.key, peer, &z, &err), CACHET_OK);
    {
        /* The CEK, unwrapped with the ukm-less KEK our encryptor used. */
        static const uint8_t plain_info[] = {0x30, 0x15, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86,
                                             0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x05, 0xa2,
                                             0x06, 0x04, 0x04, 0x00, 0x00, 0x00, 0x80};
        CHECK(cachet_x963_kdf(CACHET_MD_SHA256, z.data, z.len, plain_info, sizeof(plain_info), kek,
                              16, &err));
        CHECK(cachet_aes_unwrap(kek, 16, ek.data, ek.len, cek, &out_len, &err));
        CHECK(cachet_x963_kdf(CACHET_MD_SHA256, z.data, z.len, ukm_shared_info,
                              sizeof(ukm_shared_info), kek, 16, &err));
        CHECK(cachet_aes_wrap(kek, 16, cek, 16, wrapped, &out_len, &err));
    }
    CHECK(cachet_cbb_init(&cbb, 512, 0));
    CHECK(cachet_cbb_add_asn1(&cbb, &nset, CACHET_ASN1_SET) &&
          cachet_cbb_add_asn1(&nset, &nkari, CACHET_ASN1_CONTEXT_CONS(1)) &&
          cachet_cbb_add_bytes(&nkari, version.data, version.len) &&
          cachet_cbb_add_bytes(&nkari, orig.data, orig.len) &&
          cachet_cbb_add_asn1(&nkari, &nukm, CACHET_ASN1_CONTEXT_CONS(1)) &&
          cachet_cbb_add_asn1_octet_string(&nukm, ukm_value, sizeof(ukm_value)) &&
          cachet_cbb_flush(&nkari) && cachet_cbb_add_bytes(&nkari, kea.data, kea.len) &&
          cachet_cbb_add_asn1(&nkari, &nreks, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1(&nreks, &nrek, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_bytes(&nrek, rid.data, rid.len) &&
          cachet_cbb_add_asn1_octet_string(&nrek, wrapped, out_len) &&
          cachet_cbb_finish(&cbb, &set_der, &set_len));
    {
        size_t old_set_len = head.len - all.len;
        cachet_membuf edited = {0};
        cachet_membuf_append(&edited, ct.data, set_off);
        cachet_membuf_append(&edited, set_der, set_len);
        cachet_membuf_append(&edited, ct.data + set_off + old_set_len,
                             ct.len - set_off - old_set_len);
        oss = tu_ossl_decrypt(edited.data, edited.len, &ec256, &n);
        CHECK(oss != NULL);
        CHECK_MEM(oss, n, msg, sizeof(msg));
        free(oss);
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            pt.len = 0;
            CHECK_EQ_INT(tu_decrypt(&ec256, NULL, NULL, edited.data, edited.len, (feed_mode)mode,
                                    &pt, NULL, &err),
                         CACHET_OK);
            CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
        }
        cachet_membuf_free(&edited);
    }
    cachet_free(set_der);
    cachet_pkey_free(peer);
    cachet_membuf_free(&z);
    cachet_membuf_free(&ct);
    cachet_membuf_free(&pt);
}

static const cachet_test_case tests[] = {
    TEST_CASE(round_trips_every_key_and_cipher_in_every_feed_mode),
    TEST_CASE(empty_content_round_trips),
    TEST_CASE(openssl_decrypts_our_output),
    TEST_CASE(we_decrypt_openssl_output),
    TEST_CASE(our_recipient_second_of_several_is_found),
    TEST_CASE(openssl_multi_recipient_output_decrypts_for_second),
    TEST_CASE(message_for_others_is_no_recipient_and_sink_untouched),
    TEST_CASE(encrypt_refuses_unusable_recipient_certificates),
    TEST_CASE(output_is_indefinite_ber_with_expected_versions),
    TEST_CASE(inner_content_type_is_carried_and_reported),
    TEST_CASE(kari_with_ukm_decrypts),
};

TEST_MAIN(tests)
