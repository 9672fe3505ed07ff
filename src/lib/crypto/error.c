#include <stdio.h>

#include <openssl/err.h>

#include "crypto/internal.h"

void cachet_crypto_reason(char *out, size_t out_len) {
    unsigned long e = ERR_peek_last_error();
    const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;
    if (reason != NULL) {
        snprintf(out, out_len, "%s", reason);
    } else if (e != 0) {
        ERR_error_string_n(e, out, out_len);
    } else {
        snprintf(out, out_len, "no OpenSSL detail");
    }
}

cachet_status cachet_crypto_fail(cachet_error *err, cachet_status st, const char *where,
                                 const char *what) {
    char reason[160];
    cachet_crypto_reason(reason, sizeof(reason));
    ERR_clear_error();
    return cachet_err_set(err, st, where, -1, "%s (OpenSSL: %s)", what, reason);
}
