/* cms/multisig.c: RFC 5752 multipleSignatures: writing the attribute, the
 * signAttrsHash of a SignerInfo, reading it for a signature that verified, and
 * matching its values against the SignerInfos present (multisig.h). */
#include <stdio.h>
#include <string.h>

#include "cms/multisig.h"

/* One MultipleSignatures value (RFC 5752 §3); views into the attribute. */
typedef struct ms_value {
    cachet_cbs body_alg; /* bodyHashAlg element */
    cachet_md body_md;
    cachet_oid body_oid;
    cachet_cbs sign_alg; /* signAlg element */
    cachet_cbs hash_alg; /* signAttrsHash.algID element */
    cachet_md hash_md;
    cachet_cbs hash; /* signAttrsHash.hash contents */
    bool has_cert;
    cachet_cbs cert; /* cert (ESSCertIDv2) element */
    cachet_md cert_md;
    cachet_cbs cert_hash; /* ESSCertIDv2.certHash contents */
} ms_value;

/* MultipleSignatures ::= SEQUENCE { bodyHashAlg, signAlg, signAttrsHash
 * SEQUENCE { algID, hash OCTET STRING }, cert ESSCertIDv2 OPTIONAL }. */
static bool parse_value(cachet_cbs *vals, ms_value *v) {
    cachet_cbs seq, tmp, sah;
    memset(v, 0, sizeof(*v));
    if (!cachet_cbs_get_asn1(vals, &seq, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1_element(&seq, &v->body_alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1_element(&seq, &v->sign_alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&seq, &sah, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    tmp = v->body_alg;
    if (!cachet_cms_parse_digest_alg(&tmp, &v->body_md, &v->body_oid) || tmp.len != 0) {
        return false;
    }
    if (!cachet_cbs_get_asn1_element(&sah, &v->hash_alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&sah, &v->hash, CACHET_ASN1_OCTETSTRING) || sah.len != 0) {
        return false;
    }
    tmp = v->hash_alg;
    if (!cachet_cms_parse_digest_alg(&tmp, &v->hash_md, NULL) || tmp.len != 0) {
        return false;
    }
    if (seq.len == 0) {
        return true;
    }
    /* ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL } */
    cachet_cbs id, serial;
    if (!cachet_cbs_get_asn1_element(&seq, &v->cert, CACHET_ASN1_SEQUENCE) || seq.len != 0) {
        return false;
    }
    tmp = v->cert;
    v->has_cert = true;
    v->cert_md = CACHET_MD_SHA256;
    if (!cachet_cbs_get_asn1(&tmp, &id, CACHET_ASN1_SEQUENCE) ||
        (cachet_cbs_peek_asn1_tag(&id, CACHET_ASN1_SEQUENCE) &&
         !cachet_cms_parse_digest_alg(&id, &v->cert_md, NULL)) ||
        !cachet_cbs_get_asn1(&id, &v->cert_hash, CACHET_ASN1_OCTETSTRING)) {
        return false;
    }
    if (id.len > 0 && !cachet_cbs_get_asn1(&id, &serial, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    return id.len == 0;
}

/* find_values: the attrValues SET contents of the multipleSignatures attribute
 * in |attrs| (SET contents); false if there is none. */
static bool find_values(const cachet_cbs *attrs, cachet_cbs *values) {
    cachet_cbs rest = *attrs;
    while (rest.len > 0) {
        cachet_cbs attr, raw;
        cachet_oid type;
        if (!cachet_cbs_get_asn1(&rest, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_oid(&attr, &type, &raw)) {
            return false;
        }
        if (cachet_oid_lookup_cbs(&raw) == CACHET_OID_ATTR_MULTIPLE_SIGNATURES) {
            return cachet_cbs_get_asn1(&attr, values, CACHET_ASN1_SET);
        }
    }
    return false;
}

/* ---- Writing ---- */

/* ESSCertIDv2 (RFC 5035 §4) with the DEFAULT SHA-256 omitted. */
static bool add_ess_cert_id(cachet_cbb *cbb, const cachet_cert *cert) {
    uint8_t hash[32];
    cachet_cert_sha256(cert, hash);
    return cachet_cms_add_ess_cert_id(cbb, hash, sizeof(hash), cert);
}

bool cachet_cms_multisig_add_attr(cachet_cbb *set, const cachet_cms_multisig_peer *peers, size_t n,
                                  size_t self, const uint8_t (*hashes)[CACHET_MD_MAX_SIZE]) {
    static const uint8_t empty[1] = {0};
    cachet_cbb attr, vals, v, sah;
    if (!cachet_cbb_add_asn1(set, &attr, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_MULTIPLE_SIGNATURES) ||
        !cachet_cbb_add_asn1(&attr, &vals, CACHET_ASN1_SET)) {
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        if (k == self) {
            continue;
        }
        const uint8_t *h = hashes != NULL ? hashes[k] : empty;
        size_t h_len = hashes != NULL ? cachet_md_size(peers[self].md) : 0;
        if (!cachet_cbb_add_asn1(&vals, &v, CACHET_ASN1_SEQUENCE) ||
            !cachet_cms_add_digest_alg(&v, peers[k].md) ||
            !cachet_cms_add_sig_alg(&v, peers[k].scheme, peers[k].md) ||
            !cachet_cbb_add_asn1(&v, &sah, CACHET_ASN1_SEQUENCE) ||
            !cachet_cms_add_digest_alg(&sah, peers[self].md) ||
            !cachet_cbb_add_asn1_octet_string(&sah, h, h_len) || !cachet_cbb_flush(&v) ||
            !add_ess_cert_id(&v, peers[k].cert) || !cachet_cbb_flush(&vals)) {
            return false;
        }
    }
    return cachet_cbb_flush_asn1_set_of(&vals) && cachet_cbb_flush(set);
}

/* peer_extras: peers[i].extra then its multipleSignatures attribute with
 * |hashes| (NULL: the empty placeholders). */
static bool peer_extras(const cachet_cms_multisig_peer *peers, size_t n, size_t i,
                        const uint8_t (*hashes)[CACHET_MD_MAX_SIZE], cachet_membuf *out) {
    cachet_cbb cbb;
    uint8_t *der = NULL;
    size_t len = 0;
    out->len = 0;
    if (!cachet_cbb_init(&cbb, 512 + peers[i].extra_len, 0)) {
        return false;
    }
    bool ok = (peers[i].extra_len == 0 ||
               cachet_cbb_add_bytes(&cbb, peers[i].extra, peers[i].extra_len)) &&
              cachet_cms_multisig_add_attr(&cbb, peers, n, i, hashes) &&
              cachet_cbb_finish(&cbb, &der, &len);
    if (!ok) {
        cachet_cbb_cleanup(&cbb);
        return false;
    }
    ok = cachet_membuf_append(out, der, len);
    cachet_free(der);
    return ok;
}

bool cachet_cms_multisig_extras(const cachet_cms_multisig_peer *peers, size_t n,
                                cachet_oid content_type, int64_t signing_time,
                                cachet_membuf *extras) {
    uint8_t *hashes = cachet_calloc(n * n, CACHET_MD_MAX_SIZE);
    bool ok = hashes != NULL;
#define HASH(i, k) (hashes + ((i)*n + (k)) * CACHET_MD_MAX_SIZE)
    for (size_t k = 0; ok && k < n; k++) {
        cachet_cbb attrs;
        uint8_t *der = NULL;
        size_t der_len = 0;
        ok = peer_extras(peers, n, k, NULL, &extras[k]) && cachet_cbb_init(&attrs, 2048, 0);
        if (!ok) {
            break;
        }
        ok = cachet_cms_build_signed_attrs(
                 &attrs, content_type, peers[k].digest, cachet_md_size(peers[k].md), signing_time,
                 peers[k].cert, peers[k].signature_types, extras[k].data, extras[k].len) &&
             cachet_cbb_finish(&attrs, &der, &der_len);
        if (!ok) {
            cachet_cbb_cleanup(&attrs);
            break;
        }
        for (size_t i = 0; ok && i < n; i++) {
            ok = i == k || cachet_md_oneshot(peers[i].md, der, der_len, HASH(i, k));
        }
        cachet_free(der);
    }
    for (size_t i = 0; ok && i < n; i++) {
        ok = peer_extras(peers, n, i, (const uint8_t(*)[CACHET_MD_MAX_SIZE])HASH(i, 0), &extras[i]);
    }
#undef HASH
    cachet_free(hashes);
    return ok;
}

/* add_placeholder re-encodes a multipleSignatures attribute with every
 * signAttrsHash.hash empty, as it stood when the hashes were computed. */
static bool add_placeholder(cachet_cbb *set, cachet_cbs values) {
    static const uint8_t empty[1] = {0};
    cachet_cbb attr, vals, v, sah;
    if (!cachet_cbb_add_asn1(set, &attr, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_MULTIPLE_SIGNATURES) ||
        !cachet_cbb_add_asn1(&attr, &vals, CACHET_ASN1_SET)) {
        return false;
    }
    while (values.len > 0) {
        ms_value mv;
        if (!parse_value(&values, &mv) || !cachet_cbb_add_asn1(&vals, &v, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbb_add_bytes(&v, mv.body_alg.data, mv.body_alg.len) ||
            !cachet_cbb_add_bytes(&v, mv.sign_alg.data, mv.sign_alg.len) ||
            !cachet_cbb_add_asn1(&v, &sah, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbb_add_bytes(&sah, mv.hash_alg.data, mv.hash_alg.len) ||
            !cachet_cbb_add_asn1_octet_string(&sah, empty, 0) || !cachet_cbb_flush(&v) ||
            (mv.has_cert && !cachet_cbb_add_bytes(&v, mv.cert.data, mv.cert.len)) ||
            !cachet_cbb_flush(&vals)) {
            return false;
        }
    }
    return cachet_cbb_flush_asn1_set_of(&vals) && cachet_cbb_flush(set);
}

bool cachet_cms_multisig_attrs_hash(const cachet_cbs *attrs, cachet_md md,
                                    cachet_cms_multisig_form form, uint8_t *out) {
    cachet_cbb cbb, set;
    cachet_cbs rest = *attrs;
    uint8_t *der = NULL;
    size_t der_len = 0;
    if (md == CACHET_MD_NONE || cachet_md_size(md) == 0 ||
        !cachet_cbb_init(&cbb, attrs->len + 64, 0)) {
        return false;
    }
    bool ok = cachet_cbb_add_asn1(&cbb, &set, CACHET_ASN1_SET);
    while (ok && rest.len > 0) {
        cachet_cbs elem, outer, attr, values, raw;
        cachet_oid type;
        ok = cachet_cbs_get_asn1_element(&rest, &elem, CACHET_ASN1_SEQUENCE);
        outer = elem;
        ok = ok && cachet_cbs_get_asn1(&outer, &attr, CACHET_ASN1_SEQUENCE) &&
             cachet_cbs_get_oid(&attr, &type, &raw);
        if (!ok) {
            break;
        }
        if (cachet_oid_lookup_cbs(&raw) != CACHET_OID_ATTR_MULTIPLE_SIGNATURES) {
            ok = cachet_cbb_add_bytes(&set, elem.data, elem.len);
        } else if (form == CACHET_CMS_MULTISIG_PLACEHOLDER) {
            ok = cachet_cbs_get_asn1(&attr, &values, CACHET_ASN1_SET) &&
                 add_placeholder(&set, values);
        }
    }
    /* DER (X.690 §11.6): a placeholder may sort elsewhere than the final value */
    ok = ok && cachet_cbb_flush_asn1_set_of(&set) && cachet_cbb_finish(&cbb, &der, &der_len);
    if (!ok) {
        cachet_cbb_cleanup(&cbb);
        return false;
    }
    ok = cachet_md_oneshot(md, der, der_len, out);
    cachet_free(der);
    return ok;
}

/* ---- Reading (verify hook) ---- */

#define FAIL(st, ...)                                                                              \
    do {                                                                                           \
        snprintf(detail, detail_len, __VA_ARGS__);                                                 \
        return (st);                                                                               \
    } while (0)

cachet_status cachet_cms_multisig_read(const cachet_cbs *signed_attrs, cachet_signer_report *rep,
                                       char *detail, size_t detail_len) {
    cachet_cbs values;
    size_t count = 0;
    if (!find_values(signed_attrs, &values)) {
        return CACHET_OK;
    }
    while (values.len > 0) {
        ms_value v;
        if (++count > CACHET_CMS_MULTISIG_MAX) {
            FAIL(CACHET_ERR_LIMIT, "more than %d multipleSignatures values",
                 CACHET_CMS_MULTISIG_MAX);
        }
        if (!parse_value(&values, &v)) {
            FAIL(CACHET_ERR_ATTRIBUTES,
                 "multipleSignatures value %zu is malformed (RFC 5752 "
                 "section 3)",
                 count - 1);
        }
        /* §3: algID MUST be the digest of the SignerInfo that holds the value. */
        if (v.hash_md == CACHET_MD_NONE || strcmp(cachet_md_name(v.hash_md), rep->digest) != 0) {
            FAIL(CACHET_ERR_ATTRIBUTES,
                 "multipleSignatures value %zu: signAttrsHash.algID %s is not this SignerInfo's "
                 "digestAlgorithm %s (RFC 5752 section 3)",
                 count - 1, v.hash_md == CACHET_MD_NONE ? "(unknown)" : cachet_md_name(v.hash_md),
                 rep->digest);
        }
        if (v.hash.len != cachet_md_size(v.hash_md) &&
            (v.body_md == CACHET_MD_NONE || v.hash.len != cachet_md_size(v.body_md))) {
            FAIL(CACHET_ERR_ATTRIBUTES,
                 "multipleSignatures value %zu: signAttrsHash.hash is %zu bytes, not a %s digest",
                 count - 1, v.hash.len, cachet_md_name(v.hash_md));
        }
        if (v.has_cert &&
            (v.cert_md == CACHET_MD_NONE || v.cert_hash.len != cachet_md_size(v.cert_md))) {
            FAIL(CACHET_ERR_ATTRIBUTES,
                 "multipleSignatures value %zu: cert (ESSCertIDv2) has an unknown hash "
                 "algorithm or a hash of the wrong size",
                 count - 1);
        }
    }
    cachet_ess_info *ess = cachet_cms_ess_info_get(rep);
    if (ess == NULL) {
        FAIL(CACHET_ERR_NOMEM, "out of memory");
    }
    ess->multiple_signatures = true;
    return CACHET_OK;
}

/* ---- Cross-check (signed_finish.c) ---- */

void cachet_cms_multisig_si_parse(const cachet_cbs *si, cachet_cms_multisig_si *out) {
    cachet_cbs in = *si, body;
    uint64_t version;
    memset(out, 0, sizeof(*out));
    if (!cachet_cbs_get_asn1(&in, &body, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1_uint64(&body, &version) ||
        !cachet_cbs_get_any_asn1_element(&body, &out->sid, NULL, NULL) ||
        !cachet_cms_parse_digest_alg(&body, &out->md, &out->md_oid)) {
        return;
    }
    if (cachet_cbs_peek_asn1_tag(&body, CACHET_ASN1_CONTEXT_CONS(0))) {
        if (!cachet_cbs_get_asn1(&body, &out->signed_attrs, CACHET_ASN1_CONTEXT_CONS(0))) {
            return;
        }
        out->has_signed = true;
    }
    out->parsed = cachet_cbs_get_asn1_element(&body, &out->sig_alg, CACHET_ASN1_SEQUENCE);
}

/* hash_matches: |v| holds the signAttrsHash of the signedAttrs of |si|, in
 * either form, with algID's digest or (as the RFC 5752 example message in
 * pyasn1-alt-modules computes it) the named SignerInfo's own, bodyHashAlg. */
static bool hash_matches(cachet_cms_multisig_si *si, const ms_value *v) {
    static const cachet_cms_multisig_form forms[] = {CACHET_CMS_MULTISIG_PLACEHOLDER,
                                                     CACHET_CMS_MULTISIG_STRIPPED};
    const cachet_md mds[] = {v->hash_md, v->body_md};
    for (size_t m = 0; m < sizeof(mds) / sizeof(mds[0]); m++) {
        cachet_md md = mds[m];
        if (md == CACHET_MD_NONE || md > CACHET_MD_SHAKE256_512 ||
            cachet_md_size(md) != v->hash.len || (m > 0 && md == mds[0])) {
            continue;
        }
        for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
            if (si->hash_state[f][md] == 0) {
                si->hash_state[f][md] =
                    cachet_cms_multisig_attrs_hash(&si->signed_attrs, md, forms[f], si->hash[f][md])
                        ? 1
                        : 2;
            }
            if (si->hash_state[f][md] == 1 &&
                cachet_cbs_mem_equal(&v->hash, si->hash[f][md], v->hash.len)) {
                return true;
            }
        }
    }
    return false;
}

/* sig_alg_of parses a signatureAlgorithm element; false if unknown or bad. */
static bool sig_alg_of(const cachet_cbs *elem, cachet_cms_sig_alg *out) {
    char scratch[96];
    cachet_cbs tmp = *elem;
    memset(out, 0, sizeof(*out));
    return cachet_cms_parse_sig_alg(&tmp, out, scratch, sizeof(scratch)) == CACHET_OK;
}

/* Equal encodings, or the same algorithm written another way (NULL or absent
 * parameters for rsaEncryption, RFC 3370 §3.2). */
static bool sig_alg_matches(const cachet_cbs *a, const cachet_cbs *b) {
    cachet_cms_sig_alg pa, pb;
    if (cachet_cbs_mem_equal(a, b->data, b->len)) {
        return true;
    }
    return sig_alg_of(a, &pa) && sig_alg_of(b, &pb) && pa.oid == pb.oid && pa.scheme == pb.scheme &&
           pa.md == pb.md &&
           (pa.scheme != CACHET_SIG_RSA_PSS ||
            (pa.pss.md == pb.pss.md && pa.pss.mgf1_md == pb.pss.mgf1_md &&
             pa.pss.salt_len == pb.pss.salt_len));
}

static const char *sig_alg_name(const cachet_cbs *elem) {
    cachet_cms_sig_alg a;
    return sig_alg_of(elem, &a) ? cachet_cms_sig_alg_name(&a) : "(unknown)";
}

static const cachet_cert *cert_for(const cachet_cms_multisig_si *si, const cachet_cert *verified,
                                   const cachet_cert_list *pool) {
    if (verified != NULL) {
        return verified;
    }
    for (size_t i = 0; pool != NULL && i < pool->num; i++) {
        if (cachet_cms_sid_matches(&si->sid, pool->certs[i])) {
            return pool->certs[i];
        }
    }
    return NULL;
}

static bool cert_matches(const cachet_cert *cert, const ms_value *v) {
    uint8_t h[CACHET_MD_MAX_SIZE];
    size_t der_len = 0;
    const uint8_t *der = cachet_cert_der(cert, &der_len);
    return der != NULL && cachet_md_oneshot(v->cert_md, der, der_len, h) &&
           cachet_cbs_mem_equal(&v->cert_hash, h, cachet_md_size(v->cert_md));
}

bool cachet_cms_multisig_same_subject(const cachet_cert *a, const cachet_cert *b) {
    char sa[1024], sb[1024];
    cachet_cert_subject(a, sa, sizeof(sa));
    cachet_cert_subject(b, sb, sizeof(sb));
    return sa[0] != '\0' && strcmp(sa, sb) == 0;
}

bool cachet_cms_multisig_resolve(cachet_cms_multisig_si *sis, size_t n, size_t self,
                                 cachet_cert *const *certs, const cachet_cert_list *pool,
                                 bool *linked, char *detail, size_t detail_len) {
    const cachet_cert *self_cert = certs != NULL ? certs[self] : NULL;
    cachet_cbs values;
    if (!sis[self].parsed || !sis[self].has_signed ||
        !find_values(&sis[self].signed_attrs, &values)) {
        return true;
    }
    for (size_t k = 0; values.len > 0; k++) {
        ms_value v;
        size_t hit = n;
        if (!parse_value(&values, &v)) {
            FAIL(false, "multipleSignatures value %zu is malformed (RFC 5752 section 3)", k);
        }
        for (size_t j = 0; j < n && hit == n; j++) {
            if (j == self || !sis[j].parsed || !sis[j].has_signed || !hash_matches(&sis[j], &v)) {
                continue;
            }
            hit = j;
        }
        if (hit == n) {
            FAIL(false,
                 "multipleSignatures value %zu (bodyHashAlg %s, signAlg %s) names a SignerInfo "
                 "that is not in this SignedData: a signature of this signer was removed or "
                 "altered (RFC 5752 sections 1 and 4.6)",
                 k, v.body_md != CACHET_MD_NONE ? cachet_md_name(v.body_md) : "(unknown)",
                 sig_alg_name(&v.sign_alg));
        }
        const cachet_cms_multisig_si *o = &sis[hit];
        if (v.body_md != o->md || v.body_oid != o->md_oid) {
            FAIL(false,
                 "multipleSignatures value %zu names signerInfos[%zu] but its bodyHashAlg is not "
                 "that SignerInfo's digestAlgorithm (RFC 5752 section 3)",
                 k, hit);
        }
        if (!sig_alg_matches(&v.sign_alg, &o->sig_alg)) {
            FAIL(false,
                 "multipleSignatures value %zu names signerInfos[%zu] but its signAlg %s is not "
                 "that SignerInfo's signatureAlgorithm %s (RFC 5752 section 3)",
                 k, hit, sig_alg_name(&v.sign_alg), sig_alg_name(&o->sig_alg));
        }
        const cachet_cert *c = cert_for(o, certs != NULL ? certs[hit] : NULL, pool);
        if (v.has_cert && c != NULL && !cert_matches(c, &v)) {
            FAIL(false,
                 "multipleSignatures value %zu names signerInfos[%zu] but its cert does not "
                 "name that SignerInfo's certificate (RFC 5752 section 3)",
                 k, hit);
        }
        /* the claim links only signatures of one subject (RFC 4853 §3: one signer) */
        linked[hit] =
            self_cert != NULL && c != NULL && cachet_cms_multisig_same_subject(self_cert, c);
    }
    return true;
}
