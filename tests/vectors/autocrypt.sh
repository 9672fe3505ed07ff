#!/usr/bin/env bash
# Header-protection samples (autocrypt-protected-headers in the shared corpus, OpenSSL-made,
# 2019 LAMPS sample PKI): the cryptographic layers (RSA/SHA-256 signatures, 3DES + RSA
# envelopes, two recipients) and their expected inner parts. Comparing protected and outer
# headers is issue 7's (doc/vectors.md).
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
need_vectors

AC=$CACHET_VECTORS/autocrypt-protected-headers
TRUST="--trust $AC/sample-ca.pem --at 2025-01-01"
# bob.p12 is PEM-armored: the DER goes to the work directory
grep -v -- '-----' "$AC/bob.p12" | base64 -d >"$W/bob.p12"
BOB="--p12 $W/bob.p12 --pass pass:bob"

run_table <<EOF
multipart-signed-valid | verify $TRUST --json --in $AC/smime-multipart-signed.eml --out \$O | 0 | json:status=valid; json:layers.0.signers.0.digest=sha256; json:layers.0.signers.0.chain=trusted
onepart-signed-valid | verify $TRUST --json --in $AC/smime-onepart-signed.eml --out \$O | 0 | json:status=valid; body:$AC/smime-onepart-signed.inner
sign-enc-decrypt-only | decrypt $BOB --allow-weak --in $AC/smime-sign+enc.eml --out \$O | 0 | out~application/pkcs7-mime
sign-enc-verify-with-key | verify $BOB $TRUST --allow-weak --json --in $AC/smime-sign+enc.eml --out \$O | 0 | json:status=valid; json:layers.0.type=enveloped; json:layers.0.cipher=des-ede3-cbc; json:layers.1.type=signed; body:$AC/smime-sign+enc.inner.inner
sign-enc-3des-refused-by-default | verify $BOB $TRUST --in $AC/smime-sign+enc.eml --out \$O | 1 | nooutput
sign-enc-legacy-disp | verify $BOB $TRUST --allow-weak --json --in $AC/smime-sign+enc+legacy-disp.eml --out \$O | 0 | json:status=valid; body:$AC/smime-sign+enc+legacy-disp.inner.inner
enc-legacy-disp-decrypts | decrypt $BOB --allow-weak --json --in $AC/smime-enc+legacy-disp.eml --out \$O | 0 | json:layers.0.type=enveloped; json:layers.0.recipients=2; body:$AC/smime-enc+legacy-disp.inner
enc-legacy-disp-verify-says-not-signed | verify $BOB $TRUST --allow-weak --in $AC/smime-enc+legacy-disp.eml --out \$O | 1 | nooutput
EOF
finish
