/* Describing an EnvelopedData or AuthEnvelopedData without a key (inspect): the
 * structure is read with the streaming BER reader, the encrypted content is
 * skipped, and the report gets the recipients count and the algorithms. */
#include <stdio.h>
#include <string.h>

#include "smime/inspect_env.h"

struct cachet_env_describe {
    cachet_ber_skel *skel;
};

/* The encrypted content is ContentInfo.[0].SEQUENCE.SEQUENCE.[0] (RFC 5652 §6.1,
 * RFC 5083 §2.1): the only SEQUENCE at depth 3 is the (auth)EncryptedContentInfo. */
static bool is_bulk(void *arg, const cachet_asn1_tag *path, const size_t *index, size_t depth) {
    return depth == 4 && path[1] == CACHET_ASN1_CONTEXT_CONS(0) &&
           path[2] == CACHET_ASN1_SEQUENCE && path[3] == CACHET_ASN1_SEQUENCE &&
           (path[4] & ~CACHET_ASN1_CONSTRUCTED) == CACHET_ASN1_CONTEXT(0);
}

static cachet_status skip_data(void *arg, const uint8_t *data, size_t len) {
    return CACHET_OK;
}

cachet_env_describe *cachet_env_describe_new(const cachet_cms_limits *limits) {
    cachet_env_describe *d = cachet_calloc(1, sizeof(*d));
    if (d == NULL) {
        return NULL;
    }
    cachet_ber_skel_callbacks cb = {.is_bulk = is_bulk, .on_bulk_data = skip_data, .arg = d};
    cachet_ber_limits bl = cachet_cms_ber_limits(limits);
    d->skel = cachet_ber_skel_new(&cb, &bl);
    if (d->skel == NULL) {
        cachet_free(d);
        return NULL;
    }
    return d;
}

cachet_status cachet_env_describe_update(cachet_env_describe *d, const uint8_t *data, size_t len,
                                         cachet_error *err) {
    return cachet_ber_skel_update(d->skel, data, len, err);
}

static const char *cipher_name(cachet_oid oid, bool *aead) {
    static const struct {
        cachet_oid oid;
        const char *name;
        bool aead;
    } table[] = {
        {CACHET_OID_AES128_CBC, "aes-128-cbc", false},
        {CACHET_OID_AES192_CBC, "aes-192-cbc", false},
        {CACHET_OID_AES256_CBC, "aes-256-cbc", false},
        {CACHET_OID_AES128_GCM, "aes-128-gcm", true},
        {CACHET_OID_AES192_GCM, "aes-192-gcm", true},
        {CACHET_OID_AES256_GCM, "aes-256-gcm", true},
        {CACHET_OID_DES_EDE3_CBC, "des-ede3-cbc", false},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (table[i].oid == oid) {
            *aead = table[i].aead;
            return table[i].name;
        }
    }
    *aead = false;
    return oid == CACHET_OID_UNKNOWN ? "unknown" : cachet_oid_name(oid);
}

/* key_management names the first RecipientInfo's algorithm like cms/ does. */
static void key_management(cachet_cbs ri, char *out, size_t len) {
    cachet_cbs seq, alg;
    cachet_oid oid = CACHET_OID_UNKNOWN;
    if (cachet_cbs_get_asn1(&ri, &seq, CACHET_ASN1_SEQUENCE)) {
        /* ktri: version, rid, keyEncryptionAlgorithm, encryptedKey */
        if (cachet_cbs_get_any_asn1_element(&seq, NULL, NULL, NULL) &&
            cachet_cbs_get_any_asn1_element(&seq, NULL, NULL, NULL) &&
            cachet_cbs_get_asn1(&seq, &alg, CACHET_ASN1_SEQUENCE) &&
            cachet_cbs_get_oid(&alg, &oid, NULL)) {
            snprintf(out, len, "%s", oid == CACHET_OID_RSAES_OAEP ? "rsaes-oaep" : "rsaEncryption");
            return;
        }
    } else if (cachet_cbs_get_asn1(&ri, &seq, CACHET_ASN1_CONTEXT_CONS(1))) {
        /* kari: version, [0] originator, [1] ukm OPTIONAL, keyEncryptionAlgorithm */
        cachet_cbs skip;
        bool has_ukm = false;
        if (cachet_cbs_get_any_asn1_element(&seq, NULL, NULL, NULL) &&
            cachet_cbs_get_asn1(&seq, &skip, CACHET_ASN1_CONTEXT_CONS(0)) &&
            cachet_cbs_get_optional_asn1(&seq, &skip, &has_ukm, CACHET_ASN1_CONTEXT_CONS(1)) &&
            cachet_cbs_get_asn1(&seq, &alg, CACHET_ASN1_SEQUENCE) &&
            cachet_cbs_get_oid(&alg, &oid, NULL)) {
            snprintf(out, len, "ecdh:%s", cachet_oid_name(oid));
            return;
        }
    }
    snprintf(out, len, "other");
}

cachet_status cachet_env_describe_finish(cachet_env_describe *d, cachet_layer_report *out,
                                         cachet_error *err) {
    cachet_status st = cachet_ber_skel_finish(d->skel, err);
    if (st != CACHET_OK) {
        return st;
    }
    cachet_cbs all, ci, content, env, ris, eci, ri, cea, ctype, orig;
    cachet_oid ct_oid = CACHET_OID_UNKNOWN, ci_oid = CACHET_OID_UNKNOWN, alg = CACHET_OID_UNKNOWN;
    bool has_orig = false;
    if (!cachet_ber_skel_der(d->skel, &all) ||
        !cachet_cbs_get_asn1(&all, &ci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&ci, &ct_oid, NULL) ||
        !cachet_cbs_get_asn1(&ci, &content, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&content, &env, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_any_asn1_element(&env, NULL, NULL, NULL) ||
        !cachet_cbs_get_optional_asn1(&env, &orig, &has_orig, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&env, &ris, CACHET_ASN1_SET) ||
        !cachet_cbs_get_asn1(&env, &eci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&eci, &ci_oid, &ctype) ||
        !cachet_cbs_get_asn1(&eci, &cea, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&cea, &alg, NULL)) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED,
                              ct_oid == CACHET_OID_AUTH_ENVELOPED_DATA ? "AuthEnvelopedData"
                                                                       : "EnvelopedData",
                              -1, "malformed structure");
    }
    size_t n = 0;
    cachet_cbs first = {0};
    while (ris.len > 0) {
        if (!cachet_cbs_get_any_asn1_element(&ris, &ri, NULL, NULL)) {
            return cachet_err_set(err, CACHET_ERR_MALFORMED, "EnvelopedData.recipientInfos", -1,
                                  "malformed RecipientInfo");
        }
        if (n == 0) {
            first = ri;
        }
        n++;
    }
    out->num_recipients = n;
    bool aead = false;
    snprintf(out->cipher, sizeof(out->cipher), "%s", cipher_name(alg, &aead));
    out->authenticated = aead && ct_oid == CACHET_OID_AUTH_ENVELOPED_DATA;
    if (n > 0) {
        key_management(first, out->key_management, sizeof(out->key_management));
    }
    snprintf(out->content_type, sizeof(out->content_type), "%s",
             ci_oid == CACHET_OID_UNKNOWN ? "unknown" : cachet_oid_name(ci_oid));
    return CACHET_OK;
}

void cachet_env_describe_free(cachet_env_describe *d) {
    if (d != NULL) {
        cachet_ber_skel_free(d->skel);
        cachet_free(d);
    }
}
