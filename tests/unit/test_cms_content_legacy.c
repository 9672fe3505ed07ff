/* The legacy ciphers we only read: OpenSSL's CMS writer (legacy provider) and
 * hand-made messages with every parameter form of RFC 3370 §5.1-5.2 / RFC 2268
 * (RC2), RFC 2984 (CAST5), RFC 3058 (IDEA), RFC 4010 (SEED), RFC 3657
 * (Camellia); refused without allow_weak, reported weak with it; malformed or
 * unknown RC2 parameter versions refused with a path, before any key use. */
#include "test_cms_content_util.h"

static test_party rsa;
static uint8_t msg[1000];
static const uint8_t key32[32] = {0x5a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
                                  0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                  0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};
static const uint8_t iv16[16] = {0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
                                 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f};
static const uint8_t zero_iv[16];

static void setup(void) {
    static bool done;
    uint32_t rng = 31;
    if (done) {
        return;
    }
    done = true;
    cd_legacy_providers();
    rsa = tu_party("rsa2048", "Legacy RSA", 4, NULL);
    for (size_t i = 0; i < sizeof(msg); i++) {
        msg[i] = (uint8_t)cachet_test_rand(&rng);
    }
}

static void openssl_legacy_messages_open_only_with_allow_weak(void) {
    static const struct {
        const char *evp;
        const char *report;
    } ciphers[] = {
        {"RC2-40-CBC", "rc2-40-cbc"},
        {"RC2-64-CBC", "rc2-64-cbc"},
        {"RC2-CBC", "rc2-128-cbc"},
        {"DES-CBC", "des-cbc"},
        {"DES-EDE3-CBC", "des-ede3-cbc"},
        {"CAST5-CBC", "cast5-cbc"},
        {"SEED-CBC", "seed-cbc"},
        {"CAMELLIA-128-CBC", "camellia-128-cbc"},
        {"CAMELLIA-192-CBC", "camellia-192-cbc"},
        {"CAMELLIA-256-CBC", "camellia-256-cbc"},
    };
    cachet_cms_policy weak = {.allow_weak = true};
    setup();
    for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
        const test_party *to[] = {&rsa};
        EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, ciphers[i].evp, NULL);
        size_t len = 0;
        uint8_t *ct =
            c != NULL ? tu_ossl_encrypt(to, 1, c, false, 0, msg, sizeof(msg), &len) : NULL;
        const cachet_pkey *k;
        const cachet_cert *cc;
        cachet_cms_secrets s = cd_secrets_for(&rsa, &k, &cc);
        cachet_membuf pt = {0};
        cachet_layer_report rep;
        cachet_error err;
        char want[96];
        CHECK(ct != NULL);
        if (ct == NULL) {
            fprintf(stderr, "  OpenSSL could not write %s\n", ciphers[i].evp);
            EVP_CIPHER_free(c);
            continue;
        }
        CHECK_EQ_INT(cd_decrypt(&s, NULL, NULL, ct, len, FEED_RANDOM, &pt, NULL, &err),
                     CACHET_ERR_POLICY);
        snprintf(want, sizeof(want), "%s is a legacy cipher: use --allow-legacy",
                 strncmp(ciphers[i].report, "rc2", 3) == 0 ? "rc2-cbc" : ciphers[i].report);
        CHECK_STR(err.message, want);
        CHECK_EQ_INT(pt.len, 0);
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf_free(&pt);
            CHECK_EQ_INT(cd_decrypt(&s, &weak, NULL, ct, len, (feed_mode)mode, &pt, &rep, &err),
                         CACHET_OK);
            CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
            CHECK_STR(rep.cipher, ciphers[i].report);
            CHECK_EQ_INT(rep.weak, true);
            CHECK_EQ_INT(rep.authenticated, false);
            CHECK_EQ_INT(rep.type, CACHET_LAYER_ENVELOPED);
        }
        cachet_membuf_free(&pt);
        free(ct);
        EVP_CIPHER_free(c);
    }
}

typedef struct form {
    const char *what;
    const char *evp; /* the OpenSSL cipher that encrypts the content */
    cachet_oid oid;
    uint8_t params[40]; /* DER parameters, written as is */
    size_t params_len;
    size_t key_len;    /* the CEK (5 for RC2/40) */
    unsigned rc2_bits; /* RC2 effective bits */
    const uint8_t *iv; /* the IV the parameters stand for */
    const char *report;
} form;

/* IV helpers: 04 08 <8 bytes of iv16>. */
#define IV8 0x04, 0x08, 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87
#define IV16                                                                                       \
    0x04, 0x10, 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c,      \
        0x2d, 0x1e, 0x0f

static const form forms[] = {
    {"RC2 version 160 = 40 bits",
     "RC2-CBC",
     CACHET_OID_RC2_CBC,
     {0x30, 0x0e, 0x02, 0x02, 0x00, 0xa0, IV8},
     16,
     5,
     40,
     iv16,
     "rc2-40-cbc"},
    {"RC2 version 120 = 64 bits",
     "RC2-CBC",
     CACHET_OID_RC2_CBC,
     {0x30, 0x0d, 0x02, 0x01, 0x78, IV8},
     15,
     8,
     64,
     iv16,
     "rc2-64-cbc"},
    {"RC2 version 58 = 128 bits",
     "RC2-CBC",
     CACHET_OID_RC2_CBC,
     {0x30, 0x0d, 0x02, 0x01, 0x3a, IV8},
     15,
     16,
     128,
     iv16,
     "rc2-128-cbc"},
    {"RC2 version 256 = 256 bits",
     "RC2-CBC",
     CACHET_OID_RC2_CBC,
     {0x30, 0x0e, 0x02, 0x02, 0x01, 0x00, IV8},
     16,
     32,
     256,
     iv16,
     "rc2-256-cbc"},
    {"RC2 IV alone = 32 bits", "RC2-CBC", CACHET_OID_RC2_CBC, {IV8}, 10, 4, 32, iv16, "rc2-32-cbc"},
    {"RC2 SEQUENCE without version = 32 bits",
     "RC2-CBC",
     CACHET_OID_RC2_CBC,
     {0x30, 0x0a, IV8},
     12,
     4,
     32,
     iv16,
     "rc2-32-cbc"},
    {"CAST5 SEQUENCE iv, keyLength 40",
     "CAST5-CBC",
     CACHET_OID_CAST5_CBC,
     {0x30, 0x0d, IV8, 0x02, 0x01, 0x28},
     15,
     5,
     0,
     iv16,
     "cast5-cbc"},
    {"CAST5 keyLength 128, iv DEFAULT 0",
     "CAST5-CBC",
     CACHET_OID_CAST5_CBC,
     {0x30, 0x04, 0x02, 0x02, 0x00, 0x80},
     6,
     16,
     0,
     zero_iv,
     "cast5-cbc"},
    {"CAST5 IV alone (OpenSSL) = 128 bits",
     "CAST5-CBC",
     CACHET_OID_CAST5_CBC,
     {IV8},
     10,
     16,
     0,
     iv16,
     "cast5-cbc"},
    {"DES", "DES-CBC", CACHET_OID_DES_CBC, {IV8}, 10, 8, 0, iv16, "des-cbc"},
    {"3DES", "DES-EDE3-CBC", CACHET_OID_DES_EDE3_CBC, {IV8}, 10, 24, 0, iv16, "des-ede3-cbc"},
    {"SEED", "SEED-CBC", CACHET_OID_SEED_CBC, {IV16}, 18, 16, 0, iv16, "seed-cbc"},
    {"Camellia-128",
     "CAMELLIA-128-CBC",
     CACHET_OID_CAMELLIA128_CBC,
     {IV16},
     18,
     16,
     0,
     iv16,
     "camellia-128-cbc"},
    {"Camellia-192",
     "CAMELLIA-192-CBC",
     CACHET_OID_CAMELLIA192_CBC,
     {IV16},
     18,
     24,
     0,
     iv16,
     "camellia-192-cbc"},
    {"Camellia-256",
     "CAMELLIA-256-CBC",
     CACHET_OID_CAMELLIA256_CBC,
     {IV16},
     18,
     32,
     0,
     iv16,
     "camellia-256-cbc"},
    {"IDEA IDEA-CBCPar with iv",
     "IDEA-CBC",
     CACHET_OID_IDEA_CBC,
     {0x30, 0x0a, IV8},
     12,
     16,
     0,
     iv16,
     "idea-cbc"},
    {"IDEA IDEA-CBCPar without iv",
     "IDEA-CBC",
     CACHET_OID_IDEA_CBC,
     {0x30, 0x00},
     2,
     16,
     0,
     zero_iv,
     "idea-cbc"},
};

/* make_form: EnvelopedData to rsa (or EncryptedData when |encrypted|) whose
 * content OpenSSL encrypted as |f| says. Empty blob if OpenSSL lacks it. */
static cd_blob make_form(const form *f, bool encrypted) {
    uint8_t *ct = malloc(sizeof(msg) + 32);
    cd_msg m;
    cd_blob b = {NULL, 0};
    size_t block = strstr(f->evp, "SEED") != NULL || strstr(f->evp, "CAMELLIA") != NULL ? 16 : 8;
    EVP_CIPHER *probe = EVP_CIPHER_fetch(NULL, f->evp, NULL);
    if (probe == NULL) {
        free(ct);
        return b;
    }
    EVP_CIPHER_free(probe);
    memset(&m, 0, sizeof(m));
    m.outer = encrypted ? CACHET_OID_ENCRYPTED_DATA : CACHET_OID_ENVELOPED_DATA;
    m.to = encrypted ? NULL : &rsa;
    m.cek = key32;
    m.cek_len = f->key_len;
    m.alg = cd_alg(f->oid, f->params, f->params_len);
    m.ct = ct;
    m.ct_len = cd_evp(f->evp, key32, f->key_len, f->iv, block, f->rc2_bits, NULL, 0, msg,
                      sizeof(msg), ct, NULL, 0);
    CHECK(m.ct_len > 0);
    b = cd_build(&m);
    cd_blob_free(&m.alg);
    free(ct);
    return b;
}

static void every_legacy_parameter_form_decrypts_with_its_key_length(void) {
    cachet_cms_policy weak = {.allow_weak = true};
    setup();
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        for (int encrypted = 0; encrypted <= 1; encrypted++) {
            cd_blob b = make_form(&forms[i], encrypted != 0);
            const cachet_pkey *k;
            const cachet_cert *c;
            cachet_cms_secrets s = cd_secrets_for(&rsa, &k, &c);
            cachet_membuf pt = {0};
            cachet_layer_report rep;
            cachet_error err;
            cachet_status st;
            if (encrypted) {
                memset(&s, 0, sizeof(s));
                s.content_key = key32;
                s.content_key_len = forms[i].key_len;
            }
            if (b.data == NULL) {
                /* OpenSSL here lacks it (IDEA on Debian): our message says so,
                 * before the key is used. Build one with random bytes instead. */
                cd_msg m;
                memset(&m, 0, sizeof(m));
                m.outer = encrypted ? CACHET_OID_ENCRYPTED_DATA : CACHET_OID_ENVELOPED_DATA;
                m.to = encrypted ? NULL : &rsa;
                m.cek = key32;
                m.cek_len = forms[i].key_len;
                m.alg = cd_alg(forms[i].oid, forms[i].params, forms[i].params_len);
                m.ct = msg;
                m.ct_len = 64;
                b = cd_build(&m);
                cd_blob_free(&m.alg);
                CHECK_EQ_INT(
                    cd_decrypt(&s, &weak, NULL, b.data, b.len, FEED_RANDOM, &pt, NULL, &err),
                    CACHET_ERR_UNSUPPORTED);
                CHECK_STR(err.where, "EncryptedContentInfo.contentEncryptionAlgorithm");
                CHECK_EQ_INT(pt.len, 0);
                fprintf(stderr, "  note: %s not in this OpenSSL: %s\n", forms[i].what, err.message);
                cachet_membuf_free(&pt);
                cd_blob_free(&b);
                continue;
            }
            CHECK_EQ_INT(cd_decrypt(&s, NULL, NULL, b.data, b.len, FEED_WHOLE, &pt, NULL, &err),
                         CACHET_ERR_POLICY);
            CHECK_EQ_INT(pt.len, 0);
            for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
                cachet_membuf_free(&pt);
                st = cd_decrypt(&s, &weak, NULL, b.data, b.len, (feed_mode)mode, &pt, &rep, &err);
                if (st != CACHET_OK) {
                    fprintf(stderr, "  %s (%s): %s\n", forms[i].what,
                            encrypted ? "EncryptedData" : "EnvelopedData", err.message);
                }
                CHECK_EQ_INT(st, CACHET_OK);
                CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
                CHECK_STR(rep.cipher, forms[i].report);
                CHECK_EQ_INT(rep.weak, true);
                CHECK_EQ_INT(rep.type, encrypted ? CACHET_LAYER_ENCRYPTED : CACHET_LAYER_ENVELOPED);
            }
            cachet_membuf_free(&pt);
            /* EncryptedData: a key one byte short is the uniform failure. */
            if (encrypted) {
                s.content_key_len = forms[i].key_len - 1;
                CHECK(cd_is_uniform(
                    cd_decrypt(&s, &weak, NULL, b.data, b.len, FEED_BYTES, &pt, NULL, &err), &err));
                CHECK_EQ_INT(pt.len, 0);
            }
            cd_blob_free(&b);
        }
    }
}

/* RC2 parameter versions outside 160/120/58/256..: refused before the key is
 * used, with the ASN.1 path; also other malformed legacy parameters. */
static void bad_legacy_parameters_are_refused_with_a_path(void) {
    static const struct {
        const char *what;
        cachet_oid oid;
        uint8_t params[24];
        size_t len;
        cachet_status want;
        const char *where;
    } bad[] = {
        {"RC2 version 0",
         CACHET_OID_RC2_CBC,
         {0x30, 0x0d, 0x02, 0x01, 0x00, IV8},
         15,
         CACHET_ERR_UNSUPPORTED,
         "EncryptedContentInfo.contentEncryptionAlgorithm.parameters.rc2ParameterVersion"},
        {"RC2 version 100",
         CACHET_OID_RC2_CBC,
         {0x30, 0x0d, 0x02, 0x01, 0x64, IV8},
         15,
         CACHET_ERR_UNSUPPORTED,
         "EncryptedContentInfo.contentEncryptionAlgorithm.parameters.rc2ParameterVersion"},
        {"RC2 version 1025",
         CACHET_OID_RC2_CBC,
         {0x30, 0x0e, 0x02, 0x02, 0x04, 0x01, IV8},
         16,
         CACHET_ERR_UNSUPPORTED,
         "EncryptedContentInfo.contentEncryptionAlgorithm.parameters.rc2ParameterVersion"},
        {"RC2 version 300 (not whole bytes)",
         CACHET_OID_RC2_CBC,
         {0x30, 0x0e, 0x02, 0x02, 0x01, 0x2c, IV8},
         16,
         CACHET_ERR_UNSUPPORTED,
         "EncryptedContentInfo.contentEncryptionAlgorithm.parameters.rc2ParameterVersion"},
        {"RC2 version 512 (a 64-byte key)",
         CACHET_OID_RC2_CBC,
         {0x30, 0x0e, 0x02, 0x02, 0x02, 0x00, IV8},
         16,
         CACHET_ERR_UNSUPPORTED,
         "EncryptedContentInfo.contentEncryptionAlgorithm.parameters.rc2ParameterVersion"},
        {"RC2 version -96",
         CACHET_OID_RC2_CBC,
         {0x30, 0x0d, 0x02, 0x01, 0xa0, IV8},
         15,
         CACHET_ERR_MALFORMED,
         "EncryptedContentInfo.contentEncryptionAlgorithm"},
        {"RC2 IV of 7 bytes",
         CACHET_OID_RC2_CBC,
         {0x30, 0x0c, 0x02, 0x01, 0x3a, 0x04, 0x07, 1, 2, 3, 4, 5, 6, 7},
         14,
         CACHET_ERR_MALFORMED,
         "EncryptedContentInfo.contentEncryptionAlgorithm"},
        {"RC2 version after the IV",
         CACHET_OID_RC2_CBC,
         {0x30, 0x0d, IV8, 0x02, 0x01, 0x3a},
         15,
         CACHET_ERR_MALFORMED,
         "EncryptedContentInfo.contentEncryptionAlgorithm"},
        {"RC2 parameters absent",
         CACHET_OID_RC2_CBC,
         {0},
         0,
         CACHET_ERR_MALFORMED,
         "EncryptedContentInfo.contentEncryptionAlgorithm"},
        {"CAST5 keyLength 32",
         CACHET_OID_CAST5_CBC,
         {0x30, 0x03, 0x02, 0x01, 0x20},
         5,
         CACHET_ERR_UNSUPPORTED,
         "EncryptedContentInfo.contentEncryptionAlgorithm.parameters."
         "keyLength"},
        {"CAST5 keyLength 136",
         CACHET_OID_CAST5_CBC,
         {0x30, 0x04, 0x02, 0x02, 0x00, 0x88},
         6,
         CACHET_ERR_UNSUPPORTED,
         "EncryptedContentInfo.contentEncryptionAlgorithm.parameters."
         "keyLength"},
        {"CAST5 without keyLength",
         CACHET_OID_CAST5_CBC,
         {0x30, 0x0a, IV8},
         12,
         CACHET_ERR_MALFORMED,
         "EncryptedContentInfo.contentEncryptionAlgorithm"},
        {"SEED IV of 8 bytes",
         CACHET_OID_SEED_CBC,
         {IV8},
         10,
         CACHET_ERR_MALFORMED,
         "EncryptedContentInfo.contentEncryptionAlgorithm"},
        {"DES IV as NULL",
         CACHET_OID_DES_CBC,
         {0x05, 0x00},
         2,
         CACHET_ERR_MALFORMED,
         "EncryptedContentInfo.contentEncryptionAlgorithm"},
    };
    cachet_cms_policy weak = {.allow_weak = true};
    setup();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cd_msg m;
        cd_blob b;
        const cachet_pkey *k;
        const cachet_cert *c;
        cachet_cms_secrets s = cd_secrets_for(&rsa, &k, &c);
        cachet_membuf pt = {0};
        cachet_error err;
        cachet_status st;
        memset(&m, 0, sizeof(m));
        m.outer = CACHET_OID_ENVELOPED_DATA;
        m.to = &rsa;
        m.cek = key32;
        m.cek_len = 16;
        m.alg = cd_alg(bad[i].oid, bad[i].params, bad[i].len);
        m.ct = msg;
        m.ct_len = 64;
        b = cd_build(&m);
        st = cd_decrypt(&s, &weak, NULL, b.data, b.len, FEED_RANDOM, &pt, NULL, &err);
        if (st != bad[i].want || strcmp(err.where, bad[i].where) != 0) {
            fprintf(stderr, "  %s: %d %s (%s)\n", bad[i].what, (int)st, err.message, err.where);
        }
        CHECK_EQ_INT(st, bad[i].want);
        CHECK_STR(err.where, bad[i].where);
        CHECK_EQ_INT(pt.len, 0);
        /* Without allow_weak the policy speaks first, whatever the parameters. */
        CHECK_EQ_INT(cd_decrypt(&s, NULL, NULL, b.data, b.len, FEED_WHOLE, &pt, NULL, &err),
                     CACHET_ERR_POLICY);
        cd_blob_free(&m.alg);
        cd_blob_free(&b);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(openssl_legacy_messages_open_only_with_allow_weak),
    TEST_CASE(every_legacy_parameter_form_decrypts_with_its_key_length),
    TEST_CASE(bad_legacy_parameters_are_refused_with_a_path),
};

TEST_MAIN(tests)
