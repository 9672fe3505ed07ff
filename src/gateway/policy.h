/* policy: what cachetd does with one message, as a pure function of the
 * configuration, the envelope and facts gathered about it (certificates found,
 * the submitter's authentication). No I/O: process.c gathers the facts, calls
 * these, and carries the actions out. */
#ifndef CACHETD_POLICY_H
#define CACHETD_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "gateway/config.h"

typedef enum cachetd_direction {
    CACHETD_DIR_OUTBOUND = 0, /* sender in one of our domains, recipient elsewhere */
    CACHETD_DIR_INBOUND,      /* recipient in one of our domains, sender elsewhere */
    CACHETD_DIR_INTERNAL,     /* both ours: passed unchanged */
    CACHETD_DIR_FOREIGN,      /* neither ours (relay): passed unchanged */
} cachetd_direction;
const char *cachetd_direction_name(cachetd_direction d);

/* cachetd_policy_direction classifies one (sender, recipient) pair. A sender
 * claiming one of our domains toward one of our domains is INTERNAL. The null
 * sender ("" or "<>") counts as foreign. */
cachetd_direction cachetd_policy_direction(const cachetd_config *cfg, const char *sender,
                                           const char *recipient);

/* cachetd_policy_rcpt_class writes the transaction class of |recipient|: mail
 * for recipients of different classes must travel in separate transactions (the
 * milter tempfails a RCPT of a new class, 452 4.5.3, and the client sends it
 * later). "in:DOMAIN" / "out:DOMAIN" (split=domain) or "in:ADDRESS" /
 * "out:ADDRESS" (split=recipient) for inbound / outbound, "pass" for
 * internal/foreign. */
void cachetd_policy_rcpt_class(const cachetd_config *cfg, const char *sender, const char *recipient,
                               char *out, size_t out_len);

/* cachetd_policy_trusted_submitter: RFC 3183 §3.2, the originator is
 * authenticated: a SASL login ({auth_authen} non-empty, when trust_authenticated)
 * or a client address inside trusted_networks. */
bool cachetd_policy_trusted_submitter(const cachetd_config *cfg, const char *auth_authen,
                                      const char *client_addr);

/* What is known of one outbound recipient when deciding. */
typedef enum cachetd_cert_fact {
    CACHETD_CERT_FOUND = 0,     /* a certificate usable for encryption */
    CACHETD_CERT_NONE,          /* none (or none usable: expired, revoked, wrong usage) */
    CACHETD_CERT_LOOKUP_FAILED, /* the store could not be asked: never read as "none" (GW-04) */
} cachetd_cert_fact;

typedef struct cachetd_outbound_facts {
    const char *sender;
    const char *const *recipients; /* all in one class (one recipient domain) */
    size_t num_recipients;
    bool trusted_submitter;
    bool sender_key; /* signing=user: the store has the sender's signing key */
    bool domain_key; /* the domain-signing-authority credential is loaded */
    const cachetd_cert_fact *recipient_certs; /* per recipient */
    cachetd_cert_fact dca_cert;               /* the recipient domain's DCA (or an ascendant's) */
    bool message_signed;                      /* already carries a signature layer */
    bool message_encrypted;                   /* already enveloped (RFC 3183 §5 search) */
    bool own_dca_in_message;                  /* ...with a RecipientInfo for our own DCA key */
} cachetd_outbound_facts;

typedef enum cachetd_verdict {
    CACHETD_CONTINUE = 0, /* carry out the actions */
    CACHETD_TEMPFAIL,     /* 4xx: leave the message with the MTA */
    CACHETD_REJECT,       /* 5xx */
} cachetd_verdict;
const char *cachetd_verdict_name(cachetd_verdict v);

typedef enum cachetd_sign_action {
    CACHETD_SIGN_ACTION_NONE = 0,
    CACHETD_SIGN_ACTION_DOMAIN, /* domain-signing-authority, SignatureType domainSig */
    CACHETD_SIGN_ACTION_USER,   /* the sender's own key, no SignatureType */
} cachetd_sign_action;

typedef enum cachetd_encrypt_action {
    CACHETD_ENCRYPT_ACTION_NONE = 0,
    CACHETD_ENCRYPT_ACTION_RECIPIENTS, /* case (c): to each recipient's certificate */
    CACHETD_ENCRYPT_ACTION_DCA,        /* case (d): to the recipient domain's DCA */
} cachetd_encrypt_action;

typedef struct cachetd_outbound_actions {
    cachetd_verdict verdict;
    char reason[256]; /* for the SMTP reply and the log when not CONTINUE; why a step was skipped
                         otherwise */
    bool unwrap_for_domain_signature; /* §5: decrypt with our DCA, sign, re-encrypt */
    bool empty_layer; /* §3 method 1: wrap unsigned mail in an empty signature first */
    bool attributes_signature;
    bool review_signature;
    cachetd_sign_action sign;
    cachetd_encrypt_action encrypt;
} cachetd_outbound_actions;

/* cachetd_policy_outbound decides for one outbound class. Rules: no domain
 * signature unless the submitter is trusted (§3.2); required encryption with a
 * certificate for every recipient (or the DCA) encrypts, without one it is
 * TEMPFAIL or REJECT per missing_certificate, never plain (GW-04); a lookup
 * failure is always TEMPFAIL; opportunistic encrypts when every recipient (or
 * the DCA) has a certificate and otherwise sends plain, saying so in |reason|;
 * a message already encrypted is not encrypted again unless
 * |unwrap_for_domain_signature| applies. */
void cachetd_policy_outbound(const cachetd_config *cfg, const cachetd_domain *dom,
                             const cachetd_outbound_facts *facts, cachetd_outbound_actions *out);

/* Inbound. */
typedef struct cachetd_inbound_actions {
    bool decrypt;
    bool verify;
    bool harvest;
    const cachetd_partner *partner; /* the sender's partner section, or NULL */
    cachet_domsec_mapping name_mapping;
} cachetd_inbound_actions;
void cachetd_policy_inbound(const cachetd_config *cfg, const cachetd_domain *dom,
                            const char *sender, cachetd_inbound_actions *out);

/* What inbound processing found, for the final decision. */
typedef enum cachetd_inbound_outcome {
    CACHETD_IN_PLAIN = 0,     /* neither signed nor encrypted */
    CACHETD_IN_PASS,          /* every signature valid, trusted, nothing flagged */
    CACHETD_IN_FAIL,          /* a signature failed, or a naming rule is violated */
    CACHETD_IN_UNTRUSTED,     /* valid signatures, no trusted chain */
    CACHETD_IN_UNDECRYPTABLE, /* encrypted, but not for a key we hold */
    CACHETD_IN_MALFORMED,
} cachetd_inbound_outcome;
const char *cachetd_inbound_outcome_name(cachetd_inbound_outcome o);

typedef enum cachetd_delivery {
    CACHETD_DELIVER = 0,
    CACHETD_QUARANTINE,
    CACHETD_REJECT_MESSAGE,
} cachetd_delivery;
const char *cachetd_delivery_name(cachetd_delivery d);

/* cachetd_policy_inbound_result: PLAIN and PASS deliver, except PLAIN (or a
 * pass without a domain or originator signature) from a partner with
 * require_signature (GW-02); the other outcomes follow the domain's on_failure. */
cachetd_delivery cachetd_policy_inbound_result(const cachetd_domain *dom,
                                               const cachetd_inbound_actions *in,
                                               cachetd_inbound_outcome outcome,
                                               bool domain_or_originator_ok);

#endif
