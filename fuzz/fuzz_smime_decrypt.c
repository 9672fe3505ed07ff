/* libFuzzer target: the whole S/MIME decrypt pipeline as `cachet decrypt`
 * runs it (cachet_decrypt_new / cachet_op_update / cachet_op_finish): MIME,
 * base64, application/pkcs7-mime enveloped/authEnveloped/encrypted layers,
 * nested signed/compressed layers under them (verified with the EC
 * certificate as the trust anchor at a fixed time). Fixed test keys: RSA-2048
 * (ktri), P-256 and X25519 (kari) as in fuzz_cms_decrypt.c, so that corpus
 * opens here too; a KEK with its id, an EncryptedData key and a password as
 * well. An input starting with 0x30 is taken as DER CMS (--raw), anything else
 * as a MIME message. Throw-away keys made for the fuzzers only.
 *
 * Each input is fed whole, in random chunks (sizes drawn from a generator
 * seeded by the input, so a finding replays) and, when small, byte by byte.
 * Oracles:
 * - success or failure is the same for every chunking, and so is the status
 *   (the first failing update, else finish), except that with two defects in
 *   one input the chunking decides which one the streaming layers meet first
 *   (whole, bad base64 near the end is found before a CMS defect in what
 *   decodes before it; streamed, the CMS defect): the message may then
 *   differ, and the status when one side is MALFORMED, UNSUPPORTED or LIMIT;
 * - never INTERNAL, NOMEM or USAGE (the options are fixed and valid);
 * - on failure nothing reached the sink (no byte, no call);
 * - on success the output and the report's layers (type, cipher, key
 *   management, recipients) are byte-identical across chunkings;
 * - a failure after decryption started is CACHET_ERR_DECRYPT whatever broke
 *   (RFC 3218; issue 8 item 5), so the only tolerated disagreement is RSA
 *   PKCS#1 v1.5 under CBC, where the random CEK that replaces a bad one passes
 *   the padding check about once in 256 (fuzz-findings F5-01): one run then
 *   "succeeds" with noise while the other fails with CACHET_ERR_DECRYPT. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cachet/cachet.h>

#include "base/base.h"

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static const char kRsaKey[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC6Gp2k8lsmdey6\n"
                              "PCjqp95Nth6LYgoCJYIQsu4nHaqIs0Ibe9Vuq/MUz0p6Lzl8iHkj6QeEKLu4b0Ig\n"
                              "MX/XeNFsnNx3aA70MUdtLxJe45mQ4mDMoZUPMlHuaTxjfUvRq0YyKqqpMQ7yAr2x\n"
                              "A2+ECgf2SjP46Mpal/oerHCmVZ8OafcXEC1HX3C0ndFHfOOxL+STe1ib+qWTudAj\n"
                              "UTWF/4OianPMvACorebtJ6lNMzGIk9TLv3dSUQn122zLuoodUmtTo1TD7W1OQSmv\n"
                              "45ExrgOmjibhAzwQ4satYdGPKWdh1kE7mf9xhq2jJBREV90rgqpDD2ysc+0wjdWa\n"
                              "hQkCdVA1AgMBAAECggEAR0L/0HR5EL4hGqMEq+4BwtIU2hx9ZpsENe6+IL5MWbIC\n"
                              "g1GkxY8UMoi5pRXGNnhvop+NoD6UuyfnMzqhEFoUHznlddejuj/QcO+QYkNWv1Lf\n"
                              "7BuHX11OYDNty07kJHIoG/eYh9bgOS1xg4GkRvQsXlPFmO9S5OPDA9HWBOtOT479\n"
                              "rLnyiD5hT7EteBoMdCdAuqBTnsDKSeLrhvAlAn81Q3c/7LgdsVJ3KO6jWIIMK47r\n"
                              "yIGHE4Ahb3B9KyBIR79pTyDUVFdSFivdDmzFsXcaUV9nZ+uUCcRpwCOOKE4nStKH\n"
                              "lVHxP4orqwssMF706DXArO3g+VEs/6H2ifIHROAONQKBgQD0sTHJOxK4Bgtk7nvo\n"
                              "xAzPtB5+5b3o9o7SxTIea9Uzlg1f4l0RSOO1jD+q8PCv0EiBAPlsgJmGZ+LA11dt\n"
                              "rTpmqdUIEJDKrEOnYLLt/n4JwW27DPv/dF3XVwXTdVjYkBID9KMjV0A3UcFR32xA\n"
                              "9N9SzUpG9pj6RsHr2cJ5Kagt2wKBgQDCtEy268I2rThtIVxrG3QhrSGZYc7Bv5rs\n"
                              "dJkeMhr49BbwuLiUTaPkfN6v7oqfXmPL7Xw4XhA22xqLNmzj0hmo+Ba2qLxZX2hF\n"
                              "1/roCRQrd9qV91r1bxFznw94V/pTavh0kcZY29wct+EUMT/mcjTfple9c6XRT/ZZ\n"
                              "Nmzrm6Q/LwKBgQDSYjfIKP5jMu9BDLuE2muZeehueuHaF4OdPOdmuJhLDkzZkCss\n"
                              "3VrLkZZ8R0TqJU7xfAD4hWl64n9YBs6pAjQgaQ09LeEQISTaGI4/inybrq/GD9fr\n"
                              "QAYfTDc6JL8LFHQo6oIJtM8FwUlSN6NABkqtSsz+TrAhIA1D16sZufNb2QKBgBcl\n"
                              "dgU8676yQwX+NE1rWxfxzA++5+RykclQZy+Gx1wXMG73lsHSpQwxqAuEMSiXAQgq\n"
                              "OF0/GXBcBcDM/I7s2C4VKCYY0yNQy0WaUnKpOaOdQPgZCtAonwt+ukkVNGYcTmMV\n"
                              "PV4s7PLhDTnoTO9pXk3EKaQVDn5eoiui47nyq8jzAoGABdMMiCNS5kTL7ZVlMHKa\n"
                              "SLczdOMYfEiiwe0ebN4eqWyvcF/hOxMKuJ5DxXSXg7wVUrWDkVb6BpxYKcpaf62X\n"
                              "zTRo0w4LLEOGr2vZtLEmwh6WkpwvzfdGoeQ9iRyi41W9xH3sXOCsDysJD3yW4uCg\n"
                              "j9gbQKYPCmqy9iT/rCwYdIY=\n"
                              "-----END PRIVATE KEY-----\n";

static const char kRsaCert[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIIDJDCCAgygAwIBAgIUd99KsTJnwqZEYGZvwJMETh85xYMwDQYJKoZIhvcNAQEL\n"
                               "BQAwGjEYMBYGA1UEAwwPY2FjaGV0IGZ1enogUlNBMCAXDTI2MTEyNTIyMDAzM1oY\n"
                               "DzIxMjYxMTAxMjIwMDMzWjAaMRgwFgYDVQQDDA9jYWNoZXQgZnV6eiBSU0EwggEi\n"
                               "MA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQC6Gp2k8lsmdey6PCjqp95Nth6L\n"
                               "YgoCJYIQsu4nHaqIs0Ibe9Vuq/MUz0p6Lzl8iHkj6QeEKLu4b0IgMX/XeNFsnNx3\n"
                               "aA70MUdtLxJe45mQ4mDMoZUPMlHuaTxjfUvRq0YyKqqpMQ7yAr2xA2+ECgf2SjP4\n"
                               "6Mpal/oerHCmVZ8OafcXEC1HX3C0ndFHfOOxL+STe1ib+qWTudAjUTWF/4OianPM\n"
                               "vACorebtJ6lNMzGIk9TLv3dSUQn122zLuoodUmtTo1TD7W1OQSmv45ExrgOmjibh\n"
                               "AzwQ4satYdGPKWdh1kE7mf9xhq2jJBREV90rgqpDD2ysc+0wjdWahQkCdVA1AgMB\n"
                               "AAGjYDBeMB0GA1UdDgQWBBTObNsd+GNCWQpH+tGikzOMI9i34TAfBgNVHSMEGDAW\n"
                               "gBTObNsd+GNCWQpH+tGikzOMI9i34TAPBgNVHRMBAf8EBTADAQH/MAsGA1UdDwQE\n"
                               "AwIFIDANBgkqhkiG9w0BAQsFAAOCAQEAehDxGWASLoQMV+cXwID40MDevwZPA+CG\n"
                               "uAyj4rR3ymBb9l/4gpvrM7YX/sa9ruvezWzG/DroNx1QMAOaC/mHW8KYK4tMrflA\n"
                               "wYups9czmOSbLKs7aEqO7p8ytYXpCihr7zU2K9ZLdul3jvDclJJ6odi3iK5Z957F\n"
                               "G4NtV3CVM+qKc/foF4k7nKfCAAhqIz9IXoa7+/tykjtl1KYhQLt1geVIOXbNO7XD\n"
                               "v7xTw9XCbnTEqZV7FXKxlO8dV7Ah3WXAitmZkCpEbbeFD44F9gOR+0aFq3LxSo4K\n"
                               "h9gEIMQS6VbeODxTEWtWaSdXtQfpxdmfqPC8X18BSOgDC/FpIeTxmA==\n"
                               "-----END CERTIFICATE-----\n";

static const char kEcKey[] = "-----BEGIN PRIVATE KEY-----\n"
                             "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAW/sRfQSGjnVDcMD\n"
                             "U1uBqTzFYnN3rkBZUhgB7nuqm3WhRANCAAR2H0mVOSgisnE/IOpe/co/sQQufaLq\n"
                             "ThRn4spG0+i+MYxOT/qdY/B98Z0qXhEvAZ1JNkxHc2bZyyZLNxwLmI8S\n"
                             "-----END PRIVATE KEY-----\n";

static const char kEcCert[] = "-----BEGIN CERTIFICATE-----\n"
                              "MIIBljCCATygAwIBAgIUGn+qM6q8f1D8XStpzbPQGLZ219owCgYIKoZIzj0EAwIw\n"
                              "GTEXMBUGA1UEAwwOY2FjaGV0IGZ1enogRUMwIBcNMjYxMTI1MjIwMDMzWhgPMjEy\n"
                              "NjExMDEyMjAwMzNaMBkxFzAVBgNVBAMMDmNhY2hldCBmdXp6IEVDMFkwEwYHKoZI\n"
                              "zj0CAQYIKoZIzj0DAQcDQgAEdh9JlTkoIrJxPyDqXv3KP7EELn2i6k4UZ+LKRtPo\n"
                              "vjGMTk/6nWPwffGdKl4RLwGdSTZMR3Nm2csmSzccC5iPEqNgMF4wHQYDVR0OBBYE\n"
                              "FOto8CKopzdIWQfQ3HxOHFymkk1OMB8GA1UdIwQYMBaAFOto8CKopzdIWQfQ3HxO\n"
                              "HFymkk1OMA8GA1UdEwEB/wQFMAMBAf8wCwYDVR0PBAQDAgOIMAoGCCqGSM49BAMC\n"
                              "A0gAMEUCIQC4t9LQSOCTHXVlOU8MxlqdHtuYbZj24+qB2K78gCBHIAIgBAJfAKgH\n"
                              "DWOdMPk13EslxBXafo33ICgrb0z3LEGapf8=\n"
                              "-----END CERTIFICATE-----\n";

static const char kX25519Key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VuBCIEIIhd6EH70KOi91668GgroZEevUGWrozahWjiZTt2MR9U\n"
    "-----END PRIVATE KEY-----\n";

static const char kX25519Cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBSjCB/aADAgECAhQcFhCVHkq6DLUu+BwGmuVtgTYTLTAFBgMrZXAwGzEZMBcG\n"
    "A1UEAwwQY2FjaGV0IGZ1enogWCBDQTAgFw0yNjExMjYwNjU5MDFaGA8yMTI2MTEw\n"
    "MjA2NTkwMVowHTEbMBkGA1UEAwwSY2FjaGV0IGZ1enogeDI1NTE5MCowBQYDK2Vu\n"
    "AyEAHbdpaTSkyKxkSH+Qh9QDNxsCpkt43wxh4lIvs/Ss/EKjTzBNMAsGA1UdDwQE\n"
    "AwIDCDAdBgNVHQ4EFgQUu9vW0nRUxg0wNvkTcO/J763+1OEwHwYDVR0jBBgwFoAU\n"
    "UJN9EWGtvaBiB9ivD9EwEtG2KiowBQYDK2VwA0EAwqjwIHjHo0ZXv+9Xwxm1baun\n"
    "mK+ELDvYE/bInlk+7dIDHzg1LNHoOgAVsfP2KXlobTBuYv79doaF2MxbT42VBg==\n"
    "-----END CERTIFICATE-----\n";

/* As in fuzz_cms_decrypt.c: the 256-bit KEK with its id, the EncryptedData
 * content key and the password. */
static const uint8_t kKek256[32] = {
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f};
static const uint8_t kContentKey[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                        0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};
static const cachet_secret_key kSecrets[] = {
    {kKek256, sizeof(kKek256), (const uint8_t *)"fuzz-kek-256", 12},
    {kContentKey, sizeof(kContentKey), NULL, 0},
};

enum { NUM_CREDS = 3 };
static cachet_ctx *g_ctx;
static cachet_credential *g_creds[NUM_CREDS];

static void write_temp(const char *text, char *path, size_t path_len) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, path_len, "%s/cachet-fuzz-XXXXXX", dir != NULL && dir[0] != '\0' ? dir : "/tmp");
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    size_t len = strlen(text);
    REQUIRE(write(fd, text, len) == (ssize_t)len);
    close(fd);
}

static void setup(void) {
    static const char *const pems[NUM_CREDS][2] = {
        {kRsaCert, kRsaKey}, {kEcCert, kEcKey}, {kX25519Cert, kX25519Key}};
    cachet_error err;
    cachet_err_clear(&err);
    g_ctx = cachet_ctx_new();
    REQUIRE(g_ctx != NULL);
    for (size_t i = 0; i < NUM_CREDS; i++) {
        char cpath[512], kpath[512];
        write_temp(pems[i][0], cpath, sizeof(cpath));
        write_temp(pems[i][1], kpath, sizeof(kpath));
        REQUIRE(cachet_credential_load(cpath, kpath, NULL, &g_creds[i], &err) == CACHET_OK);
        if (i == 1) {
            REQUIRE(cachet_ctx_add_trust_file(g_ctx, cpath) == CACHET_OK);
        }
        unlink(cpath);
        unlink(kpath);
    }
    cachet_ctx_set_time(g_ctx, 1893456000); /* 2030-01-01 */
    /* The test certificates carry no address: signed layers are checked for
     * signature and path, not for the From binding. */
    cachet_ctx_set_address_check(g_ctx, false);
    cachet_limits l;
    cachet_ctx_get_limits(g_ctx, &l);
    l.max_decompressed = 1 << 20; /* keep each run fast */
    l.hold_in_memory = 64 * 1024;
    l.max_pbkdf2_iterations = 2048; /* the seeds use 1000 and 2048 */
    l.max_ccm_content = 4096;
    cachet_ctx_set_limits(g_ctx, &l);
}

/* A sink that records every call, so "nothing reached it" can be checked. */
typedef struct recorder {
    cachet_membuf buf;
    size_t calls;
} recorder;

static cachet_status record(void *arg, const uint8_t *data, size_t len) {
    recorder *r = arg;
    r->calls++;
    return cachet_membuf_append(&r->buf, data, len) ? CACHET_OK : CACHET_ERR_LIMIT;
}

typedef struct outcome {
    cachet_status st;
    cachet_error err;
    recorder out;
    cachet_report *rep;
} outcome;

/* chunk sizes: 0 = whole, 1 = byte by byte, else a generator seed. */
static void run(const uint8_t *data, size_t size, uint64_t chunks, outcome *o) {
    memset(o, 0, sizeof(*o));
    o->out.buf.max = 4u << 20;
    cachet_sink sink = {.write = record, .arg = &o->out};
    const cachet_credential *more[NUM_CREDS - 1] = {g_creds[1], g_creds[2]};
    cachet_decrypt_opts opts = {
        .cred = g_creds[0],
        .more_creds = more,
        .num_more_creds = NUM_CREDS - 1,
        .secret_keys = kSecrets,
        .num_secret_keys = sizeof(kSecrets) / sizeof(kSecrets[0]),
        .password = "fuzz-password",
        .verify_signed = true,
        .raw = size > 0 && data[0] == 0x30,
    };
    cachet_error err;
    cachet_err_clear(&err);
    cachet_op *op = cachet_decrypt_new(g_ctx, &opts, &sink, &err);
    REQUIRE(op != NULL); /* the options are fixed and valid */
    cachet_status st = CACHET_OK;
    uint64_t x = chunks;
    for (size_t off = 0; st == CACHET_OK && off < size;) {
        size_t n = size - off;
        if (chunks == 1) {
            n = 1;
        } else if (chunks != 0) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t want = (x & 3) == 0 ? (size_t)(x >> 8) % 4096 + 1 : (size_t)(x >> 8) % 64 + 1;
            n = want < n ? want : n;
        }
        st = cachet_op_update(op, data + off, n);
        off += n;
    }
    cachet_status fst = cachet_op_finish(op, &o->rep);
    o->st = st != CACHET_OK ? st : fst;
    REQUIRE(st == CACHET_OK || fst != CACHET_OK); /* a failed update fails the op */
    const cachet_error *e = cachet_op_error(op);
    REQUIRE(e != NULL);
    o->err = *e;
    if (o->st != CACHET_OK) {
        REQUIRE(o->out.calls == 0 && o->out.buf.len == 0); /* no output on failure */
    }
    /* Fixed valid options and no allocation failure: neither is ever the input's fault. */
    REQUIRE(o->st != CACHET_ERR_INTERNAL && o->st != CACHET_ERR_NOMEM && o->st != CACHET_ERR_USAGE);
    cachet_op_free(op);
    if (getenv("CACHET_FUZZ_VERBOSE") != NULL) {
        fprintf(stderr, "chunks=%llu status=%s out=%zu where=[%s] at %lld: %s\n",
                (unsigned long long)chunks, cachet_status_str(o->st), o->out.buf.len, o->err.where,
                o->err.offset, o->err.message);
    }
}

static bool rsa_cbc(const outcome *o) {
    for (size_t i = 0; o->rep != NULL && i < o->rep->num_layers; i++) {
        const cachet_layer_report *l = &o->rep->layers[i];
        if (strcmp(l->key_management, "rsaEncryption") == 0 && !l->authenticated) {
            return true;
        }
    }
    return false;
}

static bool same_layers(const cachet_report *a, const cachet_report *b) {
    if ((a == NULL) != (b == NULL)) {
        return false;
    }
    if (a == NULL) {
        return true;
    }
    if (a->num_layers != b->num_layers || a->valid != b->valid) {
        return false;
    }
    for (size_t i = 0; i < a->num_layers; i++) {
        const cachet_layer_report *x = &a->layers[i], *y = &b->layers[i];
        if (x->type != y->type || strcmp(x->cipher, y->cipher) != 0 ||
            strcmp(x->key_management, y->key_management) != 0 ||
            x->num_recipients != y->num_recipients || x->authenticated != y->authenticated ||
            strcmp(x->part, y->part) != 0) {
            return false;
        }
    }
    return true;
}

/* input_fault: the input is not well-formed, not supported or over a limit
 * (exit status 3 of the CLI). */
static bool input_fault(cachet_status st) {
    return st == CACHET_ERR_MALFORMED || st == CACHET_ERR_UNSUPPORTED || st == CACHET_ERR_LIMIT;
}

static bool agree(const outcome *a, const outcome *b) {
    if (a->st == CACHET_OK && b->st == CACHET_OK) {
        return (a->out.buf.len == b->out.buf.len &&
                (a->out.buf.len == 0 ||
                 memcmp(a->out.buf.data, b->out.buf.data, a->out.buf.len) == 0) &&
                same_layers(a->rep, b->rep)) ||
               (rsa_cbc(a) && rsa_cbc(b));
    }
    if (a->st == b->st ||
        (a->st != CACHET_OK && b->st != CACHET_OK && (input_fault(a->st) || input_fault(b->st)))) {
        /* With two defects in one input the chunking decides which one the
         * streaming layers meet first. Fed whole, the MIME layer decodes a
         * whole batch of base64 before handing it on, so bad base64 near the
         * end wins over a CMS defect (unknown content type, no recipient for
         * us) in what decodes before it; streamed, the CMS defect wins. The
         * message, and the status when one side is "not well-formed,
         * unsupported or over a limit", may then differ; failure against
         * success never. */
        return true;
    }
    /* F5-01: noise that passed the padding check against a clean failure. */
    return (a->st == CACHET_OK && rsa_cbc(a) && b->st == CACHET_ERR_DECRYPT) ||
           (b->st == CACHET_OK && rsa_cbc(b) && a->st == CACHET_ERR_DECRYPT);
}

static void release(outcome *o) {
    cachet_membuf_free(&o->out.buf);
    cachet_report_free(o->rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (g_ctx == NULL) {
        setup();
    }
    uint64_t seed = 1469598103934665603u; /* FNV-1a of the input: a finding replays */
    for (size_t i = 0; i < size; i++) {
        seed = (seed ^ data[i]) * 1099511628211u;
    }
    seed |= 2; /* never 0 (whole) or 1 (byte by byte) */
    outcome whole, chunked;
    run(data, size, 0, &whole);
    run(data, size, seed, &chunked);
    REQUIRE(agree(&whole, &chunked));
    release(&chunked);
    if (size <= 2048) {
        outcome bytes;
        run(data, size, 1, &bytes);
        REQUIRE(agree(&whole, &bytes));
        release(&bytes);
    }
    release(&whole);
    return 0;
}
