#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/dynlib.h"
#include "testlib.h"

int cachet_test_failures;

int cachet_test_run(const cachet_test_case *tests, size_t n, int argc, char **argv) {
    const char *filter = argc > 1 ? argv[1] : NULL;
    size_t ran = 0;
    for (size_t i = 0; i < n; i++) {
        if (filter != NULL && strstr(tests[i].name, filter) == NULL) {
            continue;
        }
        int before = cachet_test_failures;
        tests[i].fn();
        ran++;
        printf("%s %s\n", cachet_test_failures == before ? "ok  " : "FAIL", tests[i].name);
    }
    printf("%zu tests, %d failed checks\n", ran, cachet_test_failures);
    return cachet_test_failures == 0 && ran > 0 ? 0 : 1;
}

bool cachet_test_mem_eq(const void *a, size_t alen, const void *b, size_t blen) {
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

uint8_t *cachet_test_read_file(const char *path, size_t *out_len) {
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf != NULL && (n = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            uint8_t *p = realloc(buf, cap);
            if (p == NULL) {
                free(buf);
                buf = NULL;
            }
            buf = p;
        }
    }
    fclose(fp);
    *out_len = len;
    return buf;
}

const char *cachet_test_vector_path(const char *rel) {
    static char path[4096];
    const char *base = getenv("CACHET_VECTORS");
    if (base == NULL) {
        base = "../shared/vectors";
    }
    /* The corpus lives beside the checkout, not in it. Without it the test cannot
     * prove anything: say so and report "skipped" (CTest SKIP_RETURN_CODE 77)
     * rather than pass or crash. */
    struct stat st;
    if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP: the shared vector corpus is not at %s (set CACHET_VECTORS_DIR)\n", base);
        fflush(stdout);
        exit(77);
    }
    snprintf(path, sizeof(path), "%s/%s", base, rel);
    return path;
}

const char *cachet_test_tests_dir(void) {
    static char dir[1024];
    const char *env = getenv("CACHET_TESTS_DIR");
    if (env != NULL) {
        snprintf(dir, sizeof(dir), "%s", env);
        return dir;
    }
    /* __FILE__ is tests/unit/testlib.c. */
    snprintf(dir, sizeof(dir), "%s", __FILE__);
    char *slash = strrchr(dir, '/');
    if (slash != NULL) {
        *slash = '\0';
        strncat(dir, "/..", sizeof(dir) - strlen(dir) - 1);
    }
    return dir;
}

static char pki_dir[256];

static void remove_pki(void) {
    if (pki_dir[0] != '\0') {
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "cannot remove %s\n", pki_dir);
        }
    }
}

bool cachet_test_make_pki(char *dir, size_t len) {
    static int state; /* 0: not tried, 1: made, -1: failed */
    if (state == 0) {
        state = -1;
        snprintf(pki_dir, sizeof(pki_dir), "/tmp/cachet-pki-XXXXXX");
        if (mkdtemp(pki_dir) == NULL) {
            perror("mkdtemp");
            pki_dir[0] = '\0';
            return false;
        }
        atexit(remove_pki);
        char cmd[2048];
        snprintf(cmd, sizeof(cmd), "bash '%s/pki/mkpki.sh' '%s' >/dev/null 2>&1",
                 cachet_test_tests_dir(), pki_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "mkpki.sh failed\n");
            return false;
        }
        state = 1;
    }
    if (state != 1) {
        return false;
    }
    snprintf(dir, len, "%s", pki_dir);
    return true;
}

uint32_t cachet_test_rand(uint32_t *state) {
    uint32_t x = *state == 0 ? 2463534242u : *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

cachet_status cachet_test_load_as(const cachet_dynlib_spec *spec, const char *soname, void *table,
                                  size_t size, cachet_error *err) {
    cachet_dynlib_spec as = *spec;
    as.soname = soname;
    return cachet_dynlib_load(&as, table, size, err);
}

bool cachet_test_table_full(const void *table, size_t size) {
    static const unsigned char unset[sizeof(void (*)(void))];
    for (size_t off = 0; off + sizeof(unset) <= size; off += sizeof(unset)) {
        if (memcmp((const unsigned char *)table + off, unset, sizeof(unset)) == 0) {
            return false;
        }
    }
    return size > 0 && size % sizeof(unset) == 0;
}
