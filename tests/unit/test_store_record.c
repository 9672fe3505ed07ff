/* Record helpers and what needs no database server: address normalisation, the
 * record's email list, and an unreachable PostgreSQL server. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "store/store.h"
#include "testlib.h"

static void normalize_lowers_only_the_domain(void) {
    static const struct {
        const char *in;
        const char *want; /* NULL: refused */
    } cases[] = {
        {"Alice@Example.COM", "Alice@example.com"},
        {"alice@example.com", "alice@example.com"},
        {"\"a@b\"@EXAMPLE.org", "\"a@b\"@example.org"}, /* the last @ splits */
        {"J\xc3\xb6rg@B\xc3\x9c"
         "CHER.de",
         "J\xc3\xb6rg@b\xc3\x9c"
         "cher.de"}, /* ASCII only */
        {"no-at-sign", NULL},
        {"@example.com", NULL},
        {"alice@", NULL},
        {"", NULL},
        {"al ice@example.com", NULL},
        {"alice@exa\tmple.com", NULL},
        {"alice@example.com\r\n", NULL},
        {"alice@ex\x7f"
         "ample.com",
         NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[400];
        bool ok = cachet_db_normalize_address(cases[i].in, out, sizeof(out));
        if (ok != (cases[i].want != NULL)) {
            fprintf(stderr, "case %zu: %s\n", i, cases[i].in);
        }
        CHECK_EQ_INT(ok, cases[i].want != NULL);
        if (ok && cases[i].want != NULL) {
            CHECK_STR(out, cases[i].want);
        }
    }
}

static void normalize_refuses_what_does_not_fit(void) {
    char out[16];
    CHECK(cachet_db_normalize_address("a@example.co", out, sizeof(out)));
    CHECK(!cachet_db_normalize_address("abc@example.com1", out, sizeof(out)));
    CHECK(!cachet_db_normalize_address(NULL, out, sizeof(out)));
    CHECK(!cachet_db_normalize_address("a@b", out, 0));
    char longaddr[400], big[512];
    memset(longaddr, 'x', sizeof(longaddr));
    memcpy(longaddr + 300, "@example.com", 13); /* 312 bytes: fits */
    CHECK(cachet_db_normalize_address(longaddr, big, sizeof(big)));
    memset(longaddr, 'x', sizeof(longaddr) - 1);
    longaddr[sizeof(longaddr) - 1] = '\0';
    longaddr[10] = '@'; /* 399 bytes: over the 320 an address may have */
    CHECK(!cachet_db_normalize_address(longaddr, big, sizeof(big)));
}

static void add_email_normalises_deduplicates_and_bounds(void) {
    cachet_db_cert c;
    memset(&c, 0, sizeof(c));
    CHECK(cachet_db_cert_add_email(&c, "Bob@Example.com"));
    CHECK(cachet_db_cert_add_email(&c, "Bob@EXAMPLE.COM")); /* the same address */
    CHECK(cachet_db_cert_add_email(&c, "bob@example.com")); /* another local part */
    CHECK(!cachet_db_cert_add_email(&c, "not an address"));
    CHECK_EQ_INT(c.num_emails, 2);
    CHECK_STR(c.emails[0], "Bob@example.com");
    CHECK_STR(c.emails[1], "bob@example.com");
    for (int i = 0; c.num_emails < CACHET_DB_MAX_EMAILS; i++) {
        char addr[32];
        snprintf(addr, sizeof(addr), "u%d@example.com", i);
        CHECK(cachet_db_cert_add_email(&c, addr));
    }
    CHECK(!cachet_db_cert_add_email(&c, "last@example.com"));
    CHECK_EQ_INT(c.num_emails, CACHET_DB_MAX_EMAILS);
    cachet_db_cert_clear(&c);
    CHECK(c.emails == NULL && c.num_emails == 0);
    cachet_db_cert_clear(NULL);
    cachet_db_certs_free(NULL, 3);
}

/* A port bound but never listening refuses connections and stays ours. */
static void unreachable_postgres_is_io_naming_host_port_without_password(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sa);
    CHECK(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CHECK(getsockname(s, (struct sockaddr *)&sa, &len) == 0);
    int port = ntohs(sa.sin_port);
    static const char *const forms[] = {
        "postgresql://cachet:Pa55w0rd@127.0.0.1:%d/store",
        "postgres://cachet:Pa55w0rd@127.0.0.1:%d/store?password=Pa55w0rd&connect_timeout=5",
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        char url[256], hostport[64];
        snprintf(url, sizeof(url), forms[i], port);
        snprintf(hostport, sizeof(hostport), "127.0.0.1:%d", port);
        cachet_db *db = NULL;
        cachet_error err;
        cachet_err_clear(&err);
        CHECK_EQ_INT(cachet_db_open(url, &db, &err), CACHET_ERR_IO);
        CHECK(db == NULL);
        if (strstr(err.message, hostport) == NULL) {
            fprintf(stderr, "message: %s\n", err.message);
        }
        CHECK(strstr(err.message, hostport) != NULL);
        CHECK(strstr(err.message, "cannot connect to postgres") != NULL);
        CHECK(strstr(err.message, "Connection refused") != NULL); /* libpq's reason */
        CHECK(strstr(err.message, "Pa55w0rd") == NULL);
        CHECK(strchr(err.message, '\n') == NULL);
    }
    close(s);
}

static const cachet_test_case tests[] = {
    TEST_CASE(normalize_lowers_only_the_domain),
    TEST_CASE(normalize_refuses_what_does_not_fit),
    TEST_CASE(add_email_normalises_deduplicates_and_bounds),
    TEST_CASE(unreachable_postgres_is_io_naming_host_port_without_password),
};

TEST_MAIN(tests)
