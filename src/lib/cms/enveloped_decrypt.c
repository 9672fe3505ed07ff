/* Streaming EnvelopedData (RFC 5652 §6), AuthEnvelopedData (RFC 5083) and
 * EncryptedData (RFC 5652 §8) decryption. The BER skeleton reader streams
 * encryptedContent; everything needed to start decrypting (recipientInfos,
 * contentEncryptionAlgorithm) precedes it (§6.1), and what follows it
 * (AuthEnvelopedData's authAttrs and mac, unprotectedAttrs) is read from the
 * skeleton at the end. AES-CCM cannot stream: its ciphertext is held (bounded)
 * and opened at the end. */
#include <stdio.h>
#include <string.h>

#include "cms/enveloped_aead.h"

#define CHUNK 16384
#define DEC_WHERE "EnvelopedData"

struct cachet_cms_decrypt {
    /* cachet_cms_decrypt_new's key and certificate, which secrets point at */
    const cachet_pkey *key;
    const cachet_cert *cert;
    cachet_cms_secrets secrets;
    bool allow_weak;
    cachet_cms_limits limits;
    cachet_sink out;
    cachet_ber_skel *skel;
    cachet_error err;     /* detail recorded by the callbacks, then sticky */
    cachet_status failed; /* sticky */
    cachet_oid outer;     /* ContentInfo.contentType */
    bool auth;
    bool ccm;
    uint64_t version;
    bool bulk_begun;
    bool finished;
    cachet_oid content_type;
    cachet_env_cea cea;
    cachet_env_recipient_info info;
    cachet_cipher_ctx *cctx; /* NULL for CCM */
    uint8_t cek[CACHET_ENV_MAX_CEK];
    /* The CEK could not be recovered once a secret was in use: a random one
     * stands in, nothing is released and finish fails (stand_in_cek). */
    bool cek_failed;
    /* GCM / ChaCha20-Poly1305: a copy of the ciphertext, needed only if authAttrs
     * turn up after it (RFC 5083 §2.2 feeds them as AAD, taken before the content). */
    cachet_membuf copy;
    bool copy_overflow;
    /* AES-CCM: the whole ciphertext, up to limits.max_ccm_content */
    cachet_membuf held;
    uint8_t buf[CHUNK + 32];
};

/* ContentInfo.content [0] -> (Auth)EnvelopedData / EncryptedData ->
 * EncryptedContentInfo (index 2 or 3, EncryptedData: 1) -> encryptedContent [0]
 * IMPLICIT OCTET STRING (primitive or constructed). on_bulk_begin checks that
 * the index fits the content type. */
static bool is_bulk(void *arg, const cachet_asn1_tag *path, const size_t *index, size_t depth) {
    (void)arg;
    return depth == 4 && path[0] == CACHET_ASN1_SEQUENCE &&
           path[1] == CACHET_ASN1_CONTEXT_CONS(0) && index[1] == 1 &&
           path[2] == CACHET_ASN1_SEQUENCE && index[2] == 0 && path[3] == CACHET_ASN1_SEQUENCE &&
           index[3] >= 1 && index[3] <= 3 &&
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

static const char *outer_name(const cachet_cms_decrypt *dec) {
    if (dec->outer == CACHET_OID_ENCRYPTED_DATA) {
        return "EncryptedData";
    }
    return dec->auth ? "AuthEnvelopedData" : "EnvelopedData";
}

/* ContentInfo.contentType decides between the three. */
static cachet_status read_content_type(cachet_cms_decrypt *dec, cachet_cbs *ci) {
    cachet_oid oid;
    if (!cachet_cbs_get_oid(ci, &oid, NULL)) {
        return malformed(dec, "ContentInfo.contentType", "not an OBJECT IDENTIFIER");
    }
    if (oid != CACHET_OID_ENVELOPED_DATA && oid != CACHET_OID_AUTH_ENVELOPED_DATA &&
        oid != CACHET_OID_ENCRYPTED_DATA) {
        return record(dec, cachet_err_set(&dec->err, CACHET_ERR_UNSUPPORTED,
                                          "ContentInfo.contentType", -1,
                                          "content type %s is not (Auth)EnvelopedData or "
                                          "EncryptedData",
                                          cachet_oid_name(oid)));
    }
    dec->outer = oid;
    dec->auth = oid == CACHET_OID_AUTH_ENVELOPED_DATA;
    return CACHET_OK;
}

/* RFC 5652 §6.1 / RFC 5083 §2.1: version, originatorInfo [0] OPTIONAL,
 * recipientInfos. RFC 5652 §8: EncryptedData has only its version (0, or 2
 * with unprotectedAttrs, checked at the end) before encryptedContentInfo. */
static cachet_status read_header(cachet_cms_decrypt *dec, cachet_cbs *ed, cachet_cbs *ris) {
    cachet_cbs skip;
    bool present;
    if (dec->outer == CACHET_OID_ENCRYPTED_DATA) {
        if (!cachet_cbs_get_asn1_uint64(ed, &dec->version) || ed->len != 0 ||
            (dec->version != 0 && dec->version != 2)) {
            return malformed(dec, "EncryptedData", "version must be 0 or 2 (RFC 5652 §8)");
        }
        return CACHET_OK;
    }
    if (!cachet_cbs_get_asn1_uint64(ed, &dec->version) || dec->version > 4 ||
        (dec->auth && dec->version != 0) ||
        !cachet_cbs_get_optional_asn1(ed, &skip, &present, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1_element(ed, ris, CACHET_ASN1_SET) || ed->len != 0) {
        return malformed(dec, outer_name(dec),
                         "version, originatorInfo or recipientInfos malformed");
    }
    return CACHET_OK;
}

/* A legacy cipher the OpenSSL build lacks is reported as such before any key
 * is used (afterwards every failure must look the same). */
static cachet_status probe_cipher(cachet_cms_decrypt *dec) {
    static const uint8_t zero[CACHET_ENV_MAX_CEK];
    cachet_cipher_params params = {dec->cea.rc2_effective_bits, false};
    cachet_cipher_ctx *c;
    if (!dec->cea.weak) {
        return CACHET_OK;
    }
    c = cachet_cipher_new_ex(dec->cea.cipher, false, zero, dec->cea.key_len, dec->cea.iv,
                             dec->cea.iv_len, &params, NULL);
    if (c == NULL) {
        return record(dec, cachet_err_set(&dec->err, CACHET_ERR_UNSUPPORTED,
                                          "EncryptedContentInfo.contentEncryptionAlgorithm", -1,
                                          "%s is not available in this OpenSSL build",
                                          cachet_cipher_name(dec->cea.cipher)));
    }
    cachet_cipher_free(c);
    return CACHET_OK;
}

/* EncryptedData: the key comes with the secrets, not from a RecipientInfo. */
static cachet_status take_content_key(cachet_cms_decrypt *dec) {
    if (dec->secrets.content_key == NULL) {
        return record(dec, cachet_err_set(&dec->err, CACHET_ERR_NO_RECIPIENT, "EncryptedData", -1,
                                          "EncryptedData needs the content key (--secret-key)"));
    }
    if (dec->secrets.content_key_len != dec->cea.key_len) {
        return record(dec, cachet_env_decrypt_failed(&dec->err));
    }
    memcpy(dec->cek, dec->secrets.content_key, dec->cea.key_len);
    return CACHET_OK;
}

/* A secret was used and the CEK could not be recovered (RSA-OAEP, key
 * agreement, KEK or password; PKCS#1 v1.5 substitutes without telling, in
 * rsa.c). Go on as RFC 3218 §2.3.2 does: a random CEK of the right length
 * decrypts the content, nothing is released, and the failure is reported where
 * a bad tag or padding is, after the same work and with the same error: its
 * status then no longer depends on whether the key operation succeeded (a
 * structure error after it would otherwise win or lose by it) and this layer's
 * work is that of a bad tag (ATTACKS BL-01, BL-05; the layer above is handed
 * nothing, so it parses nothing: bench/decrypt_timing.c measures the rest). */
static cachet_status stand_in_cek(cachet_cms_decrypt *dec) {
    if (cachet_random(dec->cek, dec->cea.key_len, NULL) != CACHET_OK) {
        return cachet_env_decrypt_failed(&dec->err);
    }
    cachet_err_clear(&dec->err);
    dec->cek_failed = true;
    return CACHET_OK;
}

/* The algorithm is checked before any key is used. */
static cachet_status on_bulk_begin(void *arg, cachet_ber_skel *skel) {
    cachet_cms_decrypt *dec = arg;
    cachet_cbs ci, ed, eci, ris = {NULL, 0}, alg;
    cachet_cipher_params params;
    cachet_status st;
    dec->bulk_begun = true;
    if (!cachet_ber_skel_partial(skel, 0, &ci) || !cachet_ber_skel_partial(skel, 2, &ed) ||
        !cachet_ber_skel_partial(skel, 3, &eci)) {
        return record(dec, cachet_err_set(&dec->err, CACHET_ERR_INTERNAL, DEC_WHERE, -1,
                                          "skeleton unavailable"));
    }
    st = read_content_type(dec, &ci);
    if (st == CACHET_OK) {
        st = read_header(dec, &ed, &ris);
    }
    if (st != CACHET_OK) {
        return st;
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
    dec->ccm = dec->cea.cipher == CACHET_CIPHER_AES128_CCM ||
               dec->cea.cipher == CACHET_CIPHER_AES192_CCM ||
               dec->cea.cipher == CACHET_CIPHER_AES256_CCM;
    st = probe_cipher(dec);
    if (st != CACHET_OK) {
        return st;
    }
    if (dec->outer == CACHET_OID_ENCRYPTED_DATA) {
        st = take_content_key(dec);
    } else {
        st = cachet_env_recover_cek(&ris, &dec->secrets, dec->allow_weak, &dec->limits, dec->cek,
                                    dec->cea.key_len, &dec->info, &dec->err);
        if (st == CACHET_ERR_DECRYPT) {
            st = stand_in_cek(dec);
        }
    }
    if (st != CACHET_OK || dec->ccm) {
        return record(dec, st);
    }
    params.rc2_effective_bits = dec->cea.rc2_effective_bits;
    params.no_padding = false;
    dec->cctx = cachet_cipher_new_ex(dec->cea.cipher, false, dec->cek, dec->cea.key_len,
                                     dec->cea.iv, dec->cea.iv_len, &params, NULL);
    if (dec->cctx == NULL) {
        return record(dec, cachet_env_decrypt_failed(&dec->err));
    }
    return CACHET_OK;
}

static cachet_status hold_ccm(cachet_cms_decrypt *dec, const uint8_t *data, size_t len) {
    if (len > dec->limits.max_ccm_content - dec->held.len) {
        return record(dec, cachet_err_set(&dec->err, CACHET_ERR_LIMIT,
                                          "AuthEnvelopedData.authEncryptedContentInfo", -1,
                                          "AES-CCM content larger than %zu bytes "
                                          "(limits.max_ccm_content)",
                                          dec->limits.max_ccm_content));
    }
    if (!cachet_membuf_append(&dec->held, data, len)) {
        return record(dec,
                      cachet_err_set(&dec->err, CACHET_ERR_NOMEM, DEC_WHERE, -1, "out of memory"));
    }
    return CACHET_OK;
}

static cachet_status on_bulk_data(void *arg, const uint8_t *data, size_t len) {
    cachet_cms_decrypt *dec = arg;
    if (dec->ccm) {
        return hold_ccm(dec, data, len);
    }
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
        st = dec->cek_failed ? CACHET_OK : cachet_sink_write(&dec->out, dec->buf, out_len);
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

static cachet_cms_decrypt *dec_new(const cachet_cms_policy *policy, const cachet_cms_limits *limits,
                                   const cachet_sink *out, cachet_error *err) {
    cachet_cms_decrypt *dec;
    cachet_ber_skel_callbacks cb = {is_bulk, on_bulk_begin, on_bulk_data, on_bulk_end, NULL};
    cachet_ber_limits bl;
    dec = cachet_calloc(1, sizeof(*dec));
    if (dec == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, DEC_WHERE, -1, "out of memory");
        return NULL;
    }
    dec->allow_weak = policy != NULL && policy->allow_weak;
    if (limits != NULL) {
        dec->limits = *limits;
    } else {
        cachet_cms_limits_default(&dec->limits);
    }
    if (dec->limits.max_ccm_content == 0) {
        /* A limits struct filled before issue 5 leaves it zero. */
        cachet_cms_limits defaults;
        cachet_cms_limits_default(&defaults);
        dec->limits.max_ccm_content = defaults.max_ccm_content;
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

/* A key that is not its certificate's would make every message fail as
 * "decryption failed"; say what is wrong instead. */
static bool key_matches(const cachet_pkey *key, const cachet_cert *cert, cachet_error *err) {
    cachet_pkey *pub = cert != NULL ? cachet_cert_pkey(cert) : NULL;
    bool same = key != NULL && pub != NULL && cachet_pkey_matches(pub, key);
    cachet_pkey_free(pub);
    if (!same) {
        cachet_err_set(err, CACHET_ERR_USAGE, DEC_WHERE, -1,
                       "the private key does not belong to the certificate");
    }
    return same;
}

cachet_cms_decrypt *cachet_cms_decrypt_new_secrets(const cachet_cms_secrets *s,
                                                   const cachet_cms_policy *policy,
                                                   const cachet_cms_limits *limits,
                                                   const cachet_sink *out, cachet_error *err) {
    cachet_cms_decrypt *dec;
    if (s == NULL || out == NULL || (s->num_keys > 0 && (s->keys == NULL || s->certs == NULL)) ||
        (s->num_keks > 0 && s->keks == NULL) ||
        (s->content_key == NULL && s->content_key_len != 0)) {
        cachet_err_set(err, CACHET_ERR_USAGE, DEC_WHERE, -1, "secrets and sink needed");
        return NULL;
    }
    for (size_t i = 0; i < s->num_keys; i++) {
        if (!key_matches(s->keys[i], s->certs[i], err)) {
            return NULL;
        }
    }
    dec = dec_new(policy, limits, out, err);
    if (dec != NULL) {
        dec->secrets = *s;
    }
    return dec;
}

cachet_cms_decrypt *cachet_cms_decrypt_new(const cachet_pkey *key, const cachet_cert *cert,
                                           const cachet_cms_policy *policy,
                                           const cachet_cms_limits *limits, const cachet_sink *out,
                                           cachet_error *err) {
    cachet_cms_decrypt *dec;
    if (key == NULL || cert == NULL || out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, DEC_WHERE, -1, "key, certificate and sink needed");
        return NULL;
    }
    if (!key_matches(key, cert, err)) {
        return NULL;
    }
    dec = dec_new(policy, limits, out, err);
    if (dec != NULL) {
        dec->key = key;
        dec->cert = cert;
        dec->secrets.keys = &dec->key;
        dec->secrets.certs = &dec->cert;
        dec->secrets.num_keys = 1;
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
 * [0]?, SET (not in EncryptedData), EncryptedContentInfo, then EnvelopedData:
 * [1] unprotectedAttrs?; EncryptedData: the same, and version 2 exactly when
 * they are present; AuthEnvelopedData: [1] authAttrs?, mac, [2] unauthAttrs? } } }. */
static cachet_status read_trailer(cachet_cms_decrypt *dec, cachet_cbs *auth_attrs,
                                  bool *has_auth_attrs, cachet_cbs *mac) {
    cachet_cbs der, ci, content, ed, eci, skip, placeholder;
    cachet_asn1_tag tag;
    bool present, encrypted = dec->outer == CACHET_OID_ENCRYPTED_DATA;
    if (!cachet_ber_skel_der(dec->skel, &der) ||
        !cachet_cbs_get_asn1(&der, &ci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) ||
        !cachet_cbs_get_asn1(&ci, &content, CACHET_ASN1_CONTEXT_CONS(0)) || ci.len != 0 ||
        !cachet_cbs_get_asn1(&content, &ed, CACHET_ASN1_SEQUENCE) || content.len != 0 ||
        !cachet_cbs_get_any_asn1(&ed, &skip, NULL) ||
        (!encrypted &&
         (!cachet_cbs_get_optional_asn1(&ed, &skip, &present, CACHET_ASN1_CONTEXT_CONS(0)) ||
          !cachet_cbs_get_asn1(&ed, &skip, CACHET_ASN1_SET))) ||
        !cachet_cbs_get_asn1(&ed, &eci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_any_asn1(&eci, &skip, NULL) ||
        !cachet_cbs_get_any_asn1(&eci, &skip, NULL) ||
        !cachet_cbs_get_any_asn1(&eci, &placeholder, &tag) || eci.len != 0) {
        return malformed(dec, outer_name(dec), "structure malformed");
    }
    *has_auth_attrs = false;
    if (!dec->auth) {
        if (!cachet_cbs_get_optional_asn1(&ed, &skip, &present, CACHET_ASN1_CONTEXT_CONS(1)) ||
            ed.len != 0) {
            return malformed(dec, outer_name(dec), "unexpected element after encryptedContentInfo");
        }
        if (encrypted && dec->version != (present ? 2u : 0u)) {
            return malformed(dec, "EncryptedData.version",
                             "must be 2 with unprotectedAttrs, else 0 (RFC 5652 §8)");
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

static cachet_status discard(void *arg, const uint8_t *data, size_t len) {
    (void)arg;
    (void)data;
    (void)len;
    return CACHET_OK;
}

/* Checks the tag; CCM then releases its whole plaintext, the streaming AEADs
 * have released theirs already (see the contract in enveloped.h). */
static cachet_status finish_auth(cachet_cms_decrypt *dec, const cachet_cbs *attrs, bool has_attrs,
                                 const cachet_cbs *mac) {
    size_t out_len = 0;
    /* EF-06: the mac must be exactly aes-ICVlen bytes (checked ranges). */
    if (mac->len != dec->cea.icv_len) {
        return record(dec, cachet_env_decrypt_failed(&dec->err));
    }
    if (dec->ccm) {
        /* a stand-in CEK never opens CCM; were it to, nothing would be released */
        cachet_sink none = {.write = discard, .arg = NULL};
        return record(dec,
                      cachet_env_ccm_open(&dec->cea, dec->cek, has_attrs ? attrs : NULL, &dec->held,
                                          mac, dec->cek_failed ? &none : &dec->out, &dec->err));
    }
    if (has_attrs && dec->copy_overflow) {
        return record(dec,
                      cachet_err_set(&dec->err, CACHET_ERR_LIMIT, "AuthEnvelopedData.authAttrs", -1,
                                     "content too large to authenticate with authAttrs"));
    }
    if (has_attrs ? !cachet_env_aead_recheck(&dec->cea, dec->cek, attrs, &dec->copy, mac, dec->buf,
                                             sizeof(dec->buf))
                  : (!cachet_cipher_set_tag(dec->cctx, mac->data, mac->len) ||
                     !cachet_cipher_final(dec->cctx, dec->buf, &out_len))) {
        return record(dec, cachet_env_decrypt_failed(&dec->err));
    }
    return CACHET_OK;
}

static void fill_report(const cachet_cms_decrypt *dec, cachet_layer_report *r) {
    memset(r, 0, sizeof(*r));
    if (dec->outer == CACHET_OID_ENCRYPTED_DATA) {
        r->type = CACHET_LAYER_ENCRYPTED;
    } else {
        r->type = dec->auth ? CACHET_LAYER_AUTH_ENVELOPED : CACHET_LAYER_ENVELOPED;
    }
    snprintf(r->content_type, sizeof(r->content_type), "%s", cachet_oid_name(dec->content_type));
    if (dec->cea.cipher == CACHET_CIPHER_RC2_CBC) {
        snprintf(r->cipher, sizeof(r->cipher), "rc2-%u-cbc", dec->cea.rc2_effective_bits);
    } else {
        snprintf(r->cipher, sizeof(r->cipher), "%s", cachet_cipher_name(dec->cea.cipher));
    }
    r->authenticated = dec->auth;
    snprintf(r->key_management, sizeof(r->key_management), "%s", dec->info.key_management);
    r->num_recipients = dec->info.num_recipients;
    r->weak = cachet_cms_decrypt_weak(dec);
}

/* No encryptedContent was streamed: say why. */
static cachet_status no_content(cachet_cms_decrypt *dec) {
    cachet_cbs der, ci;
    if (cachet_ber_skel_der(dec->skel, &der) &&
        cachet_cbs_get_asn1(&der, &ci, CACHET_ASN1_SEQUENCE) &&
        read_content_type(dec, &ci) != CACHET_OK) {
        return dec->failed;
    }
    return record(dec, cachet_err_set(&dec->err, CACHET_ERR_UNSUPPORTED,
                                      DEC_WHERE ".encryptedContentInfo", -1,
                                      "encryptedContent absent (detached content not supported)"));
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
        no_content(dec);
        return fail_out(dec, dec->failed, &dec->err, err);
    }
    if (read_trailer(dec, &attrs, &has_attrs, &mac) != CACHET_OK) {
        return fail_out(dec, dec->failed, &dec->err, err);
    }
    if (dec->auth) {
        if (finish_auth(dec, &attrs, has_attrs, &mac) != CACHET_OK) {
            return fail_out(dec, dec->failed, &dec->err, err);
        }
        if (dec->cek_failed) {
            record(dec, cachet_env_decrypt_failed(&dec->err));
            return fail_out(dec, dec->failed, &dec->err, err);
        }
    } else {
        /* Bad CBC padding: the withheld last block is never released (PO-01). */
        bool padded = cachet_cipher_final(dec->cctx, dec->buf, &out_len);
        if (!padded || dec->cek_failed) {
            record(dec, cachet_env_decrypt_failed(&dec->err));
            return fail_out(dec, dec->failed, &dec->err, err);
        }
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
    cachet_membuf_free_secret(&dec->held);
    cachet_free_secret(dec, sizeof(*dec));
}
