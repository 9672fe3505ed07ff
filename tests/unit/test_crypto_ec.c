/* EC keys: generation, uncompressed points, curve names, ECDH. */
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/err.h>

#include "crypto/internal.h"
#include "testlib.h"

static const struct {
    cachet_curve curve;
    unsigned bits;
    size_t point_len;
} curves[] = {
    {CACHET_CURVE_P256, 256, 65},
    {CACHET_CURVE_P384, 384, 97},
    {CACHET_CURVE_P521, 521, 133},
};

static void generated_keys_report_curve_and_bits(void) {
    for (size_t i = 0; i < 3; i++) {
        cachet_pkey *k = NULL;
        CHECK_EQ_INT(cachet_pkey_generate_ec(curves[i].curve, &k, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_pkey_type(k), CACHET_KEY_EC);
        CHECK_EQ_INT(cachet_pkey_curve(k), curves[i].curve);
        CHECK_EQ_INT(cachet_pkey_bits(k), curves[i].bits);
        cachet_pkey_free(k);
    }
    cachet_error err;
    cachet_err_clear(&err);
    cachet_pkey *k = NULL;
    CHECK_EQ_INT(cachet_pkey_generate_ec(CACHET_CURVE_NONE, &k, &err), CACHET_ERR_UNSUPPORTED);
}

static void point_round_trips_to_equal_public_key(void) {
    for (size_t i = 0; i < 3; i++) {
        cachet_pkey *k = NULL;
        CHECK_EQ_INT(cachet_pkey_generate_ec(curves[i].curve, &k, NULL), CACHET_OK);
        cachet_membuf pt = {0};
        CHECK(cachet_pkey_ec_point(k, &pt));
        CHECK_EQ_INT(pt.len, curves[i].point_len);
        CHECK_EQ_INT(pt.data[0], 0x04);
        /* OpenSSL's own encoding of the same key agrees. */
        uint8_t ref[200];
        size_t ref_len = 0;
        CHECK(EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, ref,
                                              sizeof(ref), &ref_len) == 1);
        CHECK_MEM(pt.data, pt.len, ref, ref_len);
        cachet_pkey *pub = NULL;
        CHECK_EQ_INT(cachet_pkey_from_ec_point(curves[i].curve, pt.data, pt.len, &pub, NULL),
                     CACHET_OK);
        CHECK(cachet_pkey_matches(pub, k));
        CHECK_EQ_INT(cachet_pkey_curve(pub), curves[i].curve);
        cachet_pkey_free(pub);
        cachet_membuf_free(&pt);
        cachet_pkey_free(k);
    }
}

static void invalid_points_are_rejected(void) {
    cachet_pkey *k = NULL;
    CHECK_EQ_INT(cachet_pkey_generate_ec(CACHET_CURVE_P256, &k, NULL), CACHET_OK);
    cachet_membuf pt = {0};
    CHECK(cachet_pkey_ec_point(k, &pt));
    cachet_pkey *pub = NULL;
    cachet_error err;
    /* off the curve */
    pt.data[64] ^= 1;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pkey_from_ec_point(CACHET_CURVE_P256, pt.data, pt.len, &pub, &err),
                 CACHET_ERR_MALFORMED);
    pt.data[64] ^= 1;
    /* wrong curve for the length */
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pkey_from_ec_point(CACHET_CURVE_P384, pt.data, pt.len, &pub, &err),
                 CACHET_ERR_MALFORMED);
    /* compressed form */
    uint8_t comp[33];
    comp[0] = 0x02;
    memcpy(comp + 1, pt.data + 1, 32);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pkey_from_ec_point(CACHET_CURVE_P256, comp, sizeof(comp), &pub, &err),
                 CACHET_ERR_MALFORMED);
    /* all-zero coordinates */
    uint8_t zero[65] = {0x04};
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pkey_from_ec_point(CACHET_CURVE_P256, zero, sizeof(zero), &pub, &err),
                 CACHET_ERR_MALFORMED);
    CHECK(pub == NULL);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    cachet_membuf_free(&pt);
    cachet_pkey_free(k);
}

static void ecdh_agrees_both_ways(void) {
    for (size_t i = 0; i < 3; i++) {
        cachet_pkey *a = NULL;
        cachet_pkey *b = NULL;
        CHECK_EQ_INT(cachet_pkey_generate_ec(curves[i].curve, &a, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_pkey_generate_ec(curves[i].curve, &b, NULL), CACHET_OK);
        /* The peer arrives as a bare point, as in an originator key. */
        cachet_membuf bp = {0};
        CHECK(cachet_pkey_ec_point(b, &bp));
        cachet_pkey *b_pub = NULL;
        CHECK_EQ_INT(cachet_pkey_from_ec_point(curves[i].curve, bp.data, bp.len, &b_pub, NULL),
                     CACHET_OK);
        cachet_membuf s1 = {0};
        cachet_membuf s2 = {0};
        CHECK_EQ_INT(cachet_ecdh(a, b_pub, &s1, NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_ecdh(b, a, &s2, NULL), CACHET_OK);
        CHECK_EQ_INT(s1.len, (curves[i].point_len - 1) / 2);
        CHECK_MEM(s1.data, s1.len, s2.data, s2.len);
        cachet_membuf_free(&s1);
        cachet_membuf_free(&s2);
        cachet_membuf_free(&bp);
        cachet_pkey_free(b_pub);
        cachet_pkey_free(a);
        cachet_pkey_free(b);
    }
}

static void ecdh_across_curves_fails(void) {
    cachet_pkey *a = NULL;
    cachet_pkey *b = NULL;
    CHECK_EQ_INT(cachet_pkey_generate_ec(CACHET_CURVE_P256, &a, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_pkey_generate_ec(CACHET_CURVE_P384, &b, NULL), CACHET_OK);
    cachet_membuf s = {0};
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_ecdh(a, b, &s, &err), CACHET_ERR_KEY);
    CHECK(strstr(err.message, "same supported curve") != NULL);
    CHECK_EQ_INT(s.len, 0);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    cachet_pkey_free(a);
    cachet_pkey_free(b);
}

static void x25519_derives_like_ec(void) {
    cachet_pkey *a = cachet_pkey_wrap(EVP_PKEY_Q_keygen(NULL, NULL, "X25519"));
    cachet_pkey *b = cachet_pkey_wrap(EVP_PKEY_Q_keygen(NULL, NULL, "X25519"));
    CHECK_EQ_INT(cachet_pkey_type(a), CACHET_KEY_X25519);
    CHECK_EQ_INT(cachet_pkey_curve(a), CACHET_CURVE_NONE);
    cachet_membuf s1 = {0};
    cachet_membuf s2 = {0};
    CHECK_EQ_INT(cachet_ecdh(a, b, &s1, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_ecdh(b, a, &s2, NULL), CACHET_OK);
    CHECK_EQ_INT(s1.len, 32);
    CHECK_MEM(s1.data, s1.len, s2.data, s2.len);
    cachet_membuf out = {0};
    CHECK(!cachet_pkey_ec_point(a, &out));
    cachet_membuf_free(&s1);
    cachet_membuf_free(&s2);
    cachet_pkey_free(a);
    cachet_pkey_free(b);
}

/* RFC 7748 §6.1: a low-order peer point gives an all-zero secret, which must fail. */
static void x25519_low_order_peer_is_rejected(void) {
    static const uint8_t zero[32] = {0};
    cachet_pkey *a = cachet_pkey_wrap(EVP_PKEY_Q_keygen(NULL, NULL, "X25519"));
    cachet_pkey *bad =
        cachet_pkey_wrap(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, zero, sizeof(zero)));
    CHECK(a != NULL && bad != NULL);
    cachet_membuf s = {0};
    cachet_error err;
    cachet_err_clear(&err);
    CHECK(cachet_ecdh(a, bad, &s, &err) != CACHET_OK);
    CHECK_EQ_INT(s.len, 0);
    CHECK_EQ_INT(ERR_peek_error(), 0);
    /* An EC key cannot agree with an X25519 key. */
    cachet_pkey *ec = NULL;
    CHECK_EQ_INT(cachet_pkey_generate_ec(CACHET_CURVE_P256, &ec, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_ecdh(ec, a, &s, NULL), CACHET_ERR_KEY);
    cachet_membuf_free(&s);
    cachet_pkey_free(ec);
    cachet_pkey_free(a);
    cachet_pkey_free(bad);
}

/* `openssl ecparam -genkey` writes EC PARAMETERS before the key (regression: the
 * first block used to be taken as the key and refused). */
static void key_after_ec_parameters_block_loads(void) {
    size_t len = 0;
    uint8_t *pem =
        cachet_test_read_file(cachet_test_vector_path("bcjava-smime/pkix-cms/ecdh/ecc.key"), &len);
    CHECK(pem != NULL);
    if (pem == NULL) {
        return;
    }
    CHECK(len > 30 && memcmp(pem, "-----BEGIN EC PARAMETERS-----", 29) == 0);
    cachet_pkey *key = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pkey_load_private(pem, len, NULL, &key, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_pkey_type(key), CACHET_KEY_EC);
    CHECK_EQ_INT(cachet_pkey_curve(key), CACHET_CURVE_P256);
    cachet_pkey_free(key);
    free(pem);
}

static const cachet_test_case tests[] = {
    TEST_CASE(key_after_ec_parameters_block_loads),
    TEST_CASE(x25519_low_order_peer_is_rejected),
    TEST_CASE(generated_keys_report_curve_and_bits),
    TEST_CASE(point_round_trips_to_equal_public_key),
    TEST_CASE(invalid_points_are_rejected),
    TEST_CASE(ecdh_agrees_both_ways),
    TEST_CASE(ecdh_across_curves_fails),
    TEST_CASE(x25519_derives_like_ec),
};
TEST_MAIN(tests)
