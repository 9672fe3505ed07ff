/* cachet encrypt: enveloped-data (CBC) or authEnveloped-data (GCM). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct recipients {
    cachet_cert **certs;
    size_t num;
} recipients;

/* load_recipients requires --to and loads each certificate it names. */
static int load_recipients(const cachet_cli_opts *o, void *arg) {
    recipients *rc = arg;
    if (o->num_to == 0) {
        return cachet_cli_usage_error(o->cmd, "at least one --to CERT is required");
    }
    rc->certs = calloc(o->num_to, sizeof(*rc->certs));
    if (rc->certs == NULL) {
        return CACHET_EXIT_INPUT;
    }
    rc->num = o->num_to;
    for (size_t i = 0; i < o->num_to; i++) {
        cachet_error err = {0};
        FILE *f = fopen(o->to[i], "rb");
        if (f == NULL) {
            cachet_cli_errorf(o->cmd, "cannot open recipient certificate %s: %s", o->to[i],
                              strerror(errno));
            return CACHET_EXIT_USAGE;
        }
        fclose(f);
        if (cachet_cert_load_file(o->to[i], &rc->certs[i], &err) != CACHET_OK) {
            cachet_cli_error(o->cmd, "loading a recipient certificate", &err);
            return CACHET_EXIT_USAGE;
        }
    }
    return -1;
}

static cachet_op *make_encrypt(const cachet_cli_op_env *e) {
    const recipients *rc = e->arg;
    cachet_encrypt_opts eo = {.recipients = rc->certs, .num_recipients = rc->num};
    eo.cipher = e->o->cipher;
    eo.oaep = e->o->oaep;
    eo.raw = e->o->raw;
    eo.format = e->o->format;
    return cachet_encrypt_new(e->ctx, &eo, e->sink, e->err);
}

int cachet_cmd_encrypt(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_GEN | CACHET_OPT_BIT(CACHET_OPT_TO) |
                   CACHET_OPT_BIT(CACHET_OPT_CIPHER) | CACHET_OPT_BIT(CACHET_OPT_OAEP) |
                   CACHET_OPT_BIT(CACHET_OPT_ALLOW_WEAK),
        .format_rules = true,
        .cannot = "cannot encrypt",
        .failed = "encryption failed",
        .prepare = load_recipients,
        .make = make_encrypt};
    recipients rc = {0};
    int r = cachet_cli_op_main(argc, argv, &cmd, &rc);
    for (size_t i = 0; i < rc.num; i++) {
        cachet_cert_free(rc.certs[i]);
    }
    free(rc.certs);
    return r;
}
