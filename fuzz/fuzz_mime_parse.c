/* Fuzz target for the MIME parser. Oracles: never crash; the event log is the
 * same fed whole and fed in pseudo-random chunks; on success the raw bytes of the
 * top-level part are exactly the input, less an AS2 HTTP start line (RFC 4130:
 * "POST ...", "PUT ...", "HTTP/1.x ...") when the parser reports one, which it
 * may only do for input starting so. Byte 0 selects options (bit 0: descend
 * into message/rfc822) and seeds the chunking; the rest is the message. The
 * header utilities get the message text as a value too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime/internal.h"

static bool same_outcome(const cachet_mime_recorder *a, const cachet_mime_recorder *b,
                         cachet_status sa, cachet_status sb) {
    if (sa != sb) {
        return false;
    }
    if (sa == CACHET_OK) {
        return a->log.len == b->log.len && memcmp(a->log.data, b->log.data, a->log.len) == 0;
    }
    /* After an error only the final line (status, where, offset, message) is
     * comparable: how much data was delivered before it depends on the chunks. */
    const uint8_t *la = a->log.data, *lb = b->log.data;
    size_t na = a->log.len, nb = b->log.len;
    size_t ia = na ? na - 1 : 0, ib = nb ? nb - 1 : 0;
    while (ia > 0 && la[ia - 1] != '\n') {
        ia--;
    }
    while (ib > 0 && lb[ib - 1] != '\n') {
        ib--;
    }
    return na - ia == nb - ib && memcmp(la + ia, lb + ib, na - ia) == 0;
}

/* The anomaly bits of the recorder's final line ("= ok anomalies=0x..."). */
static unsigned long final_anomalies(const cachet_mime_recorder *r) {
    static const char key[] = "anomalies=0x";
    const char *log = (const char *)r->log.data;
    size_t n = r->log.len, i = n > 0 ? n - 1 : 0;
    while (i > 0 && log[i - 1] != '\n') {
        i--;
    }
    for (; i + sizeof(key) - 1 <= n; i++) {
        if (memcmp(log + i, key, sizeof(key) - 1) == 0) {
            unsigned long v = 0;
            for (i += sizeof(key) - 1; i < n; i++) {
                char c = log[i];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
                if (d < 0) {
                    break;
                }
                v = v * 16 + (unsigned long)d;
            }
            return v;
        }
    }
    abort(); /* the recorder always ends with its status line */
}

/* Where the MIME entity starts: after the first line when it is an AS2 HTTP
 * start line the parser skipped. */
static size_t entity_start(const uint8_t *msg, size_t len, unsigned long anomalies) {
    static const char *const starts[] = {"POST ", "PUT ", "HTTP/1.0 ", "HTTP/1.1 "};
    if ((anomalies & CACHET_MIME_ANOM_HTTP_START_LINE) == 0) {
        return 0;
    }
    bool http = false;
    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
        size_t n = strlen(starts[i]);
        http = http || (len > n && memcmp(msg, starts[i], n) == 0);
    }
    if (!http) {
        abort(); /* reported without such a line */
    }
    /* The line may also end the input: then nothing of it is the entity. */
    const uint8_t *nl = memchr(msg, '\n', len);
    return nl == NULL ? len : (size_t)(nl - msg) + 1;
}

static void header_utilities(const uint8_t *data, size_t size) {
    size_t n = size < 4096 ? size : 4096;
    cachet_mime_ctype ct;
    if (cachet_mime_parse_content_type((const char *)data, n, &ct, NULL) == CACHET_OK) {
        (void)cachet_mime_params_get(&ct.params, "boundary");
        cachet_mime_ctype_clear(&ct);
    }
    cachet_mime_mailbox_list l;
    if (cachet_mime_parse_mailboxes((const char *)data, n, &l, NULL) == CACHET_OK) {
        for (size_t i = 0; i + 1 < l.count; i++) {
            (void)cachet_mime_addr_equal(l.items[i].addr_spec, l.items[i + 1].addr_spec);
        }
        cachet_mime_mailbox_list_clear(&l);
    }
    (void)cachet_mime_parse_cte((const char *)data, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > (1u << 20)) {
        return 0;
    }
    unsigned flags = (data[0] & 1) ? CACHET_MIME_DESCEND_MESSAGE : 0;
    uint32_t seed = 0x9e3779b9u ^ data[0] ^ (uint32_t)size;
    const uint8_t *msg = data + 1;
    size_t len = size - 1;
    header_utilities(msg, len);

    cachet_mime_recorder whole, chunked;
    cachet_status sw = cachet_mime_record_run(msg, len, NULL, 0, flags, NULL, NULL, &whole);
    size_t cuts[256];
    size_t n = 0;
    for (size_t at = 0; n < 256;) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        at += 1 + seed % 64;
        if (at >= len) {
            break;
        }
        cuts[n++] = at;
    }
    cachet_status sc = cachet_mime_record_run(msg, len, cuts, n, flags, NULL, NULL, &chunked);
    if (sw != CACHET_ERR_NOMEM && sc != CACHET_ERR_NOMEM) {
        if (!same_outcome(&whole, &chunked, sw, sc)) {
            abort();
        }
        if (sw == CACHET_OK) {
            const cachet_membuf *top = cachet_mime_record_raw(&whole, "");
            size_t tl = top ? top->len : 0;
            size_t skip = entity_start(msg, len, final_anomalies(&whole));
            if (tl != len - skip || (tl > 0 && memcmp(top->data, msg + skip, tl) != 0)) {
                abort();
            }
        }
    }
    cachet_mime_record_free(&whole);
    cachet_mime_record_free(&chunked);
    return 0;
}
