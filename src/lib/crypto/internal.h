/* crypto: private declarations shared by the files of this module. Only this
 * module includes OpenSSL headers. */
#ifndef CACHET_CRYPTO_INTERNAL_H
#define CACHET_CRYPTO_INTERNAL_H

#include <stdatomic.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"

/* Inputs larger than this are refused before OpenSSL sees them (keys, certs,
 * PKCS#12 files, trust files). */
#define CACHET_CRYPTO_MAX_OBJECT (16u * 1024u * 1024u)
/* A PEM bundle or PKCS#12 holds at most this many certificates. */
#define CACHET_CRYPTO_MAX_CERTS 4096u
/* Addresses taken from one certificate. */
#define CACHET_CRYPTO_MAX_EMAILS 64u

/* An external key (pkey_ext.c) holds only its public half in |pkey|; its
 * private operations go to |ext|. */
typedef struct cachet_pkey_ext cachet_pkey_ext;

struct cachet_pkey {
    EVP_PKEY *pkey;
    atomic_uint refs;
    cachet_pkey_ext *ext; /* NULL for keys OpenSSL holds */
    /* cachet_pkey_type, found once when wrapped: asking OpenSSL is a series of
     * name lookups under its locks, and every operation asks several times */
    cachet_key_type type;
    cachet_curve curve; /* likewise (EC keys; NONE otherwise) */
};

struct cachet_cert {
    X509 *x509;
    uint8_t *der; /* our own copy of the encoding we were given */
    size_t der_len;
    uint8_t *issuer;
    size_t issuer_len;
    uint8_t *serial; /* contents octets of the serialNumber INTEGER */
    size_t serial_len;
    /* computed once when parsed, so that a fingerprint is never "unavailable"
     * later (a failed hash once wrote zeros into signingCertificateV2) */
    uint8_t sha256[32];
    /* the public key, wrapped once (NULL when OpenSSL cannot decode it):
     * cachet_cert_pkey hands out references to it */
    cachet_pkey *pub;
    atomic_uint refs;
};

/* The memo of parsed certificates (cert_cache.c): _get returns a new reference
 * to the certificate parsed earlier through |cache| from exactly |der| (whose
 * SHA-256 is |sha256|), or NULL; _put remembers |cert| (a reference of its own
 * is taken). Both do nothing with a NULL |cache|. Thread-safe. */
cachet_cert *cachet_crypto_cert_cache_get(cachet_cert_cache *cache, const uint8_t sha256[32],
                                          const uint8_t *der, size_t len);
void cachet_crypto_cert_cache_put(cachet_cert_cache *cache, cachet_cert *cert);

/* cachet_crypto_fail records |what| plus OpenSSL's latest reason in |err|, then
 * empties OpenSSL's error queue. Returns |st|. */
cachet_status cachet_crypto_fail(cachet_error *err, cachet_status st, const char *where,
                                 const char *what);
/* cachet_crypto_wrap_run runs the key wrap cipher |name| (an OpenSSL fetch name:
 * AES-*-WRAP, AES-*-WRAP-PAD, DES3-WRAP) over |in|; |out| has room for |out_cap|
 * bytes and is cleansed on failure. An unwrap failure (integrity check) is
 * CACHET_ERR_DECRYPT. (keywrap.c) */
bool cachet_crypto_wrap_run(const char *where, const char *name, bool wrap, const uint8_t *kek,
                            const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                            size_t *out_len, cachet_error *err);
/* cachet_crypto_reason copies OpenSSL's latest reason (or "no detail") to |out|
 * without clearing the queue. */
void cachet_crypto_reason(char *out, size_t out_len);

/* cachet_md_ossl_name is the OpenSSL fetch name of |md| (NULL for NONE). */
const char *cachet_md_ossl_name(cachet_md md);
/* cachet_md_fetch fetches |md| from the default library context (free with EVP_MD_free). */
EVP_MD *cachet_md_fetch(cachet_md md);

/* cachet_crypto_legacy_libctx is the private library context holding OpenSSL's
 * "legacy" and "default" providers (cipher_legacy.c), loaded once; NULL when
 * the legacy provider cannot be loaded. Never the process-wide default. */
OSSL_LIB_CTX *cachet_crypto_legacy_libctx(void);

/* cachet_crypto_cipher_fetch fetches |c| from the library context it lives in
 * (cipher.c); NULL with CACHET_ERR_UNSUPPORTED naming it when unavailable. */
EVP_CIPHER *cachet_crypto_cipher_fetch(cachet_cipher c, cachet_error *err);

/* cachet_pkey_wrap takes ownership of |pkey| (freed on failure). */
cachet_pkey *cachet_pkey_wrap(EVP_PKEY *pkey);
/* cachet_pkey_wrap_out wraps |pkey| (as cachet_pkey_wrap) into |*out| and
 * empties OpenSSL's error queue; CACHET_ERR_NOMEM (at |where|) on failure. */
cachet_status cachet_pkey_wrap_out(EVP_PKEY *pkey, const char *where, cachet_pkey **out,
                                   cachet_error *err);
/* cachet_cert_from_x509 builds a cachet_cert from |x| (not consumed). */
cachet_status cachet_cert_from_x509(X509 *x, cachet_cert **out, cachet_error *err);

/* Certificate field helpers (cert.c), shared with cert_fields.c and
 * revocation.c. cachet_crypto_name_text writes |name| as RFC 2253 text,
 * truncated to |out_len| - 1 bytes ("" when it cannot be printed). */
void cachet_crypto_name_text(const X509_NAME *name, char *out, size_t out_len);
/* cachet_crypto_time_epoch: seconds since 1970 of |t|; 0 when NULL or unreadable. */
int64_t cachet_crypto_time_epoch(const ASN1_TIME *t);
/* cachet_crypto_key_id points |out| at the octets of a key identifier got
 * from OpenSSL (clearing its error queue); false when absent or empty. */
bool cachet_crypto_key_id(const ASN1_OCTET_STRING *id, const uint8_t **out, size_t *out_len);

/* External keys (pkey_ext.c): the private operations of cachet_sign,
 * cachet_rsa_decrypt_key and cachet_ecdh once their arguments are checked. */
void cachet_pkey_ext_free(cachet_pkey_ext *ext);
cachet_status cachet_pkey_ext_sign(const cachet_pkey *key, cachet_sig_scheme scheme, cachet_md md,
                                   const cachet_pss_params *pss, const uint8_t *msg, size_t msg_len,
                                   cachet_membuf *sig, cachet_error *err);
bool cachet_pkey_ext_decrypt_key(const cachet_pkey *key, const cachet_oaep_params *oaep,
                                 const uint8_t *in, size_t in_len, uint8_t *out, size_t key_len);
cachet_status cachet_pkey_ext_ecdh(const cachet_pkey *priv, const cachet_pkey *peer,
                                   cachet_membuf *out, cachet_error *err);

/* cachet_crypto_all_zero: every byte of |p| is zero, in time independent of
 * the contents (pkey_x.c; RFC 7748 §6 shared secret check). */
bool cachet_crypto_all_zero(const uint8_t *p, size_t len);

/* cachet_ct_mask is all ones when |a| == |b| and zero otherwise, without branching. */
static inline unsigned cachet_ct_eq_mask(size_t a, size_t b) {
    size_t x = a ^ b;
    /* (x | -x) has its top bit set exactly when x != 0. */
    size_t nz = (x | (0 - x)) >> (sizeof(size_t) * 8 - 1);
    return (unsigned)(nz - 1);
}

#endif
