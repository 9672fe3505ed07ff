/* smime/sign_ess.c: the ESS and CAdES signed attributes that cachet_sign_opts
 * asks for: securityLabel and equivalentLabels (RFC 2634 §3.2, §3.4),
 * contentHints (§2.9, with the type the caller names) and signaturePolicyIdentifier (RFC 5126
 * §5.8.1), the same for every signer (§3.1.1: all SignerInfos carry the same label); and per signer
 * the ESS signingCertificate (v1, §5.4) of its own certificate. What the caller gave is checked
 * here, so that a bad option is a usage error naming it rather than a message the reader refuses.
 */
#include <stdio.h>
#include <string.h>

#include "cms/ess.h"
#include "smime/internal.h"

/* The longest contentDescription written: what a reader (ours) reports whole. */
#define MAX_HINT 255

static cachet_md policy_md(cachet_digest d) {
    return d == CACHET_DIGEST_SHA384   ? CACHET_MD_SHA384
           : d == CACHET_DIGEST_SHA512 ? CACHET_MD_SHA512
                                       : CACHET_MD_SHA256;
}

static cachet_status check_label_set(const cachet_sign_opts *o, cachet_error *err) {
    if (o->num_equivalent_labels > 0 && o->security_label == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "sign_opts.equivalent_labels", -1,
                              "equivalent labels translate a security label: give the "
                              "security label too (RFC 2634 section 3.4.1)");
    }
    if (o->num_equivalent_labels > 0 && o->equivalent_labels == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "sign_opts.equivalent_labels", -1,
                              "num_equivalent_labels without equivalent_labels");
    }
    for (size_t i = 0; i < o->num_equivalent_labels; i++) {
        const char *p = o->equivalent_labels[i].policy;
        bool dup = strcmp(p, o->security_label->policy) == 0;
        for (size_t j = 0; j < i && !dup; j++) {
            dup = strcmp(p, o->equivalent_labels[j].policy) == 0;
        }
        if (dup) {
            return cachet_err_set(err, CACHET_ERR_USAGE, "sign_opts.equivalent_labels", -1,
                                  "security policy %s appears twice among the labels (RFC 2634 "
                                  "section 3.4.1: policy OIDs must be unique)",
                                  p);
        }
    }
    return CACHET_OK;
}

static cachet_status add_policy(const cachet_sign_opts *o, cachet_cbb *run, cachet_error *err) {
    uint8_t oid[64];
    size_t oid_len = 0;
    cachet_md md = policy_md(o->signature_policy_md);
    if (!cachet_ess_oid_from_text(o->signature_policy, oid, sizeof(oid), &oid_len)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "sign_opts.signature_policy", -1,
                              "\"%s\" is not a dotted object identifier", o->signature_policy);
    }
    if (o->signature_policy_hash == NULL || o->signature_policy_hash_len != cachet_md_size(md)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "sign_opts.signature_policy_hash", -1,
                              "a signature policy needs the %s hash of the policy document "
                              "(%zu bytes; RFC 5126 section 5.8.1)",
                              cachet_md_name(md), cachet_md_size(md));
    }
    if (!cachet_ess_add_sig_policy_attr(run, oid, oid_len, md, o->signature_policy_hash,
                                        o->signature_policy_hash_len)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "signedAttrs", -1, "out of memory");
    }
    return CACHET_OK;
}

/* contentHints with a contentType given as a dotted OID: SEQUENCE { OID, SET {
 * SEQUENCE { contentDescription UTF8String OPTIONAL, contentType } } }. */
static bool hints_attr(cachet_cbb *run, const char *description, const uint8_t *oid,
                       size_t oid_len) {
    cachet_cbb attr, values, seq;
    size_t n = description != NULL ? strlen(description) : 0;
    return cachet_cbb_add_asn1(run, &attr, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_CONTENT_HINT) &&
           cachet_cbb_add_asn1(&attr, &values, CACHET_ASN1_SET) &&
           cachet_cbb_add_asn1(&values, &seq, CACHET_ASN1_SEQUENCE) &&
           (n == 0 || cachet_cbb_add_asn1_element(&seq, CACHET_ASN1_UTF8STRING,
                                                  (const uint8_t *)description, n)) &&
           cachet_cbb_add_asn1_element(&seq, CACHET_ASN1_OBJECT, oid, oid_len) &&
           cachet_cbb_flush(run);
}

static cachet_status add_hints(const cachet_sign_opts *opts, cachet_cbb *run, cachet_error *err) {
    if (opts->content_hint != NULL) {
        size_t n = strlen(opts->content_hint);
        if (n == 0 || n > MAX_HINT) {
            return cachet_err_set(err, CACHET_ERR_USAGE, "sign_opts.content_hint", -1,
                                  "a content description is 1..%d bytes of UTF-8", MAX_HINT);
        }
    }
    if (opts->content_hint_type == NULL) {
        /* §2.9: the type of the content signed, which S/MIME always sends as id-data. */
        if (!cachet_ess_add_content_hints_attr(run, opts->content_hint, CACHET_OID_DATA)) {
            return cachet_err_set(err, CACHET_ERR_NOMEM, "signedAttrs", -1, "out of memory");
        }
        return CACHET_OK;
    }
    uint8_t oid[64];
    size_t oid_len = 0;
    if (!cachet_ess_oid_from_text(opts->content_hint_type, oid, sizeof(oid), &oid_len)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "sign_opts.content_hint_type", -1,
                              "\"%s\" is not a dotted object identifier", opts->content_hint_type);
    }
    /* §2.9: the inner content's type, for a receiver deciding how to handle the
     * content before it opens the layers (id-ct-receipt for an encrypted receipt, §2.4) */
    if (!hints_attr(run, opts->content_hint, oid, oid_len)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "signedAttrs", -1, "out of memory");
    }
    return CACHET_OK;
}

cachet_status cachet_smime_ess_shared_attrs(const cachet_ctx *ctx, const cachet_sign_opts *opts,
                                            cachet_cbb *run, cachet_error *err) {
    char detail[200];
    (void)ctx;
    cachet_status st = check_label_set(opts, err);
    if (st != CACHET_OK) {
        return st;
    }
    if (opts->security_label != NULL &&
        !cachet_ess_add_label_attr(run, opts->security_label, detail, sizeof(detail))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "sign_opts.security_label", -1, "%s", detail);
    }
    if (opts->num_equivalent_labels > 0 &&
        !cachet_ess_add_equivalent_labels_attr(
            run, opts->equivalent_labels, opts->num_equivalent_labels, detail, sizeof(detail))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "sign_opts.equivalent_labels", -1, "%s",
                              detail);
    }
    if (opts->content_hint != NULL || opts->content_hint_type != NULL) {
        st = add_hints(opts, run, err);
        if (st != CACHET_OK) {
            return st;
        }
    }
    if (opts->signature_policy != NULL) {
        return add_policy(opts, run, err);
    }
    return CACHET_OK;
}

cachet_status cachet_smime_ess_signer_attrs(const cachet_sign_opts *opts, const cachet_cert *cert,
                                            cachet_cbb *run, cachet_error *err) {
    if (!opts->signing_certificate_v1) {
        return CACHET_OK;
    }
    if (cert == NULL || !cachet_ess_add_signing_cert_v1_attr(run, cert)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "signedAttrs.signingCertificate", -1,
                              "the ESS signingCertificate could not be written");
    }
    return CACHET_OK;
}
