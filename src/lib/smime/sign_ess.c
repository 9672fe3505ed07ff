/* smime/sign_ess.c: PLACEHOLDER until the ESS attributes engineer writes it (issue 7). */
#include "smime/internal.h"

cachet_status cachet_smime_ess_shared_attrs(const cachet_ctx *ctx, const cachet_sign_opts *opts,
                                            cachet_cbb *run, cachet_error *err) {
    (void)ctx, (void)opts, (void)run, (void)err;
    return CACHET_OK;
}

cachet_status cachet_smime_ess_signer_attrs(const cachet_sign_opts *opts, const cachet_cert *cert,
                                            cachet_cbb *run, cachet_error *err) {
    (void)opts, (void)cert, (void)run, (void)err;
    return CACHET_OK;
}
