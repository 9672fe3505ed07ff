/* Oracle for cachet_pki_caps_parse (SMIMECapabilities, RFC 8551 §2.5.2):
 * - the same input always gives the same answer, and a failure leaves nothing set;
 * - an accepted value is one DER SEQUENCE of at most 256 SEQUENCEs, each an OID
 *   and at most one more element, with nothing after it;
 * - every capability reported is spelt in the input the way its RFC fixes it
 *   (AES: OID with no parameters; OAEP: the OID);
 * - an accepted value followed by any byte is refused. */
#include <stdlib.h>
#include <string.h>

#include "der/der.h"
#include "pki/pki.h"

#include "fuzz_util.h"

static bool contains(const uint8_t *hay, size_t len, const uint8_t *needle, size_t nlen) {
    for (size_t i = 0; i + nlen <= len; i++) {
        if (memcmp(hay + i, needle, nlen) == 0) {
            return true;
        }
    }
    return false;
}

/* has_bare_cap: the DER of SEQUENCE { OID |oid| } appears in |data|. */
static bool has_bare_cap(const uint8_t *data, size_t len, cachet_oid oid) {
    size_t olen = 0;
    const uint8_t *o = cachet_oid_der(oid, &olen);
    uint8_t enc[32];
    REQUIRE(o != NULL && olen + 4 <= sizeof(enc));
    enc[0] = 0x30;
    enc[1] = (uint8_t)(olen + 2);
    enc[2] = 0x06;
    enc[3] = (uint8_t)olen;
    memcpy(enc + 4, o, olen);
    return contains(data, len, enc, olen + 4);
}

/* structure_ok walks the structure independently of the parser. */
static bool structure_ok(const uint8_t *data, size_t len) {
    cachet_cbs in, list;
    cachet_cbs_init(&in, data, len);
    if (!cachet_cbs_get_asn1(&in, &list, CACHET_ASN1_SEQUENCE) || in.len != 0) {
        return false;
    }
    size_t n = 0;
    while (list.len > 0) {
        cachet_cbs cap, oid, param;
        if (!cachet_cbs_get_asn1(&list, &cap, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_asn1(&cap, &oid, CACHET_ASN1_OBJECT) ||
            !cachet_cbs_is_valid_oid(&oid)) {
            return false;
        }
        if (cap.len > 0 &&
            (!cachet_cbs_get_any_asn1_element(&cap, &param, NULL, NULL) || cap.len != 0)) {
            return false;
        }
        n++;
    }
    return n <= 256;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cachet_pki_caps a, b;
    bool ok = cachet_pki_caps_parse(data, size, &a);
    REQUIRE(cachet_pki_caps_parse(data, size, &b) == ok);
    REQUIRE(memcmp(&a, &b, sizeof(a)) == 0);
    if (!ok) {
        REQUIRE(!a.aes256_gcm && !a.aes128_gcm && !a.aes256_cbc && !a.aes128_cbc && !a.rsa_oaep);
        return 0;
    }
    REQUIRE(size <= CACHET_DB_MAX_CAPS);
    REQUIRE(cachet_der_validate(data, size, 64));
    REQUIRE(structure_ok(data, size));
    REQUIRE(!a.aes256_gcm || has_bare_cap(data, size, CACHET_OID_AES256_GCM));
    REQUIRE(!a.aes128_gcm || has_bare_cap(data, size, CACHET_OID_AES128_GCM));
    REQUIRE(!a.aes256_cbc || has_bare_cap(data, size, CACHET_OID_AES256_CBC));
    REQUIRE(!a.aes128_cbc || has_bare_cap(data, size, CACHET_OID_AES128_CBC));
    if (a.rsa_oaep) {
        size_t olen = 0;
        const uint8_t *o = cachet_oid_der(CACHET_OID_RSAES_OAEP, &olen);
        REQUIRE(contains(data, size, o, olen));
    }
    uint8_t *longer = malloc(size + 1);
    REQUIRE(longer != NULL);
    memcpy(longer, data, size);
    longer[size] = size > 0 ? data[0] : 0;
    REQUIRE(!cachet_pki_caps_parse(longer, size + 1, &b));
    free(longer);
    return 0;
}
