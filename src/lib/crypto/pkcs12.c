/* PKCS#12 key + certificate files. */
#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "crypto/internal.h"

/* The MAC and every PBE of a PKCS#12 file carry their own iteration count,
 * which OpenSSL runs as given: one file could hold a CPU for hours (issue 8
 * item 4; fuzz_crypto_pkcs12). Counts are checked before anything is derived,
 * with the default of the CMS password-recipient limit. */
#define PKCS12_MAX_ITERATIONS 10000000
#define PKCS12_MAX_NESTING 4

static bool count_ok(const ASN1_INTEGER *iter) {
    int64_t v = 0;
    /* absent: 1 (RFC 7292 §4, PBEParameter and MacData defaults) */
    return iter == NULL ||
           (ASN1_INTEGER_get_int64(&v, iter) == 1 && v > 0 && v <= PKCS12_MAX_ITERATIONS);
}

/* pbe_ok: the iteration count of a PKCS#5/PKCS#12 PBE or of PBES2 with PBKDF2
 * is within the limit; PBES2 with any other key derivation (scrypt: memory and
 * time from the file too) is refused. */
static bool pbe_ok(const X509_ALGOR *alg) {
    if (alg == NULL || alg->parameter == NULL) {
        return true; /* nothing to derive with: OpenSSL refuses it */
    }
    bool ok = true;
    if (OBJ_obj2nid(alg->algorithm) == NID_pbes2) {
        PBE2PARAM *p2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
        if (p2 != NULL && p2->keyfunc != NULL) {
            ok = OBJ_obj2nid(p2->keyfunc->algorithm) == NID_id_pbkdf2;
            PBKDF2PARAM *kdf =
                ok && p2->keyfunc->parameter != NULL
                    ? ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), p2->keyfunc->parameter)
                    : NULL;
            ok = ok && (kdf == NULL || count_ok(kdf->iter));
            PBKDF2PARAM_free(kdf);
        }
        PBE2PARAM_free(p2);
    } else {
        PBEPARAM *p1 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter);
        ok = p1 == NULL || count_ok(p1->iter);
        PBEPARAM_free(p1);
    }
    ERR_clear_error();
    return ok;
}

/* NOLINTNEXTLINE(misc-no-recursion): depth < PKCS12_MAX_NESTING */
static bool bags_ok(const STACK_OF(PKCS12_SAFEBAG) * bags, int depth) {
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
        const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
        int nid = PKCS12_SAFEBAG_get_nid(bag);
        if (nid == NID_pkcs8ShroudedKeyBag) {
            const X509_ALGOR *alg = NULL;
            const X509_SIG *sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
            if (sig != NULL) {
                X509_SIG_get0(sig, &alg, NULL);
            }
            if (!pbe_ok(alg)) {
                return false;
            }
        } else if (nid == NID_safeContentsBag &&
                   (depth >= PKCS12_MAX_NESTING ||
                    !bags_ok(PKCS12_SAFEBAG_get0_safes(bag), depth + 1))) {
            return false;
        }
    }
    return true;
}

/* cost_ok walks the file as PKCS12_parse will (MAC, each safe, each shrouded
 * key) and checks every iteration count it would use. What cannot be opened
 * here (a wrong password) is left for PKCS12_parse to refuse. */
static bool cost_ok(PKCS12 *p12, const char *pw) {
    const ASN1_INTEGER *mac_iter = NULL;
    if (PKCS12_mac_present(p12)) {
        PKCS12_get0_mac(NULL, NULL, NULL, &mac_iter, p12);
        if (!count_ok(mac_iter)) {
            return false;
        }
    }
    STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
    bool ok = true;
    for (int i = 0; ok && i < sk_PKCS7_num(safes); i++) {
        PKCS7 *p7 = sk_PKCS7_value(safes, i);
        STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
        int nid = OBJ_obj2nid(p7->type);
        if (nid == NID_pkcs7_data) {
            bags = PKCS12_unpack_p7data(p7);
        } else if (nid == NID_pkcs7_encrypted && p7->d.encrypted != NULL &&
                   p7->d.encrypted->enc_data != NULL) {
            ok = pbe_ok(p7->d.encrypted->enc_data->algorithm);
            bags = ok ? PKCS12_unpack_p7encdata(p7, pw, -1) : NULL;
        }
        ok = ok && (bags == NULL || bags_ok(bags, 0));
        sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    }
    sk_PKCS7_pop_free(safes, PKCS7_free);
    ERR_clear_error();
    return ok;
}

/* Many PKCS#12 files still use RC2-40/3DES PBEs, which OpenSSL 3 keeps in its
 * "legacy" provider. That provider lives only in this module's private library
 * context (cipher_legacy.c); a retry parses with that context as this thread's
 * default, so the process-wide default context never gains the legacy
 * algorithms. PKCS12_parse has no library-context argument, hence the swap. */
static bool parse_with_legacy(PKCS12 *p12, const char *pw, EVP_PKEY **pkey, X509 **x509,
                              STACK_OF(X509) * *ca, bool *available, bool *too_costly) {
    OSSL_LIB_CTX *legacy = cachet_crypto_legacy_libctx();
    *available = legacy != NULL;
    if (legacy == NULL) {
        return false;
    }
    OSSL_LIB_CTX *prev = OSSL_LIB_CTX_set0_default(legacy);
    if (prev == NULL) {
        return false;
    }
    *too_costly = !cost_ok(p12, pw);
    bool ok = !*too_costly && PKCS12_parse(p12, pw, pkey, x509, ca) == 1;
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
    /* A failure leaves nothing behind, whatever the caller's variables held. */
    *out_key = NULL;
    *out_cert = NULL;
    size_t had = out_chain != NULL ? out_chain->num : 0;
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
    bool too_costly = !cost_ok(p12, pw);
    if (too_costly) {
        goto costly;
    }
    if (PKCS12_parse(p12, pw, &pkey, &x509, &ca) != 1) {
        if (mac_failed()) {
            st = cachet_crypto_fail(err, CACHET_ERR_KEY, where,
                                    "wrong passphrase or corrupt PKCS#12 (MAC check failed)");
            goto done;
        }
        ERR_clear_error();
        bool legacy_loaded = false;
        if (!parse_with_legacy(p12, pw, &pkey, &x509, &ca, &legacy_loaded, &too_costly)) {
            if (too_costly) {
                goto costly;
            }
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
    while (st != CACHET_OK && out_chain != NULL && out_chain->num > had) {
        cachet_cert_free(out_chain->certs[--out_chain->num]);
    }
    goto done;
costly:
    st = cachet_err_set(err, CACHET_ERR_LIMIT, where, -1,
                        "PKCS#12 iteration count over %d, or a key derivation other than PBKDF2",
                        PKCS12_MAX_ITERATIONS);
done:
    EVP_PKEY_free(pkey);
    X509_free(x509);
    sk_X509_pop_free(ca, X509_free);
    PKCS12_free(p12);
    ERR_clear_error();
    return st;
}
