/* Private to enveloped_decrypt.c / enveloped_aead.c: the parts of decryption
 * that authenticate (RFC 5083 AuthEnvelopedData with AES-GCM, AES-CCM and
 * ChaCha20-Poly1305). */
#ifndef CACHET_CMS_ENVELOPED_AEAD_H
#define CACHET_CMS_ENVELOPED_AEAD_H

#include "cms/enveloped_internal.h"

/* cachet_env_aead_recheck runs a streaming AEAD (GCM, ChaCha20-Poly1305) again
 * over the whole ciphertext |ct| with the AAD RFC 5083 §2.2 makes of |auth_attrs|
 * (the [1] IMPLICIT element as it is in the message) and checks |mac|. Needed
 * because authAttrs follow the content while the AAD must come first. |scratch|
 * holds at least |scratch_len| (>= 64) bytes; the plaintext produced is not
 * kept. True only if the tag matches. */
bool cachet_env_aead_recheck(const cachet_env_cea *cea, const uint8_t *cek,
                             const cachet_cbs *auth_attrs, const cachet_membuf *ct,
                             const cachet_cbs *mac, uint8_t *scratch, size_t scratch_len);

/* cachet_env_ccm_open decrypts the held AES-CCM ciphertext |ct| in one call,
 * with the authAttrs AAD when |auth_attrs| is not NULL, and writes the
 * plaintext to |out| only once the tag |mac| verified (RFC 5083 §2: nothing is
 * released before). A tag mismatch is CACHET_ERR_DECRYPT with the uniform
 * message; a failing sink its own status. */
cachet_status cachet_env_ccm_open(const cachet_env_cea *cea, const uint8_t *cek,
                                  const cachet_cbs *auth_attrs, const cachet_membuf *ct,
                                  const cachet_cbs *mac, const cachet_sink *out, cachet_error *err);

#endif
