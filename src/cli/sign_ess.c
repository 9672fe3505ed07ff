/* cli/sign_ess.c: the ESS and CAdES options of `cachet sign`, parsed into
 * cachet_sign_opts. cmd_sign.c calls (declare it there or in cli.h):
 *
 *   bool cachet_cli_sign_ess_opts(const cachet_cli_opts *o, cachet_sign_opts *so,
 *                                 cachet_error *err);
 *
 * It reads --security-label SPEC, --equivalent-label SPEC (repeatable),
 * --content-hint TEXT, --signing-certificate-v1 and --signature-policy
 * OID:DIGEST:HEX into |so| and leaves its other fields alone. What |so| then
 * points to lives in this file's static storage until the next call (one
 * signing per process). False with |err| (CACHET_ERR_USAGE, the option as the
 * where) on a malformed value.
 *
 * A label SPEC is comma-separated KEY=VALUE items (see cachet(1), "SECURITY
 * LABELS"): policy=OID (required), class=N|NAME (0..256 or unmarked,
 * unclassified, restricted, confidential, secret, top-secret), category=OID:HEX
 * (the DER of the value, repeatable), and mark=TEXT, which must come last and
 * takes the rest of the SPEC, commas included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_LABELS 17 /* the label and 16 equivalents (the library's bound) */
#define MAX_SPEC 4096
#define MAX_CATS 16

static struct {
    cachet_security_label labels[MAX_LABELS];
    cachet_security_category cats[MAX_LABELS][MAX_CATS];
    char specs[MAX_LABELS][MAX_SPEC];
    uint8_t policy_hash[64];
} g_ess;

static bool usage(cachet_error *err, const char *opt, const char *fmt, const char *arg)
    __attribute__((format(printf, 3, 0)));

static bool usage(cachet_error *err, const char *opt, const char *fmt, const char *arg) {
    err->status = CACHET_ERR_USAGE;
    err->offset = -1;
    snprintf(err->where, sizeof(err->where), "%s", opt);
    snprintf(err->message, sizeof(err->message), fmt, arg);
    return false;
}

static bool parse_class(const char *v, int *out) {
    static const char *names[] = {"unmarked",     "unclassified", "restricted",
                                  "confidential", "secret",       "top-secret"};
    for (int i = 0; i < 6; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return true;
        }
    }
    char *end = NULL;
    if (*v < '0' || *v > '9') {
        return false;
    }
    long n = strtol(v, &end, 10);
    if (*end != '\0' || n < 0 || n > 256) {
        return false;
    }
    *out = (int)n;
    return true;
}

/* parse_label fills labels[k] from |spec| (copied into specs[k] and cut there). */
static bool parse_label(const char *spec, size_t k, const char *opt, cachet_error *err) {
    cachet_security_label *l = &g_ess.labels[k];
    char *s = g_ess.specs[k];
    memset(l, 0, sizeof(*l));
    l->classification = -1;
    l->categories = g_ess.cats[k];
    if (strlen(spec) >= MAX_SPEC) {
        return usage(err, opt, "the label SPEC is over 4095 bytes%s", "");
    }
    snprintf(s, MAX_SPEC, "%s", spec);
    while (*s != '\0') {
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            return usage(err, opt, "\"%s\" is not KEY=VALUE (policy=, class=, category=, mark=)",
                         s);
        }
        *eq = '\0';
        char *v = eq + 1;
        if (strcmp(s, "mark") == 0) {
            /* the rest of the SPEC, commas included */
            if (*v == '\0' || strlen(v) >= sizeof(l->privacy_mark)) {
                return usage(err, opt, "mark= takes 1..255 bytes%s", "");
            }
            snprintf(l->privacy_mark, sizeof(l->privacy_mark), "%s", v);
            break;
        }
        char *comma = strchr(v, ',');
        char *next = comma != NULL ? comma + 1 : v + strlen(v);
        if (comma != NULL) {
            *comma = '\0';
        }
        if (strcmp(s, "policy") == 0) {
            if (l->policy[0] != '\0' || strlen(v) >= sizeof(l->policy)) {
                return usage(err, opt, "policy= given twice or too long: %s", v);
            }
            snprintf(l->policy, sizeof(l->policy), "%s", v);
        } else if (strcmp(s, "class") == 0) {
            if (l->classification >= 0 || !parse_class(v, &l->classification)) {
                return usage(err, opt,
                             "class=%s: give it once, as 0..256 or unmarked, unclassified, "
                             "restricted, confidential, secret, top-secret",
                             v);
            }
        } else if (strcmp(s, "category") == 0) {
            char *colon = strchr(v, ':');
            if (colon == NULL || l->num_categories == MAX_CATS ||
                (size_t)(colon - v) >= sizeof(l->categories[0].type)) {
                return usage(err, opt, "category=%s is not OID:HEXDER (at most 16 per label)", v);
            }
            cachet_security_category *c = &l->categories[l->num_categories++];
            *colon = '\0';
            snprintf(c->type, sizeof(c->type), "%s", v);
            c->value_hex = colon + 1;
        } else {
            return usage(err, opt, "unknown label item \"%s\" (policy, class, category, mark)", s);
        }
        s = next;
    }
    if (l->policy[0] == '\0') {
        return usage(err, opt, "a label needs policy=OID%s", "");
    }
    return true;
}

static int hexval(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* parse_policy: OID:DIGEST:HEX, the hash of the policy document (RFC 5126
 * §5.8.1 makes sigPolicyHash mandatory). */
static bool parse_policy(const char *arg, cachet_sign_opts *so, cachet_error *err) {
    static char oid[128];
    const char *opt = "--signature-policy";
    const char *c1 = strchr(arg, ':');
    const char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
    if (c1 == NULL || c2 == NULL || (size_t)(c1 - arg) >= sizeof(oid)) {
        return usage(err, opt,
                     "\"%s\" is not OID:DIGEST:HEX (the policy document's hash is required, "
                     "RFC 5126 section 5.8.1)",
                     arg);
    }
    memcpy(oid, arg, (size_t)(c1 - arg));
    oid[c1 - arg] = '\0';
    size_t dlen = (size_t)(c2 - c1 - 1);
    const char *d = c1 + 1;
    size_t want;
    if (dlen == 6 && strncmp(d, "sha256", 6) == 0) {
        so->signature_policy_md = CACHET_DIGEST_SHA256;
        want = 32;
    } else if (dlen == 6 && strncmp(d, "sha384", 6) == 0) {
        so->signature_policy_md = CACHET_DIGEST_SHA384;
        want = 48;
    } else if (dlen == 6 && strncmp(d, "sha512", 6) == 0) {
        so->signature_policy_md = CACHET_DIGEST_SHA512;
        want = 64;
    } else {
        return usage(err, opt, "\"%s\": the digest is sha256, sha384 or sha512", arg);
    }
    const char *hex = c2 + 1;
    if (strlen(hex) != want * 2) {
        return usage(err, opt, "\"%s\": the hash has the wrong length for its digest", arg);
    }
    for (size_t i = 0; i < want; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return usage(err, opt, "\"%s\": the hash is not hex", arg);
        }
        g_ess.policy_hash[i] = (uint8_t)(hi << 4 | lo);
    }
    so->signature_policy = oid;
    so->signature_policy_hash = g_ess.policy_hash;
    so->signature_policy_hash_len = want;
    return true;
}

bool cachet_cli_sign_ess_opts(const cachet_cli_opts *o, cachet_sign_opts *so, cachet_error *err) {
    if (o->num_equivalent_labels > MAX_LABELS - 1) {
        return usage(err, "--equivalent-label", "at most 16 equivalent labels%s", "");
    }
    if (o->security_label != NULL) {
        if (!parse_label(o->security_label, 0, "--security-label", err)) {
            return false;
        }
        so->security_label = &g_ess.labels[0];
    }
    for (size_t i = 0; i < o->num_equivalent_labels; i++) {
        if (!parse_label(o->equivalent_labels[i], i + 1, "--equivalent-label", err)) {
            return false;
        }
    }
    if (o->num_equivalent_labels > 0) {
        so->equivalent_labels = &g_ess.labels[1];
        so->num_equivalent_labels = o->num_equivalent_labels;
    }
    if (o->content_hint != NULL) {
        so->content_hint = o->content_hint;
    }
    if (o->signing_cert_v1) {
        so->signing_certificate_v1 = true;
    }
    if (o->signature_policy != NULL && !parse_policy(o->signature_policy, so, err)) {
        return false;
    }
    return true;
}
