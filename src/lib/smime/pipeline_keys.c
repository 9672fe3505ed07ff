/* The reader's secrets: what the caller gave to open encrypted layers, checked
 * and copied into the one cachet_cms_secrets that every enveloped,
 * authEnveloped and encrypted layer of the message is read with. The secret
 * bytes are copied so that the options need not outlive cachet_*_new. */
#include <string.h>

#include "smime/pipeline.h"

/* The most credentials or secret keys one operation takes (caller input, but
 * the sizes below are computed from it). */
#define MAX_SECRETS 4096

static bool has_id(const cachet_secret_key *k) {
    return k->id != NULL && k->id_len > 0;
}

static cachet_status check_keys(const cachet_rd_keys *in, size_t *num_creds, size_t *num_keks,
                                size_t *bytes, cachet_error *err) {
    size_t more = in->more_creds != NULL ? in->num_more_creds : 0;
    size_t nsk = in->secret_keys != NULL ? in->num_secret_keys : 0;
    if ((in->more_creds == NULL && in->num_more_creds > 0) ||
        (in->secret_keys == NULL && in->num_secret_keys > 0)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "a count is given without its list");
    }
    if (more > MAX_SECRETS || nsk > MAX_SECRETS) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "more than %d credentials or keys",
                              MAX_SECRETS);
    }
    *num_creds = (in->cred != NULL ? 1 : 0) + more;
    for (size_t i = 0; i < more; i++) {
        const cachet_credential *c = in->more_creds[i];
        if (c == NULL || c->key == NULL || c->cert == NULL) {
            return cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                                  "further credential %zu has no key or certificate", i + 1);
        }
    }
    if (in->cred != NULL && (in->cred->key == NULL || in->cred->cert == NULL)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                              "credential without key or certificate");
    }
    *num_keks = 0;
    *bytes = in->password != NULL ? strlen(in->password) + 1 : 0;
    bool content_key = false;
    for (size_t i = 0; i < nsk; i++) {
        const cachet_secret_key *k = &in->secret_keys[i];
        if (k->key == NULL || k->key_len == 0 || k->key_len > 64 ||
            (k->id == NULL && k->id_len > 0) || k->id_len > 1024) {
            return cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                                  "secret key %zu is empty, too long or has a bad id", i + 1);
        }
        if (has_id(k)) {
            if (k->key_len != 16 && k->key_len != 24 && k->key_len != 32) {
                return cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                                      "secret key %zu: a key-encryption key is 16, 24 or 32 bytes "
                                      "(AES key wrap), not %zu",
                                      i + 1, k->key_len);
            }
            (*num_keks)++;
            *bytes += k->key_len + k->id_len;
        } else {
            if (content_key) {
                return cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                                      "more than one secret key without an id (the content key "
                                      "of an EncryptedData is one key)");
            }
            content_key = true;
            *bytes += k->key_len;
        }
    }
    return CACHET_OK;
}

/* ambiguous_certs refuses two different certificates of ours that a
 * RecipientIdentifier could not tell apart (same issuer and serial number, or
 * same subjectKeyIdentifier): which key opens the message would be a guess,
 * so it is a configuration error before any message is read (ATTACKS CE-01).
 * The same certificate given twice, or two certificates of one key (a renewal
 * keeps the key and so its subjectKeyIdentifier), is no ambiguity. */
static cachet_status ambiguous_certs(const cachet_cert *const *certs,
                                     const cachet_pkey *const *keys, size_t n, cachet_error *err) {
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            const char *what = cachet_pkey_matches(keys[i], keys[j])
                                   ? NULL
                                   : cachet_cert_rid_clash(certs[i], certs[j]);
            if (what != NULL) {
                return cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                                      "credentials %zu and %zu are certificates of different keys "
                                      "with the same %s: a message for one could not be told "
                                      "from one for the other",
                                      i + 1, j + 1, what);
            }
        }
    }
    return CACHET_OK;
}

/* take copies |len| bytes into the block at |*pos|. */
static const uint8_t *take(cachet_rd_secrets *s, size_t *pos, const void *src, size_t len) {
    uint8_t *dst = s->bytes + *pos;
    if (len > 0) {
        memcpy(dst, src, len);
    }
    *pos += len;
    return dst;
}

cachet_status cachet_rd_secrets_init(cachet_rd_secrets *out, const cachet_rd_keys *keys,
                                     cachet_error *err) {
    memset(out, 0, sizeof(*out));
    if (keys == NULL) {
        return CACHET_OK;
    }
    size_t num_creds = 0, num_keks = 0, bytes = 0;
    cachet_status st = check_keys(keys, &num_creds, &num_keks, &bytes, err);
    if (st != CACHET_OK) {
        return st;
    }
    bool ok = true;
    if (num_creds > 0) {
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        out->keys = cachet_calloc(num_creds, sizeof(*out->keys));
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        out->certs = cachet_calloc(num_creds, sizeof(*out->certs));
        ok = out->keys != NULL && out->certs != NULL;
    }
    if (ok && num_keks > 0) {
        out->keks = cachet_calloc(num_keks, sizeof(*out->keks));
        ok = out->keks != NULL;
    }
    if (ok && bytes > 0) {
        out->bytes = cachet_calloc(1, bytes);
        out->bytes_len = bytes;
        ok = out->bytes != NULL;
    }
    if (!ok) {
        cachet_rd_secrets_clear(out);
        return cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
    }
    size_t n = 0;
    if (keys->cred != NULL) {
        out->keys[n] = keys->cred->key;
        out->certs[n++] = keys->cred->cert;
    }
    for (size_t i = 0; keys->more_creds != NULL && i < keys->num_more_creds; i++) {
        out->keys[n] = keys->more_creds[i]->key;
        out->certs[n++] = keys->more_creds[i]->cert;
    }
    st = ambiguous_certs(out->certs, out->keys, n, err);
    if (st != CACHET_OK) {
        cachet_rd_secrets_clear(out);
        return st;
    }
    size_t pos = 0, k = 0;
    for (size_t i = 0; keys->secret_keys != NULL && i < keys->num_secret_keys; i++) {
        const cachet_secret_key *sk = &keys->secret_keys[i];
        if (has_id(sk)) {
            out->keks[k].key = take(out, &pos, sk->key, sk->key_len);
            out->keks[k].key_len = sk->key_len;
            out->keks[k].id = take(out, &pos, sk->id, sk->id_len);
            out->keks[k++].id_len = sk->id_len;
        } else {
            out->s.content_key = take(out, &pos, sk->key, sk->key_len);
            out->s.content_key_len = sk->key_len;
        }
    }
    if (keys->password != NULL) {
        size_t len = strlen(keys->password);
        out->password.pass = take(out, &pos, keys->password, len + 1);
        out->password.len = len;
        out->s.password = &out->password;
    }
    out->s.keys = out->keys;
    out->s.certs = out->certs;
    out->s.num_keys = num_creds;
    out->s.keks = out->keks;
    out->s.num_keks = num_keks;
    out->any =
        num_creds > 0 || num_keks > 0 || out->s.content_key != NULL || out->s.password != NULL;
    return CACHET_OK;
}

void cachet_rd_secrets_clear(cachet_rd_secrets *s) {
    if (s == NULL) {
        return;
    }
    cachet_free(s->keys);
    cachet_free(s->certs);
    cachet_free(s->keks);
    if (s->bytes != NULL) {
        cachet_free_secret(s->bytes, s->bytes_len);
    }
    memset(s, 0, sizeof(*s));
}
