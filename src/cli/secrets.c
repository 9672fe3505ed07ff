/* Secrets shared out of band: --secret-key HEX [--key-id ID] (KEKRecipientInfo,
 * or the content key of an EncryptedData) and passwords (RFC 3211). Key bytes
 * and passwords are wiped when freed and never printed, not even in an error. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CACHET_CLI_MAX_PASSWORD 4096
#define CACHET_CLI_MAX_KEY_ID 1024

static void wipe(void *p, size_t n) {
    volatile unsigned char *v = p;
    while (n-- > 0) {
        *v++ = 0;
    }
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* hex_decode decodes |hex| (an even number of digits, nothing else) into a
 * malloc'd buffer. Returns false for anything that is not exactly that. */
static bool hex_decode(const char *hex, uint8_t **out, size_t *out_len) {
    size_t n = strlen(hex);
    if (n == 0 || n % 2 != 0) {
        return false;
    }
    uint8_t *buf = malloc(n / 2);
    if (buf == NULL) {
        return false;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            wipe(buf, n / 2);
            free(buf);
            return false;
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    *out = buf;
    *out_len = n / 2;
    return true;
}

static bool all_hex(const char *s) {
    for (; *s != '\0'; s++) {
        if (hex_value(*s) < 0) {
            return false;
        }
    }
    return true;
}

static int load_key(const cachet_cli_opts *o, const char *hex, cachet_secret_key *k) {
    size_t digits = strlen(hex);
    /* The value is a secret: the messages say what is wrong with it, never what it is. */
    if (digits == 0 || !all_hex(hex)) {
        return cachet_cli_usage_error(o->cmd, "--secret-key takes hex digits (0-9, a-f): 32, 48 "
                                              "or 64 of them for a 16, 24 or 32-byte key");
    }
    if (digits % 2 != 0) {
        return cachet_cli_usage_error(o->cmd, "--secret-key has an odd number of hex digits (%zu)",
                                      digits);
    }
    if (digits != 32 && digits != 48 && digits != 64) {
        return cachet_cli_usage_error(o->cmd, "--secret-key must be 16, 24 or 32 bytes (got %zu)",
                                      digits / 2);
    }
    uint8_t *key = NULL;
    size_t key_len = 0;
    if (!hex_decode(hex, &key, &key_len)) {
        return CACHET_EXIT_INPUT;
    }
    k->key = key;
    k->key_len = key_len;
    return -1;
}

static int load_id(const cachet_cli_opts *o, const char *id, cachet_secret_key *k) {
    uint8_t *buf = NULL;
    size_t len = 0;
    if (strncmp(id, "hex:", 4) == 0) {
        if (!all_hex(id + 4) || strlen(id + 4) % 2 != 0 || id[4] == '\0') {
            return cachet_cli_usage_error(o->cmd, "--key-id hex:... takes an even number of hex "
                                                  "digits (0-9, a-f)");
        }
        if (!hex_decode(id + 4, &buf, &len)) {
            return CACHET_EXIT_INPUT;
        }
    } else {
        len = strlen(id);
        if (len == 0) {
            return cachet_cli_usage_error(o->cmd, "--key-id must not be empty");
        }
        buf = malloc(len);
        if (buf == NULL) {
            return CACHET_EXIT_INPUT;
        }
        memcpy(buf, id, len);
    }
    if (len > CACHET_CLI_MAX_KEY_ID) {
        free(buf);
        return cachet_cli_usage_error(o->cmd, "--key-id is longer than %d bytes",
                                      CACHET_CLI_MAX_KEY_ID);
    }
    k->id = buf;
    k->id_len = len;
    return -1;
}

/* password_from_file: the whole file less one trailing newline (LF or CRLF), so
 * that `echo secret > F` and a file written without one give the same password. */
static int password_from_file(const cachet_cli_opts *o, const char *path, char **out) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cachet_cli_errorf(o->cmd, "cannot open password file %s: %s", path, strerror(errno));
        return CACHET_EXIT_USAGE;
    }
    char *buf = calloc(1, CACHET_CLI_MAX_PASSWORD + 3);
    if (buf == NULL) {
        fclose(f);
        return CACHET_EXIT_INPUT;
    }
    size_t n = fread(buf, 1, CACHET_CLI_MAX_PASSWORD + 2, f);
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        cachet_cli_free_pass(buf);
        cachet_cli_errorf(o->cmd, "cannot read password file %s", path);
        return CACHET_EXIT_USAGE;
    }
    if (n > 0 && buf[n - 1] == '\n') {
        buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '\r') {
            buf[--n] = '\0';
        }
    }
    const char *bad = n > CACHET_CLI_MAX_PASSWORD    ? "is longer than 4096 bytes"
                      : n == 0                       ? "is empty"
                      : memchr(buf, '\0', n) != NULL ? "holds a NUL byte"
                                                     : NULL;
    if (bad != NULL) {
        wipe(buf, CACHET_CLI_MAX_PASSWORD + 3);
        free(buf);
        return cachet_cli_usage_error(o->cmd, "password file %s %s", path, bad);
    }
    *out = buf;
    return -1;
}

static int load_password(const cachet_cli_opts *o, const cachet_cli_password_arg *p, char **out) {
    const char *value = p->value;
    switch (p->kind) {
        case CACHET_CLI_PASSWORD_FILE:
            return password_from_file(o, p->value, out);
        case CACHET_CLI_PASSWORD_ENV:
            value = getenv(p->value);
            if (value == NULL) {
                return cachet_cli_usage_error(
                    o->cmd, "--password-env %s: environment variable %s is not set", p->value,
                    p->value);
            }
            if (value[0] == '\0') {
                return cachet_cli_usage_error(o->cmd,
                                              "--password-env %s: environment variable %s is empty",
                                              p->value, p->value);
            }
            break;
        case CACHET_CLI_PASSWORD_TEXT:
            /* ATTACKS CL-05: the command line is visible to every user (ps, /proc). */
            fprintf(stderr,
                    "cachet %s: warning: --password is visible to other users of this machine "
                    "(ps); prefer --password-file F or --password-env VAR\n",
                    o->cmd);
            if (value[0] == '\0') {
                return cachet_cli_usage_error(o->cmd, "--password must not be empty");
            }
            break;
    }
    if (strlen(value) > CACHET_CLI_MAX_PASSWORD) {
        return cachet_cli_usage_error(o->cmd, "a password longer than %d bytes",
                                      CACHET_CLI_MAX_PASSWORD);
    }
    *out = strdup(value);
    return *out != NULL ? -1 : CACHET_EXIT_INPUT;
}

int cachet_cli_check_secret_opts(const cachet_cli_opts *o) {
    if (o->pbkdf2_iterations != 0 && o->num_passwords == 0) {
        return cachet_cli_usage_error(
            o->cmd, "--pbkdf2-iterations is for --password, --password-file or --password-env");
    }
    return -1;
}

int cachet_cli_load_secrets(const cachet_cli_opts *o, cachet_cli_secrets *out) {
    memset(out, 0, sizeof(*out));
    if (o->num_secrets == 0 && o->num_passwords == 0) {
        return -1;
    }
    cachet_cli_protect_process();
    out->keys = calloc(o->num_secrets + 1, sizeof(*out->keys));
    out->passwords = calloc(o->num_passwords + 1, sizeof(*out->passwords));
    if (out->keys == NULL || out->passwords == NULL) {
        return CACHET_EXIT_INPUT;
    }
    for (size_t i = 0; i < o->num_secrets; i++) {
        int r = load_key(o, o->secrets[i].key_hex, &out->keys[i]);
        if (r < 0 && o->secrets[i].id != NULL) {
            r = load_id(o, o->secrets[i].id, &out->keys[i]);
        }
        out->num_keys = i + 1;
        if (r >= 0) {
            return r;
        }
    }
    for (size_t i = 0; i < o->num_passwords; i++) {
        int r = load_password(o, &o->passwords[i], &out->passwords[i]);
        out->num_passwords = i + 1;
        if (r >= 0) {
            return r;
        }
    }
    return -1;
}

void cachet_cli_free_secrets(cachet_cli_secrets *s) {
    for (size_t i = 0; s->keys != NULL && i < s->num_keys; i++) {
        if (s->keys[i].key != NULL) {
            wipe((void *)s->keys[i].key, s->keys[i].key_len);
        }
        free((void *)s->keys[i].key);
        free((void *)s->keys[i].id);
    }
    for (size_t i = 0; s->passwords != NULL && i < s->num_passwords; i++) {
        cachet_cli_free_pass(s->passwords[i]);
    }
    free(s->keys);
    free(s->passwords);
    memset(s, 0, sizeof(*s));
}
