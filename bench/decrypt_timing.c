/* bench/decrypt_timing.c: the timing class of every failure of the library
 * decrypt path (ATTACKS BL-04, BL-05; issue 8 item 5). A measurement, not a
 * test: it prints figures and asserts only that each class gives the status it
 * must (the valid message opens, everything else is the one uniform failure).
 *
 * One RSA-2048 key and certificate are made at start. For each case (PKCS#1
 * v1.5 or RSAES-OAEP key transport, AES-256-GCM or AES-256-CBC content) one
 * S/MIME message is encrypted with OpenSSL, then only its encryptedKey (or its
 * last bytes) is replaced to make the ciphertext classes of the Marvin toolkit:
 *
 *   valid                   the message as made (decrypts)
 *   valid-cek-bad-tag       right CEK, last mac byte / CBC padding broken (the reference)
 *   random-ek               256 random bytes below the modulus (no_structure)
 *   pkcs1-len-L             PKCS#1-conformant, a random CEK of L bytes (L != 32: wrong length)
 *   pkcs1-other-cek-32      PKCS#1-conformant, a random 32-byte CEK (right length, wrong key)
 *   pad-first-byte-01       EM = 01 02 PS 00 K (first byte not zero)
 *   pad-type-01             EM = 00 01 PS 00 K (block type 1: signature padding)
 *   pad-no-separator        EM = 00 02 PS, no zero byte at all
 *   pad-short-ps            EM = 00 02 PS(7 bytes) 00 K (zero byte inside the 8-byte minimum)
 *   oaep-*                  for OAEP: random-ek, first byte 01, lHash mismatch, no 01
 *                           separator (Manger's classes, RFC 8017 §7.1.2), a label,
 *                           SHA-1 instead of the SHA-256 the parameters name
 *
 * The classes are interleaved in a random order (seeded, printed) and each is
 * timed -n times (default 2000): wall time (CLOCK_MONOTONIC) of the whole call,
 * cachet_decrypt_new + cachet_op_update(all) + cachet_op_finish + free. Per class
 * it prints median, mean and standard deviation (microseconds), and Welch's t of
 * the class against the reference class and against random-ek, both on all
 * samples and on the samples below the 90th percentile of the case (scheduler
 * spikes removed).
 *
 *   cachet_bench_decrypt_timing [-n COUNT] [-s SEED] [-c CASE]
 *
 * -c runs only the cases whose name contains CASE ("v15-gcm", "v15-cbc",
 * "oaep-gcm", "oaep-cbc"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cachet/cachet.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define K 256 /* RSA-2048 modulus bytes */
#define MAX_CLASSES 24

static void die(const char *what, const char *detail) {
    fprintf(stderr, "bench/decrypt_timing: %s%s%s\n", what, detail != NULL ? ": " : "",
            detail != NULL ? detail : "");
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state;
static uint32_t rnd32(void) {
    /* xorshift64*: the schedule only needs to be unpredictable to the code timed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

/* ---- Key, certificate, credential ---- */

static EVP_PKEY *key;
static X509 *cert;

static void make_identity(const char *dir, cachet_credential **cred) {
    key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX v3;
    if (key == NULL || cert == NULL || name == NULL) {
        die("key generation", NULL);
    }
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 4242);
    X509_set_version(cert, 2);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"Bob Timing", -1,
                               -1, 0);
    X509_set_subject_name(cert, name);
    X509_set_issuer_name(cert, name);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
    X509_set_pubkey(cert, key);
    X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
    static const struct {
        int nid;
        const char *value;
    } exts[] = {{NID_key_usage, "keyEncipherment"},
                {NID_ext_key_usage, "emailProtection"},
                {NID_subject_alt_name, "email:bob@example.com"},
                {NID_subject_key_identifier, "hash"}};
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, exts[i].nid, exts[i].value);
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
    X509_NAME_free(name);
    char cpath[512], kpath[512];
    snprintf(cpath, sizeof(cpath), "%s/cert.pem", dir);
    snprintf(kpath, sizeof(kpath), "%s/key.pem", dir);
    FILE *f = fopen(cpath, "w");
    if (f == NULL || PEM_write_X509(f, cert) != 1) {
        die("writing", cpath);
    }
    fclose(f);
    f = fopen(kpath, "w");
    if (f == NULL || PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1) {
        die("writing", kpath);
    }
    fclose(f);
    cachet_error err;
    if (cachet_credential_load(cpath, kpath, NULL, cred, &err) != CACHET_OK) {
        die("cachet_credential_load", err.message);
    }
    unlink(cpath);
    unlink(kpath);
}

/* ---- RSA ciphertexts ---- */

static void rsa_encrypt(int padding, const EVP_MD *oaep_md, const char *label, const uint8_t *in,
                        size_t in_len, uint8_t out[K]) {
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    size_t n = K;
    bool ok = pc != NULL && EVP_PKEY_encrypt_init(pc) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(pc, padding) == 1;
    if (ok && padding == RSA_PKCS1_OAEP_PADDING) {
        ok = EVP_PKEY_CTX_set_rsa_oaep_md(pc, oaep_md) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pc, oaep_md) == 1;
        if (ok && label != NULL) {
            unsigned char *l = OPENSSL_memdup(label, strlen(label));
            ok = EVP_PKEY_CTX_set0_rsa_oaep_label(pc, l, (int)strlen(label)) == 1;
        }
    }
    if (!ok || EVP_PKEY_encrypt(pc, out, &n, in, in_len) != 1 || n != K) {
        die("RSA encryption for a class", NULL);
    }
    EVP_PKEY_CTX_free(pc);
}

/* A PKCS#1 v1.5 block: 00 02 PS 00 M with PS nonzero, then edited per class. */
static void v15_block(uint8_t em[K], size_t msg_len, size_t ps_len) {
    RAND_bytes(em, K);
    em[0] = 0x00;
    em[1] = 0x02;
    for (size_t i = 2; i < K; i++) {
        while (em[i] == 0) {
            RAND_bytes(em + i, 1);
        }
    }
    if (ps_len > 0) {
        em[2 + ps_len] = 0x00;
    }
    (void)msg_len;
}

/* MGF1 (RFC 8017 §B.2.1) with SHA-256, to build OAEP blocks that OpenSSL
 * would refuse to make: the bench makes attack inputs, the library never
 * sees this code. */
static void mgf1_xor(uint8_t *out, size_t out_len, const uint8_t *seed, size_t seed_len) {
    uint8_t buf[K + 4], h[32];
    for (uint32_t c = 0, done = 0; done < out_len; c++) {
        memcpy(buf, seed, seed_len);
        buf[seed_len] = (uint8_t)(c >> 24);
        buf[seed_len + 1] = (uint8_t)(c >> 16);
        buf[seed_len + 2] = (uint8_t)(c >> 8);
        buf[seed_len + 3] = (uint8_t)c;
        EVP_Digest(buf, seed_len + 4, h, NULL, EVP_sha256(), NULL);
        for (size_t i = 0; i < 32 && done < out_len; i++) {
            out[done++] ^= h[i];
        }
    }
}

typedef enum oaep_edit { OAEP_FIRST_BYTE, OAEP_LHASH, OAEP_NO_SEPARATOR } oaep_edit;

/* An OAEP-SHA-256 block with an empty label around a 32-byte key, broken as |e| says. */
static void oaep_block(uint8_t em[K], oaep_edit e) {
    uint8_t *seed = em + 1, *db = em + 1 + 32;
    size_t db_len = K - 1 - 32;
    memset(em, 0, K);
    EVP_Digest("", 0, db, NULL, EVP_sha256(), NULL);
    if (e == OAEP_LHASH) {
        db[5] ^= 0x01;
    }
    if (e != OAEP_NO_SEPARATOR) {
        db[db_len - 32 - 1] = 0x01;
    }
    RAND_bytes(db + db_len - 32, 32);
    RAND_bytes(seed, 32);
    mgf1_xor(db, db_len, seed, 32);
    mgf1_xor(seed, 32, db, db_len);
    em[0] = e == OAEP_FIRST_BYTE ? 0x01 : 0x00;
}

/* ---- Messages ---- */

typedef struct blob {
    uint8_t *data;
    size_t len;
} blob;

static blob bio_blob(BIO *b) {
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    blob r = {malloc((size_t)n), (size_t)n};
    memcpy(r.data, p, (size_t)n);
    return r;
}

static const char *content(void) {
    static char text[1200];
    if (text[0] == '\0') {
        strcpy(text, "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        while (strlen(text) < sizeof(text) - 80) {
            strcat(text, "The quick brown fox jumps over the lazy dog, again and again.\r\n");
        }
    }
    return text;
}

/* The DER ContentInfo to our certificate (OpenSSL writes it non-streamed). */
static blob encrypt_der(const EVP_CIPHER *cipher, bool oaep) {
    const char *text = content();
    BIO *in = BIO_new_mem_buf(text, (int)strlen(text)), *out = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms = CMS_encrypt(NULL, NULL, cipher, CMS_BINARY | CMS_PARTIAL);
    CMS_RecipientInfo *ri =
        cms != NULL ? CMS_add1_recipient_cert(cms, cert, oaep ? CMS_KEY_PARAM : 0) : NULL;
    bool ok = ri != NULL;
    if (ok && oaep) {
        EVP_PKEY_CTX *pctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0;
    }
    if (!ok || CMS_final(cms, in, NULL, CMS_BINARY) != 1 || i2d_CMS_bio(out, cms) != 1) {
        die("CMS_encrypt", NULL);
    }
    blob r = bio_blob(out);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(out);
    return r;
}

static size_t find_ek(blob b) {
    for (size_t i = 0; i + 4 + K <= b.len; i++) {
        if (b.data[i] == 0x04 && b.data[i + 1] == 0x82 && b.data[i + 2] == 0x01 &&
            b.data[i + 3] == 0x00) {
            return i + 4;
        }
    }
    die("no 256-byte encryptedKey in the message", NULL);
    return 0;
}

/* The S/MIME entity around DER: base64 in 64-character lines. */
static blob smime(blob der, bool auth) {
    char head[300];
    int h = snprintf(head, sizeof(head),
                     "MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; "
                     "smime-type=%s; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                     auth ? "authEnveloped-data" : "enveloped-data");
    size_t lines = (der.len + 47) / 48;
    blob r = {malloc((size_t)h + lines * 66 + 1), 0};
    memcpy(r.data, head, (size_t)h);
    r.len = (size_t)h;
    for (size_t off = 0; off < der.len; off += 48) {
        int n = (int)(der.len - off < 48 ? der.len - off : 48);
        r.len += (size_t)EVP_EncodeBlock(r.data + r.len, der.data + off, n);
        r.data[r.len++] = '\r';
        r.data[r.len++] = '\n';
    }
    return r;
}

/* ---- Classes ---- */

typedef struct klass {
    char name[32];
    blob msg;
    bool opens; /* the valid message */
    double *us;
    size_t n;
    size_t opened; /* a failure class that opened (PKCS#1 v1.5 + CBC: RFC 3218's residue) */
    size_t other;  /* any other outcome than the one expected */
} klass;

typedef struct bench_case {
    const char *name;
    const EVP_CIPHER *cipher;
    bool oaep;
    klass k[MAX_CLASSES];
    size_t nk;
} bench_case;

static void add_class(bench_case *c, const char *name, blob base, size_t ek, const uint8_t *new_ek,
                      int tail_edit) {
    if (c->nk == MAX_CLASSES) {
        die("too many classes", NULL);
    }
    klass *k = &c->k[c->nk++];
    snprintf(k->name, sizeof(k->name), "%s", name);
    blob der = {malloc(base.len), base.len};
    memcpy(der.data, base.data, base.len);
    if (new_ek != NULL) {
        memcpy(der.data + ek, new_ek, K);
    }
    if (tail_edit == 1) {
        der.data[der.len - 1] ^= 0x01; /* GCM: the last mac byte */
    } else if (tail_edit == 2) {
        /* CBC: bit 0 of the last byte of the second-to-last block turns the
         * padding value p into p^1, which never checks */
        der.data[der.len - 17] ^= 0x01;
    }
    k->msg = smime(der, EVP_CIPHER_get_mode(c->cipher) == EVP_CIPH_GCM_MODE);
    k->opens = new_ek == NULL && tail_edit == 0;
    free(der.data);
}

static void build_case(bench_case *c) {
    blob base = encrypt_der(c->cipher, c->oaep);
    size_t ek = find_ek(base);
    bool gcm = EVP_CIPHER_get_mode(c->cipher) == EVP_CIPH_GCM_MODE;
    uint8_t em[K], ct[K], cek[64];
    add_class(c, "valid", base, ek, NULL, 0);
    add_class(c, "valid-cek-bad-tag", base, ek, NULL, gcm ? 1 : 2);
    RAND_bytes(ct, K);
    ct[0] &= 0x7f; /* below the modulus, whose top bit is set */
    add_class(c, "random-ek", base, ek, ct, 0);
    if (!c->oaep) {
        static const size_t lens[] = {15, 16, 24, 31, 33, 48};
        char name[32];
        for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
            RAND_bytes(cek, (int)lens[i]);
            rsa_encrypt(RSA_PKCS1_PADDING, NULL, NULL, cek, lens[i], ct);
            snprintf(name, sizeof(name), "pkcs1-len-%zu", lens[i]);
            add_class(c, name, base, ek, ct, 0);
        }
        RAND_bytes(cek, 32);
        rsa_encrypt(RSA_PKCS1_PADDING, NULL, NULL, cek, 32, ct);
        add_class(c, "pkcs1-other-cek-32", base, ek, ct, 0);
        v15_block(em, 32, K - 3 - 32);
        em[0] = 0x01;
        rsa_encrypt(RSA_NO_PADDING, NULL, NULL, em, K, ct);
        add_class(c, "pad-first-byte-01", base, ek, ct, 0);
        v15_block(em, 32, K - 3 - 32);
        em[1] = 0x01;
        rsa_encrypt(RSA_NO_PADDING, NULL, NULL, em, K, ct);
        add_class(c, "pad-type-01", base, ek, ct, 0);
        v15_block(em, 0, 0);
        rsa_encrypt(RSA_NO_PADDING, NULL, NULL, em, K, ct);
        add_class(c, "pad-no-separator", base, ek, ct, 0);
        v15_block(em, 32, 7);
        rsa_encrypt(RSA_NO_PADDING, NULL, NULL, em, K, ct);
        add_class(c, "pad-short-ps", base, ek, ct, 0);
    } else {
        static const struct {
            oaep_edit e;
            const char *name;
        } edits[] = {{OAEP_FIRST_BYTE, "oaep-first-byte-01"},
                     {OAEP_LHASH, "oaep-lhash-mismatch"},
                     {OAEP_NO_SEPARATOR, "oaep-no-separator"}};
        for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
            oaep_block(em, edits[i].e);
            rsa_encrypt(RSA_NO_PADDING, NULL, NULL, em, K, ct);
            add_class(c, edits[i].name, base, ek, ct, 0);
        }
        RAND_bytes(cek, 32);
        rsa_encrypt(RSA_PKCS1_OAEP_PADDING, EVP_sha256(), "label", cek, 32, ct);
        add_class(c, "oaep-label", base, ek, ct, 0);
        rsa_encrypt(RSA_PKCS1_OAEP_PADDING, EVP_sha1(), NULL, cek, 32, ct);
        add_class(c, "oaep-sha1-not-sha256", base, ek, ct, 0);
        rsa_encrypt(RSA_PKCS1_OAEP_PADDING, EVP_sha256(), NULL, cek, 16, ct);
        add_class(c, "oaep-len-16", base, ek, ct, 0);
        rsa_encrypt(RSA_PKCS1_OAEP_PADDING, EVP_sha256(), NULL, cek, 32, ct);
        add_class(c, "oaep-other-cek-32", base, ek, ct, 0);
    }
    free(base.data);
}

/* ---- Timing ---- */

static const cachet_ctx *ctx;
static const cachet_credential *cred;
static cachet_membuf outbuf;

/* One whole decrypt call: 0 if the outcome is what the class must give, 1 if a
 * failure class opened (status OK), 2 for anything else. */
static int decrypt_once(const klass *k, uint64_t *ns) {
    cachet_error err;
    cachet_sink sink = cachet_sink_membuf(&outbuf);
    cachet_decrypt_opts opts = {.cred = cred};
    cachet_report *rep = NULL;
    outbuf.len = 0;
    uint64_t t0 = now_ns();
    cachet_op *op = cachet_decrypt_new(ctx, &opts, &sink, &err);
    if (op == NULL) {
        die("cachet_decrypt_new", err.message);
    }
    cachet_status st = cachet_op_update(op, k->msg.data, k->msg.len);
    cachet_status fst = cachet_op_finish(op, &rep);
    bool opened = st == CACHET_OK && fst == CACHET_OK && outbuf.len > 0;
    bool ok = k->opens ? opened
                       : fst == CACHET_ERR_DECRYPT && outbuf.len == 0 &&
                             strcmp(cachet_op_error(op)->message, "decryption failed") == 0;
    cachet_report_free(rep);
    cachet_op_free(op);
    *ns = now_ns() - t0;
    return ok ? 0 : opened ? 1 : 2;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct stats {
    double median, mean, sd;
    size_t n;
} stats;

/* Statistics of the samples not above |cut| (cut <= 0: all). */
static stats stats_of(const klass *k, double cut) {
    stats s = {0, 0, 0, 0};
    double *v = malloc(k->n * sizeof(double));
    for (size_t i = 0; i < k->n; i++) {
        if (cut <= 0 || k->us[i] <= cut) {
            v[s.n++] = k->us[i];
        }
    }
    if (s.n == 0) {
        free(v);
        return s;
    }
    qsort(v, s.n, sizeof(double), cmp_double);
    s.median = s.n % 2 ? v[s.n / 2] : (v[s.n / 2 - 1] + v[s.n / 2]) / 2;
    for (size_t i = 0; i < s.n; i++) {
        s.mean += v[i];
    }
    s.mean /= (double)s.n;
    for (size_t i = 0; i < s.n; i++) {
        s.sd += (v[i] - s.mean) * (v[i] - s.mean);
    }
    s.sd = s.n > 1 ? sqrt(s.sd / (double)(s.n - 1)) : 0;
    free(v);
    return s;
}

static double welch(stats a, stats b) {
    double se = sqrt(a.sd * a.sd / (double)a.n + b.sd * b.sd / (double)b.n);
    return se > 0 ? (a.mean - b.mean) / se : 0;
}

static void run_case(bench_case *c, size_t n) {
    size_t total = c->nk * n, warm = 20;
    size_t *order = malloc(total * sizeof(size_t));
    for (size_t i = 0; i < c->nk; i++) {
        c->k[i].us = malloc(n * sizeof(double));
        c->k[i].n = 0;
        c->k[i].opened = 0;
        c->k[i].other = 0;
        for (size_t j = 0; j < n; j++) {
            order[i * n + j] = i;
        }
    }
    for (size_t i = total - 1; i > 0; i--) {
        size_t j = rnd32() % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    uint64_t ns;
    for (size_t i = 0; i < warm * c->nk; i++) {
        decrypt_once(&c->k[i % c->nk], &ns);
    }
    for (size_t i = 0; i < total; i++) {
        klass *k = &c->k[order[i]];
        int r = decrypt_once(k, &ns);
        k->opened += r == 1;
        k->other += r == 2;
        k->us[k->n++] = (double)ns / 1000.0;
    }
    free(order);
    /* The 90th percentile over the whole case: above it, mostly scheduler noise. */
    double *all = malloc(total * sizeof(double));
    size_t m = 0;
    for (size_t i = 0; i < c->nk; i++) {
        memcpy(all + m, c->k[i].us, c->k[i].n * sizeof(double));
        m += c->k[i].n;
    }
    qsort(all, m, sizeof(double), cmp_double);
    double cut = all[(m * 90) / 100];
    free(all);
    stats ref = stats_of(&c->k[1], 0), rnd = stats_of(&c->k[2], 0);
    stats ref_t = stats_of(&c->k[1], cut), rnd_t = stats_of(&c->k[2], cut);
    /* What |t| = 5 amounts to here: differences much smaller go unseen. */
    double se = sqrt(ref_t.sd * ref_t.sd / (double)ref_t.n + rnd_t.sd * rnd_t.sd / (double)rnd_t.n);
    printf("\n## %s: %zu samples per class, reference valid-cek-bad-tag; p90 cut %.1f us;\n"
           "## |t90| = 5 is a difference of %.2f us (sd below the cut: %.1f us)\n",
           c->name, n, cut, 5 * se, ref_t.sd);
    printf("%-22s %9s %9s %8s %9s %9s %9s %9s %6s %5s\n", "class", "median", "mean", "sd", "t_ref",
           "t_rand", "t_ref90", "t_rand90", "opened", "other");
    for (size_t i = 0; i < c->nk; i++) {
        stats s = stats_of(&c->k[i], 0), st = stats_of(&c->k[i], cut);
        printf("%-22s %9.1f %9.1f %8.1f %9.2f %9.2f %9.2f %9.2f %6zu %5zu\n", c->k[i].name,
               s.median, s.mean, s.sd, welch(s, ref), welch(s, rnd), welch(st, ref_t),
               welch(st, rnd_t), c->k[i].opened, c->k[i].other);
    }
}

int main(int argc, char **argv) {
    size_t n = 2000;
    const char *only = NULL;
    rng_state = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    int opt;
    while ((opt = getopt(argc, argv, "n:s:c:")) != -1) {
        if (opt == 'n') {
            n = (size_t)strtoul(optarg, NULL, 10);
        } else if (opt == 's') {
            rng_state = strtoull(optarg, NULL, 10);
        } else if (opt == 'c') {
            only = optarg;
        } else {
            fprintf(stderr, "usage: %s [-n COUNT] [-s SEED] [-c CASE]\n", argv[0]);
            return 2;
        }
    }
    if (n < 2 || rng_state == 0) {
        die("COUNT must be at least 2 and SEED not 0", NULL);
    }
    printf("# cachet decrypt timing (ATTACKS BL-04/BL-05): RSA-2048, whole cachet_decrypt call\n");
    printf("# seed %llu; times in microseconds. Expected: valid opens, every other class\n",
           (unsigned long long)rng_state);
    printf("# fails with CACHET_ERR_DECRYPT \"decryption failed\" and no output; 'opened' counts\n"
           "# failure-class runs that opened instead (PKCS#1 v1.5 with CBC: the random CEK\n"
           "# of RFC 3218 passes the padding check 1 time in 256), 'other' anything else.\n");
    printf("# How to read t (Welch): |t| < ~5 at this sample size is no evidence of a\n"
           "# difference; a large |t| that comes back on a second run is. t_ref: against\n"
           "# valid-cek-bad-tag; t_rand: against random-ek; *90: samples above the case's\n"
           "# 90th percentile left out (the time-sharing noise of a busy machine).\n");
    char dir[] = "/tmp/cachet-timing-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        die("mkdtemp", NULL);
    }
    cachet_credential *c = NULL;
    make_identity(dir, &c);
    rmdir(dir);
    cred = c;
    cachet_ctx *cx = cachet_ctx_new();
    ctx = cx;
    static bench_case cases[] = {
        {.name = "v15-gcm (rsaEncryption, aes-256-gcm)"},
        {.name = "v15-cbc (rsaEncryption, aes-256-cbc)"},
        {.name = "oaep-gcm (RSAES-OAEP SHA-256, aes-256-gcm)", .oaep = true},
        {.name = "oaep-cbc (RSAES-OAEP SHA-256, aes-256-cbc)", .oaep = true},
    };
    cases[0].cipher = cases[2].cipher = EVP_aes_256_gcm();
    cases[1].cipher = cases[3].cipher = EVP_aes_256_cbc();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (only != NULL && strstr(cases[i].name, only) == NULL) {
            continue;
        }
        build_case(&cases[i]);
        run_case(&cases[i], n);
        fflush(stdout);
    }
    cachet_membuf_free(&outbuf);
    cachet_ctx_free(cx);
    cachet_credential_free(c);
    EVP_PKEY_free(key);
    X509_free(cert);
    return 0;
}
