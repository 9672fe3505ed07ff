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
    cachet_cli_error(o->cmd, what, err);
    return err->status == CACHET_OK ? CACHET_EXIT_INPUT : cachet_cli_exit_code(err->status);
}

/* run_op makes the op writing to --out and runs it. */
static int run_op(const cachet_cli_opts *o, const cachet_cli_op_cmd *c, cachet_ctx *ctx,
                  cachet_credential *cred, void *arg) {
    cachet_cli_output out;
    /* With --json the report owns stdout; the content goes only to --out. */
    int r = cachet_cli_output_open(&out, o->cmd, o->out, o->json && o->out == NULL);
    if (r >= 0) {
        return r;
    }
    cachet_sink sink = cachet_cli_output_sink(&out);
    cachet_error err = {0};
    cachet_cli_op_env env = {
        .o = o, .ctx = ctx, .cred = cred, .arg = arg, .sink = &sink, .err = &err};
    cachet_op *op = c->make(&env);
    if (op == NULL) {
        return new_failed(o, &out, c->cannot, &err);
    }
    return c->failed != NULL ? generate(o, op, &out, c->failed)
                             : cachet_cli_check(o, op, &out, c->verifying);
}

int cachet_cli_op_main(int argc, char **argv, const cachet_cli_op_cmd *c, void *arg) {
    cachet_cli_opts o;
    int r = cachet_cli_parse(&o, argc, argv, c->allowed);
    if (r < 0 && c->format_rules) {
        r = cachet_cli_output_format(&o);
    }
    if (r < 0 && c->prepare != NULL) {
        r = c->prepare(&o, arg);
    }
    cachet_credential *cred = NULL;
    if (r < 0 && c->cred != CACHET_CLI_CRED_NONE) {
        r = cachet_cli_load_credential(&o, c->cred == CACHET_CLI_CRED_REQUIRED, &cred);
    }
    cachet_ctx *ctx = NULL;
    if (r < 0) {
        r = cachet_cli_make_ctx(&o, c->trust, c->system_trust, &ctx);
    }
    if (r < 0) {
        r = run_op(&o, c, ctx, cred, arg);
    }
    cachet_ctx_free(ctx);
    cachet_credential_free(cred);
    cachet_cli_opts_free(&o);
    return r;
}
