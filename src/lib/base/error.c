#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

static const char *const status_names[] = {
    [CACHET_OK] = "ok",
    [CACHET_ERR_USAGE] = "usage error",
    [CACHET_ERR_MALFORMED] = "malformed input",
    [CACHET_ERR_UNSUPPORTED] = "unsupported",
    [CACHET_ERR_LIMIT] = "limit exceeded",
    [CACHET_ERR_POLICY] = "refused by policy",
    [CACHET_ERR_NO_SIGNERS] = "no signers",
    [CACHET_ERR_CONTENT_CONFLICT] = "content conflict",
    [CACHET_ERR_ATTRIBUTES] = "invalid signed attributes",
    [CACHET_ERR_BAD_SIGNATURE] = "bad signature",
    [CACHET_ERR_UNTRUSTED] = "untrusted",
    [CACHET_ERR_NO_RECIPIENT] = "no matching recipient",
    [CACHET_ERR_DECRYPT] = "decryption failed",
    [CACHET_ERR_KEY] = "key or certificate error",
    [CACHET_ERR_IO] = "I/O error",
    [CACHET_ERR_NOMEM] = "out of memory",
    [CACHET_ERR_INTERNAL] = "internal error",
    [CACHET_ERR_RECEIPT] = "receipt does not match",
};

const char *cachet_status_str(cachet_status st) {
    if ((size_t)st >= sizeof(status_names) / sizeof(status_names[0]) || status_names[st] == NULL) {
        return "unknown status";
    }
    return status_names[st];
}

const char *cachet_version(void) {
    return CACHET_VERSION_STRING;
}

/* The name in parentheses: base.h may define cachet_err_set as a macro for the analyzer. */
cachet_status(cachet_err_set)(cachet_error *e, cachet_status st, const char *where,
                              long long offset, const char *fmt, ...) {
    if (e == NULL || e->status != CACHET_OK) {
        return st;
    }
    e->status = st;
    e->offset = offset;
    snprintf(e->where, sizeof(e->where), "%s", where != NULL ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return st;
}

void cachet_err_clear(cachet_error *e) {
    if (e == NULL) {
        return;
    }
    memset(e, 0, sizeof(*e));
    e->offset = -1;
}

void cachet_err_prefix_where(cachet_error *e, const char *prefix) {
    if (e == NULL || prefix == NULL || prefix[0] == '\0') {
        return;
    }
    /* Truncation keeps the outermost part of the path, which locates the failure best. */
    char joined[sizeof(e->where)];
    size_t plen = strnlen(prefix, sizeof(joined) - 1);
    memcpy(joined, prefix, plen);
    size_t used = plen;
    if (e->where[0] != '\0' && used + 1 < sizeof(joined)) {
        joined[used++] = '.';
        size_t olen = strnlen(e->where, sizeof(joined) - 1 - used);
        memcpy(joined + used, e->where, olen);
        used += olen;
    }
    joined[used] = '\0';
    memcpy(e->where, joined, used + 1);
}

void cachet_hex(char *out, const uint8_t *in, size_t len) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}
