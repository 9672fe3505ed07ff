/* Every content-encryption algorithm we write, through our writer and reader in
 * every feed mode; the parameters and version numbers written (RFC 3565 §4.1,
 * RFC 5084 §3, RFC 8103 §3, RFC 5652 §6.1 and §8, RFC 5083 §2.1); EncryptedData
 * both ways, checked against OpenSSL; KEK and password recipients; the usage
 * errors of inconsistent options; the AES-CCM size limit. */
#include "test_cms_content_util.h"

static test_party rsa;
static uint8_t msg[3000];

static void setup(void) {
    static bool done;
    uint32_t rng = 99;
    if (done) {
        return;
    }
    done = true;
    rsa = tu_party("rsa2048", "Content RSA", 1, NULL);
    for (size_t i = 0; i < sizeof(msg); i++) {
        msg[i] = (uint8_t)cachet_test_rand(&rng);
    }
}

static const struct {
    cachet_cipher cipher;
    const char *name;
    bool auth;
} written[] = {
    {CACHET_CIPHER_AES128_CBC, "aes-128-cbc", false},
    {CACHET_CIPHER_AES192_CBC, "aes-192-cbc", false},
    {CACHET_CIPHER_AES256_CBC, "aes-256-cbc", false},
    {CACHET_CIPHER_AES128_GCM, "aes-128-gcm", true},
    {CACHET_CIPHER_AES192_GCM, "aes-192-gcm", true},
    {CACHET_CIPHER_AES256_GCM, "aes-256-gcm", true},
    {CACHET_CIPHER_AES128_CCM, "aes-128-ccm", true},
    {CACHET_CIPHER_AES192_CCM, "aes-192-ccm", true},
    {CACHET_CIPHER_AES256_CCM, "aes-256-ccm", true},
    {CACHET_CIPHER_CHACHA20_POLY1305, "chacha20-poly1305", true},
};

#define NUM_WRITTEN (sizeof(written) / sizeof(written[0]))

/* der_of normalises our BER output. */
static cd_blob der_of(const cachet_membuf *ber) {
    cd_blob b = {NULL, 0};
    uint8_t *der = NULL;
    size_t len = 0;
    CHECK_EQ_INT(cachet_ber_to_der(ber->data, ber->len, NULL, &der, &len, NULL), CACHET_OK);
    if (der != NULL) {
        b.data = malloc(len);
        memcpy(b.data, der, len);
        b.len = len;
        cachet_free(der);
    }
    return b;
}

typedef struct parsed {
    cachet_oid outer;
    uint64_t version;
    cachet_cbs alg; /* contentEncryptionAlgorithm contents (OID and parameters) */
    cachet_cbs mac;
} parsed;

/* parse_top reads ContentInfo -> content -> version, [ris], eci.alg, [mac]. */
static bool parse_top(const cd_blob *der, parsed *p) {
    cachet_cbs in, ci, ex, ed, skip, eci;
    cachet_cbs_init(&in, der->data, der->len);
    memset(p, 0, sizeof(*p));
    if (!cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&ci, &p->outer, NULL) ||
        !cachet_cbs_get_asn1(&ci, &ex, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&ex, &ed, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1_uint64(&ed, &p->version)) {
        return false;
    }
    if (p->outer != CACHET_OID_ENCRYPTED_DATA &&
        !cachet_cbs_get_asn1(&ed, &skip, CACHET_ASN1_SET)) {
        return false;
    }
    if (!cachet_cbs_get_asn1(&ed, &eci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&eci, &skip, CACHET_ASN1_OBJECT) ||
        !cachet_cbs_get_asn1(&eci, &p->alg, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    if (p->outer == CACHET_OID_AUTH_ENVELOPED_DATA &&
        !cachet_cbs_get_asn1(&ed, &p->mac, CACHET_ASN1_OCTETSTRING)) {
        return false;
    }
    return ed.len == 0;
}

/* The parameters each algorithm's RFC prescribes, with the lengths we chose:
 * CBC: the IV (16); GCM: nonce 12, ICV 16 written (not the DEFAULT 12); CCM:
 * nonce 7 (L = 8, RECOMMENDED), ICV 16; ChaCha20-Poly1305: the bare 12-byte nonce. */
static void check_params(cachet_cipher c, cachet_cbs alg, const parsed *p) {
    cachet_cbs params, nonce;
    uint64_t icv = 0;
    cachet_oid oid;
    CHECK(cachet_cbs_get_oid(&alg, &oid, NULL));
    params = alg;
    switch (c) {
        case CACHET_CIPHER_AES128_CBC:
        case CACHET_CIPHER_AES192_CBC:
        case CACHET_CIPHER_AES256_CBC:
        case CACHET_CIPHER_CHACHA20_POLY1305:
            CHECK(cachet_cbs_get_asn1(&params, &nonce, CACHET_ASN1_OCTETSTRING));
            CHECK_EQ_INT(nonce.len, c == CACHET_CIPHER_CHACHA20_POLY1305 ? 12 : 16);
            CHECK_EQ_INT(params.len, 0);
            CHECK_EQ_INT(p->mac.len, c == CACHET_CIPHER_CHACHA20_POLY1305 ? 16 : 0);
            break;
        default: {
            cachet_cbs seq;
            bool ccm = c == CACHET_CIPHER_AES128_CCM || c == CACHET_CIPHER_AES192_CCM ||
                       c == CACHET_CIPHER_AES256_CCM;
            CHECK(cachet_cbs_get_asn1(&params, &seq, CACHET_ASN1_SEQUENCE));
            CHECK(cachet_cbs_get_asn1(&seq, &nonce, CACHET_ASN1_OCTETSTRING));
            CHECK(cachet_cbs_get_asn1_uint64(&seq, &icv));
            CHECK_EQ_INT(nonce.len, ccm ? 7 : 12);
            CHECK_EQ_INT(icv, 16);
            CHECK_EQ_INT(p->mac.len, 16);
            break;
        }
    }
}

static void every_written_cipher_round_trips_in_every_feed_mode(void) {
    setup();
    for (size_t i = 0; i < NUM_WRITTEN; i++) {
        for (int emode = FEED_WHOLE; emode <= FEED_RANDOM; emode++) {
            cachet_cert_list list = {0};
            cachet_cms_encrypt_opts opts;
            cachet_membuf ct = {0};
            cachet_error err;
            cd_blob der;
            parsed p;
            const cachet_pkey *k;
            const cachet_cert *c;
            cachet_cms_secrets s = cd_secrets_for(&rsa, &k, &c);
            memset(&opts, 0, sizeof(opts));
            cachet_cert_list_push(&list, rsa.cert);
            opts.recipients = &list;
            opts.cipher = written[i].cipher;
            CHECK_EQ_INT(tu_encrypt(&opts, msg, sizeof(msg), (feed_mode)emode, &ct, &err),
                         CACHET_OK);
            der = der_of(&ct);
            CHECK(parse_top(&der, &p));
            CHECK_EQ_INT(p.outer, written[i].auth ? CACHET_OID_AUTH_ENVELOPED_DATA
                                                  : CACHET_OID_ENVELOPED_DATA);
            CHECK_EQ_INT(p.version, 0);
            check_params(written[i].cipher, p.alg, &p);
            for (int dmode = FEED_WHOLE; dmode <= FEED_RANDOM; dmode++) {
                cachet_membuf pt = {0};
                cachet_layer_report rep;
                CHECK_EQ_INT(
                    cd_decrypt(&s, NULL, NULL, ct.data, ct.len, (feed_mode)dmode, &pt, &rep, &err),
                    CACHET_OK);
                CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
                CHECK_EQ_INT(rep.type, written[i].auth ? CACHET_LAYER_AUTH_ENVELOPED
                                                       : CACHET_LAYER_ENVELOPED);
                CHECK_STR(rep.cipher, written[i].name);
                CHECK_EQ_INT(rep.authenticated, written[i].auth);
                CHECK_EQ_INT(rep.weak, false);
                CHECK_STR(rep.key_management, "rsaEncryption");
                CHECK_EQ_INT(rep.num_recipients, 1);
                CHECK_STR(rep.content_type, "id-data");
                cachet_membuf_free(&pt);
            }
            cd_blob_free(&der);
            cachet_membuf_free(&ct);
            cachet_cert_list_clear(&list);
        }
    }
}

static void empty_content_round_trips(void) {
    setup();
    for (size_t i = 0; i < NUM_WRITTEN; i++) {
        cachet_cert_list list = {0};
        cachet_cms_encrypt_opts opts;
        cachet_membuf ct = {0}, pt = {0};
        cachet_error err;
        const cachet_pkey *k;
        const cachet_cert *c;
        cachet_cms_secrets s = cd_secrets_for(&rsa, &k, &c);
        memset(&opts, 0, sizeof(opts));
        cachet_cert_list_push(&list, rsa.cert);
        opts.recipients = &list;
        opts.cipher = written[i].cipher;
        CHECK_EQ_INT(tu_encrypt(&opts, msg, 0, FEED_WHOLE, &ct, &err), CACHET_OK);
        CHECK_EQ_INT(cd_decrypt(&s, NULL, NULL, ct.data, ct.len, FEED_BYTES, &pt, NULL, &err),
                     CACHET_OK);
        CHECK_EQ_INT(pt.len, 0);
        cachet_membuf_free(&pt);
        cachet_membuf_free(&ct);
        cachet_cert_list_clear(&list);
    }
}

/* OpenSSL's CMS_EncryptedData_decrypt is the oracle for what we write. */
static uint8_t *ossl_encrypted_data_decrypt(const cachet_membuf *ct, const uint8_t *key,
                                            size_t key_len, size_t *out_len) {
    BIO *in = BIO_new_mem_buf(ct->data, (int)ct->len), *out = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms = d2i_CMS_bio(in, NULL);
    uint8_t *res = NULL;
    if (cms != NULL && CMS_EncryptedData_decrypt(cms, key, key_len, NULL, out, CMS_BINARY) == 1) {
        char *data;
        long n = BIO_get_mem_data(out, &data);
        res = malloc((size_t)n + 1);
        memcpy(res, data, (size_t)n);
        *out_len = (size_t)n;
    }
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(out);
    return res;
}

static void encrypted_data_round_trips_and_opens_in_openssl(void) {
    static const uint8_t key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    static const char *names[] = {"aes-128-cbc", "aes-192-cbc", "aes-256-cbc"};
    setup();
    for (size_t kl = 16; kl <= 32; kl += 8) {
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_cms_encrypt_opts opts;
            cachet_cms_secrets s;
            cachet_membuf ct = {0}, pt = {0};
            cachet_layer_report rep;
            cachet_error err;
            size_t olen = 0;
            uint8_t *ossl;
            cd_blob der;
            parsed p;
            memset(&opts, 0, sizeof(opts));
            memset(&s, 0, sizeof(s));
            opts.content_key = key;
            opts.content_key_len = kl;
            CHECK_EQ_INT(tu_encrypt(&opts, msg, sizeof(msg), (feed_mode)mode, &ct, &err),
                         CACHET_OK);
            der = der_of(&ct);
            CHECK(parse_top(&der, &p));
            CHECK_EQ_INT(p.outer, CACHET_OID_ENCRYPTED_DATA);
            CHECK_EQ_INT(p.version, 0);
            check_params(CACHET_CIPHER_AES128_CBC + (cachet_cipher)((kl - 16) / 8), p.alg, &p);
            ossl = ossl_encrypted_data_decrypt(&ct, key, kl, &olen);
            CHECK(ossl != NULL);
            if (ossl != NULL) {
                CHECK_MEM(ossl, olen, msg, sizeof(msg));
            }
            free(ossl);
            s.content_key = key;
            s.content_key_len = kl;
            CHECK_EQ_INT(
                cd_decrypt(&s, NULL, NULL, ct.data, ct.len, (feed_mode)mode, &pt, &rep, &err),
                CACHET_OK);
            CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
            CHECK_EQ_INT(rep.type, CACHET_LAYER_ENCRYPTED);
            CHECK_STR(rep.cipher, names[(kl - 16) / 8]);
            CHECK_STR(rep.key_management, "");
            CHECK_EQ_INT(rep.num_recipients, 0);
            CHECK_EQ_INT(rep.authenticated, false);
            cachet_membuf_free(&pt);
            /* A key of another length: the uniform failure, nothing released. */
            s.content_key_len = kl == 16 ? 32 : 16;
            CHECK(cd_is_uniform(
                cd_decrypt(&s, NULL, NULL, ct.data, ct.len, FEED_WHOLE, &pt, NULL, &err), &err));
            CHECK_EQ_INT(pt.len, 0);
            /* No content key at all (only a certificate key): no recipient. */
            {
                const cachet_pkey *k;
                const cachet_cert *c;
                cachet_cms_secrets only_cert = cd_secrets_for(&rsa, &k, &c);
                CHECK_EQ_INT(cd_decrypt(&only_cert, NULL, NULL, ct.data, ct.len, FEED_RANDOM, &pt,
                                        NULL, &err),
                             CACHET_ERR_NO_RECIPIENT);
                CHECK_STR(err.message, "EncryptedData needs the content key (--secret-key)");
                CHECK_EQ_INT(pt.len, 0);
            }
            cachet_membuf_free(&pt);
            cachet_membuf_free(&ct);
            cd_blob_free(&der);
        }
    }
}

/* OpenSSL writes EncryptedData too; we read it. */
static void openssl_encrypted_data_is_read(void) {
    static const uint8_t key[24] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    BIO *in, *out = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms;
    cachet_cms_secrets s;
    cachet_membuf pt = {0};
    cachet_layer_report rep;
    cachet_error err;
    char *der;
    long n;
    setup();
    in = BIO_new_mem_buf(msg, (int)sizeof(msg));
    cms = CMS_EncryptedData_encrypt(in, EVP_aes_192_cbc(), key, sizeof(key), CMS_BINARY);
    CHECK(cms != NULL && i2d_CMS_bio(out, cms) == 1);
    n = BIO_get_mem_data(out, &der);
    memset(&s, 0, sizeof(s));
    s.content_key = key;
    s.content_key_len = sizeof(key);
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        CHECK_EQ_INT(cd_decrypt(&s, NULL, NULL, (const uint8_t *)der, (size_t)n, (feed_mode)mode,
                                &pt, &rep, &err),
                     CACHET_OK);
        CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
        CHECK_STR(rep.cipher, "aes-192-cbc");
        cachet_membuf_free(&pt);
    }
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(out);
}

/* RFC 5652 §6.1 versions: kekri alone 2, pwri 3 (also beside a ktri); RFC 5083
 * §2.1: AuthEnvelopedData 0 whatever the RecipientInfos. */
static void kek_and_password_recipients_round_trip_with_rfc_versions(void) {
    static const uint8_t kek_key[32] = {0x42, 1, 2, 3};
    static const uint8_t kek_id[] = {'k', 'e', 'k', '1'};
    static const uint8_t pass[] = "correct horse";
    cachet_cms_kek kek = {kek_key, sizeof(kek_key), kek_id, sizeof(kek_id)};
    cachet_cms_password pw = {pass, sizeof(pass) - 1};
    const struct {
        bool cert, kek, pwd;
        cachet_cipher cipher;
        unsigned version;
    } cases[] = {
        {false, true, false, CACHET_CIPHER_AES256_CBC, 2},
        {false, false, true, CACHET_CIPHER_AES128_CBC, 3},
        {true, true, true, CACHET_CIPHER_AES192_CBC, 3},
        {true, true, false, CACHET_CIPHER_AES256_CBC, 2},
        {false, true, false, CACHET_CIPHER_AES256_GCM, 0},
        {false, false, true, CACHET_CIPHER_AES128_CCM, 0},
        {false, true, true, CACHET_CIPHER_CHACHA20_POLY1305, 0},
    };
    setup();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cert_list list = {0};
        cachet_cms_encrypt_opts opts;
        cachet_membuf ct = {0};
        cachet_error err;
        cd_blob der;
        parsed p;
        memset(&opts, 0, sizeof(opts));
        if (cases[i].cert) {
            cachet_cert_list_push(&list, rsa.cert);
            opts.recipients = &list;
        }
        if (cases[i].kek) {
            opts.keks = &kek;
            opts.num_keks = 1;
        }
        if (cases[i].pwd) {
            opts.passwords = &pw;
            opts.num_passwords = 1;
        }
        opts.pbkdf2_iterations = 1000;
        opts.cipher = cases[i].cipher;
        CHECK_EQ_INT(tu_encrypt(&opts, msg, sizeof(msg), FEED_RANDOM, &ct, &err), CACHET_OK);
        der = der_of(&ct);
        CHECK(parse_top(&der, &p));
        CHECK_EQ_INT(p.version, cases[i].version);
        /* Each secret alone opens it. */
        for (int which = 0; which < 3; which++) {
            cachet_cms_secrets s;
            cachet_membuf pt = {0};
            const cachet_pkey *k;
            const cachet_cert *c;
            bool has = which == 0 ? cases[i].cert : which == 1 ? cases[i].kek : cases[i].pwd;
            if (!has) {
                continue;
            }
            if (which == 0) {
                s = cd_secrets_for(&rsa, &k, &c);
            } else {
                memset(&s, 0, sizeof(s));
                if (which == 1) {
                    s.keks = &kek;
                    s.num_keks = 1;
                } else {
                    s.password = &pw;
                }
            }
            CHECK_EQ_INT(cd_decrypt(&s, NULL, NULL, ct.data, ct.len, FEED_RANDOM, &pt, NULL, &err),
                         CACHET_OK);
            CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
            cachet_membuf_free(&pt);
        }
        cd_blob_free(&der);
        cachet_membuf_free(&ct);
        cachet_cert_list_clear(&list);
    }
}

static void inconsistent_options_are_usage_errors(void) {
    static const uint8_t key[32] = {7};
    cachet_cms_kek kek = {key, 16, key, 4};
    cachet_cert_list list = {0};
    setup();
    cachet_cert_list_push(&list, rsa.cert);
    const struct {
        const char *what;
        bool recipients, kek;
        const uint8_t *content_key;
        size_t content_key_len;
        cachet_cipher cipher;
        cachet_oid inner;
    } cases[] = {
        {"nothing to encrypt to", false, false, NULL, 0, CACHET_CIPHER_NONE, CACHET_OID_UNKNOWN},
        {"recipients and a content key", true, false, key, 32, CACHET_CIPHER_NONE,
         CACHET_OID_UNKNOWN},
        {"a KEK and a content key", false, true, key, 16, CACHET_CIPHER_NONE, CACHET_OID_UNKNOWN},
        {"a 20-byte content key", false, false, key, 20, CACHET_CIPHER_NONE, CACHET_OID_UNKNOWN},
        {"a content key of the wrong size for the cipher", false, false, key, 16,
         CACHET_CIPHER_AES256_CBC, CACHET_OID_UNKNOWN},
        {"EncryptedData with GCM", false, false, key, 32, CACHET_CIPHER_AES256_GCM,
         CACHET_OID_UNKNOWN},
        {"a length without a content key", false, false, NULL, 16, CACHET_CIPHER_NONE,
         CACHET_OID_UNKNOWN},
        {"writing 3DES", true, false, NULL, 0, CACHET_CIPHER_DES_EDE3_CBC, CACHET_OID_UNKNOWN},
        {"writing RC2", true, false, NULL, 0, CACHET_CIPHER_RC2_CBC, CACHET_OID_UNKNOWN},
        {"writing Camellia", true, false, NULL, 0, CACHET_CIPHER_CAMELLIA128_CBC,
         CACHET_OID_UNKNOWN},
        {"AEAD around signedData without authAttrs", true, false, NULL, 0, CACHET_CIPHER_AES128_CCM,
         CACHET_OID_SIGNED_DATA},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cms_encrypt_opts opts;
        cachet_membuf out = {0};
        cachet_error err;
        memset(&opts, 0, sizeof(opts));
        opts.recipients = cases[i].recipients ? &list : NULL;
        opts.keks = cases[i].kek ? &kek : NULL;
        opts.num_keks = cases[i].kek ? 1 : 0;
        opts.content_key = cases[i].content_key;
        opts.content_key_len = cases[i].content_key_len;
        opts.cipher = cases[i].cipher;
        opts.content_type = cases[i].inner;
        cachet_err_clear(&err);
        if (tu_encrypt(&opts, msg, 10, FEED_WHOLE, &out, &err) != CACHET_ERR_USAGE) {
            fprintf(stderr, "  case: %s\n", cases[i].what);
            CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
        }
        /* Refused before a single byte is written. */
        CHECK_EQ_INT(out.len, 0);
        cachet_membuf_free(&out);
    }
    cachet_cert_list_clear(&list);
}

/* EncryptedData may carry any inner content type (no authAttrs rule there). */
static void encrypted_data_carries_its_inner_content_type(void) {
    static const uint8_t key[16] = {3};
    cachet_cms_encrypt_opts opts;
    cachet_cms_secrets s;
    cachet_membuf ct = {0}, pt = {0};
    cachet_layer_report rep;
    cachet_error err;
    memset(&opts, 0, sizeof(opts));
    memset(&s, 0, sizeof(s));
    opts.content_key = key;
    opts.content_key_len = sizeof(key);
    opts.content_type = CACHET_OID_SIGNED_DATA;
    setup();
    CHECK_EQ_INT(tu_encrypt(&opts, msg, 100, FEED_WHOLE, &ct, &err), CACHET_OK);
    s.content_key = key;
    s.content_key_len = sizeof(key);
    CHECK_EQ_INT(cd_decrypt(&s, NULL, NULL, ct.data, ct.len, FEED_BYTES, &pt, &rep, &err),
                 CACHET_OK);
    CHECK_STR(rep.content_type, "id-signedData");
    cachet_membuf_free(&ct);
    cachet_membuf_free(&pt);
}

/* The writer holds AES-CCM plaintext up to max_ccm_content (64 MiB by default). */
static void ccm_writer_refuses_content_past_the_limit(void) {
    cachet_cms_limits lim;
    cachet_cert_list list = {0};
    cachet_cms_encrypt_opts opts;
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_cms_encrypt *enc;
    cachet_error err;
    size_t chunk = 1u << 20;
    uint8_t *zeros = calloc(1, chunk);
    cachet_status st = CACHET_OK;
    setup();
    cachet_cms_limits_default(&lim);
    memset(&opts, 0, sizeof(opts));
    cachet_cert_list_push(&list, rsa.cert);
    opts.recipients = &list;
    opts.cipher = CACHET_CIPHER_AES256_CCM;
    cachet_err_clear(&err);
    enc = cachet_cms_encrypt_new(&opts, &sink, &err);
    CHECK(enc != NULL);
    for (size_t done = 0; enc != NULL && st == CACHET_OK && done < lim.max_ccm_content;
         done += chunk) {
        st = cachet_cms_encrypt_update(enc, zeros, chunk, &err);
    }
    CHECK_EQ_INT(st, CACHET_OK);
    if (enc != NULL) {
        CHECK_EQ_INT(cachet_cms_encrypt_update(enc, zeros, 1, &err), CACHET_ERR_LIMIT);
        CHECK(strstr(err.message, "AES-CCM content larger than") != NULL);
        /* Sticky. */
        CHECK_EQ_INT(cachet_cms_encrypt_finish(enc, &err), CACHET_ERR_LIMIT);
    }
    cachet_cms_encrypt_free(enc);
    cachet_membuf_free(&out);
    cachet_cert_list_clear(&list);
    free(zeros);
}

/* cachet_cms_decrypt_new_secrets refuses, as cachet_cms_decrypt_new does, a key
 * that is not its certificate's, and incomplete secrets. */
static void secrets_that_cannot_work_are_usage_errors(void) {
    test_party other;
    const cachet_pkey *keys[2];
    const cachet_cert *certs[2];
    cachet_cms_secrets s;
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_error err;
    setup();
    other = tu_party("P-256", "Other", 9, NULL);
    keys[0] = rsa.key;
    certs[0] = rsa.cert;
    keys[1] = rsa.key; /* not other's key */
    certs[1] = other.cert;
    memset(&s, 0, sizeof(s));
    s.keys = keys;
    s.certs = certs;
    s.num_keys = 2;
    cachet_err_clear(&err);
    CHECK(cachet_cms_decrypt_new_secrets(&s, NULL, NULL, &sink, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    CHECK_STR(err.message, "the private key does not belong to the certificate");
    s.num_keys = 1;
    s.num_keks = 1; /* but no keks */
    cachet_err_clear(&err);
    CHECK(cachet_cms_decrypt_new_secrets(&s, NULL, NULL, &sink, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    s.num_keks = 0;
    cachet_err_clear(&err);
    CHECK(cachet_cms_decrypt_new_secrets(&s, NULL, NULL, NULL, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    {
        cachet_cms_decrypt *dec = cachet_cms_decrypt_new_secrets(&s, NULL, NULL, &sink, &err);
        CHECK(dec != NULL);
        cachet_cms_decrypt_free(dec);
    }
    tu_party_free(&other);
}

static const cachet_test_case tests[] = {
    TEST_CASE(secrets_that_cannot_work_are_usage_errors),
    TEST_CASE(every_written_cipher_round_trips_in_every_feed_mode),
    TEST_CASE(empty_content_round_trips),
    TEST_CASE(encrypted_data_round_trips_and_opens_in_openssl),
    TEST_CASE(openssl_encrypted_data_is_read),
    TEST_CASE(kek_and_password_recipients_round_trip_with_rfc_versions),
    TEST_CASE(inconsistent_options_are_usage_errors),
    TEST_CASE(encrypted_data_carries_its_inner_content_type),
    TEST_CASE(ccm_writer_refuses_content_past_the_limit),
};

TEST_MAIN(tests)
