/* cachet_sign_new: multipart/signed (RFC 8551 §3.5.3, RFC 1847 §2.1), opaque
 * application/pkcs7-mime signed-data (RFC 8551 §3.5.2), or raw SignedData.
 * Streaming: the entity is hashed and written as it arrives; the detached
 * SignedData is written at the end. */
#include <string.h>

#include "cms/signed.h"
#include "smime/writer.h"

typedef struct sign_impl {
    cachet_op *op;
    cachet_smime_gen gen;
    cachet_cms_sign *cms;
    cachet_smime_cms_out cout; /* opaque and raw */
    cachet_smime_b64 sigb64;   /* multipart/signed: the signature part */
    cachet_sink sigb64_sink;
    cachet_cms_signer_opts signer;
    bool multipart;
    cachet_md md;
    unsigned signature_types; /* for the one signer (RFC 3183) */
    char boundary[80];
} sign_impl;

/* RFC 8551 §3.5.3.2 micalg values. */
static const char *micalg(cachet_md md) {
    switch (md) {
        case CACHET_MD_SHA384:
            return "sha-384";
        case CACHET_MD_SHA512:
            return "sha-512";
        default:
            return "sha-256";
    }
}

static cachet_status sign_begin(void *arg, cachet_error *err) {
    sign_impl *s = arg;
    const cachet_sink *out = &s->op->out;
    if (s->gen.raw) {
        return CACHET_OK;
    }
    char fields[512];
    if (!s->multipart) {
        cachet_smime_pkcs7_mime_fields("signed-data", fields, sizeof(fields));
        cachet_status st = cachet_smime_write_header(out, &s->gen.split, fields, err);
        if (st == CACHET_OK) {
            st = cachet_smime_cms_out_open(&s->cout);
        }
        return st != CACHET_OK ? cachet_err_set(err, st, "output", -1, "writing failed") : st;
    }
    cachet_status st = cachet_smime_make_boundary(s->boundary, sizeof(s->boundary), err);
    if (st != CACHET_OK) {
        return st;
    }
    snprintf(fields, sizeof(fields),
             "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n"
             " micalg=%s; boundary=\"%s\"\r\n",
             micalg(s->md), s->boundary);
    st = cachet_smime_write_header(out, &s->gen.split, fields, err);
    if (st == CACHET_OK) {
        snprintf(fields, sizeof(fields), "This is an S/MIME signed message\r\n\r\n--%s\r\n",
                 s->boundary);
        st = cachet_smime_write_str(out, fields, err);
    }
    return st;
}

static cachet_status sign_content(void *arg, const uint8_t *data, size_t len) {
    sign_impl *s = arg;
    cachet_status st = cachet_cms_sign_update(s->cms, data, len, &s->op->err);
    if (st == CACHET_OK && s->multipart) {
        /* part 1 is exactly the bytes hashed */
        st = cachet_sink_write(&s->op->out, data, len);
        if (st != CACHET_OK) {
            cachet_err_set(&s->op->err, st, "output", -1, "writing the output failed");
        }
    }
    return st;
}

static cachet_status sign_update(cachet_op *op, const uint8_t *data, size_t len) {
    sign_impl *s = op->impl;
    return cachet_smime_gen_update(&s->gen, data, len);
}

static cachet_status sign_finish(cachet_op *op, cachet_report **out_report) {
    (void)out_report;
    sign_impl *s = op->impl;
    if (op->failed) {
        return op->err.status;
    }
    cachet_error *err = &op->err;
    cachet_status st = cachet_smime_gen_finish(&s->gen);
    if (st != CACHET_OK) {
        return st;
    }
    if (!s->multipart) {
        st = cachet_cms_sign_finish(s->cms, err);
        return st == CACHET_OK ? cachet_smime_cms_out_finish(&s->cout, err) : st;
    }
    char buf[256];
    snprintf(buf, sizeof(buf),
             "\r\n--%s\r\n"
             "Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
             "Content-Transfer-Encoding: base64\r\n"
             "Content-Disposition: attachment; filename=smime.p7s\r\n\r\n",
             s->boundary);
    st = cachet_smime_write_str(&op->out, buf, err);
    if (st == CACHET_OK) {
        st = cachet_cms_sign_finish(s->cms, err);
    }
    if (st == CACHET_OK) {
        st = cachet_smime_b64_finish(&s->sigb64);
        if (st != CACHET_OK) {
            cachet_err_set(err, st, "output", -1, "writing the output failed");
        }
    }
    if (st == CACHET_OK) {
        snprintf(buf, sizeof(buf), "--%s--\r\n", s->boundary);
        st = cachet_smime_write_str(&op->out, buf, err);
    }
    return st;
}

static void sign_free(void *impl) {
    sign_impl *s = impl;
    if (s == NULL) {
        return;
    }
    cachet_cms_sign_free(s->cms);
    cachet_smime_gen_free(&s->gen);
    cachet_smime_cms_out_free(&s->cout);
    cachet_free(s);
}

static const cachet_op_vtable sign_vt = {
    .update_content = NULL,
    .update = sign_update,
    .finish = sign_finish,
    .free_impl = sign_free,
};

/* choose_md applies the key's rules: Ed25519 signs with SHA-512 (RFC 8419
 * §3.1); --pss needs an RSA key. */
static cachet_status choose_md(const cachet_sign_opts *opts, cachet_key_type kt, cachet_md *md,
                               cachet_error *err) {
    static const cachet_md mds[] = {CACHET_MD_SHA256, CACHET_MD_SHA384, CACHET_MD_SHA512};
    if ((unsigned)opts->digest >= sizeof(mds) / sizeof(mds[0])) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "unknown digest %d",
                              (int)opts->digest);
    }
    *md = mds[opts->digest];
    if (opts->pss && kt != CACHET_KEY_RSA && kt != CACHET_KEY_RSA_PSS) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                              "--pss (RSASSA-PSS) needs an RSA key; this key is not RSA");
    }
    if (kt == CACHET_KEY_ED25519) {
        *md = CACHET_MD_SHA512;
    }
    return CACHET_OK;
}

/* start_op allocates the operation and its CMS output (opaque and raw). */
static sign_impl *start_op(const cachet_ctx *ctx, const cachet_sign_opts *opts,
                           const cachet_sink *out, bool multipart, const cachet_sink **cms_sink,
                           cachet_error *err) {
    sign_impl *s = cachet_calloc(1, sizeof(*s));
    cachet_op *op = s != NULL ? cachet_op_alloc(ctx, &sign_vt, s, out) : NULL;
    if (op == NULL) {
        cachet_free(s);
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    s->op = op;
    s->multipart = multipart;
    cachet_smime_gen_init(&s->gen, ctx, opts->raw, s->multipart, sign_begin, sign_content, s,
                          &op->err);
    if (s->multipart) {
        cachet_smime_b64_init(&s->sigb64, &op->out);
        s->sigb64_sink = cachet_smime_b64_sink(&s->sigb64);
        *cms_sink = &s->sigb64_sink;
        return s;
    }
    cachet_format f =
        opts->raw && opts->format == CACHET_FORMAT_SMIME ? CACHET_FORMAT_DER : opts->format;
    if (cachet_smime_cms_out_init(&s->cout, f, &op->out, err) != CACHET_OK) {
        cachet_op_free(op);
        return NULL;
    }
    *cms_sink = &s->cout.sink;
    return s;
}

/* RFC 3183 §3 method 1: an empty SignedData (no SignerInfo, no certificate)
 * whose eContent is the entity, written like opaque signing. */
static cachet_op *sign_empty_new(const cachet_ctx *ctx, const cachet_sign_opts *opts,
                                 const cachet_sink *out, cachet_error *err) {
    if (opts->signature_types != 0) {
        cachet_err_set(err, CACHET_ERR_USAGE, "signature type", -1,
                       "an empty signature layer has no signer to carry a signature type");
        return NULL;
    }
    const cachet_sink *cms_sink = NULL;
    sign_impl *s = start_op(ctx, opts, out, false, &cms_sink, err);
    if (s == NULL) {
        return NULL;
    }
    cachet_cms_sign_opts co = {
        .content_type = CACHET_OID_UNKNOWN,
        .empty = true,
    };
    s->cms = cachet_cms_sign_new(&co, cms_sink, err);
    if (s->cms == NULL) {
        cachet_op_free(s->op);
        return NULL;
    }
    return s->op;
}

cachet_op *cachet_sign_new(const cachet_ctx *ctx, const cachet_sign_opts *opts,
                           const cachet_sink *out, cachet_error *err) {
    cachet_err_clear(err);
    if (ctx == NULL || opts == NULL || out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "sign needs a context, options and a sink");
        return NULL;
    }
    if (!opts->raw && opts->format != CACHET_FORMAT_SMIME) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "DER or PEM output is for raw mode");
        return NULL;
    }
    if (opts->empty) {
        return sign_empty_new(ctx, opts, out, err);
    }
    if (opts->signer == NULL || opts->signer->key == NULL || opts->signer->cert == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "sign needs a signer (key and certificate)");
        return NULL;
    }
    char detail[200];
    if (opts->signature_types != 0 &&
        !cachet_cms_sigtype_check(opts->signature_types, detail, sizeof(detail))) {
        cachet_err_set(err, CACHET_ERR_USAGE, "signature type", -1, "%s", detail);
        return NULL;
    }
    const cachet_credential *cred = opts->signer;
    /* DESIGN principle 5 / RFC 8551 §4.2: no new signatures with RSA keys under 2048 bits
     * unless weak algorithms are explicitly allowed. */
    cachet_key_type kt = cachet_pkey_type(cred->key);
    if ((kt == CACHET_KEY_RSA || kt == CACHET_KEY_RSA_PSS) && cachet_pkey_bits(cred->key) < 2048 &&
        !ctx->allow_weak) {
        cachet_err_set(err, CACHET_ERR_POLICY, "signer", -1,
                       "RSA key of %u bits refused for signing (< 2048, weak); use a key of 2048 "
                       "bits or more",
                       cachet_pkey_bits(cred->key));
        return NULL;
    }
    cachet_md md = CACHET_MD_SHA256;
    if (choose_md(opts, cachet_pkey_type(cred->key), &md, err) != CACHET_OK) {
        return NULL;
    }
    const cachet_sink *cms_sink = NULL;
    sign_impl *s = start_op(ctx, opts, out, !opts->raw && !opts->opaque, &cms_sink, err);
    if (s == NULL) {
        return NULL;
    }
    cachet_op *op = s->op;
    s->md = md;
    s->signature_types = opts->signature_types;
    s->signer = (cachet_cms_signer_opts){
        .key = cred->key,
        .cert = cred->cert,
        .md = md,
        .pss = opts->pss,
        .use_ski = false,
    };
    cachet_cms_sign_opts co = {
        .signers = &s->signer,
        .num_signers = 1,
        .extra_certs = cred->chain.certs,
        .num_extra_certs = cred->chain.num,
        .detached = !opts->opaque,
        .content_type = CACHET_OID_UNKNOWN,
        .signing_time = ctx->at,
        .signature_types = &s->signature_types,
    };
    s->cms = cachet_cms_sign_new(&co, cms_sink, err);
    if (s->cms == NULL) {
        if (err != NULL && err->status == CACHET_OK) {
            cachet_err_set(err, CACHET_ERR_INTERNAL, "", -1, "cannot start signing");
        }
        cachet_op_free(op);
        return NULL;
    }
    return op;
}
