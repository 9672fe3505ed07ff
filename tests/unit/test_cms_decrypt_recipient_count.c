/* Issue 8 item 5, ATTACKS BL-02, BL-03: the RecipientInfo is chosen by our
 * certificate, and the private key is used on that one only. Counted, not
 * inferred: our keys are external keys (cachet_pkey_new_external, the path a
 * PKCS#11 token takes) whose decrypt and derive callbacks count every private
 * key operation before doing it with the OpenSSL key. Also BL-05: malformed
 * RSAES-OAEP parameters are refused before the key is used (zero operations),
 * and the legal parameter forms (absent = SHA-1 defaults, mixed digests) open. */
#include "test_cms_recipients_util.h"
#include "test_cms_blob.h"

typedef struct counting {
    EVP_PKEY *ossl;          /* the real private key */
    const cachet_pkey *priv; /* the same as a cachet key (derive) */
    int decrypts, derives;
} counting;

static const EVP_MD *md_of(cachet_md md) {
    switch (md) {
        case CACHET_MD_SHA1:
            return EVP_sha1();
        case CACHET_MD_SHA384:
            return EVP_sha384();
        case CACHET_MD_SHA512:
            return EVP_sha512();
        default:
            return EVP_sha256();
    }
}

static bool count_decrypt(void *arg, const cachet_oaep_params *oaep, const uint8_t *in,
                          size_t in_len, cachet_membuf *out) {
    counting *c = arg;
    c->decrypts++;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(c->ossl, NULL);
    size_t n = 512;
    bool ok =
        pc != NULL && EVP_PKEY_decrypt_init(pc) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(pc, oaep ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING) == 1 &&
        (oaep == NULL || (EVP_PKEY_CTX_set_rsa_oaep_md(pc, md_of(oaep->md)) == 1 &&
                          EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md_of(oaep->mgf1_md)) == 1)) &&
        cachet_membuf_reserve(out, n) && EVP_PKEY_decrypt(pc, out->data, &n, in, in_len) == 1;
    out->len = ok ? n : 0;
    EVP_PKEY_CTX_free(pc);
    return ok;
}

static cachet_status count_derive(void *arg, const cachet_pkey *peer, cachet_membuf *secret,
                                  cachet_error *err) {
    counting *c = arg;
    c->derives++;
    return cachet_ecdh(c->priv, peer, secret, err);
}

static void no_free(void *arg) {
    (void)arg;
}

static const cachet_pkey_ops ops = {NULL, count_decrypt, count_derive, no_free};

static cachet_pkey *counted_key(const test_party *p, counting *c) {
    cachet_error err;
    cachet_pkey *pub = cachet_cert_pkey(p->cert);
    c->ossl = p->ossl_key;
    c->priv = p->key;
    c->decrypts = c->derives = 0;
    cachet_err_clear(&err);
    cachet_pkey *k = cachet_pkey_new_external(pub, &ops, c, &err);
    cachet_pkey_free(pub);
    CHECK(k != NULL);
    return k;
}

static test_party us, us_ec, other_rsa, others_ec[10];
static cachet_cert *other_certs[20];
static uint8_t msg[1500];

static void setup(void) {
    static bool done;
    uint32_t rng = 21;
    if (done) {
        return;
    }
    done = true;
    us = tu_party("rsa2048", "Recipient Us", 1, NULL);
    us_ec = tu_party("P-256", "Recipient Us", 2, NULL);
    other_rsa = tu_party("rsa2048", "Recipient Other", 3, NULL);
    for (size_t i = 0; i < 10; i++) {
        char cn[32];
        snprintf(cn, sizeof(cn), "EC Other %zu", i);
        others_ec[i] = tu_party("P-256", cn, (long)(100 + i), NULL);
    }
    /* Twenty RSA certificates over one other key: ten with our issuer name and
     * other serials (BL-03 "our issuer, wrong serial"), ten elsewhere. */
    for (size_t i = 0; i < 20; i++) {
        X509 *x = tu_make_cert(other_rsa.ossl_key, i < 10 ? "Recipient Us" : "Recipient Other",
                               (long)(1000 + i), NULL);
        other_certs[i] = tu_cachet_cert(x);
        X509_free(x);
    }
    for (size_t i = 0; i < sizeof(msg); i++) {
        msg[i] = (uint8_t)cachet_test_rand(&rng);
    }
}

/* A message to fifty other recipients - RSA by issuerAndSerialNumber and by
 * SKI, EC key agreement - with our certificate |ours| times at the end. */
static blob fifty_others_then_us(cachet_cipher cipher, size_t ours, bool oaep) {
    cachet_cert_list list = {0};
    for (size_t i = 0; i < 50; i++) {
        cachet_cert *c = i % 5 == 4 ? others_ec[(i / 5) % 10].cert : other_certs[i % 20];
        cachet_cert_list_push(&list, c);
    }
    for (size_t i = 0; i < ours; i++) {
        cachet_cert_list_push(&list, us.cert);
    }
    cachet_cms_encrypt_opts opts;
    cachet_membuf out = {0};
    cachet_error err;
    memset(&opts, 0, sizeof(opts));
    cachet_err_clear(&err);
    opts.recipients = &list;
    opts.cipher = cipher;
    opts.oaep = oaep;
    CHECK_EQ_INT(tu_encrypt(&opts, msg, sizeof(msg), FEED_WHOLE, &out, &err), CACHET_OK);
    cachet_cert_list_clear(&list);
    blob b = {out.data, out.len};
    return b;
}

typedef struct outcome {
    cachet_status st;
    cachet_error err;
    cachet_membuf pt;
    cachet_layer_report rep;
} outcome;

/* Decrypts with our RSA and EC keys, both counted. */
static outcome run(blob b, counting *rc, counting *ec) {
    outcome o;
    memset(&o, 0, sizeof(o));
    cachet_pkey *rk = counted_key(&us, rc), *ek = counted_key(&us_ec, ec);
    const cachet_pkey *keys[2] = {rk, ek};
    const cachet_cert *certs[2] = {us.cert, us_ec.cert};
    cachet_cms_secrets s = {.keys = keys, .certs = certs, .num_keys = 2};
    cachet_err_clear(&o.err);
    o.st = tu_decrypt_secrets(&s, NULL, NULL, b.data, b.len, FEED_RANDOM, 5, &o.pt, &o.rep, &o.err);
    cachet_pkey_free(rk);
    cachet_pkey_free(ek);
    return o;
}

static void fifty_other_recipients_cost_one_private_key_operation(void) {
    setup();
    const cachet_cipher ciphers[] = {CACHET_CIPHER_AES256_GCM, CACHET_CIPHER_AES128_CBC};
    for (size_t c = 0; c < 2; c++) {
        for (int oaep = 0; oaep <= 1; oaep++) {
            counting rc, ec;
            blob b = fifty_others_then_us(ciphers[c], 1, oaep);
            outcome o = run(b, &rc, &ec);
            CHECK_EQ_INT(o.st, CACHET_OK);
            CHECK_MEM(o.pt.data, o.pt.len, msg, sizeof(msg));
            CHECK_EQ_INT(o.rep.num_recipients, 51);
            CHECK_STR(o.rep.key_management, oaep ? "rsaes-oaep" : "rsaEncryption");
            CHECK_EQ_INT(rc.decrypts, 1);
            CHECK_EQ_INT(ec.derives, 0); /* ten kari for other EC certificates */
            cachet_membuf_free(&o.pt);
            free(b.data);
        }
    }
}

static void no_recipient_for_us_uses_no_private_key(void) {
    setup();
    counting rc, ec;
    blob b = fifty_others_then_us(CACHET_CIPHER_AES256_GCM, 0, false);
    outcome o = run(b, &rc, &ec);
    CHECK_EQ_INT(o.st, CACHET_ERR_NO_RECIPIENT);
    CHECK_EQ_INT(o.pt.len, 0);
    CHECK_EQ_INT(rc.decrypts, 0);
    CHECK_EQ_INT(ec.derives, 0);
    cachet_membuf_free(&o.pt);
    free(b.data);
}

/* Our two RecipientInfos last, the first of them broken: one attempt, on it,
 * the uniform failure - never a second try on the genuine one after it. */
static void broken_matching_recipient_info_fails_without_trying_the_others(void) {
    setup();
    static const uint8_t ek_hdr[] = {0x04, 0x82, 0x01, 0x00};
    for (int oaep = 0; oaep <= 1; oaep++) {
        counting rc, ec;
        blob b = fifty_others_then_us(CACHET_CIPHER_AES256_GCM, 2, oaep);
        /* the 256-byte encryptedKeys in order: 40 of other RSA, then ours */
        size_t at = 0, seen = 0;
        for (size_t i = 0; i + 4 <= b.len && seen < 41; i++) {
            if (memcmp(b.data + i, ek_hdr, 4) == 0) {
                at = i + 4;
                seen++;
            }
        }
        CHECK_EQ_INT(seen, 41);
        uint32_t rng = 77;
        for (size_t i = 0; i < 256; i++) {
            b.data[at + i] = (uint8_t)cachet_test_rand(&rng);
        }
        b.data[at] &= 0x7f;
        outcome o = run(b, &rc, &ec);
        CHECK_EQ_INT(o.st, CACHET_ERR_DECRYPT);
        CHECK_STR(o.err.message, "decryption failed");
        CHECK_STR(o.err.where, "");
        /* PKCS#1 v1.5 streams what its stand-in CEK gives (enveloped.h: the
         * caller discards it); OAEP's stand-in releases nothing */
        CHECK(oaep ? o.pt.len == 0 : !cachet_test_mem_eq(o.pt.data, o.pt.len, msg, sizeof(msg)));
        CHECK_EQ_INT(rc.decrypts, 1);
        CHECK_EQ_INT(ec.derives, 0);
        cachet_membuf_free(&o.pt);
        free(b.data);
    }
}

/* Key agreement: fifty others, then our EC certificate - one ECDH; and an RSA
 * RecipientInfo carrying our EC certificate's identifier is not ours (BL-03:
 * our id under the wrong RecipientInfo type). */
static void key_agreement_recipient_costs_one_derivation(void) {
    setup();
    cachet_cert_list list = {0};
    for (size_t i = 0; i < 50; i++) {
        cachet_cert_list_push(&list, i % 2 ? others_ec[i % 10].cert : other_certs[i % 20]);
    }
    cachet_cert_list_push(&list, us_ec.cert);
    cachet_cms_encrypt_opts opts;
    cachet_membuf out = {0};
    cachet_error err;
    memset(&opts, 0, sizeof(opts));
    cachet_err_clear(&err);
    opts.recipients = &list;
    opts.cipher = CACHET_CIPHER_AES256_GCM;
    CHECK_EQ_INT(tu_encrypt(&opts, msg, sizeof(msg), FEED_WHOLE, &out, &err), CACHET_OK);
    cachet_cert_list_clear(&list);
    blob b = {out.data, out.len};
    counting rc, ec;
    outcome o = run(b, &rc, &ec);
    CHECK_EQ_INT(o.st, CACHET_OK);
    CHECK_MEM(o.pt.data, o.pt.len, msg, sizeof(msg));
    CHECK_EQ_INT(ec.derives, 1);
    CHECK_EQ_INT(rc.decrypts, 0);
    cachet_membuf_free(&o.pt);
    free(b.data);
    /* the same message read with an RSA key whose certificate has our EC
     * certificate's issuer and serial: no ktri names it, so no RecipientInfo */
    {
        test_party twin = tu_party("rsa2048", "Recipient Us", 2, NULL);
        counting tc;
        cachet_pkey *tk = counted_key(&twin, &tc);
        const cachet_pkey *keys[1] = {tk};
        const cachet_cert *certs[1] = {twin.cert};
        cachet_cms_secrets s = {.keys = keys, .certs = certs, .num_keys = 1};
        cachet_membuf pt = {0};
        cachet_err_clear(&err);
        memset(&out, 0, sizeof(out));
        cachet_cert_list_push(&list, us_ec.cert);
        opts.recipients = &list;
        CHECK_EQ_INT(tu_encrypt(&opts, msg, sizeof(msg), FEED_WHOLE, &out, &err), CACHET_OK);
        cachet_cert_list_clear(&list);
        CHECK_EQ_INT(
            tu_decrypt_secrets(&s, NULL, NULL, out.data, out.len, FEED_WHOLE, 1, &pt, NULL, &err),
            CACHET_ERR_NO_RECIPIENT);
        CHECK_EQ_INT(tc.decrypts, 0);
        CHECK_EQ_INT(tc.derives, 0);
        cachet_membuf_free(&pt);
        cachet_membuf_free(&out);
        cachet_pkey_free(tk);
        tu_party_free(&twin);
    }
}

/* ---- RSAES-OAEP parameters (BL-05): checked before the key is used ---- */

static const uint8_t OAEP_OID[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                   0xf7, 0x0d, 0x01, 0x01, 0x07};

/* The message to us alone, with its keyEncryptionAlgorithm replaced by |alg|
 * and, when |md| is not NULL, its encryptedKey by the CEK encrypted again with
 * OAEP over |md| and MGF1 over |mgf|. The SET and the ktri around it have
 * definite two-byte lengths (31 82, 30 82), fixed up here. */
static blob with_oaep_alg(blob b, const uint8_t *alg, size_t alg_len, const EVP_MD *md,
                          const EVP_MD *mgf) {
    static const uint8_t ek_hdr[] = {0x04, 0x82, 0x01, 0x00};
    size_t at = SIZE_MAX, ek = SIZE_MAX;
    for (size_t i = 0; i + sizeof(OAEP_OID) <= b.len && at == SIZE_MAX; i++) {
        if (memcmp(b.data + i, OAEP_OID, sizeof(OAEP_OID)) == 0) {
            at = i - 2;
        }
    }
    CHECK(at != SIZE_MAX && b.data[at] == 0x30);
    size_t old_len = 2 + b.data[at + 1];
    for (size_t i = at; i + 4 <= b.len && ek == SIZE_MAX; i++) {
        if (memcmp(b.data + i, ek_hdr, 4) == 0) {
            ek = i + 4;
        }
    }
    /* 31 82 LL LL 30 82 LL LL: the SET and its one ktri, just before */
    size_t set = at;
    while (set > 0 && !(b.data[set] == 0x31 && b.data[set + 1] == 0x82 && b.data[set + 4] == 0x30 &&
                        b.data[set + 5] == 0x82)) {
        set--;
    }
    CHECK(set > 0 && ek != SIZE_MAX);
    blob r = {malloc(b.len - old_len + alg_len), b.len - old_len + alg_len};
    memcpy(r.data, b.data, at);
    memcpy(r.data + at, alg, alg_len);
    memcpy(r.data + at + alg_len, b.data + at + old_len, b.len - at - old_len);
    for (size_t h = set; h <= set + 4; h += 4) {
        size_t l = ((size_t)r.data[h + 2] << 8 | r.data[h + 3]) + alg_len - old_len;
        r.data[h + 2] = (uint8_t)(l >> 8);
        r.data[h + 3] = (uint8_t)l;
    }
    if (md != NULL) {
        uint8_t cek[512], *ekp = r.data + ek - old_len + alg_len;
        size_t cek_len = sizeof(cek), n = 256;
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(us.ossl_key, NULL);
        CHECK(EVP_PKEY_decrypt_init(pc) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_oaep_md(pc, EVP_sha256()) == 1 &&
              EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha256()) == 1 &&
              EVP_PKEY_decrypt(pc, cek, &cek_len, b.data + ek, 256) == 1);
        CHECK(EVP_PKEY_encrypt_init(pc) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_oaep_md(pc, md) == 1 &&
              EVP_PKEY_CTX_set_rsa_mgf1_md(pc, mgf) == 1 &&
              EVP_PKEY_encrypt(pc, ekp, &n, cek, cek_len) == 1 && n == 256);
        EVP_PKEY_CTX_free(pc);
    }
    return r;
}

static void oaep_parameters_are_checked_before_the_key(void) {
    setup();
#define OID_OAEP 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x07
#define OID_MGF1 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08
#define OID_PSPECIFIED 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x09
#define OID_SHA1 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a
#define OID_SHA256 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01
    /* parameters absent: SHA-1 and MGF1-SHA-1 (RFC 3560 §3) */
    static const uint8_t absent[] = {0x30, 0x0b, OID_OAEP};
    /* SHA-256 with MGF1-SHA-1, a legal mix */
    static const uint8_t mixed[] = {0x30, 0x34, OID_OAEP, 0x30,       0x27, 0xa0,
                                    0x0d, 0x30, 0x0b,     OID_SHA256, 0xa1, 0x16,
                                    0x30, 0x14, OID_MGF1, 0x30,       0x07, OID_SHA1};
    static const uint8_t unknown_hash[] = {0x30, 0x16, OID_OAEP, 0x30, 0x09, 0xa0, 0x07,
                                           0x30, 0x05, 0x06,     0x03, 0x2a, 0x03, 0x04};
    static const uint8_t psource_no_label[] = {0x30, 0x1c, OID_OAEP, 0x30, 0x0f,
                                               0xa2, 0x0d, 0x30,     0x0b, OID_PSPECIFIED};
    static const uint8_t null_params[] = {0x30, 0x0d, OID_OAEP, 0x05, 0x00};
    static const uint8_t other_mgf[] = {0x30, 0x16, OID_OAEP, 0x30, 0x09, 0xa1, 0x07,
                                        0x30, 0x05, 0x06,     0x03, 0x2a, 0x03, 0x04};
    static const struct {
        const uint8_t *alg;
        size_t len;
        bool opens;
        const char *name;
    } cases[] = {
        {absent, sizeof(absent), true, "absent: SHA-1 defaults"},
        {mixed, sizeof(mixed), true, "SHA-256 with MGF1-SHA-1"},
        {unknown_hash, sizeof(unknown_hash), false, "unknown hash"},
        {psource_no_label, sizeof(psource_no_label), false, "pSpecified without its label"},
        {null_params, sizeof(null_params), false, "NULL parameters"},
        {other_mgf, sizeof(other_mgf), false, "not MGF1"},
    };
    cachet_cert_list list = {0};
    cachet_cert_list_push(&list, us.cert);
    cachet_cms_encrypt_opts opts;
    cachet_membuf out = {0};
    cachet_error err;
    memset(&opts, 0, sizeof(opts));
    opts.recipients = &list;
    opts.cipher = CACHET_CIPHER_AES256_GCM;
    opts.oaep = true;
    cachet_err_clear(&err);
    CHECK_EQ_INT(tu_encrypt(&opts, msg, sizeof(msg), FEED_WHOLE, &out, &err), CACHET_OK);
    cachet_cert_list_clear(&list);
    blob base = {out.data, out.len};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        counting rc, ec;
        const EVP_MD *md = i == 0 ? EVP_sha1() : EVP_sha256();
        blob m =
            with_oaep_alg(base, cases[i].alg, cases[i].len, cases[i].opens ? md : NULL, EVP_sha1());
        outcome o = run(m, &rc, &ec);
        if (cases[i].opens) {
            CHECK_EQ_INT(o.st, CACHET_OK);
            CHECK_MEM(o.pt.data, o.pt.len, msg, sizeof(msg));
            CHECK_EQ_INT(rc.decrypts, 1);
        } else {
            if (o.st != CACHET_ERR_MALFORMED) {
                fprintf(stderr, "  %s: status %d \"%s\"\n", cases[i].name, (int)o.st,
                        o.err.message);
            }
            CHECK_EQ_INT(o.st, CACHET_ERR_MALFORMED);
            CHECK_STR(o.err.message, "RSAES-OAEP-params malformed or unsupported");
            CHECK_EQ_INT(o.pt.len, 0);
            CHECK_EQ_INT(rc.decrypts, 0); /* refused before the key */
        }
        cachet_membuf_free(&o.pt);
        free(m.data);
    }
    free(base.data);
}

static const cachet_test_case tests[] = {
    TEST_CASE(oaep_parameters_are_checked_before_the_key),
    TEST_CASE(fifty_other_recipients_cost_one_private_key_operation),
    TEST_CASE(no_recipient_for_us_uses_no_private_key),
    TEST_CASE(broken_matching_recipient_info_fails_without_trying_the_others),
    TEST_CASE(key_agreement_recipient_costs_one_derivation),
};
TEST_MAIN(tests)
