/* Content-encryption AlgorithmIdentifiers: AES-CBC (RFC 3565 §4.1), AES-GCM and
 * AES-CCM (RFC 5084 §3), ChaCha20-Poly1305 (RFC 8103 §3), the legacy ciphers we
 * only ever read (3DES and DES: RFC 3370 §5.1, RC2: RFC 3370 §5.2 / RFC 2268,
 * CAST5: RFC 2984, IDEA: RFC 3058, SEED: RFC 4010, Camellia: RFC 3657), and the
 * per-content-type allowlist of ATTACKS EF-07. */
#include <stdio.h>
#include <string.h>

#include "cms/enveloped_internal.h"

#define CEA_WHERE "EncryptedContentInfo.contentEncryptionAlgorithm"

typedef enum param_kind {
    PARAM_IV,     /* OCTET STRING of one block */
    PARAM_GCM,    /* GCMParameters */
    PARAM_CCM,    /* CCMParameters */
    PARAM_CHACHA, /* AEADChaCha20Poly1305Nonce */
    PARAM_RC2,    /* RC2CBCParameter, or the bare IV */
    PARAM_CAST5,  /* CAST5CBCParameters, or the bare IV (what OpenSSL writes) */
    PARAM_IDEA,   /* IDEA-CBCPar, or the bare IV */
} param_kind;

/* key_len 0: fixed by the parameters (RC2, CAST5). */
static const struct {
    cachet_oid oid;
    cachet_cipher cipher;
    param_kind kind;
    size_t key_len;
    size_t block;
    bool legacy;
} cea_table[] = {
    {CACHET_OID_AES128_CBC, CACHET_CIPHER_AES128_CBC, PARAM_IV, 16, 16, false},
    {CACHET_OID_AES192_CBC, CACHET_CIPHER_AES192_CBC, PARAM_IV, 24, 16, false},
    {CACHET_OID_AES256_CBC, CACHET_CIPHER_AES256_CBC, PARAM_IV, 32, 16, false},
    {CACHET_OID_AES128_GCM, CACHET_CIPHER_AES128_GCM, PARAM_GCM, 16, 0, false},
    {CACHET_OID_AES192_GCM, CACHET_CIPHER_AES192_GCM, PARAM_GCM, 24, 0, false},
    {CACHET_OID_AES256_GCM, CACHET_CIPHER_AES256_GCM, PARAM_GCM, 32, 0, false},
    {CACHET_OID_AES128_CCM, CACHET_CIPHER_AES128_CCM, PARAM_CCM, 16, 0, false},
    {CACHET_OID_AES192_CCM, CACHET_CIPHER_AES192_CCM, PARAM_CCM, 24, 0, false},
    {CACHET_OID_AES256_CCM, CACHET_CIPHER_AES256_CCM, PARAM_CCM, 32, 0, false},
    {CACHET_OID_CHACHA20_POLY1305, CACHET_CIPHER_CHACHA20_POLY1305, PARAM_CHACHA, 32, 0, false},
    {CACHET_OID_DES_EDE3_CBC, CACHET_CIPHER_DES_EDE3_CBC, PARAM_IV, 24, 8, true},
    {CACHET_OID_DES_CBC, CACHET_CIPHER_DES_CBC, PARAM_IV, 8, 8, true},
    {CACHET_OID_RC2_CBC, CACHET_CIPHER_RC2_CBC, PARAM_RC2, 0, 8, true},
    {CACHET_OID_CAST5_CBC, CACHET_CIPHER_CAST5_CBC, PARAM_CAST5, 0, 8, true},
    {CACHET_OID_IDEA_CBC, CACHET_CIPHER_IDEA_CBC, PARAM_IDEA, 16, 8, true},
    {CACHET_OID_SEED_CBC, CACHET_CIPHER_SEED_CBC, PARAM_IV, 16, 16, true},
    {CACHET_OID_CAMELLIA128_CBC, CACHET_CIPHER_CAMELLIA128_CBC, PARAM_IV, 16, 16, true},
    {CACHET_OID_CAMELLIA192_CBC, CACHET_CIPHER_CAMELLIA192_CBC, PARAM_IV, 24, 16, true},
    {CACHET_OID_CAMELLIA256_CBC, CACHET_CIPHER_CAMELLIA256_CBC, PARAM_IV, 32, 16, true},
};

#define CEA_TABLE_LEN (sizeof(cea_table) / sizeof(cea_table[0]))

static size_t find_by_cipher(cachet_cipher c) {
    for (size_t i = 0; i < CEA_TABLE_LEN; i++) {
        if (cea_table[i].cipher == c) {
            return i;
        }
    }
    return CEA_TABLE_LEN;
}

static size_t find_by_oid(cachet_oid oid) {
    for (size_t i = 0; i < CEA_TABLE_LEN; i++) {
        if (cea_table[i].oid == oid) {
            return i;
        }
    }
    return CEA_TABLE_LEN;
}

static bool kind_is_aead(param_kind k) {
    return k == PARAM_GCM || k == PARAM_CCM || k == PARAM_CHACHA;
}

/* Authenticated-encryption OIDs we know of. */
static bool oid_is_aead(cachet_oid oid) {
    size_t i = find_by_oid(oid);
    return i < CEA_TABLE_LEN && kind_is_aead(cea_table[i].kind);
}

/* GCMParameters and CCMParameters have the same shape (RFC 5084 §3.1, §3.2):
 * SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen DEFAULT 12 }; DER omits the
 * default. */
static bool add_aes_aead_params(cachet_cbb *alg, cachet_cbb *params, const cachet_env_cea *cea) {
    if (!cachet_cbb_add_asn1(alg, params, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_asn1_octet_string(params, cea->iv, cea->iv_len)) {
        return false;
    }
    return cea->icv_len == 12 || cachet_cbb_add_asn1_uint64(params, cea->icv_len);
}

bool cachet_env_add_cea(cachet_cbb *cbb, const cachet_env_cea *cea) {
    /* |params| lives here: |alg| refers to it until the final flush. */
    cachet_cbb alg, params;
    size_t i = find_by_cipher(cea->cipher);
    bool ok;
    /* Legacy ciphers are read, never written. */
    if (i == CEA_TABLE_LEN || cea_table[i].legacy ||
        !cachet_cbb_add_asn1(cbb, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&alg, cea_table[i].oid)) {
        return false;
    }
    switch (cea_table[i].kind) {
        case PARAM_GCM:
        case PARAM_CCM:
            ok = add_aes_aead_params(&alg, &params, cea);
            break;
        case PARAM_CHACHA:
            /* RFC 8103 §3: AEADChaCha20Poly1305Nonce ::= OCTET STRING (SIZE(12)). */
            ok = cea->iv_len == 12 && cachet_cbb_add_asn1_octet_string(&alg, cea->iv, 12);
            break;
        default:
            /* RFC 3565 §4.1: AES-IV ::= OCTET STRING (SIZE(16)). */
            ok = cachet_cbb_add_asn1_octet_string(&alg, cea->iv, cea->iv_len);
            break;
    }
    return ok && cachet_cbb_flush(cbb);
}

static cachet_status bad(cachet_error *err, cachet_status st, const char *what) {
    return cachet_err_set(err, st, CEA_WHERE, -1, "%s", what);
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
        return cachet_err_set(err, CACHET_ERR_POLICY, CEA_WHERE, -1,
                              "GCM nonce of %zu bytes refused (1..16 accepted)", nonce.len);
    }
    if (icv < 12 || icv > 16) {
        return cachet_err_set(err, CACHET_ERR_POLICY, CEA_WHERE, -1,
                              "GCM aes-ICVlen %llu refused (RFC 5084: 12..16)",
                              (unsigned long long)icv);
    }
    memcpy(out->iv, nonce.data, nonce.len);
    out->iv_len = nonce.len;
    out->icv_len = (size_t)icv;
    return CACHET_OK;
}

/* RFC 5084 §3.1: CCMParameters ::= SEQUENCE { aes-nonce OCTET STRING (SIZE(7..13)),
 * aes-ICVlen AES-CCM-ICVlen DEFAULT 12 }, AES-CCM-ICVlen ::= INTEGER
 * (4 | 6 | 8 | 10 | 12 | 14 | 16). */
static cachet_status parse_ccm_params(cachet_cbs *params, cachet_env_cea *out, cachet_error *err) {
    cachet_cbs seq, nonce;
    uint64_t icv = 12;
    if (!cachet_cbs_get_asn1(params, &seq, CACHET_ASN1_SEQUENCE) || params->len != 0 ||
        !cachet_cbs_get_asn1(&seq, &nonce, CACHET_ASN1_OCTETSTRING)) {
        return bad(err, CACHET_ERR_MALFORMED, "CCMParameters malformed");
    }
    if (seq.len != 0) {
        if (!cachet_cbs_get_asn1_uint64(&seq, &icv) || seq.len != 0) {
            return bad(err, CACHET_ERR_MALFORMED, "CCMParameters aes-ICVlen malformed");
        }
    }
    if (nonce.len < 7 || nonce.len > 13) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, CEA_WHERE, -1,
                              "CCM nonce of %zu bytes (RFC 5084: 7..13)", nonce.len);
    }
    if (icv < 4 || icv > 16 || icv % 2 != 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, CEA_WHERE, -1,
                              "CCM aes-ICVlen %llu (RFC 5084: 4, 6, ..., 16)",
                              (unsigned long long)icv);
    }
    memcpy(out->iv, nonce.data, nonce.len);
    out->iv_len = nonce.len;
    out->icv_len = (size_t)icv;
    return CACHET_OK;
}

/* RFC 8103 §3: the parameters are the 12-byte nonce; the tag is always 16. */
static cachet_status parse_chacha_params(cachet_cbs *params, cachet_env_cea *out,
                                         cachet_error *err) {
    cachet_cbs nonce;
    if (!cachet_cbs_get_asn1(params, &nonce, CACHET_ASN1_OCTETSTRING) || params->len != 0 ||
        nonce.len != 12) {
        return bad(err, CACHET_ERR_MALFORMED,
                   "AEADChaCha20Poly1305Nonce must be one 12-byte OCTET STRING");
    }
    memcpy(out->iv, nonce.data, 12);
    out->iv_len = 12;
    out->icv_len = 16;
    return CACHET_OK;
}

static cachet_status take_iv(const cachet_cbs *iv, size_t block, cachet_env_cea *out,
                             cachet_error *err) {
    if (iv->len != block) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, CEA_WHERE, -1,
                              "CBC IV of %zu bytes (must be the block size, %zu)", iv->len, block);
    }
    memcpy(out->iv, iv->data, iv->len);
    out->iv_len = iv->len;
    return CACHET_OK;
}

/* RFC 2268 §6 / RFC 3370 §5.2: RC2CBCParameter ::= SEQUENCE { rc2ParameterVersion
 * INTEGER OPTIONAL, iv OCTET STRING (8) }, or the IV alone. The version encodes
 * the effective key bits: 160 = 40, 120 = 64, 58 = 128, 256..1024 = itself; the
 * IV alone (or no version) means RFC 2268's default of 32. The CEK carries
 * exactly the effective bits (RC2/40 of S/MIME v2 sends a 5-byte key). */
static cachet_status parse_rc2_params(cachet_cbs *params, cachet_env_cea *out, cachet_error *err) {
    cachet_cbs seq, iv;
    uint64_t version = 0;
    bool has_version = false;
    unsigned bits;
    if (cachet_cbs_peek_asn1_tag(params, CACHET_ASN1_OCTETSTRING)) {
        if (!cachet_cbs_get_asn1(params, &iv, CACHET_ASN1_OCTETSTRING) || params->len != 0) {
            return bad(err, CACHET_ERR_MALFORMED, "RC2CBCParameter malformed");
        }
    } else {
        if (!cachet_cbs_get_asn1(params, &seq, CACHET_ASN1_SEQUENCE) || params->len != 0) {
            return bad(err, CACHET_ERR_MALFORMED, "RC2CBCParameter malformed");
        }
        if (cachet_cbs_peek_asn1_tag(&seq, CACHET_ASN1_INTEGER)) {
            if (!cachet_cbs_get_asn1_uint64(&seq, &version)) {
                return bad(err, CACHET_ERR_MALFORMED,
                           "RC2CBCParameter.rc2ParameterVersion "
                           "malformed");
            }
            has_version = true;
        }
        if (!cachet_cbs_get_asn1(&seq, &iv, CACHET_ASN1_OCTETSTRING) || seq.len != 0) {
            return bad(err, CACHET_ERR_MALFORMED, "RC2CBCParameter.iv malformed");
        }
    }
    if (!has_version) {
        bits = 32;
    } else if (version == 160) {
        bits = 40;
    } else if (version == 120) {
        bits = 64;
    } else if (version == 58) {
        bits = 128;
    } else if (version >= 256 && version <= 1024) {
        bits = (unsigned)version;
    } else {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED,
                              CEA_WHERE ".parameters.rc2ParameterVersion", -1,
                              "RC2 parameter version %llu not supported (160, 120, 58, 256..)",
                              (unsigned long long)version);
    }
    if (bits % 8 != 0 || bits / 8 > CACHET_ENV_MAX_CEK) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED,
                              CEA_WHERE ".parameters.rc2ParameterVersion", -1,
                              "RC2 with %u effective key bits not supported", bits);
    }
    out->rc2_effective_bits = bits;
    out->key_len = bits / 8;
    return take_iv(&iv, 8, out, err);
}

/* RFC 2984 §3: Parameters ::= SEQUENCE { iv OCTET STRING DEFAULT 0, keyLength
 * INTEGER } (key length in bits, 40..128). OpenSSL writes the IV alone, and
 * then the key is the full 128 bits. */
static cachet_status parse_cast5_params(cachet_cbs *params, cachet_env_cea *out,
                                        cachet_error *err) {
    static const uint8_t zero_iv[8] = {0};
    cachet_cbs seq, iv;
    uint64_t bits;
    if (cachet_cbs_peek_asn1_tag(params, CACHET_ASN1_OCTETSTRING)) {
        if (!cachet_cbs_get_asn1(params, &iv, CACHET_ASN1_OCTETSTRING) || params->len != 0) {
            return bad(err, CACHET_ERR_MALFORMED, "CAST5 parameters malformed");
        }
        out->key_len = 16;
        return take_iv(&iv, 8, out, err);
    }
    if (!cachet_cbs_get_asn1(params, &seq, CACHET_ASN1_SEQUENCE) || params->len != 0) {
        return bad(err, CACHET_ERR_MALFORMED, "CAST5CBCParameters malformed");
    }
    cachet_cbs_init(&iv, zero_iv, sizeof(zero_iv));
    if (cachet_cbs_peek_asn1_tag(&seq, CACHET_ASN1_OCTETSTRING) &&
        !cachet_cbs_get_asn1(&seq, &iv, CACHET_ASN1_OCTETSTRING)) {
        return bad(err, CACHET_ERR_MALFORMED, "CAST5CBCParameters.iv malformed");
    }
    if (!cachet_cbs_get_asn1_uint64(&seq, &bits) || seq.len != 0) {
        return bad(err, CACHET_ERR_MALFORMED, "CAST5CBCParameters.keyLength malformed");
    }
    if (bits < 40 || bits > 128 || bits % 8 != 0) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, CEA_WHERE ".parameters.keyLength", -1,
                              "CAST5 key length of %llu bits not supported (40..128)",
                              (unsigned long long)bits);
    }
    out->key_len = (size_t)bits / 8;
    return take_iv(&iv, 8, out, err);
}

/* RFC 3058 §2.1: IDEA-CBCPar ::= SEQUENCE { iv OCTET STRING OPTIONAL }, an absent
 * IV being all zeros; also the IV alone as other toolkits write it. */
static cachet_status parse_idea_params(cachet_cbs *params, cachet_env_cea *out, cachet_error *err) {
    static const uint8_t zero_iv[8] = {0};
    cachet_cbs seq, iv;
    if (cachet_cbs_peek_asn1_tag(params, CACHET_ASN1_OCTETSTRING)) {
        if (!cachet_cbs_get_asn1(params, &iv, CACHET_ASN1_OCTETSTRING) || params->len != 0) {
            return bad(err, CACHET_ERR_MALFORMED, "IDEA parameters malformed");
        }
        return take_iv(&iv, 8, out, err);
    }
    if (!cachet_cbs_get_asn1(params, &seq, CACHET_ASN1_SEQUENCE) || params->len != 0) {
        return bad(err, CACHET_ERR_MALFORMED, "IDEA-CBCPar malformed");
    }
    cachet_cbs_init(&iv, zero_iv, sizeof(zero_iv));
    if (seq.len != 0 &&
        (!cachet_cbs_get_asn1(&seq, &iv, CACHET_ASN1_OCTETSTRING) || seq.len != 0)) {
        return bad(err, CACHET_ERR_MALFORMED, "IDEA-CBCPar.iv malformed");
    }
    return take_iv(&iv, 8, out, err);
}

static cachet_status parse_params(size_t i, cachet_cbs *params, cachet_env_cea *cea,
                                  cachet_error *err) {
    cachet_cbs iv;
    switch (cea_table[i].kind) {
        case PARAM_GCM:
            return parse_gcm_params(params, cea, err);
        case PARAM_CCM:
            return parse_ccm_params(params, cea, err);
        case PARAM_CHACHA:
            return parse_chacha_params(params, cea, err);
        case PARAM_RC2:
            return parse_rc2_params(params, cea, err);
        case PARAM_CAST5:
            return parse_cast5_params(params, cea, err);
        case PARAM_IDEA:
            return parse_idea_params(params, cea, err);
        case PARAM_IV:
            break;
    }
    /* RFC 3565 §4.1, RFC 3370 §5.1, RFC 4010 §3, RFC 3657 §2.1: the IV is an
     * OCTET STRING of one block. */
    if (!cachet_cbs_get_asn1(params, &iv, CACHET_ASN1_OCTETSTRING) || params->len != 0) {
        return bad(err, CACHET_ERR_MALFORMED, "CBC parameters must be one OCTET STRING (the IV)");
    }
    return take_iv(&iv, cea_table[i].block, cea, err);
}

static void oid_text(const cachet_cbs *raw, char *text, size_t len) {
    if (!cachet_cbs_oid_to_text(raw, text, len)) {
        snprintf(text, len, "?");
    }
}

cachet_status cachet_env_parse_cea(const cachet_cbs *alg_in, bool auth, bool allow_weak,
                                   cachet_env_cea *out, cachet_error *err) {
    cachet_cbs alg = *alg_in, seq, raw;
    cachet_oid oid;
    cachet_env_cea cea;
    cachet_status st;
    char text[96];
    size_t i;
    memset(&cea, 0, sizeof(cea));
    if (!cachet_cbs_get_asn1(&alg, &seq, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&seq, &oid, &raw)) {
        return bad(err, CACHET_ERR_MALFORMED, "AlgorithmIdentifier malformed");
    }
    /* EF-07: AEAD OIDs belong in AuthEnvelopedData (RFC 5083 §1) and nothing
     * else does, so a GCM message cannot be re-labelled as CBC/OFB and back. */
    if (auth && !oid_is_aead(oid)) {
        oid_text(&raw, text, sizeof(text));
        return cachet_err_set(err, CACHET_ERR_POLICY, "AuthEnvelopedData.authEncryptedContentInfo",
                              -1, "non-AEAD algorithm %s refused in AuthEnvelopedData", text);
    }
    if (!auth && oid_is_aead(oid)) {
        return cachet_err_set(err, CACHET_ERR_POLICY, "EnvelopedData.encryptedContentInfo", -1,
                              "AEAD algorithm %s refused in EnvelopedData/EncryptedData",
                              cachet_oid_name(oid));
    }
    i = find_by_oid(oid);
    if (i == CEA_TABLE_LEN) {
        oid_text(&raw, text, sizeof(text));
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, CEA_WHERE, -1,
                              "content-encryption algorithm %s not supported", text);
    }
    cea.cipher = cea_table[i].cipher;
    /* Refused before anything else is read: the policy does not depend on
     * what the parameters say. */
    if (cea_table[i].legacy) {
        if (!allow_weak) {
            return cachet_err_set(err, CACHET_ERR_POLICY, CEA_WHERE, -1,
                                  "%s is a legacy cipher: use --allow-legacy",
                                  cachet_cipher_name(cea.cipher));
        }
        cea.weak = true;
    }
    cea.key_len = cea_table[i].key_len;
    st = parse_params(i, &seq, &cea, err);
    if (st != CACHET_OK) {
        return st;
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
