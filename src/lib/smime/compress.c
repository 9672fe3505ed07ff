/* cachet_compress_new: application/pkcs7-mime compressed-data (RFC 3274 §2,
 * zlib), or raw CompressedData. Streaming like encryption. */
#include <string.h>

#include "cms/compressed.h"
#include "smime/writer.h"

typedef struct compress_impl {
    cachet_op *op;
    cachet_smime_gen gen;
    cachet_cms_compress *cms;
    cachet_smime_cms_out cout;
} compress_impl;

static cachet_status compress_begin(void *arg, cachet_error *err) {
    compress_impl *c = arg;
    if (c->gen.raw) {
        return CACHET_OK;
    }
    char fields[512];
    cachet_smime_pkcs7_mime_fields("compressed-data", fields, sizeof(fields));
    cachet_status st = cachet_smime_write_header(&c->op->out, &c->gen.split, fields, err);
    if (st == CACHET_OK) {
        st = cachet_smime_cms_out_open(&c->cout);
        if (st != CACHET_OK) {
            cachet_err_set(err, st, "output", -1, "writing the output failed");
        }
    }
    return st;
}

static cachet_status compress_content(void *arg, const uint8_t *data, size_t len) {
    compress_impl *c = arg;
    return cachet_cms_compress_update(c->cms, data, len, &c->op->err);
}

static cachet_status compress_update(cachet_op *op, const uint8_t *data, size_t len) {
    compress_impl *c = op->impl;
    return cachet_smime_gen_update(&c->gen, data, len);
}

static cachet_status compress_finish(cachet_op *op, cachet_report **out_report) {
    (void)out_report;
    compress_impl *c = op->impl;
    if (op->failed) {
        return op->err.status;
    }
    cachet_status st = cachet_smime_gen_finish(&c->gen);
    if (st == CACHET_OK) {
        st = cachet_cms_compress_finish(c->cms, &op->err);
    }
    if (st == CACHET_OK) {
        st = cachet_smime_cms_out_finish(&c->cout, &op->err);
    }
    return st;
}

static void compress_free(void *impl) {
    compress_impl *c = impl;
    if (c == NULL) {
        return;
    }
    cachet_cms_compress_free(c->cms);
    cachet_smime_gen_free(&c->gen);
    cachet_smime_cms_out_free(&c->cout);
    cachet_free(c);
}

static const cachet_op_vtable compress_vt = {
    .update_content = NULL,
    .update = compress_update,
    .finish = compress_finish,
    .free_impl = compress_free,
};

static cachet_op *compress_new_started(const cachet_ctx *ctx, const cachet_compress_opts *opts,
                                       const cachet_sink *out, cachet_error *err) {
    cachet_err_clear(err);
    if (ctx == NULL || opts == NULL || out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "compress needs a context, options and a sink");
        return NULL;
    }
    if (!opts->raw && opts->format != CACHET_FORMAT_SMIME) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "DER or PEM output is for raw mode");
        return NULL;
    }
    if (opts->content_size_known && !opts->raw) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "content_size is for raw mode (the S/MIME entity is canonicalised: its "
                       "length is not the input's)");
        return NULL;
    }
    compress_impl *c = cachet_calloc(1, sizeof(*c));
    cachet_op *op = c != NULL ? cachet_op_alloc(ctx, &compress_vt, c, out) : NULL;
    if (op == NULL) {
        cachet_free(c);
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    c->op = op;
    cachet_smime_gen_init(&c->gen, ctx, opts->raw, false, compress_begin, compress_content, c,
                          &op->err);
    cachet_format f =
        opts->raw && opts->format == CACHET_FORMAT_SMIME ? CACHET_FORMAT_DER : opts->format;
    if (cachet_smime_cms_out_init(&c->cout, f, &op->out, err) != CACHET_OK) {
        cachet_op_free(op);
        return NULL;
    }
    c->cms = cachet_cms_compress_new_ex(CACHET_OID_UNKNOWN, opts->content_size_known,
                                        opts->content_size, &c->cout.sink, err);
    if (c->cms == NULL) {
        if (err != NULL && err->status == CACHET_OK) {
            cachet_err_set(err, CACHET_ERR_INTERNAL, "", -1, "cannot start compressing");
        }
        cachet_op_free(op);
        return NULL;
    }
    return op;
}

/* the public entry: a failure after an allocation failed is CACHET_ERR_NOMEM */
cachet_op *cachet_compress_new(const cachet_ctx *ctx, const cachet_compress_opts *opts,
                               const cachet_sink *out, cachet_error *err) {
    unsigned long failures = cachet_alloc_failures();
    return cachet_op_started(compress_new_started(ctx, opts, out, err), err, failures);
}
