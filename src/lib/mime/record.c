/* An event recorder for the parser: turns callbacks into a text log in which
 * consecutive data events of one kind and part are merged, so that the log does
 * not depend on how the input was chunked. Used by tests and the fuzz target as
 * the oracle "same events whatever the chunking", and handy for debugging. */
#include <stdio.h>
#include <string.h>

#include "mime/internal.h"

static bool put(cachet_membuf *b, const void *d, size_t n) {
    return cachet_membuf_append(b, d, n);
}

static bool put_esc(cachet_membuf *b, const uint8_t *d, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char t[5];
        uint8_t c = d[i];
        if (c == '\r') {
            memcpy(t, "\\r", 3);
        } else if (c == '\n') {
            memcpy(t, "\\n", 3);
        } else if (c == '\\') {
            memcpy(t, "\\\\", 3);
        } else if (c < 32 || c > 126) {
            snprintf(t, sizeof(t), "\\x%02x", c);
        } else {
            t[0] = (char)c;
            t[1] = '\0';
        }
        if (!put(b, t, strlen(t))) {
            return false;
        }
    }
    return true;
}

static bool put_str(cachet_membuf *b, const char *s) {
    return put(b, s, strlen(s));
}

static bool flush_pending(cachet_mime_recorder *r) {
    if (r->pend_kind == 0) {
        return true;
    }
    char head[CACHET_MIME_PATH_MAX + 8];
    snprintf(head, sizeof(head), "%c [%s] ", r->pend_kind, r->pend_path);
    bool ok = put_str(&r->log, head) && put_esc(&r->log, r->pend.data, r->pend.len);
    if (ok && r->pend_kind == 'B') {
        ok = put_str(&r->log, " | raw ") && put_esc(&r->log, r->pend_raw.data, r->pend_raw.len);
    }
    ok = ok && put_str(&r->log, "\n");
    r->pend_kind = 0;
    r->pend.len = 0;
    r->pend_raw.len = 0;
    return ok;
}

static cachet_status data_event(cachet_mime_recorder *r, char kind, const char *path,
                                const uint8_t *d, size_t n, const uint8_t *raw, size_t rn) {
    if (r->pend_kind != kind || strcmp(r->pend_path, path) != 0) {
        if (!flush_pending(r)) {
            return CACHET_ERR_NOMEM;
        }
        r->pend_kind = kind;
        snprintf(r->pend_path, sizeof(r->pend_path), "%s", path);
    }
    if (!put(&r->pend, d, n) || !put(&r->pend_raw, raw, rn)) {
        return CACHET_ERR_NOMEM;
    }
    return CACHET_OK;
}

static cachet_status on_header(void *arg, const char *path, const char *name, const char *value,
                               size_t value_len, const uint8_t *raw, size_t raw_len) {
    cachet_mime_recorder *r = arg;
    (void)raw;
    char head[CACHET_MIME_PATH_MAX + 16];
    snprintf(head, sizeof(head), "H [%s] ", path);
    bool ok = flush_pending(r) && put_str(&r->log, head) && put_str(&r->log, name) &&
              put_str(&r->log, ": ") && put_esc(&r->log, (const uint8_t *)value, value_len) &&
              put_str(&r->log, " | raw ") && put_esc(&r->log, raw, raw_len) &&
              put_str(&r->log, "\n");
    return ok ? CACHET_OK : CACHET_ERR_NOMEM;
}

static cachet_status on_headers_end(void *arg, const cachet_mime_part_info *info, bool *descend) {
    cachet_mime_recorder *r = arg;
    if (r->no_descend != NULL && strcmp(r->no_descend, info->path) == 0) {
        *descend = false;
    }
    char line[CACHET_MIME_PATH_MAX + 256];
    snprintf(line, sizeof(line), "E [%s] %s/%s%s %s%s%s%s\n", info->path, info->ctype->type,
             info->ctype->subtype, info->ctype_present ? "" : " (default)",
             cachet_mime_cte_name(info->cte), info->boundary ? " boundary=" : "",
             info->boundary ? info->boundary : "", *descend ? " descend" : "");
    return flush_pending(r) && put_str(&r->log, line) ? CACHET_OK : CACHET_ERR_NOMEM;
}

static cachet_status on_body(void *arg, const char *path, const uint8_t *raw, size_t raw_len,
                             const uint8_t *dec, size_t dec_len) {
    return data_event(arg, 'B', path, dec, dec_len, raw, raw_len);
}

static cachet_status on_pre(void *arg, const char *path, const uint8_t *d, size_t n) {
    return data_event(arg, 'P', path, d, n, NULL, 0);
}

static cachet_status on_epi(void *arg, const char *path, const uint8_t *d, size_t n) {
    return data_event(arg, 'Q', path, d, n, NULL, 0);
}

static cachet_status on_part_raw(void *arg, const char *path, const uint8_t *d, size_t n) {
    cachet_mime_recorder *r = arg;
    size_t i = 0;
    for (; i < r->nraw; i++) {
        if (strcmp(r->raw_path[i], path) == 0) {
            break;
        }
    }
    if (i == r->nraw) {
        if (r->nraw == CACHET_MIME_RECORD_PARTS) {
            return CACHET_OK; /* only the first parts are kept */
        }
        snprintf(r->raw_path[i], sizeof(r->raw_path[i]), "%s", path);
        r->raw[i] = (cachet_membuf){.max = r->raw_max};
        r->nraw++;
    }
    return put(&r->raw[i], d, n) ? CACHET_OK : CACHET_ERR_NOMEM;
}

static cachet_status on_part_end(void *arg, const char *path) {
    cachet_mime_recorder *r = arg;
    char line[CACHET_MIME_PATH_MAX + 8];
    snprintf(line, sizeof(line), "X [%s]\n", path);
    return flush_pending(r) && put_str(&r->log, line) ? CACHET_OK : CACHET_ERR_NOMEM;
}

void cachet_mime_record_init(cachet_mime_recorder *r, cachet_mime_callbacks *cb, unsigned flags) {
    memset(r, 0, sizeof(*r));
    r->raw_max = 1u << 24;
    memset(cb, 0, sizeof(*cb));
    cb->arg = r;
    cb->header = on_header;
    cb->headers_end = on_headers_end;
    cb->body = on_body;
    cb->part_raw = on_part_raw;
    cb->preamble = on_pre;
    cb->epilogue = on_epi;
    cb->part_end = on_part_end;
    cb->flags = flags;
}

bool cachet_mime_record_finish(cachet_mime_recorder *r, const cachet_mime_parser *p,
                               cachet_status st) {
    char line[600];
    bool ok = flush_pending(r);
    for (size_t i = 0; ok && i < r->nraw; i++) {
        snprintf(line, sizeof(line), "R [%s] ", r->raw_path[i]);
        ok = put_str(&r->log, line) && put_esc(&r->log, r->raw[i].data, r->raw[i].len) &&
             put_str(&r->log, "\n");
    }
    const cachet_error *e = cachet_mime_parser_error(p);
    snprintf(line, sizeof(line), "= %s anomalies=0x%x", cachet_status_str(st),
             cachet_mime_parser_anomalies(p));
    ok = ok && put_str(&r->log, line);
    if (ok && st != CACHET_OK) {
        snprintf(line, sizeof(line), " at [%s] %lld: %s", e->where, e->offset, e->message);
        ok = put_str(&r->log, line);
    }
    return ok && put(&r->log, "\n", 1);
}

const cachet_membuf *cachet_mime_record_raw(const cachet_mime_recorder *r, const char *path) {
    for (size_t i = 0; i < r->nraw; i++) {
        if (strcmp(r->raw_path[i], path) == 0) {
            return &r->raw[i];
        }
    }
    return NULL;
}

void cachet_mime_record_free(cachet_mime_recorder *r) {
    cachet_membuf_free(&r->log);
    cachet_membuf_free(&r->pend);
    cachet_membuf_free(&r->pend_raw);
    for (size_t i = 0; i < r->nraw; i++) {
        cachet_membuf_free(&r->raw[i]);
    }
    r->nraw = 0;
}

cachet_status cachet_mime_record_run(const uint8_t *msg, size_t len, const size_t *cuts,
                                     size_t ncuts, unsigned flags, const char *no_descend,
                                     const cachet_mime_limits *lim, cachet_mime_recorder *r) {
    cachet_mime_callbacks cb;
    cachet_mime_record_init(r, &cb, flags);
    r->no_descend = no_descend;
    cachet_mime_parser *p = cachet_mime_parser_new(lim, &cb);
    if (p == NULL) {
        return CACHET_ERR_NOMEM;
    }
    cachet_status st = CACHET_OK;
    size_t at = 0;
    for (size_t i = 0; i <= ncuts && st == CACHET_OK; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        if (end < at || end > len) {
            continue;
        }
        st = cachet_mime_parser_update(p, msg + at, end - at);
        at = end;
    }
    if (st == CACHET_OK) {
        st = cachet_mime_parser_finish(p);
    }
    if (!cachet_mime_record_finish(r, p, st)) {
        st = CACHET_ERR_NOMEM;
    }
    cachet_mime_parser_free(p);
    return st;
}
