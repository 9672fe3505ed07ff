/* libFuzzer target: EnvelopedData / AuthEnvelopedData / EncryptedData
 * decryption with every kind of secret at once: fixed test keys and
 * certificates for ktri (RSA-2048), kari (P-256, X25519, X448), two KEKs with
 * their ids (kekri), a password (pwri) and an EncryptedData content key. All of
 * it is throwaway test material made for this fuzzer only. Each input is
 * decrypted with allow_weak off and on, each fed whole and then in 7-byte
 * chunks; small limits (PBKDF2 iterations, CCM content, skeleton, recipients)
 * keep every run fast and reach the limit paths.
 *
 * Oracles: the chunking never changes the outcome (status, plaintext, report);
 * allowing weak algorithms never turns a success into anything else nor changes
 * its plaintext; nothing is reported weak unless weak was allowed; a
 * decryption failure always says "decryption failed" (ATTACKS BL-01); CCM
 * never yields more than max_ccm_content; plaintext is never longer than the
 * input. Corpus: fuzz/corpus/fuzz_cms_decrypt/ (made with `openssl cms
 * -encrypt` / `-EncryptedData_encrypt` and `cachet encrypt` to these secrets;
 * fuzz/make_seeds_issue5.py makes them). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cms/enveloped.h"

#include "fixed_keys.h"

/* Bounds for every run: the password seeds use 1000 (cachet) and 2048
 * (OpenSSL's default) iterations; anything above fails before PBKDF2 runs. */
#define FUZZ_MAX_PBKDF2 2048u
#define FUZZ_MAX_CCM 4096u
#define FUZZ_MAX_OUT (1u << 20)

enum { NUM_KEYS = 4 };

typedef struct fuzz_secrets {
    cachet_pkey *keys[NUM_KEYS];
    cachet_cert *certs[NUM_KEYS];
    cachet_cms_kek keks[2];
    cachet_cms_password password;
    cachet_cms_secrets s;
} fuzz_secrets;

static bool load(const char *key_pem, const char *cert_pem, cachet_pkey **key, cachet_cert **cert) {
    cachet_cert_list list = {0};
    cachet_error err;
    cachet_err_clear(&err);
    if (cachet_pkey_load_private((const uint8_t *)key_pem, strlen(key_pem), NULL, key, &err) !=
            CACHET_OK ||
        cachet_cert_load((const uint8_t *)cert_pem, strlen(cert_pem), &list, &err) != CACHET_OK ||
        list.num == 0) {
        cachet_cert_list_clear(&list);
        return false;
    }
    *cert = cachet_cert_up_ref(list.certs[0]);
    cachet_cert_list_clear(&list);
    return true;
}

static bool setup(fuzz_secrets *f) {
    static const char *const pems[NUM_KEYS][2] = {
        {kRsaKey, kRsaCert}, {kEcKey, kEcCert}, {kX25519Key, kX25519Cert}, {kX448Key, kX448Cert}};
    for (size_t i = 0; i < NUM_KEYS; i++) {
        if (!load(pems[i][0], pems[i][1], &f->keys[i], &f->certs[i])) {
            return false;
        }
    }
    f->keks[0] =
        (cachet_cms_kek){kKek128, sizeof(kKek128), (const uint8_t *)kKek128Id, strlen(kKek128Id)};
    f->keks[1] =
        (cachet_cms_kek){kKek256, sizeof(kKek256), (const uint8_t *)kKek256Id, strlen(kKek256Id)};
    f->password = (cachet_cms_password){(const uint8_t *)kPassword, strlen(kPassword)};
    f->s = (cachet_cms_secrets){
        .keys = (const cachet_pkey *const *)f->keys,
        .certs = (const cachet_cert *const *)f->certs,
        .num_keys = NUM_KEYS,
        .keks = f->keks,
        .num_keks = 2,
        .password = &f->password,
        .content_key = kContentKey,
        .content_key_len = sizeof(kContentKey),
    };
    return true;
}

typedef struct outcome {
    cachet_status st;
    cachet_membuf out;
    cachet_layer_report rep; /* valid when st == CACHET_OK */
    cachet_error err;
} outcome;

static void run(const cachet_cms_secrets *s, bool allow_weak, const uint8_t *data, size_t size,
                size_t chunk, outcome *res) {
    cachet_cms_limits limits;
    cachet_cms_policy policy;
    cachet_sink sink;
    cachet_error *err = &res->err;
    cachet_cms_decrypt *dec;
    cachet_status st = CACHET_OK;
    cachet_cms_limits_default(&limits);
    limits.max_skeleton = 64 * 1024;
    limits.max_recipients = 8;
    limits.max_pbkdf2_iterations = FUZZ_MAX_PBKDF2;
    limits.max_ccm_content = FUZZ_MAX_CCM;
    memset(&policy, 0, sizeof(policy));
    policy.allow_weak = allow_weak;
    memset(res, 0, sizeof(*res));
    res->out.max = FUZZ_MAX_OUT;
    sink = cachet_sink_membuf(&res->out);
    cachet_err_clear(err);
    dec = cachet_cms_decrypt_new_secrets(s, &policy, &limits, &sink, err);
    if (dec == NULL) {
        __builtin_trap(); /* the secrets are fixed and valid */
    }
    for (size_t off = 0; st == CACHET_OK && off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        st = cachet_cms_decrypt_update(dec, data + off, n, err);
    }
    if (st == CACHET_OK) {
        st = cachet_cms_decrypt_finish(dec, &res->rep, err);
    }
    res->st = st;
    /* The decryption-failure detail must never vary (ATTACKS BL-01). */
    if (st == CACHET_ERR_DECRYPT && strcmp(err->message, "decryption failed") != 0) {
        __builtin_trap();
    }
    if (st == CACHET_OK) {
        if (res->rep.weak && !allow_weak) {
            __builtin_trap();
        }
        if (strstr(res->rep.cipher, "ccm") != NULL && res->out.len > FUZZ_MAX_CCM) {
            __builtin_trap();
        }
        if (res->out.len > size) {
            __builtin_trap();
        }
    }
    cachet_cms_decrypt_free(dec);
}

static bool same_report(const cachet_layer_report *a, const cachet_layer_report *b) {
    return a->type == b->type && strcmp(a->content_type, b->content_type) == 0 &&
           strcmp(a->cipher, b->cipher) == 0 && a->authenticated == b->authenticated &&
           strcmp(a->key_management, b->key_management) == 0 &&
           a->num_recipients == b->num_recipients && a->weak == b->weak;
}

static bool same_outcome(const outcome *a, const outcome *b) {
    if (a->st != b->st) {
        return false;
    }
    if (a->st != CACHET_OK) {
        return true;
    }
    return a->out.len == b->out.len &&
           (a->out.len == 0 || memcmp(a->out.data, b->out.data, a->out.len) == 0) &&
           same_report(&a->rep, &b->rep);
}

/* Exact agreement: the CEK that stands in for a bad one is a function of the
 * ciphertext (RFC 3218 section 2.3.2, crypto/rsa.c), so even noise that passes
 * the CBC padding check is the same noise for every chunking. */
static bool agree(const outcome *a, const outcome *b) {
    return same_outcome(a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static fuzz_secrets secrets;
    static int loaded = -1;
    outcome res[2][2]; /* [allow_weak][whole, chunked] */
    if (loaded < 0) {
        loaded = setup(&secrets);
    }
    if (!loaded) {
        __builtin_trap();
    }
    for (int weak = 0; weak < 2; weak++) {
        run(&secrets.s, weak != 0, data, size, size == 0 ? 1 : size, &res[weak][0]);
        run(&secrets.s, weak != 0, data, size, 7, &res[weak][1]);
        if (!agree(&res[weak][0], &res[weak][1])) {
            __builtin_trap(); /* chunk borders must not matter */
        }
    }
    /* What opens without weak algorithms opens the same with them, not weak. */
    if (res[0][0].st == CACHET_OK &&
        (!agree(&res[0][0], &res[1][0]) || (res[1][0].st == CACHET_OK && res[1][0].rep.weak))) {
        __builtin_trap();
    }
    for (int weak = 0; weak < 2; weak++) {
        cachet_membuf_free(&res[weak][0].out);
        cachet_membuf_free(&res[weak][1].out);
    }
    return 0;
}
