/* The MIME entity unit: parses one entity (the message, or the content of a
 * layer) and dispatches on its Content-Type (RFC 8551 §3):
 *   multipart/signed (protocol pkcs7-signature)  -> detached SignedData: part 1,
 *       in canonical form, is hashed and flows on to the next unit; part 2 is
 *       the signature;
 *   application/pkcs7-mime (or smime.p7m)        -> the decoded body is a CMS
 *       object whose own contentType decides what it is;
 *   another multipart, when verifying            -> scanned for signed parts,
 *       which make the message "partially signed" (ATTACKS MW-01);
 *   anything else                                -> the innermost entity: output. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smime/pipeline.h"
#include "smime/receipt.h"
#include "smime/writer.h"

typedef enum entity_kind {
    KIND_UNDECIDED = 0,
    KIND_PLAIN,
    KIND_SIGNED,
    KIND_CMS,
    KIND_SCAN,
} entity_kind;

#define FROM_MAX (16 * 1024)
#define PENDING_MAX (64 * 1024)

typedef struct mime_unit {
    cachet_rd_unit base;
    cachet_reader *rd;
    cachet_rd_place place;
    cachet_mime_parser *parser;
    entity_kind kind;
    cachet_mime_cte cte; /* of the root entity */
    cachet_rd_fields own;
    size_t from_fields;
    cachet_membuf from_value;
    cachet_membuf disposition;
    /* plain */
    cachet_rd_out out;
    /* multipart/signed */
    cachet_cms_verify *v;
    size_t idx;
    cachet_mime_canon canon;
    uint8_t *canon_buf; /* CACHET_RD_CANON_BUF bytes, once part 1 comes */
    cachet_rd_unit *child;
    bool part1_seen, part2_seen;
    /* application/pkcs7-mime */
    cachet_membuf raw_pending, dec_pending;
    bool cms_decided;
    cachet_rd_action action;
    cachet_rd_unit *cms;
    /* scan */
    cachet_rd_unit *scan_child;
    char scan_path[64];
    /* The parser may pass a part's first raw bytes before its headers_end: they
     * wait here until we know whether that part is wanted. */
    char pend_path[64];
    bool pend_decided;
    cachet_membuf pend;
} mime_unit;

static bool is_root(const char *path) {
    return path[0] == '\0';
}

static cachet_status mime_fail(mime_unit *m, cachet_status st, const char *rel, const char *fmt,
                               const char *arg) {
    cachet_rd_place p = m->place;
    cachet_rd_join(p.path, sizeof(p.path), m->place.path, rel);
    return cachet_rd_fatalf(m->rd, &p, st, fmt, arg);
}

static cachet_status on_header(void *arg, const char *path, const char *name, const char *value,
                               size_t value_len, const uint8_t *raw, size_t raw_len) {
    mime_unit *m = arg;
    if (!is_root(path)) {
        return CACHET_OK;
    }
    if (!cachet_rd_fields_add(&m->own, name, raw, raw_len)) {
        return mime_fail(m, CACHET_ERR_LIMIT, "", "header of %s is too large", "the entity");
    }
    if (strcasecmp(name, "Content-Disposition") == 0 && m->disposition.len == 0) {
        m->disposition.max = FROM_MAX;
        if (!cachet_membuf_append(&m->disposition, value, value_len) ||
            !cachet_membuf_append(&m->disposition, "", 1)) {
            cachet_membuf_reset(&m->disposition);
        }
    }
    if (!m->place.top) {
        return CACHET_OK;
    }
    if (strncasecmp(name, "Content-", 8) != 0 &&
        !cachet_rd_fields_add(&m->rd->outer, name, raw, raw_len)) {
        return mime_fail(m, CACHET_ERR_LIMIT, "", "message header is too large%s", "");
    }
    if (strcasecmp(name, "From") == 0) {
        m->from_fields++;
        if (m->from_fields == 1) {
            m->from_value.max = FROM_MAX + 1;
            if (!cachet_membuf_append(&m->from_value, value, value_len) ||
                !cachet_membuf_append(&m->from_value, "", 1)) {
                cachet_membuf_reset(&m->from_value);
            }
        }
    }
    return CACHET_OK;
}

static void mark_partial(mime_unit *m) {
    cachet_reader *rd = m->rd;
    if (!rd->partially_signed) {
        snprintf(rd->signed_part, sizeof(rd->signed_part), "%s", m->place.path);
    }
    rd->partially_signed = true;
}

static cachet_status start_signed(mime_unit *m) {
    cachet_reader *rd = m->rd;
    cachet_status st = cachet_rd_add_layer(rd, &m->place, CACHET_LAYER_SIGNED, &m->idx);
    if (st != CACHET_OK) {
        return st;
    }
    if (m->place.scan) {
        mark_partial(m);
    }
    cachet_error e;
    cachet_err_clear(&e);
    m->v = cachet_rd_new_verifier(rd, NULL, &e);
    if (m->v == NULL) {
        return cachet_rd_fatal(rd, &m->place, &e);
    }
    /* micalg is not trusted to choose the digests (ATTACKS MW-02): a lying or
     * wrong micalg must not turn a good signature into an unsupported one. Every
     * supported digest of part 1 is computed; the SignerInfo picks its own. */
    if (cachet_cms_verify_detached(m->v, NULL, 0, &e) != CACHET_OK) {
        return cachet_rd_fatal(rd, &m->place, &e);
    }
    rd->layers[m->idx].detached = true;
    cachet_mime_canon_init(&m->canon);
    m->kind = KIND_SIGNED;
    return CACHET_OK;
}

static cachet_status classify_root(mime_unit *m, const cachet_mime_part_info *info, bool *descend) {
    cachet_reader *rd = m->rd;
    const cachet_mime_ctype *ct = info->ctype;
    m->cte = info->cte;
    if (m->place.top) {
        cachet_rd_learn_from(m->rd, &m->from_value, m->from_fields);
    }
    if (cachet_rd_is_smime_signed(ct) && (rd->process_signed || m->place.scan)) {
        return start_signed(m);
    }
    if (cachet_rd_is_pkcs7_mime(ct, &m->disposition)) {
        m->kind = KIND_CMS;
        *descend = false;
        return CACHET_OK;
    }
    bool verifying = rd->mode == CACHET_RD_VERIFY || rd->mode == CACHET_RD_INSPECT;
    if (cachet_rd_is_multipart(ct) && !cachet_mime_ctype_is(ct, "multipart", "signed") &&
        verifying && !m->place.under_signed && !m->place.scan) {
        m->kind = KIND_SCAN;
        return CACHET_OK;
    }
    m->kind = KIND_PLAIN;
    *descend = false;
    /* The innermost entity is passed on as received: its body is not ours to
     * decode (a mail reader does that), so it is not paid for twice. */
    cachet_mime_parser_skip_decode(m->parser);
    return cachet_rd_out_begin(rd, &m->place, &m->own, info->cte != CACHET_MIME_CTE_BINARY,
                               &m->out);
}

static cachet_status signed_part_header(mime_unit *m, const cachet_mime_part_info *info,
                                        bool *descend) {
    *descend = false;
    const cachet_mime_ctype *ct = info->ctype;
    if (strcmp(info->path, "1") == 0) {
        m->part1_seen = true;
        /* Part 1 is hashed and re-parsed raw by the child unit, which decodes
         * what it needs itself. */
        cachet_mime_parser_skip_decode(m->parser);
        cachet_rd_place p = m->place;
        cachet_rd_join(p.path, sizeof(p.path), m->place.path, "1");
        p.top = false;
        p.layers = m->place.layers + 1;
        p.under_signed = true;
        m->child = cachet_rd_mime_new(m->rd, &p);
        if (m->child == NULL) {
            return cachet_rd_fatalf(m->rd, &m->place, CACHET_ERR_NOMEM, "out of memory");
        }
        return CACHET_OK;
    }
    if (strcmp(info->path, "2") == 0) {
        m->part2_seen = true;
        bool ok = cachet_mime_ctype_is(ct, "application", "pkcs7-signature") ||
                  cachet_mime_ctype_is(ct, "application", "x-pkcs7-signature") ||
                  (cachet_mime_ctype_is(ct, "application", "octet-stream") &&
                   cachet_rd_has_p7_name(ct, &m->disposition, ".p7s"));
        if (!ok) {
            return mime_fail(m, CACHET_ERR_MALFORMED, "2",
                             "the second part of multipart/signed is %s, not "
                             "application/pkcs7-signature",
                             ct->type != NULL ? ct->type : "?");
        }
        return CACHET_OK;
    }
    return mime_fail(m, CACHET_ERR_MALFORMED, "", "multipart/signed has more than two parts%s", "");
}

static cachet_status scan_part_header(mime_unit *m, const cachet_mime_part_info *info,
                                      bool *descend) {
    const cachet_mime_ctype *ct = info->ctype;
    if (cachet_mime_ctype_is(ct, "multipart", "signed")
            ? cachet_rd_is_smime_signed(ct)
            : cachet_rd_is_pkcs7_mime(ct, &m->disposition)) {
        *descend = false;
        cachet_rd_place p = m->place;
        cachet_rd_join(p.path, sizeof(p.path), m->place.path, info->path);
        p.top = false;
        p.scan = true;
        m->scan_child = cachet_rd_mime_new(m->rd, &p);
        if (m->scan_child == NULL) {
            return cachet_rd_fatalf(m->rd, &m->place, CACHET_ERR_NOMEM, "out of memory");
        }
        snprintf(m->scan_path, sizeof(m->scan_path), "%s", info->path);
        return CACHET_OK;
    }
    if (!cachet_rd_is_multipart(ct)) {
        *descend = false;
    }
    return CACHET_OK;
}

static cachet_status forward_part(mime_unit *m, const uint8_t *data, size_t len);

static cachet_status on_headers_end(void *arg, const cachet_mime_part_info *info, bool *descend) {
    mime_unit *m = arg;
    if (is_root(info->path)) {
        return classify_root(m, info, descend);
    }
    cachet_status st = CACHET_OK;
    switch (m->kind) {
        case KIND_SIGNED:
            st = signed_part_header(m, info, descend);
            break;
        case KIND_SCAN:
            st = scan_part_header(m, info, descend);
            break;
        default:
            *descend = false;
            break;
    }
    if (st != CACHET_OK) {
        return st;
    }
    if (strcmp(m->pend_path, info->path) != 0) {
        snprintf(m->pend_path, sizeof(m->pend_path), "%s", info->path);
        cachet_membuf_reset(&m->pend);
    }
    m->pend_decided = true;
    bool wanted =
        (m->kind == KIND_SIGNED && strcmp(info->path, "1") == 0) ||
        (m->kind == KIND_SCAN && m->scan_child != NULL && strcmp(info->path, m->scan_path) == 0);
    if (wanted && m->pend.len > 0) {
        st = forward_part(m, m->pend.data, m->pend.len);
    }
    cachet_membuf_free(&m->pend);
    return st;
}

static cachet_status cms_decide(mime_unit *m, bool at_end) {
    cachet_reader *rd = m->rd;
    cachet_oid oid = CACHET_OID_UNKNOWN;
    cachet_status st =
        cachet_rd_sniff_decide(rd, &m->place, m->dec_pending.data, m->dec_pending.len, at_end,
                               &m->cms_decided, &oid, &m->action);
    if (st != CACHET_OK || !m->cms_decided) {
        if (st == CACHET_OK && m->raw_pending.len >= PENDING_MAX) {
            return mime_fail(m, CACHET_ERR_MALFORMED, "",
                             "application/pkcs7-mime body does not start a CMS object%s", "");
        }
        return st;
    }
    if (m->action == CACHET_RD_PROCESS) {
        m->cms = cachet_rd_cms_new(rd, &m->place, oid, NULL);
        if (m->cms == NULL) {
            return rd->op->failed
                       ? rd->op->err.status
                       : cachet_rd_fatalf(rd, &m->place, CACHET_ERR_NOMEM, "out of memory");
        }
        st = cachet_rd_unit_update(m->cms, m->dec_pending.data, m->dec_pending.len);
    } else if (m->action == CACHET_RD_KEEP) {
        /* Output the layer intact: its header, then its body as received. */
        st = cachet_rd_out_begin(rd, &m->place, &m->own, m->cte != CACHET_MIME_CTE_BINARY, &m->out);
        if (st == CACHET_OK) {
            st = cachet_rd_out_write(rd, &m->out, m->raw_pending.data, m->raw_pending.len);
        }
    }
    cachet_membuf_free(&m->raw_pending);
    cachet_membuf_free(&m->dec_pending);
    return st;
}

static cachet_status cms_body(mime_unit *m, const uint8_t *raw, size_t raw_len, const uint8_t *dec,
                              size_t dec_len) {
    if (!m->cms_decided) {
        m->raw_pending.max = PENDING_MAX + 4096;
        m->dec_pending.max = PENDING_MAX + 4096;
        size_t rtake = raw_len, dtake = dec_len;
        if (!cachet_membuf_append(&m->raw_pending, raw, rtake) ||
            !cachet_membuf_append(&m->dec_pending, dec, dtake)) {
            /* Too much before a decision: decide on what there is. */
            return mime_fail(m, CACHET_ERR_MALFORMED, "",
                             "application/pkcs7-mime body does not start a CMS object%s", "");
        }
        return cms_decide(m, false);
    }
    switch (m->action) {
        case CACHET_RD_PROCESS:
            return cachet_rd_unit_update(m->cms, dec, dec_len);
        case CACHET_RD_KEEP:
            return cachet_rd_out_write(m->rd, &m->out, raw, raw_len);
        case CACHET_RD_IGNORE:
            return CACHET_OK;
    }
    return CACHET_OK;
}

static cachet_status on_body(void *arg, const char *path, const uint8_t *raw, size_t raw_len,
                             const uint8_t *decoded, size_t decoded_len) {
    mime_unit *m = arg;
    if (is_root(path)) {
        if (m->kind == KIND_PLAIN) {
            return cachet_rd_out_write(m->rd, &m->out, raw, raw_len);
        }
        if (m->kind == KIND_CMS) {
            return cms_body(m, raw, raw_len, decoded, decoded_len);
        }
        return CACHET_OK;
    }
    if (m->kind == KIND_SIGNED && strcmp(path, "2") == 0 && decoded_len > 0) {
        cachet_error e;
        cachet_err_clear(&e);
        if (cachet_cms_verify_update(m->v, decoded, decoded_len, &e) != CACHET_OK) {
            cachet_rd_place p = m->place;
            cachet_rd_join(p.path, sizeof(p.path), m->place.path, "2");
            return cachet_rd_fatal(m->rd, &p, &e);
        }
    }
    return CACHET_OK;
}

/* is_ancestor: |a| encloses |b| ("1" encloses "1.2"). */
static bool is_ancestor(const char *a, const char *b) {
    size_t n = strlen(a);
    return strncmp(a, b, n) == 0 && b[n] == '.';
}

static cachet_status on_part_raw(void *arg, const char *path, const uint8_t *data, size_t len) {
    mime_unit *m = arg;
    if (is_root(path) || (m->kind != KIND_SIGNED && m->kind != KIND_SCAN)) {
        return CACHET_OK;
    }
    bool wanted =
        (m->kind == KIND_SIGNED && strcmp(path, "1") == 0 && m->child != NULL) ||
        (m->kind == KIND_SCAN && m->scan_child != NULL && strcmp(path, m->scan_path) == 0);
    if (wanted) {
        return forward_part(m, data, len);
    }
    if (strcmp(path, m->pend_path) == 0) {
        if (m->pend_decided) {
            return CACHET_OK;
        }
    } else if (is_ancestor(path, m->pend_path)) {
        return CACHET_OK;
    } else {
        snprintf(m->pend_path, sizeof(m->pend_path), "%s", path);
        m->pend_decided = false;
        cachet_membuf_reset(&m->pend);
    }
    m->pend.max = m->rd->mlimits.max_header_total + 4096;
    if (!cachet_membuf_append(&m->pend, data, len)) {
        return mime_fail(m, CACHET_ERR_LIMIT, path, "header of part %s is too large", path);
    }
    return CACHET_OK;
}

/* signed_content: part 1 in canonical form is hashed and flows on. */
static cachet_status signed_content(void *arg, const uint8_t *data, size_t len) {
    mime_unit *m = arg;
    cachet_error e;
    cachet_err_clear(&e);
    if (cachet_cms_verify_content(m->v, data, len, &e) != CACHET_OK) {
        return cachet_rd_fatal(m->rd, &m->place, &e);
    }
    return cachet_rd_unit_update(m->child, data, len);
}

static cachet_status forward_part(mime_unit *m, const uint8_t *data, size_t len) {
    if (m->kind == KIND_SIGNED) {
        /* RFC 8551 §3.1.1: the signature covers the canonical (CRLF) form; what
         * is verified is exactly what flows on. */
        if (m->canon_buf == NULL && cachet_mime_canon_prefix(&m->canon, data, len) == len) {
            /* CRLF text needs no scratch: the buffer comes with the first bare LF */
            cachet_mime_canon_skip(&m->canon, data, len);
            return signed_content(m, data, len);
        }
        if (m->canon_buf == NULL) {
            m->canon_buf = cachet_malloc(CACHET_RD_CANON_BUF);
            if (m->canon_buf == NULL) {
                return cachet_rd_fatalf(m->rd, &m->place, CACHET_ERR_NOMEM, "out of memory");
            }
        }
        return cachet_smime_canon_feed(&m->canon, m->canon_buf, CACHET_RD_CANON_BUF, data, len,
                                       signed_content, m);
    }
    return cachet_rd_unit_update(m->scan_child, data, len);
}

static cachet_status root_end(mime_unit *m) {
    cachet_reader *rd = m->rd;
    switch (m->kind) {
        case KIND_SIGNED:
            if (!m->part1_seen || !m->part2_seen) {
                return mime_fail(m, CACHET_ERR_MALFORMED, "",
                                 "multipart/signed needs exactly two parts%s", "");
            }
            {
                cachet_status st = cachet_rd_signed_done(rd, &m->place, m->v, m->idx);
                /* the signed part is a MIME entity: id-data, nothing else (RFC
                 * 8551 section 3; ATTACKS SG-17); the type is known once the
                 * SignedData is finished */
                if (st == CACHET_OK && cachet_cms_verify_econtent_type(m->v) != CACHET_OID_DATA) {
                    return mime_fail(m, CACHET_ERR_UNSUPPORTED, "",
                                     "the signature of multipart/signed is over a content type "
                                     "other than id-data%s",
                                     "");
                }
                return st;
            }
        case KIND_CMS:
            if (!m->cms_decided) {
                if (m->dec_pending.len == 0) {
                    return mime_fail(m, CACHET_ERR_MALFORMED, "", "empty %s body",
                                     "application/pkcs7-mime");
                }
                cachet_status st = cms_decide(m, true);
                if (st != CACHET_OK) {
                    return st;
                }
            }
            return m->cms != NULL ? cachet_rd_unit_finish(m->cms) : CACHET_OK;
        default:
            return CACHET_OK;
    }
}

static cachet_status on_part_end(void *arg, const char *path) {
    mime_unit *m = arg;
    if (is_root(path)) {
        return root_end(m);
    }
    if (m->kind == KIND_SIGNED && strcmp(path, "1") == 0) {
        return cachet_rd_unit_finish(m->child);
    }
    if (m->kind == KIND_SCAN && m->scan_child != NULL && strcmp(path, m->scan_path) == 0) {
        cachet_status st = cachet_rd_unit_finish(m->scan_child);
        cachet_rd_unit_free(m->scan_child);
        m->scan_child = NULL;
        return st;
    }
    return CACHET_OK;
}

/* parser_failed: a callback's own failure is already recorded; otherwise the
 * parser found the entity malformed. */
static cachet_status parser_failed(mime_unit *m, cachet_status st) {
    if (m->rd->op->failed) {
        return m->rd->op->err.status;
    }
    const cachet_error *pe = cachet_mime_parser_error(m->parser);
    if (pe->status != CACHET_OK) {
        return cachet_rd_fatal(m->rd, &m->place, pe);
    }
    return cachet_rd_fatalf(m->rd, &m->place, st, "MIME parsing failed");
}

static cachet_status mime_update(cachet_rd_unit *u, const uint8_t *data, size_t len) {
    mime_unit *m = (mime_unit *)u;
    cachet_status st = cachet_mime_parser_update(m->parser, data, len);
    return st == CACHET_OK ? CACHET_OK : parser_failed(m, st);
}

static cachet_status mime_finish(cachet_rd_unit *u) {
    mime_unit *m = (mime_unit *)u;
    cachet_status st = cachet_mime_parser_finish(m->parser);
    return st == CACHET_OK ? CACHET_OK : parser_failed(m, st);
}

static void mime_free(cachet_rd_unit *u) {
    mime_unit *m = (mime_unit *)u;
    cachet_mime_parser_free(m->parser);
    cachet_rd_fields_free(&m->own);
    cachet_membuf_free(&m->from_value);
    cachet_membuf_free(&m->disposition);
    cachet_cms_verify_free(m->v);
    cachet_rd_unit_free(m->child);
    cachet_membuf_free_secret(&m->raw_pending);
    cachet_membuf_free_secret(&m->dec_pending);
    cachet_rd_unit_free(m->cms);
    cachet_rd_unit_free(m->scan_child);
    cachet_membuf_free(&m->pend);
    if (m->canon_buf != NULL) {
        cachet_free_secret(m->canon_buf, CACHET_RD_CANON_BUF);
    }
    cachet_free(m);
}

static const cachet_rd_unit_vt mime_vt = {mime_update, mime_finish, mime_free};

cachet_rd_unit *cachet_rd_mime_new(cachet_reader *rd, const cachet_rd_place *place) {
    mime_unit *m = cachet_calloc(1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    m->base.vt = &mime_vt;
    m->rd = rd;
    m->place = *place;
    cachet_mime_callbacks cb = {
        .arg = m,
        .header = on_header,
        .headers_end = on_headers_end,
        .body = on_body,
        .part_raw = on_part_raw,
        .part_end = on_part_end,
    };
    m->parser = cachet_mime_parser_new(&rd->mlimits, &cb);
    if (m->parser == NULL) {
        cachet_free(m);
        return NULL;
    }
    return &m->base;
}
