/* X.509 certificates: parsing, loading and the fields CMS and reports need. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/internal.h"

/* der_contents strips the tag and length of a DER TLV produced by OpenSSL. */
static bool der_contents(const uint8_t *der, size_t len, size_t *off, size_t *clen) {
    if (len < 2) {
        return false;
    }
    size_t l = der[1];
    size_t hdr = 2;
    if (l & 0x80) {
        size_t nb = l & 0x7f;
        if (nb == 0 || nb > sizeof(size_t) || len < 2 + nb) {
            return false;
        }
        l = 0;
        for (size_t i = 0; i < nb; i++) {
            l = (l << 8) | der[2 + i];
        }
        hdr += nb;
    }
    if (l != len - hdr) {
        return false;
    }
    *off = hdr;
    *clen = l;
    return true;
}

static bool cert_fill(cachet_cert *c) {
    unsigned char *p = NULL;
    int n = i2d_X509_NAME(X509_get_issuer_name(c->x509), &p);
    if (n <= 0) {
        return false;
    }
    c->issuer = cachet_malloc((size_t)n);
    if (c->issuer != NULL) {
        memcpy(c->issuer, p, (size_t)n);
        c->issuer_len = (size_t)n;
    }
    OPENSSL_free(p);
    p = NULL;
    n = i2d_ASN1_INTEGER(X509_get0_serialNumber(c->x509), &p);
    size_t off = 0;
    size_t clen = 0;
    if (n > 0 && der_contents(p, (size_t)n, &off, &clen) && clen > 0) {
        c->serial = cachet_malloc(clen);
        if (c->serial != NULL) {
            memcpy(c->serial, p + off, clen);
            c->serial_len = clen;
        }
    }
    OPENSSL_free(p);
    /* Caches the extensions once, so later lookups on a shared cert only read. */
    X509_check_purpose(c->x509, -1, 0);
    EVP_PKEY *pk = X509_get_pubkey(c->x509);
    ERR_clear_error();
    c->pub = cachet_pkey_wrap(pk);
    return c->issuer != NULL && c->serial != NULL && (pk == NULL || c->pub != NULL);
}

cachet_status cachet_cert_parse(const uint8_t *der, size_t len, cachet_cert **out,
                                cachet_error *err) {
    return cachet_cert_parse_cached(NULL, der, len, out, err);
}

cachet_status cachet_cert_parse_cached(cachet_cert_cache *cache, const uint8_t *der, size_t len,
                                       cachet_cert **out, cachet_error *err) {
    static const char where[] = "Certificate";
    if (der == NULL || len == 0 || len > CACHET_CRYPTO_MAX_OBJECT) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1, "bad length %zu", len);
    }
    uint8_t sha256[32];
    if (!cachet_md_oneshot(CACHET_MD_SHA256, der, len, sha256)) {
        return cachet_crypto_fail(err, CACHET_ERR_NOMEM, where, "cannot hash certificate");
    }
    /* the same bytes parsed before: the same certificate (cert_cache.c) */
    cachet_cert *known = cachet_crypto_cert_cache_get(cache, sha256, der, len);
    if (known != NULL) {
        *out = known;
        return CACHET_OK;
    }
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL) {
        return cachet_crypto_fail(err, CACHET_ERR_MALFORMED, where, "cannot parse certificate");
    }
    if (p != der + len) {
        X509_free(x);
        ERR_clear_error();
        return cachet_err_set(err, CACHET_ERR_MALFORMED, where, (long long)(p - der),
                              "trailing bytes after certificate");
    }
    cachet_cert *c = cachet_calloc(1, sizeof(*c));
    if (c == NULL) {
        X509_free(x);
        return cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
    }
    atomic_init(&c->refs, 1);
    c->x509 = x;
    c->der = cachet_malloc(len);
    if (c->der == NULL || !cert_fill(c)) {
        cachet_cert_free(c);
        return cachet_crypto_fail(err, CACHET_ERR_NOMEM, where, "cannot copy certificate fields");
    }
    memcpy(c->der, der, len);
    c->der_len = len;
    memcpy(c->sha256, sha256, sizeof(c->sha256));
    ERR_clear_error();
    cachet_crypto_cert_cache_put(cache, c);
    *out = c;
    return CACHET_OK;
}

cachet_status cachet_cert_from_x509(X509 *x, cachet_cert **out, cachet_error *err) {
    unsigned char *p = NULL;
    int n = i2d_X509(x, &p);
    if (n <= 0) {
        return cachet_crypto_fail(err, CACHET_ERR_MALFORMED, "Certificate",
                                  "cannot encode certificate");
    }
    cachet_status st = cachet_cert_parse(p, (size_t)n, out, err);
    OPENSSL_free(p);
    return st;
}

cachet_cert *cachet_cert_up_ref(cachet_cert *cert) {
    if (cert != NULL) {
        atomic_fetch_add(&cert->refs, 1);
    }
    return cert;
}

void cachet_cert_free(cachet_cert *cert) {
    if (cert == NULL || atomic_fetch_sub(&cert->refs, 1) != 1) {
        return;
    }
    X509_free(cert->x509);
    cachet_pkey_free(cert->pub);
    cachet_free(cert->der);
    cachet_free(cert->issuer);
    cachet_free(cert->serial);
    cachet_free(cert);
}

bool cachet_cert_list_push(cachet_cert_list *list, cachet_cert *cert) {
    if (list == NULL || cert == NULL || list->num >= CACHET_CRYPTO_MAX_CERTS) {
        return false;
    }
    if (list->num == list->cap) {
        size_t cap = list->cap == 0 ? 4 : list->cap * 2;
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        cachet_cert **n = cachet_realloc(list->certs, cap * sizeof(*n));
        if (n == NULL) {
            return false;
        }
        list->certs = n;
        list->cap = cap;
    }
    list->certs[list->num++] = cachet_cert_up_ref(cert);
    return true;
}

void cachet_cert_list_clear(cachet_cert_list *list) {
    if (list == NULL) {
        return;
    }
    for (size_t i = 0; i < list->num; i++) {
        cachet_cert_free(list->certs[i]);
    }
    cachet_free(list->certs);
    list->certs = NULL;
    list->num = list->cap = 0;
}

static bool looks_pem(const uint8_t *data, size_t len) {
    static const char marker[] = "-----BEGIN ";
    size_t mlen = sizeof(marker) - 1;
    for (size_t i = 0; i + mlen <= len; i++) {
        if (memcmp(data + i, marker, mlen) == 0) {
            return true;
        }
    }
    return false;
}

static cachet_status add_parsed(const uint8_t *der, size_t len, cachet_cert_list *list,
                                cachet_error *err) {
    cachet_cert *c = NULL;
    cachet_status st = cachet_cert_parse(der, len, &c, err);
    if (st != CACHET_OK) {
        return st;
    }
    bool ok = cachet_cert_list_push(list, c);
    cachet_cert_free(c);
    if (!ok) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "certificates", -1,
                              "too many certificates (limit %u) or out of memory",
                              CACHET_CRYPTO_MAX_CERTS);
    }
    return CACHET_OK;
}

cachet_status cachet_cert_load(const uint8_t *data, size_t len, cachet_cert_list *list,
                               cachet_error *err) {
    if (data == NULL || len == 0 || len > CACHET_CRYPTO_MAX_OBJECT) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "certificates", -1, "bad length %zu", len);
    }
    if (!looks_pem(data, len)) {
        return add_parsed(data, len, list, err);
    }
    size_t had = list->num;
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL) {
        return cachet_crypto_fail(err, CACHET_ERR_NOMEM, "certificates", "out of memory");
    }
    size_t found = 0;
    cachet_status st = CACHET_OK;
    for (;;) {
        char *name = NULL;
        char *header = NULL;
        unsigned char *der = NULL;
        long dlen = 0;
        if (PEM_read_bio(bio, &name, &header, &der, &dlen) != 1) {
            unsigned long e = ERR_peek_last_error();
            bool at_end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
            if (!at_end) {
                st = cachet_crypto_fail(err, CACHET_ERR_MALFORMED, "certificates", "bad PEM block");
            }
            break;
        }
        /* Other blocks (keys, CRLs) may share a bundle; only certificates are taken. */
        if (strcmp(name, PEM_STRING_X509) == 0 || strcmp(name, PEM_STRING_X509_OLD) == 0) {
            st = add_parsed(der, (size_t)dlen, list, err);
            found++;
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(der);
        if (st != CACHET_OK) {
            break;
        }
    }
    BIO_free(bio);
    ERR_clear_error();
    if (st == CACHET_OK && found == 0) {
        st = cachet_err_set(err, CACHET_ERR_MALFORMED, "certificates", -1,
                            "no CERTIFICATE block in PEM data");
    }
    /* All or nothing: a bad block further on takes back the ones before it. */
    while (st != CACHET_OK && list->num > had) {
        cachet_cert_free(list->certs[--list->num]);
    }
    return st;
}

const uint8_t *cachet_cert_der(const cachet_cert *cert, size_t *out_len) {
    *out_len = cert->der_len;
    return cert->der;
}

const uint8_t *cachet_cert_issuer_der(const cachet_cert *cert, size_t *out_len) {
    *out_len = cert->issuer_len;
    return cert->issuer;
}

const uint8_t *cachet_cert_serial_der(const cachet_cert *cert, size_t *out_len) {
    *out_len = cert->serial_len;
    return cert->serial;
}

bool cachet_crypto_key_id(const ASN1_OCTET_STRING *id, const uint8_t **out, size_t *out_len) {
    ERR_clear_error();
    if (id == NULL || ASN1_STRING_length(id) <= 0) {
        return false;
    }
    *out = ASN1_STRING_get0_data(id);
    *out_len = (size_t)ASN1_STRING_length(id);
    return true;
}

bool cachet_cert_ski(const cachet_cert *cert, const uint8_t **out, size_t *out_len) {
    return cachet_crypto_key_id(X509_get0_subject_key_id(cert->x509), out, out_len);
}

static bool same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
    return a != NULL && b != NULL && alen == blen && memcmp(a, b, alen) == 0;
}

const char *cachet_cert_rid_clash(const cachet_cert *a, const cachet_cert *b) {
    if (same_bytes(a->der, a->der_len, b->der, b->der_len)) {
        return NULL;
    }
    if (same_bytes(a->issuer, a->issuer_len, b->issuer, b->issuer_len) &&
        same_bytes(a->serial, a->serial_len, b->serial, b->serial_len)) {
        return "issuer and serial number";
    }
    const uint8_t *ka = NULL, *kb = NULL;
    size_t la = 0, lb = 0;
    if (cachet_cert_ski(a, &ka, &la) && cachet_cert_ski(b, &kb, &lb) &&
        same_bytes(ka, la, kb, lb)) {
        return "subjectKeyIdentifier";
    }
    return NULL;
}

cachet_pkey *cachet_cert_pkey(const cachet_cert *cert) {
    return cachet_pkey_up_ref(cert->pub);
}

void cachet_crypto_name_text(const X509_NAME *name, char *out, size_t out_len) {
    if (out_len == 0) {
        return;
    }
    out[0] = '\0';
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio != NULL && X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *p = NULL;
        long n = BIO_get_mem_data(bio, &p);
        size_t copy = n > 0 ? (size_t)n : 0;
        if (copy >= out_len) {
            copy = out_len - 1;
        }
        if (copy > 0) {
            memcpy(out, p, copy);
        }
        out[copy] = '\0';
    }
    BIO_free(bio);
    ERR_clear_error();
}

void cachet_cert_subject(const cachet_cert *cert, char *out, size_t out_len) {
    cachet_crypto_name_text(X509_get_subject_name(cert->x509), out, out_len);
}

void cachet_cert_sha256(const cachet_cert *cert, uint8_t out[32]) {
    memcpy(out, cert->sha256, sizeof(cert->sha256));
}

/* X509_get_key_usage is all ones without the extension and zero when the
 * extensions do not decode, so a broken certificate allows nothing. */
bool cachet_cert_allows_key_encipherment(const cachet_cert *cert) {
    bool ok = (X509_get_key_usage(cert->x509) & KU_KEY_ENCIPHERMENT) != 0;
    ERR_clear_error();
    return ok;
}

bool cachet_cert_allows_key_agreement(const cachet_cert *cert) {
    bool ok = (X509_get_key_usage(cert->x509) & KU_KEY_AGREEMENT) != 0;
    ERR_clear_error();
    return ok;
}

bool cachet_cert_allows_email_protection(const cachet_cert *cert) {
    uint32_t flags = X509_get_extension_flags(cert->x509);
    bool ok = (flags & EXFLAG_INVALID) == 0 &&
              ((flags & EXFLAG_XKUSAGE) == 0 ||
               (X509_get_extended_key_usage(cert->x509) & (XKU_SMIME | XKU_ANYEKU)) != 0);
    ERR_clear_error();
    return ok;
}

/* days_from_civil counts days since 1970-01-01 in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = m > 2 ? m - 3 : m + 9; /* March = 0 puts the leap day last */
    unsigned doy = (153 * mp + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t cachet_crypto_time_epoch(const ASN1_TIME *t) {
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return 0;
    }
    int64_t days =
        days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
    return days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

void cachet_cert_validity(const cachet_cert *cert, int64_t *not_before, int64_t *not_after) {
    *not_before = cachet_crypto_time_epoch(X509_get0_notBefore(cert->x509));
    *not_after = cachet_crypto_time_epoch(X509_get0_notAfter(cert->x509));
}
