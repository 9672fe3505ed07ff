/* Oracle for the gateway's handling of strings that come from a message or a
 * certificate (ATTACKS GW-06):
 * - cachetd_authres_claims_id on any header value answers the same twice and
 *   never crashes;
 * - cachet_domsec_classify_signer on a signer whose CN and addresses are arbitrary
 *   bytes, then cachetd_authres_value, produce a header value made only of
 *   printable ASCII, spaces and our own folding (CRLF followed by WSP): an
 *   attacker's CR, LF or NUL never starts a header line of its own. */
#include <stdlib.h>
#include <string.h>

#include "gateway/authres.h"
#include <cachet/domsec.h>

#include "fuzz_util.h"

/* take: the next NUL-free piece of the input, up to a 0xff separator. */
static void take(const uint8_t **p, const uint8_t *end, char *out, size_t cap) {
    size_t n = 0;
    while (*p < end && **p != 0xff) {
        if (n + 1 < cap && **p != 0) {
            out[n++] = (char)**p;
        }
        (*p)++;
    }
    if (*p < end) {
        (*p)++;
    }
    out[n] = '\0';
}

static void check_header_value(const char *v) {
    for (size_t i = 0; v[i] != '\0'; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '\r') {
            REQUIRE(v[i + 1] == '\n' && (v[i + 2] == '\t' || v[i + 2] == ' '));
            i += 2;
            continue;
        }
        REQUIRE(c == ' ' || c == '\t' || (c > 0x20 && c < 0x7f));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2 || size > 8192) {
        return 0;
    }
    const uint8_t *p = data + 2, *end = data + size;
    char cn[128], email1[256], email2[256], from[256], value[1024], id[128];
    take(&p, end, cn, sizeof(cn));
    take(&p, end, email1, sizeof(email1));
    take(&p, end, email2, sizeof(email2));
    take(&p, end, from, sizeof(from));
    take(&p, end, value, sizeof(value));
    take(&p, end, id, sizeof(id));

    bool a = cachetd_authres_claims_id(value, id);
    bool b = cachetd_authres_claims_id(value, id);
    REQUIRE(a == b);

    char *emails[2] = {email1, email2};
    cachet_signer_report s;
    memset(&s, 0, sizeof(s));
    memcpy(s.common_name, cn, sizeof(s.common_name));
    s.num_common_names = data[0] % 3;
    s.emails = emails;
    s.num_emails = data[1] % 3;
    s.has_signature_type = (data[0] & 0x80) != 0;
    s.signature_types = (unsigned)(data[1] >> 3) & 0x1f;
    s.signature_valid = (data[0] & 0x40) != 0;
    s.chain = (data[0] & 0x20) != 0 ? CACHET_CHAIN_TRUSTED : CACHET_CHAIN_UNTRUSTED;
    s.address_match = -1;
    cachet_domsec_signer_class cls;
    cachet_domsec_classify_signer(
        &s, from, (data[1] & 1) ? CACHET_DOMSEC_MAPPING_EXACT : CACHET_DOMSEC_MAPPING_ASCENDANT,
        &cls);
    REQUIRE(cls.role <= CACHET_DOMSEC_ROLE_FLAGGED);

    cachetd_ar_entry e = {
        .result = cls.role == CACHET_DOMSEC_ROLE_FLAGGED ? CACHETD_AR_FAIL : CACHETD_AR_PASS,
        .reason = cls.why,
        .identifier = cls.address[0] != '\0' ? cls.address : email1,
        .part = value,
        .role = cachet_domsec_role_name(cls.role),
    };
    char out[4096];
    const char *aid = id[0] != '\0' ? id : "mx.example";
    if (cachetd_authres_value(out, sizeof(out), aid, &e, 1)) {
        check_header_value(out);
    }
    return 0;
}
