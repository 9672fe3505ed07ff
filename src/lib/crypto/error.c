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
    /* OpenSSL's "malloc failure" is not taken as out of memory: 3.0 also says
     * it when no allocation failed (encode_key2any.c key_to_p8info, writing a
     * public key as private). The caller's step classifies instead, from the
     * allocations cachet saw fail (base.h cachet_alloc_failures). */
    ERR_clear_error();
    return cachet_err_set(err, st, where, -1, "%s (OpenSSL: %s)", what, reason);
}
