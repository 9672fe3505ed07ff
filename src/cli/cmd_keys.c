/* cachet keys import|list: private keys are kept where they are (a file with
 * tight permissions, or a PKCS#11 token) and the store only references them. */
#include <errno.h>
#include <string.h>

#include "cli.h"

static int check_readable(const char *cmd, const char *what, const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cachet_cli_errorf(cmd, "cannot open %s %s: %s", what, path, strerror(errno));
        return CACHET_EXIT_USAGE;
    }
    fclose(f);
    return -1;
}

/* check_source: exactly one of --p12 F, --key F --cert F, --pkcs11 URI [--cert F]. */
static int check_source(const cachet_cli_opts *o) {
    int kinds = (o->p12 != NULL) + (o->key != NULL) + (o->pkcs11 != NULL);
    if (kinds != 1) {
        return cachet_cli_usage_error(o->cmd, kinds == 0 ? "give --p12 F, --key F --cert F or "
                                                           "--pkcs11 URI"
                                                         : "give one of --p12, --key, --pkcs11");
    }
    if (o->key != NULL && o->cert == NULL) {
        return cachet_cli_usage_error(o->cmd, "--key F needs --cert F (the key's certificate)");
    }
    if (o->p12 != NULL && o->cert != NULL) {
        return cachet_cli_usage_error(o->cmd, "--cert does not apply to --p12 (the certificate "
                                              "is in the PKCS#12 file)");
    }
    if (o->pkcs11 != NULL && strncmp(o->pkcs11, "pkcs11:", 7) != 0) {
        return cachet_cli_usage_error(o->cmd, "--pkcs11 takes an RFC 7512 URI (pkcs11:...)");
    }
    if (o->pkcs11 != NULL && o->pass != NULL) {
        return cachet_cli_usage_error(o->cmd, "a token PIN goes in the URI (pin-source=) or "
                                              "$CACHET_PIN, not --pass");
    }
    int r = -1;
    if (o->p12 != NULL) {
        r = check_readable(o->cmd, "PKCS#12 file", o->p12);
    }
    if (r < 0 && o->key != NULL) {
        r = check_readable(o->cmd, "key file", o->key);
    }
    if (r < 0 && o->cert != NULL) {
        r = check_readable(o->cmd, "certificate file", o->cert);
    }
    return r;
}

/* report_imported prints what the key belongs to. */
static void report_imported(cachet_store *st, const cachet_import_result *res) {
    cachet_cert_info *keys = NULL;
    size_t num = 0;
    cachet_error err = {0};
    if (cachet_store_list_keys(st, &keys, &num, &err) == CACHET_OK) {
        for (size_t i = 0; i < num; i++) {
            if (strcmp(keys[i].fingerprint, res->first_fp) == 0) {
                fputs("imported key: ", stdout);
                cachet_cli_key_line(stdout, &keys[i]);
                cachet_cert_info_free(keys, num);
                return;
            }
        }
        cachet_cert_info_free(keys, num);
    }
    printf("imported key for certificate %.16s\n", res->first_fp);
}

int cachet_cmd_keys_import(int argc, char **argv) {
    cachet_cli_opts o;
    cachet_store *st = NULL;
    int r =
        cachet_cli_parse(&o, argc, argv,
                         CACHET_OPT_BIT(CACHET_OPT_STORE) | CACHET_OPT_BIT(CACHET_OPT_P12) |
                             CACHET_OPT_BIT(CACHET_OPT_KEY) | CACHET_OPT_BIT(CACHET_OPT_CERT) |
                             CACHET_OPT_BIT(CACHET_OPT_PKCS11) | CACHET_OPT_BIT(CACHET_OPT_PASS));
    if (r < 0) {
        r = check_source(&o);
    }
    char *pass = NULL;
    if (r < 0) {
        r = cachet_cli_read_pass(o.cmd, o.pass, &pass);
    }
    if (r < 0) {
        r = cachet_cli_open_store(&o, CACHET_CLI_STORE_CREATE, &st);
    }
    if (r < 0) {
        cachet_cli_protect_process();
        cachet_import_result res = {0};
        cachet_error err = {0};
        cachet_status s;
        if (o.p12 != NULL) {
            s = cachet_store_import_key_p12(st, o.p12, pass, NULL, &res, &err);
        } else if (o.key != NULL) {
            s = cachet_store_import_key_files(st, o.key, o.cert, pass, &res, &err);
        } else {
            s = cachet_store_import_key_pkcs11(st, o.pkcs11, o.cert, &res, &err);
        }
        if (s != CACHET_OK) {
            const char *src = o.p12 != NULL ? o.p12 : o.key != NULL ? o.key : "the token key";
            char what[600];
            snprintf(what, sizeof(what), "importing %s", src);
            r = cachet_cli_store_error(o.cmd, what, st, &err);
            if (s == CACHET_ERR_KEY && o.pkcs11 != NULL) {
                fprintf(stderr,
                        "cachet %s: check the URI, the module and the PIN (pin-source= or "
                        "$CACHET_PIN)\n",
                        o.cmd);
            }
            fprintf(stderr, "cachet %s: nothing was stored\n", o.cmd);
        } else {
            report_imported(st, &res);
            r = CACHET_EXIT_OK;
        }
    }
    cachet_cli_free_pass(pass);
    cachet_store_close(st);
    cachet_cli_opts_free(&o);
    return r;
}

int cachet_cmd_keys_list(int argc, char **argv) {
    return cachet_cli_list_records(argc, argv, true);
}
