/* cachet_digest_new: a DigestedData (RFC 5652 §7): integrity without a
 * signature, as application/pkcs7-mime (no smime-type: RFC 8551 §3.2.2 defines
 * none for it) or raw. Streaming like compression: the content is hashed and
 * written as it arrives, the digest at the end. */
#include <string.h>

#include "cms/digested.h"
#include "smime/writer.h"

typedef struct digest_impl {
    cachet_op *op;
    cachet_smime_gen gen;
    cachet_cms_digest *cms;
    cachet_smime_cms_out cout;
} digest_impl;

static cachet_status digest_begin(void *arg, cachet_error *err) {
    digest_impl *d = arg;
    if (d->gen.raw) {
        return CACHET_OK;
    }
    char fields[512];
    cachet_smime_pkcs7_mime_fields(NULL, fields, sizeof(fields));
    cachet_status st = cachet_smime_write_header(&d->op->out, &d->gen.split, fields, err);
    if (st == CACHET_OK) {
        st = cachet_smime_cms_out_open(&d->cout);
        if (st != CACHET_OK) {
            cachet_err_set(err, st, "output", -1, "writing the output failed");
        }
    }
    return st;
}

static cachet_status digest_content(void *arg, const uint8_t *data, size_t len) {
    digest_impl *d = arg;
    return cachet_cms_digest_update(d->cms, data, len, &d->op->err);
}

static cachet_status digest_update(cachet_op *op, const uint8_t *data, size_t len) {
    digest_impl *d = op->impl;
    return cachet_smime_gen_update(&d->gen, data, len);
}

static cachet_status digest_finish(cachet_op *op, cachet_report **out_report) {
    (void)out_report;
    digest_impl *d = op->impl;
    if (op->failed) {
        return op->err.status;
    }
    cachet_status st = cachet_smime_gen_finish(&d->gen);
    if (st == CACHET_OK) {
        st = cachet_cms_digest_finish(d->cms, &op->err);
    }
    if (st == CACHET_OK) {
        st = cachet_smime_cms_out_finish(&d->cout, &op->err);
    }
    return st;
}

static void digest_free(void *impl) {
    digest_impl *d = impl;
    if (d == NULL) {
        return;
    }
    cachet_cms_digest_free(d->cms);
    cachet_smime_gen_free(&d->gen);
    cachet_smime_cms_out_free(&d->cout);
    cachet_free(d);
}

static const cachet_op_vtable digest_vt = {
    .update_content = NULL,
    .update = digest_update,
    .finish = digest_finish,
    .free_impl = digest_free,
};

cachet_op *cachet_digest_new(const cachet_ctx *ctx, const cachet_digest_opts *opts,
                             const cachet_sink *out, cachet_error *err) {
    static const cachet_md mds[] = {CACHET_MD_SHA256, CACHET_MD_SHA384, CACHET_MD_SHA512};
    cachet_err_clear(err);
    if (ctx == NULL || opts == NULL || out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "digest needs a context, options and a sink");
        return NULL;
    }
    if ((unsigned)opts->digest >= sizeof(mds) / sizeof(mds[0])) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "unknown digest %d", (int)opts->digest);
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
    digest_impl *d = cachet_calloc(1, sizeof(*d));
    cachet_op *op = d != NULL ? cachet_op_alloc(ctx, &digest_vt, d, out) : NULL;
    if (op == NULL) {
        cachet_free(d);
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    d->op = op;
    cachet_smime_gen_init(&d->gen, ctx, opts->raw, false, digest_begin, digest_content, d,
                          &op->err);
    cachet_format f =
        opts->raw && opts->format == CACHET_FORMAT_SMIME ? CACHET_FORMAT_DER : opts->format;
    if (cachet_smime_cms_out_init(&d->cout, f, &op->out, err) != CACHET_OK) {
        cachet_op_free(op);
        return NULL;
    }
    d->cms =
        cachet_cms_digest_new_ex(mds[opts->digest], CACHET_OID_UNKNOWN, opts->content_size_known,
                                 opts->content_size, &d->cout.sink, err);
    if (d->cms == NULL) {
        if (err != NULL && err->status == CACHET_OK) {
            cachet_err_set(err, CACHET_ERR_INTERNAL, "", -1, "cannot start the digest");
        }
        cachet_op_free(op);
        return NULL;
    }
    return op;
}
