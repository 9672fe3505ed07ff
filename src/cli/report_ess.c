/* cli/report_ess.c: a signer's ESS (RFC 2634, RFC 5035), CAdES (RFC 5126)
 * and RFC 5752 attributes in the verify report: one JSON member "ess" (an
 * object; absent when the signer has none) and indented text lines. Every
 * string that came from the message goes through the escaping writers
 * (cachet_cli_json_string, cachet_cli_put_escaped: ATTACKS CL-02). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* X.411 meanings of security-classification 0..5 (RFC 2634 §3.3.2); other
 * values are the policy's own. */
static const char *class_name(int c) {
    static const char *names[] = {"unmarked",     "unclassified", "restricted",
                                  "confidential", "secret",       "top-secret"};
    return c >= 0 && c < 6 ? names[c] : NULL;
}

static void json_label(FILE *f, const char *in, const cachet_security_label *l) {
    char in2[64];
    snprintf(in2, sizeof(in2), "%s  ", in);
    fputs("{", f);
    cachet_cli_json_kstr(f, in2, "policy", l->policy, true);
    cachet_cli_json_key(f, in2, "classification", false);
    if (l->classification >= 0) {
        fprintf(f, "%d", l->classification);
    } else {
        fputs("null", f);
    }
    if (class_name(l->classification) != NULL) {
        cachet_cli_json_kstr(f, in2, "classification_name", class_name(l->classification), false);
    }
    if (l->privacy_mark[0] != '\0') {
        cachet_cli_json_kstr(f, in2, "privacy_mark", l->privacy_mark, false);
    }
    cachet_cli_json_key(f, in2, "categories", false);
    fputs("[", f);
    for (size_t i = 0; i < l->num_categories; i++) {
        fputs(i > 0 ? ", {\"type\": " : "{\"type\": ", f);
        cachet_cli_json_string(f, l->categories[i].type);
        fputs(", \"value\": ", f);
        cachet_cli_json_string(f, l->categories[i].value_hex);
        fputs("}", f);
    }
    fprintf(f, "]\n%s}", in);
}

static void json_strings(FILE *f, char *const *list, size_t n) {
    fputs("[", f);
    for (size_t i = 0; i < n; i++) {
        fputs(i > 0 ? ", " : "", f);
        cachet_cli_json_string(f, list[i]);
    }
    fputs("]", f);
}

static void json_receipt_request(FILE *f, const char *in, const cachet_ess_info *e) {
    static const char *from[] = {"all", "first-tier", "list"};
    cachet_cli_json_key(f, in, "receipt_request", false);
    fprintf(f, "{\"content_identifier\": ");
    cachet_cli_json_string(f, e->receipt_content_id_hex != NULL ? e->receipt_content_id_hex : "");
    fprintf(f, ", \"from\": \"%s\"", from[e->receipts_from <= 2 ? e->receipts_from : 0]);
    if (e->receipts_from == CACHET_RECEIPTS_FROM_LIST) {
        fputs(", \"from_list\": ", f);
        json_strings(f, e->receipts_from_list, e->num_receipts_from_list);
    }
    fputs(", \"to\": ", f);
    json_strings(f, e->receipts_to, e->num_receipts_to);
    fputs("}", f);
}

void cachet_cli_json_ess(FILE *f, const char *indent, const cachet_signer_report *s) {
    const cachet_ess_info *e = s->ess;
    char in[64], in2[64];
    if (e == NULL) {
        return;
    }
    snprintf(in, sizeof(in), "%s  ", indent);
    snprintf(in2, sizeof(in2), "%s    ", indent);
    cachet_cli_json_key(f, indent, "ess", false);
    fputs("{", f);
    cachet_cli_json_key(f, in, "signing_certificate_v1", true);
    fputs(e->signing_certificate_v1 ? "true" : "false", f);
    cachet_cli_json_kbool(f, in, "signing_certificate_v2", e->signing_certificate_v2);
    cachet_cli_json_kbool(f, in, "multiple_signatures", e->multiple_signatures);
    if (e->label != NULL) {
        cachet_cli_json_key(f, in, "security_label", false);
        json_label(f, in, e->label);
    }
    if (e->num_equivalent_labels > 0) {
        cachet_cli_json_key(f, in, "equivalent_labels", false);
        fputs("[", f);
        for (size_t i = 0; i < e->num_equivalent_labels; i++) {
            fputs(i > 0 ? ", " : "", f);
            json_label(f, in, &e->equivalent_labels[i]);
        }
        fputs("]", f);
    }
    if (e->has_content_hints) {
        cachet_cli_json_key(f, in, "content_hints", false);
        fputs("{\"description\": ", f);
        cachet_cli_json_string(f, e->content_description);
        fputs(", \"content_type\": ", f);
        cachet_cli_json_string(f, e->content_hints_type);
        fputs("}", f);
    }
    if (e->content_identifier_hex != NULL) {
        cachet_cli_json_kstr(f, in, "content_identifier", e->content_identifier_hex, false);
    }
    if (e->has_content_reference) {
        cachet_cli_json_key(f, in, "content_reference", false);
        fputs("{\"content_type\": ", f);
        cachet_cli_json_string(f, e->content_reference_type);
        fputs(", \"content_identifier\": ", f);
        cachet_cli_json_string(f, e->content_reference_id_hex != NULL ? e->content_reference_id_hex
                                                                      : "");
        fputs("}", f);
    }
    if (e->num_ml_history > 0) {
        cachet_cli_json_key(f, in, "ml_expansion_history", false);
        fputs("[", f);
        for (size_t i = 0; i < e->num_ml_history; i++) {
            const cachet_ml_data *d = &e->ml_history[i];
            char t[32];
            cachet_cli_format_time(d->expansion_time, t, sizeof(t));
            fprintf(f, "%s\n%s{\"identifier\": ", i > 0 ? "," : "", in2);
            cachet_cli_json_string(f, d->identifier);
            fputs(", \"expansion_time\": ", f);
            cachet_cli_json_string(f, t);
            fputs(", \"receipt_policy\": ", f);
            if (d->receipt_policy[0] != '\0') {
                cachet_cli_json_string(f, d->receipt_policy);
            } else {
                fputs("null", f);
            }
            fputs("}", f);
        }
        fprintf(f, "\n%s]", in);
    }
    if (e->has_signature_policy) {
        cachet_cli_json_key(f, in, "signature_policy", false);
        fprintf(f, "{\"implied\": %s", e->signature_policy_implied ? "true" : "false");
        if (!e->signature_policy_implied) {
            fputs(", \"id\": ", f);
            cachet_cli_json_string(f, e->signature_policy);
            fputs(", \"hash_algorithm\": ", f);
            cachet_cli_json_string(f, e->signature_policy_hash_alg);
            fputs(", \"hash\": ", f);
            cachet_cli_json_string(
                f, e->signature_policy_hash_hex != NULL ? e->signature_policy_hash_hex : "");
        }
        fputs("}", f);
    }
    if (e->receipt_requested) {
        json_receipt_request(f, in, e);
    }
    if (e->has_msg_sig_digest) {
        cachet_cli_json_kbool(f, in, "msg_sig_digest", true);
    }
    fprintf(f, "\n%s}", indent);
}

static void text_label(FILE *f, const char *prefix, const char *what,
                       const cachet_security_label *l) {
    fprintf(f, "%s%s: policy %s", prefix, what, l->policy);
    if (l->classification >= 0) {
        const char *n = class_name(l->classification);
        fprintf(f, ", classification %d%s%s%s", l->classification, n != NULL ? " (" : "",
                n != NULL ? n : "", n != NULL ? ")" : "");
    }
    if (l->privacy_mark[0] != '\0') {
        fputs(", privacy mark \"", f);
        cachet_cli_put_escaped(f, l->privacy_mark);
        fputc('"', f);
    }
    fputc('\n', f);
    for (size_t i = 0; i < l->num_categories; i++) {
        fprintf(f, "%s  category %s = ", prefix, l->categories[i].type);
        cachet_cli_put_escaped(f, l->categories[i].value_hex);
        fputc('\n', f);
    }
}

void cachet_cli_text_ess(FILE *f, const char *prefix, const cachet_signer_report *s) {
    const cachet_ess_info *e = s->ess;
    if (e == NULL) {
        return;
    }
    if (e->label != NULL) {
        text_label(f, prefix, "security label", e->label);
    }
    for (size_t i = 0; i < e->num_equivalent_labels; i++) {
        text_label(f, prefix, "equivalent label", &e->equivalent_labels[i]);
    }
    if (e->has_content_hints) {
        fprintf(f, "%scontent hints: ", prefix);
        cachet_cli_put_escaped(f, e->content_hints_type);
        if (e->content_description[0] != '\0') {
            fputs(", \"", f);
            cachet_cli_put_escaped(f, e->content_description);
            fputc('"', f);
        }
        fputc('\n', f);
    }
    if (e->content_identifier_hex != NULL) {
        fprintf(f, "%scontent identifier: %s\n", prefix, e->content_identifier_hex);
    }
    if (e->has_content_reference) {
        fprintf(f, "%scontent reference: ", prefix);
        cachet_cli_put_escaped(f, e->content_reference_type);
        fprintf(f, ", identifier %s\n",
                e->content_reference_id_hex != NULL ? e->content_reference_id_hex : "");
    }
    for (size_t i = 0; i < e->num_ml_history; i++) {
        const cachet_ml_data *d = &e->ml_history[i];
        char t[32];
        cachet_cli_format_time(d->expansion_time, t, sizeof(t));
        fprintf(f, "%smail list expansion %zu: ", prefix, i + 1);
        cachet_cli_put_escaped(f, d->identifier);
        fprintf(f, " at %s%s%s\n", t, d->receipt_policy[0] != '\0' ? ", receipts " : "",
                d->receipt_policy);
    }
    /* v2 is in every signature cachet makes: a line only when v1 (§5.4) is there too */
    if (e->signing_certificate_v1) {
        fprintf(f, "%ssigning certificate attribute: v1%s (names the signer certificate)\n", prefix,
                e->signing_certificate_v2 ? " and v2" : "");
    }
    if (e->has_signature_policy) {
        if (e->signature_policy_implied) {
            fprintf(f, "%ssignature policy: implied\n", prefix);
        } else {
            fprintf(f, "%ssignature policy: %s, %s %s\n", prefix, e->signature_policy,
                    e->signature_policy_hash_alg,
                    e->signature_policy_hash_hex != NULL ? e->signature_policy_hash_hex : "");
        }
    }
    if (e->receipt_requested) {
        fprintf(f, "%sreceipt requested\n", prefix);
    }
    if (e->multiple_signatures) {
        fprintf(f, "%smultiple signatures (RFC 5752)\n", prefix);
    }
}
