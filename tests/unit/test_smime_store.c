/* The store API (include/cachet/store.h): opening, import of every input form
 * (all or nothing), list/find/get/export/remove/trust, certs-only messages. */
#include <sys/wait.h>

#include "test_smime_store_util.h"

#define SETUP()                                                                                    \
    do {                                                                                           \
        if (!pki_setup()) {                                                                        \
            CHECK(!"no test PKI");                                                                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)

static void default_url_follows_env(void) {
    char url[1100];
    cachet_error err = {0};
    const char *old_store = getenv("CACHET_STORE");
    char saved[1100] = "";
    if (old_store != NULL) {
        snprintf(saved, sizeof(saved), "%s", old_store);
    }
    setenv("CACHET_STORE", "postgresql://u@h/db", 1);
    CHECK_EQ_INT(cachet_store_default_url(url, sizeof(url), &err), CACHET_OK);
    CHECK_STR(url, "postgresql://u@h/db");
    unsetenv("CACHET_STORE");
    setenv("XDG_DATA_HOME", "/xdg", 1);
    CHECK_EQ_INT(cachet_store_default_url(url, sizeof(url), &err), CACHET_OK);
    CHECK_STR(url, "/xdg/cachet/store.db");
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", "/home/h", 1);
    CHECK_EQ_INT(cachet_store_default_url(url, sizeof(url), &err), CACHET_OK);
    CHECK_STR(url, "/home/h/.local/share/cachet/store.db");
    CHECK_EQ_INT(cachet_store_default_url(url, 10, &err), CACHET_ERR_LIMIT);
    if (saved[0] != '\0') {
        setenv("CACHET_STORE", saved, 1);
    }
}

static void open_describes_sqlite_path_and_refuses_non_store(void) {
    SETUP();
    char dir[512], want[700];
    cachet_store *st = new_store(dir, sizeof(dir));
    snprintf(want, sizeof(want), "sqlite %s/store.db", dir);
    CHECK_STR(cachet_store_describe(st), want);
    cachet_store_close(st);
    /* A file that is not a store is refused and left as it is. */
    const char *junk = tmp_path("junk.db");
    CHECK(write_file(junk, "not a database at all, just text\n", 33));
    cachet_store *bad = NULL;
    cachet_error err = {0};
    CHECK(cachet_store_open(junk, &bad, &err) != CACHET_OK);
    CHECK(bad == NULL);
    size_t len = 0;
    uint8_t *after = read_all(junk, &len);
    CHECK_MEM(after, len, "not a database at all, just text\n", 33);
    free(after);
    CHECK_STR(cachet_cert_origin_name(CACHET_ORIGIN_HARVESTED), "harvested");
    CHECK_STR(cachet_cert_origin_name(CACHET_ORIGIN_IMPORTED), "imported");
    CHECK_STR(cachet_cert_origin_name(CACHET_ORIGIN_ANCHOR), "anchor");
}

static void postgres_description_never_shows_the_password(void) {
    const char *pg = getenv("CACHET_TEST_PG");
    if (pg == NULL || strncmp(pg, "postgresql://", 13) != 0 || strchr(pg + 13, '@') == NULL) {
        return; /* needs a server; the suite exports one */
    }
    /* Insert a password into user@: the server may ignore it (trust auth). */
    char url[1100];
    const char *at = strchr(pg + 13, '@');
    snprintf(url, sizeof(url), "%.*s:s3cretpw%s", (int)(at - pg), pg, at);
    cachet_store *st = NULL;
    cachet_error err = {0};
    if (cachet_store_open(url, &st, &err) == CACHET_OK) {
        CHECK(strstr(cachet_store_describe(st), "s3cretpw") == NULL);
        CHECK(strncmp(cachet_store_describe(st), "postgresql ", 11) == 0);
        cachet_store_close(st);
    }
    CHECK(strstr(err.message, "s3cretpw") == NULL);
}

/* postgres_round_trip: import, find, export and remove against a real server,
 * in a database of its own ($CACHET_TEST_PG names the server; skipped without). */
static void postgres_import_find_export_remove(void) {
    const char *pg = getenv("CACHET_TEST_PG");
    if (pg == NULL || pg[0] == '\0') {
        fprintf(stderr, "postgres_import_find_export_remove: no $CACHET_TEST_PG, skipped\n");
        return;
    }
    SETUP();
    char db[64], url[1200];
    snprintf(db, sizeof(db), "cachet_e1_%ld", (long)getpid());
    CHECK_EQ_INT(run("PGOPTIONS=--client-min-messages=warning psql '%s' -qAtc 'DROP DATABASE IF "
                     "EXISTS %s' -c 'CREATE DATABASE %s' "
                     ">/dev/null",
                     pg, db, db),
                 0);
    /* The test URL's database is replaced by ours (the path after the host). */
    const char *host = strstr(pg, "://");
    const char *slash = host != NULL ? strchr(host + 3, '/') : NULL;
    int keep = slash != NULL ? (int)(slash - pg) : (int)strlen(pg);
    snprintf(url, sizeof(url), "%.*s/%s", keep, pg, db);
    cachet_store *st = NULL;
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_store_open(url, &st, &err), CACHET_OK);
    if (st == NULL) {
        fprintf(stderr, "postgres open: %s\n", err.message);
        return;
    }
    CHECK(strncmp(cachet_store_describe(st), "postgresql ", 11) == 0);
    CHECK(strstr(cachet_store_describe(st), db) != NULL);
    cachet_import_result res;
    CHECK_EQ_INT(import_file(st, pki_path("alice.pem"), NULL, &res, &err), CACHET_OK);
    CHECK_EQ_INT(res.added, 2);
    char fp[65];
    fp_of(pki_path("alice.crt"), fp);
    cachet_cert_info *infos = NULL;
    size_t n = 0;
    CHECK_EQ_INT(cachet_store_find(st, "alice@Example.COM", &infos, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_STR(n == 1 ? infos[0].fingerprint : "", fp);
    cachet_cert_info_free(infos, n);
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    CHECK_EQ_INT(cachet_store_export(st, fp, false, &sink, &err), CACHET_OK);
    size_t dlen = 0;
    uint8_t *der = der_of(pki_path("alice.crt"), &dlen);
    CHECK_MEM(out.data, out.len, der, dlen);
    free(der);
    cachet_membuf_free(&out);
    CHECK_EQ_INT(cachet_store_remove(st, fp, &err), CACHET_OK);
    CHECK_EQ_INT(store_count(st), 1);
    cachet_store_close(st);
    CHECK_EQ_INT(run("psql '%s' -qAtc 'DROP DATABASE %s' >/dev/null", pg, db), 0);
}

static void import_pem_with_two_certs(void) {
    SETUP();
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    cachet_error err = {0};
    char fp[65];
    fp_of(pki_path("alice.crt"), fp);
    CHECK_EQ_INT(import_file(st, pki_path("alice.pem"), NULL, &res, &err), CACHET_OK);
    CHECK_EQ_INT(res.added, 2);
    CHECK_EQ_INT(res.known, 0);
    CHECK_STR(res.first_fp, fp);
    CHECK_EQ_INT(import_file(st, pki_path("alice.pem"), NULL, &res, &err), CACHET_OK);
    CHECK_EQ_INT(res.added, 0);
    CHECK_EQ_INT(res.known, 2);
    CHECK_EQ_INT(store_count(st), 2);
    cachet_store_close(st);
}

static void import_pem_after_text_and_other_blocks(void) {
    SETUP();
    /* openssl x509 -text puts text first; a key block in a bundle is skipped. */
    const char *f = tmp_path("textfirst.pem");
    CHECK_EQ_INT(run("(openssl x509 -in '%s' -text; cat '%s'; printf '%%s\\n' "
                     "'-----BEGIN RSA PRIVATE KEY-----' 'Proc-Type: 4,ENCRYPTED' "
                     "'DEK-Info: AES-256-CBC,00' '' 'AAAA' '-----END RSA PRIVATE KEY-----') > '%s'",
                     pki_path("bob.crt"), pki_path("bob.key"), f),
                 0);
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    cachet_error err = {0};
    CHECK_EQ_INT(import_file(st, f, NULL, &res, &err), CACHET_OK);
    CHECK_EQ_INT(res.added, 1);
    cachet_store_close(st);
}

static void import_mixed_pem_cms_and_certificate_blocks(void) {
    SETUP();
    /* A "-----BEGIN CMS-----" certs-only block, then a CERTIFICATE block. */
    const char *f = tmp_path("mixed.pem");
    CHECK_EQ_INT(run("(openssl crl2pkcs7 -nocrl -certfile '%s' | openssl cms -cmsout -inform PEM "
                     "-outform PEM; cat '%s') > '%s' && grep -q 'BEGIN CMS' '%s'",
                     pki_path("alice.pem"), pki_path("dave.crt"), f, f),
                 0);
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    cachet_error err = {0};
    CHECK_EQ_INT(import_file(st, f, NULL, &res, &err), CACHET_OK);
    CHECK_EQ_INT(res.added, 3);
    /* An EnvelopedData carries no certificates to import. */
    const char *env = tmp_path("env.der");
    CHECK_EQ_INT(run("printf 'x' | openssl cms -encrypt -aes256 -outform DER -out '%s' '%s'", env,
                     pki_path("bob.crt")),
                 0);
    cachet_err_clear(&err);
    CHECK_EQ_INT(import_file(st, env, NULL, &res, &err), CACHET_ERR_UNSUPPORTED);
    CHECK_EQ_INT(store_count(st), 3);
    cachet_store_close(st);
}

static void import_der_certificate(void) {
    SETUP();
    cachet_store *st = new_store(NULL, 0);
    size_t len = 0;
    uint8_t *der = der_of(pki_path("carol.crt"), &len);
    CHECK(der != NULL);
    cachet_import_result res;
    cachet_error err = {0};
    CHECK_EQ_INT(
        cachet_store_import(st, der, len, "carol.der", NULL, CACHET_ORIGIN_ANCHOR, &res, &err),
        CACHET_OK);
    CHECK_EQ_INT(res.added, 1);
    char fp[65];
    fp_of(pki_path("carol.crt"), fp);
    cachet_cert_info info;
    CHECK_EQ_INT(cachet_store_get(st, fp, &info, &err), CACHET_OK);
    CHECK_EQ_INT(info.origin, CACHET_ORIGIN_ANCHOR);
    CHECK_EQ_INT(info.num_emails, 1);
    CHECK_STR(info.num_emails > 0 ? info.emails[0] : "", "carol@example.com");
    cachet_cert_info_clear(&info);
    CHECK_EQ_INT(info.num_emails, 0);
    free(der);
    cachet_store_close(st);
}

static void import_openssl_certs_only_der_and_pem(void) {
    SETUP();
    const char *der = tmp_path("crl2p7.der");
    const char *pem = tmp_path("crl2p7.pem");
    CHECK_EQ_INT(run("openssl crl2pkcs7 -nocrl -certfile '%s' -outform DER -out '%s'",
                     pki_path("alice.pem"), der),
                 0);
    CHECK_EQ_INT(run("openssl crl2pkcs7 -nocrl -certfile '%s' -out '%s'", pki_path("bob.pem"), pem),
                 0);
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    cachet_error err = {0};
    CHECK_EQ_INT(import_file(st, der, NULL, &res, &err), CACHET_OK);
    CHECK_EQ_INT(res.added, 2);
    CHECK_EQ_INT(res.known, 0);
    /* The intermediate is in both: known the second time. */
    CHECK_EQ_INT(import_file(st, pem, NULL, &res, &err), CACHET_OK);
    CHECK_EQ_INT(res.added, 1);
    CHECK_EQ_INT(res.known, 1);
    CHECK_EQ_INT(store_count(st), 3);
    cachet_store_close(st);
}

static void import_p12_takes_certificates_only(void) {
    SETUP();
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    cachet_error err = {0};
    CHECK_EQ_INT(import_file(st, pki_path("alice.p12"), "wrong", &res, &err), CACHET_ERR_KEY);
    CHECK_EQ_INT(store_count(st), 0);
    cachet_err_clear(&err);
    CHECK_EQ_INT(import_file(st, pki_path("alice.p12"), "alicepass", &res, &err), CACHET_OK);
    CHECK_EQ_INT(res.added, 2);
    char fp[65];
    fp_of(pki_path("alice.crt"), fp);
    CHECK_STR(res.first_fp, fp);
    cachet_cert_info *keys = NULL;
    size_t n = 99;
    CHECK_EQ_INT(cachet_store_list_keys(st, &keys, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 0);
    cachet_cert_info_free(keys, n);
    cachet_store_close(st);
}

/* corrupt_second_cert changes the version tag of |victim|'s TBSCertificate
 * inside |buf|: the structure stays well-formed, the certificate does not parse. */
static bool corrupt_second_cert(uint8_t *buf, size_t len, const uint8_t *victim, size_t vlen) {
    for (size_t i = 0; i + vlen <= len; i++) {
        if (memcmp(buf + i, victim, vlen) == 0 && buf[i + 8] == 0xa0) {
            buf[i + 8] = 0xa4;
            return true;
        }
    }
    return false;
}

static void one_corrupt_certificate_stores_nothing(void) {
    SETUP();
    size_t alen = 0, blen = 0;
    uint8_t *a = der_of(pki_path("alice.crt"), &alen);
    uint8_t *b = der_of(pki_path("bob.crt"), &blen);
    CHECK(a != NULL && b != NULL);
    /* PEM: a good block then a corrupt one. */
    uint8_t *bad = malloc(blen);
    memcpy(bad, b, blen);
    CHECK(corrupt_second_cert(bad, blen, b, blen));
    cachet_membuf pem = {0};
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_pem_encode("CERTIFICATE", a, alen, &pem, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_pem_encode("CERTIFICATE", bad, blen, &pem, &err), CACHET_OK);
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    CHECK_EQ_INT(cachet_store_import(st, pem.data, pem.len, "two.pem", NULL, CACHET_ORIGIN_IMPORTED,
                                     &res, &err),
                 CACHET_ERR_MALFORMED);
    CHECK(strstr(err.message, "two.pem") != NULL);
    CHECK_EQ_INT(store_count(st), 0);
    /* Certs-only: the cms layer skips a certificate it cannot parse; we refuse. */
    cachet_cert *certs[2] = {load_cert(pki_path("alice.crt")), load_cert(pki_path("bob.crt"))};
    cachet_membuf co = {0};
    cachet_sink sink = cachet_sink_membuf(&co);
    CHECK_EQ_INT(cachet_certs_only_make(certs, 2, CACHET_FORMAT_DER, &sink, &err), CACHET_OK);
    CHECK(corrupt_second_cert(co.data, co.len, b, blen));
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_store_import(st, co.data, co.len, "two.p7c", NULL, CACHET_ORIGIN_IMPORTED,
                                     &res, &err),
                 CACHET_ERR_MALFORMED);
    CHECK_EQ_INT(store_count(st), 0);
    /* Truncated DER and plain junk. */
    cachet_err_clear(&err);
    CHECK_EQ_INT(
        cachet_store_import(st, a, alen - 10, "t.der", NULL, CACHET_ORIGIN_IMPORTED, &res, &err),
        CACHET_ERR_MALFORMED);
    cachet_err_clear(&err);
    CHECK(cachet_store_import(st, (const uint8_t *)"hello\n", 6, "j.txt", NULL,
                              CACHET_ORIGIN_IMPORTED, &res, &err) != CACHET_OK);
    CHECK_EQ_INT(store_count(st), 0);
    cachet_cert_free(certs[0]);
    cachet_cert_free(certs[1]);
    cachet_membuf_free(&co);
    cachet_membuf_free(&pem);
    free(bad);
    free(a);
    free(b);
    cachet_store_close(st);
}

static void list_find_get_export_round_trip(void) {
    SETUP();
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    cachet_error err = {0};
    CHECK_EQ_INT(import_file(st, pki_path("alice.pem"), NULL, &res, &err), CACHET_OK);
    CHECK_EQ_INT(import_file(st, pki_path("carol.crt"), NULL, &res, &err), CACHET_OK);
    cachet_cert_info *infos = NULL;
    size_t n = 0;
    CHECK_EQ_INT(cachet_store_list(st, &infos, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 3);
    cachet_cert_info_free(infos, n);
    char fp[65];
    fp_of(pki_path("alice.crt"), fp);
    /* The domain compares case-insensitively. */
    CHECK_EQ_INT(cachet_store_find(st, "alice@EXAMPLE.com", &infos, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK_STR(infos[0].fingerprint, fp);
        CHECK(strstr(infos[0].subject, "CN=Alice") != NULL);
        CHECK(strstr(infos[0].issuer, "CN=Cachet Test Intermediate CA") != NULL);
        CHECK_STR(infos[0].serial, "2001");
        CHECK_EQ_INT(infos[0].key_usage, CACHET_KU_DIGITAL_SIGNATURE | CACHET_KU_NON_REPUDIATION |
                                             CACHET_KU_KEY_ENCIPHERMENT);
        CHECK(infos[0].email_protection);
        CHECK(!infos[0].is_ca);
        CHECK_EQ_INT(infos[0].origin, CACHET_ORIGIN_IMPORTED);
        CHECK_STR(infos[0].key_ref, "");
    }
    cachet_cert_info_free(infos, n);
    CHECK_EQ_INT(cachet_store_find(st, "nobody@example.com", &infos, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 0);
    CHECK(infos == NULL);
    CHECK_EQ_INT(cachet_store_find(st, "not-an-address", &infos, &n, &err), CACHET_ERR_USAGE);
    /* Export by an 8-digit prefix: DER is the original, PEM is what openssl wrote. */
    char prefix[9];
    memcpy(prefix, fp, 8);
    prefix[8] = '\0';
    cachet_membuf out = {0};
    cachet_sink sink = cachet_sink_membuf(&out);
    CHECK_EQ_INT(cachet_store_export(st, prefix, false, &sink, &err), CACHET_OK);
    size_t dlen = 0;
    uint8_t *der = der_of(pki_path("alice.crt"), &dlen);
    CHECK_MEM(out.data, out.len, der, dlen);
    cachet_membuf_reset(&out);
    CHECK_EQ_INT(cachet_store_export(st, fp, true, &sink, &err), CACHET_OK);
    size_t plen = 0;
    uint8_t *pem = read_all(pki_path("alice.crt"), &plen);
    CHECK_MEM(out.data, out.len, pem, plen);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_store_export(st, "00000000", true, &sink, &err), CACHET_ERR_KEY);
    free(pem);
    free(der);
    cachet_membuf_free(&out);
    cachet_store_close(st);
}

static void remove_and_trust(void) {
    SETUP();
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    cachet_error err = {0};
    CHECK_EQ_INT(import_file(st, pki_path("alice.pem"), NULL, &res, &err), CACHET_OK);
    char fp[65], inter[65];
    fp_of(pki_path("alice.crt"), fp);
    fp_of(pki_path("inter.crt"), inter);
    cachet_cert_info info;
    CHECK_EQ_INT(cachet_store_trust(st, inter, true, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_store_get(st, inter, &info, &err), CACHET_OK);
    CHECK_EQ_INT(info.origin, CACHET_ORIGIN_ANCHOR);
    CHECK(info.is_ca);
    cachet_cert_info_clear(&info);
    CHECK_EQ_INT(cachet_store_trust(st, inter, false, &err), CACHET_OK);
    CHECK_EQ_INT(cachet_store_get(st, inter, &info, &err), CACHET_OK);
    CHECK_EQ_INT(info.origin, CACHET_ORIGIN_IMPORTED);
    cachet_cert_info_clear(&info);
    char prefix[13];
    memcpy(prefix, fp, 12);
    prefix[12] = '\0';
    CHECK_EQ_INT(cachet_store_remove(st, prefix, &err), CACHET_OK);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_store_get(st, fp, &info, &err), CACHET_ERR_KEY);
    cachet_err_clear(&err);
    CHECK_EQ_INT(cachet_store_remove(st, fp, &err), CACHET_ERR_KEY);
    CHECK_EQ_INT(store_count(st), 1);
    cachet_cert_info *infos = NULL;
    size_t n = 9;
    CHECK_EQ_INT(cachet_store_find(st, "alice@example.com", &infos, &n, &err), CACHET_OK);
    CHECK_EQ_INT(n, 0);
    cachet_store_close(st);
}

/* ---- certs-only ---- */

static cachet_status make_certs_only(cachet_format f, cachet_membuf *out) {
    cachet_cert *certs[3] = {load_cert(pki_path("alice.crt")), load_cert(pki_path("inter.crt")),
                             load_cert(pki_path("alice.crt"))};
    cachet_sink sink = cachet_sink_membuf(out);
    cachet_error err = {0};
    cachet_status s = cachet_certs_only_make(certs, 3, f, &sink, &err);
    for (int i = 0; i < 3; i++) {
        cachet_cert_free(certs[i]);
    }
    return s;
}

static void certs_only_is_read_by_openssl(void) {
    SETUP();
    cachet_membuf der = {0};
    CHECK_EQ_INT(make_certs_only(CACHET_FORMAT_DER, &der), CACHET_OK);
    const char *f = tmp_path("ours.p7c");
    CHECK(write_file(f, der.data, der.len));
    const char *txt = tmp_path("ours.txt");
    CHECK_EQ_INT(run("openssl pkcs7 -inform DER -in '%s' -print_certs -out '%s'", f, txt), 0);
    /* The duplicate alice is written once. */
    CHECK_EQ_INT(run("test $(grep -c '^subject=' '%s') -eq 2", txt), 0);
    CHECK_EQ_INT(run("openssl cms -cmsout -print -inform DER -in '%s' > '%s'", f, txt), 0);
    CHECK_EQ_INT(run("grep -q 'eContentType: pkcs7-data' '%s'", txt), 0);
    CHECK_EQ_INT(run("grep -q 'eContent: <ABSENT>' '%s'", txt), 0);
    CHECK_EQ_INT(run("grep -q 'signerInfos:' '%s' && grep -A1 'signerInfos:' '%s' | grep -q "
                     "'<EMPTY>'",
                     txt, txt),
                 0);
    /* Our reader agrees: a SignedData without signers. */
    cachet_cms_limits limits;
    cachet_cms_limits_default(&limits);
    cachet_error err = {0};
    cachet_cert_list certs = {0};
    CHECK_EQ_INT(cachet_cms_signed_certs(&limits, der.data, der.len, &certs, &err), CACHET_OK);
    CHECK_EQ_INT(certs.num, 2);
    cachet_cert_list_clear(&certs);
    /* PEM: "-----BEGIN CMS-----", read by openssl cms -inform PEM. */
    cachet_membuf pem = {0};
    CHECK_EQ_INT(make_certs_only(CACHET_FORMAT_PEM, &pem), CACHET_OK);
    CHECK(pem.len > 20 && memcmp(pem.data, "-----BEGIN CMS-----\n", 20) == 0);
    const char *pf = tmp_path("ours.pem");
    CHECK(write_file(pf, pem.data, pem.len));
    CHECK_EQ_INT(run("openssl cms -cmsout -inform PEM -in '%s' -outform DER -out '%s.der'", pf, pf),
                 0);
    size_t rlen = 0;
    char rpath[600];
    snprintf(rpath, sizeof(rpath), "%s.der", pf);
    uint8_t *round = read_all(rpath, &rlen);
    CHECK_MEM(round, rlen, der.data, der.len);
    free(round);
    cachet_membuf_free(&pem);
    cachet_membuf_free(&der);
}

static void certs_only_smime_message_shape_and_openssl(void) {
    SETUP();
    cachet_membuf msg = {0};
    CHECK_EQ_INT(make_certs_only(CACHET_FORMAT_SMIME, &msg), CACHET_OK);
    static const char head[] =
        "MIME-Version: 1.0\r\n"
        "Content-Type: application/pkcs7-mime; smime-type=certs-only; name=smime.p7c\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=smime.p7c\r\n"
        "\r\n";
    CHECK(msg.len > sizeof(head) - 1 && memcmp(msg.data, head, sizeof(head) - 1) == 0);
    const char *f = tmp_path("ours.eml");
    CHECK(write_file(f, msg.data, msg.len));
    CHECK_EQ_INT(run("openssl smime -pk7out -in '%s' | openssl pkcs7 -print_certs | "
                     "grep -c '^subject=' | grep -qx 2",
                     f),
                 0);
    cachet_membuf_free(&msg);
}

static void certs_only_round_trips_through_import(void) {
    SETUP();
    cachet_format formats[] = {CACHET_FORMAT_DER, CACHET_FORMAT_PEM, CACHET_FORMAT_SMIME};
    char fp[65];
    fp_of(pki_path("alice.crt"), fp);
    for (size_t i = 0; i < 3; i++) {
        cachet_membuf m = {0};
        CHECK_EQ_INT(make_certs_only(formats[i], &m), CACHET_OK);
        cachet_store *st = new_store(NULL, 0);
        cachet_import_result res;
        cachet_error err = {0};
        CHECK_EQ_INT(
            cachet_store_import(st, m.data, m.len, "co", NULL, CACHET_ORIGIN_IMPORTED, &res, &err),
            CACHET_OK);
        CHECK_EQ_INT(res.added, 2);
        cachet_cert_info info;
        CHECK_EQ_INT(cachet_store_get(st, fp, &info, &err), CACHET_OK);
        cachet_cert_info_clear(&info);
        cachet_membuf_free(&m);
        cachet_store_close(st);
    }
    cachet_membuf none = {0};
    cachet_sink sink = cachet_sink_membuf(&none);
    cachet_error err = {0};
    CHECK_EQ_INT(cachet_certs_only_make(NULL, 0, CACHET_FORMAT_DER, &sink, &err), CACHET_ERR_USAGE);
    CHECK_EQ_INT(none.len, 0);
}

static void smime_certs_only_message_with_envelope_headers(void) {
    SETUP();
    /* A mail as an agent sends it: envelope headers, LF line ends, x- type, no
     * smime-type but a .p7c name. */
    const char *p7 = tmp_path("bob.p7b");
    CHECK_EQ_INT(run("openssl crl2pkcs7 -nocrl -certfile '%s' -outform DER -out '%s'",
                     pki_path("bob.pem"), p7),
                 0);
    const char *eml = tmp_path("bob.eml");
    CHECK_EQ_INT(run("{ printf 'From: bob@example.com\\nTo: a@example.com\\nSubject: my cert\\n"
                     "MIME-Version: 1.0\\nContent-Type: application/x-pkcs7-mime; "
                     "name=\"smime.p7c\"\\nContent-Transfer-Encoding: base64\\n\\n'; "
                     "base64 '%s'; } > '%s'",
                     p7, eml),
                 0);
    cachet_store *st = new_store(NULL, 0);
    cachet_import_result res;
    cachet_error err = {0};
    CHECK_EQ_INT(import_file(st, eml, NULL, &res, &err), CACHET_OK);
    CHECK_EQ_INT(res.added, 2);
    /* A signed-data message is not a certs-only message. */
    const char *sig = tmp_path("signed.eml");
    CHECK_EQ_INT(run("printf 'hello\\n' | openssl smime -sign -nodetach -signer '%s' -inkey '%s' "
                     "-out '%s'",
                     pki_path("carol.crt"), pki_path("carol.key"), sig),
                 0);
    cachet_err_clear(&err);
    CHECK_EQ_INT(import_file(st, sig, NULL, &res, &err), CACHET_ERR_UNSUPPORTED);
    CHECK_EQ_INT(store_count(st), 2);
    cachet_store_close(st);
}

static const cachet_test_case tests[] = {
    TEST_CASE(default_url_follows_env),
    TEST_CASE(open_describes_sqlite_path_and_refuses_non_store),
    TEST_CASE(postgres_description_never_shows_the_password),
    TEST_CASE(postgres_import_find_export_remove),
    TEST_CASE(import_pem_with_two_certs),
    TEST_CASE(import_pem_after_text_and_other_blocks),
    TEST_CASE(import_mixed_pem_cms_and_certificate_blocks),
    TEST_CASE(import_der_certificate),
    TEST_CASE(import_openssl_certs_only_der_and_pem),
    TEST_CASE(import_p12_takes_certificates_only),
    TEST_CASE(one_corrupt_certificate_stores_nothing),
    TEST_CASE(list_find_get_export_round_trip),
    TEST_CASE(remove_and_trust),
    TEST_CASE(certs_only_is_read_by_openssl),
    TEST_CASE(certs_only_smime_message_shape_and_openssl),
    TEST_CASE(certs_only_round_trips_through_import),
    TEST_CASE(smime_certs_only_message_with_envelope_headers),
};
TEST_MAIN(tests)
