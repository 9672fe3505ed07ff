/* ATTACKS.md EF-05/06/07/09, BL-01/02/03, PO-01, built by editing our own
 * messages. Our output is BER with indefinite lengths outside the few definite
 * elements, so most edits only need the edited element re-encoded. */
#include "test_cms_enveloped_util.h"
#include "test_cms_blob.h"

static test_party rsa, ec, other;
static uint8_t msg[3000];

static void setup(void) {
    static bool done;
    uint32_t rng = 5;
    if (done) {
        return;
    }
    done = true;
    rsa = tu_party("rsa2048", "Victim RSA", 1, NULL);
    ec = tu_party("P-256", "Victim EC", 2, NULL);
    other = tu_party("rsa2048", "Victim RSA", 77, NULL); /* same issuer, other serial and key */
    for (size_t i = 0; i < sizeof(msg); i++) {
        msg[i] = (uint8_t)cachet_test_rand(&rng);
    }
}

static blob encrypt_msg(test_party *const *to, size_t n, cachet_cipher c, bool oaep) {
    cachet_cert_list list = {0};
    cachet_cms_encrypt_opts opts;
    cachet_membuf out = {0};
    cachet_error err;
    blob b;
    memset(&opts, 0, sizeof(opts));
    cachet_err_clear(&err);
    for (size_t i = 0; i < n; i++) {
        cachet_cert_list_push(&list, to[i]->cert);
    }
    opts.recipients = &list;
    opts.cipher = c;
    opts.oaep = oaep;
    CHECK_EQ_INT(tu_encrypt(&opts, msg, sizeof(msg), FEED_WHOLE, &out, &err), CACHET_OK);
    cachet_cert_list_clear(&list);
    b.data = out.data;
    b.len = out.len;
    return b;
}

/* The EncryptedContentInfo starts "30 80 06 09 <id-data>"; the encryptedKey of
 * the last RecipientInfo ends right before it. */
static const uint8_t eci_start[] = {0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                    0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};

/* Offset of the contentEncryptionAlgorithm SEQUENCE (definite, short form). */
static size_t cea_offset(blob b) {
    return find(b, eci_start, sizeof(eci_start), 0) + sizeof(eci_start);
}

typedef struct outcome {
    cachet_status st;
    cachet_error err;
    size_t sink_len;
    uint8_t sink_head[3000];
} outcome;

static outcome run(const test_party *p, blob b, feed_mode mode) {
    outcome o;
    cachet_membuf pt = {0};
    memset(&o, 0, sizeof(o));
    cachet_err_clear(&o.err);
    o.st = tu_decrypt(p, NULL, NULL, b.data, b.len, mode, &pt, NULL, &o.err);
    o.sink_len = pt.len;
    if (pt.len > 0) {
        memcpy(o.sink_head, pt.data, pt.len < sizeof(o.sink_head) ? pt.len : sizeof(o.sink_head));
    }
    cachet_membuf_free(&pt);
    return o;
}

/* Every failure after the private key was used looks exactly the same (BL-01). */
static void check_uniform(const outcome *o) {
    CHECK_EQ_INT(o->st, CACHET_ERR_DECRYPT);
    CHECK_EQ_INT(o->err.status, CACHET_ERR_DECRYPT);
    CHECK_STR(o->err.message, "decryption failed");
    CHECK_STR(o->err.where, "");
    CHECK_EQ_INT(o->err.offset, -1);
}

/* GCMParameters for |nonce_len| bytes and ICVlen |icv| (-1: omitted). */
static size_t gcm_alg(uint8_t *out, int aes256, size_t nonce_len, int icv) {
    size_t p = 0, params_len = 2 + nonce_len + (nonce_len >= 128 ? 1 : 0) + (icv >= 0 ? 3 : 0);
    size_t alg_len = 11 + 2 + params_len + (params_len >= 128 ? 1 : 0);
    static const uint8_t oid[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01};
    out[p++] = 0x30;
    if (alg_len >= 128) {
        out[p++] = 0x81;
    }
    out[p++] = (uint8_t)alg_len;
    memcpy(out + p, oid, sizeof(oid));
    p += sizeof(oid);
    out[p++] = aes256 ? 0x2e : 0x06;
    out[p++] = 0x30;
    if (params_len >= 128) {
        out[p++] = 0x81;
    }
    out[p++] = (uint8_t)params_len;
    out[p++] = 0x04;
    if (nonce_len >= 128) {
        out[p++] = 0x81;
    }
    out[p++] = (uint8_t)nonce_len;
    memset(out + p, 0x42, nonce_len);
    p += nonce_len;
    if (icv >= 0) {
        out[p++] = 0x02;
        out[p++] = 0x01;
        out[p++] = (uint8_t)icv;
    }
    return p;
}

/* The real nonce of a message: alg at |off| is 30 LL 06 09 <oid> 30 LL 04 0c <12>. */
static const uint8_t *real_nonce(blob b, size_t off) {
    return b.data + off + 2 + 11 + 2 + 2;
}

/* The mac OCTET STRING: "04 10 <16>" then three end-of-contents pairs. */
static size_t mac_offset(blob b) {
    return b.len - 6 - 18;
}

static void gcm_icvlen_outside_12_to_16_is_refused_before_key_use(void) {
    setup();
    test_party *to = &rsa;
    blob b = encrypt_msg(&to, 1, CACHET_CIPHER_AES256_GCM, false);
    size_t off = cea_offset(b), alg_len = (size_t)b.data[off + 1] + 2;
    const int icvs[] = {1, 2, 3, 4, 8, 11, 17, 255};
    for (size_t i = 0; i < sizeof(icvs) / sizeof(icvs[0]); i++) {
        uint8_t alg[64];
        size_t n = gcm_alg(alg, 1, 12, icvs[i]);
        memcpy(alg + n - 3 - 12, real_nonce(b, off), 12);
        blob e = splice(b, off, alg_len, alg, n);
        outcome o = run(&rsa, e, FEED_RANDOM);
        /* 0xff is the INTEGER -1: not even an ICV length. */
        CHECK_EQ_INT(o.st, icvs[i] == 255 ? CACHET_ERR_MALFORMED : CACHET_ERR_POLICY);
        CHECK_EQ_INT(o.sink_len, 0);
        free(e.data);
    }
    free(b.data);
}

static void gcm_mac_length_must_equal_icvlen(void) {
    setup();
    test_party *to = &rsa;
    blob b = encrypt_msg(&to, 1, CACHET_CIPHER_AES256_GCM, false);
    size_t off = cea_offset(b), alg_len = (size_t)b.data[off + 1] + 2, mac = mac_offset(b);
    uint8_t alg[64], mac12[14];
    size_t n;
    blob e, e2;
    outcome o;
    CHECK_EQ_INT(b.data[mac], 0x04);
    CHECK_EQ_INT(b.data[mac + 1], 16);
    /* ICVlen 16, mac truncated to 4 bytes (B6). */
    {
        uint8_t mac4[6] = {0x04, 0x04};
        memcpy(mac4 + 2, b.data + mac + 2, 4);
        e = splice(b, mac, 18, mac4, sizeof(mac4));
        check_uniform((o = run(&rsa, e, FEED_WHOLE), &o));
        free(e.data);
    }
    /* ICVlen omitted = DEFAULT 12 (B7) with the 16-byte tag cut to its first 12
     * bytes (a GCM tag truncates to a prefix): accepted. */
    n = gcm_alg(alg, 1, 12, -1);
    memcpy(alg + n - 12, real_nonce(b, off), 12);
    mac12[0] = 0x04;
    mac12[1] = 12;
    memcpy(mac12 + 2, b.data + mac + 2, 12);
    e = splice(b, mac, 18, mac12, sizeof(mac12));
    e2 = splice(e, off, alg_len, alg, n);
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        o = run(&rsa, e2, (feed_mode)mode);
        CHECK_EQ_INT(o.st, CACHET_OK);
        CHECK_MEM(o.sink_head, o.sink_len, msg, sizeof(msg));
    }
    free(e.data);
    free(e2.data);
    /* ICVlen omitted with the full 16-byte mac: mismatch. */
    e = splice(b, off, alg_len, alg, n);
    check_uniform((o = run(&rsa, e, FEED_BYTES), &o));
    free(e.data);
    free(b.data);
}

static void gcm_nonce_and_params_strictness(void) {
    setup();
    test_party *to = &ec;
    blob b = encrypt_msg(&to, 1, CACHET_CIPHER_AES128_GCM, false);
    size_t off = cea_offset(b), alg_len = (size_t)b.data[off + 1] + 2;
    const size_t bad_nonces[] = {0, 17, 64, 200};
    for (size_t i = 0; i < sizeof(bad_nonces) / sizeof(bad_nonces[0]); i++) {
        uint8_t alg[300];
        size_t n = gcm_alg(alg, 0, bad_nonces[i], 16);
        blob e = splice(b, off, alg_len, alg, n);
        outcome o = run(&ec, e, FEED_RANDOM);
        CHECK_EQ_INT(o.st, CACHET_ERR_POLICY);
        CHECK_EQ_INT(o.sink_len, 0);
        free(e.data);
    }
    {
        /* Parameters absent, NULL, nonce as INTEGER: malformed. */
        static const uint8_t absent[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                         0x01, 0x65, 0x03, 0x04, 0x01, 0x06};
        static const uint8_t null_p[] = {0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                         0x65, 0x03, 0x04, 0x01, 0x06, 0x05, 0x00};
        static const uint8_t int_nonce[] = {0x30, 0x12, 0x06, 0x09, 0x60, 0x86, 0x48,
                                            0x01, 0x65, 0x03, 0x04, 0x01, 0x06, 0x30,
                                            0x05, 0x02, 0x03, 0x01, 0x02, 0x03};
        const uint8_t *reps[] = {absent, null_p, int_nonce};
        const size_t lens[] = {sizeof(absent), sizeof(null_p), sizeof(int_nonce)};
        for (size_t i = 0; i < 3; i++) {
            blob e = splice(b, off, alg_len, reps[i], lens[i]);
            outcome o = run(&ec, e, FEED_WHOLE);
            CHECK_EQ_INT(o.st, CACHET_ERR_MALFORMED);
            CHECK_EQ_INT(o.sink_len, 0);
            free(e.data);
        }
    }
    free(b.data);
}

static void aead_algorithm_substitution_is_refused(void) {
    setup();
    test_party *to = &rsa;
    blob g = encrypt_msg(&to, 1, CACHET_CIPHER_AES256_GCM, false);
    blob c = encrypt_msg(&to, 1, CACHET_CIPHER_AES256_CBC, false);
    size_t goff = cea_offset(g), glen = (size_t)g.data[goff + 1] + 2;
    size_t coff = cea_offset(c), clen = (size_t)c.data[coff + 1] + 2;
    /* EF-07: AuthEnvelopedData re-labelled aes-256-cbc / aes-256-ofb / unknown. */
    static const uint8_t cbc[] = {0x30, 0x1d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
                                  0x01, 0x2a, 0x04, 0x10, 1,    2,    3,    4,    5,    6,    7,
                                  8,    9,    10,   11,   12,   13,   14,   15,   16};
    uint8_t ofb[sizeof(cbc)], unknown[sizeof(cbc)], gcm_in_env[64];
    memcpy(ofb, cbc, sizeof(cbc));
    ofb[12] = 0x2b;
    memcpy(unknown, cbc, sizeof(cbc));
    unknown[12] = 0x7f;
    const uint8_t *reps[] = {cbc, ofb, unknown};
    for (size_t i = 0; i < 3; i++) {
        blob e = splice(g, goff, glen, reps[i], sizeof(cbc));
        outcome o = run(&rsa, e, FEED_RANDOM);
        CHECK_EQ_INT(o.st, CACHET_ERR_POLICY);
        CHECK_EQ_INT(o.sink_len, 0);
        free(e.data);
    }
    /* ...and EnvelopedData carrying id-aes256-GCM. */
    {
        size_t n = gcm_alg(gcm_in_env, 1, 12, 16);
        blob e = splice(c, coff, clen, gcm_in_env, n);
        outcome o = run(&rsa, e, FEED_WHOLE);
        CHECK_EQ_INT(o.st, CACHET_ERR_POLICY);
        CHECK_EQ_INT(o.sink_len, 0);
        free(e.data);
    }
    free(g.data);
    free(c.data);
}

static void gcm_tampering_is_uniform_decrypt_failure(void) {
    setup();
    test_party *to = &rsa;
    blob b = encrypt_msg(&to, 1, CACHET_CIPHER_AES256_GCM, false);
    size_t mac = mac_offset(b);
    size_t ct_end = mac - 4; /* encryptedContent ends with 00 00 (ECI) 00 00 ([0]) */
    outcome o;
    /* Flip a ciphertext byte near the end (EF-05): the tag fails at the end. The
     * streamed plaintext is unauthenticated by contract: the sink saw all 3000
     * bytes, the last-but-5 one altered, and the status tells the caller to
     * discard them. */
    b.data[ct_end - 5] ^= 0x01;
    o = run(&rsa, b, FEED_RANDOM);
    check_uniform(&o);
    CHECK_EQ_INT(o.sink_len, sizeof(msg));
    CHECK_MEM(o.sink_head, sizeof(msg) - 6, msg, sizeof(msg) - 6);
    CHECK(o.sink_head[sizeof(msg) - 5] != msg[sizeof(msg) - 5]);
    b.data[ct_end - 5] ^= 0x01;
    /* Flip a mac byte. */
    b.data[mac + 5] ^= 0x80;
    check_uniform((o = run(&rsa, b, FEED_BYTES), &o));
    free(b.data);
}

static void cbc_bad_padding_withholds_last_block(void) {
    setup();
    test_party *to = &rsa;
    blob b = encrypt_msg(&to, 1, CACHET_CIPHER_AES128_CBC, false);
    /* CBC ends: "04 10 <last block>" then five end-of-contents pairs. */
    size_t last = b.len - 10 - 18;
    outcome o;
    CHECK_EQ_INT(b.data[last], 0x04);
    CHECK_EQ_INT(b.data[last + 1], 0x10);
    /* EF-09/PO-01: break the padding. Bit 0 of the last byte of the block before
     * the last (the byte before the last segment) turns the padding 08 into 09,
     * never valid (flipping the last byte itself garbles the whole block, whose
     * padding is then valid once in about 256 runs). 3000 bytes pad to 3008; the
     * sink saw the first 2992 bytes (every block but the withheld last one), the
     * first 2976 exactly the plaintext (the block before the flip is garbled:
     * CBC), and then the uniform failure. */
    b.data[last - 1] ^= 0x01;
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        o = run(&rsa, b, (feed_mode)mode);
        check_uniform(&o);
        CHECK_EQ_INT(o.sink_len, 2992);
        CHECK_MEM(o.sink_head, 2976, msg, 2976);
    }
    b.data[last - 1] ^= 0x01;
    /* Truncated to a non-multiple of the block size. */
    {
        uint8_t seg[17] = {0x04, 0x0f};
        memcpy(seg + 2, b.data + last + 2, 15);
        blob e = splice(b, last, 18, seg, sizeof(seg));
        o = run(&rsa, e, FEED_WHOLE);
        check_uniform(&o);
        CHECK_EQ_INT(o.sink_len, 2992);
        free(e.data);
    }
    free(b.data);
}

/* PKCS#1 v1.5 encryption of |len| random bytes under |p|'s public key. */
static size_t pkcs1_encrypt(const test_party *p, size_t len, uint8_t *out) {
    uint8_t in[64];
    size_t out_len = 512;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(p->ossl_key, NULL);
    memset(in, 0x5a, sizeof(in));
    EVP_PKEY_encrypt_init(ctx);
    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
    EVP_PKEY_encrypt(ctx, out, &out_len, in, len);
    EVP_PKEY_CTX_free(ctx);
    return out_len;
}

/* With PKCS#1 v1.5 the RFC 3218 countermeasure decrypts CBC content under a
 * stand-in CEK, whose padding happens to be valid about once in 256 messages:
 * that "success" yields garbage and is the countermeasure working, not an
 * oracle. The stand-in is fixed for a given encryptedKey (issue 8), so a retry
 * changes the content instead: the last byte of the next-to-last block, which
 * the last block's padding depends on (all four pass with probability 2^-32). */
static outcome run_random_cek(const test_party *p, blob b, feed_mode mode, cachet_cipher c) {
    outcome o = run(p, b, mode);
    for (int attempt = 1; attempt < 4 && o.st == CACHET_OK && !cachet_cipher_is_aead(c);
         attempt++) {
        size_t at = cbc_penultimate_byte(b, cea_offset(b));
        CHECK(at != SIZE_MAX);
        if (at == SIZE_MAX) {
            break;
        }
        b.data[at] ^= (uint8_t)attempt;
        o = run(p, b, mode);
    }
    return o;
}

static void every_failure_after_key_use_is_identical(void) {
    setup();
    /* BL-01 (i) random encryptedKey, (ii) PKCS#1-valid wrong-length CEKs,
     * (iii) bad padding / bad tag (above), for v1.5, OAEP and ECDH. */
    const cachet_cipher ciphers[] = {CACHET_CIPHER_AES256_CBC, CACHET_CIPHER_AES256_GCM};
    for (size_t c = 0; c < 2; c++) {
        for (int oaep = 0; oaep <= 1; oaep++) {
            test_party *to = &rsa;
            blob b = encrypt_msg(&to, 1, ciphers[c], oaep);
            size_t eci = find(b, eci_start, sizeof(eci_start), 0);
            uint8_t garbage[256];
            uint32_t rng = 3;
            for (size_t i = 0; i < sizeof(garbage); i++) {
                garbage[i] = (uint8_t)cachet_test_rand(&rng);
            }
            garbage[0] &= 0x7f; /* below the modulus */
            blob e = splice(b, eci - 256, 256, garbage, 256);
            outcome o = run_random_cek(&rsa, e, FEED_RANDOM, ciphers[c]);
            check_uniform(&o);
            free(e.data);
            if (!oaep) {
                const size_t lens[] = {15, 16, 24, 31, 33, 48};
                for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
                    uint8_t ek[512];
                    CHECK_EQ_INT(pkcs1_encrypt(&rsa, lens[i], ek), 256);
                    e = splice(b, eci - 256, 256, ek, 256);
                    o = run_random_cek(&rsa, e, FEED_WHOLE, ciphers[c]);
                    check_uniform(&o);
                    free(e.data);
                }
            }
            free(b.data);
        }
        {
            /* ECDH: the wrapped CEK (40 bytes for AES-256) corrupted. */
            test_party *to = &ec;
            blob b = encrypt_msg(&to, 1, ciphers[c], false);
            size_t eci = find(b, eci_start, sizeof(eci_start), 0);
            CHECK_EQ_INT(b.data[eci - 42], 0x04);
            CHECK_EQ_INT(b.data[eci - 41], 40);
            b.data[eci - 3] ^= 0x10;
            outcome o = run(&ec, b, FEED_BYTES);
            check_uniform(&o);
            CHECK_EQ_INT(o.sink_len, 0);
            free(b.data);
        }
    }
}

static void cek_of_the_wrong_length_is_uniform_failure(void) {
    setup();
    /* An AES-256 CEK presented as AES-128-CBC: the key lengths differ, found only
     * after the private key was used (v1.5: random CEK; kari: unwrap length). */
    test_party *parties[] = {&rsa, &ec};
    for (size_t i = 0; i < 2; i++) {
        blob b = encrypt_msg(&parties[i], 1, CACHET_CIPHER_AES256_CBC, false);
        size_t off = cea_offset(b);
        CHECK_EQ_INT(b.data[off + 12], 0x2a); /* id-aes256-CBC */
        b.data[off + 12] = 0x02;              /* id-aes128-CBC */
        outcome o = run_random_cek(parties[i], b, FEED_RANDOM, CACHET_CIPHER_AES128_CBC);
        check_uniform(&o);
        free(b.data);
    }
}

static void probe_recipient_infos_are_never_tried(void) {
    setup();
    /* BL-02: two KTRIs both to our certificate; the first one is used. */
    test_party *to[] = {&rsa, &rsa};
    blob b = encrypt_msg(to, 2, CACHET_CIPHER_AES256_CBC, false);
    size_t eci = find(b, eci_start, sizeof(eci_start), 0);
    static const uint8_t ek_hdr[] = {0x04, 0x82, 0x01, 0x00};
    size_t first = find(b, ek_hdr, sizeof(ek_hdr), 0) + sizeof(ek_hdr);
    uint8_t probes[3][512];
    uint32_t rng = 11;
    for (size_t i = 0; i < 256; i++) {
        probes[0][i] = (uint8_t)cachet_test_rand(&rng) & (i == 0 ? 0x7f : 0xff);
    }
    pkcs1_encrypt(&rsa, 32, probes[1]);
    pkcs1_encrypt(&rsa, 15, probes[2]);
    CHECK(first < eci - 256);
    for (size_t i = 0; i < 3; i++) {
        /* Probe second: the genuine first RI decrypts, whatever the probe is. */
        blob e = splice(b, eci - 256, 256, probes[i], 256);
        outcome o = run(&rsa, e, FEED_RANDOM);
        CHECK_EQ_INT(o.st, CACHET_OK);
        CHECK_MEM(o.sink_head, o.sink_len, msg, sizeof(msg));
        free(e.data);
        /* Probe first: one attempt, on it, and the same uniform failure each time. */
        e = splice(b, first, 256, probes[i], 256);
        o = run_random_cek(&rsa, e, FEED_WHOLE, CACHET_CIPHER_AES256_CBC);
        check_uniform(&o);
        free(e.data);
    }
    free(b.data);
    /* RecipientInfo count capped. */
    {
        test_party *many[] = {&rsa, &ec, &other, &rsa};
        cachet_cms_limits limits;
        cachet_membuf pt = {0};
        cachet_error err;
        blob m = encrypt_msg(many, 4, CACHET_CIPHER_AES128_GCM, false);
        cachet_cms_limits_default(&limits);
        limits.max_recipients = 3;
        cachet_err_clear(&err);
        CHECK_EQ_INT(tu_decrypt(&rsa, NULL, &limits, m.data, m.len, FEED_WHOLE, &pt, NULL, &err),
                     CACHET_ERR_LIMIT);
        CHECK_EQ_INT(pt.len, 0);
        free(m.data);
    }
}

static void no_matching_recipient_is_reported_before_key_use(void) {
    setup();
    /* BL-03: same issuer, other serial. */
    test_party *to = &other;
    blob b = encrypt_msg(&to, 1, CACHET_CIPHER_AES256_CBC, false);
    outcome o = run(&rsa, b, FEED_RANDOM);
    CHECK_EQ_INT(o.st, CACHET_ERR_NO_RECIPIENT);
    CHECK(strstr(o.err.message, "Victim RSA") != NULL);
    CHECK_EQ_INT(o.sink_len, 0);
    free(b.data);
    /* Our identifier under the wrong RecipientInfo type: a kari whose rid is
     * the issuerAndSerialNumber of our (RSA) certificate. */
    {
        test_party twin = tu_party("rsa2048", "Victim EC", 2, NULL); /* ec's issuer+serial */
        to = &ec;
        b = encrypt_msg(&to, 1, CACHET_CIPHER_AES256_CBC, false);
        o = run(&twin, b, FEED_WHOLE);
        CHECK_EQ_INT(o.st, CACHET_ERR_NO_RECIPIENT);
        free(b.data);
        tu_party_free(&twin);
    }
    /* A key that is not the certificate's is a usage error, not a decryption. */
    {
        test_party mixed = {0};
        mixed.key = ec.key;
        mixed.cert = rsa.cert;
        to = &rsa;
        b = encrypt_msg(&to, 1, CACHET_CIPHER_AES256_CBC, false);
        o = run(&mixed, b, FEED_WHOLE);
        CHECK_EQ_INT(o.st, CACHET_ERR_USAGE);
        free(b.data);
    }
}

static blob with_auth_attrs(blob b, const uint8_t *attrs, size_t attrs_len, const uint8_t *aad,
                            size_t aad_len) {
    static const uint8_t seg[] = {0xa0, 0x80, 0x04, 0x82, 0x0b, 0xb8};
    size_t eci = find(b, eci_start, sizeof(eci_start), 0), off = cea_offset(b);
    size_t ct = find(b, seg, sizeof(seg), 0) + sizeof(seg), mac = mac_offset(b);
    uint8_t cek[512], tag[18] = {0x04, 0x10};
    size_t cek_len = sizeof(cek);
    int outl = 0;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(rsa.ossl_key, NULL);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    blob r, r2;
    EVP_PKEY_decrypt_init(pctx);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
    CHECK(EVP_PKEY_decrypt(pctx, cek, &cek_len, b.data + eci - 256, 256) == 1);
    CHECK_EQ_INT(cek_len, 32);
    EVP_PKEY_CTX_free(pctx);
    r = splice(b, 0, 0, NULL, 0);
    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL);
    EVP_EncryptInit_ex(c, NULL, NULL, cek, real_nonce(b, off));
    EVP_EncryptUpdate(c, NULL, &outl, aad, (int)aad_len);
    EVP_EncryptUpdate(c, r.data + ct, &outl, msg, (int)sizeof(msg));
    EVP_EncryptFinal_ex(c, r.data + ct + outl, &outl);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag + 2);
    EVP_CIPHER_CTX_free(c);
    r2 = splice(r, mac, 18, tag, sizeof(tag));
    free(r.data);
    r = splice(r2, mac, 0, attrs, attrs_len);
    free(r2.data);
    return r;
}

static void gcm_auth_attrs_are_authenticated_as_der_set_of(void) {
    setup();
    /* authAttrs [1] { contentType id-data }; RFC 5083 §2.2: the AAD uses the SET OF tag. */
    static const uint8_t attrs[] = {0xa1, 0x1a, 0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                    0xf7, 0x0d, 0x01, 0x09, 0x03, 0x31, 0x0b, 0x06, 0x09, 0x2a,
                                    0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
    uint8_t aad[sizeof(attrs)];
    test_party *to = &rsa;
    blob b = encrypt_msg(&to, 1, CACHET_CIPHER_AES256_GCM, false), e;
    outcome o;
    memcpy(aad, attrs, sizeof(attrs));
    aad[0] = 0x31;
    e = with_auth_attrs(b, attrs, sizeof(attrs), aad, sizeof(aad));
    for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        o = run(&rsa, e, (feed_mode)mode);
        CHECK_EQ_INT(o.st, CACHET_OK);
        CHECK_MEM(o.sink_head, o.sink_len, msg, sizeof(msg));
    }
    /* An attribute changed after encryption fails the tag. */
    e.data[e.len - 6 - 18 - 1] ^= 0x01;
    check_uniform((o = run(&rsa, e, FEED_WHOLE), &o));
    free(e.data);
    /* AAD taken with the [1] tag (not RFC 5083) does not verify. */
    e = with_auth_attrs(b, attrs, sizeof(attrs), attrs, sizeof(attrs));
    check_uniform((o = run(&rsa, e, FEED_RANDOM), &o));
    free(e.data);
    free(b.data);
}

static const cachet_test_case tests[] = {
    TEST_CASE(gcm_icvlen_outside_12_to_16_is_refused_before_key_use),
    TEST_CASE(gcm_mac_length_must_equal_icvlen),
    TEST_CASE(gcm_nonce_and_params_strictness),
    TEST_CASE(aead_algorithm_substitution_is_refused),
    TEST_CASE(gcm_tampering_is_uniform_decrypt_failure),
    TEST_CASE(gcm_auth_attrs_are_authenticated_as_der_set_of),
    TEST_CASE(cbc_bad_padding_withholds_last_block),
    TEST_CASE(every_failure_after_key_use_is_identical),
    TEST_CASE(cek_of_the_wrong_length_is_uniform_failure),
    TEST_CASE(probe_recipient_infos_are_never_tried),
    TEST_CASE(no_matching_recipient_is_reported_before_key_use),
};

TEST_MAIN(tests)
