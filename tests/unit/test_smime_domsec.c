/* RFC 3183 through the public API: signing with a SignatureType and reading it
 * back, the empty signature layer (alone it is not a signature, ATTACKS SG-09;
 * under a domain signature the message verifies), in verify, decrypt and
 * inspect, and the signer's commonName count (§3.1.1). */
#include "base/base.h"
#include "test_smime_sign_util.h"

#define MSG                                                                                        \
    "From: alice@a.example\r\nTo: bob@b.example\r\nSubject: domsec\r\n"                            \
    "Content-Type: text/plain; charset=us-ascii\r\n\r\nPay Bob 10 EUR.\r\n"
/* What verify writes for MSG: the outer fields (with the MIME-Version the
 * signer wrote), then the entity. */
#define MSG_OUT                                                                                    \
    "From: alice@a.example\r\nTo: bob@b.example\r\nSubject: domsec\r\nMIME-Version: 1.0\r\n"       \
    "Content-Type: text/plain; charset=us-ascii\r\n\r\nPay Bob 10 EUR.\r\n"

static gen_id dsa;
static bool have_dsa;

static const gen_id *domain_id(void) {
    if (!have_dsa) {
        have_dsa = gen_identity(&dsa, "rsa", "domain-signing-authority@a.example");
        CHECK(have_dsa);
    }
    return &dsa;
}

static cachet_ctx *trusting(const gen_id *id) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, id->cert_path), CACHET_OK);
    /* a domain signature is not the author's: no From binding here (the
     * gateway matches the domain instead) */
    cachet_ctx_set_address_check(ctx, false);
    return ctx;
}

typedef struct result {
    cachet_status st;
    cachet_membuf out;
    cachet_report *rep;
    char message[320];
} result;

static void result_free(result *r) {
    cachet_membuf_free(&r->out);
    cachet_report_free(r->rep);
    memset(r, 0, sizeof(*r));
}

typedef enum reader { READ_VERIFY, READ_DECRYPT, READ_INSPECT } reader;

static result read_msg(reader how, const cachet_ctx *ctx, const cachet_membuf *in, bool raw,
                       const cachet_credential *cred, int mode) {
    result r = {0};
    cachet_sink sink = cachet_sink_membuf(&r.out);
    cachet_error err = {0};
    cachet_op *op = NULL;
    if (how == READ_VERIFY) {
        cachet_verify_opts vo = {.raw = raw};
        op = cachet_verify_new(ctx, &vo, &sink, &err);
    } else if (how == READ_DECRYPT) {
        cachet_decrypt_opts dopt = {.cred = cred, .verify_signed = true, .raw = raw};
        op = cachet_decrypt_new(ctx, &dopt, &sink, &err);
    } else {
        op = cachet_inspect_new(ctx, raw, &err);
    }
    CHECK(op != NULL);
    if (op == NULL) {
        r.st = err.status;
        return r;
    }
    uint32_t seed = 99;
    const uint8_t *p = in->data;
    size_t off = 0;
    cachet_status st = CACHET_OK;
    while (st == CACHET_OK && off < in->len) {
        size_t n = mode == FEED_WHOLE   ? in->len - off
                   : mode == FEED_BYTES ? 1
                                        : 1 + cachet_test_rand(&seed) % 300;
        n = n < in->len - off ? n : in->len - off;
        st = cachet_op_update(op, p + off, n);
        off += n;
    }
    r.st = cachet_op_finish(op, &r.rep);
    snprintf(r.message, sizeof(r.message), "%s", cachet_op_error(op)->message);
    cachet_op_free(op);
    return r;
}

static cachet_status sign_buf(const cachet_membuf *in, const cachet_sign_opts *o,
                              cachet_membuf *out) {
    cachet_error err = {0};
    return sign_msg((const char *)in->data, in->len, o, FEED_RANDOM, 0, out, &err);
}

static cachet_membuf msg_buf(void) {
    cachet_membuf b = {0};
    cachet_membuf_append(&b, MSG, strlen(MSG));
    return b;
}

/* ---- SignatureType ---- */

static void signature_type_round_trips_in_every_form(void) {
    const gen_id *id = domain_id();
    static const unsigned types[] = {CACHET_SIGTYPE_DOMAIN, CACHET_SIGTYPE_REVIEW,
                                     CACHET_SIGTYPE_ADD_ATTRIB,
                                     CACHET_SIGTYPE_ORIGINATOR | CACHET_SIGTYPE_DOMAIN};
    cachet_ctx *ctx = trusting(id);
    for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
        for (int opaque = 0; opaque < 2; opaque++) {
            cachet_sign_opts so = {
                .signer = id->cred, .opaque = opaque != 0, .signature_types = types[t]};
            cachet_membuf in = msg_buf(), signed_msg = {0};
            CHECK_EQ_INT(sign_buf(&in, &so, &signed_msg), CACHET_OK);
            for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
                result r = read_msg(READ_VERIFY, ctx, &signed_msg, false, NULL, mode);
                CHECK_EQ_INT(r.st, CACHET_OK);
                CHECK(r.rep != NULL && r.rep->valid);
                CHECK(r.rep != NULL && r.rep->num_layers == 1 && r.rep->layers[0].num_signers == 1);
                if (r.rep != NULL && r.rep->num_layers == 1 && r.rep->layers[0].num_signers == 1) {
                    const cachet_signer_report *s = &r.rep->layers[0].signers[0];
                    CHECK(s->has_signature_type);
                    CHECK_EQ_INT(s->signature_types, types[t]);
                    CHECK_STR(s->common_name, "domain-signing-authority@a.example");
                    CHECK_EQ_INT(s->num_common_names, 1);
                    CHECK(!s->ml_expansion_history);
                }
                CHECK_MEM(r.out.data, r.out.len, MSG_OUT, strlen(MSG_OUT));
                result_free(&r);
            }
            cachet_membuf_free(&in);
            cachet_membuf_free(&signed_msg);
        }
    }
    /* without the option nothing is reported */
    cachet_sign_opts so = {.signer = id->cred};
    cachet_membuf in = msg_buf(), signed_msg = {0};
    CHECK_EQ_INT(sign_buf(&in, &so, &signed_msg), CACHET_OK);
    result r = read_msg(READ_VERIFY, ctx, &signed_msg, false, NULL, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_OK);
    CHECK(r.rep != NULL && r.rep->num_layers == 1 && r.rep->layers[0].num_signers == 1 &&
          !r.rep->layers[0].signers[0].has_signature_type &&
          r.rep->layers[0].signers[0].signature_types == 0);
    result_free(&r);
    cachet_membuf_free(&in);
    cachet_membuf_free(&signed_msg);
    cachet_ctx_free(ctx);
}

static void unusable_sign_options_are_refused(void) {
    const gen_id *id = domain_id();
    static const struct {
        bool with_signer;
        unsigned types;
        bool empty;
        const char *message_has;
    } cases[] = {
        {true, CACHET_SIGTYPE_ADD_ATTRIB | CACHET_SIGTYPE_DOMAIN, false, "addAttribSig"},
        {true, CACHET_SIGTYPE_UNKNOWN, false, "unknown signature type"},
        {true, 1u << 12, false, "unknown signature type"},
        {false, CACHET_SIGTYPE_DOMAIN, true, "empty signature layer has no signer"},
        {false, 0, false, "needs a signer"},
    };
    cachet_ctx *ctx = cachet_ctx_new();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_membuf out = {0};
        cachet_sink sink = cachet_sink_membuf(&out);
        cachet_sign_opts so = {.signer = cases[i].with_signer ? id->cred : NULL,
                               .signature_types = cases[i].types,
                               .empty = cases[i].empty};
        cachet_error err = {0};
        cachet_op *op = cachet_sign_new(ctx, &so, &sink, &err);
        CHECK(op == NULL);
        CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
        if (strstr(err.message, cases[i].message_has) == NULL) {
            fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i, err.message,
                    cases[i].message_has);
            cachet_test_failures++;
        }
        cachet_op_free(op);
        cachet_membuf_free(&out);
    }
    cachet_ctx_free(ctx);
}

/* ---- the empty signature layer ---- */

static cachet_membuf make_empty(bool raw, cachet_format format) {
    cachet_sign_opts so = {.empty = true, .raw = raw, .format = format};
    cachet_membuf in = msg_buf(), out = {0};
    CHECK_EQ_INT(sign_buf(&in, &so, &out), CACHET_OK);
    cachet_membuf_free(&in);
    return out;
}

static void empty_layer_is_opaque_signed_data_without_signers(void) {
    cachet_membuf e = make_empty(false, CACHET_FORMAT_SMIME);
    char *s = gen_str(&e);
    CHECK(strstr(s, "From: alice@a.example\r\n") == s);
    CHECK(strstr(s, "Content-Type: application/pkcs7-mime; smime-type=signed-data;") != NULL);
    /* OpenSSL reads it: no SignerInfo, no certificate, the entity as id-data eContent */
    BIO *detached = NULL;
    CMS_ContentInfo *cms = ossl_read(&e, &detached);
    CHECK(cms != NULL && detached == NULL);
    if (cms != NULL) {
        CHECK_EQ_INT(OBJ_obj2nid(CMS_get0_type(cms)), NID_pkcs7_signed);
        CHECK_EQ_INT(OBJ_obj2nid(CMS_get0_eContentType(cms)), NID_pkcs7_data);
        CHECK_EQ_INT(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)), 0);
        STACK_OF(X509) *certs = CMS_get1_certs(cms);
        CHECK(certs == NULL || sk_X509_num(certs) == 0);
        sk_X509_pop_free(certs, X509_free);
        ASN1_OCTET_STRING **content = CMS_get0_content(cms);
        static const char entity[] =
            "Content-Type: text/plain; charset=us-ascii\r\n\r\nPay Bob 10 EUR.\r\n";
        CHECK(content != NULL && *content != NULL);
        if (content != NULL && *content != NULL) {
            CHECK_MEM((*content)->data, (size_t)(*content)->length, entity, strlen(entity));
        }
    }
    CMS_ContentInfo_free(cms);
    free(s);
    cachet_membuf_free(&e);
}

/* SG-09 at the message level: an empty layer alone is never "signed". */
static void empty_layer_alone_is_not_signed(void) {
    const gen_id *id = domain_id();
    cachet_ctx *ctx = trusting(id);
    static const struct {
        bool raw;
        cachet_format format;
    } forms[] = {
        {false, CACHET_FORMAT_SMIME}, {true, CACHET_FORMAT_DER}, {true, CACHET_FORMAT_PEM}};
    for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
        cachet_membuf e = make_empty(forms[f].raw, forms[f].format);
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            result r = read_msg(READ_VERIFY, ctx, &e, forms[f].raw, NULL, mode);
            CHECK_EQ_INT(r.st, CACHET_ERR_NO_SIGNERS);
            CHECK_STR(r.message, "SignedData has no signers");
            CHECK_EQ_INT(r.out.len, 0); /* nothing reaches the caller */
            CHECK(r.rep != NULL && !r.rep->valid && r.rep->num_layers == 1);
            if (r.rep != NULL && r.rep->num_layers == 1) {
                CHECK_EQ_INT(r.rep->layers[0].type, CACHET_LAYER_SIGNED);
                CHECK_EQ_INT(r.rep->layers[0].num_signers, 0);
                CHECK(!r.rep->layers[0].detached);
                CHECK(r.rep->layers[0].empty_signature_layer);
            }
            result_free(&r);
        }
        /* inspect lists it and goes on */
        result r = read_msg(READ_INSPECT, ctx, &e, forms[f].raw, NULL, FEED_RANDOM);
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK(r.rep != NULL && r.rep->num_layers == 1 && r.rep->layers[0].num_signers == 0 &&
              r.rep->layers[0].empty_signature_layer);
        result_free(&r);
        cachet_membuf_free(&e);
    }
    cachet_ctx_free(ctx);
}

static void domain_signature_around_empty_layer_verifies(void) {
    const gen_id *id = domain_id();
    cachet_ctx *ctx = trusting(id);
    cachet_membuf e = make_empty(false, CACHET_FORMAT_SMIME);
    for (int opaque = 0; opaque < 2; opaque++) {
        cachet_sign_opts so = {
            .signer = id->cred, .opaque = opaque != 0, .signature_types = CACHET_SIGTYPE_DOMAIN};
        cachet_membuf ds = {0};
        CHECK_EQ_INT(sign_buf(&e, &so, &ds), CACHET_OK);
        static const reader readers[] = {READ_VERIFY, READ_INSPECT};
        for (size_t k = 0; k < 2; k++) {
            reader how = readers[k];
            for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
                result r = read_msg(how, ctx, &ds, false, NULL, mode);
                CHECK_EQ_INT(r.st, CACHET_OK);
                CHECK(r.rep != NULL && r.rep->num_layers == 2);
                if (r.rep != NULL && r.rep->num_layers == 2) {
                    CHECK(how == READ_INSPECT || r.rep->valid);
                    CHECK_EQ_INT(r.rep->layers[0].num_signers, 1);
                    CHECK_EQ_INT(r.rep->layers[0].signers[0].signature_types,
                                 CACHET_SIGTYPE_DOMAIN);
                    CHECK_EQ_INT(r.rep->layers[1].type, CACHET_LAYER_SIGNED);
                    CHECK_EQ_INT(r.rep->layers[1].num_signers, 0);
                    CHECK(r.rep->layers[1].empty_signature_layer);
                    CHECK(!r.rep->layers[0].empty_signature_layer);
                    CHECK_STR(r.rep->layers[1].content_type, "id-data");
                }
                if (how == READ_VERIFY) {
                    CHECK_MEM(r.out.data, r.out.len, MSG_OUT, strlen(MSG_OUT));
                }
                result_free(&r);
            }
        }
        cachet_membuf_free(&ds);
    }
    cachet_membuf_free(&e);
    cachet_ctx_free(ctx);
}

/* An empty layer does not lend validity to a bad or untrusted signature around it. */
static void empty_layer_does_not_rescue_an_untrusted_signer(void) {
    const gen_id *id = domain_id();
    gen_id other;
    CHECK(gen_identity(&other, "p256", "domain-signing-authority@evil.example"));
    cachet_ctx *ctx = trusting(id);
    cachet_membuf e = make_empty(false, CACHET_FORMAT_SMIME), ds = {0};
    cachet_sign_opts so = {.signer = other.cred, .signature_types = CACHET_SIGTYPE_DOMAIN};
    CHECK_EQ_INT(sign_buf(&e, &so, &ds), CACHET_OK);
    result r = read_msg(READ_VERIFY, ctx, &ds, false, NULL, FEED_WHOLE);
    CHECK_EQ_INT(r.st, CACHET_ERR_UNTRUSTED);
    CHECK_EQ_INT(r.out.len, 0);
    result_free(&r);
    cachet_membuf_free(&e);
    cachet_membuf_free(&ds);
    cachet_ctx_free(ctx);
    gen_identity_free(&other);
}

/* decrypt with verify_signed: the same rule as verify. */
static void decrypt_applies_the_same_rule(void) {
    const gen_id *id = domain_id();
    gen_id bob;
    CHECK(gen_identity(&bob, "rsa", "bob@b.example"));
    cachet_ctx *ctx = trusting(id);
    cachet_cert *rcpt = NULL;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_cert_load_file(bob.cert_path, &rcpt, &err), CACHET_OK);
    cachet_membuf e = make_empty(false, CACHET_FORMAT_SMIME), ds = {0};
    cachet_sign_opts so = {.signer = id->cred, .signature_types = CACHET_SIGTYPE_DOMAIN};
    CHECK_EQ_INT(sign_buf(&e, &so, &ds), CACHET_OK);
    const cachet_membuf *inner[2] = {&e, &ds};
    const cachet_status want[2] = {CACHET_ERR_NO_SIGNERS, CACHET_OK};
    for (size_t i = 0; i < 2; i++) {
        cachet_encrypt_opts eo = {.recipients = &rcpt, .num_recipients = 1};
        cachet_membuf enc = {0};
        cachet_sink sink = cachet_sink_membuf(&enc);
        cachet_op *op = cachet_encrypt_new(ctx, &eo, &sink, &err);
        CHECK(op != NULL);
        uint32_t seed = 5;
        CHECK_EQ_INT(gen_feed(op, (const char *)inner[i]->data, inner[i]->len, FEED_WHOLE, &seed),
                     CACHET_OK);
        cachet_op_free(op);
        result r = read_msg(READ_DECRYPT, ctx, &enc, false, bob.cred, FEED_RANDOM);
        CHECK_EQ_INT(r.st, want[i]);
        CHECK(r.rep != NULL && r.rep->num_layers == 2 + i);
        if (want[i] == CACHET_OK) {
            CHECK_MEM(r.out.data, r.out.len, MSG_OUT, strlen(MSG_OUT));
        } else {
            CHECK_EQ_INT(r.out.len, 0);
        }
        result_free(&r);
        cachet_membuf_free(&enc);
    }
    cachet_cert_free(rcpt);
    cachet_membuf_free(&e);
    cachet_membuf_free(&ds);
    cachet_ctx_free(ctx);
    gen_identity_free(&bob);
}

/* ---- commonName (RFC 3183 §3.1.1: exactly one CN) ---- */

/* make_named: a self-signed signer whose subject has the given CNs. */
static bool make_named(gen_id *id, const char *const *cns, size_t n) {
    memset(id, 0, sizeof(*id));
    id->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"A Example", -1, -1,
                               0);
    for (size_t i = 0; i < n; i++) {
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cns[i], -1, -1,
                                   0);
    }
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, id->key);
    bool ok = gen_add_ext(x, NID_subject_alt_name, "email:domain-signing-authority@a.example") &&
              gen_add_ext(x, NID_key_usage, "critical,digitalSignature") &&
              gen_add_ext(x, NID_ext_key_usage, "emailProtection") &&
              X509_sign(x, id->key, EVP_sha256()) > 0;
    id->cert = x;
    cachet_error err;
    return ok && gen_write_pem(id->cert_path, sizeof(id->cert_path), x, NULL) &&
           gen_write_pem(id->key_path, sizeof(id->key_path), NULL, id->key) &&
           cachet_credential_load(id->cert_path, id->key_path, NULL, &id->cred, &err) == CACHET_OK;
}

static void common_names_are_counted(void) {
    static const char *const two[] = {"domain-signing-authority", "alice"};
    static const char *const one[] = {"domain-signing-authority"};
    static const char *const ctrl[] = {"domain\x01signing\x7f"
                                       "authority\xc2\x85x"};
    static const char *const utf8[] = {"Dom\xc3\xa4ne"};
    static const struct {
        const char *const *cns;
        size_t n;
        size_t want_count;
        const char *want;
    } cases[] = {
        {two, 2, 2, ""},
        {one, 1, 1, "domain-signing-authority"},
        {NULL, 0, 0, ""},
        {ctrl, 1, 1, "domain?signing?authority?x"},
        {utf8, 1, 1, "Dom\xc3\xa4ne"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gen_id id;
        CHECK(make_named(&id, cases[i].cns, cases[i].n));
        cachet_ctx *ctx = trusting(&id);
        cachet_sign_opts so = {.signer = id.cred, .signature_types = CACHET_SIGTYPE_DOMAIN};
        cachet_membuf in = msg_buf(), ds = {0};
        CHECK_EQ_INT(sign_buf(&in, &so, &ds), CACHET_OK);
        result r = read_msg(READ_VERIFY, ctx, &ds, false, NULL, FEED_WHOLE);
        CHECK_EQ_INT(r.st, CACHET_OK);
        CHECK(r.rep != NULL && r.rep->num_layers == 1 && r.rep->layers[0].num_signers == 1);
        if (r.rep != NULL && r.rep->num_layers == 1 && r.rep->layers[0].num_signers == 1) {
            const cachet_signer_report *s = &r.rep->layers[0].signers[0];
            CHECK_EQ_INT(s->num_common_names, cases[i].want_count);
            CHECK_STR(s->common_name, cases[i].want);
        }
        result_free(&r);
        cachet_membuf_free(&in);
        cachet_membuf_free(&ds);
        cachet_ctx_free(ctx);
        gen_identity_free(&id);
    }
}

static void cleanup(void) {
    if (have_dsa) {
        gen_identity_free(&dsa);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(signature_type_round_trips_in_every_form),
    TEST_CASE(unusable_sign_options_are_refused),
    TEST_CASE(empty_layer_is_opaque_signed_data_without_signers),
    TEST_CASE(empty_layer_alone_is_not_signed),
    TEST_CASE(domain_signature_around_empty_layer_verifies),
    TEST_CASE(empty_layer_does_not_rescue_an_untrusted_signer),
    TEST_CASE(decrypt_applies_the_same_rule),
    TEST_CASE(common_names_are_counted),
    TEST_CASE(cleanup),
};

TEST_MAIN(tests)
