/* Private declarations of cachetd, the milter daemon around cachet_gateway. */
#ifndef CACHETD_MILTER_INTERNAL_H
#define CACHETD_MILTER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <libmilter/mfapi.h>

#include "gateway/config.h"
#include "gateway/process.h"

/* runtime.c: the (configuration, keys) pair every message works with. A
 * message takes a reference when its transaction starts and keeps it to the
 * end, so a reload (SIGHUP) never changes the rules under a message in flight;
 * the old pair is freed when its last message lets go. */
typedef struct cachetd_runtime {
    cachetd_config *cfg;
    cachetd_keys *keys;
    unsigned long refs; /* guarded by the runtime lock */
} cachetd_runtime;

/* cachetd_runtime_new takes ownership of |cfg| and |keys| (freed on failure). */
cachetd_runtime *cachetd_runtime_new(cachetd_config *cfg, cachetd_keys *keys);
/* cachetd_runtime_load reads the configuration at |path| and opens its keys,
 * completely or not at all; on failure NULL and the reason in |err|. */
cachetd_runtime *cachetd_runtime_load(const char *path, char *err, size_t err_len);
/* cachetd_runtime_install makes |rt| current (taking over the caller's
 * reference) and drops the runtime's reference to the previous one. */
void cachetd_runtime_install(cachetd_runtime *rt);
/* cachetd_runtime_acquire returns the current runtime with a new reference
 * (NULL before the first install or after cachetd_runtime_shutdown). */
cachetd_runtime *cachetd_runtime_acquire(void);
/* cachetd_runtime_release drops a reference (NULL accepted). */
void cachetd_runtime_release(cachetd_runtime *rt);
/* cachetd_runtime_shutdown uninstalls the current runtime. */
void cachetd_runtime_shutdown(void);

/* milter.c: the libmilter callbacks. */
/* cachetd_milter_register registers the filter with libmilter. */
bool cachetd_milter_register(void);
/* cachetd_milter_busy: transactions (MAIL FROM to end of message) in progress. */
unsigned long cachetd_milter_busy(void);
/* cachetd_milter_drain: from now on, new connections and transactions are
 * tempfailed while those in progress go on (shutdown). */
void cachetd_milter_drain(void);

/* apply.c: carrying out a cachetd_result on the MTA's copy of the message. */
typedef struct cachetd_header {
    char *name;
    char *value;    /* as libmilter gave it (folding may be LF only) */
    bool forged_ar; /* an Authentication-Results field claiming our authserv-id */
} cachetd_header;

typedef struct cachetd_apply_input {
    const char *qid;
    const cachetd_header *headers; /* every field as received, in order */
    size_t num_headers;
    char *const *rcpts_raw; /* RCPT TO arguments exactly as received */
    size_t num_rcpts;
} cachetd_apply_input;

/* cachetd_apply carries |res| out through |ctx| (only from xxfi_eom) and
 * returns what xxfi_eom must return. Forged Authentication-Results fields are
 * deleted whenever the verdict is CONTINUE. If any libmilter call fails, the
 * result is SMFIS_TEMPFAIL (the MTA then drops every change already asked for)
 * and |err| says which call failed. */
sfsistat cachetd_apply(SMFICTX *ctx, const cachetd_apply_input *in, const cachetd_result *res,
                       char *err, size_t err_len);

/* cachetd_header_is_content: the field is replaced when the body is
 * (Content-* and MIME-Version, RFC 2045 §3 and §4). */
bool cachetd_header_is_content(const char *name);

#endif
