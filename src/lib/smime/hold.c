/* The holding sink (hold.h): memory first, then an unlinked temporary file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smime/hold.h"

/* Read-back size of a spilled hold, and the buffer gathering small writes to
 * it (output comes in pieces of a few KiB: one system call each would cost
 * more than the work). */
#define HOLD_READ ((size_t)256 * 1024)
#define HOLD_WBUF ((size_t)64 * 1024)

struct cachet_hold {
    cachet_membuf mem; /* everything, until spilled; then the write buffer */
    size_t mem_max;
    uint64_t max_total;
    uint64_t total;
    int fd;    /* -1 until spilled */
    bool dead; /* discarded or failed: no more writes */
    cachet_error err;
};

cachet_hold *cachet_hold_new(size_t mem_max, uint64_t max_total, cachet_error *err) {
    cachet_hold *h = cachet_calloc(1, sizeof(*h));
    if (h == NULL) {
        cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
        return NULL;
    }
    h->mem_max = mem_max;
    h->mem.max = mem_max;
    h->max_total = max_total;
    h->fd = -1;
    cachet_err_clear(&h->err);
    return h;
}

/* open_spill makes the temporary file, unlinked at once, so it disappears with
 * the descriptor whatever happens to the process. */
static bool open_spill(cachet_hold *h, cachet_error *err) {
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0') {
        dir = "/tmp";
    }
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s/cachet-hold-XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        cachet_err_set(err, CACHET_ERR_IO, "", -1, "temporary directory path too long");
        return false;
    }
    /* mkstemp creates the file 0600 (POSIX.1-2008); umask is process-wide state
     * a library must not touch, so fchmod below makes sure instead. */
    int fd = mkstemp(path);
    if (fd < 0) {
        cachet_err_set(err, CACHET_ERR_IO, "", -1, "cannot create a temporary file in %s: %s", dir,
                       strerror(errno));
        return false;
    }
    if (unlink(path) != 0 || fchmod(fd, 0600) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        cachet_err_set(err, CACHET_ERR_IO, "", -1, "cannot secure the temporary file: %s",
                       strerror(e));
        return false;
    }
    h->fd = fd;
    return true;
}

static bool write_all(int fd, const uint8_t *data, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        data += (size_t)w;
        len -= (size_t)w;
    }
    return true;
}

/* flush_wbuf writes out what the write buffer of a spilled hold gathered. */
static bool flush_wbuf(cachet_hold *h) {
    bool ok = write_all(h->fd, h->mem.data, h->mem.len);
    cachet_cleanse(h->mem.data, h->mem.len);
    h->mem.len = 0;
    return ok;
}

static cachet_status hold_fail(cachet_hold *h, cachet_status st, cachet_error *err) {
    if (h->err.status == CACHET_OK) {
        if (err != NULL && err->status != CACHET_OK) {
            h->err = *err;
        } else {
            cachet_err_set(&h->err, st, "", -1, "holding the output failed");
        }
    }
    cachet_hold_discard(h);
    return st;
}

cachet_status cachet_hold_write(cachet_hold *h, const uint8_t *data, size_t len,
                                cachet_error *err) {
    if (h->dead) {
        return cachet_err_set(err, h->err.status != CACHET_OK ? h->err.status : CACHET_ERR_USAGE,
                              "", -1, "the held output was discarded");
    }
    if (len == 0) {
        return CACHET_OK;
    }
    cachet_error local;
    cachet_err_clear(&local);
    if (h->max_total != 0 && len > h->max_total - h->total) {
        cachet_err_set(&local, CACHET_ERR_LIMIT, "", (long long)h->total,
                       "output larger than %llu bytes", (unsigned long long)h->max_total);
        cachet_err_set(err, CACHET_ERR_LIMIT, "", (long long)h->total, "%s", local.message);
        return hold_fail(h, CACHET_ERR_LIMIT, &local);
    }
    if (h->fd < 0 && len <= h->mem_max - h->mem.len) {
        if (!cachet_membuf_append(&h->mem, data, len)) {
            cachet_err_set(&local, CACHET_ERR_NOMEM, "", -1, "out of memory");
            cachet_err_set(err, CACHET_ERR_NOMEM, "", -1, "out of memory");
            return hold_fail(h, CACHET_ERR_NOMEM, &local);
        }
        h->total += len;
        return CACHET_OK;
    }
    if (h->fd < 0) {
        if (!open_spill(h, &local)) {
            cachet_err_set(err, local.status, "", -1, "%s", local.message);
            return hold_fail(h, local.status, &local);
        }
        bool ok = write_all(h->fd, h->mem.data, h->mem.len);
        cachet_membuf_free_secret(&h->mem);
        h->mem.max = HOLD_WBUF;
        if (!ok) {
            cachet_err_set(&local, CACHET_ERR_IO, "", -1, "writing the temporary file failed");
            cachet_err_set(err, CACHET_ERR_IO, "", -1, "%s", local.message);
            return hold_fail(h, CACHET_ERR_IO, &local);
        }
    }
    bool ok = len <= HOLD_WBUF - h->mem.len || flush_wbuf(h);
    if (ok && !(len < HOLD_WBUF && cachet_membuf_append(&h->mem, data, len))) {
        ok = write_all(h->fd, data, len);
    }
    if (!ok) {
        cachet_err_set(&local, CACHET_ERR_IO, "", -1, "writing the temporary file failed: %s",
                       strerror(errno));
        cachet_err_set(err, CACHET_ERR_IO, "", -1, "%s", local.message);
        return hold_fail(h, CACHET_ERR_IO, &local);
    }
    h->total += len;
    return CACHET_OK;
}

static cachet_status hold_sink_write(void *arg, const uint8_t *data, size_t len) {
    cachet_hold *h = arg;
    return cachet_hold_write(h, data, len, NULL);
}

cachet_sink cachet_hold_sink(cachet_hold *h) {
    return (cachet_sink){.write = hold_sink_write, .close = NULL, .arg = h};
}

const cachet_error *cachet_hold_error(const cachet_hold *h) {
    return &h->err;
}

uint64_t cachet_hold_size(const cachet_hold *h) {
    return h->total;
}

bool cachet_hold_spilled(const cachet_hold *h) {
    return h->fd >= 0;
}

cachet_status cachet_hold_commit(cachet_hold *h, const cachet_sink *out, cachet_error *err) {
    if (h->dead) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "", -1, "the held output was discarded");
    }
    cachet_status st = CACHET_OK;
    if (h->fd < 0) {
        st = cachet_sink_write(out, h->mem.data, h->mem.len);
    } else if (!flush_wbuf(h) || lseek(h->fd, 0, SEEK_SET) != 0) {
        st = CACHET_ERR_IO;
    } else {
        /* Large reads: the file may hold gigabytes. */
        uint8_t small[16384];
        uint8_t *buf = cachet_malloc(HOLD_READ);
        size_t cap = buf != NULL ? HOLD_READ : sizeof(small);
        if (buf == NULL) {
            buf = small;
        }
        uint64_t left = h->total;
        while (st == CACHET_OK && left > 0) {
            size_t want = left < cap ? (size_t)left : cap;
            ssize_t r = read(h->fd, buf, want);
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r <= 0) {
                st = CACHET_ERR_IO;
                break;
            }
            st = cachet_sink_write(out, buf, (size_t)r);
            left -= (uint64_t)r;
        }
        if (buf != small) {
            cachet_free_secret(buf, cap);
        }
    }
    if (st != CACHET_OK) {
        cachet_err_set(err, st, "", -1, "writing the output failed");
    }
    cachet_hold_discard(h);
    return st;
}

void cachet_hold_discard(cachet_hold *h) {
    if (h == NULL) {
        return;
    }
    cachet_membuf_free_secret(&h->mem);
    if (h->fd >= 0) {
        /* Truncate first so the plaintext blocks are released even if the
         * descriptor were leaked somewhere. */
        int rc = ftruncate(h->fd, 0);
        (void)rc;
        close(h->fd);
        h->fd = -1;
    }
    h->total = 0;
    h->dead = true;
}

void cachet_hold_free(cachet_hold *h) {
    if (h == NULL) {
        return;
    }
    cachet_hold_discard(h);
    cachet_free(h);
}
