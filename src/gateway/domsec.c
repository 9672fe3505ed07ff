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

#include "gateway/domsec.h"
#include "mime/mime.h"

const char *cachetd_domain_of(const char *address) {
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

bool cachetd_domain_is_ascendant(const char *authority, const char *domain, bool exact) {
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

bool cachetd_authority_address(char *out, size_t out_len, const char *local, const char *domain) {
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

const char *cachetd_signer_role_name(cachetd_signer_role r) {
    switch (r) {
        case CACHETD_ROLE_ORIGINATOR:
            return "originator";
        case CACHETD_ROLE_DOMAIN:
            return "domain";
        case CACHETD_ROLE_REVIEW:
            return "review";
        case CACHETD_ROLE_ATTRIBUTES:
            return "attributes";
        case CACHETD_ROLE_FLAGGED:
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

static const char *const domsec_reserved[] = {CACHETD_DSA_LOCAL, CACHETD_RA_LOCAL, CACHETD_AA_LOCAL,
                                              CACHETD_DCA_LOCAL};

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

static void domsec_flag(cachetd_signer_class *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void domsec_flag(cachetd_signer_class *out, const char *fmt, ...) {
    out->role = CACHETD_ROLE_FLAGGED;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->why, sizeof(out->why), fmt, ap);
    va_end(ap);
}

static void domsec_copy(char *dst, size_t len, const char *src) {
    snprintf(dst, len, "%s", src != NULL ? src : "");
}

/* §3.1.1 for a DOMSEC signature whose convention is |name|. */
static void domsec_check_named(const cachet_signer_report *s, const char *from,
                               cachetd_name_mapping mapping, const char *name,
                               const char *type_name, cachetd_signer_role role,
                               cachetd_signer_class *out) {
    if (s->num_common_names != 1) {
        domsec_flag(out,
                    "the %s signature needs exactly one CN '%s' (RFC 3183 section 3.1.1); the "
                    "certificate has %zu",
                    type_name, name, s->num_common_names);
        return;
    }
    if (strcasecmp(s->common_name, name) != 0) {
        domsec_flag(out,
                    "the %s signature must be made by CN '%s' (RFC 3183 section 3.1.1), not '%s'",
                    type_name, name, s->common_name);
        return;
    }
    for (size_t i = 0; i < s->num_emails; i++) {
        if (!domsec_local_is(s->emails[i], name)) {
            domsec_flag(out,
                        "certificate address %s does not have the local part '%s' that %s "
                        "requires (RFC 3183 section 3.1.1)",
                        s->emails[i], name, type_name);
            return;
        }
    }
    if (role == CACHETD_ROLE_DOMAIN) {
        const char *from_domain = cachetd_domain_of(from);
        if (s->num_emails == 0) {
            domsec_flag(out,
                        "domain signer '%s' has no RFC 822 address to check the name mapping "
                        "against the originator %s (RFC 3183 section 3.1.1)",
                        s->subject, from != NULL ? from : "");
            return;
        }
        if (from_domain == NULL) {
            domsec_flag(out,
                        "no originator address to check the name mapping of %s against "
                        "(RFC 3183 section 3.1.1)",
                        s->emails[0]);
            return;
        }
        for (size_t i = 0; i < s->num_emails; i++) {
            const char *d = cachetd_domain_of(s->emails[i]);
            bool exact = mapping == CACHETD_MAPPING_EXACT;
            if (d == NULL || !cachetd_domain_is_ascendant(d, from_domain, exact)) {
                if (exact) {
                    domsec_flag(out, "%s is not the originator's domain %s (exact name mapping)",
                                s->emails[i], from_domain);
                } else {
                    domsec_flag(out,
                                "%s is not the originator's domain %s or an ascendant of it "
                                "(RFC 3183 section 3.1.1)",
                                s->emails[i], from_domain);
                }
                return;
            }
        }
    }
    out->role = role;
}

void cachetd_classify_signer(const cachet_signer_report *signer, const char *from,
                             cachetd_name_mapping mapping, cachetd_signer_class *out) {
    memset(out, 0, sizeof(*out));
    out->signer = signer;
    out->role = CACHETD_ROLE_FLAGGED;
    if (signer == NULL) {
        domsec_copy(out->why, sizeof(out->why), "no signer");
        return;
    }
    out->valid = signer->signature_valid && signer->chain == CACHET_CHAIN_TRUSTED;
    if (signer->num_emails > 0 && signer->emails != NULL) {
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
        domsec_flag(out, "the SignatureType attribute carries a signature type this gateway "
                         "does not know (RFC 3183 section 3.1.2)");
        return;
    }
    if ((t & CACHET_SIGTYPE_ADD_ATTRIB) != 0 && t != CACHET_SIGTYPE_ADD_ATTRIB) {
        domsec_flag(out,
                    "addAttribSig must be the only SignatureType value (RFC 3183 section 3.3)");
        return;
    }
    if ((t & CACHET_SIGTYPE_DOMAIN) != 0) {
        domsec_check_named(signer, from, mapping, CACHETD_DSA_LOCAL, "domainSig",
                           CACHETD_ROLE_DOMAIN, out);
        return;
    }
    if ((t & CACHET_SIGTYPE_REVIEW) != 0) {
        domsec_check_named(signer, from, mapping, CACHETD_RA_LOCAL, "reviewSig",
                           CACHETD_ROLE_REVIEW, out);
        return;
    }
    if (t == CACHET_SIGTYPE_ADD_ATTRIB) {
        domsec_check_named(signer, from, mapping, CACHETD_AA_LOCAL, "addAttribSig",
                           CACHETD_ROLE_ATTRIBUTES, out);
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
    out->role = CACHETD_ROLE_ORIGINATOR;
}

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

void cachetd_domsec_evaluate(const cachet_report *report, const char *from,
                             cachetd_name_mapping mapping, cachetd_domsec_result *out) {
    memset(out, 0, sizeof(*out));
    if (report == NULL) {
        return;
    }
    if (from == NULL || from[0] == '\0') {
        from = report->from;
    }
    const size_t cap = sizeof(out->signers) / sizeof(out->signers[0]);
    const cachetd_signer_class *first_originator = NULL;
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
            cachetd_signer_class *c = &out->signers[out->num_signers++];
            cachetd_classify_signer(&layer->signers[i], from, mapping, c);
            c->layer = l;
            switch (c->role) {
                case CACHETD_ROLE_FLAGGED:
                    out->any_flagged = true;
                    break;
                case CACHETD_ROLE_DOMAIN:
                    if (c->valid && !out->domain_ok) {
                        out->domain_ok = true;
                        out->domain = c;
                    }
                    break;
                case CACHETD_ROLE_ORIGINATOR:
                    if (first_originator == NULL) {
                        first_originator = c;
                    }
                    if (c->valid && !out->originator_ok && from != NULL && from[0] != '\0' &&
                        domsec_holds_from(c->signer, from)) {
                        out->originator_ok = true;
                        out->originator = c;
                    }
                    break;
                case CACHETD_ROLE_REVIEW:
                case CACHETD_ROLE_ATTRIBUTES:
                    /* §3.3, §3.4: never authenticates the originator. */
                    break;
            }
        }
    }
    if (out->originator == NULL) {
        out->originator = first_originator;
    }
}
