/* libFuzzer target: CompressedData (RFC 3274) decompression, fed whole and then
 * in 5-byte chunks, with small size and ratio limits so that the limit paths
 * are reached. Corpus: fuzz/corpus/fuzz_cms_decompress/ (DER and BER
 * CompressedData, NULL and absent algorithm parameters). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cms/compressed.h"

static void run(const uint8_t *data, size_t size, size_t chunk) {
    cachet_cms_limits limits;
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_error err;
    cachet_layer_report rep;
    cachet_cms_decompress *d;
    cachet_status st = CACHET_OK;
    cachet_cms_limits_default(&limits);
    limits.max_skeleton = 64 * 1024;
    limits.max_decompressed = 1 << 20;
    limits.max_ratio = 50;
    cachet_err_clear(&err);
    d = cachet_cms_decompress_new(&limits, &sink, &err);
    if (d == NULL) {
        return;
    }
    for (size_t off = 0; st == CACHET_OK && off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        st = cachet_cms_decompress_update(d, data + off, n, &err);
    }
    if (st == CACHET_OK) {
        st = cachet_cms_decompress_finish(d, &rep, &err);
    }
    /* The cap holds whatever the input says. */
    if (out.len > limits.max_decompressed) {
        __builtin_trap();
    }
    cachet_cms_decompress_free(d);
    cachet_membuf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    run(data, size, size == 0 ? 1 : size);
    run(data, size, 5);
    return 0;
}
