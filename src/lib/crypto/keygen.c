/* Key generation from a short spec and PKCS#8 PEM output (RFC 5958), encrypted
 * with PBES2 (RFC 8018: PBKDF2 + AES-256-CBC) when a passphrase is given. */
#include <string.h>

#include <openssl/encoder.h>
#include <openssl/err.h>

#include "crypto/internal.h"

#define KEYGEN_RSA_MIN_BITS 2048u
#define KEYGEN_RSA_MAX_BITS 8192u
/* A passphrase longer than this is a mistake (a file pasted in), not a secret. */
#define KEYGEN_MAX_PASS 1024u

static const char accepted[] =
    "rsa:BITS (2048..8192), ec:P-256, ec:P-384, ec:P-521, ed25519, ed448, x25519 or x448";

/* parse_rsa_bits reads the decimal BITS of "rsa:BITS": digits only, in range. */
static bool parse_rsa_bits(const char *s, unsigned *out) {
    unsigned v = 0;
    if (*s == '\0' || strlen(s) > 5) {
        return false;
    }
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v < KEYGEN_RSA_MIN_BITS || v > KEYGEN_RSA_MAX_BITS) {
        return false;
    }
    *out = v;
    return true;
}

/* What a spec asks OpenSSL for: a key type, with its size (RSA) or group (EC). */
typedef struct {
    const char *type;
    size_t rsa_bits;
    const char *group;
} keygen_plan;

static cachet_status keygen_parse(const char *spec, keygen_plan *plan, cachet_error *err) {
    static const char where[] = "key generation";
    static const struct {
        const char *spec;
        const char *type;
        const char *group;
    } named[] = {
        {"ed25519", "ED25519", NULL}, {"ed448", "ED448", NULL},    {"x25519", "X25519", NULL},
        {"x448", "X448", NULL},       {"ec:P-256", "EC", "P-256"}, {"ec:P-384", "EC", "P-384"},
        {"ec:P-521", "EC", "P-521"},
    };
    if (spec == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "no key spec (use %s)", accepted);
    }
    *plan = (keygen_plan){0};
    if (strncmp(spec, "rsa:", 4) == 0) {
        unsigned bits = 0;
        if (!parse_rsa_bits(spec + 4, &bits)) {
            return cachet_err_set(err, CACHET_ERR_USAGE, where, -1,
                                  "bad RSA key size in \"%.40s\" (use %s)", spec, accepted);
        }
        *plan = (keygen_plan){.type = "RSA", .rsa_bits = bits};
        return CACHET_OK;
    }
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        if (strcmp(spec, named[i].spec) == 0) {
            *plan = (keygen_plan){.type = named[i].type, .group = named[i].group};
            return CACHET_OK;
        }
    }
    return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "unknown key spec \"%.40s\" (use %s)",
                          spec, accepted);
}

cachet_status cachet_pkey_spec_check(const char *spec, cachet_error *err) {
    keygen_plan plan;
    return keygen_parse(spec, &plan, err);
}

cachet_status cachet_pkey_generate(const char *spec, cachet_pkey **out, cachet_error *err) {
    static const char where[] = "key generation";
    if (out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "no place for the new key");
    }
    keygen_plan plan;
    cachet_status st = keygen_parse(spec, &plan, err);
    if (st != CACHET_OK) {
        return st;
    }
    EVP_PKEY *pkey = NULL;
    if (plan.rsa_bits != 0) {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, plan.type, plan.rsa_bits);
    } else if (plan.group != NULL) {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, plan.type, plan.group);
    } else {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, plan.type);
    }
    if (pkey == NULL) {
        return cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "key generation failed");
    }
    return cachet_pkey_wrap_out(pkey, where, out, err);
}

cachet_status cachet_pkey_write_private(const cachet_pkey *key, const char *pass,
                                        cachet_membuf *out, cachet_error *err) {
    static const char where[] = "PKCS#8";
    if (key == NULL || out == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "no key or no output");
    }
    if (out->data != NULL) {
        cachet_cleanse(out->data, out->len);
    }
    cachet_membuf_reset(out);
    size_t pass_len = pass != NULL ? strlen(pass) : 0;
    if (pass != NULL && (pass_len == 0 || pass_len > KEYGEN_MAX_PASS)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "passphrase must be 1..%u bytes",
                              KEYGEN_MAX_PASS);
    }
    if (key->ext != NULL) {
        return cachet_err_set(err, CACHET_ERR_KEY, where, -1,
                              "the private key is held by a token and cannot be written out");
    }
    OSSL_ENCODER_CTX *ectx =
        OSSL_ENCODER_CTX_new_for_pkey(key->pkey, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", NULL);
    /* No encoder means the key has no private half here (a public key, or a
     * key held by a token). */
    if (ectx == NULL || OSSL_ENCODER_CTX_get_num_encoders(ectx) == 0) {
        OSSL_ENCODER_CTX_free(ectx);
        return cachet_crypto_fail(err, CACHET_ERR_KEY, where, "no private key material to write");
    }
    /* With a cipher the PrivateKeyInfo encoder writes an EncryptedPrivateKeyInfo
     * under PBES2, whose key derivation in OpenSSL 3 is PBKDF2 (HMAC-SHA-256). */
    if (pass != NULL &&
        (OSSL_ENCODER_CTX_set_cipher(ectx, "AES-256-CBC", NULL) != 1 ||
         OSSL_ENCODER_CTX_set_passphrase(ectx, (const unsigned char *)pass, pass_len) != 1)) {
        OSSL_ENCODER_CTX_free(ectx);
        return cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "cannot set up encryption");
    }
    unsigned char *data = NULL;
    size_t len = 0;
    int ok = OSSL_ENCODER_to_data(ectx, &data, &len);
    OSSL_ENCODER_CTX_free(ectx);
    if (ok != 1 || data == NULL) {
        OPENSSL_clear_free(data, len);
        return cachet_crypto_fail(err, CACHET_ERR_KEY, where, "cannot encode private key");
    }
    bool appended = cachet_membuf_append(out, data, len);
    OPENSSL_clear_free(data, len);
    ERR_clear_error();
    if (!appended) {
        cachet_membuf_reset(out);
        return cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
    }
    return CACHET_OK;
}
