/* Content encryption made by other implementations ($CACHET_VECTORS, see
 * ../shared/vectors/MANIFEST.md): RFC 4134 §5.2 (RC2/40 EnvelopedData via Bob's
 * ktri), §7.1 and §7.2 (3DES EncryptedData, v0 and v2 with unprotectedAttrs),
 * and draft-ireland-examples-cms ChaCha20-Poly1305 AuthEnvelopedData (RFC 8103)
 * to Bob by RSAES-OAEP. Exit 77 (skipped) when $CACHET_VECTORS is unset. */
#include <stdlib.h>

#include "test_cms_content_util.h"

static const char ex_content[] = "This is some sample content.";
/* RFC 4134 §7.1: the 3DES content-encryption key. */
static const uint8_t key_7_1[24] = {0x73, 0x7c, 0x79, 0x1f, 0x25, 0xea, 0xd0, 0xe0,
                                    0x46, 0x29, 0x25, 0x43, 0x52, 0xf7, 0xdc, 0x62,
                                    0x91, 0xe5, 0xcb, 0x26, 0x91, 0x7a, 0xda, 0x32};

typedef struct vparty {
    cachet_pkey *key;
    cachet_cert *cert;
} vparty;

static vparty load_vparty(const char *key_rel, const char *cert_rel) {
    vparty p = {NULL, NULL};
    size_t klen = 0, clen = 0;
    uint8_t *k = cachet_test_read_file(cachet_test_vector_path(key_rel), &klen);
    uint8_t *c = cachet_test_read_file(cachet_test_vector_path(cert_rel), &clen);
    cachet_cert_list list = {0};
    cachet_error err;
    cachet_err_clear(&err);
    CHECK(k != NULL && c != NULL);
    if (k != NULL && c != NULL) {
        CHECK_EQ_INT(cachet_pkey_load_private(k, klen, NULL, &p.key, &err), CACHET_OK);
        CHECK_EQ_INT(cachet_cert_load(c, clen, &list, &err), CACHET_OK);
        if (list.num > 0) {
            p.cert = cachet_cert_up_ref(list.certs[0]);
        }
    }
    cachet_cert_list_clear(&list);
    free(k);
    free(c);
    return p;
}

static void free_vparty(vparty *p) {
    cachet_pkey_free(p->key);
    cachet_cert_free(p->cert);
}

static uint8_t *load(const char *rel, size_t *len) {
    uint8_t *d = cachet_test_read_file(cachet_test_vector_path(rel), len);
    CHECK(d != NULL);
    return d;
}

static void rfc4134_5_2_rc2_40_opens_for_bob_with_allow_weak(void) {
    vparty bob =
        load_vparty("rfc4134-bcjava/BobPrivRSAEncrypt.pri", "rfc4134-bcjava/BobRSASignByCarl.cer");
    cachet_cms_policy weak = {.allow_weak = true};
    const cachet_pkey *k = bob.key;
    const cachet_cert *c = bob.cert;
    cachet_cms_secrets s;
    size_t len = 0;
    uint8_t *der = load("rfc4134-bcjava/5.2.bin", &len);
    memset(&s, 0, sizeof(s));
    s.keys = &k;
    s.certs = &c;
    s.num_keys = 1;
    if (der != NULL && bob.key != NULL && bob.cert != NULL) {
        cachet_membuf pt = {0};
        cachet_layer_report rep;
        cachet_error err;
        /* RC2 (and Bob's 1024-bit key) refused by default, before the key is used. */
        CHECK_EQ_INT(cd_decrypt(&s, NULL, NULL, der, len, FEED_WHOLE, &pt, NULL, &err),
                     CACHET_ERR_POLICY);
        CHECK_STR(err.message, "rc2-cbc is a legacy cipher: use --allow-legacy");
        CHECK_EQ_INT(pt.len, 0);
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf_free(&pt);
            CHECK_EQ_INT(cd_decrypt(&s, &weak, NULL, der, len, (feed_mode)mode, &pt, &rep, &err),
                         CACHET_OK);
            CHECK_MEM(pt.data, pt.len, ex_content, strlen(ex_content));
            CHECK_STR(rep.cipher, "rc2-40-cbc");
            CHECK_EQ_INT(rep.weak, true);
            CHECK_EQ_INT(rep.type, CACHET_LAYER_ENVELOPED);
            CHECK_STR(rep.key_management, "rsaEncryption");
            CHECK_EQ_INT(rep.num_recipients, 2); /* ktri to Bob, kekri "MailListRC2" */
        }
        cachet_membuf_free(&pt);
    }
    free(der);
    free_vparty(&bob);
}

static void rfc4134_7_1_and_7_2_encrypted_data_open_with_the_key(void) {
    static const char *files[] = {"rfc4134-bcjava/7.1.bin", "rfc4134-bcjava/7.2.bin"};
    cachet_cms_policy weak = {.allow_weak = true};
    for (size_t f = 0; f < 2; f++) {
        cachet_cms_secrets s;
        cachet_membuf pt = {0};
        cachet_layer_report rep;
        cachet_error err;
        size_t len = 0;
        uint8_t *der = load(files[f], &len), wrong[24];
        if (der == NULL) {
            continue;
        }
        memset(&s, 0, sizeof(s));
        s.content_key = key_7_1;
        s.content_key_len = sizeof(key_7_1);
        CHECK_EQ_INT(cd_decrypt(&s, NULL, NULL, der, len, FEED_RANDOM, &pt, NULL, &err),
                     CACHET_ERR_POLICY);
        CHECK_STR(err.message, "des-ede3-cbc is a legacy cipher: use --allow-legacy");
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf_free(&pt);
            CHECK_EQ_INT(cd_decrypt(&s, &weak, NULL, der, len, (feed_mode)mode, &pt, &rep, &err),
                         CACHET_OK);
            CHECK_MEM(pt.data, pt.len, ex_content, strlen(ex_content));
            CHECK_EQ_INT(rep.type, CACHET_LAYER_ENCRYPTED);
            CHECK_STR(rep.cipher, "des-ede3-cbc");
            CHECK_STR(rep.key_management, "");
            CHECK_EQ_INT(rep.num_recipients, 0);
            CHECK_EQ_INT(rep.weak, true);
            CHECK_EQ_INT(rep.authenticated, false);
            CHECK_STR(rep.content_type, "id-data");
        }
        cachet_membuf_free(&pt);
        /* Another key (not a parity bit: 0x02), and a 16-byte key: uniform. */
        memcpy(wrong, key_7_1, sizeof(wrong));
        wrong[23] ^= 0x02;
        s.content_key = wrong;
        CHECK(cd_is_uniform(cd_decrypt(&s, &weak, NULL, der, len, FEED_WHOLE, &pt, NULL, &err),
                            &err));
        /* CBC's contract: every block but the (padding-checked) last one went out. */
        CHECK_EQ_INT(pt.len, 24);
        cachet_membuf_free(&pt);
        s.content_key_len = 16;
        CHECK(cd_is_uniform(cd_decrypt(&s, &weak, NULL, der, len, FEED_BYTES, &pt, NULL, &err),
                            &err));
        CHECK_EQ_INT(pt.len, 0);
        /* No content key at all. */
        s.content_key = NULL;
        s.content_key_len = 0;
        CHECK_EQ_INT(cd_decrypt(&s, &weak, NULL, der, len, FEED_WHOLE, &pt, NULL, &err),
                     CACHET_ERR_NO_RECIPIENT);
        CHECK_STR(err.message, "EncryptedData needs the content key (--secret-key)");
        cachet_membuf_free(&pt);
        free(der);
    }
}

/* RFC 5652 §8: version 2 exactly when unprotectedAttrs are present. The
 * version is the first INTEGER of each file (02 01 00 / 02 01 02). */
static void encrypted_data_version_must_match_unprotected_attrs(void) {
    static const struct {
        const char *file;
        uint8_t from, to;
    } edits[] = {{"rfc4134-bcjava/7.1.bin", 0, 2},
                 {"rfc4134-bcjava/7.2.bin", 2, 0},
                 {"rfc4134-bcjava/7.1.bin", 0, 1}};
    cachet_cms_policy weak = {.allow_weak = true};
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        cachet_cms_secrets s;
        cachet_membuf pt = {0};
        cachet_error err;
        size_t len = 0;
        uint8_t *der = load(edits[i].file, &len), pattern[3] = {0x02, 0x01, edits[i].from}, *v;
        if (der == NULL) {
            continue;
        }
        v = cd_find(der, len, pattern, sizeof(pattern));
        CHECK(v != NULL);
        if (v != NULL) {
            v[2] = edits[i].to;
        }
        memset(&s, 0, sizeof(s));
        s.content_key = key_7_1;
        s.content_key_len = sizeof(key_7_1);
        CHECK_EQ_INT(cd_decrypt(&s, &weak, NULL, der, len, FEED_RANDOM, &pt, NULL, &err),
                     CACHET_ERR_MALFORMED);
        CHECK(strncmp(err.where, "EncryptedData", 13) == 0);
        cachet_membuf_free(&pt);
        free(der);
    }
}

static void examples_cms_chacha20_poly1305_opens_for_bob(void) {
    vparty bob =
        load_vparty("examples-cms/lamps-bob.decrypt.p8.pem", "examples-cms/lamps-bob.encrypt.crt");
    const cachet_pkey *k = bob.key;
    const cachet_cert *c = bob.cert;
    cachet_cms_secrets s;
    size_t len = 0;
    uint8_t *der = load("examples-cms/authEnvelopedForBobChaCha20Poly1305.p7m", &len);
    memset(&s, 0, sizeof(s));
    s.keys = &k;
    s.certs = &c;
    s.num_keys = 1;
    if (der != NULL && bob.key != NULL && bob.cert != NULL) {
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf pt = {0};
            cachet_layer_report rep;
            cachet_error err;
            cachet_status st =
                cd_decrypt(&s, NULL, NULL, der, len, (feed_mode)mode, &pt, &rep, &err);
            if (st != CACHET_OK) {
                fprintf(stderr, "  %s (%s)\n", err.message, err.where);
            }
            CHECK_EQ_INT(st, CACHET_OK);
            CHECK_MEM(pt.data, pt.len, ex_content, strlen(ex_content));
            CHECK_EQ_INT(rep.type, CACHET_LAYER_AUTH_ENVELOPED);
            CHECK_STR(rep.cipher, "chacha20-poly1305");
            CHECK_EQ_INT(rep.authenticated, true);
            CHECK_EQ_INT(rep.weak, false);
            CHECK_STR(rep.key_management, "rsaes-oaep");
            cachet_membuf_free(&pt);
        }
        /* The last mac byte flipped: uniform failure. */
        {
            cachet_membuf pt = {0};
            cachet_error err;
            der[len - 1] ^= 0x80;
            CHECK(cd_is_uniform(cd_decrypt(&s, NULL, NULL, der, len, FEED_RANDOM, &pt, NULL, &err),
                                &err));
            cachet_membuf_free(&pt);
        }
    }
    free(der);
    free_vparty(&bob);
}

static const cachet_test_case tests[] = {
    TEST_CASE(rfc4134_5_2_rc2_40_opens_for_bob_with_allow_weak),
    TEST_CASE(rfc4134_7_1_and_7_2_encrypted_data_open_with_the_key),
    TEST_CASE(encrypted_data_version_must_match_unprotected_attrs),
    TEST_CASE(examples_cms_chacha20_poly1305_opens_for_bob),
};

int main(int argc, char **argv) {
    const char *v = getenv("CACHET_VECTORS");
    if (v == NULL || v[0] == '\0') {
        printf("SKIP: $CACHET_VECTORS is not set (the shared vector corpus)\n");
        return 77;
    }
    return cachet_test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
