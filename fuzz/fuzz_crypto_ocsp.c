/* libFuzzer target: the OCSP answer check (cachet_ocsp_check: the bytes an
 * HTTP responder sends back, parsed and judged by cachet_ocsp_query) for a
 * fixed certificate and issuer (the throw-away CA and leaf of
 * fuzz_crypto_crl.c) and a request made once with cachet_ocsp_request (its
 * nonce is random; the seeds echo none, which RFC 8954 allows). The time is
 * fixed (2027-01-15) so that the seeds are current. ATTACKS PA-16.
 *
 * Oracles:
 * - the same response gives the same answer twice;
 * - a failure says MALFORMED, UNSUPPORTED, BAD_SIGNATURE, UNTRUSTED or POLICY
 *   and leaves the answer empty (GOOD, no times, no reason): a caller reading
 *   it by mistake never sees "revoked" or a date;
 * - a success is GOOD, REVOKED or UNKNOWN, with a revocation date exactly when
 *   REVOKED, a thisUpdate not after now plus the skew, and a nextUpdate (when
 *   given) not before now minus the skew;
 * - a success needs a response that parses as a whole: the same bytes with
 *   one more byte after them are refused. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "crypto/crypto.h"
#include "crypto/revocation.h"

#include "fuzz_util.h"

#include "fixed_keys.h"

#define FUZZ_NOW 1800000000 /* 2027-01-15 */

static cachet_cert *g_ca, *g_leaf;
static cachet_membuf g_req;

static cachet_cert *load_one(const char *pem) {
    cachet_cert_list l = {0};
    cachet_error err;
    cachet_err_clear(&err);
    REQUIRE(cachet_cert_load((const uint8_t *)pem, strlen(pem), &l, &err) == CACHET_OK &&
            l.num == 1);
    cachet_cert *c = cachet_cert_up_ref(l.certs[0]);
    cachet_cert_list_clear(&l);
    return c;
}

static void setup(void) {
    g_ca = load_one(kCaPem);
    g_leaf = load_one(kLeafPem);
    cachet_error err;
    cachet_err_clear(&err);
    REQUIRE(cachet_ocsp_request(g_leaf, g_ca, &g_req, &err) == CACHET_OK);
}

static cachet_status check(const uint8_t *data, size_t size, cachet_rev_answer *out) {
    cachet_error err;
    cachet_err_clear(&err);
    memset(out, 0x5a, sizeof(*out));
    cachet_status st =
        cachet_ocsp_check(data, size, g_req.data, g_req.len, g_leaf, g_ca, FUZZ_NOW, out, &err);
    if (getenv("CACHET_FUZZ_VERBOSE") != NULL) {
        fprintf(stderr, "%s: %s (answer %d)\n", cachet_status_str(st), err.message,
                (int)out->status);
    }
    if (st != CACHET_OK) {
        REQUIRE(st == CACHET_ERR_MALFORMED || st == CACHET_ERR_UNSUPPORTED ||
                st == CACHET_ERR_BAD_SIGNATURE || st == CACHET_ERR_UNTRUSTED ||
                st == CACHET_ERR_POLICY);
        REQUIRE(err.message[0] != '\0');
        REQUIRE(out->status == CACHET_REV_STATUS_GOOD && out->this_update == 0 &&
                out->next_update == 0 && out->revoked_at == 0 &&
                out->reason == CACHET_CRL_REASON_NONE);
        return st;
    }
    REQUIRE(out->status == CACHET_REV_STATUS_GOOD || out->status == CACHET_REV_STATUS_REVOKED ||
            out->status == CACHET_REV_STATUS_UNKNOWN);
    REQUIRE((out->status == CACHET_REV_STATUS_REVOKED) == (out->revoked_at != 0));
    REQUIRE(out->this_update <= FUZZ_NOW + CACHET_REV_SKEW_SECONDS);
    REQUIRE(out->next_update == 0 || out->next_update >= FUZZ_NOW - CACHET_REV_SKEW_SECONDS);
    REQUIRE(cachet_crl_reason_name(out->reason) != NULL);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (g_ca == NULL) {
        setup();
    }
    if (size > CACHET_OCSP_MAX_RESPONSE) {
        return 0;
    }
    cachet_rev_answer a, b;
    cachet_status sa = check(data, size, &a);
    cachet_status sb = check(data, size, &b);
    REQUIRE(sa == sb && memcmp(&a, &b, sizeof(a)) == 0);
    if (sa == CACHET_OK && size < CACHET_OCSP_MAX_RESPONSE) {
        uint8_t *more = malloc(size + 1);
        REQUIRE(more != NULL);
        memcpy(more, data, size);
        more[size] = 0;
        REQUIRE(check(more, size + 1, &b) == CACHET_ERR_MALFORMED);
        free(more);
    }
    return 0;
}
