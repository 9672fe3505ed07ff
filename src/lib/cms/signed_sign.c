/* cms/signed_sign.c: streaming SignedData generation (RFC 5652 §5). Encapsulated
 * output is BER with indefinite lengths and the content as a constructed OCTET
 * STRING of primitive segments (X.690 §8.7.3), written as content arrives; when
 * its size is declared, the content is one primitive OCTET STRING and the
 * encapContentInfo around it definite. Detached output is DER written at finish. */
#include <string.h>
#include <time.h>

#include "cms/multisig.h"

#define SIGN_MAX_SIGNERS 16
#define SIGN_GATHER 4096

typedef struct sign_signer {
    cachet_cms_signer_opts o;
    cachet_sig_scheme scheme;
    size_t digest_index;      /* into the distinct digests */
    unsigned signature_types; /* RFC 3183 SignatureType, 0 = none */
} sign_signer;

struct cachet_cms_sign {
    sign_signer signers[SIGN_MAX_SIGNERS];
    size_t num_signers;
    cachet_cert *const *extra;
    size_t num_extra;
    cachet_md mds[SIGN_MAX_SIGNERS];
    cachet_md_ctx *ctxs[SIGN_MAX_SIGNERS];
    size_t num_mds;
    cachet_sink out;
    bool detached;
    cachet_cms_length length; /* declared content size, when known */
    cachet_oid content_type;
    int64_t signing_time;
    uint8_t gather[SIGN_GATHER];
    size_t gather_len;
    cachet_status failed; /* sticky */
    bool finished;
    bool multiple_signatures; /* RFC 5752, with two or more signers */
};

static cachet_status sticky(cachet_cms_sign *s, cachet_status st) {
    if (s->failed == CACHET_OK) {
        s->failed = st;
    }
    return st;
}

void cachet_cms_sign_free(cachet_cms_sign *s) {
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->num_mds; i++) {
        cachet_md_free(s->ctxs[i]);
    }
    cachet_cleanse(s->gather, sizeof(s->gather));
    cachet_free(s);
}

/* RFC 5652 §5.1: version 3 if any SignerInfo is version 3 or eContentType is not
 * id-data; else 1 (we never emit attribute certificates or other formats). */
static unsigned signed_data_version(const cachet_cms_sign *s) {
    bool v3 = s->content_type != CACHET_OID_DATA;
    for (size_t i = 0; i < s->num_signers; i++) {
        v3 = v3 || s->signers[i].o.use_ski;
    }
    return v3 ? 3 : 1;
}

/* The SignedData fields before encapContentInfo: version and digestAlgorithms
 * (a DER SET OF, sorted). */
static bool add_head(const cachet_cms_sign *s, cachet_cbb *sd) {
    cachet_cbb set;
    if (!cachet_cbb_add_asn1_uint64(sd, signed_data_version(s)) ||
        !cachet_cbb_add_asn1(sd, &set, CACHET_ASN1_SET)) {
        return false;
    }
    for (size_t i = 0; i < s->num_mds; i++) {
        if (!cachet_cms_add_digest_alg(&set, s->mds[i])) {
            return false;
        }
    }
    return cachet_cbb_flush_asn1_set_of(&set) && cachet_cbb_flush(sd);
}

static cachet_status validate_signer(cachet_cms_sign *s, const cachet_cms_signer_opts *o, size_t i,
                                     bool key_checked, cachet_error *err) {
    sign_signer *ss = &s->signers[i];
    char where[64];
    snprintf(where, sizeof(where), "signers[%zu]", i);
    if (o->key == NULL || o->cert == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                              "signer needs a key and a certificate");
    }
    ss->o = *o;
    char detail[160];
    if (o->extra_signed_attrs_len > 0 &&
        !cachet_cms_check_extra_attrs(o->extra_signed_attrs, o->extra_signed_attrs_len, detail,
                                      sizeof(detail))) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "%s", detail);
    }
    ss->scheme = cachet_cms_sig_scheme_for_key(o->key, o->pss);
    if (ss->scheme == CACHET_SIG_NONE) {
        return cachet_err_set(err, CACHET_ERR_KEY, where, -1, "key type cannot sign CMS");
    }
    if (ss->scheme == CACHET_SIG_ED25519) {
        /* RFC 8419 §3.1: with signed attributes Ed25519 uses SHA-512. */
        if (o->md != CACHET_MD_NONE && o->md != CACHET_MD_SHA512) {
            return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                                  "Ed25519 requires SHA-512 (RFC 8419 §3.1)");
        }
        ss->o.md = CACHET_MD_SHA512;
    } else if (ss->scheme == CACHET_SIG_ED448) {
        /* RFC 8419 §3.1: with signed attributes Ed448 uses SHAKE256, 512 bits. */
        if (o->md != CACHET_MD_NONE && o->md != CACHET_MD_SHAKE256_512) {
            return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                                  "Ed448 requires SHAKE256 (RFC 8419 §3.1)");
        }
        ss->o.md = CACHET_MD_SHAKE256_512;
    } else if (o->md == CACHET_MD_NONE) {
        ss->o.md = CACHET_MD_SHA256;
    } else if (o->md != CACHET_MD_SHA256 && o->md != CACHET_MD_SHA384 &&
               o->md != CACHET_MD_SHA512) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "digest must be SHA-256/384/512");
    }
    bool match = key_checked;
    if (!match) {
        cachet_pkey *pub = cachet_cert_pkey(o->cert);
        match = pub != NULL && cachet_pkey_matches(pub, o->key);
        cachet_pkey_free(pub);
    }
    if (!match) {
        return cachet_err_set(err, CACHET_ERR_KEY, where, -1, "key does not match the certificate");
    }
    if (o->use_ski) {
        const uint8_t *ski;
        size_t ski_len = 0;
        if (!cachet_cert_ski(o->cert, &ski, &ski_len) || ski_len == 0) {
            return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                                  "use_ski but the certificate has no subjectKeyIdentifier");
        }
    }
    size_t k = 0;
    while (k < s->num_mds && s->mds[k] != ss->o.md) {
        k++;
    }
    if (k == s->num_mds) {
        s->ctxs[k] = cachet_md_new(ss->o.md, err);
        if (s->ctxs[k] == NULL) {
            return cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "digest");
        }
        s->mds[k] = ss->o.md;
        s->num_mds++;
    }
    ss->digest_index = k;
    return CACHET_OK;
}

/* encapContentInfo { eContentType, [0] { OCTET STRING } } with definite lengths
 * around the declared content size (the content bytes follow). */
static bool add_definite_eci(const cachet_cms_sign *s, cachet_cbb *cbb) {
    size_t oid_len = 0;
    const uint8_t *oid = cachet_oid_der(s->content_type, &oid_len);
    uint64_t octs = cachet_cms_tlv_len(CACHET_ASN1_OCTETSTRING, s->length.declared);
    uint64_t ctx0 = cachet_cms_tlv_len(CACHET_ASN1_CONTEXT_CONS(0), octs);
    uint64_t eci = cachet_cms_tlv_len(CACHET_ASN1_OBJECT, oid_len) + ctx0;
    return oid != NULL && cachet_cbb_add_asn1_header(cbb, CACHET_ASN1_SEQUENCE, eci) &&
           cachet_cbb_add_asn1_oid(cbb, oid, oid_len) &&
           cachet_cbb_add_asn1_header(cbb, CACHET_ASN1_CONTEXT_CONS(0), octs) &&
           cachet_cbb_add_asn1_header(cbb, CACHET_ASN1_OCTETSTRING, s->length.declared);
}

/* Writes ContentInfo, SignedData, encapContentInfo and eContent headers, all with
 * indefinite lengths (X.690 §8.1.3.6), up to the constructed OCTET STRING that
 * carries the content; with a declared size, the encapContentInfo is definite.
 * The headers are raw bytes in the builder. */
static cachet_status write_stream_head(cachet_cms_sign *s, cachet_error *err) {
    static const uint8_t seq[2] = {0x30, 0x80}, ctx0[2] = {0xa0, 0x80}, octs[2] = {0x24, 0x80};
    cachet_cbb cbb;
    if (!cachet_cbb_init(&cbb, 256, 0)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "SignedData", -1, "out of memory");
    }
    bool ok = cachet_cbb_add_bytes(&cbb, seq, 2) &&
              cachet_cbb_add_oid(&cbb, CACHET_OID_SIGNED_DATA) &&
              cachet_cbb_add_bytes(&cbb, ctx0, 2) && cachet_cbb_add_bytes(&cbb, seq, 2) &&
              add_head(s, &cbb);
    if (s->length.known) {
        ok = ok && add_definite_eci(s, &cbb) && cachet_cbb_flush(&cbb);
    } else {
        ok = ok && cachet_cbb_add_bytes(&cbb, seq, 2) &&
             cachet_cbb_add_oid(&cbb, s->content_type) && cachet_cbb_add_bytes(&cbb, ctx0, 2) &&
             cachet_cbb_add_bytes(&cbb, octs, 2) && cachet_cbb_flush(&cbb);
    }
    cachet_status st = ok ? cachet_sink_write(&s->out, cachet_cbb_data(&cbb), cachet_cbb_len(&cbb))
                          : CACHET_ERR_NOMEM;
    cachet_cbb_cleanup(&cbb);
    if (st != CACHET_OK) {
        return cachet_err_set(err, st, "SignedData", -1, "writing the output failed");
    }
    return CACHET_OK;
}

/* has_multisig_attr: the caller's extra attributes carry a multipleSignatures
 * of their own (malformed ones are left to cachet_cms_check_extra_attrs). */
static bool has_multisig_attr(const cachet_cms_signer_opts *o) {
    cachet_cbs rest;
    if (o->extra_signed_attrs == NULL) {
        return false;
    }
    cachet_cbs_init(&rest, o->extra_signed_attrs, o->extra_signed_attrs_len);
    while (rest.len > 0) {
        cachet_cbs attr, raw;
        cachet_oid type;
        if (!cachet_cbs_get_asn1(&rest, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_oid(&attr, &type, &raw)) {
            return false;
        }
        if (cachet_oid_lookup_cbs(&raw) == CACHET_OID_ATTR_MULTIPLE_SIGNATURES) {
            return true;
        }
    }
    return false;
}

cachet_cms_sign *cachet_cms_sign_new(const cachet_cms_sign_opts *opts, const cachet_sink *out,
                                     cachet_error *err) {
    if (opts != NULL && opts->empty) {
        /* RFC 3183 §3 method 1: only the encapsulated content, nothing that names anyone. */
        if (out == NULL || opts->num_signers != 0 || opts->num_extra_certs != 0 || opts->detached) {
            cachet_err_set(err, CACHET_ERR_USAGE, "cachet_cms_sign_new", -1,
                           "an empty SignedData has no signers and no certificates and is "
                           "never detached");
            return NULL;
        }
    } else if (opts == NULL || out == NULL || opts->signers == NULL || opts->num_signers == 0 ||
               opts->num_signers > SIGN_MAX_SIGNERS ||
               (opts->num_extra_certs > 0 && opts->extra_certs == NULL)) {
        cachet_err_set(err, CACHET_ERR_USAGE, "cachet_cms_sign_new", -1,
                       "need 1..%d signers and a sink", SIGN_MAX_SIGNERS);
        return NULL;
    }
    cachet_cms_sign *s = cachet_calloc(1, sizeof(*s));
    if (s == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "cachet_cms_sign_new", -1, "out of memory");
        return NULL;
    }
    s->out = *out;
    s->detached = opts->detached;
    s->extra = opts->extra_certs;
    s->num_extra = opts->num_extra_certs;
    s->content_type =
        opts->content_type == CACHET_OID_UNKNOWN ? CACHET_OID_DATA : opts->content_type;
    s->signing_time = opts->signing_time != 0 ? opts->signing_time : (int64_t)time(NULL);
    size_t oid_len = 0;
    if (cachet_oid_der(s->content_type, &oid_len) == NULL || oid_len == 0) {
        cachet_err_set(err, CACHET_ERR_USAGE, "cachet_cms_sign_new", -1, "bad content type");
        cachet_cms_sign_free(s);
        return NULL;
    }
    for (size_t i = 0; i < opts->num_signers; i++) {
        s->num_signers = i;
        char detail[200];
        unsigned types = opts->signature_types != NULL ? opts->signature_types[i] : 0;
        if (types != 0 && !cachet_cms_sigtype_check(types, detail, sizeof(detail))) {
            cachet_err_set(err, CACHET_ERR_USAGE, "cachet_cms_sign_new", -1, "signers[%zu]: %s", i,
                           detail);
            cachet_cms_sign_free(s);
            return NULL;
        }
        s->signers[i].signature_types = types;
        if (opts->multiple_signatures && opts->num_signers >= 2 &&
            has_multisig_attr(&opts->signers[i])) {
            cachet_err_set(err, CACHET_ERR_USAGE, "cachet_cms_sign_new", -1,
                           "signers[%zu]: an extra signed attribute id-aa-multipleSignatures "
                           "conflicts with multiple_signatures, which writes it",
                           i);
            cachet_cms_sign_free(s);
            return NULL;
        }
        if (validate_signer(s, &opts->signers[i], i, opts->keys_checked, err) != CACHET_OK) {
            cachet_cms_sign_free(s);
            return NULL;
        }
    }
    s->num_signers = opts->num_signers;
    s->multiple_signatures = opts->multiple_signatures && s->num_signers >= 2;
    for (size_t i = 0; s->multiple_signatures && i < s->num_signers; i++) {
        if (!cachet_cms_multisig_same_subject(s->signers[0].o.cert, s->signers[i].o.cert)) {
            cachet_err_set(err, CACHET_ERR_USAGE, "cachet_cms_sign_new", -1,
                           "multiple_signatures: signers[%zu] has another subject than "
                           "signers[0]; RFC 5752 links the signatures of one signer",
                           i);
            cachet_cms_sign_free(s);
            return NULL;
        }
    }
    if (cachet_cms_length_init(&s->length, opts->content_size_known, opts->content_size,
                               "SignedData.encapContentInfo.eContent", err) != CACHET_OK) {
        cachet_cms_sign_free(s);
        return NULL;
    }
    if (!s->detached && write_stream_head(s, err) != CACHET_OK) {
        cachet_cms_sign_free(s);
        return NULL;
    }
    return s;
}

/* One OCTET STRING segment, or (declared size) more bytes of the one primitive string. */
static cachet_status write_content(cachet_cms_sign *s, const uint8_t *data, size_t len) {
    if (s->length.known) {
        return cachet_sink_write(&s->out, data, len);
    }
    return cachet_cms_write_octets(&s->out, data, len);
}

static cachet_status flush_gather(cachet_cms_sign *s, cachet_error *err) {
    if (s->gather_len == 0) {
        return CACHET_OK;
    }
    cachet_status st = write_content(s, s->gather, s->gather_len);
    s->gather_len = 0;
    if (st != CACHET_OK) {
        return sticky(s, cachet_err_set(err, st, "SignedData.encapContentInfo.eContent", -1,
                                        "writing the output failed"));
    }
    return CACHET_OK;
}

cachet_status cachet_cms_sign_update(cachet_cms_sign *s, const uint8_t *data, size_t len,
                                     cachet_error *err) {
    if (s->failed != CACHET_OK) {
        return cachet_err_set(err, s->failed, "SignedData", -1, "operation already failed");
    }
    if (s->finished) {
        return sticky(s,
                      cachet_err_set(err, CACHET_ERR_USAGE, "SignedData", -1, "already finished"));
    }
    if (len == 0) {
        return CACHET_OK;
    }
    cachet_status lst = cachet_cms_length_add(&s->length, len, "SignedData.encapContentInfo", err);
    if (lst != CACHET_OK) {
        return sticky(s, lst);
    }
    /* RFC 5652 §5.4: the message digest covers the eContent value octets. */
    for (size_t i = 0; i < s->num_mds; i++) {
        if (!cachet_md_update(s->ctxs[i], data, len)) {
            return sticky(s, cachet_err_set(err, CACHET_ERR_INTERNAL, "SignedData", -1, "digest"));
        }
    }
    if (s->detached) {
        return CACHET_OK;
    }
    if (s->gather_len + len <= SIGN_GATHER) {
        memcpy(s->gather + s->gather_len, data, len);
        s->gather_len += len;
        return CACHET_OK;
    }
    cachet_status st = flush_gather(s, err);
    if (st != CACHET_OK) {
        return st;
    }
    if (len < SIGN_GATHER) {
        memcpy(s->gather, data, len);
        s->gather_len = len;
        return CACHET_OK;
    }
    st = write_content(s, data, len);
    if (st != CACHET_OK) {
        return sticky(s, cachet_err_set(err, st, "SignedData.encapContentInfo.eContent", -1,
                                        "writing the output failed"));
    }
    return CACHET_OK;
}

/* RFC 5652 §5.3 SignerInfo, signed over DER(SignedAttributes) with the SET tag (§5.4). */
static cachet_status add_signer_info(const cachet_cms_sign *s, const sign_signer *ss,
                                     const uint8_t *digest, const cachet_membuf *extra,
                                     cachet_cbb *infos, cachet_error *err) {
    cachet_cbb attrs, si;
    uint8_t *der = NULL;
    size_t der_len = 0;
    cachet_membuf sig = {0};
    cachet_status st = CACHET_OK;
    if (!cachet_cbb_init(&attrs, 1024, 0)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "SignerInfo", -1, "out of memory");
    }
    if (!cachet_cms_build_signed_attrs(&attrs, s->content_type, digest, cachet_md_size(ss->o.md),
                                       s->signing_time, ss->o.cert, ss->signature_types,
                                       extra->data, extra->len) ||
        !cachet_cbb_finish(&attrs, &der, &der_len)) {
        cachet_cbb_cleanup(&attrs);
        return cachet_err_set(err, CACHET_ERR_INTERNAL, "SignerInfo.signedAttrs", -1,
                              "encoding the signed attributes failed");
    }
    st = cachet_sign(ss->o.key, ss->scheme, ss->o.md, NULL, der, der_len, &sig, err);
    if (st != CACHET_OK) {
        cachet_free(der);
        cachet_membuf_free(&sig);
        return st;
    }
    /* der = 31 L contents: re-tag as [0] IMPLICIT for the SignerInfo (§5.3). */
    cachet_cbs set, contents;
    cachet_cbs_init(&set, der, der_len);
    bool ok = cachet_cbs_get_asn1(&set, &contents, CACHET_ASN1_SET) &&
              cachet_cbb_add_asn1(infos, &si, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_asn1_uint64(&si, ss->o.use_ski ? 3 : 1) &&
              cachet_cms_add_sid(&si, ss->o.cert, ss->o.use_ski) &&
              cachet_cms_add_digest_alg(&si, ss->o.md) &&
              cachet_cbb_add_asn1_element(&si, CACHET_ASN1_CONTEXT_CONS(0), contents.data,
                                          contents.len) &&
              cachet_cms_add_sig_alg(&si, ss->scheme, ss->o.md) &&
              cachet_cbb_add_asn1_octet_string(&si, sig.data, sig.len) && cachet_cbb_flush(infos);
    cachet_free(der);
    cachet_membuf_free(&sig);
    if (!ok) {
        return cachet_err_set(err, CACHET_ERR_INTERNAL, "SignerInfo", -1, "encoding failed");
    }
    return CACHET_OK;
}

static bool same_cert(const cachet_cert *a, const cachet_cert *b) {
    size_t la = 0, lb = 0;
    const uint8_t *da = cachet_cert_der(a, &la), *db = cachet_cert_der(b, &lb);
    return la == lb && memcmp(da, db, la) == 0;
}

/* certificates [0] IMPLICIT CertificateSet (§5.1): signer certificates, then the
 * chain, each once; sorted as a DER SET OF. */
static bool add_certificates(const cachet_cms_sign *s, cachet_cbb *sd) {
    cachet_cbb set;
    const cachet_cert *added[SIGN_MAX_SIGNERS + 64];
    size_t n = 0;
    if (!cachet_cbb_add_asn1(sd, &set, CACHET_ASN1_CONTEXT_CONS(0))) {
        return false;
    }
    for (size_t i = 0; i < s->num_signers + s->num_extra; i++) {
        const cachet_cert *c =
            i < s->num_signers ? s->signers[i].o.cert : s->extra[i - s->num_signers];
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++) {
            dup = same_cert(added[k], c);
        }
        if (dup || c == NULL) {
            continue;
        }
        if (n == sizeof(added) / sizeof(added[0])) {
            return false;
        }
        size_t len = 0;
        const uint8_t *der = cachet_cert_der(c, &len);
        if (!cachet_cbb_add_bytes(&set, der, len)) {
            return false;
        }
        added[n++] = c;
    }
    return cachet_cbb_flush_asn1_set_of(&set) && cachet_cbb_flush(sd);
}

/* multisig_extras fills extras[i] for every signer: its own extra attributes
 * and its multipleSignatures attribute (RFC 5752 §4.4.1). */
static cachet_status multisig_extras(const cachet_cms_sign *s,
                                     const uint8_t (*digests)[CACHET_MD_MAX_SIZE],
                                     cachet_membuf *extras, cachet_error *err) {
    cachet_cms_multisig_peer peers[SIGN_MAX_SIGNERS];
    for (size_t i = 0; i < s->num_signers; i++) {
        const sign_signer *ss = &s->signers[i];
        peers[i] = (cachet_cms_multisig_peer){.md = ss->o.md,
                                              .scheme = ss->scheme,
                                              .cert = ss->o.cert,
                                              .digest = digests[ss->digest_index],
                                              .signature_types = ss->signature_types,
                                              .extra = ss->o.extra_signed_attrs,
                                              .extra_len = ss->o.extra_signed_attrs_len};
    }
    if (!cachet_cms_multisig_extras(peers, s->num_signers, s->content_type, s->signing_time,
                                    extras)) {
        return cachet_err_set(err, CACHET_ERR_INTERNAL, "SignerInfo.signedAttrs", -1,
                              "encoding the multipleSignatures attributes failed");
    }
    return CACHET_OK;
}

/* The SignedData fields after encapContentInfo. */
static cachet_status add_tail(cachet_cms_sign *s, cachet_cbb *sd, cachet_error *err) {
    uint8_t digests[SIGN_MAX_SIGNERS][CACHET_MD_MAX_SIZE];
    cachet_membuf extras[SIGN_MAX_SIGNERS] = {{0}};
    cachet_status st = CACHET_OK;
    cachet_cbb infos;
    for (size_t i = 0; i < s->num_mds; i++) {
        if (!cachet_md_final(s->ctxs[i], digests[i])) {
            return cachet_err_set(err, CACHET_ERR_INTERNAL, "SignedData", -1, "digest");
        }
    }
    /* certificates is OPTIONAL (§5.1): omitted when there is nothing to carry. */
    bool any_certs = s->num_signers + s->num_extra > 0;
    if ((any_certs && !add_certificates(s, sd)) ||
        !cachet_cbb_add_asn1(sd, &infos, CACHET_ASN1_SET)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "SignedData.certificates", -1,
                              "too many or bad certificates");
    }
    if (s->multiple_signatures) {
        st = multisig_extras(s, (const uint8_t(*)[CACHET_MD_MAX_SIZE])digests, extras, err);
    } else {
        for (size_t i = 0; i < s->num_signers; i++) {
            /* a view of the caller's bytes: never freed */
            extras[i].data = (uint8_t *)s->signers[i].o.extra_signed_attrs;
            extras[i].len = s->signers[i].o.extra_signed_attrs_len;
        }
    }
    for (size_t i = 0; st == CACHET_OK && i < s->num_signers; i++) {
        st = add_signer_info(s, &s->signers[i], digests[s->signers[i].digest_index], &extras[i],
                             &infos, err);
        if (st != CACHET_OK) {
            char where[48];
            snprintf(where, sizeof(where), "SignedData.signerInfos[%zu]", i);
            cachet_err_prefix_where(err, where);
        }
    }
    for (size_t i = 0; s->multiple_signatures && i < s->num_signers; i++) {
        cachet_membuf_free(&extras[i]);
    }
    if (st != CACHET_OK) {
        return st;
    }
    if (!cachet_cbb_flush_asn1_set_of(&infos) || !cachet_cbb_flush(sd)) {
        return cachet_err_set(err, CACHET_ERR_INTERNAL, "SignedData", -1, "encoding failed");
    }
    return CACHET_OK;
}

/* Detached: ContentInfo { signedData, [0] SignedData } in DER, eContent absent (§5.2). */
static cachet_status finish_detached(cachet_cms_sign *s, cachet_cbb *cbb, cachet_error *err) {
    cachet_cbb ci, wrap, sd, eci;
    if (!cachet_cbb_add_asn1(cbb, &ci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&ci, CACHET_OID_SIGNED_DATA) ||
        !cachet_cbb_add_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbb_add_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) || !add_head(s, &sd) ||
        !cachet_cbb_add_asn1(&sd, &eci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbb_add_oid(&eci, s->content_type) || !cachet_cbb_flush(&sd)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "SignedData", -1, "encoding failed");
    }
    cachet_status st = add_tail(s, &sd, err);
    if (st != CACHET_OK) {
        return st;
    }
    if (!cachet_cbb_flush(cbb)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "SignedData", -1, "encoding failed");
    }
    return CACHET_OK;
}

cachet_status cachet_cms_sign_finish(cachet_cms_sign *s, cachet_error *err) {
    cachet_cbb cbb;
    cachet_status st;
    if (s->failed != CACHET_OK) {
        return cachet_err_set(err, s->failed, "SignedData", -1, "operation already failed");
    }
    if (s->finished) {
        return sticky(s,
                      cachet_err_set(err, CACHET_ERR_USAGE, "SignedData", -1, "already finished"));
    }
    s->finished = true;
    st = cachet_cms_length_check(&s->length, "SignedData.encapContentInfo", err);
    if (st != CACHET_OK) {
        return sticky(s, st);
    }
    if (!cachet_cbb_init(&cbb, 4096, 0)) {
        return sticky(s, cachet_err_set(err, CACHET_ERR_NOMEM, "SignedData", -1, "out of memory"));
    }
    if (s->detached) {
        st = finish_detached(s, &cbb, err);
    } else {
        st = flush_gather(s, err);
        /* close the constructed OCTET STRING, [0] eContent and encapContentInfo */
        if (st == CACHET_OK && !s->length.known) {
            st = cachet_cms_write_eoc(&s->out, 3);
        }
        if (st == CACHET_OK) {
            st = add_tail(s, &cbb, err);
        }
    }
    if (st == CACHET_OK && cachet_cbb_flush(&cbb)) {
        st = cachet_sink_write(&s->out, cachet_cbb_data(&cbb), cachet_cbb_len(&cbb));
        if (st == CACHET_OK && !s->detached) {
            /* close SignedData, [0] content and ContentInfo */
            st = cachet_cms_write_eoc(&s->out, 3);
        }
        if (st != CACHET_OK) {
            cachet_err_set(err, st, "SignedData", -1, "writing the output failed");
        }
    }
    cachet_cbb_cleanup(&cbb);
    if (st != CACHET_OK) {
        return sticky(s, st);
    }
    return CACHET_OK;
}
