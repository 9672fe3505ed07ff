/* Writing RecipientInfos: the checks made before encrypting to a certificate
 * (ATTACKS B18 / CE-05) and KeyTransRecipientInfo (RFC 5652 §6.2.1) with
 * PKCS#1 v1.5 (RFC 3370 §4.2.1) or RSAES-OAEP (RFC 3560 §3); EC, X25519 and
 * X448 certificates go to recipient_kari.c, KEKs to recipient_kek.c and
 * passwords to recipient_pwri.c. */
#include <string.h>
#include <time.h>

#include "cms/enveloped_internal.h"

#define KTRI_WHERE "EnvelopedData.recipientInfos.ktri"

cachet_status cachet_env_check_recipient(const cachet_cert *cert, bool allow_weak, int64_t at,
                                         cachet_error *err) {
    char subject[256];
    cachet_cert_subject(cert, subject, sizeof(subject));
    /* CE-04: an EKU, when present, must allow email protection (RFC 8550 §4.4.4). */
    if (!cachet_cert_allows_email_protection(cert)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "recipients", -1,
                              "certificate \"%s\": ExtendedKeyUsage lacks emailProtection",
                              subject);
    }
    /* CE-07 / GW-05: never encrypt to a certificate outside its validity period. */
    int64_t now = at != 0 ? at : (int64_t)time(NULL);
    int64_t not_before = 0, not_after = 0;
    cachet_cert_validity(cert, &not_before, &not_after);
    if (now < not_before || now > not_after) {
        return cachet_err_set(err, CACHET_ERR_UNTRUSTED, "recipients", -1,
                              "certificate \"%s\" is %s; get the recipient's current certificate",
                              subject, now < not_before ? "not yet valid" : "expired");
    }
    cachet_pkey *pub = cachet_cert_pkey(cert);
    cachet_status st = CACHET_OK;
    if (pub == NULL) {
        return cachet_err_set(err, CACHET_ERR_KEY, "recipients", -1,
                              "certificate \"%s\": public key unreadable", subject);
    }
    switch (cachet_pkey_type(pub)) {
        case CACHET_KEY_RSA:
            /* RFC 5280 §4.2.1.3: key transport needs keyEncipherment. */
            if (!cachet_cert_allows_key_encipherment(cert)) {
                st = cachet_err_set(err, CACHET_ERR_USAGE, "recipients", -1,
                                    "certificate \"%s\": KeyUsage lacks keyEncipherment", subject);
            } else if (cachet_pkey_bits(pub) < 2048 && !allow_weak) {
                st = cachet_err_set(err, CACHET_ERR_POLICY, "recipients", -1,
                                    "certificate \"%s\": RSA key of %u bits refused (< 2048)",
                                    subject, cachet_pkey_bits(pub));
            }
            break;
        case CACHET_KEY_EC:
            if (!cachet_cert_allows_key_agreement(cert)) {
                st = cachet_err_set(err, CACHET_ERR_USAGE, "recipients", -1,
                                    "certificate \"%s\": KeyUsage lacks keyAgreement", subject);
            } else if (cachet_pkey_curve(pub) == CACHET_CURVE_NONE) {
                st = cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "recipients", -1,
                                    "certificate \"%s\": EC curve not supported (P-256/384/521)",
                                    subject);
            }
            break;
        case CACHET_KEY_X25519:
        case CACHET_KEY_X448:
            /* RFC 8418 §3: key agreement, so KeyUsage must allow keyAgreement. */
            if (!cachet_cert_allows_key_agreement(cert)) {
                st = cachet_err_set(err, CACHET_ERR_USAGE, "recipients", -1,
                                    "certificate \"%s\": KeyUsage lacks keyAgreement", subject);
            }
            break;
        default:
            st = cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "recipients", -1,
                                "certificate \"%s\": key type cannot receive encrypted mail",
                                subject);
            break;
    }
    cachet_pkey_free(pub);
    return st;
}

/* A digest AlgorithmIdentifier as RFC 3560 §3 writes it: { id-shaX, NULL }. */
static bool add_md_alg_null(cachet_cbb *cbb, cachet_oid md) {
    cachet_cbb alg;
    return cachet_cbb_add_asn1(cbb, &alg, CACHET_ASN1_SEQUENCE) && cachet_cbb_add_oid(&alg, md) &&
           cachet_cbb_add_asn1_null(&alg) && cachet_cbb_flush(cbb);
}

/* keyEncryptionAlgorithm: rsaEncryption with NULL (RFC 3370 §4.2.1), or
 * id-RSAES-OAEP with SHA-256 and MGF1-SHA-256 spelt out (RFC 3560 §3);
 * pSourceFunc keeps its DEFAULT (empty label) and so is omitted in DER. */
static bool add_ktri_alg(cachet_cbb *cbb, bool oaep) {
    cachet_cbb alg, params, hash, mgf;
    if (!cachet_cbb_add_asn1(cbb, &alg, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    if (!oaep) {
        return cachet_cbb_add_oid(&alg, CACHET_OID_RSA_ENCRYPTION) &&
               cachet_cbb_add_asn1_null(&alg) && cachet_cbb_flush(cbb);
    }
    return cachet_cbb_add_oid(&alg, CACHET_OID_RSAES_OAEP) &&
           cachet_cbb_add_asn1(&alg, &params, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1(&params, &hash, CACHET_ASN1_CONTEXT_CONS(0)) &&
           add_md_alg_null(&hash, CACHET_OID_SHA256) && cachet_cbb_flush(&params) &&
           cachet_cbb_add_asn1(&params, &hash, CACHET_ASN1_CONTEXT_CONS(1)) &&
           cachet_cbb_add_asn1(&hash, &mgf, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_oid(&mgf, CACHET_OID_MGF1) && add_md_alg_null(&mgf, CACHET_OID_SHA256) &&
           cachet_cbb_flush(cbb);
}

static cachet_status add_ktri(cachet_cbb *ris, const cachet_cert *cert, const cachet_pkey *pub,
                              bool oaep, bool use_ski, const uint8_t *cek, size_t cek_len,
                              cachet_error *err) {
    cachet_oaep_params params = {CACHET_MD_SHA256, CACHET_MD_SHA256, NULL, 0};
    cachet_membuf ek = {0};
    cachet_cbb ktri;
    cachet_status st = cachet_rsa_encrypt(pub, oaep ? &params : NULL, cek, cek_len, &ek, err);
    if (st != CACHET_OK) {
        cachet_membuf_free(&ek); /* reserved before the encryption failed */
        return st;
    }
    /* RFC 5652 §6.2.1: version 0 with issuerAndSerialNumber, 2 with SKI. */
    if (!cachet_cbb_add_asn1(ris, &ktri, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_asn1_uint64(&ktri, use_ski ? 2 : 0) ||
        !cachet_cms_add_sid(&ktri, cert, use_ski) || !add_ktri_alg(&ktri, oaep) ||
        !cachet_cbb_add_asn1_octet_string(&ktri, ek.data, ek.len) || !cachet_cbb_flush(ris)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, KTRI_WHERE, -1, "encoding failed");
    }
    cachet_membuf_free(&ek);
    return st;
}

cachet_status cachet_env_add_recipient(cachet_cbb *ris, const cachet_cert *cert, bool oaep,
                                       bool use_ski, const uint8_t *cek, size_t cek_len,
                                       bool *out_needs_v2, cachet_error *err) {
    const uint8_t *ski;
    size_t ski_len;
    cachet_pkey *pub;
    cachet_key_type kt;
    cachet_status st;
    if (use_ski && !cachet_cert_ski(cert, &ski, &ski_len)) {
        char subject[256];
        cachet_cert_subject(cert, subject, sizeof(subject));
        return cachet_err_set(err, CACHET_ERR_USAGE, "recipients", -1,
                              "certificate \"%s\" has no subjectKeyIdentifier", subject);
    }
    pub = cachet_cert_pkey(cert);
    if (pub == NULL) {
        return cachet_err_set(err, CACHET_ERR_KEY, "recipients", -1, "public key unreadable");
    }
    kt = cachet_pkey_type(pub);
    if (kt == CACHET_KEY_EC || kt == CACHET_KEY_X25519 || kt == CACHET_KEY_X448) {
        /* RFC 5652 §6.1: a kari (version 3) makes EnvelopedData version 2. */
        st = cachet_env_add_kari(ris, cert, pub, use_ski, cek, cek_len, err);
        *out_needs_v2 = true;
    } else {
        st = add_ktri(ris, cert, pub, oaep, use_ski, cek, cek_len, err);
        *out_needs_v2 = *out_needs_v2 || use_ski;
    }
    cachet_pkey_free(pub);
    return st;
}
