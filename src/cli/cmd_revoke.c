/* cachet certs revoke-check FP and certs import-crl FILE...: revocation of
 * stored certificates. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CRL_MAX_FILE (64u << 20)

static void json_time(FILE *f, const char *key, int64_t t) {
    fprintf(f, ",\n  \"%s\": ", key);
    if (t == 0) {
        fputs("null", f);
        return;
    }
    char buf[32];
    cachet_cli_format_time(t, buf, sizeof(buf));
    cachet_cli_json_string(f, buf);
}

static void print_result(const cachet_cli_opts *o, const char *fp,
                         const cachet_revocation_result *res) {
    const char *state = cachet_revocation_state_name(res->state);
    if (o->json) {
        fputs("{\n  \"fingerprint\": ", stdout);
        cachet_cli_json_string(stdout, fp);
        fputs(",\n  \"state\": ", stdout);
        cachet_cli_json_string(stdout, state);
        fputs(",\n  \"method\": ", stdout);
        cachet_cli_json_string(stdout, res->method);
        fputs(",\n  \"source\": ", stdout);
        cachet_cli_json_string(stdout, res->source);
        json_time(stdout, "revoked_at", res->revoked_at);
        json_time(stdout, "this_update", res->this_update);
        fputs(",\n  \"detail\": ", stdout);
        cachet_cli_json_string(stdout, res->detail);
        fputs("\n}\n", stdout);
        return;
    }
    fputs(state, stdout);
    if (res->method[0] != '\0' || res->source[0] != '\0') {
        fputs(" (", stdout);
        cachet_cli_put_escaped(stdout, res->method);
        fputs(res->method[0] != '\0' && res->source[0] != '\0' ? " " : "", stdout);
        cachet_cli_put_escaped(stdout, res->source);
        fputs(")", stdout);
    }
    fputc('\n', stdout);
    if (res->state == CACHET_REV_REVOKED && res->revoked_at != 0) {
        char t[32];
        cachet_cli_format_time(res->revoked_at, t, sizeof(t));
        fprintf(stderr, "cachet %s: revoked at %s\n", o->cmd, t);
    }
    if (res->detail[0] != '\0') {
        fprintf(stderr, "cachet %s: ", o->cmd);
        cachet_cli_put_escaped(stderr, res->detail);
        fputc('\n', stderr);
    }
}

int cachet_cmd_certs_revoke_check(int argc, char **argv) {
    cachet_cli_opts o;
    cachet_store *st = NULL;
    cachet_ctx *ctx = NULL;
    int r = cachet_cli_parse(&o, argc, argv,
                             CACHET_OPT_BIT(CACHET_OPT_STORE) | CACHET_OPT_BIT(CACHET_OPT_JSON) |
                                 CACHET_OPT_BIT(CACHET_OPT_TIMEOUT) | CACHET_OPT_ARGS);
    if (r < 0 && o.num_args != 1) {
        r = cachet_cli_usage_error(o.cmd, o.num_args == 0 ? "give the fingerprint (FP)"
                                                          : "one fingerprint only");
    }
    if (r < 0) {
        r = cachet_cli_open_store(&o, CACHET_CLI_STORE_CREATE, &st);
    }
    char fp[65];
    if (r < 0) {
        r = cachet_cli_resolve_fp(o.cmd, st, o.args[0], fp);
    }
    if (r < 0) {
        r = cachet_cli_make_ctx(&o, false, false, &ctx);
    }
    if (r < 0 && o.timeout > 0) {
        cachet_ctx_set_network_timeout(ctx, o.timeout);
    }
    if (r < 0 && cachet_ctx_use_store(ctx, st) != CACHET_OK) {
        r = cachet_cli_store_error(o.cmd, "reading the store", st, cachet_ctx_error(ctx));
    }
    if (r < 0) {
        cachet_revocation_result res;
        memset(&res, 0, sizeof(res));
        cachet_error err = {0};
        if (cachet_store_revoke_check(ctx, fp, &res, &err) != CACHET_OK) {
            r = cachet_cli_store_error(o.cmd, "cannot check revocation", st, &err);
            if (err.status == CACHET_ERR_KEY || err.status == CACHET_ERR_USAGE) {
                fprintf(stderr,
                        "cachet %s: the issuer's certificate must be in the store "
                        "(`cachet certs import`)\n",
                        o.cmd);
            }
        } else {
            print_result(&o, fp, &res);
            r = res.state == CACHET_REV_GOOD || res.state == CACHET_REV_NOT_CHECKED
                    ? CACHET_EXIT_OK
                    : CACHET_EXIT_FAIL;
        }
    }
    cachet_ctx_free(ctx);
    cachet_store_close(st);
    cachet_cli_opts_free(&o);
    return r;
}

int cachet_cmd_certs_import_crl(int argc, char **argv) {
    cachet_cli_opts o;
    cachet_store *st = NULL;
    int r = cachet_cli_parse(&o, argc, argv, CACHET_OPT_BIT(CACHET_OPT_STORE) | CACHET_OPT_ARGS);
    if (r < 0 && o.num_args == 0) {
        r = cachet_cli_usage_error(o.cmd, "give at least one CRL FILE");
    }
    uint8_t **data = NULL;
    size_t *lens = NULL;
    if (r < 0) {
        /* num_args > 0 (usage error above): */
        /* NOLINTNEXTLINE(clang-analyzer-optin.portability.UnixAPI) */
        data = calloc(o.num_args, sizeof(*data));
        lens = calloc(o.num_args, sizeof(*lens));
        r = data == NULL || lens == NULL ? CACHET_EXIT_INPUT : -1;
    }
    for (size_t i = 0; r < 0 && i < o.num_args; i++) {
        r = cachet_cli_read_file(o.cmd, "CRL file", o.args[i], CRL_MAX_FILE, &data[i], &lens[i]);
    }
    if (r < 0) {
        r = cachet_cli_open_store(&o, CACHET_CLI_STORE_CREATE, &st);
    }
    size_t done = 0;
    for (size_t i = 0; r < 0 && i < o.num_args; i++) {
        cachet_error err = {0};
        if (cachet_store_import_crl(st, data[i], lens[i], o.args[i], &err) != CACHET_OK) {
            char what[600];
            snprintf(what, sizeof(what), "%s", o.args[i]);
            r = cachet_cli_store_error(o.cmd, what, st, &err);
            if (err.status == CACHET_ERR_KEY || err.status == CACHET_ERR_UNTRUSTED) {
                fprintf(stderr,
                        "cachet %s: import the CRL issuer's certificate first "
                        "(`cachet certs import`)\n",
                        o.cmd);
            }
            if (done > 0) {
                fprintf(stderr, "cachet %s: the %zu CRL(s) before %s were stored\n", o.cmd, done,
                        o.args[i]);
            }
        } else {
            done++;
        }
    }
    if (r < 0) {
        printf("imported %zu CRL%s\n", done, done == 1 ? "" : "s");
        r = CACHET_EXIT_OK;
    }
    for (size_t i = 0; data != NULL && i < o.num_args; i++) {
        free(data[i]);
    }
    free(data);
    free(lens);
    cachet_store_close(st);
    cachet_cli_opts_free(&o);
    return r;
}
