/* base: allocation, error detail, bounded buffers. Used by every module. */
#ifndef CACHET_BASE_BASE_H
#define CACHET_BASE_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cachet/cachet.h>

/* Allocation goes through these wrappers: one place for fault injection. */
void *cachet_malloc(size_t n);
void *cachet_calloc(size_t count, size_t size);
void *cachet_realloc(void *p, size_t n);
void cachet_free(void *p);
char *cachet_strdup(const char *s);
/* cachet_cleanse overwrites |n| bytes at |p| in a way the compiler keeps. */
void cachet_cleanse(void *p, size_t n);
/* cachet_free_secret cleanses |n| bytes then frees. */
void cachet_free_secret(void *p, size_t n);

/* Tests set a countdown: the Nth allocation from now fails (0 disables). */
void cachet_alloc_fail_after(unsigned long n);

/* cachet_err_set records a failure in |e| (NULL accepted) and returns |st|, so a
 * caller can write `return cachet_err_set(e, CACHET_ERR_MALFORMED, "SignedData", off, "...")`.
 * The first failure recorded wins: a later call does not overwrite an earlier detail
 * unless |e|->status is CACHET_OK. */
cachet_status cachet_err_set(cachet_error *e, cachet_status st, const char *where, long long offset,
                             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* cachet_err_clear resets |e| to CACHET_OK with empty text. */
void cachet_err_clear(cachet_error *e);
/* cachet_err_prefix_where prepends "|prefix|." to the where of |e| (for nesting). */
void cachet_err_prefix_where(cachet_error *e, const char *prefix);

/* cachet_membuf_* grow a buffer up to its max (see sink.h). They return false on
 * allocation failure or when |max| would be exceeded. */
bool cachet_membuf_reserve(cachet_membuf *b, size_t extra);
bool cachet_membuf_append(cachet_membuf *b, const void *data, size_t len);
void cachet_membuf_reset(cachet_membuf *b);
/* cachet_membuf_free_secret cleanses then frees. */
void cachet_membuf_free_secret(cachet_membuf *b);

/* Hex helpers for messages and JSON. |out| must hold 2*len+1 bytes. */
void cachet_hex(char *out, const uint8_t *in, size_t len);

#endif
