/* cachet certs import|list|find|export|remove|trust|untrust: the certificates
 * of the store. A fingerprint argument may be any unique prefix of at least 8
 * hex digits; printed fields come from certificates and are escaped. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CERTS_MAX_FILE (64u << 20) /* one input file */

/* begin parses argv and opens the store; |nargs| is the exact number of
 * arguments, or 0 for "one or more". Returns -1 to go on. */
static int begin(cachet_cli_opts *o, int argc, char **argv, uint64_t allowed, size_t nargs,
                 const char *arg_name, cachet_store **st) {
    *st = NULL;
    int r = cachet_cli_parse(o, argc, argv,
                             allowed | CACHET_OPT_BIT(CACHET_OPT_STORE) | CACHET_OPT_ARGS);
    if (r >= 0) {
        return r;
    }
    if (nargs == 0 && o->num_args == 0) {
        return cachet_cli_usage_error(o->cmd, "give at least one %s", arg_name);
    }
    if (nargs > 0 && o->num_args != nargs) {
        return o->num_args == 0
                   ? cachet_cli_usage_error(o->cmd, "give the %s", arg_name)
                   : cachet_cli_usage_error(o->cmd, "unexpected argument '%s' (one %s only)",
                                            o->args[nargs < o->num_args ? nargs : 0], arg_name);
    }
    return cachet_cli_open_store(o, CACHET_CLI_STORE_CREATE, st);
}

static int finish(cachet_cli_opts *o, cachet_store *st, int r) {
    cachet_store_close(st);
    cachet_cli_opts_free(o);
    return r;
}

/* ---- import ---- */

typedef struct input {
    const char *path;
    uint8_t *data;
    size_t len;
} input;

/* import_all imports every input in one all-or-nothing call; on failure the
 * error names the file and the exit status is returned. */
static int import_all(const cachet_cli_opts *o, cachet_store *st, const input *in, size_t n,
                      const char *pass, cachet_import_result *total) {
    memset(total, 0, sizeof(*total));
    cachet_import_input *many = calloc(n, sizeof(*many));
    if (many == NULL) {
        return CACHET_EXIT_INPUT;
    }
    for (size_t i = 0; i < n; i++) {
        many[i] = (cachet_import_input){.data = in[i].data, .len = in[i].len, .source = in[i].path};
    }
    cachet_error err = {0};
    cachet_status s = cachet_store_import_many(
        st, many, n, o->p12_flag ? pass : NULL,
        o->anchor ? CACHET_ORIGIN_ANCHOR : CACHET_ORIGIN_IMPORTED, total, &err);
    free(many);
    if (s == CACHET_OK) {
        return -1;
    }
    int r;
    if (s == CACHET_ERR_KEY && o->p12_flag) {
        cachet_cli_error_hint(o->cmd, "not imported", &err, false);
        fprintf(stderr, "cachet %s: check the PKCS#12 password (--pass)\n", o->cmd);
        r = CACHET_EXIT_USAGE;
    } else {
        r = cachet_cli_store_error(o->cmd, "not imported", st, &err);
    }
    fprintf(stderr, "cachet %s: nothing was stored\n", o->cmd);
    return r;
}

int cachet_cmd_certs_import(int argc, char **argv) {
    cachet_cli_opts o;
    cachet_store *st = NULL;
    int r = cachet_cli_parse(
        &o, argc, argv,
        CACHET_OPT_BIT(CACHET_OPT_STORE) | CACHET_OPT_ARGS | CACHET_OPT_BIT(CACHET_OPT_P12_FLAG) |
            CACHET_OPT_BIT(CACHET_OPT_PASS) | CACHET_OPT_BIT(CACHET_OPT_ANCHOR));
    if (r < 0 && o.num_args == 0) {
        r = cachet_cli_usage_error(o.cmd, "give at least one FILE to import");
    }
    if (r < 0 && o.pass != NULL && !o.p12_flag) {
        r = cachet_cli_usage_error(o.cmd, "--pass is for --p12 (PKCS#12 files)");
    }
    input *in = NULL;
    char *pass = NULL;
    if (r < 0) {
        /* num_args > 0 (usage error above): */
        /* NOLINTNEXTLINE(clang-analyzer-optin.portability.UnixAPI) */
        in = calloc(o.num_args, sizeof(*in));
        r = in == NULL ? CACHET_EXIT_INPUT : -1;
    }
    /* Every file is read before anything is stored: an unreadable one is a
     * usage error that leaves the store alone. */
    for (size_t i = 0; r < 0 && i < o.num_args; i++) {
        in[i].path = o.args[i];
        r = cachet_cli_read_file(o.cmd, o.p12_flag ? "PKCS#12 file" : "certificate file", o.args[i],
                                 CERTS_MAX_FILE, &in[i].data, &in[i].len);
    }
    if (r < 0) {
        r = cachet_cli_read_pass(o.cmd, o.pass, &pass);
    }
    const char *p12_pass = pass != NULL ? pass : "";
    if (r < 0) {
        r = cachet_cli_open_store(&o, CACHET_CLI_STORE_CREATE, &st);
    }
    cachet_import_result total = {0};
    if (r < 0) {
        r = import_all(&o, st, in, o.num_args, p12_pass, &total);
    }
    if (r < 0) {
        printf("imported %zu new, %zu already known\n", total.added, total.known);
        r = CACHET_EXIT_OK;
    }
    cachet_cli_free_pass(pass);
    for (size_t i = 0; in != NULL && i < o.num_args; i++) {
        free(in[i].data);
    }
    free(in);
    return finish(&o, st, r);
}

/* ---- list, find ---- */

static void print_infos(const cachet_cli_opts *o, const cachet_cert_info *infos, size_t num) {
    if (o->json) {
        cachet_cli_certs_json(stdout, infos, num);
        return;
    }
    for (size_t i = 0; i < num; i++) {
        cachet_cli_cert_line(stdout, &infos[i]);
    }
}

int cachet_cmd_certs_list(int argc, char **argv) {
    return cachet_cli_list_records(argc, argv, false);
}

int cachet_cmd_certs_find(int argc, char **argv) {
    cachet_cli_opts o;
    cachet_store *st = NULL;
    int r = begin(&o, argc, argv, CACHET_OPT_BIT(CACHET_OPT_JSON), 1, "ADDRESS", &st);
    if (r < 0 && strchr(o.args[0], '@') == NULL) {
        r = cachet_cli_usage_error(o.cmd, "'%s' is not an address (local@domain)", o.args[0]);
    }
    if (r < 0) {
        cachet_cert_info *infos = NULL;
        size_t num = 0;
        cachet_error err = {0};
        if (cachet_store_find(st, o.args[0], &infos, &num, &err) != CACHET_OK) {
            r = cachet_cli_store_error(o.cmd, "reading the store", st, &err);
        } else if (num == 0) {
            if (o.json) {
                cachet_cli_certs_json(stdout, infos, 0);
            }
            cachet_cli_errorf(o.cmd, "no certificate for %s in the store", o.args[0]);
            fprintf(stderr,
                    "cachet %s: import one with `cachet certs import FILE`, or verify a signed "
                    "message from this address with --harvest\n",
                    o.cmd);
            r = CACHET_EXIT_FAIL;
        } else {
            print_infos(&o, infos, num);
            r = CACHET_EXIT_OK;
        }
        cachet_cert_info_free(infos, num);
    }
    return finish(&o, st, r);
}

/* ---- export ---- */

int cachet_cmd_certs_export(int argc, char **argv) {
    cachet_cli_opts o;
    cachet_store *st = NULL;
    int r =
        begin(&o, argc, argv, CACHET_OPT_BIT(CACHET_OPT_OUT) | CACHET_OPT_BIT(CACHET_OPT_FORMAT), 1,
              "fingerprint (FP)", &st);
    if (r < 0 && o.format_set && o.format == CACHET_FORMAT_SMIME) {
        r = cachet_cli_usage_error(o.cmd, "--format must be pem or der (for a certs-only message "
                                          "use `cachet certs-only`)");
    }
    char fp[65];
    if (r < 0) {
        r = cachet_cli_resolve_fp(o.cmd, st, o.args[0], fp);
    }
    cachet_cli_output out;
    if (r < 0) {
        r = cachet_cli_output_open(&out, o.cmd, o.out, false);
    }
    if (r < 0) {
        cachet_sink sink = cachet_cli_output_sink(&out);
        cachet_error err = {0};
        bool pem = !o.format_set || o.format == CACHET_FORMAT_PEM;
        if (cachet_store_export(st, fp, pem, &sink, &err) != CACHET_OK) {
            cachet_cli_output_abort(&out);
            r = cachet_cli_store_error(o.cmd, "exporting the certificate", st, &err);
        } else {
            r = cachet_cli_output_commit(&out, o.cmd);
        }
    }
    return finish(&o, st, r);
}

/* ---- remove, trust, untrust ---- */

typedef enum fp_action { FP_REMOVE, FP_TRUST, FP_UNTRUST } fp_action;

static int on_fp(int argc, char **argv, fp_action action) {
    cachet_cli_opts o;
    cachet_store *st = NULL;
    int r = begin(&o, argc, argv, 0, 1, "fingerprint (FP)", &st);
    char fp[65];
    cachet_cert_info info;
    cachet_error err = {0};
    if (r < 0) {
        r = cachet_cli_resolve_fp_info(o.cmd, st, o.args[0], fp, &info);
    }
    if (r < 0) {
        cachet_status s;
        const char *done;
        if (action == FP_REMOVE) {
            s = cachet_store_remove(st, fp, &err);
            done = "removed";
        } else {
            s = cachet_store_trust(st, fp, action == FP_TRUST, &err);
            done = action == FP_TRUST ? "trust anchor" : "no longer a trust anchor";
        }
        if (s != CACHET_OK) {
            r = cachet_cli_store_error(o.cmd, "changing the store", st, &err);
        } else {
            printf("%s: %.16s ", done, fp);
            cachet_cli_put_escaped(stdout, info.subject);
            fputc('\n', stdout);
            if (action == FP_REMOVE && info.key_ref[0] != '\0') {
                /* A private key still opens mail sent to this certificate: removing
                 * the certificate never destroys it. */
                char ref[sizeof(info.key_ref)];
                cachet_cli_redact_key_ref(info.key_ref, ref, sizeof(ref));
                fprintf(stderr, "cachet %s: note: its private key is kept (", o.cmd);
                cachet_cli_put_escaped(stderr, ref);
                fprintf(stderr, "); delete it yourself once no mail encrypted to this "
                                "certificate needs reading\n");
            }
            if (action == FP_TRUST && !info.is_ca) {
                fprintf(stderr,
                        "cachet %s: warning: this certificate is not a CA: it is trusted for "
                        "itself only\n",
                        o.cmd);
            }
            r = CACHET_EXIT_OK;
        }
    }
    return finish(&o, st, r);
}

int cachet_cmd_certs_remove(int argc, char **argv) {
    return on_fp(argc, argv, FP_REMOVE);
}

int cachet_cmd_certs_trust(int argc, char **argv) {
    return on_fp(argc, argv, FP_TRUST);
}

int cachet_cmd_certs_untrust(int argc, char **argv) {
    return on_fp(argc, argv, FP_UNTRUST);
}
