/* smime/countersign.c: cachet_countersign_new (RFC 5652 §11.4) over a signed
 * message: raw CMS (DER or PEM in, the chosen format out), opaque
 * application/pkcs7-mime signed-data, or multipart/signed, where only the body
 * of the application/pkcs7-signature part is rewritten and every other byte
 * (headers, part 1, boundaries, preamble, epilogue) is copied as it came.
 * The message is held in memory (CACHET_SMIME_COUNTERSIGN_MAX): the SignedData
 * is re-encoded with new lengths once it is complete (cms/countersign_add.c). */
#include <string.h>

#include "cms/countersign.h"
#include "mime/mime.h"
#include "smime/internal.h"
#include "smime/pem.h"

/* The most input held: the CMS bound with room for base64 and a part 1. */
#define CACHET_SMIME_COUNTERSIGN_MAX ((size_t)96 << 20)

typedef struct cs_op {
    cachet_countersign_opts opts;
    cachet_membuf in;
} cs_op;

/* Where the SignedData sits in a MIME message. */
typedef struct cs_locate {
    bool opaque;        /* application/pkcs7-mime at the top */
    bool found;         /* the part holding the CMS was seen */
    char target[8];     /* its part path: "" (opaque) or "2" */
    size_t parts;       /* body parts of the multipart/signed */
    uint64_t raw_count; /* bytes of the whole entity delivered so far */
    uint64_t body_start;
    uint64_t body_len;
    bool crlf;    /* the body's lines end in CRLF */
    bool eol_end; /* the body ends with a line break */
    uint8_t last; /* the last body byte so far */
    cachet_membuf der;
    cachet_error err;
} cs_locate;

static cachet_status loc_fail(cs_locate *l, cachet_status st, const char *where, const char *msg,
                              const char *arg) {
    return cachet_err_set(&l->err, st, where, -1, "%s%s", msg, arg);
}

static bool is_type(const cachet_mime_ctype *ct, const char *type, const char *sub,
                    const char *xsub) {
    return cachet_mime_ctype_is(ct, type, sub) || cachet_mime_ctype_is(ct, type, xsub);
}

static cachet_status on_headers_end(void *arg, const cachet_mime_part_info *info, bool *descend) {
    cs_locate *l = arg;
    const cachet_mime_ctype *ct = info->ctype;
    if (info->depth == 0) {
        if (cachet_mime_ctype_is(ct, "multipart", "signed")) {
            return CACHET_OK;
        }
        if (!is_type(ct, "application", "pkcs7-mime", "x-pkcs7-mime")) {
            return loc_fail(l, CACHET_ERR_USAGE, "message", "not a signed S/MIME message: ",
                            "Content-Type is neither multipart/signed nor application/pkcs7-mime");
        }
        const char *st = cachet_mime_params_get(&ct->params, "smime-type");
        if (st != NULL && strcmp(st, "signed-data") != 0) {
            return loc_fail(
                l, CACHET_ERR_USAGE, "message",
                "not a signed message (decrypt or decompress it first): smime-type=", st);
        }
        l->opaque = true;
        *descend = false;
    } else if (info->depth == 1 && !l->opaque) {
        l->parts++;
        if (l->parts != 2) {
            return CACHET_OK;
        }
        if (!is_type(ct, "application", "pkcs7-signature", "x-pkcs7-signature")) {
            return loc_fail(l, CACHET_ERR_MALFORMED, info->path,
                            "the second part of multipart/signed is not ",
                            "application/pkcs7-signature");
        }
        *descend = false;
    } else {
        return CACHET_OK;
    }
    if (info->cte != CACHET_MIME_CTE_BASE64) {
        return loc_fail(l, CACHET_ERR_UNSUPPORTED, info->path,
                        "the signature is not base64-encoded (Content-Transfer-Encoding ",
                        "base64 is the only one rewritten)");
    }
    snprintf(l->target, sizeof(l->target), "%s", info->path);
    l->found = true;
    l->body_start = l->raw_count;
    return CACHET_OK;
}

static cachet_status on_part_raw(void *arg, const char *path, const uint8_t *data, size_t len) {
    cs_locate *l = arg;
    (void)data;
    if (path[0] == '\0') {
        l->raw_count += len;
    }
    return CACHET_OK;
}

static cachet_status on_body(void *arg, const char *path, const uint8_t *raw, size_t raw_len,
                             const uint8_t *decoded, size_t decoded_len) {
    cs_locate *l = arg;
    if (!l->found || strcmp(path, l->target) != 0) {
        return CACHET_OK;
    }
    for (size_t i = 0; i < raw_len; i++) {
        l->crlf = l->crlf || (raw[i] == '\n' && l->last == '\r');
        l->last = raw[i];
    }
    l->eol_end = l->last == '\n';
    l->body_len += raw_len;
    if (!cachet_membuf_append(&l->der, decoded, decoded_len)) {
        return cachet_err_set(&l->err, CACHET_ERR_NOMEM, path, -1, "out of memory");
    }
    return CACHET_OK;
}

/* locate parses |msg| (whole) and finds the base64 body holding the CMS. */
static cachet_status locate(const cachet_ctx *ctx, const uint8_t *msg, size_t len, cs_locate *l,
                            cachet_error *err) {
    cachet_mime_limits ml = cachet_ctx_mime_limits(ctx);
    cachet_mime_callbacks cb = {
        .arg = l, .headers_end = on_headers_end, .part_raw = on_part_raw, .body = on_body};
    cachet_mime_parser *p = cachet_mime_parser_new(&ml, &cb);
    if (p == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "message", -1, "out of memory");
    }
    cachet_status st = cachet_mime_parser_update(p, msg, len);
    if (st == CACHET_OK) {
        st = cachet_mime_parser_finish(p);
    }
    if (st != CACHET_OK) {
        *err = l->err.status != CACHET_OK ? l->err : *cachet_mime_parser_error(p);
    }
    cachet_mime_parser_free(p);
    if (st == CACHET_OK && !l->found) {
        st = cachet_err_set(err, CACHET_ERR_MALFORMED, "message", -1,
                            "multipart/signed without its application/pkcs7-signature part");
    }
    if (st == CACHET_OK && !l->opaque && l->parts != 2) {
        st = cachet_err_set(err, CACHET_ERR_MALFORMED, "message", -1,
                            "multipart/signed has %zu parts, not 2 (RFC 1847 section 2.1)",
                            l->parts);
    }
    return st;
}

/* write_b64_body writes |der| as base64 lines with the original line ending,
 * ending in a line break only when |eol_end|. */
static cachet_status write_b64_body(const cachet_sink *out, const uint8_t *der, size_t len,
                                    bool crlf, bool eol_end) {
    size_t cap = CACHET_MIME_B64ENC_MAX(len) + CACHET_MIME_B64ENC_FINISH_MAX;
    uint8_t *buf = cachet_malloc(cap);
    if (buf == NULL) {
        return CACHET_ERR_NOMEM;
    }
    cachet_mime_b64enc e;
    cachet_mime_b64enc_init(&e);
    size_t n = cachet_mime_b64enc_update(&e, der, len, buf);
    n += cachet_mime_b64enc_finish(&e, buf + n);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (!crlf && buf[i] == '\r') {
            continue;
        }
        buf[w++] = buf[i];
    }
    if (!eol_end) {
        while (w > 0 && (buf[w - 1] == '\n' || buf[w - 1] == '\r')) {
            w--;
        }
    }
    cachet_status st = cachet_sink_write(out, buf, w);
    cachet_free(buf);
    return st;
}

static cachet_status countersign_der(cachet_op *op, const uint8_t *cms, size_t len, uint8_t **out,
                                     size_t *out_len) {
    cs_op *c = op->impl;
    const cachet_credential *cred = c->opts.signer;
    static const cachet_md mds[] = {CACHET_MD_SHA256, CACHET_MD_SHA384, CACHET_MD_SHA512};
    cachet_cms_limits limits = cachet_ctx_cms_limits(op->ctx);
    cachet_cms_countersign_opts co = {
        .key = cred->key,
        .cert = cred->cert,
        .chain = cred->chain.certs,
        .num_chain = cred->chain.num,
        .md = (size_t)c->opts.digest < 3 ? mds[c->opts.digest] : CACHET_MD_SHA256,
        .pss = c->opts.pss,
        .key_checked = cred->key_checked,
        .signing_time = op->ctx->at,
        .signer_index = c->opts.signer_index,
        .all_signers = c->opts.all_signers,
    };
    /* EdDSA fixes its own digest (RFC 8419 §3.1): an explicit SHA-256 default is not a choice */
    cachet_key_type kt = cachet_pkey_type(cred->key);
    if (kt == CACHET_KEY_ED25519 || kt == CACHET_KEY_ED448) {
        co.md = CACHET_MD_NONE;
    }
    return cachet_cms_countersign_add(&co, &limits, cms, len, out, out_len, &op->err);
}

static cachet_status finish_raw(cachet_op *op, const uint8_t *in, size_t len) {
    cs_op *c = op->impl;
    cachet_membuf decoded = {0}, pem = {0};
    uint8_t *out = NULL;
    size_t out_len = 0;
    cachet_status st = CACHET_OK;
    cachet_input_kind kind = cachet_smime_detect_input(in, len, true);
    if (kind == CACHET_INPUT_TEXT) {
        return cachet_err_set(&op->err, CACHET_ERR_USAGE, "input", 0,
                              "raw CMS (DER or PEM) was expected and this is neither (an S/MIME "
                              "message is countersigned without --raw and --format der|pem)");
    }
    if (kind == CACHET_INPUT_PEM) {
        st = cachet_pem_decode(in, len, &decoded, &op->err);
        in = decoded.data;
        len = decoded.len;
    }
    if (st == CACHET_OK) {
        st = countersign_der(op, in, len, &out, &out_len);
    }
    if (st == CACHET_OK && c->opts.format == CACHET_FORMAT_PEM) {
        st = cachet_pem_encode(CACHET_PEM_LABEL_CMS, out, out_len, &pem, &op->err);
        if (st == CACHET_OK) {
            st = cachet_sink_write(&op->out, pem.data, pem.len);
        }
    } else if (st == CACHET_OK) {
        st = cachet_sink_write(&op->out, out, out_len);
    }
    cachet_free(out);
    cachet_membuf_free(&decoded);
    cachet_membuf_free(&pem);
    return st;
}

static cachet_status finish_mime(cachet_op *op, const uint8_t *in, size_t len) {
    cs_locate l;
    uint8_t *out = NULL;
    size_t out_len = 0;
    memset(&l, 0, sizeof(l));
    l.der.max = CACHET_CMS_COUNTERSIGN_MAX_INPUT;
    if (cachet_smime_detect_input(in, len, true) != CACHET_INPUT_TEXT) {
        return cachet_err_set(&op->err, CACHET_ERR_USAGE, "input", 0,
                              "this is raw CMS, not an S/MIME message: countersign it with raw "
                              "input (--raw)");
    }
    cachet_status st = locate(op->ctx, in, len, &l, &op->err);
    if (st == CACHET_OK) {
        st = countersign_der(op, l.der.data, l.der.len, &out, &out_len);
        if (st != CACHET_OK) {
            cachet_err_prefix_where(&op->err, l.opaque ? "application/pkcs7-mime"
                                                       : "application/pkcs7-signature");
        }
    }
    if (st == CACHET_OK) {
        size_t end = (size_t)(l.body_start + l.body_len);
        st = cachet_sink_write(&op->out, in, (size_t)l.body_start);
        if (st == CACHET_OK) {
            st = write_b64_body(&op->out, out, out_len, l.crlf, l.opaque && l.eol_end);
        }
        if (st == CACHET_OK) {
            st = cachet_sink_write(&op->out, in + end, len - end);
        }
    }
    cachet_free(out);
    cachet_membuf_free(&l.der);
    return st;
}

static cachet_status cs_update(cachet_op *op, const uint8_t *data, size_t len) {
    cs_op *c = op->impl;
    if (!cachet_membuf_append(&c->in, data, len)) {
        if (c->in.len + len > CACHET_SMIME_COUNTERSIGN_MAX) {
            return cachet_op_failf(op, CACHET_ERR_LIMIT, "input", (long long)c->in.len,
                                   "countersigning holds the whole message in memory: the input "
                                   "is over the bound of %zu bytes",
                                   CACHET_SMIME_COUNTERSIGN_MAX);
        }
        return cachet_op_failf(op, CACHET_ERR_NOMEM, "input", -1, "out of memory");
    }
    return CACHET_OK;
}

static cachet_status cs_finish(cachet_op *op, cachet_report **out_report) {
    cs_op *c = op->impl;
    (void)out_report;
    if (op->failed) {
        return op->err.status;
    }
    cachet_status st = c->opts.raw ? finish_raw(op, c->in.data, c->in.len)
                                   : finish_mime(op, c->in.data, c->in.len);
    if (st != CACHET_OK && op->err.status == CACHET_OK) {
        cachet_err_set(&op->err, st, "output", -1, "writing the countersigned message failed");
    }
    return st;
}

static void cs_free(void *impl) {
    cs_op *c = impl;
    if (c != NULL) {
        cachet_membuf_free(&c->in);
        cachet_free(c);
    }
}

static const cachet_op_vtable cs_vt = {
    .update = cs_update,
    .finish = cs_finish,
    .free_impl = cs_free,
};

cachet_op *cachet_countersign_new(const cachet_ctx *ctx, const cachet_countersign_opts *opts,
                                  const cachet_sink *out, cachet_error *err) {
    if (ctx == NULL || opts == NULL || out == NULL || opts->signer == NULL ||
        opts->signer->key == NULL || opts->signer->cert == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "countersign", -1,
                       "countersigning needs a context, options with a signer (key and "
                       "certificate) and an output");
        return NULL;
    }
    if ((size_t)opts->digest > CACHET_DIGEST_SHA512) {
        cachet_err_set(err, CACHET_ERR_USAGE, "countersign", -1, "unknown digest %d",
                       (int)opts->digest);
        return NULL;
    }
    /* raw: DER unless PEM is asked for (SMIME, the zero value, reads as DER) */
    if (!opts->raw && opts->format != CACHET_FORMAT_SMIME) {
        cachet_err_set(err, CACHET_ERR_USAGE, "countersign", -1,
                       "--format der|pem goes with raw CMS input (--raw); an S/MIME message is "
                       "written back as S/MIME");
        return NULL;
    }
    cs_op *c = cachet_calloc(1, sizeof(*c));
    if (c == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "countersign", -1, "out of memory");
        return NULL;
    }
    c->opts = *opts;
    c->in.max = CACHET_SMIME_COUNTERSIGN_MAX;
    cachet_op *op = cachet_op_alloc(ctx, &cs_vt, c, out);
    if (op == NULL) {
        cs_free(c);
        cachet_err_set(err, CACHET_ERR_NOMEM, "countersign", -1, "out of memory");
    }
    return op;
}
