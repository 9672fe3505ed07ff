/* Addresses bound to a certificate: SAN rfc822Name, SAN SmtpUTF8Mailbox (RFC 9598)
 * and subject emailAddress (RFC 8550 §3). */
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "crypto/internal.h"

/* Longest address we accept (RFC 5321 path limit). */
#define EMAIL_MAX_LEN 256

typedef struct email_set {
    char **items;
    size_t num;
    bool failed;
} email_set;

/* add_email keeps printable addresses only: a NUL or control character could
 * make a displayed address differ from the one compared (ATTACKS.md). */
static void add_email(email_set *s, const unsigned char *data, int len) {
    if (s->failed || data == NULL || len <= 0 || len > EMAIL_MAX_LEN ||
        s->num >= CACHET_CRYPTO_MAX_EMAILS) {
        return;
    }
    for (int i = 0; i < len; i++) {
        if (data[i] < 0x20 || data[i] == 0x7f) {
            return;
        }
    }
    for (size_t i = 0; i < s->num; i++) {
        if (strlen(s->items[i]) == (size_t)len &&
            strncasecmp(s->items[i], (const char *)data, (size_t)len) == 0) {
            return;
        }
    }
    char *copy = cachet_malloc((size_t)len + 1);
    if (copy == NULL) {
        s->failed = true;
        return;
    }
    memcpy(copy, data, (size_t)len);
    copy[len] = '\0';
    s->items[s->num++] = copy;
}

/* has_bom: U+FEFF anywhere (in valid UTF-8 only its encoding holds EF BB BF). */
static bool has_bom(const unsigned char *d, size_t n) {
    for (size_t i = 0; i + 2 < n; i++) {
        if (d[i] == 0xEF && d[i + 1] == 0xBB && d[i + 2] == 0xBF) {
            return true;
        }
    }
    return false;
}

/* add_smtputf8: an SmtpUTF8Mailbox (RFC 9598) is an address of the certificate when it
 * is what RFC 9598 allows: well-formed UTF-8 with a non-ASCII local part (an ASCII one
 * belongs in an rfc822Name and is ignored, ATTACKS ID-05). */
static void add_smtputf8(email_set *s, const OTHERNAME *on) {
    static const unsigned char oid[] = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x09};
    const unsigned char *od = NULL;
    int ol = on->type_id != NULL ? OBJ_length(on->type_id) : 0;
    od = ol > 0 ? OBJ_get0_data(on->type_id) : NULL;
    if (od == NULL || ol != (int)sizeof(oid) || memcmp(od, oid, sizeof(oid)) != 0 ||
        on->value == NULL || on->value->type != V_ASN1_UTF8STRING) {
        return;
    }
    const unsigned char *d = ASN1_STRING_get0_data(on->value->value.utf8string);
    int len = ASN1_STRING_length(on->value->value.utf8string);
    const unsigned char *at = d != NULL && len > 0 ? memchr(d, '@', (size_t)len) : NULL;
    if (at == NULL || !cachet_utf8_valid(d, (size_t)len) || has_bom(d, (size_t)len)) {
        return;
    }
    bool non_ascii = false;
    for (const unsigned char *p = d; p < at; p++) {
        non_ascii = non_ascii || *p >= 0x80;
    }
    if (non_ascii) {
        add_email(s, d, len);
    }
}

static void add_san(email_set *s, X509 *x) {
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    if (gens == NULL) {
        return;
    }
    for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        if (g->type == GEN_EMAIL) {
            add_email(s, ASN1_STRING_get0_data(g->d.rfc822Name),
                      ASN1_STRING_length(g->d.rfc822Name));
        } else if (g->type == GEN_OTHERNAME) {
            add_smtputf8(s, g->d.otherName);
        }
    }
    GENERAL_NAMES_free(gens);
}

static void add_subject(email_set *s, X509 *x) {
    const X509_NAME *name = X509_get_subject_name(x);
    int idx = -1;
    for (;;) {
        idx = X509_NAME_get_index_by_NID(name, NID_pkcs9_emailAddress, idx);
        if (idx < 0) {
            return;
        }
        const ASN1_STRING *v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
        unsigned char *utf8 = NULL;
        int n = ASN1_STRING_to_UTF8(&utf8, v);
        if (n > 0) {
            add_email(s, utf8, n);
        }
        OPENSSL_free(utf8);
    }
}

size_t cachet_cert_emails(const cachet_cert *cert, char ***out) {
    *out = NULL;
    email_set s = {cachet_calloc(CACHET_CRYPTO_MAX_EMAILS, sizeof(char *)), 0, false};
    if (s.items == NULL) {
        return 0;
    }
    add_san(&s, cert->x509);
    add_subject(&s, cert->x509);
    ERR_clear_error();
    if (s.failed || s.num == 0) {
        cachet_cert_emails_free(s.items, s.num);
        return 0;
    }
    *out = s.items;
    return s.num;
}

void cachet_cert_emails_free(char **emails, size_t num) {
    if (emails == NULL) {
        return;
    }
    for (size_t i = 0; i < num; i++) {
        cachet_free(emails[i]);
    }
    cachet_free(emails);
}
