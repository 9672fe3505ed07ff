/* Keys of the store (include/cachet/store.h): key files, PKCS#12, PKCS#11
 * references, cachet_credential_from_store, and certificate requests. */
#include <time.h>

#include "test_smime_store_util.h"

#define SETUP()                                                                                    \
    do {                                                                                           \
        if (!pki_setup()) {                                                                        \
            CHECK(!"no test PKI");                                                                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* copy_key copies a PKI key into the temp folder with |mode|. */
static const char *copy_key(const char *name, const char *as, int mode) {
    const char *dst = tmp_path(as);
    CHECK_EQ_INT(run("cp '%s' '%s' && chmod %o '%s'", pki_path(name), dst, mode, dst), 0);
    return dst;
}

static void key_file_is_referenced_not_copied(void) {
    SETUP();
    cachet_store *st = new_store(NULL, 0);
    const char *key = copy_key("alice.key", "alice-600.key", 0600);
    cachet_import_result res;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_store_import_key_files(st, key, pki_path("alice.pem"), NULL, &res, &err),
                 CACHET_OK);
    CHECK_EQ_INT(res.added, 2);
    char fp[65], want[600];
    fp_of(pki_path("alice.crt"), fp);
    CHECK_STR(res.first_fp, fp);
    snprintf(want, sizeof(want), "file:%s", key);
    cachet_cert_info *keys = NULL;
    size_t n = 0;
    CHECK_EQ_INT(cachet_store_list_keys(st, &keys, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK_STR(keys[0].fingerprint, fp);
        CHECK_STR(keys[0].key_ref, want);
    }
    cachet_cert_info_free(keys, n);
    cachet_store_close(st);
}

static void key_file_refusals(void) {
    SETUP();
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    cachet_error err = {0};
    /* Readable by others. */
    const char *open_key = copy_key("alice.key", "alice-644.key", 0644);
    CHECK_EQ_INT(
        cachet_store_import_key_files(st, open_key, pki_path("alice.crt"), NULL, &res, &err),
        CACHET_ERR_KEY);
    char want[1200];
    snprintf(want, sizeof(want), "key file %s is readable by others (mode 0644): chmod 600 %s",
             open_key, open_key);
    CHECK_STR(err.message, want);
    /* Encrypted key, wrong password. */
    const char *enc = tmp_path("alice-enc.key");
    CHECK_EQ_INT(run("openssl pkcs8 -topk8 -v2 aes-256-cbc -in '%s' -passout pass:right -out '%s' "
                     "&& chmod 600 '%s'",
                     pki_path("alice.key"), enc, enc),
                 0);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_store_import_key_files(st, enc, pki_path("alice.crt"), "wrong", &res, &err),
                 CACHET_ERR_KEY);
    /* Another certificate's key. */
    const char *bob = copy_key("bob.key", "bob-600.key", 0600);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_store_import_key_files(st, bob, pki_path("alice.crt"), NULL, &res, &err),
                 CACHET_ERR_KEY);
    CHECK(strstr(err.message, "does not match") != NULL);
    /* A missing key file. */
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_store_import_key_files(st, tmp_path("nope.key"), pki_path("alice.crt"),
                                               NULL, &res, &err),
                 CACHET_ERR_IO);
    CHECK_EQ_INT(store_count(st), 0);
    /* The right password works. */
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_store_import_key_files(st, enc, pki_path("alice.crt"), "right", &res, &err),
                 CACHET_OK);
    CHECK_EQ_INT(store_count(st), 1);
    cachet_store_close(st);
}

static void p12_key_is_written_encrypted_0600(void) {
    SETUP();
    char dir[512];
    cachet_store *st = new_store(dir, sizeof(dir));
    cachet_import_result res;
    cachet_error err = {0};
    char keydir[600];
    snprintf(keydir, sizeof(keydir), "%s/keys", dir);
    /* Wrong password: nothing stored, no key file. */
    CHECK_EQ_INT(cachet_store_import_key_p12(st, pki_path("alice.p12"), "wrong", NULL, &res, &err),
                 CACHET_ERR_KEY);
    CHECK_EQ_INT(store_count(st), 0);
    CHECK_EQ_INT(run("test -z \"$(ls -A '%s' 2>/dev/null)\"", keydir), 0);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_store_import_key_p12(st, pki_path("alice.p12"), "", NULL, &res, &err),
                 CACHET_ERR_USAGE);
    cachet_err_clear(&err);
    CHECK_EQ_INT(
        cachet_store_import_key_p12(st, pki_path("alice.p12"), "alicepass", NULL, &res, &err),
        CACHET_OK);
    CHECK_EQ_INT(res.added, 2);
    char fp[65], path[800], ref[820];
    fp_of(pki_path("alice.crt"), fp);
    CHECK_STR(res.first_fp, fp);
    snprintf(path, sizeof(path), "%s/%s.key", keydir, fp);
    snprintf(ref, sizeof(ref), "file:%s", path);
    struct stat sb;
    CHECK_EQ_INT(stat(path, &sb), 0);
    CHECK_EQ_INT(sb.st_mode & 0777, 0600);
    CHECK_EQ_INT(stat(keydir, &sb), 0);
    CHECK_EQ_INT(sb.st_mode & 0777, 0700);
    /* Only the key file is left in the folder (no temporary). */
    CHECK_EQ_INT(run("test $(ls -A '%s' | wc -l) -eq 1", keydir), 0);
    CHECK_EQ_INT(run("grep -q 'BEGIN ENCRYPTED PRIVATE KEY' '%s'", path), 0);
    cachet_cert_info info;
    CHECK_EQ_INT(cachet_store_get(st, fp, &info, &err), CACHET_OK);
    CHECK_STR(info.key_ref, ref);
    cachet_cert_info_clear(&info);
    /* It reloads with the password, not without. */
    cachet_cert *cert = load_cert(pki_path("alice.crt"));
    cachet_pkey *key = NULL;
    CHECK_EQ_INT(cachet_pki_load_key_ref(ref, "alicepass", cert, &key, &err), CACHET_OK);
    cachet_pkey_free(key);
    key = NULL;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pki_load_key_ref(ref, "nope", cert, &key, &err), CACHET_ERR_KEY);
    CHECK(key == NULL);
    /* The key must match the certificate it is asked for. */
    cachet_cert *bob = load_cert(pki_path("bob.crt"));
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_pki_load_key_ref(ref, "alicepass", bob, &key, &err), CACHET_ERR_KEY);
    cachet_cert_free(bob);
    cachet_cert_free(cert);
    /* Importing again reuses the file. */
    cachet_err_clear(&err);
    CHECK_EQ_INT(
        cachet_store_import_key_p12(st, pki_path("alice.p12"), "alicepass", NULL, &res, &err),
        CACHET_OK);
    CHECK_EQ_INT(res.added, 0);
    CHECK_EQ_INT(res.known, 2);
    CHECK_EQ_INT(run("test $(ls -A '%s' | wc -l) -eq 1", keydir), 0);
    /* A key folder others can enter is refused. */
    char open_dir[600];
    snprintf(open_dir, sizeof(open_dir), "%s/openkeys", dir);
    CHECK_EQ_INT(run("mkdir -m 755 '%s'", open_dir), 0);
    cachet_err_clear(&err);
    CHECK(cachet_store_import_key_p12(st, pki_path("alice.p12"), "alicepass", open_dir, &res,
                                      &err) != CACHET_OK);
    CHECK_EQ_INT(run("test -z \"$(ls -A '%s')\"", open_dir), 0);
    cachet_store_close(st);
}

static void p12_legacy_bags_import(void) {
    SETUP();
    /* RC2/3DES bags as CAs still issue them (OpenSSL's legacy provider). */
    const char *p12 = tmp_path("legacy.p12");
    CHECK_EQ_INT(run("openssl pkcs12 -export -legacy -in '%s' -inkey '%s' -passout pass:leg "
                     "-out '%s' 2>/dev/null",
                     pki_path("bob.crt"), pki_path("bob.key"), p12),
                 0);
    char dir[512];
    cachet_store *st = new_store(dir, sizeof(dir));
    cachet_import_result res;
    cachet_error err = {0};
    cachet_status s = cachet_store_import_key_p12(st, p12, "leg", NULL, &res, &err);
    if (s != CACHET_OK) {
        fprintf(stderr, "legacy p12: %s\n", err.message);
    }
    CHECK_EQ_INT(s, CACHET_OK);
    CHECK_EQ_INT(res.added, 1);
    cachet_credential *cred = NULL;
    CHECK_EQ_INT(cachet_credential_from_store(st, "bob@example.com", true, "leg", &cred, &err),
                 CACHET_OK);
    cachet_credential_free(cred);
    cachet_store_close(st);
}

/* ---- credential_from_store ---- */

static void stamp(time_t t, char out[16]) {
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y%m%d%H%M%SZ", &tm);
}

/* dated issues an EC certificate for multi@example.com from the intermediate,
 * valid from now+|from| to now+|to| seconds, with |ku|; NAME.crt / NAME.key. */
static bool dated(const char *name, long from, long to, const char *ku, int serial) {
    char s[16], e[16];
    time_t now = time(NULL);
    stamp(now + from, s);
    stamp(now + to, e);
    return run("cd '%s' && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
               "-out %s.key 2>/dev/null && chmod 600 %s.key && "
               "openssl req -new -key %s.key -subj '/CN=%s' -out %s.csr && "
               "printf 'basicConstraints=critical,CA:FALSE\\nkeyUsage=critical,%s\\n"
               "extendedKeyUsage=emailProtection\\nsubjectAltName=email:multi@example.com\\n' "
               "> %s.ext && echo %x > ca.db/serial && "
               "openssl ca -batch -config ca.db/ca.cnf -cert inter.crt -keyfile inter.key "
               "-in %s.csr -startdate %s -enddate %s -extfile %s.ext -preserveDN -notext "
               "-out %s.crt >/dev/null 2>&1",
               g_pki, name, name, name, name, name, ku, name, serial, name, s, e, name, name) == 0;
}

static cachet_status add_key(cachet_store *st, const char *name) {
    char key[600], crt[600];
    snprintf(key, sizeof(key), "%s/%s.key", g_pki, name);
    snprintf(crt, sizeof(crt), "%s/%s.crt", g_pki, name);
    cachet_error err = {0};
    cachet_import_result res;
    cachet_status s = cachet_store_import_key_files(st, key, crt, NULL, &res, &err);
    if (s != CACHET_OK) {
        fprintf(stderr, "add_key %s: %s\n", name, err.message);
    }
    return s;
}

static void credential_from_store_picks_newest_valid(void) {
    SETUP();
    const long day = 86400;
    const char *both = "digitalSignature,keyAgreement";
    CHECK(dated("m_old", -3 * day, 300 * day, both, 0x4001));
    CHECK(dated("m_valid", -1 * day, 300 * day, both, 0x4002));
    CHECK(dated("m_expired", -day / 2, -3600, both, 0x4003));
    CHECK(dated("m_future", 5 * day, 400 * day, both, 0x4004));
    CHECK(dated("m_nokey", -2 * 3600, 300 * day, both, 0x4005));
    CHECK(dated("m_sign", -3600, 300 * day, "digitalSignature", 0x4006));
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    cachet_error err = {0};
    CHECK_EQ_INT(import_file(st, pki_path("ca-chain.crt"), NULL, &res, &err), CACHET_OK);
    CHECK_EQ_INT(import_file(st, pki_path("m_nokey.crt"), NULL, &res, &err), CACHET_OK);
    /* Before any key: the error names the address. */
    cachet_credential *cred = NULL;
    CHECK_EQ_INT(cachet_credential_from_store(st, "multi@example.com", false, NULL, &cred, &err),
                 CACHET_ERR_KEY);
    CHECK(strstr(err.message, "multi@example.com") != NULL);
    const char *with_keys[] = {"m_old", "m_valid", "m_expired", "m_future", "m_sign"};
    for (size_t i = 0; i < sizeof(with_keys) / sizeof(with_keys[0]); i++) {
        CHECK_EQ_INT(add_key(st, with_keys[i]), CACHET_OK);
    }
    char valid_fp[65], sign_fp[65], inter_fp[65];
    fp_of(pki_path("m_valid.crt"), valid_fp);
    fp_of(pki_path("m_sign.crt"), sign_fp);
    fp_of(pki_path("inter.crt"), inter_fp);
    struct {
        bool for_decrypt;
        const char *want;
    } cases[] = {{true, valid_fp}, {false, sign_fp}};
    for (size_t i = 0; i < 2; i++) {
        cachet_err_clear(&err);
        cred = NULL;
        CHECK_EQ_INT(cachet_credential_from_store(st, "multi@EXAMPLE.COM", cases[i].for_decrypt,
                                                  NULL, &cred, &err),
                     CACHET_OK);
        if (cred == NULL) {
            fprintf(stderr, "credential_from_store: %s\n", err.message);
            continue;
        }
        uint8_t md[32];
        char hex[65];
        cachet_cert_sha256(cred->cert, md);
        cachet_hex(hex, md, 32);
        CHECK_STR(hex, cases[i].want);
        CHECK(cred->key != NULL);
        CHECK(cred->chain.num >= 1);
        if (cred->chain.num >= 1) {
            cachet_cert_sha256(cred->chain.certs[0], md);
            cachet_hex(hex, md, 32);
            CHECK_STR(hex, inter_fp);
        }
        cachet_credential_free(cred);
    }
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_credential_from_store(st, "nobody@example.com", false, NULL, &cred, &err),
                 CACHET_ERR_KEY);
    cachet_store_close(st);
}

/* ---- ATTACKS CE-01: keys a RecipientIdentifier could not tell apart ---- */

/* issued issues NAME.crt for clash@example.com from the intermediate with
 * |serial| and, when |ski| is not NULL, that subjectKeyIdentifier; the key is
 * KEY_FROM.key when given (a renewal), else a new NAME.key. No ca.db: the
 * index would refuse a serial issued twice, which is the point here. */
static bool issued(const char *name, int serial, const char *ski, const char *key_from) {
    const char *key = key_from != NULL ? key_from : name;
    return run("cd '%s' && { [ -n '%s' ] || { openssl genpkey -algorithm EC -pkeyopt "
               "ec_paramgen_curve:P-256 -out %s.key 2>/dev/null && chmod 600 %s.key; }; } && "
               "openssl req -new -key %s.key -subj '/CN=%s' -out %s.csr && "
               "printf 'keyUsage=critical,digitalSignature,keyAgreement\n"
               "subjectAltName=email:clash@example.com\nsubjectKeyIdentifier=%s\n' > %s.ext && "
               "openssl x509 -req -in %s.csr -CA inter.crt -CAkey inter.key -set_serial %d "
               "-days 30 -extfile %s.ext -out %s.crt 2>/dev/null",
               g_pki, key_from != NULL ? key_from : "", key, key, key, name, name,
               ski != NULL ? ski : "hash", name, name, serial, name, name) == 0;
}

static cachet_status add_key_as(cachet_store *st, const char *name, const char *key_name,
                                cachet_error *err) {
    char key[600], crt[600];
    snprintf(key, sizeof(key), "%s/%s.key", g_pki, key_name);
    snprintf(crt, sizeof(crt), "%s/%s.crt", g_pki, name);
    cachet_import_result res;
    cachet_err_clear(err);
    return cachet_store_import_key_files(st, key, crt, NULL, &res, err);
}

static void clash_message(const char *holder, const char *what, char *out, size_t out_len) {
    char fp[65];
    fp_of(pki_path(holder), fp);
    snprintf(out, out_len,
             "the store holds the key of certificate %.16s (CN=%.*s), another key whose "
             "certificate has the same %s as this one: a message for one could not be told from "
             "one for the other; remove one of the two",
             fp, (int)(strlen(holder) - 4), holder, what);
}

static void key_whose_certificate_shares_a_recipient_id_is_refused(void) {
    SETUP();
    CHECK(issued("c_one", 0x4101, NULL, NULL));
    CHECK(issued("c_two", 0x4101, NULL, NULL));        /* same issuer and serial, another key */
    CHECK(issued("c_renewed", 0x4102, NULL, "c_one")); /* c_one's key, a new serial */
    CHECK(issued("c_ski_a", 0x4103, "0102030405060708", NULL));
    CHECK(issued("c_ski_b", 0x4104, "0102030405060708", NULL)); /* same SKI, another key */
    char dir[512];
    cachet_store *st = new_store(dir, sizeof(dir));
    cachet_error err = {0};
    char want[1024];
    CHECK_EQ_INT(add_key_as(st, "c_one", "c_one", &err), CACHET_OK);
    CHECK_EQ_INT(add_key_as(st, "c_two", "c_two", &err), CACHET_ERR_USAGE);
    clash_message("c_one.crt", "issuer and serial number", want, sizeof(want));
    CHECK_STR(err.message, want);
    /* Nothing of the refused import was stored: c_two's certificate neither. */
    char fp_two[65];
    fp_of(pki_path("c_two.crt"), fp_two);
    cachet_cert_info info;
    CHECK_EQ_INT(cachet_store_get(st, fp_two, &info, &err), CACHET_ERR_KEY);
    cachet_cert_info *keys = NULL;
    size_t n = 0;
    CHECK_EQ_INT(cachet_store_list_keys(st, &keys, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 1);
    cachet_cert_info_free(keys, n);
    /* A re-import and a renewed certificate of the same key are no clash. */
    CHECK_EQ_INT(add_key_as(st, "c_one", "c_one", &err), CACHET_OK);
    CHECK_EQ_INT(add_key_as(st, "c_renewed", "c_one", &err), CACHET_OK);
    CHECK_EQ_INT(add_key_as(st, "c_ski_a", "c_ski_a", &err), CACHET_OK);
    CHECK_EQ_INT(add_key_as(st, "c_ski_b", "c_ski_b", &err), CACHET_ERR_USAGE);
    clash_message("c_ski_a.crt", "subjectKeyIdentifier", want, sizeof(want));
    CHECK_STR(err.message, want);
    /* A PKCS#12 import is refused the same way and leaves no key file behind. */
    const char *p12 = tmp_path("c_two.p12");
    CHECK_EQ_INT(run("cd '%s' && openssl pkcs12 -export -in c_two.crt -inkey c_two.key "
                     "-passout pass:p12pass -out '%s'",
                     g_pki, p12),
                 0);
    char keydir[600];
    snprintf(keydir, sizeof(keydir), "%s/keys", dir);
    cachet_import_result res;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_store_import_key_p12(st, p12, "p12pass", NULL, &res, &err),
                 CACHET_ERR_USAGE);
    clash_message("c_one.crt", "issuer and serial number", want, sizeof(want));
    CHECK_STR(err.message, want);
    CHECK_EQ_INT(run("test -z \"$(ls -A '%s' 2>/dev/null)\"", keydir), 0);
    n = 0;
    CHECK_EQ_INT(cachet_store_list_keys(st, &keys, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 3);
    cachet_cert_info_free(keys, n);
    cachet_store_close(st);
}

/* ---- PKCS#11 (SoftHSM2, when installed) ---- */

static void pkcs11_reference_keeps_no_pin(void) {
    SETUP();
    char hsm[600], module[600] = "";
    snprintf(hsm, sizeof(hsm), "%s/hsm", g_tmp);
    char script[1100];
    snprintf(script, sizeof(script), "%s/pki/softhsm.sh", cachet_test_tests_dir());
    char cmd[2400];
    snprintf(cmd, sizeof(cmd), "bash '%s' '%s' '%s' 2>/dev/null", script, hsm, g_pki);
    FILE *p = popen(cmd, "r");
    if (p == NULL || fgets(module, sizeof(module), p) == NULL) {
        if (p != NULL) {
            pclose(p);
        }
        fprintf(stderr, "pkcs11_reference_keeps_no_pin: no SoftHSM2, skipped\n");
        return;
    }
    pclose(p);
    module[strcspn(module, "\n")] = '\0';
    char conf[700];
    snprintf(conf, sizeof(conf), "%s/softhsm2.conf", hsm);
    setenv("SOFTHSM2_CONF", conf, 1);
    char uri[1024], want[1024];
    snprintf(uri, sizeof(uri),
             "pkcs11:token=cachet;object=carol;type=private?pin-value=1234&module-path=%s", module);
    snprintf(want, sizeof(want), "pkcs11:token=cachet;object=carol;type=private?module-path=%s",
             module);
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    cachet_error err = {0};
    cachet_status s = cachet_store_import_key_pkcs11(st, uri, NULL, &res, &err);
    if (s != CACHET_OK) {
        fprintf(stderr, "import_key_pkcs11: %s\n", err.message);
    }
    CHECK_EQ_INT(s, CACHET_OK);
    char fp[65];
    fp_of(pki_path("carol.crt"), fp);
    CHECK_STR(res.first_fp, fp);
    cachet_cert_info info = {0};
    CHECK_EQ_INT(cachet_store_get(st, fp, &info, &err), CACHET_OK);
    CHECK_STR(info.key_ref, want);
    cachet_cert_info_clear(&info);
    /* The stored reference opens with the PIN from the environment. */
    setenv("CACHET_PIN", "1234", 1);
    cachet_credential *cred = NULL;
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_credential_from_store(st, "carol@example.com", false, NULL, &cred, &err),
                 CACHET_OK);
    cachet_credential_free(cred);
    unsetenv("CACHET_PIN");
    /* Another certificate than the token key's is refused. */
    cachet_err_clear(&err);
    CHECK(cachet_store_import_key_pkcs11(st, uri, pki_path("dave.crt"), &res, &err) != CACHET_OK);
    CHECK_EQ_INT(store_count(st), 1);
    cachet_store_close(st);
}

/* ---- certificate requests ---- */

static void request_pem_verifies_with_openssl(void) {
    SETUP();
    const char *key_out = tmp_path("req-new.key");
    cachet_request_opts o = {
        .email = "req@example.com", .new_key = "ec:P-256", .key_out = key_out, .pass = "keypass"};
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_request_make(&o, &sink, &err), CACHET_OK);
    CHECK(out.len > 36 && memcmp(out.data, "-----BEGIN CERTIFICATE REQUEST-----\n", 36) == 0);
    struct stat sb;
    CHECK_EQ_INT(stat(key_out, &sb), 0);
    CHECK_EQ_INT(sb.st_mode & 0777, 0600);
    CHECK_EQ_INT(run("grep -q 'BEGIN ENCRYPTED PRIVATE KEY' '%s'", key_out), 0);
    const char *req = tmp_path("req.pem");
    CHECK(write_file(req, out.data, out.len));
    CHECK_EQ_INT(run("openssl req -in '%s' -verify -noout 2>/dev/null", req), 0);
    CHECK_EQ_INT(run("openssl req -in '%s' -noout -text | grep -q 'email:req@example.com'", req),
                 0);
    /* The request's key is the one written. */
    CHECK_EQ_INT(run("test \"$(openssl req -in '%s' -noout -pubkey)\" = "
                     "\"$(openssl pkey -in '%s' -passin pass:keypass -pubout)\"",
                     req, key_out),
                 0);
    /* key_out exists now: never overwritten. */
    cachet_membuf_reset(&out);
    CHECK_EQ_INT(cachet_request_make(&o, &sink, &err), CACHET_ERR_IO);
    CHECK_EQ_INT(out.len, 0);
    /* An existing key, given by path. */
    cachet_request_opts o2 = {.email = "alice@example.com", .key_path = pki_path("alice.key")};
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_request_make(&o2, &sink, &err), CACHET_OK);
    CHECK(write_file(req, out.data, out.len));
    CHECK_EQ_INT(run("openssl req -in '%s' -verify -noout 2>/dev/null", req), 0);
    cachet_request_opts bad = {.email = "no-at-sign", .key_path = pki_path("alice.key")};
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_request_make(&bad, &sink, &err), CACHET_ERR_USAGE);
    cachet_membuf_free(&out);
}

static void request_mime_is_application_pkcs10(void) {
    SETUP();
    cachet_request_opts o = {
        .email = "erin@example.com", .key_path = pki_path("erin.key"), .mime = true};
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_request_make(&o, &sink, &err), CACHET_OK);
    static const char head[] = "MIME-Version: 1.0\r\n"
                               "Content-Type: application/pkcs10; name=smime.p10\r\n"
                               "Content-Transfer-Encoding: base64\r\n"
                               "Content-Disposition: attachment; filename=smime.p10\r\n"
                               "\r\n";
    CHECK(out.len > sizeof(head) - 1 && memcmp(out.data, head, sizeof(head) - 1) == 0);
    const char *body = tmp_path("req.b64");
    CHECK(write_file(body, out.data + sizeof(head) - 1, out.len - (sizeof(head) - 1)));
    CHECK_EQ_INT(
        run("tr -d '\\r' < '%s' | base64 -d | openssl req -inform DER -verify -noout 2>/dev/null",
            body),
        0);
    cachet_membuf_free(&out);
}

static const cachet_test_case tests[] = {
    TEST_CASE(key_file_is_referenced_not_copied),
    TEST_CASE(key_file_refusals),
    TEST_CASE(p12_key_is_written_encrypted_0600),
    TEST_CASE(p12_legacy_bags_import),
    TEST_CASE(credential_from_store_picks_newest_valid),
    TEST_CASE(key_whose_certificate_shares_a_recipient_id_is_refused),
    TEST_CASE(pkcs11_reference_keeps_no_pin),
    TEST_CASE(request_pem_verifies_with_openssl),
    TEST_CASE(request_mime_is_application_pkcs10),
};
TEST_MAIN(tests)
