/* Streaming CompressedData (RFC 3274 §1.1) with id-alg-zlibCompress, written as
 * BER with indefinite lengths. Always: the compressed size is known only at the
 * end, so even a declared input size (which is checked) gives no length here. */
#include <string.h>

#include "cms/compressed.h"

#define CW_WHERE "CompressedData"

struct cachet_cms_compress {
    cachet_sink out;
    cachet_sink seg; /* zlib output -> OCTET STRING segments */
    cachet_zstream *z;
    cachet_cms_length length; /* declared input size, checked only */
    cachet_status failed;     /* sticky */
    bool finished;
};

static cachet_status write_segment(void *arg, const uint8_t *data, size_t len) {
    cachet_cms_compress *c = arg;
    if (len == 0) {
        return CACHET_OK;
    }
    return cachet_cms_write_octets(&c->out, data, len);
}

static cachet_status put_cbb(const cachet_sink *out, cachet_cbb *cbb) {
    if (!cachet_cbb_flush(cbb)) {
        return CACHET_ERR_NOMEM;
    }
    return cachet_sink_write(out, cachet_cbb_data(cbb), cachet_cbb_len(cbb));
}

/* ContentInfo { id-ct-compressedData, [0] { CompressedData { version 0,
 * compressionAlgorithm { id-alg-zlibCompress } (parameters absent, §2),
 * encapContentInfo { eContentType, [0] { OCTET STRING (constructed) ... */
static cachet_status write_header(cachet_cms_compress *c, cachet_oid content_type) {
    cachet_cbb head, alg;
    cachet_status st;
    if (!cachet_cbb_init(&head, 64, 0)) {
        return CACHET_ERR_NOMEM;
    }
    st = cachet_cms_write_indef_header(&c->out, CACHET_ASN1_SEQUENCE);
    if (st == CACHET_OK) {
        st = cachet_cbb_add_oid(&head, CACHET_OID_COMPRESSED_DATA) ? put_cbb(&c->out, &head)
                                                                   : CACHET_ERR_NOMEM;
    }
    cachet_cbb_cleanup(&head);
    if (st == CACHET_OK) {
        st = cachet_cms_write_indef_header(&c->out, CACHET_ASN1_CONTEXT_CONS(0));
    }
    if (st == CACHET_OK) {
        st = cachet_cms_write_indef_header(&c->out, CACHET_ASN1_SEQUENCE);
    }
    if (st != CACHET_OK || !cachet_cbb_init(&head, 64, 0)) {
        return st != CACHET_OK ? st : CACHET_ERR_NOMEM;
    }
    if (!cachet_cbb_add_asn1_uint64(&head, 0) ||
        !cachet_cbb_add_asn1(&head, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&alg, CACHET_OID_ZLIB_COMPRESS)) {
        st = CACHET_ERR_NOMEM;
    } else {
        st = put_cbb(&c->out, &head);
    }
    cachet_cbb_cleanup(&head);
    if (st == CACHET_OK) {
        st = cachet_cms_write_indef_header(&c->out, CACHET_ASN1_SEQUENCE);
    }
    if (st != CACHET_OK || !cachet_cbb_init(&head, 64, 0)) {
        return st != CACHET_OK ? st : CACHET_ERR_NOMEM;
    }
    st = cachet_cbb_add_oid(&head, content_type) ? put_cbb(&c->out, &head) : CACHET_ERR_NOMEM;
    cachet_cbb_cleanup(&head);
    if (st == CACHET_OK) {
        st = cachet_cms_write_indef_header(&c->out, CACHET_ASN1_CONTEXT_CONS(0));
    }
    if (st == CACHET_OK) {
        st = cachet_cms_write_indef_header(&c->out,
                                           CACHET_ASN1_OCTETSTRING | CACHET_ASN1_CONSTRUCTED);
    }
    return st;
}

cachet_cms_compress *cachet_cms_compress_new(cachet_oid content_type, const cachet_sink *out,
                                             cachet_error *err) {
    return cachet_cms_compress_new_ex(content_type, false, 0, out, err);
}

cachet_cms_compress *cachet_cms_compress_new_ex(cachet_oid content_type, bool content_size_known,
                                                uint64_t content_size, const cachet_sink *out,
                                                cachet_error *err) {
    cachet_cms_compress *c;
    cachet_status st;
    if (out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, CW_WHERE, -1, "no output sink");
        return NULL;
    }
    c = cachet_calloc(1, sizeof(*c));
    if (c == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, CW_WHERE, -1, "out of memory");
        return NULL;
    }
    c->out = *out;
    if (cachet_cms_length_init(&c->length, content_size_known, content_size, CW_WHERE, err) !=
        CACHET_OK) {
        cachet_free(c);
        return NULL;
    }
    c->seg.write = write_segment;
    c->seg.arg = c;
    c->z = cachet_zstream_new(true, err);
    if (c->z == NULL) {
        cachet_free(c);
        return NULL;
    }
    st = write_header(c, content_type == CACHET_OID_UNKNOWN ? CACHET_OID_DATA : content_type);
    if (st != CACHET_OK) {
        cachet_err_set(err, st, CW_WHERE, -1, "writing the header failed");
        cachet_cms_compress_free(c);
        return NULL;
    }
    return c;
}

cachet_status cachet_cms_compress_update(cachet_cms_compress *c, const uint8_t *data, size_t len,
                                         cachet_error *err) {
    cachet_status st;
    if (c->failed != CACHET_OK || c->finished) {
        return cachet_err_set(err, c->finished ? CACHET_ERR_USAGE : c->failed, CW_WHERE, -1,
                              "compressor already failed or finished");
    }
    st = cachet_cms_length_add(&c->length, len, CW_WHERE, err);
    if (st != CACHET_OK) {
        c->failed = st;
        return st;
    }
    st = cachet_zstream_update(c->z, data, len, &c->seg, err);
    if (st != CACHET_OK) {
        c->failed = st;
        cachet_err_set(err, st, CW_WHERE, -1, "compression failed");
    }
    return st;
}

cachet_status cachet_cms_compress_finish(cachet_cms_compress *c, cachet_error *err) {
    cachet_status st;
    if (c->failed != CACHET_OK || c->finished) {
        return cachet_err_set(err, c->finished ? CACHET_ERR_USAGE : c->failed, CW_WHERE, -1,
                              "compressor already failed or finished");
    }
    c->finished = true;
    st = cachet_cms_length_check(&c->length, CW_WHERE, err);
    if (st != CACHET_OK) {
        c->failed = st;
        return st;
    }
    st = cachet_zstream_finish(c->z, &c->seg, err);
    /* OCTET STRING, [0], EncapsulatedContentInfo, CompressedData, [0], ContentInfo. */
    if (st == CACHET_OK) {
        st = cachet_cms_write_eoc(&c->out, 6);
    }
    if (st != CACHET_OK) {
        c->failed = st;
        cachet_err_set(err, st, CW_WHERE, -1, "compression or output failed");
    }
    return st;
}

void cachet_cms_compress_free(cachet_cms_compress *c) {
    if (c == NULL) {
        return;
    }
    cachet_zstream_free(c->z);
    cachet_free(c);
}
