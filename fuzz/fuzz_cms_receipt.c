/* libFuzzer target: the ESS receipt codecs (RFC 2634 §2.7, §2.8, §2.11):
 * ReceiptRequest, Receipt and ContentReference parsing, the rfc822Name walk,
 * and cachet_cms_receipt_attrs_read over the input as signedAttrs contents.
 *
 * Oracles: a Receipt or ContentReference that parses is written again by the
 * builder to exactly the same bytes (both are canonical DER); a ReceiptRequest
 * that parses has 1..16 receiptsTo whose addresses walk without failure, and
 * when it names one rfc822Name per GeneralNames it is rebuilt into a request
 * that reads back the same; the attribute
 * reader either fails with a detail or reports the request's identifier.
 * Corpus: fuzz/corpus/fuzz_cms_receipt/ (requests of openssl cms and cachet,
 * receipts, the signedAttrs of both). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cms/attributes.h"
#include "cms/receipt.h"

typedef struct addrs {
    const char *list[CACHET_CMS_GENERAL_NAMES_MAX * 2];
    char buf[CACHET_CMS_GENERAL_NAMES_MAX * 2][260];
    size_t n;
    bool overflow;
} addrs;

static bool take(void *arg, const char *a, size_t len) {
    addrs *x = arg;
    if (x->n >= sizeof(x->list) / sizeof(x->list[0]) || len >= 260) {
        x->overflow = true;
        return true;
    }
    memcpy(x->buf[x->n], a, len);
    x->buf[x->n][len] = '\0';
    x->list[x->n] = x->buf[x->n];
    x->n++;
    return true;
}

static void same_bytes(const cachet_cbs *in,
                       bool (*build)(cachet_cbb *, const cachet_cms_receipt *),
                       const cachet_cms_receipt *r) {
    cachet_cbb cbb;
    uint8_t *out = NULL;
    size_t len = 0;
    if (!cachet_cbb_init(&cbb, 64, 0) || !build(&cbb, r) || !cachet_cbb_finish(&cbb, &out, &len)) {
        __builtin_trap();
    }
    if (len != in->len || memcmp(out, in->data, len) != 0) {
        __builtin_trap();
    }
    cachet_free(out);
}

static void request(const cachet_cbs *in) {
    cachet_cms_receipt_request rr;
    char detail[256];
    if (!cachet_cms_receipt_request_parse(in, &rr, detail, sizeof(detail))) {
        if (detail[0] == '\0') {
            __builtin_trap();
        }
        return;
    }
    if (rr.num_to < 1 || rr.num_to > CACHET_CMS_RECEIPTS_TO_MAX) {
        __builtin_trap();
    }
    static addrs to, from;
    to.n = from.n = 0;
    to.overflow = from.overflow = false;
    if (!cachet_cms_names_emails(&rr.to, take, &to) ||
        (rr.from == CACHET_RECEIPTS_FROM_LIST &&
         !cachet_cms_names_emails(&rr.from_list, take, &from))) {
        __builtin_trap();
    }
    /* one rfc822Name per GeneralNames throughout: our builder writes the same */
    bool simple = !to.overflow && !from.overflow && to.n == rr.num_to;
    if (simple && rr.from == CACHET_RECEIPTS_FROM_LIST) {
        cachet_cbs l = rr.from_list;
        size_t count = 0;
        while (l.len > 0) {
            cachet_cbs g;
            cachet_cbs_get_asn1(&l, &g, CACHET_ASN1_SEQUENCE);
            count++;
        }
        simple = count == from.n;
    }
    if (simple) {
        cachet_cbb cbb;
        uint8_t *out = NULL;
        size_t len = 0;
        if (cachet_cbb_init(&cbb, 128, 0) &&
            cachet_cms_receipt_request_build(&cbb, rr.content_id.data, rr.content_id.len, rr.from,
                                             from.list, from.n, to.list, to.n) &&
            cachet_cbb_finish(&cbb, &out, &len)) {
            /* what we write reads back the same */
            cachet_cms_receipt_request back;
            cachet_cbs b;
            cachet_cbs_init(&b, out, len);
            if (!cachet_cms_receipt_request_parse(&b, &back, detail, sizeof(detail)) ||
                back.from != rr.from || back.num_to != rr.num_to ||
                back.content_id.len != rr.content_id.len ||
                memcmp(back.content_id.data, rr.content_id.data, rr.content_id.len) != 0) {
                __builtin_trap();
            }
            cachet_free(out);
        } else {
            cachet_cbb_cleanup(&cbb);
        }
    }
}

static void attrs(const cachet_cbs *in) {
    cachet_signer_report rep;
    char detail[256] = "";
    memset(&rep, 0, sizeof(rep));
    cachet_status st = cachet_cms_receipt_attrs_read(in, &rep, detail, sizeof(detail));
    if (st != CACHET_OK && detail[0] == '\0') {
        __builtin_trap();
    }
    /* receiptsTo may name no rfc822Name (a directoryName only): no count oracle */
    if (st == CACHET_OK && rep.ess != NULL && rep.ess->receipt_requested &&
        rep.ess->receipt_content_id_hex == NULL) {
        __builtin_trap();
    }
    cachet_cms_signer_report_clear(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cachet_cbs in;
    cachet_cms_receipt r;
    char detail[256];
    cachet_cbs_init(&in, data, size);
    request(&in);
    if (cachet_cms_receipt_parse(&in, &r, detail, sizeof(detail))) {
        same_bytes(&in, cachet_cms_receipt_build, &r);
    }
    if (cachet_cms_content_reference_parse(&in, &r, detail, sizeof(detail))) {
        same_bytes(&in, cachet_cms_content_reference_build, &r);
    }
    attrs(&in);
    return 0;
}
