/* Helpers for the test_cms_recipients_*.c tests: recipientInfos SETs built with
 * our writers, CEK recovery through cachet_env_recover_cek, a minimal
 * EnvelopedData around a SET (content AES-CBC, encrypted here with OpenSSL's
 * EVP) so that OpenSSL can open what we write, and the parts of an OpenSSL
 * EnvelopedData that let us check a recovered CEK independently. */
#ifndef CACHET_TEST_CMS_RECIPIENTS_UTIL_H
#define CACHET_TEST_CMS_RECIPIENTS_UTIL_H

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cms/recipient_internal.h"
#include "test_cms_enveloped_util.h"

/* ---- a recipientInfos SET built by our writers ---- */

typedef struct tr_set {
    cachet_cbb top, set;
    unsigned version;
} tr_set;

static inline void tr_begin(tr_set *t) {
    CHECK(cachet_cbb_init(&t->top, 1024, 0));
    CHECK(cachet_cbb_add_asn1(&t->top, &t->set, CACHET_ASN1_SET));
    t->version = 0;
}

/* tr_end returns the DER SET (malloc'd by cachet; free with cachet_free). */
static inline uint8_t *tr_end(tr_set *t, size_t *len) {
    uint8_t *der = NULL;
    CHECK(cachet_cbb_finish(&t->top, &der, len));
    return der;
}

static inline void tr_add_kek(tr_set *t, const cachet_cms_kek *kek, const uint8_t *cek,
                              size_t cek_len) {
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_env_add_kekri(&t->set, kek, cek, cek_len, &t->version, &err), CACHET_OK);
}

static inline void tr_add_pw(tr_set *t, const char *pass, uint32_t iter, const uint8_t *cek,
                             size_t cek_len) {
    cachet_error err;
    cachet_cms_password pw = {(const uint8_t *)pass, strlen(pass)};
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_env_add_pwri(&t->set, &pw, iter, cek, cek_len, &t->version, &err),
                 CACHET_OK);
}

static inline void tr_add_cert(tr_set *t, const test_party *p, const uint8_t *cek, size_t cek_len) {
    cachet_error err;
    bool v2 = false;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_env_add_recipient(&t->set, p->cert, false, false, cek, cek_len, &v2, &err),
                 CACHET_OK);
    if (v2 && t->version < 2) {
        t->version = 2;
    }
}

/* tr_recover runs cachet_env_recover_cek on a DER SET (limits NULL = defaults). */
static inline cachet_status tr_recover(const uint8_t *set, size_t len, const cachet_cms_secrets *s,
                                       bool allow_weak, const cachet_cms_limits *limits,
                                       uint8_t *cek, size_t cek_len,
                                       cachet_env_recipient_info *info, cachet_error *err) {
    cachet_cbs cbs;
    cachet_cms_limits def;
    if (limits == NULL) {
        cachet_cms_limits_default(&def);
        limits = &def;
    }
    memset(info, 0, sizeof(*info));
    memset(cek, 0, cek_len);
    cachet_err_clear(err);
    cachet_cbs_init(&cbs, set, len);
    return cachet_env_recover_cek(&cbs, s, allow_weak, limits, cek, cek_len, info, err);
}

/* The one detail every failure after a secret was used must show. */
static inline void tr_check_uniform(cachet_status st, const cachet_error *err) {
    CHECK_EQ_INT(st, CACHET_ERR_DECRYPT);
    CHECK_STR(err->message, CACHET_ENV_DECRYPT_MSG);
    CHECK_STR(err->where, "");
    CHECK_EQ_INT(err->offset, -1);
}

static inline const EVP_CIPHER *tr_aes_cbc(size_t key_len) {
    return key_len == 16   ? EVP_aes_128_cbc()
           : key_len == 24 ? EVP_aes_192_cbc()
                           : EVP_aes_256_cbc();
}

/* tr_envelope wraps a recipientInfos SET into a DER ContentInfo/EnvelopedData
 * whose content is |msg| under AES-CBC with |cek| (RFC 5652 §6.1, RFC 3565). */
static inline uint8_t *tr_envelope(const uint8_t *set, size_t set_len, unsigned version,
                                   const uint8_t *cek, size_t cek_len, const uint8_t *msg,
                                   size_t len, size_t *out_len) {
    cachet_cbb top, ci, ex, ed, eci, alg, ct;
    uint8_t iv[16], *buf = malloc(len + 32), *der = NULL;
    int n1 = 0, n2 = 0;
    cachet_oid oid = cek_len == 16   ? CACHET_OID_AES128_CBC
                     : cek_len == 24 ? CACHET_OID_AES192_CBC
                                     : CACHET_OID_AES256_CBC;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    RAND_bytes(iv, sizeof(iv));
    CHECK(EVP_EncryptInit_ex(ctx, tr_aes_cbc(cek_len), NULL, cek, iv) == 1 &&
          EVP_EncryptUpdate(ctx, buf, &n1, msg, (int)len) == 1 &&
          EVP_EncryptFinal_ex(ctx, buf + n1, &n2) == 1);
    EVP_CIPHER_CTX_free(ctx);
    CHECK(cachet_cbb_init(&top, 4096, 0) && cachet_cbb_add_asn1(&top, &ci, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_oid(&ci, CACHET_OID_ENVELOPED_DATA) &&
          cachet_cbb_add_asn1(&ci, &ex, CACHET_ASN1_CONTEXT_CONS(0)) &&
          cachet_cbb_add_asn1(&ex, &ed, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_asn1_uint64(&ed, version) && cachet_cbb_add_bytes(&ed, set, set_len) &&
          cachet_cbb_add_asn1(&ed, &eci, CACHET_ASN1_SEQUENCE) &&
          cachet_cbb_add_oid(&eci, CACHET_OID_DATA) &&
          cachet_cbb_add_asn1(&eci, &alg, CACHET_ASN1_SEQUENCE) && cachet_cbb_add_oid(&alg, oid) &&
          cachet_cbb_add_asn1_octet_string(&alg, iv, sizeof(iv)) && cachet_cbb_flush(&eci) &&
          cachet_cbb_add_asn1(&eci, &ct, CACHET_ASN1_CONTEXT(0)) &&
          cachet_cbb_add_bytes(&ct, buf, (size_t)(n1 + n2)) &&
          cachet_cbb_finish(&top, &der, out_len));
    free(buf);
    return der;
}

/* tr_parts finds, in a DER EnvelopedData ContentInfo (as OpenSSL writes it
 * without streaming), the recipientInfos SET, the content IV and the
 * encryptedContent. */
static inline bool tr_parts(const uint8_t *der, size_t len, cachet_cbs *set, cachet_cbs *iv,
                            cachet_cbs *ct) {
    cachet_cbs in, ci, ex, ed, eci, alg, skip;
    uint64_t version;
    cachet_cbs_init(&in, der, len);
    return cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) &&
           cachet_cbs_get_asn1(&ci, &ex, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cbs_get_asn1(&ex, &ed, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1_uint64(&ed, &version) &&
           cachet_cbs_get_asn1_element(&ed, set, CACHET_ASN1_SET) &&
           cachet_cbs_get_asn1(&ed, &eci, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&eci, &skip, CACHET_ASN1_OBJECT) &&
           cachet_cbs_get_asn1(&eci, &alg, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&alg, &skip, CACHET_ASN1_OBJECT) &&
           cachet_cbs_get_asn1(&alg, iv, CACHET_ASN1_OCTETSTRING) &&
           cachet_cbs_get_asn1(&eci, ct, CACHET_ASN1_CONTEXT(0));
}

/* tr_ris finds the recipientInfos SET alone (any content algorithm). */
static inline bool tr_ris(const uint8_t *der, size_t len, cachet_cbs *set) {
    cachet_cbs in, ci, ex, ed, skip;
    uint64_t version;
    cachet_cbs_init(&in, der, len);
    return cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) &&
           cachet_cbs_get_asn1(&ci, &ex, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cbs_get_asn1(&ex, &ed, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1_uint64(&ed, &version) &&
           cachet_cbs_get_asn1_element(&ed, set, CACHET_ASN1_SET);
}

/* tr_open_with_cek decrypts |ct| (AES-CBC by |cek_len|) with OpenSSL: the
 * check that a CEK we recovered is the one the content was encrypted with. */
static inline bool tr_open_with_cek(const cachet_cbs *iv, const cachet_cbs *ct, const uint8_t *cek,
                                    size_t cek_len, const uint8_t *want, size_t want_len) {
    uint8_t *buf = malloc(ct->len + 32);
    int n1 = 0, n2 = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = EVP_DecryptInit_ex(ctx, tr_aes_cbc(cek_len), NULL, cek, iv->data) == 1 &&
              EVP_DecryptUpdate(ctx, buf, &n1, ct->data, (int)ct->len) == 1 &&
              EVP_DecryptFinal_ex(ctx, buf + n1, &n2) == 1 &&
              cachet_test_mem_eq(buf, (size_t)(n1 + n2), want, want_len);
    EVP_CIPHER_CTX_free(ctx);
    free(buf);
    return ok;
}

/* ---- OpenSSL's side ---- */

static inline uint8_t *tr_bio_take(BIO *out, size_t *out_len) {
    char *data;
    long n = BIO_get_mem_data(out, &data);
    uint8_t *res = malloc((size_t)n + 1);
    memcpy(res, data, (size_t)n);
    *out_len = (size_t)n;
    return res;
}

/* tr_ossl_encrypt_secret: OpenSSL's CMS_encrypt with one KEK recipient
 * (CMS_add0_recipient_key) and/or one password (CMS_add0_recipient_password,
 * AES-256-CBC KEK, |iter| iterations). */
static inline uint8_t *tr_ossl_encrypt_secret(const EVP_CIPHER *c, const cachet_cms_kek *kek,
                                              const char *pass, int iter, const uint8_t *msg,
                                              size_t len, size_t *out_len) {
    BIO *in = BIO_new_mem_buf(msg, (int)len), *out = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms = CMS_encrypt(NULL, NULL, c, CMS_BINARY | CMS_PARTIAL);
    uint8_t *res = NULL;
    bool ok = cms != NULL;
    if (ok && kek != NULL) {
        ok = CMS_add0_recipient_key(cms, NID_undef, OPENSSL_memdup(kek->key, kek->key_len),
                                    kek->key_len, OPENSSL_memdup(kek->id, kek->id_len), kek->id_len,
                                    NULL, NULL, NULL) != NULL;
    }
    if (ok && pass != NULL) {
        ok = CMS_add0_recipient_password(cms, iter, NID_undef, NID_undef,
                                         (unsigned char *)OPENSSL_strdup(pass),
                                         (ossl_ssize_t)strlen(pass), EVP_aes_256_cbc()) != NULL;
    }
    ok = ok && CMS_final(cms, in, NULL, CMS_BINARY) == 1 && i2d_CMS_bio(out, cms) == 1;
    if (ok) {
        res = tr_bio_take(out, out_len);
    }
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(out);
    return res;
}

/* tr_ossl_open_secret: OpenSSL's CMS_decrypt with a KEK or a password. */
static inline uint8_t *tr_ossl_open_secret(const uint8_t *msg, size_t len,
                                           const cachet_cms_kek *kek, const char *pass,
                                           size_t *out_len) {
    BIO *in = BIO_new_mem_buf(msg, (int)len), *out = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms = d2i_CMS_bio(in, NULL);
    uint8_t *res = NULL;
    bool ok = cms != NULL;
    if (ok && kek != NULL) {
        ok = CMS_decrypt_set1_key(cms, (unsigned char *)kek->key, kek->key_len,
                                  (const unsigned char *)kek->id, kek->id_len) == 1;
    }
    if (ok && pass != NULL) {
        ok = CMS_decrypt_set1_password(cms, (unsigned char *)pass, (ossl_ssize_t)strlen(pass)) == 1;
    }
    if (ok && CMS_decrypt(cms, NULL, NULL, NULL, out, CMS_BINARY) == 1) {
        res = tr_bio_take(out, out_len);
    }
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(out);
    return res;
}

/* ---- files and the openssl command ---- */

static inline bool tr_write_file(const char *path, const uint8_t *data, size_t len) {
    FILE *f = fopen(path, "wb");
    bool ok = f != NULL && fwrite(data, 1, len, f) == len;
    if (f != NULL) {
        ok = fclose(f) == 0 && ok;
    }
    return ok;
}

/* tr_tmpdir makes a fresh temporary directory (static buffer). */
static inline const char *tr_tmpdir(void) {
    static char dir[64];
    if (dir[0] == '\0') {
        snprintf(dir, sizeof(dir), "/tmp/cachet-recip-XXXXXX");
        if (mkdtemp(dir) == NULL) {
            dir[0] = '\0';
        }
    }
    return dir;
}

static inline bool tr_have_openssl(void) {
    return system("openssl version >/dev/null 2>&1") == 0;
}

static inline void tr_hex(char *out, const uint8_t *in, size_t len) {
    for (size_t i = 0; i < len; i++) {
        snprintf(out + 2 * i, 3, "%02X", in[i]);
    }
}

/* tr_check_opens_in_openssl wraps the recipient SET |set| in a whole
 * EnvelopedData around |msg| under |cek| and checks that OpenSSL's C API opens
 * it with |kek| or |pass|. */
static inline void tr_check_opens_in_openssl(const uint8_t *set, size_t set_len, unsigned version,
                                             const uint8_t *cek, size_t cek_len,
                                             const cachet_cms_kek *kek, const char *pass,
                                             const char *msg) {
    uint8_t *env, *pt;
    size_t env_len, pt_len = 0;
    env = tr_envelope(set, set_len, version, cek, cek_len, (const uint8_t *)msg, strlen(msg),
                      &env_len);
    pt = tr_ossl_open_secret(env, env_len, kek, pass, &pt_len);
    CHECK(pt != NULL);
    if (pt != NULL) {
        CHECK_MEM(pt, pt_len, msg, strlen(msg));
    }
    free(pt);
    cachet_free(env);
}

/* tr_cli_both_ways runs the openssl command line with the secret given by
 * |args| (e.g. "-pwri_password x"): the message it encrypts opens with |s|,
 * and ours (recipient SET |set_der|, content key |cek|) opens in it. Files are
 * |dir|/|stem|-*; |dir| is removed at the end. */
static inline void tr_cli_both_ways(const char *dir, const char *stem, const char *args,
                                    const cachet_cms_secrets *s, const uint8_t *set_der,
                                    size_t set_len, unsigned version, const uint8_t *cek_bytes,
                                    const char *msg) {
    char cmd[1024], path[256];
    cachet_env_recipient_info info;
    cachet_error err;
    cachet_cbs set, iv, ct;
    uint8_t cek[32], *der, *ours, *pt;
    size_t len = 0, ours_len, pt_len = 0;
    snprintf(path, sizeof(path), "%s/%s-msg.txt", dir, stem);
    CHECK(tr_write_file(path, (const uint8_t *)msg, strlen(msg)));
    snprintf(cmd, sizeof(cmd),
             "openssl cms -encrypt -binary -aes256 %s -in %s -outform DER -out %s/%s-ossl.der "
             "2>/dev/null",
             args, path, dir, stem);
    CHECK_EQ_INT(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/%s-ossl.der", dir, stem);
    der = cachet_test_read_file(path, &len);
    CHECK(der != NULL && tr_parts(der, len, &set, &iv, &ct));
    if (der != NULL) {
        CHECK_EQ_INT(tr_recover(set.data, set.len, s, false, NULL, cek, 32, &info, &err),
                     CACHET_OK);
        CHECK(tr_open_with_cek(&iv, &ct, cek, 32, (const uint8_t *)msg, strlen(msg)));
    }
    free(der);
    ours = tr_envelope(set_der, set_len, version, cek_bytes, 32, (const uint8_t *)msg, strlen(msg),
                       &ours_len);
    snprintf(path, sizeof(path), "%s/%s-ours.der", dir, stem);
    CHECK(tr_write_file(path, ours, ours_len));
    snprintf(cmd, sizeof(cmd),
             "openssl cms -decrypt -binary -inform DER %s -in %s -out %s/%s-ours.txt 2>/dev/null",
             args, path, dir, stem);
    CHECK_EQ_INT(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/%s-ours.txt", dir, stem);
    pt = cachet_test_read_file(path, &pt_len);
    CHECK(pt != NULL);
    if (pt != NULL) {
        CHECK_MEM(pt, pt_len, msg, strlen(msg));
    }
    free(pt);
    cachet_free(ours);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

#endif
