/* --limit NAME=VALUE: the safety limits of cachet_limits, one name each (the
 * field name without "max_", '_' written '-'), and the hint that names the
 * limit a refused message hit. doc/limits.md is the table of all of them. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef enum limit_type {
    LIMIT_SIZE_T,
    LIMIT_U64,
    LIMIT_UNSIGNED,
} limit_type;

typedef struct limit_def {
    const char *name;
    size_t offset; /* in cachet_limits */
    limit_type type;
    bool bytes;   /* a size: K, M and G suffixes read */
    uint64_t max; /* the largest value accepted (the library's own bound, or sane) */
    /* the library's messages when this limit is hit; '#' stands for a number */
    const char *patterns[3];
} limit_def;

#define LIMIT_FIELD(f) offsetof(cachet_limits, f)

/* The order is the one of the usage message. Patterns are tried in table
 * order, so "MIME nesting deeper than #" (mime-depth) comes before the BER
 * reader's "nesting deeper than #" (ber-depth). */
static const limit_def limit_defs[] = {
    {"layers",
     LIMIT_FIELD(max_layers),
     LIMIT_SIZE_T,
     false,
     64,
     {"more than # nested S/MIME layers", "more than # S/MIME layers", NULL}},
    {"mime-depth",
     LIMIT_FIELD(max_mime_depth),
     LIMIT_SIZE_T,
     false,
     64, /* the MIME parser's own ceiling */
     {"MIME nesting deeper than #", NULL, NULL}},
    {"header-bytes",
     LIMIT_FIELD(max_header_bytes),
     LIMIT_SIZE_T,
     true,
     16u << 20,
     {"header field longer than #", "header field is longer than #", NULL}},
    {"parts", LIMIT_FIELD(max_parts), LIMIT_SIZE_T, false, 1000000, {"more than # MIME parts"}},
    {"skeleton",
     LIMIT_FIELD(max_skeleton),
     LIMIT_SIZE_T,
     true,
     1u << 30,
     {"DER skeleton exceeds #", "exceeds the skeleton limit", NULL}},
    {"signers", LIMIT_FIELD(max_signers), LIMIT_SIZE_T, false, 1024, {"more than # signers$"}},
    {"recipients",
     LIMIT_FIELD(max_recipients),
     LIMIT_SIZE_T,
     false,
     65536,
     {"more than # recipients$"}},
    {"certificates",
     LIMIT_FIELD(max_certificates),
     LIMIT_SIZE_T,
     false,
     4096, /* the crypto layer's own cap on a certificate set */
     {"more than # certificates$"}},
    {"decompressed",
     LIMIT_FIELD(max_decompressed),
     LIMIT_U64,
     true,
     UINT64_C(1) << 40,
     {"decompressed size exceeds #"}},
    {"ratio",
     LIMIT_FIELD(max_ratio),
     LIMIT_UNSIGNED,
     false,
     1000000,
     {"compression ratio exceeds #"}},
    {"pbkdf2-iterations",
     LIMIT_FIELD(max_pbkdf2_iterations),
     LIMIT_U64,
     false,
     UINT32_MAX,
     {"PBKDF2 iterationCount above the limit"}},
    {"ber-depth",
     LIMIT_FIELD(max_ber_depth),
     LIMIT_UNSIGNED,
     false,
     256,
     {"nesting deeper than #"}},
    {"attribute-bytes",
     LIMIT_FIELD(max_attribute_bytes),
     LIMIT_SIZE_T,
     true,
     64u << 20,
     {"attribute bytes"}},
    {"ccm-content",
     LIMIT_FIELD(max_ccm_content),
     LIMIT_SIZE_T,
     true,
     UINT64_C(4) << 30,
     {"AES-CCM content larger than #"}},
    /* not a refusal: held output spills to a temporary file beyond it */
    {"hold-in-memory", LIMIT_FIELD(hold_in_memory), LIMIT_SIZE_T, true, 1u << 30, {NULL}},
};

#define NUM_LIMITS (sizeof(limit_defs) / sizeof(limit_defs[0]))
_Static_assert(NUM_LIMITS <= CACHET_CLI_MAX_LIMITS, "cachet_cli_opts holds every limit");

#define LIMIT_NAMES                                                                                \
    "layers, mime-depth, header-bytes, parts, skeleton, signers, recipients, certificates, "       \
    "decompressed, ratio, pbkdf2-iterations, ber-depth, attribute-bytes, ccm-content, "            \
    "hold-in-memory"

/* parse_value reads decimal digits with, for sizes, one K, M or G (binary). */
static bool parse_value(const char *s, bool bytes, uint64_t max, uint64_t *out) {
    if (s[0] < '0' || s[0] > '9') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0) {
        return false;
    }
    unsigned shift = 0;
    if (bytes && *end != '\0' && end[1] == '\0') {
        switch (*end) {
            case 'K':
            case 'k':
                shift = 10;
                break;
            case 'M':
            case 'm':
                shift = 20;
                break;
            case 'G':
            case 'g':
                shift = 30;
                break;
            default:
                return false;
        }
        end++;
    }
    if (*end != '\0' || v == 0 || v > (max >> shift)) {
        return false;
    }
    *out = (uint64_t)v << shift;
    return true;
}

int cachet_cli_parse_limit(cachet_cli_opts *o, const char *arg) {
    const char *eq = strchr(arg, '=');
    size_t name_len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
    for (size_t i = 0; i < NUM_LIMITS; i++) {
        const limit_def *d = &limit_defs[i];
        if (strlen(d->name) != name_len || strncmp(arg, d->name, name_len) != 0) {
            continue;
        }
        if (eq == NULL) {
            return cachet_cli_usage_error(o->cmd, "--limit %s needs a value: --limit %s=N", d->name,
                                          d->name);
        }
        if ((o->limits_set & (UINT32_C(1) << i)) != 0) {
            return cachet_cli_usage_error(o->cmd, "--limit %s given twice", d->name);
        }
        uint64_t v = 0;
        if (!parse_value(eq + 1, d->bytes, d->max, &v)) {
            return cachet_cli_usage_error(
                o->cmd, "--limit %s takes %s from 1 to %llu%s", d->name,
                d->bytes ? "a size in bytes" : "a number", (unsigned long long)d->max,
                d->bytes ? " (an optional K, M or G suffix, e.g. 64K)" : "");
        }
        o->limit_values[i] = v;
        o->limits_set |= UINT32_C(1) << i;
        return -1;
    }
    return cachet_cli_usage_error(o->cmd,
                                  "--limit takes NAME=VALUE with NAME one of: " LIMIT_NAMES);
}

void cachet_cli_apply_limits(const cachet_cli_opts *o, cachet_ctx *ctx) {
    if (o->limits_set == 0) {
        return;
    }
    cachet_limits l;
    cachet_ctx_get_limits(ctx, &l);
    for (size_t i = 0; i < NUM_LIMITS; i++) {
        if ((o->limits_set & (UINT32_C(1) << i)) == 0) {
            continue;
        }
        const limit_def *d = &limit_defs[i];
        char *field = (char *)&l + d->offset;
        uint64_t v = o->limit_values[i];
        /* every value was bounded by d->max when parsed, so the casts keep it */
        switch (d->type) {
            case LIMIT_SIZE_T: {
                size_t s = (size_t)v;
                memcpy(field, &s, sizeof(s));
                break;
            }
            case LIMIT_U64:
                memcpy(field, &v, sizeof(v));
                break;
            case LIMIT_UNSIGNED: {
                unsigned u = (unsigned)v;
                memcpy(field, &u, sizeof(u));
                break;
            }
        }
    }
    cachet_ctx_set_limits(ctx, &l);
}

/* matches: |pattern| occurs in |msg|, each '#' standing for one or more digits,
 * a final '$' for the end of the message (fixed caps share some wordings). */
static bool matches(const char *msg, const char *pattern) {
    for (const char *start = msg; *start != '\0'; start++) {
        const char *m = start, *p = pattern;
        while (*p != '\0') {
            if (*p == '#') {
                if (*m < '0' || *m > '9') {
                    break;
                }
                while (*m >= '0' && *m <= '9') {
                    m++;
                }
                p++;
            } else if (*p == '$' && p[1] == '\0') {
                if (*m != '\0') {
                    break;
                }
                p++;
            } else if (*m == *p) {
                m++;
                p++;
            } else {
                break;
            }
        }
        if (*p == '\0') {
            return true;
        }
    }
    return false;
}

const char *cachet_cli_limit_hint(const char *message) {
    static char hint[200];
    if (message == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < NUM_LIMITS; i++) {
        const limit_def *d = &limit_defs[i];
        for (size_t j = 0; j < sizeof(d->patterns) / sizeof(d->patterns[0]); j++) {
            if (d->patterns[j] != NULL && matches(message, d->patterns[j])) {
                snprintf(hint, sizeof(hint),
                         "the message exceeds the limit '%s' and was not processed; raise it "
                         "with --limit %s=N if the message is trusted",
                         d->name, d->name);
                return hint;
            }
        }
    }
    return NULL;
}
