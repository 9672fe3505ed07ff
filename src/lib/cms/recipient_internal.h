/* Private declarations of the RecipientInfo files (recipient_decode.c,
 * recipient_kek.c, recipient_pwri.c): the per-type recovery that
 * cachet_env_recover_cek dispatches to once it has chosen a RecipientInfo. */
#ifndef CACHET_CMS_RECIPIENT_INTERNAL_H
#define CACHET_CMS_RECIPIENT_INTERNAL_H

#include "cms/enveloped_internal.h"

/* The largest encryptedKey read for kekri / pwri (a CEK of up to 128 bytes,
 * RC2's maximum, wrapped and padded fits). */
#define CACHET_ENV_MAX_WRAPPED 512

/* cachet_env_kekri_id reads the KEKRecipientInfo contents |kekri| far enough to
 * select it (RFC 5652 §6.2.3): |out_id| gets kekid.keyIdentifier and
 * *|out_version_ok| whether version is 4. False if malformed. */
bool cachet_env_kekri_id(const cachet_cbs *kekri, cachet_cbs *out_id, bool *out_version_ok);

/* cachet_env_kekri_recover unwraps the CEK of exactly |cek_len| bytes from the
 * KEKRecipientInfo contents |kekri| with |kek| (whose id was matched by the
 * caller): id-aes*-wrap (RFC 3394, RFC 3565 §2.3.2), id-aes*-wrap-pad (RFC
 * 5649), id-alg-CMS3DESwrap (RFC 3217) with |allow_weak|. Sets
 * info->key_management ("kek-aes256-wrap", ...). Structure and algorithm
 * errors come first (MALFORMED, UNSUPPORTED, POLICY); once |kek| is used every
 * failure is the uniform CACHET_ERR_DECRYPT. */
cachet_status cachet_env_kekri_recover(const cachet_cbs *kekri, const cachet_cms_kek *kek,
                                       bool allow_weak, uint8_t *cek, size_t cek_len,
                                       cachet_env_recipient_info *info, cachet_error *err);

/* cachet_env_pwri_version reads the version of a PasswordRecipientInfo. */
bool cachet_env_pwri_version(const cachet_cbs *pwri, uint64_t *out_version);

/* cachet_env_pwri_recover derives the KEK from |pw| (PBKDF2, RFC 8018 §5.2) and
 * unwraps the CEK of exactly |cek_len| bytes from the PasswordRecipientInfo
 * contents |pwri| (id-alg-PWRI-KEK, RFC 3211 §2.3.2, over AES-CBC or, with
 * |allow_weak|, des-ede3-cbc; or an AES key wrap OID directly, RFC 3565 §2.5).
 * The iteration count is checked against limits->max_pbkdf2_iterations
 * (CACHET_ERR_LIMIT) before the password is touched; every failure after that
 * is the uniform CACHET_ERR_DECRYPT. Sets info->key_management
 * ("pwri-pbkdf2-hmac-sha256", ...). */
cachet_status cachet_env_pwri_recover(const cachet_cbs *pwri, const cachet_cms_password *pw,
                                      bool allow_weak, const cachet_cms_limits *limits,
                                      uint8_t *cek, size_t cek_len, cachet_env_recipient_info *info,
                                      cachet_error *err);

/* cachet_env_aes_wrap_oid: id-aes{128,192,256}-wrap for a KEK of |kek_len|
 * bytes, CACHET_OID_UNKNOWN for any other length. */
cachet_oid cachet_env_aes_wrap_oid(size_t kek_len);

#endif
