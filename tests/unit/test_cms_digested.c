/* DigestedData (RFC 5652 §7): our writer and reader round-tripped with every
 * way of feeding them, RFC 4134 §6 (SHA-1, from Bouncy Castle's copy), the
 * policy on weak digests, tampering, limits, and interop with
 * `openssl cms -digest_create` / `-digest_verify` both ways. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cms/digested.h"
#include "testlib.h"

typedef enum feed_mode { FEED_WHOLE, FEED_BYTES, FEED_RANDOM } feed_mode;

static size_t next_chunk(feed_mode mode, size_t remaining, uint32_t *rng) {
    size_t n;
    if (mode == FEED_WHOLE) {
        return remaining;
    }
    if (mode == FEED_BYTES) {
        return remaining > 0 ? 1 : 0;
    }
    n = 1 + cachet_test_rand(rng) % 600;
    return n < remaining ? n : remaining;
}

static cachet_status dg_write(cachet_md md, cachet_oid ct, const uint8_t *msg, size_t len,
                              feed_mode mode, cachet_membuf *out, cachet_error *err) {
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_cms_digest *d = cachet_cms_digest_new(md, ct, &sink, err);
    uint32_t rng = 99;
    cachet_status st = CACHET_OK;
    size_t off = 0;
    if (d == NULL) {
        return err->status;
    }
    while (st == CACHET_OK && off < len) {
        size_t n = next_chunk(mode, len - off, &rng);
        st = cachet_cms_digest_update(d, msg + off, n, err);
        off += n;
    }
    if (st == CACHET_OK) {
        st = cachet_cms_digest_finish(d, err);
    }
    cachet_cms_digest_free(d);
    return st;
}

static cachet_status dg_read(const cachet_cms_policy *policy, const cachet_cms_limits *limits,
                             const uint8_t *der, size_t len, feed_mode mode, cachet_membuf *out,
                             cachet_layer_report *rep, cachet_oid *ct, cachet_error *err) {
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_cms_undigest *u = cachet_cms_undigest_new(policy, limits, &sink, err);
    uint32_t rng = 7;
    cachet_status st = CACHET_OK;
    size_t off = 0;
    if (u == NULL) {
        return err->status;
    }
    while (st == CACHET_OK && off < len) {
        size_t n = next_chunk(mode, len - off, &rng);
        st = cachet_cms_undigest_update(u, der + off, n, err);
        off += n;
    }
    if (st == CACHET_OK) {
        st = cachet_cms_undigest_finish(u, rep, err);
    }
    if (ct != NULL) {
        *ct = cachet_cms_undigest_content_type(u);
    }
    cachet_cms_undigest_free(u);
    return st;
}

static size_t sample(uint8_t *buf, size_t len) {
    uint32_t rng = 31337;
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)cachet_test_rand(&rng);
    }
    return len;
}

/* version_of reads DigestedData.version from a (BER) ContentInfo. */
static long version_of(const uint8_t *ber, size_t len) {
    uint8_t *der = NULL;
    size_t der_len = 0;
    cachet_error err;
    cachet_cbs in, ci, skip, content, dd;
    uint64_t v = 99;
    cachet_err_clear(&err);
    if (cachet_ber_to_der(ber, len, NULL, &der, &der_len, &err) != CACHET_OK) {
        return -1;
    }
    cachet_cbs_init(&in, der, der_len);
    if (!cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) ||
        !cachet_cbs_get_asn1(&ci, &content, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&content, &dd, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1_uint64(&dd, &v)) {
        v = 98;
    }
    cachet_free(der);
    return (long)v;
}

static void round_trip_every_digest_content_type_and_chunking(void) {
    static const struct {
        cachet_md md;
        cachet_oid ct;
        const char *md_name;
        const char *ct_name;
        long version;
    } cases[] = {
        {CACHET_MD_SHA256, CACHET_OID_UNKNOWN, "sha256", "id-data", 0},
        {CACHET_MD_SHA384, CACHET_OID_DATA, "sha384", "id-data", 0},
        {CACHET_MD_SHA512, CACHET_OID_SIGNED_DATA, "sha512", "id-signedData", 2},
        {CACHET_MD_SHA256, CACHET_OID_CT_TSTINFO, "sha256", NULL, 2},
    };
    static const size_t sizes[] = {0, 1, 4096, 70001};
    uint8_t *msg = malloc(70001);
    sample(msg, 70001);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            for (int wmode = FEED_WHOLE; wmode <= FEED_RANDOM; wmode++) {
                cachet_membuf out = {0};
                cachet_error err;
                if (sizes[s] > 5000 && wmode == FEED_BYTES) {
                    continue;
                }
                cachet_err_clear(&err);
                CHECK_EQ_INT(
                    dg_write(cases[i].md, cases[i].ct, msg, sizes[s], (feed_mode)wmode, &out, &err),
                    CACHET_OK);
                /* R5652-7-1: version 0 for id-data, 2 for anything else. */
                CHECK_EQ_INT(version_of(out.data, out.len), cases[i].version);
                for (int rmode = FEED_WHOLE; rmode <= FEED_RANDOM; rmode++) {
                    cachet_membuf pt = {0};
                    cachet_layer_report rep;
                    cachet_oid ct = CACHET_OID_UNKNOWN;
                    memset(&rep, 0xff, sizeof(rep));
                    cachet_err_clear(&err);
                    CHECK_EQ_INT(dg_read(NULL, NULL, out.data, out.len, (feed_mode)rmode, &pt, &rep,
                                         &ct, &err),
                                 CACHET_OK);
                    CHECK_MEM(pt.data, pt.len, msg, sizes[s]);
                    CHECK_EQ_INT(rep.type, CACHET_LAYER_DIGESTED);
                    CHECK_STR(rep.digest_algorithm, cases[i].md_name);
                    CHECK_EQ_INT(rep.digest_valid, true);
                    CHECK_EQ_INT(rep.weak, false);
                    CHECK_EQ_INT(ct,
                                 cases[i].ct == CACHET_OID_UNKNOWN ? CACHET_OID_DATA : cases[i].ct);
                    if (cases[i].ct_name != NULL) {
                        CHECK_STR(rep.content_type, cases[i].ct_name);
                    }
                    cachet_membuf_free(&pt);
                }
                cachet_membuf_free(&out);
            }
        }
    }
    free(msg);
}

static void writer_refuses_weak_or_unknown_digests(void) {
    static const cachet_md bad[] = {CACHET_MD_MD5, CACHET_MD_SHA1, CACHET_MD_SHA224,
                                    CACHET_MD_NONE};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cachet_membuf out = {0};
        cachet_sink sink = cachet_sink_membuf(&out);
        cachet_error err;
        cachet_err_clear(&err);
        CHECK(cachet_cms_digest_new(bad[i], CACHET_OID_DATA, &sink, &err) == NULL);
        CHECK_EQ_INT(err.status, CACHET_ERR_USAGE);
        CHECK_EQ_INT(out.len, 0);
    }
}

/* have_vectors: cachet_test_vector_path exits (77) without the corpus, which
 * would skip the tests after this one too; say SKIP for this test alone. */
static bool have_vectors(void) {
    const char *base = getenv("CACHET_VECTORS");
    struct stat st;
    if (base == NULL) {
        base = "../shared/vectors";
    }
    if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP: the shared vector corpus is not at %s (set CACHET_VECTORS)\n", base);
        return false;
    }
    return true;
}

static void rfc4134_6_0_sha1_valid_only_with_allow_weak(void) {
    cachet_cms_policy weak = {.allow_weak = true};
    size_t len = 0, ex_len = 0;
    uint8_t *der, *ex;
    if (!have_vectors()) {
        return;
    }
    der = cachet_test_read_file(cachet_test_vector_path("rfc4134-bcjava/6.0.bin"), &len);
    ex = cachet_test_read_file(cachet_test_vector_path("rfc4134-bcjava/ExContent.bin"), &ex_len);
    CHECK(der != NULL && ex != NULL);
    for (int mode = FEED_WHOLE; der != NULL && ex != NULL && mode <= FEED_RANDOM; mode++) {
        cachet_membuf pt = {0};
        cachet_layer_report rep;
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(dg_read(NULL, NULL, der, len, (feed_mode)mode, &pt, &rep, NULL, &err),
                     CACHET_ERR_POLICY);
        CHECK_EQ_INT(pt.len, 0);
        CHECK(strstr(err.message, "sha1") != NULL);
        cachet_err_clear(&err);
        CHECK_EQ_INT(dg_read(&weak, NULL, der, len, (feed_mode)mode, &pt, &rep, NULL, &err),
                     CACHET_OK);
        CHECK_MEM(pt.data, pt.len, ex, ex_len);
        CHECK_STR(rep.digest_algorithm, "sha1");
        CHECK_EQ_INT(rep.digest_valid, true);
        CHECK_EQ_INT(rep.weak, true);
        CHECK_STR(rep.content_type, "id-data");
        cachet_membuf_free(&pt);
    }
    free(der);
    free(ex);
}

/* make_der: our SHA-256 DigestedData over |msg|, normalised to DER so bytes
 * can be found and changed. */
static uint8_t *make_der(const uint8_t *msg, size_t len, size_t *der_len) {
    cachet_membuf out = {0};
    cachet_error err;
    uint8_t *der = NULL;
    cachet_err_clear(&err);
    CHECK_EQ_INT(dg_write(CACHET_MD_SHA256, CACHET_OID_DATA, msg, len, FEED_WHOLE, &out, &err),
                 CACHET_OK);
    CHECK_EQ_INT(cachet_ber_to_der(out.data, out.len, NULL, &der, der_len, &err), CACHET_OK);
    cachet_membuf_free(&out);
    return der;
}

static size_t find(const uint8_t *hay, size_t len, const uint8_t *needle, size_t n) {
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(hay + i, needle, n) == 0) {
            return i;
        }
    }
    CHECK(false);
    return 0;
}

/* hand_dd assembles a DigestedData ContentInfo in DER from its parts: |alg| is
 * a whole AlgorithmIdentifier, |digest| the digest field as given. */
static uint8_t *hand_dd(uint64_t version, const char *alg, size_t alg_len, const uint8_t *content,
                        size_t content_len, const uint8_t *digest, size_t digest_len,
                        size_t *out_len) {
    cachet_cbb top, ci, c0, dd, eci, e0;
    uint8_t *der = NULL;
    bool ok = cachet_cbb_init(&top, 128, 0) &&
              cachet_cbb_add_asn1(&top, &ci, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&ci, CACHET_OID_DIGESTED_DATA) &&
              cachet_cbb_add_asn1(&ci, &c0, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbb_add_asn1(&c0, &dd, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_asn1_uint64(&dd, version) &&
              cachet_cbb_add_bytes(&dd, (const uint8_t *)alg, alg_len) &&
              cachet_cbb_add_asn1(&dd, &eci, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&eci, CACHET_OID_DATA) &&
              cachet_cbb_add_asn1(&eci, &e0, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbb_add_asn1_octet_string(&e0, content, content_len) &&
              cachet_cbb_flush(&dd) && cachet_cbb_add_asn1_octet_string(&dd, digest, digest_len) &&
              cachet_cbb_finish(&top, &der, out_len);
    CHECK(ok);
    return der;
}

#define ALG_SHA256 "\x30\x0b\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01"
#define ALG_SHA256_NULL "\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00"
#define ALG_MD5 "\x30\x0c\x06\x08\x2a\x86\x48\x86\xf7\x0d\x02\x05\x05\x00"
#define ALG_UNKNOWN "\x30\x0b\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x7f"
#define ALG_SHA256_PARAMS "\x30\x0e\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x02\x01\x00"

static void hand_made_digested_data_policy_and_structure(void) {
    static const char msg[] = "digest me";
    static const struct {
        uint64_t version;
        const char *alg;
        size_t alg_len;
        cachet_md md; /* what the digest is computed with */
        size_t digest_len;
        bool allow_weak;
        cachet_status want;
        const char *text;
    } cases[] = {
        {0, ALG_SHA256, sizeof(ALG_SHA256) - 1, CACHET_MD_SHA256, 32, false, CACHET_OK, ""},
        /* NULL parameters accepted (RFC 5754 §2); version 2 with id-data tolerated. */
        {2, ALG_SHA256_NULL, sizeof(ALG_SHA256_NULL) - 1, CACHET_MD_SHA256, 32, false, CACHET_OK,
         ""},
        {0, ALG_MD5, sizeof(ALG_MD5) - 1, CACHET_MD_MD5, 16, false, CACHET_ERR_POLICY, "md5"},
        {0, ALG_MD5, sizeof(ALG_MD5) - 1, CACHET_MD_MD5, 16, true, CACHET_OK, ""},
        {0, ALG_UNKNOWN, sizeof(ALG_UNKNOWN) - 1, CACHET_MD_SHA256, 32, false,
         CACHET_ERR_UNSUPPORTED, "not supported"},
        {0, ALG_SHA256_PARAMS, sizeof(ALG_SHA256_PARAMS) - 1, CACHET_MD_SHA256, 32, false,
         CACHET_ERR_MALFORMED, "digestAlgorithm"},
        {1, ALG_SHA256, sizeof(ALG_SHA256) - 1, CACHET_MD_SHA256, 32, false, CACHET_ERR_MALFORMED,
         "version"},
        {0, ALG_SHA256, sizeof(ALG_SHA256) - 1, CACHET_MD_SHA256, 31, false, CACHET_ERR_MALFORMED,
         "wrong length"},
        {0, ALG_SHA256, sizeof(ALG_SHA256) - 1, CACHET_MD_SHA256, 0, false, CACHET_ERR_MALFORMED,
         "wrong length"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cms_policy policy = {.allow_weak = cases[i].allow_weak};
        uint8_t digest[64];
        size_t len = 0;
        uint8_t *der;
        CHECK(cachet_md_oneshot(cases[i].md, msg, strlen(msg), digest));
        der = hand_dd(cases[i].version, cases[i].alg, cases[i].alg_len, (const uint8_t *)msg,
                      strlen(msg), digest, cases[i].digest_len, &len);
        for (int mode = FEED_WHOLE; der != NULL && mode <= FEED_RANDOM; mode++) {
            cachet_membuf pt = {0};
            cachet_layer_report rep;
            cachet_error err;
            memset(&rep, 0, sizeof(rep));
            cachet_err_clear(&err);
            CHECK_EQ_INT(dg_read(&policy, NULL, der, len, (feed_mode)mode, &pt, &rep, NULL, &err),
                         cases[i].want);
            if (cases[i].want == CACHET_OK) {
                CHECK_MEM(pt.data, pt.len, msg, strlen(msg));
                CHECK_EQ_INT(rep.weak, cases[i].md == CACHET_MD_MD5);
                CHECK_EQ_INT(rep.digest_valid, true);
            } else if (strstr(err.message, cases[i].text) == NULL &&
                       strstr(err.where, cases[i].text) == NULL) {
                fprintf(stderr, "  case %zu: %s: %s\n", i, err.where, err.message);
                CHECK(false);
            }
            if (cases[i].want == CACHET_ERR_POLICY || cases[i].want == CACHET_ERR_UNSUPPORTED) {
                CHECK_EQ_INT(pt.len, 0); /* refused before any content is passed on */
            }
            cachet_membuf_free(&pt);
        }
        cachet_free(der);
    }
}

static void tampered_digested_data_fails_the_digest_check(void) {
    static const char msg[] = "The quick brown fox jumps over the lazy dog";
    enum { CONTENT_BYTE, DIGEST_BYTE, NOT_DD };
    static const struct {
        int how;
        cachet_status want;
        const char *text;
    } cases[] = {
        {CONTENT_BYTE, CACHET_ERR_BAD_SIGNATURE, "digest does not match the content"},
        {DIGEST_BYTE, CACHET_ERR_BAD_SIGNATURE, "digest does not match the content"},
        {NOT_DD, CACHET_ERR_UNSUPPORTED, "not DigestedData"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0;
        uint8_t *der = make_der((const uint8_t *)msg, strlen(msg), &len);
        if (der == NULL) {
            continue;
        }
        if (cases[i].how == CONTENT_BYTE) {
            der[find(der, len, (const uint8_t *)"lazy", 4)] ^= 0x20;
        } else if (cases[i].how == DIGEST_BYTE) {
            der[len - 1] ^= 1; /* the digest is the last field */
        } else {
            /* id-digestedData (1.2.840.113549.1.7.5) -> id-signedData (.7.2) */
            der[find(der, len, (const uint8_t *)"\x2a\x86\x48\x86\xf7\x0d\x01\x07\x05", 9) + 8] =
                0x02;
        }
        for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
            cachet_membuf pt = {0};
            cachet_layer_report rep;
            cachet_error err;
            memset(&rep, 0, sizeof(rep));
            cachet_err_clear(&err);
            CHECK_EQ_INT(dg_read(NULL, NULL, der, len, (feed_mode)mode, &pt, &rep, NULL, &err),
                         cases[i].want);
            CHECK(strstr(err.message, cases[i].text) != NULL);
            if (cases[i].want == CACHET_ERR_BAD_SIGNATURE) {
                CHECK_STR(err.where, "DigestedData.digest");
                CHECK_EQ_INT(rep.type, CACHET_LAYER_DIGESTED);
                CHECK_EQ_INT(rep.digest_valid, false);
                CHECK_EQ_INT(pt.len, strlen(msg)); /* delivered, never vouched for */
            } else {
                CHECK_EQ_INT(pt.len, 0);
            }
            cachet_membuf_free(&pt);
        }
        cachet_free(der);
    }
}

static void limits_apply_as_in_the_other_readers(void) {
    uint8_t msg[300];
    cachet_membuf out = {0};
    cachet_cms_limits limits;
    cachet_error err;
    static const char trailing[] = "\x00";
    sample(msg, sizeof(msg));
    cachet_err_clear(&err);
    CHECK_EQ_INT(
        dg_write(CACHET_MD_SHA256, CACHET_OID_DATA, msg, sizeof(msg), FEED_WHOLE, &out, &err),
        CACHET_OK);
    {
        cachet_membuf pt = {0};
        cachet_layer_report rep;
        cachet_cms_limits_default(&limits);
        limits.max_depth = 4; /* the content sits at depth 6 */
        cachet_err_clear(&err);
        CHECK_EQ_INT(dg_read(NULL, &limits, out.data, out.len, FEED_RANDOM, &pt, &rep, NULL, &err),
                     CACHET_ERR_LIMIT);
        CHECK_EQ_INT(pt.len, 0);
        cachet_membuf_free(&pt);
    }
    {
        /* A byte after the ContentInfo, and a truncated one. */
        cachet_membuf pt = {0}, longer = {0};
        cachet_membuf_append(&longer, out.data, out.len);
        cachet_membuf_append(&longer, (const uint8_t *)trailing, 1);
        cachet_err_clear(&err);
        CHECK_EQ_INT(
            dg_read(NULL, NULL, longer.data, longer.len, FEED_WHOLE, &pt, NULL, NULL, &err),
            CACHET_ERR_MALFORMED);
        cachet_err_clear(&err);
        pt.len = 0;
        CHECK_EQ_INT(dg_read(NULL, NULL, out.data, out.len - 3, FEED_WHOLE, &pt, NULL, NULL, &err),
                     CACHET_ERR_MALFORMED);
        cachet_membuf_free(&pt);
        cachet_membuf_free(&longer);
    }
    cachet_membuf_free(&out);
}

/* ---- interop with the openssl command ---- */

static char tmpdir[64];

static void rm_tmpdir(void) {
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", tmpdir);
    }
}

static bool have_tmpdir(void) {
    if (tmpdir[0] == '\0') {
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/cachet-digested-XXXXXX");
        if (mkdtemp(tmpdir) == NULL) {
            return false;
        }
        atexit(rm_tmpdir);
    }
    return true;
}

static bool write_file(const char *name, const uint8_t *data, size_t len) {
    char path[128];
    FILE *f;
    bool ok;
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    if (f == NULL) {
        return false;
    }
    ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

static uint8_t *read_tmp(const char *name, size_t *len) {
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return cachet_test_read_file(path, len);
}

static int run(const char *fmt, const char *arg) {
    char cmd[512], line[400];
    snprintf(line, sizeof(line), fmt, arg);
    snprintf(cmd, sizeof(cmd), "cd '%s' && %s 2>/dev/null", tmpdir, line);
    return system(cmd);
}

static void openssl_verifies_ours_and_we_verify_openssls(void) {
    static const struct {
        cachet_md md;
        const char *name;
    } mds[] = {
        {CACHET_MD_SHA256, "sha256"}, {CACHET_MD_SHA384, "sha384"}, {CACHET_MD_SHA512, "sha512"}};
    uint8_t msg[5000];
    sample(msg, sizeof(msg));
    if (system("openssl version >/dev/null 2>&1") != 0) {
        printf("SKIP: openssl not installed\n");
        return;
    }
    CHECK(have_tmpdir() && write_file("content.bin", msg, sizeof(msg)));
    for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++) {
        cachet_membuf ours = {0};
        cachet_error err;
        size_t len = 0;
        uint8_t *got;
        /* Ours (BER, indefinite lengths) -> openssl cms -digest_verify. */
        cachet_err_clear(&err);
        CHECK_EQ_INT(
            dg_write(mds[i].md, CACHET_OID_DATA, msg, sizeof(msg), FEED_RANDOM, &ours, &err),
            CACHET_OK);
        CHECK(write_file("ours.p7m", ours.data, ours.len));
        CHECK_EQ_INT(run("openssl cms -digest_verify -inform DER -in ours.p7m -out ours.out%s", ""),
                     0);
        got = read_tmp("ours.out", &len);
        CHECK(got != NULL);
        if (got != NULL) {
            CHECK_MEM(got, len, msg, sizeof(msg));
        }
        free(got);
        /* openssl cms -digest_create, DER and streamed BER -> ours. */
        for (int stream = 0; stream < 2; stream++) {
            char args[96];
            cachet_membuf pt = {0};
            cachet_layer_report rep;
            uint8_t *theirs;
            snprintf(args, sizeof(args), "-md %s%s", mds[i].name, stream ? " -stream" : "");
            CHECK_EQ_INT(run("openssl cms -digest_create -binary -in content.bin -outform DER "
                             "-out theirs.p7m %s",
                             args),
                         0);
            theirs = read_tmp("theirs.p7m", &len);
            CHECK(theirs != NULL);
            if (theirs == NULL) {
                continue;
            }
            for (int mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
                cachet_err_clear(&err);
                pt.len = 0;
                CHECK_EQ_INT(
                    dg_read(NULL, NULL, theirs, len, (feed_mode)mode, &pt, &rep, NULL, &err),
                    CACHET_OK);
                CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
                CHECK_STR(rep.digest_algorithm, mds[i].name);
                CHECK_EQ_INT(rep.digest_valid, true);
            }
            /* And a bit flipped in openssl's content: refused. */
            theirs[len / 2] ^= 4;
            cachet_err_clear(&err);
            pt.len = 0;
            CHECK_EQ_INT(dg_read(NULL, NULL, theirs, len, FEED_WHOLE, &pt, NULL, NULL, &err),
                         CACHET_ERR_BAD_SIGNATURE);
            cachet_membuf_free(&pt);
            free(theirs);
        }
        cachet_membuf_free(&ours);
    }
    {
        /* openssl's SHA-1 DigestedData: weak. */
        cachet_cms_policy weak = {.allow_weak = true};
        cachet_membuf pt = {0};
        cachet_layer_report rep;
        cachet_error err;
        size_t len = 0;
        uint8_t *theirs;
        CHECK_EQ_INT(run("openssl cms -digest_create -binary -in content.bin -outform DER "
                         "-out sha1.p7m -md sha1%s",
                         ""),
                     0);
        theirs = read_tmp("sha1.p7m", &len);
        CHECK(theirs != NULL);
        if (theirs != NULL) {
            cachet_err_clear(&err);
            CHECK_EQ_INT(dg_read(NULL, NULL, theirs, len, FEED_WHOLE, &pt, NULL, NULL, &err),
                         CACHET_ERR_POLICY);
            cachet_err_clear(&err);
            CHECK_EQ_INT(dg_read(&weak, NULL, theirs, len, FEED_BYTES, &pt, &rep, NULL, &err),
                         CACHET_OK);
            CHECK_EQ_INT(rep.weak, true);
            CHECK_MEM(pt.data, pt.len, msg, sizeof(msg));
        }
        cachet_membuf_free(&pt);
        free(theirs);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(round_trip_every_digest_content_type_and_chunking),
    TEST_CASE(writer_refuses_weak_or_unknown_digests),
    TEST_CASE(rfc4134_6_0_sha1_valid_only_with_allow_weak),
    TEST_CASE(hand_made_digested_data_policy_and_structure),
    TEST_CASE(tampered_digested_data_fails_the_digest_check),
    TEST_CASE(limits_apply_as_in_the_other_readers),
    TEST_CASE(openssl_verifies_ours_and_we_verify_openssls),
};

TEST_MAIN(tests)
