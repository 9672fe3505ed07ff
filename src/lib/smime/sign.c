/* cachet_sign_new: multipart/signed (RFC 8551 §3.5.3, RFC 1847 §2.1), opaque
 * application/pkcs7-mime signed-data (RFC 8551 §3.5.2), or raw SignedData;
 * one SignerInfo per credential (RFC 5652 §5.1), each with its chain.
 * Streaming: the entity is hashed and written as it arrives; the detached
 * SignedData is written at the end. */
#include <string.h>

#include "cms/signed.h"
#include "smime/writer.h"

/* cms/ takes 1..16 signers. */
#define CACHET_SIGN_MAX_SIGNERS 16

typedef struct sign_impl {
    cachet_op *op;
    cachet_smime_gen gen;
    cachet_cms_sign *cms;
    /* one or the other (each holds a 16 KiB base64 buffer, zeroed per op) */
    union {
        cachet_smime_cms_out cout; /* opaque and raw */
        cachet_smime_b64 sigb64;   /* multipart/signed: the signature part */
    };
    cachet_sink sigb64_sink;
    /* borrowed by cms/ until the end: one entry per signer */
    cachet_cms_signer_opts *signers;
    unsigned *signature_types; /* RFC 3183: the same for every signer */
    uint8_t **extra_attrs;     /* issue 7: each signer's further signed attributes */
    size_t *extra_attrs_len;
    size_t num_signers;
    cachet_cert_list certs; /* every signer's chain, each certificate once */
    bool multipart;
    char micalg[64]; /* "sha-256", or a quoted list "\"sha-256,sha-512\"" */
    char boundary[80];
} sign_impl;

/* RFC 8551 §3.5.3.2 micalg values. */
static const char *micalg_name(cachet_md md) {
    switch (md) {
        case CACHET_MD_SHA384:
            return "sha-384";
        case CACHET_MD_SHA512:
            return "sha-512";
        case CACHET_MD_SHAKE256_512:
            /* Ed448 (RFC 8419 §3.1). RFC 8551 §3.5.3.2 has no value for SHAKE256
             * and RFC 8419 defines none; "unknown" would be allowed but tells a
             * one-pass verifier nothing. RFC 8551 says future values come from
             * the IANA "Hash Function Textual Names" registry, whose naming gives
             * "shake256"; receivers must recover gracefully from a value they do
             * not know, and the SignerInfo names the digest in any case. */
            return "shake256";
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
             s->micalg, s->boundary);
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
    cachet_free(s->signers);
    cachet_free(s->signature_types);
    for (size_t i = 0; s->extra_attrs != NULL && i < s->num_signers; i++) {
        cachet_free(s->extra_attrs[i]);
    }
    cachet_free(s->extra_attrs);
    cachet_free(s->extra_attrs_len);
    cachet_cert_list_clear(&s->certs);
    cachet_smime_gen_free(&s->gen);
    if (!s->multipart) {
        cachet_smime_cms_out_free(&s->cout);
    }
    cachet_free(s);
}

static const cachet_op_vtable sign_vt = {
    .update_content = NULL,
    .update = sign_update,
    .finish = sign_finish,
    .free_impl = sign_free,
};

/* md_for applies the key's rules: Ed25519 signs with SHA-512, Ed448 with
 * SHAKE256 of 512 bits (RFC 8419 §3.1). */
static cachet_status md_for(const cachet_sign_opts *opts, cachet_key_type kt, cachet_md *md,
                            cachet_error *err) {
    static const cachet_md mds[] = {CACHET_MD_SHA256, CACHET_MD_SHA384, CACHET_MD_SHA512};
    if ((unsigned)opts->digest >= sizeof(mds) / sizeof(mds[0])) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "unknown digest %d",
                              (int)opts->digest);
    }
    *md = mds[opts->digest];
    if (kt == CACHET_KEY_ED25519) {
        *md = CACHET_MD_SHA512;
    } else if (kt == CACHET_KEY_ED448) {
        *md = CACHET_MD_SHAKE256_512;
    }
    return CACHET_OK;
}

static bool is_rsa(cachet_key_type kt) {
    return kt == CACHET_KEY_RSA || kt == CACHET_KEY_RSA_PSS;
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
        .content_size_known = opts->content_size_known,
        .content_size = opts->content_size,
    };
    s->cms = cachet_cms_sign_new(&co, cms_sink, err);
    if (s->cms == NULL) {
        cachet_op_free(s->op);
        return NULL;
    }
    return s->op;
}

/* collect_signers: |signer| then |more_signers|, each usable for signing. */
static cachet_status collect_signers(const cachet_ctx *ctx, const cachet_sign_opts *opts,
                                     const cachet_credential **creds, size_t *num, bool *any_rsa,
                                     cachet_error *err) {
    size_t more = opts->more_signers != NULL ? opts->num_more_signers : 0;
    if (opts->more_signers == NULL && opts->num_more_signers > 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "a count is given without its list");
    }
    if (more >= CACHET_SIGN_MAX_SIGNERS) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "at most %d signers",
                              CACHET_SIGN_MAX_SIGNERS);
    }
    creds[0] = opts->signer;
    for (size_t i = 0; i < more; i++) {
        creds[i + 1] = opts->more_signers[i];
    }
    *num = 1 + more;
    for (size_t i = 0; i < *num; i++) {
        const cachet_credential *c = creds[i];
        const char *who = i == 0 ? "signer" : "further signer";
        if (c == NULL || c->key == NULL || c->cert == NULL) {
            return cachet_err_set(err, CACHET_ERR_USAGE, who, -1,
                                  "signer %zu has no key or certificate", i + 1);
        }
        /* DESIGN principle 5 / RFC 8551 §4.2: no new signatures with RSA keys under
         * 2048 bits unless weak algorithms are explicitly allowed. */
        cachet_key_type kt = cachet_pkey_type(c->key);
        *any_rsa = *any_rsa || is_rsa(kt);
        if (is_rsa(kt) && cachet_pkey_bits(c->key) < 2048 && !ctx->allow_weak) {
            return cachet_err_set(err, CACHET_ERR_POLICY, who, -1,
                                  "RSA key of %u bits refused for signing (< 2048, weak); use a "
                                  "key of 2048 bits or more",
                                  cachet_pkey_bits(c->key));
        }
    }
    return CACHET_OK;
}

/* add_chain adds the certificates of |chain| not already in |list| (a chain shared
 * by two signers is carried once). */
static bool add_chain(cachet_cert_list *list, const cachet_cert_list *chain) {
    for (size_t i = 0; i < chain->num; i++) {
        size_t len = 0;
        const uint8_t *der = cachet_cert_der(chain->certs[i], &len);
        bool seen = false;
        for (size_t k = 0; k < list->num && !seen; k++) {
            size_t klen = 0;
            const uint8_t *kder = cachet_cert_der(list->certs[k], &klen);
            seen = der != NULL && kder != NULL && klen == len && memcmp(der, kder, len) == 0;
        }
        if (!seen && !cachet_cert_list_push(list, chain->certs[i])) {
            return false;
        }
    }
    return true;
}

/* add_micalg appends |md| to the micalg list unless it is there already. */
static void add_micalg(char *list, size_t len, const cachet_md *mds, size_t num_mds) {
    for (size_t i = 0; i < num_mds; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) {
            seen = mds[k] == mds[i];
        }
        if (!seen) {
            size_t used = strlen(list);
            snprintf(list + used, len - used, "%s%s", used > 0 ? "," : "", micalg_name(mds[i]));
        }
    }
}

/* fill_signers builds what cms/ borrows: the signer options, their signature
 * types, the certificates, and the micalg of every digest used (RFC 8551
 * §3.5.3.2: comma-separated, which a MIME parameter carries quoted). */
static cachet_status fill_signers(sign_impl *s, const cachet_ctx *ctx, const cachet_sign_opts *opts,
                                  const cachet_credential *const *creds, size_t num,
                                  cachet_error *err) {
    s->signers = cachet_calloc(num, sizeof(*s->signers));
    s->signature_types = cachet_calloc(num, sizeof(*s->signature_types));
    s->extra_attrs = cachet_calloc(num, sizeof(*s->extra_attrs));
    s->extra_attrs_len = cachet_calloc(num, sizeof(*s->extra_attrs_len));
    if (s->signers == NULL || s->signature_types == NULL || s->extra_attrs == NULL ||
        s->extra_attrs_len == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
    }
    const cachet_cert *certs[CACHET_SIGN_MAX_SIGNERS];
    for (size_t i = 0; i < num; i++) {
        certs[i] = creds[i]->cert;
    }
    s->num_signers = num; /* from here sign_free releases the attribute runs */
    cachet_status ast =
        cachet_smime_sign_attrs(ctx, opts, certs, num, s->extra_attrs, s->extra_attrs_len, err);
    if (ast != CACHET_OK) {
        return ast;
    }
    cachet_md mds[CACHET_SIGN_MAX_SIGNERS];
    for (size_t i = 0; i < num; i++) {
        cachet_key_type kt = cachet_pkey_type(creds[i]->key);
        cachet_status st = md_for(opts, kt, &mds[i], err);
        if (st != CACHET_OK) {
            return st;
        }
        s->signers[i] = (cachet_cms_signer_opts){
            .key = creds[i]->key,
            .cert = creds[i]->cert,
            .md = mds[i],
            .pss = opts->pss && is_rsa(kt),
            .use_ski = false,
            .extra_signed_attrs = s->extra_attrs[i],
            .extra_signed_attrs_len = s->extra_attrs_len[i],
        };
        /* Different SignatureTypes among valid signers fail verification. */
        s->signature_types[i] = opts->signature_types;
        if (!add_chain(&s->certs, &creds[i]->chain)) {
            return cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        }
    }
    s->num_signers = num;
    char list[sizeof(s->micalg) - 2] = "";
    add_micalg(list, sizeof(list), mds, num);
    snprintf(s->micalg, sizeof(s->micalg), strchr(list, ',') != NULL ? "\"%s\"" : "%s", list);
    return CACHET_OK;
}

static cachet_op *sign_new_started(const cachet_ctx *ctx, const cachet_sign_opts *opts,
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
    /* issue 6: detached and content_size are raw only (plumbing, cms/ does the rest) */
    if ((opts->detached || opts->content_size_known) && !opts->raw) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "detached and content_size are for raw mode (S/MIME signing is detached "
                       "multipart/signed unless opaque)");
        return NULL;
    }
    if (opts->detached && (opts->opaque || opts->empty)) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "a detached signature carries no content: not with opaque or empty");
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
    size_t num = 0;
    const cachet_credential *creds[CACHET_SIGN_MAX_SIGNERS];
    bool any_rsa = false;
    if (collect_signers(ctx, opts, creds, &num, &any_rsa, err) != CACHET_OK) {
        return NULL;
    }
    if (opts->pss && !any_rsa) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "--pss (RSASSA-PSS) needs an RSA key; this key is not RSA");
        return NULL;
    }
    const cachet_sink *cms_sink = NULL;
    sign_impl *s = start_op(ctx, opts, out, !opts->raw && !opts->opaque, &cms_sink, err);
    if (s == NULL) {
        return NULL;
    }
    cachet_op *op = s->op;
    if (fill_signers(s, ctx, opts, creds, num, err) != CACHET_OK) {
        cachet_op_free(op);
        return NULL;
    }
    cachet_cms_sign_opts co = {
        .signers = s->signers,
        .num_signers = s->num_signers,
        .extra_certs = s->certs.certs,
        .num_extra_certs = s->certs.num,
        .detached = opts->detached || !opts->opaque, /* raw without opaque: detached */
        .content_type = CACHET_OID_UNKNOWN,
        .signing_time = ctx->at,
        .signature_types = s->signature_types,
        .content_size_known = opts->content_size_known,
        .content_size = opts->content_size,
        .keys_checked = true,
        .multiple_signatures = opts->multiple_signatures,
    };
    for (size_t i = 0; i < num; i++) {
        co.keys_checked = co.keys_checked && creds[i]->key_checked;
    }
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

/* the public entry: a failure after an allocation failed is CACHET_ERR_NOMEM */
cachet_op *cachet_sign_new(const cachet_ctx *ctx, const cachet_sign_opts *opts,
                           const cachet_sink *out, cachet_error *err) {
    unsigned long failures = cachet_alloc_failures();
    return cachet_op_started(sign_new_started(ctx, opts, out, err), err, failures);
}
