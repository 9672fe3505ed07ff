/* config_values: how each kind of cachetd.conf value is read and written back
 * (the keys themselves are in config_keys.c). */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway/config_keys.h"

#define GWC_MAX_SIZE (UINT64_C(4) << 30) /* a milter holds the message; 4G is already absurd */
#define GWC_MAX_TIMEOUT 3600u

bool cachet_gwc_domain_ok(const char *name) {
    size_t label = 0, total = 0;
    char prev = '.';
    for (const char *c = name; *c != '\0'; c++, total++) {
        if (*c == '.') {
            if (label == 0 || prev == '-') {
                return false;
            }
            label = 0;
        } else if (isalnum((unsigned char)*c) || *c == '-') {
            if (label == 0 && *c == '-') {
                return false;
            }
            if (++label > 63) {
                return false;
            }
        } else {
            return false;
        }
        prev = *c;
    }
    return total > 0 && total <= 253 && prev != '.' && prev != '-';
}

static bool gwc_word_eq(const char *a, const char *b) {
    return strcasecmp(a, b) == 0;
}

static bool gwc_parse_bool(const char *v, bool *out) {
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (gwc_word_eq(v, yes[i])) {
            *out = true;
            return true;
        }
        if (gwc_word_eq(v, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* "a, b or c" from the words of an enum, for the error text. */
static void gwc_words_text(const cachet_gwc_word *w, char *out, size_t out_len) {
    size_t n = 0, used = 0;
    while (w[n].word != NULL) {
        n++;
    }
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *sep = i == 0 ? "" : (i + 1 == n ? " or " : ", ");
        int r = snprintf(out + used, out_len - used, "%s%s", sep, w[i].word);
        if (r < 0 || (size_t)r >= out_len - used) {
            return;
        }
        used += (size_t)r;
    }
}

static bool gwc_parse_size(const char *v, uint64_t *out) {
    uint64_t n = 0;
    const char *c = v;
    if (!isdigit((unsigned char)*c)) {
        return false;
    }
    for (; isdigit((unsigned char)*c); c++) {
        if (n > (UINT64_MAX - 9) / 10) {
            return false;
        }
        n = n * 10 + (uint64_t)(*c - '0');
    }
    unsigned shift = 0;
    switch (*c) {
        case '\0':
            break;
        case 'k':
        case 'K':
            shift = 10;
            break;
        case 'm':
        case 'M':
            shift = 20;
            break;
        case 'g':
        case 'G':
            shift = 30;
            break;
        default:
            return false;
    }
    if (*c != '\0' && c[1] != '\0') {
        return false;
    }
    if (n > (GWC_MAX_SIZE >> shift)) {
        return false;
    }
    *out = n << shift;
    return *out > 0;
}

/* gwc_parse_limit: 1..max, digits with (for a size) one K, M or G suffix. */
static bool gwc_parse_limit(const char *v, uint64_t max, bool bytes, uint64_t *out) {
    uint64_t n = 0;
    const char *c = v;
    if (!isdigit((unsigned char)*c)) {
        return false;
    }
    for (; isdigit((unsigned char)*c); c++) {
        n = n * 10 + (uint64_t)(*c - '0');
        if (n > max) {
            return false;
        }
    }
    unsigned shift = 0;
    if (bytes && *c != '\0' && c[1] == '\0') {
        shift = *c == 'k' || *c == 'K'   ? 10
                : *c == 'm' || *c == 'M' ? 20
                : *c == 'g' || *c == 'G' ? 30
                                         : 0;
        c += shift != 0 ? 1 : 0;
    }
    if (*c != '\0' || n == 0 || n > (max >> shift)) {
        return false;
    }
    *out = n << shift;
    return true;
}

static bool gwc_parse_uint(const char *v, unsigned max, unsigned *out) {
    unsigned n = 0;
    if (*v == '\0') {
        return false;
    }
    for (const char *c = v; *c != '\0'; c++) {
        if (!isdigit((unsigned char)*c)) {
            return false;
        }
        n = n * 10 + (unsigned)(*c - '0');
        if (n > max) {
            return false;
        }
    }
    *out = n;
    return true;
}

/* One network "ADDR[/PREFIX]"; |why| says what is wrong with it. */
static bool gwc_parse_network(const char *text, cachetd_network *net, char *why, size_t why_len) {
    char addr[64];
    const char *slash = strchr(text, '/');
    size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
    if (alen == 0 || alen >= sizeof(addr)) {
        snprintf(why, why_len, "not an IPv4 or IPv6 address");
        return false;
    }
    memcpy(addr, text, alen);
    addr[alen] = '\0';
    memset(net, 0, sizeof(*net));
    unsigned max;
    if (inet_pton(AF_INET, addr, net->addr) == 1) {
        net->family = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, addr, net->addr) == 1) {
        net->family = AF_INET6;
        max = 128;
    } else {
        snprintf(why, why_len, "'%s' is not an IPv4 or IPv6 address", addr);
        return false;
    }
    net->prefix = max;
    if (slash != NULL && !gwc_parse_uint(slash + 1, 999, &net->prefix)) {
        snprintf(why, why_len, "the prefix length after '/' must be a number");
        return false;
    }
    if (net->prefix > max) {
        snprintf(why, why_len, "an %s prefix length is 0 to %u",
                 net->family == AF_INET ? "IPv4" : "IPv6", max);
        return false;
    }
    /* Host bits past the prefix usually mean a typo in the prefix or the address:
     * refuse rather than guess which of the two was meant. */
    for (unsigned bit = net->prefix; bit < max; bit++) {
        if ((net->addr[bit / 8] >> (7 - bit % 8)) & 1) {
            cachetd_network fixed = *net;
            char text_fixed[INET6_ADDRSTRLEN];
            for (unsigned b = net->prefix; b < max; b++) {
                fixed.addr[b / 8] &= (uint8_t) ~(1u << (7 - b % 8));
            }
            inet_ntop(fixed.family, fixed.addr, text_fixed, sizeof(text_fixed));
            snprintf(why, why_len, "address bits set after /%u (the network is %s/%u)", net->prefix,
                     text_fixed, net->prefix);
            return false;
        }
    }
    return true;
}

static bool gwc_parse_networks(cachetd_config *cfg, const char *v, char *why, size_t why_len) {
    char item[128], reason[160];
    size_t n = 0;
    const char *c = v;
    while (*c != '\0') {
        while (*c == ',' || *c == ' ' || *c == '\t') {
            c++;
        }
        size_t len = strcspn(c, ", \t");
        if (len == 0) {
            break;
        }
        if (len >= sizeof(item)) {
            snprintf(why, why_len, "trusted_networks: bad network '%.40s...': too long", c);
            return false;
        }
        memcpy(item, c, len);
        item[len] = '\0';
        c += len;
        if (n == CACHETD_MAX_NETWORKS) {
            snprintf(why, why_len, "trusted_networks: more than %d networks", CACHETD_MAX_NETWORKS);
            return false;
        }
        if (!gwc_parse_network(item, &cfg->trusted_networks[n], reason, sizeof(reason))) {
            snprintf(why, why_len, "trusted_networks: bad network '%s': %s", item, reason);
            return false;
        }
        n++;
    }
    cfg->num_trusted_networks = n;
    return true;
}

static bool gwc_socket_ok(const char *v) {
    const char *port;
    if (strncmp(v, "unix:", 5) == 0) {
        return v[5] == '/' && v[6] != '\0';
    }
    if (strncmp(v, "inet:", 5) == 0) {
        port = v + 5;
    } else if (strncmp(v, "inet6:", 6) == 0) {
        port = v + 6;
    } else {
        return false;
    }
    char digits[8];
    size_t plen = strcspn(port, "@");
    unsigned n;
    if (plen == 0 || plen >= sizeof(digits)) {
        return false;
    }
    memcpy(digits, port, plen);
    digits[plen] = '\0';
    if (!gwc_parse_uint(digits, 65535, &n) || n == 0) {
        return false;
    }
    if (port[plen] == '@') {
        const char *host = port + plen + 1;
        return *host != '\0' && strpbrk(host, " \t@") == NULL;
    }
    return true;
}

static bool gwc_user_ok(const char *v) {
    if (v[0] == '-') {
        return false;
    }
    for (const char *c = v; *c != '\0'; c++) {
        if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_' && *c != '-') {
            return false;
        }
    }
    return true;
}

/* RFC 8601 authserv-id is a "value" (RFC 2045): a token is enough for a host name. */
static bool gwc_token_ok(const char *v) {
    for (const char *c = v; *c != '\0'; c++) {
        if (*c <= ' ' || *c >= 0x7f || strchr("()<>@,;:\\\"/[]?=", *c) != NULL) {
            return false;
        }
    }
    return true;
}

void cachet_gwc_hostname(char *out, size_t out_len) {
    char host[CACHETD_NAME_MAX] = {0};
    /* The default must itself parse back (cachetd -n), so an odd host name
     * falls back too. */
    if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0' || !gwc_token_ok(host)) {
        snprintf(out, out_len, "localhost");
        return;
    }
    snprintf(out, out_len, "%s", host);
}

static bool gwc_address_ok(const char *v) {
    const char *at = strrchr(v, '@');
    if (at == NULL || at == v) {
        return false;
    }
    for (const char *c = v; c < at; c++) {
        if (*c <= ' ' || *c >= 0x7f || strchr("<>()[]\\,;:\"@", *c) != NULL) {
            return false;
        }
    }
    return cachet_gwc_domain_ok(at + 1);
}

static bool gwc_check_text(const cachet_gwc_key *k, const char *v, char *why, size_t why_len) {
    const char *expect = NULL;
    if (v[0] == '\0' && k->empty_means != NULL) {
        return true;
    }
    switch (k->kind) {
        case CACHET_GWC_SOCKET:
            if (!gwc_socket_ok(v)) {
                expect = "expected unix:/PATH, inet:PORT@HOST or inet6:PORT@HOST";
            }
            break;
        case CACHET_GWC_USER:
            if (!gwc_user_ok(v)) {
                expect = "expected a user name (letters, digits, '.', '_' and '-'), or nothing "
                         "to stay the user cachetd was started as";
            }
            break;
        case CACHET_GWC_AUTHSERV:
            if (!gwc_token_ok(v)) {
                expect = "expected a host name such as mx.a.example (no spaces or "
                         "()<>@,;:\\\"/[]?=), or nothing for the host name";
            }
            break;
        case CACHET_GWC_PATH:
            if (v[0] != '/') {
                snprintf(why, why_len, "%s = %s: expected an absolute path, or nothing for %s",
                         k->name, v, k->empty_means);
                return false;
            }
            break;
        case CACHET_GWC_KEYREF:
            if (v[0] != '/' && strncmp(v, "pkcs11:", 7) != 0) {
                snprintf(why, why_len,
                         "%s = %s: expected an absolute path or a pkcs11: URI, or nothing for %s",
                         k->name, v, k->empty_means);
                return false;
            }
            break;
        case CACHET_GWC_ADDRESS:
            if (!gwc_address_ok(v)) {
                expect = "expected an address such as quarantine@a.example, or nothing for the "
                         "MTA's hold queue";
            }
            break;
        default:
            break;
    }
    if (expect != NULL) {
        snprintf(why, why_len, "%s = %s: %s", k->name, v, expect);
        return false;
    }
    if (strlen(v) >= k->size) {
        snprintf(why, why_len, "%s: the value is too long (at most %zu characters)", k->name,
                 k->size - 1);
        return false;
    }
    return true;
}

bool cachet_gwc_parse_value(const cachet_gwc_key *k, void *base, const char *value, char *why,
                            size_t why_len) {
    char *field = (char *)base + k->offset;
    char words[128];
    switch (k->kind) {
        case CACHET_GWC_BOOL:
            if (!gwc_parse_bool(value, (bool *)field)) {
                snprintf(why, why_len, "%s = %s: expected yes or no (also true/false, on/off, 1/0)",
                         k->name, value);
                return false;
            }
            return true;
        case CACHET_GWC_ENUM:
            for (const cachet_gwc_word *w = k->words; w->word != NULL; w++) {
                if (gwc_word_eq(value, w->word)) {
                    *(int *)field = w->value;
                    if (k->has_flag) {
                        *(bool *)((char *)base + k->has_offset) = true;
                    }
                    return true;
                }
            }
            gwc_words_text(k->words, words, sizeof(words));
            snprintf(why, why_len, "%s = %s: expected %s", k->name, value, words);
            return false;
        case CACHET_GWC_SIZE:
            if (!gwc_parse_size(value, (uint64_t *)field)) {
                snprintf(why, why_len,
                         "%s = %s: expected a size in bytes from 1 to 4G, with an optional "
                         "suffix K, M or G (e.g. 50M)",
                         k->name, value);
                return false;
            }
            return true;
        case CACHET_GWC_SECONDS:
            if (!gwc_parse_uint(value, GWC_MAX_TIMEOUT, (unsigned *)field) ||
                *(unsigned *)field == 0) {
                snprintf(why, why_len, "%s = %s: expected a number of seconds from 1 to %u",
                         k->name, value, GWC_MAX_TIMEOUT);
                return false;
            }
            return true;
        case CACHET_GWC_NETWORKS:
            return gwc_parse_networks((cachetd_config *)base, value, why, why_len);
        case CACHET_GWC_LIMIT: {
            uint64_t n = 0;
            if (!gwc_parse_limit(value, k->max, k->bytes, &n)) {
                snprintf(why, why_len, "%s = %s: expected %s from 1 to %" PRIu64 "%s", k->name,
                         value, k->bytes ? "a size in bytes" : "a number", k->max,
                         k->bytes ? ", with an optional suffix K, M or G (e.g. 64K)" : "");
                return false;
            }
            if (k->size == sizeof(uint32_t)) {
                uint32_t u = (uint32_t)n;
                memcpy(field, &u, sizeof(u));
            } else {
                memcpy(field, &n, sizeof(n));
            }
            return true;
        }
        default:
            break;
    }
    if (!gwc_check_text(k, value, why, why_len)) {
        return false;
    }
    if (k->kind == CACHET_GWC_AUTHSERV && value[0] == '\0') {
        cachet_gwc_hostname(field, k->size);
        return true;
    }
    memset(field, 0, k->size);
    memcpy(field, value, strlen(value));
    return true;
}

static void gwc_format_size(uint64_t n, char *out, size_t out_len) {
    static const struct {
        unsigned shift;
        char suffix;
    } units[] = {{30, 'G'}, {20, 'M'}, {10, 'K'}};
    for (size_t i = 0; i < 3; i++) {
        uint64_t unit = UINT64_C(1) << units[i].shift;
        if (n >= unit && n % unit == 0) {
            snprintf(out, out_len, "%" PRIu64 "%c", n / unit, units[i].suffix);
            return;
        }
    }
    snprintf(out, out_len, "%" PRIu64, n);
}

void cachet_gwc_format_value(const cachet_gwc_key *k, const void *base, char *out, size_t out_len) {
    const char *field = (const char *)base + k->offset;
    out[0] = '\0';
    switch (k->kind) {
        case CACHET_GWC_BOOL:
            snprintf(out, out_len, "%s", *(const bool *)field ? "yes" : "no");
            return;
        case CACHET_GWC_ENUM:
            for (const cachet_gwc_word *w = k->words; w->word != NULL; w++) {
                if (w->value == *(const int *)field) {
                    snprintf(out, out_len, "%s", w->word);
                    return;
                }
            }
            return;
        case CACHET_GWC_SIZE:
            gwc_format_size(*(const uint64_t *)field, out, out_len);
            return;
        case CACHET_GWC_SECONDS:
            snprintf(out, out_len, "%u", *(const unsigned *)field);
            return;
        case CACHET_GWC_LIMIT: {
            uint64_t n = 0;
            if (k->size == sizeof(uint32_t)) {
                uint32_t u = 0;
                memcpy(&u, field, sizeof(u));
                n = u;
            } else {
                memcpy(&n, field, sizeof(n));
            }
            if (k->bytes) {
                gwc_format_size(n, out, out_len);
            } else {
                snprintf(out, out_len, "%" PRIu64, n);
            }
            return;
        }
        case CACHET_GWC_NETWORKS: {
            const cachetd_config *cfg = base;
            size_t used = 0;
            for (size_t i = 0; i < cfg->num_trusted_networks; i++) {
                const cachetd_network *n = &cfg->trusted_networks[i];
                char addr[INET6_ADDRSTRLEN] = "?";
                inet_ntop(n->family, n->addr, addr, sizeof(addr));
                int r = snprintf(out + used, out_len - used, "%s%s/%u", i == 0 ? "" : ", ", addr,
                                 n->prefix);
                if (r < 0 || (size_t)r >= out_len - used) {
                    return;
                }
                used += (size_t)r;
            }
            return;
        }
        default:
            snprintf(out, out_len, "%s", field);
            return;
    }
}
