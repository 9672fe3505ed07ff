/* Describing an EnvelopedData, AuthEnvelopedData or EncryptedData without a key (inspect): the
 * structure is read with the streaming BER reader, the encrypted content is
 * skipped, and the report gets the recipients count and the algorithms. */
#include <stdio.h>
#include <string.h>

#include "smime/inspect_env.h"

struct cachet_env_describe {
    cachet_ber_skel *skel;
};

/* The encrypted content is ContentInfo.[0].SEQUENCE.SEQUENCE.[0] (RFC 5652 §6.1,
 * §8, RFC 5083 §2.1): the only SEQUENCE at depth 3 is the (auth)EncryptedContentInfo. */
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
        {CACHET_OID_AES128_CCM, "aes-128-ccm", true},
        {CACHET_OID_AES192_CCM, "aes-192-ccm", true},
        {CACHET_OID_AES256_CCM, "aes-256-ccm", true},
        {CACHET_OID_CHACHA20_POLY1305, "chacha20-poly1305", true},
        {CACHET_OID_DES_EDE3_CBC, "des-ede3-cbc", false},
        {CACHET_OID_DES_CBC, "des-cbc", false},
        {CACHET_OID_RC2_CBC, "rc2-cbc", false},
        {CACHET_OID_CAST5_CBC, "cast5-cbc", false},
        {CACHET_OID_IDEA_CBC, "idea-cbc", false},
        {CACHET_OID_SEED_CBC, "seed-cbc", false},
        {CACHET_OID_CAMELLIA128_CBC, "camellia-128-cbc", false},
        {CACHET_OID_CAMELLIA192_CBC, "camellia-192-cbc", false},
        {CACHET_OID_CAMELLIA256_CBC, "camellia-256-cbc", false},
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

/* kek_name: "kek-aes256-wrap", "kek-aes128-wrap-pad" (the issue 5 names). */
static void kek_name(cachet_oid oid, char *out, size_t len) {
    static const struct {
        cachet_oid oid;
        const char *name;
    } table[] = {
        {CACHET_OID_AES128_WRAP, "kek-aes128-wrap"},
        {CACHET_OID_AES192_WRAP, "kek-aes192-wrap"},
        {CACHET_OID_AES256_WRAP, "kek-aes256-wrap"},
        {CACHET_OID_AES128_WRAP_PAD, "kek-aes128-wrap-pad"},
        {CACHET_OID_AES192_WRAP_PAD, "kek-aes192-wrap-pad"},
        {CACHET_OID_AES256_WRAP_PAD, "kek-aes256-wrap-pad"},
        {CACHET_OID_CMS3DES_WRAP, "kek-des-ede3-wrap"},
        {CACHET_OID_CMSRC2_WRAP, "kek-rc2-wrap"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (table[i].oid == oid) {
            snprintf(out, len, "%s", table[i].name);
            return;
        }
    }
    snprintf(out, len, "kek-%s", oid == CACHET_OID_UNKNOWN ? "unknown" : cachet_oid_name(oid));
}

/* skip_two steps over two elements of |c| (a loop: two calls in a row read as a
 * repeated expression to clang-tidy). */
static bool skip_two(cachet_cbs *c) {
    for (int i = 0; i < 2; i++) {
        if (!cachet_cbs_get_any_asn1_element(c, NULL, NULL, NULL)) {
            return false;
        }
    }
    return true;
}

/* pwri_name: "pwri-pbkdf2-hmac-sha256" from keyDerivationAlgorithm (RFC 3211
 * §2.1; PBKDF2's prf defaults to hmacWithSHA1, RFC 8018 A.2). */
static void pwri_name(cachet_cbs seq, char *out, size_t len) {
    static const struct {
        cachet_oid oid;
        const char *name;
    } prfs[] = {
        {CACHET_OID_HMAC_WITH_SHA1, "sha1"},     {CACHET_OID_HMAC_WITH_SHA224, "sha224"},
        {CACHET_OID_HMAC_WITH_SHA256, "sha256"}, {CACHET_OID_HMAC_WITH_SHA384, "sha384"},
        {CACHET_OID_HMAC_WITH_SHA512, "sha512"},
    };
    cachet_cbs kda, params, prf;
    cachet_oid oid = CACHET_OID_UNKNOWN, prf_oid = CACHET_OID_HMAC_WITH_SHA1;
    if (!cachet_cbs_get_any_asn1_element(&seq, NULL, NULL, NULL) ||
        !cachet_cbs_get_asn1(&seq, &kda, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_oid(&kda, &oid, NULL) || oid != CACHET_OID_PBKDF2 ||
        !cachet_cbs_get_asn1(&kda, &params, CACHET_ASN1_SEQUENCE)) {
        snprintf(out, len, "pwri");
        return;
    }
    /* salt, iterationCount, keyLength OPTIONAL, prf DEFAULT */
    bool has_len = false;
    cachet_cbs skip;
    if (skip_two(&params) &&
        cachet_cbs_get_optional_asn1(&params, &skip, &has_len, CACHET_ASN1_INTEGER) &&
        params.len > 0 && cachet_cbs_get_asn1(&params, &prf, CACHET_ASN1_SEQUENCE) &&
        !cachet_cbs_get_oid(&prf, &prf_oid, NULL)) {
        prf_oid = CACHET_OID_UNKNOWN;
    }
    for (size_t i = 0; i < sizeof(prfs) / sizeof(prfs[0]); i++) {
        if (prfs[i].oid == prf_oid) {
            snprintf(out, len, "pwri-pbkdf2-hmac-%s", prfs[i].name);
            return;
        }
    }
    snprintf(out, len, "pwri-pbkdf2");
}

/* key_management names the first RecipientInfo's algorithm like cms/ does. */
static void key_management(cachet_cbs ri, char *out, size_t len) {
    cachet_cbs seq, alg;
    cachet_oid oid = CACHET_OID_UNKNOWN;
    if (cachet_cbs_get_asn1(&ri, &seq, CACHET_ASN1_SEQUENCE)) {
        /* ktri: version, rid, keyEncryptionAlgorithm, encryptedKey */
        if (skip_two(&seq) && cachet_cbs_get_asn1(&seq, &alg, CACHET_ASN1_SEQUENCE) &&
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
    } else if (cachet_cbs_get_asn1(&ri, &seq, CACHET_ASN1_CONTEXT_CONS(2))) {
        /* kekri: version, kekid, keyEncryptionAlgorithm */
        if (skip_two(&seq) && cachet_cbs_get_asn1(&seq, &alg, CACHET_ASN1_SEQUENCE) &&
            cachet_cbs_get_oid(&alg, &oid, NULL)) {
            kek_name(oid, out, len);
            return;
        }
    } else if (cachet_cbs_get_asn1(&ri, &seq, CACHET_ASN1_CONTEXT_CONS(3))) {
        pwri_name(seq, out, len);
        return;
    }
    snprintf(out, len, "other");
}

cachet_status cachet_env_describe_finish(cachet_env_describe *d, cachet_layer_report *out,
                                         cachet_error *err) {
    cachet_status st = cachet_ber_skel_finish(d->skel, err);
    if (st != CACHET_OK) {
        return st;
    }
    cachet_cbs all, ci, content, env, ris = {0}, eci, ri, cea, ctype, orig;
    cachet_oid ct_oid = CACHET_OID_UNKNOWN, ci_oid = CACHET_OID_UNKNOWN, alg = CACHET_OID_UNKNOWN;
    bool has_orig = false;
    bool ok = cachet_ber_skel_der(d->skel, &all) &&
              cachet_cbs_get_asn1(&all, &ci, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_oid(&ci, &ct_oid, NULL) &&
              cachet_cbs_get_asn1(&ci, &content, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbs_get_asn1(&content, &env, CACHET_ASN1_SEQUENCE) &&
              cachet_cbs_get_any_asn1_element(&env, NULL, NULL, NULL);
    /* EncryptedData (RFC 5652 §8) has neither originatorInfo nor recipientInfos. */
    if (ok && ct_oid != CACHET_OID_ENCRYPTED_DATA) {
        ok = cachet_cbs_get_optional_asn1(&env, &orig, &has_orig, CACHET_ASN1_CONTEXT_CONS(0)) &&
             cachet_cbs_get_asn1(&env, &ris, CACHET_ASN1_SET);
    }
    if (!ok || !cachet_cbs_get_asn1(&env, &eci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&eci, &ci_oid, &ctype) ||
        !cachet_cbs_get_asn1(&eci, &cea, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&cea, &alg, NULL)) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED,
                              ct_oid == CACHET_OID_AUTH_ENVELOPED_DATA ? "AuthEnvelopedData"
                              : ct_oid == CACHET_OID_ENCRYPTED_DATA    ? "EncryptedData"
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
