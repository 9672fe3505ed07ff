/* authres: the Authentication-Results value (RFC 8601 §2.2, RFC 7281 smime),
 * its sanitising and folding (ATTACKS GW-06), recognising a forged field with
 * our authserv-id (RFC 8601 §5), and the entries made from a domsec verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/authres.h"
#include "testlib.h"

#define AR_NAME_COLS 24 /* "Authentication-Results: " */

/* The value is one header field: printable ASCII, and CR only as our folding,
 * CR LF TAB between parts or CR LF before a space inside a quoted-string or
 * comment; no line reaches 78 columns (a TAB counted as 8) unless it holds a
 * run too long to fold. Returns false and says why otherwise. */
static bool t_well_folded(const char *v, bool allow_long) {
    size_t col = AR_NAME_COLS;
    for (const char *p = v; *p != '\0'; p++) {
        if (*p == '\r') {
            if (p[1] != '\n' || (p[2] != '\t' && p[2] != ' ')) {
                fprintf(stderr, "CR not followed by LF and WSP at %zu\n", (size_t)(p - v));
                return false;
            }
            if (p[2] == '\t') {
                p += 2;
                col = 8;
            } else {
                p += 1;
                col = 0;
            }
            continue;
        }
        if (*p == '\n' || *p == '\t' || (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
            fprintf(stderr, "byte 0x%02x at %zu\n", (unsigned char)*p, (size_t)(p - v));
            return false;
        }
        col++;
        if (col >= 78 && !allow_long) {
            fprintf(stderr, "line reaches column %zu at %zu\n", col, (size_t)(p - v));
            return false;
        }
    }
    return true;
}

static void value_single_pass_exact(void) {
    char out[1024];
    cachetd_ar_entry e = {CACHETD_AR_PASS, NULL, "domain-signing-authority@a.example", "1",
                          "domain"};
    CHECK(cachetd_authres_value(out, sizeof(out), "mx.a.example", &e, 1));
    CHECK_STR(out, "mx.a.example;\r\n"
                   "\tsmime=pass (domain signature)\r\n"
                   "\tbody.smime-identifier=domain-signing-authority@a.example\r\n"
                   "\tbody.smime-part=1");
    CHECK(t_well_folded(out, false));
}

static void value_short_parts_share_a_line(void) {
    char out[1024];
    cachetd_ar_entry e = {CACHETD_AR_NEUTRAL, "untrusted", "a@b.example", "2", NULL};
    CHECK(cachetd_authres_value(out, sizeof(out), "mx", &e, 1));
    CHECK_STR(out, "mx;\r\n\tsmime=neutral reason=untrusted body.smime-identifier=a@b.example\r\n"
                   "\tbody.smime-part=2");
    CHECK(t_well_folded(out, false));
}

static void value_without_entries_is_none(void) {
    char out[64];
    CHECK(cachetd_authres_value(out, sizeof(out), "mx.a.example", NULL, 0));
    CHECK_STR(out, "mx.a.example; none");
    cachetd_ar_entry e = {CACHETD_AR_NONE, NULL, NULL, NULL, NULL};
    CHECK(cachetd_authres_value(out, sizeof(out), "mx.a.example", &e, 1));
    CHECK_STR(out, "mx.a.example;\r\n\tsmime=none");
}

static void value_uses_rfc7281_result_names(void) {
    static const struct {
        cachetd_ar_result r;
        const char *name;
    } cases[] = {
        {CACHETD_AR_NONE, "none"},           {CACHETD_AR_PASS, "pass"},
        {CACHETD_AR_FAIL, "fail"},           {CACHETD_AR_NEUTRAL, "neutral"},
        {CACHETD_AR_POLICY, "policy"},       {CACHETD_AR_TEMPERROR, "temperror"},
        {CACHETD_AR_PERMERROR, "permerror"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_STR(cachetd_ar_result_name(cases[i].r), cases[i].name);
        char out[128], want[128];
        cachetd_ar_entry e = {cases[i].r, NULL, NULL, NULL, NULL};
        CHECK(cachetd_authres_value(out, sizeof(out), "mx", &e, 1));
        snprintf(want, sizeof(want), "mx;\r\n\tsmime=%s", cases[i].name);
        CHECK_STR(out, want);
    }
}

static void value_several_entries_are_separated_by_semicolons(void) {
    char out[1024];
    cachetd_ar_entry e[3] = {
        {CACHETD_AR_PASS, NULL, "domain-signing-authority@a.example", NULL, "domain"},
        {CACHETD_AR_PASS, NULL, "review-authority@a.example", NULL, "review"},
        {CACHETD_AR_PASS, NULL, "alice@a.example", "1.1", "originator"},
    };
    CHECK(cachetd_authres_value(out, sizeof(out), "mx.a.example", e, 3));
    CHECK_STR(out, "mx.a.example;\r\n"
                   "\tsmime=pass (domain signature)\r\n"
                   "\tbody.smime-identifier=domain-signing-authority@a.example;\r\n"
                   "\tsmime=pass (review signature)\r\n"
                   "\tbody.smime-identifier=review-authority@a.example;\r\n"
                   "\tsmime=pass (originator signature)\r\n"
                   "\tbody.smime-identifier=alice@a.example body.smime-part=1.1");
    CHECK(t_well_folded(out, false));
}

static void value_quotes_what_is_not_a_token_or_address(void) {
    static const struct {
        const char *reason, *identifier, *part;
        const char *want; /* substring */
    } cases[] = {
        {"bad signature", NULL, NULL, "reason=\"bad signature\""},
        {"say \"hi\" \\ bye", NULL, NULL, "reason=\"say \\\"hi\\\" \\\\ bye\""},
        {"expired", NULL, NULL, "reason=expired"},
        {"a;b", NULL, NULL, "reason=\"a;b\""},
        {"=?utf-8?q?verified?=", NULL, NULL, "reason=\"=?utf-8?q?verified?=\""},
        {NULL, "alice@a.example", NULL, "body.smime-identifier=alice@a.example"},
        {NULL, "first.last+tag@sub.a-b.example", NULL,
         "body.smime-identifier=first.last+tag@sub.a-b.example"},
        {NULL, "a b@a.example", NULL, "body.smime-identifier=\"a b@a.example\""},
        {NULL, "a..b@a.example", NULL, "body.smime-identifier=\"a..b@a.example\""},
        {NULL, "alice@-bad.example", NULL, "body.smime-identifier=\"alice@-bad.example\""},
        {NULL, "alice@a.example;x=y", NULL, "body.smime-identifier=\"alice@a.example;x=y\""},
        {NULL, "noat", NULL, "body.smime-identifier=noat"},
        {NULL, NULL, "1.2.3", "body.smime-part=1.2.3"},
        {NULL, NULL, "1/2", "body.smime-part=\"1/2\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[1024];
        cachetd_ar_entry e = {CACHETD_AR_FAIL, cases[i].reason, cases[i].identifier, cases[i].part,
                              NULL};
        CHECK(cachetd_authres_value(out, sizeof(out), "mx", &e, 1));
        if (strstr(out, cases[i].want) == NULL) {
            fprintf(stderr, "case %zu: [%s] lacks [%s]\n", i, out, cases[i].want);
        }
        CHECK(strstr(out, cases[i].want) != NULL);
        CHECK(t_well_folded(out, false));
    }
}

static void value_drops_empty_properties(void) {
    char out[256];
    cachetd_ar_entry e = {CACHETD_AR_PASS, "", "\r\n", "", ""};
    CHECK(cachetd_authres_value(out, sizeof(out), "mx", &e, 1));
    CHECK_STR(out, "mx;\r\n\tsmime=pass");
}

/* GW-06 (b): a signer CN or address crafted to inject a header line. */
static void value_never_lets_input_break_the_header(void) {
    static const char *const evil[] = {
        "Eve\r\nX-Gateway-SMIME: verified",
        "Eve\nX-Gateway-SMIME: verified",
        "Eve\rX-Gateway-SMIME: verified",
        "Eve\r\n\tcontinued\r\n",
        "\x01\x02\x1b[31mred\x7f",
        "caf\xc3\xa9 \xe2\x80\x8b zero-width",
        "close) (comment",
    };
    for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
        char out[2048];
        cachetd_ar_entry e = {CACHETD_AR_FAIL, evil[i], evil[i], evil[i], evil[i]};
        CHECK(cachetd_authres_value(out, sizeof(out), "mx.a.example", &e, 1));
        CHECK(t_well_folded(out, true));
        /* the only header is ours: no line starts with anything but TAB after the first */
        for (const char *p = strstr(out, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
            CHECK(p[2] == '\t' || p[2] == ' ');
        }
        /* and the injected text is inside a quoted-string */
        const char *x = strstr(out, "X-Gateway-SMIME");
        if (x != NULL) {
            CHECK(strstr(out, "reason=\"EveX-Gateway-SMIME: verified\"") != NULL);
            CHECK(strstr(out, "body.smime-identifier=\"EveX-Gateway-SMIME: verified\"") != NULL);
        }
        CHECK(cachetd_authres_claims_id(out, "mx.a.example"));
    }
    char out[2048];
    cachetd_ar_entry e = {CACHETD_AR_FAIL, NULL, NULL, NULL, "x(y)\\z"};
    CHECK(cachetd_authres_value(out, sizeof(out), "mx", &e, 1));
    CHECK_STR(out, "mx;\r\n\tsmime=fail (xyz signature)");
    e.role = "caf\xc3\xa9";
    CHECK(cachetd_authres_value(out, sizeof(out), "mx", &e, 1));
    CHECK_STR(out, "mx;\r\n\tsmime=fail (caf signature)");
}

static void value_caps_each_interpolated_value(void) {
    char *big = malloc(10241);
    CHECK(big != NULL);
    if (big == NULL) {
        return;
    }
    memset(big, 'A', 10240);
    big[10240] = '\0';
    big[5] = ' '; /* forces quoting */
    char out[4096];
    cachetd_ar_entry e = {CACHETD_AR_FAIL, big, NULL, NULL, NULL};
    CHECK(cachetd_authres_value(out, sizeof(out), "mx", &e, 1));
    const char *q = strstr(out, "reason=\"");
    CHECK(q != NULL);
    if (q != NULL) {
        const char *end = strchr(q + 8, '"');
        CHECK(end != NULL);
        /* 200 bytes of content, plus the CRLF of one fold before its space */
        CHECK_EQ_INT(end - (q + 8), 200 + 2);
        CHECK(strncmp(q, "reason=\"AAAAA\r\n AAAA", 20) == 0);
    }
    CHECK(t_well_folded(out, true));
    CHECK(strlen(out) < 300);
    /* a token of 10 KB is capped too */
    big[5] = 'A';
    e.reason = NULL;
    e.identifier = big;
    CHECK(cachetd_authres_value(out, sizeof(out), "mx", &e, 1));
    CHECK_STR(strstr(out, "body.smime-identifier=") + 22 + 200, "");
    free(big);
}

static void value_folds_long_entries_under_78_columns(void) {
    uint32_t seed = 12345;
    for (int round = 0; round < 200; round++) {
        cachetd_ar_entry e[4];
        char ids[4][48], reasons[4][48];
        size_t n = 1 + cachet_test_rand(&seed) % 4;
        for (size_t i = 0; i < n; i++) {
            size_t l1 = 1 + cachet_test_rand(&seed) % 25, l2 = cachet_test_rand(&seed) % 40;
            memset(ids[i], 'a' + (char)(i), l1);
            snprintf(ids[i] + l1, sizeof(ids[i]) - l1, "@x%u.example", round);
            memset(reasons[i], 'r', l2);
            reasons[i][l2] = '\0';
            if (l2 > 3) {
                reasons[i][l2 / 2] = ' ';
            }
            e[i] =
                (cachetd_ar_entry){(cachetd_ar_result)(cachet_test_rand(&seed) % 7), reasons[i],
                                   ids[i], round % 2 ? "1.2" : NULL, round % 3 ? "domain" : NULL};
        }
        char out[4096];
        CHECK(cachetd_authres_value(out, sizeof(out), "mx.a.example", e, n));
        CHECK(t_well_folded(out, false));
        CHECK(cachetd_authres_claims_id(out, "mx.a.example"));
    }
}

/* Unfolding (removing each CRLF) gives back the text that was folded. */
static void value_folds_long_quoted_reason_reversibly(void) {
    const char *reason = "domain-signing-authority@evil.example is not the originator's domain "
                         "a.example or an ascendant of it (RFC 3183 3.1.1), and then some more "
                         "words so that it takes three lines";
    cachetd_ar_entry e = {CACHETD_AR_FAIL, reason, "domain-signing-authority@evil.example", "1",
                          "flagged"};
    char out[1024], unfolded[1024];
    CHECK(cachetd_authres_value(out, sizeof(out), "mx.b.example", &e, 1));
    CHECK(t_well_folded(out, false));
    size_t k = 0, lines = 1;
    for (const char *p = out; *p != '\0'; p++) {
        if (p[0] == '\r' && p[1] == '\n') {
            p++;
            lines++;
            continue;
        }
        unfolded[k++] = *p;
    }
    unfolded[k] = '\0';
    CHECK(lines >= 5);
    char want[512];
    snprintf(want, sizeof(want), "reason=\"%s\"", reason);
    CHECK(strstr(unfolded, want) != NULL);
    CHECK_STR(unfolded, "mx.b.example;\tsmime=fail (flagged signature)\t"
                        "reason=\"domain-signing-authority@evil.example is not the originator's "
                        "domain a.example or an ascendant of it (RFC 3183 3.1.1), and then some "
                        "more words so that it takes three lines\"\t"
                        "body.smime-identifier=domain-signing-authority@evil.example\t"
                        "body.smime-part=1");
}

static void value_reports_too_small_a_buffer(void) {
    cachetd_ar_entry e = {CACHETD_AR_PASS, NULL, "alice@a.example", "1", "originator"};
    char full[512];
    CHECK(cachetd_authres_value(full, sizeof(full), "mx.a.example", &e, 1));
    size_t need = strlen(full) + 1;
    char *exact = malloc(need);
    CHECK(exact != NULL);
    if (exact == NULL) {
        return;
    }
    CHECK(cachetd_authres_value(exact, need, "mx.a.example", &e, 1));
    CHECK_STR(exact, full);
    CHECK(!cachetd_authres_value(exact, need - 1, "mx.a.example", &e, 1));
    CHECK_STR(exact, "");
    free(exact);
    char small[4];
    CHECK(!cachetd_authres_value(small, sizeof(small), "mx.a.example", NULL, 0));
    CHECK(!cachetd_authres_value(full, 0, "mx.a.example", NULL, 0));
}

static void value_needs_an_authserv_id(void) {
    char out[128];
    CHECK(!cachetd_authres_value(out, sizeof(out), "", NULL, 0));
    CHECK(!cachetd_authres_value(out, sizeof(out), NULL, NULL, 0));
    CHECK(!cachetd_authres_value(out, sizeof(out), "\r\n", NULL, 0));
    CHECK(!cachetd_authres_value(out, sizeof(out), "mx", NULL, 1));
    CHECK(cachetd_authres_value(out, sizeof(out), "mx a", NULL, 0));
    CHECK_STR(out, "\"mx a\"; none");
    CHECK(cachetd_authres_value(out, sizeof(out), "mx\r\n.a.example", NULL, 0));
    CHECK_STR(out, "mx.a.example; none");
}

static void claims_id_recognises_ours_in_every_spelling(void) {
    static const struct {
        const char *value;
        bool want;
    } cases[] = {
        {"mx.a.example; smime=pass", true},
        {"MX.A.Example; none", true},
        {"mx.a.example;none", true},
        {"  mx.a.example ; none", true},
        {"\tmx.a.example\r\n\t; none", true},
        {"\r\n\tmx.a.example;\r\n\tsmime=pass", true},
        {"(comment) mx.a.example; none", true},
        {"(nested (comment\\) here) ok) mx.a.example; none", true},
        {"(a)(b) mx.a.example; none", true},
        {"mx.a.example 1; none", true},
        {"mx.a.example (v) 1 ; none", true},
        {"mx.a.example(c); none", true},
        {"\"mx.a.example\"; none", true},
        {"\"MX.a.\\example\"; none", true},
        {"mx.a.example.; none", true},
        {"mx.a.example", true},
        {"mx.a.example.evil; none", false},
        {"evil.mx.a.example; none", false},
        {"mx.a.exampl; none", false},
        {"mx-a.example; none", false},
        {"x.example; smime=pass body.smime-identifier=mx.a.example", false},
        {"x.example (mx.a.example); none", false},
        {"(mx.a.example) x.example; none", false},
        {"\"mx.a.example x\"; none", false},
        {"", false},
        {"   ", false},
        {"; none", false},
        {"(unterminated mx.a.example; none", false},
        {"\"mx.a.example; none", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = cachetd_authres_claims_id(cases[i].value, "mx.a.example");
        if (got != cases[i].want) {
            fprintf(stderr, "claims case %zu [%s]: %d\n", i, cases[i].value, got);
        }
        CHECK_EQ_INT(got, cases[i].want);
    }
    CHECK(cachetd_authres_claims_id("mx.a.example; none", "mx.a.example."));
    CHECK(!cachetd_authres_claims_id("mx.a.example; none", ""));
    CHECK(!cachetd_authres_claims_id(NULL, "mx.a.example"));
    CHECK(!cachetd_authres_claims_id("mx.a.example; none", NULL));
}

static void claims_id_survives_deep_comments(void) {
    char v[4096];
    size_t n = 0;
    for (int i = 0; i < 1000; i++) {
        v[n++] = '(';
    }
    for (int i = 0; i < 1000; i++) {
        v[n++] = ')';
    }
    snprintf(v + n, sizeof(v) - n, " mx.a.example; none");
    CHECK(!cachetd_authres_claims_id(v, "mx.a.example")); /* too deep to trust: not parsed */
    n = 0;
    for (int i = 0; i < 10; i++) {
        v[n++] = '(';
    }
    for (int i = 0; i < 10; i++) {
        v[n++] = ')';
    }
    snprintf(v + n, sizeof(v) - n, " mx.a.example; none");
    CHECK(cachetd_authres_claims_id(v, "mx.a.example"));
}

/* A report with one signer per signed layer, for the entries. */
typedef struct t_rep {
    cachet_report rep;
    cachet_layer_report layers[40];
    cachet_signer_report signers[40];
    char *emails[40][1];
} t_rep;

static void t_rep_add(t_rep *r, const char *email, const char *cn, unsigned types, bool valid,
                      cachet_chain_status chain, const char *part) {
    size_t k = r->rep.num_layers++;
    cachet_layer_report *l = &r->layers[k];
    cachet_signer_report *s = &r->signers[k];
    memset(l, 0, sizeof(*l));
    memset(s, 0, sizeof(*s));
    l->type = CACHET_LAYER_SIGNED;
    snprintf(l->part, sizeof(l->part), "%s", part);
    l->signers = s;
    l->num_signers = 1;
    r->emails[k][0] = (char *)email;
    s->emails = r->emails[k];
    s->num_emails = 1;
    snprintf(s->common_name, sizeof(s->common_name), "%s", cn);
    s->num_common_names = 1;
    s->has_signature_type = types != 0;
    s->signature_types = types;
    s->signature_valid = valid;
    if (!valid) {
        snprintf(s->signature_detail, sizeof(s->signature_detail), "message digest mismatch");
    }
    s->chain = chain;
    if (chain != CACHET_CHAIN_TRUSTED) {
        snprintf(s->chain_detail, sizeof(s->chain_detail), "no path to a trust anchor");
    }
    s->address_match = -1;
}

static void from_domsec_one_entry_per_signer(void) {
    static t_rep r;
    memset(&r, 0, sizeof(r));
    r.rep.layers = r.layers;
    snprintf(r.rep.from, sizeof(r.rep.from), "alice@a.example");
    t_rep_add(&r, "domain-signing-authority@a.example", "domain-signing-authority",
              CACHET_SIGTYPE_DOMAIN, true, CACHET_CHAIN_TRUSTED, "");
    t_rep_add(&r, "domain-signing-authority@evil.example", "domain-signing-authority",
              CACHET_SIGTYPE_DOMAIN, true, CACHET_CHAIN_TRUSTED, "1");
    t_rep_add(&r, "review-authority@a.example", "review-authority", CACHET_SIGTYPE_REVIEW, true,
              CACHET_CHAIN_UNTRUSTED, "1.1");
    t_rep_add(&r, "alice@a.example", "Alice", 0, false, CACHET_CHAIN_TRUSTED, "1.1.1");
    cachet_domsec_result ds;
    cachet_domsec_evaluate(&r.rep, NULL, CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
    cachetd_ar_entry e[8];
    size_t n = cachetd_authres_from_domsec(&ds, &r.rep, e, 8);
    CHECK_EQ_INT(n, 4);
    CHECK_EQ_INT(e[0].result, CACHETD_AR_PASS);
    CHECK(e[0].reason == NULL);
    CHECK_STR(e[0].identifier, "domain-signing-authority@a.example");
    CHECK(e[0].part == NULL);
    CHECK_STR(e[0].role, "domain");
    CHECK_EQ_INT(e[1].result, CACHETD_AR_FAIL);
    CHECK_STR(e[1].role, "flagged");
    CHECK(e[1].reason != NULL && strstr(e[1].reason, "is not the originator's domain") != NULL);
    CHECK_STR(e[1].part, "1");
    CHECK_EQ_INT(e[2].result, CACHETD_AR_NEUTRAL);
    CHECK_STR(e[2].role, "review");
    CHECK_STR(e[2].reason, "no path to a trust anchor");
    CHECK_EQ_INT(e[3].result, CACHETD_AR_FAIL);
    CHECK_STR(e[3].role, "originator");
    CHECK_STR(e[3].reason, "message digest mismatch");
    CHECK_STR(e[3].identifier, "alice@a.example");

    char out[2048];
    CHECK(cachetd_authres_value(out, sizeof(out), "mx.b.example", e, n));
    CHECK(t_well_folded(out, false));
    CHECK(strstr(out, "smime=pass (domain signature)\r\n\tbody.smime-identifier="
                      "domain-signing-authority@a.example;") != NULL);
    CHECK(strstr(out, "smime=fail (flagged signature)") != NULL);
    CHECK(strstr(out, "smime=neutral (review signature)") != NULL);

    /* |max| is respected */
    CHECK_EQ_INT(cachetd_authres_from_domsec(&ds, &r.rep, e, 2), 2);
    CHECK_EQ_INT(cachetd_authres_from_domsec(&ds, &r.rep, e, 0), 0);
}

static void from_domsec_unsigned_is_none(void) {
    cachetd_ar_entry e[2];
    memset(e, 0x5a, sizeof(e));
    CHECK_EQ_INT(cachetd_authres_from_domsec(NULL, NULL, e, 2), 1);
    CHECK_EQ_INT(e[0].result, CACHETD_AR_NONE);
    CHECK(e[0].reason == NULL && e[0].identifier == NULL && e[0].part == NULL && e[0].role == NULL);
    static t_rep r;
    memset(&r, 0, sizeof(r));
    r.rep.layers = r.layers;
    r.rep.num_layers = 1;
    r.layers[0].type = CACHET_LAYER_SIGNED; /* the empty signature layer */
    cachet_domsec_result ds;
    cachet_domsec_evaluate(&r.rep, "a@a.example", CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
    CHECK_EQ_INT(cachetd_authres_from_domsec(&ds, &r.rep, e, 2), 1);
    CHECK_EQ_INT(e[0].result, CACHETD_AR_NONE);
    char out[128];
    CHECK(cachetd_authres_value(out, sizeof(out), "mx", e, 1));
    CHECK_STR(out, "mx;\r\n\tsmime=none");
}

static void from_domsec_reports_unclassified_signers(void) {
    static t_rep r;
    memset(&r, 0, sizeof(r));
    r.rep.layers = r.layers;
    for (int i = 0; i < 34; i++) {
        t_rep_add(&r, "alice@a.example", "Alice", 0, true, CACHET_CHAIN_TRUSTED, "");
    }
    cachet_domsec_result ds;
    cachet_domsec_evaluate(&r.rep, "alice@a.example", CACHET_DOMSEC_MAPPING_ASCENDANT, &ds);
    static cachetd_ar_entry e[40];
    size_t n = cachetd_authres_from_domsec(&ds, &r.rep, e, 40);
    CHECK_EQ_INT(n, 33);
    CHECK_EQ_INT(e[32].result, CACHETD_AR_FAIL);
    CHECK(e[32].reason != NULL && strstr(e[32].reason, "more signers") != NULL);
}

/* Random bytes (1..255) in every interpolated field: the value is always one
 * well-formed field that still names our authserv-id, and claims_id never
 * reads past a random value. */
static void value_and_claims_survive_random_bytes(void) {
    uint32_t seed = 8601;
    for (int round = 0; round < 3000; round++) {
        char f[4][300];
        for (size_t k = 0; k < 4; k++) {
            size_t len = cachet_test_rand(&seed) % (k == 0 ? 299 : 80);
            for (size_t i = 0; i < len; i++) {
                f[k][i] = (char)(1 + cachet_test_rand(&seed) % 255);
            }
            f[k][len] = '\0';
        }
        cachetd_ar_entry e[2] = {
            {(cachetd_ar_result)(cachet_test_rand(&seed) % 7), f[0], f[1], f[2], f[3]},
            {CACHETD_AR_PASS, f[3], f[2], f[1], f[0]},
        };
        char out[4096];
        CHECK(cachetd_authres_value(out, sizeof(out), "mx.a.example", e, 2));
        CHECK(t_well_folded(out, true));
        CHECK(cachetd_authres_claims_id(out, "mx.a.example"));
        CHECK(!cachetd_authres_claims_id(out, "mx.b.example"));
        /* and as the header value of a forged field */
        (void)cachetd_authres_claims_id(f[0], "mx.a.example");
        /* exactly two resinfo: ';' appears twice outside quoted-strings and comments */
        size_t semis = 0;
        bool quoted = false;
        int depth = 0;
        for (const char *p = out; *p != '\0'; p++) {
            if (*p == '\\' && (quoted || depth > 0)) {
                p++;
            } else if (*p == '"' && depth == 0) {
                quoted = !quoted;
            } else if (!quoted && *p == '(') {
                depth++;
            } else if (!quoted && *p == ')') {
                depth--;
            } else if (!quoted && depth == 0 && *p == ';') {
                semis++;
            }
        }
        CHECK_EQ_INT(semis, 2);
        CHECK(!quoted && depth == 0);
    }
}

static const cachet_test_case tests[] = {
    TEST_CASE(value_and_claims_survive_random_bytes),
    TEST_CASE(value_single_pass_exact),
    TEST_CASE(value_short_parts_share_a_line),
    TEST_CASE(value_without_entries_is_none),
    TEST_CASE(value_uses_rfc7281_result_names),
    TEST_CASE(value_several_entries_are_separated_by_semicolons),
    TEST_CASE(value_quotes_what_is_not_a_token_or_address),
    TEST_CASE(value_drops_empty_properties),
    TEST_CASE(value_never_lets_input_break_the_header),
    TEST_CASE(value_caps_each_interpolated_value),
    TEST_CASE(value_folds_long_entries_under_78_columns),
    TEST_CASE(value_folds_long_quoted_reason_reversibly),
    TEST_CASE(value_reports_too_small_a_buffer),
    TEST_CASE(value_needs_an_authserv_id),
    TEST_CASE(claims_id_recognises_ours_in_every_spelling),
    TEST_CASE(claims_id_survives_deep_comments),
    TEST_CASE(from_domsec_one_entry_per_signer),
    TEST_CASE(from_domsec_unsigned_is_none),
    TEST_CASE(from_domsec_reports_unclassified_signers),
};
TEST_MAIN(tests)
