/* Trust anchors and certification-path validation (OpenSSL X509_STORE_CTX,
 * purpose S/MIME signing). */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "crypto/internal.h"

struct cachet_trust {
    X509_STORE *store;
};

const char *cachet_chain_status_name(cachet_chain_status st) {
    switch (st) {
        case CACHET_CHAIN_TRUSTED:
            return "trusted";
        case CACHET_CHAIN_UNTRUSTED:
            return "untrusted";
        case CACHET_CHAIN_EXPIRED:
            return "expired";
        case CACHET_CHAIN_NOT_YET_VALID:
            return "not_yet_valid";
        case CACHET_CHAIN_BAD_USAGE:
            return "bad_usage";
        case CACHET_CHAIN_INVALID:
            return "invalid";
        case CACHET_CHAIN_NOT_CHECKED:
            return "not_checked";
    }
    return "invalid";
}

cachet_trust *cachet_trust_new(cachet_error *err) {
    cachet_trust *t = cachet_calloc(1, sizeof(*t));
    if (t == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "trust", -1, "out of memory");
        return NULL;
    }
    t->store = X509_STORE_new();
    if (t->store == NULL) {
        cachet_crypto_fail(err, CACHET_ERR_NOMEM, "trust", "cannot create certificate store");
        cachet_free(t);
        return NULL;
    }
    return t;
}

void cachet_trust_free(cachet_trust *trust) {
    if (trust == NULL) {
        return;
    }
    X509_STORE_free(trust->store);
    cachet_free(trust);
}

cachet_status cachet_trust_add_cert(cachet_trust *trust, cachet_cert *cert, cachet_error *err) {
    if (trust == NULL || cert == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "trust", -1, "missing certificate");
    }
    /* The store takes its own reference. */
    if (X509_STORE_add_cert(trust->store, cert->x509) != 1) {
        return cachet_crypto_fail(err, CACHET_ERR_INTERNAL, "trust", "cannot add trust anchor");
    }
    ERR_clear_error();
    return CACHET_OK;
}

static uint8_t *read_file(const char *path, size_t *out_len, cachet_error *err) {
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        cachet_err_set(err, CACHET_ERR_IO, path, -1, "cannot open trust file");
        return NULL;
    }
    size_t cap = 64 * 1024;
    size_t len = 0;
    uint8_t *buf = cachet_malloc(cap);
    while (buf != NULL) {
        size_t n = fread(buf + len, 1, cap - len, fp);
        len += n;
        if (n == 0) {
            break;
        }
        if (len == cap) {
            if (cap >= CACHET_CRYPTO_MAX_OBJECT) {
                cachet_free(buf);
                fclose(fp);
                cachet_err_set(err, CACHET_ERR_LIMIT, path, -1, "trust file larger than %u bytes",
                               CACHET_CRYPTO_MAX_OBJECT);
                return NULL;
            }
            uint8_t *nb = cachet_realloc(buf, cap * 2);
            if (nb == NULL) {
                cachet_free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    bool bad = buf == NULL || ferror(fp);
    fclose(fp);
    if (bad) {
        cachet_free(buf);
        cachet_err_set(err, buf == NULL ? CACHET_ERR_NOMEM : CACHET_ERR_IO, path, -1,
                       "cannot read trust file");
        return NULL;
    }
    *out_len = len;
    return buf;
}

cachet_status cachet_trust_add_file(cachet_trust *trust, const char *path, cachet_error *err) {
    if (trust == NULL || path == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "trust", -1, "missing path");
    }
    size_t len = 0;
    uint8_t *data = read_file(path, &len, err);
    if (data == NULL) {
        return err != NULL ? err->status : CACHET_ERR_IO;
    }
    cachet_cert_list list = {0};
    cachet_status st = cachet_cert_load(data, len, &list, err);
    for (size_t i = 0; st == CACHET_OK && i < list.num; i++) {
        st = cachet_trust_add_cert(trust, list.certs[i], err);
    }
    if (st != CACHET_OK) {
        cachet_err_prefix_where(err, path);
    }
    cachet_cert_list_clear(&list);
    cachet_free(data);
    return st;
}

cachet_status cachet_trust_add_system(cachet_trust *trust, cachet_error *err) {
    if (trust == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "trust", -1, "missing store");
    }
    if (X509_STORE_set_default_paths(trust->store) != 1) {
        return cachet_crypto_fail(err, CACHET_ERR_IO, "trust", "cannot use the system CA store");
    }
    ERR_clear_error();
    return CACHET_OK;
}

static cachet_chain_status map_error(int e) {
    switch (e) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return CACHET_CHAIN_EXPIRED;
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return CACHET_CHAIN_NOT_YET_VALID;
        case X509_V_ERR_INVALID_PURPOSE:
        case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
        case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
            return CACHET_CHAIN_BAD_USAGE;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_CERT_UNTRUSTED:
            return CACHET_CHAIN_UNTRUSTED;
        default:
            return CACHET_CHAIN_INVALID;
    }
}

static void describe(X509_STORE_CTX *ctx, int e, char *detail, size_t detail_len) {
    if (detail == NULL || detail_len == 0) {
        return;
    }
    char subject[256] = "";
    X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
    if (cur != NULL) {
        BIO *bio = BIO_new(BIO_s_mem());
        if (bio != NULL &&
            X509_NAME_print_ex(bio, X509_get_subject_name(cur), 0, XN_FLAG_RFC2253) >= 0) {
            char *p = NULL;
            long n = BIO_get_mem_data(bio, &p);
            if (n > 0) {
                snprintf(subject, sizeof(subject), "%.*s", (int)n, p);
            }
        }
        BIO_free(bio);
    }
    snprintf(detail, detail_len, "%s (certificate: %s)", X509_verify_cert_error_string(e),
             subject[0] != '\0' ? subject : "unknown");
}

/* verify_level runs path validation with OpenSSL's security level |level| for
 * every key and certificate signature in the path (0 = no check); |*x509_err|
 * is OpenSSL's error on failure. */
static cachet_chain_status verify_level(const cachet_trust *trust, const cachet_cert *leaf,
                                        const cachet_cert_list *untrusted, int64_t at, int level,
                                        int purpose, int *x509_err, char *detail,
                                        size_t detail_len) {
    *x509_err = X509_V_OK;
    if (detail != NULL && detail_len > 0) {
        detail[0] = '\0';
    }
    if (trust == NULL || leaf == NULL) {
        if (detail != NULL && detail_len > 0) {
            snprintf(detail, detail_len, "no certificate or trust store");
        }
        return CACHET_CHAIN_NOT_CHECKED;
    }
    cachet_chain_status result = CACHET_CHAIN_INVALID;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *chain = sk_X509_new_null();
    bool ready = ctx != NULL && chain != NULL;
    for (size_t i = 0; ready && untrusted != NULL && i < untrusted->num; i++) {
        /* The stack borrows pointers; the list keeps them alive during the call. */
        ready = sk_X509_push(chain, untrusted->certs[i]->x509) > 0;
    }
    ready = ready && X509_STORE_CTX_init(ctx, trust->store, leaf->x509, chain) == 1 &&
            (purpose == 0 || X509_STORE_CTX_set_purpose(ctx, purpose) == 1);
    if (!ready) {
        char reason[160];
        cachet_crypto_reason(reason, sizeof(reason));
        if (detail != NULL && detail_len > 0) {
            snprintf(detail, detail_len, "cannot set up path validation: %s", reason);
        }
        goto done;
    }
    X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
    if (at != 0) {
        X509_VERIFY_PARAM_set_time(vp, (time_t)at); /* also sets X509_V_FLAG_USE_CHECK_TIME */
    }
    /* A chain must end at an anchor: an intermediate in the store is not enough. */
    X509_VERIFY_PARAM_clear_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_auth_level(vp, level);
    if (X509_verify_cert(ctx) == 1) {
        result = CACHET_CHAIN_TRUSTED;
        goto done;
    }
    int e = X509_STORE_CTX_get_error(ctx);
    *x509_err = e;
    result = map_error(e);
    describe(ctx, e, detail, detail_len);
done:
    X509_STORE_CTX_free(ctx);
    sk_X509_free(chain);
    ERR_clear_error();
    return result;
}

/* Security level 2 (OpenSSL): 112-bit keys and certificate signatures, so RSA
 * and DSA below 2048 bits, MD5 and SHA-1 anywhere in the path are refused
 * (ATTACKS CE-09; OpenSSL's default accepts them all, B15). */
#define CACHET_TRUST_LEVEL 2

static bool weak_error(int e) {
    return e == X509_V_ERR_CA_KEY_TOO_SMALL || e == X509_V_ERR_CA_MD_TOO_WEAK ||
           e == X509_V_ERR_EE_KEY_TOO_SMALL;
}

static cachet_chain_status verify_purpose(const cachet_trust *trust, const cachet_cert *leaf,
                                          const cachet_cert_list *untrusted, int64_t at,
                                          int purpose, bool allow_weak, bool *weak, char *detail,
                                          size_t detail_len) {
    int e = X509_V_OK;
    *weak = false;
    cachet_chain_status st = verify_level(trust, leaf, untrusted, at, CACHET_TRUST_LEVEL, purpose,
                                          &e, detail, detail_len);
    if (st == CACHET_CHAIN_TRUSTED || !allow_weak || !weak_error(e)) {
        return st;
    }
    st = verify_level(trust, leaf, untrusted, at, 0, purpose, &e, detail, detail_len);
    *weak = st == CACHET_CHAIN_TRUSTED;
    return st;
}

cachet_chain_status cachet_trust_verify_policy(const cachet_trust *trust, const cachet_cert *leaf,
                                               const cachet_cert_list *untrusted, int64_t at,
                                               bool allow_weak, bool *weak, char *detail,
                                               size_t detail_len) {
    return verify_purpose(trust, leaf, untrusted, at, X509_PURPOSE_SMIME_SIGN, allow_weak, weak,
                          detail, detail_len);
}

/* OpenSSL's smimeencrypt purpose demands keyEncipherment and so refuses ECDH
 * (keyAgreement) certificates; the caller checks the leaf's key usage and EKU
 * for its algorithm itself, so the path is validated without a purpose. */
cachet_chain_status cachet_trust_verify_recipient(const cachet_trust *trust,
                                                  const cachet_cert *leaf,
                                                  const cachet_cert_list *untrusted, int64_t at,
                                                  bool allow_weak, bool *weak, char *detail,
                                                  size_t detail_len) {
    return verify_purpose(trust, leaf, untrusted, at, 0, allow_weak, weak, detail, detail_len);
}

cachet_chain_status cachet_trust_verify(const cachet_trust *trust, const cachet_cert *leaf,
                                        const cachet_cert_list *untrusted, int64_t at, char *detail,
                                        size_t detail_len) {
    bool weak;
    return cachet_trust_verify_policy(trust, leaf, untrusted, at, false, &weak, detail, detail_len);
}
