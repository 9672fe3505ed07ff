/* Signatures: RSA PKCS#1 v1.5, RSA-PSS, ECDSA, EdDSA, DSA (verify). */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "crypto/internal.h"

/* Signatures and messages beyond these sizes are never legitimate here. */
#define SIG_MAX_LEN 8192u

static bool scheme_fits_key(const cachet_pkey *key, cachet_sig_scheme scheme) {
    cachet_key_type t = cachet_pkey_type(key);
    switch (scheme) {
        case CACHET_SIG_RSA_PKCS1:
            return t == CACHET_KEY_RSA;
        case CACHET_SIG_RSA_PSS:
            return t == CACHET_KEY_RSA || t == CACHET_KEY_RSA_PSS;
        case CACHET_SIG_ECDSA:
            return t == CACHET_KEY_EC;
        case CACHET_SIG_ED25519:
            return t == CACHET_KEY_ED25519;
        case CACHET_SIG_ED448:
            return t == CACHET_KEY_ED448;
        case CACHET_SIG_DSA:
            return t == CACHET_KEY_DSA;
        default:
            return false;
    }
}

static bool scheme_is_eddsa(cachet_sig_scheme scheme) {
    return scheme == CACHET_SIG_ED25519 || scheme == CACHET_SIG_ED448;
}

/* pss_setup configures RSA-PSS on |pctx| (defaults: MGF1 with |md|, salt = digest length). */
static bool pss_setup(EVP_PKEY_CTX *pctx, cachet_md md, const cachet_pss_params *pss) {
    cachet_md mgf1 = md;
    size_t salt = cachet_md_size(md);
    if (pss != NULL) {
        if (pss->md != CACHET_MD_NONE && pss->md != md) {
            return false;
        }
        if (pss->trailer > 1) {
            return false;
        }
        if (pss->mgf1_md != CACHET_MD_NONE) {
            mgf1 = pss->mgf1_md;
        }
        salt = pss->salt_len;
    }
    const char *mgf1_name = cachet_md_ossl_name(mgf1);
    return mgf1_name != NULL && salt <= SIG_MAX_LEN &&
           EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, mgf1_name, NULL) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)salt) == 1;
}

/* digest_ctx_new prepares a sign or verify digest context for |scheme|. */
static EVP_MD_CTX *digest_ctx_new(const cachet_pkey *key, cachet_sig_scheme scheme, cachet_md md,
                                  const cachet_pss_params *pss, bool sign) {
    const char *mdname = NULL;
    if (!scheme_is_eddsa(scheme)) {
        mdname = cachet_md_ossl_name(md);
        if (mdname == NULL) {
            return NULL;
        }
    }
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    if (mctx == NULL) {
        return NULL;
    }
    int rc = sign ? EVP_DigestSignInit_ex(mctx, &pctx, mdname, NULL, NULL, key->pkey, NULL)
                  : EVP_DigestVerifyInit_ex(mctx, &pctx, mdname, NULL, NULL, key->pkey, NULL);
    if (rc != 1) {
        EVP_MD_CTX_free(mctx);
        return NULL;
    }
    if (scheme == CACHET_SIG_RSA_PKCS1 &&
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        EVP_MD_CTX_free(mctx);
        return NULL;
    }
    if (scheme == CACHET_SIG_RSA_PSS && !pss_setup(pctx, md, pss)) {
        EVP_MD_CTX_free(mctx);
        return NULL;
    }
    return mctx;
}

cachet_status cachet_sign(const cachet_pkey *key, cachet_sig_scheme scheme, cachet_md md,
                          const cachet_pss_params *pss, const uint8_t *msg, size_t msg_len,
                          cachet_membuf *sig, cachet_error *err) {
    static const char where[] = "sign";
    if (key == NULL || !scheme_fits_key(key, scheme)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                              "signature scheme does not fit the key type");
    }
    if (scheme == CACHET_SIG_DSA) {
        return cachet_err_set(err, CACHET_ERR_POLICY, where, -1, "DSA is verify-only");
    }
    if (key->ext != NULL) {
        return cachet_pkey_ext_sign(key, scheme, md, pss, msg, msg_len, sig, err);
    }
    EVP_MD_CTX *mctx = digest_ctx_new(key, scheme, md, pss, true);
    if (mctx == NULL) {
        return cachet_crypto_fail(err, CACHET_ERR_UNSUPPORTED, where,
                                  "cannot set up signature (digest or parameters)");
    }
    cachet_status st = CACHET_OK;
    size_t len = 0;
    /* The size query can answer 1 with a zero size when OpenSSL runs out of
     * memory; the NULL buffer below would then make the second call another
     * size query, "signing" nothing (seen with allocation failures injected). */
    if (EVP_DigestSign(mctx, NULL, &len, msg, msg_len) != 1 || len == 0) {
        st = cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "signing failed");
        goto done;
    }
    if (!cachet_membuf_reserve(sig, len)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "signature buffer");
        goto done;
    }
    size_t room = len;
    /* OpenSSL 3.0's ECDSA can answer 1 with a length of (unsigned)-1 when the
     * encoding of the signature fails for lack of memory: only a length within
     * what the size query promised is a signature. */
    if (EVP_DigestSign(mctx, sig->data + sig->len, &len, msg, msg_len) != 1 || len == 0 ||
        len > room) {
        st = cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "signing failed");
        goto done;
    }
    sig->len += len;
done:
    EVP_MD_CTX_free(mctx);
    ERR_clear_error();
    return st;
}

bool cachet_verify(const cachet_pkey *key, cachet_sig_scheme scheme, cachet_md md,
                   const cachet_pss_params *pss, const uint8_t *msg, size_t msg_len,
                   const uint8_t *sig, size_t sig_len) {
    if (key == NULL || sig == NULL || sig_len == 0 || sig_len > SIG_MAX_LEN ||
        !scheme_fits_key(key, scheme)) {
        return false;
    }
    EVP_MD_CTX *mctx = digest_ctx_new(key, scheme, md, pss, false);
    bool ok = mctx != NULL && EVP_DigestVerify(mctx, sig, sig_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(mctx);
    ERR_clear_error();
    return ok;
}

bool cachet_verify_digest(const cachet_pkey *key, cachet_sig_scheme scheme, cachet_md md,
                          const cachet_pss_params *pss, const uint8_t *digest, size_t digest_len,
                          const uint8_t *sig, size_t sig_len) {
    if (key == NULL || sig == NULL || sig_len == 0 || sig_len > SIG_MAX_LEN ||
        scheme_is_eddsa(scheme) || !scheme_fits_key(key, scheme) ||
        digest_len != cachet_md_size(md) || digest_len == 0) {
        return false;
    }
    EVP_MD *m = cachet_md_fetch(md);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    bool ok = m != NULL && pctx != NULL && EVP_PKEY_verify_init(pctx) == 1;
    if (ok && scheme == CACHET_SIG_RSA_PKCS1) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    }
    if (ok && scheme == CACHET_SIG_RSA_PSS) {
        /* The signature digest must be set before PSS parameters that default to it. */
        ok = EVP_PKEY_CTX_set_signature_md(pctx, m) == 1 && pss_setup(pctx, md, pss);
    }
    ok = ok && EVP_PKEY_CTX_set_signature_md(pctx, m) == 1 &&
         EVP_PKEY_verify(pctx, sig, sig_len, digest, digest_len) == 1;
    EVP_PKEY_CTX_free(pctx);
    EVP_MD_free(m);
    ERR_clear_error();
    return ok;
}
