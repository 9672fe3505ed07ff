/* KeyAgreeRecipientInfo read side (RFC 5652 §6.2.2): ephemeral-static ECDH
 * on P-256/384/521 (RFC 5753 §3.1) or X25519/X448 (RFC 8418 §3.2), the X9.63
 * KDF or HKDF over ECC-CMS-SharedInfo (RFC 5753 §7.2, RFC 8418 §2), and AES key
 * wrap (RFC 3394, RFC 3565 §2.3.2) or, legacy, the CMS Triple-DES key wrap
 * (RFC 3217, RFC 3370 §4.3.1). The writer is in recipient_kari_x.c. */
#include <stdio.h>
#include <string.h>

#include "cms/enveloped_internal.h"

#define KARI_WHERE "EnvelopedData.recipientInfos.kari"
#define DES3_KEK_LEN 24

static const struct {
    cachet_oid oid;
    cachet_env_kdf kdf;
    cachet_md md;
} kea_table[] = {
    {CACHET_OID_DH_SINGLE_PASS_STDDH_SHA1KDF, CACHET_ENV_KDF_X963, CACHET_MD_SHA1},
    {CACHET_OID_DH_SINGLE_PASS_STDDH_SHA224KDF, CACHET_ENV_KDF_X963, CACHET_MD_SHA224},
    {CACHET_OID_DH_SINGLE_PASS_STDDH_SHA256KDF, CACHET_ENV_KDF_X963, CACHET_MD_SHA256},
    {CACHET_OID_DH_SINGLE_PASS_STDDH_SHA384KDF, CACHET_ENV_KDF_X963, CACHET_MD_SHA384},
    {CACHET_OID_DH_SINGLE_PASS_STDDH_SHA512KDF, CACHET_ENV_KDF_X963, CACHET_MD_SHA512},
    {CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA256KDF, CACHET_ENV_KDF_X963, CACHET_MD_SHA256},
    {CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA384KDF, CACHET_ENV_KDF_X963, CACHET_MD_SHA384},
    {CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA512KDF, CACHET_ENV_KDF_X963, CACHET_MD_SHA512},
    {CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA256, CACHET_ENV_KDF_HKDF, CACHET_MD_SHA256},
    {CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA384, CACHET_ENV_KDF_HKDF, CACHET_MD_SHA384},
    {CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA512, CACHET_ENV_KDF_HKDF, CACHET_MD_SHA512},
};

cachet_env_kdf cachet_env_kea_kdf(cachet_oid kea, cachet_md *out_md) {
    for (size_t i = 0; i < sizeof(kea_table) / sizeof(kea_table[0]); i++) {
        if (kea_table[i].oid == kea) {
            *out_md = kea_table[i].md;
            return kea_table[i].kdf;
        }
    }
    *out_md = CACHET_MD_NONE;
    return CACHET_ENV_KDF_NONE;
}

size_t cachet_env_wrap_key_len(cachet_oid wrap) {
    switch (wrap) {
        case CACHET_OID_AES128_WRAP:
            return 16;
        case CACHET_OID_AES192_WRAP:
            return 24;
        case CACHET_OID_AES256_WRAP:
            return 32;
        default:
            return 0;
    }
}

bool cachet_env_kari_kdf(cachet_env_kdf kdf, cachet_md md, const uint8_t *z, size_t z_len,
                         const cachet_cbs *wrap_alg, const cachet_cbs *ukm, uint8_t *kek,
                         size_t kek_len, cachet_error *err) {
    cachet_cbb cbb, seq, tagged;
    uint8_t *info = NULL;
    size_t info_len = 0;
    uint8_t bits[4];
    uint32_t nbits = (uint32_t)kek_len * 8;
    bool ok;
    bits[0] = (uint8_t)(nbits >> 24);
    bits[1] = (uint8_t)(nbits >> 16);
    bits[2] = (uint8_t)(nbits >> 8);
    bits[3] = (uint8_t)nbits;
    /* ECC-CMS-SharedInfo ::= SEQUENCE { keyInfo AlgorithmIdentifier,
     *   entityUInfo [0] EXPLICIT OCTET STRING OPTIONAL,
     *   suppPubInfo [2] EXPLICIT OCTET STRING } -- keyInfo is the KeyWrapAlgorithm
     * exactly as sent (absent or NULL parameters both occur), entityUInfo the ukm,
     * suppPubInfo the KEK length in bits, 32-bit big-endian. */
    if (!cachet_cbb_init(&cbb, 64, 4096)) {
        return false;
    }
    ok = cachet_cbb_add_asn1(&cbb, &seq, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_bytes(&seq, wrap_alg->data, wrap_alg->len);
    if (ok && ukm != NULL) {
        ok = cachet_cbb_add_asn1(&seq, &tagged, CACHET_ASN1_CONTEXT_CONS(0)) &&
             cachet_cbb_add_asn1_octet_string(&tagged, ukm->data, ukm->len) &&
             cachet_cbb_flush(&seq);
    }
    ok = ok && cachet_cbb_add_asn1(&seq, &tagged, CACHET_ASN1_CONTEXT_CONS(2)) &&
         cachet_cbb_add_asn1_octet_string(&tagged, bits, sizeof(bits)) &&
         cachet_cbb_finish(&cbb, &info, &info_len);
    if (!ok) {
        cachet_cbb_cleanup(&cbb);
        return false;
    }
    if (kdf == CACHET_ENV_KDF_HKDF) {
        /* RFC 8418 §2.2: salt = ukm when present, else none (zeros, RFC 5869). */
        ok = cachet_hkdf(md, ukm != NULL ? ukm->data : NULL, ukm != NULL ? ukm->len : 0, z, z_len,
                         info, info_len, kek, kek_len, err);
    } else {
        ok = kdf == CACHET_ENV_KDF_X963 &&
             cachet_x963_kdf(md, z, z_len, info, info_len, kek, kek_len, err);
    }
    cachet_free(info);
    return ok;
}

static bool is_cofactor(cachet_oid kea) {
    return kea == CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA256KDF ||
           kea == CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA384KDF ||
           kea == CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA512KDF;
}

static cachet_status kari_malformed(cachet_error *err, const char *what) {
    return cachet_err_set(err, CACHET_ERR_MALFORMED, KARI_WHERE, -1, "%s", what);
}

static cachet_status kari_unsupported(cachet_error *err, const char *what, cachet_oid oid) {
    return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KARI_WHERE ".keyEncryptionAlgorithm", -1,
                          "%s %s not supported", what, cachet_oid_name(oid));
}

/* OriginatorPublicKey (RFC 5753 §3.1.1): id-ecPublicKey with parameters absent,
 * NULL, or a namedCurve that must be our key's curve; the point in the BIT STRING. */
static cachet_status ec_originator_point(const cachet_cbs *okey_in, cachet_curve curve,
                                         cachet_cbs *point, cachet_error *err) {
    cachet_cbs okey = *okey_in, alg, bits, null_params;
    cachet_oid oid, curve_oid;
    uint8_t unused;
    if (!cachet_cbs_get_asn1(&okey, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&alg, &oid, NULL) ||
        !cachet_cbs_get_asn1(&okey, &bits, CACHET_ASN1_BITSTRING) || okey.len != 0) {
        return kari_malformed(err, "OriginatorPublicKey malformed");
    }
    if (oid != CACHET_OID_EC_PUBLIC_KEY) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KARI_WHERE ".originator", -1,
                              "originator key %s does not fit an EC recipient key",
                              cachet_oid_name(oid));
    }
    if (cachet_cbs_peek_asn1_tag(&alg, CACHET_ASN1_OBJECT)) {
        if (!cachet_cbs_get_oid(&alg, &curve_oid, NULL)) {
            return kari_malformed(err, "OriginatorPublicKey curve malformed");
        }
        if (!((curve_oid == CACHET_OID_PRIME256V1 && curve == CACHET_CURVE_P256) ||
              (curve_oid == CACHET_OID_SECP384R1 && curve == CACHET_CURVE_P384) ||
              (curve_oid == CACHET_OID_SECP521R1 && curve == CACHET_CURVE_P521))) {
            return kari_malformed(err, "originator curve differs from the recipient's");
        }
    } else if (cachet_cbs_peek_asn1_tag(&alg, CACHET_ASN1_NULL)) {
        if (!cachet_cbs_get_asn1(&alg, &null_params, CACHET_ASN1_NULL) || null_params.len != 0) {
            return kari_malformed(err, "OriginatorPublicKey parameters malformed");
        }
    }
    if (alg.len != 0 || !cachet_cbs_get_u8(&bits, &unused) || unused != 0 || bits.len == 0) {
        return kari_malformed(err, "OriginatorPublicKey parameters or point malformed");
    }
    *point = bits;
    return CACHET_OK;
}

/* The parsed KeyAgreeRecipientInfo fields that matter after selection. */
typedef struct kari_fields {
    cachet_cbs okey; /* OriginatorPublicKey contents */
    bool has_ukm;
    cachet_cbs ukm;
    cachet_oid kea;
    cachet_env_kdf kdf;
    cachet_md md;
    cachet_cbs wrap_alg; /* the whole KeyWrapAlgorithm element */
    cachet_oid wrap;
    size_t kek_len;
} kari_fields;

/* KeyWrapAlgorithm: AES wrap, parameters absent (RFC 3565 §2.3.2) or NULL
 * (older OpenSSL output, as in the Bouncy Castle vectors); id-alg-CMS3DESwrap
 * with NULL (RFC 3370 §4.3.1) or absent parameters. */
static cachet_status parse_wrap(kari_fields *f, bool x_key, bool allow_weak,
                                cachet_env_recipient_info *info, cachet_error *err) {
    cachet_cbs seq = f->wrap_alg, p;
    if (!cachet_cbs_get_asn1(&seq, &p, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&p, &f->wrap, NULL) ||
        !(p.len == 0 || cachet_cbs_mem_equal(&p, (const uint8_t *)"\x05\x00", 2))) {
        return kari_malformed(err, "KeyWrapAlgorithm malformed");
    }
    f->kek_len = cachet_env_wrap_key_len(f->wrap);
    if (f->wrap == CACHET_OID_CMS3DES_WRAP && !x_key) {
        if (!allow_weak) {
            return cachet_err_set(err, CACHET_ERR_POLICY, KARI_WHERE ".keyEncryptionAlgorithm", -1,
                                  "id-alg-CMS3DESwrap refused (weak algorithms not allowed)");
        }
        info->weak = true;
        f->kek_len = DES3_KEK_LEN;
    }
    if (f->kek_len == 0) {
        return kari_unsupported(err, "key wrap algorithm", f->wrap);
    }
    return CACHET_OK;
}

/* version 3, originator [0] originatorKey [1] (RFC 5753 §3.1.1, RFC 8418 §3.2:
 * the other two originator choices name a static key we do not use), ukm [1]
 * EXPLICIT OPTIONAL, keyEncryptionAlgorithm { kea, KeyWrapAlgorithm }. */
static cachet_status parse_kari(const cachet_cbs *kari_in, bool x_key, bool allow_weak,
                                kari_fields *f, cachet_env_recipient_info *info,
                                cachet_error *err) {
    cachet_cbs kari = *kari_in, orig, ukm_outer, kea_alg;
    uint64_t version;
    if (!cachet_cbs_get_asn1_uint64(&kari, &version) || version != 3 ||
        !cachet_cbs_get_asn1(&kari, &orig, CACHET_ASN1_CONTEXT_CONS(0))) {
        return kari_malformed(err, "version (must be 3) or originator malformed");
    }
    if (!cachet_cbs_get_asn1(&orig, &f->okey, CACHET_ASN1_CONTEXT_CONS(1))) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KARI_WHERE ".originator", -1,
                              "originator must be originatorKey (RFC 5753 §3.1.1)");
    }
    if (orig.len != 0 ||
        !cachet_cbs_get_optional_asn1(&kari, &ukm_outer, &f->has_ukm,
                                      CACHET_ASN1_CONTEXT_CONS(1)) ||
        (f->has_ukm && (!cachet_cbs_get_asn1(&ukm_outer, &f->ukm, CACHET_ASN1_OCTETSTRING) ||
                        ukm_outer.len != 0)) ||
        !cachet_cbs_get_asn1(&kari, &kea_alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&kea_alg, &f->kea, NULL) ||
        !cachet_cbs_get_asn1_element(&kea_alg, &f->wrap_alg, CACHET_ASN1_SEQUENCE) ||
        kea_alg.len != 0) {
        return kari_malformed(err, "originator, ukm or keyEncryptionAlgorithm malformed");
    }
    if (f->has_ukm && f->ukm.len > CACHET_ENV_KARI_MAX_UKM) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, KARI_WHERE ".ukm", -1,
                              "ukm of %zu bytes (at most %d)", f->ukm.len, CACHET_ENV_KARI_MAX_UKM);
    }
    f->kdf = cachet_env_kea_kdf(f->kea, &f->md);
    /* RFC 8418 §7 names stdDH with SHA-2 KDFs only for X25519/X448. */
    if (f->kdf == CACHET_ENV_KDF_NONE ||
        (x_key && (f->md == CACHET_MD_SHA1 || f->md == CACHET_MD_SHA224 || is_cofactor(f->kea)))) {
        return kari_unsupported(err, "key agreement algorithm", f->kea);
    }
    return parse_wrap(f, x_key, allow_weak, info, err);
}

static void set_key_management(const kari_fields *f, cachet_key_type type,
                               cachet_env_recipient_info *info) {
    const char *who = type == CACHET_KEY_X25519 ? "x25519"
                      : type == CACHET_KEY_X448 ? "x448"
                      : is_cofactor(f->kea)     ? "cofactorDH"
                                                : "stdDH";
    if (f->kdf == CACHET_ENV_KDF_HKDF) {
        snprintf(info->key_management, sizeof(info->key_management), "ecdh-%s-hkdf-%s", who,
                 cachet_md_name(f->md));
    } else {
        snprintf(info->key_management, sizeof(info->key_management), "ecdh-%s-%skdf", who,
                 cachet_md_name(f->md));
    }
}

/* The peer (ephemeral originator) public key, on our key's curve or type. */
static cachet_status make_peer(const kari_fields *f, const cachet_pkey *key, cachet_pkey **peer,
                               cachet_error *err) {
    cachet_key_type type = cachet_pkey_type(key);
    cachet_cbs point = {0};
    cachet_status st;
    if (type == CACHET_KEY_X25519 || type == CACHET_KEY_X448) {
        return cachet_env_kari_x_peer(&f->okey, type, peer, err);
    }
    st = ec_originator_point(&f->okey, cachet_pkey_curve(key), &point, err);
    if (st != CACHET_OK) {
        return st;
    }
    st = cachet_pkey_from_ec_point(cachet_pkey_curve(key), point.data, point.len, peer, err);
    if (st != CACHET_OK) {
        cachet_err_clear(err);
        return kari_malformed(err, "originator public key is not a point on the curve");
    }
    return CACHET_OK;
}

cachet_status cachet_env_kari_recover(const cachet_cbs *kari, const cachet_cbs *rek_key,
                                      const cachet_pkey *key, bool allow_weak, uint8_t *cek,
                                      size_t cek_len, cachet_env_recipient_info *info,
                                      cachet_error *err) {
    cachet_key_type type = cachet_pkey_type(key);
    bool x_key = type == CACHET_KEY_X25519 || type == CACHET_KEY_X448;
    kari_fields f;
    cachet_pkey *peer = NULL;
    cachet_membuf z = {0};
    uint8_t kek[32], unwrapped[CACHET_ENV_MAX_CEK + 16];
    size_t out_len = 0;
    bool ok;
    cachet_status st;

    if (!x_key && type != CACHET_KEY_EC) {
        return cachet_err_set(err, CACHET_ERR_USAGE, KARI_WHERE, -1,
                              "key agreement needs an EC, X25519 or X448 key");
    }
    memset(&f, 0, sizeof(f));
    st = parse_kari(kari, x_key, allow_weak, &f, info, err);
    if (st == CACHET_OK) {
        st = make_peer(&f, key, &peer, err);
    }
    if (st != CACHET_OK) {
        return st;
    }
    set_key_management(&f, type, info);
    /* From here the private key is in use: one uniform failure (BL-01). An
     * all-zero X25519/X448 secret is refused by cachet_ecdh (RFC 8418 §2). */
    st = CACHET_ERR_DECRYPT;
    if (rek_key->len > sizeof(unwrapped) || cachet_ecdh(key, peer, &z, err) != CACHET_OK ||
        !cachet_env_kari_kdf(f.kdf, f.md, z.data, z.len, &f.wrap_alg, f.has_ukm ? &f.ukm : NULL,
                             kek, f.kek_len, err)) {
        goto done;
    }
    if (f.wrap == CACHET_OID_CMS3DES_WRAP) {
        ok = cachet_des3_unwrap(kek, f.kek_len, rek_key->data, rek_key->len, unwrapped, &out_len,
                                err);
    } else {
        ok = rek_key->len == cek_len + 8 &&
             cachet_aes_unwrap(kek, f.kek_len, rek_key->data, rek_key->len, unwrapped, &out_len,
                               err);
    }
    if (!ok || out_len != cek_len) {
        goto done;
    }
    memcpy(cek, unwrapped, cek_len);
    st = CACHET_OK;
done:
    cachet_cleanse(kek, sizeof(kek));
    cachet_cleanse(unwrapped, sizeof(unwrapped));
    cachet_membuf_free_secret(&z);
    cachet_pkey_free(peer);
    return st == CACHET_ERR_DECRYPT ? cachet_env_decrypt_failed(err) : st;
}
