/* A ContentInfo of type id-data (RFC 5652 §4): ContentInfo{id-data, [0]
 * EXPLICIT OCTET STRING}, as some engines write plain content (RFC 4134 §3.1).
 * The octets, primitive or constructed, definite or indefinite, stream through
 * as they come; the rest of the structure is checked at the end. */
#include <stdio.h>
#include <string.h>

#include "smime/pipeline.h"

struct cachet_rd_data {
    cachet_ber_skel *skel;
    cachet_sink out;
};

/* The content: ContentInfo.[0].OCTET STRING, either form. */
static bool is_bulk(void *arg, const cachet_asn1_tag *path, const size_t *index, size_t depth) {
    (void)arg;
    return depth == 2 && path[0] == CACHET_ASN1_SEQUENCE && index[1] == 1 &&
           path[1] == CACHET_ASN1_CONTEXT_CONS(0) &&
           (path[2] & ~CACHET_ASN1_CONSTRUCTED) == CACHET_ASN1_OCTETSTRING;
}

static cachet_status on_data(void *arg, const uint8_t *data, size_t len) {
    cachet_rd_data *d = arg;
    return cachet_sink_write(&d->out, data, len);
}

cachet_rd_data *cachet_rd_data_new(const cachet_cms_limits *limits, const cachet_sink *out) {
    cachet_rd_data *d = cachet_calloc(1, sizeof(*d));
    if (d == NULL) {
        return NULL;
    }
    d->out = *out;
    cachet_ber_skel_callbacks cb = {.is_bulk = is_bulk, .on_bulk_data = on_data, .arg = d};
    cachet_ber_limits bl = cachet_cms_ber_limits(limits);
    d->skel = cachet_ber_skel_new(&cb, &bl);
    if (d->skel == NULL) {
        cachet_free(d);
        return NULL;
    }
    return d;
}

cachet_status cachet_rd_data_update(cachet_rd_data *d, const uint8_t *data, size_t len,
                                    cachet_error *err) {
    return cachet_ber_skel_update(d->skel, data, len, err);
}

cachet_status cachet_rd_data_finish(cachet_rd_data *d, cachet_layer_report *out,
                                    cachet_error *err) {
    cachet_status st = cachet_ber_skel_finish(d->skel, err);
    if (st != CACHET_OK) {
        return st;
    }
    cachet_cbs all, ci, content, octets;
    cachet_oid oid = CACHET_OID_UNKNOWN;
    if (!cachet_ber_skel_der(d->skel, &all) ||
        !cachet_cbs_get_asn1(&all, &ci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&ci, &oid, NULL) || oid != CACHET_OID_DATA) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "ContentInfo", -1,
                              "not a ContentInfo of type id-data");
    }
    /* RFC 5652 §3: content is not optional (PKCS #7's was). */
    if (!cachet_cbs_get_asn1(&ci, &content, CACHET_ASN1_CONTEXT_CONS(0))) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "ContentInfo.content", -1,
                              "id-data ContentInfo without content");
    }
    if (!cachet_cbs_get_asn1(&content, &octets, CACHET_ASN1_OCTETSTRING) || content.len != 0 ||
        ci.len != 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "ContentInfo.content", -1,
                              "id-data content is not one OCTET STRING");
    }
    if (out != NULL) {
        out->type = CACHET_LAYER_DATA;
        snprintf(out->content_type, sizeof(out->content_type), "id-data");
    }
    return CACHET_OK;
}

void cachet_rd_data_free(cachet_rd_data *d) {
    if (d != NULL) {
        cachet_ber_skel_free(d->skel);
        cachet_free(d);
    }
}
