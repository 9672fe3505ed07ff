/* smime/: private declarations shared by the operations. */
#ifndef CACHET_SMIME_INTERNAL_H
#define CACHET_SMIME_INTERNAL_H

#include <cachet/smime.h>

#include "base/base.h"
#include "cms/cms.h"
#include "crypto/crypto.h"

struct cachet_ctx {
    cachet_trust *trust;     /* NULL until an anchor is added */
    int64_t at;              /* 0 = now */
    bool allow_weak;
    bool address_check;
    cachet_limits limits;
    cachet_error err;
};

struct cachet_credential {
    cachet_pkey *key;
    cachet_cert *cert;
    cachet_cert_list chain;
};

/* Every operation is a vtable over its own state; cachet_op_* dispatch (op.c). */
typedef struct cachet_op_vtable {
    cachet_status (*update_content)(cachet_op *op, const uint8_t *data, size_t len); /* may be NULL */
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
    bool failed;   /* sticky: after a failure every call returns err.status */
    bool finished;
};

/* cachet_op_alloc makes an op with |vt| and |impl| (owned: freed with vt->free_impl). */
cachet_op *cachet_op_alloc(const cachet_ctx *ctx, const cachet_op_vtable *vt, void *impl,
                           const cachet_sink *out);

/* cachet_ctx_cms_policy / limits: the context's settings for the cms layer. */
cachet_cms_policy cachet_ctx_cms_policy(const cachet_ctx *ctx);
cachet_cms_limits cachet_ctx_cms_limits(const cachet_ctx *ctx);

#endif
