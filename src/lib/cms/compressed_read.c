/* Streaming CompressedData (RFC 3274) reading with size and ratio caps enforced
 * while the content streams (ATTACKS GW-08). */
#include <stdio.h>
#include <string.h>

#include "cms/compressed.h"

#define CR_WHERE "CompressedData"
#define RATIO_FLOOR (1u << 20) /* below 1 MiB of output the ratio is not checked */

struct cachet_cms_decompress {
    cachet_cms_limits limits;
    cachet_sink out;
    cachet_sink capped; /* zlib output -> limits -> out */
    cachet_ber_skel *skel;
    cachet_zstream *z;
    cachet_error err;     /* detail recorded by the callbacks, then sticky */
    cachet_status failed; /* sticky */
    bool bulk_begun;
    bool finished;
    cachet_oid content_type;
    uint64_t in_bytes;
    uint64_t out_bytes;
};

static cachet_status record(cachet_cms_decompress *d, cachet_status st) {
    return cachet_cms_record_failure(&d->failed, st);
}

static cachet_status capped_write(void *arg, const uint8_t *data, size_t len) {
    cachet_cms_decompress *d = arg;
    cachet_status st;
    if (len > d->limits.max_decompressed - d->out_bytes) {
        return record(d, cachet_err_set(&d->err, CACHET_ERR_LIMIT, CR_WHERE ".eContent", -1,
                                        "decompressed size exceeds %llu bytes",
                                        (unsigned long long)d->limits.max_decompressed));
    }
    d->out_bytes += len;
    /* out > max_ratio * in, without the product (it could overflow): a ratio
     * of exactly max_ratio is at the limit, and passes. */
    uint64_t whole = d->in_bytes > 0 ? d->out_bytes / d->in_bytes : 0;
    if (d->out_bytes > RATIO_FLOOR && d->in_bytes > 0 &&
        (whole > d->limits.max_ratio ||
         (whole == d->limits.max_ratio && d->out_bytes % d->in_bytes != 0))) {
        return record(d, cachet_err_set(&d->err, CACHET_ERR_LIMIT, CR_WHERE ".eContent", -1,
                                        "compression ratio exceeds %u:1", d->limits.max_ratio));
    }
    st = cachet_sink_write(&d->out, data, len);
    if (st != CACHET_OK) {
        return record(d, cachet_err_set(&d->err, st, CR_WHERE, -1, "output sink failed"));
    }
    return CACHET_OK;
}

/* RFC 3274 §1.1: version 0, compressionAlgorithm id-alg-zlibCompress (parameters
 * absent, or NULL from older implementations, §2), eContentType. */
static cachet_status on_bulk_begin(void *arg, cachet_ber_skel *skel) {
    cachet_cms_decompress *d = arg;
    cachet_cbs ci, cd, eci, alg;
    cachet_oid oid;
    uint64_t version;
    d->bulk_begun = true;
    if (!cachet_ber_skel_partial(skel, 0, &ci) || !cachet_ber_skel_partial(skel, 2, &cd) ||
        !cachet_ber_skel_partial(skel, 3, &eci)) {
        return record(
            d, cachet_err_set(&d->err, CACHET_ERR_INTERNAL, CR_WHERE, -1, "skeleton unavailable"));
    }
    if (!cachet_cbs_get_oid(&ci, &oid, NULL)) {
        return record(d, cachet_err_set(&d->err, CACHET_ERR_MALFORMED, "ContentInfo", -1,
                                        "contentType malformed"));
    }
    if (oid != CACHET_OID_COMPRESSED_DATA) {
        return record(d, cachet_err_set(&d->err, CACHET_ERR_UNSUPPORTED, "ContentInfo", -1,
                                        "content type %s is not CompressedData",
                                        cachet_oid_name(oid)));
    }
    if (!cachet_cbs_get_asn1_uint64(&cd, &version) || version != 0 ||
        !cachet_cbs_get_asn1(&cd, &alg, CACHET_ASN1_SEQUENCE) || cd.len != 0 ||
        !cachet_cbs_get_oid(&alg, &oid, NULL) ||
        !(alg.len == 0 || cachet_cbs_mem_equal(&alg, (const uint8_t *)"\x05\x00", 2)) ||
        !cachet_cbs_get_oid(&eci, &d->content_type, NULL) || eci.len != 0) {
        return record(d, cachet_err_set(&d->err, CACHET_ERR_MALFORMED, CR_WHERE, -1,
                                        "version (must be 0), compressionAlgorithm or "
                                        "eContentType malformed"));
    }
    if (oid != CACHET_OID_ZLIB_COMPRESS) {
        return record(
            d, cachet_err_set(&d->err, CACHET_ERR_UNSUPPORTED, CR_WHERE ".compressionAlgorithm", -1,
                              "compression algorithm %s not supported", cachet_oid_name(oid)));
    }
    return CACHET_OK;
}

static cachet_status on_bulk_data(void *arg, const uint8_t *data, size_t len) {
    cachet_cms_decompress *d = arg;
    cachet_error local;
    cachet_status st;
    d->in_bytes += len;
    cachet_err_clear(&local);
    st = cachet_zstream_update(d->z, data, len, &d->capped, &local);
    if (st != CACHET_OK && d->failed == CACHET_OK) {
        d->err = local;
        d->err.status = st;
        cachet_err_prefix_where(&d->err, CR_WHERE ".eContent");
        record(d, st);
    }
    return st;
}

static cachet_status on_bulk_end(void *arg) {
    (void)arg;
    return CACHET_OK;
}

cachet_cms_decompress *cachet_cms_decompress_new(const cachet_cms_limits *limits,
                                                 const cachet_sink *out, cachet_error *err) {
    cachet_cms_decompress *d;
    cachet_ber_skel_callbacks cb = {cachet_cms_is_econtent_bulk, on_bulk_begin, on_bulk_data,
                                    on_bulk_end, NULL};
    cachet_ber_limits bl;
    if (out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, CR_WHERE, -1, "no output sink");
        return NULL;
    }
    d = cachet_calloc(1, sizeof(*d));
    if (d == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, CR_WHERE, -1, "out of memory");
        return NULL;
    }
    if (limits != NULL) {
        d->limits = *limits;
    } else {
        cachet_cms_limits_default(&d->limits);
    }
    d->out = *out;
    d->capped.write = capped_write;
    d->capped.arg = d;
    cb.arg = d;
    bl = cachet_cms_ber_limits(&d->limits);
    d->skel = cachet_ber_skel_new(&cb, &bl);
    d->z = cachet_zstream_new(false, err);
    if (d->skel == NULL || d->z == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, CR_WHERE, -1, "out of memory");
        cachet_cms_decompress_free(d);
        return NULL;
    }
    return d;
}

static cachet_status fail_out(cachet_cms_decompress *d, cachet_status st, const cachet_error *other,
                              cachet_error *err) {
    return cachet_cms_fail_out(&d->err, &d->failed, st, other, err);
}

cachet_status cachet_cms_decompress_update(cachet_cms_decompress *d, const uint8_t *data,
                                           size_t len, cachet_error *err) {
    cachet_error local;
    cachet_status st;
    if (d->failed != CACHET_OK) {
        if (err != NULL) {
            *err = d->err;
        }
        return d->failed;
    }
    if (d->finished) {
        return cachet_err_set(err, CACHET_ERR_USAGE, CR_WHERE, -1, "already finished");
    }
    cachet_err_clear(&local);
    st = cachet_ber_skel_update(d->skel, data, len, &local);
    if (st != CACHET_OK) {
        return fail_out(d, st, &local, err);
    }
    return CACHET_OK;
}

cachet_status cachet_cms_decompress_finish(cachet_cms_decompress *d,
                                           cachet_layer_report *out_report, cachet_error *err) {
    cachet_error local;
    cachet_status st;
    if (d->failed != CACHET_OK) {
        if (err != NULL) {
            *err = d->err;
        }
        return d->failed;
    }
    if (d->finished) {
        return cachet_err_set(err, CACHET_ERR_USAGE, CR_WHERE, -1, "already finished");
    }
    d->finished = true;
    cachet_err_clear(&local);
    st = cachet_ber_skel_finish(d->skel, &local);
    if (st != CACHET_OK) {
        return fail_out(d, st, &local, err);
    }
    if (!d->bulk_begun) {
        cachet_cbs der, ci;
        cachet_oid oid = CACHET_OID_UNKNOWN;
        if (cachet_ber_skel_der(d->skel, &der) &&
            cachet_cbs_get_asn1(&der, &ci, CACHET_ASN1_SEQUENCE) &&
            cachet_cbs_get_oid(&ci, &oid, NULL) && oid != CACHET_OID_COMPRESSED_DATA) {
            cachet_err_set(&local, CACHET_ERR_UNSUPPORTED, "ContentInfo", -1,
                           "content type %s is not CompressedData", cachet_oid_name(oid));
            return fail_out(d, CACHET_ERR_UNSUPPORTED, &local, err);
        }
        cachet_err_set(&local, CACHET_ERR_MALFORMED, CR_WHERE ".encapContentInfo", -1,
                       "eContent absent or misplaced");
        return fail_out(d, CACHET_ERR_MALFORMED, &local, err);
    }
    st = cachet_zstream_finish(d->z, &d->capped, &local);
    if (st != CACHET_OK) {
        if (d->err.status == CACHET_OK) {
            cachet_err_prefix_where(&local, CR_WHERE ".eContent");
        }
        return fail_out(d, st, &local, err);
    }
    if (out_report != NULL) {
        memset(out_report, 0, sizeof(*out_report));
        out_report->type = CACHET_LAYER_COMPRESSED;
        snprintf(out_report->compression, sizeof(out_report->compression), "zlib");
        snprintf(out_report->content_type, sizeof(out_report->content_type), "%s",
                 cachet_oid_name(d->content_type));
        out_report->decompressed_size = d->out_bytes;
    }
    return CACHET_OK;
}

cachet_oid cachet_cms_decompress_content_type(const cachet_cms_decompress *d) {
    return d->content_type;
}

void cachet_cms_decompress_free(cachet_cms_decompress *d) {
    if (d == NULL) {
        return;
    }
    cachet_ber_skel_free(d->skel);
    cachet_zstream_free(d->z);
    cachet_free(d);
}
