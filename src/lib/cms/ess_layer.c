/* cms/ess_layer.c: the ESS rules that span the SignerInfos of one SignedData,
 * applied to the signers whose signature verified (only those attributes are
 * read at all, RFC 2634 §3.1.2, §4.1): one securityLabel for all (§3.1.1), one
 * mlExpansionHistory for all (§4.1), and no history naming the mail list agent
 * that is reading (§4.2, loop detection). The comparisons are over the DER of
 * the attribute values, so two labels that differ only in what the report
 * cannot show still differ. */
#include <stdio.h>
#include <string.h>

#include "cms/attributes.h"
#include "cms/ess.h"

static void fail_signer(cachet_signer_report *s, cachet_status st, bool drop_ess, cachet_error *out,
                        size_t i, const char *msg) {
    char where[48];
    snprintf(where, sizeof(where), "SignedData.signerInfos[%zu]", i);
    s->signature_valid = false;
    s->signature_status = st;
    snprintf(s->signature_detail, sizeof(s->signature_detail), "%s", msg);
    if (drop_ess) {
        /* SG-15: what a failed signature carries is not reported as said */
        cachet_cms_ess_info_free(s->ess);
        s->ess = NULL;
    }
    cachet_err_set(out, st, where, -1, "%s", msg);
}

/* same_attr compares one attribute of signer |i| with that of the reference
 * signer |r|; false with |msg| when they differ (presence or bytes). */
static bool same_attr(const cachet_cms_verify *v, size_t r, size_t i, cachet_oid oid,
                      const char *rule, char *msg, size_t msg_len) {
    cachet_cbs ra, ia, rv = {NULL, 0}, iv = {NULL, 0};
    bool rf = false, inf = false;
    char d[160];
    if (!cachet_cms_verify_signed_attrs(v, r, &ra) || !cachet_cms_verify_signed_attrs(v, i, &ia) ||
        !cachet_ess_find_attr(&ra, oid, &rf, &rv, d, sizeof(d)) ||
        !cachet_ess_find_attr(&ia, oid, &inf, &iv, d, sizeof(d))) {
        return true; /* already judged by the per-signer checks */
    }
    if (!rf && !inf) {
        return true;
    }
    if (rf != inf) {
        snprintf(msg, msg_len, "signerInfos[%zu] %s a %s but signerInfos[%zu] %s: %s", i,
                 inf ? "has" : "lacks", cachet_oid_name(oid), r, rf ? "has one" : "has none", rule);
        return false;
    }
    if (!cachet_cbs_mem_equal(&iv, rv.data, rv.len)) {
        snprintf(msg, msg_len,
                 "the %s of signerInfos[%zu] differs from that of signerInfos[%zu]: %s",
                 cachet_oid_name(oid), i, r, rule);
        return false;
    }
    return true;
}

cachet_status cachet_ess_check_layer(const cachet_cms_verify *v, cachet_layer_report *layer,
                                     const cachet_cert *ml_identity, cachet_error *out) {
    cachet_status worst = CACHET_OK;
    size_t ref = layer->num_signers;
    char msg[256];
    for (size_t i = 0; i < layer->num_signers; i++) {
        cachet_signer_report *s = &layer->signers[i];
        if (!s->signature_valid) {
            continue;
        }
        if (ref == layer->num_signers) {
            ref = i;
        } else if (!same_attr(v, ref, i, CACHET_OID_ATTR_SECURITY_LABEL,
                              "all SignerInfos carry the same label (RFC 2634 section 3.1.1)", msg,
                              sizeof(msg)) ||
                   !same_attr(v, ref, i, CACHET_OID_ATTR_ML_EXPANSION_HISTORY,
                              "all SignerInfos carry the same history (RFC 2634 section 4.1)", msg,
                              sizeof(msg))) {
            fail_signer(s, CACHET_ERR_ATTRIBUTES, true, out, i, msg);
            worst = CACHET_ERR_ATTRIBUTES;
            continue;
        }
        cachet_cbs attrs, value;
        bool found = false;
        char d[160];
        if (ml_identity == NULL || !cachet_cms_verify_signed_attrs(v, i, &attrs) ||
            !cachet_ess_find_attr(&attrs, CACHET_OID_ATTR_ML_EXPANSION_HISTORY, &found, &value, d,
                                  sizeof(d)) ||
            !found) {
            continue;
        }
        long at = cachet_ess_ml_find(&value, ml_identity);
        if (at >= 0) {
            const char *who = s->ess != NULL && (size_t)at < s->ess->num_ml_history
                                  ? s->ess->ml_history[at].identifier
                                  : "";
            snprintf(msg, sizeof(msg),
                     "mail list loop: mlExpansionHistory[%ld] names this mail list agent (%s); "
                     "the message was expanded here before (RFC 2634 section 4.2)",
                     at, who);
            fail_signer(s, CACHET_ERR_POLICY, false, out, i, msg);
            if (worst == CACHET_OK) {
                worst = CACHET_ERR_POLICY;
            }
        }
    }
    return worst;
}
