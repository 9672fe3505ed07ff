/* cachet encrypt: enveloped-data (CBC) or authEnveloped-data (GCM, CCM,
 * ChaCha20-Poly1305). A --to that names an existing file is a certificate file;
 * anything else is an address looked up in the store (the library picks the
 * certificate, checks it and, without --cipher, the algorithms the recipients
 * advertised). --secret-key/--key-id pairs add KEK recipients, passwords add
 * password recipients; --encrypted-data makes an EncryptedData with one key. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct recipients {
    cachet_cli_to to;
    cachet_cli_secrets secrets;
} recipients;

/* cbc_for_key: the --cipher an EncryptedData with a key of |len| bytes uses. */
static bool cbc_for_key(size_t len, cachet_cipher_choice *out, const char **name) {
    switch (len) {
        case 16:
            *out = CACHET_CIPHER_CHOICE_AES128_CBC;
            *name = "aes-128-cbc";
            return true;
        case 24:
            *out = CACHET_CIPHER_CHOICE_AES192_CBC;
            *name = "aes-192-cbc";
            return true;
        case 32:
            *out = CACHET_CIPHER_CHOICE_AES256_CBC;
            *name = "aes-256-cbc";
            return true;
        default:
            return false;
    }
}

/* check_encrypted_data: --encrypted-data is one --secret-key and nothing else
 * that names a recipient (an EncryptedData has no RecipientInfos). */
static int check_encrypted_data(const cachet_cli_opts *o) {
    const char *bad = o->num_to > 0                                     ? "--to"
                      : o->num_passwords > 0                            ? "a password"
                      : o->oaep                                         ? "--oaep"
                      : o->revocation_set                               ? "--revocation"
                      : o->store != NULL                                ? "--store"
                      : o->num_secrets > 1                              ? "a second --secret-key"
                      : o->num_secrets == 1 && o->secrets[0].id != NULL ? "--key-id"
                                                                        : NULL;
    if (bad != NULL) {
        return cachet_cli_usage_error(o->cmd,
                                      "--encrypted-data has no recipients, only the one "
                                      "--secret-key HEX (no --key-id); %s does not apply",
                                      bad);
    }
    if (o->num_secrets == 0) {
        return cachet_cli_usage_error(o->cmd, "--encrypted-data needs --secret-key HEX (the "
                                              "content key, shared out of band)");
    }
    return -1;
}

/* check_secrets: the options of the KEK and password recipients, before anything is read. */
static int check_secrets(const cachet_cli_opts *o) {
    int r = cachet_cli_check_secret_opts(o);
    if (r >= 0) {
        return r;
    }
    if (o->encrypted_data) {
        return check_encrypted_data(o);
    }
    for (size_t i = 0; i < o->num_secrets; i++) {
        if (o->secrets[i].id == NULL) {
            return cachet_cli_usage_error(o->cmd,
                                          "--secret-key needs --key-id ID after it (the name the "
                                          "recipient knows the key by), or use --encrypted-data");
        }
    }
    if (o->num_to == 0 && o->num_secrets == 0 && o->num_passwords == 0) {
        return cachet_cli_usage_error(o->cmd,
                                      "at least one --to CERT is required (a certificate file, or "
                                      "an address looked up in the store), or --secret-key HEX "
                                      "--key-id ID, or --password-file F / --password-env VAR");
    }
    return -1;
}

/* load_secrets reads the keys and passwords; an EncryptedData's cipher is the
 * AES-CBC of its key's size, which --cipher may name but not change. */
static int load_secrets(cachet_cli_opts *o, recipients *rc) {
    int r = cachet_cli_load_secrets(o, &rc->secrets);
    if (r >= 0) {
        return r;
    }
    if (!o->encrypted_data) {
        /* RFC 3565 §2.3.2: a KEK no shorter than the content key. Without
         * --cipher, the default AES-GCM shrinks to the shortest --secret-key
         * rather than refusing it; a --cipher that asks for more is refused
         * by the library, naming both. */
        size_t shortest = 32;
        for (size_t i = 0; i < rc->secrets.num_keys; i++) {
            shortest =
                rc->secrets.keys[i].key_len < shortest ? rc->secrets.keys[i].key_len : shortest;
        }
        if (!o->cipher_set && shortest < 32) {
            o->cipher =
                shortest == 16 ? CACHET_CIPHER_CHOICE_AES128_GCM : CACHET_CIPHER_CHOICE_AES192_GCM;
        }
        return -1;
    }
    cachet_cipher_choice want;
    const char *name = NULL;
    if (!cbc_for_key(rc->secrets.keys[0].key_len, &want, &name)) {
        return CACHET_EXIT_INPUT;
    }
    if (o->cipher_set && o->cipher != want) {
        return cachet_cli_usage_error(o->cmd,
                                      "--encrypted-data encrypts with the AES-CBC of the key's "
                                      "size: a %zu-byte --secret-key means --cipher %s",
                                      rc->secrets.keys[0].key_len, name);
    }
    o->cipher = want;
    return -1;
}

/* load_recipients checks the recipient options and loads each certificate
 * file --to names, the keys and the passwords. */
static int load_recipients(cachet_cli_opts *o, void *arg) {
    recipients *rc = arg;
    int r = check_secrets(o);
    if (r >= 0) {
        return r;
    }
    r = cachet_cli_load_to(o, true, &rc->to);
    if (r >= 0) {
        return r;
    }
    return load_secrets(o, rc);
}

static cachet_op *make_encrypt(const cachet_cli_op_env *e) {
    const recipients *rc = e->arg;
    cachet_encrypt_opts eo = {.recipients = rc->to.certs, .num_recipients = rc->to.num_certs};
    eo.cipher = e->o->cipher;
    eo.oaep = e->o->oaep;
    eo.raw = e->o->raw;
    eo.format = e->o->format;
    eo.to_addresses = rc->to.addresses;
    eo.num_to_addresses = rc->to.num_addresses;
    /* Addresses bring what their owners advertised: the choice is the
     * library's unless --cipher says otherwise. */
    eo.cipher_auto = rc->to.num_addresses > 0 && !e->o->cipher_set;
    eo.secret_keys = rc->secrets.keys;
    eo.num_secret_keys = rc->secrets.num_keys;
    eo.passwords = (const char *const *)rc->secrets.passwords;
    eo.num_passwords = rc->secrets.num_passwords;
    eo.pbkdf2_iterations = e->o->pbkdf2_iterations;
    eo.encrypted_data = e->o->encrypted_data;
    /* --raw from a regular file: definite lengths throughout */
    eo.content_size_known = cachet_cli_input_size(e->o, &eo.content_size);
    return cachet_encrypt_new(e->ctx, &eo, e->sink, e->err);
}

int cachet_cmd_encrypt(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed = CACHET_CLI_COMMON_GEN | CACHET_OPT_BIT(CACHET_OPT_TO) |
                   CACHET_OPT_BIT(CACHET_OPT_CIPHER) | CACHET_OPT_BIT(CACHET_OPT_OAEP) |
                   CACHET_OPT_BIT(CACHET_OPT_ALLOW_WEAK) | CACHET_OPT_BIT(CACHET_OPT_STORE) |
                   CACHET_OPT_BIT(CACHET_OPT_REVOCATION) | CACHET_OPT_BIT(CACHET_OPT_SECRET_KEY) |
                   CACHET_OPT_BIT(CACHET_OPT_KEY_ID) | CACHET_OPT_BIT(CACHET_OPT_PASSWORD) |
                   CACHET_OPT_BIT(CACHET_OPT_PASSWORD_FILE) |
                   CACHET_OPT_BIT(CACHET_OPT_PASSWORD_ENV) |
                   CACHET_OPT_BIT(CACHET_OPT_PBKDF2_ITERATIONS) |
                   CACHET_OPT_BIT(CACHET_OPT_ENCRYPTED_DATA),
        .format_rules = true,
        .cannot = "cannot encrypt",
        .failed = "encryption failed",
        .revocation_default = CACHET_REVOCATION_SOFT,
        .prepare = load_recipients,
        .make = make_encrypt};
    recipients rc = {0};
    int r = cachet_cli_op_main(argc, argv, &cmd, &rc);
    cachet_cli_to_free(&rc.to);
    cachet_cli_free_secrets(&rc.secrets);
    return r;
}
