/* Real-world mail from other implementations ($CACHET_VECTORS) through the parser. */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>

#include "mime/internal.h"
#include "testlib.h"

static cachet_status parse_file(const char *path, cachet_mime_recorder *r, bool *read_ok) {
    size_t len = 0;
    uint8_t *data = cachet_test_read_file(path, &len);
    *read_ok = data != NULL;
    if (data == NULL) {
        memset(r, 0, sizeof(*r));
        return CACHET_ERR_IO;
    }
    /* Random chunks: real mail must not depend on where the input is cut. */
    size_t cuts[64];
    uint32_t seed = (uint32_t)len | 1;
    size_t n = 0;
    for (size_t at = 0; n < 64 && len > 0;) {
        at += 1 + cachet_test_rand(&seed) % (len / 32 + 2);
        if (at >= len) {
            break;
        }
        cuts[n++] = at;
    }
    cachet_status st = cachet_mime_record_run(data, len, cuts, n, 0, NULL, NULL, r);
    free(data);
    return st;
}

/* Files we refuse on purpose. multipart-alternative.eml (an EFAIL test) ends its
 * multipart with "--BOUNDARY" and no close-delimiter: a truncated multipart is
 * refused so that nothing can be appended to a signed message unnoticed. */
static const struct {
    const char *suffix;
    cachet_status status;
} expected_errors[] = {
    {"mail-test-browser-smime-data/multipart-alternative.eml", CACHET_ERR_MALFORMED},
};

/* Parses every .eml under |dir| (recursively); all must parse. */
static void parse_tree(const char *dir, size_t *count) {
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(path, &sb) != 0) {
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            parse_tree(path, count);
            continue;
        }
        size_t nl = strlen(e->d_name);
        if (nl < 4 || strcmp(e->d_name + nl - 4, ".eml") != 0) {
            continue;
        }
        cachet_mime_recorder r;
        bool read_ok;
        cachet_status st = parse_file(path, &r, &read_ok);
        cachet_status want = CACHET_OK;
        for (size_t i = 0; i < sizeof(expected_errors) / sizeof(expected_errors[0]); i++) {
            size_t sl = strlen(expected_errors[i].suffix);
            if (strlen(path) >= sl &&
                strcmp(path + strlen(path) - sl, expected_errors[i].suffix) == 0) {
                want = expected_errors[i].status;
            }
        }
        if (st != want) {
            fprintf(stderr, "%s: %.*s\n", path, (int)(r.log.len > 300 ? 300 : r.log.len),
                    r.log.len > 300 ? (const char *)r.log.data + r.log.len - 300
                                    : (const char *)r.log.data);
        }
        CHECK_EQ_INT(st, want);
        (*count)++;
        cachet_mime_record_free(&r);
    }
    closedir(d);
}

static void every_thunderbird_and_bc_message_parses(void) {
    size_t count = 0;
    parse_tree(cachet_test_vector_path("thunderbird-comm-central"), &count);
    parse_tree(cachet_test_vector_path("bcjava-smime"), &count);
    CHECK(count >= 100);
}

typedef struct collect {
    const char *want;
    cachet_membuf buf;
} collect;

static cachet_status collect_body(void *arg, const char *path, const uint8_t *raw, size_t raw_len,
                                  const uint8_t *dec, size_t dec_len) {
    collect *c = arg;
    (void)raw;
    (void)raw_len;
    if (strcmp(path, c->want) == 0 && !cachet_membuf_append(&c->buf, dec, dec_len)) {
        return CACHET_ERR_NOMEM;
    }
    return CACHET_OK;
}

static void rfc4134_4_8_splits_into_signed_part_and_der_signature(void) {
    cachet_mime_recorder r;
    bool read_ok;
    cachet_status st = parse_file(cachet_test_vector_path("rfc4134-bcjava/4.8.eml"), &r, &read_ok);
    CHECK(read_ok);
    CHECK_EQ_INT(st, CACHET_OK);
    const cachet_membuf *p1 = cachet_mime_record_raw(&r, "1");
    /* The file has LF line ends; the verifier hashes the canonical (CRLF) form. */
    const char want[] = "\r\nThis is some sample content.";
    CHECK(p1 != NULL);
    if (p1 != NULL) {
        uint8_t canon[128];
        cachet_mime_canon c;
        cachet_mime_canon_init(&c);
        CHECK(p1->len <= 64);
        size_t n = cachet_mime_canon_update(&c, p1->data, p1->len < 64 ? p1->len : 64, canon);
        CHECK_MEM(canon, n, want, sizeof(want) - 1);
    }
    cachet_mime_record_free(&r);
    /* Part 2's decoded body is exactly one DER SEQUENCE with a definite length. */
    size_t len = 0;
    uint8_t *data = cachet_test_read_file(cachet_test_vector_path("rfc4134-bcjava/4.8.eml"), &len);
    if (data == NULL) {
        cachet_test_failures++;
        return;
    }
    collect col = {.want = "2", .buf = {.max = 1 << 20}};
    cachet_mime_callbacks cb = {.arg = &col, .body = collect_body};
    cachet_mime_parser *p = cachet_mime_parser_new(NULL, &cb);
    CHECK_EQ_INT(cachet_mime_parser_update(p, data, len), CACHET_OK);
    CHECK_EQ_INT(cachet_mime_parser_finish(p), CACHET_OK);
    cachet_mime_parser_free(p);
    free(data);
    const uint8_t *d = col.buf.data;
    CHECK(col.buf.len > 4);
    if (col.buf.len > 4) {
        CHECK_EQ_INT(d[0], 0x30);
        size_t body = 0, hdr = 2;
        if (d[1] < 0x80) {
            body = d[1];
        } else {
            size_t nb = d[1] & 0x7f;
            hdr = 2 + nb;
            for (size_t i = 0; i < nb; i++) {
                body = body << 8 | d[2 + i];
            }
        }
        CHECK_EQ_INT(hdr + body, col.buf.len);
    }
    cachet_membuf_free(&col.buf);
}

/* Differential check of raw-part exactness: for every multipart/signed message in
 * the corpus, part 1's raw bytes (canonicalised) and part 2's decoded body are
 * handed to OpenSSL's CMS_verify (signature only, no chain). If we cut part 1 one
 * byte wrong, the digest differs and OpenSSL says no. */
typedef struct signed_split {
    bool is_signed;
    cachet_membuf part1, sig;
    cachet_mime_canon canon;
} signed_split;

static cachet_status split_end(void *arg, const cachet_mime_part_info *info, bool *descend) {
    signed_split *s = arg;
    if (info->path[0] == '\0') {
        s->is_signed = cachet_mime_ctype_is(info->ctype, "multipart", "signed");
    }
    if (info->path[0] != '\0') {
        *descend = false; /* the signed part is hashed as bytes */
    }
    return CACHET_OK;
}

static cachet_status split_raw(void *arg, const char *path, const uint8_t *d, size_t n) {
    signed_split *s = arg;
    if (strcmp(path, "1") != 0) {
        return CACHET_OK;
    }
    uint8_t *tmp = malloc(2 * n + 1);
    size_t k = cachet_mime_canon_update(&s->canon, d, n, tmp);
    bool ok = cachet_membuf_append(&s->part1, tmp, k);
    free(tmp);
    return ok ? CACHET_OK : CACHET_ERR_NOMEM;
}

static cachet_status split_body(void *arg, const char *path, const uint8_t *raw, size_t raw_len,
                                const uint8_t *dec, size_t dec_len) {
    signed_split *s = arg;
    (void)raw;
    (void)raw_len;
    if (strcmp(path, "2") == 0 && !cachet_membuf_append(&s->sig, dec, dec_len)) {
        return CACHET_ERR_NOMEM;
    }
    return CACHET_OK;
}

/* Returns 1 verified, 0 not verified, -1 not multipart/signed or unparsable. */
static int verify_signed_file(const char *path) {
    size_t len = 0;
    uint8_t *data = cachet_test_read_file(path, &len);
    if (data == NULL) {
        return -1;
    }
    signed_split s = {.part1 = {.max = 1 << 26}, .sig = {.max = 1 << 24}};
    cachet_mime_canon_init(&s.canon);
    cachet_mime_callbacks cb = {
        .arg = &s, .headers_end = split_end, .part_raw = split_raw, .body = split_body};
    cachet_mime_parser *p = cachet_mime_parser_new(NULL, &cb);
    cachet_status st = cachet_mime_parser_update(p, data, len);
    if (st == CACHET_OK) {
        st = cachet_mime_parser_finish(p);
    }
    cachet_mime_parser_free(p);
    free(data);
    int result = -1;
    if (st == CACHET_OK && s.is_signed && s.sig.len > 0) {
        const unsigned char *q = s.sig.data;
        CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &q, (long)s.sig.len);
        BIO *content =
            BIO_new_mem_buf(s.part1.data ? (const void *)s.part1.data : "", (int)s.part1.len);
        result = 0;
        if (cms != NULL && content != NULL &&
            CMS_verify(cms, NULL, NULL, content, NULL, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) ==
                1) {
            result = 1;
        }
        ERR_clear_error();
        BIO_free(content);
        CMS_ContentInfo_free(cms);
    }
    cachet_membuf_free(&s.part1);
    cachet_membuf_free(&s.sig);
    return result;
}

static void signed_parts_verify_with_openssl(void) {
    /* Messages whose signature OpenSSL verifies over the correct signed part
     * (MANIFEST.md): any byte too many or too few in part 1 breaks them. */
    static const char *const must_verify[] = {
        "rfc4134-bcjava/4.8.eml",
        "bcjava-smime/mail-smime/3nnn_smime.eml",
        "bcjava-smime/mail-smime/extra-nl.eml",
        "bcjava-smime/mail-smime/multi-alternative.eml",
        "bcjava-smime/mail-smime/qp-soft-break.eml",
        "bcjava-smime/mail-smime/openssl-signed-sha256-non-default-salt-length.eml",
        "bcjava-smime/mail-smime/circular.eml",
        "bcjava-smime/mail-smime/validator.expired.eml",
        "bcjava-smime/mail-smime/validator.longValidity.eml",
    };
    for (size_t i = 0; i < sizeof(must_verify) / sizeof(must_verify[0]); i++) {
        int r = verify_signed_file(cachet_test_vector_path(must_verify[i]));
        if (r != 1) {
            fprintf(stderr, "%s: signed part does not verify (%d)\n", must_verify[i], r);
            cachet_test_failures++;
        }
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(every_thunderbird_and_bc_message_parses),
    TEST_CASE(rfc4134_4_8_splits_into_signed_part_and_der_signature),
    TEST_CASE(signed_parts_verify_with_openssl),
};
TEST_MAIN(tests)
