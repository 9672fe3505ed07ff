/* smime/receipt_stub.c: PLACEHOLDER until the receipts and countersignature
 * engineers write the operations (issue 7); this file is then deleted. */
#include "smime/internal.h"

cachet_op *cachet_receipt_ref_new(const cachet_ctx *ctx, const cachet_verify_opts *opts,
                                  cachet_error *err) {
    (void)ctx, (void)opts;
    cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "", -1, "not built yet");
    return NULL;
}

cachet_receipt_ref *cachet_op_take_receipt_ref(cachet_op *op) {
    (void)op;
    return NULL;
}

void cachet_receipt_ref_free(cachet_receipt_ref *ref) {
    (void)ref;
}

cachet_op *cachet_receipt_new(const cachet_ctx *ctx, const cachet_receipt_opts *opts,
                              const cachet_sink *out, cachet_error *err) {
    (void)ctx, (void)opts, (void)out;
    cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "", -1, "not built yet");
    return NULL;
}
