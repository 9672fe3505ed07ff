/* config_keys: the one table of cachetd.conf sections and keys, shared by the
 * parser (config.c) and the printer (config_print.c) so that every key that can
 * be parsed is also printed, with the same words. Private to the gateway. */
#ifndef CACHETD_CONFIG_KEYS_H
#define CACHETD_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/config.h"

typedef enum cachet_gwc_section {
    CACHET_GWC_CACHETD = 0,
    CACHET_GWC_DOMAIN,
    CACHET_GWC_PARTNER,
    CACHET_GWC_LIMITS, /* [limits]: no name, at most once (base: cfg->limits) */
    CACHET_GWC_NUM_SECTIONS,
} cachet_gwc_section;

typedef enum cachet_gwc_kind {
    CACHET_GWC_TEXT,     /* anything printable (the store URL) */
    CACHET_GWC_SOCKET,   /* unix:/PATH, inet:PORT[@HOST], inet6:PORT[@HOST] */
    CACHET_GWC_USER,     /* a user name or empty */
    CACHET_GWC_AUTHSERV, /* an RFC 2045 token; empty = the host name */
    CACHET_GWC_PATH,     /* an absolute path or empty */
    CACHET_GWC_KEYREF,   /* an absolute path, a pkcs11: URI, or empty */
    CACHET_GWC_ADDRESS,  /* local@domain or empty */
    CACHET_GWC_BOOL,
    CACHET_GWC_ENUM,
    CACHET_GWC_SIZE,     /* bytes, with an optional K, M or G suffix */
    CACHET_GWC_SECONDS,  /* 1..3600 */
    CACHET_GWC_NETWORKS, /* a list of networks (cachetd_config only) */
    CACHET_GWC_LIMIT,    /* 1..max, an unsigned field of 4 or 8 bytes; K/M/G when bytes */
} cachet_gwc_kind;

typedef struct cachet_gwc_word {
    const char *word;
    int value;
} cachet_gwc_word;

typedef struct cachet_gwc_key {
    const char *name;
    cachet_gwc_kind kind;
    size_t offset;                /* of the field in the section's struct */
    size_t size;                  /* of a string field, NUL included */
    const cachet_gwc_word *words; /* ENUM: the accepted words, NULL-terminated */
    /* PARTNER keys that fall back to the domain's value when absent */
    bool has_flag;
    size_t has_offset;
    const char *empty_means; /* what an empty value means, for the error text */
    /* LIMIT: the largest value, and whether it is a size (K, M, G read) */
    uint64_t max;
    bool bytes;
} cachet_gwc_key;

#define CACHET_GWC_MAX_KEYS 24

typedef struct cachet_gwc_table {
    const char *type; /* "cachetd", "domain", "partner" */
    const cachet_gwc_key *keys;
    size_t num_keys;
} cachet_gwc_table;

extern const cachet_gwc_table cachet_gwc_tables[CACHET_GWC_NUM_SECTIONS];

/* cachet_gwc_parse_value stores |value| of key |k| into the struct at |base|.
 * On failure writes into |why| a sentence naming the key and what to write
 * instead (without the "FILE:LINE: " prefix). */
bool cachet_gwc_parse_value(const cachet_gwc_key *k, void *base, const char *value, char *why,
                            size_t why_len);
/* cachet_gwc_format_value writes the value of |k| at |base| as the parser reads it. */
void cachet_gwc_format_value(const cachet_gwc_key *k, const void *base, char *out, size_t out_len);
/* cachet_gwc_domain_ok: |name| is a domain name as sections take it (letters,
 * digits and '-' in labels of 1..63 characters separated by '.'). */
bool cachet_gwc_domain_ok(const char *name);
/* cachet_gwc_default_domain / _partner / _cachetd fill a section with its defaults
 * (_cachetd also the [limits]). */
void cachet_gwc_default_cachetd(cachetd_config *cfg);
void cachet_gwc_default_domain(cachetd_domain *d);
void cachet_gwc_default_partner(cachetd_partner *p);
/* cachet_gwc_hostname: the default authserv_id (gethostname(), else "localhost"). */
void cachet_gwc_hostname(char *out, size_t out_len);

#endif
