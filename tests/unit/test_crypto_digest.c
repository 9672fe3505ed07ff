/* Digests, randomness and the X9.63 KDF. */
#include <stdlib.h>

#include "crypto/crypto.h"
#include "testlib.h"

static size_t unhex(uint8_t *out, size_t cap, const char *hex) {
    size_t n = 0;
    for (; hex[0] != '\0' && hex[1] != '\0' && n < cap; hex += 2) {
        unsigned v = 0;
        sscanf(hex, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    return n;
}

static void sha256_of_abc_matches_fips180(void) {
    uint8_t want[32];
    uint8_t got[32];
    unhex(want, sizeof(want), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(cachet_md_oneshot(CACHET_MD_SHA256, "abc", 3, got));
    CHECK_MEM(got, 32, want, 32);
}

static void digest_kats_for_every_algorithm(void) {
    static const struct {
        cachet_md md;
        const char *name;
        const char *hex; /* digest of "abc" */
    } cases[] = {
        {CACHET_MD_MD5, "md5", "900150983cd24fb0d6963f7d28e17f72"},
        {CACHET_MD_SHA1, "sha1", "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {CACHET_MD_SHA224, "sha224", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
        {CACHET_MD_SHA384, "sha384",
         "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca13"
         "4c8"
         "25a7"},
        {CACHET_MD_SHA512, "sha512",
         "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a"
         "3"
         "feebbd454d4423643ce80e2a9ac94fa54ca49f"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t want[CACHET_MD_MAX_SIZE];
        uint8_t got[CACHET_MD_MAX_SIZE];
        size_t n = unhex(want, sizeof(want), cases[i].hex);
        CHECK_EQ_INT(cachet_md_size(cases[i].md), n);
        CHECK_STR(cachet_md_name(cases[i].md), cases[i].name);
        CHECK(cachet_md_oneshot(cases[i].md, "abc", 3, got));
        CHECK_MEM(got, n, want, n);
    }
    CHECK_EQ_INT(cachet_md_size(CACHET_MD_NONE), 0);
}

static void streaming_digest_equals_oneshot_in_random_chunks(void) {
    uint8_t data[5000];
    uint32_t rs = 12345;
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)cachet_test_rand(&rs);
    }
    uint8_t whole[32];
    CHECK(cachet_md_oneshot(CACHET_MD_SHA256, data, sizeof(data), whole));
    for (int mode = 0; mode < 2; mode++) {
        cachet_md_ctx *c = cachet_md_new(CACHET_MD_SHA256, NULL);
        CHECK(c != NULL);
        size_t off = 0;
        while (off < sizeof(data)) {
            size_t n = mode == 0 ? 1 : 1 + cachet_test_rand(&rs) % 300;
            if (n > sizeof(data) - off) {
                n = sizeof(data) - off;
            }
            CHECK(cachet_md_update(c, data + off, n));
            off += n;
        }
        uint8_t got[32];
        CHECK(cachet_md_final(c, got));
        CHECK_MEM(got, 32, whole, 32);
        cachet_md_free(c);
    }
}

static void unknown_digest_is_rejected_with_error(void) {
    cachet_error err;
    cachet_err_clear(&err);
    CHECK(cachet_md_new(CACHET_MD_NONE, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_UNSUPPORTED);
    CHECK(cachet_md_new((cachet_md)99, NULL) == NULL);
    cachet_md_free(NULL);
}

static void random_fills_and_differs(void) {
    uint8_t a[32] = {0};
    uint8_t b[32] = {0};
    CHECK_EQ_INT(cachet_random(a, sizeof(a), NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_random(b, sizeof(b), NULL), CACHET_OK);
    CHECK(memcmp(a, b, sizeof(a)) != 0);
}

/* NIST CAVS X9.63 KDF (SHA-1) vector, as in OpenSSL's evpkdf_x963.txt. */
static void x963_kdf_matches_cavs_vector(void) {
    uint8_t z[24];
    uint8_t info[16];
    uint8_t want[128];
    uint8_t got[128];
    unhex(z, sizeof(z), "fd17198b89ab39c4ab5d7cca363b82f9fd7e23c3984dc8a2");
    unhex(info, sizeof(info), "856a53f3e36a26bbc5792879f307cce2");
    unhex(want, sizeof(want),
          "6e5fad865cb4a51c95209b16df0cc490bc2c9064405c5bccd4ee4832a531fbe7f10cb79e2eab6ab1149fbd5a"
          "23cfdabc41242269c9df22f628c4424333855b64e95e2d4fb8469c669f17176c07d103376b10b384ec5763d8"
          "b8c610409f19aca8eb31f9d85cc61a8d6d4a03d03e5a506b78d6847e93d295ee548c65afedd2efec");
    CHECK(
        cachet_x963_kdf(CACHET_MD_SHA1, z, sizeof(z), info, sizeof(info), got, sizeof(got), NULL));
    CHECK_MEM(got, sizeof(got), want, sizeof(want));
}

/* RFC 5753 §7.2: K(i) = Hash(Z || counter || SharedInfo), counter from 1, big-endian. */
static void x963_kdf_equals_hash_construction(void) {
    uint8_t z[32];
    uint8_t info[40];
    for (size_t i = 0; i < sizeof(z); i++) {
        z[i] = (uint8_t)(i * 7 + 1);
    }
    for (size_t i = 0; i < sizeof(info); i++) {
        info[i] = (uint8_t)(0xa0 + i);
    }
    uint8_t got[48];
    CHECK(cachet_x963_kdf(CACHET_MD_SHA256, z, sizeof(z), info, sizeof(info), got, sizeof(got),
                          NULL));
    uint8_t want[64];
    for (uint8_t counter = 1; counter <= 2; counter++) {
        uint8_t ctr[4] = {0, 0, 0, counter};
        cachet_md_ctx *c = cachet_md_new(CACHET_MD_SHA256, NULL);
        CHECK(c != NULL && cachet_md_update(c, z, sizeof(z)) && cachet_md_update(c, ctr, 4) &&
              cachet_md_update(c, info, sizeof(info)) &&
              cachet_md_final(c, want + 32 * (counter - 1)));
        cachet_md_free(c);
    }
    CHECK_MEM(got, sizeof(got), want, sizeof(got));
}

static void x963_kdf_rejects_bad_arguments(void) {
    uint8_t z[8] = {1};
    uint8_t out[16];
    cachet_error err;
    cachet_err_clear(&err);
    CHECK(!cachet_x963_kdf(CACHET_MD_NONE, z, sizeof(z), NULL, 0, out, sizeof(out), &err));
    CHECK_EQ_INT(err.status, CACHET_ERR_UNSUPPORTED);
    cachet_err_clear(&err);
    CHECK(!cachet_x963_kdf(CACHET_MD_SHA256, z, sizeof(z), NULL, 0, out, 0, &err));
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
}

static const cachet_test_case tests[] = {
    TEST_CASE(sha256_of_abc_matches_fips180),
    TEST_CASE(digest_kats_for_every_algorithm),
    TEST_CASE(streaming_digest_equals_oneshot_in_random_chunks),
    TEST_CASE(unknown_digest_is_rejected_with_error),
    TEST_CASE(random_fills_and_differs),
    TEST_CASE(x963_kdf_matches_cavs_vector),
    TEST_CASE(x963_kdf_equals_hash_construction),
    TEST_CASE(x963_kdf_rejects_bad_arguments),
};
TEST_MAIN(tests)
