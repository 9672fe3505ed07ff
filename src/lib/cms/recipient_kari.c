/* KeyAgreeRecipientInfo with ephemeral-static ECDH (RFC 5652 §6.2.2, RFC 5753
 * §3.1), X9.63 KDF over ECC-CMS-SharedInfo (RFC 5753 §7.2) and AES key wrap
 * (RFC 3394, RFC 3565 §2.3.2). */
#include <stdio.h>
#include <string.h>

#include "cms/enveloped_internal.h"

#define KARI_WHERE "EnvelopedData.recipientInfos.kari"

cachet_md cachet_env_kea_md(cachet_oid kea) {
    switch (kea) {
        case CACHET_OID_DH_SINGLE_PASS_STDDH_SHA1KDF:
            return CACHET_MD_SHA1;
        case CACHET_OID_DH_SINGLE_PASS_STDDH_SHA224KDF:
            return CACHET_MD_SHA224;
        case CACHET_OID_DH_SINGLE_PASS_STDDH_SHA256KDF:
        case CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA256KDF:
            return CACHET_MD_SHA256;
        case CACHET_OID_DH_SINGLE_PASS_STDDH_SHA384KDF:
        case CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA384KDF:
            return CACHET_MD_SHA384;
        case CACHET_OID_DH_SINGLE_PASS_STDDH_SHA512KDF:
        case CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA512KDF:
            return CACHET_MD_SHA512;
        default:
            return CACHET_MD_NONE;
    }
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

bool cachet_env_kari_kdf(cachet_md md, const uint8_t *z, size_t z_len, const cachet_cbs *wrap_alg,
                         const cachet_cbs *ukm, uint8_t *kek, size_t kek_len, cachet_error *err) {
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
    ok = cachet_x963_kdf(md, z, z_len, info, info_len, kek, kek_len, err);
    cachet_free(info);
    return ok;
}

static cachet_oid kea_for_curve(cachet_curve curve) {
    switch (curve) {
        case CACHET_CURVE_P256:
            return CACHET_OID_DH_SINGLE_PASS_STDDH_SHA256KDF;
        case CACHET_CURVE_P384:
            return CACHET_OID_DH_SINGLE_PASS_STDDH_SHA384KDF;
        case CACHET_CURVE_P521:
            return CACHET_OID_DH_SINGLE_PASS_STDDH_SHA512KDF;
        default:
            return CACHET_OID_UNKNOWN;
    }
}

static cachet_oid wrap_for_len(size_t cek_len) {
    switch (cek_len) {
        case 16:
            return CACHET_OID_AES128_WRAP;
        case 24:
            return CACHET_OID_AES192_WRAP;
        case 32:
            return CACHET_OID_AES256_WRAP;
        default:
            return CACHET_OID_UNKNOWN;
    }
}

/* KeyAgreeRecipientIdentifier: issuerAndSerialNumber, or rKeyId [0] IMPLICIT
 * RecipientKeyIdentifier { subjectKeyIdentifier } (RFC 5652 §6.2.2). */
static bool add_kari_rid(cachet_cbb *cbb, const cachet_cert *cert, bool use_ski) {
    cachet_cbb rkeyid;
    const uint8_t *ski;
    size_t ski_len;
    if (!use_ski) {
        return cachet_cms_add_sid(cbb, cert, false);
    }
    return cachet_cert_ski(cert, &ski, &ski_len) &&
           cachet_cbb_add_asn1(cbb, &rkeyid, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cbb_add_asn1_octet_string(&rkeyid, ski, ski_len) && cachet_cbb_flush(cbb);
}

cachet_status cachet_env_add_kari(cachet_cbb *ris, const cachet_cert *cert, const cachet_pkey *pub,
                                  bool use_ski, const uint8_t *cek, size_t cek_len,
                                  cachet_error *err) {
    cachet_curve curve = cachet_pkey_curve(pub);
    cachet_oid kea = kea_for_curve(curve), wrap = wrap_for_len(cek_len);
    cachet_pkey *eph = NULL;
    cachet_membuf point = {0}, z = {0};
    uint8_t wrap_der[16], kek[32], wrapped[CACHET_ENV_MAX_CEK + 8];
    size_t wrap_oid_len, wrapped_len = 0, kek_len = cachet_env_wrap_key_len(wrap);
    const uint8_t *wrap_oid = cachet_oid_der(wrap, &wrap_oid_len);
    cachet_cbs wrap_alg;
    cachet_cbb kari, orig, okey, alg, bits, kea_alg, reks, rek;
    cachet_status st;

    if (kea == CACHET_OID_UNKNOWN || wrap == CACHET_OID_UNKNOWN || wrap_oid == NULL ||
        wrap_oid_len + 4 > sizeof(wrap_der)) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KARI_WHERE, -1,
                              "no ECDH parameters for this curve and key length");
    }
    /* KeyWrapAlgorithm with absent parameters (RFC 5753 §7.2, RFC 3565 §2.3.2). */
    wrap_der[0] = 0x30;
    wrap_der[1] = (uint8_t)(wrap_oid_len + 2);
    wrap_der[2] = 0x06;
    wrap_der[3] = (uint8_t)wrap_oid_len;
    memcpy(wrap_der + 4, wrap_oid, wrap_oid_len);
    cachet_cbs_init(&wrap_alg, wrap_der, wrap_oid_len + 4);

    st = cachet_pkey_generate_ec(curve, &eph, err);
    if (st != CACHET_OK) {
        return st;
    }
    st = cachet_ecdh(eph, pub, &z, err);
    if (st != CACHET_OK) {
        goto done;
    }
    st = CACHET_ERR_INTERNAL;
    if (!cachet_pkey_ec_point(eph, &point) ||
        !cachet_env_kari_kdf(cachet_env_kea_md(kea), z.data, z.len, &wrap_alg, NULL, kek, kek_len,
                             err) ||
        !cachet_aes_wrap(kek, kek_len, cek, cek_len, wrapped, &wrapped_len, err)) {
        cachet_err_set(err, st, KARI_WHERE, -1, "key agreement failed");
        goto done;
    }
    /* RFC 5753 §3.1.1: version 3; originator = originatorKey [1] with
     * id-ecPublicKey and absent parameters (the curve is the recipient's), the
     * ephemeral point uncompressed; no ukm (entityUInfo absent). */
    if (!cachet_cbb_add_asn1(ris, &kari, CACHET_ASN1_CONTEXT_CONS(1)) ||
        !cachet_cbb_add_asn1_uint64(&kari, 3) ||
        !cachet_cbb_add_asn1(&kari, &orig, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbb_add_asn1(&orig, &okey, CACHET_ASN1_CONTEXT_CONS(1)) ||
        !cachet_cbb_add_asn1(&okey, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&alg, CACHET_OID_EC_PUBLIC_KEY) || !cachet_cbb_flush(&okey) ||
        !cachet_cbb_add_asn1(&okey, &bits, CACHET_ASN1_BITSTRING) || !cachet_cbb_add_u8(&bits, 0) ||
        !cachet_cbb_add_bytes(&bits, point.data, point.len) || !cachet_cbb_flush(&kari) ||
        !cachet_cbb_add_asn1(&kari, &kea_alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&kea_alg, kea) ||
        !cachet_cbb_add_bytes(&kea_alg, wrap_alg.data, wrap_alg.len) || !cachet_cbb_flush(&kari) ||
        !cachet_cbb_add_asn1(&kari, &reks, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_asn1(&reks, &rek, CACHET_ASN1_SEQUENCE) ||
        !add_kari_rid(&rek, cert, use_ski) ||
        !cachet_cbb_add_asn1_octet_string(&rek, wrapped, wrapped_len) || !cachet_cbb_flush(ris)) {
        cachet_err_set(err, CACHET_ERR_NOMEM, KARI_WHERE, -1, "encoding failed");
        goto done;
    }
    st = CACHET_OK;
done:
    cachet_cleanse(kek, sizeof(kek));
    cachet_membuf_free_secret(&z);
    cachet_membuf_free(&point);
    cachet_pkey_free(eph);
    return st;
}

static cachet_status kari_malformed(cachet_error *err, const char *what) {
    return cachet_err_set(err, CACHET_ERR_MALFORMED, KARI_WHERE, -1, "%s", what);
}

/* OriginatorPublicKey (RFC 5753 §3.1.1): id-ecPublicKey with parameters absent,
 * NULL, or a namedCurve that must be our key's curve. */
static cachet_status parse_originator(cachet_cbs *orig, cachet_curve curve, cachet_cbs *point,
                                      cachet_error *err) {
    cachet_cbs okey, alg, bits, null_params;
    cachet_oid oid, curve_oid;
    uint8_t unused;
    if (!cachet_cbs_get_asn1(orig, &okey, CACHET_ASN1_CONTEXT_CONS(1))) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KARI_WHERE ".originator", -1,
                              "originator must be originatorKey (RFC 5753 §3.1.1)");
    }
    if (orig->len != 0 || !cachet_cbs_get_asn1(&okey, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&alg, &oid, NULL) ||
        !cachet_cbs_get_asn1(&okey, &bits, CACHET_ASN1_BITSTRING) || okey.len != 0) {
        return kari_malformed(err, "OriginatorPublicKey malformed");
    }
    if (oid != CACHET_OID_EC_PUBLIC_KEY) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KARI_WHERE ".originator", -1,
                              "originator key is not id-ecPublicKey");
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

cachet_status cachet_env_kari_recover(const cachet_cbs *kari_in, const cachet_cbs *rek_key,
                                      const cachet_pkey *key, uint8_t *cek, size_t cek_len,
                                      cachet_env_recipient_info *info, cachet_error *err) {
    cachet_cbs kari = *kari_in, orig, point = {NULL, 0}, ukm_outer, ukm, kea_alg, wrap_alg,
               wrap_seq, wrap_p;
    cachet_oid kea, wrap;
    uint64_t version;
    bool has_ukm;
    cachet_md md;
    size_t kek_len, out_len = 0;
    cachet_pkey *peer = NULL;
    cachet_membuf z = {0};
    uint8_t kek[32], unwrapped[CACHET_ENV_MAX_CEK + 8];
    cachet_status st;

    if (!cachet_cbs_get_asn1_uint64(&kari, &version) || version != 3 ||
        !cachet_cbs_get_asn1(&kari, &orig, CACHET_ASN1_CONTEXT_CONS(0))) {
        return kari_malformed(err, "version (must be 3) or originator malformed");
    }
    st = parse_originator(&orig, cachet_pkey_curve(key), &point, err);
    if (st != CACHET_OK) {
        return st;
    }
    if (!cachet_cbs_get_optional_asn1(&kari, &ukm_outer, &has_ukm, CACHET_ASN1_CONTEXT_CONS(1)) ||
        (has_ukm &&
         (!cachet_cbs_get_asn1(&ukm_outer, &ukm, CACHET_ASN1_OCTETSTRING) || ukm_outer.len != 0)) ||
        !cachet_cbs_get_asn1(&kari, &kea_alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&kea_alg, &kea, NULL) ||
        !cachet_cbs_get_asn1_element(&kea_alg, &wrap_alg, CACHET_ASN1_SEQUENCE) ||
        kea_alg.len != 0) {
        return kari_malformed(err, "ukm or keyEncryptionAlgorithm malformed");
    }
    md = cachet_env_kea_md(kea);
    if (md == CACHET_MD_NONE) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KARI_WHERE ".keyEncryptionAlgorithm", -1,
                              "key agreement algorithm %s not supported", cachet_oid_name(kea));
    }
    /* KeyWrapAlgorithm: AES wrap, parameters absent (RFC 3565 §2.3.2) or NULL
     * (older OpenSSL output, as in the Bouncy Castle vectors). */
    wrap_seq = wrap_alg;
    if (!cachet_cbs_get_asn1(&wrap_seq, &wrap_p, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&wrap_p, &wrap, NULL) ||
        !(wrap_p.len == 0 || cachet_cbs_mem_equal(&wrap_p, (const uint8_t *)"\x05\x00", 2))) {
        return kari_malformed(err, "KeyWrapAlgorithm malformed");
    }
    kek_len = cachet_env_wrap_key_len(wrap);
    if (kek_len == 0) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KARI_WHERE ".keyEncryptionAlgorithm", -1,
                              "key wrap algorithm %s not supported", cachet_oid_name(wrap));
    }
    st = cachet_pkey_from_ec_point(cachet_pkey_curve(key), point.data, point.len, &peer, err);
    if (st != CACHET_OK) {
        cachet_err_clear(err);
        return kari_malformed(err, "originator public key is not a point on the curve");
    }
    snprintf(info->key_management, sizeof(info->key_management), "ecdh-%s-%skdf",
             kea >= CACHET_OID_DH_SINGLE_PASS_COFACTORDH_SHA256KDF ? "cofactorDH" : "stdDH",
             cachet_md_name(md));
    /* From here the private key is in use: one uniform failure (BL-01). */
    st = CACHET_ERR_DECRYPT;
    if (cachet_ecdh(key, peer, &z, err) != CACHET_OK ||
        !cachet_env_kari_kdf(md, z.data, z.len, &wrap_alg, has_ukm ? &ukm : NULL, kek, kek_len,
                             err) ||
        rek_key->len != cek_len + 8 ||
        !cachet_aes_unwrap(kek, kek_len, rek_key->data, rek_key->len, unwrapped, &out_len, err) ||
        out_len != cek_len) {
        goto done;
    }
    memcpy(cek, unwrapped, cek_len);
    st = CACHET_OK;
done:
    cachet_cleanse(kek, sizeof(kek));
    cachet_cleanse(unwrapped, sizeof(unwrapped));
    cachet_membuf_free_secret(&z);
    cachet_pkey_free(peer);
    return st;
}
