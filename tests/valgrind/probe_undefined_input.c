/* The probe behind tests/valgrind/run.sh's first check: it hands the cipher layer bytes that
 * were never written. Under memcheck the layer's own check (crypto/cipher.c) must report them,
 * which is what makes the OpenSSL suppression in cachet.supp safe; the probe exits 0, so
 * only valgrind's error exit code (99 in run.sh) tells that the check fired. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

int main(void) {
    uint8_t key[32], iv[12], out[64 + 16];
    memset(key, 0x11, sizeof(key));
    memset(iv, 0x22, sizeof(iv));
    uint8_t *never_written = malloc(64);
    if (never_written == NULL) {
        return 2;
    }
    cachet_error err;
    cachet_cipher_ctx *c =
        cachet_cipher_new(CACHET_CIPHER_AES256_GCM, false, key, sizeof(key), iv, sizeof(iv), &err);
    if (c == NULL) {
        free(never_written);
        return 2;
    }
    size_t n = 0;
    (void)cachet_cipher_update(c, never_written, 64, out, &n);
    cachet_cipher_free(c);
    free(never_written);
    return 0;
}
