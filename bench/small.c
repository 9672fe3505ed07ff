/* bench/small.c: many small messages. One context (the anchor added once) and
 * each credential loaded once; then, for a few seconds per case, the 4 KiB
 * message is signed (multipart/signed), encrypted to one recipient, verified
 * and decrypted, and the messages per second are printed beside the rate of
 * the private-key (or public-key) operation that bounds the case, measured in
 * the same run with OpenSSL's EVP directly (as `openssl speed` does: one key
 * context, the operation in a loop). A figure, not a test; it checks every
 * result once so that it never times a failing operation.
 *
 *   cachet_bench_small [-t SECONDS] [-c CASE [-n COUNT]] CA RSA_CERT RSA_KEY EC_CERT EC_KEY
 *
 * -c runs only the cases whose name contains CASE, without the reference, and
 * -n makes each case COUNT messages instead of SECONDS (for a profiler).
 * The certificates name alice@example.com (the message's From). bench/small.sh
 * makes them with `openssl` and runs this program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cachet/cachet.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#define MSG_SIZE 4096

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "bench/small: %s%s%s\n", what, detail != NULL ? ": " : "",
            detail != NULL ? detail : "");
    exit(1);
}

/* ---- The cachet side ---- */

typedef enum op_kind { OP_SIGN, OP_ENCRYPT, OP_VERIFY, OP_DECRYPT } op_kind;

typedef struct op_case {
    const char *name;
    op_kind kind;
    const cachet_ctx *ctx;
    cachet_sign_opts sign;
    cachet_encrypt_opts enc;
    cachet_verify_opts ver;
    cachet_decrypt_opts dec;
    const uint8_t *in;
    size_t in_len;
    cachet_membuf out; /* reused: its capacity stays between messages */
} op_case;

/* run_once performs the case on its input; the output is in c->out. */
static void run_once(op_case *c) {
    cachet_error err;
    cachet_sink sink = cachet_sink_membuf(&c->out);
    c->out.len = 0;
    cachet_op *op = NULL;
    switch (c->kind) {
        case OP_SIGN:
            op = cachet_sign_new(c->ctx, &c->sign, &sink, &err);
            break;
        case OP_ENCRYPT:
            op = cachet_encrypt_new(c->ctx, &c->enc, &sink, &err);
            break;
        case OP_VERIFY:
            op = cachet_verify_new(c->ctx, &c->ver, &sink, &err);
            break;
        case OP_DECRYPT:
            op = cachet_decrypt_new(c->ctx, &c->dec, &sink, &err);
            break;
    }
    if (op == NULL) {
        die(c->name, err.message);
    }
    cachet_report *rep = NULL;
    cachet_status st = cachet_op_update(op, c->in, c->in_len);
    cachet_status fst = cachet_op_finish(op, &rep);
    if (st != CACHET_OK || fst != CACHET_OK) {
        die(c->name, cachet_op_error(op)->message);
    }
    if (c->kind == OP_VERIFY && (rep == NULL || !rep->valid)) {
        die(c->name, "the report does not say valid");
    }
    cachet_report_free(rep);
    cachet_op_free(op);
}

/* ---- The reference: the bounding key operation with EVP ---- */

typedef enum ref_kind {
    REF_SIGN,       /* sign a SHA-256 digest */
    REF_VERIFY,     /* verify it */
    REF_ENCRYPT,    /* RSA PKCS#1 v1.5 encryption of a 32-byte key */
    REF_DECRYPT,    /* its decryption */
    REF_ECDH_EPHEM, /* an ephemeral P-256 key and ECDH with the recipient (encrypt) */
    REF_ECDH,       /* ECDH with a fixed peer key (decrypt) */
} ref_kind;

typedef struct ref_case {
    const char *name;
    ref_kind kind;
    EVP_PKEY *key;
    EVP_PKEY *peer; /* REF_ECDH */
    EVP_PKEY_CTX *pctx;
    uint8_t in[512];
    size_t in_len;
    uint8_t out[512];
} ref_case;

static void ref_setup(ref_case *r) {
    r->pctx = EVP_PKEY_CTX_new_from_pkey(NULL, r->key, NULL);
    if (r->pctx == NULL) {
        die(r->name, "EVP_PKEY_CTX_new");
    }
    bool rsa = EVP_PKEY_is_a(r->key, "RSA");
    int ok = 1;
    memset(r->in, 0x5a, 32);
    r->in_len = 32;
    switch (r->kind) {
        case REF_SIGN:
        case REF_VERIFY: {
            ok = EVP_PKEY_sign_init(r->pctx) > 0 &&
                 (!rsa || EVP_PKEY_CTX_set_rsa_padding(r->pctx, RSA_PKCS1_PADDING) > 0) &&
                 EVP_PKEY_CTX_set_signature_md(r->pctx, EVP_sha256()) > 0;
            size_t len = sizeof(r->out);
            ok = ok && EVP_PKEY_sign(r->pctx, r->out, &len, r->in, r->in_len) > 0;
            if (ok && r->kind == REF_VERIFY) {
                memmove(r->in + 32, r->out, len);
                r->in_len = len; /* the signature; the digest is in[0..32) */
                ok = EVP_PKEY_verify_init(r->pctx) > 0 &&
                     (!rsa || EVP_PKEY_CTX_set_rsa_padding(r->pctx, RSA_PKCS1_PADDING) > 0) &&
                     EVP_PKEY_CTX_set_signature_md(r->pctx, EVP_sha256()) > 0;
            }
            break;
        }
        case REF_ENCRYPT:
        case REF_DECRYPT: {
            ok = EVP_PKEY_encrypt_init(r->pctx) > 0 &&
                 EVP_PKEY_CTX_set_rsa_padding(r->pctx, RSA_PKCS1_PADDING) > 0;
            size_t len = sizeof(r->out);
            ok = ok && EVP_PKEY_encrypt(r->pctx, r->out, &len, r->in, r->in_len) > 0;
            if (ok && r->kind == REF_DECRYPT) {
                memcpy(r->in, r->out, len);
                r->in_len = len;
                ok = EVP_PKEY_decrypt_init(r->pctx) > 0 &&
                     EVP_PKEY_CTX_set_rsa_padding(r->pctx, RSA_PKCS1_PADDING) > 0;
            }
            break;
        }
        case REF_ECDH_EPHEM:
            break;
        case REF_ECDH:
            ok =
                EVP_PKEY_derive_init(r->pctx) > 0 && EVP_PKEY_derive_set_peer(r->pctx, r->peer) > 0;
            break;
    }
    if (!ok) {
        die(r->name, "setting up the reference operation failed");
    }
}

static void ref_once(ref_case *r) {
    size_t len = sizeof(r->out);
    int ok = 0;
    switch (r->kind) {
        case REF_SIGN:
            ok = EVP_PKEY_sign(r->pctx, r->out, &len, r->in, r->in_len);
            break;
        case REF_VERIFY:
            ok = EVP_PKEY_verify(r->pctx, r->in + 32, r->in_len, r->in, 32);
            break;
        case REF_ENCRYPT:
            ok = EVP_PKEY_encrypt(r->pctx, r->out, &len, r->in, r->in_len);
            break;
        case REF_DECRYPT:
            ok = EVP_PKEY_decrypt(r->pctx, r->out, &len, r->in, r->in_len);
            break;
        case REF_ECDH_EPHEM: {
            /* what encrypting to an EC recipient costs: a key pair and one ECDH */
            EVP_PKEY *eph = EVP_EC_gen("P-256");
            EVP_PKEY_CTX *d = eph != NULL ? EVP_PKEY_CTX_new_from_pkey(NULL, eph, NULL) : NULL;
            ok = d != NULL && EVP_PKEY_derive_init(d) > 0 &&
                 EVP_PKEY_derive_set_peer_ex(d, r->key, 0) > 0 &&
                 EVP_PKEY_derive(d, r->out, &len) > 0;
            EVP_PKEY_CTX_free(d);
            EVP_PKEY_free(eph);
            break;
        }
        case REF_ECDH:
            ok = EVP_PKEY_derive(r->pctx, r->out, &len);
            break;
    }
    if (ok <= 0) {
        die(r->name, "the reference operation failed");
    }
}

/* ---- Timing ---- */

static double seconds_per_case = 3.0;
static const char *only;    /* -c: run only the cases whose name contains this */
static unsigned long count; /* -n: that many messages instead of a time */

/* The case and its reference alternate in SLICES slices each, so that a
 * machine whose load changes during the run skews both alike. */
#define SLICES 10

typedef struct timed {
    unsigned long n;
    double secs;
} timed;

/* run_slice calls |once| for |secs| (or |limit| times) and adds to |t|. */
static void run_slice(void (*once)(void *), void *arg, double secs, unsigned long limit, timed *t) {
    unsigned long n = 0;
    double t0 = now_s(), t1 = t0;
    while (limit > 0 ? n < limit : t1 - t0 < secs) {
        once(arg);
        n++;
        t1 = now_s();
    }
    t->n += n;
    t->secs += t1 - t0;
}

static void run_once_v(void *c) {
    run_once(c);
}

static void ref_once_v(void *r) {
    ref_once(r);
}

/* row measures |c| and |r| (NULL with -c: no reference) and prints them. */
static void row(op_case *c, ref_case *r) {
    if (only != NULL && strstr(c->name, only) == NULL) {
        return;
    }
    run_once(c); /* warm up (and check) once */
    timed tc = {0}, tr = {0};
    if (only != NULL) {
        run_slice(run_once_v, c, seconds_per_case, count, &tc);
        printf("%-34s %9.0f\n", c->name, (double)tc.n / tc.secs);
        return;
    }
    ref_setup(r);
    ref_once(r);
    for (int i = 0; i < SLICES; i++) {
        run_slice(run_once_v, c, seconds_per_case / SLICES, 0, &tc);
        run_slice(ref_once_v, r, seconds_per_case / SLICES, 0, &tr);
    }
    EVP_PKEY_CTX_free(r->pctx);
    r->pctx = NULL;
    double msgs = (double)tc.n / tc.secs, ref = (double)tr.n / tr.secs;
    printf("%-34s %9.0f   %-26s %9.0f   %5.2f\n", c->name, msgs, r->name, ref, msgs / ref);
    fflush(stdout);
}

/* ---- Set-up ---- */

static EVP_PKEY *read_key(const char *path, bool private_key) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        die("cannot open", path);
    }
    EVP_PKEY *k = NULL;
    if (private_key) {
        k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    } else {
        X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
        k = x != NULL ? X509_get_pubkey(x) : NULL;
        X509_free(x);
    }
    fclose(f);
    if (k == NULL) {
        die("cannot read a key from", path);
    }
    return k;
}

static void make_message(uint8_t *msg, size_t size) {
    const char *head = "From: Alice <alice@example.com>\r\n"
                       "To: Bob <bob@example.com>\r\n"
                       "Subject: a small message\r\n"
                       "MIME-Version: 1.0\r\n"
                       "Content-Type: text/plain; charset=us-ascii\r\n"
                       "\r\n";
    size_t used = strlen(head);
    memcpy(msg, head, used);
    unsigned line = 0;
    while (used < size) {
        char buf[80];
        int n = snprintf(buf, sizeof(buf), "line %04u of a small message, the quick brown fox\r\n",
                         line++);
        size_t take = (size_t)n < size - used ? (size_t)n : size - used;
        memcpy(msg + used, buf, take);
        used += take;
    }
    /* end on a whole line */
    memcpy(msg + size - 2, "\r\n", 2);
}

static void produce(op_case *c, cachet_membuf *keep) {
    run_once(c);
    keep->data = malloc(c->out.len);
    if (keep->data == NULL) {
        die("out of memory", NULL);
    }
    memcpy(keep->data, c->out.data, c->out.len);
    keep->len = c->out.len;
}

int main(int argc, char **argv) {
    int a = 1;
    while (argc - a > 2 && argv[a][0] == '-') {
        if (strcmp(argv[a], "-t") == 0) {
            seconds_per_case = atof(argv[a + 1]);
        } else if (strcmp(argv[a], "-c") == 0) {
            only = argv[a + 1];
        } else if (strcmp(argv[a], "-n") == 0) {
            count = strtoul(argv[a + 1], NULL, 10);
        } else {
            break;
        }
        a += 2;
    }
    if (argc - a != 5 || seconds_per_case <= 0) {
        fprintf(stderr,
                "usage: %s [-t SECONDS] [-c CASE [-n COUNT]] CA RSA_CERT RSA_KEY EC_CERT EC_KEY\n",
                argv[0]);
        return 2;
    }
    const char *ca = argv[a], *rsa_crt = argv[a + 1], *rsa_key = argv[a + 2];
    const char *ec_crt = argv[a + 3], *ec_key = argv[a + 4];

    cachet_ctx *ctx = cachet_ctx_new();
    if (ctx == NULL || cachet_ctx_add_trust_file(ctx, ca) != CACHET_OK) {
        die("cannot add the anchor", ctx != NULL ? cachet_ctx_error(ctx)->message : NULL);
    }
    cachet_error err;
    cachet_credential *rsa = NULL, *ec = NULL;
    cachet_cert *rsa_cert = NULL, *ec_cert = NULL;
    if (cachet_credential_load(rsa_crt, rsa_key, NULL, &rsa, &err) != CACHET_OK ||
        cachet_credential_load(ec_crt, ec_key, NULL, &ec, &err) != CACHET_OK ||
        cachet_cert_load_file(rsa_crt, &rsa_cert, &err) != CACHET_OK ||
        cachet_cert_load_file(ec_crt, &ec_cert, &err) != CACHET_OK) {
        die("cannot load the credentials", err.message);
    }
    static uint8_t msg[MSG_SIZE];
    make_message(msg, sizeof(msg));

    op_case sign_rsa = {.name = "sign rsa-2048 (multipart/signed)", .kind = OP_SIGN};
    sign_rsa.sign.signer = rsa;
    op_case sign_ec = {.name = "sign p-256 (multipart/signed)", .kind = OP_SIGN};
    sign_ec.sign.signer = ec;
    cachet_cert *to_rsa[] = {rsa_cert};
    cachet_cert *to_ec[] = {ec_cert};
    op_case enc_gcm = {.name = "encrypt aes-256-gcm to rsa-2048", .kind = OP_ENCRYPT};
    enc_gcm.enc = (cachet_encrypt_opts){
        .recipients = to_rsa, .num_recipients = 1, .cipher = CACHET_CIPHER_CHOICE_AES256_GCM};
    op_case enc_cbc = {.name = "encrypt aes-256-cbc to rsa-2048", .kind = OP_ENCRYPT};
    enc_cbc.enc = enc_gcm.enc;
    enc_cbc.enc.cipher = CACHET_CIPHER_CHOICE_AES256_CBC;
    op_case enc_ec = {.name = "encrypt aes-256-gcm to p-256", .kind = OP_ENCRYPT};
    enc_ec.enc = enc_gcm.enc;
    enc_ec.enc.recipients = to_ec;
    op_case *producers[] = {&sign_rsa, &sign_ec, &enc_gcm, &enc_cbc, &enc_ec};
    for (size_t i = 0; i < sizeof(producers) / sizeof(producers[0]); i++) {
        producers[i]->ctx = ctx;
        producers[i]->in = msg;
        producers[i]->in_len = sizeof(msg);
    }

    /* the inputs of the reading cases, made once */
    cachet_membuf s_rsa = {0}, s_ec = {0}, e_gcm = {0}, e_cbc = {0}, e_ec = {0};
    produce(&sign_rsa, &s_rsa);
    produce(&sign_ec, &s_ec);
    produce(&enc_gcm, &e_gcm);
    produce(&enc_cbc, &e_cbc);
    produce(&enc_ec, &e_ec);
    op_case ver_rsa = {
        .name = "verify rsa-2048", .kind = OP_VERIFY, .in = s_rsa.data, .in_len = s_rsa.len};
    op_case ver_ec = {
        .name = "verify p-256", .kind = OP_VERIFY, .in = s_ec.data, .in_len = s_ec.len};
    op_case dec_gcm = {.name = "decrypt aes-256-gcm rsa-2048",
                       .kind = OP_DECRYPT,
                       .in = e_gcm.data,
                       .in_len = e_gcm.len};
    dec_gcm.dec.cred = rsa;
    op_case dec_cbc = dec_gcm;
    dec_cbc.name = "decrypt aes-256-cbc rsa-2048";
    dec_cbc.in = e_cbc.data;
    dec_cbc.in_len = e_cbc.len;
    op_case dec_ec = dec_gcm;
    dec_ec.name = "decrypt aes-256-gcm p-256";
    dec_ec.dec.cred = ec;
    dec_ec.in = e_ec.data;
    dec_ec.in_len = e_ec.len;
    op_case *readers[] = {&ver_rsa, &ver_ec, &dec_gcm, &dec_cbc, &dec_ec};
    for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
        readers[i]->ctx = ctx;
        readers[i]->out = (cachet_membuf){0};
    }
    /* a decrypted message is the message we encrypted */
    run_once(&dec_gcm);
    if (dec_gcm.out.len != sizeof(msg) || memcmp(dec_gcm.out.data, msg, sizeof(msg)) != 0) {
        die("decrypt", "the output is not the message encrypted");
    }

    EVP_PKEY *rk = read_key(rsa_key, true), *ek = read_key(ec_key, true);
    EVP_PKEY *rpub = read_key(rsa_crt, false), *epub = read_key(ec_crt, false);
    ref_case r_rsa_sign = {.name = "rsa-2048 sign", .kind = REF_SIGN, .key = rk};
    ref_case r_ec_sign = {.name = "ecdsa p-256 sign", .kind = REF_SIGN, .key = ek};
    ref_case r_rsa_ver = {.name = "rsa-2048 verify", .kind = REF_VERIFY, .key = rk};
    ref_case r_ec_ver = {.name = "ecdsa p-256 verify", .kind = REF_VERIFY, .key = ek};
    ref_case r_rsa_enc = {.name = "rsa-2048 encrypt", .kind = REF_ENCRYPT, .key = rpub};
    ref_case r_rsa_dec = {.name = "rsa-2048 decrypt", .kind = REF_DECRYPT, .key = rk};
    ref_case r_ec_eph = {.name = "p-256 keygen+ecdh", .kind = REF_ECDH_EPHEM, .key = epub};
    ref_case r_ec_dh = {.name = "p-256 ecdh", .kind = REF_ECDH, .key = ek, .peer = epub};

    printf("4 KiB messages, one context and credential reused, %.1f s per case, one thread\n",
           seconds_per_case);
    printf("%-34s %9s   %-26s %9s   %5s\n", "cachet", "msgs/s", "bounding EVP operation", "ops/s",
           "ratio");
    row(&sign_rsa, &r_rsa_sign);
    row(&sign_ec, &r_ec_sign);
    row(&enc_gcm, &r_rsa_enc);
    row(&enc_cbc, &r_rsa_enc);
    row(&enc_ec, &r_ec_eph);
    /* verify also checks the leaf's signature by the CA (a second public op) */
    row(&ver_rsa, &r_rsa_ver);
    row(&ver_ec, &r_ec_ver);
    row(&dec_gcm, &r_rsa_dec);
    row(&dec_cbc, &r_rsa_dec);
    row(&dec_ec, &r_ec_dh);

    op_case *all[] = {&sign_rsa, &sign_ec, &enc_gcm, &enc_cbc, &enc_ec,
                      &ver_rsa,  &ver_ec,  &dec_gcm, &dec_cbc, &dec_ec};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        cachet_membuf_free(&all[i]->out);
    }
    free(s_rsa.data);
    free(s_ec.data);
    free(e_gcm.data);
    free(e_cbc.data);
    free(e_ec.data);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(ek);
    EVP_PKEY_free(rpub);
    EVP_PKEY_free(epub);
    cachet_cert_free(rsa_cert);
    cachet_cert_free(ec_cert);
    cachet_credential_free(rsa);
    cachet_credential_free(ec);
    cachet_ctx_free(ctx);
    return 0;
}
