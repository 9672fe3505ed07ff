/* cachet encrypt: enveloped-data (CBC) or authEnveloped-data (GCM). A --to that
 * names an existing file is a certificate file; anything else is an address
 * looked up in the store (the library picks the certificate, checks it and,
 * without --cipher, the algorithms the recipients advertised). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

typedef struct recipients {
    cachet_cert **certs;
    size_t num;
    const char **addresses;
    size_t num_addresses;
} recipients;

/* is_address: local@domain with no slash (a path that does not exist is
 * reported as a missing file, not looked up). */
static bool is_address(const char *s) {
    const char *at = strchr(s, '@');
    return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
           strchr(s, '/') == NULL;
}

static int load_file(const cachet_cli_opts *o, const char *path, cachet_cert **out) {
    cachet_error err = {0};
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cachet_cli_errorf(o->cmd, "cannot open recipient certificate %s: %s", path,
                          strerror(errno));
        return CACHET_EXIT_USAGE;
    }
    fclose(f);
    if (cachet_cert_load_file(path, out, &err) != CACHET_OK) {
        cachet_cli_error(o->cmd, "loading a recipient certificate", &err);
        return CACHET_EXIT_USAGE;
    }
    return -1;
}

/* load_recipients requires --to and loads each certificate file it names. */
static int load_recipients(cachet_cli_opts *o, void *arg) {
    recipients *rc = arg;
    if (o->num_to == 0) {
        return cachet_cli_usage_error(o->cmd, "at least one --to CERT is required (a certificate "
                                              "file, or an address looked up in the store)");
    }
    rc->certs = calloc(o->num_to, sizeof(*rc->certs));
    rc->addresses = calloc(o->num_to, sizeof(*rc->addresses));
    if (rc->certs == NULL || rc->addresses == NULL) {
        return CACHET_EXIT_INPUT;
    }
    for (size_t i = 0; i < o->num_to; i++) {
        struct stat sb;
        if (stat(o->to[i], &sb) == 0 || !is_address(o->to[i])) {
            int r = load_file(o, o->to[i], &rc->certs[rc->num]);
            if (r >= 0) {
                return r;
            }
            rc->num++;
        } else {
            rc->addresses[rc->num_addresses++] = o->to[i];
        }
    }
    if (rc->num_addresses > 0) {
        o->need_store = true;
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
    eo.to_addresses = rc->addresses;
    eo.num_to_addresses = rc->num_addresses;
    /* Addresses bring what their owners advertised: the choice is the
     * library's unless --cipher says otherwise. */
    eo.cipher_auto = rc->num_addresses > 0 && !e->o->cipher_set;
    return cachet_encrypt_new(e->ctx, &eo, e->sink, e->err);
}

int cachet_cmd_encrypt(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_GEN | CACHET_OPT_BIT(CACHET_OPT_TO) |
                   CACHET_OPT_BIT(CACHET_OPT_CIPHER) | CACHET_OPT_BIT(CACHET_OPT_OAEP) |
                   CACHET_OPT_BIT(CACHET_OPT_ALLOW_WEAK) | CACHET_OPT_BIT(CACHET_OPT_STORE) |
                   CACHET_OPT_BIT(CACHET_OPT_REVOCATION),
        .format_rules = true,
        .cannot = "cannot encrypt",
        .failed = "encryption failed",
        .revocation_default = CACHET_REVOCATION_SOFT,
        .prepare = load_recipients,
        .make = make_encrypt};
    recipients rc = {0};
    int r = cachet_cli_op_main(argc, argv, &cmd, &rc);
    for (size_t i = 0; i < rc.num; i++) {
        cachet_cert_free(rc.certs[i]);
    }
    free(rc.certs);
    free((void *)rc.addresses);
    return r;
}
