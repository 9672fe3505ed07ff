/* cms/common.c: helpers shared by every CMS content type (cms.h). */
#include <inttypes.h>
#include <string.h>

#include "cms/cms.h"

void cachet_cms_limits_default(cachet_cms_limits *out) {
    memset(out, 0, sizeof(*out));
    out->max_skeleton = 4u << 20;
    out->max_depth = 64;
    out->max_string_depth = 4;
    out->max_signers = 16;
    out->max_recipients = 1024;
    out->max_certificates = 64;
    out->max_attributes = 64;
    out->max_decompressed = 1ull << 30;
    out->max_ratio = 1000;
    out->max_pbkdf2_iterations = 10000000;
    out->max_ccm_content = 64u << 20;
    out->max_attribute_bytes = CACHET_CMS_DEFAULT_ATTRIBUTE_BYTES;
}

cachet_ber_limits cachet_cms_ber_limits(const cachet_cms_limits *limits) {
    cachet_ber_limits out;
    out.max_skeleton = limits->max_skeleton;
    out.max_depth = limits->max_depth;
    out.max_string_depth = limits->max_string_depth;
    return out;
}

/* sniff_header reads one BER identifier (low tag number form only, which is all a
 * ContentInfo uses) and length. Returns 1 on success, 0 if more bytes are needed,
 * -1 if the bytes cannot be what we expect. */
static int sniff_header(const uint8_t *p, size_t n, size_t *pos, uint8_t want_tag, bool allow_indef,
                        size_t *out_len) {
    size_t i = *pos;
    if (i >= n) {
        return 0;
    }
    if (p[i] != want_tag) {
        return -1;
    }
    i++;
    if (i >= n) {
        return 0;
    }
    uint8_t l = p[i++];
    if (l < 0x80) {
        *out_len = l;
    } else if (l == 0x80) {
        if (!allow_indef) {
            return -1;
        }
        *out_len = SIZE_MAX;
    } else {
        size_t nb = l & 0x7f;
        if (nb > sizeof(size_t)) { /* also refuses 0xff, reserved (X.690 8.1.3.5) */
            return -1;
        }
        size_t v = 0;
        for (size_t k = 0; k < nb; k++) {
            if (i >= n) {
                return 0;
            }
            v = (v << 8) | p[i++];
        }
        *out_len = v;
    }
    *pos = i;
    return 1;
}

static size_t longest_content_type(void) {
    size_t longest = 0;
    for (cachet_oid o = CACHET_OID_DATA; o <= CACHET_OID_CT_RECEIPT; o++) {
        size_t n = 0;
        (void)cachet_oid_der(o, &n);
        longest = n > longest ? n : longest;
    }
    return longest;
}

/* RFC 5652 §3: ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, ... }. */
cachet_status cachet_cms_sniff(const uint8_t *data, size_t len, cachet_oid *out,
                               cachet_error *err) {
    size_t pos = 0, seq_len = 0, oid_len = 0;
    int r = sniff_header(data, len, &pos, 0x30, true, &seq_len);
    if (r > 0) {
        r = sniff_header(data, len, &pos, CACHET_ASN1_OBJECT, false, &oid_len);
    }
    if (r < 0) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "ContentInfo", (long long)pos,
                              "not a CMS ContentInfo");
    }
    if (r > 0 && oid_len > len - pos && oid_len > longest_content_type()) {
        /* No content type we know is that long: the answer cannot depend on
         * how many bytes a streaming caller had when it asked (fuzz_smime_decrypt). */
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "ContentInfo.contentType",
                              (long long)pos, "unknown content type");
    }
    if (r == 0 || oid_len > len - pos) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "ContentInfo", (long long)len,
                              "truncated: more bytes are needed to identify the content type");
    }
    if (seq_len != SIZE_MAX && seq_len < 2 + oid_len) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, "ContentInfo", 1,
                              "ContentInfo length too short");
    }
    cachet_oid oid = cachet_oid_lookup(data + pos, oid_len);
    if (oid < CACHET_OID_DATA || oid > CACHET_OID_CT_RECEIPT) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "ContentInfo.contentType",
                              (long long)pos, "unknown content type");
    }
    *out = oid;
    return CACHET_OK;
}

static const struct {
    cachet_md md;
    cachet_oid oid;
} md_oids[] = {
    {CACHET_MD_MD5, CACHET_OID_MD5},
    {CACHET_MD_SHA1, CACHET_OID_SHA1},
    {CACHET_MD_SHA224, CACHET_OID_SHA224},
    {CACHET_MD_SHA256, CACHET_OID_SHA256},
    {CACHET_MD_SHA384, CACHET_OID_SHA384},
    {CACHET_MD_SHA512, CACHET_OID_SHA512},
    /* RFC 8419 §2.3: written as id-shake256-len (512); id-shake256 is read as the
     * same digest, its output being 512 bits by definition (RFC 8702 §2). */
    {CACHET_MD_SHAKE256_512, CACHET_OID_SHAKE256_LEN},
    {CACHET_MD_SHAKE256_512, CACHET_OID_SHAKE256},
};

cachet_md cachet_cms_md_from_oid(cachet_oid oid) {
    for (size_t i = 0; i < sizeof(md_oids) / sizeof(md_oids[0]); i++) {
        if (md_oids[i].oid == oid) {
            return md_oids[i].md;
        }
    }
    return CACHET_MD_NONE;
}

cachet_oid cachet_cms_oid_from_md(cachet_md md) {
    for (size_t i = 0; i < sizeof(md_oids) / sizeof(md_oids[0]); i++) {
        if (md_oids[i].md == md) {
            return md_oids[i].oid;
        }
    }
    return CACHET_OID_UNKNOWN;
}

/* RFC 5754 §2: the SHA-2 AlgorithmIdentifiers are written with parameters absent. */
bool cachet_cms_add_digest_alg(cachet_cbb *cbb, cachet_md md) {
    cachet_oid oid = cachet_cms_oid_from_md(md);
    cachet_cbb alg;
    if (oid == CACHET_OID_UNKNOWN) {
        return false;
    }
    if (!cachet_cbb_add_asn1(cbb, &alg, CACHET_ASN1_SEQUENCE) || !cachet_cbb_add_oid(&alg, oid)) {
        return false;
    }
    /* RFC 8419 §2.3: id-shake256-len carries ShakeOutputLen, the bits, MUST 512. */
    if (oid == CACHET_OID_SHAKE256_LEN &&
        !cachet_cbb_add_asn1_uint64(&alg, 8 * cachet_md_size(md))) {
        return false;
    }
    return cachet_cbb_flush(cbb);
}

/* RFC 8419 §2.3: id-shake256-len parameters MUST be present and be 512; any
 * other output length is a digest we do not know (reported as CACHET_MD_NONE). */
static bool parse_shake_len(cachet_cbs *params, cachet_md *md) {
    uint64_t bits;
    cachet_cbs copy = *params;
    if (cachet_cbs_get_asn1_uint64(&copy, &bits) && copy.len == 0) {
        *params = copy;
        if (bits != 8 * cachet_md_size(CACHET_MD_SHAKE256_512)) {
            *md = CACHET_MD_NONE;
        }
        return true;
    }
    cachet_cbs any;
    *md = CACHET_MD_NONE;
    return cachet_cbs_peek_asn1_tag(params, CACHET_ASN1_INTEGER) &&
           cachet_cbs_get_any_asn1_element(params, &any, NULL, NULL) && params->len == 0;
}

/* RFC 5754 §2 / RFC 3370 §2: implementations accept absent and NULL parameters.
 * Any other parameters on a digest we know are malformed; an unknown algorithm may
 * carry anything (it is reported as CACHET_MD_NONE). */
bool cachet_cms_parse_digest_alg(cachet_cbs *cbs, cachet_md *out, cachet_oid *out_oid) {
    cachet_cbs copy = *cbs, alg, raw;
    cachet_oid oid;
    if (!cachet_cbs_get_asn1(&copy, &alg, CACHET_ASN1_SEQUENCE) ||
        !cachet_cbs_get_oid(&alg, &oid, &raw)) {
        return false;
    }
    cachet_md md = cachet_cms_md_from_oid(oid);
    if (oid == CACHET_OID_SHAKE256_LEN) {
        if (!parse_shake_len(&alg, &md)) {
            return false;
        }
    } else if (md != CACHET_MD_NONE) {
        if (alg.len != 0) {
            cachet_cbs null_body;
            if (!cachet_cbs_get_asn1(&alg, &null_body, CACHET_ASN1_NULL) || null_body.len != 0 ||
                alg.len != 0) {
                return false;
            }
        }
    } else {
        cachet_cbs any;
        if (alg.len != 0 &&
            (!cachet_cbs_get_any_asn1_element(&alg, &any, NULL, NULL) || alg.len != 0)) {
            return false;
        }
    }
    *cbs = copy;
    *out = md;
    if (out_oid != NULL) {
        *out_oid = oid;
    }
    return true;
}

/* RFC 5652 §5.3 / §6.2.1: IssuerAndSerialNumber ::= SEQUENCE { issuer Name,
 * serialNumber CertificateSerialNumber }, or [0] SubjectKeyIdentifier. Matching is
 * by exact DER bytes: a re-encoded Name would be a different claim. */
bool cachet_cms_sid_matches(const cachet_cbs *sid, const cachet_cert *cert) {
    cachet_cbs in = *sid, body;
    if (cachet_cbs_peek_asn1_tag(&in, CACHET_ASN1_SEQUENCE)) {
        cachet_cbs issuer, serial;
        size_t issuer_len = 0, serial_len = 0;
        const uint8_t *ci, *cs;
        if (!cachet_cbs_get_asn1(&in, &body, CACHET_ASN1_SEQUENCE) || in.len != 0 ||
            !cachet_cbs_get_asn1_element(&body, &issuer, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_asn1(&body, &serial, CACHET_ASN1_INTEGER) || body.len != 0) {
            return false;
        }
        ci = cachet_cert_issuer_der(cert, &issuer_len);
        cs = cachet_cert_serial_der(cert, &serial_len);
        return ci != NULL && cs != NULL && cachet_cbs_mem_equal(&issuer, ci, issuer_len) &&
               cachet_cbs_mem_equal(&serial, cs, serial_len);
    }
    if (cachet_cbs_peek_asn1_tag(&in, CACHET_ASN1_CONTEXT(0))) {
        const uint8_t *ski = NULL;
        size_t ski_len = 0;
        if (!cachet_cbs_get_asn1(&in, &body, CACHET_ASN1_CONTEXT(0)) || in.len != 0 ||
            body.len == 0) {
            return false;
        }
        return cachet_cert_ski(cert, &ski, &ski_len) && cachet_cbs_mem_equal(&body, ski, ski_len);
    }
    return false;
}

bool cachet_cms_add_sid(cachet_cbb *cbb, const cachet_cert *cert, bool use_ski) {
    if (use_ski) {
        const uint8_t *ski = NULL;
        size_t ski_len = 0;
        return cachet_cert_ski(cert, &ski, &ski_len) && ski_len > 0 &&
               cachet_cbb_add_asn1_element(cbb, CACHET_ASN1_CONTEXT(0), ski, ski_len);
    }
    size_t issuer_len = 0, serial_len = 0;
    const uint8_t *issuer = cachet_cert_issuer_der(cert, &issuer_len);
    const uint8_t *serial = cachet_cert_serial_der(cert, &serial_len);
    cachet_cbb ias;
    if (issuer == NULL || serial == NULL) {
        return false;
    }
    return cachet_cbb_add_asn1(cbb, &ias, CACHET_ASN1_SEQUENCE) &&
           cachet_cbb_add_bytes(&ias, issuer, issuer_len) &&
           cachet_cbb_add_asn1_element(&ias, CACHET_ASN1_INTEGER, serial, serial_len) &&
           cachet_cbb_flush(cbb);
}

/* X.690 §8.1.2: identifier octets (high tag numbers in base-128). */
static size_t encode_tag(cachet_asn1_tag tag, uint8_t *out) {
    uint8_t lead = (uint8_t)(tag >> 24);
    uint32_t number = tag & CACHET_ASN1_TAG_NUMBER_MASK;
    if (number < 31) {
        out[0] = (uint8_t)(lead | number);
        return 1;
    }
    uint8_t tmp[5];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)(number & 0x7f);
        number >>= 7;
    } while (number != 0);
    out[0] = (uint8_t)(lead | 0x1f);
    for (size_t i = 0; i < n; i++) {
        out[1 + i] = (uint8_t)(tmp[n - 1 - i] | (i + 1 < n ? 0x80 : 0));
    }
    return 1 + n;
}

/* X.690 §8.1.3.6: the indefinite form, only for constructed encodings. */
cachet_status cachet_cms_write_indef_header(const cachet_sink *out, cachet_asn1_tag tag) {
    uint8_t hdr[8];
    size_t n;
    if ((tag & CACHET_ASN1_CONSTRUCTED) == 0) {
        return CACHET_ERR_INTERNAL;
    }
    n = encode_tag(tag, hdr);
    hdr[n++] = 0x80;
    return cachet_sink_write(out, hdr, n);
}

cachet_status cachet_cms_write_eoc(const cachet_sink *out, unsigned n) {
    static const uint8_t zeros[32] = {0};
    while (n > 0) {
        unsigned k = n > 16 ? 16 : n;
        cachet_status st = cachet_sink_write(out, zeros, 2u * k);
        if (st != CACHET_OK) {
            return st;
        }
        n -= k;
    }
    return CACHET_OK;
}

/* X.690 §8.7.3: a constructed OCTET STRING is a series of primitive segments;
 * each segment uses a definite length (DER minimal form). */
cachet_status cachet_cms_write_octets(const cachet_sink *out, const uint8_t *data, size_t len) {
    uint8_t hdr[2 + sizeof(size_t)];
    size_t n = 0;
    hdr[n++] = CACHET_ASN1_OCTETSTRING;
    if (len < 0x80) {
        hdr[n++] = (uint8_t)len;
    } else {
        size_t nb = 0;
        for (size_t v = len; v != 0; v >>= 8) {
            nb++;
        }
        hdr[n++] = (uint8_t)(0x80 | nb);
        for (size_t i = nb; i > 0; i--) {
            hdr[n++] = (uint8_t)(len >> (8 * (i - 1)));
        }
    }
    cachet_status st = cachet_sink_write(out, hdr, n);
    if (st != CACHET_OK) {
        return st;
    }
    return cachet_sink_write(out, data, len);
}

bool cachet_cms_is_econtent_bulk(void *arg, const cachet_asn1_tag *path, const size_t *index,
                                 size_t depth) {
    (void)arg;
    return depth == 5 && path[0] == CACHET_ASN1_SEQUENCE &&
           path[1] == CACHET_ASN1_CONTEXT_CONS(0) && index[1] == 1 &&
           path[2] == CACHET_ASN1_SEQUENCE && index[2] == 0 && path[3] == CACHET_ASN1_SEQUENCE &&
           index[3] == 2 && path[4] == CACHET_ASN1_CONTEXT_CONS(0) && index[4] == 1 &&
           (path[5] & ~CACHET_ASN1_CONSTRUCTED) == CACHET_ASN1_OCTETSTRING && index[5] == 0;
}

cachet_status cachet_cms_record_failure(cachet_status *failed, cachet_status st) {
    if (*failed == CACHET_OK) {
        *failed = st;
    }
    return st;
}

cachet_status cachet_cms_fail_out(cachet_error *sticky, cachet_status *failed, cachet_status st,
                                  const cachet_error *other, cachet_error *err) {
    if (sticky->status == CACHET_OK) {
        *sticky = *other;
        sticky->status = st;
    }
    cachet_cms_record_failure(failed, sticky->status);
    if (err != NULL) {
        *err = *sticky;
    }
    return *failed;
}

cachet_status cachet_cms_length_init(cachet_cms_length *l, bool known, uint64_t size,
                                     const char *where, cachet_error *err) {
    memset(l, 0, sizeof(*l));
    if (known && size > CACHET_CMS_MAX_DECLARED) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                              "content_size %" PRIu64 " is over the maximum %" PRIu64, size,
                              CACHET_CMS_MAX_DECLARED);
    }
    l->known = known;
    l->declared = known ? size : 0;
    return CACHET_OK;
}

cachet_status cachet_cms_length_add(cachet_cms_length *l, size_t len, const char *where,
                                    cachet_error *err) {
    if (!l->known) {
        return CACHET_OK;
    }
    /* no wrap: seen never passes declared, which is at most 2^62 */
    if ((uint64_t)len > l->declared - l->seen) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                              "input was at least %" PRIu64 " bytes, content_size said %" PRIu64,
                              l->seen + (uint64_t)len, l->declared);
    }
    l->seen += len;
    return CACHET_OK;
}

cachet_status cachet_cms_length_check(const cachet_cms_length *l, const char *where,
                                      cachet_error *err) {
    if (l->known && l->seen != l->declared) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                              "input was %" PRIu64 " bytes, content_size said %" PRIu64, l->seen,
                              l->declared);
    }
    return CACHET_OK;
}

uint64_t cachet_cms_tlv_len(cachet_asn1_tag tag, uint64_t len) {
    return cachet_der_header_len(tag, len) + len;
}

cachet_status cachet_cms_write_header(const cachet_sink *out, cachet_asn1_tag tag, uint64_t len) {
    cachet_cbb cbb;
    if (!cachet_cbb_init(&cbb, 16, 0)) {
        return CACHET_ERR_NOMEM;
    }
    cachet_status st = cachet_cbb_add_asn1_header(&cbb, tag, len) && cachet_cbb_flush(&cbb)
                           ? cachet_sink_write(out, cachet_cbb_data(&cbb), cachet_cbb_len(&cbb))
                           : CACHET_ERR_NOMEM;
    cachet_cbb_cleanup(&cbb);
    return st;
}
