/* cli: the `cachet` tool. Shared declarations of main.c and the subcommands.
 * The tool uses only the public API (include/cachet/); everything it prints that
 * came from a message or a certificate goes through an escaping writer (ATTACKS
 * CL-02), and nothing is written to the output unless the operation succeeded
 * (CL-01): output goes to a temporary file that is renamed (or copied to stdout)
 * on success and unlinked on failure. */
#ifndef CACHET_CLI_CLI_H
#define CACHET_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cachet/cachet.h>

/* Exit statuses of the contract. */
enum {
    CACHET_EXIT_OK = 0,
    CACHET_EXIT_FAIL = 1,  /* not authentic, not decryptable, untrusted, policy */
    CACHET_EXIT_USAGE = 2, /* bad options, unreadable key/cert/input files */
    CACHET_EXIT_INPUT = 3, /* malformed or unsupported input, a limit, internal */
};

/* Option identifiers; each subcommand accepts a subset (a bit mask of them). */
typedef enum cachet_cli_opt_id {
    CACHET_OPT_IN = 0,
    CACHET_OPT_OUT,
    CACHET_OPT_PASS,
    CACHET_OPT_P12,
    CACHET_OPT_CERT,
    CACHET_OPT_KEY,
    CACHET_OPT_CHAIN,
    CACHET_OPT_OPAQUE,
    CACHET_OPT_DIGEST,
    CACHET_OPT_PSS,
    CACHET_OPT_RAW,
    CACHET_OPT_FORMAT,
    CACHET_OPT_TRUST,
    CACHET_OPT_JSON,
    CACHET_OPT_NO_ADDRESS_CHECK,
    CACHET_OPT_ALLOW_WEAK,
    CACHET_OPT_AT,
    CACHET_OPT_CONTENT,
    CACHET_OPT_TO,
    CACHET_OPT_CIPHER,
    CACHET_OPT_OAEP,
    CACHET_OPT_STORE,
    CACHET_OPT_AS,
    CACHET_OPT_REVOCATION,
    CACHET_OPT_HARVEST,
    CACHET_OPT_ANCHOR,
    CACHET_OPT_P12_FLAG, /* certs import --p12: the FILEs are PKCS#12 (no value) */
    CACHET_OPT_PKCS11,
    CACHET_OPT_EMAIL,
    CACHET_OPT_NEW,
    CACHET_OPT_KEY_OUT,
    CACHET_OPT_MIME,
    CACHET_OPT_TIMEOUT,
    CACHET_OPT_SIGNATURE_TYPE, /* sign: RFC 3183 SignatureType (repeatable, comma list) */
    CACHET_OPT_EMPTY,          /* sign: RFC 3183 empty signature layer */
    CACHET_OPT_ALLOW_LEGACY,   /* the same as --allow-weak: accepted wherever that is */
    CACHET_OPT_SECRET_KEY,     /* encrypt, decrypt: a symmetric key (KEK or EncryptedData) */
    CACHET_OPT_KEY_ID,         /* the KEKIdentifier of the --secret-key before it */
    CACHET_OPT_PASSWORD,       /* encrypt, decrypt: RFC 3211 password recipients */
    CACHET_OPT_PASSWORD_FILE,
    CACHET_OPT_PASSWORD_ENV,
    CACHET_OPT_PBKDF2_ITERATIONS,
    CACHET_OPT_ENCRYPTED_DATA, /* encrypt: EncryptedData with the one --secret-key */
    CACHET_OPT_DETACHED,       /* sign --raw: a SignedData without eContent */
    /* issue 7 */
    CACHET_OPT_RECEIPT_REQUEST,     /* sign: all | first-tier | ADDR[,ADDR...] */
    CACHET_OPT_RECEIPTS_TO,         /* sign: where receipts go (repeatable) */
    CACHET_OPT_SECURITY_LABEL,      /* sign: an ESSSecurityLabel SPEC */
    CACHET_OPT_EQUIVALENT_LABEL,    /* sign: an equivalent label SPEC (repeatable) */
    CACHET_OPT_CONTENT_HINT,        /* sign: contentHints description */
    CACHET_OPT_CONTENT_REFERENCE,   /* sign: the original message FILE this answers */
    CACHET_OPT_SIGNING_CERT_V1,     /* sign: also ESS signingCertificate (v1) */
    CACHET_OPT_SIGNATURE_POLICY,    /* sign: CAdES-EPES OID[:DIGEST:HEX] */
    CACHET_OPT_MULTIPLE_SIGNATURES, /* sign: RFC 5752 with several --cert/--key */
    CACHET_OPT_TRIPLE_WRAP,         /* sign: sign, encrypt (--to), sign */
    CACHET_OPT_RECEIPT_FOR,         /* verify: the original FILE a receipt answers */
    CACHET_OPT_ML_IDENTITY,         /* verify: our mail list agent CERT (loop detection) */
    CACHET_OPT_SIGNER,              /* countersign: N (0-based) or all */
    CACHET_OPT_CONTENT_IDENTIFIER,  /* sign: a contentIdentifier to be referred to */
    /* issue 8 */
    CACHET_OPT_LIMIT, /* the commands that read messages: NAME=VALUE (repeatable) */
    CACHET_OPT_HELP,
    CACHET_OPT__COUNT
} cachet_cli_opt_id;

#define CACHET_OPT_BIT(id) (UINT64_C(1) << (id))
/* Not an option: the command takes FILE/FP/ADDRESS arguments (o->args). */
#define CACHET_OPT_ARGS (UINT64_C(1) << 63)
/* Not an option: --cert/--key pairs and --p12 may be repeated (several keys). */
#define CACHET_OPT_MULTI_CRED (UINT64_C(1) << 62)

/* A --secret-key as given, with the --key-id that followed it (NULL: none). */
typedef struct cachet_cli_secret_arg {
    const char *key_hex;
    const char *id;
} cachet_cli_secret_arg;

/* A password option as given, in order: --password TEXT, --password-file F,
 * --password-env VAR. */
typedef enum cachet_cli_password_kind {
    CACHET_CLI_PASSWORD_TEXT,
    CACHET_CLI_PASSWORD_FILE,
    CACHET_CLI_PASSWORD_ENV,
} cachet_cli_password_kind;

typedef struct cachet_cli_password_arg {
    cachet_cli_password_kind kind;
    const char *value;
} cachet_cli_password_arg;

/* The number of --limit names (limits.c) that fit in cachet_cli_opts. */
#define CACHET_CLI_MAX_LIMITS 20

/* cachet_cli_opts: the parsed command line of one subcommand. */
typedef struct cachet_cli_opts {
    const char *cmd; /* "sign" */
    const char *in, *out, *pass, *p12, *cert, *key, *content;
    const char *store, *as, *pkcs11, *email, *new_key, *key_out;
    const char **chain;
    size_t num_chain;
    const char **trust;
    size_t num_trust;
    const char **to;
    size_t num_to;
    char **args; /* the arguments after the options (CACHET_OPT_ARGS) */
    size_t num_args;
    bool raw, json, opaque, detached, pss, oaep, allow_weak, no_address_check;
    bool harvest, anchor, p12_flag, mime;
    bool format_set, cipher_set, revocation_set;
    cachet_revocation_policy revocation;
    int timeout;     /* --timeout seconds, 0 = the library's default */
    bool need_store; /* set by a command's prepare: the store must be opened */
    cachet_format format;
    cachet_digest digest;
    cachet_cipher_choice cipher;
    bool at_set;
    int64_t at;
    unsigned signature_types; /* cachet_sig_type bits from --signature-type */
    bool empty;
    /* Every --cert, --key and --p12 in order (cert, key, p12 above are the
     * first); more than one only with CACHET_OPT_MULTI_CRED. */
    const char **certs, **keys, **p12s;
    size_t num_certs, num_keys, num_p12s;
    cachet_cli_secret_arg *secrets;
    size_t num_secrets;
    cachet_cli_password_arg *passwords;
    size_t num_passwords;
    uint32_t pbkdf2_iterations; /* 0: the library's default */
    bool encrypted_data;
    /* issue 7: as given; parsed by the commands that take them */
    const char *receipt_request;
    const char **receipts_to;
    size_t num_receipts_to;
    const char *security_label;
    const char **equivalent_labels;
    size_t num_equivalent_labels;
    const char *content_hint;
    const char *content_reference;
    bool signing_cert_v1, multiple_signatures, triple_wrap, content_identifier;
    const char *signature_policy;
    const char *receipt_for;
    const char *ml_identity;
    const char *signer;
    /* issue 8: --limit NAME=VALUE, by the index of limits.c's table */
    uint64_t limit_values[CACHET_CLI_MAX_LIMITS];
    uint32_t limits_set; /* bit i: limit_values[i] was given */
} cachet_cli_opts;

typedef struct cachet_cli_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;   /* the options, after "cachet <name> " */
    const char *summary; /* one line for `cachet help` */
} cachet_cli_cmd;

/* main.c */
const cachet_cli_cmd *cachet_cli_find(const char *name);
void cachet_cli_usage_line(FILE *f, const char *cmd);

/* opts.c: cachet_cli_parse fills |o| from argv (argv[0] is the subcommand name),
 * accepting only the options in |allowed|. Returns -1 to go on, or the exit
 * status (0 after --help, 2 after a usage error, already reported). */
int cachet_cli_parse(cachet_cli_opts *o, int argc, char **argv, uint64_t allowed);
void cachet_cli_opts_free(cachet_cli_opts *o);
/* cachet_cli_check_cred_opts: --p12 or --cert with --key, or --as, not a mix. */
int cachet_cli_check_cred_opts(const cachet_cli_opts *o);
/* cachet_cli_parse_time: seconds since the epoch, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ. */
bool cachet_cli_parse_time(const char *s, int64_t *out);
/* cachet_cli_read_pass resolves env:VAR, file:PATH, pass:TEXT into a malloc'd
 * string (free with cachet_cli_free_pass). Returns an exit status. */
int cachet_cli_read_pass(const char *cmd, const char *spec, char **out);
void cachet_cli_free_pass(char *pass);
/* cachet_cli_load_credential loads --p12 or --cert/--key with --pass (and
 * --chain). |required| makes their absence a usage error; otherwise *out stays
 * NULL when none is given. Returns an exit status. */
int cachet_cli_load_credential(const cachet_cli_opts *o, bool required, cachet_credential **out);
/* cachet_cli_load_credentials loads every --cert/--key pair or --p12 (the one
 * --pass opens them all; --chain goes to each) into a malloc'd array of *num
 * (0 and NULL when none is given and not |required|). Returns an exit status. */
int cachet_cli_load_credentials(const cachet_cli_opts *o, bool required, cachet_credential ***out,
                                size_t *num);
void cachet_cli_free_credentials(cachet_credential **creds, size_t num);

/* secrets.c: --secret-key/--key-id and the passwords, loaded. */
typedef struct cachet_cli_secrets {
    cachet_secret_key *keys; /* key and id bytes owned (wiped on free) */
    size_t num_keys;
    char **passwords;
    size_t num_passwords;
} cachet_cli_secrets;
/* cachet_cli_load_secrets decodes every --secret-key (16, 24 or 32 bytes of
 * hex) and --key-id (text, or hex:...) and reads every password. Returns -1 to
 * go on, or the exit status (reported). */
int cachet_cli_load_secrets(const cachet_cli_opts *o, cachet_cli_secrets *out);
void cachet_cli_free_secrets(cachet_cli_secrets *s);
/* cachet_cli_check_secret_opts: --pbkdf2-iterations needs a password. */
int cachet_cli_check_secret_opts(const cachet_cli_opts *o);
/* cachet_cli_protect_process: no core dumps once key material is in the process. */
void cachet_cli_protect_process(void);
/* cachet_cli_make_ctx builds the context: --trust files (or the system store
 * when |system_trust_default|), --at, --allow-weak, --no-address-check. */
int cachet_cli_make_ctx(const cachet_cli_opts *o, bool use_trust, bool system_trust_default,
                        cachet_ctx **out);

/* errors.c */
int cachet_cli_exit_code(cachet_status st);
/* cachet_cli_error prints "cachet <cmd>: <what>: <message> (at <where>, byte <n>)"
 * and a hint line when one applies. */
void cachet_cli_error(const char *cmd, const char *what, const cachet_error *e);
/* cachet_cli_error_hint is cachet_cli_error with the hint line optional. */
void cachet_cli_error_hint(const char *cmd, const char *what, const cachet_error *e,
                           bool with_hint);
/* cachet_cli_hint: what to do about |st| given the library's |message| (may be
 * NULL), or NULL when no option or action would help. */
const char *cachet_cli_hint(cachet_status st, const char *message);
void cachet_cli_errorf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* cachet_cli_usage_error prints the message, the command's usage line, exit 2. */
int cachet_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* cachet_cli_put_escaped writes |s| for a terminal: printable ASCII as is,
 * everything else (controls, DEL, bytes >= 0x80) as \xNN (ATTACKS CL-02). */
void cachet_cli_put_escaped(FILE *f, const char *s);
/* cachet_cli_put_where writes " (at <where>, byte <n>)" for what |e| names, if anything. */
void cachet_cli_put_where(FILE *f, const cachet_error *e);

/* io.c: input and the all-or-nothing output. */
typedef struct cachet_cli_output {
    const char *path; /* NULL: stdout */
    char *tmp_path;   /* the temporary file beside |path| (NULL for stdout) */
    bool anonymous;   /* tmp_path is only the name it gets on success (O_TMPFILE) */
    int fd;
    bool discard; /* output thrown away (verify --json without --out) */
    uint8_t *buf; /* writes gathered into large ones (NULL: written as they come) */
    size_t buf_len;
} cachet_cli_output;

int cachet_cli_open_input(const char *cmd, const char *path, int *out_fd);
void cachet_cli_close_input(int fd);
/* cachet_cli_output_open creates the temporary file. |discard| = null sink. */
int cachet_cli_output_open(cachet_cli_output *o, const char *cmd, const char *path, bool discard);
/* cachet_cli_output_sink: the sink of the temporary file, discard_on_failure
 * (the file is renamed or copied out only on success), so that the reading
 * operations write through instead of holding everything a second time. */
cachet_sink cachet_cli_output_sink(cachet_cli_output *o);
/* cachet_cli_output_commit renames the file into place or copies it to stdout. */
int cachet_cli_output_commit(cachet_cli_output *o, const char *cmd);
/* cachet_cli_output_abort unlinks the temporary file; nothing is left. */
void cachet_cli_output_abort(cachet_cli_output *o);
/* cachet_cli_run feeds |content_fd| (>= 0: detached content, first) and |in_fd|
 * to |op| in 64 KiB chunks and finishes it. The report (may be NULL) is handed
 * to the caller. Returns the final status with its detail in |out_err| (the
 * op's, or a read error of ours, in which case the op is not finished and so
 * releases nothing). */
cachet_status cachet_cli_run(cachet_op *op, int content_fd, int in_fd, cachet_report **out_report,
                             cachet_error *out_err);

/* report.c: the JSON report and the human summaries. */
void cachet_cli_json_report(FILE *f, const cachet_report *r, cachet_status st,
                            const cachet_error *e);
void cachet_cli_json_string(FILE *f, const char *s);
/* cachet_cli_summary prints the per-signer lines and the final line of verify /
 * decrypt on stderr. */
void cachet_cli_summary(const char *cmd, const cachet_report *r, cachet_status st,
                        const cachet_error *e, bool verifying);
/* cachet_cli_describe prints the human form of inspect. */
void cachet_cli_describe(FILE *f, const cachet_report *r);
/* cachet_cli_report_hint: what to do, from the report when it tells more than |st|. */
const char *cachet_cli_report_hint(const cachet_report *r, cachet_status st, const char *message);
void cachet_cli_format_time(int64_t t, char *out, size_t out_len);

/* gen.c: shared by sign, encrypt, compress. */
#define CACHET_CLI_COMMON_GEN                                                                      \
    (CACHET_OPT_BIT(CACHET_OPT_IN) | CACHET_OPT_BIT(CACHET_OPT_OUT) |                              \
     CACHET_OPT_BIT(CACHET_OPT_RAW) | CACHET_OPT_BIT(CACHET_OPT_FORMAT) |                          \
     CACHET_OPT_BIT(CACHET_OPT_LIMIT))
/* cachet_cli_input_size: true with *out_size when --in (or stdin, without --in
 * or with "-") is a regular file: its size from where reading starts, so that
 * raw CMS gets definite lengths. False for pipes, terminals, devices, or when
 * --raw is not set (the S/MIME entity is canonicalised, so the input's size
 * says nothing about it). A file that changes size meanwhile fails the
 * operation with a clear error. */
bool cachet_cli_input_size(const cachet_cli_opts *o, uint64_t *out_size);

/* cachet_cli_output_format: --format der|pem means raw CMS out (implies --raw);
 * --raw alone means DER; --raw --format smime is a usage error. */
int cachet_cli_output_format(cachet_cli_opts *o);

/* The options of a credential (--p12 or --cert/--key, with --pass). */
#define CACHET_CLI_CRED_OPTS                                                                       \
    (CACHET_OPT_BIT(CACHET_OPT_CERT) | CACHET_OPT_BIT(CACHET_OPT_KEY) |                            \
     CACHET_OPT_BIT(CACHET_OPT_P12) | CACHET_OPT_BIT(CACHET_OPT_PASS))
/* The options shared by verify and decrypt. */
#define CACHET_CLI_COMMON_CHECK                                                                    \
    (CACHET_OPT_BIT(CACHET_OPT_IN) | CACHET_OPT_BIT(CACHET_OPT_OUT) |                              \
     CACHET_OPT_BIT(CACHET_OPT_RAW) | CACHET_OPT_BIT(CACHET_OPT_TRUST) |                           \
     CACHET_OPT_BIT(CACHET_OPT_JSON) | CACHET_OPT_BIT(CACHET_OPT_NO_ADDRESS_CHECK) |               \
     CACHET_OPT_BIT(CACHET_OPT_ALLOW_WEAK) | CACHET_OPT_BIT(CACHET_OPT_AT) |                       \
     CACHET_OPT_BIT(CACHET_OPT_LIMIT) | CACHET_CLI_CRED_OPTS)

/* gen.c: the one driver of the subcommands that run one operation from --in to
 * --out (sign, encrypt, compress, decompress, verify, decrypt). */
typedef enum cachet_cli_cred_need {
    CACHET_CLI_CRED_NONE,
    CACHET_CLI_CRED_OPTIONAL,
    CACHET_CLI_CRED_REQUIRED,
} cachet_cli_cred_need;

/* What a subcommand's make callback gets. */
typedef struct cachet_cli_op_env {
    const cachet_cli_opts *o;
    const cachet_ctx *ctx;
    cachet_store *store;                        /* NULL unless opened */
    cachet_credential *cred;                    /* NULL unless loaded */
    const cachet_credential *const *more_creds; /* further --cert/--key or --p12 */
    size_t num_more_creds;
    void *arg; /* as given to cachet_cli_op_main */
    const cachet_sink *sink;
    cachet_error *err;
} cachet_cli_op_env;

typedef struct cachet_cli_op_cmd {
    uint64_t allowed;          /* the options accepted */
    bool format_rules;         /* cachet_cli_output_format applies */
    cachet_cli_cred_need cred; /* --p12 or --cert/--key */
    bool trust, system_trust;  /* as cachet_cli_make_ctx */
    const char *cannot;        /* the message when the op cannot be made: "cannot sign" */
    const char *failed;        /* "signing failed"; NULL: a reading op, see cachet_cli_check */
    bool verifying;            /* for a reading op */
    /* store: the store is opened when the default store file exists (verify,
     * decrypt: its anchors apply); otherwise only when --store, --as, --harvest
     * or o->need_store (set by prepare) asks for it. */
    bool store_if_exists;
    bool as_for_decrypt;                         /* --as: the key for decryption */
    cachet_revocation_policy revocation_default; /* without --revocation */
    /* prepare (optional) runs after parsing: -1 to go on, else the exit status. */
    int (*prepare)(cachet_cli_opts *o, void *arg);
    cachet_op *(*make)(const cachet_cli_op_env *e);
} cachet_cli_op_cmd;

/* cachet_cli_op_main parses argv, loads what |c| asks for, makes the op and runs
 * it, all or nothing; returns the exit status. |arg| goes to prepare and make. */
int cachet_cli_op_main(int argc, char **argv, const cachet_cli_op_cmd *c, void *arg);

/* check.c: shared by verify and decrypt; runs |op| (consumed). */
int cachet_cli_check(const cachet_cli_opts *o, cachet_op *op, cachet_cli_output *out,
                     bool verifying);

/* store.c: opening the store. */
typedef enum cachet_cli_store_need {
    CACHET_CLI_STORE_CREATE,    /* open, creating it on first use */
    CACHET_CLI_STORE_IF_EXISTS, /* --store or $CACHET_STORE if given, else the default
                                   file only when it already exists (*out may stay NULL) */
} cachet_cli_store_need;
/* cachet_cli_open_store opens --store URL, else $CACHET_STORE, else the default.
 * Returns -1 to go on, or the exit status (error reported). */
int cachet_cli_open_store(const cachet_cli_opts *o, cachet_cli_store_need need, cachet_store **out);
/* cachet_cli_store_exit: the exit status of a failed store call (an unreachable
 * database and a wrong password are 2, a corrupt store file 3). */
int cachet_cli_store_exit(cachet_status st);
/* cachet_cli_store_error reports a failed store call with a hint naming the store. */
int cachet_cli_store_error(const char *cmd, const char *what, const cachet_store *st,
                           const cachet_error *e);
/* cachet_cli_resolve_fp finds the one stored certificate whose fingerprint starts
 * with |fp| (at least 8 hex digits) and copies its full fingerprint to |full|.
 * Not found: exit 1; ambiguous or malformed: exit 2. Returns -1 to go on. */
int cachet_cli_resolve_fp(const char *cmd, cachet_store *st, const char *fp, char full[65]);
/* cachet_cli_resolve_fp_info also copies the record (|info|, without its emails). */
int cachet_cli_resolve_fp_info(const char *cmd, cachet_store *st, const char *fp, char full[65],
                               cachet_cert_info *info);
/* cachet_cli_read_file reads a whole file (at most |max| bytes) into a malloc'd
 * buffer. Returns -1 to go on, or the exit status (reported). */
int cachet_cli_read_file(const char *cmd, const char *what, const char *path, size_t max,
                         uint8_t **out, size_t *out_len);

/* cachet_cli_list_records runs `certs list` (|keys| false) and `keys list`
 * (|keys| true): the stored records, or those with a key, one line each or as
 * JSON. Returns the exit status. */
int cachet_cli_list_records(int argc, char **argv, bool keys);

/* certinfo.c: printing certificate records. */
/* cachet_cli_cert_line: fingerprint (16 hex), origin, not_after date, emails, subject. */
void cachet_cli_cert_line(FILE *f, const cachet_cert_info *ci);
/* cachet_cli_key_line: fingerprint, the reference kind and path/URI, emails, subject. */
void cachet_cli_key_line(FILE *f, const cachet_cert_info *ci);
/* cachet_cli_certs_json writes the array of the contract. */
void cachet_cli_certs_json(FILE *f, const cachet_cert_info *infos, size_t num);
/* cachet_cli_redact_key_ref copies |ref| without any PIN (pin-value=...). */
void cachet_cli_redact_key_ref(const char *ref, char *out, size_t out_len);
/* cachet_cli_parse_revocation: none|soft|hard. */
bool cachet_cli_parse_revocation(const char *s, cachet_revocation_policy *out);

/* The subcommands (cmd_*.c). */
int cachet_cmd_sign(int argc, char **argv);
int cachet_cmd_verify(int argc, char **argv);
int cachet_cmd_encrypt(int argc, char **argv);
int cachet_cmd_decrypt(int argc, char **argv);
int cachet_cmd_compress(int argc, char **argv);
int cachet_cmd_decompress(int argc, char **argv);
int cachet_cmd_inspect(int argc, char **argv);
int cachet_cmd_certs_import(int argc, char **argv);
int cachet_cmd_certs_import_crl(int argc, char **argv);
int cachet_cmd_certs_list(int argc, char **argv);
int cachet_cmd_certs_find(int argc, char **argv);
int cachet_cmd_certs_export(int argc, char **argv);
int cachet_cmd_certs_remove(int argc, char **argv);
int cachet_cmd_certs_trust(int argc, char **argv);
int cachet_cmd_certs_untrust(int argc, char **argv);
int cachet_cmd_certs_revoke_check(int argc, char **argv);
int cachet_cmd_keys_import(int argc, char **argv);
int cachet_cmd_keys_list(int argc, char **argv);
int cachet_cmd_request(int argc, char **argv);
int cachet_cmd_certs_only(int argc, char **argv);
int cachet_cmd_digest(int argc, char **argv);

/* ---- issue 7 ---- */
_Static_assert(CACHET_OPT__COUNT <= 62, "option bits 62 and 63 are flags");
/* report.c: JSON members ",\n<indent>"key": value" (|first| omits the comma). */
void cachet_cli_json_key(FILE *f, const char *indent, const char *key, bool first);
void cachet_cli_json_kstr(FILE *f, const char *indent, const char *key, const char *v, bool first);
void cachet_cli_json_kbool(FILE *f, const char *indent, const char *key, bool v);
/* report_ess.c: a signer's ESS/CAdES/RFC 5752 attributes (s->ess), as JSON
 * members and as text lines each starting with |prefix|; nothing when absent. */
void cachet_cli_json_ess(FILE *f, const char *indent, const cachet_signer_report *s);
void cachet_cli_text_ess(FILE *f, const char *prefix, const cachet_signer_report *s);
/* report_countersig.c: a signer's countersigners (RFC 5652 §11.4). */
void cachet_cli_json_countersigners(FILE *f, const char *indent, const cachet_signer_report *s);
void cachet_cli_text_countersigners(FILE *f, const char *prefix, const cachet_signer_report *s);
/* report_receipt.c: a signed receipt layer (l->receipt). */
void cachet_cli_json_receipt(FILE *f, const char *indent, const cachet_layer_report *l);
void cachet_cli_text_receipt(FILE *f, const char *prefix, const cachet_layer_report *l);
/* receipt_ref.c: reads --receipt-for/--content-reference FILE (the original
 * message, in the --raw form of the command) into |*out|; false with e->err set. */
bool cachet_cli_load_receipt_ref(const cachet_cli_op_env *e, const char *path,
                                 cachet_receipt_ref **out);
/* recipients.c: the --to options. */
typedef struct cachet_cli_to {
    cachet_cert **certs; /* certificate files, loaded */
    size_t num_certs;
    const char **addresses; /* addresses for the store (borrowed from the options) */
    size_t num_addresses;
} cachet_cli_to;
/* cachet_cli_load_to loads every --to: a certificate file, or (with
 * |addresses|) an address to look up in the store, which sets o->need_store.
 * Returns -1 to go on, or the exit status (reported). */
int cachet_cli_load_to(cachet_cli_opts *o, bool addresses, cachet_cli_to *out);
void cachet_cli_to_free(cachet_cli_to *t);
/* cmd_receipt.c, cmd_countersign.c */
int cachet_cmd_receipt(int argc, char **argv);
int cachet_cmd_countersign(int argc, char **argv);

/* ---- issue 8 ---- */
/* limits.c: --limit NAME=VALUE. cachet_cli_parse_limit records one (a usage
 * error, reported, for an unknown name, a bad or zero value, or a name given
 * twice): -1 to go on, else the exit status. */
int cachet_cli_parse_limit(cachet_cli_opts *o, const char *arg);
/* cachet_cli_apply_limits sets the given limits on |ctx| (the rest keep the
 * library's defaults). */
void cachet_cli_apply_limits(const cachet_cli_opts *o, cachet_ctx *ctx);
/* cachet_cli_limit_hint: for a CACHET_ERR_LIMIT |message| of the library, the
 * line naming the limit and the --limit that raises it (static storage), or
 * NULL when the limit is a fixed one. */
const char *cachet_cli_limit_hint(const char *message);

#endif
