/* Address lists (RFC 5322 §3.4, with the obsolete forms of §4.4 that real mail
 * uses). The identity of a mailbox is its addr-spec; display names are kept only
 * so a caller can show or flag them (ATTACKS ID-02). */
#include <string.h>
#include <strings.h>

#include "mime/internal.h"

#define ADDR_VALUE_MAX 16384
#define ADDR_COUNT_MAX 1000

typedef struct lexer {
    const char *s;
    size_t len;
    size_t pos;
    cachet_mime_mailbox_list *out;
    size_t cap;
} lexer;

static bool is_atext(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 128) {
        return true; /* 8-bit: RFC 6532 UTF-8 */
    }
    return c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool skip(lexer *lx) {
    return cachet_mime_skip_cfws(lx->s, lx->len, &lx->pos);
}

static int peek(lexer *lx) {
    return lx->pos < lx->len ? (unsigned char)lx->s[lx->pos] : -1;
}

/* phrase-like run: words (atoms, quoted strings) and dots. Appends the text to
 * |text| (words separated by one space, dots attached) and tells whether it is
 * shaped word *("." word). */
static bool read_words(lexer *lx, cachet_membuf *text, bool *dotted, size_t *nwords) {
    bool last_dot = true, ok_shape = true;
    *nwords = 0;
    for (;;) {
        if (!skip(lx)) {
            return false;
        }
        int c = peek(lx);
        if (c == '.') {
            ok_shape = ok_shape && !last_dot;
            last_dot = true;
            lx->pos++;
            if (!cachet_membuf_append(text, ".", 1)) {
                return false;
            }
            continue;
        }
        size_t before = text->len;
        if (c == '"') {
            if (text->len > 0 && !last_dot && !cachet_membuf_append(text, " ", 1)) {
                return false;
            }
            if (!cachet_mime_read_quoted(lx->s, lx->len, &lx->pos, text)) {
                return false;
            }
        } else if (c >= 0 && is_atext((unsigned char)c)) {
            if (text->len > 0 && !last_dot && !cachet_membuf_append(text, " ", 1)) {
                return false;
            }
            size_t st = lx->pos;
            while (lx->pos < lx->len && is_atext((unsigned char)lx->s[lx->pos])) {
                lx->pos++;
            }
            if (!cachet_membuf_append(text, lx->s + st, lx->pos - st)) {
                return false;
            }
        } else {
            break;
        }
        (void)before;
        ok_shape = ok_shape && last_dot;
        last_dot = false;
        (*nwords)++;
    }
    *dotted = ok_shape && !last_dot && *nwords > 0;
    return true;
}

static bool is_dot_atom(const uint8_t *s, size_t n);

static bool read_domain(lexer *lx, cachet_membuf *dom) {
    if (!skip(lx)) {
        return false;
    }
    if (peek(lx) == '[') {
        size_t st = lx->pos;
        while (lx->pos < lx->len && lx->s[lx->pos] != ']') {
            unsigned char c = (unsigned char)lx->s[lx->pos];
            if (c == '[' && lx->pos != st) {
                return false;
            }
            if (c == '\\' || c < 33 || c == 127) {
                return false;
            }
            lx->pos++;
        }
        if (lx->pos == lx->len) {
            return false;
        }
        lx->pos++;
        return cachet_membuf_append(dom, lx->s + st, lx->pos - st);
    }
    bool dotted;
    size_t n;
    size_t st = dom->len;
    if (!read_words(lx, dom, &dotted, &n) || !dotted) {
        return false;
    }
    /* Quoted strings and inner spaces are not domain syntax. */
    for (size_t i = st; i < dom->len; i++) {
        if (dom->data[i] == ' ' || !(is_atext(dom->data[i]) || dom->data[i] == '.')) {
            return false;
        }
    }
    /* Empty quoted words ("" or "".x) leave an empty domain or an empty label. */
    return dom->len > st && is_dot_atom(dom->data + st, dom->len - st);
}

static bool is_dot_atom(const uint8_t *s, size_t n) {
    if (n == 0 || s[0] == '.' || s[n - 1] == '.') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (s[i + 1] == '.') {
                return false;
            }
        } else if (!is_atext(s[i])) {
            return false;
        }
    }
    return true;
}

static char *dup_buf(const cachet_membuf *b) {
    return cachet_mime_strndup(b->len ? (const char *)b->data : "", b->len, false);
}

static bool add_mailbox(lexer *lx, const cachet_membuf *display, const cachet_membuf *local,
                        const cachet_membuf *domain) {
    cachet_mime_mailbox_list *o = lx->out;
    if (o->count == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 4;
        cachet_mime_mailbox *it = cachet_realloc(o->items, cap * sizeof(*it));
        if (it == NULL) {
            return false;
        }
        o->items = it;
        lx->cap = cap;
    }
    cachet_mime_mailbox *m = &o->items[o->count];
    memset(m, 0, sizeof(*m));
    o->count++;
    cachet_membuf spec = {0};
    bool ok = true;
    if (is_dot_atom(local->data, local->len)) {
        ok = cachet_membuf_append(&spec, local->data, local->len);
    } else {
        ok = cachet_membuf_append(&spec, "\"", 1);
        for (size_t i = 0; ok && i < local->len; i++) {
            if (local->data[i] == '"' || local->data[i] == '\\') {
                ok = cachet_membuf_append(&spec, "\\", 1);
            }
            ok = ok && cachet_membuf_append(&spec, &local->data[i], 1);
        }
        ok = ok && cachet_membuf_append(&spec, "\"", 1);
    }
    ok = ok && cachet_membuf_append(&spec, "@", 1) &&
         cachet_membuf_append(&spec, domain->data, domain->len);
    m->display = dup_buf(display);
    m->local = dup_buf(local);
    m->domain = dup_buf(domain);
    m->addr_spec = ok ? dup_buf(&spec) : NULL;
    cachet_membuf_free(&spec);
    return m->display && m->local && m->domain && m->addr_spec;
}

/* angle-addr after '<': [obs-route] addr-spec '>' */
static bool read_angle(lexer *lx, const cachet_membuf *display) {
    lx->pos++;
    if (!skip(lx)) {
        return false;
    }
    if (peek(lx) == '@') {
        /* obs-route: "@a,@b:" is dropped; it never names the sender. */
        while (lx->pos < lx->len && lx->s[lx->pos] != ':') {
            if (lx->s[lx->pos] == '>') {
                return false;
            }
            lx->pos++;
        }
        if (lx->pos == lx->len) {
            return false;
        }
        lx->pos++;
    }
    cachet_membuf local = {.max = ADDR_VALUE_MAX}, dom = {.max = ADDR_VALUE_MAX};
    bool dotted;
    size_t n;
    bool ok = read_words(lx, &local, &dotted, &n) && dotted && peek(lx) == '@';
    if (ok) {
        lx->pos++;
        ok = read_domain(lx, &dom) && skip(lx) && peek(lx) == '>' && local.len > 0;
    }
    if (ok) {
        lx->pos++;
        ok = add_mailbox(lx, display, &local, &dom);
    }
    cachet_membuf_free(&local);
    cachet_membuf_free(&dom);
    return ok;
}

/* One mailbox or group; |in_group| forbids nested groups. */
/* NOLINTNEXTLINE(misc-no-recursion): a group holds no group */
static bool read_address(lexer *lx, bool in_group) {
    cachet_membuf words = {.max = ADDR_VALUE_MAX};
    bool dotted;
    size_t n;
    bool ok = read_words(lx, &words, &dotted, &n) && skip(lx);
    int c = peek(lx);
    if (ok && c == '<') {
        ok = read_angle(lx, &words);
    } else if (ok && c == '@' && dotted) {
        lx->pos++;
        cachet_membuf dom = {.max = ADDR_VALUE_MAX}, none = {0};
        ok = words.len > 0 && read_domain(lx, &dom) && add_mailbox(lx, &none, &words, &dom);
        cachet_membuf_free(&dom);
    } else if (ok && c == ':' && !in_group && n > 0) {
        lx->pos++;
        lx->out->groups++;
        for (;;) {
            ok = skip(lx);
            c = peek(lx);
            if (!ok || c == ';' || c < 0) {
                break;
            }
            if (c == ',') {
                lx->pos++;
                continue;
            }
            ok = read_address(lx, true);
            if (!ok) {
                break;
            }
        }
        ok = ok && c == ';';
        if (ok) {
            lx->pos++;
        }
    } else {
        ok = false;
    }
    cachet_membuf_free(&words);
    if (ok && lx->out->count > ADDR_COUNT_MAX) {
        ok = false;
    }
    return ok;
}

cachet_status cachet_mime_parse_mailboxes(const char *value, size_t len,
                                          cachet_mime_mailbox_list *out, cachet_error *err) {
    if (value == NULL) {
        value = "";
        len = 0;
    }
    memset(out, 0, sizeof(*out));
    if (len > ADDR_VALUE_MAX) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "address", -1, "address field longer than %d",
                              ADDR_VALUE_MAX);
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < 32 && c != '\t' && c != '\r' && c != '\n') || c == 127) {
            return cachet_err_set(err, CACHET_ERR_MALFORMED, "address", (long long)i,
                                  "control byte in address field");
        }
    }
    lexer lx = {.s = value, .len = len, .pos = 0, .out = out, .cap = 0};
    bool ok = true;
    for (;;) {
        ok = skip(&lx);
        if (!ok || lx.pos == len) {
            break;
        }
        if (value[lx.pos] == ',') {
            lx.pos++; /* obs-mbox-list allows empty elements */
            continue;
        }
        ok = read_address(&lx, false) && skip(&lx);
        if (!ok) {
            break;
        }
        if (lx.pos < len && value[lx.pos] != ',') {
            ok = false;
            break;
        }
    }
    if (!ok) {
        bool limit = out->count > ADDR_COUNT_MAX;
        long long at = (long long)lx.pos;
        cachet_mime_mailbox_list_clear(out);
        if (limit) {
            return cachet_err_set(err, CACHET_ERR_LIMIT, "address", at, "more than %d mailboxes",
                                  ADDR_COUNT_MAX);
        }
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "address", at,
                              "address syntax error near offset %lld", at);
    }
    return CACHET_OK;
}

void cachet_mime_mailbox_list_clear(cachet_mime_mailbox_list *list) {
    if (list == NULL) {
        return;
    }
    for (size_t i = 0; i < list->count; i++) {
        cachet_free(list->items[i].display);
        cachet_free(list->items[i].local);
        cachet_free(list->items[i].domain);
        cachet_free(list->items[i].addr_spec);
    }
    cachet_free(list->items);
    memset(list, 0, sizeof(*list));
}

bool cachet_mime_addr_equal(const char *a, const char *b) {
    if (a == NULL || b == NULL) {
        return false;
    }
    const char *at_a = strrchr(a, '@'), *at_b = strrchr(b, '@');
    if (at_a == NULL || at_b == NULL || at_a == a || at_b == b || at_a[1] == '\0' ||
        at_b[1] == '\0') {
        return false;
    }
    size_t la = (size_t)(at_a - a), lb = (size_t)(at_b - b);
    return la == lb && memcmp(a, b, la) == 0 && strcasecmp(at_a + 1, at_b + 1) == 0;
}
