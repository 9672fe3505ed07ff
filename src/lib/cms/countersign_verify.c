/* cms/countersign_verify.c: PLACEHOLDER until the countersignature engineer writes it (issue 7). */
#include "cms/attributes.h"

cachet_status cachet_cms_countersigs_verify(const cachet_cms_signer_ctx *ctx,
                                            const cachet_cbs *unsigned_attrs,
                                            const cachet_cbs *signature, cachet_signer_report *rep,
                                            char *detail, size_t detail_len) {
    (void)ctx, (void)unsigned_attrs, (void)signature, (void)rep, (void)detail, (void)detail_len;
    return CACHET_OK;
}
