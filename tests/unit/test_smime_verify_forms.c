/* Verification accepts the forms S/MIME takes in the wild (x-pkcs7 names,
 * smime.p7m attachments, LF line ends, any base64 line length, raw CMS in DER,
 * BER or PEM, detached raw content) and refuses what only looks signed. */
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/base.h"
#include "test_smime_util.h"

#define ALICE_TEXT "This is a test message from Alice to Bob."

typedef struct buf {
    uint8_t *data;
    size_t len;
} buf;

static buf load(const char *rel) {
    buf b = {0};
    b.data = cachet_test_read_file(cachet_test_vector_path(rel), &b.len);
    CHECK(b.data != NULL);
    return b;
}

/* replace_all returns |in| with every |from| replaced by |to|. */
static buf replace_all(buf in, const char *from, const char *to) {
    size_t fl = strlen(from), tl = strlen(to);
    buf out = {malloc(in.len * 2 + 64), 0};
    for (size_t i = 0; i < in.len;) {
        if (i + fl <= in.len && memcmp(in.data + i, from, fl) == 0) {
            memcpy(out.data + out.len, to, tl);
            out.len += tl;
            i += fl;
        } else {
            out.data[out.len++] = in.data[i++];
        }
    }
    return out;
}

typedef struct outcome {
    cachet_status st;
    cachet_membuf out;
    cachet_report *rep;
    char message[320];
    char where[160];
} outcome;

static outcome verify_with(cachet_ctx *ctx, const uint8_t *in, size_t len, bool raw,
                           const uint8_t *content, size_t content_len) {
    outcome o = {0};
    cachet_sink sink = cachet_sink_membuf(&o.out);
    cachet_verify_opts opts = {.raw = raw, .detached = content != NULL};
    cachet_op *op = cachet_verify_new(ctx, &opts, &sink, NULL);
    CHECK(op != NULL);
    if (content != NULL) {
        CHECK_EQ_INT(cachet_op_update_content(op, content, content_len), CACHET_OK);
    }
    o.st = test_feed(op, in, len, FEED_RANDOM, 9, &o.rep);
    snprintf(o.message, sizeof(o.message), "%s", cachet_op_error(op)->message);
    snprintf(o.where, sizeof(o.where), "%s", cachet_op_error(op)->where);
    cachet_op_free(op);
    return o;
}

static outcome verify_tb(const uint8_t *in, size_t len) {
    cachet_ctx *ctx = test_ctx(TB_DIR "TestCA.pem", false, true);
    outcome o = verify_with(ctx, in, len, false, NULL, 0);
    cachet_ctx_free(ctx);
    return o;
}

static void outcome_free(outcome *o) {
    cachet_membuf_free(&o->out);
    cachet_report_free(o->rep);
}

typedef struct form_case {
    const char *name;
    const char *file;
    const char *from;
    const char *to;
} form_case;

static const form_case forms[] = {
    {"LF line ends (opaque)", TB_DIR "alice.sig.SHA256.opaque.eml", "\r\n", "\n"},
    {"LF line ends (detached)", TB_DIR "alice.dsig.SHA256.multipart.eml", "\r\n", "\n"},
    {"x-pkcs7-mime", TB_DIR "alice.sig.SHA256.opaque.eml", "application/pkcs7-mime",
     "application/x-pkcs7-mime"},
    {"x-pkcs7-signature", TB_DIR "alice.dsig.SHA256.multipart.eml", "pkcs7-signature",
     "x-pkcs7-signature"},
    {"octet-stream named smime.p7m", TB_DIR "alice.sig.SHA256.opaque.eml", "application/pkcs7-mime",
     "application/octet-stream"},
    {"smime-type that lies", TB_DIR "alice.sig.SHA256.opaque.eml", "smime-type=signed-data",
     "smime-type=enveloped-data"},
    {"base64 in one long line", TB_DIR "alice.sig.SHA256.opaque.eml", "\r\n", "\r\n"},
};

/* one_line joins the base64 body of an opaque message into a single line. */
static buf one_line(buf in) {
    const char *sep = "\r\n\r\n";
    uint8_t *p = in.data;
    size_t hdr = 0;
    while (hdr + 4 <= in.len && memcmp(p + hdr, sep, 4) != 0) {
        hdr++;
    }
    hdr += 4;
    buf out = {malloc(in.len + 4), 0};
    memcpy(out.data, in.data, hdr);
    out.len = hdr;
    for (size_t i = hdr; i < in.len; i++) {
        if (in.data[i] != '\r' && in.data[i] != '\n') {
            out.data[out.len++] = in.data[i];
        }
    }
    memcpy(out.data + out.len, "\r\n", 2);
    out.len += 2;
    return out;
}

static void accepted_forms_verify(void) {
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        buf in = load(forms[i].file);
        buf m = replace_all(in, forms[i].from, forms[i].to);
        if (strstr(forms[i].name, "long line") != NULL) {
            free(m.data);
            m = one_line(in);
        }
        outcome o = verify_tb(m.data, m.len);
        if (o.st != CACHET_OK) {
            fprintf(stderr, "form '%s': %s\n", forms[i].name, o.message);
        }
        CHECK_EQ_INT(o.st, CACHET_OK);
        CHECK(test_memfind(o.out.data, o.out.len, ALICE_TEXT "\r\n"));
        outcome_free(&o);
        free(m.data);
        free(in.data);
    }
}

static void pgp_multipart_signed_is_not_signed(void) {
    buf in = load(TB_DIR "alice.dsig.SHA256.multipart.eml");
    buf m = replace_all(in, "protocol=\"application/pkcs7-signature\"",
                        "protocol=\"application/pgp-signature\"");
    outcome o = verify_tb(m.data, m.len);
    CHECK_EQ_INT(o.st, CACHET_ERR_NO_SIGNERS);
    CHECK_STR(o.message, "message is not signed");
    CHECK_EQ_INT(o.out.len, 0);
    outcome_free(&o);
    free(m.data);
    free(in.data);
}

static void two_from_mailboxes_never_match(void) {
    static const char *froms[] = {"From: Alice@example.com, Eve@example.com\r\n",
                                  "From: Alice@example.com\r\nFrom: Eve@example.com\r\n"};
    for (size_t i = 0; i < 2; i++) {
        buf in = load(TB_DIR "alice.sig.SHA256.opaque.eml");
        buf m = replace_all(in, "From: Alice@example.com\r\n", froms[i]);
        outcome o = verify_tb(m.data, m.len);
        CHECK_EQ_INT(o.st, CACHET_ERR_UNTRUSTED);
        CHECK(o.rep != NULL && o.rep->from_mismatch);
        if (o.rep != NULL && o.rep->num_layers == 1 && o.rep->layers[0].num_signers == 1) {
            CHECK_EQ_INT(o.rep->layers[0].signers[0].address_match, 0);
            CHECK(o.rep->layers[0].signers[0].signature_valid);
        }
        CHECK_EQ_INT(o.out.len, 0);
        outcome_free(&o);
        free(m.data);
        free(in.data);
    }
}

static void display_name_does_not_bind_identity(void) {
    buf in = load(TB_DIR "alice.sig.SHA256.opaque.eml");
    buf m = replace_all(in, "From: Alice@example.com\r\n",
                        "From: \"Alice@example.com\" <eve@evil.example>\r\n");
    outcome o = verify_tb(m.data, m.len);
    CHECK_EQ_INT(o.st, CACHET_ERR_UNTRUSTED);
    CHECK(o.rep != NULL && o.rep->from_mismatch);
    CHECK(o.rep != NULL && strcmp(o.rep->from, "eve@evil.example") == 0);
    outcome_free(&o);
    free(m.data);
    free(in.data);
}

static void signed_part_after_attacker_text_is_partially_signed(void) {
    /* ATTACKS MW-01 (M1): attacker text first, the genuine signed message second. */
    buf in = load(TB_DIR "alice.sig.SHA256.opaque.eml");
    const char *hdr = "MIME-Version: 1.0\r\nFrom: Alice@example.com\r\n"
                      "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
                      "--XX\r\nContent-Type: text/plain\r\n\r\nPay Eve now.\r\n--XX\r\n";
    /* the signed entity: the vector without its non-Content header fields */
    const char *ct = "Content-Type:";
    size_t start = 0;
    while (start + strlen(ct) <= in.len && memcmp(in.data + start, ct, strlen(ct)) != 0) {
        start++;
    }
    buf m = {malloc(in.len + 512), 0};
    memcpy(m.data, hdr, strlen(hdr));
    m.len = strlen(hdr);
    memcpy(m.data + m.len, in.data + start, in.len - start);
    m.len += in.len - start;
    memcpy(m.data + m.len, "\r\n--XX--\r\n", 10);
    m.len += 10;
    outcome o = verify_tb(m.data, m.len);
    CHECK_EQ_INT(o.st, CACHET_ERR_BAD_SIGNATURE);
    CHECK(strstr(o.message, "only part 2") != NULL);
    CHECK_STR(o.where, "part 2");
    CHECK(o.rep != NULL && o.rep->partially_signed && !o.rep->valid);
    if (o.rep != NULL && o.rep->num_layers == 1) {
        CHECK_STR(o.rep->layers[0].part, "2");
        CHECK(o.rep->layers[0].num_signers == 1 && o.rep->layers[0].signers[0].signature_valid);
    }
    CHECK_EQ_INT(o.out.len, 0);
    outcome_free(&o);
    free(m.data);
    free(in.data);
}

static void too_many_layers_is_a_limit(void) {
    buf in = load(TB_DIR "alice.plain.sig.SHA256.opaque.dave.sig.SHA256.opaque.eml");
    cachet_ctx *ctx = test_ctx(TB_DIR "TestCA.pem", false, false);
    cachet_limits l;
    cachet_ctx_get_limits(ctx, &l);
    l.max_layers = 1;
    cachet_ctx_set_limits(ctx, &l);
    outcome o = verify_with(ctx, in.data, in.len, false, NULL, 0);
    CHECK_EQ_INT(o.st, CACHET_ERR_LIMIT);
    CHECK_EQ_INT(o.out.len, 0);
    outcome_free(&o);
    cachet_ctx_free(ctx);
    free(in.data);
}

/* ---- Raw CMS made with OpenSSL ---- */

static bool load_alice(X509 **cert, EVP_PKEY **key) {
    buf p12 = load(TB_DIR "Alice.p12");
    const uint8_t *p = p12.data;
    PKCS12 *pk = d2i_PKCS12(NULL, &p, (long)p12.len);
    free(p12.data);
    bool ok = pk != NULL && PKCS12_parse(pk, "nss", key, cert, NULL) == 1;
    PKCS12_free(pk);
    return ok;
}

static buf openssl_sign(X509 *cert, EVP_PKEY *key, const char *content, unsigned flags) {
    BIO *in = BIO_new_mem_buf(content, (int)strlen(content));
    CMS_ContentInfo *cms = CMS_sign(cert, key, NULL, in, flags | CMS_BINARY);
    CHECK(cms != NULL);
    BIO *out = BIO_new(BIO_s_mem());
    CHECK(i2d_CMS_bio(out, cms) == 1);
    char *d = NULL;
    long n = BIO_get_mem_data(out, &d);
    buf b = {malloc((size_t)n), (size_t)n};
    memcpy(b.data, d, (size_t)n);
    BIO_free(out);
    BIO_free(in);
    CMS_ContentInfo_free(cms);
    return b;
}

static void raw_opaque_and_detached_signatures_verify(void) {
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    CHECK(load_alice(&cert, &key));
    const char *content = "raw content\nwith a bare LF";
    cachet_ctx *ctx = test_ctx(TB_DIR "TestCA.pem", false, true);
    buf opaque = openssl_sign(cert, key, content, 0);
    outcome o = verify_with(ctx, opaque.data, opaque.len, true, NULL, 0);
    CHECK_EQ_INT(o.st, CACHET_OK);
    CHECK_MEM(o.out.data, o.out.len, content, strlen(content)); /* raw: bytes untouched */
    CHECK(o.rep != NULL && o.rep->num_layers == 1 &&
          o.rep->layers[0].signers[0].address_match == -1);
    outcome_free(&o);
    buf det = openssl_sign(cert, key, content, CMS_DETACHED);
    o = verify_with(ctx, det.data, det.len, true, (const uint8_t *)content, strlen(content));
    CHECK_EQ_INT(o.st, CACHET_OK);
    CHECK_MEM(o.out.data, o.out.len, content, strlen(content));
    outcome_free(&o);
    o = verify_with(ctx, det.data, det.len, true, (const uint8_t *)"raw content", 11);
    CHECK_EQ_INT(o.st, CACHET_ERR_BAD_SIGNATURE);
    CHECK_EQ_INT(o.out.len, 0);
    outcome_free(&o);
    /* PEM armor of the same object */
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio(b, "PKCS7", "", opaque.data, (long)opaque.len);
    char *pem = NULL;
    long plen = BIO_get_mem_data(b, &pem);
    o = verify_with(ctx, (const uint8_t *)pem, (size_t)plen, true, NULL, 0);
    CHECK_EQ_INT(o.st, CACHET_OK);
    CHECK_MEM(o.out.data, o.out.len, content, strlen(content));
    outcome_free(&o);
    BIO_free(b);
    /* raw input that is not CMS */
    o = verify_with(ctx, (const uint8_t *)"hello", 5, true, NULL, 0);
    CHECK_EQ_INT(o.st, CACHET_ERR_MALFORMED);
    outcome_free(&o);
    free(opaque.data);
    free(det.data);
    cachet_ctx_free(ctx);
    X509_free(cert);
    EVP_PKEY_free(key);
}

/* A self-signed signer valid only in 2020: its signature made "now" carries a
 * signingTime outside its validity. */
static void signing_time_outside_certificate_validity_is_invalid(void) {
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
    ASN1_TIME_set(X509_getm_notBefore(cert), 1577836800); /* 2020-01-01 */
    ASN1_TIME_set(X509_getm_notAfter(cert), 1609459200);  /* 2021-01-01 */
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"Old", -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, key);
    X509_sign(cert, key, EVP_sha256());
    buf sig = openssl_sign(cert, key, "old content", 0);
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_ctx_set_time(ctx, 1590969600); /* 2020-06-01: the certificate is valid then */
    outcome o = verify_with(ctx, sig.data, sig.len, true, NULL, 0);
    CHECK(o.st != CACHET_OK);
    CHECK_EQ_INT(o.out.len, 0);
    CHECK(o.rep != NULL && o.rep->num_layers == 1 && o.rep->layers[0].num_signers == 1);
    if (o.rep != NULL && o.rep->num_layers == 1 && o.rep->layers[0].num_signers == 1) {
        cachet_signer_report *s = &o.rep->layers[0].signers[0];
        CHECK(!s->signature_valid);
        CHECK(strstr(s->signature_detail, "signing time") != NULL);
    }
    outcome_free(&o);
    cachet_ctx_free(ctx);
    free(sig.data);
    X509_free(cert);
    EVP_PKEY_free(key);
}

/* A 3 MB multipart/signed message through a hold of 64 KiB: the output spills
 * to the temporary file and comes back byte for byte, in canonical form. */
static void large_message_spills_and_comes_back_whole(void) {
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    CHECK(load_alice(&cert, &key));
    size_t body_len = 3 * 1024 * 1024;
    char *entity = malloc(body_len + 64);
    size_t n = (size_t)sprintf(entity, "Content-Type: text/plain\r\n\r\n");
    size_t hdr = n;
    for (size_t i = 0; i < body_len; i++) {
        entity[n++] = (i % 70 == 68) ? '\r' : (i % 70 == 69) ? '\n' : (char)('A' + i % 23);
    }
    BIO *in = BIO_new_mem_buf(entity, (int)n);
    unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_STREAM;
    CMS_ContentInfo *cms = CMS_sign(cert, key, NULL, in, flags);
    CHECK(cms != NULL);
    BIO *data = NULL;
    BIO *out = BIO_new(BIO_s_mem());
    BIO_puts(out, "From: Alice@example.com\r\n");
    CHECK(SMIME_write_CMS(out, cms, in, flags) == 1);
    char *msg = NULL;
    long mlen = BIO_get_mem_data(out, &msg);
    cachet_ctx *ctx = test_ctx(TB_DIR "TestCA.pem", false, true);
    cachet_limits l;
    cachet_ctx_get_limits(ctx, &l);
    l.hold_in_memory = 64 * 1024;
    cachet_ctx_set_limits(ctx, &l);
    outcome o = verify_with(ctx, (const uint8_t *)msg, (size_t)mlen, false, NULL, 0);
    if (o.st != CACHET_OK) {
        fprintf(stderr, "large: %s\n", o.message);
    }
    CHECK_EQ_INT(o.st, CACHET_OK);
    const char *want_hdr =
        "From: Alice@example.com\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n";
    if (o.out.len != strlen(want_hdr) + body_len) {
        fprintf(stderr, "large: %zu bytes out, want %zu\n", o.out.len, strlen(want_hdr) + body_len);
    }
    CHECK(o.out.len == strlen(want_hdr) + body_len);
    if (o.out.len == strlen(want_hdr) + body_len) {
        CHECK_MEM(o.out.data, strlen(want_hdr), want_hdr, strlen(want_hdr));
        CHECK_MEM(o.out.data + strlen(want_hdr), body_len, entity + hdr, body_len);
    }
    outcome_free(&o);
    cachet_ctx_free(ctx);
    BIO_free(out);
    BIO_free(data);
    BIO_free(in);
    CMS_ContentInfo_free(cms);
    free(entity);
    X509_free(cert);
    EVP_PKEY_free(key);
}

typedef struct watch {
    size_t writes;
    cachet_membuf buf;
} watch;

static cachet_status watch_write(void *arg, const uint8_t *data, size_t len) {
    watch *w = arg;
    w->writes++;
    return cachet_membuf_append(&w->buf, data, len) ? CACHET_OK : CACHET_ERR_NOMEM;
}

static void nothing_reaches_the_sink_before_finish(void) {
    buf in = load(TB_DIR "alice.dsig.SHA256.multipart.env.eml");
    cachet_ctx *ctx = test_ctx(TB_DIR "TestCA.pem", false, true);
    cachet_credential *cred = test_p12(TB_DIR "Bob.p12");
    watch w = {0};
    cachet_sink sink = {.write = watch_write, .arg = &w};
    cachet_verify_opts opts = {.decrypt_with = cred};
    cachet_op *op = cachet_verify_new(ctx, &opts, &sink, NULL);
    for (size_t i = 0; i < in.len; i += 100) {
        size_t n = in.len - i < 100 ? in.len - i : 100;
        CHECK_EQ_INT(cachet_op_update(op, in.data + i, n), CACHET_OK);
    }
    CHECK_EQ_INT(w.writes, 0); /* everything is held until the verdict */
    CHECK_EQ_INT(cachet_op_finish(op, NULL), CACHET_OK);
    CHECK(w.writes > 0);
    CHECK(test_memfind(w.buf.data, w.buf.len, ALICE_TEXT));
    cachet_op_free(op);
    cachet_membuf_free(&w.buf);
    cachet_credential_free(cred);
    cachet_ctx_free(ctx);
    free(in.data);
}

static const cachet_test_case tests[] = {
    TEST_CASE(nothing_reaches_the_sink_before_finish),
    TEST_CASE(large_message_spills_and_comes_back_whole),
    TEST_CASE(accepted_forms_verify),
    TEST_CASE(pgp_multipart_signed_is_not_signed),
    TEST_CASE(two_from_mailboxes_never_match),
    TEST_CASE(display_name_does_not_bind_identity),
    TEST_CASE(signed_part_after_attacker_text_is_partially_signed),
    TEST_CASE(too_many_layers_is_a_limit),
    TEST_CASE(raw_opaque_and_detached_signatures_verify),
    TEST_CASE(signing_time_outside_certificate_validity_is_invalid),
};
TEST_MAIN(tests)
