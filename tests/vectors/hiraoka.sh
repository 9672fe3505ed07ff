#!/usr/bin/env bash
# Real Outlook 2013 ("Message ...") and Thunderbird 128 ("Writing ...") mails
# (hiraoka-smime-mail-samples in the shared corpus). Outlook signs with SHA-1 (weak).
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
need_vectors

H=$CACHET_VECTORS/hiraoka-smime-mail-samples
RCV="$H/received-at-smime2"
SNT="$H/sent-from-smime1"
TRUST="--trust $H/certs/ca_smime.crt --at 2025-01-01"
K2="--cert $H/certs/smime-2.crt --key $H/certs/smime-2.key"
K1="--cert $H/certs/smime-1.crt --key $H/certs/smime-1.key"
export RCV SNT

run_table <<EOF
tb128-signed-valid | verify $TRUST --json --in "\$RCV/Writing from smime1 to smime2 (signed).eml" --out \$O | 0 | out~Writing from smime1 to smime2 (signed); json:status=valid; json:layers.0.signers.0.digest=sha256; json:layers.0.signers.0.address_match=true; json:layers.0.signers.0.chain=trusted
tb128-sent-copy-signed-valid | verify $TRUST --json --in "\$SNT/Writing from smime1 to smime2 (signed).eml" --out \$O | 0 | out~Writing from smime1 to smime2 (signed); json:status=valid
outlook-signed-sha1-refused | verify $TRUST --in "\$RCV/Message from smime1 to smime2 (signed).eml" --out \$O | 1 | nooutput
outlook-signed-sha1-allow-weak | verify $TRUST --allow-weak --json --in "\$RCV/Message from smime1 to smime2 (signed).eml" --out \$O | 0 | out~Message from smime1 to smime2 (signed); json:layers.0.signers.0.digest=sha1; json:layers.0.signers.0.weak=true; json:layers.0.signers.0.address_match=true
outlook-encrypted-aes256cbc | decrypt $K2 --json --in "\$RCV/Message from smime1 to smime2 (encrypted).eml" --out \$O | 0 | out~Message from smime1 to smime2 (encrypted); json:layers.0.type=enveloped; json:layers.0.cipher=aes-256-cbc; json:layers.0.authenticated=false
outlook-encrypted-sender-copy | decrypt $K1 --in "\$RCV/Message from smime1 to smime2 (encrypted).eml" --out \$O | 0 | out~Message from smime1 to smime2 (encrypted)
tb128-encrypted-aes128cbc | decrypt $K2 --json --in "\$RCV/Writing from smime1 to smime2 (encrypted).eml" --out \$O | 0 | out~Writing from smime1 to smime2 (encrypted); json:layers.0.cipher=aes-128-cbc
tb128-sent-encrypted-sender-copy | decrypt $K1 --in "\$SNT/Writing from smime1 to smime2 (encrypted).eml" --out \$O | 0 | out~Writing from smime1 to smime2 (encrypted)
outlook-signed-encrypted-allow-weak | decrypt $K2 $TRUST --allow-weak --json --in "\$RCV/Message from smime1 to smime2 (signed and encrypted).eml" --out \$O | 0 | out~Message from smime1 to smime2 (signed and encrypted); json:status=valid; json:layers.0.type=enveloped; json:layers.1.type=signed; json:layers.1.signers.0.weak=true
outlook-signed-encrypted-sha1-refused | decrypt $K2 $TRUST --in "\$RCV/Message from smime1 to smime2 (signed and encrypted).eml" --out \$O | 1 | nooutput
tb128-signed-encrypted | decrypt $K2 $TRUST --json --in "\$RCV/Writing from smime1 to smime2 (signed and encrypted).eml" --out \$O | 0 | out~Writing from smime1 to smime2 (signed and encrypted); json:status=valid; json:layers.0.type=enveloped; json:layers.1.type=signed; json:layers.1.signers.0.digest=sha256
tb128-signed-encrypted-verify-with-key | verify $K2 $TRUST --json --in "\$SNT/Writing from smime1 to smime2 (signed and encrypted).eml" --out \$O | 0 | json:status=valid; json:layers.1.type=signed
tb128-plain-is-not-signed | verify $TRUST --in "\$RCV/Writing from smime1 to smime2 (plain).eml" --out \$O | 1 | nooutput
outlook-plain-is-not-signed | verify $TRUST --in "\$RCV/Message from smime1 to smime2 (plain).eml" --out \$O | 1 | nooutput
EOF
finish
