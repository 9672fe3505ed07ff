/* cachet decrypt: every enveloped and encrypted layer, and signed layers too
 * given --trust or an anchor in the store (without one a signed layer is output
 * intact). What opens the message: any number of --cert/--key pairs or --p12
 * files (or --as), --secret-key [--key-id] keys and one password; the library
 * uses the first RecipientInfo addressed to one of them. */
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

/* prepare_secrets: something to decrypt with, at most one password; then the
 * keys and the password are read. */
static int prepare_secrets(cachet_cli_opts *o, void *arg) {
    cachet_cli_secrets *secrets = arg;
    int r = cachet_cli_check_secret_opts(o);
    if (r >= 0) {
        return r;
    }
    if (o->cert == NULL && o->p12 == NULL && o->as == NULL && o->num_secrets == 0 &&
        o->num_passwords == 0) {
        /* The first words are those of the other commands that need a key. */
        return cachet_cli_usage_error(
            o->cmd, "--cert F --key F (or --p12 F) is required, or --as ADDRESS, "
                    "--secret-key HEX [--key-id ID], --password-file F or --password-env VAR: "
                    "nothing to decrypt with");
    }
    if (o->num_passwords > 1) {
        return cachet_cli_usage_error(o->cmd,
                                      "decrypt takes one password (%zu given): a message "
                                      "is opened with its first password recipient",
                                      o->num_passwords);
    }
    return cachet_cli_load_secrets(o, secrets);
}

static cachet_op *make_decrypt(const cachet_cli_op_env *e) {
    const cachet_cli_secrets *secrets = e->arg;
    cachet_decrypt_opts dopts = {.cred = e->cred,
                                 .more_creds = e->more_creds,
                                 .num_more_creds = e->num_more_creds,
                                 .secret_keys = secrets->keys,
                                 .num_secret_keys = secrets->num_keys,
                                 .password =
                                     secrets->num_passwords > 0 ? secrets->passwords[0] : NULL,
                                 .verify_signed = e->o->num_trust > 0 || store_has_anchor(e->store),
                                 .raw = e->o->raw};
    return cachet_decrypt_new(e->ctx, &dopts, e->sink, e->err);
}

int cachet_cmd_decrypt(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_CHECK | CACHET_OPT_MULTI_CRED | CACHET_OPT_BIT(CACHET_OPT_AS) |
                   CACHET_OPT_BIT(CACHET_OPT_STORE) | CACHET_OPT_BIT(CACHET_OPT_REVOCATION) |
                   CACHET_OPT_BIT(CACHET_OPT_SECRET_KEY) | CACHET_OPT_BIT(CACHET_OPT_KEY_ID) |
                   CACHET_OPT_BIT(CACHET_OPT_PASSWORD) | CACHET_OPT_BIT(CACHET_OPT_PASSWORD_FILE) |
                   CACHET_OPT_BIT(CACHET_OPT_PASSWORD_ENV),
        .cred = CACHET_CLI_CRED_OPTIONAL,
        /* --trust files only: signed layers are checked only when they are given. */
        .trust = true,
        .store_if_exists = true,
        .as_for_decrypt = true,
        .revocation_default = CACHET_REVOCATION_NONE,
        .cannot = "cannot decrypt",
        .prepare = prepare_secrets,
        .make = make_decrypt};
    cachet_cli_secrets secrets = {0};
    int r = cachet_cli_op_main(argc, argv, &cmd, &secrets);
    cachet_cli_free_secrets(&secrets);
    return r;
}
