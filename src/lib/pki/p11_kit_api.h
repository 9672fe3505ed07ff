/* libp11-kit, opened when a PKCS#11 URI is first used rather than linked
 * (base/dynlib.h): only keys on a token need it. */
#ifndef CACHET_PKI_P11_KIT_API_H
#define CACHET_PKI_P11_KIT_API_H

#include "base/dynlib.h"
#include "cachet/status.h"

/* Last: p11-kit's pkcs11.h defines lowercase macros (count, value, ...). */
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

/* The p11-kit functions cachet calls: each becomes a field of cachet_p11kit_api. */
#define CACHET_P11KIT_FUNCTIONS(X)                                                                 \
    X(p11_kit_be_quiet)                                                                            \
    X(p11_kit_message)                                                                             \
    X(p11_kit_module_finalize)                                                                     \
    X(p11_kit_module_get_name)                                                                     \
    X(p11_kit_module_initialize)                                                                   \
    X(p11_kit_module_load)                                                                         \
    X(p11_kit_module_release)                                                                      \
    X(p11_kit_modules_finalize_and_release)                                                        \
    X(p11_kit_modules_load_and_initialize)                                                         \
    X(p11_kit_uri_any_unrecognized)                                                                \
    X(p11_kit_uri_free)                                                                            \
    X(p11_kit_uri_get_attribute)                                                                   \
    X(p11_kit_uri_get_module_name)                                                                 \
    X(p11_kit_uri_get_module_path)                                                                 \
    X(p11_kit_uri_get_pin_source)                                                                  \
    X(p11_kit_uri_get_pin_value)                                                                   \
    X(p11_kit_uri_get_slot_id)                                                                     \
    X(p11_kit_uri_match_module_info)                                                               \
    X(p11_kit_uri_match_slot_info)                                                                 \
    X(p11_kit_uri_match_token_info)                                                                \
    X(p11_kit_uri_message)                                                                         \
    X(p11_kit_uri_new)                                                                             \
    X(p11_kit_uri_parse)

typedef struct cachet_p11kit_api {
    CACHET_P11KIT_FUNCTIONS(CACHET_DYNLIB_FIELD)
} cachet_p11kit_api;

/* cachet_p11kit opens libp11-kit (CACHET_P11KIT_SONAME) once per process and returns
 * its functions, or NULL with CACHET_ERR_UNSUPPORTED in |err| saying what is missing
 * and which package provides it. Safe to call from several threads. */
const cachet_p11kit_api *cachet_p11kit(cachet_error *err);

/* cachet_p11kit_spec: the library and its functions (base/dynlib.h); the unit tests
 * load it under other names. */
extern const cachet_dynlib_spec cachet_p11kit_spec;

#endif
