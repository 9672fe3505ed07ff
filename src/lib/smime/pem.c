/* PEM armor of raw CMS (pem.h), streaming both ways. */
#include <stdio.h>
#include <string.h>

#include "smime/pem.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ---- Writing ---- */

#define PEM_LINE 64 /* RFC 7468 §2: lines of exactly 64 characters but the last */

struct cachet_pem_writer {
    cachet_sink out;
    char label[32];
    uint8_t pend[3];
    size_t npend;
    char line[PEM_LINE + 1];
    size_t nline;
    bool failed;
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
    if (put_armor(w, "BEGIN", err) != CACHET_OK) {
        cachet_free(w);
        return NULL;
    }
    return w;
}

static cachet_status emit_quad(cachet_pem_writer *w, const char q[4], cachet_error *err) {
    for (size_t i = 0; i < 4; i++) {
        w->line[w->nline++] = q[i];
        if (w->nline == PEM_LINE) {
            w->line[w->nline++] = '\n';
            cachet_status st = put(w, w->line, w->nline, err);
            w->nline = 0;
            if (st != CACHET_OK) {
                return st;
            }
        }
    }
    return CACHET_OK;
}

static void encode_group(const uint8_t *in, size_t n, char q[4]) {
    uint32_t v = (uint32_t)in[0] << 16;
    if (n > 1) {
        v |= (uint32_t)in[1] << 8;
    }
    if (n > 2) {
        v |= in[2];
    }
    q[0] = b64_alphabet[(v >> 18) & 63];
    q[1] = b64_alphabet[(v >> 12) & 63];
    q[2] = n > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
    q[3] = n > 2 ? b64_alphabet[v & 63] : '=';
}

cachet_status cachet_pem_writer_update(cachet_pem_writer *w, const uint8_t *data, size_t len,
                                       cachet_error *err) {
    if (w->failed) {
        return cachet_err_set(err, CACHET_ERR_IO, "", -1, "PEM writer failed earlier");
    }
    char q[4];
    while (len > 0) {
        w->pend[w->npend++] = *data++;
        len--;
        if (w->npend == 3) {
            encode_group(w->pend, 3, q);
            w->npend = 0;
            cachet_status st = emit_quad(w, q, err);
            if (st != CACHET_OK) {
                return st;
            }
        }
    }
    return CACHET_OK;
}

cachet_status cachet_pem_writer_finish(cachet_pem_writer *w, cachet_error *err) {
    if (w->failed) {
        return cachet_err_set(err, CACHET_ERR_IO, "", -1, "PEM writer failed earlier");
    }
    cachet_status st = CACHET_OK;
    if (w->npend > 0) {
        char q[4];
        encode_group(w->pend, w->npend, q);
        w->npend = 0;
        st = emit_quad(w, q, err);
    }
    if (st == CACHET_OK && w->nline > 0) {
        w->line[w->nline++] = '\n';
        st = put(w, w->line, w->nline, err);
        w->nline = 0;
    }
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
    cachet_free(w);
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

struct cachet_pem_reader {
    cachet_sink out;
    enum pem_state state;
    char label[16];
    char line[PEM_ARMOR_MAX + 1]; /* the current line start, for armor matching */
    size_t nline;
    bool line_overflow;
    uint32_t quad;
    size_t nquad;
    size_t npad;
    bool padded; /* the final quantum ended with '=': nothing more may come */
    uint64_t offset;
    uint8_t outbuf[512];
    size_t nout;
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

static int b64_value(uint8_t c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
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

static cachet_status body_char(cachet_pem_reader *r, uint8_t c, cachet_error *err) {
    if (r->padded) {
        return reader_fail(r, CACHET_ERR_MALFORMED, err, "PEM base64 continues after padding");
    }
    if (c == '=') {
        if (r->nquad < 2) {
            return reader_fail(r, CACHET_ERR_MALFORMED, err, "misplaced '=' in PEM base64");
        }
        r->npad++;
        r->nquad++;
        r->quad <<= 6;
        if (r->nquad == 4) {
            r->outbuf[r->nout++] = (uint8_t)(r->quad >> 16);
            if (r->npad == 1) {
                r->outbuf[r->nout++] = (uint8_t)(r->quad >> 8);
            }
            r->padded = true;
            r->nquad = 0;
        }
        return CACHET_OK;
    }
    int v = b64_value(c);
    if (v < 0) {
        return reader_fail(r, CACHET_ERR_MALFORMED, err, "invalid character in PEM base64");
    }
    if (r->npad > 0) {
        return reader_fail(r, CACHET_ERR_MALFORMED, err, "misplaced '=' in PEM base64");
    }
    r->quad = (r->quad << 6) | (uint32_t)v;
    r->nquad++;
    if (r->nquad == 4) {
        r->outbuf[r->nout++] = (uint8_t)(r->quad >> 16);
        r->outbuf[r->nout++] = (uint8_t)(r->quad >> 8);
        r->outbuf[r->nout++] = (uint8_t)r->quad;
        r->nquad = 0;
        r->quad = 0;
        if (r->nout + 3 > sizeof(r->outbuf)) {
            return flush_out(r, err);
        }
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
            if (r->nquad != 0) {
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

cachet_status cachet_pem_reader_update(cachet_pem_reader *r, const uint8_t *data, size_t len,
                                       cachet_error *err) {
    if (r->failed) {
        return cachet_err_set(err, r->status, "PEM", (long long)r->offset, "PEM reader failed");
    }
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
