/* smime/receipt: private declarations of the signed-receipt operations
 * (receipt_*.c; RFC 2634 §2): what is kept of each signed layer read, the
 * reference to an original message, and the pipeline unit of an id-ct-receipt
 * content. */
#ifndef CACHET_SMIME_RECEIPT_H
#define CACHET_SMIME_RECEIPT_H

#include "cms/receipt.h"
#include "smime/pipeline.h"

/* One SignerInfo as it was read (copies). */
typedef struct cachet_receipt_orig {
    bool valid;            /* signature valid and chain trusted */
    uint8_t *signed_attrs; /* SET contents (NULL: none) */
    size_t signed_attrs_len;
    uint8_t *signature;
    size_t signature_len;
    cachet_md md;
} cachet_receipt_orig;

/* One signed layer as it was read. */
typedef struct cachet_receipt_layer {
    unsigned depth;         /* S/MIME layers around it (0: outermost) */
    uint8_t *econtent_type; /* OID contents */
    size_t econtent_type_len;
    cachet_receipt_orig *signers;
    size_t num_signers;
} cachet_receipt_layer;

/* The most signed layers kept from one message. */
#define CACHET_RECEIPT_MAX_LAYERS 8

/* The public cachet_receipt_ref: every signed layer of the original. */
struct cachet_receipt_ref {
    cachet_receipt_layer layers[CACHET_RECEIPT_MAX_LAYERS];
    size_t num_layers;
};

/* cachet_receipt_capture keeps the signers of the verifier |v| (finished, report
 * slot |idx|) in |ref|. NOMEM / LIMIT with |err|. */
cachet_status cachet_receipt_capture(cachet_receipt_ref *ref, const cachet_reader *rd,
                                     const cachet_rd_place *place, const cachet_cms_verify *v,
                                     size_t idx, cachet_error *err);
/* cachet_receipt_ref_clear frees what |ref| holds (not |ref|). */
void cachet_receipt_ref_clear(cachet_receipt_ref *ref);

/* cachet_receipt_request_of reads the receiptRequest of |o| (false: none or
 * malformed). Views point into o->signed_attrs. */
bool cachet_receipt_request_of(const cachet_receipt_orig *o, cachet_cms_receipt_request *rr,
                               cachet_cbs *raw_value);

/* cachet_receipt_match checks the Receipt |r| and the receipt signers of |v|
 * (report |layer|) against |ref| (§2.7 validation): 1 matches, 0 does not
 * (|detail| names the field first found to differ). */
int cachet_receipt_match(const cachet_receipt_ref *ref, const cachet_cms_receipt *r,
                         const cachet_cms_verify *v, const cachet_layer_report *layer, char *detail,
                         size_t detail_len);

/* cachet_rd_signed_done: cachet_rd_signed_finish, then the reader's on_signed
 * hook (pipeline_cms.c and pipeline_mime.c call this for every signed layer). */
cachet_status cachet_rd_signed_done(cachet_reader *rd, const cachet_rd_place *place,
                                    cachet_cms_verify *v, size_t idx);
/* cachet_rd_receipt_new reads an id-ct-receipt eContent under the signed layer
 * |v| (report slot |idx|): parsed into layer->receipt at finish and matched
 * against rd->receipt_for. */
cachet_rd_unit *cachet_rd_receipt_new(cachet_reader *rd, const cachet_rd_place *place,
                                      const cachet_cms_verify *v, size_t idx);

/* cachet_receipt_sign writes a signed receipt (SignedData of id-ct-receipt with
 * msgSigDigest, §2.4) for |r| to |out| in |format| (S/MIME: an
 * application/pkcs7-mime; smime-type=signed-receipt entity). |msg_sig_digest|
 * NULL: computed from |orig_attrs| with the signer's digest. Tests use it to
 * make altered receipts. |header| (S/MIME only; NULL: none): header fields,
 * each ending in CRLF, written before the MIME ones. */
cachet_status cachet_receipt_sign(const cachet_ctx *ctx, const cachet_credential *signer,
                                  cachet_digest digest, cachet_format format,
                                  const cachet_cms_receipt *r, const cachet_cbs *orig_attrs,
                                  const uint8_t *msg_sig_digest, size_t msg_sig_digest_len,
                                  const char *header, const cachet_sink *out, cachet_error *err);

/* cachet_receipt_header: the From, To and Subject fields (CRLF-terminated,
 * allocated) of the receipt answering |rr| (§2.5: receiptsTo, or as the last
 * MLData's mlReceiptPolicy of |ref| says). LIMIT / ATTRIBUTES / NOMEM. */
cachet_status cachet_receipt_header(const cachet_receipt_ref *ref, const cachet_receipt_opts *opts,
                                    const cachet_cms_receipt_request *rr, char **out,
                                    cachet_error *err);

/* An encrypted receipt's outer layers (receipt_wrap.c, §2.4): the signed
 * receipt written to |sink| is enveloped for opts->encrypt_to and signed again
 * (contentHints id-ct-receipt) into |out|. */
typedef struct cachet_receipt_wrap {
    cachet_op *enc, *outer;
    const cachet_sink *out;
    cachet_sink sink;
} cachet_receipt_wrap;
/* cachet_receipt_wrap_init makes the two ops (|w| must not move afterwards). */
cachet_status cachet_receipt_wrap_init(cachet_receipt_wrap *w, const cachet_ctx *ctx,
                                       const cachet_receipt_opts *opts, const cachet_sink *out,
                                       cachet_error *err);
/* cachet_receipt_wrap_finish: after the signed receipt was written to w->sink
 * with status |st|, finishes both ops; a failure names the layer in |err|. */
cachet_status cachet_receipt_wrap_finish(cachet_receipt_wrap *w, cachet_status st,
                                         cachet_error *err);
void cachet_receipt_wrap_free(cachet_receipt_wrap *w);

#endif
