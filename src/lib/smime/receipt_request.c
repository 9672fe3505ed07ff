/* smime/receipt_request.c: PLACEHOLDER until the receipts engineer writes it (issue 7). */
#include "smime/internal.h"

cachet_status cachet_smime_receipt_request_attrs(const cachet_ctx *ctx,
                                                 const cachet_sign_opts *opts, cachet_cbb *run,
                                                 cachet_error *err) {
    (void)ctx, (void)opts, (void)run, (void)err;
    return CACHET_OK;
}
