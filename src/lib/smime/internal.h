/* smime/: private declarations shared by the operations. */
#ifndef CACHET_SMIME_INTERNAL_H
#define CACHET_SMIME_INTERNAL_H

#include <cachet/smime.h>
#include <cachet/store.h>

#include "base/base.h"
#include "cms/cms.h"
#include "crypto/crypto.h"
#include "mime/mime.h"
#include "pki/pki.h"

/* The public store handle: the records (store/) and where file keys go. */
struct cachet_store {
    cachet_db *db;
    char describe[1100]; /* "sqlite /path" or "postgresql host/db" (no password) */
    char key_dir[1024];  /* keys/ beside a SQLite file; $XDG_DATA_HOME/cachet/keys otherwise */
};

struct cachet_ctx {
    cachet_trust *trust; /* NULL until an anchor is added */
    /* certificates parsed per message (signers, stored intermediates) are
     * decoded once per context; shared by the threads using the context */
    cachet_cert_cache *cert_cache;
    int64_t at; /* 0 = now */
    bool allow_weak;
    bool address_check;
    cachet_store *store; /* not owned; NULL = none */
    cachet_revocation_policy revocation;
    int net_timeout; /* seconds for OCSP/CRL fetches; 0 = the pki default */
    cachet_limits limits;
    cachet_error err;
};

struct cachet_credential {
    cachet_pkey *key;
    cachet_cert *cert;
    cachet_cert_list chain;
    bool key_checked; /* |key| was found to match |cert| when loaded */
};

/* Every operation is a vtable over its own state; cachet_op_* dispatch (op.c). */
typedef struct cachet_op_vtable {
    cachet_status (*update_content)(cachet_op *op, const uint8_t *data,
                                    size_t len); /* may be NULL */
    cachet_status (*update)(cachet_op *op, const uint8_t *data, size_t len);
    cachet_status (*finish)(cachet_op *op, cachet_report **out_report);
    void (*free_impl)(void *impl);
} cachet_op_vtable;

struct cachet_op {
    const cachet_op_vtable *vt;
    void *impl;
    const cachet_ctx *ctx;
    cachet_sink out;
    cachet_error err;
    bool failed; /* sticky: after a failure every call returns err.status */
    bool finished;
    /* an allocation failed during one of its calls: a failure is then
     * reported as CACHET_ERR_NOMEM (op.c) */
    bool alloc_failed;
};

/* cachet_op_started ends a public _new: when it failed (|op| NULL) after an
 * allocation failed since |failures_before| (cachet_alloc_failures()), |err|
 * becomes CACHET_ERR_NOMEM as op.c does for update and finish. Returns |op|. */
cachet_op *cachet_op_started(cachet_op *op, cachet_error *err, unsigned long failures_before);

/* cachet_op_alloc makes an op with |vt| and |impl| (owned: freed with vt->free_impl). */
cachet_op *cachet_op_alloc(const cachet_ctx *ctx, const cachet_op_vtable *vt, void *impl,
                           const cachet_sink *out);

/* cachet_ctx_cms_policy / limits: the context's settings for the cms layer. */
cachet_cms_policy cachet_ctx_cms_policy(const cachet_ctx *ctx);
cachet_cms_limits cachet_ctx_cms_limits(const cachet_ctx *ctx);
/* cachet_ctx_mime_limits: the MIME parser limits of the context, the same for
 * the entities verify reads and for those sign, encrypt and compress protect. */
cachet_mime_limits cachet_ctx_mime_limits(const cachet_ctx *ctx);

/* op.c contract for every operation (sign side included):
 * - vt->update / vt->update_content are called only while the op has not failed
 *   and is not finished; a non-OK return makes the op fail (sticky). Record the
 *   detail in op->err (cachet_op_fail / cachet_err_set(&op->err, ...)); op.c fills
 *   a generic message if none was recorded.
 * - vt->finish is called exactly once by cachet_op_finish, EVEN after a failure
 *   (op->failed is then true) so that it can give a report and clean up; it must
 *   not release output to op->out in that case. *out_report is NULL on entry
 *   (out_report itself may be NULL).
 * - op.c calls cachet_sink_close(&op->out) after vt->finish returned CACHET_OK;
 *   an operation never closes op->out itself. */

/* cachet_op_fail records |e| (if op->err holds no failure yet), marks the op
 * failed and returns the op's status. */
cachet_status cachet_op_fail(cachet_op *op, const cachet_error *e);
/* cachet_op_failf formats the detail like cachet_err_set and marks the op failed. */
cachet_status cachet_op_failf(cachet_op *op, cachet_status st, const char *where, long long offset,
                              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* cachet_smime_read_file reads a whole file of at most |max| bytes into |out|
 * (reset first; the caller frees it). CACHET_ERR_IO / CACHET_ERR_LIMIT. */
cachet_status cachet_smime_read_file(const char *path, size_t max, cachet_membuf *out,
                                     cachet_error *err);

/* Input format of a raw CMS object or message, detected from its first bytes. */
typedef enum cachet_input_kind {
    CACHET_INPUT_NEED_MORE = 0, /* not enough bytes to tell */
    CACHET_INPUT_DER,           /* BER/DER: starts with a SEQUENCE tag 0x30 */
    CACHET_INPUT_PEM,           /* "-----BEGIN " after optional white space */
    CACHET_INPUT_TEXT,          /* anything else (a MIME message) */
} cachet_input_kind;
/* cachet_smime_detect_input looks at the first |len| bytes; |at_end| means no
 * more will come (then NEED_MORE is never returned). */
cachet_input_kind cachet_smime_detect_input(const uint8_t *data, size_t len, bool at_end);

/* The largest certificate / key / PKCS#12 file we read (a chain file too). */
#define CACHET_SMIME_MAX_KEY_FILE ((size_t)4 << 20)

/* ---- issue 7: the signed attributes of cachet_sign_opts (sign_attrs.c) ---- */
/* cachet_smime_sign_attrs builds, for each of the |num| signer certificates,
 * the run of extra signed attributes (DER Attribute elements; see
 * cachet_cms_signer_opts.extra_signed_attrs) asked for by |opts|: the shared
 * ones (built once, so that every signer carries the same receiptRequest, RFC
 * 2634 §2.2) then the signer's own. out[i]/out_len[i] are allocated (NULL/0
 * when none); the caller frees them. */
cachet_status cachet_smime_sign_attrs(const cachet_ctx *ctx, const cachet_sign_opts *opts,
                                      const cachet_cert *const *certs, size_t num, uint8_t **out,
                                      size_t *out_len, cachet_error *err);
/* The pieces, each adding whole Attribute elements to the top-level |run|:
 * securityLabel, equivalentLabels, contentHints, signaturePolicyIdentifier
 * (sign_ess.c, ESS attributes engineer); */
cachet_status cachet_smime_ess_shared_attrs(const cachet_ctx *ctx, const cachet_sign_opts *opts,
                                            cachet_cbb *run, cachet_error *err);
/* signingCertificate v1 of |cert| (sign_ess.c); */
cachet_status cachet_smime_ess_signer_attrs(const cachet_sign_opts *opts, const cachet_cert *cert,
                                            cachet_cbb *run, cachet_error *err);
/* receiptRequest and contentReference (receipt_request.c, receipts engineer). */
cachet_status cachet_smime_receipt_request_attrs(const cachet_ctx *ctx,
                                                 const cachet_sign_opts *opts, cachet_cbb *run,
                                                 cachet_error *err);

#endif
