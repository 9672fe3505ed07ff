/* What a recipient can decrypt: SMIMECapabilities from its signed mail (RFC
 * 8551 §2.5.2, kept per address by the store) or its certificate (RFC 4262),
 * and the algorithms chosen for a set of recipients from them. */
#include <string.h>

#include "der/der.h"
#include "pki/pki.h"

/* Entries in one SMIMECapabilities value: real ones list a dozen or two. */
#define CAPS_MAX_ENTRIES 256u
/* Nesting within one value (parameters are small AlgorithmIdentifiers). */
#define CAPS_MAX_DEPTH 16u

/* oaep_params_ok: the parameters of an id-RSAES-OAEP capability are absent or
 * an RSAES-OAEP-params SEQUENCE, empty when every default is meant (RFC 3560
 * §5, RFC 4055 §4.1). */
static bool oaep_params_ok(const cachet_cbs *params, bool present) {
    if (!present) {
        return true;
    }
    cachet_cbs copy = *params;
    cachet_cbs seq;
    return cachet_cbs_get_asn1(&copy, &seq, CACHET_ASN1_SEQUENCE) && copy.len == 0;
}

/* note_capability records one SMIMECapability. AES capabilities are matched
 * only in the encoding their RFCs fix, without parameters (RFC 3565 §5.1, RFC
 * 5084 §5; RFC 8551 §2.5.2 compares encodings): any other form is an unknown
 * capability and skipped, which errs towards CBC, never towards GCM. */
static void note_capability(cachet_oid oid, bool has_params, const cachet_cbs *params,
                            cachet_pki_caps *out) {
    switch (oid) {
        case CACHET_OID_AES256_GCM:
            out->aes256_gcm = out->aes256_gcm || !has_params;
            break;
        case CACHET_OID_AES128_GCM:
            out->aes128_gcm = out->aes128_gcm || !has_params;
            break;
        case CACHET_OID_AES256_CBC:
            out->aes256_cbc = out->aes256_cbc || !has_params;
            break;
        case CACHET_OID_AES128_CBC:
            out->aes128_cbc = out->aes128_cbc || !has_params;
            break;
        case CACHET_OID_RSAES_OAEP:
            out->rsa_oaep = out->rsa_oaep || oaep_params_ok(params, has_params);
            break;
        default:
            break;
    }
}

bool cachet_pki_caps_parse(const uint8_t *der, size_t len, cachet_pki_caps *out) {
    cachet_pki_caps caps;
    memset(&caps, 0, sizeof(caps));
    if (out != NULL) {
        memset(out, 0, sizeof(*out));
    }
    if (der == NULL || out == NULL || len == 0 || len > CACHET_DB_MAX_CAPS ||
        !cachet_der_validate(der, len, CAPS_MAX_DEPTH)) {
        return false;
    }
    cachet_cbs in;
    cachet_cbs list;
    cachet_cbs_init(&in, der, len);
    if (!cachet_cbs_get_asn1(&in, &list, CACHET_ASN1_SEQUENCE) || in.len != 0) {
        return false;
    }
    for (size_t n = 0; list.len > 0; n++) {
        cachet_cbs cap;
        cachet_cbs params = {NULL, 0};
        cachet_oid oid = CACHET_OID_UNKNOWN;
        if (n >= CAPS_MAX_ENTRIES || !cachet_cbs_get_asn1(&list, &cap, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_oid(&cap, &oid, NULL)) {
            return false;
        }
        bool has_params = cap.len > 0;
        /* parameters ANY OPTIONAL: at most one element after the OID. */
        if (has_params &&
            (!cachet_cbs_get_any_asn1_element(&cap, &params, NULL, NULL) || cap.len != 0)) {
            return false;
        }
        note_capability(oid, has_params, &params, &caps);
    }
    *out = caps;
    return true;
}

/* merge_parsed ORs a parsed value into |out|; a value that does not parse
 * tells nothing and is left out. */
static bool merge_parsed(const uint8_t *der, size_t len, cachet_pki_caps *out) {
    cachet_pki_caps one;
    if (!cachet_pki_caps_parse(der, len, &one)) {
        return false;
    }
    out->aes256_gcm = out->aes256_gcm || one.aes256_gcm;
    out->aes128_gcm = out->aes128_gcm || one.aes128_gcm;
    out->aes256_cbc = out->aes256_cbc || one.aes256_cbc;
    out->aes128_cbc = out->aes128_cbc || one.aes128_cbc;
    out->rsa_oaep = out->rsa_oaep || one.rsa_oaep;
    return true;
}

/* newest_stored finds the newest capabilities recorded for any address of
 * |cert| and merges them into |out|. */
static cachet_status newest_stored(cachet_db *db, const cachet_cert *cert, cachet_pki_caps *out,
                                   bool *known, cachet_error *err) {
    char **emails = NULL;
    size_t num = cachet_cert_emails(cert, &emails);
    cachet_membuf buf = {.max = CACHET_DB_MAX_CAPS};
    cachet_membuf best = {.max = CACHET_DB_MAX_CAPS};
    bool have = false;
    int64_t best_seen = 0;
    cachet_status st = CACHET_OK;
    for (size_t i = 0; i < num && st == CACHET_OK; i++) {
        char norm[320];
        bool found = false;
        int64_t seen = 0;
        if (!cachet_db_normalize_address(emails[i], norm, sizeof(norm))) {
            continue;
        }
        st = cachet_db_get_caps(db, norm, &buf, &seen, &found, err);
        if (st != CACHET_OK || !found || (have && seen <= best_seen)) {
            continue;
        }
        cachet_membuf_reset(&best);
        if (!cachet_membuf_append(&best, buf.data, buf.len)) {
            st = cachet_err_set(err, CACHET_ERR_NOMEM, "capabilities", -1, "out of memory");
            break;
        }
        have = true;
        best_seen = seen;
    }
    if (st == CACHET_OK && have && merge_parsed(best.data, best.len, out)) {
        *known = true;
    }
    cachet_membuf_free(&buf);
    cachet_membuf_free(&best);
    cachet_cert_emails_free(emails, num);
    return st;
}

cachet_status cachet_pki_caps_of(cachet_db *db, const cachet_cert *cert, cachet_pki_caps *out,
                                 bool *known, cachet_error *err) {
    if (cert == NULL || out == NULL || known == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "capabilities", -1, "no certificate");
    }
    memset(out, 0, sizeof(*out));
    *known = false;
    if (db != NULL) {
        cachet_status st = newest_stored(db, cert, out, known, err);
        if (st != CACHET_OK) {
            memset(out, 0, sizeof(*out));
            *known = false;
            return st;
        }
    }
    const uint8_t *ext = NULL;
    size_t ext_len = 0;
    if (cachet_cert_smime_caps(cert, &ext, &ext_len) && merge_parsed(ext, ext_len, out)) {
        *known = true;
    }
    return CACHET_OK;
}

cachet_status cachet_pki_choose_algorithms(cachet_db *db, cachet_cert *const *certs, size_t num,
                                           cachet_cipher *cipher, bool *oaep, cachet_error *err) {
    if (certs == NULL || num == 0 || cipher == NULL || oaep == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "capabilities", -1, "no recipients");
    }
    bool all_gcm = true;
    bool all_cbc256 = true; /* nobody advertised a list without AES-256-CBC */
    bool all_oaep = true;
    bool any_rsa = false;
    for (size_t i = 0; i < num; i++) {
        cachet_pki_caps caps;
        bool known = false;
        cachet_status st = cachet_pki_caps_of(db, certs[i], &caps, &known, err);
        if (st != CACHET_OK) {
            return st;
        }
        all_gcm = all_gcm && known && caps.aes256_gcm;
        all_cbc256 = all_cbc256 && (!known || caps.aes256_cbc || caps.aes256_gcm);
        cachet_pkey *pub = cachet_cert_pkey(certs[i]);
        if (cachet_pkey_type(pub) == CACHET_KEY_RSA) {
            any_rsa = true;
            all_oaep = all_oaep && known && caps.rsa_oaep;
        }
        cachet_pkey_free(pub);
    }
    /* A recipient whose list names neither AES-256 cipher may support only the
     * AES-128-CBC every agent MUST (RFC 8551 §2.7): it gets that rather than
     * a message it cannot open. */
    *cipher = all_gcm      ? CACHET_CIPHER_AES256_GCM
              : all_cbc256 ? CACHET_CIPHER_AES256_CBC
                           : CACHET_CIPHER_AES128_CBC;
    *oaep = any_rsa && all_oaep;
    return CACHET_OK;
}
