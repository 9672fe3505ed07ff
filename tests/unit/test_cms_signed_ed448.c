/* Ed448 in CMS (RFC 8419): SHAKE256 with a 512-bit output as the digest
 * (known answer, AlgorithmIdentifiers written and read), SignedData signed by
 * cachet and checked independently with OpenSSL (the signature over
 * DER(signedAttrs), the messageDigest), the SignerInfo's DER, tampering, a
 * digestAlgorithm RFC 8419 does not allow, and pure Ed448 without signed
 * attributes (read only, weak, bounded). */
#include "test_cms_signed_party.h"

static tpki_party ed448;

static void setup_ed448(void) {
    setup();
    if (ed448.key == NULL) {
        ed448 = party_make(EVP_PKEY_Q_keygen(NULL, NULL, "ED448"), "grace", 301);
    }
}

/* RFC 8419 §2.3: id-shake256-len with ShakeOutputLen 512, and id-shake256. */
static const uint8_t shake_len_alg[] = {0x30, 0x0f, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                                        0x03, 0x04, 0x02, 0x12, 0x02, 0x02, 0x02, 0x00};
static const uint8_t shake_alg[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                    0x01, 0x65, 0x03, 0x04, 0x02, 0x0c};
static const uint8_t ed448_alg[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71};
static const uint8_t sha512_alg[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                     0x01, 0x65, 0x03, 0x04, 0x02, 0x03};

static void ossl_shake(const uint8_t *data, size_t len, uint8_t out[64]) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    CHECK(c != NULL && EVP_DigestInit_ex(c, EVP_shake256(), NULL) == 1 &&
          EVP_DigestUpdate(c, data, len) == 1 && EVP_DigestFinalXOF(c, out, 64) == 1);
    EVP_MD_CTX_free(c);
}

/* ossl_ed448: Ed448 (pure) over |data| with OpenSSL, 114 bytes. */
static void ossl_ed448(const uint8_t *data, size_t len, uint8_t sig[114]) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t sig_len = 114;
    CHECK(c != NULL && EVP_DigestSignInit(c, NULL, NULL, NULL, ed448.ossl_key) == 1 &&
          EVP_DigestSign(c, sig, &sig_len, data, len) == 1 && sig_len == 114);
    EVP_MD_CTX_free(c);
}

static uint8_t *pattern(size_t len) {
    uint8_t *p = malloc(len + 1);
    uint32_t r = 11 + (uint32_t)len;
    for (size_t i = 0; i < len; i++) {
        p[i] = (uint8_t)cachet_test_rand(&r);
    }
    return p;
}

static void shake256_512_known_answer(void) {
    /* FIPS 202 example values (SHAKE256, message "abc", first 512 output bits) */
    static const uint8_t abc[64] = {
        0x48, 0x33, 0x66, 0x60, 0x13, 0x60, 0xa8, 0x77, 0x1c, 0x68, 0x63, 0x08, 0x0c,
        0xc4, 0x11, 0x4d, 0x8d, 0xb4, 0x45, 0x30, 0xf8, 0xf1, 0xe1, 0xee, 0x4f, 0x94,
        0xea, 0x37, 0xe7, 0x8b, 0x57, 0x39, 0xd5, 0xa1, 0x5b, 0xef, 0x18, 0x6a, 0x53,
        0x86, 0xc7, 0x57, 0x44, 0xc0, 0x52, 0x7e, 0x1f, 0xaa, 0x9f, 0x87, 0x26, 0xe4,
        0x62, 0xa1, 0x2a, 0x4f, 0xeb, 0x06, 0xbd, 0x88, 0x01, 0xe7, 0x51, 0xe4};
    uint8_t out[64], ref[64];
    CHECK_EQ_INT(cachet_md_size(CACHET_MD_SHAKE256_512), 64);
    CHECK_STR(cachet_md_name(CACHET_MD_SHAKE256_512), "shake256");
    CHECK(cachet_md_oneshot(CACHET_MD_SHAKE256_512, "abc", 3, out));
    CHECK_MEM(out, 64, abc, 64);
    /* streamed byte by byte over a longer input, against OpenSSL's own XOF */
    uint8_t *p = pattern(1000);
    cachet_md_ctx *c = cachet_md_new(CACHET_MD_SHAKE256_512, NULL);
    CHECK(c != NULL);
    for (size_t i = 0; i < 1000; i++) {
        CHECK(cachet_md_update(c, p + i, 1));
    }
    CHECK(cachet_md_final(c, out));
    cachet_md_free(c);
    ossl_shake(p, 1000, ref);
    CHECK_MEM(out, 64, ref, 64);
    free(p);
}

static void shake256_algorithm_identifiers_written_and_read(void) {
    cachet_cbb cbb;
    uint8_t *der = NULL;
    size_t len = 0;
    CHECK(cachet_cbb_init(&cbb, 64, 0) && cachet_cms_add_digest_alg(&cbb, CACHET_MD_SHAKE256_512) &&
          cachet_cbb_finish(&cbb, &der, &len));
    CHECK_MEM(der, len, shake_len_alg, sizeof(shake_len_alg));
    cachet_free(der);
    static const uint8_t shake_null[] = {0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                         0x65, 0x03, 0x04, 0x02, 0x0c, 0x05, 0x00};
    static const uint8_t len256[] = {0x30, 0x0f, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                                     0x03, 0x04, 0x02, 0x12, 0x02, 0x02, 0x01, 0x00};
    static const uint8_t len_absent[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                         0x01, 0x65, 0x03, 0x04, 0x02, 0x12};
    static const uint8_t len_octets[] = {0x30, 0x0f, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                                         0x03, 0x04, 0x02, 0x12, 0x04, 0x02, 0x02, 0x00};
    static const struct {
        const char *name;
        const uint8_t *der;
        size_t len;
        bool ok;
        cachet_md md;
        cachet_oid oid;
    } cases[] = {
        {"id-shake256-len 512", shake_len_alg, sizeof(shake_len_alg), true, CACHET_MD_SHAKE256_512,
         CACHET_OID_SHAKE256_LEN},
        {"id-shake256", shake_alg, sizeof(shake_alg), true, CACHET_MD_SHAKE256_512,
         CACHET_OID_SHAKE256},
        {"id-shake256 NULL", shake_null, sizeof(shake_null), true, CACHET_MD_SHAKE256_512,
         CACHET_OID_SHAKE256},
        {"id-shake256-len 256 (unknown)", len256, sizeof(len256), true, CACHET_MD_NONE,
         CACHET_OID_SHAKE256_LEN},
        {"id-shake256-len without length", len_absent, sizeof(len_absent), false, CACHET_MD_NONE,
         CACHET_OID_UNKNOWN},
        {"id-shake256-len OCTET STRING", len_octets, sizeof(len_octets), false, CACHET_MD_NONE,
         CACHET_OID_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cbs in;
        cachet_md md = CACHET_MD_MD5;
        cachet_oid oid = CACHET_OID_UNKNOWN;
        cachet_cbs_init(&in, cases[i].der, cases[i].len);
        bool ok = cachet_cms_parse_digest_alg(&in, &md, &oid);
        if (ok != cases[i].ok) {
            fprintf(stderr, "case %s\n", cases[i].name);
        }
        CHECK_EQ_INT(ok, cases[i].ok);
        if (cases[i].ok) {
            CHECK_EQ_INT(md, cases[i].md);
            CHECK_EQ_INT(oid, cases[i].oid);
            CHECK_EQ_INT(in.len, 0);
        }
    }
}

static cachet_status sign_ed448(const uint8_t *content, size_t len, bool detached, tfeed mode,
                                cachet_membuf *out, cachet_error *err) {
    cachet_cms_signer_opts so = {.key = ed448.key, .cert = ed448.cert};
    cachet_cms_sign_opts o = {.signers = &so, .num_signers = 1, .detached = detached};
    return tpki_sign(&o, content, len, mode, out, err);
}

static cachet_status verify(const uint8_t *der, size_t len, const uint8_t *detached, size_t dlen,
                            tfeed mode, bool allow_weak, cachet_membuf *got,
                            cachet_layer_report *layer, cachet_error *err) {
    cachet_cms_policy pol = {.trust = trust, .allow_weak = allow_weak};
    return tpki_verify(&pol, der, len, detached, dlen, NULL, 0, mode, got, layer, err);
}

/* memfind_mut: the first occurrence of |n| bytes of |needle| in |hay|. */
static uint8_t *memfind_mut(uint8_t *hay, size_t len, const uint8_t *needle, size_t n) {
    for (size_t i = 0; n <= len && i <= len - n; i++) {
        if (memcmp(hay + i, needle, n) == 0) {
            return hay + i;
        }
    }
    return NULL;
}

static void ed448_signs_and_verifies_opaque_and_detached_in_every_feeding_mode(void) {
    setup_ed448();
    static const size_t sizes[] = {0, 1, MSG_LEN, 5000};
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        uint8_t *content = sizes[si] == MSG_LEN ? (uint8_t *)msg : pattern(sizes[si]);
        for (int detached = 0; detached < 2; detached++) {
            for (tfeed mode = TFEED_WHOLE; mode <= TFEED_RANDOM; mode++) {
                cachet_membuf der = {0}, got = {0};
                cachet_error err = {0};
                cachet_layer_report layer;
                CHECK_EQ_INT(sign_ed448(content, sizes[si], detached, mode, &der, &err), CACHET_OK);
                cachet_status st = verify(der.data, der.len, detached ? content : NULL, sizes[si],
                                          mode, false, &got, &layer, &err);
                if (st != CACHET_OK) {
                    fprintf(stderr, "%zu bytes detached=%d %s: %s (%s)\n", sizes[si], detached,
                            tfeed_names[mode], cachet_status_str(st), err.message);
                }
                CHECK_EQ_INT(st, CACHET_OK);
                CHECK_EQ_INT(layer.num_signers, 1);
                if (layer.num_signers == 1) {
                    CHECK_EQ_INT(layer.signers[0].signature_valid, true);
                    CHECK_EQ_INT(layer.signers[0].chain, CACHET_CHAIN_TRUSTED);
                    CHECK_STR(layer.signers[0].algorithm, "ed448");
                    CHECK_STR(layer.signers[0].digest, "shake256");
                    CHECK_STR(layer.signers[0].subject, "CN=grace");
                    CHECK_EQ_INT(layer.signers[0].weak, false);
                }
                if (detached) {
                    CHECK_EQ_INT(got.len, 0);
                } else {
                    CHECK_MEM(got.data, got.len, content, sizes[si]);
                }
                cachet_cms_layer_report_clear(&layer);
                cachet_membuf_free(&got);
                cachet_membuf_free(&der);
            }
        }
        if (content != msg) {
            free(content);
        }
    }
}

/* Independent checks: OpenSSL verifies the Ed448 signature over DER(signedAttrs)
 * (EXPLICIT SET tag, RFC 5652 §5.4) and the messageDigest is OpenSSL's
 * SHAKE256-512 of the content (RFC 8419 §3.1). */
static void ed448_signature_and_message_digest_check_with_openssl(void) {
    setup_ed448();
    cachet_membuf der = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_ed448(msg, MSG_LEN, true, TFEED_WHOLE, &der, &err), CACHET_OK);
    cachet_cbs attrs, sig;
    CHECK(tpki_first_signer(der.data, der.len, &attrs, &sig));
    CHECK_EQ_INT(sig.len, 114);
    uint8_t *tbs = malloc(attrs.len);
    memcpy(tbs, attrs.data, attrs.len);
    tbs[0] = 0x31;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    CHECK(c != NULL && EVP_DigestVerifyInit(c, NULL, NULL, NULL, ed448.ossl_key) == 1 &&
          EVP_DigestVerify(c, sig.data, sig.len, tbs, attrs.len) == 1);
    EVP_MD_CTX_free(c);
    uint8_t md_value[66] = {0x04, 0x40};
    ossl_shake(msg, MSG_LEN, md_value + 2);
    CHECK(memfind_mut(tbs, attrs.len, md_value, sizeof(md_value)) != NULL);
    free(tbs);
    cachet_membuf_free(&der);
}

/* RFC 8419 §3.1: digestAlgorithms holds id-shake256-len(512), the SignerInfo's
 * digestAlgorithm is id-shake256-len(512), signatureAlgorithm id-Ed448 without
 * parameters. */
static void ed448_signer_info_der_is_rfc8419(void) {
    setup_ed448();
    cachet_membuf der = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_ed448(msg, MSG_LEN, true, TFEED_WHOLE, &der, &err), CACHET_OK);
    cachet_cbs in, ci, wrap, sd, algs, skip, sis, si, dalg, salg;
    cachet_cbs_init(&in, der.data, der.len);
    bool ok = cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) &&
              cachet_cbs_get_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbs_get_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_INTEGER) &&
              cachet_cbs_get_asn1(&sd, &algs, CACHET_ASN1_SET) &&
              cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbs_get_asn1(&sd, &sis, CACHET_ASN1_SET) &&
              cachet_cbs_get_asn1(&sis, &si, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_asn1(&si, &skip, CACHET_ASN1_INTEGER) &&
              cachet_cbs_get_asn1(&si, &skip, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_asn1_element(&si, &dalg, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_asn1(&si, &skip, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbs_get_asn1_element(&si, &salg, CACHET_ASN1_SEQUENCE);
    CHECK(ok);
    if (ok) {
        CHECK_MEM(algs.data, algs.len, shake_len_alg, sizeof(shake_len_alg));
        CHECK_MEM(dalg.data, dalg.len, shake_len_alg, sizeof(shake_len_alg));
        CHECK_MEM(salg.data, salg.len, ed448_alg, sizeof(ed448_alg));
    }
    cachet_membuf_free(&der);
}

static void ed448_tampered_content_or_attributes_fail(void) {
    setup_ed448();
    uint8_t other[MSG_LEN];
    memcpy(other, msg, MSG_LEN);
    other[4] ^= 1;
    cachet_membuf der = {0}, got = {0};
    cachet_error err = {0};
    cachet_layer_report layer;
    /* detached: other content */
    CHECK_EQ_INT(sign_ed448(msg, MSG_LEN, true, TFEED_WHOLE, &der, &err), CACHET_OK);
    CHECK_EQ_INT(verify(der.data, der.len, other, MSG_LEN, TFEED_RANDOM, false, &got, &layer, &err),
                 CACHET_ERR_BAD_SIGNATURE);
    CHECK(layer.num_signers == 1 && !layer.signers[0].signature_valid);
    cachet_cms_layer_report_clear(&layer);
    /* a changed signed attribute: the messageDigest's last byte */
    cachet_cbs attrs, sig;
    CHECK(tpki_first_signer(der.data, der.len, &attrs, &sig));
    uint8_t md_value[66] = {0x04, 0x40};
    cachet_md_oneshot(CACHET_MD_SHAKE256_512, msg, MSG_LEN, md_value + 2);
    uint8_t *at = memfind_mut(der.data, der.len, md_value, sizeof(md_value));
    CHECK(at != NULL);
    if (at != NULL) {
        at[sizeof(md_value) - 1] ^= 0x80;
        CHECK_EQ_INT(
            verify(der.data, der.len, msg, MSG_LEN, TFEED_WHOLE, false, &got, &layer, &err),
            CACHET_ERR_BAD_SIGNATURE);
        cachet_cms_layer_report_clear(&layer);
        /* and the same digest altered to match changed content still fails:
         * the signature covers the attributes */
        cachet_md_oneshot(CACHET_MD_SHAKE256_512, other, MSG_LEN, at + 2);
        CHECK_EQ_INT(
            verify(der.data, der.len, other, MSG_LEN, TFEED_WHOLE, false, &got, &layer, &err),
            CACHET_ERR_BAD_SIGNATURE);
        cachet_cms_layer_report_clear(&layer);
    }
    cachet_membuf_free(&der);
    /* opaque: a changed eContent byte */
    CHECK_EQ_INT(sign_ed448(msg, MSG_LEN, false, TFEED_WHOLE, &der, &err), CACHET_OK);
    at = memfind_mut(der.data, der.len, msg, MSG_LEN);
    CHECK(at != NULL);
    if (at != NULL) {
        at[4] ^= 1;
        CHECK_EQ_INT(verify(der.data, der.len, NULL, 0, TFEED_BYTES, false, &got, &layer, &err),
                     CACHET_ERR_BAD_SIGNATURE);
        cachet_cms_layer_report_clear(&layer);
    }
    cachet_membuf_free(&got);
    cachet_membuf_free(&der);
}

/* A SignedData with signedAttrs signed here by OpenSSL's Ed448, with the given
 * digest (for messageDigest) and digestAlgorithm. */
static uint8_t *ed448_with_attrs(cachet_md md, bytes digest_alg, size_t *out_len) {
    attr_spec a[3] = {
        ct_attr(CACHET_OID_DATA), {.type = CACHET_OID_ATTR_MESSAGE_DIGEST}, time_attr()};
    a[1].values[0] = 0x04;
    a[1].values[1] = (uint8_t)cachet_md_size(md);
    CHECK(cachet_md_oneshot(md, msg, MSG_LEN, a[1].values + 2));
    a[1].values_len = 2 + cachet_md_size(md);
    cachet_membuf attrs = build_attrs(a, 3, true);
    uint8_t sig[114];
    ossl_ed448(attrs.data, attrs.len, sig);
    sdb s = {.content = {msg, MSG_LEN},
             .attrs = {attrs.data, attrs.len},
             .sig = B(sig),
             .sig_alg = B(ed448_alg),
             .digest_alg = digest_alg,
             .digest_algs = digest_alg,
             .signer = &ed448};
    uint8_t *der = build_sd(&s, out_len);
    cachet_membuf_free(&attrs);
    return der;
}

/* RFC 8419 §3.1 MUST: Ed448 with signed attributes uses SHAKE256-512. A message
 * claiming SHA-512 (consistent in itself) is a combination the RFC does not
 * define: UNSUPPORTED, never valid. The same builder with id-shake256-len, or
 * with id-shake256 (accepted on read), verifies. */
static void ed448_with_sha512_digest_algorithm_is_unsupported(void) {
    setup_ed448();
    static const struct {
        const char *name;
        cachet_md md;
        const uint8_t *alg;
        size_t alg_len;
        cachet_status want;
    } cases[] = {
        {"shake256-len", CACHET_MD_SHAKE256_512, shake_len_alg, sizeof(shake_len_alg), CACHET_OK},
        {"shake256", CACHET_MD_SHAKE256_512, shake_alg, sizeof(shake_alg), CACHET_OK},
        {"sha512", CACHET_MD_SHA512, sha512_alg, sizeof(sha512_alg), CACHET_ERR_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0;
        uint8_t *der = ed448_with_attrs(cases[i].md, (bytes){cases[i].alg, cases[i].alg_len}, &len);
        cachet_membuf got = {0};
        cachet_error err = {0};
        cachet_layer_report layer;
        cachet_status st = verify(der, len, NULL, 0, TFEED_WHOLE, true, &got, &layer, &err);
        if (st != cases[i].want) {
            fprintf(stderr, "case %s: %s (%s)\n", cases[i].name, cachet_status_str(st),
                    err.message);
        }
        CHECK_EQ_INT(st, cases[i].want);
        CHECK(layer.num_signers == 1 &&
              layer.signers[0].signature_valid == (cases[i].want == CACHET_OK));
        if (cases[i].want != CACHET_OK && layer.num_signers == 1) {
            CHECK(strstr(layer.signers[0].signature_detail, "id-shake256-len") != NULL);
        }
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&got);
        cachet_free(der);
    }
}

/* RFC 8419 §3.2: without signedAttrs Ed448 signs the content itself and the
 * digestAlgorithm is id-shake256. Read only, behind allow_weak (SG-03), weak. */
static void pure_ed448_verifies_only_with_allow_weak(void) {
    setup_ed448();
    uint8_t *content = pattern(3000);
    uint8_t sig[114];
    ossl_ed448(content, 3000, sig);
    for (int detached = 0; detached < 2; detached++) {
        sdb s = {.content = {content, 3000},
                 .detached = detached,
                 .sig = B(sig),
                 .sig_alg = B(ed448_alg),
                 .digest_alg = B(shake_alg),
                 .digest_algs = B(shake_alg),
                 .signer = &ed448};
        size_t len = 0;
        uint8_t *der = build_sd(&s, &len);
        for (tfeed mode = TFEED_WHOLE; mode <= TFEED_RANDOM; mode++) {
            cachet_membuf got = {0};
            cachet_error err = {0};
            cachet_layer_report layer;
            cachet_status st =
                verify(der, len, detached ? content : NULL, 3000, mode, true, &got, &layer, &err);
            if (st != CACHET_OK) {
                fprintf(stderr, "pure detached=%d %s: %s\n", detached, tfeed_names[mode],
                        err.message);
            }
            CHECK_EQ_INT(st, CACHET_OK);
            CHECK(layer.num_signers == 1 && layer.signers[0].weak &&
                  strcmp(layer.signers[0].algorithm, "ed448") == 0);
            cachet_cms_layer_report_clear(&layer);
            cachet_membuf_free(&got);
            CHECK_EQ_INT(
                verify(der, len, detached ? content : NULL, 3000, mode, false, &got, &layer, &err),
                CACHET_ERR_ATTRIBUTES);
            cachet_cms_layer_report_clear(&layer);
            cachet_membuf_free(&got);
        }
        if (detached) {
            content[7] ^= 1;
            cachet_membuf got = {0};
            cachet_error err = {0};
            cachet_layer_report layer;
            CHECK_EQ_INT(verify(der, len, content, 3000, TFEED_WHOLE, true, &got, &layer, &err),
                         CACHET_ERR_BAD_SIGNATURE);
            cachet_cms_layer_report_clear(&layer);
            content[7] ^= 1;
        }
        cachet_free(der);
    }
    free(content);
}

/* SHAKE256 belongs to Ed448 only: an RSA signer claiming it (messageDigest
 * consistent, signature over the attributes valid under SHA-256) is UNSUPPORTED,
 * so the XOF never reaches the RSA/ECDSA digest paths. */
static void shake256_with_rsa_is_unsupported(void) {
    setup();
    attr_spec a[3] = {
        ct_attr(CACHET_OID_DATA), {.type = CACHET_OID_ATTR_MESSAGE_DIGEST}, time_attr()};
    a[1].values[0] = 0x04;
    a[1].values[1] = 64;
    CHECK(cachet_md_oneshot(CACHET_MD_SHAKE256_512, msg, MSG_LEN, a[1].values + 2));
    a[1].values_len = 66;
    cachet_membuf attrs = build_attrs(a, 3, true);
    sdb s = {.content = {msg, MSG_LEN},
             .attrs = {attrs.data, attrs.len},
             .digest_alg = B(shake_len_alg),
             .digest_algs = B(shake_len_alg)};
    size_t len = 0;
    uint8_t *der = build_sd(&s, &len);
    cachet_membuf got = {0};
    cachet_error err = {0};
    cachet_layer_report layer;
    CHECK_EQ_INT(verify(der, len, NULL, 0, TFEED_WHOLE, true, &got, &layer, &err),
                 CACHET_ERR_UNSUPPORTED);
    CHECK(layer.num_signers == 1 && strstr(layer.signers[0].signature_detail, "only with Ed448"));
    cachet_cms_layer_report_clear(&layer);
    cachet_membuf_free(&got);
    cachet_membuf_free(&attrs);
    cachet_free(der);
}

/* The kept-content bound of pure EdDSA (CACHET_CMS_PURE_EDDSA_MAX) holds for
 * Ed448 too: one byte over it is LIMIT, opaque and detached. */
static void pure_ed448_over_the_bound_is_limit(void) {
    setup_ed448();
    size_t n = CACHET_CMS_PURE_EDDSA_MAX + 1;
    uint8_t *content = pattern(n);
    uint8_t sig[114];
    ossl_ed448(content, n, sig);
    for (int detached = 0; detached < 2; detached++) {
        sdb s = {.content = {content, n},
                 .detached = detached,
                 .sig = B(sig),
                 .sig_alg = B(ed448_alg),
                 .digest_alg = B(shake_alg),
                 .digest_algs = B(shake_alg),
                 .signer = &ed448};
        size_t len = 0;
        uint8_t *der = build_sd(&s, &len);
        cachet_membuf got = {0};
        cachet_error err = {0};
        cachet_layer_report layer;
        CHECK_EQ_INT(
            verify(der, len, detached ? content : NULL, n, TFEED_RANDOM, true, &got, &layer, &err),
            CACHET_ERR_LIMIT);
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&got);
        cachet_free(der);
    }
    free(content);
}

static const cachet_test_case tests[] = {
    TEST_CASE(shake256_512_known_answer),
    TEST_CASE(shake256_algorithm_identifiers_written_and_read),
    TEST_CASE(ed448_signs_and_verifies_opaque_and_detached_in_every_feeding_mode),
    TEST_CASE(ed448_signature_and_message_digest_check_with_openssl),
    TEST_CASE(ed448_signer_info_der_is_rfc8419),
    TEST_CASE(ed448_tampered_content_or_attributes_fail),
    TEST_CASE(ed448_with_sha512_digest_algorithm_is_unsupported),
    TEST_CASE(pure_ed448_verifies_only_with_allow_weak),
    TEST_CASE(shake256_with_rsa_is_unsupported),
    TEST_CASE(pure_ed448_over_the_bound_is_limit),
};
TEST_MAIN(tests)
