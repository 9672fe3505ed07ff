/* cachet_encrypt_new: application/pkcs7-mime enveloped-data (AES-CBC) or
 * authEnveloped-data (AES-GCM, RFC 8551 §3.4), or raw CMS. Streaming: the
 * ContentInfo header and RecipientInfos are held until the MIME header is
 * written, then ciphertext flows as content arrives. Recipients come as
 * certificates or as addresses looked up in the context's store; with
 * cipher_auto the algorithms follow what every recipient advertised. */
#include <stdio.h>
#include <string.h>

#include "cms/enveloped.h"
#include "smime/writer.h"

typedef struct encrypt_impl {
    cachet_op *op;
    cachet_smime_gen gen;
    cachet_cms_encrypt *cms;
    cachet_smime_cms_out cout;
    cachet_cert_list recipients;
    bool aead;
} encrypt_impl;

static cachet_status encrypt_begin(void *arg, cachet_error *err) {
    encrypt_impl *e = arg;
    if (e->gen.raw) {
        return CACHET_OK;
    }
    char fields[512];
    cachet_smime_pkcs7_mime_fields(e->aead ? "authEnveloped-data" : "enveloped-data", fields,
                                   sizeof(fields));
    cachet_status st = cachet_smime_write_header(&e->op->out, &e->gen.split, fields, err);
    if (st == CACHET_OK) {
        st = cachet_smime_cms_out_open(&e->cout);
        if (st != CACHET_OK) {
            cachet_err_set(err, st, "output", -1, "writing the output failed");
        }
    }
    return st;
}

static cachet_status encrypt_content(void *arg, const uint8_t *data, size_t len) {
    encrypt_impl *e = arg;
    return cachet_cms_encrypt_update(e->cms, data, len, &e->op->err);
}

static cachet_status encrypt_update(cachet_op *op, const uint8_t *data, size_t len) {
    encrypt_impl *e = op->impl;
    return cachet_smime_gen_update(&e->gen, data, len);
}

static cachet_status encrypt_finish(cachet_op *op, cachet_report **out_report) {
    (void)out_report;
    encrypt_impl *e = op->impl;
    if (op->failed) {
        return op->err.status;
    }
    cachet_status st = cachet_smime_gen_finish(&e->gen);
    if (st == CACHET_OK) {
        st = cachet_cms_encrypt_finish(e->cms, &op->err);
    }
    if (st == CACHET_OK) {
        st = cachet_smime_cms_out_finish(&e->cout, &op->err);
    }
    return st;
}

static void encrypt_free(void *impl) {
    encrypt_impl *e = impl;
    if (e == NULL) {
        return;
    }
    cachet_cms_encrypt_free(e->cms);
    cachet_smime_gen_free(&e->gen);
    cachet_smime_cms_out_free(&e->cout);
    cachet_cert_list_clear(&e->recipients);
    cachet_free(e);
}

static const cachet_op_vtable encrypt_vt = {
    .update_content = NULL,
    .update = encrypt_update,
    .finish = encrypt_finish,
    .free_impl = encrypt_free,
};

static bool map_cipher(cachet_cipher_choice c, cachet_cipher *out) {
    switch (c) {
        case CACHET_CIPHER_CHOICE_AES256_GCM:
            *out = CACHET_CIPHER_AES256_GCM;
            return true;
        case CACHET_CIPHER_CHOICE_AES128_GCM:
            *out = CACHET_CIPHER_AES128_GCM;
            return true;
        case CACHET_CIPHER_CHOICE_AES256_CBC:
            *out = CACHET_CIPHER_AES256_CBC;
            return true;
        case CACHET_CIPHER_CHOICE_AES128_CBC:
            *out = CACHET_CIPHER_AES128_CBC;
            return true;
        case CACHET_CIPHER_CHOICE_AES256_CCM:
            *out = CACHET_CIPHER_AES256_CCM;
            return true;
        case CACHET_CIPHER_CHOICE_AES128_CCM:
            *out = CACHET_CIPHER_AES128_CCM;
            return true;
        case CACHET_CIPHER_CHOICE_CHACHA20_POLY1305:
            *out = CACHET_CIPHER_CHACHA20_POLY1305;
            return true;
        case CACHET_CIPHER_CHOICE_AES192_CBC:
            *out = CACHET_CIPHER_AES192_CBC;
            return true;
        case CACHET_CIPHER_CHOICE_AES192_GCM:
            *out = CACHET_CIPHER_AES192_GCM;
            return true;
    }
    return false;
}

/* add_addresses appends the certificate chosen for each address (pki/select.c). */
static bool add_addresses(const cachet_ctx *ctx, const char *const *addrs, size_t num,
                          cachet_cert_list *out, char *warning, size_t warning_len,
                          cachet_error *err) {
    for (size_t i = 0; i < num; i++) {
        if (addrs[i] == NULL) {
            cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "recipient address %zu is missing",
                           i + 1);
            return false;
        }
        char one[sizeof(err->message)] = "";
        cachet_pki_select_opts so = {
            .trust = ctx->trust,
            .now = ctx->at,
            .revocation = ctx->revocation,
            .timeout_seconds = 0,
            .allow_weak = ctx->allow_weak,
            .warning = one,
            .warning_len = sizeof(one),
        };
        cachet_cert *cert = NULL;
        if (cachet_pki_select_recipient(ctx->store->db, addrs[i], &so, &cert, err) != CACHET_OK) {
            return false;
        }
        bool ok = cachet_cert_list_push(out, cert);
        cachet_cert_free(cert);
        if (!ok) {
            cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
            return false;
        }
        if (one[0] != '\0') {
            size_t used = strnlen(warning, warning_len);
            snprintf(warning + used, warning_len - used, "%s%s", used > 0 ? "; " : "", one);
        }
    }
    return true;
}

/* choose_auto: algorithms every recipient is known to support (pki/caps.c). */
static bool choose_auto(const cachet_ctx *ctx, const cachet_cert_list *recips,
                        cachet_cipher *cipher, bool *oaep, cachet_error *err) {
    cachet_db *db = ctx->store != NULL ? ctx->store->db : NULL;
    return cachet_pki_choose_algorithms(db, recips->certs, recips->num, cipher, oaep, err) ==
           CACHET_OK;
}

cachet_op *cachet_encrypt_new(const cachet_ctx *ctx, const cachet_encrypt_opts *opts,
                              const cachet_sink *out, cachet_error *err) {
    cachet_err_clear(err);
    cachet_cipher cipher = CACHET_CIPHER_AES256_CBC;
    if (ctx == NULL || opts == NULL || out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "encrypt needs a context, options and a sink");
        return NULL;
    }
    size_t num_files = opts->recipients != NULL ? opts->num_recipients : 0;
    size_t num_addrs = opts->to_addresses != NULL ? opts->num_to_addresses : 0;
    if (num_files + num_addrs == 0) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "encrypt needs at least one recipient");
        return NULL;
    }
    if (num_files > ctx->limits.max_recipients ||
        num_addrs > ctx->limits.max_recipients - num_files) {
        cachet_err_set(err, CACHET_ERR_LIMIT, "", -1, "more than %zu recipients",
                       ctx->limits.max_recipients);
        return NULL;
    }
    if (num_addrs > 0 && ctx->store == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "encrypting to an address needs a certificate store");
        return NULL;
    }
    if (!opts->cipher_auto && !map_cipher(opts->cipher, &cipher)) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "unknown cipher %d", (int)opts->cipher);
        return NULL;
    }
    if (!opts->raw && opts->format != CACHET_FORMAT_SMIME) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "DER or PEM output is for raw mode");
        return NULL;
    }
    encrypt_impl *e = cachet_calloc(1, sizeof(*e));
    cachet_op *op = e != NULL ? cachet_op_alloc(ctx, &encrypt_vt, e, out) : NULL;
    if (op == NULL) {
        cachet_free(e);
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    e->op = op;
    for (size_t i = 0; i < num_files; i++) {
        if (opts->recipients[i] == NULL ||
            !cachet_cert_list_push(&e->recipients, opts->recipients[i])) {
            cachet_err_set(err, opts->recipients[i] == NULL ? CACHET_ERR_USAGE : CACHET_ERR_NOMEM,
                           "", -1, "cannot use recipient %zu", i + 1);
            cachet_op_free(op);
            return NULL;
        }
    }
    char warning[sizeof(err->message)] = "";
    bool oaep = opts->oaep;
    if (!add_addresses(ctx, opts->to_addresses, num_addrs, &e->recipients, warning, sizeof(warning),
                       err) ||
        (opts->cipher_auto && !choose_auto(ctx, &e->recipients, &cipher, &oaep, err))) {
        cachet_op_free(op);
        return NULL;
    }
    e->aead = cachet_cipher_is_aead(cipher);
    cachet_smime_gen_init(&e->gen, ctx, opts->raw, false, encrypt_begin, encrypt_content, e,
                          &op->err);
    cachet_format f =
        opts->raw && opts->format == CACHET_FORMAT_SMIME ? CACHET_FORMAT_DER : opts->format;
    if (cachet_smime_cms_out_init(&e->cout, f, &op->out, err) != CACHET_OK) {
        cachet_op_free(op);
        return NULL;
    }
    cachet_cms_policy policy = cachet_ctx_cms_policy(ctx);
    cachet_cms_encrypt_opts eo = {
        .recipients = &e->recipients,
        .cipher = cipher,
        .oaep = oaep,
        .use_ski = false,
        .content_type = CACHET_OID_UNKNOWN,
        .policy = &policy,
    };
    e->cms = cachet_cms_encrypt_new(&eo, &e->cout.sink, err);
    if (e->cms == NULL) {
        if (err != NULL && err->status == CACHET_OK) {
            cachet_err_set(err, CACHET_ERR_INTERNAL, "", -1, "cannot start encrypting");
        }
        cachet_op_free(op);
        return NULL;
    }
    if (warning[0] != '\0' && err != NULL) {
        /* Success with something the user should hear (soft revocation policy):
         * the status stays CACHET_OK and the message carries the warning. */
        cachet_err_clear(err);
        snprintf(err->message, sizeof(err->message), "%s", warning);
    }
    return op;
}
