/* Error messages and exit statuses. Every message names the subcommand, what
 * failed, why, and where (ASN.1 path or MIME part, byte offset); text that may
 * come from an attacker is escaped before it reaches the terminal. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cachet_cli_exit_code(cachet_status st) {
    switch (st) {
        case CACHET_OK:
            return CACHET_EXIT_OK;
        case CACHET_ERR_USAGE:
        case CACHET_ERR_KEY:
            return CACHET_EXIT_USAGE;
        case CACHET_ERR_POLICY:
        case CACHET_ERR_NO_SIGNERS:
        case CACHET_ERR_CONTENT_CONFLICT:
        case CACHET_ERR_ATTRIBUTES:
        case CACHET_ERR_BAD_SIGNATURE:
        case CACHET_ERR_UNTRUSTED:
        case CACHET_ERR_NO_RECIPIENT:
        case CACHET_ERR_DECRYPT:
        case CACHET_ERR_RECEIPT:
            return CACHET_EXIT_FAIL;
        case CACHET_ERR_MALFORMED:
        case CACHET_ERR_UNSUPPORTED:
        case CACHET_ERR_LIMIT:
        case CACHET_ERR_IO:
        case CACHET_ERR_NOMEM:
        case CACHET_ERR_INTERNAL:
            return CACHET_EXIT_INPUT;
    }
    return CACHET_EXIT_INPUT;
}

void cachet_cli_put_escaped(FILE *f, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
            fputc(*p, f);
        } else if (*p == '\\') {
            fputs("\\\\", f);
        } else {
            fprintf(f, "\\x%02x", *p);
        }
    }
}

const char *cachet_cli_hint(cachet_status st, const char *message) {
    const char *msg = message != NULL ? message : "";
    /* A SignerInfo without signed attributes (SG-03) is accepted with --allow-weak. */
    if (st == CACHET_ERR_ATTRIBUTES && strstr(msg, "weak algorithms are allowed") != NULL) {
        return "signatures without signed attributes are refused by default; --allow-weak "
               "accepts them (reported weak)";
    }
    /* POLICY also covers refusals that no option lifts (GCM parameters outside
     * RFC 5084, AEAD substitution): only legacy and weak algorithms and short
     * keys get the --allow-legacy hint. */
    if (st == CACHET_ERR_POLICY && strstr(msg, "weak") == NULL && strstr(msg, "legacy") == NULL &&
        strstr(msg, "< 2048") == NULL) {
        return NULL;
    }
    switch (st) {
        case CACHET_ERR_UNTRUSTED:
            return "give the signer's CA certificate with --trust F (and check --at)";
        case CACHET_ERR_NO_RECIPIENT:
            return "the message is not encrypted to what was given: use the recipient's "
                   "--cert/--key (or --p12), the --secret-key with its --key-id, or the password";
        case CACHET_ERR_POLICY:
            return "the legacy algorithm or short key is refused by default; --allow-legacy "
                   "accepts it (reported weak)";
        case CACHET_ERR_KEY:
            return "check the file names, the file format (PEM/DER, PKCS#8, PKCS#12) and --pass";
        case CACHET_ERR_LIMIT: {
            /* A tunable limit names its --limit; a fixed one is a protocol cap. */
            const char *h = cachet_cli_limit_hint(message);
            return h != NULL ? h
                             : "the input exceeds a fixed safety limit (see doc/limits.md) and "
                               "was not processed";
        }
        case CACHET_ERR_INTERNAL:
            return "this is a bug in cachet: please report it";
        default:
            return NULL;
    }
}

void cachet_cli_put_where(FILE *f, const cachet_error *e) {
    if (e == NULL || (e->where[0] == '\0' && e->offset < 0)) {
        return;
    }
    fputs(" (", f);
    if (e->where[0] != '\0') {
        fputs("at ", f);
        cachet_cli_put_escaped(f, e->where);
    }
    if (e->offset >= 0) {
        fprintf(f, "%sbyte %lld", e->where[0] != '\0' ? ", " : "", e->offset);
    }
    fputc(')', f);
}

void cachet_cli_error(const char *cmd, const char *what, const cachet_error *e) {
    cachet_cli_error_hint(cmd, what, e, true);
}

void cachet_cli_error_hint(const char *cmd, const char *what, const cachet_error *e,
                           bool with_hint) {
    fprintf(stderr, "cachet %s: %s: ", cmd, what);
    if (e == NULL || e->message[0] == '\0') {
        fputs(e != NULL ? cachet_status_str(e->status) : "failed", stderr);
    } else {
        cachet_cli_put_escaped(stderr, e->message);
    }
    cachet_cli_put_where(stderr, e);
    fputc('\n', stderr);
    const char *h = e != NULL && with_hint ? cachet_cli_hint(e->status, e->message) : NULL;
    if (h != NULL) {
        fprintf(stderr, "cachet %s: %s\n", cmd, h);
    }
}

/* verrorf prints "cachet <cmd>: <message>", the message escaped. */
__attribute__((format(printf, 2, 0))) static void verrorf(const char *cmd, const char *fmt,
                                                          va_list ap) {
    char buf[1024];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    fprintf(stderr, "cachet %s: ", cmd);
    cachet_cli_put_escaped(stderr, buf);
    fputc('\n', stderr);
}

void cachet_cli_errorf(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verrorf(cmd, fmt, ap);
    va_end(ap);
}

int cachet_cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verrorf(cmd, fmt, ap);
    va_end(ap);
    cachet_cli_usage_line(stderr, cmd);
    return CACHET_EXIT_USAGE;
}
