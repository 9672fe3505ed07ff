/* The public half of a token key. The caller's certificate (or the token's
 * certificate with the key's CKA_ID) gives it, and it must agree with what the
 * token itself holds: the RSA modulus and exponent on the private object, or
 * the EC point of the public key object beside it. A certificate that does
 * not belong to the key is refused here, before any use. */
#include <string.h>

#include "pki/p11_internal.h"

/* find_one finds the objects matching |tmpl|; |*num| is 0, 1 or 2 (= several). */
static CK_RV find_one(cachet_p11_key *k, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out,
                      CK_ULONG *num) {
    CK_RV rv = k->module->C_FindObjectsInit(k->session, tmpl, n);
    if (rv != CKR_OK) {
        return rv;
    }
    CK_OBJECT_HANDLE objs[2];
    *num = 0;
    rv = k->module->C_FindObjects(k->session, objs, 2, num);
    (void)k->module->C_FindObjectsFinal(k->session);
    if (rv == CKR_OK && *num >= 1) {
        *out = objs[0];
    }
    return rv;
}

/* spki_key parses a SubjectPublicKeyInfo we built from token attributes. */
static cachet_status spki_key(cachet_p11_key *k, bool built, cachet_membuf *spki, cachet_pkey **out,
                              cachet_error *err) {
    cachet_status st = CACHET_ERR_KEY;
    if (built) {
        st = cachet_pkey_from_spki(spki->data, spki->len, out, NULL);
    }
    cachet_membuf_free(spki);
    if (st != CACHET_OK) {
        return cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                              "the token's public key for %s is not one we can read", k->uri);
    }
    return CACHET_OK;
}

/* token_public reads the public key the token holds for the key, or leaves
 * |*out| NULL when the token has none to show (an EC key without its public
 * object). */
static cachet_status token_public(cachet_p11_key *k, const uint8_t *id, size_t id_len,
                                  cachet_pkey **out, cachet_error *err) {
    CK_FUNCTION_LIST *m = k->module;
    cachet_membuf spki = {0};
    uint8_t *a = NULL;
    uint8_t *b = NULL;
    size_t a_len = 0;
    size_t b_len = 0;
    *out = NULL;
    if (k->key_type == CKK_RSA) {
        CK_RV rv = cachet_p11_get_attr(m, k->session, k->key, CKA_MODULUS, &a, &a_len);
        if (rv == CKR_OK) {
            rv = cachet_p11_get_attr(m, k->session, k->key, CKA_PUBLIC_EXPONENT, &b, &b_len);
        }
        if (rv != CKR_OK) {
            cachet_free(a);
            return cachet_p11_fail(err, CACHET_ERR_KEY, k->uri, "reading the RSA modulus", rv);
        }
        bool built = cachet_p11_rsa_spki(a, a_len, b, b_len, &spki);
        cachet_free(a);
        cachet_free(b);
        return spki_key(k, built, &spki, out, err);
    }
    /* EC and EdDSA private objects carry the curve but not the point (PKCS#11
     * v2.40 §2.3.4): the point is on the public key object with the same id. */
    CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
    CK_ATTRIBUTE tmpl[] = {
        {CKA_CLASS, &cls, sizeof(cls)},
        {CKA_KEY_TYPE, &k->key_type, sizeof(k->key_type)},
        {CKA_ID, (void *)id, id_len},
    };
    CK_OBJECT_HANDLE obj = CK_INVALID_HANDLE;
    CK_ULONG num = 0;
    if (id_len == 0 || find_one(k, tmpl, 3, &obj, &num) != CKR_OK || num != 1) {
        return CACHET_OK;
    }
    CK_RV rv = cachet_p11_get_attr(m, k->session, obj, CKA_EC_PARAMS, &a, &a_len);
    if (rv == CKR_OK) {
        rv = cachet_p11_get_attr(m, k->session, obj, CKA_EC_POINT, &b, &b_len);
    }
    if (rv != CKR_OK) {
        cachet_free(a);
        return cachet_p11_fail(err, CACHET_ERR_KEY, k->uri, "reading the EC public key", rv);
    }
    bool built = cachet_p11_ec_spki(a, a_len, b, b_len, &spki);
    cachet_free(a);
    cachet_free(b);
    return spki_key(k, built, &spki, out, err);
}

/* token_cert reads the certificate object with the key's CKA_ID; |*out| NULL
 * when there is none. */
static cachet_status token_cert(cachet_p11_key *k, const uint8_t *id, size_t id_len,
                                cachet_cert **out, cachet_error *err) {
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_ATTRIBUTE tmpl[] = {
        {CKA_CLASS, &cls, sizeof(cls)},
        {CKA_ID, (void *)id, id_len},
    };
    CK_OBJECT_HANDLE obj = CK_INVALID_HANDLE;
    CK_ULONG num = 0;
    *out = NULL;
    CK_RV rv = find_one(k, tmpl, 2, &obj, &num);
    if (rv != CKR_OK) {
        return cachet_p11_fail(err, CACHET_ERR_KEY, k->uri, "searching the certificate", rv);
    }
    if (num == 0) {
        return CACHET_OK;
    }
    if (num > 1) {
        return cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                              "several certificates on the token share the id of %s", k->uri);
    }
    uint8_t *der = NULL;
    size_t der_len = 0;
    rv = cachet_p11_get_attr(k->module, k->session, obj, CKA_VALUE, &der, &der_len);
    if (rv != CKR_OK) {
        return cachet_p11_fail(err, CACHET_ERR_KEY, k->uri, "reading the certificate", rv);
    }
    cachet_status st = cachet_cert_parse(der, der_len, out, err);
    cachet_free(der);
    if (st != CACHET_OK) {
        cachet_err_prefix_where(err, CACHET_P11_WHERE);
    }
    return st;
}

static bool type_fits(const cachet_p11_key *k, const cachet_pkey *pub) {
    cachet_key_type t = cachet_pkey_type(pub);
    switch (k->key_type) {
        case CKK_RSA:
            return t == CACHET_KEY_RSA;
        case CKK_EC:
            return t == CACHET_KEY_EC && cachet_pkey_curve(pub) != CACHET_CURVE_NONE;
        case CKK_EC_EDWARDS:
            return t == CACHET_KEY_ED25519 || t == CACHET_KEY_ED448;
        default:
            return false;
    }
}

/* choose picks the public half and checks it against the token's own view. */
static cachet_status choose(cachet_p11_key *k, const cachet_cert *cert, cachet_cert *tcert,
                            cachet_pkey *tpub, cachet_pkey **out, cachet_error *err) {
    const cachet_cert *use = cert != NULL ? cert : tcert;
    if (use == NULL) {
        return cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                              "no certificate given and none on the token with the id of %s",
                              k->uri);
    }
    cachet_pkey *pub = cachet_cert_pkey(use);
    cachet_pkey *witness = tpub;
    cachet_pkey *tcert_key = NULL;
    if (witness == NULL && tcert != NULL && use != tcert) {
        tcert_key = cachet_cert_pkey(tcert);
        witness = tcert_key;
    }
    cachet_status st = CACHET_OK;
    if (pub == NULL || !type_fits(k, pub)) {
        st = cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                            "the certificate's key type differs from the token key %s", k->uri);
    } else if (witness == NULL && use != tcert) {
        st = cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                            "cannot confirm that the certificate belongs to %s: the token shows "
                            "no public key or certificate for it",
                            k->uri);
    } else if (witness != NULL && !cachet_pkey_matches(pub, witness)) {
        st = cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                            "the certificate does not belong to the token key %s", k->uri);
    }
    cachet_pkey_free(tcert_key);
    if (st != CACHET_OK) {
        cachet_pkey_free(pub);
        return st;
    }
    *out = pub;
    return CACHET_OK;
}

cachet_status cachet_p11_public_half(cachet_p11_key *k, const cachet_cert *cert,
                                     cachet_pkey **out_pub, cachet_cert **out_cert,
                                     cachet_error *err) {
    CK_ULONG kt = 0;
    CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof(kt)};
    CK_RV rv = k->module->C_GetAttributeValue(k->session, k->key, &a, 1);
    if (rv != CKR_OK) {
        return cachet_p11_fail(err, CACHET_ERR_KEY, k->uri, "reading the key type", rv);
    }
    if (kt != CKK_RSA && kt != CKK_EC && kt != CKK_EC_EDWARDS) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, CACHET_P11_WHERE, -1,
                              "token key %s is of type 0x%lx, not RSA, EC or EdDSA", k->uri,
                              (unsigned long)kt);
    }
    k->key_type = kt;
    uint8_t *id = NULL;
    size_t id_len = 0;
    rv = cachet_p11_get_attr(k->module, k->session, k->key, CKA_ID, &id, &id_len);
    if (rv != CKR_OK) {
        id_len = 0;
    }
    cachet_pkey *tpub = NULL;
    cachet_cert *tcert = NULL;
    cachet_pkey *pub = NULL;
    cachet_status st = token_public(k, id, id_len, &tpub, err);
    if (st == CACHET_OK && id_len > 0 && (cert == NULL || tpub == NULL)) {
        st = token_cert(k, id, id_len, &tcert, err);
    }
    if (st == CACHET_OK) {
        st = choose(k, cert, tcert, tpub, &pub, err);
    }
    cachet_free(id);
    cachet_pkey_free(tpub);
    if (st == CACHET_OK && k->key_type == CKK_EC) {
        k->field_len = (cachet_pkey_bits(pub) + 7) / 8;
    }
    if (st != CACHET_OK) {
        cachet_cert_free(tcert);
        return st;
    }
    *out_pub = pub;
    if (out_cert != NULL) {
        *out_cert = cert == NULL ? tcert : NULL;
        tcert = cert == NULL ? NULL : tcert;
    }
    cachet_cert_free(tcert);
    return CACHET_OK;
}
