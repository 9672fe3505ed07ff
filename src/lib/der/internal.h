/* der: private declarations shared by cbs.c, cbb.c, ber_skel.c and oid.c. */
#ifndef CACHET_DER_INTERNAL_H
#define CACHET_DER_INTERNAL_H

#include "der/der.h"

/* The storage behind a top-level builder and all its children. */
struct cachet_cbb_buffer {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max;    /* SIZE_MAX when unlimited */
    bool error;    /* sticky: every later call fails */
    bool over_max; /* the error was the size limit, not allocation */
};

/* Result of decoding an identifier and length. */
typedef enum cachet_hdr_result {
    CACHET_HDR_OK,
    CACHET_HDR_SHORT, /* more bytes are needed */
    CACHET_HDR_BAD
} cachet_hdr_result;

typedef struct cachet_asn1_header {
    cachet_asn1_tag tag;
    size_t header_len;
    uint64_t len;    /* contents length, 0 when indefinite */
    bool indefinite; /* BER only */
} cachet_asn1_header;

/* cachet_asn1_parse_header decodes the identifier and length at |p|. With |der|
 * the length must be definite and minimal; without it (BER) non-minimal long
 * forms and the indefinite form (constructed only) are accepted. Tag numbers
 * must be minimal in both. */
cachet_hdr_result cachet_asn1_parse_header(const uint8_t *p, size_t n, bool der,
                                           cachet_asn1_header *out);
/* cachet_asn1_tag_len is how many identifier bytes |tag| takes. */
size_t cachet_asn1_tag_len(cachet_asn1_tag tag);
/* cachet_asn1_tag_name writes a readable name ("SEQUENCE", "[0]") into |out|. */
void cachet_asn1_tag_name(cachet_asn1_tag tag, char *out, size_t out_len);
/* cachet_asn1_is_string_tag: universal types that BER may send constructed. */
bool cachet_asn1_is_string_tag(uint32_t number);

/* cachet_asn1_form_is_valid: the DER form (primitive or constructed) of universal
 * types is fixed; other classes may be either. */
bool cachet_asn1_form_is_valid(cachet_asn1_tag tag);

/* cachet_cbb_over_limit is true if |cbb| failed because its max was reached. */
bool cachet_cbb_over_limit(const cachet_cbb *cbb);

/* Civil calendar <-> days since 1970-01-01 (proleptic Gregorian). */
int64_t cachet_days_from_civil(int64_t y, unsigned m, unsigned d);
void cachet_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
