/* Choosing our RecipientInfo and recovering the content-encryption key
 * (RFC 5652 §6.2, §6.4). The RecipientInfo is selected by our certificate only,
 * so the private key is used once, on the RecipientInfo addressed to it
 * (ATTACKS BL-02), and not at all when none is (BL-03). */
#include <stdio.h>
#include <string.h>

#include "cms/recipient_internal.h"

#define RIS_WHERE "EnvelopedData.recipientInfos"
#define MAX_ENCRYPTED_KEY 2048 /* RSA-16384 */

cachet_status cachet_env_decrypt_failed(cachet_error *err) {
    cachet_err_clear(err);
    return cachet_err_set(err, CACHET_ERR_DECRYPT, "", -1, CACHET_ENV_DECRYPT_MSG);
}

static cachet_status ris_malformed(cachet_error *err, size_t index, const char *what) {
    return cachet_err_set(err, CACHET_ERR_MALFORMED, RIS_WHERE, -1, "[%zu]: %s", index, what);
}

/* KeyTransRecipientInfo ::= SEQUENCE { version, rid, keyEncryptionAlgorithm,
 * encryptedKey }; rid matches by issuerAndSerialNumber or [0] SKI (§6.2.1). */
static bool ktri_rid(const cachet_cbs *ktri, cachet_cbs *rid) {
    cachet_cbs k = *ktri;
    uint64_t version;
    return cachet_cbs_get_asn1_uint64(&k, &version) && (version == 0 || version == 2) &&
           cachet_cbs_get_any_asn1_element(&k, rid, NULL, NULL);
}

/* KeyAgreeRecipientIdentifier (§6.2.2): issuerAndSerialNumber, or rKeyId
 * [0] { subjectKeyIdentifier, date OPTIONAL, other OPTIONAL }. */
static bool kari_rid_matches(const cachet_cbs *rid, cachet_asn1_tag tag, const cachet_cert *cert) {
    cachet_cbs r = *rid, rkeyid, ski;
    const uint8_t *our;
    size_t our_len;
    if (tag == CACHET_ASN1_SEQUENCE) {
        return cachet_cms_sid_matches(rid, cert);
    }
    if (tag != CACHET_ASN1_CONTEXT_CONS(0) ||
        !cachet_cbs_get_asn1(&r, &rkeyid, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&rkeyid, &ski, CACHET_ASN1_OCTETSTRING) ||
        !cachet_cert_ski(cert, &our, &our_len)) {
        return false;
    }
    return cachet_cbs_mem_equal(&ski, our, our_len);
}

typedef enum selection_type {
    SEL_NONE = 0,
    SEL_KTRI,
    SEL_KARI,
    SEL_KEKRI,
    SEL_PWRI,
} selection_type;

typedef struct selection {
    selection_type type;
    size_t secret; /* index into keys (ktri, kari) or keks (kekri) */
    cachet_cbs body;
    cachet_cbs encrypted_key; /* kari: our RecipientEncryptedKey's encryptedKey */
} selection;

/* The key type decides which RecipientInfo type a certificate's key can open:
 * RSA key transport, EC / X25519 / X448 key agreement. */
static bool key_fits(const cachet_pkey *key, bool kari) {
    cachet_key_type kt = key != NULL ? cachet_pkey_type(key) : CACHET_KEY_NONE;
    if (!kari) {
        return kt == CACHET_KEY_RSA;
    }
    return kt == CACHET_KEY_EC || kt == CACHET_KEY_X25519 || kt == CACHET_KEY_X448;
}

/* The first of our certificates whose key fits and which |rid| names. */
static bool match_cert(const cachet_cms_secrets *s, const cachet_cbs *rid, cachet_asn1_tag tag,
                       bool kari, size_t *out) {
    for (size_t i = 0; s->keys != NULL && s->certs != NULL && i < s->num_keys; i++) {
        if (s->certs[i] == NULL || !key_fits(s->keys[i], kari)) {
            continue;
        }
        if (kari ? kari_rid_matches(rid, tag, s->certs[i])
                 : cachet_cms_sid_matches(rid, s->certs[i])) {
            *out = i;
            return true;
        }
    }
    return false;
}

/* Walks one KeyAgreeRecipientInfo's recipientEncryptedKeys, counting them. */
static bool scan_kari(const cachet_cbs *kari, const cachet_cms_secrets *s, size_t *count,
                      size_t max, selection *sel) {
    cachet_cbs k = *kari, skip, reks, rek, rid, ek;
    cachet_asn1_tag tag;
    uint64_t version;
    bool present;
    size_t which;
    if (!cachet_cbs_get_asn1_uint64(&k, &version) ||
        !cachet_cbs_get_asn1(&k, &skip, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_optional_asn1(&k, &skip, &present, CACHET_ASN1_CONTEXT_CONS(1)) ||
        !cachet_cbs_get_asn1(&k, &skip, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&k, &reks, CACHET_ASN1_SEQUENCE) || k.len != 0 || reks.len == 0) {
        return false;
    }
    while (reks.len > 0) {
        if (!cachet_cbs_get_asn1(&reks, &rek, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_any_asn1_element(&rek, &rid, &tag, NULL) ||
            !cachet_cbs_get_asn1(&rek, &ek, CACHET_ASN1_OCTETSTRING) || rek.len != 0) {
            return false;
        }
        if (++*count > max) {
            return true; /* the caller reports the limit */
        }
        if (sel->type == SEL_NONE && match_cert(s, &rid, tag, true, &which)) {
            sel->type = SEL_KARI;
            sel->secret = which;
            sel->body = *kari;
            sel->encrypted_key = ek;
        }
    }
    return true;
}

/* RSAES-OAEP-params (RFC 3560 §3): every field DEFAULTs to SHA-1, MGF1-SHA-1
 * and an empty pSpecified label; absent parameters mean all defaults. */
static bool parse_oaep_params(cachet_cbs *alg, cachet_oaep_params *out) {
    cachet_cbs seq, field, mgf, mgf_md, psrc, label;
    cachet_oid oid;
    bool present;
    out->md = CACHET_MD_SHA1;
    out->mgf1_md = CACHET_MD_SHA1;
    out->label = NULL;
    out->label_len = 0;
    if (alg->len == 0) {
        return true;
    }
    if (!cachet_cbs_get_asn1(alg, &seq, CACHET_ASN1_SEQUENCE) || alg->len != 0) {
        return false;
    }
    if (!cachet_cbs_get_optional_asn1(&seq, &field, &present, CACHET_ASN1_CONTEXT_CONS(0))) {
        return false;
    }
    if (present && (!cachet_cms_parse_digest_alg(&field, &out->md, NULL) || field.len != 0 ||
                    out->md == CACHET_MD_NONE || out->md == CACHET_MD_MD5)) {
        return false;
    }
    if (!cachet_cbs_get_optional_asn1(&seq, &field, &present, CACHET_ASN1_CONTEXT_CONS(1))) {
        return false;
    }
    if (present) {
        if (!cachet_cbs_get_asn1(&field, &mgf, CACHET_ASN1_SEQUENCE) || field.len != 0 ||
            !cachet_cbs_get_oid(&mgf, &oid, NULL) || oid != CACHET_OID_MGF1) {
            return false;
        }
        mgf_md = mgf;
        if (!cachet_cms_parse_digest_alg(&mgf_md, &out->mgf1_md, NULL) || mgf_md.len != 0 ||
            out->mgf1_md == CACHET_MD_NONE || out->mgf1_md == CACHET_MD_MD5) {
            return false;
        }
    }
    if (!cachet_cbs_get_optional_asn1(&seq, &field, &present, CACHET_ASN1_CONTEXT_CONS(2))) {
        return false;
    }
    if (present) {
        if (!cachet_cbs_get_asn1(&field, &psrc, CACHET_ASN1_SEQUENCE) || field.len != 0 ||
            !cachet_cbs_get_oid(&psrc, &oid, NULL) || oid != CACHET_OID_PSPECIFIED ||
            !cachet_cbs_get_asn1(&psrc, &label, CACHET_ASN1_OCTETSTRING) || psrc.len != 0) {
            return false;
        }
        out->label = label.data;
        out->label_len = label.len;
    }
    return seq.len == 0;
}

static cachet_status ktri_recover(const cachet_cbs *ktri, const cachet_pkey *key, bool allow_weak,
                                  uint8_t *cek, size_t cek_len, cachet_env_recipient_info *info,
                                  cachet_error *err) {
    cachet_cbs k = *ktri, rid, alg, ek, params;
    cachet_oid oid;
    uint64_t version;
    cachet_oaep_params oaep;
    bool is_oaep = false;
    if (!cachet_cbs_get_asn1_uint64(&k, &version) ||
        !cachet_cbs_get_any_asn1_element(&k, &rid, NULL, NULL) ||
        !cachet_cbs_get_asn1(&k, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&k, &ek, CACHET_ASN1_OCTETSTRING) || k.len != 0 ||
        !cachet_cbs_get_oid(&alg, &oid, NULL)) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, RIS_WHERE ".ktri", -1,
                              "KeyTransRecipientInfo malformed");
    }
    params = alg;
    if (oid == CACHET_OID_RSA_ENCRYPTION) {
        /* RFC 3370 §4.2.1: parameters NULL (absent tolerated). */
        if (!(params.len == 0 || cachet_cbs_mem_equal(&params, (const uint8_t *)"\x05\x00", 2))) {
            return cachet_err_set(err, CACHET_ERR_MALFORMED, RIS_WHERE ".ktri", -1,
                                  "rsaEncryption parameters must be NULL");
        }
        snprintf(info->key_management, sizeof(info->key_management), "rsaEncryption");
    } else if (oid == CACHET_OID_RSAES_OAEP) {
        if (!parse_oaep_params(&params, &oaep)) {
            return cachet_err_set(err, CACHET_ERR_MALFORMED, RIS_WHERE ".ktri", -1,
                                  "RSAES-OAEP-params malformed or unsupported");
        }
        is_oaep = true;
        snprintf(info->key_management, sizeof(info->key_management), "rsaes-oaep");
    } else {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, RIS_WHERE ".ktri", -1,
                              "key transport algorithm %s not supported", cachet_oid_name(oid));
    }
    if (cachet_pkey_bits(key) < 2048) {
        if (!allow_weak) {
            return cachet_err_set(err, CACHET_ERR_POLICY, RIS_WHERE ".ktri", -1,
                                  "RSA key of %u bits refused (< 2048)", cachet_pkey_bits(key));
        }
        info->weak = true;
    }
    if (ek.len == 0 || ek.len > MAX_ENCRYPTED_KEY) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, RIS_WHERE ".ktri", -1,
                              "encryptedKey of %zu bytes", ek.len);
    }
    /* PKCS#1 v1.5 substitutes a random CEK on any failure (RFC 3218 §2.3.2);
     * OAEP failures and anything else are the same uniform error. */
    if (!cachet_rsa_decrypt_key(key, is_oaep ? &oaep : NULL, ek.data, ek.len, cek, cek_len)) {
        return cachet_env_decrypt_failed(err);
    }
    return CACHET_OK;
}

/* What we looked for, for the CACHET_ERR_NO_RECIPIENT detail: the subjects of
 * our certificates, our KEK ids in hex, "a password" (cut to fit |out|). */
static void describe_secrets(const cachet_cms_secrets *s, char *out, size_t out_len) {
    char item[160], hex[2 * 32 + 1];
    size_t used = 0, n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->num_keys + s->num_keks + 1; i++) {
        if (i < s->num_keys) {
            if (s->certs == NULL || s->certs[i] == NULL) {
                continue;
            }
            char subject[sizeof(item) - sizeof("certificate \"\"")];
            cachet_cert_subject(s->certs[i], subject, sizeof(subject));
            snprintf(item, sizeof(item), "certificate \"%s\"", subject);
        } else if (i < s->num_keys + s->num_keks) {
            const cachet_cms_kek *kek = &s->keks[i - s->num_keys];
            size_t id_len = kek->id_len > 32 ? 32 : kek->id_len;
            cachet_hex(hex, kek->id, id_len);
            snprintf(item, sizeof(item), "KEK id %s%s", hex, id_len < kek->id_len ? "..." : "");
        } else if (s->password != NULL) {
            snprintf(item, sizeof(item), "a password");
        } else {
            continue;
        }
        int w = snprintf(out + used, out_len - used, "%s%s", n++ > 0 ? ", " : "", item);
        if (w < 0 || (size_t)w >= out_len - used) {
            if (out_len > 4) {
                memcpy(out + out_len - 4, "...", 4);
            }
            return;
        }
        used += (size_t)w;
    }
    if (n == 0) {
        snprintf(out, out_len, "nothing (no key, KEK or password given)");
    }
}

/* kekri: the first of our KEKs whose id is kekid.keyIdentifier (RFC 5652
 * §6.2.3; date and other do not take part). */
static bool match_kek(const cachet_cms_secrets *s, const cachet_cbs *id, size_t *out) {
    for (size_t i = 0; s->keks != NULL && i < s->num_keks; i++) {
        if (cachet_cbs_mem_equal(id, s->keks[i].id, s->keks[i].id_len)) {
            *out = i;
            return true;
        }
    }
    return false;
}

/* Reads one RecipientInfo of the SET, counts it and records it in |sel| when
 * it is the first one addressed to one of our secrets. */
static cachet_status scan_one(const cachet_cms_secrets *s, const cachet_cbs *ri,
                              cachet_asn1_tag tag, size_t index, size_t max, size_t *count,
                              bool *seen_pwri, selection *sel, cachet_error *err) {
    cachet_cbs rid, id;
    bool version_ok;
    uint64_t version;
    size_t which;
    if (tag == CACHET_ASN1_SEQUENCE) {
        if (!ktri_rid(ri, &rid)) {
            return ris_malformed(err, index, "KeyTransRecipientInfo malformed");
        }
        ++*count;
        if (sel->type == SEL_NONE && match_cert(s, &rid, 0, false, &which)) {
            sel->type = SEL_KTRI;
            sel->secret = which;
            sel->body = *ri;
        }
    } else if (tag == CACHET_ASN1_CONTEXT_CONS(1)) {
        if (!scan_kari(ri, s, count, max, sel)) {
            return ris_malformed(err, index, "KeyAgreeRecipientInfo malformed");
        }
    } else if (tag == CACHET_ASN1_CONTEXT_CONS(2)) {
        if (!cachet_env_kekri_id(ri, &id, &version_ok)) {
            return ris_malformed(err, index, "KEKRecipientInfo malformed");
        }
        ++*count;
        /* A version we do not know is somebody else's (RFC 5652 §6.2). */
        if (sel->type == SEL_NONE && version_ok && match_kek(s, &id, &which)) {
            sel->type = SEL_KEKRI;
            sel->secret = which;
            sel->body = *ri;
        }
    } else if (tag == CACHET_ASN1_CONTEXT_CONS(3)) {
        if (!cachet_env_pwri_version(ri, &version)) {
            return ris_malformed(err, index, "PasswordRecipientInfo malformed");
        }
        ++*count;
        /* Nothing tells passwords apart (RFC 3211 §1.2.2): only the first
         * pwri is tried, so a password costs one derivation at most. */
        if (sel->type == SEL_NONE && s->password != NULL && !*seen_pwri && version == 0) {
            sel->type = SEL_PWRI;
            sel->body = *ri;
        }
        *seen_pwri = *seen_pwri || version == 0;
    } else if (tag == CACHET_ASN1_CONTEXT_CONS(4)) {
        ++*count; /* ori (RFC 5652 §6.2.5): no OtherRecipientInfo type is ours */
    } else {
        return ris_malformed(err, index, "unknown RecipientInfo choice");
    }
    return CACHET_OK;
}

cachet_status cachet_env_recover_cek(const cachet_cbs *ris_in, const cachet_cms_secrets *s,
                                     bool allow_weak, const cachet_cms_limits *limits, uint8_t *cek,
                                     size_t cek_len, cachet_env_recipient_info *info,
                                     cachet_error *err) {
    cachet_cbs ris = *ris_in, set, ri;
    cachet_asn1_tag tag;
    size_t count = 0, index = 0;
    bool seen_pwri = false;
    selection sel;
    char wanted[256];
    cachet_status st;
    memset(&sel, 0, sizeof(sel));
    if (!cachet_cbs_get_asn1(&ris, &set, CACHET_ASN1_SET) || ris.len != 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, RIS_WHERE, -1, "not a SET");
    }
    for (; set.len > 0; index++) {
        if (!cachet_cbs_get_any_asn1(&set, &ri, &tag)) {
            return ris_malformed(err, index, "RecipientInfo malformed");
        }
        st = scan_one(s, &ri, tag, index, limits->max_recipients, &count, &seen_pwri, &sel, err);
        if (st != CACHET_OK) {
            return st;
        }
        if (count > limits->max_recipients) {
            return cachet_err_set(err, CACHET_ERR_LIMIT, RIS_WHERE, -1, "more than %zu recipients",
                                  limits->max_recipients);
        }
    }
    if (count == 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, RIS_WHERE, -1, "empty (RFC 5652 §6.1)");
    }
    info->num_recipients = count;
    switch (sel.type) {
        case SEL_KTRI:
            st = ktri_recover(&sel.body, s->keys[sel.secret], allow_weak, cek, cek_len, info, err);
            break;
        case SEL_KARI:
            st = cachet_env_kari_recover(&sel.body, &sel.encrypted_key, s->keys[sel.secret],
                                         allow_weak, cek, cek_len, info, err);
            break;
        case SEL_KEKRI:
            st = cachet_env_kekri_recover(&sel.body, &s->keks[sel.secret], allow_weak, cek, cek_len,
                                          info, err);
            break;
        case SEL_PWRI:
            st = cachet_env_pwri_recover(&sel.body, s->password, allow_weak, limits, cek, cek_len,
                                         info, err);
            break;
        default:
            describe_secrets(s, wanted, sizeof(wanted));
            return cachet_err_set(err, CACHET_ERR_NO_RECIPIENT, RIS_WHERE, -1,
                                  "no RecipientInfo for %s", wanted);
    }
    if (st == CACHET_ERR_DECRYPT) {
        return cachet_env_decrypt_failed(err);
    }
    return st;
}
