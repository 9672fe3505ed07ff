/* crypto: the one seam to OpenSSL 3 (EVP, X509, RAND) and zlib. No other module
 * includes OpenSSL headers. Every function drains OpenSSL's error queue into the
 * cachet_error it is given (or clears it), so no stale errors leak upwards.
 * Types are opaque; each _free accepts NULL. */
#ifndef CACHET_CRYPTO_CRYPTO_H
#define CACHET_CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cachet/report.h>

#include "base/base.h"

/* ---- Test mode ---- */
/* cachet_crypto_route_allocations sends OpenSSL's CRYPTO_malloc/realloc/free
 * through cachet_alloc_foreign_* (base.h), so cachet_alloc_fail_after reaches
 * them and they are counted apart from cachet's own. Tests only, first thing in
 * main: false once OpenSSL has allocated anything (it then refuses). */
bool cachet_crypto_route_allocations(void);

/* ---- Randomness ---- */
cachet_status cachet_random(uint8_t *out, size_t len, cachet_error *err);

/* ---- Digests ---- */
typedef enum cachet_md {
    CACHET_MD_NONE = 0,
    CACHET_MD_MD5,
    CACHET_MD_SHA1,
    CACHET_MD_SHA224,
    CACHET_MD_SHA256,
    CACHET_MD_SHA384,
    CACHET_MD_SHA512,
    /* SHAKE256 with a 512-bit output (FIPS 202; RFC 8419 §2.3, Ed448 in CMS) */
    CACHET_MD_SHAKE256_512,
} cachet_md;
#define CACHET_MD_MAX_SIZE 64

size_t cachet_md_size(cachet_md md);
const char *cachet_md_name(cachet_md md); /* "sha256" */
typedef struct cachet_md_ctx cachet_md_ctx;
cachet_md_ctx *cachet_md_new(cachet_md md, cachet_error *err);
bool cachet_md_update(cachet_md_ctx *ctx, const void *data, size_t len);
/* cachet_md_final writes cachet_md_size() bytes to |out|. */
bool cachet_md_final(cachet_md_ctx *ctx, uint8_t *out);
void cachet_md_free(cachet_md_ctx *ctx);
/* cachet_md_oneshot digests |len| bytes. */
bool cachet_md_oneshot(cachet_md md, const void *data, size_t len, uint8_t *out);

/* ---- Symmetric ciphers (streaming) ---- */
typedef enum cachet_cipher {
    CACHET_CIPHER_NONE = 0,
    CACHET_CIPHER_AES128_CBC,
    CACHET_CIPHER_AES192_CBC,
    CACHET_CIPHER_AES256_CBC,
    CACHET_CIPHER_AES128_GCM,
    CACHET_CIPHER_AES192_GCM,
    CACHET_CIPHER_AES256_GCM,
    CACHET_CIPHER_DES_EDE3_CBC, /* legacy: decrypt only, behind policy */
    /* added for issue 5 */
    CACHET_CIPHER_AES128_CCM, /* one-shot only: cachet_aes_ccm */
    CACHET_CIPHER_AES192_CCM,
    CACHET_CIPHER_AES256_CCM,
    CACHET_CIPHER_CHACHA20_POLY1305, /* streaming AEAD, 12-byte nonce, 16-byte tag */
    /* legacy (decrypt only, behind policy; DES, RC2, CAST5, IDEA and SEED come
     * from OpenSSL's legacy provider, loaded into a private library context) */
    CACHET_CIPHER_DES_CBC,
    CACHET_CIPHER_RC2_CBC,   /* key 1..128 bytes, effective bits from the parameters */
    CACHET_CIPHER_CAST5_CBC, /* key 5..16 bytes */
    CACHET_CIPHER_IDEA_CBC,
    CACHET_CIPHER_SEED_CBC,
    CACHET_CIPHER_CAMELLIA128_CBC,
    CACHET_CIPHER_CAMELLIA192_CBC,
    CACHET_CIPHER_CAMELLIA256_CBC,
} cachet_cipher;

size_t cachet_cipher_key_len(cachet_cipher c);
size_t cachet_cipher_iv_len(cachet_cipher c); /* CBC: block size; GCM: 12 (default nonce) */
size_t cachet_cipher_block_size(cachet_cipher c);
bool cachet_cipher_is_aead(cachet_cipher c);
const char *cachet_cipher_name(cachet_cipher c); /* "aes-256-gcm" */

typedef struct cachet_cipher_ctx cachet_cipher_ctx;
/* cachet_cipher_new starts encryption or decryption. For GCM, |iv_len| may be 1..64
 * (the nonce); CBC needs exactly the block size. PKCS#7 padding for CBC. */
cachet_cipher_ctx *cachet_cipher_new(cachet_cipher c, bool encrypt, const uint8_t *key,
                                     size_t key_len, const uint8_t *iv, size_t iv_len,
                                     cachet_error *err);
/* cachet_cipher_aad adds additional authenticated data (GCM only, before any update). */
bool cachet_cipher_aad(cachet_cipher_ctx *ctx, const uint8_t *aad, size_t len);
/* cachet_cipher_update: |out| must have room for len + block size bytes. */
bool cachet_cipher_update(cachet_cipher_ctx *ctx, const uint8_t *in, size_t len, uint8_t *out,
                          size_t *out_len);
/* cachet_cipher_set_tag sets the expected tag for GCM decryption (before final). */
bool cachet_cipher_set_tag(cachet_cipher_ctx *ctx, const uint8_t *tag, size_t len);
/* cachet_cipher_final: |out| must have room for one block. Returns false on bad
 * padding (CBC) or tag mismatch (GCM decrypt). */
bool cachet_cipher_final(cachet_cipher_ctx *ctx, uint8_t *out, size_t *out_len);
/* cachet_cipher_get_tag reads the tag after final (GCM encryption), |len| 12..16. */
bool cachet_cipher_get_tag(cachet_cipher_ctx *ctx, uint8_t *tag, size_t len);
void cachet_cipher_free(cachet_cipher_ctx *ctx);

/* ---- Added for issue 5: more ciphers ---- */
/* cachet_cipher_is_legacy: 3DES, DES, RC2, CAST5, IDEA, SEED, Camellia (decrypt
 * only, accepted only with the weak/legacy policy). */
bool cachet_cipher_is_legacy(cachet_cipher c);
/* cachet_cipher_key_len_ok: |len| is a valid key length for |c| (fixed length,
 * or the RC2/CAST5 ranges above). */
bool cachet_cipher_key_len_ok(cachet_cipher c, size_t len);
typedef struct cachet_cipher_params {
    unsigned rc2_effective_bits; /* RC2 only: 1..1024; 0 = key_len * 8 */
    bool no_padding;             /* CBC without PKCS#7 padding (RFC 3211 key wrap) */
} cachet_cipher_params;
/* cachet_cipher_new_ex is cachet_cipher_new with |params| (NULL = defaults).
 * A legacy cipher the OpenSSL build cannot provide: NULL, CACHET_ERR_UNSUPPORTED. */
cachet_cipher_ctx *cachet_cipher_new_ex(cachet_cipher c, bool encrypt, const uint8_t *key,
                                        size_t key_len, const uint8_t *iv, size_t iv_len,
                                        const cachet_cipher_params *params, cachet_error *err);
/* cachet_aes_ccm encrypts or decrypts |len| bytes in one call (CCM needs the
 * length first, RFC 5084 §3.1): nonce 7..13 bytes, tag 4..16 (even). Encrypt
 * writes |tag|; decrypt checks it and returns false on mismatch (|out|, which
 * needs |len| bytes, is then cleansed). |c| is one of the AES*_CCM values. */
bool cachet_aes_ccm(cachet_cipher c, bool encrypt, const uint8_t *key, size_t key_len,
                    const uint8_t *nonce, size_t nonce_len, const uint8_t *in, size_t len,
                    uint8_t *out, uint8_t *tag, size_t tag_len, cachet_error *err);
/* cachet_aes_ccm_aad is cachet_aes_ccm with additional authenticated data
 * (the DER authAttrs of AuthEnvelopedData, RFC 5083 §2.2); |aad| may be NULL
 * when |aad_len| is 0. */
bool cachet_aes_ccm_aad(cachet_cipher c, bool encrypt, const uint8_t *key, size_t key_len,
                        const uint8_t *nonce, size_t nonce_len, const uint8_t *aad, size_t aad_len,
                        const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag, size_t tag_len,
                        cachet_error *err);

/* ---- AES key wrap (RFC 3394, no padding) ---- */
/* |out| needs in_len + 8 bytes for wrap; in_len - 8 for unwrap. */
bool cachet_aes_wrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                     uint8_t *out, size_t *out_len, cachet_error *err);
bool cachet_aes_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                       uint8_t *out, size_t *out_len, cachet_error *err);

/* ---- Added for issue 5: AES key wrap with padding (RFC 5649), 3DES key wrap
 * (RFC 3217, unwrap only, legacy) ---- */
/* |out| needs in_len rounded up to a multiple of 8, plus 8 for wrap; in_len for unwrap. */
bool cachet_aes_wrap_pad(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                         uint8_t *out, size_t *out_len, cachet_error *err);
bool cachet_aes_unwrap_pad(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                           uint8_t *out, size_t *out_len, cachet_error *err);
/* |kek| is 24 bytes; |out| needs in_len bytes. */
bool cachet_des3_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
                        uint8_t *out, size_t *out_len, cachet_error *err);

/* ---- KDFs ---- */
/* HKDF (RFC 5869) with |md|: Extract(salt, ikm) then Expand(info) to |out_len|
 * bytes. |salt| may be NULL (then a string of zeros, as RFC 5869 says). */
bool cachet_hkdf(cachet_md md, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                 size_t ikm_len, const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len,
                 cachet_error *err);
/* PBKDF2 (RFC 8018 §5.2) with HMAC-|prf|; |iterations| >= 1 (the caller bounds it). */
bool cachet_pbkdf2(cachet_md prf, const uint8_t *pass, size_t pass_len, const uint8_t *salt,
                   size_t salt_len, uint64_t iterations, uint8_t *out, size_t out_len,
                   cachet_error *err);
/* ANSI X9.63 KDF (RFC 5753 §7.2): |out_len| bytes from |secret| and |shared_info|. */
bool cachet_x963_kdf(cachet_md md, const uint8_t *secret, size_t secret_len,
                     const uint8_t *shared_info, size_t info_len, uint8_t *out, size_t out_len,
                     cachet_error *err);

/* ---- zlib (RFC 3274 uses the zlib format, RFC 1950) ---- */
typedef struct cachet_zstream cachet_zstream;
cachet_zstream *cachet_zstream_new(bool compress, cachet_error *err);
/* cachet_zstream_update feeds |len| bytes and calls |sink| with what comes out. */
cachet_status cachet_zstream_update(cachet_zstream *z, const uint8_t *in, size_t len,
                                    const cachet_sink *sink, cachet_error *err);
/* cachet_zstream_finish flushes (compress) or checks the stream ended (decompress). */
cachet_status cachet_zstream_finish(cachet_zstream *z, const cachet_sink *sink, cachet_error *err);
uint64_t cachet_zstream_total_in(const cachet_zstream *z);
uint64_t cachet_zstream_total_out(const cachet_zstream *z);
void cachet_zstream_free(cachet_zstream *z);

/* ---- Keys ---- */
typedef enum cachet_key_type {
    CACHET_KEY_NONE = 0,
    CACHET_KEY_RSA,
    CACHET_KEY_RSA_PSS, /* an id-RSASSA-PSS key */
    CACHET_KEY_EC,
    CACHET_KEY_ED25519,
    CACHET_KEY_ED448,
    CACHET_KEY_X25519,
    CACHET_KEY_X448,
    CACHET_KEY_DSA,
} cachet_key_type;

typedef enum cachet_curve {
    CACHET_CURVE_NONE = 0,
    CACHET_CURVE_P256,
    CACHET_CURVE_P384,
    CACHET_CURVE_P521,
} cachet_curve;

typedef struct cachet_pkey cachet_pkey;
/* cachet_pkey_load_private reads a private key: PEM or DER, PKCS#8 (encrypted or
 * not) or traditional (RSA/EC). |pass| may be NULL. */
cachet_status cachet_pkey_load_private(const uint8_t *data, size_t len, const char *pass,
                                       cachet_pkey **out, cachet_error *err);
/* cachet_pkey_from_spki parses a DER SubjectPublicKeyInfo. */
cachet_status cachet_pkey_from_spki(const uint8_t *der, size_t len, cachet_pkey **out,
                                    cachet_error *err);
/* cachet_pkey_from_ec_point builds a public key on |curve| from an encoded point. */
cachet_status cachet_pkey_from_ec_point(cachet_curve curve, const uint8_t *point, size_t len,
                                        cachet_pkey **out, cachet_error *err);
/* cachet_pkey_generate_ec makes an ephemeral key pair on |curve|. */
cachet_status cachet_pkey_generate_ec(cachet_curve curve, cachet_pkey **out, cachet_error *err);
/* cachet_pkey_ec_point writes the uncompressed public point (0x04 || X || Y). */
bool cachet_pkey_ec_point(const cachet_pkey *key, cachet_membuf *out);
cachet_key_type cachet_pkey_type(const cachet_pkey *key);
unsigned cachet_pkey_bits(const cachet_pkey *key);
cachet_curve cachet_pkey_curve(const cachet_pkey *key);
/* cachet_pkey_matches is true if both hold the same public key. */
bool cachet_pkey_matches(const cachet_pkey *a, const cachet_pkey *b);
cachet_pkey *cachet_pkey_up_ref(cachet_pkey *key);
void cachet_pkey_free(cachet_pkey *key);

/* ---- Signatures ---- */
typedef enum cachet_sig_scheme {
    CACHET_SIG_NONE = 0,
    CACHET_SIG_RSA_PKCS1,
    CACHET_SIG_RSA_PSS, /* salt length = digest length, MGF1 with the same digest */
    CACHET_SIG_ECDSA,
    CACHET_SIG_ED25519,
    CACHET_SIG_ED448,
    CACHET_SIG_DSA,
} cachet_sig_scheme;

typedef struct cachet_pss_params {
    cachet_md md;
    cachet_md mgf1_md;
    unsigned salt_len;
    unsigned trailer; /* must be 1 */
} cachet_pss_params;

/* cachet_sign signs |msg| (hashing it with |md|; EdDSA signs it whole).
 * |pss| is used with CACHET_SIG_RSA_PSS (NULL = defaults above). */
cachet_status cachet_sign(const cachet_pkey *key, cachet_sig_scheme scheme, cachet_md md,
                          const cachet_pss_params *pss, const uint8_t *msg, size_t msg_len,
                          cachet_membuf *sig, cachet_error *err);
/* cachet_verify checks |sig| over |msg|; true only if it verifies. */
bool cachet_verify(const cachet_pkey *key, cachet_sig_scheme scheme, cachet_md md,
                   const cachet_pss_params *pss, const uint8_t *msg, size_t msg_len,
                   const uint8_t *sig, size_t sig_len);
/* cachet_verify_digest checks |sig| over a precomputed digest (RSA, PSS, ECDSA,
 * DSA; used when a SignerInfo has no signed attributes). */
bool cachet_verify_digest(const cachet_pkey *key, cachet_sig_scheme scheme, cachet_md md,
                          const cachet_pss_params *pss, const uint8_t *digest, size_t digest_len,
                          const uint8_t *sig, size_t sig_len);

/* ---- RSA key transport ---- */
typedef struct cachet_oaep_params {
    cachet_md md; /* default SHA-1 per RFC 3560, we send SHA-256 */
    cachet_md mgf1_md;
    const uint8_t *label;
    size_t label_len;
} cachet_oaep_params;

/* cachet_rsa_encrypt: PKCS#1 v1.5 when |oaep| is NULL, else RSAES-OAEP. */
cachet_status cachet_rsa_encrypt(const cachet_pkey *key, const cachet_oaep_params *oaep,
                                 const uint8_t *in, size_t in_len, cachet_membuf *out,
                                 cachet_error *err);
/* cachet_rsa_decrypt_key decrypts a content-encryption key of |key_len| bytes into
 * |out|. For PKCS#1 v1.5 it never reveals a padding failure: on any failure, or a
 * wrong length, |out| gets a stand-in key and the call still succeeds (RFC 3218
 * §2.3.2), in constant time with respect to the padding check. The stand-in is
 * derived from the private key and |in| (the same ciphertext always gets the
 * same one: issue 8); for external keys it is random. OAEP failures return false. */
bool cachet_rsa_decrypt_key(const cachet_pkey *key, const cachet_oaep_params *oaep,
                            const uint8_t *in, size_t in_len, uint8_t *out, size_t key_len);

/* ---- ECDH ---- */
/* cachet_ecdh writes the shared secret (X coordinate, field size bytes; for
 * X25519/X448 keys the RFC 7748 output, 32/56 bytes, refusing an all-zero one). */
cachet_status cachet_ecdh(const cachet_pkey *priv, const cachet_pkey *peer, cachet_membuf *out,
                          cachet_error *err);

/* ---- Certificates ---- */
typedef struct cachet_cert cachet_cert;
/* cachet_cert_parse reads one DER certificate (copied). */
cachet_status cachet_cert_parse(const uint8_t *der, size_t len, cachet_cert **out,
                                cachet_error *err);
/* A memo of parsed certificates keyed by their DER bytes (cert_cache.c), owned
 * by its creator (one per cachet_ctx): parsing the same bytes through it again
 * gives the certificate parsed before (a new reference) instead of decoding
 * them anew. Bounded (the least recently used are forgotten; certificates over
 * 8 KiB are not kept); thread-safe (its own mutex). */
typedef struct cachet_cert_cache cachet_cert_cache;
cachet_cert_cache *cachet_cert_cache_new(void);
void cachet_cert_cache_free(cachet_cert_cache *cache);
/* cachet_cert_parse_cached is cachet_cert_parse through |cache|; with a NULL
 * |cache| the bytes are parsed every time. */
cachet_status cachet_cert_parse_cached(cachet_cert_cache *cache, const uint8_t *der, size_t len,
                                       cachet_cert **out, cachet_error *err);
/* cachet_cert_list is a growable array of certificate references. */
typedef struct cachet_cert_list {
    cachet_cert **certs;
    size_t num;
    size_t cap;
} cachet_cert_list;
bool cachet_cert_list_push(cachet_cert_list *list, cachet_cert *cert); /* takes a reference */
void cachet_cert_list_clear(cachet_cert_list *list);
/* cachet_cert_load reads every certificate in |data| (PEM with one or more
 * CERTIFICATE blocks, or one DER certificate) and appends it to |list|. */
cachet_status cachet_cert_load(const uint8_t *data, size_t len, cachet_cert_list *list,
                               cachet_error *err);
/* cachet_pkcs12_load reads a PKCS#12 file: the key, its certificate and any others. */
cachet_status cachet_pkcs12_load(const uint8_t *data, size_t len, const char *pass,
                                 cachet_pkey **out_key, cachet_cert **out_cert,
                                 cachet_cert_list *out_chain, cachet_error *err);
const uint8_t *cachet_cert_der(const cachet_cert *cert, size_t *out_len);
/* DER of the issuer Name and contents of the serialNumber INTEGER. */
const uint8_t *cachet_cert_issuer_der(const cachet_cert *cert, size_t *out_len);
const uint8_t *cachet_cert_serial_der(const cachet_cert *cert, size_t *out_len);
/* cachet_cert_ski: the subjectKeyIdentifier extension value, if present. */
bool cachet_cert_ski(const cachet_cert *cert, const uint8_t **out, size_t *out_len);
/* cachet_cert_rid_clash names what two different certificates share that a
 * RecipientIdentifier names a certificate by (RFC 5652 §6.2.1): "issuer and
 * serial number", "subjectKeyIdentifier", or NULL (also for the same DER). Two
 * certificates of one key may share a subjectKeyIdentifier (a renewal): the
 * caller compares the keys. */
const char *cachet_cert_rid_clash(const cachet_cert *a, const cachet_cert *b);
/* cachet_cert_pkey returns the certificate's public key (a new reference). */
cachet_pkey *cachet_cert_pkey(const cachet_cert *cert);
/* cachet_cert_subject writes the subject as RFC 2253 text. */
void cachet_cert_subject(const cachet_cert *cert, char *out, size_t out_len);
/* cachet_cert_emails lists the addresses of SAN rfc822Name and subject emailAddress
 * (each a cachet_malloc'd string; free with cachet_cert_emails_free). Entries with
 * NUL or control characters are dropped. */
size_t cachet_cert_emails(const cachet_cert *cert, char ***out);
void cachet_cert_emails_free(char **emails, size_t num);
/* cachet_cert_sha256 writes the SHA-256 of the DER certificate (32 bytes). */
void cachet_cert_sha256(const cachet_cert *cert, uint8_t out[32]);
/* Key usage checks for recipient selection (absent extension = allowed). */
bool cachet_cert_allows_key_encipherment(const cachet_cert *cert);
bool cachet_cert_allows_key_agreement(const cachet_cert *cert);
bool cachet_cert_allows_email_protection(const cachet_cert *cert); /* EKU absent or has it */
/* Validity period (seconds since the epoch). */
void cachet_cert_validity(const cachet_cert *cert, int64_t *not_before, int64_t *not_after);
cachet_cert *cachet_cert_up_ref(cachet_cert *cert);
/* Public in cachet/smime.h too, which this header does not include: */
void cachet_cert_free(cachet_cert *cert); /* NOLINT(readability-redundant-declaration) */

/* ---- Trust and path validation ---- */

typedef struct cachet_trust cachet_trust;
cachet_trust *cachet_trust_new(cachet_error *err);
/* cachet_trust_add_certs adds every certificate of a PEM/DER file as an anchor. */
cachet_status cachet_trust_add_file(cachet_trust *trust, const char *path, cachet_error *err);
cachet_status cachet_trust_add_cert(cachet_trust *trust, cachet_cert *cert, cachet_error *err);
/* cachet_trust_add_system adds the system's default CA store. */
cachet_status cachet_trust_add_system(cachet_trust *trust, cachet_error *err);
/* cachet_trust_verify validates |leaf| with |untrusted| as intermediates at time
 * |at| for S/MIME signing (purpose smimesign) and writes a human reason to
 * |detail| on failure. Weak keys and certificate signatures anywhere in the path
 * (RSA/DSA < 2048 bits, MD5, SHA-1) make the path invalid. */
cachet_chain_status cachet_trust_verify(const cachet_trust *trust, const cachet_cert *leaf,
                                        const cachet_cert_list *untrusted, int64_t at, char *detail,
                                        size_t detail_len);
/* cachet_trust_verify_policy is cachet_trust_verify that, with |allow_weak|,
 * accepts a path refused only for weakness and then sets |*weak|. */
cachet_chain_status cachet_trust_verify_policy(const cachet_trust *trust, const cachet_cert *leaf,
                                               const cachet_cert_list *untrusted, int64_t at,
                                               bool allow_weak, bool *weak, char *detail,
                                               size_t detail_len);
/* cachet_trust_verify_recipient validates the path of an encryption
 * certificate: as cachet_trust_verify_policy but without the S/MIME signing
 * purpose (the caller checks the leaf's key usage and emailProtection). */
cachet_chain_status cachet_trust_verify_recipient(const cachet_trust *trust,
                                                  const cachet_cert *leaf,
                                                  const cachet_cert_list *untrusted, int64_t at,
                                                  bool allow_weak, bool *weak, char *detail,
                                                  size_t detail_len);
void cachet_trust_free(cachet_trust *trust);

/* ==== Added for the certificate store (issue 3) ==== */

/* ---- More certificate fields (crypto/cert_fields.c) ---- */
/* Key usage bits, our own numbering (the same values as CACHET_KU_* in store/). */
#define CACHET_CERT_KU_DIGITAL_SIGNATURE 0x0001u
#define CACHET_CERT_KU_NON_REPUDIATION 0x0002u
#define CACHET_CERT_KU_KEY_ENCIPHERMENT 0x0004u
#define CACHET_CERT_KU_DATA_ENCIPHERMENT 0x0008u
#define CACHET_CERT_KU_KEY_AGREEMENT 0x0010u
#define CACHET_CERT_KU_KEY_CERT_SIGN 0x0020u
#define CACHET_CERT_KU_CRL_SIGN 0x0040u
#define CACHET_CERT_KU_ENCIPHER_ONLY 0x0080u
#define CACHET_CERT_KU_DECIPHER_ONLY 0x0100u
#define CACHET_CERT_KU_ABSENT 0x8000u
/* cachet_cert_key_usage: the KeyUsage bits, or CACHET_CERT_KU_ABSENT alone. */
unsigned cachet_cert_key_usage(const cachet_cert *cert);
/* cachet_cert_issuer writes the issuer as RFC 2253 text. */
void cachet_cert_issuer(const cachet_cert *cert, char *out, size_t out_len);
/* cachet_cert_aki: the keyIdentifier of authorityKeyIdentifier, if present. */
bool cachet_cert_aki(const cachet_cert *cert, const uint8_t **out, size_t *out_len);
/* cachet_cert_is_ca: basicConstraints with cA true. */
bool cachet_cert_is_ca(const cachet_cert *cert);
/* cachet_cert_issued_by: |issuer|'s subject names |cert|'s issuer, the key
 * identifiers agree, and |issuer|'s key verifies |cert|'s signature. */
bool cachet_cert_issued_by(const cachet_cert *cert, const cachet_cert *issuer);
/* cachet_cert_crl_urls / cachet_cert_ocsp_urls list the http:// URLs of the CRL
 * distribution points / the AIA id-ad-ocsp entries (cachet_malloc'd strings, at
 * most 8; free with cachet_cert_emails_free). */
size_t cachet_cert_crl_urls(const cachet_cert *cert, char ***out);
size_t cachet_cert_ocsp_urls(const cachet_cert *cert, char ***out);
/* cachet_cert_smime_caps: the DER SMIMECapabilities value of the RFC 4262
 * certificate extension (OID 1.2.840.113549.1.9.15), if present. */
bool cachet_cert_smime_caps(const cachet_cert *cert, const uint8_t **out, size_t *out_len);
/* cachet_cert_common_name: how many commonName attributes the subject has; when
 * exactly one, its value as UTF-8 in |out| (control characters replaced by '?',
 * truncated to fit), else "" (RFC 3183 §3.1.1 "There MUST be only one CN"). */
size_t cachet_cert_common_name(const cachet_cert *cert, char *out, size_t out_len);

/* ---- Key generation and writing (crypto/keygen.c) ---- */
/* cachet_pkey_generate makes a key from |spec|: "rsa:BITS" (2048..8192),
 * "ec:P-256", "ec:P-384", "ec:P-521", "ed25519", "ed448", "x25519", "x448".
 * Bad spec: CACHET_ERR_USAGE. */
cachet_status cachet_pkey_generate(const char *spec, cachet_pkey **out, cachet_error *err);
/* cachet_pkey_spec_check: CACHET_OK when cachet_pkey_generate accepts |spec|, else its
 * CACHET_ERR_USAGE and message; nothing is generated (an RSA-8192 key can take a minute). */
cachet_status cachet_pkey_spec_check(const char *spec, cachet_error *err);
/* cachet_pkey_write_private writes PKCS#8 PEM, encrypted (AES-256-CBC, PBKDF2)
 * when |pass| is not NULL. |out| is reset first; the caller cleanses it. */
cachet_status cachet_pkey_write_private(const cachet_pkey *key, const char *pass,
                                        cachet_membuf *out, cachet_error *err);

/* ---- PKCS#10 certificate requests (crypto/request.c) ---- */
/* cachet_request_build writes a DER CertificationRequest for |email|: subject
 * CN=|email|, an extensionRequest with subjectAltName rfc822Name |email|, keyUsage
 * (digitalSignature, plus keyEncipherment for RSA / keyAgreement for EC) and
 * extendedKeyUsage emailProtection; signed with SHA-256 (pure EdDSA for Ed25519). */
cachet_status cachet_request_build(const cachet_pkey *key, const char *email, cachet_membuf *der,
                                   cachet_error *err);

/* ---- Keys whose private half lives elsewhere (a PKCS#11 token; crypto/pkey_ext.c) ---- */
typedef struct cachet_pkey_ops {
    /* sign: |tbs| is the digest under |md|, or (EdDSA, md NONE) the whole message;
     * |sig| gets the signature in its CMS encoding (ECDSA: DER Ecdsa-Sig-Value). */
    cachet_status (*sign)(void *arg, cachet_sig_scheme scheme, cachet_md md,
                          const cachet_pss_params *pss, const uint8_t *tbs, size_t tbs_len,
                          cachet_membuf *sig, cachet_error *err);
    /* decrypt: RSA key transport (|oaep| NULL = PKCS#1 v1.5); false on any failure. */
    bool (*decrypt)(void *arg, const cachet_oaep_params *oaep, const uint8_t *in, size_t in_len,
                    cachet_membuf *out);
    /* derive: ECDH with |peer| (an EC, X25519 or X448 public key); |secret| gets the
     * X coordinate (EC) or the 32/56-byte RFC 7748 output (X25519/X448). */
    cachet_status (*derive)(void *arg, const cachet_pkey *peer, cachet_membuf *secret,
                            cachet_error *err);
    void (*free_arg)(void *arg);
} cachet_pkey_ops;
/* cachet_pkey_new_external makes a private key from |pub| (its public half, a
 * new reference is taken) whose private operations call |ops| with |arg|
 * (owned: freed with ops->free_arg). cachet_sign, cachet_rsa_decrypt_key and
 * cachet_ecdh dispatch to it; type, bits, curve and matches use |pub|. */
cachet_pkey *cachet_pkey_new_external(const cachet_pkey *pub, const cachet_pkey_ops *ops, void *arg,
                                      cachet_error *err);
bool cachet_pkey_is_external(const cachet_pkey *key);

/* ---- Added for issue 5: X25519 / X448 (RFC 8418) ---- */
/* cachet_pkey_generate_x makes an ephemeral CACHET_KEY_X25519 or CACHET_KEY_X448 pair. */
cachet_status cachet_pkey_generate_x(cachet_key_type type, cachet_pkey **out, cachet_error *err);
/* cachet_pkey_from_raw_public builds an X25519/X448 public key from its raw
 * encoding (32/56 bytes). */
cachet_status cachet_pkey_from_raw_public(cachet_key_type type, const uint8_t *raw, size_t len,
                                          cachet_pkey **out, cachet_error *err);
/* cachet_pkey_raw_public writes the raw public key of an X25519/X448 key. */
bool cachet_pkey_raw_public(const cachet_pkey *key, cachet_membuf *out);

#endif
