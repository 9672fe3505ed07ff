/* cms/ess_read.c: PLACEHOLDER until the ESS attributes engineer writes it (issue 7). */
#include "cms/attributes.h"

cachet_status cachet_cms_ess_read(const cachet_cbs *signed_attrs, const cachet_cbs *unsigned_attrs,
                                  const cachet_cert *cert, cachet_signer_report *rep, char *detail,
                                  size_t detail_len) {
    (void)signed_attrs, (void)unsigned_attrs, (void)cert, (void)rep, (void)detail, (void)detail_len;
    return CACHET_OK;
}
