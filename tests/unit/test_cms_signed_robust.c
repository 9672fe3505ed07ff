/* ATTACKS.md §2 structure and identity: SG-01 content conflicts, SG-09 no
 * signers, SG-10 signer ambiguity, PA-01 empty ContentInfo, other content types,
 * and truncated / bit-flipped messages. */
#include "test_cms_signed_builder.h"

/* SG-01: eContent together with detached content, or neither. */
static void content_conflicts_are_rejected_and_nothing_delivered(void) {
    setup();
    cachet_cms_signer_opts so = {.key = alice.key,
                                 .cert = alice.cert,
                                 .md = CACHET_MD_SHA256,
                                 .pss = false,
                                 .use_ski = false};
    cachet_cms_sign_opts opts = {.signers = &so, .num_signers = 1, .signing_time = 1767225600};
    cachet_membuf enc = {0}, det = {0}, got = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(tpki_sign(&opts, msg, MSG_LEN, TFEED_WHOLE, &enc, &err), CACHET_OK);
    opts.detached = true;
    CHECK_EQ_INT(tpki_sign(&opts, msg, MSG_LEN, TFEED_WHOLE, &det, &err), CACHET_OK);
    static const uint8_t attacker[] = "Pay Eve 1000 EUR.\r\n";
    CHECK_EQ_INT(verify_built(enc.data, enc.len, attacker, sizeof(attacker) - 1, &got, &err),
                 CACHET_ERR_CONTENT_CONFLICT);
    CHECK_EQ_INT(got.len, 0); /* the signed eContent is never delivered in detached mode */
    CHECK_EQ_INT(verify_built(enc.data, enc.len, msg, MSG_LEN, &got, &err),
                 CACHET_ERR_CONTENT_CONFLICT);
    CHECK_EQ_INT(got.len, 0);
    CHECK_EQ_INT(verify_built(det.data, det.len, NULL, 0, &got, &err), CACHET_ERR_CONTENT_CONFLICT);
    CHECK_EQ_INT(got.len, 0);
    cachet_membuf_free(&enc);
    cachet_membuf_free(&det);
}

/* SG-09: empty signerInfos (the 52-byte vector of ATTACKS.md), with and without content. */
static void no_signers_is_never_signed(void) {
    static const uint8_t v[] = {0x30, 0x34, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01,
                                0x07, 0x02, 0xA0, 0x27, 0x30, 0x25, 0x02, 0x01, 0x01, 0x31, 0x0F,
                                0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
                                0x02, 0x01, 0x05, 0x00, 0x30, 0x0B, 0x06, 0x09, 0x2A, 0x86, 0x48,
                                0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01, 0xA0, 0x00, 0x31, 0x00};
    setup();
    cachet_membuf got = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sizeof(v), 54);
    CHECK_EQ_INT(verify_built(v, sizeof(v), msg, MSG_LEN, &got, &err), CACHET_ERR_NO_SIGNERS);
    CHECK_EQ_INT(verify_built(v, sizeof(v), NULL, 0, &got, &err), CACHET_ERR_NO_SIGNERS);
    sdb s = {.content = {msg, MSG_LEN}, .no_signer = true};
    size_t len = 0;
    uint8_t *der = build_sd(&s, &len);
    got.len = 0;
    CHECK_EQ_INT(verify_built(der, len, NULL, 0, &got, &err), CACHET_ERR_NO_SIGNERS);
    cachet_free(der);
    cachet_membuf_free(&got);
}

/* SG-10: a second certificate with the victim's issuer and serial but the
 * attacker's key, issued by a look-alike CA. */
static void sid_ambiguity_never_reports_a_trusted_victim(void) {
    setup();
    tpki_party fake_ca = tpki_make(TPKI_RSA, "Attack CA", NULL, 100); /* same DN as the real CA */
    tpki_party mallory = tpki_make(TPKI_RSA, "alice", &fake_ca, 101); /* same issuer + serial */
    cachet_membuf got = {0};
    cachet_error err = {0};
    attr_spec a[] = {ct_attr(CACHET_OID_DATA), md_attr(msg, MSG_LEN, false)};
    cachet_membuf attrs = build_attrs(a, 2, true);
    for (int order = 0; order < 2; order++) {
        /* signed by mallory, both certificates present */
        sdb s = {.content = {msg, MSG_LEN}, .attrs = {attrs.data, attrs.len}, .signer = &mallory};
        s.certs[0] = order ? alice.cert : mallory.cert;
        s.certs[1] = order ? mallory.cert : alice.cert;
        size_t len = 0;
        uint8_t *der = build_sd(&s, &len);
        cachet_cms_policy pol = {.trust = trust};
        cachet_layer_report layer;
        cachet_status st =
            tpki_verify(&pol, der, len, NULL, 0, NULL, 0, TFEED_WHOLE, &got, &layer, &err);
        CHECK_EQ_INT(st, CACHET_ERR_UNTRUSTED);
        CHECK(layer.num_signers == 1 && layer.signers[0].chain != CACHET_CHAIN_TRUSTED);
        cachet_cms_layer_report_clear(&layer);
        cachet_free(der);
        /* signed by alice: her certificate is chosen whatever the order */
        s.signer = &alice;
        der = build_sd(&s, &len);
        st = tpki_verify(&pol, der, len, NULL, 0, NULL, 0, TFEED_WHOLE, &got, &layer, &err);
        CHECK_EQ_INT(st, CACHET_OK);
        cachet_cms_layer_report_clear(&layer);
        cachet_free(der);
    }
    /* SID version mismatch: version 3 with issuerAndSerialNumber */
    sdb v = {.content = {msg, MSG_LEN}, .attrs = {attrs.data, attrs.len}, .version = 3};
    size_t len = 0;
    uint8_t *der = build_sd(&v, &len);
    CHECK_EQ_INT(verify_built(der, len, NULL, 0, &got, &err), CACHET_ERR_MALFORMED);
    cachet_free(der);
    cachet_membuf_free(&attrs);
    cachet_membuf_free(&got);
    tpki_free(&fake_ca);
    tpki_free(&mallory);
}

/* Every truncation and many bit flips of a valid BER message end in a clean
 * status; a flip that still verifies must deliver exactly the signed content. */
static void truncations_and_bit_flips_fail_cleanly(void) {
    setup();
    tpki_party ec = tpki_make(TPKI_P256, "ec", &ca, 102);
    cachet_cms_signer_opts so = {
        .key = ec.key, .cert = ec.cert, .md = CACHET_MD_SHA256, .pss = false, .use_ski = false};
    cachet_cms_sign_opts opts = {.signers = &so, .num_signers = 1, .signing_time = 1767225600};
    cachet_membuf enc = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(tpki_sign(&opts, msg, MSG_LEN, TFEED_WHOLE, &enc, &err), CACHET_OK);
    cachet_cms_policy pol = {.trust = trust};
    for (size_t cut = 0; cut < enc.len; cut++) {
        cachet_membuf got = {0};
        cachet_layer_report layer;
        cachet_status st =
            tpki_verify(&pol, enc.data, cut, NULL, 0, NULL, 0, TFEED_WHOLE, &got, &layer, &err);
        CHECK(st != CACHET_OK);
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&got);
    }
    uint8_t *copy = malloc(enc.len);
    size_t accepted = 0;
    for (size_t i = 0; i < enc.len; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            memcpy(copy, enc.data, enc.len);
            copy[i] ^= (uint8_t)(1u << bit);
            cachet_membuf got = {0};
            cachet_layer_report layer;
            cachet_status st =
                tpki_verify(&pol, copy, enc.len, NULL, 0, NULL, 0, TFEED_WHOLE, &got, &layer, &err);
            if (st == CACHET_OK) {
                accepted++;
                fprintf(stderr, "accepted flip at %zu bit %d\n", i, bit);
                CHECK_MEM(got.data, got.len, msg, MSG_LEN);
            }
            cachet_cms_layer_report_clear(&layer);
            cachet_membuf_free(&got);
        }
    }
    /* even unsigned fields are checked: version 0 instead of 1 once slipped through */
    CHECK_EQ_INT(accepted, 0);
    free(copy);
    cachet_membuf_free(&enc);
    tpki_free(&ec);
}

/* Another content type is refused as soon as its [0] starts (nothing buffered),
 * and ContentInfo without content (the 13-byte Johnny crash vector, PA-01) is malformed. */
static void other_content_types_and_empty_content_info_are_refused(void) {
    static const uint8_t enveloped[] = {0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                        0x0d, 0x01, 0x07, 0x03, 0xa0, 0x80, 0x30, 0x80};
    static const uint8_t johnny[] = {0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                     0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
    cachet_cms_policy pol = {0};
    cachet_error err = {0};
    cachet_cms_verify *v = cachet_cms_verify_new(&pol, NULL, NULL, &err);
    CHECK_EQ_INT(cachet_cms_verify_update(v, enveloped, sizeof(enveloped), &err),
                 CACHET_ERR_UNSUPPORTED);
    CHECK_STR(err.where, "ContentInfo.contentType");
    cachet_layer_report layer;
    CHECK_EQ_INT(cachet_cms_verify_finish(v, &layer, &err), CACHET_ERR_UNSUPPORTED);
    CHECK_EQ_INT(layer.num_signers, 0);
    cachet_cms_verify_free(v);
    CHECK_EQ_INT(
        cachet_cms_verify_der(&pol, NULL, johnny, sizeof(johnny), NULL, 0, NULL, &layer, &err),
        CACHET_ERR_MALFORMED);
    CHECK_EQ_INT(cachet_cms_verify_der(&pol, NULL, johnny, 0, NULL, 0, NULL, &layer, &err),
                 CACHET_ERR_MALFORMED);
}

static const cachet_test_case tests[] = {
    TEST_CASE(content_conflicts_are_rejected_and_nothing_delivered),
    TEST_CASE(no_signers_is_never_signed),
    TEST_CASE(sid_ambiguity_never_reports_a_trusted_victim),
    TEST_CASE(truncations_and_bit_flips_fail_cleanly),
    TEST_CASE(other_content_types_and_empty_content_info_are_refused),
};
TEST_MAIN(tests)
