/* Stored certificates printed for people (one line each) and as JSON (the
 * contract's keys). Every string comes from a certificate or from the store and
 * is escaped (ATTACKS CL-02); a PIN in a PKCS#11 URI is never printed. */
#include <string.h>

#include "cli.h"

static const struct {
    unsigned bit;
    const char *name;
} ku_names[] = {
    {0x0001u, "digitalSignature"}, {0x0002u, "nonRepudiation"}, {0x0004u, "keyEncipherment"},
    {0x0008u, "dataEncipherment"}, {0x0010u, "keyAgreement"},   {0x0020u, "keyCertSign"},
    {0x0040u, "cRLSign"},          {0x0080u, "encipherOnly"},   {0x0100u, "decipherOnly"},
};

/* pin_attr: |p| (|n| bytes) is a pin-value attribute, in the path or the query. */
static bool pin_attr(const char *p, size_t n) {
    static const char name[] = "pin-value=";
    return n >= sizeof(name) - 1 && strncmp(p, name, sizeof(name) - 1) == 0;
}

void cachet_cli_redact_key_ref(const char *ref, char *out, size_t out_len) {
    if (out_len == 0) {
        return;
    }
    out[0] = '\0';
    if (strncmp(ref, "pkcs11:", 7) != 0) {
        snprintf(out, out_len, "%s", ref);
        return;
    }
    /* RFC 7512: attributes are separated by ';' in the path and '&' in the query. */
    snprintf(out, out_len, "pkcs11:");
    size_t used = strlen(out);
    const char *p = ref + 7;
    while (*p != '\0') {
        size_t n = strcspn(p, ";&?");
        const char *sep = p[n] != '\0' ? p + n : NULL;
        if (!pin_attr(p, n)) {
            int w = snprintf(out + used, out_len - used, "%.*s", (int)n, p);
            used += w > 0 ? (size_t)w : 0;
        } else {
            int w = snprintf(out + used, out_len - used, "pin-value=(hidden)");
            used += w > 0 ? (size_t)w : 0;
        }
        if (used + 1 >= out_len) {
            out[out_len - 1] = '\0'; /* truncated; snprintf wrote no more than fits */
            return;
        }
        if (sep == NULL) {
            break;
        }
        out[used++] = *sep; /* used <= out_len - 2 here */
        out[used] = '\0';
        p = sep + 1;
    }
}

static void date_of(int64_t t, char out[11]) {
    char full[32];
    cachet_cli_format_time(t, full, sizeof(full));
    snprintf(out, 11, "%.10s", full);
}

static void put_emails(FILE *f, const cachet_cert_info *ci) {
    if (ci->num_emails == 0) {
        fputs("-", f);
    }
    for (size_t i = 0; i < ci->num_emails; i++) {
        fputs(i > 0 ? "," : "", f);
        cachet_cli_put_escaped(f, ci->emails[i]);
    }
}

void cachet_cli_cert_line(FILE *f, const cachet_cert_info *ci) {
    char date[11];
    date_of(ci->not_after, date);
    fprintf(f, "%.16s  %-9s  %s  ", ci->fingerprint, cachet_cert_origin_name(ci->origin), date);
    put_emails(f, ci);
    fputs("  ", f);
    cachet_cli_put_escaped(f, ci->subject[0] != '\0' ? ci->subject : "(empty subject)");
    fputc('\n', f);
}

void cachet_cli_key_line(FILE *f, const cachet_cert_info *ci) {
    char ref[sizeof(ci->key_ref)];
    cachet_cli_redact_key_ref(ci->key_ref, ref, sizeof(ref));
    const char *kind = "other";
    const char *where = ref;
    if (strncmp(ref, "file:", 5) == 0) {
        kind = "file", where = ref + 5;
    } else if (strncmp(ref, "pkcs11:", 7) == 0) {
        kind = "pkcs11";
    }
    fprintf(f, "%.16s  %-6s  ", ci->fingerprint, kind);
    cachet_cli_put_escaped(f, where);
    fputs("  ", f);
    put_emails(f, ci);
    fputs("  ", f);
    cachet_cli_put_escaped(f, ci->subject[0] != '\0' ? ci->subject : "(empty subject)");
    fputc('\n', f);
}

static void kstr(FILE *f, const char *key, const char *v, bool first) {
    fputs(first ? "\n    " : ",\n    ", f);
    cachet_cli_json_string(f, key);
    fputs(": ", f);
    cachet_cli_json_string(f, v);
}

static void kraw(FILE *f, const char *key, const char *v) {
    fputs(",\n    ", f);
    cachet_cli_json_string(f, key);
    fprintf(f, ": %s", v);
}

static void cert_json(FILE *f, const cachet_cert_info *ci) {
    char t[32];
    fputs("{", f);
    kstr(f, "fingerprint", ci->fingerprint, true);
    kstr(f, "subject", ci->subject, false);
    kstr(f, "issuer", ci->issuer, false);
    kstr(f, "serial", ci->serial, false);
    fputs(",\n    \"emails\": [", f);
    for (size_t i = 0; i < ci->num_emails; i++) {
        fputs(i > 0 ? ", " : "", f);
        cachet_cli_json_string(f, ci->emails[i]);
    }
    fputs("]", f);
    cachet_cli_format_time(ci->not_before, t, sizeof(t));
    kstr(f, "not_before", t, false);
    cachet_cli_format_time(ci->not_after, t, sizeof(t));
    kstr(f, "not_after", t, false);
    fputs(",\n    \"key_usage\": [", f);
    bool first = true;
    for (size_t i = 0; i < sizeof(ku_names) / sizeof(ku_names[0]); i++) {
        if ((ci->key_usage & ku_names[i].bit) != 0) {
            fputs(first ? "" : ", ", f);
            cachet_cli_json_string(f, ku_names[i].name);
            first = false;
        }
    }
    fputs("]", f);
    kraw(f, "email_protection", ci->email_protection ? "true" : "false");
    kraw(f, "ca", ci->is_ca ? "true" : "false");
    kstr(f, "origin", cachet_cert_origin_name(ci->origin), false);
    char ref[sizeof(ci->key_ref)];
    cachet_cli_redact_key_ref(ci->key_ref, ref, sizeof(ref));
    kstr(f, "key", ref, false);
    fputs("\n  }", f);
}

void cachet_cli_certs_json(FILE *f, const cachet_cert_info *infos, size_t num) {
    fputs("[", f);
    for (size_t i = 0; i < num; i++) {
        fputs(i > 0 ? ", " : "\n  ", f);
        cert_json(f, &infos[i]);
    }
    fputs(num > 0 ? "\n]\n" : "]\n", f);
}
