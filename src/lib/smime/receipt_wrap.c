/* smime/receipt_wrap.c: an encrypted signed receipt (RFC 2634 §2.4): the
 * signed receipt is enveloped and signed again, the outer signature carrying
 * contentHints whose contentType is id-ct-receipt (§2.9), so that a receiver
 * knows what the layers hold before opening them. The encrypt op and the outer
 * sign op are chained through sinks as in a triple wrap: the signed receipt
 * entity (its From/To/Subject fields stay outside, writer.h) goes into the
 * encrypt op, whose output goes into the outer sign op, whose output is ours. */
#include <stdio.h>
#include <string.h>

#include "smime/receipt.h"

/* id-ct-receipt (RFC 2634 §2.7) as contentHints' contentType */
#define ID_CT_RECEIPT_TEXT "1.2.840.113549.1.9.16.1.1"

static cachet_status to_out(void *arg, const uint8_t *data, size_t len) {
    cachet_receipt_wrap *w = arg;
    return cachet_sink_write(w->out, data, len);
}

static cachet_status to_outer(void *arg, const uint8_t *data, size_t len) {
    cachet_receipt_wrap *w = arg;
    return cachet_op_update(w->outer, data, len);
}

static cachet_status to_enc(void *arg, const uint8_t *data, size_t len) {
    cachet_receipt_wrap *w = arg;
    return cachet_op_update(w->enc, data, len);
}

static void name_layer(cachet_error *err, const cachet_error *e, const char *layer) {
    char where[sizeof(e->where)];
    snprintf(where, sizeof(where), "encrypted receipt %s%s%s", layer,
             e->where[0] != '\0' ? ": " : "", e->where);
    cachet_err_set(err, e->status != CACHET_OK ? e->status : CACHET_ERR_INTERNAL, where, e->offset,
                   "%s", e->message);
}

cachet_status cachet_receipt_wrap_init(cachet_receipt_wrap *w, const cachet_ctx *ctx,
                                       const cachet_receipt_opts *opts, const cachet_sink *out,
                                       cachet_error *err) {
    memset(w, 0, sizeof(*w));
    w->out = out;
    if (opts->raw || opts->format != CACHET_FORMAT_SMIME) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "receipt_opts.encrypt_to", -1,
                              "an encrypted receipt is written as S/MIME (signed, enveloped and "
                              "signed again, RFC 2634 section 2.4); raw CMS does not apply");
    }
    if (opts->encrypt_to == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "receipt_opts.encrypt_to", -1,
                              "num_encrypt_to without encrypt_to");
    }
    for (size_t i = 0; i < opts->num_encrypt_to; i++) {
        if (opts->encrypt_to[i] == NULL) {
            return cachet_err_set(err, CACHET_ERR_USAGE, "receipt_opts.encrypt_to", -1,
                                  "encrypt_to[%zu] is NULL", i);
        }
    }
    cachet_sign_opts so = {.signer = opts->signer,
                           .digest = opts->digest,
                           .opaque = true,
                           .format = CACHET_FORMAT_SMIME,
                           .content_hint = "signed receipt",
                           .content_hint_type = ID_CT_RECEIPT_TEXT};
    cachet_encrypt_opts eo = {.recipients = opts->encrypt_to,
                              .num_recipients = opts->num_encrypt_to,
                              .cipher = opts->cipher,
                              .format = CACHET_FORMAT_SMIME};
    const cachet_sink s_out = {
        .write = to_out, .close = NULL, .arg = w, .discard_on_failure = out->discard_on_failure};
    const cachet_sink s_outer = {.write = to_outer, .close = NULL, .arg = w};
    cachet_error e = {0};
    w->outer = cachet_sign_new(ctx, &so, &s_out, &e);
    if (w->outer == NULL) {
        name_layer(err, &e, "outer signature");
        return err->status;
    }
    w->enc = cachet_encrypt_new(ctx, &eo, &s_outer, &e);
    if (w->enc == NULL) {
        name_layer(err, &e, "encryption");
        cachet_receipt_wrap_free(w);
        return err->status;
    }
    w->sink = (cachet_sink){.write = to_enc, .close = NULL, .arg = w};
    return CACHET_OK;
}

/* explain: a failure travels upstream as a failed write, so the cause is the
 * outermost op that failed (the last one in data order). */
static cachet_status explain(const cachet_receipt_wrap *w, cachet_status st, cachet_error *err) {
    if (w->outer->failed) {
        name_layer(err, &w->outer->err, "outer signature");
    } else if (w->enc->failed) {
        name_layer(err, &w->enc->err, "encryption");
    } else {
        return st;
    }
    return err->status;
}

cachet_status cachet_receipt_wrap_finish(cachet_receipt_wrap *w, cachet_status st,
                                         cachet_error *err) {
    if (st != CACHET_OK) {
        return explain(w, st, err);
    }
    if (cachet_op_finish(w->enc, NULL) != CACHET_OK ||
        cachet_op_finish(w->outer, NULL) != CACHET_OK) {
        return explain(w, CACHET_ERR_INTERNAL, err);
    }
    return CACHET_OK;
}

void cachet_receipt_wrap_free(cachet_receipt_wrap *w) {
    cachet_op_free(w->enc);
    cachet_op_free(w->outer);
    w->enc = w->outer = NULL;
}
