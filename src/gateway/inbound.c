/* inbound: mail for one of our domains. An encrypted message is decrypted
 * (with our DCA key, else a recipient's own key) keeping its signatures; every
 * signed layer is verified and each signer classified by the RFC 3183 naming
 * rules (domsec.c); the result goes into Authentication-Results and the
 * domain's failure policy decides delivery. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "gateway/process_internal.h"

#define MAX_AR_ENTRIES 32

typedef struct ib {
    cachetd_run *run;
    const cachetd_domain *dom;
    cachetd_inbound_actions in;
    const uint8_t *data; /* the message now (decrypted when it was) */
    size_t len;
    cachet_membuf decrypted;
    bool was_decrypted;
    /* one of our keys was used on the message: from then on the SMTP reply must
     * not depend on the outcome (ATTACKS PO-02, PO-04) */
    bool key_used;
    char decrypted_with[CACHETD_NAME_MAX];
    char action[64];
    char why[256]; /* for the summary */
} ib;

static void note(ib *b, const char *action) {
    cachetd_append(b->action, sizeof(b->action), "%s%s", b->action[0] != '\0' ? "," : "", action);
}

static bool ours(cachet_status s) {
    return s == CACHET_ERR_NOMEM || s == CACHET_ERR_INTERNAL || s == CACHET_ERR_IO;
}

/* try_key decrypts with |cred|: 1 done, 0 not for this key, -1 failed (result set). */
static int try_key(ib *b, const cachet_credential *cred, cachetd_inbound_outcome *outcome) {
    cachet_decrypt_opts dopt = {.cred = cred, .verify_signed = false};
    memset(&b->decrypted, 0, sizeof(b->decrypted));
    b->decrypted.max = b->run->max_message;
    cachet_sink sink = cachet_sink_membuf(&b->decrypted);
    cachet_error e;
    cachet_err_clear(&e);
    cachet_op *op = cachet_decrypt_new(b->run->ctx, &dopt, &sink, &e);
    if (op == NULL) {
        cachetd_fail_ours(b->run->out, "decryption", &e);
        return -1;
    }
    cachet_status st = cachetd_op_run(op, b->data, b->len, NULL, &e);
    if (st == CACHET_OK) {
        b->key_used = true;
        return 1;
    }
    cachet_membuf_free_secret(&b->decrypted);
    if (st == CACHET_ERR_NO_RECIPIENT) {
        return 0;
    }
    b->key_used = true;
    if (ours(st)) {
        cachetd_fail_ours(b->run->out, "decryption", &e);
        return -1;
    }
    /* The key was ours but the content did not decrypt or authenticate. */
    *outcome = st == CACHET_ERR_DECRYPT ? CACHETD_IN_FAIL : CACHETD_IN_MALFORMED;
    snprintf(b->why, sizeof(b->why), "decryption failed: %s", cachet_status_str(st));
    return 0;
}

/* decrypt: 1 decrypted, 0 not (outcome may be set), -1 failed (result set). */
static int decrypt(ib *b, cachetd_inbound_outcome *outcome) {
    const cachetd_envelope *env = b->run->env;
    const cachet_credential *dca =
        cachetd_keys_get(b->run->keys, b->dom->name, CACHET_DOMSEC_DCA_LOCAL);
    if (dca != NULL) {
        int r = try_key(b, dca, outcome);
        if (r != 0) {
            if (r > 0) {
                cachet_domsec_authority_address(b->decrypted_with, sizeof(b->decrypted_with),
                                                CACHET_DOMSEC_DCA_LOCAL, b->dom->name);
            }
            return r;
        }
    }
    if (env->num_recipients != 1) {
        /* A recipient's own key opens the message for that recipient alone:
         * with others in the transaction the plaintext would reach them too,
         * e.g. a ciphertext captured for alice resent to alice and mallory
         * (ATTACKS OR-03). split = recipient gives each a transaction. */
        snprintf(b->why, sizeof(b->why),
                 "not decrypted: a recipient's own key is used only in a transaction for that "
                 "recipient alone (%zu recipients)",
                 env->num_recipients);
        return 0;
    }
    for (size_t i = 0; i < env->num_recipients; i++) {
        cachet_credential *cred = NULL;
        cachet_error e;
        cachet_err_clear(&e);
        cachet_status s =
            cachet_credential_from_store(b->run->st, env->recipients[i], true, NULL, &cred, &e);
        if (s != CACHET_OK) {
            if (ours(s)) {
                cachetd_fail_ours(b->run->out, "loading the recipient's key", &e);
                return -1;
            }
            continue;
        }
        int r = try_key(b, cred, outcome);
        cachet_credential_free(cred);
        if (r != 0) {
            if (r > 0) {
                cachetd_sanitize(b->decrypted_with, sizeof(b->decrypted_with), env->recipients[i]);
            }
            return r;
        }
    }
    return 0;
}

/* outcome_of judges the classified signers of a verified message. An
 * originator signature is the author's only when its certificate holds the
 * From address: any other is a failure, as in the CLI (ATTACKS ID-01, GW-03). */
static cachetd_inbound_outcome outcome_of(const cachet_domsec_result *ds) {
    if (ds->num_signers == 0) {
        return CACHETD_IN_FAIL; /* signed layers, yet no signer that stands */
    }
    bool untrusted = false;
    for (size_t i = 0; i < ds->num_signers; i++) {
        const cachet_domsec_signer_class *c = &ds->signers[i];
        if (c->role == CACHET_DOMSEC_ROLE_FLAGGED || c->signer == NULL ||
            !c->signer->signature_valid) {
            return CACHETD_IN_FAIL;
        }
        if (c->role == CACHET_DOMSEC_ROLE_ORIGINATOR && c->signer->chain == CACHET_CHAIN_TRUSTED &&
            !c->holds_from) {
            return CACHETD_IN_FAIL;
        }
        untrusted = untrusted || c->signer->chain != CACHET_CHAIN_TRUSTED;
    }
    if (ds->any_flagged) {
        return CACHETD_IN_FAIL;
    }
    return untrusted ? CACHETD_IN_UNTRUSTED : CACHETD_IN_PASS;
}

static void summary_signer(ib *b, const cachet_domsec_result *ds) {
    cachetd_result *r = b->run->out;
    const cachet_domsec_signer_class *c = ds->domain != NULL ? ds->domain : ds->originator;
    if (c == NULL && ds->num_signers > 0) {
        c = &ds->signers[0];
    }
    if (c != NULL) {
        char a[CACHETD_NAME_MAX];
        cachetd_sanitize(a, sizeof(a), c->address);
        cachetd_append(r->summary, sizeof(r->summary), " signer=%s role=%s", a[0] ? a : "-",
                       cachet_domsec_role_name(c->role));
    }
    /* The first problem: a signature that does not verify (its attributes are
     * not reported, so a naming verdict on it says nothing), else a naming rule. */
    for (size_t i = 0; i < ds->num_signers && b->why[0] == '\0'; i++) {
        const cachet_signer_report *s = ds->signers[i].signer;
        if (s != NULL && !s->signature_valid) {
            snprintf(b->why, sizeof(b->why), "signature: %s",
                     s->signature_detail[0] != '\0' ? s->signature_detail
                                                    : cachet_status_str(s->signature_status));
        }
    }
    for (size_t i = 0; i < ds->num_signers && b->why[0] == '\0'; i++) {
        if (ds->signers[i].role == CACHET_DOMSEC_ROLE_FLAGGED) {
            snprintf(b->why, sizeof(b->why), "%s", ds->signers[i].why);
        }
    }
    for (size_t i = 0; i < ds->num_signers && b->why[0] == '\0'; i++) {
        const cachet_domsec_signer_class *o = &ds->signers[i];
        if (o->role == CACHET_DOMSEC_ROLE_ORIGINATOR && o->signer != NULL &&
            o->signer->chain == CACHET_CHAIN_TRUSTED && !o->holds_from) {
            snprintf(b->why, sizeof(b->why), "the signer %s does not hold the From address",
                     o->address);
        }
    }
}

/* verify runs the verification and fills the A-R value; false when the result
 * was set to a failure. */
static bool verify(ib *b, cachetd_inbound_outcome *outcome, bool *dom_or_orig) {
    cachetd_result *r = b->run->out;
    cachet_verify_opts vo = {.harvest = b->in.harvest};
    cachet_sink ns = cachet_sink_null();
    cachet_error e;
    cachet_err_clear(&e);
    cachet_op *op = cachet_verify_new(b->run->ctx, &vo, &ns, &e);
    if (op == NULL) {
        cachetd_fail_ours(r, "verification", &e);
        return false;
    }
    cachet_report *rep = NULL;
    cachet_status st = cachetd_op_run(op, b->data, b->len, &rep, &e);
    if (ours(st)) {
        /* A report may come with it, but not one to judge the message by. */
        cachet_report_free(rep);
        cachetd_fail_ours(r, "verification", &e);
        return false;
    }
    cachetd_ar_entry entries[MAX_AR_ENTRIES];
    size_t n = 0;
    cachet_domsec_result *ds = cachet_calloc(1, sizeof(*ds));
    if (ds == NULL) {
        cachet_report_free(rep);
        cachetd_fail(r, CACHETD_TEMPFAIL, "451", "4.3.0", "out of memory, try again later");
        return false;
    }
    if (rep == NULL && st == CACHET_ERR_NO_RECIPIENT) {
        /* Signed ciphertext not opened here (only a root envelope is, ATTACKS
         * EF-03): a signature over it vouches for the signer's act of sending,
         * never for the text inside (GW-03), so nothing is reported as verified. */
        *outcome = CACHETD_IN_UNDECRYPTABLE;
        snprintf(b->why, sizeof(b->why),
                 "the signed content is encrypted and not opened here: nothing verified");
        cachetd_ar_entry ue = {.result = CACHETD_AR_NONE, .reason = b->why};
        entries[0] = ue;
        n = 1;
    } else if (rep == NULL) {
        *outcome = CACHETD_IN_MALFORMED;
        cachetd_ar_entry pe = {.result = CACHETD_AR_PERMERROR, .reason = "malformed message"};
        entries[0] = pe;
        n = 1;
        snprintf(b->why, sizeof(b->why), "%s", e.message);
    } else {
        cachet_domsec_evaluate(rep, rep->from, b->in.name_mapping, ds);
        *outcome = outcome_of(ds);
        if (ds->num_signers == 0 && st == CACHET_ERR_MALFORMED) {
            *outcome = CACHETD_IN_MALFORMED;
        } else if (ds->num_signers == 0 && st == CACHET_ERR_NO_SIGNERS) {
            /* Only empty signature layers (RFC 3183 §3 method 1): nobody signed. */
            *outcome = CACHETD_IN_PLAIN;
        }
        *dom_or_orig = ds->domain_ok || ds->originator_ok;
        n = cachetd_authres_from_domsec(ds, rep, entries, MAX_AR_ENTRIES);
    }
    if (!cachetd_authres_value(r->authres, sizeof(r->authres), b->run->cfg->authserv_id, entries,
                               n)) {
        r->authres[0] = '\0';
    }
    snprintf(r->summary, sizeof(r->summary), "action=%s result=%s", b->action,
             cachetd_inbound_outcome_name(*outcome));
    summary_signer(b, ds);
    cachet_free(ds);
    cachet_report_free(rep);
    return true;
}

static void deliver(ib *b, cachetd_inbound_outcome outcome, bool dom_or_orig) {
    cachetd_result *r = b->run->out;
    cachetd_delivery d = cachetd_policy_inbound_result(b->dom, &b->in, outcome, dom_or_orig);
    bool withheld = false;
    if (d == CACHETD_REJECT_MESSAGE && b->key_used) {
        /* A refusal after one of our keys was used would tell the sender how
         * decryption went (valid padding, parseable plaintext): a decryption
         * oracle over SMTP (ATTACKS PO-02, PO-04). Such mail is held instead. */
        d = CACHETD_QUARANTINE;
        withheld = true;
    }
    if (d == CACHETD_REJECT_MESSAGE) {
        char summary[sizeof(r->summary)];
        snprintf(summary, sizeof(summary), "%s", r->summary);
        cachetd_fail(r, CACHETD_REJECT, "550", "5.7.1",
                     "message refused: its S/MIME protection did not pass (%s)",
                     cachetd_inbound_outcome_name(outcome));
        snprintf(r->summary, sizeof(r->summary), "%s delivery=reject", summary);
        return;
    }
    r->verdict = CACHETD_CONTINUE;
    if (d == CACHETD_QUARANTINE) {
        r->quarantine = true;
        snprintf(r->quarantine_to, sizeof(r->quarantine_to), "%s", b->dom->quarantine);
    }
    cachetd_append(r->summary, sizeof(r->summary), " delivery=%s%s", cachetd_delivery_name(d),
                   withheld ? " reject_withheld=decryption-oracle" : "");
    if (b->decrypted_with[0] != '\0') {
        cachetd_append(r->summary, sizeof(r->summary), " decrypted_with=%s", b->decrypted_with);
    }
    if (b->why[0] != '\0') {
        char w[256];
        cachetd_sanitize_text(w, sizeof(w), b->why);
        cachetd_append(r->summary, sizeof(r->summary), " reason=\"%s\"", w);
    }
    if (b->was_decrypted) {
        r->new_message = b->decrypted;
        memset(&b->decrypted, 0, sizeof(b->decrypted));
        char why[256];
        if (!cachetd_message_split(r, why, sizeof(why))) {
            cachetd_fail(r, CACHETD_TEMPFAIL, "451", "4.3.0", "%s", why);
            return;
        }
        r->replaced = true;
    }
}

/* describe: the layers of the message before anything is done. */
static bool describe(ib *b, bool *signed_, bool *top_envelope, bool *malformed) {
    cachet_error e;
    cachet_report *rep = cachetd_inspect(b->run->ctx, b->data, b->len, &e);
    *signed_ = *top_envelope = *malformed = false;
    if (rep == NULL) {
        if (ours(e.status)) {
            cachetd_fail_ours(b->run->out, "reading the message", &e);
            return false;
        }
        *malformed = e.status == CACHET_ERR_MALFORMED || e.status == CACHET_ERR_LIMIT;
        if (*malformed) {
            /* the log line says which rule or limit ([limits] of cachetd.conf) */
            snprintf(b->why, sizeof(b->why), "%s", e.message);
        }
        return true;
    }
    for (size_t i = 0; i < rep->num_layers; i++) {
        *signed_ = *signed_ || rep->layers[i].type == CACHET_LAYER_SIGNED;
    }
    *signed_ = *signed_ || rep->partially_signed;
    *top_envelope = rep->num_layers > 0 && cachetd_layer_is_envelope(&rep->layers[0]);
    cachet_report_free(rep);
    return true;
}

void cachetd_inbound(cachetd_run *run) {
    const cachetd_envelope *env = run->env;
    const char *rd = cachet_domsec_domain_of(env->recipients[0]);
    ib b = {.run = run, .data = run->msg, .len = run->len};
    b.dom = rd != NULL ? cachetd_config_domain(run->cfg, rd) : NULL;
    if (b.dom == NULL) {
        cachetd_fail(run->out, CACHETD_TEMPFAIL, "451", "4.3.0",
                     "internal error: inbound mail for a domain that is not ours");
        return;
    }
    /* One domain per transaction (the milter's recipient classes): this
     * domain's keys and policy must not act for anyone else's recipients, nor
     * decrypted text reach a recipient outside it (ATTACKS OR-03, OR-04, GW-13). */
    for (size_t i = 1; i < env->num_recipients; i++) {
        const char *d =
            env->recipients[i] != NULL ? cachet_domsec_domain_of(env->recipients[i]) : NULL;
        if (d == NULL || cachetd_config_domain(run->cfg, d) != b.dom) {
            cachetd_fail(run->out, CACHETD_TEMPFAIL, "451", "4.3.0",
                         "internal error: recipients of several domains in one transaction");
            return;
        }
    }
    cachetd_policy_inbound(run->cfg, b.dom, env->sender != NULL ? env->sender : "", &b.in);
    bool is_signed = false, top_envelope = false, malformed = false;
    if (!describe(&b, &is_signed, &top_envelope, &malformed)) {
        return;
    }
    cachetd_inbound_outcome outcome = malformed ? CACHETD_IN_MALFORMED : CACHETD_IN_PLAIN;
    if (top_envelope && b.in.decrypt) {
        int d = decrypt(&b, &outcome);
        if (d < 0) {
            cachet_membuf_free_secret(&b.decrypted);
            return;
        }
        if (d > 0) {
            b.was_decrypted = true;
            b.data = b.decrypted.data;
            b.len = b.decrypted.len;
            note(&b, "decrypt");
            if (!describe(&b, &is_signed, &top_envelope, &malformed)) {
                cachet_membuf_free_secret(&b.decrypted);
                return;
            }
        } else if (outcome == CACHETD_IN_PLAIN) {
            outcome = CACHETD_IN_UNDECRYPTABLE;
            if (b.why[0] == '\0') {
                snprintf(b.why, sizeof(b.why), "encrypted for a key this gateway does not hold");
            }
        }
    } else if (top_envelope) {
        outcome = CACHETD_IN_UNDECRYPTABLE;
        snprintf(b.why, sizeof(b.why), "decryption is off for %s", b.dom->name);
    }
    bool dom_or_orig = false;
    cachetd_result *r = run->out;
    if (outcome == CACHETD_IN_PLAIN && is_signed && b.in.verify) {
        note(&b, "verify");
        if (!verify(&b, &outcome, &dom_or_orig)) {
            cachet_membuf_free_secret(&b.decrypted);
            return;
        }
    } else {
        cachetd_ar_entry one = {.result = CACHETD_AR_NONE};
        size_t n = 0;
        if (outcome == CACHETD_IN_MALFORMED) {
            one.result = CACHETD_AR_PERMERROR;
            one.reason = "malformed message";
            n = 1;
        } else if (outcome == CACHETD_IN_UNDECRYPTABLE || outcome == CACHETD_IN_FAIL) {
            one.result = outcome == CACHETD_IN_FAIL ? CACHETD_AR_FAIL : CACHETD_AR_NONE;
            one.reason = b.why;
            n = 1;
        }
        if (b.in.verify && !cachetd_authres_value(r->authres, sizeof(r->authres),
                                                  run->cfg->authserv_id, n > 0 ? &one : NULL, n)) {
            r->authres[0] = '\0';
        }
        snprintf(r->summary, sizeof(r->summary), "action=%s result=%s",
                 b.action[0] != '\0' ? b.action : "none", cachetd_inbound_outcome_name(outcome));
    }
    deliver(&b, outcome, dom_or_orig);
    cachet_membuf_free_secret(&b.decrypted);
}
