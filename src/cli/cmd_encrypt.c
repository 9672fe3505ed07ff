/* cachet encrypt: enveloped-data (CBC) or authEnveloped-data (GCM). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cachet_cmd_encrypt(int argc, char **argv) {
    cachet_cli_opts o;
    unsigned allowed = CACHET_CLI_COMMON_GEN | CACHET_OPT_BIT(CACHET_OPT_TO) |
                       CACHET_OPT_BIT(CACHET_OPT_CIPHER) | CACHET_OPT_BIT(CACHET_OPT_OAEP) |
                       CACHET_OPT_BIT(CACHET_OPT_ALLOW_WEAK);
    int r = cachet_cli_parse(&o, argc, argv, allowed);
    if (r < 0) {
        r = cachet_cli_output_format(&o);
    }
    if (r < 0 && o.num_to == 0) {
        r = cachet_cli_usage_error(o.cmd, "at least one --to CERT is required");
    }
    if (r >= 0) {
        cachet_cli_opts_free(&o);
        return r;
    }
    cachet_cert **certs = calloc(o.num_to, sizeof(*certs));
    if (certs == NULL) {
        cachet_cli_opts_free(&o);
        return CACHET_EXIT_INPUT;
    }
    for (size_t i = 0; r < 0 && i < o.num_to; i++) {
        cachet_error err = {0};
        FILE *f = fopen(o.to[i], "rb");
        if (f == NULL) {
            cachet_cli_errorf(o.cmd, "cannot open recipient certificate %s: %s", o.to[i],
                              strerror(errno));
            r = CACHET_EXIT_USAGE;
            break;
        }
        fclose(f);
        if (cachet_cert_load_file(o.to[i], &certs[i], &err) != CACHET_OK) {
            cachet_cli_error(o.cmd, "loading a recipient certificate", &err);
            r = CACHET_EXIT_USAGE;
        }
    }
    cachet_ctx *ctx = NULL;
    if (r < 0) {
        r = cachet_cli_make_ctx(&o, false, false, &ctx);
    }
    cachet_cli_output out;
    if (r < 0) {
        r = cachet_cli_output_open(&out, o.cmd, o.out, false);
    }
    if (r < 0) {
        cachet_encrypt_opts eo = {
            .recipients = certs,
            .num_recipients = o.num_to,
            .cipher = o.cipher,
            .oaep = o.oaep,
            .raw = o.raw,
            .format = o.format,
        };
        cachet_sink sink = cachet_cli_output_sink(&out);
        cachet_error err = {0};
        cachet_op *op = cachet_encrypt_new(ctx, &eo, &sink, &err);
        r = op == NULL ? cachet_cli_new_failed(&o, &out, "cannot encrypt", &err)
                       : cachet_cli_generate(&o, op, &out, "encryption failed");
    }
    for (size_t i = 0; i < o.num_to; i++) {
        cachet_cert_free(certs[i]);
    }
    free(certs);
    cachet_ctx_free(ctx);
    cachet_cli_opts_free(&o);
    return r;
}
