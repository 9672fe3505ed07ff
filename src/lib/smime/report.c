/* Reports: freeing and names. */
#include "cms/signed.h"
#include "smime/internal.h"

void cachet_report_free(cachet_report *r) {
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->num_layers; i++) {
        cachet_cms_layer_report_clear(&r->layers[i]);
    }
    cachet_free(r->layers);
    cachet_free(r);
}

const char *cachet_layer_type_name(cachet_layer_type t) {
    switch (t) {
        case CACHET_LAYER_SIGNED:
            return "signed";
        case CACHET_LAYER_ENVELOPED:
            return "enveloped";
        case CACHET_LAYER_AUTH_ENVELOPED:
            return "authEnveloped";
        case CACHET_LAYER_COMPRESSED:
            return "compressed";
        case CACHET_LAYER_ENCRYPTED:
            return "encrypted";
        case CACHET_LAYER_DIGESTED:
            return "digested";
        case CACHET_LAYER_DATA:
            return "data";
    }
    return "unknown";
}
