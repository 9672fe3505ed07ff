/* The context: trust anchors, policy and limits shared by operations. */
#include <string.h>

#include "smime/internal.h"

cachet_ctx *cachet_ctx_new(void) {
    cachet_ctx *ctx = cachet_calloc(1, sizeof(*ctx));
    if (ctx == NULL) {
        return NULL;
    }
    ctx->cert_cache = cachet_cert_cache_new();
    if (ctx->cert_cache == NULL) {
        cachet_free(ctx);
        return NULL;
    }
    ctx->address_check = true;
    ctx->limits = (cachet_limits){
        .max_layers = 8,
        .max_mime_depth = 32,
        .max_header_bytes = 64 * 1024,
        .max_parts = 10000,
        .max_skeleton = 4u << 20,
        .max_signers = 16,
        .max_recipients = 1024,
        .max_certificates = 64,
        .max_decompressed = (uint64_t)1 << 30,
        .max_ratio = 1000,
        .hold_in_memory = 1u << 20,
        .max_pbkdf2_iterations = 10000000,
        .max_ccm_content = 64u << 20,
        .max_ber_depth = 64,
        .max_attribute_bytes = 1u << 20,
    };
    cachet_err_clear(&ctx->err);
    return ctx;
}

void cachet_ctx_free(cachet_ctx *ctx) {
    if (ctx == NULL) {
        return;
    }
    cachet_trust_free(ctx->trust);
    cachet_cert_cache_free(ctx->cert_cache);
    cachet_free(ctx);
}

const cachet_error *cachet_ctx_error(const cachet_ctx *ctx) {
    return ctx != NULL ? &ctx->err : NULL;
}

static bool ensure_trust(cachet_ctx *ctx) {
    if (ctx->trust == NULL) {
        ctx->trust = cachet_trust_new(&ctx->err);
    }
    return ctx->trust != NULL;
}

cachet_status cachet_ctx_add_trust_file(cachet_ctx *ctx, const char *path) {
    if (ctx == NULL || path == NULL) {
        return CACHET_ERR_USAGE;
    }
    cachet_err_clear(&ctx->err);
    if (!ensure_trust(ctx)) {
        return cachet_err_set(&ctx->err, CACHET_ERR_NOMEM, "", -1, "out of memory");
    }
    cachet_status st = cachet_trust_add_file(ctx->trust, path, &ctx->err);
    if (st != CACHET_OK) {
        cachet_err_set(&ctx->err, st, path, -1, "cannot load trust anchors from %s", path);
    }
    return st;
}

cachet_status cachet_ctx_add_system_trust(cachet_ctx *ctx) {
    if (ctx == NULL) {
        return CACHET_ERR_USAGE;
    }
    cachet_err_clear(&ctx->err);
    if (!ensure_trust(ctx)) {
        return cachet_err_set(&ctx->err, CACHET_ERR_NOMEM, "", -1, "out of memory");
    }
    cachet_status st = cachet_trust_add_system(ctx->trust, &ctx->err);
    if (st != CACHET_OK) {
        cachet_err_set(&ctx->err, st, "", -1, "cannot load the system CA store");
    }
    return st;
}

cachet_status cachet_ctx_use_store(cachet_ctx *ctx, cachet_store *st) {
    if (ctx == NULL) {
        return CACHET_ERR_USAGE;
    }
    cachet_err_clear(&ctx->err);
    if (st == NULL || st->db == NULL) {
        return cachet_err_set(&ctx->err, CACHET_ERR_USAGE, "", -1, "no store given");
    }
    /* A context without anchors reports chains "not checked"; a store without
     * anchors must not turn that into "untrusted". */
    bool made = ctx->trust == NULL;
    if (!ensure_trust(ctx)) {
        return cachet_err_set(&ctx->err, CACHET_ERR_NOMEM, "", -1, "out of memory");
    }
    size_t added = 0;
    cachet_status s = cachet_pki_add_anchors(st->db, ctx->trust, &added, &ctx->err);
    if (made && (s != CACHET_OK || added == 0)) {
        cachet_trust_free(ctx->trust);
        ctx->trust = NULL;
    }
    if (s != CACHET_OK) {
        cachet_err_set(&ctx->err, s, "", -1, "cannot use the anchors of the store %s",
                       st->describe);
        return s;
    }
    ctx->store = st;
    return CACHET_OK;
}

void cachet_ctx_set_revocation(cachet_ctx *ctx, cachet_revocation_policy policy) {
    if (ctx != NULL && (policy == CACHET_REVOCATION_NONE || policy == CACHET_REVOCATION_SOFT ||
                        policy == CACHET_REVOCATION_HARD)) {
        ctx->revocation = policy;
    }
}

void cachet_ctx_set_time(cachet_ctx *ctx, int64_t at) {
    if (ctx != NULL) {
        ctx->at = at;
    }
}

void cachet_ctx_set_allow_weak(cachet_ctx *ctx, bool allow) {
    if (ctx != NULL) {
        ctx->allow_weak = allow;
    }
}

void cachet_ctx_set_address_check(cachet_ctx *ctx, bool check) {
    if (ctx != NULL) {
        ctx->address_check = check;
    }
}

void cachet_ctx_set_limits(cachet_ctx *ctx, const cachet_limits *limits) {
    if (ctx != NULL && limits != NULL) {
        ctx->limits = *limits;
    }
}

void cachet_ctx_get_limits(const cachet_ctx *ctx, cachet_limits *out) {
    if (ctx != NULL && out != NULL) {
        *out = ctx->limits;
    }
}

cachet_cms_policy cachet_ctx_cms_policy(const cachet_ctx *ctx) {
    return (cachet_cms_policy){.allow_weak = ctx->allow_weak,
                               .at = ctx->at,
                               .trust = ctx->trust,
                               .cert_cache = ctx->cert_cache};
}

cachet_cms_limits cachet_ctx_cms_limits(const cachet_ctx *ctx) {
    cachet_cms_limits l;
    cachet_cms_limits_default(&l);
    l.max_skeleton = ctx->limits.max_skeleton;
    l.max_signers = ctx->limits.max_signers;
    l.max_recipients = ctx->limits.max_recipients;
    l.max_certificates = ctx->limits.max_certificates;
    l.max_decompressed = ctx->limits.max_decompressed;
    l.max_ratio = ctx->limits.max_ratio;
    /* Added in issue 5: a cachet_limits filled by a caller that predates them
     * holds 0 there, which keeps the defaults rather than refusing every
     * password recipient and every AES-CCM message. */
    if (ctx->limits.max_pbkdf2_iterations != 0) {
        l.max_pbkdf2_iterations = ctx->limits.max_pbkdf2_iterations;
    }
    if (ctx->limits.max_ccm_content != 0) {
        l.max_ccm_content = ctx->limits.max_ccm_content;
    }
    if (ctx->limits.max_ber_depth != 0) {
        l.max_depth = ctx->limits.max_ber_depth;
    }
    if (ctx->limits.max_attribute_bytes != 0) {
        l.max_attribute_bytes = ctx->limits.max_attribute_bytes;
    }
    return l;
}

cachet_mime_limits cachet_ctx_mime_limits(const cachet_ctx *ctx) {
    cachet_mime_limits l;
    cachet_mime_limits_default(&l);
    l.max_header_field = ctx->limits.max_header_bytes;
    l.max_depth = ctx->limits.max_mime_depth;
    l.max_parts = ctx->limits.max_parts;
    /* A raised header-field limit must not be undercut by the fixed total. */
    if (l.max_header_total < l.max_header_field) {
        l.max_header_total = l.max_header_field;
    }
    return l;
}
