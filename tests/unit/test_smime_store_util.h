/* Shared by the test_smime_store*.c tests: a test PKI made once per process
 * with tests/pki/mkpki.sh, fresh stores in a temporary folder, file helpers. */
#ifndef TEST_SMIME_STORE_UTIL_H
#define TEST_SMIME_STORE_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "smime/pem.h"
#include "smime/store_internal.h"
#include "cms/signed.h"
#include "testlib.h"

static char g_tmp[256]; /* everything this process writes */
static char g_pki[300]; /* the mkpki.sh output (cachet_test_make_pki) */
static int g_store_seq;

/* run formats and runs a shell command; its exit status. */
__attribute__((format(printf, 1, 2))) static int run(const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void cleanup_tmp(void) {
    if (g_tmp[0] != '\0') {
        run("rm -rf '%s'", g_tmp);
    }
}

/* pki_setup makes the PKI (once); false if it could not be made. */
static bool pki_setup(void) {
    if (g_pki[0] != '\0') {
        return true;
    }
    snprintf(g_tmp, sizeof(g_tmp), "/tmp/cachet-store-test-XXXXXX");
    if (mkdtemp(g_tmp) == NULL) {
        g_tmp[0] = '\0';
        return false;
    }
    atexit(cleanup_tmp);
    if (!cachet_test_make_pki(g_pki, sizeof(g_pki))) {
        g_pki[0] = '\0';
        return false;
    }
    return true;
}

/* pki_path writes the path of a PKI file into a static ring of buffers. */
static const char *pki_path(const char *name) {
    static char bufs[8][512];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 512, "%s/%s", g_pki, name);
    return b;
}

/* tmp_path: a path in the process' temporary folder. */
static const char *tmp_path(const char *name) {
    static char bufs[8][512];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 512, "%s/%s", g_tmp, name);
    return b;
}

/* new_store opens a fresh SQLite store in its own folder ("sqlite:" URL form). */
static cachet_store *new_store(char *dir_out, size_t dir_len) {
    char dir[512], url[600];
    snprintf(dir, sizeof(dir), "%s/store%d", g_tmp, ++g_store_seq);
    snprintf(url, sizeof(url), "sqlite:%s/store.db", dir);
    if (dir_out != NULL) {
        snprintf(dir_out, dir_len, "%s", dir);
    }
    cachet_store *st = NULL;
    cachet_error err = {0};
    cachet_status s = cachet_store_open(url, &st, &err);
    if (s != CACHET_OK) {
        fprintf(stderr, "store_open: %s\n", err.message);
    }
    CHECK_EQ_INT(s, CACHET_OK);
    return st;
}

static uint8_t *read_all(const char *path, size_t *len) {
    return cachet_test_read_file(path, len);
}

/* der_of: the DER of the first certificate of a PEM file (malloc'd). */
static uint8_t *der_of(const char *pem_path, size_t *len) {
    const char *out = tmp_path("der_of.der");
    if (run("openssl x509 -in '%s' -outform DER -out '%s'", pem_path, out) != 0) {
        return NULL;
    }
    return read_all(out, len);
}

/* fp_of: the SHA-256 fingerprint (lowercase hex) of the first certificate of a PEM file. */
static void fp_of(const char *pem_path, char out[65]) {
    size_t len = 0;
    uint8_t *der = der_of(pem_path, &len);
    uint8_t md[32] = {0};
    if (der != NULL) {
        SHA256(der, len, md);
    }
    free(der);
    cachet_hex(out, md, sizeof(md));
}

static size_t store_count(cachet_store *st) {
    cachet_cert_info *infos = NULL;
    size_t n = 0;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_store_list(st, &infos, &n, &err), CACHET_OK);
    cachet_cert_info_free(infos, n);
    return n;
}

/* import_file imports a whole file (p12_pass NULL: not PKCS#12). */
static cachet_status import_file(cachet_store *st, const char *path, const char *p12_pass,
                                 cachet_import_result *res, cachet_error *err) {
    size_t len = 0;
    uint8_t *data = read_all(path, &len);
    if (data == NULL) {
        return CACHET_ERR_IO;
    }
    cachet_status s =
        cachet_store_import(st, data, len, path, p12_pass, CACHET_ORIGIN_IMPORTED, res, err);
    free(data);
    return s;
}

static bool write_file(const char *path, const void *data, size_t len) {
    FILE *fp = fopen(path, "wb");
    if (fp == NULL) {
        return false;
    }
    bool ok = fwrite(data, 1, len, fp) == len;
    return fclose(fp) == 0 && ok;
}

static cachet_cert *load_cert(const char *path) {
    cachet_cert *c = NULL;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_cert_load_file(path, &c, &err), CACHET_OK);
    return c;
}

#endif
