/* config_keys: the sections and keys of cachetd.conf and their defaults (see
 * config_keys.h). Adding a key here makes the parser accept it and cachetd -n
 * print it. */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

#include <cachet/store.h>

#include "gateway/config_keys.h"

_Static_assert(sizeof(cachetd_sign_mode) == sizeof(int), "enum fields are stored as int");
_Static_assert(sizeof(cachetd_encrypt_policy) == sizeof(int), "enum fields are stored as int");
_Static_assert(sizeof(cachetd_log_target) == sizeof(int), "enum fields are stored as int");
_Static_assert(sizeof(cachetd_cipher) == sizeof(int), "enum fields are stored as int");

static const cachet_gwc_word gwc_log_words[] = {
    {"syslog", CACHETD_LOG_SYSLOG}, {"stderr", CACHETD_LOG_STDERR}, {NULL, 0}};
static const cachet_gwc_word gwc_split_words[] = {
    {"domain", CACHETD_SPLIT_DOMAIN}, {"recipient", CACHETD_SPLIT_RECIPIENT}, {NULL, 0}};
static const cachet_gwc_word gwc_revocation_words[] = {{"none", CACHET_REVOCATION_NONE},
                                                       {"soft", CACHET_REVOCATION_SOFT},
                                                       {"hard", CACHET_REVOCATION_HARD},
                                                       {NULL, 0}};
static const cachet_gwc_word gwc_signing_words[] = {{"domain", CACHETD_SIGN_DOMAIN},
                                                    {"user", CACHETD_SIGN_USER},
                                                    {"none", CACHETD_SIGN_NONE},
                                                    {NULL, 0}};
static const cachet_gwc_word gwc_format_words[] = {
    {"detached", CACHETD_FORMAT_DETACHED}, {"opaque", CACHETD_FORMAT_OPAQUE}, {NULL, 0}};
static const cachet_gwc_word gwc_encryption_words[] = {
    {"opportunistic", CACHETD_ENCRYPT_OPPORTUNISTIC},
    {"required", CACHETD_ENCRYPT_REQUIRED},
    {"never", CACHETD_ENCRYPT_NEVER},
    {NULL, 0}};
static const cachet_gwc_word gwc_missing_words[] = {
    {"tempfail", CACHETD_MISSING_TEMPFAIL}, {"reject", CACHETD_MISSING_REJECT}, {NULL, 0}};
static const cachet_gwc_word gwc_failure_words[] = {{"deliver", CACHETD_FAILURE_DELIVER},
                                                    {"quarantine", CACHETD_FAILURE_QUARANTINE},
                                                    {"reject", CACHETD_FAILURE_REJECT},
                                                    {NULL, 0}};
static const cachet_gwc_word gwc_cipher_words[] = {{"auto", CACHETD_CIPHER_AUTO},
                                                   {"aes-256-gcm", CACHETD_CIPHER_AES256_GCM},
                                                   {"aes-128-gcm", CACHETD_CIPHER_AES128_GCM},
                                                   {"aes-256-cbc", CACHETD_CIPHER_AES256_CBC},
                                                   {"aes-128-cbc", CACHETD_CIPHER_AES128_CBC},
                                                   {NULL, 0}};
static const cachet_gwc_word gwc_mapping_words[] = {{"ascendant", CACHET_DOMSEC_MAPPING_ASCENDANT},
                                                    {"exact", CACHET_DOMSEC_MAPPING_EXACT},
                                                    {NULL, 0}};

/* clang-format off */
#define GWC_STR(st, field, kind, empty) \
    {#field, kind, offsetof(st, field), sizeof(((st *)0)->field), NULL, false, 0, empty, 0, false}
#define GWC_VAL(st, field, kind) \
    {#field, kind, offsetof(st, field), sizeof(((st *)0)->field), NULL, false, 0, NULL, 0, false}
#define GWC_ENUM(st, field, words) \
    {#field, CACHET_GWC_ENUM, offsetof(st, field), sizeof(((st *)0)->field), words, false, 0, NULL, 0, false}
#define GWC_ENUM_HAS(st, field, words, has) \
    {#field, CACHET_GWC_ENUM, offsetof(st, field), sizeof(((st *)0)->field), words, true, \
     offsetof(st, has), NULL, 0, false}
/* clang-format on */

static const cachet_gwc_key gwc_cachetd_keys[] = {
    GWC_STR(cachetd_config, socket, CACHET_GWC_SOCKET, NULL),
    GWC_STR(cachetd_config, user, CACHET_GWC_USER, "stay the user cachetd was started as"),
    GWC_STR(cachetd_config, store, CACHET_GWC_TEXT, "the default store"),
    GWC_STR(cachetd_config, authserv_id, CACHET_GWC_AUTHSERV, "the host name"),
    GWC_STR(cachetd_config, pidfile, CACHET_GWC_PATH, "no pid file"),
    GWC_ENUM(cachetd_config, log, gwc_log_words),
    GWC_VAL(cachetd_config, debug, CACHET_GWC_BOOL),
    GWC_VAL(cachetd_config, trusted_networks, CACHET_GWC_NETWORKS),
    GWC_VAL(cachetd_config, trust_authenticated, CACHET_GWC_BOOL),
    GWC_ENUM(cachetd_config, split, gwc_split_words),
    GWC_VAL(cachetd_config, max_message_size, CACHET_GWC_SIZE),
    GWC_ENUM(cachetd_config, revocation, gwc_revocation_words),
    GWC_VAL(cachetd_config, network_timeout, CACHET_GWC_SECONDS),
};

static const cachet_gwc_key gwc_domain_keys[] = {
    GWC_ENUM(cachetd_domain, signing, gwc_signing_words),
    GWC_ENUM(cachetd_domain, sign_format, gwc_format_words),
    GWC_VAL(cachetd_domain, empty_signature_layer, CACHET_GWC_BOOL),
    GWC_VAL(cachetd_domain, review_signature, CACHET_GWC_BOOL),
    GWC_VAL(cachetd_domain, attributes_signature, CACHET_GWC_BOOL),
    GWC_STR(cachetd_domain, signing_cert, CACHET_GWC_PATH, "from the store"),
    GWC_STR(cachetd_domain, signing_key, CACHET_GWC_KEYREF, "from the store"),
    GWC_STR(cachetd_domain, dca_cert, CACHET_GWC_PATH, "from the store"),
    GWC_STR(cachetd_domain, dca_key, CACHET_GWC_KEYREF, "from the store"),
    GWC_ENUM(cachetd_domain, encryption, gwc_encryption_words),
    GWC_ENUM(cachetd_domain, missing_certificate, gwc_missing_words),
    GWC_VAL(cachetd_domain, decrypt, CACHET_GWC_BOOL),
    GWC_VAL(cachetd_domain, verify, CACHET_GWC_BOOL),
    GWC_VAL(cachetd_domain, harvest, CACHET_GWC_BOOL),
    GWC_ENUM(cachetd_domain, on_failure, gwc_failure_words),
    GWC_STR(cachetd_domain, quarantine, CACHET_GWC_ADDRESS, "the MTA's hold queue"),
};

static const cachet_gwc_key gwc_partner_keys[] = {
    GWC_ENUM_HAS(cachetd_partner, encryption, gwc_encryption_words, has_encryption),
    GWC_ENUM_HAS(cachetd_partner, missing_certificate, gwc_missing_words, has_missing_certificate),
    GWC_VAL(cachetd_partner, require_signature, CACHET_GWC_BOOL),
    GWC_ENUM(cachetd_partner, name_mapping, gwc_mapping_words),
    GWC_ENUM(cachetd_partner, cipher, gwc_cipher_words),
};

/* The names are the CLI's --limit names with '_' for '-'; the bounds are the
 * CLI's (src/cli/limits.c), so that a value one accepts the other does too. */
#define GWC_LIMIT(key, field, maximum, is_bytes)                                                   \
    {                                                                                              \
        .name = (key), .kind = CACHET_GWC_LIMIT, .offset = offsetof(cachet_limits, field),         \
        .size = sizeof(((cachet_limits *)0)->field), .max = (maximum), .bytes = (is_bytes)         \
    }

static const cachet_gwc_key gwc_limits_keys[] = {
    GWC_LIMIT("layers", max_layers, 64, false),
    GWC_LIMIT("mime_depth", max_mime_depth, 64, false),
    GWC_LIMIT("header_bytes", max_header_bytes, 16u << 20, true),
    GWC_LIMIT("parts", max_parts, 1000000, false),
    GWC_LIMIT("skeleton", max_skeleton, 1u << 30, true),
    GWC_LIMIT("signers", max_signers, 1024, false),
    GWC_LIMIT("recipients", max_recipients, 65536, false),
    GWC_LIMIT("certificates", max_certificates, 4096, false),
    GWC_LIMIT("decompressed", max_decompressed, UINT64_C(1) << 40, true),
    GWC_LIMIT("ratio", max_ratio, 1000000, false),
    GWC_LIMIT("pbkdf2_iterations", max_pbkdf2_iterations, UINT32_MAX, false),
    GWC_LIMIT("ber_depth", max_ber_depth, 256, false),
    GWC_LIMIT("attribute_bytes", max_attribute_bytes, 64u << 20, true),
    GWC_LIMIT("ccm_content", max_ccm_content, UINT64_C(4) << 30, true),
    GWC_LIMIT("hold_in_memory", hold_in_memory, 1u << 30, true),
};

#define GWC_COUNT(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(GWC_COUNT(gwc_limits_keys) <= CACHET_GWC_MAX_KEYS, "key lines array too small");
_Static_assert(GWC_COUNT(gwc_domain_keys) <= CACHET_GWC_MAX_KEYS, "key lines array too small");
_Static_assert(GWC_COUNT(gwc_cachetd_keys) <= CACHET_GWC_MAX_KEYS, "key lines array too small");

const cachet_gwc_table cachet_gwc_tables[CACHET_GWC_NUM_SECTIONS] = {
    {"cachetd", gwc_cachetd_keys, GWC_COUNT(gwc_cachetd_keys)},
    {"domain", gwc_domain_keys, GWC_COUNT(gwc_domain_keys)},
    {"partner", gwc_partner_keys, GWC_COUNT(gwc_partner_keys)},
    {"limits", gwc_limits_keys, GWC_COUNT(gwc_limits_keys)},
};

static void gwc_add_network(cachetd_config *cfg, int family, const char *text, unsigned prefix) {
    cachetd_network *n = &cfg->trusted_networks[cfg->num_trusted_networks++];
    n->family = family;
    (void)inet_pton(family, text, n->addr);
    n->prefix = prefix;
}

void cachet_gwc_default_cachetd(cachetd_config *cfg) {
    snprintf(cfg->socket, sizeof(cfg->socket), "unix:/run/cachetd/cachetd.sock");
    cachet_gwc_hostname(cfg->authserv_id, sizeof(cfg->authserv_id));
    cfg->log = CACHETD_LOG_SYSLOG;
    cfg->num_trusted_networks = 0;
    gwc_add_network(cfg, AF_INET, "127.0.0.0", 8);
    gwc_add_network(cfg, AF_INET6, "::1", 128);
    cfg->trust_authenticated = true;
    cfg->split = CACHETD_SPLIT_DOMAIN;
    cfg->max_message_size = UINT64_C(50) << 20;
    cfg->revocation = CACHET_REVOCATION_SOFT;
    cfg->network_timeout = 10;
    /* The library's defaults, taken from it rather than copied (a context
     * that cannot be made leaves zeros, which config.c reports as out of memory). */
    cachet_ctx *ctx = cachet_ctx_new();
    if (ctx != NULL) {
        cachet_ctx_get_limits(ctx, &cfg->limits);
        cachet_ctx_free(ctx);
    }
}

void cachet_gwc_default_domain(cachetd_domain *d) {
    d->signing = CACHETD_SIGN_DOMAIN;
    d->sign_format = CACHETD_FORMAT_DETACHED;
    d->encryption = CACHETD_ENCRYPT_OPPORTUNISTIC;
    d->missing_certificate = CACHETD_MISSING_TEMPFAIL;
    d->decrypt = true;
    d->verify = true;
    d->harvest = true;
    d->on_failure = CACHETD_FAILURE_DELIVER;
}

void cachet_gwc_default_partner(cachetd_partner *p) {
    p->name_mapping = CACHET_DOMSEC_MAPPING_ASCENDANT;
    p->require_signature = false;
}
