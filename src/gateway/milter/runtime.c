/* runtime: the reloadable (configuration, keys) pair, reference counted. */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>

#include "base/base.h"

/* One lock for the current pointer and every reference count: taken twice per
 * message, never held while loading or freeing, so contention is negligible. */
static pthread_mutex_t g_runtime_lock = PTHREAD_MUTEX_INITIALIZER;
static cachetd_runtime *g_runtime_current;

static void cachetd_runtime_destroy(cachetd_runtime *rt) {
    cachetd_keys_free(rt->keys);
    cachetd_config_free(rt->cfg);
    cachet_free(rt);
}

cachetd_runtime *cachetd_runtime_new(cachetd_config *cfg, cachetd_keys *keys) {
    cachetd_runtime *rt = cachet_calloc(1, sizeof *rt);
    if (rt == NULL) {
        cachetd_keys_free(keys);
        cachetd_config_free(cfg);
        return NULL;
    }
    rt->cfg = cfg;
    rt->keys = keys;
    rt->refs = 1;
    return rt;
}

cachetd_runtime *cachetd_runtime_load(const char *path, char *err, size_t err_len) {
    cachetd_config *cfg = cachetd_config_load(path, err, err_len);
    if (cfg == NULL) {
        return NULL;
    }
    cachetd_keys *keys = cachetd_keys_load(cfg, err, err_len);
    if (keys == NULL) {
        cachetd_config_free(cfg);
        return NULL;
    }
    cachetd_runtime *rt = cachetd_runtime_new(cfg, keys);
    if (rt == NULL) {
        snprintf(err, err_len, "out of memory");
    }
    return rt;
}

void cachetd_runtime_install(cachetd_runtime *rt) {
    pthread_mutex_lock(&g_runtime_lock);
    cachetd_runtime *old = g_runtime_current;
    g_runtime_current = rt;
    pthread_mutex_unlock(&g_runtime_lock);
    cachetd_runtime_release(old);
}

cachetd_runtime *cachetd_runtime_acquire(void) {
    pthread_mutex_lock(&g_runtime_lock);
    cachetd_runtime *rt = g_runtime_current;
    if (rt != NULL) {
        rt->refs++;
    }
    pthread_mutex_unlock(&g_runtime_lock);
    return rt;
}

void cachetd_runtime_release(cachetd_runtime *rt) {
    if (rt == NULL) {
        return;
    }
    pthread_mutex_lock(&g_runtime_lock);
    bool last = --rt->refs == 0;
    pthread_mutex_unlock(&g_runtime_lock);
    if (last) {
        cachetd_runtime_destroy(rt);
    }
}

void cachetd_runtime_shutdown(void) {
    cachetd_runtime_install(NULL);
}
