/* Content-encryption AlgorithmIdentifiers: AES-CBC (RFC 3565 §4.1), AES-GCM
 * (RFC 5084 §3.2), 3DES-CBC (RFC 3370 §5.1, legacy decrypt only), and the
 * per-content-type allowlist of ATTACKS EF-07. */
#include <string.h>

#include "cms/enveloped_internal.h"

static const struct {
    cachet_oid oid;
    cachet_cipher cipher;
} cipher_table[] = {
    {CACHET_OID_AES128_CBC, CACHET_CIPHER_AES128_CBC},
    {CACHET_OID_AES192_CBC, CACHET_CIPHER_AES192_CBC},
    {CACHET_OID_AES256_CBC, CACHET_CIPHER_AES256_CBC},
    {CACHET_OID_AES128_GCM, CACHET_CIPHER_AES128_GCM},
    {CACHET_OID_AES192_GCM, CACHET_CIPHER_AES192_GCM},
    {CACHET_OID_AES256_GCM, CACHET_CIPHER_AES256_GCM},
    {CACHET_OID_DES_EDE3_CBC, CACHET_CIPHER_DES_EDE3_CBC},
};

static cachet_oid oid_of_cipher(cachet_cipher c) {
    for (size_t i = 0; i < sizeof(cipher_table) / sizeof(cipher_table[0]); i++) {
        if (cipher_table[i].cipher == c) {
            return cipher_table[i].oid;
        }
    }
    return CACHET_OID_UNKNOWN;
}

static cachet_cipher cipher_of_oid(cachet_oid oid) {
    for (size_t i = 0; i < sizeof(cipher_table) / sizeof(cipher_table[0]); i++) {
        if (cipher_table[i].oid == oid) {
            return cipher_table[i].cipher;
        }
    }
    return CACHET_CIPHER_NONE;
}

/* Authenticated-encryption OIDs we know of, whether or not we implement them. */
static bool oid_is_aead(cachet_oid oid) {
    return oid == CACHET_OID_AES128_GCM || oid == CACHET_OID_AES192_GCM ||
           oid == CACHET_OID_AES256_GCM || oid == CACHET_OID_AES128_CCM ||
           oid == CACHET_OID_AES256_CCM || oid == CACHET_OID_CHACHA20_POLY1305;
}

bool cachet_env_add_cea(cachet_cbb *cbb, const cachet_env_cea *cea) {
    cachet_cbb alg, params;
    cachet_oid oid = oid_of_cipher(cea->cipher);
    if (oid == CACHET_OID_UNKNOWN || !cachet_cbb_add_asn1(cbb, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&alg, oid)) {
        return false;
    }
    if (cachet_cipher_is_aead(cea->cipher)) {
        /* RFC 5084 §3.2: GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING,
         * aes-ICVlen AES-GCM-ICVlen DEFAULT 12 }; DER omits the default. */
        if (!cachet_cbb_add_asn1(&alg, &params, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbb_add_asn1_octet_string(&params, cea->iv, cea->iv_len)) {
            return false;
        }
        if (cea->icv_len != 12 && !cachet_cbb_add_asn1_uint64(&params, cea->icv_len)) {
            return false;
        }
    } else {
        /* RFC 3565 §4.1: AES-IV ::= OCTET STRING (SIZE(16)). */
        if (!cachet_cbb_add_asn1_octet_string(&alg, cea->iv, cea->iv_len)) {
            return false;
        }
    }
    return cachet_cbb_flush(cbb);
}

static cachet_status bad(cachet_error *err, cachet_status st, const char *what) {
    return cachet_err_set(err, st, "EncryptedContentInfo.contentEncryptionAlgorithm", -1, "%s",
                          what);
}

/* RFC 5084 §3.2 read strictly (ATTACKS EF-06): nonce 1..16 bytes (12 is the
 * RFC's recommendation, longer nonces are what CVE-2025-15467 abused),
 * aes-ICVlen in 12..16, DEFAULT 12 when absent. */
static cachet_status parse_gcm_params(cachet_cbs *params, cachet_env_cea *out, cachet_error *err) {
    cachet_cbs seq, nonce;
    uint64_t icv = 12;
    if (!cachet_cbs_get_asn1(params, &seq, CACHET_ASN1_SEQUENCE) || params->len != 0 ||
        !cachet_cbs_get_asn1(&seq, &nonce, CACHET_ASN1_OCTETSTRING)) {
        return bad(err, CACHET_ERR_MALFORMED, "GCMParameters malformed");
    }
    if (seq.len != 0) {
        if (!cachet_cbs_get_asn1_uint64(&seq, &icv) || seq.len != 0) {
            return bad(err, CACHET_ERR_MALFORMED, "GCMParameters aes-ICVlen malformed");
        }
    }
    if (nonce.len == 0 || nonce.len > CACHET_ENV_GCM_MAX_NONCE) {
        return cachet_err_set(err, CACHET_ERR_POLICY,
                              "EncryptedContentInfo.contentEncryptionAlgorithm", -1,
                              "GCM nonce of %zu bytes refused (1..16 accepted)", nonce.len);
    }
    if (icv < 12 || icv > 16) {
        return cachet_err_set(
            err, CACHET_ERR_POLICY, "EncryptedContentInfo.contentEncryptionAlgorithm", -1,
            "GCM aes-ICVlen %llu refused (RFC 5084: 12..16)", (unsigned long long)icv);
    }
    memcpy(out->iv, nonce.data, nonce.len);
    out->iv_len = nonce.len;
    out->icv_len = (size_t)icv;
    return CACHET_OK;
}

cachet_status cachet_env_parse_cea(const cachet_cbs *alg_in, bool auth, bool allow_weak,
                                   cachet_env_cea *out, cachet_error *err) {
    cachet_cbs alg = *alg_in, seq, raw, iv;
    cachet_oid oid;
    cachet_env_cea cea;
    char text[96];
    memset(&cea, 0, sizeof(cea));
    if (!cachet_cbs_get_asn1(&alg, &seq, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&seq, &oid, &raw)) {
        return bad(err, CACHET_ERR_MALFORMED, "AlgorithmIdentifier malformed");
    }
    /* EF-07: AEAD OIDs belong in AuthEnvelopedData (RFC 5083 §1) and nothing
     * else does, so a GCM message cannot be re-labelled as CBC/OFB and back. */
    if (auth && !oid_is_aead(oid)) {
        if (!cachet_cbs_oid_to_text(&raw, text, sizeof(text))) {
            strcpy(text, "?");
        }
        return cachet_err_set(err, CACHET_ERR_POLICY, "AuthEnvelopedData.authEncryptedContentInfo",
                              -1, "non-AEAD algorithm %s refused in AuthEnvelopedData", text);
    }
    if (!auth && oid_is_aead(oid)) {
        return cachet_err_set(err, CACHET_ERR_POLICY, "EnvelopedData.encryptedContentInfo", -1,
                              "AEAD algorithm %s refused in EnvelopedData", cachet_oid_name(oid));
    }
    cea.cipher = cipher_of_oid(oid);
    if (cea.cipher == CACHET_CIPHER_NONE) {
        if (!cachet_cbs_oid_to_text(&raw, text, sizeof(text))) {
            strcpy(text, "?");
        }
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED,
                              "EncryptedContentInfo.contentEncryptionAlgorithm", -1,
                              "content-encryption algorithm %s not supported", text);
    }
    if (cea.cipher == CACHET_CIPHER_DES_EDE3_CBC) {
        if (!allow_weak) {
            return bad(err, CACHET_ERR_POLICY,
                       "des-ede3-cbc refused (weak algorithms not allowed)");
        }
        cea.weak = true;
    }
    if (auth) {
        cachet_status st = parse_gcm_params(&seq, &cea, err);
        if (st != CACHET_OK) {
            return st;
        }
    } else {
        /* RFC 3565 §4.1 and RFC 3370 §5.1: the IV is an OCTET STRING of one block. */
        if (!cachet_cbs_get_asn1(&seq, &iv, CACHET_ASN1_OCTETSTRING) || seq.len != 0) {
            return bad(err, CACHET_ERR_MALFORMED,
                       "CBC parameters must be one OCTET STRING (the IV)");
        }
        if (iv.len != cachet_cipher_block_size(cea.cipher)) {
            return cachet_err_set(err, CACHET_ERR_MALFORMED,
                                  "EncryptedContentInfo.contentEncryptionAlgorithm", -1,
                                  "CBC IV of %zu bytes (must be the block size)", iv.len);
        }
        memcpy(cea.iv, iv.data, iv.len);
        cea.iv_len = iv.len;
    }
    *out = cea;
    return CACHET_OK;
}

cachet_status cachet_env_write_cbb(const cachet_sink *out, cachet_cbb *cbb, cachet_error *err) {
    if (!cachet_cbb_flush(cbb)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "EnvelopedData", -1, "encoding failed");
    }
    cachet_status st = cachet_sink_write(out, cachet_cbb_data(cbb), cachet_cbb_len(cbb));
    if (st != CACHET_OK) {
        return cachet_err_set(err, st, "EnvelopedData", -1, "output sink failed");
    }
    return CACHET_OK;
}
