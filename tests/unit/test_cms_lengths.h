/* Helpers of the test_cms_lengths*.c tests: a BER outline written by a reader
 * independent of der/ (so that a wrong length cachet computes cannot agree with
 * a wrong length cachet reads), and test content. */
#ifndef CACHET_TEST_CMS_LENGTHS_H
#define CACHET_TEST_CMS_LENGTHS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"

typedef struct tl_outline {
    char text[16384];
    size_t pos;
    unsigned indefinite; /* indefinite-length elements seen, at any depth */
    bool overflow;
} tl_outline;

static inline void tl_put(tl_outline *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->text + o->pos, sizeof(o->text) - o->pos, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(o->text) - o->pos) {
        o->overflow = true;
        return;
    }
    o->pos += (size_t)n;
}

/* tl_element reads one element at |*p| (before |end|): low tag numbers only,
 * definite lengths in minimal form, indefinite ones only on constructed
 * elements. A definite constructed element must be filled exactly by its
 * children. Writes "TTd" / "TTi" for constructed elements followed by their
 * children in parentheses (down to |max_depth|), "TT:LEN" for primitive ones. */
static inline bool tl_element(const uint8_t **p, const uint8_t *end, int depth, int max_depth,
                              tl_outline *o) {
    if (end - *p < 2) {
        return false;
    }
    uint8_t tag = (*p)[0], l0 = (*p)[1];
    bool cons = (tag & 0x20) != 0;
    *p += 2;
    if ((tag & 0x1f) == 0x1f) {
        return false;
    }
    uint64_t len = 0;
    bool indef = l0 == 0x80;
    if (indef && !cons) {
        return false;
    }
    if (!indef && l0 < 0x80) {
        len = l0;
    } else if (!indef) {
        size_t n = l0 & 0x7f;
        if (n == 0 || n > 8 || (size_t)(end - *p) < n || (*p)[0] == 0) {
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            len = (len << 8) | (*p)[i];
        }
        *p += n;
        if (len < 0x80) {
            return false; /* not minimal */
        }
    }
    if (!indef && len > (uint64_t)(end - *p)) {
        return false;
    }
    if (!cons) {
        tl_put(o, "%02x:%llu", tag, (unsigned long long)len);
        *p += len;
        return true;
    }
    o->indefinite += indef;
    tl_put(o, "%02x%c", tag, indef ? 'i' : 'd');
    bool show = depth < max_depth;
    if (show) {
        tl_put(o, "(");
    }
    const uint8_t *stop = indef ? end : *p + len;
    bool first = true;
    for (;;) {
        if (indef && stop - *p >= 2 && (*p)[0] == 0 && (*p)[1] == 0) {
            *p += 2;
            break;
        }
        if (!indef && *p == stop) {
            break;
        }
        size_t before = o->pos;
        if (show && !first) {
            tl_put(o, " ");
        }
        if (!tl_element(p, stop, depth + 1, max_depth, o)) {
            return false;
        }
        if (!show) {
            o->pos = before; /* counted, not shown */
            o->text[o->pos] = '\0';
        }
        first = false;
    }
    if (show) {
        tl_put(o, ")");
    }
    return true;
}

/* tl_outline_of: the outline of the one element filling |der|. */
static inline bool tl_outline_of(const uint8_t *der, size_t len, int max_depth, tl_outline *o) {
    memset(o, 0, sizeof(*o));
    const uint8_t *p = der;
    return tl_element(&p, der + len, 0, max_depth, o) && p == der + len && !o->overflow;
}

/* The content sizes every writer is tried at: around the AES block, over the
 * short-form length, over 64 KiB, and a few MiB. */
static const size_t tl_sizes[] = {0, 1, 15, 16, 17, 127, 128, 1000, 65537, 3u << 20};
#define TL_NUM_SIZES (sizeof(tl_sizes) / sizeof(tl_sizes[0]))

static inline uint8_t *tl_content(size_t len, uint32_t seed) {
    uint8_t *c = malloc(len + 1);
    uint32_t r = seed | 1;
    for (size_t i = 0; i < len; i++) {
        c[i] = (uint8_t)cachet_test_rand(&r);
    }
    return c;
}

#endif
