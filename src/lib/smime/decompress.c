/* cachet_decompress_new: remove compressed layers; signed and enveloped layers
 * are output intact. */
#include "smime/pipeline.h"

cachet_op *cachet_decompress_new(const cachet_ctx *ctx, const cachet_compress_opts *opts,
                                 const cachet_sink *out, cachet_error *err) {
    bool raw = opts != NULL && opts->raw;
    return cachet_rd_new(ctx, CACHET_RD_DECOMPRESS, NULL, false, raw, false, out, err);
}
