/* cachet_cbb: a DER builder. Children reserve one length byte and are moved
 * right when they are flushed if their length needs the long form. */
#include <stdlib.h>
#include <string.h>

#include "der/internal.h"

bool cachet_cbb_init(cachet_cbb *cbb, size_t initial_cap, size_t max) {
    memset(cbb, 0, sizeof(*cbb));
    struct cachet_cbb_buffer *b = cachet_calloc(1, sizeof(*b));
    if (b == NULL) {
        return false;
    }
    b->max = max == 0 ? SIZE_MAX : max;
    if (initial_cap > b->max) {
        initial_cap = b->max;
    }
    if (initial_cap > 0) {
        b->data = cachet_malloc(initial_cap);
        if (b->data == NULL) {
            cachet_free(b);
            return false;
        }
        b->cap = initial_cap;
    }
    cbb->buf = b;
    return true;
}

void cachet_cbb_cleanup(cachet_cbb *cbb) {
    if (cbb == NULL || cbb->is_child || cbb->buf == NULL) {
        return;
    }
    cachet_free(cbb->buf->data);
    cachet_free(cbb->buf);
    cbb->buf = NULL;
    cbb->child = NULL;
}

bool cachet_cbb_over_limit(const cachet_cbb *cbb) {
    return cbb->buf != NULL && cbb->buf->over_max;
}

static bool fail(struct cachet_cbb_buffer *b) {
    b->error = true;
    return false;
}

/* reserve makes room for |extra| bytes at the end and returns where they go. */
static bool reserve(struct cachet_cbb_buffer *b, size_t extra, uint8_t **out) {
    if (b->error) {
        return false;
    }
    if (extra > b->max - b->len) {
        b->over_max = true;
        return fail(b);
    }
    size_t need = b->len + extra;
    if (need > b->cap) {
        size_t cap = b->cap < 64 ? 64 : b->cap;
        while (cap < need) {
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        }
        if (cap > b->max) {
            cap = b->max;
        }
        uint8_t *p = cachet_realloc(b->data, cap);
        if (p == NULL) {
            return fail(b);
        }
        b->data = p;
        b->cap = cap;
    }
    if (out != NULL) {
        *out = b->data + b->len;
    }
    return true;
}

static bool append(struct cachet_cbb_buffer *b, const uint8_t *data, size_t len) {
    uint8_t *p;
    if (!reserve(b, len, &p)) {
        return false;
    }
    if (len > 0) {
        memcpy(p, data, len);
    }
    b->len += len;
    return true;
}

/* NOLINTNEXTLINE(misc-no-recursion): as deep as our own code nests */
bool cachet_cbb_flush(cachet_cbb *cbb) {
    struct cachet_cbb_buffer *b = cbb->buf;
    if (b == NULL || b->error) {
        return false;
    }
    cachet_cbb *child = cbb->child;
    if (child == NULL) {
        return true;
    }
    if (!cachet_cbb_flush(child)) {
        return fail(b);
    }
    size_t start = child->offset + child->pending_len_len;
    size_t len = b->len - start;
    if (child->pending_is_asn1) {
        size_t len_len = 1;
        if (len >= 0x80) {
            for (size_t v = len; v > 0; v >>= 8) {
                len_len++;
            }
        }
        if (len_len > child->pending_len_len) {
            size_t extra = len_len - child->pending_len_len;
            if (!reserve(b, extra, NULL)) {
                return false;
            }
            memmove(b->data + start + extra, b->data + start, len);
            b->len += extra;
        }
        uint8_t *p = b->data + child->offset;
        if (len_len == 1) {
            p[0] = (uint8_t)len;
        } else {
            p[0] = (uint8_t)(0x80 | (len_len - 1));
            for (size_t i = len_len - 1; i > 0; i--) {
                p[i] = (uint8_t)(len >> (8 * (len_len - 1 - i)));
            }
        }
    }
    child->buf = NULL;
    child->child = NULL;
    cbb->child = NULL;
    return true;
}

bool cachet_cbb_finish(cachet_cbb *cbb, uint8_t **out_data, size_t *out_len) {
    if (cbb->is_child || !cachet_cbb_flush(cbb)) {
        return false;
    }
    struct cachet_cbb_buffer *b = cbb->buf;
    *out_data = b->data != NULL ? b->data : cachet_malloc(1);
    if (*out_data == NULL) {
        return false;
    }
    *out_len = b->len;
    cachet_free(b);
    cbb->buf = NULL;
    return true;
}

static size_t contents_start(const cachet_cbb *cbb) {
    return cbb->is_child ? cbb->offset + cbb->pending_len_len : 0;
}

const uint8_t *cachet_cbb_data(const cachet_cbb *cbb) {
    if (cbb->buf == NULL || cbb->buf->data == NULL) {
        return NULL;
    }
    return cbb->buf->data + contents_start(cbb);
}

size_t cachet_cbb_len(const cachet_cbb *cbb) {
    return cbb->buf == NULL ? 0 : cbb->buf->len - contents_start(cbb);
}

bool cachet_cbb_add_bytes(cachet_cbb *cbb, const uint8_t *data, size_t len) {
    return cachet_cbb_flush(cbb) && append(cbb->buf, data, len);
}

bool cachet_cbb_add_u8(cachet_cbb *cbb, uint8_t v) {
    return cachet_cbb_add_bytes(cbb, &v, 1);
}

static bool add_tag(struct cachet_cbb_buffer *b, cachet_asn1_tag tag) {
    uint32_t number = tag & CACHET_ASN1_TAG_NUMBER_MASK;
    uint8_t first = (uint8_t)(tag >> 24) & 0xe0;
    if (number < 0x1f) {
        first |= (uint8_t)number;
        return append(b, &first, 1);
    }
    uint8_t tmp[6];
    size_t n = cachet_asn1_tag_len(tag);
    tmp[0] = first | 0x1f;
    for (size_t i = n - 1; i >= 1; i--) {
        tmp[i] = (uint8_t)((number & 0x7f) | (i == n - 1 ? 0 : 0x80));
        number >>= 7;
    }
    return append(b, tmp, n);
}

bool cachet_cbb_add_asn1(cachet_cbb *cbb, cachet_cbb *out_contents, cachet_asn1_tag tag) {
    if (!cachet_cbb_flush(cbb)) {
        return false;
    }
    struct cachet_cbb_buffer *b = cbb->buf;
    uint8_t zero = 0;
    if ((tag & ~CACHET_ASN1_CONSTRUCTED) == 0 || !add_tag(b, tag)) {
        return fail(b);
    }
    size_t offset = b->len;
    if (!append(b, &zero, 1)) {
        return false;
    }
    memset(out_contents, 0, sizeof(*out_contents));
    out_contents->buf = b;
    out_contents->offset = offset;
    out_contents->pending_len_len = 1;
    out_contents->pending_is_asn1 = true;
    out_contents->is_child = true;
    cbb->child = out_contents;
    return true;
}

bool cachet_cbb_add_asn1_element(cachet_cbb *cbb, cachet_asn1_tag tag, const uint8_t *contents,
                                 size_t len) {
    cachet_cbb child;
    return cachet_cbb_add_asn1(cbb, &child, tag) && cachet_cbb_add_bytes(&child, contents, len) &&
           cachet_cbb_flush(cbb);
}

bool cachet_cbb_add_asn1_uint64(cachet_cbb *cbb, uint64_t value) {
    uint8_t tmp[9];
    size_t n = 0;
    bool started = false;
    for (int shift = 56; shift >= 0; shift -= 8) {
        uint8_t byte = (uint8_t)(value >> shift);
        if (!started) {
            if (byte == 0 && shift > 0) {
                continue;
            }
            if (byte & 0x80) {
                tmp[n++] = 0; /* keep it non-negative */
            }
            started = true;
        }
        tmp[n++] = byte;
    }
    return cachet_cbb_add_asn1_element(cbb, CACHET_ASN1_INTEGER, tmp, n);
}

bool cachet_cbb_add_asn1_octet_string(cachet_cbb *cbb, const uint8_t *data, size_t len) {
    return cachet_cbb_add_asn1_element(cbb, CACHET_ASN1_OCTETSTRING, data, len);
}

bool cachet_cbb_add_asn1_null(cachet_cbb *cbb) {
    return cachet_cbb_add_asn1_element(cbb, CACHET_ASN1_NULL, NULL, 0);
}

bool cachet_cbb_add_asn1_oid(cachet_cbb *cbb, const uint8_t *oid, size_t len) {
    cachet_cbs c;
    cachet_cbs_init(&c, oid, len);
    if (!cachet_cbs_is_valid_oid(&c)) {
        if (cbb->buf != NULL) {
            fail(cbb->buf);
        }
        return false;
    }
    return cachet_cbb_add_asn1_element(cbb, CACHET_ASN1_OBJECT, oid, len);
}

static void put_digits(char *p, unsigned v, int n) {
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

bool cachet_cbb_add_asn1_time(cachet_cbb *cbb, int64_t t) {
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    int64_t year;
    unsigned mon, day;
    cachet_civil_from_days(days, &year, &mon, &day);
    if (year < 0 || year > 9999) {
        if (cbb->buf != NULL) {
            fail(cbb->buf);
        }
        return false;
    }
    char s[16];
    size_t n;
    cachet_asn1_tag tag;
    if (year >= 1950 && year <= 2049) {
        put_digits(s, (unsigned)(year % 100), 2);
        n = 2;
        tag = CACHET_ASN1_UTCTIME;
    } else {
        put_digits(s, (unsigned)year, 4);
        n = 4;
        tag = CACHET_ASN1_GENERALIZEDTIME;
    }
    put_digits(s + n, mon, 2);
    put_digits(s + n + 2, day, 2);
    put_digits(s + n + 4, (unsigned)(secs / 3600), 2);
    put_digits(s + n + 6, (unsigned)(secs / 60 % 60), 2);
    put_digits(s + n + 8, (unsigned)(secs % 60), 2);
    s[n + 10] = 'Z';
    return cachet_cbb_add_asn1_element(cbb, tag, (const uint8_t *)s, n + 11);
}

static int compare_elements(const void *a, const void *b) {
    const cachet_cbs *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->data, y->data, n);
    if (c != 0) {
        return c;
    }
    /* X.690 11.6: the shorter is padded with zeros, so it never sorts after. */
    return x->len < y->len ? -1 : x->len > y->len ? 1 : 0;
}

bool cachet_cbb_flush_asn1_set_of(cachet_cbb *cbb) {
    if (!cachet_cbb_flush(cbb)) {
        return false;
    }
    struct cachet_cbb_buffer *b = cbb->buf;
    if (!cbb->is_child) {
        return fail(b);
    }
    cachet_cbs contents;
    cachet_cbs_init(&contents, cachet_cbb_data(cbb), cachet_cbb_len(cbb));
    size_t count = 0;
    for (cachet_cbs c = contents; c.len > 0; count++) {
        if (!cachet_cbs_get_any_asn1_element(&c, NULL, NULL, NULL)) {
            return fail(b);
        }
    }
    if (count < 2) {
        return true;
    }
    cachet_cbs *elems = cachet_calloc(count, sizeof(*elems));
    uint8_t *sorted = cachet_malloc(contents.len);
    if (elems == NULL || sorted == NULL) {
        cachet_free(elems);
        cachet_free(sorted);
        return fail(b);
    }
    cachet_cbs c = contents;
    for (size_t i = 0; i < count; i++) {
        cachet_cbs_get_any_asn1_element(&c, &elems[i], NULL, NULL);
    }
    qsort(elems, count, sizeof(*elems), compare_elements);
    size_t off = 0;
    for (size_t i = 0; i < count; i++) {
        memcpy(sorted + off, elems[i].data, elems[i].len);
        off += elems[i].len;
    }
    memcpy(b->data + contents_start(cbb), sorted, off);
    cachet_free(elems);
    cachet_free(sorted);
    return true;
}

static size_t length_octets(uint64_t len) {
    size_t n = 1;
    if (len >= 0x80) {
        for (uint64_t v = len; v != 0; v >>= 8) {
            n++;
        }
    }
    return n;
}

size_t cachet_der_header_len(cachet_asn1_tag tag, uint64_t len) {
    return cachet_asn1_tag_len(tag) + length_octets(len);
}

bool cachet_cbb_add_asn1_header(cachet_cbb *cbb, cachet_asn1_tag tag, uint64_t len) {
    uint8_t tmp[9];
    size_t n = length_octets(len);
    if (!cachet_cbb_flush(cbb)) {
        return false;
    }
    if ((tag & ~CACHET_ASN1_CONSTRUCTED) == 0 || !add_tag(cbb->buf, tag)) {
        return fail(cbb->buf);
    }
    if (n == 1) {
        tmp[0] = (uint8_t)len;
    } else {
        tmp[0] = (uint8_t)(0x80 | (n - 1));
        for (size_t i = 1; i < n; i++) {
            tmp[i] = (uint8_t)(len >> (8 * (n - 1 - i)));
        }
    }
    return append(cbb->buf, tmp, n);
}
