/* cachet verify: every signed layer, and enveloped layers too given a key. */
#include "cli.h"

int cachet_cmd_verify(int argc, char **argv) {
    cachet_cli_opts o;
    unsigned allowed = CACHET_OPT_BIT(CACHET_OPT_IN) | CACHET_OPT_BIT(CACHET_OPT_OUT) |
                       CACHET_OPT_BIT(CACHET_OPT_RAW) | CACHET_OPT_BIT(CACHET_OPT_CONTENT) |
                       CACHET_OPT_BIT(CACHET_OPT_TRUST) | CACHET_OPT_BIT(CACHET_OPT_JSON) |
                       CACHET_OPT_BIT(CACHET_OPT_NO_ADDRESS_CHECK) |
                       CACHET_OPT_BIT(CACHET_OPT_ALLOW_WEAK) | CACHET_OPT_BIT(CACHET_OPT_AT) |
                       CACHET_OPT_BIT(CACHET_OPT_CERT) | CACHET_OPT_BIT(CACHET_OPT_KEY) |
                       CACHET_OPT_BIT(CACHET_OPT_P12) | CACHET_OPT_BIT(CACHET_OPT_PASS);
    int r = cachet_cli_parse(&o, argc, argv, allowed);
    if (r >= 0) {
        cachet_cli_opts_free(&o);
        return r;
    }
    cachet_credential *cred = NULL;
    cachet_ctx *ctx = NULL;
    r = cachet_cli_load_credential(&o, false, &cred);
    if (r < 0) {
        r = cachet_cli_make_ctx(&o, true, true, &ctx);
    }
    cachet_cli_output out;
    if (r < 0) {
        /* With --json the report owns stdout; the content goes only to --out. */
        r = cachet_cli_output_open(&out, o.cmd, o.out, o.json && o.out == NULL);
    }
    if (r < 0) {
        cachet_verify_opts vo = {
            .decrypt_with = cred,
            .raw = o.raw,
            .detached = o.content != NULL,
        };
        cachet_sink sink = cachet_cli_output_sink(&out);
        cachet_error err = {0};
        cachet_op *op = cachet_verify_new(ctx, &vo, &sink, &err);
        r = op == NULL ? cachet_cli_new_failed(&o, &out, "cannot verify", &err)
                       : cachet_cli_check(&o, op, &out, true);
    }
    cachet_ctx_free(ctx);
    cachet_credential_free(cred);
    cachet_cli_opts_free(&o);
    return r;
}
