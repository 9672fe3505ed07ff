/* milter: the libmilter callbacks. One cachetd_conn per SMTP connection holds
 * the client's address and the transaction in progress: the envelope, the
 * header fields and the body, collected until end of message, where the whole
 * message goes through cachetd_process and the result is applied (apply.c).
 * Every failure of ours answers SMFIS_TEMPFAIL: the MTA keeps the message. */
#include "internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/base.h"
#include "gateway/authres.h"
#include "gateway/policy.h"
#include "log.h"

/* Postfix refuses more than 1000 recipients per message by default; this is a
 * bound on our memory, far above any MTA's. */
#define CACHETD_MAX_RCPTS 10000
#define CACHETD_QID_MAX 64
#define CACHETD_ADDR_MAX 64
#define CACHETD_CLASS_MAX (CACHETD_NAME_MAX + 8)

typedef struct cachetd_conn {
    char client_addr[CACHETD_ADDR_MAX]; /* from xxfi_connect, "" if unknown */
    /* The transaction, from MAIL FROM to end of message or abort. */
    bool in_msg;
    cachetd_runtime *rt;
    char qid[CACHETD_QID_MAX];
    char *sender;
    char *auth_authen;
    char *macro_client_addr; /* {client_addr}: the original client behind a proxy */
    char **rcpts;            /* addresses without <> */
    char **rcpts_raw;        /* as received, for smfi_delrcpt */
    size_t num_rcpts, cap_rcpts;
    char rcpt_class[CACHETD_CLASS_MAX];
    cachetd_header *headers;
    size_t num_headers, cap_headers;
    size_t num_ar; /* Authentication-Results fields seen */
    size_t size;   /* header and body bytes, against max_message_size */
    cachet_membuf body;
    bool too_big;
} cachetd_conn;

static atomic_ulong g_busy;
static atomic_bool g_draining;

unsigned long cachetd_milter_busy(void) {
    return atomic_load(&g_busy);
}

void cachetd_milter_drain(void) {
    atomic_store(&g_draining, true);
}

static char *cachetd_dup(const char *s) {
    return cachet_strdup(s != NULL ? s : "");
}

/* A macro's value, or NULL when the MTA did not send it (or sent it empty). */
static const char *cachetd_macro(SMFICTX *ctx, const char *name) {
    const char *v = smfi_getsymval(ctx, (char *)name);
    if (v == NULL || v[0] == '\0') {
        return NULL;
    }
    return v;
}

static void cachetd_update_qid(SMFICTX *ctx, cachetd_conn *c) {
    if (c->qid[0] != '\0') {
        return;
    }
    const char *qid = cachetd_macro(ctx, "i");
    if (qid == NULL) {
        qid = cachetd_macro(ctx, "{i}");
    }
    if (qid != NULL) {
        snprintf(c->qid, sizeof c->qid, "%s", qid);
    }
}

/* "<a@b>" -> "a@b"; "<>" -> "". */
static char *cachetd_strip_brackets(const char *arg) {
    size_t len = strlen(arg);
    if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>') {
        char *out = cachet_malloc(len - 1);
        if (out != NULL) {
            memcpy(out, arg + 1, len - 2);
            out[len - 2] = '\0';
        }
        return out;
    }
    return cachet_strdup(arg);
}

static void cachetd_msg_reset(cachetd_conn *c) {
    if (c->in_msg) {
        atomic_fetch_sub(&g_busy, 1);
    }
    c->in_msg = false;
    cachetd_runtime_release(c->rt);
    c->rt = NULL;
    c->qid[0] = '\0';
    cachet_free(c->sender);
    c->sender = NULL;
    cachet_free(c->auth_authen);
    c->auth_authen = NULL;
    cachet_free(c->macro_client_addr);
    c->macro_client_addr = NULL;
    for (size_t i = 0; i < c->num_rcpts; i++) {
        cachet_free(c->rcpts[i]);
        cachet_free(c->rcpts_raw[i]);
    }
    cachet_free(c->rcpts);
    cachet_free(c->rcpts_raw);
    c->rcpts = NULL;
    c->rcpts_raw = NULL;
    c->num_rcpts = 0;
    c->cap_rcpts = 0;
    c->rcpt_class[0] = '\0';
    for (size_t i = 0; i < c->num_headers; i++) {
        cachet_free(c->headers[i].name);
        cachet_free(c->headers[i].value);
    }
    cachet_free(c->headers);
    c->headers = NULL;
    c->num_headers = 0;
    c->cap_headers = 0;
    c->num_ar = 0;
    c->size = 0;
    /* Message text may be confidential (it is about to be encrypted). */
    cachet_membuf_free_secret(&c->body);
    memset(&c->body, 0, sizeof c->body);
    c->too_big = false;
}

static cachetd_conn *cachetd_conn_get(SMFICTX *ctx) {
    return smfi_getpriv(ctx);
}

static sfsistat cachetd_tempfail(SMFICTX *ctx, cachetd_conn *c, const char *what) {
    cachetd_log(LOG_ERR, c != NULL ? c->qid : "", "%s; tempfail", what);
    smfi_setreply(ctx, "451", "4.3.0", "cachetd: temporary failure, try again later");
    return SMFIS_TEMPFAIL;
}

/* The address text of |sa|, IPv4-mapped IPv6 written as IPv4 so that
 * trusted_networks = 127.0.0.0/8 matches a dual-stack listener's clients. */
static void cachetd_addr_text(const struct sockaddr *sa, char *out, size_t out_len) {
    out[0] = '\0';
    if (sa == NULL) {
        return;
    }
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)sa;
        if (inet_ntop(AF_INET, &in4->sin_addr, out, (socklen_t)out_len) == NULL) {
            out[0] = '\0';
        }
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            if (inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], out, (socklen_t)out_len) == NULL) {
                out[0] = '\0';
            }
        } else if (inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)out_len) == NULL) {
            out[0] = '\0';
        }
    }
}

static sfsistat cachetd_cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr) {
    if (atomic_load(&g_draining)) {
        return SMFIS_TEMPFAIL;
    }
    cachetd_conn *c = cachetd_conn_get(ctx);
    if (c == NULL) {
        c = cachet_calloc(1, sizeof *c);
        if (c == NULL) {
            return cachetd_tempfail(ctx, NULL, "connect: out of memory");
        }
        if (smfi_setpriv(ctx, c) != MI_SUCCESS) {
            cachet_free(c);
            return cachetd_tempfail(ctx, NULL, "connect: smfi_setpriv failed");
        }
    }
    cachetd_addr_text(hostaddr, c->client_addr, sizeof c->client_addr);
    cachetd_log(LOG_DEBUG, NULL, "connect from %s [%s]", hostname != NULL ? hostname : "unknown",
                c->client_addr[0] != '\0' ? c->client_addr : "unknown");
    return SMFIS_CONTINUE;
}

static sfsistat cachetd_cb_helo(SMFICTX *ctx, char *helohost) {
    cachetd_log(LOG_DEBUG, NULL, "helo %s", helohost != NULL ? helohost : "");
    return SMFIS_CONTINUE;
}

static sfsistat cachetd_cb_envfrom(SMFICTX *ctx, char **argv) {
    cachetd_conn *c = cachetd_conn_get(ctx);
    if (c == NULL) {
        return cachetd_tempfail(ctx, NULL, "MAIL FROM without a connection");
    }
    cachetd_msg_reset(c);
    if (atomic_load(&g_draining)) {
        /* Shutting down: the MTA retries this one with the next cachetd. */
        smfi_setreply(ctx, "451", "4.3.2", "cachetd: shutting down, try again later");
        return SMFIS_TEMPFAIL;
    }
    c->in_msg = true;
    atomic_fetch_add(&g_busy, 1);
    cachetd_update_qid(ctx, c);
    c->rt = cachetd_runtime_acquire();
    if (c->rt == NULL) {
        return cachetd_tempfail(ctx, c, "no configuration loaded");
    }
    c->sender = cachetd_strip_brackets(argv != NULL && argv[0] != NULL ? argv[0] : "");
    const char *auth = cachetd_macro(ctx, "{auth_authen}");
    const char *addr = cachetd_macro(ctx, "{client_addr}");
    if (auth != NULL) {
        c->auth_authen = cachetd_dup(auth);
    }
    if (addr != NULL) {
        c->macro_client_addr = cachetd_dup(addr);
    }
    if (c->sender == NULL || (auth != NULL && c->auth_authen == NULL) ||
        (addr != NULL && c->macro_client_addr == NULL)) {
        return cachetd_tempfail(ctx, c, "MAIL FROM: out of memory");
    }
    cachetd_log(LOG_DEBUG, c->qid, "from=<%s> client=%s auth=%s", c->sender,
                c->macro_client_addr != NULL ? c->macro_client_addr
                : c->client_addr[0] != '\0'  ? c->client_addr
                                             : "unknown",
                c->auth_authen != NULL ? c->auth_authen : "-");
    return SMFIS_CONTINUE;
}

static bool cachetd_rcpt_push(cachetd_conn *c, char *rcpt, char *raw) {
    if (c->num_rcpts == c->cap_rcpts) {
        size_t cap = c->cap_rcpts != 0 ? c->cap_rcpts * 2 : 8;
        char **a = cachet_realloc(c->rcpts, cap * sizeof *a);
        if (a == NULL) {
            return false;
        }
        c->rcpts = a;
        char **b = cachet_realloc(c->rcpts_raw, cap * sizeof *b);
        if (b == NULL) {
            return false;
        }
        c->rcpts_raw = b;
        c->cap_rcpts = cap;
    }
    c->rcpts[c->num_rcpts] = rcpt;
    c->rcpts_raw[c->num_rcpts] = raw;
    c->num_rcpts++;
    return true;
}

static sfsistat cachetd_cb_envrcpt(SMFICTX *ctx, char **argv) {
    cachetd_conn *c = cachetd_conn_get(ctx);
    if (c == NULL || c->rt == NULL) {
        return cachetd_tempfail(ctx, c, "RCPT TO outside a transaction");
    }
    cachetd_update_qid(ctx, c);
    const char *arg = argv != NULL && argv[0] != NULL ? argv[0] : "";
    if (c->num_rcpts >= CACHETD_MAX_RCPTS) {
        smfi_setreply(ctx, "452", "4.5.3", "cachetd: too many recipients");
        return SMFIS_TEMPFAIL;
    }
    char *rcpt = cachetd_strip_brackets(arg);
    char *raw = cachet_strdup(arg);
    if (rcpt == NULL || raw == NULL) {
        cachet_free(rcpt);
        cachet_free(raw);
        return cachetd_tempfail(ctx, c, "RCPT TO: out of memory");
    }
    char cls[CACHETD_CLASS_MAX];
    cachetd_policy_rcpt_class(c->rt->cfg, c->sender, rcpt, cls, sizeof cls);
    if (c->rcpt_class[0] != '\0' && strcmp(cls, c->rcpt_class) != 0) {
        /* One transaction, one policy: the client retries this recipient in a
         * transaction of its own (RFC 5321 §4.5.3.1.10 allows 452 here). */
        cachetd_log(LOG_INFO, c->qid,
                    "to=<%s> deferred (452 4.5.3): class %s, this transaction is %s", rcpt, cls,
                    c->rcpt_class);
        cachet_free(rcpt);
        cachet_free(raw);
        if (smfi_setreply(ctx, "452", "4.5.3",
                          "cachetd: recipients of another domain must be sent in a separate "
                          "transaction") != MI_SUCCESS) {
            cachetd_log(LOG_WARNING, c->qid, "smfi_setreply failed");
        }
        return SMFIS_TEMPFAIL;
    }
    if (!cachetd_rcpt_push(c, rcpt, raw)) {
        cachet_free(rcpt);
        cachet_free(raw);
        return cachetd_tempfail(ctx, c, "RCPT TO: out of memory");
    }
    if (c->rcpt_class[0] == '\0') {
        snprintf(c->rcpt_class, sizeof c->rcpt_class, "%s", cls);
    }
    cachetd_log(LOG_DEBUG, c->qid, "to=<%s> class=%s", rcpt, cls);
    return SMFIS_CONTINUE;
}

static bool cachetd_size_add(cachetd_conn *c, size_t n) {
    if (n > SIZE_MAX - c->size) {
        return false;
    }
    c->size += n;
    return c->size <= c->rt->cfg->max_message_size;
}

static sfsistat cachetd_too_big(SMFICTX *ctx, cachetd_conn *c) {
    c->too_big = true;
    cachetd_log(LOG_INFO, c->qid,
                "action=none result=reject reason=\"message larger than %llu "
                "bytes (max_message_size)\"",
                (unsigned long long)c->rt->cfg->max_message_size);
    smfi_setreply(ctx, "552", "5.3.4", "cachetd: message too big");
    return SMFIS_REJECT;
}

static sfsistat cachetd_cb_header(SMFICTX *ctx, char *name, char *value) {
    cachetd_conn *c = cachetd_conn_get(ctx);
    if (c == NULL || c->rt == NULL) {
        return cachetd_tempfail(ctx, c, "header outside a transaction");
    }
    if (name == NULL || value == NULL) {
        return cachetd_tempfail(ctx, c, "header without a name or value");
    }
    /* Counted as "Name: value\r\n". */
    if (!cachetd_size_add(c, strlen(name) + strlen(value) + 4)) {
        return cachetd_too_big(ctx, c);
    }
    if (c->num_headers == c->cap_headers) {
        size_t cap = c->cap_headers != 0 ? c->cap_headers * 2 : 32;
        cachetd_header *h = cachet_realloc(c->headers, cap * sizeof *h);
        if (h == NULL) {
            return cachetd_tempfail(ctx, c, "header: out of memory");
        }
        c->headers = h;
        c->cap_headers = cap;
    }
    cachetd_header *h = &c->headers[c->num_headers];
    h->name = cachet_strdup(name);
    h->value = cachet_strdup(value);
    h->forged_ar = false;
    if (h->name == NULL || h->value == NULL) {
        cachet_free(h->name);
        cachet_free(h->value);
        return cachetd_tempfail(ctx, c, "header: out of memory");
    }
    c->num_headers++;
    if (strcasecmp(name, "Authentication-Results") == 0) {
        c->num_ar++;
        if (cachetd_authres_claims_id(value, c->rt->cfg->authserv_id)) {
            h->forged_ar = true;
            cachetd_log(LOG_DEBUG, c->qid,
                        "Authentication-Results #%zu claims our authserv-id %s: removed", c->num_ar,
                        c->rt->cfg->authserv_id);
        }
    }
    return SMFIS_CONTINUE;
}

static sfsistat cachetd_cb_eoh(SMFICTX *ctx) {
    cachetd_conn *c = cachetd_conn_get(ctx);
    if (c == NULL || c->rt == NULL) {
        return cachetd_tempfail(ctx, c, "end of header outside a transaction");
    }
    cachetd_update_qid(ctx, c);
    return SMFIS_CONTINUE;
}

static sfsistat cachetd_cb_body(SMFICTX *ctx, unsigned char *data, size_t len) {
    cachetd_conn *c = cachetd_conn_get(ctx);
    if (c == NULL || c->rt == NULL) {
        return cachetd_tempfail(ctx, c, "body outside a transaction");
    }
    if (!cachetd_size_add(c, len)) {
        return cachetd_too_big(ctx, c);
    }
    if (!cachet_membuf_append(&c->body, data, len)) {
        return cachetd_tempfail(ctx, c, "body: out of memory");
    }
    return SMFIS_CONTINUE;
}

/* Appends |s| with every bare LF made CRLF: libmilter hands folded header
 * values over with LF line ends (Sendmail and Postfix both store them so). */
static bool cachetd_append_crlf(cachet_membuf *b, const char *s) {
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '\n' && (p == s || p[-1] != '\r')) {
            if (!cachet_membuf_append(b, "\r", 1)) {
                return false;
            }
        }
        if (!cachet_membuf_append(b, p, 1)) {
            return false;
        }
    }
    return true;
}

/* The message as the MTA holds it, minus the forged Authentication-Results. */
static bool cachetd_rebuild(const cachetd_conn *c, cachet_membuf *msg) {
    /* |size| counts the header and the body; LF-only folding may add a little. */
    if (!cachet_membuf_reserve(msg, c->size + 64)) {
        return false;
    }
    for (size_t i = 0; i < c->num_headers; i++) {
        const cachetd_header *h = &c->headers[i];
        if (h->forged_ar) {
            continue;
        }
        bool space = h->value[0] != ' ' && h->value[0] != '\t';
        if (!cachet_membuf_append(msg, h->name, strlen(h->name)) ||
            !cachet_membuf_append(msg, space ? ": " : ":", space ? 2 : 1) ||
            !cachetd_append_crlf(msg, h->value) || !cachet_membuf_append(msg, "\r\n", 2)) {
            return false;
        }
    }
    return cachet_membuf_append(msg, "\r\n", 2) &&
           (c->body.len == 0 || cachet_membuf_append(msg, c->body.data, c->body.len));
}

static sfsistat cachetd_cb_eom(SMFICTX *ctx) {
    cachetd_conn *c = cachetd_conn_get(ctx);
    if (c == NULL || c->rt == NULL) {
        return cachetd_tempfail(ctx, c, "end of message outside a transaction");
    }
    cachetd_update_qid(ctx, c);
    if (c->num_rcpts == 0) {
        sfsistat st = cachetd_tempfail(ctx, c, "end of message without recipients");
        cachetd_msg_reset(c);
        return st;
    }

    cachet_membuf msg = {0};
    if (!cachetd_rebuild(c, &msg)) {
        cachet_membuf_free_secret(&msg);
        sfsistat st = cachetd_tempfail(ctx, c, "end of message: out of memory");
        cachetd_msg_reset(c);
        return st;
    }
    /* The body now lives in |msg|: one copy less while processing. */
    cachet_membuf_free_secret(&c->body);
    memset(&c->body, 0, sizeof c->body);
    const char *client = c->macro_client_addr != NULL ? c->macro_client_addr
                         : c->client_addr[0] != '\0'  ? c->client_addr
                                                      : NULL;
    cachetd_envelope env = {
        .queue_id = c->qid,
        .sender = c->sender,
        .recipients = (const char *const *)c->rcpts,
        .num_recipients = c->num_rcpts,
        .auth_authen = c->auth_authen,
        .client_addr = client,
    };
    cachetd_log(LOG_DEBUG, c->qid, "processing %zu bytes for %zu recipient(s), class %s", msg.len,
                c->num_rcpts, c->rcpt_class);

    cachetd_result res;
    memset(&res, 0, sizeof res);
    cachetd_process(c->rt->cfg, c->rt->keys, &env, msg.data, msg.len, &res);
    cachet_membuf_free_secret(&msg);

    cachetd_apply_input in = {
        .qid = c->qid,
        .headers = c->headers,
        .num_headers = c->num_headers,
        .rcpts_raw = c->rcpts_raw,
        .num_rcpts = c->num_rcpts,
    };
    char err[256] = "";
    sfsistat st = cachetd_apply(ctx, &in, &res, err, sizeof err);
    if (res.summary[0] != '\0') {
        cachetd_log(LOG_INFO, c->qid, "%s", res.summary);
    } else {
        cachetd_log(LOG_INFO, c->qid, "result=%s", cachetd_verdict_name(res.verdict));
    }
    if (err[0] != '\0') {
        cachetd_log(LOG_ERR, c->qid, "%s; message tempfailed", err);
    }
    cachetd_result_clear(&res);
    cachetd_msg_reset(c);
    return st;
}

static sfsistat cachetd_cb_abort(SMFICTX *ctx) {
    cachetd_conn *c = cachetd_conn_get(ctx);
    if (c != NULL) {
        if (c->in_msg && !c->too_big) {
            cachetd_log(LOG_DEBUG, c->qid, "transaction aborted by the MTA");
        }
        cachetd_msg_reset(c);
    }
    return SMFIS_CONTINUE;
}

static sfsistat cachetd_cb_close(SMFICTX *ctx) {
    cachetd_conn *c = cachetd_conn_get(ctx);
    if (c != NULL) {
        cachetd_msg_reset(c);
        cachet_free(c);
        smfi_setpriv(ctx, NULL);
    }
    return SMFIS_CONTINUE;
}

bool cachetd_milter_register(void) {
    struct smfiDesc desc = {
        .xxfi_name = "cachetd",
        .xxfi_version = SMFI_VERSION,
        .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY | SMFIF_QUARANTINE |
                      SMFIF_ADDRCPT | SMFIF_DELRCPT,
        .xxfi_connect = cachetd_cb_connect,
        .xxfi_helo = cachetd_cb_helo,
        .xxfi_envfrom = cachetd_cb_envfrom,
        .xxfi_envrcpt = cachetd_cb_envrcpt,
        .xxfi_header = cachetd_cb_header,
        .xxfi_eoh = cachetd_cb_eoh,
        .xxfi_body = cachetd_cb_body,
        .xxfi_eom = cachetd_cb_eom,
        .xxfi_abort = cachetd_cb_abort,
        .xxfi_close = cachetd_cb_close,
    };
    return smfi_register(desc) == MI_SUCCESS;
}
