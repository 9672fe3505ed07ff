/* cachet_request_make: a PKCS#10 request (RFC 2986) for an address, as PEM or
 * as an application/pkcs10 message (RFC 5751 §3.8, formerly RFC 2311 §3.7). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "mime/mime.h"
#include "smime/pem.h"
#include "smime/internal.h"

/* write_new_key creates |path| (O_EXCL, 0600: an existing file is never
 * replaced) holding |key| as PKCS#8 PEM, encrypted with |pass| if given. */
static cachet_status write_new_key(const char *path, const cachet_pkey *key, const char *pass,
                                   cachet_error *err) {
    cachet_membuf pem = {0};
    cachet_status st = cachet_pkey_write_private(key, pass, &pem, err);
    if (st != CACHET_OK) {
        cachet_membuf_free_secret(&pem);
        return st;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        cachet_membuf_free_secret(&pem);
        return cachet_err_set(err, CACHET_ERR_IO, path, -1, "cannot create %s: %s", path,
                              strerror(errno));
    }
    const uint8_t *p = pem.data;
    size_t left = pem.len;
    bool ok = true;
    while (ok && left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        ok = w > 0;
        if (ok) {
            p += w;
            left -= (size_t)w;
        }
    }
    ok = ok && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    cachet_membuf_free_secret(&pem);
    if (!ok) {
        unlink(path);
        return cachet_err_set(err, CACHET_ERR_IO, path, -1, "cannot write %s", path);
    }
    return CACHET_OK;
}

static cachet_status load_key(const char *path, const char *pass, cachet_pkey **out,
                              cachet_error *err) {
    cachet_membuf buf = {0};
    cachet_status st = cachet_smime_read_file(path, CACHET_SMIME_MAX_KEY_FILE, &buf, err);
    if (st == CACHET_OK) {
        cachet_error sub = {0};
        st = cachet_pkey_load_private(buf.data, buf.len, pass, out, &sub);
        if (st != CACHET_OK) {
            st = cachet_err_set(err, CACHET_ERR_KEY, path, -1,
                                "cannot read a private key from %s: %s", path, sub.message);
        }
    }
    cachet_membuf_free_secret(&buf);
    return st;
}

/* mime_request frames the DER request as RFC 5751 §3.8 shows it. */
static cachet_status mime_request(const cachet_membuf *der, cachet_membuf *out, cachet_error *err) {
    static const char *const fields[][2] = {
        {"MIME-Version", "1.0"},
        {"Content-Type", "application/pkcs10; name=smime.p10"},
        {"Content-Transfer-Encoding", "base64"},
        {"Content-Disposition", "attachment; filename=smime.p10"},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        cachet_status st = cachet_mime_write_header(out, fields[i][0], fields[i][1], err);
        if (st != CACHET_OK) {
            return st;
        }
    }
    size_t cap = CACHET_MIME_B64ENC_MAX(der->len) + CACHET_MIME_B64ENC_FINISH_MAX + 2;
    if (!cachet_membuf_append(out, "\r\n", 2) || !cachet_membuf_reserve(out, cap)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "request", -1, "out of memory");
    }
    cachet_mime_b64enc enc;
    cachet_mime_b64enc_init(&enc);
    size_t n = cachet_mime_b64enc_update(&enc, der->data, der->len, out->data + out->len);
    n += cachet_mime_b64enc_finish(&enc, out->data + out->len + n);
    out->len += n;
    return CACHET_OK;
}

cachet_status cachet_request_make(const cachet_request_opts *opts, const cachet_sink *out,
                                  cachet_error *err) {
    if (opts == NULL || out == NULL || opts->email == NULL || opts->email[0] == '\0') {
        return cachet_err_set(err, CACHET_ERR_USAGE, "request", -1,
                              "a request needs an email address");
    }
    char norm[512];
    if (!cachet_db_normalize_address(opts->email, norm, sizeof(norm))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "request", -1,
                              "\"%s\" is not an email address", opts->email);
    }
    if (opts->key_path == NULL && (opts->key_out == NULL || opts->key_out[0] == '\0')) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "request", -1,
                              "a new key needs a file to be written to (key_out)");
    }
    const char *pass = opts->pass != NULL && opts->pass[0] != '\0' ? opts->pass : NULL;
    cachet_pkey *key = NULL;
    cachet_membuf der = {0};
    cachet_membuf text = {0};
    bool wrote_key = false;
    cachet_status st;
    if (opts->key_path != NULL) {
        st = load_key(opts->key_path, opts->pass, &key, err);
    } else {
        st = cachet_pkey_generate(opts->new_key != NULL ? opts->new_key : "rsa:3072", &key, err);
        if (st == CACHET_OK) {
            st = write_new_key(opts->key_out, key, pass, err);
            wrote_key = st == CACHET_OK;
        }
    }
    if (st == CACHET_OK) {
        st = cachet_request_build(key, opts->email, &der, err);
    }
    if (st == CACHET_OK) {
        st = opts->mime ? mime_request(&der, &text, err)
                        : cachet_pem_encode("CERTIFICATE REQUEST", der.data, der.len, &text, err);
    }
    if (st == CACHET_OK) {
        st = cachet_sink_write(out, text.data, text.len);
        if (st != CACHET_OK) {
            cachet_err_set(err, st, "output", -1, "writing the request failed");
        }
    }
    /* A key whose request could not be made is of no use: do not leave it behind. */
    if (st != CACHET_OK && wrote_key) {
        unlink(opts->key_out);
    }
    cachet_pkey_free(key);
    cachet_membuf_free(&der);
    cachet_membuf_free(&text);
    return st;
}
