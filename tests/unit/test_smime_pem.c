/* PEM armor of raw CMS: round trips, OpenSSL agreement, chunked feeding, refusals. */
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "smime/pem.h"
#include "testlib.h"

static void fill(uint8_t *buf, size_t len, uint32_t seed) {
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)cachet_test_rand(&seed);
    }
}

/* decode_chunked feeds |pem| in chunks: 0 = whole, 1 = byte by byte, else random. */
static cachet_status decode_chunked(const uint8_t *pem, size_t len, int mode, uint32_t seed,
                                    cachet_membuf *out) {
    cachet_sink s = cachet_sink_membuf(out);
    cachet_error e;
    cachet_err_clear(&e);
    cachet_pem_reader *r = cachet_pem_reader_new(&s, &e);
    cachet_status st = CACHET_OK;
    size_t off = 0;
    while (st == CACHET_OK && off < len) {
        size_t n = mode == 0 ? len : mode == 1 ? 1 : 1 + cachet_test_rand(&seed) % 97;
        if (n > len - off) {
            n = len - off;
        }
        st = cachet_pem_reader_update(r, pem + off, n, &e);
        off += n;
    }
    if (st == CACHET_OK) {
        st = cachet_pem_reader_finish(r, &e);
    }
    cachet_pem_reader_free(r);
    return st;
}

static void known_answer_encoding(void) {
    cachet_membuf out = {0};
    CHECK_EQ_INT(cachet_pem_encode("CMS", (const uint8_t *)"\x00\x01\x02\x03", 4, &out, NULL),
                 CACHET_OK);
    const char *want = "-----BEGIN CMS-----\nAAECAw==\n-----END CMS-----\n";
    CHECK_MEM(out.data, out.len, want, strlen(want));
    cachet_membuf_free(&out);
}

static void encoding_matches_openssl_pem_writer(void) {
    static const size_t sizes[] = {1, 2, 3, 47, 48, 49, 100, 1000, 4099}; /* OpenSSL refuses 0 */
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t *data = malloc(sizes[i] + 1);
        fill(data, sizes[i], (uint32_t)i + 1);
        cachet_membuf ours = {0};
        CHECK_EQ_INT(cachet_pem_encode("CMS", data, sizes[i], &ours, NULL), CACHET_OK);
        BIO *bio = BIO_new(BIO_s_mem());
        CHECK(PEM_write_bio(bio, "CMS", "", data, (long)sizes[i]) > 0);
        char *theirs = NULL;
        long tlen = BIO_get_mem_data(bio, &theirs);
        CHECK_MEM(ours.data, ours.len, theirs, (size_t)tlen);
        BIO_free(bio);
        cachet_membuf_free(&ours);
        free(data);
    }
}

static void round_trip_whole_bytewise_and_random_chunks(void) {
    static const size_t sizes[] = {0, 1, 2, 3, 4, 63, 64, 65, 1000, 5000};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t *data = malloc(sizes[i] + 1);
        fill(data, sizes[i], (uint32_t)i + 11);
        cachet_membuf pem = {0};
        CHECK_EQ_INT(cachet_pem_encode("CMS", data, sizes[i], &pem, NULL), CACHET_OK);
        for (int mode = 0; mode < 3; mode++) {
            cachet_membuf back = {0};
            CHECK_EQ_INT(decode_chunked(pem.data, pem.len, mode, 5, &back), CACHET_OK);
            CHECK_MEM(back.data, back.len, data, sizes[i]);
            cachet_membuf_free(&back);
        }
        cachet_membuf_free(&pem);
        free(data);
    }
}

static void streaming_writer_accepts_any_chunking(void) {
    uint8_t data[777];
    fill(data, sizeof(data), 42);
    cachet_membuf whole = {0};
    CHECK_EQ_INT(cachet_pem_encode("CMS", data, sizeof(data), &whole, NULL), CACHET_OK);
    cachet_membuf pieces = {0};
    cachet_sink s = cachet_sink_membuf(&pieces);
    cachet_pem_writer *w = cachet_pem_writer_new("CMS", &s, NULL);
    cachet_sink ws = cachet_pem_writer_sink(w);
    uint32_t rng = 8;
    size_t off = 0;
    while (off < sizeof(data)) {
        size_t n = cachet_test_rand(&rng) % 10;
        if (n > sizeof(data) - off) {
            n = sizeof(data) - off;
        }
        CHECK_EQ_INT(cachet_sink_write(&ws, data + off, n), CACHET_OK);
        off += n;
    }
    CHECK_EQ_INT(cachet_pem_writer_finish(w, NULL), CACHET_OK);
    cachet_pem_writer_free(w);
    CHECK_MEM(pieces.data, pieces.len, whole.data, whole.len);
    cachet_membuf_free(&whole);
    cachet_membuf_free(&pieces);
}

typedef struct decode_case {
    const char *name;
    const char *pem;
    cachet_status want;
    const char *plain; /* expected output when OK */
} decode_case;

static const decode_case decode_cases[] = {
    {"pkcs7 label, CRLF, leading text",
     "junk before\r\n-----BEGIN PKCS7-----\r\nAAEC\r\nAw==\r\n-----END PKCS7-----\r\n", CACHET_OK,
     "\x00\x01\x02\x03"},
    {"one long line, no final newline",
     "-----BEGIN "
     "CMS-----"
     "\nYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5emFiY2RlZmdoaWprbG1ub3B"
     "xcnN0dXZ3eHl6\n-----END CMS-----",
     CACHET_OK, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"},
    {"trailing white space after END", "-----BEGIN CMS-----\nYQ==\n-----END CMS-----\n\n  \n",
     CACHET_OK, "a"},
    {"END label differs", "-----BEGIN CMS-----\nYQ==\n-----END PKCS7-----\n", CACHET_ERR_MALFORMED,
     NULL},
    {"END missing", "-----BEGIN CMS-----\nYQ==\n", CACHET_ERR_MALFORMED, NULL},
    {"no BEGIN at all", "MIIB\n", CACHET_ERR_MALFORMED, NULL},
    {"other label", "-----BEGIN CERTIFICATE-----\nYQ==\n-----END CERTIFICATE-----\n",
     CACHET_ERR_MALFORMED, NULL},
    {"bad character", "-----BEGIN CMS-----\nY*==\n-----END CMS-----\n", CACHET_ERR_MALFORMED, NULL},
    {"data after padding", "-----BEGIN CMS-----\nYQ==YQ==\n-----END CMS-----\n",
     CACHET_ERR_MALFORMED, NULL},
    {"truncated quantum", "-----BEGIN CMS-----\nYQ\n-----END CMS-----\n", CACHET_ERR_MALFORMED,
     NULL},
    {"RFC 1421 header", "-----BEGIN CMS-----\nProc-Type: 4,ENCRYPTED\n\nYQ==\n-----END CMS-----\n",
     CACHET_ERR_MALFORMED, NULL},
    {"text after END", "-----BEGIN CMS-----\nYQ==\n-----END CMS-----\nmore\n", CACHET_ERR_MALFORMED,
     NULL},
    /* Two encodings of one byte would let a forwarded message change unseen: the
     * padding bits must be zero (RFC 4648 §3.5), as the MIME decoder requires. */
    {"non-zero padding bits", "-----BEGIN CMS-----\nYR==\n-----END CMS-----\n",
     CACHET_ERR_MALFORMED, NULL},
};

static void decode_table(void) {
    for (size_t i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
        const decode_case *c = &decode_cases[i];
        for (int mode = 0; mode < 3; mode++) {
            cachet_membuf out = {0};
            cachet_status st =
                decode_chunked((const uint8_t *)c->pem, strlen(c->pem), mode, 77, &out);
            if (st != c->want) {
                fprintf(stderr, "case '%s' mode %d: status %d\n", c->name, mode, st);
            }
            CHECK_EQ_INT(st, c->want);
            if (c->plain != NULL && st == CACHET_OK) {
                size_t plen = c->plain[0] == '\0' ? 4 : strlen(c->plain);
                CHECK_MEM(out.data, out.len, c->plain, plen);
            }
            cachet_membuf_free(&out);
        }
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(known_answer_encoding),
    TEST_CASE(encoding_matches_openssl_pem_writer),
    TEST_CASE(round_trip_whole_bytewise_and_random_chunks),
    TEST_CASE(streaming_writer_accepts_any_chunking),
    TEST_CASE(decode_table),
};
TEST_MAIN(tests)
