/* Helpers for test_smime_lookup.c (header-only, included once): a test PKI
 * made with OpenSSL around a fixed time, a temporary SQLite store with a
 * context using it, and the operations driven over it. */
#ifndef CACHET_TEST_SMIME_LOOKUP_UTIL_H
#define CACHET_TEST_SMIME_LOOKUP_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
/* after pem.h: cms.h declares PEM_read_bio_CMS only when pem.h came first */
#include <openssl/cms.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cachet/cachet.h>
#include <cachet/store.h>

#include "smime/internal.h"
#include "testlib.h"

#define DAY 86400
/* 2026-06-01T00:00:00Z */
#define NOW ((int64_t)1780272000)

/* ---- Test PKI ---- */

typedef struct party {
    EVP_PKEY *key;
    X509 *x;
    cachet_cert *cert;
} party;

static party ca, other_ca;
static bool cas_ready;

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value) {
    X509V3_CTX c;
    X509V3_set_ctx(&c, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &c, nid, value);
    if (ext == NULL) {
        fprintf(stderr, "extension %d=%s failed\n", nid, value);
        abort();
    }
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
}

typedef struct spec {
    const char *email; /* NULL: a CA */
    const char *kind;  /* "rsa" or "ec" */
    const char *ku;    /* NULL: the usual one for the key type */
    int64_t not_before, not_after;
    const party *issuer; /* NULL: self-signed */
    const char *org;     /* a CA's O= (two CAs must not even share a name) */
} spec;

static party make(const spec *s) {
    static long serial = 100;
    party p = {0};
    p.key = strcmp(s->kind, "ec") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                                       : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)s->not_before);
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)s->not_after);
    X509_NAME *name = X509_NAME_new();
    const char *cn = s->email != NULL ? s->email : "lookup test CA";
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    if (s->issuer == NULL) {
        /* distinct CA names so that the wrong CA is not even a name match */
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)s->org, -1, -1,
                                   0);
    }
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, s->issuer != NULL ? X509_get_subject_name(s->issuer->x) : name);
    X509_NAME_free(name);
    X509_set_pubkey(x, p.key);
    X509 *issuer = s->issuer != NULL ? s->issuer->x : x;
    add_ext(x, issuer, NID_subject_key_identifier, "hash");
    if (s->email == NULL) {
        add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        char san[160];
        snprintf(san, sizeof(san), "email:%s", s->email);
        const char *ku = s->ku != NULL                ? s->ku
                         : strcmp(s->kind, "ec") == 0 ? "critical,digitalSignature,keyAgreement"
                                                      : "critical,digitalSignature,keyEncipherment";
        add_ext(x, issuer, NID_authority_key_identifier, "keyid");
        add_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
        add_ext(x, issuer, NID_key_usage, ku);
        add_ext(x, issuer, NID_ext_key_usage, "emailProtection");
        add_ext(x, issuer, NID_subject_alt_name, san);
    }
    if (X509_sign(x, s->issuer != NULL ? s->issuer->key : p.key, EVP_sha256()) <= 0) {
        fprintf(stderr, "X509_sign failed\n");
        abort();
    }
    p.x = x;
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    if (cachet_cert_parse(der, (size_t)len, &p.cert, NULL) != CACHET_OK) {
        abort();
    }
    OPENSSL_free(der);
    return p;
}

static void party_free(party *p) {
    EVP_PKEY_free(p->key);
    X509_free(p->x);
    cachet_cert_free(p->cert);
    memset(p, 0, sizeof(*p));
}

/* leaf: a certificate for |email| from the main CA, valid [nb, na]. */
static party leaf(const char *email, const char *kind, const char *ku, int64_t nb, int64_t na) {
    spec s = {email, kind, ku, nb, na, &ca, NULL};
    return make(&s);
}

static party valid_leaf(const char *email, const char *kind) {
    return leaf(email, kind, NULL, NOW - 30 * DAY, NOW + 365 * DAY);
}

static void setup_cas(void) {
    if (cas_ready) {
        return;
    }
    spec s = {NULL, "rsa", NULL, NOW - 3650 * DAY, NOW + 3650 * DAY, NULL, "main"};
    ca = make(&s);
    spec o = {NULL, "rsa", NULL, NOW - 3650 * DAY, NOW + 3650 * DAY, NULL, "other"};
    other_ca = make(&o);
    cas_ready = true;
}

static cachet_credential *credential(const party *p) {
    cachet_credential *c = cachet_calloc(1, sizeof(*c));
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, p->key, NULL, NULL, 0, NULL, NULL);
    char *pem = NULL;
    long n = BIO_get_mem_data(b, &pem);
    CHECK_EQ_INT(cachet_pkey_load_private((const uint8_t *)pem, (size_t)n, NULL, &c->key, NULL),
                 CACHET_OK);
    BIO_free(b);
    c->cert = cachet_cert_up_ref(p->cert);
    return c;
}

static uint8_t *find(uint8_t *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; hay != NULL && i + n <= len; i++) {
        if (memcmp(hay + i, needle, n) == 0) {
            return hay + i;
        }
    }
    return NULL;
}

static bool same(const cachet_cert *a, const cachet_cert *b) {
    uint8_t ha[32], hb[32];
    cachet_cert_sha256(a, ha);
    cachet_cert_sha256(b, hb);
    return memcmp(ha, hb, 32) == 0;
}

static void ymd(int64_t t, char *out, size_t len) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, len, "%Y-%m-%d", &tm);
}

/* ---- A store and a context using it ---- */

typedef struct fixture {
    char dir[64];
    char path[96];
    cachet_store *st;
    cachet_ctx *ctx;
} fixture;

static void put(fixture *f, const cachet_cert *c, cachet_db_origin origin) {
    cachet_db_cert rec;
    memset(&rec, 0, sizeof(rec));
    cachet_error e;
    cachet_err_clear(&e);
    CHECK_EQ_INT(cachet_pki_cert_record(c, origin, &rec, &e), CACHET_OK);
    CHECK_EQ_INT(cachet_db_put_cert(f->st->db, &rec, NULL, &e), CACHET_OK);
    cachet_db_cert_clear(&rec);
}

/* fx_open: a fresh store holding the main CA as anchor (|anchor|), and a
 * context at NOW using it. */
static bool fx_open(fixture *f, bool anchor) {
    setup_cas();
    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cachet-lookup-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        CHECK(false);
        return false;
    }
    snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
    cachet_error e;
    cachet_err_clear(&e);
    cachet_status st = cachet_store_open(f->path, &f->st, &e);
    if (st != CACHET_OK) {
        fprintf(stderr, "store open: %s\n", e.message);
    }
    CHECK_EQ_INT(st, CACHET_OK);
    if (st != CACHET_OK) {
        return false;
    }
    if (anchor) {
        put(f, ca.cert, CACHET_DB_ANCHOR);
    }
    f->ctx = cachet_ctx_new();
    cachet_ctx_set_time(f->ctx, NOW);
    CHECK_EQ_INT(cachet_ctx_use_store(f->ctx, f->st), CACHET_OK);
    return true;
}

/* fx_trust_ca_file: the main CA as a trust file of the context (not in the
 * store), so that what the store lacks about it shows. */
static __attribute__((unused)) void fx_trust_ca_file(fixture *f) {
    char ca_path[96];
    snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", f->dir);
    FILE *fp = fopen(ca_path, "w");
    CHECK(fp != NULL);
    if (fp != NULL) {
        PEM_write_X509(fp, ca.x);
        fclose(fp);
    }
    CHECK_EQ_INT(cachet_ctx_add_trust_file(f->ctx, ca_path), CACHET_OK);
}

static void fx_close(fixture *f) {
    cachet_ctx_free(f->ctx);
    cachet_store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot remove %s\n", f->dir);
    }
}

static cachet_status select_for(fixture *f, const char *addr, cachet_revocation_policy pol,
                                cachet_cert **out, cachet_error *e, char *warning, size_t wlen) {
    cachet_err_clear(e);
    cachet_pki_select_opts o = {
        .trust = f->ctx->trust,
        .now = NOW,
        .revocation = pol,
        .warning = warning,
        .warning_len = wlen,
    };
    return cachet_pki_select_recipient(f->st->db, addr, &o, out, e);
}

/* ---- Operations ---- */

static cachet_status run(cachet_op *op, const cachet_membuf *in, cachet_report **rep) {
    uint32_t seed = 42;
    size_t off = 0;
    cachet_status st = CACHET_OK;
    while (st == CACHET_OK && off < in->len) {
        size_t n = 1 + cachet_test_rand(&seed) % 700;
        n = n < in->len - off ? n : in->len - off;
        st = cachet_op_update(op, in->data + off, n);
        off += n;
    }
    return cachet_op_finish(op, rep);
}

static const char message[] = "From: alice@example.com\r\nTo: bob@example.com\r\n"
                              "Subject: lookup\r\nContent-Type: text/plain\r\n\r\n"
                              "hello from the lookup test\r\n";

static void text(cachet_membuf *b, const char *s) {
    memset(b, 0, sizeof(*b));
    cachet_membuf_append(b, s, strlen(s));
}

static cachet_status encrypt_to(fixture *f, const char *const *addrs, size_t n,
                                cachet_cert *const *certs, size_t nc, bool cipher_auto,
                                cachet_membuf *out, cachet_error *e) {
    cachet_encrypt_opts o = {
        .recipients = certs,
        .num_recipients = nc,
        .cipher = CACHET_CIPHER_CHOICE_AES128_CBC,
        .to_addresses = addrs,
        .num_to_addresses = n,
        .cipher_auto = cipher_auto,
    };
    cachet_err_clear(e);
    memset(out, 0, sizeof(*out));
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_encrypt_new(f->ctx, &o, &sink, e);
    if (op == NULL) {
        return e->status;
    }
    cachet_error warning = *e;
    cachet_membuf in;
    text(&in, message);
    cachet_status st = run(op, &in, NULL);
    if (st != CACHET_OK) {
        *e = *cachet_op_error(op);
    } else {
        *e = warning;
    }
    cachet_op_free(op);
    cachet_membuf_free(&in);
    return st;
}

static cachet_status decrypt_with(fixture *f, const party *p, const cachet_membuf *in) {
    cachet_credential *cred = credential(p);
    cachet_decrypt_opts o = {.cred = cred};
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_op *op = cachet_decrypt_new(f->ctx, &o, &sink, NULL);
    cachet_status st = run(op, in, NULL);
    if (st == CACHET_OK) {
        CHECK(out.len > 0 && find(out.data, out.len, "hello from the lookup test") != NULL);
    }
    cachet_op_free(op);
    cachet_membuf_free(&out);
    cachet_credential_free(cred);
    return st;
}

/* layer_of inspects |msg|: the type and cipher of its outer layer. */
static cachet_layer_type layer_of(fixture *f, const cachet_membuf *msg, char *cipher, size_t len) {
    cachet_op *op = cachet_inspect_new(f->ctx, false, NULL);
    cachet_report *rep = NULL;
    CHECK_EQ_INT(run(op, msg, &rep), CACHET_OK);
    cachet_layer_type t = CACHET_LAYER_COMPRESSED;
    if (rep != NULL && rep->num_layers > 0) {
        t = rep->layers[0].type;
        snprintf(cipher, len, "%s", rep->layers[0].cipher);
    }
    cachet_report_free(rep);
    cachet_op_free(op);
    return t;
}

static cachet_status sign_as(fixture *f, const party *p, const char *msg, cachet_membuf *out) {
    cachet_credential *cred = credential(p);
    cachet_sign_opts o = {.signer = cred};
    memset(out, 0, sizeof(*out));
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_op *op = cachet_sign_new(f->ctx, &o, &sink, NULL);
    cachet_membuf in;
    text(&in, msg);
    cachet_status st = run(op, &in, NULL);
    cachet_op_free(op);
    cachet_membuf_free(&in);
    cachet_credential_free(cred);
    return st;
}

/* ossl_sign: multipart/signed made by OpenSSL's CMS_sign, whose default
 * smimeCapabilities list AES-CBC (and older ciphers) but no GCM. */
static void ossl_sign(const party *p, const char *from, cachet_membuf *out) {
    static const char body[] = "Content-Type: text/plain\r\n\r\nhello from openssl\r\n";
    /* streamed like `openssl cms -sign`: SMIME_write_CMS reads the content */
    BIO *in = BIO_new_mem_buf(body, (int)strlen(body));
    int flags = CMS_DETACHED | CMS_BINARY | CMS_STREAM;
    CMS_ContentInfo *cms = CMS_sign(p->x, p->key, NULL, in, (unsigned)flags);
    CHECK(cms != NULL);
    BIO *o = BIO_new(BIO_s_mem());
    BIO_printf(o, "From: %s\n", from);
    CHECK_EQ_INT(SMIME_write_CMS(o, cms, in, flags), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(o, &data);
    memset(out, 0, sizeof(*out));
    cachet_membuf_append(out, data, (size_t)n);
    BIO_free(o);
    BIO_free(in);
    CMS_ContentInfo_free(cms);
}

static cachet_status verify_harvest(fixture *f, const cachet_membuf *msg, cachet_error *e) {
    cachet_verify_opts o = {.harvest = true};
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_err_clear(e);
    cachet_op *op = cachet_verify_new(f->ctx, &o, &sink, e);
    if (op == NULL) {
        return e->status;
    }
    cachet_status st = run(op, msg, NULL);
    *e = *cachet_op_error(op);
    cachet_op_free(op);
    cachet_membuf_free(&out);
    return st;
}

static size_t stored_for(fixture *f, const char *addr, bool *has_caps) {
    cachet_db_cert *recs = NULL;
    size_t n = 0;
    cachet_error e;
    CHECK_EQ_INT(cachet_db_find_by_email(f->st->db, addr, &recs, &n, &e), CACHET_OK);
    cachet_db_certs_free(recs, n);
    cachet_membuf caps = {0};
    int64_t seen = 0;
    *has_caps = false;
    CHECK_EQ_INT(cachet_db_get_caps(f->st->db, addr, &caps, &seen, has_caps, &e), CACHET_OK);
    cachet_membuf_free(&caps);
    return n;
}

/* make_crl: a CRL of the main CA, current at NOW, revoking |p| since |when|. */
static void make_crl(const party *p, int64_t when, cachet_membuf *out) {
    X509_CRL *crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca.x));
    ASN1_TIME *t = ASN1_TIME_new();
    ASN1_TIME_set(t, (time_t)(NOW - DAY));
    X509_CRL_set1_lastUpdate(crl, t);
    ASN1_TIME_set(t, (time_t)(NOW + 30 * DAY));
    X509_CRL_set1_nextUpdate(crl, t);
    X509_REVOKED *r = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(p->x));
    ASN1_TIME_set(t, (time_t)when);
    X509_REVOKED_set_revocationDate(r, t);
    X509_CRL_add0_revoked(crl, r);
    X509_CRL_sort(crl);
    CHECK(X509_CRL_sign(crl, ca.key, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int len = i2d_X509_CRL(crl, &der);
    memset(out, 0, sizeof(*out));
    cachet_membuf_append(out, der, (size_t)len);
    OPENSSL_free(der);
    ASN1_TIME_free(t);
    X509_CRL_free(crl);
}

#endif
