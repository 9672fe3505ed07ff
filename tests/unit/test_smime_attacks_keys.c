/* ATTACKS CE-01: two keys of ours whose certificates a RecipientIdentifier
 * cannot tell apart (same issuer and serial number, or same
 * subjectKeyIdentifier) are a usage error when the operation is made, before any
 * message byte; the same certificate twice, or a renewed certificate of the
 * same key, is not. (CLI: tests/attacks/certificates.sh ce01-*.) */
#include "test_smime_sign_util.h"

/* twin makes |out| a copy of |base|'s identity shape with a new key of |kind|:
 * the certificate takes |base|'s issuer and serial (same_ias) or its SKI
 * (same_ski), or keeps |key_of|'s key (a renewal) when that is given. */
static bool twin(gen_id *out, const gen_id *base, const char *kind, bool same_ias, bool same_ski,
                 const gen_id *key_of) {
    if (!gen_identity(out, kind, "alice@example.com")) {
        return false;
    }
    X509 *x = out->cert;
    if (key_of != NULL) {
        X509_set_pubkey(x, key_of->key);
        EVP_PKEY_free(out->key);
        out->key = key_of->key;
        EVP_PKEY_up_ref(out->key);
        int i = X509_get_ext_by_NID(x, NID_subject_key_identifier, -1);
        X509_EXTENSION_free(X509_delete_ext(x, i));
        gen_add_ext(x, NID_subject_key_identifier, "hash");
    }
    if (same_ias) {
        X509_set_serialNumber(x, X509_get_serialNumber(base->cert));
        X509_set_issuer_name(x, X509_get_issuer_name(base->cert));
    }
    if (same_ski) {
        int i = X509_get_ext_by_NID(x, NID_subject_key_identifier, -1);
        X509_EXTENSION_free(X509_delete_ext(x, i));
        i = X509_get_ext_by_NID(base->cert, NID_subject_key_identifier, -1);
        X509_add_ext(x, X509_get_ext(base->cert, i), -1);
    }
    if (X509_sign(x, out->key, EVP_sha256()) <= 0) {
        return false;
    }
    unlink(out->cert_path);
    unlink(out->key_path);
    cachet_credential_free(out->cred);
    out->cred = NULL;
    cachet_error err;
    return gen_write_pem(out->cert_path, sizeof(out->cert_path), x, NULL) &&
           gen_write_pem(out->key_path, sizeof(out->key_path), NULL, out->key) &&
           cachet_credential_load(out->cert_path, out->key_path, NULL, &out->cred, &err) ==
               CACHET_OK;
}

static cachet_status write_nothing(void *arg, const uint8_t *data, size_t len) {
    (void)arg;
    (void)data;
    (void)len;
    return CACHET_OK;
}

static void keys_a_recipient_identifier_cannot_tell_apart_are_refused(void) {
    gen_id a, ias, ski, renewed, other;
    CHECK(gen_identity(&a, "rsa", "alice@example.com"));
    CHECK(twin(&ias, &a, "rsa", true, false, NULL));
    CHECK(twin(&ski, &a, "p256", false, true, NULL));
    CHECK(twin(&renewed, &a, "rsa", false, false, &a));
    CHECK(gen_identity(&other, "p256", "bob@example.com"));
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_sink sink = {.write = write_nothing};
    const struct {
        const char *name;
        const gen_id *second;
        const char *want; /* NULL: accepted */
    } cases[] = {
        {"same issuer and serial, other key", &ias, "same issuer and serial number"},
        {"same subjectKeyIdentifier, other key", &ski, "same subjectKeyIdentifier"},
        {"renewed certificate of the same key", &renewed, NULL},
        {"the same credential twice", &a, NULL},
        {"an unrelated key", &other, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int order = 0; order < 2; order++) {
            const cachet_credential *more[] = {order == 0 ? cases[i].second->cred : a.cred};
            cachet_decrypt_opts d = {.cred = order == 0 ? a.cred : cases[i].second->cred,
                                     .more_creds = more,
                                     .num_more_creds = 1};
            cachet_error err = {0};
            cachet_op *op = cachet_decrypt_new(ctx, &d, &sink, &err);
            if (cases[i].want == NULL) {
                if (op == NULL) {
                    fprintf(stderr, "  case '%s': refused: %s\n", cases[i].name, err.message);
                }
                CHECK(op != NULL);
            } else {
                if (op != NULL) {
                    fprintf(stderr, "  case '%s' (order %d) accepted\n", cases[i].name, order);
                }
                CHECK(op == NULL);
                CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
                CHECK(strstr(err.message, cases[i].want) != NULL);
                CHECK(strstr(err.message, "credentials 1 and 2") != NULL);
            }
            cachet_op_free(op);
            /* verify's decrypt_with is one credential: nothing to be ambiguous */
        }
    }
    cachet_ctx_free(ctx);
    gen_identity_free(&a);
    gen_identity_free(&ias);
    gen_identity_free(&ski);
    gen_identity_free(&renewed);
    gen_identity_free(&other);
}

static const cachet_test_case tests[] = {
    TEST_CASE(keys_a_recipient_identifier_cannot_tell_apart_are_refused),
};
TEST_MAIN(tests)
