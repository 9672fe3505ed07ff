#include <string.h>

#include "store/internal.h"

void cachet_db_cert_clear(cachet_db_cert *c) {
    if (c == NULL) {
        return;
    }
    cachet_free(c->der);
    for (size_t i = 0; i < c->num_emails; i++) {
        cachet_free(c->emails[i]);
    }
    cachet_free(c->emails);
    memset(c, 0, sizeof(*c));
}

void cachet_db_certs_free(cachet_db_cert *certs, size_t num) {
    if (certs == NULL) {
        return;
    }
    for (size_t i = 0; i < num; i++) {
        cachet_db_cert_clear(&certs[i]);
    }
    cachet_free(certs);
}

bool cachet_db_cert_add_email(cachet_db_cert *c, const char *addr) {
    char norm[CACHET_DB_MAX_ADDRESS + 1];
    if (c == NULL || c->num_emails >= CACHET_DB_MAX_EMAILS ||
        !cachet_db_normalize_address(addr, norm, sizeof(norm))) {
        return false;
    }
    for (size_t i = 0; i < c->num_emails; i++) {
        if (strcmp(c->emails[i], norm) == 0) {
            return true;
        }
    }
    char *copy = cachet_strdup(norm);
    if (copy == NULL) {
        return false;
    }
    char **grown = cachet_realloc(c->emails, (c->num_emails + 1) * sizeof(*grown));
    if (grown == NULL) {
        cachet_free(copy);
        return false;
    }
    grown[c->num_emails++] = copy;
    c->emails = grown;
    return true;
}

/* The local part stays as given: RFC 5321 §2.4 lets a server treat it
 * case-sensitively, so lowering it could match a different mailbox. Only the
 * domain is case-insensitive (RFC 8550 §3). The last '@' splits the address
 * because a quoted local part may contain '@'. */
bool cachet_db_normalize_address(const char *addr, char *out, size_t out_len) {
    if (addr == NULL || out == NULL || out_len == 0) {
        return false;
    }
    size_t len = strlen(addr);
    if (len == 0 || len > CACHET_DB_MAX_ADDRESS || len >= out_len) {
        return false;
    }
    const char *at = strrchr(addr, '@');
    if (at == NULL || at == addr || at[1] == '\0') {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)addr[i];
        if (ch <= 0x20 || ch == 0x7f) {
            return false;
        }
    }
    size_t split = (size_t)(at - addr);
    for (size_t i = 0; i < len; i++) {
        char ch = addr[i];
        if (i > split && ch >= 'A' && ch <= 'Z') {
            ch = (char)(ch - 'A' + 'a');
        }
        out[i] = ch;
    }
    out[len] = '\0';
    return true;
}

bool cachet_db_valid_fp(const char *fp) {
    if (fp == NULL) {
        return false;
    }
    size_t i = 0;
    for (; fp[i] != '\0'; i++) {
        char ch = fp[i];
        if (i >= 64 || !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
            return false;
        }
    }
    return i == 64;
}

bool cachet_db_terminated(const char *s, size_t len) {
    return memchr(s, '\0', len) != NULL;
}
