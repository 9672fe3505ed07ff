/* Opening the private key a store record points to: "file:PATH" or an RFC
 * 7512 "pkcs11:" URI. The key must belong to the record's certificate, so a
 * replaced or edited key file fails here rather than as a bad signature. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pki/pki.h"

/* The largest key file read. */
#define MAX_KEY_FILE ((size_t)1 << 20)

cachet_status cachet_pki_read_file(const char *path, size_t max, cachet_status fail,
                                   const char *what, cachet_membuf *out, cachet_error *err) {
    cachet_membuf_reset(out);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        return cachet_err_set(err, fail, path, -1, "cannot open %s%s: %s", what, path,
                              strerror(errno));
    }
    cachet_status st = CACHET_OK;
    uint8_t buf[8192];
    for (;;) {
        size_t n = fread(buf, 1, sizeof(buf), fp);
        if (n > 0) {
            if (n > max - out->len) {
                st = cachet_err_set(err, CACHET_ERR_LIMIT, path, (long long)out->len,
                                    "%s%s is larger than %zu bytes", what, path, max);
                break;
            }
            if (!cachet_membuf_append(out, buf, n)) {
                st = cachet_err_set(err, CACHET_ERR_NOMEM, path, -1, "out of memory");
                break;
            }
        }
        if (n < sizeof(buf)) {
            if (ferror(fp)) {
                st = cachet_err_set(err, fail, path, -1, "cannot read %s", path);
            }
            break;
        }
    }
    cachet_cleanse(buf, sizeof(buf));
    fclose(fp);
    return st;
}

static cachet_status load_file_key(const char *path, const char *pass, cachet_pkey **out,
                                   cachet_error *err) {
    if (path[0] != '/') {
        return cachet_err_set(err, CACHET_ERR_KEY, path, -1,
                              "stored key reference file:%s is not an absolute path", path);
    }
    cachet_membuf buf = {0};
    cachet_status st =
        cachet_pki_read_file(path, MAX_KEY_FILE, CACHET_ERR_KEY, "the key file ", &buf, err);
    if (st == CACHET_OK) {
        cachet_error sub = {0};
        st = cachet_pkey_load_private(buf.data, buf.len, pass, out, &sub);
        if (st != CACHET_OK) {
            st = cachet_err_set(err, CACHET_ERR_KEY, path, -1, "cannot read the key %s: %s", path,
                                sub.message);
        }
    }
    cachet_membuf_free_secret(&buf);
    return st;
}

cachet_status cachet_pki_load_key_ref(const char *key_ref, const char *pass,
                                      const cachet_cert *cert, cachet_pkey **out,
                                      cachet_error *err) {
    if (key_ref == NULL || cert == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "key", -1,
                              "key reference and certificate "
                              "needed");
    }
    *out = NULL;
    cachet_pkey *key = NULL;
    cachet_status st;
    if (strncmp(key_ref, "file:", 5) == 0) {
        st = load_file_key(key_ref + 5, pass, &key, err);
    } else if (strncmp(key_ref, "pkcs11:", 7) == 0) {
        st = cachet_pki_p11_load(key_ref, cert, &key, NULL, err);
    } else if (key_ref[0] == '\0') {
        return cachet_err_set(err, CACHET_ERR_KEY, "key", -1, "the certificate has no key");
    } else {
        return cachet_err_set(err, CACHET_ERR_KEY, "key", -1, "unknown key reference \"%.40s\"",
                              key_ref);
    }
    if (st != CACHET_OK) {
        return st;
    }
    cachet_pkey *pub = cachet_cert_pkey(cert);
    bool ok = pub != NULL && cachet_pkey_matches(pub, key);
    cachet_pkey_free(pub);
    if (!ok) {
        cachet_pkey_free(key);
        return cachet_err_set(err, CACHET_ERR_KEY, key_ref, -1,
                              "the key %s does not match its certificate", key_ref);
    }
    *out = key;
    return CACHET_OK;
}
