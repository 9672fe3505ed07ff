/* cachet_mime_parser_skip_decode: a headers_end callback can leave a leaf's body
 * undecoded (raw only, encoding unchecked); every other part, and every parser
 * that does not ask, behaves as before. */
#include <stdlib.h>

#include "mime/internal.h"
#include "testlib.h"

typedef struct capture {
    cachet_mime_parser *p;
    const char *skip;     /* path whose headers_end asks for no decoding */
    bool skip_everywhere; /* ask in every headers_end (multiparts too) */
    cachet_membuf raw[4]; /* body raw bytes of parts "", "1", "2", "1.1" */
    cachet_membuf dec[4];
    size_t body_calls_with_decoded;
} capture;

static int slot(const char *path) {
    static const char *const paths[] = {"", "1", "2", "1.1"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(paths[i], path) == 0) {
            return i;
        }
    }
    return -1;
}

static cachet_status on_headers_end(void *arg, const cachet_mime_part_info *info, bool *descend) {
    capture *c = arg;
    (void)descend;
    if (c->skip_everywhere || (c->skip != NULL && strcmp(c->skip, info->path) == 0)) {
        cachet_mime_parser_skip_decode(c->p);
    }
    return CACHET_OK;
}

static cachet_status on_body(void *arg, const char *path, const uint8_t *raw, size_t raw_len,
                             const uint8_t *dec, size_t dec_len) {
    capture *c = arg;
    int i = slot(path);
    if (i < 0 || !cachet_membuf_append(&c->raw[i], raw, raw_len) ||
        !cachet_membuf_append(&c->dec[i], dec, dec_len)) {
        return CACHET_ERR_NOMEM;
    }
    c->body_calls_with_decoded += dec_len > 0;
    return CACHET_OK;
}

/* Parses |msg| in pieces of at most |piece| bytes (0: whole) into |c|. */
static cachet_status parse(const char *msg, size_t piece, capture *c, bool call_before) {
    cachet_mime_callbacks cb = {.arg = c, .headers_end = on_headers_end, .body = on_body};
    c->p = cachet_mime_parser_new(NULL, &cb);
    if (call_before) {
        cachet_mime_parser_skip_decode(c->p); /* outside headers_end: no effect */
    }
    size_t len = strlen(msg);
    if (piece == 0) {
        piece = len;
    }
    cachet_status st = CACHET_OK;
    for (size_t at = 0; at < len && st == CACHET_OK; at += piece) {
        size_t n = len - at < piece ? len - at : piece;
        st = cachet_mime_parser_update(c->p, (const uint8_t *)msg + at, n);
    }
    if (st == CACHET_OK) {
        st = cachet_mime_parser_finish(c->p);
    }
    cachet_mime_parser_free(c->p);
    return st;
}

static void capture_free(capture *c) {
    for (int i = 0; i < 4; i++) {
        cachet_membuf_free(&c->raw[i]);
        cachet_membuf_free(&c->dec[i]);
    }
}

#define GOOD_B64 "aGVsbG8gd29y\r\nbGQ="
#define BAD_QP "a=3d=ZZ\r\nb=C3="
static const char msg[] =
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=zz\r\n\r\n"
    "--zz\r\nContent-Transfer-Encoding: base64\r\n\r\n" GOOD_B64 "\r\n"
    "--zz\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" BAD_QP "\r\n"
    "--zz--\r\n";

static void skipped_leaf_gets_raw_bytes_only_and_is_not_checked(void) {
    static const size_t pieces[] = {0, 1, 2, 7, 64};
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        capture c = {.skip = "2"};
        CHECK_EQ_INT(parse(msg, pieces[i], &c, false), CACHET_OK);
        CHECK_MEM(c.raw[2].data, c.raw[2].len, BAD_QP, strlen(BAD_QP));
        CHECK_EQ_INT(c.dec[2].len, 0);
        /* The other leaf is decoded as usual. */
        CHECK_MEM(c.raw[1].data, c.raw[1].len, GOOD_B64, strlen(GOOD_B64));
        CHECK_MEM(c.dec[1].data, c.dec[1].len, "hello world", 11);
        capture_free(&c);
    }
}

static void without_the_call_the_body_is_decoded_and_checked(void) {
    static const size_t pieces[] = {0, 1, 5};
    const char *bad = strstr(msg, "=ZZ");
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        capture c = {.skip = NULL};
        CHECK_EQ_INT(parse(msg, pieces[i], &c, true), CACHET_ERR_MALFORMED);
        capture_free(&c);
        /* The offset of the bad sequence, with the call made outside headers_end. */
        capture d = {.skip = NULL};
        cachet_mime_callbacks cb2 = {.arg = &d, .headers_end = on_headers_end, .body = on_body};
        cachet_mime_parser *p = cachet_mime_parser_new(NULL, &cb2);
        d.p = p;
        cachet_mime_parser_skip_decode(p);
        cachet_status st = cachet_mime_parser_update(p, (const uint8_t *)msg, strlen(msg));
        CHECK_EQ_INT(st, CACHET_ERR_MALFORMED);
        CHECK_EQ_INT(cachet_mime_parser_error(p)->offset, (long long)(bad - msg) + 1);
        cachet_mime_parser_free(p);
        capture_free(&d);
    }
}

static void asking_for_a_multipart_changes_nothing_below_it(void) {
    static const char nested[] = "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
                                 "--o\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n"
                                 "--i\r\nContent-Transfer-Encoding: base64\r\n\r\n" GOOD_B64 "\r\n"
                                 "--i--\r\n--o--\r\n";
    capture c = {.skip = "1"};
    CHECK_EQ_INT(parse(nested, 0, &c, false), CACHET_OK);
    CHECK_MEM(c.dec[3].data, c.dec[3].len, "hello world", 11);
    capture_free(&c);
    /* Asked everywhere: the leaf at the bottom is raw too, truncated base64
     * included (no "ends mid-sequence" error at its end). */
    static const char cut[] =
        "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
        "--o\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8\r\n--o--\r\n";
    capture e = {.skip_everywhere = true};
    CHECK_EQ_INT(parse(cut, 3, &e, false), CACHET_OK);
    CHECK_MEM(e.raw[1].data, e.raw[1].len, "aGVsbG8", 7);
    CHECK_EQ_INT(e.body_calls_with_decoded, 0);
    capture_free(&e);
    capture f = {.skip = NULL};
    CHECK_EQ_INT(parse(cut, 3, &f, false), CACHET_ERR_MALFORMED);
    capture_free(&f);
}

static const cachet_test_case tests[] = {
    TEST_CASE(skipped_leaf_gets_raw_bytes_only_and_is_not_checked),
    TEST_CASE(without_the_call_the_body_is_decoded_and_checked),
    TEST_CASE(asking_for_a_multipart_changes_nothing_below_it),
};
TEST_MAIN(tests)
