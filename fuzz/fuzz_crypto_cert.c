/* libFuzzer target: the certificate reader every certificate file and every
 * certificate in a message goes through (cachet_cert_load: PEM bundles or one
 * DER certificate) and the fields read from a certificate for matching and for
 * reports: subject and issuer text (RFC 2253, printed by the CLI and logged by
 * the gateway), the single commonName, the addresses matched against From
 * (SAN rfc822Name, emailAddress), CRL and OCSP URLs, key usage, validity.
 * ATTACKS PA-13 (odd-length BMPString, UniversalString, embedded NUL, invalid
 * UTF-8), PA-15, PA-17.
 *
 * Oracles:
 * - the same input gives the same answer twice (status, certificates, fields);
 * - a failure leaves the list empty and says MALFORMED or LIMIT (nothing here
 *   fails an allocation);
 * - subject and issuer text are printable ASCII (everything else escaped),
 *   NUL-terminated inside the buffer, and the text written into a small buffer
 *   is a prefix of the text written into a large one;
 * - the commonName has no C0/DEL/C1 control, is well-formed UTF-8 and is
 *   bounded the same way;
 * - addresses: non-empty, at most 256 bytes, no control byte, no two equal
 *   ignoring case; URLs: "http://" then printable ASCII without spaces;
 * - a certificate parsed again from its DER gives the same DER and the same
 *   fields; its DER wrapped as PEM loads to the same certificate. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "crypto/crypto.h"

#include "fuzz_util.h"

enum { BIG = 4096, SMALL = 23 };

typedef struct fields {
    char subject[BIG], issuer[BIG], cn[BIG];
    char subject_small[SMALL], cn_small[SMALL];
    size_t num_cn;
    char **emails;
    size_t num_emails;
    char **crl_urls, **ocsp_urls;
    size_t num_crl, num_ocsp;
    unsigned ku;
    int64_t nb, na;
} fields;

static bool printable(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p < 0x20 || *p >= 0x7f) {
            return false;
        }
    }
    return true;
}

/* utf8_ok: well-formed UTF-8 without C0, DEL or C1 controls. */
static bool utf8_ok(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0') {
        unsigned c = *p;
        size_t n = c < 0x80             ? 0
                   : (c & 0xe0) == 0xc0 ? 1
                   : (c & 0xf0) == 0xe0 ? 2
                   : (c & 0xf8) == 0xf0 ? 3
                                        : 9;
        if (n == 9 || c == 0xc0 || c == 0xc1 || c > 0xf4 || c < 0x20 || c == 0x7f) {
            return false;
        }
        uint32_t cp = n == 0 ? c : c & (0x3fu >> n);
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (p[i] & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0x80 && cp <= 0x9f)) {
            return false;
        }
        p += n + 1;
    }
    return true;
}

static bool is_prefix(const char *small, const char *big) {
    return strncmp(small, big, strlen(small)) == 0;
}

static void check_urls(char **urls, size_t num) {
    REQUIRE((num == 0) == (urls == NULL));
    for (size_t i = 0; i < num; i++) {
        REQUIRE(strncmp(urls[i], "http://", 7) == 0 && urls[i][7] != '\0');
        for (const unsigned char *p = (const unsigned char *)urls[i]; *p != '\0'; p++) {
            REQUIRE(*p > 0x20 && *p < 0x7f);
        }
    }
}

static void read_fields(const cachet_cert *c, fields *f) {
    memset(f, 0x41, sizeof(*f));
    cachet_cert_subject(c, f->subject, sizeof(f->subject));
    cachet_cert_subject(c, f->subject_small, sizeof(f->subject_small));
    cachet_cert_issuer(c, f->issuer, sizeof(f->issuer));
    f->num_cn = cachet_cert_common_name(c, f->cn, sizeof(f->cn));
    REQUIRE(cachet_cert_common_name(c, f->cn_small, sizeof(f->cn_small)) == f->num_cn);
    f->num_emails = cachet_cert_emails(c, &f->emails);
    f->num_crl = cachet_cert_crl_urls(c, &f->crl_urls);
    f->num_ocsp = cachet_cert_ocsp_urls(c, &f->ocsp_urls);
    f->ku = cachet_cert_key_usage(c);
    cachet_cert_validity(c, &f->nb, &f->na);

    REQUIRE(memchr(f->subject, '\0', sizeof(f->subject)) != NULL && printable(f->subject));
    REQUIRE(memchr(f->issuer, '\0', sizeof(f->issuer)) != NULL && printable(f->issuer));
    REQUIRE(memchr(f->subject_small, '\0', SMALL) != NULL &&
            is_prefix(f->subject_small, f->subject));
    REQUIRE(memchr(f->cn, '\0', sizeof(f->cn)) != NULL && utf8_ok(f->cn));
    REQUIRE(memchr(f->cn_small, '\0', SMALL) != NULL && utf8_ok(f->cn_small));
    REQUIRE(is_prefix(f->cn_small, f->cn));
    REQUIRE(f->num_cn == 1 || f->cn[0] == '\0');
    REQUIRE((f->num_emails == 0) == (f->emails == NULL));
    for (size_t i = 0; i < f->num_emails; i++) {
        size_t n = strlen(f->emails[i]);
        REQUIRE(n > 0 && n <= 256);
        for (size_t k = 0; k < n; k++) {
            unsigned char ch = (unsigned char)f->emails[i][k];
            REQUIRE(ch >= 0x20 && ch != 0x7f);
        }
        for (size_t j = 0; j < i; j++) {
            REQUIRE(strcasecmp(f->emails[i], f->emails[j]) != 0);
        }
    }
    check_urls(f->crl_urls, f->num_crl);
    check_urls(f->ocsp_urls, f->num_ocsp);
    REQUIRE(f->ku == CACHET_CERT_KU_ABSENT || (f->ku & CACHET_CERT_KU_ABSENT) == 0);
}

static bool same_list(char **a, size_t na, char **b, size_t nb) {
    if (na != nb) {
        return false;
    }
    for (size_t i = 0; i < na; i++) {
        if (strcmp(a[i], b[i]) != 0) {
            return false;
        }
    }
    return true;
}

static bool same_fields(const fields *a, const fields *b) {
    return strcmp(a->subject, b->subject) == 0 && strcmp(a->issuer, b->issuer) == 0 &&
           strcmp(a->cn, b->cn) == 0 && a->num_cn == b->num_cn &&
           same_list(a->emails, a->num_emails, b->emails, b->num_emails) &&
           same_list(a->crl_urls, a->num_crl, b->crl_urls, b->num_crl) &&
           same_list(a->ocsp_urls, a->num_ocsp, b->ocsp_urls, b->num_ocsp) && a->ku == b->ku &&
           a->nb == b->nb && a->na == b->na;
}

static void free_fields(fields *f) {
    cachet_cert_emails_free(f->emails, f->num_emails);
    cachet_cert_emails_free(f->crl_urls, f->num_crl);
    cachet_cert_emails_free(f->ocsp_urls, f->num_ocsp);
}

static void check_cert(const cachet_cert *c) {
    fields f, g;
    read_fields(c, &f);
    size_t len = 0;
    const uint8_t *der = cachet_cert_der(c, &len);
    REQUIRE(der != NULL && len > 0);

    cachet_cert *again = NULL;
    cachet_error err;
    cachet_err_clear(&err);
    REQUIRE(cachet_cert_parse(der, len, &again, &err) == CACHET_OK);
    size_t len2 = 0;
    const uint8_t *der2 = cachet_cert_der(again, &len2);
    REQUIRE(len2 == len && memcmp(der, der2, len) == 0);
    read_fields(again, &g);
    REQUIRE(same_fields(&f, &g));
    free_fields(&g);
    cachet_cert_free(again);

    size_t plen = 0;
    char *pem = fuzz_as_pem(der, len, "CERTIFICATE", &plen);
    cachet_cert_list list = {0};
    REQUIRE(cachet_cert_load((const uint8_t *)pem, plen, &list, &err) == CACHET_OK);
    REQUIRE(list.num == 1);
    der2 = cachet_cert_der(list.certs[0], &len2);
    REQUIRE(len2 == len && memcmp(der, der2, len) == 0);
    cachet_cert_list_clear(&list);
    free(pem);
    free_fields(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cachet_cert_list a = {0}, b = {0};
    cachet_error err;
    cachet_err_clear(&err);
    cachet_status sa = cachet_cert_load(data, size, &a, &err);
    cachet_status sb = cachet_cert_load(data, size, &b, &err);
    REQUIRE(sa == sb && a.num == b.num);
    if (sa != CACHET_OK) {
        REQUIRE(sa == CACHET_ERR_MALFORMED || sa == CACHET_ERR_LIMIT);
        REQUIRE(a.num == 0 && b.num == 0);
    } else {
        REQUIRE(a.num >= 1);
        for (size_t i = 0; i < a.num; i++) {
            size_t la = 0, lb = 0;
            const uint8_t *da = cachet_cert_der(a.certs[i], &la);
            const uint8_t *db = cachet_cert_der(b.certs[i], &lb);
            REQUIRE(la == lb && memcmp(da, db, la) == 0);
        }
        /* A bundle may hold many certificates: the field checks cover the first few. */
        for (size_t i = 0; i < a.num && i < 4; i++) {
            check_cert(a.certs[i]);
        }
    }
    cachet_cert_list_clear(&a);
    cachet_cert_list_clear(&b);
    return 0;
}
