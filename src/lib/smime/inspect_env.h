/* inspect_env: list an EnvelopedData / AuthEnvelopedData layer without a key. */
#ifndef CACHET_SMIME_INSPECT_ENV_H
#define CACHET_SMIME_INSPECT_ENV_H

#include "cms/cms.h"

typedef struct cachet_env_describe cachet_env_describe;

/* cachet_env_describe_new reads one ContentInfo pushed in chunks, keeping only
 * the structure around the encrypted content (bounded by |limits|). */
cachet_env_describe *cachet_env_describe_new(const cachet_cms_limits *limits);
cachet_status cachet_env_describe_update(cachet_env_describe *d, const uint8_t *data, size_t len,
                                         cachet_error *err);
/* cachet_env_describe_finish fills cipher, authenticated, key_management (of the
 * first recipient), num_recipients and content_type of |out|. */
cachet_status cachet_env_describe_finish(cachet_env_describe *d, cachet_layer_report *out,
                                         cachet_error *err);
void cachet_env_describe_free(cachet_env_describe *d);

#endif
