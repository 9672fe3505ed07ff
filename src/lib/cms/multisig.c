/* cms/multisig.c: PLACEHOLDER until the multiple-signatures engineer writes it (issue 7). */
#include "cms/attributes.h"

cachet_status cachet_cms_multisig_read(const cachet_cbs *signed_attrs, cachet_signer_report *rep,
                                       char *detail, size_t detail_len) {
    (void)signed_attrs, (void)rep, (void)detail, (void)detail_len;
    return CACHET_OK;
}
