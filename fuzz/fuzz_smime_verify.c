/* libFuzzer target: the whole reading pipeline (MIME incl. an AS2 HTTP start
 * line, base64, multipart/signed, CMS signed/enveloped/authEnveloped/compressed/
 * encrypted/digested/id-data, nesting) under verify with a fixed trust anchor,
 * a fixed decryption key and a fixed time, under inspect, and under decrypt
 * with every kind of secret (the key, and as in fuzz_cms_decrypt.c a KEK with
 * its id, the EncryptedData content key and the password). Any
 * input must end in a status, never a crash, a leak or an output on failure.
 * The key below is a throw-away P-256 key made for this target only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cachet/cachet.h>

static const char fuzz_cert[] = "-----BEGIN CERTIFICATE-----\n"
                                "MIIB+DCCAZ6gAwIBAgIUNcqJGkUTWWy4vR5q1GUvFIxhttcwCgYIKoZIzj0EAwIw\n"
                                "MDENMAsGA1UEAwwERnV6ejEfMB0GCSqGSIb3DQEJARYQZnV6ekBleGFtcGxlLmNv\n"
                                "bTAgFw0yNjExMjUyMjA3NDdaGA8yMTI2MTEwMTIyMDc0N1owMDENMAsGA1UEAwwE\n"
                                "RnV6ejEfMB0GCSqGSIb3DQEJARYQZnV6ekBleGFtcGxlLmNvbTBZMBMGByqGSM49\n"
                                "AgEGCCqGSM49AwEHA0IABPZPTd5zv9EzK6SOATvV1OIo5G3OB6KWreu4qmkFi6Lk\n"
                                "Xs9c/3HMoPYY5p4GTMll4YQWkIYEntjEkXmtfqmR5YSjgZMwgZAwHQYDVR0OBBYE\n"
                                "FGKHbovL1tBru7i9WeNg0KkW8yeZMB8GA1UdIwQYMBaAFGKHbovL1tBru7i9WeNg\n"
                                "0KkW8yeZMBsGA1UdEQQUMBKBEGZ1enpAZXhhbXBsZS5jb20wCwYDVR0PBAQDAgOI\n"
                                "MBMGA1UdJQQMMAoGCCsGAQUFBwMEMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0E\n"
                                "AwIDSAAwRQIhAPRohRjufS5U3ntEQPKy61EmSdxZvIqJLOr3Gxy0hZAWAiABrNYP\n"
                                "LNpyfcKLq5yBqfA2e+rulucW9N5+FDvu5lzV1Q==\n"
                                "-----END CERTIFICATE-----\n";

static const char fuzz_key[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDw3ojRRwTurk6/DR\n"
                               "QdvGfNHOEjwzm4yS49O6z5FCUjehRANCAAT2T03ec7/RMyukjgE71dTiKORtzgei\n"
                               "lq3ruKppBYui5F7PXP9xzKD2GOaeBkzJZeGEFpCGBJ7YxJF5rX6pkeWE\n"
                               "-----END PRIVATE KEY-----\n";

/* As in fuzz_cms_decrypt.c, so that its corpus opens here too. */
static const uint8_t kKek256[32] = {
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f};
static const uint8_t kContentKey[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                        0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};
static const cachet_secret_key kSecrets[] = {
    {kKek256, sizeof(kKek256), (const uint8_t *)"fuzz-kek-256", 12},
    {kContentKey, sizeof(kContentKey), NULL, 0},
};

static cachet_ctx *g_ctx;
static cachet_credential *g_cred;

/* write_temp stores |text| in a fresh temporary file (0600) and returns its path. */
static int write_temp(const char *text, char *path, size_t path_len) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, path_len, "%s/cachet-fuzz-XXXXXX", dir != NULL && dir[0] != '\0' ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        return -1;
    }
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len;
    close(fd);
    return ok ? 0 : -1;
}

static void setup(void) {
    char cpath[512], kpath[512];
    if (write_temp(fuzz_cert, cpath, sizeof(cpath)) != 0 ||
        write_temp(fuzz_key, kpath, sizeof(kpath)) != 0) {
        abort();
    }
    g_ctx = cachet_ctx_new();
    cachet_error err;
    memset(&err, 0, sizeof(err));
    if (g_ctx == NULL || cachet_ctx_add_trust_file(g_ctx, cpath) != CACHET_OK ||
        cachet_credential_load(cpath, kpath, NULL, &g_cred, &err) != CACHET_OK) {
        abort();
    }
    unlink(cpath);
    unlink(kpath);
    cachet_ctx_set_time(g_ctx, 1893456000); /* 2030-01-01 */
    cachet_limits l;
    cachet_ctx_get_limits(g_ctx, &l);
    l.max_decompressed = 1 << 20; /* keep each run fast */
    l.hold_in_memory = 64 * 1024;
    l.max_pbkdf2_iterations = 2048; /* PBKDF2 must not slow the fuzzer */
    l.max_ccm_content = 4096;
    cachet_ctx_set_limits(g_ctx, &l);
}

static void run(const uint8_t *data, size_t size, int variant) {
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_verify_opts opts = {.decrypt_with = g_cred, .raw = variant == 1};
    cachet_decrypt_opts dopts = {.cred = g_cred,
                                 .secret_keys = kSecrets,
                                 .num_secret_keys = sizeof(kSecrets) / sizeof(kSecrets[0]),
                                 .password = "fuzz-password",
                                 .verify_signed = true,
                                 .raw = (size & 1) != 0};
    cachet_op *op = NULL;
    if (variant == 2) {
        op = cachet_inspect_new(g_ctx, false, NULL);
    } else if (variant == 3) {
        op = cachet_decrypt_new(g_ctx, &dopts, &sink, NULL);
    } else {
        op = cachet_verify_new(g_ctx, &opts, &sink, NULL);
    }
    if (op == NULL) {
        abort();
    }
    /* Two chunks split in the middle: chunk borders must not matter. */
    size_t half = size / 2;
    cachet_status st = cachet_op_update(op, data, half);
    if (st == CACHET_OK) {
        st = cachet_op_update(op, data + half, size - half);
    }
    cachet_report *rep = NULL;
    cachet_status fst = cachet_op_finish(op, &rep);
    if (fst != CACHET_OK && out.len != 0) {
        abort(); /* output released on failure */
    }
    if (cachet_op_error(op) == NULL) {
        abort();
    }
    cachet_report_free(rep);
    cachet_op_free(op);
    cachet_membuf_free(&out);
    (void)st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (g_ctx == NULL) {
        setup();
    }
    for (int variant = 0; variant < 4; variant++) {
        run(data, size, variant);
    }
    return 0;
}
