/* PEM armor of raw CMS (pem.h), streaming both ways. */
#include <stdio.h>
#include <string.h>

#include "mime/mime.h"
#include "smime/pem.h"

/* ---- Writing ---- */

/* RFC 7468 §2: lines of exactly 64 characters but the last. mime/'s encoder
 * breaks lines at 76 with CRLF: its output, taken in large pieces, is re-cut
 * into lines of 64 ending in LF (the characters are the same: 48 input bytes
 * make one line, a multiple of the 3-byte quantum). */
#define PEM_LINE 64
/* Input bytes encoded per call (a multiple of 48). */
#define PEM_PIECE 12288

struct cachet_pem_writer {
    cachet_sink out;
    char label[32];
    cachet_mime_b64enc enc;
    size_t col; /* characters on the current output line */
    bool failed;
    uint8_t encoded[CACHET_MIME_B64ENC_MAX(PEM_PIECE) + CACHET_MIME_B64ENC_FINISH_MAX];
    uint8_t lines[CACHET_MIME_B64ENC_MAX(PEM_PIECE) + CACHET_MIME_B64ENC_FINISH_MAX + 2];
};

static cachet_status put(cachet_pem_writer *w, const char *s, size_t n, cachet_error *err) {
    cachet_status st = cachet_sink_write(&w->out, (const uint8_t *)s, n);
    if (st != CACHET_OK) {
        w->failed = true;
        return cachet_err_set(err, st, "", -1, "writing PEM output failed");
    }
    return CACHET_OK;
}

static cachet_status put_armor(cachet_pem_writer *w, const char *what, cachet_error *err) {
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "-----%s %s-----\n", what, w->label);
    return put(w, buf, (size_t)n, err);
}

cachet_pem_writer *cachet_pem_writer_new(const char *label, const cachet_sink *out,
                                         cachet_error *err) {
    size_t llen = label != NULL ? strlen(label) : 0;
    if (llen == 0 || llen >= sizeof(((cachet_pem_writer *)0)->label) || out == NULL) {
        cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "bad PEM label or sink");
        return NULL;
    }
    cachet_pem_writer *w = cachet_calloc(1, sizeof(*w));
    if (w == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    w->out = *out;
    memcpy(w->label, label, llen + 1);
    cachet_mime_b64enc_init(&w->enc);
    if (put_armor(w, "BEGIN", err) != CACHET_OK) {
        cachet_free(w);
        return NULL;
    }
    return w;
}

/* recut turns |n| bytes of mime/ base64 (76-character CRLF lines) into PEM
 * lines in w->lines and writes them. */
static cachet_status recut(cachet_pem_writer *w, const uint8_t *in, size_t n, bool last,
                           cachet_error *err) {
    uint8_t *out = w->lines;
    size_t o = 0, i = 0;
    while (i < n) {
        if (in[i] == '\r' || in[i] == '\n') {
            i++;
            continue;
        }
        const uint8_t *cr = memchr(in + i, '\r', n - i);
        size_t run = (cr != NULL ? (size_t)(cr - in) : n) - i;
        while (run > 0) {
            size_t take = PEM_LINE - w->col < run ? PEM_LINE - w->col : run;
            memcpy(out + o, in + i, take);
            o += take;
            i += take;
            run -= take;
            w->col += take;
            if (w->col == PEM_LINE) {
                out[o++] = '\n';
                w->col = 0;
            }
        }
    }
    if (last && w->col > 0) {
        out[o++] = '\n';
        w->col = 0;
    }
    return put(w, (const char *)out, o, err);
}

cachet_status cachet_pem_writer_update(cachet_pem_writer *w, const uint8_t *data, size_t len,
                                       cachet_error *err) {
    if (w->failed) {
        return cachet_err_set(err, CACHET_ERR_IO, "", -1, "PEM writer failed earlier");
    }
    while (len > 0) {
        size_t n = len < PEM_PIECE ? len : PEM_PIECE;
        size_t e = cachet_mime_b64enc_update(&w->enc, data, n, w->encoded);
        cachet_status st = recut(w, w->encoded, e, false, err);
        if (st != CACHET_OK) {
            return st;
        }
        data += n;
        len -= n;
    }
    return CACHET_OK;
}

cachet_status cachet_pem_writer_finish(cachet_pem_writer *w, cachet_error *err) {
    if (w->failed) {
        return cachet_err_set(err, CACHET_ERR_IO, "", -1, "PEM writer failed earlier");
    }
    size_t e = cachet_mime_b64enc_finish(&w->enc, w->encoded);
    cachet_status st = recut(w, w->encoded, e, true, err);
    if (st == CACHET_OK) {
        st = put_armor(w, "END", err);
    }
    return st;
}

static cachet_status pem_sink_write(void *arg, const uint8_t *data, size_t len) {
    return cachet_pem_writer_update(arg, data, len, NULL);
}

cachet_sink cachet_pem_writer_sink(cachet_pem_writer *w) {
    return (cachet_sink){.write = pem_sink_write, .close = NULL, .arg = w};
}

void cachet_pem_writer_free(cachet_pem_writer *w) {
    if (w != NULL) {
        cachet_free_secret(w, sizeof(*w));
    }
}

/* ---- Reading ---- */

/* The reader is line-oriented for the armor and character-oriented for the
 * body, so lines of any length cost no memory. */
enum pem_state {
    PEM_BEFORE, /* looking for "-----BEGIN " at the start of a line */
    PEM_BODY,
    PEM_AFTER, /* END line seen: only white space may follow */
};

#define PEM_ARMOR_MAX 80
/* Body bytes decoded per call on the fast path. */
#define PEM_FAST 16384

struct cachet_pem_reader {
    cachet_sink out;
    enum pem_state state;
    char label[16];
    char line[PEM_ARMOR_MAX + 1]; /* the current line start, for armor matching */
    size_t nline;
    bool line_overflow;
    cachet_mime_b64dec dec;
    uint64_t offset;
    size_t nout;
    uint8_t outbuf[CACHET_MIME_B64DEC_MAX(PEM_FAST) + 512];
    bool failed;
    cachet_status status;
};

cachet_pem_reader *cachet_pem_reader_new(const cachet_sink *out, cachet_error *err) {
    cachet_pem_reader *r = cachet_calloc(1, sizeof(*r));
    if (r == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    r->out = *out;
    r->state = PEM_BEFORE;
    cachet_mime_b64dec_init(&r->dec);
    return r;
}

static cachet_status reader_fail(cachet_pem_reader *r, cachet_status st, cachet_error *err,
                                 const char *msg) {
    r->failed = true;
    r->status = st;
    return cachet_err_set(err, st, "PEM", (long long)r->offset, "%s", msg);
}

static cachet_status flush_out(cachet_pem_reader *r, cachet_error *err) {
    if (r->nout == 0) {
        return CACHET_OK;
    }
    cachet_status st = cachet_sink_write(&r->out, r->outbuf, r->nout);
    r->nout = 0;
    if (st != CACHET_OK) {
        r->failed = true;
        r->status = st;
        if (err != NULL && err->status == CACHET_OK) {
            cachet_err_set(err, st, "PEM", (long long)r->offset, "consumer of PEM content failed");
        }
    }
    return st;
}

static bool is_label(const char *s, size_t n, char *out, size_t out_len) {
    static const char *const labels[] = {"CMS", "PKCS7"};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (strlen(labels[i]) == n && memcmp(s, labels[i], n) == 0 && n < out_len) {
            memcpy(out, s, n);
            out[n] = '\0';
            return true;
        }
    }
    return false;
}

/* armor_line matches a complete line "-----<what> <label>-----" (trailing
 * white space allowed). */
static bool armor_line(const char *line, size_t n, const char *what, char *label,
                       size_t label_len) {
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r')) {
        n--;
    }
    size_t wl = strlen(what);
    if (n < 5 + wl + 1 + 5 || memcmp(line, "-----", 5) != 0 || memcmp(line + 5, what, wl) != 0 ||
        line[5 + wl] != ' ' || memcmp(line + n - 5, "-----", 5) != 0) {
        return false;
    }
    return is_label(line + 6 + wl, n - 11 - wl, label, label_len);
}

/* body_char decodes one base64 character. It is fed one at a time so that a
 * refusal carries the offset of the byte that caused it. */
static cachet_status body_char(cachet_pem_reader *r, uint8_t c, cachet_error *err) {
    /* Taken before the update: what the decoder had seen names why it refused. */
    bool after_padding = r->dec.done;
    bool in_padding = r->dec.pad != 0;
    size_t n = 0;
    if (!cachet_mime_b64dec_update(&r->dec, &c, 1, r->outbuf + r->nout, &n)) {
        const char *why = after_padding ? "PEM base64 continues after padding"
                          : c == '='    ? "misplaced '=' or non-zero padding bits in PEM base64"
                          : in_padding  ? "misplaced '=' in PEM base64"
                                        : "invalid character in PEM base64";
        return reader_fail(r, CACHET_ERR_MALFORMED, err, why);
    }
    r->nout += n;
    if (r->nout + CACHET_MIME_B64DEC_MAX(1) > sizeof(r->outbuf)) {
        return flush_out(r, err);
    }
    return CACHET_OK;
}

/* end_of_line handles a complete line (the first PEM_ARMOR_MAX bytes of it). */
static cachet_status end_of_line(cachet_pem_reader *r, cachet_error *err) {
    cachet_status st = CACHET_OK;
    char label[sizeof(r->label)];
    if (r->state == PEM_BEFORE) {
        if (!r->line_overflow && armor_line(r->line, r->nline, "BEGIN", label, sizeof(label))) {
            memcpy(r->label, label, sizeof(label));
            r->state = PEM_BODY;
        }
    } else if (r->state == PEM_BODY) {
        if (!r->line_overflow && r->nline > 0 && r->line[0] == '-') {
            if (!armor_line(r->line, r->nline, "END", label, sizeof(label)) ||
                strcmp(label, r->label) != 0) {
                return reader_fail(r, CACHET_ERR_MALFORMED, err,
                                   "PEM END line missing or not matching BEGIN");
            }
            if (!cachet_mime_b64dec_finish(&r->dec)) {
                return reader_fail(r, CACHET_ERR_MALFORMED, err, "PEM base64 is truncated");
            }
            st = flush_out(r, err);
            r->state = PEM_AFTER;
        }
    }
    r->nline = 0;
    r->line_overflow = false;
    return st;
}

/* body_run: how many leading bytes of |data| are whole body lines the fast
 * path may take: the body goes on, the current line does not start an armor
 * line, and no '-' (which only an armor line may hold) or ':' (a refused RFC
 * 1421 header) comes before the end of the last line break taken. */
static size_t body_run(const cachet_pem_reader *r, const uint8_t *data, size_t len) {
    if (r->state != PEM_BODY || (r->nline > 0 && r->line[0] == '-')) {
        return 0;
    }
    const uint8_t *dash = memchr(data, '-', len);
    size_t end = dash != NULL ? (size_t)(dash - data) : len;
    const uint8_t *colon = memchr(data, ':', end);
    if (colon != NULL) {
        end = (size_t)(colon - data);
    }
    if (end == len) {
        return len;
    }
    /* Stop after the line break before the special byte: its line is read
     * byte by byte, so that armor and refusals are found exactly as before. */
    while (end > 0 && data[end - 1] != '\n') {
        end--;
    }
    return end;
}

/* track_line keeps the current line's start (for armor matching) after a fast run. */
static void track_line(cachet_pem_reader *r, const uint8_t *p, size_t n) {
    size_t k = n;
    while (k > 0 && p[k - 1] != '\n') {
        k--;
    }
    if (k > 0) {
        r->nline = 0;
        r->line_overflow = false;
    }
    for (; k < n; k++) {
        if (r->nline < PEM_ARMOR_MAX) {
            r->line[r->nline++] = (char)p[k];
        } else {
            r->line_overflow = true;
        }
    }
}

static cachet_status slow_bytes(cachet_pem_reader *r, const uint8_t *data, size_t len,
                                cachet_error *err);

/* fast_body decodes a run of whole body lines in large calls (the decoder skips
 * the line breaks and white space itself). A refusal is found again byte by byte
 * from the piece's start, so that its message and offset are exact. */
static cachet_status fast_body(cachet_pem_reader *r, const uint8_t *data, size_t len,
                               cachet_error *err) {
    while (len > 0) {
        size_t n = len < PEM_FAST ? len : PEM_FAST;
        if (r->nout + CACHET_MIME_B64DEC_MAX(n) > sizeof(r->outbuf)) {
            cachet_status st = flush_out(r, err);
            if (st != CACHET_OK) {
                return st;
            }
        }
        cachet_mime_b64dec saved = r->dec;
        size_t got = 0;
        if (!cachet_mime_b64dec_update(&r->dec, data, n, r->outbuf + r->nout, &got)) {
            r->dec = saved;
            return slow_bytes(r, data, len, err);
        }
        r->nout += got;
        r->offset += n;
        track_line(r, data, n);
        data += n;
        len -= n;
    }
    return CACHET_OK;
}

cachet_status cachet_pem_reader_update(cachet_pem_reader *r, const uint8_t *data, size_t len,
                                       cachet_error *err) {
    if (r->failed) {
        return cachet_err_set(err, r->status, "PEM", (long long)r->offset, "PEM reader failed");
    }
    while (len > 0) {
        size_t run = body_run(r, data, len);
        cachet_status st;
        if (run > 0) {
            st = fast_body(r, data, run, err);
        } else {
            /* up to the end of the current line, byte by byte */
            const uint8_t *nl = memchr(data, '\n', len);
            run = nl != NULL ? (size_t)(nl - data) + 1 : len;
            st = slow_bytes(r, data, run, err);
        }
        if (st != CACHET_OK) {
            return st;
        }
        data += run;
        len -= run;
    }
    return CACHET_OK;
}

static cachet_status slow_bytes(cachet_pem_reader *r, const uint8_t *data, size_t len,
                                cachet_error *err) {
    for (size_t i = 0; i < len; i++, r->offset++) {
        uint8_t c = data[i];
        if (c == '\n') {
            cachet_status st = end_of_line(r, err);
            if (st != CACHET_OK) {
                return st;
            }
            continue;
        }
        bool line_start_dash = (r->nline == 0 && c == '-') || (r->nline > 0 && r->line[0] == '-');
        if (r->nline < PEM_ARMOR_MAX) {
            r->line[r->nline++] = (char)c;
        } else {
            r->line_overflow = true;
        }
        if (r->state == PEM_BODY && !line_start_dash) {
            if (c == ' ' || c == '\t' || c == '\r') {
                continue;
            }
            if (memchr(r->line, ':', r->nline) != NULL) {
                return reader_fail(r, CACHET_ERR_MALFORMED, err,
                                   "PEM headers (RFC 1421) are not accepted");
            }
            cachet_status st = body_char(r, c, err);
            if (st != CACHET_OK) {
                return st;
            }
        } else if (r->state == PEM_AFTER && c != ' ' && c != '\t' && c != '\r') {
            return reader_fail(r, CACHET_ERR_MALFORMED, err, "data after the PEM END line");
        }
    }
    return CACHET_OK;
}

cachet_status cachet_pem_reader_finish(cachet_pem_reader *r, cachet_error *err) {
    if (r->failed) {
        return cachet_err_set(err, r->status, "PEM", (long long)r->offset, "PEM reader failed");
    }
    if (r->nline > 0) {
        cachet_status st = end_of_line(r, err);
        if (st != CACHET_OK) {
            return st;
        }
    }
    if (r->state == PEM_BEFORE) {
        return reader_fail(r, CACHET_ERR_MALFORMED, err, "no PEM BEGIN CMS or PKCS7 line");
    }
    if (r->state != PEM_AFTER) {
        return reader_fail(r, CACHET_ERR_MALFORMED, err, "PEM END line missing");
    }
    return CACHET_OK;
}

void cachet_pem_reader_free(cachet_pem_reader *r) {
    if (r != NULL) {
        cachet_cleanse(r->outbuf, sizeof(r->outbuf));
        cachet_free(r);
    }
}

cachet_status cachet_pem_encode(const char *label, const uint8_t *der, size_t len,
                                cachet_membuf *out, cachet_error *err) {
    cachet_sink s = cachet_sink_membuf(out);
    cachet_pem_writer *w = cachet_pem_writer_new(label, &s, err);
    if (w == NULL) {
        return err != NULL && err->status != CACHET_OK ? err->status : CACHET_ERR_NOMEM;
    }
    cachet_status st = cachet_pem_writer_update(w, der, len, err);
    if (st == CACHET_OK) {
        st = cachet_pem_writer_finish(w, err);
    }
    cachet_pem_writer_free(w);
    return st;
}

cachet_status cachet_pem_decode(const uint8_t *pem, size_t len, cachet_membuf *out,
                                cachet_error *err) {
    cachet_sink s = cachet_sink_membuf(out);
    cachet_pem_reader *r = cachet_pem_reader_new(&s, err);
    if (r == NULL) {
        return CACHET_ERR_NOMEM;
    }
    cachet_status st = cachet_pem_reader_update(r, pem, len, err);
    if (st == CACHET_OK) {
        st = cachet_pem_reader_finish(r, err);
    }
    cachet_pem_reader_free(r);
    return st;
}
