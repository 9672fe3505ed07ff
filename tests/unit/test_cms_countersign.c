/* Countersignatures (RFC 5652 §11.4), verifying: the RFC 4134 and Bouncy
 * Castle vectors (MANIFEST.md), each fed whole, byte by byte and in random
 * chunks, and tampered copies of them, each with its precise error. */
#include <stdlib.h>

#include "cms/countersign.h"
#include "test_cms_signed_pki.h"

#define R4134 "rfc4134-bcjava/"
#define PKIX "bcjava-smime/pkix-cms/"
/* 2003-05-14 15:39:00 UTC, the signingTime of the 4.4 countersignature */
#define T_4_4 1052926740

static uint8_t *vec(const char *rel, size_t *len) {
    uint8_t *d = cachet_test_read_file(cachet_test_vector_path(rel), len);
    CHECK(d != NULL);
    return d;
}

static cachet_trust *trust_4134(void) {
    cachet_trust *t = cachet_trust_new(NULL);
    CHECK(t != NULL);
    CHECK_EQ_INT(cachet_trust_add_file(t, cachet_test_vector_path(R4134 "CarlDSSSelf.cer"), NULL),
                 CACHET_OK);
    CHECK_EQ_INT(cachet_trust_add_file(t, cachet_test_vector_path(R4134 "CarlRSASelf.cer"), NULL),
                 CACHET_OK);
    return t;
}

/* 4.4: DSA main signer (weak), countersigned by AliceRSA (RSA-1024, SHA-1) with
 * signingTime and messageDigest and no contentType. */
static void rfc4134_4_4_countersignature_by_alice_rsa_verifies(void) {
    size_t len = 0;
    uint8_t *cms = vec(R4134 "4.4.bin", &len);
    cachet_trust *t = trust_4134();
    /* the certificates' validity ended long ago: verify at the signing time */
    cachet_cms_policy pol = {.allow_weak = true, .trust = t, .at = T_4_4 + 3600};
    for (tfeed mode = TFEED_WHOLE; cms != NULL && mode <= TFEED_RANDOM; mode++) {
        cachet_membuf content = {0};
        cachet_layer_report layer;
        cachet_error err = {0};
        cachet_status st =
            tpki_verify(&pol, cms, len, NULL, 0, NULL, 0, mode, &content, &layer, &err);
        if (st != CACHET_OK) {
            fprintf(stderr, "4.4 %s: %s: %s\n", tfeed_names[mode], err.where, err.message);
        }
        CHECK_EQ_INT(st, CACHET_OK);
        CHECK_EQ_INT(layer.num_signers, 1);
        if (layer.num_signers == 1) {
            const cachet_signer_report *s = &layer.signers[0];
            CHECK(s->signature_valid);
            CHECK_EQ_INT(s->num_countersigners, 1);
            if (s->num_countersigners == 1) {
                const cachet_signer_report *c = &s->countersigners[0];
                CHECK(c->signature_valid);
                CHECK_STR(c->subject, "CN=AliceRSA");
                CHECK_STR(c->digest, "sha1");
                CHECK_STR(c->algorithm, "rsaEncryption");
                CHECK(c->has_signing_time);
                CHECK_EQ_INT(c->signing_time, T_4_4);
                CHECK_EQ_INT(c->chain, CACHET_CHAIN_TRUSTED);
                CHECK(c->weak);
                CHECK_EQ_INT(c->num_countersigners, 0);
            }
        }
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&content);
    }
    cachet_trust_free(t);
    free(cms);
}

/* Without allow_weak the DSA main signer is refused first; nothing it carries
 * (its countersignature included) is reported (SG-15). */
static void rfc4134_4_4_refused_without_weak_reports_no_countersigner(void) {
    size_t len = 0;
    uint8_t *cms = vec(R4134 "4.4.bin", &len);
    cachet_cms_policy pol = {.at = T_4_4 + 3600};
    cachet_layer_report layer;
    cachet_error err = {0};
    cachet_status st = cachet_cms_verify_der(&pol, NULL, cms, len, NULL, 0, NULL, &layer, &err);
    CHECK_EQ_INT(st, CACHET_ERR_POLICY);
    CHECK(layer.num_signers == 1 && layer.signers[0].num_countersigners == 0);
    cachet_cms_layer_report_clear(&layer);
    free(cms);
}

/* Bouncy Castle's counterSig.p7m: one countersignature by subjectKeyIdentifier
 * (version 3) with ESS signingCertificate, no contentType, itself carrying a
 * timeStampToken in its unsigned attributes. */
static void pkix_countersig_p7m_verifies(void) {
    size_t len = 0;
    uint8_t *cms = vec(PKIX "counterSig.p7m", &len);
    cachet_cms_policy pol = {.allow_weak = true};
    for (tfeed mode = TFEED_WHOLE; cms != NULL && mode <= TFEED_RANDOM; mode++) {
        cachet_membuf content = {0};
        cachet_layer_report layer;
        cachet_error err = {0};
        cachet_status st =
            tpki_verify(&pol, cms, len, NULL, 0, NULL, 0, mode, &content, &layer, &err);
        CHECK_EQ_INT(st, CACHET_ERR_UNTRUSTED); /* no anchor given: signatures only */
        CHECK_EQ_INT(layer.num_signers, 1);
        if (layer.num_signers == 1) {
            const cachet_signer_report *s = &layer.signers[0];
            if (!s->signature_valid) {
                fprintf(stderr, "counterSig.p7m: %s\n", s->signature_detail);
            }
            CHECK(s->signature_valid);
            CHECK_EQ_INT(s->num_countersigners, 1);
            if (s->num_countersigners == 1) {
                const cachet_signer_report *c = &s->countersigners[0];
                CHECK(c->signature_valid);
                CHECK(c->sid_is_ski);
                CHECK_STR(c->digest, "sha1");
                CHECK(strstr(c->subject, "COUNTER") != NULL);
                CHECK(c->weak);
            }
        }
        CHECK_MEM(content.data, content.len, "aaa", 3);
        cachet_cms_layer_report_clear(&layer);
        cachet_membuf_free(&content);
    }
    free(cms);
}

/* find: the offset of |needle| in |hay| (the test aborts the case if absent). */
static long find(const uint8_t *hay, size_t len, const uint8_t *needle, size_t nlen) {
    for (size_t i = 0; i + nlen <= len; i++) {
        if (memcmp(hay + i, needle, nlen) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* One tampered copy of 4.4.bin and what verifying it must say. */
typedef struct tamper_case {
    const char *name;
    const uint8_t needle[8]; /* bytes to find */
    size_t needle_len;
    size_t at; /* offset from the needle of the byte flipped */
    cachet_status want;
    const char *detail; /* substring of the main signer's signature_detail */
} tamper_case;

static const tamper_case tampers[] = {
    /* the countersignature's signature value (6DAA2024ED7A...) */
    {"countersignature value",
     {0x6d, 0xaa, 0x20, 0x24, 0xed, 0x7a},
     6,
     10,
     CACHET_ERR_BAD_SIGNATURE,
     "unsignedAttrs: countersignature[0] by CN=AliceRSA: signature does not verify"},
    /* the countersignature's messageDigest (025F494E...) */
    {"countersignature messageDigest",
     {0x02, 0x5f, 0x49, 0x4e, 0x39, 0x98},
     6,
     3,
     CACHET_ERR_BAD_SIGNATURE,
     "countersignature[0] by CN=AliceRSA: messageDigest does not match the signature it "
     "countersigns"},
};

static void tampered_countersignatures_fail_naming_it(void) {
    size_t len = 0;
    uint8_t *orig = vec(R4134 "4.4.bin", &len);
    cachet_trust *t = trust_4134();
    cachet_cms_policy pol = {.allow_weak = true, .trust = t, .at = T_4_4 + 3600};
    for (size_t i = 0; orig != NULL && i < sizeof(tampers) / sizeof(tampers[0]); i++) {
        const tamper_case *c = &tampers[i];
        uint8_t *cms = malloc(len);
        memcpy(cms, orig, len);
        long off = find(cms, len, c->needle, c->needle_len);
        CHECK(off >= 0);
        if (off < 0) {
            free(cms);
            continue;
        }
        cms[(size_t)off + c->at] ^= 0x01;
        cachet_layer_report layer;
        cachet_error err = {0};
        cachet_status st = cachet_cms_verify_der(&pol, NULL, cms, len, NULL, 0, NULL, &layer, &err);
        CHECK_EQ_INT(st, c->want);
        CHECK(layer.num_signers == 1);
        if (layer.num_signers == 1) {
            const cachet_signer_report *s = &layer.signers[0];
            if (strstr(s->signature_detail, c->detail) == NULL) {
                fprintf(stderr, "%s: got \"%s\"\n", c->name, s->signature_detail);
            }
            CHECK(!s->signature_valid);
            CHECK_EQ_INT(s->signature_status, c->want);
            CHECK(strstr(s->signature_detail, c->detail) != NULL);
            CHECK(strstr(err.message, "countersignature[0]") != NULL);
            CHECK(s->num_countersigners == 1 && !s->countersigners[0].signature_valid);
        }
        cachet_cms_layer_report_clear(&layer);
        free(cms);
    }
    cachet_trust_free(t);
    free(orig);
}

static const cachet_test_case tests[] = {
    TEST_CASE(rfc4134_4_4_countersignature_by_alice_rsa_verifies),
    TEST_CASE(rfc4134_4_4_refused_without_weak_reports_no_countersigner),
    TEST_CASE(pkix_countersig_p7m_verifies),
    TEST_CASE(tampered_countersignatures_fail_naming_it),
};
TEST_MAIN(tests)
