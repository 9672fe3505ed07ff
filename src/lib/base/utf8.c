/* One UTF-8 check for every module that must refuse malformed text (MIME
 * parameters, ESS labels, certificate addresses). */
#include "base/base.h"

bool cachet_utf8_valid(const uint8_t *s, size_t n) {
    static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t k;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
            k = 1;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3;
        } else {
            return false;
        }
        if (k >= n - i) {
            return false;
        }
        uint32_t cp = (uint32_t)(c & (0x3f >> k));
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += k + 1;
    }
    return true;
}
