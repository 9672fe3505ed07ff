/* PKCS#10 certification requests (RFC 2986) for an S/MIME certificate
 * (RFC 8550 §4.4.2, RFC 2311 §3.7): the address goes in subjectAltName
 * rfc822Name, asked for through an extensionRequest attribute (RFC 2985
 * §5.4.2). The CertificationRequestInfo is signed with cachet_sign, so a key
 * held by a token signs the same way as one in memory. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "crypto/internal.h"

/* RFC 5321 §4.5.3.1.3: a path holds at most 256 octets, so an address at most 254. */
#define REQUEST_MAX_EMAIL 254u
/* X.520 ub-common-name: a longer address cannot be the CN. */
#define REQUEST_MAX_CN 64u

/* email_ok: local@domain in printable ASCII without spaces. rfc822Name is an
 * IA5String, so internationalised addresses (RFC 8398) are not taken here. */
static bool email_ok(const char *email) {
    size_t len = strlen(email);
    const char *at = strrchr(email, '@');
    if (len == 0 || len > REQUEST_MAX_EMAIL || at == NULL || at == email || at[1] == '\0') {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)email[i];
        if (c <= 0x20 || c >= 0x7f) {
            return false;
        }
    }
    return true;
}

static bool add_san(STACK_OF(X509_EXTENSION) * *exts, const char *email) {
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    GENERAL_NAME *gen = GENERAL_NAME_new();
    ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
    bool ok = false;
    if (gens == NULL || gen == NULL || ia5 == NULL ||
        ASN1_STRING_set(ia5, email, (int)strlen(email)) != 1) {
        goto done;
    }
    GENERAL_NAME_set0_value(gen, GEN_EMAIL, ia5);
    ia5 = NULL;
    if (sk_GENERAL_NAME_push(gens, gen) <= 0) {
        goto done;
    }
    gen = NULL;
    ok = X509V3_add1_i2d(exts, NID_subject_alt_name, gens, 0, X509V3_ADD_APPEND) == 1;
done:
    ASN1_IA5STRING_free(ia5);
    GENERAL_NAME_free(gen);
    GENERAL_NAMES_free(gens);
    return ok;
}

/* add_key_usage: digitalSignature always; the bit that lets the key receive a
 * content-encryption key depends on how the key type does it (RFC 8550 §4.4.2). */
static bool add_key_usage(STACK_OF(X509_EXTENSION) * *exts, cachet_key_type type) {
    enum { KU_BIT_DIGITAL_SIGNATURE = 0, KU_BIT_KEY_ENCIPHERMENT = 2, KU_BIT_KEY_AGREEMENT = 4 };
    ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
    bool ok = ku != NULL && ASN1_BIT_STRING_set_bit(ku, KU_BIT_DIGITAL_SIGNATURE, 1) == 1;
    if (ok && type == CACHET_KEY_RSA) {
        ok = ASN1_BIT_STRING_set_bit(ku, KU_BIT_KEY_ENCIPHERMENT, 1) == 1;
    } else if (ok && type == CACHET_KEY_EC) {
        ok = ASN1_BIT_STRING_set_bit(ku, KU_BIT_KEY_AGREEMENT, 1) == 1;
    }
    ok = ok && X509V3_add1_i2d(exts, NID_key_usage, ku, 1, X509V3_ADD_APPEND) == 1;
    ASN1_BIT_STRING_free(ku);
    return ok;
}

static bool add_eku(STACK_OF(X509_EXTENSION) * *exts) {
    EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
    ASN1_OBJECT *obj = OBJ_nid2obj(NID_email_protect);
    bool ok = eku != NULL && obj != NULL && sk_ASN1_OBJECT_push(eku, obj) > 0 &&
              X509V3_add1_i2d(exts, NID_ext_key_usage, eku, 0, X509V3_ADD_APPEND) == 1;
    /* The object is OpenSSL's static one: freeing the stack frees nothing else. */
    sk_ASN1_OBJECT_free(eku);
    return ok;
}

typedef struct req_alg {
    cachet_sig_scheme scheme;
    cachet_md md;
    int nid;
    int param_type; /* V_ASN1_NULL (RFC 4055 §5) or V_ASN1_UNDEF (absent: RFC 5758, 8410) */
} req_alg;

static bool pick_alg(cachet_key_type type, req_alg *out) {
    switch (type) {
        case CACHET_KEY_RSA:
            *out = (req_alg){CACHET_SIG_RSA_PKCS1, CACHET_MD_SHA256, NID_sha256WithRSAEncryption,
                             V_ASN1_NULL};
            return true;
        case CACHET_KEY_EC:
            *out =
                (req_alg){CACHET_SIG_ECDSA, CACHET_MD_SHA256, NID_ecdsa_with_SHA256, V_ASN1_UNDEF};
            return true;
        case CACHET_KEY_ED25519:
            *out = (req_alg){CACHET_SIG_ED25519, CACHET_MD_NONE, NID_ED25519, V_ASN1_UNDEF};
            return true;
        case CACHET_KEY_ED448:
            *out = (req_alg){CACHET_SIG_ED448, CACHET_MD_NONE, NID_ED448, V_ASN1_UNDEF};
            return true;
        default:
            return false;
    }
}

/* build_info fills everything but the signature. */
static bool build_info(X509_REQ *req, const cachet_pkey *key, const char *email,
                       cachet_key_type type) {
    STACK_OF(X509_EXTENSION) *exts = NULL;
    X509_NAME *name = X509_NAME_new();
    bool ok = name != NULL && X509_REQ_set_version(req, X509_REQ_VERSION_1) == 1;
    /* An address too long for a CN leaves the subject empty: the SAN names the
     * holder (RFC 5280 §4.1.2.6 allows that for the certificate). */
    if (ok && strlen(email) <= REQUEST_MAX_CN) {
        ok = X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                        (const unsigned char *)email, -1, -1, 0) == 1;
    }
    ok = ok && X509_REQ_set_subject_name(req, name) == 1 &&
         X509_REQ_set_pubkey(req, key->pkey) == 1 && add_san(&exts, email) &&
         add_key_usage(&exts, type) && add_eku(&exts) && X509_REQ_add_extensions(req, exts) == 1;
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_NAME_free(name);
    return ok;
}

static bool set_alg(X509_REQ *req, const req_alg *alg) {
    X509_ALGOR *a = X509_ALGOR_new();
    bool ok = a != NULL && X509_ALGOR_set0(a, OBJ_nid2obj(alg->nid), alg->param_type, NULL) == 1 &&
              X509_REQ_set1_signature_algo(req, a) == 1;
    X509_ALGOR_free(a);
    return ok;
}

static bool set_signature(X509_REQ *req, const cachet_membuf *sig) {
    ASN1_BIT_STRING *bs = ASN1_BIT_STRING_new();
    if (bs == NULL || sig->len > INT32_MAX ||
        ASN1_BIT_STRING_set(bs, sig->data, (int)sig->len) != 1) {
        ASN1_BIT_STRING_free(bs);
        return false;
    }
    /* A signature is whole octets: say so, or the encoder would count the
     * trailing zero bits of the last octet as unused. */
    bs->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    bs->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    X509_REQ_set0_signature(req, bs);
    return true;
}

cachet_status cachet_request_build(const cachet_pkey *key, const char *email, cachet_membuf *der,
                                   cachet_error *err) {
    static const char where[] = "CertificationRequest";
    if (key == NULL || der == NULL || email == NULL || !email_ok(email)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                              "need a key and an address local@domain (printable ASCII, at most "
                              "%u characters)",
                              REQUEST_MAX_EMAIL);
    }
    cachet_key_type type = cachet_pkey_type(key);
    req_alg alg;
    if (!pick_alg(type, &alg)) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, where, -1,
                              "requests are made with RSA, EC, Ed25519 or Ed448 keys");
    }
    cachet_membuf_reset(der);
    cachet_membuf sig = {0};
    unsigned char *tbs = NULL;
    unsigned char *out = NULL;
    int tbs_len = 0;
    int out_len = 0;
    cachet_status st = CACHET_OK;
    X509_REQ *req = X509_REQ_new();
    if (req == NULL || !build_info(req, key, email, type) || !set_alg(req, &alg)) {
        st = cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "cannot build request");
        goto done;
    }
    tbs_len = i2d_re_X509_REQ_tbs(req, &tbs);
    if (tbs_len <= 0) {
        st = cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where,
                                "cannot encode CertificationRequestInfo");
        goto done;
    }
    st = cachet_sign(key, alg.scheme, alg.md, NULL, tbs, (size_t)tbs_len, &sig, err);
    if (st != CACHET_OK) {
        cachet_err_prefix_where(err, where);
        goto done;
    }
    if (!set_signature(req, &sig)) {
        st = cachet_crypto_fail(err, CACHET_ERR_NOMEM, where, "cannot set signature");
        goto done;
    }
    out_len = i2d_X509_REQ(req, &out);
    if (out_len <= 0 || !cachet_membuf_append(der, out, (size_t)out_len)) {
        st = cachet_crypto_fail(err, CACHET_ERR_NOMEM, where, "cannot encode request");
        goto done;
    }
done:
    OPENSSL_free(out);
    OPENSSL_free(tbs);
    cachet_membuf_free(&sig);
    X509_REQ_free(req);
    ERR_clear_error();
    return st;
}
