/* policy and config lookup: direction, transaction class, trusted submitter,
 * the outbound decision (RFC 3183 §3.2, §4; ATTACKS GW-04) and the inbound
 * decision (GW-02), over configurations built in code. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gateway/config.h"
#include "gateway/policy.h"
#include "testlib.h"

static cachetd_domain *t_domain(cachetd_config *cfg, const char *name, cachetd_sign_mode signing,
                                cachetd_encrypt_policy enc, cachetd_missing_action missing) {
    cachetd_domain *d = &cfg->domains[cfg->num_domains++];
    memset(d, 0, sizeof(*d));
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->signing = signing;
    d->encryption = enc;
    d->missing_certificate = missing;
    d->decrypt = d->verify = d->harvest = true;
    return d;
}

static cachetd_partner *t_partner(cachetd_config *cfg, const char *name) {
    cachetd_partner *p = &cfg->partners[cfg->num_partners++];
    memset(p, 0, sizeof(*p));
    snprintf(p->name, sizeof(p->name), "%s", name);
    return p;
}

static void t_net(cachetd_config *cfg, const char *addr, unsigned prefix) {
    cachetd_network *n = &cfg->trusted_networks[cfg->num_trusted_networks++];
    memset(n, 0, sizeof(*n));
    n->family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
    CHECK(inet_pton(n->family, addr, n->addr) == 1);
    n->prefix = prefix;
}

/* Domains: a.example (domain signing, opportunistic), c.example (required,
 * tempfail), u.example (user signing), n.example (no signing), e.example (every
 * DOMSEC layer on). Partners: b.example (required, reject), sub.b.example
 * (opportunistic), req.example (required; missing_certificate from the domain),
 * never.example, m.example (only missing_certificate = reject), p.example
 * (require_signature, exact mapping). */
static cachetd_config *t_config(void) {
    cachetd_config *cfg = calloc(1, sizeof(*cfg));
    if (cfg == NULL) {
        abort();
    }
    snprintf(cfg->authserv_id, sizeof(cfg->authserv_id), "mx.a.example");
    cfg->trust_authenticated = true;
    t_net(cfg, "127.0.0.0", 8);
    t_net(cfg, "::1", 128);
    t_net(cfg, "192.0.2.0", 25);
    t_net(cfg, "2001:db8::", 32);
    t_domain(cfg, "a.example", CACHETD_SIGN_DOMAIN, CACHETD_ENCRYPT_OPPORTUNISTIC,
             CACHETD_MISSING_TEMPFAIL);
    t_domain(cfg, "c.example", CACHETD_SIGN_DOMAIN, CACHETD_ENCRYPT_REQUIRED,
             CACHETD_MISSING_TEMPFAIL);
    t_domain(cfg, "u.example", CACHETD_SIGN_USER, CACHETD_ENCRYPT_OPPORTUNISTIC,
             CACHETD_MISSING_TEMPFAIL);
    t_domain(cfg, "n.example", CACHETD_SIGN_NONE, CACHETD_ENCRYPT_OPPORTUNISTIC,
             CACHETD_MISSING_TEMPFAIL);
    cachetd_domain *e = t_domain(cfg, "e.example", CACHETD_SIGN_DOMAIN,
                                 CACHETD_ENCRYPT_OPPORTUNISTIC, CACHETD_MISSING_TEMPFAIL);
    e->empty_signature_layer = e->review_signature = e->attributes_signature = true;
    cachetd_partner *p = t_partner(cfg, "b.example");
    p->encryption = CACHETD_ENCRYPT_REQUIRED;
    p->missing_certificate = CACHETD_MISSING_REJECT;
    p->has_encryption = p->has_missing_certificate = true;
    p = t_partner(cfg, "sub.b.example");
    p->encryption = CACHETD_ENCRYPT_OPPORTUNISTIC;
    p->has_encryption = true;
    p = t_partner(cfg, "req.example");
    p->encryption = CACHETD_ENCRYPT_REQUIRED;
    p->has_encryption = true;
    p = t_partner(cfg, "never.example");
    p->encryption = CACHETD_ENCRYPT_NEVER;
    p->has_encryption = true;
    p = t_partner(cfg, "m.example");
    p->missing_certificate = CACHETD_MISSING_REJECT;
    p->has_missing_certificate = true;
    p = t_partner(cfg, "p.example");
    p->require_signature = true;
    p->name_mapping = CACHET_DOMSEC_MAPPING_EXACT;
    return cfg;
}

static void direction_of_sender_and_recipient(void) {
    cachetd_config *cfg = t_config();
    static const struct {
        const char *sender, *rcpt;
        cachetd_direction want;
    } cases[] = {
        {"alice@a.example", "bob@b.example", CACHETD_DIR_OUTBOUND},
        {"<alice@a.example>", "<bob@b.example>", CACHETD_DIR_OUTBOUND},
        {"alice@A.EXAMPLE", "bob@b.example", CACHETD_DIR_OUTBOUND},
        {"alice@a.example.", "bob@b.example", CACHETD_DIR_OUTBOUND},
        {"bob@b.example", "alice@a.example", CACHETD_DIR_INBOUND},
        {"bob@b.example", "alice@C.Example", CACHETD_DIR_INBOUND},
        {"alice@a.example", "carol@c.example", CACHETD_DIR_INTERNAL},
        {"alice@a.example", "alice2@a.example", CACHETD_DIR_INTERNAL},
        {"bob@b.example", "dave@d.example", CACHETD_DIR_FOREIGN},
        {"", "alice@a.example", CACHETD_DIR_INBOUND}, /* a bounce to us */
        {"<>", "alice@a.example", CACHETD_DIR_INBOUND},
        {"", "bob@b.example", CACHETD_DIR_FOREIGN},
        {"<>", "bob@b.example", CACHETD_DIR_FOREIGN},
        {NULL, "bob@b.example", CACHETD_DIR_FOREIGN},
        {"alice@sub.a.example", "bob@b.example", CACHETD_DIR_FOREIGN}, /* not one of ours */
        {"alice@xa.example", "bob@b.example", CACHETD_DIR_FOREIGN},
        {"a.example", "bob@b.example", CACHETD_DIR_FOREIGN}, /* no '@': no domain */
        {"alice@a.example", "", CACHETD_DIR_OUTBOUND},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachetd_direction got = cachetd_policy_direction(cfg, cases[i].sender, cases[i].rcpt);
        if (got != cases[i].want) {
            fprintf(stderr, "direction %zu (%s -> %s): %s\n", i,
                    cases[i].sender ? cases[i].sender : "NULL", cases[i].rcpt,
                    cachetd_direction_name(got));
        }
        CHECK_EQ_INT(got, cases[i].want);
    }
    CHECK_STR(cachetd_direction_name(CACHETD_DIR_OUTBOUND), "outbound");
    CHECK_STR(cachetd_direction_name(CACHETD_DIR_INBOUND), "inbound");
    CHECK_STR(cachetd_direction_name(CACHETD_DIR_INTERNAL), "internal");
    CHECK_STR(cachetd_direction_name(CACHETD_DIR_FOREIGN), "foreign");
    free(cfg);
}

static void rcpt_class_separates_directions_and_domains(void) {
    cachetd_config *cfg = t_config();
    static const struct {
        cachetd_split split;
        const char *sender, *rcpt, *want;
    } cases[] = {
        {CACHETD_SPLIT_DOMAIN, "alice@a.example", "bob@b.example", "out:b.example"},
        {CACHETD_SPLIT_DOMAIN, "alice@a.example", "<Bob@B.Example>", "out:b.example"},
        {CACHETD_SPLIT_DOMAIN, "alice@a.example", "bob@b.example.", "out:b.example"},
        {CACHETD_SPLIT_DOMAIN, "alice@a.example", "x@sub.b.example", "out:sub.b.example"},
        {CACHETD_SPLIT_RECIPIENT, "alice@a.example", "Bob@B.Example", "out:Bob@b.example"},
        {CACHETD_SPLIT_RECIPIENT, "alice@a.example", "<carol@b.example>", "out:carol@b.example"},
        {CACHETD_SPLIT_DOMAIN, "bob@b.example", "alice@a.example", "in:a.example"},
        {CACHETD_SPLIT_DOMAIN, "bob@b.example", "<Alice@A.Example.>", "in:a.example"},
        {CACHETD_SPLIT_RECIPIENT, "bob@b.example", "Alice@A.Example", "in:Alice@a.example"},
        {CACHETD_SPLIT_DOMAIN, "alice@a.example", "carol@c.example", "pass"},
        {CACHETD_SPLIT_DOMAIN, "bob@b.example", "dave@d.example", "pass"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[CACHETD_NAME_MAX + 8];
        cfg->split = cases[i].split;
        cachetd_policy_rcpt_class(cfg, cases[i].sender, cases[i].rcpt, out, sizeof(out));
        CHECK_STR(out, cases[i].want);
    }
    free(cfg);
}

static void trusted_submitter_by_authentication_or_network(void) {
    cachetd_config *cfg = t_config();
    static const struct {
        bool trust_auth;
        const char *auth, *addr;
        bool want;
    } cases[] = {
        {true, "alice", "203.0.113.9", true},
        {false, "alice", "203.0.113.9", false},
        {true, "", "203.0.113.9", false},
        {true, NULL, "203.0.113.9", false},
        {true, NULL, "127.0.0.1", true},
        {true, NULL, "127.200.1.1", true},
        {true, NULL, "128.0.0.1", false},
        {true, NULL, "::1", true},
        {true, NULL, "IPv6:::1", true},
        {true, NULL, "ipv6:::1", true},
        {true, NULL, "[::1]", true},
        {true, NULL, "[IPv6:::1]", true},
        {true, NULL, "::2", false},
        {true, NULL, "::ffff:127.0.0.1", true},
        {true, NULL, "IPv6:::ffff:127.0.0.1", true},
        {true, NULL, "::ffff:7f00:1", true},
        {true, NULL, "::ffff:10.0.0.1", false},
        {true, NULL, "::127.0.0.1", false}, /* IPv4-compatible, not mapped */
        {true, NULL, "[127.0.0.1]", true},
        {true, NULL, "192.0.2.0", true},
        {true, NULL, "192.0.2.127", true},
        {true, NULL, "192.0.2.128", false}, /* /25 */
        {true, NULL, "2001:db8::25", true},
        {true, NULL, "2001:db8:ffff:ffff::1", true},
        {true, NULL, "2001:db9::1", false},
        {true, NULL, "fe80::1%eth0", false},
        {true, NULL, "", false},
        {true, NULL, NULL, false},
        {true, NULL, "localhost", false},
        {true, NULL, "127.0.0.1 ", false},
        {true, NULL, "127.0.0.1x", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cfg->trust_authenticated = cases[i].trust_auth;
        bool got = cachetd_policy_trusted_submitter(cfg, cases[i].auth, cases[i].addr);
        if (got != cases[i].want) {
            fprintf(stderr, "trusted case %zu (%s): %d\n", i,
                    cases[i].addr ? cases[i].addr : "NULL", got);
        }
        CHECK_EQ_INT(got, cases[i].want);
    }
    free(cfg);
}

static void network_contains_prefix_edges(void) {
    cachetd_network n;
    memset(&n, 0, sizeof(n));
    n.family = AF_INET;
    n.prefix = 0;
    CHECK(cachetd_network_contains(&n, "203.0.113.1"));
    CHECK(!cachetd_network_contains(&n, "2001:db8::1")); /* IPv4 network, IPv6 client */
    CHECK(cachetd_network_contains(&n, "::ffff:203.0.113.1"));
    n.prefix = 33;
    CHECK(!cachetd_network_contains(&n, "0.0.0.0"));
    /* ::ffff:0:0/96 covers every IPv4 client. */
    memset(&n, 0, sizeof(n));
    n.family = AF_INET6;
    CHECK(inet_pton(AF_INET6, "::ffff:0:0", n.addr) == 1);
    n.prefix = 96;
    CHECK(cachetd_network_contains(&n, "10.1.2.3"));
    CHECK(cachetd_network_contains(&n, "::ffff:10.1.2.3"));
    CHECK(!cachetd_network_contains(&n, "::1"));
    /* An odd prefix: 10.0.0.0/9 holds 10.127.x but not 10.128.x. */
    memset(&n, 0, sizeof(n));
    n.family = AF_INET;
    n.addr[0] = 10;
    n.prefix = 9;
    CHECK(cachetd_network_contains(&n, "10.127.255.255"));
    CHECK(!cachetd_network_contains(&n, "10.128.0.0"));
    CHECK(!cachetd_network_contains(NULL, "10.0.0.1"));
    CHECK(!cachetd_network_contains(&n, NULL));
    n.family = 12345;
    CHECK(!cachetd_network_contains(&n, "10.0.0.1"));
}

static void config_domain_and_partner_lookup(void) {
    cachetd_config *cfg = t_config();
    CHECK(cachetd_config_domain(cfg, "a.example") == &cfg->domains[0]);
    CHECK(cachetd_config_domain(cfg, "A.EXAMPLE") == &cfg->domains[0]);
    CHECK(cachetd_config_domain(cfg, "a.example.") == &cfg->domains[0]);
    CHECK(cachetd_config_domain(cfg, "c.example") == &cfg->domains[1]);
    CHECK(cachetd_config_domain(cfg, "sub.a.example") == NULL);
    CHECK(cachetd_config_domain(cfg, "xa.example") == NULL);
    CHECK(cachetd_config_domain(cfg, "example") == NULL);
    CHECK(cachetd_config_domain(cfg, "") == NULL);
    CHECK(cachetd_config_domain(cfg, NULL) == NULL);
    CHECK(cachetd_config_domain(NULL, "a.example") == NULL);

    CHECK(cachetd_config_partner(cfg, "b.example") == &cfg->partners[0]);
    CHECK(cachetd_config_partner(cfg, "B.Example.") == &cfg->partners[0]);
    CHECK(cachetd_config_partner(cfg, "x.b.example") == &cfg->partners[0]);
    CHECK(cachetd_config_partner(cfg, "sub.b.example") == &cfg->partners[1]); /* most specific */
    CHECK(cachetd_config_partner(cfg, "deep.sub.b.example") == &cfg->partners[1]);
    CHECK(cachetd_config_partner(cfg, "xsub.b.example") == &cfg->partners[0]);
    CHECK(cachetd_config_partner(cfg, "xb.example") == NULL);
    CHECK(cachetd_config_partner(cfg, "b.example.evil") == NULL);
    CHECK(cachetd_config_partner(cfg, "example") == NULL);
    CHECK(cachetd_config_partner(cfg, "") == NULL);
    CHECK(cachetd_config_partner(cfg, NULL) == NULL);
    /* the most specific wins whatever the order of the sections */
    cachetd_partner parent = cfg->partners[0];
    cfg->partners[0] = cfg->partners[1];
    cfg->partners[1] = parent;
    CHECK(cachetd_config_partner(cfg, "deep.sub.b.example") == &cfg->partners[0]);
    CHECK(cachetd_config_partner(cfg, "x.b.example") == &cfg->partners[1]);
    free(cfg);
}

/* Outbound facts as flags. */
enum {
    F_TRUSTED = 1 << 0,
    F_SENDER_KEY = 1 << 1,
    F_DOMAIN_KEY = 1 << 2,
    F_SIGNED = 1 << 3,
    F_ENCRYPTED = 1 << 4,
    F_OWN_DCA = 1 << 5,
    F_STD = F_TRUSTED | F_DOMAIN_KEY,
};
/* Expected action flags. */
enum { W_UNWRAP = 1 << 0, W_EMPTY = 1 << 1, W_ATTRS = 1 << 2, W_REVIEW = 1 << 3 };

#define FND CACHETD_CERT_FOUND
#define NON CACHETD_CERT_NONE
#define ERR CACHETD_CERT_LOOKUP_FAILED
#define CONT CACHETD_CONTINUE
#define TEMP CACHETD_TEMPFAIL
#define REJ CACHETD_REJECT
#define S_NONE CACHETD_SIGN_ACTION_NONE
#define S_DOM CACHETD_SIGN_ACTION_DOMAIN
#define S_USER CACHETD_SIGN_ACTION_USER
#define E_NONE CACHETD_ENCRYPT_ACTION_NONE
#define E_RCPT CACHETD_ENCRYPT_ACTION_RECIPIENTS
#define E_DCA CACHETD_ENCRYPT_ACTION_DCA

typedef struct out_case {
    const char *name;
    const char *domain; /* the sender's domain section */
    const char *rcpts[4];
    cachetd_cert_fact certs[4];
    cachetd_cert_fact dca;
    unsigned facts;
    cachetd_verdict verdict;
    cachetd_sign_action sign;
    cachetd_encrypt_action encrypt;
    unsigned want;
    const char *reason;     /* substring, or "" for an empty reason */
    const char *not_reason; /* must not appear, may be NULL */
} out_case;

// clang-format off
static const out_case out_cases[] = {
    {"every recipient has a certificate", "a.example",
     {"bob@d.example", "carol@d.example"}, {FND, FND}, NON, F_STD,
     CONT, S_DOM, E_RCPT, 0,
     "", NULL},
    {"opportunistic mixed with DCA: domain encryption", "a.example",
     {"bob@d.example", "carol@d.example", "dave@d.example"}, {FND, FND, NON}, FND, F_STD,
     CONT, S_DOM, E_DCA, 0,
     "", NULL},
    {"opportunistic mixed without DCA: plain, saying who", "a.example",
     {"bob@d.example", "carol@d.example", "dave@d.example"}, {FND, FND, NON}, NON, F_STD,
     CONT, S_DOM, E_NONE, 0,
     "sent unencrypted: no certificate for dave@d.example and no "
     "domain-confidentiality-authority for d.example", "bob@"},
    {"opportunistic lookup failure is tempfail, not plain (GW-04)", "a.example",
     {"bob@d.example", "carol@d.example"}, {FND, ERR}, FND, F_STD,
     TEMP, S_NONE, E_NONE, 0,
     "certificate lookup failed for carol@d.example; will retry", NULL},
    {"DCA lookup failure when the DCA is needed", "a.example",
     {"bob@d.example"}, {NON}, ERR, F_STD,
     TEMP, S_NONE, E_NONE, 0,
     "certificate lookup failed for domain-confidentiality-authority@d.example; will retry", NULL},
    {"DCA lookup failure does not matter when every recipient has a certificate", "a.example",
     {"bob@d.example"}, {FND}, ERR, F_STD,
     CONT, S_DOM, E_RCPT, 0,
     "", NULL},
    {"required mixed, partner says reject: names the recipient without", "a.example",
     {"bob@b.example", "carol@b.example", "dave@b.example"}, {FND, FND, NON}, NON, F_STD,
     REJ, S_NONE, E_NONE, 0,
     "encryption to b.example is required but there is no certificate for dave@b.example",
     "carol@"},
    {"required mixed, domain says tempfail", "a.example",
     {"bob@req.example", "carol@req.example", "dave@req.example"}, {FND, NON, FND}, NON, F_STD,
     TEMP, S_NONE, E_NONE, 0,
     "encryption to req.example is required but there is no certificate for "
     "carol@req.example", "dave@"},
    {"required by our domain for every recipient domain", "c.example",
     {"bob@d.example"}, {NON}, NON, F_STD,
     TEMP, S_NONE, E_NONE, 0,
     "encryption to d.example is required but there is no certificate for bob@d.example", NULL},
    {"required mixed with DCA: domain encryption", "a.example",
     {"bob@b.example", "dave@b.example"}, {FND, NON}, FND, F_STD,
     CONT, S_DOM, E_DCA, 0,
     "", NULL},
    {"required, every certificate found", "a.example",
     {"bob@b.example", "carol@b.example"}, {FND, FND}, NON, F_STD,
     CONT, S_DOM, E_RCPT, 0,
     "", NULL},
    {"required lookup failure is tempfail even with reject", "a.example",
     {"bob@b.example", "carol@b.example"}, {NON, ERR}, NON, F_STD,
     TEMP, S_NONE, E_NONE, 0,
     "certificate lookup failed for carol@b.example; will retry", NULL},
    {"partner-only missing_certificate with the domain's required", "c.example",
     {"bob@m.example"}, {NON}, NON, F_STD,
     REJ, S_NONE, E_NONE, 0,
     "no certificate for bob@m.example", NULL},
    {"a more specific partner overrides its parent", "a.example",
     {"x@deep.sub.b.example"}, {NON}, NON, F_STD,
     CONT, S_DOM, E_NONE, 0,
     "sent unencrypted", NULL},
    {"encryption never, certificates or not", "a.example",
     {"bob@never.example"}, {FND}, FND, F_STD,
     CONT, S_DOM, E_NONE, 0,
     "sent unencrypted: encryption = never for never.example", NULL},
    {"encryption never needs no lookup", "a.example",
     {"bob@never.example"}, {ERR}, ERR, F_STD,
     CONT, S_DOM, E_NONE, 0,
     "encryption = never", NULL},
    {"untrusted submitter: no domain signature (RFC 3183 §3.2)", "a.example",
     {"bob@d.example"}, {FND}, NON, F_DOMAIN_KEY,
     CONT, S_NONE, E_RCPT, 0,
     "not domain-signed: submitter not authenticated (RFC 3183 section 3.2)", NULL},
    {"untrusted submitter without key is not our fault", "a.example",
     {"bob@d.example"}, {NON}, NON, 0,
     CONT, S_NONE, E_NONE, 0,
     "not domain-signed: submitter not authenticated", NULL},
    {"untrusted submitter with signing = user: not signed with the user's key either", "u.example",
     {"bob@d.example"}, {FND}, NON, F_SENDER_KEY | F_DOMAIN_KEY,
     CONT, S_NONE, E_RCPT, 0,
     "submitter not authenticated", NULL},
    {"signing none", "n.example",
     {"bob@d.example"}, {FND}, NON, F_STD,
     CONT, S_NONE, E_RCPT, 0,
     "not signed: signing = none for n.example", NULL},
    {"signing user with the sender's key", "u.example",
     {"bob@d.example"}, {FND}, NON, F_STD | F_SENDER_KEY,
     CONT, S_USER, E_RCPT, 0,
     "", NULL},
    {"signing user without the sender's key: domain signature", "u.example",
     {"bob@d.example"}, {FND}, NON, F_STD,
     CONT, S_DOM, E_RCPT, 0,
     "", NULL},
    {"signing domain without the key is our fault", "a.example",
     {"bob@d.example"}, {FND}, NON, F_TRUSTED,
     TEMP, S_NONE, E_NONE, 0,
     "signing key of domain-signing-authority@a.example is not loaded", NULL},
    {"signing user without any key is our fault", "u.example",
     {"bob@d.example"}, {FND}, NON, F_TRUSTED,
     TEMP, S_NONE, E_NONE, 0,
     "not loaded and the sender has no key of its own", NULL},
    {"every DOMSEC layer on an unsigned message", "e.example",
     {"bob@d.example"}, {FND}, NON, F_STD,
     CONT, S_DOM, E_RCPT, W_EMPTY | W_ATTRS | W_REVIEW,
     "", NULL},
    {"no empty layer around a signed message", "e.example",
     {"bob@d.example"}, {FND}, NON, F_STD | F_SIGNED,
     CONT, S_DOM, E_RCPT, W_ATTRS | W_REVIEW,
     "", NULL},
    {"no DOMSEC layers without a signature", "e.example",
     {"bob@d.example"}, {FND}, NON, F_DOMAIN_KEY,
     CONT, S_NONE, E_RCPT, 0,
     "submitter not authenticated", NULL},
    {"encrypted to our DCA: unwrapped, signed, encrypted again (§5)", "a.example",
     {"bob@d.example"}, {FND}, NON, F_STD | F_ENCRYPTED | F_OWN_DCA,
     CONT, S_DOM, E_RCPT, W_UNWRAP,
     "RFC 3183 section 5", NULL},
    {"encrypted to our DCA but nothing to encrypt to: not unwrapped, not signed", "a.example",
     {"bob@d.example"}, {NON}, NON, F_STD | F_ENCRYPTED | F_OWN_DCA,
     CONT, S_NONE, E_NONE, 0,
     "not signed, since the signatures inside cannot be verified (RFC 3183 section 3.2)",
     "sent unencrypted"},
    {"encrypted to our DCA, required, nothing to encrypt to", "a.example",
     {"bob@b.example"}, {NON}, NON, F_STD | F_ENCRYPTED | F_OWN_DCA,
     REJ, S_NONE, E_NONE, 0,
     "no certificate for bob@b.example", NULL},
    {"encrypted to our DCA, lookup failed", "a.example",
     {"bob@d.example"}, {ERR}, NON, F_STD | F_ENCRYPTED | F_OWN_DCA,
     TEMP, S_NONE, E_NONE, 0,
     "certificate lookup failed", NULL},
    {"encrypted without our DCA: not signed (section 3.2, GW-03)", "a.example",
     {"bob@b.example"}, {NON}, NON, F_STD | F_ENCRYPTED,
     CONT, S_NONE, E_NONE, 0,
     "(not for our domain-confidentiality-authority): not signed, since the signatures inside "
     "cannot be verified (RFC 3183 section 3.2)", NULL},
    {"encrypted, untrusted submitter: passed on", "a.example",
     {"bob@d.example"}, {FND}, FND, F_DOMAIN_KEY | F_ENCRYPTED | F_OWN_DCA,
     CONT, S_NONE, E_NONE, 0,
     "already encrypted: passed on as it is", NULL},
    {"recipients with different policies in one class", "a.example",
     {"bob@d.example", "carol@b.example"}, {FND, FND}, NON, F_STD,
     TEMP, S_NONE, E_NONE, 0,
     "different encryption policies", NULL},
};
// clang-format on

static void t_facts(const out_case *c, cachetd_outbound_facts *f, size_t *n) {
    memset(f, 0, sizeof(*f));
    *n = 0;
    while (*n < 4 && c->rcpts[*n] != NULL) {
        (*n)++;
    }
    f->sender = "alice@a.example";
    f->recipients = c->rcpts;
    f->num_recipients = *n;
    f->recipient_certs = c->certs;
    f->dca_cert = c->dca;
    f->trusted_submitter = (c->facts & F_TRUSTED) != 0;
    f->sender_key = (c->facts & F_SENDER_KEY) != 0;
    f->domain_key = (c->facts & F_DOMAIN_KEY) != 0;
    f->message_signed = (c->facts & F_SIGNED) != 0;
    f->message_encrypted = (c->facts & F_ENCRYPTED) != 0;
    f->own_dca_in_message = (c->facts & F_OWN_DCA) != 0;
}

static void outbound_decisions(void) {
    cachetd_config *cfg = t_config();
    for (size_t i = 0; i < sizeof(out_cases) / sizeof(out_cases[0]); i++) {
        const out_case *c = &out_cases[i];
        cachetd_outbound_facts f;
        size_t n = 0;
        t_facts(c, &f, &n);
        cachetd_outbound_actions a;
        memset(&a, 0x5a, sizeof(a)); /* every field must be written */
        cachetd_policy_outbound(cfg, cachetd_config_domain(cfg, c->domain), &f, &a);
        unsigned got = (a.unwrap_for_domain_signature ? W_UNWRAP : 0) |
                       (a.empty_layer ? W_EMPTY : 0) | (a.attributes_signature ? W_ATTRS : 0) |
                       (a.review_signature ? W_REVIEW : 0);
        bool reason_ok =
            c->reason[0] == '\0' ? a.reason[0] == '\0' : strstr(a.reason, c->reason) != NULL;
        bool not_ok = c->not_reason == NULL || strstr(a.reason, c->not_reason) == NULL;
        if (a.verdict != c->verdict || a.sign != c->sign || a.encrypt != c->encrypt ||
            got != c->want || !reason_ok || !not_ok) {
            fprintf(stderr, "outbound '%s': verdict %s sign %d encrypt %d flags %u reason \"%s\"\n",
                    c->name, cachetd_verdict_name(a.verdict), a.sign, a.encrypt, got, a.reason);
        }
        CHECK_EQ_INT(a.verdict, c->verdict);
        CHECK_EQ_INT(a.sign, c->sign);
        CHECK_EQ_INT(a.encrypt, c->encrypt);
        CHECK_EQ_INT(got, c->want);
        CHECK(reason_ok);
        CHECK(not_ok);
    }
    free(cfg);
}

static void outbound_reason_lists_many_recipients_within_bounds(void) {
    cachetd_config *cfg = t_config();
    static char names[20][80];
    const char *rcpts[20];
    cachetd_cert_fact certs[20];
    for (size_t i = 0; i < 20; i++) {
        snprintf(names[i], sizeof(names[i]), "recipient-with-a-long-name-%02zu@b.example", i);
        rcpts[i] = names[i];
        certs[i] = NON;
    }
    cachetd_outbound_facts f = {.sender = "alice@a.example",
                                .recipients = rcpts,
                                .num_recipients = 20,
                                .trusted_submitter = true,
                                .domain_key = true,
                                .recipient_certs = certs,
                                .dca_cert = NON};
    cachetd_outbound_actions a;
    cachetd_policy_outbound(cfg, &cfg->domains[0], &f, &a);
    CHECK_EQ_INT(a.verdict, REJ);
    CHECK(strstr(a.reason, "recipient-with-a-long-name-00@b.example, ") != NULL);
    CHECK(strstr(a.reason, "more") != NULL);
    CHECK(strlen(a.reason) < sizeof(a.reason));
    /* The count adds up: listed names + "and N more" = 20. */
    size_t listed = 0;
    for (const char *p = a.reason; (p = strstr(p, "long-name-")) != NULL; p++) {
        listed++;
    }
    const char *more = strstr(a.reason, "and ");
    CHECK(more != NULL);
    if (more != NULL) {
        CHECK_EQ_INT(listed + (size_t)strtoul(more + 4, NULL, 10), 20);
    }
    free(cfg);
}

/* Every combination of facts: under required nothing leaves plain unless it was
 * already encrypted and stays so; a lookup failure that the decision needs never
 * turns into a reject or into plain (GW-04). */
static void outbound_never_plain_when_required_exhaustive(void) {
    cachetd_config *cfg = t_config();
    const char *rcpts[2] = {"bob@b.example", "carol@b.example"};
    const cachetd_cert_fact vals[3] = {FND, NON, ERR};
    const char *domains[2] = {"a.example", "u.example"};
    size_t combos = 0;
    for (size_t d = 0; d < 2; d++) {
        const cachetd_domain *dom = cachetd_config_domain(cfg, domains[d]);
        for (unsigned r0 = 0; r0 < 3; r0++) {
            for (unsigned r1 = 0; r1 < 3; r1++) {
                for (unsigned dc = 0; dc < 3; dc++) {
                    for (unsigned fl = 0; fl < 64; fl++) {
                        if ((fl & F_OWN_DCA) && !(fl & F_ENCRYPTED)) {
                            continue;
                        }
                        cachetd_cert_fact certs[2] = {vals[r0], vals[r1]};
                        cachetd_outbound_facts f = {
                            .sender = "alice@a.example",
                            .recipients = rcpts,
                            .num_recipients = 2,
                            .recipient_certs = certs,
                            .dca_cert = vals[dc],
                            .trusted_submitter = (fl & F_TRUSTED) != 0,
                            .sender_key = (fl & F_SENDER_KEY) != 0,
                            .domain_key = (fl & F_DOMAIN_KEY) != 0,
                            .message_signed = (fl & F_SIGNED) != 0,
                            .message_encrypted = (fl & F_ENCRYPTED) != 0,
                            .own_dca_in_message = (fl & F_OWN_DCA) != 0,
                        };
                        cachetd_outbound_actions a;
                        cachetd_policy_outbound(cfg, dom, &f, &a);
                        combos++;
                        bool stays_encrypted =
                            f.message_encrypted && !a.unwrap_for_domain_signature;
                        if (a.verdict == CONT) {
                            CHECK(a.encrypt != E_NONE || stays_encrypted);
                            /* RECIPIENTS only with every certificate in hand */
                            if (a.encrypt == E_RCPT) {
                                CHECK(certs[0] == FND && certs[1] == FND);
                            }
                            if (a.encrypt == E_DCA) {
                                CHECK(vals[dc] == FND && certs[0] != ERR && certs[1] != ERR);
                            }
                            if (a.unwrap_for_domain_signature) {
                                CHECK(a.sign != S_NONE && a.encrypt != E_NONE);
                            }
                            if (a.sign != S_NONE) {
                                CHECK(f.trusted_submitter);
                            }
                        }
                        if (a.verdict != CONT) {
                            CHECK(a.sign == S_NONE && a.encrypt == E_NONE &&
                                  !a.unwrap_for_domain_signature && !a.empty_layer);
                        }
                        if (a.verdict == REJ) {
                            /* a reject only for a definite "none" */
                            CHECK(certs[0] != ERR && certs[1] != ERR && vals[dc] == NON);
                        }
                        CHECK(a.reason[0] != '\0' || a.verdict == CONT);
                    }
                }
            }
        }
    }
    CHECK(combos > 1000);
    free(cfg);
}

static void outbound_lookup_failure_never_read_as_none(void) {
    cachetd_config *cfg = t_config();
    const char *rcpts[3] = {"bob@d.example", "carol@d.example", "dave@d.example"};
    /* opportunistic a.example: one failure among three, whatever the others and
     * the DCA, is a tempfail */
    const cachetd_cert_fact vals[3] = {FND, NON, ERR};
    for (unsigned pos = 0; pos < 3; pos++) {
        for (unsigned o = 0; o < 9; o++) {
            for (unsigned dc = 0; dc < 3; dc++) {
                cachetd_cert_fact certs[3];
                unsigned k = 0;
                for (unsigned i = 0; i < 3; i++) {
                    if (i == pos) {
                        certs[i] = ERR;
                    } else {
                        certs[i] = vals[k == 0 ? o % 3 : o / 3];
                        k++;
                    }
                }
                cachetd_outbound_facts f = {.sender = "alice@a.example",
                                            .recipients = rcpts,
                                            .num_recipients = 3,
                                            .recipient_certs = certs,
                                            .dca_cert = vals[dc],
                                            .trusted_submitter = true,
                                            .domain_key = true};
                cachetd_outbound_actions a;
                cachetd_policy_outbound(cfg, &cfg->domains[0], &f, &a);
                CHECK_EQ_INT(a.verdict, TEMP);
                CHECK(strstr(a.reason, "certificate lookup failed for") != NULL);
                CHECK(strstr(a.reason, rcpts[pos]) != NULL);
                CHECK(strstr(a.reason, "will retry") != NULL);
            }
        }
    }
    free(cfg);
}

static void outbound_without_recipients_or_domain_is_tempfail(void) {
    cachetd_config *cfg = t_config();
    cachetd_outbound_facts f = {.sender = "alice@a.example", .trusted_submitter = true};
    cachetd_outbound_actions a;
    cachetd_policy_outbound(cfg, &cfg->domains[0], &f, &a);
    CHECK_EQ_INT(a.verdict, TEMP);
    const char *rcpts[1] = {"bob@d.example"};
    cachetd_cert_fact certs[1] = {FND};
    f.recipients = rcpts;
    f.recipient_certs = certs;
    f.num_recipients = 1;
    cachetd_policy_outbound(cfg, NULL, &f, &a);
    CHECK_EQ_INT(a.verdict, TEMP);
    CHECK_EQ_INT(a.encrypt, E_NONE);
    free(cfg);
}

static void inbound_actions_follow_domain_and_partner(void) {
    cachetd_config *cfg = t_config();
    cachetd_inbound_actions in;
    cachetd_policy_inbound(cfg, &cfg->domains[0], "bob@b.example", &in);
    CHECK(in.decrypt && in.verify && in.harvest);
    CHECK(in.partner == &cfg->partners[0]);
    CHECK_EQ_INT(in.name_mapping, CACHET_DOMSEC_MAPPING_ASCENDANT);
    cachetd_policy_inbound(cfg, &cfg->domains[0], "<x@P.Example>", &in);
    CHECK(in.partner == &cfg->partners[5]);
    CHECK_EQ_INT(in.name_mapping, CACHET_DOMSEC_MAPPING_EXACT);
    cachetd_policy_inbound(cfg, &cfg->domains[0], "", &in);
    CHECK(in.partner == NULL);
    CHECK_EQ_INT(in.name_mapping, CACHET_DOMSEC_MAPPING_ASCENDANT);
    cachetd_policy_inbound(cfg, &cfg->domains[0], "dave@d.example", &in);
    CHECK(in.partner == NULL);
    cachetd_domain *d = &cfg->domains[0];
    d->verify = false;
    d->decrypt = false;
    cachetd_policy_inbound(cfg, d, "bob@b.example", &in);
    CHECK(!in.decrypt && !in.verify);
    CHECK(!in.harvest); /* nothing verified, nothing harvested */
    free(cfg);
}

static void inbound_result_follows_on_failure_and_require_signature(void) {
    cachetd_config *cfg = t_config();
    cachetd_domain *d = &cfg->domains[0];
    cachetd_inbound_actions plain_partner, strict_partner, none;
    cachetd_policy_inbound(cfg, d, "bob@b.example", &plain_partner);
    cachetd_policy_inbound(cfg, d, "x@p.example", &strict_partner);
    cachetd_policy_inbound(cfg, d, "dave@d.example", &none);
    static const cachetd_delivery D = CACHETD_DELIVER, Q = CACHETD_QUARANTINE,
                                  R = CACHETD_REJECT_MESSAGE;
    static const struct {
        int who; /* 0 no partner, 1 partner, 2 partner with require_signature */
        cachetd_failure_action on_failure;
        cachetd_inbound_outcome outcome;
        bool ok;
        cachetd_delivery want;
    } cases[] = {
        {0, CACHETD_FAILURE_DELIVER, CACHETD_IN_PLAIN, false, D},
        {0, CACHETD_FAILURE_REJECT, CACHETD_IN_PLAIN, false, D},
        {0, CACHETD_FAILURE_REJECT, CACHETD_IN_PASS, false, D},
        {0, CACHETD_FAILURE_DELIVER, CACHETD_IN_FAIL, false, D},
        {0, CACHETD_FAILURE_QUARANTINE, CACHETD_IN_FAIL, false, Q},
        {0, CACHETD_FAILURE_REJECT, CACHETD_IN_FAIL, false, R},
        {0, CACHETD_FAILURE_QUARANTINE, CACHETD_IN_UNTRUSTED, false, Q},
        {0, CACHETD_FAILURE_REJECT, CACHETD_IN_UNDECRYPTABLE, false, R},
        {0, CACHETD_FAILURE_QUARANTINE, CACHETD_IN_MALFORMED, false, Q},
        {1, CACHETD_FAILURE_REJECT, CACHETD_IN_PLAIN, false, D},
        {1, CACHETD_FAILURE_QUARANTINE, CACHETD_IN_FAIL, false, Q},
        /* GW-02: stripped, replaced, forged */
        {2, CACHETD_FAILURE_DELIVER, CACHETD_IN_PLAIN, false, Q},
        {2, CACHETD_FAILURE_QUARANTINE, CACHETD_IN_PLAIN, false, Q},
        {2, CACHETD_FAILURE_REJECT, CACHETD_IN_PLAIN, false, R},
        {2, CACHETD_FAILURE_DELIVER, CACHETD_IN_PASS, false, Q}, /* only review/attributes */
        {2, CACHETD_FAILURE_REJECT, CACHETD_IN_PASS, false, R},
        {2, CACHETD_FAILURE_DELIVER, CACHETD_IN_PASS, true, D},
        {2, CACHETD_FAILURE_REJECT, CACHETD_IN_PASS, true, D},
        {2, CACHETD_FAILURE_DELIVER, CACHETD_IN_FAIL, true, Q},
        {2, CACHETD_FAILURE_DELIVER, CACHETD_IN_UNTRUSTED, false, Q},
        {2, CACHETD_FAILURE_DELIVER, CACHETD_IN_UNDECRYPTABLE, false, Q},
        {2, CACHETD_FAILURE_REJECT, CACHETD_IN_MALFORMED, false, R},
    };
    const cachetd_inbound_actions *who[3] = {&none, &plain_partner, &strict_partner};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        d->on_failure = cases[i].on_failure;
        cachetd_delivery got =
            cachetd_policy_inbound_result(d, who[cases[i].who], cases[i].outcome, cases[i].ok);
        if (got != cases[i].want) {
            fprintf(stderr, "inbound result %zu: %s\n", i, cachetd_delivery_name(got));
        }
        CHECK_EQ_INT(got, cases[i].want);
    }
    free(cfg);
}

static void names_are_stable(void) {
    CHECK_STR(cachetd_verdict_name(CACHETD_CONTINUE), "continue");
    CHECK_STR(cachetd_verdict_name(CACHETD_TEMPFAIL), "tempfail");
    CHECK_STR(cachetd_verdict_name(CACHETD_REJECT), "reject");
    CHECK_STR(cachetd_inbound_outcome_name(CACHETD_IN_PLAIN), "plain");
    CHECK_STR(cachetd_inbound_outcome_name(CACHETD_IN_PASS), "pass");
    CHECK_STR(cachetd_inbound_outcome_name(CACHETD_IN_FAIL), "fail");
    CHECK_STR(cachetd_inbound_outcome_name(CACHETD_IN_UNTRUSTED), "untrusted");
    CHECK_STR(cachetd_inbound_outcome_name(CACHETD_IN_UNDECRYPTABLE), "undecryptable");
    CHECK_STR(cachetd_inbound_outcome_name(CACHETD_IN_MALFORMED), "malformed");
    CHECK_STR(cachetd_delivery_name(CACHETD_DELIVER), "deliver");
    CHECK_STR(cachetd_delivery_name(CACHETD_QUARANTINE), "quarantine");
    CHECK_STR(cachetd_delivery_name(CACHETD_REJECT_MESSAGE), "reject");
}

static const cachet_test_case tests[] = {
    TEST_CASE(direction_of_sender_and_recipient),
    TEST_CASE(rcpt_class_separates_directions_and_domains),
    TEST_CASE(trusted_submitter_by_authentication_or_network),
    TEST_CASE(network_contains_prefix_edges),
    TEST_CASE(config_domain_and_partner_lookup),
    TEST_CASE(outbound_decisions),
    TEST_CASE(outbound_reason_lists_many_recipients_within_bounds),
    TEST_CASE(outbound_never_plain_when_required_exhaustive),
    TEST_CASE(outbound_lookup_failure_never_read_as_none),
    TEST_CASE(outbound_without_recipients_or_domain_is_tempfail),
    TEST_CASE(inbound_actions_follow_domain_and_partner),
    TEST_CASE(inbound_result_follows_on_failure_and_require_signature),
    TEST_CASE(names_are_stable),
};
TEST_MAIN(tests)
