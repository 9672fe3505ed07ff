/* The allocation-failure loop (issue 8 item 6, PA-14): one public operation is
 * run over a whole message with its Nth allocation failing, for N = 1, 2, ...
 * until a run completes without reaching N. OpenSSL's allocations are routed
 * through cachet's (cachet_crypto_route_allocations, first thing in main), so
 * the countdown reaches them too. Each run must end in one of two ways:
 *  - success, with output the case accepts (the fault-free output, or for
 *    randomised output one that verifies/decrypts to the same content) and a
 *    report as valid as the fault-free one; or
 *  - a clean error: a non-OK status with an error text, CACHET_ERR_NOMEM
 *    whichever allocation failed, cachet's own or a routed OpenSSL one (the
 *    case may allow one other status, e.g. the uniform CACHET_ERR_DECRYPT
 *    after a private-key operation; never malformed, bad signature, untrusted
 *    and the like), nothing written to the sink (a generator, which writes as
 *    it goes, must not have written something that passes for a result);
 * and in both ways every cachet allocation made by the call freed again. The
 * OpenSSL allocations are counted apart: its caches (fetched algorithms, error
 * strings, per-thread state) legitimately keep some alive, so an exact count
 * would fail for reasons that are not leaks. They are checked per loop instead
 * (af_run) and by LeakSanitizer at exit (ASan build). AF_VERBOSE=1 names the
 * runs that move OpenSSL's count. Header-only: each test program includes it
 * once. */
#ifndef CACHET_TEST_SMIME_ALLOC_FAULTS_UTIL_H
#define CACHET_TEST_SMIME_ALLOC_FAULTS_UTIL_H

#include "crypto/crypto.h"
#include "test_smime_sign_util.h"

#include <time.h>

/* One time for every run (inside the validity of the fresh test certificates):
 * the signing time, and with it the fault-free output, stays the same. */
static int64_t af_time(void) {
    static int64_t at = 0;
    if (at == 0) {
        at = (int64_t)time(NULL);
    }
    return at;
}
#define AF_TIME af_time()

typedef struct af_case af_case;
struct af_case {
    const char *name;
    /* start a new op writing to |out| */
    cachet_op *(*start)(const af_case *c, const cachet_sink *out, cachet_error *err);
    const uint8_t *in;
    size_t in_len;
    /* accept: is |out| a correct result? NULL: it must equal the fault-free output */
    bool (*accept)(const af_case *c, const uint8_t *out, size_t len);
    /* a status, besides CACHET_ERR_NOMEM, that a failing cachet allocation may
     * give (CACHET_OK: none) */
    cachet_status own_alt;
    /* a generator (sign, encrypt, compress) writes as it goes and its caller
     * drops the output of a failed op; what it wrote must then not pass for a
     * result. Reading ops write nothing before success. */
    bool streams;
    const void *arg; /* for start and accept */
    /* filled by af_run: the fault-free output and report */
    cachet_membuf ref;
    bool ref_valid;
    size_t ref_layers;
};

typedef struct af_result {
    cachet_status st;
    cachet_error err;
    cachet_membuf out;
    bool has_report, report_valid;
    size_t layers;
    cachet_alloc_fault fired;
    long leaked, leaked_foreign;
} af_result;

/* af_once runs the case with allocation |n| failing (0: none). */
static void af_once(const af_case *c, unsigned long n, af_result *r) {
    memset(r, 0, sizeof(*r));
    long live = cachet_alloc_live(), live_foreign = cachet_alloc_live_foreign();
    cachet_sink sink = cachet_sink_membuf(&r->out);
    cachet_alloc_fail_after(n);
    cachet_op *op = c->start(c, &sink, &r->err);
    cachet_report *rep = NULL;
    if (op == NULL) {
        r->st = r->err.status;
    } else {
        r->st = cachet_op_update(op, c->in, c->in_len);
        cachet_status fst = cachet_op_finish(op, &rep);
        if (r->st == CACHET_OK) {
            r->st = fst;
        }
        r->err = *cachet_op_error(op);
        cachet_op_free(op);
    }
    r->fired = cachet_alloc_fault_fired();
    cachet_alloc_fail_after(0);
    if (rep != NULL) {
        r->has_report = true;
        r->report_valid = rep->valid;
        r->layers = rep->num_layers;
        cachet_report_free(rep);
    }
    /* the output is compared later: take it out of the count */
    long out_blocks = r->out.data != NULL ? 1 : 0;
    r->leaked = cachet_alloc_live() - out_blocks - live;
    r->leaked_foreign = cachet_alloc_live_foreign() - live_foreign;
}

static bool af_output_ok(const af_case *c, const af_result *r) {
    if (c->accept != NULL) {
        return c->accept(c, r->out.data, r->out.len);
    }
    return cachet_test_mem_eq(r->out.data, r->out.len, c->ref.data, c->ref.len);
}

#define AF_FAIL(...)                                                                               \
    do {                                                                                           \
        fprintf(stderr, __VA_ARGS__);                                                              \
        cachet_test_failures++;                                                                    \
    } while (0)

/* af_check judges one faulty run; false when it completed without reaching N. */
static bool af_check(const af_case *c, unsigned long n, af_result *r, unsigned long *failures,
                     unsigned long *foreign_leaks) {
    const char *kind = r->fired == CACHET_ALLOC_FAULT_OWN       ? "cachet"
                       : r->fired == CACHET_ALLOC_FAULT_FOREIGN ? "OpenSSL"
                                                                : "no";
    if (r->leaked != 0) {
        AF_FAIL("%s: allocation %lu (%s) failing leaks %ld cachet blocks (status %s: %s)\n",
                c->name, n, kind, r->leaked, cachet_status_str(r->st), r->err.message);
    }
    if (r->leaked_foreign != 0) {
        (*foreign_leaks)++;
        if (getenv("AF_VERBOSE") != NULL) {
            fprintf(stderr, "%s: allocation %lu (%s): OpenSSL's live count %+ld (status %s)\n",
                    c->name, n, kind, r->leaked_foreign, cachet_status_str(r->st));
        }
    }
    if (r->st == CACHET_OK) {
        if (!af_output_ok(c, r)) {
            AF_FAIL("%s: allocation %lu (%s) failing gives success with wrong output\n", c->name, n,
                    kind);
        }
        if (r->has_report != (c->ref_layers > 0) ||
            (r->has_report && (r->report_valid != c->ref_valid || r->layers != c->ref_layers))) {
            AF_FAIL("%s: allocation %lu (%s) failing gives success with another report "
                    "(%s, valid %d, %zu layers)\n",
                    c->name, n, kind, r->has_report ? "a report" : "none", r->report_valid,
                    r->layers);
        }
        return r->fired != CACHET_ALLOC_FAULT_NONE;
    }
    (*failures)++;
    if (r->fired == CACHET_ALLOC_FAULT_NONE) {
        AF_FAIL("%s: fails (%s: %s) with no allocation failed\n", c->name, cachet_status_str(r->st),
                r->err.message);
        return false;
    }
    if (r->err.message[0] == '\0') {
        AF_FAIL("%s: allocation %lu (%s) failing: status %s without a message\n", c->name, n, kind,
                cachet_status_str(r->st));
    }
    if (r->out.len != 0 && c->streams && af_output_ok(c, r)) {
        AF_FAIL("%s: allocation %lu (%s) failing: the output written before the error %s "
                "passes for a result\n",
                c->name, n, kind, cachet_status_str(r->st));
    } else if (r->out.len != 0 && !c->streams) {
        AF_FAIL("%s: allocation %lu (%s) failing: %zu bytes written before the error %s\n", c->name,
                n, kind, r->out.len, cachet_status_str(r->st));
    }
    if (r->st != CACHET_ERR_NOMEM && (c->own_alt == CACHET_OK || r->st != c->own_alt)) {
        AF_FAIL("%s: allocation %lu (%s) failing reported as %s (%s at %s)\n", c->name, n, kind,
                cachet_status_str(r->st), r->err.message, r->err.where);
    }
    return true;
}

/* The points tried: every N up to 600, then every 3rd (runs that make a few
 * thousand allocations, most of them in the same OpenSSL routines; the stride
 * keeps the ASan run to seconds). AF_EVERY=1 in the environment tries every N. */
static unsigned long af_next(unsigned long n) {
    static int every = -1;
    if (every < 0) {
        every = getenv("AF_EVERY") != NULL;
    }
    return n < 600 || every ? n + 1 : n + 3;
}

/* af_loop fails N = 1, 2, ... in turn until a run completes without reaching
 * N; returns how much OpenSSL's live count moved over the whole loop. */
static long af_loop(const af_case *c, int pass) {
    long foreign_before = cachet_alloc_live_foreign();
    unsigned long n = 1, tried = 0, failures = 0, foreign_moves = 0;
    bool more = true;
    for (; more && n < 1000000; n = af_next(n)) {
        af_result r;
        af_once(c, n, &r);
        tried++;
        more = af_check(c, n, &r, &failures, &foreign_moves);
        cachet_membuf_free(&r.out);
    }
    CHECK(!more);
    CHECK(failures > 0);
    long drift = cachet_alloc_live_foreign() - foreign_before;
    fprintf(stderr,
            "%s (pass %d): %lu points tried (N up to %lu), %lu failed cleanly; OpenSSL's live "
            "count moved in %lu runs, by %+ld over the loop\n",
            c->name, pass, tried, n, failures, foreign_moves, drift);
    return drift;
}

/* OpenSSL keeps caches that fill up under failures: algorithms first fetched
 * after a failure, and one data buffer for each of the 16 slots of a thread's
 * error queue (seen: verify leaves +3 per pass for five passes, then +1, then
 * none). A leak of OpenSSL objects never stops growing. */
#define AF_MAX_PASSES 20

/* af_run: the fault-free reference run, a second one (so that OpenSSL's
 * one-time initialisation is done before anything fails), then the loop, again
 * until a whole pass leaves OpenSSL's live count where it was (single runs
 * may still move it: a cache emptied by a failure and refilled). */
static void af_run(af_case *c) {
    af_result r;
    af_once(c, 0, &r);
    c->ref = r.out;
    if (r.st != CACHET_OK || !af_output_ok(c, &r)) {
        AF_FAIL("%s: fault-free run fails: %s (%s)\n", c->name, cachet_status_str(r.st),
                r.err.message);
        cachet_membuf_free(&c->ref);
        return;
    }
    c->ref_valid = r.report_valid;
    c->ref_layers = r.has_report ? r.layers : 0;
    af_once(c, 0, &r);
    CHECK(r.st == CACHET_OK && af_output_ok(c, &r));
    CHECK_EQ_INT(r.leaked, 0);
    cachet_membuf_free(&r.out);
    long drift = af_loop(c, 1);
    for (int pass = 2; pass <= AF_MAX_PASSES && drift != 0; pass++) {
        drift = af_loop(c, pass);
    }
    if (drift != 0) {
        AF_FAIL("%s: after %d passes each still leaves %+ld OpenSSL allocations alive\n", c->name,
                AF_MAX_PASSES, drift);
    }
    cachet_membuf_free(&c->ref);
}

/* af_main: route OpenSSL's allocations before it makes any, count, run. */
static int af_main(const cachet_test_case *tests, size_t num, int argc, char **argv) {
    cachet_alloc_count_start();
    if (!cachet_crypto_route_allocations()) {
        fprintf(stderr, "CRYPTO_set_mem_functions refused: OpenSSL allocated before main\n");
        return 1;
    }
    return cachet_test_run(tests, num, argc, argv);
}

#endif
