/* A signer certificate the message did not carry, taken from the context's
 * certificate store (RFC 5652 §5.1 lets a signer leave its certificate out when
 * the recipient is expected to have it; RFC 8550 §4.2 keeps certificates from
 * earlier messages for this). */
#include "smime/verify_store_signer.h"

#include "pki/pki.h"
#include "smime/pipeline.h"

/* More than one stored certificate for one sid happens only with a reissued
 * serial; the signature picks the right one (SG-10). */
#define STORE_SIGNER_CANDIDATES 4

static bool sid_matches(void *arg, const cachet_cert *cert) {
    return cachet_cms_sid_matches(arg, cert);
}

bool cachet_rd_store_signer_lookup(void *arg, const cachet_cbs *sid, cachet_cert_list *out,
                                   cachet_error *err) {
    cachet_reader *rd = arg;
    if (rd->ctx->store == NULL) {
        return true;
    }
    return cachet_pki_store_matching(rd->ctx->store->db, rd->ctx->cert_cache, sid_matches,
                                     (void *)sid, STORE_SIGNER_CANDIDATES, out, err) == CACHET_OK;
}
