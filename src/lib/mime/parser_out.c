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

bool cachet_mime_p_flush(cachet_mime_parser *p) {
    if (p->blen == 0) {
        return true;
    }
    size_t n = p->blen;
    p->blen = 0;
    if (p->cb.part_raw != NULL) {
        for (size_t i = 0; i <= p->blevel; i++) {
            if (!cachet_mime_p_cb(p, p->cb.part_raw(p->cb.arg, p->frames[i].path, p->bbuf, n),
                                  "part_raw")) {
                return false;
            }
        }
    }
    cachet_mime_frame *f = &p->frames[p->blevel];
    if (p->bkind == CACHET_MIME_OUT_PRE || p->bkind == CACHET_MIME_OUT_EPI) {
        bool pre = p->bkind == CACHET_MIME_OUT_PRE;
        cachet_status (*fn)(void *, const char *, const uint8_t *, size_t) =
            pre ? p->cb.preamble : p->cb.epilogue;
        if (fn != NULL) {
            return cachet_mime_p_cb(p, fn(p->cb.arg, f->path, p->bbuf, n),
                                    pre ? "preamble" : "epilogue");
        }
        return true;
    }
    if (p->bkind != CACHET_MIME_OUT_BODY) {
        return true;
    }
    size_t dl = p->dlen;
    p->dlen = 0;
    if (p->cb.body != NULL) {
        return cachet_mime_p_cb(p, p->cb.body(p->cb.arg, f->path, p->bbuf, n, p->dec, dl), "body");
    }
    return true;
}

/* Decodes body bytes as they arrive so that an error is reported at the same
 * offset whatever the chunking. */
static bool decode_body(cachet_mime_parser *p, size_t level, const uint8_t *d, size_t n,
                        size_t done) {
    cachet_mime_frame *f = &p->frames[level];
    cachet_mime_b64dec b64 = f->b64;
    cachet_mime_qpdec qp = f->qp;
    size_t dl = 0;
    bool ok = true;
    uint8_t *out = p->dec + p->dlen;
    switch (f->cte) {
        case CACHET_MIME_CTE_BASE64:
            ok = cachet_mime_b64dec_update(&f->b64, d, n, out, &dl);
            break;
        case CACHET_MIME_CTE_QP:
            ok = cachet_mime_qpdec_update(&f->qp, d, n, out, &dl);
            break;
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
                            ? cachet_mime_b64dec_update(&b64, d + k, 1, tmp, &tl)
                            : cachet_mime_qpdec_update(&qp, d + k, 1, tmp, &tl);
            if (!good) {
                break;
            }
        }
        p->off += (long long)(done + k);
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
    size_t done = 0;
    while (n > 0) {
        size_t room = CACHET_MIME_BATCH - p->blen;
        size_t k = n < room ? n : room;
        if (kind == CACHET_MIME_OUT_BODY) {
            k = k > 256 ? 256 : k; /* keeps the decoded output within p->dec */
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
