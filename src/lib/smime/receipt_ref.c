/* smime/receipt_ref.c: what is kept of the signed layers of a message (RFC 2634
 * §2.2.2: the originator retains the signature value and the signed attributes
 * of what it sent, to validate receipts), and the operation that reads an
 * original as it was sent, streaming, writing nothing. */
#include <string.h>

#include "smime/receipt.h"

static uint8_t *dup_cbs(const cachet_cbs *b) {
    uint8_t *p = cachet_malloc(b->len > 0 ? b->len : 1);
    if (p != NULL && b->len > 0) {
        memcpy(p, b->data, b->len);
    }
    return p;
}

static void layer_clear(cachet_receipt_layer *l) {
    for (size_t i = 0; i < l->num_signers; i++) {
        cachet_free(l->signers[i].signed_attrs);
        cachet_free(l->signers[i].signature);
    }
    cachet_free(l->signers);
    cachet_free(l->econtent_type);
    memset(l, 0, sizeof(*l));
}

void cachet_receipt_ref_clear(cachet_receipt_ref *ref) {
    for (size_t i = 0; ref != NULL && i < ref->num_layers; i++) {
        layer_clear(&ref->layers[i]);
    }
    if (ref != NULL) {
        ref->num_layers = 0;
    }
}

void cachet_receipt_ref_free(cachet_receipt_ref *ref) {
    cachet_receipt_ref_clear(ref);
    cachet_free(ref);
}

cachet_status cachet_receipt_capture(cachet_receipt_ref *ref, const cachet_reader *rd,
                                     const cachet_rd_place *place, const cachet_cms_verify *v,
                                     size_t idx, cachet_error *err) {
    size_t num = 0;
    cachet_cbs ect;
    if (!cachet_cms_receipt_signers(v, 0, &num, &ect, NULL) || num == 0) {
        return CACHET_OK; /* nothing readable to keep: no receipt can name it */
    }
    if (ref->num_layers >= CACHET_RECEIPT_MAX_LAYERS) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, place->path, -1, "more than %d signed layers",
                              CACHET_RECEIPT_MAX_LAYERS);
    }
    cachet_receipt_layer *l = &ref->layers[ref->num_layers];
    memset(l, 0, sizeof(*l));
    l->depth = place->layers;
    l->econtent_type = dup_cbs(&ect);
    l->econtent_type_len = ect.len;
    l->signers = cachet_calloc(num, sizeof(*l->signers));
    if (l->econtent_type == NULL || l->signers == NULL) {
        layer_clear(l);
        return cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
    }
    const cachet_layer_report *lr = &rd->layers[idx];
    for (size_t i = 0; i < num; i++) {
        cachet_cms_receipt_signer s;
        if (!cachet_cms_receipt_signers(v, i, &num, NULL, &s)) {
            continue; /* an unreadable SignerInfo: kept empty, matches nothing */
        }
        cachet_receipt_orig *o = &l->signers[l->num_signers++];
        o->md = s.md;
        o->valid = i < lr->num_signers && lr->signers[i].signature_valid &&
                   lr->signers[i].chain == CACHET_CHAIN_TRUSTED;
        o->signature = dup_cbs(&s.signature);
        o->signature_len = s.signature.len;
        if (s.has_signed_attrs) {
            o->signed_attrs = dup_cbs(&s.signed_attrs);
            o->signed_attrs_len = s.signed_attrs.len;
        }
        if (o->signature == NULL || (s.has_signed_attrs && o->signed_attrs == NULL)) {
            layer_clear(l);
            return cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        }
    }
    ref->num_layers++;
    return CACHET_OK;
}

bool cachet_receipt_request_of(const cachet_receipt_orig *o, cachet_cms_receipt_request *rr,
                               cachet_cbs *raw_value) {
    cachet_cbs attrs, values, value;
    bool found = false;
    char why[160];
    if (o->signed_attrs == NULL) {
        return false;
    }
    cachet_cbs_init(&attrs, o->signed_attrs, o->signed_attrs_len);
    if (!cachet_cms_find_attr(&attrs, CACHET_OID_ATTR_RECEIPT_REQUEST, &found, &values) || !found ||
        !cachet_cms_single_value(&values, CACHET_ASN1_SEQUENCE, true, &value) ||
        !cachet_cms_receipt_request_parse(&value, rr, why, sizeof(why))) {
        return false;
    }
    if (raw_value != NULL) {
        *raw_value = value;
    }
    return true;
}

cachet_status cachet_rd_signed_done(cachet_reader *rd, const cachet_rd_place *place,
                                    cachet_cms_verify *v, size_t idx) {
    cachet_status st = cachet_rd_signed_finish(rd, place, v, idx);
    if (st == CACHET_OK && rd->on_signed != NULL && !place->scan) {
        st = rd->on_signed(rd, place, v, idx);
    }
    return st;
}

/* ---- The operation: read the original, keep its signed layers ---- */

typedef struct ref_impl {
    cachet_op *inner; /* the reader */
    cachet_receipt_ref *ref;
    bool done;
} ref_impl;

static cachet_status ref_on_signed(cachet_reader *rd, const cachet_rd_place *place,
                                   const cachet_cms_verify *v, size_t idx) {
    ref_impl *r = rd->on_signed_arg;
    cachet_error e;
    cachet_err_clear(&e);
    if (cachet_receipt_capture(r->ref, rd, place, v, idx, &e) != CACHET_OK) {
        return cachet_rd_fatal(rd, place, &e);
    }
    return CACHET_OK;
}

static cachet_status ref_update_content(cachet_op *op, const uint8_t *data, size_t len) {
    ref_impl *r = op->impl;
    cachet_status st = cachet_op_update_content(r->inner, data, len);
    return st == CACHET_OK ? st : cachet_op_fail(op, cachet_op_error(r->inner));
}

static cachet_status ref_update(cachet_op *op, const uint8_t *data, size_t len) {
    ref_impl *r = op->impl;
    cachet_status st = cachet_op_update(r->inner, data, len);
    return st == CACHET_OK ? st : cachet_op_fail(op, cachet_op_error(r->inner));
}

/* Verdicts about authenticity do not matter here (our own message, read to
 * know what we sent); only a message that could not be read does. */
static bool readable(cachet_status st) {
    switch (st) {
        case CACHET_OK:
        case CACHET_ERR_BAD_SIGNATURE:
        case CACHET_ERR_ATTRIBUTES:
        case CACHET_ERR_UNTRUSTED:
        case CACHET_ERR_POLICY:
        case CACHET_ERR_UNSUPPORTED:
            return true;
        default:
            return false;
    }
}

static cachet_status ref_finish(cachet_op *op, cachet_report **out_report) {
    (void)out_report;
    ref_impl *r = op->impl;
    cachet_status st = cachet_op_finish(r->inner, NULL);
    if (op->failed) {
        return op->err.status;
    }
    if (!readable(st)) {
        return cachet_op_fail(op, cachet_op_error(r->inner));
    }
    if (r->ref->num_layers == 0) {
        return cachet_op_failf(op, CACHET_ERR_NO_SIGNERS, "", -1,
                               "the original message has no signature a receipt could name");
    }
    r->done = true;
    return CACHET_OK;
}

static void ref_free(void *impl) {
    ref_impl *r = impl;
    if (r != NULL) {
        cachet_op_free(r->inner);
        cachet_receipt_ref_free(r->ref);
        cachet_free(r);
    }
}

static const cachet_op_vtable ref_vt = {
    .update_content = ref_update_content,
    .update = ref_update,
    .finish = ref_finish,
    .free_impl = ref_free,
};

cachet_op *cachet_receipt_ref_new(const cachet_ctx *ctx, const cachet_verify_opts *opts,
                                  cachet_error *err) {
    if (ctx == NULL || opts == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "a context and options are needed");
        return NULL;
    }
    ref_impl *r = cachet_calloc(1, sizeof(*r));
    cachet_sink none = cachet_sink_null();
    /* the content is not wanted: nothing to hold back, so none is held */
    none.discard_on_failure = true;
    cachet_op *op = r != NULL ? cachet_op_alloc(ctx, &ref_vt, r, &none) : NULL;
    if (op == NULL) {
        cachet_free(r);
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    r->ref = cachet_calloc(1, sizeof(*r->ref));
    cachet_rd_keys keys = {.cred = opts->decrypt_with};
    r->inner = r->ref != NULL ? cachet_rd_new(ctx, CACHET_RD_VERIFY, &keys, true, opts->raw,
                                              opts->detached, &none, err)
                              : NULL;
    if (r->inner == NULL) {
        if (r->ref == NULL) {
            cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        }
        cachet_op_free(op);
        return NULL;
    }
    cachet_reader *rd = r->inner->impl;
    rd->on_signed = ref_on_signed;
    rd->on_signed_arg = r;
    return op;
}

cachet_receipt_ref *cachet_op_take_receipt_ref(cachet_op *op) {
    if (op == NULL || op->vt != &ref_vt || op->failed) {
        return NULL;
    }
    ref_impl *r = op->impl;
    if (!r->done) {
        return NULL;
    }
    cachet_receipt_ref *ref = r->ref;
    r->ref = NULL;
    r->done = false;
    return ref;
}
