/* Opening the store (include/cachet/store.h): which database, how it is
 * described to the user, and where file keys go. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smime/store_internal.h"

static bool has_prefix(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_postgres(const char *url) {
    return has_prefix(url, "postgresql://") || has_prefix(url, "postgres://");
}

/* data_home writes $XDG_DATA_HOME/cachet, or ~/.local/share/cachet (the XDG
 * base directory rule: a relative XDG_DATA_HOME is ignored). */
static cachet_status data_home(char *out, size_t out_len, cachet_error *err) {
    const char *xdg = getenv("XDG_DATA_HOME");
    int n;
    if (xdg != NULL && xdg[0] == '/') {
        n = snprintf(out, out_len, "%s/cachet", xdg);
    } else {
        const char *home = getenv("HOME");
        if (home == NULL || home[0] != '/') {
            return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1,
                                  "no store named and neither XDG_DATA_HOME nor HOME is set");
        }
        n = snprintf(out, out_len, "%s/.local/share/cachet", home);
    }
    if (n < 0 || (size_t)n >= out_len) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1, "the store path is too long");
    }
    return CACHET_OK;
}

cachet_status cachet_store_default_url(char *out, size_t out_len, cachet_error *err) {
    if (out == NULL || out_len == 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no output buffer");
    }
    const char *env = getenv("CACHET_STORE");
    if (env != NULL && env[0] != '\0') {
        if (strlen(env) >= out_len) {
            return cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1, "$CACHET_STORE is too long");
        }
        memcpy(out, env, strlen(env) + 1);
        return CACHET_OK;
    }
    char dir[1024];
    cachet_status st = data_home(dir, sizeof(dir), err);
    if (st != CACHET_OK) {
        return st;
    }
    int n = snprintf(out, out_len, "%s/store.db", dir);
    if (n < 0 || (size_t)n >= out_len) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1, "the store path is too long");
    }
    return CACHET_OK;
}

bool cachet_store_abs_path(const char *path, char *out, size_t out_len) {
    int n;
    if (path[0] == '/') {
        n = snprintf(out, out_len, "%s", path);
    } else {
        char cwd[4096];
        if (getcwd(cwd, sizeof(cwd)) == NULL) {
            return false;
        }
        n = snprintf(out, out_len, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path);
    }
    return n >= 0 && (size_t)n < out_len;
}

/* describe_postgres writes "postgresql host[:port]/db": the user information
 * (which may hold a password) and the query (which may hold password=) are
 * never copied. */
static void describe_postgres(const char *url, char *out, size_t out_len) {
    const char *rest = strstr(url, "://") + 3;
    size_t end = strcspn(rest, "?#");
    size_t slash = strcspn(rest, "/?#");
    const char *host = rest;
    size_t host_len = slash;
    for (size_t i = 0; i < slash; i++) {
        if (rest[i] == '@') {
            host = rest + i + 1;
            host_len = slash - i - 1;
        }
    }
    const char *db = slash < end ? rest + slash + 1 : "";
    size_t db_len = slash < end ? end - slash - 1 : 0;
    snprintf(out, out_len, "postgresql %.*s/%.*s", host_len > 0 ? (int)host_len : 5,
             host_len > 0 ? host : "local", db_len > 0 ? (int)db_len : 9,
             db_len > 0 ? db : "(default)");
}

/* setup_paths fills describe and key_dir for |url|. */
static cachet_status setup_paths(cachet_store *st, const char *url, cachet_error *err) {
    if (is_postgres(url)) {
        describe_postgres(url, st->describe, sizeof(st->describe));
        /* A daemon without HOME still opens its store; only PKCS#12 key
         * import then needs a folder named. */
        char dir[1024];
        if (data_home(dir, sizeof(dir), NULL) != CACHET_OK) {
            st->key_dir[0] = '\0';
            return CACHET_OK;
        }
        int n = snprintf(st->key_dir, sizeof(st->key_dir), "%s/keys", dir);
        if (n < 0 || (size_t)n >= sizeof(st->key_dir)) {
            return cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1, "the key folder is too long");
        }
        return CACHET_OK;
    }
    const char *path = has_prefix(url, "sqlite:") ? url + strlen("sqlite:") : url;
    char abs[1024];
    if (path[0] == '\0' || !cachet_store_abs_path(path, abs, sizeof(abs))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "bad store path \"%s\"", url);
    }
    snprintf(st->describe, sizeof(st->describe), "sqlite %s", abs);
    char *slash = strrchr(abs, '/');
    *slash = '\0';
    int n = snprintf(st->key_dir, sizeof(st->key_dir), "%s/keys", abs);
    if (n < 0 || (size_t)n >= sizeof(st->key_dir)) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "store", -1, "the key folder is too long");
    }
    return CACHET_OK;
}

cachet_status cachet_store_open(const char *url, cachet_store **out, cachet_error *err) {
    if (out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "store", -1, "no output handle");
    }
    *out = NULL;
    char def[1100];
    if (url == NULL) {
        cachet_status s = cachet_store_default_url(def, sizeof(def), err);
        if (s != CACHET_OK) {
            return s;
        }
        url = def;
    }
    cachet_store *st = cachet_calloc(1, sizeof(*st));
    if (st == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
    }
    cachet_status s = setup_paths(st, url, err);
    if (s == CACHET_OK) {
        s = cachet_db_open(url, &st->db, err);
    }
    if (s != CACHET_OK) {
        cachet_free(st);
        return s;
    }
    *out = st;
    return CACHET_OK;
}

void cachet_store_close(cachet_store *st) {
    if (st == NULL) {
        return;
    }
    cachet_db_close(st->db);
    cachet_free(st);
}

const char *cachet_store_describe(const cachet_store *st) {
    return st != NULL ? st->describe : "";
}

const char *cachet_cert_origin_name(cachet_cert_origin o) {
    switch (o) {
        case CACHET_ORIGIN_HARVESTED:
            return "harvested";
        case CACHET_ORIGIN_IMPORTED:
            return "imported";
        case CACHET_ORIGIN_ANCHOR:
            return "anchor";
    }
    return "unknown";
}

void cachet_cert_info_clear(cachet_cert_info *info) {
    if (info == NULL) {
        return;
    }
    for (size_t i = 0; i < info->num_emails; i++) {
        cachet_free(info->emails[i]);
    }
    cachet_free(info->emails);
    info->emails = NULL;
    info->num_emails = 0;
}

void cachet_cert_info_free(cachet_cert_info *infos, size_t num) {
    if (infos == NULL) {
        return;
    }
    for (size_t i = 0; i < num; i++) {
        cachet_cert_info_clear(&infos[i]);
    }
    cachet_free(infos);
}

bool cachet_store_info_from_record(const cachet_db_cert *rec, cachet_cert_info *out) {
    memset(out, 0, sizeof(*out));
    snprintf(out->fingerprint, sizeof(out->fingerprint), "%s", rec->fingerprint);
    snprintf(out->subject, sizeof(out->subject), "%s", rec->subject);
    snprintf(out->issuer, sizeof(out->issuer), "%s", rec->issuer);
    snprintf(out->serial, sizeof(out->serial), "%s", rec->serial);
    snprintf(out->key_ref, sizeof(out->key_ref), "%s", rec->key_ref);
    out->not_before = rec->not_before;
    out->not_after = rec->not_after;
    out->key_usage = rec->key_usage;
    out->email_protection = rec->email_protection;
    out->is_ca = rec->is_ca;
    out->origin = (cachet_cert_origin)rec->origin;
    out->added = rec->added;
    if (rec->num_emails == 0) {
        return true;
    }
    out->emails = cachet_calloc(rec->num_emails, sizeof(char *));
    if (out->emails == NULL) {
        return false;
    }
    for (size_t i = 0; i < rec->num_emails; i++) {
        out->emails[i] = cachet_strdup(rec->emails[i]);
        if (out->emails[i] == NULL) {
            cachet_cert_info_clear(out);
            return false;
        }
        out->num_emails++;
    }
    return true;
}

cachet_status cachet_store_infos_from_records(const cachet_db_cert *recs, size_t num,
                                              cachet_cert_info **out, cachet_error *err) {
    *out = NULL;
    if (num == 0) {
        return CACHET_OK;
    }
    cachet_cert_info *infos = cachet_calloc(num, sizeof(*infos));
    if (infos == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
    }
    for (size_t i = 0; i < num; i++) {
        if (!cachet_store_info_from_record(&recs[i], &infos[i])) {
            cachet_cert_info_free(infos, i);
            return cachet_err_set(err, CACHET_ERR_NOMEM, "store", -1, "out of memory");
        }
    }
    *out = infos;
    return CACHET_OK;
}
