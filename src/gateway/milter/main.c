/* cachetd: the RFC 3183 domain-security gateway as a milter.
 *
 * Start-up order (the usual one for a mail daemon): read the configuration,
 * open the keys and the listening socket while still privileged, detach,
 * write the pidfile, drop privileges irrevocably, then serve.
 *
 * SECURITY: the domain keys are read before the privilege drop and stay in
 * memory. A reload (SIGHUP) reads them again as the unprivileged user, so
 * with key files kept 0600 root, as they should be, a reload that needs them
 * fails and the keys loaded at start stay in use (restart to change keys).
 * The unix socket is mode 0660: whoever can connect to it can have mail
 * domain-signed, so only the MTA's group may.
 *
 * Signals: libmilter runs its own thread that sigwaits for SIGHUP, SIGTERM and
 * SIGINT and stops the filter on any of them. The main thread here sigwaits
 * for the same signals; Linux hands a process-directed signal to the main
 * thread first whenever it is waiting for it, and the main thread only ever
 * waits (the reload itself runs in a thread of its own), so SIGHUP reloads
 * instead of stopping. SIGUSR1 reloads too (OpenDKIM's reload signal). */
/* initgroups, and realpath's PATH_MAX; a feature-test macro is the C library's name */
#define _DEFAULT_SOURCE /* NOLINT(bugprone-reserved-identifier) */

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define CACHETD_DEFAULT_CONFIG "/etc/cachet/cachetd.conf"
/* How long SIGTERM waits for messages in progress before stopping anyway. */
#define CACHETD_DRAIN_SECONDS 60

typedef struct cachetd_opts {
    const char *config;
    bool foreground;
    bool print;
    bool debug;
} cachetd_opts;

static char g_config_path[PATH_MAX];
static bool g_debug_forced;
static bool g_log_syslog;
static pthread_t g_main_thread;
static int g_smfi_rc;
static atomic_bool g_milter_done;

static pthread_mutex_t g_reload_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_reload_cond = PTHREAD_COND_INITIALIZER;
static bool g_reload_pending;
static bool g_reload_quit;

static void cachetd_usage(FILE *out) {
    fprintf(out, "usage: cachetd [-c FILE] [-f] [-n] [-d] [-h]\n"
                 "  -c FILE  configuration (default " CACHETD_DEFAULT_CONFIG ")\n"
                 "  -f       stay in the foreground\n"
                 "  -n       print the effective configuration and exit\n"
                 "  -d       debug: log details of every message\n"
                 "  -h       this help\n");
}

/* Errors before serving go to stderr (the operator is watching) and, once
 * syslog is chosen, to syslog as well. */
static void cachetd_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void cachetd_fatal(const char *fmt, ...) {
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "cachetd: %s\n", msg);
    if (g_log_syslog) {
        cachetd_log(LOG_ERR, NULL, "%s", msg);
    }
}

static int cachetd_parse_args(int argc, char **argv, cachetd_opts *o) {
    o->config = CACHETD_DEFAULT_CONFIG;
    opterr = 0;
    for (;;) {
        int ch = getopt(argc, argv, "c:fndh");
        if (ch == -1) {
            break;
        }
        switch (ch) {
            case 'c':
                o->config = optarg;
                break;
            case 'f':
                o->foreground = true;
                break;
            case 'n':
                o->print = true;
                break;
            case 'd':
                o->debug = true;
                break;
            case 'h':
                cachetd_usage(stdout);
                return 0;
            default:
                fprintf(stderr, "cachetd: unknown option or missing argument: -%c\n", optopt);
                cachetd_usage(stderr);
                return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "cachetd: unexpected argument '%s'\n", argv[optind]);
        cachetd_usage(stderr);
        return 2;
    }
    return -1;
}

/* The path part of a unix socket spec ("unix:/p", "local:/p" or "/p"), or NULL. */
static const char *cachetd_unix_path(const char *spec) {
    if (strncmp(spec, "unix:", 5) == 0) {
        return spec + 5;
    }
    if (strncmp(spec, "local:", 6) == 0) {
        return spec + 6;
    }
    if (spec[0] == '/') {
        return spec;
    }
    return NULL;
}

static bool cachetd_lookup_user(const char *user, uid_t *uid, gid_t *gid) {
    struct passwd pw;
    struct passwd *res = NULL;
    char buf[4096];
    if (getpwnam_r(user, &pw, buf, sizeof buf, &res) != 0 || res == NULL) {
        return false;
    }
    *uid = pw.pw_uid;
    *gid = pw.pw_gid;
    return true;
}

static bool cachetd_open_socket(const cachetd_config *cfg) {
    if (smfi_setconn((char *)cfg->socket) != MI_SUCCESS) {
        cachetd_fatal("socket %s: not a valid milter socket (unix:/PATH or inet:PORT@HOST)",
                      cfg->socket);
        return false;
    }
    if (!cachetd_milter_register()) {
        cachetd_fatal("smfi_register failed");
        return false;
    }
    /* true: remove a stale unix socket left by a previous run. */
    if (smfi_opensocket(true) != MI_SUCCESS) {
        cachetd_fatal("cannot listen on %s (is another cachetd running?)", cfg->socket);
        return false;
    }
    const char *path = cachetd_unix_path(cfg->socket);
    if (path == NULL) {
        return true;
    }
    if (chmod(path, 0660) != 0) {
        cachetd_fatal("chmod %s: %s", path, strerror(errno));
        return false;
    }
    uid_t uid;
    gid_t gid;
    if (cfg->user[0] != '\0' && geteuid() == 0 && cachetd_lookup_user(cfg->user, &uid, &gid) &&
        chown(path, uid, gid) != 0) {
        cachetd_fatal("chown %s to %s: %s", path, cfg->user, strerror(errno));
        return false;
    }
    return true;
}

static bool cachetd_daemonize(bool keep_stderr) {
    pid_t pid = fork();
    if (pid < 0) {
        cachetd_fatal("fork: %s", strerror(errno));
        return false;
    }
    if (pid > 0) {
        _exit(0);
    }
    if (setsid() < 0) {
        cachetd_fatal("setsid: %s", strerror(errno));
        return false;
    }
    pid = fork();
    if (pid < 0) {
        cachetd_fatal("fork: %s", strerror(errno));
        return false;
    }
    if (pid > 0) {
        _exit(0);
    }
    if (chdir("/") != 0) {
        cachetd_fatal("chdir /: %s", strerror(errno));
        return false;
    }
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0) {
        cachetd_fatal("/dev/null: %s", strerror(errno));
        return false;
    }
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    if (!keep_stderr) {
        dup2(fd, STDERR_FILENO);
    }
    if (fd > STDERR_FILENO) {
        close(fd);
    }
    return true;
}

static bool cachetd_write_pidfile(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        cachetd_fatal("pidfile %s: %s", path, strerror(errno));
        return false;
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    bool ok = write(fd, buf, (size_t)n) == n;
    if (close(fd) != 0) {
        ok = false;
    }
    if (!ok) {
        cachetd_fatal("pidfile %s: write failed", path);
    }
    return ok;
}

static bool cachetd_drop_privileges(const char *user) {
    if (user[0] == '\0') {
        if (geteuid() == 0) {
            cachetd_log(LOG_WARNING, NULL,
                        "running as root: set user = in [cachetd] to drop privileges");
        }
        return true;
    }
    struct passwd pw;
    struct passwd *res = NULL;
    char buf[4096];
    if (getpwnam_r(user, &pw, buf, sizeof buf, &res) != 0 || res == NULL) {
        cachetd_fatal("user %s: no such user", user);
        return false;
    }
    if (geteuid() != 0) {
        if (geteuid() == pw.pw_uid) {
            return true;
        }
        cachetd_fatal("cannot switch to user %s: not started as root", user);
        return false;
    }
    if (initgroups(pw.pw_name, pw.pw_gid) != 0 || setgid(pw.pw_gid) != 0 ||
        setuid(pw.pw_uid) != 0) {
        cachetd_fatal("cannot switch to user %s: %s", user, strerror(errno));
        return false;
    }
    /* Irrevocable: with a saved set-user-ID of 0 this would succeed. */
    if (pw.pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        cachetd_fatal("privileges of root could be regained after switching to %s", user);
        return false;
    }
    cachetd_log(LOG_INFO, NULL, "running as user %s (uid %ld)", user, (long)pw.pw_uid);
    return true;
}

/* Settings read once at start; a reload that changes them says so. */
static void cachetd_warn_fixed(const cachetd_config *old, const cachetd_config *cfg) {
    if (strcmp(old->socket, cfg->socket) != 0) {
        cachetd_log(LOG_WARNING, NULL, "socket changed: takes effect at the next restart");
    }
    if (strcmp(old->user, cfg->user) != 0) {
        cachetd_log(LOG_WARNING, NULL, "user changed: takes effect at the next restart");
    }
    if (strcmp(old->pidfile, cfg->pidfile) != 0) {
        cachetd_log(LOG_WARNING, NULL, "pidfile changed: takes effect at the next restart");
    }
    if (old->log != cfg->log) {
        cachetd_log(LOG_WARNING, NULL, "log changed: takes effect at the next restart");
    }
}

static void cachetd_reload(void) {
    char err[2048];
    cachetd_runtime *rt = cachetd_runtime_load(g_config_path, err, sizeof err);
    if (rt == NULL) {
        cachetd_log(LOG_ERR, NULL,
                    "configuration reload failed: %s; keeping the previous configuration", err);
        return;
    }
    cachetd_runtime *old = cachetd_runtime_acquire();
    if (old != NULL) {
        cachetd_warn_fixed(old->cfg, rt->cfg);
        cachetd_runtime_release(old);
    }
    cachetd_log_set_debug(g_debug_forced || rt->cfg->debug);
    cachetd_runtime_install(rt);
    cachetd_log(LOG_INFO, NULL, "configuration reloaded from %s", g_config_path);
}

static void *cachetd_reloader(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&g_reload_lock);
        while (!g_reload_pending && !g_reload_quit) {
            pthread_cond_wait(&g_reload_cond, &g_reload_lock);
        }
        bool quit = g_reload_quit;
        g_reload_pending = false;
        pthread_mutex_unlock(&g_reload_lock);
        if (quit) {
            return NULL;
        }
        cachetd_reload();
    }
}

static void cachetd_reloader_notify(bool quit) {
    pthread_mutex_lock(&g_reload_lock);
    if (quit) {
        g_reload_quit = true;
    } else {
        g_reload_pending = true;
    }
    pthread_cond_signal(&g_reload_cond);
    pthread_mutex_unlock(&g_reload_lock);
}

static void *cachetd_milter_main(void *arg) {
    (void)arg;
    g_smfi_rc = smfi_main();
    atomic_store(&g_milter_done, true);
    /* Wake the main thread, which is waiting for signals. */
    pthread_kill(g_main_thread, SIGUSR2);
    return NULL;
}

/* Serves until SIGTERM/SIGINT or until libmilter gives up; returns the exit code. */
static int cachetd_serve(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    /* Blocked before any thread exists, so every thread inherits the mask and
     * no signal ever interrupts a callback. */
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
        cachetd_log(LOG_ERR, NULL, "pthread_sigmask failed");
        return 1;
    }
    g_main_thread = pthread_self();
    pthread_t reloader;
    pthread_t milter;
    if (pthread_create(&reloader, NULL, cachetd_reloader, NULL) != 0) {
        cachetd_log(LOG_ERR, NULL, "cannot start the reload thread");
        return 1;
    }
    if (pthread_create(&milter, NULL, cachetd_milter_main, NULL) != 0) {
        cachetd_log(LOG_ERR, NULL, "cannot start the milter thread");
        cachetd_reloader_notify(true);
        pthread_join(reloader, NULL);
        return 1;
    }
    cachetd_log(LOG_INFO, NULL, "started");

    /* Shutdown: libmilter's smfi_stop ends every session at once (Debian's
     * libmilter serves sessions from a worker pool that stops with it), so
     * SIGTERM first drains: new connections and transactions are tempfailed
     * while messages in progress complete, and smfi_stop follows when none is
     * left or after CACHETD_DRAIN_SECONDS. */
    bool stopping = false;
    bool smfi_stopped = false;
    time_t deadline = 0;
    for (;;) {
        siginfo_t si;
        int sig;
        if (stopping && !smfi_stopped) {
            struct timespec tick = {0, 100 * 1000 * 1000};
            sig = sigtimedwait(&set, &si, &tick);
            unsigned long busy = cachetd_milter_busy();
            if (busy == 0 || time(NULL) >= deadline) {
                if (busy != 0) {
                    cachetd_log(LOG_WARNING, NULL,
                                "%lu message(s) still in progress after %d s; stopping anyway",
                                busy, CACHETD_DRAIN_SECONDS);
                }
                /* Not once smfi_main has returned on its own: its state is gone. */
                if (!atomic_load(&g_milter_done)) {
                    smfi_stop();
                }
                smfi_stopped = true;
            }
        } else {
            sig = sigwaitinfo(&set, &si);
        }
        if (sig < 0) {
            continue; /* EINTR or the drain tick */
        }
        if (sig == SIGHUP || sig == SIGUSR1) {
            cachetd_reloader_notify(false);
        } else if (sig == SIGTERM || sig == SIGINT) {
            if (!stopping) {
                stopping = true;
                deadline = time(NULL) + CACHETD_DRAIN_SECONDS;
                cachetd_milter_drain();
                cachetd_log(LOG_INFO, NULL,
                            "stopping on signal %d; waiting for %lu message(s) in progress", sig,
                            cachetd_milter_busy());
            }
        } else if (sig == SIGUSR2 && si.si_pid == getpid()) {
            break; /* the milter thread has returned */
        }
    }
    pthread_join(milter, NULL);
    cachetd_reloader_notify(true);
    pthread_join(reloader, NULL);
    if (!stopping) {
        cachetd_log(LOG_ERR, NULL, "the milter stopped unexpectedly (smfi_main returned %d)",
                    g_smfi_rc);
        return 1;
    }
    cachetd_log(LOG_INFO, NULL, "stopped");
    return 0;
}

int main(int argc, char **argv) {
    cachetd_opts o = {0};
    int rc = cachetd_parse_args(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    signal(SIGPIPE, SIG_IGN);
    if (realpath(o.config, g_config_path) == NULL) {
        snprintf(g_config_path, sizeof g_config_path, "%s", o.config);
    }

    char err[2048];
    cachetd_config *cfg = cachetd_config_load(g_config_path, err, sizeof err);
    if (cfg == NULL) {
        fprintf(stderr, "cachetd: %s\n", err);
        return 1;
    }
    if (o.print) {
        cachetd_config_print(cfg, stdout);
        cachetd_config_free(cfg);
        return fflush(stdout) == 0 ? 0 : 1;
    }

    g_debug_forced = o.debug;
    g_log_syslog = cfg->log == CACHETD_LOG_SYSLOG;
    cachetd_log_init(!g_log_syslog, o.debug || cfg->debug);

    cachetd_keys *keys = cachetd_keys_load(cfg, err, sizeof err);
    if (keys == NULL) {
        cachetd_fatal("%s", err);
        cachetd_config_free(cfg);
        return 1;
    }
    cachetd_runtime *rt = cachetd_runtime_new(cfg, keys);
    if (rt == NULL) {
        cachetd_fatal("out of memory");
        return 1;
    }
    cachetd_runtime_install(rt);
    /* cfg stays valid while the runtime is installed; start-up settings are
     * read from it until serving begins. */
    if (!cachetd_open_socket(cfg)) {
        return 1;
    }
    if (!o.foreground && !cachetd_daemonize(!g_log_syslog)) {
        return 1;
    }
    bool have_pidfile = cfg->pidfile[0] != '\0';
    char pidfile[CACHETD_PATH_MAX];
    snprintf(pidfile, sizeof pidfile, "%s", cfg->pidfile);
    if (have_pidfile && !cachetd_write_pidfile(pidfile)) {
        return 1;
    }
    if (!cachetd_drop_privileges(cfg->user)) {
        if (have_pidfile) {
            unlink(pidfile);
        }
        return 1;
    }

    const char *sock_path = cachetd_unix_path(cfg->socket);
    char sock_copy[CACHETD_PATH_MAX];
    snprintf(sock_copy, sizeof sock_copy, "%s", sock_path != NULL ? sock_path : "");

    rc = cachetd_serve();
    if (rc == 0 && sock_copy[0] != '\0') {
        /* After a clean stop only: a socket left by a crash is replaced at the
         * next start anyway. Fails harmlessly in a directory that is root's. */
        unlink(sock_copy);
    }
    if (have_pidfile) {
        /* May fail after the privilege drop when the directory is root's. */
        unlink(pidfile);
    }
    cachetd_runtime_shutdown();
    return rc;
}
