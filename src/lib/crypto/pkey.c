/* Private/public key loading and properties. */
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "crypto/internal.h"

static cachet_curve pkey_curve_of(const EVP_PKEY *pkey);

static cachet_key_type pkey_classify(const EVP_PKEY *pkey) {
    static const struct {
        const char *name;
        cachet_key_type type;
    } types[] = {
        {"RSA", CACHET_KEY_RSA},     {"RSA-PSS", CACHET_KEY_RSA_PSS},
        {"EC", CACHET_KEY_EC},       {"ED25519", CACHET_KEY_ED25519},
        {"ED448", CACHET_KEY_ED448}, {"X25519", CACHET_KEY_X25519},
        {"X448", CACHET_KEY_X448},   {"DSA", CACHET_KEY_DSA},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (EVP_PKEY_is_a(pkey, types[i].name)) {
            return types[i].type;
        }
    }
    return CACHET_KEY_NONE;
}

cachet_pkey *cachet_pkey_wrap(EVP_PKEY *pkey) {
    if (pkey == NULL) {
        return NULL;
    }
    cachet_pkey *k = cachet_calloc(1, sizeof(*k));
    if (k == NULL) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    k->pkey = pkey;
    atomic_init(&k->refs, 1);
    k->type = pkey_classify(pkey);
    k->curve = k->type == CACHET_KEY_EC ? pkey_curve_of(pkey) : CACHET_CURVE_NONE;
    return k;
}

cachet_status cachet_pkey_wrap_out(EVP_PKEY *pkey, const char *where, cachet_pkey **out,
                                   cachet_error *err) {
    cachet_pkey *k = cachet_pkey_wrap(pkey);
    ERR_clear_error();
    if (k == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
    }
    *out = k;
    return CACHET_OK;
}

cachet_pkey *cachet_pkey_up_ref(cachet_pkey *key) {
    if (key != NULL) {
        atomic_fetch_add(&key->refs, 1);
    }
    return key;
}

void cachet_pkey_free(cachet_pkey *key) {
    if (key == NULL || atomic_fetch_sub(&key->refs, 1) != 1) {
        return;
    }
    EVP_PKEY_free(key->pkey); /* OpenSSL cleanses private key material */
    cachet_pkey_ext_free(key->ext);
    cachet_free(key);
}

typedef struct pass_arg {
    const char *pass;
    bool asked; /* the decoder found an encrypted key */
} pass_arg;

/* pass_cb hands the caller's passphrase to the decoder; never prompts. */
static int pass_cb(char *buf, size_t size, size_t *out_len, const OSSL_PARAM params[], void *u) {
    (void)params;
    pass_arg *pa = u;
    pa->asked = true;
    if (pa->pass == NULL) {
        return 0;
    }
    size_t n = strlen(pa->pass);
    if (n > size) {
        return 0;
    }
    memcpy(buf, pa->pass, n);
    *out_len = n;
    return 1;
}

/* PEM files written by `openssl ecparam -genkey` start with an EC PARAMETERS
 * block; the decoder stops at the first block, so skip to the first block whose
 * label names a private key. Returns |data| unchanged when there is none. */
static const uint8_t *skip_to_private_key_pem(const uint8_t *data, size_t *len) {
    static const char begin[] = "-----BEGIN ";
    const uint8_t *end = data + *len;
    for (const uint8_t *p = data; (size_t)(end - p) > sizeof(begin) - 1; p++) {
        if (memcmp(p, begin, sizeof(begin) - 1) != 0) {
            continue;
        }
        const uint8_t *label = p + sizeof(begin) - 1;
        const uint8_t *eol = memchr(label, '\n', (size_t)(end - label));
        size_t label_len = eol != NULL ? (size_t)(eol - label) : (size_t)(end - label);
        static const char want[] = "PRIVATE KEY-----";
        for (size_t i = 0; i + sizeof(want) - 1 <= label_len; i++) {
            if (memcmp(label + i, want, sizeof(want) - 1) == 0) {
                *len = (size_t)(end - p);
                return p;
            }
        }
    }
    return data;
}

cachet_status cachet_pkey_load_private(const uint8_t *data, size_t len, const char *pass,
                                       cachet_pkey **out, cachet_error *err) {
    static const char where[] = "private key";
    if (data == NULL || len == 0) {
        return cachet_err_set(err, CACHET_ERR_KEY, where, -1, "empty key data");
    }
    if (len > CACHET_CRYPTO_MAX_OBJECT) {
        return cachet_err_set(err, CACHET_ERR_LIMIT, where, -1, "key file of %zu bytes too large",
                              len);
    }
    EVP_PKEY *pkey = NULL;
    pass_arg pa = {pass, false};
    OSSL_DECODER_CTX *dctx =
        OSSL_DECODER_CTX_new_for_pkey(&pkey, NULL, NULL, NULL, EVP_PKEY_KEYPAIR, NULL, NULL);
    if (dctx == NULL || OSSL_DECODER_CTX_set_passphrase_cb(dctx, pass_cb, &pa) != 1) {
        OSSL_DECODER_CTX_free(dctx);
        return cachet_crypto_fail(err, CACHET_ERR_INTERNAL, where, "no key decoder available");
    }
    size_t left = len;
    const unsigned char *p = skip_to_private_key_pem(data, &left);
    int ok = OSSL_DECODER_from_data(dctx, &p, &left);
    OSSL_DECODER_CTX_free(dctx);
    if (ok != 1 || pkey == NULL) {
        EVP_PKEY_free(pkey);
        if (pa.asked && pass == NULL) {
            return cachet_crypto_fail(err, CACHET_ERR_KEY, where,
                                      "key is encrypted and no passphrase was given");
        }
        return cachet_crypto_fail(err, CACHET_ERR_KEY, where,
                                  pa.asked ? "wrong passphrase or corrupt key"
                                           : "not a private key we can read (PEM/DER, "
                                             "PKCS#8 or traditional RSA/EC)");
    }
    return cachet_pkey_wrap_out(pkey, where, out, err);
}

cachet_status cachet_pkey_from_spki(const uint8_t *der, size_t len, cachet_pkey **out,
                                    cachet_error *err) {
    static const char where[] = "SubjectPublicKeyInfo";
    if (der == NULL || len == 0 || len > CACHET_CRYPTO_MAX_OBJECT) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1, "bad length %zu", len);
    }
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)len);
    if (pkey == NULL) {
        return cachet_crypto_fail(err, CACHET_ERR_KEY, where, "cannot parse public key");
    }
    if (p != der + len) {
        EVP_PKEY_free(pkey);
        ERR_clear_error();
        return cachet_err_set(err, CACHET_ERR_MALFORMED, where, (long long)(p - der),
                              "trailing bytes after SubjectPublicKeyInfo");
    }
    return cachet_pkey_wrap_out(pkey, where, out, err);
}

static const struct {
    const char *name; /* OpenSSL group name */
    const char *alias;
    size_t field_len;
} curve_table[] = {
    [CACHET_CURVE_NONE] = {NULL, NULL, 0},
    [CACHET_CURVE_P256] = {"prime256v1", "P-256", 32},
    [CACHET_CURVE_P384] = {"secp384r1", "P-384", 48},
    [CACHET_CURVE_P521] = {"secp521r1", "P-521", 66},
};

static bool curve_known(cachet_curve c) {
    return (size_t)c < sizeof(curve_table) / sizeof(curve_table[0]) && c != CACHET_CURVE_NONE;
}

/* ec_point_valid rejects points off the curve, at infinity or with coordinates
 * out of range (invalid-curve attacks on ECDH). Every curve of curve_table has
 * cofactor 1, so such a point already has the group's prime order: the full
 * check (EVP_PKEY_public_check) would add a scalar multiplication by the order
 * that can never fail, costing more than the ECDH itself. */
static bool ec_point_valid(EVP_PKEY *pkey) {
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    bool ok = pctx != NULL && EVP_PKEY_public_check_quick(pctx) == 1;
    EVP_PKEY_CTX_free(pctx);
    return ok;
}

/* One parameters-only key per curve, made once per process: a new key copies
 * the group from it instead of building the curve from its name, which costs
 * more than the ECDH the key is made for. Immutable once made, so threads
 * share them; a curve whose template cannot be made is built by name. */
static pthread_once_t ec_once = PTHREAD_ONCE_INIT;
static EVP_PKEY *ec_templates[sizeof(curve_table) / sizeof(curve_table[0])];

static void ec_templates_init(void) {
    ERR_set_mark();
    for (size_t c = 1; c < sizeof(curve_table) / sizeof(curve_table[0]); c++) {
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                             (char *)curve_table[c].name, 0),
            OSSL_PARAM_construct_end(),
        };
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        if (pctx == NULL || EVP_PKEY_fromdata_init(pctx) != 1 ||
            EVP_PKEY_fromdata(pctx, &ec_templates[c], EVP_PKEY_KEY_PARAMETERS, params) != 1) {
            ec_templates[c] = NULL;
        }
        EVP_PKEY_CTX_free(pctx);
    }
    ERR_pop_to_mark();
}

static EVP_PKEY *ec_template(cachet_curve c) {
    if (pthread_once(&ec_once, ec_templates_init) != 0) {
        return NULL;
    }
    return ec_templates[c];
}

/* ec_public_from_point makes a public key on |curve| from an uncompressed point. */
static EVP_PKEY *ec_public_from_point(cachet_curve curve, const uint8_t *point, size_t len) {
    EVP_PKEY *tmpl = ec_template(curve);
    EVP_PKEY *pkey = NULL;
    bool ok = false;
    if (tmpl != NULL) {
        pkey = EVP_PKEY_new();
        ok = pkey != NULL && EVP_PKEY_copy_parameters(pkey, tmpl) == 1 &&
             EVP_PKEY_set1_encoded_public_key(pkey, point, len) == 1;
    } else {
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                             (char *)curve_table[curve].name, 0),
            OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point, len),
            OSSL_PARAM_construct_end(),
        };
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        ok = pctx != NULL && EVP_PKEY_fromdata_init(pctx) == 1 &&
             EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
        EVP_PKEY_CTX_free(pctx);
    }
    if (!ok) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

cachet_status cachet_pkey_from_ec_point(cachet_curve curve, const uint8_t *point, size_t len,
                                        cachet_pkey **out, cachet_error *err) {
    static const char where[] = "ECPoint";
    if (!curve_known(curve)) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, where, -1, "unknown curve");
    }
    /* Only uncompressed points: that is what RFC 5753 originators send. */
    if (point == NULL || len != 1 + 2 * curve_table[curve].field_len || point[0] != 0x04) {
        return cachet_err_set(err, CACHET_ERR_MALFORMED, where, -1,
                              "not an uncompressed %s point (%zu bytes)", curve_table[curve].alias,
                              len);
    }
    EVP_PKEY *pkey = ec_public_from_point(curve, point, len);
    bool ok = pkey != NULL && ec_point_valid(pkey);
    if (!ok) {
        EVP_PKEY_free(pkey);
        return cachet_crypto_fail(err, CACHET_ERR_MALFORMED, where, "invalid EC public point");
    }
    return cachet_pkey_wrap_out(pkey, where, out, err);
}

cachet_status cachet_pkey_generate_ec(cachet_curve curve, cachet_pkey **out, cachet_error *err) {
    if (!curve_known(curve)) {
        return cachet_err_set(err, CACHET_ERR_UNSUPPORTED, "EC keygen", -1, "unknown curve");
    }
    EVP_PKEY *tmpl = ec_template(curve);
    EVP_PKEY *pkey = NULL;
    if (tmpl != NULL) {
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, tmpl, NULL);
        if (pctx == NULL || EVP_PKEY_keygen_init(pctx) != 1 || EVP_PKEY_keygen(pctx, &pkey) != 1) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
        EVP_PKEY_CTX_free(pctx);
    } else {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve_table[curve].name);
    }
    if (pkey == NULL) {
        return cachet_crypto_fail(err, CACHET_ERR_INTERNAL, "EC keygen", "key generation failed");
    }
    cachet_pkey *k = cachet_pkey_wrap(pkey);
    ERR_clear_error();
    if (k == NULL) {
        return cachet_err_set(err, CACHET_ERR_NOMEM, "EC keygen", -1, "out of memory");
    }
    *out = k;
    return CACHET_OK;
}

bool cachet_pkey_ec_point(const cachet_pkey *key, cachet_membuf *out) {
    cachet_curve c = cachet_pkey_curve(key);
    if (c == CACHET_CURVE_NONE) {
        return false;
    }
    size_t fl = curve_table[c].field_len;
    BIGNUM *x = NULL;
    BIGNUM *y = NULL;
    bool ok = false;
    /* Built from X and Y so the output is uncompressed whatever form the key came in. */
    if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
        EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1 ||
        !cachet_membuf_reserve(out, 1 + 2 * fl)) {
        goto done;
    }
    uint8_t *p = out->data + out->len;
    p[0] = 0x04;
    if (BN_bn2binpad(x, p + 1, (int)fl) != (int)fl ||
        BN_bn2binpad(y, p + 1 + fl, (int)fl) != (int)fl) {
        goto done;
    }
    out->len += 1 + 2 * fl;
    ok = true;
done:
    BN_free(x);
    BN_free(y);
    ERR_clear_error();
    return ok;
}

cachet_key_type cachet_pkey_type(const cachet_pkey *key) {
    return key != NULL ? key->type : CACHET_KEY_NONE;
}

unsigned cachet_pkey_bits(const cachet_pkey *key) {
    if (key == NULL) {
        return 0;
    }
    int bits = EVP_PKEY_get_bits(key->pkey);
    return bits > 0 ? (unsigned)bits : 0;
}

static cachet_curve pkey_curve_of(const EVP_PKEY *pkey) {
    char name[64];
    size_t n = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &n) !=
        1) {
        ERR_clear_error();
        return CACHET_CURVE_NONE;
    }
    for (size_t c = 1; c < sizeof(curve_table) / sizeof(curve_table[0]); c++) {
        if (strcmp(name, curve_table[c].name) == 0 || strcmp(name, curve_table[c].alias) == 0) {
            return (cachet_curve)c;
        }
    }
    return CACHET_CURVE_NONE;
}

cachet_curve cachet_pkey_curve(const cachet_pkey *key) {
    return key != NULL ? key->curve : CACHET_CURVE_NONE;
}

bool cachet_pkey_matches(const cachet_pkey *a, const cachet_pkey *b) {
    if (a == NULL || b == NULL) {
        return false;
    }
    bool eq = EVP_PKEY_eq(a->pkey, b->pkey) == 1;
    ERR_clear_error();
    return eq;
}

/* x_secret_ok refuses an all-zero X25519/X448 shared secret (RFC 7748 §6,
 * RFC 8418 §2: a low-order peer key), removing it from |out|. */
static bool x_secret_ok(cachet_key_type t, cachet_membuf *out, size_t start, cachet_error *err) {
    if (t != CACHET_KEY_X25519 && t != CACHET_KEY_X448) {
        return true;
    }
    if (!cachet_crypto_all_zero(out->data + start, out->len - start)) {
        return true;
    }
    cachet_cleanse(out->data + start, out->len - start);
    out->len = start;
    cachet_err_set(err, CACHET_ERR_DECRYPT, "ECDH", -1,
                   "all-zero %s shared secret (low-order public key)",
                   t == CACHET_KEY_X25519 ? "X25519" : "X448");
    return false;
}

cachet_status cachet_ecdh(const cachet_pkey *priv, const cachet_pkey *peer, cachet_membuf *out,
                          cachet_error *err) {
    static const char where[] = "ECDH";
    if (priv == NULL || peer == NULL) {
        return cachet_err_set(err, CACHET_ERR_USAGE, where, -1, "missing key");
    }
    /* Both keys of one named group we support: explicit curve parameters and
     * mixed types never reach the private-key operation. */
    cachet_key_type t = cachet_pkey_type(priv);
    bool same = t == cachet_pkey_type(peer) &&
                (t == CACHET_KEY_X25519 || t == CACHET_KEY_X448 ||
                 (t == CACHET_KEY_EC && cachet_pkey_curve(priv) != CACHET_CURVE_NONE &&
                  cachet_pkey_curve(priv) == cachet_pkey_curve(peer)));
    if (!same) {
        return cachet_err_set(err, CACHET_ERR_KEY, where, -1,
                              "keys are not on the same supported curve");
    }
    size_t start = out->len;
    if (priv->ext != NULL) {
        cachet_status est = cachet_pkey_ext_ecdh(priv, peer, out, err);
        if (est == CACHET_OK && !x_secret_ok(t, out, start, err)) {
            return CACHET_ERR_DECRYPT;
        }
        return est;
    }
    /* The peer is validated here for EC (see ec_point_valid) rather than by
     * OpenSSL's full check in EVP_PKEY_derive_set_peer_ex. */
    bool ec = t == CACHET_KEY_EC;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv->pkey, NULL);
    size_t len = 0;
    cachet_status st = CACHET_OK;
    if (ctx == NULL || (ec && !ec_point_valid(peer->pkey)) || EVP_PKEY_derive_init(ctx) != 1 ||
        EVP_PKEY_derive_set_peer_ex(ctx, peer->pkey, ec ? 0 : 1) != 1 ||
        EVP_PKEY_derive(ctx, NULL, &len) != 1) {
        st = cachet_crypto_fail(err, CACHET_ERR_KEY, where, "key agreement setup failed");
        goto done;
    }
    if (!cachet_membuf_reserve(out, len)) {
        st = cachet_err_set(err, CACHET_ERR_NOMEM, where, -1, "out of memory");
        goto done;
    }
    if (EVP_PKEY_derive(ctx, out->data + out->len, &len) != 1) {
        st = cachet_crypto_fail(err, CACHET_ERR_DECRYPT, where, "key agreement failed");
        goto done;
    }
    out->len += len;
    if (!x_secret_ok(t, out, start, err)) {
        st = CACHET_ERR_DECRYPT;
    }
done:
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return st;
}
