/* Regression found by fuzz/fuzz_smime_decrypt.c (issue 8): the S/MIME reader
 * sniffs the content type from the first 32 bytes it has when streaming, from
 * everything when fed whole. A contentType OID longer than any we know gave
 * "unsupported" whole and "malformed, truncated" streamed; the answer must not
 * depend on the chunking. Input: fuzz/corpus/fuzz_smime_decrypt/regress_long_oid_sniff.eml. */
#include "cms/cms.h"
#include "testlib.h"

static void long_unknown_content_type_is_unsupported_at_any_length(void) {
    uint8_t ci[2 + 2 + 89 + 4];
    size_t n = 0;
    ci[n++] = 0x30;
    ci[n++] = 0x80;
    ci[n++] = 0x06;
    ci[n++] = 89;
    for (size_t i = 0; i < 89; i++) {
        ci[n++] = (uint8_t)(0x2a + (i % 7)); /* some arcs, never a known OID */
    }
    ci[n++] = 0xa0;
    ci[n++] = 0x00;
    ci[n++] = 0x00;
    ci[n++] = 0x00;
    for (size_t len = 32; len <= n; len++) {
        cachet_oid oid = CACHET_OID_UNKNOWN;
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(cachet_cms_sniff(ci, len, &oid, &err), CACHET_ERR_UNSUPPORTED);
    }
    /* A short prefix of a known type still asks for more bytes. */
    static const uint8_t enveloped[] = {0x30, 0x80, 0x06, 0x09, 0x2a, 0x86,
                                        0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07};
    cachet_oid oid = CACHET_OID_UNKNOWN;
    cachet_error err;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_cms_sniff(enveloped, sizeof(enveloped), &oid, &err), CACHET_ERR_MALFORMED);
    static const uint8_t whole[] = {0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                    0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03};
    CHECK_EQ_INT(cachet_cms_sniff(whole, sizeof(whole), &oid, &err), CACHET_OK);
    CHECK_EQ_INT(oid, CACHET_OID_ENVELOPED_DATA);
}

static const cachet_test_case tests[] = {
    TEST_CASE(long_unknown_content_type_is_unsupported_at_any_length),
};
TEST_MAIN(tests)
