/* RSA key transport: PKCS#1 v1.5 and RSAES-OAEP (RFC 3560). */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "crypto/internal.h"

/* Content-encryption keys are at most 64 bytes; leave room for odd KEKs. */
#define RSA_MAX_KEY_LEN 512u

static bool is_rsa(const cachet_pkey *key) {
    cachet_key_type t = cachet_pkey_type(key);
    return t == CACHET_KEY_RSA;
}

/* padding_setup selects v1.5 or OAEP (digest defaults SHA-1 per RFC 3560 §2.2). */
static bool padding_setup(EVP_PKEY_CTX *pctx, const cachet_oaep_params *oaep) {
    if (oaep == NULL) {
        return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    }
    cachet_md md = oaep->md != CACHET_MD_NONE ? oaep->md : CACHET_MD_SHA1;
    cachet_md mgf1 = oaep->mgf1_md != CACHET_MD_NONE ? oaep->mgf1_md : CACHET_MD_SHA1;
    const char *mdname = cachet_md_ossl_name(md);
    const char *mgf1name = cachet_md_ossl_name(mgf1);
    if (mdname == NULL || mgf1name == NULL || md == CACHET_MD_MD5 || mgf1 == CACHET_MD_MD5) {
        return false;
    }
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md_name(pctx, mdname, NULL) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, mgf1name, NULL) != 1) {
        return false;
    }
    if (oaep->label != NULL && oaep->label_len > 0) {
        /* The parameter copies the label, so it stays owned by the caller. */
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
                                              (void *)oaep->label, oaep->label_len),
            OSSL_PARAM_construct_end(),
        };
        if (EVP_PKEY_CTX_set_params(pctx, params) != 1) {
            return false;
        }
    }
    return true;
}

cachet_status cachet_rsa_encrypt(const cachet_pkey *key, const cachet_oaep_params *oaep,
                                 const uint8_t *in, size_t in_len, cachet_membuf *out,
                                 cachet_error *err) {
    static const char where[] = "rsa-encrypt";
    if (key == NULL || !is_rsa(key)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "not an RSA key");
    }
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    size_t len = 0;
    cachet_status st = CACHET_OK;
    if (pctx == NULL || EVP_PKEY_encrypt_init(pctx) != 1 || !padding_setup(pctx, oaep)) {
        st = cachet_crypto_fail(err, CACHET_ERR_UNSUPPORTED, where, "cannot set up RSA padding");
        goto done;
    }
    if (EVP_PKEY_encrypt(pctx, NULL, &len, in, in_len) != 1 || !cachet_membuf_reserve(out, len)) {
        st = cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "RSA encryption failed");
        goto done;
    }
    if (EVP_PKEY_encrypt(pctx, out->data + out->len, &len, in, in_len) != 1) {
        st = cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where,
                                "RSA encryption failed (input too long for the key?)");
        goto done;
    }
    out->len += len;
done:
    EVP_PKEY_CTX_free(pctx);
    ERR_clear_error();
    return st;
}

static bool decrypt_oaep(EVP_PKEY_CTX *pctx, const uint8_t *in, size_t in_len, uint8_t *buf,
                         size_t buf_len, uint8_t *out, size_t key_len) {
    size_t n = buf_len;
    if (EVP_PKEY_decrypt(pctx, buf, &n, in, in_len) != 1 || n != key_len) {
        return false;
    }
    for (size_t i = 0; i < key_len; i++) {
        out[i] = buf[i];
    }
    return true;
}

/* decrypt_v15 implements RFC 3218 §2.3.2: the random key exists before the
 * decryption, and the choice between it and the decrypted bytes is a mask, so
 * neither control flow nor timing depends on the padding check. */
static bool decrypt_v15(EVP_PKEY_CTX *pctx, const uint8_t *in, size_t in_len, uint8_t *buf,
                        size_t buf_len, uint8_t *out, size_t key_len) {
    uint8_t rnd[RSA_MAX_KEY_LEN];
    if (cachet_random(rnd, key_len, NULL) != CACHET_OK) {
        return false;
    }
    size_t n = buf_len;
    int rc = EVP_PKEY_decrypt(pctx, buf, &n, in, in_len);
    unsigned good = cachet_ct_eq_mask((size_t)(unsigned)rc, 1) & cachet_ct_eq_mask(n, key_len);
    uint8_t mask = (uint8_t)good;
    for (size_t i = 0; i < key_len; i++) {
        out[i] = (uint8_t)((buf[i] & mask) | (rnd[i] & (uint8_t)~mask));
    }
    cachet_cleanse(rnd, sizeof(rnd));
    return true;
}

bool cachet_rsa_decrypt_key(const cachet_pkey *key, const cachet_oaep_params *oaep,
                            const uint8_t *in, size_t in_len, uint8_t *out, size_t key_len) {
    /* These checks depend only on the caller's arguments, never on the ciphertext. */
    if (key == NULL || !is_rsa(key) || key_len == 0 || key_len > RSA_MAX_KEY_LEN || in == NULL ||
        out == NULL) {
        return false;
    }
    if (key->ext != NULL) {
        return cachet_pkey_ext_decrypt_key(key, oaep, in, in_len, out, key_len);
    }
    int size = EVP_PKEY_get_size(key->pkey);
    if (size <= 0) {
        ERR_clear_error();
        return false;
    }
    /* The buffer is at least key_len long and zeroed, so the mask reads defined bytes. */
    size_t buf_len = (size_t)size > key_len ? (size_t)size : key_len;
    uint8_t *buf = cachet_calloc(1, buf_len);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    bool ok = false;
    if (buf != NULL && pctx != NULL && EVP_PKEY_decrypt_init(pctx) == 1 &&
        padding_setup(pctx, oaep)) {
        ok = oaep != NULL ? decrypt_oaep(pctx, in, in_len, buf, buf_len, out, key_len)
                          : decrypt_v15(pctx, in, in_len, buf, buf_len, out, key_len);
    }
    EVP_PKEY_CTX_free(pctx);
    cachet_free_secret(buf, buf_len);
    ERR_clear_error();
    return ok;
}
