/* Pure Ed25519 SignerInfos (RFC 8419 §3: no signedAttrs, EdDSA over the content
 * itself). The signatures are made here with OpenSSL's EVP (EVP_DigestSign with
 * no digest: the independent signer) and wrapped by the test SignedData builder.
 * They are verified opaque and detached in every feeding mode, at and over the
 * bound CACHET_CMS_PURE_EDDSA_MAX, with a wrong digestAlgorithm, over changed
 * content and as ForgedAttributes. Having no signedAttrs, they are refused unless
 * policy.allow_weak (ATTACKS.md SG-03) and then reported weak. cms/attributes.h is
 * included to look at the content copy itself: absent when it cannot matter,
 * bounded, dropped at finish. */
#include "cms/attributes.h"
#include "test_cms_signed_builder.h"

static tpki_party ed;

static void setup_ed(void) {
    setup();
    if (ed.key == NULL) {
        ed = tpki_make(TPKI_ED25519, "ed", &ca, 102);
    }
}

static const uint8_t ed25519_alg[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
static const uint8_t sha512_alg[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                     0x01, 0x65, 0x03, 0x04, 0x02, 0x03};
static const uint8_t sha256_alg[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                     0x01, 0x65, 0x03, 0x04, 0x02, 0x01};

/* ossl_sign: Ed25519 over |data| with OpenSSL (64 bytes into |sig|). */
static void ossl_sign(const uint8_t *data, size_t len, uint8_t sig[64]) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t sig_len = 64;
    CHECK(c != NULL && EVP_DigestSignInit(c, NULL, NULL, NULL, ed.ossl_key) == 1 &&
          EVP_DigestSign(c, sig, &sig_len, data, len) == 1 && sig_len == 64);
    EVP_MD_CTX_free(c);
}

static bool ossl_verifies(const uint8_t *data, size_t len, const uint8_t sig[64]) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = c != NULL && EVP_DigestVerifyInit(c, NULL, NULL, NULL, ed.ossl_key) == 1 &&
              EVP_DigestVerify(c, sig, 64, data, len) == 1;
    EVP_MD_CTX_free(c);
    return ok;
}

/* pure_sd: a SignedData whose one SignerInfo is Ed25519 without signedAttrs, with
 * |sig| (which the caller made over the content, or over something else). */
static uint8_t *pure_sd(const uint8_t *content, size_t len, bool detached, bool ski,
                        const uint8_t sig[64], bytes digest_alg, bytes digest_algs,
                        size_t *out_len) {
    sdb s = {.content = {content, len},
             .detached = detached,
             .sig = {sig, 64},
             .sig_alg = B(ed25519_alg),
             .digest_alg = digest_alg,
             .digest_algs = digest_algs,
             .version = ski ? 3 : 1,
             .ski = ski,
             .signer = &ed};
    return build_sd(&s, out_len);
}

static uint8_t *pure_ok(const uint8_t *content, size_t len, bool detached, bool ski,
                        size_t *out_len) {
    uint8_t sig[64];
    ossl_sign(content, len, sig);
    return pure_sd(content, len, detached, ski, sig, B(sha512_alg), B(sha512_alg), out_len);
}

static cachet_status verify_mode(const uint8_t *der, size_t len, bool detached,
                                 const uint8_t *content, size_t content_len, const cachet_md *mds,
                                 size_t num_mds, tfeed mode, bool allow_weak, cachet_membuf *got,
                                 cachet_layer_report *layer, cachet_error *err) {
    cachet_cms_policy pol = {.trust = trust, .allow_weak = allow_weak};
    return tpki_verify(&pol, der, len, detached ? content : NULL, content_len, mds, num_mds, mode,
                       got, layer, err);
}

static uint8_t *pattern(size_t len) {
    uint8_t *p = malloc(len + 1);
    uint32_t r = 7 + (uint32_t)len;
    for (size_t i = 0; i < len; i++) {
        p[i] = (uint8_t)cachet_test_rand(&r);
    }
    return p;
}

static void pure_ed25519_verifies_opaque_and_detached_in_every_feeding_mode(void) {
    setup_ed();
    static const size_t sizes[] = {0, 1, MSG_LEN, 5000};
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        uint8_t *content = sizes[si] == MSG_LEN ? (uint8_t *)msg : pattern(sizes[si]);
        for (int detached = 0; detached < 2; detached++) {
            bool ski = si % 2 == 1;
            size_t len = 0;
            uint8_t *der = pure_ok(content, sizes[si], detached, ski, &len);
            for (tfeed mode = TFEED_WHOLE; mode <= TFEED_RANDOM; mode++) {
                cachet_membuf got = {0};
                cachet_layer_report layer;
                cachet_error err = {0};
                cachet_status st = verify_mode(der, len, detached, content, sizes[si], NULL, 0,
                                               mode, true, &got, &layer, &err);
                if (st != CACHET_OK) {
                    fprintf(stderr, "%zu bytes detached=%d %s: %s (%s)\n", sizes[si], detached,
                            tfeed_names[mode], cachet_status_str(st), err.message);
                }
                CHECK_EQ_INT(st, CACHET_OK);
                CHECK_EQ_INT(layer.num_signers, 1);
                if (layer.num_signers == 1) {
                    CHECK_EQ_INT(layer.signers[0].signature_valid, true);
                    CHECK_EQ_INT(layer.signers[0].chain, CACHET_CHAIN_TRUSTED);
                    CHECK_STR(layer.signers[0].algorithm, "ed25519");
                    CHECK_STR(layer.signers[0].digest, "sha512");
                    CHECK_EQ_INT(layer.signers[0].sid_is_ski, ski);
                    CHECK_STR(layer.signers[0].subject, "CN=ed");
                    CHECK_EQ_INT(layer.signers[0].weak, true);
                }
                if (!detached) {
                    CHECK_MEM(got.data, got.len, content, sizes[si]);
                } else {
                    CHECK_EQ_INT(got.len, 0);
                }
                cachet_cms_layer_report_clear(&layer);
                cachet_membuf_free(&got);
            }
            cachet_free(der);
        }
        if (content != msg) {
            free(content);
        }
    }
}

/* The signature is over the content itself: changed content, a changed signature,
 * or a signature over the content's SHA-512 (pre-hashed) all fail. */
static void changed_content_or_prehashed_signature_is_bad(void) {
    setup_ed();
    uint8_t other[MSG_LEN];
    memcpy(other, msg, MSG_LEN);
    other[4] ^= 1;
    uint8_t sig[64], sig_flipped[64], sig_prehash[64], h[64];
    ossl_sign(msg, MSG_LEN, sig);
    memcpy(sig_flipped, sig, 64);
    sig_flipped[10] ^= 0x80;
    CHECK(cachet_md_oneshot(CACHET_MD_SHA512, msg, MSG_LEN, h));
    ossl_sign(h, sizeof(h), sig_prehash);
    struct {
        const char *name;
        const uint8_t *sig;
        const uint8_t *fed; /* detached content fed, or NULL for opaque */
    } cases[] = {
        {"detached, one bit of content changed", sig, other},
        {"opaque, signature bit flipped", sig_flipped, NULL},
        {"detached, signature bit flipped", sig_flipped, msg},
        {"opaque, signature over SHA-512(content)", sig_prehash, NULL},
        {"detached, signature over SHA-512(content)", sig_prehash, msg},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool detached = cases[i].fed != NULL;
        size_t len = 0;
        uint8_t *der = pure_sd(msg, MSG_LEN, detached, false, cases[i].sig, B(sha512_alg),
                               B(sha512_alg), &len);
        for (tfeed mode = TFEED_WHOLE; mode <= TFEED_RANDOM; mode++) {
            cachet_membuf got = {0};
            cachet_layer_report layer;
            cachet_error err = {0};
            cachet_status st = verify_mode(der, len, detached, cases[i].fed, MSG_LEN, NULL, 0, mode,
                                           true, &got, &layer, &err);
            if (st != CACHET_ERR_BAD_SIGNATURE) {
                fprintf(stderr, "case '%s': %s (%s)\n", cases[i].name, cachet_status_str(st),
                        err.message);
            }
            CHECK_EQ_INT(st, CACHET_ERR_BAD_SIGNATURE);
            CHECK_STR(err.where, "SignedData.signerInfos[0]");
            CHECK(strstr(err.message, "signature does not verify") != NULL);
            cachet_cms_layer_report_clear(&layer);
            cachet_membuf_free(&got);
        }
        cachet_free(der);
    }
}

/* Content of exactly CACHET_CMS_PURE_EDDSA_MAX bytes verifies; one byte more is
 * CACHET_ERR_LIMIT with a message that says why and what to do, and the copy is
 * gone as soon as the content passes the bound (not only at finish). */
static void content_over_the_bound_is_limit(void) {
    setup_ed();
    const size_t max = CACHET_CMS_PURE_EDDSA_MAX;
    uint8_t *content = pattern(max + 1);
    for (int over = 0; over < 2; over++) {
        size_t clen = max + (size_t)over;
        for (int detached = 0; detached < 2; detached++) {
            size_t len = 0;
            uint8_t *der = pure_ok(content, clen, detached, false, &len);
            CHECK(ossl_verifies(content, clen, (const uint8_t *)der + len - 64));
            cachet_cms_policy pol = {.trust = trust, .allow_weak = true};
            cachet_membuf got = {0};
            cachet_sink sink = cachet_sink_membuf(&got);
            cachet_error err = {0};
            cachet_cms_verify *v = cachet_cms_verify_new(&pol, NULL, &sink, &err);
            uint32_t rng = 99;
            const uint8_t *feed = detached ? content : der;
            size_t feed_len = detached ? clen : len;
            if (detached) {
                CHECK_EQ_INT(cachet_cms_verify_detached(v, NULL, 0, &err), CACHET_OK);
            }
            for (size_t off = 0; off < feed_len;) {
                size_t n = tfeed_next(TFEED_RANDOM, feed_len - off, &rng);
                cachet_status st = detached ? cachet_cms_verify_content(v, feed + off, n, &err)
                                            : cachet_cms_verify_update(v, feed + off, n, &err);
                CHECK_EQ_INT(st, CACHET_OK);
                off += n;
            }
            if (detached) {
                CHECK_EQ_INT(cachet_cms_verify_update(v, der, len, &err), CACHET_OK);
            }
            /* before finish: the whole content held at the bound, nothing over it */
            CHECK_EQ_INT(v->kept_over, over);
            CHECK_EQ_INT(v->kept_len, over ? 0 : max);
            CHECK(over ? v->kept == NULL : v->kept_cap == max);
            cachet_layer_report layer;
            cachet_status st = cachet_cms_verify_finish(v, &layer, &err);
            CHECK_EQ_INT(st, over ? CACHET_ERR_LIMIT : CACHET_OK);
            CHECK(v->kept == NULL);
            CHECK_EQ_INT(layer.num_signers, 1);
            if (over && layer.num_signers == 1) {
                CHECK_EQ_INT(layer.signers[0].signature_status, CACHET_ERR_LIMIT);
                CHECK_EQ_INT(layer.signers[0].signature_valid, false);
                CHECK_STR(err.where, "SignedData.signerInfos[0]");
                CHECK(strstr(err.message, "pure EdDSA") != NULL);
                CHECK(strstr(err.message, "larger than 1048576 bytes") != NULL);
                CHECK(strstr(err.message, "signed attributes") != NULL);
            }
            cachet_cms_layer_report_clear(&layer);
            cachet_cms_verify_free(v);
            cachet_membuf_free(&got);
            cachet_free(der);
        }
    }
    free(content);
}

/* RFC 8419 §3.1: Ed25519's digestAlgorithm is SHA-512, also without signedAttrs. */
static void digest_algorithm_other_than_sha512_is_refused(void) {
    setup_ed();
    uint8_t sig[64];
    ossl_sign(msg, MSG_LEN, sig);
    uint8_t both[sizeof(sha256_alg) + sizeof(sha512_alg)];
    memcpy(both, sha256_alg, sizeof(sha256_alg));
    memcpy(both + sizeof(sha256_alg), sha512_alg, sizeof(sha512_alg));
    static const cachet_md only256 = CACHET_MD_SHA256, only512 = CACHET_MD_SHA512;
    struct {
        const char *name;
        bytes digest_alg, digest_algs;
        bool detached;
        const cachet_md *mds; /* detached only */
        cachet_status want;
        const char *says;
    } cases[] = {
        {"SHA-256 digestAlgorithm", B(sha256_alg), B(sha256_alg), false, NULL,
         CACHET_ERR_BAD_SIGNATURE, "requires digestAlgorithm SHA-512"},
        {"SHA-256 digestAlgorithm, detached", B(sha256_alg), B(both), true, NULL,
         CACHET_ERR_BAD_SIGNATURE, "requires digestAlgorithm SHA-512"},
        {"SHA-512 not in digestAlgorithms", B(sha512_alg), B(sha256_alg), false, NULL,
         CACHET_ERR_UNSUPPORTED, "not in SignedData.digestAlgorithms"},
        {"micalg sha-256 only", B(sha512_alg), B(sha512_alg), true, &only256,
         CACHET_ERR_UNSUPPORTED, "sha512 was not computed"},
        {"micalg sha-512 only", B(sha512_alg), B(sha512_alg), true, &only512, CACHET_OK,
         "signature valid"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0;
        uint8_t *der = pure_sd(msg, MSG_LEN, cases[i].detached, false, sig, cases[i].digest_alg,
                               cases[i].digest_algs, &len);
        cachet_membuf got = {0};
        cachet_layer_report layer;
        cachet_error err = {0};
        cachet_status st =
            verify_mode(der, len, cases[i].detached, msg, MSG_LEN, cases[i].mds,
                        cases[i].mds != NULL ? 1 : 0, TFEED_RANDOM, true, &got, &layer, &err);
        const char *detail = layer.num_signers == 1 ? layer.signers[0].signature_detail : "";
        if (st != cases[i].want || strstr(detail, cases[i].says) == NULL) {
            fprintf(stderr, "case '%s': %s (%s)\n", cases[i].name, cachet_status_str(st), detail);
        }
        CHECK_EQ_INT(st, cases[i].want);
        CHECK(strstr(detail, cases[i].says) != NULL);
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&got);
        cachet_free(der);
    }
}

/* No copy when it cannot matter: an RSA/SHA-256 message (opaque, or detached with
 * micalg sha-256) keeps nothing, nor does a SHA-512 one without allow_weak (a pure
 * Ed25519 signer is then refused, SG-03); a SHA-512 one with allow_weak keeps the
 * content until finish. */
static void content_copy_only_when_sha512_is_computed(void) {
    setup_ed();
    sdb rsa = {.content = {msg, MSG_LEN}};
    size_t rlen = 0, elen = 0;
    uint8_t *rder = build_sd(&rsa, &rlen);
    uint8_t *eder = pure_ok(msg, MSG_LEN, false, false, &elen);
    static const cachet_md only256 = CACHET_MD_SHA256;
    for (int i = 0; i < 4; i++) {
        bool is_ed = i >= 2, detached = i == 1, weak = i != 3, kept = is_ed && weak;
        cachet_cms_policy pol = {.trust = trust, .allow_weak = weak};
        cachet_error err = {0};
        cachet_cms_verify *v = cachet_cms_verify_new(&pol, NULL, NULL, &err);
        if (detached) {
            sdb d = rsa;
            d.detached = true;
            cachet_free(rder);
            rder = build_sd(&d, &rlen);
            CHECK_EQ_INT(cachet_cms_verify_detached(v, &only256, 1, &err), CACHET_OK);
            CHECK_EQ_INT(cachet_cms_verify_content(v, msg, MSG_LEN, &err), CACHET_OK);
        }
        CHECK_EQ_INT(cachet_cms_verify_update(v, is_ed ? eder : rder, is_ed ? elen : rlen, &err),
                     CACHET_OK);
        CHECK_EQ_INT(v->keep_content, kept);
        CHECK_EQ_INT(v->kept_len, kept ? MSG_LEN : 0);
        CHECK_EQ_INT(v->kept != NULL, kept);
        cachet_layer_report layer;
        CHECK_EQ_INT(cachet_cms_verify_finish(v, &layer, &err),
                     is_ed && !weak ? CACHET_ERR_ATTRIBUTES : CACHET_OK);
        CHECK(v->kept == NULL);
        cachet_cms_layer_report_clear(&layer);
        cachet_cms_verify_free(v);
    }
    cachet_free(rder);
    cachet_free(eder);
}

/* Without allow_weak a pure Ed25519 signer (no signedAttrs) is refused with
 * ATTRIBUTES before its signature is looked at (SG-03), opaque and detached, in
 * every feeding mode, and is not reported weak (it was not accepted). */
static void pure_ed25519_without_allow_weak_is_attributes(void) {
    setup_ed();
    for (int detached = 0; detached < 2; detached++) {
        size_t len = 0;
        uint8_t *der = pure_ok(msg, MSG_LEN, detached, false, &len);
        for (tfeed mode = TFEED_WHOLE; mode <= TFEED_RANDOM; mode++) {
            cachet_membuf got = {0};
            cachet_layer_report layer;
            cachet_error err = {0};
            cachet_status st = verify_mode(der, len, detached, msg, MSG_LEN, NULL, 0, mode, false,
                                           &got, &layer, &err);
            CHECK_EQ_INT(st, CACHET_ERR_ATTRIBUTES);
            CHECK_STR(err.where, "SignedData.signerInfos[0]");
            CHECK_STR(err.message, "SignerInfo without signed attributes refused (ForgedAttributes "
                                   "risk, ATTACKS SG-03); accepted only when weak algorithms are "
                                   "allowed (reported weak)");
            CHECK_EQ_INT(layer.num_signers, 1);
            if (layer.num_signers == 1) {
                CHECK_EQ_INT(layer.signers[0].signature_status, CACHET_ERR_ATTRIBUTES);
                CHECK_EQ_INT(layer.signers[0].signature_valid, false);
                CHECK_EQ_INT(layer.signers[0].weak, false);
                CHECK_STR(layer.signers[0].algorithm, "ed25519");
            }
            cachet_cms_layer_report_clear(&layer);
            cachet_membuf_free(&got);
        }
        cachet_free(der);
    }
}

/* SG-03 still applies with allow_weak: a pure Ed25519 signature over content that
 * is a DER SignedAttributes (exactly what an Ed25519 signer with signedAttrs
 * signs) is refused as ForgedAttributes although the signature itself is valid;
 * without allow_weak it is refused earlier, for having no signedAttrs. */
static void forged_attributes_with_pure_ed25519_are_rejected(void) {
    setup_ed();
    attr_spec a[] = {ct_attr(CACHET_OID_DATA), md_attr(msg, MSG_LEN, false)};
    cachet_membuf attrs = build_attrs(a, 2, true);
    uint8_t sig[64];
    ossl_sign(attrs.data, attrs.len, sig);
    CHECK(ossl_verifies(attrs.data, attrs.len, sig));
    for (int detached = 0; detached < 2; detached++) {
        size_t len = 0;
        uint8_t *der = pure_sd(attrs.data, attrs.len, detached, false, sig, B(sha512_alg),
                               B(sha512_alg), &len);
        for (int weak = 0; weak < 2; weak++) {
            cachet_membuf got = {0};
            cachet_layer_report layer;
            cachet_error err = {0};
            cachet_status st = verify_mode(der, len, detached, attrs.data, attrs.len, NULL, 0,
                                           TFEED_BYTES, weak, &got, &layer, &err);
            CHECK_EQ_INT(st, CACHET_ERR_ATTRIBUTES);
            CHECK_EQ_INT(strstr(err.message, "without signed attributes refused") != NULL, !weak);
            CHECK_EQ_INT(strstr(err.message, "content is a SignedAttributes structure") != NULL,
                         weak);
            CHECK_EQ_INT(layer.num_signers == 1 && layer.signers[0].signature_valid, false);
            cachet_cms_layer_report_clear(&layer);
            cachet_membuf_free(&got);
        }
        cachet_free(der);
    }
    cachet_membuf_free(&attrs);
}

static const cachet_test_case tests[] = {
    TEST_CASE(pure_ed25519_verifies_opaque_and_detached_in_every_feeding_mode),
    TEST_CASE(changed_content_or_prehashed_signature_is_bad),
    TEST_CASE(content_over_the_bound_is_limit),
    TEST_CASE(digest_algorithm_other_than_sha512_is_refused),
    TEST_CASE(content_copy_only_when_sha512_is_computed),
    TEST_CASE(pure_ed25519_without_allow_weak_is_attributes),
    TEST_CASE(forged_attributes_with_pure_ed25519_are_rejected),
};
TEST_MAIN(tests)
