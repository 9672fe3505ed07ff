/* The holding sink: memory, spill to an unlinked file, commit, discard. */
#include <dirent.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "smime/hold.h"
#include "testlib.h"

static void fill(uint8_t *buf, size_t len, uint32_t seed) {
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)cachet_test_rand(&seed);
    }
}

/* counting_sink records what reached it so tests can prove nothing did. */
typedef struct counting {
    cachet_membuf buf;
    size_t calls;
} counting;

static cachet_status counting_write(void *arg, const uint8_t *data, size_t len) {
    counting *c = arg;
    c->calls++;
    return cachet_membuf_append(&c->buf, data, len) ? CACHET_OK : CACHET_ERR_NOMEM;
}

static void small_output_stays_in_memory_and_commits_in_order(void) {
    cachet_hold *h = cachet_hold_new(1024, 0, NULL);
    CHECK(h != NULL);
    CHECK_EQ_INT(cachet_hold_write(h, (const uint8_t *)"hello ", 6, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_hold_write(h, (const uint8_t *)"world", 5, NULL), CACHET_OK);
    CHECK(!cachet_hold_spilled(h));
    CHECK_EQ_INT(cachet_hold_size(h), 11);
    counting c = {0};
    cachet_sink s = {.write = counting_write, .arg = &c};
    CHECK_EQ_INT(cachet_hold_commit(h, &s, NULL), CACHET_OK);
    CHECK_MEM(c.buf.data, c.buf.len, "hello world", 11);
    cachet_membuf_free(&c.buf);
    cachet_hold_free(h);
}

static void large_output_spills_to_a_file_and_commits_byte_exact(void) {
    const size_t total = 300000;
    uint8_t *data = malloc(total);
    fill(data, total, 7);
    cachet_hold *h = cachet_hold_new(4096, 0, NULL);
    uint32_t rng = 99;
    size_t off = 0;
    while (off < total) {
        size_t n = 1 + cachet_test_rand(&rng) % 9000;
        if (n > total - off) {
            n = total - off;
        }
        CHECK_EQ_INT(cachet_hold_write(h, data + off, n, NULL), CACHET_OK);
        off += n;
    }
    CHECK(cachet_hold_spilled(h));
    CHECK_EQ_INT(cachet_hold_size(h), total);
    counting c = {0};
    cachet_sink s = {.write = counting_write, .arg = &c};
    CHECK_EQ_INT(cachet_hold_commit(h, &s, NULL), CACHET_OK);
    CHECK_MEM(c.buf.data, c.buf.len, data, total);
    cachet_membuf_free(&c.buf);
    cachet_hold_free(h);
    free(data);
}

static size_t count_hold_files(const char *dir) {
    DIR *d = opendir(dir);
    size_t n = 0;
    if (d == NULL) {
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "cachet-hold-", 12) == 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}

static void spill_file_is_unlinked_at_once_in_tmpdir(void) {
    char dir[] = "/tmp/cachet-hold-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    const char *old = getenv("TMPDIR");
    char *saved = old != NULL ? strdup(old) : NULL;
    setenv("TMPDIR", dir, 1);
    cachet_hold *h = cachet_hold_new(0, 0, NULL);
    CHECK_EQ_INT(cachet_hold_write(h, (const uint8_t *)"secret", 6, NULL), CACHET_OK);
    CHECK(cachet_hold_spilled(h));
    CHECK_EQ_INT(count_hold_files(dir), 0);
    cachet_hold_free(h);
    if (saved != NULL) {
        setenv("TMPDIR", saved, 1);
        free(saved);
    } else {
        unsetenv("TMPDIR");
    }
    CHECK(rmdir(dir) == 0); /* empty: nothing was left behind */
}

static void discard_releases_nothing_and_refuses_more(void) {
    uint8_t big[10000];
    fill(big, sizeof(big), 3);
    for (int spill = 0; spill < 2; spill++) {
        cachet_hold *h = cachet_hold_new(spill ? 100 : 100000, 0, NULL);
        CHECK_EQ_INT(cachet_hold_write(h, big, sizeof(big), NULL), CACHET_OK);
        CHECK_EQ_INT(cachet_hold_spilled(h), spill);
        cachet_hold_discard(h);
        CHECK_EQ_INT(cachet_hold_size(h), 0);
        counting c = {0};
        cachet_sink s = {.write = counting_write, .arg = &c};
        CHECK(cachet_hold_commit(h, &s, NULL) != CACHET_OK);
        CHECK(cachet_hold_write(h, big, 1, NULL) != CACHET_OK);
        CHECK_EQ_INT(c.calls, 0);
        CHECK_EQ_INT(c.buf.len, 0);
        cachet_hold_free(h);
    }
}

static void total_bound_is_enforced_and_discards(void) {
    cachet_hold *h = cachet_hold_new(16, 100, NULL);
    uint8_t buf[60] = {0};
    cachet_error e;
    cachet_err_clear(&e);
    CHECK_EQ_INT(cachet_hold_write(h, buf, 60, &e), CACHET_OK);
    CHECK_EQ_INT(cachet_hold_write(h, buf, 60, &e), CACHET_ERR_LIMIT);
    CHECK_EQ_INT(e.status, CACHET_ERR_LIMIT);
    CHECK_EQ_INT(cachet_hold_error(h)->status, CACHET_ERR_LIMIT);
    CHECK_EQ_INT(cachet_hold_size(h), 0);
    cachet_hold_free(h);
}

static void sink_adapter_writes_into_the_hold(void) {
    cachet_hold *h = cachet_hold_new(8, 0, NULL);
    cachet_sink s = cachet_hold_sink(h);
    CHECK_EQ_INT(cachet_sink_write(&s, (const uint8_t *)"0123456789abcdef", 16), CACHET_OK);
    CHECK(cachet_hold_spilled(h));
    cachet_membuf out = {0};
    cachet_sink ms = cachet_sink_membuf(&out);
    CHECK_EQ_INT(cachet_hold_commit(h, &ms, NULL), CACHET_OK);
    CHECK_MEM(out.data, out.len, "0123456789abcdef", 16);
    cachet_membuf_free(&out);
    cachet_hold_free(h);
}

static cachet_status failing_write(void *arg, const uint8_t *data, size_t len) {
    return CACHET_ERR_IO;
}

static void commit_reports_a_failing_sink(void) {
    cachet_hold *h = cachet_hold_new(8, 0, NULL);
    CHECK_EQ_INT(cachet_hold_write(h, (const uint8_t *)"abc", 3, NULL), CACHET_OK);
    cachet_sink s = {.write = failing_write};
    cachet_error e;
    cachet_err_clear(&e);
    CHECK_EQ_INT(cachet_hold_commit(h, &s, &e), CACHET_ERR_IO);
    CHECK_EQ_INT(e.status, CACHET_ERR_IO);
    cachet_hold_free(h);
}

static const cachet_test_case tests[] = {
    TEST_CASE(small_output_stays_in_memory_and_commits_in_order),
    TEST_CASE(large_output_spills_to_a_file_and_commits_byte_exact),
    TEST_CASE(spill_file_is_unlinked_at_once_in_tmpdir),
    TEST_CASE(discard_releases_nothing_and_refuses_more),
    TEST_CASE(total_bound_is_enforced_and_discards),
    TEST_CASE(sink_adapter_writes_into_the_hold),
    TEST_CASE(commit_reports_a_failing_sink),
};
TEST_MAIN(tests)
