/* Helpers for the generator tests (sign, encrypt, compress): fresh keys and
 * certificates made with OpenSSL for each run (so they never expire), feeding an
 * op whole / byte by byte / in random chunks, and OpenSSL's own S/MIME reader
 * as the independent check of what we write. Header-only: each test program
 * includes it once. */
#ifndef CACHET_TEST_SMIME_SIGN_UTIL_H
#define CACHET_TEST_SMIME_SIGN_UTIL_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
/* after pem.h: cms.h declares PEM_read_bio_CMS only when pem.h came first */
#include <openssl/cms.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cachet/cachet.h>

#include "testlib.h"

typedef struct gen_id {
    EVP_PKEY *key;
    X509 *cert;
    char cert_path[64];
    char key_path[64];
    cachet_credential *cred;
} gen_id;

static inline bool gen_add_ext(X509 *x, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL) {
        return false;
    }
    bool ok = X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

static inline bool gen_write_pem(char *path, size_t path_len, X509 *cert, EVP_PKEY *key) {
    snprintf(path, path_len, "/tmp/cachet-test-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        return false;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return false;
    }
    bool ok = cert != NULL ? PEM_write_X509(f, cert) == 1
                           : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
    fclose(f);
    return ok;
}

/* gen_identity makes a self-signed S/MIME certificate for |email| with a key of
 * |kind| ("rsa", "rsa1024", "p256", "p384", "ed25519") and loads it as a
 * cachet credential. */
static inline bool gen_identity(gen_id *id, const char *kind, const char *email) {
    memset(id, 0, sizeof(*id));
    if (strcmp(kind, "rsa") == 0) {
        id->key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    } else if (strcmp(kind, "p256") == 0) {
        id->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    } else if (strcmp(kind, "p384") == 0) {
        id->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    } else if (strcmp(kind, "ed25519") == 0) {
        id->key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    }
    if (id->key == NULL) {
        return false;
    }
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(rand() & 0x7fffffff) + 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)email, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, id->key);
    char san[128];
    snprintf(san, sizeof(san), "email:%s", email);
    bool is_ec = strncmp(kind, "p", 1) == 0;
    bool ok = gen_add_ext(x, NID_subject_alt_name, san) &&
              gen_add_ext(x, NID_key_usage,
                          is_ec ? "critical,digitalSignature,keyAgreement"
                                : "critical,digitalSignature,keyEncipherment") &&
              gen_add_ext(x, NID_ext_key_usage, "emailProtection") &&
              gen_add_ext(x, NID_subject_key_identifier, "hash") &&
              X509_sign(x, id->key, strcmp(kind, "ed25519") == 0 ? NULL : EVP_sha256()) > 0;
    id->cert = x;
    ok = ok && gen_write_pem(id->cert_path, sizeof(id->cert_path), x, NULL) &&
         gen_write_pem(id->key_path, sizeof(id->key_path), NULL, id->key);
    cachet_error err;
    ok = ok &&
         cachet_credential_load(id->cert_path, id->key_path, NULL, &id->cred, &err) == CACHET_OK;
    if (!ok) {
        fprintf(stderr, "gen_identity(%s) failed\n", kind);
    }
    return ok;
}

static inline void gen_identity_free(gen_id *id) {
    cachet_credential_free(id->cred);
    X509_free(id->cert);
    EVP_PKEY_free(id->key);
    if (id->cert_path[0] != '\0') {
        unlink(id->cert_path);
    }
    if (id->key_path[0] != '\0') {
        unlink(id->key_path);
    }
    memset(id, 0, sizeof(*id));
}

enum { FEED_WHOLE, FEED_BYTES, FEED_RANDOM };

/* gen_feed pushes |in| into |op| in the given chunking and finishes it. */
static inline cachet_status gen_feed(cachet_op *op, const char *in, size_t len, int mode,
                                     uint32_t *seed) {
    const uint8_t *p = (const uint8_t *)in;
    size_t i = 0;
    while (i < len) {
        size_t n = len - i;
        if (mode == FEED_BYTES) {
            n = 1;
        } else if (mode == FEED_RANDOM) {
            size_t r = 1 + cachet_test_rand(seed) % 97;
            n = r < n ? r : n;
        }
        cachet_status st = cachet_op_update(op, p + i, n);
        if (st != CACHET_OK) {
            cachet_op_finish(op, NULL);
            return st;
        }
        i += n;
    }
    return cachet_op_finish(op, NULL);
}

/* A NUL-terminated copy of a membuf, for string checks. */
static inline char *gen_str(const cachet_membuf *b) {
    char *s = malloc(b->len + 1);
    memcpy(s, b->data, b->len);
    s[b->len] = '\0';
    return s;
}

/* ossl_read: OpenSSL's S/MIME reader on our message (NULL if it refuses). */
static inline CMS_ContentInfo *ossl_read(const cachet_membuf *msg, BIO **detached) {
    BIO *in = BIO_new_mem_buf(msg->data, (int)msg->len);
    CMS_ContentInfo *cms = SMIME_read_CMS(in, detached);
    BIO_free(in);
    return cms;
}

/* bio_take copies what a memory BIO holds into |out| (malloc'd, NUL-terminated). */
static inline size_t bio_take(BIO *b, char **out) {
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    *out = malloc((size_t)n + 1);
    memcpy(*out, p, (size_t)n);
    (*out)[n] = '\0';
    return (size_t)n;
}

/* ossl_verify: CMS_verify with |trust| as the only anchor; the verified content
 * goes to |content| (malloc'd). */
static inline bool ossl_verify(CMS_ContentInfo *cms, BIO *detached, X509 *trust, char **content,
                               size_t *content_len) {
    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, trust);
    BIO *out = BIO_new(BIO_s_mem());
    bool ok = CMS_verify(cms, NULL, store, detached, out, CMS_BINARY) == 1;
    if (ok) {
        *content_len = bio_take(out, content);
    }
    BIO_free(out);
    X509_STORE_free(store);
    return ok;
}

/* sign_msg runs a sign op over |in| fed in |mode| with the context time |at|. */
static inline cachet_status sign_msg(const char *in, size_t len, const cachet_sign_opts *o,
                                     int mode, int64_t at, cachet_membuf *out, cachet_error *err) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_ctx_set_time(ctx, at);
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_sign_new(ctx, o, &sink, err);
    cachet_status st = err->status;
    if (op != NULL) {
        uint32_t seed = 12345;
        st = gen_feed(op, in, len, mode, &seed);
        *err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    cachet_ctx_free(ctx);
    return st;
}

static inline cachet_status sign_str(const char *in, const cachet_sign_opts *o, cachet_membuf *out,
                                     cachet_error *err) {
    return sign_msg(in, strlen(in), o, FEED_WHOLE, 0, out, err);
}

/* verified_content: OpenSSL reads our S/MIME message and verifies it against
 * |trust|; returns the signed content (malloc'd) or NULL. */
static inline char *verified_content(const cachet_membuf *msg, X509 *trust, size_t *len) {
    BIO *detached = NULL;
    CMS_ContentInfo *cms = ossl_read(msg, &detached);
    char *content = NULL;
    if (cms == NULL || !ossl_verify(cms, detached, trust, &content, len)) {
        content = NULL;
    }
    CMS_ContentInfo_free(cms);
    BIO_free(detached);
    return content;
}

/* part1 returns the first body part of a multipart/signed message we wrote
 * (malloc'd): between the first delimiter line and the CRLF before the next. */
static inline char *part1(const char *msg) {
    const char *b = strstr(msg, "boundary=\"");
    if (b == NULL) {
        return NULL;
    }
    b += 10;
    size_t blen = strcspn(b, "\"");
    char delim[96];
    snprintf(delim, sizeof(delim), "\r\n--%.*s", (int)blen, b);
    const char *start = strstr(msg, delim + 2);
    start = start != NULL ? strstr(start, "\r\n") : NULL;
    if (start == NULL) {
        return NULL;
    }
    start += 2;
    const char *end = strstr(start, delim);
    if (end == NULL) {
        return NULL;
    }
    char *p = malloc((size_t)(end - start) + 1);
    memcpy(p, start, (size_t)(end - start));
    p[end - start] = '\0';
    return p;
}

#endif
