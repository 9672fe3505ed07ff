/* cachet_verify_new: verify every signed layer (and decrypt enveloped ones when
 * given a credential). See pipeline.h for how layers are removed. */
#include "smime/pipeline.h"

cachet_op *cachet_verify_new(const cachet_ctx *ctx, const cachet_verify_opts *opts,
                             const cachet_sink *out, cachet_error *err) {
    if (opts == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "options are needed");
        return NULL;
    }
    if (opts->harvest && (ctx == NULL || ctx->store == NULL)) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "harvesting needs a certificate store");
        return NULL;
    }
    cachet_rd_keys keys = {.cred = opts->decrypt_with};
    cachet_op *op =
        cachet_rd_new(ctx, CACHET_RD_VERIFY, &keys, true, opts->raw, opts->detached, out, err);
    if (op != NULL) {
        ((cachet_reader *)op->impl)->harvest = opts->harvest;
        ((cachet_reader *)op->impl)->receipt_for = opts->receipt_for;
        ((cachet_reader *)op->impl)->ml_identity = opts->ml_identity;
    }
    return op;
}
