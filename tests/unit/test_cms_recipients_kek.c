/* KEKRecipientInfo (RFC 5652 §6.2.3, RFC 3565 §2.3.2/§2.4, RFC 5649, RFC
 * 3217): what we write, what we read (ours, OpenSSL's C API and command line,
 * hand-made variants, RFC 4134 5.2 and examples-cms), selection by kekid and
 * the uniform failure once a KEK is used. */
#include "test_cms_recipients_util.h"

static const uint8_t kek_bytes[32] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
static const uint8_t cek_bytes[32] = {
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
    0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf};
static const char msg[] = "KEK recipients: a key shared out of band opens this.";

static cachet_cms_kek make_kek(size_t len, const char *id) {
    cachet_cms_kek k = {kek_bytes, len, (const uint8_t *)id, strlen(id)};
    return k;
}

static cachet_cms_secrets kek_secrets(const cachet_cms_kek *keks, size_t n) {
    cachet_cms_secrets s;
    memset(&s, 0, sizeof(s));
    s.keks = keks;
    s.num_keks = n;
    return s;
}

/* OpenSSL's EVP key wrap (RFC 3394 / 5649 / 3217) as the independent oracle. */
static size_t ossl_wrap(const EVP_CIPHER *c, bool encrypt, const uint8_t *kek, const uint8_t *in,
                        size_t in_len, uint8_t *out) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0;
    bool ok;
    EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    ok = EVP_CipherInit_ex(ctx, c, NULL, kek, NULL, encrypt) == 1 &&
         EVP_CipherUpdate(ctx, out, &n1, in, (int)in_len) == 1 &&
         EVP_CipherFinal_ex(ctx, out + n1, &n2) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? (size_t)(n1 + n2) : 0;
}

/* A KEKRecipientInfo made by hand: |version|, kekid (with date and other when
 * |extras|), keyEncryptionAlgorithm |oid| with optional raw |params|. */
static void add_raw_kekri(cachet_cbb *set, uint64_t version, const char *id, bool extras,
                          cachet_oid oid, const uint8_t *params, size_t params_len,
                          const uint8_t *ek, size_t ek_len) {
    cachet_cbb kekri, kekid, alg, other, t;
    CHECK(cachet_cbb_add_asn1(set, &kekri, CACHET_ASN1_CONTEXT_CONS(2)) &&
          cachet_cbb_add_asn1_uint64(&kekri, version) &&
          cachet_cbb_add_asn1(&kekri, &kekid, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1_octet_string(&kekid, (const uint8_t *)id, strlen(id)));
    if (extras) {
        CHECK(cachet_cbb_add_asn1(&kekid, &t, CACHET_ASN1_GENERALIZEDTIME) &&
              cachet_cbb_add_bytes(&t, (const uint8_t *)"20250101000000Z", 15) &&
              cachet_cbb_flush(&kekid) &&
              cachet_cbb_add_asn1(&kekid, &other, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&other, CACHET_OID_DATA) && cachet_cbb_flush(&kekid));
    }
    CHECK(cachet_cbb_flush(&kekri) && cachet_cbb_add_asn1(&kekri, &alg, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_oid(&alg, oid) && cachet_cbb_add_bytes(&alg, params, params_len) &&
          cachet_cbb_flush(&kekri) && cachet_cbb_add_asn1_octet_string(&kekri, ek, ek_len) &&
          cachet_cbb_flush(set));
}

static void kekri_round_trips_every_kek_and_cek_length_and_opens_in_openssl(void) {
    static const size_t lens[] = {16, 24, 32};
    for (size_t k = 0; k < 3; k++) {
        for (size_t c = 0; c <= k; c++) {
            cachet_cms_kek kek = make_kek(lens[k], "mail-list-1");
            cachet_cms_secrets s = kek_secrets(&kek, 1);
            cachet_env_recipient_info info;
            cachet_error err;
            uint8_t cek[32], *set;
            size_t set_len;
            char km[32];
            tr_set t;
            tr_begin(&t);
            tr_add_kek(&t, &kek, cek_bytes, lens[c]);
            set = tr_end(&t, &set_len);
            CHECK_EQ_INT(t.version, 2); /* RFC 5652 §6.1 */
            CHECK_EQ_INT(tr_recover(set, set_len, &s, false, NULL, cek, lens[c], &info, &err),
                         CACHET_OK);
            CHECK_MEM(cek, lens[c], cek_bytes, lens[c]);
            snprintf(km, sizeof(km), "kek-aes%zu-wrap", lens[k] * 8);
            CHECK_STR(info.key_management, km);
            CHECK_EQ_INT(info.num_recipients, 1);
            /* the same SET in a whole EnvelopedData opens in OpenSSL */
            tr_check_opens_in_openssl(set, set_len, t.version, cek_bytes, lens[c], &kek, NULL, msg);
            cachet_free(set);
        }
    }
}

static void kekri_is_written_as_rfc3565_says(void) {
    cachet_cms_kek kek = make_kek(24, "id-24");
    uint8_t *set, unwrapped[40];
    size_t set_len;
    cachet_cbs cbs, s, kekri, kekid, id, alg, ek;
    cachet_oid oid;
    uint64_t version;
    tr_set t;
    tr_begin(&t);
    tr_add_kek(&t, &kek, cek_bytes, 16);
    set = tr_end(&t, &set_len);
    cachet_cbs_init(&cbs, set, set_len);
    REQUIRE(cachet_cbs_get_asn1(&cbs, &s, CACHET_ASN1_SET) &&
            cachet_cbs_get_asn1(&s, &kekri, CACHET_ASN1_CONTEXT_CONS(2)) &&
            cachet_cbs_get_asn1_uint64(&kekri, &version) &&
            cachet_cbs_get_asn1(&kekri, &kekid, CACHET_ASN1_SEQUENCE) &&
            cachet_cbs_get_asn1(&kekid, &id, CACHET_ASN1_OCTETSTRING) &&
            cachet_cbs_get_asn1(&kekri, &alg, CACHET_ASN1_SEQUENCE) &&
            cachet_cbs_get_oid(&alg, &oid, NULL) &&
            cachet_cbs_get_asn1(&kekri, &ek, CACHET_ASN1_OCTETSTRING));
    CHECK_EQ_INT(version, 4);                  /* RFC 5652 §6.2.3 */
    CHECK_EQ_INT(kekid.len, 0);                /* no date, no other */
    CHECK_MEM(id.data, id.len, "id-24", 5);    /* keyIdentifier */
    CHECK_EQ_INT(oid, CACHET_OID_AES192_WRAP); /* by KEK length */
    CHECK_EQ_INT(alg.len, 0);                  /* parameters absent */
    CHECK_EQ_INT(ek.len, 24);                  /* RFC 3394: n + 8 */
    CHECK_EQ_INT(ossl_wrap(EVP_aes_192_wrap(), false, kek_bytes, ek.data, ek.len, unwrapped), 16);
    CHECK_MEM(unwrapped, 16, cek_bytes, 16);
    cachet_free(set);
}

static void kek_of_bad_length_or_shorter_than_the_cek_is_refused(void) {
    static const struct {
        size_t kek_len, cek_len;
    } cases[] = {{20, 16}, {0, 16}, {16, 32}, {24, 32}, {16, 24}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cms_kek kek = make_kek(cases[i].kek_len, "x");
        cachet_error err;
        tr_set t;
        size_t len;
        unsigned before;
        tr_begin(&t);
        before = t.version;
        cachet_err_clear(&err);
        CHECK_EQ_INT(
            cachet_env_add_kekri(&t.set, &kek, cek_bytes, cases[i].cek_len, &t.version, &err),
            CACHET_ERR_USAGE);
        CHECK_EQ_INT(t.version, before);
        cachet_free(tr_end(&t, &len));
    }
}

static void wrong_kek_fails_uniformly(void) {
    cachet_cms_kek kek = make_kek(32, "shared"), wrong = kek, short_kek = make_kek(16, "shared");
    uint8_t other[32], cek[32], *set;
    cachet_cms_secrets s;
    cachet_env_recipient_info info;
    cachet_error err;
    size_t set_len;
    tr_set t;
    memcpy(other, kek_bytes, 32);
    other[31] ^= 1;
    wrong.key = other;
    tr_begin(&t);
    tr_add_kek(&t, &kek, cek_bytes, 16);
    set = tr_end(&t, &set_len);
    /* a wrong KEK, a KEK too short for id-aes256-wrap, a CEK length the
     * content algorithm does not expect: one answer for all */
    s = kek_secrets(&wrong, 1);
    tr_check_uniform(tr_recover(set, set_len, &s, false, NULL, cek, 16, &info, &err), &err);
    s = kek_secrets(&short_kek, 1);
    tr_check_uniform(tr_recover(set, set_len, &s, false, NULL, cek, 16, &info, &err), &err);
    s = kek_secrets(&kek, 1);
    tr_check_uniform(tr_recover(set, set_len, &s, false, NULL, cek, 24, &info, &err), &err);
    cachet_free(set);
}

static void kekid_mismatch_is_no_recipient_and_the_kek_is_not_tried(void) {
    cachet_cms_kek written = make_kek(32, "list-A");
    /* the right key under another id: trying it would succeed */
    cachet_cms_kek ours[2] = {make_kek(32, "other"), make_kek(32, "list-A2")};
    cachet_cms_secrets s = kek_secrets(ours, 2);
    cachet_env_recipient_info info;
    cachet_error err;
    uint8_t cek[32], zero[32] = {0}, *set;
    size_t set_len;
    tr_set t;
    tr_begin(&t);
    tr_add_kek(&t, &written, cek_bytes, 32);
    set = tr_end(&t, &set_len);
    CHECK_EQ_INT(tr_recover(set, set_len, &s, false, NULL, cek, 32, &info, &err),
                 CACHET_ERR_NO_RECIPIENT);
    CHECK_MEM(cek, 32, zero, 32);
    CHECK_STR(info.key_management, "");
    CHECK(strstr(err.message, "KEK id 6F74686572") != NULL ||
          strstr(err.message, "KEK id 6f74686572") != NULL);
    CHECK(strstr(err.message, "6c6973742d4132") != NULL ||
          strstr(err.message, "6C6973742D4132") != NULL);
    cachet_free(set);
}

static void kekid_date_and_other_do_not_take_part_in_matching(void) {
    cachet_cms_kek kek = make_kek(16, "dated");
    cachet_cms_secrets s = kek_secrets(&kek, 1);
    cachet_env_recipient_info info;
    cachet_error err;
    uint8_t ek[40], cek[16], *set;
    size_t ek_len = ossl_wrap(EVP_aes_128_wrap(), true, kek_bytes, cek_bytes, 16, ek), set_len;
    tr_set t;
    tr_begin(&t);
    add_raw_kekri(&t.set, 4, "dated", true, CACHET_OID_AES128_WRAP, NULL, 0, ek, ek_len);
    set = tr_end(&t, &set_len);
    CHECK_EQ_INT(tr_recover(set, set_len, &s, false, NULL, cek, 16, &info, &err), CACHET_OK);
    CHECK_MEM(cek, 16, cek_bytes, 16);
    cachet_free(set);
}

static void padded_aes_wrap_is_read(void) {
    static const struct {
        size_t kek_len, cek_len;
        cachet_oid oid;
        const char *km;
    } cases[] = {
        {32, 16, CACHET_OID_AES256_WRAP_PAD, "kek-aes256-wrap-pad"},
        {16, 24, CACHET_OID_AES128_WRAP_PAD, "kek-aes128-wrap-pad"},
        {24, 5, CACHET_OID_AES192_WRAP_PAD, "kek-aes192-wrap-pad"}, /* RC2/40-sized CEK */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cms_kek kek = make_kek(cases[i].kek_len, "padded");
        cachet_cms_secrets s = kek_secrets(&kek, 1);
        cachet_env_recipient_info info;
        cachet_error err;
        const EVP_CIPHER *c = cases[i].kek_len == 16   ? EVP_aes_128_wrap_pad()
                              : cases[i].kek_len == 24 ? EVP_aes_192_wrap_pad()
                                                       : EVP_aes_256_wrap_pad();
        uint8_t ek[64], cek[32], *set;
        size_t ek_len = ossl_wrap(c, true, kek_bytes, cek_bytes, cases[i].cek_len, ek), set_len;
        tr_set t;
        CHECK(ek_len > 0);
        tr_begin(&t);
        add_raw_kekri(&t.set, 4, "padded", false, cases[i].oid, NULL, 0, ek, ek_len);
        set = tr_end(&t, &set_len);
        CHECK_EQ_INT(tr_recover(set, set_len, &s, false, NULL, cek, cases[i].cek_len, &info, &err),
                     CACHET_OK);
        CHECK_MEM(cek, cases[i].cek_len, cek_bytes, cases[i].cek_len);
        CHECK_STR(info.key_management, cases[i].km);
        /* the unpadded length must be exactly what the content cipher needs */
        tr_check_uniform(
            tr_recover(set, set_len, &s, false, NULL, cek, cases[i].cek_len + 1, &info, &err),
            &err);
        cachet_free(set);
    }
}

static void triple_des_wrap_is_legacy_and_read_only_with_allow_weak(void) {
    cachet_cms_kek kek = make_kek(24, "3des");
    cachet_cms_secrets s = kek_secrets(&kek, 1);
    cachet_env_recipient_info info;
    cachet_error err;
    uint8_t ek[64], cek[24], *set;
    size_t ek_len = ossl_wrap(EVP_des_ede3_wrap(), true, kek_bytes, cek_bytes, 24, ek), set_len;
    tr_set t;
    CHECK_EQ_INT(ek_len, 40);
    tr_begin(&t);
    add_raw_kekri(&t.set, 4, "3des", false, CACHET_OID_CMS3DES_WRAP, NULL, 0, ek, ek_len);
    set = tr_end(&t, &set_len);
    CHECK_EQ_INT(tr_recover(set, set_len, &s, false, NULL, cek, 24, &info, &err),
                 CACHET_ERR_POLICY);
    CHECK_EQ_INT(tr_recover(set, set_len, &s, true, NULL, cek, 24, &info, &err), CACHET_OK);
    CHECK_MEM(cek, 24, cek_bytes, 24);
    CHECK_STR(info.key_management, "kek-3des-wrap");
    CHECK(info.weak);
    cachet_free(set);
}

static void malformed_unsupported_and_unknown_versions(void) {
    static const uint8_t aes_params[] = {0x04, 0x02, 0x00, 0x00};
    static const struct {
        uint64_t version;
        cachet_oid oid;
        const uint8_t *params;
        size_t params_len, ek_len;
        cachet_status want;
    } cases[] = {
        {4, CACHET_OID_AES128_WRAP, NULL, 0, 12, CACHET_ERR_MALFORMED},       /* < 2 blocks */
        {4, CACHET_OID_AES128_WRAP, NULL, 0, 20, CACHET_ERR_MALFORMED},       /* not n*8 */
        {4, CACHET_OID_AES128_WRAP, aes_params, 4, 24, CACHET_ERR_MALFORMED}, /* params */
        {4, CACHET_OID_AES128_CBC, NULL, 0, 24, CACHET_ERR_UNSUPPORTED},
        {4, CACHET_OID_CMSRC2_WRAP, NULL, 0, 24, CACHET_ERR_UNSUPPORTED},
        {3, CACHET_OID_AES128_WRAP, NULL, 0, 24, CACHET_ERR_NO_RECIPIENT}, /* not ours */
        {4, CACHET_OID_AES128_WRAP, (const uint8_t *)"\x05\x00", 2, 24, CACHET_ERR_DECRYPT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cms_kek kek = make_kek(16, "m");
        cachet_cms_secrets s = kek_secrets(&kek, 1);
        cachet_env_recipient_info info;
        cachet_error err;
        uint8_t ek[32] = {0}, cek[16], *set;
        size_t set_len;
        tr_set t;
        tr_begin(&t);
        add_raw_kekri(&t.set, cases[i].version, "m", false, cases[i].oid, cases[i].params,
                      cases[i].params_len, ek, cases[i].ek_len);
        set = tr_end(&t, &set_len);
        CHECK_EQ_INT(tr_recover(set, set_len, &s, false, NULL, cek, 16, &info, &err),
                     cases[i].want);
        cachet_free(set);
    }
}

static void openssl_kekri_opens_with_ours(void) {
    static const size_t lens[] = {16, 24, 32};
    for (size_t i = 0; i < 3; i++) {
        cachet_cms_kek kek = make_kek(lens[i], "openssl-kek");
        cachet_cms_secrets s = kek_secrets(&kek, 1);
        cachet_env_recipient_info info;
        cachet_error err;
        cachet_cbs set, iv, ct;
        uint8_t cek[32];
        size_t len = 0;
        char km[32];
        uint8_t *der = tr_ossl_encrypt_secret(tr_aes_cbc(lens[i]), &kek, NULL, 0,
                                              (const uint8_t *)msg, strlen(msg), &len);
        CHECK(der != NULL && tr_parts(der, len, &set, &iv, &ct));
        if (der == NULL) {
            continue;
        }
        CHECK_EQ_INT(tr_recover(set.data, set.len, &s, false, NULL, cek, lens[i], &info, &err),
                     CACHET_OK);
        CHECK(tr_open_with_cek(&iv, &ct, cek, lens[i], (const uint8_t *)msg, strlen(msg)));
        snprintf(km, sizeof(km), "kek-aes%zu-wrap", lens[i] * 8);
        CHECK_STR(info.key_management, km);
        free(der);
    }
}

/* `openssl cms -encrypt -secretkey` made by the command line opens with ours,
 * ours opens with `openssl cms -decrypt -secretkey`. */
static void openssl_command_line_kek_interop_both_ways(void) {
    const char *dir = tr_tmpdir();
    char args[160], key_hex[65], id_hex[32];
    cachet_cms_kek kek = make_kek(32, "cli-kek");
    cachet_cms_secrets s = kek_secrets(&kek, 1);
    uint8_t *set_der;
    size_t set_len;
    tr_set t;
    if (!tr_have_openssl() || dir[0] == '\0') {
        fprintf(stderr, "SKIP: openssl command not available\n");
        return;
    }
    tr_hex(key_hex, kek_bytes, 32);
    tr_hex(id_hex, kek.id, kek.id_len);
    snprintf(args, sizeof(args), "-secretkey %s -secretkeyid %s", key_hex, id_hex);
    tr_begin(&t);
    tr_add_kek(&t, &kek, cek_bytes, 32);
    set_der = tr_end(&t, &set_len);
    tr_cli_both_ways(dir, "kek", args, &s, set_der, set_len, t.version, cek_bytes, msg);
    cachet_free(set_der);
}

/* RFC 4134 5.2: ktri to Bob, then a kekri with id-alg-CMSRC2wrap; the content
 * is RC2 with a 40-bit key (5 bytes). The kekri
 * must not stop Bob; when it is the one chosen, RC2 key wrap is unsupported. */
static void rfc4134_5_2_rc2_wrap_kekri_does_not_block_bob(void) {
    size_t len = 0, key_len = 0, cert_len = 0;
    uint8_t *der = cachet_test_read_file(cachet_test_vector_path("rfc4134-bcjava/5.2.bin"), &len);
    uint8_t *key_der = cachet_test_read_file(
        cachet_test_vector_path("rfc4134-bcjava/BobPrivRSAEncrypt.pri"), &key_len);
    uint8_t *cert_der = cachet_test_read_file(
        cachet_test_vector_path("rfc4134-bcjava/BobRSASignByCarl.cer"), &cert_len);
    cachet_cbs set, walk, s_set, ktri, skip, ek;
    cachet_pkey *key = NULL;
    cachet_cert *cert = NULL;
    cachet_cms_kek kek = make_kek(16, "MailListRC2");
    cachet_cms_secrets s;
    cachet_env_recipient_info info;
    cachet_error err;
    uint8_t cek[5], want[512];
    size_t want_len = sizeof(want);
    if (getenv("CACHET_VECTORS") == NULL || der == NULL || key_der == NULL || cert_der == NULL) {
        fprintf(stderr, "SKIP: RFC 4134 vectors not available\n");
        goto done;
    }
    cachet_err_clear(&err);
    CHECK(tr_ris(der, len, &set));
    CHECK_EQ_INT(cachet_pkey_load_private(key_der, key_len, NULL, &key, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_cert_parse(cert_der, cert_len, &cert, &err), CACHET_OK);
    /* Bob alone, Bob plus the KEK: Bob's ktri comes first and is used */
    for (int with_kek = 0; with_kek <= 1; with_kek++) {
        memset(&s, 0, sizeof(s));
        s.keys = (const cachet_pkey *const *)&key;
        s.certs = (const cachet_cert *const *)&cert;
        s.num_keys = 1;
        s.keks = with_kek ? &kek : NULL;
        s.num_keks = with_kek ? 1 : 0;
        CHECK_EQ_INT(tr_recover(set.data, set.len, &s, false, NULL, cek, 5, &info, &err),
                     CACHET_ERR_POLICY); /* Bob's RSA key is 1024 bits */
        CHECK_EQ_INT(tr_recover(set.data, set.len, &s, true, NULL, cek, 5, &info, &err), CACHET_OK);
        CHECK_STR(info.key_management, "rsaEncryption");
        CHECK_EQ_INT(info.num_recipients, 2);
        CHECK(info.weak);
    }
    /* the CEK is the one OpenSSL gets from Bob's encryptedKey */
    walk = set;
    CHECK(cachet_cbs_get_asn1(&walk, &s_set, CACHET_ASN1_SET) &&
          cachet_cbs_get_asn1(&s_set, &ktri, CACHET_ASN1_SEQUENCE) &&
          cachet_cbs_get_asn1(&ktri, &skip, CACHET_ASN1_INTEGER) &&
          cachet_cbs_get_asn1(&ktri, &skip, CACHET_ASN1_SEQUENCE) &&
          cachet_cbs_get_asn1(&ktri, &skip, CACHET_ASN1_SEQUENCE) &&
          cachet_cbs_get_asn1(&ktri, &ek, CACHET_ASN1_OCTETSTRING));
    {
        const unsigned char *p = key_der;
        EVP_PKEY *ok = d2i_AutoPrivateKey(NULL, &p, (long)key_len);
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(ok, NULL);
        CHECK(EVP_PKEY_decrypt_init(pctx) == 1 &&
              EVP_PKEY_decrypt(pctx, want, &want_len, ek.data, ek.len) == 1);
        CHECK_MEM(cek, 5, want, want_len);
        EVP_PKEY_CTX_free(pctx);
        EVP_PKEY_free(ok);
    }
    /* the whole message: Bob (with the KEK too) opens it to ExContent; the
     * KEK alone stops at the RC2 key wrap before any content is written */
    for (int with_bob = 1; with_bob >= 0; with_bob--) {
        cachet_cms_policy weak = {.allow_weak = true};
        cachet_membuf pt = {0};
        cachet_sink sink = cachet_sink_membuf(&pt);
        cachet_layer_report rep;
        cachet_cms_decrypt *dec;
        cachet_status st;
        memset(&s, 0, sizeof(s));
        if (with_bob) {
            s.keys = (const cachet_pkey *const *)&key;
            s.certs = (const cachet_cert *const *)&cert;
            s.num_keys = 1;
        }
        s.keks = &kek;
        s.num_keks = 1;
        cachet_err_clear(&err);
        dec = cachet_cms_decrypt_new_secrets(&s, &weak, NULL, &sink, &err);
        CHECK(dec != NULL);
        st = cachet_cms_decrypt_update(dec, der, len, &err);
        if (st == CACHET_OK) {
            st = cachet_cms_decrypt_finish(dec, &rep, &err);
        }
        if (with_bob) {
            CHECK_EQ_INT(st, CACHET_OK);
            CHECK_MEM(pt.data, pt.len, "This is some sample content.", 28);
            CHECK_STR(rep.key_management, "rsaEncryption");
        } else {
            CHECK_EQ_INT(st, CACHET_ERR_UNSUPPORTED);
            CHECK_EQ_INT(pt.len, 0);
        }
        cachet_cms_decrypt_free(dec);
        cachet_membuf_free(&pt);
    }
    /* the KEK alone: the kekri is chosen, and RC2 key wrap is not supported */
    s = kek_secrets(&kek, 1);
    CHECK_EQ_INT(tr_recover(set.data, set.len, &s, true, NULL, cek, 5, &info, &err),
                 CACHET_ERR_UNSUPPORTED);
    CHECK(strstr(err.message, "RC2 key wrap") != NULL);
done:
    cachet_pkey_free(key);
    cachet_cert_free(cert);
    free(der);
    free(key_der);
    free(cert_der);
}

/* examples-cms encryptedKekri.p7m (CryptoSys): kekid "keyid", id-aes256-wrap,
 * AES-192-CBC content. Its KEK is not published, so this proves the parse,
 * the selection by id and the uniform failure with a KEK that is not it. */
static void examples_cms_encrypted_kekri_is_selected_by_id(void) {
    size_t len = 0;
    uint8_t *der =
        cachet_test_read_file(cachet_test_vector_path("examples-cms/encryptedKekri.p7m"), &len);
    cachet_cms_kek keyid = make_kek(32, "keyid"), other = make_kek(32, "other");
    cachet_cms_secrets s;
    cachet_env_recipient_info info;
    cachet_error err;
    cachet_cbs set, iv, ct;
    uint8_t cek[24];
    if (getenv("CACHET_VECTORS") == NULL || der == NULL) {
        fprintf(stderr, "SKIP: examples-cms vectors not available\n");
        free(der);
        return;
    }
    CHECK(tr_parts(der, len, &set, &iv, &ct));
    s = kek_secrets(&other, 1);
    CHECK_EQ_INT(tr_recover(set.data, set.len, &s, false, NULL, cek, 24, &info, &err),
                 CACHET_ERR_NO_RECIPIENT);
    CHECK(strstr(err.message, "6f74686572") != NULL || strstr(err.message, "6F74686572") != NULL);
    s = kek_secrets(&keyid, 1);
    tr_check_uniform(tr_recover(set.data, set.len, &s, false, NULL, cek, 24, &info, &err), &err);
    CHECK_STR(info.key_management, "kek-aes256-wrap");
    CHECK_EQ_INT(info.num_recipients, 1);
    free(der);
}

static const cachet_test_case tests[] = {
    TEST_CASE(kekri_round_trips_every_kek_and_cek_length_and_opens_in_openssl),
    TEST_CASE(kekri_is_written_as_rfc3565_says),
    TEST_CASE(kek_of_bad_length_or_shorter_than_the_cek_is_refused),
    TEST_CASE(wrong_kek_fails_uniformly),
    TEST_CASE(kekid_mismatch_is_no_recipient_and_the_kek_is_not_tried),
    TEST_CASE(kekid_date_and_other_do_not_take_part_in_matching),
    TEST_CASE(padded_aes_wrap_is_read),
    TEST_CASE(triple_des_wrap_is_legacy_and_read_only_with_allow_weak),
    TEST_CASE(malformed_unsupported_and_unknown_versions),
    TEST_CASE(openssl_kekri_opens_with_ours),
    TEST_CASE(openssl_command_line_kek_interop_both_ways),
    TEST_CASE(rfc4134_5_2_rc2_wrap_kekri_does_not_block_bob),
    TEST_CASE(examples_cms_encrypted_kekri_is_selected_by_id),
};
TEST_MAIN(tests)
