/* cachet decrypt: every enveloped layer, and signed layers too given --trust or
 * an anchor in the store (without one a signed layer is output intact). */
#include "cli.h"

/* store_has_anchor: the store holds a trust anchor, so signed layers can be
 * checked as with --trust. */
static bool store_has_anchor(cachet_store *st) {
    cachet_cert_info *infos = NULL;
    size_t num = 0;
    cachet_error err = {0};
    bool found = false;
    if (st != NULL && cachet_store_list(st, &infos, &num, &err) == CACHET_OK) {
        for (size_t i = 0; i < num && !found; i++) {
            found = infos[i].origin == CACHET_ORIGIN_ANCHOR;
        }
        cachet_cert_info_free(infos, num);
    }
    return found;
}

static cachet_op *make_decrypt(const cachet_cli_op_env *e) {
    cachet_decrypt_opts dopts = {.cred = e->cred,
                                 .verify_signed = e->o->num_trust > 0 || store_has_anchor(e->store),
                                 .raw = e->o->raw};
    return cachet_decrypt_new(e->ctx, &dopts, e->sink, e->err);
}

int cachet_cmd_decrypt(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_CHECK | CACHET_OPT_BIT(CACHET_OPT_AS) |
                   CACHET_OPT_BIT(CACHET_OPT_STORE) | CACHET_OPT_BIT(CACHET_OPT_REVOCATION),
        .cred = CACHET_CLI_CRED_REQUIRED,
        /* --trust files only: signed layers are checked only when they are given. */
        .trust = true,
        .store_if_exists = true,
        .as_for_decrypt = true,
        .revocation_default = CACHET_REVOCATION_NONE,
        .cannot = "cannot decrypt",
        .make = make_decrypt};
    return cachet_cli_op_main(argc, argv, &cmd, NULL);
}
