/* SignedData round trips: cachet signs and verifies itself, OpenSSL's CMS_verify
 * accepts cachet's output, cachet accepts OpenSSL's streamed output, for every
 * algorithm, digest, detached/encapsulated and feeding mode. */
#include "test_cms_signed_pki.h"

static tpki_party ca, rsa, p256, p384, ed, rsa1024;
static cachet_trust *trust;
static const int64_t when = 1767225600; /* 2026-01-01T00:00:00Z */

static void setup(void) {
    if (trust != NULL) {
        return;
    }
    ca = tpki_make(TPKI_RSA, "Test CA", NULL, 1);
    rsa = tpki_make(TPKI_RSA, "rsa", &ca, 2);
    p256 = tpki_make(TPKI_P256, "p256", &ca, 3);
    p384 = tpki_make(TPKI_P384, "p384", &ca, 4);
    ed = tpki_make(TPKI_ED25519, "ed", &ca, 5);
    rsa1024 = tpki_make(TPKI_RSA1024, "weak", &ca, 6);
    trust = tpki_trust(&ca);
}

static uint8_t *make_content(size_t len) {
    uint8_t *c = malloc(len + 1);
    uint32_t r = 42;
    for (size_t i = 0; i < len; i++) {
        c[i] = (uint8_t)cachet_test_rand(&r);
    }
    return c;
}

/* openssl_verify runs OpenSSL's CMS_verify (the interop oracle) over |der|. */
static int openssl_verify(const uint8_t *cms_bytes, size_t len, const uint8_t *detached,
                          size_t dlen, const uint8_t *expect, size_t expect_len) {
    BIO *in = BIO_new_mem_buf(cms_bytes, (int)len);
    CMS_ContentInfo *cms = d2i_CMS_bio(in, NULL);
    BIO_free(in);
    if (cms == NULL) {
        ERR_print_errors_fp(stderr);
        return 0;
    }
    X509_STORE *store = tpki_store(&ca);
    BIO *dc = detached != NULL ? BIO_new_mem_buf(detached, (int)dlen) : NULL;
    BIO *out = BIO_new(BIO_s_mem());
    int ok = CMS_verify(cms, NULL, store, dc, out, CMS_BINARY);
    if (ok != 1) {
        ERR_print_errors_fp(stderr);
    } else {
        char *data = NULL;
        long n = BIO_get_mem_data(out, &data);
        ok = expect == NULL || ((size_t)n == expect_len && memcmp(data, expect, expect_len) == 0);
    }
    BIO_free(dc);
    BIO_free(out);
    X509_STORE_free(store);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return ok;
}

typedef struct alg_case {
    const char *name;
    tpki_party *who;
    bool pss;
    const char *alg_name;
    bool openssl_can_verify;
} alg_case;

static void check_layer_ok(const cachet_layer_report *l, const alg_case *a, cachet_md md,
                           bool detached, bool ski) {
    CHECK_EQ_INT(l->type, CACHET_LAYER_SIGNED);
    CHECK_EQ_INT(l->detached, detached);
    CHECK_STR(l->content_type, "id-data");
    CHECK_EQ_INT(l->num_signers, 1);
    if (l->num_signers != 1) {
        return;
    }
    const cachet_signer_report *s = &l->signers[0];
    CHECK(s->signature_valid);
    CHECK_EQ_INT(s->signature_status, CACHET_OK);
    CHECK_EQ_INT(s->chain, CACHET_CHAIN_TRUSTED);
    CHECK_STR(s->digest, cachet_md_name(md));
    CHECK_STR(s->algorithm, a->alg_name);
    CHECK(s->has_signing_time);
    CHECK_EQ_INT(s->signing_time, when);
    CHECK_EQ_INT(s->weak, false);
    CHECK_EQ_INT(s->sid_is_ski, ski);
    CHECK_EQ_INT(s->address_match, -1);
    CHECK(strstr(s->subject, a->who == &rsa ? "CN=rsa" : "CN=") != NULL);
    CHECK_EQ_INT(s->num_emails, 1);
}

static void signed_round_trip_all_algorithms_digests_modes(void) {
    setup();
    const alg_case algs[] = {
        {"rsa-pkcs1", &rsa, false, "rsaEncryption", true},
        {"rsa-pss", &rsa, true, "rsassa-pss", true},
        {"ecdsa-p256", &p256, false, NULL, true},
        {"ecdsa-p384", &p384, false, NULL, true},
        /* OpenSSL 3.0 CMS cannot verify Ed25519 (it asks EdDSA for a separate
         * SHA-512 digest: "eddsa_digest_signverify_init: invalid digest") */
        {"ed25519", &ed, false, "ed25519", false},
    };
    const cachet_md mds[] = {CACHET_MD_SHA256, CACHET_MD_SHA384, CACHET_MD_SHA512};
    const size_t len = 10007;
    uint8_t *content = make_content(len);
    for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
        for (size_t m = 0; m < 3; m++) {
            if (algs[a].who == &ed && mds[m] != CACHET_MD_SHA512) {
                continue;
            }
            alg_case ac = algs[a];
            char ecdsa_name[32];
            if (ac.alg_name == NULL) {
                snprintf(ecdsa_name, sizeof(ecdsa_name), "ecdsa-with-SHA%s",
                         cachet_md_name(mds[m]) + 3);
                ac.alg_name = ecdsa_name;
            }
            for (int detached = 0; detached < 2; detached++) {
                for (tfeed f = TFEED_WHOLE; f <= TFEED_RANDOM; f++) {
                    bool ski = f == TFEED_RANDOM;
                    cachet_cms_signer_opts so = {.key = ac.who->key,
                                                 .cert = ac.who->cert,
                                                 .md = mds[m],
                                                 .pss = ac.pss,
                                                 .use_ski = ski};
                    cachet_cms_sign_opts opts = {.signers = &so,
                                                 .num_signers = 1,
                                                 .detached = detached,
                                                 .signing_time = when};
                    cachet_membuf out = {0}, got = {0};
                    cachet_error err = {0};
                    cachet_layer_report layer;
                    cachet_cms_policy pol = {.allow_weak = false, .at = 0, .trust = trust};
                    size_t clen = f == TFEED_BYTES ? 1500 : len;
                    cachet_status st = tpki_sign(&opts, content, clen, f, &out, &err);
                    CHECK_EQ_INT(st, CACHET_OK);
                    st = tpki_verify(&pol, out.data, out.len, detached ? content : NULL,
                                     detached ? clen : 0, NULL, 0, f, &got, &layer, &err);
                    if (st != CACHET_OK) {
                        fprintf(stderr, "%s %s detached=%d %s: %s at %s: %s\n", ac.name,
                                cachet_md_name(mds[m]), detached, tfeed_names[f],
                                cachet_status_str(st), err.where, err.message);
                    }
                    CHECK_EQ_INT(st, CACHET_OK);
                    check_layer_ok(&layer, &ac, mds[m], detached, ski);
                    if (detached) {
                        CHECK_EQ_INT(got.len, 0);
                    } else {
                        CHECK_MEM(got.data, got.len, content, clen);
                    }
                    if (ac.openssl_can_verify && f != TFEED_BYTES) {
                        int ok = openssl_verify(out.data, out.len, detached ? content : NULL, clen,
                                                detached ? NULL : content, clen);
                        if (!ok) {
                            fprintf(stderr, "OpenSSL rejects %s %s detached=%d\n", ac.name,
                                    cachet_md_name(mds[m]), detached);
                        }
                        CHECK(ok);
                    }
                    cachet_cms_layer_report_clear(&layer);
                    cachet_membuf_free(&out);
                    cachet_membuf_free(&got);
                }
            }
        }
    }
    free(content);
}

static void signed_empty_content_round_trips(void) {
    setup();
    for (int detached = 0; detached < 2; detached++) {
        cachet_cms_signer_opts so = {.key = p256.key,
                                     .cert = p256.cert,
                                     .md = CACHET_MD_SHA256,
                                     .pss = false,
                                     .use_ski = false};
        cachet_cms_sign_opts opts = {
            .signers = &so, .num_signers = 1, .detached = detached, .signing_time = when};
        cachet_membuf out = {0}, got = {0};
        cachet_error err = {0};
        cachet_layer_report layer;
        cachet_cms_policy pol = {.trust = trust};
        CHECK_EQ_INT(tpki_sign(&opts, (const uint8_t *)"", 0, TFEED_WHOLE, &out, &err), CACHET_OK);
        CHECK_EQ_INT(tpki_verify(&pol, out.data, out.len, detached ? (const uint8_t *)"" : NULL, 0,
                                 NULL, 0, TFEED_BYTES, &got, &layer, &err),
                     CACHET_OK);
        CHECK_EQ_INT(got.len, 0);
        CHECK(openssl_verify(out.data, out.len, detached ? (const uint8_t *)"" : NULL, 0, NULL, 0));
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&out);
        cachet_membuf_free(&got);
    }
}

/* Streaming output: the content travels as primitive segments of a constructed
 * OCTET STRING inside indefinite-length encodings (like openssl cms -stream). */
static void signed_encapsulated_output_is_indefinite_ber(void) {
    setup();
    cachet_cms_signer_opts so = {
        .key = rsa.key, .cert = rsa.cert, .md = CACHET_MD_SHA256, .pss = false, .use_ski = false};
    cachet_cms_sign_opts opts = {.signers = &so, .num_signers = 1, .signing_time = when};
    cachet_membuf out = {0};
    cachet_error err = {0};
    uint8_t *content = make_content(20000);
    CHECK_EQ_INT(tpki_sign(&opts, content, 20000, TFEED_RANDOM, &out, &err), CACHET_OK);
    CHECK(out.len > 4 && out.data[0] == 0x30 && out.data[1] == 0x80);
    static const uint8_t eci_head[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                       0x01, 0x07, 0x01, 0xa0, 0x80, 0x24, 0x80, 0x04};
    bool found = false;
    for (size_t i = 0; i + sizeof(eci_head) <= out.len && !found; i++) {
        found = memcmp(out.data + i, eci_head, sizeof(eci_head)) == 0;
    }
    CHECK(found);
    CHECK(out.data[out.len - 1] == 0 && out.data[out.len - 2] == 0);
    free(content);
    cachet_membuf_free(&out);
}

static void two_signers_and_chain_both_reported(void) {
    setup();
    cachet_cms_signer_opts so[2] = {
        {.key = rsa.key, .cert = rsa.cert, .md = CACHET_MD_SHA256, .pss = false, .use_ski = false},
        {.key = p384.key,
         .cert = p384.cert,
         .md = CACHET_MD_SHA384,
         .pss = false,
         .use_ski = true}};
    cachet_cert *extra[] = {ca.cert, rsa.cert};
    cachet_cms_sign_opts opts = {.signers = so,
                                 .num_signers = 2,
                                 .extra_certs = extra,
                                 .num_extra_certs = 2,
                                 .signing_time = when};
    cachet_membuf out = {0}, got = {0};
    cachet_error err = {0};
    cachet_layer_report layer;
    cachet_cms_policy pol = {.trust = trust};
    CHECK_EQ_INT(tpki_sign(&opts, (const uint8_t *)"hello", 5, TFEED_WHOLE, &out, &err), CACHET_OK);
    CHECK_EQ_INT(
        tpki_verify(&pol, out.data, out.len, NULL, 0, NULL, 0, TFEED_RANDOM, &got, &layer, &err),
        CACHET_OK);
    CHECK_EQ_INT(layer.num_signers, 2);
    CHECK(openssl_verify(out.data, out.len, NULL, 0, (const uint8_t *)"hello", 5));
    /* three distinct certificates: the duplicate rsa cert was skipped */
    cachet_cert_list certs = {0};
    CHECK_EQ_INT(cachet_cms_signed_certs(NULL, out.data, out.len, &certs, &err), CACHET_OK);
    CHECK_EQ_INT(certs.num, 3);
    cachet_cert_list_clear(&certs);
    cachet_cms_layer_report_clear(&layer);
    cachet_membuf_free(&out);
    cachet_membuf_free(&got);
}

static void weak_key_refused_unless_allowed_then_flagged(void) {
    setup();
    cachet_cms_signer_opts so = {.key = rsa1024.key,
                                 .cert = rsa1024.cert,
                                 .md = CACHET_MD_SHA256,
                                 .pss = false,
                                 .use_ski = false};
    cachet_cms_sign_opts opts = {
        .signers = &so, .num_signers = 1, .detached = true, .signing_time = when};
    cachet_membuf out = {0}, got = {0};
    cachet_error err = {0};
    cachet_layer_report layer;
    CHECK_EQ_INT(tpki_sign(&opts, (const uint8_t *)"m", 1, TFEED_WHOLE, &out, &err), CACHET_OK);
    cachet_cms_policy strict = {.trust = trust};
    CHECK_EQ_INT(tpki_verify(&strict, out.data, out.len, (const uint8_t *)"m", 1, NULL, 0,
                             TFEED_WHOLE, &got, &layer, &err),
                 CACHET_ERR_POLICY);
    CHECK_STR(err.where, "SignedData.signerInfos[0]");
    CHECK_EQ_INT(layer.signers[0].signature_valid, false);
    cachet_cms_layer_report_clear(&layer);
    cachet_cms_policy weak = {.allow_weak = true, .trust = trust};
    CHECK_EQ_INT(tpki_verify(&weak, out.data, out.len, (const uint8_t *)"m", 1, NULL, 0,
                             TFEED_WHOLE, &got, &layer, &err),
                 CACHET_OK);
    CHECK(layer.signers[0].weak);
    cachet_cms_layer_report_clear(&layer);
    cachet_membuf_free(&out);
}

static void no_trust_store_means_untrusted_with_valid_signature(void) {
    setup();
    cachet_cms_signer_opts so = {
        .key = p256.key, .cert = p256.cert, .md = CACHET_MD_SHA256, .pss = false, .use_ski = false};
    cachet_cms_sign_opts opts = {.signers = &so, .num_signers = 1, .signing_time = when};
    cachet_membuf out = {0}, got = {0};
    cachet_error err = {0};
    cachet_layer_report layer;
    cachet_cms_policy pol = {0};
    CHECK_EQ_INT(tpki_sign(&opts, (const uint8_t *)"m", 1, TFEED_WHOLE, &out, &err), CACHET_OK);
    CHECK_EQ_INT(
        tpki_verify(&pol, out.data, out.len, NULL, 0, NULL, 0, TFEED_WHOLE, &got, &layer, &err),
        CACHET_ERR_UNTRUSTED);
    CHECK(layer.signers[0].signature_valid);
    CHECK_EQ_INT(layer.signers[0].chain, CACHET_CHAIN_NOT_CHECKED);
    /* SG-14: the claimed signingTime (2026-01-01) precedes the fixture certificate */
    CHECK(strstr(layer.signers[0].signature_detail, "outside the certificate validity") != NULL);
    /* a different CA does not anchor it */
    tpki_party other = tpki_make(TPKI_P256, "Other CA", NULL, 9);
    cachet_trust *t2 = tpki_trust(&other);
    cachet_cms_policy pol2 = {.trust = t2};
    cachet_cms_layer_report_clear(&layer);
    CHECK_EQ_INT(
        tpki_verify(&pol2, out.data, out.len, NULL, 0, NULL, 0, TFEED_WHOLE, &got, &layer, &err),
        CACHET_ERR_UNTRUSTED);
    CHECK_EQ_INT(layer.signers[0].chain, CACHET_CHAIN_UNTRUSTED);
    cachet_cms_layer_report_clear(&layer);
    cachet_trust_free(t2);
    tpki_free(&other);
    cachet_membuf_free(&out);
    cachet_membuf_free(&got);
}

static void detached_content_changed_is_bad_signature(void) {
    setup();
    cachet_cms_signer_opts so = {
        .key = rsa.key, .cert = rsa.cert, .md = CACHET_MD_SHA256, .pss = true, .use_ski = false};
    cachet_cms_sign_opts opts = {
        .signers = &so, .num_signers = 1, .detached = true, .signing_time = when};
    cachet_membuf out = {0}, got = {0};
    cachet_error err = {0};
    cachet_layer_report layer;
    cachet_cms_policy pol = {.trust = trust};
    CHECK_EQ_INT(tpki_sign(&opts, (const uint8_t *)"pay 10", 6, TFEED_WHOLE, &out, &err),
                 CACHET_OK);
    CHECK_EQ_INT(tpki_verify(&pol, out.data, out.len, (const uint8_t *)"pay 99", 6, NULL, 0,
                             TFEED_WHOLE, &got, &layer, &err),
                 CACHET_ERR_BAD_SIGNATURE);
    CHECK_STR(err.where, "SignedData.signerInfos[0]");
    CHECK_EQ_INT(layer.signers[0].signature_valid, false);
    /* the claimed signer is named, but no address is offered for binding */
    CHECK_STR(layer.signers[0].subject, "CN=rsa");
    CHECK_EQ_INT(layer.signers[0].num_emails, 0);
    cachet_cms_layer_report_clear(&layer);
    /* micalg says sha-512 only: the sha-256 signer's digest is not computed */
    cachet_md only512 = CACHET_MD_SHA512;
    CHECK_EQ_INT(tpki_verify(&pol, out.data, out.len, (const uint8_t *)"pay 10", 6, &only512, 1,
                             TFEED_WHOLE, &got, &layer, &err),
                 CACHET_ERR_UNSUPPORTED);
    cachet_cms_layer_report_clear(&layer);
    cachet_md only256 = CACHET_MD_SHA256;
    CHECK_EQ_INT(tpki_verify(&pol, out.data, out.len, (const uint8_t *)"pay 10", 6, &only256, 1,
                             TFEED_BYTES, &got, &layer, &err),
                 CACHET_OK);
    cachet_cms_layer_report_clear(&layer);
    cachet_membuf_free(&out);
    cachet_membuf_free(&got);
}

/* OpenSSL 3.0 CMS cannot verify Ed25519, so the signature over DER(signedAttrs)
 * (RFC 8419 §3.1: pure EdDSA, SHA-512 messageDigest) is checked with raw EVP. */
static void ed25519_signature_checks_with_openssl_evp(void) {
    setup();
    cachet_cms_signer_opts so = {
        .key = ed.key, .cert = ed.cert, .md = CACHET_MD_NONE, .pss = false, .use_ski = false};
    cachet_cms_sign_opts opts = {
        .signers = &so, .num_signers = 1, .detached = true, .signing_time = when};
    cachet_membuf out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(tpki_sign(&opts, (const uint8_t *)"abc", 3, TFEED_WHOLE, &out, &err), CACHET_OK);
    cachet_cbs attrs, sig;
    bool ok = tpki_first_signer(out.data, out.len, &attrs, &sig);
    CHECK(ok);
    if (ok) {
        uint8_t *tbs = malloc(attrs.len);
        memcpy(tbs, attrs.data, attrs.len);
        tbs[0] = 0x31;
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        CHECK(EVP_DigestVerifyInit(md, NULL, NULL, NULL, ed.ossl_key) == 1);
        CHECK(EVP_DigestVerify(md, sig.data, sig.len, tbs, attrs.len) == 1);
        tbs[attrs.len - 1] ^= 1;
        CHECK(EVP_DigestVerify(md, sig.data, sig.len, tbs, attrs.len) != 1);
        EVP_MD_CTX_free(md);
        free(tbs);
    }
    cachet_membuf_free(&out);
}

static void sign_rejects_bad_options(void) {
    setup();
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_error err = {0};
    cachet_cms_sign_opts none = {0};
    CHECK(cachet_cms_sign_new(&none, &sink, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    cachet_cms_signer_opts wrong = {
        .key = rsa.key, .cert = p256.cert, .md = CACHET_MD_SHA256, .pss = false, .use_ski = false};
    cachet_cms_sign_opts opts = {.signers = &wrong, .num_signers = 1};
    cachet_err_clear(&err);
    CHECK(cachet_cms_sign_new(&opts, &sink, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_KEY);
    cachet_cms_signer_opts ed256 = {
        .key = ed.key, .cert = ed.cert, .md = CACHET_MD_SHA256, .pss = false, .use_ski = false};
    opts.signers = &ed256;
    cachet_err_clear(&err);
    CHECK(cachet_cms_sign_new(&opts, &sink, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    cachet_cms_signer_opts sha1 = {
        .key = rsa.key, .cert = rsa.cert, .md = CACHET_MD_SHA1, .pss = false, .use_ski = false};
    opts.signers = &sha1;
    cachet_err_clear(&err);
    CHECK(cachet_cms_sign_new(&opts, &sink, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    CHECK_EQ_INT(out.len, 0);
    cachet_membuf_free(&out);
}

/* Every cachet allocation failing in turn: a clean error, never a crash or leak
 * (run under ASan/LSan). */
static void allocation_failures_are_clean(void) {
    setup();
    cachet_cms_signer_opts so = {
        .key = p256.key, .cert = p256.cert, .md = CACHET_MD_SHA256, .pss = false, .use_ski = false};
    cachet_cert *extra[] = {ca.cert};
    cachet_cms_sign_opts opts = {.signers = &so,
                                 .num_signers = 1,
                                 .extra_certs = extra,
                                 .num_extra_certs = 1,
                                 .signing_time = when};
    cachet_membuf good = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(tpki_sign(&opts, (const uint8_t *)"abc", 3, TFEED_WHOLE, &good, &err), CACHET_OK);
    size_t sign_failures = 0, verify_failures = 0;
    for (unsigned long n = 1; n < 400; n++) {
        cachet_membuf out = {0}, got = {0};
        cachet_layer_report layer;
        cachet_cms_policy pol = {.trust = trust};
        cachet_alloc_fail_after(n);
        cachet_status st = tpki_sign(&opts, (const uint8_t *)"abc", 3, TFEED_BYTES, &out, &err);
        cachet_alloc_fail_after(0);
        sign_failures += st != CACHET_OK;
        cachet_alloc_fail_after(n);
        st = tpki_verify(&pol, good.data, good.len, NULL, 0, NULL, 0, TFEED_RANDOM, &got, &layer,
                         &err);
        cachet_alloc_fail_after(0);
        verify_failures += st != CACHET_OK;
        if (st == CACHET_OK) {
            CHECK_MEM(got.data, got.len, "abc", 3);
        }
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&out);
        cachet_membuf_free(&got);
    }
    CHECK(sign_failures > 0);
    CHECK(verify_failures > 0);
    cachet_membuf_free(&good);
}

/* Signed attributes are readable, through the handle, only for a valid signer. */
static void signed_attributes_exposed_only_for_valid_signers(void) {
    setup();
    cachet_cms_signer_opts so = {
        .key = p384.key, .cert = p384.cert, .md = CACHET_MD_SHA384, .pss = false, .use_ski = false};
    cachet_cms_sign_opts opts = {
        .signers = &so, .num_signers = 1, .detached = true, .signing_time = when};
    cachet_membuf out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(tpki_sign(&opts, (const uint8_t *)"body", 4, TFEED_WHOLE, &out, &err), CACHET_OK);
    for (int tamper = 0; tamper < 2; tamper++) {
        cachet_cms_policy pol = {.trust = trust};
        cachet_cms_verify *v = cachet_cms_verify_new(&pol, NULL, NULL, &err);
        cachet_layer_report layer;
        CHECK_EQ_INT(cachet_cms_verify_detached(v, NULL, 0, &err), CACHET_OK);
        CHECK_EQ_INT(
            cachet_cms_verify_content(v, (const uint8_t *)(tamper ? "bodY" : "body"), 4, &err),
            CACHET_OK);
        CHECK_EQ_INT(cachet_cms_verify_update(v, out.data, out.len, &err), CACHET_OK);
        CHECK_EQ_INT(cachet_cms_verify_finish(v, &layer, &err),
                     tamper ? CACHET_ERR_BAD_SIGNATURE : CACHET_OK);
        cachet_cbs attrs;
        CHECK_EQ_INT(cachet_cms_verify_signed_attrs(v, 0, &attrs), !tamper);
        CHECK(!cachet_cms_verify_signed_attrs(v, 1, &attrs));
        CHECK_EQ_INT(cachet_cms_verify_signer_cert(v, 0) != NULL, !tamper);
        CHECK_EQ_INT(cachet_cms_verify_econtent_type(v), CACHET_OID_DATA);
        CHECK_EQ_INT(cachet_cms_verify_certs(v)->num, 1);
        if (!tamper) {
            /* the smimeCapabilities attribute (1.2.840.113549.1.9.15) is in there */
            static const uint8_t caps_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                               0xf7, 0x0d, 0x01, 0x09, 0x0f};
            bool found = false;
            for (size_t i = 0; i + sizeof(caps_oid) <= attrs.len && !found; i++) {
                found = memcmp(attrs.data + i, caps_oid, sizeof(caps_oid)) == 0;
            }
            CHECK(found);
        }
        cachet_cms_layer_report_clear(&layer);
        cachet_cms_verify_free(v);
    }
    cachet_membuf_free(&out);
}

static const cachet_test_case tests[] = {
    TEST_CASE(signed_attributes_exposed_only_for_valid_signers),
    TEST_CASE(allocation_failures_are_clean),
    TEST_CASE(signed_round_trip_all_algorithms_digests_modes),
    TEST_CASE(signed_empty_content_round_trips),
    TEST_CASE(signed_encapsulated_output_is_indefinite_ber),
    TEST_CASE(two_signers_and_chain_both_reported),
    TEST_CASE(weak_key_refused_unless_allowed_then_flagged),
    TEST_CASE(no_trust_store_means_untrusted_with_valid_signature),
    TEST_CASE(detached_content_changed_is_bad_signature),
    TEST_CASE(ed25519_signature_checks_with_openssl_evp),
    TEST_CASE(sign_rejects_bad_options),
};
TEST_MAIN(tests)
