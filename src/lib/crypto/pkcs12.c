/* PKCS#12 key + certificate files. */
#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "crypto/internal.h"

/* Many PKCS#12 files still use RC2-40/3DES PBEs, which OpenSSL 3 keeps in its
 * "legacy" provider. That provider lives only in this module's private library
 * context (cipher_legacy.c); a retry parses with that context as this thread's
 * default, so the process-wide default context never gains the legacy
 * algorithms. PKCS12_parse has no library-context argument, hence the swap. */
static bool parse_with_legacy(PKCS12 *p12, const char *pw, EVP_PKEY **pkey, X509 **x509,
                              STACK_OF(X509) * *ca, bool *available) {
    OSSL_LIB_CTX *legacy = cachet_crypto_legacy_libctx();
    *available = legacy != NULL;
    if (legacy == NULL) {
        return false;
    }
    OSSL_LIB_CTX *prev = OSSL_LIB_CTX_set0_default(legacy);
    if (prev == NULL) {
        return false;
    }
    bool ok = PKCS12_parse(p12, pw, pkey, x509, ca) == 1;
    OSSL_LIB_CTX_set0_default(prev);
    return ok;
}

static bool mac_failed(void) {
    unsigned long e = ERR_peek_last_error();
    return ERR_GET_LIB(e) == ERR_LIB_PKCS12 && ERR_GET_REASON(e) == PKCS12_R_MAC_VERIFY_FAILURE;
}

static cachet_status collect(EVP_PKEY *pkey, X509 *x509, STACK_OF(X509) * ca, cachet_pkey **out_key,
                             cachet_cert **out_cert, cachet_cert_list *out_chain,
                             cachet_error *err) {
    static const char where[] = "PKCS#12";
    cachet_cert *cert = NULL;
    cachet_cert_list chain = {0};
    cachet_status st = cachet_cert_from_x509(x509, &cert, err);
    for (int i = 0; st == CACHET_OK && out_chain != NULL && i < sk_X509_num(ca); i++) {
        cachet_cert *c = NULL;
        st = cachet_cert_from_x509(sk_X509_value(ca, i), &c, err);
        if (st == CACHET_OK && !cachet_cert_list_push(&chain, c)) {
            st = cachet_err_set(err, CACHET_ERR_LIMIT, where, -1, "too many certificates");
        }
        cachet_cert_free(c);
    }
    cachet_pkey *key = NULL;
    if (st == CACHET_OK) {
        key = cachet_pkey_wrap(pkey);
        pkey = NULL;
        if (key == NULL) {
            st = cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
        }
    }
    for (size_t i = 0; st == CACHET_OK && i < chain.num; i++) {
        if (!cachet_cert_list_push(out_chain, chain.certs[i])) {
            st = cachet_err_set(err, CACHET_ERR_LIMIT, where, -1, "too many certificates");
        }
    }
    cachet_cert_list_clear(&chain);
    EVP_PKEY_free(pkey);
    if (st != CACHET_OK) {
        cachet_pkey_free(key);
        cachet_cert_free(cert);
        return st;
    }
    *out_key = key;
    *out_cert = cert;
    return CACHET_OK;
}

cachet_status cachet_pkcs12_load(const uint8_t *data, size_t len, const char *pass,
                                 cachet_pkey **out_key, cachet_cert **out_cert,
                                 cachet_cert_list *out_chain, cachet_error *err) {
    static const char where[] = "PKCS#12";
    if (data == NULL || len == 0 || len > CACHET_CRYPTO_MAX_OBJECT) {
        return cachet_err_set(err, CACHET_ERR_KEY, where, -1, "bad length %zu", len);
    }
    const unsigned char *p = data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    if (p12 == NULL) {
        return cachet_crypto_fail(err, CACHET_ERR_KEY, where, "not a PKCS#12 file");
    }
    EVP_PKEY *pkey = NULL;
    X509 *x509 = NULL;
    STACK_OF(X509) *ca = NULL;
    const char *pw = pass != NULL ? pass : "";
    cachet_status st = CACHET_OK;
    if (PKCS12_parse(p12, pw, &pkey, &x509, &ca) != 1) {
        if (mac_failed()) {
            st = cachet_crypto_fail(err, CACHET_ERR_KEY, where,
                                    "wrong passphrase or corrupt PKCS#12 (MAC check failed)");
            goto done;
        }
        ERR_clear_error();
        bool legacy_loaded = false;
        if (!parse_with_legacy(p12, pw, &pkey, &x509, &ca, &legacy_loaded)) {
            st = cachet_crypto_fail(
                err, CACHET_ERR_KEY, where,
                legacy_loaded ? "cannot decrypt PKCS#12 (wrong passphrase or corrupt file)"
                              : "PKCS#12 uses a legacy algorithm (RC2/3DES PBE); the OpenSSL "
                                "legacy provider is not available: re-export it with AES");
            goto done;
        }
    }
    if (pkey == NULL || x509 == NULL) {
        st = cachet_err_set(err, CACHET_ERR_KEY, where, -1,
                            "PKCS#12 lacks a private key with its certificate");
        goto done;
    }
    st = collect(pkey, x509, ca, out_key, out_cert, out_chain, err);
    pkey = NULL;
done:
    EVP_PKEY_free(pkey);
    X509_free(x509);
    sk_X509_pop_free(ca, X509_free);
    PKCS12_free(p12);
    ERR_clear_error();
    return st;
}
