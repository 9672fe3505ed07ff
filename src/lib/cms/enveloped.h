/* enveloped: CMS EnvelopedData (RFC 5652 §6), AuthEnvelopedData (RFC 5083) and
 * EncryptedData (§8), encrypted and decrypted in a streaming way. Key
 * management: RSA key transport with PKCS#1 v1.5 (RFC 3370 §4.2.1) or
 * RSAES-OAEP (RFC 3560); ephemeral-static ECDH (RFC 5753) and X25519/X448 (RFC
 * 8418) with AES key wrap (RFC 3394, RFC 3565); KEKRecipientInfo and
 * PasswordRecipientInfo (RFC 3211). Content encryption: AES-CBC in
 * EnvelopedData and EncryptedData (RFC 3565); AES-GCM and AES-CCM (RFC 5084) and
 * ChaCha20-Poly1305 (RFC 8103) in AuthEnvelopedData; the legacy CBC ciphers
 * (3DES, DES, RC2, CAST5, IDEA, SEED, Camellia) decrypt only, behind
 * policy.allow_weak.
 *
 * Input and output are whole ContentInfo elements (RFC 5652 §3). */
#ifndef CACHET_CMS_ENVELOPED_H
#define CACHET_CMS_ENVELOPED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cachet/report.h>
#include <cachet/sink.h>

#include "cms/cms.h"

/* ---- Secrets other than a certificate's private key (issue 5) -------------- */

/* A key-encryption key shared out of band: KEKRecipientInfo (RFC 5652 §6.2.3),
 * AES key wrap (RFC 3394; RFC 5649 with padding on input) by key length
 * 16/24/32. |id| is kekid.keyIdentifier. */
typedef struct cachet_cms_kek {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *id;
    size_t id_len;
} cachet_cms_kek;

/* A password: PasswordRecipientInfo (RFC 3211 / RFC 5652 §6.2.4). Bytes as
 * given (UTF-8 expected, no normalisation). */
typedef struct cachet_cms_password {
    const uint8_t *pass;
    size_t len;
} cachet_cms_password;

/* Everything that may open a message. The RecipientInfo used is the first one,
 * in message order, that one of these is for: ktri/kari by certs[i] (then
 * keys[i] is used, once), kekri by kek id, pwri when a password is given. No
 * secret is tried on a RecipientInfo that is not addressed to it (BL-02). */
typedef struct cachet_cms_secrets {
    const cachet_pkey *const *keys; /* keys[i] is the private key of certs[i] */
    const cachet_cert *const *certs;
    size_t num_keys;
    const cachet_cms_kek *keks;
    size_t num_keks;
    const cachet_cms_password *password; /* NULL: none */
    /* EncryptedData (RFC 5652 §8): the content-encryption key itself */
    const uint8_t *content_key;
    size_t content_key_len;
} cachet_cms_secrets;

/* Default and bounds of the PBKDF2 iteration count we write. */
#define CACHET_CMS_PBKDF2_DEFAULT_ITERATIONS 600000u

/* ---- Encryption ------------------------------------------------------------ */

/* cachet_cms_encrypt_opts: what cachet_cms_encrypt_new needs. Zero-initialise it,
 * then set recipients; every other field has a usable zero value. */
typedef struct cachet_cms_encrypt_opts {
    /* One RecipientInfo per certificate, in this order. An RSA key gives a
     * KeyTransRecipientInfo, an EC key (P-256/384/521) a KeyAgreeRecipientInfo.
     * Each certificate is checked before anything is written: RSA needs
     * keyEncipherment and EC keyAgreement when KeyUsage is present (ATTACKS B18),
     * RSA keys under 2048 bits need policy.allow_weak. Must not be empty. */
    const cachet_cert_list *recipients; /* may be NULL/empty when keks or
                                         * passwords are given (issue 5) */
    /* CACHET_CIPHER_AES128_CBC / AES192_CBC / AES256_CBC -> EnvelopedData;
     * CACHET_CIPHER_AES*_GCM / AES*_CCM / CHACHA20_POLY1305 -> AuthEnvelopedData
     * (CCM holds the whole content in memory up to limits.max_ccm_content: it
     * needs the length first).
     * CACHET_CIPHER_NONE means AES-256-CBC. Anything else: CACHET_ERR_USAGE. */
    cachet_cipher cipher;
    /* RSA recipients: RSAES-OAEP with SHA-256 and MGF1-SHA-256, parameters written
     * explicitly (RFC 3560 §3), instead of PKCS#1 v1.5 (rsaEncryption, NULL params). */
    bool oaep;
    /* Identify recipients by subjectKeyIdentifier instead of issuerAndSerialNumber
     * (fails with CACHET_ERR_USAGE if a certificate has no SKI extension). */
    bool use_ski;
    /* Inner content type (encryptedContentInfo.contentType); CACHET_OID_UNKNOWN
     * means id-data. With GCM only id-data is accepted (RFC 5083 §2.1 would
     * need authAttrs otherwise). */
    cachet_oid content_type;
    /* Only allow_weak is used (RSA < 2048). NULL = defaults (nothing weak). */
    const cachet_cms_policy *policy;
    /* ---- issue 5 ---- */
    /* One KEKRecipientInfo per entry (id-aes{128,192,256}-wrap by key length),
     * after the certificate recipients. */
    const cachet_cms_kek *keks;
    size_t num_keks;
    /* One PasswordRecipientInfo per entry: PBKDF2 with HMAC-SHA-256, a random
     * 16-byte salt and |pbkdf2_iterations| (0 = the default above), KEK
     * id-alg-PWRI-KEK over AES-256-CBC (RFC 3211 §2.3). */
    const cachet_cms_password *passwords;
    size_t num_passwords;
    uint32_t pbkdf2_iterations;
    /* EncryptedData (RFC 5652 §8) instead: no RecipientInfo at all, the content
     * encrypted with |content_key| (16/24/32 bytes: AES-CBC of that size;
     * |cipher| must then be NONE or the matching AES-CBC). Recipients, keks and
     * passwords must be empty. */
    const uint8_t *content_key;
    size_t content_key_len;
    /* Exactly |content_size| plaintext bytes will be fed: encryptedContent is
     * then one primitive OCTET STRING (its length follows from the cipher: AES-CBC
     * pads to the next block, AEAD ciphertext is as long as the plaintext) and
     * every enclosing length is definite (the whole ContentInfo is DER). Another
     * count fails update or finish with CACHET_ERR_USAGE. */
    bool content_size_known;
    uint64_t content_size;
} cachet_cms_encrypt_opts;

typedef struct cachet_cms_encrypt cachet_cms_encrypt;

/* cachet_cms_encrypt_new checks the recipients, makes a random content-encryption
 * key, writes the ContentInfo header and RecipientInfos to |out| (BER, indefinite
 * lengths) and returns the encryptor. |out| is copied; it must stay valid until
 * the encryptor is freed and is never closed by it. |opts| need not outlive the
 * call. Returns NULL on failure with |err| set (CACHET_ERR_USAGE for a recipient
 * whose key or KeyUsage cannot be used, naming the certificate subject;
 * CACHET_ERR_POLICY for a short RSA key; CACHET_ERR_IO if |out| fails). */
cachet_cms_encrypt *cachet_cms_encrypt_new(const cachet_cms_encrypt_opts *opts,
                                           const cachet_sink *out, cachet_error *err);

/* cachet_cms_encrypt_update encrypts |len| bytes of content; ciphertext goes to
 * |out| as primitive OCTET STRING segments of encryptedContent [0]. After a
 * failure every later call fails. */
cachet_status cachet_cms_encrypt_update(cachet_cms_encrypt *enc, const uint8_t *data, size_t len,
                                        cachet_error *err);

/* cachet_cms_encrypt_finish writes the last ciphertext, the AEAD tag (AuthEnvelopedData)
 * and every end-of-contents octet. After it, the bytes written to |out| are one
 * complete ContentInfo. */
cachet_status cachet_cms_encrypt_finish(cachet_cms_encrypt *enc, cachet_error *err);

/* cachet_cms_encrypt_free releases |enc| and cleanses its keys (NULL accepted). */
void cachet_cms_encrypt_free(cachet_cms_encrypt *enc);

/* ---- Decryption ------------------------------------------------------------ */

typedef struct cachet_cms_decrypt cachet_cms_decrypt;

/* cachet_cms_decrypt_new starts decrypting a ContentInfo (EnvelopedData or
 * AuthEnvelopedData, BER or DER) with |key| and its certificate |cert|. The
 * RecipientInfo is chosen by |cert| only (issuerAndSerialNumber or SKI, RFC 5652
 * §6.2): the private key is used on that one RecipientInfo and never tried on
 * the others (ATTACKS BL-02/BL-03). |key|, |cert|, |policy| (NULL = defaults) and
 * |limits| (NULL = defaults) must outlive the decryptor; |out| is copied and
 * never closed.
 *
 * PLAINTEXT CONTRACT: plaintext is written to |out| while ciphertext arrives and
 * is UNAUTHENTICATED until cachet_cms_decrypt_finish returns CACHET_OK. For CBC,
 * the last block is withheld until its padding is checked (so on a padding
 * failure the sink has seen every block but the last); for GCM and
 * ChaCha20-Poly1305, every byte is released before the tag is checked at the
 * end; CCM releases nothing before its tag checked. On any failure the caller must
 * discard everything the sink received. Returns NULL with |err| set on
 * allocation failure or when |key| is not the private key of |cert|
 * (CACHET_ERR_USAGE). */
/* cachet_cms_decrypt_new_secrets is cachet_cms_decrypt_new with any mix of
 * secrets (above); |s| and everything it points to must outlive the decryptor.
 * It also reads EncryptedData (with s->content_key) and reports it as
 * CACHET_LAYER_ENCRYPTED. CACHET_ERR_NO_RECIPIENT when no RecipientInfo is for
 * any of them (EncryptedData without content_key: the same). */
cachet_cms_decrypt *cachet_cms_decrypt_new_secrets(const cachet_cms_secrets *s,
                                                   const cachet_cms_policy *policy,
                                                   const cachet_cms_limits *limits,
                                                   const cachet_sink *out, cachet_error *err);

cachet_cms_decrypt *cachet_cms_decrypt_new(const cachet_pkey *key, const cachet_cert *cert,
                                           const cachet_cms_policy *policy,
                                           const cachet_cms_limits *limits, const cachet_sink *out,
                                           cachet_error *err);

/* cachet_cms_decrypt_update consumes |len| bytes of the ContentInfo. Errors:
 * CACHET_ERR_MALFORMED (structure, with the ASN.1 path and byte offset),
 * CACHET_ERR_LIMIT, CACHET_ERR_UNSUPPORTED (unknown algorithm or RecipientInfo
 * type), CACHET_ERR_POLICY (3DES without allow_weak, GCM in EnvelopedData, a
 * non-AEAD cipher in AuthEnvelopedData), CACHET_ERR_NO_RECIPIENT (no
 * RecipientInfo for |cert|, reported before any private-key operation), and
 * CACHET_ERR_DECRYPT with the single message "decryption failed" for every
 * failure once the private-key operation has started (ATTACKS BL-01, PO-01).
 * After a failure every later call fails with the same status. */
cachet_status cachet_cms_decrypt_update(cachet_cms_decrypt *dec, const uint8_t *data, size_t len,
                                        cachet_error *err);

/* cachet_cms_decrypt_finish checks that the ContentInfo is complete, the CBC
 * padding or the GCM tag, writes the last plaintext to |out| and fills
 * |out_report| (may be NULL): type ENVELOPED or AUTH_ENVELOPED, cipher
 * ("aes-256-gcm"), authenticated (true only for the AEADs), key_management
 * ("rsaEncryption", "rsaes-oaep", "ecdh-stdDH-sha256kdf", ...), num_recipients,
 * content_type (the inner eContentType name, e.g. "id-data"). Only CACHET_OK
 * means the plaintext delivered is complete (and, for an AEAD, authentic). */
cachet_status cachet_cms_decrypt_finish(cachet_cms_decrypt *dec, cachet_layer_report *out_report,
                                        cachet_error *err);

/* cachet_cms_decrypt_content_type: the inner content type (encryptedContentInfo.
 * contentType) once encryptedContent has started, else CACHET_OID_UNKNOWN. */
cachet_oid cachet_cms_decrypt_content_type(const cachet_cms_decrypt *dec);

/* cachet_cms_decrypt_weak: true if the message was accepted only because
 * policy.allow_weak (a legacy cipher or key wrap, RSA < 2048). Valid after finish. */
bool cachet_cms_decrypt_weak(const cachet_cms_decrypt *dec);

/* cachet_cms_decrypt_free releases |dec| and cleanses its keys (NULL accepted). */
void cachet_cms_decrypt_free(cachet_cms_decrypt *dec);

#endif
