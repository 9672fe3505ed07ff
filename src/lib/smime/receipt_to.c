/* smime/receipt_to.c: where a signed receipt goes (RFC 2634 §2.5) and the
 * header fields saying so. receiptsTo names the recipients, unless the request
 * came through a mail list: then the mlReceiptPolicy of the last MLData of the
 * latest expansion rules (§2.3 step 2: insteadOf replaces receiptsTo with its
 * names, inAdditionTo adds them; none was refused before we get here). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smime/receipt.h"

/* More To addresses than a header can sensibly carry: refused rather than cut. */
#define MAX_TO_BYTES 8192

/* last_policy finds the history of the latest expansion: the outermost signed
 * layer whose valid signer carries mlExpansionHistory (each mail list agent
 * copies the history it received and appends its own MLData, §4.2). |*which|:
 * 0 none found or no policy, 1 insteadOf, 2 inAdditionTo; |names| the SEQUENCE
 * OF GeneralNames contents. The history was parsed by the reader already. */
static void last_policy(const cachet_receipt_ref *ref, unsigned *which, cachet_cbs *names) {
    const cachet_receipt_orig *best = NULL;
    unsigned best_depth = 0;
    *which = 0;
    for (size_t k = 0; k < ref->num_layers; k++) {
        const cachet_receipt_layer *l = &ref->layers[k];
        for (size_t i = 0; i < l->num_signers; i++) {
            const cachet_receipt_orig *o = &l->signers[i];
            cachet_cbs attrs, values;
            bool found = false;
            if (!o->valid || o->signed_attrs == NULL) {
                continue;
            }
            cachet_cbs_init(&attrs, o->signed_attrs, o->signed_attrs_len);
            if (cachet_cms_find_attr(&attrs, CACHET_OID_ATTR_ML_EXPANSION_HISTORY, &found,
                                     &values) &&
                found && (best == NULL || l->depth < best_depth)) {
                best = o;
                best_depth = l->depth;
            }
        }
    }
    if (best == NULL) {
        return;
    }
    cachet_cbs attrs, values, hist, mld, last = {0}, skip;
    bool found = false;
    cachet_cbs_init(&attrs, best->signed_attrs, best->signed_attrs_len);
    if (!cachet_cms_find_attr(&attrs, CACHET_OID_ATTR_ML_EXPANSION_HISTORY, &found, &values) ||
        !cachet_cms_single_value(&values, CACHET_ASN1_SEQUENCE, false, &hist)) {
        return;
    }
    while (hist.len > 0 && cachet_cbs_get_asn1(&hist, &mld, CACHET_ASN1_SEQUENCE)) {
        last = mld;
    }
    /* MLData ::= SEQUENCE { mailListIdentifier, expansionTime, mlReceiptPolicy OPTIONAL } */
    if (last.data == NULL || !cachet_cbs_get_any_asn1_element(&last, &skip, NULL, NULL) ||
        !cachet_cbs_get_any_asn1_element(&last, &skip, NULL, NULL)) {
        return;
    }
    for (unsigned t = 1; t <= 2; t++) {
        if (cachet_cbs_peek_asn1_tag(&last, CACHET_ASN1_CONTEXT_CONS(t)) &&
            cachet_cbs_get_asn1(&last, names, CACHET_ASN1_CONTEXT_CONS(t))) {
            *which = t;
        }
    }
}

typedef struct to_buf {
    char *s;
    size_t len, cap;
    size_t line; /* bytes on the current header line */
    bool over;
} to_buf;

static bool listed(const to_buf *b, const char *addr, size_t len) {
    const char *p = b->s;
    while (p != NULL && *p != '\0') {
        while (*p == ',' || *p == ' ' || *p == '\r' || *p == '\n') {
            p++;
        }
        size_t n = strcspn(p, ",\r");
        if (n == len && strncasecmp(p, addr, len) == 0) {
            return true;
        }
        p += n;
    }
    return false;
}

/* add_to appends one address (checked printable by the codec), once, folding
 * the field before a line would pass 78 characters (RFC 5322 §2.1.1). */
static bool add_to(void *arg, const char *addr, size_t len) {
    to_buf *b = arg;
    if (listed(b, addr, len)) {
        return true;
    }
    size_t need = b->len + len + 8;
    if (need > MAX_TO_BYTES) {
        b->over = true;
        return false;
    }
    if (need > b->cap) {
        char *grown = cachet_realloc(b->s, need * 2);
        if (grown == NULL) {
            return false;
        }
        b->s = grown;
        b->cap = need * 2;
    }
    const char *sep = "";
    if (b->len > 0) {
        sep = b->line + len + 2 > 78 ? ",\r\n " : ", ";
    }
    int n = snprintf(b->s + b->len, b->cap - b->len, "%s%.*s", sep, (int)len, addr);
    b->len += (size_t)n;
    b->line = strcmp(sep, ", ") == 0 ? b->line + 2 + len : 1 + len;
    return true;
}

cachet_status cachet_receipt_header(const cachet_receipt_ref *ref, const cachet_receipt_opts *opts,
                                    const cachet_cms_receipt_request *rr, char **out,
                                    cachet_error *err) {
    *out = NULL;
    to_buf b = {.line = 4}; /* "To: " */
    unsigned which = 0;
    cachet_cbs names = {0};
    last_policy(ref, &which, &names);
    bool ok = true;
    if (which != 1) {
        ok = cachet_cms_names_emails(&rr->to, add_to, &b);
    }
    if (ok && which != 0) {
        ok = cachet_cms_names_emails(&names, add_to, &b);
    }
    if (!ok) {
        cachet_free(b.s);
        if (b.over) {
            return cachet_err_set(err, CACHET_ERR_LIMIT, "receipt recipients", -1,
                                  "the receipt's recipients (receiptsTo and mlReceiptPolicy) "
                                  "come to more than %d bytes of addresses",
                                  MAX_TO_BYTES);
        }
        return cachet_err_set(err, which != 0 ? CACHET_ERR_ATTRIBUTES : CACHET_ERR_NOMEM,
                              which != 0 ? "mlExpansionHistory.mlReceiptPolicy" : "receipt", -1,
                              which != 0 ? "the mail list's receipt policy names are malformed"
                                         : "out of memory");
    }
    char **emails = NULL;
    size_t num = cachet_cert_emails(opts->signer->cert, &emails);
    const char *from = opts->my_address != NULL ? opts->my_address : num > 0 ? emails[0] : NULL;
    size_t len = b.len + (from != NULL ? strlen(from) : 0) + 64;
    char *h = cachet_malloc(len);
    if (h != NULL) {
        /* From: the address we receive as, so that the sender binds to the signature */
        snprintf(h, len, "%s%s%s%s%s%sSubject: Signed receipt\r\n", from != NULL ? "From: " : "",
                 from != NULL ? from : "", from != NULL ? "\r\n" : "", b.len > 0 ? "To: " : "",
                 b.len > 0 ? b.s : "", b.len > 0 ? "\r\n" : "");
    }
    cachet_cert_emails_free(emails, num);
    cachet_free(b.s);
    if (h == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "receipt", -1, "out of memory");
    }
    *out = h;
    return CACHET_OK;
}
