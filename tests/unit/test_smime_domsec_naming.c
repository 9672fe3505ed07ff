/* smime/domsec (moved from the gateway): RFC 3183 §3.1.1 naming and name
 * mapping and the classification of one signer, on hand-built signer reports
 * (ATTACKS GW-01 (a)-(h) and the edges of each rule). */
#include "test_smime_domsec_util.h"

typedef struct classify_case {
    const char *name;
    t_signer signer;
    const char *from;
    cachet_domsec_mapping mapping;
    cachet_domsec_role role;
    const char *why; /* substring of |why| for FLAGGED */
} classify_case;

// clang-format off
static const classify_case classify_cases[] = {
    {"GW-01 (a) legitimate domain signer",
     {DSA, 0, {"domain-signing-authority@a.example"}, ST_DOM, false, 0, 2},
     "ceo@a.example", ASC, R_DOM, NULL},
    {"GW-01 (b) another domain",
     {DSA, 0, {"domain-signing-authority@evil.example"}, ST_DOM, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG,
     "domain-signing-authority@evil.example is not the originator's domain a.example or an "
     "ascendant of it"},
    {"GW-01 (c) From domain as a prefix of the attacker's",
     {DSA, 0, {"domain-signing-authority@a.example.evil.example"}, ST_DOM, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "is not the originator's domain a.example"},
    {"GW-01 (d) upper case name and domain",
     {"DOMAIN-SIGNING-AUTHORITY", 0, {"DOMAIN-SIGNING-AUTHORITY@A.EXAMPLE"}, ST_DOM, false, 0, 2},
     "ceo@a.example", ASC, R_DOM, NULL},
    {"GW-01 (e) a descendant of the From domain",
     {DSA, 0, {"domain-signing-authority@sub.a.example"}, ST_DOM, false, 0, 2},
     "alice@a.example", ASC, R_FLAG,
     "domain-signing-authority@sub.a.example is not the originator's domain a.example"},
    {"GW-01 (e') an ascendant of the From domain",
     {DSA, 0, {"domain-signing-authority@example.com"}, ST_DOM, false, 0, 2},
     "alice@sub.example.com", ASC, R_DOM, NULL},
    {"ascendant refused in exact mode",
     {DSA, 0, {"domain-signing-authority@example.com"}, ST_DOM, false, 0, 2},
     "alice@sub.example.com", EXACT, R_FLAG,
     "is not the originator's domain sub.example.com (exact name mapping)"},
    {"same domain accepted in exact mode",
     {DSA, 0, {"domain-signing-authority@a.example"}, ST_DOM, false, 0, 2},
     "alice@A.Example", EXACT, R_DOM, NULL},
    {"single-label authority never ascends",
     {DSA, 0, {"domain-signing-authority@example"}, ST_DOM, false, 0, 2},
     "alice@a.example", ASC, R_FLAG, "or an ascendant"},
    {"GW-01 (f) ordinary user certificate with domainSig",
     {"Mallory", 0, {"mallory@a.example"}, ST_DOM, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG,
     "the domainSig signature must be made by CN 'domain-signing-authority'"},
    {"domainSig with the right CN but a user address",
     {DSA, 0, {"mallory@a.example"}, ST_DOM, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG,
     "certificate address mallory@a.example does not have the local part "
     "'domain-signing-authority'"},
    {"domainSig with a second address of another local part",
     {DSA, 0, {"domain-signing-authority@a.example", "bob@a.example"}, ST_DOM, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "certificate address bob@a.example"},
    {"domainSig with a second address in another domain",
     {DSA, 0, {"domain-signing-authority@a.example", "domain-signing-authority@evil.example"},
      ST_DOM, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "domain-signing-authority@evil.example is not"},
    {"two CNs",
     {DSA, 2, {"domain-signing-authority@a.example"}, ST_DOM, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "exactly one CN"},
    {"no CN",
     {NULL, 0, {"domain-signing-authority@a.example"}, ST_DOM, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "the certificate has 0"},
    {"domain signer without an address cannot be mapped",
     {DSA, 0, {NULL}, ST_DOM, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "has no RFC 822 address"},
    {"domain signer without a From to map to",
     {DSA, 0, {"domain-signing-authority@a.example"}, ST_DOM, false, 0, 2},
     "", ASC, R_FLAG, "no originator address"},
    {"GW-01 (g) authority certificate without a signed SignatureType",
     {DSA, 0, {"domain-signing-authority@a.example"}, T_NONE, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG,
     "named 'domain-signing-authority' but the signature has no signed SignatureType"},
    {"reserved local part alone, no SignatureType",
     {"Bob", 0, {"review-authority@a.example"}, T_NONE, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "named 'review-authority'"},
    {"DCA certificate as a signer",
     {"domain-confidentiality-authority", 0, {"domain-confidentiality-authority@a.example"},
      T_NONE, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "named 'domain-confidentiality-authority'"},
    {"authority certificate typed originatorSig",
     {DSA, 0, {"domain-signing-authority@a.example"}, ST_ORIG, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "is typed originatorSig"},
    {"GW-01 (h) review authority",
     {RA, 0, {"review-authority@a.example"}, ST_REV, false, 0, 2},
     "ceo@a.example", ASC, R_REV, NULL},
    {"review authority of another domain (no name mapping for reviews)",
     {RA, 0, {"review-authority@other.example"}, ST_REV, false, 0, 2},
     "ceo@a.example", EXACT, R_REV, NULL},
    {"reviewSig by a user",
     {"Bob", 0, {"bob@a.example"}, ST_REV, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "must be made by CN 'review-authority'"},
    {"attribute authority",
     {AA, 0, {"attribute-authority@a.example"}, ST_ATTR, false, 0, 2},
     "ceo@a.example", ASC, R_ATTR, NULL},
    {"attribute authority without address",
     {AA, 0, {NULL}, ST_ATTR, false, 0, 2},
     "ceo@a.example", ASC, R_ATTR, NULL},
    {"addAttribSig by the domain signing authority",
     {DSA, 0, {"domain-signing-authority@a.example"}, ST_ATTR, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "must be made by CN 'attribute-authority'"},
    {"addAttribSig with another value",
     {AA, 0, {"attribute-authority@a.example"}, ST_ATTR | ST_REV, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "addAttribSig must be the only SignatureType value"},
    {"domainSig and reviewSig: named as the domain signature",
     {DSA, 0, {"domain-signing-authority@a.example"}, ST_DOM | ST_REV, false, 0, 2},
     "ceo@a.example", ASC, R_DOM, NULL},
    {"domainSig and reviewSig by the review authority",
     {RA, 0, {"review-authority@a.example"}, ST_DOM | ST_REV, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "must be made by CN 'domain-signing-authority'"},
    {"reviewSig and originatorSig: named as the review",
     {RA, 0, {"review-authority@a.example"}, ST_REV | ST_ORIG, false, 0, 2},
     "ceo@a.example", ASC, R_REV, NULL},
    {"unknown signature type",
     {DSA, 0, {"domain-signing-authority@a.example"}, ST_DOM | ST_UNK, false, 0, 2},
     "ceo@a.example", ASC, R_FLAG, "a signature type this version does not know"},
    {"empty SignatureType",
     {"Alice", 0, {"alice@a.example"}, 0, false, 0, 2},
     "alice@a.example", ASC, R_FLAG, "names no signature type"},
    {"originator without SignatureType",
     {"Alice", 0, {"alice@a.example"}, T_NONE, false, 0, 2},
     "alice@a.example", ASC, R_ORIG, NULL},
    {"originator typed originatorSig",
     {"Alice", 0, {"alice@a.example"}, ST_ORIG, false, 0, 2},
     "alice@a.example", ASC, R_ORIG, NULL},
    {"originator classification does not depend on From",
     {"Alice", 0, {"alice@a.example"}, T_NONE, false, 0, 2},
     "bob@b.example", ASC, R_ORIG, NULL},
    {"a local part that only contains the reserved name is ordinary",
     {"x", 0, {"domain-signing-authority-x@a.example"}, T_NONE, false, 0, 2},
     "ceo@a.example", ASC, R_ORIG, NULL},
};
// clang-format on

static void classify_follows_rfc3183_naming_and_mapping(void) {
    for (size_t i = 0; i < sizeof(classify_cases) / sizeof(classify_cases[0]); i++) {
        const classify_case *c = &classify_cases[i];
        t_built b;
        t_build(&c->signer, &b);
        cachet_domsec_signer_class out;
        cachet_domsec_classify_signer(&b.rep, c->from, c->mapping, &out);
        if (out.role != c->role) {
            fprintf(stderr, "case '%s': role %s, want %s (why: %s)\n", c->name,
                    cachet_domsec_role_name(out.role), cachet_domsec_role_name(c->role), out.why);
        }
        CHECK_EQ_INT(out.role, c->role);
        CHECK(out.signer == &b.rep);
        if (c->role == CACHET_DOMSEC_ROLE_FLAGGED) {
            if (strstr(out.why, c->why) == NULL) {
                fprintf(stderr, "case '%s': why \"%s\" lacks \"%s\"\n", c->name, out.why, c->why);
            }
            CHECK(strstr(out.why, c->why) != NULL);
        } else {
            CHECK_STR(out.why, "");
        }
        CHECK_STR(out.address, c->signer.emails[0] != NULL ? c->signer.emails[0] : "");
    }
}

static void classify_valid_needs_signature_and_trusted_chain(void) {
    static const struct {
        bool invalid;
        cachet_chain_status chain;
        bool valid;
    } cases[] = {
        {false, CACHET_CHAIN_TRUSTED, true},      {true, CACHET_CHAIN_TRUSTED, false},
        {false, CACHET_CHAIN_UNTRUSTED, false},   {false, CACHET_CHAIN_EXPIRED, false},
        {false, CACHET_CHAIN_NOT_CHECKED, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        t_signer s = {DSA,
                      0,
                      {"domain-signing-authority@a.example"},
                      CACHET_SIGTYPE_DOMAIN,
                      cases[i].invalid,
                      cases[i].chain,
                      2};
        t_built b;
        t_build(&s, &b);
        cachet_domsec_signer_class out;
        cachet_domsec_classify_signer(&b.rep, "ceo@a.example", CACHET_DOMSEC_MAPPING_ASCENDANT,
                                      &out);
        CHECK_EQ_INT(out.valid, cases[i].valid);
        CHECK_EQ_INT(out.role, CACHET_DOMSEC_ROLE_DOMAIN);
    }
}

static void classify_null_signer_is_flagged(void) {
    cachet_domsec_signer_class out;
    cachet_domsec_classify_signer(NULL, "ceo@a.example", CACHET_DOMSEC_MAPPING_ASCENDANT, &out);
    CHECK_EQ_INT(out.role, CACHET_DOMSEC_ROLE_FLAGGED);
    CHECK(!out.valid);
}

static void ascendant_is_by_whole_labels(void) {
    static const struct {
        const char *authority, *domain;
        bool exact, want;
    } cases[] = {
        {"a.example", "a.example", false, true},
        {"A.EXAMPLE", "a.example", false, true},
        {"a.example.", "a.example", false, true},
        {"a.example", "A.Example.", false, true},
        {"example.com", "sub.example.com", false, true},
        {"example.com", "x.y.sub.example.com", false, true},
        {"Example.COM", "sub.example.com.", false, true},
        {"example.com", "sub.example.com", true, false},
        {"example.com", "badexample.com", false, false},
        {"sub.a.example", "a.example", false, false},
        {"a.example", "a.example.evil.example", false, false},
        {"com", "example.com", false, false},
        {"com", "com", false, true},
        {"example", "a.example", false, false},
        {"", "a.example", false, false},
        {".", "a.example", false, false},
        {"a.example", "", false, false},
        {".example.com", "sub.example.com", false, false},
        {"example.com", "sub..example.com", false, false},
        {"example..com", "a.example..com", false, false},
        {"a.example..", "a.example", false, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = cachet_domsec_is_ascendant(cases[i].authority, cases[i].domain, cases[i].exact);
        if (got != cases[i].want) {
            fprintf(stderr, "ascendant(%s, %s, %d) = %d\n", cases[i].authority, cases[i].domain,
                    cases[i].exact, got);
        }
        CHECK_EQ_INT(got, cases[i].want);
    }
    CHECK(!cachet_domsec_is_ascendant(NULL, "a.example", false));
    CHECK(!cachet_domsec_is_ascendant("a.example", NULL, false));
}

static void domain_of_takes_the_part_after_the_last_at(void) {
    CHECK_STR(cachet_domsec_domain_of("alice@a.example"), "a.example");
    CHECK_STR(cachet_domsec_domain_of("\"a@b\"@c.example"), "c.example");
    CHECK(cachet_domsec_domain_of("alice") == NULL);
    CHECK(cachet_domsec_domain_of("alice@") == NULL);
    CHECK(cachet_domsec_domain_of(NULL) == NULL);
}

static void authority_address_lower_cases_the_domain(void) {
    char out[64];
    CHECK(cachet_domsec_authority_address(out, sizeof(out), DSA, "A.Example."));
    CHECK_STR(out, "domain-signing-authority@a.example");
    CHECK(cachet_domsec_authority_address(out, sizeof(out), CACHET_DOMSEC_DCA_LOCAL, "b.example"));
    CHECK_STR(out, "domain-confidentiality-authority@b.example");
    /* exactly fitting, and one byte short */
    CHECK(cachet_domsec_authority_address(out, strlen("review-authority@a.example") + 1, RA,
                                          "a.example"));
    CHECK(!cachet_domsec_authority_address(out, strlen("review-authority@a.example"), RA,
                                           "a.example"));
    CHECK(!cachet_domsec_authority_address(out, sizeof(out), DSA, ""));
    CHECK(!cachet_domsec_authority_address(out, sizeof(out), DSA, "a..example"));
    CHECK(!cachet_domsec_authority_address(out, sizeof(out), "", "a.example"));
}

static void role_names_are_stable(void) {
    CHECK_STR(cachet_domsec_role_name(CACHET_DOMSEC_ROLE_ORIGINATOR), "originator");
    CHECK_STR(cachet_domsec_role_name(CACHET_DOMSEC_ROLE_DOMAIN), "domain");
    CHECK_STR(cachet_domsec_role_name(CACHET_DOMSEC_ROLE_REVIEW), "review");
    CHECK_STR(cachet_domsec_role_name(CACHET_DOMSEC_ROLE_ATTRIBUTES), "attributes");
    CHECK_STR(cachet_domsec_role_name(CACHET_DOMSEC_ROLE_FLAGGED), "flagged");
}

/* An independent statement of the mapping rule for the property test: lower
 * case, equal, or a proper suffix after a dot when the authority has a dot. */
static bool t_oracle_ascends(const char *auth, const char *dom) {
    size_t la = strlen(auth), ld = strlen(dom);
    if (strcasecmp(auth, dom) == 0) {
        return true;
    }
    return strchr(auth, '.') != NULL && ld > la && strcasecmp(dom + ld - la, auth) == 0 &&
           dom[ld - la - 1] == '.';
}

static bool t_local_is(const char *addr, const char *name) {
    const char *at = strrchr(addr, '@');
    return at != NULL && (size_t)(at - addr) == strlen(name) &&
           strncasecmp(addr, name, strlen(name)) == 0;
}

static bool t_ci_eq(const char *a, const char *b) {
    return strcasecmp(a, b) == 0;
}

/* Random signers from small pools: whatever the combination, a role other
 * than FLAGGED is given only when every rule of §3.1.1 / §3.1.2 holds. */
static void classify_properties_over_random_signers(void) {
    static const char *const locals[] = {
        "domain-signing-authority", "DOMAIN-Signing-Authority",         "review-authority",
        "attribute-authority",      "domain-confidentiality-authority", "bob"};
    static const char *const domains[] = {"a.example",      "A.EXAMPLE",
                                          "sub.a.example",  "example",
                                          "evil.example",   "a.example.evil.example",
                                          "x.sub.a.example"};
    static const char *const cns[] = {"domain-signing-authority", "review-authority",
                                      "attribute-authority", "Bob",
                                      "domain-confidentiality-authority"};
    static const char *const froms[] = {"ceo@a.example", "ceo@sub.a.example", "ceo@x.sub.a.example",
                                        "ceo@evil.example", ""};
    static const unsigned all_types = CACHET_SIGTYPE_ORIGINATOR | CACHET_SIGTYPE_DOMAIN |
                                      CACHET_SIGTYPE_ADD_ATTRIB | CACHET_SIGTYPE_REVIEW |
                                      CACHET_SIGTYPE_UNKNOWN;
    uint32_t seed = 3183;
    size_t roles[5] = {0};
    for (int round = 0; round < 20000; round++) {
        char mails[3][80];
        t_signer s;
        memset(&s, 0, sizeof(s));
        size_t ne = cachet_test_rand(&seed) % 4;
        for (size_t i = 0; i < ne; i++) {
            snprintf(mails[i], sizeof(mails[i]), "%s@%s", locals[cachet_test_rand(&seed) % 6],
                     domains[cachet_test_rand(&seed) % 7]);
            s.emails[i] = mails[i];
        }
        s.cn = cns[cachet_test_rand(&seed) % 5];
        s.num_cns = 1 + (cachet_test_rand(&seed) % 8 == 0 ? 1 : 0);
        unsigned r = cachet_test_rand(&seed);
        s.types = r % 5 == 0 ? T_NONE : (cachet_test_rand(&seed) & all_types);
        if (r % 7 == 1) {
            s.types = CACHET_SIGTYPE_DOMAIN; /* keep the interesting case frequent */
        }
        s.address_match = 2;
        const char *from = froms[cachet_test_rand(&seed) % 5];
        cachet_domsec_mapping mapping = cachet_test_rand(&seed) % 3 == 0
                                            ? CACHET_DOMSEC_MAPPING_EXACT
                                            : CACHET_DOMSEC_MAPPING_ASCENDANT;
        t_built b;
        t_build(&s, &b);
        cachet_domsec_signer_class out;
        cachet_domsec_classify_signer(&b.rep, from, mapping, &out);
        roles[out.role]++;
        unsigned t = s.types == T_NONE ? 0 : s.types;
        const char *name = NULL;
        switch (out.role) {
            case CACHET_DOMSEC_ROLE_DOMAIN:
                name = "domain-signing-authority";
                CHECK((t & CACHET_SIGTYPE_DOMAIN) && !(t & CACHET_SIGTYPE_UNKNOWN) &&
                      !(t & CACHET_SIGTYPE_ADD_ATTRIB));
                CHECK(ne > 0);
                for (size_t i = 0; i < ne; i++) {
                    const char *d = strrchr(s.emails[i], '@') + 1;
                    const char *fd = strrchr(from, '@');
                    CHECK(fd != NULL);
                    if (fd != NULL) {
                        CHECK(mapping == CACHET_DOMSEC_MAPPING_EXACT ? t_ci_eq(d, fd + 1)
                                                                     : t_oracle_ascends(d, fd + 1));
                    }
                }
                break;
            case CACHET_DOMSEC_ROLE_REVIEW:
                name = "review-authority";
                CHECK((t & CACHET_SIGTYPE_REVIEW) && !(t & CACHET_SIGTYPE_DOMAIN) &&
                      !(t & CACHET_SIGTYPE_UNKNOWN) && !(t & CACHET_SIGTYPE_ADD_ATTRIB));
                break;
            case CACHET_DOMSEC_ROLE_ATTRIBUTES:
                name = "attribute-authority";
                CHECK(t == CACHET_SIGTYPE_ADD_ATTRIB);
                break;
            case CACHET_DOMSEC_ROLE_ORIGINATOR:
                CHECK(s.types == T_NONE || t == CACHET_SIGTYPE_ORIGINATOR);
                CHECK(s.num_cns != 1 || t_ci_eq(s.cn, "Bob"));
                for (size_t i = 0; i < ne; i++) {
                    CHECK(t_local_is(s.emails[i], "bob"));
                }
                break;
            case CACHET_DOMSEC_ROLE_FLAGGED:
                CHECK(out.why[0] != '\0');
                break;
        }
        if (name != NULL) {
            CHECK(s.num_cns == 1 && t_ci_eq(s.cn, name));
            for (size_t i = 0; i < ne; i++) {
                CHECK(t_local_is(s.emails[i], name));
            }
            CHECK_STR(out.why, "");
        }
    }
    /* the pools reach every role */
    for (size_t i = 0; i < 5; i++) {
        CHECK(roles[i] > 0);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(classify_properties_over_random_signers),
    TEST_CASE(classify_follows_rfc3183_naming_and_mapping),
    TEST_CASE(classify_valid_needs_signature_and_trusted_chain),
    TEST_CASE(classify_null_signer_is_flagged),
    TEST_CASE(ascendant_is_by_whole_labels),
    TEST_CASE(domain_of_takes_the_part_after_the_last_at),
    TEST_CASE(authority_address_lower_cases_the_domain),
    TEST_CASE(role_names_are_stable),
};
TEST_MAIN(tests)
