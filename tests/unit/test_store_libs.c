/* libpq and libsqlite3 opened at run time (store/pq.h, store/sqlite_api.h): a
 * missing library and one that is not the right one are refused with a message
 * saying what to install; the real one gives every function. The stores' own use
 * of them is tested in test_store_sqlite, test_store_postgres (against a server)
 * and tests/cli/store.sh; the loader itself in test_base_dynlib. */
#include <stdio.h>
#include <string.h>

#include "store/pq.h"
#include "store/sqlite_api.h"
#include "testlib.h"

static void a_missing_libpq_says_what_to_install(void) {
    cachet_pq_api api;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_test_load_as(&cachet_pq_spec, "libcachet-test-no-such-libpq.so.5", &api,
                                     sizeof(api), &err),
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
    CHECK_EQ_INT(cachet_test_load_as(&cachet_pq_spec, "libz.so.1", &api, sizeof(api), &err),
                 CACHET_ERR_UNSUPPORTED);
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
    CHECK(cachet_test_table_full(api, sizeof(*api)));
    CHECK(cachet_pq(NULL) == api);
    /* A libpq function works through the table. */
    CHECK(api->PQstatus(NULL) == CONNECTION_BAD);
}

static void a_missing_libsqlite3_says_what_to_install(void) {
    cachet_sqlite_api api;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_test_load_as(&cachet_sqlite_spec, "libcachet-test-no-such-libsqlite3.so.0",
                                     &api, sizeof(api), &err),
                 CACHET_ERR_UNSUPPORTED);
    CHECK_STR(err.where, "store");
    CHECK(strstr(err.message, "a SQLite store needs libsqlite3, which could not be loaded (") ==
          err.message);
    CHECK(strstr(err.message, "install it (Debian: apt-get install libsqlite3-0)") != NULL);
    cachet_error wrong = {0};
    CHECK_EQ_INT(cachet_test_load_as(&cachet_sqlite_spec, "libz.so.1", &api, sizeof(api), &wrong),
                 CACHET_ERR_UNSUPPORTED);
    CHECK_STR(wrong.message, "libz.so.1 has no sqlite3_bind_blob64: it is not the libsqlite3 "
                             "cachet was built for");
}

static void libsqlite3_gives_every_function_once_per_process(void) {
    cachet_error err = {0};
    const cachet_sqlite_api *api = cachet_sqlite(&err);
    CHECK(api != NULL);
    if (api == NULL) {
        fprintf(stderr, "  %s\n", err.message);
        return;
    }
    CHECK(cachet_test_table_full(api, sizeof(*api)));
    CHECK(cachet_sqlite(NULL) == api);
    CHECK_STR(api->sqlite3_errstr(SQLITE_NOTADB), "file is not a database");
}

static const cachet_test_case tests[] = {
    TEST_CASE(a_missing_libpq_says_what_to_install),
    TEST_CASE(a_library_without_libpq_functions_is_refused),
    TEST_CASE(libpq_gives_every_function_once_per_process),
    TEST_CASE(a_missing_libsqlite3_says_what_to_install),
    TEST_CASE(libsqlite3_gives_every_function_once_per_process),
};

TEST_MAIN(tests)
