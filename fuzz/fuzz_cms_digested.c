/* libFuzzer target: DigestedData (RFC 5652 §7) reading, with allow_weak off
 * and on, each fed whole and then in 3-byte chunks, then a round trip: what
 * reads and verifies is written again with cachet_cms_digest_* (same digest
 * when SHA-2, else SHA-256; same content type) and must read back the same.
 *
 * Oracles: the chunking never changes the outcome (status, content, report);
 * allowing weak digests never changes a success, and nothing is reported weak
 * unless weak was allowed; a success always says digest_valid; the writer's
 * output reads back to the same content, content type and digest name.
 * Corpus: fuzz/corpus/fuzz_cms_digested/ (`openssl cms -digest_create`,
 * `cachet digest`; see fuzz/make_seeds_issue5.sh). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cms/digested.h"

#define FUZZ_MAX_OUT (1u << 20)

typedef struct outcome {
    cachet_status st;
    cachet_membuf out;
    cachet_layer_report rep; /* valid when st == CACHET_OK */
    cachet_oid content_type;
    cachet_error err;
} outcome;

static void undigest(bool allow_weak, const uint8_t *data, size_t size, size_t chunk,
                     outcome *res) {
    cachet_cms_limits limits;
    cachet_cms_policy policy;
    cachet_sink sink;
    cachet_cms_undigest *u;
    cachet_status st = CACHET_OK;
    cachet_cms_limits_default(&limits);
    limits.max_skeleton = 64 * 1024;
    memset(&policy, 0, sizeof(policy));
    policy.allow_weak = allow_weak;
    memset(res, 0, sizeof(*res));
    res->out.max = FUZZ_MAX_OUT;
    sink = cachet_sink_membuf(&res->out);
    cachet_err_clear(&res->err);
    u = cachet_cms_undigest_new(&policy, &limits, &sink, &res->err);
    if (u == NULL) {
        __builtin_trap();
    }
    for (size_t off = 0; st == CACHET_OK && off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        st = cachet_cms_undigest_update(u, data + off, n, &res->err);
    }
    if (st == CACHET_OK) {
        st = cachet_cms_undigest_finish(u, &res->rep, &res->err);
    }
    res->st = st;
    res->content_type = cachet_cms_undigest_content_type(u);
    if (st == CACHET_OK && (!res->rep.digest_valid || res->rep.type != CACHET_LAYER_DIGESTED ||
                            (res->rep.weak && !allow_weak) || res->out.len > size)) {
        __builtin_trap();
    }
    cachet_cms_undigest_free(u);
}

static bool same_outcome(const outcome *a, const outcome *b) {
    if (a->st != b->st) {
        return false;
    }
    if (a->st != CACHET_OK) {
        return true;
    }
    return a->out.len == b->out.len &&
           (a->out.len == 0 || memcmp(a->out.data, b->out.data, a->out.len) == 0) &&
           a->content_type == b->content_type &&
           strcmp(a->rep.content_type, b->rep.content_type) == 0 &&
           strcmp(a->rep.digest_algorithm, b->rep.digest_algorithm) == 0 &&
           a->rep.weak == b->rep.weak;
}

static cachet_md md_by_name(const char *name) {
    static const cachet_md mds[] = {CACHET_MD_SHA256, CACHET_MD_SHA384, CACHET_MD_SHA512};
    for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++) {
        if (strcmp(name, cachet_md_name(mds[i])) == 0) {
            return mds[i];
        }
    }
    return CACHET_MD_SHA256;
}

/* Writes |in|'s content again (in 11-byte pieces) and reads it back. */
static void round_trip(const outcome *in) {
    cachet_membuf enc = {0};
    cachet_sink sink = cachet_sink_membuf(&enc);
    cachet_error err;
    cachet_md md = md_by_name(in->rep.digest_algorithm);
    cachet_status st = CACHET_OK;
    outcome back;
    enc.max = 2 * FUZZ_MAX_OUT;
    cachet_err_clear(&err);
    cachet_cms_digest *d = cachet_cms_digest_new(md, in->content_type, &sink, &err);
    if (d == NULL) {
        __builtin_trap(); /* every content type read must be writable */
    }
    for (size_t off = 0; st == CACHET_OK && off < in->out.len; off += 11) {
        size_t n = in->out.len - off < 11 ? in->out.len - off : 11;
        st = cachet_cms_digest_update(d, in->out.data + off, n, &err);
    }
    if (st == CACHET_OK) {
        st = cachet_cms_digest_finish(d, &err);
    }
    cachet_cms_digest_free(d);
    if (st != CACHET_OK) {
        __builtin_trap();
    }
    undigest(false, enc.data, enc.len, enc.len, &back);
    if (back.st != CACHET_OK || back.out.len != in->out.len ||
        (in->out.len != 0 && memcmp(back.out.data, in->out.data, in->out.len) != 0) ||
        strcmp(back.rep.digest_algorithm, cachet_md_name(md)) != 0 || back.rep.weak) {
        __builtin_trap();
    }
    /* An OID we do not know is written as id-data (the writer's rule). */
    if (in->content_type != CACHET_OID_UNKNOWN &&
        (back.content_type != in->content_type ||
         strcmp(back.rep.content_type, in->rep.content_type) != 0)) {
        __builtin_trap();
    }
    cachet_membuf_free(&back.out);
    cachet_membuf_free(&enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    outcome res[2][2]; /* [allow_weak][whole, chunked] */
    for (int weak = 0; weak < 2; weak++) {
        undigest(weak != 0, data, size, size == 0 ? 1 : size, &res[weak][0]);
        undigest(weak != 0, data, size, 3, &res[weak][1]);
        if (!same_outcome(&res[weak][0], &res[weak][1])) {
            __builtin_trap(); /* chunk borders must not matter */
        }
    }
    /* What reads without weak digests reads the same with them. */
    if (res[0][0].st == CACHET_OK && !same_outcome(&res[0][0], &res[1][0])) {
        __builtin_trap();
    }
    if (res[1][0].st == CACHET_OK) {
        round_trip(&res[1][0]);
    }
    for (int weak = 0; weak < 2; weak++) {
        cachet_membuf_free(&res[weak][0].out);
        cachet_membuf_free(&res[weak][1].out);
    }
    return 0;
}
