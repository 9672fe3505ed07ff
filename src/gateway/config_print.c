/* config_print: the effective configuration in cachetd.conf's own syntax
 * (cachetd -n). Driven by the same key table as the parser, so the output
 * parses back to an equal configuration. */
#include <stdio.h>

#include "gateway/config_keys.h"

#define GWC_PRINT_MAX 4096

static void gwc_print_section(FILE *out, cachet_gwc_section sec, const void *base) {
    const cachet_gwc_table *t = &cachet_gwc_tables[sec];
    char value[GWC_PRINT_MAX];
    for (size_t i = 0; i < t->num_keys; i++) {
        const cachet_gwc_key *k = &t->keys[i];
        if (k->has_flag && !*(const bool *)((const char *)base + k->has_offset)) {
            /* Not set: the sender's domain's value applies, which is not one
             * value to print; a comment keeps the round trip exact. */
            fprintf(out, "# %s: not set, the domain's value applies\n", k->name);
            continue;
        }
        cachet_gwc_format_value(k, base, value, sizeof(value));
        fprintf(out, value[0] != '\0' ? "%s = %s\n" : "%s =%s\n", k->name, value);
    }
}

void cachetd_config_print(const cachetd_config *cfg, FILE *out) {
    /* No path here: printing what was printed must give the same text. */
    fprintf(out, "# cachetd effective configuration\n");
    fprintf(out, "[cachetd]\n");
    gwc_print_section(out, CACHET_GWC_CACHETD, cfg);
    fprintf(out, "\n[limits]\n");
    gwc_print_section(out, CACHET_GWC_LIMITS, &cfg->limits);
    for (size_t i = 0; i < cfg->num_domains; i++) {
        fprintf(out, "\n[domain %s]\n", cfg->domains[i].name);
        gwc_print_section(out, CACHET_GWC_DOMAIN, &cfg->domains[i]);
    }
    for (size_t i = 0; i < cfg->num_partners; i++) {
        fprintf(out, "\n[partner %s]\n", cfg->partners[i].name);
        gwc_print_section(out, CACHET_GWC_PARTNER, &cfg->partners[i]);
    }
}
