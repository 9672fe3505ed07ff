#include <limits.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "crypto/internal.h"

cachet_status cachet_random(uint8_t *out, size_t len, cachet_error *err) {
    while (len > 0) {
        int n = len > INT_MAX ? INT_MAX : (int)len;
        if (RAND_bytes(out, n) != 1) {
            return cachet_crypto_fail(err, CACHET_ERR_INTERNAL, "random",
                                      "random generator failed");
        }
        out += n;
        len -= (size_t)n;
    }
    return CACHET_OK;
}
