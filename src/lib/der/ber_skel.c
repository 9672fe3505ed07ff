/* cachet_ber_skel: a push-fed BER reader. Each element is a frame on a stack;
 * the DER skeleton is written through cachet_cbb children (one per open
 * element that appears in the skeleton), the bulk element's content octets go
 * to the callbacks. Whether we expect a header or content octets follows from
 * the top frame, so any chunking of the input walks the same states. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "der/internal.h"

typedef enum frame_kind {
    FRAME_CONS,      /* constructed element copied as such */
    FRAME_PRIM,      /* primitive element copied as such */
    FRAME_FLAT_CONS, /* constructed string being flattened into one primitive */
    FRAME_FLAT_SEG,  /* primitive segment of a flattened string */
    FRAME_BULK_CONS, /* constructed bulk string (or one of its constructed segments) */
    FRAME_BULK_PRIM  /* primitive bulk string or one of its segments */
} frame_kind;

typedef struct skel_frame {
    cachet_cbb cbb;    /* this element's contents, when it has its own */
    cachet_cbb *owner; /* the builder this element was added to */
    cachet_cbb *sink;  /* where content octets go (FRAME_PRIM, FRAME_FLAT_*) */
    cachet_asn1_tag tag;
    cachet_asn1_tag seg_tag; /* strings: the universal tag of the segments */
    uint64_t start;          /* input offset of the header */
    uint64_t end;            /* input offset after the contents, if definite */
    uint64_t limit;          /* nothing of this element may pass this offset */
    size_t elem_start;       /* skeleton length before this element */
    size_t children;
    unsigned string_depth;
    frame_kind kind;
    bool indefinite;
    bool has_cbb;
    bool is_bulk_root; /* the element is_bulk chose (not one of its segments) */
} skel_frame;

struct cachet_ber_skel {
    cachet_ber_skel_callbacks cb;
    bool have_cb;
    cachet_ber_limits limits;
    cachet_cbb root;
    skel_frame **frames; /* individually allocated so cbb child pointers stay valid */
    cachet_asn1_tag *path;
    size_t *index;
    size_t depth; /* frames in use */
    size_t cap;
    uint8_t hdr[16];
    size_t hdr_len;
    uint64_t offset;
    uint64_t bulk_len;
    bool bulk_seen;
    bool done;
    cachet_status failed;
    cachet_error fail_err;
};

static const cachet_ber_limits default_limits = {4u << 20, 64, 4};

cachet_ber_skel *cachet_ber_skel_new(const cachet_ber_skel_callbacks *cb,
                                     const cachet_ber_limits *limits) {
    cachet_ber_skel *s = cachet_calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    if (cb != NULL) {
        s->cb = *cb;
        s->have_cb = true;
    }
    s->limits = limits != NULL ? *limits : default_limits;
    if (s->limits.max_skeleton == 0) {
        s->limits.max_skeleton = default_limits.max_skeleton;
    }
    if (s->limits.max_depth == 0) {
        s->limits.max_depth = default_limits.max_depth;
    }
    if (!cachet_cbb_init(&s->root, 256, s->limits.max_skeleton)) {
        cachet_free(s);
        return NULL;
    }
    cachet_err_clear(&s->fail_err);
    return s;
}

void cachet_ber_skel_free(cachet_ber_skel *skel) {
    if (skel == NULL) {
        return;
    }
    for (size_t i = 0; i < skel->cap; i++) {
        cachet_free(skel->frames[i]);
    }
    cachet_free(skel->frames);
    cachet_free(skel->path);
    cachet_free(skel->index);
    cachet_cbb_cleanup(&skel->root);
    cachet_free(skel);
}

/* where_path renders the open frames as "SEQUENCE.[0][1].SEQUENCE[0]": each
 * component is the tag name, followed by the child position for non-roots. A
 * deep path keeps its first two and last five components around "(N levels)". */
static void where_path(const cachet_ber_skel *s, char *out, size_t out_len) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->depth && used + 1 < out_len; i++) {
        if (s->depth > 7 && i == 2) {
            int k = snprintf(out + used, out_len - used, ".(%zu levels)", s->depth - 7);
            used += k > 0 ? (size_t)k : 0;
            if (used >= out_len) {
                break;
            }
            i = s->depth - 5;
        }
        char name[32];
        cachet_asn1_tag_name(s->path[i] & ~CACHET_ASN1_CONSTRUCTED, name, sizeof(name));
        int n;
        if (i == 0) {
            n = snprintf(out + used, out_len - used, "%s", name);
        } else {
            n = snprintf(out + used, out_len - used, ".%s[%zu]", name, s->index[i]);
        }
        if (n < 0) {
            break;
        }
        used += (size_t)n;
        if (used >= out_len) {
            used = out_len - 1;
        }
    }
}

static cachet_status fail(cachet_ber_skel *s, cachet_status st, uint64_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static cachet_status fail(cachet_ber_skel *s, cachet_status st, uint64_t at, const char *fmt, ...) {
    if (s->failed != CACHET_OK) {
        return s->failed;
    }
    char where[sizeof(s->fail_err.where)];
    where_path(s, where, sizeof(where));
    char msg[sizeof(s->fail_err.message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cachet_err_set(&s->fail_err, st, where, (long long)at, "%s", msg);
    s->failed = st;
    return st;
}

static cachet_status cbb_failed(cachet_ber_skel *s, const cachet_cbb *cbb) {
    if (cachet_cbb_over_limit(cbb)) {
        return fail(s, CACHET_ERR_LIMIT, s->offset, "DER skeleton exceeds %zu bytes",
                    s->limits.max_skeleton);
    }
    return fail(s, CACHET_ERR_NOMEM, s->offset, "out of memory building the DER skeleton");
}

static skel_frame *top(const cachet_ber_skel *s) {
    return s->depth > 0 ? s->frames[s->depth - 1] : NULL;
}

static bool grow(cachet_ber_skel *s) {
    if (s->depth < s->cap) {
        return true;
    }
    size_t cap = s->cap == 0 ? 8 : s->cap * 2;
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
    skel_frame **f = cachet_realloc(s->frames, cap * sizeof(*f));
    if (f == NULL) {
        return false;
    }
    s->frames = f;
    cachet_asn1_tag *p = cachet_realloc(s->path, cap * sizeof(*p));
    if (p == NULL) {
        return false;
    }
    s->path = p;
    size_t *ix = cachet_realloc(s->index, cap * sizeof(*ix));
    if (ix == NULL) {
        return false;
    }
    s->index = ix;
    for (size_t i = s->cap; i < cap; i++) {
        f[i] = cachet_calloc(1, sizeof(skel_frame));
        if (f[i] == NULL) {
            s->cap = i;
            return false;
        }
    }
    s->cap = cap;
    return true;
}

/* pop closes the top frame: its length is fixed in the skeleton and, for the
 * bulk, on_bulk_end is called. */
static cachet_status pop(cachet_ber_skel *s) {
    skel_frame *f = top(s);
    s->depth--;
    if (f->has_cbb && !cachet_cbb_flush(f->owner)) {
        return cbb_failed(s, f->owner);
    }
    if (f->is_bulk_root && s->cb.on_bulk_end != NULL) {
        cachet_status st = s->cb.on_bulk_end(s->cb.arg);
        if (st != CACHET_OK) {
            return fail(s, st, s->offset, "bulk end callback failed");
        }
    }
    if (s->depth == 0) {
        s->done = true;
        if (!cachet_cbb_flush(&s->root)) {
            return cbb_failed(s, &s->root);
        }
    }
    return CACHET_OK;
}

/* close_definite pops every definite element that ends at the current offset. */
static cachet_status close_definite(cachet_ber_skel *s) {
    skel_frame *f;
    while ((f = top(s)) != NULL && !f->indefinite && f->end == s->offset) {
        cachet_status st = pop(s);
        if (st != CACHET_OK) {
            return st;
        }
    }
    return CACHET_OK;
}

static cachet_status open_child(cachet_ber_skel *s, skel_frame *f, cachet_asn1_tag tag) {
    if (!cachet_cbb_flush(f->owner)) {
        return cbb_failed(s, f->owner);
    }
    f->elem_start = s->root.buf->len;
    if (!cachet_cbb_add_asn1(f->owner, &f->cbb, tag)) {
        return cbb_failed(s, f->owner);
    }
    f->has_cbb = true;
    return CACHET_OK;
}

/* start_string sets up |f| as a constructed string whose segments carry |seg|. */
static cachet_status start_string(cachet_ber_skel *s, skel_frame *f, unsigned string_depth) {
    if (string_depth > s->limits.max_string_depth) {
        return fail(s, CACHET_ERR_LIMIT, f->start, "constructed string nested deeper than %u",
                    s->limits.max_string_depth);
    }
    f->string_depth = string_depth;
    return CACHET_OK;
}

static cachet_status begin_bulk(cachet_ber_skel *s, skel_frame *f, const cachet_asn1_header *h) {
    cachet_asn1_tag prim = h->tag & ~CACHET_ASN1_CONSTRUCTED;
    f->is_bulk_root = true;
    uint32_t number = h->tag & CACHET_ASN1_TAG_NUMBER_MASK;
    bool universal = (h->tag & CACHET_ASN1_CLASS_MASK) == CACHET_ASN1_UNIVERSAL;
    /* Only a string can be streamed; an IMPLICIT tag on a string is taken as
     * OCTET STRING, whose constructed form has OCTET STRING segments. */
    if (universal && !cachet_asn1_is_string_tag(number)) {
        return fail(s, CACHET_ERR_MALFORMED, f->start, "streamed element is not a string");
    }
    if (h->tag & CACHET_ASN1_CONSTRUCTED) {
        f->seg_tag = universal ? number : CACHET_ASN1_OCTETSTRING;
        f->kind = FRAME_BULK_CONS;
        cachet_status st = start_string(s, f, 1);
        if (st != CACHET_OK) {
            return st;
        }
    } else {
        f->kind = FRAME_BULK_PRIM;
    }
    if (!cachet_cbb_flush(f->owner)) {
        return cbb_failed(s, f->owner);
    }
    f->elem_start = s->root.buf->len;
    if (!cachet_cbb_add_asn1_element(f->owner, prim, NULL, 0)) {
        return cbb_failed(s, f->owner);
    }
    s->bulk_seen = true;
    if (s->cb.on_bulk_begin != NULL) {
        cachet_status st = s->cb.on_bulk_begin(s->cb.arg, s);
        if (st != CACHET_OK) {
            return fail(s, st, f->start, "bulk begin callback failed");
        }
    }
    return CACHET_OK;
}

/* begin_segment sets up |f| as a segment of the constructed string |parent|. */
static cachet_status begin_segment(cachet_ber_skel *s, skel_frame *parent, skel_frame *f,
                                   const cachet_asn1_header *h) {
    bool bulk = parent->kind == FRAME_BULK_CONS;
    if ((h->tag & ~CACHET_ASN1_CONSTRUCTED) != parent->seg_tag) {
        char want[32];
        cachet_asn1_tag_name(parent->seg_tag, want, sizeof(want));
        return fail(s, CACHET_ERR_MALFORMED, f->start,
                    "segment of a constructed string is not a %s", want);
    }
    f->seg_tag = parent->seg_tag;
    f->sink = parent->sink;
    if (h->tag & CACHET_ASN1_CONSTRUCTED) {
        f->kind = bulk ? FRAME_BULK_CONS : FRAME_FLAT_CONS;
        return start_string(s, f, parent->string_depth + 1);
    }
    f->kind = bulk ? FRAME_BULK_PRIM : FRAME_FLAT_SEG;
    return CACHET_OK;
}

static cachet_status begin_plain(cachet_ber_skel *s, skel_frame *f, const cachet_asn1_header *h) {
    uint32_t number = h->tag & CACHET_ASN1_TAG_NUMBER_MASK;
    bool universal = (h->tag & CACHET_ASN1_CLASS_MASK) == CACHET_ASN1_UNIVERSAL;
    bool constructed = (h->tag & CACHET_ASN1_CONSTRUCTED) != 0;
    cachet_status st;
    if (constructed && universal && cachet_asn1_is_string_tag(number)) {
        /* X.690 10.2: DER strings are primitive, so the segments are joined. */
        f->kind = FRAME_FLAT_CONS;
        f->seg_tag = number;
        st = start_string(s, f, 1);
        if (st == CACHET_OK) {
            st = open_child(s, f, number);
        }
        f->sink = &f->cbb;
        return st;
    }
    if (!cachet_asn1_form_is_valid(h->tag)) {
        return fail(s, CACHET_ERR_MALFORMED, f->start, "universal type %u cannot be %s",
                    (unsigned)number, constructed ? "constructed" : "primitive");
    }
    if (!constructed && h->len > s->limits.max_skeleton) {
        return fail(s, CACHET_ERR_LIMIT, f->start,
                    "element of %llu bytes exceeds the skeleton limit", (unsigned long long)h->len);
    }
    f->kind = constructed ? FRAME_CONS : FRAME_PRIM;
    st = open_child(s, f, h->tag);
    f->sink = &f->cbb;
    return st;
}

static cachet_status on_header(cachet_ber_skel *s, const cachet_asn1_header *h) {
    uint64_t start = s->offset - h->header_len;
    skel_frame *parent = top(s);
    if ((h->tag & ~CACHET_ASN1_CONSTRUCTED) == 0) {
        if (h->tag != 0 || h->indefinite || h->len != 0) {
            return fail(s, CACHET_ERR_MALFORMED, start, "malformed end-of-contents");
        }
        if (parent == NULL || !parent->indefinite) {
            return fail(s, CACHET_ERR_MALFORMED, start,
                        "end-of-contents outside an indefinite-length element");
        }
        cachet_status st = pop(s);
        return st != CACHET_OK ? st : close_definite(s);
    }
    uint64_t limit = parent != NULL ? parent->limit : UINT64_MAX;
    if (!h->indefinite && (h->len > limit || s->offset > limit - h->len)) {
        return fail(s, CACHET_ERR_MALFORMED, start,
                    "element of %llu bytes does not fit in its parent or input",
                    (unsigned long long)h->len);
    }
    if (s->depth >= s->limits.max_depth) {
        return fail(s, CACHET_ERR_LIMIT, start, "nesting deeper than %u", s->limits.max_depth);
    }
    if (!grow(s)) {
        return fail(s, CACHET_ERR_NOMEM, start, "out of memory");
    }
    skel_frame *f = s->frames[s->depth];
    memset(f, 0, sizeof(*f));
    f->tag = h->tag;
    f->start = start;
    f->indefinite = h->indefinite;
    f->end = h->indefinite ? 0 : s->offset + h->len;
    f->limit = h->indefinite ? limit : f->end;
    f->owner = parent == NULL ? &s->root : (parent->has_cbb ? &parent->cbb : parent->owner);
    s->path[s->depth] = h->tag;
    s->index[s->depth] = parent != NULL ? parent->children++ : 0;
    s->depth++;

    cachet_status st;
    if (parent != NULL && (parent->kind == FRAME_FLAT_CONS || parent->kind == FRAME_BULK_CONS)) {
        st = begin_segment(s, parent, f, h);
    } else if (!s->bulk_seen && s->have_cb && s->cb.is_bulk != NULL &&
               s->cb.is_bulk(s->cb.arg, s->path, s->index, s->depth - 1)) {
        st = begin_bulk(s, f, h);
    } else {
        st = begin_plain(s, f, h);
    }
    return st != CACHET_OK ? st : close_definite(s);
}

/* consume_content passes up to |len| content octets of the primitive top frame on. */
static cachet_status consume_content(cachet_ber_skel *s, skel_frame *f, const uint8_t *data,
                                     size_t len, size_t *used) {
    uint64_t left = f->end - s->offset;
    size_t n = left < len ? (size_t)left : len;
    if (f->kind == FRAME_BULK_PRIM) {
        if (n > 0 && s->cb.on_bulk_data != NULL) {
            cachet_status st = s->cb.on_bulk_data(s->cb.arg, data, n);
            if (st != CACHET_OK) {
                return fail(s, st, s->offset, "bulk data callback failed");
            }
        }
        s->bulk_len += n;
    } else if (!cachet_cbb_add_bytes(f->sink, data, n)) {
        return cbb_failed(s, f->sink);
    }
    s->offset += n;
    *used = n;
    return close_definite(s);
}

static bool in_content(const skel_frame *f) {
    return f != NULL &&
           (f->kind == FRAME_PRIM || f->kind == FRAME_FLAT_SEG || f->kind == FRAME_BULK_PRIM);
}

cachet_status cachet_ber_skel_update(cachet_ber_skel *skel, const uint8_t *data, size_t len,
                                     cachet_error *err) {
    size_t i = 0;
    cachet_status st = skel->failed;
    while (st == CACHET_OK && i < len) {
        skel_frame *f = top(skel);
        if (skel->done) {
            st = fail(skel, CACHET_ERR_MALFORMED, skel->offset, "trailing data after the element");
        } else if (in_content(f)) {
            size_t used = 0;
            st = consume_content(skel, f, data + i, len - i, &used);
            i += used;
        } else if (f != NULL && skel->offset >= f->limit) {
            st = fail(skel, CACHET_ERR_MALFORMED, skel->offset,
                      f->indefinite ? "indefinite-length element not terminated inside its parent"
                                    : "element runs past the end of its parent");
        } else {
            skel->hdr[skel->hdr_len++] = data[i++];
            skel->offset++;
            cachet_asn1_header h;
            cachet_hdr_result r = cachet_asn1_parse_header(skel->hdr, skel->hdr_len, false, &h);
            if (r == CACHET_HDR_OK) {
                skel->hdr_len = 0;
                st = on_header(skel, &h);
            } else if (r == CACHET_HDR_BAD || skel->hdr_len == sizeof(skel->hdr)) {
                st = fail(skel, CACHET_ERR_MALFORMED, skel->offset - skel->hdr_len,
                          "invalid identifier or length octets");
            }
        }
    }
    if (st != CACHET_OK) {
        cachet_err_set(err, st, skel->fail_err.where, skel->fail_err.offset, "%s",
                       skel->fail_err.message);
    }
    return st;
}

cachet_status cachet_ber_skel_finish(cachet_ber_skel *skel, cachet_error *err) {
    if (skel->failed == CACHET_OK && !skel->done) {
        fail(skel, CACHET_ERR_MALFORMED, skel->offset,
             skel->offset == 0 ? "empty input" : "input ends inside an element");
    }
    return cachet_ber_skel_update(skel, NULL, 0, err);
}

bool cachet_ber_skel_done(const cachet_ber_skel *skel) {
    return skel->done;
}

bool cachet_ber_skel_partial(const cachet_ber_skel *skel, size_t depth, cachet_cbs *out) {
    if (depth + 1 >= skel->depth) {
        return false;
    }
    const skel_frame *f = skel->frames[depth];
    const skel_frame *child = skel->frames[depth + 1];
    if (!f->has_cbb || f->kind != FRAME_CONS) {
        return false;
    }
    size_t begin = f->cbb.offset + f->cbb.pending_len_len;
    cachet_cbs_init(out, skel->root.buf->data + begin, child->elem_start - begin);
    return true;
}

bool cachet_ber_skel_der(const cachet_ber_skel *skel, cachet_cbs *out) {
    if (!skel->done || skel->failed != CACHET_OK) {
        return false;
    }
    cachet_cbs_init(out, cachet_cbb_data(&skel->root), cachet_cbb_len(&skel->root));
    return true;
}

bool cachet_ber_skel_bulk_seen(const cachet_ber_skel *skel, uint64_t *out_len) {
    if (out_len != NULL) {
        *out_len = skel->bulk_len;
    }
    return skel->bulk_seen;
}

uint64_t cachet_ber_skel_offset(const cachet_ber_skel *skel) {
    return skel->offset;
}

cachet_status cachet_ber_to_der(const uint8_t *in, size_t in_len, const cachet_ber_limits *limits,
                                uint8_t **out, size_t *out_len, cachet_error *err) {
    *out = NULL;
    *out_len = 0;
    cachet_ber_skel *skel = cachet_ber_skel_new(NULL, limits);
    if (skel == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
    }
    cachet_status st = cachet_ber_skel_update(skel, in, in_len, err);
    if (st == CACHET_OK) {
        st = cachet_ber_skel_finish(skel, err);
    }
    cachet_cbs der;
    if (st == CACHET_OK && cachet_ber_skel_der(skel, &der)) {
        *out = cachet_malloc(der.len);
        if (*out == NULL) {
            st = cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        } else {
            memcpy(*out, der.data, der.len);
            *out_len = der.len;
        }
    }
    cachet_ber_skel_free(skel);
    return st;
}
