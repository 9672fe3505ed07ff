/* config: cachetd.conf read with libinih, validated whole, errors for people.
 *
 * inih drives the loop through ini_parse_stream, but its lines come from our
 * own reader, which normalises each line before inih sees it. This is what
 * makes the behaviour independent of how inih was built (Debian's: 200-byte
 * line buffer, multi-line continuation on indented lines, inline comments only
 * after ';', no handler call for a section header):
 *  - the reader keeps the whole line (up to GWC_MAX_LINE), so a 1023-byte path
 *    fits; inih gets "key=" only, and the handler reads the value from the
 *    reader's copy;
 *  - indentation is removed, so an indented line is never a continuation;
 *  - "; comment" and "# comment" are cut at the start of a line or after
 *    whitespace, in both forms;
 *  - section headers are seen (and checked) by the reader, so an empty
 *    [domain a.example] still counts and a repeated one is caught;
 *  - the reader counts lines, so every error carries the right line number, and
 *    it stops (returns NULL) at the first error. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>

#include "base/base.h"
#include "gateway/config_keys.h"

#define GWC_MAX_LINE 4096
#define GWC_MAX_FILE (1u << 20)
#define GWC_MAX_KEY 64

typedef enum cachet_gwc_line_kind {
    CACHET_GWC_LINE_EMPTY,
    CACHET_GWC_LINE_SECTION,
    CACHET_GWC_LINE_KEY,
} cachet_gwc_line_kind;

typedef struct cachet_gwc_parser {
    cachetd_config *cfg;
    const char *name; /* the file name in errors */
    const char *text;
    size_t len, pos;
    int line;
    bool failed;
    char *err;
    size_t err_len;
    /* the current section */
    bool in_section;
    cachet_gwc_section sec;
    void *base;
    char label[CACHETD_NAME_MAX + 16]; /* "[domain a.example]" */
    int *key_lines;                    /* where each key of the section was given, 0 = absent */
    /* the current line */
    cachet_gwc_line_kind kind;
    char key[GWC_MAX_KEY];
    const char *value; /* into buf */
    char buf[GWC_MAX_LINE + 1];
    /* where things were given, for duplicate and cross-key errors */
    int cachetd_line;
    int cachetd_keys[CACHET_GWC_MAX_KEYS];
    int limits_line;
    int limits_keys[CACHET_GWC_MAX_KEYS];
    int domain_line[CACHETD_MAX_DOMAINS];
    int domain_keys[CACHETD_MAX_DOMAINS][CACHET_GWC_MAX_KEYS];
    int partner_line[CACHETD_MAX_PARTNERS];
    int partner_keys[CACHETD_MAX_PARTNERS][CACHET_GWC_MAX_KEYS];
} cachet_gwc_parser;

/* gwc_fail_at records the first error as "NAME:LINE: text" (no LINE when 0). */
__attribute__((format(printf, 3, 4))) static bool gwc_fail_at(cachet_gwc_parser *p, int line,
                                                              const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    if (p->failed) {
        return false;
    }
    p->failed = true;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (p->err == NULL || p->err_len == 0) {
        return false;
    }
    if (line > 0) {
        snprintf(p->err, p->err_len, "%s:%d: %s", p->name, line, msg);
    } else {
        snprintf(p->err, p->err_len, "%s: %s", p->name, msg);
    }
    return false;
}

static char *gwc_trim(char *s) {
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        s[--n] = '\0';
    }
    return s;
}

static int gwc_key_index(cachet_gwc_section sec, const char *name) {
    const cachet_gwc_table *t = &cachet_gwc_tables[sec];
    for (size_t i = 0; i < t->num_keys; i++) {
        if (strcmp(t->keys[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Edit distance of two short words, for "did you mean". */
static size_t gwc_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    size_t row[GWC_MAX_KEY + 1];
    if (la >= GWC_MAX_KEY || lb >= GWC_MAX_KEY) {
        return GWC_MAX_KEY;
    }
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static bool gwc_unknown_key(cachet_gwc_parser *p) {
    const cachet_gwc_table *t = &cachet_gwc_tables[p->sec];
    char known[512] = "", hint[160] = "";
    size_t used = 0, best = 3;
    for (size_t i = 0; i < t->num_keys; i++) {
        int r = snprintf(known + used, sizeof(known) - used, "%s%s", i == 0 ? "" : ", ",
                         t->keys[i].name);
        if (r > 0 && (size_t)r < sizeof(known) - used) {
            used += (size_t)r;
        }
        size_t d = gwc_distance(p->key, t->keys[i].name);
        if (d < best) {
            best = d;
            snprintf(hint, sizeof(hint), "; did you mean '%s'?", t->keys[i].name);
        }
    }
    if (hint[0] == '\0') {
        for (int s = 0; s < CACHET_GWC_NUM_SECTIONS; s++) {
            if ((cachet_gwc_section)s != p->sec && gwc_key_index(s, p->key) >= 0) {
                bool named = s == CACHET_GWC_DOMAIN || s == CACHET_GWC_PARTNER;
                snprintf(hint, sizeof(hint), "; it belongs in [%s%s]", cachet_gwc_tables[s].type,
                         named ? " NAME" : "");
                break;
            }
        }
    }
    return gwc_fail_at(p, p->line, "unknown key '%s' in %s%s (known: %s)", p->key, p->label, hint,
                       known);
}

static bool gwc_handle_key(cachet_gwc_parser *p) {
    char why[768];
    int idx = gwc_key_index(p->sec, p->key);
    if (idx < 0) {
        return gwc_unknown_key(p);
    }
    if (p->key_lines[idx] != 0) {
        return gwc_fail_at(p, p->line, "duplicate key '%s' in %s (first at line %d)", p->key,
                           p->label, p->key_lines[idx]);
    }
    p->key_lines[idx] = p->line;
    if (!cachet_gwc_parse_value(&cachet_gwc_tables[p->sec].keys[idx], p->base, p->value, why,
                                sizeof(why))) {
        return gwc_fail_at(p, p->line, "%s", why);
    }
    return true;
}

/* A [partner] is a remote domain: naming one of ours would let the partner's
 * policy decide about our own mail. */
static bool gwc_check_not_both(cachet_gwc_parser *p, const char *name) {
    const cachetd_config *cfg = p->cfg;
    if (p->sec == CACHET_GWC_PARTNER) {
        for (size_t i = 0; i < cfg->num_domains; i++) {
            if (strcmp(cfg->domains[i].name, name) == 0) {
                return gwc_fail_at(p, p->line,
                                   "[partner %s] is one of our domains ([domain %s] at line %d); "
                                   "a [partner] names a remote domain",
                                   name, name, p->domain_line[i]);
            }
        }
    } else {
        for (size_t i = 0; i < cfg->num_partners; i++) {
            if (strcmp(cfg->partners[i].name, name) == 0) {
                return gwc_fail_at(p, p->line,
                                   "[domain %s] is also a [partner %s] (line %d); a [partner] "
                                   "names a remote domain",
                                   name, name, p->partner_line[i]);
            }
        }
    }
    return true;
}

static bool gwc_begin_named(cachet_gwc_parser *p, const char *type, char *name) {
    cachetd_config *cfg = p->cfg;
    bool domain = p->sec == CACHET_GWC_DOMAIN;
    if (name[0] == '\0') {
        return gwc_fail_at(p, p->line, "[%s] needs a domain name, e.g. [%s a.example]", type, type);
    }
    if (!cachet_gwc_domain_ok(name)) {
        return gwc_fail_at(p, p->line,
                           "[%s %s]: '%s' is not a domain name (letters, digits and '-' in labels "
                           "separated by '.', e.g. a.example)",
                           type, name, name);
    }
    for (char *c = name; *c != '\0'; c++) {
        *c = (char)tolower((unsigned char)*c);
    }
    size_t num = domain ? cfg->num_domains : cfg->num_partners;
    for (size_t i = 0; i < num; i++) {
        const char *other = domain ? cfg->domains[i].name : cfg->partners[i].name;
        if (strcmp(other, name) == 0) {
            return gwc_fail_at(p, p->line, "duplicate section [%s %s] (first at line %d)", type,
                               name, domain ? p->domain_line[i] : p->partner_line[i]);
        }
    }
    if (!gwc_check_not_both(p, name)) {
        return false;
    }
    if (num == (domain ? CACHETD_MAX_DOMAINS : CACHETD_MAX_PARTNERS)) {
        return gwc_fail_at(p, p->line, "more than %d [%s] sections",
                           domain ? CACHETD_MAX_DOMAINS : CACHETD_MAX_PARTNERS, type);
    }
    if (domain) {
        cachetd_domain *d = &cfg->domains[cfg->num_domains];
        cachet_gwc_default_domain(d);
        memcpy(d->name, name, strlen(name) + 1);
        p->domain_line[cfg->num_domains] = p->line;
        p->key_lines = p->domain_keys[cfg->num_domains];
        p->base = d;
        cfg->num_domains++;
    } else {
        cachetd_partner *pa = &cfg->partners[cfg->num_partners];
        cachet_gwc_default_partner(pa);
        memcpy(pa->name, name, strlen(name) + 1);
        p->partner_line[cfg->num_partners] = p->line;
        p->key_lines = p->partner_keys[cfg->num_partners];
        p->base = pa;
        cfg->num_partners++;
    }
    snprintf(p->label, sizeof(p->label), "[%s %s]", type, name);
    return true;
}

static bool gwc_begin_section(cachet_gwc_parser *p, char *s) {
    char *close = strchr(s, ']');
    if (close == NULL) {
        return gwc_fail_at(
            p, p->line, "'%s': a section is written [cachetd], [domain NAME] or [partner NAME]", s);
    }
    if (close[1] != '\0') {
        return gwc_fail_at(p, p->line, "unexpected text '%s' after the section header", close + 1);
    }
    *close = '\0';
    char *inner = gwc_trim(s + 1);
    char *name = inner + strcspn(inner, " \t");
    if (*name != '\0') {
        *name++ = '\0';
        name = gwc_trim(name);
    }
    if (strlen(name) >= CACHETD_NAME_MAX) {
        return gwc_fail_at(p, p->line, "[%s ...]: the name is longer than %d characters", inner,
                           CACHETD_NAME_MAX - 1);
    }
    p->in_section = true;
    if (strcmp(inner, "cachetd") == 0) {
        p->sec = CACHET_GWC_CACHETD;
        if (name[0] != '\0') {
            return gwc_fail_at(p, p->line, "[cachetd %s]: [cachetd] takes no name", name);
        }
        if (p->cachetd_line != 0) {
            return gwc_fail_at(p, p->line, "duplicate section [cachetd] (first at line %d)",
                               p->cachetd_line);
        }
        p->cachetd_line = p->line;
        p->key_lines = p->cachetd_keys;
        p->base = p->cfg;
        snprintf(p->label, sizeof(p->label), "[cachetd]");
        return true;
    }
    if (strcmp(inner, "limits") == 0) {
        p->sec = CACHET_GWC_LIMITS;
        if (name[0] != '\0') {
            return gwc_fail_at(p, p->line, "[limits %s]: [limits] takes no name", name);
        }
        if (p->limits_line != 0) {
            return gwc_fail_at(p, p->line, "duplicate section [limits] (first at line %d)",
                               p->limits_line);
        }
        p->limits_line = p->line;
        p->key_lines = p->limits_keys;
        p->base = &p->cfg->limits;
        snprintf(p->label, sizeof(p->label), "[limits]");
        return true;
    }
    if (strcmp(inner, "domain") == 0 || strcmp(inner, "partner") == 0) {
        p->sec = inner[0] == 'd' ? CACHET_GWC_DOMAIN : CACHET_GWC_PARTNER;
        return gwc_begin_named(p, inner, name);
    }
    return gwc_fail_at(p, p->line,
                       "unknown section [%s%s%s]; expected [cachetd], [limits], [domain NAME] "
                       "or [partner NAME]",
                       inner, name[0] != '\0' ? " " : "", name);
}

/* gwc_read_key splits "key = value"; the key is a word without spaces. */
static bool gwc_read_key(cachet_gwc_parser *p, char *s) {
    char *eq = strchr(s, '=');
    if (eq == NULL) {
        return gwc_fail_at(p, p->line, "'%s': expected 'key = value' or a [section]", s);
    }
    *eq = '\0';
    char *key = gwc_trim(s);
    if (key[0] == '\0' || strpbrk(key, " \t:") != NULL) {
        return gwc_fail_at(p, p->line, "'%s=...': expected 'key = value' or a [section]", key);
    }
    if (strlen(key) >= GWC_MAX_KEY) {
        return gwc_fail_at(p, p->line, "unknown key '%.40s...'", key);
    }
    if (!p->in_section) {
        return gwc_fail_at(p, p->line,
                           "key '%s' is outside any section; keys go under [cachetd], "
                           "[domain NAME] or [partner NAME]",
                           key);
    }
    memcpy(p->key, key, strlen(key) + 1);
    p->value = gwc_trim(eq + 1);
    if (p->value[0] == ';' || p->value[0] == '#') {
        /* "key =;x" would print as "key = ;x", a comment: a value never starts so. */
        p->value = "";
    }
    p->kind = CACHET_GWC_LINE_KEY;
    return true;
}

static bool gwc_read_line(cachet_gwc_parser *p, char *s) {
    p->kind = CACHET_GWC_LINE_EMPTY;
    s = gwc_trim(s);
    if (s[0] == ';' || s[0] == '#') {
        return true;
    }
    for (char *c = s + 1; *c != '\0'; c++) {
        if ((*c == ';' || *c == '#') && (c[-1] == ' ' || c[-1] == '\t')) {
            *c = '\0';
            break;
        }
    }
    s = gwc_trim(s);
    if (s[0] == '\0') {
        return true;
    }
    if (s[0] == '[') {
        p->kind = CACHET_GWC_LINE_SECTION;
        return gwc_begin_section(p, s);
    }
    return gwc_read_key(p, s);
}

/* The ini_reader: one line of the text per call (inih counts calls as lines). */
static char *gwc_reader(char *out, int num, void *stream) {
    cachet_gwc_parser *p = stream;
    if (p->failed || p->pos >= p->len) {
        return NULL;
    }
    if (num < GWC_MAX_KEY + 2) {
        /* Stopping quietly would look like the end of the file. */
        gwc_fail_at(p, 0, "libinih's line buffer (%d bytes) is too small", num);
        return NULL;
    }
    const char *start = p->text + p->pos;
    const char *nl = memchr(start, '\n', p->len - p->pos);
    size_t n = nl != NULL ? (size_t)(nl - start) : p->len - p->pos;
    p->pos += n + (nl != NULL ? 1 : 0);
    p->line++;
    if (n > GWC_MAX_LINE) {
        gwc_fail_at(p, p->line, "line longer than %d characters", GWC_MAX_LINE);
        return NULL;
    }
    memcpy(p->buf, start, n);
    p->buf[n] = '\0';
    if (n > 0 && p->buf[n - 1] == '\r') {
        p->buf[--n] = '\0';
    }
    char *s = p->buf;
    if (p->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
    }
    for (size_t i = (size_t)(s - p->buf); i < n; i++) {
        unsigned char c = (unsigned char)p->buf[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            gwc_fail_at(p, p->line, "control character 0x%02x in the line", c);
            return NULL;
        }
    }
    if (!gwc_read_line(p, s)) {
        return NULL;
    }
    if (p->kind == CACHET_GWC_LINE_SECTION) {
        snprintf(out, (size_t)num, "[%s]", cachet_gwc_tables[p->sec].type);
    } else if (p->kind == CACHET_GWC_LINE_KEY) {
        /* Only the key: the value may be longer than inih's line buffer. */
        snprintf(out, (size_t)num, "%s=", p->key);
    } else {
        out[0] = '\0';
    }
    return out;
}

/* The line number comes from the reader, whichever way inih was built. */
#if INI_HANDLER_LINENO
static int gwc_handler(void *user, const char *section, const char *name, const char *value,
                       int lineno) {
    (void)lineno;
#else
static int gwc_handler(void *user, const char *section, const char *name, const char *value) {
#endif
    cachet_gwc_parser *p = user;
    (void)section;
    (void)value;
    if (p->failed) {
        return 0;
    }
    if (p->kind != CACHET_GWC_LINE_KEY || strcmp(name, p->key) != 0) {
        gwc_fail_at(p, p->line, "cannot parse this line");
        return 0;
    }
    p->kind = CACHET_GWC_LINE_EMPTY;
    return gwc_handle_key(p) ? 1 : 0;
}

/* Files for a key come as a pair: a certificate without its key (or the
 * reverse) is a half-configured authority, not a request for the store. */
static bool gwc_check_pair(cachet_gwc_parser *p, size_t d, const char *a, const char *va,
                           const char *b, const char *vb, const char *authority) {
    const char *name = p->cfg->domains[d].name;
    if ((va[0] != '\0') == (vb[0] != '\0')) {
        return true;
    }
    const char *given = va[0] != '\0' ? a : b, *missing = va[0] != '\0' ? b : a;
    return gwc_fail_at(p, p->domain_keys[d][gwc_key_index(CACHET_GWC_DOMAIN, given)],
                       "[domain %s] has %s but no %s; give both, or neither to use the store's "
                       "%s@%s",
                       name, given, missing, authority, name);
}

static bool gwc_check_whole(cachet_gwc_parser *p) {
    if (p->cfg->num_domains == 0) {
        return gwc_fail_at(p, 0, "no [domain NAME] section: cachetd has nothing to do");
    }
    for (size_t d = 0; d < p->cfg->num_domains; d++) {
        const cachetd_domain *dom = &p->cfg->domains[d];
        if (!gwc_check_pair(p, d, "signing_cert", dom->signing_cert, "signing_key",
                            dom->signing_key, "domain-signing-authority") ||
            !gwc_check_pair(p, d, "dca_cert", dom->dca_cert, "dca_key", dom->dca_key,
                            "domain-confidentiality-authority")) {
            return false;
        }
    }
    return true;
}

static cachetd_config *gwc_parse(const char *text, size_t len, const char *name, char *err,
                                 size_t err_len) {
    cachet_gwc_parser *p = cachet_calloc(1, sizeof(*p));
    cachetd_config *cfg = cachet_calloc(1, sizeof(*cfg));
    if (p == NULL || cfg == NULL) {
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "%s: out of memory", name);
        }
        cachet_free(p);
        cachet_free(cfg);
        return NULL;
    }
    p->cfg = cfg;
    p->name = name;
    p->text = text;
    p->len = len;
    p->err = err;
    p->err_len = err_len;
    snprintf(cfg->path, sizeof(cfg->path), "%s", name);
    cachet_gwc_default_cachetd(cfg);
    int r = cfg->limits.max_layers == 0 ? -2 : ini_parse_stream(gwc_reader, p, gwc_handler, p);
    if (!p->failed && r == -2) {
        gwc_fail_at(p, 0, "out of memory");
    } else if (!p->failed && r != 0) {
        gwc_fail_at(p, r, "cannot parse this line");
    }
    if (!p->failed) {
        gwc_check_whole(p);
    }
    bool ok = !p->failed;
    cachet_free(p);
    if (!ok) {
        cachet_free(cfg);
        return NULL;
    }
    if (err != NULL && err_len > 0) {
        err[0] = '\0';
    }
    return cfg;
}

cachetd_config *cachetd_config_parse_string(const char *text, const char *name, char *err,
                                            size_t err_len) {
    if (name == NULL) {
        name = "cachetd.conf";
    }
    if (text == NULL) {
        text = "";
    }
    return gwc_parse(text, strlen(text), name, err, err_len);
}

cachetd_config *cachetd_config_load(const char *path, char *err, size_t err_len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        }
        return NULL;
    }
    char *buf = cachet_malloc(GWC_MAX_FILE + 1);
    if (buf == NULL) {
        fclose(f);
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "%s: out of memory", path);
        }
        return NULL;
    }
    size_t n = fread(buf, 1, GWC_MAX_FILE + 1, f);
    bool bad = ferror(f) != 0;
    int saved = errno;
    fclose(f);
    cachetd_config *cfg = NULL;
    if (bad) {
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "%s: cannot read: %s", path, strerror(saved));
        }
    } else if (n > GWC_MAX_FILE) {
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "%s: larger than %u bytes; not a cachetd configuration", path,
                     GWC_MAX_FILE);
        }
    } else {
        cfg = gwc_parse(buf, n, path, err, err_len);
    }
    cachet_free(buf);
    return cfg;
}

void cachetd_config_free(cachetd_config *cfg) {
    cachet_free(cfg);
}
