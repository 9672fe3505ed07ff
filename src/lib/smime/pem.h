/* pem: PEM armor of raw CMS (RFC 7468 §9 "CMS"; "PKCS7" accepted on input, as
 * OpenSSL and older tools write it), streaming in both directions. Shared by the
 * reading and the generating operations. */
#ifndef CACHET_SMIME_PEM_H
#define CACHET_SMIME_PEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* The label we write: "-----BEGIN CMS-----". */
#define CACHET_PEM_LABEL_CMS "CMS"

/* ---- Writing ---- */
typedef struct cachet_pem_writer cachet_pem_writer;

/* cachet_pem_writer_new writes "-----BEGIN <label>-----\n" to |out| (copied,
 * never closed) and returns a writer that base64-encodes what it is given in
 * lines of 64 characters (RFC 7468 §2) ending in "\n". Returns NULL with |err|
 * set on failure. */
cachet_pem_writer *cachet_pem_writer_new(const char *label, const cachet_sink *out,
                                         cachet_error *err);
cachet_status cachet_pem_writer_update(cachet_pem_writer *w, const uint8_t *data, size_t len,
                                       cachet_error *err);
/* cachet_pem_writer_finish writes the last line and "-----END <label>-----\n". */
cachet_status cachet_pem_writer_finish(cachet_pem_writer *w, cachet_error *err);
/* cachet_pem_writer_sink: a sink that feeds cachet_pem_writer_update (no close). */
cachet_sink cachet_pem_writer_sink(cachet_pem_writer *w);
void cachet_pem_writer_free(cachet_pem_writer *w);

/* ---- Reading ---- */
typedef struct cachet_pem_reader cachet_pem_reader;

/* cachet_pem_reader_new returns a reader that takes PEM text in any chunks and
 * writes the decoded DER/BER to |out| (copied, never closed). Accepted: white
 * space and any text before the BEGIN line (RFC 7468 §5.2), label CMS or PKCS7,
 * CRLF or LF, lines of any length, RFC 1421 headers are refused. Nothing but
 * white space may follow the END line. */
cachet_pem_reader *cachet_pem_reader_new(const cachet_sink *out, cachet_error *err);
/* cachet_pem_reader_update: CACHET_ERR_MALFORMED (bad armor or base64, with the
 * byte offset), or the status of |out|. Sticky. */
cachet_status cachet_pem_reader_update(cachet_pem_reader *r, const uint8_t *data, size_t len,
                                       cachet_error *err);
/* cachet_pem_reader_finish fails unless the END line (matching the BEGIN label) was read. */
cachet_status cachet_pem_reader_finish(cachet_pem_reader *r, cachet_error *err);
void cachet_pem_reader_free(cachet_pem_reader *r);

/* cachet_pem_encode / cachet_pem_decode: one-shot helpers over the above. */
cachet_status cachet_pem_encode(const char *label, const uint8_t *der, size_t len,
                                cachet_membuf *out, cachet_error *err);
cachet_status cachet_pem_decode(const uint8_t *pem, size_t len, cachet_membuf *out,
                                cachet_error *err);

#endif
