/* smime/receipt_check.c: a signed receipt being read (eContentType
 * id-ct-receipt, RFC 2634 §2.4): its Receipt content is parsed into the layer
 * report and, given the original, checked as §2.7 asks: originatorSignatureValue
 * names a signature of the original, contentType and signedContentIdentifier
 * are that signature's, and msgSigDigest is the digest of its signed attributes. */
#include <stdio.h>
#include <string.h>

#include "smime/receipt.h"

#define MISMATCH(...) (snprintf(detail, detail_len, __VA_ARGS__), 0)

static bool cbs_eq(const cachet_cbs *a, const uint8_t *b, size_t blen) {
    return cachet_cbs_mem_equal(a, b, blen);
}

static void oid_text(const cachet_cbs *oid, char *out, size_t len) {
    cachet_oid o = cachet_oid_lookup_cbs(oid);
    if (o != CACHET_OID_UNKNOWN) {
        snprintf(out, len, "%s", cachet_oid_name(o));
    } else if (!cachet_cbs_oid_to_text(oid, out, len)) {
        snprintf(out, len, "?");
    }
}

/* check_msg_sig_digest: every receipt signer whose signature verified carries
 * a msgSigDigest equal to the digest, under its own digest algorithm, of the
 * original signer's signed attributes (§2.8). */
static int check_msg_sig_digest(const cachet_receipt_orig *o, const cachet_cms_verify *v,
                                const cachet_layer_report *layer, char *detail, size_t detail_len) {
    size_t checked = 0;
    cachet_cbs orig;
    cachet_cbs_init(&orig, o->signed_attrs, o->signed_attrs_len);
    for (size_t i = 0; i < layer->num_signers; i++) {
        cachet_cbs attrs, values, msd;
        bool found = false;
        size_t num = 0;
        cachet_cms_receipt_signer rs;
        if (!cachet_cms_verify_signed_attrs(v, i, &attrs) ||
            !cachet_cms_receipt_signers(v, i, &num, NULL, &rs)) {
            continue; /* not a valid signature: it proves nothing either way */
        }
        if (!cachet_cms_find_attr(&attrs, CACHET_OID_ATTR_MSG_SIG_DIGEST, &found, &values) ||
            !found || !cachet_cms_single_value(&values, CACHET_ASN1_OCTETSTRING, false, &msd)) {
            return MISMATCH("msgSigDigest: absent from the receipt's signerInfos[%zu]", i);
        }
        uint8_t want[CACHET_MD_MAX_SIZE];
        size_t want_len = 0;
        if (rs.md == CACHET_MD_NONE || !cachet_cms_msg_sig_digest(rs.md, &orig, want, &want_len)) {
            return MISMATCH("msgSigDigest: signerInfos[%zu] uses a digest algorithm we cannot "
                            "compute",
                            i);
        }
        if (!cbs_eq(&msd, want, want_len)) {
            return MISMATCH("msgSigDigest: signerInfos[%zu] differs from the %s digest of the "
                            "original's signed attributes",
                            i, cachet_md_name(rs.md));
        }
        checked++;
    }
    if (checked == 0) {
        return MISMATCH("msgSigDigest: no signature of the receipt verified, so none can be "
                        "trusted");
    }
    return 1;
}

int cachet_receipt_match(const cachet_receipt_ref *ref, const cachet_cms_receipt *r,
                         const cachet_cms_verify *v, const cachet_layer_report *layer, char *detail,
                         size_t detail_len) {
    const cachet_receipt_layer *l = NULL;
    const cachet_receipt_orig *o = NULL;
    for (size_t k = 0; k < ref->num_layers && o == NULL; k++) {
        for (size_t i = 0; i < ref->layers[k].num_signers && o == NULL; i++) {
            const cachet_receipt_orig *c = &ref->layers[k].signers[i];
            if (cbs_eq(&r->signature, c->signature, c->signature_len)) {
                l = &ref->layers[k];
                o = c;
            }
        }
    }
    if (o == NULL) {
        return MISMATCH("originatorSignatureValue: matches no signature of the original "
                        "message (a receipt for another message?)");
    }
    if (!cbs_eq(&r->content_type, l->econtent_type, l->econtent_type_len)) {
        char got[64], want[64];
        cachet_cbs w;
        cachet_cbs_init(&w, l->econtent_type, l->econtent_type_len);
        oid_text(&r->content_type, got, sizeof(got));
        oid_text(&w, want, sizeof(want));
        return MISMATCH("contentType: the receipt names %s, the original signed %s", got, want);
    }
    cachet_cms_receipt_request rr;
    if (!cachet_receipt_request_of(o, &rr, NULL)) {
        return MISMATCH("receiptRequest: the original signature requested no receipt");
    }
    if (rr.content_id.len != r->content_id.len ||
        !cbs_eq(&r->content_id, rr.content_id.data, rr.content_id.len)) {
        return MISMATCH("signedContentIdentifier: differs from the one the original requested "
                        "a receipt for");
    }
    return check_msg_sig_digest(o, v, layer, detail, detail_len);
}

/* ---- The pipeline unit ---- */

typedef struct receipt_unit {
    cachet_rd_unit base;
    cachet_reader *rd;
    cachet_rd_place place;
    const cachet_cms_verify *v;
    size_t idx;
    cachet_membuf buf;
} receipt_unit;

static cachet_status receipt_update(cachet_rd_unit *u, const uint8_t *data, size_t len) {
    receipt_unit *ru = (receipt_unit *)u;
    if (len > CACHET_CMS_RECEIPT_MAX - ru->buf.len) {
        return cachet_rd_fatalf(ru->rd, &ru->place, CACHET_ERR_LIMIT,
                                "Receipt: more than %d bytes (a Receipt is a few hundred)",
                                CACHET_CMS_RECEIPT_MAX);
    }
    if (!cachet_membuf_append(&ru->buf, data, len)) {
        return cachet_rd_fatalf(ru->rd, &ru->place, CACHET_ERR_NOMEM, "out of memory");
    }
    return CACHET_OK;
}

static char *hex_dup(const cachet_cbs *b) {
    char *s = cachet_malloc(b->len * 2 + 1);
    if (s != NULL) {
        cachet_hex(s, b->data, b->len);
    }
    return s;
}

/* carries: a signer of the receipt has the signed attribute |oid|: a
 * receiptRequest (§2.2: never a receipt for a receipt, so never a request on
 * one) or an mlExpansionHistory (§2.4.1: a receipt is not expanded by a mail
 * list agent, so its signer never carries one). */
static bool carries(const cachet_cms_verify *v, size_t num, cachet_oid oid, size_t *which) {
    for (size_t i = 0; i < num; i++) {
        cachet_cbs attrs, values;
        bool found = false;
        if (cachet_cms_verify_signed_attrs(v, i, &attrs) &&
            cachet_cms_find_attr(&attrs, oid, &found, &values) && found) {
            *which = i;
            return true;
        }
    }
    return false;
}

static cachet_status receipt_finish(cachet_rd_unit *u) {
    receipt_unit *ru = (receipt_unit *)u;
    cachet_reader *rd = ru->rd;
    cachet_layer_report *layer = &rd->layers[ru->idx];
    cachet_error e;
    cachet_err_clear(&e);
    cachet_cbs in;
    cachet_cms_receipt r;
    char detail[256];
    cachet_cbs_init(&in, ru->buf.data, ru->buf.len);
    if (!cachet_cms_receipt_parse(&in, &r, detail, sizeof(detail))) {
        cachet_err_set(&e, CACHET_ERR_MALFORMED, "SignedData.encapContentInfo.eContent", -1, "%s",
                       detail);
        if (rd->mode != CACHET_RD_INSPECT) {
            cachet_rd_verdict(rd, &ru->place, &e);
        }
        return CACHET_OK;
    }
    cachet_receipt_info *info = cachet_calloc(1, sizeof(*info));
    if (info == NULL) {
        return cachet_rd_fatalf(rd, &ru->place, CACHET_ERR_NOMEM, "out of memory");
    }
    layer->receipt = info;
    oid_text(&r.content_type, info->content_type, sizeof(info->content_type));
    info->content_id_hex = hex_dup(&r.content_id);
    info->signature_hex = hex_dup(&r.signature);
    info->matched = -1;
    if (info->content_id_hex == NULL || info->signature_hex == NULL) {
        return cachet_rd_fatalf(rd, &ru->place, CACHET_ERR_NOMEM, "out of memory");
    }
    size_t which = 0;
    if (carries(ru->v, layer->num_signers, CACHET_OID_ATTR_RECEIPT_REQUEST, &which)) {
        cachet_err_set(&e, CACHET_ERR_ATTRIBUTES, "SignedData.signerInfos", -1,
                       "signerInfos[%zu] of a signed receipt requests a receipt (RFC 2634 §2.2 "
                       "forbids it)",
                       which);
        if (rd->mode != CACHET_RD_INSPECT) {
            cachet_rd_verdict(rd, &ru->place, &e);
        }
    }
    if (carries(ru->v, layer->num_signers, CACHET_OID_ATTR_ML_EXPANSION_HISTORY, &which)) {
        cachet_err_set(&e, CACHET_ERR_ATTRIBUTES, "SignedData.signerInfos", -1,
                       "signerInfos[%zu] of a signed receipt carries mlExpansionHistory (RFC "
                       "2634 §2.4.1: a receipt's signer must not)",
                       which);
        if (rd->mode != CACHET_RD_INSPECT) {
            cachet_rd_verdict(rd, &ru->place, &e);
        }
    }
    if (rd->receipt_for == NULL || rd->mode == CACHET_RD_INSPECT) {
        return CACHET_OK;
    }
    info->matched = cachet_receipt_match(rd->receipt_for, &r, ru->v, layer, info->match_detail,
                                         sizeof(info->match_detail));
    if (info->matched != 1) {
        /* "not a receipt for this message" says more than "signer not trusted":
         * it takes the place of an UNTRUSTED verdict (the report keeps the chain) */
        char also[200] = "";
        if (rd->verdict.status == CACHET_ERR_UNTRUSTED) {
            snprintf(also, sizeof(also), " (also: %s)", rd->verdict.message);
            cachet_err_clear(&rd->verdict);
        }
        cachet_err_set(&e, CACHET_ERR_RECEIPT, "Receipt", -1, "%s%s", info->match_detail, also);
        cachet_rd_verdict(rd, &ru->place, &e);
    }
    return CACHET_OK;
}

static void receipt_free(cachet_rd_unit *u) {
    receipt_unit *ru = (receipt_unit *)u;
    cachet_membuf_free(&ru->buf);
    cachet_free(ru);
}

static const cachet_rd_unit_vt receipt_vt = {receipt_update, receipt_finish, receipt_free};

cachet_rd_unit *cachet_rd_receipt_new(cachet_reader *rd, const cachet_rd_place *place,
                                      const cachet_cms_verify *v, size_t idx) {
    receipt_unit *ru = cachet_calloc(1, sizeof(*ru));
    if (ru == NULL) {
        return NULL;
    }
    ru->base.vt = &receipt_vt;
    ru->rd = rd;
    ru->place = *place;
    ru->v = v;
    ru->idx = idx;
    return &ru->base;
}
