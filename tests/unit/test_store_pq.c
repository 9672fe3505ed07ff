/* libpq opened at run time (store/pq.h): a missing library and one that is not
 * libpq are refused with a message saying what to install; the real one gives
 * every function. The store's own use of it is tested against a server in
 * test_store_postgres and tests/cli/store.sh. */
#include <stdio.h>
#include <string.h>

#include "store/pq.h"
#include "testlib.h"

static void a_missing_libpq_says_what_to_install(void) {
    cachet_pq_api api;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_pq_load("libcachet-test-no-such-libpq.so.5", &api, &err),
                 CACHET_ERR_UNSUPPORTED);
    CHECK_STR(err.where, "store");
    CHECK(strstr(err.message, "a PostgreSQL store needs libpq, which could not be loaded (") ==
          err.message);
    CHECK(strstr(err.message, "libcachet-test-no-such-libpq.so.5") != NULL); /* dlerror's */
    CHECK(strstr(err.message, "install it (Debian: apt-get install libpq5)") != NULL);
}

static void a_library_without_libpq_functions_is_refused(void) {
    cachet_pq_api api;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_pq_load("libz.so.1", &api, &err), CACHET_ERR_UNSUPPORTED);
    CHECK_STR(err.message, "libz.so.1 has no PQclear: it is not the libpq cachet was built for");
}

static void libpq_gives_every_function_once_per_process(void) {
    cachet_error err = {0};
    const cachet_pq_api *api = cachet_pq(&err);
    CHECK(api != NULL);
    if (api == NULL) {
        fprintf(stderr, "  %s\n", err.message);
        return;
    }
    CHECK_EQ_INT(err.status, CACHET_OK);
    const void *const *fn = (const void *const *)api;
    for (size_t i = 0; i < sizeof(*api) / sizeof(void *); i++) {
        CHECK(fn[i] != NULL);
    }
    CHECK(cachet_pq(NULL) == api);
    /* A libpq function works through the table. */
    CHECK(api->PQstatus(NULL) == CONNECTION_BAD);
}

static const cachet_test_case tests[] = {
    TEST_CASE(a_missing_libpq_says_what_to_install),
    TEST_CASE(a_library_without_libpq_functions_is_refused),
    TEST_CASE(libpq_gives_every_function_once_per_process),
};

TEST_MAIN(tests)
