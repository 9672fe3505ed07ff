/* cachet: the command-line tool. main dispatches to one file per subcommand. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define STORE_OPT "[--store URL]"

static const cachet_cli_cmd commands[] = {
    {"sign", cachet_cmd_sign,
     "--cert F --key F | --p12 F | --as ADDRESS | --empty [--cert F --key F | --p12 F]... "
     "[--chain F]... [--opaque] [--detached] "
     "[--signature-type originator|domain|attributes|review[,...]] "
     "[--digest sha256|sha384|sha512] [--pss] [--pass SPEC] [--allow-legacy] "
     "[--multiple-signatures] [--security-label SPEC] [--equivalent-label SPEC]... "
     "[--content-hint TEXT] [--signing-certificate-v1] [--signature-policy OID[:DIGEST:HEX]] "
     "[--receipt-request all|first-tier|ADDR[,ADDR...] [--receipts-to ADDR]...] "
     "[--content-reference F] [--content-identifier] "
     "[--triple-wrap --to CERT|ADDRESS... [--cipher C] [--oaep]] [--raw] "
     "[--format smime|der|pem] [--at TIME] " STORE_OPT " [--limit NAME=N]... [--in F] [--out F]",
     "sign a message (multipart/signed, or --opaque application/pkcs7-mime; --triple-wrap: "
     "sign, encrypt, sign)"},
    {"verify", cachet_cmd_verify,
     "[--trust F]... [--json] [--no-address-check] [--allow-legacy] [--at TIME] "
     "[--harvest] [--revocation none|soft|hard] "
     "[--cert F --key F | --p12 F | --as ADDRESS] [--pass SPEC] [--raw [--content F]] " STORE_OPT
     " [--limit NAME=N]... [--in F] [--out F]",
     "verify every signed layer (and decrypt enveloped ones given a key)"},
    {"encrypt", cachet_cmd_encrypt,
     "[--to CERT|ADDRESS]... [--secret-key HEX --key-id ID]... "
     "[--password-file F | --password-env VAR | --password PW]... [--pbkdf2-iterations N] "
     "[--cipher aes-256-gcm|aes-192-gcm|aes-128-gcm|aes-256-ccm|aes-128-ccm|"
     "chacha20-poly1305|aes-256-cbc|aes-192-cbc|aes-128-cbc] [--oaep] "
     "[--revocation none|soft|hard] [--allow-legacy] [--raw] [--format smime|der|pem] " STORE_OPT
     " [--limit NAME=N]... [--in F] [--out F] | --encrypted-data --secret-key HEX [--raw] "
     "[--format smime|der|pem] "
     "[--in F] [--out F]",
     "encrypt a message to certificates, addresses, shared keys or passwords"},
    {"decrypt", cachet_cmd_decrypt,
     "[--cert F --key F | --p12 F]... | --as ADDRESS [--pass SPEC] "
     "[--secret-key HEX [--key-id ID]]... [--password-file F | --password-env VAR | "
     "--password PW] [--trust F]... [--json] "
     "[--no-address-check] [--revocation none|soft|hard] [--allow-legacy] [--at TIME] "
     "[--raw] " STORE_OPT " [--limit NAME=N]... [--in F] [--out F]",
     "decrypt every enveloped or encrypted layer (and verify signed ones given trust anchors)"},
    {"compress", cachet_cmd_compress,
     "[--raw] [--format smime|der|pem] [--limit NAME=N]... [--in F] [--out F]",
     "compress a message (CompressedData, zlib)"},
    {"decompress", cachet_cmd_decompress, "[--raw] [--limit NAME=N]... [--in F] [--out F]",
     "decompress a compressed message"},
    {"digest", cachet_cmd_digest,
     "[--digest sha256|sha384|sha512] [--raw] [--format smime|der|pem] [--limit NAME=N]... "
     "[--in F] [--out F]",
     "wrap a message in DigestedData (integrity only, not a signature)"},
    {"receipt", cachet_cmd_receipt,
     "--cert F --key F | --p12 F [--pass SPEC] [--chain F]... [--trust F]... [--email ADDRESS] "
     "[--digest sha256|sha384|sha512] [--no-address-check] [--at TIME] [--allow-legacy] "
     "[--to CERT... [--cipher C]] [--raw] [--format smime|der|pem] " STORE_OPT
     " [--limit NAME=N]... [--in F] [--out F]",
     "make the signed receipt a signed message asks for (RFC 2634)"},
    {"countersign", cachet_cmd_countersign,
     "--cert F --key F | --p12 F [--pass SPEC] [--chain F]... [--signer N|all] "
     "[--digest sha256|sha384|sha512] [--pss] [--raw] [--format smime|der|pem] "
     "[--limit NAME=N]... [--in F] [--out F]",
     "add a countersignature to a signature of a signed message (RFC 5652 section 11.4)"},
    {"inspect", cachet_cmd_inspect, "[--json] [--raw] [--limit NAME=N]... [--in F]",
     "describe the S/MIME layers of a message without keys"},
    {"certs import", cachet_cmd_certs_import,
     "[--p12 [--pass SPEC]] [--anchor] " STORE_OPT " FILE...",
     "store certificates (PEM, DER, PKCS#7, certs-only; PKCS#12 with --p12)"},
    {"certs import-crl", cachet_cmd_certs_import_crl, STORE_OPT " FILE...",
     "store a CRL (PEM or DER) after checking it against its stored issuer"},
    {"certs list", cachet_cmd_certs_list, "[--json] " STORE_OPT, "list the stored certificates"},
    {"certs find", cachet_cmd_certs_find, "[--json] " STORE_OPT " ADDRESS",
     "the stored certificates for an address"},
    {"certs export", cachet_cmd_certs_export, "[--format pem|der] [--out F] " STORE_OPT " FP",
     "write a stored certificate (PEM by default)"},
    {"certs remove", cachet_cmd_certs_remove, STORE_OPT " FP", "remove a stored certificate"},
    {"certs trust", cachet_cmd_certs_trust, STORE_OPT " FP",
     "make a stored certificate a trust anchor"},
    {"certs untrust", cachet_cmd_certs_untrust, STORE_OPT " FP",
     "make a trust anchor an ordinary certificate again"},
    {"certs revoke-check", cachet_cmd_certs_revoke_check, "[--json] [--timeout S] " STORE_OPT " FP",
     "check a stored certificate now (OCSP, then CRL)"},
    {"keys import", cachet_cmd_keys_import,
     "--p12 F | --key F --cert F | --pkcs11 URI [--cert F] [--pass SPEC] " STORE_OPT,
     "reference a private key (file or PKCS#11 token) for its certificate"},
    {"keys list", cachet_cmd_keys_list, "[--json] " STORE_OPT,
     "list the certificates that have a key"},
    {"request", cachet_cmd_request,
     "--email A [--key F | --new rsa:3072|ec:P-256|ed25519 --key-out F] [--pass SPEC] [--mime] "
     "[--out F]",
     "make a PKCS#10 certificate request for an address"},
    {"certs-only", cachet_cmd_certs_only,
     "[--format smime|der|pem] [--out F] " STORE_OPT " CERT-FILE|FP...",
     "make a certs-only message (application/pkcs7-mime) carrying certificates"},
};

#define NUM_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* is_group: "certs" and "keys" take a subcommand. */
static bool is_group(const char *name) {
    return strcmp(name, "certs") == 0 || strcmp(name, "keys") == 0;
}

static bool in_group(const cachet_cli_cmd *c, const char *group) {
    size_t n = strlen(group);
    return strncmp(c->name, group, n) == 0 && c->name[n] == ' ';
}

static void group_usage(FILE *f, const char *group) {
    for (size_t i = 0; i < NUM_COMMANDS; i++) {
        if (in_group(&commands[i], group)) {
            fprintf(f, "usage: cachet %s %s\n", commands[i].name, commands[i].usage);
        }
    }
}

const cachet_cli_cmd *cachet_cli_find(const char *name) {
    for (size_t i = 0; i < NUM_COMMANDS; i++) {
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
    fprintf(f,
            "cachet %s: S/MIME sign, verify, encrypt, decrypt, compress, digest; certificates and "
            "keys\n\n",
            cachet_version());
    fprintf(f, "usage: cachet <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NUM_COMMANDS; i++) {
        fprintf(f, "  %-19s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "  %-19s %s\n", "help", "this text, or `cachet help <command>`");
    fprintf(f, "\ncommon options: --in F, --out F (default stdin/stdout; nothing is written on "
               "failure),\n  --pass env:VAR|file:PATH|pass:TEXT, --p12 F in place of --cert/--key,"
               "\n  --raw (raw content in, CMS out; or CMS in), --format smime|der|pem,"
               "\n  --allow-legacy (alias --allow-weak: accept legacy algorithms, reported weak),"
               "\n  --store URL (a SQLite file or postgresql://...; default $CACHET_STORE, else"
               "\n  $XDG_DATA_HOME/cachet/store.db)\n");
    fprintf(f, "\nexit status: 0 success, 1 not authentic / not decryptable / untrusted / not "
               "found,\n  2 usage error, unreadable file, wrong password, unreachable database,\n"
               "  3 malformed or unsupported input, corrupt store file\n");
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
            if (is_group(argv[2]) && argc == 3) {
                group_usage(stdout, argv[2]);
                return CACHET_EXIT_OK;
            }
            char full[64];
            snprintf(full, sizeof(full), "%s%s%s", argv[2], argc > 3 ? " " : "",
                     argc > 3 ? argv[3] : "");
            const cachet_cli_cmd *c = cachet_cli_find(is_group(argv[2]) ? full : argv[2]);
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
    if (is_group(name)) {
        if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
            group_usage(stdout, name);
            return CACHET_EXIT_OK;
        }
        if (argc < 3 || argv[2][0] == '-') {
            fprintf(stderr, "cachet %s: a subcommand is needed\n", name);
            group_usage(stderr, name);
            return CACHET_EXIT_USAGE;
        }
        char full[64];
        snprintf(full, sizeof(full), "%s %s", name, argv[2]);
        const cachet_cli_cmd *c = cachet_cli_find(full);
        if (c == NULL) {
            fprintf(stderr, "cachet %s: unknown subcommand '", name);
            cachet_cli_put_escaped(stderr, argv[2]);
            fprintf(stderr, "'\n");
            group_usage(stderr, name);
            return CACHET_EXIT_USAGE;
        }
        /* The subcommand sees its full name as argv[0]: messages read
         * "cachet certs import: ...". */
        argv[2] = (char *)c->name;
        return c->run(argc - 2, argv + 2);
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
