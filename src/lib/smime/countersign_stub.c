/* smime/countersign_stub.c: PLACEHOLDER until the countersignature engineer
 * writes the operation (issue 7); this file is then deleted. */
#include "smime/internal.h"

cachet_op *cachet_countersign_new(const cachet_ctx *ctx, const cachet_countersign_opts *opts,
                                  const cachet_sink *out, cachet_error *err) {
    (void)ctx, (void)opts, (void)out;
    cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "", -1, "not built yet");
    return NULL;
}
