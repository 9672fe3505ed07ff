/* cachetd_process from several threads at once with one configuration and one
 * set of keys (as the milter calls it): every message comes out complete and
 * decryptable by its recipient. */
#include <pthread.h>

#include "test_gateway_process_util.h"

#define THREADS 4
#define PER_THREAD 3

typedef struct job {
    const cachetd_config *cfg;
    const cachetd_keys *keys;
    int ok; /* messages that came out right */
} job;

static void *worker(void *arg) {
    job *j = arg;
    const char *rcpts[1] = {"bob@b.example"};
    cachetd_envelope env = {
        .queue_id = "T",
        .sender = "alice@a.example",
        .recipients = rcpts,
        .num_recipients = 1,
        .client_addr = "127.0.0.1",
    };
    for (int i = 0; i < PER_THREAD; i++) {
        cachetd_result r;
        memset(&r, 0, sizeof(r));
        cachetd_process(j->cfg, j->keys, &env, (const uint8_t *)PLAIN_MSG, strlen(PLAIN_MSG), &r);
        bool good = r.verdict == CACHETD_CONTINUE && r.replaced &&
                    strncmp(r.summary, "action=sign,encrypt result=ok", 29) == 0;
        cachet_membuf plain;
        good =
            good && decrypt_with("bob", r.new_message.data, r.new_message.len, &plain) == CACHET_OK;
        good = good && mem_contains(plain.data, plain.len, "Hello Bob.");
        cachet_membuf_free(&plain);
        if (!good) {
            fprintf(stderr, "thread message %d: %s %s %s | %s\n", i, r.smtp_rcode, r.smtp_xcode,
                    r.smtp_text, r.summary);
        }
        cachetd_result_clear(&r);
        j->ok += good ? 1 : 0;
    }
    return NULL;
}

static void concurrent_messages_share_config_and_keys(void) {
    REQUIRE_PKI();
    const char *keys[] = {"dsa-a", "dca-a", NULL};
    const char *certs[] = {"bob", NULL};
    char url[512], err[512] = "";
    CHECK(make_store(keys, certs, url, sizeof(url)));
    cachetd_config *cfg = make_config(url, "mx.a.example", "[domain a.example]\n");
    cachetd_keys *k = cfg != NULL ? cachetd_keys_load(cfg, err, sizeof(err)) : NULL;
    CHECK(k != NULL);
    if (k == NULL) {
        cachetd_config_free(cfg);
        return;
    }
    pthread_t th[THREADS];
    job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){.cfg = cfg, .keys = k, .ok = 0};
        CHECK(pthread_create(&th[i], NULL, worker, &jobs[i]) == 0);
    }
    int total = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        total += jobs[i].ok;
    }
    CHECK_EQ_INT(total, THREADS * PER_THREAD);
    cachetd_keys_free(k);
    cachetd_config_free(cfg);
}

static const cachet_test_case tests[] = {
    TEST_CASE(concurrent_messages_share_config_and_keys),
};
TEST_MAIN(tests)
