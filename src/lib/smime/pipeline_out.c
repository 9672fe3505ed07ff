/* The output side of the pipeline: header field lists, the header of the
 * innermost entity (outer fields + its own), raw output, and input detection. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smime/pem.h"
#include "smime/pipeline.h"
#include "smime/writer.h"

/* The outer header of one message is bounded like a MIME header block. */
#define FIELDS_MAX ((size_t)1 << 20)

bool cachet_rd_fields_add(cachet_rd_fields *f, const char *name, const uint8_t *raw,
                          size_t raw_len) {
    size_t nlen = strlen(name);
    if (nlen > UINT32_MAX || raw_len > UINT32_MAX) {
        return false;
    }
    uint32_t n32 = (uint32_t)nlen, r32 = (uint32_t)raw_len;
    f->buf.max = FIELDS_MAX;
    if (!cachet_membuf_reserve(&f->buf, 8 + nlen + raw_len)) {
        return false;
    }
    cachet_membuf_append(&f->buf, &n32, 4);
    cachet_membuf_append(&f->buf, name, nlen);
    cachet_membuf_append(&f->buf, &r32, 4);
    cachet_membuf_append(&f->buf, raw, raw_len);
    f->count++;
    return true;
}

typedef struct field_iter {
    const cachet_rd_fields *f;
    size_t off;
} field_iter;

static bool field_next(field_iter *it, const char **name, size_t *nlen, const uint8_t **raw,
                       size_t *rlen) {
    const cachet_membuf *b = &it->f->buf;
    if (it->off + 4 > b->len) {
        return false;
    }
    uint32_t n32, r32;
    memcpy(&n32, b->data + it->off, 4);
    *name = (const char *)b->data + it->off + 4;
    *nlen = n32;
    it->off += 4 + n32;
    memcpy(&r32, b->data + it->off, 4);
    *raw = b->data + it->off + 4;
    *rlen = r32;
    it->off += 4 + r32;
    return true;
}

bool cachet_rd_fields_has(const cachet_rd_fields *f, const char *name) {
    field_iter it = {f, 0};
    const char *n;
    size_t nl, rl;
    const uint8_t *r;
    size_t want = strlen(name);
    while (field_next(&it, &n, &nl, &r, &rl)) {
        if (nl == want && strncasecmp(n, name, nl) == 0) {
            return true;
        }
    }
    return false;
}

void cachet_rd_fields_free(cachet_rd_fields *f) {
    cachet_membuf_free(&f->buf);
    f->count = 0;
}

static cachet_status emit_fn(void *arg, const uint8_t *data, size_t len) {
    return cachet_rd_emit(arg, data, len);
}

/* write_canon converts line ends to CRLF on the way to the output. */
static cachet_status write_canon(cachet_reader *rd, cachet_mime_canon *c, bool canonical,
                                 const uint8_t *data, size_t len) {
    if (!canonical || (rd->canon_buf == NULL && cachet_mime_canon_prefix(c, data, len) == len)) {
        /* CRLF text needs no scratch: the buffer comes with the first bare LF */
        if (canonical) {
            cachet_mime_canon_skip(c, data, len);
        }
        return cachet_rd_emit(rd, data, len);
    }
    if (rd->canon_buf == NULL) {
        rd->canon_buf = cachet_malloc(CACHET_RD_CANON_BUF);
        if (rd->canon_buf == NULL) {
            return cachet_rd_fatalf(rd, NULL, CACHET_ERR_NOMEM, "out of memory");
        }
    }
    return cachet_smime_canon_feed(c, rd->canon_buf, CACHET_RD_CANON_BUF, data, len, emit_fn, rd);
}

static bool is_content_field(const char *name, size_t len) {
    return len >= 8 && strncasecmp(name, "Content-", 8) == 0;
}

cachet_status cachet_rd_out_begin(cachet_reader *rd, const cachet_rd_place *place,
                                  const cachet_rd_fields *own, bool canonical_body,
                                  cachet_rd_out *w) {
    memset(w, 0, sizeof(*w));
    cachet_mime_canon_init(&w->canon);
    w->canonical = canonical_body;
    w->active = !place->scan && rd->mode != CACHET_RD_INSPECT;
    if (!w->active) {
        return CACHET_OK;
    }
    cachet_status st = CACHET_OK;
    const char *n;
    size_t nl, rl;
    const uint8_t *r;
    if (!place->top) {
        /* Inner (protected) fields win over outer ones of the same name (RFC 9788). */
        field_iter it = {&rd->outer, 0};
        char name[128];
        while (st == CACHET_OK && field_next(&it, &n, &nl, &r, &rl)) {
            if (is_content_field(n, nl) || nl >= sizeof(name)) {
                continue;
            }
            memcpy(name, n, nl);
            name[nl] = '\0';
            if (cachet_rd_fields_has(own, name)) {
                continue;
            }
            cachet_mime_canon c;
            cachet_mime_canon_init(&c);
            st = write_canon(rd, &c, true, r, rl);
        }
    }
    field_iter it = {own, 0};
    while (st == CACHET_OK && field_next(&it, &n, &nl, &r, &rl)) {
        cachet_mime_canon c;
        cachet_mime_canon_init(&c);
        st = write_canon(rd, &c, true, r, rl);
    }
    if (st == CACHET_OK) {
        st = write_canon(rd, &w->canon, false, (const uint8_t *)"\r\n", 2);
    }
    return st;
}

cachet_status cachet_rd_out_write(cachet_reader *rd, cachet_rd_out *w, const uint8_t *data,
                                  size_t len) {
    if (!w->active || len == 0) {
        return CACHET_OK;
    }
    return write_canon(rd, &w->canon, w->canonical, data, len);
}

/* ---- Raw output unit ---- */

typedef struct out_unit {
    cachet_rd_unit base;
    cachet_reader *rd;
    bool active;
} out_unit;

static cachet_status out_update(cachet_rd_unit *u, const uint8_t *data, size_t len) {
    out_unit *o = (out_unit *)u;
    if (!o->active) {
        return CACHET_OK;
    }
    return cachet_rd_emit(o->rd, data, len);
}

static cachet_status out_finish(cachet_rd_unit *u) {
    return CACHET_OK;
}

static void out_free(cachet_rd_unit *u) {
    cachet_free(u);
}

static const cachet_rd_unit_vt out_vt = {out_update, out_finish, out_free};

cachet_rd_unit *cachet_rd_out_new(cachet_reader *rd, const cachet_rd_place *place) {
    out_unit *o = cachet_calloc(1, sizeof(*o));
    if (o == NULL) {
        return NULL;
    }
    o->base.vt = &out_vt;
    o->rd = rd;
    o->active = !place->scan && rd->mode != CACHET_RD_INSPECT;
    return &o->base;
}

/* ---- Input detection ---- */

cachet_input_kind cachet_smime_detect_input(const uint8_t *data, size_t len, bool at_end) {
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) {
        i++;
    }
    if (i == len) {
        return at_end ? CACHET_INPUT_TEXT : CACHET_INPUT_NEED_MORE;
    }
    if (i == 0 && data[0] == 0x30) {
        return CACHET_INPUT_DER;
    }
    static const char begin[] = "-----BEGIN ";
    size_t blen = sizeof(begin) - 1;
    size_t have = len - i < blen ? len - i : blen;
    if (memcmp(data + i, begin, have) == 0) {
        if (have < blen && !at_end) {
            return CACHET_INPUT_NEED_MORE;
        }
        return have == blen ? CACHET_INPUT_PEM : CACHET_INPUT_TEXT;
    }
    return CACHET_INPUT_TEXT;
}

typedef struct detect_unit {
    cachet_rd_unit base;
    cachet_reader *rd;
    cachet_rd_place place;
    uint8_t buf[64];
    size_t n;
    cachet_rd_unit *next;
} detect_unit;

static cachet_status detect_decide(detect_unit *d, bool at_end) {
    cachet_reader *rd = d->rd;
    cachet_input_kind k = cachet_smime_detect_input(d->buf, d->n, at_end);
    if (k == CACHET_INPUT_NEED_MORE) {
        return CACHET_OK;
    }
    if (k == CACHET_INPUT_DER) {
        d->next = cachet_rd_sniff_new(rd, &d->place);
    } else if (k == CACHET_INPUT_PEM) {
        d->next = cachet_rd_pem_new(rd, &d->place);
    } else if (rd->raw || rd->detached) {
        return cachet_rd_fatalf(rd, NULL, CACHET_ERR_MALFORMED,
                                "input is not CMS (DER, BER or PEM)");
    } else {
        rd->have_message = true;
        d->next = cachet_rd_mime_new(rd, &d->place);
    }
    if (d->next == NULL) {
        return cachet_rd_fatalf(rd, NULL, CACHET_ERR_NOMEM, "out of memory");
    }
    size_t n = d->n;
    d->n = 0;
    return cachet_rd_unit_update(d->next, d->buf, n);
}

static cachet_status detect_update(cachet_rd_unit *u, const uint8_t *data, size_t len) {
    detect_unit *d = (detect_unit *)u;
    while (d->next == NULL && len > 0) {
        size_t take = sizeof(d->buf) - d->n;
        if (take > len) {
            take = len;
        }
        memcpy(d->buf + d->n, data, take);
        d->n += take;
        data += take;
        len -= take;
        cachet_status st = detect_decide(d, d->n == sizeof(d->buf));
        if (st != CACHET_OK) {
            return st;
        }
    }
    return d->next == NULL ? CACHET_OK : cachet_rd_unit_update(d->next, data, len);
}

static cachet_status detect_finish(cachet_rd_unit *u) {
    detect_unit *d = (detect_unit *)u;
    if (d->next == NULL) {
        if (d->n == 0) {
            return cachet_rd_fatalf(d->rd, NULL, CACHET_ERR_MALFORMED, "empty input");
        }
        cachet_status st = detect_decide(d, true);
        if (st != CACHET_OK) {
            return st;
        }
    }
    return cachet_rd_unit_finish(d->next);
}

static void detect_free(cachet_rd_unit *u) {
    detect_unit *d = (detect_unit *)u;
    cachet_rd_unit_free(d->next);
    cachet_free(d);
}

static const cachet_rd_unit_vt detect_vt = {detect_update, detect_finish, detect_free};

cachet_rd_unit *cachet_rd_detect_new(cachet_reader *rd, const cachet_rd_place *place) {
    detect_unit *d = cachet_calloc(1, sizeof(*d));
    if (d == NULL) {
        return NULL;
    }
    d->base.vt = &detect_vt;
    d->rd = rd;
    d->place = *place;
    return &d->base;
}
