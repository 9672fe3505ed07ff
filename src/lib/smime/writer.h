/* writer: MIME output framing shared by the generating operations (sign,
 * encrypt, compress).
 *
 * Input: an RFC 5322 message pushed in chunks (or, in raw mode, bytes that are
 * the content as they are). The top-level header is split:
 *  - fields that are not Content-* (From, To, Subject, Date, Message-ID, ...) stay
 *    outside, in their order and with their folding; MIME-Version is dropped and
 *    written once by us ("MIME-Version: 1.0");
 *  - the Content-* fields and the body form the protected MIME entity (RFC 8551
 *    §3.1). Without a Content-Type field, "Content-Type: text/plain;
 *    charset=us-ascii" is added (RFC 2045 §5.2 default).
 *  - Input that does not start with a header field (e.g. plain text) has no
 *    header: all of it is the body. A header ended by a line that is not a header
 *    field (no blank line) ends there; that line starts the body.
 * The entity is written in canonical form (RFC 8551 §3.1.1): every line break is
 * CRLF (mime/'s canonicaliser), except under Content-Transfer-Encoding: binary.
 * Output uses CRLF throughout.
 *
 * 7-bit rule (multipart/signed only, RFC 8551 §3.1.2-3.1.3): part 1 is sent as
 * it was signed, so it must survive 7-bit transport unchanged. A leaf entity in
 * 7bit/8bit (or no) transfer encoding is held in memory, canonical, up to
 * CACHET_SMIME_7BIT_LOOKAHEAD (1 MiB):
 *  - it ends within that and is 7-bit safe (bytes 1..127, CR only in CRLF, lines
 *    <= 998 octets): written as it is ("8bit" relabelled "7bit");
 *  - an unsafe byte or line is seen, or more than 1 MiB comes without a verdict:
 *    it is transfer-encoded from the start, quoted-printable for text/..., base64
 *    for any other type (both are always 7-bit safe, so the decision never
 *    needs the rest of the body);
 *  - Content-Transfer-Encoding: binary is always re-encoded as base64;
 *  - quoted-printable, base64 or unknown encodings and composite types
 *    (multipart/..., message/...) are streamed as they are and checked: an unsafe
 *    byte is CACHET_ERR_UNSUPPORTED (a composite would need its parts encoded;
 *    --opaque signing has no 7-bit requirement), as are 8-bit header fields.
 * Opaque signing, encryption and compression protect the canonical entity
 * without transfer encoding (it travels inside base64 CMS).
 *
 * Boundaries: "=_cachet_" + 32 hex digits of cachet_random (128 bits). "=_"
 * cannot occur in base64 or quoted-printable output, and an unencoded part 1
 * would have to guess 128 random bits to contain the delimiter, so the content
 * never needs to be scanned for it. */
#ifndef CACHET_SMIME_WRITER_H
#define CACHET_SMIME_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mime/mime.h"
#include "smime/internal.h"
#include "smime/pem.h"

#define CACHET_SMIME_7BIT_LOOKAHEAD ((size_t)1 << 20)
/* All header fields of the input message together (one field: max_header_bytes). */
#define CACHET_SMIME_MAX_HEADER_TOTAL ((size_t)1 << 20)
/* CMS bytes written before the MIME header is known (RecipientInfos of up to
 * max_recipients, certificates) are held up to this. */
#define CACHET_SMIME_MAX_GATE ((size_t)16 << 20)

/* ---- Header split ---- */
typedef struct cachet_smime_split {
    size_t max_field;
    cachet_membuf line;     /* the line being read */
    cachet_membuf field;    /* the field being gathered (canonical, with folding) */
    cachet_membuf outer;    /* canonical non-Content-* fields */
    cachet_membuf inner;    /* canonical Content-* fields but Content-Transfer-Encoding */
    cachet_membuf cte_raw;  /* the Content-Transfer-Encoding field as written */
    cachet_membuf leftover; /* a non-header line that ended the header: body */
    cachet_mime_ctype ctype;
    bool has_ctype;
    cachet_mime_cte cte;
    bool has_cte;
    bool done;
    uint64_t offset; /* input bytes consumed */
} cachet_smime_split;

void cachet_smime_split_init(cachet_smime_split *s, size_t max_field);
void cachet_smime_split_free(cachet_smime_split *s);
/* cachet_smime_split_push consumes header bytes and sets |*used| to how many it
 * took; once s->done the rest is body (after s->leftover). */
cachet_status cachet_smime_split_push(cachet_smime_split *s, const uint8_t *data, size_t len,
                                      size_t *used, cachet_error *err);
/* cachet_smime_split_end: end of input while still in the header. */
cachet_status cachet_smime_split_end(cachet_smime_split *s, cachet_error *err);
/* cachet_smime_split_is_text: the entity's type is text/... (default included). */
bool cachet_smime_split_is_text(const cachet_smime_split *s);

/* ---- Entity: canonical form, 7-bit rule, transfer encoding ---- */
typedef enum cachet_smime_enc {
    CACHET_SMIME_ENC_NONE = 0,
    CACHET_SMIME_ENC_QP,
    CACHET_SMIME_ENC_B64,
} cachet_smime_enc;

typedef struct cachet_smime_entity {
    const cachet_smime_split *hdr;
    cachet_sink target;
    bool seven_bit;
    bool canon;   /* convert line breaks (not for binary) */
    bool holding; /* deciding: body kept in |held| */
    bool check;   /* streamed unencoded under the 7-bit rule: verify as it goes */
    cachet_smime_enc enc;
    cachet_mime_canon canon_st;
    cachet_mime_7bit_check check_st;
    cachet_mime_qpenc qp;
    cachet_mime_b64enc b64;
    cachet_membuf held;
    /* Both buffers are made on first use and grown to what the input needs
     * (a 4 KiB message needs a few KiB, not the pieces' full size); |*_used|
     * is how many of their bytes were ever written, all that is wiped. */
    uint8_t *scratch; /* canonical form of one input chunk */
    size_t scratch_cap;
    size_t scratch_used;
    uint8_t *encoded; /* encoder output */
    size_t encoded_cap;
    size_t encoded_used;
    uint64_t offset;
} cachet_smime_entity;

/* cachet_smime_entity_begin starts the entity once the header is split. With
 * |seven_bit| the 7-bit rule above applies. */
cachet_status cachet_smime_entity_begin(cachet_smime_entity *e, const cachet_smime_split *hdr,
                                        bool seven_bit, const cachet_sink *target,
                                        cachet_error *err);
cachet_status cachet_smime_entity_body(cachet_smime_entity *e, const uint8_t *data, size_t len,
                                       cachet_error *err);
cachet_status cachet_smime_entity_finish(cachet_smime_entity *e, cachet_error *err);
void cachet_smime_entity_free(cachet_smime_entity *e);

/* ---- Canonical form without needless copies (shared with the reading side) ----
 * Most input is canonical already (CRLF mail): copying it through the
 * canonicaliser would only cost a pass over every byte
 * (cachet_mime_canon_prefix). */
/* cachet_smime_canon_feed gives the canonical form of |data| (state |c|) to |fn|
 * in order: long canonical runs as they are, the rest converted through |buf|
 * (|buf_cap| >= 2 bytes, pieces of |buf_cap| / 2). Returns the first failure of |fn|. */
cachet_status cachet_smime_canon_feed(cachet_mime_canon *c, uint8_t *buf, size_t buf_cap,
                                      const uint8_t *data, size_t len,
                                      cachet_status (*fn)(void *arg, const uint8_t *d, size_t n),
                                      void *arg);

/* ---- Base64 sink (76-character lines, CRLF) ----
 * Pieces of 12 KiB: few calls downstream, and small enough for the stack. */
#define CACHET_SMIME_B64_PIECE 12288
typedef struct cachet_smime_b64 {
    cachet_mime_b64enc enc;
    const cachet_sink *down;
    uint8_t out[CACHET_MIME_B64ENC_MAX(CACHET_SMIME_B64_PIECE)];
} cachet_smime_b64;
void cachet_smime_b64_init(cachet_smime_b64 *b, const cachet_sink *down);
cachet_sink cachet_smime_b64_sink(cachet_smime_b64 *b);
cachet_status cachet_smime_b64_finish(cachet_smime_b64 *b);

/* ---- Gate: bytes are held until the gate opens, then pass through ---- */
typedef struct cachet_smime_gate {
    const cachet_sink *down;
    cachet_membuf held;
    bool open;
} cachet_smime_gate;
void cachet_smime_gate_init(cachet_smime_gate *g, const cachet_sink *down);
cachet_sink cachet_smime_gate_sink(cachet_smime_gate *g);
cachet_status cachet_smime_gate_open(cachet_smime_gate *g);
void cachet_smime_gate_free(cachet_smime_gate *g);

/* ---- The generating pipeline shared by sign, encrypt and compress ----
 * raw: input bytes go to content() as they are. Otherwise the header is split;
 * begin() writes the framing (cachet_smime_write_header helps) once the header
 * is known, then the entity goes to content(). The entity's header also goes
 * through the MIME parser verify uses, with the context's limits: what a reader
 * would refuse (a multipart without a usable boundary, say) is refused here, so
 * that no message is protected that its recipient cannot open. */
typedef struct cachet_smime_gen {
    bool raw;
    bool seven_bit;
    bool begun;
    cachet_smime_split split;
    cachet_smime_entity entity;
    cachet_mime_limits mlimits;
    cachet_mime_parser *check; /* reads the entity's header as verify will; NULL until then */
    bool entity_checked;       /* that header has been read and passed */
    cachet_status (*begin)(void *arg, cachet_error *err);
    cachet_status (*content)(void *arg, const uint8_t *data, size_t len);
    void *arg;
    cachet_error *err; /* where content() failures are recorded */
} cachet_smime_gen;

void cachet_smime_gen_init(cachet_smime_gen *g, const cachet_ctx *ctx, bool raw, bool seven_bit,
                           cachet_status (*begin)(void *, cachet_error *),
                           cachet_status (*content)(void *, const uint8_t *, size_t), void *arg,
                           cachet_error *err);
cachet_status cachet_smime_gen_update(cachet_smime_gen *g, const uint8_t *data, size_t len);
/* cachet_smime_gen_finish ends the input: the entity is complete after it. */
cachet_status cachet_smime_gen_finish(cachet_smime_gen *g);
void cachet_smime_gen_free(cachet_smime_gen *g);

/* cachet_smime_write_header writes the outer fields of |split|, "MIME-Version:
 * 1.0", then |content_fields| (CRLF-terminated lines) and the blank line. */
cachet_status cachet_smime_write_header(const cachet_sink *out, const cachet_smime_split *split,
                                        const char *content_fields, cachet_error *err);
/* cachet_smime_write_str writes a NUL-terminated string. */
cachet_status cachet_smime_write_str(const cachet_sink *out, const char *s, cachet_error *err);
/* cachet_smime_make_boundary: see above; |out| holds at least 72 bytes. */
cachet_status cachet_smime_make_boundary(char *out, size_t out_size, cachet_error *err);
/* cachet_smime_pkcs7_mime_fields returns the Content-* fields of an
 * application/pkcs7-mime part with |smime_type| ("signed-data"...; NULL: no
 * smime-type parameter, for EncryptedData and DigestedData). */
void cachet_smime_pkcs7_mime_fields(const char *smime_type, char *out, size_t out_size);

/* ---- CMS output: base64 (S/MIME), DER, or PEM ---- */
typedef struct cachet_smime_cms_out {
    cachet_format format;
    bool gated;
    cachet_smime_gate gate;
    cachet_smime_b64 b64;
    cachet_pem_writer *pem;
    cachet_sink b64_sink;
    cachet_sink sink; /* give this to the cms layer */
} cachet_smime_cms_out;

/* cachet_smime_cms_out_init: S/MIME format = gate -> base64 -> |out| (the gate
 * opens after the MIME header is written); DER = |out|; PEM = PEM writer. |co|
 * must not move afterwards. */
cachet_status cachet_smime_cms_out_init(cachet_smime_cms_out *co, cachet_format format,
                                        const cachet_sink *out, cachet_error *err);
cachet_status cachet_smime_cms_out_open(cachet_smime_cms_out *co);
/* cachet_smime_cms_out_finish ends base64 / PEM after the CMS is complete. */
cachet_status cachet_smime_cms_out_finish(cachet_smime_cms_out *co, cachet_error *err);
void cachet_smime_cms_out_free(cachet_smime_cms_out *co);

#endif
