/* cms/signed_verify.c: streaming SignedData verification (RFC 5652 §5). The
 * ContentInfo is pushed through cachet_ber_skel with eContent as the bulk: its
 * octets are digested (and delivered, unverified, to the content sink) as they
 * arrive; the rest is kept as a DER skeleton and checked at finish. */
#include <string.h>
#include <time.h>

#include "cms/attributes.h"

void cachet_cms_verify_free(cachet_cms_verify *v) {
    if (v == NULL) {
        return;
    }
    cachet_ber_skel_free(v->skel);
    for (size_t i = 0; i < v->num_mds; i++) {
        cachet_md_free(v->ctxs[i]);
    }
    cachet_free(v->probe);
    cachet_cms_verify_drop_content(v);
    cachet_cert_list_clear(&v->certs);
    cachet_cert_list_clear(&v->extra_certs);
    cachet_cert_list_clear(&v->all_certs);
    for (size_t i = 0; i < v->num_signer_certs; i++) {
        cachet_cert_free(v->signer_certs[i]);
    }
    cachet_free(v->signer_certs);
    cachet_free(v->signer_attrs);
    cachet_free(v);
}

cachet_status cachet_cms_verify_fail(cachet_cms_verify *v, const cachet_error *e,
                                     cachet_error *err) {
    if (v->failed == CACHET_OK) {
        v->failed = e->status == CACHET_OK ? CACHET_ERR_INTERNAL : e->status;
        v->fail_err = *e;
    }
    if (err != NULL) {
        *err = v->fail_err;
    }
    return v->failed;
}

cachet_status cachet_cms_verify_fail_msg(cachet_cms_verify *v, cachet_error *err, cachet_status st,
                                         const char *where, const char *msg) {
    cachet_error e;
    cachet_err_clear(&e);
    cachet_err_set(&e, st, where, v->skel != NULL ? (long long)cachet_ber_skel_offset(v->skel) : -1,
                   "%s", msg);
    return cachet_cms_verify_fail(v, &e, err);
}

static bool add_digest(cachet_cms_verify *v, cachet_md md) {
    for (size_t i = 0; i < v->num_mds; i++) {
        if (v->mds[i] == md) {
            return true;
        }
    }
    if (v->num_mds == VERIFY_MAX_DIGESTS) {
        return false;
    }
    v->ctxs[v->num_mds] = cachet_md_new(md, NULL);
    if (v->ctxs[v->num_mds] == NULL) {
        return false;
    }
    v->mds[v->num_mds++] = md;
    return true;
}

void cachet_cms_verify_drop_content(cachet_cms_verify *v) {
    cachet_free_secret(v->kept, v->kept_cap);
    v->kept = NULL;
    v->kept_len = 0;
    v->kept_cap = 0;
}

/* The copy for pure EdDSA grows with the content (most messages are small) and
 * is dropped as soon as it would pass the bound, so the memory an input can ask
 * for stays CACHET_CMS_PURE_EDDSA_MAX however long the content is. Grown by
 * copying rather than cachet_realloc so that no uncleansed copy is left behind. */
static bool keep_update(cachet_cms_verify *v, const uint8_t *data, size_t len) {
    if (!v->keep_content || v->kept_over || len == 0) {
        return true;
    }
    if (len > CACHET_CMS_PURE_EDDSA_MAX - v->kept_len) {
        v->kept_over = true;
        cachet_cms_verify_drop_content(v);
        return true;
    }
    size_t need = v->kept_len + len;
    if (need > v->kept_cap) {
        size_t cap = v->kept_cap == 0 ? 4096 : v->kept_cap;
        while (cap < need) {
            cap *= 2;
        }
        cap = cap < CACHET_CMS_PURE_EDDSA_MAX ? cap : CACHET_CMS_PURE_EDDSA_MAX;
        uint8_t *grown = cachet_malloc(cap);
        if (grown == NULL) {
            return false;
        }
        if (v->kept_len > 0) {
            memcpy(grown, v->kept, v->kept_len);
        }
        cachet_free_secret(v->kept, v->kept_cap);
        v->kept = grown;
        v->kept_cap = cap;
    }
    memcpy(v->kept + v->kept_len, data, len);
    v->kept_len = need;
    return true;
}

/* keep_if_eddsa: a copy can only matter to a pure-EdDSA signer, whose
 * digestAlgorithm must be SHA-512 (Ed25519) or SHAKE256 (Ed448) (RFC 8419 §3.2)
 * and be computed, and which has no signedAttrs, so is refused unless
 * allow_weak (SG-03). */
static void keep_if_eddsa(cachet_cms_verify *v) {
    if (!v->policy.allow_weak) {
        return;
    }
    for (size_t i = 0; i < v->num_mds; i++) {
        v->keep_content =
            v->keep_content || v->mds[i] == CACHET_MD_SHA512 || v->mds[i] == CACHET_MD_SHAKE256_512;
    }
}

static bool content_update(cachet_cms_verify *v, const uint8_t *data, size_t len) {
    if (!keep_update(v, data, len)) {
        return false;
    }
    for (size_t i = 0; i < v->num_mds; i++) {
        if (!cachet_md_update(v->ctxs[i], data, len)) {
            return false;
        }
    }
    /* keep a prefix only while it could still be a SignedAttributes SET */
    if (len > 0 && (v->content_len > 0 || data[0] == 0x31)) {
        if (v->probe == NULL && v->content_len == 0) {
            v->probe = cachet_malloc(PROBE_MAX);
            if (v->probe == NULL) {
                return false;
            }
        }
        if (v->probe != NULL && v->probe_len < PROBE_MAX) {
            size_t n = PROBE_MAX - v->probe_len < len ? PROBE_MAX - v->probe_len : len;
            memcpy(v->probe + v->probe_len, data, n);
            v->probe_len += n;
        }
    }
    v->content_len += len;
    return true;
}

bool cachet_cms_verify_finalize_digests(cachet_cms_verify *v) {
    if (v->digests_final) {
        return true;
    }
    v->digests_final = true;
    for (size_t i = 0; i < v->num_mds; i++) {
        if (!cachet_md_final(v->ctxs[i], v->values[i])) {
            return false;
        }
    }
    return true;
}

/* ContentInfo(0) -> [0](1) -> SignedData(2) -> encapContentInfo(3, third child)
 * -> [0](4, second child) -> OCTET STRING(5). */
static bool is_bulk(void *arg, const cachet_asn1_tag *path, const size_t *index, size_t depth) {
    cachet_cms_verify *v = arg;
    if (depth == 1 && index[1] == 1) {
        /* RFC 5652 §3: refuse another content type at its [0], before the skeleton
         * buffers it: it is taken as the "bulk" only so that on_bulk_begin can fail. */
        cachet_cbs ci;
        cachet_oid oid = CACHET_OID_UNKNOWN;
        if (!cachet_ber_skel_partial(v->skel, 0, &ci) || !cachet_cbs_get_oid(&ci, &oid, NULL) ||
            oid != CACHET_OID_SIGNED_DATA) {
            v->wrong_type = true;
            return true;
        }
        return false;
    }
    return depth == 5 && path[0] == CACHET_ASN1_SEQUENCE &&
           path[1] == CACHET_ASN1_CONTEXT_CONS(0) && index[1] == 1 &&
           path[2] == CACHET_ASN1_SEQUENCE && index[2] == 0 && path[3] == CACHET_ASN1_SEQUENCE &&
           index[3] == 2 && path[4] == CACHET_ASN1_CONTEXT_CONS(0) && index[4] == 1 &&
           (path[5] & ~CACHET_ASN1_CONSTRUCTED) == CACHET_ASN1_OCTETSTRING && index[5] == 0;
}

static cachet_status cb_fail(cachet_cms_verify *v, cachet_status st, const char *where,
                             const char *msg) {
    cachet_err_set(&v->cb_err, st, where, (long long)cachet_ber_skel_offset(v->skel), "%s", msg);
    return st;
}

/* At the start of eContent: the partial SignedData gives digestAlgorithms (§5.1),
 * so every digest a signer may need starts before the first content byte. */
static cachet_status on_bulk_begin(void *arg, cachet_ber_skel *skel) {
    cachet_cms_verify *v = arg;
    cachet_cbs ci, sd, eci, set;
    cachet_oid oid;
    uint64_t version;
    if (v->wrong_type || !cachet_ber_skel_partial(skel, 0, &ci) ||
        !cachet_cbs_get_oid(&ci, &oid, NULL) || oid != CACHET_OID_SIGNED_DATA) {
        return cb_fail(v, CACHET_ERR_UNSUPPORTED, "ContentInfo.contentType",
                       "not a SignedData ContentInfo");
    }
    if (!cachet_ber_skel_partial(skel, 3, &eci) ||
        !cachet_cbs_get_oid(&eci, &v->econtent_type, NULL)) {
        return cb_fail(v, CACHET_ERR_MALFORMED, "SignedData.encapContentInfo",
                       "malformed eContentType");
    }
    v->econtent_seen = true;
    if (v->detached) {
        return CACHET_OK; /* a conflict, reported at finish; nothing is digested or delivered */
    }
    if (!cachet_ber_skel_partial(skel, 2, &sd) || !cachet_cbs_get_asn1_uint64(&sd, &version) ||
        !cachet_cbs_get_asn1(&sd, &set, CACHET_ASN1_SET) || sd.len != 0) {
        return cb_fail(v, CACHET_ERR_MALFORMED, "SignedData.digestAlgorithms",
                       "malformed version or digestAlgorithms");
    }
    size_t n = 0;
    while (set.len > 0) {
        cachet_md md;
        if (++n > VERIFY_MAX_DIGESTS) {
            return cb_fail(v, CACHET_ERR_LIMIT, "SignedData.digestAlgorithms",
                           "too many digest algorithms");
        }
        if (!cachet_cms_parse_digest_alg(&set, &md, NULL)) {
            return cb_fail(v, CACHET_ERR_MALFORMED, "SignedData.digestAlgorithms",
                           "malformed digest AlgorithmIdentifier");
        }
        /* SG-11: unknown digests are skipped here; a signer using one fails later. */
        if (md != CACHET_MD_NONE && !add_digest(v, md)) {
            return cb_fail(v, CACHET_ERR_NOMEM, "SignedData.digestAlgorithms", "out of memory");
        }
    }
    keep_if_eddsa(v);
    return CACHET_OK;
}

static cachet_status on_bulk_data(void *arg, const uint8_t *data, size_t len) {
    cachet_cms_verify *v = arg;
    if (v->detached) {
        return CACHET_OK;
    }
    if (!content_update(v, data, len)) {
        return cb_fail(v, CACHET_ERR_NOMEM, "SignedData.encapContentInfo.eContent", "digest");
    }
    if (v->has_sink) {
        cachet_status st = cachet_sink_write(&v->content, data, len);
        if (st != CACHET_OK) {
            return cb_fail(v, st, "SignedData.encapContentInfo.eContent",
                           "writing the content failed");
        }
    }
    return CACHET_OK;
}

static cachet_status on_bulk_end(void *arg) {
    cachet_cms_verify *v = arg;
    if (!v->detached && !cachet_cms_verify_finalize_digests(v)) {
        return cb_fail(v, CACHET_ERR_INTERNAL, "SignedData.encapContentInfo.eContent", "digest");
    }
    return CACHET_OK;
}

cachet_cms_verify *cachet_cms_verify_new(const cachet_cms_policy *policy,
                                         const cachet_cms_limits *limits,
                                         const cachet_sink *content, cachet_error *err) {
    cachet_cms_verify *v;
    if (policy == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "cachet_cms_verify_new", -1, "policy is required");
        return NULL;
    }
    v = cachet_calloc(1, sizeof(*v));
    if (v == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "cachet_cms_verify_new", -1, "out of memory");
        return NULL;
    }
    v->policy = *policy;
    if (v->policy.at == 0) {
        v->policy.at = (int64_t)time(NULL);
    }
    if (limits != NULL) {
        v->limits = *limits;
    } else {
        cachet_cms_limits_default(&v->limits);
    }
    if (content != NULL) {
        v->content = *content;
        v->has_sink = true;
    }
    cachet_err_clear(&v->cb_err);
    static const cachet_ber_skel_callbacks cbs_template = {is_bulk, on_bulk_begin, on_bulk_data,
                                                           on_bulk_end, NULL};
    cachet_ber_skel_callbacks cbs = cbs_template;
    cbs.arg = v;
    cachet_ber_limits bl = cachet_cms_ber_limits(&v->limits);
    v->skel = cachet_ber_skel_new(&cbs, &bl);
    if (v->skel == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "cachet_cms_verify_new", -1, "out of memory");
        cachet_cms_verify_free(v);
        return NULL;
    }
    return v;
}

cachet_status cachet_cms_verify_detached(cachet_cms_verify *v, const cachet_md *mds, size_t num_mds,
                                         cachet_error *err) {
    /* micalg does not choose (ATTACKS MW-02): every digest a signer could use
     * under the policy is computed; the weak ones (a tenth of the work on a big
     * message) only when the policy could accept them. */
    static const cachet_md all[] = {CACHET_MD_SHA224, CACHET_MD_SHA256, CACHET_MD_SHA384,
                                    CACHET_MD_SHA512, CACHET_MD_SHAKE256_512};
    if (v->failed != CACHET_OK) {
        return cachet_cms_verify_fail(v, &v->fail_err, err);
    }
    if (v->cms_started || v->detached || v->content_len > 0) {
        return cachet_cms_verify_fail_msg(v, err, CACHET_ERR_USAGE, "cachet_cms_verify_detached",
                                          "detached mode must be chosen before any input");
    }
    if (mds == NULL || num_mds == 0) {
        mds = all;
        num_mds = sizeof(all) / sizeof(all[0]);
        if (v->policy.allow_weak &&
            (!add_digest(v, CACHET_MD_MD5) || !add_digest(v, CACHET_MD_SHA1))) {
            return cachet_cms_verify_fail_msg(v, err, CACHET_ERR_NOMEM,
                                              "cachet_cms_verify_detached", "digest");
        }
    }
    for (size_t i = 0; i < num_mds; i++) {
        if (cachet_md_size(mds[i]) == 0) {
            return cachet_cms_verify_fail_msg(v, err, CACHET_ERR_USAGE,
                                              "cachet_cms_verify_detached", "unknown digest");
        }
        if (!add_digest(v, mds[i])) {
            return cachet_cms_verify_fail_msg(v, err, CACHET_ERR_LIMIT,
                                              "cachet_cms_verify_detached",
                                              "too many digests or out of memory");
        }
    }
    keep_if_eddsa(v);
    v->detached = true;
    return CACHET_OK;
}

cachet_status cachet_cms_verify_content(cachet_cms_verify *v, const uint8_t *data, size_t len,
                                        cachet_error *err) {
    if (v->failed != CACHET_OK) {
        return cachet_cms_verify_fail(v, &v->fail_err, err);
    }
    if (!v->detached || v->cms_started || v->finished) {
        return cachet_cms_verify_fail_msg(
            v, err, CACHET_ERR_USAGE, "cachet_cms_verify_content",
            "detached content goes after cachet_cms_verify_detached and before the CMS");
    }
    if (len > 0 && !content_update(v, data, len)) {
        return cachet_cms_verify_fail_msg(v, err, CACHET_ERR_NOMEM, "detached content", "digest");
    }
    return CACHET_OK;
}

cachet_status cachet_cms_verify_update(cachet_cms_verify *v, const uint8_t *data, size_t len,
                                       cachet_error *err) {
    if (v->failed != CACHET_OK) {
        return cachet_cms_verify_fail(v, &v->fail_err, err);
    }
    if (v->finished) {
        return cachet_cms_verify_fail_msg(v, err, CACHET_ERR_USAGE, "cachet_cms_verify_update",
                                          "already finished");
    }
    v->cms_started = true;
    if (v->detached && !cachet_cms_verify_finalize_digests(v)) {
        return cachet_cms_verify_fail_msg(v, err, CACHET_ERR_INTERNAL, "detached content",
                                          "digest");
    }
    cachet_error e;
    cachet_err_clear(&e);
    cachet_status st = cachet_ber_skel_update(v->skel, data, len, &e);
    if (st != CACHET_OK) {
        if (v->cb_err.status != CACHET_OK) {
            e = v->cb_err;
        }
        if (e.status == CACHET_OK) {
            e.status = st;
        }
        return cachet_cms_verify_fail(v, &e, err);
    }
    return CACHET_OK;
}

cachet_status cachet_cms_verify_add_certs(cachet_cms_verify *v, const cachet_cert_list *certs,
                                          cachet_error *err) {
    if (v->failed != CACHET_OK) {
        return cachet_cms_verify_fail(v, &v->fail_err, err);
    }
    if (v->finished) {
        return cachet_cms_verify_fail_msg(v, err, CACHET_ERR_USAGE, "cachet_cms_verify_add_certs",
                                          "already finished");
    }
    for (size_t i = 0; certs != NULL && i < certs->num; i++) {
        if (!cachet_cert_list_push(&v->extra_certs, certs->certs[i])) {
            return cachet_cms_verify_fail_msg(v, err, CACHET_ERR_NOMEM,
                                              "cachet_cms_verify_add_certs", "out of memory");
        }
    }
    return CACHET_OK;
}

cachet_oid cachet_cms_verify_econtent_type(const cachet_cms_verify *v) {
    return v->econtent_type;
}

bool cachet_cms_verify_is_empty_layer(const cachet_cms_verify *v) {
    return v->empty_layer;
}

const cachet_cert *cachet_cms_verify_signer_cert(const cachet_cms_verify *v, size_t i) {
    return i < v->num_signer_certs ? v->signer_certs[i] : NULL;
}

bool cachet_cms_verify_signed_attrs(const cachet_cms_verify *v, size_t i, cachet_cbs *out) {
    if (i >= v->num_signer_certs || v->signer_attrs == NULL || v->signer_attrs[i].data == NULL) {
        return false;
    }
    *out = v->signer_attrs[i];
    return true;
}

bool cachet_cms_verify_crls(const cachet_cms_verify *v, cachet_cbs *out) {
    if (!v->has_crls) {
        return false;
    }
    *out = v->crls;
    return true;
}

const cachet_cert_list *cachet_cms_verify_certs(const cachet_cms_verify *v) {
    return &v->certs;
}
