/* RFC 8418: X25519 and X448 KeyAgreeRecipientInfo. Our reader against
 * KeyAgreeRecipientInfos made with OpenSSL's primitives (X9.63 KDF and HKDF,
 * with and without ukm), our writer round-tripped (defaults and every variant),
 * what the writer puts on the wire, and tampering. */
#include "test_cms_kari_x_util.h"

static EVP_PKEY *ca_key;
static X509 *ca_cert;
static test_party p25519, p448;

static void teardown(void) {
    tu_party_free(&p25519);
    tu_party_free(&p448);
    EVP_PKEY_free(ca_key);
    X509_free(ca_cert);
}

static void setup(void) {
    if (ca_key != NULL) {
        return;
    }
    atexit(teardown);
    ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ca_cert = tu_make_cert(ca_key, "kari test CA", 1, "keyCertSign");
    p25519 = kx_issue(ca_key, ca_cert, "X25519", "x25519 recipient", 2, "keyAgreement");
    p448 = kx_issue(ca_key, ca_cert, "X448", "x448 recipient", 3, "keyAgreement");
    CHECK(p25519.key != NULL && p25519.cert != NULL && p448.key != NULL && p448.cert != NULL);
}

/* A message long enough to cross block and chunk boundaries. */
static size_t sample_msg(uint8_t *buf, size_t len) {
    uint32_t rng = 4242;
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)('a' + cachet_test_rand(&rng) % 26);
    }
    return len;
}

/* decrypt_all decrypts |der| fed whole, byte by byte and in random chunks and
 * checks the plaintext and key_management (|want| OK), or that nothing came out. */
static void decrypt_all(const test_party *p, const uint8_t *der, size_t len, cachet_status want,
                        const uint8_t *msg, size_t msg_len, const char *km) {
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        cachet_membuf pt = {0};
        cachet_layer_report rep;
        cachet_error err;
        memset(&rep, 0, sizeof(rep));
        cachet_err_clear(&err);
        CHECK_EQ_INT(tu_decrypt(p, NULL, NULL, der, len, (feed_mode)mode, &pt, &rep, &err), want);
        if (err.status != want) {
            fprintf(stderr, "  [%s] %s: %s\n", km, err.where, err.message);
        }
        if (want == CACHET_OK) {
            CHECK_MEM(pt.data, pt.len, msg, msg_len);
            CHECK_STR(rep.key_management, km);
        } else {
            CHECK_EQ_INT(pt.len, 0);
        }
        cachet_membuf_free(&pt);
    }
}

static void openssl_made_x963_and_hkdf_kari_decrypt_with_and_without_ukm(void) {
    static const uint8_t ukm[16] = {0x55, 0x4b, 0x4d, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    static const struct {
        bool x448;
        bool hkdf;
        const char *md;
        size_t kek_len;
        bool with_ukm;
        const char *km;
    } cases[] = {
        {false, false, "SHA256", 16, false, "ecdh-x25519-sha256kdf"},
        {false, false, "SHA256", 16, true, "ecdh-x25519-sha256kdf"},
        {false, false, "SHA384", 24, true, "ecdh-x25519-sha384kdf"},
        {false, true, "SHA256", 16, false, "ecdh-x25519-hkdf-sha256"},
        {false, true, "SHA256", 32, true, "ecdh-x25519-hkdf-sha256"},
        {false, true, "SHA384", 24, false, "ecdh-x25519-hkdf-sha384"},
        {true, false, "SHA512", 32, false, "ecdh-x448-sha512kdf"},
        {true, false, "SHA512", 32, true, "ecdh-x448-sha512kdf"},
        {true, false, "SHA256", 16, false, "ecdh-x448-sha256kdf"},
        {true, true, "SHA512", 32, false, "ecdh-x448-hkdf-sha512"},
        {true, true, "SHA512", 32, true, "ecdh-x448-hkdf-sha512"},
        {true, true, "SHA384", 16, true, "ecdh-x448-hkdf-sha384"},
    };
    uint8_t msg[3001];
    size_t msg_len = sample_msg(msg, sizeof(msg));
    setup();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        kx_spec spec = {cases[i].hkdf,    cases[i].md,
                        cases[i].kek_len, cases[i].with_ukm ? ukm : NULL,
                        sizeof(ukm),      KX_OK};
        kx_ri ri = {&spec, NULL, false};
        const test_party *to = cases[i].x448 ? &p448 : &p25519;
        size_t len = 0;
        uint8_t *der = kx_envelop(to, &ri, msg, msg_len, &len);
        CHECK(der != NULL);
        if (der != NULL) {
            decrypt_all(to, der, len, CACHET_OK, msg, msg_len, cases[i].km);
            /* The other curve's key never opens it (not addressed to it). */
            decrypt_all(cases[i].x448 ? &p25519 : &p448, der, len, CACHET_ERR_NO_RECIPIENT, NULL, 0,
                        cases[i].km);
        }
        free(der);
    }
}

static void our_writer_round_trips_every_kdf_wrap_and_ukm_variant(void) {
    static const uint8_t ukm[8] = {0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3};
    static const struct {
        bool x448;
        cachet_oid kea;
        cachet_oid wrap;
        bool with_ukm;
        bool use_ski;
        const char *km;
    } cases[] = {
        {false, CACHET_OID_UNKNOWN, CACHET_OID_UNKNOWN, false, false, "ecdh-x25519-hkdf-sha256"},
        {false, CACHET_OID_UNKNOWN, CACHET_OID_UNKNOWN, true, true, "ecdh-x25519-hkdf-sha256"},
        {false, CACHET_OID_DH_SINGLE_PASS_STDDH_SHA256KDF, CACHET_OID_AES128_WRAP, false, false,
         "ecdh-x25519-sha256kdf"},
        {false, CACHET_OID_DH_SINGLE_PASS_STDDH_SHA256KDF, CACHET_OID_AES256_WRAP, true, true,
         "ecdh-x25519-sha256kdf"},
        {false, CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA512, CACHET_OID_AES192_WRAP, true, false,
         "ecdh-x25519-hkdf-sha512"},
        {true, CACHET_OID_UNKNOWN, CACHET_OID_UNKNOWN, false, false, "ecdh-x448-hkdf-sha512"},
        {true, CACHET_OID_UNKNOWN, CACHET_OID_UNKNOWN, true, true, "ecdh-x448-hkdf-sha512"},
        {true, CACHET_OID_DH_SINGLE_PASS_STDDH_SHA512KDF, CACHET_OID_UNKNOWN, false, false,
         "ecdh-x448-sha512kdf"},
        {true, CACHET_OID_DH_SINGLE_PASS_STDDH_SHA512KDF, CACHET_OID_AES128_WRAP, true, true,
         "ecdh-x448-sha512kdf"},
        {true, CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA256, CACHET_OID_AES256_WRAP, true, false,
         "ecdh-x448-hkdf-sha256"},
    };
    uint8_t msg[1500];
    size_t msg_len = sample_msg(msg, sizeof(msg));
    setup();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_env_kari_opts o = {cases[i].kea, cases[i].wrap, cases[i].with_ukm ? ukm : NULL,
                                  sizeof(ukm)};
        kx_ri ri = {NULL, &o, cases[i].use_ski};
        const test_party *to = cases[i].x448 ? &p448 : &p25519;
        size_t len = 0;
        uint8_t *der = kx_envelop(to, &ri, msg, msg_len, &len);
        cachet_cbs kari, okey;
        CHECK(der != NULL);
        if (der == NULL) {
            continue;
        }
        decrypt_all(to, der, len, CACHET_OK, msg, msg_len, cases[i].km);
        /* ukm travels as [1] EXPLICIT OCTET STRING right after the originator. */
        CHECK(kx_find_kari(der, len, 0, &kari, &okey));
        {
            cachet_cbs k = kari, skip, u;
            uint64_t v;
            bool present = false;
            CHECK(cachet_cbs_get_asn1_uint64(&k, &v) &&
                  cachet_cbs_get_asn1(&k, &skip, CACHET_ASN1_CONTEXT_CONS(0)) &&
                  cachet_cbs_get_optional_asn1(&k, &u, &present, CACHET_ASN1_CONTEXT_CONS(1)));
            CHECK_EQ_INT(present, cases[i].with_ukm);
        }
        free(der);
    }
}

/* has_bytes: |needle| occurs in |hay|. */
static bool has_bytes(const uint8_t *hay, size_t len, const uint8_t *needle, size_t n) {
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(hay + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

/* kea_alg_der: the DER of keyEncryptionAlgorithm { kea, { wrap } } as we write it. */
static size_t kea_alg_der(cachet_oid kea, cachet_oid wrap, uint8_t *out) {
    size_t kl, wl, n = 0;
    const uint8_t *k = cachet_oid_der(kea, &kl), *w = cachet_oid_der(wrap, &wl);
    out[n++] = 0x30;
    out[n++] = (uint8_t)(2 + kl + 2 + 2 + wl);
    out[n++] = 0x06;
    out[n++] = (uint8_t)kl;
    memcpy(out + n, k, kl);
    n += kl;
    out[n++] = 0x30;
    out[n++] = (uint8_t)(2 + wl);
    out[n++] = 0x06;
    out[n++] = (uint8_t)wl;
    memcpy(out + n, w, wl);
    return n + wl;
}

static void encrypt_writes_rfc8418_defaults_fresh_ephemeral_keys_one_cek_for_all(void) {
    static const cachet_cipher ciphers[] = {CACHET_CIPHER_AES128_CBC, CACHET_CIPHER_AES256_GCM};
    test_party ec;
    cachet_cert_list list = {0};
    uint8_t msg[777];
    size_t msg_len = sample_msg(msg, sizeof(msg));
    setup();
    ec = tu_party("P-256", "ec recipient", 9, "keyAgreement");
    cachet_cert_list_push(&list, p25519.cert);
    cachet_cert_list_push(&list, p448.cert);
    cachet_cert_list_push(&list, ec.cert);
    for (size_t c = 0; c < 2; c++) {
        cachet_membuf out[2] = {{0}, {0}};
        uint8_t *der[2] = {NULL, NULL};
        size_t der_len[2] = {0, 0};
        cachet_cbs okey[2];
        for (int run = 0; run < 2; run++) {
            cachet_cms_encrypt_opts opts;
            cachet_error err;
            uint8_t want[64];
            size_t want_len;
            cachet_cbs kari, okey448;
            memset(&opts, 0, sizeof(opts));
            opts.recipients = &list;
            opts.cipher = ciphers[c];
            opts.use_ski = run == 1;
            cachet_err_clear(&err);
            CHECK_EQ_INT(tu_encrypt(&opts, msg, msg_len, FEED_RANDOM, &out[run], &err), CACHET_OK);
            /* R8418-3-1: the same CEK for every recipient. */
            decrypt_all(&p25519, out[run].data, out[run].len, CACHET_OK, msg, msg_len,
                        "ecdh-x25519-hkdf-sha256");
            decrypt_all(&p448, out[run].data, out[run].len, CACHET_OK, msg, msg_len,
                        "ecdh-x448-hkdf-sha512");
            decrypt_all(&ec, out[run].data, out[run].len, CACHET_OK, msg, msg_len,
                        "ecdh-stdDH-sha256kdf");
            /* The wrap matches the content key: AES-128 CEK -> aes128-wrap,
             * AES-256 -> aes256-wrap (RFC 3565 §6, RFC 8551 §2.3), and no
             * recipient gets the other size. */
            cachet_oid wrap = c == 0 ? CACHET_OID_AES128_WRAP : CACHET_OID_AES256_WRAP;
            cachet_oid other = c == 0 ? CACHET_OID_AES256_WRAP : CACHET_OID_AES128_WRAP;
            want_len = kea_alg_der(CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA256, wrap, want);
            CHECK(has_bytes(out[run].data, out[run].len, want, want_len));
            want_len = kea_alg_der(CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA512, wrap, want);
            CHECK(has_bytes(out[run].data, out[run].len, want, want_len));
            want_len = kea_alg_der(CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA256, other, want);
            CHECK(!has_bytes(out[run].data, out[run].len, want, want_len));
            want_len = kea_alg_der(CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA512, other, want);
            CHECK(!has_bytes(out[run].data, out[run].len, want, want_len));
            /* RFC 8418 §3.2: originatorKey { id-X25519 (parameters absent), 32 octets }
             * (our output is BER with indefinite lengths: normalised first). */
            CHECK_EQ_INT(cachet_ber_to_der(out[run].data, out[run].len, NULL, &der[run],
                                           &der_len[run], &err),
                         CACHET_OK);
            CHECK(kx_find_kari(der[run], der_len[run], 0, &kari, &okey[run]));
            CHECK_EQ_INT(okey[run].len, 2 + 5 + 2 + 33);
            CHECK(okey[run].len == 42 &&
                  memcmp(okey[run].data, "\x30\x05\x06\x03\x2b\x65\x6e\x03\x21\x00", 10) == 0);
            CHECK(kx_find_kari(der[run], der_len[run], 1, &kari, &okey448) &&
                  okey448.len == 2 + 5 + 2 + 57 &&
                  memcmp(okey448.data, "\x30\x05\x06\x03\x2b\x65\x6f\x03\x39\x00", 10) == 0);
        }
        /* R8418-2-2: a fresh ephemeral key per message. */
        CHECK(okey[0].len == okey[1].len && memcmp(okey[0].data, okey[1].data, okey[0].len) != 0);
        cachet_membuf_free(&out[0]);
        cachet_membuf_free(&out[1]);
        cachet_free(der[0]);
        cachet_free(der[1]);
    }
    cachet_cert_list_clear(&list);
    tu_party_free(&ec);
}

static void x_recipient_needs_keyagreement_when_keyusage_is_present(void) {
    static const struct {
        const char *ku;
        cachet_status want;
    } cases[] = {
        {"keyAgreement", CACHET_OK},
        {NULL, CACHET_OK},
        {"digitalSignature", CACHET_ERR_USAGE},
        {"keyEncipherment", CACHET_ERR_USAGE},
    };
    setup();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int x448 = 0; x448 < 2; x448++) {
            test_party p = kx_issue(ca_key, ca_cert, x448 ? "X448" : "X25519", "ku test",
                                    (long)(100 + i), cases[i].ku);
            cachet_cert_list list = {0};
            cachet_cms_encrypt_opts opts;
            cachet_membuf out = {0};
            cachet_cbb ris;
            cachet_pkey *pub = cachet_cert_pkey(p.cert);
            uint8_t cek[16] = {1};
            cachet_error err;
            cachet_cert_list_push(&list, p.cert);
            memset(&opts, 0, sizeof(opts));
            opts.recipients = &list;
            cachet_err_clear(&err);
            CHECK_EQ_INT(tu_encrypt(&opts, (const uint8_t *)"x", 1, FEED_WHOLE, &out, &err),
                         cases[i].want);
            if (cases[i].want != CACHET_OK) {
                CHECK_EQ_INT(out.len, 0);
            }
            /* cachet_env_add_kari checks it too, whoever calls it. */
            CHECK(cachet_cbb_init(&ris, 64, 0));
            cachet_err_clear(&err);
            CHECK_EQ_INT(cachet_env_add_kari(&ris, p.cert, pub, false, cek, 16, &err),
                         cases[i].want);
            cachet_cbb_cleanup(&ris);
            cachet_pkey_free(pub);
            cachet_membuf_free(&out);
            cachet_cert_list_clear(&list);
            tu_party_free(&p);
        }
    }
}

static void ec_kari_with_ukm_matches_openssl(void) {
    /* RFC 5753 §7.2 entityUInfo: OpenSSL reads our ukm the same way. */
    static const uint8_t ukm[20] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    static const char *curves[] = {"P-256", "P-384", "P-521"};
    static const char *kms[] = {"ecdh-stdDH-sha256kdf", "ecdh-stdDH-sha384kdf",
                                "ecdh-stdDH-sha512kdf"};
    uint8_t msg[100];
    size_t msg_len = sample_msg(msg, sizeof(msg));
    for (size_t i = 0; i < 3; i++) {
        test_party ec = tu_party(curves[i], "ec ukm", 20 + (long)i, "keyAgreement");
        cachet_env_kari_opts o = {CACHET_OID_UNKNOWN, CACHET_OID_UNKNOWN, ukm, sizeof(ukm)};
        kx_ri ri = {NULL, &o, false};
        size_t len = 0, pt_len = 0;
        uint8_t *der = kx_envelop(&ec, &ri, msg, msg_len, &len);
        uint8_t *pt = der != NULL ? tu_ossl_decrypt(der, len, &ec, &pt_len) : NULL;
        CHECK(pt != NULL);
        if (pt != NULL) {
            CHECK_MEM(pt, pt_len, msg, msg_len);
        }
        if (der != NULL) {
            decrypt_all(&ec, der, len, CACHET_OK, msg, msg_len, kms[i]);
        }
        free(pt);
        free(der);
        tu_party_free(&ec);
    }
}

/* An external key that counts its private-key operations (and fails them). */
static cachet_status counting_derive(void *arg, const cachet_pkey *peer, cachet_membuf *secret,
                                     cachet_error *err) {
    (void)peer;
    (void)secret;
    ++*(int *)arg;
    return cachet_err_set(err, CACHET_ERR_DECRYPT, "token", -1, "counted");
}

static void free_nothing(void *arg) {
    (void)arg;
}

static void tampered_kari_fails_uniformly_after_the_key_and_precisely_before(void) {
    static const struct {
        kx_flaw flaw;
        cachet_status want;
        int key_uses;
    } cases[] = {
        {KX_OTHER_ORIGINATOR, CACHET_ERR_DECRYPT, 1}, {KX_ZERO_ORIGINATOR, CACHET_ERR_DECRYPT, 1},
        {KX_FLIPPED_KEY, CACHET_ERR_DECRYPT, 1},      {KX_PARAMS_PRESENT, CACHET_ERR_MALFORMED, 0},
        {KX_SHORT_KEY, CACHET_ERR_MALFORMED, 0},      {KX_UNUSED_BITS, CACHET_ERR_MALFORMED, 0},
        {KX_WRONG_ALG, CACHET_ERR_UNSUPPORTED, 0},    {KX_VERSION_2, CACHET_ERR_MALFORMED, 0},
    };
    uint8_t msg[64];
    size_t msg_len = sample_msg(msg, sizeof(msg));
    setup();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int x448 = 0; x448 < 2; x448++) {
            const test_party *to = x448 ? &p448 : &p25519;
            kx_spec spec = {x448 == 0, x448 ? "SHA512" : "SHA256", 16, NULL, 0, cases[i].flaw};
            kx_ri ri = {&spec, NULL, false};
            size_t len = 0;
            uint8_t *der = kx_envelop(to, &ri, msg, msg_len, &len);
            int uses = 0;
            cachet_pkey_ops ops = {NULL, NULL, counting_derive, free_nothing};
            cachet_pkey *pub = cachet_cert_pkey(to->cert);
            test_party ext = *to;
            cachet_error err;
            cachet_membuf pt = {0};
            CHECK(der != NULL);
            if (der == NULL) {
                cachet_pkey_free(pub);
                continue;
            }
            for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
                cachet_err_clear(&err);
                pt.len = 0;
                CHECK_EQ_INT(tu_decrypt(to, NULL, NULL, der, len, (feed_mode)mode, &pt, NULL, &err),
                             cases[i].want);
                CHECK_EQ_INT(pt.len, 0);
                if (cases[i].want == CACHET_ERR_DECRYPT) {
                    /* BL-01: nothing tells the failures apart. */
                    CHECK_STR(err.message, CACHET_ENV_DECRYPT_MSG);
                    CHECK_STR(err.where, "");
                    CHECK_EQ_INT(err.offset, -1);
                }
            }
            /* The same message against a key that counts: errors before the
             * private key is used never use it. */
            cachet_err_clear(&err);
            ext.key = cachet_pkey_new_external(pub, &ops, &uses, &err);
            CHECK(ext.key != NULL);
            if (ext.key != NULL) {
                CHECK_EQ_INT(tu_decrypt(&ext, NULL, NULL, der, len, FEED_WHOLE, &pt, NULL, &err),
                             cases[i].want);
                CHECK_EQ_INT(uses, cases[i].key_uses);
            }
            cachet_pkey_free(ext.key);
            cachet_pkey_free(pub);
            cachet_membuf_free(&pt);
            free(der);
        }
    }
}

static void x_key_refuses_kdfs_rfc8418_does_not_name(void) {
    /* RFC 8418 §7: stdDH with SHA-256/384/512 only; SHA-1, SHA-224 and the
     * cofactor schemes are refused for X25519/X448 before the key is used. */
    static const cachet_oid keas[] = {CACHET_OID_DH_SINGLE_PASS_STDDH_SHA1KDF,
                                      CACHET_OID_DH_SINGLE_PASS_STDDH_SHA224KDF,
                                      CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA256KDF};
    uint8_t msg[16] = {0};
    setup();
    for (size_t i = 0; i < sizeof(keas) / sizeof(keas[0]); i++) {
        cachet_env_kari_opts o = {keas[i], CACHET_OID_AES128_WRAP, NULL, 0};
        kx_ri ri = {NULL, &o, false};
        size_t len = 0;
        uint8_t *der = kx_envelop(&p25519, &ri, msg, sizeof(msg), &len);
        CHECK(der != NULL);
        if (der != NULL) {
            decrypt_all(&p25519, der, len, CACHET_ERR_UNSUPPORTED, NULL, 0, "refused");
        }
        free(der);
    }
}

static void oversized_ukm_is_a_limit_before_the_key(void) {
    static uint8_t ukm[513];
    static const size_t sizes[] = {512, 513};
    uint8_t msg[32] = {1};
    setup();
    memset(ukm, 0x5a, sizeof(ukm));
    for (size_t i = 0; i < 2; i++) {
        kx_spec spec = {true, "SHA256", 16, ukm, sizes[i], KX_OK};
        kx_ri ri = {&spec, NULL, false};
        size_t len = 0;
        uint8_t *der = kx_envelop(&p25519, &ri, msg, sizeof(msg), &len);
        CHECK(der != NULL);
        if (der != NULL) {
            decrypt_all(&p25519, der, len, i == 0 ? CACHET_OK : CACHET_ERR_LIMIT, msg, sizeof(msg),
                        "ecdh-x25519-hkdf-sha256");
        }
        free(der);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(openssl_made_x963_and_hkdf_kari_decrypt_with_and_without_ukm),
    TEST_CASE(our_writer_round_trips_every_kdf_wrap_and_ukm_variant),
    TEST_CASE(encrypt_writes_rfc8418_defaults_fresh_ephemeral_keys_one_cek_for_all),
    TEST_CASE(x_recipient_needs_keyagreement_when_keyusage_is_present),
    TEST_CASE(ec_kari_with_ukm_matches_openssl),
    TEST_CASE(tampered_kari_fails_uniformly_after_the_key_and_precisely_before),
    TEST_CASE(x_key_refuses_kdfs_rfc8418_does_not_name),
    TEST_CASE(oversized_ukm_is_a_limit_before_the_key),
};

TEST_MAIN(tests)
