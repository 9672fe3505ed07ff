/* Private declarations shared by the EnvelopedData / AuthEnvelopedData files:
 * content-encryption AlgorithmIdentifiers (enveloped_alg.c), RecipientInfo
 * writing (recipient_encode.c), RecipientInfo selection and key recovery
 * (recipient_decode.c, recipient_kari.c). */
#ifndef CACHET_CMS_ENVELOPED_INTERNAL_H
#define CACHET_CMS_ENVELOPED_INTERNAL_H

#include "cms/enveloped.h"

/* The one message for every failure after the private-key operation started
 * (ATTACKS BL-01, PO-01): callers must not add detail to it. */
#define CACHET_ENV_DECRYPT_MSG "decryption failed"
#define CACHET_ENV_MAX_CEK 32
#define CACHET_ENV_GCM_MAX_NONCE 16

/* A parsed contentEncryptionAlgorithm. */
typedef struct cachet_env_cea {
    cachet_cipher cipher;
    uint8_t iv[CACHET_ENV_GCM_MAX_NONCE]; /* CBC IV, GCM/CCM/ChaCha20 nonce */
    size_t iv_len;
    size_t icv_len; /* AEAD tag length (GCM 12..16, CCM 4..16, ChaCha 16), 0 for CBC */
    bool weak;      /* a legacy cipher, accepted only with allow_weak */
    /* issue 5: the content-encryption key length in bytes, as the algorithm and
     * its parameters fix it (RC2: from the parameter version, 5 for RC2/40;
     * CAST5: keyLength/8); the recovered CEK must have exactly this length */
    size_t key_len;
    unsigned rc2_effective_bits; /* RC2 only */
} cachet_env_cea;

/* cachet_env_add_cea writes the contentEncryptionAlgorithm for |cea|: AES-CBC
 * with its IV as OCTET STRING (RFC 3565 §4.1), AES-GCM and AES-CCM with their
 * parameters and aes-ICVlen written explicitly (RFC 5084 §3), ChaCha20-Poly1305
 * with its nonce (RFC 8103 §3). */
bool cachet_env_add_cea(cachet_cbb *cbb, const cachet_env_cea *cea);

/* cachet_env_parse_cea reads a contentEncryptionAlgorithm element (|alg| is the
 * whole AlgorithmIdentifier SEQUENCE) and applies the per-content-type allowlist
 * (ATTACKS EF-07): |auth| (AuthEnvelopedData) allows the AEADs only (GCM, CCM,
 * ChaCha20-Poly1305); EnvelopedData and EncryptedData allow AES-CBC, and the
 * legacy CBC ciphers with allow_weak (CACHET_ERR_POLICY without). Sets key_len. */
cachet_status cachet_env_parse_cea(const cachet_cbs *alg, bool auth, bool allow_weak,
                                   cachet_env_cea *out, cachet_error *err);

/* ---- RecipientInfo writing ---- */

/* cachet_env_check_recipient applies the pre-encryption checks (ATTACKS B18,
 * CE-04, CE-05, CE-07, DESIGN principle 5) to |cert| at time |at| (0 = now) and
 * returns CACHET_OK if a RecipientInfo can be made for it. */
cachet_status cachet_env_check_recipient(const cachet_cert *cert, bool allow_weak, int64_t at,
                                         cachet_error *err);

/* cachet_env_add_recipient appends one RecipientInfo for |cert| carrying |cek|
 * to the open SET |ris|. *|out_needs_v2| is set when the RecipientInfo forces
 * EnvelopedData version 2 (RFC 5652 §6.1: kari, or ktri with SKI). */
cachet_status cachet_env_add_recipient(cachet_cbb *ris, const cachet_cert *cert, bool oaep,
                                       bool use_ski, const uint8_t *cek, size_t cek_len,
                                       bool *out_needs_v2, cachet_error *err);

/* issue 5: cachet_env_add_kekri appends a KEKRecipientInfo (version 4,
 * id-aes*-wrap by kek->key_len) and cachet_env_add_pwri a PasswordRecipientInfo
 * ([3] IMPLICIT, version 0, PBKDF2-HMAC-SHA256 with a random 16-byte salt and
 * |iterations|, id-alg-PWRI-KEK over AES-256-CBC with a random IV). Both raise
 * *|io_version| to what RFC 5652 §6.1 needs (kekri: 2, pwri: 3). */
cachet_status cachet_env_add_kekri(cachet_cbb *ris, const cachet_cms_kek *kek, const uint8_t *cek,
                                   size_t cek_len, unsigned *io_version, cachet_error *err);
cachet_status cachet_env_add_pwri(cachet_cbb *ris, const cachet_cms_password *pw,
                                  uint32_t iterations, const uint8_t *cek, size_t cek_len,
                                  unsigned *io_version, cachet_error *err);

/* ---- RecipientInfo selection and CEK recovery ---- */

typedef struct cachet_env_recipient_info {
    char key_management[48];
    size_t num_recipients;
    bool weak; /* our RSA key is under 2048 bits */
} cachet_env_recipient_info;

/* cachet_env_recover_cek walks the recipientInfos SET (|ris| = the whole
 * element), counts recipients against limits->max_recipients, picks the first
 * RecipientInfo addressed to |cert| whose type fits |key| (ktri: RSA, kari: EC),
 * and recovers the CEK of |cek_len| bytes into |cek|. Returns
 * CACHET_ERR_NO_RECIPIENT when none is ours (no private-key operation done);
 * CACHET_ERR_DECRYPT with CACHET_ENV_DECRYPT_MSG once the private key was used.
 * For PKCS#1 v1.5 a padding failure yields a random CEK and CACHET_OK (RFC 3218
 * §2.3.2): the content decryption then fails like any other. */
cachet_status cachet_env_recover_cek(const cachet_cbs *ris, const cachet_cms_secrets *s,
                                     bool allow_weak, const cachet_cms_limits *limits, uint8_t *cek,
                                     size_t cek_len, cachet_env_recipient_info *info,
                                     cachet_error *err);
/* (issue 5: |s| replaces key/cert; selection as cachet_cms_secrets says. kekri:
 * key_management "kek-aes256-wrap" etc.; pwri: "pwri-pbkdf2-hmac-sha256" etc. A
 * wrong password or KEK after the unwrap started is CACHET_ERR_DECRYPT with
 * CACHET_ENV_DECRYPT_MSG like any other failure.) */

/* ---- Key agreement: ECDH (RFC 5753), X25519/X448 (RFC 8418) ---- */

/* The KDF a dhSinglePass OID names. */
typedef enum cachet_env_kdf {
    CACHET_ENV_KDF_NONE = 0,
    CACHET_ENV_KDF_X963, /* dhSinglePass-{std,cofactor}DH-sha*kdf-scheme (RFC 5753 §7.2) */
    CACHET_ENV_KDF_HKDF, /* dhSinglePass-stdDH-hkdf-sha*-scheme (RFC 8418 §2.2) */
} cachet_env_kdf;

/* cachet_env_kea_kdf maps a key agreement OID to its KDF and digest
 * (CACHET_ENV_KDF_NONE if not a supported key agreement algorithm). */
cachet_env_kdf cachet_env_kea_kdf(cachet_oid kea, cachet_md *out_md);
/* cachet_env_wrap_key_len maps an AES key wrap OID to its KEK length (0 if not). */
size_t cachet_env_wrap_key_len(cachet_oid wrap);

/* cachet_env_kari_kdf derives the key-encryption key from the shared secret
 * |z| and the DER ECC-CMS-SharedInfo (RFC 5753 §7.2) made of |wrap_alg| (the
 * KeyWrapAlgorithm element as it appears in the message), the optional |ukm|
 * (entityUInfo) and the KEK length in bits (suppPubInfo): X9.63 KDF, or HKDF
 * with salt = ukm (none when absent) and info = the SharedInfo (RFC 8418 §2.2). */
bool cachet_env_kari_kdf(cachet_env_kdf kdf, cachet_md md, const uint8_t *z, size_t z_len,
                         const cachet_cbs *wrap_alg, const cachet_cbs *ukm, uint8_t *kek,
                         size_t kek_len, cachet_error *err);

/* cachet_env_kari_recover does the KeyAgreeRecipientInfo part of
 * cachet_env_recover_cek once |rek_key| (the encryptedKey of our
 * RecipientEncryptedKey) is known; |kari| is the KeyAgreeRecipientInfo contents
 * and |key| an EC, X25519 or X448 private key. id-alg-CMS3DESwrap needs
 * |allow_weak| (CACHET_ERR_POLICY before the key is used; info->weak set). */
cachet_status cachet_env_kari_recover(const cachet_cbs *kari, const cachet_cbs *rek_key,
                                      const cachet_pkey *key, bool allow_weak, uint8_t *cek,
                                      size_t cek_len, cachet_env_recipient_info *info,
                                      cachet_error *err);

/* cachet_env_kari_x_peer reads an RFC 8418 originatorKey (|okey| = the
 * OriginatorPublicKey contents: id-X25519/id-X448 with absent parameters and
 * the raw key in the BIT STRING) for a recipient key of |type| and makes the
 * peer public key (recipient_kari_x.c). */
cachet_status cachet_env_kari_x_peer(const cachet_cbs *okey, cachet_key_type type,
                                     cachet_pkey **out_peer, cachet_error *err);

/* The longest ukm read or written: far beyond any KEK a KDF here makes (RFC
 * 8418 §2), and small enough that the SharedInfo fits OpenSSL 3.0's HKDF info
 * buffer (1024 bytes). Longer: CACHET_ERR_LIMIT on read, USAGE on write. */
#define CACHET_ENV_KARI_MAX_UKM 512

/* What cachet_env_add_kari_ex writes; zero / UNKNOWN fields take the defaults:
 * EC: dhSinglePass-stdDH-sha{256,384,512}kdf by curve and AES wrap by CEK
 * length; X25519: HKDF-SHA256 + id-aes128-wrap; X448: HKDF-SHA512 +
 * id-aes256-wrap (RFC 8418); no ukm. Tests use it for the other variants. */
typedef struct cachet_env_kari_opts {
    cachet_oid kea;
    cachet_oid wrap; /* an AES key wrap */
    const uint8_t *ukm;
    size_t ukm_len;
} cachet_env_kari_opts;

/* cachet_env_add_kari appends a KeyAgreeRecipientInfo (RFC 5753 §3.1.1, RFC
 * 8418 §3.2) for |cert|, whose public key is |pub| (EC P-256/384/521, X25519
 * or X448): a fresh ephemeral key of the same type, the defaults above, rid
 * issuerAndSerialNumber or rKeyId (|use_ski|). KeyUsage, when present, must
 * allow keyAgreement (CACHET_ERR_USAGE). */
cachet_status cachet_env_add_kari(cachet_cbb *ris, const cachet_cert *cert, const cachet_pkey *pub,
                                  bool use_ski, const uint8_t *cek, size_t cek_len,
                                  cachet_error *err);
cachet_status cachet_env_add_kari_ex(cachet_cbb *ris, const cachet_cert *cert,
                                     const cachet_pkey *pub, bool use_ski,
                                     const cachet_env_kari_opts *opts, const uint8_t *cek,
                                     size_t cek_len, cachet_error *err);

/* cachet_env_decrypt_failed replaces whatever |err| holds with the one uniform
 * CACHET_ERR_DECRYPT detail (no where, no offset) and returns CACHET_ERR_DECRYPT. */
cachet_status cachet_env_decrypt_failed(cachet_error *err);

/* cachet_env_sink_cbb writes the finished bytes of |cbb| to |out|. */
cachet_status cachet_env_write_cbb(const cachet_sink *out, cachet_cbb *cbb, cachet_error *err);

#endif
