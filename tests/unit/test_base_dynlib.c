/* Libraries opened on first use (base/dynlib.h): a missing library and one without
 * the functions are refused with messages saying what to install, nothing is left
 * resolved, a table that does not match its names is refused, and a library loaded
 * once per process hands the outcome of its one load, failure included, to every
 * later caller. The tables of the real libraries are tested in test_store_libs
 * (libpq, libsqlite3) and test_pki_p11_kit_api (libp11-kit). */
#include <string.h>
#include <zlib.h>

#include "base/dynlib.h"
#include "testlib.h"

#define ZLIB_FUNCTIONS(X) X(zlibVersion) X(crc32)
typedef struct {
    ZLIB_FUNCTIONS(CACHET_DYNLIB_FIELD)
} zlib_api;
static const char *const zlib_names[] = {ZLIB_FUNCTIONS(CACHET_DYNLIB_NAME)};
static const cachet_dynlib_spec zlib_spec = {.soname = "libz.so.1",
                                             .where = "compression",
                                             .user = "compression",
                                             .library = "zlib",
                                             .package = "zlib1g",
                                             .names = zlib_names,
                                             .count = 2};

static void a_missing_library_says_what_to_install(void) {
    zlib_api api = {.zlibVersion = zlibVersion};
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_test_load_as(&zlib_spec, "libcachet-test-no-such-library.so.1", &api,
                                     sizeof(api), &err),
                 CACHET_ERR_UNSUPPORTED);
    CHECK(api.zlibVersion == NULL && api.crc32 == NULL);
    CHECK_STR(err.where, "compression");
    CHECK(strstr(err.message, "compression needs zlib, which could not be loaded (") ==
          err.message);
    CHECK(strstr(err.message, "libcachet-test-no-such-library.so.1") != NULL); /* dlerror's */
    CHECK(strstr(err.message, "install it (Debian: apt-get install zlib1g)") != NULL);
}

static void a_missing_function_is_named_and_nothing_stays_resolved(void) {
    static const char *const names[] = {"zlibVersion", "cachet_no_such_function"};
    cachet_dynlib_spec spec = zlib_spec;
    spec.names = names;
    zlib_api api;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_dynlib_load(&spec, &api, sizeof(api), &err), CACHET_ERR_UNSUPPORTED);
    CHECK_STR(err.message,
              "libz.so.1 has no cachet_no_such_function: it is not the zlib cachet was built for");
    CHECK(api.zlibVersion == NULL && api.crc32 == NULL);
}

static void a_table_that_does_not_match_its_names_is_refused(void) {
    void (*three[3])(void);
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_dynlib_load(&zlib_spec, three, sizeof(three), &err), CACHET_ERR_INTERNAL);
    CHECK_STR(err.message, "the table for zlib does not match its 2 names");
}

static void every_function_lands_in_its_field(void) {
    zlib_api api;
    CHECK_EQ_INT(cachet_dynlib_load(&zlib_spec, &api, sizeof(api), NULL), CACHET_OK);
    CHECK(cachet_test_table_full(&api, sizeof(api)));
    CHECK_STR(api.zlibVersion(), zlibVersion());
    CHECK(api.crc32(0, (const Bytef *)"cachet", 6) == crc32(0, (const Bytef *)"cachet", 6));
}

static void a_failed_load_is_not_retried_and_every_caller_gets_its_error(void) {
    cachet_dynlib_spec spec = zlib_spec;
    spec.soname = "libcachet-test-no-such-library.so.1";
    cachet_dynlib lib = {.spec = &spec, .lock = PTHREAD_MUTEX_INITIALIZER};
    zlib_api api;
    cachet_error first = {0};
    CHECK(cachet_dynlib_get(&lib, &api, sizeof(api), &first) == NULL);
    CHECK_EQ_INT(first.status, CACHET_ERR_UNSUPPORTED);
    /* Were it loaded again, this name would now succeed. */
    spec.soname = "libz.so.1";
    for (int i = 0; i < 3; i++) {
        cachet_error err = {0};
        CHECK(cachet_dynlib_get(&lib, &api, sizeof(api), &err) == NULL);
        CHECK_STR(err.message, first.message);
    }
    CHECK(cachet_dynlib_get(&lib, &api, sizeof(api), NULL) == NULL);
    CHECK(api.zlibVersion == NULL);
}

static void a_loaded_library_gives_the_same_table_to_every_caller(void) {
    static cachet_dynlib lib = {.spec = &zlib_spec, .lock = PTHREAD_MUTEX_INITIALIZER};
    static zlib_api api;
    const zlib_api *got = cachet_dynlib_get(&lib, &api, sizeof(api), NULL);
    CHECK(got == &api);
    /* Called, not compared: in a position-dependent executable (the sanitizer build),
     * &zlibVersion is the executable's PLT entry, and dlsym gives libz's own address. */
    CHECK(got != NULL && strcmp(got->zlibVersion(), zlibVersion()) == 0);
    CHECK(cachet_dynlib_get(&lib, &api, sizeof(api), NULL) == &api);
}

static const cachet_test_case tests[] = {
    TEST_CASE(a_missing_library_says_what_to_install),
    TEST_CASE(a_missing_function_is_named_and_nothing_stays_resolved),
    TEST_CASE(a_table_that_does_not_match_its_names_is_refused),
    TEST_CASE(every_function_lands_in_its_field),
    TEST_CASE(a_failed_load_is_not_retried_and_every_caller_gets_its_error),
    TEST_CASE(a_loaded_library_gives_the_same_table_to_every_caller),
};

TEST_MAIN(tests)
