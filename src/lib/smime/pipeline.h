/* pipeline: the reading operations (verify, decrypt, decompress, inspect) as a
 * chain of push-fed units, one per layer of the message:
 *
 *   detect -> mime entity -> (multipart/signed | pkcs7-mime -> cms) -> mime entity -> ... -> out
 *
 * A "mime" unit parses one MIME entity (the message, or the content of a layer)
 * and dispatches on its Content-Type; a "cms" unit runs the cms/ reader for one
 * ContentInfo and feeds its content to the next unit; the innermost plain entity
 * goes to the output: the hold (nothing reaches the caller's sink before
 * cachet_op_finish decided the whole operation succeeded), or, when the caller's
 * sink is discard_on_failure, that sink directly (the caller drops what it got
 * unless finish succeeds; nothing more is written once the outcome is a failure). */
#ifndef CACHET_SMIME_PIPELINE_H
#define CACHET_SMIME_PIPELINE_H

#include "cms/compressed.h"
#include "cms/digested.h"
#include "cms/enveloped.h"
#include "cms/signed.h"
#include "mime/mime.h"
#include "smime/hold.h"
#include "smime/internal.h"

typedef enum cachet_rd_mode {
    CACHET_RD_VERIFY,
    CACHET_RD_DECRYPT,
    CACHET_RD_DECOMPRESS,
    CACHET_RD_INSPECT,
} cachet_rd_mode;

/* A push-fed processor of one layer's input. */
typedef struct cachet_rd_unit cachet_rd_unit;
typedef struct cachet_rd_unit_vt {
    cachet_status (*update)(cachet_rd_unit *u, const uint8_t *data, size_t len);
    cachet_status (*finish)(cachet_rd_unit *u);
    void (*free_unit)(cachet_rd_unit *u);
} cachet_rd_unit_vt;
struct cachet_rd_unit {
    const cachet_rd_unit_vt *vt;
};

cachet_status cachet_rd_unit_update(cachet_rd_unit *u, const uint8_t *data, size_t len);
cachet_status cachet_rd_unit_finish(cachet_rd_unit *u);
void cachet_rd_unit_free(cachet_rd_unit *u);

/* Where a unit sits in the message. */
typedef struct cachet_rd_place {
    char path[64];      /* MIME part path of the entity ("" = the whole message) */
    unsigned layers;    /* S/MIME layers around it */
    bool top;           /* the outermost message: gives From and the outer header */
    bool under_signed;  /* a signed layer covers it (no partial-signing scan) */
    bool scan;          /* report only: a part of an unsigned multipart (MW-01);
                           nothing is output and nothing is decrypted */
    bool after_decrypt; /* inside decrypted content: any failure is the uniform
                           CACHET_ERR_DECRYPT (ATTACKS BL-01, PO-01) */
} cachet_rd_place;

/* A list of header fields: raw bytes and names, bounded. */
typedef struct cachet_rd_fields {
    cachet_membuf buf; /* records: u32 name_len, name, u32 raw_len, raw */
    size_t count;
} cachet_rd_fields;
bool cachet_rd_fields_add(cachet_rd_fields *f, const char *name, const uint8_t *raw,
                          size_t raw_len);
bool cachet_rd_fields_has(const cachet_rd_fields *f, const char *name);
void cachet_rd_fields_free(cachet_rd_fields *f);

/* What a reader may decrypt with, as the caller gave it (decrypt options, or
 * verify's decrypt_with): credentials, secret keys (with an id: a KEK; without:
 * the content key of an EncryptedData) and a password. */
typedef struct cachet_rd_keys {
    const cachet_credential *cred;
    const cachet_credential *const *more_creds;
    size_t num_more_creds;
    const cachet_secret_key *secret_keys;
    size_t num_secret_keys;
    const char *password;
} cachet_rd_keys;

/* The reader's own copy of them for cms/ (pipeline_keys.c): the arrays and the
 * secret bytes belong to the reader (cleansed when freed); the private keys and
 * certificates stay the credentials' (which must outlive the operation). */
typedef struct cachet_rd_secrets {
    cachet_cms_secrets s;
    const cachet_pkey **keys;
    const cachet_cert **certs;
    cachet_cms_kek *keks;
    uint8_t *bytes; /* every KEK, id, the password and the content key */
    size_t bytes_len;
    cachet_cms_password password;
    bool any; /* something to decrypt with */
} cachet_rd_secrets;

/* cachet_rd_secrets_init checks and copies |keys| (NULL: none); CACHET_ERR_USAGE
 * for a credential without key or certificate, a KEK whose length is not
 * 16/24/32, an empty key, or more than one key without an id. */
cachet_status cachet_rd_secrets_init(cachet_rd_secrets *out, const cachet_rd_keys *keys,
                                     cachet_error *err);
void cachet_rd_secrets_clear(cachet_rd_secrets *s);

/* Scratch of a canonicalising stage: input is converted in pieces of half of it. */
#define CACHET_RD_CANON_BUF ((size_t)64 * 1024)

/* The most stored CA certificates offered as intermediates to one message. */
#define CACHET_RD_MAX_STORE_CAS 256

typedef struct cachet_reader {
    cachet_rd_mode mode;
    cachet_op *op;
    const cachet_ctx *ctx;
    cachet_rd_secrets sec; /* sec.any false: encrypted layers cannot be opened */
    bool process_signed;   /* verify signed layers (else output them intact) */
    bool raw;              /* id-data content is raw bytes, not MIME */
    cachet_cms_policy policy;
    cachet_cms_policy inspect_policy; /* no trust: chains reported not checked */
    cachet_cms_limits limits;
    cachet_mime_limits mlimits;
    cachet_hold *hold;
    bool through;       /* output straight to op->out (discard_on_failure), not the hold */
    uint8_t *canon_buf; /* CACHET_RD_CANON_BUF bytes for the output's canonical form */
    cachet_rd_unit *root;
    /* raw detached verify: the verifier exists before the input comes */
    cachet_cms_verify *pre_verify;
    bool detached;
    bool input_started;
    /* report */
    cachet_layer_report *layers;
    size_t num_layers;
    size_t cap_layers;
    bool partially_signed;
    char signed_part[64];
    bool from_mismatch;
    char from[256];
    bool from_single;       /* exactly one From field with exactly one mailbox */
    bool have_message;      /* a MIME message header was read (From applies) */
    cachet_rd_fields outer; /* top-level fields other than Content-* */
    size_t num_signed, num_enveloped, num_compressed; /* layers processed */
    size_t num_digested;       /* DigestedData layers: integrity only, never "signed" */
    size_t num_scanned_signed; /* signed parts found by the scan */
    /* RFC 3183 §3 empty signature layers passed through: not signatures, so
     * num_signed leaves them out; |empty_error| is why one alone is not signed */
    size_t num_empty_signed;
    cachet_error empty_error;
    cachet_error verdict; /* first verification failure (processing goes on) */
    /* The report and error location as they were when the outermost decryption
     * began: a CACHET_ERR_DECRYPT failure is reported exactly so, whatever broke
     * (key, padding, tag, decrypted content), so that neither the error nor the
     * report tells the failures apart (ATTACKS BL-01, PO-02). */
    bool decrypting;
    size_t dec_num_layers;
    bool dec_partially_signed;
    bool dec_from_mismatch;
    char dec_signed_part[64];
    char dec_where[160];
    /* verify with harvest: what valid, trusted signers brought, stored in the
     * context's store once the whole message verified (verify_harvest.c) */
    bool harvest;
    struct cachet_rd_harvest *harvested;
    /* CA certificates of the context's store, offered to every signed layer as
     * intermediates (loaded on the first signed layer) */
    cachet_cert_list store_cas;
    bool store_cas_loaded;
    /* issue 7, signed receipts (smime/receipt*.c): an id-ct-receipt layer is
     * checked against |receipt_for| (NULL: not); |on_signed| (NULL: none) sees
     * every signed layer once its verifier finished (cachet_rd_signed_done) */
    const struct cachet_receipt_ref *receipt_for;
    cachet_status (*on_signed)(struct cachet_reader *rd, const cachet_rd_place *place,
                               const cachet_cms_verify *v, size_t idx);
    void *on_signed_arg;
    /* verify: a mail list agent's own certificate (RFC 2634 §4.2 loop detection) */
    const cachet_cert *ml_identity;
} cachet_reader;

/* cachet_rd_new makes the reader and the op around it; |keys| (may be NULL) is
 * copied. */
cachet_op *cachet_rd_new(const cachet_ctx *ctx, cachet_rd_mode mode, const cachet_rd_keys *keys,
                         bool process_signed, bool raw, bool detached, const cachet_sink *out,
                         cachet_error *err);

/* Failing: fatal errors stop the operation; a verdict lets it go on so that the
 * report describes every layer. Both prefix |place|'s part path to the where. */
cachet_status cachet_rd_fatal(cachet_reader *rd, const cachet_rd_place *place,
                              const cachet_error *e);
cachet_status cachet_rd_fatalf(cachet_reader *rd, const cachet_rd_place *place, cachet_status st,
                               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void cachet_rd_verdict(cachet_reader *rd, const cachet_rd_place *place, const cachet_error *e);
/* cachet_rd_empty_layer records an RFC 3183 empty signature layer at |place|
 * (|e|: the NO_SIGNERS error of its verifier). A message whose only signed
 * layers are empty ones fails with that error (ATTACKS SG-09, message level). */
void cachet_rd_empty_layer(cachet_reader *rd, const cachet_rd_place *place, const cachet_error *e);
/* cachet_rd_where writes "part P: W" (or just W for the whole message). */
void cachet_rd_where(char *out, size_t out_len, const char *path, const char *where);
/* cachet_rd_join writes |prefix| "." |rel| (either may be empty). */
void cachet_rd_join(char *out, size_t out_len, const char *prefix, const char *rel);

/* cachet_rd_begin_decrypt records the state the uniform decryption failure
 * reports (the layer at |idx| at |place| is being decrypted); outermost only. */
void cachet_rd_begin_decrypt(cachet_reader *rd, const cachet_rd_place *place, size_t idx);

/* cachet_rd_add_layer reserves the report slot of a new layer (outermost first:
 * slots are taken in the order layers are found) and checks max_layers. */
cachet_status cachet_rd_add_layer(cachet_reader *rd, const cachet_rd_place *place,
                                  cachet_layer_type type, size_t *out_index);

/* What to do with a CMS object of type |oid| at |place|. */
typedef enum cachet_rd_action {
    CACHET_RD_PROCESS, /* remove the layer */
    CACHET_RD_KEEP,    /* output it intact (decrypt without verify, decompress) */
    CACHET_RD_IGNORE,  /* scan: consume and drop */
} cachet_rd_action;
cachet_status cachet_rd_decide(cachet_reader *rd, const cachet_rd_place *place, cachet_oid oid,
                               cachet_rd_action *out);
bool cachet_rd_oid_is_layer(cachet_oid oid);

/* cachet_rd_sniff_decide looks at the first |n| decoded bytes of a ContentInfo:
 * *decided stays false while more bytes are needed (and |at_end| is false). */
cachet_status cachet_rd_sniff_decide(cachet_reader *rd, const cachet_rd_place *place,
                                     const uint8_t *buf, size_t n, bool at_end, bool *decided,
                                     cachet_oid *oid, cachet_rd_action *action);
/* Bytes of a ContentInfo always enough to identify its content type. */
#define CACHET_RD_SNIFF_BYTES 32

/* cachet_rd_emit writes output of the innermost entity: to the hold, or through
 * to the caller's sink (rd->through) while the operation has not failed. A
 * failure is fatal (recorded in the op). */
cachet_status cachet_rd_emit(cachet_reader *rd, const uint8_t *data, size_t len);

/* ---- Units ---- */
/* cachet_rd_mime_new parses a MIME entity. */
cachet_rd_unit *cachet_rd_mime_new(cachet_reader *rd, const cachet_rd_place *place);
/* cachet_rd_econtent_new reads the content of a layer whose content type |ct|
 * is a CMS type: the bare value (RFC 5652 §5.2), framed as a ContentInfo for
 * the units below (a ContentInfo as such is accepted too). */
cachet_rd_unit *cachet_rd_econtent_new(cachet_reader *rd, const cachet_rd_place *place,
                                       cachet_oid ct);
/* cachet_rd_cms_new processes one ContentInfo of type |oid| (action PROCESS).
 * |adopt| (may be NULL) is a detached verifier made earlier (raw detached verify). */
cachet_rd_unit *cachet_rd_cms_new(cachet_reader *rd, const cachet_rd_place *place, cachet_oid oid,
                                  cachet_cms_verify *adopt);
/* cachet_rd_sniff_new buffers the first bytes of a ContentInfo, decides, then
 * hands everything to a cms unit (or the output, or nowhere). */
cachet_rd_unit *cachet_rd_sniff_new(cachet_reader *rd, const cachet_rd_place *place);
/* cachet_rd_pem_new decodes PEM armor into a sniff unit. */
cachet_rd_unit *cachet_rd_pem_new(cachet_reader *rd, const cachet_rd_place *place);
/* cachet_rd_detect_new looks at the first bytes of the input: DER/BER CMS, PEM,
 * or a MIME message. */
cachet_rd_unit *cachet_rd_detect_new(cachet_reader *rd, const cachet_rd_place *place);
/* cachet_rd_out_new writes raw bytes to the output (to nowhere when |place| scans). */
cachet_rd_unit *cachet_rd_out_new(cachet_reader *rd, const cachet_rd_place *place);

/* ---- A ContentInfo of type id-data (pipeline_data.c) ---- */
/* cachet_rd_data reads ContentInfo{id-data, [0] OCTET STRING} (BER or DER) and
 * writes the octets to |out| as they arrive (|out| is copied, never closed). */
typedef struct cachet_rd_data cachet_rd_data;
cachet_rd_data *cachet_rd_data_new(const cachet_cms_limits *limits, const cachet_sink *out);
cachet_status cachet_rd_data_update(cachet_rd_data *d, const uint8_t *data, size_t len,
                                    cachet_error *err);
/* cachet_rd_data_finish checks the structure is complete and fills |out| (type
 * DATA, content_type "id-data"). */
cachet_status cachet_rd_data_finish(cachet_rd_data *d, cachet_layer_report *out, cachet_error *err);
void cachet_rd_data_free(cachet_rd_data *d);

/* ---- Recognising entities (pipeline_ctype.c) ---- */
bool cachet_rd_is_multipart(const cachet_mime_ctype *ct);
/* multipart/signed with protocol application/(x-)pkcs7-signature */
bool cachet_rd_is_smime_signed(const cachet_mime_ctype *ct);
/* application/(x-)pkcs7-mime, or application/octet-stream named *.p7m (by the
 * name parameter or the filename of |disposition|, a NUL-ended value or empty) */
bool cachet_rd_is_pkcs7_mime(const cachet_mime_ctype *ct, const cachet_membuf *disposition);
bool cachet_rd_has_p7_name(const cachet_mime_ctype *ct, const cachet_membuf *disposition,
                           const char *ext);
/* cachet_rd_learn_from sets rd->from / from_single from the first From value
 * (NUL-ended in |from_value|) and the number of From fields. */
void cachet_rd_learn_from(cachet_reader *rd, const cachet_membuf *from_value, size_t from_fields);

/* ---- Output of the innermost entity ---- */
typedef struct cachet_rd_out {
    cachet_mime_canon canon;
    bool canonical; /* convert line ends to CRLF */
    bool active;    /* false: drop (scan, inspect) */
} cachet_rd_out;
/* cachet_rd_out_begin writes the header of the innermost entity: for the
 * message itself its own fields; for an inner entity the outer fields (not
 * Content-*, not overridden by a field of the same name inside) then its own. */
cachet_status cachet_rd_out_begin(cachet_reader *rd, const cachet_rd_place *place,
                                  const cachet_rd_fields *own, bool canonical_body,
                                  cachet_rd_out *w);
cachet_status cachet_rd_out_write(cachet_reader *rd, cachet_rd_out *w, const uint8_t *data,
                                  size_t len);

/* ---- Signed layers ---- */
/* cachet_rd_signed_finish ends |v| into report slot |idx|, applies the signer
 * checks (From address, signing time) and records the verdict. Returns a fatal
 * status only for failures that are not about authenticity. */
cachet_status cachet_rd_signed_finish(cachet_reader *rd, const cachet_rd_place *place,
                                      cachet_cms_verify *v, size_t idx);
/* cachet_rd_check_signers applies the From and signing-time checks to |layer|. */
void cachet_rd_check_signers(cachet_reader *rd, const cachet_rd_place *place,
                             const cachet_cms_verify *v, cachet_layer_report *layer,
                             cachet_error *out);
/* ---- Harvest and revocation of signers (verify_harvest.c, verify_revocation.c) ---- */
/* cachet_rd_harvest_collect keeps, for every signer of |v| whose signature is
 * valid and whose chain is trusted, its certificate, the certificates of the
 * SignedData on its path, and its smimeCapabilities attribute. */
cachet_status cachet_rd_harvest_collect(cachet_reader *rd, const cachet_cms_verify *v,
                                        const cachet_layer_report *layer);
/* cachet_rd_harvest_store writes what was collected to the store (call only
 * once the whole message verified); fails the op with CACHET_ERR_IO. */
cachet_status cachet_rd_harvest_store(cachet_reader *rd);
void cachet_rd_harvest_free(struct cachet_rd_harvest *h);
/* cachet_rd_check_revocation applies the context's revocation policy to a
 * trusted signer: revoked, or unknown under the hard policy, makes its chain
 * INVALID and records the failure in |out|. */
void cachet_rd_check_revocation(cachet_reader *rd, const cachet_cms_verify *v,
                                cachet_signer_report *s, const cachet_cert *cert, const char *where,
                                cachet_error *out);

/* cachet_rd_new_verifier makes a cms verifier with the reader's policy. */
cachet_cms_verify *cachet_rd_new_verifier(cachet_reader *rd, const cachet_sink *content,
                                          cachet_error *err);

#endif
