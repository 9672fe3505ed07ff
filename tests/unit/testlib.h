/* A tiny test harness: TEST(name) functions registered in a table, CHECK macros
 * that report file:line and continue, a non-zero exit when anything failed. */
#ifndef CACHET_TESTLIB_H
#define CACHET_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cachet/status.h"

extern int cachet_test_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            cachet_test_failures++;                                                                \
        }                                                                                          \
    } while (0)

/* For a step later checks depend on (locating a field before reading it): a failure ends
 * the test case, which must return void, instead of reading what was never set. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond);             \
            cachet_test_failures++;                                                                \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        if (va_ != vb_) {                                                                          \
            fprintf(stderr, "%s:%d: CHECK_EQ_INT failed: %s = %lld, %s = %lld\n", __FILE__,        \
                    __LINE__, #a, va_, #b, vb_);                                                   \
            cachet_test_failures++;                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_MEM(a, alen, b, blen)                                                                \
    do {                                                                                           \
        if (!cachet_test_mem_eq((a), (alen), (b), (blen))) {                                       \
            fprintf(stderr, "%s:%d: CHECK_MEM failed: %s (%zu bytes) != %s (%zu bytes)\n",         \
                    __FILE__, __LINE__, #a, (size_t)(alen), #b, (size_t)(blen));                   \
            cachet_test_failures++;                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *sa_ = (a), *sb_ = (b);                                                         \
        if (sa_ == NULL || sb_ == NULL || strcmp(sa_, sb_) != 0) {                                 \
            fprintf(stderr, "%s:%d: CHECK_STR failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__,     \
                    sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                                   \
            cachet_test_failures++;                                                                \
        }                                                                                          \
    } while (0)

typedef struct cachet_test_case {
    const char *name;
    void (*fn)(void);
} cachet_test_case;

/* Usage in a test file:
 *   static void empty_input_is_rejected(void) { ... }
 *   static const cachet_test_case tests[] = { TEST_CASE(empty_input_is_rejected), };
 *   TEST_MAIN(tests)
 * Optional argv[1] runs only the tests whose name contains it. */
#define TEST_CASE(fn)                                                                              \
    { #fn, fn }
#define TEST_MAIN(table)                                                                           \
    int main(int argc, char **argv) {                                                              \
        return cachet_test_run(table, sizeof(table) / sizeof(table[0]), argc, argv);               \
    }

int cachet_test_run(const cachet_test_case *tests, size_t n, int argc, char **argv);
bool cachet_test_mem_eq(const void *a, size_t alen, const void *b, size_t blen);

/* cachet_test_read_file reads a whole file (tests only) into a malloc'd buffer;
 * returns NULL and prints why when it cannot. */
uint8_t *cachet_test_read_file(const char *path, size_t *out_len);
/* cachet_test_vector_path joins $CACHET_VECTORS and |rel| into a static buffer. */
const char *cachet_test_vector_path(const char *rel);
/* cachet_test_tests_dir: tests/ of the source tree, from $CACHET_TESTS_DIR or
 * else from this library's source path (static buffer). */
const char *cachet_test_tests_dir(void);
/* cachet_test_make_pki runs tests/pki/mkpki.sh once per process into a fresh
 * temporary folder (removed at exit) and writes that folder into |dir|; false
 * (and prints why) when it cannot. */
bool cachet_test_make_pki(char *dir, size_t len);
/* Deterministic pseudo-random numbers for chunking tests (xorshift, seeded). */
uint32_t cachet_test_rand(uint32_t *state);
/* For the tables of libraries opened on first use (base/dynlib.h):
 * cachet_test_load_as loads |spec| from the library |soname| instead of its own
 * into |table| (|size| bytes) and returns the status, with any message in |err|;
 * cachet_test_table_full says whether every function of |table| is set. */
struct cachet_dynlib_spec;
cachet_status cachet_test_load_as(const struct cachet_dynlib_spec *spec, const char *soname,
                                  void *table, size_t size, cachet_error *err);
bool cachet_test_table_full(const void *table, size_t size);

/* CACHET_TEST_UNDER_ASAN is 1 in an AddressSanitizer build (gcc says
 * __SANITIZE_ADDRESS__, clang answers __has_feature), else 0. Long randomised
 * tests run fewer rounds there: the release build runs them in full, and each
 * round costs several times as much under the sanitizer. */
#if defined(__SANITIZE_ADDRESS__)
#define CACHET_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CACHET_TEST_UNDER_ASAN 1
#endif
#endif
#ifndef CACHET_TEST_UNDER_ASAN
#define CACHET_TEST_UNDER_ASAN 0
#endif

#endif
