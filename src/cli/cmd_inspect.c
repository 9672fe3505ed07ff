/* cachet inspect: the layers of a message, without keys or trust (signatures
 * are not checked). Human text or --json on stdout. */
#include "cli.h"

int cachet_cmd_inspect(int argc, char **argv) {
    cachet_cli_opts o;
    uint64_t allowed = CACHET_OPT_BIT(CACHET_OPT_IN) | CACHET_OPT_BIT(CACHET_OPT_RAW) |
                       CACHET_OPT_BIT(CACHET_OPT_JSON) | CACHET_OPT_BIT(CACHET_OPT_LIMIT);
    int r = cachet_cli_parse(&o, argc, argv, allowed);
    if (r >= 0) {
        cachet_cli_opts_free(&o);
        return r;
    }
    cachet_ctx *ctx = NULL;
    int in_fd = -1;
    r = cachet_cli_make_ctx(&o, false, false, &ctx);
    if (r < 0) {
        r = cachet_cli_open_input(o.cmd, o.in, &in_fd);
    }
    if (r < 0) {
        cachet_error err = {0};
        cachet_op *op = cachet_inspect_new(ctx, o.raw, &err);
        if (op == NULL) {
            cachet_cli_error(o.cmd, "cannot inspect", &err);
            r = cachet_cli_exit_code(err.status != CACHET_OK ? err.status : CACHET_ERR_INTERNAL);
        } else {
            cachet_report *rep = NULL;
            cachet_status st = cachet_cli_run(op, -1, in_fd, &rep, &err);
            cachet_op_free(op);
            if (o.json) {
                cachet_cli_json_report(stdout, rep, st, &err);
            } else if (rep != NULL) {
                cachet_cli_describe(stdout, rep);
            }
            cachet_report_free(rep);
            if (st != CACHET_OK) {
                cachet_cli_error(o.cmd, "reading the message failed", &err);
            }
            r = cachet_cli_exit_code(st);
        }
        cachet_cli_close_input(in_fd);
    }
    cachet_ctx_free(ctx);
    cachet_cli_opts_free(&o);
    return r;
}
