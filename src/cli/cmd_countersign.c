/* cachet countersign: add a countersignature (RFC 5652 §11.4) to a signature
 * of a signed message: S/MIME (multipart/signed or opaque) or, with --raw or
 * --format der|pem, raw CMS. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct cs_choice {
    size_t index;
    bool all;
} cs_choice;

/* --signer N (0-based, in message order) or all; the first one by default. */
static int prepare(cachet_cli_opts *o, void *arg) {
    cs_choice *c = arg;
    if (o->signer == NULL) {
        return -1;
    }
    if (strcmp(o->signer, "all") == 0) {
        c->all = true;
        return -1;
    }
    char *end = NULL;
    errno = 0;
    unsigned long n = strtoul(o->signer, &end, 10);
    if (o->signer[0] < '0' || o->signer[0] > '9' || *end != '\0' || errno != 0 || n > 1000) {
        return cachet_cli_usage_error(o->cmd, "--signer takes a number from 0 or \"all\", not %s",
                                      o->signer);
    }
    c->index = (size_t)n;
    return -1;
}

static cachet_op *make(const cachet_cli_op_env *e) {
    const cs_choice *c = e->arg;
    cachet_countersign_opts co = {
        .signer = e->cred,
        .digest = e->o->digest,
        .pss = e->o->pss,
        .raw = e->o->raw,
        .format = e->o->format,
        .signer_index = c->index,
        .all_signers = c->all,
    };
    return cachet_countersign_new(e->ctx, &co, e->sink, e->err);
}

int cachet_cmd_countersign(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_GEN | CACHET_CLI_CRED_OPTS |
                   CACHET_OPT_BIT(CACHET_OPT_SIGNER) | CACHET_OPT_BIT(CACHET_OPT_CHAIN) |
                   CACHET_OPT_BIT(CACHET_OPT_DIGEST) | CACHET_OPT_BIT(CACHET_OPT_PSS),
        .format_rules = true,
        .cred = CACHET_CLI_CRED_REQUIRED,
        .cannot = "cannot countersign",
        .failed = "countersigning failed",
        .prepare = prepare,
        .make = make,
    };
    cs_choice choice = {0};
    return cachet_cli_op_main(argc, argv, &cmd, &choice);
}
