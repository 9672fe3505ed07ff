/* cachet_decrypt_new: remove enveloped, authEnveloped and encrypted layers (and
 * compressed, digested and id-data ones); with verify_signed also verify and
 * remove signed layers, else stop at the first signed layer and output it
 * intact. Every secret given goes into one set: each encrypted layer is opened
 * with the first RecipientInfo, in message order, addressed to one of them. */
#include "smime/pipeline.h"

cachet_op *cachet_decrypt_new(const cachet_ctx *ctx, const cachet_decrypt_opts *opts,
                              const cachet_sink *out, cachet_error *err) {
    if (opts == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "options are needed");
        return NULL;
    }
    cachet_rd_keys keys = {
        .cred = opts->cred,
        .more_creds = opts->more_creds,
        .num_more_creds = opts->num_more_creds,
        .secret_keys = opts->secret_keys,
        .num_secret_keys = opts->num_secret_keys,
        .password = opts->password,
    };
    return cachet_rd_new(ctx, CACHET_RD_DECRYPT, &keys, opts->verify_signed, opts->raw, false, out,
                         err);
}
