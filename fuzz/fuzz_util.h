/* What every fuzz target shares: REQUIRE (an oracle that fails aborts, which
 * libFuzzer reports as a finding) and a PEM writer of its own, so that a target
 * feeding PEM does not trust the encoder under test to make its input. */
#ifndef CACHET_FUZZ_UTIL_H
#define CACHET_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* fuzz_as_pem wraps |der| in one "-----BEGIN |label|-----" block of 64-column
 * base64; the caller frees the result with free(). */
__attribute__((unused)) static char *fuzz_as_pem(const uint8_t *der, size_t len, const char *label,
                                                 size_t *out_len) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t cap = 128 + len * 2;
    char *s = malloc(cap);
    REQUIRE(s != NULL);
    size_t n = (size_t)snprintf(s, cap, "-----BEGIN %s-----\n", label);
    size_t col = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16;
        v |= i + 1 < len ? (uint32_t)der[i + 1] << 8 : 0;
        v |= i + 2 < len ? der[i + 2] : 0;
        s[n++] = b64[(v >> 18) & 63];
        s[n++] = b64[(v >> 12) & 63];
        s[n++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        s[n++] = i + 2 < len ? b64[v & 63] : '=';
        col += 4;
        if (col == 64) {
            s[n++] = '\n';
            col = 0;
        }
    }
    n += (size_t)snprintf(s + n, cap - n, "%s-----END %s-----\n", col != 0 ? "\n" : "", label);
    *out_len = n;
    return s;
}

#endif
