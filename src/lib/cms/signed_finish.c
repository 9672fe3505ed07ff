/* cms/signed_finish.c: the end of SignedData verification (RFC 5652 §5): the
 * DER skeleton is parsed, certificates collected and every SignerInfo checked;
 * the result is a cachet_layer_report and one overall status, with the RFC
 * 4853 / RFC 5752 §5.2 rule for several SignerInfos of one signer. */
#include <stdio.h>
#include <string.h>

#include "cms/countersign.h"
#include "cms/multisig.h"

/* The parts of the skeleton that finish works on. */
typedef struct sd_parts {
    cachet_cbs digest_algs;   /* SET contents */
    cachet_cbs econtent_type; /* OID contents */
    bool has_econtent;
    bool has_certs;
    cachet_cbs certs; /* [0] contents */
    bool has_crls;
    cachet_cbs crls;         /* [1] contents: RevocationInfoChoices */
    cachet_cbs signer_infos; /* SET contents */
} sd_parts;

#define MALFORMED(where, msg) cachet_err_set(e, CACHET_ERR_MALFORMED, where, -1, msg)

/* RFC 5652 §3 ContentInfo and §5.1 SignedData, from the DER skeleton. */
static cachet_status parse_structure(const cachet_cms_verify *v, const cachet_cbs *der, sd_parts *p,
                                     cachet_error *e) {
    cachet_cbs in = *der, ci, wrap, sd, eci, ec;
    cachet_oid oid;
    uint64_t version;
    bool present;
    memset(p, 0, sizeof(*p));
    if (!cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) || in.len != 0 ||
        !cachet_cbs_get_oid(&ci, &oid, NULL)) {
        return MALFORMED("ContentInfo", "malformed ContentInfo");
    }
    if (oid != CACHET_OID_SIGNED_DATA) {
        return cachet_err_set(e, CACHET_ERR_UNSUPPORTED, "ContentInfo.contentType", -1,
                              "not a SignedData ContentInfo");
    }
    if (!cachet_cbs_get_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) || ci.len != 0 ||
        !cachet_cbs_get_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) || wrap.len != 0) {
        return MALFORMED("ContentInfo.content", "SignedData missing or malformed");
    }
    /* §5.1: CMSVersion is 1, 3, 4 or 5. */
    if (!cachet_cbs_get_asn1_uint64(&sd, &version) || version == 0 || version == 2 || version > 5) {
        return MALFORMED("SignedData.version", "bad version");
    }
    if (!cachet_cbs_get_asn1(&sd, &p->digest_algs, CACHET_ASN1_SET)) {
        return MALFORMED("SignedData.digestAlgorithms", "malformed digestAlgorithms");
    }
    /* §5.2: EncapsulatedContentInfo { eContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
     */
    if (!cachet_cbs_get_asn1(&sd, &eci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&eci, &p->econtent_type, CACHET_ASN1_OBJECT) ||
        !cachet_cbs_is_valid_oid(&p->econtent_type) ||
        !cachet_cbs_get_optional_asn1(&eci, &ec, &present, CACHET_ASN1_CONTEXT_CONS(0)) ||
        eci.len != 0) {
        return MALFORMED("SignedData.encapContentInfo", "malformed encapContentInfo");
    }
    if (present) {
        cachet_cbs octets;
        cachet_asn1_tag tag;
        if (!cachet_ber_skel_bulk_seen(v->skel, NULL) ||
            !cachet_cbs_get_any_asn1(&ec, &octets, &tag) ||
            (tag & ~CACHET_ASN1_CONSTRUCTED) != CACHET_ASN1_OCTETSTRING || ec.len != 0) {
            return MALFORMED("SignedData.encapContentInfo.eContent",
                             "eContent is not an OCTET STRING");
        }
        p->has_econtent = true;
    }
    if (!cachet_cbs_get_optional_asn1(&sd, &p->certs, &p->has_certs, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_optional_asn1(&sd, &p->crls, &p->has_crls, CACHET_ASN1_CONTEXT_CONS(1)) ||
        !cachet_cbs_get_asn1(&sd, &p->signer_infos, CACHET_ASN1_SET) || sd.len != 0) {
        return MALFORMED("SignedData", "malformed certificates, crls or signerInfos");
    }
    return CACHET_OK;
}

/* CertificateSet (§10.2.3): X.509 certificates are kept, other choices skipped. */
static cachet_status parse_certs(cachet_cbs certs, size_t max, cachet_cert_cache *cache,
                                 cachet_cert_list *out, cachet_error *e) {
    size_t n = 0;
    while (certs.len > 0) {
        cachet_cbs elem;
        cachet_asn1_tag tag;
        cachet_cert *c = NULL;
        if (!cachet_cbs_get_any_asn1_element(&certs, &elem, &tag, NULL)) {
            return MALFORMED("SignedData.certificates", "malformed CertificateSet");
        }
        if (++n > max) {
            return cachet_err_set(e, CACHET_ERR_LIMIT, "SignedData.certificates", -1,
                                  "more than %zu certificates", max);
        }
        if (tag != CACHET_ASN1_SEQUENCE) {
            continue;
        }
        /* an undecodable certificate cannot be anyone's signer: skip it */
        if (cachet_cert_parse_cached(cache, elem.data, elem.len, &c, NULL) != CACHET_OK) {
            continue;
        }
        bool ok = cachet_cert_list_push(out, c);
        cachet_cert_free(c);
        if (!ok) {
            return cachet_err_set(e, CACHET_ERR_NOMEM, "SignedData.certificates", -1,
                                  "out of memory");
        }
    }
    return CACHET_OK;
}

/* signed_attrs_of finds the [0] signedAttrs contents of a (verified, hence
 * well-formed) SignerInfo (RFC 5652 §5.3). */
static void signed_attrs_of(const cachet_cbs *si, cachet_cbs *out) {
    cachet_cbs in = *si, body, skip;
    if (cachet_cbs_get_asn1(&in, &body, CACHET_ASN1_SEQUENCE) &&
        cachet_cbs_get_asn1(&body, &skip, CACHET_ASN1_INTEGER) &&
        cachet_cbs_get_any_asn1_element(&body, &skip, NULL, NULL) &&
        cachet_cbs_get_asn1(&body, &skip, CACHET_ASN1_SEQUENCE) &&
        cachet_cbs_peek_asn1_tag(&body, CACHET_ASN1_CONTEXT_CONS(0))) {
        cachet_cbs_get_asn1(&body, out, CACHET_ASN1_CONTEXT_CONS(0));
    }
}
/* signer_sid: the SignerIdentifier element of a SignerInfo (§5.3). */
static bool signer_sid(cachet_cbs si, cachet_cbs *sid) {
    cachet_cbs body;
    uint64_t version;
    return cachet_cbs_get_asn1(&si, &body, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1_uint64(&body, &version) &&
           cachet_cbs_get_any_asn1_element(&body, sid, NULL, NULL);
}

/* signer_unsigned_attrs: the contents of a SignerInfo's unsignedAttrs [1], the
 * last element of the SEQUENCE (RFC 5652 §5.3); false when there are none. */
static bool signer_unsigned_attrs(cachet_cbs si, cachet_cbs *attrs) {
    cachet_cbs body, elem;
    cachet_asn1_tag tag = 0;
    size_t hdr = 0;
    if (!cachet_cbs_get_asn1(&si, &body, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    while (body.len > 0) {
        if (!cachet_cbs_get_any_asn1_element(&body, &elem, &tag, &hdr)) {
            return false;
        }
    }
    if (tag != CACHET_ASN1_CONTEXT_CONS(1) || elem.len < hdr) {
        return false;
    }
    cachet_cbs_init(attrs, elem.data + hdr, elem.len - hdr);
    return true;
}

/* lookup_signer asks the lookup (a certificate store) for the certificate of
 * the signer of |si| when the message did not bring it (RFC 5652 §5.1: the
 * certificates field may be absent when the recipient is expected to have
 * them), then for those of its countersigners (§11.4), as deep and as many as
 * their verification goes. Malformed SignerInfos are left to the signer check. */
/* NOLINTNEXTLINE(misc-no-recursion): depth < CACHET_CMS_COUNTERSIG_MAX_DEPTH */
static bool lookup_signer(cachet_cms_verify *v, cachet_cbs si, unsigned depth, cachet_error *e) {
    cachet_cbs sid, attrs;
    bool found = false;
    if (!signer_sid(si, &sid)) {
        return true;
    }
    for (size_t i = 0; i < v->all_certs.num && !found; i++) {
        found = cachet_cms_sid_matches(&sid, v->all_certs.certs[i]);
    }
    if (!found && !v->lookup(v->lookup_arg, &sid, &v->all_certs, e)) {
        return false;
    }
    if (depth >= CACHET_CMS_COUNTERSIG_MAX_DEPTH || !signer_unsigned_attrs(si, &attrs)) {
        return true;
    }
    size_t seen = 0;
    while (attrs.len > 0) {
        cachet_cbs attr, values, raw, value;
        cachet_oid type;
        if (!cachet_cbs_get_asn1(&attrs, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_oid(&attr, &type, &raw) ||
            !cachet_cbs_get_asn1(&attr, &values, CACHET_ASN1_SET)) {
            return true;
        }
        while (type == CACHET_OID_ATTR_COUNTERSIGNATURE && values.len > 0 &&
               seen < CACHET_CMS_COUNTERSIG_MAX_PER_SIGNER) {
            if (!cachet_cbs_get_any_asn1_element(&values, &value, NULL, NULL)) {
                return true;
            }
            seen++;
            if (!lookup_signer(v, value, depth + 1, e)) {
                return false;
            }
        }
    }
    return true;
}

static bool lookup_missing_signer_certs(cachet_cms_verify *v, cachet_cbs sis, cachet_error *e) {
    if (v->lookup == NULL) {
        return true;
    }
    while (sis.len > 0) {
        cachet_cbs si;
        if (!cachet_cbs_get_any_asn1_element(&sis, &si, NULL, NULL)) {
            return true;
        }
        if (!lookup_signer(v, si, 0, e)) {
            return false;
        }
    }
    return true;
}

void cachet_cms_verify_set_cert_lookup(cachet_cms_verify *v, cachet_cms_cert_lookup fn, void *arg) {
    v->lookup = fn;
    v->lookup_arg = arg;
}

/* Severity order for the overall status (signed.h). */
static int rank(cachet_status st) {
    switch (st) {
        case CACHET_OK:
            return 0;
        case CACHET_ERR_UNTRUSTED:
            return 1;
        case CACHET_ERR_POLICY:
            return 2;
        case CACHET_ERR_UNSUPPORTED:
            return 3;
        case CACHET_ERR_BAD_SIGNATURE:
            return 4;
        case CACHET_ERR_ATTRIBUTES:
            return 5;
        default:
            return 6;
    }
}

/* ---- RFC 4853 / RFC 5752: several SignerInfos of one signer ---- */

static size_t uf_find(size_t *parent, size_t i) {
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static void uf_join(size_t *parent, size_t a, size_t b) {
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a != b) {
        parent[b] = a;
    }
}

static bool same_cert(const cachet_cert *a, const cachet_cert *b) {
    size_t la = 0, lb = 0;
    const uint8_t *da = cachet_cert_der(a, &la), *db = cachet_cert_der(b, &lb);
    return a == b || (da != NULL && db != NULL && la == lb && memcmp(da, db, la) == 0);
}

/* removed_signature: SignerInfo |i| verified, but a multipleSignatures value
 * of it names a SignerInfo that is not here (RFC 5752 §4.6): it no longer
 * stands, whatever else is valid, and says so. */
static void removed_signature(cachet_cms_verify *v, cachet_signer_report *r, size_t i,
                              const char *detail) {
    r->signature_valid = false;
    r->signature_status = CACHET_ERR_ATTRIBUTES;
    snprintf(r->signature_detail, sizeof(r->signature_detail), "signedAttrs: %s", detail);
    /* SG-15: nothing of a signature that does not stand is reported */
    cachet_cms_ess_info_free(r->ess);
    r->ess = NULL;
    cachet_cert_emails_free(r->emails, r->num_emails);
    r->emails = NULL;
    r->num_emails = 0;
    v->signer_attrs[i].len = 0;
    cachet_cert_free(v->signer_certs[i]);
    v->signer_certs[i] = NULL;
}

/* The status a SignerInfo contributes to the layer. */
static cachet_status signer_status(const cachet_signer_report *r) {
    if (r->signature_status == CACHET_OK && r->chain != CACHET_CHAIN_TRUSTED) {
        return CACHET_ERR_UNTRUSTED;
    }
    return r->signature_status;
}

/* settle groups the SignerInfos by signer and returns the rank of the worst
 * status that counts (|*worst_i| names its SignerInfo), -1 when out of memory.
 * A signer is a certificate that verified a SignerInfo: the SignerInfos it
 * verified, those whose sid names it and those a trusted valid one of them
 * names by multipleSignatures (the signer's own signed claim, RFC 5752 §3) are
 * one group. RFC 4853 §3: one valid signature of a signer stands for the
 * signer, so in a group with a valid, trusted SignerInfo the others are
 * reported superseded and do not fail the layer; every other group counts as
 * before: with distinct signers each must be valid (ATTACKS.md SG-08). A
 * SignerInfo that names a missing one (a removed signature) always counts. */
static int settle(cachet_cms_verify *v, cachet_cbs sis, size_t n, cachet_layer_report *out,
                  size_t *worst_i) {
    cachet_cms_multisig_si *msi = cachet_calloc(n, sizeof(*msi));
    size_t *parent = cachet_calloc(n, sizeof(*parent));
    bool *flags = cachet_calloc(4 * n, sizeof(*flags));
    int worst = -1;
    if (msi == NULL || parent == NULL || flags == NULL) {
        goto out;
    }
    bool *good = flags, *removed = flags + n, *group_good = flags + 2 * n, *linked = flags + 3 * n;
    for (size_t i = 0; i < n; i++) {
        cachet_cbs si;
        cachet_cbs_get_any_asn1_element(&sis, &si, NULL, NULL);
        cachet_cms_multisig_si_parse(&si, &msi[i]);
        parent[i] = i;
    }
    for (size_t i = 0; i < n; i++) {
        char detail[240];
        if (!out->signers[i].signature_valid) {
            continue;
        }
        memset(linked, 0, n * sizeof(*linked));
        if (!cachet_cms_multisig_resolve(msi, n, i, v->signer_certs, &v->all_certs, linked, detail,
                                         sizeof(detail))) {
            removed[i] = true;
            removed_signature(v, &out->signers[i], i, detail);
            continue;
        }
        good[i] = signer_status(&out->signers[i]) == CACHET_OK;
        for (size_t j = 0; j < n && good[i]; j++) {
            if (linked[j]) {
                uf_join(parent, i, j);
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        const cachet_cert *c = v->signer_certs[i];
        for (size_t j = 0; c != NULL && j < n; j++) {
            const cachet_cert *d = v->signer_certs[j];
            if (j != i &&
                ((d != NULL && same_cert(c, d)) ||
                 (d == NULL && msi[j].parsed && cachet_cms_sid_matches(&msi[j].sid, c)))) {
                uf_join(parent, i, j);
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        group_good[uf_find(parent, i)] |= good[i];
    }
    worst = 0;
    *worst_i = 0;
    for (size_t i = 0; i < n; i++) {
        cachet_signer_report *r = &out->signers[i];
        r->superseded = !good[i] && !removed[i] && group_good[uf_find(parent, i)];
        int rk = r->superseded ? 0 : rank(signer_status(r));
        if (rk > worst) {
            worst = rk;
            *worst_i = i;
        }
    }
out:
    cachet_free(msi);
    cachet_free(parent);
    cachet_free(flags);
    return worst;
}

static cachet_status check_signers(cachet_cms_verify *v, const sd_parts *p,
                                   cachet_layer_report *out, cachet_error *e) {
    cachet_md listed[VERIFY_MAX_DIGESTS];
    size_t num_listed = 0, n = 0;
    cachet_cbs algs = p->digest_algs, sis = p->signer_infos;
    for (size_t k = 0; algs.len > 0; k++) {
        cachet_md md;
        if (k == VERIFY_MAX_DIGESTS) {
            return cachet_err_set(e, CACHET_ERR_LIMIT, "SignedData.digestAlgorithms", -1,
                                  "too many digest algorithms");
        }
        if (!cachet_cms_parse_digest_alg(&algs, &md, NULL)) {
            return MALFORMED("SignedData.digestAlgorithms", "malformed digest AlgorithmIdentifier");
        }
        if (md != CACHET_MD_NONE) {
            listed[num_listed++] = md;
        }
    }
    for (cachet_cbs c = sis; c.len > 0; n++) {
        if (!cachet_cbs_get_any_asn1_element(&c, NULL, NULL, NULL)) {
            return MALFORMED("SignedData.signerInfos", "malformed signerInfos");
        }
        if (n + 1 > v->limits.max_signers) {
            return cachet_err_set(e, CACHET_ERR_LIMIT, "SignedData.signerInfos", -1,
                                  "more than %zu signers", v->limits.max_signers);
        }
    }
    /* SG-09: no signers is never "signed" (also the certs-only message). A
     * non-empty encapsulated id-data eContent makes it RFC 3183's empty
     * signature layer, which a caller may pass through
     * (cachet_cms_verify_is_empty_layer); an empty one is a certs-only message
     * as NSS writes it (cmsutil -O), not a layer around a message. */
    if (n == 0) {
        v->empty_layer = !v->detached && p->has_econtent && v->content_len > 0 &&
                         v->econtent_type == CACHET_OID_DATA;
        return cachet_err_set(e, CACHET_ERR_NO_SIGNERS, "SignedData.signerInfos", -1,
                              "SignedData has no signers");
    }
    /* SG-01: eContent and detached content together, or neither. */
    if (v->detached && p->has_econtent) {
        return cachet_err_set(e, CACHET_ERR_CONTENT_CONFLICT, "SignedData.encapContentInfo", -1,
                              "eContent present although detached content was given");
    }
    if (!v->detached && !p->has_econtent) {
        return cachet_err_set(e, CACHET_ERR_CONTENT_CONFLICT, "SignedData.encapContentInfo", -1,
                              "eContent absent and no detached content given");
    }
    for (size_t i = 0; i < v->certs.num + v->extra_certs.num; i++) {
        cachet_cert *c =
            i < v->certs.num ? v->certs.certs[i] : v->extra_certs.certs[i - v->certs.num];
        if (!cachet_cert_list_push(&v->all_certs, c)) {
            return cachet_err_set(e, CACHET_ERR_NOMEM, "SignedData", -1, "out of memory");
        }
    }
    if (!lookup_missing_signer_certs(v, sis, e)) {
        return e->status != CACHET_OK
                   ? e->status
                   : cachet_err_set(e, CACHET_ERR_NOMEM, "SignedData", -1, "out of memory");
    }
    if (!cachet_cms_verify_finalize_digests(v)) {
        return cachet_err_set(e, CACHET_ERR_INTERNAL, "SignedData", -1, "digest");
    }
    out->signers = cachet_calloc(n, sizeof(*out->signers));
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
    v->signer_certs = cachet_calloc(n, sizeof(*v->signer_certs));
    v->signer_attrs = cachet_calloc(n, sizeof(*v->signer_attrs));
    if (out->signers == NULL || v->signer_certs == NULL || v->signer_attrs == NULL) {
        return cachet_err_set(e, CACHET_ERR_NOMEM, "SignedData", -1, "out of memory");
    }
    cachet_cms_signer_ctx ctx = {
        .policy = &v->policy,
        .limits = &v->limits,
        .at = v->policy.at,
        .econtent_type = v->econtent_type,
        .econtent_type_raw = p->econtent_type,
        .listed_mds = listed,
        .num_listed = num_listed,
        .digest_mds = v->mds,
        .digests = (const uint8_t(*)[CACHET_MD_MAX_SIZE])v->values,
        .num_digests = v->num_mds,
        .certs = &v->all_certs,
        .content_kept = v->keep_content && !v->kept_over,
        .content_over = v->kept_over,
        .content = v->kept,
        .content_len = v->kept_len,
    };
    /* SG-03: content that is itself a DER SignedAttributes. A longer one than the
     * probe holds is judged by its outer header alone (conservative). */
    if (v->probe_len > 0 && v->content_len <= PROBE_MAX) {
        ctx.content_forged = cachet_cms_is_forged_attrs(v->probe, v->probe_len);
    } else if (v->probe_len >= 6 && v->probe[1] > 0x80 && v->probe[1] <= 0x88) {
        size_t nb = v->probe[1] & 0x7f;
        uint64_t l = 0;
        for (size_t i = 0; i < nb; i++) {
            l = (l << 8) | v->probe[2 + i];
        }
        ctx.content_forged = l + 2 + nb == v->content_len;
    }
    cachet_cbs all = sis;
    for (size_t i = 0; i < n; i++) {
        cachet_cbs si;
        cachet_cbs_get_any_asn1_element(&sis, &si, NULL, NULL);
        if (!cachet_cms_verify_signer(&ctx, &si, &out->signers[i], &v->signer_certs[i])) {
            return cachet_err_set(e, CACHET_ERR_NOMEM, "SignedData", -1, "out of memory");
        }
        out->num_signers = ++v->num_signer_certs;
        if (out->signers[i].signature_valid) {
            signed_attrs_of(&si, &v->signer_attrs[i]);
        }
    }
    size_t worst_i = 0;
    int worst = settle(v, all, n, out, &worst_i);
    if (worst < 0) {
        return cachet_err_set(e, CACHET_ERR_NOMEM, "SignedData", -1, "out of memory");
    }
    /* RFC 3183 §3.1.2: every SignerInfo carries the same SignatureType content. */
    const cachet_signer_report *first = NULL;
    bool disagree = false;
    for (size_t i = 0; i < n; i++) {
        const cachet_signer_report *r = &out->signers[i];
        if (!r->signature_valid) {
            continue;
        }
        if (first == NULL) {
            first = r;
        } else if (r->has_signature_type != first->has_signature_type ||
                   r->signature_types != first->signature_types) {
            disagree = true;
        }
    }
    if (disagree && rank(CACHET_ERR_ATTRIBUTES) > worst) {
        return cachet_err_set(e, CACHET_ERR_ATTRIBUTES, "SignedData.signerInfos", -1,
                              "SignerInfos disagree on SignatureType (RFC 3183 section 3.1.2)");
    }
    cachet_signer_report *w = &out->signers[worst_i];
    if (worst == 0) {
        return CACHET_OK;
    }
    char where[48];
    snprintf(where, sizeof(where), "SignedData.signerInfos[%zu]", worst_i);
    if (w->signature_status == CACHET_OK) {
        return cachet_err_set(e, CACHET_ERR_UNTRUSTED, where, -1, "certificate %s: %s",
                              cachet_chain_status_name(w->chain), w->chain_detail);
    }
    return cachet_err_set(e, w->signature_status, where, -1, "%s", w->signature_detail);
}

static cachet_status finish(cachet_cms_verify *v, cachet_layer_report *out, cachet_error *err) {
    cachet_error e;
    cachet_cbs der;
    sd_parts p;
    memset(out, 0, sizeof(*out));
    out->type = CACHET_LAYER_SIGNED;
    out->detached = v->detached;
    if (v->failed != CACHET_OK) {
        return cachet_cms_verify_fail(v, &v->fail_err, err);
    }
    if (v->finished) {
        return cachet_cms_verify_fail_msg(v, err, CACHET_ERR_USAGE, "cachet_cms_verify_finish",
                                          "already finished");
    }
    v->finished = true;
    cachet_err_clear(&e);
    cachet_status st = cachet_ber_skel_finish(v->skel, &e);
    if (st != CACHET_OK) {
        if (e.status == CACHET_OK) {
            e.status = st;
        }
        return cachet_cms_verify_fail(v, &e, err);
    }
    if (!cachet_ber_skel_der(v->skel, &der)) {
        return cachet_cms_verify_fail_msg(v, err, CACHET_ERR_INTERNAL, "SignedData", "no skeleton");
    }
    st = parse_structure(v, &der, &p, &e);
    if (st == CACHET_OK) {
        v->econtent_type = cachet_oid_lookup_cbs(&p.econtent_type);
        if (v->econtent_type != CACHET_OID_UNKNOWN) {
            snprintf(out->content_type, sizeof(out->content_type), "%s",
                     cachet_oid_name(v->econtent_type));
        } else if (!cachet_cbs_oid_to_text(&p.econtent_type, out->content_type,
                                           sizeof(out->content_type))) {
            out->content_type[0] = '\0';
        }
        if (p.has_certs) {
            st = parse_certs(p.certs, v->limits.max_certificates, v->policy.cert_cache, &v->certs,
                             &e);
        }
        /* kept for the caller (RFC 8550 §2.1: CRLs in received messages are
         * recognised and may be stored); the bytes live in the skeleton */
        v->has_crls = p.has_crls;
        v->crls = p.crls;
    }
    if (st == CACHET_OK) {
        st = check_signers(v, &p, out, &e);
    }
    if (st != CACHET_OK) {
        return cachet_cms_verify_fail(v, &e, err);
    }
    return CACHET_OK;
}

cachet_status cachet_cms_verify_finish(cachet_cms_verify *v, cachet_layer_report *out,
                                       cachet_error *err) {
    cachet_status st = finish(v, out, err);
    /* the content copy for pure EdDSA is no longer needed whatever the outcome */
    cachet_cms_verify_drop_content(v);
    return st;
}
