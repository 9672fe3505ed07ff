/* cms/countersign_add.c: adding a countersignature (RFC 5652 §11.4) to a
 * SignedData: the new SignerInfo signs the parent's signature value, goes into
 * the parent's unsignedAttrs (the one part of a SignerInfo its signature does
 * not cover), and its certificates join SignedData.certificates. Everything
 * else is copied as it was, in its order. The SignedData is held whole: a
 * definite-length encoding needs every enclosing length before it is written. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cms/countersign.h"

/* The parts of ContentInfo{SignedData} (RFC 5652 §5.1) we copy or rebuild. */
typedef struct sd_view {
    cachet_cbs version, digest_algs, eci; /* whole elements */
    bool has_certs;
    cachet_cbs certs; /* [0] contents */
    bool has_crls;
    cachet_cbs crls; /* whole [1] element */
    cachet_cbs sis;  /* signerInfos SET contents */
    size_t num_signers;
} sd_view;

/* One SignerInfo (§5.3) split where the countersignature goes. */
typedef struct si_view {
    cachet_cbs head; /* version .. signature, as they are */
    cachet_cbs sig;  /* signature OCTET STRING contents */
    bool has_unsigned;
    cachet_cbs unsigned_attrs; /* [1] contents */
} si_view;

#define MALFORMED(where, msg) cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1, "%s", msg)
#define NOMEM(where) cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory")

static cachet_status parse_sd(const uint8_t *der, size_t len, size_t max_signers, sd_view *v,
                              cachet_error *err) {
    cachet_cbs in, ci, wrap, sd;
    cachet_oid type;
    memset(v, 0, sizeof(*v));
    cachet_cbs_init(&in, der, len);
    if (!cachet_cbs_get_asn1(&in, &ci, CACHET_ASN1_SEQUENCE) || in.len != 0 ||
        !cachet_cbs_get_oid(&ci, &type, NULL)) {
        return MALFORMED("ContentInfo", "not a CMS ContentInfo");
    }
    if (type != CACHET_OID_SIGNED_DATA) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "ContentInfo.contentType", -1,
                              "the message is %s, not SignedData: only a signature can be "
                              "countersigned",
                              cachet_oid_name(type));
    }
    if (!cachet_cbs_get_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) || ci.len != 0 ||
        !cachet_cbs_get_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) || wrap.len != 0) {
        return MALFORMED("ContentInfo.content", "malformed SignedData");
    }
    if (!cachet_cbs_get_asn1_element(&sd, &v->version, CACHET_ASN1_INTEGER) ||
        !cachet_cbs_get_asn1_element(&sd, &v->digest_algs, CACHET_ASN1_SET) ||
        !cachet_cbs_get_asn1_element(&sd, &v->eci, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_optional_asn1(&sd, &v->certs, &v->has_certs, CACHET_ASN1_CONTEXT_CONS(0))) {
        return MALFORMED("SignedData", "malformed SignedData");
    }
    if (cachet_cbs_peek_asn1_tag(&sd, CACHET_ASN1_CONTEXT_CONS(1))) {
        v->has_crls = true;
        if (!cachet_cbs_get_asn1_element(&sd, &v->crls, CACHET_ASN1_CONTEXT_CONS(1))) {
            return MALFORMED("SignedData.crls", "malformed crls");
        }
    }
    if (!cachet_cbs_get_asn1(&sd, &v->sis, CACHET_ASN1_SET) || sd.len != 0) {
        return MALFORMED("SignedData.signerInfos", "malformed signerInfos");
    }
    for (cachet_cbs c = v->sis; c.len > 0; v->num_signers++) {
        if (!cachet_cbs_get_asn1_element(&c, NULL, CACHET_ASN1_SEQUENCE)) {
            return MALFORMED("SignedData.signerInfos", "malformed SignerInfo");
        }
        if (v->num_signers + 1 > max_signers) {
            return cachet_err_set(err, CACHET_ERR_LIMIT, "SignedData.signerInfos", -1,
                                  "more than %zu signers", max_signers);
        }
    }
    if (v->num_signers == 0) {
        return cachet_err_set(err, CACHET_ERR_NO_SIGNERS, "SignedData.signerInfos", -1,
                              "the SignedData has no signature to countersign");
    }
    return CACHET_OK;
}

static bool parse_si(cachet_cbs si_elem, si_view *s) {
    cachet_cbs si, skip;
    memset(s, 0, sizeof(*s));
    if (!cachet_cbs_get_asn1(&si_elem, &si, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    s->head.data = si.data;
    if (!cachet_cbs_get_asn1(&si, &skip, CACHET_ASN1_INTEGER) ||
        !cachet_cbs_get_any_asn1_element(&si, NULL, NULL, NULL) || /* sid */
        !cachet_cbs_get_asn1(&si, &skip, CACHET_ASN1_SEQUENCE)) {
        return false;
    }
    bool present = false;
    if (!cachet_cbs_get_optional_asn1(&si, &skip, &present, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbs_get_asn1(&si, &skip, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_asn1(&si, &s->sig, CACHET_ASN1_OCTETSTRING)) {
        return false;
    }
    s->head.len = (size_t)(si.data - s->head.data);
    if (!cachet_cbs_get_optional_asn1(&si, &s->unsigned_attrs, &s->has_unsigned,
                                      CACHET_ASN1_CONTEXT_CONS(1))) {
        return false;
    }
    return si.len == 0;
}

/* new_unsigned writes the unsignedAttrs of one SignerInfo with |cs| (a DER
 * SignerInfo) added: as one more value of an existing id-countersignature
 * attribute, else as a new attribute after the others. */
static cachet_status new_unsigned(const si_view *s, const uint8_t *cs, size_t cs_len,
                                  const cachet_cms_limits *limits, cachet_cbb *si,
                                  cachet_error *err) {
    cachet_cbb attrs, attr, values;
    cachet_cbs rest = s->has_unsigned ? s->unsigned_attrs : (cachet_cbs){NULL, 0};
    size_t n_attrs = 0, n_cs = 0;
    bool merged = false;
    if (!cachet_cbb_add_asn1(si, &attrs, CACHET_ASN1_CONTEXT_CONS(1))) {
        return NOMEM("SignerInfo.unsignedAttrs");
    }
    while (rest.len > 0) {
        cachet_cbs elem, body, vals;
        cachet_oid type;
        if (!cachet_cbs_get_asn1_element(&rest, &elem, CACHET_ASN1_SEQUENCE)) {
            return MALFORMED("SignerInfo.unsignedAttrs", "malformed unsigned attribute");
        }
        body = elem;
        if (!cachet_cbs_get_asn1(&body, &body, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_oid(&body, &type, NULL) ||
            !cachet_cbs_get_asn1(&body, &vals, CACHET_ASN1_SET)) {
            return MALFORMED("SignerInfo.unsignedAttrs", "malformed unsigned attribute");
        }
        n_attrs++;
        if (type != CACHET_OID_ATTR_COUNTERSIGNATURE || merged) {
            if (type == CACHET_OID_ATTR_COUNTERSIGNATURE) {
                n_cs++; /* a second attribute of the type: counted, left alone */
            }
            if (!cachet_cbb_add_bytes(&attrs, elem.data, elem.len)) {
                return NOMEM("SignerInfo.unsignedAttrs");
            }
            continue;
        }
        for (cachet_cbs v = vals; v.len > 0; n_cs++) {
            if (!cachet_cbs_get_any_asn1_element(&v, NULL, NULL, NULL)) {
                return MALFORMED("SignerInfo.unsignedAttrs", "malformed countersignature");
            }
        }
        if (!cachet_cbb_add_asn1(&attrs, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_COUNTERSIGNATURE) ||
            !cachet_cbb_add_asn1(&attr, &values, CACHET_ASN1_SET) ||
            !cachet_cbb_add_bytes(&values, vals.data, vals.len) ||
            !cachet_cbb_add_bytes(&values, cs, cs_len) || !cachet_cbb_flush(&attrs)) {
            return NOMEM("SignerInfo.unsignedAttrs");
        }
        merged = true;
    }
    /* What a verifier (ours included) accepts, so the result stays readable. */
    if (n_cs + 1 > CACHET_CMS_COUNTERSIG_MAX_PER_SIGNER) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "SignerInfo.unsignedAttrs", -1,
                              "the signature already has %zu countersignatures (at most %d)", n_cs,
                              CACHET_CMS_COUNTERSIG_MAX_PER_SIGNER);
    }
    if (!merged) {
        if (n_attrs + 1 > limits->max_attributes) {
            return cachet_err_set(err, CACHET_ERR_LIMIT, "SignerInfo.unsignedAttrs", -1,
                                  "the signature already has %zu unsigned attributes (at most "
                                  "%zu)",
                                  n_attrs, limits->max_attributes);
        }
        if (!cachet_cbb_add_asn1(&attrs, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_COUNTERSIGNATURE) ||
            !cachet_cbb_add_asn1(&attr, &values, CACHET_ASN1_SET) ||
            !cachet_cbb_add_bytes(&values, cs, cs_len)) {
            return NOMEM("SignerInfo.unsignedAttrs");
        }
    }
    return cachet_cbb_flush(si) ? CACHET_OK : NOMEM("SignerInfo.unsignedAttrs");
}

static bool has_cert(cachet_cbs certs, const uint8_t *der, size_t len) {
    while (certs.len > 0) {
        cachet_cbs c;
        if (!cachet_cbs_get_any_asn1_element(&certs, &c, NULL, NULL)) {
            return false;
        }
        if (cachet_cbs_mem_equal(&c, der, len)) {
            return true;
        }
    }
    return false;
}

/* add_certs: certificates [0] with the old entries first, as they were, then
 * each of |add| not yet there. */
static cachet_status add_certs(const sd_view *v, cachet_cert *const *add, size_t num_add,
                               const cachet_cms_limits *limits, cachet_cbb *sd, cachet_error *err) {
    cachet_cbb set;
    size_t n = 0;
    cachet_cbs old = v->has_certs ? v->certs : (cachet_cbs){NULL, 0};
    for (cachet_cbs c = old; c.len > 0; n++) {
        if (!cachet_cbs_get_any_asn1_element(&c, NULL, NULL, NULL)) {
            return MALFORMED("SignedData.certificates", "malformed certificate");
        }
    }
    if (!cachet_cbb_add_asn1(sd, &set, CACHET_ASN1_CONTEXT_CONS(0)) ||
        !cachet_cbb_add_bytes(&set, old.data, old.len)) {
        return NOMEM("SignedData.certificates");
    }
    for (size_t i = 0; i < num_add; i++) {
        size_t len = 0;
        const uint8_t *der = cachet_cert_der(add[i], &len);
        if (has_cert(old, der, len)) {
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++) {
            size_t l2 = 0;
            const uint8_t *d2 = cachet_cert_der(add[k], &l2);
            dup = l2 == len && memcmp(d2, der, len) == 0;
        }
        if (dup) {
            continue;
        }
        if (++n > limits->max_certificates) {
            return cachet_err_set(err, CACHET_ERR_LIMIT, "SignedData.certificates", -1,
                                  "adding the countersigner's certificates would make more than "
                                  "%zu",
                                  limits->max_certificates);
        }
        if (!cachet_cbb_add_bytes(&set, der, len)) {
            return NOMEM("SignedData.certificates");
        }
    }
    return cachet_cbb_flush(sd) ? CACHET_OK : NOMEM("SignedData.certificates");
}

/* rebuild writes the ContentInfo again with cs[i] (a DER SignerInfo, NULL to
 * leave it) added to SignerInfo i, and |add| to certificates. */
static cachet_status rebuild(const sd_view *v, const uint8_t *const *cs, const size_t *cs_len,
                             cachet_cert *const *add, size_t num_add,
                             const cachet_cms_limits *limits, size_t size_hint, uint8_t **out,
                             size_t *out_len, cachet_error *err) {
    cachet_cbb top, ci, wrap, sd, sis, si;
    cachet_status st = CACHET_OK;
    if (!cachet_cbb_init(&top, size_hint + 4096, 0)) {
        return NOMEM("ContentInfo");
    }
    bool ok = cachet_cbb_add_asn1(&top, &ci, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&ci, CACHET_OID_SIGNED_DATA) &&
              cachet_cbb_add_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbb_add_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_bytes(&sd, v->version.data, v->version.len) &&
              cachet_cbb_add_bytes(&sd, v->digest_algs.data, v->digest_algs.len) &&
              cachet_cbb_add_bytes(&sd, v->eci.data, v->eci.len);
    if (ok && (v->has_certs || num_add > 0)) {
        st = add_certs(v, add, num_add, limits, &sd, err);
    }
    ok = ok && st == CACHET_OK &&
         (!v->has_crls || cachet_cbb_add_bytes(&sd, v->crls.data, v->crls.len)) &&
         cachet_cbb_add_asn1(&sd, &sis, CACHET_ASN1_SET);
    cachet_cbs rest = v->sis;
    for (size_t i = 0; ok && st == CACHET_OK && i < v->num_signers; i++) {
        cachet_cbs elem;
        si_view s;
        ok = cachet_cbs_get_asn1_element(&rest, &elem, CACHET_ASN1_SEQUENCE);
        if (ok && cs[i] == NULL) {
            ok = cachet_cbb_add_bytes(&sis, elem.data, elem.len);
            continue;
        }
        if (ok && !parse_si(elem, &s)) {
            cachet_err_set(err, CACHET_ERR_MALFORMED, "SignedData.signerInfos", -1,
                           "SignerInfo %zu is malformed", i);
            st = CACHET_ERR_MALFORMED;
            break;
        }
        ok = ok && cachet_cbb_add_asn1(&sis, &si, CACHET_ASN1_SEQUENCE) &&
             cachet_cbb_add_bytes(&si, s.head.data, s.head.len);
        if (ok) {
            st = new_unsigned(&s, cs[i], cs_len[i], limits, &si, err);
            ok = st == CACHET_OK && cachet_cbb_flush(&sis);
        }
    }
    ok = ok && st == CACHET_OK && cachet_cbb_finish(&top, out, out_len);
    if (!ok) {
        cachet_cbb_cleanup(&top);
        return st != CACHET_OK ? st : NOMEM("ContentInfo");
    }
    return CACHET_OK;
}

/* build_countersig: SignerInfo version 1 (issuerAndSerialNumber) whose
 * signedAttrs are messageDigest (of the parent signature octets), signingTime
 * and signingCertificateV2, and no contentType (§11.4). */
static cachet_status build_countersig(const cachet_cms_countersign_opts *o,
                                      cachet_sig_scheme scheme, cachet_md md, int64_t t,
                                      const cachet_cbs *parent_sig, uint8_t **out, size_t *out_len,
                                      cachet_error *err) {
    uint8_t digest[CACHET_MD_MAX_SIZE];
    uint8_t *der = NULL;
    size_t der_len = 0;
    cachet_membuf sig = {0};
    cachet_cbb a, set, attr, values, top, si;
    if (!cachet_md_oneshot(md, parent_sig->data, parent_sig->len, digest)) {
        return cachet_err_set(err, CACHET_ERR_INTERNAL, "countersignature", -1, "digest failed");
    }
    if (!cachet_cbb_init(&a, 512, 0)) {
        return NOMEM("countersignature");
    }
    bool ok = cachet_cbb_add_asn1(&a, &set, CACHET_ASN1_SET) &&
              cachet_cbb_add_asn1(&set, &attr, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_MESSAGE_DIGEST) &&
              cachet_cbb_add_asn1(&attr, &values, CACHET_ASN1_SET) &&
              cachet_cbb_add_asn1_octet_string(&values, digest, cachet_md_size(md)) &&
              cachet_cbb_flush(&set) && cachet_cbb_add_asn1(&set, &attr, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&attr, CACHET_OID_ATTR_SIGNING_TIME) &&
              cachet_cbb_add_asn1(&attr, &values, CACHET_ASN1_SET) &&
              cachet_cbb_add_asn1_time(&values, t) && cachet_cbb_flush(&set) &&
              cachet_cms_add_signing_cert_v2_attr(&set, o->cert) &&
              /* §5.4: the signature covers the DER encoding, so SET OF is sorted */
              cachet_cbb_flush_asn1_set_of(&set) && cachet_cbb_finish(&a, &der, &der_len);
    if (!ok) {
        cachet_cbb_cleanup(&a);
        return cachet_err_set(err, CACHET_ERR_INTERNAL, "countersignature.signedAttrs", -1,
                              "encoding the signed attributes failed");
    }
    cachet_status st = cachet_sign(o->key, scheme, md, NULL, der, der_len, &sig, err);
    cachet_cbs whole, contents;
    cachet_cbs_init(&whole, der, der_len);
    ok = st == CACHET_OK && cachet_cbs_get_asn1(&whole, &contents, CACHET_ASN1_SET) &&
         cachet_cbb_init(&top, der_len + sig.len + 1024, 0);
    if (ok) {
        /* der = 31 L contents: re-tagged [0] IMPLICIT in the SignerInfo (§5.3) */
        ok = cachet_cbb_add_asn1(&top, &si, CACHET_ASN1_SEQUENCE) &&
             cachet_cbb_add_asn1_uint64(&si, 1) && cachet_cms_add_sid(&si, o->cert, false) &&
             cachet_cms_add_digest_alg(&si, md) &&
             cachet_cbb_add_asn1_element(&si, CACHET_ASN1_CONTEXT_CONS(0), contents.data,
                                         contents.len) &&
             cachet_cms_add_sig_alg(&si, scheme, md) &&
             cachet_cbb_add_asn1_octet_string(&si, sig.data, sig.len) &&
             cachet_cbb_finish(&top, out, out_len);
        if (!ok) {
            cachet_cbb_cleanup(&top);
        }
    }
    cachet_free(der);
    cachet_membuf_free(&sig);
    if (st != CACHET_OK) {
        return st;
    }
    return ok ? CACHET_OK
              : cachet_err_set(err, CACHET_ERR_INTERNAL, "countersignature", -1,
                               "encoding the countersignature failed");
}

/* check_signer picks the scheme and digest the way the signer does
 * (signed_sign.c): RFC 8419 §3.1 fixes the digest of EdDSA. */
static cachet_status check_signer(const cachet_cms_countersign_opts *o, cachet_sig_scheme *scheme,
                                  cachet_md *md, cachet_error *err) {
    const char *where = "countersigner";
    if (o->key == NULL || o->cert == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                              "a countersigner needs a key and a certificate");
    }
    *scheme = cachet_cms_sig_scheme_for_key(o->key, o->pss);
    *md = o->md == CACHET_MD_NONE ? CACHET_MD_SHA256 : o->md;
    if (*scheme == CACHET_SIG_NONE) {
        return cachet_err_set(err, CACHET_ERR_KEY, where, -1, "key type cannot sign CMS");
    }
    if (*scheme == CACHET_SIG_ED25519 || *scheme == CACHET_SIG_ED448) {
        cachet_md fixed = *scheme == CACHET_SIG_ED25519 ? CACHET_MD_SHA512 : CACHET_MD_SHAKE256_512;
        if (o->md != CACHET_MD_NONE && o->md != fixed) {
            return cachet_err_set(
                err, CACHET_ERR_USAGE, where, -1, "%s requires %s (RFC 8419 section 3.1)",
                *scheme == CACHET_SIG_ED25519 ? "Ed25519" : "Ed448", cachet_md_name(fixed));
        }
        *md = fixed;
    } else if (*md != CACHET_MD_SHA256 && *md != CACHET_MD_SHA384 && *md != CACHET_MD_SHA512) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "digest must be SHA-256/384/512");
    }
    if (!o->key_checked) {
        cachet_pkey *pub = cachet_cert_pkey(o->cert);
        bool match = pub != NULL && cachet_pkey_matches(pub, o->key);
        cachet_pkey_free(pub);
        if (!match) {
            return cachet_err_set(err, CACHET_ERR_KEY, where, -1,
                                  "key does not match the certificate");
        }
    }
    return CACHET_OK;
}

/* load: |cms| within the bound, as DER (normalised into |*owned| when BER). */
static cachet_status load(const cachet_cms_limits *limits, size_t max, const uint8_t *cms,
                          size_t cms_len, const uint8_t **der, size_t *der_len, uint8_t **owned,
                          cachet_error *err) {
    *owned = NULL;
    if (cms_len > max) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "SignedData", -1,
                              "countersigning holds the whole SignedData in memory: the input is "
                              "over the bound of %zu bytes",
                              max);
    }
    if (cachet_der_validate(cms, cms_len, limits->max_depth)) {
        *der = cms;
        *der_len = cms_len;
        return CACHET_OK;
    }
    /* BER (e.g. indefinite lengths from streaming signers): the same values in DER. */
    cachet_ber_limits bl = cachet_cms_ber_limits(limits);
    bl.max_skeleton = max + max / 8 + 4096;
    cachet_status st = cachet_ber_to_der(cms, cms_len, &bl, owned, der_len, err);
    *der = *owned;
    return st;
}

cachet_status cachet_cms_countersign_add(const cachet_cms_countersign_opts *opts,
                                         const cachet_cms_limits *limits, const uint8_t *cms,
                                         size_t cms_len, uint8_t **out, size_t *out_len,
                                         cachet_error *err) {
    cachet_cms_limits lim;
    cachet_sig_scheme scheme = CACHET_SIG_NONE;
    cachet_md md = CACHET_MD_NONE;
    const uint8_t *der = NULL;
    size_t der_len = 0;
    uint8_t *owned = NULL;
    sd_view v = {0}; /* read only after parse_sd succeeded; zeroed for the analyzers */
    uint8_t **cs = NULL;
    size_t *cs_len = NULL;
    if (limits == NULL) {
        cachet_cms_limits_default(&lim);
        limits = &lim;
    }
    size_t max = opts->max_input != 0 ? opts->max_input : CACHET_CMS_COUNTERSIGN_MAX_INPUT;
    cachet_status st = check_signer(opts, &scheme, &md, err);
    if (st == CACHET_OK) {
        st = load(limits, max, cms, cms_len, &der, &der_len, &owned, err);
    }
    if (st == CACHET_OK) {
        st = parse_sd(der, der_len, limits->max_signers, &v, err);
    }
    if (st == CACHET_OK && !opts->all_signers && opts->signer_index >= v.num_signers) {
        st = cachet_err_set(err, CACHET_ERR_USAGE, "SignedData.signerInfos", -1,
                            "there is no SignerInfo %zu to countersign: the message has %zu "
                            "(numbered from 0)",
                            opts->signer_index, v.num_signers);
    }
    if (st == CACHET_OK) {
        cs = cachet_calloc(v.num_signers, sizeof(*cs));
        cs_len = cachet_calloc(v.num_signers, sizeof(*cs_len));
        if (cs == NULL || cs_len == NULL) {
            st = NOMEM("countersignature");
        }
    }
    int64_t t = opts->signing_time != 0 ? opts->signing_time : (int64_t)time(NULL);
    cachet_cbs rest = st == CACHET_OK ? v.sis : (cachet_cbs){NULL, 0};
    for (size_t i = 0; st == CACHET_OK && i < v.num_signers; i++) {
        cachet_cbs elem;
        si_view s;
        cachet_cbs_get_asn1_element(&rest, &elem, CACHET_ASN1_SEQUENCE);
        if (!opts->all_signers && i != opts->signer_index) {
            continue;
        }
        if (!parse_si(elem, &s)) {
            st = cachet_err_set(err, CACHET_ERR_MALFORMED, "SignedData.signerInfos", -1,
                                "SignerInfo %zu is malformed", i);
            break;
        }
        st = build_countersig(opts, scheme, md, t, &s.sig, &cs[i], &cs_len[i], err);
    }
    if (st == CACHET_OK) {
        cachet_cert *add[1 + 64];
        size_t num_add = 0;
        add[num_add++] = opts->cert;
        for (size_t i = 0; i < opts->num_chain && num_add < sizeof(add) / sizeof(add[0]); i++) {
            add[num_add++] = opts->chain[i];
        }
        st = rebuild(&v, (const uint8_t *const *)cs, cs_len, add, num_add, limits, der_len, out,
                     out_len, err);
    }
    for (size_t i = 0; cs != NULL && i < v.num_signers; i++) {
        cachet_free(cs[i]);
    }
    cachet_free(cs);
    cachet_free(cs_len);
    cachet_free(owned);
    return st;
}

cachet_status cachet_cms_countersign_insert(const cachet_cms_limits *limits, const uint8_t *cms,
                                            size_t cms_len, size_t signer_index,
                                            const uint8_t *countersig, size_t countersig_len,
                                            cachet_cert *const *certs, size_t num_certs,
                                            uint8_t **out, size_t *out_len, cachet_error *err) {
    cachet_cms_limits lim;
    const uint8_t *der = NULL;
    size_t der_len = 0;
    uint8_t *owned = NULL;
    sd_view v = {0}; /* read only after parse_sd succeeded; zeroed for the analyzers */
    if (limits == NULL) {
        cachet_cms_limits_default(&lim);
        limits = &lim;
    }
    cachet_status st =
        load(limits, CACHET_CMS_COUNTERSIGN_MAX_INPUT, cms, cms_len, &der, &der_len, &owned, err);
    if (st == CACHET_OK) {
        st = parse_sd(der, der_len, limits->max_signers, &v, err);
    }
    if (st == CACHET_OK && signer_index >= v.num_signers) {
        st = cachet_err_set(err, CACHET_ERR_USAGE, "SignedData.signerInfos", -1,
                            "no SignerInfo %zu", signer_index);
    }
    const uint8_t **cs = st == CACHET_OK ? cachet_calloc(v.num_signers, sizeof(*cs)) : NULL;
    size_t *cs_len = st == CACHET_OK ? cachet_calloc(v.num_signers, sizeof(*cs_len)) : NULL;
    if (st == CACHET_OK && (cs == NULL || cs_len == NULL)) {
        st = NOMEM("countersignature");
    }
    if (st == CACHET_OK) {
        cs[signer_index] = countersig;
        cs_len[signer_index] = countersig_len;
        st = rebuild(&v, cs, cs_len, certs, num_certs, limits, der_len, out, out_len, err);
    }
    cachet_free(cs);
    cachet_free(cs_len);
    cachet_free(owned);
    return st;
}
