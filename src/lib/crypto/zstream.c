/* Streaming zlib (RFC 1950) for CompressedData (RFC 3274). Decompression limits
 * (size, ratio) belong to the caller, which reads the totals. */
#include <limits.h>

#include <zlib.h>

#include "crypto/internal.h"

#define ZSCRATCH (64u * 1024u)

struct cachet_zstream {
    z_stream zs;
    bool compress;
    bool initialised;
    bool ended;  /* decompress: Z_STREAM_END seen */
    bool failed; /* a previous call failed: the stream state is unusable */
    uint64_t total_in;
    uint64_t total_out;
    uint8_t *scratch;
};

/* zlib allocates through cachet too: one place for fault injection and counting */
static voidpf zs_alloc(voidpf opaque, uInt items, uInt size) {
    return cachet_calloc(items, size);
}

static void zs_free(voidpf opaque, voidpf p) {
    cachet_free(p);
}

cachet_zstream *cachet_zstream_new(bool compress, cachet_error *err) {
    cachet_zstream *z = cachet_calloc(1, sizeof(*z));
    if (z != NULL) {
        z->scratch = cachet_malloc(ZSCRATCH);
    }
    if (z == NULL || z->scratch == NULL) {
        cachet_zstream_free(z);
        cachet_err_set(err, CACHET_ERR_NOMEM, "zlib", -1, "out of memory");
        return NULL;
    }
    z->compress = compress;
    z->zs.zalloc = zs_alloc;
    z->zs.zfree = zs_free;
    int rc = compress ? deflateInit(&z->zs, Z_DEFAULT_COMPRESSION) : inflateInit(&z->zs);
    if (rc != Z_OK) {
        cachet_err_set(err, rc == Z_MEM_ERROR ? CACHET_ERR_NOMEM : CACHET_ERR_INTERNAL, "zlib", -1,
                       "zlib initialisation failed: %s", z->zs.msg ? z->zs.msg : "?");
        cachet_zstream_free(z);
        return NULL;
    }
    z->initialised = true;
    return z;
}

static cachet_status emit(cachet_zstream *z, const cachet_sink *sink, cachet_error *err) {
    size_t produced = ZSCRATCH - z->zs.avail_out;
    if (produced == 0) {
        return CACHET_OK;
    }
    z->total_out += produced;
    cachet_status st = cachet_sink_write(sink, z->scratch, produced);
    if (st != CACHET_OK) {
        return cachet_err_set(err, st, "zlib", -1, "output sink refused %zu bytes", produced);
    }
    return CACHET_OK;
}

static cachet_status zfail(cachet_zstream *z, cachet_error *err, cachet_status st,
                           const char *what) {
    z->failed = true;
    return cachet_err_set(err, st, "zlib", (long long)z->total_in, "%s%s%s", what,
                          z->zs.msg != NULL ? ": " : "", z->zs.msg != NULL ? z->zs.msg : "");
}

/* run drives deflate/inflate over the pending input with |flush|. */
static cachet_status run(cachet_zstream *z, int flush, const cachet_sink *sink, cachet_error *err) {
    for (;;) {
        z->zs.next_out = z->scratch;
        z->zs.avail_out = ZSCRATCH;
        uInt before = z->zs.avail_in;
        int rc = z->compress ? deflate(&z->zs, flush) : inflate(&z->zs, Z_NO_FLUSH);
        z->total_in += before - z->zs.avail_in;
        cachet_status st = emit(z, sink, err);
        if (st != CACHET_OK) {
            z->failed = true;
            return st;
        }
        if (rc == Z_STREAM_END) {
            z->ended = true;
            if (!z->compress && z->zs.avail_in > 0) {
                return zfail(z, err, CACHET_ERR_MALFORMED, "trailing data after zlib stream");
            }
            return CACHET_OK;
        }
        if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR) {
            return zfail(z, err, CACHET_ERR_MALFORMED, "corrupt zlib stream");
        }
        if (rc == Z_MEM_ERROR) {
            return zfail(z, err, CACHET_ERR_NOMEM, "zlib out of memory");
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return zfail(z, err, CACHET_ERR_INTERNAL, "zlib failed");
        }
        /* Z_BUF_ERROR only means no progress was possible: input is exhausted. */
        if (z->zs.avail_in == 0 && z->zs.avail_out != 0 && flush != Z_FINISH) {
            return CACHET_OK;
        }
        if (rc == Z_BUF_ERROR && z->zs.avail_out != 0) {
            return CACHET_OK;
        }
    }
}

cachet_status cachet_zstream_update(cachet_zstream *z, const uint8_t *in, size_t len,
                                    const cachet_sink *sink, cachet_error *err) {
    if (z == NULL || z->failed || (z->compress && z->ended)) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "zlib", -1, "stream is finished or failed");
    }
    while (len > 0) {
        if (z->ended) {
            return zfail(z, err, CACHET_ERR_MALFORMED, "trailing data after zlib stream");
        }
        uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;
        z->zs.next_in = (Bytef *)in;
        z->zs.avail_in = n;
        cachet_status st = run(z, Z_NO_FLUSH, sink, err);
        z->zs.next_in = NULL;
        z->zs.avail_in = 0;
        if (st != CACHET_OK) {
            return st;
        }
        in += n;
        len -= n;
    }
    return CACHET_OK;
}

cachet_status cachet_zstream_finish(cachet_zstream *z, const cachet_sink *sink, cachet_error *err) {
    if (z == NULL || z->failed) {
        return cachet_err_set(err, CACHET_ERR_USAGE, "zlib", -1, "stream failed earlier");
    }
    if (!z->compress) {
        if (!z->ended) {
            return zfail(z, err, CACHET_ERR_MALFORMED, "truncated zlib stream");
        }
        return CACHET_OK;
    }
    if (z->ended) {
        return CACHET_OK;
    }
    z->zs.next_in = NULL;
    z->zs.avail_in = 0;
    return run(z, Z_FINISH, sink, err);
}

uint64_t cachet_zstream_total_in(const cachet_zstream *z) {
    return z != NULL ? z->total_in : 0;
}

uint64_t cachet_zstream_total_out(const cachet_zstream *z) {
    return z != NULL ? z->total_out : 0;
}

void cachet_zstream_free(cachet_zstream *z) {
    if (z == NULL) {
        return;
    }
    if (z->initialised) {
        if (z->compress) {
            deflateEnd(&z->zs);
        } else {
            inflateEnd(&z->zs);
        }
    }
    cachet_free(z->scratch);
    cachet_free(z);
}
