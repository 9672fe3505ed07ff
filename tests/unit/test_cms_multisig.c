/* RFC 5752 multipleSignatures and the RFC 4853 rule in cms/: every SignerInfo
 * of one signer names the others; one valid signature of a signer stands for
 * the signer (the others reported superseded); a removed or altered sibling is
 * detected; distinct signers are each still required. */
#include "test_cms_multisig_util.h"

static const tfeed modes[] = {TFEED_WHOLE, TFEED_BYTES, TFEED_RANDOM};

/* The value fields of one MultipleSignatures, parsed here independently. */
typedef struct ms_fields {
    cachet_md body_md, hash_md;
    cachet_cbs hash, cert_hash;
} ms_fields;

static bool parse_fields(cachet_cbs *values, ms_fields *f) {
    cachet_cbs v, sah, cert;
    return cachet_cbs_get_asn1(values, &v, CACHET_ASN1_SEQUENCE) &&
           cachet_cms_parse_digest_alg(&v, &f->body_md, NULL) &&
           cachet_cbs_get_asn1(&v, &sah, CACHET_ASN1_SEQUENCE) && /* signAlg */
           cachet_cbs_get_asn1(&v, &sah, CACHET_ASN1_SEQUENCE) &&
           cachet_cms_parse_digest_alg(&sah, &f->hash_md, NULL) &&
           cachet_cbs_get_asn1(&sah, &f->hash, CACHET_ASN1_OCTETSTRING) &&
           cachet_cbs_get_asn1(&v, &cert, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&cert, &f->cert_hash, CACHET_ASN1_OCTETSTRING) && v.len == 0;
}

static void two_signatures_of_one_subject_are_valid_in_any_feed(void) {
    ms_setup();
    tpki_party *who[] = {&alice, &alice_ec};
    for (size_t d = 0; d < 2; d++) {
        for (size_t m = 0; m < 3; m++) {
            cachet_membuf out = {0};
            cachet_error err = {0};
            CHECK_EQ_INT(ms_sign(who, NULL, 2, true, d == 1, modes[m], &out, &err), CACHET_OK);
            cachet_layer_report layer;
            cachet_status st =
                ms_verify(out.data, out.len, d == 1, modes[(m + 1) % 3], &layer, &err);
            if (st != CACHET_OK) {
                fprintf(stderr, "  %s: %s\n", err.where, err.message);
            }
            CHECK_EQ_INT(st, CACHET_OK);
            CHECK_EQ_INT(layer.num_signers, 2);
            for (size_t i = 0; i < layer.num_signers; i++) {
                const cachet_signer_report *r = &layer.signers[i];
                CHECK(r->signature_valid && !r->superseded);
                CHECK_EQ_INT(r->chain, CACHET_CHAIN_TRUSTED);
                CHECK(r->ess != NULL && r->ess->multiple_signatures);
            }
            cachet_cms_layer_report_clear(&layer);
            cachet_membuf_free(&out);
        }
    }
}

/* RFC 5752 §3: n-1 values per SignerInfo; signAttrsHash.algID is the holder's
 * digest; the hash is over the sibling's signedAttrs with empty placeholder
 * hashes (§4.4.1), not over the final ones; cert is the sibling's ESSCertIDv2. */
static void each_signer_info_names_every_other_one(void) {
    ms_setup();
    tpki_party *who[] = {&alice, &alice_ec, &alice_p384};
    const cachet_md mds[] = {CACHET_MD_SHA256, CACHET_MD_SHA384, CACHET_MD_SHA512};
    for (size_t n = 2; n <= 3; n++) {
        cachet_membuf out = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(ms_sign(who, mds, n, true, true, TFEED_RANDOM, &out, &err), CACHET_OK);
        cachet_cbs attrs[3];
        cachet_md si_md[3] = {0};
        for (size_t k = 0; k < n; k++) {
            CHECK(ms_signed_attrs(out.data, out.len, k, &attrs[k]));
        }
        /* SignerInfos are DER sorted: learn each one's digest from the layer report */
        cachet_layer_report layer;
        CHECK_EQ_INT(ms_verify(out.data, out.len, true, TFEED_WHOLE, &layer, &err), CACHET_OK);
        for (size_t k = 0; k < n && k < layer.num_signers; k++) {
            for (size_t j = 0; j < 3; j++) {
                si_md[k] = strcmp(layer.signers[k].digest, cachet_md_name(mds[j])) == 0 ? mds[j]
                                                                                        : si_md[k];
            }
        }
        cachet_cms_layer_report_clear(&layer);
        for (size_t k = 0; k < n; k++) {
            cachet_cbs values;
            CHECK(ms_multisig_values(attrs[k], &values));
            CHECK_EQ_INT(ms_count(values), n - 1);
            size_t named = 0;
            while (values.len > 0) {
                ms_fields f;
                if (!parse_fields(&values, &f)) {
                    CHECK(false);
                    break;
                }
                CHECK_EQ_INT(f.hash_md, si_md[k]);
                CHECK_EQ_INT(f.hash.len, cachet_md_size(si_md[k]));
                for (size_t j = 0; j < n; j++) {
                    uint8_t ph[CACHET_MD_MAX_SIZE], st[CACHET_MD_MAX_SIZE];
                    if (j == k || f.body_md != si_md[j] ||
                        !cachet_cms_multisig_attrs_hash(&attrs[j], f.hash_md,
                                                        CACHET_CMS_MULTISIG_PLACEHOLDER, ph) ||
                        !cachet_cbs_mem_equal(&f.hash, ph, f.hash.len)) {
                        continue;
                    }
                    named++;
                    CHECK(cachet_cms_multisig_attrs_hash(&attrs[j], f.hash_md,
                                                         CACHET_CMS_MULTISIG_STRIPPED, st));
                    CHECK(memcmp(ph, st, f.hash.len) != 0);
                }
            }
            CHECK_EQ_INT(named, n - 1);
        }
        cachet_membuf_free(&out);
    }
}

/* The cert field names the sibling's certificate (SHA-256 of its DER). */
static void cert_field_is_the_siblings_certificate(void) {
    ms_setup();
    tpki_party *who[] = {&alice, &alice_ec};
    cachet_membuf out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(ms_sign(who, NULL, 2, true, true, TFEED_WHOLE, &out, &err), CACHET_OK);
    uint8_t h_rsa[32], h_ec[32];
    cachet_cert_sha256(alice.cert, h_rsa);
    cachet_cert_sha256(alice_ec.cert, h_ec);
    size_t seen_rsa = 0, seen_ec = 0;
    for (size_t k = 0; k < 2; k++) {
        cachet_cbs attrs, values;
        ms_fields f;
        CHECK(ms_signed_attrs(out.data, out.len, k, &attrs) && ms_multisig_values(attrs, &values) &&
              parse_fields(&values, &f));
        seen_rsa += cachet_cbs_mem_equal(&f.cert_hash, h_rsa, 32);
        seen_ec += cachet_cbs_mem_equal(&f.cert_hash, h_ec, 32);
    }
    CHECK_EQ_INT(seen_rsa, 1);
    CHECK_EQ_INT(seen_ec, 1);
    cachet_membuf_free(&out);
}

/* RFC 4853 §3 with RFC 5752: one signature of the signer corrupted; the other
 * stands: the layer is valid, the broken one reported invalid and superseded. */
static void corrupted_sibling_is_superseded(void) {
    ms_setup();
    tpki_party *who[] = {&alice, &alice_ec};
    cachet_membuf out = {0}, bad = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(ms_sign(who, NULL, 2, true, true, TFEED_WHOLE, &out, &err), CACHET_OK);
    for (long k = 0; k < 2; k++) {
        ms_edit e = {.corrupt_sig = k, .corrupt_md = -1, .unknown_alg = -1, .bad_version = -1};
        CHECK(ms_reshape(out.data, out.len, &e, &bad));
        for (size_t m = 0; m < 3; m++) {
            cachet_layer_report layer;
            CHECK_EQ_INT(ms_verify(bad.data, bad.len, true, modes[m], &layer, &err), CACHET_OK);
            CHECK_EQ_INT(layer.num_signers, 2);
            if (layer.num_signers == 2) {
                const cachet_signer_report *broken = &layer.signers[k], *ok = &layer.signers[1 - k];
                CHECK(!broken->signature_valid && broken->superseded);
                CHECK_EQ_INT(broken->signature_status, CACHET_ERR_BAD_SIGNATURE);
                CHECK_STR(broken->signature_detail, "signature does not verify");
                CHECK(broken->ess == NULL);
                CHECK(ok->signature_valid && !ok->superseded);
                CHECK_EQ_INT(ok->chain, CACHET_CHAIN_TRUSTED);
            }
            cachet_cms_layer_report_clear(&layer);
        }
    }
    cachet_membuf_free(&bad);
    cachet_membuf_free(&out);
}

/* Without the attribute, two certificates (even of one subject) are two
 * signers: each must be valid, as before. */
static void corrupted_signature_fails_without_the_attribute(void) {
    ms_setup();
    tpki_party *who[] = {&alice, &alice_ec};
    cachet_membuf out = {0}, bad = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(ms_sign(who, NULL, 2, false, true, TFEED_WHOLE, &out, &err), CACHET_OK);
    for (long k = 0; k < 2; k++) {
        ms_edit e = {.corrupt_sig = k, .corrupt_md = -1, .unknown_alg = -1, .bad_version = -1};
        CHECK(ms_reshape(out.data, out.len, &e, &bad));
        cachet_layer_report layer;
        CHECK_EQ_INT(ms_verify(bad.data, bad.len, true, TFEED_RANDOM, &layer, &err),
                     CACHET_ERR_BAD_SIGNATURE);
        char where[48];
        snprintf(where, sizeof(where), "SignedData.signerInfos[%ld]", k);
        CHECK_STR(err.where, where);
        CHECK(layer.num_signers == 2 && !layer.signers[k].superseded &&
              !layer.signers[k].signature_valid && !layer.signers[1 - k].superseded);
        cachet_cms_layer_report_clear(&layer);
    }
    cachet_membuf_free(&bad);
    cachet_membuf_free(&out);
}

/* RFC 4853 by sid alone: one certificate, two SignerInfos (SHA-256, SHA-512),
 * no attribute: either broken one is superseded by the other. */
static void same_certificate_twice_one_broken_is_superseded(void) {
    ms_setup();
    tpki_party *who[] = {&alice, &alice};
    const cachet_md mds[] = {CACHET_MD_SHA256, CACHET_MD_SHA512};
    cachet_membuf out = {0}, bad = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(ms_sign(who, mds, 2, false, true, TFEED_WHOLE, &out, &err), CACHET_OK);
    for (long k = 0; k < 2; k++) {
        ms_edit e = {.corrupt_sig = k, .corrupt_md = -1, .unknown_alg = -1, .bad_version = -1};
        CHECK(ms_reshape(out.data, out.len, &e, &bad));
        cachet_layer_report layer;
        CHECK_EQ_INT(ms_verify(bad.data, bad.len, true, TFEED_BYTES, &layer, &err), CACHET_OK);
        CHECK(layer.num_signers == 2 && layer.signers[k].superseded &&
              !layer.signers[k].signature_valid && layer.signers[1 - k].signature_valid &&
              !layer.signers[1 - k].superseded);
        cachet_cms_layer_report_clear(&layer);
        /* both broken: nothing stands for the signer */
        ms_edit both = {
            .corrupt_sig = k, .corrupt_md = 1 - k, .unknown_alg = -1, .bad_version = -1};
        CHECK(ms_reshape(out.data, out.len, &both, &bad));
        CHECK(ms_verify(bad.data, bad.len, true, TFEED_WHOLE, &layer, &err) ==
              CACHET_ERR_BAD_SIGNATURE);
        CHECK(layer.num_signers == 2 && !layer.signers[0].superseded &&
              !layer.signers[1].superseded);
        cachet_cms_layer_report_clear(&layer);
    }
    cachet_membuf_free(&bad);
    cachet_membuf_free(&out);
}

/* R5652-5.1-3/-4 as RFC 4853 §3 rewrites them: a SignerInfo of a version or
 * signature algorithm this implementation lacks is reported (never a crash)
 * and, when another SignerInfo of the same signer is valid, superseded. */
static void unimplemented_version_or_algorithm_is_handled_gracefully(void) {
    ms_setup();
    tpki_party *who[] = {&alice, &alice};
    const cachet_md mds[] = {CACHET_MD_SHA256, CACHET_MD_SHA512};
    cachet_membuf out = {0}, odd = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(ms_sign(who, mds, 2, false, true, TFEED_WHOLE, &out, &err), CACHET_OK);
    static const struct {
        bool version;
        cachet_status st;
        const char *detail;
    } cases[] = {
        {false, CACHET_ERR_UNSUPPORTED, "unsupported signatureAlgorithm 1.2.840.113549.1.1.127"},
        {true, CACHET_ERR_MALFORMED, "SignerInfo version 9 does not match its sid"},
    };
    for (size_t c = 0; c < 2; c++) {
        for (long k = 0; k < 2; k++) {
            ms_edit e = {.corrupt_sig = -1,
                         .corrupt_md = -1,
                         .unknown_alg = cases[c].version ? -1 : k,
                         .bad_version = cases[c].version ? k : -1};
            CHECK(ms_reshape(out.data, out.len, &e, &odd));
            cachet_layer_report layer;
            CHECK_EQ_INT(ms_verify(odd.data, odd.len, true, TFEED_RANDOM, &layer, &err), CACHET_OK);
            CHECK(layer.num_signers == 2 && layer.signers[k].superseded &&
                  layer.signers[1 - k].signature_valid);
            if (layer.num_signers == 2) {
                CHECK_EQ_INT(layer.signers[k].signature_status, cases[c].st);
                CHECK(strstr(layer.signers[k].signature_detail, cases[c].detail) != NULL);
            }
            cachet_cms_layer_report_clear(&layer);
        }
    }
    cachet_membuf_free(&odd);
    cachet_membuf_free(&out);
}

/* RFC 5752 §1, §4.6: a SignerInfo removed (the downgrade the attribute exists
 * for) is detected from what remains, whichever is kept, in any order. */
static void removed_sibling_is_detected(void) {
    ms_setup();
    tpki_party *who[] = {&alice, &alice_ec, &alice_p384};
    static const struct {
        size_t n;
        size_t keep[2];
        size_t num_keep;
    } cases[] = {
        {2, {0}, 1}, {2, {1}, 1}, {3, {0, 1}, 2}, {3, {2, 0}, 2}, {3, {1}, 1},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        cachet_membuf out = {0}, cut = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(ms_sign(who, NULL, cases[c].n, true, true, TFEED_WHOLE, &out, &err),
                     CACHET_OK);
        ms_edit e = {.keep = cases[c].keep,
                     .num_keep = cases[c].num_keep,
                     .corrupt_sig = -1,
                     .corrupt_md = -1,
                     .unknown_alg = -1,
                     .bad_version = -1};
        CHECK(ms_reshape(out.data, out.len, &e, &cut));
        cachet_layer_report layer;
        CHECK_EQ_INT(ms_verify(cut.data, cut.len, true, TFEED_RANDOM, &layer, &err),
                     CACHET_ERR_ATTRIBUTES);
        CHECK_STR(err.where, "SignedData.signerInfos[0]");
        CHECK(strstr(err.message, "names a SignerInfo that is not in this SignedData: a "
                                  "signature of this signer was removed") != NULL);
        CHECK_EQ_INT(layer.num_signers, cases[c].num_keep);
        for (size_t i = 0; i < layer.num_signers; i++) {
            const cachet_signer_report *r = &layer.signers[i];
            CHECK(!r->signature_valid && !r->superseded && r->ess == NULL);
            CHECK_EQ_INT(r->signature_status, CACHET_ERR_ATTRIBUTES);
            CHECK(strncmp(r->signature_detail, "signedAttrs: multipleSignatures value ", 38) == 0);
        }
        cachet_cms_layer_report_clear(&layer);
        /* the same SignerInfos, none removed, reordered: still valid */
        static const size_t rev[] = {2, 1, 0};
        ms_edit r = {.keep = rev + (3 - cases[c].n),
                     .num_keep = cases[c].n,
                     .corrupt_sig = -1,
                     .corrupt_md = -1,
                     .unknown_alg = -1,
                     .bad_version = -1};
        CHECK(ms_reshape(out.data, out.len, &r, &cut));
        CHECK_EQ_INT(ms_verify(cut.data, cut.len, true, TFEED_WHOLE, &layer, &err), CACHET_OK);
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&cut);
        cachet_membuf_free(&out);
    }
}

/* A sibling whose signed attributes were altered is no longer the one named,
 * and one whose signatureAlgorithm was changed (it is not signed) no longer
 * fits the signAlg named: each detected, never superseded into validity. */
static void altered_sibling_is_detected(void) {
    ms_setup();
    tpki_party *who[] = {&alice, &alice_ec};
    cachet_membuf out = {0}, bad = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(ms_sign(who, NULL, 2, true, true, TFEED_WHOLE, &out, &err), CACHET_OK);
    for (long k = 0; k < 4; k++) {
        long i = k % 2;
        bool alg = k >= 2;
        ms_edit e = {.corrupt_sig = -1,
                     .corrupt_md = alg ? -1 : i,
                     .unknown_alg = alg ? i : -1,
                     .bad_version = -1};
        CHECK(ms_reshape(out.data, out.len, &e, &bad));
        cachet_layer_report layer;
        CHECK_EQ_INT(ms_verify(bad.data, bad.len, true, TFEED_WHOLE, &layer, &err),
                     CACHET_ERR_ATTRIBUTES);
        char where[48];
        snprintf(where, sizeof(where), "SignedData.signerInfos[%ld]", 1 - i);
        CHECK_STR(err.where, where);
        CHECK(strstr(err.message, alg ? "is not that SignerInfo's signatureAlgorithm"
                                      : "a signature of this signer was removed or altered") !=
              NULL);
        CHECK(layer.num_signers == 2 && !layer.signers[0].signature_valid &&
              !layer.signers[1].signature_valid && !layer.signers[0].superseded &&
              !layer.signers[1].superseded);
        cachet_cms_layer_report_clear(&layer);
    }
    cachet_membuf_free(&bad);
    cachet_membuf_free(&out);
}

/* ATTACKS.md SG-08: distinct signers are each required, with or without the
 * attribute; the generator refuses to link two subjects, and a crafted link
 * between two subjects (the attributes built by hand) supersedes nothing. */
static void distinct_signers_are_each_required(void) {
    ms_setup();
    tpki_party *who[] = {&alice, &bob};
    cachet_membuf out = {0}, bad = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(ms_sign(who, NULL, 2, true, true, TFEED_WHOLE, &out, &err), CACHET_ERR_USAGE);
    CHECK(strstr(err.message, "signers[1] has another subject than signers[0]") != NULL);
    cachet_err_clear(&err);
    uint8_t digest[32];
    cachet_md_oneshot(CACHET_MD_SHA256, msg, MSG_LEN, digest);
    cachet_cms_multisig_peer peers[2];
    for (size_t i = 0; i < 2; i++) {
        peers[i] =
            (cachet_cms_multisig_peer){.md = CACHET_MD_SHA256,
                                       .scheme = cachet_cms_sig_scheme_for_key(who[i]->key, false),
                                       .cert = who[i]->cert,
                                       .digest = digest};
    }
    cachet_membuf extras[2] = {{0}};
    CHECK(cachet_cms_multisig_extras(peers, 2, CACHET_OID_DATA, MS_TIME, extras));
    cachet_membuf sis[2] = {{0}}, plain = {0};
    CHECK(ms_hand_signer_info(&alice, &extras[0], &sis[0]) &&
          ms_hand_signer_info(&bob, &extras[1], &sis[1]));
    CHECK_EQ_INT(ms_sign(who, NULL, 2, false, true, TFEED_WHOLE, &plain, &err), CACHET_OK);
    ms_edit hand = {.corrupt_sig = -1,
                    .corrupt_md = -1,
                    .unknown_alg = -1,
                    .bad_version = -1,
                    .replace = sis,
                    .num_replace = 2};
    CHECK(ms_reshape(plain.data, plain.len, &hand, &out));
    cachet_layer_report layer;
    CHECK_EQ_INT(ms_verify(out.data, out.len, true, TFEED_WHOLE, &layer, &err), CACHET_OK);
    CHECK(layer.num_signers == 2 && layer.signers[0].ess != NULL &&
          layer.signers[0].ess->multiple_signatures);
    cachet_cms_layer_report_clear(&layer);
    for (long k = 0; k < 2; k++) {
        ms_edit e = {.corrupt_sig = k, .corrupt_md = -1, .unknown_alg = -1, .bad_version = -1};
        CHECK(ms_reshape(out.data, out.len, &e, &bad));
        CHECK_EQ_INT(ms_verify(bad.data, bad.len, true, TFEED_WHOLE, &layer, &err),
                     CACHET_ERR_BAD_SIGNATURE);
        CHECK(layer.num_signers == 2 && !layer.signers[k].superseded);
        cachet_cms_layer_report_clear(&layer);
    }
    for (size_t i = 0; i < 2; i++) {
        cachet_membuf_free(&extras[i]);
        cachet_membuf_free(&sis[i]);
    }
    cachet_membuf_free(&plain);
    cachet_membuf_free(&bad);
    cachet_membuf_free(&out);
}

/* One signer: nothing to name, no attribute. A caller's own multipleSignatures
 * next to multiple_signatures would be a second one: refused. */
static void generator_writes_only_what_it_should(void) {
    ms_setup();
    tpki_party *one[] = {&alice};
    cachet_membuf out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(ms_sign(one, NULL, 1, true, true, TFEED_WHOLE, &out, &err), CACHET_OK);
    cachet_cbs attrs, values;
    CHECK(ms_signed_attrs(out.data, out.len, 0, &attrs) && !ms_multisig_values(attrs, &values));
    /* SEQUENCE { id-aa-multipleSignatures, SET { SEQUENCE {} } } */
    static const uint8_t own[] = {0x30, 0x11, 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                  0x01, 0x09, 0x10, 0x02, 0x33, 0x31, 0x02, 0x30, 0x00};
    cachet_cms_signer_opts so[2] = {{.key = alice.key, .cert = alice.cert},
                                    {.key = alice_ec.key,
                                     .cert = alice_ec.cert,
                                     .extra_signed_attrs = own,
                                     .extra_signed_attrs_len = sizeof(own)}};
    cachet_cms_sign_opts o = {.signers = so, .num_signers = 2, .multiple_signatures = true};
    cachet_sink sink = cachet_sink_membuf(&out);
    CHECK(cachet_cms_sign_new(&o, &sink, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    CHECK(strstr(err.message, "signers[1]: an extra signed attribute id-aa-multipleSignatures") !=
          NULL);
    cachet_membuf_free(&out);
}

static const cachet_test_case tests[] = {
    TEST_CASE(two_signatures_of_one_subject_are_valid_in_any_feed),
    TEST_CASE(each_signer_info_names_every_other_one),
    TEST_CASE(cert_field_is_the_siblings_certificate),
    TEST_CASE(corrupted_sibling_is_superseded),
    TEST_CASE(corrupted_signature_fails_without_the_attribute),
    TEST_CASE(same_certificate_twice_one_broken_is_superseded),
    TEST_CASE(unimplemented_version_or_algorithm_is_handled_gracefully),
    TEST_CASE(removed_sibling_is_detected),
    TEST_CASE(altered_sibling_is_detected),
    TEST_CASE(distinct_signers_are_each_required),
    TEST_CASE(generator_writes_only_what_it_should),
};
TEST_MAIN(tests)
