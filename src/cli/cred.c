/* Passphrases, credentials and the context: everything the subcommands load
 * before an operation starts. A key or certificate that cannot be loaded is a
 * usage error (exit 2) naming the file: it is the caller's argument that is
 * wrong, not the message. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "cli.h"

#define CACHET_CLI_MAX_PASS 4096

static void wipe(void *p, size_t n) {
    volatile unsigned char *v = p;
    while (n-- > 0) {
        *v++ = 0;
    }
}

void cachet_cli_free_pass(char *pass) {
    if (pass != NULL) {
        wipe(pass, strlen(pass));
        free(pass);
    }
}

static int pass_from_file(const char *cmd, const char *path, char **out) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cachet_cli_errorf(cmd, "cannot open passphrase file %s: %s", path, strerror(errno));
        return CACHET_EXIT_USAGE;
    }
    char *buf = calloc(1, CACHET_CLI_MAX_PASS + 1);
    if (buf == NULL) {
        fclose(f);
        return CACHET_EXIT_INPUT;
    }
    /* The first line is the passphrase (as openssl's file: form). */
    if (fgets(buf, CACHET_CLI_MAX_PASS + 1, f) == NULL && ferror(f)) {
        cachet_cli_errorf(cmd, "cannot read passphrase file %s", path);
        fclose(f);
        cachet_cli_free_pass(buf);
        return CACHET_EXIT_USAGE;
    }
    fclose(f);
    buf[strcspn(buf, "\r\n")] = '\0';
    *out = buf;
    return -1;
}

int cachet_cli_read_pass(const char *cmd, const char *spec, char **out) {
    *out = NULL;
    if (spec == NULL) {
        return -1;
    }
    const char *value = NULL;
    if (strncmp(spec, "env:", 4) == 0) {
        value = getenv(spec + 4);
        if (value == NULL) {
            return cachet_cli_usage_error(cmd, "--pass %s: environment variable %s is not set",
                                          spec, spec + 4);
        }
    } else if (strncmp(spec, "file:", 5) == 0) {
        return pass_from_file(cmd, spec + 5, out);
    } else if (strncmp(spec, "pass:", 5) == 0) {
        value = spec + 5;
        /* ATTACKS CL-05: a passphrase on the command line is visible to other users. */
        fprintf(stderr,
                "cachet %s: warning: --pass pass:... is visible to other users of this "
                "machine; prefer env:VAR or file:PATH\n",
                cmd);
    } else {
        return cachet_cli_usage_error(cmd, "--pass takes env:VAR, file:PATH or pass:TEXT");
    }
    if (strlen(value) > CACHET_CLI_MAX_PASS) {
        return cachet_cli_usage_error(cmd, "--pass: passphrase longer than %d bytes",
                                      CACHET_CLI_MAX_PASS);
    }
    *out = strdup(value);
    return *out != NULL ? -1 : CACHET_EXIT_INPUT;
}

static int check_readable(const char *cmd, const char *what, const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cachet_cli_errorf(cmd, "cannot open %s %s: %s", what, path, strerror(errno));
        return CACHET_EXIT_USAGE;
    }
    fclose(f);
    return -1;
}

/* Key material is in this process from here on: no core dumps (ATTACKS CL-05). */
void cachet_cli_protect_process(void) {
    struct rlimit rl = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &rl);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* load_one loads one credential: |p12|, or |cert| with |key|; --chain goes to it. */
static int load_one(const cachet_cli_opts *o, const char *cert, const char *key, const char *p12,
                    const char *pass, cachet_credential **out) {
    cachet_error err = {0};
    cachet_credential *cred = NULL;
    cachet_status st = p12 != NULL ? cachet_credential_load_p12(p12, pass, &cred, &err)
                                   : cachet_credential_load(cert, key, pass, &cred, &err);
    if (st != CACHET_OK) {
        cachet_cli_error(o->cmd, "loading the key and certificate", &err);
        return st == CACHET_ERR_NOMEM || st == CACHET_ERR_INTERNAL ? CACHET_EXIT_INPUT
                                                                   : CACHET_EXIT_USAGE;
    }
    for (size_t i = 0; i < o->num_chain; i++) {
        st = cachet_credential_add_chain_file(cred, o->chain[i], &err);
        if (st != CACHET_OK) {
            cachet_cli_error(o->cmd, "loading the chain", &err);
            cachet_credential_free(cred);
            return CACHET_EXIT_USAGE;
        }
    }
    *out = cred;
    return -1;
}

void cachet_cli_free_credentials(cachet_credential **creds, size_t num) {
    for (size_t i = 0; creds != NULL && i < num; i++) {
        cachet_credential_free(creds[i]);
    }
    free(creds);
}

int cachet_cli_load_credentials(const cachet_cli_opts *o, bool required, cachet_credential ***out,
                                size_t *num) {
    *out = NULL;
    *num = 0;
    if (o->p12 == NULL && o->cert == NULL) {
        if (required) {
            return cachet_cli_usage_error(
                o->cmd, "--cert F --key F (or --p12 F) is required, or --as ADDRESS for a key in "
                        "the store");
        }
        if (o->pass != NULL) {
            return cachet_cli_usage_error(o->cmd, "--pass is for --key, --p12 or --as");
        }
        return -1;
    }
    /* Every file is checked before any passphrase is read or key loaded. */
    size_t n = o->num_p12s > 0 ? o->num_p12s : o->num_certs;
    int r = -1;
    for (size_t i = 0; r < 0 && i < n; i++) {
        r = o->num_p12s > 0 ? check_readable(o->cmd, "PKCS#12 file", o->p12s[i])
                            : check_readable(o->cmd, "certificate file", o->certs[i]);
        if (r < 0 && o->num_p12s == 0) {
            r = check_readable(o->cmd, "key file", o->keys[i]);
        }
    }
    for (size_t i = 0; r < 0 && i < o->num_chain; i++) {
        r = check_readable(o->cmd, "chain file", o->chain[i]);
    }
    if (r >= 0) {
        return r;
    }
    char *pass = NULL;
    r = cachet_cli_read_pass(o->cmd, o->pass, &pass);
    if (r >= 0) {
        return r;
    }
    cachet_cli_protect_process();
    /* pointer array; n > 0 (--cert or --p12): */
    /* NOLINTNEXTLINE(bugprone-sizeof-expression,clang-analyzer-optin.portability.UnixAPI) */
    cachet_credential **creds = calloc(n, sizeof(*creds));
    if (creds == NULL) {
        cachet_cli_free_pass(pass);
        return CACHET_EXIT_INPUT;
    }
    for (size_t i = 0; r < 0 && i < n; i++) {
        r = o->num_p12s > 0 ? load_one(o, NULL, NULL, o->p12s[i], pass, &creds[i])
                            : load_one(o, o->certs[i], o->keys[i], NULL, pass, &creds[i]);
    }
    cachet_cli_free_pass(pass);
    if (r >= 0) {
        cachet_cli_free_credentials(creds, n);
        return r;
    }
    *out = creds;
    *num = n;
    return -1;
}

int cachet_cli_load_credential(const cachet_cli_opts *o, bool required, cachet_credential **out) {
    *out = NULL;
    cachet_credential **creds = NULL;
    size_t num = 0;
    int r = cachet_cli_load_credentials(o, required, &creds, &num);
    if (r < 0 && num > 0) {
        *out = creds[0];
        creds[0] = NULL;
    }
    cachet_cli_free_credentials(creds, num);
    return r;
}

int cachet_cli_make_ctx(const cachet_cli_opts *o, bool use_trust, bool system_trust_default,
                        cachet_ctx **out) {
    *out = NULL;
    cachet_ctx *ctx = cachet_ctx_new();
    if (ctx == NULL) {
        cachet_cli_errorf(o->cmd, "out of memory");
        return CACHET_EXIT_INPUT;
    }
    if (use_trust) {
        for (size_t i = 0; i < o->num_trust; i++) {
            if (check_readable(o->cmd, "trust file", o->trust[i]) >= 0) {
                cachet_ctx_free(ctx);
                return CACHET_EXIT_USAGE;
            }
            if (cachet_ctx_add_trust_file(ctx, o->trust[i]) != CACHET_OK) {
                cachet_cli_error(o->cmd, "loading trust anchors", cachet_ctx_error(ctx));
                cachet_ctx_free(ctx);
                return CACHET_EXIT_USAGE;
            }
        }
        if (o->num_trust == 0 && system_trust_default &&
            cachet_ctx_add_system_trust(ctx) != CACHET_OK) {
            cachet_cli_error(o->cmd, "loading the system CA store (give --trust F instead)",
                             cachet_ctx_error(ctx));
            cachet_ctx_free(ctx);
            return CACHET_EXIT_USAGE;
        }
    }
    if (o->at_set) {
        cachet_ctx_set_time(ctx, o->at);
    }
    /* ATTACKS CL-04: switches that weaken a check say so every time. */
    if (o->no_address_check) {
        fprintf(stderr,
                "cachet %s: warning: --no-address-check: signers are not matched "
                "against the From address\n",
                o->cmd);
    }
    if (o->allow_weak) {
        fprintf(stderr,
                "cachet %s: warning: --allow-legacy (--allow-weak): legacy and weak algorithms "
                "(3DES, DES, RC2, CAST5, IDEA, SEED, Camellia; SHA-1, MD5, DSA) and short RSA "
                "keys are accepted (and reported weak)\n",
                o->cmd);
    }
    cachet_ctx_set_allow_weak(ctx, o->allow_weak);
    cachet_ctx_set_address_check(ctx, !o->no_address_check);
    cachet_cli_apply_limits(o, ctx);
    *out = ctx;
    return -1;
}
