/* Streaming EnvelopedData (RFC 5652 §6.1) and AuthEnvelopedData (RFC 5083 §2.1)
 * encryption, written as BER with indefinite lengths so that content of any
 * size passes through a fixed buffer. */
#include <string.h>

#include "cms/enveloped_internal.h"

#define CHUNK 16384
#define ENC_WHERE "EnvelopedData"

struct cachet_cms_encrypt {
    cachet_sink out;
    cachet_cipher_ctx *cctx;
    bool auth;
    size_t icv_len;
    cachet_status failed; /* sticky */
    bool finished;
    uint8_t buf[CHUNK + 32];
};

static cachet_status enc_fail(cachet_cms_encrypt *enc, cachet_status st) {
    enc->failed = st;
    return st;
}

static cachet_status write_indef(const cachet_sink *out, cachet_asn1_tag tag, cachet_error *err) {
    cachet_status st = cachet_cms_write_indef_header(out, tag);
    if (st != CACHET_OK) {
        return cachet_err_set(err, st, ENC_WHERE, -1, "output sink failed");
    }
    return CACHET_OK;
}

/* version, recipientInfos: every RecipientInfo is made (and every recipient
 * checked) before the first byte is written. */
static cachet_status build_recipients(const cachet_cms_encrypt_opts *opts, bool auth,
                                      const uint8_t *cek, size_t cek_len, cachet_cbb *cbb,
                                      cachet_error *err) {
    cachet_cbb set_cbb, ris;
    bool needs_v2 = false;
    uint8_t *set_der = NULL;
    size_t set_len = 0;
    cachet_status st = CACHET_OK;
    if (!cachet_cbb_init(&set_cbb, 1024, 0) ||
        !cachet_cbb_add_asn1(&set_cbb, &ris, CACHET_ASN1_SET)) {
        cachet_cbb_cleanup(&set_cbb);
        return cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
    }
    for (size_t i = 0; i < opts->recipients->num && st == CACHET_OK; i++) {
        st = cachet_env_add_recipient(&ris, opts->recipients->certs[i], opts->oaep, opts->use_ski,
                                      cek, cek_len, &needs_v2, err);
    }
    if (st == CACHET_OK && !cachet_cbb_finish(&set_cbb, &set_der, &set_len)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
    }
    if (st != CACHET_OK) {
        cachet_cbb_cleanup(&set_cbb);
        return st;
    }
    /* RFC 5652 §6.1: version 0 when every RecipientInfo is version 0 (ktri with
     * issuerAndSerialNumber), else 2. RFC 5083 §2.1: AuthEnvelopedData is 0. */
    if (!cachet_cbb_add_asn1_uint64(cbb, (!auth && needs_v2) ? 2 : 0) ||
        !cachet_cbb_add_bytes(cbb, set_der, set_len)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
    }
    cachet_free(set_der);
    return st;
}

/* Writes everything up to the first encryptedContent segment. The
 * RecipientInfos are built first, so that nothing reaches |out| when a
 * recipient fails. */
static cachet_status write_header(cachet_cms_encrypt *enc, const cachet_cms_encrypt_opts *opts,
                                  const cachet_env_cea *cea, const uint8_t *cek,
                                  cachet_error *err) {
    cachet_cbb ris, oid, eci;
    bool ok;
    cachet_status st;
    cachet_oid inner =
        opts->content_type == CACHET_OID_UNKNOWN ? CACHET_OID_DATA : opts->content_type;
    memset(&oid, 0, sizeof(oid));
    memset(&eci, 0, sizeof(eci));
    if (!cachet_cbb_init(&ris, 4096, 0)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
    }
    st = build_recipients(opts, enc->auth, cek, cachet_cipher_key_len(cea->cipher), &ris, err);
    if (st != CACHET_OK) {
        cachet_cbb_cleanup(&ris);
        return st;
    }
    ok = cachet_cbb_init(&oid, 32, 0);
    ok = ok && cachet_cbb_add_oid(&oid, enc->auth ? CACHET_OID_AUTH_ENVELOPED_DATA
                                                  : CACHET_OID_ENVELOPED_DATA);
    /* EncryptedContentInfo (RFC 5652 §6.1) starts with contentType and
     * contentEncryptionAlgorithm. */
    ok = cachet_cbb_init(&eci, 256, 0) && ok;
    ok = ok && cachet_cbb_add_oid(&eci, inner) && cachet_env_add_cea(&eci, cea);
    if (!ok) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "encoding failed");
    }
    /* ContentInfo (§3) { contentType, [0] EXPLICIT (Auth)EnvelopedData { version,
     * recipientInfos, EncryptedContentInfo { ..., encryptedContent [0] IMPLICIT
     * OCTET STRING, constructed and indefinite } } }. */
    if (st == CACHET_OK) {
        st = write_indef(&enc->out, CACHET_ASN1_SEQUENCE, err);
    }
    if (st == CACHET_OK) {
        st = cachet_env_write_cbb(&enc->out, &oid, err);
    }
    if (st == CACHET_OK) {
        st = write_indef(&enc->out, CACHET_ASN1_CONTEXT_CONS(0), err);
    }
    if (st == CACHET_OK) {
        st = write_indef(&enc->out, CACHET_ASN1_SEQUENCE, err);
    }
    if (st == CACHET_OK) {
        st = cachet_env_write_cbb(&enc->out, &ris, err);
    }
    if (st == CACHET_OK) {
        st = write_indef(&enc->out, CACHET_ASN1_SEQUENCE, err);
    }
    if (st == CACHET_OK) {
        st = cachet_env_write_cbb(&enc->out, &eci, err);
    }
    if (st == CACHET_OK) {
        st = write_indef(&enc->out, CACHET_ASN1_CONTEXT_CONS(0), err);
    }
    cachet_cbb_cleanup(&ris);
    cachet_cbb_cleanup(&oid);
    cachet_cbb_cleanup(&eci);
    return st;
}

cachet_cms_encrypt *cachet_cms_encrypt_new(const cachet_cms_encrypt_opts *opts,
                                           const cachet_sink *out, cachet_error *err) {
    cachet_cms_encrypt *enc;
    cachet_env_cea cea;
    uint8_t cek[CACHET_ENV_MAX_CEK];
    bool allow_weak;
    cachet_status st;
    if (opts == NULL || out == NULL || opts->recipients == NULL || opts->recipients->num == 0) {
        cachet_err_set(err, CACHET_ERR_USAGE, ENC_WHERE, -1, "no recipients");
        return NULL;
    }
    memset(&cea, 0, sizeof(cea));
    cea.cipher = opts->cipher == CACHET_CIPHER_NONE ? CACHET_CIPHER_AES256_CBC : opts->cipher;
    if (cea.cipher != CACHET_CIPHER_AES128_CBC && cea.cipher != CACHET_CIPHER_AES256_CBC &&
        cea.cipher != CACHET_CIPHER_AES128_GCM && cea.cipher != CACHET_CIPHER_AES256_GCM) {
        cachet_err_set(err, CACHET_ERR_USAGE, ENC_WHERE, -1,
                       "content encryption must be AES-128/256 CBC or GCM");
        return NULL;
    }
    /* RFC 5083 §2.1: authAttrs (which we do not write) are required when the
     * content is not id-data. */
    if (cachet_cipher_is_aead(cea.cipher) && opts->content_type != CACHET_OID_UNKNOWN &&
        opts->content_type != CACHET_OID_DATA) {
        cachet_err_set(err, CACHET_ERR_USAGE, ENC_WHERE, -1,
                       "AuthEnvelopedData carries id-data only (no authAttrs written)");
        return NULL;
    }
    allow_weak = opts->policy != NULL && opts->policy->allow_weak;
    for (size_t i = 0; i < opts->recipients->num; i++) {
        if (cachet_env_check_recipient(opts->recipients->certs[i], allow_weak,
                                       opts->policy != NULL ? opts->policy->at : 0,
                                       err) != CACHET_OK) {
            return NULL;
        }
    }
    enc = cachet_calloc(1, sizeof(*enc));
    if (enc == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
        return NULL;
    }
    enc->out = *out;
    enc->auth = cachet_cipher_is_aead(cea.cipher);
    /* RFC 5084 §3.2: 12-byte nonce recommended; we send a 16-byte ICV. */
    cea.iv_len = cachet_cipher_iv_len(cea.cipher);
    cea.icv_len = enc->auth ? 16 : 0;
    enc->icv_len = cea.icv_len;
    st = cachet_random(cek, cachet_cipher_key_len(cea.cipher), err);
    if (st == CACHET_OK) {
        st = cachet_random(cea.iv, cea.iv_len, err);
    }
    if (st == CACHET_OK) {
        enc->cctx = cachet_cipher_new(cea.cipher, true, cek, cachet_cipher_key_len(cea.cipher),
                                      cea.iv, cea.iv_len, err);
        if (enc->cctx == NULL) {
            st = cachet_err_set(err, CACHET_ERR_INTERNAL, ENC_WHERE, -1, "cipher setup failed");
        }
    }
    if (st == CACHET_OK) {
        st = write_header(enc, opts, &cea, cek, err);
    }
    cachet_cleanse(cek, sizeof(cek));
    if (st != CACHET_OK) {
        cachet_cms_encrypt_free(enc);
        return NULL;
    }
    return enc;
}

static cachet_status write_segment(cachet_cms_encrypt *enc, size_t len, cachet_error *err) {
    cachet_status st;
    if (len == 0) {
        return CACHET_OK;
    }
    st = cachet_cms_write_octets(&enc->out, enc->buf, len);
    if (st != CACHET_OK) {
        return cachet_err_set(err, st, ENC_WHERE ".encryptedContentInfo", -1, "output sink failed");
    }
    return CACHET_OK;
}

cachet_status cachet_cms_encrypt_update(cachet_cms_encrypt *enc, const uint8_t *data, size_t len,
                                        cachet_error *err) {
    if (enc->failed != CACHET_OK || enc->finished) {
        return cachet_err_set(err, enc->finished ? CACHET_ERR_USAGE : enc->failed, ENC_WHERE, -1,
                              "encryptor already failed or finished");
    }
    while (len > 0) {
        size_t n = len < CHUNK ? len : CHUNK, out_len = 0;
        cachet_status st;
        if (!cachet_cipher_update(enc->cctx, data, n, enc->buf, &out_len)) {
            return enc_fail(
                enc, cachet_err_set(err, CACHET_ERR_INTERNAL, ENC_WHERE, -1, "encryption failed"));
        }
        st = write_segment(enc, out_len, err);
        if (st != CACHET_OK) {
            return enc_fail(enc, st);
        }
        data += n;
        len -= n;
    }
    return CACHET_OK;
}

cachet_status cachet_cms_encrypt_finish(cachet_cms_encrypt *enc, cachet_error *err) {
    uint8_t tag[16];
    size_t out_len = 0;
    cachet_cbb mac;
    cachet_status st;
    if (enc->failed != CACHET_OK || enc->finished) {
        return cachet_err_set(err, enc->finished ? CACHET_ERR_USAGE : enc->failed, ENC_WHERE, -1,
                              "encryptor already failed or finished");
    }
    enc->finished = true;
    if (!cachet_cipher_final(enc->cctx, enc->buf, &out_len)) {
        return enc_fail(
            enc, cachet_err_set(err, CACHET_ERR_INTERNAL, ENC_WHERE, -1, "encryption failed"));
    }
    st = write_segment(enc, out_len, err);
    /* Close encryptedContent and EncryptedContentInfo. */
    if (st == CACHET_OK && cachet_cms_write_eoc(&enc->out, 2) != CACHET_OK) {
        st = cachet_err_set(err, CACHET_ERR_IO, ENC_WHERE, -1, "output sink failed");
    }
    if (st == CACHET_OK && enc->auth) {
        /* RFC 5083 §2.1: mac MessageAuthenticationCode (OCTET STRING) follows
         * authEncryptedContentInfo (no authAttrs: the content is id-data). */
        if (!cachet_cipher_get_tag(enc->cctx, tag, enc->icv_len)) {
            st = cachet_err_set(err, CACHET_ERR_INTERNAL, ENC_WHERE, -1, "GCM tag unavailable");
        } else if (!cachet_cbb_init(&mac, 32, 0)) {
            st = cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
        } else if (!cachet_cbb_add_asn1_octet_string(&mac, tag, enc->icv_len)) {
            cachet_cbb_cleanup(&mac);
            st = cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
        } else {
            st = cachet_env_write_cbb(&enc->out, &mac, err);
            cachet_cbb_cleanup(&mac);
        }
    }
    /* Close (Auth)EnvelopedData, [0] and ContentInfo. */
    if (st == CACHET_OK && cachet_cms_write_eoc(&enc->out, 3) != CACHET_OK) {
        st = cachet_err_set(err, CACHET_ERR_IO, ENC_WHERE, -1, "output sink failed");
    }
    if (st != CACHET_OK) {
        return enc_fail(enc, st);
    }
    return CACHET_OK;
}

void cachet_cms_encrypt_free(cachet_cms_encrypt *enc) {
    if (enc == NULL) {
        return;
    }
    cachet_cipher_free(enc->cctx);
    cachet_free_secret(enc, sizeof(*enc));
}
