/* Fuzz target for the MIME codecs' fast paths: base64 decode and encode,
 * quoted-printable decode, CRLF canonical form and the 7-bit check, each against
 * the naive byte-at-a-time reference of tests/unit/mime_codec_ref.h. Oracle: the
 * same output, success, failing byte and state after every chunk, whatever the
 * chunking; any difference aborts. Byte 0 is the split byte: the rest (the codec
 * input, the same for all five codecs) is fed whole, byte by byte, and in chunks
 * that end after each occurrence of the split byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../tests/unit/mime_codec_ref.h"

static void check(bool same, const char *why) {
    if (!same) {
        fprintf(stderr, "fuzz_mime_codecs: %s\n", why);
        abort();
    }
}

static void check_chunking(const uint8_t *in, size_t len, const size_t *chunks, size_t n) {
    char why[200];
    long long fail_b64 = -1, fail_qp = -1;
    bool result = false;
    check(cref_check_b64dec(in, len, chunks, n, &fail_b64, why, sizeof(why)), why);
    check(cref_check_b64enc(in, len, chunks, n, why, sizeof(why)), why);
    check(cref_check_qpdec(in, len, chunks, n, &fail_qp, why, sizeof(why)), why);
    check(cref_check_canon(in, len, chunks, n, why, sizeof(why)), why);
    check(cref_check_7bit(in, len, chunks, n, &result, why, sizeof(why)), why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > (1u << 16)) {
        return 0;
    }
    uint8_t split = data[0];
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    size_t *chunks = malloc((len + 1) * sizeof(*chunks));
    if (chunks == NULL) {
        return 0;
    }
    chunks[0] = len;
    check_chunking(in, len, chunks, 1);

    for (size_t i = 0; i < len; i++) {
        chunks[i] = 1;
    }
    check_chunking(in, len, chunks, len);

    size_t n = 0, start = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == split) {
            chunks[n++] = i + 1 - start;
            start = i + 1;
        }
    }
    chunks[n++] = len - start; /* the tail, possibly empty */
    check_chunking(in, len, chunks, n);
    free(chunks);
    return 0;
}
