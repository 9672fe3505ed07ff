/* smime/sign_attrs.c: the signed attributes that cachet_sign_opts asks for
 * beyond cms/'s own (issue 7: ESS labels, hints, receipt requests, content
 * references, signingCertificate v1, CAdES signature policy). */
#include <string.h>

#include "smime/internal.h"

static bool wants_shared(const cachet_sign_opts *o) {
    return o->receipt_request != NULL || o->security_label != NULL ||
           o->num_equivalent_labels > 0 || o->content_hint != NULL ||
           o->content_hint_type != NULL || o->content_reference != NULL || o->content_identifier ||
           o->signature_policy != NULL;
}

static cachet_status finish_run(cachet_cbb *run, uint8_t **out, size_t *out_len,
                                cachet_error *err) {
    if (!cachet_cbb_finish(run, out, out_len)) {
        cachet_cbb_cleanup(run);
        return cachet_err_set(err, CACHET_ERR_NOMEM, "signedAttrs", -1, "out of memory");
    }
    if (*out_len == 0) {
        cachet_free(*out);
        *out = NULL;
    }
    return CACHET_OK;
}

cachet_status cachet_smime_sign_attrs(const cachet_ctx *ctx, const cachet_sign_opts *opts,
                                      const cachet_cert *const *certs, size_t num, uint8_t **out,
                                      size_t *out_len, cachet_error *err) {
    uint8_t *shared = NULL;
    size_t shared_len = 0;
    cachet_cbb run;
    cachet_status st = CACHET_OK;
    memset(out, 0, num * sizeof(*out));
    memset(out_len, 0, num * sizeof(*out_len));
    if (wants_shared(opts)) {
        if (!cachet_cbb_init(&run, 512, 0)) {
            return cachet_err_set(err, CACHET_ERR_NOMEM, "signedAttrs", -1, "out of memory");
        }
        st = cachet_smime_ess_shared_attrs(ctx, opts, &run, err);
        if (st == CACHET_OK) {
            st = cachet_smime_receipt_request_attrs(ctx, opts, &run, err);
        }
        if (st != CACHET_OK) {
            cachet_cbb_cleanup(&run);
            return st;
        }
        st = finish_run(&run, &shared, &shared_len, err);
        if (st != CACHET_OK) {
            return st;
        }
    }
    for (size_t i = 0; i < num && st == CACHET_OK; i++) {
        if (!cachet_cbb_init(&run, 512 + shared_len, 0) ||
            (shared_len > 0 && !cachet_cbb_add_bytes(&run, shared, shared_len))) {
            cachet_cbb_cleanup(&run);
            st = cachet_err_set(err, CACHET_ERR_NOMEM, "signedAttrs", -1, "out of memory");
            break;
        }
        st = cachet_smime_ess_signer_attrs(opts, certs[i], &run, err);
        if (st != CACHET_OK) {
            cachet_cbb_cleanup(&run);
            break;
        }
        st = finish_run(&run, &out[i], &out_len[i], err);
    }
    cachet_free(shared);
    if (st != CACHET_OK) {
        for (size_t i = 0; i < num; i++) {
            cachet_free(out[i]);
            out[i] = NULL;
            out_len[i] = 0;
        }
    }
    return st;
}
