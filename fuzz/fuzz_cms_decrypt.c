/* libFuzzer target: EnvelopedData / AuthEnvelopedData decryption with fixed
 * test keys (RSA-2048 for ktri, P-256 for kari). The keys are throwaway test
 * material generated for this fuzzer only. Each input is decrypted with both
 * keys, fed whole and then in 7-byte chunks, with small limits so that the limit
 * paths are reached. Corpus: fuzz/corpus/fuzz_cms_decrypt/ (made with
 * `openssl cms -encrypt` to these certificates). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cms/enveloped.h"

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

typedef struct party {
    cachet_pkey *key;
    cachet_cert *cert;
} party;

static bool load(const char *key_pem, const char *cert_pem, party *out) {
    cachet_cert_list list = {0};
    cachet_error err;
    cachet_err_clear(&err);
    if (cachet_pkey_load_private((const uint8_t *)key_pem, strlen(key_pem), NULL, &out->key,
                                 &err) != CACHET_OK ||
        cachet_cert_load((const uint8_t *)cert_pem, strlen(cert_pem), &list, &err) != CACHET_OK ||
        list.num == 0) {
        cachet_cert_list_clear(&list);
        return false;
    }
    out->cert = cachet_cert_up_ref(list.certs[0]);
    cachet_cert_list_clear(&list);
    return true;
}

static void run(const party *p, const uint8_t *data, size_t size, size_t chunk) {
    cachet_cms_limits limits;
    cachet_cms_policy policy;
    cachet_membuf out = {0};
    cachet_sink sink;
    cachet_error err;
    cachet_layer_report rep;
    cachet_cms_decrypt *dec;
    cachet_status st = CACHET_OK;
    cachet_cms_limits_default(&limits);
    limits.max_skeleton = 64 * 1024;
    limits.max_recipients = 8;
    memset(&policy, 0, sizeof(policy));
    policy.allow_weak = (size & 1) != 0;
    out.max = 1 << 20;
    sink = cachet_sink_membuf(&out);
    cachet_err_clear(&err);
    dec = cachet_cms_decrypt_new(p->key, p->cert, &policy, &limits, &sink, &err);
    if (dec == NULL) {
        return;
    }
    for (size_t off = 0; st == CACHET_OK && off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        st = cachet_cms_decrypt_update(dec, data + off, n, &err);
    }
    if (st == CACHET_OK) {
        st = cachet_cms_decrypt_finish(dec, &rep, &err);
    }
    /* The decryption-failure detail must never vary (ATTACKS BL-01). */
    if (st == CACHET_ERR_DECRYPT && strcmp(err.message, "decryption failed") != 0) {
        __builtin_trap();
    }
    cachet_cms_decrypt_free(dec);
    cachet_membuf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static party parties[2];
    static int loaded = -1;
    if (loaded < 0) {
        loaded = load(kRsaKey, kRsaCert, &parties[0]) && load(kEcKey, kEcCert, &parties[1]);
    }
    if (!loaded) {
        return 0;
    }
    for (size_t i = 0; i < 2; i++) {
        run(&parties[i], data, size, size == 0 ? 1 : size);
        run(&parties[i], data, size, 7);
    }
    return 0;
}
