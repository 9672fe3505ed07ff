/* S/MIME signing with an Ed448 key through cachet_sign_new (RFC 8419, RFC 8551):
 * multipart/signed with micalg=shake256 and opaque signed-data, fed whole, byte
 * by byte and in random chunks, read back by cachet's verifier (OpenSSL 3.0
 * cannot verify Ed448 SignedData) and parsed by OpenSSL for the algorithms. */
#include "test_smime_sign_util.h"

static const char message[] =
    "From: grace@example.com\r\nContent-Type: text/plain\r\n\r\nEd448 says hello.\r\n";

static gen_id grace;

/* make_ed448 is gen_identity for an Ed448 key (self-signed, its own anchor). */
static bool make_ed448(void) {
    if (grace.cred != NULL) {
        return true;
    }
    memset(&grace, 0, sizeof(grace));
    grace.key = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 448);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"grace", -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, grace.key);
    grace.cert = x;
    cachet_error err;
    bool ok =
        grace.key != NULL && gen_add_ext(x, NID_subject_alt_name, "email:grace@example.com") &&
        gen_add_ext(x, NID_key_usage, "critical,digitalSignature") &&
        gen_add_ext(x, NID_ext_key_usage, "emailProtection") &&
        gen_add_ext(x, NID_subject_key_identifier, "hash") && X509_sign(x, grace.key, NULL) > 0 &&
        gen_write_pem(grace.cert_path, sizeof(grace.cert_path), x, NULL) &&
        gen_write_pem(grace.key_path, sizeof(grace.key_path), NULL, grace.key) &&
        cachet_credential_load(grace.cert_path, grace.key_path, NULL, &grace.cred, &err) ==
            CACHET_OK;
    CHECK(ok);
    return ok;
}

/* verify_ours runs cachet's verifier, trusting grace, over |msg|. */
static cachet_status verify_ours(const cachet_membuf *msg, int mode, cachet_membuf *content,
                                 cachet_report **rep) {
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, grace.cert_path), CACHET_OK);
    cachet_sink sink = cachet_sink_membuf(content);
    cachet_verify_opts vo = {0};
    cachet_error err;
    cachet_op *op = cachet_verify_new(ctx, &vo, &sink, &err);
    CHECK(op != NULL);
    cachet_status st = CACHET_OK;
    uint32_t seed = 99;
    for (size_t i = 0; i < msg->len && st == CACHET_OK;) {
        size_t n = msg->len - i;
        if (mode == FEED_BYTES) {
            n = 1;
        } else if (mode == FEED_RANDOM) {
            size_t r = 1 + cachet_test_rand(&seed) % 97;
            n = r < n ? r : n;
        }
        st = cachet_op_update(op, msg->data + i, n);
        i += n;
    }
    cachet_status fin = cachet_op_finish(op, rep);
    cachet_op_free(op);
    cachet_ctx_free(ctx);
    return st != CACHET_OK ? st : fin;
}

static void ed448_multipart_and_opaque_sign_and_verify_in_every_feeding_mode(void) {
    if (!make_ed448()) {
        return;
    }
    for (int opaque = 0; opaque < 2; opaque++) {
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf out = {0}, content = {0};
            cachet_error err;
            cachet_sign_opts o = {.signer = grace.cred, .opaque = opaque};
            CHECK_EQ_INT(sign_msg(message, strlen(message), &o, mode, 0, &out, &err), CACHET_OK);
            char *s = gen_str(&out);
            /* RFC 8551 has no micalg for SHAKE256: "shake256" (see smime/sign.c) */
            CHECK_EQ_INT(strstr(s, "micalg=shake256;") != NULL, !opaque);
            cachet_report *rep = NULL;
            cachet_status st = verify_ours(&out, mode, &content, &rep);
            if (st != CACHET_OK) {
                fprintf(stderr, "opaque=%d mode=%d: %s (%s)\n", opaque, mode, cachet_status_str(st),
                        rep != NULL && rep->num_layers > 0 && rep->layers[0].num_signers > 0
                            ? rep->layers[0].signers[0].chain_detail
                            : "");
            }
            CHECK_EQ_INT(st, CACHET_OK);
            CHECK(rep != NULL && rep->num_layers == 1);
            if (rep != NULL && rep->num_layers == 1 && rep->layers[0].num_signers == 1) {
                CHECK_STR(rep->layers[0].signers[0].algorithm, "ed448");
                CHECK_STR(rep->layers[0].signers[0].digest, "shake256");
                CHECK_EQ_INT(rep->layers[0].signers[0].signature_valid, true);
                CHECK_EQ_INT(rep->layers[0].signers[0].weak, false);
            }
            char *c = gen_str(&content);
            CHECK(strstr(c, "Ed448 says hello.") != NULL);
            free(c);
            cachet_report_free(rep);
            free(s);
            cachet_membuf_free(&content);
            cachet_membuf_free(&out);
        }
    }
}

/* OpenSSL parses the SignedData and reads id-shake256-len and id-Ed448. */
static void ed448_algorithms_as_openssl_reads_them(void) {
    if (!make_ed448()) {
        return;
    }
    cachet_membuf out = {0};
    cachet_error err;
    cachet_sign_opts o = {.signer = grace.cred};
    CHECK_EQ_INT(sign_str(message, &o, &out, &err), CACHET_OK);
    BIO *detached = NULL;
    CMS_ContentInfo *cms = ossl_read(&out, &detached);
    CHECK(cms != NULL);
    if (cms != NULL) {
        STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
        CHECK_EQ_INT(sk_CMS_SignerInfo_num(sis), 1);
        X509_ALGOR *dig = NULL, *sig = NULL;
        CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, 0), NULL, NULL, &dig, &sig);
        const ASN1_OBJECT *oid = NULL;
        int ptype = 0;
        const void *pval = NULL;
        char text[64];
        X509_ALGOR_get0(&oid, &ptype, &pval, dig);
        OBJ_obj2txt(text, sizeof(text), oid, 1);
        CHECK_STR(text, "2.16.840.1.101.3.4.2.18");
        CHECK_EQ_INT(ptype, V_ASN1_INTEGER);
        if (ptype == V_ASN1_INTEGER) {
            CHECK_EQ_INT(ASN1_INTEGER_get(pval), 512);
        }
        X509_ALGOR_get0(&oid, &ptype, NULL, sig);
        CHECK_EQ_INT(OBJ_obj2nid(oid), NID_ED448);
        CHECK_EQ_INT(ptype, V_ASN1_UNDEF);
    }
    CMS_ContentInfo_free(cms);
    BIO_free(detached);
    cachet_membuf_free(&out);
}

static void cleanup(void) {
    gen_identity_free(&grace);
}

static const cachet_test_case tests[] = {
    TEST_CASE(ed448_multipart_and_opaque_sign_and_verify_in_every_feeding_mode),
    TEST_CASE(ed448_algorithms_as_openssl_reads_them),
    TEST_CASE(cleanup),
};
TEST_MAIN(tests)
