/* AuthEnvelopedData with AES-GCM, AES-CCM and ChaCha20-Poly1305 (RFC 5083,
 * RFC 5084, RFC 8103): messages made by hand with OpenSSL's EVP (any nonce,
 * ICV and authAttrs) open; what we write opens with OpenSSL's EVP; tampering
 * is the uniform failure, and AES-CCM releases nothing before its tag verified
 * (EF-05); parameter strictness (EF-06); the per-content-type allowlist
 * (EF-07); the AES-CCM hold limit. */
#include "test_cms_content_util.h"

static test_party rsa;
static uint8_t msg[3000];
static const uint8_t cek32[32] = {0xc0, 0xff, 0xee, 1,  2,  3,  4,  5,  6,  7,  8,
                                  9,    10,   11,   12, 13, 14, 15, 16, 17, 18, 19,
                                  20,   21,   22,   23, 24, 25, 26, 27, 28, 29};
/* Nonces are prefixes of this (16 bytes, so that over-long ones can be built). */
static const uint8_t nonces[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                   0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

static void setup(void) {
    static bool done;
    uint32_t rng = 7;
    if (done) {
        return;
    }
    done = true;
    rsa = tu_party("rsa2048", "AEAD RSA", 3, NULL);
    for (size_t i = 0; i < sizeof(msg); i++) {
        msg[i] = (uint8_t)cachet_test_rand(&rng);
    }
}

/* aes_params: GCMParameters / CCMParameters with |nonce_len| bytes of nonces
 * and aes-ICVlen |icv| (0: omitted, the DEFAULT 12). */
static size_t aes_params(uint8_t *out, size_t nonce_len, unsigned icv) {
    size_t n = 2;
    n += cd_octets(out + n, nonces, nonce_len);
    if (icv != 0) {
        out[n++] = 0x02;
        out[n++] = 0x01;
        out[n++] = (uint8_t)icv;
    }
    out[0] = 0x30;
    out[1] = (uint8_t)(n - 2);
    return n;
}

typedef struct aead_case {
    const char *evp;
    cachet_oid oid;
    size_t key_len;
    size_t nonce_len;
    unsigned icv; /* 0: omitted (GCM/CCM DEFAULT 12) */
    const char *name;
} aead_case;

/* hand_made encrypts |len| bytes of msg with OpenSSL under |c| (authAttrs as
 * AAD when |attrs|) and wraps it in AuthEnvelopedData to rsa. */
static cd_blob hand_made(const aead_case *c, bool attrs, size_t len) {
    uint8_t params[64], aad[sizeof(cd_auth_attrs)], tag[16], *ct = malloc(len + 32);
    size_t plen, tag_len = c->icv == 0 ? 12 : c->icv;
    cd_msg m;
    cd_blob out;
    bool chacha = c->oid == CACHET_OID_CHACHA20_POLY1305;
    memcpy(aad, cd_auth_attrs, sizeof(aad));
    aad[0] = 0x31;
    plen =
        chacha ? cd_octets(params, nonces, c->nonce_len) : aes_params(params, c->nonce_len, c->icv);
    if (chacha) {
        tag_len = 16;
    }
    memset(&m, 0, sizeof(m));
    m.outer = CACHET_OID_AUTH_ENVELOPED_DATA;
    m.to = &rsa;
    m.cek = cek32;
    m.cek_len = c->key_len;
    m.alg = cd_alg(c->oid, params, plen);
    m.ct = ct;
    m.ct_len = cd_evp(c->evp, cek32, c->key_len, nonces, c->nonce_len, 0, attrs ? aad : NULL,
                      attrs ? sizeof(aad) : 0, msg, len, ct, tag, tag_len);
    CHECK_EQ_INT(m.ct_len, len);
    m.attrs = attrs ? cd_auth_attrs : NULL;
    m.attrs_len = attrs ? sizeof(cd_auth_attrs) : 0;
    m.mac = tag;
    m.mac_len = tag_len;
    out = cd_build(&m);
    cd_blob_free(&m.alg);
    free(ct);
    return out;
}

static const aead_case cases[] = {
    {"AES-128-GCM", CACHET_OID_AES128_GCM, 16, 12, 0, "aes-128-gcm"},
    {"AES-256-GCM", CACHET_OID_AES256_GCM, 32, 12, 14, "aes-256-gcm"},
    {"AES-128-CCM", CACHET_OID_AES128_CCM, 16, 7, 4, "aes-128-ccm"},
    {"AES-128-CCM", CACHET_OID_AES128_CCM, 16, 13, 0, "aes-128-ccm"},
    {"AES-192-CCM", CACHET_OID_AES192_CCM, 24, 8, 6, "aes-192-ccm"},
    {"AES-192-CCM", CACHET_OID_AES192_CCM, 24, 11, 10, "aes-192-ccm"},
    {"AES-256-CCM", CACHET_OID_AES256_CCM, 32, 12, 16, "aes-256-ccm"},
    {"AES-256-CCM", CACHET_OID_AES256_CCM, 32, 9, 8, "aes-256-ccm"},
    {"AES-256-CCM", CACHET_OID_AES256_CCM, 32, 10, 14, "aes-256-ccm"},
    {"ChaCha20-Poly1305", CACHET_OID_CHACHA20_POLY1305, 32, 12, 16, "chacha20-poly1305"},
};

#define NUM_CASES (sizeof(cases) / sizeof(cases[0]))

/* RFC 5083 §2.2 for every AEAD: authAttrs are the AAD, re-tagged as SET OF. */
static void openssl_made_aead_messages_open_with_and_without_auth_attrs(void) {
    setup();
    for (size_t i = 0; i < NUM_CASES; i++) {
        for (int attrs = 0; attrs <= 1; attrs++) {
            cd_blob b = hand_made(&cases[i], attrs != 0, sizeof(msg));
            const cachet_pkey *k;
            const cachet_cert *c;
            cachet_cms_secrets s = cd_secrets_for(&rsa, &k, &c);
            for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
                cachet_membuf pt = {0};
                cachet_layer_report rep;
                cachet_error err;
                cachet_status st =
                    cd_decrypt(&s, NULL, NULL, b.data, b.len, (feed_mode)mode, &pt, &rep, &err);
                if (st != CACHET_OK) {
                    fprintf(stderr, "  case %zu attrs %d: %s (%s)\n", i, attrs, err.message,
                            err.where);
                }
                CHECK_EQ_INT(st, CACHET_OK);
                CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
                CHECK_STR(rep.cipher, cases[i].name);
                CHECK_EQ_INT(rep.authenticated, true);
                CHECK_EQ_INT(rep.type, CACHET_LAYER_AUTH_ENVELOPED);
                cachet_membuf_free(&pt);
            }
            /* One authAttrs byte changed (id-data -> 1.2.840.113549.1.7.2): the
             * tag fails, uniformly. AES-CCM released nothing. */
            if (attrs) {
                cachet_membuf pt = {0};
                cachet_error err;
                uint8_t *p = cd_find(b.data, b.len, cd_auth_attrs, sizeof(cd_auth_attrs));
                CHECK(p != NULL);
                if (p != NULL) {
                    p[sizeof(cd_auth_attrs) - 1] ^= 0x03;
                }
                CHECK(cd_is_uniform(
                    cd_decrypt(&s, NULL, NULL, b.data, b.len, FEED_RANDOM, &pt, NULL, &err), &err));
                if (strstr(cases[i].evp, "CCM") != NULL) {
                    CHECK_EQ_INT(pt.len, 0);
                }
                cachet_membuf_free(&pt);
            }
            cd_blob_free(&b);
        }
    }
}

/* What we write: find the ktri encryptedKey, the nonce and the ciphertext. */
typedef struct ours {
    uint8_t ek[512];
    size_t ek_len;
    uint8_t nonce[16];
    size_t nonce_len;
    uint8_t *ct;
    size_t ct_len;
    uint8_t mac[16];
    size_t mac_len;
} ours;

static bool take_ours(const cachet_membuf *ber, bool chacha, ours *o) {
    uint8_t *der = NULL;
    size_t der_len = 0;
    cachet_cbs in, ci, ex, ed, set, ktri, skip, ek, eci, alg, params, nonce, cont, seg, mac;
    cachet_asn1_tag tag;
    bool ok;
    memset(o, 0, sizeof(*o));
    if (cachet_ber_to_der(ber->data, ber->len, NULL, &der, &der_len, NULL) != CACHET_OK) {
        return false;
    }
    cachet_cbs_init(&in, der, der_len);
    ok = cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) &&
         cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) &&
         cachet_cbs_get_asn1(&ci, &ex, CACHET_ASN1_CONTEXT_CONS(0)) &&
         cachet_cbs_get_asn1(&ex, &ed, CACHET_ASN1_SEQUENCE) &&
         cachet_cbs_get_asn1(&ed, &skip, CACHET_ASN1_INTEGER) &&
         cachet_cbs_get_asn1(&ed, &set, CACHET_ASN1_SET) &&
         cachet_cbs_get_asn1(&set, &ktri, CACHET_ASN1_SEQUENCE) &&
         cachet_cbs_get_asn1(&ktri, &skip, CACHET_ASN1_INTEGER) &&
         cachet_cbs_get_asn1(&ktri, &skip, CACHET_ASN1_SEQUENCE) &&
         cachet_cbs_get_asn1(&ktri, &skip, CACHET_ASN1_SEQUENCE) &&
         cachet_cbs_get_asn1(&ktri, &ek, CACHET_ASN1_OCTETSTRING) &&
         cachet_cbs_get_asn1(&ed, &eci, CACHET_ASN1_SEQUENCE) &&
         cachet_cbs_get_asn1(&eci, &skip, CACHET_ASN1_OBJECT) &&
         cachet_cbs_get_asn1(&eci, &alg, CACHET_ASN1_SEQUENCE) &&
         cachet_cbs_get_asn1(&alg, &skip, CACHET_ASN1_OBJECT) &&
         cachet_cbs_get_any_asn1(&eci, &cont, &tag) &&
         cachet_cbs_get_asn1(&ed, &mac, CACHET_ASN1_OCTETSTRING) && ek.len <= sizeof(o->ek) &&
         mac.len <= sizeof(o->mac);
    if (ok && chacha) {
        ok = cachet_cbs_get_asn1(&alg, &nonce, CACHET_ASN1_OCTETSTRING);
    } else if (ok) {
        ok = cachet_cbs_get_asn1(&alg, &params, CACHET_ASN1_SEQUENCE) &&
             cachet_cbs_get_asn1(&params, &nonce, CACHET_ASN1_OCTETSTRING);
    }
    ok = ok && nonce.len <= sizeof(o->nonce);
    if (ok) {
        memcpy(o->ek, ek.data, ek.len);
        o->ek_len = ek.len;
        memcpy(o->nonce, nonce.data, nonce.len);
        o->nonce_len = nonce.len;
        memcpy(o->mac, mac.data, mac.len);
        o->mac_len = mac.len;
        o->ct = malloc(cont.len + 1);
        if (tag == CACHET_ASN1_CONTEXT(0)) {
            memcpy(o->ct, cont.data, cont.len);
            o->ct_len = cont.len;
        }
        while (tag == CACHET_ASN1_CONTEXT_CONS(0) && ok && cont.len > 0) {
            ok = cachet_cbs_get_asn1(&cont, &seg, CACHET_ASN1_OCTETSTRING);
            if (ok) {
                memcpy(o->ct + o->ct_len, seg.data, seg.len);
                o->ct_len += seg.len;
            }
        }
    }
    cachet_free(der);
    return ok;
}

/* OpenSSL, knowing only the RSA key, opens our AES-CCM and ChaCha20-Poly1305. */
static void our_ccm_and_chacha_open_with_openssl_evp(void) {
    static const struct {
        cachet_cipher c;
        const char *evp;
    } ciphers[] = {
        {CACHET_CIPHER_AES128_CCM, "AES-128-CCM"},
        {CACHET_CIPHER_AES192_CCM, "AES-192-CCM"},
        {CACHET_CIPHER_AES256_CCM, "AES-256-CCM"},
        {CACHET_CIPHER_CHACHA20_POLY1305, "ChaCha20-Poly1305"},
    };
    setup();
    for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
        cachet_cert_list list = {0};
        cachet_cms_encrypt_opts opts;
        cachet_membuf ct = {0};
        cachet_error err;
        uint8_t cek[512], *pt = malloc(sizeof(msg) + 16);
        size_t cek_len = sizeof(cek);
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(rsa.ossl_key, NULL);
        EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, ciphers[i].evp, NULL);
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        bool ccm = ciphers[i].c != CACHET_CIPHER_CHACHA20_POLY1305;
        int n = 0, fin = 0, ok;
        ours o;
        memset(&opts, 0, sizeof(opts));
        cachet_cert_list_push(&list, rsa.cert);
        opts.recipients = &list;
        opts.cipher = ciphers[i].c;
        CHECK_EQ_INT(tu_encrypt(&opts, msg, sizeof(msg), FEED_RANDOM, &ct, &err), CACHET_OK);
        CHECK(take_ours(&ct, !ccm, &o));
        CHECK(EVP_PKEY_decrypt_init(pctx) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
              EVP_PKEY_decrypt(pctx, cek, &cek_len, o.ek, o.ek_len) == 1);
        CHECK_EQ_INT(cek_len, cachet_cipher_key_len(ciphers[i].c));
        CHECK_EQ_INT(o.ct_len, sizeof(msg));
        ok = EVP_DecryptInit_ex2(ctx, c, NULL, NULL, NULL) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)o.nonce_len, NULL) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)o.mac_len, o.mac) == 1 &&
             EVP_DecryptInit_ex2(ctx, NULL, cek, o.nonce, NULL) == 1 &&
             (!ccm || EVP_DecryptUpdate(ctx, NULL, &n, NULL, (int)o.ct_len) == 1) &&
             EVP_DecryptUpdate(ctx, pt, &n, o.ct, (int)o.ct_len) == 1 &&
             (ccm || EVP_DecryptFinal_ex(ctx, pt + n, &fin) == 1);
        CHECK(ok);
        if (ok) {
            CHECK_MEM(pt, (size_t)(n + fin), msg, sizeof(msg));
        }
        EVP_CIPHER_CTX_free(ctx);
        EVP_CIPHER_free(c);
        EVP_PKEY_CTX_free(pctx);
        free(o.ct);
        free(pt);
        cachet_membuf_free(&ct);
        cachet_cert_list_clear(&list);
    }
}

/* EF-05: a flipped ciphertext or tag byte. AES-CCM releases nothing at all;
 * ChaCha20-Poly1305 streams like GCM (its plaintext is unauthenticated until
 * finish says OK, the contract of enveloped.h) and fails the same way. */
static void tampered_ccm_and_chacha_fail_uniformly(void) {
    static const cachet_cipher ciphers[] = {CACHET_CIPHER_AES128_CCM, CACHET_CIPHER_AES256_CCM,
                                            CACHET_CIPHER_CHACHA20_POLY1305};
    setup();
    for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
        cachet_cert_list list = {0};
        cachet_cms_encrypt_opts opts;
        cachet_membuf ct = {0};
        cachet_error err;
        const cachet_pkey *k;
        const cachet_cert *c;
        cachet_cms_secrets s = cd_secrets_for(&rsa, &k, &c);
        /* Our BER ends: mac (04 10 <16>), then three end-of-contents pairs. */
        size_t mac_off, flips[3];
        memset(&opts, 0, sizeof(opts));
        cachet_cert_list_push(&list, rsa.cert);
        opts.recipients = &list;
        opts.cipher = ciphers[i];
        CHECK_EQ_INT(tu_encrypt(&opts, msg, sizeof(msg), FEED_WHOLE, &ct, &err), CACHET_OK);
        mac_off = ct.len - 6 - 18;
        CHECK_EQ_INT(ct.data[mac_off], 0x04);
        CHECK_EQ_INT(ct.data[mac_off + 1], 16);
        flips[0] = mac_off + 2;      /* first tag byte */
        flips[1] = mac_off + 17;     /* last tag byte */
        flips[2] = mac_off - 4 - 10; /* a ciphertext byte near the end */
        for (size_t f = 0; f < 3; f++) {
            for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
                cachet_membuf pt = {0};
                ct.data[flips[f]] ^= 0x01;
                CHECK(cd_is_uniform(
                    cd_decrypt(&s, NULL, NULL, ct.data, ct.len, (feed_mode)mode, &pt, NULL, &err),
                    &err));
                if (ciphers[i] != CACHET_CIPHER_CHACHA20_POLY1305) {
                    CHECK_EQ_INT(pt.len, 0);
                }
                ct.data[flips[f]] ^= 0x01;
                cachet_membuf_free(&pt);
            }
        }
        cachet_membuf_free(&ct);
        cachet_cert_list_clear(&list);
    }
}

/* RFC 5084 §3.1 (nonce 7..13, ICVlen 4..16 even) and RFC 8103 (nonce 12): anything
 * else is refused before the key is used, nothing released. The mac must be
 * exactly the ICVlen (R5084-3.1-5), else the uniform failure. */
static void ccm_and_chacha_parameters_are_strict(void) {
    static const struct {
        size_t nonce;
        unsigned icv;
    } bad_ccm[] = {{6, 12}, {14, 12}, {12, 3}, {12, 5}, {12, 18}, {12, 2}, {0, 12}};
    const aead_case *ccm = &cases[6];
    cd_blob good;
    const cachet_pkey *k;
    const cachet_cert *c;
    cachet_cms_secrets s;
    setup();
    s = cd_secrets_for(&rsa, &k, &c);
    good = hand_made(ccm, false, 100);
    for (size_t i = 0; i < sizeof(bad_ccm) / sizeof(bad_ccm[0]); i++) {
        cd_blob b;
        cachet_membuf pt = {0};
        cachet_error err;
        uint8_t params[64];
        size_t plen = aes_params(params, bad_ccm[i].nonce, bad_ccm[i].icv);
        cd_msg m;
        memset(&m, 0, sizeof(m));
        m.outer = CACHET_OID_AUTH_ENVELOPED_DATA;
        m.to = &rsa;
        m.cek = cek32;
        m.cek_len = 32;
        m.alg = cd_alg(CACHET_OID_AES256_CCM, params, plen);
        m.ct = msg;
        m.ct_len = 100;
        m.mac = msg;
        m.mac_len = bad_ccm[i].icv;
        b = cd_build(&m);
        CHECK_EQ_INT(cd_decrypt(&s, NULL, NULL, b.data, b.len, FEED_RANDOM, &pt, NULL, &err),
                     CACHET_ERR_MALFORMED);
        CHECK_STR(err.where, "EncryptedContentInfo.contentEncryptionAlgorithm");
        CHECK_EQ_INT(pt.len, 0);
        cd_blob_free(&m.alg);
        cd_blob_free(&b);
    }
    {
        /* ChaCha20-Poly1305: nonce of 11 and 13 bytes, or wrapped in a SEQUENCE. */
        uint8_t p11[16], p13[16], wrapped[20];
        size_t n11 = cd_octets(p11, nonces, 11), n13 = cd_octets(p13, nonces, 13);
        const uint8_t *reps[3] = {p11, p13, wrapped};
        size_t lens[3];
        wrapped[0] = 0x30;
        wrapped[1] = 14;
        lens[0] = n11;
        lens[1] = n13;
        lens[2] = 2 + cd_octets(wrapped + 2, nonces, 12);
        for (size_t i = 0; i < 3; i++) {
            cd_msg m;
            cd_blob b;
            cachet_membuf pt = {0};
            cachet_error err;
            memset(&m, 0, sizeof(m));
            m.outer = CACHET_OID_AUTH_ENVELOPED_DATA;
            m.to = &rsa;
            m.cek = cek32;
            m.cek_len = 32;
            m.alg = cd_alg(CACHET_OID_CHACHA20_POLY1305, reps[i], lens[i]);
            m.ct = msg;
            m.ct_len = 50;
            m.mac = msg;
            m.mac_len = 16;
            b = cd_build(&m);
            CHECK_EQ_INT(cd_decrypt(&s, NULL, NULL, b.data, b.len, FEED_WHOLE, &pt, NULL, &err),
                         CACHET_ERR_MALFORMED);
            CHECK_EQ_INT(pt.len, 0);
            cd_blob_free(&m.alg);
            cd_blob_free(&b);
        }
    }
    {
        /* The 16-byte mac of a good message, its ICVlen rewritten to 12 (the
         * parameters still parse): mac length mismatch, uniform. */
        uint8_t *p;
        uint8_t pattern[3] = {0x02, 0x01, 16};
        cachet_membuf pt = {0};
        cachet_error err;
        p = cd_find(good.data, good.len, pattern, sizeof(pattern));
        CHECK(p != NULL);
        if (p != NULL) {
            p[2] = 12;
        }
        CHECK(cd_is_uniform(
            cd_decrypt(&s, NULL, NULL, good.data, good.len, FEED_BYTES, &pt, NULL, &err), &err));
        CHECK_EQ_INT(pt.len, 0);
    }
    cd_blob_free(&good);
}

/* EF-07: AEADs only in AuthEnvelopedData, CBC only in EnvelopedData and
 * EncryptedData; refused whatever allow_weak says. */
static void aead_and_cbc_stay_in_their_content_types(void) {
    static const struct {
        cachet_oid outer;
        cachet_oid alg;
        size_t iv;
    } cases_ef07[] = {
        {CACHET_OID_ENVELOPED_DATA, CACHET_OID_AES128_GCM, 12},
        {CACHET_OID_ENVELOPED_DATA, CACHET_OID_AES256_CCM, 12},
        {CACHET_OID_ENVELOPED_DATA, CACHET_OID_CHACHA20_POLY1305, 12},
        {CACHET_OID_ENCRYPTED_DATA, CACHET_OID_AES192_CCM, 12},
        {CACHET_OID_ENCRYPTED_DATA, CACHET_OID_CHACHA20_POLY1305, 12},
        {CACHET_OID_AUTH_ENVELOPED_DATA, CACHET_OID_AES256_CBC, 16},
        {CACHET_OID_AUTH_ENVELOPED_DATA, CACHET_OID_DES_EDE3_CBC, 8},
        {CACHET_OID_AUTH_ENVELOPED_DATA, CACHET_OID_RC2_CBC, 8},
        {CACHET_OID_AUTH_ENVELOPED_DATA, CACHET_OID_CAMELLIA128_CBC, 16},
    };
    cachet_cms_policy weak = {.allow_weak = true};
    setup();
    for (size_t i = 0; i < sizeof(cases_ef07) / sizeof(cases_ef07[0]); i++) {
        uint8_t params[64];
        size_t plen = cd_octets(params, nonces, cases_ef07[i].iv);
        cd_msg m;
        cd_blob b;
        const cachet_pkey *k;
        const cachet_cert *c;
        cachet_cms_secrets s = cd_secrets_for(&rsa, &k, &c);
        s.content_key = cek32;
        s.content_key_len = 16;
        memset(&m, 0, sizeof(m));
        m.outer = cases_ef07[i].outer;
        m.to = m.outer == CACHET_OID_ENCRYPTED_DATA ? NULL : &rsa;
        m.cek = cek32;
        m.cek_len = 16;
        m.alg = cd_alg(cases_ef07[i].alg, params, plen);
        m.ct = msg;
        m.ct_len = 64;
        m.mac = msg;
        m.mac_len = 16;
        b = cd_build(&m);
        for (int w = 0; w <= 1; w++) {
            cachet_membuf pt = {0};
            cachet_error err;
            CHECK_EQ_INT(
                cd_decrypt(&s, w ? &weak : NULL, NULL, b.data, b.len, FEED_RANDOM, &pt, NULL, &err),
                CACHET_ERR_POLICY);
            CHECK_EQ_INT(pt.len, 0);
        }
        cd_blob_free(&m.alg);
        cd_blob_free(&b);
    }
}

/* The reader holds AES-CCM ciphertext up to limits.max_ccm_content. */
static void ccm_reader_limit_is_exact(void) {
    cachet_cms_limits lim;
    const cachet_pkey *k;
    const cachet_cert *c;
    cachet_cms_secrets s;
    cd_blob at, over;
    setup();
    s = cd_secrets_for(&rsa, &k, &c);
    cachet_cms_limits_default(&lim);
    lim.max_ccm_content = 1000;
    at = hand_made(&cases[2], false, 1000);
    over = hand_made(&cases[2], false, 1001);
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        cachet_membuf pt = {0};
        cachet_error err;
        CHECK_EQ_INT(cd_decrypt(&s, NULL, &lim, at.data, at.len, (feed_mode)mode, &pt, NULL, &err),
                     CACHET_OK);
        CHECK_EQ_INT(pt.len, 1000);
        cachet_membuf_free(&pt);
        CHECK_EQ_INT(
            cd_decrypt(&s, NULL, &lim, over.data, over.len, (feed_mode)mode, &pt, NULL, &err),
            CACHET_ERR_LIMIT);
        CHECK_STR(err.message, "AES-CCM content larger than 1000 bytes (limits.max_ccm_content)");
        CHECK_EQ_INT(pt.len, 0);
        cachet_membuf_free(&pt);
    }
    cd_blob_free(&at);
    cd_blob_free(&over);
}

static const cachet_test_case tests[] = {
    TEST_CASE(openssl_made_aead_messages_open_with_and_without_auth_attrs),
    TEST_CASE(our_ccm_and_chacha_open_with_openssl_evp),
    TEST_CASE(tampered_ccm_and_chacha_fail_uniformly),
    TEST_CASE(ccm_and_chacha_parameters_are_strict),
    TEST_CASE(aead_and_cbc_stay_in_their_content_types),
    TEST_CASE(ccm_reader_limit_is_exact),
};

TEST_MAIN(tests)
