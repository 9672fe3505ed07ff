/* KeyAgreeRecipientInfo write side for EC (RFC 5753 §3.1.1) and X25519/X448
 * (RFC 8418 §3.2), and the RFC 8418 originatorKey on the read side. */
#include <string.h>

#include "cms/enveloped_internal.h"

#define KARI_WHERE "EnvelopedData.recipientInfos.kari"

static size_t x_raw_len(cachet_key_type type) {
    return type == CACHET_KEY_X25519 ? 32 : type == CACHET_KEY_X448 ? 56 : 0;
}

static cachet_oid x_oid(cachet_key_type type) {
    return type == CACHET_KEY_X25519 ? CACHET_OID_X25519 : CACHET_OID_X448;
}

cachet_status cachet_env_kari_x_peer(const cachet_cbs *okey_in, cachet_key_type type,
                                     cachet_pkey **out_peer, cachet_error *err) {
    cachet_cbs okey = *okey_in, alg, bits;
    cachet_oid oid;
    uint8_t unused;
    cachet_status st;
    if (!cachet_cbs_get_asn1(&okey, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&alg, &oid, NULL) ||
        !cachet_cbs_get_asn1(&okey, &bits, CACHET_ASN1_BITSTRING) || okey.len != 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, KARI_WHERE ".originator", -1,
                              "OriginatorPublicKey malformed");
    }
    if (oid != x_oid(type)) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KARI_WHERE ".originator", -1,
                              "originator key %s does not fit an %s recipient key",
                              cachet_oid_name(oid), cachet_oid_name(x_oid(type)));
    }
    /* RFC 8410 §3: parameters absent; RFC 8418 §3.2: 32 or 56 octets. */
    if (alg.len != 0 || !cachet_cbs_get_u8(&bits, &unused) || unused != 0 ||
        bits.len != x_raw_len(type)) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, KARI_WHERE ".originator", -1,
                              "%s originator key: parameters present or not %zu octets",
                              cachet_oid_name(oid), x_raw_len(type));
    }
    st = cachet_pkey_from_raw_public(type, bits.data, bits.len, out_peer, err);
    if (st != CACHET_OK) {
        cachet_err_clear(err);
        return cachet_err_set(err, CACHET_ERR_MALFORMED, KARI_WHERE ".originator", -1,
                              "originator public key unusable");
    }
    return CACHET_OK;
}

/* The algorithms we write when the caller does not choose (RFC 5753 §8 and
 * the issue 5 contract for RFC 8418). */
static void default_algs(const cachet_pkey *pub, size_t cek_len, cachet_oid *kea,
                         cachet_oid *wrap) {
    switch (cachet_pkey_type(pub)) {
        case CACHET_KEY_X25519:
            *kea = CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA256;
            break;
        case CACHET_KEY_X448:
            *kea = CACHET_OID_DH_SINGLE_PASS_STDDH_HKDF_SHA512;
            break;
        default:
            *kea = CACHET_OID_UNKNOWN;
            break;
    }
    /* The wrap matches the content key's size, also for X25519/X448: RFC 3565 §6
     * and RFC 8551 §2.3 (KEK at least as long as the CEK, the same size);
     * RFC 8418 §5 lists both wraps for each KDF. */
    *wrap = cek_len == 16   ? CACHET_OID_AES128_WRAP
            : cek_len == 24 ? CACHET_OID_AES192_WRAP
            : cek_len == 32 ? CACHET_OID_AES256_WRAP
                            : CACHET_OID_UNKNOWN;
    if (*kea != CACHET_OID_UNKNOWN) {
        return;
    }
    switch (cachet_pkey_curve(pub)) {
        case CACHET_CURVE_P256:
            *kea = CACHET_OID_DH_SINGLE_PASS_STDDH_SHA256KDF;
            break;
        case CACHET_CURVE_P384:
            *kea = CACHET_OID_DH_SINGLE_PASS_STDDH_SHA384KDF;
            break;
        case CACHET_CURVE_P521:
            *kea = CACHET_OID_DH_SINGLE_PASS_STDDH_SHA512KDF;
            break;
        default:
            *kea = CACHET_OID_UNKNOWN;
            break;
    }
}

/* A fresh ephemeral key of |pub|'s type (RFC 5753 §3.1.1, RFC 8418 §2: used for
 * this one message, then freed) and its public encoding: the uncompressed
 * point for EC, the raw 32/56 octets for X25519/X448. */
static cachet_status make_ephemeral(const cachet_pkey *pub, cachet_pkey **eph,
                                    cachet_membuf *encoded, cachet_error *err) {
    cachet_key_type type = cachet_pkey_type(pub);
    cachet_status st;
    bool ok;
    if (type == CACHET_KEY_X25519 || type == CACHET_KEY_X448) {
        st = cachet_pkey_generate_x(type, eph, err);
        ok = st == CACHET_OK && cachet_pkey_raw_public(*eph, encoded);
    } else {
        st = cachet_pkey_generate_ec(cachet_pkey_curve(pub), eph, err);
        ok = st == CACHET_OK && cachet_pkey_ec_point(*eph, encoded);
    }
    if (st != CACHET_OK) {
        return st;
    }
    return ok ? CACHET_OK
              : cachet_err_set(err, CACHET_ERR_INTERNAL, KARI_WHERE, -1, "ephemeral key unusable");
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

/* The kari proper: version 3; originator = originatorKey [1] with absent
 * parameters (RFC 5753 §7.1.2 SHOULD; RFC 8410 for id-X25519/id-X448); ukm
 * when given; keyEncryptionAlgorithm { kea, KeyWrapAlgorithm }; one
 * RecipientEncryptedKey. */
static bool encode_kari(cachet_cbb *ris, cachet_oid key_oid, const cachet_membuf *eph_pub,
                        const cachet_env_kari_opts *o, cachet_oid kea, const cachet_cbs *wrap_alg,
                        const cachet_cert *cert, bool use_ski, const uint8_t *wrapped,
                        size_t wrapped_len) {
    cachet_cbb kari, orig, okey, alg, bits, ukm, kea_alg, reks, rek;
    if (!cachet_cbb_add_asn1(ris, &kari, CACHET_ASN1_CONTEXT_CONS(1)) ||
        !cachet_cbb_add_asn1_uint64(&kari, 3) ||
        !cachet_cbb_add_asn1(&kari, &orig, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbb_add_asn1(&orig, &okey, CACHET_ASN1_CONTEXT_CONS(1)) ||
        !cachet_cbb_add_asn1(&okey, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&alg, key_oid) || !cachet_cbb_flush(&okey) ||
        !cachet_cbb_add_asn1(&okey, &bits, CACHET_ASN1_BITSTRING) || !cachet_cbb_add_u8(&bits, 0) ||
        !cachet_cbb_add_bytes(&bits, eph_pub->data, eph_pub->len) || !cachet_cbb_flush(&kari)) {
        return false;
    }
    if (o->ukm != NULL &&
        (!cachet_cbb_add_asn1(&kari, &ukm, CACHET_ASN1_CONTEXT_CONS(1)) ||
         !cachet_cbb_add_asn1_octet_string(&ukm, o->ukm, o->ukm_len) || !cachet_cbb_flush(&kari))) {
        return false;
    }
    return cachet_cbb_add_asn1(&kari, &kea_alg, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_oid(&kea_alg, kea) &&
           cachet_cbb_add_bytes(&kea_alg, wrap_alg->data, wrap_alg->len) &&
           cachet_cbb_flush(&kari) && cachet_cbb_add_asn1(&kari, &reks, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1(&reks, &rek, CACHET_ASN1_SEQUENCE) &&
           add_kari_rid(&rek, cert, use_ski) &&
           cachet_cbb_add_asn1_octet_string(&rek, wrapped, wrapped_len) && cachet_cbb_flush(ris);
}

cachet_status cachet_env_add_kari_ex(cachet_cbb *ris, const cachet_cert *cert,
                                     const cachet_pkey *pub, bool use_ski,
                                     const cachet_env_kari_opts *opts, const uint8_t *cek,
                                     size_t cek_len, cachet_error *err) {
    static const cachet_env_kari_opts no_opts = {CACHET_OID_UNKNOWN, CACHET_OID_UNKNOWN, NULL, 0};
    const cachet_env_kari_opts *o = opts != NULL ? opts : &no_opts;
    cachet_key_type type = cachet_pkey_type(pub);
    cachet_oid kea, wrap, key_oid;
    cachet_env_kdf kdf;
    cachet_md md;
    cachet_pkey *eph = NULL;
    cachet_membuf eph_pub = {0}, z = {0};
    uint8_t wrap_der[16], kek[32], wrapped[CACHET_ENV_MAX_CEK + 8];
    size_t wrap_oid_len = 0, wrapped_len = 0, kek_len;
    const uint8_t *wrap_oid;
    cachet_cbs wrap_alg, ukm;
    cachet_status st;

    if (!cachet_cert_allows_key_agreement(cert)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "recipients", -1,
                              "KeyUsage lacks keyAgreement (RFC 5652 §6.2.2)");
    }
    if (o->ukm_len > CACHET_ENV_KARI_MAX_UKM) {
        return cachet_err_set(err, CACHET_ERR_USAGE, KARI_WHERE ".ukm", -1,
                              "ukm longer than %d bytes", CACHET_ENV_KARI_MAX_UKM);
    }
    default_algs(pub, cek_len, &kea, &wrap);
    kea = o->kea != CACHET_OID_UNKNOWN ? o->kea : kea;
    wrap = o->wrap != CACHET_OID_UNKNOWN ? o->wrap : wrap;
    kdf = cachet_env_kea_kdf(kea, &md);
    kek_len = cachet_env_wrap_key_len(wrap);
    wrap_oid = kek_len != 0 ? cachet_oid_der(wrap, &wrap_oid_len) : NULL;
    key_oid = type == CACHET_KEY_EC                                  ? CACHET_OID_EC_PUBLIC_KEY
              : type == CACHET_KEY_X25519 || type == CACHET_KEY_X448 ? x_oid(type)
                                                                     : CACHET_OID_UNKNOWN;
    if (key_oid == CACHET_OID_UNKNOWN || kdf == CACHET_ENV_KDF_NONE || wrap_oid == NULL ||
        wrap_oid_len + 4 > sizeof(wrap_der) || cek_len > CACHET_ENV_MAX_CEK || cek_len % 8 != 0 ||
        (type == CACHET_KEY_EC && cachet_pkey_curve(pub) == CACHET_CURVE_NONE)) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KARI_WHERE, -1,
                              "no key agreement parameters for this key and key length");
    }
    /* KeyWrapAlgorithm with absent parameters (RFC 3565 §2.3.2). */
    wrap_der[0] = 0x30;
    wrap_der[1] = (uint8_t)(wrap_oid_len + 2);
    wrap_der[2] = 0x06;
    wrap_der[3] = (uint8_t)wrap_oid_len;
    memcpy(wrap_der + 4, wrap_oid, wrap_oid_len);
    cachet_cbs_init(&wrap_alg, wrap_der, wrap_oid_len + 4);
    cachet_cbs_init(&ukm, o->ukm, o->ukm_len);

    st = make_ephemeral(pub, &eph, &eph_pub, err);
    if (st == CACHET_OK) {
        st = cachet_ecdh(eph, pub, &z, err);
        if (st == CACHET_ERR_DECRYPT) {
            /* cachet_ecdh's failure class is the recipient's uniform one; with
             * our own ephemeral key, encrypting, it is no decryption failure */
            st = CACHET_ERR_INTERNAL;
            if (err != NULL && err->status == CACHET_ERR_DECRYPT) {
                err->status = st;
            }
        }
    }
    if (st != CACHET_OK) {
        goto done;
    }
    if (!cachet_env_kari_kdf(kdf, md, z.data, z.len, &wrap_alg, o->ukm != NULL ? &ukm : NULL, kek,
                             kek_len, err) ||
        !cachet_aes_wrap(kek, kek_len, cek, cek_len, wrapped, &wrapped_len, err)) {
        st = cachet_err_set(err, CACHET_ERR_INTERNAL, KARI_WHERE, -1, "key agreement failed");
        goto done;
    }
    if (!encode_kari(ris, key_oid, &eph_pub, o, kea, &wrap_alg, cert, use_ski, wrapped,
                     wrapped_len)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, KARI_WHERE, -1, "encoding failed");
    }
done:
    cachet_cleanse(kek, sizeof(kek));
    cachet_membuf_free_secret(&z);
    cachet_membuf_free(&eph_pub);
    cachet_pkey_free(eph);
    return st;
}

cachet_status cachet_env_add_kari(cachet_cbb *ris, const cachet_cert *cert, const cachet_pkey *pub,
                                  bool use_ski, const uint8_t *cek, size_t cek_len,
                                  cachet_error *err) {
    return cachet_env_add_kari_ex(ris, cert, pub, use_ski, NULL, cek, cek_len, err);
}
