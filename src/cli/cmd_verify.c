/* cachet verify: every signed layer, and enveloped layers too given a key;
 * --harvest stores what a valid, trusted signature brought. */
#include "cli.h"

static cachet_op *make_verify(const cachet_cli_op_env *e) {
    cachet_verify_opts vo = {.decrypt_with = e->cred,
                             .raw = e->o->raw,
                             .detached = e->o->content != NULL,
                             .harvest = e->o->harvest};
    return cachet_verify_new(e->ctx, &vo, e->sink, e->err);
}

int cachet_cmd_verify(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_CHECK | CACHET_OPT_BIT(CACHET_OPT_CONTENT) |
                   CACHET_OPT_BIT(CACHET_OPT_AS) | CACHET_OPT_BIT(CACHET_OPT_STORE) |
                   CACHET_OPT_BIT(CACHET_OPT_HARVEST) | CACHET_OPT_BIT(CACHET_OPT_REVOCATION),
        .cred = CACHET_CLI_CRED_OPTIONAL,
        .trust = true,
        .system_trust = true,
        .store_if_exists = true,
        .as_for_decrypt = true,
        .revocation_default = CACHET_REVOCATION_NONE,
        .cannot = "cannot verify",
        .verifying = true,
        .make = make_verify};
    return cachet_cli_op_main(argc, argv, &cmd, NULL);
}
