#!/usr/bin/env bash
# softhsm.sh DIR [PKI] — a SoftHSM2 token holding test keys, for the PKCS#11 tests.
#
# Makes DIR/softhsm2.conf and DIR/tokens/, initialises the token "cachet" (user PIN 1234,
# SO PIN 5678) and imports, from the test PKI of mkpki.sh (PKI, else made in DIR/pki):
#
#   label  id  key                     certificate object (same id and label)
#   alice  01  RSA-2048                alice.crt
#   bob    02  RSA-2048                bob.crt
#   carol  03  EC P-256                carol.crt
#   dave   04  EC P-384                dave.crt
#   erin   05  Ed25519                 erin.crt
#   nocert 06  carol's key, again      none (a key whose certificate is not on the token)
#
# Prints the module path on stdout. Callers export SOFTHSM2_CONF=DIR/softhsm2.conf (done
# here too when the script is sourced). Exit 77 when SoftHSM2 or pkcs11-tool is missing,
# so suites can report a skip. Idempotent: a complete DIR is left as it is.
set -euo pipefail

dir=${1:?usage: softhsm.sh DIR [PKI]}
pki=${2:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

module=${SOFTHSM2_MODULE:-}
if [ -z "$module" ]; then
    for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
        /usr/lib64/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so; do
        if [ -f "$m" ]; then
            module=$m
            break
        fi
    done
fi
if [ -z "$module" ] || [ ! -f "$module" ] || ! command -v softhsm2-util >/dev/null || ! command -v pkcs11-tool >/dev/null; then
    echo "softhsm.sh: SoftHSM2 (softhsm2-util, libsofthsm2.so) or pkcs11-tool is not installed" >&2
    exit 77
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export SOFTHSM2_CONF=$dir/softhsm2.conf
if [ -f "$dir/.complete" ]; then
    echo "$module"
    exit 0
fi

if [ -z "$pki" ]; then
    pki=$dir/pki
    bash "$here/mkpki.sh" "$pki" >/dev/null 2>&1
fi

rm -rf "$dir/tokens"
mkdir -p "$dir/tokens"
cat >"$SOFTHSM2_CONF" <<EOF
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF

softhsm2-util --init-token --free --label cachet --pin 1234 --so-pin 5678 >/dev/null

p11() { # p11 ARGS...: pkcs11-tool logged in to the token, its output shown only on failure
    pkcs11-tool --module "$module" --token-label cachet --login --pin 1234 "$@" \
        >"$dir/p11.log" 2>&1 || {
        cat "$dir/p11.log" >&2
        return 1
    }
}

import() { # import LABEL ID KEYNAME [CERTNAME]
    local label=$1 id=$2 key=$3 cert=${4:-}
    # EC keys print their curve as "ASN1 OID: prime256v1".
    if openssl pkey -in "$pki/$key.key" -noout -text | grep "ASN1 OID" >/dev/null; then
        # softhsm2-util --import leaves CKA_DERIVE false, and ECDH needs it: EC keys
        # go in through pkcs11-tool, with their public key object beside them.
        openssl pkey -in "$pki/$key.key" -outform DER -out "$dir/$label.key.der"
        openssl pkey -in "$pki/$key.key" -pubout -outform DER -out "$dir/$label.pub.der"
        p11 --write-object "$dir/$label.key.der" --type privkey --id "$id" --label "$label" \
            --usage-sign --usage-derive
        p11 --write-object "$dir/$label.pub.der" --type pubkey --id "$id" --label "$label"
        rm -f "$dir/$label.key.der"
    else
        softhsm2-util --import "$pki/$key.key" --token cachet --label "$label" --id "$id" \
            --pin 1234 >/dev/null
    fi
    if [ -n "$cert" ]; then
        openssl x509 -in "$pki/$cert.crt" -outform DER -out "$dir/$label.der"
        p11 --write-object "$dir/$label.der" --type cert --id "$id" --label "$label"
    fi
}
import alice 01 alice alice
import bob 02 bob bob
import carol 03 carol carol
import dave 04 dave dave
import erin 05 erin erin
import nocert 06 carol

touch "$dir/.complete"
echo "$module"
