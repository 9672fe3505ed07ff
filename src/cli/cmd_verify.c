/* cachet verify: every signed layer, and enveloped layers too given a key;
 * --harvest stores what a valid, trusted signature brought; --receipt-for
 * checks a signed receipt against the original message (RFC 2634 §2.7);
 * --ml-identity names our mail list agent for loop detection (§4.2). */
#include "cli.h"

/* What make_verify loads and the op borrows until the end. */
typedef struct verify_extras {
    cachet_receipt_ref *receipt_for;
    cachet_cert *ml_identity;
} verify_extras;

static cachet_op *make_verify(const cachet_cli_op_env *e) {
    verify_extras *x = e->arg;
    if (e->o->receipt_for != NULL &&
        !cachet_cli_load_receipt_ref(e, e->o->receipt_for, &x->receipt_for)) {
        return NULL;
    }
    if (e->o->ml_identity != NULL &&
        cachet_cert_load_file(e->o->ml_identity, &x->ml_identity, e->err) != CACHET_OK) {
        e->err->status = CACHET_ERR_KEY; /* an unreadable certificate file is a usage error */
        return NULL;
    }
    cachet_verify_opts vo = {.decrypt_with = e->cred,
                             .raw = e->o->raw,
                             .detached = e->o->content != NULL,
                             .harvest = e->o->harvest,
                             .receipt_for = x->receipt_for,
                             .ml_identity = x->ml_identity};
    return cachet_verify_new(e->ctx, &vo, e->sink, e->err);
}

int cachet_cmd_verify(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_CHECK | CACHET_OPT_BIT(CACHET_OPT_CONTENT) |
                   CACHET_OPT_BIT(CACHET_OPT_AS) | CACHET_OPT_BIT(CACHET_OPT_STORE) |
                   CACHET_OPT_BIT(CACHET_OPT_HARVEST) | CACHET_OPT_BIT(CACHET_OPT_REVOCATION) |
                   CACHET_OPT_BIT(CACHET_OPT_RECEIPT_FOR) | CACHET_OPT_BIT(CACHET_OPT_ML_IDENTITY),
        .cred = CACHET_CLI_CRED_OPTIONAL,
        .trust = true,
        .system_trust = true,
        .store_if_exists = true,
        .as_for_decrypt = true,
        .revocation_default = CACHET_REVOCATION_NONE,
        .cannot = "cannot verify",
        .verifying = true,
        .make = make_verify};
    verify_extras x = {0};
    int rc = cachet_cli_op_main(argc, argv, &cmd, &x);
    cachet_receipt_ref_free(x.receipt_for);
    cachet_cert_free(x.ml_identity);
    return rc;
}
