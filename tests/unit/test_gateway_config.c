/* cachetd.conf: every key, the defaults, what each kind of value accepts, the
 * line, comment forms, and print -> parse giving an equal configuration.
 * The error messages themselves are in test_gateway_config_errors.c. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cachet/store.h>

#include "base/base.h"
#include "gateway/config.h"
#include "testlib.h"

static cachetd_config *parse(const char *text, char *err, size_t err_len) {
    return cachetd_config_parse_string(text, "cachetd.conf", err, err_len);
}

static cachetd_config *parse_ok(const char *text) {
    char err[2048] = "";
    cachetd_config *cfg = parse(text, err, sizeof(err));
    if (cfg == NULL) {
        fprintf(stderr, "unexpected error: %s\n", err);
    }
    CHECK(cfg != NULL);
    return cfg;
}

static bool net_is(const cachetd_network *n, int family, const char *addr, unsigned prefix) {
    uint8_t want[16] = {0};
    if (inet_pton(family, addr, want) != 1) {
        return false;
    }
    return n->family == family && n->prefix == prefix &&
           memcmp(n->addr, want, family == AF_INET ? 4 : 16) == 0;
}

/* The printed configuration as a string (free with free()). */
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

static const char full_config[] = "; every key with a value other than its default\n"
                                  "[cachetd]\n"
                                  "socket = inet:11332@127.0.0.1\n"
                                  "user = cachetd\n"
                                  "store = postgresql://cachetd@db/cachet\n"
                                  "authserv_id = mx.a.example\n"
                                  "pidfile = /run/cachetd/cachetd.pid\n"
                                  "log = stderr\n"
                                  "debug = yes\n"
                                  "trusted_networks = 10.0.0.0/8, 2001:db8::/32 192.0.2.7\n"
                                  "trust_authenticated = no\n"
                                  "split = recipient\n"
                                  "max_message_size = 20M\n"
                                  "revocation = hard\n"
                                  "network_timeout = 30\n"
                                  "\n"
                                  "[domain a.example]\n"
                                  "signing = user\n"
                                  "sign_format = opaque\n"
                                  "empty_signature_layer = yes\n"
                                  "review_signature = yes\n"
                                  "attributes_signature = yes\n"
                                  "signing_cert = /etc/cachet/dsa.pem\n"
                                  "signing_key = pkcs11:token=dsa;object=sign\n"
                                  "dca_cert = /etc/cachet/dca.pem\n"
                                  "dca_key = /etc/cachet/dca.key\n"
                                  "encryption = required\n"
                                  "missing_certificate = reject\n"
                                  "decrypt = no\n"
                                  "verify = no\n"
                                  "harvest = no\n"
                                  "on_failure = quarantine\n"
                                  "quarantine = quarantine@a.example\n"
                                  "\n"
                                  "[partner b.example]\n"
                                  "encryption = never\n"
                                  "missing_certificate = reject\n"
                                  "require_signature = yes\n"
                                  "name_mapping = exact\n"
                                  "cipher = aes-256-gcm\n";

static void every_key_is_parsed(void) {
    cachetd_config *cfg = parse_ok(full_config);
    if (cfg == NULL) {
        return;
    }
    CHECK_STR(cfg->path, "cachetd.conf");
    CHECK_STR(cfg->socket, "inet:11332@127.0.0.1");
    CHECK_STR(cfg->user, "cachetd");
    CHECK_STR(cfg->store, "postgresql://cachetd@db/cachet");
    CHECK_STR(cfg->authserv_id, "mx.a.example");
    CHECK_STR(cfg->pidfile, "/run/cachetd/cachetd.pid");
    CHECK_EQ_INT(cfg->log, CACHETD_LOG_STDERR);
    CHECK(cfg->debug);
    CHECK_EQ_INT(cfg->num_trusted_networks, 3);
    CHECK(net_is(&cfg->trusted_networks[0], AF_INET, "10.0.0.0", 8));
    CHECK(net_is(&cfg->trusted_networks[1], AF_INET6, "2001:db8::", 32));
    CHECK(net_is(&cfg->trusted_networks[2], AF_INET, "192.0.2.7", 32));
    CHECK(!cfg->trust_authenticated);
    CHECK_EQ_INT(cfg->split, CACHETD_SPLIT_RECIPIENT);
    CHECK_EQ_INT(cfg->max_message_size, 20 * 1024 * 1024);
    CHECK_EQ_INT(cfg->revocation, CACHET_REVOCATION_HARD);
    CHECK_EQ_INT(cfg->network_timeout, 30);

    CHECK_EQ_INT(cfg->num_domains, 1);
    const cachetd_domain *d = &cfg->domains[0];
    CHECK_STR(d->name, "a.example");
    CHECK_EQ_INT(d->signing, CACHETD_SIGN_USER);
    CHECK_EQ_INT(d->sign_format, CACHETD_FORMAT_OPAQUE);
    CHECK(d->empty_signature_layer);
    CHECK(d->review_signature);
    CHECK(d->attributes_signature);
    CHECK_STR(d->signing_cert, "/etc/cachet/dsa.pem");
    /* ';' not preceded by a space is part of the value, not a comment */
    CHECK_STR(d->signing_key, "pkcs11:token=dsa;object=sign");
    CHECK_STR(d->dca_cert, "/etc/cachet/dca.pem");
    CHECK_STR(d->dca_key, "/etc/cachet/dca.key");
    CHECK_EQ_INT(d->encryption, CACHETD_ENCRYPT_REQUIRED);
    CHECK_EQ_INT(d->missing_certificate, CACHETD_MISSING_REJECT);
    CHECK(!d->decrypt);
    CHECK(!d->verify);
    CHECK(!d->harvest);
    CHECK_EQ_INT(d->on_failure, CACHETD_FAILURE_QUARANTINE);
    CHECK_STR(d->quarantine, "quarantine@a.example");

    CHECK_EQ_INT(cfg->num_partners, 1);
    const cachetd_partner *p = &cfg->partners[0];
    CHECK_STR(p->name, "b.example");
    CHECK_EQ_INT(p->encryption, CACHETD_ENCRYPT_NEVER);
    CHECK(p->has_encryption);
    CHECK_EQ_INT(p->missing_certificate, CACHETD_MISSING_REJECT);
    CHECK(p->has_missing_certificate);
    CHECK(p->require_signature);
    CHECK_EQ_INT(p->name_mapping, CACHET_DOMSEC_MAPPING_EXACT);
    CHECK_EQ_INT(p->cipher, CACHETD_CIPHER_AES256_GCM);
    cachetd_config_free(cfg);
}

static void absent_keys_take_their_defaults(void) {
    cachetd_config *cfg = parse_ok("[domain a.example]\n[partner b.example]\n");
    if (cfg == NULL) {
        return;
    }
    char host[CACHETD_NAME_MAX] = {0};
    CHECK(gethostname(host, sizeof(host) - 1) == 0);
    CHECK_STR(cfg->socket, "unix:/run/cachetd/cachetd.sock");
    CHECK_STR(cfg->user, "");
    CHECK_STR(cfg->store, "");
    CHECK_STR(cfg->authserv_id, host);
    CHECK_STR(cfg->pidfile, "");
    CHECK_EQ_INT(cfg->log, CACHETD_LOG_SYSLOG);
    CHECK(!cfg->debug);
    CHECK_EQ_INT(cfg->num_trusted_networks, 2);
    CHECK(net_is(&cfg->trusted_networks[0], AF_INET, "127.0.0.0", 8));
    CHECK(net_is(&cfg->trusted_networks[1], AF_INET6, "::1", 128));
    CHECK(cfg->trust_authenticated);
    CHECK_EQ_INT(cfg->split, CACHETD_SPLIT_DOMAIN);
    CHECK_EQ_INT(cfg->max_message_size, 50 * 1024 * 1024);
    CHECK_EQ_INT(cfg->revocation, CACHET_REVOCATION_SOFT);
    CHECK_EQ_INT(cfg->network_timeout, 10);

    const cachetd_domain *d = &cfg->domains[0];
    CHECK_EQ_INT(d->signing, CACHETD_SIGN_DOMAIN);
    CHECK_EQ_INT(d->sign_format, CACHETD_FORMAT_DETACHED);
    CHECK(!d->empty_signature_layer);
    CHECK(!d->review_signature);
    CHECK(!d->attributes_signature);
    CHECK_STR(d->signing_cert, "");
    CHECK_STR(d->signing_key, "");
    CHECK_STR(d->dca_cert, "");
    CHECK_STR(d->dca_key, "");
    CHECK_EQ_INT(d->encryption, CACHETD_ENCRYPT_OPPORTUNISTIC);
    CHECK_EQ_INT(d->missing_certificate, CACHETD_MISSING_TEMPFAIL);
    CHECK(d->decrypt);
    CHECK(d->verify);
    CHECK(d->harvest);
    CHECK_EQ_INT(d->on_failure, CACHETD_FAILURE_DELIVER);
    CHECK_STR(d->quarantine, "");

    const cachetd_partner *p = &cfg->partners[0];
    CHECK(!p->has_encryption);
    CHECK(!p->has_missing_certificate);
    CHECK(!p->require_signature);
    CHECK_EQ_INT(p->name_mapping, CACHET_DOMSEC_MAPPING_ASCENDANT);
    CHECK_EQ_INT(p->cipher, CACHETD_CIPHER_AUTO);
    cachetd_config_free(cfg);
}

static void empty_values_mean_none_or_the_default(void) {
    cachetd_config *cfg = parse_ok("[cachetd]\ntrusted_networks =\nauthserv_id =\nuser =\n"
                                   "[domain a.example]\nquarantine =\nsigning_cert =\n");
    if (cfg == NULL) {
        return;
    }
    char host[CACHETD_NAME_MAX] = {0};
    CHECK(gethostname(host, sizeof(host) - 1) == 0);
    CHECK_EQ_INT(cfg->num_trusted_networks, 0);
    CHECK_STR(cfg->authserv_id, host);
    CHECK_STR(cfg->user, "");
    CHECK_STR(cfg->domains[0].quarantine, "");
    cachetd_config_free(cfg);
}

typedef struct value_case {
    const char *line; /* under [cachetd] or [domain a.example] */
    bool domain;
    bool ok;
} value_case;

/* Each accepted spelling of booleans, enums, sizes, sockets and networks, and
 * the near misses that must be refused. */
static void values_are_accepted_or_refused_by_their_kind(void) {
    static const value_case cases[] = {
        {"debug = yes", false, true},
        {"debug = No", false, true},
        {"debug = true", false, true},
        {"debug = FALSE", false, true},
        {"debug = on", false, true},
        {"debug = off", false, true},
        {"debug = 1", false, true},
        {"debug = 0", false, true},
        {"debug = y", false, false},
        {"debug = 2", false, false},
        {"debug =", false, false},
        {"signing = Domain", true, true},
        {"signing = users", true, false},
        {"max_message_size = 1", false, true},
        {"max_message_size = 4G", false, true},
        {"max_message_size = 5G", false, false},
        {"max_message_size = 0", false, false},
        {"max_message_size = M", false, false},
        {"max_message_size = 50MB", false, false},
        {"max_message_size = -1", false, false},
        {"max_message_size = 99999999999999999999999", false, false},
        {"network_timeout = 1", false, true},
        {"network_timeout = 3600", false, true},
        {"network_timeout = 0", false, false},
        {"network_timeout = 3601", false, false},
        {"network_timeout = 10s", false, false},
        {"socket = unix:/run/c.sock", false, true},
        {"socket = inet:11332", false, true},
        {"socket = inet6:11332@[::1]", false, true},
        {"socket = unix:run/c.sock", false, false},
        {"socket = unix:", false, false},
        {"socket = inet:0@127.0.0.1", false, false},
        {"socket = inet:65536@127.0.0.1", false, false},
        {"socket = inet:port@127.0.0.1", false, false},
        {"socket = inet:25@", false, false},
        {"socket = local:/run/c.sock", false, false},
        {"socket =", false, false},
        {"trusted_networks = 0.0.0.0/0, ::/0", false, true},
        {"trusted_networks = 192.0.2.1/32,,2001:db8::1", false, true},
        {"trusted_networks = 10.0.0.0/", false, false},
        {"trusted_networks = 10.0.0.0/-1", false, false},
        {"trusted_networks = ::/129", false, false},
        {"trusted_networks = fe80::1%eth0", false, false},
        {"user = nosuchuser-for-cachetd-tests", false, true},
        {"user = -x", false, false},
        {"user = a b", false, false},
        {"authserv_id = mx a", false, false},
        {"authserv_id = mx;a", false, false},
        {"pidfile = run/c.pid", false, false},
        {"signing_cert = dsa.pem\nsigning_key = /k", true, false},
        {"signing_key = file.key\nsigning_cert = /c", true, false},
        {"quarantine = postmaster", true, false},
        {"quarantine = q@a..example", true, false},
        {"quarantine = <q@a.example>", true, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[512], err[2048] = "";
        snprintf(text, sizeof(text), "%s\n%s\n%s", cases[i].domain ? "" : "[cachetd]",
                 cases[i].domain ? "[domain a.example]" : cases[i].line,
                 cases[i].domain ? cases[i].line : "[domain a.example]");
        cachetd_config *cfg = parse(text, err, sizeof(err));
        if ((cfg != NULL) != cases[i].ok) {
            fprintf(stderr, "case %zu '%s': %s (%s)\n", i, cases[i].line,
                    cases[i].ok ? "refused" : "accepted", err);
        }
        CHECK((cfg != NULL) == cases[i].ok);
        cachetd_config_free(cfg);
    }
}

static void sizes_and_suffixes_are_binary_multiples(void) {
    static const struct {
        const char *value;
        uint64_t bytes;
    } cases[] = {
        {"1", 1},           {"1000", 1000},           {"1K", 1024},
        {"1k", 1024},       {"50M", 50ull << 20},     {"2g", 2ull << 30},
        {"4G", 4ull << 30}, {"4194304K", 4ull << 30},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "[cachetd]\nmax_message_size = %s\n[domain a.example]\n",
                 cases[i].value);
        cachetd_config *cfg = parse_ok(text);
        if (cfg != NULL) {
            CHECK_EQ_INT(cfg->max_message_size, cases[i].bytes);
        }
        cachetd_config_free(cfg);
    }
}

/* inih's own line buffer (Debian's build) is 200 bytes; paths may be 1023. */
static void values_longer_than_inih_line_buffer_are_kept_whole(void) {
    char path[1024], text[1200], err[512] = "";
    path[0] = '/';
    memset(path + 1, 'p', sizeof(path) - 2);
    path[sizeof(path) - 1] = '\0';
    snprintf(text, sizeof(text), "[cachetd]\npidfile = %s\n[domain a.example]\n", path);
    cachetd_config *cfg = parse_ok(text);
    if (cfg != NULL) {
        CHECK_STR(cfg->pidfile, path);
    }
    cachetd_config_free(cfg);
    /* one more character no longer fits the field */
    snprintf(text, sizeof(text), "[cachetd]\nstore = %sx\n[domain a.example]\n", path);
    CHECK(parse(text, err, sizeof(err)) == NULL);
    CHECK_STR(err, "cachetd.conf:2: store: the value is too long (at most 1023 characters)");
}

static void comment_forms_indentation_crlf_and_bom(void) {
    static const char text[] = "\xEF\xBB\xBF; a comment line\r\n"
                               "# another comment line\r\n"
                               "[cachetd]   ; section comment\r\n"
                               "  socket = unix:/run/c.sock ; inline semicolon comment\r\n"
                               "\tdebug = yes # inline hash comment\r\n"
                               "store = /var/lib/cachetd/store.db#1\r\n"
                               "   \r\n"
                               "[ domain   B.Example ]\r\n"
                               "    signing = none\r\n"
                               "quarantine =#not-a-value@b.example\r\n"
                               "signing_cert = ; nothing\r\n";
    cachetd_config *cfg = parse_ok(text);
    if (cfg == NULL) {
        return;
    }
    CHECK_STR(cfg->socket, "unix:/run/c.sock");
    CHECK(cfg->debug);
    CHECK_STR(cfg->store, "/var/lib/cachetd/store.db#1");
    CHECK_EQ_INT(cfg->num_domains, 1);
    CHECK_STR(cfg->domains[0].name, "b.example");
    CHECK_EQ_INT(cfg->domains[0].signing, CACHETD_SIGN_NONE);
    /* a value never starts with a comment character, so printing it is safe */
    CHECK_STR(cfg->domains[0].quarantine, "");
    CHECK_STR(cfg->domains[0].signing_cert, "");
    cachetd_config_free(cfg);
}

static void two_domains_and_two_partners_keep_their_own_settings(void) {
    cachetd_config *cfg = parse_ok("[domain a.example]\nsigning = domain\n"
                                   "[partner b.example]\nencryption = required\n"
                                   "[domain sub.a2.example]\nsigning = user\nencryption = never\n"
                                   "[partner C.Example]\nmissing_certificate = reject\n"
                                   "name_mapping = exact\n");
    if (cfg == NULL) {
        return;
    }
    CHECK_EQ_INT(cfg->num_domains, 2);
    CHECK_STR(cfg->domains[0].name, "a.example");
    CHECK_EQ_INT(cfg->domains[0].signing, CACHETD_SIGN_DOMAIN);
    CHECK_EQ_INT(cfg->domains[0].encryption, CACHETD_ENCRYPT_OPPORTUNISTIC);
    CHECK_STR(cfg->domains[1].name, "sub.a2.example");
    CHECK_EQ_INT(cfg->domains[1].signing, CACHETD_SIGN_USER);
    CHECK_EQ_INT(cfg->domains[1].encryption, CACHETD_ENCRYPT_NEVER);
    CHECK_EQ_INT(cfg->num_partners, 2);
    CHECK_STR(cfg->partners[0].name, "b.example");
    CHECK(cfg->partners[0].has_encryption);
    CHECK_EQ_INT(cfg->partners[0].encryption, CACHETD_ENCRYPT_REQUIRED);
    CHECK(!cfg->partners[0].has_missing_certificate);
    CHECK_EQ_INT(cfg->partners[0].name_mapping, CACHET_DOMSEC_MAPPING_ASCENDANT);
    CHECK_STR(cfg->partners[1].name, "c.example");
    CHECK(!cfg->partners[1].has_encryption);
    CHECK(cfg->partners[1].has_missing_certificate);
    CHECK_EQ_INT(cfg->partners[1].missing_certificate, CACHETD_MISSING_REJECT);
    CHECK_EQ_INT(cfg->partners[1].name_mapping, CACHET_DOMSEC_MAPPING_EXACT);
    cachetd_config_free(cfg);
}

/* print -> parse gives the same struct (path aside) and prints the same text. */
static void printed_configuration_parses_back_equal(void) {
    static const char *const texts[] = {
        full_config,
        "[domain a.example]\n[partner b.example]\n",
        "[cachetd]\ntrusted_networks =\nmax_message_size = 1000\n[domain a.example]\n"
        "[domain b.example]\nsigning = none\n[partner c.example]\nmissing_certificate = reject\n"
        "[partner d.example]\nencryption = required\n",
        "[cachetd]\nmax_message_size = 1025K\ntrusted_networks = ::ffff:10.0.0.0/104, "
        "fe80::/10\n[domain a.example]\n",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        cachetd_config *a = parse_ok(texts[i]);
        if (a == NULL) {
            continue;
        }
        char *printed = print_to_string(a);
        CHECK(printed != NULL);
        cachetd_config *b = printed != NULL ? parse_ok(printed) : NULL;
        if (b != NULL) {
            memcpy(b->path, a->path, sizeof(a->path));
            CHECK(memcmp(a, b, sizeof(*a)) == 0);
            char *again = print_to_string(b);
            CHECK_STR(again, printed);
            free(again);
        }
        free(printed);
        cachetd_config_free(a);
        cachetd_config_free(b);
    }
}

static void printed_configuration_lists_every_key(void) {
    cachetd_config *cfg = parse_ok("[domain a.example]\n[partner b.example]\n");
    if (cfg == NULL) {
        return;
    }
    char *printed = print_to_string(cfg);
    static const char *const expected[] = {
        "[cachetd]\nsocket = unix:/run/cachetd/cachetd.sock\nuser =\nstore =\nauthserv_id = ",
        "\npidfile =\nlog = syslog\ndebug = no\ntrusted_networks = 127.0.0.0/8, ::1/128\n"
        "trust_authenticated = yes\nsplit = domain\nmax_message_size = 50M\nrevocation = soft\n"
        "network_timeout = 10\n\n[limits]\nlayers = 8\nmime_depth = 32\nheader_bytes = 64K\n"
        "parts = 10000\nskeleton = 4M\nsigners = 16\nrecipients = 1024\ncertificates = 64\n"
        "decompressed = 1G\nratio = 1000\npbkdf2_iterations = 10000000\nber_depth = 64\n"
        "attribute_bytes = 1M\nccm_content = 64M\nhold_in_memory = 1M\n"
        "\n[domain a.example]\nsigning = domain\nsign_format = detached\n"
        "empty_signature_layer = no\nreview_signature = no\nattributes_signature = no\n"
        "signing_cert =\nsigning_key =\ndca_cert =\ndca_key =\nencryption = opportunistic\n"
        "missing_certificate = tempfail\ndecrypt = yes\nverify = yes\nharvest = yes\n"
        "on_failure = deliver\nquarantine =\n\n[partner b.example]\n"
        "# encryption: not set, the domain's value applies\n"
        "# missing_certificate: not set, the domain's value applies\n"
        "require_signature = no\nname_mapping = ascendant\n",
    };
    CHECK(printed != NULL && strstr(printed, expected[0]) != NULL);
    CHECK(printed != NULL && strstr(printed, expected[1]) != NULL);
    free(printed);
    cachetd_config_free(cfg);
}

static void load_reads_a_file_and_names_it_in_errors(void) {
    char dir[] = "/tmp/cachet-gwconfig-XXXXXX";
    char path[256], err[1024] = "";
    if (mkdtemp(dir) == NULL) {
        CHECK(false);
        return;
    }
    snprintf(path, sizeof(path), "%s/cachetd.conf", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    fputs("[domain a.example]\nsigning = user\n", f);
    fclose(f);
    cachetd_config *cfg = cachetd_config_load(path, err, sizeof(err));
    CHECK(cfg != NULL);
    if (cfg != NULL) {
        CHECK_STR(cfg->path, path);
        CHECK_EQ_INT(cfg->domains[0].signing, CACHETD_SIGN_USER);
    }
    cachetd_config_free(cfg);

    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("[domain a.example]\nsigning = yes\n", f);
        fclose(f);
    }
    char want[512];
    snprintf(want, sizeof(want), "%s:2: signing = yes: expected domain, user or none", path);
    CHECK(cachetd_config_load(path, err, sizeof(err)) == NULL);
    CHECK_STR(err, want);

    /* a NUL byte in a file is a control character, not the end of the text */
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        fwrite("[domain a.example]\nsigning = user\0x\n", 1, 36, f);
        fclose(f);
    }
    snprintf(want, sizeof(want), "%s:2: control character 0x00 in the line", path);
    CHECK(cachetd_config_load(path, err, sizeof(err)) == NULL);
    CHECK_STR(err, want);

    remove(path);
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
    CHECK(cachetd_config_load(path, err, sizeof(err)) == NULL);
    CHECK_STR(err, want);
    rmdir(dir);
}

static void no_error_buffer_is_accepted(void) {
    CHECK(cachetd_config_parse_string("[nope]\n", NULL, NULL, 0) == NULL);
    cachetd_config *cfg = cachetd_config_parse_string("[domain a.example]\n", NULL, NULL, 0);
    CHECK(cfg != NULL);
    if (cfg != NULL) {
        CHECK_STR(cfg->path, "cachetd.conf");
    }
    cachetd_config_free(cfg);
    cachetd_config_free(NULL);
}

static void allocation_failure_is_reported_not_fatal(void) {
    for (unsigned long n = 1; n <= 3; n++) {
        char err[256] = "";
        cachet_alloc_fail_after(n);
        cachetd_config *cfg = parse("[domain a.example]\n", err, sizeof(err));
        cachet_alloc_fail_after(0);
        if (cfg == NULL) {
            CHECK_STR(err, "cachetd.conf: out of memory");
        } else {
            CHECK_STR(err, "");
        }
        CHECK(n > 2 || cfg == NULL);
        cachetd_config_free(cfg);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(every_key_is_parsed),
    TEST_CASE(absent_keys_take_their_defaults),
    TEST_CASE(empty_values_mean_none_or_the_default),
    TEST_CASE(values_are_accepted_or_refused_by_their_kind),
    TEST_CASE(sizes_and_suffixes_are_binary_multiples),
    TEST_CASE(values_longer_than_inih_line_buffer_are_kept_whole),
    TEST_CASE(comment_forms_indentation_crlf_and_bom),
    TEST_CASE(two_domains_and_two_partners_keep_their_own_settings),
    TEST_CASE(printed_configuration_parses_back_equal),
    TEST_CASE(printed_configuration_lists_every_key),
    TEST_CASE(load_reads_a_file_and_names_it_in_errors),
    TEST_CASE(no_error_buffer_is_accepted),
    TEST_CASE(allocation_failure_is_reported_not_fatal),
};
TEST_MAIN(tests)
