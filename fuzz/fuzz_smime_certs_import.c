/* libFuzzer target: the certificate-import reader behind `cachet certs import`
 * (smime/store_parse.c): PEM blocks, a DER certificate, a DER/BER certs-only
 * ContentInfo or an S/MIME certs-only message. Whatever the input, the call
 * returns a status without crashing, leaking or reading out of bounds, and on
 * success every certificate it gives parses again from its DER. */
#include <stdint.h>
#include <stdlib.h>

#include "smime/store_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cachet_cert_list list = {0};
    cachet_error err;
    cachet_status st = cachet_store_parse_certs(data, size, "fuzz", &list, &err);
    for (size_t i = 0; st == CACHET_OK && i < list.num; i++) {
        size_t len = 0;
        const uint8_t *der = cachet_cert_der(list.certs[i], &len);
        cachet_cert *again = NULL;
        if (cachet_cert_parse(der, len, &again, &err) != CACHET_OK) {
            abort();
        }
        cachet_cert_free(again);
    }
    cachet_cert_list_clear(&list);
    return 0;
}
