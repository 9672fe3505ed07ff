/* Replays fuzz corpora through a libFuzzer entry point without libFuzzer, so
 * every committed corpus file (and every past crash) runs as a normal test.
 * Usage: cachet_fuzz_replay_<target> FILE_OR_DIR...; fails when a directory
 * holds no file, so a misplaced corpus is noticed. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) {
            fclose(fp);
            return -1;
        }
        size_t n = fread(buf + len, 1, cap - len, fp);
        len += n;
        if (n == 0) {
            break;
        }
        if (len == cap) {
            cap *= 2;
            uint8_t *p = realloc(buf, cap);
            if (p == NULL) {
                free(buf);
            }
            buf = p;
        }
    }
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* replay_dir runs every regular file in |dir| in name order; returns the count or -1. */
static int replay_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "cannot open directory %s\n", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            cap = cap == 0 ? 64 : cap * 2;
            char **p = realloc(names, cap * sizeof(*p));
            if (p == NULL) {
                break;
            }
            names = p;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (names[n] == NULL) {
            break;
        }
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), compare_names);
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(names[i]) != 0) {
                count = -1;
            } else if (count >= 0) {
                count++;
            }
        }
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv) {
    int failures = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "no such file or directory: %s\n", argv[i]);
            failures++;
        } else if (S_ISDIR(st.st_mode)) {
            int n = replay_dir(argv[i]);
            if (n <= 0) {
                fprintf(stderr, "%s: no corpus files replayed\n", argv[i]);
                failures++;
            } else {
                printf("%s: %d files replayed\n", argv[i], n);
            }
        } else if (replay_file(argv[i]) != 0) {
            failures++;
        }
    }
    return failures == 0 && argc > 1 ? 0 : 1;
}
