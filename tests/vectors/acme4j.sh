#!/usr/bin/env bash
# RFC 8823 / RFC 7508 mails (acme4j-smime-rfc8823 in the shared corpus): RSA/SHA-1 signatures
# by self-signed certificates (weak: --allow-weak), sender binding, a wrong anchor, and an
# RFC 7508 message whose p7s also carries the content (refused: SG-01 content conflict).
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
need_vectors

AJ=$CACHET_VECTORS/acme4j-smime-rfc8823
TRUST="--trust $AJ/valid-signer.pem --allow-weak"
openssl pkcs12 -in "$AJ/7508-valid-ca.jks" -passin pass:test123 -nokeys 2>/dev/null | openssl x509 >"$W/7508-ca.pem"
openssl pkcs12 -in "$AJ/7508-fake-ca.jks" -passin pass:test123 -nokeys 2>/dev/null | openssl x509 >"$W/7508-fake.pem"

run_table <<EOF
valid-mail-valid | verify $TRUST --json --in $AJ/email/valid-mail.eml --out \$O | 0 | json:status=valid; json:layers.0.signers.0.weak=true; json:layers.0.signers.0.address_match=true
valid-mail-sha1-refused-by-default | verify --trust $AJ/valid-signer.pem --in $AJ/email/valid-mail.eml --out \$O | 1 | nooutput
invalid-signed-mail-untrusted | verify $TRUST --in $AJ/email/invalid-signed-mail.eml --out \$O | 1 | nooutput
invalid-cert-mismatch-from-not-signer | verify $TRUST --json --in $AJ/email/invalid-cert-mismatch.eml --out \$O | 1 | json:status=invalid; json:layers.0.signers.0.signature=valid; json:layers.0.signers.0.chain=trusted; json:layers.0.signers.0.address_match=false
invalid-cert-mismatch-no-address-check | verify $TRUST --no-address-check --in $AJ/email/invalid-cert-mismatch.eml --out \$O | 0 |
valid-mail-7508-econtent-and-detached-conflict | verify --trust $W/7508-ca.pem --at 2023-01-15 --in $AJ/email/valid-mail-7508.eml --out \$O | 1 | nooutput; err~eContent
valid-mail-7508-fake-anchor | verify --trust $W/7508-fake.pem --at 2023-01-15 --in $AJ/email/valid-mail-7508.eml --out \$O | 1 | nooutput
EOF
finish
