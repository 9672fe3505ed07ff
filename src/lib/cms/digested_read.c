/* Streaming DigestedData (RFC 5652 §7) reading: the content is digested and
 * passed on as it arrives; the digest, which follows it, is checked at the end. */
#include <stdio.h>
#include <string.h>

#include "cms/digested.h"

#define DR_WHERE "DigestedData"

struct cachet_cms_undigest {
    bool allow_weak;
    cachet_cms_limits limits;
    cachet_sink out;
    cachet_ber_skel *skel;
    cachet_md_ctx *ctx;
    cachet_error err;     /* detail recorded by the callbacks, then sticky */
    cachet_status failed; /* sticky */
    bool bulk_begun;
    bool finished;
    bool weak;
    cachet_md md;
    cachet_oid content_type;
};

static cachet_status record(cachet_cms_undigest *u, cachet_status st) {
    return cachet_cms_record_failure(&u->failed, st);
}

static cachet_status not_digested(cachet_cms_undigest *u, cachet_oid oid) {
    return record(u, cachet_err_set(&u->err, CACHET_ERR_UNSUPPORTED, "ContentInfo", -1,
                                    "content type %s is not DigestedData", cachet_oid_name(oid)));
}

/* The digest algorithm decides what is accepted (DESIGN principle 5): the
 * SHA-2 family; MD5 and SHA-1 only when weak algorithms are allowed. */
static cachet_status check_md(cachet_cms_undigest *u, cachet_oid oid) {
    if (u->md == CACHET_MD_NONE) {
        return record(u, cachet_err_set(&u->err, CACHET_ERR_UNSUPPORTED,
                                        DR_WHERE ".digestAlgorithm", -1,
                                        "digest algorithm %s not supported", cachet_oid_name(oid)));
    }
    if (u->md == CACHET_MD_MD5 || u->md == CACHET_MD_SHA1) {
        if (!u->allow_weak) {
            return record(u, cachet_err_set(&u->err, CACHET_ERR_POLICY, DR_WHERE ".digestAlgorithm",
                                            -1, "%s refused (weak algorithms not allowed)",
                                            cachet_md_name(u->md)));
        }
        u->weak = true;
    }
    u->ctx = cachet_md_new(u->md, &u->err);
    if (u->ctx == NULL) {
        return record(u, CACHET_ERR_INTERNAL);
    }
    return CACHET_OK;
}

/* RFC 5652 §7: version (0 or 2; R5652-7-1 is the writer's rule and other
 * writers use 0 for every content type), digestAlgorithm, eContentType. */
static cachet_status on_bulk_begin(void *arg, cachet_ber_skel *skel) {
    cachet_cms_undigest *u = arg;
    cachet_cbs ci, dd, eci;
    cachet_oid oid, md_oid = CACHET_OID_UNKNOWN;
    uint64_t version;
    u->bulk_begun = true;
    if (!cachet_ber_skel_partial(skel, 0, &ci) || !cachet_ber_skel_partial(skel, 2, &dd) ||
        !cachet_ber_skel_partial(skel, 3, &eci)) {
        return record(
            u, cachet_err_set(&u->err, CACHET_ERR_INTERNAL, DR_WHERE, -1, "skeleton unavailable"));
    }
    if (!cachet_cbs_get_oid(&ci, &oid, NULL)) {
        return record(u, cachet_err_set(&u->err, CACHET_ERR_MALFORMED, "ContentInfo", -1,
                                        "contentType malformed"));
    }
    if (oid != CACHET_OID_DIGESTED_DATA) {
        return not_digested(u, oid);
    }
    if (!cachet_cbs_get_asn1_uint64(&dd, &version) || (version != 0 && version != 2) ||
        !cachet_cms_parse_digest_alg(&dd, &u->md, &md_oid) || dd.len != 0 ||
        !cachet_cbs_get_oid(&eci, &u->content_type, NULL) || eci.len != 0) {
        return record(u, cachet_err_set(&u->err, CACHET_ERR_MALFORMED, DR_WHERE, -1,
                                        "version (0 or 2), digestAlgorithm or eContentType "
                                        "malformed"));
    }
    return check_md(u, md_oid);
}

static cachet_status on_bulk_data(void *arg, const uint8_t *data, size_t len) {
    cachet_cms_undigest *u = arg;
    cachet_status st;
    if (!cachet_md_update(u->ctx, data, len)) {
        return record(u,
                      cachet_err_set(&u->err, CACHET_ERR_INTERNAL, DR_WHERE, -1, "digest failed"));
    }
    st = cachet_sink_write(&u->out, data, len);
    if (st != CACHET_OK) {
        return record(u, cachet_err_set(&u->err, st, DR_WHERE, -1, "output sink failed"));
    }
    return CACHET_OK;
}

static cachet_status on_bulk_end(void *arg) {
    (void)arg;
    return CACHET_OK;
}

cachet_cms_undigest *cachet_cms_undigest_new(const cachet_cms_policy *policy,
                                             const cachet_cms_limits *limits,
                                             const cachet_sink *out, cachet_error *err) {
    cachet_cms_undigest *u;
    cachet_ber_skel_callbacks cb = {cachet_cms_is_econtent_bulk, on_bulk_begin, on_bulk_data,
                                    on_bulk_end, NULL};
    cachet_ber_limits bl;
    if (out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, DR_WHERE, -1, "no output sink");
        return NULL;
    }
    u = cachet_calloc(1, sizeof(*u));
    if (u == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, DR_WHERE, -1, "out of memory");
        return NULL;
    }
    u->allow_weak = policy != NULL && policy->allow_weak;
    if (limits != NULL) {
        u->limits = *limits;
    } else {
        cachet_cms_limits_default(&u->limits);
    }
    u->out = *out;
    cb.arg = u;
    bl = cachet_cms_ber_limits(&u->limits);
    u->skel = cachet_ber_skel_new(&cb, &bl);
    if (u->skel == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, DR_WHERE, -1, "out of memory");
        cachet_free(u);
        return NULL;
    }
    return u;
}

static cachet_status fail_out(cachet_cms_undigest *u, cachet_status st, const cachet_error *other,
                              cachet_error *err) {
    return cachet_cms_fail_out(&u->err, &u->failed, st, other, err);
}

cachet_status cachet_cms_undigest_update(cachet_cms_undigest *u, const uint8_t *data, size_t len,
                                         cachet_error *err) {
    cachet_error local;
    cachet_status st;
    if (u->failed != CACHET_OK) {
        if (err != NULL) {
            *err = u->err;
        }
        return u->failed;
    }
    if (u->finished) {
        return cachet_err_set(err, CACHET_ERR_USAGE, DR_WHERE, -1, "already finished");
    }
    cachet_err_clear(&local);
    st = cachet_ber_skel_update(u->skel, data, len, &local);
    if (st != CACHET_OK) {
        return fail_out(u, st, &local, err);
    }
    return CACHET_OK;
}

/* The skeleton after the end: ContentInfo { OID, [0] { SEQUENCE { version,
 * digestAlgorithm, encapContentInfo, digest OCTET STRING } } }. */
static bool read_digest(const cachet_cms_undigest *u, cachet_cbs *digest) {
    cachet_cbs der, ci, content, dd, skip;
    return cachet_ber_skel_der(u->skel, &der) &&
           cachet_cbs_get_asn1(&der, &ci, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) &&
           cachet_cbs_get_asn1(&ci, &content, CACHET_ASN1_CONTEXT_CONS(0)) && ci.len == 0 &&
           cachet_cbs_get_asn1(&content, &dd, CACHET_ASN1_SEQUENCE) && content.len == 0 &&
           cachet_cbs_get_asn1(&dd, &skip, CACHET_ASN1_INTEGER) &&
           cachet_cbs_get_asn1(&dd, &skip, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&dd, &skip, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&dd, digest, CACHET_ASN1_OCTETSTRING) && dd.len == 0;
}

static cachet_status absent_content(cachet_cms_undigest *u, cachet_error *err) {
    cachet_error local;
    cachet_cbs der, ci;
    cachet_oid oid = CACHET_OID_UNKNOWN;
    cachet_err_clear(&local);
    if (cachet_ber_skel_der(u->skel, &der) &&
        cachet_cbs_get_asn1(&der, &ci, CACHET_ASN1_SEQUENCE) &&
        cachet_cbs_get_oid(&ci, &oid, NULL) && oid != CACHET_OID_DIGESTED_DATA) {
        not_digested(u, oid);
        return fail_out(u, u->failed, &u->err, err);
    }
    cachet_err_set(&local, CACHET_ERR_MALFORMED, DR_WHERE ".encapContentInfo", -1,
                   "eContent absent or misplaced");
    return fail_out(u, CACHET_ERR_MALFORMED, &local, err);
}

cachet_status cachet_cms_undigest_finish(cachet_cms_undigest *u, cachet_layer_report *out_report,
                                         cachet_error *err) {
    uint8_t computed[CACHET_MD_MAX_SIZE];
    cachet_error local;
    cachet_cbs digest;
    bool valid;
    cachet_status st;
    if (u->failed != CACHET_OK) {
        if (err != NULL) {
            *err = u->err;
        }
        return u->failed;
    }
    if (u->finished) {
        return cachet_err_set(err, CACHET_ERR_USAGE, DR_WHERE, -1, "already finished");
    }
    u->finished = true;
    cachet_err_clear(&local);
    st = cachet_ber_skel_finish(u->skel, &local);
    if (st != CACHET_OK) {
        return fail_out(u, st, &local, err);
    }
    if (!u->bulk_begun) {
        return absent_content(u, err);
    }
    if (!read_digest(u, &digest) || digest.len != cachet_md_size(u->md)) {
        cachet_err_set(&local, CACHET_ERR_MALFORMED, DR_WHERE ".digest", -1,
                       "digest missing, of the wrong length or followed by unexpected data");
        return fail_out(u, CACHET_ERR_MALFORMED, &local, err);
    }
    if (!cachet_md_final(u->ctx, computed)) {
        cachet_err_set(&local, CACHET_ERR_INTERNAL, DR_WHERE, -1, "digest failed");
        return fail_out(u, CACHET_ERR_INTERNAL, &local, err);
    }
    valid = cachet_cbs_mem_equal(&digest, computed, digest.len);
    if (out_report != NULL) {
        memset(out_report, 0, sizeof(*out_report));
        out_report->type = CACHET_LAYER_DIGESTED;
        snprintf(out_report->content_type, sizeof(out_report->content_type), "%s",
                 cachet_oid_name(u->content_type));
        snprintf(out_report->digest_algorithm, sizeof(out_report->digest_algorithm), "%s",
                 cachet_md_name(u->md));
        out_report->digest_valid = valid;
        out_report->weak = u->weak;
    }
    if (!valid) {
        cachet_err_set(&local, CACHET_ERR_BAD_SIGNATURE, DR_WHERE ".digest", -1,
                       "digest does not match the content");
        return fail_out(u, CACHET_ERR_BAD_SIGNATURE, &local, err);
    }
    return CACHET_OK;
}

cachet_oid cachet_cms_undigest_content_type(const cachet_cms_undigest *u) {
    return u->content_type;
}

void cachet_cms_undigest_free(cachet_cms_undigest *u) {
    if (u == NULL) {
        return;
    }
    cachet_ber_skel_free(u->skel);
    cachet_md_free(u->ctx);
    cachet_free(u);
}
