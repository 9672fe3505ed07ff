/* Byte surgery on encoded messages for the CMS decryption attack tests
 * (test_cms_enveloped_attacks.c, test_cms_decrypt_uniform_classes.c,
 * test_cms_decrypt_recipient_count.c): a malloc'd buffer, a splice, a search,
 * and the place of the last byte of the next-to-last CBC block. */
#ifndef CACHET_TEST_CMS_BLOB_H
#define CACHET_TEST_CMS_BLOB_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct blob {
    uint8_t *data;
    size_t len;
} blob;

/* splice replaces |old_len| bytes at |off| of |b| with |rep| (a new blob). */
__attribute__((unused)) static blob splice(blob b, size_t off, size_t old_len, const uint8_t *rep,
                                           size_t rep_len) {
    blob r;
    r.len = b.len - old_len + rep_len;
    r.data = malloc(r.len);
    memcpy(r.data, b.data, off);
    if (rep_len > 0) {
        memcpy(r.data + off, rep, rep_len);
    }
    memcpy(r.data + off + rep_len, b.data + off + old_len, b.len - off - old_len);
    return r;
}

/* find: the first |pat| at or after |from|, SIZE_MAX if none. */
__attribute__((unused)) static size_t find(blob b, const uint8_t *pat, size_t pat_len,
                                           size_t from) {
    for (size_t i = from; i + pat_len <= b.len; i++) {
        if (memcmp(b.data + i, pat, pat_len) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* cbc_penultimate_byte: where the last byte of the next-to-last CBC block of
 * our BER output is (the content octets are OCTET STRING chunks inside the
 * constructed encryptedContent [0] after the algorithm at |alg|); SIZE_MAX if
 * the layout is not that. */
__attribute__((unused)) static size_t cbc_penultimate_byte(blob b, size_t alg) {
    size_t start = alg + 2 + b.data[alg + 1], total = 0;
    if (start + 2 > b.len || b.data[start] != 0xa0 || b.data[start + 1] != 0x80) {
        return SIZE_MAX;
    }
    for (int pass = 0; pass < 2; pass++) {
        size_t q = start + 2, seen = 0;
        while (q + 4 <= b.len && b.data[q] == 0x04) {
            size_t hdr = 2, len = b.data[q + 1];
            if (len == 0x81) {
                hdr = 3;
                len = b.data[q + 2];
            } else if (len == 0x82) {
                hdr = 4;
                len = ((size_t)b.data[q + 2] << 8) | b.data[q + 3];
            }
            if (pass == 1 && total >= 17 && seen <= total - 17 && total - 17 < seen + len) {
                return q + hdr + (total - 17 - seen);
            }
            seen += len;
            q += hdr + len;
        }
        total = seen;
    }
    return SIZE_MAX;
}

#endif
