/* The private operations of a token key: sign (RSA PKCS#1 v1.5 and PSS, ECDSA,
 * EdDSA), RSA decrypt (v1.5, OAEP) and ECDH derive, each one call sequence on
 * the key's session (PKCS#11 v2.40 §5.11-5.18), serialised by the key's lock. */
#include <string.h>

#include "pki/p11_internal.h"

static const struct {
    CK_MECHANISM_TYPE hash;
    CK_RSA_PKCS_MGF_TYPE mgf;
} md_mechs[] = {
    [CACHET_MD_SHA1] = {CKM_SHA_1, CKG_MGF1_SHA1},
    [CACHET_MD_SHA224] = {CKM_SHA224, CKG_MGF1_SHA224},
    [CACHET_MD_SHA256] = {CKM_SHA256, CKG_MGF1_SHA256},
    [CACHET_MD_SHA384] = {CKM_SHA384, CKG_MGF1_SHA384},
    [CACHET_MD_SHA512] = {CKM_SHA512, CKG_MGF1_SHA512},
};

static bool md_mech(cachet_md md, CK_MECHANISM_TYPE *hash, CK_RSA_PKCS_MGF_TYPE *mgf) {
    if ((size_t)md >= sizeof(md_mechs) / sizeof(md_mechs[0]) || md_mechs[md].hash == 0) {
        return false;
    }
    *hash = md_mechs[md].hash;
    *mgf = md_mechs[md].mgf;
    return true;
}

/* run_sign: C_SignInit then one C_Sign into a buffer larger than any
 * signature we make (RSA-8192 is 1024 bytes). Asking the length first would
 * leave the operation active if the buffer could then not be had: PKCS#11
 * v2.40 has no way to cancel it. */
static CK_RV run_sign(cachet_p11_key *k, CK_MECHANISM *mech, const uint8_t *tbs, size_t tbs_len,
                      cachet_membuf *out) {
    uint8_t *buf = cachet_malloc(CACHET_P11_MAX_SIG);
    if (buf == NULL) {
        return CKR_HOST_MEMORY;
    }
    CK_ULONG len = CACHET_P11_MAX_SIG;
    CK_RV rv = k->module->C_SignInit(k->session, mech, k->key);
    if (rv == CKR_OK) {
        rv = k->module->C_Sign(k->session, (CK_BYTE_PTR)tbs, tbs_len, buf, &len);
    }
    if (rv == CKR_OK && (len == 0 || len > CACHET_P11_MAX_SIG)) {
        rv = CKR_GENERAL_ERROR;
    }
    if (rv == CKR_OK && !cachet_membuf_append(out, buf, len)) {
        rv = CKR_HOST_MEMORY;
    }
    cachet_free(buf);
    return rv;
}

static bool scheme_fits(const cachet_p11_key *k, cachet_sig_scheme scheme) {
    switch (scheme) {
        case CACHET_SIG_RSA_PKCS1:
        case CACHET_SIG_RSA_PSS:
            return k->key_type == CKK_RSA;
        case CACHET_SIG_ECDSA:
            return k->key_type == CKK_EC;
        case CACHET_SIG_ED25519:
        case CACHET_SIG_ED448:
            return k->key_type == CKK_EC_EDWARDS;
        default:
            return false;
    }
}

static cachet_status p11_sign(void *arg, cachet_sig_scheme scheme, cachet_md md,
                              const cachet_pss_params *pss, const uint8_t *tbs, size_t tbs_len,
                              cachet_membuf *sig, cachet_error *err) {
    cachet_p11_key *k = arg;
    if (!scheme_fits(k, scheme)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, CACHET_P11_WHERE, -1,
                              "signature scheme does not fit the token key %s", k->uri);
    }
    CK_MECHANISM mech = {0, NULL, 0};
    CK_RSA_PKCS_PSS_PARAMS pss_params;
    cachet_membuf input = {0};
    const uint8_t *data = tbs;
    size_t data_len = tbs_len;
    switch (scheme) {
        case CACHET_SIG_RSA_PKCS1:
            /* CKM_RSA_PKCS pads what it is given: the DigestInfo is ours to build. */
            mech.mechanism = CKM_RSA_PKCS;
            if (!cachet_p11_digest_info(md, tbs, tbs_len, &input)) {
                return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, CACHET_P11_WHERE, -1,
                                      "cannot build the DigestInfo for %s", cachet_md_name(md));
            }
            data = input.data;
            data_len = input.len;
            break;
        case CACHET_SIG_RSA_PSS: {
            CK_RSA_PKCS_MGF_TYPE unused;
            CK_MECHANISM_TYPE unused_mech; /* a variable: cppcheck 2.10 cannot parse &(T){0} */
            if (pss == NULL || !md_mech(md, &pss_params.hashAlg, &unused) ||
                !md_mech(pss->mgf1_md, &unused_mech, &pss_params.mgf)) {
                return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, CACHET_P11_WHERE, -1,
                                      "PSS digests not available on the token");
            }
            pss_params.sLen = pss->salt_len;
            mech.mechanism = CKM_RSA_PKCS_PSS;
            mech.pParameter = &pss_params;
            mech.ulParameterLen = sizeof(pss_params);
            break;
        }
        case CACHET_SIG_ECDSA:
            mech.mechanism = CKM_ECDSA;
            break;
        default:
            /* RFC 8032 pure EdDSA: CKM_EDDSA without parameters (PKCS#11 v3.0 §2.3.14). */
            mech.mechanism = CKM_EDDSA;
            break;
    }
    cachet_membuf raw = {0};
    pthread_mutex_lock(&k->lock);
    CK_RV rv = run_sign(k, &mech, data, data_len, scheme == CACHET_SIG_ECDSA ? &raw : sig);
    pthread_mutex_unlock(&k->lock);
    cachet_membuf_free(&input);
    cachet_status st = CACHET_OK;
    if (rv != CKR_OK) {
        st = cachet_p11_fail(err, CACHET_ERR_KEY, k->uri, "C_Sign", rv);
    } else if (scheme == CACHET_SIG_ECDSA &&
               (raw.len != 2 * k->field_len || !cachet_p11_ecdsa_der(raw.data, raw.len, sig))) {
        st = cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                            "token returned a %zu-byte ECDSA signature for %s", raw.len, k->uri);
    }
    cachet_membuf_free(&raw);
    return st;
}

static bool p11_decrypt(void *arg, const cachet_oaep_params *oaep, const uint8_t *in, size_t in_len,
                        cachet_membuf *out) {
    cachet_p11_key *k = arg;
    if (k->key_type != CKK_RSA) {
        return false;
    }
    CK_MECHANISM mech = {CKM_RSA_PKCS, NULL, 0};
    CK_RSA_PKCS_OAEP_PARAMS op;
    if (oaep != NULL) {
        /* RFC 3560 §2.2: absent digests are SHA-1. */
        cachet_md md = oaep->md != CACHET_MD_NONE ? oaep->md : CACHET_MD_SHA1;
        cachet_md mgf1 = oaep->mgf1_md != CACHET_MD_NONE ? oaep->mgf1_md : CACHET_MD_SHA1;
        CK_RSA_PKCS_MGF_TYPE unused;
        CK_MECHANISM_TYPE unused_mech; /* a variable: cppcheck 2.10 cannot parse &(T){0} */
        if (!md_mech(md, &op.hashAlg, &unused) || !md_mech(mgf1, &unused_mech, &op.mgf)) {
            return false;
        }
        op.source = CKZ_DATA_SPECIFIED;
        op.pSourceData = oaep->label_len > 0 ? (void *)oaep->label : NULL;
        op.ulSourceDataLen = oaep->label_len;
        mech.mechanism = CKM_RSA_PKCS_OAEP;
        mech.pParameter = &op;
        mech.ulParameterLen = sizeof(op);
    }
    /* One call into a buffer larger than any modulus, as run_sign does. */
    uint8_t *buf = cachet_malloc(CACHET_P11_MAX_SIG);
    if (buf == NULL) {
        return false;
    }
    CK_ULONG len = CACHET_P11_MAX_SIG;
    pthread_mutex_lock(&k->lock);
    CK_RV rv = k->module->C_DecryptInit(k->session, &mech, k->key);
    if (rv == CKR_OK) {
        rv = k->module->C_Decrypt(k->session, (CK_BYTE_PTR)in, in_len, buf, &len);
    }
    pthread_mutex_unlock(&k->lock);
    bool ok = rv == CKR_OK && len <= CACHET_P11_MAX_SIG && cachet_membuf_append(out, buf, len);
    cachet_free_secret(buf, CACHET_P11_MAX_SIG);
    return ok;
}

/* derive_secret runs CKM_ECDH1_DERIVE into a session object and reads it back. */
static CK_RV derive_secret(cachet_p11_key *k, const uint8_t *point, size_t point_len,
                           cachet_membuf *secret) {
    CK_ECDH1_DERIVE_PARAMS dp = {CKD_NULL, 0, NULL, point_len, (CK_BYTE_PTR)point};
    CK_MECHANISM mech = {CKM_ECDH1_DERIVE, &dp, sizeof(dp)};
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
    CK_BBOOL no = CK_FALSE;
    CK_BBOOL yes = CK_TRUE;
    CK_ULONG vlen = k->field_len;
    /* A session object (gone with the session at worst), readable by us. */
    CK_ATTRIBUTE tmpl[] = {
        {CKA_CLASS, &cls, sizeof(cls)},       {CKA_KEY_TYPE, &kt, sizeof(kt)},
        {CKA_TOKEN, &no, sizeof(no)},         {CKA_SENSITIVE, &no, sizeof(no)},
        {CKA_EXTRACTABLE, &yes, sizeof(yes)}, {CKA_VALUE_LEN, &vlen, sizeof(vlen)},
    };
    CK_OBJECT_HANDLE obj = CK_INVALID_HANDLE;
    CK_RV rv = k->module->C_DeriveKey(k->session, &mech, k->key, tmpl,
                                      sizeof(tmpl) / sizeof(tmpl[0]), &obj);
    if (rv != CKR_OK) {
        return rv;
    }
    uint8_t *v = NULL;
    size_t v_len = 0;
    rv = cachet_p11_get_attr(k->module, k->session, obj, CKA_VALUE, &v, &v_len);
    (void)k->module->C_DestroyObject(k->session, obj);
    if (rv == CKR_OK && !cachet_membuf_append(secret, v, v_len)) {
        rv = CKR_HOST_MEMORY;
    }
    if (v != NULL) {
        cachet_free_secret(v, v_len);
    }
    return rv;
}

static cachet_status p11_derive(void *arg, const cachet_pkey *peer, cachet_membuf *secret,
                                cachet_error *err) {
    cachet_p11_key *k = arg;
    if (k->key_type != CKK_EC) {
        return cachet_err_set(err, CACHET_ERR_USAGE, CACHET_P11_WHERE, -1,
                              "token key %s is not an EC key", k->uri);
    }
    cachet_membuf point = {0};
    if (!cachet_pkey_ec_point(peer, &point) || point.len != 1 + 2 * k->field_len) {
        cachet_membuf_free(&point);
        return cachet_err_set(err, CACHET_ERR_KEY, CACHET_P11_WHERE, -1,
                              "peer key is not on the curve of %s", k->uri);
    }
    pthread_mutex_lock(&k->lock);
    CK_RV rv = derive_secret(k, point.data, point.len, secret);
    pthread_mutex_unlock(&k->lock);
    cachet_membuf_free(&point);
    if (rv != CKR_OK) {
        return cachet_p11_fail(err, CACHET_ERR_KEY, k->uri, "C_DeriveKey", rv);
    }
    return CACHET_OK;
}

void cachet_p11_key_free(void *arg) {
    const cachet_p11kit_api *pk = cachet_p11kit(NULL);
    cachet_p11_key *k = arg;
    if (k == NULL) {
        return;
    }
    /* No C_Logout: the login belongs to the token, not to this session, and
     * other keys of this process may still use it. Closing the last session
     * ends it (PKCS#11 v2.40 §5.6, C_CloseSession). */
    if (k->has_session) {
        (void)k->module->C_CloseSession(k->session);
    }
    if (k->loaded != NULL) {
        (void)pk->p11_kit_module_finalize(k->loaded);
        pk->p11_kit_module_release(k->loaded);
    }
    if (k->registered != NULL) {
        pk->p11_kit_modules_finalize_and_release(k->registered);
    }
    if (k->lock_ready) {
        pthread_mutex_destroy(&k->lock);
    }
    cachet_free(k->uri);
    cachet_free(k);
}

const cachet_pkey_ops cachet_p11_ops = {
    .sign = p11_sign,
    .decrypt = p11_decrypt,
    .derive = p11_derive,
    .free_arg = cachet_p11_key_free,
};
