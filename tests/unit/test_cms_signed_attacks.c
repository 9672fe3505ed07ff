/* ATTACKS.md §2, signed-attribute and algorithm rules: SG-03 (ForgedAttributes),
 * SG-04, SG-05, SG-06, SG-07, SG-11, SG-12. Every message differs from a valid one
 * in exactly the property under test (test_cms_signed_builder.h). */
#include "test_cms_signed_builder.h"

/* verify_policy: verify_built with |allow_weak| chosen, in feeding |mode|, with
 * the signer report kept in |layer| (the caller clears it). */
static cachet_status verify_policy(const uint8_t *der, size_t len, const uint8_t *detached,
                                   size_t dlen, bool allow_weak, tfeed mode, cachet_membuf *got,
                                   cachet_layer_report *layer, cachet_error *err) {
    cachet_cms_policy pol = {.trust = trust, .allow_weak = allow_weak};
    return tpki_verify(&pol, der, len, detached, dlen, NULL, 0, mode, got, layer, err);
}

static const char no_attrs_refused[] =
    "SignerInfo without signed attributes refused (ForgedAttributes risk, ATTACKS SG-03); "
    "accepted only when weak algorithms are allowed (reported weak)";

static void builder_baseline_is_valid(void) {
    setup();
    attr_spec a[] = {ct_attr(CACHET_OID_DATA), md_attr(msg, MSG_LEN, false), time_attr()};
    cachet_error err = {0};
    CHECK_EQ_INT(verify_attrs(a, 3, true, 0, &err), CACHET_OK);
}

/* Issue 5 quirk: some signers write SignedAttributes out of DER SET OF order
 * (R5652-5.3-7 is theirs to keep). The signature covers the bytes as received,
 * so the order cannot change what was signed: accepted, in every order. A
 * changed attribute value still fails. */
static void signed_attrs_out_of_der_order_verify_as_received(void) {
    setup();
    attr_spec md = md_attr(msg, MSG_LEN, false), ct = ct_attr(CACHET_OID_DATA), tm = time_attr();
    attr_spec orders[][3] = {{md, ct, tm}, {tm, md, ct}, {ct, tm, md}, {tm, ct, md}};
    for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
        cachet_error err = {0};
        CHECK_EQ_INT(verify_attrs(orders[i], 3, false, 0, &err), CACHET_OK);
    }
    attr_spec bad[] = {md_attr(msg, MSG_LEN, true), ct};
    cachet_error err = {0};
    CHECK_EQ_INT(verify_attrs(bad, 2, false, 0, &err), CACHET_ERR_BAD_SIGNATURE);
}

/* SG-03: no signedAttrs over id-data (allowed by RFC 5652 §5.3, but the
 * precondition of ForgedAttributes) is refused with ATTRIBUTES by default, before
 * the signature is looked at; with allow_weak it is valid, trusted and weak.
 * Opaque and detached, every feeding mode. */
static void no_signed_attrs_refused_unless_weak_allowed(void) {
    setup();
    for (int detached = 0; detached < 2; detached++) {
        sdb s = {.content = {msg, MSG_LEN}, .detached = detached};
        size_t len = 0;
        uint8_t *der = build_sd(&s, &len);
        for (int weak = 0; weak < 2; weak++) {
            for (tfeed mode = TFEED_WHOLE; mode <= TFEED_RANDOM; mode++) {
                cachet_membuf got = {0};
                cachet_layer_report layer;
                cachet_error err = {0};
                cachet_status st = verify_policy(der, len, detached ? msg : NULL, MSG_LEN, weak,
                                                 mode, &got, &layer, &err);
                CHECK_EQ_INT(st, weak ? CACHET_OK : CACHET_ERR_ATTRIBUTES);
                CHECK_EQ_INT(layer.num_signers, 1);
                if (layer.num_signers == 1) {
                    CHECK_EQ_INT(layer.signers[0].signature_valid, weak);
                    CHECK_EQ_INT(layer.signers[0].weak, weak);
                    CHECK_EQ_INT(layer.signers[0].chain,
                                 weak ? CACHET_CHAIN_TRUSTED : CACHET_CHAIN_NOT_CHECKED);
                }
                if (!weak) {
                    CHECK_STR(err.where, "SignedData.signerInfos[0]");
                    CHECK_STR(err.message, no_attrs_refused);
                } else if (!detached) {
                    CHECK_MEM(got.data, got.len, msg, MSG_LEN);
                }
                cachet_cms_layer_report_clear(&layer);
                cachet_membuf_free(&got);
            }
        }
        cachet_free(der);
    }
}

/* SG-05 / SG-06 / SG-07: every signed-attribute violation is ATTRIBUTES. */
static void signed_attribute_violations_are_rejected(void) {
    setup();
    static const uint8_t two_oids[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                       0x01, 0x07, 0x01, 0x06, 0x03, 0x2a, 0x03, 0x04};
    static const uint8_t md_int[] = {0x02, 0x01, 0x05};
    static const uint8_t md_null[] = {0x05, 0x00};
    static const uint8_t md_seq[] = {0x30, 0x00};
    static const uint8_t md_bool[] = {0x01, 0x01, 0xff};
    static const uint8_t md_ctx[] = {0x80, 0x01, 0x00};
    static const uint8_t md_empty[] = {0x04, 0x00};
    static const uint8_t md_short[] = {0x04, 0x14, 1,  2,  3,  4,  5,  6,  7,  8,  9,
                                       10,   11,   12, 13, 14, 15, 16, 17, 18, 19, 20};
    static const uint8_t ct_octets[] = {0x04, 0x03, 0x2a, 0x03, 0x04};
    static const uint8_t t_octets[] = {0x04, 0x01, 0x00};
    static const uint8_t t_frac[] = {0x18, 0x11, '2', '0', '2', '6', '0', '1', '0', '1',
                                     '0',  '0',  '0', '0', '0', '0', '.', '5', 'Z'};
    static const uint8_t t_noz[] = {0x17, 0x0c, '2', '6', '0', '1', '0',
                                    '1',  '0',  '0', '0', '0', '0', '0'};
    const attr_spec ct = ct_attr(CACHET_OID_DATA), md = md_attr(msg, MSG_LEN, false),
                    md_bad = md_attr(msg, MSG_LEN, true), tm = time_attr();
    attr_spec two_md_values = md;
    memcpy(two_md_values.values + 34, md.values, 34);
    two_md_values.values_len = 68;
    attr_spec two_times = tm;
    memcpy(two_times.values + tm.values_len, tm.values, tm.values_len);
    two_times.values_len *= 2;
    attr_spec md_as_seq = md;
    md_as_seq.values_as_sequence = true;
    attr_spec empty_oid = {.type = CACHET_OID_UNKNOWN,
                           .raw_type = (const uint8_t *)"",
                           .raw_type_len = 0,
                           .values = {0x05, 0x00},
                           .values_len = 2};
    attr_spec unknown_empty = {.type = CACHET_OID_UNKNOWN,
                               .raw_type = (const uint8_t *)"\x2a\x03",
                               .raw_type_len = 2,
                               .values_len = 0};
    struct {
        const char *name;
        attr_spec a[4];
        size_t n;
        bool sort;
    } cases[] = {
        {"no messageDigest", {ct, tm}, 2, true},
        {"no contentType", {md, tm}, 2, true},
        {"two messageDigest, first right", {ct, md, md_bad}, 3, false},
        {"two messageDigest, first wrong", {ct, md_bad, md}, 3, false},
        {"messageDigest with two values", {ct, two_md_values}, 2, true},
        {"messageDigest with no value",
         {ct, raw_attr(CACHET_OID_ATTR_MESSAGE_DIGEST, NULL, 0)},
         2,
         true},
        {"contentType with two values",
         {raw_attr(CACHET_OID_ATTR_CONTENT_TYPE, two_oids, 16), md},
         2,
         true},
        {"messageDigest INTEGER",
         {ct, raw_attr(CACHET_OID_ATTR_MESSAGE_DIGEST, md_int, 3)},
         2,
         true},
        {"messageDigest NULL", {ct, raw_attr(CACHET_OID_ATTR_MESSAGE_DIGEST, md_null, 2)}, 2, true},
        {"messageDigest SEQUENCE",
         {ct, raw_attr(CACHET_OID_ATTR_MESSAGE_DIGEST, md_seq, 2)},
         2,
         true},
        {"messageDigest BOOLEAN",
         {ct, raw_attr(CACHET_OID_ATTR_MESSAGE_DIGEST, md_bool, 3)},
         2,
         true},
        {"messageDigest [0]", {ct, raw_attr(CACHET_OID_ATTR_MESSAGE_DIGEST, md_ctx, 3)}, 2, true},
        {"messageDigest empty",
         {ct, raw_attr(CACHET_OID_ATTR_MESSAGE_DIGEST, md_empty, 2)},
         2,
         true},
        {"messageDigest 20 bytes",
         {ct, raw_attr(CACHET_OID_ATTR_MESSAGE_DIGEST, md_short, 22)},
         2,
         true},
        {"contentType OCTET STRING",
         {raw_attr(CACHET_OID_ATTR_CONTENT_TYPE, ct_octets, 5), md},
         2,
         true},
        {"signingTime OCTET STRING",
         {ct, md, raw_attr(CACHET_OID_ATTR_SIGNING_TIME, t_octets, 3)},
         3,
         true},
        {"signingTime fractional",
         {ct, md, raw_attr(CACHET_OID_ATTR_SIGNING_TIME, t_frac, 19)},
         3,
         true},
        {"signingTime without Z",
         {ct, md, raw_attr(CACHET_OID_ATTR_SIGNING_TIME, t_noz, 14)},
         3,
         true},
        {"signingTime two values", {ct, md, two_times}, 3, true},
        {"values as SEQUENCE", {ct, md_as_seq}, 2, true},
        {"empty attribute type OID", {ct, md, empty_oid}, 3, true},
        {"unknown attribute without values", {ct, md, unknown_empty}, 3, true},
        {"messageDigest wrong value", {ct, md_bad}, 2, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_error err = {0};
        cachet_status st = verify_attrs(cases[i].a, cases[i].n, cases[i].sort, 0, &err);
        cachet_status want = i + 1 == sizeof(cases) / sizeof(cases[0]) ? CACHET_ERR_BAD_SIGNATURE
                                                                       : CACHET_ERR_ATTRIBUTES;
        if (st != want) {
            fprintf(stderr, "case '%s': %s (%s)\n", cases[i].name, cachet_status_str(st),
                    err.message);
        }
        CHECK_EQ_INT(st, want);
        CHECK_STR(err.where, "SignedData.signerInfos[0]");
    }
}

/* SG-04: contentType attribute id-data, eContentType changed. */
static void content_type_mismatch_is_rejected(void) {
    setup();
    const cachet_oid others[] = {CACHET_OID_CT_TSTINFO, CACHET_OID_SIGNED_DATA,
                                 CACHET_OID_AUTH_ENVELOPED_DATA, CACHET_OID_ENCRYPTED_DATA};
    for (size_t i = 0; i < 4; i++) {
        attr_spec a[] = {ct_attr(CACHET_OID_DATA), md_attr(msg, MSG_LEN, false)};
        cachet_error err = {0};
        CHECK_EQ_INT(verify_attrs(a, 2, true, others[i], &err), CACHET_ERR_ATTRIBUTES);
        /* matching attribute and eContentType of the same non-data type is fine */
        attr_spec b[] = {ct_attr(others[i]), md_attr(msg, MSG_LEN, false)};
        CHECK_EQ_INT(verify_attrs(b, 2, true, others[i], &err), CACHET_OK);
    }
    /* unsigned contentType (RFC 5652 §11.1) */
    attr_spec a[] = {ct_attr(CACHET_OID_DATA), md_attr(msg, MSG_LEN, false)};
    cachet_membuf attrs = build_attrs(a, 2, true);
    cachet_membuf uattrs = build_attrs(a, 1, true);
    sdb s = {.content = {msg, MSG_LEN},
             .attrs = {attrs.data, attrs.len},
             .unsigned_attrs = {uattrs.data, uattrs.len}};
    size_t len = 0;
    uint8_t *der = build_sd(&s, &len);
    cachet_membuf got = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(verify_built(der, len, NULL, 0, &got, &err), CACHET_ERR_ATTRIBUTES);
    cachet_free(der);
    cachet_membuf_free(&attrs);
    cachet_membuf_free(&uattrs);
    cachet_membuf_free(&got);
    /* no signedAttrs with a non-data eContentType (RFC 5652 §5.3) */
    sdb t = {.content = {msg, MSG_LEN}, .econtent_type = CACHET_OID_CT_TSTINFO};
    der = build_sd(&t, &len);
    CHECK_EQ_INT(verify_built(der, len, NULL, 0, &got, &err), CACHET_ERR_ATTRIBUTES);
    cachet_free(der);
    cachet_membuf_free(&got);
}

/* SG-03: ForgedAttributes built from our own signed message: eContent :=
 * DER(signedAttrs), signedAttrs removed, signature kept. OpenSSL accepts it
 * (B13), which proves the forgery is cryptographically valid. Refused twice
 * over: by default for having no signedAttrs, and with allow_weak (the
 * compatibility switch) by the draft-ietf-lamps-cms-euf-cma-signeddata §5.1
 * detection - each with its own message. */
static void forged_attributes_are_rejected(void) {
    setup();
    cachet_cms_signer_opts so = {.key = alice.key,
                                 .cert = alice.cert,
                                 .md = CACHET_MD_SHA256,
                                 .pss = false,
                                 .use_ski = false};
    cachet_cms_sign_opts opts = {
        .signers = &so, .num_signers = 1, .detached = true, .signing_time = 1767225600};
    cachet_membuf orig = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(tpki_sign(&opts, msg, MSG_LEN, TFEED_WHOLE, &orig, &err), CACHET_OK);
    cachet_cbs attrs, sig;
    bool ok = tpki_first_signer(orig.data, orig.len, &attrs, &sig);
    CHECK(ok);
    if (!ok) {
        cachet_membuf_free(&orig);
        return;
    }
    uint8_t *forged_content = malloc(attrs.len);
    memcpy(forged_content, attrs.data, attrs.len);
    forged_content[0] = 0x31;
    for (int detached = 0; detached < 2; detached++) {
        sdb s = {.content = {forged_content, attrs.len},
                 .detached = detached,
                 .sig = {sig.data, sig.len}};
        size_t len = 0;
        uint8_t *der = build_sd(&s, &len);
        cachet_membuf got = {0};
        for (int weak = 0; weak < 2; weak++) {
            cachet_layer_report layer;
            cachet_status st =
                verify_policy(der, len, detached ? forged_content : NULL, detached ? attrs.len : 0,
                              weak, TFEED_RANDOM, &got, &layer, &err);
            CHECK_EQ_INT(st, CACHET_ERR_ATTRIBUTES);
            CHECK_STR(err.where, "SignedData.signerInfos[0]");
            if (weak) {
                CHECK_STR(err.message, "content is a SignedAttributes structure and the "
                                       "signature has no signedAttrs (ForgedAttributes)");
            } else {
                CHECK_STR(err.message, no_attrs_refused);
            }
            CHECK_EQ_INT(layer.num_signers == 1 && layer.signers[0].signature_valid, false);
            cachet_cms_layer_report_clear(&layer);
            got.len = 0; /* streamed unverified by contract; the status is what counts */
        }
        /* OpenSSL 3.0 verifies the same bytes: the signature itself is valid */
        BIO *bin = BIO_new_mem_buf(der, (int)len);
        CMS_ContentInfo *cms = d2i_CMS_bio(bin, NULL);
        X509_STORE *store = tpki_store(&ca);
        BIO *dc = detached ? BIO_new_mem_buf(forged_content, (int)attrs.len) : NULL;
        CHECK(cms != NULL && CMS_verify(cms, NULL, store, dc, NULL, CMS_BINARY) == 1);
        ERR_clear_error();
        BIO_free(dc);
        X509_STORE_free(store);
        CMS_ContentInfo_free(cms);
        BIO_free(bin);
        cachet_free(der);
        cachet_membuf_free(&got);
    }
    free(forged_content);
    cachet_membuf_free(&orig);
}

/* SG-11 / SG-12: digest and algorithm consistency. */
static void digest_and_algorithm_inconsistencies_are_rejected(void) {
    setup();
    attr_spec a[] = {ct_attr(CACHET_OID_DATA), md_attr(msg, MSG_LEN, false)};
    cachet_membuf attrs = build_attrs(a, 2, true);
    static const uint8_t sha512_alg[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                         0x01, 0x65, 0x03, 0x04, 0x02, 0x03};
    static const uint8_t unknown_alg[] = {0x30, 0x06, 0x06, 0x04, 0x2a, 0x03, 0x04, 0x05};
    static const uint8_t sha1_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                       0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00};
    static const uint8_t ecdsa256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                       0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
    static const uint8_t pss_noparams[] = {0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                           0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};
    uint8_t nine[9 * sizeof(sha512_alg)];
    for (size_t i = 0; i < 9; i++) {
        memcpy(nine + i * sizeof(sha512_alg), sha512_alg, sizeof(sha512_alg));
        /* nine distinct OIDs, unassigned under hashAlgs (.18 is id-shake256-len) */
        nine[i * sizeof(sha512_alg) + 12] = (uint8_t)(0x60 + i);
    }
    struct {
        const char *name;
        sdb s;
        cachet_status want;
    } cases[] = {
        {"empty digestAlgorithms",
         {.digest_algs = {(const uint8_t *)"", 0}},
         CACHET_ERR_UNSUPPORTED},
        {"signer digest not listed", {.digest_algs = B(sha512_alg)}, CACHET_ERR_UNSUPPORTED},
        {"unknown signer digest", {.digest_alg = B(unknown_alg)}, CACHET_ERR_UNSUPPORTED},
        {"too many digestAlgorithms", {.digest_algs = B(nine)}, CACHET_ERR_LIMIT},
        {"too many digestAlgorithms, detached",
         {.digest_algs = B(nine), .detached = true},
         CACHET_ERR_LIMIT},
        {"sha1WithRSA over sha256", {.sig_alg = B(sha1_rsa)}, CACHET_ERR_BAD_SIGNATURE},
        {"ecdsa with an RSA key", {.sig_alg = B(ecdsa256)}, CACHET_ERR_BAD_SIGNATURE},
        {"PSS without parameters", {.sig_alg = B(pss_noparams)}, CACHET_ERR_MALFORMED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sdb s = cases[i].s;
        s.content = (bytes){msg, MSG_LEN};
        s.attrs = (bytes){attrs.data, attrs.len};
        size_t len = 0;
        uint8_t *der = build_sd(&s, &len);
        cachet_membuf got = {0};
        cachet_error err = {0};
        cachet_status st =
            verify_built(der, len, s.detached ? msg : NULL, s.detached ? MSG_LEN : 0, &got, &err);
        if (st != cases[i].want) {
            fprintf(stderr, "case '%s': %s (%s: %s)\n", cases[i].name, cachet_status_str(st),
                    err.where, err.message);
        }
        CHECK_EQ_INT(st, cases[i].want);
        cachet_free(der);
        cachet_membuf_free(&got);
    }
    cachet_membuf_free(&attrs);
}

static const cachet_test_case tests[] = {
    TEST_CASE(builder_baseline_is_valid),
    TEST_CASE(signed_attrs_out_of_der_order_verify_as_received),
    TEST_CASE(no_signed_attrs_refused_unless_weak_allowed),
    TEST_CASE(signed_attribute_violations_are_rejected),
    TEST_CASE(content_type_mismatch_is_rejected),
    TEST_CASE(forged_attributes_are_rejected),
    TEST_CASE(digest_and_algorithm_inconsistencies_are_rejected),
};
TEST_MAIN(tests)
