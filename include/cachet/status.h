/* cachet status codes and error detail. */
#ifndef CACHET_STATUS_H
#define CACHET_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* cachet_status is returned by every module and API boundary; 0 is success.
 * The classes follow ATTACKS.md §0.2: they stay distinct where a caller must be
 * able to tell them apart, and CACHET_ERR_DECRYPT is the single opaque class for
 * every failure after a private-key operation started. */
typedef enum cachet_status {
    CACHET_OK = 0,
    CACHET_ERR_USAGE,            /* bad argument or option from the caller */
    CACHET_ERR_MALFORMED,        /* input is not well-formed (DER/BER/MIME/base64) */
    CACHET_ERR_UNSUPPORTED,      /* well-formed but an algorithm or content type we lack */
    CACHET_ERR_LIMIT,            /* a size/depth/count/ratio limit was exceeded */
    CACHET_ERR_POLICY,           /* known but refused by policy (weak algorithm, short key) */
    CACHET_ERR_NO_SIGNERS,       /* SignedData without signers is never "signed" */
    CACHET_ERR_CONTENT_CONFLICT, /* both eContent and detached content, or neither */
    CACHET_ERR_ATTRIBUTES,       /* signed-attribute rules of RFC 5652 violated */
    CACHET_ERR_BAD_SIGNATURE,    /* a signature does not verify */
    CACHET_ERR_UNTRUSTED,        /* certificate path or usage not acceptable */
    CACHET_ERR_NO_RECIPIENT,     /* no RecipientInfo is for our certificate */
    CACHET_ERR_DECRYPT,          /* decryption failed (uniform: says nothing more) */
    CACHET_ERR_KEY,              /* a key or certificate could not be loaded */
    CACHET_ERR_IO,               /* reading or writing failed */
    CACHET_ERR_NOMEM,            /* allocation failed */
    CACHET_ERR_INTERNAL,         /* a bug in cachet: please report it */
    CACHET_ERR_RECEIPT           /* a signed receipt does not match the original (RFC 2634 §2.7) */
} cachet_status;

/* cachet_status_str returns a short English name for |st| (static storage). */
const char *cachet_status_str(cachet_status st);

/* cachet_error is the detail of the last failure of an object: what failed
 * (message), where (an ASN.1 path such as "SignedData.signerInfos[1]" or a MIME
 * part path such as "1.2"), and the byte offset in the input (-1 if unknown). */
typedef struct cachet_error {
    cachet_status status;
    long long offset;
    char where[160];
    char message[320];
} cachet_error;

#ifdef __cplusplus
}
#endif
#endif
