/* cachet compress / decompress: CompressedData (RFC 3274, zlib). */
#include "cli.h"

static cachet_op *make_compress(const cachet_cli_op_env *e) {
    cachet_compress_opts co = {.raw = e->o->raw, .format = e->o->format};
    /* checked, but CompressedData stays indefinite (the compressed size is not known) */
    co.content_size_known = cachet_cli_input_size(e->o, &co.content_size);
    return cachet_compress_new(e->ctx, &co, e->sink, e->err);
}

static cachet_op *make_decompress(const cachet_cli_op_env *e) {
    cachet_compress_opts co = {.raw = e->o->raw};
    return cachet_decompress_new(e->ctx, &co, e->sink, e->err);
}

int cachet_cmd_compress(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {.allowed = CACHET_CLI_COMMON_GEN,
                                          .format_rules = true,
                                          .cannot = "cannot compress",
                                          .failed = "compression failed",
                                          .make = make_compress};
    return cachet_cli_op_main(argc, argv, &cmd, NULL);
}

int cachet_cmd_decompress(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_OPT_BIT(CACHET_OPT_IN) | CACHET_OPT_BIT(CACHET_OPT_OUT) |
                   CACHET_OPT_BIT(CACHET_OPT_RAW) | CACHET_OPT_BIT(CACHET_OPT_LIMIT),
        .cannot = "cannot decompress",
        .failed = "decompression failed",
        .make = make_decompress};
    return cachet_cli_op_main(argc, argv, &cmd, NULL);
}
