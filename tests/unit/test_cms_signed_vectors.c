/* SignedData made by other implementations ($CACHET_VECTORS, MANIFEST.md): RFC
 * 4134 (Bouncy Castle copy), Bouncy Castle's pkix-cms test resources and the
 * CryptoSys RFC 9216 examples (including pure Ed25519, RFC 8419 §3). */
#include <stdlib.h>

#include "cms/signed.h"
#include "testlib.h"

static uint8_t *vec(const char *rel, size_t *len) {
    uint8_t *d = cachet_test_read_file(cachet_test_vector_path(rel), len);
    CHECK(d != NULL);
    return d;
}

static cachet_trust *trust_from(const char *rel) {
    cachet_trust *t = cachet_trust_new(NULL);
    CHECK(t != NULL);
    CHECK_EQ_INT(cachet_trust_add_file(t, cachet_test_vector_path(rel), NULL), CACHET_OK);
    return t;
}

typedef struct vcase {
    const char *file;
    const char *detached; /* external content file, or NULL */
    const char *anchor;   /* trust anchor file, or NULL */
    bool allow_weak;
    cachet_status want;
    bool sig_valid; /* signer 0's signature_valid */
    cachet_chain_status chain;
    bool weak;
    bool ski;
    const char *digest;
    const char *algorithm;
    const char *content; /* expected eContent, or NULL */
} vcase;

#define R4134 "rfc4134-bcjava/"
#define PKIX "bcjava-smime/pkix-cms/"
#define EXC "This is some sample content."
#define XCMS "examples-cms/"
#define LAMPS "rfc9216-certs-certvalidator/Sample_LAMPS_"

static const vcase cases[] = {
    /* 4.2: RSA-1024 + SHA-1, no signed attributes: refused by default (SG-03, before
     * the weak algorithm is looked at), valid and weak when weak is allowed */
    {R4134 "4.2.bin", NULL, R4134 "CarlRSASelf.cer", false, CACHET_ERR_ATTRIBUTES, false,
     CACHET_CHAIN_NOT_CHECKED, false, false, "sha1", "rsaEncryption", NULL},
    {R4134 "4.2.bin", NULL, R4134 "CarlRSASelf.cer", true, CACHET_OK, true, CACHET_CHAIN_TRUSTED,
     true, false, "sha1", "rsaEncryption", EXC},
    /* 4.5: BER indefinite, no signed attributes */
    {R4134 "4.5.bin", NULL, R4134 "CarlRSASelf.cer", false, CACHET_ERR_ATTRIBUTES, false,
     CACHET_CHAIN_NOT_CHECKED, false, false, "sha1", NULL, NULL},
    {R4134 "4.5.bin", NULL, R4134 "CarlRSASelf.cer", true, CACHET_OK, true, CACHET_CHAIN_TRUSTED,
     true, false, "sha1", NULL, EXC},
    /* 4.7: signer by subjectKeyIdentifier (version 3), DSA, no signed attributes */
    {R4134 "4.7.bin", NULL, R4134 "CarlDSSSelf.cer", false, CACHET_ERR_ATTRIBUTES, false,
     CACHET_CHAIN_NOT_CHECKED, false, true, "sha1", NULL, NULL},
    {R4134 "4.7.bin", NULL, R4134 "CarlDSSSelf.cer", true, CACHET_OK, true, CACHET_CHAIN_TRUSTED,
     true, true, "sha1", NULL, EXC},
    /* 4.1 opaque and 4.3 detached DSA */
    {R4134 "4.1.bin", NULL, R4134 "CarlDSSSelf.cer", true, CACHET_OK, true, CACHET_CHAIN_TRUSTED,
     true, false, "sha1", NULL, EXC},
    {R4134 "4.3.bin", R4134 "ExContent.bin", R4134 "CarlDSSSelf.cer", true, CACHET_OK, true,
     CACHET_CHAIN_TRUSTED, true, false, "sha1", NULL, NULL},
    {R4134 "4.3.bin", NULL, R4134 "CarlDSSSelf.cer", true, CACHET_ERR_CONTENT_CONFLICT, false,
     CACHET_CHAIN_NOT_CHECKED, false, false, NULL, NULL, NULL},
    /* 4.10: unknown attribute 1.2.5555 and ESS attributes are tolerated */
    {R4134 "4.10.bin", NULL, R4134 "CarlDSSSelf.cer", true, CACHET_OK, true, CACHET_CHAIN_TRUSTED,
     true, false, "sha1", NULL, EXC},
    /* 4.11: certs-only */
    {R4134 "4.11.bin", NULL, R4134 "CarlDSSSelf.cer", true, CACHET_ERR_NO_SIGNERS, false,
     CACHET_CHAIN_NOT_CHECKED, false, false, NULL, NULL, NULL},
    /* Bouncy Castle RSASSA-PSS, detached and encapsulated (no anchor: signature only) */
    {PKIX "PSSSignDataSHA256.sig", PKIX "PSSSignData.data", NULL, false, CACHET_ERR_UNTRUSTED, true,
     CACHET_CHAIN_NOT_CHECKED, false, false, "sha256", "rsassa-pss", NULL},
    {PKIX "PSSSignDataSHA256Enc.sig", NULL, NULL, false, CACHET_ERR_UNTRUSTED, true,
     CACHET_CHAIN_NOT_CHECKED, false, false, "sha256", "rsassa-pss", "This is a test message"},
    {PKIX "PSSSignDataSHA512.sig", PKIX "PSSSignData.data", NULL, false, CACHET_ERR_UNTRUSTED, true,
     CACHET_CHAIN_NOT_CHECKED, false, false, "sha512", "rsassa-pss", NULL},
    /* countersigned (unsigned attribute) SHA-1 message by SKI: main signature valid */
    {PKIX "counterSig.p7m", NULL, NULL, true, CACHET_ERR_UNTRUSTED, true, CACHET_CHAIN_NOT_CHECKED,
     true, true, "sha1", NULL, "aaa"},
    {PKIX "PSSSignDataSHA1.sig", PKIX "PSSSignData.data", NULL, false, CACHET_ERR_POLICY, false,
     CACHET_CHAIN_NOT_CHECKED, true, false, "sha1", "rsassa-pss", NULL},
    {PKIX "PSSSignDataSHA1.sig", PKIX "PSSSignData.data", NULL, true, CACHET_ERR_UNTRUSTED, true,
     CACHET_CHAIN_NOT_CHECKED, true, false, "sha1", "rsassa-pss", NULL},
    /* CryptoSys (RFC 9216 keys): Ed25519 with signedAttrs + signingCertificateV2 (OpenSSL
     * 3.0 cannot verify it), RSA without attributes, RSASSA-PSS with CMSAlgorithmProtection */
    {XCMS "signedByCarlosEd25519.p7m", NULL, LAMPS "Ed25519_Certification_Authority.selfsigned.pem",
     false, CACHET_OK, true, CACHET_CHAIN_TRUSTED, false, false, "sha512", "ed25519", EXC},
    {XCMS "signedByAliceRSA.p7m", NULL, LAMPS "RSA_Certification_Authority.selfsigned.pem", false,
     CACHET_ERR_ATTRIBUTES, false, CACHET_CHAIN_NOT_CHECKED, false, false, "sha256",
     "rsaEncryption", NULL},
    {XCMS "signedByAliceRSA.p7m", NULL, LAMPS "RSA_Certification_Authority.selfsigned.pem", true,
     CACHET_OK, true, CACHET_CHAIN_TRUSTED, true, false, "sha256", "rsaEncryption", EXC},
    {XCMS "signedByAliceRSAPSS.p7m", NULL, LAMPS "RSA_Certification_Authority.selfsigned.pem",
     false, CACHET_OK, true, CACHET_CHAIN_TRUSTED, false, false, "sha256", "rsassa-pss", EXC},
    /* Ed25519 without signed attributes: pure EdDSA over the detached content itself
     * (RFC 8419 §3), signer by subjectKeyIdentifier; like every SignerInfo without
     * signedAttrs refused by default (SG-03), valid and weak when weak is allowed */
    {XCMS "signedByCarlosDetached.p7m", XCMS "content.txt",
     LAMPS "Ed25519_Certification_Authority.selfsigned.pem", false, CACHET_ERR_ATTRIBUTES, false,
     CACHET_CHAIN_NOT_CHECKED, false, true, "sha512", "ed25519", NULL},
    {XCMS "signedByCarlosDetached.p7m", XCMS "content.txt",
     LAMPS "Ed25519_Certification_Authority.selfsigned.pem", true, CACHET_OK, true,
     CACHET_CHAIN_TRUSTED, true, true, "sha512", "ed25519", NULL},
    {XCMS "signedByCarlosDetached.p7m", XCMS "content.txt", NULL, true, CACHET_ERR_UNTRUSTED, true,
     CACHET_CHAIN_NOT_CHECKED, true, true, "sha512", "ed25519", NULL},
    /* PKCS#7 content not wrapped in an OCTET STRING: rejected consistently */
    {PKIX "SignedMSPkcs7.sig", NULL, NULL, true, CACHET_ERR_MALFORMED, false,
     CACHET_CHAIN_NOT_CHECKED, false, false, NULL, NULL, NULL},
    /* DigestInfo without NULL: we verify PKCS#1 v1.5 strictly (RFC 8017 §9.2); it has
     * no signed attributes, so reaches the signature only when weak is allowed */
    {PKIX "rawsha256nonull.p7m", NULL, NULL, false, CACHET_ERR_ATTRIBUTES, false,
     CACHET_CHAIN_NOT_CHECKED, false, false, "sha256", NULL, NULL},
    {PKIX "rawsha256nonull.p7m", NULL, NULL, true, CACHET_ERR_BAD_SIGNATURE, false,
     CACHET_CHAIN_NOT_CHECKED, false, false, "sha256", NULL, NULL},
};

static void run_case(const vcase *c, int mode) {
    size_t len = 0, dlen = 0;
    uint8_t *cms = vec(c->file, &len);
    uint8_t *det = c->detached != NULL ? vec(c->detached, &dlen) : NULL;
    cachet_trust *t = c->anchor != NULL ? trust_from(c->anchor) : NULL;
    cachet_cms_policy pol = {.allow_weak = c->allow_weak, .trust = t};
    cachet_membuf got = {0};
    cachet_sink sink = cachet_sink_membuf(&got);
    cachet_layer_report layer;
    cachet_error err = {0};
    cachet_status st;
    if (cms == NULL) {
        return;
    }
    if (mode == 0) {
        st = cachet_cms_verify_der(&pol, NULL, cms, len, det, dlen, &sink, &layer, &err);
    } else {
        /* streaming, byte by byte (mode 1) or in 7-byte chunks (mode 2) */
        cachet_cms_verify *v = cachet_cms_verify_new(&pol, NULL, &sink, &err);
        size_t step = mode == 1 ? 1 : 7;
        st = CACHET_OK;
        if (det != NULL) {
            st = cachet_cms_verify_detached(v, NULL, 0, &err);
            for (size_t off = 0; off < dlen && st == CACHET_OK; off += step) {
                st = cachet_cms_verify_content(v, det + off, dlen - off < step ? dlen - off : step,
                                               &err);
            }
        }
        for (size_t off = 0; off < len && st == CACHET_OK; off += step) {
            st = cachet_cms_verify_update(v, cms + off, len - off < step ? len - off : step, &err);
        }
        st = cachet_cms_verify_finish(v, &layer, &err);
        cachet_cms_verify_free(v);
    }
    if (st != c->want) {
        fprintf(stderr, "%s weak=%d mode %d: got %s (%s: %s)\n", c->file, c->allow_weak, mode,
                cachet_status_str(st), err.where, err.message);
    }
    CHECK_EQ_INT(st, c->want);
    if (c->want == CACHET_ERR_ATTRIBUTES) {
        /* every ATTRIBUTES row here is a SignerInfo without signedAttrs (SG-03) */
        CHECK(strstr(err.message, "SignerInfo without signed attributes refused") != NULL);
        CHECK(layer.num_signers >= 1 && !layer.signers[0].weak);
    }
    CHECK_EQ_INT(layer.type, CACHET_LAYER_SIGNED);
    CHECK_EQ_INT(layer.detached, c->detached != NULL);
    if (c->digest != NULL) {
        CHECK(layer.num_signers >= 1);
    }
    if (layer.num_signers >= 1 && c->digest != NULL) {
        const cachet_signer_report *s = &layer.signers[0];
        if (s->signature_valid != c->sig_valid) {
            fprintf(stderr, "%s: signer 0: %s\n", c->file, s->signature_detail);
        }
        CHECK_EQ_INT(s->signature_valid, c->sig_valid);
        CHECK_EQ_INT(s->chain, c->chain);
        if (c->sig_valid) {
            CHECK_EQ_INT(s->weak, c->weak);
        }
        CHECK_EQ_INT(s->sid_is_ski, c->ski);
        CHECK_STR(s->digest, c->digest);
        if (c->algorithm != NULL) {
            CHECK_STR(s->algorithm, c->algorithm);
        }
    }
    if (c->content != NULL) {
        CHECK_MEM(got.data, got.len, c->content, strlen(c->content));
    }
    cachet_cms_layer_report_clear(&layer);
    cachet_membuf_free(&got);
    cachet_trust_free(t);
    free(cms);
    free(det);
}

static void vectors_verify_as_their_manifest_says(void) {
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int mode = 0; mode < 3; mode++) {
            run_case(&cases[i], mode);
        }
    }
}

static void rfc4134_certs_only_yields_two_certificates(void) {
    size_t len = 0;
    uint8_t *cms = vec(R4134 "4.11.bin", &len);
    cachet_cert_list certs = {0};
    cachet_error err = {0};
    if (cms == NULL) {
        return;
    }
    CHECK_EQ_INT(cachet_cms_signed_certs(NULL, cms, len, &certs, &err), CACHET_OK);
    CHECK_EQ_INT(certs.num, 2);
    char subj[2][256] = {"", ""};
    for (size_t i = 0; i < certs.num && i < 2; i++) {
        cachet_cert_subject(certs.certs[i], subj[i], sizeof(subj[i]));
    }
    CHECK((strcmp(subj[0], "CN=CarlDSS") == 0 && strcmp(subj[1], "CN=AliceDSS") == 0) ||
          (strcmp(subj[1], "CN=CarlDSS") == 0 && strcmp(subj[0], "CN=AliceDSS") == 0));
    cachet_cert_list_clear(&certs);
    /* a limit of one certificate is enforced */
    cachet_cms_limits lim;
    cachet_cms_limits_default(&lim);
    lim.max_certificates = 1;
    CHECK_EQ_INT(cachet_cms_signed_certs(&lim, cms, len, &certs, &err), CACHET_ERR_LIMIT);
    cachet_cert_list_clear(&certs);
    free(cms);
}

/* A SignedData without certificates: the signer certificates come from the caller
 * (cachet_cms_verify_add_certs). Alice (RSA, no signedAttrs) and Carlos (pure
 * Ed25519 over the eContent, RFC 8419 §3) both verify, each to its own anchor,
 * and are weak - with allow_weak; without it both are refused (no signedAttrs,
 * SG-03) even with the certificates. */
static void external_certificates_find_the_signers(void) {
    size_t len = 0, alen = 0, clen = 0;
    uint8_t *cms = vec(XCMS "signedByAliceAndCarlosNoCerts.p7m", &len);
    uint8_t *a = vec(XCMS "lamps-alice.crt", &alen);
    uint8_t *c = vec(XCMS "lamps-carlos.crt", &clen);
    cachet_cert_list ext = {0};
    cachet_error err = {0};
    if (cms == NULL || a == NULL || c == NULL) {
        return;
    }
    CHECK_EQ_INT(cachet_cert_load(a, alen, &ext, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_cert_load(c, clen, &ext, &err), CACHET_OK);
    cachet_trust *t = trust_from(LAMPS "RSA_Certification_Authority.selfsigned.pem");
    CHECK_EQ_INT(
        cachet_trust_add_file(
            t, cachet_test_vector_path(LAMPS "Ed25519_Certification_Authority.selfsigned.pem"),
            NULL),
        CACHET_OK);
    cachet_membuf got = {0};
    cachet_sink sink = cachet_sink_membuf(&got);
    for (int run = 0; run < 3; run++) {
        /* run 0: certificates, weak not allowed; 1: no certificates; 2: both */
        bool with_certs = run != 1, weak = run != 0, valid = with_certs && weak;
        cachet_cms_policy pol = {.trust = t, .allow_weak = weak};
        cachet_cms_verify *v = cachet_cms_verify_new(&pol, NULL, &sink, &err);
        cachet_layer_report layer;
        if (with_certs) {
            CHECK_EQ_INT(cachet_cms_verify_add_certs(v, &ext, &err), CACHET_OK);
        }
        CHECK_EQ_INT(cachet_cms_verify_update(v, cms, len, &err), CACHET_OK);
        cachet_status st = cachet_cms_verify_finish(v, &layer, &err);
        CHECK_EQ_INT(st, valid        ? CACHET_OK
                         : with_certs ? CACHET_ERR_ATTRIBUTES
                                      : CACHET_ERR_BAD_SIGNATURE);
        CHECK_EQ_INT(layer.num_signers, 2);
        bool seen_ed = false;
        for (size_t i = 0; i < layer.num_signers; i++) {
            const cachet_signer_report *r = &layer.signers[i];
            if (strcmp(r->algorithm, "rsaEncryption") != 0) {
                CHECK_STR(r->algorithm, "ed25519");
                CHECK_STR(r->digest, "sha512");
                seen_ed = true;
            }
            CHECK_EQ_INT(r->signature_valid, valid);
            CHECK_EQ_INT(r->chain, valid ? CACHET_CHAIN_TRUSTED : CACHET_CHAIN_NOT_CHECKED);
            CHECK_EQ_INT(r->weak, valid);
            CHECK_EQ_INT(cachet_cms_verify_signer_cert(v, i) != NULL, valid);
            CHECK_EQ_INT(r->signature_status, valid        ? CACHET_OK
                                              : with_certs ? CACHET_ERR_ATTRIBUTES
                                                           : CACHET_ERR_BAD_SIGNATURE);
        }
        CHECK(seen_ed);
        if (valid) {
            CHECK_MEM(got.data, got.len, EXC, strlen(EXC));
        }
        CHECK_EQ_INT(cachet_cms_verify_certs(v)->num, 0);
        cachet_cms_layer_report_clear(&layer);
        cachet_cms_verify_free(v);
        got.len = 0;
    }
    cachet_membuf_free(&got);
    cachet_cert_list_clear(&ext);
    cachet_trust_free(t);
    free(cms);
    free(a);
    free(c);
}

/* signedByCarlosDetached (pure Ed25519, so only with allow_weak, SG-03) over
 * content that differs from the signed 28 bytes in one bit, one byte less, one
 * more, or entirely: a bad signature, in every feeding mode; micalg without
 * sha-512 leaves nothing to verify with. */
static void carlos_detached_fails_over_changed_content(void) {
    size_t len = 0, clen = 0;
    uint8_t *cms = vec(XCMS "signedByCarlosDetached.p7m", &len);
    uint8_t *content = vec(XCMS "content.txt", &clen);
    if (cms == NULL || content == NULL || clen != strlen(EXC)) {
        CHECK(false);
        free(cms);
        free(content);
        return;
    }
    uint8_t longer[64];
    memcpy(longer, content, clen);
    longer[clen] = '\n';
    struct {
        const char *name;
        const uint8_t *data;
        size_t len;
        bool flip;
    } variants[] = {
        {"one bit flipped", content, clen, true},
        {"last byte dropped", content, clen - 1, false},
        {"newline appended", longer, clen + 1, false},
        {"empty", (const uint8_t *)"", 0, false},
    };
    cachet_trust *t = trust_from(LAMPS "Ed25519_Certification_Authority.selfsigned.pem");
    cachet_cms_policy pol = {.trust = t, .allow_weak = true};
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        uint8_t buf[64];
        memcpy(buf, variants[i].data, variants[i].len);
        if (variants[i].flip) {
            buf[5] ^= 0x20;
        }
        for (size_t step = 1; step <= 64; step *= 8) {
            cachet_cms_verify *v = cachet_cms_verify_new(&pol, NULL, NULL, NULL);
            cachet_layer_report layer;
            cachet_error err = {0};
            CHECK_EQ_INT(cachet_cms_verify_detached(v, NULL, 0, &err), CACHET_OK);
            for (size_t off = 0; off < variants[i].len; off += step) {
                size_t n = variants[i].len - off < step ? variants[i].len - off : step;
                CHECK_EQ_INT(cachet_cms_verify_content(v, buf + off, n, &err), CACHET_OK);
            }
            CHECK_EQ_INT(cachet_cms_verify_update(v, cms, len, &err), CACHET_OK);
            cachet_status st = cachet_cms_verify_finish(v, &layer, &err);
            if (st != CACHET_ERR_BAD_SIGNATURE) {
                fprintf(stderr, "%s: %s (%s)\n", variants[i].name, cachet_status_str(st),
                        err.message);
            }
            CHECK_EQ_INT(st, CACHET_ERR_BAD_SIGNATURE);
            CHECK_STR(err.where, "SignedData.signerInfos[0]");
            CHECK_EQ_INT(layer.num_signers, 1);
            CHECK_EQ_INT(layer.num_signers == 1 && layer.signers[0].signature_valid, false);
            cachet_cms_layer_report_clear(&layer);
            cachet_cms_verify_free(v);
        }
    }
    /* the genuine content with micalg sha-256 only: no copy is kept, nothing verified */
    cachet_md only256 = CACHET_MD_SHA256;
    cachet_cms_verify *v = cachet_cms_verify_new(&pol, NULL, NULL, NULL);
    cachet_layer_report layer;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_cms_verify_detached(v, &only256, 1, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_cms_verify_content(v, content, clen, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_cms_verify_update(v, cms, len, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_cms_verify_finish(v, &layer, &err), CACHET_ERR_UNSUPPORTED);
    cachet_cms_layer_report_clear(&layer);
    cachet_cms_verify_free(v);
    cachet_trust_free(t);
    free(cms);
    free(content);
}

static const cachet_test_case tests[] = {
    TEST_CASE(carlos_detached_fails_over_changed_content),
    TEST_CASE(external_certificates_find_the_signers),
    TEST_CASE(vectors_verify_as_their_manifest_says),
    TEST_CASE(rfc4134_certs_only_yields_two_certificates),
};
TEST_MAIN(tests)
