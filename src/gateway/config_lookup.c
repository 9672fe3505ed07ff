/* config_lookup: finding our domain, a partner section and a trusted network in
 * a loaded configuration. Pure functions over cachetd_config (config.c parses).
 *
 * Addresses of AF_INET networks are the four bytes in addr[0..3]. A client
 * address is taken as an MTA may write it in {client_addr}: "192.0.2.1", "::1",
 * "IPv6:::1" (the SMTP address-literal tag), optionally in brackets and with an
 * IPv6 zone ("fe80::1%eth0"). An IPv4-mapped IPv6 address
 * ("::ffff:127.0.0.1") is the IPv4 address it carries, so 127.0.0.0/8 covers a
 * dual-stack listener's view of a local client. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "gateway/config.h"

/* The significant length of |d| without one trailing dot. */
static size_t lookup_name_len(const char *d) {
    size_t n = strlen(d);
    if (n > 0 && d[n - 1] == '.') {
        n--;
    }
    return n;
}

const cachetd_domain *cachetd_config_domain(const cachetd_config *cfg, const char *domain) {
    if (cfg == NULL || domain == NULL) {
        return NULL;
    }
    size_t n = lookup_name_len(domain);
    if (n == 0) {
        return NULL;
    }
    for (size_t i = 0; i < cfg->num_domains && i < CACHETD_MAX_DOMAINS; i++) {
        const char *name = cfg->domains[i].name;
        if (lookup_name_len(name) == n && strncasecmp(name, domain, n) == 0) {
            return &cfg->domains[i];
        }
    }
    return NULL;
}

/* |name| equals |domain| or is a parent of it by whole labels; returns the
 * matched length (0: no match). */
static size_t lookup_suffix_match(const char *name, const char *domain, size_t ld) {
    size_t ln = lookup_name_len(name);
    if (ln == 0 || ln > ld || strncasecmp(domain + (ld - ln), name, ln) != 0) {
        return 0;
    }
    if (ln < ld && domain[ld - ln - 1] != '.') {
        return 0;
    }
    return ln;
}

const cachetd_partner *cachetd_config_partner(const cachetd_config *cfg, const char *domain) {
    if (cfg == NULL || domain == NULL) {
        return NULL;
    }
    size_t ld = lookup_name_len(domain);
    if (ld == 0) {
        return NULL;
    }
    const cachetd_partner *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < cfg->num_partners && i < CACHETD_MAX_PARTNERS; i++) {
        size_t m = lookup_suffix_match(cfg->partners[i].name, domain, ld);
        if (m > best_len) {
            best = &cfg->partners[i];
            best_len = m;
        }
    }
    return best;
}

/* Parses a client address into |family| and |bytes| (4 or 16 of them). */
static bool lookup_parse_addr(const char *text, int *family, uint8_t bytes[16]) {
    char buf[INET6_ADDRSTRLEN + 16];
    while (*text == ' ' || *text == '\t') {
        text++;
    }
    size_t n = strlen(text);
    if (n >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, text, n + 1);
    char *p = buf;
    if (p[0] == '[') {
        p++;
        char *close = strchr(p, ']');
        if (close == NULL || close[1] != '\0') {
            return false;
        }
        *close = '\0';
    }
    char *zone = strchr(p, '%');
    if (zone != NULL) {
        *zone = '\0';
    }
    if (strncasecmp(p, "IPv6:", 5) == 0) {
        p += 5;
    }
    if (inet_pton(AF_INET, p, bytes) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, p, bytes) == 1) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(bytes, mapped, sizeof(mapped)) == 0) {
            memmove(bytes, bytes + 12, 4);
            *family = AF_INET;
        } else {
            *family = AF_INET6;
        }
        return true;
    }
    return false;
}

static bool lookup_prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits) {
    size_t whole = bits / 8;
    if (memcmp(a, b, whole) != 0) {
        return false;
    }
    unsigned rest = bits % 8;
    if (rest == 0) {
        return true;
    }
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

bool cachetd_network_contains(const cachetd_network *net, const char *addr) {
    int family = 0;
    uint8_t bytes[16] = {0};
    if (net == NULL || addr == NULL || !lookup_parse_addr(addr, &family, bytes)) {
        return false;
    }
    if (net->family == AF_INET) {
        return family == AF_INET && net->prefix <= 32 &&
               lookup_prefix_equal(bytes, net->addr, net->prefix);
    }
    if (net->family != AF_INET6 || net->prefix > 128) {
        return false;
    }
    if (family == AF_INET) {
        /* An IPv4 client seen against an IPv6 network: its mapped form, so that a
         * ::ffff:0:0/96 entry covers it. */
        uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        memcpy(mapped + 12, bytes, 4);
        return lookup_prefix_equal(mapped, net->addr, net->prefix);
    }
    return lookup_prefix_equal(bytes, net->addr, net->prefix);
}
