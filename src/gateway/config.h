/* config: cachetd.conf, one INI file (parsed with libinih), validated whole.
 * Unknown sections and keys are fatal with their line number, so a typo never
 * silently weakens policy. The object is immutable once loaded; a reload builds
 * a new one and swaps it only if it is complete (milter/runtime.c). */
#ifndef CACHETD_CONFIG_H
#define CACHETD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cachet/domsec.h> /* cachet_domsec_mapping: the name_mapping key */
#include <cachet/smime.h>  /* cachet_limits: the [limits] section */

#define CACHETD_MAX_DOMAINS 64
#define CACHETD_MAX_PARTNERS 256
#define CACHETD_MAX_NETWORKS 64
#define CACHETD_NAME_MAX 256  /* a domain name or address, NUL included */
#define CACHETD_PATH_MAX 1024 /* a path, socket spec or URL, NUL included */

typedef enum cachetd_sign_mode {
    CACHETD_SIGN_NONE = 0,
    CACHETD_SIGN_DOMAIN, /* RFC 3183 domain signature (domain-signing-authority@domain) */
    CACHETD_SIGN_USER,   /* the sender's own key from the store, else the domain signature */
} cachetd_sign_mode;

typedef enum cachetd_encrypt_policy {
    CACHETD_ENCRYPT_OPPORTUNISTIC = 0, /* encrypt when a certificate is found, else plain */
    CACHETD_ENCRYPT_REQUIRED,          /* encrypt or do not send (see missing_certificate) */
    CACHETD_ENCRYPT_NEVER,
} cachetd_encrypt_policy;

typedef enum cachetd_missing_action {
    CACHETD_MISSING_TEMPFAIL = 0, /* 4xx: the MTA keeps the message and retries */
    CACHETD_MISSING_REJECT,       /* 5xx */
} cachetd_missing_action;

typedef enum cachetd_failure_action {
    CACHETD_FAILURE_DELIVER = 0, /* deliver with the result in Authentication-Results */
    CACHETD_FAILURE_QUARANTINE,  /* to the quarantine address, or the MTA's hold queue */
    CACHETD_FAILURE_REJECT,
} cachetd_failure_action;

typedef enum cachetd_sign_format {
    CACHETD_FORMAT_DETACHED = 0, /* multipart/signed */
    CACHETD_FORMAT_OPAQUE,       /* application/pkcs7-mime signed-data */
} cachetd_sign_format;

typedef enum cachetd_split {
    CACHETD_SPLIT_DOMAIN = 0, /* one transaction per recipient domain */
    CACHETD_SPLIT_RECIPIENT,  /* one per recipient (no Bcc shares a copy) */
} cachetd_split;

/* An IPv4 or IPv6 network, "a.b.c.d/n" or "x::y/n". */
typedef struct cachetd_network {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    unsigned prefix;
} cachetd_network;

/* [domain NAME]: one of our domains. */
typedef struct cachetd_domain {
    char name[CACHETD_NAME_MAX]; /* lower case */
    cachetd_sign_mode signing;
    cachetd_sign_format sign_format;
    bool empty_signature_layer; /* RFC 3183 §3 method 1 before signing unsigned mail */
    bool review_signature;      /* add a review signature (review-authority@NAME) */
    bool attributes_signature;  /* add an additional-attributes signature (attribute-authority@NAME)
                                 */
    char signing_cert[CACHETD_PATH_MAX]; /* "" = from the store by the authority's address */
    char signing_key[CACHETD_PATH_MAX];
    char dca_cert[CACHETD_PATH_MAX]; /* our DCA (domain-confidentiality-authority@NAME) */
    char dca_key[CACHETD_PATH_MAX];
    cachetd_encrypt_policy encryption; /* for recipient domains without a [partner] */
    cachetd_missing_action missing_certificate;
    bool decrypt; /* inbound: decrypt with the DCA key or the recipient's own key */
    bool verify;  /* inbound: verify and add Authentication-Results */
    bool harvest; /* inbound: store certificates of valid, trusted signers */
    cachetd_failure_action on_failure;
    char quarantine[CACHETD_NAME_MAX]; /* "" = the MTA's hold queue */
} cachetd_domain;

/* The content cipher for a partner: from what its certificates advertised
 * (auto), or as agreed with the partner (its gateway is known to support it). */
typedef enum cachetd_cipher {
    CACHETD_CIPHER_AUTO = 0,
    CACHETD_CIPHER_AES256_GCM,
    CACHETD_CIPHER_AES128_GCM,
    CACHETD_CIPHER_AES256_CBC,
    CACHETD_CIPHER_AES128_CBC,
} cachetd_cipher;

/* [partner NAME]: a remote domain (and its subdomains, most specific wins). */
typedef struct cachetd_partner {
    char name[CACHETD_NAME_MAX]; /* lower case */
    cachetd_encrypt_policy encryption;
    cachetd_missing_action missing_certificate;
    bool require_signature; /* inbound mail from it must carry a valid domain or originator
                               signature */
    cachet_domsec_mapping name_mapping;
    cachetd_cipher cipher;
    /* set flags: which keys the section gave (the rest fall back to the domain's) */
    bool has_encryption, has_missing_certificate;
} cachetd_partner;

typedef enum cachetd_log_target { CACHETD_LOG_SYSLOG = 0, CACHETD_LOG_STDERR } cachetd_log_target;

typedef struct cachetd_config {
    char path[CACHETD_PATH_MAX];
    /* [cachetd] */
    char socket[CACHETD_PATH_MAX];      /* "unix:/path" or "inet:PORT@HOST"; default
                                           unix:/run/cachetd/cachetd.sock */
    char user[64];                      /* drop to this user after opening keys; "" = stay */
    char store[CACHETD_PATH_MAX];       /* store URL; "" = the default of cachet_store_open */
    char authserv_id[CACHETD_NAME_MAX]; /* default: the host name */
    char pidfile[CACHETD_PATH_MAX];
    cachetd_log_target log;
    bool debug;
    cachetd_network trusted_networks[CACHETD_MAX_NETWORKS];
    size_t num_trusted_networks; /* default 127.0.0.0/8 and ::1/128 */
    bool trust_authenticated; /* SASL-authenticated senders are trusted submitters (default yes) */
    cachetd_split split;
    uint64_t max_message_size; /* bytes; default 50 MiB */
    int revocation;            /* cachet_revocation_policy; default CACHET_REVOCATION_SOFT */
    unsigned network_timeout;  /* seconds for each OCSP request or CRL download; default 10 */
    /* [limits]: the safety limits applied to every message (doc/limits.md);
     * defaults those of cachet_ctx_new */
    cachet_limits limits;
    cachetd_domain domains[CACHETD_MAX_DOMAINS];
    size_t num_domains;
    cachetd_partner partners[CACHETD_MAX_PARTNERS];
    size_t num_partners;
} cachetd_config;

/* cachetd_config_load reads |path| into a new configuration. On failure returns
 * NULL and writes "PATH:LINE: what is wrong, and what to write instead" into |err|. */
cachetd_config *cachetd_config_load(const char *path, char *err, size_t err_len);
/* cachetd_config_parse_string does the same for text in memory (|name| in errors). */
cachetd_config *cachetd_config_parse_string(const char *text, const char *name, char *err,
                                            size_t err_len);
void cachetd_config_free(cachetd_config *cfg);
/* cachetd_config_print writes the effective settings (defaults included) in the
 * file's own syntax, so that the output loads back to the same configuration. */
void cachetd_config_print(const cachetd_config *cfg, FILE *out);

/* cachetd_config_domain: our domain |domain| (exact, case-insensitive), or NULL. */
const cachetd_domain *cachetd_config_domain(const cachetd_config *cfg, const char *domain);
/* cachetd_config_partner: the most specific [partner] equal to or an ascendant of
 * |domain| (case-insensitive), or NULL. */
const cachetd_partner *cachetd_config_partner(const cachetd_config *cfg, const char *domain);
/* cachetd_network_contains: |addr| (text, IPv4 or IPv6) is in |net|. */
bool cachetd_network_contains(const cachetd_network *net, const char *addr);

#endif
