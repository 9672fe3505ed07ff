/* CMS units of the pipeline: sniffing a ContentInfo, PEM armor, and removing
 * one signed, enveloped, authEnveloped, encrypted, compressed, digested or
 * id-data layer. */
#include <stdio.h>
#include <string.h>

#include "smime/inspect_env.h"
#include "smime/pem.h"
#include "smime/pipeline.h"
#include "smime/receipt.h"

cachet_status cachet_rd_sniff_decide(cachet_reader *rd, const cachet_rd_place *place,
                                     const uint8_t *buf, size_t n, bool at_end, bool *decided,
                                     cachet_oid *oid, cachet_rd_action *action) {
    *decided = false;
    if (n < CACHET_RD_SNIFF_BYTES && !at_end) {
        return CACHET_OK;
    }
    cachet_error e;
    cachet_err_clear(&e);
    if (cachet_cms_sniff(buf, n, oid, &e) != CACHET_OK) {
        return cachet_rd_fatal(rd, place, &e);
    }
    cachet_status st = cachet_rd_decide(rd, place, *oid, action);
    if (st != CACHET_OK) {
        return st;
    }
    if (*oid == CACHET_OID_SIGNED_DATA && place->scan) {
        /* A signed part inside an unsigned multipart (ATTACKS MW-01). */
        if (!rd->partially_signed) {
            snprintf(rd->signed_part, sizeof(rd->signed_part), "%s", place->path);
        }
        rd->partially_signed = true;
    }
    *decided = true;
    return CACHET_OK;
}

/* ---- Sniff unit ---- */

typedef struct sniff_unit {
    cachet_rd_unit base;
    cachet_reader *rd;
    cachet_rd_place place;
    uint8_t buf[CACHET_RD_SNIFF_BYTES];
    size_t n;
    bool decided;
    bool drop;
    cachet_rd_unit *next;
} sniff_unit;

static cachet_status sniff_go(sniff_unit *s, bool at_end) {
    cachet_oid oid = CACHET_OID_UNKNOWN;
    cachet_rd_action action = CACHET_RD_PROCESS;
    cachet_status st =
        cachet_rd_sniff_decide(s->rd, &s->place, s->buf, s->n, at_end, &s->decided, &oid, &action);
    if (st != CACHET_OK || !s->decided) {
        return st;
    }
    cachet_cms_verify *adopt = NULL;
    if (s->place.top && s->rd->pre_verify != NULL) {
        if (oid != CACHET_OID_SIGNED_DATA) {
            return cachet_rd_fatalf(s->rd, &s->place, CACHET_ERR_USAGE,
                                    "detached content was given but the input is %s, not "
                                    "SignedData",
                                    cachet_oid_name(oid));
        }
        adopt = s->rd->pre_verify;
        s->rd->pre_verify = NULL;
    }
    if (action == CACHET_RD_IGNORE) {
        s->drop = true;
    } else if (action == CACHET_RD_KEEP) {
        s->next = cachet_rd_out_new(s->rd, &s->place);
    } else {
        s->next = cachet_rd_cms_new(s->rd, &s->place, oid, adopt);
        adopt = NULL;
    }
    cachet_cms_verify_free(adopt);
    if (!s->drop && s->next == NULL) {
        return s->rd->op->failed
                   ? s->rd->op->err.status
                   : cachet_rd_fatalf(s->rd, &s->place, CACHET_ERR_NOMEM, "out of memory");
    }
    size_t n = s->n;
    s->n = 0;
    return s->drop ? CACHET_OK : cachet_rd_unit_update(s->next, s->buf, n);
}

static cachet_status sniff_update(cachet_rd_unit *u, const uint8_t *data, size_t len) {
    sniff_unit *s = (sniff_unit *)u;
    while (!s->decided && len > 0) {
        size_t take = sizeof(s->buf) - s->n;
        if (take > len) {
            take = len;
        }
        memcpy(s->buf + s->n, data, take);
        s->n += take;
        data += take;
        len -= take;
        cachet_status st = sniff_go(s, false);
        if (st != CACHET_OK) {
            return st;
        }
    }
    if (s->drop || len == 0) {
        return CACHET_OK;
    }
    return cachet_rd_unit_update(s->next, data, len);
}

static cachet_status sniff_finish(cachet_rd_unit *u) {
    sniff_unit *s = (sniff_unit *)u;
    if (!s->decided) {
        if (s->n == 0) {
            return cachet_rd_fatalf(s->rd, &s->place, CACHET_ERR_MALFORMED, "empty CMS object");
        }
        cachet_status st = sniff_go(s, true);
        if (st != CACHET_OK) {
            return st;
        }
    }
    return s->drop ? CACHET_OK : cachet_rd_unit_finish(s->next);
}

static void sniff_free(cachet_rd_unit *u) {
    sniff_unit *s = (sniff_unit *)u;
    cachet_rd_unit_free(s->next);
    cachet_free(s);
}

static const cachet_rd_unit_vt sniff_vt = {sniff_update, sniff_finish, sniff_free};

cachet_rd_unit *cachet_rd_sniff_new(cachet_reader *rd, const cachet_rd_place *place) {
    sniff_unit *s = cachet_calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->base.vt = &sniff_vt;
    s->rd = rd;
    s->place = *place;
    return &s->base;
}

/* ---- PEM unit ---- */

typedef struct pem_unit {
    cachet_rd_unit base;
    cachet_reader *rd;
    cachet_rd_place place;
    cachet_pem_reader *pem;
    cachet_rd_unit *next;
} pem_unit;

static cachet_status pem_to_next(void *arg, const uint8_t *data, size_t len) {
    pem_unit *p = arg;
    return cachet_rd_unit_update(p->next, data, len);
}

static cachet_status pem_update(cachet_rd_unit *u, const uint8_t *data, size_t len) {
    pem_unit *p = (pem_unit *)u;
    cachet_error e;
    cachet_err_clear(&e);
    cachet_status st = cachet_pem_reader_update(p->pem, data, len, &e);
    if (st != CACHET_OK) {
        return p->rd->op->failed ? p->rd->op->err.status : cachet_rd_fatal(p->rd, &p->place, &e);
    }
    return CACHET_OK;
}

static cachet_status pem_finish(cachet_rd_unit *u) {
    pem_unit *p = (pem_unit *)u;
    cachet_error e;
    cachet_err_clear(&e);
    cachet_status st = cachet_pem_reader_finish(p->pem, &e);
    if (st != CACHET_OK) {
        return p->rd->op->failed ? p->rd->op->err.status : cachet_rd_fatal(p->rd, &p->place, &e);
    }
    return cachet_rd_unit_finish(p->next);
}

static void pem_free(cachet_rd_unit *u) {
    pem_unit *p = (pem_unit *)u;
    cachet_pem_reader_free(p->pem);
    cachet_rd_unit_free(p->next);
    cachet_free(p);
}

static const cachet_rd_unit_vt pem_vt = {pem_update, pem_finish, pem_free};

cachet_rd_unit *cachet_rd_pem_new(cachet_reader *rd, const cachet_rd_place *place) {
    pem_unit *p = cachet_calloc(1, sizeof(*p));
    if (p == NULL) {
        return NULL;
    }
    p->base.vt = &pem_vt;
    p->rd = rd;
    p->place = *place;
    p->next = cachet_rd_sniff_new(rd, place);
    cachet_sink s = {.write = pem_to_next, .arg = p};
    p->pem = cachet_pem_reader_new(&s, NULL);
    if (p->next == NULL || p->pem == NULL) {
        pem_free(&p->base);
        return NULL;
    }
    return &p->base;
}

/* ---- CMS unit: one layer ---- */

typedef struct cms_unit {
    cachet_rd_unit base;
    cachet_reader *rd;
    cachet_rd_place place;
    cachet_oid oid;
    size_t idx;
    cachet_cms_verify *v;
    cachet_cms_decrypt *d;
    cachet_cms_decompress *z;
    cachet_cms_undigest *g;
    cachet_rd_data *data;
    bool detached;                 /* content came through cachet_op_update_content */
    cachet_env_describe *describe; /* inspect of an enveloped layer: no key */
    cachet_rd_unit *child;
    cachet_rd_place child_place;
} cms_unit;

static cachet_oid inner_type(const cms_unit *c) {
    if (c->v != NULL) {
        return cachet_cms_verify_econtent_type(c->v);
    }
    if (c->d != NULL) {
        return cachet_cms_decrypt_content_type(c->d);
    }
    if (c->z != NULL) {
        return cachet_cms_decompress_content_type(c->z);
    }
    if (c->g != NULL) {
        return cachet_cms_undigest_content_type(c->g);
    }
    return CACHET_OID_UNKNOWN;
}

/* smime_type_ok: S/MIME content is a MIME entity, id-data (RFC 8551 §3), or a
 * CMS layer read in turn, or an ESS receipt; a TSTInfo or an unknown type is
 * never handed on as if it were mail (ATTACKS SG-17). Raw callers get any type,
 * which the report names. */
static cachet_status smime_type_ok(cms_unit *c, cachet_oid ct) {
    /* an id-data layer (c->data) has no inner type: its octets are the entity */
    if (c->rd->raw || c->data != NULL || ct == CACHET_OID_DATA || cachet_rd_oid_is_layer(ct) ||
        (ct == CACHET_OID_CT_RECEIPT && c->v != NULL)) {
        return CACHET_OK;
    }
    const char *name = ct != CACHET_OID_UNKNOWN ? cachet_oid_name(ct) : NULL;
    return cachet_rd_fatalf(c->rd, &c->place, CACHET_ERR_UNSUPPORTED,
                            "content type %s is not a MIME entity (S/MIME content is id-data, "
                            "RFC 8551 section 3)",
                            name != NULL ? name : "(an unknown OID)");
}

static cachet_status make_child(cms_unit *c) {
    cachet_reader *rd = c->rd;
    cachet_oid ct = inner_type(c);
    cachet_status type_st = smime_type_ok(c, ct);
    if (type_st != CACHET_OK) {
        return type_st;
    }
    c->child_place = c->place;
    c->child_place.top = false;
    c->child_place.layers = c->place.layers + 1;
    c->child_place.under_signed = c->place.under_signed || c->oid == CACHET_OID_SIGNED_DATA;
    c->child_place.after_decrypt = c->place.after_decrypt || c->d != NULL;
    if (cachet_rd_oid_is_layer(ct)) {
        c->child = cachet_rd_econtent_new(rd, &c->child_place, ct);
    } else if (ct == CACHET_OID_CT_RECEIPT && c->v != NULL) {
        c->child = cachet_rd_receipt_new(rd, &c->child_place, c->v, c->idx);
    } else if (rd->raw) {
        c->child = cachet_rd_out_new(rd, &c->child_place);
    } else {
        c->child = cachet_rd_mime_new(rd, &c->child_place);
    }
    if (c->child == NULL) {
        return cachet_rd_fatalf(rd, &c->place, CACHET_ERR_NOMEM, "out of memory");
    }
    return CACHET_OK;
}

static cachet_status cms_content(void *arg, const uint8_t *data, size_t len) {
    cms_unit *c = arg;
    if (c->child == NULL) {
        cachet_status st = make_child(c);
        if (st != CACHET_OK) {
            return st;
        }
    }
    return cachet_rd_unit_update(c->child, data, len);
}

/* cms_failed reports a failure of the cms reader, unless a unit below already
 * recorded the real cause (it came back through the content sink). */
static cachet_status cms_failed(cms_unit *c, const cachet_error *e) {
    if (c->rd->op->failed) {
        return c->rd->op->err.status;
    }
    return cachet_rd_fatal(c->rd, &c->place, e);
}

static cachet_status cms_update(cachet_rd_unit *u, const uint8_t *data, size_t len) {
    cms_unit *c = (cms_unit *)u;
    cachet_error e;
    cachet_err_clear(&e);
    cachet_status st = CACHET_OK;
    if (c->v != NULL) {
        st = cachet_cms_verify_update(c->v, data, len, &e);
    } else if (c->d != NULL) {
        st = cachet_cms_decrypt_update(c->d, data, len, &e);
    } else if (c->z != NULL) {
        st = cachet_cms_decompress_update(c->z, data, len, &e);
    } else if (c->g != NULL) {
        st = cachet_cms_undigest_update(c->g, data, len, &e);
    } else if (c->data != NULL) {
        st = cachet_rd_data_update(c->data, data, len, &e);
    } else if (c->describe != NULL) {
        st = cachet_env_describe_update(c->describe, data, len, &e);
    }
    return st == CACHET_OK ? CACHET_OK : cms_failed(c, &e);
}

static cachet_status restore_part(cms_unit *c, cachet_layer_report *l) {
    snprintf(l->part, sizeof(l->part), "%s", c->place.path);
    return CACHET_OK;
}

/* finish_child ends the content: the cms reader may deliver its last bytes
 * (the final CBC block) only in its own finish, so this comes after it. */
static cachet_status finish_child(cms_unit *c) {
    if (c->child == NULL && !c->detached && !c->describe) {
        cachet_status st = make_child(c);
        if (st != CACHET_OK) {
            return st;
        }
    }
    return c->child != NULL ? cachet_rd_unit_finish(c->child) : CACHET_OK;
}

/* digested_finish checks the digest. A mismatch is a verdict (the report goes
 * on, nothing is output) - but inside decrypted content it is one more thing
 * that must not tell a tampered ciphertext from another (ATTACKS PO-02), so
 * there it is the uniform decryption failure. */
static cachet_status digested_finish(cms_unit *c, cachet_layer_report *l) {
    cachet_reader *rd = c->rd;
    cachet_error e;
    cachet_err_clear(&e);
    cachet_status st = cachet_cms_undigest_finish(c->g, l, &e);
    restore_part(c, l);
    l->type = CACHET_LAYER_DIGESTED;
    if (st == CACHET_ERR_BAD_SIGNATURE && !c->place.after_decrypt) {
        l->digest_valid = false;
        if (rd->mode != CACHET_RD_INSPECT) {
            cachet_rd_verdict(rd, &c->place, &e);
        }
    } else if (st != CACHET_OK) {
        return cms_failed(c, &e);
    }
    if (!c->place.scan) {
        rd->num_digested++;
    }
    return CACHET_OK;
}

static cachet_status cms_finish(cachet_rd_unit *u) {
    cms_unit *c = (cms_unit *)u;
    cachet_reader *rd = c->rd;
    cachet_status st = CACHET_OK;
    cachet_error e;
    cachet_err_clear(&e);
    cachet_layer_report *l = &rd->layers[c->idx];
    if (c->v != NULL) {
        st = cachet_rd_signed_done(rd, &c->place, c->v, c->idx);
    } else if (c->d != NULL) {
        cachet_layer_type type = l->type;
        st = cachet_cms_decrypt_finish(c->d, l, &e);
        restore_part(c, l);
        if (st != CACHET_OK) {
            return cms_failed(c, &e);
        }
        l->type = type;
        l->weak = l->weak || cachet_cms_decrypt_weak(c->d);
        /* EncryptedData counts too: a layer opened with a secret */
        rd->num_enveloped++;
    } else if (c->z != NULL) {
        st = cachet_cms_decompress_finish(c->z, l, &e);
        restore_part(c, l);
        if (st != CACHET_OK) {
            return cms_failed(c, &e);
        }
        rd->num_compressed++;
    } else if (c->g != NULL) {
        st = digested_finish(c, l);
    } else if (c->data != NULL) {
        st = cachet_rd_data_finish(c->data, l, &e);
        restore_part(c, l);
        if (st != CACHET_OK) {
            return cms_failed(c, &e);
        }
    } else if (c->describe != NULL) {
        st = cachet_env_describe_finish(c->describe, l, &e);
        if (st != CACHET_OK) {
            return cms_failed(c, &e);
        }
    }
    return st != CACHET_OK ? st : finish_child(c);
}

static void cms_free(cachet_rd_unit *u) {
    cms_unit *c = (cms_unit *)u;
    cachet_cms_verify_free(c->v);
    cachet_cms_decrypt_free(c->d);
    cachet_cms_decompress_free(c->z);
    cachet_cms_undigest_free(c->g);
    cachet_rd_data_free(c->data);
    cachet_env_describe_free(c->describe);
    cachet_rd_unit_free(c->child);
    cachet_free(c);
}

static const cachet_rd_unit_vt cms_vt = {cms_update, cms_finish, cms_free};

static cachet_layer_type layer_type(cachet_oid oid) {
    switch (oid) {
        case CACHET_OID_SIGNED_DATA:
            return CACHET_LAYER_SIGNED;
        case CACHET_OID_ENVELOPED_DATA:
            return CACHET_LAYER_ENVELOPED;
        case CACHET_OID_AUTH_ENVELOPED_DATA:
            return CACHET_LAYER_AUTH_ENVELOPED;
        case CACHET_OID_ENCRYPTED_DATA:
            return CACHET_LAYER_ENCRYPTED;
        case CACHET_OID_DIGESTED_DATA:
            return CACHET_LAYER_DIGESTED;
        case CACHET_OID_DATA:
            return CACHET_LAYER_DATA;
        default:
            return CACHET_LAYER_COMPRESSED;
    }
}

cachet_rd_unit *cachet_rd_cms_new(cachet_reader *rd, const cachet_rd_place *place, cachet_oid oid,
                                  cachet_cms_verify *adopt) {
    cms_unit *c = cachet_calloc(1, sizeof(*c));
    if (c == NULL) {
        cachet_cms_verify_free(adopt);
        return NULL;
    }
    c->base.vt = &cms_vt;
    c->rd = rd;
    c->place = *place;
    c->oid = oid;
    cachet_layer_type type = layer_type(oid);
    if (cachet_rd_add_layer(rd, place, type, &c->idx) != CACHET_OK) {
        cachet_cms_verify_free(adopt);
        cachet_free(c);
        return NULL;
    }
    cachet_sink content = {.write = cms_content, .arg = c};
    cachet_error e;
    cachet_err_clear(&e);
    bool ok = true;
    if (type == CACHET_LAYER_SIGNED) {
        if (adopt != NULL) {
            c->v = adopt;
            c->detached = true;
        } else {
            c->v = cachet_rd_new_verifier(rd, &content, &e);
        }
        ok = c->v != NULL;
    } else if (type == CACHET_LAYER_COMPRESSED) {
        c->z = cachet_cms_decompress_new(&rd->limits, &content, &e);
        ok = c->z != NULL;
    } else if (type == CACHET_LAYER_DIGESTED) {
        const cachet_cms_policy *pol =
            rd->mode == CACHET_RD_INSPECT ? &rd->inspect_policy : &rd->policy;
        c->g = cachet_cms_undigest_new(pol, &rd->limits, &content, &e);
        ok = c->g != NULL;
    } else if (type == CACHET_LAYER_DATA) {
        c->data = cachet_rd_data_new(&rd->limits, &content);
        ok = c->data != NULL;
        if (!ok) {
            cachet_err_set(&e, CACHET_ERR_NOMEM, "", -1, "out of memory");
        }
    } else if (!rd->sec.any) {
        /* inspect: the layer is listed, its content stays closed */
        c->describe = cachet_env_describe_new(&rd->limits);
        ok = c->describe != NULL;
        if (!ok) {
            cachet_err_set(&e, CACHET_ERR_NOMEM, "", -1, "out of memory");
        }
    } else {
        c->d = cachet_cms_decrypt_new_secrets(&rd->sec.s, &rd->policy, &rd->limits, &content, &e);
        ok = c->d != NULL;
        if (ok) {
            cachet_rd_begin_decrypt(rd, place, c->idx);
        }
    }
    if (!ok) {
        cachet_rd_fatal(rd, place, &e);
        cms_free(&c->base);
        return NULL;
    }
    return &c->base;
}
