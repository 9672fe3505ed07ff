/* Helpers shared by test_crypto_cipher.c and test_crypto_issue5_cipher.c. */
#ifndef CACHET_TEST_CRYPTO_CIPHER_UTIL_H
#define CACHET_TEST_CRYPTO_CIPHER_UTIL_H

#include <stdio.h>

#include "crypto/crypto.h"
#include "testlib.h"

static inline size_t unhex(uint8_t *out, size_t cap, const char *hex) {
    size_t n = 0;
    for (; hex[0] != '\0' && hex[1] != '\0' && n < cap; hex += 2) {
        unsigned v = 0;
        sscanf(hex, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* cipher_run feeds |in| in chunks (mode 0 = whole, 1 = byte by byte, else random
 * of 1..|max_chunk| bytes from |seed|) and collects the output; false if any
 * step fails. */
static inline bool cipher_run(cachet_cipher_ctx *c, const uint8_t *in, size_t len, int mode,
                              uint32_t seed, uint32_t max_chunk, uint8_t *out, size_t *out_len) {
    uint32_t rs = seed;
    size_t off = 0;
    size_t total = 0;
    while (off < len) {
        size_t n = mode == 0 ? len : mode == 1 ? 1 : 1 + cachet_test_rand(&rs) % max_chunk;
        if (n > len - off) {
            n = len - off;
        }
        size_t w = 0;
        if (!cachet_cipher_update(c, in + off, n, out + total, &w)) {
            return false;
        }
        total += w;
        off += n;
    }
    size_t w = 0;
    if (!cachet_cipher_final(c, out + total, &w)) {
        return false;
    }
    *out_len = total + w;
    return true;
}

#endif
