/* Oracle: the streaming skeleton reader gives the same status, error detail,
 * skeleton, bulk bytes, partial views and callback sequence whether the input
 * is fed whole, byte by byte or in pseudo-random chunks.
 * Input: one control byte (which element is the bulk), then the BER. */
#include <stdlib.h>
#include <string.h>

#include "der/der.h"

#include "fuzz_util.h"

typedef struct run {
    uint8_t control;
    cachet_status status;
    cachet_error err;
    uint8_t *der;
    size_t der_len;
    uint64_t bulk_hash; /* FNV-1a over the bulk bytes */
    uint64_t bulk_len;
    uint64_t partial_hash;
    unsigned begins, ends;
    uint64_t reported_bulk;
} run;

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 1099511628211ull;
    }
    return h;
}

/* The control byte picks a depth (low 3 bits, 7 = none) and whether only
 * OCTET STRING / context-specific elements qualify (bit 3). */
static bool is_bulk(void *arg, const cachet_asn1_tag *path, const size_t *index, size_t depth) {
    const run *r = arg;
    (void)index;
    unsigned want = r->control & 7;
    if (want == 7 || depth != want) {
        return false;
    }
    cachet_asn1_tag t = path[depth] & ~CACHET_ASN1_CONSTRUCTED;
    if (r->control & 8) {
        return t == CACHET_ASN1_OCTETSTRING ||
               (t & CACHET_ASN1_CLASS_MASK) == CACHET_ASN1_CONTEXT_SPECIFIC;
    }
    return true;
}

static cachet_status on_begin(void *arg, cachet_ber_skel *skel) {
    run *r = arg;
    r->begins++;
    for (size_t d = 0; d < 8; d++) {
        cachet_cbs c;
        if (cachet_ber_skel_partial(skel, d, &c)) {
            r->partial_hash = fnv(r->partial_hash ^ d, c.data, c.len);
        }
    }
    return CACHET_OK;
}

static cachet_status on_data(void *arg, const uint8_t *data, size_t len) {
    run *r = arg;
    REQUIRE(len > 0);
    r->bulk_hash = fnv(r->bulk_hash, data, len);
    r->bulk_len += len;
    return CACHET_OK;
}

static cachet_status on_end(void *arg) {
    run *r = arg;
    r->ends++;
    return CACHET_OK;
}

static void do_run(const uint8_t *data, size_t size, uint32_t mode, run *r) {
    cachet_ber_skel_callbacks cb = {is_bulk, on_begin, on_data, on_end, r};
    cachet_ber_limits limits = {1u << 16, 32, 3};
    cachet_ber_skel *skel = cachet_ber_skel_new(&cb, &limits);
    REQUIRE(skel != NULL);
    cachet_err_clear(&r->err);
    r->bulk_hash = r->partial_hash = 14695981039346656037ull;
    uint32_t state = mode;
    cachet_status st = CACHET_OK;
    for (size_t off = 0; st == CACHET_OK && off < size;) {
        size_t n = size - off;
        if (mode == 1) {
            n = 1;
        } else if (mode > 1) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            size_t want = 1 + state % 13;
            n = want < n ? want : n;
        }
        st = cachet_ber_skel_update(skel, data + off, n, &r->err);
        off += n;
        REQUIRE(st != CACHET_OK || cachet_ber_skel_offset(skel) == off);
    }
    if (st == CACHET_OK) {
        st = cachet_ber_skel_finish(skel, &r->err);
    }
    r->status = st;
    cachet_cbs der;
    if (st == CACHET_OK) {
        REQUIRE(cachet_ber_skel_der(skel, &der));
        REQUIRE(cachet_der_validate(der.data, der.len, 32));
        r->der = malloc(der.len + 1);
        REQUIRE(r->der != NULL);
        memcpy(r->der, der.data, der.len);
        r->der_len = der.len;
        REQUIRE(r->begins == r->ends);
    }
    bool seen = cachet_ber_skel_bulk_seen(skel, &r->reported_bulk);
    REQUIRE(seen == (r->begins > 0));
    REQUIRE(r->reported_bulk == r->bulk_len);
    cachet_ber_skel_free(skel);
}

static void same(const run *a, const run *b) {
    REQUIRE(a->status == b->status);
    REQUIRE(a->err.offset == b->err.offset);
    REQUIRE(strcmp(a->err.where, b->err.where) == 0);
    REQUIRE(strcmp(a->err.message, b->err.message) == 0);
    REQUIRE(a->der_len == b->der_len);
    REQUIRE(a->der_len == 0 || memcmp(a->der, b->der, a->der_len) == 0);
    REQUIRE(a->bulk_len == b->bulk_len && a->bulk_hash == b->bulk_hash);
    REQUIRE(a->partial_hash == b->partial_hash);
    REQUIRE(a->begins == b->begins && a->ends == b->ends);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    run whole = {.control = data[0]}, other;
    do_run(data + 1, size - 1, 0, &whole);
    uint32_t modes[] = {1, 0x9e3779b9u ^ (uint32_t)size, 12345};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        memset(&other, 0, sizeof(other));
        other.control = data[0];
        do_run(data + 1, size - 1, modes[i], &other);
        same(&whole, &other);
        free(other.der);
    }
    free(whole.der);
    return 0;
}
