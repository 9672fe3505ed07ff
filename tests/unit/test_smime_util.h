/* Helpers shared by the smime reading tests (header-only, static). */
#ifndef CACHET_TEST_SMIME_UTIL_H
#define CACHET_TEST_SMIME_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cachet/cachet.h>

#include "testlib.h"

/* 2026-06-01T00:00:00Z: inside every test PKI's validity. */
#define TEST_TIME 1780272000

#define TB_DIR "thunderbird-comm-central/mailnews-test-data-smime/"
#define TB_BROWSER_DIR "thunderbird-comm-central/mail-test-browser-smime-data/"
#define TB_MANUAL_DIR "thunderbird-comm-central/mailnews-test-data-smime-manual/"

typedef enum feed_mode { FEED_WHOLE, FEED_BYTES, FEED_RANDOM } feed_mode;

__attribute__((unused)) static cachet_ctx *test_ctx(const char *trust_rel, bool allow_weak,
                                                    bool address_check) {
    cachet_ctx *ctx = cachet_ctx_new();
    if (trust_rel != NULL) {
        cachet_status st = cachet_ctx_add_trust_file(ctx, cachet_test_vector_path(trust_rel));
        if (st != CACHET_OK) {
            fprintf(stderr, "trust %s: %s\n", trust_rel, cachet_ctx_error(ctx)->message);
        }
        CHECK_EQ_INT(st, CACHET_OK);
    }
    cachet_ctx_set_time(ctx, TEST_TIME);
    cachet_ctx_set_allow_weak(ctx, allow_weak);
    cachet_ctx_set_address_check(ctx, address_check);
    return ctx;
}

__attribute__((unused)) static cachet_credential *test_p12(const char *rel) {
    cachet_credential *cred = NULL;
    cachet_error e;
    memset(&e, 0, sizeof(e));
    cachet_status st = cachet_credential_load_p12(cachet_test_vector_path(rel), "nss", &cred, &e);
    if (st != CACHET_OK) {
        fprintf(stderr, "p12 %s: %s\n", rel, e.message);
    }
    CHECK_EQ_INT(st, CACHET_OK);
    return cred;
}

/* test_feed runs |op| over |in| in the given chunking and finishes it. */
__attribute__((unused)) static cachet_status test_feed(cachet_op *op, const uint8_t *in, size_t len,
                                                       feed_mode mode, uint32_t seed,
                                                       cachet_report **report) {
    size_t off = 0;
    cachet_status st = CACHET_OK;
    while (st == CACHET_OK && off < len) {
        size_t n = mode == FEED_WHOLE   ? len
                   : mode == FEED_BYTES ? 1
                                        : 1 + cachet_test_rand(&seed) % 1500;
        if (n > len - off) {
            n = len - off;
        }
        st = cachet_op_update(op, in + off, n);
        off += n;
    }
    cachet_status fst = cachet_op_finish(op, report);
    return st != CACHET_OK ? fst : fst;
}

/* test_memfind: does |needle| occur in |hay|? */
__attribute__((unused)) static bool test_memfind(const uint8_t *hay, size_t len,
                                                 const char *needle) {
    size_t n = strlen(needle);
    if (hay == NULL || n > len) {
        return false;
    }
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(hay + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

#endif
