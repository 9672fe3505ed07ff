/* cachetd.conf errors: each one with its exact text and line number, so that
 * a person reading it knows where and what to write instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/config.h"
#include "testlib.h"

static cachetd_config *parse(const char *text, char *err, size_t err_len) {
    return cachetd_config_parse_string(text, "cachetd.conf", err, err_len);
}

typedef struct error_case {
    const char *text;
    const char *message;
} error_case;

#define DOMAIN_KEYS                                                                                \
    "signing, sign_format, empty_signature_layer, review_signature, attributes_signature, "        \
    "signing_cert, signing_key, dca_cert, dca_key, encryption, missing_certificate, decrypt, "     \
    "verify, harvest, on_failure, quarantine"

static void errors_name_the_line_and_what_to_write(void) {
    static const error_case cases[] = {
        {"# comment\n\n[domain a.example]\n  sigining = domain\n",
         "cachetd.conf:4: unknown key 'sigining' in [domain a.example]; did you mean "
         "'signing'? (known: " DOMAIN_KEYS ")"},
        {"[domain a.example]\nsocket = unix:/x\n",
         "cachetd.conf:2: unknown key 'socket' in [domain a.example]; it belongs in [cachetd] "
         "(known: " DOMAIN_KEYS ")"},
        {"[domain a.example]\n[partner b.example]\nfrobnicate = 1\n",
         "cachetd.conf:3: unknown key 'frobnicate' in [partner b.example] (known: encryption, "
         "missing_certificate, require_signature, name_mapping, cipher)"},
        {"[domain a.example]\nSigning = domain\n",
         "cachetd.conf:2: unknown key 'Signing' in [domain a.example]; did you mean 'signing'? "
         "(known: " DOMAIN_KEYS ")"},
        {"[domain a.example]\nsigning = maybe\n",
         "cachetd.conf:2: signing = maybe: expected domain, user or none"},
        {"[cachetd]\ndebug = maybe\n[domain a.example]\n",
         "cachetd.conf:2: debug = maybe: expected yes or no (also true/false, on/off, 1/0)"},
        {"[domain a.example]\non_failure = bounce\n",
         "cachetd.conf:2: on_failure = bounce: expected deliver, quarantine or reject"},
        {"[domain a.example]\n[partner b.example]\nname_mapping = loose\n",
         "cachetd.conf:3: name_mapping = loose: expected ascendant or exact"},
        {"[domain a.example]\n\n[domain A.Example]\n",
         "cachetd.conf:3: duplicate section [domain a.example] (first at line 1)"},
        {"[domain a.example]\n[partner b.example]\n[partner b.example]\n",
         "cachetd.conf:3: duplicate section [partner b.example] (first at line 2)"},
        {"[cachetd]\n[domain a.example]\n[cachetd]\n",
         "cachetd.conf:3: duplicate section [cachetd] (first at line 1)"},
        {"[domain a.example]\nsigning = domain\nsign_format = opaque\nsigning = user\n",
         "cachetd.conf:4: duplicate key 'signing' in [domain a.example] (first at line 2)"},
        {"[cachetd]\ndebug = yes\n",
         "cachetd.conf: no [domain NAME] section: cachetd has nothing to do"},
        {"", "cachetd.conf: no [domain NAME] section: cachetd has nothing to do"},
        {"[cachetd]\ntrusted_networks = 127.0.0.0/8, 10.0.0.0/33\n",
         "cachetd.conf:2: trusted_networks: bad network '10.0.0.0/33': an IPv4 prefix length is "
         "0 to 32"},
        {"[cachetd]\ntrusted_networks = 2001:db8::/129\n",
         "cachetd.conf:2: trusted_networks: bad network '2001:db8::/129': an IPv6 prefix length "
         "is 0 to 128"},
        {"[cachetd]\ntrusted_networks = 10.0.0.1/8\n",
         "cachetd.conf:2: trusted_networks: bad network '10.0.0.1/8': address bits set after /8 "
         "(the network is 10.0.0.0/8)"},
        {"[cachetd]\ntrusted_networks = 10.0.0.300/8\n",
         "cachetd.conf:2: trusted_networks: bad network '10.0.0.300/8': '10.0.0.300' is not an "
         "IPv4 or IPv6 address"},
        {"[cachetd]\ntrusted_networks = 10.0.0.0/8a\n",
         "cachetd.conf:2: trusted_networks: bad network '10.0.0.0/8a': the prefix length after "
         "'/' must be a number"},
        {"[cachetd]\nmax_message_size = 50X\n",
         "cachetd.conf:2: max_message_size = 50X: expected a size in bytes from 1 to 4G, with an "
         "optional suffix K, M or G (e.g. 50M)"},
        {"[cachetd]\nnetwork_timeout = 0\n",
         "cachetd.conf:2: network_timeout = 0: expected a number of seconds from 1 to 3600"},
        {"[domain a.example]\n[partner A.example]\n",
         "cachetd.conf:2: [partner a.example] is one of our domains ([domain a.example] at line "
         "1); a [partner] names a remote domain"},
        {"[partner a.example]\n[domain a.example]\n",
         "cachetd.conf:2: [domain a.example] is also a [partner a.example] (line 1); a [partner] "
         "names a remote domain"},
        {"[domain a.example]\nsigning_cert = /etc/cachet/dsa.pem\n",
         "cachetd.conf:2: [domain a.example] has signing_cert but no signing_key; give both, or "
         "neither to use the store's domain-signing-authority@a.example"},
        {"[domain a.example]\n[domain c.example]\nsigning_key = /k\nsigning_cert =\n",
         "cachetd.conf:3: [domain c.example] has signing_key but no signing_cert; give both, or "
         "neither to use the store's domain-signing-authority@c.example"},
        {"[domain a.example]\ndca_cert = /etc/cachet/dca.pem\n",
         "cachetd.conf:2: [domain a.example] has dca_cert but no dca_key; give both, or neither "
         "to use the store's domain-confidentiality-authority@a.example"},
        {"[domain a.example]\n\ndca_key = /etc/cachet/dca.key\n",
         "cachetd.conf:3: [domain a.example] has dca_key but no dca_cert; give both, or neither "
         "to use the store's domain-confidentiality-authority@a.example"},
        {"[cachetd]\nsocket = tcp:11332\n",
         "cachetd.conf:2: socket = tcp:11332: expected unix:/PATH, inet:PORT@HOST or "
         "inet6:PORT@HOST"},
        {"[server]\n",
         "cachetd.conf:1: unknown section [server]; expected [cachetd], [limits], [domain NAME] "
         "or [partner NAME]"},
        {"[domains a.example]\n",
         "cachetd.conf:1: unknown section [domains a.example]; expected [cachetd], [limits], "
         "[domain NAME] or [partner NAME]"},
        {"[domain]\n", "cachetd.conf:1: [domain] needs a domain name, e.g. [domain a.example]"},
        {"[domain a..example]\n",
         "cachetd.conf:1: [domain a..example]: 'a..example' is not a domain name (letters, "
         "digits and '-' in labels separated by '.', e.g. a.example)"},
        {"[partner .b.example]\n",
         "cachetd.conf:1: [partner .b.example]: '.b.example' is not a domain name (letters, "
         "digits and '-' in labels separated by '.', e.g. a.example)"},
        {"[domain a.example.]\n",
         "cachetd.conf:1: [domain a.example.]: 'a.example.' is not a domain name (letters, "
         "digits and '-' in labels separated by '.', e.g. a.example)"},
        {"[domain a_b.example]\n",
         "cachetd.conf:1: [domain a_b.example]: 'a_b.example' is not a domain name (letters, "
         "digits and '-' in labels separated by '.', e.g. a.example)"},
        {"[cachetd x]\n", "cachetd.conf:1: [cachetd x]: [cachetd] takes no name"},
        {"[domain a.example\n",
         "cachetd.conf:1: '[domain a.example': a section is written [cachetd], [domain NAME] or "
         "[partner NAME]"},
        {"[domain a.example] x\n", "cachetd.conf:1: unexpected text ' x' after the section header"},
        {"debug = yes\n[domain a.example]\n",
         "cachetd.conf:1: key 'debug' is outside any section; keys go under [cachetd], [domain "
         "NAME] or [partner NAME]"},
        {"[domain a.example]\nsigning domain\n",
         "cachetd.conf:2: 'signing domain': expected 'key = value' or a [section]"},
        {"[domain a.example]\nsigning: domain\n",
         "cachetd.conf:2: 'signing: domain': expected 'key = value' or a [section]"},
        {"[domain a.example]\nsign format = opaque\n",
         "cachetd.conf:2: 'sign format=...': expected 'key = value' or a [section]"},
        {"[domain a.example]\nquarantine = postmaster\n",
         "cachetd.conf:2: quarantine = postmaster: expected an address such as "
         "quarantine@a.example, or nothing for the MTA's hold queue"},
        {"[cachetd]\npidfile = cachetd.pid\n",
         "cachetd.conf:2: pidfile = cachetd.pid: expected an absolute path, or nothing for no "
         "pid file"},
        {"[domain a.example]\nsigning_key = dsa.key\n",
         "cachetd.conf:2: signing_key = dsa.key: expected an absolute path or a pkcs11: URI, or "
         "nothing for from the store"},
        {"[cachetd]\nuser = a b\n",
         "cachetd.conf:2: user = a b: expected a user name (letters, digits, '.', '_' and '-'), "
         "or nothing to stay the user cachetd was started as"},
        {"[cachetd]\nauthserv_id = mx a.example\n",
         "cachetd.conf:2: authserv_id = mx a.example: expected a host name such as mx.a.example "
         "(no spaces or ()<>@,;:\\\"/[]?=), or nothing for the host name"},
        {"[domain a.example]\n\x01signing = domain\n",
         "cachetd.conf:2: control character 0x01 in the line"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[2048] = "";
        cachetd_config *cfg = parse(cases[i].text, err, sizeof(err));
        CHECK(cfg == NULL);
        if (strcmp(err, cases[i].message) != 0) {
            fprintf(stderr, "case %zu:\n", i);
        }
        CHECK_STR(err, cases[i].message);
        cachetd_config_free(cfg);
    }
}

static void a_line_longer_than_the_limit_is_refused(void) {
    size_t n = 5000;
    char *text = malloc(n + 64);
    char err[256] = "";
    if (text == NULL) {
        CHECK(text != NULL);
        return;
    }
    strcpy(text, "[domain a.example]\nquarantine = ");
    size_t used = strlen(text);
    memset(text + used, 'q', n);
    strcpy(text + used + n, "@a.example\n");
    CHECK(parse(text, err, sizeof(err)) == NULL);
    CHECK_STR(err, "cachetd.conf:2: line longer than 4096 characters");
    free(text);
}

static void limits_on_sections_and_networks_are_enforced(void) {
    size_t cap = 64 * 1024;
    char *text = malloc(cap);
    char err[256] = "";
    if (text == NULL) {
        CHECK(text != NULL);
        return;
    }
    size_t used = 0;
    for (int i = 0; i <= CACHETD_MAX_DOMAINS; i++) {
        used += (size_t)snprintf(text + used, cap - used, "[domain d%d.example]\n", i);
    }
    CHECK(parse(text, err, sizeof(err)) == NULL);
    CHECK_STR(err, "cachetd.conf:65: more than 64 [domain] sections");

    used = (size_t)snprintf(text, cap, "[cachetd]\ntrusted_networks =");
    for (int i = 0; i <= CACHETD_MAX_NETWORKS; i++) {
        used += (size_t)snprintf(text + used, cap - used, " 10.0.%d.0/24", i);
    }
    snprintf(text + used, cap - used, "\n[domain a.example]\n");
    CHECK(parse(text, err, sizeof(err)) == NULL);
    CHECK_STR(err, "cachetd.conf:2: trusted_networks: more than 64 networks");
    free(text);
}

static const cachet_test_case tests[] = {
    TEST_CASE(errors_name_the_line_and_what_to_write),
    TEST_CASE(a_line_longer_than_the_limit_is_refused),
    TEST_CASE(limits_on_sections_and_networks_are_enforced),
};
TEST_MAIN(tests)
