/* cachet sign: multipart/signed, opaque signed-data, or raw SignedData. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cachet_cmd_sign(int argc, char **argv) {
    cachet_cli_opts o;
    unsigned allowed = CACHET_CLI_COMMON_GEN | CACHET_OPT_BIT(CACHET_OPT_CERT) |
                       CACHET_OPT_BIT(CACHET_OPT_KEY) | CACHET_OPT_BIT(CACHET_OPT_P12) |
                       CACHET_OPT_BIT(CACHET_OPT_PASS) | CACHET_OPT_BIT(CACHET_OPT_CHAIN) |
                       CACHET_OPT_BIT(CACHET_OPT_OPAQUE) | CACHET_OPT_BIT(CACHET_OPT_DIGEST) |
                       CACHET_OPT_BIT(CACHET_OPT_PSS) | CACHET_OPT_BIT(CACHET_OPT_AT);
    int r = cachet_cli_parse(&o, argc, argv, allowed);
    if (r < 0) {
        r = cachet_cli_output_format(&o);
    }
    if (r >= 0) {
        cachet_cli_opts_free(&o);
        return r;
    }
    cachet_credential *cred = NULL;
    cachet_ctx *ctx = NULL;
    r = cachet_cli_load_credential(&o, true, &cred);
    if (r < 0) {
        r = cachet_cli_make_ctx(&o, false, false, &ctx);
    }
    cachet_cli_output out;
    if (r < 0) {
        r = cachet_cli_output_open(&out, o.cmd, o.out, false);
    }
    if (r < 0) {
        cachet_sign_opts so = {
            .signer = cred,
            .digest = o.digest,
            .opaque = o.opaque,
            .pss = o.pss,
            .raw = o.raw,
            .format = o.format,
        };
        cachet_sink sink = cachet_cli_output_sink(&out);
        cachet_error err = {0};
        cachet_op *op = cachet_sign_new(ctx, &so, &sink, &err);
        r = op == NULL ? cachet_cli_new_failed(&o, &out, "cannot sign", &err)
                       : cachet_cli_generate(&o, op, &out, "signing failed");
    }
    cachet_ctx_free(ctx);
    cachet_credential_free(cred);
    cachet_cli_opts_free(&o);
    return r;
}
