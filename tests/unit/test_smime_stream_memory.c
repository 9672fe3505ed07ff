/* Bounded memory in the library (issue 6): every operation pair - sign and
 * verify (multipart/signed, opaque, raw encapsulated, raw detached), encrypt and
 * decrypt (AES-256-GCM, AES-256-CBC, S/MIME and raw with a declared size),
 * compress and decompress (S/MIME and raw) - on 128 MiB made in the process,
 * the writer's output fed straight into the reader and the reader's output
 * hashed, so that nothing but the operations holds data. The round trip must
 * be exact and the process's peak RSS (ru_maxrss) may grow by at most 16 MiB
 * over a warm-up run at 1 MiB. Under AddressSanitizer (which makes its own
 * memory) the size is 8 MiB and only the round trip is checked. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <cachet/smime.h>

#include "testlib.h"

#if CACHET_TEST_UNDER_ASAN
#define SM_BIG ((uint64_t)8 << 20)
#define SM_CHECK_RSS 0
#else
#define SM_BIG ((uint64_t)128 << 20)
#define SM_CHECK_RSS 1
#endif
#define SM_WARM ((uint64_t)1 << 20)
#define SM_MAX_GROWTH_KIB 16384L
#define SM_CHUNK 65536

static char pki[512];
static cachet_credential *alice, *bob;
static cachet_cert *bob_cert;

static bool setup(void) {
    if (alice != NULL) {
        return true;
    }
    char c[600], k[600];
    cachet_error err;
    if (!cachet_test_make_pki(pki, sizeof(pki))) {
        return false;
    }
    snprintf(c, sizeof(c), "%s/alice.pem", pki);
    snprintf(k, sizeof(k), "%s/alice.key", pki);
    bool ok = cachet_credential_load(c, k, NULL, &alice, &err) == CACHET_OK;
    snprintf(c, sizeof(c), "%s/bob.pem", pki);
    snprintf(k, sizeof(k), "%s/bob.key", pki);
    ok = ok && cachet_credential_load(c, k, NULL, &bob, &err) == CACHET_OK;
    snprintf(c, sizeof(c), "%s/bob.crt", pki);
    ok = ok && cachet_cert_load_file(c, &bob_cert, &err) == CACHET_OK;
    CHECK(ok);
    return ok;
}

/* The input: raw pseudo-random bytes, or an RFC 5322 message from alice whose
 * body is lines of 76 base64 characters. Made chunk by chunk, never whole. */
typedef struct sm_source {
    bool mime;
    uint64_t left;
    uint64_t state;
    bool head_done;
} sm_source;

static const char sm_head[] = "From: alice@example.com\r\nTo: bob@example.com\r\n"
                              "Subject: stream\r\nContent-Type: application/octet-stream\r\n"
                              "Content-Transfer-Encoding: base64\r\n\r\n";

static uint64_t sm_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* sm_fill writes the next bytes (at most |cap|) of the source; 0 at the end.
 * For a message |left| counts the body; lines are whole 78-byte units. */
static size_t sm_fill(sm_source *src, uint8_t *buf, size_t cap) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 0;
    if (src->mime && !src->head_done) {
        memcpy(buf, sm_head, sizeof(sm_head) - 1);
        n = sizeof(sm_head) - 1;
        src->head_done = true;
    }
    if (!src->mime) {
        n = src->left < cap ? (size_t)src->left : cap;
        for (size_t i = 0; i < n; i += 8) {
            uint64_t v = sm_next(&src->state);
            memcpy(buf + i, &v, n - i < 8 ? n - i : 8);
        }
        src->left -= n;
        return n;
    }
    while (src->left >= 78 && cap - n >= 78) {
        for (size_t i = 0; i < 76; i += 8) {
            uint64_t v = sm_next(&src->state);
            for (size_t j = 0; j < 8 && i + j < 76; j++) {
                buf[n + i + j] = (uint8_t)b64[(v >> (6 * j)) & 63];
            }
        }
        buf[n + 76] = '\r';
        buf[n + 77] = '\n';
        n += 78;
        src->left -= 78;
    }
    return n;
}

/* A sink hashing what it gets; for a message only what follows the header. */
typedef struct sm_hash {
    EVP_MD_CTX *md;
    bool skip_head;
    unsigned matched; /* of "\r\n\r\n" */
    uint64_t bytes;
} sm_hash;

static cachet_status sm_hash_write(void *arg, const uint8_t *data, size_t len) {
    sm_hash *h = arg;
    static const uint8_t end[4] = {'\r', '\n', '\r', '\n'};
    size_t i = 0;
    while (h->skip_head && i < len) {
        h->matched = data[i] == end[h->matched] ? h->matched + 1 : data[i] == '\r' ? 1 : 0;
        i++;
        h->skip_head = h->matched < 4;
    }
    h->bytes += len - i;
    return EVP_DigestUpdate(h->md, data + i, len - i) == 1 ? CACHET_OK : CACHET_ERR_INTERNAL;
}

/* A sink feeding the reading operation. */
static cachet_status sm_chain_write(void *arg, const uint8_t *data, size_t len) {
    return cachet_op_update(arg, data, len);
}

typedef enum sm_case {
    SM_SIGN,
    SM_SIGN_OPAQUE,
    SM_ENCRYPT_GCM,
    SM_ENCRYPT_CBC,
    SM_COMPRESS,
    SM_RAW_SIGN,
    SM_RAW_SIGN_DETACHED,
    SM_RAW_ENCRYPT_GCM_SIZED,
    SM_RAW_ENCRYPT_CBC,
    SM_RAW_COMPRESS_SIZED,
    SM_NUM
} sm_case;

static const char *const sm_names[SM_NUM] = {
    "sign | verify",
    "sign --opaque | verify",
    "encrypt gcm | decrypt",
    "encrypt cbc | decrypt",
    "compress | decompress",
    "raw sign | verify",
    "raw detached sign, verify",
    "raw gcm (sized) | decrypt",
    "raw cbc | decrypt",
    "raw compress (sized) | decompress",
};

static bool sm_raw(sm_case c) {
    return c >= SM_RAW_SIGN;
}

/* sm_writer makes the writing operation of case |c| into |out|. */
static cachet_op *sm_writer(sm_case c, const cachet_ctx *ctx, uint64_t size, const cachet_sink *out,
                            cachet_error *err) {
    bool raw = sm_raw(c);
    cachet_cert *to[1] = {bob_cert};
    cachet_sign_opts so = {.signer = alice,
                           .raw = raw,
                           .opaque = c != SM_SIGN && c != SM_RAW_SIGN_DETACHED,
                           .detached = c == SM_RAW_SIGN_DETACHED};
    cachet_encrypt_opts eo = {.recipients = to,
                              .num_recipients = 1,
                              .raw = raw,
                              .cipher = c == SM_ENCRYPT_GCM || c == SM_RAW_ENCRYPT_GCM_SIZED
                                            ? CACHET_CIPHER_CHOICE_AES256_GCM
                                            : CACHET_CIPHER_CHOICE_AES256_CBC,
                              .content_size_known = c == SM_RAW_ENCRYPT_GCM_SIZED,
                              .content_size = size};
    cachet_compress_opts co = {
        .raw = raw, .content_size_known = c == SM_RAW_COMPRESS_SIZED, .content_size = size};
    switch (c) {
        case SM_SIGN:
        case SM_SIGN_OPAQUE:
        case SM_RAW_SIGN:
        case SM_RAW_SIGN_DETACHED:
            return cachet_sign_new(ctx, &so, out, err);
        case SM_COMPRESS:
        case SM_RAW_COMPRESS_SIZED:
            return cachet_compress_new(ctx, &co, out, err);
        default:
            return cachet_encrypt_new(ctx, &eo, out, err);
    }
}

static cachet_op *sm_reader(sm_case c, const cachet_ctx *ctx, const cachet_sink *out,
                            cachet_error *err) {
    bool raw = sm_raw(c);
    cachet_verify_opts vo = {.raw = raw, .detached = c == SM_RAW_SIGN_DETACHED};
    cachet_decrypt_opts dopts = {.cred = bob, .raw = raw};
    cachet_compress_opts co = {.raw = raw};
    switch (c) {
        case SM_SIGN:
        case SM_SIGN_OPAQUE:
        case SM_RAW_SIGN:
        case SM_RAW_SIGN_DETACHED:
            return cachet_verify_new(ctx, &vo, out, err);
        case SM_COMPRESS:
        case SM_RAW_COMPRESS_SIZED:
            return cachet_decompress_new(ctx, &co, out, err);
        default:
            return cachet_decrypt_new(ctx, &dopts, out, err);
    }
}

/* sm_feed pushes a fresh source of |size| into |op| (as content or input). */
static cachet_status sm_feed(cachet_op *op, bool mime, uint64_t size, bool as_content,
                             uint8_t *buf) {
    sm_source src = {.mime = mime, .left = size, .state = 0x9e3779b97f4a7c15ULL};
    cachet_status st = CACHET_OK;
    size_t n;
    while (st == CACHET_OK && (n = sm_fill(&src, buf, SM_CHUNK)) > 0) {
        st = as_content ? cachet_op_update_content(op, buf, n) : cachet_op_update(op, buf, n);
    }
    return st;
}

/* sm_expected: the sha-256 of what the reader must give back. */
static void sm_expected(bool mime, uint64_t size, uint8_t *buf, uint8_t digest[32]) {
    sm_source src = {.mime = mime, .left = size, .state = 0x9e3779b97f4a7c15ULL};
    sm_hash h = {.md = EVP_MD_CTX_new(), .skip_head = mime};
    size_t n;
    EVP_DigestInit_ex(h.md, EVP_sha256(), NULL);
    while ((n = sm_fill(&src, buf, SM_CHUNK)) > 0) {
        sm_hash_write(&h, buf, n);
    }
    EVP_DigestFinal_ex(h.md, digest, NULL);
    EVP_MD_CTX_free(h.md);
}

/* sm_run: one case at |size|; true when the round trip was exact. */
static bool sm_run(sm_case c, const cachet_ctx *ctx, uint64_t size) {
    uint8_t *buf = malloc(SM_CHUNK);
    uint8_t want[32], got[32];
    bool mime = !sm_raw(c);
    cachet_error err = {0};
    sm_hash h = {.md = EVP_MD_CTX_new(), .skip_head = mime};
    EVP_DigestInit_ex(h.md, EVP_sha256(), NULL);
    /* the hash is dropped unless finish succeeds: readers may write through */
    cachet_sink hs = {.write = sm_hash_write, .arg = &h, .discard_on_failure = true};
    cachet_op *reader = sm_reader(c, ctx, &hs, &err);
    cachet_membuf sig = {0};
    cachet_sink chain = {.write = sm_chain_write, .arg = reader};
    cachet_sink sigsink = cachet_sink_membuf(&sig);
    bool detached = c == SM_RAW_SIGN_DETACHED;
    cachet_op *writer =
        reader != NULL ? sm_writer(c, ctx, size, detached ? &sigsink : &chain, &err) : NULL;
    cachet_status st = writer != NULL ? CACHET_OK : err.status;
    if (st == CACHET_OK) {
        st = sm_feed(writer, mime, size, false, buf);
    }
    if (st == CACHET_OK) {
        st = cachet_op_finish(writer, NULL);
    }
    if (st != CACHET_OK && writer != NULL) {
        err = *cachet_op_error(writer);
    }
    if (st == CACHET_OK && detached) {
        /* the content first, then the signature (cachet_op_update_content) */
        st = sm_feed(reader, mime, size, true, buf);
        if (st == CACHET_OK) {
            st = cachet_op_update(reader, sig.data, sig.len);
        }
    }
    cachet_report *rep = NULL;
    if (reader != NULL) {
        cachet_status rst = cachet_op_finish(reader, &rep);
        if (st == CACHET_OK) {
            st = rst;
            err = *cachet_op_error(reader);
        }
    }
    EVP_DigestFinal_ex(h.md, got, NULL);
    sm_expected(mime, size, buf, want);
    bool ok = st == CACHET_OK && memcmp(want, got, 32) == 0;
    if (!ok) {
        fprintf(stderr, "%s at %llu bytes: status %d (%s: %s), %llu bytes back\n", sm_names[c],
                (unsigned long long)size, (int)st, err.where, err.message,
                (unsigned long long)h.bytes);
    }
    cachet_report_free(rep);
    cachet_op_free(writer);
    cachet_op_free(reader);
    cachet_membuf_free(&sig);
    EVP_MD_CTX_free(h.md);
    free(buf);
    return ok;
}

static long max_rss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void every_operation_streams_in_bounded_memory(void) {
    if (!setup()) {
        return;
    }
    char ca[600];
    snprintf(ca, sizeof(ca), "%s/ca.crt", pki);
    cachet_ctx *ctx = cachet_ctx_new();
    CHECK_EQ_INT(cachet_ctx_add_trust_file(ctx, ca), CACHET_OK);
    /* warm-up: libraries, keys and caches in place before the baseline */
    for (int c = 0; c < SM_NUM; c++) {
        CHECK(sm_run((sm_case)c, ctx, SM_WARM));
    }
    long base = max_rss_kib();
    for (int c = 0; c < SM_NUM; c++) {
        CHECK(sm_run((sm_case)c, ctx, SM_BIG));
        long now = max_rss_kib();
        fprintf(stderr, "  %-36s peak RSS %ld KiB (+%ld over the warm-up)\n", sm_names[c], now,
                now - base);
#if SM_CHECK_RSS
        if (now - base > SM_MAX_GROWTH_KIB) {
            fprintf(stderr, "%s: peak RSS grew by %ld KiB (> %ld KiB)\n", sm_names[c], now - base,
                    SM_MAX_GROWTH_KIB);
            cachet_test_failures++;
        }
#endif
    }
    cachet_ctx_free(ctx);
}

/* The options of issue 6 are refused where they do not apply. */
static void detached_and_content_size_are_for_raw_only(void) {
    if (!setup()) {
        return;
    }
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_sink null = cachet_sink_null();
    cachet_error err = {0};
    cachet_sign_opts s1 = {.signer = alice, .detached = true};
    CHECK(cachet_sign_new(ctx, &s1, &null, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    cachet_sign_opts s2 = {.signer = alice, .raw = true, .opaque = true, .detached = true};
    CHECK(cachet_sign_new(ctx, &s2, &null, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    cachet_sign_opts s3 = {.signer = alice, .content_size_known = true, .content_size = 5};
    CHECK(cachet_sign_new(ctx, &s3, &null, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    cachet_cert *to[1] = {bob_cert};
    cachet_encrypt_opts e1 = {
        .recipients = to, .num_recipients = 1, .content_size_known = true, .content_size = 5};
    CHECK(cachet_encrypt_new(ctx, &e1, &null, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    cachet_compress_opts c1 = {.content_size_known = true};
    CHECK(cachet_compress_new(ctx, &c1, &null, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    cachet_digest_opts d1 = {.content_size_known = true};
    CHECK(cachet_digest_new(ctx, &d1, &null, &err) == NULL);
    CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
    /* raw with a wrong count: the op fails, naming both numbers */
    cachet_membuf out = {0};
    cachet_sink ms = cachet_sink_membuf(&out);
    cachet_digest_opts d2 = {.raw = true, .content_size_known = true, .content_size = 5};
    cachet_op *op = cachet_digest_new(ctx, &d2, &ms, &err);
    CHECK(op != NULL);
    if (op != NULL) {
        CHECK_EQ_INT(cachet_op_update(op, (const uint8_t *)"abcd", 4), CACHET_OK);
        CHECK_EQ_INT(cachet_op_finish(op, NULL), CACHET_ERR_USAGE);
        CHECK(strstr(cachet_op_error(op)->message, "input was 4 bytes, content_size said 5") !=
              NULL);
        cachet_op_free(op);
    }
    cachet_membuf_free(&out);
    cachet_ctx_free(ctx);
}

static const cachet_test_case tests[] = {
    TEST_CASE(detached_and_content_size_are_for_raw_only),
    TEST_CASE(every_operation_streams_in_bounded_memory),
};

TEST_MAIN(tests)
