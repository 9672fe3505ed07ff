/* Option parsing shared by the subcommands: one table of every option, each
 * subcommand accepting a subset, so names and spellings stay identical. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct opt_def {
    const char *name;
    int has_arg;
} opt_def;

static const opt_def defs[CACHET_OPT__COUNT] = {
    [CACHET_OPT_IN] = {"in", required_argument},
    [CACHET_OPT_OUT] = {"out", required_argument},
    [CACHET_OPT_PASS] = {"pass", required_argument},
    [CACHET_OPT_P12] = {"p12", required_argument},
    [CACHET_OPT_CERT] = {"cert", required_argument},
    [CACHET_OPT_KEY] = {"key", required_argument},
    [CACHET_OPT_CHAIN] = {"chain", required_argument},
    [CACHET_OPT_OPAQUE] = {"opaque", no_argument},
    [CACHET_OPT_DETACHED] = {"detached", no_argument},
    [CACHET_OPT_DIGEST] = {"digest", required_argument},
    [CACHET_OPT_PSS] = {"pss", no_argument},
    [CACHET_OPT_RAW] = {"raw", no_argument},
    [CACHET_OPT_FORMAT] = {"format", required_argument},
    [CACHET_OPT_TRUST] = {"trust", required_argument},
    [CACHET_OPT_JSON] = {"json", no_argument},
    [CACHET_OPT_NO_ADDRESS_CHECK] = {"no-address-check", no_argument},
    [CACHET_OPT_ALLOW_WEAK] = {"allow-weak", no_argument},
    [CACHET_OPT_AT] = {"at", required_argument},
    [CACHET_OPT_CONTENT] = {"content", required_argument},
    [CACHET_OPT_TO] = {"to", required_argument},
    [CACHET_OPT_CIPHER] = {"cipher", required_argument},
    [CACHET_OPT_OAEP] = {"oaep", no_argument},
    [CACHET_OPT_STORE] = {"store", required_argument},
    [CACHET_OPT_AS] = {"as", required_argument},
    [CACHET_OPT_REVOCATION] = {"revocation", required_argument},
    [CACHET_OPT_HARVEST] = {"harvest", no_argument},
    [CACHET_OPT_ANCHOR] = {"anchor", no_argument},
    [CACHET_OPT_P12_FLAG] = {"p12", no_argument},
    [CACHET_OPT_PKCS11] = {"pkcs11", required_argument},
    [CACHET_OPT_EMAIL] = {"email", required_argument},
    [CACHET_OPT_NEW] = {"new", required_argument},
    [CACHET_OPT_KEY_OUT] = {"key-out", required_argument},
    [CACHET_OPT_MIME] = {"mime", no_argument},
    [CACHET_OPT_TIMEOUT] = {"timeout", required_argument},
    [CACHET_OPT_SIGNATURE_TYPE] = {"signature-type", required_argument},
    [CACHET_OPT_EMPTY] = {"empty", no_argument},
    [CACHET_OPT_ALLOW_LEGACY] = {"allow-legacy", no_argument},
    [CACHET_OPT_SECRET_KEY] = {"secret-key", required_argument},
    [CACHET_OPT_KEY_ID] = {"key-id", required_argument},
    [CACHET_OPT_PASSWORD] = {"password", required_argument},
    [CACHET_OPT_PASSWORD_FILE] = {"password-file", required_argument},
    [CACHET_OPT_PASSWORD_ENV] = {"password-env", required_argument},
    [CACHET_OPT_PBKDF2_ITERATIONS] = {"pbkdf2-iterations", required_argument},
    [CACHET_OPT_ENCRYPTED_DATA] = {"encrypted-data", no_argument},
    [CACHET_OPT_RECEIPT_REQUEST] = {"receipt-request", required_argument},
    [CACHET_OPT_RECEIPTS_TO] = {"receipts-to", required_argument},
    [CACHET_OPT_SECURITY_LABEL] = {"security-label", required_argument},
    [CACHET_OPT_EQUIVALENT_LABEL] = {"equivalent-label", required_argument},
    [CACHET_OPT_CONTENT_HINT] = {"content-hint", required_argument},
    [CACHET_OPT_CONTENT_REFERENCE] = {"content-reference", required_argument},
    [CACHET_OPT_SIGNING_CERT_V1] = {"signing-certificate-v1", no_argument},
    [CACHET_OPT_SIGNATURE_POLICY] = {"signature-policy", required_argument},
    [CACHET_OPT_MULTIPLE_SIGNATURES] = {"multiple-signatures", no_argument},
    [CACHET_OPT_TRIPLE_WRAP] = {"triple-wrap", no_argument},
    [CACHET_OPT_RECEIPT_FOR] = {"receipt-for", required_argument},
    [CACHET_OPT_ML_IDENTITY] = {"ml-identity", required_argument},
    [CACHET_OPT_SIGNER] = {"signer", required_argument},
    [CACHET_OPT_CONTENT_IDENTIFIER] = {"content-identifier", no_argument},
    [CACHET_OPT_LIMIT] = {"limit", required_argument},
    [CACHET_OPT_HELP] = {"help", no_argument},
};

static bool push_str(const char ***list, size_t *num, const char *s) {
    const char **p = realloc((void *)*list, (*num + 1) * sizeof(**list));
    if (p == NULL) {
        return false;
    }
    p[*num] = s;
    *list = p;
    (*num)++;
    return true;
}

void cachet_cli_opts_free(cachet_cli_opts *o) {
    free((void *)o->chain);
    free((void *)o->trust);
    free((void *)o->to);
    free((void *)o->certs);
    free((void *)o->keys);
    free((void *)o->p12s);
    free(o->secrets);
    free(o->passwords);
    free((void *)o->receipts_to);
    free((void *)o->equivalent_labels);
    o->receipts_to = o->equivalent_labels = NULL;
    o->chain = o->trust = o->to = o->certs = o->keys = o->p12s = NULL;
    o->secrets = NULL;
    o->passwords = NULL;
}

/* add_cred_file records a --cert, --key or --p12; |first| keeps the first one
 * where the commands that take one key look. Repeated only when |multi|. */
static int add_cred_file(const char *cmd, bool multi, const char ***list, size_t *num,
                         const char **first, const char *name, const char *value) {
    if (*num > 0 && !multi) {
        return cachet_cli_usage_error(cmd, "--%s given twice", name);
    }
    if (!push_str(list, num, value)) {
        return CACHET_EXIT_INPUT;
    }
    *first = (*list)[0];
    return -1;
}

static int add_secret(cachet_cli_opts *o, const char *key_hex) {
    cachet_cli_secret_arg *p = realloc(o->secrets, (o->num_secrets + 1) * sizeof(*p));
    if (p == NULL) {
        return CACHET_EXIT_INPUT;
    }
    p[o->num_secrets++] = (cachet_cli_secret_arg){key_hex, NULL};
    o->secrets = p;
    return -1;
}

/* add_key_id names the --secret-key just before it (pairs are read in order,
 * so that several keys, some without an id, stay unambiguous). */
static int add_key_id(cachet_cli_opts *o, const char *id) {
    if (o->num_secrets == 0 || o->secrets[o->num_secrets - 1].id != NULL) {
        return cachet_cli_usage_error(o->cmd, "--key-id without --secret-key: give "
                                              "--secret-key HEX --key-id ID (in that order)");
    }
    o->secrets[o->num_secrets - 1].id = id;
    return -1;
}

static int add_password(cachet_cli_opts *o, cachet_cli_password_kind kind, const char *value) {
    cachet_cli_password_arg *p = realloc(o->passwords, (o->num_passwords + 1) * sizeof(*p));
    if (p == NULL) {
        return CACHET_EXIT_INPUT;
    }
    p[o->num_passwords++] = (cachet_cli_password_arg){kind, value};
    o->passwords = p;
    return -1;
}

/* The accepted --cipher names (the report's names), in the order of the message. */
static const struct {
    const char *name;
    cachet_cipher_choice choice;
} ciphers[] = {
    {"aes-256-gcm", CACHET_CIPHER_CHOICE_AES256_GCM},
    {"aes-192-gcm", CACHET_CIPHER_CHOICE_AES192_GCM},
    {"aes-128-gcm", CACHET_CIPHER_CHOICE_AES128_GCM},
    {"aes-256-ccm", CACHET_CIPHER_CHOICE_AES256_CCM},
    {"aes-128-ccm", CACHET_CIPHER_CHOICE_AES128_CCM},
    {"chacha20-poly1305", CACHET_CIPHER_CHOICE_CHACHA20_POLY1305},
    {"aes-256-cbc", CACHET_CIPHER_CHOICE_AES256_CBC},
    {"aes-192-cbc", CACHET_CIPHER_CHOICE_AES192_CBC},
    {"aes-128-cbc", CACHET_CIPHER_CHOICE_AES128_CBC},
};

static int parse_cipher(cachet_cli_opts *o, const char *arg) {
    if (o->cipher_set) {
        return cachet_cli_usage_error(o->cmd, "--cipher given twice");
    }
    for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
        if (strcmp(arg, ciphers[i].name) == 0) {
            o->cipher = ciphers[i].choice;
            o->cipher_set = true;
            return -1;
        }
    }
    return cachet_cli_usage_error(o->cmd,
                                  "--cipher must be aes-256-gcm, aes-192-gcm, aes-128-gcm, "
                                  "aes-256-ccm, aes-128-ccm, chacha20-poly1305, aes-256-cbc, "
                                  "aes-192-cbc or aes-128-cbc");
}

static int parse_iterations(cachet_cli_opts *o, const char *arg) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    /* The upper bound is the reader's limit (max_pbkdf2_iterations): more
     * would make a message that cachet itself refuses. */
    if (o->pbkdf2_iterations != 0) {
        return cachet_cli_usage_error(o->cmd, "--pbkdf2-iterations given twice");
    }
    if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || v < 1000 || v > 10000000) {
        return cachet_cli_usage_error(o->cmd, "--pbkdf2-iterations takes 1000 to 10000000");
    }
    o->pbkdf2_iterations = (uint32_t)v;
    return -1;
}

static int set_once(const char *cmd, const char **slot, const char *name, const char *value) {
    if (*slot != NULL) {
        return cachet_cli_usage_error(cmd, "--%s given twice", name);
    }
    *slot = value;
    return -1;
}

/* parse_signature_types adds the RFC 3183 §3.1.2 types named in a comma list. */
static bool parse_signature_types(const char *arg, unsigned *types) {
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"originator", CACHET_SIGTYPE_ORIGINATOR},
                 {"domain", CACHET_SIGTYPE_DOMAIN},
                 {"attributes", CACHET_SIGTYPE_ADD_ATTRIB},
                 {"review", CACHET_SIGTYPE_REVIEW}};
    const char *p = arg;
    for (;;) {
        size_t len = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !found; i++) {
            if (strlen(names[i].name) == len && strncmp(p, names[i].name, len) == 0) {
                *types |= names[i].bit;
                found = true;
            }
        }
        if (!found) {
            return false;
        }
        if (p[len] == '\0') {
            return true;
        }
        p += len + 1;
    }
}

static int apply(cachet_cli_opts *o, cachet_cli_opt_id id, const char *arg, bool multi) {
    const char *cmd = o->cmd;
    switch (id) {
        case CACHET_OPT_IN:
            return set_once(cmd, &o->in, "in", arg);
        case CACHET_OPT_OUT:
            return set_once(cmd, &o->out, "out", arg);
        case CACHET_OPT_PASS:
            return set_once(cmd, &o->pass, "pass", arg);
        case CACHET_OPT_P12:
            return add_cred_file(cmd, multi, &o->p12s, &o->num_p12s, &o->p12, "p12", arg);
        case CACHET_OPT_CERT:
            return add_cred_file(cmd, multi, &o->certs, &o->num_certs, &o->cert, "cert", arg);
        case CACHET_OPT_KEY:
            return add_cred_file(cmd, multi, &o->keys, &o->num_keys, &o->key, "key", arg);
        case CACHET_OPT_SECRET_KEY:
            return add_secret(o, arg);
        case CACHET_OPT_KEY_ID:
            return add_key_id(o, arg);
        case CACHET_OPT_PASSWORD:
            return add_password(o, CACHET_CLI_PASSWORD_TEXT, arg);
        case CACHET_OPT_PASSWORD_FILE:
            return add_password(o, CACHET_CLI_PASSWORD_FILE, arg);
        case CACHET_OPT_PASSWORD_ENV:
            return add_password(o, CACHET_CLI_PASSWORD_ENV, arg);
        case CACHET_OPT_PBKDF2_ITERATIONS:
            return parse_iterations(o, arg);
        case CACHET_OPT_ENCRYPTED_DATA:
            o->encrypted_data = true;
            return -1;
        case CACHET_OPT_CONTENT:
            return set_once(cmd, &o->content, "content", arg);
        case CACHET_OPT_STORE:
            return set_once(cmd, &o->store, "store", arg);
        case CACHET_OPT_AS:
            return set_once(cmd, &o->as, "as", arg);
        case CACHET_OPT_PKCS11:
            return set_once(cmd, &o->pkcs11, "pkcs11", arg);
        case CACHET_OPT_EMAIL:
            return set_once(cmd, &o->email, "email", arg);
        case CACHET_OPT_NEW:
            return set_once(cmd, &o->new_key, "new", arg);
        case CACHET_OPT_KEY_OUT:
            return set_once(cmd, &o->key_out, "key-out", arg);
        case CACHET_OPT_HARVEST:
            o->harvest = true;
            return -1;
        case CACHET_OPT_ANCHOR:
            o->anchor = true;
            return -1;
        case CACHET_OPT_P12_FLAG:
            o->p12_flag = true;
            return -1;
        case CACHET_OPT_MIME:
            o->mime = true;
            return -1;
        case CACHET_OPT_REVOCATION:
            if (o->revocation_set) {
                return cachet_cli_usage_error(cmd, "--revocation given twice");
            }
            if (!cachet_cli_parse_revocation(arg, &o->revocation)) {
                return cachet_cli_usage_error(cmd, "--revocation must be none, soft or hard");
            }
            o->revocation_set = true;
            return -1;
        case CACHET_OPT_TIMEOUT: {
            char *end = NULL;
            errno = 0;
            long v = strtol(arg, &end, 10);
            if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > 600) {
                return cachet_cli_usage_error(cmd, "--timeout takes seconds, 1 to 600");
            }
            o->timeout = (int)v;
            return -1;
        }
        case CACHET_OPT_CHAIN:
            return push_str(&o->chain, &o->num_chain, arg) ? -1 : CACHET_EXIT_INPUT;
        case CACHET_OPT_TRUST:
            return push_str(&o->trust, &o->num_trust, arg) ? -1 : CACHET_EXIT_INPUT;
        case CACHET_OPT_TO:
            return push_str(&o->to, &o->num_to, arg) ? -1 : CACHET_EXIT_INPUT;
        case CACHET_OPT_OPAQUE:
            o->opaque = true;
            return -1;
        case CACHET_OPT_DETACHED:
            o->detached = true;
            return -1;
        case CACHET_OPT_PSS:
            o->pss = true;
            return -1;
        case CACHET_OPT_RAW:
            o->raw = true;
            return -1;
        case CACHET_OPT_JSON:
            o->json = true;
            return -1;
        case CACHET_OPT_NO_ADDRESS_CHECK:
            o->no_address_check = true;
            return -1;
        case CACHET_OPT_ALLOW_WEAK:
        case CACHET_OPT_ALLOW_LEGACY:
            o->allow_weak = true;
            return -1;
        case CACHET_OPT_OAEP:
            o->oaep = true;
            return -1;
        case CACHET_OPT_DIGEST:
            if (strcmp(arg, "sha256") == 0) {
                o->digest = CACHET_DIGEST_SHA256;
            } else if (strcmp(arg, "sha384") == 0) {
                o->digest = CACHET_DIGEST_SHA384;
            } else if (strcmp(arg, "sha512") == 0) {
                o->digest = CACHET_DIGEST_SHA512;
            } else {
                return cachet_cli_usage_error(cmd, "--digest must be sha256, sha384 or sha512");
            }
            return -1;
        case CACHET_OPT_CIPHER:
            return parse_cipher(o, arg);
        case CACHET_OPT_FORMAT:
            if (o->format_set) {
                return cachet_cli_usage_error(cmd, "--format given twice");
            }
            if (strcmp(arg, "smime") == 0) {
                o->format = CACHET_FORMAT_SMIME;
            } else if (strcmp(arg, "der") == 0) {
                o->format = CACHET_FORMAT_DER;
            } else if (strcmp(arg, "pem") == 0) {
                o->format = CACHET_FORMAT_PEM;
            } else {
                return cachet_cli_usage_error(cmd, "--format must be smime, der or pem");
            }
            o->format_set = true;
            return -1;
        case CACHET_OPT_AT:
            if (!cachet_cli_parse_time(arg, &o->at)) {
                return cachet_cli_usage_error(
                    cmd, "--at takes seconds since the epoch, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
            }
            o->at_set = true;
            return -1;
        case CACHET_OPT_SIGNATURE_TYPE:
            if (!parse_signature_types(arg, &o->signature_types)) {
                return cachet_cli_usage_error(
                    cmd, "--signature-type takes originator, domain, attributes or review "
                         "(repeatable, or a comma list)");
            }
            return -1;
        case CACHET_OPT_EMPTY:
            o->empty = true;
            return -1;
        case CACHET_OPT_RECEIPTS_TO:
            return push_str(&o->receipts_to, &o->num_receipts_to, arg) ? -1 : CACHET_EXIT_INPUT;
        case CACHET_OPT_EQUIVALENT_LABEL:
            return push_str(&o->equivalent_labels, &o->num_equivalent_labels, arg)
                       ? -1
                       : CACHET_EXIT_INPUT;
        case CACHET_OPT_SIGNING_CERT_V1:
            o->signing_cert_v1 = true;
            return -1;
        case CACHET_OPT_MULTIPLE_SIGNATURES:
            o->multiple_signatures = true;
            return -1;
        case CACHET_OPT_TRIPLE_WRAP:
            o->triple_wrap = true;
            return -1;
        case CACHET_OPT_CONTENT_IDENTIFIER:
            o->content_identifier = true;
            return -1;
        case CACHET_OPT_RECEIPT_REQUEST:
            return set_once(cmd, &o->receipt_request, "receipt-request", arg);
        case CACHET_OPT_SECURITY_LABEL:
            return set_once(cmd, &o->security_label, "security-label", arg);
        case CACHET_OPT_CONTENT_HINT:
            return set_once(cmd, &o->content_hint, "content-hint", arg);
        case CACHET_OPT_CONTENT_REFERENCE:
            return set_once(cmd, &o->content_reference, "content-reference", arg);
        case CACHET_OPT_SIGNATURE_POLICY:
            return set_once(cmd, &o->signature_policy, "signature-policy", arg);
        case CACHET_OPT_RECEIPT_FOR:
            return set_once(cmd, &o->receipt_for, "receipt-for", arg);
        case CACHET_OPT_ML_IDENTITY:
            return set_once(cmd, &o->ml_identity, "ml-identity", arg);
        case CACHET_OPT_SIGNER:
            return set_once(cmd, &o->signer, "signer", arg);
        case CACHET_OPT_LIMIT:
            return cachet_cli_parse_limit(o, arg);
        case CACHET_OPT_HELP:
            cachet_cli_usage_line(stdout, cmd);
            return CACHET_EXIT_OK;
        case CACHET_OPT__COUNT:
            break;
    }
    return CACHET_EXIT_INPUT;
}

bool cachet_cli_parse_revocation(const char *s, cachet_revocation_policy *out) {
    if (strcmp(s, "none") == 0) {
        *out = CACHET_REVOCATION_NONE;
    } else if (strcmp(s, "soft") == 0) {
        *out = CACHET_REVOCATION_SOFT;
    } else if (strcmp(s, "hard") == 0) {
        *out = CACHET_REVOCATION_HARD;
    } else {
        return false;
    }
    return true;
}

int cachet_cli_parse(cachet_cli_opts *o, int argc, char **argv, uint64_t allowed) {
    memset(o, 0, sizeof(*o));
    o->cmd = argv[0];
    allowed |= CACHET_OPT_BIT(CACHET_OPT_HELP);
    struct option longopts[CACHET_OPT__COUNT + 1];
    size_t n = 0;
    for (int id = 0; id < CACHET_OPT__COUNT; id++) {
        /* "--p12" is a flag for certs import and takes a file elsewhere: only
         * the spelling the command accepts is known to getopt. */
        bool flag = (allowed & CACHET_OPT_BIT(CACHET_OPT_P12_FLAG)) != 0;
        if ((id == CACHET_OPT_P12 && flag) || (id == CACHET_OPT_P12_FLAG && !flag)) {
            continue;
        }
        /* Every option is known to getopt so that a misplaced one gets a clear
         * message instead of "unrecognized option". */
        longopts[n++] = (struct option){defs[id].name, defs[id].has_arg, NULL, 1000 + id};
    }
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    opterr = 0;
    optind = 1;
    for (;;) {
        int c = getopt_long(argc, argv, ":", longopts, NULL);
        if (c == -1) {
            break;
        }
        if (c == ':') {
            return cachet_cli_usage_error(o->cmd, "option '%s' needs a value", argv[optind - 1]);
        }
        if (c < 1000 || c >= 1000 + CACHET_OPT__COUNT) {
            return cachet_cli_usage_error(o->cmd, "unknown option '%s'", argv[optind - 1]);
        }
        cachet_cli_opt_id id = (cachet_cli_opt_id)(c - 1000);
        /* --allow-legacy is --allow-weak under its issue-5 name: one goes where the other does. */
        cachet_cli_opt_id as = id == CACHET_OPT_ALLOW_LEGACY ? CACHET_OPT_ALLOW_WEAK : id;
        if ((allowed & CACHET_OPT_BIT(as)) == 0) {
            return cachet_cli_usage_error(o->cmd, "option --%s does not apply to '%s'",
                                          defs[id].name, o->cmd);
        }
        int r = apply(o, id, optarg, (allowed & CACHET_OPT_MULTI_CRED) != 0);
        if (r >= 0) {
            return r;
        }
    }
    if (optind < argc && (allowed & CACHET_OPT_ARGS) == 0) {
        return cachet_cli_usage_error(o->cmd, "unexpected argument '%s' (use --in F for input)",
                                      argv[optind]);
    }
    o->args = argv + optind;
    o->num_args = (size_t)(argc - optind);
    if (o->content != NULL && !o->raw) {
        return cachet_cli_usage_error(o->cmd, "--content is for --raw detached signatures");
    }
    return -1;
}

int cachet_cli_check_cred_opts(const cachet_cli_opts *o) {
    if (o->p12 != NULL && (o->cert != NULL || o->key != NULL)) {
        return cachet_cli_usage_error(o->cmd, "--p12 replaces --cert/--key: give one or the other");
    }
    if ((o->cert == NULL) != (o->key == NULL)) {
        return cachet_cli_usage_error(o->cmd, "--cert and --key go together");
    }
    if (o->num_certs != o->num_keys) {
        return cachet_cli_usage_error(o->cmd,
                                      "--cert and --key go together, in pairs (%zu --cert, "
                                      "%zu --key)",
                                      o->num_certs, o->num_keys);
    }
    if (o->as != NULL && (o->p12 != NULL || o->cert != NULL)) {
        return cachet_cli_usage_error(o->cmd,
                                      "--as takes the key from the store: give it or --cert/--key "
                                      "(--p12), not both");
    }
    return -1;
}

/* days_from_civil: days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, size_t n, unsigned *out) {
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

bool cachet_cli_parse_time(const char *s, int64_t *out) {
    size_t len = strlen(s);
    unsigned y, mo, d, h = 0, mi = 0, se = 0;
    if (len > 0 && strspn(s, "0123456789") == len) {
        if (len > 12) {
            return false;
        }
        *out = (int64_t)strtoll(s, NULL, 10);
        return true;
    }
    if (len != 10 && len != 20) {
        return false;
    }
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d)) {
        return false;
    }
    if (len == 20 &&
        (s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
         s[16] != ':' || !digits(s + 17, 2, &se) || s[19] != 'Z')) {
        return false;
    }
    static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
        se > 60) {
        return false;
    }
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap) {
        return false;
    }
    *out = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + se;
    return true;
}
