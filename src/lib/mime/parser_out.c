/* The parser's output batch: bytes for one kind of event and one part are
 * gathered, body bytes decoded as they arrive, and delivered in chunks to the
 * part_raw callbacks of the part and its ancestors and then to body / preamble /
 * epilogue. */
#include <string.h>

#include "mime/internal.h"

bool cachet_mime_p_cb(cachet_mime_parser *p, cachet_status st, const char *what) {
    if (st != CACHET_OK) {
        return cachet_mime_p_fail(p, st, "%s callback failed", what);
    }
    return true;
}

/* deliver hands |n| bytes of kind |kind| for frame |level| (and |dl| decoded
 * bytes in p->dec) to the callbacks. */
static bool deliver(cachet_mime_parser *p, int kind, size_t level, const uint8_t *d, size_t n,
                    size_t dl) {
    if (p->cb.part_raw != NULL) {
        for (size_t i = 0; i <= level; i++) {
            if (!cachet_mime_p_cb(p, p->cb.part_raw(p->cb.arg, p->frames[i].path, d, n),
                                  "part_raw")) {
                return false;
            }
        }
    }
    cachet_mime_frame *f = &p->frames[level];
    if (kind == CACHET_MIME_OUT_PRE || kind == CACHET_MIME_OUT_EPI) {
        bool pre = kind == CACHET_MIME_OUT_PRE;
        cachet_status (*fn)(void *, const char *, const uint8_t *, size_t) =
            pre ? p->cb.preamble : p->cb.epilogue;
        if (fn != NULL) {
            return cachet_mime_p_cb(p, fn(p->cb.arg, f->path, d, n), pre ? "preamble" : "epilogue");
        }
        return true;
    }
    if (kind == CACHET_MIME_OUT_BODY && p->cb.body != NULL) {
        return cachet_mime_p_cb(p, p->cb.body(p->cb.arg, f->path, d, n, p->dec, dl), "body");
    }
    return true;
}

bool cachet_mime_p_flush(cachet_mime_parser *p) {
    if (p->blen == 0) {
        return true;
    }
    size_t n = p->blen;
    size_t dl = p->dlen;
    p->blen = 0;
    p->dlen = 0;
    return deliver(p, p->bkind, p->blevel, p->bbuf, n, dl);
}

/* Decodes body bytes as they arrive so that an error is reported at the same
 * offset whatever the chunking. |done| bytes of the emitted piece came before. */
static bool decode_body(cachet_mime_parser *p, size_t level, const uint8_t *d, size_t n,
                        size_t done) {
    cachet_mime_frame *f = &p->frames[level];
    if (f->no_decode) {
        return true;
    }
    size_t dl = 0;
    bool ok = true;
    uint8_t *out = p->dec + p->dlen;
    switch (f->cte) {
        case CACHET_MIME_CTE_BASE64: {
            cachet_mime_b64dec saved = f->b64;
            ok = cachet_mime_b64dec_update(&f->b64, d, n, out, &dl);
            f->b64 = ok ? f->b64 : saved;
            break;
        }
        case CACHET_MIME_CTE_QP: {
            cachet_mime_qpdec saved = f->qp;
            ok = cachet_mime_qpdec_update(&f->qp, d, n, out, &dl);
            f->qp = ok ? f->qp : saved;
            break;
        }
        case CACHET_MIME_CTE_UNKNOWN:
            break;
        default:
            memcpy(out, d, n);
            dl = n;
            break;
    }
    if (!ok) {
        /* Report the offset of the offending byte, not of the piece: replay the
         * piece byte by byte from the saved state. */
        size_t k = 0;
        uint8_t tmp[CACHET_MIME_QPDEC_MAX(1)];
        for (; k < n; k++) {
            size_t tl = 0;
            bool good = f->cte == CACHET_MIME_CTE_BASE64
                            ? cachet_mime_b64dec_update(&f->b64, d + k, 1, tmp, &tl)
                            : cachet_mime_qpdec_update(&f->qp, d + k, 1, tmp, &tl);
            if (!good) {
                break;
            }
        }
        if (p->run_len != 0) {
            cachet_mime_p_run_error(p, done + k);
        } else {
            p->off += (long long)(done + k);
        }
        return cachet_mime_p_fail(p, CACHET_ERR_MALFORMED, "invalid %s body",
                                  cachet_mime_cte_name(f->cte));
    }
    p->dlen += dl;
    return true;
}

bool cachet_mime_p_emit(cachet_mime_parser *p, int kind, size_t level, const uint8_t *d, size_t n) {
    if (n == 0) {
        return true;
    }
    if ((p->bkind != kind || p->blevel != level) && !cachet_mime_p_flush(p)) {
        return false;
    }
    p->bkind = kind;
    p->blevel = level;
    /* Recorded on arrival, not on flush, so the bits do not depend on chunking. */
    if (kind == CACHET_MIME_OUT_PRE) {
        p->anomalies |= CACHET_MIME_ANOM_PREAMBLE;
    } else if (kind == CACHET_MIME_OUT_EPI) {
        p->anomalies |= CACHET_MIME_ANOM_EPILOGUE;
    }
    bool body = kind == CACHET_MIME_OUT_BODY;
    size_t done = 0;
    while (n > 0) {
        if (p->blen == 0 && p->dlen == 0 && n >= CACHET_MIME_DIRECT_MIN) {
            /* Enough for a batch of its own: straight from the input, without a
             * copy (body: a batch at a time, for the room in p->dec). */
            size_t k = body && n > CACHET_MIME_BATCH ? CACHET_MIME_BATCH : n;
            if ((body && !decode_body(p, level, d, k, done)) ||
                !deliver(p, kind, level, d, k, p->dlen)) {
                return false;
            }
            p->dlen = 0;
            d += k;
            n -= k;
            done += k;
            continue;
        }
        size_t room = CACHET_MIME_BATCH - p->blen;
        size_t k = n < room ? n : room;
        if (body) {
            if (p->dlen + CACHET_MIME_QPDEC_MAX(k) > sizeof(p->dec)) {
                if (!cachet_mime_p_flush(p)) {
                    return false;
                }
                continue;
            }
            if (!decode_body(p, level, d, k, done)) {
                return false;
            }
        }
        memcpy(p->bbuf + p->blen, d, k);
        p->blen += k;
        d += k;
        n -= k;
        done += k;
        if (p->blen == CACHET_MIME_BATCH && !cachet_mime_p_flush(p)) {
            return false;
        }
    }
    return true;
}
