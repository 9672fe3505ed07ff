/* Keys whose private half lives elsewhere (a PKCS#11 token): OpenSSL holds only
 * the public half, so type, size, curve and matching work unchanged, and the
 * private operations are handed to the owner's callbacks. */
#include <string.h>

#include <openssl/err.h>

#include "crypto/internal.h"

/* Mirrors the limit of rsa.c: content-encryption keys and KEKs stay far below it. */
#define EXT_MAX_KEY_LEN 512u

struct cachet_pkey_ext {
    cachet_pkey_ops ops;
    void *arg;
};

cachet_pkey *cachet_pkey_new_external(const cachet_pkey *pub, const cachet_pkey_ops *ops, void *arg,
                                      cachet_error *err) {
    static const char where[] = "external key";
    if (pub == NULL || ops == NULL || ops->free_arg == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "missing public key or operations");
        return NULL;
    }
    if (pub->ext != NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "public half is itself an external key");
        return NULL;
    }
    cachet_pkey_ext *ext = cachet_calloc(1, sizeof(*ext));
    if (ext == NULL || EVP_PKEY_up_ref(pub->pkey) != 1) {
        cachet_free(ext);
        ERR_clear_error();
        cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
        return NULL;
    }
    cachet_pkey *k = cachet_pkey_wrap(pub->pkey);
    if (k == NULL) {
        /* cachet_pkey_wrap dropped our reference to the public key. */
        cachet_free(ext);
        cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
        return NULL;
    }
    ext->ops = *ops;
    ext->arg = arg;
    k->ext = ext;
    return k;
}

bool cachet_pkey_is_external(const cachet_pkey *key) {
    return key != NULL && key->ext != NULL;
}

void cachet_pkey_ext_free(cachet_pkey_ext *ext) {
    if (ext == NULL) {
        return;
    }
    ext->ops.free_arg(ext->arg);
    cachet_free(ext);
}

cachet_status cachet_pkey_ext_sign(const cachet_pkey *key, cachet_sig_scheme scheme, cachet_md md,
                                   const cachet_pss_params *pss, const uint8_t *msg, size_t msg_len,
                                   cachet_membuf *sig, cachet_error *err) {
    static const char where[] = "sign";
    if (key->ext->ops.sign == NULL) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, where, -1,
                              "the key's token does not sign");
    }
    if (scheme == CACHET_SIG_ED25519 || scheme == CACHET_SIG_ED448) {
        return key->ext->ops.sign(key->ext->arg, scheme, CACHET_MD_NONE, NULL, msg, msg_len, sig,
                                  err);
    }
    size_t dlen = cachet_md_size(md);
    if (dlen == 0 || (msg == NULL && msg_len > 0)) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, where, -1,
                              "cannot set up signature (digest or parameters)");
    }
    /* The callback always sees complete PSS parameters, checked as the
     * software path checks them (digest agreed, trailer 1). */
    cachet_pss_params full = {md, md, (unsigned)dlen, 1};
    if (scheme == CACHET_SIG_RSA_PSS && pss != NULL) {
        if ((pss->md != CACHET_MD_NONE && pss->md != md) || pss->trailer > 1) {
            return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, where, -1,
                                  "cannot set up signature (digest or parameters)");
        }
        if (pss->mgf1_md != CACHET_MD_NONE) {
            full.mgf1_md = pss->mgf1_md;
        }
        full.salt_len = pss->salt_len;
    }
    uint8_t digest[CACHET_MD_MAX_SIZE];
    if (!cachet_md_oneshot(md, msg, msg_len, digest)) {
        return cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "digest failed");
    }
    return key->ext->ops.sign(key->ext->arg, scheme, md,
                              scheme == CACHET_SIG_RSA_PSS ? &full : NULL, digest, dlen, sig, err);
}

bool cachet_pkey_ext_decrypt_key(const cachet_pkey *key, const cachet_oaep_params *oaep,
                                 const uint8_t *in, size_t in_len, uint8_t *out, size_t key_len) {
    if (key->ext->ops.decrypt == NULL || key_len > EXT_MAX_KEY_LEN) {
        return false;
    }
    cachet_membuf buf = {0};
    if (oaep != NULL) {
        bool ok =
            key->ext->ops.decrypt(key->ext->arg, oaep, in, in_len, &buf) && buf.len == key_len;
        if (ok) {
            memcpy(out, buf.data, key_len);
        }
        cachet_membuf_free_secret(&buf);
        return ok;
    }
    /* RFC 3218 §2.3.2 as in rsa.c: the random key exists before the token is
     * asked, and the choice is a mask. The buffer holds at least key_len
     * defined bytes whatever the token returned. */
    uint8_t rnd[EXT_MAX_KEY_LEN];
    if (cachet_random(rnd, key_len, NULL) != CACHET_OK) {
        return false;
    }
    bool dec = key->ext->ops.decrypt(key->ext->arg, NULL, in, in_len, &buf);
    size_t got = buf.len;
    bool room = cachet_membuf_reserve(&buf, key_len);
    if (room) {
        memset(buf.data + buf.len, 0, buf.cap - buf.len);
    }
    unsigned good = cachet_ct_eq_mask((size_t)dec, 1) & cachet_ct_eq_mask(got, key_len);
    uint8_t mask = (uint8_t)good;
    for (size_t i = 0; i < key_len; i++) {
        uint8_t b = room ? buf.data[i] : 0;
        out[i] = (uint8_t)((b & mask) | (rnd[i] & (uint8_t)~mask));
    }
    cachet_cleanse(rnd, sizeof(rnd));
    cachet_membuf_free_secret(&buf);
    return true;
}

cachet_status cachet_pkey_ext_ecdh(const cachet_pkey *priv, const cachet_pkey *peer,
                                   cachet_membuf *out, cachet_error *err) {
    static const char where[] = "ECDH";
    if (priv->ext->ops.derive == NULL) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, where, -1,
                              "the key's token does not derive");
    }
    cachet_membuf secret = {0};
    cachet_status st = priv->ext->ops.derive(priv->ext->arg, peer, &secret, err);
    size_t field = (cachet_pkey_bits(priv) + 7) / 8;
    if (st == CACHET_OK && secret.len != field) {
        st = cachet_err_set(err, CACHET_ERR_KEY, where, -1,
                            "token returned a %zu-byte secret, expected %zu", secret.len, field);
    }
    if (st == CACHET_OK && !cachet_membuf_append(out, secret.data, secret.len)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
    }
    cachet_membuf_free_secret(&secret);
    return st;
}
