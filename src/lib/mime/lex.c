/* RFC 5322 lexical helpers shared by the header parsers. */
#include <string.h>

#include "mime/internal.h"

bool cachet_mime_is_wsp(int c) {
    return c == ' ' || c == '\t';
}

int cachet_mime_lower(int c) {
    if (c >= 'A' && c <= 'Z') {
        return c + ('a' - 'A');
    }
    return c;
}

char *cachet_mime_strndup(const char *s, size_t n, bool lower) {
    char *r = cachet_malloc(n + 1);
    if (r == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        r[i] = lower ? (char)cachet_mime_lower((unsigned char)s[i]) : s[i];
    }
    r[n] = '\0';
    return r;
}

bool cachet_mime_case_eq(const char *a, size_t an, const char *b) {
    size_t bn = strlen(b);
    if (an != bn) {
        return false;
    }
    for (size_t i = 0; i < an; i++) {
        if (cachet_mime_lower((unsigned char)a[i]) != cachet_mime_lower((unsigned char)b[i])) {
            return false;
        }
    }
    return true;
}

bool cachet_mime_skip_cfws(const char *s, size_t len, size_t *pos) {
    size_t i = *pos;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            i++;
            continue;
        }
        if (c != '(') {
            break;
        }
        int depth = 0;
        while (i < len) {
            c = (unsigned char)s[i];
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '(') {
                if (++depth > 32) {
                    return false;
                }
            } else if (c == ')') {
                depth--;
            }
            i++;
            if (depth == 0) {
                break;
            }
        }
        if (depth != 0 || i > len) {
            return false;
        }
    }
    *pos = i;
    return true;
}

bool cachet_mime_read_quoted(const char *s, size_t len, size_t *pos, cachet_membuf *out) {
    size_t i = *pos + 1;
    while (i < len) {
        char c = s[i];
        if (c == '"') {
            *pos = i + 1;
            return true;
        }
        if (c == '\\') {
            /* quoted-pair is "\" (VCHAR / WSP) (RFC 5322 §3.2.1): an escaped
             * line break would put a CR or LF into a name or address. */
            if (i + 1 >= len || s[i + 1] == '\r' || s[i + 1] == '\n') {
                return false;
            }
            c = s[i + 1];
            i++;
        } else if (c == '\r' || c == '\n') {
            /* Folding inside a quoted string: the line break is not content. */
            i++;
            continue;
        }
        if (!cachet_membuf_append(out, &c, 1)) {
            return false;
        }
        i++;
    }
    return false;
}
