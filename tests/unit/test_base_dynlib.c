/* Libraries opened on first use (base/dynlib.h): a missing library and one without
 * the functions are refused with messages saying what to install, nothing is left
 * resolved, and the once-per-process guard runs a load once and hands its outcome,
 * failure included, to every later caller. The tables of the real libraries are
 * tested in test_store_libs (libpq, libsqlite3) and test_pki_p11 (libp11-kit). */
#include <string.h>
#include <zlib.h>

#include "base/base.h"
#include "base/dynlib.h"
#include "testlib.h"

static const cachet_dynlib_spec zlib_spec = {.soname = "libz.so.1",
                                             .where = "compression",
                                             .user = "compression",
                                             .library = "zlib",
                                             .package = "zlib1g"};

static void a_missing_library_says_what_to_install(void) {
    cachet_dynlib_spec spec = zlib_spec;
    spec.soname = "libcachet-test-no-such-library.so.1";
    static const char *const names[] = {"zlibVersion"};
    void *syms[1] = {&spec};
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_dynlib_load(&spec, names, 1, syms, &err), CACHET_ERR_UNSUPPORTED);
    CHECK(syms[0] == NULL);
    CHECK_STR(err.where, "compression");
    CHECK(strstr(err.message, "compression needs zlib, which could not be loaded (") ==
          err.message);
    CHECK(strstr(err.message, "libcachet-test-no-such-library.so.1") != NULL); /* dlerror's */
    CHECK(strstr(err.message, "install it (Debian: apt-get install zlib1g)") != NULL);
}

static void a_missing_function_is_named_and_nothing_stays_resolved(void) {
    static const char *const names[] = {"zlibVersion", "cachet_no_such_function", "crc32"};
    void *syms[3];
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_dynlib_load(&zlib_spec, names, 3, syms, &err), CACHET_ERR_UNSUPPORTED);
    CHECK_STR(err.message,
              "libz.so.1 has no cachet_no_such_function: it is not the zlib cachet was built for");
    for (size_t i = 0; i < 3; i++) {
        CHECK(syms[i] == NULL);
    }
}

typedef struct {
    CACHET_DYNLIB_FIELD(zlibVersion)
    CACHET_DYNLIB_FIELD(crc32)
} zlib_api;

static void every_function_resolves_in_order(void) {
    static const char *const names[] = {CACHET_DYNLIB_NAME(zlibVersion) CACHET_DYNLIB_NAME(crc32)};
    void *syms[2];
    CHECK_EQ_INT(cachet_dynlib_load(&zlib_spec, names, 2, syms, NULL), CACHET_OK);
    zlib_api api = {.zlibVersion = (__typeof__(api.zlibVersion))syms[0],
                    .crc32 = (__typeof__(api.crc32))syms[1]};
    CHECK_STR(api.zlibVersion(), zlibVersion());
    CHECK(api.crc32(0, (const Bytef *)"cachet", 6) == crc32(0, (const Bytef *)"cachet", 6));
}

static int loads;
static cachet_status failing_load(void *api, cachet_error *err) {
    (void)api;
    loads++;
    return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "store", -1, "load number %d", loads);
}

static void a_failed_load_runs_once_and_every_caller_gets_its_error(void) {
    static cachet_dynlib_state state = CACHET_DYNLIB_STATE_INIT;
    int api = 0;
    for (int i = 0; i < 3; i++) {
        cachet_error err = {0};
        CHECK(!cachet_dynlib_once(&state, failing_load, &api, &err));
        CHECK_EQ_INT(err.status, CACHET_ERR_UNSUPPORTED);
        CHECK_STR(err.message, "load number 1");
    }
    CHECK(!cachet_dynlib_once(&state, failing_load, &api, NULL));
    CHECK_EQ_INT(loads, 1);
}

static const cachet_test_case tests[] = {
    TEST_CASE(a_missing_library_says_what_to_install),
    TEST_CASE(a_missing_function_is_named_and_nothing_stays_resolved),
    TEST_CASE(every_function_resolves_in_order),
    TEST_CASE(a_failed_load_runs_once_and_every_caller_gets_its_error),
};

TEST_MAIN(tests)
