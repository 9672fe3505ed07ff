#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* Fault injection for tests: the allocation that takes the countdown to zero fails.
 * Only tests set it, before starting threads. */
static unsigned long fail_countdown;
static cachet_alloc_fault fault_fired;

/* Live-allocation accounting, off unless a test turns it on: production pays one
 * well-predicted branch, not a shared atomic per allocation. Foreign (OpenSSL)
 * allocations are counted apart because its caches keep some of them alive. */
static bool counting;
static atomic_long live_own, live_foreign;

void cachet_alloc_fail_after(unsigned long n) {
    fail_countdown = n;
    fault_fired = CACHET_ALLOC_FAULT_NONE;
}

cachet_alloc_fault cachet_alloc_fault_fired(void) {
    return fault_fired;
}

void cachet_alloc_count_start(void) {
    counting = true;
}

long cachet_alloc_live(void) {
    return atomic_load_explicit(&live_own, memory_order_relaxed);
}

long cachet_alloc_live_foreign(void) {
    return atomic_load_explicit(&live_foreign, memory_order_relaxed);
}

/* Failed allocations (real or injected) on this thread, for classification:
 * touched only when an allocation fails. */
static _Thread_local unsigned long thread_failures;

unsigned long cachet_alloc_failures(void) {
    return thread_failures;
}

static bool injected_failure(cachet_alloc_fault kind) {
    if (fail_countdown == 0) {
        return false;
    }
    fail_countdown--;
    if (fail_countdown != 0) {
        return false;
    }
    fault_fired = kind;
    thread_failures++;
    return true;
}

static void count_live(atomic_long *live, long delta) {
    if (counting) {
        atomic_fetch_add_explicit(live, delta, memory_order_relaxed);
    }
}

/* counted: the bookkeeping of a fresh allocation |p| (NULL: a real failure). */
static void *counted(void *p, atomic_long *live) {
    if (p != NULL) {
        count_live(live, 1);
    } else {
        thread_failures++;
    }
    return p;
}

void *cachet_malloc(size_t n) {
    if (injected_failure(CACHET_ALLOC_FAULT_OWN)) {
        return NULL;
    }
    return counted(malloc(n == 0 ? 1 : n), &live_own);
}

void *cachet_calloc(size_t count, size_t size) {
    if (injected_failure(CACHET_ALLOC_FAULT_OWN)) {
        return NULL;
    }
    return counted(calloc(count == 0 ? 1 : count, size == 0 ? 1 : size), &live_own);
}

static void *counted_realloc(void *p, size_t n, cachet_alloc_fault kind, atomic_long *live) {
    if (injected_failure(kind)) {
        return NULL;
    }
    void *q = realloc(p, n == 0 ? 1 : n);
    if (q == NULL) {
        thread_failures++;
    } else if (p == NULL) {
        count_live(live, 1);
    }
    return q;
}

void *cachet_realloc(void *p, size_t n) {
    return counted_realloc(p, n, CACHET_ALLOC_FAULT_OWN, &live_own);
}

void cachet_free(void *p) {
    if (p != NULL) {
        count_live(&live_own, -1);
    }
    free(p);
}

void *cachet_alloc_foreign_malloc(size_t n, bool may_fail) {
    if (may_fail && injected_failure(CACHET_ALLOC_FAULT_FOREIGN)) {
        return NULL;
    }
    return counted(malloc(n == 0 ? 1 : n), &live_foreign);
}

void *cachet_alloc_foreign_realloc(void *p, size_t n) {
    return counted_realloc(p, n, CACHET_ALLOC_FAULT_FOREIGN, &live_foreign);
}

void cachet_alloc_foreign_free(void *p) {
    if (p != NULL) {
        count_live(&live_foreign, -1);
    }
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
    cachet_free(p);
}
