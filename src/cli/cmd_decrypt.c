/* cachet decrypt: every enveloped layer, and signed layers too given --trust
 * (without it a signed layer is output intact). */
#include "cli.h"

int cachet_cmd_decrypt(int argc, char **argv) {
    cachet_cli_opts o;
    unsigned allowed = CACHET_OPT_BIT(CACHET_OPT_IN) | CACHET_OPT_BIT(CACHET_OPT_OUT) |
                       CACHET_OPT_BIT(CACHET_OPT_RAW) | CACHET_OPT_BIT(CACHET_OPT_TRUST) |
                       CACHET_OPT_BIT(CACHET_OPT_JSON) |
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
    r = cachet_cli_load_credential(&o, true, &cred);
    if (r < 0) {
        r = cachet_cli_make_ctx(&o, o.num_trust > 0, false, &ctx);
    }
    cachet_cli_output out;
    if (r < 0) {
        r = cachet_cli_output_open(&out, o.cmd, o.out, o.json && o.out == NULL);
    }
    if (r < 0) {
        cachet_decrypt_opts dopts = {
            .cred = cred,
            .verify_signed = o.num_trust > 0,
            .raw = o.raw,
        };
        cachet_sink sink = cachet_cli_output_sink(&out);
        cachet_error err = {0};
        cachet_op *op = cachet_decrypt_new(ctx, &dopts, &sink, &err);
        r = op == NULL ? cachet_cli_new_failed(&o, &out, "cannot decrypt", &err)
                       : cachet_cli_check(&o, op, &out, false);
    }
    cachet_ctx_free(ctx);
    cachet_credential_free(cred);
    cachet_cli_opts_free(&o);
    return r;
}
