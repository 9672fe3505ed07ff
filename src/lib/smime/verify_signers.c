/* Signed layers: ending the cms verifier into the report, then the S/MIME checks
 * on each signer that CMS itself does not know about: the signer's address
 * against the message's From (RFC 8550 §3, RFC 8551 §2.5.4; ATTACKS ID-01/ID-03)
 * and the signing time against the signer certificate's validity; with a
 * revocation policy, the signer certificate's revocation status; with harvest,
 * what a fully valid layer brings is kept for the store. An RFC 3183 empty
 * signature layer is passed through without counting as a signature. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cms/ess.h"
#include "smime/pipeline.h"

static void fmt_time(int64_t t, char *out, size_t len) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, len, "%lld", (long long)t);
    }
}

void cachet_rd_check_signers(cachet_reader *rd, const cachet_rd_place *place,
                             const cachet_cms_verify *v, cachet_layer_report *layer,
                             cachet_error *out) {
    bool check_address = rd->ctx->address_check && rd->mode != CACHET_RD_INSPECT;
    /* RFC 2634 §3.1.1, §4.1, §4.2: one label and one history for all signers; loops */
    cachet_ess_check_layer(v, layer, rd->ml_identity, out);
    for (size_t i = 0; i < layer->num_signers; i++) {
        cachet_signer_report *s = &layer->signers[i];
        char where[64];
        snprintf(where, sizeof(where), "SignedData.signerInfos[%zu]", i);
        const cachet_cert *cert = cachet_cms_verify_signer_cert(v, i);
        if (cert != NULL && s->has_signing_time) {
            int64_t nb = 0, na = 0;
            cachet_cert_validity(cert, &nb, &na);
            if (s->signing_time < nb || s->signing_time > na) {
                char t[32];
                fmt_time(s->signing_time, t, sizeof(t));
                s->signature_valid = false;
                s->signature_status = CACHET_ERR_UNTRUSTED;
                snprintf(s->signature_detail, sizeof(s->signature_detail),
                         "signing time %s is outside the validity of the signer certificate", t);
                cachet_err_set(out, CACHET_ERR_UNTRUSTED, where, -1, "%s", s->signature_detail);
            }
        }
        /* Only a signature that stands is worth asking a responder about. */
        if (cert != NULL && s->signature_valid && s->chain == CACHET_CHAIN_TRUSTED &&
            rd->mode != CACHET_RD_INSPECT && rd->ctx->revocation != CACHET_REVOCATION_NONE) {
            cachet_rd_check_revocation(rd, v, s, cert, where, out);
        }
        if (!check_address || !rd->have_message || cert == NULL) {
            /* Raw CMS has no From to bind to; the caller turned the check off; or
             * no certificate verified this signer, so there is no identity. */
            s->address_match = -1;
            continue;
        }
        if (!rd->from_single) {
            s->address_match = 0;
            rd->from_mismatch = true;
            cachet_err_set(out, CACHET_ERR_UNTRUSTED, where, -1,
                           "the message has no single From address to match the signer against");
            continue;
        }
        bool match = false;
        for (size_t k = 0; k < s->num_emails && !match; k++) {
            match = cachet_mime_addr_equal(rd->from, s->emails[k]);
        }
        s->address_match = match ? 1 : 0;
        if (!match) {
            rd->from_mismatch = true;
            if (s->num_emails == 0) {
                cachet_err_set(out, CACHET_ERR_UNTRUSTED, where, -1,
                               "signer certificate (%s) has no email address to match From %s",
                               s->subject, rd->from);
            } else {
                cachet_err_set(out, CACHET_ERR_UNTRUSTED, where, -1,
                               "signer address %s does not match From %s", s->emails[0], rd->from);
            }
        }
    }
}

cachet_status cachet_rd_signed_finish(cachet_reader *rd, const cachet_rd_place *place,
                                      cachet_cms_verify *v, size_t idx) {
    cachet_layer_report *l = &rd->layers[idx];
    cachet_error e;
    cachet_err_clear(&e);
    cachet_status st = cachet_cms_verify_finish(v, l, &e);
    snprintf(l->part, sizeof(l->part), "%s", place->path);
    l->type = CACHET_LAYER_SIGNED;
    if (st == CACHET_ERR_NO_SIGNERS && cachet_cms_verify_is_empty_layer(v)) {
        /* RFC 3183 §3 method 1: a layer without signers whose content goes on as
         * the next entity; it signs nothing, so it is not counted as signed. */
        l->empty_signature_layer = true;
        if (rd->mode != CACHET_RD_INSPECT) {
            cachet_rd_empty_layer(rd, place, &e);
        }
        return CACHET_OK;
    }
    if (!place->scan) {
        rd->num_signed++;
    }
    switch (st) {
        case CACHET_OK:
        case CACHET_ERR_BAD_SIGNATURE:
        case CACHET_ERR_ATTRIBUTES:
        case CACHET_ERR_UNTRUSTED:
        case CACHET_ERR_POLICY:
        case CACHET_ERR_NO_SIGNERS:
        case CACHET_ERR_CONTENT_CONFLICT:
        case CACHET_ERR_UNSUPPORTED:
            break;
        default:
            /* Not a question of authenticity: the layer could not be read. */
            return cachet_rd_fatal(rd, place, &e);
    }
    cachet_error checks;
    cachet_err_clear(&checks);
    cachet_rd_check_signers(rd, place, v, l, &checks);
    if (rd->mode == CACHET_RD_INSPECT) {
        return CACHET_OK;
    }
    if (st != CACHET_OK) {
        cachet_rd_verdict(rd, place, &e);
    } else if (checks.status != CACHET_OK) {
        cachet_rd_verdict(rd, place, &checks);
    } else if (rd->harvest && !place->scan) {
        return cachet_rd_harvest_collect(rd, v, l);
    }
    return CACHET_OK;
}
