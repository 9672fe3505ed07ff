/* policy: what cachetd does with one message, as a pure function of the
 * configuration and gathered facts (see policy.h for the contract).
 *
 * Decisions taken here beyond the header's words:
 * - Outbound signing order: the domain's signing mode, then the submitter's
 *   authentication (RFC 3183 §3.2: no domain signature, and no signature with the
 *   user's key, for an unauthenticated submitter), then the key. A signature that
 *   is configured and allowed but whose key is not loaded is our fault: TEMPFAIL.
 * - The empty signature layer, the attributes and the review signature go only
 *   with a domain signature: they are DOMSEC layers that the domain signature
 *   encapsulates (§3, §3.1.2); a user signature is an originator signature.
 * - Encryption preference: every recipient's certificate (case c), else the
 *   recipient domain's DCA (case d). A lookup failure of anything the decision
 *   depends on (any recipient; the DCA when not every recipient has a
 *   certificate) is TEMPFAIL under every policy but never, since it is not
 *   "none" (GW-04).
 * - A message already enveloped: with a RecipientInfo for our own DCA and a
 *   signature to add, it is unwrapped (§5), signed and encrypted again per
 *   policy; if the policy would then send it plain, it is not unwrapped (the
 *   sender had it encrypted). A message not opened here is passed on unsigned:
 *   §3.2 lets a domain signature vouch only for signatures it verified,
 *   "including those that have been encrypted" (and a signature over
 *   ciphertext, ATTACKS GW-03, says nothing of the author).
 * - Recipients of one class whose domains have different encryption policies
 *   are a caller error: TEMPFAIL rather than guess.
 * - Inbound: a partner with require_signature turns every outcome other than a
 *   PASS with a domain or originator signature into a failure that is never
 *   simply delivered (GW-02): reject when on_failure = reject, else quarantine.
 *   Undecryptable mail counts too, since an unsigned message encrypted to a
 *   recipient's public certificate would otherwise pass unchecked. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cachet/domsec.h>

#include "gateway/config.h"
#include "gateway/policy.h"

const char *cachetd_direction_name(cachetd_direction d) {
    switch (d) {
        case CACHETD_DIR_OUTBOUND:
            return "outbound";
        case CACHETD_DIR_INBOUND:
            return "inbound";
        case CACHETD_DIR_INTERNAL:
            return "internal";
        case CACHETD_DIR_FOREIGN:
            return "foreign";
    }
    return "foreign";
}

const char *cachetd_verdict_name(cachetd_verdict v) {
    switch (v) {
        case CACHETD_CONTINUE:
            return "continue";
        case CACHETD_TEMPFAIL:
            return "tempfail";
        case CACHETD_REJECT:
            return "reject";
    }
    return "tempfail";
}

const char *cachetd_inbound_outcome_name(cachetd_inbound_outcome o) {
    switch (o) {
        case CACHETD_IN_PLAIN:
            return "plain";
        case CACHETD_IN_PASS:
            return "pass";
        case CACHETD_IN_FAIL:
            return "fail";
        case CACHETD_IN_UNTRUSTED:
            return "untrusted";
        case CACHETD_IN_UNDECRYPTABLE:
            return "undecryptable";
        case CACHETD_IN_MALFORMED:
            return "malformed";
    }
    return "malformed";
}

const char *cachetd_delivery_name(cachetd_delivery d) {
    switch (d) {
        case CACHETD_DELIVER:
            return "deliver";
        case CACHETD_QUARANTINE:
            return "quarantine";
        case CACHETD_REJECT_MESSAGE:
            return "reject";
    }
    return "reject";
}

/* An envelope address without angle brackets and surrounding blanks, into
 * |out|; false for the null sender or one that does not fit. */
static bool policy_bare_address(const char *in, char *out, size_t out_len) {
    if (in == NULL) {
        return false;
    }
    while (*in == ' ' || *in == '\t') {
        in++;
    }
    size_t n = strlen(in);
    while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t')) {
        n--;
    }
    if (n >= 2 && in[0] == '<' && in[n - 1] == '>') {
        in++;
        n -= 2;
    }
    if (n == 0 || n >= out_len) {
        return false;
    }
    memcpy(out, in, n);
    out[n] = '\0';
    return true;
}

/* Our [domain] section for the domain of |address|, or NULL. */
static const cachetd_domain *policy_our_domain(const cachetd_config *cfg, const char *address) {
    char bare[CACHETD_NAME_MAX];
    if (!policy_bare_address(address, bare, sizeof(bare))) {
        return NULL;
    }
    return cachetd_config_domain(cfg, cachet_domsec_domain_of(bare));
}

cachetd_direction cachetd_policy_direction(const cachetd_config *cfg, const char *sender,
                                           const char *recipient) {
    bool from_us = policy_our_domain(cfg, sender) != NULL;
    bool to_us = policy_our_domain(cfg, recipient) != NULL;
    if (from_us && to_us) {
        return CACHETD_DIR_INTERNAL;
    }
    if (from_us) {
        return CACHETD_DIR_OUTBOUND;
    }
    return to_us ? CACHETD_DIR_INBOUND : CACHETD_DIR_FOREIGN;
}

static void policy_lower(char *s) {
    for (; *s != '\0'; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            *s = (char)(*s - 'A' + 'a');
        }
    }
}

void cachetd_policy_rcpt_class(const cachetd_config *cfg, const char *sender, const char *recipient,
                               char *out, size_t out_len) {
    if (out == NULL || out_len == 0) {
        return;
    }
    cachetd_direction d = cachetd_policy_direction(cfg, sender, recipient);
    if (d != CACHETD_DIR_OUTBOUND && d != CACHETD_DIR_INBOUND) {
        snprintf(out, out_len, "pass");
        return;
    }
    /* Inbound mail is split like outbound: one of our domains per transaction,
     * so that a domain's DCA key and policy never act for another domain's
     * recipients (ATTACKS OR-03, GW-13); per recipient with split = recipient,
     * the only way a recipient's own key is ever used (inbound.c). */
    const char *dir = d == CACHETD_DIR_INBOUND ? "in" : "out";
    char bare[CACHETD_NAME_MAX];
    if (!policy_bare_address(recipient, bare, sizeof(bare))) {
        snprintf(out, out_len, "pass"); /* unreachable: a direction needs a recipient */
        return;
    }
    /* Domains compare case-insensitively; the local part is kept as given. */
    char *at = strrchr(bare, '@');
    if (at != NULL) {
        policy_lower(at + 1);
    }
    if (cfg->split == CACHETD_SPLIT_RECIPIENT || at == NULL) {
        snprintf(out, out_len, "%s:%s", dir, bare);
    } else {
        size_t n = strlen(at + 1);
        if (n > 0 && at[n] == '.') {
            at[n] = '\0';
        }
        snprintf(out, out_len, "%s:%s", dir, at + 1);
    }
}

bool cachetd_policy_trusted_submitter(const cachetd_config *cfg, const char *auth_authen,
                                      const char *client_addr) {
    if (cfg == NULL) {
        return false;
    }
    if (cfg->trust_authenticated && auth_authen != NULL && auth_authen[0] != '\0') {
        return true;
    }
    if (client_addr == NULL || client_addr[0] == '\0') {
        return false;
    }
    for (size_t i = 0; i < cfg->num_trusted_networks && i < CACHETD_MAX_NETWORKS; i++) {
        if (cachetd_network_contains(&cfg->trusted_networks[i], client_addr)) {
            return true;
        }
    }
    return false;
}

/* Appends a sentence to the reason, "; "-separated. */
static void policy_note(cachetd_outbound_actions *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void policy_note(cachetd_outbound_actions *out, const char *fmt, ...) {
    size_t len = strlen(out->reason);
    if (len > 0 && len + 2 < sizeof(out->reason)) {
        memcpy(out->reason + len, "; ", 3);
        len += 2;
    }
    if (len + 1 >= sizeof(out->reason)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason + len, sizeof(out->reason) - len, fmt, ap);
    va_end(ap);
}

/* Ends the decision with |v| and a reason of its own (notes so far dropped). */
static void policy_stop(cachetd_outbound_actions *out, cachetd_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void policy_stop(cachetd_outbound_actions *out, cachetd_verdict v, const char *fmt, ...) {
    cachetd_outbound_actions zero = {0};
    *out = zero;
    out->verdict = v;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
    va_end(ap);
}

/* The recipients whose certificate fact is |which|, comma-separated, into |out|,
 * shortened with "and N more" when they do not all fit. */
static void policy_list(const cachetd_outbound_facts *f, cachetd_cert_fact which, char *out,
                        size_t out_len) {
    size_t len = 0, listed = 0, total = 0;
    out[0] = '\0';
    for (size_t i = 0; i < f->num_recipients; i++) {
        if (f->recipient_certs[i] != which) {
            continue;
        }
        total++;
        const char *r = f->recipients[i] != NULL ? f->recipients[i] : "";
        size_t need = strlen(r) + (listed > 0 ? 2 : 0);
        if (listed == total - 1 && len + need + 16 < out_len) {
            len += (size_t)snprintf(out + len, out_len - len, "%s%s", listed > 0 ? ", " : "", r);
            listed++;
        }
    }
    if (listed < total) {
        snprintf(out + len, out_len - len, "%sand %zu more", listed > 0 ? " " : "", total - listed);
    }
}

/* The encryption policy and missing-certificate action for one recipient. */
static void policy_for_recipient(const cachetd_config *cfg, const cachetd_domain *dom,
                                 const char *recipient, cachetd_encrypt_policy *enc,
                                 cachetd_missing_action *missing) {
    char bare[CACHETD_NAME_MAX];
    const cachetd_partner *p = NULL;
    if (policy_bare_address(recipient, bare, sizeof(bare))) {
        p = cachetd_config_partner(cfg, cachet_domsec_domain_of(bare));
    }
    *enc = p != NULL && p->has_encryption ? p->encryption : dom->encryption;
    *missing =
        p != NULL && p->has_missing_certificate ? p->missing_certificate : dom->missing_certificate;
}

/* The recipient domain of the class, lower case, into |out|. */
static void policy_rcpt_domain(const cachetd_outbound_facts *f, char *out, size_t out_len) {
    char bare[CACHETD_NAME_MAX];
    const char *d = NULL;
    if (policy_bare_address(f->recipients[0], bare, sizeof(bare))) {
        d = cachet_domsec_domain_of(bare);
    }
    snprintf(out, out_len, "%s", d != NULL ? d : "the recipient domain");
    policy_lower(out);
}

static void policy_sign(const cachetd_domain *dom, const cachetd_outbound_facts *f,
                        cachetd_outbound_actions *out) {
    if (dom->signing == CACHETD_SIGN_NONE) {
        policy_note(out, "not signed: signing = none for %s", dom->name);
        return;
    }
    if (!f->trusted_submitter) {
        policy_note(out, "not domain-signed: submitter not authenticated (RFC 3183 section 3.2)");
        return;
    }
    if (dom->signing == CACHETD_SIGN_USER && f->sender_key) {
        out->sign = CACHETD_SIGN_ACTION_USER;
        return;
    }
    if (f->domain_key) {
        out->sign = CACHETD_SIGN_ACTION_DOMAIN;
        return;
    }
    policy_stop(out, CACHETD_TEMPFAIL,
                "signing key of " CACHET_DOMSEC_DSA_LOCAL "@%s is not loaded%s; will retry",
                dom->name,
                dom->signing == CACHETD_SIGN_USER ? " and the sender has no key of its own" : "");
}

/* The encryption decision for a message we may encrypt (not already enveloped,
 * or unwrapped). Returns false when it ended the decision. */
static bool policy_encrypt(const cachetd_outbound_facts *f, const char *rdomain,
                           cachetd_encrypt_policy enc, cachetd_missing_action missing,
                           cachetd_outbound_actions *out) {
    char names[160];
    if (enc == CACHETD_ENCRYPT_NEVER) {
        policy_note(out, "sent unencrypted: encryption = never for %s", rdomain);
        return true;
    }
    size_t found = 0, failed = 0;
    for (size_t i = 0; i < f->num_recipients; i++) {
        found += f->recipient_certs[i] == CACHETD_CERT_FOUND;
        failed += f->recipient_certs[i] == CACHETD_CERT_LOOKUP_FAILED;
    }
    if (failed > 0) {
        policy_list(f, CACHETD_CERT_LOOKUP_FAILED, names, sizeof(names));
        policy_stop(out, CACHETD_TEMPFAIL, "certificate lookup failed for %s; will retry", names);
        return false;
    }
    if (found == f->num_recipients) {
        out->encrypt = CACHETD_ENCRYPT_ACTION_RECIPIENTS;
        return true;
    }
    if (f->dca_cert == CACHETD_CERT_FOUND) {
        out->encrypt = CACHETD_ENCRYPT_ACTION_DCA;
        return true;
    }
    if (f->dca_cert == CACHETD_CERT_LOOKUP_FAILED) {
        policy_stop(out, CACHETD_TEMPFAIL,
                    "certificate lookup failed for " CACHET_DOMSEC_DCA_LOCAL "@%s; will retry",
                    rdomain);
        return false;
    }
    policy_list(f, CACHETD_CERT_NONE, names, sizeof(names));
    if (enc == CACHETD_ENCRYPT_REQUIRED) {
        /* GW-04: never plain. */
        policy_stop(out, missing == CACHETD_MISSING_REJECT ? CACHETD_REJECT : CACHETD_TEMPFAIL,
                    "encryption to %s is required but there is no certificate for %s nor for "
                    "domain-confidentiality-authority@%s%s",
                    rdomain, names, rdomain,
                    missing == CACHETD_MISSING_REJECT ? "" : "; will retry");
        return false;
    }
    policy_note(out,
                "sent unencrypted: no certificate for %s and no "
                "domain-confidentiality-authority for %s",
                names, rdomain);
    return true;
}

/* Would the encryption decision encrypt (or stop)? Used before unwrapping. */
static bool policy_would_encrypt(const cachetd_outbound_facts *f, cachetd_encrypt_policy enc) {
    if (enc == CACHETD_ENCRYPT_NEVER) {
        return false;
    }
    if (enc == CACHETD_ENCRYPT_REQUIRED) {
        return true;
    }
    bool all = true;
    for (size_t i = 0; i < f->num_recipients; i++) {
        if (f->recipient_certs[i] == CACHETD_CERT_LOOKUP_FAILED) {
            return true; /* ends in TEMPFAIL, not in plain */
        }
        all = all && f->recipient_certs[i] == CACHETD_CERT_FOUND;
    }
    return all || f->dca_cert != CACHETD_CERT_NONE;
}

void cachetd_policy_outbound(const cachetd_config *cfg, const cachetd_domain *dom,
                             const cachetd_outbound_facts *facts, cachetd_outbound_actions *out) {
    cachetd_outbound_actions zero = {0};
    *out = zero;
    if (cfg == NULL || dom == NULL || facts == NULL || facts->num_recipients == 0 ||
        facts->recipients == NULL || facts->recipient_certs == NULL) {
        policy_stop(out, CACHETD_TEMPFAIL, "internal error: outbound policy without %s",
                    dom == NULL ? "a domain" : "recipients");
        return;
    }
    cachetd_encrypt_policy enc = CACHETD_ENCRYPT_OPPORTUNISTIC;
    cachetd_missing_action missing = CACHETD_MISSING_TEMPFAIL;
    for (size_t i = 0; i < facts->num_recipients; i++) {
        cachetd_encrypt_policy e = CACHETD_ENCRYPT_OPPORTUNISTIC;
        cachetd_missing_action m = CACHETD_MISSING_TEMPFAIL;
        policy_for_recipient(cfg, dom, facts->recipients[i], &e, &m);
        if (i > 0 && (e != enc || m != missing)) {
            policy_stop(out, CACHETD_TEMPFAIL,
                        "internal error: recipients with different encryption policies in one "
                        "transaction");
            return;
        }
        enc = e;
        missing = m;
    }
    char rdomain[CACHETD_NAME_MAX];
    policy_rcpt_domain(facts, rdomain, sizeof(rdomain));

    policy_sign(dom, facts, out);
    if (out->verdict != CACHETD_CONTINUE) {
        return;
    }
    bool signing = out->sign != CACHETD_SIGN_ACTION_NONE;
    bool may_encrypt = true;
    if (facts->message_encrypted) {
        if (facts->own_dca_in_message && signing && policy_would_encrypt(facts, enc)) {
            out->unwrap_for_domain_signature = true;
            policy_note(out, "encrypted to our domain-confidentiality-authority: decrypted, "
                             "signed and encrypted again (RFC 3183 section 5)");
        } else {
            may_encrypt = false;
            if (!signing) {
                policy_note(out, "already encrypted: passed on as it is");
            } else {
                /* §3.2: a domain signature vouches for every signature present,
                 * "including those that have been encrypted"; these cannot be
                 * seen, so none is added (nor a signature over ciphertext, GW-03). */
                out->sign = CACHETD_SIGN_ACTION_NONE;
                policy_note(out,
                            "already encrypted and not opened here%s: not signed, since the "
                            "signatures inside cannot be verified (RFC 3183 section 3.2); "
                            "passed on as it is",
                            facts->own_dca_in_message
                                ? " (for our domain-confidentiality-authority, but with nothing to "
                                  "encrypt to again)"
                                : " (not for our domain-confidentiality-authority)");
            }
        }
    }
    if (may_encrypt && !policy_encrypt(facts, rdomain, enc, missing, out)) {
        return;
    }
    if (out->sign == CACHETD_SIGN_ACTION_DOMAIN) {
        out->empty_layer = dom->empty_signature_layer && !facts->message_signed;
        out->attributes_signature = dom->attributes_signature;
        out->review_signature = dom->review_signature;
    }
}

void cachetd_policy_inbound(const cachetd_config *cfg, const cachetd_domain *dom,
                            const char *sender, cachetd_inbound_actions *out) {
    cachetd_inbound_actions zero = {0};
    *out = zero;
    out->name_mapping = CACHET_DOMSEC_MAPPING_ASCENDANT;
    if (dom != NULL) {
        out->decrypt = dom->decrypt;
        out->verify = dom->verify;
        /* Certificates are harvested only from signatures that were verified. */
        out->harvest = dom->harvest && dom->verify;
    }
    char bare[CACHETD_NAME_MAX];
    if (cfg != NULL && policy_bare_address(sender, bare, sizeof(bare))) {
        out->partner = cachetd_config_partner(cfg, cachet_domsec_domain_of(bare));
    }
    if (out->partner != NULL) {
        out->name_mapping = out->partner->name_mapping;
    }
}

cachetd_delivery cachetd_policy_inbound_result(const cachetd_domain *dom,
                                               const cachetd_inbound_actions *in,
                                               cachetd_inbound_outcome outcome,
                                               bool domain_or_originator_ok) {
    cachetd_failure_action on_failure = dom != NULL ? dom->on_failure : CACHETD_FAILURE_DELIVER;
    bool required = in != NULL && in->partner != NULL && in->partner->require_signature;
    if (required) {
        if (outcome == CACHETD_IN_PASS && domain_or_originator_ok) {
            return CACHETD_DELIVER;
        }
        return on_failure == CACHETD_FAILURE_REJECT ? CACHETD_REJECT_MESSAGE : CACHETD_QUARANTINE;
    }
    if (outcome == CACHETD_IN_PLAIN || outcome == CACHETD_IN_PASS) {
        return CACHETD_DELIVER;
    }
    switch (on_failure) {
        case CACHETD_FAILURE_DELIVER:
            return CACHETD_DELIVER;
        case CACHETD_FAILURE_QUARANTINE:
            return CACHETD_QUARANTINE;
        case CACHETD_FAILURE_REJECT:
            return CACHETD_REJECT_MESSAGE;
    }
    return CACHETD_QUARANTINE;
}
