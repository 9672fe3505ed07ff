/* The attribute checks of attributes.c around countersignatures: the signed
 * attributes of a countersignature (RFC 5652 §11.4: messageDigest, no
 * contentType), and the extra signed attributes a signer is given (DER
 * Attribute elements; a countersignature is never one). */
#include <stdlib.h>

#include "cms/countersign.h"
#include "testlib.h"

/* Attribute DER: SEQUENCE { OID, SET { value } } */
#define OID_CT 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03
#define OID_MD 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04
#define OID_ST 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05
#define OID_CS 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x06
#define OID_X 0x06, 0x03, 0x2a, 0x03, 0x04 /* 1.2.3.4, unknown */
#define ATTR_CT                                                                                    \
    0x30, 0x18, OID_CT, 0x31, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01
#define ATTR_MD 0x30, 0x11, OID_MD, 0x31, 0x04, 0x04, 0x02, 0xab, 0xcd
#define ATTR_ST                                                                                    \
    0x30, 0x1c, OID_ST, 0x31, 0x0f, 0x17, 0x0d, '2', '3', '1', '1', '1', '4', '2', '2', '1', '3',  \
        '2', '0', 'Z'
#define ATTR_X 0x30, 0x0b, OID_X, 0x31, 0x04, 0x0c, 0x02, 'h', 'i'

typedef struct attrs_case {
    const char *name;
    uint8_t der[96]; /* SET contents */
    size_t len;
    cachet_status want;
    const char *detail;
} attrs_case;

#define CASE(name, want, detail, ...)                                                              \
    { name, {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}), want, detail }

static const attrs_case countersig_cases[] = {
    CASE("messageDigest alone", CACHET_OK, "", ATTR_MD),
    CASE("messageDigest, signingTime and an unknown one", CACHET_OK, "", ATTR_MD, ATTR_ST, ATTR_X),
    CASE("contentType present", CACHET_ERR_ATTRIBUTES,
         "contentType present in the signedAttrs of a countersignature", ATTR_CT, ATTR_MD),
    CASE("no messageDigest", CACHET_ERR_ATTRIBUTES,
         "the signedAttrs of a countersignature lack messageDigest", ATTR_ST),
    CASE("messageDigest twice", CACHET_ERR_ATTRIBUTES, "appears twice", ATTR_MD, ATTR_MD),
    CASE("a countersignature signed", CACHET_ERR_ATTRIBUTES, "countersignature in signedAttrs",
         ATTR_MD, 0x30, 0x0f, OID_CS, 0x31, 0x02, 0x30, 0x00),
};

static void countersignature_signed_attrs_follow_rfc5652_11_4(void) {
    for (size_t i = 0; i < sizeof(countersig_cases) / sizeof(countersig_cases[0]); i++) {
        const attrs_case *c = &countersig_cases[i];
        cachet_cbs attrs;
        cachet_cms_attrs_info info;
        char detail[200] = "";
        cachet_cbs_init(&attrs, c->der, c->len);
        cachet_status st =
            cachet_cms_check_countersig_attrs(&attrs, 64, &info, detail, sizeof(detail));
        if (st != c->want || strstr(detail, c->detail) == NULL) {
            fprintf(stderr, "%s: %d \"%s\"\n", c->name, (int)st, detail);
        }
        CHECK_EQ_INT(st, c->want);
        CHECK(strstr(detail, c->detail) != NULL);
        /* the same set is no SignerInfo's signedAttrs: contentType is required there */
        if (c->want == CACHET_OK) {
            CHECK_EQ_INT(cachet_cms_check_signed_attrs(&attrs, 64, &info, detail, sizeof(detail)),
                         CACHET_ERR_ATTRIBUTES);
        }
    }
}

static const attrs_case extra_cases[] = {
    CASE("one unknown attribute", CACHET_OK, "", ATTR_X),
    CASE("two attributes", CACHET_OK, "", ATTR_X, 0x30, 0x0b, 0x06, 0x03, 0x2a, 0x03, 0x05, 0x31,
         0x04, 0x0c, 0x02, 'h', 'o'),
    CASE("SEQUENCE inside SEQUENCE", CACHET_ERR_ATTRIBUTES, "is not a DER Attribute", 0x30, 0x0d,
         ATTR_X),
    CASE("empty value SET", CACHET_ERR_ATTRIBUTES, "is not a DER Attribute", 0x30, 0x07, OID_X,
         0x31, 0x00),
    CASE("trailing bytes in the Attribute", CACHET_ERR_ATTRIBUTES, "is not a DER Attribute", 0x30,
         0x0d, OID_X, 0x31, 0x04, 0x0c, 0x02, 'h', 'i', 0x05, 0x00),
    CASE("contentType", CACHET_ERR_ATTRIBUTES, "is one cachet writes itself", ATTR_CT),
    CASE("countersignature", CACHET_ERR_ATTRIBUTES,
         "countersignature cannot be a signed attribute (RFC 5652 section 11.4)", 0x30, 0x0f,
         OID_CS, 0x31, 0x02, 0x30, 0x00),
    CASE("the same type twice", CACHET_ERR_ATTRIBUTES, "is given twice", ATTR_X, ATTR_X),
};

static void extra_signed_attrs_are_checked_as_attributes(void) {
    for (size_t i = 0; i < sizeof(extra_cases) / sizeof(extra_cases[0]); i++) {
        const attrs_case *c = &extra_cases[i];
        char detail[200] = "";
        bool ok = cachet_cms_check_extra_attrs(c->der, c->len, detail, sizeof(detail));
        if (ok != (c->want == CACHET_OK) || strstr(detail, c->detail) == NULL) {
            fprintf(stderr, "%s: %d \"%s\"\n", c->name, ok, detail);
        }
        CHECK_EQ_INT(ok, c->want == CACHET_OK);
        CHECK(strstr(detail, c->detail) != NULL);
    }
}

static const attrs_case unsigned_cases[] = {
    CASE("a countersignature value", CACHET_OK, "", 0x30, 0x0f, OID_CS, 0x31, 0x02, 0x30, 0x00),
    CASE("countersignature without a value", CACHET_ERR_ATTRIBUTES,
         "unsigned attribute 1 (id-countersignature) has no value", 0x30, 0x0d, OID_CS, 0x31, 0x00),
    CASE("contentType unsigned", CACHET_ERR_ATTRIBUTES, "as an unsigned attribute", ATTR_CT),
    CASE("messageDigest unsigned", CACHET_ERR_ATTRIBUTES, "as an unsigned attribute", ATTR_MD),
};

/* R5652-11.4-4: "there MUST be one or more instances of AttributeValue present" */
static void unsigned_attrs_need_a_value_each(void) {
    for (size_t i = 0; i < sizeof(unsigned_cases) / sizeof(unsigned_cases[0]); i++) {
        const attrs_case *c = &unsigned_cases[i];
        cachet_cbs attrs;
        char detail[200] = "";
        cachet_cbs_init(&attrs, c->der, c->len);
        cachet_status st = cachet_cms_check_unsigned_attrs(&attrs, 64, detail, sizeof(detail));
        if (st != c->want || strstr(detail, c->detail) == NULL) {
            fprintf(stderr, "%s: %d \"%s\"\n", c->name, (int)st, detail);
        }
        CHECK_EQ_INT(st, c->want);
        CHECK(strstr(detail, c->detail) != NULL);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(countersignature_signed_attrs_follow_rfc5652_11_4),
    TEST_CASE(extra_signed_attrs_are_checked_as_attributes),
    TEST_CASE(unsigned_attrs_need_a_value_each),
};
TEST_MAIN(tests)
