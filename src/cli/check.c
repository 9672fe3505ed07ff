/* What verify and decrypt share: run the reading operation, then the report
 * (JSON on stdout, or the human summary on stderr) and the output, committed
 * only on success. */
#include <string.h>

#include "cli.h"

int cachet_cli_check(const cachet_cli_opts *o, cachet_op *op, cachet_cli_output *out,
                     bool verifying) {
    int in_fd = -1, content_fd = -1;
    int r = cachet_cli_open_input(o->cmd, o->in, &in_fd);
    if (r < 0 && o->content != NULL) {
        r = cachet_cli_open_input(o->cmd, o->content, &content_fd);
        if (r < 0 && content_fd == in_fd) {
            r = cachet_cli_usage_error(o->cmd, "--content and the input cannot both be stdin");
        }
    }
    if (r >= 0) {
        cachet_cli_close_input(in_fd);
        cachet_cli_output_abort(out);
        cachet_op_free(op);
        return r;
    }
    cachet_report *rep = NULL;
    cachet_error err;
    cachet_status st = cachet_cli_run(op, content_fd, in_fd, &rep, &err);
    cachet_op_free(op);
    cachet_cli_close_input(in_fd);
    cachet_cli_close_input(content_fd);
    if (o->json) {
        cachet_cli_json_report(stdout, rep, st, &err);
        fflush(stdout);
        if (st != CACHET_OK) {
            cachet_cli_error_hint(o->cmd, verifying ? "verification failed" : "decryption failed",
                                  &err, false);
            const char *h =
                cachet_cli_report_hint(rep, err.status != CACHET_OK ? err.status : st, err.message);
            if (h != NULL) {
                fprintf(stderr, "cachet %s: %s\n", o->cmd, h);
            }
        }
    } else {
        cachet_cli_summary(o->cmd, rep, st, &err, verifying);
    }
    cachet_report_free(rep);
    if (st != CACHET_OK) {
        cachet_cli_output_abort(out);
        return cachet_cli_exit_code(st);
    }
    return cachet_cli_output_commit(out, o->cmd);
}
