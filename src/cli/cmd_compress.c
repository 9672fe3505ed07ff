/* cachet compress / decompress: CompressedData (RFC 3274, zlib). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cachet_cmd_compress(int argc, char **argv) {
    cachet_cli_opts o;
    int r = cachet_cli_parse(&o, argc, argv, CACHET_CLI_COMMON_GEN);
    if (r < 0) {
        r = cachet_cli_output_format(&o);
    }
    if (r >= 0) {
        cachet_cli_opts_free(&o);
        return r;
    }
    cachet_ctx *ctx = NULL;
    r = cachet_cli_make_ctx(&o, false, false, &ctx);
    cachet_cli_output out;
    if (r < 0) {
        r = cachet_cli_output_open(&out, o.cmd, o.out, false);
    }
    if (r < 0) {
        cachet_compress_opts co = {.raw = o.raw, .format = o.format};
        cachet_sink sink = cachet_cli_output_sink(&out);
        cachet_error err = {0};
        cachet_op *op = cachet_compress_new(ctx, &co, &sink, &err);
        r = op == NULL ? cachet_cli_new_failed(&o, &out, "cannot compress", &err)
                       : cachet_cli_generate(&o, op, &out, "compression failed");
    }
    cachet_ctx_free(ctx);
    cachet_cli_opts_free(&o);
    return r;
}

int cachet_cmd_decompress(int argc, char **argv) {
    cachet_cli_opts o;
    unsigned allowed = CACHET_OPT_BIT(CACHET_OPT_IN) | CACHET_OPT_BIT(CACHET_OPT_OUT) |
                       CACHET_OPT_BIT(CACHET_OPT_RAW);
    int r = cachet_cli_parse(&o, argc, argv, allowed);
    if (r >= 0) {
        cachet_cli_opts_free(&o);
        return r;
    }
    cachet_ctx *ctx = NULL;
    r = cachet_cli_make_ctx(&o, false, false, &ctx);
    cachet_cli_output out;
    if (r < 0) {
        r = cachet_cli_output_open(&out, o.cmd, o.out, false);
    }
    if (r < 0) {
        cachet_compress_opts co = {.raw = o.raw};
        cachet_sink sink = cachet_cli_output_sink(&out);
        cachet_error err = {0};
        cachet_op *op = cachet_decompress_new(ctx, &co, &sink, &err);
        r = op == NULL ? cachet_cli_new_failed(&o, &out, "cannot decompress", &err)
                       : cachet_cli_generate(&o, op, &out, "decompression failed");
    }
    cachet_ctx_free(ctx);
    cachet_cli_opts_free(&o);
    return r;
}
