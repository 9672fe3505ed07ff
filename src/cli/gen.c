/* What the generating subcommands (sign, encrypt, compress) share: the
 * --raw/--format rules and running the operation from input to output, all or
 * nothing. */
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
int cachet_cli_generate(const cachet_cli_opts *o, cachet_op *op, cachet_cli_output *out,
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

int cachet_cli_new_failed(const cachet_cli_opts *o, cachet_cli_output *out, const char *what,
                          const cachet_error *err) {
    cachet_cli_output_abort(out);
    cachet_cli_error(o->cmd, what, err);
    return err->status == CACHET_OK ? CACHET_EXIT_INPUT : cachet_cli_exit_code(err->status);
}
