/* Oracle: valid DER parses into a tree that the builder writes back to the same
 * bytes; cachet_ber_to_der accepts every valid DER unchanged, and whatever it
 * outputs is valid DER that it maps to itself. */
#include <stdlib.h>
#include <string.h>

#include "der/der.h"

#define MAX_DEPTH 64

#include "fuzz_util.h"

/* touch runs the typed getters on a primitive element: they must not crash and
 * must leave the view alone on failure. */
static void touch(const cachet_cbs *elem, const cachet_cbs *contents) {
    cachet_cbs c = *elem;
    uint64_t u;
    bool b;
    int64_t t;
    cachet_oid oid;
    char text[64];
    if (!cachet_cbs_get_asn1_uint64(&c, &u)) {
        REQUIRE(c.len == elem->len);
    }
    c = *elem;
    if (!cachet_cbs_get_asn1_bool(&c, &b)) {
        REQUIRE(c.len == elem->len);
    }
    c = *elem;
    if (!cachet_cbs_get_asn1_time(&c, &t)) {
        REQUIRE(c.len == elem->len);
    }
    c = *elem;
    if (cachet_cbs_get_oid(&c, &oid, NULL) && oid != CACHET_OID_UNKNOWN) {
        size_t len;
        const uint8_t *der = cachet_oid_der(oid, &len);
        REQUIRE(cachet_cbs_mem_equal(contents, der, len));
    }
    (void)cachet_cbs_oid_to_text(contents, text, sizeof(text));
    (void)cachet_cbs_is_valid_asn1_integer(contents, NULL);
}

/* rebuild copies every element of |in| into |out| through the builder. */
static bool rebuild(cachet_cbs in, cachet_cbb *out, unsigned depth) {
    while (in.len > 0) {
        cachet_cbs elem, contents;
        cachet_asn1_tag tag;
        size_t hlen;
        REQUIRE(depth < MAX_DEPTH);
        REQUIRE(cachet_cbs_get_any_asn1_element(&in, &elem, &tag, &hlen));
        cachet_cbs_init(&contents, elem.data + hlen, elem.len - hlen);
        cachet_cbb child;
        if (!cachet_cbb_add_asn1(out, &child, tag)) {
            return false;
        }
        if (tag & CACHET_ASN1_CONSTRUCTED) {
            if (!rebuild(contents, &child, depth + 1)) {
                return false;
            }
        } else {
            touch(&elem, &contents);
            if (!cachet_cbb_add_bytes(&child, contents.data, contents.len)) {
                return false;
            }
        }
        if (!cachet_cbb_flush(out)) {
            return false;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    bool is_der = cachet_der_validate(data, size, MAX_DEPTH);
    if (is_der) {
        cachet_cbb cbb;
        cachet_cbs in;
        cachet_cbs_init(&in, data, size);
        REQUIRE(cachet_cbb_init(&cbb, 64, 0));
        REQUIRE(rebuild(in, &cbb, 0));
        uint8_t *out;
        size_t out_len;
        REQUIRE(cachet_cbb_finish(&cbb, &out, &out_len));
        REQUIRE(out_len == size && memcmp(out, data, size) == 0);
        cachet_free(out);
    }

    cachet_ber_limits limits = {1u << 20, MAX_DEPTH, 4};
    uint8_t *der = NULL, *again = NULL;
    size_t der_len = 0, again_len = 0;
    cachet_error err;
    cachet_err_clear(&err);
    cachet_status st = cachet_ber_to_der(data, size, &limits, &der, &der_len, &err);
    REQUIRE((st == CACHET_OK) == (err.status == CACHET_OK));
    if (is_der) {
        REQUIRE(st == CACHET_OK && der_len == size && memcmp(der, data, size) == 0);
    }
    if (st == CACHET_OK) {
        REQUIRE(cachet_der_validate(der, der_len, MAX_DEPTH));
        REQUIRE(cachet_ber_to_der(der, der_len, &limits, &again, &again_len, NULL) == CACHET_OK);
        REQUIRE(again_len == der_len && memcmp(again, der, der_len) == 0);
    } else {
        REQUIRE(der == NULL);
        REQUIRE(st == CACHET_ERR_MALFORMED || st == CACHET_ERR_LIMIT);
    }
    cachet_free(der);
    cachet_free(again);
    return 0;
}
