/* outbound: RFC 3183 §3-§5 for mail leaving one of our domains. Facts are
 * gathered with libcachet (what the message is, which certificates the store
 * has), policy.c decides, and each action is one libcachet operation over the
 * whole message produced by the previous one, in memory and bounded:
 *   [§5 unwrap] -> [empty layer] -> [attributes] -> [review] -> [sign] -> [encrypt]. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "gateway/process_internal.h"

typedef struct ob {
    cachetd_run *run;
    const cachetd_domain *dom;
    cachet_credential *user_cred; /* signing = user: the sender's key (owned) */
    cachet_membuf cur;            /* the current message when a stage produced it */
    const uint8_t *data;          /* the current message */
    size_t len;
    cachet_membuf unwrapped; /* §5: the message decrypted with our DCA */
    cachetd_cert_fact *facts;
    char dca_addr[CACHETD_NAME_MAX];
    char done[96]; /* the actions carried out, "sign,encrypt" */
    char signer[CACHETD_NAME_MAX];
    char encrypted_to[768];
    char not_signed_why[160]; /* why a trusted submitter's mail is not domain-signed */
    bool ml_expansion;        /* the outer signer carries mlExpansionHistory */
} ob;

static void note(ob *o, const char *action) {
    cachetd_append(o->done, sizeof(o->done), "%s%s", o->done[0] != '\0' ? "," : "", action);
}

/* start_buf prepares the output buffer of the next stage. */
static cachet_sink start_buf(ob *o, cachet_membuf *next) {
    memset(next, 0, sizeof(*next));
    next->max = o->run->max_message;
    return cachet_sink_membuf(next);
}

/* finish_stage runs |op| (NULL: starting it failed, |e| says why) over the
 * current message and makes its output the current one. */
static bool finish_stage(ob *o, cachet_op *op, cachet_membuf *next, cachet_error *e,
                         const char *what) {
    if (op == NULL) {
        cachet_membuf_free(next);
        cachetd_fail_ours(o->run->out, what, e);
        return false;
    }
    if (cachetd_op_run(op, o->data, o->len, NULL, e) != CACHET_OK) {
        cachet_membuf_free(next);
        if (e->status == CACHET_ERR_MALFORMED || e->status == CACHET_ERR_LIMIT) {
            cachetd_fail_input(o->run->out, what, e); /* the sender's MIME, say */
        } else {
            cachetd_fail_ours(o->run->out, what, e);
        }
        return false;
    }
    cachet_membuf_free_secret(&o->cur);
    o->cur = *next;
    memset(next, 0, sizeof(*next));
    o->data = o->cur.data;
    o->len = o->cur.len;
    return true;
}

static bool sign_stage(ob *o, const cachet_credential *cred, unsigned types, bool empty,
                       const char *what) {
    cachet_sign_opts so = {
        .signer = cred,
        .digest = CACHET_DIGEST_SHA256,
        .opaque = o->dom->sign_format == CACHETD_FORMAT_OPAQUE,
        .signature_types = types,
        .empty = empty,
    };
    cachet_membuf next;
    cachet_sink sink = start_buf(o, &next);
    cachet_error e;
    cachet_err_clear(&e);
    cachet_op *op = cachet_sign_new(o->run->ctx, &so, &sink, &e);
    return finish_stage(o, op, &next, &e, what);
}

static bool encrypt_stage(ob *o, const char *const *to, size_t num) {
    cachet_encrypt_opts eo = {
        .to_addresses = to,
        .num_to_addresses = num,
        .cipher_auto = true,
    };
    /* A cipher agreed with the partner overrides what its certificates
     * advertised (a DCA certificate is seldom seen in signed mail). */
    const char *rdom = num > 0 ? cachet_domsec_domain_of(to[0]) : NULL;
    const cachetd_partner *partner =
        rdom != NULL ? cachetd_config_partner(o->run->cfg, rdom) : NULL;
    static const cachet_cipher_choice choice[] = {
        [CACHETD_CIPHER_AES256_GCM] = CACHET_CIPHER_CHOICE_AES256_GCM,
        [CACHETD_CIPHER_AES128_GCM] = CACHET_CIPHER_CHOICE_AES128_GCM,
        [CACHETD_CIPHER_AES256_CBC] = CACHET_CIPHER_CHOICE_AES256_CBC,
        [CACHETD_CIPHER_AES128_CBC] = CACHET_CIPHER_CHOICE_AES128_CBC,
    };
    if (partner != NULL && partner->cipher != CACHETD_CIPHER_AUTO) {
        eo.cipher_auto = false;
        eo.cipher = choice[partner->cipher];
    }
    cachet_membuf next;
    cachet_sink sink = start_buf(o, &next);
    cachet_error e;
    cachet_err_clear(&e);
    cachet_op *op = cachet_encrypt_new(o->run->ctx, &eo, &sink, &e);
    if (!finish_stage(o, op, &next, &e, "encryption")) {
        return false;
    }
    for (size_t i = 0; i < num; i++) {
        char a[CACHETD_NAME_MAX];
        cachetd_sanitize(a, sizeof(a), to[i]);
        cachetd_append(o->encrypted_to, sizeof(o->encrypted_to), "%s%s", i > 0 ? "," : "", a);
    }
    note(o, "encrypt");
    return true;
}

/* probe asks the store for a certificate to encrypt to |addr| the way the
 * encryption itself will: "none stored" and "none usable" are NONE, anything
 * else (the store failing) is LOOKUP_FAILED, never NONE (GW-04). */
static cachetd_cert_fact probe(const cachet_ctx *ctx, const char *addr) {
    const char *to[1] = {addr};
    cachet_encrypt_opts eo = {
        .to_addresses = to,
        .num_to_addresses = 1,
        .cipher = CACHET_CIPHER_CHOICE_AES256_GCM,
    };
    cachet_sink ns = cachet_sink_null();
    cachet_error e;
    cachet_err_clear(&e);
    cachet_op *op = cachet_encrypt_new(ctx, &eo, &ns, &e);
    if (op != NULL) {
        cachet_op_free(op);
        return CACHETD_CERT_FOUND;
    }
    switch (e.status) {
        case CACHET_ERR_KEY:       /* nothing stored for the address */
        case CACHET_ERR_UNTRUSTED: /* stored, none usable (expired, revoked, usage, chain) */
        case CACHET_ERR_USAGE:     /* not an address a certificate can carry */
            return CACHETD_CERT_NONE;
        default:
            return CACHETD_CERT_LOOKUP_FAILED;
    }
}

/* probe_dca: the DCA of |domain|, or of its nearest ascendant of at least two
 * labels (RFC 3183 §4: a DCA may serve a whole subtree). */
static cachetd_cert_fact probe_dca(ob *o, const char *domain) {
    cachetd_cert_fact result = CACHETD_CERT_NONE;
    const char *d = domain;
    while (d != NULL && d[0] != '\0' && strchr(d, '.') != NULL) {
        char addr[CACHETD_NAME_MAX];
        if (cachet_domsec_authority_address(addr, sizeof(addr), CACHET_DOMSEC_DCA_LOCAL, d)) {
            cachetd_cert_fact f = probe(o->run->ctx, addr);
            if (f == CACHETD_CERT_FOUND) {
                snprintf(o->dca_addr, sizeof(o->dca_addr), "%s", addr);
                return f;
            }
            if (f == CACHETD_CERT_LOOKUP_FAILED) {
                result = f;
            }
        }
        d = strchr(d, '.');
        d = d != NULL ? d + 1 : NULL;
    }
    return result;
}

/* describe fills the message facts from an inspection of the input. */
static bool describe(ob *o, cachetd_outbound_facts *f, bool *top_envelope) {
    cachet_error e;
    cachet_report *rep = cachetd_inspect(o->run->ctx, o->data, o->len, &e);
    *top_envelope = false;
    if (rep == NULL) {
        if (e.status == CACHET_ERR_NOMEM || e.status == CACHET_ERR_INTERNAL ||
            e.status == CACHET_ERR_IO) {
            cachetd_fail_ours(o->run->out, "reading the message", &e);
            return false;
        }
        /* Not describable as S/MIME: it is signed around as a whole. */
        return true;
    }
    for (size_t i = 0; i < rep->num_layers; i++) {
        const cachet_layer_report *l = &rep->layers[i];
        if (l->type == CACHET_LAYER_SIGNED) {
            f->message_signed = true;
        } else if (cachetd_layer_is_envelope(l)) {
            f->message_encrypted = true;
        }
    }
    if (rep->num_layers > 0) {
        const cachet_layer_report *top = &rep->layers[0];
        *top_envelope = cachetd_layer_is_envelope(top);
        for (size_t i = 0; top->type == CACHET_LAYER_SIGNED && i < top->num_signers; i++) {
            o->ml_expansion = o->ml_expansion || top->signers[i].ml_expansion_history;
        }
    }
    cachet_report_free(rep);
    return true;
}

/* try_unwrap: §5, an outbound message already encrypted for our own DCA is
 * decrypted (signatures inside kept) to be domain-signed and encrypted again. */
static bool try_unwrap(ob *o, bool *own) {
    *own = false;
    const cachet_credential *dca =
        cachetd_keys_get(o->run->keys, o->dom->name, CACHET_DOMSEC_DCA_LOCAL);
    if (dca == NULL) {
        return true;
    }
    cachet_decrypt_opts dopt = {.cred = dca, .verify_signed = false};
    cachet_sink sink = start_buf(o, &o->unwrapped);
    cachet_error e;
    cachet_err_clear(&e);
    cachet_op *op = cachet_decrypt_new(o->run->ctx, &dopt, &sink, &e);
    if (op == NULL) {
        cachetd_fail_ours(o->run->out, "decrypting with our DCA", &e);
        return false;
    }
    cachet_status st = cachetd_op_run(op, o->data, o->len, NULL, &e);
    if (st == CACHET_OK) {
        *own = true;
        return true;
    }
    cachet_membuf_free_secret(&o->unwrapped);
    if (st == CACHET_ERR_NOMEM || st == CACHET_ERR_INTERNAL || st == CACHET_ERR_IO) {
        cachetd_fail_ours(o->run->out, "decrypting with our DCA", &e);
        return false;
    }
    return true; /* not for us, or not decryptable by us: left as it is */
}

/* signatures_valid verifies the signatures the message already carries
 * (RFC 3183 §3.2: a domain signature is not generated over invalid ones). An
 * untrusted chain is not a failed signature: the recipient judges the chain. */
static bool signatures_valid(ob *o, const uint8_t *data, size_t len, bool *valid) {
    cachet_verify_opts vo = {.harvest = false};
    cachet_sink ns = cachet_sink_null();
    cachet_error e;
    cachet_err_clear(&e);
    cachet_op *op = cachet_verify_new(o->run->ctx, &vo, &ns, &e);
    if (op == NULL) {
        cachetd_fail_ours(o->run->out, "verifying the message's signatures", &e);
        return false;
    }
    cachet_report *rep = NULL;
    cachet_status st = cachetd_op_run(op, data, len, &rep, &e);
    if (st == CACHET_ERR_NOMEM || st == CACHET_ERR_INTERNAL || st == CACHET_ERR_IO) {
        cachet_report_free(rep);
        cachetd_fail_ours(o->run->out, "verifying the message's signatures", &e);
        return false;
    }
    if (rep == NULL) {
        *valid = false;
        return true;
    }
    *valid = true;
    for (size_t i = 0; i < rep->num_layers; i++) {
        const cachet_layer_report *l = &rep->layers[i];
        for (size_t k = 0; l->type == CACHET_LAYER_SIGNED && k < l->num_signers; k++) {
            *valid = *valid && l->signers[k].signature_valid;
        }
    }
    cachet_report_free(rep);
    return true;
}

static bool gather(ob *o, cachetd_outbound_facts *f) {
    cachetd_run *run = o->run;
    const cachetd_envelope *env = run->env;
    f->sender = env->sender;
    f->recipients = env->recipients;
    f->num_recipients = env->num_recipients;
    f->trusted_submitter =
        cachetd_policy_trusted_submitter(run->cfg, env->auth_authen, env->client_addr);
    f->domain_key = cachetd_keys_get(run->keys, o->dom->name, CACHET_DOMSEC_DSA_LOCAL) != NULL;
    if (o->dom->signing == CACHETD_SIGN_USER) {
        cachet_error e;
        cachet_err_clear(&e);
        cachet_status s =
            cachet_credential_from_store(run->st, env->sender, false, NULL, &o->user_cred, &e);
        if (s != CACHET_OK && s != CACHET_ERR_KEY && s != CACHET_ERR_USAGE) {
            cachetd_fail_ours(run->out, "looking up the sender's key", &e);
            return false;
        }
        f->sender_key = o->user_cred != NULL;
    }
    bool top_envelope = false;
    if (!describe(o, f, &top_envelope)) {
        return false;
    }
    if (top_envelope && !try_unwrap(o, &f->own_dca_in_message)) {
        return false;
    }
    /* The signatures to vouch for: those of the message, or (§5) those inside
     * the envelope we opened with our DCA key. */
    bool check = f->message_signed && !top_envelope;
    const uint8_t *data = o->data;
    size_t len = o->len;
    if (f->own_dca_in_message) {
        check = true;
        data = o->unwrapped.data;
        len = o->unwrapped.len;
    }
    if (f->trusted_submitter && check) {
        bool valid = true;
        if (!signatures_valid(o, data, len, &valid)) {
            return false;
        }
        if (!valid) {
            /* §3.2: no domain signature over signatures that do not verify;
             * to policy this is an originator whose authenticity failed. */
            f->trusted_submitter = false;
            snprintf(o->not_signed_why, sizeof(o->not_signed_why),
                     "a signature in the message does not verify");
        }
    }
    o->facts = cachet_calloc(env->num_recipients, sizeof(*o->facts));
    if (o->facts == NULL) {
        cachetd_fail(run->out, CACHETD_TEMPFAIL, "451", "4.3.0", "out of memory, try later");
        return false;
    }
    bool all = true;
    for (size_t i = 0; i < env->num_recipients; i++) {
        o->facts[i] = probe(run->ctx, env->recipients[i]);
        all = all && o->facts[i] == CACHETD_CERT_FOUND;
    }
    f->recipient_certs = o->facts;
    /* The DCA is the fallback for recipients without certificates (case d). */
    const char *rdom = cachet_domsec_domain_of(env->recipients[0]);
    f->dca_cert = all || rdom == NULL ? CACHETD_CERT_NONE : probe_dca(o, rdom);
    return true;
}

static void refuse(ob *o, const cachetd_outbound_facts *f, const cachetd_outbound_actions *a) {
    bool lookup = f->dca_cert == CACHETD_CERT_LOOKUP_FAILED;
    for (size_t i = 0; i < f->num_recipients; i++) {
        lookup = lookup || f->recipient_certs[i] == CACHETD_CERT_LOOKUP_FAILED;
    }
    const char *why = a->reason[0] != '\0' ? a->reason : "refused by the encryption policy";
    if (a->verdict == CACHETD_REJECT) {
        cachetd_fail(o->run->out, CACHETD_REJECT, "550", "5.7.1", "%s", why);
    } else if (lookup) {
        cachetd_fail(o->run->out, CACHETD_TEMPFAIL, "451", "4.3.0", "%s", why);
    } else {
        cachetd_fail(o->run->out, CACHETD_TEMPFAIL, "451", "4.7.1", "%s", why);
    }
}

static bool run_actions(ob *o, const cachetd_outbound_actions *a) {
    const cachetd_keys *keys = o->run->keys;
    const char *dn = o->dom->name;
    if (a->unwrap_for_domain_signature) {
        if (o->unwrapped.data == NULL) {
            cachet_error e = {.status = CACHET_ERR_INTERNAL};
            snprintf(e.message, sizeof(e.message), "policy asked to unwrap a message we cannot");
            cachetd_fail_ours(o->run->out, "unwrapping", &e);
            return false;
        }
        o->data = o->unwrapped.data;
        o->len = o->unwrapped.len;
        note(o, "unwrap");
    }
    if (a->empty_layer) {
        if (!sign_stage(o, NULL, 0, true, "the empty signature layer")) {
            return false;
        }
        note(o, "empty");
    }
    struct {
        bool on;
        const char *local;
        unsigned type;
        const char *name;
    } extra[2] = {
        {a->attributes_signature, CACHET_DOMSEC_AA_LOCAL, CACHET_SIGTYPE_ADD_ATTRIB, "attributes"},
        {a->review_signature, CACHET_DOMSEC_RA_LOCAL, CACHET_SIGTYPE_REVIEW, "review"},
    };
    for (size_t i = 0; i < 2; i++) {
        if (!extra[i].on) {
            continue;
        }
        const cachet_credential *c = cachetd_keys_get(keys, dn, extra[i].local);
        if (c == NULL) {
            cachetd_fail(o->run->out, CACHETD_TEMPFAIL, "451", "4.3.0",
                         "the %s@%s key is not loaded", extra[i].local, dn);
            return false;
        }
        if (!sign_stage(o, c, extra[i].type, false, extra[i].name)) {
            return false;
        }
        note(o, extra[i].name);
    }
    if (a->sign == CACHETD_SIGN_ACTION_DOMAIN) {
        const cachet_credential *c = cachetd_keys_get(keys, dn, CACHET_DOMSEC_DSA_LOCAL);
        if (c == NULL) {
            cachetd_fail(o->run->out, CACHETD_TEMPFAIL, "451", "4.3.0",
                         "the domain signing key of %s is not loaded", dn);
            return false;
        }
        if (!sign_stage(o, c, CACHET_SIGTYPE_DOMAIN, false, "the domain signature")) {
            return false;
        }
        cachet_domsec_authority_address(o->signer, sizeof(o->signer), CACHET_DOMSEC_DSA_LOCAL, dn);
        note(o, "sign");
    } else if (a->sign == CACHETD_SIGN_ACTION_USER) {
        if (o->user_cred == NULL) {
            cachetd_fail(o->run->out, CACHETD_TEMPFAIL, "451", "4.3.0",
                         "the sender's signing key is not available");
            return false;
        }
        if (!sign_stage(o, o->user_cred, 0, false, "the sender's signature")) {
            return false;
        }
        cachetd_sanitize(o->signer, sizeof(o->signer), o->run->env->sender);
        note(o, "sign");
    }
    if (a->encrypt == CACHETD_ENCRYPT_ACTION_RECIPIENTS) {
        return encrypt_stage(o, o->run->env->recipients, o->run->env->num_recipients);
    }
    if (a->encrypt == CACHETD_ENCRYPT_ACTION_DCA) {
        const char *to[1] = {o->dca_addr};
        if (o->dca_addr[0] == '\0') {
            cachetd_fail(o->run->out, CACHETD_TEMPFAIL, "451", "4.3.0",
                         "no domain confidentiality authority to encrypt to");
            return false;
        }
        return encrypt_stage(o, to, 1);
    }
    return true;
}

/* summarise writes the log line of a message that goes on. */
static void summarise(ob *o, const cachetd_outbound_actions *a) {
    cachetd_result *r = o->run->out;
    const cachetd_envelope *env = o->run->env;
    char *s = r->summary;
    size_t n = sizeof(r->summary);
    snprintf(s, n, "action=%s result=ok", o->done[0] != '\0' ? o->done : "none");
    if (o->signer[0] != '\0') {
        cachetd_append(s, n, " signer=%s", o->signer);
    }
    cachetd_append(s, n, " recipients=");
    for (size_t i = 0; i < env->num_recipients; i++) {
        char addr[CACHETD_NAME_MAX];
        cachetd_sanitize(addr, sizeof(addr), env->recipients[i]);
        cachetd_append(s, n, "%s%s", i > 0 ? "," : "", addr);
    }
    if (o->encrypted_to[0] != '\0') {
        cachetd_append(s, n, " encrypted_to=%s", o->encrypted_to);
        cachet_error e;
        cachet_report *rep = cachetd_inspect(o->run->ctx, o->data, o->len, &e);
        if (rep != NULL && rep->num_layers > 0 && rep->layers[0].cipher[0] != '\0') {
            char c[64];
            cachetd_sanitize(c, sizeof(c), rep->layers[0].cipher);
            cachetd_append(s, n, " cipher=%s", c);
        }
        cachet_report_free(rep);
    }
    if (o->ml_expansion) {
        /* Documented deviation: a mailing list's signature is encapsulated whole. */
        cachetd_append(s, n, " note=mlExpansionHistory-encapsulated");
    }
    if (o->not_signed_why[0] != '\0') {
        cachetd_append(s, n, " not_signed=\"%s\"", o->not_signed_why);
    }
    if (a->reason[0] != '\0') {
        char why[256];
        cachetd_sanitize_text(why, sizeof(why), a->reason);
        cachetd_append(s, n, " reason=\"%s\"", why);
    }
}

void cachetd_outbound(cachetd_run *run) {
    const cachetd_envelope *env = run->env;
    const char *sd = cachet_domsec_domain_of(env->sender);
    ob o = {.run = run, .data = run->msg, .len = run->len};
    o.dom = sd != NULL ? cachetd_config_domain(run->cfg, sd) : NULL;
    if (o.dom == NULL) {
        cachetd_fail(run->out, CACHETD_TEMPFAIL, "451", "4.3.0",
                     "internal error: outbound mail from a domain that is not ours");
        return;
    }
    cachetd_outbound_facts f;
    memset(&f, 0, sizeof(f));
    cachetd_outbound_actions a;
    memset(&a, 0, sizeof(a));
    if (gather(&o, &f)) {
        cachetd_policy_outbound(run->cfg, o.dom, &f, &a);
        if (a.verdict != CACHETD_CONTINUE) {
            refuse(&o, &f, &a);
        } else if (run_actions(&o, &a)) {
            cachetd_result *r = run->out;
            r->verdict = CACHETD_CONTINUE;
            if (o.cur.data != NULL) {
                r->new_message = o.cur;
                memset(&o.cur, 0, sizeof(o.cur));
                char why[256];
                if (!cachetd_message_split(r, why, sizeof(why))) {
                    cachetd_fail(r, CACHETD_TEMPFAIL, "451", "4.3.0", "%s", why);
                } else {
                    r->replaced = true;
                }
            }
            if (r->verdict == CACHETD_CONTINUE) {
                o.data = r->replaced ? r->new_message.data : o.data;
                o.len = r->replaced ? r->new_message.len : o.len;
                summarise(&o, &a);
            }
        }
    }
    cachet_credential_free(o.user_cred);
    cachet_membuf_free_secret(&o.cur);
    cachet_membuf_free_secret(&o.unwrapped);
    cachet_free(o.facts);
}
