/* Regressions found by the issue 8 fuzz targets fuzz_crypto_cert and
 * fuzz_crypto_pkcs12: a failing load leaves the caller's outputs as they were
 * (the list) or empty (the key and certificate). The inputs are also in
 * fuzz/corpus/fuzz_crypto_cert/ and fuzz/corpus/fuzz_crypto_pkcs12/. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crypto/crypto.h"
#include "testlib.h"

/* The throw-away CA of fuzz/fuzz_crypto_crl.c. */
static const char kCa[] = "-----BEGIN CERTIFICATE-----\n"
                          "MIIBbTCCAROgAwIBAgIBATAKBggqhkjOPQQDAjAdMRswGQYDVQQDDBJjYWNoZXQg\n"
                          "ZnV6eiBDUkwgQ0EwIBcNMjYxMTI2MTY1NTM0WhgPMjEyNjExMDIxNjU1MzRaMB0x\n"
                          "GzAZBgNVBAMMEmNhY2hldCBmdXp6IENSTCBDQTBZMBMGByqGSM49AgEGCCqGSM49\n"
                          "AwEHA0IABMlKj31qaoKOW2pIffV6GHMmsT5/RKakWpVSMqflxEacvXtBf/TYKBxK\n"
                          "OWJC1AZEjifDuyA29/0b//FoBEAfJP6jQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYD\n"
                          "VR0PAQH/BAQDAgEGMB0GA1UdDgQWBBS+z4Mm012NIk3H5Pdmo5rHQcWRdzAKBggq\n"
                          "hkjOPQQDAgNIADBFAiEAhvUP21T7tXQ1kZe1zTLokfRaoo9M3Vr6Fkwi+5uFp3oC\n"
                          "IDD+IWqU7RMPTyYfz3yahZdjbsNeJBuh5/evTqPVSCdk\n"
                          "-----END CERTIFICATE-----\n";

static void bundle_with_a_bad_later_block_adds_nothing(void) {
    cachet_cert_list list = {0};
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_cert_load((const uint8_t *)kCa, strlen(kCa), &list, &err), CACHET_OK);
    CHECK_EQ_INT(list.num, 1);
    /* good, good, then a CERTIFICATE block that is not a certificate */
    char bundle[4096];
    snprintf(bundle, sizeof(bundle),
             "%s%s-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n", kCa, kCa);
    CHECK_EQ_INT(cachet_cert_load((const uint8_t *)bundle, strlen(bundle), &list, &err),
                 CACHET_ERR_MALFORMED);
    CHECK_EQ_INT(list.num, 1); /* the certificate loaded before is kept, nothing added */
    /* the same bundle without the bad block loads whole */
    snprintf(bundle, sizeof(bundle), "%s%s", kCa, kCa);
    CHECK_EQ_INT(cachet_cert_load((const uint8_t *)bundle, strlen(bundle), &list, &err), CACHET_OK);
    CHECK_EQ_INT(list.num, 3);
    cachet_cert_list_clear(&list);
}

static void failed_pkcs12_load_leaves_outputs_empty(void) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/../fuzz/corpus/fuzz_crypto_pkcs12/ec_aes_chain.p12",
             cachet_test_tests_dir());
    size_t len = 0;
    uint8_t *p12 = cachet_test_read_file(path, &len);
    CHECK(p12 != NULL);
    if (p12 == NULL) {
        return;
    }
    static const struct {
        const char *pass;
        size_t len;
        cachet_status st;
    } cases[] = {
        {"wrong", 0, CACHET_ERR_KEY},
        {NULL, 0, CACHET_ERR_KEY},
        {"fuzz-p12", 7, CACHET_ERR_KEY}, /* truncated */
        {"fuzz-p12", 0, CACHET_OK},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_pkey *key = (cachet_pkey *)&key; /* whatever the caller's variables held */
        cachet_cert *cert = (cachet_cert *)&cert;
        cachet_cert_list chain = {0};
        cachet_error err;
        cachet_err_clear(&err);
        size_t n = cases[i].len != 0 ? cases[i].len : len;
        CHECK_EQ_INT(cachet_pkcs12_load(p12, n, cases[i].pass, &key, &cert, &chain, &err),
                     cases[i].st);
        if (cases[i].st != CACHET_OK) {
            CHECK(key == NULL);
            CHECK(cert == NULL);
            CHECK_EQ_INT(chain.num, 0);
        } else {
            CHECK(key != NULL && cert != NULL);
            CHECK_EQ_INT(chain.num, 2);
            cachet_pkey *pub = cachet_cert_pkey(cert);
            CHECK(cachet_pkey_matches(key, pub));
            cachet_pkey_free(pub);
            cachet_pkey_free(key);
            cachet_cert_free(cert);
        }
        cachet_cert_list_clear(&chain);
    }
    free(p12);
}

/* Iteration counts come from the file: a MAC or a shrouded key asking for
 * 2^31-1 rounds used to hold the CPU for hours; now refused before any
 * derivation runs (fuzz/corpus/fuzz_crypto_pkcs12/regress_*_iter_huge.p12). */
static void pkcs12_iteration_counts_are_bounded(void) {
    static const char *const files[] = {"regress_mac_iter_huge.p12", "regress_pbe_iter_huge.p12"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/../fuzz/corpus/fuzz_crypto_pkcs12/%s",
                 cachet_test_tests_dir(), files[i]);
        size_t len = 0;
        uint8_t *p12 = cachet_test_read_file(path, &len);
        CHECK(p12 != NULL);
        if (p12 == NULL) {
            continue;
        }
        cachet_pkey *key = NULL;
        cachet_cert *cert = NULL;
        cachet_cert_list chain = {0};
        cachet_error err;
        cachet_err_clear(&err);
        time_t t0 = time(NULL);
        CHECK_EQ_INT(cachet_pkcs12_load(p12, len, "fuzz-p12", &key, &cert, &chain, &err),
                     CACHET_ERR_LIMIT);
        CHECK(time(NULL) - t0 < 5);
        CHECK(key == NULL && cert == NULL && chain.num == 0);
        CHECK(strstr(err.message, "iteration count") != NULL);
        free(p12);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(bundle_with_a_bad_later_block_adds_nothing),
    TEST_CASE(failed_pkcs12_load_leaves_outputs_empty),
    TEST_CASE(pkcs12_iteration_counts_are_bounded),
};
TEST_MAIN(tests)
