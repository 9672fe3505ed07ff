/* cli/report_countersig.c: a signer's countersignatures (RFC 5652 §11.4) in
 * the verify report: a JSON "countersigners" array with the members of a
 * signer (nested countersigners inside), and one text line each, indented by
 * nesting level. */
#include <string.h>

#include "cli.h"

static void json_one(FILE *f, const char *indent, const cachet_signer_report *c, unsigned depth);

/* NOLINTNEXTLINE(misc-no-recursion): reports nest countersigners 4 deep at most */
static void json_list(FILE *f, const char *indent, const cachet_signer_report *s, unsigned depth) {
    if (s->num_countersigners == 0) {
        return;
    }
    cachet_cli_json_key(f, indent, "countersigners", false);
    fputs("[", f);
    for (size_t i = 0; i < s->num_countersigners; i++) {
        fputs(i > 0 ? ", " : "", f);
        json_one(f, indent, &s->countersigners[i], depth);
    }
    fputs("]", f);
}

/* NOLINTNEXTLINE(misc-no-recursion): reports nest countersigners 4 deep at most */
static void json_one(FILE *f, const char *indent, const cachet_signer_report *c, unsigned depth) {
    char in[64];
    snprintf(in, sizeof(in), "%s  ", indent);
    fputs("{", f);
    cachet_cli_json_kstr(f, in, "subject", c->subject, true);
    cachet_cli_json_key(f, in, "emails", false);
    fputs("[", f);
    for (size_t i = 0; i < c->num_emails; i++) {
        fputs(i > 0 ? ", " : "", f);
        cachet_cli_json_string(f, c->emails[i]);
    }
    fputs("]", f);
    cachet_cli_json_kstr(f, in, "signature", c->signature_valid ? "valid" : "invalid", false);
    if (!c->signature_valid) {
        cachet_cli_json_kstr(f, in, "signature_detail",
                             c->signature_detail[0] != '\0'
                                 ? c->signature_detail
                                 : cachet_status_str(c->signature_status),
                             false);
    }
    cachet_cli_json_kstr(f, in, "chain", cachet_chain_status_name(c->chain), false);
    if (c->chain_detail[0] != '\0') {
        cachet_cli_json_kstr(f, in, "chain_detail", c->chain_detail, false);
    }
    cachet_cli_json_kstr(f, in, "digest", c->digest, false);
    cachet_cli_json_kstr(f, in, "algorithm", c->algorithm, false);
    cachet_cli_json_key(f, in, "signing_time", false);
    if (c->has_signing_time) {
        char t[32];
        cachet_cli_format_time(c->signing_time, t, sizeof(t));
        cachet_cli_json_string(f, t);
    } else {
        fputs("null", f);
    }
    cachet_cli_json_kbool(f, in, "weak", c->weak);
    cachet_cli_json_kstr(f, in, "signer_id",
                         c->sid_is_ski ? "subjectKeyIdentifier" : "issuerAndSerialNumber", false);
    /* the report's nesting is bounded by the library (4 levels) */
    if (depth < 8) {
        json_list(f, in, c, depth + 1);
    }
    fprintf(f, "\n%s}", indent);
}

void cachet_cli_json_countersigners(FILE *f, const char *indent, const cachet_signer_report *s) {
    json_list(f, indent, s, 0);
}

/* NOLINTNEXTLINE(misc-no-recursion): depth < 8 (reports nest 4 deep at most) */
static void text_list(FILE *f, const char *prefix, const cachet_signer_report *s, unsigned depth) {
    for (size_t i = 0; i < s->num_countersigners && depth < 8; i++) {
        const cachet_signer_report *c = &s->countersigners[i];
        fputs(prefix, f);
        for (unsigned d = 0; d < depth; d++) {
            fputs("  ", f);
        }
        fputs("countersigned by ", f);
        if (c->num_emails > 0) {
            cachet_cli_put_escaped(f, c->emails[0]);
            fputs(" (", f);
            cachet_cli_put_escaped(f, c->subject[0] != '\0' ? c->subject : "no subject");
            fputs(")", f);
        } else {
            cachet_cli_put_escaped(f, c->subject[0] != '\0' ? c->subject : "an unknown signer");
        }
        fputs(c->signature_valid ? ": countersignature valid" : ": countersignature invalid", f);
        if (!c->signature_valid && c->signature_detail[0] != '\0') {
            fputs(" (", f);
            cachet_cli_put_escaped(f, c->signature_detail);
            fputs(")", f);
        }
        fprintf(f, ", chain %s", cachet_chain_status_name(c->chain));
        if (c->has_signing_time) {
            char t[32];
            cachet_cli_format_time(c->signing_time, t, sizeof(t));
            fprintf(f, ", at %s", t);
        }
        fprintf(f, ", %s/%s", c->algorithm, c->digest);
        if (c->weak) {
            fputs(", WEAK algorithm", f);
        }
        fputc('\n', f);
        text_list(f, prefix, c, depth + 1);
    }
}

void cachet_cli_text_countersigners(FILE *f, const char *prefix, const cachet_signer_report *s) {
    text_list(f, prefix, s, 0);
}
