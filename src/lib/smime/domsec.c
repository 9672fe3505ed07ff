/* domsec: RFC 3183 §3.1.1 naming conventions and name mapping, and the
 * classification of every signer of a verified message (ATTACKS GW-01).
 *
 * Choices the RFC leaves open, made here:
 * - Several SignatureType values other than addAttribSig (§3.1.2 allows them,
 *   e.g. domainSig + reviewSig) are named by the most significant one: domain
 *   if set, else review. The signer must then carry that name.
 * - addAttribSig together with any other value is flagged (§3.3: "Other Object
 *   Identifiers MUST NOT be included"); so is an empty SignatureType and any
 *   value this version does not know.
 * - A certificate with a reserved name (CN or address local part, the DCA's
 *   included) but no DOMSEC SignatureType is flagged: a reserved name must not
 *   pass as an ordinary originator, and an authority's signature whose type was
 *   moved to the unsigned attributes (GW-01 g) is exactly that.
 * - The name mapping is checked on the certificate's RFC 822 addresses only; a
 *   domain signer without any address is flagged (the X.500 / RFC 2247 domain
 *   part of the subject is not interpreted). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cachet/domsec.h>

#include "cms/signed.h"
#include "mime/mime.h"
#include "smime/internal.h"

const char *cachet_domsec_domain_of(const char *address) {
    if (address == NULL) {
        return NULL;
    }
    const char *at = strrchr(address, '@');
    if (at == NULL || at[1] == '\0') {
        return NULL;
    }
    return at + 1;
}

/* A domain without its trailing dot, checked label by label (no empty label):
 * |*len| receives the significant length. */
static bool domsec_domain_span(const char *d, size_t *len) {
    size_t n = strlen(d);
    if (n > 0 && d[n - 1] == '.') {
        n--;
    }
    if (n == 0 || d[0] == '.') {
        return false;
    }
    for (size_t i = 1; i < n; i++) {
        if (d[i] == '.' && d[i - 1] == '.') {
            return false;
        }
    }
    if (d[n - 1] == '.') {
        return false;
    }
    *len = n;
    return true;
}

bool cachet_domsec_is_ascendant(const char *authority, const char *domain, bool exact) {
    size_t la = 0, ld = 0;
    if (authority == NULL || domain == NULL || !domsec_domain_span(authority, &la) ||
        !domsec_domain_span(domain, &ld)) {
        return false;
    }
    if (la == ld) {
        return strncasecmp(authority, domain, la) == 0;
    }
    if (exact || la > ld || memchr(authority, '.', la) == NULL) {
        /* A single label ("com", "example") would ascend a whole namespace that no
         * one authority represents. */
        return false;
    }
    const char *tail = domain + (ld - la);
    return tail[-1] == '.' && strncasecmp(tail, authority, la) == 0;
}

bool cachet_domsec_authority_address(char *out, size_t out_len, const char *local,
                                     const char *domain) {
    size_t ld = 0;
    if (out == NULL || out_len == 0 || local == NULL || local[0] == '\0' || domain == NULL ||
        !domsec_domain_span(domain, &ld)) {
        return false;
    }
    size_t ll = strlen(local);
    if (ll + 1 + ld + 1 > out_len) {
        out[0] = '\0';
        return false;
    }
    memcpy(out, local, ll);
    out[ll] = '@';
    for (size_t i = 0; i < ld; i++) {
        char c = domain[i];
        out[ll + 1 + i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[ll + 1 + ld] = '\0';
    return true;
}

const char *cachet_domsec_role_name(cachet_domsec_role r) {
    switch (r) {
        case CACHET_DOMSEC_ROLE_ORIGINATOR:
            return "originator";
        case CACHET_DOMSEC_ROLE_DOMAIN:
            return "domain";
        case CACHET_DOMSEC_ROLE_REVIEW:
            return "review";
        case CACHET_DOMSEC_ROLE_ATTRIBUTES:
            return "attributes";
        case CACHET_DOMSEC_ROLE_FLAGGED:
            return "flagged";
    }
    return "flagged";
}

/* The local part of |address| equals |name| (ASCII case-insensitive). */
static bool domsec_local_is(const char *address, const char *name) {
    const char *at = address != NULL ? strrchr(address, '@') : NULL;
    if (at == NULL) {
        return false;
    }
    size_t n = strlen(name);
    return (size_t)(at - address) == n && strncasecmp(address, name, n) == 0;
}

static const char *const domsec_reserved[] = {CACHET_DOMSEC_DSA_LOCAL, CACHET_DOMSEC_RA_LOCAL,
                                              CACHET_DOMSEC_AA_LOCAL, CACHET_DOMSEC_DCA_LOCAL};

/* The reserved name the certificate uses (CN or any address local part), or NULL. */
static const char *domsec_reserved_name(const cachet_signer_report *s) {
    for (size_t r = 0; r < sizeof(domsec_reserved) / sizeof(domsec_reserved[0]); r++) {
        if (s->num_common_names >= 1 && strcasecmp(s->common_name, domsec_reserved[r]) == 0) {
            return domsec_reserved[r];
        }
        for (size_t i = 0; i < s->num_emails; i++) {
            if (domsec_local_is(s->emails[i], domsec_reserved[r])) {
                return domsec_reserved[r];
            }
        }
    }
    return NULL;
}

static void domsec_flag(cachet_domsec_signer_class *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void domsec_flag(cachet_domsec_signer_class *out, const char *fmt, ...) {
    out->role = CACHET_DOMSEC_ROLE_FLAGGED;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->why, sizeof(out->why), fmt, ap);
    va_end(ap);
}

static void domsec_copy(char *dst, size_t len, const char *src) {
    snprintf(dst, len, "%s", src != NULL ? src : "");
}

/* §3.1.1 naming for a DOMSEC signature whose convention is |name|: one CN,
 * the reserved name, and the reserved local part on every address. */
static bool domsec_naming(const cachet_signer_report *s, const char *name, const char *type_name,
                          cachet_domsec_signer_class *out) {
    if (s->num_common_names != 1) {
        domsec_flag(out,
                    "the %s signature needs exactly one CN '%s' (RFC 3183 section 3.1.1); the "
                    "certificate has %zu",
                    type_name, name, s->num_common_names);
        return false;
    }
    if (strcasecmp(s->common_name, name) != 0) {
        domsec_flag(out,
                    "the %s signature must be made by CN '%s' (RFC 3183 section 3.1.1), not '%s'",
                    type_name, name, s->common_name);
        return false;
    }
    for (size_t i = 0; i < s->num_emails; i++) {
        if (!domsec_local_is(s->emails[i], name)) {
            domsec_flag(out,
                        "certificate address %s does not have the local part '%s' that %s "
                        "requires (RFC 3183 section 3.1.1)",
                        s->emails[i], name, type_name);
            return false;
        }
    }
    return true;
}

/* §3.1.1 name mapping of a domain signer against the originator |from|. */
static bool domsec_mapping(const cachet_signer_report *s, const char *from,
                           cachet_domsec_mapping mapping, cachet_domsec_signer_class *out) {
    const char *from_domain = cachet_domsec_domain_of(from);
    if (s->num_emails == 0) {
        domsec_flag(out,
                    "domain signer '%s' has no RFC 822 address to check the name mapping "
                    "against the originator %s (RFC 3183 section 3.1.1)",
                    s->subject, from != NULL ? from : "");
        return false;
    }
    if (from_domain == NULL) {
        domsec_flag(out,
                    "no originator address to check the name mapping of %s against "
                    "(RFC 3183 section 3.1.1)",
                    s->emails[0]);
        return false;
    }
    for (size_t i = 0; i < s->num_emails; i++) {
        const char *d = cachet_domsec_domain_of(s->emails[i]);
        bool exact = mapping == CACHET_DOMSEC_MAPPING_EXACT;
        if (d == NULL || !cachet_domsec_is_ascendant(d, from_domain, exact)) {
            if (exact) {
                domsec_flag(out, "%s is not the originator's domain %s (exact name mapping)",
                            s->emails[i], from_domain);
            } else {
                domsec_flag(out,
                            "%s is not the originator's domain %s or an ascendant of it "
                            "(RFC 3183 section 3.1.1)",
                            s->emails[i], from_domain);
            }
            return false;
        }
    }
    return true;
}

/* §3.1.1 for a DOMSEC signature; the name mapping only with |from_known| (the
 * signing side has no originator yet). */
static void domsec_check_named(const cachet_signer_report *s, const char *from, bool from_known,
                               cachet_domsec_mapping mapping, const char *name,
                               const char *type_name, cachet_domsec_role role,
                               cachet_domsec_signer_class *out) {
    if (!domsec_naming(s, name, type_name, out)) {
        return;
    }
    if (role == CACHET_DOMSEC_ROLE_DOMAIN && from_known && !domsec_mapping(s, from, mapping, out)) {
        return;
    }
    out->role = role;
}

/* The classification of |signer|; |from_known| false skips the name mapping. */
/* The signer's certificate holds the From address. */
static bool domsec_holds_from(const cachet_signer_report *s, const char *from) {
    if (s->address_match != -1) {
        return s->address_match == 1;
    }
    for (size_t i = 0; i < s->num_emails; i++) {
        if (cachet_mime_addr_equal(s->emails[i], from)) {
            return true;
        }
    }
    return false;
}

static void domsec_classify(const cachet_signer_report *signer, const char *from, bool from_known,
                            cachet_domsec_mapping mapping, cachet_domsec_signer_class *out) {
    memset(out, 0, sizeof(*out));
    out->signer = signer;
    out->role = CACHET_DOMSEC_ROLE_FLAGGED;
    if (signer == NULL) {
        domsec_copy(out->why, sizeof(out->why), "no signer");
        return;
    }
    out->valid = signer->signature_valid && signer->chain == CACHET_CHAIN_TRUSTED;
    if (signer->num_emails > 0) { /* emails has num_emails entries, as everywhere here */
        domsec_copy(out->address, sizeof(out->address), signer->emails[0]);
    }
    unsigned t = signer->has_signature_type ? signer->signature_types : 0;
    const unsigned known = CACHET_SIGTYPE_ORIGINATOR | CACHET_SIGTYPE_DOMAIN |
                           CACHET_SIGTYPE_ADD_ATTRIB | CACHET_SIGTYPE_REVIEW;
    if (signer->has_signature_type && t == 0) {
        domsec_flag(out,
                    "the SignatureType attribute names no signature type (RFC 3183 section 3.1.2)");
        return;
    }
    if ((t & ~known) != 0) {
        domsec_flag(out, "the SignatureType attribute carries a signature type this version "
                         "does not know (RFC 3183 section 3.1.2)");
        return;
    }
    if ((t & CACHET_SIGTYPE_ADD_ATTRIB) != 0 && t != CACHET_SIGTYPE_ADD_ATTRIB) {
        domsec_flag(out,
                    "addAttribSig must be the only SignatureType value (RFC 3183 section 3.3)");
        return;
    }
    if ((t & CACHET_SIGTYPE_DOMAIN) != 0) {
        domsec_check_named(signer, from, from_known, mapping, CACHET_DOMSEC_DSA_LOCAL, "domainSig",
                           CACHET_DOMSEC_ROLE_DOMAIN, out);
        return;
    }
    if ((t & CACHET_SIGTYPE_REVIEW) != 0) {
        domsec_check_named(signer, from, from_known, mapping, CACHET_DOMSEC_RA_LOCAL, "reviewSig",
                           CACHET_DOMSEC_ROLE_REVIEW, out);
        return;
    }
    if (t == CACHET_SIGTYPE_ADD_ATTRIB) {
        domsec_check_named(signer, from, from_known, mapping, CACHET_DOMSEC_AA_LOCAL,
                           "addAttribSig", CACHET_DOMSEC_ROLE_ATTRIBUTES, out);
        return;
    }
    /* originatorSig or no SignatureType: an ordinary signer, unless it wears a
     * reserved name. */
    const char *reserved = domsec_reserved_name(signer);
    if (reserved != NULL) {
        domsec_flag(out,
                    "the certificate is named '%s' but the signature %s (RFC 3183 section 3.1.1, "
                    "section 3.1.2)",
                    reserved,
                    signer->has_signature_type ? "is typed originatorSig"
                                               : "has no signed SignatureType attribute");
        return;
    }
    out->role = CACHET_DOMSEC_ROLE_ORIGINATOR;
    out->holds_from = from != NULL && from[0] != '\0' && domsec_holds_from(signer, from);
}

void cachet_domsec_classify_signer(const cachet_signer_report *signer, const char *from,
                                   cachet_domsec_mapping mapping, cachet_domsec_signer_class *out) {
    domsec_classify(signer, from, true, mapping, out);
}

void cachet_domsec_evaluate(const cachet_report *report, const char *from,
                            cachet_domsec_mapping mapping, cachet_domsec_result *out) {
    memset(out, 0, sizeof(*out));
    if (report == NULL) {
        return;
    }
    if (from == NULL || from[0] == '\0') {
        from = report->from;
    }
    const size_t cap = sizeof(out->signers) / sizeof(out->signers[0]);
    const cachet_domsec_signer_class *first_originator = NULL;
    for (size_t l = 0; l < report->num_layers; l++) {
        const cachet_layer_report *layer = &report->layers[l];
        if (layer->type != CACHET_LAYER_SIGNED) {
            continue;
        }
        for (size_t i = 0; i < layer->num_signers; i++) {
            if (out->num_signers == cap) {
                /* Beyond what is classified nothing may count in the message's favour. */
                out->any_flagged = true;
                continue;
            }
            cachet_domsec_signer_class *c = &out->signers[out->num_signers++];
            cachet_domsec_classify_signer(&layer->signers[i], from, mapping, c);
            c->layer = l;
            switch (c->role) {
                case CACHET_DOMSEC_ROLE_FLAGGED:
                    out->any_flagged = true;
                    break;
                case CACHET_DOMSEC_ROLE_DOMAIN:
                    if (c->valid && !out->domain_ok) {
                        out->domain_ok = true;
                        out->domain = c;
                    }
                    break;
                case CACHET_DOMSEC_ROLE_ORIGINATOR:
                    if (first_originator == NULL) {
                        first_originator = c;
                    }
                    if (c->valid && !out->originator_ok && c->holds_from) {
                        out->originator_ok = true;
                        out->originator = c;
                    }
                    break;
                case CACHET_DOMSEC_ROLE_REVIEW:
                case CACHET_DOMSEC_ROLE_ATTRIBUTES:
                    /* §3.3, §3.4: never authenticates the originator. */
                    break;
            }
        }
    }
    if (out->originator == NULL) {
        out->originator = first_originator;
    }
}

cachet_status cachet_domsec_check_signer(const cachet_credential *cred, unsigned types,
                                         cachet_error *err) {
    if (types == 0) {
        return CACHET_OK;
    }
    if (cred == NULL || cred->cert == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "signer", -1,
                              "a signature type needs a signer certificate to check");
    }
    char detail[160];
    if (!cachet_cms_sigtype_check(types, detail, sizeof(detail))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "signature type", -1, "%s", detail);
    }
    /* The certificate seen as the verifier will see it, so that both sides
     * apply one rule. */
    cachet_signer_report rep;
    memset(&rep, 0, sizeof(rep));
    cachet_cert_subject(cred->cert, rep.subject, sizeof(rep.subject));
    rep.num_common_names =
        cachet_cert_common_name(cred->cert, rep.common_name, sizeof(rep.common_name));
    rep.num_emails = cachet_cert_emails(cred->cert, &rep.emails);
    rep.has_signature_type = true;
    rep.signature_types = types;
    rep.signature_valid = true;
    rep.address_match = -1;
    cachet_domsec_signer_class cls;
    domsec_classify(&rep, NULL, false, CACHET_DOMSEC_MAPPING_ASCENDANT, &cls);
    if (cls.role == CACHET_DOMSEC_ROLE_DOMAIN && rep.num_emails == 0) {
        domsec_flag(&cls,
                    "a domain signature's certificate needs an RFC 822 address "
                    "(" CACHET_DOMSEC_DSA_LOCAL "@DOMAIN) for the name mapping (RFC 3183 "
                    "section 3.1.1); '%s' has none",
                    rep.subject);
    }
    cachet_cert_emails_free(rep.emails, rep.num_emails);
    if (cls.role == CACHET_DOMSEC_ROLE_FLAGGED) {
        return cachet_err_set(err, CACHET_ERR_POLICY, "signer certificate", -1,
                              "%s; the receiver would flag this signature", cls.why);
    }
    return CACHET_OK;
}
