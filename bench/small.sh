#!/usr/bin/env bash
# bench/small.sh [SECONDS]: many small messages. Makes a CA, an RSA-2048 and a
# P-256 credential for alice@example.com with `openssl` in a temporary
# directory, then runs cachet_bench_small (bench/small.c): 4 KiB messages
# signed, encrypted, verified and decrypted with one context and one credential
# reused, each case for SECONDS (default 3), beside the rate of the key
# operation that bounds it measured with EVP in the same run; then
# `openssl speed` for RSA-2048 and ECDSA P-256 as a second reference. Figures,
# not pass/fail.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-3}
bin=${CACHET_BENCH_SMALL:-$here/build/cachet_bench_small}
[ -x "$bin" ] || {
    echo "bench: build the target cachet_bench_small first, or set CACHET_BENCH_SMALL" >&2
    exit 2
}
w=$(mktemp -d "${TMPDIR:-/tmp}/cachet-bench-small.XXXXXX")
trap 'rm -rf "$w"' EXIT

# leaf NAME KEYSPEC KEYUSAGE: a key and a certificate signed by the CA.
leaf() {
    local n=$1 spec=$2 ku=$3
    openssl genpkey $spec -out "$w/$n.key" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,%s\nextendedKeyUsage=emailProtection\nsubjectAltName=email:alice@example.com\n' \
        "$ku" >"$w/$n.ext"
    openssl req -new -key "$w/$n.key" -subj "/CN=alice $n" -out "$w/$n.csr" 2>/dev/null
    openssl x509 -req -in "$w/$n.csr" -CA "$w/ca.crt" -CAkey "$w/ca.key" -CAcreateserial \
        -days 30 -extfile "$w/$n.ext" -out "$w/$n.crt" 2>/dev/null
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$w/ca.key" -out "$w/ca.crt" -days 30 \
    -subj "/CN=bench CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
leaf rsa "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" "digitalSignature,keyEncipherment"
leaf ec "-algorithm EC -pkeyopt ec_paramgen_curve:P-256" "digitalSignature,keyAgreement"

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores;" \
    "$(openssl version)"
"$bin" -t "$secs" "$w/ca.crt" "$w/rsa.crt" "$w/rsa.key" "$w/ec.crt" "$w/ec.key"
echo
echo "openssl speed (same run, one thread):"
openssl speed -seconds "$secs" rsa2048 ecdsap256 2>/dev/null | grep -E '^(rsa|[ ]*256 bits ecdsa)|sign/s|sign    verify'
