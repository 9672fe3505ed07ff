/* libFuzzer target: the address-list parser (cachet_mime_parse_mailboxes) and
 * the address comparison used to match a signer certificate's addresses to the
 * From mailbox (cachet_mime_addr_equal; verify_signers.c, domsec.c). ATTACKS
 * 8.3 (6), ID-01/ID-03.
 *
 * The first input byte picks a split point: the bytes before it are a second
 * string |other| (an address as a certificate would carry it), the rest is the
 * header value. Oracles:
 * - the same value always gives the same answer (status, every field);
 * - a failure leaves the list zeroed;
 * - an accepted list has at least one mailbox, unless it had a group ("x:;")
 *   or was empty (only blanks, comments and commas);
 * - every mailbox has a non-empty local part and domain, no NUL, CR, LF or
 *   other control byte (HTAB only inside a quoted local part or a display
 *   name), and addr_spec is local "@" domain, the local part quoted when it is
 *   not a dot-atom; parsed again, the addr_spec gives exactly that mailbox back
 *   (it re-encodes to itself), and so does "<addr_spec>";
 * - addr_equal is reflexive on every accepted addr_spec, ignores the case of
 *   the domain, and is symmetric on every pair (including |other|). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "mime/mime.h"

#include "fuzz_util.h"

static bool clean(const char *s, bool tab_ok) {
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p < 0x20 && !(tab_ok && *p == '\t')) || *p == 0x7f) {
            return false;
        }
    }
    return true;
}

static bool same_str(const char *a, const char *b) {
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool same_list(const cachet_mime_mailbox_list *a, const cachet_mime_mailbox_list *b) {
    if (a->count != b->count || a->groups != b->groups) {
        return false;
    }
    for (size_t i = 0; i < a->count; i++) {
        const cachet_mime_mailbox *x = &a->items[i], *y = &b->items[i];
        if (!same_str(x->display, y->display) || !same_str(x->local, y->local) ||
            !same_str(x->domain, y->domain) || !same_str(x->addr_spec, y->addr_spec)) {
            return false;
        }
    }
    return true;
}

static bool is_zeroed(const cachet_mime_mailbox_list *l) {
    return l->items == NULL && l->count == 0 && l->groups == 0;
}

/* only_blanks: nothing but blanks, commas and (possibly nested) comments. */
static bool only_blanks(const uint8_t *s, size_t n) {
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (depth > 0 && s[i] == '\\') {
            i++;
        } else if (s[i] == '(') {
            depth++;
        } else if (s[i] == ')' && depth > 0) {
            depth--;
        } else if (depth == 0 && strchr(" \t\r\n,", s[i]) == NULL) {
            return false;
        }
    }
    return true;
}

static bool is_atext(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 128 ||
           (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool is_dot_atom(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || s[0] == '.' || s[n - 1] == '.' || strstr(s, "..") != NULL) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '.' && !is_atext((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

/* expected_spec writes what addr_spec must be for |m|: the local part as is
 * when a dot-atom, else quoted with '"' and '\' escaped. */
static bool spec_matches(const cachet_mime_mailbox *m) {
    cachet_membuf b = {0};
    bool ok = true;
    if (is_dot_atom(m->local)) {
        ok = cachet_membuf_append(&b, m->local, strlen(m->local));
    } else {
        ok = cachet_membuf_append(&b, "\"", 1);
        for (const char *p = m->local; ok && *p != '\0'; p++) {
            if (*p == '"' || *p == '\\') {
                ok = cachet_membuf_append(&b, "\\", 1);
            }
            ok = ok && cachet_membuf_append(&b, p, 1);
        }
        ok = ok && cachet_membuf_append(&b, "\"", 1);
    }
    ok = ok && cachet_membuf_append(&b, "@", 1) &&
         cachet_membuf_append(&b, m->domain, strlen(m->domain) + 1);
    REQUIRE(ok);
    bool same = strcmp((const char *)b.data, m->addr_spec) == 0;
    cachet_membuf_free(&b);
    return same;
}

/* reparse: |text| must parse to exactly the mailbox |m| without display name. */
static void reparse(const cachet_mime_mailbox *m, const char *text) {
    cachet_mime_mailbox_list again;
    cachet_error err;
    cachet_err_clear(&err);
    REQUIRE(cachet_mime_parse_mailboxes(text, strlen(text), &again, &err) == CACHET_OK);
    REQUIRE(again.count == 1 && again.groups == 0);
    REQUIRE(strcmp(again.items[0].local, m->local) == 0);
    REQUIRE(strcmp(again.items[0].domain, m->domain) == 0);
    REQUIRE(strcmp(again.items[0].addr_spec, m->addr_spec) == 0);
    REQUIRE(again.items[0].display[0] == '\0');
    cachet_mime_mailbox_list_clear(&again);
}

static void check_mailbox(const cachet_mime_mailbox *m) {
    REQUIRE(m->display != NULL && m->local != NULL && m->domain != NULL && m->addr_spec != NULL);
    REQUIRE(m->local[0] != '\0' && m->domain[0] != '\0');
    REQUIRE(clean(m->display, true) && clean(m->local, true) && clean(m->domain, false));
    REQUIRE(spec_matches(m));
    REQUIRE(cachet_mime_addr_equal(m->addr_spec, m->addr_spec));
    reparse(m, m->addr_spec);
    size_t n = strlen(m->addr_spec);
    char *angle = malloc(n + 3);
    REQUIRE(angle != NULL);
    angle[0] = '<';
    memcpy(angle + 1, m->addr_spec, n);
    angle[n + 1] = '>';
    angle[n + 2] = '\0';
    reparse(m, angle);
    /* The domain compares without regard to ASCII case. */
    char *upper = angle + 1;
    angle[n + 1] = '\0';
    for (char *p = strrchr(upper, '@') + 1; *p != '\0'; p++) {
        if (*p >= 'a' && *p <= 'z') {
            *p = (char)(*p - 'a' + 'A');
        }
    }
    REQUIRE(cachet_mime_addr_equal(m->addr_spec, upper));
    REQUIRE(cachet_mime_addr_equal(upper, m->addr_spec));
    free(angle);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) {
        return 0;
    }
    size_t split = data[0] < size - 1 ? data[0] : size - 1;
    char *other = malloc(split + 1);
    REQUIRE(other != NULL);
    memcpy(other, data + 1, split);
    other[split] = '\0';
    const char *value = (const char *)data + 1 + split;
    size_t len = size - 1 - split;

    cachet_mime_mailbox_list a, b;
    cachet_error err;
    cachet_err_clear(&err);
    memset(&a, 0xa5, sizeof(a));
    memset(&b, 0x5a, sizeof(b));
    cachet_status sa = cachet_mime_parse_mailboxes(value, len, &a, &err);
    cachet_status sb = cachet_mime_parse_mailboxes(value, len, &b, &err);
    REQUIRE(sa == sb);
    if (sa != CACHET_OK) {
        REQUIRE(is_zeroed(&a) && is_zeroed(&b));
        REQUIRE(sa == CACHET_ERR_MALFORMED || sa == CACHET_ERR_LIMIT);
    } else {
        REQUIRE(same_list(&a, &b));
        REQUIRE(a.count >= 1 || a.groups >= 1 || only_blanks((const uint8_t *)value, len));
        REQUIRE(a.count <= 1000);
        for (size_t i = 0; i < a.count; i++) {
            check_mailbox(&a.items[i]);
        }
        /* Symmetry on a bounded number of pairs, |other| included. */
        size_t n = a.count < 16 ? a.count : 16;
        for (size_t i = 0; i < n; i++) {
            const char *x = a.items[i].addr_spec;
            REQUIRE(cachet_mime_addr_equal(x, other) == cachet_mime_addr_equal(other, x));
            for (size_t j = i + 1; j < n; j++) {
                const char *y = a.items[j].addr_spec;
                REQUIRE(cachet_mime_addr_equal(x, y) == cachet_mime_addr_equal(y, x));
            }
        }
    }
    /* addr_equal on arbitrary strings: symmetric, and reflexive exactly when the
     * string has an '@' with something on both sides. */
    const char *at = strrchr(other, '@');
    bool well_formed = at != NULL && at != other && at[1] != '\0';
    REQUIRE(cachet_mime_addr_equal(other, other) == well_formed);
    cachet_mime_mailbox_list_clear(&a);
    cachet_mime_mailbox_list_clear(&b);
    free(other);
    return 0;
}
