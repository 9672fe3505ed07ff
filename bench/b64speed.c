/* bench/b64speed.c: the base64 part of the hardware bound of bench/stream.sh.
 * Encodes and decodes 64 MiB of random bytes with OpenSSL's EVP_EncodeBlock and
 * EVP_DecodeBlock (48 KiB of binary per call, so the working set stays in cache like a
 * streaming codec's), repeating until at least one second of CPU time has passed (CPU
 * time, as `openssl speed` counts by default: other work on the machine does not lower
 * the figure), and prints
 *   encode <binary bytes per second>
 *   decode <binary bytes per second>
 * Both rates count the binary side (what a cipher or hash sees), so a bound is simply
 * binary size / rate. No line breaks: what a MIME codec adds on top of that is its own cost.
 * Not part of the library (bench/ may use OpenSSL directly).
 * Build: cc -O2 -o b64speed bench/b64speed.c -lcrypto */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK (48u << 10)     /* binary bytes per call: a multiple of 3 */
#define TOTAL (CHUNK * 1366u) /* 64 MiB, rounded to whole chunks */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void) {
    unsigned char *bin = malloc(TOTAL);
    unsigned char *txt = malloc(TOTAL / 3 * 4 + 4);
    unsigned char *back = malloc(TOTAL + 4);
    if (bin == NULL || txt == NULL || back == NULL) {
        fputs("b64speed: out of memory\n", stderr);
        return 1;
    }
    if (RAND_bytes(bin, (int)TOTAL) != 1) {
        fputs("b64speed: RAND_bytes failed\n", stderr);
        return 1;
    }
    /* encode: each chunk's text lands where a whole-buffer encode would put it */
    double t0 = now();
    double t1 = t0;
    unsigned long long done = 0;
    while (t1 - t0 < 1.0) {
        for (size_t off = 0; off < TOTAL; off += CHUNK) {
            EVP_EncodeBlock(txt + off / 3 * 4, bin + off, (int)CHUNK);
        }
        done += TOTAL;
        t1 = now();
    }
    double enc = (double)done / (t1 - t0);
    /* decode: 64 KiB of text per call gives back 48 KiB */
    t0 = now();
    t1 = t0;
    done = 0;
    while (t1 - t0 < 1.0) {
        for (size_t off = 0; off < TOTAL; off += CHUNK) {
            if (EVP_DecodeBlock(back + off, txt + off / 3 * 4, (int)(CHUNK / 3 * 4)) !=
                (int)CHUNK) {
                fputs("b64speed: decode failed\n", stderr);
                return 1;
            }
        }
        done += TOTAL;
        t1 = now();
    }
    double dec = (double)done / (t1 - t0);
    if (memcmp(bin, back, TOTAL) != 0) {
        fputs("b64speed: round trip differs\n", stderr);
        return 1;
    }
    printf("encode %.0f\ndecode %.0f\n", enc, dec);
    free(bin);
    free(txt);
    free(back);
    return 0;
}
