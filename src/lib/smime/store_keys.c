/* Private keys of the store (include/cachet/store.h): references only. A key
 * file is kept where it is (its absolute path recorded); a PKCS#12 key is
 * written once, encrypted, into the store's key folder; a token key is
 * recorded by its RFC 7512 URI without any PIN. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smime/store_internal.h"

static cachet_status need_store(const cachet_store *st, cachet_error *err) {
    if (st == NULL || st->db == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no store");
    }
    return CACHET_OK;
}

static void clear_res(cachet_import_result *res) {
    if (res != NULL) {
        memset(res, 0, sizeof(*res));
    }
}

/* key_error keeps the lower-level reason of a key that would not open. */
static cachet_status key_error(cachet_error *err, const char *path, const cachet_error *sub) {
    return cachet_err_set(err, CACHET_ERR_KEY, path, -1, "cannot read a private key from %s: %s",
                          path, sub->message);
}

static cachet_status check_match(const cachet_cert *cert, const cachet_pkey *key, const char *what,
                                 cachet_error *err) {
    cachet_pkey *pub = cachet_cert_pkey(cert);
    bool ok = pub != NULL && cachet_pkey_matches(pub, key);
    cachet_pkey_free(pub);
    if (!ok) {
        return cachet_err_set(err, CACHET_ERR_KEY, what, -1,
                              "the private key %s does not match the certificate", what);
    }
    return CACHET_OK;
}

cachet_status cachet_store_import_key_files(cachet_store *st, const char *key_path,
                                            const char *cert_path, const char *pass,
                                            cachet_import_result *res, cachet_error *err) {
    clear_res(res);
    cachet_status s = need_store(st, err);
    if (s != CACHET_OK) {
        return s;
    }
    if (key_path == NULL || cert_path == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1,
                              "a key file and a certificate "
                              "file are needed");
    }
    char abs[1000];
    struct stat sb;
    if (!cachet_store_abs_path(key_path, abs, sizeof(abs))) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, key_path, -1, "the path %s is too long",
                              key_path);
    }
    if (stat(abs, &sb) != 0) {
        return cachet_err_set(err, CACHET_ERR_IO, key_path, -1, "cannot open %s: %s", key_path,
                              strerror(errno));
    }
    if (!S_ISREG(sb.st_mode)) {
        return cachet_err_set(err, CACHET_ERR_KEY, key_path, -1, "%s is not a regular file",
                              key_path);
    }
    /* The store would hand this key to every operation: one others can read is
     * refused rather than silently kept. */
    if ((sb.st_mode & 077) != 0) {
        return cachet_err_set(err, CACHET_ERR_KEY, key_path, -1,
                              "key file %s is readable by others (mode %04o): chmod 600 %s",
                              key_path, (unsigned)(sb.st_mode & 07777), key_path);
    }
    cachet_cert_list certs = {0};
    cachet_membuf buf = {0};
    cachet_pkey *key = NULL;
    s = cachet_store_load_cert_file(cert_path, &certs, err);
    if (s == CACHET_OK) {
        s = cachet_smime_read_file(abs, CACHET_SMIME_MAX_KEY_FILE, &buf, err);
    }
    if (s == CACHET_OK) {
        cachet_error sub = {0};
        if (cachet_pkey_load_private(buf.data, buf.len, pass, &key, &sub) != CACHET_OK) {
            s = key_error(err, key_path, &sub);
        }
    }
    if (s == CACHET_OK) {
        s = check_match(certs.certs[0], key, key_path, err);
    }
    if (s == CACHET_OK) {
        char ref[sizeof(abs) + 8];
        snprintf(ref, sizeof(ref), "file:%s", abs);
        s = cachet_store_put_certs(st, certs.certs, certs.num, CACHET_DB_IMPORTED, ref, res, err);
    }
    cachet_pkey_free(key);
    cachet_membuf_free_secret(&buf);
    cachet_cert_list_clear(&certs);
    return s;
}

/* make_key_dir creates |dir| (and missing parents) 0700 and refuses one that
 * others may enter. */
static cachet_status make_key_dir(const char *dir, cachet_error *err) {
    char tmp[1024];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(tmp)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "keys", -1, "bad key folder");
    }
    memcpy(tmp, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0') {
            continue;
        }
        char c = tmp[i];
        tmp[i] = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
            return cachet_err_set(err, CACHET_ERR_IO, dir, -1, "cannot create %s: %s", tmp,
                                  strerror(errno));
        }
        tmp[i] = c;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        return cachet_err_set(err, CACHET_ERR_IO, dir, -1, "%s is not a folder", dir);
    }
    if ((sb.st_mode & 077) != 0) {
        return cachet_err_set(err, CACHET_ERR_POLICY, dir, -1,
                              "key folder %s is open to others (mode %04o): chmod 700 %s", dir,
                              (unsigned)(sb.st_mode & 07777), dir);
    }
    return CACHET_OK;
}

static bool write_all(int fd, const uint8_t *data, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return false;
        }
        data += w;
        len -= (size_t)w;
    }
    return true;
}

/* existing_key_matches: an earlier import of the same PKCS#12 left |path|. */
static bool existing_key_matches(const char *path, const char *pass, const cachet_cert *cert) {
    cachet_membuf buf = {0};
    cachet_pkey *key = NULL;
    bool ok = cachet_smime_read_file(path, CACHET_SMIME_MAX_KEY_FILE, &buf, NULL) == CACHET_OK &&
              cachet_pkey_load_private(buf.data, buf.len, pass, &key, NULL) == CACHET_OK &&
              check_match(cert, key, path, NULL) == CACHET_OK;
    cachet_pkey_free(key);
    cachet_membuf_free_secret(&buf);
    return ok;
}

/* write_key_file writes |pem| to |path| without ever exposing a partial or
 * world-readable file: a 0600 temporary made with O_EXCL (mkstemp), synced, then
 * linked to the final name (link never replaces an existing file). |*created|
 * tells whether |path| is new. */
static cachet_status write_key_file(const char *dir, const char *path, const cachet_membuf *pem,
                                    const char *pass, const cachet_cert *cert, bool *created,
                                    cachet_error *err) {
    char tmp[1100];
    int n = snprintf(tmp, sizeof(tmp), "%s/.import.XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, dir, -1, "the key folder path is too long");
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        return cachet_err_set(err, CACHET_ERR_IO, dir, -1, "cannot create a file in %s: %s", dir,
                              strerror(errno));
    }
    bool ok = fchmod(fd, 0600) == 0 && write_all(fd, pem->data, pem->len) && fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    cachet_status s = CACHET_OK;
    *created = false;
    if (!ok) {
        s = cachet_err_set(err, CACHET_ERR_IO, path, -1, "cannot write %s: %s", tmp,
                           strerror(saved));
    } else if (link(tmp, path) == 0) {
        *created = true;
    } else if (errno != EEXIST) {
        s = cachet_err_set(err, CACHET_ERR_IO, path, -1, "cannot create %s: %s", path,
                           strerror(errno));
    } else if (!existing_key_matches(path, pass, cert)) {
        s = cachet_err_set(err, CACHET_ERR_USAGE, path, -1,
                           "%s exists and is not this certificate's key under this password", path);
    }
    unlink(tmp);
    return s;
}

cachet_status cachet_store_import_key_p12(cachet_store *st, const char *p12_path, const char *pass,
                                          const char *key_dir, cachet_import_result *res,
                                          cachet_error *err) {
    clear_res(res);
    cachet_status s = need_store(st, err);
    if (s != CACHET_OK) {
        return s;
    }
    if (p12_path == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no PKCS#12 file");
    }
    if (pass == NULL || pass[0] == '\0') {
        return cachet_err_set(err, CACHET_ERR_USAGE, p12_path, -1,
                              "the key from %s is stored encrypted with its password: an empty "
                              "password is refused",
                              p12_path);
    }
    const char *dir = key_dir != NULL ? key_dir : st->key_dir;
    if (dir[0] != '/') {
        return cachet_err_set(err, CACHET_ERR_USAGE, "keys", -1,
                              "no absolute key folder for the PKCS#12 key (set XDG_DATA_HOME or "
                              "HOME, or name a folder)");
    }
    cachet_membuf buf = {0};
    cachet_membuf pem = {0};
    cachet_pkey *key = NULL;
    cachet_cert *cert = NULL;
    cachet_cert_list all = {0};
    char path[1200];
    bool created = false;
    s = cachet_smime_read_file(p12_path, CACHET_SMIME_MAX_KEY_FILE, &buf, err);
    if (s == CACHET_OK) {
        cachet_error sub = {0};
        if (cachet_pkcs12_load(buf.data, buf.len, pass, &key, &cert, &all, &sub) != CACHET_OK) {
            s = cachet_err_set(err, CACHET_ERR_KEY, p12_path, -1, "cannot read %s: %s", p12_path,
                               sub.message);
        }
    }
    if (s == CACHET_OK) {
        s = check_match(cert, key, p12_path, err);
    }
    if (s == CACHET_OK) {
        /* The leaf first: it gets the key reference. */
        cachet_cert_list leaf_first = {0};
        bool ok = cachet_cert_list_push(&leaf_first, cert);
        for (size_t i = 0; ok && i < all.num; i++) {
            ok = cachet_cert_list_push(&leaf_first, all.certs[i]);
        }
        cachet_cert_list_clear(&all);
        all = leaf_first;
        if (!ok) {
            s = cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
        }
    }
    if (s == CACHET_OK) {
        s = make_key_dir(dir, err);
    }
    if (s == CACHET_OK) {
        uint8_t fp[32];
        char hex[65];
        cachet_cert_sha256(cert, fp);
        cachet_hex(hex, fp, sizeof(fp));
        int n = snprintf(path, sizeof(path), "%s/%s.key", dir, hex);
        if (n < 0 || (size_t)n >= sizeof(path)) {
            s = cachet_err_set(err, CACHET_ERR_LIMIT, dir, -1, "the key folder path is too long");
        }
    }
    if (s == CACHET_OK) {
        s = cachet_pkey_write_private(key, pass, &pem, err);
    }
    if (s == CACHET_OK) {
        s = write_key_file(dir, path, &pem, pass, cert, &created, err);
    }
    if (s == CACHET_OK) {
        char ref[sizeof(path) + 10];
        snprintf(ref, sizeof(ref), "file:%s", path);
        s = cachet_store_put_certs(st, all.certs, all.num, CACHET_DB_IMPORTED, ref, res, err);
        if (s != CACHET_OK && created) {
            unlink(path);
        }
    }
    cachet_pkey_free(key);
    cachet_cert_free(cert);
    cachet_cert_list_clear(&all);
    cachet_membuf_free_secret(&buf);
    cachet_membuf_free_secret(&pem);
    return s;
}

/* strip_pin copies |uri| without any pin-value attribute (RFC 7512 §2.3: a
 * query attribute; path attributes are checked too), so no PIN reaches the
 * database. */
static bool strip_pin(const char *uri, char *out, size_t out_len) {
    size_t o = 0;
    const char *p = uri;
    char sep = ';';
    bool first = true;
    while (*p != '\0') {
        size_t n = strcspn(p, sep == ';' ? ";?" : "&");
        bool drop =
            strncmp(p, "pin-value=", 10) == 0 || (n == 9 && strncmp(p, "pin-value", 9) == 0);
        if (!drop) {
            if (!first && o + 1 < out_len) {
                out[o++] = sep;
            }
            if (o + n >= out_len) {
                return false;
            }
            memcpy(out + o, p, n);
            o += n;
            first = false;
        }
        p += n;
        if (*p == '?') {
            if (o + 1 >= out_len) {
                return false;
            }
            sep = '&';
            first = true;
            out[o++] = '?';
            p++;
        } else if (*p != '\0') {
            p++;
        }
    }
    if (o > 0 && out[o - 1] == '?') {
        o--;
    }
    out[o] = '\0';
    return true;
}

cachet_status cachet_store_import_key_pkcs11(cachet_store *st, const char *uri,
                                             const char *cert_path, cachet_import_result *res,
                                             cachet_error *err) {
    clear_res(res);
    cachet_status s = need_store(st, err);
    if (s != CACHET_OK) {
        return s;
    }
    if (uri == NULL || strncmp(uri, "pkcs11:", 7) != 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "pkcs11", -1,
                              "a PKCS#11 URI (pkcs11:...) is needed");
    }
    char ref[1024];
    if (!strip_pin(uri, ref, sizeof(ref))) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "pkcs11", -1, "the PKCS#11 URI is too long");
    }
    cachet_cert_list certs = {0};
    cachet_pkey *key = NULL;
    cachet_cert *token_cert = NULL;
    if (cert_path != NULL) {
        s = cachet_store_load_cert_file(cert_path, &certs, err);
    }
    if (s == CACHET_OK) {
        s = cachet_pki_p11_load(uri, cert_path != NULL ? certs.certs[0] : NULL, &key,
                                cert_path != NULL ? NULL : &token_cert, err);
    }
    if (s == CACHET_OK && cert_path == NULL) {
        if (token_cert == NULL || !cachet_cert_list_push(&certs, token_cert)) {
            s = cachet_err_set(err, CACHET_ERR_KEY, "pkcs11", -1,
                               "no certificate for the key on the token");
        }
    }
    if (s == CACHET_OK) {
        s = check_match(certs.certs[0], key, "on the token", err);
    }
    if (s == CACHET_OK) {
        s = cachet_store_put_certs(st, certs.certs, certs.num, CACHET_DB_IMPORTED, ref, res, err);
    }
    cachet_pkey_free(key);
    cachet_cert_free(token_cert);
    cachet_cert_list_clear(&certs);
    return s;
}
