/* cachet request: a PKCS#10 certificate request for an address (RFC 2986; RFC
 * 2311 §3.7 application/pkcs10 with --mime), with a given key or a new one. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static bool plausible_address(const char *s) {
    const char *at = strchr(s, '@');
    if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL) {
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == '<' || *p == '>' || *p == ',') {
            return false;
        }
    }
    return true;
}

static int check(const cachet_cli_opts *o) {
    if (o->email == NULL) {
        return cachet_cli_usage_error(o->cmd, "--email ADDRESS is required");
    }
    if (!plausible_address(o->email)) {
        return cachet_cli_usage_error(o->cmd, "--email '%s' is not an address (local@domain)",
                                      o->email);
    }
    if (o->key != NULL && (o->new_key != NULL || o->key_out != NULL)) {
        return cachet_cli_usage_error(o->cmd, "--key uses an existing key; --new/--key-out make "
                                              "one: give one or the other");
    }
    if (o->key != NULL) {
        FILE *f = fopen(o->key, "rb");
        if (f == NULL) {
            cachet_cli_errorf(o->cmd, "cannot open key file %s: %s", o->key, strerror(errno));
            return CACHET_EXIT_USAGE;
        }
        fclose(f);
        return -1;
    }
    if (o->key_out == NULL) {
        return cachet_cli_usage_error(o->cmd, "a new key needs --key-out F (where to keep it), or "
                                              "give an existing one with --key F");
    }
    struct stat sb;
    if (stat(o->key_out, &sb) == 0) {
        cachet_cli_errorf(o->cmd,
                          "%s exists: a key file is never overwritten; choose another "
                          "--key-out or remove it",
                          o->key_out);
        return CACHET_EXIT_USAGE;
    }
    if (o->out != NULL && strcmp(o->out, o->key_out) == 0) {
        return cachet_cli_usage_error(o->cmd, "--out and --key-out name the same file");
    }
    return -1;
}

int cachet_cmd_request(int argc, char **argv) {
    cachet_cli_opts o;
    int r =
        cachet_cli_parse(&o, argc, argv,
                         CACHET_OPT_BIT(CACHET_OPT_EMAIL) | CACHET_OPT_BIT(CACHET_OPT_KEY) |
                             CACHET_OPT_BIT(CACHET_OPT_NEW) | CACHET_OPT_BIT(CACHET_OPT_KEY_OUT) |
                             CACHET_OPT_BIT(CACHET_OPT_PASS) | CACHET_OPT_BIT(CACHET_OPT_MIME) |
                             CACHET_OPT_BIT(CACHET_OPT_OUT));
    if (r < 0) {
        r = check(&o);
    }
    char *pass = NULL;
    if (r < 0) {
        r = cachet_cli_read_pass(o.cmd, o.pass, &pass);
    }
    cachet_cli_output out;
    if (r < 0) {
        r = cachet_cli_output_open(&out, o.cmd, o.out, false);
    }
    if (r < 0) {
        cachet_cli_protect_process();
        cachet_request_opts ro = {.email = o.email,
                                  .key_path = o.key,
                                  .pass = pass,
                                  .new_key = o.new_key,
                                  .key_out = o.key_out,
                                  .mime = o.mime};
        cachet_sink sink = cachet_cli_output_sink(&out);
        cachet_error err = {0};
        cachet_status s = cachet_request_make(&ro, &sink, &err);
        if (s != CACHET_OK) {
            cachet_cli_output_abort(&out);
            cachet_cli_error(o.cmd, "cannot make the request", &err);
            r = cachet_cli_store_exit(s);
        } else {
            r = cachet_cli_output_commit(&out, o.cmd);
            if (r == CACHET_EXIT_OK && o.key_out != NULL) {
                fprintf(stderr, "cachet %s: new key written to %s%s\n", o.cmd, o.key_out,
                        pass != NULL ? " (encrypted with --pass)" : " (not encrypted)");
            }
        }
    }
    cachet_cli_free_pass(pass);
    cachet_cli_opts_free(&o);
    return r;
}
