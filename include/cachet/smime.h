/* The message operations: sign, verify, encrypt, decrypt, compress, decompress.
 *
 *   cachet_op *op = cachet_sign_new(ctx, &opts, sink, &err);
 *   while ((n = read(fd, buf, sizeof buf)) > 0)
 *       if (cachet_op_update(op, buf, n) != CACHET_OK) break;
 *   st = cachet_op_finish(op, &report);
 *   cachet_op_free(op);
 *
 * Output is released to the sink only when the operation succeeds: verify and
 * decrypt hold what they produce (in memory up to a bound, then in an unlinked
 * temporary file) until every signature and tag has been checked. */
#ifndef CACHET_SMIME_H
#define CACHET_SMIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cachet/report.h>
#include <cachet/sink.h>
#include <cachet/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cachet_ctx cachet_ctx;
typedef struct cachet_op cachet_op;
typedef struct cachet_credential cachet_credential;
typedef struct cachet_cert cachet_cert;

/* ---- Context: configuration shared by operations (immutable once in use) ---- */
typedef struct cachet_limits {
    size_t max_layers;              /* nested S/MIME layers, default 8 */
    size_t max_mime_depth;          /* MIME nesting, default 32 */
    size_t max_header_bytes;        /* one header field, default 64 KiB */
    size_t max_parts;               /* MIME parts, default 10000 */
    size_t max_skeleton;            /* CMS structure outside the content, default 4 MiB */
    size_t max_signers;             /* default 16 */
    size_t max_recipients;          /* default 1024 */
    size_t max_certificates;        /* default 64 */
    uint64_t max_decompressed;      /* bytes, default 1 GiB */
    unsigned max_ratio;             /* decompressed/compressed, default 1000 */
    size_t hold_in_memory;          /* held output kept in memory before spilling, default 1 MiB */
    uint64_t max_pbkdf2_iterations; /* password recipients, default 10,000,000 (0 = default) */
    size_t max_ccm_content; /* AES-CCM content is held whole, default 64 MiB (0 = default) */
    /* Added in issue 8 (0 = default, so that a caller's older struct keeps working): */
    unsigned max_ber_depth;     /* BER/DER nesting of one CMS structure, default 64 */
    size_t max_attribute_bytes; /* encoded signedAttrs, and unsignedAttrs, of one
                                 * SignerInfo, default 1 MiB */
} cachet_limits;

/* cachet_ctx_new returns a context with default limits and policy, no trust anchors. */
cachet_ctx *cachet_ctx_new(void);
void cachet_ctx_free(cachet_ctx *ctx);
/* cachet_ctx_error: the detail of the last failing cachet_ctx_* call. */
const cachet_error *cachet_ctx_error(const cachet_ctx *ctx);
/* cachet_ctx_add_trust_file adds the certificates in a PEM or DER file as anchors. */
cachet_status cachet_ctx_add_trust_file(cachet_ctx *ctx, const char *path);
/* cachet_ctx_add_system_trust adds the system CA store. */
cachet_status cachet_ctx_add_system_trust(cachet_ctx *ctx);
/* cachet_ctx_set_time fixes the verification time (seconds since the epoch; 0 = now). */
void cachet_ctx_set_time(cachet_ctx *ctx, int64_t at);
/* cachet_ctx_set_allow_weak accepts the weak and legacy algorithms, reported weak:
 * MD5/SHA-1 and DSA signatures, RSA < 2048, SignerInfos without signed
 * attributes, and (decrypt only) 3DES, DES, RC2 (incl. RC2/40), CAST5, IDEA,
 * SEED and Camellia content. The CLI's --allow-legacy (alias --allow-weak). */
void cachet_ctx_set_allow_weak(cachet_ctx *ctx, bool allow);
/* cachet_ctx_set_address_check enables (default) the signer-address = From check. */
void cachet_ctx_set_address_check(cachet_ctx *ctx, bool check);
void cachet_ctx_set_limits(cachet_ctx *ctx, const cachet_limits *limits);
void cachet_ctx_get_limits(const cachet_ctx *ctx, cachet_limits *out);

/* ---- Credentials (a private key with its certificate and chain) ---- */
/* cachet_credential_load reads a certificate file (PEM/DER; more certificates in it
 * become the chain) and a private key file (PEM/DER, PKCS#8 or traditional,
 * encrypted with |pass| or not; NULL pass = none). */
cachet_status cachet_credential_load(const char *cert_path, const char *key_path, const char *pass,
                                     cachet_credential **out, cachet_error *err);
/* cachet_credential_load_p12 reads a PKCS#12 file. */
cachet_status cachet_credential_load_p12(const char *path, const char *pass,
                                         cachet_credential **out, cachet_error *err);
/* cachet_credential_add_chain_file appends the certificates of a file to the chain. */
cachet_status cachet_credential_add_chain_file(cachet_credential *cred, const char *path,
                                               cachet_error *err);
void cachet_credential_free(cachet_credential *cred);

/* cachet_cert_load_file reads the first certificate of a PEM or DER file. */
cachet_status cachet_cert_load_file(const char *path, cachet_cert **out, cachet_error *err);
void cachet_cert_free(cachet_cert *cert);

/* ---- Options ---- */
typedef enum cachet_format {
    CACHET_FORMAT_SMIME = 0, /* a MIME message (default) */
    CACHET_FORMAT_DER,       /* raw CMS, binary */
    CACHET_FORMAT_PEM,       /* raw CMS, "-----BEGIN CMS-----" */
} cachet_format;

typedef enum cachet_digest {
    CACHET_DIGEST_SHA256 = 0,
    CACHET_DIGEST_SHA384,
    CACHET_DIGEST_SHA512,
} cachet_digest;

typedef enum cachet_cipher_choice {
    CACHET_CIPHER_CHOICE_AES256_GCM = 0,
    CACHET_CIPHER_CHOICE_AES128_GCM,
    CACHET_CIPHER_CHOICE_AES256_CBC,
    CACHET_CIPHER_CHOICE_AES128_CBC,
    CACHET_CIPHER_CHOICE_AES256_CCM, /* RFC 5084; content held in memory */
    CACHET_CIPHER_CHOICE_AES128_CCM,
    CACHET_CIPHER_CHOICE_CHACHA20_POLY1305, /* RFC 8103 */
    CACHET_CIPHER_CHOICE_AES192_CBC,
    CACHET_CIPHER_CHOICE_AES192_GCM,
} cachet_cipher_choice;

/* A symmetric key shared out of band: a KEKRecipientInfo (AES key wrap by key
 * length 16/24/32, RFC 3394; RFC 5649 padded wraps are read too), identified by
 * |id|; or, with encrypted_data, the content key of an EncryptedData (|id| unused). */
typedef struct cachet_secret_key {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *id;
    size_t id_len;
} cachet_secret_key;

typedef struct cachet_receipt_ref cachet_receipt_ref;

/* A receipt request to attach (RFC 2634 §2.7 ReceiptRequest). */
typedef struct cachet_receipt_request {
    /* signedContentIdentifier; NULL: a fresh one (the signing time and 16 random
     * bytes, so that it is unique as §2.7 asks) */
    const uint8_t *content_id;
    size_t content_id_len;
    cachet_receipts_from from;
    const char *const *from_list; /* with CACHET_RECEIPTS_FROM_LIST: addresses */
    size_t num_from_list;
    const char *const *to; /* receiptsTo: where receipts go (at least one) */
    size_t num_to;
} cachet_receipt_request;

typedef struct cachet_sign_opts {
    const cachet_credential *signer; /* NULL only with |empty| */
    cachet_digest digest;
    bool opaque;          /* application/pkcs7-mime signed-data instead of multipart/signed */
    bool pss;             /* RSASSA-PSS for RSA keys */
    bool raw;             /* input is raw bytes; output is CMS (format DER or PEM) */
    cachet_format format; /* with raw: DER (default) or PEM */
    /* RFC 3183 §3.1.2: when non-zero, a SignatureType signed attribute with these
     * cachet_sig_type bits (CACHET_SIGTYPE_ADD_ATTRIB only alone; UNKNOWN refused). */
    unsigned signature_types;
    /* RFC 3183 §3 method 1, the empty signature layer: a SignedData with no
     * SignerInfo whose eContent (id-data) is the message; always opaque
     * (application/pkcs7-mime; smime-type=signed-data). |signer| is ignored. */
    bool empty;
    /* Further signers: one SignerInfo each, after |signer|'s (RFC 5652 §5.1;
     * each with its own certificate chain in the message). */
    const cachet_credential *const *more_signers;
    size_t num_more_signers;
    /* raw only: a detached SignedData (no eContent; the content is signed but not
     * carried, RFC 5652 §5.2); verify it with cachet_verify_opts.detached. */
    bool detached;
    /* raw: the exact byte count of the input, when known before it is read (a
     * regular file): the content is then written with definite lengths (BER
     * indefinite lengths otherwise). Feeding another count fails the op. */
    bool content_size_known;
    uint64_t content_size;
    /* ---- signed attributes of RFC 2634 (ESS), RFC 5035, RFC 5126 and RFC 5752,
     * on every signer ---- */
    const cachet_receipt_request *receipt_request; /* NULL: none */
    const cachet_security_label *security_label;   /* NULL: none */
    const cachet_security_label *equivalent_labels;
    size_t num_equivalent_labels;
    /* contentHints (§2.9): the description (UTF-8; NULL: no contentHints); the
     * type is the signed content's (id-data for S/MIME) */
    const char *content_hint;
    /* contentReference (§2.11): this message answers the one |content_reference| was read from */
    const cachet_receipt_ref *content_reference;
    /* contentIdentifier (§2.7): a fresh identifier by which receipts and replies
     * (contentReference, §2.11) can name this message; always written, with the
     * request's identifier, when a receipt is requested */
    bool content_identifier;
    bool signing_certificate_v1; /* also ESS signingCertificate (SHA-1 ESSCertID, §5.4) */
    /* CAdES-EPES (RFC 5126 §5.8.1): signaturePolicyId with this dotted OID and the
     * hash of the policy document (|signature_policy_hash|, |signature_policy_hash_len|
     * bytes of |signature_policy_md|); NULL: none */
    const char *signature_policy;
    cachet_digest signature_policy_md;
    const uint8_t *signature_policy_hash;
    size_t signature_policy_hash_len;
    /* RFC 5752: with more than one signer, each SignerInfo carries multipleSignatures
     * naming the others */
    bool multiple_signatures;
    /* the contentType of the contentHints written for |content_hint| (§2.9), as a
     * dotted OID (e.g. "1.2.840.113549.1.9.16.1.1", id-ct-receipt, on the outer
     * signature of an encrypted receipt, §2.4). NULL: the signed content's type
     * (id-data) */
    const char *content_hint_type;
} cachet_sign_opts;

typedef struct cachet_encrypt_opts {
    cachet_cert *const *recipients;
    size_t num_recipients;
    cachet_cipher_choice cipher;
    bool oaep; /* RSAES-OAEP (SHA-256) instead of PKCS#1 v1.5 */
    bool raw;
    cachet_format format;
    /* Recipients named by address, looked up in the context's store (see
     * cachet/store.h): the newest certificate valid now, usable for encryption,
     * chaining to an anchor and (with a revocation policy) not revoked; an
     * imported one always before a harvested one. Under
     * the soft policy a certificate whose status is unknown is used, and
     * cachet_encrypt_new then returns the op with |err| holding status CACHET_OK
     * and a warning in its message. */
    const char *const *to_addresses;
    size_t num_to_addresses;
    /* cipher_auto: choose from what the recipients advertised (SMIMECapabilities
     * seen in their signed mail, RFC 4262 certificate extension): AES-256-GCM
     * only when every recipient is known to support it, else AES-256-CBC; RSA-OAEP
     * when every RSA recipient advertised it. |cipher| and |oaep| are then ignored. */
    bool cipher_auto;
    /* KEKRecipientInfos, one per key, after the certificate recipients. */
    const cachet_secret_key *secret_keys;
    size_t num_secret_keys;
    /* PasswordRecipientInfos (RFC 3211): PBKDF2-HMAC-SHA256 with
     * |pbkdf2_iterations| (0 = 600000), AES-256-CBC key wrap. */
    const char *const *passwords;
    size_t num_passwords;
    uint32_t pbkdf2_iterations;
    /* EncryptedData (RFC 5652 §8) with secret_keys[0].key as the content key
     * (AES-CBC of its size; an explicit CBC |cipher| must match that size, the
     * AEAD choices do not apply); no recipients, passwords or other keys
     * allowed. In S/MIME form: application/pkcs7-mime without smime-type. With
     * cipher_auto and any KEK or password recipient, the cipher is AES-256-CBC
     * (nothing is known of what those holders read). */
    bool encrypted_data;
    /* raw: the exact byte count of the input, when known before it is read (a
     * regular file): the content is then written with definite lengths (BER
     * indefinite lengths otherwise). Feeding another count fails the op. */
    bool content_size_known;
    uint64_t content_size;
} cachet_encrypt_opts;

typedef struct cachet_verify_opts {
    const cachet_credential *decrypt_with; /* also decrypt enveloped layers (may be NULL) */
    bool raw;                              /* input is CMS (DER, BER or PEM, detected) */
    bool detached; /* raw only: content comes through cachet_op_update_content first */
    /* harvest: after a valid signature with a trusted chain, store the signer's
     * certificate chain and capabilities in the context's store (never from an
     * invalid one). */
    bool harvest;
    /* a signed receipt is checked against this original (RFC 2634 §2.7): the
     * result is the receipt layer's |matched|, and a mismatch fails the op with
     * CACHET_ERR_RECEIPT; NULL: a receipt is verified as a signature only */
    const cachet_receipt_ref *receipt_for;
    /* a mail list agent's own certificate: an mlExpansionHistory naming it is a
     * loop (RFC 2634 §4.2) and fails with CACHET_ERR_POLICY */
    const cachet_cert *ml_identity;
} cachet_verify_opts;

typedef struct cachet_decrypt_opts {
    /* What may open the message (at least one): the first RecipientInfo, in
     * message order, addressed to one of them is used. */
    const cachet_credential *cred;
    const cachet_credential *const *more_creds; /* further keys of ours */
    size_t num_more_creds;
    const cachet_secret_key *secret_keys; /* KEK recipients by id; with no id, the
                                             key of an EncryptedData */
    size_t num_secret_keys;
    const char *password; /* PasswordRecipientInfo */
    bool verify_signed;   /* also verify signed layers with the context's trust */
    bool raw;
} cachet_decrypt_opts;

typedef struct cachet_compress_opts {
    bool raw;
    cachet_format format;
    /* raw: the exact byte count of the input, when known before it is read (a
     * regular file): the content is then written with definite lengths (BER
     * indefinite lengths otherwise). Feeding another count fails the op. */
    bool content_size_known;
    uint64_t content_size;
} cachet_compress_opts;

/* DigestedData (RFC 5652 §7): integrity without a signature. */
typedef struct cachet_digest_opts {
    cachet_digest digest;
    bool raw;
    cachet_format format;
    /* raw: the exact byte count of the input, when known before it is read (a
     * regular file): the content is then written with definite lengths (BER
     * indefinite lengths otherwise). Feeding another count fails the op. */
    bool content_size_known;
    uint64_t content_size;
} cachet_digest_opts;

/* ---- Operations ---- */
/* Each _new returns an operation writing to |out| (copied), or NULL with |err| set.
 * The context must outlive the operation. */
cachet_op *cachet_sign_new(const cachet_ctx *ctx, const cachet_sign_opts *opts,
                           const cachet_sink *out, cachet_error *err);
cachet_op *cachet_encrypt_new(const cachet_ctx *ctx, const cachet_encrypt_opts *opts,
                              const cachet_sink *out, cachet_error *err);
cachet_op *cachet_verify_new(const cachet_ctx *ctx, const cachet_verify_opts *opts,
                             const cachet_sink *out, cachet_error *err);
cachet_op *cachet_decrypt_new(const cachet_ctx *ctx, const cachet_decrypt_opts *opts,
                              const cachet_sink *out, cachet_error *err);
cachet_op *cachet_compress_new(const cachet_ctx *ctx, const cachet_compress_opts *opts,
                               const cachet_sink *out, cachet_error *err);
/* cachet_digest_new makes a DigestedData (application/pkcs7-mime without an
 * smime-type in S/MIME form). Verify reads it back as a "digested" layer. */
cachet_op *cachet_digest_new(const cachet_ctx *ctx, const cachet_digest_opts *opts,
                             const cachet_sink *out, cachet_error *err);
cachet_op *cachet_decompress_new(const cachet_ctx *ctx, const cachet_compress_opts *opts,
                                 const cachet_sink *out, cachet_error *err);
/* cachet_inspect_new describes the layers of a message without keys or trust:
 * signatures are not verified (reported as not checked) and nothing is written to |out|. */
cachet_op *cachet_inspect_new(const cachet_ctx *ctx, bool raw, cachet_error *err);

/* ---- Signed receipts (RFC 2634 §2) ---- */
/* cachet_receipt_ref_new reads a message we signed with a receipt request (as it
 * was sent, S/MIME or with |opts->raw| CMS; an enveloped layer is opened with
 * opts->decrypt_with) and keeps what a receipt for it must match: for each
 * signer, its signedContentIdentifier, signature value, content type and signed
 * attributes. Its signatures are not judged (it is our own message); nothing is
 * written. After cachet_op_finish returns CACHET_OK, take the result with
 * cachet_op_take_receipt_ref. */
cachet_op *cachet_receipt_ref_new(const cachet_ctx *ctx, const cachet_verify_opts *opts,
                                  cachet_error *err);
/* cachet_op_take_receipt_ref: the result of a finished cachet_receipt_ref_new op
 * (the caller frees it); NULL for any other op or before success. */
cachet_receipt_ref *cachet_op_take_receipt_ref(cachet_op *op);
void cachet_receipt_ref_free(cachet_receipt_ref *ref);

typedef struct cachet_receipt_opts {
    const cachet_credential *signer; /* signs the receipt */
    cachet_digest digest;
    const cachet_credential *decrypt_with; /* opens an encrypted (triple-wrapped) request */
    bool raw;                              /* input CMS, output CMS (format DER or PEM) */
    cachet_format format;
    /* the address we receive as (receiptList membership, §2.3); NULL: any address
     * of the signer certificate */
    const char *my_address;
    /* Encrypted receipt (RFC 2634 §2.4): when num_encrypt_to > 0 the signed
     * receipt is enveloped for these certificates with |cipher| and signed again
     * by |signer| (opaque), the outer signature carrying contentHints of type
     * id-ct-receipt (§2.9). S/MIME output only. */
    cachet_cert *const *encrypt_to;
    size_t num_encrypt_to;
    cachet_cipher_choice cipher;
} cachet_receipt_opts;
/* cachet_receipt_new reads a signed message that requests a receipt, verifies it
 * with the context's trust (no receipt for an invalid signature, §2.3), and
 * writes the signed receipt (§2.4: SignedData of id-ct-receipt, msgSigDigest;
 * S/MIME application/pkcs7-mime; smime-type=signed-receipt). Fails with
 * CACHET_ERR_USAGE when no valid signature requests one of us (none requested,
 * receiptsFrom excludes us, firstTier after an expansion). The receipt goes To
 * receiptsTo, or, when the request came through a mail list, as the last
 * MLData's mlReceiptPolicy says (§2.5: insteadOf replaces receiptsTo,
 * inAdditionTo adds to it, none: no receipt). */
cachet_op *cachet_receipt_new(const cachet_ctx *ctx, const cachet_receipt_opts *opts,
                              const cachet_sink *out, cachet_error *err);

/* ---- Triple wrapping (RFC 2634 §1.1) ---- */
/* cachet_triple_wrap_new signs with |inner|, encrypts the signed message with
 * |enc| and signs the result with |outer|, in one streaming operation (S/MIME
 * only: raw forms are refused). An ESS security label or receipt request goes
 * where RFC 2634 puts it: labels on both signatures as given, a receipt request
 * only on the inner one (§2.3). */
cachet_op *cachet_triple_wrap_new(const cachet_ctx *ctx, const cachet_sign_opts *inner,
                                  const cachet_encrypt_opts *enc, const cachet_sign_opts *outer,
                                  const cachet_sink *out, cachet_error *err);

/* ---- Countersignatures (RFC 5652 §11.4) ---- */
typedef struct cachet_countersign_opts {
    const cachet_credential *signer;
    cachet_digest digest;
    bool pss;
    bool raw; /* input and output CMS; else an S/MIME signed message */
    cachet_format format;
    /* which SignerInfo to countersign (0-based, in message order); all_signers: each */
    size_t signer_index;
    bool all_signers;
} cachet_countersign_opts;
/* cachet_countersign_new reads a signed message and writes it again with a
 * countersignature added to the chosen SignerInfo's unsigned attributes; the
 * content and every other byte of the signature stay as they were. The
 * existing signatures are not judged. */
cachet_op *cachet_countersign_new(const cachet_ctx *ctx, const cachet_countersign_opts *opts,
                                  const cachet_sink *out, cachet_error *err);

/* cachet_op_update_content feeds detached content (raw verify) before any update. */
cachet_status cachet_op_update_content(cachet_op *op, const uint8_t *data, size_t len);
/* cachet_op_update feeds the next |len| bytes of input. */
cachet_status cachet_op_update(cachet_op *op, const uint8_t *data, size_t len);
/* cachet_op_finish ends the input, releases the output to the sink if (and only if)
 * the operation succeeded, and gives the report (verify, decrypt, decompress,
 * inspect; may be NULL) which the caller frees with cachet_report_free. The
 * report is given even when the status is not CACHET_OK if the input was
 * well-formed enough to describe. */
cachet_status cachet_op_finish(cachet_op *op, cachet_report **out_report);
/* cachet_op_error: what failed and where. */
const cachet_error *cachet_op_error(const cachet_op *op);
void cachet_op_free(cachet_op *op);

#ifdef __cplusplus
}
#endif
#endif
