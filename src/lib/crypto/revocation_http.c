/* HTTP for revocation (CRL GET, OCSP POST) through OpenSSL's own client, so we
 * never parse HTTP ourselves: http:// only, no redirects, a timeout, a maximum
 * response size and DER framing checked before the body is read. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/http.h>

#include "crypto/internal.h"
#include "crypto/revocation.h"

#define CACHET_HTTP_DEFAULT_TIMEOUT 10

/* http_reason: the most useful line of OpenSSL's queue: a system error
 * ("connection refused") beats the HTTP layer's first, most specific one
 * ("received error: code=404,reason=File not found"); the later ones only say
 * "error receiving". */
static void http_reason(char *out, size_t out_len) {
    const char *data = NULL;
    int flags = 0;
    bool have_sys = false;
    bool have_other = false;
    snprintf(out, out_len, "no answer");
    for (;;) {
        unsigned long e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
        if (e == 0) {
            break;
        }
        if (ERR_GET_LIB(e) == ERR_LIB_SYS && !have_sys) {
            snprintf(out, out_len, "%s", strerror(ERR_GET_REASON(e)));
            have_sys = true;
        } else if (!have_sys && !have_other) {
            const char *r = ERR_reason_error_string(e);
            bool has_data = (flags & ERR_TXT_STRING) != 0 && data != NULL && data[0] != '\0';
            snprintf(out, out_len, "%s%s%s", r != NULL ? r : "error", has_data ? ": " : "",
                     has_data ? data : "");
            have_other = true;
        }
    }
    if (out[0] >= 'A' && out[0] <= 'Z' && !(out[1] >= 'A' && out[1] <= 'Z')) {
        out[0] = (char)(out[0] - 'A' + 'a');
    }
}

/* connect_direct opens the TCP connection ourselves: OpenSSL's own connect
 * retries a refused connection until the timeout (it waits for servers that
 * are starting), and a responder that is down must fail at once. */
static BIO *connect_direct(const char *host, const char *port, time_t max_time, char *why,
                           size_t why_len) {
    BIO *b = BIO_new(BIO_s_connect());
    if (b == NULL || BIO_set_conn_hostname(b, host) <= 0 || BIO_set_conn_port(b, port) <= 0 ||
        BIO_set_nbio(b, 1) <= 0) {
        snprintf(why, why_len, "out of memory");
        BIO_free(b);
        return NULL;
    }
    for (;;) {
        if (BIO_do_connect(b) > 0) {
            ERR_clear_error();
            return b;
        }
        if (!BIO_should_retry(b)) {
            http_reason(why, why_len);
            break;
        }
        int w = BIO_wait(b, max_time, 100);
        if (w <= 0) {
            ERR_clear_error();
            snprintf(why, why_len, w == 0 ? "timed out connecting" : "connection failed");
            break;
        }
    }
    BIO_free(b);
    return NULL;
}

cachet_status cachet_http_fetch(const char *url, const uint8_t *body, size_t body_len,
                                const char *content_type, const char *expect_type, size_t max,
                                int timeout_seconds, cachet_membuf *out, cachet_error *err) {
    static const char where[] = "HTTP";
    if (url == NULL || out == NULL || (body != NULL && body_len > INT32_MAX) || max == 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "bad arguments");
    }
    if (strncasecmp(url, "http://", 7) != 0) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, where, -1,
                              "only http:// URLs are fetched, not %.200s", url);
    }
    int ssl = 0;
    int port_num = 0;
    char *user = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL, *frag = NULL;
    char *full = NULL;
    BIO *req = NULL;
    BIO *resp = NULL;
    BIO *conn = NULL;
    cachet_status st = CACHET_OK;
    if (!OSSL_HTTP_parse_url(url, &ssl, &user, &host, &port, &port_num, &path, &query, &frag) ||
        ssl || (user != NULL && user[0] != '\0') || host == NULL || host[0] == '\0') {
        ERR_clear_error();
        st = cachet_err_set(err, CACHET_ERR_UNSUPPORTED, where, -1, "cannot use the URL %.200s",
                            url);
        goto done;
    }
    bool has_query = query != NULL && query[0] != '\0';
    size_t full_len = strlen(path) + (has_query ? strlen(query) + 1 : 0) + 1;
    full = cachet_malloc(full_len);
    if (body != NULL) {
        req = BIO_new_mem_buf(body, (int)body_len);
    }
    if (full == NULL || (body != NULL && req == NULL)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
        goto done;
    }
    snprintf(full, full_len, "%s%s%s", path, has_query ? "?" : "", has_query ? query : "");
    int timeout = timeout_seconds > 0 ? timeout_seconds : CACHET_HTTP_DEFAULT_TIMEOUT;
    time_t start = time(NULL);
    ERR_clear_error();
    /* With a proxy from the environment ($http_proxy, $no_proxy) OpenSSL
     * connects (to the proxy); else we connect, see connect_direct. */
    if (OSSL_HTTP_adapt_proxy(NULL, NULL, host, 0) == NULL) {
        char why[200];
        conn = connect_direct(host, port, start + timeout, why, sizeof(why));
        if (conn == NULL) {
            st = cachet_err_set(err, CACHET_ERR_IO, where, -1, "%s", why);
            goto done;
        }
    }
    int left = timeout - (int)(time(NULL) - start);
    /* No prctx and keep_alive 0: one exchange per connection; a redirect is an
     * error (OSSL_HTTP_transfer follows none). */
    resp = OSSL_HTTP_transfer(NULL, host, port, full, 0, NULL, NULL, conn, NULL, NULL, NULL, 0,
                              NULL, body != NULL ? content_type : NULL, req, expect_type, 1, max,
                              left > 0 ? left : 1, 0);
    if (resp == NULL) {
        char reason[200];
        http_reason(reason, sizeof(reason));
        st = cachet_err_set(err, CACHET_ERR_IO, where, -1, "%s", reason);
        goto done;
    }
    uint8_t buf[4096];
    for (;;) {
        int n = BIO_read(resp, buf, sizeof(buf));
        if (n <= 0) {
            break;
        }
        if (!cachet_membuf_append(out, buf, (size_t)n) || out->len > max) {
            st = cachet_err_set(err, CACHET_ERR_LIMIT, where, -1, "response over %zu bytes", max);
            goto done;
        }
    }
done:
    BIO_free_all(resp);
    BIO_free_all(conn);
    BIO_free(req);
    cachet_free(full);
    OPENSSL_free(user);
    OPENSSL_free(host);
    OPENSSL_free(port);
    OPENSSL_free(path);
    OPENSSL_free(query);
    OPENSSL_free(frag);
    ERR_clear_error();
    return st;
}
