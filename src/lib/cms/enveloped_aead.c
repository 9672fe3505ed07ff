/* The authenticating end of AuthEnvelopedData decryption (RFC 5083 §2.2): the
 * authAttrs AAD, and AES-CCM, which cannot stream (RFC 5084 §3.1: the length
 * comes first) and so is opened in one call over the held ciphertext. */
#include <string.h>

#include "cms/enveloped_aead.h"

/* RFC 5083 §2.2: the AAD is the DER of authAttrs with the SET OF tag (0x31) in
 * place of the IMPLICIT [1] (0xa1). */
static uint8_t *make_aad(const cachet_cbs *attrs) {
    uint8_t *aad = cachet_malloc(attrs->len);
    if (aad != NULL) {
        memcpy(aad, attrs->data, attrs->len);
        aad[0] = 0x31;
    }
    return aad;
}

bool cachet_env_aead_recheck(const cachet_env_cea *cea, const uint8_t *cek,
                             const cachet_cbs *auth_attrs, const cachet_membuf *ct,
                             const cachet_cbs *mac, uint8_t *scratch, size_t scratch_len) {
    /* Leave room for what the cipher may hold back at the end. */
    size_t step = scratch_len - 32, out_len;
    uint8_t *aad = make_aad(auth_attrs);
    cachet_cipher_ctx *c;
    bool ok;
    if (aad == NULL) {
        return false;
    }
    c = cachet_cipher_new_ex(cea->cipher, false, cek, cea->key_len, cea->iv, cea->iv_len, NULL,
                             NULL);
    ok = c != NULL && cachet_cipher_aad(c, aad, auth_attrs->len);
    for (size_t off = 0; ok && off < ct->len; off += step) {
        size_t n = ct->len - off < step ? ct->len - off : step;
        ok = cachet_cipher_update(c, ct->data + off, n, scratch, &out_len);
    }
    ok = ok && cachet_cipher_set_tag(c, mac->data, mac->len) &&
         cachet_cipher_final(c, scratch, &out_len);
    cachet_cipher_free(c);
    cachet_free(aad);
    cachet_cleanse(scratch, scratch_len);
    return ok;
}

cachet_status cachet_env_ccm_open(const cachet_env_cea *cea, const uint8_t *cek,
                                  const cachet_cbs *auth_attrs, const cachet_membuf *ct,
                                  const cachet_cbs *mac, const cachet_sink *out,
                                  cachet_error *err) {
    uint8_t tag[16];
    uint8_t *aad = NULL, *plain;
    size_t aad_len = 0;
    cachet_status st;
    bool ok;
    if (mac->len > sizeof(tag)) {
        return cachet_env_decrypt_failed(err);
    }
    memcpy(tag, mac->data, mac->len);
    if (auth_attrs != NULL) {
        aad = make_aad(auth_attrs);
        aad_len = auth_attrs->len;
        if (aad == NULL) {
            return cachet_err_set(err, CACHET_ERR_NOMEM, "AuthEnvelopedData", -1, "out of memory");
        }
    }
    plain = cachet_malloc(ct->len > 0 ? ct->len : 1);
    if (plain == NULL) {
        cachet_free(aad);
        return cachet_err_set(err, CACHET_ERR_NOMEM, "AuthEnvelopedData", -1, "out of memory");
    }
    ok = cachet_aes_ccm_aad(cea->cipher, false, cek, cea->key_len, cea->iv, cea->iv_len, aad,
                            aad_len, ct->data, ct->len, plain, tag, mac->len, NULL);
    cachet_free(aad);
    if (!ok) {
        cachet_free_secret(plain, ct->len > 0 ? ct->len : 1);
        return cachet_env_decrypt_failed(err);
    }
    st = cachet_sink_write(out, plain, ct->len);
    cachet_free_secret(plain, ct->len > 0 ? ct->len : 1);
    if (st != CACHET_OK) {
        return cachet_err_set(err, st, "AuthEnvelopedData", -1, "output sink failed");
    }
    return CACHET_OK;
}
