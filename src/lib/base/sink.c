#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

bool cachet_membuf_reserve(cachet_membuf *b, size_t extra) {
    size_t max = b->max == 0 ? SIZE_MAX : b->max;
    if (extra > max - b->len) {
        return false;
    }
    size_t need = b->len + extra;
    if (need <= b->cap) {
        return true;
    }
    size_t cap = b->cap < 256 ? 256 : b->cap;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    if (cap > max) {
        cap = max;
    }
    uint8_t *p = cachet_realloc(b->data, cap);
    if (p == NULL) {
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

bool cachet_membuf_append(cachet_membuf *b, const void *data, size_t len) {
    if (len == 0) {
        return true;
    }
    if (!cachet_membuf_reserve(b, len)) {
        return false;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return true;
}

void cachet_membuf_reset(cachet_membuf *b) {
    b->len = 0;
}

void cachet_membuf_free(cachet_membuf *b) {
    if (b == NULL) {
        return;
    }
    cachet_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void cachet_membuf_free_secret(cachet_membuf *b) {
    if (b == NULL) {
        return;
    }
    cachet_cleanse(b->data, b->cap);
    cachet_membuf_free(b);
}

cachet_status cachet_membuf_append_status(cachet_membuf *b, const void *data, size_t len) {
    size_t max = b->max == 0 ? SIZE_MAX : b->max;
    if (cachet_membuf_append(b, data, len)) {
        return CACHET_OK;
    }
    return len > max - b->len ? CACHET_ERR_LIMIT : CACHET_ERR_NOMEM;
}

static cachet_status membuf_write(void *arg, const uint8_t *data, size_t len) {
    return cachet_membuf_append_status(arg, data, len);
}

cachet_sink cachet_sink_membuf(cachet_membuf *buf) {
    return (cachet_sink){.write = membuf_write, .close = NULL, .arg = buf};
}

static cachet_status fd_write(void *arg, const uint8_t *data, size_t len) {
    int fd = *(int *)arg;
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return CACHET_ERR_IO;
        }
        data += n;
        len -= (size_t)n;
    }
    return CACHET_OK;
}

cachet_sink cachet_sink_fd(int *fd) {
    return (cachet_sink){.write = fd_write, .close = NULL, .arg = fd};
}

static cachet_status file_write(void *arg, const uint8_t *data, size_t len) {
    return fwrite(data, 1, len, arg) == len ? CACHET_OK : CACHET_ERR_IO;
}

cachet_sink cachet_sink_file(FILE *fp) {
    return (cachet_sink){.write = file_write, .close = NULL, .arg = fp};
}

static cachet_status null_write(void *arg, const uint8_t *data, size_t len) {
    return CACHET_OK;
}

cachet_sink cachet_sink_null(void) {
    return (cachet_sink){.write = null_write, .close = NULL, .arg = NULL};
}

cachet_status cachet_sink_write(const cachet_sink *s, const uint8_t *data, size_t len) {
    if (len == 0) {
        return CACHET_OK;
    }
    return s->write(s->arg, data, len);
}

cachet_status cachet_sink_close(const cachet_sink *s) {
    return s->close != NULL ? s->close(s->arg) : CACHET_OK;
}
