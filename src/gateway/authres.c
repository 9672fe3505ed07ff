/* authres: the Authentication-Results value (RFC 8601 §2.2) with the smime
 * method (RFC 7281 §3: results, body.smime-identifier, body.smime-part), and
 * recognising a field that claims our authserv-id (RFC 8601 §5).
 *
 * Everything interpolated is sanitised first (ATTACKS GW-06): controls, DEL and
 * non-ASCII bytes are dropped, the rest capped to 200 bytes, and written as a
 * token / address when it is one, else as a quoted-string. So the only CR LF in
 * the value is our own folding, always followed by a TAB.
 *
 * Layout: the authserv-id ends the first line; each resinfo starts a folded line
 * (CRLF TAB) and its parts (method=result, the role comment, reason, properties)
 * are folded greedily so that no line reaches 78 columns, counting the field
 * name on the first line and a TAB as 8 columns. A part longer than a line (a
 * long quoted reason) is folded at its own spaces, CRLF before the space; only
 * a run of more than ~68 bytes without a space makes a longer line, and the
 * 200-byte cap keeps that far below the 998 limit. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gateway/authres.h"

#define AR_VALUE_CAP 200
#define AR_FIELD_NAME_COLS 24 /* "Authentication-Results: " */
#define AR_MAX_COLS 77        /* a line stays under 78 columns */
#define AR_TAB_COLS 8
#define AR_COMMENT_DEPTH 32

const char *cachetd_ar_result_name(cachetd_ar_result r) {
    switch (r) {
        case CACHETD_AR_NONE:
            return "none";
        case CACHETD_AR_PASS:
            return "pass";
        case CACHETD_AR_FAIL:
            return "fail";
        case CACHETD_AR_NEUTRAL:
            return "neutral";
        case CACHETD_AR_POLICY:
            return "policy";
        case CACHETD_AR_TEMPERROR:
            return "temperror";
        case CACHETD_AR_PERMERROR:
            return "permerror";
    }
    return "permerror";
}

/* RFC 2045 tspecials, which end a token. */
static bool ar_tspecial(char c) {
    return strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

static bool ar_token_char(char c) {
    return c > 0x20 && c < 0x7f && !ar_tspecial(c);
}

/* RFC 5322 atext. */
static bool ar_atext(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Printable ASCII only, at most AR_VALUE_CAP bytes, into |out| (cap + 1). */
static size_t ar_clean(char *out, const char *in) {
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p != '\0' && n < AR_VALUE_CAP; p++) {
        if (*p >= 0x20 && *p < 0x7f) {
            out[n++] = (char)*p;
        }
    }
    out[n] = '\0';
    return n;
}

static bool ar_is_token(const char *s, size_t n) {
    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!ar_token_char(s[i])) {
            return false;
        }
    }
    return true;
}

/* dot-atom-text: atext runs separated by single dots. */
static bool ar_is_dot_atom(const char *s, size_t n) {
    if (n == 0 || s[0] == '.' || s[n - 1] == '.') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : !ar_atext(s[i])) {
            return false;
        }
    }
    return true;
}

/* DKIM domain-name: letter-digit-hyphen labels, no label starting or ending with '-'. */
static bool ar_is_domain_name(const char *s, size_t n) {
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? s[i] : '.';
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-') {
                return false;
            }
            label = 0;
            continue;
        }
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !(c == '-' && label > 0)) {
            return false;
        }
        label++;
    }
    return true;
}

/* A part of the value, written into a fixed buffer (a quoted cap-sized value fits). */
typedef struct ar_unit {
    char text[2 * AR_VALUE_CAP + 64];
    size_t len;
} ar_unit;

static void ar_unit_add(ar_unit *u, const char *s, size_t n) {
    if (u->len + n < sizeof(u->text)) {
        memcpy(u->text + u->len, s, n);
        u->len += n;
        u->text[u->len] = '\0';
    }
}

static void ar_unit_str(ar_unit *u, const char *s) {
    ar_unit_add(u, s, strlen(s));
}

/* Appends |clean| as a token when it is one, else as a quoted-string. With
 * |address| a local-part@domain-name is also written bare (RFC 8601 pvalue). */
static void ar_unit_value(ar_unit *u, const char *clean, size_t n, bool address) {
    if (ar_is_token(clean, n)) {
        ar_unit_add(u, clean, n);
        return;
    }
    const char *at = address ? strrchr(clean, '@') : NULL;
    if (at != NULL && ar_is_dot_atom(clean, (size_t)(at - clean)) &&
        ar_is_domain_name(at + 1, n - (size_t)(at + 1 - clean))) {
        ar_unit_add(u, clean, n);
        return;
    }
    ar_unit_add(u, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (clean[i] == '"' || clean[i] == '\\') {
            ar_unit_add(u, "\\", 1);
        }
        ar_unit_add(u, clean + i, 1);
    }
    ar_unit_add(u, "\"", 1);
}

/* The writer: bounded output with a column count for folding. */
typedef struct ar_out {
    char *buf;
    size_t cap, len;
    size_t col;
    bool overflow;
} ar_out;

static void ar_put(ar_out *o, const char *s, size_t n, size_t cols) {
    if (o->overflow || o->len + n + 1 > o->cap) {
        o->overflow = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
    o->col += cols;
}

static void ar_fold(ar_out *o) {
    ar_put(o, "\r\n\t", 3, 0);
    o->col = AR_TAB_COLS;
}

/* Writes a part too long for one line, folding before its own spaces. Every
 * space inside a part is inside a quoted-string or a comment (tokens have
 * none), where FWS is allowed; CRLF goes before the existing space so that
 * unfolding gives the same text back. */
static void ar_put_long(ar_out *o, const char *t, size_t n) {
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && t[j] != ' ') {
            j++;
        }
        if (t[i] == ' ' && o->col + (j - i) + 1 > AR_MAX_COLS) {
            ar_put(o, "\r\n", 2, 0);
            o->col = 0;
        }
        ar_put(o, t + i, j - i, j - i);
        i = j;
    }
}

/* Writes |u| after a separating space, or on a new line when it would not fit
 * with the ';' that may follow it. */
static void ar_put_unit(ar_out *o, const ar_unit *u, bool new_line) {
    if (u->len == 0) {
        return;
    }
    if (!new_line && o->col + 1 + u->len + 1 <= AR_MAX_COLS) {
        ar_put(o, " ", 1, 1);
        ar_put(o, u->text, u->len, u->len);
        return;
    }
    ar_fold(o);
    ar_put_long(o, u->text, u->len);
}

/* A comment with only ctext (printable ASCII but parentheses and backslash). */
static void ar_unit_comment(ar_unit *u, const char *role) {
    char clean[AR_VALUE_CAP + 1];
    size_t n = ar_clean(clean, role), k = 0;
    for (size_t i = 0; i < n; i++) {
        if (clean[i] != '(' && clean[i] != ')' && clean[i] != '\\') {
            clean[k++] = clean[i];
        }
    }
    if (k == 0) {
        return;
    }
    ar_unit_str(u, "(");
    ar_unit_add(u, clean, k);
    ar_unit_str(u, " signature)");
}

/* key=value with the value sanitised; nothing when the value is empty. */
static void ar_unit_keyed(ar_unit *u, const char *key, const char *value, bool address) {
    char clean[AR_VALUE_CAP + 1];
    size_t n = value != NULL ? ar_clean(clean, value) : 0;
    if (n == 0) {
        return;
    }
    ar_unit_str(u, key);
    ar_unit_value(u, clean, n, address);
}

bool cachetd_authres_value(char *out, size_t out_len, const char *authserv_id,
                           const cachetd_ar_entry *entries, size_t num) {
    if (out == NULL || out_len == 0) {
        return false;
    }
    out[0] = '\0';
    char clean[AR_VALUE_CAP + 1];
    size_t n = authserv_id != NULL ? ar_clean(clean, authserv_id) : 0;
    if (n == 0 || (num > 0 && entries == NULL)) {
        return false;
    }
    ar_out o = {.buf = out, .cap = out_len, .len = 0, .col = AR_FIELD_NAME_COLS};
    ar_unit id = {.len = 0};
    ar_unit_value(&id, clean, n, false);
    ar_put(&o, id.text, id.len, id.len);
    if (num == 0) {
        ar_put(&o, "; none", 6, 6);
    }
    for (size_t i = 0; i < num; i++) {
        const cachetd_ar_entry *e = &entries[i];
        ar_put(&o, ";", 1, 1);
        ar_unit u = {.len = 0};
        ar_unit_str(&u, "smime=");
        ar_unit_str(&u, cachetd_ar_result_name(e->result));
        ar_put_unit(&o, &u, true);
        if (e->role != NULL) {
            u.len = 0;
            ar_unit_comment(&u, e->role);
            ar_put_unit(&o, &u, false);
        }
        u.len = 0;
        ar_unit_keyed(&u, "reason=", e->reason, false);
        ar_put_unit(&o, &u, false);
        u.len = 0;
        ar_unit_keyed(&u, "body.smime-identifier=", e->identifier, true);
        ar_put_unit(&o, &u, false);
        u.len = 0;
        ar_unit_keyed(&u, "body.smime-part=", e->part, false);
        ar_put_unit(&o, &u, false);
    }
    if (o.overflow) {
        out[0] = '\0';
        return false;
    }
    return true;
}

/* Skips CFWS: whitespace, line breaks and nested comments with quoted-pairs. */
static const char *ar_skip_cfws(const char *p) {
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            p++;
        }
        if (*p != '(') {
            return p;
        }
        int depth = 0;
        do {
            if (*p == '\\' && p[1] != '\0') {
                p++;
            } else if (*p == '(') {
                if (++depth > AR_COMMENT_DEPTH) {
                    return NULL;
                }
            } else if (*p == ')') {
                depth--;
            }
            p++;
        } while (depth > 0 && *p != '\0');
        if (depth > 0) {
            return NULL; /* an unterminated comment: nothing follows it */
        }
    }
}

/* |got| (|n| bytes) names |ours|: case-insensitive, one trailing dot ignored on
 * either side. */
static bool ar_same_id(const char *got, size_t n, const char *ours) {
    size_t m = strlen(ours);
    if (n > 0 && got[n - 1] == '.') {
        n--;
    }
    if (m > 0 && ours[m - 1] == '.') {
        m--;
    }
    return n > 0 && n == m && strncasecmp(got, ours, n) == 0;
}

bool cachetd_authres_claims_id(const char *value, const char *authserv_id) {
    if (value == NULL || authserv_id == NULL || authserv_id[0] == '\0') {
        return false;
    }
    const char *p = ar_skip_cfws(value);
    if (p == NULL) {
        return false;
    }
    if (*p == '"') {
        char id[CACHETD_NAME_MAX];
        size_t n = 0;
        for (p++; *p != '"'; p++) {
            if (*p == '\0') {
                return false;
            }
            if (*p == '\\' && p[1] != '\0') {
                p++;
            }
            if (*p == '\r' || *p == '\n') {
                continue; /* folding inside the quoted-string */
            }
            if (n + 1 >= sizeof(id)) {
                return false;
            }
            id[n++] = *p;
        }
        return ar_same_id(id, n, authserv_id);
    }
    /* A token ends at a tspecial, space or control, so "mx.a.example;",
     * "mx.a.example 1;" and "mx.a.example(c);" all name mx.a.example. Whatever
     * follows is not checked: a malformed field that still names us goes too. */
    size_t n = 0;
    while (ar_token_char(p[n])) {
        n++;
    }
    return ar_same_id(p, n, authserv_id);
}

/* The signer counts of the report, so signers beyond what domsec classified
 * are reported rather than silently left out. */
static size_t ar_count_signers(const cachet_report *report) {
    size_t total = 0;
    for (size_t l = 0; l < report->num_layers; l++) {
        if (report->layers[l].type == CACHET_LAYER_SIGNED) {
            total += report->layers[l].num_signers;
        }
    }
    return total;
}

size_t cachetd_authres_from_domsec(const cachet_domsec_result *ds, const cachet_report *report,
                                   cachetd_ar_entry *entries, size_t max) {
    if (entries == NULL || max == 0) {
        return 0;
    }
    if (ds == NULL || report == NULL || ds->num_signers == 0) {
        memset(&entries[0], 0, sizeof(entries[0]));
        entries[0].result = CACHETD_AR_NONE;
        return 1;
    }
    size_t k = 0;
    for (size_t i = 0; i < ds->num_signers && k < max; i++) {
        const cachet_domsec_signer_class *c = &ds->signers[i];
        const cachet_signer_report *s = c->signer;
        cachetd_ar_entry *e = &entries[k++];
        memset(e, 0, sizeof(*e));
        e->role = cachet_domsec_role_name(c->role);
        e->identifier = c->address[0] != '\0' ? c->address : NULL;
        if (c->layer < report->num_layers && report->layers[c->layer].part[0] != '\0') {
            e->part = report->layers[c->layer].part;
        }
        /* A signature that does not verify says why first: its attributes
         * (SignatureType included) are not reported, so any naming verdict on
         * it would only echo that absence. */
        if (s != NULL && !s->signature_valid) {
            e->result = CACHETD_AR_FAIL;
            e->reason = s->signature_detail[0] != '\0' ? s->signature_detail : c->why;
        } else if (s == NULL || c->role == CACHET_DOMSEC_ROLE_FLAGGED) {
            e->result = CACHETD_AR_FAIL;
            e->reason = c->why;
        } else if (s->chain != CACHET_CHAIN_TRUSTED) {
            e->result = CACHETD_AR_NEUTRAL;
            e->reason =
                s->chain_detail[0] != '\0' ? s->chain_detail : cachet_chain_status_name(s->chain);
        } else if (c->role == CACHET_DOMSEC_ROLE_ORIGINATOR && !c->holds_from) {
            e->result = CACHETD_AR_POLICY;
            e->reason = "the signer's certificate does not hold the From address";
        } else {
            e->result = CACHETD_AR_PASS;
        }
    }
    if (k < max && ar_count_signers(report) > ds->num_signers) {
        cachetd_ar_entry *e = &entries[k++];
        memset(e, 0, sizeof(*e));
        e->result = CACHETD_AR_FAIL;
        e->reason = "more signers than the gateway classifies";
    }
    return k;
}
