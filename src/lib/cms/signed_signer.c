/* cms/signed_signer.c: verification of one SignerInfo (RFC 5652 §5.3-§5.6) with
 * the checks of ATTACKS.md SG-03..SG-06, SG-10..SG-12 and the algorithm policy. */
#include <stdio.h>
#include <string.h>

#include "cms/attributes.h"
#include "cms/countersign.h"

/* The largest RSA signer key verified (ATTACKS CE-10 suggests 8192 or 16384). */
#define CACHET_CMS_MAX_RSA_BITS 16384u

typedef struct parsed_si {
    uint64_t version;
    cachet_cbs sid;
    bool sid_is_ski;
    cachet_md md;
    bool has_signed;
    cachet_cbs signed_elem;  /* the whole [0] element */
    cachet_cbs signed_attrs; /* its contents */
    cachet_cms_sig_alg alg;
    cachet_cbs sig;
    bool has_unsigned;
    cachet_cbs unsigned_attrs;
} parsed_si;

/* A countersignature (RFC 5652 §11.4): what it signs and how deep it sits. */
typedef struct cs_parent {
    const cachet_cbs *sig; /* contents of the parent's signature OCTET STRING */
    unsigned depth;        /* 0: countersigns a SignerInfo of signerInfos */
} cs_parent;

#define FAIL(st, ...)                                                                              \
    do {                                                                                           \
        snprintf(rep->signature_detail, sizeof(rep->signature_detail), __VA_ARGS__);               \
        return (st);                                                                               \
    } while (0)

/* RFC 5652 §5.3: SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm,
 * signedAttrs [0] IMPLICIT OPTIONAL, signatureAlgorithm, signature,
 * unsignedAttrs [1] IMPLICIT OPTIONAL }. */
static cachet_status parse_si(const cachet_cbs *in, parsed_si *p, cachet_signer_report *rep) {
    cachet_cbs copy = *in, si;
    cachet_oid md_oid;
    memset(p, 0, sizeof(*p));
    if (!cachet_cbs_get_asn1(&copy, &si, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1_uint64(&si, &p->version)) {
        FAIL(CACHET_ERR_MALFORMED, "malformed SignerInfo");
    }
    if (cachet_cbs_peek_asn1_tag(&si, CACHET_ASN1_SEQUENCE)) {
        if (!cachet_cbs_get_asn1_element(&si, &p->sid, CACHET_ASN1_SEQUENCE)) {
            FAIL(CACHET_ERR_MALFORMED, "malformed sid");
        }
    } else if (cachet_cbs_get_asn1_element(&si, &p->sid, CACHET_ASN1_CONTEXT(0))) {
        p->sid_is_ski = true;
    } else {
        FAIL(CACHET_ERR_MALFORMED, "malformed sid");
    }
    rep->sid_is_ski = p->sid_is_ski;
    /* §5.3: version 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier. */
    if (p->version != (p->sid_is_ski ? 3u : 1u)) {
        FAIL(CACHET_ERR_MALFORMED, "SignerInfo version %llu does not match its sid",
             (unsigned long long)p->version);
    }
    if (!cachet_cms_parse_digest_alg(&si, &p->md, &md_oid)) {
        FAIL(CACHET_ERR_MALFORMED, "malformed digestAlgorithm");
    }
    if (cachet_cbs_peek_asn1_tag(&si, CACHET_ASN1_CONTEXT_CONS(0))) {
        cachet_cbs tmp = si;
        if (!cachet_cbs_get_asn1_element(&si, &p->signed_elem, CACHET_ASN1_CONTEXT_CONS(0)) ||
            !cachet_cbs_get_asn1(&tmp, &p->signed_attrs, CACHET_ASN1_CONTEXT_CONS(0))) {
            FAIL(CACHET_ERR_MALFORMED, "malformed signedAttrs");
        }
        p->has_signed = true;
    }
    char detail[128] = "";
    cachet_status st = cachet_cms_parse_sig_alg(&si, &p->alg, detail, sizeof(detail));
    snprintf(rep->algorithm, sizeof(rep->algorithm), "%s", cachet_cms_sig_alg_name(&p->alg));
    if (st != CACHET_OK) {
        FAIL(st, "%s", detail);
    }
    if (!cachet_cbs_get_asn1(&si, &p->sig, CACHET_ASN1_OCTETSTRING)) {
        FAIL(CACHET_ERR_MALFORMED, "malformed signature");
    }
    if (cachet_cbs_peek_asn1_tag(&si, CACHET_ASN1_CONTEXT_CONS(1))) {
        if (!cachet_cbs_get_asn1(&si, &p->unsigned_attrs, CACHET_ASN1_CONTEXT_CONS(1))) {
            FAIL(CACHET_ERR_MALFORMED, "malformed unsignedAttrs");
        }
        p->has_unsigned = true;
    }
    if (si.len != 0) {
        FAIL(CACHET_ERR_MALFORMED, "trailing data in SignerInfo");
    }
    if (p->md == CACHET_MD_NONE) {
        FAIL(CACHET_ERR_UNSUPPORTED, "unknown digestAlgorithm");
    }
    snprintf(rep->digest, sizeof(rep->digest), "%s", cachet_md_name(p->md));
    return CACHET_OK;
}

/* SG-12: the hash fixed by the signature algorithm is the digestAlgorithm, PSS
 * uses one hash throughout (RFC 4056 §3) with any salt length the key allows
 * (OpenSSL signs with the maximum, e.g. 222 bytes for RSA-2048/SHA-256; the RSA
 * operation itself rejects an impossible one, the bound only keeps the number
 * sane before it reaches OpenSSL), Ed25519 uses SHA-512 and Ed448 SHAKE256 (512
 * bits) as digestAlgorithm with or without signed attributes (RFC 8419 §3.1,
 * §3.2). */
/* Largest salt of a 16384-bit RSA key. */
#define CACHET_PSS_MAX_SALT 2048u

static cachet_status check_consistency(const parsed_si *p, cachet_signer_report *rep) {
    const cachet_cms_sig_alg *a = &p->alg;
    if (a->md != CACHET_MD_NONE && a->md != p->md) {
        FAIL(CACHET_ERR_BAD_SIGNATURE, "signatureAlgorithm hash differs from digestAlgorithm");
    }
    if (a->scheme == CACHET_SIG_RSA_PSS &&
        (a->pss.mgf1_md != p->md || a->pss.trailer != 1 || a->pss.salt_len > CACHET_PSS_MAX_SALT)) {
        FAIL(CACHET_ERR_BAD_SIGNATURE, "inconsistent RSASSA-PSS parameters");
    }
    if (a->scheme == CACHET_SIG_ED25519 && p->md != CACHET_MD_SHA512) {
        FAIL(CACHET_ERR_BAD_SIGNATURE, "Ed25519 requires digestAlgorithm SHA-512 (RFC 8419)");
    }
    /* Any other digest with Ed448 is a combination RFC 8419 does not define (its
     * MUST, §3.1/§3.2), so it is not processed rather than called a bad signature. */
    if (a->scheme == CACHET_SIG_ED448 && p->md != CACHET_MD_SHAKE256_512) {
        FAIL(CACHET_ERR_UNSUPPORTED,
             "Ed448 requires digestAlgorithm id-shake256-len (512 bits) (RFC 8419 section 3), "
             "not %s",
             cachet_md_name(p->md));
    }
    /* SHAKE256 is defined for SignerInfos only with Ed448 here (RFC 8419); RSA and
     * ECDSA with SHAKE have their own OIDs (RFC 8702 §3) we do not support, and
     * an XOF must not reach the fixed-length digest paths. */
    if (p->md == CACHET_MD_SHAKE256_512 && a->scheme != CACHET_SIG_ED448) {
        FAIL(CACHET_ERR_UNSUPPORTED, "digestAlgorithm SHAKE256 is supported only with Ed448");
    }
    return CACHET_OK;
}

/* RFC 8419 §3: without signedAttrs, EdDSA signs the content itself, which a
 * streaming verifier holds only up to CACHET_CMS_PURE_EDDSA_MAX (signed.h). */
static cachet_status pure_eddsa_content(const cachet_cms_signer_ctx *ctx,
                                        cachet_signer_report *rep) {
    if (ctx->content_over) {
        FAIL(CACHET_ERR_LIMIT,
             "pure EdDSA (EdDSA without signedAttrs) over content larger than %zu bytes is "
             "not supported; have the sender sign with signed attributes (RFC 8419 section "
             "3.1, the S/MIME norm) or send the content in parts under this size",
             CACHET_CMS_PURE_EDDSA_MAX);
    }
    if (!ctx->content_kept) {
        FAIL(CACHET_ERR_UNSUPPORTED, "pure EdDSA needs the content, which was not kept "
                                     "(SHA-512/SHAKE256 was not among the digests computed)");
    }
    return CACHET_OK;
}

static bool key_fits(cachet_sig_scheme scheme, cachet_key_type kt) {
    switch (scheme) {
        case CACHET_SIG_RSA_PKCS1:
            return kt == CACHET_KEY_RSA;
        case CACHET_SIG_RSA_PSS:
            return kt == CACHET_KEY_RSA || kt == CACHET_KEY_RSA_PSS;
        case CACHET_SIG_ECDSA:
            return kt == CACHET_KEY_EC;
        case CACHET_SIG_ED25519:
            return kt == CACHET_KEY_ED25519;
        case CACHET_SIG_ED448:
            return kt == CACHET_KEY_ED448;
        case CACHET_SIG_DSA:
            return kt == CACHET_KEY_DSA;
        default:
            return false;
    }
}

static bool md_is_weak(cachet_md md) {
    return md == CACHET_MD_MD5 || md == CACHET_MD_SHA1;
}

/* One candidate certificate: the outcome of trying it. */
typedef struct attempt {
    cachet_status st;
    char detail[256];
    bool weak;
    cachet_chain_status chain;
    char chain_detail[256];
} attempt;

static void try_cert(const cachet_cms_signer_ctx *ctx, const parsed_si *p,
                     const cachet_cms_attrs_info *ai, const uint8_t *tbs, size_t tbs_len,
                     const uint8_t *digest, const cachet_cert *cert, attempt *a) {
    cachet_pkey *key = cachet_cert_pkey(cert);
    memset(a, 0, sizeof(*a));
    a->chain = CACHET_CHAIN_NOT_CHECKED;
    a->st = CACHET_ERR_BAD_SIGNATURE;
    if (key == NULL) {
        snprintf(a->detail, sizeof(a->detail), "signer certificate key cannot be decoded");
        return;
    }
    cachet_key_type kt = cachet_pkey_type(key);
    const cachet_pss_params *pss = p->alg.scheme == CACHET_SIG_RSA_PSS ? &p->alg.pss : NULL;
    bool ok;
    /* Policy (DESIGN.md principle 5): MD5/SHA-1, DSA and RSA < 2048 are weak;
     * so is a SignerInfo without signedAttrs (SG-03, refused before here
     * unless allow_weak). */
    a->weak =
        md_is_weak(p->md) || kt == CACHET_KEY_DSA ||
        ((kt == CACHET_KEY_RSA || kt == CACHET_KEY_RSA_PSS) && cachet_pkey_bits(key) < 2048) ||
        !p->has_signed;
    if (!key_fits(p->alg.scheme, kt)) {
        snprintf(a->detail, sizeof(a->detail), "signer key type does not fit %s",
                 cachet_cms_sig_alg_name(&p->alg));
        goto out;
    }
    /* An attacker's certificate may carry any key size: one over the cap is
     * refused before any arithmetic on it (ATTACKS CE-10, NSS CVE-2021-43527). */
    if ((kt == CACHET_KEY_RSA || kt == CACHET_KEY_RSA_PSS) &&
        cachet_pkey_bits(key) > CACHET_CMS_MAX_RSA_BITS) {
        a->st = CACHET_ERR_POLICY;
        snprintf(a->detail, sizeof(a->detail), "RSA key of %u bits refused (over %u bits)",
                 cachet_pkey_bits(key), CACHET_CMS_MAX_RSA_BITS);
        goto out;
    }
    if (a->weak && !ctx->policy->allow_weak) {
        a->st = CACHET_ERR_POLICY;
        snprintf(a->detail, sizeof(a->detail), "weak algorithm or key (%s, %u-bit key) refused",
                 cachet_md_name(p->md), cachet_pkey_bits(key));
        goto out;
    }
    if (ai != NULL && ai->has_ess_cert_v2) {
        /* RFC 5035 §5.4: the certificate named by ESSCertIDv2 is the signer's. */
        uint8_t h[CACHET_MD_MAX_SIZE];
        size_t der_len = 0;
        const uint8_t *der = cachet_cert_der(cert, &der_len);
        if (!cachet_md_oneshot(ai->ess_md, der, der_len, h) ||
            !cachet_cbs_mem_equal(&ai->ess_hash, h, cachet_md_size(ai->ess_md))) {
            a->st = CACHET_ERR_ATTRIBUTES;
            snprintf(a->detail, sizeof(a->detail),
                     "signingCertificateV2 does not name this certificate");
            goto out;
        }
    }
    if (tbs != NULL) {
        ok = cachet_verify(key, p->alg.scheme, p->md, pss, tbs, tbs_len, p->sig.data, p->sig.len);
    } else {
        /* §5.4 without signed attributes: the signature is over the content digest. */
        ok = cachet_verify_digest(key, p->alg.scheme, p->md, pss, digest, cachet_md_size(p->md),
                                  p->sig.data, p->sig.len);
    }
    if (!ok) {
        snprintf(a->detail, sizeof(a->detail), "signature does not verify");
        goto out;
    }
    a->st = CACHET_OK;
    if (ctx->policy->trust != NULL) {
        /* SG-14: the path is validated at the verification time, never signingTime. */
        bool weak_path = false;
        a->chain = cachet_trust_verify_policy(ctx->policy->trust, cert, ctx->certs, ctx->at,
                                              ctx->policy->allow_weak, &weak_path, a->chain_detail,
                                              sizeof(a->chain_detail));
        a->weak = a->weak || weak_path;
    } else {
        snprintf(a->chain_detail, sizeof(a->chain_detail), "no trust anchors configured");
    }
out:
    cachet_pkey_free(key);
}

/* §11.4: a countersignature's signedAttrs carry messageDigest (the digest of
 * the parent's signature octets) and no contentType. Without signedAttrs the
 * signature would be over that digest directly, which §11.4 allows; like any
 * SignerInfo without them (SG-03) it is accepted only with the weak policy. */
static cachet_status check_countersig_attrs(const cachet_cms_signer_ctx *ctx, const parsed_si *p,
                                            const uint8_t *digest, cachet_cms_attrs_info *ai,
                                            cachet_signer_report *rep) {
    char detail[200] = "";
    if (!p->has_signed) {
        if (!ctx->policy->allow_weak) {
            FAIL(CACHET_ERR_ATTRIBUTES,
                 "countersignature without signed attributes refused (messageDigest of the "
                 "parent signature missing, RFC 5652 section 11.4); accepted only when weak "
                 "algorithms are allowed (reported weak)");
        }
        return CACHET_OK;
    }
    cachet_status st = cachet_cms_check_countersig_attrs(
        &p->signed_attrs, ctx->limits->max_attributes, ai, detail, sizeof(detail));
    if (st != CACHET_OK) {
        FAIL(st, "signedAttrs: %s", detail);
    }
    rep->has_signing_time = ai->has_signing_time;
    rep->signing_time = ai->signing_time;
    if (ai->message_digest.len != cachet_md_size(p->md)) {
        FAIL(CACHET_ERR_ATTRIBUTES, "messageDigest length %zu is not the %s size",
             ai->message_digest.len, cachet_md_name(p->md));
    }
    if (!cachet_cbs_mem_equal(&ai->message_digest, digest, cachet_md_size(p->md))) {
        FAIL(CACHET_ERR_BAD_SIGNATURE,
             "messageDigest does not match the signature it countersigns (a countersignature "
             "of another signature, or altered)");
    }
    return CACHET_OK;
}

/* Attribute checks of §5.3/§5.6/§11 against the content. */
static cachet_status check_attrs(const cachet_cms_signer_ctx *ctx, const parsed_si *p,
                                 const uint8_t *digest, const cs_parent *cs,
                                 cachet_cms_attrs_info *ai, cachet_signer_report *rep) {
    char detail[200] = "";
    cachet_status st;
    /* Checked before any attribute is walked: a zero limit is a caller's
     * struct that predates the field (the default applies). */
    size_t max_bytes = ctx->limits->max_attribute_bytes != 0 ? ctx->limits->max_attribute_bytes
                                                             : CACHET_CMS_DEFAULT_ATTRIBUTE_BYTES;
    if (p->has_signed && p->signed_attrs.len > max_bytes) {
        FAIL(CACHET_ERR_LIMIT, "signedAttrs of %zu bytes exceeds the limit of %zu attribute bytes",
             p->signed_attrs.len, max_bytes);
    }
    if (p->has_unsigned && p->unsigned_attrs.len > max_bytes) {
        FAIL(CACHET_ERR_LIMIT,
             "unsignedAttrs of %zu bytes exceeds the limit of %zu attribute bytes",
             p->unsigned_attrs.len, max_bytes);
    }
    if (p->has_unsigned) {
        st = cachet_cms_check_unsigned_attrs(&p->unsigned_attrs, ctx->limits->max_attributes,
                                             detail, sizeof(detail));
        if (st != CACHET_OK) {
            FAIL(st, "unsignedAttrs: %s", detail);
        }
    }
    if (cs != NULL) {
        return check_countersig_attrs(ctx, p, digest, ai, rep);
    }
    if (!p->has_signed) {
        /* §5.3: signedAttrs MUST be present when eContentType is not id-data. */
        if (ctx->econtent_type != CACHET_OID_DATA) {
            FAIL(CACHET_ERR_ATTRIBUTES, "no signedAttrs with eContentType other than id-data");
        }
        /* SG-03: without signedAttrs a signature over DER(SignedAttributes) can
         * be replayed as a signature over content (ForgedAttributes); every
         * mainstream S/MIME sender includes them, so their absence is a
         * compatibility case accepted only with the weak policy (DESIGN.md
         * principle 5), and then reported weak (try_cert). */
        if (!ctx->policy->allow_weak) {
            FAIL(CACHET_ERR_ATTRIBUTES,
                 "SignerInfo without signed attributes refused (ForgedAttributes risk, "
                 "ATTACKS SG-03); accepted only when weak algorithms are allowed (reported weak)");
        }
        /* Even then, draft-ietf-lamps-cms-euf-cma-signeddata §5.1 detection. */
        if (ctx->content_forged) {
            FAIL(CACHET_ERR_ATTRIBUTES, "content is a SignedAttributes structure and the "
                                        "signature has no signedAttrs (ForgedAttributes)");
        }
        return CACHET_OK;
    }
    st = cachet_cms_check_signed_attrs(&p->signed_attrs, ctx->limits->max_attributes, ai, detail,
                                       sizeof(detail));
    if (st != CACHET_OK) {
        FAIL(st, "signedAttrs: %s", detail);
    }
    rep->has_signing_time = ai->has_signing_time;
    rep->signing_time = ai->signing_time;
    /* §5.6 / SG-04: contentType attribute equals eContentType. */
    if (!cachet_cbs_mem_equal(&ai->content_type, ctx->econtent_type_raw.data,
                              ctx->econtent_type_raw.len)) {
        FAIL(CACHET_ERR_ATTRIBUTES, "contentType attribute differs from eContentType");
    }
    /* §11.2 / SG-05: messageDigest has the digest's size and value. */
    if (ai->message_digest.len != cachet_md_size(p->md)) {
        FAIL(CACHET_ERR_ATTRIBUTES, "messageDigest length %zu is not the %s size",
             ai->message_digest.len, cachet_md_name(p->md));
    }
    if (!cachet_cbs_mem_equal(&ai->message_digest, digest, cachet_md_size(p->md))) {
        FAIL(CACHET_ERR_BAD_SIGNATURE, "messageDigest does not match the content");
    }
    return CACHET_OK;
}

static cachet_status verify_signer(const cachet_cms_signer_ctx *ctx, const cachet_cbs *si,
                                   const cs_parent *cs, cachet_signer_report *rep,
                                   cachet_cert **out_cert) {
    parsed_si p;
    cachet_cms_attrs_info ai;
    const uint8_t *digest = NULL;
    uint8_t cs_digest[CACHET_MD_MAX_SIZE];
    cachet_status st = parse_si(si, &p, rep);
    if (st != CACHET_OK) {
        return st;
    }
    /* Name the claimed signer even when a later check fails, so a report can say
     * whose signature is invalid; it is replaced below by the certificate that
     * actually verified, and emails (used for address binding) stay empty. */
    for (size_t i = 0; i < ctx->certs->num; i++) {
        if (cachet_cms_sid_matches(&p.sid, ctx->certs->certs[i])) {
            cachet_cert_subject(ctx->certs->certs[i], rep->subject, sizeof(rep->subject));
            rep->num_common_names = cachet_cert_common_name(ctx->certs->certs[i], rep->common_name,
                                                            sizeof(rep->common_name));
            break;
        }
    }
    /* §11.4: a countersignature's "content" is the parent's signature value;
     * its digest is not one of digestAlgorithms (those are over the content). */
    if (cs != NULL && !cachet_md_oneshot(p.md, cs->sig->data, cs->sig->len, cs_digest)) {
        FAIL(CACHET_ERR_UNSUPPORTED, "cannot compute %s", cachet_md_name(p.md));
    }
    /* SG-11: the signer's digest must be announced in digestAlgorithms (§5.1:
     * "message digest algorithm identifiers ... employed by any of the signers"). */
    bool listed = cs != NULL;
    for (size_t i = 0; i < ctx->num_listed; i++) {
        listed = listed || ctx->listed_mds[i] == p.md;
    }
    if (!listed) {
        FAIL(CACHET_ERR_UNSUPPORTED, "digestAlgorithm %s is not in SignedData.digestAlgorithms",
             cachet_md_name(p.md));
    }
    for (size_t i = 0; i < ctx->num_digests && cs == NULL; i++) {
        if (ctx->digest_mds[i] == p.md) {
            digest = ctx->digests[i];
        }
    }
    if (cs != NULL) {
        digest = cs_digest;
    }
    if (digest == NULL && md_is_weak(p.md) && !ctx->policy->allow_weak) {
        /* A weak digest is left out of what detached content computes unless
         * allow_weak; the policy refuses it, as it would once computed, after
         * the refusal of missing signedAttrs that comes first when it is. */
        if (!p.has_signed) {
            st = check_attrs(ctx, &p, NULL, NULL, &ai, rep);
            if (st != CACHET_OK) {
                return st;
            }
        }
        rep->weak = true;
        FAIL(CACHET_ERR_POLICY, "weak algorithm or key (%s) refused", cachet_md_name(p.md));
    }
    if (digest == NULL) {
        FAIL(CACHET_ERR_UNSUPPORTED, "content digest %s was not computed", cachet_md_name(p.md));
    }
    st = check_consistency(&p, rep);
    if (st == CACHET_OK) {
        st = check_attrs(ctx, &p, digest, cs, &ai, rep);
    }
    bool pure =
        (p.alg.scheme == CACHET_SIG_ED25519 || p.alg.scheme == CACHET_SIG_ED448) && !p.has_signed;
    if (st == CACHET_OK && pure && cs == NULL) {
        st = pure_eddsa_content(ctx, rep);
    }
    if (st != CACHET_OK) {
        return st;
    }
    /* §5.4: the signature covers DER(SignedAttributes) with the EXPLICIT SET tag;
     * pure EdDSA (RFC 8419 §3) covers the content (kept in ctx, may be empty). */
    uint8_t *tbs = NULL;
    const uint8_t *tbs_view = NULL;
    size_t tbs_len = 0;
    if (pure && cs != NULL) {
        tbs_view = cs->sig->len > 0 ? cs->sig->data : (const uint8_t *)"";
        tbs_len = cs->sig->len;
    } else if (pure) {
        tbs_view = ctx->content != NULL ? ctx->content : (const uint8_t *)"";
        tbs_len = ctx->content_len;
    } else if (p.has_signed) {
        tbs = cachet_malloc(p.signed_elem.len);
        if (tbs == NULL) {
            return CACHET_ERR_NOMEM;
        }
        memcpy(tbs, p.signed_elem.data, p.signed_elem.len);
        tbs[0] = 0x31;
        tbs_view = tbs;
        tbs_len = p.signed_elem.len;
    }
    /* SG-10: the reported signer is a certificate that matches the sid AND verifies
     * the signature; a path-validated one is preferred. */
    attempt best, cur;
    const cachet_cert *best_cert = NULL;
    size_t candidates = 0;
    memset(&best, 0, sizeof(best));
    best.st = CACHET_ERR_BAD_SIGNATURE;
    best.chain = CACHET_CHAIN_NOT_CHECKED; /* 0 would read as TRUSTED */
    snprintf(best.detail, sizeof(best.detail), "no certificate matches the signer identifier");
    for (size_t i = 0; i < ctx->certs->num; i++) {
        const cachet_cert *c = ctx->certs->certs[i];
        if (!cachet_cms_sid_matches(&p.sid, c)) {
            continue;
        }
        if (candidates == 8) {
            break; /* bound the work an input can ask for: 8 look-alikes are plenty */
        }
        candidates++;
        try_cert(ctx, &p, p.has_signed ? &ai : NULL, tbs_view, tbs_len, digest, c, &cur);
        bool better;
        if (best_cert == NULL && candidates == 1) {
            better = true;
        } else if (cur.st == CACHET_OK) {
            better = best.st != CACHET_OK ||
                     (best.chain != CACHET_CHAIN_TRUSTED && cur.chain == CACHET_CHAIN_TRUSTED);
        } else {
            better = best.st == CACHET_ERR_BAD_SIGNATURE && cur.st != CACHET_ERR_BAD_SIGNATURE;
        }
        if (better) {
            best = cur;
            best_cert = c;
        }
    }
    cachet_free(tbs);
    rep->weak = best.weak;
    rep->chain = best.chain;
    snprintf(rep->chain_detail, sizeof(rep->chain_detail), "%s", best.chain_detail);
    if (best.st != CACHET_OK) {
        if (best_cert == NULL) {
            snprintf(rep->chain_detail, sizeof(rep->chain_detail), "no signer certificate");
        }
        FAIL(best.st, "%s%s", best.detail,
             candidates > 1 ? " (several certificates match the sid)" : "");
    }
    cachet_cert_subject(best_cert, rep->subject, sizeof(rep->subject));
    rep->num_common_names =
        cachet_cert_common_name(best_cert, rep->common_name, sizeof(rep->common_name));
    /* RFC 3183 attributes are reported only for a signature that verified (SG-15). */
    if (p.has_signed) {
        rep->has_signature_type = ai.has_signature_type;
        rep->signature_types = ai.signature_types;
        rep->ml_expansion_history = ai.ml_expansion_history;
    }
    /* issue 7: ESS and richer signatures; any failure makes the signature invalid. */
    char ess_detail[200] = "";
    const cachet_cbs *unsigned_attrs = p.has_unsigned ? &p.unsigned_attrs : NULL;
    if (p.has_signed && cs == NULL) {
        st = cachet_cms_ess_read(&p.signed_attrs, unsigned_attrs, best_cert, rep, ess_detail,
                                 sizeof(ess_detail));
        if (st == CACHET_OK) {
            st =
                cachet_cms_receipt_attrs_read(&p.signed_attrs, rep, ess_detail, sizeof(ess_detail));
        }
        if (st == CACHET_OK) {
            st = cachet_cms_multisig_read(&p.signed_attrs, rep, ess_detail, sizeof(ess_detail));
        }
        if (st != CACHET_OK) {
            FAIL(st, "signedAttrs: %s", ess_detail);
        }
    }
    if (unsigned_attrs != NULL) {
        st = cachet_cms_countersigs_verify_at(ctx, unsigned_attrs, &p.sig,
                                              cs != NULL ? cs->depth + 1 : 0, rep, ess_detail,
                                              sizeof(ess_detail));
        if (st != CACHET_OK) {
            FAIL(st, "unsignedAttrs: %s", ess_detail);
        }
    }
    rep->num_emails = cachet_cert_emails(best_cert, &rep->emails);
    *out_cert = cachet_cert_up_ref((cachet_cert *)best_cert);
    return CACHET_OK;
}

static bool verify_one(const cachet_cms_signer_ctx *ctx, const cachet_cbs *signer_info,
                       const cs_parent *cs, cachet_signer_report *rep, cachet_cert **out_cert) {
    memset(rep, 0, sizeof(*rep));
    rep->address_match = -1;
    rep->chain = CACHET_CHAIN_NOT_CHECKED;
    *out_cert = NULL;
    cachet_status st = verify_signer(ctx, signer_info, cs, rep, out_cert);
    if (st == CACHET_ERR_NOMEM) {
        return false;
    }
    rep->signature_status = st;
    rep->signature_valid = st == CACHET_OK;
    if (st != CACHET_OK) {
        /* SG-15: nothing a signature that failed carries is reported as said */
        cachet_cms_ess_info_free(rep->ess);
        rep->ess = NULL;
    }
    if (st == CACHET_OK) {
        /* SG-14: signingTime is only claimed; implausible values are flagged. */
        int64_t not_before = 0, not_after = 0;
        const char *note = "";
        cachet_cert_validity(*out_cert, &not_before, &not_after);
        if (rep->has_signing_time && rep->signing_time > ctx->at + 300) {
            note = " (claimed signingTime is in the future)";
        } else if (rep->has_signing_time &&
                   (rep->signing_time < not_before || rep->signing_time > not_after)) {
            note = " (claimed signingTime is outside the certificate validity)";
        }
        snprintf(rep->signature_detail, sizeof(rep->signature_detail), "signature valid%s", note);
    }
    return true;
}

bool cachet_cms_verify_signer(const cachet_cms_signer_ctx *ctx, const cachet_cbs *signer_info,
                              cachet_signer_report *rep, cachet_cert **out_cert) {
    return verify_one(ctx, signer_info, NULL, rep, out_cert);
}

bool cachet_cms_verify_countersigner(const cachet_cms_signer_ctx *ctx,
                                     const cachet_cbs *signer_info, const cachet_cbs *parent_sig,
                                     unsigned depth, cachet_signer_report *rep) {
    cs_parent cs = {.sig = parent_sig, .depth = depth};
    cachet_cert *cert = NULL;
    bool ok = verify_one(ctx, signer_info, &cs, rep, &cert);
    cachet_cert_free(cert);
    return ok;
}
