/* cachetd.conf [limits]: every key sets its cachet_limits field, the defaults
 * are the library's, values are bounded like the CLI's --limit, the section is
 * printed and parses back, and its errors name the line and what to write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cachet/smime.h>

#include "gateway/config.h"
#include "testlib.h"

static cachetd_config *parse(const char *text, char *err, size_t err_len) {
    return cachetd_config_parse_string(text, "cachetd.conf", err, err_len);
}

static char *print_to_string(const cachetd_config *cfg) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        return NULL;
    }
    cachetd_config_print(cfg, f);
    fclose(f);
    return buf;
}

/* One key: the text after "key = ", and the field value it must give. */
typedef struct key_case {
    const char *line;
    size_t offset;
    size_t size;
    uint64_t want;
} key_case;

#define FIELD(f) offsetof(cachet_limits, f), sizeof(((cachet_limits *)0)->f)

static const key_case key_cases[] = {
    {"layers = 3", FIELD(max_layers), 3},
    {"mime_depth = 5", FIELD(max_mime_depth), 5},
    {"header_bytes = 2K", FIELD(max_header_bytes), 2048},
    {"parts = 5", FIELD(max_parts), 5},
    {"skeleton = 1M", FIELD(max_skeleton), 1u << 20},
    {"signers = 2", FIELD(max_signers), 2},
    {"recipients = 3", FIELD(max_recipients), 3},
    {"certificates = 4", FIELD(max_certificates), 4},
    {"decompressed = 1K", FIELD(max_decompressed), 1024},
    {"ratio = 10", FIELD(max_ratio), 10},
    {"pbkdf2_iterations = 1000", FIELD(max_pbkdf2_iterations), 1000},
    {"ber_depth = 17", FIELD(max_ber_depth), 17},
    {"attribute_bytes = 285", FIELD(max_attribute_bytes), 285},
    {"ccm_content = 1G", FIELD(max_ccm_content), UINT64_C(1) << 30},
    {"hold_in_memory = 64k", FIELD(hold_in_memory), 65536},
};

static uint64_t field_value(const cachet_limits *l, size_t offset, size_t size) {
    const char *p = (const char *)l + offset;
    if (size == sizeof(uint32_t)) {
        uint32_t u;
        memcpy(&u, p, sizeof(u));
        return u;
    }
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* same_limits compares field by field (the struct has padding). */
static bool same_limits(const cachet_limits *a, const cachet_limits *b) {
    for (size_t j = 0; j < sizeof(key_cases) / sizeof(key_cases[0]); j++) {
        if (field_value(a, key_cases[j].offset, key_cases[j].size) !=
            field_value(b, key_cases[j].offset, key_cases[j].size)) {
            return false;
        }
    }
    return true;
}

static void every_limit_key_sets_its_field_and_only_it(void) {
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_limits defaults;
    cachet_ctx_get_limits(ctx, &defaults);
    cachet_ctx_free(ctx);
    for (size_t i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
        char text[256], err[512] = "";
        snprintf(text, sizeof(text), "[limits]\n%s\n[domain a.example]\n", key_cases[i].line);
        cachetd_config *cfg = parse(text, err, sizeof(err));
        if (cfg == NULL) {
            fprintf(stderr, "case %zu: %s\n", i, err);
            CHECK(false);
            continue;
        }
        CHECK_EQ_INT(field_value(&cfg->limits, key_cases[i].offset, key_cases[i].size),
                     key_cases[i].want);
        /* every other field keeps the library's default */
        for (size_t j = 0; j < sizeof(key_cases) / sizeof(key_cases[0]); j++) {
            if (j != i) {
                CHECK_EQ_INT(field_value(&cfg->limits, key_cases[j].offset, key_cases[j].size),
                             field_value(&defaults, key_cases[j].offset, key_cases[j].size));
            }
        }
        cachetd_config_free(cfg);
    }
}

static void absent_section_gives_the_library_defaults(void) {
    char err[512] = "";
    cachetd_config *cfg = parse("[domain a.example]\n", err, sizeof(err));
    CHECK(cfg != NULL);
    if (cfg == NULL) {
        return;
    }
    cachet_ctx *ctx = cachet_ctx_new();
    cachet_limits l;
    cachet_ctx_get_limits(ctx, &l);
    cachet_ctx_free(ctx);
    CHECK(same_limits(&l, &cfg->limits));
    CHECK_EQ_INT(cfg->limits.max_layers, 8);
    CHECK_EQ_INT(cfg->limits.max_ber_depth, 64);
    CHECK_EQ_INT(cfg->limits.max_attribute_bytes, 1u << 20);
    cachetd_config_free(cfg);
}

static void limits_section_prints_and_parses_back_equal(void) {
    char err[512] = "";
    cachetd_config *cfg = parse("[limits]\nlayers = 2\nratio = 10\nheader_bytes = 3000\n"
                                "decompressed = 2G\n[domain a.example]\n",
                                err, sizeof(err));
    CHECK(cfg != NULL);
    if (cfg == NULL) {
        return;
    }
    char *first = print_to_string(cfg);
    CHECK(first != NULL && strstr(first, "\n[limits]\nlayers = 2\n") != NULL);
    CHECK(first != NULL && strstr(first, "\nheader_bytes = 3000\n") != NULL);
    CHECK(first != NULL && strstr(first, "\ndecompressed = 2G\n") != NULL);
    CHECK(first != NULL && strstr(first, "\nratio = 10\n") != NULL);
    cachetd_config *again = parse(first, err, sizeof(err));
    CHECK(again != NULL);
    if (again != NULL) {
        CHECK(same_limits(&again->limits, &cfg->limits));
        char *second = print_to_string(again);
        CHECK(second != NULL && first != NULL && strcmp(first, second) == 0);
        free(second);
        cachetd_config_free(again);
    }
    free(first);
    cachetd_config_free(cfg);
}

static void bad_limit_values_and_sections_are_refused_with_the_line(void) {
    static const struct {
        const char *text;
        const char *err;
    } cases[] = {
        {"[limits]\nlayers = 0\n", "cachetd.conf:2: layers = 0: expected a number from 1 to 64"},
        {"[limits]\nlayers = 65\n", "cachetd.conf:2: layers = 65: expected a number from 1 to 64"},
        {"[limits]\nsigners = 2K\n",
         "cachetd.conf:2: signers = 2K: expected a number from 1 to 1024"},
        {"[limits]\nheader_bytes = 1T\n",
         "cachetd.conf:2: header_bytes = 1T: expected a size in bytes from 1 to 16777216, with "
         "an optional suffix K, M or G (e.g. 64K)"},
        {"[limits]\nratio = -1\n",
         "cachetd.conf:2: ratio = -1: expected a number from 1 to 1000000"},
        {"[limits]\nratio =\n", "cachetd.conf:2: ratio = : expected a number from 1 to 1000000"},
        {"[limits]\npbkdf2_iterations = 99999999999999999999999\n",
         "cachetd.conf:2: pbkdf2_iterations = 99999999999999999999999: expected a number from 1 "
         "to 4294967295"},
        {"[limits]\nmax_layers = 3\n",
         "cachetd.conf:2: unknown key 'max_layers' in [limits] (known: layers, mime_depth, "
         "header_bytes, parts, skeleton, signers, recipients, certificates, decompressed, ratio, "
         "pbkdf2_iterations, ber_depth, attribute_bytes, ccm_content, hold_in_memory)"},
        {"[limits]\nlayers = 3\nlayers = 4\n",
         "cachetd.conf:3: duplicate key 'layers' in [limits] (first at line 2)"},
        {"[limits]\n[limits]\n", "cachetd.conf:2: duplicate section [limits] (first at line 1)"},
        {"[limits x]\n", "cachetd.conf:1: [limits x]: [limits] takes no name"},
        {"[cachetd]\nlayers = 3\n",
         "cachetd.conf:2: unknown key 'layers' in [cachetd]; it belongs in [limits] (known: "
         "socket, user, store, authserv_id, pidfile, log, debug, trusted_networks, "
         "trust_authenticated, split, max_message_size, revocation, network_timeout)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[512], err[1024] = "";
        snprintf(text, sizeof(text), "%s[domain a.example]\n", cases[i].text);
        cachetd_config *cfg = parse(text, err, sizeof(err));
        CHECK(cfg == NULL);
        if (strcmp(err, cases[i].err) != 0) {
            fprintf(stderr, "case %zu:\n", i);
        }
        CHECK_STR(err, cases[i].err);
        cachetd_config_free(cfg);
    }
}

static void largest_values_are_accepted(void) {
    char err[512] = "";
    cachetd_config *cfg = parse("[limits]\nlayers = 64\nmime_depth = 64\nber_depth = 256\n"
                                "pbkdf2_iterations = 4294967295\ndecompressed = 1024G\n"
                                "[domain a.example]\n",
                                err, sizeof(err));
    if (cfg == NULL) {
        fprintf(stderr, "%s\n", err);
    }
    CHECK(cfg != NULL);
    if (cfg != NULL) {
        CHECK_EQ_INT(cfg->limits.max_layers, 64);
        CHECK_EQ_INT(cfg->limits.max_ber_depth, 256);
        CHECK_EQ_INT(cfg->limits.max_pbkdf2_iterations, UINT32_MAX);
        CHECK_EQ_INT(cfg->limits.max_decompressed, UINT64_C(1) << 40);
    }
    cachetd_config_free(cfg);
}

static const cachet_test_case tests[] = {
    TEST_CASE(every_limit_key_sets_its_field_and_only_it),
    TEST_CASE(absent_section_gives_the_library_defaults),
    TEST_CASE(limits_section_prints_and_parses_back_equal),
    TEST_CASE(bad_limit_values_and_sections_are_refused_with_the_line),
    TEST_CASE(largest_values_are_accepted),
};
TEST_MAIN(tests)
