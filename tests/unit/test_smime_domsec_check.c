/* cachet_domsec_check_signer: the RFC 3183 §3.1.1 naming convention applied
 * before signing with a SignatureType (what `cachet sign --signature-type`
 * refuses), on real certificates; and its agreement with the verifier: a
 * certificate the check accepts signs a message that verify reports with that
 * role, and one it refuses would have been flagged. */
#include <cachet/domsec.h>

#include "base/base.h"
#include "test_smime_sign_util.h"

#define MSG                                                                                        \
    "From: ceo@a.example\r\nTo: bob@b.example\r\nSubject: naming\r\n"                              \
    "Content-Type: text/plain; charset=us-ascii\r\n\r\nPay Bob 10 EUR.\r\n"

#define DSA CACHET_DOMSEC_DSA_LOCAL
#define RA CACHET_DOMSEC_RA_LOCAL
#define AA CACHET_DOMSEC_AA_LOCAL

/* make_cert: a self-signed P-256 signer with the given CNs and SAN addresses. */
static bool make_cert(gen_id *id, const char *const *cns, const char *const *emails) {
    memset(id, 0, sizeof(*id));
    id->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(rand() & 0x7fffffff) + 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"A Example", -1, -1,
                               0);
    for (size_t i = 0; cns[i] != NULL; i++) {
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cns[i], -1, -1,
                                   0);
    }
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, id->key);
    char san[256] = "";
    for (size_t i = 0; emails[i] != NULL; i++) {
        size_t used = strlen(san);
        snprintf(san + used, sizeof(san) - used, "%semail:%s", i > 0 ? "," : "", emails[i]);
    }
    bool ok = (san[0] == '\0' || gen_add_ext(x, NID_subject_alt_name, san)) &&
              gen_add_ext(x, NID_key_usage, "critical,digitalSignature") &&
              gen_add_ext(x, NID_ext_key_usage, "emailProtection") &&
              X509_sign(x, id->key, EVP_sha256()) > 0;
    id->cert = x;
    cachet_error err;
    return ok && gen_write_pem(id->cert_path, sizeof(id->cert_path), x, NULL) &&
           gen_write_pem(id->key_path, sizeof(id->key_path), NULL, id->key) &&
           cachet_credential_load(id->cert_path, id->key_path, NULL, &id->cred, &err) == CACHET_OK;
}

typedef struct check_case {
    const char *name;
    const char *cns[3];
    const char *emails[3];
    unsigned types;
    cachet_status want;
    const char *want_text;             /* a piece of the message ("" when OK) */
    cachet_domsec_role role_at_verify; /* for accepted cases: what verify then reports */
} check_case;

static const check_case cases[] = {
    {"dsa signs domain",
     {DSA},
     {DSA "@a.example"},
     CACHET_SIGTYPE_DOMAIN,
     CACHET_OK,
     "",
     CACHET_DOMSEC_ROLE_DOMAIN},
    {"names are case-insensitive",
     {"Domain-Signing-Authority"},
     {"DOMAIN-SIGNING-AUTHORITY@a.example"},
     CACHET_SIGTYPE_DOMAIN,
     CACHET_OK,
     "",
     CACHET_DOMSEC_ROLE_DOMAIN},
    {"domain by a user",
     {"alice"},
     {"alice@a.example"},
     CACHET_SIGTYPE_DOMAIN,
     CACHET_ERR_POLICY,
     "the domainSig signature must be made by CN 'domain-signing-authority' (RFC 3183 section "
     "3.1.1), not 'alice'",
     0},
    {"two CNs",
     {DSA, "alice"},
     {DSA "@a.example"},
     CACHET_SIGTYPE_DOMAIN,
     CACHET_ERR_POLICY,
     "needs exactly one CN 'domain-signing-authority' (RFC 3183 section 3.1.1); the certificate "
     "has 2",
     0},
    {"no CN",
     {NULL},
     {DSA "@a.example"},
     CACHET_SIGTYPE_DOMAIN,
     CACHET_ERR_POLICY,
     "the certificate has 0",
     0},
    {"an address with another local part",
     {DSA},
     {DSA "@a.example", "alice@a.example"},
     CACHET_SIGTYPE_DOMAIN,
     CACHET_ERR_POLICY,
     "certificate address alice@a.example does not have the local part "
     "'domain-signing-authority' that domainSig requires",
     0},
    {"domain signer without an address",
     {DSA},
     {NULL},
     CACHET_SIGTYPE_DOMAIN,
     CACHET_ERR_POLICY,
     "a domain signature's certificate needs an RFC 822 address",
     0},
    {"review authority",
     {RA},
     {RA "@a.example"},
     CACHET_SIGTYPE_REVIEW,
     CACHET_OK,
     "",
     CACHET_DOMSEC_ROLE_REVIEW},
    {"review by the domain authority",
     {DSA},
     {DSA "@a.example"},
     CACHET_SIGTYPE_REVIEW,
     CACHET_ERR_POLICY,
     "reviewSig signature must be made by CN 'review-authority'",
     0},
    {"review authority without an address",
     {RA},
     {NULL},
     CACHET_SIGTYPE_REVIEW,
     CACHET_OK,
     "",
     CACHET_DOMSEC_ROLE_REVIEW},
    {"attribute authority",
     {AA},
     {AA "@a.example"},
     CACHET_SIGTYPE_ADD_ATTRIB,
     CACHET_OK,
     "",
     CACHET_DOMSEC_ROLE_ATTRIBUTES},
    {"attributes by a user",
     {"bob"},
     {"bob@a.example"},
     CACHET_SIGTYPE_ADD_ATTRIB,
     CACHET_ERR_POLICY,
     "addAttribSig signature must be made by CN 'attribute-authority'",
     0},
    {"domain and review: the domain name",
     {DSA},
     {DSA "@a.example"},
     CACHET_SIGTYPE_DOMAIN | CACHET_SIGTYPE_REVIEW,
     CACHET_OK,
     "",
     CACHET_DOMSEC_ROLE_DOMAIN},
    {"attributes with another type",
     {AA},
     {AA "@a.example"},
     CACHET_SIGTYPE_ADD_ATTRIB | CACHET_SIGTYPE_DOMAIN,
     CACHET_ERR_USAGE,
     "addAttribSig",
     0},
    {"an unknown type", {DSA}, {DSA "@a.example"}, CACHET_SIGTYPE_UNKNOWN, CACHET_ERR_USAGE, "", 0},
    {"originator by a user",
     {"alice"},
     {"ceo@a.example"},
     CACHET_SIGTYPE_ORIGINATOR,
     CACHET_OK,
     "",
     CACHET_DOMSEC_ROLE_ORIGINATOR},
    {"originator by an authority",
     {DSA},
     {DSA "@a.example"},
     CACHET_SIGTYPE_ORIGINATOR,
     CACHET_ERR_POLICY,
     "the certificate is named 'domain-signing-authority' but the signature is typed "
     "originatorSig",
     0},
    {"originator by a reserved address",
     {"Mail Robot"},
     {RA "@a.example"},
     CACHET_SIGTYPE_ORIGINATOR,
     CACHET_ERR_POLICY,
     "is named 'review-authority'",
     0},
    {"no type, nothing checked",
     {DSA},
     {"alice@a.example"},
     0,
     CACHET_OK,
     "",
     CACHET_DOMSEC_ROLE_FLAGGED},
};

/* verify_role: sign MSG with |types| and read back the role verify gives. */
static cachet_domsec_role verify_role(const gen_id *id, unsigned types, char *why, size_t why_len) {
    cachet_sign_opts so = {.signer = id->cred, .signature_types = types};
    cachet_membuf signed_msg = {0}, out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(sign_msg(MSG, strlen(MSG), &so, FEED_WHOLE, 0, &signed_msg, &err), CACHET_OK);
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, id->cert_path), CACHET_OK);
    cachet_ctx_set_address_check(ctx, false);
    cachet_verify_opts vo = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, &err);
    cachet_report *rep = NULL;
    CHECK(op != NULL);
    CHECK_EQ_INT(cachet_op_update(op, signed_msg.data, signed_msg.len), CACHET_OK);
    CHECK_EQ_INT(cachet_op_finish(op, &rep), CACHET_OK);
    cachet_domsec_result res;
    cachet_domsec_evaluate(rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &res);
    CHECK_EQ_INT(res.num_signers, 1);
    cachet_domsec_role role =
        res.num_signers == 1 ? res.signers[0].role : CACHET_DOMSEC_ROLE_FLAGGED;
    snprintf(why, why_len, "%s", res.num_signers == 1 ? res.signers[0].why : "");
    CHECK(res.num_signers != 1 || res.signers[0].valid);
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    cachet_membuf_free(&signed_msg);
    cachet_membuf_free(&out);
    return role;
}

static void naming_convention_is_checked_before_signing(void) {
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const check_case *c = &cases[i];
        gen_id id;
        CHECK(make_cert(&id, c->cns, c->emails));
        cachet_error err;
        cachet_err_clear(&err);
        cachet_status st = cachet_domsec_check_signer(id.cred, c->types, &err);
        if (st != c->want || strstr(err.message, c->want_text) == NULL) {
            fprintf(stderr, "case '%s': got %d '%s', want %d '%s'\n", c->name, (int)st, err.message,
                    (int)c->want, c->want_text);
        }
        CHECK_EQ_INT(st, c->want);
        CHECK(strstr(err.message, c->want_text) != NULL);
        if (st == CACHET_ERR_POLICY) {
            CHECK_STR(err.where, "signer certificate");
        }
        if (st == CACHET_OK && c->types != 0) {
            /* the verifier agrees: the role the check promised */
            char why[256];
            cachet_domsec_role role = verify_role(&id, c->types, why, sizeof(why));
            if (role != c->role_at_verify) {
                fprintf(stderr, "case '%s': verify says %s (%s)\n", c->name,
                        cachet_domsec_role_name(role), why);
            }
            CHECK_EQ_INT(role, c->role_at_verify);
        }
        gen_identity_free(&id);
    }
}

/* What the check refuses, the verifier flags: the same rule on both sides. */
static void refused_certificates_would_be_flagged(void) {
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const check_case *c = &cases[i];
        if (c->want != CACHET_ERR_POLICY) {
            continue;
        }
        gen_id id;
        CHECK(make_cert(&id, c->cns, c->emails));
        char why[256];
        cachet_domsec_role role = verify_role(&id, c->types, why, sizeof(why));
        if (role != CACHET_DOMSEC_ROLE_FLAGGED) {
            fprintf(stderr, "case '%s': verify says %s\n", c->name, cachet_domsec_role_name(role));
        }
        CHECK_EQ_INT(role, CACHET_DOMSEC_ROLE_FLAGGED);
        gen_identity_free(&id);
    }
}

static void check_needs_a_credential(void) {
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_domsec_check_signer(NULL, CACHET_SIGTYPE_DOMAIN, &err), CACHET_ERR_USAGE);
    CHECK_STR(err.message, "a signature type needs a signer certificate to check");
    /* no type: nothing to check, even without a signer (the empty layer) */
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_domsec_check_signer(NULL, 0, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_domsec_check_signer(NULL, 0, NULL), CACHET_OK);
}

static const cachet_test_case tests[] = {
    TEST_CASE(naming_convention_is_checked_before_signing),
    TEST_CASE(refused_certificates_would_be_flagged),
    TEST_CASE(check_needs_a_credential),
};

TEST_MAIN(tests)
