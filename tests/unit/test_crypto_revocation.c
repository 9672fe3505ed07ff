/* Revocation in crypto/: CRLs and OCSP answers checked offline (the answers
 * made by `openssl ocsp -reqin` for our own requests, so every signer, nonce
 * and freshness case is a real responder's output), and the HTTP client's
 * refusals and timeout. The test PKI: test_revocation_fixture.h. */
#include "test_revocation_fixture.h"

/* ---- CRLs, offline ---- */

static void crl_der_and_pem_parse_to_the_same_list(void) {
    CHECK(setup());
    cachet_crl *der = load_crl("www/ca.crl");
    cachet_crl *pem = load_crl("ca.crl.pem");
    CHECK(der != NULL && pem != NULL);
    if (der != NULL && pem != NULL) {
        size_t a = 0, b = 0;
        const uint8_t *da = cachet_crl_der(der, &a);
        const uint8_t *db = cachet_crl_der(pem, &b);
        CHECK_MEM(da, a, db, b);
        char issuer[256];
        cachet_crl_issuer(der, issuer, sizeof(issuer));
        CHECK_STR(issuer, "CN=Cachet Revocation Test CA,O=Cachet Test,C=XX");
        int64_t tu = 0, nu = 0;
        cachet_crl_times(der, &tu, &nu);
        CHECK_EQ_INT(nu - tu, 30 * 86400);
        CHECK(tu <= time(NULL) + 5 && tu > time(NULL) - 3600);
    }
    cachet_crl_free(der);
    cachet_crl_free(pem);
}

static void crl_lists_the_revoked_certificate_with_date_and_reason(void) {
    CHECK(setup());
    cachet_crl *crl = load_crl("www/ca.crl");
    char why[200] = "";
    CHECK(crl != NULL && cachet_crl_verify(crl, certs[CA], why, sizeof(why)));
    cachet_rev_answer a;
    if (crl != NULL) {
        cachet_crl_lookup(crl, certs[REVOKED], &a);
        CHECK_EQ_INT(a.status, CACHET_REV_STATUS_REVOKED);
        CHECK_EQ_INT(a.reason, 1);
        CHECK_STR(cachet_crl_reason_name(a.reason), "keyCompromise");
        CHECK_EQ_INT(a.revoked_at, index_revocation_time("5002"));
        cachet_crl_lookup(crl, certs[GOOD], &a);
        CHECK_EQ_INT(a.status, CACHET_REV_STATUS_GOOD);
        CHECK_EQ_INT(a.revoked_at, 0);
        cachet_crl_lookup(crl, certs[UNKNOWN], &a); /* a CRL cannot know what it never saw */
        CHECK_EQ_INT(a.status, CACHET_REV_STATUS_GOOD);
    }
    cachet_crl_free(crl);
}

static void crl_from_another_key_or_issuer_does_not_verify(void) {
    CHECK(setup());
    cachet_crl *wrong = load_crl("wrongkey.crl");
    cachet_crl *right = load_crl("www/ca.crl");
    char why[200] = "";
    CHECK(wrong != NULL && right != NULL);
    if (wrong != NULL && right != NULL) {
        /* Same issuer name, another key: only the signature tells them apart. */
        CHECK(!cachet_crl_verify(wrong, certs[CA], why, sizeof(why)));
        CHECK_STR(why, "the CRL signature does not verify with the issuer's key");
        CHECK(!cachet_crl_verify(right, certs[WRONGKEY], why, sizeof(why)));
        CHECK_STR(why, "the CRL's authority key identifier names another key");
        CHECK(!cachet_crl_verify(right, certs[GOOD], why, sizeof(why)));
        CHECK_STR(why, "the CRL issuer is not the issuer certificate's subject");
        CHECK(cachet_crl_verify(wrong, certs[WRONGKEY], why, sizeof(why)));
    }
    cachet_crl_free(wrong);
    cachet_crl_free(right);
}

/* RFC 5280 §6.3.3: only a complete CRL says that what it does not list is good. */
static void crl_scoped_to_some_reasons_or_a_delta_is_not_used(void) {
    CHECK(setup());
    static const struct {
        const char *file;
        bool usable;
        const char *why;
    } cases[] = {
        {"ca.crl.pem", true, ""},
        {"user.crl.pem", true, ""}, /* onlyContainsUserCerts: complete for leaves */
        {"partial.crl.pem", false, "a partial CRL (its IssuingDistributionPoint limits its scope)"},
        {"delta.crl.pem", false, "a delta CRL (only complete CRLs are used)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_crl *crl = load_crl(cases[i].file);
        char why[200] = "";
        CHECK(crl != NULL);
        if (crl != NULL) {
            CHECK_EQ_INT(cachet_crl_verify(crl, certs[CA], why, sizeof(why)), cases[i].usable);
            CHECK_STR(why, cases[i].why);
        }
        cachet_crl_free(crl);
    }
}

static void crl_parse_refuses_garbage_truncation_and_trailing_bytes(void) {
    CHECK(setup());
    size_t len = 0;
    uint8_t *der = cachet_test_read_file(path_of("www/ca.crl"), &len);
    CHECK(der != NULL && len > 100);
    if (der == NULL) {
        return;
    }
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, der, len);
    longer[len] = 0;
    struct {
        const uint8_t *data;
        size_t len;
        cachet_status want;
    } cases[] = {
        {der, len - 1, CACHET_ERR_MALFORMED},
        {longer, len + 1, CACHET_ERR_MALFORMED},
        {der, 0, CACHET_ERR_MALFORMED},
        {(const uint8_t *)"not a CRL at all", 16, CACHET_ERR_MALFORMED},
        {der, CACHET_CRL_MAX_BYTES + 1u, CACHET_ERR_LIMIT}, /* refused before it is read */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_crl *crl = NULL;
        cachet_error err = {0};
        CHECK_EQ_INT(cachet_crl_parse(cases[i].data, cases[i].len, &crl, &err), cases[i].want);
        CHECK(crl == NULL);
    }
    free(longer);
    free(der);
}

/* Every allocation of ours that can fail, failing in turn: a clean error, no leak. */
static void crl_parse_and_ocsp_request_survive_allocation_failures(void) {
    CHECK(setup());
    size_t len = 0;
    uint8_t *der = cachet_test_read_file(path_of("www/ca.crl"), &len);
    CHECK(der != NULL);
    for (unsigned long n = 1; der != NULL && n <= 8; n++) {
        cachet_crl *crl = NULL;
        cachet_membuf req = {0};
        cachet_alloc_fail_after(n);
        cachet_status st = cachet_crl_parse(der, len, &crl, NULL);
        cachet_alloc_fail_after(0);
        CHECK(st == CACHET_OK || st == CACHET_ERR_NOMEM);
        CHECK((st == CACHET_OK) == (crl != NULL));
        cachet_alloc_fail_after(n);
        st = cachet_ocsp_request(certs[GOOD], certs[CA], &req, NULL);
        cachet_alloc_fail_after(0);
        CHECK(st == CACHET_OK || st == CACHET_ERR_NOMEM);
        cachet_crl_free(crl);
        cachet_membuf_free(&req);
    }
    free(der);
}

/* ---- OCSP answers, offline ---- */

static bool write_file(const char *path, const uint8_t *data, size_t len) {
    FILE *fp = fopen(path, "wb");
    bool ok = fp != NULL && fwrite(data, 1, len, fp) == len;
    return fp != NULL && fclose(fp) == 0 && ok;
}

/* respond builds our request about |cert| and has `openssl ocsp` answer it,
 * signed by the certificate and key named |signer|, with |extra| options. */
static bool respond(int cert, const char *signer, const char *extra, cachet_membuf *req,
                    cachet_membuf *resp) {
    cachet_membuf_reset(resp);
    if (cachet_ocsp_request(certs[cert], certs[CA], req, NULL) != CACHET_OK ||
        !write_file(path_of("req.der"), req->data, req->len)) {
        return false;
    }
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && rm -f resp.der && openssl ocsp -index ca.db/index.txt -CA ca.crt "
             "-rsigner %s.crt -rkey %s.key -reqin req.der -respout resp.der %s >/dev/null 2>&1",
             dir, signer, signer, extra);
    size_t len = 0;
    uint8_t *data = system(cmd) == 0 ? cachet_test_read_file(path_of("resp.der"), &len) : NULL;
    bool ok = data != NULL && cachet_membuf_append(resp, data, len);
    free(data);
    return ok;
}

static void ocsp_answers_are_checked_for_signer_freshness_and_status(void) {
    CHECK(setup());
    static const struct {
        int cert;
        const char *signer, *extra;
        int64_t now_offset;
        cachet_status want;
        cachet_rev_status status;
        const char *message; /* part of the error, for failures */
    } cases[] = {
        {GOOD, "ocsp", "", 0, CACHET_OK, CACHET_REV_STATUS_GOOD, NULL},
        {REVOKED, "ocsp", "", 0, CACHET_OK, CACHET_REV_STATUS_REVOKED, NULL},
        {UNKNOWN, "ocsp", "", 0, CACHET_OK, CACHET_REV_STATUS_UNKNOWN, NULL},
        {GOOD, "ca", "", 0, CACHET_OK, CACHET_REV_STATUS_GOOD, NULL},
        {GOOD, "ocsp", "-resp_key_id", 0, CACHET_OK, CACHET_REV_STATUS_GOOD, NULL},
        {GOOD, "ocsp", "-nmin 10", 0, CACHET_OK, CACHET_REV_STATUS_GOOD, NULL},
        {GOOD, "good", "", 0, CACHET_ERR_UNTRUSTED, 0, "without id-kp-OCSPSigning"},
        {GOOD, "rogue-ocsp", "", 0, CACHET_ERR_UNTRUSTED, 0, "the issuer did not issue"},
        {GOOD, "ocsp", "-resp_no_certs", 0, CACHET_ERR_UNTRUSTED, 0, "signed by neither"},
        {GOOD, "ocsp", "-rmd sha1", 0, CACHET_ERR_POLICY, 0, "a weak algorithm"},
        {GOOD, "ocsp", "-ndays 1", 3 * 86400, CACHET_ERR_UNTRUSTED, 0, "stale"},
        {GOOD, "ocsp", "", 2 * 86400, CACHET_ERR_UNTRUSTED, 0, "stale"}, /* no nextUpdate */
        {GOOD, "ca", "-ndays 1", -600, CACHET_ERR_UNTRUSTED, 0, "in the future"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_membuf req = {0}, resp = {0};
        cachet_rev_answer a;
        cachet_error err = {0};
        CHECK(respond(cases[i].cert, cases[i].signer, cases[i].extra, &req, &resp));
        cachet_status st =
            cachet_ocsp_check(resp.data, resp.len, req.data, req.len, certs[cases[i].cert],
                              certs[CA], (int64_t)time(NULL) + cases[i].now_offset, &a, &err);
        if (st != cases[i].want) {
            fprintf(stderr, "case %zu: %s\n", i, err.message);
        }
        CHECK_EQ_INT(st, cases[i].want);
        if (st == CACHET_OK) {
            CHECK_EQ_INT(a.status, cases[i].status);
            CHECK(a.this_update <= time(NULL) && a.this_update > time(NULL) - 600);
        } else if (cases[i].message != NULL && strstr(err.message, cases[i].message) == NULL) {
            fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i, err.message, cases[i].message);
            CHECK(false);
        }
        if (st == CACHET_OK && a.status == CACHET_REV_STATUS_REVOKED) {
            CHECK_EQ_INT(a.revoked_at, index_revocation_time("5002"));
            CHECK_EQ_INT(a.reason, 1);
        }
        cachet_membuf_free(&req);
        cachet_membuf_free(&resp);
    }
}

static void ocsp_answer_must_fit_our_request_and_be_intact(void) {
    CHECK(setup());
    cachet_membuf req = {0}, other = {0}, resp = {0};
    cachet_rev_answer a;
    cachet_error err = {0};
    int64_t now = time(NULL);
    /* Signed by the CA without certificates: the last byte is in the signature's s. */
    CHECK(respond(GOOD, "ca", "-resp_no_certs", &req, &resp));
    CHECK_EQ_INT(cachet_ocsp_check(resp.data, resp.len, req.data, req.len, certs[GOOD], certs[CA],
                                   now, &a, &err),
                 CACHET_OK);
    /* Another request about the same certificate has another nonce. */
    CHECK_EQ_INT(cachet_ocsp_request(certs[GOOD], certs[CA], &other, NULL), CACHET_OK);
    CHECK(!cachet_test_mem_eq(req.data, req.len, other.data, other.len));
    CHECK_EQ_INT(cachet_ocsp_check(resp.data, resp.len, other.data, other.len, certs[GOOD],
                                   certs[CA], now, &a, &err),
                 CACHET_ERR_UNTRUSTED);
    CHECK(strstr(err.message, "nonce") != NULL);
    /* An answer about "good" says nothing about "revoked". */
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_ocsp_check(resp.data, resp.len, req.data, req.len, certs[REVOKED],
                                   certs[CA], now, &a, &err),
                 CACHET_ERR_UNTRUSTED);
    CHECK_STR(err.message, "the response says nothing about this certificate");
    resp.data[resp.len - 1] ^= 0x01;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_ocsp_check(resp.data, resp.len, req.data, req.len, certs[GOOD], certs[CA],
                                   now, &a, &err),
                 CACHET_ERR_BAD_SIGNATURE);
    resp.data[resp.len - 1] ^= 0x01;
    CHECK(cachet_membuf_append(&resp, (const uint8_t *)"x", 1));
    CHECK_EQ_INT(cachet_ocsp_check(resp.data, resp.len, req.data, req.len, certs[GOOD], certs[CA],
                                   now, &a, NULL),
                 CACHET_ERR_MALFORMED);
    CHECK_EQ_INT(
        cachet_ocsp_check(resp.data, 10, req.data, req.len, certs[GOOD], certs[CA], now, &a, NULL),
        CACHET_ERR_MALFORMED);
    cachet_membuf_free(&req);
    cachet_membuf_free(&other);
    cachet_membuf_free(&resp);
}

/* ---- HTTP ---- */

static void http_fetch_refuses_what_it_must_not_fetch(void) {
    static const struct {
        const char *url;
        cachet_status want;
    } cases[] = {
        {"https://127.0.0.1:1/ca.crl", CACHET_ERR_UNSUPPORTED},
        {"ldap://ldap.example.com/cn=CA?certificateRevocationList", CACHET_ERR_UNSUPPORTED},
        {"file:///etc/passwd", CACHET_ERR_UNSUPPORTED},
        {"http://user:pw@127.0.0.1:1/ca.crl", CACHET_ERR_UNSUPPORTED},
        {"http://127.0.0.1:1/ca.crl", CACHET_ERR_IO}, /* port 1: nobody listens */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_membuf out = {0};
        cachet_error err = {0};
        CHECK_EQ_INT(cachet_http_fetch(cases[i].url, NULL, 0, NULL, NULL, 1000, 2, &out, &err),
                     cases[i].want);
        CHECK_EQ_INT(out.len, 0);
        cachet_membuf_free(&out);
    }
    cachet_membuf out = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_http_fetch("http://127.0.0.1:1/", NULL, 0, NULL, NULL, 1000, 2, &out, &err),
                 CACHET_ERR_IO);
    CHECK_STR(err.message, "connection refused");
}

/* A listener that accepts (the kernel does, from the backlog) but never answers. */
static void http_fetch_gives_up_after_its_timeout(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(fd, 4) == 0 &&
          getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/ca.crl", ntohs(a.sin_port));
    cachet_membuf out = {0};
    cachet_error err = {0};
    time_t start = time(NULL);
    CHECK_EQ_INT(cachet_http_fetch(url, NULL, 0, NULL, NULL, 1000, 1, &out, &err), CACHET_ERR_IO);
    CHECK(time(NULL) - start <= 3);
    CHECK(strstr(err.message, "timeout") != NULL || strstr(err.message, "timed out") != NULL);
    close(fd);
}

static const cachet_test_case tests[] = {
    TEST_CASE(crl_der_and_pem_parse_to_the_same_list),
    TEST_CASE(crl_lists_the_revoked_certificate_with_date_and_reason),
    TEST_CASE(crl_from_another_key_or_issuer_does_not_verify),
    TEST_CASE(crl_scoped_to_some_reasons_or_a_delta_is_not_used),
    TEST_CASE(crl_parse_refuses_garbage_truncation_and_trailing_bytes),
    TEST_CASE(crl_parse_and_ocsp_request_survive_allocation_failures),
    TEST_CASE(ocsp_answers_are_checked_for_signer_freshness_and_status),
    TEST_CASE(ocsp_answer_must_fit_our_request_and_be_intact),
    TEST_CASE(http_fetch_refuses_what_it_must_not_fetch),
    TEST_CASE(http_fetch_gives_up_after_its_timeout),
};
TEST_MAIN(tests)
