/* cachet_encrypt_new: application/pkcs7-mime enveloped-data (AES-CBC) or
 * authEnveloped-data (AES-GCM/CCM, ChaCha20-Poly1305; RFC 8551 §3.4), or raw
 * CMS; or an EncryptedData (RFC 5652 §8, a key shared out of band; S/MIME
 * defines no smime-type for it). Streaming: the ContentInfo header and
 * RecipientInfos are held until the MIME header is written, then ciphertext
 * flows as content arrives (CCM: held whole by cms/, it needs the length).
 * Recipients come as certificates, as addresses looked up in the context's
 * store, as KEKs (KEKRecipientInfo) and as passwords (PasswordRecipientInfo);
 * with cipher_auto the algorithms follow what every recipient advertised. */
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
    bool encrypted_data; /* no smime-type */
} encrypt_impl;

static cachet_status encrypt_begin(void *arg, cachet_error *err) {
    encrypt_impl *e = arg;
    if (e->gen.raw) {
        return CACHET_OK;
    }
    char fields[512];
    cachet_smime_pkcs7_mime_fields(e->encrypted_data ? NULL
                                   : e->aead         ? "authEnveloped-data"
                                                     : "enveloped-data",
                                   fields, sizeof(fields));
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
            .cert_cache = ctx->cert_cache,
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

/* The secrets of the options, checked, as cms/ takes them (arrays owned here
 * for the call; cms/ copies what it keeps). */
typedef struct encrypt_secrets {
    cachet_cms_kek *keks;
    size_t num_keks;
    cachet_cms_password *passwords;
    size_t num_passwords;
    const uint8_t *content_key;
    size_t content_key_len;
} encrypt_secrets;

static void secrets_free(encrypt_secrets *s) {
    cachet_free(s->keks);
    cachet_free(s->passwords);
}

static bool aes_key_len(size_t n) {
    return n == 16 || n == 24 || n == 32;
}

/* encrypted_data_cipher: EncryptedData is AES-CBC of the key's size; an
 * explicit AES-CBC choice must agree with it, the AEAD choices (the default
 * is AES-256-GCM) have no EncryptedData form and are not used. */
static bool encrypted_data_cipher(const cachet_encrypt_opts *opts, size_t key_len,
                                  cachet_cipher *cipher, cachet_error *err) {
    *cipher = CACHET_CIPHER_NONE;
    if (opts->cipher_auto) {
        return true;
    }
    size_t want = 0;
    switch (opts->cipher) {
        case CACHET_CIPHER_CHOICE_AES128_CBC:
            want = 16;
            break;
        case CACHET_CIPHER_CHOICE_AES192_CBC:
            want = 24;
            break;
        case CACHET_CIPHER_CHOICE_AES256_CBC:
            want = 32;
            break;
        default:
            return true;
    }
    if (want != key_len) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "an EncryptedData key of %zu bytes is AES-%zu-CBC, not the cipher chosen",
                       key_len, key_len * 8);
        return false;
    }
    return map_cipher(opts->cipher, cipher);
}

/* check_secrets turns secret_keys/passwords into cms/'s form, or the content
 * key of an EncryptedData. */
static bool check_secrets(const cachet_encrypt_opts *opts, size_t num_certs, encrypt_secrets *out,
                          cachet_error *err) {
    size_t nsk = opts->secret_keys != NULL ? opts->num_secret_keys : 0;
    size_t npw = opts->passwords != NULL ? opts->num_passwords : 0;
    if ((opts->secret_keys == NULL && opts->num_secret_keys > 0) ||
        (opts->passwords == NULL && opts->num_passwords > 0)) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "a count is given without its list");
        return false;
    }
    if (opts->encrypted_data) {
        if (num_certs > 0 || npw > 0 || nsk != 1) {
            cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                           "an EncryptedData takes exactly one secret key (its content key) and "
                           "no recipients, addresses or passwords");
            return false;
        }
        if (opts->secret_keys[0].key == NULL || !aes_key_len(opts->secret_keys[0].key_len)) {
            cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                           "the content key of an EncryptedData is 16, 24 or 32 bytes (AES)");
            return false;
        }
        out->content_key = opts->secret_keys[0].key;
        out->content_key_len = opts->secret_keys[0].key_len;
        return true;
    }
    if (num_certs + nsk + npw == 0) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "encrypt needs at least one recipient, secret key or password");
        return false;
    }
    if (nsk > 0) {
        out->keks = cachet_calloc(nsk, sizeof(*out->keks));
    }
    if (npw > 0) {
        out->passwords = cachet_calloc(npw, sizeof(*out->passwords));
    }
    if ((nsk > 0 && out->keks == NULL) || (npw > 0 && out->passwords == NULL)) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return false;
    }
    for (size_t i = 0; i < nsk; i++) {
        const cachet_secret_key *k = &opts->secret_keys[i];
        if (k->key == NULL || !aes_key_len(k->key_len) || k->id == NULL || k->id_len == 0) {
            cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                           "secret key %zu: a key-encryption key is 16, 24 or 32 bytes (AES key "
                           "wrap) and needs an id",
                           i + 1);
            return false;
        }
        out->keks[i] = (cachet_cms_kek){k->key, k->key_len, k->id, k->id_len};
    }
    out->num_keks = nsk;
    for (size_t i = 0; i < npw; i++) {
        const char *p = opts->passwords[i];
        if (p == NULL || p[0] == '\0') {
            cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "password %zu is missing or empty",
                           i + 1);
            return false;
        }
        out->passwords[i] = (cachet_cms_password){(const uint8_t *)p, strlen(p)};
    }
    out->num_passwords = npw;
    return true;
}

/* check_counts applies the recipient limit to every kind together. */
static bool check_counts(const cachet_ctx *ctx, const cachet_encrypt_opts *opts, size_t num_files,
                         size_t num_addrs, cachet_error *err) {
    size_t nsk = opts->secret_keys != NULL ? opts->num_secret_keys : 0;
    size_t npw = opts->passwords != NULL ? opts->num_passwords : 0;
    size_t max = ctx->limits.max_recipients;
    if (num_files > max || num_addrs > max - num_files || nsk > max - num_files - num_addrs ||
        npw > max - num_files - num_addrs - nsk) {
        cachet_err_set(err, CACHET_ERR_LIMIT, "", -1, "more than %zu recipients", max);
        return false;
    }
    cachet_cms_limits cl = cachet_ctx_cms_limits(ctx);
    if (opts->pbkdf2_iterations > cl.max_pbkdf2_iterations) {
        /* We would write what we ourselves refuse to read. */
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "%u PBKDF2 iterations is more than the limit of %llu",
                       opts->pbkdf2_iterations, (unsigned long long)cl.max_pbkdf2_iterations);
        return false;
    }
    if (num_addrs > 0 && ctx->store == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "encrypting to an address needs a certificate store");
        return false;
    }
    if (!opts->raw && opts->format != CACHET_FORMAT_SMIME) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "DER or PEM output is for raw mode");
        return false;
    }
    if (opts->content_size_known && !opts->raw) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "content_size is for raw mode (the S/MIME entity is canonicalised: its "
                       "length is not the input's)");
        return false;
    }
    return true;
}

/* choose_cipher: the algorithms, once the certificate recipients are known. */
static bool choose_cipher(const cachet_ctx *ctx, const cachet_encrypt_opts *opts,
                          const encrypt_impl *e, const encrypt_secrets *sec, cachet_cipher *cipher,
                          bool *oaep, cachet_error *err) {
    *oaep = opts->oaep;
    if (opts->encrypted_data) {
        *oaep = false;
        return encrypted_data_cipher(opts, sec->content_key_len, cipher, err);
    }
    if (!opts->cipher_auto) {
        if (!map_cipher(opts->cipher, cipher)) {
            cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "unknown cipher %d", (int)opts->cipher);
            return false;
        }
        return true;
    }
    if (e->recipients.num > 0 && !choose_auto(ctx, &e->recipients, cipher, oaep, err)) {
        return false;
    }
    if (e->recipients.num == 0 || sec->num_keks + sec->num_passwords > 0) {
        /* Nothing is known of what a KEK or password holder supports. */
        *cipher = CACHET_CIPHER_AES256_CBC;
    }
    return true;
}

static cachet_op *encrypt_new_started(const cachet_ctx *ctx, const cachet_encrypt_opts *opts,
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
    if (!check_counts(ctx, opts, num_files, num_addrs, err)) {
        return NULL;
    }
    if (!opts->cipher_auto && !opts->encrypted_data && !map_cipher(opts->cipher, &cipher)) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "unknown cipher %d", (int)opts->cipher);
        return NULL;
    }
    encrypt_secrets sec = {0};
    if (!check_secrets(opts, num_files + num_addrs, &sec, err)) {
        secrets_free(&sec);
        return NULL;
    }
    encrypt_impl *e = cachet_calloc(1, sizeof(*e));
    cachet_op *op = e != NULL ? cachet_op_alloc(ctx, &encrypt_vt, e, out) : NULL;
    if (op == NULL) {
        cachet_free(e);
        secrets_free(&sec);
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
            secrets_free(&sec);
            return NULL;
        }
    }
    char warning[sizeof(err->message)] = "";
    bool oaep = opts->oaep;
    if (!add_addresses(ctx, opts->to_addresses, num_addrs, &e->recipients, warning, sizeof(warning),
                       err) ||
        !choose_cipher(ctx, opts, e, &sec, &cipher, &oaep, err)) {
        cachet_op_free(op);
        secrets_free(&sec);
        return NULL;
    }
    e->encrypted_data = opts->encrypted_data;
    e->aead = !e->encrypted_data && cachet_cipher_is_aead(cipher);
    cachet_smime_gen_init(&e->gen, ctx, opts->raw, false, encrypt_begin, encrypt_content, e,
                          &op->err);
    cachet_format f =
        opts->raw && opts->format == CACHET_FORMAT_SMIME ? CACHET_FORMAT_DER : opts->format;
    if (cachet_smime_cms_out_init(&e->cout, f, &op->out, err) != CACHET_OK) {
        cachet_op_free(op);
        secrets_free(&sec);
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
        .keks = sec.keks,
        .num_keks = sec.num_keks,
        .passwords = sec.passwords,
        .num_passwords = sec.num_passwords,
        .pbkdf2_iterations = opts->pbkdf2_iterations,
        .content_key = sec.content_key,
        .content_key_len = sec.content_key_len,
        .content_size_known = opts->content_size_known,
        .content_size = opts->content_size,
    };
    e->cms = cachet_cms_encrypt_new(&eo, &e->cout.sink, err);
    secrets_free(&sec);
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

/* the public entry: a failure after an allocation failed is CACHET_ERR_NOMEM */
cachet_op *cachet_encrypt_new(const cachet_ctx *ctx, const cachet_encrypt_opts *opts,
                              const cachet_sink *out, cachet_error *err) {
    unsigned long failures = cachet_alloc_failures();
    return cachet_op_started(encrypt_new_started(ctx, opts, out, err), err, failures);
}
