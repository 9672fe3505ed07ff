/* Streaming EnvelopedData (RFC 5652 §6) and AuthEnvelopedData (RFC 5083)
 * decryption. The BER skeleton reader streams encryptedContent; everything
 * needed to start decrypting (recipientInfos, contentEncryptionAlgorithm)
 * precedes it (§6.1), and what follows it (AuthEnvelopedData's authAttrs and
 * mac) is read from the skeleton at the end. */
#include <stdio.h>
#include <string.h>

#include "cms/enveloped_internal.h"

#define CHUNK 16384
#define DEC_WHERE "EnvelopedData"

struct cachet_cms_decrypt {
    const cachet_pkey *key;
    const cachet_cert *cert;
    cachet_cms_secrets secrets; /* TODO(issue 5): set by cachet_cms_decrypt_new_secrets */
    bool allow_weak;
    cachet_cms_limits limits;
    cachet_sink out;
    cachet_ber_skel *skel;
    cachet_error err;     /* detail recorded by the callbacks, then sticky */
    cachet_status failed; /* sticky */
    bool auth;
    bool bulk_begun;
    bool finished;
    cachet_oid content_type;
    cachet_env_cea cea;
    cachet_env_recipient_info info;
    cachet_cipher_ctx *cctx;
    uint8_t cek[CACHET_ENV_MAX_CEK];
    /* GCM: a copy of the ciphertext, needed only if authAttrs turn up after it
     * (RFC 5083 §2.2 feeds them as AAD, which GCM takes before the content). */
    cachet_membuf copy;
    bool copy_overflow;
    uint8_t buf[CHUNK + 32];
};

/* ContentInfo.content [0] -> (Auth)EnvelopedData -> EncryptedContentInfo ->
 * encryptedContent [0] IMPLICIT OCTET STRING (primitive or constructed). */
static bool is_bulk(void *arg, const cachet_asn1_tag *path, const size_t *index, size_t depth) {
    (void)arg;
    return depth == 4 && path[0] == CACHET_ASN1_SEQUENCE &&
           path[1] == CACHET_ASN1_CONTEXT_CONS(0) && index[1] == 1 &&
           path[2] == CACHET_ASN1_SEQUENCE && index[2] == 0 && path[3] == CACHET_ASN1_SEQUENCE &&
           (index[3] == 2 || index[3] == 3) &&
           (path[4] & ~CACHET_ASN1_CONSTRUCTED) == CACHET_ASN1_CONTEXT(0) && index[4] == 2;
}

static cachet_status record(cachet_cms_decrypt *dec, cachet_status st) {
    if (dec->failed == CACHET_OK) {
        dec->failed = st;
    }
    return st;
}

static cachet_status malformed(cachet_cms_decrypt *dec, const char *where, const char *what) {
    return record(dec, cachet_err_set(&dec->err, CACHET_ERR_MALFORMED, where, -1, "%s", what));
}

/* ContentInfo.contentType decides between EnvelopedData and AuthEnvelopedData. */
static cachet_status read_content_type(cachet_cms_decrypt *dec, cachet_cbs *ci) {
    cachet_oid oid;
    if (!cachet_cbs_get_oid(ci, &oid, NULL)) {
        return malformed(dec, "ContentInfo.contentType", "not an OBJECT IDENTIFIER");
    }
    if (oid != CACHET_OID_ENVELOPED_DATA && oid != CACHET_OID_AUTH_ENVELOPED_DATA) {
        return record(dec, cachet_err_set(
                               &dec->err, CACHET_ERR_UNSUPPORTED, "ContentInfo.contentType", -1,
                               "content type %s is not (Auth)EnvelopedData", cachet_oid_name(oid)));
    }
    dec->auth = oid == CACHET_OID_AUTH_ENVELOPED_DATA;
    return CACHET_OK;
}

/* RFC 5652 §6.1 / RFC 5083 §2.1: version, originatorInfo [0] OPTIONAL,
 * recipientInfos; then EncryptedContentInfo's contentType and
 * contentEncryptionAlgorithm. The algorithm is checked before the key is used. */
static cachet_status on_bulk_begin(void *arg, cachet_ber_skel *skel) {
    cachet_cms_decrypt *dec = arg;
    cachet_cbs ci, ed, eci, ris, alg, skip;
    uint64_t version;
    bool present;
    cachet_status st;
    size_t key_len;
    dec->bulk_begun = true;
    if (!cachet_ber_skel_partial(skel, 0, &ci) || !cachet_ber_skel_partial(skel, 2, &ed) ||
        !cachet_ber_skel_partial(skel, 3, &eci)) {
        return record(dec, cachet_err_set(&dec->err, CACHET_ERR_INTERNAL, DEC_WHERE, -1,
                                          "skeleton unavailable"));
    }
    st = read_content_type(dec, &ci);
    if (st != CACHET_OK) {
        return st;
    }
    if (!cachet_cbs_get_asn1_uint64(&ed, &version) || version > 4 || (dec->auth && version != 0) ||
        !cachet_cbs_get_optional_asn1(&ed, &skip, &present, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1_element(&ed, &ris, CACHET_ASN1_SET) || ed.len != 0) {
        return malformed(dec, DEC_WHERE, "version, originatorInfo or recipientInfos malformed");
    }
    if (!cachet_cbs_get_oid(&eci, &dec->content_type, NULL) ||
        !cachet_cbs_get_asn1_element(&eci, &alg, CACHET_ASN1_SEQUENCE) || eci.len != 0) {
        return malformed(dec, DEC_WHERE ".encryptedContentInfo",
                         "contentType or contentEncryptionAlgorithm malformed");
    }
    st = cachet_env_parse_cea(&alg, dec->auth, dec->allow_weak, &dec->cea, &dec->err);
    if (st != CACHET_OK) {
        return record(dec, st);
    }
    key_len = cachet_cipher_key_len(dec->cea.cipher);
    st = cachet_env_recover_cek(&ris, &dec->secrets, dec->allow_weak, &dec->limits, dec->cek,
                                key_len, &dec->info, &dec->err);
    if (st != CACHET_OK) {
        return record(dec, st);
    }
    dec->cctx = cachet_cipher_new(dec->cea.cipher, false, dec->cek, key_len, dec->cea.iv,
                                  dec->cea.iv_len, NULL);
    if (dec->cctx == NULL) {
        return record(dec, cachet_env_decrypt_failed(&dec->err));
    }
    return CACHET_OK;
}

static cachet_status on_bulk_data(void *arg, const uint8_t *data, size_t len) {
    cachet_cms_decrypt *dec = arg;
    if (dec->auth && !dec->copy_overflow) {
        if (dec->copy.len + len > dec->limits.max_skeleton ||
            !cachet_membuf_append(&dec->copy, data, len)) {
            dec->copy_overflow = true;
            cachet_membuf_free(&dec->copy);
        }
    }
    while (len > 0) {
        size_t n = len < CHUNK ? len : CHUNK, out_len = 0;
        cachet_status st;
        if (!cachet_cipher_update(dec->cctx, data, n, dec->buf, &out_len)) {
            return record(dec, cachet_env_decrypt_failed(&dec->err));
        }
        st = cachet_sink_write(&dec->out, dec->buf, out_len);
        if (st != CACHET_OK) {
            return record(dec, cachet_err_set(&dec->err, st, DEC_WHERE, -1, "output sink failed"));
        }
        data += n;
        len -= n;
    }
    return CACHET_OK;
}

static cachet_status on_bulk_end(void *arg) {
    (void)arg;
    return CACHET_OK;
}

cachet_cms_decrypt *cachet_cms_decrypt_new(const cachet_pkey *key, const cachet_cert *cert,
                                           const cachet_cms_policy *policy,
                                           const cachet_cms_limits *limits, const cachet_sink *out,
                                           cachet_error *err) {
    cachet_cms_decrypt *dec;
    cachet_ber_skel_callbacks cb = {is_bulk, on_bulk_begin, on_bulk_data, on_bulk_end, NULL};
    cachet_ber_limits bl;
    if (key == NULL || cert == NULL || out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, DEC_WHERE, -1, "key, certificate and sink needed");
        return NULL;
    }
    {
        /* A key that is not the certificate's would make every message fail as
         * "decryption failed"; say what is wrong instead. */
        cachet_pkey *pub = cachet_cert_pkey(cert);
        bool same = pub != NULL && cachet_pkey_matches(pub, key);
        cachet_pkey_free(pub);
        if (!same) {
            cachet_err_set(err, CACHET_ERR_USAGE, DEC_WHERE, -1,
                           "the private key does not belong to the certificate");
            return NULL;
        }
    }
    dec = cachet_calloc(1, sizeof(*dec));
    if (dec == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, DEC_WHERE, -1, "out of memory");
        return NULL;
    }
    dec->key = key;
    dec->cert = cert;
    dec->secrets.keys = &dec->key;
    dec->secrets.certs = &dec->cert;
    dec->secrets.num_keys = 1;
    dec->allow_weak = policy != NULL && policy->allow_weak;
    if (limits != NULL) {
        dec->limits = *limits;
    } else {
        cachet_cms_limits_default(&dec->limits);
    }
    dec->out = *out;
    dec->copy.max = dec->limits.max_skeleton;
    cb.arg = dec;
    bl = cachet_cms_ber_limits(&dec->limits);
    dec->skel = cachet_ber_skel_new(&cb, &bl);
    if (dec->skel == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, DEC_WHERE, -1, "out of memory");
        cachet_free(dec);
        return NULL;
    }
    return dec;
}

/* The callbacks' own detail wins over the reader's, so that the uniform
 * decryption failure stays uniform. */
static cachet_status fail_out(cachet_cms_decrypt *dec, cachet_status st,
                              const cachet_error *skel_err, cachet_error *err) {
    if (dec->err.status == CACHET_OK) {
        dec->err = *skel_err;
        dec->err.status = st;
    }
    record(dec, dec->err.status);
    if (err != NULL) {
        *err = dec->err;
    }
    return dec->failed;
}

cachet_status cachet_cms_decrypt_update(cachet_cms_decrypt *dec, const uint8_t *data, size_t len,
                                        cachet_error *err) {
    cachet_error local;
    cachet_status st;
    if (dec->failed != CACHET_OK) {
        if (err != NULL) {
            *err = dec->err;
        }
        return dec->failed;
    }
    if (dec->finished) {
        return cachet_err_set(err, CACHET_ERR_USAGE, DEC_WHERE, -1, "already finished");
    }
    cachet_err_clear(&local);
    st = cachet_ber_skel_update(dec->skel, data, len, &local);
    if (st != CACHET_OK) {
        return fail_out(dec, st, &local, err);
    }
    return CACHET_OK;
}

/* The skeleton after the end: ContentInfo { OID, [0] { SEQUENCE { version,
 * [0]?, SET, EncryptedContentInfo, then EnvelopedData: [1] unprotectedAttrs?;
 * AuthEnvelopedData: [1] authAttrs?, mac, [2] unauthAttrs? } } }. */
static cachet_status read_trailer(cachet_cms_decrypt *dec, cachet_cbs *auth_attrs,
                                  bool *has_auth_attrs, cachet_cbs *mac) {
    cachet_cbs der, ci, content, ed, eci, skip, placeholder;
    cachet_asn1_tag tag;
    bool present;
    if (!cachet_ber_skel_der(dec->skel, &der) ||
        !cachet_cbs_get_asn1(&der, &ci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) ||
        !cachet_cbs_get_asn1(&ci, &content, CACHET_ASN1_CONTEXT_CONS(0)) || ci.len != 0 ||
        !cachet_cbs_get_asn1(&content, &ed, CACHET_ASN1_SEQUENCE) || content.len != 0 ||
        !cachet_cbs_get_any_asn1(&ed, &skip, NULL) ||
        !cachet_cbs_get_optional_asn1(&ed, &skip, &present, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&ed, &skip, CACHET_ASN1_SET) ||
        !cachet_cbs_get_asn1(&ed, &eci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_any_asn1(&eci, &skip, NULL) ||
        !cachet_cbs_get_any_asn1(&eci, &skip, NULL) ||
        !cachet_cbs_get_any_asn1(&eci, &placeholder, &tag) || eci.len != 0) {
        return malformed(dec, DEC_WHERE, "structure malformed");
    }
    *has_auth_attrs = false;
    if (!dec->auth) {
        if (!cachet_cbs_get_optional_asn1(&ed, &skip, &present, CACHET_ASN1_CONTEXT_CONS(1)) ||
            ed.len != 0) {
            return malformed(dec, DEC_WHERE, "unexpected element after encryptedContentInfo");
        }
        return CACHET_OK;
    }
    if (cachet_cbs_peek_asn1_tag(&ed, CACHET_ASN1_CONTEXT_CONS(1))) {
        if (!cachet_cbs_get_asn1_element(&ed, auth_attrs, CACHET_ASN1_CONTEXT_CONS(1))) {
            return malformed(dec, "AuthEnvelopedData.authAttrs", "malformed");
        }
        *has_auth_attrs = true;
    }
    if (!cachet_cbs_get_asn1(&ed, mac, CACHET_ASN1_OCTETSTRING) ||
        !cachet_cbs_get_optional_asn1(&ed, &skip, &present, CACHET_ASN1_CONTEXT_CONS(2)) ||
        ed.len != 0) {
        return malformed(dec, "AuthEnvelopedData.mac", "missing or followed by unexpected data");
    }
    return CACHET_OK;
}

/* RFC 5083 §2.2: the AAD is the DER of authAttrs with the SET OF tag (0x31) in
 * place of the IMPLICIT [1]. Runs GCM again over the kept ciphertext. */
static bool gcm_check_with_aad(cachet_cms_decrypt *dec, const cachet_cbs *attrs,
                               const cachet_cbs *mac) {
    cachet_cipher_ctx *c;
    uint8_t *aad;
    size_t out_len;
    bool ok;
    aad = cachet_malloc(attrs->len);
    if (aad == NULL) {
        return false;
    }
    memcpy(aad, attrs->data, attrs->len);
    aad[0] = 0x31;
    c = cachet_cipher_new(dec->cea.cipher, false, dec->cek, cachet_cipher_key_len(dec->cea.cipher),
                          dec->cea.iv, dec->cea.iv_len, NULL);
    ok = c != NULL && cachet_cipher_aad(c, aad, attrs->len);
    for (size_t off = 0; ok && off < dec->copy.len; off += CHUNK) {
        size_t n = dec->copy.len - off < CHUNK ? dec->copy.len - off : CHUNK;
        ok = cachet_cipher_update(c, dec->copy.data + off, n, dec->buf, &out_len);
    }
    ok = ok && cachet_cipher_set_tag(c, mac->data, mac->len) &&
         cachet_cipher_final(c, dec->buf, &out_len);
    cachet_cipher_free(c);
    cachet_free(aad);
    return ok;
}

static void fill_report(const cachet_cms_decrypt *dec, cachet_layer_report *r) {
    memset(r, 0, sizeof(*r));
    r->type = dec->auth ? CACHET_LAYER_AUTH_ENVELOPED : CACHET_LAYER_ENVELOPED;
    snprintf(r->content_type, sizeof(r->content_type), "%s", cachet_oid_name(dec->content_type));
    snprintf(r->cipher, sizeof(r->cipher), "%s", cachet_cipher_name(dec->cea.cipher));
    r->authenticated = cachet_cipher_is_aead(dec->cea.cipher);
    snprintf(r->key_management, sizeof(r->key_management), "%s", dec->info.key_management);
    r->num_recipients = dec->info.num_recipients;
}

cachet_status cachet_cms_decrypt_finish(cachet_cms_decrypt *dec, cachet_layer_report *out_report,
                                        cachet_error *err) {
    cachet_error local;
    cachet_cbs attrs, mac;
    bool has_attrs = false;
    size_t out_len = 0;
    cachet_status st;
    if (dec->failed != CACHET_OK) {
        if (err != NULL) {
            *err = dec->err;
        }
        return dec->failed;
    }
    if (dec->finished) {
        return cachet_err_set(err, CACHET_ERR_USAGE, DEC_WHERE, -1, "already finished");
    }
    dec->finished = true;
    cachet_err_clear(&local);
    st = cachet_ber_skel_finish(dec->skel, &local);
    if (st != CACHET_OK) {
        return fail_out(dec, st, &local, err);
    }
    if (!dec->bulk_begun) {
        cachet_cbs der, ci;
        if (cachet_ber_skel_der(dec->skel, &der) &&
            cachet_cbs_get_asn1(&der, &ci, CACHET_ASN1_SEQUENCE) &&
            read_content_type(dec, &ci) != CACHET_OK) {
            return fail_out(dec, dec->failed, &dec->err, err);
        }
        record(dec,
               cachet_err_set(&dec->err, CACHET_ERR_UNSUPPORTED, DEC_WHERE ".encryptedContentInfo",
                              -1, "encryptedContent absent (detached content not supported)"));
        return fail_out(dec, dec->failed, &dec->err, err);
    }
    if (read_trailer(dec, &attrs, &has_attrs, &mac) != CACHET_OK) {
        return fail_out(dec, dec->failed, &dec->err, err);
    }
    if (dec->auth) {
        /* EF-06: the mac must be exactly aes-ICVlen bytes (12..16, checked). */
        if (mac.len != dec->cea.icv_len) {
            record(dec, cachet_env_decrypt_failed(&dec->err));
            return fail_out(dec, dec->failed, &dec->err, err);
        }
        if (has_attrs && dec->copy_overflow) {
            record(dec, cachet_err_set(&dec->err, CACHET_ERR_LIMIT, "AuthEnvelopedData.authAttrs",
                                       -1, "content too large to authenticate with authAttrs"));
            return fail_out(dec, dec->failed, &dec->err, err);
        }
        if (has_attrs ? !gcm_check_with_aad(dec, &attrs, &mac)
                      : (!cachet_cipher_set_tag(dec->cctx, mac.data, mac.len) ||
                         !cachet_cipher_final(dec->cctx, dec->buf, &out_len))) {
            record(dec, cachet_env_decrypt_failed(&dec->err));
            return fail_out(dec, dec->failed, &dec->err, err);
        }
    } else if (!cachet_cipher_final(dec->cctx, dec->buf, &out_len)) {
        /* Bad CBC padding: the withheld last block is never released (PO-01). */
        record(dec, cachet_env_decrypt_failed(&dec->err));
        return fail_out(dec, dec->failed, &dec->err, err);
    }
    if (!dec->auth) {
        st = cachet_sink_write(&dec->out, dec->buf, out_len);
        if (st != CACHET_OK) {
            record(dec, cachet_err_set(&dec->err, st, DEC_WHERE, -1, "output sink failed"));
            return fail_out(dec, dec->failed, &dec->err, err);
        }
    }
    if (out_report != NULL) {
        fill_report(dec, out_report);
    }
    return CACHET_OK;
}

cachet_oid cachet_cms_decrypt_content_type(const cachet_cms_decrypt *dec) {
    return dec->content_type;
}

bool cachet_cms_decrypt_weak(const cachet_cms_decrypt *dec) {
    return dec->cea.weak || dec->info.weak;
}

void cachet_cms_decrypt_free(cachet_cms_decrypt *dec) {
    if (dec == NULL) {
        return;
    }
    cachet_ber_skel_free(dec->skel);
    cachet_cipher_free(dec->cctx);
    cachet_membuf_free(&dec->copy);
    cachet_free_secret(dec, sizeof(*dec));
}
