/* process: one message through cachetd. Sets up what every message needs (the
 * store, opened per call so that no connection is shared between threads, and a
 * libcachet context), decides the direction, and hands over to outbound.c or
 * inbound.c. Whatever goes wrong on our side ends as TEMPFAIL. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "gateway/process_internal.h"

void cachetd_append(char *buf, size_t len, const char *fmt, ...) {
    size_t used = strnlen(buf, len);
    if (used + 1 >= len) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

/* sanitize_from copies |in| keeping printable ASCII from |lowest| up (never a
 * quote or backslash) and putting |repl| for anything else. */
static void sanitize_from(char *out, size_t out_len, const char *in, unsigned char lowest,
                          char repl) {
    if (out_len == 0) {
        return;
    }
    size_t o = 0;
    for (size_t i = 0; in != NULL && in[i] != '\0' && o + 1 < out_len; i++) {
        unsigned char c = (unsigned char)in[i];
        out[o++] = (c >= lowest && c < 127 && c != '"' && c != '\\') ? (char)c : repl;
    }
    out[o] = '\0';
}

void cachetd_sanitize(char *out, size_t out_len, const char *in) {
    sanitize_from(out, out_len, in, 33, '_');
}

void cachetd_sanitize_text(char *out, size_t out_len, const char *in) {
    sanitize_from(out, out_len, in, 32, ' ');
}

void cachetd_fail(cachetd_result *r, cachetd_verdict v, const char *rcode, const char *xcode,
                  const char *fmt, ...) {
    char text[sizeof(r->smtp_text)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    r->verdict = v;
    snprintf(r->smtp_rcode, sizeof(r->smtp_rcode), "%s", rcode);
    snprintf(r->smtp_xcode, sizeof(r->smtp_xcode), "%s", xcode);
    cachetd_sanitize_text(r->smtp_text, sizeof(r->smtp_text), text);
    /* Nothing half-done leaves: a failed message keeps what the MTA has. */
    r->replaced = false;
    snprintf(r->summary, sizeof(r->summary), "action=none result=%s reason=\"%s\"",
             v == CACHETD_REJECT ? "reject" : "tempfail", r->smtp_text);
}

void cachetd_fail_ours(cachetd_result *r, const char *what, const cachet_error *e) {
    /* The sender hears what failed; the detail (paths, store names) is for the log. */
    cachetd_fail(r, CACHETD_TEMPFAIL, "451", "4.3.0", "%s failed on this gateway, try again later",
                 what);
    char detail[sizeof(e->message)];
    cachetd_sanitize_text(detail, sizeof(detail),
                          e != NULL && e->message[0] != '\0' ? e->message : "no detail");
    cachetd_append(r->summary, sizeof(r->summary), " status=%s detail=\"%s\"",
                   cachet_status_str(e != NULL ? e->status : CACHET_ERR_INTERNAL), detail);
}

void cachetd_fail_input(cachetd_result *r, const char *what, const cachet_error *e) {
    char detail[sizeof(e->message)];
    cachetd_sanitize_text(detail, sizeof(detail), e->message[0] != '\0' ? e->message : "no detail");
    char where[sizeof(e->where)];
    cachetd_sanitize_text(where, sizeof(where), e->where);
    cachetd_fail(r, CACHETD_REJECT, "554", "5.6.0",
                 "the message cannot be protected (%s): %s%s%s%s", what, detail,
                 where[0] ? " (at " : "", where, where[0] ? ")" : "");
}

cachet_status cachetd_op_run(cachet_op *op, const uint8_t *in, size_t len, cachet_report **report,
                             cachet_error *err) {
    if (report != NULL) {
        *report = NULL;
    }
    cachet_status st = cachet_op_update(op, in, len);
    if (st == CACHET_OK) {
        st = cachet_op_finish(op, report);
    }
    if (err != NULL) {
        *err = *cachet_op_error(op);
        if (st != CACHET_OK && err->status == CACHET_OK) {
            err->status = st;
        }
    }
    cachet_op_free(op);
    return st;
}

cachet_report *cachetd_inspect(const cachet_ctx *ctx, const uint8_t *msg, size_t len,
                               cachet_error *err) {
    cachet_err_clear(err);
    cachet_op *op = cachet_inspect_new(ctx, false, err);
    if (op == NULL) {
        return NULL;
    }
    cachet_report *rep = NULL;
    cachet_status st = cachetd_op_run(op, msg, len, &rep, err);
    if (st == CACHET_ERR_NOMEM || st == CACHET_ERR_INTERNAL || st == CACHET_ERR_IO) {
        /* A description cut short by our own failure says nothing of the message. */
        cachet_report_free(rep);
        return NULL;
    }
    return rep;
}

bool cachetd_layer_is_envelope(const cachet_layer_report *l) {
    return l->type == CACHET_LAYER_ENVELOPED || l->type == CACHET_LAYER_AUTH_ENVELOPED;
}

void cachetd_result_clear(cachetd_result *r) {
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; r->content_fields != NULL && i < r->num_content_fields; i++) {
        cachet_free(r->content_fields[i].name);
        cachet_free(r->content_fields[i].value);
    }
    cachet_free(r->content_fields);
    /* Inbound results hold decrypted text. */
    cachet_membuf_free_secret(&r->new_message);
    memset(r, 0, sizeof(*r));
}

static bool setup(cachetd_run *run) {
    const cachetd_config *cfg = run->cfg;
    cachet_error e;
    cachet_err_clear(&e);
    if (cachet_store_open(cfg->store[0] != '\0' ? cfg->store : NULL, &run->st, &e) != CACHET_OK) {
        run->st = NULL;
        cachetd_fail(run->out, CACHETD_TEMPFAIL, "451", "4.3.0",
                     "certificate store unavailable, try again later");
        char detail[sizeof(e.message)];
        cachetd_sanitize_text(detail, sizeof(detail), e.message);
        cachetd_append(run->out->summary, sizeof(run->out->summary), " detail=\"%s\"", detail);
        return false;
    }
    run->ctx = cachet_ctx_new();
    if (run->ctx == NULL) {
        cachetd_fail(run->out, CACHETD_TEMPFAIL, "451", "4.3.0", "out of memory, try again later");
        return false;
    }
    if (cachet_ctx_use_store(run->ctx, run->st) != CACHET_OK) {
        cachetd_fail_ours(run->out, "using the certificate store", cachet_ctx_error(run->ctx));
        return false;
    }
    cachet_ctx_set_limits(run->ctx, &cfg->limits); /* [limits] of cachetd.conf */
    cachet_ctx_set_revocation(run->ctx, (cachet_revocation_policy)cfg->revocation);
    cachet_ctx_set_network_timeout(run->ctx, (int)cfg->network_timeout);
    /* Domain, review and attribute signatures never carry the From address:
     * the RFC 3183 naming rules (domsec.c) judge every signer instead. */
    cachet_ctx_set_address_check(run->ctx, false);
    return true;
}

void cachetd_process(const cachetd_config *cfg, const cachetd_keys *keys,
                     const cachetd_envelope *env, const uint8_t *msg, size_t len,
                     cachetd_result *out) {
    if (out == NULL) {
        return;
    }
    if (cfg == NULL || env == NULL || (msg == NULL && len > 0) || env->num_recipients == 0 ||
        env->recipients == NULL || env->recipients[0] == NULL) {
        cachetd_fail(out, CACHETD_TEMPFAIL, "451", "4.3.0",
                     "internal error: message without configuration or recipients");
        return;
    }
    if (cfg->max_message_size > 0 && (uint64_t)len > cfg->max_message_size) {
        cachetd_fail(out, CACHETD_REJECT, "552", "5.3.4",
                     "message is larger than the %llu bytes this gateway processes",
                     (unsigned long long)cfg->max_message_size);
        return;
    }
    const char *sender = env->sender != NULL ? env->sender : "";
    cachetd_direction dir = cachetd_policy_direction(cfg, sender, env->recipients[0]);
    if (dir != CACHETD_DIR_OUTBOUND && dir != CACHETD_DIR_INBOUND) {
        out->verdict = CACHETD_CONTINUE;
        snprintf(out->summary, sizeof(out->summary), "action=none result=ok direction=%s",
                 cachetd_direction_name(dir));
        return;
    }
    uint64_t bound = cfg->max_message_size > 0 ? cfg->max_message_size : (uint64_t)len;
    if (bound < (uint64_t)len) {
        bound = len;
    }
    uint64_t max = bound * CACHETD_GROWTH_FACTOR + CACHETD_GROWTH_SLACK;
    cachetd_run run = {
        .cfg = cfg,
        .keys = keys,
        .env = env,
        .msg = msg,
        .len = len,
        .out = out,
        .max_message = max > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)max,
    };
    if (setup(&run)) {
        if (dir == CACHETD_DIR_OUTBOUND) {
            cachetd_outbound(&run);
        } else {
            cachetd_inbound(&run);
        }
    }
    cachet_ctx_free(run.ctx);
    cachet_store_close(run.st);
    /* The milter must never see a half-filled result. */
    if (out->verdict != CACHETD_CONTINUE || !out->replaced) {
        for (size_t i = 0; out->content_fields != NULL && i < out->num_content_fields; i++) {
            cachet_free(out->content_fields[i].name);
            cachet_free(out->content_fields[i].value);
        }
        cachet_free(out->content_fields);
        out->content_fields = NULL;
        out->num_content_fields = 0;
        cachet_membuf_free_secret(&out->new_message);
        memset(&out->new_message, 0, sizeof(out->new_message));
        out->body = NULL;
        out->body_len = 0;
        out->replaced = false;
    }
}
