/* cachet_triple_wrap_new: RFC 2634 §1.1 triple wrapping as one streaming
 * operation. Three ordinary operations are chained through sinks: the inner
 * sign op writes into the encrypt op, which writes into the outer sign op,
 * which writes to the caller's sink. Nothing is buffered here beyond what each
 * op holds itself; the inner layer's output is the encrypt op's input exactly
 * as `cachet sign | cachet encrypt | cachet sign` would pass it.
 *
 * Placement of ESS attributes (RFC 2634): security labels go on both
 * signatures as the caller gives them (§3.1.1 leaves the outer label to the
 * outer signer); a receipt request belongs to the inner signature only (§2.3:
 * the receipt is computed over the inner signature, which the recipient keeps
 * after decryption), so one given for the outer signature is moved inward. */
#include <stdio.h>
#include <string.h>

#include "smime/internal.h"

typedef struct tw_impl {
    cachet_op *op; /* the triple-wrap op (its sink is the caller's) */
    cachet_op *inner, *enc, *outer;
} tw_impl;

static cachet_status tw_to_enc(void *arg, const uint8_t *data, size_t len) {
    tw_impl *t = arg;
    return cachet_op_update(t->enc, data, len);
}

static cachet_status tw_to_outer(void *arg, const uint8_t *data, size_t len) {
    tw_impl *t = arg;
    return cachet_op_update(t->outer, data, len);
}

static cachet_status tw_to_out(void *arg, const uint8_t *data, size_t len) {
    tw_impl *t = arg;
    return cachet_sink_write(&t->op->out, data, len);
}

/* tw_fail records why the chain stopped. A failure travels upstream as a
 * failed write ("writing the output failed" in the op before it), so the
 * cause is the innermost op of the chain, i.e. the last one to fail in data
 * order: the outer signer first, then the encryption, then the inner signer. */
static cachet_status tw_fail(tw_impl *t) {
    const cachet_op *culprit = t->inner;
    const char *layer = "inner signature";
    if (t->outer->failed) {
        culprit = t->outer;
        layer = "outer signature";
    } else if (t->enc->failed) {
        culprit = t->enc;
        layer = "encryption";
    }
    cachet_error e = culprit->err;
    if (e.status == CACHET_OK) {
        e.status = CACHET_ERR_INTERNAL;
        snprintf(e.message, sizeof(e.message), "the %s failed without detail", layer);
    }
    char where[sizeof(e.where)];
    snprintf(where, sizeof(where), "triple wrap %s%s%s", layer, e.where[0] != '\0' ? ": " : "",
             e.where);
    memcpy(e.where, where, sizeof(e.where));
    return cachet_op_fail(t->op, &e);
}

static cachet_status tw_update(cachet_op *op, const uint8_t *data, size_t len) {
    tw_impl *t = op->impl;
    if (cachet_op_update(t->inner, data, len) != CACHET_OK) {
        return tw_fail(t);
    }
    return CACHET_OK;
}

/* Finishing in data order: each op's finish flushes what it holds into the
 * next one (the inner signature part, the last cipher block and tag, then
 * the outer signature). */
static cachet_status tw_finish(cachet_op *op, cachet_report **out_report) {
    (void)out_report;
    tw_impl *t = op->impl;
    if (op->failed) {
        return op->err.status;
    }
    if (cachet_op_finish(t->inner, NULL) != CACHET_OK ||
        cachet_op_finish(t->enc, NULL) != CACHET_OK ||
        cachet_op_finish(t->outer, NULL) != CACHET_OK) {
        return tw_fail(t);
    }
    return CACHET_OK;
}

static void tw_free(void *impl) {
    tw_impl *t = impl;
    if (t == NULL) {
        return;
    }
    cachet_op_free(t->inner);
    cachet_op_free(t->enc);
    cachet_op_free(t->outer);
    cachet_free(t);
}

static const cachet_op_vtable tw_vt = {
    .update_content = NULL,
    .update = tw_update,
    .finish = tw_finish,
    .free_impl = tw_free,
};

/* tw_check_sign: a signature of the wrap is an S/MIME signature by a signer. */
static cachet_status tw_check_sign(const cachet_sign_opts *o, const char *which,
                                   cachet_error *err) {
    if (o->raw || o->format != CACHET_FORMAT_SMIME || o->detached || o->content_size_known) {
        return cachet_err_set(err, CACHET_ERR_USAGE, which, -1,
                              "triple wrapping writes S/MIME (RFC 2634 section 1.1); raw CMS, "
                              "DER/PEM output and detached SignedData do not apply");
    }
    if (o->empty) {
        return cachet_err_set(err, CACHET_ERR_USAGE, which, -1,
                              "the %s of a triple wrap needs a signer; the empty signature layer "
                              "(RFC 3183) is not a signature",
                              which);
    }
    return CACHET_OK;
}

static cachet_op *triple_wrap_new_started(const cachet_ctx *ctx, const cachet_sign_opts *inner,
                                          const cachet_encrypt_opts *enc,
                                          const cachet_sign_opts *outer, const cachet_sink *out,
                                          cachet_error *err) {
    cachet_err_clear(err);
    if (ctx == NULL || inner == NULL || enc == NULL || outer == NULL || out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "a triple wrap needs a context, inner and outer signing options, "
                       "encryption options and a sink");
        return NULL;
    }
    if (tw_check_sign(inner, "inner signature", err) != CACHET_OK ||
        tw_check_sign(outer, "outer signature", err) != CACHET_OK) {
        return NULL;
    }
    if (enc->raw || enc->format != CACHET_FORMAT_SMIME || enc->content_size_known) {
        cachet_err_set(err, CACHET_ERR_USAGE, "encryption", -1,
                       "triple wrapping writes S/MIME (RFC 2634 section 1.1); the encryption "
                       "cannot be raw CMS");
        return NULL;
    }
    cachet_sign_opts in_opts = *inner;
    cachet_sign_opts out_opts = *outer;
    if (in_opts.receipt_request == NULL) {
        in_opts.receipt_request = outer->receipt_request;
    }
    out_opts.receipt_request = NULL;

    tw_impl *t = cachet_calloc(1, sizeof(*t));
    cachet_op *op = t != NULL ? cachet_op_alloc(ctx, &tw_vt, t, out) : NULL;
    if (op == NULL) {
        cachet_free(t);
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    t->op = op;
    /* op.c closes the caller's sink once, after the whole chain finished. */
    const cachet_sink to_out = {
        .write = tw_to_out, .close = NULL, .arg = t, .discard_on_failure = out->discard_on_failure};
    const cachet_sink to_outer = {.write = tw_to_outer, .close = NULL, .arg = t};
    const cachet_sink to_enc = {.write = tw_to_enc, .close = NULL, .arg = t};
    cachet_error e_outer = {0}, e_enc = {0}, e_inner = {0};
    t->outer = cachet_sign_new(ctx, &out_opts, &to_out, &e_outer);
    t->enc = t->outer != NULL ? cachet_encrypt_new(ctx, enc, &to_outer, &e_enc) : NULL;
    t->inner = t->enc != NULL ? cachet_sign_new(ctx, &in_opts, &to_enc, &e_inner) : NULL;
    if (t->inner == NULL) {
        const cachet_error *e = t->outer == NULL ? &e_outer : t->enc == NULL ? &e_enc : &e_inner;
        const char *layer = t->outer == NULL ? "outer signature"
                            : t->enc == NULL ? "encryption"
                                             : "inner signature";
        char where[sizeof(e->where)];
        snprintf(where, sizeof(where), "%s%s%s", layer, e->where[0] != '\0' ? ": " : "", e->where);
        cachet_err_set(err, e->status != CACHET_OK ? e->status : CACHET_ERR_INTERNAL, where,
                       e->offset, "%s", e->message);
        cachet_op_free(op);
        return NULL;
    }
    /* A warning of the recipient lookup (soft revocation policy) is passed on
     * with status OK, as cachet_encrypt_new gives it. */
    if (err != NULL && e_enc.message[0] != '\0') {
        *err = e_enc;
        err->status = CACHET_OK;
    }
    return op;
}

/* the public entry: a failure after an allocation failed is CACHET_ERR_NOMEM */
cachet_op *cachet_triple_wrap_new(const cachet_ctx *ctx, const cachet_sign_opts *inner,
                                  const cachet_encrypt_opts *enc, const cachet_sign_opts *outer,
                                  const cachet_sink *out, cachet_error *err) {
    unsigned long failures = cachet_alloc_failures();
    return cachet_op_started(triple_wrap_new_started(ctx, inner, enc, outer, out, err), err,
                             failures);
}
