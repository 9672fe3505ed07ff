/* cachet sign: multipart/signed, opaque signed-data, or raw SignedData; the key
 * from files, a PKCS#12 file or the store (--as ADDRESS). Repeated --cert/--key
 * pairs or --p12 files sign together: one SignerInfo each. --signature-type adds
 * the RFC 3183 SignatureType attribute; --empty writes the RFC 3183 §3 empty
 * signature layer (no signer, so no key). --raw --detached names the default of
 * --raw without --opaque: a SignedData without eContent. With --raw and a
 * regular file as input, its size is passed on so that an encapsulated
 * eContent gets definite lengths.
 * --signature-type checks the signer certificates against the RFC 3183
 * §3.1.1 naming convention first (cachet_domsec_check_signer): a signature
 * the receiver would flag is not made. --triple-wrap (RFC 2634 §1.1) signs,
 * encrypts to --to and signs again in one pass; every signing option applies
 * to both signatures, except a receipt request, which the library puts on the
 * inner one only (§2.3). */
#include <string.h>

#include <cachet/domsec.h>

#include "cli.h"
#include "sign_triple.h"

/* cli/sign_ess.c (ESS attributes engineer): --security-label,
 * --equivalent-label, --content-hint, --signing-certificate-v1 and
 * --signature-policy into |so|; false with |err| on a malformed value. */
bool cachet_cli_sign_ess_opts(const cachet_cli_opts *o, cachet_sign_opts *so, cachet_error *err);
/* cli/sign_receipt.c (receipts engineer): --receipt-request, --receipts-to and
 * --content-reference into |so|; false with e->err set. */
bool cachet_cli_sign_receipt_opts(const cachet_cli_op_env *e, cachet_sign_opts *so);

typedef struct sign_args {
    cachet_cli_triple triple;
} sign_args;

/* check_naming: each signer certificate follows the naming convention of the
 * signature type it is about to sign with. */
static bool check_naming(const cachet_cli_op_env *e, unsigned types) {
    if (cachet_domsec_check_signer(e->cred, types, e->err) != CACHET_OK) {
        return false;
    }
    for (size_t i = 0; i < e->num_more_creds; i++) {
        if (cachet_domsec_check_signer(e->more_creds[i], types, e->err) != CACHET_OK) {
            return false;
        }
    }
    return true;
}

static cachet_op *make_sign(const cachet_cli_op_env *e) {
    const cachet_cli_opts *o = e->o;
    const sign_args *a = e->arg;
    uint64_t size = 0;
    bool known = cachet_cli_input_size(o, &size);
    cachet_sign_opts so = {.signer = e->cred,
                           .digest = o->digest,
                           .opaque = o->opaque || o->empty,
                           .pss = o->pss,
                           .raw = o->raw,
                           .format = o->format,
                           .signature_types = o->signature_types,
                           .empty = o->empty,
                           .more_signers = e->more_creds,
                           .num_more_signers = e->num_more_creds,
                           .detached = o->detached,
                           .content_size_known = known,
                           .content_size = size,
                           .multiple_signatures = o->multiple_signatures};
    if (!cachet_cli_sign_ess_opts(o, &so, e->err) || !cachet_cli_sign_receipt_opts(e, &so)) {
        return NULL;
    }
    if (!o->empty && so.signature_types != 0 && !check_naming(e, so.signature_types)) {
        return NULL;
    }
    if (!o->triple_wrap) {
        return cachet_sign_new(e->ctx, &so, e->sink, e->err);
    }
    cachet_encrypt_opts eo;
    cachet_cli_triple_encrypt_opts(o, &a->triple, &eo);
    return cachet_triple_wrap_new(e->ctx, &so, &eo, &so, e->sink, e->err);
}

/* --detached: raw only, and it contradicts --opaque and --empty. */
static int prepare_sign(cachet_cli_opts *o, void *arg) {
    sign_args *a = arg;
    if (o->detached && !o->raw) {
        return cachet_cli_usage_error(o->cmd, "--detached is for --raw (an S/MIME signature is "
                                              "detached multipart/signed by default)");
    }
    if (o->detached && (o->opaque || o->empty)) {
        return cachet_cli_usage_error(o->cmd, "--detached and --%s exclude each other",
                                      o->opaque ? "opaque" : "empty");
    }
    return cachet_cli_triple_prepare(o, &a->triple);
}

/* The empty layer names nobody: options that choose a signer are refused
 * rather than silently ignored. */
static int prepare_empty(cachet_cli_opts *o, void *arg) {
    int r = prepare_sign(o, arg);
    if (r >= 0) {
        return r;
    }
    const char *bad = o->cert != NULL           ? "--cert"
                      : o->key != NULL          ? "--key"
                      : o->p12 != NULL          ? "--p12"
                      : o->as != NULL           ? "--as"
                      : o->num_chain > 0        ? "--chain"
                      : o->signature_types != 0 ? "--signature-type"
                                                : NULL;
    if (bad != NULL) {
        return cachet_cli_usage_error(o->cmd,
                                      "--empty makes a signature layer without a signer; %s "
                                      "does not apply",
                                      bad);
    }
    return -1;
}

/* has_empty: --empty among the options (before a "--"), which decides whether a
 * key is needed before the options are parsed. */
static bool has_empty(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            return false;
        }
        if (strcmp(argv[i], "--empty") == 0) {
            return true;
        }
    }
    return false;
}

int cachet_cmd_sign(int argc, char **argv) {
    static const cachet_cli_op_cmd cmd = {
        .allowed =
            CACHET_CLI_COMMON_GEN | CACHET_CLI_CRED_OPTS | CACHET_OPT_MULTI_CRED |
            CACHET_OPT_BIT(CACHET_OPT_CHAIN) | CACHET_OPT_BIT(CACHET_OPT_OPAQUE) |
            CACHET_OPT_BIT(CACHET_OPT_DIGEST) | CACHET_OPT_BIT(CACHET_OPT_PSS) |
            CACHET_OPT_BIT(CACHET_OPT_AT) | CACHET_OPT_BIT(CACHET_OPT_ALLOW_WEAK) |
            CACHET_OPT_BIT(CACHET_OPT_AS) | CACHET_OPT_BIT(CACHET_OPT_STORE) |
            CACHET_OPT_BIT(CACHET_OPT_SIGNATURE_TYPE) | CACHET_OPT_BIT(CACHET_OPT_DETACHED) |
            CACHET_OPT_BIT(CACHET_OPT_MULTIPLE_SIGNATURES) |
            CACHET_OPT_BIT(CACHET_OPT_TRIPLE_WRAP) | CACHET_OPT_BIT(CACHET_OPT_TO) |
            CACHET_OPT_BIT(CACHET_OPT_CIPHER) | CACHET_OPT_BIT(CACHET_OPT_OAEP) |
            CACHET_OPT_BIT(CACHET_OPT_SECURITY_LABEL) |
            CACHET_OPT_BIT(CACHET_OPT_EQUIVALENT_LABEL) | CACHET_OPT_BIT(CACHET_OPT_CONTENT_HINT) |
            CACHET_OPT_BIT(CACHET_OPT_SIGNING_CERT_V1) |
            CACHET_OPT_BIT(CACHET_OPT_SIGNATURE_POLICY) |
            CACHET_OPT_BIT(CACHET_OPT_RECEIPT_REQUEST) | CACHET_OPT_BIT(CACHET_OPT_RECEIPTS_TO) |
            CACHET_OPT_BIT(CACHET_OPT_CONTENT_REFERENCE) |
            CACHET_OPT_BIT(CACHET_OPT_CONTENT_IDENTIFIER),
        .format_rules = true,
        .cred = CACHET_CLI_CRED_REQUIRED,
        .cannot = "cannot sign",
        .failed = "signing failed",
        .prepare = prepare_sign,
        .make = make_sign};
    static const cachet_cli_op_cmd empty_cmd = {
        .allowed = CACHET_CLI_COMMON_GEN | CACHET_CLI_CRED_OPTS | CACHET_OPT_BIT(CACHET_OPT_CHAIN) |
                   CACHET_OPT_BIT(CACHET_OPT_OPAQUE) | CACHET_OPT_BIT(CACHET_OPT_AT) |
                   CACHET_OPT_BIT(CACHET_OPT_AS) | CACHET_OPT_BIT(CACHET_OPT_SIGNATURE_TYPE) |
                   CACHET_OPT_BIT(CACHET_OPT_EMPTY) | CACHET_OPT_BIT(CACHET_OPT_DETACHED),
        .format_rules = true,
        .cred = CACHET_CLI_CRED_NONE,
        .cannot = "cannot sign",
        .failed = "signing failed",
        .prepare = prepare_empty,
        .make = make_sign};
    sign_args a = {0};
    int r = cachet_cli_op_main(argc, argv, has_empty(argc, argv) ? &empty_cmd : &cmd, &a);
    cachet_cli_triple_free(&a.triple);
    return r;
}
