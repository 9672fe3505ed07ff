/* smime/receipt_new.c: generating a signed receipt (RFC 2634 §2.3, §2.4). The
 * request is read and verified with the context's trust first (no receipt for
 * a signature that did not verify); the receipt is written only at finish. */
#include <string.h>
#include <strings.h>

#include "cms/signed.h"
#include "smime/receipt.h"
#include "smime/writer.h"

static cachet_md md_of(cachet_digest d, const cachet_pkey *key) {
    cachet_key_type kt = cachet_pkey_type(key);
    if (kt == CACHET_KEY_ED25519) {
        return CACHET_MD_SHA512; /* RFC 8419 §3.1 */
    }
    if (kt == CACHET_KEY_ED448) {
        return CACHET_MD_SHAKE256_512;
    }
    return d == CACHET_DIGEST_SHA384   ? CACHET_MD_SHA384
           : d == CACHET_DIGEST_SHA512 ? CACHET_MD_SHA512
                                       : CACHET_MD_SHA256;
}

/* msgSigDigest attribute: SEQUENCE { id-aa-msgSigDigest, SET { OCTET STRING } } */
static bool msd_attr(const uint8_t *d, size_t len, uint8_t **out, size_t *out_len) {
    cachet_cbb cbb, attr, set;
    if (!cachet_cbb_init(&cbb, 128, 0)) {
        return false;
    }
    if (!cachet_cbb_add_asn1(&cbb, &attr, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_MSG_SIG_DIGEST) ||
        !cachet_cbb_add_asn1(&attr, &set, CACHET_ASN1_SET) ||
        !cachet_cbb_add_asn1_octet_string(&set, d, len) || !cachet_cbb_finish(&cbb, out, out_len)) {
        cachet_cbb_cleanup(&cbb);
        return false;
    }
    return true;
}

cachet_status cachet_receipt_sign(const cachet_ctx *ctx, const cachet_credential *signer,
                                  cachet_digest digest, cachet_format format,
                                  const cachet_cms_receipt *r, const cachet_cbs *orig_attrs,
                                  const uint8_t *msg_sig_digest, size_t msg_sig_digest_len,
                                  const char *header, const cachet_sink *out, cachet_error *err) {
    cachet_md md = md_of(digest, signer->key);
    uint8_t msd[CACHET_MD_MAX_SIZE];
    size_t msd_len = 0;
    if (msg_sig_digest != NULL) {
        msd_len = msg_sig_digest_len < sizeof(msd) ? msg_sig_digest_len : sizeof(msd);
        memcpy(msd, msg_sig_digest, msd_len);
    } else if (!cachet_cms_msg_sig_digest(md, orig_attrs, msd, &msd_len)) {
        return cachet_err_set(err, CACHET_ERR_INTERNAL, "msgSigDigest", -1, "digest failed");
    }
    uint8_t *attr = NULL, *body = NULL;
    size_t attr_len = 0, body_len = 0;
    cachet_cbb cbb;
    bool ok = msd_attr(msd, msd_len, &attr, &attr_len) && cachet_cbb_init(&cbb, 256, 0);
    if (ok && (!cachet_cms_receipt_build(&cbb, r) || !cachet_cbb_finish(&cbb, &body, &body_len))) {
        cachet_cbb_cleanup(&cbb);
        ok = false;
    }
    if (!ok) {
        cachet_free(attr);
        return cachet_err_set(err, CACHET_ERR_NOMEM, "Receipt", -1, "out of memory");
    }
    cachet_cms_signer_opts so = {
        .key = signer->key,
        .cert = signer->cert,
        .md = md,
        .extra_signed_attrs = attr,
        .extra_signed_attrs_len = attr_len,
    };
    /* §2.4: eContentType id-ct-receipt, the DER Receipt directly as eContent */
    cachet_cms_sign_opts co = {
        .signers = &so,
        .num_signers = 1,
        .extra_certs = signer->chain.certs,
        .num_extra_certs = signer->chain.num,
        .content_type = CACHET_OID_CT_RECEIPT,
        .signing_time = ctx->at,
        .keys_checked = signer->key_checked,
        .content_size_known = true,
        .content_size = body_len,
    };
    cachet_smime_cms_out cout;
    cachet_cms_sign *s = NULL;
    cachet_status st = cachet_smime_cms_out_init(&cout, format, out, err);
    if (st == CACHET_OK && format == CACHET_FORMAT_SMIME) {
        char fields[512];
        cachet_smime_pkcs7_mime_fields("signed-receipt", fields, sizeof(fields));
        st = cachet_smime_write_str(out, header != NULL ? header : "", err);
        if (st == CACHET_OK) {
            st = cachet_smime_write_str(out, "MIME-Version: 1.0\r\n", err);
        }
        if (st == CACHET_OK) {
            st = cachet_smime_write_str(out, fields, err);
        }
        if (st == CACHET_OK) {
            st = cachet_smime_write_str(out, "\r\n", err);
        }
        if (st == CACHET_OK) {
            st = cachet_smime_cms_out_open(&cout);
        }
    }
    if (st == CACHET_OK) {
        s = cachet_cms_sign_new(&co, &cout.sink, err);
        st = s == NULL ? (err->status != CACHET_OK ? err->status : CACHET_ERR_INTERNAL) : st;
    }
    if (st == CACHET_OK) {
        st = cachet_cms_sign_update(s, body, body_len, err);
    }
    if (st == CACHET_OK) {
        st = cachet_cms_sign_finish(s, err);
    }
    if (st == CACHET_OK) {
        st = cachet_smime_cms_out_finish(&cout, err);
    }
    cachet_cms_sign_free(s);
    cachet_smime_cms_out_free(&cout);
    cachet_free(attr);
    cachet_free(body);
    return st;
}

/* ---- Choosing what to answer (§2.3) ---- */

/* ml_forbids: an mlExpansionHistory whose last MLData says mlReceiptPolicy
 * none (§2.3 step 2), or any expansion with a firstTier request (step 3.2). */
static const char *ml_forbids(const cachet_receipt_ref *ref, cachet_receipts_from from) {
    for (size_t k = 0; k < ref->num_layers; k++) {
        for (size_t i = 0; i < ref->layers[k].num_signers; i++) {
            const cachet_receipt_orig *o = &ref->layers[k].signers[i];
            cachet_cbs attrs, values, hist, last = {0}, mld, skip;
            bool found = false;
            if (!o->valid || o->signed_attrs == NULL) {
                continue;
            }
            cachet_cbs_init(&attrs, o->signed_attrs, o->signed_attrs_len);
            if (!cachet_cms_find_attr(&attrs, CACHET_OID_ATTR_ML_EXPANSION_HISTORY, &found,
                                      &values) ||
                !found) {
                continue;
            }
            if (from == CACHET_RECEIPTS_FROM_FIRST_TIER) {
                return "the request asks first-tier recipients only and the message came "
                       "through a mail list (mlExpansionHistory, RFC 2634 §2.3)";
            }
            if (cachet_cms_single_value(&values, CACHET_ASN1_SEQUENCE, false, &hist)) {
                while (hist.len > 0 && cachet_cbs_get_asn1(&hist, &mld, CACHET_ASN1_SEQUENCE)) {
                    last = mld;
                }
            }
            if (last.data != NULL && cachet_cbs_get_any_asn1_element(&last, &skip, NULL, NULL) &&
                cachet_cbs_get_any_asn1_element(&last, &skip, NULL, NULL) &&
                cachet_cbs_peek_asn1_tag(&last, CACHET_ASN1_CONTEXT(0))) {
                return "the mail list's receipt policy is none (mlReceiptPolicy, RFC 2634 §2.3)";
            }
        }
    }
    return NULL;
}

typedef struct addr_match {
    const char *const *mine;
    size_t num;
    bool hit;
} addr_match;

static bool match_addr(void *arg, const char *addr, size_t len) {
    addr_match *m = arg;
    for (size_t i = 0; i < m->num; i++) {
        if (strlen(m->mine[i]) == len && strncasecmp(m->mine[i], addr, len) == 0) {
            m->hit = true;
        }
    }
    return true;
}

/* choose finds the innermost signed layer's valid signer asking for a receipt
 * from us. USAGE with why not. */
static cachet_status choose(const cachet_receipt_ref *ref, const cachet_receipt_opts *opts,
                            const cachet_receipt_layer **out_l, const cachet_receipt_orig **out_o,
                            cachet_cms_receipt_request *out_rr, cachet_error *err) {
    const cachet_receipt_layer *l = NULL;
    for (size_t k = 0; k < ref->num_layers; k++) {
        if (l == NULL || ref->layers[k].depth > l->depth) {
            l = &ref->layers[k];
        }
    }
    if (l == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "receipt", -1,
                              "the message is not signed: no receipt was requested");
    }
    cachet_cbs ect;
    cachet_cbs_init(&ect, l->econtent_type, l->econtent_type_len);
    if (cachet_oid_lookup_cbs(&ect) == CACHET_OID_CT_RECEIPT) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "receipt", -1,
                              "the message is a signed receipt: no receipt for a receipt "
                              "(RFC 2634 §2.2)");
    }
    const cachet_receipt_orig *chosen = NULL;
    cachet_cbs first = {0};
    for (size_t i = 0; i < l->num_signers; i++) {
        cachet_cms_receipt_request rr;
        cachet_cbs raw;
        if (!l->signers[i].valid || !cachet_receipt_request_of(&l->signers[i], &rr, &raw)) {
            continue;
        }
        if (chosen == NULL) {
            chosen = &l->signers[i];
            first = raw;
            *out_rr = rr;
        } else if (raw.len != first.len || memcmp(raw.data, first.data, raw.len) != 0) {
            return cachet_err_set(err, CACHET_ERR_USAGE, "receipt", -1,
                                  "the signers' receipt requests differ: no receipt may be "
                                  "returned (RFC 2634 §2.3)");
        }
    }
    if (chosen == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "receipt", -1,
                              "no valid signature of the innermost signed layer requests a "
                              "receipt");
    }
    const char *why = ml_forbids(ref, out_rr->from);
    if (why != NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "receipt", -1, "%s", why);
    }
    if (out_rr->from == CACHET_RECEIPTS_FROM_LIST) {
        char **emails = NULL;
        size_t num = 0;
        addr_match m = {0};
        if (opts->my_address != NULL) {
            m.mine = &opts->my_address;
            m.num = 1;
        } else {
            num = cachet_cert_emails(opts->signer->cert, &emails);
            m.mine = (const char *const *)emails;
            m.num = num;
        }
        cachet_cms_names_emails(&out_rr->from_list, match_addr, &m);
        cachet_cert_emails_free(emails, num);
        if (!m.hit) {
            return cachet_err_set(err, CACHET_ERR_USAGE, "receipt", -1,
                                  "the request's receiptList does not name %s (RFC 2634 §2.3)",
                                  opts->my_address != NULL ? opts->my_address
                                                           : "an address of the signer "
                                                             "certificate");
        }
    }
    *out_l = l;
    *out_o = chosen;
    return CACHET_OK;
}

/* ---- The operation ---- */

typedef struct receipt_impl {
    cachet_op *inner; /* the reader, verifying the request */
    cachet_receipt_ref ref;
    cachet_receipt_opts opts;
    bool wrapped; /* encrypted receipt: |wrap| holds the outer layers */
    cachet_receipt_wrap wrap;
} receipt_impl;

static cachet_status on_signed(cachet_reader *rd, const cachet_rd_place *place,
                               const cachet_cms_verify *v, size_t idx) {
    receipt_impl *r = rd->on_signed_arg;
    cachet_error e;
    cachet_err_clear(&e);
    if (cachet_receipt_capture(&r->ref, rd, place, v, idx, &e) != CACHET_OK) {
        return cachet_rd_fatal(rd, place, &e);
    }
    return CACHET_OK;
}

static cachet_status rc_update(cachet_op *op, const uint8_t *data, size_t len) {
    receipt_impl *r = op->impl;
    cachet_status st = cachet_op_update(r->inner, data, len);
    return st == CACHET_OK ? st : cachet_op_fail(op, cachet_op_error(r->inner));
}

static cachet_status rc_finish(cachet_op *op, cachet_report **out_report) {
    receipt_impl *r = op->impl;
    cachet_report *rep = NULL;
    cachet_status st = cachet_op_finish(r->inner, &rep);
    if (out_report != NULL) {
        *out_report = rep;
    } else {
        cachet_report_free(rep);
    }
    if (op->failed) {
        return op->err.status;
    }
    if (st != CACHET_OK) {
        /* §2.4: no receipt unless the request's signature verified */
        cachet_error e = *cachet_op_error(r->inner);
        cachet_err_prefix_where(&e, "request");
        return cachet_op_fail(op, &e);
    }
    if (r->ref.num_layers == 0) {
        return cachet_op_failf(op, CACHET_ERR_USAGE, "receipt", -1,
                               "the message is not signed: no receipt was requested");
    }
    const cachet_receipt_layer *l = NULL;
    const cachet_receipt_orig *o = NULL;
    cachet_cms_receipt_request rr;
    cachet_error e;
    cachet_err_clear(&e);
    if (choose(&r->ref, &r->opts, &l, &o, &rr, &e) != CACHET_OK) {
        return cachet_op_fail(op, &e);
    }
    cachet_cms_receipt rec;
    cachet_cbs attrs;
    cachet_cbs_init(&rec.content_type, l->econtent_type, l->econtent_type_len);
    rec.content_id = rr.content_id;
    cachet_cbs_init(&rec.signature, o->signature, o->signature_len);
    cachet_cbs_init(&attrs, o->signed_attrs, o->signed_attrs_len);
    cachet_format f =
        r->opts.raw && r->opts.format == CACHET_FORMAT_SMIME ? CACHET_FORMAT_DER : r->opts.format;
    char *header = NULL;
    cachet_status st2 = cachet_receipt_header(&r->ref, &r->opts, &rr, &header, &e);
    if (st2 == CACHET_OK) {
        st2 = cachet_receipt_sign(op->ctx, r->opts.signer, r->opts.digest, f, &rec, &attrs, NULL, 0,
                                  header, r->wrapped ? &r->wrap.sink : &op->out, &e);
    }
    if (r->wrapped) {
        st2 = cachet_receipt_wrap_finish(&r->wrap, st2, &e);
    }
    cachet_free(header);
    return st2 == CACHET_OK ? CACHET_OK : cachet_op_fail(op, &e);
}

static void rc_free(void *impl) {
    receipt_impl *r = impl;
    if (r != NULL) {
        cachet_op_free(r->inner);
        cachet_receipt_wrap_free(&r->wrap);
        cachet_receipt_ref_clear(&r->ref);
        cachet_free(r);
    }
}

static const cachet_op_vtable rc_vt = {
    .update_content = NULL,
    .update = rc_update,
    .finish = rc_finish,
    .free_impl = rc_free,
};

cachet_op *cachet_receipt_new(const cachet_ctx *ctx, const cachet_receipt_opts *opts,
                              const cachet_sink *out, cachet_error *err) {
    cachet_err_clear(err);
    if (ctx == NULL || opts == NULL || out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "a context, options and a sink are needed");
        return NULL;
    }
    if (opts->signer == NULL || opts->signer->key == NULL || opts->signer->cert == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "a receipt needs a signer (key and certificate)");
        return NULL;
    }
    if (!opts->raw && opts->format != CACHET_FORMAT_SMIME) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "DER or PEM output is for raw mode");
        return NULL;
    }
    for (const char *p = opts->my_address; p != NULL && *p != '\0'; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
            cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                           "my_address must be a plain ASCII email address");
            return NULL;
        }
    }
    receipt_impl *r = cachet_calloc(1, sizeof(*r));
    cachet_op *op = r != NULL ? cachet_op_alloc(ctx, &rc_vt, r, out) : NULL;
    if (op == NULL) {
        cachet_free(r);
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    r->opts = *opts;
    if (opts->num_encrypt_to > 0) {
        if (cachet_receipt_wrap_init(&r->wrap, ctx, opts, &op->out, err) != CACHET_OK) {
            cachet_op_free(op);
            return NULL;
        }
        r->wrapped = true;
    }
    cachet_rd_keys keys = {.cred = opts->decrypt_with};
    cachet_sink none = cachet_sink_null();
    /* the content is not wanted: nothing to hold back, so none is held */
    none.discard_on_failure = true;
    r->inner = cachet_rd_new(ctx, CACHET_RD_VERIFY, &keys, true, opts->raw, false, &none, err);
    if (r->inner == NULL) {
        cachet_op_free(op);
        return NULL;
    }
    cachet_reader *rd = r->inner->impl;
    rd->on_signed = on_signed;
    rd->on_signed_arg = r;
    return op;
}
