/* Helpers for the RFC 5752 / RFC 4853 tests (test_cms_multisig*.c): one
 * subject ("alice") with an RSA, a P-256 and a P-384 certificate, another
 * subject (bob), signing with several signers, and surgery on the SignerInfos
 * of a DER SignedData (drop, reorder, corrupt one). */
#ifndef CACHET_TEST_CMS_MULTISIG_UTIL_H
#define CACHET_TEST_CMS_MULTISIG_UTIL_H

#include "cms/multisig.h"
#include "test_cms_signed_builder.h"

#define MS_TIME 1767225600

/* alice (RSA, from the builder) and two more certificates of the same subject */
static tpki_party alice_ec, alice_p384, bob;

static inline void ms_setup(void) {
    setup();
    if (alice_ec.cert == NULL) {
        alice_ec = tpki_make(TPKI_P256, "alice", &ca, 201);
        alice_p384 = tpki_make(TPKI_P384, "alice", &ca, 202);
        bob = tpki_make(TPKI_P256, "bob", &ca, 203);
    }
}

/* ms_sign signs msg with |n| parties (digest mds[i], NULL = default). */
static inline cachet_status ms_sign(tpki_party *const *who, const cachet_md *mds, size_t n,
                                    bool multisig, bool detached, tfeed mode, cachet_membuf *out,
                                    cachet_error *err) {
    cachet_cms_signer_opts so[8];
    memset(so, 0, sizeof(so));
    for (size_t i = 0; i < n; i++) {
        so[i].key = who[i]->key;
        so[i].cert = who[i]->cert;
        so[i].md = mds != NULL ? mds[i] : CACHET_MD_NONE;
    }
    cachet_cms_sign_opts o = {.signers = so,
                              .num_signers = n,
                              .detached = detached,
                              .signing_time = MS_TIME,
                              .multiple_signatures = multisig};
    return tpki_sign(&o, msg, MSG_LEN, mode, out, err);
}

/* ms_verify verifies (detached when |detached|) with the fixture trust. */
static inline cachet_status ms_verify(const uint8_t *der, size_t len, bool detached, tfeed mode,
                                      cachet_layer_report *layer, cachet_error *err) {
    cachet_cms_policy pol = {.trust = trust};
    cachet_membuf content = {0};
    cachet_status st = tpki_verify(&pol, der, len, detached ? msg : NULL, MSG_LEN, NULL, 0, mode,
                                   &content, layer, err);
    cachet_membuf_free(&content);
    return st;
}

/* ms_signer_infos: the signerInfos SET contents of a DER ContentInfo{SignedData}
 * and |head|, the SignedData contents before that SET. */
static inline bool ms_signer_infos(const uint8_t *der, size_t len, cachet_cbs *head,
                                   cachet_cbs *sis) {
    cachet_cbs in, ci, wrap, sd, skip;
    bool present;
    cachet_cbs_init(&in, der, len);
    if (!cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&ci, &skip, CACHET_ASN1_OBJECT) ||
        !cachet_cbs_get_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    const uint8_t *start = sd.data;
    if (!cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_INTEGER) ||
        !cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SET) ||
        !cachet_cbs_get_asn1(&sd, &skip, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_optional_asn1(&sd, &skip, &present, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_optional_asn1(&sd, &skip, &present, CACHET_ASN1_CONTEXT_CONS(1))) {
        return false;
    }
    cachet_cbs_init(head, start, (size_t)(sd.data - start));
    return cachet_cbs_get_asn1(&sd, sis, CACHET_ASN1_SET) && sd.len == 0;
}

/* ms_signer_info: element |k| of the signerInfos SET contents. */
static inline bool ms_signer_info(cachet_cbs sis, size_t k, cachet_cbs *out) {
    for (size_t i = 0; i <= k; i++) {
        if (!cachet_cbs_get_any_asn1_element(&sis, out, NULL, NULL)) {
            return false;
        }
    }
    return true;
}

/* What to do to the SignerInfos. */
typedef struct ms_edit {
    const size_t *keep; /* indices in the new order; NULL = all, in order */
    size_t num_keep;
    long corrupt_sig; /* index (old numbering) whose signature's last byte flips; -1 none */
    long corrupt_md;  /* index whose messageDigest value's first byte flips; -1 none */
    long unknown_alg; /* index whose signatureAlgorithm OID becomes unknown; -1 none */
    long bad_version; /* index whose version becomes 9 (none defined); -1 none */
    const cachet_membuf *replace; /* non-NULL: these SignerInfo elements instead */
    size_t num_replace;
} ms_edit;

/* ms_reshape re-encodes the ContentInfo with the SignerInfos edited as |e| says. */
static inline bool ms_reshape(const uint8_t *der, size_t len, const ms_edit *e,
                              cachet_membuf *out) {
    cachet_cbs head, sis;
    if (!ms_signer_infos(der, len, &head, &sis)) {
        return false;
    }
    size_t n = 0;
    for (cachet_cbs c = sis; c.len > 0; n++) {
        cachet_cbs_get_any_asn1_element(&c, NULL, NULL, NULL);
    }
    cachet_cbb cbb, ci, w, sd, set;
    bool ok = cachet_cbb_init(&cbb, len + 64, 0) &&
              cachet_cbb_add_asn1(&cbb, &ci, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&ci, CACHET_OID_SIGNED_DATA) &&
              cachet_cbb_add_asn1(&ci, &w, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbb_add_asn1(&w, &sd, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_bytes(&sd, head.data, head.len) &&
              cachet_cbb_add_asn1(&sd, &set, CACHET_ASN1_SET);
    for (size_t i = 0; ok && e->replace != NULL && i < e->num_replace; i++) {
        ok = cachet_cbb_add_bytes(&set, e->replace[i].data, e->replace[i].len);
    }
    size_t count = e->replace != NULL ? 0 : e->keep != NULL ? e->num_keep : n;
    for (size_t i = 0; ok && i < count; i++) {
        size_t k = e->keep != NULL ? e->keep[i] : i;
        cachet_cbs si, elem, body, skip, ver, alg, sig;
        ok = ms_signer_info(sis, k, &si);
        if (!ok) {
            break;
        }
        uint8_t *copy = cachet_malloc(si.len);
        memcpy(copy, si.data, si.len);
        elem = si;
        ok = cachet_cbs_get_asn1(&elem, &body, CACHET_ASN1_SEQUENCE) &&
             cachet_cbs_get_asn1(&body, &ver, CACHET_ASN1_INTEGER) &&
             cachet_cbs_get_any_asn1_element(&body, &skip, NULL, NULL) &&
             cachet_cbs_get_asn1(&body, &skip, CACHET_ASN1_SEQUENCE);
        cachet_cbs attrs = {0};
        ok = ok && cachet_cbs_get_asn1(&body, &attrs, CACHET_ASN1_CONTEXT_CONS(0)) &&
             cachet_cbs_get_asn1(&body, &alg, CACHET_ASN1_SEQUENCE) &&
             cachet_cbs_get_asn1(&body, &sig, CACHET_ASN1_OCTETSTRING);
        if (ok && (long)k == e->bad_version) {
            copy[ver.data - si.data] = 9;
        }
        if (ok && (long)k == e->unknown_alg) {
            /* the OID's last arc: rsaEncryption 1.2.840.113549.1.1.1 -> ...1.1.127 */
            copy[alg.data + 2 + alg.data[1] - 1 - si.data] = 0x7f;
        }
        if (ok && (long)k == e->corrupt_sig) {
            copy[sig.data + sig.len - 1 - si.data] ^= 0x01;
        }
        if (ok && (long)k == e->corrupt_md) {
            /* messageDigest: 06 09 2a864886f70d010904 31 L 04 L <digest> */
            static const uint8_t oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                          0xf7, 0x0d, 0x01, 0x09, 0x04};
            const uint8_t *p = attrs.data;
            size_t left = attrs.len;
            bool done = false;
            for (size_t off = 0; off + sizeof(oid) + 4 < left && !done; off++) {
                if (memcmp(p + off, oid, sizeof(oid)) == 0) {
                    copy[p + off + sizeof(oid) + 4 - si.data] ^= 0x01;
                    done = true;
                }
            }
            ok = done;
        }
        ok = ok && cachet_cbb_add_bytes(&set, copy, si.len);
        cachet_free(copy);
    }
    uint8_t *res = NULL;
    size_t res_len = 0;
    ok = ok && cachet_cbb_flush(&sd) && cachet_cbb_finish(&cbb, &res, &res_len);
    if (!ok) {
        cachet_cbb_cleanup(&cbb);
        return false;
    }
    out->len = 0;
    ok = cachet_membuf_append(out, res, res_len);
    cachet_free(res);
    return ok;
}

/* ms_hand_signer_info: a SignerInfo of |who| (SHA-256) whose signedAttrs carry
 * |extra| (built here, not by the generator, which checks what it is given). */
static inline bool ms_hand_signer_info(const tpki_party *who, const cachet_membuf *extra,
                                       cachet_membuf *out) {
    uint8_t digest[32];
    cachet_md_oneshot(CACHET_MD_SHA256, msg, MSG_LEN, digest);
    cachet_sig_scheme scheme = cachet_cms_sig_scheme_for_key(who->key, false);
    cachet_cbb attrs, cbb, si;
    uint8_t *der = NULL, *res = NULL;
    size_t der_len = 0, res_len = 0;
    cachet_membuf sig = {0};
    bool ok = cachet_cbb_init(&attrs, 2048, 0) &&
              cachet_cms_build_signed_attrs(&attrs, CACHET_OID_DATA, digest, 32, MS_TIME, who->cert,
                                            0, extra->data, extra->len) &&
              cachet_cbb_finish(&attrs, &der, &der_len) &&
              cachet_sign(who->key, scheme, CACHET_MD_SHA256, NULL, der, der_len, &sig, NULL) ==
                  CACHET_OK;
    cachet_cbs set, contents;
    cachet_cbs_init(&set, der, der_len);
    ok = ok && cachet_cbs_get_asn1(&set, &contents, CACHET_ASN1_SET) &&
         cachet_cbb_init(&cbb, 4096, 0) && cachet_cbb_add_asn1(&cbb, &si, CACHET_ASN1_SEQUENCE) &&
         cachet_cbb_add_asn1_uint64(&si, 1) && cachet_cms_add_sid(&si, who->cert, false) &&
         cachet_cms_add_digest_alg(&si, CACHET_MD_SHA256) &&
         cachet_cbb_add_asn1_element(&si, CACHET_ASN1_CONTEXT_CONS(0), contents.data,
                                     contents.len) &&
         cachet_cms_add_sig_alg(&si, scheme, CACHET_MD_SHA256) &&
         cachet_cbb_add_asn1_octet_string(&si, sig.data, sig.len) &&
         cachet_cbb_finish(&cbb, &res, &res_len);
    out->len = 0;
    ok = ok && cachet_membuf_append(out, res, res_len);
    cachet_free(der);
    cachet_free(res);
    cachet_membuf_free(&sig);
    return ok;
}

/* ms_signed_attrs: the [0] signedAttrs contents of SignerInfo |k|. */
static inline bool ms_signed_attrs(const uint8_t *der, size_t len, size_t k, cachet_cbs *attrs) {
    cachet_cbs head, sis, si, body, skip;
    return ms_signer_infos(der, len, &head, &sis) && ms_signer_info(sis, k, &si) &&
           cachet_cbs_get_asn1(&si, &body, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&body, &skip, CACHET_ASN1_INTEGER) &&
           cachet_cbs_get_any_asn1_element(&body, &skip, NULL, NULL) &&
           cachet_cbs_get_asn1(&body, &skip, CACHET_ASN1_SEQUENCE) &&
           cachet_cbs_get_asn1(&body, attrs, CACHET_ASN1_CONTEXT_CONS(0));
}

/* ms_multisig_values: the multipleSignatures values (SET contents) in |attrs|. */
static inline bool ms_multisig_values(cachet_cbs attrs, cachet_cbs *values) {
    while (attrs.len > 0) {
        /* 1.2.840.113549.1.9.16.2.51, written here by hand */
        static const uint8_t oid[] = {0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                      0x0d, 0x01, 0x09, 0x10, 0x02, 0x33};
        cachet_cbs attr;
        if (!cachet_cbs_get_asn1(&attrs, &attr, CACHET_ASN1_SEQUENCE)) {
            return false;
        }
        if (attr.len > sizeof(oid) && memcmp(attr.data, oid, sizeof(oid)) == 0) {
            cachet_cbs_skip(&attr, sizeof(oid));
            return cachet_cbs_get_asn1(&attr, values, CACHET_ASN1_SET);
        }
    }
    return false;
}

static inline size_t ms_count(cachet_cbs elems) {
    size_t n = 0;
    while (elems.len > 0 && cachet_cbs_get_any_asn1_element(&elems, NULL, NULL, NULL)) {
        n++;
    }
    return n;
}

#endif
