/* The content of a layer whose content type is itself a CMS type (RFC 5652
 * §5.2 eContent, §6.1 encryptedContent) is the bare value of that type: a
 * SignedData, EnvelopedData, DigestedData... SEQUENCE, not a ContentInfo. The
 * readers take a ContentInfo, so the value is framed as one:
 *
 *   30 80 06 <len> <oid> A0 80 <value> 00 00 00 00
 *
 * Some writers wrap the value in a ContentInfo anyway; since every CMS type's
 * SEQUENCE starts with an INTEGER (its version) and a ContentInfo with an OBJECT
 * IDENTIFIER, the first element tells them apart, and a ContentInfo passes
 * through as it is. */
#include <string.h>

#include "smime/pipeline.h"

#define PEEK_MAX 8 /* 30, a length of up to 1+4 octets, the first inner tag */

typedef enum { DECIDING, FRAMED, AS_IS, NOT_CMS } framing;

typedef struct econtent_unit {
    cachet_rd_unit base;
    cachet_reader *rd;
    cachet_rd_place place;
    cachet_rd_unit *next;
    cachet_oid ct;
    framing how;
    uint8_t peek[PEEK_MAX];
    size_t peek_len;
} econtent_unit;

/* decide: FRAMED or AS_IS once the outer header and the first inner tag are
 * seen; DECIDING while more bytes are needed (and |at_end| is false). */
static framing decide(const econtent_unit *u, bool at_end) {
    const uint8_t *p = u->peek;
    size_t n = u->peek_len, hdr;
    if (n == 0) {
        return at_end ? NOT_CMS : DECIDING;
    }
    if (p[0] != 0x30) {
        return NOT_CMS; /* every CMS value and a ContentInfo are SEQUENCEs */
    }
    if (n >= 2 && p[1] > 0x84) {
        return FRAMED; /* a length we do not read: the reader says why */
    }
    if (n < 2) {
        return at_end ? FRAMED : DECIDING;
    }
    hdr = p[1] <= 0x80 ? 2 : 2 + (size_t)(p[1] & 0x7f);
    if (n <= hdr) {
        return at_end ? FRAMED : DECIDING;
    }
    return p[hdr] == 0x06 ? AS_IS : FRAMED;
}

static cachet_status start(econtent_unit *u) {
    if (u->how == NOT_CMS) {
        const char *name = cachet_oid_name(u->ct);
        return cachet_rd_fatalf(u->rd, &u->place, CACHET_ERR_MALFORMED,
                                "the content of type %s is not a %s value (RFC 5652 §5.2)", name,
                                name);
    }
    if (u->how == FRAMED) {
        size_t oid_len = 0;
        const uint8_t *oid = cachet_oid_der(u->ct, &oid_len);
        uint8_t head[8 + 32];
        size_t n = 0;
        if (oid == NULL || oid_len > 32) {
            return CACHET_ERR_INTERNAL;
        }
        head[n++] = 0x30;
        head[n++] = 0x80;
        head[n++] = 0x06;
        head[n++] = (uint8_t)oid_len;
        memcpy(head + n, oid, oid_len);
        n += oid_len;
        head[n++] = 0xa0;
        head[n++] = 0x80;
        cachet_status st = cachet_rd_unit_update(u->next, head, n);
        if (st != CACHET_OK) {
            return st;
        }
    }
    return cachet_rd_unit_update(u->next, u->peek, u->peek_len);
}

static cachet_status econtent_update(cachet_rd_unit *base, const uint8_t *data, size_t len) {
    econtent_unit *u = (econtent_unit *)base;
    while (u->how == DECIDING && len > 0) {
        u->peek[u->peek_len++] = *data++;
        len--;
        u->how = u->peek_len == PEEK_MAX ? FRAMED : decide(u, false);
        if (u->how != DECIDING) {
            cachet_status st = start(u);
            if (st != CACHET_OK) {
                return st;
            }
        }
    }
    return len > 0 ? cachet_rd_unit_update(u->next, data, len) : CACHET_OK;
}

static cachet_status econtent_finish(cachet_rd_unit *base) {
    static const uint8_t eocs[4] = {0, 0, 0, 0};
    econtent_unit *u = (econtent_unit *)base;
    cachet_status st;
    if (u->how == DECIDING) {
        u->how = decide(u, true);
        st = start(u);
        if (st != CACHET_OK) {
            return st;
        }
    }
    if (u->how == FRAMED) {
        st = cachet_rd_unit_update(u->next, eocs, sizeof(eocs));
        if (st != CACHET_OK) {
            return st;
        }
    }
    return cachet_rd_unit_finish(u->next);
}

static void econtent_free(cachet_rd_unit *base) {
    econtent_unit *u = (econtent_unit *)base;
    cachet_rd_unit_free(u->next);
    cachet_free(u);
}

static const cachet_rd_unit_vt econtent_vt = {econtent_update, econtent_finish, econtent_free};

cachet_rd_unit *cachet_rd_econtent_new(cachet_reader *rd, const cachet_rd_place *place,
                                       cachet_oid ct) {
    econtent_unit *u = cachet_calloc(1, sizeof(*u));
    if (u == NULL) {
        return NULL;
    }
    u->base.vt = &econtent_vt;
    u->rd = rd;
    u->place = *place;
    u->ct = ct;
    u->how = DECIDING;
    u->next = cachet_rd_sniff_new(rd, place);
    if (u->next == NULL) {
        cachet_free(u);
        return NULL;
    }
    return &u->base;
}
