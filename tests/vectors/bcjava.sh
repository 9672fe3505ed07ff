#!/usr/bin/env bash
# The part of the Bouncy Castle resources (bcjava-smime in the shared corpus) that issue 2's
# algorithms cover: OpenSSL-made ECDH P-256 envelopes with AES key wrap (X9.63 KDF with
# SHA-1/256/512, wrap parameters absent or NULL), and the traps that must fail.
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
need_vectors

B=$CACHET_VECTORS/bcjava-smime
EC="--cert $B/pkix-cms/ecdh/ecc.crt --key $B/pkix-cms/ecdh/ecc.key"
SESS="abcdefghijklmnopqrstuvwxyz0123456789"

table() {
    local f
    for f in C D G H 3 4 7 8; do
        echo "ecdh-p256-encSess$f | decrypt --raw $EC --in $B/pkix-cms/ecdh/encSess$f.asc --out \$O | 0 | out~$SESS"
    done
    cat <<EOF
# the CEK length does not match the AES-128/256 OID (really AES-192): strict => not decryptable
mislabelled-cek-aes128 | decrypt --cert $B/mail-smime/cert.pem --key $B/mail-smime/key.pem --allow-weak --in $B/mail-smime/test128.message --out \$O | 1 | nooutput
mislabelled-cek-aes256 | decrypt --cert $B/mail-smime/cert.pem --key $B/mail-smime/key.pem --allow-weak --in $B/mail-smime/test256.message --out \$O | 1 | nooutput
# same-DN root with another key must not validate
validMail-fake-root | verify --trust $B/mail-smime/validator.fakeRoot.crt --allow-weak --at 2006-09-04T09:36:14Z --in $B/mail-smime/validator.validMail.eml --out \$O | 1 | nooutput
EOF
}
run_table < <(table)
finish
