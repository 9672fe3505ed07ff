/* The hold's spill path gathers small writes in a buffer and writes large ones
 * straight through, and reads back in large pieces: whatever the sizes of the
 * writes, commit gives back exactly what was written, in order. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "smime/hold.h"
#include "testlib.h"

static void any_write_sizes_come_back_whole(void) {
    static const size_t mem_max[] = {0, 1000, 1 << 20};
    static const size_t max_write[] = {1, 700, 5000, 70000, 300000};
    const size_t total = 3 * 1024 * 1024 + 17;
    uint8_t *data = malloc(total);
    uint32_t seed = 42;
    for (size_t i = 0; i < total; i++) {
        data[i] = (uint8_t)cachet_test_rand(&seed);
    }
    for (size_t m = 0; m < sizeof(mem_max) / sizeof(mem_max[0]); m++) {
        for (size_t w = 0; w < sizeof(max_write) / sizeof(max_write[0]); w++) {
            size_t len = max_write[w] == 1 ? 200000 : total; /* byte by byte: less */
            cachet_hold *h = cachet_hold_new(mem_max[m], 0, NULL);
            CHECK(h != NULL);
            size_t off = 0;
            while (off < len) {
                size_t n = 1 + cachet_test_rand(&seed) % max_write[w];
                if (n > len - off) {
                    n = len - off;
                }
                CHECK_EQ_INT(cachet_hold_write(h, data + off, n, NULL), CACHET_OK);
                off += n;
            }
            CHECK_EQ_INT(cachet_hold_size(h), len);
            CHECK_EQ_INT(cachet_hold_spilled(h), len > mem_max[m]);
            cachet_membuf out = {0};
            cachet_sink s = cachet_sink_membuf(&out);
            CHECK_EQ_INT(cachet_hold_commit(h, &s, NULL), CACHET_OK);
            CHECK_MEM(out.data, out.len, data, len);
            cachet_membuf_free(&out);
            cachet_hold_free(h);
        }
    }
    free(data);
}

/* Discarding a spilled hold with writes still in its buffer drops them all. */
static void discard_with_buffered_writes_drops_everything(void) {
    cachet_hold *h = cachet_hold_new(16, 0, NULL);
    uint8_t buf[100];
    memset(buf, 'x', sizeof(buf));
    CHECK_EQ_INT(cachet_hold_write(h, buf, sizeof(buf), NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_hold_write(h, buf, 10, NULL), CACHET_OK);
    CHECK(cachet_hold_spilled(h));
    cachet_hold_discard(h);
    CHECK_EQ_INT(cachet_hold_size(h), 0);
    cachet_membuf out = {0};
    cachet_sink s = cachet_sink_membuf(&out);
    CHECK(cachet_hold_commit(h, &s, NULL) != CACHET_OK);
    CHECK_EQ_INT(out.len, 0);
    cachet_hold_free(h);
}

static const cachet_test_case tests[] = {
    TEST_CASE(any_write_sizes_come_back_whole),
    TEST_CASE(discard_with_buffered_writes_drops_everything),
};
TEST_MAIN(tests)
