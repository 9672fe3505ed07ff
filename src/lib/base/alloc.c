#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* Fault injection for tests: the allocation that takes the countdown to zero fails.
 * Only tests set it, before starting threads. */
static unsigned long fail_countdown;

void cachet_alloc_fail_after(unsigned long n) {
    fail_countdown = n;
}

static bool injected_failure(void) {
    if (fail_countdown == 0) {
        return false;
    }
    fail_countdown--;
    return fail_countdown == 0;
}

void *cachet_malloc(size_t n) {
    if (injected_failure()) {
        return NULL;
    }
    return malloc(n == 0 ? 1 : n);
}

void *cachet_calloc(size_t count, size_t size) {
    if (injected_failure()) {
        return NULL;
    }
    return calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
}

void *cachet_realloc(void *p, size_t n) {
    if (injected_failure()) {
        return NULL;
    }
    return realloc(p, n == 0 ? 1 : n);
}

void cachet_free(void *p) {
    free(p);
}

char *cachet_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = cachet_malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

void cachet_cleanse(void *p, size_t n) {
    if (p == NULL || n == 0) {
        return;
    }
    /* A volatile function pointer keeps the compiler from dropping the memset. */
    static void *(*const volatile do_memset)(void *, int, size_t) = memset;
    do_memset(p, 0, n);
}

void cachet_free_secret(void *p, size_t n) {
    cachet_cleanse(p, n);
    free(p);
}
