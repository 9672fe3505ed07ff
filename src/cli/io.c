/* Input in 64 KiB chunks and all-or-nothing output (ATTACKS CL-01): output
 * goes to a private temporary file (mode 0600, CL-05) which is renamed over
 * --out, or copied to stdout, only when the operation succeeded. Since nobody
 * sees that file before then, its sink is discard_on_failure: the library
 * writes through to it instead of holding the output itself. */
/* O_TMPFILE, linkat; a feature-test macro is the C library's own name to define */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Reads, the copy to stdout, and the output buffer (the library writes in
 * pieces of a few KiB; one system call each would cost more than the work). */
#define CACHET_CLI_CHUNK (64 * 1024)
#define CACHET_CLI_OUT_BUF (64 * 1024)

int cachet_cli_open_input(const char *cmd, const char *path, int *out_fd) {
    if (path == NULL || strcmp(path, "-") == 0) {
        *out_fd = STDIN_FILENO;
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cachet_cli_errorf(cmd, "cannot open input %s: %s", path, strerror(errno));
        return CACHET_EXIT_USAGE;
    }
    *out_fd = fd;
    return -1;
}

void cachet_cli_close_input(int fd) {
    if (fd > STDIN_FILENO) {
        close(fd);
    }
}

/* The temporary file beside --out, removed if a signal ends the process before
 * the rename, so that an interrupted run leaves nothing behind either. */
static char *volatile pending_tmp;

static void on_fatal_signal(int sig) {
    char *p = pending_tmp;
    if (p != NULL) {
        unlink(p); /* async-signal-safe */
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void guard_tmp(char *path) {
    pending_tmp = path;
    if (path == NULL) {
        return;
    }
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        (void)sigaction(sigs[i], &sa, NULL);
    }
}

static bool write_all(int fd, const uint8_t *p, size_t len);

static cachet_status discard_write(void *arg, const uint8_t *data, size_t len) {
    (void)arg;
    (void)data;
    (void)len;
    return CACHET_OK;
}

/* open_anonymous: an unnamed file (mode 0600) in the directory of |path|
 * (its first |dir_len| bytes; "." when 0), or -1 where the kernel, the file
 * system or a missing /proc (needed to name it later) does not allow it. */
static int open_anonymous(const char *path, size_t dir_len) {
#ifdef O_TMPFILE
    if (access("/proc/self/fd", X_OK) != 0) {
        return -1;
    }
    char dir[4096];
    if (dir_len >= sizeof(dir)) {
        return -1;
    }
    if (dir_len == 0) {
        dir[0] = '.';
        dir[1] = '\0';
    } else {
        memcpy(dir, path, dir_len);
        dir[dir_len] = '\0';
    }
    return open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
#else
    (void)path;
    (void)dir_len;
    return -1;
#endif
}

/* name_anonymous gives the anonymous file |fd| the name |tmpl|, its last six
 * characters replaced by random ones until the name is free (the name then
 * stays in |tmpl|). */
static bool name_anonymous(int fd, char *tmpl) {
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    size_t n = strlen(tmpl);
    if (n < 6) {
        return false;
    }
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned seed = (unsigned)getpid() * 2654435761u ^ (unsigned)fd;
    for (int attempt = 0; attempt < 100; attempt++) {
        for (size_t i = n - 6; i < n; i++) {
            seed = seed * 1103515245u + 12345u + (unsigned)attempt;
            tmpl[i] = digits[(seed >> 16) % (sizeof(digits) - 1)];
        }
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmpl, AT_SYMLINK_FOLLOW) == 0) {
            return true;
        }
        if (errno != EEXIST) {
            return false;
        }
    }
    return false;
}

int cachet_cli_output_open(cachet_cli_output *o, const char *cmd, const char *path, bool discard) {
    memset(o, 0, sizeof(*o));
    o->fd = -1;
    o->discard = discard;
    if (discard) {
        return -1;
    }
    o->buf = malloc(CACHET_CLI_OUT_BUF); /* NULL: unbuffered, still correct */
    struct stat st;
    if (path != NULL && strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* Refused before any work: found only at the end, the failure would follow
         * a report that already said "verification successful" (ATTACKS CL-03). */
        cachet_cli_errorf(cmd, "cannot write to %s: it is a directory", path);
        free(o->buf);
        o->buf = NULL;
        return CACHET_EXIT_USAGE;
    }
    if (path != NULL && strcmp(path, "-") != 0 && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* A device or pipe (--out /dev/null, a FIFO) is written in place after
         * success: renaming over it would replace the device with a file. */
        o->path = path;
        path = NULL;
    }
    if (path != NULL && strcmp(path, "-") != 0) {
        o->path = path;
        /* Beside the target, so that rename() is atomic (same file system). */
        const char *slash = strrchr(path, '/');
        size_t dir_len = slash != NULL ? (size_t)(slash - path) + 1 : 0;
        const char *base = path + dir_len;
        size_t n = dir_len + strlen(base) + 32;
        o->tmp_path = malloc(n);
        if (o->tmp_path == NULL) {
            return CACHET_EXIT_INPUT;
        }
        snprintf(o->tmp_path, n, "%.*s.%s.cachet-XXXXXX", (int)dir_len, path, base);
        /* Readers write through (discard_on_failure), so the file may hold
         * unauthenticated plaintext until the end: an anonymous file (O_TMPFILE)
         * has no name a crash could leave behind; it gets one only on success. */
        o->fd = open_anonymous(o->tmp_path, dir_len);
        if (o->fd >= 0) {
            o->anonymous = true;
            return -1;
        }
        o->fd = mkstemp(o->tmp_path);
        if (o->fd < 0) {
            cachet_cli_errorf(cmd, "cannot create a file beside %s: %s", path, strerror(errno));
            free(o->buf);
            o->buf = NULL;
            free(o->tmp_path);
            o->tmp_path = NULL;
            return CACHET_EXIT_USAGE;
        }
        guard_tmp(o->tmp_path);
        return -1;
    }
    const char *tmpdir = getenv("TMPDIR");
    if (tmpdir == NULL || tmpdir[0] == '\0') {
        tmpdir = "/tmp";
    }
    size_t n = strlen(tmpdir) + 32;
    char *tmpl = malloc(n);
    if (tmpl == NULL) {
        return CACHET_EXIT_INPUT;
    }
    snprintf(tmpl, n, "%s/cachet-out-XXXXXX", tmpdir);
    o->fd = mkstemp(tmpl);
    int e = errno;
    if (o->fd >= 0) {
        unlink(tmpl); /* nothing is left behind, even on a crash */
    }
    free(tmpl);
    if (o->fd < 0) {
        cachet_cli_errorf(cmd, "cannot create a temporary file in %s: %s", tmpdir, strerror(e));
        free(o->buf);
        o->buf = NULL;
        return CACHET_EXIT_INPUT;
    }
    return -1;
}

static bool flush_buf(cachet_cli_output *o) {
    size_t n = o->buf_len;
    o->buf_len = 0;
    return n == 0 || write_all(o->fd, o->buf, n);
}

static cachet_status buffered_write(void *arg, const uint8_t *data, size_t len) {
    cachet_cli_output *o = arg;
    if (o->buf == NULL) {
        return write_all(o->fd, data, len) ? CACHET_OK : CACHET_ERR_IO;
    }
    if (len > CACHET_CLI_OUT_BUF - o->buf_len) {
        if (!flush_buf(o)) {
            return CACHET_ERR_IO;
        }
        if (len >= CACHET_CLI_OUT_BUF) {
            return write_all(o->fd, data, len) ? CACHET_OK : CACHET_ERR_IO;
        }
    }
    memcpy(o->buf + o->buf_len, data, len);
    o->buf_len += len;
    return CACHET_OK;
}

cachet_sink cachet_cli_output_sink(cachet_cli_output *o) {
    if (o->discard) {
        return (cachet_sink){
            .write = discard_write, .close = NULL, .arg = NULL, .discard_on_failure = true};
    }
    return (cachet_sink){
        .write = buffered_write, .close = NULL, .arg = o, .discard_on_failure = true};
}

static void free_buf(cachet_cli_output *o) {
    free(o->buf);
    o->buf = NULL;
    o->buf_len = 0;
}

static bool write_all(int fd, const uint8_t *p, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool copy_to(int fd, int dst) {
    if (lseek(fd, 0, SEEK_SET) != 0) {
        return false;
    }
    uint8_t *buf = malloc(CACHET_CLI_CHUNK);
    if (buf == NULL) {
        return false;
    }
    bool ok = true;
    for (;;) {
        ssize_t n = read(fd, buf, CACHET_CLI_CHUNK);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            ok = false;
            break;
        }
        if (n == 0) {
            break;
        }
        if (!write_all(dst, buf, (size_t)n)) {
            ok = false;
            break;
        }
    }
    free(buf);
    return ok;
}

int cachet_cli_output_commit(cachet_cli_output *o, const char *cmd) {
    if (o->discard) {
        return CACHET_EXIT_OK;
    }
    bool flushed = flush_buf(o);
    int flush_errno = errno;
    free_buf(o);
    if (!flushed) {
        cachet_cli_errorf(cmd, "writing %s failed: %s",
                          o->path != NULL ? o->path : "standard output", strerror(flush_errno));
        cachet_cli_output_abort(o);
        return CACHET_EXIT_INPUT;
    }
    if (o->path == NULL || o->tmp_path == NULL) {
        int dst = STDOUT_FILENO;
        if (o->path != NULL) {
            dst = open(o->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        }
        bool ok = dst >= 0 && copy_to(o->fd, dst);
        int e = errno;
        if (dst >= 0 && dst != STDOUT_FILENO) {
            ok = close(dst) == 0 && ok;
        }
        close(o->fd);
        o->fd = -1;
        if (!ok) {
            cachet_cli_errorf(cmd, "writing to %s failed: %s",
                              o->path != NULL ? o->path : "standard output", strerror(e));
            return CACHET_EXIT_INPUT;
        }
        return CACHET_EXIT_OK;
    }
    bool ok = fsync(o->fd) == 0;
    if (ok && o->anonymous) {
        ok = name_anonymous(o->fd, o->tmp_path);
        if (ok) {
            o->anonymous = false;
            guard_tmp(o->tmp_path);
        } else {
            free(o->tmp_path); /* nothing was named: nothing to remove */
            o->tmp_path = NULL;
        }
    }
    int e = errno;
    ok = close(o->fd) == 0 && ok;
    o->fd = -1;
    errno = e;
    if (ok && rename(o->tmp_path, o->path) == 0) {
        guard_tmp(NULL);
        free(o->tmp_path);
        o->tmp_path = NULL;
        return CACHET_EXIT_OK;
    }
    cachet_cli_errorf(cmd, "writing %s failed: %s", o->path, strerror(errno));
    cachet_cli_output_abort(o);
    return CACHET_EXIT_INPUT;
}

void cachet_cli_output_abort(cachet_cli_output *o) {
    free_buf(o);
    if (o->fd >= 0) {
        close(o->fd);
        o->fd = -1;
    }
    if (o->tmp_path != NULL) {
        guard_tmp(NULL);
        if (!o->anonymous) {
            unlink(o->tmp_path);
        }
        free(o->tmp_path);
        o->tmp_path = NULL;
    }
}

/* feed returns false after a read error (recorded in |err|) or when the op
 * failed (its own error then stands). */
static bool feed(cachet_op *op, int fd, bool content, cachet_error *err, bool *read_failed) {
    uint8_t *buf = malloc(CACHET_CLI_CHUNK);
    if (buf == NULL) {
        *err = (cachet_error){.status = CACHET_ERR_NOMEM, .offset = -1};
        snprintf(err->message, sizeof(err->message), "out of memory");
        *read_failed = true;
        return false;
    }
    long long total = 0;
    bool ok = true;
    for (;;) {
        ssize_t n = read(fd, buf, CACHET_CLI_CHUNK);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            *err = (cachet_error){.status = CACHET_ERR_IO, .offset = total};
            snprintf(err->message, sizeof(err->message), "reading the input failed: %s",
                     strerror(errno));
            *read_failed = true;
            ok = false;
            break;
        }
        if (n == 0) {
            break;
        }
        total += n;
        cachet_status st = content ? cachet_op_update_content(op, buf, (size_t)n)
                                   : cachet_op_update(op, buf, (size_t)n);
        if (st != CACHET_OK) {
            ok = false;
            break;
        }
    }
    free(buf);
    return ok;
}

cachet_status cachet_cli_run(cachet_op *op, int content_fd, int in_fd, cachet_report **out_report,
                             cachet_error *out_err) {
    *out_report = NULL;
    memset(out_err, 0, sizeof(*out_err));
    out_err->offset = -1;
    bool read_failed = false;
    if (content_fd >= 0) {
        (void)feed(op, content_fd, true, out_err, &read_failed);
    }
    if (!read_failed) {
        (void)feed(op, in_fd, false, out_err, &read_failed);
    }
    if (read_failed) {
        return out_err->status;
    }
    /* finish is called even after a failed update: it gives the report (when the
     * input was describable) and releases nothing. */
    cachet_status st = cachet_op_finish(op, out_report);
    if (st != CACHET_OK) {
        const cachet_error *e = cachet_op_error(op);
        if (e != NULL) {
            *out_err = *e;
        }
        if (out_err->status == CACHET_OK) {
            out_err->status = st;
        }
    }
    return st;
}

bool cachet_cli_input_size(const cachet_cli_opts *o, uint64_t *out_size) {
    struct stat st;
    off_t start = 0;
    if (!o->raw) {
        return false;
    }
    if (o->in != NULL && strcmp(o->in, "-") != 0) {
        if (stat(o->in, &st) != 0) {
            return false;
        }
    } else {
        /* a redirected stdin may already have been read from */
        if (fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode)) {
            return false;
        }
        start = lseek(STDIN_FILENO, 0, SEEK_CUR);
        if (start < 0) {
            return false;
        }
    }
    if (!S_ISREG(st.st_mode) || st.st_size < start) {
        return false;
    }
    *out_size = (uint64_t)(st.st_size - start);
    return true;
}
