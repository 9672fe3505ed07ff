/* smime/triple_wrap.c: PLACEHOLDER until the triple-wrap engineer writes it (issue 7). */
#include "smime/internal.h"

cachet_op *cachet_triple_wrap_new(const cachet_ctx *ctx, const cachet_sign_opts *inner,
                                  const cachet_encrypt_opts *enc, const cachet_sign_opts *outer,
                                  const cachet_sink *out, cachet_error *err) {
    (void)ctx, (void)inner, (void)enc, (void)outer, (void)out;
    cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "", -1, "not built yet");
    return NULL;
}
