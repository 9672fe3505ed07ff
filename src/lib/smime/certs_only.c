/* cachet_certs_only_make: the "degenerate" SignedData of RFC 8551 §3.8 (RFC
 * 5652 §5.2: no signers, eContent absent) carrying certificates only. */
#include <string.h>

#include "smime/writer.h"

/* The most certificates one certs-only message carries. */
#define MAX_CERTS 1000

/* build writes ContentInfo { id-signedData, [0] SignedData } (RFC 5652 §5.1):
 * version 1 (id-data, only X.509 certificates, no SignerInfos), no
 * digestAlgorithms, encapContentInfo { id-data } without eContent, the
 * certificates as a DER-sorted SET (each once), no signerInfos. */
static cachet_status build(cachet_cert *const *certs, size_t num, uint8_t **out, size_t *out_len,
                           cachet_error *err) {
    cachet_cbb top, ci, wrap, sd, set, eci, cs;
    if (!cachet_cbb_init(&top, 1024, 0)) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "certs-only", -1, "out of memory");
    }
    bool ok = cachet_cbb_add_asn1(&top, &ci, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&ci, CACHET_OID_SIGNED_DATA) &&
              cachet_cbb_add_asn1(&ci, &wrap, CACHET_ASN1_CONTEXT_CONS(0)) &&
              cachet_cbb_add_asn1(&wrap, &sd, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_asn1_uint64(&sd, 1) &&
              cachet_cbb_add_asn1(&sd, &set, CACHET_ASN1_SET) && cachet_cbb_flush(&sd) &&
              cachet_cbb_add_asn1(&sd, &eci, CACHET_ASN1_SEQUENCE) &&
              cachet_cbb_add_oid(&eci, CACHET_OID_DATA) && cachet_cbb_flush(&sd) &&
              cachet_cbb_add_asn1(&sd, &cs, CACHET_ASN1_CONTEXT_CONS(0));
    for (size_t i = 0; ok && i < num; i++) {
        size_t len = 0;
        const uint8_t *der = cachet_cert_der(certs[i], &len);
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) {
            size_t l2 = 0;
            const uint8_t *d2 = cachet_cert_der(certs[j], &l2);
            dup = l2 == len && memcmp(d2, der, len) == 0;
        }
        if (!dup) {
            ok = cachet_cbb_add_bytes(&cs, der, len);
        }
    }
    ok = ok && cachet_cbb_flush_asn1_set_of(&cs) &&
         cachet_cbb_add_asn1(&sd, &set, CACHET_ASN1_SET) && cachet_cbb_finish(&top, out, out_len);
    if (!ok) {
        cachet_cbb_cleanup(&top);
        return cachet_err_set(err, CACHET_ERR_NOMEM, "certs-only", -1,
                              "cannot build the certs-only SignedData");
    }
    return CACHET_OK;
}

static cachet_status write_smime(const uint8_t *der, size_t len, const cachet_sink *out,
                                 cachet_error *err) {
    /* RFC 8551 §3.8: smime-type=certs-only and the .p7c file name. */
    static const char *const fields[][2] = {
        {"MIME-Version", "1.0"},
        {"Content-Type", "application/pkcs7-mime; smime-type=certs-only; name=smime.p7c"},
        {"Content-Transfer-Encoding", "base64"},
        {"Content-Disposition", "attachment; filename=smime.p7c"},
    };
    cachet_membuf hdr = {0};
    cachet_status st = CACHET_OK;
    for (size_t i = 0; st == CACHET_OK && i < sizeof(fields) / sizeof(fields[0]); i++) {
        st = cachet_mime_write_header(&hdr, fields[i][0], fields[i][1], err);
    }
    if (st == CACHET_OK && !cachet_membuf_append(&hdr, "\r\n", 2)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, "certs-only", -1, "out of memory");
    }
    if (st == CACHET_OK) {
        st = cachet_sink_write(out, hdr.data, hdr.len);
    }
    cachet_membuf_free(&hdr);
    if (st == CACHET_OK) {
        cachet_smime_b64 b64;
        cachet_smime_b64_init(&b64, out);
        cachet_sink s = cachet_smime_b64_sink(&b64);
        st = cachet_sink_write(&s, der, len);
        if (st == CACHET_OK) {
            st = cachet_smime_b64_finish(&b64);
        }
    }
    if (st != CACHET_OK && (err == NULL || err->status == CACHET_OK)) {
        cachet_err_set(err, st, "output", -1, "writing the certs-only message failed");
    }
    return st;
}

cachet_status cachet_certs_only_make(cachet_cert *const *certs, size_t num, cachet_format format,
                                     const cachet_sink *out, cachet_error *err) {
    if (certs == NULL || num == 0 || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "certs-only", -1,
                              "a certs-only message needs at least one certificate");
    }
    if (num > MAX_CERTS) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, "certs-only", -1, "more than %d certificates",
                              MAX_CERTS);
    }
    for (size_t i = 0; i < num; i++) {
        if (certs[i] == NULL) {
            return cachet_err_set(err, CACHET_ERR_USAGE, "certs-only", -1,
                                  "certificate %zu is "
                                  "missing",
                                  i);
        }
    }
    uint8_t *der = NULL;
    size_t len = 0;
    cachet_status st = build(certs, num, &der, &len, err);
    if (st != CACHET_OK) {
        return st;
    }
    cachet_membuf pem = {0};
    switch (format) {
        case CACHET_FORMAT_SMIME:
            st = write_smime(der, len, out, err);
            break;
        case CACHET_FORMAT_DER:
            st = cachet_sink_write(out, der, len);
            break;
        case CACHET_FORMAT_PEM:
            st = cachet_pem_encode(CACHET_PEM_LABEL_CMS, der, len, &pem, err);
            if (st == CACHET_OK) {
                st = cachet_sink_write(out, pem.data, pem.len);
            }
            break;
        default:
            st = cachet_err_set(err, CACHET_ERR_USAGE, "certs-only", -1, "unknown format %d",
                                (int)format);
    }
    if (st != CACHET_OK && (err == NULL || err->status == CACHET_OK)) {
        cachet_err_set(err, st, "output", -1, "writing the certs-only message failed");
    }
    cachet_membuf_free(&pem);
    cachet_free(der);
    return st;
}
