/* cachet_inspect_new: describe the layers without keys or trust. Signed layers
 * are parsed and their signatures computed but chains are not checked;
 * enveloped layers are listed without being opened; nothing is output. */
#include "smime/pipeline.h"

cachet_op *cachet_inspect_new(const cachet_ctx *ctx, bool raw, cachet_error *err) {
    cachet_sink null_sink = cachet_sink_null();
    return cachet_rd_new(ctx, CACHET_RD_INSPECT, NULL, true, raw, false, &null_sink, err);
}
