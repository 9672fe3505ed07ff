/* The fixed secrets of the decrypting fuzz targets (fuzz_cms_decrypt.c,
 * fuzz_smime_decrypt.c), one copy so that one corpus opens under both: RSA-2048
 * (ktri), P-256, X25519 and X448 (kari) keys with their certificates, two KEKs
 * with their ids, a password and an EncryptedData key. Throw-away keys made for
 * the fuzzers only. A target uses what it needs of them. */
#ifndef CACHET_FUZZ_FIXED_KEYS_H
#define CACHET_FUZZ_FIXED_KEYS_H

#include <stdint.h>

#define FUZZ_FIXED __attribute__((unused))

FUZZ_FIXED static const char kRsaKey[] =
    "-----BEGIN PRIVATE KEY-----\n"
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

FUZZ_FIXED static const char kRsaCert[] =
    "-----BEGIN CERTIFICATE-----\n"
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

FUZZ_FIXED static const char kEcKey[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAW/sRfQSGjnVDcMD\n"
    "U1uBqTzFYnN3rkBZUhgB7nuqm3WhRANCAAR2H0mVOSgisnE/IOpe/co/sQQufaLq\n"
    "ThRn4spG0+i+MYxOT/qdY/B98Z0qXhEvAZ1JNkxHc2bZyyZLNxwLmI8S\n"
    "-----END PRIVATE KEY-----\n";

FUZZ_FIXED static const char kEcCert[] =
    "-----BEGIN CERTIFICATE-----\n"
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

FUZZ_FIXED static const char kX25519Key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VuBCIEIIhd6EH70KOi91668GgroZEevUGWrozahWjiZTt2MR9U\n"
    "-----END PRIVATE KEY-----\n";

FUZZ_FIXED static const char kX25519Cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBSjCB/aADAgECAhQcFhCVHkq6DLUu+BwGmuVtgTYTLTAFBgMrZXAwGzEZMBcG\n"
    "A1UEAwwQY2FjaGV0IGZ1enogWCBDQTAgFw0yNjExMjYwNjU5MDFaGA8yMTI2MTEw\n"
    "MjA2NTkwMVowHTEbMBkGA1UEAwwSY2FjaGV0IGZ1enogeDI1NTE5MCowBQYDK2Vu\n"
    "AyEAHbdpaTSkyKxkSH+Qh9QDNxsCpkt43wxh4lIvs/Ss/EKjTzBNMAsGA1UdDwQE\n"
    "AwIDCDAdBgNVHQ4EFgQUu9vW0nRUxg0wNvkTcO/J763+1OEwHwYDVR0jBBgwFoAU\n"
    "UJN9EWGtvaBiB9ivD9EwEtG2KiowBQYDK2VwA0EAwqjwIHjHo0ZXv+9Xwxm1baun\n"
    "mK+ELDvYE/bInlk+7dIDHzg1LNHoOgAVsfP2KXlobTBuYv79doaF2MxbT42VBg==\n"
    "-----END CERTIFICATE-----\n";

FUZZ_FIXED static const char kX448Key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MEYCAQAwBQYDK2VvBDoEODyg/vAGVTL0gsyLAVeqmr4nqPxxn86phSDB5h57P20d\n"
    "BSxS8lfqchJa91KBgfH5e7hTHxUO0eCT\n"
    "-----END PRIVATE KEY-----\n";

FUZZ_FIXED static const char kX448Cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBYTCCAROgAwIBAgIUDm2Zk23wOclYEa3ZD1pirPaa30swBQYDK2VwMBsxGTAX\n"
    "BgNVBAMMEGNhY2hldCBmdXp6IFggQ0EwIBcNMjYxMTI2MDY1OTAxWhgPMjEyNjEx\n"
    "MDIwNjU5MDFaMBsxGTAXBgNVBAMMEGNhY2hldCBmdXp6IHg0NDgwQjAFBgMrZW8D\n"
    "OQDIQ9GEbS00HWw/WNOghWneKSI7TDpHcSMih3u7+HbGFnpuomP5p+TvX1FTusZD\n"
    "XtCSiS2JtFtSkKNPME0wCwYDVR0PBAQDAgMIMB0GA1UdDgQWBBQ9i3pVIFK+w23Z\n"
    "WxydxBRI/qPcETAfBgNVHSMEGDAWgBRQk30RYa29oGIH2K8P0TAS0bYqKjAFBgMr\n"
    "ZXADQQBI5dEirjeH47U7bgyWLy3WoyTCshijyDLNuPDWS9MKsxiJW359nHzqKUZa\n"
    "5zPUElTVVZjyfSnWUqh4KCoHe7cJ\n"
    "-----END CERTIFICATE-----\n";

/* kekri: ids as `cachet encrypt --key-id` writes them (the bytes of the string). */
FUZZ_FIXED static const uint8_t kKek128[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                               0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
FUZZ_FIXED static const uint8_t kKek256[32] = {
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f};
FUZZ_FIXED static const char kKek128Id[] = "fuzz-kek-128";
FUZZ_FIXED static const char kKek256Id[] = "fuzz-kek-256";
FUZZ_FIXED static const char kPassword[] = "fuzz-password";
/* EncryptedData: 16 bytes, so AES-128 and the 128-bit legacy ciphers open. */
FUZZ_FIXED static const uint8_t kContentKey[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                                   0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

/* The revocation targets (fuzz_crypto_crl.c, fuzz_crypto_ocsp.c): a P-256 CA
 * (CN=cachet fuzz CRL CA) and a certificate it issued (serial 0x1001), as in
 * their corpora. */
FUZZ_FIXED static const char kCaPem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBbTCCAROgAwIBAgIBATAKBggqhkjOPQQDAjAdMRswGQYDVQQDDBJjYWNoZXQg\n"
    "ZnV6eiBDUkwgQ0EwIBcNMjYxMTI2MTY1NTM0WhgPMjEyNjExMDIxNjU1MzRaMB0x\n"
    "GzAZBgNVBAMMEmNhY2hldCBmdXp6IENSTCBDQTBZMBMGByqGSM49AgEGCCqGSM49\n"
    "AwEHA0IABMlKj31qaoKOW2pIffV6GHMmsT5/RKakWpVSMqflxEacvXtBf/TYKBxK\n"
    "OWJC1AZEjifDuyA29/0b//FoBEAfJP6jQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYD\n"
    "VR0PAQH/BAQDAgEGMB0GA1UdDgQWBBS+z4Mm012NIk3H5Pdmo5rHQcWRdzAKBggq\n"
    "hkjOPQQDAgNIADBFAiEAhvUP21T7tXQ1kZe1zTLokfRaoo9M3Vr6Fkwi+5uFp3oC\n"
    "IDD+IWqU7RMPTyYfz3yahZdjbsNeJBuh5/evTqPVSCdk\n"
    "-----END CERTIFICATE-----\n";
FUZZ_FIXED static const char kLeafPem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICKzCCAdCgAwIBAgICEAEwCgYIKoZIzj0EAwIwHTEbMBkGA1UEAwwSY2FjaGV0\n"
    "IGZ1enogQ1JMIENBMCAXDTI2MTEyNjE2NTUzNFoYDzIxMjYxMTAyMTY1NTM0WjA4\n"
    "MREwDwYDVQQDDAhjcmwgbGVhZjEjMCEGCSqGSIb3DQEJARYUY3JsLWxlYWZAZXhh\n"
    "bXBsZS5vcmcwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQOo4bMB7EzvIr7Wz//\n"
    "bjqnvoV7atSmWgaYa308C3ESDtGfGX6yxMtPGl2GWJ7JNM2N8BQuBCVHEv32gjjP\n"
    "ograo4HiMIHfMAkGA1UdEwQCMAAwCwYDVR0PBAQDAgOIMB8GA1UdEQQYMBaBFGNy\n"
    "bC1sZWFmQGV4YW1wbGUub3JnMB8GA1UdIwQYMBaAFL7PgybTXY0iTcfk92ajmsdB\n"
    "xZF3MC4GA1UdHwQnMCUwI6AhoB+GHWh0dHA6Ly9jcmwuZXhhbXBsZS5vcmcvY2Eu\n"
    "Y3JsMDQGCCsGAQUFBwEBBCgwJjAkBggrBgEFBQcwAYYYaHR0cDovL29jc3AuZXhh\n"
    "bXBsZS5vcmcvMB0GA1UdDgQWBBTQOdpdqNWyBSHuF0C1kEHWiCiDYDAKBggqhkjO\n"
    "PQQDAgNJADBGAiEA5OYvgKiBF6MqIyF+Up1J0Ud0/2LvJDVrm5j6YdCH4fsCIQDc\n"
    "p60r/sOuCKqcClAw2S5GwnDklIpcUaLobRbBD7Ap8Q==\n"
    "-----END CERTIFICATE-----\n";

#endif
