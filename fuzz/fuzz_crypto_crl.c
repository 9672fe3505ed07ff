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

#include "fuzz_util.h"

#include "fixed_keys.h"

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
    char *pem = fuzz_as_pem(da, la, "X509 CRL", &plen);
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
