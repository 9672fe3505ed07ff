/* The report, printed three ways: JSON (verify/decrypt/inspect --json, the
 * contract's key names), the human summary of verify/decrypt on stderr, and the
 * human description of inspect. Strings from certificates and messages are
 * escaped: JSON output is pure ASCII with \u escapes, terminal output escapes
 * every control and non-ASCII byte (ATTACKS CL-02). */
#include <string.h>
#include <time.h>

#include <cachet/domsec.h>

#include "cli.h"

void cachet_cli_format_time(int64_t t, char *out, size_t out_len) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, out_len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, out_len, "%lld", (long long)t);
    }
}

/* utf8_next decodes one scalar value at |p| (|n| bytes left) into |cp|; returns
 * the bytes used, or 0 for an invalid sequence (overlong, surrogate, > U+10FFFF). */
static size_t utf8_next(const unsigned char *p, size_t n, unsigned long *cp) {
    unsigned long c = p[0];
    size_t len;
    unsigned long min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        len = 2, min = 0x80, c &= 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, min = 0x800, c &= 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (p[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }
    *cp = c;
    return len;
}

void cachet_cli_json_string(FILE *f, const char *s) {
    const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
    size_t n = strlen((const char *)p);
    fputc('"', f);
    while (n > 0) {
        unsigned long cp;
        size_t used = utf8_next(p, n, &cp);
        if (used == 0) {
            cp = 0xfffd; /* invalid UTF-8 from a certificate: replaced, never passed on */
            used = 1;
        }
        if (cp == '"') {
            fputs("\\\"", f);
        } else if (cp == '\\') {
            fputs("\\\\", f);
        } else if (cp >= 0x20 && cp < 0x7f) {
            fputc((int)cp, f);
        } else if (cp < 0x10000) {
            fprintf(f, "\\u%04lx", cp);
        } else {
            cp -= 0x10000;
            fprintf(f, "\\u%04lx\\u%04lx", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
        }
        p += used;
        n -= used;
    }
    fputc('"', f);
}

void cachet_cli_json_key(FILE *f, const char *indent, const char *key, bool first) {
    fprintf(f, "%s\n%s", first ? "" : ",", indent);
    cachet_cli_json_string(f, key);
    fputs(": ", f);
}

void cachet_cli_json_kstr(FILE *f, const char *indent, const char *key, const char *v, bool first) {
    cachet_cli_json_key(f, indent, key, first);
    cachet_cli_json_string(f, v);
}

void cachet_cli_json_kbool(FILE *f, const char *indent, const char *key, bool v) {
    cachet_cli_json_key(f, indent, key, false);
    fputs(v ? "true" : "false", f);
}

/* sig_types_text: the RFC 3183 signature types of a signer, comma-joined. */
static void sig_types_text(unsigned types, char *out, size_t out_len) {
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{CACHET_SIGTYPE_ORIGINATOR, "originator"},
                 {CACHET_SIGTYPE_DOMAIN, "domain"},
                 {CACHET_SIGTYPE_ADD_ATTRIB, "attributes"},
                 {CACHET_SIGTYPE_REVIEW, "review"},
                 {CACHET_SIGTYPE_UNKNOWN, "unknown"}};
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((types & names[i].bit) != 0 && n < out_len) {
            int w = snprintf(out + n, out_len - n, "%s%s", n > 0 ? "," : "", names[i].name);
            n += w > 0 ? (size_t)w : 0;
        }
    }
}

/* is_empty_layer: a SignedData without signers whose content was passed on
 * (RFC 3183 §3 empty signature layer; certs-only is not one). */
static bool is_empty_layer(const cachet_layer_report *l) {
    return l->type == CACHET_LAYER_SIGNED && l->empty_signature_layer;
}

/* layer_position: where a signed layer sits (RFC 2634 §1.1): "outer" when
 * another signed layer or an encrypted one lies inside it (the outer
 * signature of a triple wrap, an RFC 3183 domain signature around an
 * originator's, or a signature over an envelope that was not opened);
 * "inner" when it is the innermost of several signed layers; "only" when it
 * is the one signed layer over the content. NULL for other layers. */
static const char *layer_position(const cachet_report *r, size_t idx) {
    if (r == NULL || idx >= r->num_layers || r->layers[idx].type != CACHET_LAYER_SIGNED) {
        return NULL;
    }
    for (size_t i = idx + 1; i < r->num_layers; i++) {
        cachet_layer_type t = r->layers[i].type;
        if (t == CACHET_LAYER_SIGNED || t == CACHET_LAYER_ENVELOPED ||
            t == CACHET_LAYER_AUTH_ENVELOPED || t == CACHET_LAYER_ENCRYPTED) {
            return "outer";
        }
    }
    for (size_t i = 0; i < idx; i++) {
        if (r->layers[i].type == CACHET_LAYER_SIGNED) {
            return "inner";
        }
    }
    return "only";
}

/* signer_role: the RFC 3183 role of a signer of a message from |from|, with
 * the reason when it is flagged (the same classification as the gateway). */
static cachet_domsec_role signer_role(const cachet_signer_report *s, const char *from, char *why,
                                      size_t why_len) {
    cachet_domsec_signer_class c;
    cachet_domsec_classify_signer(s, from, CACHET_DOMSEC_MAPPING_ASCENDANT, &c);
    snprintf(why, why_len, "%s", c.role == CACHET_DOMSEC_ROLE_FLAGGED ? c.why : "");
    return c.role;
}

static void json_signer(FILE *f, const cachet_signer_report *s, const char *from) {
    const char *in = "          ";
    fputs("{", f);
    cachet_cli_json_kstr(f, in, "subject", s->subject, true);
    cachet_cli_json_key(f, in, "emails", false);
    fputs("[", f);
    for (size_t i = 0; i < s->num_emails; i++) {
        fputs(i > 0 ? ", " : "", f);
        cachet_cli_json_string(f, s->emails[i]);
    }
    fputs("]", f);
    cachet_cli_json_kstr(f, in, "signature", s->signature_valid ? "valid" : "invalid", false);
    if (!s->signature_valid) {
        cachet_cli_json_kstr(f, in, "signature_detail",
                             s->signature_detail[0] != '\0'
                                 ? s->signature_detail
                                 : cachet_status_str(s->signature_status),
                             false);
    }
    cachet_cli_json_kstr(f, in, "chain", cachet_chain_status_name(s->chain), false);
    if (s->chain_detail[0] != '\0') {
        cachet_cli_json_kstr(f, in, "chain_detail", s->chain_detail, false);
    }
    cachet_cli_json_kbool(f, in, "address_match", s->address_match == 1);
    cachet_cli_json_kbool(f, in, "address_checked", s->address_match >= 0);
    cachet_cli_json_kstr(f, in, "digest", s->digest, false);
    cachet_cli_json_kstr(f, in, "algorithm", s->algorithm, false);
    cachet_cli_json_key(f, in, "signing_time", false);
    if (s->has_signing_time) {
        char t[32];
        cachet_cli_format_time(s->signing_time, t, sizeof(t));
        cachet_cli_json_string(f, t);
    } else {
        fputs("null", f);
    }
    cachet_cli_json_kbool(f, in, "weak", s->weak);
    cachet_cli_json_kstr(f, in, "signer_id",
                         s->sid_is_ski ? "subjectKeyIdentifier" : "issuerAndSerialNumber", false);
    if (s->has_signature_type) {
        char types[64];
        sig_types_text(s->signature_types, types, sizeof(types));
        cachet_cli_json_kstr(f, in, "signature_type", types, false);
    }
    char why[256];
    cachet_domsec_role role = signer_role(s, from, why, sizeof(why));
    cachet_cli_json_kstr(f, in, "role", cachet_domsec_role_name(role), false);
    if (why[0] != '\0') {
        cachet_cli_json_kstr(f, in, "role_detail", why, false);
    }
    if (s->superseded) {
        cachet_cli_json_kbool(f, in, "superseded", true);
    }
    cachet_cli_json_ess(f, in, s);
    cachet_cli_json_countersigners(f, in, s);
    fputs("\n        }", f);
}

static void json_layer(FILE *f, const cachet_report *r, size_t idx) {
    const cachet_layer_report *l = &r->layers[idx];
    const char *in = "      ";
    fputs("{", f);
    cachet_cli_json_kstr(f, in, "type", cachet_layer_type_name(l->type), true);
    cachet_cli_json_kstr(f, in, "part", l->part, false);
    cachet_cli_json_kstr(f, in, "content_type", l->content_type, false);
    switch (l->type) {
        case CACHET_LAYER_SIGNED:
            cachet_cli_json_kbool(f, in, "detached", l->detached);
            cachet_cli_json_kstr(f, in, "position", layer_position(r, idx), false);
            if (is_empty_layer(l)) {
                cachet_cli_json_kbool(f, in, "empty", true);
            }
            cachet_cli_json_key(f, in, "signers", false);
            fputs("[", f);
            for (size_t i = 0; i < l->num_signers; i++) {
                fputs(i > 0 ? ", " : "", f);
                json_signer(f, &l->signers[i], r->from);
            }
            fputs("]", f);
            cachet_cli_json_receipt(f, in, l);
            break;
        case CACHET_LAYER_ENVELOPED:
        case CACHET_LAYER_AUTH_ENVELOPED:
            cachet_cli_json_kbool(f, in, "authenticated", l->authenticated);
            cachet_cli_json_kstr(f, in, "cipher", l->cipher, false);
            cachet_cli_json_kstr(f, in, "key_management", l->key_management, false);
            cachet_cli_json_key(f, in, "recipients", false);
            fprintf(f, "%zu", l->num_recipients);
            cachet_cli_json_kbool(f, in, "weak", l->weak);
            break;
        case CACHET_LAYER_ENCRYPTED:
            cachet_cli_json_kbool(f, in, "authenticated", l->authenticated);
            cachet_cli_json_kstr(f, in, "cipher", l->cipher, false);
            cachet_cli_json_kbool(f, in, "weak", l->weak);
            break;
        case CACHET_LAYER_DIGESTED:
            cachet_cli_json_kstr(f, in, "digest", l->digest_algorithm, false);
            cachet_cli_json_kbool(f, in, "digest_valid", l->digest_valid);
            cachet_cli_json_kbool(f, in, "weak", l->weak);
            break;
        case CACHET_LAYER_DATA:
            break;
        case CACHET_LAYER_COMPRESSED:
            cachet_cli_json_kstr(f, in, "compression", l->compression, false);
            cachet_cli_json_key(f, in, "decompressed_size", false);
            fprintf(f, "%llu", (unsigned long long)l->decompressed_size);
            break;
    }
    fputs("\n    }", f);
}

void cachet_cli_json_report(FILE *f, const cachet_report *r, cachet_status st,
                            const cachet_error *e) {
    const char *in = "  ";
    fputs("{", f);
    cachet_cli_json_kstr(f, in, "status", st == CACHET_OK ? "valid" : "invalid", true);
    cachet_cli_json_key(f, in, "layers", false);
    fputs("[", f);
    for (size_t i = 0; r != NULL && i < r->num_layers; i++) {
        fputs(i > 0 ? ", " : "", f);
        json_layer(f, r, i);
    }
    fputs("]", f);
    if (r != NULL) {
        cachet_cli_json_kstr(f, in, "from", r->from, false);
        cachet_cli_json_kbool(f, in, "from_mismatch", r->from_mismatch);
        cachet_cli_json_kbool(f, in, "partially_signed", r->partially_signed);
    }
    if (st != CACHET_OK && e != NULL) {
        cachet_cli_json_key(f, in, "error", false);
        fputs("{", f);
        cachet_cli_json_kstr(f, "    ", "class",
                             cachet_status_str(e->status != CACHET_OK ? e->status : st), true);
        cachet_cli_json_kstr(f, "    ", "message", e->message, false);
        cachet_cli_json_kstr(f, "    ", "where", e->where, false);
        cachet_cli_json_key(f, "    ", "offset", false);
        fprintf(f, "%lld", e->offset);
        fputs("\n  }", f);
    }
    fputs("\n}\n", f);
}

static void signer_line(FILE *f, const cachet_signer_report *s, const char *position,
                        const char *from) {
    fputs("cachet: signed by ", f);
    if (s->num_emails > 0) {
        cachet_cli_put_escaped(f, s->emails[0]);
        fputs(" (", f);
        cachet_cli_put_escaped(f, s->subject[0] != '\0' ? s->subject : "no subject");
        fputs(")", f);
    } else {
        cachet_cli_put_escaped(f, s->subject[0] != '\0' ? s->subject : "an unknown signer");
    }
    fputs(s->signature_valid ? ": signature valid" : ": signature invalid", f);
    if (!s->signature_valid && s->signature_detail[0] != '\0') {
        fputs(" (", f);
        cachet_cli_put_escaped(f, s->signature_detail);
        fputs(")", f);
    }
    fprintf(f, ", chain %s", cachet_chain_status_name(s->chain));
    /* A trusted chain may carry a note too (revocation status unknown under
     * the soft policy): it is shown, so the warning reaches the user. */
    if (s->chain_detail[0] != '\0') {
        fputs(" (", f);
        cachet_cli_put_escaped(f, s->chain_detail);
        fputs(")", f);
    }
    if (s->address_match == 0) {
        fputs(", address does NOT match From", f);
    }
    if (s->weak) {
        fputs(", WEAK algorithm", f);
    }
    if (s->superseded) {
        /* RFC 4853: another signature of the same signer stands for this one */
        fputs(", superseded by another valid signature of the same signer", f);
    }
    if (s->has_signature_type) {
        char types[64];
        sig_types_text(s->signature_types, types, sizeof(types));
        fprintf(f, ", signature type: %s", types);
    }
    char why[256];
    cachet_domsec_role role = signer_role(s, from, why, sizeof(why));
    /* An ordinary signer says nothing more; an RFC 3183 role is named, and a
     * flagged one says which rule it breaks (§3.1.1: it MUST be flagged). */
    if (role != CACHET_DOMSEC_ROLE_ORIGINATOR) {
        fprintf(f, ", role: %s", cachet_domsec_role_name(role));
        if (why[0] != '\0') {
            fputs(" (", f);
            cachet_cli_put_escaped(f, why);
            fputs(")", f);
        }
    }
    /* RFC 2634 §1.1: which signature of a wrapped message this is */
    if (strcmp(position, "only") != 0) {
        fprintf(f, "; %s signature", position);
    }
    fputc('\n', f);
    cachet_cli_text_ess(f, "cachet:   ", s);
    cachet_cli_text_countersigners(f, "cachet:   ", s);
}

/* is_legacy_cipher: a cipher only decrypted, never written (the contract's
 * names: everything but AES and ChaCha20-Poly1305). */
static bool is_legacy_cipher(const char *name) {
    return name[0] != '\0' && strncmp(name, "aes-", 4) != 0 &&
           strcmp(name, "chacha20-poly1305") != 0;
}

/* encrypted_line: "cachet: encrypted with CIPHER (KM; legacy, accepted with
 * --allow-legacy; NOT authenticated)" and its shorter forms. */
static void encrypted_line(FILE *f, const cachet_layer_report *l, const char *km) {
    if (l->cipher[0] == '\0') {
        /* A layer that was not decrypted: its algorithms are unknown to us. */
        fputs("cachet: encrypted layer, not decrypted\n", f);
        return;
    }
    fputs("cachet: encrypted with ", f);
    cachet_cli_put_escaped(f, l->cipher);
    fputs(" (", f);
    cachet_cli_put_escaped(f, km);
    if (l->weak) {
        fputs(km[0] != '\0' ? "; " : "", f);
        fputs(is_legacy_cipher(l->cipher) ? "legacy" : "weak", f);
        fputs(", accepted with --allow-legacy", f);
        fputs(l->authenticated ? "), authenticated\n" : "; NOT authenticated)\n", f);
        return;
    }
    fputs(l->authenticated ? "), authenticated\n"
                           : "): content NOT authenticated (CBC can be modified in "
                             "transit; prefer aes-256-gcm)\n",
          f);
}

static void digested_line(FILE *f, const cachet_layer_report *l) {
    fputs("cachet: digested with ", f);
    cachet_cli_put_escaped(f, l->digest_algorithm);
    fputs(l->digest_valid ? " (" : ": digest does NOT match the content (", f);
    fputs("integrity only, not a signature", f);
    fputs(l->weak ? "; weak, accepted with --allow-legacy)\n" : ")\n", f);
}

static void layer_lines(FILE *f, const cachet_report *r, size_t idx) {
    const cachet_layer_report *l = &r->layers[idx];
    const char *position = layer_position(r, idx);
    switch (l->type) {
        case CACHET_LAYER_SIGNED:
            if (is_empty_layer(l)) {
                fprintf(f, "cachet: signed (empty: no signers)%s%s%s\n",
                        strcmp(position, "only") != 0 ? "; " : "",
                        strcmp(position, "only") != 0 ? position : "",
                        strcmp(position, "only") != 0 ? " layer" : "");
            }
            for (size_t i = 0; i < l->num_signers; i++) {
                signer_line(f, &l->signers[i], position, r->from);
            }
            cachet_cli_text_receipt(f, "cachet: ", l);
            break;
        case CACHET_LAYER_ENVELOPED:
        case CACHET_LAYER_AUTH_ENVELOPED:
            encrypted_line(f, l, l->key_management);
            break;
        case CACHET_LAYER_ENCRYPTED:
            encrypted_line(f, l, l->weak ? "" : "a shared key, EncryptedData");
            break;
        case CACHET_LAYER_DIGESTED:
            digested_line(f, l);
            break;
        case CACHET_LAYER_DATA:
            fputs("cachet: data (a ContentInfo around the content, no protection)\n", f);
            break;
        case CACHET_LAYER_COMPRESSED:
            fprintf(f, "cachet: compressed (%s, %llu bytes)\n", l->compression,
                    (unsigned long long)l->decompressed_size);
            break;
    }
}

void cachet_cli_summary(const char *cmd, const cachet_report *r, cachet_status st,
                        const cachet_error *e, bool verifying) {
    for (size_t i = 0; r != NULL && i < r->num_layers; i++) {
        layer_lines(stderr, r, i);
    }
    if (r != NULL && r->partially_signed) {
        fputs("cachet: warning: only part of the message is signed\n", stderr);
    }
    if (!verifying) {
        if (st != CACHET_OK) {
            /* "not encrypted to this certificate" only helps if something was encrypted */
            bool enveloped = false;
            for (size_t i = 0; r != NULL && i < r->num_layers; i++) {
                enveloped = enveloped || r->layers[i].type == CACHET_LAYER_ENVELOPED ||
                            r->layers[i].type == CACHET_LAYER_AUTH_ENVELOPED ||
                            r->layers[i].type == CACHET_LAYER_ENCRYPTED;
            }
            bool hint = enveloped || e == NULL || e->status != CACHET_ERR_NO_RECIPIENT;
            cachet_cli_error_hint(cmd, "decryption failed", e, hint);
        }
        return;
    }
    if (st == CACHET_OK) {
        fputs("cachet: verification successful\n", stderr);
        return;
    }
    fputs("cachet: verification FAILED: ", stderr);
    cachet_cli_put_escaped(stderr,
                           e != NULL && e->message[0] != '\0' ? e->message : cachet_status_str(st));
    cachet_cli_put_where(stderr, e);
    fputc('\n', stderr);
    const char *h = cachet_cli_report_hint(r, e != NULL && e->status != CACHET_OK ? e->status : st,
                                           e != NULL ? e->message : NULL);
    if (h != NULL) {
        fprintf(stderr, "cachet %s: %s\n", cmd, h);
    }
}

const char *cachet_cli_report_hint(const cachet_report *r, cachet_status st, const char *message) {
    for (size_t i = 0; r != NULL && i < r->num_layers; i++) {
        const cachet_layer_report *l = &r->layers[i];
        for (size_t j = 0; j < l->num_signers; j++) {
            switch (l->signers[j].chain) {
                case CACHET_CHAIN_EXPIRED:
                case CACHET_CHAIN_NOT_YET_VALID:
                    return "a certificate is not valid at the time checked (now, or --at TIME)";
                case CACHET_CHAIN_BAD_USAGE:
                    return "the signer's certificate is not for S/MIME (key usage or extended key "
                           "usage)";
                default:
                    break;
            }
        }
    }
    if (r != NULL && r->from_mismatch) {
        return "the signer's certificate is not for the From address (possible spoofing); "
               "--no-address-check skips this check";
    }
    return cachet_cli_hint(st, message);
}

void cachet_cli_describe(FILE *f, const cachet_report *r) {
    if (r->from[0] != '\0') {
        fputs("from: ", f);
        cachet_cli_put_escaped(f, r->from);
        fputc('\n', f);
    }
    if (r->num_layers == 0) {
        fputs("no S/MIME layer\n", f);
    }
    for (size_t i = 0; i < r->num_layers; i++) {
        const cachet_layer_report *l = &r->layers[i];
        fprintf(f, "layer %zu: %s%s", i + 1, cachet_layer_type_name(l->type),
                is_empty_layer(l) ? " (empty: no signers)" : "");
        if (l->part[0] != '\0') {
            fputs(" at part ", f);
            cachet_cli_put_escaped(f, l->part);
        }
        if (l->content_type[0] != '\0') {
            fputs(", content ", f);
            cachet_cli_put_escaped(f, l->content_type);
        }
        if (l->type == CACHET_LAYER_SIGNED) {
            fprintf(f, ", %s, %zu signer(s)\n", l->detached ? "detached" : "encapsulated",
                    l->num_signers);
            for (size_t j = 0; j < l->num_signers; j++) {
                const cachet_signer_report *s = &l->signers[j];
                fprintf(f, "  signer %zu: ", j + 1);
                cachet_cli_put_escaped(f, s->subject[0] != '\0' ? s->subject : "(no certificate)");
                for (size_t k = 0; k < s->num_emails; k++) {
                    fputs(k == 0 ? " <" : ", ", f);
                    cachet_cli_put_escaped(f, s->emails[k]);
                }
                fputs(s->num_emails > 0 ? ">\n" : "\n", f);
                fputs("    ", f);
                cachet_cli_put_escaped(f, s->algorithm);
                fputs(" with ", f);
                cachet_cli_put_escaped(f, s->digest);
                if (s->has_signing_time) {
                    char t[32];
                    cachet_cli_format_time(s->signing_time, t, sizeof(t));
                    fprintf(f, ", signed at %s", t);
                }
                fputs(s->weak ? ", WEAK" : "", f);
                fputc('\n', f);
                if (s->has_signature_type) {
                    char types[64];
                    sig_types_text(s->signature_types, types, sizeof(types));
                    fprintf(f, "    signature type: %s\n", types);
                }
                cachet_cli_text_ess(f, "    ", s);
                cachet_cli_text_countersigners(f, "    ", s);
            }
            cachet_cli_text_receipt(f, "  ", l);
        } else if (l->type == CACHET_LAYER_COMPRESSED) {
            fputs(", ", f);
            cachet_cli_put_escaped(f, l->compression);
            fputc('\n', f);
        } else if (l->type == CACHET_LAYER_DIGESTED) {
            fputs(", ", f);
            cachet_cli_put_escaped(f, l->digest_algorithm);
            fputs(" digest (integrity only, not a signature)", f);
            fputs(l->weak ? ", WEAK\n" : "\n", f);
        } else if (l->type == CACHET_LAYER_DATA) {
            fputc('\n', f);
        } else {
            fputs(", ", f);
            cachet_cli_put_escaped(f, l->cipher);
            fputs(l->authenticated ? " (authenticated)" : " (NOT authenticated)", f);
            if (l->type == CACHET_LAYER_ENCRYPTED) {
                fputs(", a shared key (EncryptedData)", f);
            } else {
                fputs(", key management ", f);
                cachet_cli_put_escaped(f, l->key_management);
                fprintf(f, ", %zu recipient(s)", l->num_recipients);
            }
            fputs(l->weak ? (is_legacy_cipher(l->cipher) ? ", LEGACY\n" : ", WEAK\n") : "\n", f);
        }
    }
}
