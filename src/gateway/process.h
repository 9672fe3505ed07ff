/* process: one message through cachetd, outbound or inbound, with libcachet.
 * The milter collects the envelope and the message, calls cachetd_process at
 * end of message, and applies the result. Everything that is not the sender's
 * or the message's fault (store unreachable, key missing, internal error) is
 * TEMPFAIL: the MTA keeps the message; nothing half-processed is ever accepted. */
#ifndef CACHETD_PROCESS_H
#define CACHETD_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cachet/cachet.h>

#include "gateway/config.h"
#include "gateway/policy.h"

/* The authority credentials of our domains, opened once at start (before the
 * privilege drop) and shared read-only by every message. */
typedef struct cachetd_keys cachetd_keys;
/* cachetd_keys_load opens, for every [domain] that needs them: the
 * domain-signing-authority key (signing = domain or user), the DCA key
 * (decrypt = yes; optional: without it inbound mail for the domain is decrypted
 * with recipients' own keys only), review-authority and attribute-authority
 * keys when those signatures are on. Each from the configured files, else from
 * the store by the authority's address. A key that signing needs but is
 * missing is an error naming the domain, the address and what to import. */
cachetd_keys *cachetd_keys_load(const cachetd_config *cfg, char *err, size_t err_len);
void cachetd_keys_free(cachetd_keys *keys);
/* The loaded credential of |local|@|domain| (CACHET_DOMSEC_DSA_LOCAL...), or NULL. */
const cachet_credential *cachetd_keys_get(const cachetd_keys *keys, const char *domain,
                                          const char *local);

typedef struct cachetd_envelope {
    const char *queue_id;          /* the MTA's queue id ({i}), "" if unknown */
    const char *sender;            /* MAIL FROM without <>, "" for the null sender */
    const char *const *recipients; /* RCPT TO addresses, one class (policy.h) */
    size_t num_recipients;
    const char *auth_authen; /* {auth_authen}, NULL or "" if not authenticated */
    const char *client_addr; /* the SMTP client's address (text), may be NULL */
} cachetd_envelope;

/* A header field of the new message: name, and the value as written after the
 * colon (folding kept, without the final CRLF). */
typedef struct cachetd_field {
    char *name;
    char *value;
} cachetd_field;

typedef struct cachetd_result {
    cachetd_verdict verdict; /* CONTINUE: accept (changed when |replaced|) */
    char smtp_rcode[4];      /* "451", "550", ... when not CONTINUE */
    char smtp_xcode[8];      /* "4.7.5" ... */
    char smtp_text[256];     /* a sentence for the sender, no CR/LF */
    /* The message as it must leave: every Content-* field and MIME-Version of
     * the original are replaced by |content_fields|, the body by |body|. */
    bool replaced;
    cachetd_field *content_fields;
    size_t num_content_fields;
    cachet_membuf new_message; /* the whole new message; |body| points into it */
    const uint8_t *body;
    size_t body_len;
    /* Inbound: the value of an Authentication-Results field to add at the top
     * ("" = none). Fields claiming our authserv-id were already removed by the
     * milter before processing. */
    char authres[2048];
    /* Inbound failure policy: quarantine to |quarantine_to| (an address; "" =
     * the MTA's hold queue), or reject (verdict REJECT). */
    bool quarantine;
    char quarantine_to[CACHETD_NAME_MAX];
    /* One line for the log: "action=sign,encrypt result=ok signer=... recipients=...". */
    char summary[1024];
} cachetd_result;

/* cachetd_process runs the policy for |env| on the message |msg| (header and
 * body, CRLF line ends, as the MTA has it) and fills |out| (zero it first;
 * free with cachetd_result_clear). Never returns with a half-done result: any
 * failure sets verdict TEMPFAIL with a reason. Thread-safe for distinct |out|:
 * |cfg| and |keys| are only read; the store is opened per call. */
void cachetd_process(const cachetd_config *cfg, const cachetd_keys *keys,
                     const cachetd_envelope *env, const uint8_t *msg, size_t len,
                     cachetd_result *out);
void cachetd_result_clear(cachetd_result *r);

#endif
