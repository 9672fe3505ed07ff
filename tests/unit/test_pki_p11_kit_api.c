/* libp11-kit opened at run time (pki/p11_kit_api.h): a missing library is refused
 * with a message saying what to install, and the real one gives every function.
 * Token keys through it are tested in test_pki_p11 and tests/cli/pkcs11.sh; the
 * loader itself in test_base_dynlib. */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
/* Last: p11-kit's pkcs11.h defines lowercase macros (value, count, ...). */
#include "pki/p11_kit_api.h"

static void a_missing_libp11_kit_says_what_to_install(void) {
    cachet_p11kit_api api;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_test_load_as(&cachet_p11kit_spec, "libcachet-test-no-such-p11-kit.so.0",
                                     &api, sizeof(api), &err),
                 CACHET_ERR_UNSUPPORTED);
    CHECK_STR(err.where, "pkcs11");
    CHECK(strstr(err.message,
                 "a key on a PKCS#11 token needs libp11-kit, which could not be loaded (") ==
          err.message);
    CHECK(strstr(err.message, "install it (Debian: apt-get install libp11-kit0)") != NULL);
}

static void libp11_kit_gives_every_function_once_per_process(void) {
    cachet_error err = {0};
    const cachet_p11kit_api *api = cachet_p11kit(&err);
    CHECK(api != NULL);
    if (api == NULL) {
        fprintf(stderr, "  %s\n", err.message);
        return;
    }
    CHECK(cachet_test_table_full(api, sizeof(*api)));
    CHECK(cachet_p11kit(NULL) == api);
    P11KitUri *uri = api->p11_kit_uri_new();
    CHECK(uri != NULL);
    CHECK_EQ_INT(
        api->p11_kit_uri_parse("pkcs11:token=cachet;object=alice", P11_KIT_URI_FOR_ANY, uri),
        P11_KIT_URI_OK);
    CHECK(!api->p11_kit_uri_any_unrecognized(uri));
    api->p11_kit_uri_free(uri);
}

static const cachet_test_case tests[] = {
    TEST_CASE(a_missing_libp11_kit_says_what_to_install),
    TEST_CASE(libp11_kit_gives_every_function_once_per_process),
};

TEST_MAIN(tests)
