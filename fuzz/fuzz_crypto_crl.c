/* libFuzzer target: the CRL reader (cachet_crl_parse: DER or PEM, from
 * `cachet revoke`/the store import and from HTTP fetches) and what is read from
 * a CRL: issuer text, times, the lookup of a certificate, the issuer check
 * against a fixed CA certificate. ATTACKS PA-07 (libksba CRL parser
 * overflows), PA-13, PA-16.
 *
 * Oracles:
 * - the same input gives the same answer twice; a failure leaves the output
 *   NULL and says MALFORMED or LIMIT;
 * - an accepted CRL's DER re-encodes to itself (parsed again, the same bytes),
 *   and that DER wrapped as PEM parses to the same bytes too;
 * - the issuer text is printable ASCII, NUL-terminated in the buffer;
 * - lookup and verification give the same answer for the CRL and for its
 *   re-parsed DER; a lookup says GOOD or REVOKED, with a revocation date only
 *   when revoked; verification fails with a reason. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "crypto/crypto.h"
#include "crypto/revocation.h"

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A throw-away P-256 CA made for this target (CN=cachet fuzz CRL CA), and a
 * certificate it issued (serial 0x1001), as in fuzz/corpus/fuzz_crypto_crl. */
static const char kCaPem[] = "-----BEGIN CERTIFICATE-----\n"
                             "MIIBbTCCAROgAwIBAgIBATAKBggqhkjOPQQDAjAdMRswGQYDVQQDDBJjYWNoZXQg\n"
                             "ZnV6eiBDUkwgQ0EwIBcNMjYxMTI2MTY1NTM0WhgPMjEyNjExMDIxNjU1MzRaMB0x\n"
                             "GzAZBgNVBAMMEmNhY2hldCBmdXp6IENSTCBDQTBZMBMGByqGSM49AgEGCCqGSM49\n"
                             "AwEHA0IABMlKj31qaoKOW2pIffV6GHMmsT5/RKakWpVSMqflxEacvXtBf/TYKBxK\n"
                             "OWJC1AZEjifDuyA29/0b//FoBEAfJP6jQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYD\n"
                             "VR0PAQH/BAQDAgEGMB0GA1UdDgQWBBS+z4Mm012NIk3H5Pdmo5rHQcWRdzAKBggq\n"
                             "hkjOPQQDAgNIADBFAiEAhvUP21T7tXQ1kZe1zTLokfRaoo9M3Vr6Fkwi+5uFp3oC\n"
                             "IDD+IWqU7RMPTyYfz3yahZdjbsNeJBuh5/evTqPVSCdk\n"
                             "-----END CERTIFICATE-----\n";
static const char kLeafPem[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIICKzCCAdCgAwIBAgICEAEwCgYIKoZIzj0EAwIwHTEbMBkGA1UEAwwSY2FjaGV0\n"
                               "IGZ1enogQ1JMIENBMCAXDTI2MTEyNjE2NTUzNFoYDzIxMjYxMTAyMTY1NTM0WjA4\n"
                               "MREwDwYDVQQDDAhjcmwgbGVhZjEjMCEGCSqGSIb3DQEJARYUY3JsLWxlYWZAZXhh\n"
                               "bXBsZS5vcmcwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQOo4bMB7EzvIr7Wz//\n"
                               "bjqnvoV7atSmWgaYa308C3ESDtGfGX6yxMtPGl2GWJ7JNM2N8BQuBCVHEv32gjjP\n"
                               "ograo4HiMIHfMAkGA1UdEwQCMAAwCwYDVR0PBAQDAgOIMB8GA1UdEQQYMBaBFGNy\n"
                               "bC1sZWFmQGV4YW1wbGUub3JnMB8GA1UdIwQYMBaAFL7PgybTXY0iTcfk92ajmsdB\n"
                               "xZF3MC4GA1UdHwQnMCUwI6AhoB+GHWh0dHA6Ly9jcmwuZXhhbXBsZS5vcmcvY2Eu\n"
                               "Y3JsMDQGCCsGAQUFBwEBBCgwJjAkBggrBgEFBQcwAYYYaHR0cDovL29jc3AuZXhh\n"
                               "bXBsZS5vcmcvMB0GA1UdDgQWBBTQOdpdqNWyBSHuF0C1kEHWiCiDYDAKBggqhkjO\n"
                               "PQQDAgNJADBGAiEA5OYvgKiBF6MqIyF+Up1J0Ud0/2LvJDVrm5j6YdCH4fsCIQDc\n"
                               "p60r/sOuCKqcClAw2S5GwnDklIpcUaLobRbBD7Ap8Q==\n"
                               "-----END CERTIFICATE-----\n";

static cachet_cert *g_ca, *g_leaf;

static cachet_cert *load_one(const char *pem) {
    cachet_cert_list l = {0};
    cachet_error err;
    cachet_err_clear(&err);
    if (cachet_cert_load((const uint8_t *)pem, strlen(pem), &l, &err) != CACHET_OK || l.num != 1) {
        abort(); /* the certificates are fixed and valid */
    }
    cachet_cert *c = cachet_cert_up_ref(l.certs[0]);
    cachet_cert_list_clear(&l);
    return c;
}

static bool printable(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p < 0x20 || *p >= 0x7f) {
            return false;
        }
    }
    return true;
}

typedef struct facts {
    char issuer[2048];
    int64_t this_update, next_update;
    cachet_rev_answer leaf, ca;
    bool verified;
    char detail[256];
} facts;

static void read_facts(const cachet_crl *crl, facts *f) {
    memset(f, 0, sizeof(*f));
    cachet_crl_issuer(crl, f->issuer, sizeof(f->issuer));
    REQUIRE(memchr(f->issuer, '\0', sizeof(f->issuer)) != NULL && printable(f->issuer));
    cachet_crl_times(crl, &f->this_update, &f->next_update);
    cachet_crl_lookup(crl, g_leaf, &f->leaf);
    cachet_crl_lookup(crl, g_ca, &f->ca);
    for (int i = 0; i < 2; i++) {
        const cachet_rev_answer *a = i == 0 ? &f->leaf : &f->ca;
        REQUIRE(a->status == CACHET_REV_STATUS_GOOD || a->status == CACHET_REV_STATUS_REVOKED);
        REQUIRE(a->status == CACHET_REV_STATUS_REVOKED || a->revoked_at == 0);
        REQUIRE(cachet_crl_reason_name(a->reason) != NULL);
    }
    f->verified = cachet_crl_verify(crl, g_ca, f->detail, sizeof(f->detail));
    REQUIRE(memchr(f->detail, '\0', sizeof(f->detail)) != NULL);
    REQUIRE(f->verified || f->detail[0] != '\0');
}

static bool same_facts(const facts *a, const facts *b) {
    return strcmp(a->issuer, b->issuer) == 0 && a->this_update == b->this_update &&
           a->next_update == b->next_update && memcmp(&a->leaf, &b->leaf, sizeof(a->leaf)) == 0 &&
           memcmp(&a->ca, &b->ca, sizeof(a->ca)) == 0 && a->verified == b->verified;
}

static char *as_pem(const uint8_t *der, size_t len, size_t *out_len) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t cap = 64 + len * 2;
    char *s = malloc(cap);
    REQUIRE(s != NULL);
    size_t n = (size_t)snprintf(s, cap, "-----BEGIN X509 CRL-----\n");
    size_t col = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16;
        v |= i + 1 < len ? (uint32_t)der[i + 1] << 8 : 0;
        v |= i + 2 < len ? der[i + 2] : 0;
        s[n++] = b64[(v >> 18) & 63];
        s[n++] = b64[(v >> 12) & 63];
        s[n++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        s[n++] = i + 2 < len ? b64[v & 63] : '=';
        col += 4;
        if (col == 64) {
            s[n++] = '\n';
            col = 0;
        }
    }
    n += (size_t)snprintf(s + n, cap - n, "%s-----END X509 CRL-----\n", col != 0 ? "\n" : "");
    *out_len = n;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (g_ca == NULL) {
        g_ca = load_one(kCaPem);
        g_leaf = load_one(kLeafPem);
    }
    cachet_crl *a = (cachet_crl *)&a, *b = (cachet_crl *)&b;
    cachet_error err;
    cachet_err_clear(&err);
    cachet_status sa = cachet_crl_parse(data, size, &a, &err);
    cachet_status sb = cachet_crl_parse(data, size, &b, &err);
    REQUIRE(sa == sb);
    if (sa != CACHET_OK) {
        REQUIRE(a == NULL && b == NULL);
        REQUIRE(sa == CACHET_ERR_MALFORMED || sa == CACHET_ERR_LIMIT);
        return 0;
    }
    size_t la = 0, lb = 0;
    const uint8_t *da = cachet_crl_der(a, &la);
    const uint8_t *db = cachet_crl_der(b, &lb);
    REQUIRE(la > 0 && la == lb && memcmp(da, db, la) == 0);
    facts fa, fb;
    read_facts(a, &fa);
    read_facts(b, &fb);
    REQUIRE(same_facts(&fa, &fb));

    cachet_crl *c = NULL;
    REQUIRE(cachet_crl_parse(da, la, &c, &err) == CACHET_OK);
    size_t lc = 0;
    const uint8_t *dc = cachet_crl_der(c, &lc);
    REQUIRE(lc == la && memcmp(dc, da, la) == 0);
    read_facts(c, &fb);
    REQUIRE(same_facts(&fa, &fb));
    cachet_crl_free(c);

    size_t plen = 0;
    char *pem = as_pem(da, la, &plen);
    c = NULL;
    REQUIRE(cachet_crl_parse((const uint8_t *)pem, plen, &c, &err) == CACHET_OK);
    dc = cachet_crl_der(c, &lc);
    REQUIRE(lc == la && memcmp(dc, da, la) == 0);
    cachet_crl_free(c);
    free(pem);
    cachet_crl_free(a);
    cachet_crl_free(b);
    return 0;
}
