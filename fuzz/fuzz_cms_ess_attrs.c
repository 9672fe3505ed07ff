/* Oracle for the ESS attribute readers (cms/ess*.c; RFC 2634 §2.9-§5.4,
 * RFC 5126 §5.8.1). The first byte picks the reader, the rest is its input:
 * - 0: an ESSSecurityLabel. An accepted label is re-encoded by cachet's writer,
 *   which must read back to the same fields; when the input's privacy mark was
 *   not a UTF8String (which the writer turns into a PrintableString when it
 *   can) the bytes must be the input's exactly (DER is canonical);
 * - 1: an MLExpansionHistory: accepted means 1..64 entries, each with an
 *   identifier; a failure leaves nothing allocated;
 * - else: a signed attributes SET contents through cachet_cms_ess_read (no
 *   signer certificate): never crashes, and what it reports is bounded.
 * Any reader gives the same answer twice. */
#include <stdlib.h>
#include <string.h>

#include "cms/attributes.h"
#include "cms/ess.h"

#include "fuzz_util.h"

static bool same_label(const cachet_security_label *a, const cachet_security_label *b) {
    if (strcmp(a->policy, b->policy) != 0 || a->classification != b->classification ||
        strcmp(a->privacy_mark, b->privacy_mark) != 0 || a->num_categories != b->num_categories) {
        return false;
    }
    for (size_t i = 0; i < a->num_categories; i++) {
        if (strcmp(a->categories[i].type, b->categories[i].type) != 0 ||
            strcmp(a->categories[i].value_hex, b->categories[i].value_hex) != 0) {
            return false;
        }
    }
    return true;
}

/* mark_is_utf8: the label element holds a UTF8String component at top level. */
static bool mark_is_utf8(const uint8_t *data, size_t len) {
    cachet_cbs in, set, el;
    cachet_asn1_tag tag;
    cachet_cbs_init(&in, data, len);
    if (!cachet_cbs_get_asn1(&in, &set, CACHET_ASN1_SET)) {
        return false;
    }
    while (cachet_cbs_get_any_asn1_element(&set, &el, &tag, NULL)) {
        if (tag == CACHET_ASN1_UTF8STRING) {
            return true;
        }
    }
    return false;
}

static void label_oracle(const uint8_t *data, size_t len) {
    cachet_security_label l, again;
    char detail[200];
    cachet_cbs in;
    cachet_cbs_init(&in, data, len);
    bool ok = cachet_ess_parse_label(&in, &l, detail, sizeof(detail));
    cachet_cbs_init(&in, data, len);
    bool ok2 = cachet_ess_parse_label(&in, &again, detail, sizeof(detail));
    REQUIRE(ok == ok2);
    if (!ok) {
        REQUIRE(l.categories == NULL && l.num_categories == 0);
        return;
    }
    REQUIRE(same_label(&l, &again));
    cachet_ess_label_clear(&again);
    size_t consumed = len - in.len;
    cachet_cbb cbb;
    uint8_t *out = NULL;
    size_t out_len = 0;
    REQUIRE(cachet_cbb_init(&cbb, 64, 0));
    REQUIRE(cachet_ess_add_label(&cbb, &l, detail, sizeof(detail)));
    REQUIRE(cachet_cbb_finish(&cbb, &out, &out_len));
    if (!mark_is_utf8(data, consumed)) {
        REQUIRE(out_len == consumed && memcmp(out, data, out_len) == 0);
    }
    cachet_cbs_init(&in, out, out_len);
    REQUIRE(cachet_ess_parse_label(&in, &again, detail, sizeof(detail)) && in.len == 0);
    REQUIRE(same_label(&l, &again));
    cachet_ess_label_clear(&again);
    cachet_ess_label_clear(&l);
    cachet_free(out);
}

static void ml_oracle(const uint8_t *data, size_t len) {
    cachet_cbs value;
    cachet_ml_data *list = NULL;
    size_t n = 0, n2 = 0;
    char detail[200];
    cachet_cbs_init(&value, data, len);
    bool ok = cachet_ess_parse_ml_history(&value, &list, &n, detail, sizeof(detail));
    REQUIRE(ok == cachet_ess_parse_ml_history(&value, NULL, &n2, detail, sizeof(detail)));
    if (!ok) {
        REQUIRE(list == NULL && n == 0);
        return;
    }
    REQUIRE(n >= 1 && n <= CACHET_ESS_MAX_ML_HISTORY && n == n2);
    for (size_t i = 0; i < n; i++) {
        REQUIRE(list[i].identifier[0] != '\0');
    }
    cachet_free(list);
}

static void read_oracle(const uint8_t *data, size_t len) {
    cachet_cbs attrs;
    cachet_signer_report a, b;
    char d1[200], d2[200];
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    cachet_cbs_init(&attrs, data, len);
    cachet_status s1 = cachet_cms_ess_read(&attrs, &attrs, NULL, &a, d1, sizeof(d1));
    cachet_status s2 = cachet_cms_ess_read(&attrs, NULL, NULL, &b, d2, sizeof(d2));
    /* the unsigned check only adds failures */
    REQUIRE(s2 != CACHET_OK || s1 == CACHET_OK || s1 == CACHET_ERR_ATTRIBUTES);
    if (s2 == CACHET_OK && b.ess != NULL) {
        REQUIRE(b.ess->num_ml_history <= CACHET_ESS_MAX_ML_HISTORY);
        REQUIRE(b.ess->num_equivalent_labels <= CACHET_ESS_MAX_EQUIV_LABELS);
        REQUIRE(b.ess->label == NULL || b.ess->label->policy[0] != '\0');
        REQUIRE(!b.ess->signing_certificate_v1); /* no certificate to name */
    }
    cachet_cms_signer_report_clear(&a);
    cachet_cms_signer_report_clear(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) {
        return 0;
    }
    switch (data[0]) {
        case 0:
            label_oracle(data + 1, size - 1);
            break;
        case 1:
            ml_oracle(data + 1, size - 1);
            break;
        default:
            read_oracle(data + 1, size - 1);
            break;
    }
    return 0;
}
