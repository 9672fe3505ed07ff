/* message: splitting a message libcachet wrote into what the milter replaces:
 * the top-level Content-* and MIME-Version fields, and the body. The bytes are
 * read by libcachet's MIME reader only (bounded); nothing here parses headers. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "gateway/process_internal.h"
#include "mime/mime.h"

/* At most this many content fields are taken over (a message of ours has four). */
#define MAX_CONTENT_FIELDS 32

typedef struct split_state {
    cachetd_result *r;
    size_t top_bytes;   /* bytes of the top-level entity seen so far */
    size_t body_offset; /* where the body starts, once the header ended */
    bool header_done;
    bool too_many;
    bool nomem;
} split_state;

static bool is_content_field(const char *name) {
    return strncasecmp(name, "Content-", 8) == 0 || strcasecmp(name, "MIME-Version") == 0;
}

/* field_value: the raw field after its colon, leading blanks of the first line
 * and the final line break removed, folding kept. */
static char *field_value(const uint8_t *raw, size_t raw_len) {
    const uint8_t *colon = memchr(raw, ':', raw_len);
    if (colon == NULL) {
        return NULL;
    }
    size_t i = (size_t)(colon - raw) + 1;
    while (i < raw_len && (raw[i] == ' ' || raw[i] == '\t')) {
        i++;
    }
    size_t end = raw_len;
    if (end > i && raw[end - 1] == '\n') {
        end--;
    }
    if (end > i && raw[end - 1] == '\r') {
        end--;
    }
    char *v = cachet_malloc(end - i + 1);
    if (v != NULL) {
        memcpy(v, raw + i, end - i);
        v[end - i] = '\0';
    }
    return v;
}

static cachet_status on_header(void *arg, const char *path, const char *name, const char *value,
                               size_t value_len, const uint8_t *raw, size_t raw_len) {
    (void)value;
    (void)value_len;
    split_state *s = arg;
    if (path[0] != '\0' || s->header_done || !is_content_field(name)) {
        return CACHET_OK;
    }
    cachetd_result *r = s->r;
    if (r->num_content_fields >= MAX_CONTENT_FIELDS) {
        s->too_many = true;
        return CACHET_ERR_LIMIT;
    }
    if (r->content_fields == NULL) {
        r->content_fields = cachet_calloc(MAX_CONTENT_FIELDS, sizeof(*r->content_fields));
    }
    cachetd_field *f = r->content_fields != NULL ? &r->content_fields[r->num_content_fields] : NULL;
    if (f != NULL) {
        f->name = cachet_strdup(name);
        f->value = field_value(raw, raw_len);
    }
    if (f == NULL || f->name == NULL || f->value == NULL) {
        if (f != NULL) {
            cachet_free(f->name);
            cachet_free(f->value);
            f->name = NULL;
            f->value = NULL;
        }
        s->nomem = true;
        return CACHET_ERR_NOMEM;
    }
    r->num_content_fields++;
    return CACHET_OK;
}

static cachet_status on_headers_end(void *arg, const cachet_mime_part_info *info, bool *descend) {
    split_state *s = arg;
    if (info->path[0] == '\0' && !s->header_done) {
        s->header_done = true;
        s->body_offset = s->top_bytes;
    }
    /* Only the top-level header matters: the body is not looked into. */
    *descend = false;
    return CACHET_OK;
}

static cachet_status on_part_raw(void *arg, const char *path, const uint8_t *data, size_t len) {
    (void)data;
    split_state *s = arg;
    if (path[0] == '\0') {
        s->top_bytes += len;
    }
    return CACHET_OK;
}

bool cachetd_message_split(cachetd_result *r, char *why, size_t why_len) {
    split_state s = {.r = r};
    cachet_mime_callbacks cb = {
        .arg = &s,
        .header = on_header,
        .headers_end = on_headers_end,
        .part_raw = on_part_raw,
    };
    cachet_mime_parser *p = cachet_mime_parser_new(NULL, &cb);
    if (p == NULL) {
        snprintf(why, why_len, "out of memory reading the new message");
        return false;
    }
    const uint8_t *data = r->new_message.data;
    size_t len = r->new_message.len;
    cachet_status st = CACHET_OK;
    /* Fed in pieces so that reading stops soon after the header: the body of a
     * message we wrote ourselves needs no second look. */
    const size_t chunk = 16384;
    for (size_t off = 0; off < len && !s.header_done && st == CACHET_OK; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        st = cachet_mime_parser_update(p, data + off, n);
    }
    if (st == CACHET_OK && !s.header_done) {
        st = cachet_mime_parser_finish(p);
    }
    if (st != CACHET_OK || !s.header_done) {
        const cachet_error *e = cachet_mime_parser_error(p);
        snprintf(why, why_len, "the new message cannot be read back: %s",
                 s.too_many ? "too many content fields"
                 : s.nomem  ? "out of memory"
                            : (e != NULL && e->message[0] != '\0' ? e->message : "no header"));
        cachet_mime_parser_free(p);
        return false;
    }
    cachet_mime_parser_free(p);
    if (s.body_offset > len) {
        snprintf(why, why_len, "the new message cannot be read back: header past its end");
        return false;
    }
    r->body = data + s.body_offset;
    r->body_len = len - s.body_offset;
    return true;
}
