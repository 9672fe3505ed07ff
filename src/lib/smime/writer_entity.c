/* The protected entity: canonical form, the 7-bit rule of multipart/signed and
 * its transfer encoding (the rule is stated in writer.h). */
#include <string.h>

#include "smime/writer.h"

#define PIECE 32768 /* input is processed in pieces of this size */
/* Encoder input per call: base64 output is at most 4/3 + 3% of it; QP's worst
 * case is six times, so its pieces are smaller. */
#define ENC_PIECE_B64 (48 * 1024)
#define ENC_PIECE_QP 8192
/* A canonical run shorter than this is converted with what follows rather than
 * passed on alone (one call per short line of LF text would cost more than the copy). */
#define CANON_DIRECT_MIN 4096

cachet_status cachet_smime_canon_feed(cachet_mime_canon *c, uint8_t *buf, size_t buf_cap,
                                      const uint8_t *data, size_t len,
                                      cachet_status (*fn)(void *arg, const uint8_t *d, size_t n),
                                      void *arg) {
    size_t piece = buf_cap / 2;
    while (len > 0) {
        size_t same = cachet_mime_canon_prefix(c, data, len);
        cachet_status st;
        size_t n;
        if (same == len || same >= CANON_DIRECT_MIN) {
            n = same;
            st = fn(arg, data, n);
            cachet_mime_canon_skip(c, data, n);
        } else {
            n = len < piece ? len : piece;
            size_t w = cachet_mime_canon_update(c, data, n, buf);
            st = fn(arg, buf, w);
        }
        if (st != CACHET_OK) {
            return st;
        }
        data += n;
        len -= n;
    }
    return CACHET_OK;
}

/* reserve gives |*buf| room for |need| bytes: kept if it has it, else replaced
 * (what it held is no longer needed, and is wiped) by one of at least twice
 * the size, up to |max| (>= |need|), so that a stream of growing chunks
 * reallocates a few times at most. */
static bool reserve(uint8_t **buf, size_t *cap, size_t *used, size_t need, size_t max) {
    if (need <= *cap) {
        return true;
    }
    size_t want = *cap > max / 2 ? max : 2 * *cap;
    if (want < need) {
        want = need;
    }
    if (*buf != NULL) {
        cachet_free_secret(*buf, *used);
    }
    *cap = *used = 0;
    *buf = cachet_malloc(want);
    if (*buf == NULL) {
        return false;
    }
    *cap = want;
    return true;
}

static void mark_used(size_t *used, size_t written) {
    if (written > *used) {
        *used = written;
    }
}

static cachet_status nomem(cachet_error *err) {
    return cachet_err_set(err, CACHET_ERR_NOMEM, "entity", -1, "out of memory");
}

static cachet_status emit(cachet_smime_entity *e, const void *data, size_t len, cachet_error *err) {
    cachet_status st = cachet_sink_write(&e->target, data, len);
    if (st != CACHET_OK) {
        return cachet_err_set(err, st, "entity", (long long)e->offset,
                              "writing the content failed");
    }
    return CACHET_OK;
}

static cachet_status emit_str(cachet_smime_entity *e, const char *s, cachet_error *err) {
    return emit(e, s, strlen(s), err);
}

static cachet_status emit_header(cachet_smime_entity *e, cachet_error *err) {
    const cachet_smime_split *h = e->hdr;
    cachet_status st = emit(e, h->inner.data, h->inner.len, err);
    if (st == CACHET_OK && !h->has_ctype) {
        st = emit_str(e, "Content-Type: text/plain; charset=us-ascii\r\n", err);
    }
    if (st != CACHET_OK) {
        return st;
    }
    switch (e->enc) {
        case CACHET_SMIME_ENC_QP:
            st = emit_str(e, "Content-Transfer-Encoding: quoted-printable\r\n", err);
            break;
        case CACHET_SMIME_ENC_B64:
            st = emit_str(e, "Content-Transfer-Encoding: base64\r\n", err);
            break;
        case CACHET_SMIME_ENC_NONE:
            if (h->has_cte && e->seven_bit && h->cte == CACHET_MIME_CTE_8BIT) {
                /* checked 7-bit safe: an "8bit" label would invite re-encoding in transit */
                st = emit_str(e, "Content-Transfer-Encoding: 7bit\r\n", err);
            } else if (h->has_cte) {
                st = emit(e, h->cte_raw.data, h->cte_raw.len, err);
            }
            break;
    }
    return st == CACHET_OK ? emit(e, "\r\n", 2, err) : st;
}

static cachet_status unsafe(cachet_smime_entity *e, cachet_error *err) {
    return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "entity body", (long long)e->offset,
                          "the %s entity is not 7-bit safe (8-bit bytes, NUL, bare CR/LF or a "
                          "line over 998 octets) and cannot be transfer-encoded as it is; "
                          "encode it first or sign with --opaque",
                          e->hdr->has_ctype && e->hdr->ctype.type != NULL ? e->hdr->ctype.type
                                                                          : "text");
}

/* emit_body writes canonical body bytes in the chosen encoding. */
static cachet_status emit_body(cachet_smime_entity *e, const uint8_t *data, size_t len,
                               cachet_error *err) {
    if (e->enc == CACHET_SMIME_ENC_NONE) {
        if (e->check) {
            cachet_mime_7bit_update(&e->check_st, data, len);
            if (!e->check_st.ok) {
                return unsafe(e, err);
            }
        }
        return emit(e, data, len, err);
    }
    bool qp = e->enc == CACHET_SMIME_ENC_QP;
    size_t piece = qp ? ENC_PIECE_QP : ENC_PIECE_B64;
    while (len > 0) {
        size_t n = len < piece ? len : piece;
        size_t need = qp ? CACHET_MIME_QPENC_MAX(n) : CACHET_MIME_B64ENC_MAX(n);
        if (!reserve(&e->encoded, &e->encoded_cap, &e->encoded_used, need,
                     qp ? CACHET_MIME_QPENC_MAX(ENC_PIECE_QP)
                        : CACHET_MIME_B64ENC_MAX(ENC_PIECE_B64))) {
            return nomem(err);
        }
        size_t out = qp ? cachet_mime_qpenc_update(&e->qp, data, n, e->encoded)
                        : cachet_mime_b64enc_update(&e->b64, data, n, e->encoded);
        mark_used(&e->encoded_used, out);
        cachet_status st = emit(e, e->encoded, out, err);
        if (st != CACHET_OK) {
            return st;
        }
        data += n;
        len -= n;
    }
    return CACHET_OK;
}

static bool is_composite(const cachet_smime_split *h) {
    return h->has_ctype && h->ctype.type != NULL &&
           (strcmp(h->ctype.type, "multipart") == 0 || strcmp(h->ctype.type, "message") == 0);
}

cachet_status cachet_smime_entity_begin(cachet_smime_entity *e, const cachet_smime_split *hdr,
                                        bool seven_bit, const cachet_sink *target,
                                        cachet_error *err) {
    memset(e, 0, sizeof(*e));
    e->hdr = hdr;
    e->target = *target;
    e->seven_bit = seven_bit;
    e->canon = !(hdr->has_cte && hdr->cte == CACHET_MIME_CTE_BINARY);
    cachet_mime_canon_init(&e->canon_st);
    cachet_mime_7bit_init(&e->check_st);
    cachet_mime_qpenc_init(&e->qp, true);
    cachet_mime_b64enc_init(&e->b64);
    if (!seven_bit) {
        return emit_header(e, err);
    }
    if (!cachet_mime_is_7bit_safe(hdr->inner.data, hdr->inner.len) ||
        !cachet_mime_is_7bit_safe(hdr->cte_raw.data, hdr->cte_raw.len)) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "header", -1,
                              "a Content-* header field has 8-bit bytes: encode it (RFC 2047, "
                              "RFC 2231) or sign with --opaque");
    }
    if (hdr->has_cte && hdr->cte == CACHET_MIME_CTE_BINARY) {
        e->enc = CACHET_SMIME_ENC_B64;
        return emit_header(e, err);
    }
    bool encoded =
        hdr->has_cte && (hdr->cte == CACHET_MIME_CTE_QP || hdr->cte == CACHET_MIME_CTE_BASE64 ||
                         hdr->cte == CACHET_MIME_CTE_UNKNOWN);
    if (encoded || is_composite(hdr)) {
        e->check = true;
        return emit_header(e, err);
    }
    e->holding = true;
    e->held.max = CACHET_SMIME_7BIT_LOOKAHEAD;
    return CACHET_OK;
}

/* decide ends the lookahead: unencoded if |safe|, else QP (text) or base64. */
static cachet_status decide(cachet_smime_entity *e, bool safe, cachet_error *err) {
    e->holding = false;
    e->enc =
        safe ? CACHET_SMIME_ENC_NONE
             : (cachet_smime_split_is_text(e->hdr) ? CACHET_SMIME_ENC_QP : CACHET_SMIME_ENC_B64);
    cachet_status st = emit_header(e, err);
    if (st == CACHET_OK) {
        st = emit_body(e, e->held.data, e->held.len, err);
    }
    cachet_membuf_free(&e->held);
    return st;
}

cachet_status cachet_smime_entity_body(cachet_smime_entity *e, const uint8_t *data, size_t len,
                                       cachet_error *err) {
    while (len > 0) {
        size_t n = len < PIECE ? len : PIECE;
        const uint8_t *c = data;
        size_t clen = n;
        if (e->canon) {
            if (cachet_mime_canon_prefix(&e->canon_st, data, n) == n) {
                cachet_mime_canon_skip(&e->canon_st, data, n);
            } else if (!reserve(&e->scratch, &e->scratch_cap, &e->scratch_used,
                                CACHET_MIME_CANON_MAX(n), CACHET_MIME_CANON_MAX(PIECE))) {
                return nomem(err);
            } else {
                clen = cachet_mime_canon_update(&e->canon_st, data, n, e->scratch);
                mark_used(&e->scratch_used, clen);
                c = e->scratch;
            }
        }
        cachet_status st = CACHET_OK;
        if (e->holding) {
            cachet_mime_7bit_update(&e->check_st, c, clen);
            if (!e->check_st.ok || clen > e->held.max - e->held.len) {
                st = decide(e, false, err);
                if (st == CACHET_OK) {
                    st = emit_body(e, c, clen, err);
                }
            } else if (!cachet_membuf_append(&e->held, c, clen)) {
                st = nomem(err);
            }
        } else {
            st = emit_body(e, c, clen, err);
        }
        if (st != CACHET_OK) {
            return st;
        }
        e->offset += n;
        data += n;
        len -= n;
    }
    return CACHET_OK;
}

cachet_status cachet_smime_entity_finish(cachet_smime_entity *e, cachet_error *err) {
    cachet_status st = CACHET_OK;
    if (e->holding) {
        st = decide(e, cachet_mime_7bit_result(&e->check_st), err);
    } else if (e->check && !cachet_mime_7bit_result(&e->check_st)) {
        st = unsafe(e, err);
    }
    if (st != CACHET_OK) {
        return st;
    }
    uint8_t tail[CACHET_MIME_QPENC_MAX(0) + CACHET_MIME_B64ENC_FINISH_MAX];
    size_t n = 0;
    if (e->enc == CACHET_SMIME_ENC_QP) {
        n = cachet_mime_qpenc_finish(&e->qp, tail);
    } else if (e->enc == CACHET_SMIME_ENC_B64) {
        n = cachet_mime_b64enc_finish(&e->b64, tail);
    }
    return emit(e, tail, n, err);
}

void cachet_smime_entity_free(cachet_smime_entity *e) {
    cachet_membuf_free_secret(&e->held);
    if (e->scratch != NULL) {
        cachet_free_secret(e->scratch, e->scratch_used);
    }
    if (e->encoded != NULL) {
        cachet_free_secret(e->encoded, e->encoded_used);
    }
    e->scratch = e->encoded = NULL;
    e->scratch_cap = e->scratch_used = e->encoded_cap = e->encoded_used = 0;
}
