/* compressed: CMS CompressedData (RFC 3274) with id-alg-zlibCompress, streaming
 * in both directions. Input and output are whole ContentInfo elements whose
 * contentType is id-ct-compressedData. */
#ifndef CACHET_CMS_COMPRESSED_H
#define CACHET_CMS_COMPRESSED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cachet/report.h>
#include <cachet/sink.h>

#include "cms/cms.h"

/* ---- Compression ----------------------------------------------------------- */

typedef struct cachet_cms_compress cachet_cms_compress;

/* cachet_cms_compress_new writes the ContentInfo header to |out| (BER, indefinite
 * lengths; compressionAlgorithm id-alg-zlibCompress, RFC 3274 §1.1) and returns
 * the compressor. |content_type| is the eContentType (CACHET_OID_UNKNOWN means
 * id-data). |out| is copied, must stay valid until the compressor is freed and is
 * never closed. Returns NULL on failure with |err| set. */
cachet_cms_compress *cachet_cms_compress_new(cachet_oid content_type, const cachet_sink *out,
                                             cachet_error *err);
/* cachet_cms_compress_new_ex: with |content_size_known| exactly |content_size|
 * bytes must be fed (another count fails update or finish with
 * CACHET_ERR_USAGE); the output stays indefinite-length, as the compressed size
 * is known only at the end. */
cachet_cms_compress *cachet_cms_compress_new_ex(cachet_oid content_type, bool content_size_known,
                                                uint64_t content_size, const cachet_sink *out,
                                                cachet_error *err);

/* cachet_cms_compress_update compresses |len| bytes of content; compressed bytes
 * go to |out| as primitive OCTET STRING segments of eContent. */
cachet_status cachet_cms_compress_update(cachet_cms_compress *c, const uint8_t *data, size_t len,
                                         cachet_error *err);

/* cachet_cms_compress_finish flushes zlib and writes every end-of-contents octet. */
cachet_status cachet_cms_compress_finish(cachet_cms_compress *c, cachet_error *err);

/* cachet_cms_compress_free releases |c| (NULL accepted). */
void cachet_cms_compress_free(cachet_cms_compress *c);

/* ---- Decompression --------------------------------------------------------- */

typedef struct cachet_cms_decompress cachet_cms_decompress;

/* cachet_cms_decompress_new starts reading a CompressedData ContentInfo (BER or
 * DER). Decompressed bytes go to |out| as they come. |limits| (NULL = defaults,
 * must outlive the decompressor) bounds the structure, the decompressed size
 * (max_decompressed) and the ratio decompressed/compressed (max_ratio, checked
 * once more than 1 MiB has come out so that small, highly repetitive contents
 * pass): either exceeded -> CACHET_ERR_LIMIT while streaming (ATTACKS GW-08), and
 * the sink has then received at most the limit. |out| is copied and never
 * closed. Returns NULL on allocation failure. */
cachet_cms_decompress *cachet_cms_decompress_new(const cachet_cms_limits *limits,
                                                 const cachet_sink *out, cachet_error *err);

/* cachet_cms_decompress_update consumes |len| bytes of the ContentInfo. Errors:
 * CACHET_ERR_MALFORMED (structure or zlib stream), CACHET_ERR_UNSUPPORTED
 * (compression algorithm other than zlib), CACHET_ERR_LIMIT. After a failure
 * every later call fails with the same status. */
cachet_status cachet_cms_decompress_update(cachet_cms_decompress *d, const uint8_t *data,
                                           size_t len, cachet_error *err);

/* cachet_cms_decompress_finish checks that the ContentInfo and the zlib stream
 * are complete and fills |out_report| (may be NULL): type COMPRESSED,
 * compression "zlib", decompressed_size, content_type (eContentType name). */
cachet_status cachet_cms_decompress_finish(cachet_cms_decompress *d,
                                           cachet_layer_report *out_report, cachet_error *err);

/* cachet_cms_decompress_content_type: the eContentType once known, else
 * CACHET_OID_UNKNOWN. */
cachet_oid cachet_cms_decompress_content_type(const cachet_cms_decompress *d);

/* cachet_cms_decompress_free releases |d| (NULL accepted). */
void cachet_cms_decompress_free(cachet_cms_decompress *d);

#endif
