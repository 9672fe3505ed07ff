/* countersign: RFC 5652 §11.4 countersignatures, private to cms/ and its
 * callers in smime/. A countersignature is a SignerInfo, carried as a value of
 * the unsigned attribute id-countersignature, whose signature covers the
 * contents octets of the parent SignerInfo's signature OCTET STRING. */
#ifndef CACHET_CMS_COUNTERSIGN_H
#define CACHET_CMS_COUNTERSIGN_H

#include "cms/attributes.h"

/* Countersignatures nest (a countersignature's own unsigned attributes may
 * countersign it); deeper ones than this are refused. */
#define CACHET_CMS_COUNTERSIG_MAX_DEPTH 4
/* The most countersignatures read on one SignerInfo (all attribute values). */
#define CACHET_CMS_COUNTERSIG_MAX_PER_SIGNER 8
/* countersign_add holds the whole SignedData in memory: at most this by default. */
#define CACHET_CMS_COUNTERSIGN_MAX_INPUT ((size_t)64 << 20)

/* ---- Verifying (countersign_verify.c, signed_signer.c, attributes.c) ---- */

/* cachet_cms_countersigs_verify_at is cachet_cms_countersigs_verify for the
 * countersignatures at nesting |depth| (0: on a SignerInfo of signerInfos). */
cachet_status cachet_cms_countersigs_verify_at(const cachet_cms_signer_ctx *ctx,
                                               const cachet_cbs *unsigned_attrs,
                                               const cachet_cbs *signature, unsigned depth,
                                               cachet_signer_report *rep, char *detail,
                                               size_t detail_len);
/* cachet_cms_verify_countersigner checks one countersignature SignerInfo (DER
 * element) over |parent_sig| (contents of the parent's signature OCTET STRING)
 * and fills |rep| like cachet_cms_verify_signer (never fails on bad input;
 * false only on allocation failure). Its own countersignatures are checked at
 * |depth| + 1. */
bool cachet_cms_verify_countersigner(const cachet_cms_signer_ctx *ctx,
                                     const cachet_cbs *signer_info, const cachet_cbs *parent_sig,
                                     unsigned depth, cachet_signer_report *rep);
/* cachet_cms_check_countersig_attrs checks the signedAttrs of a
 * countersignature like cachet_cms_check_signed_attrs, except that (§11.4)
 * contentType MUST NOT be present and messageDigest MUST be. */
cachet_status cachet_cms_check_countersig_attrs(const cachet_cbs *attrs, size_t max_attrs,
                                                cachet_cms_attrs_info *out, char *detail,
                                                size_t detail_len);

/* ---- Adding (countersign_add.c) ---- */

typedef struct cachet_cms_countersign_opts {
    cachet_pkey *key;          /* borrowed */
    cachet_cert *cert;         /* borrowed: the countersigner */
    cachet_cert *const *chain; /* added to SignedData.certificates with |cert| */
    size_t num_chain;
    cachet_md md; /* NONE = SHA-256 (Ed25519: SHA-512, Ed448: SHAKE256) */
    bool pss;
    bool key_checked;     /* the key was already found to match |cert| */
    int64_t signing_time; /* 0 = now */
    size_t signer_index;  /* 0-based in signerInfos */
    bool all_signers;     /* every SignerInfo instead */
    size_t max_input;     /* 0 = CACHET_CMS_COUNTERSIGN_MAX_INPUT */
} cachet_cms_countersign_opts;

/* cachet_cms_countersign_add reads one ContentInfo{SignedData} (BER or DER, at
 * most opts->max_input bytes: it is held whole in memory) and writes it again
 * as DER into |*out| (cachet_malloc'd) with a countersignature by opts->cert
 * added to the unsignedAttrs of the chosen SignerInfo(s), and the countersigner
 * certificate and chain added to certificates (each once). The content, the
 * other fields of every SignerInfo and the other SignerInfos keep their values
 * (BER input is normalised to DER). CACHET_ERR_LIMIT over the bound,
 * CACHET_ERR_MALFORMED / CACHET_ERR_USAGE / CACHET_ERR_KEY with |err|. */
cachet_status cachet_cms_countersign_add(const cachet_cms_countersign_opts *opts,
                                         const cachet_cms_limits *limits, const uint8_t *cms,
                                         size_t cms_len, uint8_t **out, size_t *out_len,
                                         cachet_error *err);

/* cachet_cms_countersign_insert adds |countersig| (one DER SignerInfo, made by
 * the caller and not checked) to SignerInfo |signer_index| of |cms| the same
 * way, with |certs| added to certificates (tests build malformed ones). */
cachet_status cachet_cms_countersign_insert(const cachet_cms_limits *limits, const uint8_t *cms,
                                            size_t cms_len, size_t signer_index,
                                            const uint8_t *countersig, size_t countersig_len,
                                            cachet_cert *const *certs, size_t num_certs,
                                            uint8_t **out, size_t *out_len, cachet_error *err);

#endif
