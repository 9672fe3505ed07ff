/* cachet verify: every signed layer, and enveloped layers too given a key. */
#include "cli.h"

static cachet_op *make_verify(const cachet_cli_op_env *e) {
    cachet_verify_opts vo = {
        .decrypt_with = e->cred, .raw = e->o->raw, .detached = e->o->content != NULL};
    return cachet_verify_new(e->ctx, &vo, e->sink, e->err);
}

int cachet_cmd_verify(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {.allowed = CACHET_CLI_COMMON_CHECK |
                                                     CACHET_OPT_BIT(CACHET_OPT_CONTENT),
                                          .cred = CACHET_CLI_CRED_OPTIONAL,
                                          .trust = true,
                                          .system_trust = true,
                                          .cannot = "cannot verify",
                                          .verifying = true,
                                          .make = make_verify};
    return cachet_cli_op_main(argc, argv, &cmd, NULL);
}
