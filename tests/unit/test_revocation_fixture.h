/* The revocation test PKI (tests/pki/mkrevocation.sh), made once per test
 * process in a temporary folder for two ports picked at run time, and the
 * servers the live tests run on those ports (`openssl ocsp`, `python3 -m
 * http.server`). Shared by test_crypto_revocation.c and test_pki_revocation.c;
 * everything is static (each test program has its own fixture). */
#ifndef CACHET_TEST_REVOCATION_FIXTURE_H
#define CACHET_TEST_REVOCATION_FIXTURE_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/revocation.h"
#include "testlib.h"

#define FIXTURE static __attribute__((unused))

static char dir[64];
static int port_ocsp, port_http;
static pid_t pid_ocsp, pid_http;
static bool ready;
enum { CA, GOOD, REVOKED, UNKNOWN, PLAIN, OCSP, WRONGKEY, ROGUE, NUM_CERTS };
static const char *const cert_names[NUM_CERTS] = {"ca",    "good", "revoked",  "unknown",
                                                  "plain", "ocsp", "wrongkey", "rogue-ocsp"};
static cachet_cert *certs[NUM_CERTS];

FIXTURE const char *path_of(const char *name) {
    static char buf[16][256]; /* a ring: several paths live in one argv */
    static int next;
    char *p = buf[next++ % 16];
    snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
    return p;
}

FIXTURE int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
        port = ntohs(a.sin_port);
    }
    close(fd);
    return port;
}

FIXTURE bool port_open(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

FIXTURE bool log_says(const char *log, const char *text) {
    size_t len = 0;
    FILE *fp = fopen(log, "rb");
    char buf[4096];
    if (fp != NULL) {
        len = fread(buf, 1, sizeof(buf) - 1, fp);
        fclose(fp);
    }
    buf[len] = '\0';
    return strstr(buf, text) != NULL;
}

/* spawn starts a server and waits until it listens: until |ready_text| is in
 * its log, else until |port| accepts. (`openssl ocsp` is not probed with a bare
 * connection: one closed without a request wedges its accept loop.) */
FIXTURE pid_t spawn(char *const argv[], const char *log, int port, const char *ready_text) {
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a crashed test */
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        dup2(fd, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    for (int i = 0; pid > 0 && i < 200; i++) {
        if (ready_text != NULL ? log_says(log, ready_text) : port_open(port)) {
            break;
        }
        struct timespec ts = {0, 25000000};
        nanosleep(&ts, NULL);
    }
    return pid;
}

FIXTURE void stop(pid_t *pid) {
    if (*pid > 0) {
        kill(*pid, SIGTERM);
        waitpid(*pid, NULL, 0);
        *pid = 0;
    }
}

FIXTURE void start_ocsp(void) {
    char port[16];
    snprintf(port, sizeof(port), "%d", port_ocsp);
    char *argv[] = {"openssl",     "ocsp",
                    "-index",      (char *)path_of("ca.db/index.txt"),
                    "-CA",         (char *)path_of("ca.crt"),
                    "-rsigner",    (char *)path_of("ocsp.crt"),
                    "-rkey",       (char *)path_of("ocsp.key"),
                    "-port",       port,
                    "-ignore_err", NULL};
    pid_ocsp = spawn(argv, path_of("ocsp.log"), port_ocsp, "waiting for OCSP client connections");
}

FIXTURE void start_http(void) {
    char port[16];
    snprintf(port, sizeof(port), "%d", port_http);
    char *argv[] = {"python3",   "-m",          "http.server",          port, "--bind",
                    "127.0.0.1", "--directory", (char *)path_of("www"), NULL};
    pid_http = spawn(argv, path_of("http.log"), port_http, NULL);
}

FIXTURE void cleanup(void) {
    stop(&pid_ocsp);
    stop(&pid_http);
    for (int i = 0; i < NUM_CERTS; i++) {
        cachet_cert_free(certs[i]);
    }
    if (dir[0] != '\0') {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)system(cmd);
    }
}

/* setup makes the PKI once; the ports are free now and stay closed until a
 * test starts a server on them, so "down" is simply "not started". */
FIXTURE bool setup(void) {
    if (ready) {
        return true;
    }
    snprintf(dir, sizeof(dir), "/tmp/cachet-rev.XXXXXX");
    if (mkdtemp(dir) == NULL) {
        dir[0] = '\0';
        return false;
    }
    atexit(cleanup);
    port_ocsp = free_port();
    port_http = free_port();
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "bash '%s/pki/mkrevocation.sh' '%s' %d %d >'%s/mk.log' 2>&1",
             cachet_test_tests_dir(), dir, port_ocsp, port_http, dir);
    if (port_ocsp <= 0 || port_http <= 0 || port_ocsp == port_http || system(cmd) != 0) {
        fprintf(stderr, "mkrevocation.sh failed (%s)\n", cmd);
        return false;
    }
    for (int i = 0; i < NUM_CERTS; i++) {
        char name[64];
        snprintf(name, sizeof(name), "%s.crt", cert_names[i]);
        size_t len = 0;
        uint8_t *pem = cachet_test_read_file(path_of(name), &len);
        cachet_cert_list list = {0};
        if (pem == NULL || cachet_cert_load(pem, len, &list, NULL) != CACHET_OK || list.num != 1) {
            free(pem);
            return false;
        }
        certs[i] = cachet_cert_up_ref(list.certs[0]);
        cachet_cert_list_clear(&list);
        free(pem);
    }
    ready = true;
    return true;
}

FIXTURE cachet_crl *load_crl(const char *name) {
    size_t len = 0;
    uint8_t *data = cachet_test_read_file(path_of(name), &len);
    cachet_crl *crl = NULL;
    if (data == NULL || cachet_crl_parse(data, len, &crl, NULL) != CACHET_OK) {
        crl = NULL;
    }
    free(data);
    return crl;
}

FIXTURE int64_t civil_epoch(int y, int mo, int d, int h, int mi, int s) {
    y -= mo <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
    int64_t days = (int64_t)era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    return days * 86400 + h * 3600 + mi * 60 + s;
}

/* index_revocation_time reads the revocation date `openssl ca` recorded for
 * |serial| (the index line "R <expiry> <YYMMDDHHMMSSZ,reason> <serial> ..."). */
FIXTURE int64_t index_revocation_time(const char *serial) {
    FILE *fp = fopen(path_of("ca.db/index.txt"), "r");
    char line[512];
    int64_t t = -1;
    while (fp != NULL && fgets(line, sizeof(line), fp) != NULL) {
        char exp[32], rev[64], ser[32];
        int y, mo, d, h, mi, s;
        if (line[0] == 'R' && sscanf(line, "R\t%31s\t%63s\t%31s", exp, rev, ser) == 3 &&
            strcmp(ser, serial) == 0 &&
            sscanf(rev, "%2d%2d%2d%2d%2d%2d", &y, &mo, &d, &h, &mi, &s) == 6) {
            t = civil_epoch(2000 + y, mo, d, h, mi, s);
        }
    }
    if (fp != NULL) {
        fclose(fp);
    }
    return t;
}

#endif
