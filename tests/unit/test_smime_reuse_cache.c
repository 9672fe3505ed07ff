/* The per-message work taken out of the loop for many small messages (issue
 * 6), proved by behaviour: a memo of parsed certificates (crypto/cert_cache.c,
 * one per context) gives the same object for the same bytes and never for
 * other bytes, is bounded, is safe under threads, and is what a context hands
 * the CMS verifier; without one every parse is new; a certificate's public key
 * is decoded once; EC points checked with OpenSSL's quick check are still refused when
 * invalid, and ECDH still agrees. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "base/base.h"
#include "cms/signed.h"
#include "crypto/crypto.h"
#include "smime/internal.h"
#include "testlib.h"

/* More distinct certificates than the memo holds. */
#define MANY 200
/* Certificates shared by the threads: more than the memo holds, so that
 * they evict each other's while they read. */
#define THREAD_CERTS 160

static EVP_PKEY *test_key;

static EVP_PKEY *key(void) {
    if (test_key == NULL) {
        test_key = EVP_EC_gen("P-256");
        CHECK(test_key != NULL);
    }
    return test_key;
}

/* make_der: a self-signed certificate with serial |serial| and, when
 * |comment_len| > 0, a Netscape comment of that many bytes (to make it big). */
static uint8_t *make_der(long serial, size_t comment_len, size_t *out_len) {
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"memo", -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, name);
    X509_NAME_free(name);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key());
    if (comment_len > 0) {
        char *text = malloc(comment_len + 1);
        memset(text, 'c', comment_len);
        text[comment_len] = '\0';
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, NID_netscape_comment, text);
        CHECK(e != NULL && X509_add_ext(x, e, -1) == 1);
        X509_EXTENSION_free(e);
        free(text);
    }
    CHECK(X509_sign(x, key(), EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    X509_free(x);
    CHECK(n > 0);
    uint8_t *copy = malloc((size_t)n);
    memcpy(copy, der, (size_t)n);
    OPENSSL_free(der);
    *out_len = (size_t)n;
    return copy;
}

/* the memo of the test at hand (each test makes its own) */
static cachet_cert_cache *memo;

static cachet_cert *parse(const uint8_t *der, size_t len) {
    cachet_cert *c = NULL;
    CHECK_EQ_INT(cachet_cert_parse_cached(memo, der, len, &c, NULL), CACHET_OK);
    if (c != NULL) {
        size_t got = 0;
        const uint8_t *d = cachet_cert_der(c, &got);
        CHECK_MEM(d, got, der, len);
    }
    return c;
}

static void same_bytes_give_the_same_certificate(void) {
    size_t len = 0;
    uint8_t *der = make_der(1001, 0, &len);
    uint8_t *copy = malloc(len);
    memcpy(copy, der, len);
    cachet_cert *a = parse(der, len);
    cachet_cert *b = parse(copy, len); /* other memory, same bytes */
    CHECK(a != NULL && a == b);
    uint8_t ha[32], hb[32];
    cachet_cert_sha256(a, ha);
    cachet_cert_sha256(b, hb);
    CHECK_MEM(ha, 32, hb, 32);
    uint8_t want[32];
    CHECK(cachet_md_oneshot(CACHET_MD_SHA256, der, len, want));
    CHECK_MEM(ha, 32, want, 32);
    cachet_cert_free(a);
    cachet_cert_free(b);
    free(der);
    free(copy);
}

static void different_bytes_give_different_certificates(void) {
    size_t l1 = 0, l2 = 0;
    uint8_t *d1 = make_der(2001, 0, &l1);
    uint8_t *d2 = make_der(2002, 0, &l2);
    cachet_cert *c1 = parse(d1, l1);
    cachet_cert *c2 = parse(d2, l2);
    CHECK(c1 != NULL && c2 != NULL && c1 != c2);
    /* the same certificate but for the last byte of its signature: parsed
     * apart (a memo keyed by anything less than every byte would confuse them) */
    d1[l1 - 1] ^= 0x01;
    cachet_cert *c3 = parse(d1, l1);
    CHECK(c3 != NULL && c3 != c1);
    size_t n1 = 0, n3 = 0;
    const uint8_t *s1 = cachet_cert_serial_der(c1, &n1);
    const uint8_t *s3 = cachet_cert_serial_der(c3, &n3);
    CHECK_MEM(s1, n1, s3, n3);
    cachet_cert_free(c1);
    cachet_cert_free(c2);
    cachet_cert_free(c3);
    free(d1);
    free(d2);
}

/* The memo is bounded: after many other certificates the first is parsed
 * anew (a new object), while the last one parsed is still remembered. */
static void the_least_recently_used_is_forgotten(void) {
    uint8_t *ders[MANY];
    size_t lens[MANY];
    cachet_cert *held[MANY];
    for (int i = 0; i < MANY; i++) {
        ders[i] = make_der(3000 + i, 0, &lens[i]);
        held[i] = parse(ders[i], lens[i]); /* a reference kept: no address reuse */
    }
    cachet_cert *first = parse(ders[0], lens[0]);
    CHECK(first != NULL && first != held[0]);
    cachet_cert *last = parse(ders[MANY - 1], lens[MANY - 1]);
    CHECK(last != NULL && last == held[MANY - 1]);
    cachet_cert_free(first);
    cachet_cert_free(last);
    for (int i = 0; i < MANY; i++) {
        cachet_cert_free(held[i]);
        free(ders[i]);
    }
}

static void large_certificates_are_parsed_every_time(void) {
    size_t len = 0;
    uint8_t *der = make_der(4001, 12000, &len);
    CHECK(len > 12000);
    cachet_cert *a = parse(der, len);
    cachet_cert *b = parse(der, len);
    CHECK(a != NULL && b != NULL && a != b);
    cachet_cert_free(a);
    cachet_cert_free(b);
    free(der);
}

/* An allocation failure in a parse leaves nothing half-made in the memo: the
 * next parse of the same bytes gives a complete certificate. */
static void allocation_failures_leave_no_partial_certificate(void) {
    for (unsigned long n = 1; n <= 10; n++) {
        size_t len = 0;
        uint8_t *der = make_der(5000 + (long)n, 0, &len);
        cachet_cert *c = NULL;
        cachet_alloc_fail_after(n);
        cachet_status st = cachet_cert_parse_cached(memo, der, len, &c, NULL);
        cachet_alloc_fail_after(0);
        CHECK(st == CACHET_OK || st == CACHET_ERR_NOMEM);
        CHECK((st == CACHET_OK) == (c != NULL));
        cachet_cert_free(c);
        c = parse(der, len);
        cachet_pkey *pub = c != NULL ? cachet_cert_pkey(c) : NULL;
        size_t il = 0, sl = 0;
        CHECK(pub != NULL && cachet_pkey_type(pub) == CACHET_KEY_EC);
        CHECK(c != NULL && cachet_cert_issuer_der(c, &il) != NULL && il > 0);
        CHECK(c != NULL && cachet_cert_serial_der(c, &sl) != NULL && sl > 0);
        cachet_pkey_free(pub);
        cachet_cert_free(c);
        free(der);
    }
}

/* Without a memo (cms/ used directly, as most tests do) every parse decodes
 * the bytes anew; two memos never share objects; a certificate outlives the
 * memo that handed it out. */
static void without_a_memo_every_parse_is_new(void) {
    size_t len = 0;
    uint8_t *der = make_der(8001, 0, &len);
    cachet_cert *a = NULL, *b = NULL, *c = NULL;
    CHECK_EQ_INT(cachet_cert_parse(der, len, &a, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_cert_parse(der, len, &b, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_cert_parse_cached(NULL, der, len, &c, NULL), CACHET_OK);
    CHECK(a != NULL && b != NULL && c != NULL && a != b && b != c && a != c);
    cachet_cert_free(a);
    cachet_cert_free(b);
    cachet_cert_free(c);
    cachet_cert_cache *m1 = cachet_cert_cache_new();
    cachet_cert_cache *m2 = cachet_cert_cache_new();
    CHECK(m1 != NULL && m2 != NULL);
    cachet_cert *x1 = NULL, *x2 = NULL, *y1 = NULL;
    CHECK_EQ_INT(cachet_cert_parse_cached(m1, der, len, &x1, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_cert_parse_cached(m1, der, len, &x2, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_cert_parse_cached(m2, der, len, &y1, NULL), CACHET_OK);
    CHECK(x1 != NULL && x1 == x2 && y1 != NULL && y1 != x1);
    cachet_cert_cache_free(m1);
    cachet_cert_cache_free(m2);
    cachet_cert_cache_free(NULL);
    size_t got = 0;
    const uint8_t *d = cachet_cert_der(x1, &got);
    CHECK_MEM(d, got, der, len);
    cachet_cert_free(x1);
    cachet_cert_free(x2);
    cachet_cert_free(y1);
    free(der);
}

/* signed_data: an OpenSSL SignedData over "memo" carrying the certificate
 * |der| (signed with key()). */
static uint8_t *signed_data(const uint8_t *der, size_t len, size_t *out_len) {
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    BIO *in = BIO_new_mem_buf("memo", 4);
    CHECK(x != NULL && in != NULL);
    CMS_ContentInfo *cms = CMS_sign(x, key(), NULL, in, CMS_BINARY);
    CHECK(cms != NULL);
    unsigned char *out = NULL;
    int n = i2d_CMS_ContentInfo(cms, &out);
    CHECK(n > 0);
    uint8_t *copy = malloc((size_t)n);
    memcpy(copy, out, (size_t)n);
    *out_len = (size_t)n;
    OPENSSL_free(out);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    X509_free(x);
    return copy;
}

/* carried_cert: the first certificate the verifier read from |cms| under
 * |policy| (a new reference). */
static cachet_cert *carried_cert(const cachet_cms_policy *policy, const uint8_t *cms, size_t len) {
    cachet_error err;
    cachet_err_clear(&err);
    cachet_cms_verify *v = cachet_cms_verify_new(policy, NULL, NULL, &err);
    CHECK(v != NULL);
    cachet_layer_report layer;
    memset(&layer, 0, sizeof(layer));
    CHECK_EQ_INT(cachet_cms_verify_update(v, cms, len, &err), CACHET_OK);
    cachet_cms_verify_finish(v, &layer, &err);
    const cachet_cert_list *certs = cachet_cms_verify_certs(v);
    CHECK(certs != NULL && certs->num == 1);
    cachet_cert *c = certs != NULL && certs->num == 1 ? cachet_cert_up_ref(certs->certs[0]) : NULL;
    cachet_cms_layer_report_clear(&layer);
    cachet_cms_verify_free(v);
    return c;
}

/* A context makes its own memo and hands it to the CMS verifier through its
 * policy: the certificate a message carries is the one parsed before through
 * that context, never another context's, and a new one with no memo. */
static void the_context_memo_serves_its_verifications(void) {
    size_t len = 0, cms_len = 0;
    uint8_t *der = make_der(9001, 0, &len);
    uint8_t *cms = signed_data(der, len, &cms_len);
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_ctx *other = cachet_ctx_new();
    CHECK(ctx != NULL && other != NULL);
    cachet_cms_policy pol = cachet_ctx_cms_policy(ctx);
    cachet_cms_policy pol_other = cachet_ctx_cms_policy(other);
    CHECK(pol.cert_cache != NULL && pol_other.cert_cache != NULL &&
          pol.cert_cache != pol_other.cert_cache);
    cachet_cert *known = NULL;
    CHECK_EQ_INT(cachet_cert_parse_cached(pol.cert_cache, der, len, &known, NULL), CACHET_OK);
    cachet_cert *first = carried_cert(&pol, cms, cms_len);
    cachet_cert *second = carried_cert(&pol, cms, cms_len);
    cachet_cert *elsewhere = carried_cert(&pol_other, cms, cms_len);
    pol.cert_cache = NULL;
    cachet_cert *unmemoised = carried_cert(&pol, cms, cms_len);
    CHECK(known != NULL && first == known && second == known);
    CHECK(elsewhere != NULL && elsewhere != known);
    CHECK(unmemoised != NULL && unmemoised != known && unmemoised != elsewhere);
    size_t got = 0;
    const uint8_t *d = cachet_cert_der(unmemoised, &got);
    CHECK_MEM(d, got, der, len);
    cachet_ctx_free(ctx);
    cachet_ctx_free(other);
    /* the references the verifications handed out outlive both contexts */
    d = cachet_cert_der(first, &got);
    CHECK_MEM(d, got, der, len);
    cachet_cert_free(known);
    cachet_cert_free(first);
    cachet_cert_free(second);
    cachet_cert_free(elsewhere);
    cachet_cert_free(unmemoised);
    free(cms);
    free(der);
}

typedef struct thread_arg {
    uint8_t **ders;
    size_t *lens;
    unsigned seed;
    int bad;
} thread_arg;

static void *parse_many(void *p) {
    thread_arg *t = p;
    uint32_t state = t->seed;
    for (int i = 0; i < 600; i++) {
        size_t k = cachet_test_rand(&state) % THREAD_CERTS;
        cachet_cert *c = NULL;
        if (cachet_cert_parse_cached(memo, t->ders[k], t->lens[k], &c, NULL) != CACHET_OK) {
            t->bad++;
            continue;
        }
        size_t len = 0;
        const uint8_t *d = cachet_cert_der(c, &len);
        cachet_pkey *pub = cachet_cert_pkey(c);
        if (len != t->lens[k] || memcmp(d, t->ders[k], len) != 0 || pub == NULL ||
            cachet_pkey_curve(pub) != CACHET_CURVE_P256) {
            t->bad++;
        }
        cachet_pkey_free(pub);
        cachet_cert_free(c);
    }
    return NULL;
}

/* Threads parsing and evicting at once each get the certificate of their own
 * bytes (the sanitizer build checks the reference counting). */
static void threads_share_the_memo_safely(void) {
    uint8_t *ders[THREAD_CERTS];
    size_t lens[THREAD_CERTS];
    for (int i = 0; i < THREAD_CERTS; i++) {
        ders[i] = make_der(6000 + i, 0, &lens[i]);
    }
    pthread_t th[4];
    thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){ders, lens, 17u + (unsigned)i * 101u, 0};
        CHECK_EQ_INT(pthread_create(&th[i], NULL, parse_many, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(args[i].bad, 0);
    }
    for (int i = 0; i < THREAD_CERTS; i++) {
        free(ders[i]);
    }
}

/* The public key of a certificate is decoded when the certificate is parsed
 * and handed out by reference afterwards; its type and curve are right. */
static void certificate_public_key_is_decoded_once(void) {
    size_t len = 0;
    uint8_t *der = make_der(7001, 0, &len);
    cachet_cert *c = parse(der, len);
    cachet_pkey *p1 = cachet_cert_pkey(c);
    cachet_pkey *p2 = cachet_cert_pkey(c);
    CHECK(p1 != NULL && p1 == p2);
    CHECK_EQ_INT(cachet_pkey_type(p1), CACHET_KEY_EC);
    CHECK_EQ_INT(cachet_pkey_curve(p1), CACHET_CURVE_P256);
    CHECK_EQ_INT(cachet_pkey_bits(p1), 256);
    cachet_pkey_free(p1);
    cachet_pkey_free(p2);
    cachet_cert_free(c);
    free(der);
    static const struct {
        const char *spec;
        cachet_key_type type;
        cachet_curve curve;
    } keys[] = {
        {"rsa:2048", CACHET_KEY_RSA, CACHET_CURVE_NONE},
        {"ec:P-384", CACHET_KEY_EC, CACHET_CURVE_P384},
        {"ec:P-521", CACHET_KEY_EC, CACHET_CURVE_P521},
        {"ed25519", CACHET_KEY_ED25519, CACHET_CURVE_NONE},
        {"x448", CACHET_KEY_X448, CACHET_CURVE_NONE},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        cachet_pkey *k = NULL;
        CHECK_EQ_INT(cachet_pkey_generate(keys[i].spec, &k, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_pkey_type(k), keys[i].type);
        CHECK_EQ_INT(cachet_pkey_curve(k), keys[i].curve);
        cachet_pkey_free(k);
    }
}

/* The quick point check (on the curve, not infinity, coordinates in range)
 * still refuses bad points; every supported curve has cofactor 1, so the
 * order check it leaves out could never fail. ECDH still agrees both ways. */
static void ec_points_are_still_checked_and_ecdh_agrees(void) {
    static const cachet_curve curves[] = {CACHET_CURVE_P256, CACHET_CURVE_P384, CACHET_CURVE_P521};
    for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
        cachet_pkey *a = NULL, *b = NULL, *a_pub = NULL, *b_pub = NULL, *bad = NULL;
        CHECK_EQ_INT(cachet_pkey_generate_ec(curves[i], &a, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_pkey_generate_ec(curves[i], &b, NULL), CACHET_OK);
        cachet_membuf pa = {0}, pb = {0}, s1 = {0}, s2 = {0};
        CHECK(cachet_pkey_ec_point(a, &pa) && cachet_pkey_ec_point(b, &pb));
        CHECK_EQ_INT(cachet_pkey_from_ec_point(curves[i], pa.data, pa.len, &a_pub, NULL),
                     CACHET_OK);
        CHECK_EQ_INT(cachet_pkey_from_ec_point(curves[i], pb.data, pb.len, &b_pub, NULL),
                     CACHET_OK);
        CHECK_EQ_INT(cachet_pkey_curve(a), curves[i]);
        CHECK_EQ_INT(cachet_pkey_curve(a_pub), curves[i]);
        CHECK(cachet_pkey_matches(a, a_pub) && !cachet_pkey_matches(a, b_pub));
        CHECK_EQ_INT(cachet_ecdh(a, b_pub, &s1, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_ecdh(b, a_pub, &s2, NULL), CACHET_OK);
        CHECK(s1.len > 0);
        CHECK_MEM(s1.data, s1.len, s2.data, s2.len);
        /* off the curve: y changed */
        pa.data[pa.len - 1] ^= 0x01;
        CHECK_EQ_INT(cachet_pkey_from_ec_point(curves[i], pa.data, pa.len, &bad, NULL),
                     CACHET_ERR_MALFORMED);
        /* (0, 0): not on any of these curves */
        memset(pa.data + 1, 0, pa.len - 1);
        CHECK_EQ_INT(cachet_pkey_from_ec_point(curves[i], pa.data, pa.len, &bad, NULL),
                     CACHET_ERR_MALFORMED);
        /* x = all ones: at least the field prime, out of range */
        memset(pa.data + 1, 0xff, (pa.len - 1) / 2);
        CHECK_EQ_INT(cachet_pkey_from_ec_point(curves[i], pa.data, pa.len, &bad, NULL),
                     CACHET_ERR_MALFORMED);
        CHECK(bad == NULL);
        cachet_membuf_free(&pa);
        cachet_membuf_free(&pb);
        cachet_membuf_free(&s1);
        cachet_membuf_free(&s2);
        cachet_pkey_free(a);
        cachet_pkey_free(b);
        cachet_pkey_free(a_pub);
        cachet_pkey_free(b_pub);
    }
}

static void *hash_many(void *p) {
    int *bad = p;
    static const uint8_t abc_sha256[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                           0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                           0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                           0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    for (int i = 0; i < 2000; i++) {
        uint8_t out[32];
        if (!cachet_md_oneshot(CACHET_MD_SHA256, "abc", 3, out) || memcmp(out, abc_sha256, 32)) {
            (*bad)++;
        }
    }
    return NULL;
}

/* Digests fetched once per process serve threads hashing at once. */
static void prefetched_digests_serve_threads(void) {
    pthread_t th[4];
    int bad[4] = {0};
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(pthread_create(&th[i], NULL, hash_many, &bad[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(bad[i], 0);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(same_bytes_give_the_same_certificate),
    TEST_CASE(different_bytes_give_different_certificates),
    TEST_CASE(the_least_recently_used_is_forgotten),
    TEST_CASE(large_certificates_are_parsed_every_time),
    TEST_CASE(allocation_failures_leave_no_partial_certificate),
    TEST_CASE(threads_share_the_memo_safely),
    TEST_CASE(without_a_memo_every_parse_is_new),
    TEST_CASE(the_context_memo_serves_its_verifications),
    TEST_CASE(certificate_public_key_is_decoded_once),
    TEST_CASE(ec_points_are_still_checked_and_ecdh_agrees),
    TEST_CASE(prefetched_digests_serve_threads),
};

int main(int argc, char **argv) {
    memo = cachet_cert_cache_new();
    CHECK(memo != NULL);
    int rc = cachet_test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
    cachet_cert_cache_free(memo);
    EVP_PKEY_free(test_key);
    return rc;
}
