/* cli/sign_receipt.c: the receipt options of `cachet sign`, parsed into
 * cachet_sign_opts. cmd_sign.c calls (declare it there or in cli.h):
 *
 *   bool cachet_cli_sign_receipt_opts(const cachet_cli_op_env *e, cachet_sign_opts *so);
 *
 * from its make callback, after the op env is ready (the content reference is
 * read with e->ctx, and e->cred opens it when it was encrypted). It reads
 *   --receipt-request all|first-tier|ADDR[,ADDR...]  receiptsFrom (RFC 2634 §2.7):
 *        everyone, first-tier recipients only, or the receiptList given;
 *   --receipts-to ADDR[,ADDR...] (repeatable, 1 to 16 in all): receiptsTo;
 *        without it the --as address, else a usage error (§2.2 says the
 *        originator must name where receipts go);
 *   --content-reference FILE: the original message this one answers (§2.11),
 *        read as it was sent (in the --raw form of the command);
 * into |so| (receipt_request, content_reference) and leaves its other fields
 * alone. What |so| then points to lives in this file's static storage until the
 * next call or the end of the process (one signing per process). False with
 * e->err set (CACHET_ERR_USAGE and the option as the where for a malformed
 * value; the reader's error for an unreadable FILE). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ADDRS 64 /* receiptList bound of the library; receiptsTo stops at 16 */
#define MAX_LIST 8192

static struct {
    cachet_receipt_request rq;
    char from_buf[MAX_LIST];
    char to_buf[MAX_LIST];
    const char *from[MAX_ADDRS];
    const char *to[MAX_ADDRS];
    cachet_receipt_ref *ref;
    bool atexit_set;
} g_rcpt;

static void free_ref(void) {
    cachet_receipt_ref_free(g_rcpt.ref);
    g_rcpt.ref = NULL;
}

static bool usage(cachet_error *err, const char *opt, const char *msg, const char *arg) {
    err->status = CACHET_ERR_USAGE;
    err->offset = -1;
    snprintf(err->where, sizeof(err->where), "%s", opt);
    snprintf(err->message, sizeof(err->message), "%s%s%s%s", msg, arg != NULL ? " (\"" : "",
             arg != NULL ? arg : "", arg != NULL ? "\")" : "");
    return false;
}

/* split_addrs appends the comma-separated addresses of |spec| to |list|; the
 * library checks each is an address. */
static bool split_addrs(const char *spec, char *buf, size_t *used, const char **list, size_t *num,
                        const char *opt, cachet_error *err) {
    size_t len = strlen(spec);
    if (*used + len + 1 > MAX_LIST) {
        return usage(err, opt, "too many addresses", NULL);
    }
    char *p = buf + *used;
    memcpy(p, spec, len + 1);
    *used += len + 1;
    for (char *tok = p; tok != NULL;) {
        char *comma = strchr(tok, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        if (*tok == '\0') {
            return usage(err, opt, "an empty address in the list", spec);
        }
        if (*num >= MAX_ADDRS) {
            return usage(err, opt, "too many addresses", NULL);
        }
        list[(*num)++] = tok;
        tok = comma != NULL ? comma + 1 : NULL;
    }
    return true;
}

bool cachet_cli_sign_receipt_opts(const cachet_cli_op_env *e, cachet_sign_opts *so) {
    const cachet_cli_opts *o = e->o;
    free_ref();
    if (!g_rcpt.atexit_set) {
        atexit(free_ref);
        g_rcpt.atexit_set = true;
    }
    memset(&g_rcpt.rq, 0, sizeof(g_rcpt.rq));
    if (o->receipt_request == NULL && o->num_receipts_to > 0) {
        return usage(e->err, "--receipts-to", "only with --receipt-request", NULL);
    }
    if (o->receipt_request != NULL) {
        cachet_receipt_request *rq = &g_rcpt.rq;
        size_t from_used = 0, to_used = 0, nfrom = 0, nto = 0;
        if (strcmp(o->receipt_request, "all") == 0) {
            rq->from = CACHET_RECEIPTS_FROM_ALL;
        } else if (strcmp(o->receipt_request, "first-tier") == 0) {
            rq->from = CACHET_RECEIPTS_FROM_FIRST_TIER;
        } else {
            rq->from = CACHET_RECEIPTS_FROM_LIST;
            if (!split_addrs(o->receipt_request, g_rcpt.from_buf, &from_used, g_rcpt.from, &nfrom,
                             "--receipt-request", e->err)) {
                return false;
            }
            rq->from_list = g_rcpt.from;
            rq->num_from_list = nfrom;
        }
        for (size_t i = 0; i < o->num_receipts_to; i++) {
            if (!split_addrs(o->receipts_to[i], g_rcpt.to_buf, &to_used, g_rcpt.to, &nto,
                             "--receipts-to", e->err)) {
                return false;
            }
        }
        if (nto == 0 && o->as != NULL) {
            g_rcpt.to[nto++] = o->as;
        }
        if (nto == 0) {
            return usage(e->err, "--receipt-request",
                         "needs --receipts-to ADDR: where the receipts go (RFC 2634 §2.2)", NULL);
        }
        rq->to = g_rcpt.to;
        rq->num_to = nto;
        so->receipt_request = rq;
    }
    so->content_identifier = o->content_identifier;
    if (o->content_reference != NULL) {
        if (!cachet_cli_load_receipt_ref(e, o->content_reference, &g_rcpt.ref)) {
            return false;
        }
        so->content_reference = g_rcpt.ref;
    }
    return true;
}
