/* libFuzzer target: the whole S/MIME decrypt pipeline as `cachet decrypt`
 * runs it (cachet_decrypt_new / cachet_op_update / cachet_op_finish): MIME,
 * base64, application/pkcs7-mime enveloped/authEnveloped/encrypted layers,
 * nested signed/compressed layers under them (verified with the EC
 * certificate as the trust anchor at a fixed time). Fixed test keys: RSA-2048
 * (ktri), P-256 and X25519 (kari) as in fuzz_cms_decrypt.c, so that corpus
 * opens here too; a KEK with its id, an EncryptedData key and a password as
 * well. An input starting with 0x30 is taken as DER CMS (--raw), anything else
 * as a MIME message. Throw-away keys made for the fuzzers only.
 *
 * Each input is fed whole, in random chunks (sizes drawn from a generator
 * seeded by the input, so a finding replays) and, when small, byte by byte.
 * Oracles:
 * - success or failure is the same for every chunking, and so is the status
 *   (the first failing update, else finish), except that with two defects in
 *   one input the chunking decides which one the streaming layers meet first
 *   (whole, bad base64 near the end is found before a CMS defect in what
 *   decodes before it; streamed, the CMS defect): the message may then
 *   differ, and the status when one side is MALFORMED, UNSUPPORTED or LIMIT;
 * - never INTERNAL, NOMEM or USAGE (the options are fixed and valid);
 * - on failure nothing reached the sink (no byte, no call);
 * - on success the output and the report's layers (type, cipher, key
 *   management, recipients) are byte-identical across chunkings;
 * - a failure after decryption started is CACHET_ERR_DECRYPT whatever broke
 *   (RFC 3218; issue 8 item 5). The CEK that stands in for a bad PKCS#1 v1.5
 *   one is a function of the ciphertext, so noise that passes the CBC padding
 *   check is the same noise in every chunking: no tolerance for it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cachet/cachet.h>

#include "base/base.h"

#include "fuzz_util.h"

#include "fixed_keys.h"

static const cachet_secret_key kSecrets[] = {
    {kKek256, sizeof(kKek256), (const uint8_t *)kKek256Id, sizeof(kKek256Id) - 1},
    {kContentKey, sizeof(kContentKey), NULL, 0},
};

enum { NUM_CREDS = 3 };
static cachet_ctx *g_ctx;
static cachet_credential *g_creds[NUM_CREDS];

static void write_temp(const char *text, char *path, size_t path_len) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, path_len, "%s/cachet-fuzz-XXXXXX", dir != NULL && dir[0] != '\0' ? dir : "/tmp");
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    size_t len = strlen(text);
    REQUIRE(write(fd, text, len) == (ssize_t)len);
    close(fd);
}

static void setup(void) {
    static const char *const pems[NUM_CREDS][2] = {
        {kRsaCert, kRsaKey}, {kEcCert, kEcKey}, {kX25519Cert, kX25519Key}};
    cachet_error err;
    cachet_err_clear(&err);
    g_ctx = cachet_ctx_new();
    REQUIRE(g_ctx != NULL);
    for (size_t i = 0; i < NUM_CREDS; i++) {
        char cpath[512], kpath[512];
        write_temp(pems[i][0], cpath, sizeof(cpath));
        write_temp(pems[i][1], kpath, sizeof(kpath));
        REQUIRE(cachet_credential_load(cpath, kpath, NULL, &g_creds[i], &err) == CACHET_OK);
        if (i == 1) {
            REQUIRE(cachet_ctx_add_trust_file(g_ctx, cpath) == CACHET_OK);
        }
        unlink(cpath);
        unlink(kpath);
    }
    cachet_ctx_set_time(g_ctx, 1893456000); /* 2030-01-01 */
    /* The test certificates carry no address: signed layers are checked for
     * signature and path, not for the From binding. */
    cachet_ctx_set_address_check(g_ctx, false);
    cachet_limits l;
    cachet_ctx_get_limits(g_ctx, &l);
    l.max_decompressed = 1 << 20; /* keep each run fast */
    l.hold_in_memory = 64 * 1024;
    l.max_pbkdf2_iterations = 2048; /* the seeds use 1000 and 2048 */
    l.max_ccm_content = 4096;
    cachet_ctx_set_limits(g_ctx, &l);
}

/* A sink that records every call, so "nothing reached it" can be checked. */
typedef struct recorder {
    cachet_membuf buf;
    size_t calls;
} recorder;

static cachet_status record(void *arg, const uint8_t *data, size_t len) {
    recorder *r = arg;
    r->calls++;
    return cachet_membuf_append(&r->buf, data, len) ? CACHET_OK : CACHET_ERR_LIMIT;
}

typedef struct outcome {
    cachet_status st;
    cachet_error err;
    recorder out;
    cachet_report *rep;
} outcome;

/* chunk sizes: 0 = whole, 1 = byte by byte, else a generator seed. */
static void run(const uint8_t *data, size_t size, uint64_t chunks, outcome *o) {
    memset(o, 0, sizeof(*o));
    o->out.buf.max = 4u << 20;
    cachet_sink sink = {.write = record, .arg = &o->out};
    const cachet_credential *more[NUM_CREDS - 1] = {g_creds[1], g_creds[2]};
    cachet_decrypt_opts opts = {
        .cred = g_creds[0],
        .more_creds = more,
        .num_more_creds = NUM_CREDS - 1,
        .secret_keys = kSecrets,
        .num_secret_keys = sizeof(kSecrets) / sizeof(kSecrets[0]),
        .password = kPassword,
        .verify_signed = true,
        .raw = size > 0 && data[0] == 0x30,
    };
    cachet_error err;
    cachet_err_clear(&err);
    cachet_op *op = cachet_decrypt_new(g_ctx, &opts, &sink, &err);
    REQUIRE(op != NULL); /* the options are fixed and valid */
    cachet_status st = CACHET_OK;
    uint64_t x = chunks;
    for (size_t off = 0; st == CACHET_OK && off < size;) {
        size_t n = size - off;
        if (chunks == 1) {
            n = 1;
        } else if (chunks != 0) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t want = (x & 3) == 0 ? (size_t)(x >> 8) % 4096 + 1 : (size_t)(x >> 8) % 64 + 1;
            n = want < n ? want : n;
        }
        st = cachet_op_update(op, data + off, n);
        off += n;
    }
    cachet_status fst = cachet_op_finish(op, &o->rep);
    o->st = st != CACHET_OK ? st : fst;
    REQUIRE(st == CACHET_OK || fst != CACHET_OK); /* a failed update fails the op */
    const cachet_error *e = cachet_op_error(op);
    REQUIRE(e != NULL);
    o->err = *e;
    if (o->st != CACHET_OK) {
        REQUIRE(o->out.calls == 0 && o->out.buf.len == 0); /* no output on failure */
    }
    /* Fixed valid options and no allocation failure: neither is ever the input's fault. */
    REQUIRE(o->st != CACHET_ERR_INTERNAL && o->st != CACHET_ERR_NOMEM && o->st != CACHET_ERR_USAGE);
    cachet_op_free(op);
    if (getenv("CACHET_FUZZ_VERBOSE") != NULL) {
        fprintf(stderr, "chunks=%llu status=%s out=%zu where=[%s] at %lld: %s\n",
                (unsigned long long)chunks, cachet_status_str(o->st), o->out.buf.len, o->err.where,
                o->err.offset, o->err.message);
    }
}

static bool same_layers(const cachet_report *a, const cachet_report *b) {
    if ((a == NULL) != (b == NULL)) {
        return false;
    }
    if (a == NULL) {
        return true;
    }
    if (a->num_layers != b->num_layers || a->valid != b->valid) {
        return false;
    }
    for (size_t i = 0; i < a->num_layers; i++) {
        const cachet_layer_report *x = &a->layers[i], *y = &b->layers[i];
        if (x->type != y->type || strcmp(x->cipher, y->cipher) != 0 ||
            strcmp(x->key_management, y->key_management) != 0 ||
            x->num_recipients != y->num_recipients || x->authenticated != y->authenticated ||
            strcmp(x->part, y->part) != 0) {
            return false;
        }
    }
    return true;
}

/* input_fault: the input is not well-formed, not supported or over a limit
 * (exit status 3 of the CLI). */
static bool input_fault(cachet_status st) {
    return st == CACHET_ERR_MALFORMED || st == CACHET_ERR_UNSUPPORTED || st == CACHET_ERR_LIMIT;
}

static bool agree(const outcome *a, const outcome *b) {
    if (a->st == CACHET_OK && b->st == CACHET_OK) {
        return (a->out.buf.len == b->out.buf.len &&
                (a->out.buf.len == 0 ||
                 memcmp(a->out.buf.data, b->out.buf.data, a->out.buf.len) == 0) &&
                same_layers(a->rep, b->rep));
    }
    if (a->st == b->st ||
        (a->st != CACHET_OK && b->st != CACHET_OK && (input_fault(a->st) || input_fault(b->st)))) {
        /* With two defects in one input the chunking decides which one the
         * streaming layers meet first. Fed whole, the MIME layer decodes a
         * whole batch of base64 before handing it on, so bad base64 near the
         * end wins over a CMS defect (unknown content type, no recipient for
         * us) in what decodes before it; streamed, the CMS defect wins. The
         * message, and the status when one side is "not well-formed,
         * unsupported or over a limit", may then differ; failure against
         * success never. */
        return true;
    }
    return false;
}

static void release(outcome *o) {
    cachet_membuf_free(&o->out.buf);
    cachet_report_free(o->rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (g_ctx == NULL) {
        setup();
    }
    uint64_t seed = 1469598103934665603u; /* FNV-1a of the input: a finding replays */
    for (size_t i = 0; i < size; i++) {
        seed = (seed ^ data[i]) * 1099511628211u;
    }
    seed |= 2; /* never 0 (whole) or 1 (byte by byte) */
    outcome whole, chunked;
    run(data, size, 0, &whole);
    run(data, size, seed, &chunked);
    REQUIRE(agree(&whole, &chunked));
    release(&chunked);
    if (size <= 2048) {
        outcome bytes;
        run(data, size, 1, &bytes);
        REQUIRE(agree(&whole, &bytes));
        release(&bytes);
    }
    release(&whole);
    return 0;
}
