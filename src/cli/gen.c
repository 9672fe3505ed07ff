/* What the subcommands that run one operation share: the --raw/--format rules
 * of the generating ones, and the driver from the command line to the output,
 * all or nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* output_format applies the --raw/--format rules: --format der|pem means raw CMS
 * (and so implies --raw); --raw alone means DER; smime with --raw is refused. */
int cachet_cli_output_format(cachet_cli_opts *o) {
    if (!o->format_set) {
        o->format = o->raw ? CACHET_FORMAT_DER : CACHET_FORMAT_SMIME;
        return -1;
    }
    if (o->format == CACHET_FORMAT_SMIME && o->raw) {
        return cachet_cli_usage_error(o->cmd, "--raw writes CMS: use --format der or pem");
    }
    if (o->format != CACHET_FORMAT_SMIME) {
        o->raw = true;
    }
    return -1;
}

/* generate runs |op| (already made) from --in to --out and reports failure. */
static int generate(const cachet_cli_opts *o, cachet_op *op, cachet_cli_output *out,
                    const char *what) {
    int in_fd = -1;
    int r = cachet_cli_open_input(o->cmd, o->in, &in_fd);
    if (r >= 0) {
        cachet_cli_output_abort(out);
        cachet_op_free(op);
        return r;
    }
    cachet_report *rep = NULL;
    cachet_error err;
    cachet_status st = cachet_cli_run(op, -1, in_fd, &rep, &err);
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_cli_close_input(in_fd);
    if (st != CACHET_OK) {
        cachet_cli_output_abort(out);
        cachet_cli_error(o->cmd, what, &err);
        return cachet_cli_exit_code(st);
    }
    return cachet_cli_output_commit(out, o->cmd);
}

static int new_failed(const cachet_cli_opts *o, cachet_cli_output *out, const char *what,
                      const cachet_error *err) {
    cachet_cli_output_abort(out);
    /* A recipient address without a usable certificate is "not found" (exit
     * 1), and the way out is to get that certificate into the store. */
    if (o->need_store && (err->status == CACHET_ERR_KEY || err->status == CACHET_ERR_UNTRUSTED) &&
        strstr(err->message, "certificate for") != NULL) {
        cachet_cli_error_hint(o->cmd, what, err, false);
        fprintf(stderr,
                "cachet %s: import the recipient's certificate (`cachet certs import FILE`), or "
                "verify a signed message from them with `cachet verify --harvest`\n",
                o->cmd);
        return CACHET_EXIT_FAIL;
    }
    cachet_cli_error(o->cmd, what, err);
    return err->status == CACHET_OK ? CACHET_EXIT_INPUT : cachet_cli_exit_code(err->status);
}

/* run_op makes the op writing to --out and runs it. */
static int run_op(const cachet_cli_opts *o, const cachet_cli_op_cmd *c, cachet_ctx *ctx,
                  cachet_store *store, cachet_credential *const *creds, size_t num_creds,
                  void *arg) {
    cachet_cli_output out;
    /* With --json the report owns stdout; the content goes only to --out. */
    int r = cachet_cli_output_open(&out, o->cmd, o->out, o->json && o->out == NULL);
    if (r >= 0) {
        return r;
    }
    cachet_sink sink = cachet_cli_output_sink(&out);
    cachet_error err = {0};
    cachet_cli_op_env env = {.o = o,
                             .ctx = ctx,
                             .store = store,
                             .cred = num_creds > 0 ? creds[0] : NULL,
                             .more_creds =
                                 num_creds > 1 ? (const cachet_credential *const *)creds + 1 : NULL,
                             .num_more_creds = num_creds > 1 ? num_creds - 1 : 0,
                             .arg = arg,
                             .sink = &sink,
                             .err = &err};
    cachet_op *op = c->make(&env);
    if (op == NULL) {
        return new_failed(o, &out, c->cannot, &err);
    }
    /* Made, with something to say (encrypt under the soft revocation policy:
     * a recipient whose status could not be had). */
    if (err.status == CACHET_OK && err.message[0] != '\0') {
        fprintf(stderr, "cachet %s: warning: ", o->cmd);
        cachet_cli_put_escaped(stderr, err.message);
        fputc('\n', stderr);
    }
    return c->failed != NULL ? generate(o, op, &out, c->failed)
                             : cachet_cli_check(o, op, &out, c->verifying);
}

/* credential_from_store loads the key of --as ADDRESS from the store. */
static int credential_from_store(const cachet_cli_opts *o, const cachet_cli_op_cmd *c,
                                 cachet_store *st, cachet_credential **out) {
    char *pass = NULL;
    int r = cachet_cli_read_pass(o->cmd, o->pass, &pass);
    if (r >= 0) {
        return r;
    }
    cachet_cli_protect_process();
    cachet_error err = {0};
    cachet_status s = cachet_credential_from_store(st, o->as, c->as_for_decrypt, pass, out, &err);
    cachet_cli_free_pass(pass);
    for (size_t i = 0; s == CACHET_OK && i < o->num_chain; i++) {
        if (cachet_credential_add_chain_file(*out, o->chain[i], &err) != CACHET_OK) {
            cachet_cli_error(o->cmd, "loading the chain", &err);
            cachet_credential_free(*out);
            *out = NULL;
            return CACHET_EXIT_USAGE;
        }
    }
    if (s == CACHET_OK) {
        return -1;
    }
    char what[400];
    snprintf(what, sizeof(what), "loading the %s key of %s from the store",
             c->as_for_decrypt ? "decryption" : "signing", o->as);
    if (s != CACHET_ERR_KEY && s != CACHET_ERR_USAGE) {
        return cachet_cli_store_error(o->cmd, what, st, &err);
    }
    cachet_cli_error_hint(o->cmd, what, &err, false);
    fprintf(stderr,
            "cachet %s: `cachet keys list` shows the stored keys; an encrypted key file needs "
            "--pass, a token key its PIN (in the URI or $CACHET_PIN)\n",
            o->cmd);
    return cachet_cli_store_exit(s);
}

/* open_store opens the store when the command and its options want it. */
static int open_store(const cachet_cli_opts *o, const cachet_cli_op_cmd *c, cachet_store **st) {
    bool asked = o->store != NULL || o->as != NULL || o->harvest || o->need_store;
    if (asked) {
        return cachet_cli_open_store(o, CACHET_CLI_STORE_CREATE, st);
    }
    if (c->store_if_exists) {
        return cachet_cli_open_store(o, CACHET_CLI_STORE_IF_EXISTS, st);
    }
    return -1;
}

int cachet_cli_op_main(int argc, char **argv, const cachet_cli_op_cmd *c, void *arg) {
    cachet_cli_opts o;
    int r = cachet_cli_parse(&o, argc, argv, c->allowed);
    if (r < 0) {
        r = cachet_cli_check_cred_opts(&o);
    }
    if (r < 0 && c->format_rules) {
        r = cachet_cli_output_format(&o);
    }
    if (r < 0 && c->prepare != NULL) {
        r = c->prepare(&o, arg);
    }
    cachet_store *store = NULL;
    if (r < 0) {
        r = open_store(&o, c, &store);
    }
    /* The keys: one from the store (--as), or every --cert/--key pair or --p12. */
    cachet_credential *from_store = NULL;
    cachet_credential **creds = NULL;
    size_t num_creds = 0;
    if (r < 0 && o.as != NULL) {
        r = credential_from_store(&o, c, store, &from_store);
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        creds = r < 0 ? calloc(1, sizeof(*creds)) : NULL;
        if (creds != NULL) {
            creds[0] = from_store;
            from_store = NULL;
            num_creds = 1;
        } else if (r < 0) {
            r = CACHET_EXIT_INPUT;
        }
    } else if (r < 0 && c->cred != CACHET_CLI_CRED_NONE) {
        r = cachet_cli_load_credentials(&o, c->cred == CACHET_CLI_CRED_REQUIRED, &creds,
                                        &num_creds);
    }
    cachet_ctx *ctx = NULL;
    if (r < 0) {
        r = cachet_cli_make_ctx(&o, c->trust, c->system_trust, &ctx);
    }
    if (r < 0 && store != NULL && cachet_ctx_use_store(ctx, store) != CACHET_OK) {
        r = cachet_cli_store_error(o.cmd, "reading the trust anchors of the store", store,
                                   cachet_ctx_error(ctx));
    }
    if (r < 0) {
        cachet_ctx_set_revocation(ctx, o.revocation_set ? o.revocation : c->revocation_default);
        r = run_op(&o, c, ctx, store, creds, num_creds, arg);
    }
    cachet_ctx_free(ctx);
    cachet_credential_free(from_store);
    cachet_cli_free_credentials(creds, num_creds);
    cachet_store_close(store);
    cachet_cli_opts_free(&o);
    return r;
}
