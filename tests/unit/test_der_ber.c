/* cachet_ber_skel on real CMS files: the same skeleton and events whatever the
 * chunking, cachet_ber_to_der equal to OpenSSL's re-encoding, and the eContent
 * streamed as bulk with an empty OCTET STRING left in its place. */
#include <dirent.h>
#include <stdlib.h>

#include <openssl/cms.h>

#include "der/der.h"
#include "testlib.h"

typedef enum feed_mode { FEED_WHOLE, FEED_BYTES, FEED_RANDOM } feed_mode;

typedef struct run_result {
    cachet_status status;
    cachet_error err;
    uint8_t *der;
    size_t der_len;
    uint8_t bulk[4096];
    size_t bulk_len;
    size_t max_bulk_call;
    int begins, ends;
    uint8_t partial[6][256];
    size_t partial_len[6];
    bool partial_ok[6];
    bool bulk_seen;
    uint64_t bulk_count;
    /* what the is_bulk selector wants */
    bool want_bulk;
    cachet_ber_skel *skel;
} run_result;

/* The eContent/encryptedContent: the first OCTET STRING directly inside a [0]. */
static bool pick_octets_in_ctx0(void *arg, const cachet_asn1_tag *path, const size_t *index,
                                size_t depth) {
    run_result *r = arg;
    (void)index;
    return r->want_bulk && depth >= 1 &&
           (path[depth] & ~CACHET_ASN1_CONSTRUCTED) == CACHET_ASN1_OCTETSTRING &&
           path[depth - 1] == CACHET_ASN1_CONTEXT_CONS(0);
}

static cachet_status on_begin(void *arg, cachet_ber_skel *skel) {
    run_result *r = arg;
    r->begins++;
    for (size_t d = 0; d < 6; d++) {
        cachet_cbs c;
        r->partial_ok[d] = cachet_ber_skel_partial(skel, d, &c);
        if (r->partial_ok[d] && c.len <= sizeof(r->partial[d])) {
            memcpy(r->partial[d], c.data, c.len);
            r->partial_len[d] = c.len;
        }
    }
    return CACHET_OK;
}

static cachet_status on_data(void *arg, const uint8_t *data, size_t len) {
    run_result *r = arg;
    if (len > r->max_bulk_call) {
        r->max_bulk_call = len;
    }
    if (r->bulk_len + len > sizeof(r->bulk)) {
        return CACHET_ERR_LIMIT;
    }
    memcpy(r->bulk + r->bulk_len, data, len);
    r->bulk_len += len;
    return CACHET_OK;
}

static cachet_status on_end(void *arg) {
    run_result *r = arg;
    r->ends++;
    return CACHET_OK;
}

static void run(const uint8_t *in, size_t len, feed_mode mode, uint32_t seed, bool bulk,
                run_result *r) {
    memset(r, 0, sizeof(*r));
    r->want_bulk = bulk;
    cachet_err_clear(&r->err);
    cachet_ber_skel_callbacks cb = {pick_octets_in_ctx0, on_begin, on_data, on_end, r};
    cachet_ber_limits limits = {1u << 20, 64, 4};
    cachet_ber_skel *skel = cachet_ber_skel_new(&cb, &limits);
    CHECK(skel != NULL);
    size_t off = 0;
    cachet_status st = CACHET_OK;
    while (st == CACHET_OK && off < len) {
        size_t n = len - off;
        if (mode == FEED_BYTES) {
            n = 1;
        } else if (mode == FEED_RANDOM) {
            size_t want = 1 + cachet_test_rand(&seed) % 97;
            n = want < n ? want : n;
        }
        st = cachet_ber_skel_update(skel, in + off, n, &r->err);
        off += n;
    }
    if (st == CACHET_OK) {
        st = cachet_ber_skel_finish(skel, &r->err);
    }
    r->status = st;
    cachet_cbs der;
    if (st == CACHET_OK && cachet_ber_skel_der(skel, &der)) {
        r->der = malloc(der.len);
        memcpy(r->der, der.data, der.len);
        r->der_len = der.len;
    }
    r->bulk_seen = cachet_ber_skel_bulk_seen(skel, &r->bulk_count);
    cachet_ber_skel_free(skel);
}

static void same_result(const run_result *a, const run_result *b) {
    CHECK_EQ_INT(a->status, b->status);
    CHECK_EQ_INT(a->err.offset, b->err.offset);
    CHECK_STR(a->err.where, b->err.where);
    CHECK_MEM(a->der, a->der_len, b->der, b->der_len);
    CHECK_MEM(a->bulk, a->bulk_len, b->bulk, b->bulk_len);
    CHECK_EQ_INT(a->begins, b->begins);
    CHECK_EQ_INT(a->ends, b->ends);
    for (size_t d = 0; d < 6; d++) {
        CHECK(a->partial_ok[d] == b->partial_ok[d]);
        CHECK_MEM(a->partial[d], a->partial_len[d], b->partial[d], b->partial_len[d]);
    }
}

/* for_each_bin calls |fn| for every .bin file in rfc4134-bcjava and returns the count. */
static int for_each_bin(void (*fn)(const char *name, const uint8_t *data, size_t len)) {
    const char *dir = cachet_test_vector_path("rfc4134-bcjava");
    char dirname[4096];
    snprintf(dirname, sizeof(dirname), "%s", dir);
    DIR *d = opendir(dirname);
    CHECK(d != NULL);
    if (d == NULL) {
        return 0;
    }
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".bin") != 0 ||
            strcmp(e->d_name, "ExContent.bin") == 0) {
            continue;
        }
        char path[4096 + 300];
        snprintf(path, sizeof(path), "%.4000s/%.255s", dirname, e->d_name);
        size_t len = 0;
        uint8_t *data = cachet_test_read_file(path, &len);
        CHECK(data != NULL);
        if (data != NULL) {
            fn(e->d_name, data, len);
            free(data);
            count++;
        }
    }
    closedir(d);
    return count;
}

static void check_chunking(const char *name, const uint8_t *data, size_t len) {
    for (int bulk = 0; bulk < 2; bulk++) {
        run_result *whole = malloc(sizeof(*whole)), *other = malloc(sizeof(*other));
        run(data, len, FEED_WHOLE, 0, bulk, whole);
        if (whole->status != CACHET_OK) {
            fprintf(stderr, "%s: %s at %lld in %s\n", name, whole->err.message, whole->err.offset,
                    whole->err.where);
        }
        CHECK_EQ_INT(whole->status, CACHET_OK);
        CHECK(cachet_der_validate(whole->der, whole->der_len, 64));
        run(data, len, FEED_BYTES, 0, bulk, other);
        same_result(whole, other);
        CHECK(other->max_bulk_call <= 1);
        free(other->der);
        for (uint32_t seed = 1; seed <= 5; seed++) {
            run(data, len, FEED_RANDOM, seed * 7919, bulk, other);
            same_result(whole, other);
            free(other->der);
        }
        free(whole->der);
        free(whole);
        free(other);
    }
}

static void vectors_give_same_skeleton_for_any_chunking(void) {
    CHECK(for_each_bin(check_chunking) >= 15);
}

static int openssl_compared;

static void check_against_openssl(const char *name, const uint8_t *data, size_t len) {
    const unsigned char *p = data;
    CMS_ContentInfo *ci = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    uint8_t *ours = NULL;
    size_t ours_len = 0;
    cachet_error err;
    cachet_err_clear(&err);
    cachet_status st = cachet_ber_to_der(data, len, NULL, &ours, &ours_len, &err);
    CHECK_EQ_INT(st, CACHET_OK);
    if (ci != NULL) {
        unsigned char *theirs = NULL;
        int n = i2d_CMS_ContentInfo(ci, &theirs);
        CHECK(n > 0);
        if (!cachet_test_mem_eq(ours, ours_len, theirs, (size_t)n)) {
            fprintf(stderr, "%s: cachet_ber_to_der differs from OpenSSL\n", name);
        }
        CHECK_MEM(ours, ours_len, theirs, (size_t)n);
        OPENSSL_free(theirs);
        CMS_ContentInfo_free(ci);
        openssl_compared++;
    }
    /* DER in, same DER out; and normalising again changes nothing. */
    uint8_t *again = NULL;
    size_t again_len = 0;
    CHECK_EQ_INT(cachet_ber_to_der(ours, ours_len, NULL, &again, &again_len, &err), CACHET_OK);
    CHECK_MEM(again, again_len, ours, ours_len);
    if (cachet_der_validate(data, len, 64)) {
        CHECK_MEM(ours, ours_len, data, len);
    }
    cachet_free(ours);
    cachet_free(again);
}

static void ber_to_der_equals_openssl_reencoding(void) {
    openssl_compared = 0;
    CHECK(for_each_bin(check_against_openssl) >= 15);
    CHECK(openssl_compared >= 15);
}

static uint8_t *read_vector(const char *rel, size_t *len) {
    uint8_t *data = cachet_test_read_file(cachet_test_vector_path(rel), len);
    CHECK(data != NULL);
    return data;
}

static const char sample[] = "This is some sample content.";

/* enter walks |c| into the contents of the next element with |tag|. */
static bool enter(cachet_cbs *c, cachet_asn1_tag tag) {
    cachet_cbs inner;
    if (!cachet_cbs_get_asn1(c, &inner, tag)) {
        return false;
    }
    *c = inner;
    return true;
}

static void bulk_econtent_of_3_1_is_streamed(void) {
    size_t len;
    uint8_t *data = read_vector("rfc4134-bcjava/3.1.bin", &len);
    if (data == NULL) {
        return;
    }
    for (feed_mode mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        run_result *r = malloc(sizeof(*r));
        run(data, len, mode, 42, true, r);
        CHECK_EQ_INT(r->status, CACHET_OK);
        CHECK_MEM(r->bulk, r->bulk_len, sample, strlen(sample));
        CHECK(r->bulk_seen);
        CHECK_EQ_INT(r->bulk_count, strlen(sample));
        CHECK_EQ_INT(r->begins, 1);
        CHECK_EQ_INT(r->ends, 1);
        /* ContentInfo { id-data, [0] { OCTET STRING (empty) } } */
        const uint8_t want[] = {0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                0x0d, 0x01, 0x07, 0x01, 0xa0, 0x02, 0x04, 0x00};
        CHECK_MEM(r->der, r->der_len, want, sizeof(want));
        CHECK(r->partial_ok[0]);
        CHECK_MEM(r->partial[0], r->partial_len[0], want + 2, 11);
        CHECK(r->partial_ok[1]);
        CHECK_EQ_INT(r->partial_len[1], 0);
        CHECK(!r->partial_ok[2]);
        free(r->der);
        free(r);
    }
    free(data);
}

static void bulk_econtent_of_4_5_is_streamed(void) {
    size_t len;
    uint8_t *data = read_vector("rfc4134-bcjava/4.5.bin", &len);
    if (data == NULL) {
        return;
    }
    uint8_t *full = NULL;
    size_t full_len = 0;
    CHECK_EQ_INT(cachet_ber_to_der(data, len, NULL, &full, &full_len, NULL), CACHET_OK);
    for (feed_mode mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
        run_result *r = malloc(sizeof(*r));
        run(data, len, mode, 4242, true, r);
        CHECK_EQ_INT(r->status, CACHET_OK);
        CHECK_MEM(r->bulk, r->bulk_len, sample, strlen(sample));
        CHECK_EQ_INT(r->begins, 1);
        CHECK_EQ_INT(r->ends, 1);
        /* SignedData's version and digestAlgorithms are complete at bulk begin. */
        const uint8_t sd_head[] = {0x02, 0x01, 0x01, 0x31, 0x0b, 0x30, 0x09, 0x06,
                                   0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00};
        CHECK(r->partial_ok[2]);
        CHECK_MEM(r->partial[2], r->partial_len[2], sd_head, sizeof(sd_head));
        const uint8_t data_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                    0xf7, 0x0d, 0x01, 0x07, 0x01};
        CHECK(r->partial_ok[3]);
        CHECK_MEM(r->partial[3], r->partial_len[3], data_oid, sizeof(data_oid));
        CHECK(r->partial_ok[4]);
        CHECK_EQ_INT(r->partial_len[4], 0);
        CHECK(!r->partial_ok[5]);

        /* Skeleton: eContent is an empty OCTET STRING, everything after it is as in
         * the full normalisation. */
        cachet_cbs sk, fu, eci_sk, eci_fu;
        cachet_cbs_init(&sk, r->der, r->der_len);
        cachet_cbs_init(&fu, full, full_len);
        CHECK(enter(&sk, CACHET_ASN1_SEQUENCE) && cachet_cbs_skip(&sk, 11) &&
              enter(&sk, CACHET_ASN1_CONTEXT_CONS(0)) && enter(&sk, CACHET_ASN1_SEQUENCE));
        CHECK(enter(&fu, CACHET_ASN1_SEQUENCE) && cachet_cbs_skip(&fu, 11) &&
              enter(&fu, CACHET_ASN1_CONTEXT_CONS(0)) && enter(&fu, CACHET_ASN1_SEQUENCE));
        for (int i = 0; i < 2; i++) {
            CHECK(cachet_cbs_get_any_asn1_element(&sk, NULL, NULL, NULL));
            CHECK(cachet_cbs_get_any_asn1_element(&fu, NULL, NULL, NULL));
        }
        CHECK(cachet_cbs_get_asn1(&sk, &eci_sk, CACHET_ASN1_SEQUENCE));
        CHECK(cachet_cbs_get_asn1(&fu, &eci_fu, CACHET_ASN1_SEQUENCE));
        CHECK(cachet_cbs_skip(&eci_sk, 11));
        const uint8_t empty_ctx[] = {0xa0, 0x02, 0x04, 0x00};
        CHECK(cachet_cbs_mem_equal(&eci_sk, empty_ctx, sizeof(empty_ctx)));
        CHECK_MEM(sk.data, sk.len, fu.data, fu.len);
        free(r->der);
        free(r);
    }
    cachet_free(full);
    free(data);
}

static void der_signed_data_4_2_streams_primitive_econtent(void) {
    size_t len;
    uint8_t *data = read_vector("rfc4134-bcjava/4.2.bin", &len);
    if (data == NULL) {
        return;
    }
    run_result *r = malloc(sizeof(*r));
    run(data, len, FEED_BYTES, 0, true, r);
    CHECK_EQ_INT(r->status, CACHET_OK);
    CHECK_MEM(r->bulk, r->bulk_len, sample, strlen(sample));
    /* 28 content bytes leave the skeleton; every enclosing length shrinks by 28. */
    CHECK_EQ_INT(r->der_len, len - 28);
    free(r->der);
    free(r);
    free(data);
}

static void truncated_vectors_always_fail_cleanly(void) {
    static const char *const names[] = {"rfc4134-bcjava/4.5.bin", "rfc4134-bcjava/4.2.bin",
                                        "rfc4134-bcjava/3.1.bin"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t len;
        uint8_t *data = read_vector(names[i], &len);
        if (data == NULL) {
            continue;
        }
        for (size_t cut = 0; cut < len; cut++) {
            run_result *r = malloc(sizeof(*r));
            run(data, cut, FEED_WHOLE, 0, true, r);
            CHECK_EQ_INT(r->status, CACHET_ERR_MALFORMED);
            CHECK_EQ_INT(r->err.offset, cut);
            CHECK(r->der == NULL);
            free(r);
        }
        free(data);
    }
}

static void allocation_failures_are_clean(void) {
    size_t len;
    uint8_t *data = read_vector("rfc4134-bcjava/4.5.bin", &len);
    if (data == NULL) {
        return;
    }
    int nomem = 0;
    for (unsigned long n = 1; n < 40; n++) {
        uint8_t *out = NULL;
        size_t out_len = 0;
        cachet_alloc_fail_after(n);
        cachet_status st = cachet_ber_to_der(data, len, NULL, &out, &out_len, NULL);
        cachet_alloc_fail_after(0);
        CHECK(st == CACHET_OK || st == CACHET_ERR_NOMEM);
        nomem += st == CACHET_ERR_NOMEM;
        cachet_free(out);
    }
    CHECK(nomem > 0);
    free(data);
}

static const cachet_test_case tests[] = {
    TEST_CASE(vectors_give_same_skeleton_for_any_chunking),
    TEST_CASE(ber_to_der_equals_openssl_reencoding),
    TEST_CASE(bulk_econtent_of_3_1_is_streamed),
    TEST_CASE(bulk_econtent_of_4_5_is_streamed),
    TEST_CASE(der_signed_data_4_2_streams_primitive_econtent),
    TEST_CASE(truncated_vectors_always_fail_cleanly),
    TEST_CASE(allocation_failures_are_clean),
};
TEST_MAIN(tests)
