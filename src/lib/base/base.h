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

/* Tests set a countdown: the Nth allocation from now fails (0 disables); the
 * countdown covers foreign allocations too once OpenSSL's are routed here
 * (cachet_crypto_route_allocations). */
void cachet_alloc_fail_after(unsigned long n);
typedef enum cachet_alloc_fault {
    CACHET_ALLOC_FAULT_NONE = 0, /* the countdown has not reached its allocation */
    CACHET_ALLOC_FAULT_OWN,      /* it failed one of cachet's own allocations */
    CACHET_ALLOC_FAULT_FOREIGN,  /* it failed one made for OpenSSL */
} cachet_alloc_fault;
/* cachet_alloc_fault_fired: whether (and where) the failure set by the last
 * cachet_alloc_fail_after has happened. */
cachet_alloc_fault cachet_alloc_fault_fired(void);
/* cachet_alloc_count_start turns on live-allocation counting (tests only, first
 * thing in main: a block allocated before it and freed after skews the count).
 * cachet_alloc_live is the number of cachet's own allocations not yet freed;
 * cachet_alloc_live_foreign likewise for the foreign ones. */
void cachet_alloc_count_start(void);
long cachet_alloc_live(void);
long cachet_alloc_live_foreign(void);
/* cachet_alloc_failures counts the allocations that failed on this thread
 * (real or injected; cachet's own and zlib's, and OpenSSL's once routed here).
 * An operation compares it before and after a step: a step that failed after
 * an allocation failed reports CACHET_ERR_NOMEM rather than what the shortage
 * looked like. (OpenSSL's own "malloc failure" reason is no evidence: 3.0 also
 * gives it when nothing failed to allocate.) */
unsigned long cachet_alloc_failures(void);
/* Allocation for another library (OpenSSL through the crypto module): the same
 * countdown, counted apart. realloc(NULL, n) is an allocation; free(NULL) is not.
 * With !may_fail the countdown skips it (a caller known to crash on failure). */
void *cachet_alloc_foreign_malloc(size_t n, bool may_fail);
void *cachet_alloc_foreign_realloc(void *p, size_t n);
void cachet_alloc_foreign_free(void *p);

/* cachet_err_set records a failure in |e| (NULL accepted) and returns |st|, so a
 * caller can write `return cachet_err_set(e, CACHET_ERR_MALFORMED, "SignedData", off, "...")`.
 * The first failure recorded wins: a later call does not overwrite an earlier detail
 * unless |e|->status is CACHET_OK. */
cachet_status cachet_err_set(cachet_error *e, cachet_status st, const char *where, long long offset,
                             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#ifdef __clang_analyzer__
/* Static analysis only (clang-tidy defines __clang_analyzer__): it sees one file at a
 * time, so without this it does not know the result is |st| and follows every
 * `s = cachet_err_set(...)` as if s could still be CACHET_OK. */
#define cachet_err_set(e, st, ...) (cachet_err_set((e), (st), __VA_ARGS__), (st))
#endif
/* cachet_err_clear resets |e| to CACHET_OK with empty text. */
void cachet_err_clear(cachet_error *e);
/* cachet_err_prefix_where prepends "|prefix|." to the where of |e| (for nesting). */
void cachet_err_prefix_where(cachet_error *e, const char *prefix);

/* cachet_utf8_valid: |s| is well-formed UTF-8 (RFC 3629: no overlong forms,
 * surrogates or code points above U+10FFFF). NUL and U+FEFF are valid here;
 * callers refusing them check for them. */
bool cachet_utf8_valid(const uint8_t *s, size_t n);

/* cachet_membuf_* grow a buffer up to its max (see sink.h). They return false on
 * allocation failure or when |max| would be exceeded. */
bool cachet_membuf_reserve(cachet_membuf *b, size_t extra);
bool cachet_membuf_append(cachet_membuf *b, const void *data, size_t len);
/* cachet_membuf_append_status: the same, failing with CACHET_ERR_LIMIT over |max|
 * and CACHET_ERR_NOMEM when the allocation fails. */
cachet_status cachet_membuf_append_status(cachet_membuf *b, const void *data, size_t len);
void cachet_membuf_reset(cachet_membuf *b);
/* cachet_membuf_free_secret cleanses then frees. */
void cachet_membuf_free_secret(cachet_membuf *b);

/* Hex helpers for messages and JSON. |out| must hold 2*len+1 bytes. */
void cachet_hex(char *out, const uint8_t *in, size_t len);

#endif
