/* cachet: the command-line tool. main dispatches to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cachet_cli_cmd commands[] = {
    {"sign", cachet_cmd_sign,
     "--cert F --key F [--chain F]... [--opaque] [--digest sha256|sha384|sha512] [--pss] "
     "[--p12 F] [--pass SPEC] [--allow-weak] [--raw] [--format smime|der|pem] [--at TIME] [--in F] "
     "[--out F]",
     "sign a message (multipart/signed, or --opaque application/pkcs7-mime)"},
    {"verify", cachet_cmd_verify,
     "[--trust F]... [--json] [--no-address-check] [--allow-weak] [--at TIME] "
     "[--cert F --key F | --p12 F] [--pass SPEC] [--raw [--content F]] [--in F] [--out F]",
     "verify every signed layer (and decrypt enveloped ones given a key)"},
    {"encrypt", cachet_cmd_encrypt,
     "--to CERT [--to CERT]... [--cipher aes-256-gcm|aes-128-gcm|aes-256-cbc|aes-128-cbc] "
     "[--oaep] [--allow-weak] [--raw] [--format smime|der|pem] [--in F] [--out F]",
     "encrypt a message to the given recipients"},
    {"decrypt", cachet_cmd_decrypt,
     "--cert F --key F | --p12 F [--pass SPEC] [--trust F]... [--json] [--no-address-check] "
     "[--allow-weak] [--at TIME] [--raw] [--in F] [--out F]",
     "decrypt every enveloped layer (and verify signed ones given --trust)"},
    {"compress", cachet_cmd_compress, "[--raw] [--format smime|der|pem] [--in F] [--out F]",
     "compress a message (CompressedData, zlib)"},
    {"decompress", cachet_cmd_decompress, "[--raw] [--in F] [--out F]",
     "decompress a compressed message"},
    {"inspect", cachet_cmd_inspect, "[--json] [--raw] [--in F]",
     "describe the S/MIME layers of a message without keys"},
};

const cachet_cli_cmd *cachet_cli_find(const char *name) {
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

void cachet_cli_usage_line(FILE *f, const char *cmd) {
    const cachet_cli_cmd *c = cachet_cli_find(cmd);
    if (c != NULL) {
        fprintf(f, "usage: cachet %s %s\n", c->name, c->usage);
    }
}

static void print_help(FILE *f) {
    fprintf(f, "cachet %s: S/MIME sign, verify, encrypt, decrypt, compress\n\n", cachet_version());
    fprintf(f, "usage: cachet <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "  %-11s %s\n", "help", "this text, or `cachet help <command>`");
    fprintf(f, "\ncommon options: --in F, --out F (default stdin/stdout; nothing is written on "
               "failure),\n  --pass env:VAR|file:PATH|pass:TEXT, --p12 F in place of --cert/--key,"
               "\n  --raw (raw content in, CMS out; or CMS in), --format smime|der|pem\n");
    fprintf(f, "\nexit status: 0 success, 1 not authentic / not decryptable / untrusted, "
               "2 usage error,\n  3 malformed or unsupported input\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_help(stderr);
        return CACHET_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("cachet %s (library %s)\n", CACHET_VERSION_STRING, cachet_version());
        return CACHET_EXIT_OK;
    }
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        if (argc > 2) {
            const cachet_cli_cmd *c = cachet_cli_find(argv[2]);
            if (c == NULL) {
                fprintf(stderr, "cachet: unknown command '");
                cachet_cli_put_escaped(stderr, argv[2]);
                fprintf(stderr, "'; see `cachet help`\n");
                return CACHET_EXIT_USAGE;
            }
            printf("%s: %s\n", c->name, c->summary);
            cachet_cli_usage_line(stdout, c->name);
            return CACHET_EXIT_OK;
        }
        print_help(stdout);
        return CACHET_EXIT_OK;
    }
    const cachet_cli_cmd *c = cachet_cli_find(name);
    if (c == NULL) {
        fprintf(stderr, "cachet: unknown command '");
        cachet_cli_put_escaped(stderr, name);
        fprintf(stderr, "'\nusage: cachet <command> [options]; see `cachet help`\n");
        return CACHET_EXIT_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}
