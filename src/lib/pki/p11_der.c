/* The DER a PKCS#11 token does not produce for us: the DigestInfo that
 * CKM_RSA_PKCS signs, the Ecdsa-Sig-Value that CMS carries (RFC 5753 §7.2;
 * tokens return r || s, PKCS#11 v2.40 §2.3.1), and public keys rebuilt from
 * token attributes so they can be compared with a certificate's. */
#include <string.h>

#include "pki/p11_internal.h"

static const cachet_oid digest_oids[] = {
    [CACHET_MD_SHA1] = CACHET_OID_SHA1,     [CACHET_MD_SHA224] = CACHET_OID_SHA224,
    [CACHET_MD_SHA256] = CACHET_OID_SHA256, [CACHET_MD_SHA384] = CACHET_OID_SHA384,
    [CACHET_MD_SHA512] = CACHET_OID_SHA512,
};

static bool finish_into(cachet_cbb *cbb, cachet_membuf *out) {
    uint8_t *der = NULL;
    size_t len = 0;
    if (!cachet_cbb_finish(cbb, &der, &len)) {
        cachet_cbb_cleanup(cbb);
        return false;
    }
    bool ok = cachet_membuf_append(out, der, len);
    cachet_free(der);
    return ok;
}

/* add_uint adds a non-negative INTEGER from big-endian bytes (X.690 §8.3:
 * minimal, with a leading zero when the top bit is set). */
static bool add_uint(cachet_cbb *cbb, const uint8_t *be, size_t len) {
    while (len > 1 && be[0] == 0) {
        be++;
        len--;
    }
    cachet_cbb child;
    if (len == 0 || !cachet_cbb_add_asn1(cbb, &child, CACHET_ASN1_INTEGER)) {
        return false;
    }
    if ((be[0] & 0x80) != 0 && !cachet_cbb_add_u8(&child, 0)) {
        return false;
    }
    return cachet_cbb_add_bytes(&child, be, len) && cachet_cbb_flush(cbb);
}

bool cachet_p11_digest_info(cachet_md md, const uint8_t *digest, size_t len, cachet_membuf *out) {
    if ((size_t)md >= sizeof(digest_oids) / sizeof(digest_oids[0]) ||
        digest_oids[md] == CACHET_OID_UNKNOWN || len != cachet_md_size(md)) {
        return false;
    }
    cachet_cbb cbb;
    cachet_cbb seq;
    cachet_cbb alg;
    if (!cachet_cbb_init(&cbb, 96, 0)) {
        return false;
    }
    /* RFC 8017 §9.2 note 1: the parameters are NULL for the SHA family. */
    bool ok = cachet_cbb_add_asn1(&cbb, &seq, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_asn1(&seq, &alg, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&alg, digest_oids[md]) && cachet_cbb_add_asn1_null(&alg) &&
              cachet_cbb_flush(&seq) && cachet_cbb_add_asn1_octet_string(&seq, digest, len) &&
              cachet_cbb_flush(&cbb);
    if (!ok) {
        cachet_cbb_cleanup(&cbb);
        return false;
    }
    return finish_into(&cbb, out);
}

bool cachet_p11_ecdsa_der(const uint8_t *rs, size_t len, cachet_membuf *out) {
    if (rs == NULL || len == 0 || len % 2 != 0 || len > 2 * 66) {
        return false;
    }
    size_t half = len / 2;
    cachet_cbb cbb;
    cachet_cbb seq;
    if (!cachet_cbb_init(&cbb, len + 16, 0)) {
        return false;
    }
    bool ok = cachet_cbb_add_asn1(&cbb, &seq, CACHET_ASN1_SEQUENCE) && add_uint(&seq, rs, half) &&
              add_uint(&seq, rs + half, half) && cachet_cbb_flush(&cbb);
    if (!ok) {
        cachet_cbb_cleanup(&cbb);
        return false;
    }
    return finish_into(&cbb, out);
}

/* spki writes SEQUENCE { AlgorithmIdentifier |alg| (whole elements), BIT
 * STRING |key| }. */
static bool spki(const uint8_t *alg, size_t alg_len, const uint8_t *key, size_t key_len,
                 cachet_membuf *out) {
    cachet_cbb cbb;
    cachet_cbb seq;
    cachet_cbb algid;
    cachet_cbb bits;
    if (!cachet_cbb_init(&cbb, key_len + alg_len + 32, 0)) {
        return false;
    }
    bool ok = cachet_cbb_add_asn1(&cbb, &seq, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_asn1(&seq, &algid, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_bytes(&algid, alg, alg_len) && cachet_cbb_flush(&seq) &&
              cachet_cbb_add_asn1(&seq, &bits, CACHET_ASN1_BITSTRING) &&
              cachet_cbb_add_u8(&bits, 0) && cachet_cbb_add_bytes(&bits, key, key_len) &&
              cachet_cbb_flush(&cbb);
    if (!ok) {
        cachet_cbb_cleanup(&cbb);
        return false;
    }
    return finish_into(&cbb, out);
}

bool cachet_p11_rsa_spki(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                         cachet_membuf *out) {
    if (n == NULL || e == NULL || n_len == 0 || e_len == 0) {
        return false;
    }
    cachet_cbb alg;
    cachet_cbb key;
    cachet_cbb seq;
    uint8_t *alg_der = NULL;
    uint8_t *key_der = NULL;
    size_t alg_len = 0;
    size_t key_len = 0;
    bool ok = cachet_cbb_init(&alg, 16, 0);
    ok = ok && cachet_cbb_add_oid(&alg, CACHET_OID_RSA_ENCRYPTION) &&
         cachet_cbb_add_asn1_null(&alg) && cachet_cbb_finish(&alg, &alg_der, &alg_len);
    if (!ok) {
        cachet_cbb_cleanup(&alg);
        return false;
    }
    /* RFC 8017 A.1.1 RSAPublicKey ::= SEQUENCE { modulus, publicExponent } */
    ok = cachet_cbb_init(&key, n_len + e_len + 16, 0);
    ok = ok && cachet_cbb_add_asn1(&key, &seq, CACHET_ASN1_SEQUENCE) && add_uint(&seq, n, n_len) &&
         add_uint(&seq, e, e_len) && cachet_cbb_flush(&key) &&
         cachet_cbb_finish(&key, &key_der, &key_len);
    if (!ok) {
        cachet_cbb_cleanup(&key);
        cachet_free(alg_der);
        return false;
    }
    ok = spki(alg_der, alg_len, key_der, key_len, out);
    cachet_free(alg_der);
    cachet_free(key_der);
    return ok;
}

bool cachet_p11_ec_spki(const uint8_t *params, size_t params_len, const uint8_t *point,
                        size_t point_len, cachet_membuf *out) {
    if (params == NULL || point == NULL) {
        return false;
    }
    cachet_cbs cbs;
    cachet_cbs oid_der;
    cachet_cbs_init(&cbs, params, params_len);
    cachet_oid curve = CACHET_OID_UNKNOWN;
    if (!cachet_cbs_get_oid(&cbs, &curve, &oid_der) || cbs.len != 0) {
        return false;
    }
    /* PKCS#11 v2.40 §2.3.3 says DER OCTET STRING; some tokens give the raw point. */
    cachet_cbs pt;
    cachet_cbs_init(&cbs, point, point_len);
    if (!cachet_cbs_get_asn1(&cbs, &pt, CACHET_ASN1_OCTETSTRING) || cbs.len != 0) {
        cachet_cbs_init(&pt, point, point_len);
    }
    cachet_cbb alg;
    uint8_t *alg_der = NULL;
    size_t alg_len = 0;
    if (!cachet_cbb_init(&alg, 32, 0)) {
        return false;
    }
    bool ok = false;
    switch (curve) {
        case CACHET_OID_PRIME256V1:
        case CACHET_OID_SECP384R1:
        case CACHET_OID_SECP521R1:
            /* RFC 5480 §2.1.1: id-ecPublicKey with the named curve. */
            ok = cachet_cbb_add_oid(&alg, CACHET_OID_EC_PUBLIC_KEY) &&
                 cachet_cbb_add_oid(&alg, curve);
            break;
        case CACHET_OID_ED25519:
        case CACHET_OID_ED448:
            /* RFC 8410 §3: the curve OID alone, no parameters. */
            ok = cachet_cbb_add_oid(&alg, curve);
            break;
        default:
            break;
    }
    ok = ok && cachet_cbb_finish(&alg, &alg_der, &alg_len);
    if (!ok) {
        cachet_cbb_cleanup(&alg);
        return false;
    }
    ok = spki(alg_der, alg_len, pt.data, pt.len, out);
    cachet_free(alg_der);
    return ok;
}
