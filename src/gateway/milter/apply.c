/* apply: a cachetd_result carried out through libmilter at end of message.
 * Order: every deletion first (forged Authentication-Results, then the old
 * Content-* fields), then additions, then the body, then the envelope, so
 * that occurrence indexes always refer to the header as received. If any call
 * fails the message is tempfailed: the MTA discards every modification of a
 * tempfailed message, so nothing half-applied is ever delivered. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "log.h"

/* Body replacement chunk. libmilter would take up to 64 KiB per message, but
 * miltertest (the test harness) reads each reply into a 1 KiB buffer; at one
 * write per KiB the cost is negligible next to the cryptography. */
#define CACHETD_REPLBODY_CHUNK 1000

bool cachetd_header_is_content(const char *name) {
    return strncasecmp(name, "Content-", 8) == 0 || strcasecmp(name, "MIME-Version") == 0;
}

/* The 1-based occurrence of headers[i]'s name among the fields with that name
 * (case-insensitive, as the MTA counts for smfi_chgheader). */
static int cachetd_occurrence(const cachetd_header *headers, size_t i) {
    int n = 0;
    for (size_t j = 0; j <= i; j++) {
        if (strcasecmp(headers[j].name, headers[i].name) == 0) {
            n++;
        }
    }
    return n;
}

/* libmilter hands header values to the MTA as they are; Sendmail and Postfix
 * both expect folded lines separated by LF alone (a CR would be kept as data).
 * Other control bytes never come from process.c, but a header must not carry
 * them whatever happens upstream. */
static char *cachetd_header_value(const char *v) {
    size_t len = strlen(v);
    char *out = cachet_malloc(len + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t o = 0;
    size_t i = 0;
    /* The MTA writes "Name: " itself; a leading blank of ours would double it. */
    while (v[i] == ' ' || v[i] == '\t') {
        i++;
    }
    for (; i < len; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch == '\r') {
            continue;
        }
        if (ch == '\n') {
            /* A line break is only allowed as folding: followed by WSP. */
            if (v[i + 1] == ' ' || v[i + 1] == '\t') {
                out[o++] = '\n';
            }
            continue;
        }
        if (ch < 0x20 && ch != '\t') {
            continue;
        }
        out[o++] = (char)ch;
    }
    out[o] = '\0';
    return out;
}

/* Reply text for smfi_setreply: printable ASCII, '%' doubled (libmilter
 * ignores a text with a single '%'). */
static void cachetd_reply_text(const char *in, char *out, size_t out_len) {
    size_t o = 0;
    for (const char *p = in; *p != '\0' && o + 3 < out_len; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '%') {
            out[o++] = '%';
            out[o++] = '%';
        } else if (ch < 0x20 || ch >= 0x7f) {
            out[o++] = ' ';
        } else {
            out[o++] = (char)ch;
        }
    }
    out[o] = '\0';
}

static bool cachetd_code_ok(const char *rcode, const char *xcode, char klass) {
    return strlen(rcode) == 3 && rcode[0] == klass && xcode[0] == klass && xcode[1] == '.';
}

static sfsistat cachetd_apply_refusal(SMFICTX *ctx, const cachetd_apply_input *in,
                                      const cachetd_result *res, char *err, size_t err_len) {
    bool reject = res->verdict == CACHETD_REJECT;
    char klass = reject ? '5' : '4';
    const char *rcode = res->smtp_rcode;
    const char *xcode = res->smtp_xcode;
    if (!cachetd_code_ok(rcode, xcode, klass)) {
        rcode = reject ? "550" : "451";
        xcode = reject ? "5.7.1" : "4.3.0";
    }
    char text[2 * sizeof res->smtp_text + 16];
    cachetd_reply_text(res->smtp_text[0] != '\0' ? res->smtp_text
                       : reject                  ? "message refused by policy"
                                                 : "temporary failure, try again later",
                       text, sizeof text);
    char full[sizeof text + 16];
    snprintf(full, sizeof full, "cachetd: %s", text);
    cachetd_log(LOG_DEBUG, in->qid, "reply %s %s %s", rcode, xcode, full);
    if (smfi_setreply(ctx, (char *)rcode, (char *)xcode, full) != MI_SUCCESS) {
        if (reject) {
            /* Without our reply text a reject would go out with the MTA's
             * generic 5xx; never turn our own failure into a bounce. */
            snprintf(err, err_len, "smfi_setreply(%s %s) failed", rcode, xcode);
            return SMFIS_TEMPFAIL;
        }
    }
    return reject ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

static bool cachetd_delete_fields(SMFICTX *ctx, const cachetd_apply_input *in, bool content,
                                  char *err, size_t err_len) {
    /* From the last field to the first: each name's occurrences go in
     * descending order, so a deletion never shifts an index still to come. */
    for (size_t k = in->num_headers; k-- > 0;) {
        const cachetd_header *h = &in->headers[k];
        bool del = content ? cachetd_header_is_content(h->name) : h->forged_ar;
        if (!del) {
            continue;
        }
        int idx = cachetd_occurrence(in->headers, k);
        if (smfi_chgheader(ctx, h->name, idx, NULL) != MI_SUCCESS) {
            snprintf(err, err_len, "smfi_chgheader(%s, %d, delete) failed", h->name, idx);
            return false;
        }
        cachetd_log(LOG_DEBUG, in->qid, "deleted %s #%d", h->name, idx);
    }
    return true;
}

static bool cachetd_add_field(SMFICTX *ctx, bool insert_top, const char *name, const char *value,
                              char *err, size_t err_len) {
    char *v = cachetd_header_value(value);
    if (v == NULL) {
        snprintf(err, err_len, "out of memory adding %s", name);
        return false;
    }
    int rc =
        insert_top ? smfi_insheader(ctx, 0, (char *)name, v) : smfi_addheader(ctx, (char *)name, v);
    cachet_free(v);
    if (rc != MI_SUCCESS) {
        snprintf(err, err_len, "%s(%s) failed", insert_top ? "smfi_insheader" : "smfi_addheader",
                 name);
        return false;
    }
    return true;
}

static bool cachetd_replace_body(SMFICTX *ctx, const cachetd_result *res, char *err,
                                 size_t err_len) {
    size_t off = 0;
    /* An empty body is still replaced: one empty chunk says "now empty". */
    do {
        size_t n = res->body_len - off;
        if (n > CACHETD_REPLBODY_CHUNK) {
            n = CACHETD_REPLBODY_CHUNK;
        }
        if (smfi_replacebody(ctx, (unsigned char *)(res->body + off), (int)n) != MI_SUCCESS) {
            snprintf(err, err_len, "smfi_replacebody failed at byte %zu of %zu", off,
                     res->body_len);
            return false;
        }
        off += n;
    } while (off < res->body_len);
    return true;
}

static bool cachetd_quarantine(SMFICTX *ctx, const cachetd_apply_input *in,
                               const cachetd_result *res, char *err, size_t err_len) {
    if (res->quarantine_to[0] == '\0') {
        char reason[sizeof res->summary + 16];
        snprintf(reason, sizeof reason, "cachetd: %s",
                 res->summary[0] != '\0' ? res->summary : "quarantined by policy");
        for (char *p = reason; *p != '\0'; p++) {
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
                *p = ' ';
            }
        }
        if (smfi_quarantine(ctx, reason) != MI_SUCCESS) {
            snprintf(err, err_len, "smfi_quarantine failed");
            return false;
        }
        return true;
    }
    for (size_t i = 0; i < in->num_rcpts; i++) {
        if (smfi_delrcpt(ctx, in->rcpts_raw[i]) != MI_SUCCESS) {
            snprintf(err, err_len, "smfi_delrcpt(%s) failed", in->rcpts_raw[i]);
            return false;
        }
    }
    char addr[CACHETD_NAME_MAX + 2];
    snprintf(addr, sizeof addr, "<%s>", res->quarantine_to);
    if (smfi_addrcpt(ctx, addr) != MI_SUCCESS) {
        snprintf(err, err_len, "smfi_addrcpt(%s) failed", addr);
        return false;
    }
    return true;
}

sfsistat cachetd_apply(SMFICTX *ctx, const cachetd_apply_input *in, const cachetd_result *res,
                       char *err, size_t err_len) {
    err[0] = '\0';
    if (res->verdict != CACHETD_CONTINUE) {
        return cachetd_apply_refusal(ctx, in, res, err, err_len);
    }
    if (res->replaced && (res->body == NULL && res->body_len != 0)) {
        snprintf(err, err_len, "result replaced without a body");
        goto tempfail;
    }
    if (!cachetd_delete_fields(ctx, in, false, err, err_len)) {
        goto tempfail;
    }
    if (res->replaced) {
        if (!cachetd_delete_fields(ctx, in, true, err, err_len)) {
            goto tempfail;
        }
        for (size_t i = 0; i < res->num_content_fields; i++) {
            const cachetd_field *f = &res->content_fields[i];
            if (!cachetd_add_field(ctx, false, f->name, f->value, err, err_len)) {
                goto tempfail;
            }
        }
    }
    if (res->authres[0] != '\0' &&
        !cachetd_add_field(ctx, true, "Authentication-Results", res->authres, err, err_len)) {
        goto tempfail;
    }
    if (res->replaced && !cachetd_replace_body(ctx, res, err, err_len)) {
        goto tempfail;
    }
    if (res->quarantine && !cachetd_quarantine(ctx, in, res, err, err_len)) {
        goto tempfail;
    }
    return SMFIS_CONTINUE;

tempfail:
    smfi_setreply(ctx, "451", "4.3.0", "cachetd: temporary failure, try again later");
    return SMFIS_TEMPFAIL;
}
