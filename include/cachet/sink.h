/* Output sinks: where an operation writes what it produces. */
#ifndef CACHET_SINK_H
#define CACHET_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cachet/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* cachet_sink receives output in chunks. write must consume all |len| bytes or
 * fail; close (may be NULL) is called once when the producer is done. */
typedef struct cachet_sink {
    cachet_status (*write)(void *arg, const uint8_t *data, size_t len);
    cachet_status (*close)(void *arg);
    void *arg;
    /* discard_on_failure: the caller drops everything written here unless
     * cachet_op_finish returns CACHET_OK (say, a temporary file renamed over the
     * target only on success). The reading operations (verify, decrypt,
     * decompress) then write through as they go instead of holding their output
     * until the end; keeping unauthenticated output from anyone is then the
     * caller's promise (DESIGN.md principle 4). Leave it false otherwise. */
    bool discard_on_failure;
} cachet_sink;

/* cachet_membuf is a growable memory buffer with a hard maximum. */
typedef struct cachet_membuf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max; /* 0 means SIZE_MAX */
} cachet_membuf;

/* cachet_sink_membuf returns a sink appending to |buf| (which the caller owns
 * and frees with cachet_membuf_free). */
cachet_sink cachet_sink_membuf(cachet_membuf *buf);
/* cachet_sink_fd returns a sink writing to the file descriptor stored at |fd|. */
cachet_sink cachet_sink_fd(int *fd);
/* cachet_sink_file returns a sink writing to |fp| (not closed by the sink). */
cachet_sink cachet_sink_file(FILE *fp);
/* cachet_sink_null returns a sink that discards everything. */
cachet_sink cachet_sink_null(void);

/* cachet_membuf_free releases the storage of |buf| (NULL accepted). */
void cachet_membuf_free(cachet_membuf *buf);

/* cachet_sink_write calls the sink's write function (no-op for len 0). */
cachet_status cachet_sink_write(const cachet_sink *s, const uint8_t *data, size_t len);
/* cachet_sink_close calls the sink's close function if it has one. */
cachet_status cachet_sink_close(const cachet_sink *s);

#ifdef __cplusplus
}
#endif
#endif
