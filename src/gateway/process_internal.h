/* process internals: what process.c, outbound.c, inbound.c, message.c and
 * keys.c share. Not part of the gateway's fixed interface. */
#ifndef CACHETD_PROCESS_INTERNAL_H
#define CACHETD_PROCESS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/authres.h"
#include <cachet/domsec.h>

#include "gateway/config.h"
#include "gateway/process.h"

/* Every intermediate message is bounded by the largest message the MTA hands us
 * times this: each S/MIME layer grows a message by about 4/3 (base64), and
 * at most five are added (empty, attributes, review, domain, envelope). */
#define CACHETD_GROWTH_FACTOR 8
#define CACHETD_GROWTH_SLACK ((size_t)1 << 20)

/* One message being processed: the per-call store and context, and the result. */
typedef struct cachetd_run {
    const cachetd_config *cfg;
    const cachetd_keys *keys;
    const cachetd_envelope *env;
    const uint8_t *msg; /* the message as the MTA has it */
    size_t len;
    cachet_store *st;
    cachet_ctx *ctx;
    size_t max_message; /* bound for every intermediate message */
    cachetd_result *out;
} cachetd_run;

/* cachetd_fail sets a non-CONTINUE verdict with the SMTP reply and a summary
 * "action=none result=tempfail reason=..." (the text goes to both). */
void cachetd_fail(cachetd_result *r, cachetd_verdict v, const char *rcode, const char *xcode,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* cachetd_fail_status maps the status of a failed cachet call that is our side's
 * problem (store, key, memory, internal) to TEMPFAIL 451 4.3.0. */
void cachetd_fail_ours(cachetd_result *r, const char *what, const cachet_error *e);
/* cachetd_fail_input: |what| failed because of the message itself (MALFORMED, or
 * over a LIMIT): retrying cannot help, so the sender gets 554 5.6.0 and the reason. */
void cachetd_fail_input(cachetd_result *r, const char *what, const cachet_error *e);

/* cachetd_sanitize copies |in| into |out| keeping printable ASCII except space,
 * quote and backslash (replaced by '_'): safe in a log line and in an SMTP reply. */
void cachetd_sanitize(char *out, size_t out_len, const char *in);
/* cachetd_sanitize_text keeps spaces too (for sentences); controls become ' '. */
void cachetd_sanitize_text(char *out, size_t out_len, const char *in);
/* cachetd_append appends formatted text to |buf| (truncating, always terminated). */
void cachetd_append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* cachetd_op_run feeds |in| whole to |op|, finishes it and frees it; the
 * report (may be NULL) is the caller's. |err| receives the op's error. */
cachet_status cachetd_op_run(cachet_op *op, const uint8_t *in, size_t len, cachet_report **report,
                             cachet_error *err);
/* cachetd_inspect describes |msg|'s layers (NULL when it cannot be described). */
cachet_report *cachetd_inspect(const cachet_ctx *ctx, const uint8_t *msg, size_t len,
                               cachet_error *err);
/* cachetd_layer_is_envelope: the layer is enveloped or authEnveloped. */
bool cachetd_layer_is_envelope(const cachet_layer_report *l);

/* cachetd_message_split takes |r|->new_message (an RFC 5322 message written by
 * libcachet) and fills |r|'s content_fields (Content-* and MIME-Version of the
 * top-level header, values as written) and body (pointing into new_message),
 * using the MIME reader. False (with |why|) if the message cannot be read. */
bool cachetd_message_split(cachetd_result *r, char *why, size_t why_len);

void cachetd_outbound(cachetd_run *run);
void cachetd_inbound(cachetd_run *run);

#endif
