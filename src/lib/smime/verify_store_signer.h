/* The certificate-store lookup for signers whose certificate the message did
 * not carry (verify_store_signer.c). */
#ifndef CACHET_SMIME_VERIFY_STORE_SIGNER_H
#define CACHET_SMIME_VERIFY_STORE_SIGNER_H

#include "cms/signed.h"

/* cachet_rd_store_signer_lookup is a cachet_cms_cert_lookup; |arg| is the
 * cachet_reader, whose context's store (if any) is searched for certificates
 * matching |sid|. */
bool cachet_rd_store_signer_lookup(void *arg, const cachet_cbs *sid, cachet_cert_list *out,
                                   cachet_error *err);

#endif
