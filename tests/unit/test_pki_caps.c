/* SMIMECapabilities: the parser on a table of real and hostile values, what is
 * known of a recipient (store per address, newest first, merged with the RFC
 * 4262 certificate extension), and the algorithms chosen for a recipient set. */
#include <stdlib.h>
#include <unistd.h>

#include <sys/stat.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "pki/pki.h"
#include "test_cert_util.h"
#include "testlib.h"

/* ---- DER values ---- */

#define OID_AES128_CBC 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02
#define OID_AES256_CBC 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a
#define OID_AES128_GCM 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x06
#define OID_AES256_GCM 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2e
#define OID_OAEP 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x07
#define CAP(oid) 0x30, 0x0b, oid

/* What our signer writes (cms/attributes.c). */
static const uint8_t ours[] = {
    0x30, 0x34, CAP(OID_AES256_GCM), CAP(OID_AES128_GCM), CAP(OID_AES256_CBC), CAP(OID_AES128_CBC)};
/* rSAES-OAEP-Default-Identifier (RFC 3560 §5): an empty SEQUENCE. */
static const uint8_t oaep_default[] = {0x30, 0x0f, 0x30, 0x0d, OID_OAEP, 0x30, 0x00};
/* rSAES-OAEP-SHA256-Identifier, byte for byte from RFC 3560 §5. */
static const uint8_t oaep_sha256[] = {
    0x30, 0x3a, 0x30, 0x38, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x07,
    0x30, 0x2B, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
    0x05, 0x00, 0x30, 0x1A, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x08,
    0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00};
static const uint8_t oaep_bare[] = {0x30, 0x0d, 0x30, 0x0b, OID_OAEP};
static const uint8_t oaep_null[] = {0x30, 0x0f, 0x30, 0x0d, OID_OAEP, 0x05, 0x00};
/* An Outlook-like list: unknown entries (sha256WithRSAEncryption with NULL,
 * des-ede3-cbc, rc2-cbc with an INTEGER) around AES-256-CBC. */
static const uint8_t mixed[] = {0x30, 0x38, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00, CAP(OID_AES256_CBC),
                                0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                0x0d, 0x03, 0x07, 0x30, 0x0e, 0x06, 0x08, 0x2a, 0x86,
                                0x48, 0x86, 0xf7, 0x0d, 0x03, 0x02, 0x02, 0x02, 0x00,
                                0x80};
/* AES with parameters is not the encoding RFC 3565 §5.1 fixes: skipped. */
static const uint8_t aes_with_null[] = {0x30, 0x0f, 0x30, 0x0d, OID_AES256_GCM, 0x05, 0x00};
static const uint8_t empty_list[] = {0x30, 0x00};

typedef struct parse_case {
    const char *name;
    const uint8_t *der;
    size_t len;
    bool ok;
    cachet_pki_caps want;
} parse_case;

#define V(a) a, sizeof(a)
#define RAW(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static const parse_case parse_cases[] = {
    {"ours", V(ours), true, {true, true, true, true, false}},
    {"oaep default", V(oaep_default), true, {.rsa_oaep = true}},
    {"oaep sha256", V(oaep_sha256), true, {.rsa_oaep = true}},
    {"oaep without parameters", V(oaep_bare), true, {.rsa_oaep = true}},
    {"oaep with NULL is not RSAES-OAEP-params", V(oaep_null), true, {0}},
    {"unknown entries skipped", V(mixed), true, {.aes256_cbc = true}},
    {"aes with parameters skipped", V(aes_with_null), true, {0}},
    {"empty list", V(empty_list), true, {0}},
    {"empty input", (const uint8_t *)"", 0, false, {0}},
    {"truncated", RAW(0x30), false, {0}},
    {"trailing byte", RAW(0x30, 0x00, 0x00), false, {0}},
    {"SET instead of SEQUENCE", RAW(0x31, 0x0d, CAP(OID_AES256_GCM)), false, {0}},
    {"entry not a SEQUENCE", RAW(0x30, 0x0b, OID_AES256_GCM), false, {0}},
    {"entry without OID", RAW(0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01), false, {0}},
    {"entry empty", RAW(0x30, 0x02, 0x30, 0x00), false, {0}},
    {"two parameters", RAW(0x30, 0x11, 0x30, 0x0f, OID_OAEP, 0x30, 0x00, 0x05, 0x00), false, {0}},
    {"empty OID", RAW(0x30, 0x04, 0x30, 0x02, 0x06, 0x00), false, {0}},
    {"non-minimal OID arc", RAW(0x30, 0x06, 0x30, 0x04, 0x06, 0x02, 0x80, 0x01), false, {0}},
    {"indefinite length", RAW(0x30, 0x80, CAP(OID_AES256_GCM), 0x00, 0x00), false, {0}},
    {"non-minimal length", RAW(0x30, 0x81, 0x0d, CAP(OID_AES256_GCM)), false, {0}},
    {"parameter overruns entry", RAW(0x30, 0x0f, 0x30, 0x0d, OID_OAEP, 0x30, 0x05), false, {0}},
    {"bad nested parameter",
     RAW(0x30, 0x11, 0x30, 0x0f, OID_OAEP, 0x30, 0x02, 0x05, 0x01),
     false,
     {0}},
};

static bool same_caps(const cachet_pki_caps *a, const cachet_pki_caps *b) {
    return a->aes256_gcm == b->aes256_gcm && a->aes128_gcm == b->aes128_gcm &&
           a->aes256_cbc == b->aes256_cbc && a->aes128_cbc == b->aes128_cbc &&
           a->rsa_oaep == b->rsa_oaep;
}

static void parse_table(void) {
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const parse_case *c = &parse_cases[i];
        cachet_pki_caps got;
        memset(&got, 0xff, sizeof(got));
        bool ok = cachet_pki_caps_parse(c->der, c->len, &got);
        if (ok != c->ok || (ok && !same_caps(&got, &c->want))) {
            fprintf(stderr, "case \"%s\": ok=%d gcm256=%d gcm128=%d cbc256=%d cbc128=%d oaep=%d\n",
                    c->name, ok, got.aes256_gcm, got.aes128_gcm, got.aes256_cbc, got.aes128_cbc,
                    got.rsa_oaep);
            CHECK(false);
        }
        if (!ok) {
            cachet_pki_caps zero = {0};
            CHECK(same_caps(&got, &zero));
        }
    }
    CHECK(!cachet_pki_caps_parse(NULL, 4, &(cachet_pki_caps){0}));
}

static void every_proper_prefix_of_a_value_is_malformed(void) {
    const uint8_t *values[] = {ours, oaep_sha256, mixed};
    size_t lens[] = {sizeof(ours), sizeof(oaep_sha256), sizeof(mixed)};
    for (size_t v = 0; v < 3; v++) {
        for (size_t n = 0; n < lens[v]; n++) {
            cachet_pki_caps got;
            if (cachet_pki_caps_parse(values[v], n, &got)) {
                fprintf(stderr, "value %zu: prefix of %zu bytes accepted\n", v, n);
                CHECK(false);
            }
        }
    }
}

/* list_of writes a SEQUENCE of |num| AES-128-CBC capabilities, plus one AES-256-GCM. */
static size_t list_of(uint8_t *out, size_t num) {
    static const uint8_t one[] = {CAP(OID_AES128_CBC)};
    static const uint8_t gcm[] = {CAP(OID_AES256_GCM)};
    size_t body = (num - 1) * sizeof(one) + sizeof(gcm);
    size_t n = 0;
    out[n++] = 0x30;
    out[n++] = 0x82;
    out[n++] = (uint8_t)(body >> 8);
    out[n++] = (uint8_t)body;
    memcpy(out + n, gcm, sizeof(gcm));
    n += sizeof(gcm);
    for (size_t i = 1; i < num; i++) {
        memcpy(out + n, one, sizeof(one));
        n += sizeof(one);
    }
    return n;
}

static void at_most_256_entries_are_read(void) {
    static uint8_t buf[8192];
    cachet_pki_caps got;
    size_t len = list_of(buf, 256);
    CHECK(cachet_pki_caps_parse(buf, len, &got));
    CHECK(got.aes256_gcm && got.aes128_cbc && !got.aes256_cbc);
    len = list_of(buf, 257);
    CHECK(!cachet_pki_caps_parse(buf, len, &got));
    CHECK(!got.aes256_gcm);
}

static void values_over_the_store_limit_are_refused(void) {
    /* One unknown capability whose parameter is a large OCTET STRING. */
    static uint8_t buf[CACHET_DB_MAX_CAPS + 64];
    for (size_t total = CACHET_DB_MAX_CAPS - 1; total <= CACHET_DB_MAX_CAPS + 1; total++) {
        size_t entry = total - 4;     /* outer 30 82 LL LL */
        size_t param = entry - 4 - 5; /* entry 30 82 LL LL, OID 06 03 2a 03 04 */
        size_t octets = param - 4;    /* 04 82 LL LL */
        const uint8_t head[] = {0x30,
                                0x82,
                                (uint8_t)(entry >> 8),
                                (uint8_t)entry,
                                0x30,
                                0x82,
                                (uint8_t)((entry - 4) >> 8),
                                (uint8_t)(entry - 4),
                                0x06,
                                0x03,
                                0x2a,
                                0x03,
                                0x04,
                                0x04,
                                0x82,
                                (uint8_t)(octets >> 8),
                                (uint8_t)octets};
        size_t n = sizeof(head);
        memcpy(buf, head, n);
        memset(buf + n, 0x41, octets);
        n += octets;
        CHECK_EQ_INT(n, total);
        cachet_pki_caps got;
        CHECK_EQ_INT(cachet_pki_caps_parse(buf, n, &got), total <= CACHET_DB_MAX_CAPS);
    }
}

/* ---- values other implementations send (shared corpus, read at run time) ---- */

/* vector_caps reads the smimeCapabilities attribute value of the first signer
 * of an S/MIME message through OpenSSL's CMS API. */
static bool vector_caps(const char *rel, cachet_pki_caps *out) {
    const char *path = cachet_test_vector_path(rel);
    BIO *in = BIO_new_file(path, "r");
    BIO *content = NULL;
    CMS_ContentInfo *cms = in != NULL ? SMIME_read_CMS(in, &content) : NULL;
    bool ok = false;
    STACK_OF(CMS_SignerInfo) *sis = cms != NULL ? CMS_get0_SignerInfos(cms) : NULL;
    if (sis != NULL && sk_CMS_SignerInfo_num(sis) > 0) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
        int idx = CMS_signed_get_attr_by_NID(si, NID_SMIMECapabilities, -1);
        X509_ATTRIBUTE *attr = idx >= 0 ? CMS_signed_get_attr(si, idx) : NULL;
        ASN1_TYPE *t = attr != NULL ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
        if (t != NULL && t->type == V_ASN1_SEQUENCE) {
            ok = cachet_pki_caps_parse(ASN1_STRING_get0_data(t->value.sequence),
                                       (size_t)ASN1_STRING_length(t->value.sequence), out);
        }
    }
    if (cms == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
    }
    CMS_ContentInfo_free(cms);
    BIO_free(content);
    BIO_free(in);
    ERR_clear_error();
    return ok;
}

static void thunderbird_and_outlook_values_parse_to_aes_cbc(void) {
    const char *base = getenv("CACHET_VECTORS");
    struct stat st;
    if (base == NULL || stat(base, &st) != 0) {
        printf("skipped: no shared vector corpus ($CACHET_VECTORS)\n");
        return;
    }
    static const char *const files[] = {
        /* Thunderbird 128: aes256-CBC, aes128-CBC, 3DES, RC2, DES, digests, ECDH schemes. */
        "hiraoka-smime-mail-samples/received-at-smime2/Writing from smime1 to smime2 (signed).eml",
        /* Outlook 2013: aes256-CBC, aes192-CBC, 3DES, aes128-CBC, RC2, digests. */
        "hiraoka-smime-mail-samples/received-at-smime2/Message from smime1 to smime2 (signed).eml",
    };
    const cachet_pki_caps want = {.aes256_cbc = true, .aes128_cbc = true};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        cachet_pki_caps got;
        CHECK(vector_caps(files[i], &got));
        CHECK(same_caps(&got, &want));
    }
}

/* ---- recipients ---- */

static char store_dir[] = "/tmp/cachet-caps-XXXXXX";

static void remove_store(void) {
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", store_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot remove %s\n", store_dir);
    }
}

static cachet_db *open_store(const char *name) {
    static bool made;
    if (!made) {
        if (mkdtemp(store_dir) == NULL) {
            perror("mkdtemp");
            exit(1);
        }
        atexit(remove_store);
        made = true;
    }
    char path[128];
    snprintf(path, sizeof(path), "%s/%s.db", store_dir, name);
    cachet_db *db = NULL;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_db_open(path, &db, &err), CACHET_OK);
    if (db == NULL) {
        fprintf(stderr, "store: %s\n", err.message);
    }
    return db;
}

/* recipient makes a self-signed certificate with the SAN addresses |emails|
 * (comma-separated "email:" entries) and, when |caps| is not NULL, the RFC
 * 4262 extension. */
static cachet_cert *recipient(const char *alg, const char *emails, const uint8_t *caps,
                              size_t caps_len) {
    EVP_PKEY *key = strcmp(alg, "RSA") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
                                            : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    const ext_spec exts[] = {
        {NID_subject_alt_name, 0, emails, NULL, 0},
        {NID_SMIMECapabilities, 0, NULL, caps, caps_len},
    };
    cachet_cert *c = craft_cert(9, key, NULL, key, "R", exts, caps != NULL ? 2 : 1);
    EVP_PKEY_free(key);
    return c;
}

static const uint8_t cbc_only[] = {0x30, 0x0d, CAP(OID_AES256_CBC)};
static const uint8_t gcm_only[] = {0x30, 0x0d, CAP(OID_AES256_GCM)};
static const uint8_t aes128_only[] = {0x30, 0x1a, CAP(OID_AES128_GCM), CAP(OID_AES128_CBC)};
static const uint8_t gcm_oaep[] = {0x30, 0x1c, CAP(OID_AES256_GCM), 0x30, 0x0d, OID_OAEP,
                                   0x30, 0x00};

static void caps_of_takes_the_newest_address_and_merges_the_extension(void) {
    cachet_db *db = open_store("caps_of");
    if (db == NULL) {
        return;
    }
    cachet_cert *c = recipient("EC", "email:Bob@EXAMPLE.com,email:bobby@Example.Org", NULL, 0);
    cachet_pki_caps caps;
    bool known = true;
    CHECK_EQ_INT(cachet_pki_caps_of(db, c, &caps, &known, NULL), CACHET_OK);
    CHECK(!known);
    CHECK(!caps.aes256_gcm && !caps.aes256_cbc && !caps.rsa_oaep);

    /* Stored under the normalised address (domain lower case). */
    CHECK_EQ_INT(cachet_db_put_caps(db, "Bob@example.com", V(gcm_only), 100, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_pki_caps_of(db, c, &caps, &known, NULL), CACHET_OK);
    CHECK(known && caps.aes256_gcm && !caps.aes256_cbc);

    /* A newer value for the other address wins; the older is not merged. */
    CHECK_EQ_INT(cachet_db_put_caps(db, "bobby@example.org", V(cbc_only), 200, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_pki_caps_of(db, c, &caps, &known, NULL), CACHET_OK);
    CHECK(known && !caps.aes256_gcm && caps.aes256_cbc);

    CHECK_EQ_INT(cachet_db_put_caps(db, "Bob@example.com", V(gcm_oaep), 300, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_pki_caps_of(db, c, &caps, &known, NULL), CACHET_OK);
    CHECK(known && caps.aes256_gcm && !caps.aes256_cbc && caps.rsa_oaep);

    /* The local part is case-sensitive: "bob@" is another mailbox. */
    cachet_cert *lower = recipient("EC", "email:bob@example.com", NULL, 0);
    CHECK_EQ_INT(cachet_pki_caps_of(db, lower, &caps, &known, NULL), CACHET_OK);
    CHECK(!known);

    /* The certificate's extension adds to what the store says. */
    cachet_cert *ext = recipient("EC", "email:bobby@example.org", V(gcm_only));
    CHECK_EQ_INT(cachet_pki_caps_of(db, ext, &caps, &known, NULL), CACHET_OK);
    CHECK(known && caps.aes256_gcm && caps.aes256_cbc && !caps.rsa_oaep);
    CHECK_EQ_INT(cachet_pki_caps_of(NULL, ext, &caps, &known, NULL), CACHET_OK);
    CHECK(known && caps.aes256_gcm && !caps.aes256_cbc);

    /* A stored value that does not parse tells nothing. */
    static const uint8_t junk[] = {0x30, 0x03, 0x06, 0x01};
    cachet_cert *carl = recipient("EC", "email:carl@example.com", NULL, 0);
    CHECK_EQ_INT(cachet_db_put_caps(db, "carl@example.com", V(junk), 1, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_pki_caps_of(db, carl, &caps, &known, NULL), CACHET_OK);
    CHECK(!known);

    cachet_cert_free(carl);
    cachet_cert_free(ext);
    cachet_cert_free(lower);
    cachet_cert_free(c);
    cachet_db_close(db);
}

typedef struct choose_case {
    const char *name;
    size_t num;
    int who[3]; /* index into the recipients below */
    cachet_cipher cipher;
    bool oaep;
} choose_case;

static void choose_algorithms_table(void) {
    cachet_db *db = open_store("choose");
    if (db == NULL) {
        return;
    }
    /* 0 EC GCM (store), 1 EC GCM (extension), 2 EC unknown, 3 EC CBC only,
     * 4 RSA GCM+OAEP (store), 5 RSA GCM only (store), 6 RSA GCM+OAEP (extension),
     * 7 RSA unknown, 8 EC AES-128 only (store). */
    CHECK_EQ_INT(cachet_db_put_caps(db, "e0@example.com", V(ours), 10, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_db_put_caps(db, "e3@example.com", V(cbc_only), 10, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_db_put_caps(db, "r4@example.com", V(gcm_oaep), 10, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_db_put_caps(db, "r5@example.com", V(gcm_only), 10, NULL), CACHET_OK);
    CHECK_EQ_INT(cachet_db_put_caps(db, "e8@example.com", V(aes128_only), 10, NULL), CACHET_OK);
    cachet_cert *r[9] = {
        recipient("EC", "email:e0@example.com", NULL, 0),
        recipient("EC", "email:e1@example.com", V(gcm_only)),
        recipient("EC", "email:e2@example.com", NULL, 0),
        recipient("EC", "email:e3@example.com", NULL, 0),
        recipient("RSA", "email:r4@example.com", NULL, 0),
        recipient("RSA", "email:r5@example.com", NULL, 0),
        recipient("RSA", "email:r6@example.com", V(gcm_oaep)),
        recipient("RSA", "email:r7@example.com", NULL, 0),
        recipient("EC", "email:e8@example.com", NULL, 0),
    };
    static const choose_case cases[] = {
        {"all GCM", 2, {0, 1}, CACHET_CIPHER_AES256_GCM, false},
        {"one unknown", 3, {0, 1, 2}, CACHET_CIPHER_AES256_CBC, false},
        {"one CBC only", 2, {0, 3}, CACHET_CIPHER_AES256_CBC, false},
        {"single unknown", 1, {2}, CACHET_CIPHER_AES256_CBC, false},
        {"RSA all OAEP", 2, {4, 6}, CACHET_CIPHER_AES256_GCM, true},
        {"RSA one without OAEP", 3, {4, 5, 6}, CACHET_CIPHER_AES256_GCM, false},
        {"RSA one unknown", 2, {4, 7}, CACHET_CIPHER_AES256_CBC, false},
        {"EC recipients do not count for OAEP", 3, {4, 0, 1}, CACHET_CIPHER_AES256_GCM, true},
        {"no RSA recipient: no OAEP", 1, {1}, CACHET_CIPHER_AES256_GCM, false},
        /* RFC 8551 §2.7: AES-128-CBC is the one every agent MUST support */
        {"one AES-128 only", 2, {0, 8}, CACHET_CIPHER_AES128_CBC, false},
        {"AES-128 only beside unknown", 2, {2, 8}, CACHET_CIPHER_AES128_CBC, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cachet_cert *set[3];
        for (size_t j = 0; j < cases[i].num; j++) {
            set[j] = r[cases[i].who[j]];
        }
        cachet_cipher cipher = CACHET_CIPHER_NONE;
        bool oaep = !cases[i].oaep;
        CHECK_EQ_INT(cachet_pki_choose_algorithms(db, set, cases[i].num, &cipher, &oaep, NULL),
                     CACHET_OK);
        if (cipher != cases[i].cipher || oaep != cases[i].oaep) {
            fprintf(stderr, "case \"%s\": cipher %d oaep %d\n", cases[i].name, (int)cipher, oaep);
            CHECK(false);
        }
    }
    /* Without a store only extensions are known. */
    cachet_cipher cipher = CACHET_CIPHER_NONE;
    bool oaep = false;
    cachet_cert *ext_only[] = {r[1], r[6]};
    CHECK_EQ_INT(cachet_pki_choose_algorithms(NULL, ext_only, 2, &cipher, &oaep, NULL), CACHET_OK);
    CHECK(cipher == CACHET_CIPHER_AES256_GCM && oaep);
    cachet_cert *stored[] = {r[0]};
    CHECK_EQ_INT(cachet_pki_choose_algorithms(NULL, stored, 1, &cipher, &oaep, NULL), CACHET_OK);
    CHECK(cipher == CACHET_CIPHER_AES256_CBC && !oaep);
    CHECK_EQ_INT(cachet_pki_choose_algorithms(db, stored, 0, &cipher, &oaep, NULL),
                 CACHET_ERR_USAGE);
    for (size_t i = 0; i < 9; i++) {
        cachet_cert_free(r[i]);
    }
    cachet_db_close(db);
}

static const cachet_test_case tests[] = {
    TEST_CASE(parse_table),
    TEST_CASE(every_proper_prefix_of_a_value_is_malformed),
    TEST_CASE(at_most_256_entries_are_read),
    TEST_CASE(values_over_the_store_limit_are_refused),
    TEST_CASE(thunderbird_and_outlook_values_parse_to_aes_cbc),
    TEST_CASE(caps_of_takes_the_newest_address_and_merges_the_extension),
    TEST_CASE(choose_algorithms_table),
};
TEST_MAIN(tests)
