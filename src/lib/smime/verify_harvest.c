/* verify --harvest: learning certificates and capabilities from signed mail
 * (RFC 8550 §3, RFC 8551 §2.5.2). Only a signer whose signature is valid and
 * whose chain is trusted contributes, and only once the whole message verified
 * (the op succeeded): nothing is stored from an invalid or untrusted signature.
 *
 * What is stored: the signer certificate and those CA certificates of its
 * SignedData that lie on its path (each issued the one below it); other
 * certificates a signer chose to carry are not learnt, so a message cannot plant
 * certificates for other addresses (ATTACKS OR-08, GW-05). Capabilities are stored for every
 * address of the signer certificate, seen at the signingTime (never later than now, so a claimed
 * future time cannot pin them), or now without one.
 *
 * A store write failure fails the operation with CACHET_ERR_IO and no output
 * is released: the caller asked for the harvest and must learn it did not
 * happen; verifying again without harvest gives the verification alone. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "smime/pipeline.h"

typedef struct harvest_item {
    cachet_cert *signer;
    cachet_cert_list path; /* the issuers found in SignedData.certificates */
    uint8_t *caps;         /* SMIMECapabilities element (DER), or NULL */
    size_t caps_len;
    int64_t seen;
} harvest_item;

/* CRLs carried in SignedData.crls (RFC 8550 §2.1: recognised and stored for
 * later messages); at most this many per message are kept. */
#define HARVEST_MAX_CRLS 16

struct cachet_rd_harvest {
    harvest_item *items;
    size_t num, cap;
    cachet_membuf crls[HARVEST_MAX_CRLS]; /* DER CertificateList each */
    size_t num_crls;
};

static void item_clear(harvest_item *it) {
    cachet_cert_free(it->signer);
    cachet_cert_list_clear(&it->path);
    cachet_free(it->caps);
    memset(it, 0, sizeof(*it));
}

void cachet_rd_harvest_free(struct cachet_rd_harvest *h) {
    if (h == NULL) {
        return;
    }
    for (size_t i = 0; i < h->num; i++) {
        item_clear(&h->items[i]);
    }
    cachet_free(h->items);
    for (size_t i = 0; i < h->num_crls; i++) {
        cachet_membuf_free(&h->crls[i]);
    }
    cachet_free(h);
}

static bool same_cert(const cachet_cert *a, const cachet_cert *b) {
    uint8_t ha[32], hb[32];
    cachet_cert_sha256(a, ha);
    cachet_cert_sha256(b, hb);
    return memcmp(ha, hb, sizeof(ha)) == 0;
}

static bool known(const harvest_item *it, const cachet_cert *c) {
    if (same_cert(it->signer, c)) {
        return true;
    }
    for (size_t i = 0; i < it->path.num; i++) {
        if (same_cert(it->path.certs[i], c)) {
            return true;
        }
    }
    return false;
}

/* build_path follows issuers through |certs| from the signer upwards. */
static bool build_path(harvest_item *it, const cachet_cert_list *certs) {
    const cachet_cert *cur = it->signer;
    while (certs != NULL && it->path.num < certs->num) {
        const cachet_cert *next = NULL;
        for (size_t i = 0; i < certs->num && next == NULL; i++) {
            /* Only CA certificates: an end-entity certificate (which could name
             * some other address) is never learnt from a message it did not sign
             * (ATTACKS OR-08). */
            if (!known(it, certs->certs[i]) && cachet_cert_is_ca(certs->certs[i]) &&
                cachet_cert_issued_by(cur, certs->certs[i])) {
                next = certs->certs[i];
            }
        }
        if (next == NULL) {
            return true;
        }
        if (!cachet_cert_list_push(&it->path, (cachet_cert *)next)) {
            return false;
        }
        cur = next;
    }
    return true;
}

/* find_caps copies the single value of the smimeCapabilities attribute from
 * the signed attributes (contents of the SET); absent or malformed: none. */
static bool find_caps(cachet_cbs attrs, harvest_item *it) {
    while (attrs.len > 0) {
        cachet_cbs attr, values, value;
        cachet_oid type = CACHET_OID_UNKNOWN;
        if (!cachet_cbs_get_asn1(&attrs, &attr, CACHET_ASN1_SEQUENCE) ||
            !cachet_cbs_get_oid(&attr, &type, NULL) ||
            !cachet_cbs_get_asn1(&attr, &values, CACHET_ASN1_SET)) {
            return true;
        }
        if (type != CACHET_OID_ATTR_SMIME_CAPABILITIES) {
            continue;
        }
        /* RFC 8551 §2.5.2: one SMIMECapabilities value. */
        if (!cachet_cbs_get_asn1_element(&values, &value, CACHET_ASN1_SEQUENCE) ||
            values.len != 0 || value.len > CACHET_DB_MAX_CAPS) {
            return true;
        }
        cachet_pki_caps parsed;
        if (!cachet_pki_caps_parse(value.data, value.len, &parsed)) {
            return true;
        }
        it->caps = cachet_malloc(value.len);
        if (it->caps == NULL) {
            return false;
        }
        memcpy(it->caps, value.data, value.len);
        it->caps_len = value.len;
        return true;
    }
    return true;
}

/* collect_crls copies the CertificateList elements of SignedData.crls; other
 * RevocationInfoChoices ([1] other formats such as OCSP responses) are skipped.
 * Nothing is trusted here: each CRL is verified against its stored issuer when
 * it is stored. */
static bool collect_crls(struct cachet_rd_harvest *h, const cachet_cms_verify *v) {
    cachet_cbs crls;
    if (!cachet_cms_verify_crls(v, &crls)) {
        return true;
    }
    while (crls.len > 0 && h->num_crls < HARVEST_MAX_CRLS) {
        cachet_cbs elem;
        cachet_asn1_tag tag;
        if (!cachet_cbs_get_any_asn1_element(&crls, &elem, &tag, NULL)) {
            return true; /* the structure was checked by cms; stop quietly */
        }
        if (tag != CACHET_ASN1_SEQUENCE || elem.len > CACHET_DB_MAX_CRL) {
            continue;
        }
        cachet_membuf *b = &h->crls[h->num_crls];
        memset(b, 0, sizeof(*b));
        b->max = CACHET_DB_MAX_CRL;
        if (!cachet_membuf_append(b, elem.data, elem.len)) {
            cachet_membuf_free(b);
            return false;
        }
        h->num_crls++;
    }
    return true;
}

static int64_t now_of(const cachet_reader *rd) {
    return rd->ctx->at != 0 ? rd->ctx->at : (int64_t)time(NULL);
}

cachet_status cachet_rd_harvest_collect(cachet_reader *rd, const cachet_cms_verify *v,
                                        const cachet_layer_report *layer) {
    if (rd->harvested == NULL) {
        rd->harvested = cachet_calloc(1, sizeof(*rd->harvested));
        if (rd->harvested == NULL) {
            return cachet_rd_fatalf(rd, NULL, CACHET_ERR_NOMEM, "out of memory");
        }
    }
    struct cachet_rd_harvest *h = rd->harvested;
    int64_t now = now_of(rd);
    for (size_t i = 0; i < layer->num_signers; i++) {
        const cachet_signer_report *s = &layer->signers[i];
        const cachet_cert *cert = cachet_cms_verify_signer_cert(v, i);
        if (!s->signature_valid || s->chain != CACHET_CHAIN_TRUSTED || cert == NULL) {
            continue;
        }
        if (h->num == h->cap) {
            size_t cap = h->cap == 0 ? 4 : h->cap * 2;
            harvest_item *p = cachet_realloc(h->items, cap * sizeof(*p));
            if (p == NULL) {
                return cachet_rd_fatalf(rd, NULL, CACHET_ERR_NOMEM, "out of memory");
            }
            h->items = p;
            h->cap = cap;
        }
        harvest_item *it = &h->items[h->num++];
        memset(it, 0, sizeof(*it));
        it->signer = cachet_cert_up_ref((cachet_cert *)cert);
        it->seen = s->has_signing_time && s->signing_time < now ? s->signing_time : now;
        cachet_cbs attrs;
        bool ok = build_path(it, cachet_cms_verify_certs(v));
        if (ok && cachet_cms_verify_signed_attrs(v, i, &attrs)) {
            ok = find_caps(attrs, it);
        }
        if (!ok) {
            return cachet_rd_fatalf(rd, NULL, CACHET_ERR_NOMEM, "out of memory");
        }
    }
    /* CRLs of a layer that has a harvested signer */
    if (h->num > 0 && !collect_crls(h, v)) {
        return cachet_rd_fatalf(rd, NULL, CACHET_ERR_NOMEM, "out of memory");
    }
    return CACHET_OK;
}

static cachet_status put_cert(cachet_db *db, const cachet_cert *cert, cachet_error *e) {
    cachet_db_cert rec;
    memset(&rec, 0, sizeof(rec));
    cachet_status st = cachet_pki_cert_record(cert, CACHET_DB_HARVESTED, &rec, e);
    if (st == CACHET_OK) {
        st = cachet_db_put_cert(db, &rec, NULL, e);
    }
    cachet_db_cert_clear(&rec);
    return st;
}

static cachet_status put_caps(cachet_db *db, const harvest_item *it, cachet_error *e) {
    char **emails = NULL;
    size_t n = cachet_cert_emails(it->signer, &emails);
    cachet_status st = CACHET_OK;
    for (size_t i = 0; i < n && st == CACHET_OK; i++) {
        char addr[320];
        if (!cachet_db_normalize_address(emails[i], addr, sizeof(addr))) {
            continue; /* not an address we could ever look up */
        }
        st = cachet_db_put_caps(db, addr, it->caps, it->caps_len, it->seen, e);
    }
    cachet_cert_emails_free(emails, n);
    return st;
}

cachet_status cachet_rd_harvest_store(cachet_reader *rd) {
    struct cachet_rd_harvest *h = rd->harvested;
    if (h == NULL || h->num == 0) {
        return CACHET_OK;
    }
    if (rd->ctx->store == NULL) {
        return cachet_op_failf(rd->op, CACHET_ERR_USAGE, "", -1,
                               "harvesting needs a certificate store");
    }
    cachet_db *db = rd->ctx->store->db;
    cachet_error e;
    cachet_err_clear(&e);
    cachet_status st = CACHET_OK;
    for (size_t i = 0; i < h->num && st == CACHET_OK; i++) {
        const harvest_item *it = &h->items[i];
        st = put_cert(db, it->signer, &e);
        for (size_t k = 0; k < it->path.num && st == CACHET_OK; k++) {
            st = put_cert(db, it->path.certs[k], &e);
        }
        if (st == CACHET_OK && it->caps != NULL) {
            st = put_caps(db, it, &e);
        }
    }
    /* A carried CRL whose issuer is unknown, whose signature fails or that is
     * older than the stored one is simply not kept (the store keeps the newest
     * per issuer, RFC 8550 §6): it is no reason to fail the verification. */
    for (size_t i = 0; i < h->num_crls && st == CACHET_OK; i++) {
        cachet_error ignored;
        cachet_status cs = cachet_pki_import_crl(db, h->crls[i].data, h->crls[i].len,
                                                 "a signed message", &ignored);
        if (cs == CACHET_ERR_NOMEM || cs == CACHET_ERR_IO) {
            st = cs;
            e = ignored;
        }
    }
    if (st != CACHET_OK) {
        return cachet_op_failf(rd->op, st == CACHET_ERR_NOMEM ? CACHET_ERR_NOMEM : CACHET_ERR_IO,
                               "store", -1, "could not store the signer's certificates: %s",
                               e.message);
    }
    return CACHET_OK;
}
