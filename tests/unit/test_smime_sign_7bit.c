/* The 7-bit rule of multipart/signed (RFC 8551 §3.1.2-3.1.3, smime/writer.h):
 * which entities are transfer-encoded and how, which are refused, the 1 MiB
 * lookahead, and arbitrary input never crashing the generator. */
#include "test_smime_sign_util.h"

static gen_id rsa_id, ec_id;
static bool ids_ready;

static bool setup(void) {
    if (!ids_ready) {
        ids_ready = gen_identity(&rsa_id, "rsa", "alice@example.com") &&
                    gen_identity(&ec_id, "p256", "carol@example.com");
        CHECK(ids_ready);
    }
    return ids_ready;
}

static bool all_7bit(const char *s) {
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p >= 0x80 || col > 998) {
            return false;
        }
        col = *p == '\n' ? 0 : col + 1;
    }
    return true;
}

/* Table: an entity that is not 7-bit safe gets the expected transfer encoding
 * in multipart/signed, and OpenSSL verifies the result. */
static void unsafe_entities_are_transfer_encoded_before_signing(void) {
    if (!setup()) {
        return;
    }
    char long_line[1300];
    memset(long_line, 'x', sizeof(long_line));
    memcpy(long_line, "Subject: l\n\n", 12);
    memcpy(long_line + sizeof(long_line) - 2, "\n", 2);
    static const char octets[] = "Content-Type: application/octet-stream\n\nA\x01\x80\xff\n";
    const struct {
        const char *name;
        const char *in;
        size_t len;
        const char *want; /* in part 1 */
        const char *absent;
    } cases[] = {
        {"8bit text",
         "Subject: x\nContent-Type: text/plain; charset=iso-8859-1\n"
         "Content-Transfer-Encoding: 8bit\n\ncaf\xe9\n",
         0, "Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n", "8bit"},
        {"8bit octets", octets, sizeof(octets) - 1, "Content-Transfer-Encoding: base64\r\n\r\n",
         "\x80"},
        {"long line", long_line, sizeof(long_line) - 1,
         "Content-Transfer-Encoding: quoted-printable\r\n", NULL},
        {"NUL byte", "Subject: n\n\na\0b\n", 16, "a=00b", NULL},
        {"binary", "Content-Type: image/png\nContent-Transfer-Encoding: binary\n\n\x89PNG\n", 0,
         "Content-Transfer-Encoding: base64\r\n\r\niVBORwo=\r\n", "binary"},
        {"ascii labelled 8bit", "Content-Transfer-Encoding: 8bit\n\nplain\n", 0,
         "Content-Transfer-Encoding: 7bit\r\n\r\nplain\r\n", "8bit"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_membuf out = {0};
        cachet_error err;
        cachet_sign_opts o = {.signer = rsa_id.cred};
        size_t len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].in);
        CHECK_EQ_INT(sign_msg(cases[i].in, len, &o, FEED_RANDOM, 0, &out, &err), CACHET_OK);
        char *s = gen_str(&out);
        char *p = part1(s);
        CHECK(p != NULL);
        if (p != NULL) {
            if (strstr(p, cases[i].want) == NULL) {
                fprintf(stderr, "case %s: part 1 is:\n%s\n", cases[i].name, p);
            }
            CHECK(strstr(p, cases[i].want) != NULL);
            CHECK(cases[i].absent == NULL || strstr(p, cases[i].absent) == NULL);
        }
        CHECK(all_7bit(s));
        size_t clen = 0;
        char *content = verified_content(&out, rsa_id.cert, &clen);
        CHECK(content != NULL);
        free(content);
        free(p);
        free(s);
        cachet_membuf_free(&out);
    }
}

static void eight_bit_multipart_is_refused_unless_opaque(void) {
    if (!setup()) {
        return;
    }
    const char *in = "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n\ncaf\xe9\n--XX--\n";
    cachet_membuf out = {0};
    cachet_error err;
    cachet_sign_opts o = {.signer = rsa_id.cred};
    CHECK_EQ_INT(sign_str(in, &o, &out, &err), CACHET_ERR_UNSUPPORTED);
    CHECK(strstr(err.message, "--opaque") != NULL);
    out.len = 0;
    o.opaque = true;
    CHECK_EQ_INT(sign_str(in, &o, &out, &err), CACHET_OK);
    size_t len = 0;
    char *content = verified_content(&out, rsa_id.cert, &len);
    CHECK(content != NULL && strstr(content, "caf\xe9\r\n") != NULL);
    free(content);
    cachet_membuf_free(&out);
}

/* A body longer than the 1 MiB lookahead is encoded without a verdict on the
 * rest: quoted-printable for text. */
static void text_beyond_the_lookahead_is_quoted_printable(void) {
    if (!setup()) {
        return;
    }
    size_t n = (3u << 19) + 100;
    char *in = malloc(n + 1);
    memcpy(in, "Subject: big\n\n", 14);
    for (size_t i = 14; i < n; i++) {
        in[i] = (i % 64) == 63 ? '\n' : (char)('a' + i % 26);
    }
    in[n] = '\0';
    cachet_membuf out = {0};
    cachet_error err;
    cachet_sign_opts o = {.signer = rsa_id.cred};
    CHECK_EQ_INT(sign_msg(in, n, &o, FEED_WHOLE, 0, &out, &err), CACHET_OK);
    char *s = gen_str(&out);
    char *p = part1(s);
    CHECK(p != NULL && strncmp(p,
                               "Content-Type: text/plain; charset=us-ascii\r\n"
                               "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                               89) == 0);
    size_t len = 0;
    char *content = verified_content(&out, rsa_id.cert, &len);
    CHECK(content != NULL);
    free(content);
    free(p);
    free(s);
    free(in);
    cachet_membuf_free(&out);
}

/* Arbitrary input (biased towards header syntax) in random chunks: every run
 * ends in CACHET_OK or a reported error, never a crash (run under ASan). */
static void random_input_never_crashes_the_generator(void) {
    if (!setup()) {
        return;
    }
    static const char alphabet[] = "Content-Type: multipart/ \r\n\n\t;=\"abc\x80\xff\x00";
    uint32_t seed = 2026;
    for (int round = 0; round < 200; round++) {
        size_t n = cachet_test_rand(&seed) % 3000;
        char *in = malloc(n + 1);
        for (size_t i = 0; i < n; i++) {
            in[i] = alphabet[cachet_test_rand(&seed) % (sizeof(alphabet) - 1)];
        }
        cachet_membuf out = {0};
        cachet_error err;
        cachet_sign_opts o = {.signer = ec_id.cred, .opaque = (round % 3) == 0};
        cachet_status st = sign_msg(in, n, &o, FEED_RANDOM, 0, &out, &err);
        CHECK(st == CACHET_OK || err.message[0] != '\0');
        if (st != CACHET_OK) {
            CHECK(st == CACHET_ERR_UNSUPPORTED || st == CACHET_ERR_MALFORMED ||
                  st == CACHET_ERR_LIMIT);
        }
        free(in);
        cachet_membuf_free(&out);
    }
}

static void teardown_last(void) {
    gen_identity_free(&rsa_id);
    gen_identity_free(&ec_id);
}

static const cachet_test_case tests[] = {
    TEST_CASE(unsafe_entities_are_transfer_encoded_before_signing),
    TEST_CASE(eight_bit_multipart_is_refused_unless_opaque),
    TEST_CASE(text_beyond_the_lookahead_is_quoted_printable),
    TEST_CASE(random_input_never_crashes_the_generator),
    TEST_CASE(teardown_last),
};
TEST_MAIN(tests)
