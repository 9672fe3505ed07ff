/* A memo of parsed certificates, keyed by their exact DER bytes.
 *
 * OpenSSL 3.0 decodes a certificate's public key through its provider decoder
 * machinery, which builds a decoder chain per call: about 150 µs for one
 * RSA-2048 certificate, more than the signature check it serves. A gateway
 * sees the same few signer and intermediate certificates in message after
 * message, so a cache (one per cachet_ctx: DESIGN.md has no global mutable
 * state) keeps the last ones parsed through it and gives a byte-identical
 * certificate the object it already has. A cachet_cert is never changed once
 * parsed (its extensions are cached at parse time), so sharing one is what
 * credentials and trust stores already do; the result of a parse is a
 * function of the bytes alone, so the memo changes no outcome.
 *
 * Bounded: CERT_CACHE_SLOTS entries of at most CERT_CACHE_MAX_DER bytes each
 * (a larger certificate is parsed every time), about 1 MiB at most. The slots
 * are behind the cache's own mutex, held only for a lookup or an insertion
 * (never during a parse), so a context shared read-only by threads can use it. */
#include <pthread.h>
#include <string.h>

#include "crypto/internal.h"

/* enough for the intermediates a store hands every verification
 * (smime/pipeline.c reads them per message) plus the signers of the moment */
#define CERT_CACHE_SLOTS 128
#define CERT_CACHE_MAX_DER 8192

typedef struct cert_slot {
    cachet_cert *cert; /* one reference held here */
    uint64_t used;     /* the tick of the last hit or insertion */
} cert_slot;

struct cachet_cert_cache {
    pthread_mutex_t lock;
    cert_slot slots[CERT_CACHE_SLOTS];
    uint64_t tick;
};

cachet_cert_cache *cachet_cert_cache_new(void) {
    cachet_cert_cache *cache = cachet_calloc(1, sizeof(*cache));
    if (cache == NULL) {
        return NULL;
    }
    if (pthread_mutex_init(&cache->lock, NULL) != 0) {
        cachet_free(cache);
        return NULL;
    }
    return cache;
}

void cachet_cert_cache_free(cachet_cert_cache *cache) {
    if (cache == NULL) {
        return;
    }
    for (size_t i = 0; i < CERT_CACHE_SLOTS; i++) {
        cachet_cert_free(cache->slots[i].cert);
    }
    pthread_mutex_destroy(&cache->lock);
    cachet_free(cache);
}

static bool same_der(const cachet_cert *c, const uint8_t sha256[32], const uint8_t *der,
                     size_t len) {
    return c != NULL && c->der_len == len && memcmp(c->sha256, sha256, 32) == 0 &&
           memcmp(c->der, der, len) == 0;
}

cachet_cert *cachet_crypto_cert_cache_get(cachet_cert_cache *cache, const uint8_t sha256[32],
                                          const uint8_t *der, size_t len) {
    if (cache == NULL || len > CERT_CACHE_MAX_DER) {
        return NULL;
    }
    cachet_cert *hit = NULL;
    pthread_mutex_lock(&cache->lock);
    for (size_t i = 0; i < CERT_CACHE_SLOTS && hit == NULL; i++) {
        if (same_der(cache->slots[i].cert, sha256, der, len)) {
            hit = cachet_cert_up_ref(cache->slots[i].cert);
            cache->slots[i].used = ++cache->tick;
        }
    }
    pthread_mutex_unlock(&cache->lock);
    return hit;
}

void cachet_crypto_cert_cache_put(cachet_cert_cache *cache, cachet_cert *cert) {
    if (cache == NULL || cert == NULL || cert->der_len > CERT_CACHE_MAX_DER) {
        return;
    }
    cachet_cert *evicted = NULL;
    pthread_mutex_lock(&cache->lock);
    size_t victim = 0;
    bool present = false;
    for (size_t i = 0; i < CERT_CACHE_SLOTS && !present; i++) {
        /* another thread may have parsed the same bytes meanwhile */
        present = same_der(cache->slots[i].cert, cert->sha256, cert->der, cert->der_len);
        if (cache->slots[i].used < cache->slots[victim].used) {
            victim = i; /* least recently used; an empty slot has 0 */
        }
    }
    if (!present) {
        evicted = cache->slots[victim].cert;
        cache->slots[victim].cert = cachet_cert_up_ref(cert);
        cache->slots[victim].used = ++cache->tick;
    }
    pthread_mutex_unlock(&cache->lock);
    cachet_cert_free(evicted);
}
