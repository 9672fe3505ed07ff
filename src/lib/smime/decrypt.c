/* cachet_decrypt_new: remove enveloped and authEnveloped layers (and compressed
 * ones); with verify_signed also verify and remove signed layers, else stop at
 * the first signed layer and output it intact. */
#include "smime/pipeline.h"

cachet_op *cachet_decrypt_new(const cachet_ctx *ctx, const cachet_decrypt_opts *opts,
                              const cachet_sink *out, cachet_error *err) {
    if (opts == NULL || opts->cred == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "decryption needs a credential");
        return NULL;
    }
    return cachet_rd_new(ctx, CACHET_RD_DECRYPT, opts->cred, opts->verify_signed, opts->raw, false,
                         out, err);
}
