/* The store as the commands see it: which one (--store URL, else
 * $CACHET_STORE, else the default file), when it is opened, and the errors of
 * the store calls, which name the store so that a user knows which file or
 * database is meant. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cachet_cli_store_exit(cachet_status st) {
    switch (st) {
        case CACHET_OK:
            return CACHET_EXIT_OK;
        case CACHET_ERR_IO: /* an unreachable database, an unwritable directory */
        case CACHET_ERR_KEY:
        case CACHET_ERR_USAGE:
            return CACHET_EXIT_USAGE;
        default:
            return cachet_cli_exit_code(st);
    }
}

/* A library opened on first use (base/dynlib.h) that is missing or not the right one:
 * its message already says what to install. */
static bool library_unusable(cachet_status st, const char *message) {
    return st == CACHET_ERR_UNSUPPORTED && message != NULL &&
           (strstr(message, ", which could not be loaded (") != NULL ||
            strstr(message, " cachet was built for") != NULL);
}

static const char *store_hint(cachet_status st, const char *message) {
    const char *msg = message != NULL ? message : "";
    if (library_unusable(st, message)) {
        return strstr(msg, "libpq") != NULL ? "a SQLite store (--store FILE) works without libpq"
                                            : NULL;
    }
    switch (st) {
        case CACHET_ERR_IO:
            if (strstr(msg, "postgres") != NULL || strstr(msg, "connect") != NULL ||
                strstr(msg, "server") != NULL) {
                return "check that the database server is running and the URL (--store or "
                       "$CACHET_STORE) is right";
            }
            return "check the store location (--store URL or $CACHET_STORE) and its permissions";
        case CACHET_ERR_MALFORMED:
        case CACHET_ERR_UNSUPPORTED:
            if (strstr(msg, "store") != NULL || strstr(msg, "database") != NULL ||
                strstr(msg, "schema") != NULL) {
                return "the store file was left untouched; name another with --store, or move "
                       "this one away";
            }
            return NULL;
        default:
            return cachet_cli_hint(st, message);
    }
}

int cachet_cli_store_error(const char *cmd, const char *what, const cachet_store *st,
                           const cachet_error *e) {
    cachet_cli_error_hint(cmd, what, e, false);
    cachet_status s = e != NULL && e->status != CACHET_OK ? e->status : CACHET_ERR_INTERNAL;
    const char *h = store_hint(s, e != NULL ? e->message : NULL);
    if (h != NULL) {
        fprintf(stderr, "cachet %s: %s\n", cmd, h);
    }
    if (st != NULL && s == CACHET_ERR_IO) {
        fprintf(stderr, "cachet %s: the store is ", cmd);
        cachet_cli_put_escaped(stderr, cachet_store_describe(st));
        fputc('\n', stderr);
    }
    return cachet_cli_store_exit(s);
}

/* sqlite_path: the file a store URL names, or NULL for a database server. */
static const char *sqlite_path(const char *url) {
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        return NULL;
    }
    if (strncmp(url, "sqlite:", 7) == 0) {
        return url + 7;
    }
    return url;
}

int cachet_cli_open_store(const cachet_cli_opts *o, cachet_cli_store_need need,
                          cachet_store **out) {
    *out = NULL;
    char url[4096];
    const char *name = o->store;
    if (name == NULL) {
        cachet_error err = {0};
        if (cachet_store_default_url(url, sizeof(url), &err) != CACHET_OK) {
            if (need == CACHET_CLI_STORE_IF_EXISTS) {
                return -1; /* no default store (no $HOME): nothing to add */
            }
            cachet_cli_error(o->cmd, "cannot find the default store (give --store URL)", &err);
            return cachet_cli_store_exit(err.status);
        }
        name = url;
        const char *path = sqlite_path(url);
        /* Without --store, verify and decrypt read the store file only when it
         * is there: they never create one. */
        if (need == CACHET_CLI_STORE_IF_EXISTS && path != NULL && access(path, F_OK) != 0) {
            return -1;
        }
    }
    if (name[0] == '\0') {
        return cachet_cli_usage_error(o->cmd, "--store needs a file name or a postgresql:// URL");
    }
    const char *path = sqlite_path(name);
    struct stat sb;
    if (path != NULL && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        cachet_cli_errorf(o->cmd, "the store %s is a directory: name a file (e.g. %s/store.db)",
                          path, path);
        return CACHET_EXIT_USAGE;
    }
    cachet_error err = {0};
    cachet_store *st = NULL;
    if (cachet_store_open(name, &st, &err) != CACHET_OK) {
        char what[128];
        snprintf(what, sizeof(what), "cannot open the store");
        cachet_cli_error_hint(o->cmd, what, &err, false);
        const char *h = store_hint(err.status, err.message);
        if ((err.status == CACHET_ERR_MALFORMED || err.status == CACHET_ERR_UNSUPPORTED) &&
            !library_unusable(err.status, err.message)) {
            h = "the store file was left untouched; name another with --store, or move this "
                "one away";
        }
        if (h != NULL) {
            fprintf(stderr, "cachet %s: %s\n", o->cmd, h);
        }
        return cachet_cli_store_exit(err.status != CACHET_OK ? err.status : CACHET_ERR_INTERNAL);
    }
    *out = st;
    return -1;
}

static bool is_hex(const char *s) {
    for (; *s != '\0'; s++) {
        if (strchr("0123456789abcdefABCDEF", *s) == NULL) {
            return false;
        }
    }
    return true;
}

int cachet_cli_resolve_fp(const char *cmd, cachet_store *st, const char *fp, char full[65]) {
    cachet_cert_info info;
    return cachet_cli_resolve_fp_info(cmd, st, fp, full, &info);
}

int cachet_cli_resolve_fp_info(const char *cmd, cachet_store *st, const char *fp, char full[65],
                               cachet_cert_info *info) {
    /* "SHA256:aa:bb..." and colon-separated forms as other tools print them. */
    char want[65];
    size_t n = 0;
    const char *p = fp;
    if (strncasecmp(p, "sha256:", 7) == 0) {
        p += 7;
    }
    for (; *p != '\0'; p++) {
        if (*p == ':') {
            continue;
        }
        if (n == 64) {
            n = 65; /* too long */
            break;
        }
        want[n++] = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
    }
    if (n > 64) {
        n = 0;
    }
    want[n < 65 ? n : 64] = '\0';
    if (n < 8 || !is_hex(want)) {
        return cachet_cli_usage_error(cmd,
                                      "'%s' is not a fingerprint: give at least 8 hex digits of "
                                      "the SHA-256 fingerprint (see `cachet certs list`)",
                                      fp);
    }
    cachet_cert_info *infos = NULL;
    size_t num = 0;
    cachet_error err = {0};
    if (cachet_store_list(st, &infos, &num, &err) != CACHET_OK) {
        return cachet_cli_store_error(cmd, "reading the store", st, &err);
    }
    size_t found = 0;
    for (size_t i = 0; i < num; i++) {
        if (strncmp(infos[i].fingerprint, want, n) == 0) {
            if (found == 0) {
                memcpy(full, infos[i].fingerprint, 65);
                full[64] = '\0';
                *info = infos[i];
                info->emails = NULL;
                info->num_emails = 0;
            }
            found++;
        }
    }
    cachet_cert_info_free(infos, num);
    if (found == 0) {
        cachet_cli_errorf(cmd, "no certificate with fingerprint %s in the store", want);
        fprintf(stderr, "cachet %s: `cachet certs list` shows the stored certificates\n", cmd);
        return CACHET_EXIT_FAIL;
    }
    if (found > 1) {
        return cachet_cli_usage_error(cmd, "%s matches %zu certificates: give more digits", want,
                                      found);
    }
    return -1;
}

int cachet_cli_read_file(const char *cmd, const char *what, const char *path, size_t max,
                         uint8_t **out, size_t *out_len) {
    *out = NULL;
    *out_len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cachet_cli_errorf(cmd, "cannot open %s %s: %s", what, path, strerror(errno));
        return CACHET_EXIT_USAGE;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        cachet_cli_errorf(cmd, "%s %s is a directory", what, path);
        return CACHET_EXIT_USAGE;
    }
    size_t cap = 64 * 1024, len = 0;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return CACHET_EXIT_INPUT;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= max) {
                free(buf);
                fclose(f);
                cachet_cli_errorf(cmd, "%s %s is larger than %zu bytes", what, path, max);
                return CACHET_EXIT_INPUT;
            }
            cap = cap * 2 < max ? cap * 2 : max + 1;
            uint8_t *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return CACHET_EXIT_INPUT;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(buf);
        cachet_cli_errorf(cmd, "cannot read %s %s", what, path);
        return CACHET_EXIT_USAGE;
    }
    if (len > max) {
        free(buf);
        cachet_cli_errorf(cmd, "%s %s is larger than %zu bytes", what, path, max);
        return CACHET_EXIT_INPUT;
    }
    *out = buf;
    *out_len = len;
    return -1;
}

int cachet_cli_list_records(int argc, char **argv, bool keys) {
    cachet_cli_opts o;
    cachet_store *st = NULL;
    int r = cachet_cli_parse(&o, argc, argv,
                             CACHET_OPT_BIT(CACHET_OPT_STORE) | CACHET_OPT_BIT(CACHET_OPT_JSON));
    if (r < 0) {
        r = cachet_cli_open_store(&o, CACHET_CLI_STORE_CREATE, &st);
    }
    if (r < 0) {
        cachet_cert_info *infos = NULL;
        size_t num = 0;
        cachet_error err = {0};
        cachet_status s = keys ? cachet_store_list_keys(st, &infos, &num, &err)
                               : cachet_store_list(st, &infos, &num, &err);
        if (s != CACHET_OK) {
            r = cachet_cli_store_error(o.cmd, "reading the store", st, &err);
        } else {
            if (o.json) {
                cachet_cli_certs_json(stdout, infos, num);
            }
            for (size_t i = 0; !o.json && i < num; i++) {
                if (keys) {
                    cachet_cli_key_line(stdout, &infos[i]);
                } else {
                    cachet_cli_cert_line(stdout, &infos[i]);
                }
            }
            cachet_cert_info_free(infos, num);
            r = CACHET_EXIT_OK;
        }
    }
    cachet_store_close(st);
    cachet_cli_opts_free(&o);
    return r;
}
