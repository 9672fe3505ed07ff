/* libFuzzer target: SignedData verification (cms/signed.h) with a fixed policy.
 * Each input is verified as encapsulated (one shot and streamed in small chunks),
 * as detached against fixed content, and scanned for certificates. Whatever the
 * input, every call must return a status without crashing, leaking or reading
 * out of bounds, and a CACHET_OK result must carry at least one valid signer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cms/signed.h"

static void check_layer(cachet_status st, const cachet_layer_report *l) {
    if (st == CACHET_OK && (l->num_signers == 0 || !l->signers[0].signature_valid)) {
        abort(); /* an OK without a valid signer would be a verification bug */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint8_t detached[] = "This is some sample content.";
    cachet_cms_policy pol = {.allow_weak = (size & 1) != 0, .at = 1767225600, .trust = NULL};
    cachet_cms_limits lim;
    cachet_layer_report layer;
    cachet_error err;
    cachet_status st;
    cachet_membuf content = {.max = 1u << 20};
    cachet_sink sink = cachet_sink_membuf(&content);

    cachet_cms_limits_default(&lim);
    lim.max_skeleton = 1u << 20;

    st = cachet_cms_verify_der(&pol, &lim, data, size, NULL, 0, &sink, &layer, &err);
    check_layer(st, &layer);
    cachet_cms_layer_report_clear(&layer);
    cachet_membuf_free(&content);

    /* streamed in chunks of 1..13 bytes */
    cachet_cms_verify *v = cachet_cms_verify_new(&pol, &lim, &sink, &err);
    if (v != NULL) {
        size_t step = 1 + size % 13;
        st = CACHET_OK;
        for (size_t off = 0; off < size && st == CACHET_OK; off += step) {
            st = cachet_cms_verify_update(v, data + off, size - off < step ? size - off : step,
                                          &err);
        }
        st = cachet_cms_verify_finish(v, &layer, &err);
        check_layer(st, &layer);
        cachet_cms_layer_report_clear(&layer);
        cachet_cms_verify_free(v);
    }
    cachet_membuf_free(&content);

    st = cachet_cms_verify_der(&pol, &lim, data, size, detached, sizeof(detached) - 1, NULL, &layer,
                               &err);
    check_layer(st, &layer);
    cachet_cms_layer_report_clear(&layer);

    cachet_cert_list certs = {0};
    (void)cachet_cms_signed_certs(&lim, data, size, &certs, &err);
    cachet_cert_list_clear(&certs);
    return 0;
}
