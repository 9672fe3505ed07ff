/* The parser's fast path for body, preamble and epilogue text. The line engine
 * in parser.c holds each line break until the next line is known not to be a
 * delimiter, which costs several steps per line. When the next line is already
 * in the buffer and cannot start a delimiter, its line break is body, so a whole
 * run of such lines goes out in one piece. Everything else (the byte counts,
 * offsets, anomaly bits and error offsets) must come out exactly as the careful
 * path makes them, whatever the chunking. */
#include <string.h>

#include "mime/internal.h"

static int out_kind(const cachet_mime_frame *f) {
    return f->state == CACHET_MIME_F_BODY       ? CACHET_MIME_OUT_BODY
           : f->state == CACHET_MIME_F_PREAMBLE ? CACHET_MIME_OUT_PRE
                                                : CACHET_MIME_OUT_EPI;
}

/* NOLINTNEXTLINE(misc-no-recursion): splits once, at the 999th octet */
bool cachet_mime_p_plain(cachet_mime_parser *p, const uint8_t *d, size_t n) {
    /* Split at the 999th octet so that the long-line anomaly is noted where
     * process() notes it: an error earlier in the run leaves it unset, whatever
     * the chunking (fuzz_mime_parse F5-04). */
    if (p->line_len < 998 && p->line_len + n >= 999) {
        size_t k = 998 - p->line_len;
        return cachet_mime_p_plain(p, d, k) && cachet_mime_p_plain(p, d + k, n - k);
    }
    if (p->line_len < 999 && p->line_len + n >= 999) {
        p->anomalies |= CACHET_MIME_ANOM_LONG_LINE;
    }
    p->line_len += n;
    size_t level = p->nframes - 1;
    cachet_mime_frame *f = &p->frames[level];
    f->nbytes += n;
    if (!cachet_mime_p_emit(p, out_kind(f), level, d, n)) {
        return false;
    }
    p->off += (long long)n;
    return true;
}

/* The anomaly bits of the bytes d[0..n) read as the continuation of a line of
 * which |carry| octets have been counted: what process() in parser.c sets byte by
 * byte. It counts every octet of a line except the LF of a CRLF, so a bare LF
 * counts and the 999th counted octet marks a long line. The byte before d[0], if
 * any in this line, is not a CR (the careful path would hold it). */
static unsigned line_bits(const uint8_t *d, size_t n, size_t carry) {
    unsigned bits = 0;
    size_t start = 0;
    while (start < n) {
        const uint8_t *lf = memchr(d + start, '\n', n - start);
        if (lf == NULL) {
            if (carry + (n - start) >= 999) {
                bits |= CACHET_MIME_ANOM_LONG_LINE;
            }
            break;
        }
        size_t e = (size_t)(lf - d);
        bool bare = e == 0 || d[e - 1] != '\r';
        if (carry + (e - start) + (bare ? 1 : 0) >= 999) {
            bits |= CACHET_MIME_ANOM_LONG_LINE;
        }
        if (bare) {
            bits |= CACHET_MIME_ANOM_BARE_LF;
        }
        carry = 0;
        start = e + 1;
    }
    return bits;
}

void cachet_mime_p_run_error(cachet_mime_parser *p, size_t idx) {
    const uint8_t *d = p->run;
    /* The careful path decodes a CR not followed by LF when it handles the next
     * byte, and a line break when it handles the first byte of the next line:
     * the error is reported there. */
    size_t delay = 0;
    if (d[idx] == '\r' && d[idx + 1] != '\n') {
        delay = 1;
    } else if (d[idx] == '\r' || d[idx] == '\n') {
        /* The next line does not start with '-': it is known to be text at its
         * first byte. */
        delay = (d[idx] == '\r' ? 2 : 1);
    }
    /* The bytes read by then: up to this one (the LF after a CR counts for no
     * anomaly). */
    p->anomalies |= line_bits(d, idx + 1, p->run_carry);
    p->off += (long long)(idx + delay);
    p->run_len = 0;
}

bool cachet_mime_p_lines(cachet_mime_parser *p, const uint8_t *d, size_t len, size_t *used) {
    *used = 0;
    bool boundaries = false;
    for (size_t k = 0; k < p->nframes && !boundaries; k++) {
        boundaries = cachet_mime_p_boundary_active(&p->frames[k]);
    }
    size_t end = 0;
    size_t carry = p->line_len;
    unsigned bits = 0;
    for (;;) {
        const uint8_t *lf = memchr(d + end, '\n', len - end);
        if (lf == NULL) {
            break;
        }
        size_t e = (size_t)(lf - d);
        size_t next = e + 1;
        /* A line starting with '-' is left to the careful path even when it is
         * no delimiter: it reads such a line's first bytes before it releases
         * the line break, which moves the offset of a decoding error. */
        if (next >= len || (boundaries && d[next] == '-')) {
            break;
        }
        /* As line_bits(), one line at a time. */
        bool bare = e == 0 || d[e - 1] != '\r';
        if (carry + (e - end) + (bare ? 1 : 0) >= 999) {
            bits |= CACHET_MIME_ANOM_LONG_LINE;
        }
        bits |= bare ? CACHET_MIME_ANOM_BARE_LF : 0;
        carry = 0;
        end = next;
    }
    if (end == 0) {
        return true;
    }
    size_t level = p->nframes - 1;
    cachet_mime_frame *f = &p->frames[level];
    f->nbytes += end;
    p->run = d;
    p->run_len = end;
    p->run_carry = p->line_len;
    bool ok = cachet_mime_p_emit(p, out_kind(f), level, d, end);
    if (p->run_len != 0) {
        /* Not a decoding error (which noted the bits up to its byte). */
        p->anomalies |= bits;
    }
    p->run = NULL;
    p->run_len = 0;
    if (!ok) {
        return false;
    }
    p->off += (long long)end;
    p->line_len = 0;
    *used = end;
    return true;
}
