/* Verification of messages made by other implementations (Thunderbird/NSS and
 * RFC 4134), through the public API, with the expectations of MANIFEST.md. */
#include "test_smime_util.h"

#define ALICE_TEXT "This is a test message from Alice to Bob."
#define TB_TRUST TB_DIR "TestCA.pem"
#define BOB_P12 TB_DIR "Bob.p12"

typedef struct vector_case {
    const char *file;
    const char *trust;
    bool allow_weak;
    bool address_check;
    const char *p12; /* decrypt_with */
    cachet_status want;
    size_t num_layers;
    cachet_layer_type types[4];
    const char *output_has; /* on success */
    bool partially_signed;
    bool from_mismatch;
    const char *message_has; /* on failure */
} vector_case;

static const vector_case cases[] = {
    /* detached multipart/signed, SHA-256: valid */
    {TB_DIR "alice.dsig.SHA256.multipart.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_OK,
     1,
     {CACHET_LAYER_SIGNED},
     ALICE_TEXT,
     false,
     false,
     NULL},
    {TB_DIR "alice.dsig.SHA512.multipart.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_OK,
     1,
     {CACHET_LAYER_SIGNED},
     ALICE_TEXT,
     false,
     false,
     NULL},
    /* opaque signed-data: valid */
    {TB_DIR "alice.sig.SHA256.opaque.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_OK,
     1,
     {CACHET_LAYER_SIGNED},
     ALICE_TEXT,
     false,
     false,
     NULL},
    /* body changed after signing */
    {TB_DIR "alice.dsig.SHA256.multipart.bad.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_ERR_BAD_SIGNATURE,
     1,
     {CACHET_LAYER_SIGNED},
     NULL,
     false,
     false,
     NULL},
    /* detached signature that also carries a different eContent */
    {TB_DIR "alice.dsig.SHA256.multipart.mismatch-econtent.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_ERR_CONTENT_CONFLICT,
     1,
     {CACHET_LAYER_SIGNED},
     NULL,
     false,
     false,
     NULL},
    /* SHA-1 is weak: refused by default, accepted (and reported weak) when allowed */
    {TB_DIR "alice.dsig.SHA1.multipart.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_ERR_POLICY,
     1,
     {CACHET_LAYER_SIGNED},
     NULL,
     false,
     false,
     NULL},
    {TB_DIR "alice.dsig.SHA1.multipart.eml",
     TB_TRUST,
     true,
     true,
     NULL,
     CACHET_OK,
     1,
     {CACHET_LAYER_SIGNED},
     ALICE_TEXT,
     false,
     false,
     NULL},
    /* enveloped to Bob around a detached signature */
    {TB_DIR "alice.dsig.SHA256.multipart.env.eml",
     TB_TRUST,
     false,
     true,
     BOB_P12,
     CACHET_OK,
     2,
     {CACHET_LAYER_ENVELOPED, CACHET_LAYER_SIGNED},
     ALICE_TEXT,
     false,
     false,
     NULL},
    {TB_DIR "alice.dsig.SHA256.multipart.env.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_ERR_NO_RECIPIENT,
     1,
     {CACHET_LAYER_ENVELOPED},
     NULL,
     false,
     false,
     "message is encrypted (enveloped-data); decrypt it or pass --cert/--key"},
    /* opaque signature around an enveloped part */
    {TB_DIR "alice.env.sig.SHA256.opaque.eml",
     TB_TRUST,
     false,
     true,
     BOB_P12,
     CACHET_OK,
     2,
     {CACHET_LAYER_SIGNED, CACHET_LAYER_ENVELOPED},
     ALICE_TEXT,
     false,
     false,
     NULL},
    /* encrypted only: decrypts, but nothing is signed */
    {TB_DIR "alice.env.eml",
     TB_TRUST,
     false,
     true,
     BOB_P12,
     CACHET_ERR_NO_SIGNERS,
     1,
     {CACHET_LAYER_ENVELOPED},
     NULL,
     false,
     false,
     "message is not signed"},
    /* nested: Dave signs Alice's signed message; From says Alice */
    {TB_DIR "alice.plain.sig.SHA256.opaque.dave.sig.SHA256.opaque.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_ERR_UNTRUSTED,
     2,
     {CACHET_LAYER_SIGNED, CACHET_LAYER_SIGNED},
     NULL,
     false,
     true,
     "does not match From"},
    {TB_DIR "alice.plain.sig.SHA256.opaque.dave.sig.SHA256.opaque.eml",
     TB_TRUST,
     false,
     false,
     NULL,
     CACHET_OK,
     2,
     {CACHET_LAYER_SIGNED, CACHET_LAYER_SIGNED},
     ALICE_TEXT,
     false,
     false,
     NULL},
    {TB_DIR "alice.plain.dsig.SHA256.multipart.dave.dsig.SHA256.multipart.eml",
     TB_TRUST,
     false,
     false,
     NULL,
     CACHET_OK,
     2,
     {CACHET_LAYER_SIGNED, CACHET_LAYER_SIGNED},
     ALICE_TEXT,
     false,
     false,
     NULL},
    /* Dave's outer signature is valid, the multipart/signed inside does not verify */
    {TB_DIR "alice.env.dsig.SHA256.multipart.dave.sig.SHA256.opaque.eml",
     TB_TRUST,
     false,
     false,
     BOB_P12,
     CACHET_ERR_BAD_SIGNATURE,
     3,
     {CACHET_LAYER_SIGNED, CACHET_LAYER_SIGNED, CACHET_LAYER_ENVELOPED},
     NULL,
     false,
     false,
     NULL},
    /* a signed message inside multipart/mixed with an unsigned footer (MW-01) */
    {TB_BROWSER_DIR "alice.dsig.SHA256.multipart.in.mixed.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_ERR_BAD_SIGNATURE,
     1,
     {CACHET_LAYER_SIGNED},
     NULL,
     true,
     false,
     "only part 1"},
    {TB_BROWSER_DIR "alice.dsig.SHA256.multipart.in.mixed.with.header.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_ERR_BAD_SIGNATURE,
     1,
     {CACHET_LAYER_SIGNED},
     NULL,
     true,
     false,
     "only part 2"},
    /* signer certificate from another CA with the same name: chain fails */
    {TB_BROWSER_DIR "alice.html.sig.SHA256.opaque.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_ERR_UNTRUSTED,
     1,
     {CACHET_LAYER_SIGNED},
     NULL,
     false,
     false,
     NULL},
    /* enveloped around an opaque signature */
    {TB_BROWSER_DIR "alice.sig.SHA256.opaque.env.eml",
     TB_TRUST,
     false,
     true,
     BOB_P12,
     CACHET_OK,
     2,
     {CACHET_LAYER_ENVELOPED, CACHET_LAYER_SIGNED},
     ALICE_TEXT,
     false,
     false,
     NULL},
    /* headers changed after signing; micalg says sha-1 but the signer used SHA-512 */
    {TB_BROWSER_DIR "nested-sigs.eml",
     TB_TRUST,
     false,
     true,
     NULL,
     CACHET_ERR_BAD_SIGNATURE,
     1,
     {CACHET_LAYER_SIGNED},
     NULL,
     false,
     false,
     NULL},
    /* a copied outer signature around a good inner one: the message is not valid */
    {TB_MANUAL_DIR "outer-smime-bad-sig-inner-smime-enc-sig.eml",
     TB_TRUST,
     false,
     true,
     BOB_P12,
     CACHET_ERR_BAD_SIGNATURE,
     3,
     {CACHET_LAYER_SIGNED, CACHET_LAYER_ENVELOPED, CACHET_LAYER_SIGNED},
     NULL,
     false,
     false,
     NULL},
    /* a PGP/MIME signature is not an S/MIME one */
    {TB_MANUAL_DIR "outer-pgp-sig-inner-smime-enc.eml",
     TB_TRUST,
     false,
     true,
     BOB_P12,
     CACHET_ERR_NO_SIGNERS,
     0,
     {0},
     NULL,
     false,
     false,
     "message is not signed"},
    /* RFC 4134 DSA/SHA-1 examples: the certificate holds no address */
    {"rfc4134-bcjava/4.8.eml",
     "rfc4134-bcjava/CarlDSSSelf.cer",
     true,
     false,
     NULL,
     CACHET_OK,
     1,
     {CACHET_LAYER_SIGNED},
     "This is some sample content.",
     false,
     false,
     NULL},
    {"rfc4134-bcjava/4.9.eml",
     "rfc4134-bcjava/CarlDSSSelf.cer",
     true,
     false,
     NULL,
     CACHET_OK,
     1,
     {CACHET_LAYER_SIGNED},
     "This is some sample content.",
     false,
     false,
     NULL},
    /* 4.8's SignerInfo has no signedAttrs: refused for that by default (ATTACKS.md
     * SG-03) before DSA/SHA-1 is looked at */
    {"rfc4134-bcjava/4.8.eml",
     "rfc4134-bcjava/CarlDSSSelf.cer",
     false,
     false,
     NULL,
     CACHET_ERR_ATTRIBUTES,
     1,
     {CACHET_LAYER_SIGNED},
     NULL,
     false,
     false,
     "SignerInfo without signed attributes refused"},
    {"rfc4134-bcjava/4.8.eml",
     "rfc4134-bcjava/CarlDSSSelf.cer",
     true,
     true,
     NULL,
     CACHET_ERR_UNTRUSTED,
     1,
     {CACHET_LAYER_SIGNED},
     NULL,
     false,
     true,
     "signer address AliceDSS@example.com does not match From aliceDss@examples.com"},
};

static void run_case(const vector_case *c, feed_mode mode) {
    size_t len = 0;
    uint8_t *in = cachet_test_read_file(cachet_test_vector_path(c->file), &len);
    CHECK(in != NULL);
    if (in == NULL) {
        return;
    }
    cachet_ctx *ctx = test_ctx(c->trust, c->allow_weak, c->address_check);
    cachet_credential *cred = c->p12 != NULL ? test_p12(c->p12) : NULL;
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_verify_opts opts = {.decrypt_with = cred};
    cachet_error err;
    memset(&err, 0, sizeof(err));
    cachet_op *op = cachet_verify_new(ctx, &opts, &sink, &err);
    CHECK(op != NULL);
    cachet_report *rep = NULL;
    cachet_status st = test_feed(op, in, len, mode, 1234, &rep);
    const cachet_error *e = cachet_op_error(op);
    if (st != c->want || (c->message_has != NULL && strstr(e->message, c->message_has) == NULL)) {
        fprintf(stderr, "%s (mode %d): status %s, want %s: [%s] %s\n", c->file, mode,
                cachet_status_str(st), cachet_status_str(c->want), e->where, e->message);
    }
    CHECK_EQ_INT(st, c->want);
    if (rep != NULL && rep->from_mismatch != c->from_mismatch) {
        fprintf(stderr, "%s: from_mismatch %d\n", c->file, rep->from_mismatch);
    }
    if (c->message_has != NULL) {
        CHECK(strstr(e->message, c->message_has) != NULL);
    }
    if (st == CACHET_OK) {
        CHECK(test_memfind(out.data, out.len, c->output_has));
        CHECK(test_memfind(out.data, out.len, "\r\n\r\n"));
        CHECK(!test_memfind(out.data, out.len, "pkcs7"));
    } else {
        CHECK_EQ_INT(out.len, 0); /* nothing released on failure */
    }
    CHECK(rep != NULL);
    if (rep != NULL) {
        CHECK_EQ_INT(rep->num_layers, c->num_layers);
        for (size_t i = 0; i < rep->num_layers && i < c->num_layers; i++) {
            CHECK_EQ_INT(rep->layers[i].type, c->types[i]);
        }
        CHECK_EQ_INT(rep->valid, st == CACHET_OK);
        CHECK_EQ_INT(rep->partially_signed, c->partially_signed);
        CHECK_EQ_INT(rep->from_mismatch, c->from_mismatch);
        cachet_report_free(rep);
    }
    cachet_op_free(op);
    cachet_membuf_free(&out);
    cachet_credential_free(cred);
    cachet_ctx_free(ctx);
    free(in);
}

static void every_vector_gives_its_manifest_result_whole(void) {
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_case(&cases[i], FEED_WHOLE);
    }
}

static void every_vector_gives_its_manifest_result_in_random_chunks(void) {
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_case(&cases[i], FEED_RANDOM);
    }
}

static void every_vector_gives_its_manifest_result_byte_by_byte(void) {
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_case(&cases[i], FEED_BYTES);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(every_vector_gives_its_manifest_result_whole),
    TEST_CASE(every_vector_gives_its_manifest_result_in_random_chunks),
    TEST_CASE(every_vector_gives_its_manifest_result_byte_by_byte),
};
TEST_MAIN(tests)
