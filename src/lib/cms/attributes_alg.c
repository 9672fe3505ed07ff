/* cms/attributes_alg.c: signatureAlgorithm identifiers of SignerInfo, written
 * and parsed (RFC 3370 §3.2, RFC 5754 §3, RFC 4055/4056, RFC 5758 §3.2,
 * RFC 8419 §2.3-2.4). */
#include <stdio.h>
#include <string.h>

#include "cms/attributes.h"

cachet_sig_scheme cachet_cms_sig_scheme_for_key(const cachet_pkey *key, bool pss) {
    switch (cachet_pkey_type(key)) {
        case CACHET_KEY_RSA:
            return pss ? CACHET_SIG_RSA_PSS : CACHET_SIG_RSA_PKCS1;
        case CACHET_KEY_RSA_PSS:
            return CACHET_SIG_RSA_PSS;
        case CACHET_KEY_EC:
            return CACHET_SIG_ECDSA;
        case CACHET_KEY_ED25519:
            return CACHET_SIG_ED25519;
        case CACHET_KEY_ED448:
            return CACHET_SIG_ED448;
        default:
            return CACHET_SIG_NONE;
    }
}

static cachet_oid ecdsa_oid(cachet_md md) {
    switch (md) {
        case CACHET_MD_SHA1:
            return CACHET_OID_ECDSA_WITH_SHA1;
        case CACHET_MD_SHA224:
            return CACHET_OID_ECDSA_WITH_SHA224;
        case CACHET_MD_SHA256:
            return CACHET_OID_ECDSA_WITH_SHA256;
        case CACHET_MD_SHA384:
            return CACHET_OID_ECDSA_WITH_SHA384;
        case CACHET_MD_SHA512:
            return CACHET_OID_ECDSA_WITH_SHA512;
        default:
            return CACHET_OID_UNKNOWN;
    }
}

/* RFC 4055 §3.1: RSASSA-PSS-params { [0] hashAlgorithm, [1] maskGenAlgorithm
 * (id-mgf1 with the same hash, RFC 4056 §3), [2] saltLength = hash length };
 * trailerField keeps its DEFAULT 1 and is omitted. */
static bool add_pss_params(cachet_cbb *alg, cachet_md md) {
    cachet_cbb params, h, mgf, mgf_alg, salt;
    return cachet_cbb_add_asn1(alg, &params, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_asn1(&params, &h, CACHET_ASN1_CONTEXT_CONS(0)) &&
           cachet_cms_add_digest_alg(&h, md) && cachet_cbb_flush(&params) &&
           cachet_cbb_add_asn1(&params, &mgf, CACHET_ASN1_CONTEXT_CONS(1)) &&
           cachet_cbb_add_asn1(&mgf, &mgf_alg, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_oid(&mgf_alg, CACHET_OID_MGF1) &&
           cachet_cms_add_digest_alg(&mgf_alg, md) && cachet_cbb_flush(&params) &&
           cachet_cbb_add_asn1(&params, &salt, CACHET_ASN1_CONTEXT_CONS(2)) &&
           cachet_cbb_add_asn1_uint64(&salt, cachet_md_size(md)) && cachet_cbb_flush(alg);
}

bool cachet_cms_add_sig_alg(cachet_cbb *cbb, cachet_sig_scheme scheme, cachet_md md) {
    cachet_cbb alg;
    if (!cachet_cbb_add_asn1(cbb, &alg, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    switch (scheme) {
        case CACHET_SIG_RSA_PKCS1:
            /* RFC 3370 §3.2: rsaEncryption with NULL parameters (what openssl cms
             * writes; RFC 5754 §3.2 also allows sha*WithRSAEncryption). */
            if (!cachet_cbb_add_oid(&alg, CACHET_OID_RSA_ENCRYPTION) ||
                !cachet_cbb_add_asn1_null(&alg)) {
                return false;
            }
            break;
        case CACHET_SIG_RSA_PSS:
            if (!cachet_cbb_add_oid(&alg, CACHET_OID_RSASSA_PSS) || !add_pss_params(&alg, md)) {
                return false;
            }
            break;
        case CACHET_SIG_ECDSA:
            /* RFC 5758 §3.2: parameters MUST be absent. */
            if (ecdsa_oid(md) == CACHET_OID_UNKNOWN || !cachet_cbb_add_oid(&alg, ecdsa_oid(md))) {
                return false;
            }
            break;
        case CACHET_SIG_ED25519:
            /* RFC 8419 §2.3 (RFC 8410 §3): parameters MUST be absent. */
            if (!cachet_cbb_add_oid(&alg, CACHET_OID_ED25519)) {
                return false;
            }
            break;
        case CACHET_SIG_ED448:
            /* RFC 8419 §2.4: parameters MUST be absent. */
            if (!cachet_cbb_add_oid(&alg, CACHET_OID_ED448)) {
                return false;
            }
            break;
        default:
            return false;
    }
    return cachet_cbb_flush(cbb);
}

#define FAIL(st, ...)                                                                              \
    do {                                                                                           \
        snprintf(detail, detail_len, __VA_ARGS__);                                                 \
        return (st);                                                                               \
    } while (0)

/* parse_hash_alg reads an AlgorithmIdentifier of a hash inside PSS params. */
static bool parse_hash_alg(cachet_cbs *cbs, cachet_md *out) {
    cachet_oid oid;
    return cachet_cms_parse_digest_alg(cbs, out, &oid) && *out != CACHET_MD_NONE;
}

/* RFC 4055 §3.1 with the DEFAULTs of RFC 4055 (SHA-1, MGF1-SHA-1, 20, 1). */
static bool parse_pss_params(cachet_cbs *params, cachet_pss_params *out) {
    cachet_cbs seq, f;
    bool present;
    uint64_t v;
    out->md = CACHET_MD_SHA1;
    out->mgf1_md = CACHET_MD_SHA1;
    out->salt_len = 20;
    out->trailer = 1;
    if (!cachet_cbs_get_asn1(params, &seq, CACHET_ASN1_SEQUENCE) || params->len != 0) {
        return false;
    }
    if (!cachet_cbs_get_optional_asn1(&seq, &f, &present, CACHET_ASN1_CONTEXT_CONS(0))) {
        return false;
    }
    if (present && (!parse_hash_alg(&f, &out->md) || f.len != 0)) {
        return false;
    }
    if (!cachet_cbs_get_optional_asn1(&seq, &f, &present, CACHET_ASN1_CONTEXT_CONS(1))) {
        return false;
    }
    if (present) {
        cachet_cbs mgf;
        cachet_oid oid;
        if (!cachet_cbs_get_asn1(&f, &mgf, CACHET_ASN1_SEQUENCE) || f.len != 0 ||
            !cachet_cbs_get_oid(&mgf, &oid, NULL) || oid != CACHET_OID_MGF1 ||
            !parse_hash_alg(&mgf, &out->mgf1_md) || mgf.len != 0) {
            return false;
        }
    }
    if (!cachet_cbs_get_optional_asn1(&seq, &f, &present, CACHET_ASN1_CONTEXT_CONS(2))) {
        return false;
    }
    if (present) {
        if (!cachet_cbs_get_asn1_uint64(&f, &v) || f.len != 0 || v > 1024) {
            return false;
        }
        out->salt_len = (unsigned)v;
    }
    if (!cachet_cbs_get_optional_asn1(&seq, &f, &present, CACHET_ASN1_CONTEXT_CONS(3))) {
        return false;
    }
    if (present) {
        if (!cachet_cbs_get_asn1_uint64(&f, &v) || f.len != 0 || v != 1) {
            return false;
        }
    }
    return seq.len == 0;
}

/* absent_or_null: parameters absent or NULL (RFC 5754 §3, RFC 3370 §3.2). */
static bool absent_or_null(cachet_cbs *rest) {
    cachet_cbs n;
    if (rest->len == 0) {
        return true;
    }
    return cachet_cbs_get_asn1(rest, &n, CACHET_ASN1_NULL) && n.len == 0 && rest->len == 0;
}

cachet_status cachet_cms_parse_sig_alg(cachet_cbs *cbs, cachet_cms_sig_alg *out, char *detail,
                                       size_t detail_len) {
    cachet_cbs alg, raw;
    memset(out, 0, sizeof(*out));
    if (!cachet_cbs_get_asn1(cbs, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&alg, &out->oid, &raw)) {
        FAIL(CACHET_ERR_MALFORMED, "malformed signatureAlgorithm");
    }
    switch (out->oid) {
        case CACHET_OID_RSA_ENCRYPTION:
            out->scheme = CACHET_SIG_RSA_PKCS1;
            break;
        case CACHET_OID_MD5_WITH_RSA:
            out->scheme = CACHET_SIG_RSA_PKCS1;
            out->md = CACHET_MD_MD5;
            break;
        case CACHET_OID_SHA1_WITH_RSA:
            out->scheme = CACHET_SIG_RSA_PKCS1;
            out->md = CACHET_MD_SHA1;
            break;
        case CACHET_OID_SHA224_WITH_RSA:
            out->scheme = CACHET_SIG_RSA_PKCS1;
            out->md = CACHET_MD_SHA224;
            break;
        case CACHET_OID_SHA256_WITH_RSA:
            out->scheme = CACHET_SIG_RSA_PKCS1;
            out->md = CACHET_MD_SHA256;
            break;
        case CACHET_OID_SHA384_WITH_RSA:
            out->scheme = CACHET_SIG_RSA_PKCS1;
            out->md = CACHET_MD_SHA384;
            break;
        case CACHET_OID_SHA512_WITH_RSA:
            out->scheme = CACHET_SIG_RSA_PKCS1;
            out->md = CACHET_MD_SHA512;
            break;
        case CACHET_OID_RSASSA_PSS:
            /* RFC 4056 §2: parameters MUST be present. */
            out->scheme = CACHET_SIG_RSA_PSS;
            if (!parse_pss_params(&alg, &out->pss)) {
                FAIL(CACHET_ERR_MALFORMED, "bad or missing RSASSA-PSS-params");
            }
            out->md = out->pss.md;
            return CACHET_OK;
        case CACHET_OID_EC_PUBLIC_KEY:
            out->scheme = CACHET_SIG_ECDSA;
            break;
        case CACHET_OID_ECDSA_WITH_SHA1:
        case CACHET_OID_ECDSA_WITH_SHA224:
        case CACHET_OID_ECDSA_WITH_SHA256:
        case CACHET_OID_ECDSA_WITH_SHA384:
        case CACHET_OID_ECDSA_WITH_SHA512:
            out->scheme = CACHET_SIG_ECDSA;
            out->md = out->oid == CACHET_OID_ECDSA_WITH_SHA1     ? CACHET_MD_SHA1
                      : out->oid == CACHET_OID_ECDSA_WITH_SHA224 ? CACHET_MD_SHA224
                      : out->oid == CACHET_OID_ECDSA_WITH_SHA256 ? CACHET_MD_SHA256
                      : out->oid == CACHET_OID_ECDSA_WITH_SHA384 ? CACHET_MD_SHA384
                                                                 : CACHET_MD_SHA512;
            break;
        case CACHET_OID_ED25519:
            out->scheme = CACHET_SIG_ED25519;
            if (alg.len != 0) {
                FAIL(CACHET_ERR_MALFORMED, "id-Ed25519 with parameters (RFC 8410 §3)");
            }
            return CACHET_OK;
        case CACHET_OID_ED448:
            out->scheme = CACHET_SIG_ED448;
            if (alg.len != 0) {
                FAIL(CACHET_ERR_MALFORMED, "id-Ed448 with parameters (RFC 8419 §2.4)");
            }
            return CACHET_OK;
        case CACHET_OID_DSA:
            out->scheme = CACHET_SIG_DSA;
            break;
        case CACHET_OID_DSA_WITH_SHA1:
            out->scheme = CACHET_SIG_DSA;
            out->md = CACHET_MD_SHA1;
            break;
        case CACHET_OID_DSA_WITH_SHA224:
            /* RFC 5754 §3.1 defines DSA with SHA-224 and SHA-256 only. */
            out->scheme = CACHET_SIG_DSA;
            out->md = CACHET_MD_SHA224;
            break;
        case CACHET_OID_DSA_WITH_SHA256:
            out->scheme = CACHET_SIG_DSA;
            out->md = CACHET_MD_SHA256;
            break;
        default: {
            char text[64];
            if (!cachet_cbs_oid_to_text(&raw, text, sizeof(text))) {
                snprintf(text, sizeof(text), "?");
            }
            FAIL(CACHET_ERR_UNSUPPORTED, "unsupported signatureAlgorithm %s", text);
        }
    }
    if (!absent_or_null(&alg)) {
        FAIL(CACHET_ERR_MALFORMED, "unexpected signatureAlgorithm parameters");
    }
    return CACHET_OK;
}

const char *cachet_cms_sig_alg_name(const cachet_cms_sig_alg *alg) {
    switch (alg->oid) {
        case CACHET_OID_RSA_ENCRYPTION:
            return "rsaEncryption";
        case CACHET_OID_RSASSA_PSS:
            return "rsassa-pss";
        case CACHET_OID_ED25519:
            return "ed25519";
        case CACHET_OID_ED448:
            return "ed448";
        case CACHET_OID_UNKNOWN:
            return "unknown";
        default:
            return cachet_oid_name(alg->oid);
    }
}
