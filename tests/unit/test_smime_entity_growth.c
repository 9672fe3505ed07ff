/* The protected entity's buffers (smime/writer_entity.c) are made on first use
 * and sized to the input (issue 6: a 4 KiB message no longer pays for 130 KiB
 * of buffers), growing up to their piece size for big input: the output is the
 * same whatever the chunking, small chunks never grow them, and the bytes are
 * those of a simple reference written here (canonical form; base64 decoded
 * back with OpenSSL). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/base.h"
#include "smime/writer.h"
#include "testlib.h"

/* ref_canon: every LF not after a CR gets one. */
static size_t ref_canon(const uint8_t *in, size_t len, uint8_t *out) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
            out[o++] = '\r';
        }
        out[o++] = in[i];
    }
    return o;
}

typedef enum body_kind { LF_TEXT, BINARY, EIGHT_BIT_TEXT } body_kind;

static const char *header_of(body_kind k) {
    switch (k) {
        case BINARY:
            return "Content-Type: application/octet-stream\r\n"
                   "Content-Transfer-Encoding: binary\r\n\r\n";
        case EIGHT_BIT_TEXT:
            return "Content-Type: text/plain; charset=utf-8\r\n\r\n";
        default:
            return "Content-Type: text/plain\r\n\r\n";
    }
}

static void make_body(body_kind k, uint8_t *b, size_t len, uint32_t *seed) {
    for (size_t i = 0; i < len; i++) {
        uint32_t r = cachet_test_rand(seed);
        if (k == BINARY) {
            b[i] = (uint8_t)r;
        } else if (r % 50 == 0) {
            b[i] = '\n';
        } else if (k == EIGHT_BIT_TEXT && r % 97 == 1) {
            b[i] = 0xc3;
        } else {
            b[i] = (uint8_t)('a' + r % 26);
        }
    }
}

typedef struct fed {
    cachet_membuf out;
    size_t scratch_cap, encoded_cap; /* at the end */
} fed;

/* run feeds header and body to an entity, the body in chunks of at most
 * |max_chunk| bytes (random sizes when |seed|, else exactly |max_chunk|). */
static bool run(body_kind k, bool seven_bit, const uint8_t *body, size_t len, size_t max_chunk,
                uint32_t *seed, fed *f) {
    memset(f, 0, sizeof(*f));
    cachet_smime_split split;
    cachet_smime_split_init(&split, 4096);
    const char *h = header_of(k);
    size_t used = 0;
    cachet_error err;
    cachet_err_clear(&err);
    bool ok =
        cachet_smime_split_push(&split, (const uint8_t *)h, strlen(h), &used, &err) == CACHET_OK &&
        split.done && used == strlen(h) && split.leftover.len == 0;
    cachet_sink sink = cachet_sink_membuf(&f->out);
    cachet_smime_entity e;
    memset(&e, 0, sizeof(e));
    ok = ok && cachet_smime_entity_begin(&e, &split, seven_bit, &sink, &err) == CACHET_OK;
    for (size_t at = 0; ok && at < len;) {
        size_t n = seed != NULL ? 1 + cachet_test_rand(seed) % max_chunk : max_chunk;
        n = n < len - at ? n : len - at;
        ok = cachet_smime_entity_body(&e, body + at, n, &err) == CACHET_OK;
        at += n;
    }
    ok = ok && cachet_smime_entity_finish(&e, &err) == CACHET_OK;
    f->scratch_cap = e.scratch_cap;
    f->encoded_cap = e.encoded_cap;
    CHECK(e.scratch_used <= e.scratch_cap && e.encoded_used <= e.encoded_cap);
    cachet_smime_entity_free(&e);
    CHECK(e.scratch == NULL && e.encoded == NULL);
    cachet_smime_split_free(&split);
    return ok;
}

/* body_of: the bytes after the entity's header. */
static const uint8_t *body_of(const cachet_membuf *out, size_t *len) {
    for (size_t i = 0; i + 4 <= out->len; i++) {
        if (memcmp(out->data + i, "\r\n\r\n", 4) == 0) {
            *len = out->len - i - 4;
            return out->data + i + 4;
        }
    }
    *len = 0;
    return NULL;
}

/* check_reference: unencoded output is the canonical body; base64 output
 * decodes to the body. */
static void check_reference(body_kind k, bool seven_bit, const uint8_t *body, size_t len,
                            const cachet_membuf *out) {
    size_t got_len = 0;
    const uint8_t *got = body_of(out, &got_len);
    CHECK(got != NULL);
    if (got == NULL) {
        return;
    }
    if (k == BINARY && seven_bit) {
        uint8_t *b64 = calloc(1, got_len + 1);
        size_t n = 0;
        for (size_t i = 0; i < got_len; i++) {
            if (got[i] != '\r' && got[i] != '\n') {
                b64[n++] = got[i];
            }
        }
        uint8_t *dec = malloc(n / 4 * 3 + 3);
        int d = EVP_DecodeBlock(dec, b64, (int)n);
        size_t pad = n >= 2 ? (size_t)(b64[n - 1] == '=') + (size_t)(b64[n - 2] == '=') : 0;
        CHECK(d >= 0 && (size_t)d - pad == len);
        CHECK_MEM(dec, (size_t)d - pad, body, len);
        free(b64);
        free(dec);
    } else if (k == BINARY) {
        CHECK_MEM(got, got_len, body, len); /* binary is never converted */
    } else if (k == LF_TEXT) {
        uint8_t *canon = malloc(2 * len + 1);
        size_t cl = ref_canon(body, len, canon);
        CHECK_MEM(got, got_len, canon, cl);
        free(canon);
    }
}

static void output_is_the_same_for_any_chunking_and_any_size(void) {
    static const size_t sizes[] = {0, 1, 100, 4096, 40000, 70000, 300000};
    static const body_kind kinds[] = {LF_TEXT, BINARY, EIGHT_BIT_TEXT};
    uint32_t seed = 606;
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        for (size_t ki = 0; ki < sizeof(kinds) / sizeof(kinds[0]); ki++) {
            for (int sb = 0; sb < 2; sb++) {
                size_t len = sizes[si];
                uint8_t *body = malloc(len + 1);
                make_body(kinds[ki], body, len, &seed);
                fed whole, bytes, random, growing;
                CHECK(run(kinds[ki], sb, body, len, len > 0 ? len : 1, NULL, &whole));
                check_reference(kinds[ki], sb, body, len, &whole.out);
                CHECK(run(kinds[ki], sb, body, len, 7, &seed, &random));
                CHECK_MEM(random.out.data, random.out.len, whole.out.data, whole.out.len);
                if (len <= 70000) {
                    CHECK(run(kinds[ki], sb, body, len, 1, NULL, &bytes));
                    CHECK_MEM(bytes.out.data, bytes.out.len, whole.out.data, whole.out.len);
                    cachet_membuf_free(&bytes.out);
                }
                /* chunks from 1 byte up to 100 KiB: the buffers grow on the way */
                CHECK(run(kinds[ki], sb, body, len, 100000, &seed, &growing));
                CHECK_MEM(growing.out.data, growing.out.len, whole.out.data, whole.out.len);
                cachet_membuf_free(&whole.out);
                cachet_membuf_free(&random.out);
                cachet_membuf_free(&growing.out);
                free(body);
            }
        }
    }
}

/* A 4 KiB body needs buffers of a few KiB; one fed in 7-byte chunks, tiny
 * ones; canonical input with nothing to encode, none at all. */
static void small_input_makes_small_buffers(void) {
    uint32_t seed = 77;
    uint8_t body[4096];
    fed f;
    make_body(LF_TEXT, body, sizeof(body), &seed);
    CHECK(run(LF_TEXT, false, body, sizeof(body), sizeof(body), NULL, &f));
    CHECK(f.scratch_cap > 0 && f.scratch_cap <= 2 * sizeof(body) && f.encoded_cap == 0);
    cachet_membuf_free(&f.out);
    CHECK(run(LF_TEXT, false, body, sizeof(body), 7, &seed, &f));
    CHECK(f.scratch_cap > 0 && f.scratch_cap <= 64);
    cachet_membuf_free(&f.out);
    make_body(BINARY, body, sizeof(body), &seed);
    CHECK(run(BINARY, true, body, sizeof(body), sizeof(body), NULL, &f));
    CHECK(f.scratch_cap == 0 && f.encoded_cap > 0 &&
          f.encoded_cap <= CACHET_MIME_B64ENC_MAX(sizeof(body)));
    cachet_membuf_free(&f.out);
    for (size_t i = 0; i < sizeof(body); i++) {
        body[i] = i % 64 == 63 ? '\n' : 'x';
    }
    uint8_t crlf[4096 + 64];
    size_t n = ref_canon(body, sizeof(body), crlf);
    CHECK(run(LF_TEXT, true, crlf, n, n, NULL, &f));
    CHECK(f.scratch_cap == 0 && f.encoded_cap == 0);
    cachet_membuf_free(&f.out);
}

/* Out of memory while growing a buffer is an error, never a crash. */
static void allocation_failure_while_growing_is_an_error(void) {
    uint32_t seed = 9;
    size_t len = 50000;
    uint8_t *body = malloc(len);
    make_body(BINARY, body, len, &seed);
    for (unsigned long n = 1; n <= 8; n++) {
        fed f;
        cachet_alloc_fail_after(n);
        bool ok = run(BINARY, true, body, len, 3000, &seed, &f);
        cachet_alloc_fail_after(0);
        if (ok) {
            check_reference(BINARY, true, body, len, &f.out);
        }
        cachet_membuf_free(&f.out);
    }
    free(body);
}

static const cachet_test_case tests[] = {
    TEST_CASE(output_is_the_same_for_any_chunking_and_any_size),
    TEST_CASE(small_input_makes_small_buffers),
    TEST_CASE(allocation_failure_while_growing_is_an_error),
};

int main(int argc, char **argv) {
    return cachet_test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
