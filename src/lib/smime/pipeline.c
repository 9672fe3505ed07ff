/* The reading pipeline (pipeline.h): the reader, its op, layer decisions, the
 * final verdict and the report. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smime/pipeline.h"
#include "smime/verify_store_signer.h"

cachet_status cachet_rd_unit_update(cachet_rd_unit *u, const uint8_t *data, size_t len) {
    return len == 0 ? CACHET_OK : u->vt->update(u, data, len);
}

cachet_status cachet_rd_unit_finish(cachet_rd_unit *u) {
    return u->vt->finish(u);
}

void cachet_rd_unit_free(cachet_rd_unit *u) {
    if (u != NULL) {
        u->vt->free_unit(u);
    }
}

void cachet_rd_join(char *out, size_t out_len, const char *prefix, const char *rel) {
    if (prefix[0] == '\0') {
        snprintf(out, out_len, "%s", rel);
    } else if (rel[0] == '\0') {
        snprintf(out, out_len, "%s", prefix);
    } else {
        snprintf(out, out_len, "%s.%s", prefix, rel);
    }
}

void cachet_rd_where(char *out, size_t out_len, const char *path, const char *where) {
    if (path[0] == '\0') {
        snprintf(out, out_len, "%s", where);
    } else if (where[0] == '\0') {
        snprintf(out, out_len, "part %s", path);
    } else {
        snprintf(out, out_len, "part %s: %s", path, where);
    }
}

/* append copies |s| after the text in |out| (truncating, always terminated). */
static void append(char *out, size_t out_len, const char *s) {
    size_t used = strnlen(out, out_len - 1);
    size_t n = strnlen(s, out_len - 1 - used);
    memcpy(out + used, s, n);
    out[used + n] = '\0';
}

static void place_error(cachet_error *dst, const cachet_rd_place *place, const cachet_error *e) {
    *dst = *e;
    if (place == NULL) {
        return;
    }
    if (place->layers == 0) {
        cachet_rd_where(dst->where, sizeof(dst->where), place->path, e->where);
        return;
    }
    /* "part 1.2, layer 2: SignedData.signerInfos[0]": the MIME part, and which
     * nested layer when the part holds more than one. */
    char where[sizeof(dst->where)] = "";
    char layer[32];
    if (place->path[0] != '\0') {
        append(where, sizeof(where), "part ");
        append(where, sizeof(where), place->path);
        append(where, sizeof(where), ", ");
    }
    snprintf(layer, sizeof(layer), "layer %u", place->layers + 1);
    append(where, sizeof(where), layer);
    if (e->where[0] != '\0') {
        append(where, sizeof(where), ": ");
        append(where, sizeof(where), e->where);
    }
    memcpy(dst->where, where, sizeof(where));
}

cachet_status cachet_rd_fatal(cachet_reader *rd, const cachet_rd_place *place,
                              const cachet_error *e) {
    if (rd->op->err.status == CACHET_OK) {
        cachet_error tmp;
        place_error(&tmp, place, e);
        if (place != NULL && place->after_decrypt) {
            /* Nothing that went wrong with decrypted bytes may tell an attacker
             * more than "decryption failed" (ATTACKS PO-01). */
            cachet_err_clear(&tmp);
            cachet_err_set(&tmp, CACHET_ERR_DECRYPT, place->path, -1, "decryption failed");
            cachet_rd_where(tmp.where, sizeof(tmp.where), place->path, "");
        }
        if (tmp.status == CACHET_OK) {
            tmp.status = CACHET_ERR_INTERNAL;
        }
        return cachet_op_fail(rd->op, &tmp);
    }
    rd->op->failed = true;
    return rd->op->err.status;
}

cachet_status cachet_rd_fatalf(cachet_reader *rd, const cachet_rd_place *place, cachet_status st,
                               const char *fmt, ...) {
    cachet_error e;
    cachet_err_clear(&e);
    e.status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof(e.message), fmt, ap);
    va_end(ap);
    return cachet_rd_fatal(rd, place, &e);
}

void cachet_rd_begin_decrypt(cachet_reader *rd, const cachet_rd_place *place, size_t idx) {
    if (rd->decrypting) {
        return;
    }
    cachet_error empty, placed;
    cachet_err_clear(&empty);
    place_error(&placed, place, &empty);
    rd->decrypting = true;
    rd->dec_num_layers = idx + 1;
    rd->dec_partially_signed = rd->partially_signed;
    rd->dec_from_mismatch = rd->from_mismatch;
    memcpy(rd->dec_signed_part, rd->signed_part, sizeof(rd->signed_part));
    memcpy(rd->dec_where, placed.where, sizeof(rd->dec_where));
}

/* uniform_decrypt_failure puts the error and the report back to what they were
 * when decryption began: one error, and a report whose decrypted layer says only
 * what it is, for every failure once the private key was used. */
static void uniform_decrypt_failure(cachet_reader *rd) {
    if (!rd->decrypting || !rd->op->failed || rd->op->err.status != CACHET_ERR_DECRYPT) {
        return;
    }
    cachet_error *e = &rd->op->err;
    cachet_err_clear(e);
    cachet_err_set(e, CACHET_ERR_DECRYPT, "", -1, "decryption failed");
    memcpy(e->where, rd->dec_where, sizeof(e->where));
    for (size_t i = rd->dec_num_layers; i < rd->num_layers; i++) {
        cachet_cms_layer_report_clear(&rd->layers[i]);
    }
    if (rd->num_layers > rd->dec_num_layers) {
        rd->num_layers = rd->dec_num_layers;
    }
    /* The layers around the decrypted one were still open when decryption began
     * (a layer is completed only after all its content): completing them now
     * or not would tell an early failure from a late one. */
    for (size_t i = 0; i < rd->num_layers; i++) {
        cachet_layer_report *l = &rd->layers[i];
        cachet_layer_type type = l->type;
        char part[sizeof(l->part)];
        memcpy(part, l->part, sizeof(part));
        cachet_cms_layer_report_clear(l);
        l->type = type;
        memcpy(l->part, part, sizeof(part));
    }
    rd->partially_signed = rd->dec_partially_signed;
    rd->from_mismatch = rd->dec_from_mismatch;
    memcpy(rd->signed_part, rd->dec_signed_part, sizeof(rd->signed_part));
}

void cachet_rd_verdict(cachet_reader *rd, const cachet_rd_place *place, const cachet_error *e) {
    if (rd->verdict.status == CACHET_OK && e->status != CACHET_OK) {
        place_error(&rd->verdict, place, e);
    }
}

void cachet_rd_empty_layer(cachet_reader *rd, const cachet_rd_place *place, const cachet_error *e) {
    if (rd->num_empty_signed++ == 0) {
        place_error(&rd->empty_error, place, e);
    }
}

/* only_empty: every signed layer processed was an empty one (and there was one). */
static cachet_status only_empty(cachet_reader *rd) {
    if (rd->num_signed == 0 && rd->num_empty_signed > 0) {
        return cachet_op_fail(rd->op, &rd->empty_error);
    }
    return CACHET_OK;
}

cachet_status cachet_rd_add_layer(cachet_reader *rd, const cachet_rd_place *place,
                                  cachet_layer_type type, size_t *out_index) {
    if (place->layers + 1 > rd->ctx->limits.max_layers) {
        return cachet_rd_fatalf(rd, place, CACHET_ERR_LIMIT, "more than %zu nested S/MIME layers",
                                rd->ctx->limits.max_layers);
    }
    /* Scanned parts of a multipart add layers side by side: bound them too. */
    if (rd->num_layers >= 4 * rd->ctx->limits.max_layers) {
        return cachet_rd_fatalf(rd, place, CACHET_ERR_LIMIT, "more than %zu S/MIME layers",
                                4 * rd->ctx->limits.max_layers);
    }
    if (rd->num_layers == rd->cap_layers) {
        size_t cap = rd->cap_layers == 0 ? 4 : rd->cap_layers * 2;
        cachet_layer_report *p = cachet_realloc(rd->layers, cap * sizeof(*p));
        if (p == NULL) {
            return cachet_rd_fatalf(rd, place, CACHET_ERR_NOMEM, "out of memory");
        }
        rd->layers = p;
        rd->cap_layers = cap;
    }
    cachet_layer_report *l = &rd->layers[rd->num_layers];
    memset(l, 0, sizeof(*l));
    l->type = type;
    snprintf(l->part, sizeof(l->part), "%s", place->path);
    *out_index = rd->num_layers++;
    return CACHET_OK;
}

/* id-data is not here: as an inner content type it means "the content itself"
 * (MIME, or raw bytes); only a ContentInfo met where a layer may start (raw
 * input, a pkcs7-mime body) is taken as an id-data layer (cachet_rd_decide). */
bool cachet_rd_oid_is_layer(cachet_oid oid) {
    return oid == CACHET_OID_SIGNED_DATA || oid == CACHET_OID_ENVELOPED_DATA ||
           oid == CACHET_OID_AUTH_ENVELOPED_DATA || oid == CACHET_OID_COMPRESSED_DATA ||
           oid == CACHET_OID_ENCRYPTED_DATA || oid == CACHET_OID_DIGESTED_DATA;
}

static cachet_layer_type encrypted_type(cachet_oid oid) {
    return oid == CACHET_OID_ENVELOPED_DATA        ? CACHET_LAYER_ENVELOPED
           : oid == CACHET_OID_AUTH_ENVELOPED_DATA ? CACHET_LAYER_AUTH_ENVELOPED
                                                   : CACHET_LAYER_ENCRYPTED;
}

static const char *encrypted_name(cachet_oid oid) {
    return oid == CACHET_OID_ENVELOPED_DATA        ? "enveloped-data"
           : oid == CACHET_OID_AUTH_ENVELOPED_DATA ? "authEnveloped-data"
                                                   : "encrypted-data";
}

/* cannot_open lists the encrypted layer that stopped us, so the report says why. */
static cachet_status cannot_open(cachet_reader *rd, const cachet_rd_place *place, cachet_oid oid,
                                 const char *why) {
    size_t idx;
    if (cachet_rd_add_layer(rd, place, encrypted_type(oid), &idx) != CACHET_OK) {
        return rd->op->err.status;
    }
    return cachet_rd_fatalf(rd, place, CACHET_ERR_NO_RECIPIENT, "message is encrypted (%s); %s",
                            encrypted_name(oid), why);
}

cachet_status cachet_rd_decide(cachet_reader *rd, const cachet_rd_place *place, cachet_oid oid,
                               cachet_rd_action *out) {
    switch (oid) {
        case CACHET_OID_SIGNED_DATA:
            *out = (rd->process_signed || place->scan) ? CACHET_RD_PROCESS : CACHET_RD_KEEP;
            return CACHET_OK;
        case CACHET_OID_ENVELOPED_DATA:
        case CACHET_OID_AUTH_ENVELOPED_DATA:
        case CACHET_OID_ENCRYPTED_DATA:
            if (place->scan) {
                /* EFAIL (ATTACKS EF-03): only the root of a message is ever decrypted. */
                *out = CACHET_RD_IGNORE;
                return CACHET_OK;
            }
            if (rd->mode == CACHET_RD_DECOMPRESS) {
                *out = CACHET_RD_KEEP;
                return CACHET_OK;
            }
            if (rd->mode == CACHET_RD_INSPECT) {
                *out = CACHET_RD_PROCESS;
                return CACHET_OK;
            }
            if (!rd->sec.any) {
                return cannot_open(rd, place, oid, "decrypt it or pass --cert/--key");
            }
            if (oid == CACHET_OID_ENCRYPTED_DATA && rd->sec.s.content_key == NULL) {
                /* An EncryptedData names no recipient: only its content key opens it. */
                return cannot_open(rd, place, oid,
                                   "it needs its content key (a secret key without an id)");
            }
            *out = CACHET_RD_PROCESS;
            return CACHET_OK;
        case CACHET_OID_COMPRESSED_DATA:
            *out = CACHET_RD_PROCESS;
            return CACHET_OK;
        case CACHET_OID_DIGESTED_DATA:
        case CACHET_OID_DATA:
            /* Neither is a signature: a part of an unsigned multipart holding one
             * changes nothing about whether the message is signed. */
            *out = place->scan ? CACHET_RD_IGNORE : CACHET_RD_PROCESS;
            return CACHET_OK;
        default:
            return cachet_rd_fatalf(rd, place, CACHET_ERR_UNSUPPORTED,
                                    "CMS content type %s is not an S/MIME layer",
                                    oid == CACHET_OID_UNKNOWN ? "(unknown)" : cachet_oid_name(oid));
    }
}

cachet_cms_verify *cachet_rd_new_verifier(cachet_reader *rd, const cachet_sink *content,
                                          cachet_error *err) {
    const cachet_cms_policy *pol =
        rd->mode == CACHET_RD_INSPECT ? &rd->inspect_policy : &rd->policy;
    cachet_cms_verify *v = cachet_cms_verify_new(pol, &rd->limits, content, err);
    if (v == NULL || rd->mode == CACHET_RD_INSPECT || rd->ctx->store == NULL) {
        return v;
    }
    cachet_cms_verify_set_cert_lookup(v, cachet_rd_store_signer_lookup, rd);
    /* RFC 8550 §4.2: certificates kept from earlier messages complete the path
     * of a signer whose message carries only its own certificate. */
    if (!rd->store_cas_loaded) {
        rd->store_cas_loaded = true;
        cachet_status st = cachet_pki_store_intermediates(
            rd->ctx->store->db, rd->ctx->cert_cache, CACHET_RD_MAX_STORE_CAS, &rd->store_cas, err);
        if (st != CACHET_OK) {
            cachet_cms_verify_free(v);
            return NULL;
        }
    }
    if (rd->store_cas.num > 0 && cachet_cms_verify_add_certs(v, &rd->store_cas, err) != CACHET_OK) {
        cachet_cms_verify_free(v);
        return NULL;
    }
    return v;
}

cachet_status cachet_rd_emit(cachet_reader *rd, const uint8_t *data, size_t len) {
    cachet_error e;
    cachet_err_clear(&e);
    if (!rd->through) {
        if (cachet_hold_write(rd->hold, data, len, &e) != CACHET_OK) {
            return cachet_rd_fatal(rd, NULL, &e);
        }
        return CACHET_OK;
    }
    if (rd->op->failed) {
        return rd->op->err.status;
    }
    if (rd->verdict.status != CACHET_OK || len == 0) {
        /* The outcome is already a failure: the caller drops the output, so
         * nothing more of it is worth writing (processing goes on for the report). */
        return CACHET_OK;
    }
    cachet_status st = cachet_sink_write(&rd->op->out, data, len);
    if (st != CACHET_OK) {
        cachet_err_set(&e, st, "", -1, "writing the output failed");
        return cachet_rd_fatal(rd, NULL, &e);
    }
    return CACHET_OK;
}

/* ---- The op ---- */

static cachet_status rd_update_content(cachet_op *op, const uint8_t *data, size_t len) {
    cachet_reader *rd = op->impl;
    if (!rd->detached || rd->input_started) {
        return cachet_op_failf(op, CACHET_ERR_USAGE, "", -1,
                               "detached content must come before the signature, with raw and "
                               "detached set");
    }
    cachet_error e;
    cachet_err_clear(&e);
    cachet_status st = cachet_cms_verify_content(rd->pre_verify, data, len, &e);
    if (st != CACHET_OK) {
        return cachet_rd_fatal(rd, NULL, &e);
    }
    return cachet_rd_emit(rd, data, len);
}

static cachet_status rd_update(cachet_op *op, const uint8_t *data, size_t len) {
    cachet_reader *rd = op->impl;
    rd->input_started = true;
    cachet_status st = cachet_rd_unit_update(rd->root, data, len);
    if (st != CACHET_OK && op->err.status == CACHET_OK) {
        cachet_op_failf(op, st, "", -1, "%s", cachet_status_str(st));
    }
    return st;
}

static cachet_report *build_report(cachet_reader *rd) {
    cachet_report *r = cachet_calloc(1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    r->layers = rd->layers;
    r->num_layers = rd->num_layers;
    rd->layers = NULL;
    rd->num_layers = rd->cap_layers = 0;
    r->partially_signed = rd->partially_signed;
    r->from_mismatch = rd->from_mismatch;
    snprintf(r->from, sizeof(r->from), "%s", rd->from);
    return r;
}

/* final_status decides the outcome once the whole input went through. */
static cachet_status final_status(cachet_reader *rd) {
    cachet_op *op = rd->op;
    if (op->failed) {
        return op->err.status;
    }
    switch (rd->mode) {
        case CACHET_RD_VERIFY:
            if (rd->partially_signed) {
                char where[80];
                cachet_rd_where(where, sizeof(where), rd->signed_part, "");
                return cachet_op_failf(op, CACHET_ERR_BAD_SIGNATURE, where, -1,
                                       "only part %s of the message is signed; the rest of the "
                                       "message is not, so the message is not signed",
                                       rd->signed_part);
            }
            if (only_empty(rd) != CACHET_OK) {
                return op->err.status;
            }
            if (rd->num_signed == 0 && rd->verdict.status != CACHET_OK) {
                /* Only a digest can have failed: say that, not just "not signed". */
                return cachet_op_fail(op, &rd->verdict);
            }
            if (rd->num_signed == 0 && rd->num_digested > 0) {
                return cachet_op_failf(op, CACHET_ERR_NO_SIGNERS, "", -1,
                                       "message is not signed: it carries only a digest "
                                       "(DigestedData), which anyone can recompute");
            }
            if (rd->num_signed == 0) {
                return cachet_op_failf(op, CACHET_ERR_NO_SIGNERS, "", -1, "message is not signed");
            }
            break;
        case CACHET_RD_DECRYPT:
            if (rd->num_enveloped == 0) {
                return cachet_op_failf(op, CACHET_ERR_NO_RECIPIENT, "", -1,
                                       "message is not encrypted");
            }
            if (only_empty(rd) != CACHET_OK) {
                return op->err.status;
            }
            break;
        case CACHET_RD_DECOMPRESS:
            if (rd->num_compressed == 0) {
                return cachet_op_failf(op, CACHET_ERR_UNSUPPORTED, "", -1,
                                       "message is not compressed");
            }
            break;
        case CACHET_RD_INSPECT:
            return CACHET_OK;
    }
    if (rd->verdict.status != CACHET_OK) {
        return cachet_op_fail(op, &rd->verdict);
    }
    return CACHET_OK;
}

static cachet_status rd_finish(cachet_op *op, cachet_report **out_report) {
    cachet_reader *rd = op->impl;
    if (!op->failed) {
        if (rd->detached && !rd->input_started) {
            cachet_op_failf(op, CACHET_ERR_MALFORMED, "", 0, "no signature was given");
        } else {
            cachet_status st = cachet_rd_unit_finish(rd->root);
            if (st != CACHET_OK && op->err.status == CACHET_OK) {
                cachet_op_failf(op, st, "", -1, "%s", cachet_status_str(st));
            }
        }
    }
    uniform_decrypt_failure(rd);
    /* The report is given when the input could be read through, or described in part. */
    bool describable = rd->num_layers > 0 || !op->failed;
    cachet_status st = final_status(rd);
    if (st == CACHET_OK && rd->harvest) {
        st = cachet_rd_harvest_store(rd);
    }
    if (out_report != NULL && describable) {
        *out_report = build_report(rd);
        if (*out_report != NULL) {
            (*out_report)->valid = st == CACHET_OK && rd->mode != CACHET_RD_INSPECT;
        } else if (st == CACHET_OK) {
            /* the report says who signed: success without it leaves the
             * caller guessing */
            st = cachet_op_failf(op, CACHET_ERR_NOMEM, "", -1, "out of memory for the report");
        }
    }
    if (st != CACHET_OK) {
        cachet_hold_discard(rd->hold);
        return st;
    }
    if (rd->mode == CACHET_RD_INSPECT || rd->through) {
        cachet_hold_discard(rd->hold);
        return CACHET_OK;
    }
    cachet_error e;
    cachet_err_clear(&e);
    st = cachet_hold_commit(rd->hold, &op->out, &e);
    if (st != CACHET_OK) {
        return cachet_op_fail(op, &e);
    }
    return CACHET_OK;
}

static void rd_free(void *impl) {
    cachet_reader *rd = impl;
    if (rd == NULL) {
        return;
    }
    cachet_rd_unit_free(rd->root);
    cachet_cms_verify_free(rd->pre_verify);
    cachet_cert_list_clear(&rd->store_cas);
    cachet_hold_free(rd->hold);
    if (rd->canon_buf != NULL) {
        cachet_free_secret(rd->canon_buf, CACHET_RD_CANON_BUF);
    }
    for (size_t i = 0; i < rd->num_layers; i++) {
        cachet_cms_layer_report_clear(&rd->layers[i]);
    }
    cachet_free(rd->layers);
    cachet_rd_fields_free(&rd->outer);
    cachet_rd_harvest_free(rd->harvested);
    cachet_rd_secrets_clear(&rd->sec);
    cachet_free(rd);
}

static const cachet_op_vtable rd_vtable = {
    .update_content = rd_update_content,
    .update = rd_update,
    .finish = rd_finish,
    .free_impl = rd_free,
};

static cachet_op *rd_new_started(const cachet_ctx *ctx, cachet_rd_mode mode,
                                 const cachet_rd_keys *keys, bool process_signed, bool raw,
                                 bool detached, const cachet_sink *out, cachet_error *err) {
    if (ctx == NULL || (out == NULL && mode != CACHET_RD_INSPECT)) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "context and output sink are needed");
        return NULL;
    }
    if (detached && !raw) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "detached content is only for raw input (a multipart/signed message "
                       "carries its content)");
        return NULL;
    }
    cachet_rd_secrets sec;
    if (cachet_rd_secrets_init(&sec, keys, err) != CACHET_OK) {
        return NULL;
    }
    if (mode == CACHET_RD_DECRYPT && !sec.any) {
        cachet_rd_secrets_clear(&sec);
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1,
                       "nothing to decrypt with: give a credential, a secret key or a password");
        return NULL;
    }
    cachet_reader *rd = cachet_calloc(1, sizeof(*rd));
    if (rd == NULL) {
        cachet_rd_secrets_clear(&sec);
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    rd->mode = mode;
    rd->ctx = ctx;
    rd->sec = sec;
    if (rd->sec.s.password != NULL) {
        rd->sec.s.password = &rd->sec.password; /* it pointed into |sec| */
    }
    rd->process_signed = process_signed;
    rd->raw = raw;
    rd->detached = detached;
    rd->policy = cachet_ctx_cms_policy(ctx);
    rd->inspect_policy = rd->policy;
    rd->inspect_policy.trust = NULL;
    rd->inspect_policy.allow_weak = true;
    rd->limits = cachet_ctx_cms_limits(ctx);
    rd->mlimits = cachet_ctx_mime_limits(ctx);
    cachet_err_clear(&rd->verdict);
    cachet_err_clear(&rd->empty_error);
    rd->hold = cachet_hold_new(ctx->limits.hold_in_memory, 0, err);
    cachet_sink null_sink = cachet_sink_null();
    cachet_op *op = cachet_op_alloc(ctx, &rd_vtable, rd, out != NULL ? out : &null_sink);
    if (rd->hold == NULL || op == NULL) {
        cachet_free(op);
        rd_free(rd);
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    rd->op = op;
    /* The caller drops the output unless finish succeeds: holding it as well
     * would only write everything twice. */
    rd->through = mode != CACHET_RD_INSPECT && out != NULL && out->discard_on_failure;
    cachet_rd_place top = {.top = true};
    rd->root = cachet_rd_detect_new(rd, &top);
    if (rd->root == NULL) {
        cachet_op_free(op);
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    if (detached) {
        rd->pre_verify = cachet_rd_new_verifier(rd, NULL, err);
        if (rd->pre_verify == NULL ||
            cachet_cms_verify_detached(rd->pre_verify, NULL, 0, err) != CACHET_OK) {
            cachet_op_free(op);
            return NULL;
        }
    }
    return op;
}

/* the public entry: a failure after an allocation failed is CACHET_ERR_NOMEM */
cachet_op *cachet_rd_new(const cachet_ctx *ctx, cachet_rd_mode mode, const cachet_rd_keys *keys,
                         bool process_signed, bool raw, bool detached, const cachet_sink *out,
                         cachet_error *err) {
    unsigned long failures = cachet_alloc_failures();
    return cachet_op_started(
        rd_new_started(ctx, mode, keys, process_signed, raw, detached, out, err), err, failures);
}
