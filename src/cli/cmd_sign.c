/* cachet sign: multipart/signed, opaque signed-data, or raw SignedData; the key
 * from files, a PKCS#12 file or the store (--as ADDRESS). */
#include "cli.h"

static cachet_op *make_sign(const cachet_cli_op_env *e) {
    const cachet_cli_opts *o = e->o;
    cachet_sign_opts so = {.signer = e->cred,
                           .digest = o->digest,
                           .opaque = o->opaque,
                           .pss = o->pss,
                           .raw = o->raw,
                           .format = o->format};
    return cachet_sign_new(e->ctx, &so, e->sink, e->err);
}

int cachet_cmd_sign(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_GEN | CACHET_CLI_CRED_OPTS | CACHET_OPT_BIT(CACHET_OPT_CHAIN) |
                   CACHET_OPT_BIT(CACHET_OPT_OPAQUE) | CACHET_OPT_BIT(CACHET_OPT_DIGEST) |
                   CACHET_OPT_BIT(CACHET_OPT_PSS) | CACHET_OPT_BIT(CACHET_OPT_AT) |
                   CACHET_OPT_BIT(CACHET_OPT_ALLOW_WEAK) | CACHET_OPT_BIT(CACHET_OPT_AS) |
                   CACHET_OPT_BIT(CACHET_OPT_STORE),
        .format_rules = true,
        .cred = CACHET_CLI_CRED_REQUIRED,
        .cannot = "cannot sign",
        .failed = "signing failed",
        .make = make_sign};
    return cachet_cli_op_main(argc, argv, &cmd, NULL);
}
