/* cachet decrypt: every enveloped layer, and signed layers too given --trust
 * (without it a signed layer is output intact). */
#include "cli.h"

static cachet_op *make_decrypt(const cachet_cli_op_env *e) {
    cachet_decrypt_opts dopts = {
        .cred = e->cred, .verify_signed = e->o->num_trust > 0, .raw = e->o->raw};
    return cachet_decrypt_new(e->ctx, &dopts, e->sink, e->err);
}

int cachet_cmd_decrypt(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_CHECK,
        .cred = CACHET_CLI_CRED_REQUIRED,
        /* --trust files only: signed layers are checked only when they are given. */
        .trust = true,
        .cannot = "cannot decrypt",
        .make = make_decrypt};
    return cachet_cli_op_main(argc, argv, &cmd, NULL);
}
