/* ESS and CAdES attributes generated through the public API (cachet_sign_opts:
 * security_label, equivalent_labels, content_hint, signing_certificate_v1,
 * signature_policy*) and read back through cachet_verify_new, opaque and
 * multipart/signed, fed whole, byte by byte and in random chunks; OpenSSL as
 * the independent reader (the signature verifies with the attributes in, and
 * the securityLabel value is byte for byte the DER cachet's writer makes).
 * Bad options are usage errors naming the field. */
#include <stdio.h>
#include <string.h>

#include "cms/ess.h"
#include "test_smime_issue5_util.h"

static cachet_security_category cat = {.type = "2.16.840.1.101.2.1.8.3.1",
                                       .value_hex = (char *)"3003020101"};
static cachet_security_label label = {.policy = "2.16.840.1.101.2.1.12.0.1",
                                      .classification = 4,
                                      .privacy_mark = "SECRET",
                                      .categories = &cat,
                                      .num_categories = 1};
static cachet_security_label equivalents[1] = {
    {.policy = "1.3.6.1.4.1.99999.1", .classification = 3, .privacy_mark = "vertraulich \xc3\xa4"}};
static uint8_t policy_hash[32];

static cachet_sign_opts full_opts(const gen_id *who, bool opaque) {
    for (size_t i = 0; i < sizeof(policy_hash); i++) {
        policy_hash[i] = (uint8_t)(0xa0 + i);
    }
    cachet_sign_opts o = {.signer = who->cred,
                          .opaque = opaque,
                          .security_label = &label,
                          .equivalent_labels = equivalents,
                          .num_equivalent_labels = 1,
                          .content_hint = "quarterly report",
                          .signing_certificate_v1 = true,
                          .signature_policy = "1.2.3.4.5",
                          .signature_policy_md = CACHET_DIGEST_SHA256,
                          .signature_policy_hash = policy_hash,
                          .signature_policy_hash_len = sizeof(policy_hash)};
    return o;
}

static void check_ess(const cachet_signer_report *s) {
    CHECK(s->signature_valid);
    const cachet_ess_info *e = s->ess;
    CHECK(e != NULL);
    if (e == NULL) {
        return;
    }
    CHECK(e->label != NULL);
    if (e->label != NULL) {
        CHECK_STR(e->label->policy, "2.16.840.1.101.2.1.12.0.1");
        CHECK_EQ_INT(e->label->classification, 4);
        CHECK_STR(e->label->privacy_mark, "SECRET");
        CHECK_EQ_INT(e->label->num_categories, 1);
        if (e->label->num_categories == 1) {
            CHECK_STR(e->label->categories[0].type, "2.16.840.1.101.2.1.8.3.1");
            CHECK_STR(e->label->categories[0].value_hex, "3003020101");
        }
    }
    CHECK_EQ_INT(e->num_equivalent_labels, 1);
    if (e->num_equivalent_labels == 1) {
        CHECK_STR(e->equivalent_labels[0].policy, "1.3.6.1.4.1.99999.1");
        CHECK_STR(e->equivalent_labels[0].privacy_mark, "vertraulich \xc3\xa4");
    }
    CHECK(e->has_content_hints);
    CHECK_STR(e->content_description, "quarterly report");
    CHECK_STR(e->content_hints_type, "id-data");
    CHECK(e->signing_certificate_v1 && e->signing_certificate_v2);
    CHECK(e->has_signature_policy && !e->signature_policy_implied);
    CHECK_STR(e->signature_policy, "1.2.3.4.5");
    CHECK_STR(e->signature_policy_hash_alg, "sha256");
    CHECK(e->signature_policy_hash_hex != NULL &&
          strncmp(e->signature_policy_hash_hex, "a0a1a2a3", 8) == 0 &&
          strlen(e->signature_policy_hash_hex) == 64);
    CHECK(e->num_ml_history == 0 && !e->has_content_reference);
}

/* label_value_der: the DER of the securityLabel value of OpenSSL's first signer. */
static bool label_value_der(const cachet_membuf *msg, unsigned char **der, int *len) {
    BIO *detached = NULL;
    CMS_ContentInfo *cms = ossl_read(msg, &detached);
    bool ok = false;
    if (cms != NULL) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
        ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113549.1.9.16.2.2", 1);
        int at = CMS_signed_get_attr_by_OBJ(si, obj, -1);
        X509_ATTRIBUTE *attr = at >= 0 ? CMS_signed_get_attr(si, at) : NULL;
        ASN1_TYPE *t = attr != NULL ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
        *der = NULL;
        *len = t != NULL ? i2d_ASN1_TYPE(t, der) : -1;
        ok = *len > 0 && X509_ATTRIBUTE_count(attr) == 1;
        ASN1_OBJECT_free(obj);
    }
    CMS_ContentInfo_free(cms);
    BIO_free(detached);
    return ok;
}

static void ess_attributes_round_trip_and_openssl_verifies(void) {
    gen_id alice;
    CHECK(gen_identity(&alice, "rsa", "alice@example.com"));
    cachet_cbb cbb;
    uint8_t *want = NULL;
    size_t want_len = 0;
    char detail[200];
    CHECK(cachet_cbb_init(&cbb, 128, 0) &&
          cachet_ess_add_label(&cbb, &label, detail, sizeof(detail)) &&
          cachet_cbb_finish(&cbb, &want, &want_len));
    for (int opaque = 0; opaque <= 1; opaque++) {
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_sign_opts o = full_opts(&alice, opaque != 0);
            cachet_membuf out = {0};
            cachet_error err;
            cachet_err_clear(&err);
            CHECK_EQ_INT(sign_msg(i5_message, strlen(i5_message), &o, mode, 0, &out, &err),
                         CACHET_OK);
            if (err.status != CACHET_OK) {
                fprintf(stderr, "sign: %s: %s\n", err.where, err.message);
            }
            size_t clen = 0;
            char *content = verified_content(&out, alice.cert, &clen);
            CHECK(content != NULL);
            free(content);
            unsigned char *der = NULL;
            int der_len = 0;
            CHECK(label_value_der(&out, &der, &der_len));
            CHECK_MEM(der, (size_t)der_len, want, want_len);
            OPENSSL_free(der);
            cachet_ctx *ctx = cachet_ctx_new();
            CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
            cachet_verify_opts vo = {0};
            i5_result r = i5_read(ctx, &vo, false, out.data, out.len, mode);
            CHECK_EQ_INT(r.st, CACHET_OK);
            CHECK(r.rep != NULL && r.rep->valid);
            const cachet_layer_report *l = i5_layer(&r, 0);
            CHECK(l != NULL && l->num_signers == 1);
            if (l != NULL && l->num_signers == 1) {
                check_ess(&l->signers[0]);
            }
            i5_result_free(&r);
            cachet_ctx_free(ctx);
            cachet_membuf_free(&out);
        }
    }
    cachet_free(want);
    gen_identity_free(&alice);
}

static void every_signer_carries_the_label_and_its_own_signing_certificate(void) {
    gen_id alice, alice_ec;
    CHECK(gen_identity(&alice, "rsa", "alice@example.com"));
    CHECK(gen_identity(&alice_ec, "p256", "alice@example.com"));
    const cachet_credential *more[1] = {alice_ec.cred};
    cachet_sign_opts o = full_opts(&alice, true);
    o.more_signers = more;
    o.num_more_signers = 1;
    cachet_membuf out = {0};
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(sign_msg(i5_message, strlen(i5_message), &o, FEED_RANDOM, 0, &out, &err),
                 CACHET_OK);
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice_ec.cert_path), CACHET_OK);
    cachet_verify_opts vo = {0};
    i5_result r = i5_read(ctx, &vo, false, out.data, out.len, FEED_BYTES);
    CHECK_EQ_INT(r.st, CACHET_OK);
    const cachet_layer_report *l = i5_layer(&r, 0);
    CHECK(l != NULL && l->num_signers == 2);
    for (size_t i = 0; l != NULL && i < l->num_signers; i++) {
        check_ess(&l->signers[i]);
    }
    i5_result_free(&r);
    cachet_ctx_free(ctx);
    cachet_membuf_free(&out);
    gen_identity_free(&alice);
    gen_identity_free(&alice_ec);
}

static void bad_options_are_usage_errors_naming_the_field(void) {
    gen_id alice;
    CHECK(gen_identity(&alice, "p256", "alice@example.com"));
    cachet_security_label bad_policy = {.policy = "1.2.x", .classification = 1};
    cachet_security_label same_policy = {.policy = "2.16.840.1.101.2.1.12.0.1"};
    uint8_t short_hash[20] = {0};
    static const struct {
        int which;
        const char *where, *want;
    } cases[] = {
        {0, "sign_opts.equivalent_labels", "give the security label too"},
        {1, "sign_opts.equivalent_labels", "appears twice among the labels"},
        {2, "sign_opts.security_label", "\"1.2.x\" is not a dotted OID"},
        {3, "sign_opts.signature_policy_hash", "needs the sha256 hash"},
        {4, "sign_opts.signature_policy", "is not a dotted object identifier"},
        {5, "sign_opts.content_hint", "1..255 bytes"},
        {6, "sign_opts.content_hint_type", "\"1.2.840.x\" is not a dotted object identifier"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_sign_opts o = full_opts(&alice, true);
        switch (cases[i].which) {
            case 0:
                o.security_label = NULL;
                break;
            case 1:
                o.equivalent_labels = &same_policy;
                break;
            case 2:
                o.security_label = &bad_policy;
                o.num_equivalent_labels = 0;
                break;
            case 3:
                o.signature_policy_hash = short_hash;
                o.signature_policy_hash_len = sizeof(short_hash);
                break;
            case 4:
                o.signature_policy = "policy";
                break;
            case 5:
                o.content_hint = "";
                break;
            default:
                o.content_hint_type = "1.2.840.x";
                break;
        }
        cachet_membuf out = {0};
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(sign_msg(i5_message, strlen(i5_message), &o, FEED_WHOLE, 0, &out, &err),
                     CACHET_ERR_USAGE);
        CHECK_STR(err.where, cases[i].where);
        if (strstr(err.message, cases[i].want) == NULL) {
            fprintf(stderr, "case %zu: \"%s\"\n", i, err.message);
            CHECK(false);
        }
        cachet_membuf_free(&out);
    }
    gen_identity_free(&alice);
}

/* contentHints naming another contentType (RFC 2634 §2.9; §2.4 needs
 * id-ct-receipt on an encrypted receipt's outer signature): written as given,
 * read back by name or dotted OID, and by OpenSSL's CMS printer. */
static void content_hint_type_is_written_as_given(void) {
    gen_id alice;
    CHECK(gen_identity(&alice, "p256", "alice@example.com"));
    static const struct {
        const char *type, *want;
    } cases[] = {
        {"1.2.840.113549.1.9.16.1.1", "id-ct-receipt"},
        {"1.3.6.1.4.1.99999.7", "1.3.6.1.4.1.99999.7"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_sign_opts o = {.signer = alice.cred,
                              .opaque = true,
                              .content_hint = "a hint",
                              .content_hint_type = cases[i].type};
        cachet_membuf out = {0};
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(sign_msg(i5_message, strlen(i5_message), &o, FEED_WHOLE, 0, &out, &err),
                     CACHET_OK);
        cachet_ctx *ctx = cachet_ctx_new();
        CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, alice.cert_path), CACHET_OK);
        cachet_verify_opts vo = {0};
        i5_result r = i5_read(ctx, &vo, false, out.data, out.len, FEED_WHOLE);
        CHECK_EQ_INT(r.st, CACHET_OK);
        const cachet_layer_report *l = i5_layer(&r, 0);
        CHECK(l != NULL && l->num_signers == 1 && l->signers[0].ess != NULL);
        if (l != NULL && l->num_signers == 1 && l->signers[0].ess != NULL) {
            CHECK(l->signers[0].ess->has_content_hints);
            CHECK_STR(l->signers[0].ess->content_hints_type, cases[i].want);
            CHECK_STR(l->signers[0].ess->content_description, "a hint");
        }
        /* the content itself stays id-data: only the hint names the type */
        CHECK(l != NULL && strcmp(l->content_type, "id-data") == 0);
        size_t clen = 0;
        char *content = verified_content(&out, alice.cert, &clen);
        CHECK(content != NULL);
        free(content);
        i5_result_free(&r);
        cachet_ctx_free(ctx);
        cachet_membuf_free(&out);
    }
    gen_identity_free(&alice);
}

static const cachet_test_case tests[] = {
    TEST_CASE(content_hint_type_is_written_as_given),
    TEST_CASE(ess_attributes_round_trip_and_openssl_verifies),
    TEST_CASE(every_signer_carries_the_label_and_its_own_signing_certificate),
    TEST_CASE(bad_options_are_usage_errors_naming_the_field),
};

TEST_MAIN(tests)
