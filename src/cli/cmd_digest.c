/* cachet digest: DigestedData (RFC 5652 §7), integrity without a signature:
 * anyone can recompute the digest after changing the content, so it proves
 * nothing about who sent it (verify reports it as "digested", never signed). */
#include "cli.h"

static cachet_op *make_digest(const cachet_cli_op_env *e) {
    cachet_digest_opts dopts = {.digest = e->o->digest, .raw = e->o->raw, .format = e->o->format};
    dopts.content_size_known = cachet_cli_input_size(e->o, &dopts.content_size);
    return cachet_digest_new(e->ctx, &dopts, e->sink, e->err);
}

int cachet_cmd_digest(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {.allowed = CACHET_CLI_COMMON_GEN |
                                                     CACHET_OPT_BIT(CACHET_OPT_DIGEST),
                                          .format_rules = true,
                                          .cannot = "cannot digest",
                                          .failed = "digesting failed",
                                          .make = make_digest};
    return cachet_cli_op_main(argc, argv, &cmd, NULL);
}
