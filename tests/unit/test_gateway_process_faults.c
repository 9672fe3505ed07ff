/* GW-09: an allocation failing anywhere inside cachetd_process never lets a
 * message through half-processed. Outbound: TEMPFAIL, or a message that is
 * domain-signed and encrypted to the recipient. Inbound: TEMPFAIL, or a message
 * with an Authentication-Results value that never claims more than was done. */
#include "test_gateway_process_util.h"

#define BOB "bob@b.example"

/* run_with_failure processes with the |n|th cachet allocation failing; true
 * when the call ended before reaching it (nothing was injected). */
static bool run_with_failure(const cachetd_config *cfg, const cachetd_keys *keys,
                             const uint8_t *msg, size_t len, unsigned long n, cachetd_result *out) {
    const char *rcpts[1] = {BOB};
    cachetd_envelope env = {
        .queue_id = "F",
        .sender = "alice@a.example",
        .recipients = rcpts,
        .num_recipients = 1,
        .client_addr = "127.0.0.1",
    };
    memset(out, 0, sizeof(*out));
    cachet_alloc_fail_after(n);
    cachetd_process(cfg, keys, &env, msg, len, out);
    /* Still pending: one of the next allocations fails. */
    bool pending = false;
    for (unsigned long i = 0; i < n && !pending; i++) {
        void *p = cachet_malloc(1);
        pending = p == NULL;
        cachet_free(p);
    }
    cachet_alloc_fail_after(0);
    return pending;
}

/* The points tried: every one of the first 400, then every 7th (the calls
 * make a few thousand allocations; stepping keeps the test quick). */
static unsigned long next_point(unsigned long n) {
    return n < 400 ? n + 1 : n + 7;
}

static void outbound_never_sends_half_processed_mail(void) {
    REQUIRE_PKI();
    const char *keys[] = {"dsa-a", "dca-a", NULL};
    const char *certs[] = {"bob", NULL};
    char url[512], err[512] = "";
    CHECK(make_store(keys, certs, url, sizeof(url)));
    cachetd_config *cfg = make_config(url, "mx.a.example",
                                      "[domain a.example]\n[partner b.example]\n"
                                      "encryption = required\n");
    cachetd_keys *k = cfg != NULL ? cachetd_keys_load(cfg, err, sizeof(err)) : NULL;
    CHECK(k != NULL);
    size_t tempfails = 0, complete = 0;
    bool reached_end = false;
    for (unsigned long n = 1; k != NULL && n < 100000 && !reached_end; n = next_point(n)) {
        cachetd_result r;
        reached_end =
            run_with_failure(cfg, k, (const uint8_t *)PLAIN_MSG, strlen(PLAIN_MSG), n, &r);
        if (r.verdict == CACHETD_TEMPFAIL) {
            tempfails++;
            CHECK(!r.replaced && r.new_message.data == NULL);
            CHECK(strcmp(r.smtp_rcode, "451") == 0);
        } else {
            complete++;
            CHECK_EQ_INT(r.verdict, CACHETD_CONTINUE);
            CHECK(r.replaced);
            cachet_status st;
            cachet_report *rep =
                verify_msg("bob", r.new_message.data, r.new_message.len, &st, NULL);
            /* Encrypted to bob, around one valid signature by the domain's
             * authority: an allocation failing while signing must fail the
             * signing, never produce a signature that does not verify (this
             * once happened: a failed certificate hash wrote zeros into
             * signingCertificateV2). */
            const cachet_layer_report *l = rep != NULL && rep->num_layers == 2 ? rep->layers : NULL;
            if (l == NULL || l[0].type != CACHET_LAYER_ENVELOPED ||
                l[1].type != CACHET_LAYER_SIGNED || l[1].num_signers != 1 ||
                !l[1].signers[0].signature_valid ||
                strstr(l[1].signers[0].subject, "CN=domain-signing-authority") == NULL) {
                fprintf(stderr, "allocation %lu: passed without signature and encryption (%s)\n", n,
                        r.summary);
                cachet_test_failures++;
            }
            cachet_report_free(rep);
        }
        cachetd_result_clear(&r);
    }
    CHECK(reached_end);
    CHECK(tempfails > 10);
    CHECK(complete > 0);
    cachetd_keys_free(k);
    cachetd_config_free(cfg);
}

/* delivered_sanely: what GW-09 asks of a message that goes on. It always carries
 * an Authentication-Results value; decrypted content is complete, never cut
 * short; and "pass" is only said of a message that was decrypted and read whole.
 * (The operations report a failure after an allocation failed as
 * CACHET_ERR_NOMEM, which cachetd answers with a tempfail; a failure inside a
 * step that reports no status of its own may still show as another result, so
 * a delivered message is allowed, never with a pass.) */
static bool delivered_sanely(const cachetd_result *r) {
    if (r->verdict != CACHETD_CONTINUE || r->authres[0] == '\0') {
        return false;
    }
    bool whole = r->replaced && mem_contains(r->new_message.data, r->new_message.len,
                                             "Hello Bob.\r\nThe numbers are fine.\r\n");
    if (r->replaced && !whole) {
        return false;
    }
    return !contains(r->authres, "smime=pass") || whole;
}

static void inbound_never_delivers_half_processed_mail(void) {
    REQUIRE_PKI();
    /* The input: alice's mail through a.example's gateway, to b.example's DCA. */
    const char *akeys[] = {"dsa-a", NULL};
    const char *acerts[] = {"dca-b", NULL};
    char url[512], err[512] = "";
    CHECK(make_store(akeys, acerts, url, sizeof(url)));
    cachetd_config *acfg = make_config(url, "mx.a.example", "[domain a.example]\n");
    cachetd_result in;
    CHECK(acfg != NULL && process(acfg, "alice@a.example", BOB, "127.0.0.1", NULL,
                                  (const uint8_t *)PLAIN_MSG, strlen(PLAIN_MSG), &in));
    cachetd_config_free(acfg);
    CHECK(in.replaced);
    const char *bkeys[] = {"dsa-b", "dca-b", NULL};
    CHECK(make_store(bkeys, NULL, url, sizeof(url)));
    cachetd_config *cfg = make_config(url, "mx.b.example", "[domain b.example]\n");
    cachetd_keys *k = cfg != NULL ? cachetd_keys_load(cfg, err, sizeof(err)) : NULL;
    CHECK(k != NULL);
    size_t tempfails = 0, complete = 0;
    bool reached_end = false;
    for (unsigned long n = 1; k != NULL && in.replaced && n < 100000 && !reached_end;
         n = next_point(n)) {
        cachetd_result r;
        reached_end = run_with_failure(cfg, k, in.new_message.data, in.new_message.len, n, &r);
        if (r.verdict == CACHETD_TEMPFAIL) {
            tempfails++;
            CHECK(!r.replaced && r.new_message.data == NULL);
        } else if (!delivered_sanely(&r)) {
            fprintf(stderr, "allocation %lu: delivered as \"%s\" (%s)\n", n, r.summary, r.authres);
            cachet_test_failures++;
        } else {
            complete++;
        }
        cachetd_result_clear(&r);
    }
    CHECK(reached_end);
    CHECK(tempfails > 10);
    CHECK(complete > 0);
    cachetd_result_clear(&in);
    cachetd_keys_free(k);
    cachetd_config_free(cfg);
}

static const cachet_test_case tests[] = {
    TEST_CASE(outbound_never_sends_half_processed_mail),
    TEST_CASE(inbound_never_delivers_half_processed_mail),
};
TEST_MAIN(tests)
