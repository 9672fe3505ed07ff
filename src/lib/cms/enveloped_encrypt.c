/* Streaming EnvelopedData (RFC 5652 §6.1), AuthEnvelopedData (RFC 5083 §2.1) and
 * EncryptedData (RFC 5652 §8) encryption, written as BER with indefinite
 * lengths so that content of any size passes through a fixed buffer; when the
 * content size is declared, every length is definite instead. AES-CCM is
 * the exception: it needs the length first (RFC 5084 §3.1), so its plaintext is
 * held, bounded, and encrypted at the end. */
#include <string.h>

#include "cms/enveloped_internal.h"

#define CHUNK 16384
#define ENC_WHERE "EnvelopedData"
/* RFC 5084 §3.1: L = 15 - nonce length; L = 8 (a 7-byte nonce) is RECOMMENDED
 * and leaves the content length unbounded in practice. */
#define CCM_NONCE_LEN 7
#define AEAD_ICV_LEN 16

struct cachet_cms_encrypt {
    cachet_sink out;
    cachet_cipher_ctx *cctx; /* NULL for CCM */
    bool auth;
    bool ccm;
    cachet_env_cea cea;
    uint8_t cek[CACHET_ENV_MAX_CEK]; /* kept for CCM only */
    cachet_membuf held;              /* CCM plaintext */
    size_t max_ccm;
    cachet_cms_length length; /* declared plaintext size, when known */
    cachet_status failed;     /* sticky */
    bool finished;
    uint8_t buf[CHUNK + 32];
};

static cachet_status enc_fail(cachet_cms_encrypt *enc, cachet_status st) {
    enc->failed = st;
    return st;
}

static bool is_ccm(cachet_cipher c) {
    return c == CACHET_CIPHER_AES128_CCM || c == CACHET_CIPHER_AES192_CCM ||
           c == CACHET_CIPHER_AES256_CCM;
}

static bool is_aead(cachet_cipher c) {
    return c == CACHET_CIPHER_AES128_GCM || c == CACHET_CIPHER_AES192_GCM ||
           c == CACHET_CIPHER_AES256_GCM || is_ccm(c) || c == CACHET_CIPHER_CHACHA20_POLY1305;
}

static bool is_aes_cbc(cachet_cipher c) {
    return c == CACHET_CIPHER_AES128_CBC || c == CACHET_CIPHER_AES192_CBC ||
           c == CACHET_CIPHER_AES256_CBC;
}

/* The ciphertext length for |len| plaintext bytes: AES-CBC adds PKCS#7 padding
 * to the next whole block (RFC 5652 §6.3), the AEAD modes add nothing here (the
 * tag goes in the mac field, RFC 5083 §2.1). */
static uint64_t ciphertext_len(const cachet_cms_encrypt *enc, uint64_t len) {
    return enc->auth ? len : (len / 16 + 1) * 16;
}

/* The header of |tag|: indefinite, or definite with |len| contents bytes. */
static cachet_status write_open(const cachet_cms_encrypt *enc, cachet_asn1_tag tag, uint64_t len,
                                cachet_error *err) {
    cachet_status st = enc->length.known ? cachet_cms_write_header(&enc->out, tag, len)
                                         : cachet_cms_write_indef_header(&enc->out, tag);
    if (st != CACHET_OK) {
        return cachet_err_set(err, st, ENC_WHERE, -1, "output sink failed");
    }
    return CACHET_OK;
}

static size_t num_certs(const cachet_cms_encrypt_opts *opts) {
    return opts->recipients != NULL ? opts->recipients->num : 0;
}

/* EncryptedData: the content key is the caller's, AES-CBC by its length. */
static cachet_status choose_encrypted(const cachet_cms_encrypt_opts *opts, cachet_cipher *out,
                                      cachet_error *err) {
    static const cachet_cipher by_len[] = {CACHET_CIPHER_AES128_CBC, CACHET_CIPHER_AES192_CBC,
                                           CACHET_CIPHER_AES256_CBC};
    size_t len = opts->content_key_len;
    if (num_certs(opts) != 0 || opts->num_keks != 0 || opts->num_passwords != 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "EncryptedData", -1,
                              "a content key (EncryptedData) excludes recipients, KEKs and "
                              "passwords");
    }
    if (len != 16 && len != 24 && len != 32) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "EncryptedData", -1,
                              "content key of %zu bytes (AES: 16, 24 or 32)", len);
    }
    *out = by_len[(len - 16) / 8];
    if (opts->cipher != CACHET_CIPHER_NONE && opts->cipher != *out) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "EncryptedData", -1,
                              "EncryptedData with a %zu-byte key is %s, not %s", len,
                              cachet_cipher_name(*out), cachet_cipher_name(opts->cipher));
    }
    return CACHET_OK;
}

/* Everything about |opts| that can be refused is refused here, before any
 * byte is written. */
static cachet_status check_opts(const cachet_cms_encrypt_opts *opts, cachet_cipher *out,
                                cachet_error *err) {
    bool allow_weak = opts->policy != NULL && opts->policy->allow_weak;
    cachet_cipher c;
    if ((opts->num_keks > 0 && opts->keks == NULL) ||
        (opts->num_passwords > 0 && opts->passwords == NULL) ||
        (opts->content_key == NULL && opts->content_key_len != 0)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, ENC_WHERE, -1, "inconsistent options");
    }
    if (opts->content_key != NULL) {
        return choose_encrypted(opts, out, err);
    }
    if (num_certs(opts) + opts->num_keks + opts->num_passwords == 0) {
        return cachet_err_set(err, CACHET_ERR_USAGE, ENC_WHERE, -1, "no recipients");
    }
    c = opts->cipher == CACHET_CIPHER_NONE ? CACHET_CIPHER_AES256_CBC : opts->cipher;
    if (!is_aes_cbc(c) && !is_aead(c)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, ENC_WHERE, -1,
                              "content encryption must be AES-CBC, AES-GCM, AES-CCM or "
                              "ChaCha20-Poly1305 (%s is read only)",
                              cachet_cipher_name(c));
    }
    /* RFC 5083 §2.1: authAttrs (which we do not write) are required when the
     * content is not id-data. */
    if (is_aead(c) && opts->content_type != CACHET_OID_UNKNOWN &&
        opts->content_type != CACHET_OID_DATA) {
        return cachet_err_set(err, CACHET_ERR_USAGE, ENC_WHERE, -1,
                              "AuthEnvelopedData carries id-data only (no authAttrs written)");
    }
    for (size_t i = 0; i < num_certs(opts); i++) {
        cachet_status st =
            cachet_env_check_recipient(opts->recipients->certs[i], allow_weak,
                                       opts->policy != NULL ? opts->policy->at : 0, err);
        if (st != CACHET_OK) {
            return st;
        }
    }
    *out = c;
    return CACHET_OK;
}

/* version, recipientInfos: every RecipientInfo is made (and every recipient
 * checked) before the first byte is written. Certificates first, then KEKs,
 * then passwords. */
static cachet_status build_recipients(const cachet_cms_encrypt_opts *opts, bool auth,
                                      const uint8_t *cek, size_t cek_len, cachet_cbb *cbb,
                                      cachet_error *err) {
    cachet_cbb set_cbb, ris;
    bool needs_v2 = false;
    unsigned version = 0;
    uint32_t iterations = opts->pbkdf2_iterations != 0 ? opts->pbkdf2_iterations
                                                       : CACHET_CMS_PBKDF2_DEFAULT_ITERATIONS;
    uint8_t *set_der = NULL;
    size_t set_len = 0;
    cachet_status st = CACHET_OK;
    if (!cachet_cbb_init(&set_cbb, 1024, 0) ||
        !cachet_cbb_add_asn1(&set_cbb, &ris, CACHET_ASN1_SET)) {
        cachet_cbb_cleanup(&set_cbb);
        return cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
    }
    for (size_t i = 0; i < num_certs(opts) && st == CACHET_OK; i++) {
        st = cachet_env_add_recipient(&ris, opts->recipients->certs[i], opts->oaep, opts->use_ski,
                                      cek, cek_len, &needs_v2, err);
    }
    for (size_t i = 0; i < opts->num_keks && st == CACHET_OK; i++) {
        st = cachet_env_add_kekri(&ris, &opts->keks[i], cek, cek_len, &version, err);
    }
    for (size_t i = 0; i < opts->num_passwords && st == CACHET_OK; i++) {
        st =
            cachet_env_add_pwri(&ris, &opts->passwords[i], iterations, cek, cek_len, &version, err);
    }
    if (st == CACHET_OK && !cachet_cbb_finish(&set_cbb, &set_der, &set_len)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
    }
    if (st != CACHET_OK) {
        cachet_cbb_cleanup(&set_cbb);
        return st;
    }
    /* RFC 5652 §6.1: 0 when every RecipientInfo is version 0 (ktri with
     * issuerAndSerialNumber), 3 with a pwri, else 2 (kari, ktri with SKI,
     * kekri). RFC 5083 §2.1: AuthEnvelopedData is always 0. */
    if (needs_v2 && version < 2) {
        version = 2;
    }
    if (!cachet_cbb_add_asn1_uint64(cbb, auth ? 0 : version) ||
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
                                  const uint8_t *cek, cachet_error *err) {
    cachet_cbb head, oid, eci;
    bool ok, encrypted = opts->content_key != NULL;
    cachet_status st = CACHET_OK;
    cachet_oid inner =
        opts->content_type == CACHET_OID_UNKNOWN ? CACHET_OID_DATA : opts->content_type;
    cachet_oid outer = encrypted   ? CACHET_OID_ENCRYPTED_DATA
                       : enc->auth ? CACHET_OID_AUTH_ENVELOPED_DATA
                                   : CACHET_OID_ENVELOPED_DATA;
    memset(&oid, 0, sizeof(oid));
    memset(&eci, 0, sizeof(eci));
    if (!cachet_cbb_init(&head, 4096, 0)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
    }
    if (encrypted) {
        /* RFC 5652 §8: version 0 (we write no unprotectedAttrs). */
        if (!cachet_cbb_add_asn1_uint64(&head, 0)) {
            st = cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
        }
    } else {
        st = build_recipients(opts, enc->auth, cek, enc->cea.key_len, &head, err);
    }
    if (st != CACHET_OK) {
        cachet_cbb_cleanup(&head);
        return st;
    }
    ok = cachet_cbb_init(&oid, 32, 0) && cachet_cbb_add_oid(&oid, outer);
    /* EncryptedContentInfo (RFC 5652 §6.1) starts with contentType and
     * contentEncryptionAlgorithm. */
    ok = cachet_cbb_init(&eci, 256, 0) && ok;
    ok = ok && cachet_cbb_add_oid(&eci, inner) && cachet_env_add_cea(&eci, &enc->cea);
    ok = ok && cachet_cbb_flush(&oid) && cachet_cbb_flush(&eci) && cachet_cbb_flush(&head);
    if (!ok) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "encoding failed");
    }
    /* With a declared size every length below is known now (unused otherwise). */
    uint64_t ct = ciphertext_len(enc, enc->length.declared);
    uint64_t eci_len = cachet_cbb_len(&eci) + cachet_cms_tlv_len(CACHET_ASN1_CONTEXT(0), ct);
    uint64_t body_len = cachet_cbb_len(&head) + cachet_cms_tlv_len(CACHET_ASN1_SEQUENCE, eci_len) +
                        (enc->auth ? cachet_cms_tlv_len(CACHET_ASN1_OCTETSTRING, AEAD_ICV_LEN) : 0);
    uint64_t wrap_len = cachet_cms_tlv_len(CACHET_ASN1_SEQUENCE, body_len);
    uint64_t ci_len =
        cachet_cbb_len(&oid) + cachet_cms_tlv_len(CACHET_ASN1_CONTEXT_CONS(0), wrap_len);
    /* ContentInfo (§3) { contentType, [0] EXPLICIT content { version,
     * [recipientInfos,] EncryptedContentInfo { ..., encryptedContent [0] IMPLICIT
     * OCTET STRING, constructed and indefinite, or primitive and definite } } }. */
    if (st == CACHET_OK) {
        st = write_open(enc, CACHET_ASN1_SEQUENCE, ci_len, err);
    }
    if (st == CACHET_OK) {
        st = cachet_env_write_cbb(&enc->out, &oid, err);
    }
    if (st == CACHET_OK) {
        st = write_open(enc, CACHET_ASN1_CONTEXT_CONS(0), wrap_len, err);
    }
    if (st == CACHET_OK) {
        st = write_open(enc, CACHET_ASN1_SEQUENCE, body_len, err);
    }
    if (st == CACHET_OK) {
        st = cachet_env_write_cbb(&enc->out, &head, err);
    }
    if (st == CACHET_OK) {
        st = write_open(enc, CACHET_ASN1_SEQUENCE, eci_len, err);
    }
    if (st == CACHET_OK) {
        st = cachet_env_write_cbb(&enc->out, &eci, err);
    }
    if (st == CACHET_OK) {
        st = write_open(
            enc, enc->length.known ? CACHET_ASN1_CONTEXT(0) : CACHET_ASN1_CONTEXT_CONS(0), ct, err);
    }
    cachet_cbb_cleanup(&head);
    cachet_cbb_cleanup(&oid);
    cachet_cbb_cleanup(&eci);
    return st;
}

/* The key, the IV or nonce, and (but for CCM) the cipher context. */
static cachet_status start_cipher(cachet_cms_encrypt *enc, const cachet_cms_encrypt_opts *opts,
                                  uint8_t *cek, cachet_error *err) {
    cachet_env_cea *cea = &enc->cea;
    cachet_status st = CACHET_OK;
    cea->key_len = cachet_cipher_key_len(cea->cipher);
    /* RFC 5084 §3.2: a 12-byte GCM nonce is recommended; RFC 8103: ChaCha's is 12. */
    cea->iv_len = enc->ccm ? CCM_NONCE_LEN : cachet_cipher_iv_len(cea->cipher);
    cea->icv_len = enc->auth ? AEAD_ICV_LEN : 0;
    if (opts->content_key != NULL) {
        memcpy(cek, opts->content_key, cea->key_len);
    } else {
        st = cachet_random(cek, cea->key_len, err);
    }
    if (st == CACHET_OK) {
        st = cachet_random(cea->iv, cea->iv_len, err);
    }
    if (st != CACHET_OK || enc->ccm) {
        return st;
    }
    enc->cctx =
        cachet_cipher_new_ex(cea->cipher, true, cek, cea->key_len, cea->iv, cea->iv_len, NULL, err);
    if (enc->cctx == NULL) {
        return cachet_err_set(err, CACHET_ERR_INTERNAL, ENC_WHERE, -1, "cipher setup failed");
    }
    return CACHET_OK;
}

cachet_cms_encrypt *cachet_cms_encrypt_new(const cachet_cms_encrypt_opts *opts,
                                           const cachet_sink *out, cachet_error *err) {
    cachet_cms_encrypt *enc;
    cachet_cms_limits limits;
    uint8_t cek[CACHET_ENV_MAX_CEK];
    cachet_cipher cipher = CACHET_CIPHER_NONE;
    cachet_status st;
    if (opts == NULL || out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, ENC_WHERE, -1, "options and sink needed");
        return NULL;
    }
    if (check_opts(opts, &cipher, err) != CACHET_OK) {
        return NULL;
    }
    enc = cachet_calloc(1, sizeof(*enc));
    if (enc == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
        return NULL;
    }
    enc->out = *out;
    enc->cea.cipher = cipher;
    enc->auth = is_aead(cipher);
    enc->ccm = is_ccm(cipher);
    cachet_cms_limits_default(&limits);
    enc->max_ccm = limits.max_ccm_content;
    st = cachet_cms_length_init(&enc->length, opts->content_size_known, opts->content_size,
                                ENC_WHERE ".encryptedContentInfo", err);
    if (st == CACHET_OK) {
        st = start_cipher(enc, opts, cek, err);
    }
    if (st == CACHET_OK) {
        st = write_header(enc, opts, cek, err);
    }
    if (st == CACHET_OK && enc->ccm) {
        memcpy(enc->cek, cek, enc->cea.key_len);
    }
    cachet_cleanse(cek, sizeof(cek));
    if (st != CACHET_OK) {
        cachet_cms_encrypt_free(enc);
        return NULL;
    }
    return enc;
}

static cachet_status write_segment(cachet_cms_encrypt *enc, const uint8_t *data, size_t len,
                                   cachet_error *err) {
    cachet_status st;
    if (len == 0) {
        return CACHET_OK;
    }
    /* a declared size: the bytes of the one primitive encryptedContent */
    st = enc->length.known ? cachet_sink_write(&enc->out, data, len)
                           : cachet_cms_write_octets(&enc->out, data, len);
    if (st != CACHET_OK) {
        return cachet_err_set(err, st, ENC_WHERE ".encryptedContentInfo", -1, "output sink failed");
    }
    return CACHET_OK;
}

static cachet_status hold_ccm(cachet_cms_encrypt *enc, const uint8_t *data, size_t len,
                              cachet_error *err) {
    if (len > enc->max_ccm - enc->held.len) {
        return enc_fail(enc, cachet_err_set(err, CACHET_ERR_LIMIT, ENC_WHERE, -1,
                                            "AES-CCM content larger than %zu bytes "
                                            "(limits.max_ccm_content)",
                                            enc->max_ccm));
    }
    if (!cachet_membuf_append(&enc->held, data, len)) {
        return enc_fail(enc, cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory"));
    }
    return CACHET_OK;
}

cachet_status cachet_cms_encrypt_update(cachet_cms_encrypt *enc, const uint8_t *data, size_t len,
                                        cachet_error *err) {
    if (enc->failed != CACHET_OK || enc->finished) {
        return cachet_err_set(err, enc->finished ? CACHET_ERR_USAGE : enc->failed, ENC_WHERE, -1,
                              "encryptor already failed or finished");
    }
    cachet_status lst =
        cachet_cms_length_add(&enc->length, len, ENC_WHERE ".encryptedContentInfo", err);
    if (lst != CACHET_OK) {
        return enc_fail(enc, lst);
    }
    if (enc->ccm) {
        return hold_ccm(enc, data, len, err);
    }
    while (len > 0) {
        size_t n = len < CHUNK ? len : CHUNK, out_len = 0;
        cachet_status st;
        if (!cachet_cipher_update(enc->cctx, data, n, enc->buf, &out_len)) {
            return enc_fail(
                enc, cachet_err_set(err, CACHET_ERR_INTERNAL, ENC_WHERE, -1, "encryption failed"));
        }
        st = write_segment(enc, enc->buf, out_len, err);
        if (st != CACHET_OK) {
            return enc_fail(enc, st);
        }
        data += n;
        len -= n;
    }
    return CACHET_OK;
}

/* AES-CCM in one call over the held plaintext, written out in segments. */
static cachet_status finish_ccm(cachet_cms_encrypt *enc, uint8_t *tag, cachet_error *err) {
    size_t len = enc->held.len, alloc = len > 0 ? len : 1;
    uint8_t *ct = cachet_malloc(alloc);
    cachet_status st = CACHET_OK;
    if (ct == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
    }
    if (!cachet_aes_ccm(enc->cea.cipher, true, enc->cek, enc->cea.key_len, enc->cea.iv,
                        enc->cea.iv_len, enc->held.data, len, ct, tag, enc->cea.icv_len, err)) {
        st = cachet_err_set(err, CACHET_ERR_INTERNAL, ENC_WHERE, -1, "encryption failed");
    }
    for (size_t off = 0; st == CACHET_OK && off < len; off += CHUNK) {
        st = write_segment(enc, ct + off, len - off < CHUNK ? len - off : CHUNK, err);
    }
    cachet_free(ct);
    cachet_membuf_free_secret(&enc->held);
    cachet_cleanse(enc->cek, sizeof(enc->cek));
    return st;
}

/* The last ciphertext; |tag| gets the AEAD tag. */
static cachet_status finish_content(cachet_cms_encrypt *enc, uint8_t *tag, cachet_error *err) {
    size_t out_len = 0;
    cachet_status st;
    if (enc->ccm) {
        return finish_ccm(enc, tag, err);
    }
    if (!cachet_cipher_final(enc->cctx, enc->buf, &out_len)) {
        return cachet_err_set(err, CACHET_ERR_INTERNAL, ENC_WHERE, -1, "encryption failed");
    }
    st = write_segment(enc, enc->buf, out_len, err);
    if (st == CACHET_OK && enc->auth && !cachet_cipher_get_tag(enc->cctx, tag, enc->cea.icv_len)) {
        st = cachet_err_set(err, CACHET_ERR_INTERNAL, ENC_WHERE, -1, "AEAD tag unavailable");
    }
    return st;
}

cachet_status cachet_cms_encrypt_finish(cachet_cms_encrypt *enc, cachet_error *err) {
    uint8_t tag[AEAD_ICV_LEN];
    cachet_cbb mac;
    cachet_status st;
    if (enc->failed != CACHET_OK || enc->finished) {
        return cachet_err_set(err, enc->finished ? CACHET_ERR_USAGE : enc->failed, ENC_WHERE, -1,
                              "encryptor already failed or finished");
    }
    enc->finished = true;
    st = cachet_cms_length_check(&enc->length, ENC_WHERE ".encryptedContentInfo", err);
    if (st == CACHET_OK) {
        st = finish_content(enc, tag, err);
    }
    /* Close encryptedContent and EncryptedContentInfo. */
    if (st == CACHET_OK && !enc->length.known && cachet_cms_write_eoc(&enc->out, 2) != CACHET_OK) {
        st = cachet_err_set(err, CACHET_ERR_IO, ENC_WHERE, -1, "output sink failed");
    }
    if (st == CACHET_OK && enc->auth) {
        /* RFC 5083 §2.1: mac MessageAuthenticationCode (OCTET STRING) follows
         * authEncryptedContentInfo (no authAttrs: the content is id-data). */
        if (!cachet_cbb_init(&mac, 32, 0)) {
            st = cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
        } else if (!cachet_cbb_add_asn1_octet_string(&mac, tag, enc->cea.icv_len)) {
            cachet_cbb_cleanup(&mac);
            st = cachet_err_set(err, CACHET_ERR_NOMEM, ENC_WHERE, -1, "out of memory");
        } else {
            st = cachet_env_write_cbb(&enc->out, &mac, err);
            cachet_cbb_cleanup(&mac);
        }
    }
    /* Close the content, [0] and ContentInfo. */
    if (st == CACHET_OK && !enc->length.known && cachet_cms_write_eoc(&enc->out, 3) != CACHET_OK) {
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
    cachet_membuf_free_secret(&enc->held);
    cachet_free_secret(enc, sizeof(*enc));
}
