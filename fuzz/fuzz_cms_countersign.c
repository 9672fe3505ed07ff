/* libFuzzer target: the SignedData re-encoding of cms/countersign_add.c
 * (cachet_cms_countersign_insert: parse any ContentInfo, BER or DER, add a
 * fixed countersignature to SignerInfo 0 or 1) and the countersignature
 * checks of the verifier on what comes out. Whatever the input, every call
 * must return a status without crashing, leaking or reading out of bounds; an
 * output must be one DER element that can be re-encoded again, one
 * countersignature longer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cms/countersign.h"

/* A SignerInfo the verifier will refuse (no certificate matches, bad
 * signature), enough for the re-encoding: version 1, issuerAndSerialNumber
 * {empty Name, 1}, sha256, ecdsa-with-SHA256, a 1-byte signature. */
static const uint8_t countersig[] = {0x30, 0x26, 0x02, 0x01, 0x01, 0x30, 0x05, 0x30, 0x00, 0x02,
                                     0x01, 0x01, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x01, 0x30, 0x0a, 0x06, 0x08, 0x2a,
                                     0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x04, 0x01, 0x00};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cachet_cms_limits lim;
    cachet_error err;
    uint8_t *out = NULL, *again = NULL;
    size_t out_len = 0, again_len = 0;
    cachet_cms_limits_default(&lim);
    lim.max_skeleton = 1u << 20;
    size_t index = size & 1;
    cachet_status st = cachet_cms_countersign_insert(
        &lim, data, size, index, countersig, sizeof(countersig), NULL, 0, &out, &out_len, &err);
    if (st != CACHET_OK) {
        return 0;
    }
    if (!cachet_der_validate(out, out_len, 64)) {
        abort(); /* we write DER only */
    }
    st = cachet_cms_countersign_insert(&lim, out, out_len, index, countersig, sizeof(countersig),
                                       NULL, 0, &again, &again_len, &err);
    /* the only way a second insert may fail is a bound (attributes, countersignatures) */
    if (st != CACHET_OK && st != CACHET_ERR_LIMIT) {
        abort();
    }
    if (st == CACHET_OK && again_len <= out_len) {
        abort();
    }
    cachet_cms_policy pol = {.allow_weak = (size & 2) != 0, .at = 1767225600};
    cachet_layer_report layer;
    st =
        cachet_cms_verify_der(&pol, &lim, out, out_len, (const uint8_t *)"", 0, NULL, &layer, &err);
    cachet_cms_layer_report_clear(&layer);
    cachet_free(out);
    cachet_free(again);
    return 0;
}
