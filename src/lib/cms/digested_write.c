/* Streaming DigestedData (RFC 5652 §7), written as BER with indefinite
 * lengths: the digest is known only after the content, and it follows
 * encapContentInfo, so nothing has to be held. With a declared content size
 * every length is definite (the digest's size is known beforehand). */
#include <string.h>

#include "cms/digested.h"

#define DW_WHERE "DigestedData"

struct cachet_cms_digest {
    cachet_sink out;
    cachet_md md;
    cachet_md_ctx *ctx;
    cachet_cms_length length; /* declared content size, when known */
    cachet_status failed;     /* sticky */
    bool finished;
};

static cachet_status put_cbb(const cachet_sink *out, cachet_cbb *cbb) {
    if (!cachet_cbb_flush(cbb)) {
        return CACHET_ERR_NOMEM;
    }
    return cachet_sink_write(out, cachet_cbb_data(cbb), cachet_cbb_len(cbb));
}

/* The header of |tag|: indefinite, or definite with |len| contents bytes. */
static cachet_status open_elem(const cachet_cms_digest *d, cachet_asn1_tag tag, uint64_t len) {
    return d->length.known ? cachet_cms_write_header(&d->out, tag, len)
                           : cachet_cms_write_indef_header(&d->out, tag);
}

/* Writes the elements |head| holds, then opens |tag|. */
static cachet_status put_then_open(const cachet_cms_digest *d, cachet_cbb *head,
                                   cachet_asn1_tag tag, uint64_t len) {
    cachet_status st = put_cbb(&d->out, head);
    return st == CACHET_OK ? open_elem(d, tag, len) : st;
}

/* ContentInfo { id-digestedData, [0] { DigestedData { version, digestAlgorithm,
 * encapContentInfo { eContentType, [0] { OCTET STRING (constructed, or
 * primitive with a declared size) ... The lengths are used when declared. */
static cachet_status write_header(cachet_cms_digest *d, cachet_oid content_type) {
    cachet_cbb ci_oid, fields, ct_oid;
    bool ok = cachet_cbb_init(&ci_oid, 16, 0);
    ok = cachet_cbb_init(&fields, 64, 0) && ok;
    ok = cachet_cbb_init(&ct_oid, 64, 0) && ok;
    /* R5652-7-1: version 0 for id-data, 2 for anything else. */
    ok = ok && cachet_cbb_add_oid(&ci_oid, CACHET_OID_DIGESTED_DATA) &&
         cachet_cbb_add_asn1_uint64(&fields, content_type == CACHET_OID_DATA ? 0 : 2) &&
         cachet_cms_add_digest_alg(&fields, d->md) && cachet_cbb_add_oid(&ct_oid, content_type) &&
         cachet_cbb_flush(&ci_oid) && cachet_cbb_flush(&fields) && cachet_cbb_flush(&ct_oid);
    uint64_t octs = cachet_cms_tlv_len(CACHET_ASN1_OCTETSTRING, d->length.declared);
    uint64_t econtent = cachet_cms_tlv_len(CACHET_ASN1_CONTEXT_CONS(0), octs);
    uint64_t eci = cachet_cbb_len(&ct_oid) + econtent;
    uint64_t dd = cachet_cbb_len(&fields) + cachet_cms_tlv_len(CACHET_ASN1_SEQUENCE, eci) +
                  cachet_cms_tlv_len(CACHET_ASN1_OCTETSTRING, cachet_md_size(d->md));
    uint64_t wrap = cachet_cms_tlv_len(CACHET_ASN1_SEQUENCE, dd);
    uint64_t ci = cachet_cbb_len(&ci_oid) + cachet_cms_tlv_len(CACHET_ASN1_CONTEXT_CONS(0), wrap);
    cachet_status st = ok ? open_elem(d, CACHET_ASN1_SEQUENCE, ci) : CACHET_ERR_NOMEM;
    if (st == CACHET_OK) {
        st = put_then_open(d, &ci_oid, CACHET_ASN1_CONTEXT_CONS(0), wrap);
    }
    if (st == CACHET_OK) {
        st = open_elem(d, CACHET_ASN1_SEQUENCE, dd);
    }
    if (st == CACHET_OK) {
        st = put_then_open(d, &fields, CACHET_ASN1_SEQUENCE, eci);
    }
    if (st == CACHET_OK) {
        st = put_then_open(d, &ct_oid, CACHET_ASN1_CONTEXT_CONS(0), octs);
    }
    cachet_cbb_cleanup(&ci_oid);
    cachet_cbb_cleanup(&fields);
    cachet_cbb_cleanup(&ct_oid);
    if (st == CACHET_OK) {
        st = open_elem(d,
                       d->length.known ? CACHET_ASN1_OCTETSTRING
                                       : CACHET_ASN1_OCTETSTRING | CACHET_ASN1_CONSTRUCTED,
                       d->length.declared);
    }
    return st;
}

cachet_cms_digest *cachet_cms_digest_new(cachet_md md, cachet_oid content_type,
                                         const cachet_sink *out, cachet_error *err) {
    return cachet_cms_digest_new_ex(md, content_type, false, 0, out, err);
}

cachet_cms_digest *cachet_cms_digest_new_ex(cachet_md md, cachet_oid content_type,
                                            bool content_size_known, uint64_t content_size,
                                            const cachet_sink *out, cachet_error *err) {
    cachet_cms_digest *d;
    cachet_status st;
    if (out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, DW_WHERE, -1, "no output sink");
        return NULL;
    }
    if (md != CACHET_MD_SHA256 && md != CACHET_MD_SHA384 && md != CACHET_MD_SHA512) {
        cachet_err_set(err, CACHET_ERR_USAGE, DW_WHERE, -1,
                       "digest must be SHA-256, SHA-384 or SHA-512");
        return NULL;
    }
    d = cachet_calloc(1, sizeof(*d));
    if (d == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, DW_WHERE, -1, "out of memory");
        return NULL;
    }
    d->out = *out;
    d->md = md;
    if (cachet_cms_length_init(&d->length, content_size_known, content_size,
                               DW_WHERE ".encapContentInfo", err) != CACHET_OK) {
        cachet_free(d);
        return NULL;
    }
    d->ctx = cachet_md_new(md, err);
    if (d->ctx == NULL) {
        cachet_free(d);
        return NULL;
    }
    st = write_header(d, content_type == CACHET_OID_UNKNOWN ? CACHET_OID_DATA : content_type);
    if (st != CACHET_OK) {
        cachet_err_set(err, st, DW_WHERE, -1, "writing the header failed");
        cachet_cms_digest_free(d);
        return NULL;
    }
    return d;
}

static cachet_status fail(cachet_cms_digest *d, cachet_status st, cachet_error *err,
                          const char *what) {
    d->failed = st;
    return cachet_err_set(err, st, DW_WHERE, -1, "%s", what);
}

cachet_status cachet_cms_digest_update(cachet_cms_digest *d, const uint8_t *data, size_t len,
                                       cachet_error *err) {
    cachet_status st;
    if (d->failed != CACHET_OK || d->finished) {
        return cachet_err_set(err, d->finished ? CACHET_ERR_USAGE : d->failed, DW_WHERE, -1,
                              "digester already failed or finished");
    }
    if (len == 0) {
        return CACHET_OK;
    }
    st = cachet_cms_length_add(&d->length, len, DW_WHERE ".encapContentInfo", err);
    if (st != CACHET_OK) {
        d->failed = st;
        return st;
    }
    /* The digest covers the content octets only (RFC 5652 §7, as §5.4 does). */
    if (!cachet_md_update(d->ctx, data, len)) {
        return fail(d, CACHET_ERR_INTERNAL, err, "digest failed");
    }
    st = d->length.known ? cachet_sink_write(&d->out, data, len)
                         : cachet_cms_write_octets(&d->out, data, len);
    if (st != CACHET_OK) {
        return fail(d, st, err, "output sink failed");
    }
    return CACHET_OK;
}

cachet_status cachet_cms_digest_finish(cachet_cms_digest *d, cachet_error *err) {
    uint8_t digest[CACHET_MD_MAX_SIZE];
    cachet_cbb cbb;
    cachet_status st;
    if (d->failed != CACHET_OK || d->finished) {
        return cachet_err_set(err, d->finished ? CACHET_ERR_USAGE : d->failed, DW_WHERE, -1,
                              "digester already failed or finished");
    }
    d->finished = true;
    st = cachet_cms_length_check(&d->length, DW_WHERE ".encapContentInfo", err);
    if (st != CACHET_OK) {
        d->failed = st;
        return st;
    }
    if (!cachet_md_final(d->ctx, digest)) {
        return fail(d, CACHET_ERR_INTERNAL, err, "digest failed");
    }
    /* Close the OCTET STRING, eContent [0] and encapContentInfo. */
    st = d->length.known ? CACHET_OK : cachet_cms_write_eoc(&d->out, 3);
    if (st == CACHET_OK) {
        if (!cachet_cbb_init(&cbb, 80, 0)) {
            st = CACHET_ERR_NOMEM;
        } else {
            st = cachet_cbb_add_asn1_octet_string(&cbb, digest, cachet_md_size(d->md))
                     ? put_cbb(&d->out, &cbb)
                     : CACHET_ERR_NOMEM;
            cachet_cbb_cleanup(&cbb);
        }
    }
    /* DigestedData, [0], ContentInfo. */
    if (st == CACHET_OK && !d->length.known) {
        st = cachet_cms_write_eoc(&d->out, 3);
    }
    if (st != CACHET_OK) {
        return fail(d, st, err, "output failed");
    }
    return CACHET_OK;
}

void cachet_cms_digest_free(cachet_cms_digest *d) {
    if (d == NULL) {
        return;
    }
    cachet_md_free(d->ctx);
    cachet_free(d);
}
