/* cachetd_process applies the [limits] of cachetd.conf: a message within them
 * verifies as before; one over them is never a pass: a malformed message
 * (Authentication-Results permerror, the limit in the log line), or for a limit
 * of one signature (attribute_bytes), that signature fails naming it. */
#include "test_gateway_process_util.h"

#define ALICE "alice@a.example"
#define BOB "bob@b.example"

/* at_b processes |msg| at b.example's gateway with |conf| after [cachetd]. */
static bool at_b(const char *conf, const cachet_membuf *msg, cachetd_result *out) {
    const char *keys[] = {"dsa-b", "dca-b", NULL};
    char url[512];
    if (!make_store(keys, NULL, url, sizeof(url))) {
        return false;
    }
    cachetd_config *cfg = make_config(url, "mx.b.example", conf);
    bool ok =
        cfg != NULL && process(cfg, ALICE, BOB, "198.51.100.9", NULL, msg->data, msg->len, out);
    cachetd_config_free(cfg);
    return ok;
}

/* signed_twice: PLAIN_MSG signed by alice (one layer), and that signed again (two). */
static bool signed_twice(cachet_membuf *one, cachet_membuf *two) {
    if (!sign_msg("alice", 0, PLAIN_MSG, one)) {
        return false;
    }
    char *text = malloc(one->len + 1);
    if (text == NULL) {
        return false;
    }
    memcpy(text, one->data, one->len);
    text[one->len] = '\0';
    bool ok = sign_msg("alice", 0, text, two);
    free(text);
    return ok;
}

static void limits_of_the_configuration_decide_at_and_past(void) {
    REQUIRE_PKI();
    cachet_membuf one, two;
    memset(&two, 0, sizeof(two));
    CHECK(signed_twice(&one, &two));
    static const struct {
        const char *conf;
        bool two_layers;
        const char *ar;      /* expected in Authentication-Results */
        const char *summary; /* expected in the log line */
    } cases[] = {
        {"[domain b.example]\n", true, "smime=pass", "result=pass"},
        {"[limits]\nlayers = 2\n[domain b.example]\n", true, "smime=pass", "result=pass"},
        /* a whole message over a limit is malformed, and the log says which */
        {"[limits]\nlayers = 1\n[domain b.example]\n", true, "smime=permerror",
         "result=malformed delivery=deliver reason=\"more than 1 nested S/MIME layers"},
        {"[limits]\nlayers = 1\n[domain b.example]\n", false, "smime=pass", "result=pass"},
        /* alice's signature carries her certificate only: at the limit */
        {"[limits]\ncertificates = 1\n[domain b.example]\n", false, "smime=pass", "result=pass"},
        /* a limit of one signature fails that signature, naming the limit */
        {"[limits]\nattribute_bytes = 1\n[domain b.example]\n", false, "smime=fail",
         "result=fail signer=- role=originator delivery=deliver reason=\"signature: signedAttrs "
         "of "},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachetd_result r;
        CHECK(at_b(cases[i].conf, cases[i].two_layers ? &two : &one, &r));
        if (!contains(r.authres, cases[i].ar) || !contains(r.summary, cases[i].summary)) {
            fprintf(stderr, "case %zu: authres \"%s\" summary \"%s\"\n", i, r.authres, r.summary);
            cachet_test_failures++;
        }
        CHECK(contains(cases[i].ar, "pass") == contains(r.authres, "smime=pass"));
        CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
        cachetd_result_clear(&r);
    }
    cachet_membuf_free(&one);
    cachet_membuf_free(&two);
}

static const cachet_test_case tests[] = {
    TEST_CASE(limits_of_the_configuration_decide_at_and_past),
};
TEST_MAIN(tests)
