/* cachet receipt: the signed receipt a signed message asks for (RFC 2634 §2.3,
 * §2.4). The request is verified first with the trust anchors given (no
 * receipt for a signature that does not verify); a triple-wrapped request is
 * opened with the receipt signer's own key. --email is the address we
 * received the message as (receiptList membership; default: any address of
 * the signer certificate). --to CERT (repeatable) encrypts the receipt (§2.4:
 * signed, enveloped with --cipher, signed again with contentHints
 * id-ct-receipt). */

#include "cli.h"

typedef struct receipt_args {
    cachet_cli_to to; /* --to certificate files, loaded */
} receipt_args;

static int load_to(cachet_cli_opts *o, void *arg) {
    receipt_args *a = arg;
    if (o->num_to == 0) {
        if (o->cipher_set) {
            return cachet_cli_usage_error(o->cmd, "--cipher encrypts the receipt: give the "
                                                  "recipients with --to CERT");
        }
        return -1;
    }
    if (o->raw || (o->format_set && o->format != CACHET_FORMAT_SMIME)) {
        return cachet_cli_usage_error(o->cmd,
                                      "an encrypted receipt (--to) is S/MIME: signed, enveloped "
                                      "and signed again (RFC 2634 section 2.4); %s does not apply",
                                      o->raw ? "--raw" : "--format");
    }
    return cachet_cli_load_to(o, false, &a->to);
}

static cachet_op *make_receipt(const cachet_cli_op_env *e) {
    const receipt_args *a = e->arg;
    cachet_receipt_opts ro = {.signer = e->cred,
                              .digest = e->o->digest,
                              .decrypt_with = e->cred,
                              .raw = e->o->raw,
                              .format = e->o->format,
                              .my_address = e->o->email,
                              .encrypt_to = a->to.certs,
                              .num_encrypt_to = a->to.num_certs,
                              .cipher = e->o->cipher};
    return cachet_receipt_new(e->ctx, &ro, e->sink, e->err);
}

int cachet_cmd_receipt(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_GEN | CACHET_CLI_CRED_OPTS | CACHET_OPT_BIT(CACHET_OPT_CHAIN) |
                   CACHET_OPT_BIT(CACHET_OPT_TRUST) | CACHET_OPT_BIT(CACHET_OPT_DIGEST) |
                   CACHET_OPT_BIT(CACHET_OPT_AT) | CACHET_OPT_BIT(CACHET_OPT_ALLOW_WEAK) |
                   CACHET_OPT_BIT(CACHET_OPT_ALLOW_LEGACY) |
                   CACHET_OPT_BIT(CACHET_OPT_NO_ADDRESS_CHECK) | CACHET_OPT_BIT(CACHET_OPT_EMAIL) |
                   CACHET_OPT_BIT(CACHET_OPT_STORE) | CACHET_OPT_BIT(CACHET_OPT_TO) |
                   CACHET_OPT_BIT(CACHET_OPT_CIPHER),
        .format_rules = true,
        .cred = CACHET_CLI_CRED_REQUIRED,
        .trust = true,
        .system_trust = true,
        .store_if_exists = true,
        .revocation_default = CACHET_REVOCATION_NONE,
        .cannot = "cannot make a receipt",
        .failed = "no receipt made",
        .prepare = load_to,
        .make = make_receipt};
    receipt_args a = {0};
    int r = cachet_cli_op_main(argc, argv, &cmd, &a);
    cachet_cli_to_free(&a.to);
    return r;
}
