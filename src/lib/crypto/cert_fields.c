/* Certificate fields the store keeps and the PKI layer decides on: key usage,
 * issuer, key identifiers, cA, issuance, revocation pointers (RFC 5280
 * §4.2.1.13, §4.2.2.1) and the RFC 4262 SMIMECapabilities extension. */
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "crypto/internal.h"

/* URLs taken from one certificate, and the longest one kept: what the store's
 * CRL source column holds. */
#define CERT_MAX_URLS 8u
#define CERT_MAX_URL_LEN 1023u

unsigned cachet_cert_key_usage(const cachet_cert *cert) {
    static const struct {
        uint32_t ossl;
        unsigned ours;
    } bits[] = {
        {KU_DIGITAL_SIGNATURE, CACHET_CERT_KU_DIGITAL_SIGNATURE},
        {KU_NON_REPUDIATION, CACHET_CERT_KU_NON_REPUDIATION},
        {KU_KEY_ENCIPHERMENT, CACHET_CERT_KU_KEY_ENCIPHERMENT},
        {KU_DATA_ENCIPHERMENT, CACHET_CERT_KU_DATA_ENCIPHERMENT},
        {KU_KEY_AGREEMENT, CACHET_CERT_KU_KEY_AGREEMENT},
        {KU_KEY_CERT_SIGN, CACHET_CERT_KU_KEY_CERT_SIGN},
        {KU_CRL_SIGN, CACHET_CERT_KU_CRL_SIGN},
        {KU_ENCIPHER_ONLY, CACHET_CERT_KU_ENCIPHER_ONLY},
        {KU_DECIPHER_ONLY, CACHET_CERT_KU_DECIPHER_ONLY},
    };
    uint32_t flags = X509_get_extension_flags(cert->x509);
    /* Extensions that do not decode grant nothing (as the key usage checks in
     * cert.c); only a cleanly absent extension reads as "absent". */
    if (flags & EXFLAG_INVALID) {
        ERR_clear_error();
        return 0;
    }
    if ((flags & EXFLAG_KUSAGE) == 0) {
        ERR_clear_error();
        return CACHET_CERT_KU_ABSENT;
    }
    uint32_t ku = X509_get_key_usage(cert->x509);
    ERR_clear_error();
    unsigned out = 0;
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        if (ku & bits[i].ossl) {
            out |= bits[i].ours;
        }
    }
    return out;
}

void cachet_cert_issuer(const cachet_cert *cert, char *out, size_t out_len) {
    cachet_crypto_name_text(X509_get_issuer_name(cert->x509), out, out_len);
}

bool cachet_cert_aki(const cachet_cert *cert, const uint8_t **out, size_t *out_len) {
    return cachet_crypto_key_id(X509_get0_authority_key_id(cert->x509), out, out_len);
}

bool cachet_cert_is_ca(const cachet_cert *cert) {
    uint32_t flags = X509_get_extension_flags(cert->x509);
    ERR_clear_error();
    return (flags & EXFLAG_INVALID) == 0 && (flags & EXFLAG_BCONS) != 0 && (flags & EXFLAG_CA) != 0;
}

/* key_ids_agree: when |cert| names its issuer's key and |issuer| has a key
 * identifier, they must be the same (RFC 5280 §4.2.1.1); either missing says
 * nothing. */
static bool key_ids_agree(const cachet_cert *cert, const cachet_cert *issuer) {
    const uint8_t *aki = NULL;
    const uint8_t *ski = NULL;
    size_t aki_len = 0;
    size_t ski_len = 0;
    if (!cachet_cert_aki(cert, &aki, &aki_len) || !cachet_cert_ski(issuer, &ski, &ski_len)) {
        return true;
    }
    return aki_len == ski_len && memcmp(aki, ski, aki_len) == 0;
}

bool cachet_cert_issued_by(const cachet_cert *cert, const cachet_cert *issuer) {
    if (cert == NULL || issuer == NULL) {
        return false;
    }
    bool ok =
        X509_NAME_cmp(X509_get_issuer_name(cert->x509), X509_get_subject_name(issuer->x509)) == 0 &&
        key_ids_agree(cert, issuer);
    if (ok) {
        EVP_PKEY *pub = X509_get0_pubkey(issuer->x509);
        ok = pub != NULL && X509_verify(cert->x509, pub) == 1;
    }
    ERR_clear_error();
    return ok;
}

typedef struct url_set {
    char **items;
    size_t num;
    bool failed;
} url_set;

/* add_url keeps http:// URLs of printable ASCII only: they end up in requests
 * we make, in the store and in messages, where a control character or a space
 * could smuggle a second line or change what is shown. */
static void add_url(url_set *s, const GENERAL_NAME *g) {
    static const char scheme[] = "http://";
    if (s->failed || s->num >= CERT_MAX_URLS || g == NULL || g->type != GEN_URI) {
        return;
    }
    const unsigned char *data = ASN1_STRING_get0_data(g->d.uniformResourceIdentifier);
    int len = ASN1_STRING_length(g->d.uniformResourceIdentifier);
    size_t slen = sizeof(scheme) - 1;
    if (data == NULL || len <= (int)slen || (size_t)len > CERT_MAX_URL_LEN ||
        strncasecmp((const char *)data, scheme, slen) != 0) {
        return;
    }
    for (int i = 0; i < len; i++) {
        if (data[i] <= 0x20 || data[i] >= 0x7f) {
            return;
        }
    }
    for (size_t i = 0; i < s->num; i++) {
        if (strlen(s->items[i]) == (size_t)len &&
            memcmp(s->items[i] + slen, data + slen, (size_t)len - slen) == 0) {
            return;
        }
    }
    char *copy = cachet_malloc((size_t)len + 1);
    if (copy == NULL) {
        s->failed = true;
        return;
    }
    /* The scheme compares case-insensitively (RFC 3986 §3.1); callers see it
     * in one spelling. */
    memcpy(copy, scheme, slen);
    memcpy(copy + slen, data + slen, (size_t)len - slen);
    copy[len] = '\0';
    s->items[s->num++] = copy;
}

static size_t url_set_finish(url_set *s, char ***out) {
    ERR_clear_error();
    if (s->failed || s->num == 0) {
        cachet_cert_emails_free(s->items, s->num);
        return 0;
    }
    *out = s->items;
    return s->num;
}

size_t cachet_cert_crl_urls(const cachet_cert *cert, char ***out) {
    *out = NULL;
    url_set s = {cachet_calloc(CERT_MAX_URLS, sizeof(char *)), 0, false};
    if (s.items == NULL) {
        return 0;
    }
    CRL_DIST_POINTS *dps = X509_get_ext_d2i(cert->x509, NID_crl_distribution_points, NULL, NULL);
    for (int i = 0; dps != NULL && i < sk_DIST_POINT_num(dps); i++) {
        const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        /* Only a full name locates a CRL by itself; a name relative to the
         * issuer (type 1) is not a URL. */
        if (dp->distpoint == NULL || dp->distpoint->type != 0) {
            continue;
        }
        const GENERAL_NAMES *names = dp->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names); j++) {
            add_url(&s, sk_GENERAL_NAME_value(names, j));
        }
    }
    CRL_DIST_POINTS_free(dps);
    return url_set_finish(&s, out);
}

size_t cachet_cert_ocsp_urls(const cachet_cert *cert, char ***out) {
    *out = NULL;
    url_set s = {cachet_calloc(CERT_MAX_URLS, sizeof(char *)), 0, false};
    if (s.items == NULL) {
        return 0;
    }
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(cert->x509, NID_info_access, NULL, NULL);
    for (int i = 0; aia != NULL && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
        const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        if (OBJ_obj2nid(ad->method) == NID_ad_OCSP) {
            add_url(&s, ad->location);
        }
    }
    AUTHORITY_INFO_ACCESS_free(aia);
    return url_set_finish(&s, out);
}

bool cachet_cert_smime_caps(const cachet_cert *cert, const uint8_t **out, size_t *out_len) {
    int idx = X509_get_ext_by_NID(cert->x509, NID_SMIMECapabilities, -1);
    /* RFC 5280 §4.2: an extension appears at most once; two leave it unknown
     * which one a peer reads. */
    bool ok = idx >= 0 && X509_get_ext_by_NID(cert->x509, NID_SMIMECapabilities, idx) < 0;
    if (ok) {
        const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(cert->x509, idx));
        ok = v != NULL && ASN1_STRING_length(v) > 0;
        if (ok) {
            *out = ASN1_STRING_get0_data(v);
            *out_len = (size_t)ASN1_STRING_length(v);
        }
    }
    ERR_clear_error();
    return ok;
}

size_t cachet_cert_common_name(const cachet_cert *cert, char *out, size_t out_len) {
    const X509_NAME *name = X509_get_subject_name(cert->x509);
    size_t count = 0;
    int last = -1, found = -1;
    if (out_len > 0) {
        out[0] = '\0';
    }
    for (;;) {
        last = X509_NAME_get_index_by_NID(name, NID_commonName, last);
        if (last < 0) {
            break;
        }
        found = last;
        count++;
    }
    if (count != 1 || out_len == 0) {
        return count;
    }
    const ASN1_STRING *value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, found));
    unsigned char *utf8 = NULL;
    int n = value != NULL ? ASN1_STRING_to_UTF8(&utf8, value) : -1;
    if (n >= 0) {
        size_t copy = (size_t)n < out_len ? (size_t)n : out_len - 1;
        /* do not cut a UTF-8 sequence in two */
        while (copy > 0 && copy < (size_t)n && (utf8[copy] & 0xc0) == 0x80) {
            copy--;
        }
        size_t j = 0;
        for (size_t i = 0; i < copy; i++) {
            unsigned char c = utf8[i];
            /* C0, DEL and C1 (U+0080..U+009F, UTF-8 C2 80..C2 9F) would reach
             * logs and headers: each becomes one '?' */
            if (c == 0xc2 && i + 1 < copy && utf8[i + 1] >= 0x80 && utf8[i + 1] <= 0x9f) {
                i++;
                c = '?';
            } else if (c < 0x20 || c == 0x7f) {
                c = '?';
            }
            out[j++] = (char)c;
        }
        out[j] = '\0';
    }
    OPENSSL_free(utf8);
    ERR_clear_error();
    return count;
}
