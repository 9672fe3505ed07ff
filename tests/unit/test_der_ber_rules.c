/* cachet_ber_skel rules on hand-made inputs: every case gives the same status,
 * offset and path whether fed whole, byte by byte or in random chunks. */
#include <stdlib.h>

#include "der/der.h"
#include "testlib.h"

typedef struct outcome {
    cachet_status status;
    cachet_error err;
    uint8_t der[512];
    size_t der_len;
    uint8_t bulk[512];
    size_t bulk_len;
    int ends;
    size_t bulk_depth; /* is_bulk fires at this depth (SIZE_MAX: never) */
    cachet_asn1_tag bulk_tag;
    cachet_status data_status; /* what on_bulk_data returns */
} outcome;

static bool pick(void *arg, const cachet_asn1_tag *path, const size_t *index, size_t depth) {
    const outcome *o = arg;
    (void)index;
    return depth == o->bulk_depth && path[depth] == o->bulk_tag;
}

static cachet_status data_cb(void *arg, const uint8_t *data, size_t len) {
    outcome *o = arg;
    if (o->data_status != CACHET_OK) {
        return o->data_status;
    }
    if (o->bulk_len + len <= sizeof(o->bulk)) {
        memcpy(o->bulk + o->bulk_len, data, len);
    }
    o->bulk_len += len;
    return CACHET_OK;
}

static cachet_status end_cb(void *arg) {
    outcome *o = arg;
    o->ends++;
    return CACHET_OK;
}

/* feed runs one parse; chunk 0 = whole, 1 = byte by byte, else random with that seed. */
static void feed(const uint8_t *in, size_t len, const cachet_ber_limits *limits, uint32_t chunk,
                 outcome *o) {
    cachet_ber_skel_callbacks cb = {pick, NULL, data_cb, end_cb, o};
    cachet_ber_skel *skel = cachet_ber_skel_new(&cb, limits);
    CHECK(skel != NULL);
    cachet_err_clear(&o->err);
    o->der_len = o->bulk_len = 0;
    o->ends = 0;
    cachet_status st = CACHET_OK;
    for (size_t off = 0; st == CACHET_OK && off < len;) {
        size_t n = len - off;
        if (chunk == 1) {
            n = 1;
        } else if (chunk > 1) {
            size_t r = 1 + cachet_test_rand(&chunk) % 7;
            n = r < n ? r : n;
        }
        st = cachet_ber_skel_update(skel, in + off, n, &o->err);
        off += n;
    }
    if (st == CACHET_OK) {
        st = cachet_ber_skel_finish(skel, &o->err);
    }
    o->status = st;
    cachet_cbs der;
    if (st == CACHET_OK && cachet_ber_skel_der(skel, &der) && der.len <= sizeof(o->der)) {
        memcpy(o->der, der.data, der.len);
        o->der_len = der.len;
    }
    /* Sticky: a later update fails the same way. */
    if (st != CACHET_OK) {
        cachet_error again;
        cachet_err_clear(&again);
        CHECK_EQ_INT(cachet_ber_skel_update(skel, (const uint8_t *)"\x30\x00", 2, &again), st);
    }
    cachet_ber_skel_free(skel);
}

/* feed_all runs the three chunkings and checks they agree; |o| holds the whole run. */
static void feed_all(const uint8_t *in, size_t len, const cachet_ber_limits *limits, outcome *o) {
    outcome *other = malloc(sizeof(*other));
    feed(in, len, limits, 0, o);
    for (uint32_t chunk = 1; chunk < 6; chunk++) {
        *other = *o;
        feed(in, len, limits, chunk * 1000003u, other);
        if (chunk == 1) {
            feed(in, len, limits, 1, other);
        }
        CHECK_EQ_INT(other->status, o->status);
        CHECK_EQ_INT(other->err.offset, o->err.offset);
        CHECK_STR(other->err.where, o->err.where);
        CHECK_MEM(other->der, other->der_len, o->der, o->der_len);
        CHECK_MEM(other->bulk, other->bulk_len, o->bulk, o->bulk_len);
        CHECK_EQ_INT(other->ends, o->ends);
    }
    free(other);
}

typedef struct rule_case {
    const char *name;
    const char *hex;
    cachet_status status;
    long long offset;    /* for failures */
    const char *der_hex; /* for successes */
} rule_case;

static size_t unhex(const char *hex, uint8_t *out, size_t cap) {
    size_t n = 0;
    for (const char *p = hex; p[0] != '\0' && p[1] != '\0' && n < cap;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        unsigned v;
        sscanf(p, "%2x", &v);
        out[n++] = (uint8_t)v;
        p += 2;
    }
    return n;
}

static const rule_case rule_cases[] = {
    {"non-minimal BER length is normalised", "04 81 01 aa", CACHET_OK, 0, "04 01 aa"},
    {"indefinite sequence becomes definite", "30 80 05 00 00 00", CACHET_OK, 0, "30 02 05 00"},
    {"constructed string is flattened", "24 80 04 01 61 24 80 04 01 62 00 00 04 00 00 00",
     CACHET_OK, 0, "04 02 61 62"},
    {"definite constructed string is flattened", "24 06 04 01 61 04 01 62", CACHET_OK, 0,
     "04 02 61 62"},
    {"constructed UTF8String keeps its tag", "2c 80 0c 01 61 00 00", CACHET_OK, 0, "0c 01 61"},
    {"long lengths are rebuilt", "30 81 03 02 01 05", CACHET_OK, 0, "30 03 02 01 05"},
    {"empty ContentInfo{signedData} parses", "30 0b 06 09 2a 86 48 86 f7 0d 01 07 02", CACHET_OK, 0,
     "30 0b 06 09 2a 86 48 86 f7 0d 01 07 02"},
    {"indefinite primitive", "04 80 00 00", CACHET_ERR_MALFORMED, 0, NULL},
    {"EOC in a definite element", "30 02 00 00", CACHET_ERR_MALFORMED, 2, NULL},
    {"EOC at top level", "00 00", CACHET_ERR_MALFORMED, 0, NULL},
    {"EOC with a length", "30 80 00 01 00", CACHET_ERR_MALFORMED, 2, NULL},
    {"child overruns parent", "30 03 04 02 aa bb", CACHET_ERR_MALFORMED, 2, NULL},
    {"child header crosses parent end", "30 01 04 01 aa", CACHET_ERR_MALFORMED, 3, NULL},
    {"indefinite child not closed in definite parent", "30 04 30 80 05 00 00 00",
     CACHET_ERR_MALFORMED, 6, NULL},
    {"trailing bytes", "30 00 00", CACHET_ERR_MALFORMED, 2, NULL},
    {"truncated indefinite", "30 80 04 01 aa", CACHET_ERR_MALFORMED, 5, NULL},
    {"truncated length", "04 82 01", CACHET_ERR_MALFORMED, 3, NULL},
    {"empty input", "", CACHET_ERR_MALFORMED, 0, NULL},
    {"wrong segment tag", "24 80 0c 01 61 00 00", CACHET_ERR_MALFORMED, 2, NULL},
    {"constructed INTEGER", "22 03 02 01 01", CACHET_ERR_MALFORMED, 0, NULL},
    {"constructed BIT STRING", "23 04 03 02 00 01", CACHET_ERR_MALFORMED, 0, NULL},
    {"primitive SEQUENCE", "10 00", CACHET_ERR_MALFORMED, 0, NULL},
    /* fuzz regression: BER->DER output must pass cachet_der_validate */
    {"primitive EXTERNAL", "30 81 08 9f 81 48 01 42 08 01 ff", CACHET_ERR_MALFORMED, 8, NULL},
    {"context tags may be either form", "30 81 07 9f 81 48 01 42 a1 00", CACHET_OK, 0,
     "30 07 9f 81 48 01 42 a1 00"},
    {"high tag in low range", "1f 1e 00", CACHET_ERR_MALFORMED, 0, NULL},
    {"high tag leading 0x80", "9f 80 1f 00", CACHET_ERR_MALFORMED, 0, NULL},
    {"nine length bytes", "04 89 00 00 00 00 00 00 00 00 01 aa", CACHET_ERR_MALFORMED, 0, NULL},
    {"reserved length 0xff", "04 ff", CACHET_ERR_MALFORMED, 0, NULL},
    {"4 GiB primitive", "04 84 ff ff ff ff 00 00", CACHET_ERR_LIMIT, 0, NULL},
    {"2^32 length inside a parent", "30 0c 04 88 00 00 00 01 00 00 00 00 01 02",
     CACHET_ERR_MALFORMED, 2, NULL},
    {"huge definite SEQUENCE then EOF", "30 84 7f ff ff ff 05 00", CACHET_ERR_MALFORMED, 8, NULL},
};

static void rules_table(void) {
    cachet_ber_limits limits = {4096, 16, 4};
    for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
        const rule_case *c = &rule_cases[i];
        uint8_t in[64];
        size_t len = unhex(c->hex, in, sizeof(in));
        outcome *o = calloc(1, sizeof(*o));
        o->bulk_depth = SIZE_MAX;
        feed_all(in, len, &limits, o);
        bool ok = o->status == c->status;
        if (c->status == CACHET_OK) {
            uint8_t want[64];
            size_t want_len = unhex(c->der_hex, want, sizeof(want));
            ok = ok && cachet_test_mem_eq(o->der, o->der_len, want, want_len);
            CHECK_MEM(o->der, o->der_len, want, want_len);
        } else {
            ok = ok && o->err.offset == c->offset;
            CHECK_EQ_INT(o->err.offset, c->offset);
        }
        if (!ok) {
            fprintf(stderr, "case \"%s\": status %d (%s) at %lld in %s\n", c->name, o->status,
                    o->err.message, o->err.offset, o->err.where);
        }
        CHECK_EQ_INT(o->status, c->status);
        free(o);
    }
}

static void where_names_the_path_to_the_bad_element(void) {
    /* SEQUENCE { OID, [0] { SEQUENCE { INTEGER, SET {}, constructed INTEGER } } } */
    uint8_t in[64];
    size_t len = unhex("30 80 06 01 2a a0 80 30 80 02 01 01 31 00 22 03 02 01 01", in, 64);
    cachet_ber_limits limits = {4096, 16, 4};
    outcome *o = calloc(1, sizeof(*o));
    o->bulk_depth = SIZE_MAX;
    feed_all(in, len, &limits, o);
    CHECK_EQ_INT(o->status, CACHET_ERR_MALFORMED);
    CHECK_EQ_INT(o->err.offset, 14);
    CHECK_STR(o->err.where, "SEQUENCE.[0][1].SEQUENCE[0].INTEGER[2]");
    free(o);
}

/* nested builds |levels| nested elements with |cons| tags around a 04 00, each
 * indefinite (or definite) and returns the length. */
static size_t nested(uint8_t *out, size_t levels, uint8_t cons, bool indefinite, uint8_t leaf) {
    size_t n = 0;
    if (indefinite) {
        for (size_t i = 0; i < levels; i++) {
            out[n++] = cons;
            out[n++] = 0x80;
        }
        out[n++] = leaf;
        out[n++] = 0x00;
        for (size_t i = 0; i < levels; i++) {
            out[n++] = 0;
            out[n++] = 0;
        }
        return n;
    }
    /* Definite: inner lengths are 2 + 2*depth below, all < 128 for these tests. */
    for (size_t i = 0; i < levels; i++) {
        out[n++] = cons;
        out[n++] = (uint8_t)(2 * (levels - i));
    }
    out[n++] = leaf;
    out[n++] = 0x00;
    return n;
}

static void depth_limit_allows_exactly_max_depth(void) {
    cachet_ber_limits limits = {4096, 20, 4};
    for (int indefinite = 0; indefinite < 2; indefinite++) {
        uint8_t in[200];
        outcome *o = calloc(1, sizeof(*o));
        o->bulk_depth = SIZE_MAX;
        /* 19 SEQUENCEs + the NULL leaf = 20 levels. */
        size_t len = nested(in, 19, 0x30, indefinite, 0x05);
        feed_all(in, len, &limits, o);
        CHECK_EQ_INT(o->status, CACHET_OK);
        CHECK(cachet_der_validate(o->der, o->der_len, 20));
        CHECK(!cachet_der_validate(o->der, o->der_len, 19));
        len = nested(in, 20, 0x30, indefinite, 0x05);
        feed_all(in, len, &limits, o);
        CHECK_EQ_INT(o->status, CACHET_ERR_LIMIT);
        CHECK_EQ_INT(o->err.offset, 40);
        free(o);
    }
}

static void deep_nesting_fails_fast_with_bounded_path(void) {
    size_t levels = 100000;
    uint8_t *in = malloc(4 * levels + 2);
    size_t len = nested(in, levels, 0x30, true, 0x05);
    cachet_ber_limits limits = {1u << 20, 64, 4};
    uint8_t *out = NULL;
    size_t out_len = 0;
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_ber_to_der(in, len, &limits, &out, &out_len, &err), CACHET_ERR_LIMIT);
    CHECK(out == NULL);
    CHECK(strlen(err.where) < sizeof(err.where) - 1);
    CHECK_STR(err.where, "SEQUENCE.SEQUENCE[0].(57 levels).SEQUENCE[0].SEQUENCE[0].SEQUENCE[0]."
                         "SEQUENCE[0].SEQUENCE[0]");
    free(in);
}

static void string_nesting_limit_pa06(void) {
    cachet_ber_limits limits = {4096, 64, 4};
    static const size_t depths[] = {4, 5, 6, 7, 10, 1000};
    uint8_t *in = malloc(4 * 1000 + 4);
    for (int bulk = 0; bulk < 2; bulk++) {
        for (size_t i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
            size_t len = nested(in, depths[i], 0x24, true, 0x04);
            outcome *o = calloc(1, sizeof(*o));
            o->bulk_depth = bulk ? 0 : SIZE_MAX;
            o->bulk_tag = CACHET_ASN1_OCTETSTRING | CACHET_ASN1_CONSTRUCTED;
            cachet_ber_limits big = {4096, 2000, 4};
            feed_all(in, len, depths[i] > 60 ? &big : &limits, o);
            if (depths[i] <= 4) {
                CHECK_EQ_INT(o->status, CACHET_OK);
                CHECK_MEM(o->der, o->der_len, "\x04\x00", 2);
                CHECK_EQ_INT(o->ends, bulk ? 1 : 0);
            } else {
                CHECK_EQ_INT(o->status, CACHET_ERR_LIMIT);
                CHECK_EQ_INT(o->err.offset, 8); /* the fifth constructed level */
            }
            free(o);
        }
    }
    free(in);
}

static void skeleton_limit_is_enforced(void) {
    uint8_t in[300];
    /* SEQUENCE { OCTET STRING (100 bytes), OCTET STRING (100 bytes) }: 206 bytes of DER */
    size_t n = 0;
    in[n++] = 0x30;
    in[n++] = 0x80;
    for (int k = 0; k < 2; k++) {
        in[n++] = 0x04;
        in[n++] = 100;
        memset(in + n, 0x11 * (k + 1), 100);
        n += 100;
    }
    in[n++] = 0;
    in[n++] = 0;
    outcome *o = calloc(1, sizeof(*o));
    o->bulk_depth = SIZE_MAX;
    cachet_ber_limits exact = {207, 8, 4}, under = {206, 8, 4};
    feed_all(in, n, &exact, o);
    CHECK_EQ_INT(o->status, CACHET_OK);
    CHECK_EQ_INT(o->der_len, 207);
    feed_all(in, n, &under, o);
    CHECK_EQ_INT(o->status, CACHET_ERR_LIMIT);
    /* A streamed bulk never counts against the skeleton. */
    o->bulk_depth = 1;
    o->bulk_tag = CACHET_ASN1_OCTETSTRING;
    cachet_ber_limits small = {110, 8, 4};
    feed_all(in, n, &small, o);
    CHECK_EQ_INT(o->status, CACHET_OK);
    CHECK_EQ_INT(o->bulk_len, 100);
    CHECK_EQ_INT(o->der_len, 2 + 2 + 102);
    free(o);
}

static void implicit_ctx0_bulk_takes_octet_string_segments(void) {
    uint8_t in[64];
    /* SEQUENCE { OID, [0] IMPLICIT constructed { 04 "ab", 04 "", 24 { 04 "c" } } } */
    size_t len = unhex("30 80 06 01 2a a0 80 04 02 61 62 04 00 24 80 04 01 63 00 00 00 00 00 00",
                       in, sizeof(in));
    outcome *o = calloc(1, sizeof(*o));
    o->bulk_depth = 1;
    o->bulk_tag = CACHET_ASN1_CONTEXT_CONS(0);
    cachet_ber_limits limits = {4096, 16, 4};
    feed_all(in, len, &limits, o);
    CHECK_EQ_INT(o->status, CACHET_OK);
    CHECK_MEM(o->bulk, o->bulk_len, "abc", 3);
    CHECK_EQ_INT(o->ends, 1);
    CHECK_MEM(o->der, o->der_len, "\x30\x05\x06\x01\x2a\x80\x00", 7);
    /* A segment that is not an OCTET STRING is refused. */
    len = unhex("30 80 06 01 2a a0 80 0c 01 61 00 00 00 00", in, sizeof(in));
    feed_all(in, len, &limits, o);
    CHECK_EQ_INT(o->status, CACHET_ERR_MALFORMED);
    CHECK_EQ_INT(o->err.offset, 7);
    /* Only a string may be streamed: a constructed SEQUENCE bulk is refused. */
    len = unhex("30 80 30 80 00 00 00 00", in, sizeof(in));
    o->bulk_tag = CACHET_ASN1_SEQUENCE;
    feed_all(in, len, &limits, o);
    CHECK_EQ_INT(o->status, CACHET_ERR_MALFORMED);
    CHECK_EQ_INT(o->err.offset, 2);
    free(o);
}

/* fuzz regression: a bulk refused before it began is not reported as seen. */
static void refused_bulk_is_not_seen(void) {
    outcome *o = calloc(1, sizeof(*o));
    o->bulk_depth = 0;
    o->bulk_tag = CACHET_ASN1_SEQUENCE;
    cachet_ber_skel_callbacks cb = {pick, NULL, data_cb, end_cb, o};
    cachet_ber_skel *skel = cachet_ber_skel_new(&cb, NULL);
    uint64_t n = 99;
    CHECK_EQ_INT(cachet_ber_skel_update(skel, (const uint8_t *)"\x30\x80", 2, NULL),
                 CACHET_ERR_MALFORMED);
    CHECK(!cachet_ber_skel_bulk_seen(skel, &n));
    CHECK_EQ_INT(n, 0);
    cachet_ber_skel_free(skel);
    /* A primitive non-string (EMBEDDED PDV, INTEGER) is not streamed either. */
    static const cachet_asn1_tag prims[] = {0x0b, CACHET_ASN1_INTEGER};
    for (size_t i = 0; i < 2; i++) {
        o->bulk_tag = prims[i];
        uint8_t in[2] = {(uint8_t)prims[i], 0x00};
        feed_all(in, 2, NULL, o);
        CHECK_EQ_INT(o->status, CACHET_ERR_MALFORMED);
        CHECK_EQ_INT(o->ends, 0);
    }
    free(o);
}

static void callback_failure_stops_parsing(void) {
    uint8_t in[16];
    size_t len = unhex("30 06 04 04 61 62 63 64", in, sizeof(in));
    outcome *o = calloc(1, sizeof(*o));
    o->bulk_depth = 1;
    o->bulk_tag = CACHET_ASN1_OCTETSTRING;
    o->data_status = CACHET_ERR_IO;
    cachet_ber_limits limits = {4096, 16, 4};
    feed_all(in, len, &limits, o);
    CHECK_EQ_INT(o->status, CACHET_ERR_IO);
    CHECK_EQ_INT(o->err.offset, 4);
    free(o);
}

static void partial_is_unavailable_without_bulk(void) {
    cachet_ber_skel *skel = cachet_ber_skel_new(NULL, NULL);
    cachet_cbs c;
    CHECK(!cachet_ber_skel_partial(skel, 0, &c));
    CHECK(!cachet_ber_skel_der(skel, &c));
    CHECK(!cachet_ber_skel_done(skel));
    CHECK_EQ_INT(cachet_ber_skel_update(skel, (const uint8_t *)"\x30\x00", 2, NULL), CACHET_OK);
    CHECK(cachet_ber_skel_done(skel));
    CHECK_EQ_INT(cachet_ber_skel_offset(skel), 2);
    CHECK(!cachet_ber_skel_bulk_seen(skel, NULL));
    CHECK_EQ_INT(cachet_ber_skel_finish(skel, NULL), CACHET_OK);
    CHECK(cachet_ber_skel_der(skel, &c));
    CHECK(cachet_cbs_mem_equal(&c, (const uint8_t *)"\x30\x00", 2));
    cachet_ber_skel_free(skel);
    cachet_ber_skel_free(NULL);
}

/* ATTACKS.md PA-01: the 13-byte ContentInfo{signedData} without [0] is well-formed
 * BER (CMS rejects it), and every truncation of it fails cleanly. */
static void empty_content_info_and_its_truncations(void) {
    uint8_t in[16];
    size_t len = unhex("30 0b 06 09 2a 86 48 86 f7 0d 01 07 02", in, sizeof(in));
    outcome *o = calloc(1, sizeof(*o));
    o->bulk_depth = SIZE_MAX;
    for (size_t cut = 0; cut <= len; cut++) {
        feed_all(in, cut, NULL, o);
        CHECK_EQ_INT(o->status, cut == len ? CACHET_OK : CACHET_ERR_MALFORMED);
        if (cut < len) {
            CHECK_EQ_INT(o->err.offset, cut);
        }
    }
    CHECK_MEM(o->der, o->der_len, in, len);
    free(o);
}

static const cachet_test_case tests[] = {
    TEST_CASE(empty_content_info_and_its_truncations),
    TEST_CASE(rules_table),
    TEST_CASE(where_names_the_path_to_the_bad_element),
    TEST_CASE(depth_limit_allows_exactly_max_depth),
    TEST_CASE(deep_nesting_fails_fast_with_bounded_path),
    TEST_CASE(string_nesting_limit_pa06),
    TEST_CASE(skeleton_limit_is_enforced),
    TEST_CASE(implicit_ctx0_bulk_takes_octet_string_segments),
    TEST_CASE(refused_bulk_is_not_seen),
    TEST_CASE(callback_failure_stops_parsing),
    TEST_CASE(partial_is_unavailable_without_bulk),
};
TEST_MAIN(tests)
