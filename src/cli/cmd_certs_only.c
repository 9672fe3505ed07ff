/* cachet certs-only: a certs-only message (RFC 8551 §3.8) carrying certificates
 * given as files or as fingerprints of stored ones. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* from_store loads a stored certificate by (a prefix of) its fingerprint. */
static int from_store(const cachet_cli_opts *o, cachet_store *st, const char *fp,
                      cachet_cert **out) {
    char full[65];
    int r = cachet_cli_resolve_fp(o->cmd, st, fp, full);
    if (r >= 0) {
        return r;
    }
    cachet_error err = {0};
    if (cachet_store_load_cert(st, full, out, &err) != CACHET_OK) {
        return cachet_cli_store_error(o->cmd, "reading the certificate from the store", st, &err);
    }
    return -1;
}

/* load_cert: an existing file is a certificate file (its first certificate),
 * anything else a fingerprint in the store. */
static int load_cert(const cachet_cli_opts *o, cachet_store **st, const char *arg,
                     cachet_cert **out) {
    struct stat sb;
    if (stat(arg, &sb) == 0) {
        cachet_error err = {0};
        if (cachet_cert_load_file(arg, out, &err) != CACHET_OK) {
            char what[600];
            snprintf(what, sizeof(what), "loading the certificate %s", arg);
            cachet_cli_error(o->cmd, what, &err);
            return CACHET_EXIT_USAGE;
        }
        return -1;
    }
    if (strchr(arg, '/') != NULL || strchr(arg, '.') != NULL) {
        cachet_cli_errorf(o->cmd, "cannot open certificate file %s: %s", arg, strerror(errno));
        return CACHET_EXIT_USAGE;
    }
    if (*st == NULL) {
        int r = cachet_cli_open_store(o, CACHET_CLI_STORE_CREATE, st);
        if (r >= 0) {
            return r;
        }
    }
    return from_store(o, *st, arg, out);
}

int cachet_cmd_certs_only(int argc, char **argv) {
    cachet_cli_opts o;
    int r = cachet_cli_parse(&o, argc, argv,
                             CACHET_OPT_BIT(CACHET_OPT_OUT) | CACHET_OPT_BIT(CACHET_OPT_FORMAT) |
                                 CACHET_OPT_BIT(CACHET_OPT_STORE) | CACHET_OPT_ARGS);
    if (r < 0 && o.num_args == 0) {
        r = cachet_cli_usage_error(o.cmd, "give at least one certificate (a file or the "
                                          "fingerprint of a stored one)");
    }
    cachet_cert **certs = NULL;
    size_t num = 0;
    cachet_store *st = NULL;
    if (r < 0) {
        /* pointer array; num_args > 0 (usage error above): */
        /* NOLINTNEXTLINE(bugprone-sizeof-expression,clang-analyzer-optin.portability.UnixAPI) */
        certs = calloc(o.num_args, sizeof(*certs));
        r = certs == NULL ? CACHET_EXIT_INPUT : -1;
    }
    for (size_t i = 0; r < 0 && i < o.num_args; i++) {
        r = load_cert(&o, &st, o.args[i], &certs[num]);
        if (r < 0) {
            num++;
        }
    }
    cachet_cli_output out;
    if (r < 0) {
        r = cachet_cli_output_open(&out, o.cmd, o.out, false);
    }
    if (r < 0) {
        cachet_sink sink = cachet_cli_output_sink(&out);
        cachet_error err = {0};
        cachet_format fmt = o.format_set ? o.format : CACHET_FORMAT_SMIME;
        if (cachet_certs_only_make(certs, num, fmt, &sink, &err) != CACHET_OK) {
            cachet_cli_output_abort(&out);
            cachet_cli_error(o.cmd, "cannot make the certs-only message", &err);
            r = cachet_cli_exit_code(err.status != CACHET_OK ? err.status : CACHET_ERR_INTERNAL);
        } else {
            r = cachet_cli_output_commit(&out, o.cmd);
        }
    }
    for (size_t i = 0; i < num; i++) {
        cachet_cert_free(certs[i]);
    }
    free(certs);
    cachet_store_close(st);
    cachet_cli_opts_free(&o);
    return r;
}
