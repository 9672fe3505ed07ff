/* mime/: private declarations shared by the module's files. */
#ifndef CACHET_MIME_INTERNAL_H
#define CACHET_MIME_INTERNAL_H

#include "mime/mime.h"

/* RFC 5322 lexing over a (value, len) string; |*pos| advances. */

/* cachet_mime_skip_cfws skips whitespace, line breaks and nested comments (with
 * quoted-pairs); false on an unterminated comment or nesting deeper than 32. */
bool cachet_mime_skip_cfws(const char *s, size_t len, size_t *pos);
/* cachet_mime_read_quoted reads a quoted-string starting at s[*pos] == '"' into
 * |out| (quotes and backslashes of quoted-pairs removed); false if unterminated
 * or on allocation failure. */
bool cachet_mime_read_quoted(const char *s, size_t len, size_t *pos, cachet_membuf *out);
/* cachet_mime_is_wsp: space or tab. */
bool cachet_mime_is_wsp(int c);
/* cachet_mime_lower: ASCII lowercase of one byte. */
int cachet_mime_lower(int c);
/* cachet_mime_strndup_lower copies |n| bytes, lowercased, NUL-terminated. */
char *cachet_mime_strndup(const char *s, size_t n, bool lower);
/* cachet_mime_case_eq: ASCII case-insensitive comparison of (a, an) with NUL-terminated b. */
bool cachet_mime_case_eq(const char *a, size_t an, const char *b);

/* cachet_mime_params_parse parses ";"-separated parameters from s[*pos..len)
 * into |out| with RFC 2231 handling, OR-ing anomaly bits into |*anom|. */
cachet_status cachet_mime_params_parse(const char *s, size_t len, size_t pos,
                                       cachet_mime_params *out, unsigned *anom, cachet_error *err);
void cachet_mime_params_clear(cachet_mime_params *p);

/* ---- Parser internals (parser.c: line and delimiter engine, frames, output;
 * parser_hdr.c: header fields and the end of a part's header) ---- */
#define CACHET_MIME_PATH_MAX 512
#define CACHET_MIME_BATCH 16384
/* pieces at least this long are delivered without a copy when no batch is open */
#define CACHET_MIME_DIRECT_MIN 1024
#define CACHET_MIME_DELIM_TAIL_MAX 1000

enum {
    CACHET_MIME_F_HDR,
    CACHET_MIME_F_BODY,
    CACHET_MIME_F_PREAMBLE,
    CACHET_MIME_F_CHILD,
    CACHET_MIME_F_EPILOGUE
};
enum { CACHET_MIME_K_LEAF, CACHET_MIME_K_MULTI, CACHET_MIME_K_MESSAGE };
enum { CACHET_MIME_OUT_RAW, CACHET_MIME_OUT_BODY, CACHET_MIME_OUT_PRE, CACHET_MIME_OUT_EPI };

typedef struct cachet_mime_frame {
    char path[CACHET_MIME_PATH_MAX];
    size_t depth;
    int state;
    int kind;
    char boundary[72];
    size_t blen;
    size_t children;
    bool digest;          /* multipart/digest: children default to message/rfc822 */
    bool default_message; /* this part's default type is message/rfc822 */
    cachet_mime_cte cte;
    cachet_mime_b64dec b64;
    cachet_mime_qpdec qp;
    bool no_decode; /* cachet_mime_parser_skip_decode asked for this leaf */
    unsigned long long nbytes;
} cachet_mime_frame;

struct cachet_mime_parser {
    cachet_mime_limits lim;
    cachet_mime_callbacks cb;
    cachet_error err;
    unsigned anomalies;
    bool failed;
    bool finished;
    long long off;
    cachet_mime_frame *frames;
    size_t nframes;
    size_t parts;
    /* line engine */
    int ls;
    uint8_t held[2];
    size_t held_len;
    bool held_close; /* the held line break ended a close-delimiter line */
    uint8_t cand[80];
    size_t cand_len;
    size_t dlevel;
    uint8_t dtail[CACHET_MIME_DELIM_TAIL_MAX];
    size_t dtail_len;
    size_t line_len;
    /* a run of whole lines being emitted by cachet_mime_p_lines (parser_line.c):
     * its bytes and the line_len before it */
    const uint8_t *run;
    size_t run_len;
    size_t run_carry;
    /* header machine of the top frame */
    int hs;
    cachet_membuf fbuf; /* raw bytes of the current field */
    cachet_membuf lbuf; /* the start of a line not yet known to be a field */
    size_t name_len;
    size_t hdr_total;
    cachet_membuf ct_value;
    cachet_membuf cte_value;
    int ct_count;
    int cte_count;
    bool saw_mime_version;
    unsigned part_anom;
    bool in_headers_end; /* a headers_end callback is running */
    bool skip_decode;    /* ... and called cachet_mime_parser_skip_decode */
    /* output batch */
    int bkind;
    size_t blevel;
    size_t blen;
    size_t dlen; /* decoded bytes of the batch in dec */
    uint8_t bbuf[CACHET_MIME_BATCH];
    /* a batch decoded, and what a QP decoder held from before it */
    uint8_t dec[CACHET_MIME_BATCH + 2 * CACHET_MIME_QPDEC_MAX(0)];
};

/* parser.c, parser_out.c */
bool cachet_mime_p_fail(cachet_mime_parser *p, cachet_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool cachet_mime_p_emit(cachet_mime_parser *p, int kind, size_t level, const uint8_t *d, size_t n);
bool cachet_mime_p_flush(cachet_mime_parser *p);
/* cachet_mime_p_cb turns a callback's status into a parser failure. */
bool cachet_mime_p_cb(cachet_mime_parser *p, cachet_status st, const char *what);
bool cachet_mime_p_push(cachet_mime_parser *p);
bool cachet_mime_p_consume(cachet_mime_parser *p, const uint8_t *d, size_t n);
/* cachet_mime_p_boundary_active: the multipart of frame |f| looks for its delimiter. */
bool cachet_mime_p_boundary_active(const cachet_mime_frame *f);
/* parser_line.c: the fast path for body, preamble and epilogue text (top frame
 * not in its header, the line engine mid-line, after a byte that is not a CR).
 * cachet_mime_p_plain emits |n| bytes that hold no CR or LF. */
bool cachet_mime_p_plain(cachet_mime_parser *p, const uint8_t *d, size_t n);
/* cachet_mime_p_lines emits the longest run of whole lines at the start of |d|
 * (|len| bytes) whose line breaks are known to be text (the next line is in |d|
 * and cannot be a delimiter: no multipart is open or it does not start with '-')
 * and sets |*used| (0 when there is none). */
bool cachet_mime_p_lines(cachet_mime_parser *p, const uint8_t *d, size_t len, size_t *used);
/* cachet_mime_p_run_error: decoding failed at byte |idx| of the run being
 * emitted by cachet_mime_p_lines; moves p->off to where the careful path reports
 * that error and notes the anomalies of the bytes it would have read by then. */
void cachet_mime_p_run_error(cachet_mime_parser *p, size_t idx);
/* parser_hdr.c */
void cachet_mime_p_hdr_reset(cachet_mime_parser *p);
bool cachet_mime_p_hdr_byte(cachet_mime_parser *p, uint8_t c);
/* cachet_mime_p_hdr_close ends the header of the top frame at a delimiter or at
 * end of input (a partial line becomes body). */
bool cachet_mime_p_hdr_close(cachet_mime_parser *p);

/* ---- record.c: a text log of parser events (tests, fuzzing, debugging) ----
 * Data events (B body decoded | raw, P preamble, Q epilogue) of one part are
 * merged while consecutive; part_raw bytes are collected per path and printed at
 * the end; the last line is "= status anomalies=0x.." with the error detail. */
#define CACHET_MIME_RECORD_PARTS 32
typedef struct cachet_mime_recorder {
    cachet_membuf log;
    char pend_kind;
    char pend_path[CACHET_MIME_PATH_MAX];
    cachet_membuf pend;
    cachet_membuf pend_raw;
    const char *no_descend; /* a path whose headers_end answers descend = false */
    size_t raw_max;
    size_t nraw;
    char raw_path[CACHET_MIME_RECORD_PARTS][64];
    cachet_membuf raw[CACHET_MIME_RECORD_PARTS];
} cachet_mime_recorder;

void cachet_mime_record_init(cachet_mime_recorder *r, cachet_mime_callbacks *cb, unsigned flags);
bool cachet_mime_record_finish(cachet_mime_recorder *r, const cachet_mime_parser *p,
                               cachet_status st);
const cachet_membuf *cachet_mime_record_raw(const cachet_mime_recorder *r, const char *path);
void cachet_mime_record_free(cachet_mime_recorder *r);
/* cachet_mime_record_run parses |msg| fed in pieces ending at |cuts| (ascending
 * offsets; the rest after the last), records into |r| (caller frees it) and
 * returns the final status. */
cachet_status cachet_mime_record_run(const uint8_t *msg, size_t len, const size_t *cuts,
                                     size_t ncuts, unsigned flags, const char *no_descend,
                                     const cachet_mime_limits *lim, cachet_mime_recorder *r);

#endif
