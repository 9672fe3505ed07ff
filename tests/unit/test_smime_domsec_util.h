/* Shared by the RFC 3183 library tests over hand-built signer reports
 * (test_smime_domsec_naming.c, test_smime_domsec_evaluate.c): a signer as the
 * verifier would report it, and a report of a few layers. */
#ifndef CACHET_TEST_SMIME_DOMSEC_UTIL_H
#define CACHET_TEST_SMIME_DOMSEC_UTIL_H

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cachet/domsec.h>

#include "testlib.h"

#define DSA CACHET_DOMSEC_DSA_LOCAL
#define RA CACHET_DOMSEC_RA_LOCAL
#define AA CACHET_DOMSEC_AA_LOCAL
#define T_NONE 0xffffffffu /* no SignatureType attribute at all */
#define ASC CACHET_DOMSEC_MAPPING_ASCENDANT
#define EXACT CACHET_DOMSEC_MAPPING_EXACT
#define R_DOM CACHET_DOMSEC_ROLE_DOMAIN
#define R_FLAG CACHET_DOMSEC_ROLE_FLAGGED
#define R_REV CACHET_DOMSEC_ROLE_REVIEW
#define R_ATTR CACHET_DOMSEC_ROLE_ATTRIBUTES
#define R_ORIG CACHET_DOMSEC_ROLE_ORIGINATOR
#define ST_DOM CACHET_SIGTYPE_DOMAIN
#define ST_REV CACHET_SIGTYPE_REVIEW
#define ST_ATTR CACHET_SIGTYPE_ADD_ATTRIB
#define ST_ORIG CACHET_SIGTYPE_ORIGINATOR
#define ST_UNK CACHET_SIGTYPE_UNKNOWN

/* A signer as the verifier would report it. */
typedef struct t_signer {
    const char *cn; /* NULL: no CN */
    size_t num_cns; /* 0: 1 when cn is set */
    const char *emails[3];
    unsigned types; /* T_NONE: attribute absent */
    bool invalid;   /* signature does not verify */
    cachet_chain_status chain;
    int address_match; /* as the library sets it; 2 = leave at -1 */
} t_signer;

typedef struct t_built {
    cachet_signer_report rep;
    char *emails[3];
} t_built;

static inline void t_build(const t_signer *t, t_built *b) {
    memset(b, 0, sizeof(*b));
    cachet_signer_report *r = &b->rep;
    for (size_t i = 0; i < 3 && t->emails[i] != NULL; i++) {
        b->emails[i] = (char *)t->emails[i];
        r->num_emails++;
    }
    r->emails = b->emails;
    if (t->cn != NULL) {
        snprintf(r->common_name, sizeof(r->common_name), "%s", t->cn);
        snprintf(r->subject, sizeof(r->subject), "CN=%s", t->cn);
    }
    r->num_common_names = t->num_cns != 0 ? t->num_cns : (t->cn != NULL ? 1 : 0);
    if (r->num_common_names != 1) {
        r->common_name[0] = '\0'; /* the library reports the CN only when it is single */
    }
    r->has_signature_type = t->types != T_NONE;
    r->signature_types = t->types == T_NONE ? 0 : t->types;
    r->signature_valid = !t->invalid;
    r->chain = t->chain;
    r->address_match = t->address_match == 2 ? -1 : t->address_match;
}

/* A report of up to 4 layers; signed layers take their signers from |s|. */
typedef struct t_report {
    cachet_report rep;
    cachet_layer_report layers[4];
    t_built built[40];
    cachet_signer_report signers[40];
} t_report;

static inline void t_report_add(t_report *r, cachet_layer_type type, const t_signer *s, size_t n) {
    cachet_layer_report *l = &r->layers[r->rep.num_layers++];
    memset(l, 0, sizeof(*l));
    l->type = type;
    size_t base = 0;
    for (size_t i = 0; i + 1 < r->rep.num_layers; i++) {
        base += r->layers[i].num_signers;
    }
    l->signers = &r->signers[base];
    for (size_t i = 0; i < n; i++) {
        t_build(&s[i], &r->built[base + i]);
        r->signers[base + i] = r->built[base + i].rep;
        r->signers[base + i].emails = r->built[base + i].emails;
    }
    l->num_signers = n;
}

static inline void t_report_init(t_report *r, const char *from) {
    memset(r, 0, sizeof(*r));
    r->rep.layers = r->layers;
    snprintf(r->rep.from, sizeof(r->rep.from), "%s", from);
}

#endif
