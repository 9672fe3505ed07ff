/* libFuzzer target: the PKCS#12 reader (cachet_pkcs12_load; `cachet keys
 * import`, --p12 credentials, cachetd's key files), with the fixed password
 * "fuzz-p12" (the one the seeds use) and with no password. ATTACKS PA-07,
 * PA-15; issue 8 item 4 (PBKDF2 iterations).
 *
 * Oracles:
 * - the same input and password give the same answer twice;
 * - a failure leaves the key and certificate NULL and the chain empty, and
 *   says KEY or LIMIT (nothing here fails an allocation);
 * - a success gives a key and a certificate whose public keys match, and the
 *   same key (and certificate DER) again the second time; every chain
 *   certificate parses again from its DER. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "crypto/crypto.h"

#include "fuzz_util.h"

typedef struct result {
    cachet_status st;
    cachet_pkey *key;
    cachet_cert *cert;
    cachet_cert_list chain;
} result;

static void load(const uint8_t *data, size_t size, const char *pass, result *r) {
    cachet_error err;
    cachet_err_clear(&err);
    r->key = (cachet_pkey *)&r->key; /* not NULL: the call must reset it on failure */
    r->cert = (cachet_cert *)&r->cert;
    memset(&r->chain, 0, sizeof(r->chain));
    r->st = cachet_pkcs12_load(data, size, pass, &r->key, &r->cert, &r->chain, &err);
    if (r->st != CACHET_OK) {
        REQUIRE(r->st == CACHET_ERR_KEY || r->st == CACHET_ERR_LIMIT);
        REQUIRE(r->key == NULL && r->cert == NULL && r->chain.num == 0);
        return;
    }
    REQUIRE(r->key != NULL && r->cert != NULL);
    cachet_pkey *pub = cachet_cert_pkey(r->cert);
    REQUIRE(pub != NULL && cachet_pkey_matches(r->key, pub));
    cachet_pkey_free(pub);
    for (size_t i = 0; i < r->chain.num; i++) {
        size_t len = 0;
        const uint8_t *der = cachet_cert_der(r->chain.certs[i], &len);
        cachet_cert *again = NULL;
        REQUIRE(cachet_cert_parse(der, len, &again, &err) == CACHET_OK);
        cachet_cert_free(again);
    }
}

static void clear(result *r) {
    if (r->st == CACHET_OK) {
        cachet_pkey_free(r->key);
        cachet_cert_free(r->cert);
    }
    cachet_cert_list_clear(&r->chain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const passwords[] = {"fuzz-p12", NULL};
    for (size_t p = 0; p < 2; p++) {
        result a, b;
        load(data, size, passwords[p], &a);
        load(data, size, passwords[p], &b);
        REQUIRE(a.st == b.st && a.chain.num == b.chain.num);
        if (a.st == CACHET_OK) {
            REQUIRE(cachet_pkey_matches(a.key, b.key));
            size_t la = 0, lb = 0;
            const uint8_t *da = cachet_cert_der(a.cert, &la);
            const uint8_t *db = cachet_cert_der(b.cert, &lb);
            REQUIRE(la == lb && memcmp(da, db, la) == 0);
        }
        clear(&a);
        clear(&b);
    }
    return 0;
}
