/* The cachet_op_* dispatch shared by every operation: sticky failure, one
 * finish, the sink closed only after success (see internal.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smime/internal.h"

cachet_op *cachet_op_alloc(const cachet_ctx *ctx, const cachet_op_vtable *vt, void *impl,
                           const cachet_sink *out) {
    cachet_op *op = cachet_calloc(1, sizeof(*op));
    if (op == NULL) {
        return NULL;
    }
    op->vt = vt;
    op->impl = impl;
    op->ctx = ctx;
    if (out != NULL) {
        op->out = *out;
    } else {
        op->out = cachet_sink_null();
    }
    cachet_err_clear(&op->err);
    return op;
}

cachet_status cachet_op_fail(cachet_op *op, const cachet_error *e) {
    if (op->err.status == CACHET_OK && e != NULL && e->status != CACHET_OK) {
        op->err = *e;
    }
    if (op->err.status == CACHET_OK) {
        cachet_err_set(&op->err, CACHET_ERR_INTERNAL, "", -1, "operation failed without detail");
    }
    op->failed = true;
    return op->err.status;
}

cachet_status cachet_op_failf(cachet_op *op, cachet_status st, const char *where, long long offset,
                              const char *fmt, ...) {
    if (op->err.status == CACHET_OK) {
        op->err.status = st;
        op->err.offset = offset;
        snprintf(op->err.where, sizeof(op->err.where), "%s", where != NULL ? where : "");
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(op->err.message, sizeof(op->err.message), fmt, ap);
        va_end(ap);
    }
    op->failed = true;
    return op->err.status;
}

/* err_starved, for a failure after an allocation failed (in this call or an
 * earlier one of the op): it says nothing about the input, so what the
 * shortage looked like (a digest that "does not match", a header "too large")
 * becomes CACHET_ERR_NOMEM, the detail kept in the message. CACHET_ERR_DECRYPT
 * stays: it is the one uniform class after a private-key operation (RFC 3218). */
static void err_starved(cachet_error *e) {
    cachet_status st = e->status;
    if (st == CACHET_OK || st == CACHET_ERR_NOMEM || st == CACHET_ERR_DECRYPT) {
        return;
    }
    char detail[sizeof(e->message)];
    snprintf(detail, sizeof(detail), "%s", e->message);
    e->status = CACHET_ERR_NOMEM;
    snprintf(e->message, sizeof(e->message), "out of memory (then: %s: %s)", cachet_status_str(st),
             detail);
}

static void nomem_if_starved(cachet_op *op, unsigned long failures_before) {
    if (cachet_alloc_failures() != failures_before) {
        op->alloc_failed = true;
    }
    if (op->alloc_failed) {
        err_starved(&op->err);
    }
}

cachet_op *cachet_op_started(cachet_op *op, cachet_error *err, unsigned long failures_before) {
    if (op == NULL && err != NULL && cachet_alloc_failures() != failures_before) {
        err_starved(err);
    }
    return op;
}

/* after_call makes a failure sticky and guarantees a detail for it. */
static cachet_status after_call(cachet_op *op, cachet_status st) {
    if (st == CACHET_OK) {
        return CACHET_OK;
    }
    if (op->err.status == CACHET_OK) {
        cachet_err_set(&op->err, st, "", -1, "%s", cachet_status_str(st));
    }
    op->failed = true;
    return op->err.status;
}

/* after_step: after_call, then the classification above. */
static cachet_status after_step(cachet_op *op, cachet_status st, unsigned long failures_before) {
    st = after_call(op, st);
    nomem_if_starved(op, failures_before);
    return st == CACHET_OK ? CACHET_OK : op->err.status;
}

static cachet_status refuse_call(cachet_op *op, const char *what) {
    if (op->failed) {
        return op->err.status;
    }
    return cachet_op_failf(op, CACHET_ERR_USAGE, "", -1, "%s", what);
}

cachet_status cachet_op_update_content(cachet_op *op, const uint8_t *data, size_t len) {
    if (op == NULL || (data == NULL && len > 0)) {
        return CACHET_ERR_USAGE;
    }
    if (op->failed || op->finished) {
        return refuse_call(op, "cachet_op_update_content after the operation finished");
    }
    if (op->vt->update_content == NULL) {
        return refuse_call(op, "this operation takes no detached content");
    }
    unsigned long failures = cachet_alloc_failures();
    return after_step(op, op->vt->update_content(op, data, len), failures);
}

cachet_status cachet_op_update(cachet_op *op, const uint8_t *data, size_t len) {
    if (op == NULL || (data == NULL && len > 0)) {
        return CACHET_ERR_USAGE;
    }
    if (op->failed || op->finished) {
        return refuse_call(op, "cachet_op_update after the operation finished");
    }
    if (len == 0) {
        return CACHET_OK;
    }
    unsigned long failures = cachet_alloc_failures();
    return after_step(op, op->vt->update(op, data, len), failures);
}

cachet_status cachet_op_finish(cachet_op *op, cachet_report **out_report) {
    if (out_report != NULL) {
        *out_report = NULL;
    }
    if (op == NULL) {
        return CACHET_ERR_USAGE;
    }
    if (op->finished) {
        return refuse_call(op, "cachet_op_finish called twice");
    }
    op->finished = true;
    bool failed_before = op->failed;
    unsigned long failures = cachet_alloc_failures();
    cachet_status st = op->vt->finish(op, out_report);
    if (failed_before) {
        op->failed = true;
        st = op->err.status != CACHET_OK ? op->err.status : after_call(op, st);
    } else if (st == CACHET_OK) {
        st = cachet_sink_close(&op->out);
        if (st != CACHET_OK) {
            cachet_op_failf(op, st, "", -1, "closing the output failed");
        }
    }
    st = after_step(op, st, failures);
    if (st == CACHET_ERR_NOMEM && out_report != NULL && *out_report != NULL) {
        /* described with memory short, it may say less than the input holds
         * (a signature "invalid" that was never checked): no report */
        cachet_report_free(*out_report);
        *out_report = NULL;
    }
    return st;
}

const cachet_error *cachet_op_error(const cachet_op *op) {
    return op != NULL ? &op->err : NULL;
}

void cachet_op_free(cachet_op *op) {
    if (op == NULL) {
        return;
    }
    if (op->vt != NULL && op->vt->free_impl != NULL) {
        op->vt->free_impl(op->impl);
    }
    cachet_free(op);
}
