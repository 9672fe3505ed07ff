/* cli/recipients: the --to options of encrypt, sign --triple-wrap and receipt.
 * A --to that names an existing file is a certificate file; anything shaped
 * like an address is looked up in the store (when the command takes addresses). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* is_address: local@domain with no slash (a path that does not exist is
 * reported as a missing file, not looked up). */
static bool is_address(const char *s) {
    const char *at = strchr(s, '@');
    return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
           strchr(s, '/') == NULL;
}

static int load_file(const char *cmd, const char *path, cachet_cert **out) {
    cachet_error err = {0};
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cachet_cli_errorf(cmd, "cannot open recipient certificate %s: %s", path, strerror(errno));
        return CACHET_EXIT_USAGE;
    }
    fclose(f);
    if (cachet_cert_load_file(path, out, &err) != CACHET_OK) {
        cachet_cli_error(cmd, "loading a recipient certificate", &err);
        return CACHET_EXIT_USAGE;
    }
    return -1;
}

int cachet_cli_load_to(cachet_cli_opts *o, bool addresses, cachet_cli_to *out) {
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
    out->certs = calloc(o->num_to + 1, sizeof(*out->certs));
    out->addresses = calloc(o->num_to + 1, sizeof(*out->addresses));
    if (out->certs == NULL || out->addresses == NULL) {
        return CACHET_EXIT_INPUT;
    }
    for (size_t i = 0; i < o->num_to; i++) {
        struct stat sb;
        if (addresses && stat(o->to[i], &sb) != 0 && is_address(o->to[i])) {
            out->addresses[out->num_addresses++] = o->to[i];
            continue;
        }
        int r = load_file(o->cmd, o->to[i], &out->certs[out->num_certs]);
        if (r >= 0) {
            return r;
        }
        out->num_certs++;
    }
    if (out->num_addresses > 0) {
        o->need_store = true;
    }
    return -1;
}

void cachet_cli_to_free(cachet_cli_to *t) {
    for (size_t i = 0; i < t->num_certs; i++) {
        cachet_cert_free(t->certs[i]);
    }
    free(t->certs);
    free((void *)t->addresses);
    memset(t, 0, sizeof(*t));
}
