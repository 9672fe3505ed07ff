/* RFC 3183 support in cms/: the SignatureType signed attribute (§3.1.2) written
 * in DER and read back (unions of values, malformed ones, the unsigned copy that
 * counts for nothing, SignerInfos that disagree), mlExpansionHistory, the
 * signer's commonName, and the empty signature layer (§3 method 1). */
#include "cms/attributes.h"
#include "test_cms_signed_builder.h"

/* 1.2.840.113549.1.9.16.9.N as a DER OBJECT IDENTIFIER element. */
#define STI(n) 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x09, (n)

static tpki_party bob;

static void setup_all(void) {
    setup();
    if (bob.cert == NULL) {
        bob = tpki_make(TPKI_P256, "bob", &ca, 102);
    }
}

static size_t hex_decode(const char *hex, uint8_t *out, size_t cap) {
    size_t n = 0;
    for (const char *p = hex; p[0] != '\0' && p[1] != '\0' && n < cap;) {
        if (p[0] == ' ') {
            p++;
            continue;
        }
        unsigned v = 0;
        sscanf(p, "%2x", &v);
        out[n++] = (uint8_t)v;
        p += 2;
    }
    return n;
}

/* encode_attr: the Attribute element cachet_cms_add_sigtype_attr writes. */
static cachet_membuf encode_attr(unsigned types) {
    cachet_cbb cbb;
    cachet_membuf out = {0};
    uint8_t *der = NULL;
    size_t len = 0;
    CHECK(cachet_cbb_init(&cbb, 64, 0));
    CHECK(cachet_cms_add_sigtype_attr(&cbb, types));
    CHECK(cachet_cbb_finish(&cbb, &der, &len));
    cachet_membuf_append(&out, der, len);
    cachet_free(der);
    return out;
}

static void signature_type_attribute_is_the_hand_written_der(void) {
    static const struct {
        unsigned types;
        const char *hex;
    } cases[] = {
        /* SEQUENCE { OID id-aa-signatureType, SET { SEQUENCE { OID domainSig } } } */
        {CACHET_SIGTYPE_DOMAIN, "301e 060b 2a864886f70d010910021c 310f 300d 060b "
                                "2a864886f70d0109100902"},
        {CACHET_SIGTYPE_ADD_ATTRIB, "301e 060b 2a864886f70d010910021c 310f 300d 060b "
                                    "2a864886f70d0109100903"},
        /* two types: SEQUENCE OF in bit order, originator then review */
        {CACHET_SIGTYPE_ORIGINATOR | CACHET_SIGTYPE_REVIEW,
         "302b 060b 2a864886f70d010910021c 311c 301a 060b 2a864886f70d0109100901 060b "
         "2a864886f70d0109100904"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t want[128];
        size_t want_len = hex_decode(cases[i].hex, want, sizeof(want));
        cachet_membuf got = encode_attr(cases[i].types);
        CHECK_MEM(got.data, got.len, want, want_len);
        cachet_membuf_free(&got);
    }
}

static cachet_status sign_with(const cachet_cms_signer_opts *so, const unsigned *types, size_t n,
                               bool detached, cachet_membuf *out, cachet_error *err) {
    cachet_cms_sign_opts o = {.signers = so,
                              .num_signers = n,
                              .detached = detached,
                              .signing_time = 1767225600,
                              .signature_types = types};
    return tpki_sign(&o, msg, MSG_LEN, TFEED_RANDOM, out, err);
}

/* The attribute written by a real signer: in the signed attributes, in DER
 * order (our own checker accepts them), and what OpenSSL finds under the OID. */
static void signed_output_carries_the_attribute_sorted(void) {
    setup_all();
    cachet_cms_signer_opts so = {.key = alice.key,
                                 .cert = alice.cert,
                                 .md = CACHET_MD_SHA256,
                                 .pss = false,
                                 .use_ski = false};
    const unsigned so_types[1] = {CACHET_SIGTYPE_DOMAIN};
    cachet_membuf out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_with(&so, so_types, 1, true, &out, &err), CACHET_OK);
    cachet_cbs attrs_elem, sig, attrs;
    CHECK(tpki_first_signer(out.data, out.len, &attrs_elem, &sig));
    cachet_cbs tmp = attrs_elem;
    CHECK(cachet_cbs_get_asn1(&tmp, &attrs, CACHET_ASN1_CONTEXT_CONS(0)));
    cachet_cms_attrs_info ai;
    char detail[200] = "";
    CHECK_EQ_INT(cachet_cms_check_signed_attrs(&attrs, 64, &ai, detail, sizeof(detail)), CACHET_OK);
    CHECK(ai.has_signature_type);
    CHECK_EQ_INT(ai.signature_types, CACHET_SIGTYPE_DOMAIN);
    cachet_membuf want = encode_attr(CACHET_SIGTYPE_DOMAIN);
    bool found = false;
    for (size_t i = 0; i + want.len <= attrs.len && !found; i++) {
        found = memcmp(attrs.data + i, want.data, want.len) == 0;
    }
    CHECK(found);
    /* OpenSSL's view: the attribute's value is SEQUENCE { domainSig }. */
    const unsigned char *p = out.data;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)out.len);
    CHECK(cms != NULL);
    if (cms != NULL) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
        ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113549.1.9.16.2.28", 1);
        int idx = CMS_signed_get_attr_by_OBJ(si, obj, -1);
        CHECK(idx >= 0);
        X509_ATTRIBUTE *a = CMS_signed_get_attr(si, idx);
        CHECK_EQ_INT(X509_ATTRIBUTE_count(a), 1);
        ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(a, 0);
        CHECK_EQ_INT(ASN1_TYPE_get(t), V_ASN1_SEQUENCE);
        static const uint8_t seq[] = {0x30, 0x0d, STI(2)};
        CHECK_MEM(t->value.sequence->data, (size_t)t->value.sequence->length, seq, sizeof(seq));
        ASN1_OBJECT_free(obj);
        CMS_ContentInfo_free(cms);
    }
    cachet_membuf_free(&want);
    cachet_membuf_free(&out);
}

static void signers_without_a_type_write_no_attribute(void) {
    setup_all();
    cachet_cms_signer_opts so = {.key = alice.key,
                                 .cert = alice.cert,
                                 .md = CACHET_MD_SHA256,
                                 .pss = false,
                                 .use_ski = false};
    const unsigned so_types[1] = {0};
    cachet_membuf out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_with(&so, so_types, 1, true, &out, &err), CACHET_OK);
    cachet_membuf oid = encode_attr(CACHET_SIGTYPE_DOMAIN);
    /* bytes 2..14 of the attribute are the id-aa-signatureType OID element */
    bool found = false;
    for (size_t i = 0; i + 13 <= out.len && !found; i++) {
        found = memcmp(out.data + i, oid.data + 2, 13) == 0;
    }
    CHECK(!found);
    cachet_membuf_free(&oid);
    cachet_membuf_free(&out);
}

/* RFC 3183 §3.1.2 / §3.3: addAttribSig stands alone; only defined types are written. */
static void unwritable_signature_types_are_refused(void) {
    setup_all();
    static const struct {
        unsigned types;
        bool ok;
        const char *detail_has;
    } cases[] = {
        {CACHET_SIGTYPE_ADD_ATTRIB | CACHET_SIGTYPE_DOMAIN, false, "addAttribSig"},
        {CACHET_SIGTYPE_ADD_ATTRIB | CACHET_SIGTYPE_ORIGINATOR, false, "addAttribSig"},
        {CACHET_SIGTYPE_UNKNOWN, false, "unknown"},
        {CACHET_SIGTYPE_DOMAIN | CACHET_SIGTYPE_UNKNOWN, false, "unknown"},
        {1u << 9, false, "unknown"},
        {CACHET_SIGTYPE_ADD_ATTRIB, true, ""},
        {CACHET_SIGTYPE_DOMAIN | CACHET_SIGTYPE_REVIEW, true, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char detail[200] = "";
        CHECK_EQ_INT(cachet_cms_sigtype_check(cases[i].types, detail, sizeof(detail)), cases[i].ok);
        CHECK(strstr(detail, cases[i].detail_has) != NULL);
        cachet_cms_signer_opts so = {.key = alice.key,
                                     .cert = alice.cert,
                                     .md = CACHET_MD_SHA256,
                                     .pss = false,
                                     .use_ski = false};
        const unsigned so_types[1] = {cases[i].types};
        cachet_membuf out = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(sign_with(&so, so_types, 1, true, &out, &err),
                     cases[i].ok ? CACHET_OK : CACHET_ERR_USAGE);
        if (!cases[i].ok) {
            CHECK(strstr(err.message, cases[i].detail_has) != NULL);
            CHECK_EQ_INT(out.len, 0);
        }
        cachet_membuf_free(&out);
    }
}

/* ---- reading ---- */

typedef struct verified {
    cachet_status st;
    cachet_layer_report layer;
    cachet_error err;
} verified;

/* verify_with_attrs signs |a| (plus contentType and messageDigest) as alice's
 * signed attributes, with |unsigned_set| (a SET element) as unsignedAttrs. */
static verified verify_with_attrs(const attr_spec *extra, size_t n, const uint8_t *unsigned_set,
                                  size_t unsigned_len) {
    attr_spec a[8];
    a[0] = ct_attr(CACHET_OID_DATA);
    a[1] = md_attr(msg, MSG_LEN, false);
    for (size_t i = 0; i < n; i++) {
        a[2 + i] = extra[i];
    }
    cachet_membuf attrs = build_attrs(a, n + 2, true);
    sdb s = {.content = {msg, MSG_LEN},
             .attrs = {attrs.data, attrs.len},
             .unsigned_attrs = {unsigned_set, unsigned_len}};
    size_t len = 0;
    uint8_t *der = build_sd(&s, &len);
    verified v = {0};
    cachet_membuf got = {0};
    cachet_cms_policy pol = {.trust = trust};
    v.st = tpki_verify(&pol, der, len, NULL, 0, NULL, 0, TFEED_RANDOM, &got, &v.layer, &v.err);
    cachet_free(der);
    cachet_membuf_free(&attrs);
    cachet_membuf_free(&got);
    return v;
}

static attr_spec sigtype_attr(const uint8_t *values, size_t len) {
    return raw_attr(CACHET_OID_ATTR_SIGNATURE_TYPE, values, len);
}

static void signature_type_values_are_united(void) {
    setup_all();
    static const struct {
        uint8_t values[80];
        size_t len;
        unsigned want;
    } cases[] = {
        {{0x30, 0x0d, STI(2)}, 15, CACHET_SIGTYPE_DOMAIN},
        {{0x30, 0x0d, STI(3)}, 15, CACHET_SIGTYPE_ADD_ATTRIB},
        /* one SEQUENCE with two OIDs */
        {{0x30, 0x1a, STI(1), STI(4)}, 28, CACHET_SIGTYPE_ORIGINATOR | CACHET_SIGTYPE_REVIEW},
        /* two values in the SET: their union */
        {{0x30, 0x0d, STI(2), 0x30, 0x0d, STI(4)},
         30,
         CACHET_SIGTYPE_DOMAIN | CACHET_SIGTYPE_REVIEW},
        /* an OID under id-sti this version does not know, and one elsewhere */
        {{0x30, 0x0d, STI(9), 0x30, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04},
         22,
         CACHET_SIGTYPE_UNKNOWN},
        {{0x30, 0x1a, STI(2), STI(2)}, 28, CACHET_SIGTYPE_DOMAIN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        attr_spec a = sigtype_attr(cases[i].values, cases[i].len);
        verified v = verify_with_attrs(&a, 1, NULL, 0);
        CHECK_EQ_INT(v.st, CACHET_OK);
        CHECK_EQ_INT(v.layer.num_signers, 1);
        if (v.layer.num_signers == 1) {
            CHECK(v.layer.signers[0].has_signature_type);
            CHECK_EQ_INT(v.layer.signers[0].signature_types, cases[i].want);
            CHECK(!v.layer.signers[0].ml_expansion_history);
            CHECK_STR(v.layer.signers[0].common_name, "alice");
            CHECK_EQ_INT(v.layer.signers[0].num_common_names, 1);
        }
        cachet_cms_layer_report_clear(&v.layer);
    }
}

static void malformed_signature_types_fail_the_signer(void) {
    setup_all();
    uint8_t nine[2 + 9 * 5];
    nine[0] = 0x30;
    nine[1] = 9 * 5;
    for (size_t i = 0; i < 9; i++) {
        static const uint8_t oid[] = {0x06, 0x03, 0x2a, 0x03, 0x04};
        memcpy(nine + 2 + i * 5, oid, 5);
    }
    static const struct {
        uint8_t values[80];
        size_t len;
        const char *detail;
    } cases[] = {
        /* an OID where the SEQUENCE OF belongs */
        {{STI(2)}, 13, "SignatureType value 0 is not a SEQUENCE OF OBJECT IDENTIFIER"},
        {{0x30, 0x03, 0x02, 0x01, 0x01},
         5,
         "SignatureType value 0 holds something other than an OBJECT IDENTIFIER"},
        {{0x30, 0x00}, 2, "SignatureType value 0 is an empty SEQUENCE"},
        {{0x30, 0x0d, STI(2), 0x30, 0x00}, 17, "SignatureType value 1 is an empty SEQUENCE"},
        {{0x30, 0x1a, STI(3), STI(2)}, 28, "addAttribSig together with another"},
        {{0x30, 0x0d, STI(3), 0x30, 0x0d, STI(4)}, 30, "addAttribSig together with another"},
        {{0x30, 0x0d, STI(2), 0x05, 0x00}, 17, "SignatureType value 1 is not a SEQUENCE"},
        {{0}, 0, "SignatureType has no value"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) + 1; i++) {
        attr_spec a;
        const char *want;
        if (i < sizeof(cases) / sizeof(cases[0])) {
            a = sigtype_attr(cases[i].values, cases[i].len);
            want = cases[i].detail;
        } else {
            a = sigtype_attr(nine, sizeof(nine));
            want = "SignatureType value 0 has more than 8 OIDs";
        }
        verified v = verify_with_attrs(&a, 1, NULL, 0);
        CHECK_EQ_INT(v.st, CACHET_ERR_ATTRIBUTES);
        CHECK_EQ_INT(v.layer.num_signers, 1);
        if (v.layer.num_signers == 1) {
            const cachet_signer_report *s = &v.layer.signers[0];
            CHECK_EQ_INT(s->signature_status, CACHET_ERR_ATTRIBUTES);
            CHECK(!s->signature_valid);
            CHECK(!s->has_signature_type);
            if (strstr(s->signature_detail, want) == NULL) {
                fprintf(stderr, "case %zu: detail \"%s\" lacks \"%s\"\n", i, s->signature_detail,
                        want);
                cachet_test_failures++;
            }
        }
        cachet_cms_layer_report_clear(&v.layer);
    }
}

/* R3183-3.1.2-4: a SignerInfo MUST NOT include multiple instances of SignatureType. */
static void signature_type_twice_is_refused(void) {
    setup_all();
    static const uint8_t domain[] = {0x30, 0x0d, STI(2)};
    static const uint8_t review[] = {0x30, 0x0d, STI(4)};
    attr_spec a[2] = {sigtype_attr(domain, sizeof(domain)), sigtype_attr(review, sizeof(review))};
    verified v = verify_with_attrs(a, 2, NULL, 0);
    CHECK_EQ_INT(v.st, CACHET_ERR_ATTRIBUTES);
    CHECK(v.layer.num_signers == 1 &&
          strstr(v.layer.signers[0].signature_detail,
                 "attribute id-aa-signatureType appears twice") != NULL);
    cachet_cms_layer_report_clear(&v.layer);
}

/* R3183-3.1.2-1, ATTACKS GW-01 (g): a SignatureType among the unsigned attributes
 * is anyone's to add and says nothing. */
static void signature_type_in_unsigned_attrs_is_ignored(void) {
    setup_all();
    static const uint8_t unsigned_set[] = {0x31, 0x20, 0x30, 0x1e, 0x06, 0x0b,  0x2a, 0x86,
                                           0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09,  0x10, 0x02,
                                           0x1c, 0x31, 0x0f, 0x30, 0x0d, STI(2)};
    verified v = verify_with_attrs(NULL, 0, unsigned_set, sizeof(unsigned_set));
    CHECK_EQ_INT(v.st, CACHET_OK);
    CHECK(v.layer.num_signers == 1 && !v.layer.signers[0].has_signature_type &&
          v.layer.signers[0].signature_types == 0);
    cachet_cms_layer_report_clear(&v.layer);
}

static void ml_expansion_history_is_reported(void) {
    setup_all();
    /* MLExpansionHistory ::= SEQUENCE SIZE (1..64) OF MLData: one MLData naming
     * the agent by subjectKeyIdentifier, expanded 2026-01-01 (RFC 2634 §4.2) */
    static const uint8_t mlh[] = {0x30, 0x16, 0x30, 0x14, 0x04, 0x01, 0x01, 0x18,
                                  0x0f, '2',  '0',  '2',  '6',  '0',  '1',  '0',
                                  '1',  '0',  '0',  '0',  '0',  '0',  '0',  'Z'};
    attr_spec a = raw_attr(CACHET_OID_ATTR_ML_EXPANSION_HISTORY, mlh, sizeof(mlh));
    verified v = verify_with_attrs(&a, 1, NULL, 0);
    CHECK_EQ_INT(v.st, CACHET_OK);
    CHECK(v.layer.num_signers == 1 && v.layer.signers[0].ml_expansion_history &&
          !v.layer.signers[0].has_signature_type);
    cachet_cms_layer_report_clear(&v.layer);
}

/* R3183-3.1.2-5: all SignerInfos carry the same SignatureType content. */
static void signer_infos_must_agree_on_signature_type(void) {
    setup_all();
    static const struct {
        unsigned a, b;
        cachet_status want;
    } cases[] = {
        {CACHET_SIGTYPE_DOMAIN, CACHET_SIGTYPE_DOMAIN, CACHET_OK},
        {CACHET_SIGTYPE_DOMAIN, CACHET_SIGTYPE_REVIEW, CACHET_ERR_ATTRIBUTES},
        {CACHET_SIGTYPE_DOMAIN, 0, CACHET_ERR_ATTRIBUTES},
        {CACHET_SIGTYPE_DOMAIN | CACHET_SIGTYPE_REVIEW, CACHET_SIGTYPE_DOMAIN,
         CACHET_ERR_ATTRIBUTES},
        {0, 0, CACHET_OK},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cms_signer_opts so[2] = {{.key = alice.key,
                                         .cert = alice.cert,
                                         .md = CACHET_MD_SHA256,
                                         .pss = false,
                                         .use_ski = false},
                                        {.key = bob.key,
                                         .cert = bob.cert,
                                         .md = CACHET_MD_SHA384,
                                         .pss = false,
                                         .use_ski = false}};
        const unsigned types[2] = {cases[i].a, cases[i].b};
        cachet_membuf out = {0}, got = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(sign_with(so, types, 2, false, &out, &err), CACHET_OK);
        cachet_cms_policy pol = {.trust = trust};
        cachet_layer_report layer;
        cachet_status st =
            tpki_verify(&pol, out.data, out.len, NULL, 0, NULL, 0, TFEED_BYTES, &got, &layer, &err);
        CHECK_EQ_INT(st, cases[i].want);
        CHECK_EQ_INT(layer.num_signers, 2);
        if (layer.num_signers == 2) {
            /* each signer on its own is valid and reports what it carries (the
             * SignerInfos SET is DER-sorted: find each by its commonName) */
            for (size_t k = 0; k < 2; k++) {
                const cachet_signer_report *r = &layer.signers[k];
                bool is_alice = strcmp(r->common_name, "alice") == 0;
                unsigned want = is_alice ? cases[i].a : cases[i].b;
                CHECK(is_alice || strcmp(r->common_name, "bob") == 0);
                CHECK(r->signature_valid);
                CHECK_EQ_INT(r->signature_types, want);
                CHECK_EQ_INT(r->has_signature_type, want != 0);
            }
        }
        if (cases[i].want != CACHET_OK) {
            CHECK_STR(err.message,
                      "SignerInfos disagree on SignatureType (RFC 3183 section 3.1.2)");
            CHECK_STR(err.where, "SignedData.signerInfos");
        }
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&out);
        cachet_membuf_free(&got);
    }
}

/* ---- the empty signature layer ---- */

static void empty_signed_data_is_the_hand_written_ber(void) {
    cachet_cms_sign_opts o = {.empty = true};
    cachet_membuf out = {0};
    cachet_error err = {0};
    static const uint8_t content[] = "hello";
    CHECK_EQ_INT(tpki_sign(&o, content, 5, TFEED_BYTES, &out, &err), CACHET_OK);
    uint8_t want[128];
    size_t want_len = hex_decode("3080 0609 2a864886f70d010702 a080 3080 020101 3100 "
                                 "3080 0609 2a864886f70d010701 a080 2480 0405 68656c6c6f "
                                 "0000 0000 0000 3100 0000 0000 0000",
                                 want, sizeof(want));
    CHECK_MEM(out.data, out.len, want, want_len);
    cachet_membuf_free(&out);
    /* signers, certificates or detached are not an empty layer */
    setup_all();
    cachet_cms_signer_opts so = {.key = alice.key,
                                 .cert = alice.cert,
                                 .md = CACHET_MD_SHA256,
                                 .pss = false,
                                 .use_ski = false};
    cachet_cert *chain[1] = {ca.cert};
    cachet_cms_sign_opts bad[3] = {{.empty = true, .signers = &so, .num_signers = 1},
                                   {.empty = true, .extra_certs = chain, .num_extra_certs = 1},
                                   {.empty = true, .detached = true}};
    for (size_t i = 0; i < 3; i++) {
        CHECK_EQ_INT(tpki_sign(&bad[i], content, 5, TFEED_WHOLE, &out, &err), CACHET_ERR_USAGE);
        CHECK_EQ_INT(out.len, 0);
    }
}

static void empty_layer_is_recognised_but_never_signed(void) {
    setup_all();
    static const uint8_t content[] = "Content-Type: text/plain\r\n\r\nhi\r\n";
    cachet_cms_sign_opts o = {.empty = true};
    cachet_membuf out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(tpki_sign(&o, content, sizeof(content) - 1, TFEED_RANDOM, &out, &err), CACHET_OK);
    for (int mode = TFEED_WHOLE; mode <= TFEED_RANDOM; mode++) {
        cachet_cms_policy pol = {.trust = trust};
        cachet_membuf got = {0};
        cachet_layer_report layer;
        cachet_sink sink = cachet_sink_membuf(&got);
        cachet_cms_verify *v = cachet_cms_verify_new(&pol, NULL, &sink, &err);
        uint32_t rng = 7;
        cachet_status st = CACHET_OK;
        for (size_t off = 0; off < out.len && st == CACHET_OK;) {
            size_t n = tfeed_next((tfeed)mode, out.len - off, &rng);
            st = cachet_cms_verify_update(v, out.data + off, n, &err);
            off += n;
        }
        CHECK_EQ_INT(st, CACHET_OK);
        /* SG-09 holds in cms/: no signers is never OK */
        CHECK_EQ_INT(cachet_cms_verify_finish(v, &layer, &err), CACHET_ERR_NO_SIGNERS);
        CHECK(cachet_cms_verify_is_empty_layer(v));
        CHECK_EQ_INT(layer.num_signers, 0);
        CHECK_STR(layer.content_type, "id-data");
        CHECK_MEM(got.data, got.len, content, sizeof(content) - 1);
        cachet_cms_layer_report_clear(&layer);
        cachet_cms_verify_free(v);
        cachet_membuf_free(&got);
    }
    cachet_membuf_free(&out);
    /* certs-only (no eContent, or an empty one as NSS's cmsutil -O writes) and
     * another eContentType are not empty layers */
    sdb s[3] = {
        {.detached = true, .no_signer = true},
        {.content = {msg, 0}, .no_signer = true},
        {.content = {msg, MSG_LEN}, .econtent_type = CACHET_OID_CT_TSTINFO, .no_signer = true}};
    for (size_t i = 0; i < 3; i++) {
        size_t len = 0;
        uint8_t *der = build_sd(&s[i], &len);
        cachet_cms_policy pol = {.trust = trust};
        cachet_cms_verify *v = cachet_cms_verify_new(&pol, NULL, NULL, &err);
        cachet_layer_report layer;
        CHECK_EQ_INT(cachet_cms_verify_update(v, der, len, &err), CACHET_OK);
        CHECK_EQ_INT(cachet_cms_verify_finish(v, &layer, &err), CACHET_ERR_NO_SIGNERS);
        CHECK(!cachet_cms_verify_is_empty_layer(v));
        cachet_cms_layer_report_clear(&layer);
        cachet_cms_verify_free(v);
        cachet_free(der);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(signature_type_attribute_is_the_hand_written_der),
    TEST_CASE(signed_output_carries_the_attribute_sorted),
    TEST_CASE(signers_without_a_type_write_no_attribute),
    TEST_CASE(unwritable_signature_types_are_refused),
    TEST_CASE(signature_type_values_are_united),
    TEST_CASE(malformed_signature_types_fail_the_signer),
    TEST_CASE(signature_type_twice_is_refused),
    TEST_CASE(signature_type_in_unsigned_attrs_is_ignored),
    TEST_CASE(ml_expansion_history_is_reported),
    TEST_CASE(signer_infos_must_agree_on_signature_type),
    TEST_CASE(empty_signed_data_is_the_hand_written_ber),
    TEST_CASE(empty_layer_is_recognised_but_never_signed),
};

TEST_MAIN(tests)
