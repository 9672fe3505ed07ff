/* pki/p11*.c: private keys on a PKCS#11 token, reached through p11-kit.
 * p11-kit's pkcs11.h (compatibility mode) defines lowercase macros such as
 * value, count, params and slot_id, so it is included after our own headers
 * and the p11 files write the standard PKCS#11 member names (pValue, ...). */
#ifndef CACHET_PKI_P11_INTERNAL_H
#define CACHET_PKI_P11_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "crypto/crypto.h"
#include "der/der.h"
#include "pki/pki.h"

#include "pki/p11_kit_api.h"

/* Where every PKCS#11 error is reported. */
#define CACHET_P11_WHERE "pkcs11"
/* Bounds on what we accept from the caller and from the token. */
#define CACHET_P11_MAX_URI 4096u
#define CACHET_P11_MAX_PIN 256u
#define CACHET_P11_MAX_ATTR (1024u * 1024u) /* a certificate, a modulus */
#define CACHET_P11_MAX_SIG 8192u

/* cachet_p11_key is the argument of a token key's operations: it keeps the
 * module initialised and one session open for the key's lifetime. */
typedef struct cachet_p11_key {
    CK_FUNCTION_LIST *module;      /* the module holding the key */
    CK_FUNCTION_LIST *loaded;      /* from module-path: finalised and released */
    CK_FUNCTION_LIST **registered; /* p11-kit's configured modules: finalised and released */
    CK_SESSION_HANDLE session;
    bool has_session;
    CK_OBJECT_HANDLE key;
    CK_KEY_TYPE key_type; /* CKK_RSA, CKK_EC or CKK_EC_EDWARDS */
    size_t field_len;     /* EC: bytes of a coordinate (ECDH secret, r and s) */
    pthread_mutex_t lock; /* one operation at a time on the session */
    bool lock_ready;
    char *uri;      /* without pin-value: for messages */
    char token[33]; /* the token label, trimmed */
} cachet_p11_key;

/* The operations of a token key (p11_ops.c); arg is a cachet_p11_key. */
extern const cachet_pkey_ops cachet_p11_ops;
/* cachet_p11_key_free closes the session and finalises the modules (NULL ok). */
void cachet_p11_key_free(void *arg);

/* cachet_p11_public_half (p11_pub.c) reads the key type of the found key and
 * gives its public half: from |cert|, else from the token certificate with the
 * key's CKA_ID (then returned in |*out_cert|, else NULL), checked against the
 * token's own public key. */
cachet_status cachet_p11_public_half(cachet_p11_key *k, const cachet_cert *cert,
                                     cachet_pkey **out_pub, cachet_cert **out_cert,
                                     cachet_error *err);

/* ---- p11_util.c ---- */
/* cachet_p11_rv_name: "CKR_PIN_INCORRECT" or "CKR_<unknown>". */
const char *cachet_p11_rv_name(CK_RV rv);
/* cachet_p11_fail records "|what| failed: CKR_... (|uri|)" as |st|. */
cachet_status cachet_p11_fail(cachet_error *err, cachet_status st, const char *uri,
                              const char *what, CK_RV rv);
/* cachet_p11_redact returns a copy of |uri| without any pin-value attribute. */
char *cachet_p11_redact(const char *uri);
/* cachet_p11_pin finds the PIN: the URI's pin-value, its pin-source (file:PATH
 * or an absolute path), else $CACHET_PIN. |*have| false when none is given. */
cachet_status cachet_p11_pin(P11KitUri *uri, const char *uri_text, char *out, size_t out_len,
                             bool *have, cachet_error *err);
/* cachet_p11_trim copies a blank-padded PKCS#11 string field, trimmed, NUL-terminated. */
void cachet_p11_trim(const unsigned char *field, size_t field_len, char *out, size_t out_len);
/* cachet_p11_get_attr reads one attribute of |obj| into a cachet_malloc'd buffer
 * (at most CACHET_P11_MAX_ATTR bytes). */
CK_RV cachet_p11_get_attr(CK_FUNCTION_LIST *m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj,
                          CK_ATTRIBUTE_TYPE type, uint8_t **out, size_t *out_len);

/* ---- p11_der.c: the DER the token does not speak ---- */
/* cachet_p11_digest_info writes the RFC 8017 §9.2 DigestInfo of |digest|. */
bool cachet_p11_digest_info(cachet_md md, const uint8_t *digest, size_t len, cachet_membuf *out);
/* cachet_p11_ecdsa_der turns the token's r || s into a DER Ecdsa-Sig-Value. */
bool cachet_p11_ecdsa_der(const uint8_t *rs, size_t len, cachet_membuf *out);
/* cachet_p11_rsa_spki builds the SubjectPublicKeyInfo of modulus |n| and exponent |e|. */
bool cachet_p11_rsa_spki(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                         cachet_membuf *out);
/* cachet_p11_ec_spki builds the SubjectPublicKeyInfo from CKA_EC_PARAMS (a
 * named curve OID: P-256/384/521 or Ed25519/Ed448) and CKA_EC_POINT (DER
 * OCTET STRING, or the raw point as some tokens give it). */
bool cachet_p11_ec_spki(const uint8_t *params, size_t params_len, const uint8_t *point,
                        size_t point_len, cachet_membuf *out);

#endif
