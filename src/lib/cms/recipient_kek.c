/* KEKRecipientInfo (RFC 5652 §6.2.3): a key-encryption key shared out of band,
 * named by kekid.keyIdentifier, wrapping the CEK with AES key wrap (RFC 3394 /
 * RFC 3565 §2.3.2), AES key wrap with padding (RFC 5649) or, legacy and
 * decrypt only, the CMS Triple-DES key wrap (RFC 3217). */
#include <stdio.h>
#include <string.h>

#include "cms/recipient_internal.h"

#define KEKRI_WHERE "EnvelopedData.recipientInfos.kekri"

cachet_oid cachet_env_aes_wrap_oid(size_t kek_len) {
    switch (kek_len) {
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

static size_t wrap_pad_key_len(cachet_oid oid) {
    switch (oid) {
        case CACHET_OID_AES128_WRAP_PAD:
            return 16;
        case CACHET_OID_AES192_WRAP_PAD:
            return 24;
        case CACHET_OID_AES256_WRAP_PAD:
            return 32;
        default:
            return 0;
    }
}

/* KEKIdentifier ::= SEQUENCE { keyIdentifier OCTET STRING,
 *   date GeneralizedTime OPTIONAL, other OtherKeyAttribute OPTIONAL }.
 * Only keyIdentifier selects (date and other are read and ignored). */
static bool parse_kekid(cachet_cbs *kekri, cachet_cbs *out_id) {
    cachet_cbs kekid, skip;
    bool present;
    return cachet_cbs_get_asn1(kekri, &kekid, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&kekid, out_id, CACHET_ASN1_OCTETSTRING) &&
           cachet_cbs_get_optional_asn1(&kekid, &skip, &present, CACHET_ASN1_GENERALIZEDTIME) &&
           cachet_cbs_get_optional_asn1(&kekid, &skip, &present, CACHET_ASN1_SEQUENCE) &&
           kekid.len == 0;
}

bool cachet_env_kekri_id(const cachet_cbs *kekri, cachet_cbs *out_id, bool *out_version_ok) {
    cachet_cbs k = *kekri;
    uint64_t version;
    if (!cachet_cbs_get_asn1_uint64(&k, &version) || !parse_kekid(&k, out_id)) {
        return false;
    }
    *out_version_ok = version == 4;
    return true;
}

/* RFC 3565 §2.3.2: parameters absent. NULL is tolerated on input, as some
 * writers put it there. */
static bool params_absent_or_null(const cachet_cbs *params) {
    return params->len == 0 || cachet_cbs_mem_equal(params, (const uint8_t *)"\x05\x00", 2);
}

cachet_status cachet_env_kekri_recover(const cachet_cbs *kekri, const cachet_cms_kek *kek,
                                       bool allow_weak, uint8_t *cek, size_t cek_len,
                                       cachet_env_recipient_info *info, cachet_error *err) {
    cachet_cbs k = *kekri, id, alg, ek;
    cachet_oid oid;
    uint64_t version;
    uint8_t out[CACHET_ENV_MAX_WRAPPED];
    size_t out_len = 0, want_kek;
    bool pad = false, ok;
    if (kek->key == NULL && kek->key_len != 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, KEKRI_WHERE, -1, "KEK missing");
    }
    if (!cachet_cbs_get_asn1_uint64(&k, &version) || !parse_kekid(&k, &id) ||
        !cachet_cbs_get_asn1(&k, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&k, &ek, CACHET_ASN1_OCTETSTRING) || k.len != 0 ||
        !cachet_cbs_get_oid(&alg, &oid, NULL)) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, KEKRI_WHERE, -1,
                              "KEKRecipientInfo malformed");
    }
    if (version != 4) { /* RFC 5652 §6.2.3: "It MUST always be 4." */
        return cachet_err_set(err, CACHET_ERR_MALFORMED, KEKRI_WHERE, -1,
                              "version %llu, not 4 (RFC 5652 §6.2.3)", (unsigned long long)version);
    }
    want_kek = cachet_env_wrap_key_len(oid);
    if (want_kek == 0) {
        want_kek = wrap_pad_key_len(oid);
        pad = want_kek != 0;
    }
    if (oid == CACHET_OID_CMSRC2_WRAP) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KEKRI_WHERE, -1,
                              "RC2 key wrap (id-alg-CMSRC2wrap) not supported");
    }
    if (oid == CACHET_OID_CMS3DES_WRAP) {
        if (!allow_weak) {
            return cachet_err_set(err, CACHET_ERR_POLICY, KEKRI_WHERE, -1,
                                  "Triple-DES key wrap refused (legacy; allow_weak not set)");
        }
        want_kek = 24;
    } else if (want_kek == 0) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, KEKRI_WHERE, -1,
                              "key wrap algorithm %s not supported", cachet_oid_name(oid));
    }
    if (!params_absent_or_null(&alg)) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, KEKRI_WHERE, -1,
                              "%s parameters must be absent (RFC 3565 §2.3.2)",
                              cachet_oid_name(oid));
    }
    if (ek.len < 16 || ek.len > sizeof(out) || ek.len % 8 != 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, KEKRI_WHERE, -1,
                              "encryptedKey of %zu bytes", ek.len);
    }
    if (oid == CACHET_OID_CMS3DES_WRAP) {
        snprintf(info->key_management, sizeof(info->key_management), "kek-3des-wrap");
        info->weak = true;
    } else {
        snprintf(info->key_management, sizeof(info->key_management), "kek-aes%zu-wrap%s",
                 want_kek * 8, pad ? "-pad" : "");
    }
    /* From here on the KEK is in use: one failure for every cause (wrong KEK,
     * a KEK whose length does not fit the OID, integrity check, CEK length). */
    ok = kek->key_len == want_kek;
    if (ok && oid == CACHET_OID_CMS3DES_WRAP) {
        ok = cachet_des3_unwrap(kek->key, kek->key_len, ek.data, ek.len, out, &out_len, NULL);
    } else if (ok && pad) {
        ok = cachet_aes_unwrap_pad(kek->key, kek->key_len, ek.data, ek.len, out, &out_len, NULL);
    } else if (ok) {
        ok = cachet_aes_unwrap(kek->key, kek->key_len, ek.data, ek.len, out, &out_len, NULL);
    }
    ok = ok && out_len == cek_len;
    if (ok) {
        memcpy(cek, out, cek_len);
    }
    cachet_cleanse(out, sizeof(out));
    return ok ? CACHET_OK : cachet_env_decrypt_failed(err);
}

cachet_status cachet_env_add_kekri(cachet_cbb *ris, const cachet_cms_kek *kek, const uint8_t *cek,
                                   size_t cek_len, unsigned *io_version, cachet_error *err) {
    cachet_cbb kekri, kekid, alg;
    uint8_t wrapped[CACHET_ENV_MAX_CEK + 8];
    size_t wrapped_len = 0;
    cachet_oid oid = cachet_env_aes_wrap_oid(kek->key_len);
    bool ok;
    if (oid == CACHET_OID_UNKNOWN) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "keks", -1,
                              "a KEK must be 16, 24 or 32 bytes (AES key wrap), not %zu",
                              kek->key_len);
    }
    /* RFC 3565 §2.3.2 / §6: the KEK at least as long as the CEK. */
    if (kek->key_len < cek_len) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "keks", -1,
                              "a KEK of %zu bytes cannot wrap a %zu-byte content key "
                              "(RFC 3565 §2.3.2); use a longer KEK or a shorter cipher",
                              kek->key_len, cek_len);
    }
    if (cek_len == 0 || cek_len % 8 != 0 || cek_len > CACHET_ENV_MAX_CEK) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "keks", -1,
                              "content key of %zu bytes cannot be AES-wrapped", cek_len);
    }
    if (kek->id == NULL && kek->id_len != 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "keks", -1, "KEK id missing");
    }
    if (!cachet_aes_wrap(kek->key, kek->key_len, cek, cek_len, wrapped, &wrapped_len, err)) {
        cachet_cleanse(wrapped, sizeof(wrapped));
        return cachet_err_set(err, CACHET_ERR_INTERNAL, KEKRI_WHERE, -1, "AES key wrap failed");
    }
    /* [2] IMPLICIT KEKRecipientInfo { version 4, kekid { keyIdentifier },
     * keyEncryptionAlgorithm { id-aes*-wrap } (parameters absent, RFC 3565
     * §2.3.2), encryptedKey }. */
    ok = cachet_cbb_add_asn1(ris, &kekri, CACHET_ASN1_CONTEXT_CONS(2)) &&
         cachet_cbb_add_asn1_uint64(&kekri, 4) &&
         cachet_cbb_add_asn1(&kekri, &kekid, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_asn1_octet_string(&kekid, kek->id, kek->id_len) &&
         cachet_cbb_flush(&kekri) && cachet_cbb_add_asn1(&kekri, &alg, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_oid(&alg, oid) && cachet_cbb_flush(&kekri) &&
         cachet_cbb_add_asn1_octet_string(&kekri, wrapped, wrapped_len) && cachet_cbb_flush(ris);
    cachet_cleanse(wrapped, sizeof(wrapped));
    if (!ok) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, KEKRI_WHERE, -1, "encoding failed");
    }
    /* RFC 5652 §6.1: a kekri makes EnvelopedData version at least 2. */
    if (*io_version < 2) {
        *io_version = 2;
    }
    return CACHET_OK;
}
