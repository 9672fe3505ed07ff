/* Writer helpers: header fields (RFC 5322 §2.1.1, §2.2.3), boundaries, checks. */
#include <string.h>

#include "mime/internal.h"

bool cachet_mime_header_name_valid(const char *name, size_t len) {
    if (name == NULL || len == 0 || len > 76) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 33 || c > 126 || c == ':') {
            return false;
        }
    }
    return true;
}

bool cachet_mime_header_value_valid(const char *value, size_t len, bool allow_8bit) {
    if (value == NULL) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < 32 && c != '\t') || c == 127 || (c >= 128 && !allow_8bit)) {
            return false;
        }
    }
    return true;
}

cachet_status cachet_mime_write_header(cachet_membuf *out, const char *name, const char *value,
                                       cachet_error *err) {
    size_t nl = name ? strlen(name) : 0;
    size_t vl = value ? strlen(value) : 0;
    if (!cachet_mime_header_name_valid(name, nl) ||
        !cachet_mime_header_value_valid(value, vl, true)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "header", -1,
                              "invalid header name or value (CR, LF or control byte)");
    }
    size_t start = out->len;
    size_t col = nl + 1;
    bool ok = cachet_membuf_append(out, name, nl) && cachet_membuf_append(out, ":", 1);
    /* Fold before the whitespace that precedes a word which would pass column 78. */
    size_t i = 0;
    while (ok && i < vl) {
        size_t ws = i;
        while (ws < vl && cachet_mime_is_wsp((unsigned char)value[ws])) {
            ws++;
        }
        size_t we = ws;
        while (we < vl && !cachet_mime_is_wsp((unsigned char)value[we])) {
            we++;
        }
        size_t wsl = ws - i, wl = we - ws;
        if (i == 0) {
            /* The first word follows "Name:" after one space, whatever the value had. */
            ok = cachet_membuf_append(out, " ", 1) && cachet_membuf_append(out, value + ws, wl);
            col += 1 + wl;
        } else if (col + wsl + wl > 78 && col > 1) {
            ok = cachet_membuf_append(out, "\r\n", 2) &&
                 cachet_membuf_append(out, value + i, wsl) &&
                 cachet_membuf_append(out, value + ws, wl);
            col = wsl + wl;
        } else {
            ok = cachet_membuf_append(out, value + i, wsl + wl);
            col += wsl + wl;
        }
        if (ok && col > 998) {
            out->len = start;
            return cachet_err_set(err, CACHET_ERR_LIMIT, "header", -1,
                                  "header line longer than 998 octets");
        }
        i = we;
    }
    if (ok && vl == 0) {
        ok = cachet_membuf_append(out, " ", 1);
    }
    if (!ok || !cachet_membuf_append(out, "\r\n", 2)) {
        out->len = start;
        return cachet_err_set(err, CACHET_ERR_NOMEM, "header", -1, "output buffer full");
    }
    return CACHET_OK;
}

bool cachet_mime_make_boundary(const uint8_t *rnd, size_t rnd_len, char *out, size_t out_size) {
    static const char prefix[] = "=_cachet_";
    if (rnd == NULL || out == NULL || rnd_len < 8 || rnd_len > 30 || out_size < 71) {
        return false;
    }
    memcpy(out, prefix, sizeof(prefix) - 1);
    cachet_hex(out + sizeof(prefix) - 1, rnd, rnd_len);
    return true;
}

void cachet_mime_7bit_init(cachet_mime_7bit_check *c) {
    c->line_len = 0;
    c->prev_cr = false;
    c->ok = true;
}

/* Bytes that end a run of ordinary line content: NUL, LF, CR and 8-bit bytes. */
#define B7_STOP(c) ((c) == 0 || (c) == '\n' || (c) == '\r' || (c) >= 128)
#define B7_T4(b) B7_STOP(b), B7_STOP((b) + 1), B7_STOP((b) + 2), B7_STOP((b) + 3)
#define B7_T16(b) B7_T4(b), B7_T4((b) + 4), B7_T4((b) + 8), B7_T4((b) + 12)
#define B7_T64(b) B7_T16(b), B7_T16((b) + 16), B7_T16((b) + 32), B7_T16((b) + 48)
static const uint8_t b7_stop[256] = {B7_T64(0), B7_T64(64), B7_T64(128), B7_T64(192)};

/* Non-zero when some byte of |w| is below 0x0e or has its high bit set (exact as
 * a yes/no, whatever the byte order): a superset of the stop bytes, so a word
 * that passes holds only ordinary content and is skipped without a byte loop. */
static inline uint64_t b7_suspect(const uint8_t *p) {
    uint64_t w;
    memcpy(&w, p, sizeof(w));
    return ((w - UINT64_C(0x0e0e0e0e0e0e0e0e)) | w) & UINT64_C(0x8080808080808080);
}

/* The length of the run of non-stop bytes at the start of |p| (at most |n|). */
static size_t b7_plain_run(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (n - i >= 32) {
        if ((b7_suspect(p + i) | b7_suspect(p + i + 8) | b7_suspect(p + i + 16) |
             b7_suspect(p + i + 24)) != 0) {
            for (size_t k = 0; k < 32; k++) {
                if (b7_stop[p[i + k]]) {
                    return i + k;
                }
            }
        }
        i += 32;
    }
    while (i < n && !b7_stop[p[i]]) {
        i++;
    }
    return i;
}

/* The rules for one byte; a run of ordinary bytes is the same as that many calls. */
static void b7_step(cachet_mime_7bit_check *c, uint8_t b) {
    if (b == '\n') {
        if (!c->prev_cr) {
            c->ok = false;
        }
        c->line_len = 0;
    } else if (c->prev_cr || b == 0 || b >= 128 || (b != '\r' && ++c->line_len > 998)) {
        /* a CR not before LF, a NUL or 8-bit octet, or a line over 998 octets */
        c->ok = false;
    }
    c->prev_cr = b == '\r';
}

void cachet_mime_7bit_update(cachet_mime_7bit_check *c, const uint8_t *data, size_t len) {
    size_t i = 0;
    while (i < len && c->ok) {
        if (!c->prev_cr && c->line_len < 999) {
            /* Ordinary bytes only count; the 999th of a line is the failing one. */
            size_t room = 999 - c->line_len;
            size_t r = b7_plain_run(data + i, len - i < room ? len - i : room);
            c->line_len += r;
            i += r;
            if (r == room) {
                c->ok = false;
                break;
            }
            if (i == len) {
                break;
            }
        }
        b7_step(c, data[i]);
        i++;
    }
}

bool cachet_mime_7bit_result(const cachet_mime_7bit_check *c) {
    return c->ok && !c->prev_cr;
}

bool cachet_mime_is_7bit_safe(const uint8_t *data, size_t len) {
    cachet_mime_7bit_check c;
    cachet_mime_7bit_init(&c);
    cachet_mime_7bit_update(&c, data, len);
    return cachet_mime_7bit_result(&c);
}
