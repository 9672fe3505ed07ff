/* mime: a one-pass streaming MIME parser (RFC 5322, 2045, 2046, 1847) with hard
 * limits and an anomaly bitmask, header utilities (Content-Type, parameters with
 * RFC 2231, Content-Disposition, Content-Transfer-Encoding, From addresses),
 * streaming codecs (base64, quoted-printable, CRLF canonical form) and writer
 * helpers. Knows nothing of CMS. Never calls RAND: randomness is an input.
 *
 * Part paths: the top-level entity is "", its children "1", "2", ..., their
 * children "1.1", "1.2", ... An encapsulated message/rfc822 that is descended into
 * is the single child of its message part ("2" -> "2.1"), as in IMAP. */
#ifndef CACHET_MIME_MIME_H
#define CACHET_MIME_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* ---- Anomalies: tolerated oddities, recorded as bits -----------------------
 * Anything ambiguous enough that two readers could disagree is an error
 * (CACHET_ERR_MALFORMED) instead; see cachet_mime_parser_update. */
#define CACHET_MIME_ANOM_NO_MIME_VERSION (1u << 0)    /* top-level header lacks MIME-Version */
#define CACHET_MIME_ANOM_BARE_LF (1u << 1)            /* a line ended in LF without CR */
#define CACHET_MIME_ANOM_NO_BLANK_LINE (1u << 2)      /* non-header line or EOF in a header line */
#define CACHET_MIME_ANOM_HEADER_WSP_COLON (1u << 3)   /* obsolete "Name :" form */
#define CACHET_MIME_ANOM_HEADER_8BIT (1u << 4)        /* 8-bit byte in a header value */
#define CACHET_MIME_ANOM_HEADER_NUL (1u << 5)         /* NUL or bare CR in a header value */
#define CACHET_MIME_ANOM_BAD_CONTENT_TYPE (1u << 6)   /* unparsable Content-Type: text/plain used */
#define CACHET_MIME_ANOM_DUP_PARAM (1u << 7)          /* a parameter given twice (first kept) */
#define CACHET_MIME_ANOM_PARAM_2231 (1u << 8)         /* RFC 2231 extended/continued parameter */
#define CACHET_MIME_ANOM_PARAM_ENCODED_WORD (1u << 9) /* "=?" in a parameter (not decoded) */
#define CACHET_MIME_ANOM_PARAM_CHARSET (1u << 10)     /* RFC 2231 charset not converted/invalid */
#define CACHET_MIME_ANOM_BOUNDARY_PADDING (1u << 11)  /* whitespace after a boundary delimiter */
#define CACHET_MIME_ANOM_BOUNDARY_CHARS (1u << 12)    /* boundary has characters outside bchars */
#define CACHET_MIME_ANOM_PREAMBLE (1u << 13)          /* a multipart has a non-empty preamble */
#define CACHET_MIME_ANOM_EPILOGUE (1u << 14)          /* a multipart has a non-empty epilogue */
#define CACHET_MIME_ANOM_UNKNOWN_CTE (1u << 15)       /* unknown transfer encoding (not decoded) */
#define CACHET_MIME_ANOM_QP_LOWERCASE (1u << 16)      /* quoted-printable "=3d" (accepted) */
#define CACHET_MIME_ANOM_EMPTY_PART (1u << 17)        /* body part with neither headers nor body */
#define CACHET_MIME_ANOM_LONG_LINE (1u << 18)         /* a line longer than 998 octets */
#define CACHET_MIME_ANOM_CTE_ON_LEAF_MULTI (1u << 19) /* a not-descended composite has a CTE */
#define CACHET_MIME_ANOM_HTTP_START_LINE (1u << 20)   /* an AS2 HTTP request/status line first */

/* ---- Content-Transfer-Encoding -------------------------------------------- */
typedef enum cachet_mime_cte {
    CACHET_MIME_CTE_7BIT = 0, /* also the default when the field is absent */
    CACHET_MIME_CTE_8BIT,
    CACHET_MIME_CTE_BINARY,
    CACHET_MIME_CTE_QP,
    CACHET_MIME_CTE_BASE64,
    CACHET_MIME_CTE_UNKNOWN /* anything else: the body is not decoded */
} cachet_mime_cte;

/* cachet_mime_parse_cte maps a Content-Transfer-Encoding value (case-insensitive,
 * surrounding whitespace and RFC 5322 comments ignored) to its enum. */
cachet_mime_cte cachet_mime_parse_cte(const char *value, size_t len);
/* cachet_mime_cte_name returns "7bit", "8bit", "binary", "quoted-printable",
 * "base64" or "unknown" (static storage). */
const char *cachet_mime_cte_name(cachet_mime_cte cte);

/* ---- Parameters, Content-Type, Content-Disposition -------------------------- */
typedef struct cachet_mime_param {
    char *name;       /* lowercased, without any RFC 2231 "*n*" suffix */
    char *value;      /* quotes removed; RFC 2231 segments joined and decoded (see below) */
    size_t value_len; /* value may hold NUL after %00 decoding: use this length */
    char *charset;    /* RFC 2231 charset as given, lowercased, or NULL */
    char *language;   /* RFC 2231 language as given, or NULL */
    bool rfc2231;     /* value came from name* or name*0... forms */
    bool duplicated;  /* the name appeared more than once (in any form) */
} cachet_mime_param;

typedef struct cachet_mime_params {
    cachet_mime_param *items;
    size_t count;
} cachet_mime_params;

/* cachet_mime_params_get returns the value of parameter |name| (ASCII
 * case-insensitive) or NULL. With duplicates the first one is returned. */
const char *cachet_mime_params_get(const cachet_mime_params *params, const char *name);
/* cachet_mime_params_find returns the parameter |name| (case-insensitive) or NULL. */
const cachet_mime_param *cachet_mime_params_find(const cachet_mime_params *params,
                                                 const char *name);

typedef struct cachet_mime_ctype {
    char *type;    /* lowercased, e.g. "multipart" */
    char *subtype; /* lowercased, e.g. "signed" */
    cachet_mime_params params;
    unsigned anomalies; /* CACHET_MIME_ANOM_DUP_PARAM, _PARAM_2231, _PARAM_ENCODED_WORD,
                           _PARAM_CHARSET seen while parsing */
} cachet_mime_ctype;

/* cachet_mime_parse_content_type parses an unfolded Content-Type value: type "/"
 * subtype then ";"-separated parameters (tokens or quoted strings, RFC 5322
 * comments and whitespace allowed between tokens). RFC 2231: "name*" values are
 * percent-decoded, "name*0", "name*1"... continuations (plain or "*n*" encoded) are
 * joined in numeric order; the charset of an encoded value is converted to UTF-8
 * when it is utf-8 (kept, invalid UTF-8 flagged), us-ascii (8-bit bytes flagged) or
 * iso-8859-1; any other charset leaves the decoded bytes as they are and sets
 * CACHET_MIME_ANOM_PARAM_CHARSET. Encoded words (RFC 2047) are never decoded.
 * A parameter given both plainly and in RFC 2231 form, or twice, counts as a
 * duplicate (first kept, CACHET_MIME_ANOM_DUP_PARAM).
 * On success |out| is filled (free with cachet_mime_ctype_clear). On failure
 * (CACHET_ERR_MALFORMED: syntax, gaps in continuations; CACHET_ERR_LIMIT: more
 * than 64 parameters or segments, value over 64 KiB; CACHET_ERR_NOMEM) |out| is
 * left zeroed and |err| (may be NULL) says why. */
cachet_status cachet_mime_parse_content_type(const char *value, size_t len, cachet_mime_ctype *out,
                                             cachet_error *err);
/* cachet_mime_ctype_clear frees what |ct| owns and zeroes it (NULL accepted). */
void cachet_mime_ctype_clear(cachet_mime_ctype *ct);
/* cachet_mime_ctype_is is true if |ct| is |type|/|subtype| (case-insensitive). */
bool cachet_mime_ctype_is(const cachet_mime_ctype *ct, const char *type, const char *subtype);

typedef struct cachet_mime_disposition {
    char *type; /* lowercased: "inline", "attachment", ... */
    cachet_mime_params params;
    unsigned anomalies;
} cachet_mime_disposition;

/* cachet_mime_parse_disposition parses a Content-Disposition value (RFC 2183):
 * a token then parameters, with the same rules and failures as
 * cachet_mime_parse_content_type. Free with cachet_mime_disposition_clear. */
cachet_status cachet_mime_parse_disposition(const char *value, size_t len,
                                            cachet_mime_disposition *out, cachet_error *err);
void cachet_mime_disposition_clear(cachet_mime_disposition *d);

/* ---- Addresses (RFC 5322 §3.4) --------------------------------------------
 * For ID-01/ID-03: the identity is the parsed addr-spec, never a display name. */
typedef struct cachet_mime_mailbox {
    char *display;   /* display name: quotes/quoted-pairs removed, comments dropped,
                        whitespace collapsed; encoded words NOT decoded; "" if none */
    char *local;     /* local part, quotes and quoted-pairs removed */
    char *domain;    /* domain as written (case kept; a domain-literal keeps its []) */
    char *addr_spec; /* local "@" domain, local re-quoted when it is not a dot-atom */
} cachet_mime_mailbox;

typedef struct cachet_mime_mailbox_list {
    cachet_mime_mailbox *items;
    size_t count;  /* mailboxes, including those inside groups */
    size_t groups; /* groups seen ("undisclosed-recipients:;" counts, with 0 members) */
} cachet_mime_mailbox_list;

/* cachet_mime_parse_mailboxes parses an unfolded address-list / mailbox-list value
 * (From, Sender, To...): name-addr with angle brackets, bare addr-spec, quoted
 * local parts, comments, groups, obsolete routes (<@a,@b:x@y>: route dropped);
 * 8-bit bytes in atoms are taken as RFC 6532 UTF-8.
 * A caller refusing several mailboxes in From (ID-03) checks |out|->count != 1.
 * Failure: CACHET_ERR_MALFORMED (syntax, empty local part or domain, a domain
 * ending in '.', control bytes or NUL anywhere), CACHET_ERR_LIMIT (value over
 * 16 KiB or more than 1000 mailboxes), CACHET_ERR_NOMEM; |out| is then left
 * zeroed. Free with cachet_mime_mailbox_list_clear (NULL accepted). */
cachet_status cachet_mime_parse_mailboxes(const char *value, size_t len,
                                          cachet_mime_mailbox_list *out, cachet_error *err);
void cachet_mime_mailbox_list_clear(cachet_mime_mailbox_list *list);

/* cachet_mime_addr_equal compares two addr-specs "local@domain" (split at the last
 * '@'): local parts byte for byte, domains ASCII case-insensitively. No other
 * normalisation (a trailing dot makes a different domain). False if either lacks
 * an '@' or has an empty side. */
bool cachet_mime_addr_equal(const char *a, const char *b);

/* ---- Streaming parser -------------------------------------------------------- */
typedef struct cachet_mime_limits {
    size_t max_header_field; /* bytes of one header field, folding included; default 64 KiB */
    size_t max_header_total; /* bytes of all header fields of one part; default 256 KiB */
    size_t max_depth;        /* nesting depth, top level = 0; default 32, at most 64 */
    size_t max_parts;        /* entities in the message, top level included; default 10000 */
    size_t max_boundary;     /* boundary length, RFC 2046 allows 1..70; default 70, at most 70 */
} cachet_mime_limits;

/* cachet_mime_limits_default fills |l| with the defaults above. */
void cachet_mime_limits_default(cachet_mime_limits *l);

/* What the parser learnt from the header of one part, valid during the callback. */
typedef struct cachet_mime_part_info {
    const char *path;               /* "", "1", "1.2" ... */
    size_t depth;                   /* 0 for the top level */
    const cachet_mime_ctype *ctype; /* parsed, or the default (text/plain; charset=us-ascii,
                                       message/rfc822 inside multipart/digest) */
    bool ctype_present;             /* a Content-Type field was there and parsed */
    cachet_mime_cte cte;
    const char *boundary; /* the boundary of a multipart, else NULL */
    unsigned anomalies;   /* anomalies found in this part's header */
} cachet_mime_part_info;

/* Every callback may be NULL. A callback returning other than CACHET_OK stops the
 * parser: update/finish return that status (the detail names the part). |path|
 * strings and data pointers are valid only during the call. */
typedef struct cachet_mime_callbacks {
    void *arg;
    /* header: one complete field of part |path|: |name| as written (NUL-terminated),
     * |value| unfolded (line breaks of folding removed, leading/trailing whitespace
     * trimmed; NUL-terminated, but may contain NUL: use value_len), |raw| the exact
     * bytes of the field including its final line break. */
    cachet_status (*header)(void *arg, const char *path, const char *name, const char *value,
                            size_t value_len, const uint8_t *raw, size_t raw_len);
    /* headers_end: the header of a part is complete. |*descend| comes in true for a
     * multipart (and for message/rfc822, message/global only with
     * CACHET_MIME_DESCEND_MESSAGE); the callback may set it false to have the part
     * treated as a leaf (its body then arrives raw through body). Setting it true
     * for anything else is ignored. */
    cachet_status (*headers_end)(void *arg, const cachet_mime_part_info *info, bool *descend);
    /* body: body bytes of a leaf part, |raw| as in the input and |decoded| after the
     * transfer encoding (identity for 7bit/8bit/binary, empty for unknown). The two
     * are not aligned: a call may carry raw bytes and no decoded ones, or (at part
     * end) decoded bytes and no raw ones. The line break before a boundary
     * delimiter is not body. Line endings are passed as they are (not canonicalised). */
    cachet_status (*body)(void *arg, const char *path, const uint8_t *raw, size_t raw_len,
                          const uint8_t *decoded, size_t decoded_len);
    /* part_raw: the exact bytes of entity |path| (header, blank line and body), in
     * order, in chunks: for a body part of a multipart, everything after the line
     * break ending the delimiter line up to (excluding) the line break before the
     * next delimiter (RFC 2046 §5.1.1, RFC 1847 §2.1). Called for every enclosing
     * entity too, so a byte of part "1.2" goes to "", "1" and "1.2". Delimiter lines
     * belong to the multipart that owns them. A part's header bytes (and its blank
     * line) are all delivered before its headers_end; the header callback of a
     * field may come before or after that field's raw bytes. */
    cachet_status (*part_raw)(void *arg, const char *path, const uint8_t *data, size_t len);
    /* preamble / epilogue: text of multipart |path| before its first delimiter line
     * (excluding the line break before it) / after its close-delimiter line (from
     * after that line's line break). Non-empty ones also set anomaly bits. */
    cachet_status (*preamble)(void *arg, const char *path, const uint8_t *data, size_t len);
    cachet_status (*epilogue)(void *arg, const char *path, const uint8_t *data, size_t len);
    /* part_end: part |path| is complete (after all its children and data). */
    cachet_status (*part_end)(void *arg, const char *path);
    unsigned flags; /* CACHET_MIME_DESCEND_MESSAGE */
} cachet_mime_callbacks;

/* Descend into message/rfc822 and message/global (identity encodings only). */
#define CACHET_MIME_DESCEND_MESSAGE (1u << 0)

typedef struct cachet_mime_parser cachet_mime_parser;

/* cachet_mime_parser_new returns a parser using |limits| (NULL = defaults; values
 * over the documented maxima are clamped, zeros replaced by defaults) and a copy of
 * |cb|, or NULL when out of memory. Free with cachet_mime_parser_free. */
cachet_mime_parser *cachet_mime_parser_new(const cachet_mime_limits *limits,
                                           const cachet_mime_callbacks *cb);
/* cachet_mime_parser_free releases |p| (NULL accepted). */
void cachet_mime_parser_free(cachet_mime_parser *p);

/* cachet_mime_parser_update feeds |len| bytes; any chunking gives the same events
 * (data events may be split differently). Line breaks may be CRLF or bare LF; a
 * bare CR is an ordinary byte. Errors (sticky: later calls return the same status):
 *  CACHET_ERR_LIMIT a limit was exceeded (detail: which, part path, offset);
 *  CACHET_ERR_MALFORMED invalid base64 or quoted-printable, a multipart without a
 *    usable boundary (missing, duplicated, RFC 2231 form, over 70 or empty), a
 *    boundary line with text after the delimiter, a delimiter after the
 *    close-delimiter, a multipart without parts, two Content-Type or two
 *    Content-Transfer-Encoding fields in one part, a transfer encoding other than
 *    7bit/8bit/binary on a descended composite;
 *  or the status a callback returned, or CACHET_ERR_NOMEM. */
cachet_status cachet_mime_parser_update(cachet_mime_parser *p, const uint8_t *data, size_t len);
/* cachet_mime_parser_finish ends the input: closes every open part, in order.
 * A multipart without its close-delimiter (RFC 1847 safety) and base64 ending
 * mid-quantum are CACHET_ERR_MALFORMED. A header ended by end of input or by a
 * delimiter is fine (a part may have no body); NO_BLANK_LINE is set when the input
 * ends inside a header line. Calling it twice or updating afterwards is
 * CACHET_ERR_USAGE. */
cachet_status cachet_mime_parser_finish(cachet_mime_parser *p);
/* cachet_mime_parser_error returns the detail of the failure (status CACHET_OK if none). */
const cachet_error *cachet_mime_parser_error(const cachet_mime_parser *p);
/* cachet_mime_parser_anomalies returns the CACHET_MIME_ANOM_* bits seen so far. */
unsigned cachet_mime_parser_anomalies(const cachet_mime_parser *p);

/* ---- Streaming codecs --------------------------------------------------------
 * Each codec is a small state struct the caller owns (no allocation). update
 * writes into |out|, which must hold the documented maximum for |len|. */

/* Base64 decoding (RFC 2045 §6.8): CR, LF, space and tab are skipped; any other
 * byte outside the alphabet, '=' out of place, base64 data after the padding,
 * non-zero padding bits or input ending mid-quantum is an error. */
typedef struct cachet_mime_b64dec {
    uint32_t acc;
    uint8_t n;   /* characters in acc */
    uint8_t pad; /* '=' seen */
    bool done;   /* padding completed the data */
    bool failed;
} cachet_mime_b64dec;
#define CACHET_MIME_B64DEC_MAX(len) (((len) / 4 + 1) * 3)
void cachet_mime_b64dec_init(cachet_mime_b64dec *d);
/* cachet_mime_b64dec_update decodes |in| into |out| (CACHET_MIME_B64DEC_MAX(len)
 * bytes) and sets |*out_len|; false on invalid input (sticky). */
bool cachet_mime_b64dec_update(cachet_mime_b64dec *d, const uint8_t *in, size_t len, uint8_t *out,
                               size_t *out_len);
/* cachet_mime_b64dec_finish is false when the input ended mid-quantum or failed. */
bool cachet_mime_b64dec_finish(cachet_mime_b64dec *d);

/* Base64 encoding: lines of 76 characters ended by CRLF; the output of a
 * non-empty input always ends with CRLF. */
typedef struct cachet_mime_b64enc {
    uint8_t buf[3];
    uint8_t n;
    size_t col;
} cachet_mime_b64enc;
#define CACHET_MIME_B64ENC_MAX(len) ((((len) + 2) / 3) * 4 + ((((len) + 2) / 3) * 4 / 76 + 2) * 2)
#define CACHET_MIME_B64ENC_FINISH_MAX 8
void cachet_mime_b64enc_init(cachet_mime_b64enc *e);
/* cachet_mime_b64enc_update returns the bytes written to |out| (CACHET_MIME_B64ENC_MAX(len)). */
size_t cachet_mime_b64enc_update(cachet_mime_b64enc *e, const uint8_t *in, size_t len,
                                 uint8_t *out);
/* cachet_mime_b64enc_finish writes the last quantum and line break
 * (CACHET_MIME_B64ENC_FINISH_MAX bytes at most) and returns the count. */
size_t cachet_mime_b64enc_finish(cachet_mime_b64enc *e, uint8_t *out);

/* Quoted-printable decoding (RFC 2045 §6.7): "=XX" (lowercase hex accepted and
 * flagged in |lowercase|), soft line breaks "=" [whitespace] CRLF|LF, trailing
 * whitespace before a line break removed (as rule 3 requires), line breaks kept as
 * they are (CRLF or LF). "=" followed by anything else is an error. A final "="
 * at end of input is a soft break. Whitespace runs longer than
 * CACHET_MIME_QP_MAX_WS are passed through (not trailing-stripped). */
#define CACHET_MIME_QP_MAX_WS 256
typedef struct cachet_mime_qpdec {
    uint8_t st;
    uint8_t hex;
    bool lowercase;
    bool failed;
    size_t ws_len;
    uint8_t ws[CACHET_MIME_QP_MAX_WS];
} cachet_mime_qpdec;
#define CACHET_MIME_QPDEC_MAX(len) ((len) + CACHET_MIME_QP_MAX_WS + 4)
void cachet_mime_qpdec_init(cachet_mime_qpdec *d);
/* cachet_mime_qpdec_update decodes into |out| (CACHET_MIME_QPDEC_MAX(len)); false
 * on invalid input (sticky). */
bool cachet_mime_qpdec_update(cachet_mime_qpdec *d, const uint8_t *in, size_t len, uint8_t *out,
                              size_t *out_len);
/* cachet_mime_qpdec_finish flushes (out: CACHET_MIME_QPDEC_MAX(0)); false when the
 * input ended inside "=X" or failed earlier. */
bool cachet_mime_qpdec_finish(cachet_mime_qpdec *d, uint8_t *out, size_t *out_len);

/* Quoted-printable encoding, safe for 7-bit transport: bytes outside 33..126, '='
 * and whitespace before a line break are "=XX" (uppercase); 'F' and '.' at the
 * start of an output line are encoded (=46, =2E: no "From " or lone "." lines);
 * output lines are at most 76 characters (soft breaks "=" CRLF). In text mode
 * CRLF and bare LF in the input are hard line breaks written as CRLF; otherwise
 * (binary) CR and LF are encoded. No line break is added at the end. */
typedef struct cachet_mime_qpenc {
    size_t col;
    bool text;
    bool pend_cr; /* text mode: a CR waiting to see if LF follows */
    int pend_ws;  /* a space or tab waiting to see if a line break follows, or -1 */
} cachet_mime_qpenc;
#define CACHET_MIME_QPENC_MAX(len) (6 * ((len) + 2) + 8)
void cachet_mime_qpenc_init(cachet_mime_qpenc *e, bool text);
size_t cachet_mime_qpenc_update(cachet_mime_qpenc *e, const uint8_t *in, size_t len, uint8_t *out);
/* cachet_mime_qpenc_finish: out must hold CACHET_MIME_QPENC_MAX(0) bytes. */
size_t cachet_mime_qpenc_finish(cachet_mime_qpenc *e, uint8_t *out);

/* Canonical form for signing (RFC 8551 §3.1.1): every bare LF becomes CRLF,
 * CRLF stays, a bare CR stays; a CR at the end of one chunk followed by LF at the
 * start of the next is one CRLF. No finish is needed. */
typedef struct cachet_mime_canon {
    bool last_cr;
} cachet_mime_canon;
#define CACHET_MIME_CANON_MAX(len) (2 * (len))
void cachet_mime_canon_init(cachet_mime_canon *c);
/* cachet_mime_canon_update returns the bytes written to |out| (2*len at most). */
size_t cachet_mime_canon_update(cachet_mime_canon *c, const uint8_t *in, size_t len, uint8_t *out);
/* cachet_mime_canon_prefix returns how many leading bytes of |data| are already
 * their own canonical form given |c| (no LF without a CR before it), so that a
 * caller may pass them on without a copy; cachet_mime_canon_skip then records
 * that those |len| bytes went by. */
size_t cachet_mime_canon_prefix(const cachet_mime_canon *c, const uint8_t *data, size_t len);
void cachet_mime_canon_skip(cachet_mime_canon *c, const uint8_t *data, size_t len);

/* ---- Writer helpers ---------------------------------------------------------- */

/* cachet_mime_header_name_valid: 1..76 printable ASCII bytes (33..126), no ':'. */
bool cachet_mime_header_name_valid(const char *name, size_t len);
/* cachet_mime_header_value_valid: no CR, LF, NUL or other control byte except
 * HTAB, no DEL; bytes >= 0x80 only when |allow_8bit| (RFC 6532 UTF-8 headers).
 * This is the check against header injection. */
bool cachet_mime_header_value_valid(const char *value, size_t len, bool allow_8bit);

/* cachet_mime_write_header appends "Name: value" CRLF to |out|, folded before
 * whitespace so that lines stay within 78 columns where the value allows it (a
 * word longer than that stays whole on its own line). Fails with CACHET_ERR_USAGE
 * when name or value is invalid (see the checks above; 8-bit allowed), with
 * CACHET_ERR_LIMIT when a line would exceed 998 octets, CACHET_ERR_NOMEM when |out|
 * cannot grow; |out| is then unchanged. */
cachet_status cachet_mime_write_header(cachet_membuf *out, const char *name, const char *value,
                                       cachet_error *err);

/* cachet_mime_make_boundary writes "=_cachet_" followed by the hex of |rnd|
 * (8..30 bytes of caller-supplied randomness) and a NUL into |out| (at least
 * 71 bytes). "=_" cannot occur in base64 or quoted-printable output, so the
 * boundary cannot collide with an encoded body. False on bad sizes. */
bool cachet_mime_make_boundary(const uint8_t *rnd, size_t rnd_len, char *out, size_t out_size);

/* Streaming "7-bit safe" check (RFC 5322/5321 transport): bytes 1..127 only,
 * CR only in CRLF, LF only after CR, lines at most 998 octets before CRLF. */
typedef struct cachet_mime_7bit_check {
    size_t line_len;
    bool prev_cr;
    bool ok;
} cachet_mime_7bit_check;
void cachet_mime_7bit_init(cachet_mime_7bit_check *c);
void cachet_mime_7bit_update(cachet_mime_7bit_check *c, const uint8_t *data, size_t len);
/* cachet_mime_7bit_result: true if everything seen was 7-bit safe (a trailing
 * lone CR is not). */
bool cachet_mime_7bit_result(const cachet_mime_7bit_check *c);
/* cachet_mime_is_7bit_safe is the one-shot form. */
bool cachet_mime_is_7bit_safe(const uint8_t *data, size_t len);

/* ---- Parser: leaving a body undecoded (issue 6) -------------------------------
 * cachet_mime_parser_skip_decode, called from a headers_end callback, asks that
 * the part whose header just ended, if it is a leaf, not be decoded: its body
 * callbacks then carry the raw bytes only (decoded_len 0) and its transfer
 * encoding is not checked (invalid base64 or quoted-printable is no error, and
 * CACHET_MIME_ANOM_QP_LOWERCASE is not noted for it). For a caller that passes
 * such a part on as it is and would otherwise pay for decoding it. No effect
 * outside headers_end or on a part that is descended into. */
void cachet_mime_parser_skip_decode(cachet_mime_parser *p);

#endif
