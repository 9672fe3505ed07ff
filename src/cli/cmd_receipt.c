/* cachet receipt: the signed receipt a signed message asks for (RFC 2634 §2.3,
 * §2.4). The request is verified first with the trust anchors given (no
 * receipt for a signature that does not verify); a triple-wrapped request is
 * opened with the receipt signer's own key. --email is the address we
 * received the message as (receiptList membership; default: any address of
 * the signer certificate). */
#include "cli.h"

static cachet_op *make_receipt(const cachet_cli_op_env *e) {
    cachet_receipt_opts ro = {.signer = e->cred,
                              .digest = e->o->digest,
                              .decrypt_with = e->cred,
                              .raw = e->o->raw,
                              .format = e->o->format,
                              .my_address = e->o->email};
    return cachet_receipt_new(e->ctx, &ro, e->sink, e->err);
}

int cachet_cmd_receipt(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_GEN | CACHET_CLI_CRED_OPTS | CACHET_OPT_BIT(CACHET_OPT_CHAIN) |
                   CACHET_OPT_BIT(CACHET_OPT_TRUST) | CACHET_OPT_BIT(CACHET_OPT_DIGEST) |
                   CACHET_OPT_BIT(CACHET_OPT_AT) | CACHET_OPT_BIT(CACHET_OPT_ALLOW_WEAK) |
                   CACHET_OPT_BIT(CACHET_OPT_ALLOW_LEGACY) |
                   CACHET_OPT_BIT(CACHET_OPT_NO_ADDRESS_CHECK) | CACHET_OPT_BIT(CACHET_OPT_EMAIL) |
                   CACHET_OPT_BIT(CACHET_OPT_STORE),
        .format_rules = true,
        .cred = CACHET_CLI_CRED_REQUIRED,
        .trust = true,
        .system_trust = true,
        .store_if_exists = true,
        .revocation_default = CACHET_REVOCATION_NONE,
        .cannot = "cannot make a receipt",
        .failed = "no receipt made",
        .make = make_receipt};
    return cachet_cli_op_main(argc, argv, &cmd, NULL);
}
