/* digested: CMS DigestedData (RFC 5652 §7), written and read in a streaming
 * way. Integrity only: a DigestedData is never a signature. */
#ifndef CACHET_CMS_DIGESTED_H
#define CACHET_CMS_DIGESTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cachet/report.h>
#include <cachet/sink.h>

#include "cms/cms.h"

typedef struct cachet_cms_digest cachet_cms_digest;

/* cachet_cms_digest_new writes the ContentInfo header (BER, indefinite lengths;
 * version 0 for id-data, else 2) to |out|; |content_type| CACHET_OID_UNKNOWN
 * means id-data. |md|: SHA-256/384/512 (anything else: CACHET_ERR_USAGE). */
cachet_cms_digest *cachet_cms_digest_new(cachet_md md, cachet_oid content_type,
                                         const cachet_sink *out, cachet_error *err);
/* cachet_cms_digest_new_ex: with |content_size_known|, exactly |content_size|
 * bytes will be fed and every length is definite (DER); another count fails
 * update or finish with CACHET_ERR_USAGE. */
cachet_cms_digest *cachet_cms_digest_new_ex(cachet_md md, cachet_oid content_type,
                                            bool content_size_known, uint64_t content_size,
                                            const cachet_sink *out, cachet_error *err);
cachet_status cachet_cms_digest_update(cachet_cms_digest *d, const uint8_t *data, size_t len,
                                       cachet_error *err);
/* cachet_cms_digest_finish writes the digest and every end-of-contents octet. */
cachet_status cachet_cms_digest_finish(cachet_cms_digest *d, cachet_error *err);
void cachet_cms_digest_free(cachet_cms_digest *d);

typedef struct cachet_cms_undigest cachet_cms_undigest;

/* cachet_cms_undigest_new reads a DigestedData ContentInfo (BER or DER) and
 * writes its content to |out| as it arrives (the caller holds it until finish
 * said CACHET_OK). MD5/SHA-1 need policy->allow_weak (CACHET_ERR_POLICY). */
cachet_cms_undigest *cachet_cms_undigest_new(const cachet_cms_policy *policy,
                                             const cachet_cms_limits *limits,
                                             const cachet_sink *out, cachet_error *err);
/* Errors as the other readers: MALFORMED (path, offset), LIMIT, UNSUPPORTED
 * (unknown digest), POLICY. */
cachet_status cachet_cms_undigest_update(cachet_cms_undigest *u, const uint8_t *data, size_t len,
                                         cachet_error *err);
/* cachet_cms_undigest_finish checks the digest (CACHET_ERR_BAD_SIGNATURE
 * "digest does not match the content" on mismatch) and fills |out_report|:
 * type DIGESTED, content_type, digest_algorithm, digest_valid, weak. */
cachet_status cachet_cms_undigest_finish(cachet_cms_undigest *u, cachet_layer_report *out_report,
                                         cachet_error *err);
cachet_oid cachet_cms_undigest_content_type(const cachet_cms_undigest *u);
void cachet_cms_undigest_free(cachet_cms_undigest *u);

#endif
