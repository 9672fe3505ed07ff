#!/usr/bin/env bash
# Countersignatures (RFC 5652 11.4) with Bouncy Castle, both directions (OpenSSL 3.0 can
# neither make nor check one; BC can: SignerInformation.getCounterSignatures/verify,
# CMSSignedDataGenerator.generateCounterSigners):
#   A: cachet signs, BC countersigns (RSA and ECDSA), cachet verifies the countersignature
#      (--json: countersigner subject, valid, trusted chain);
#   B: cachet signs and countersigns (detached and encapsulated, ECDSA, RSA, RSA-PSS,
#      Ed25519), BC verifies the signature and every countersignature;
#   C: both: BC countersigns a message cachet already countersigned; each reads the two.
# The BC program is tests/interop/bc_countersign/BcCountersign.java (one JVM per step).
set -euo pipefail
BC_BUILD=$(cd "$(dirname "$0")/bc" && pwd)/build.sh
if ! bc_missing=$(bash "$BC_BUILD" --check); then
    if [ "${CI:-}" = true ]; then
        echo "FAIL setup: Bouncy Castle not installed under CI (missing: $bc_missing)"
        exit 1
    fi
    echo "SKIP: Bouncy Castle not installed (missing: $bc_missing)"
    exit 77
fi
. "$(dirname "$0")/lib.sh"
make_pki >/dev/null 2>&1

jdir=${BC_JAVA_DIR:-/usr/share/java}
CP="$W/classes"
for j in bcprov bcpkix bcutil; do
    CP="$CP:$jdir/$j.jar"
done
mkdir -p "$W/classes"
javac -Xlint:all,-path -Werror -cp "$CP" -d "$W/classes" \
    "$(dirname "$0")/bc_countersign/BcCountersign.java"
bc() { java -cp "$CP" BcCountersign "$@"; }

printf 'Content-Type: text/plain\r\n\r\nthe quarterly figures\r\n' >"$W/msg.txt"
MSG=$W/msg.txt
TRUST=(--trust "$PKI/ca.crt")

# ---- A: BC countersigns what cachet signed ----
cx sign --cert "$PKI/alice.crt" --key "$PKI/alice.key" --chain "$PKI/inter.crt" --raw \
    --in "$MSG" --out "$W/a.der"
for pair in "carol SHA256withECDSA" "bob SHA384withRSA"; do
    read -r who alg <<<"$pair"
    name="A:bc-countersigns:$who:$alg"
    if ! bc countersign "$W/a.der" "$W/a-$who.der" "$PKI/$who.crt" "$PKI/$who.key" "$alg" "$MSG" \
        >"$W/bc.out" 2>&1; then
        fail "$name" "BC could not countersign: $(tail -1 "$W/bc.out")"
        continue
    fi
    cx verify --raw --content "$MSG" "${TRUST[@]}" --json --in "$W/a-$who.der" --out /dev/null
    if [ "$RC" != 0 ]; then
        fail "$name" "cachet verify exit $RC: $(tail -2 "$ERR" | tr '\n' ' ')"
        continue
    fi
    if "$PY" - "$OUT" "$who" <<'PY'; then ok "$name"; else fail "$name" "report: $(cat "$OUT")"; fi
import json, sys
r = json.load(open(sys.argv[1]))
cs = r["layers"][0]["signers"][0]["countersigners"]
ok = len(cs) == 1 and cs[0]["signature"] == "valid" and cs[0]["chain"] == "trusted" \
    and cs[0]["emails"] == [sys.argv[2] + "@example.com"]
sys.exit(0 if ok else 1)
PY
done

# ---- B: BC checks what cachet countersigned ----
b_case() { # b_case NAME SIGN-OPTS -- COUNTERSIGN-OPTS
    local name=$1 content=$2
    shift 2
    local sign=() cs=()
    while [ "$1" != -- ]; do
        sign+=("$1")
        shift
    done
    shift
    cs=("$@")
    cx sign --cert "$PKI/alice.crt" --key "$PKI/alice.key" --chain "$PKI/inter.crt" --raw \
        "${sign[@]}" --in "$MSG" --out "$W/b.der"
    [ "$RC" = 0 ] || { fail "$name" "cachet sign exit $RC"; return; }
    cx countersign --raw "${cs[@]}" --in "$W/b.der" --out "$W/b-cs.der"
    [ "$RC" = 0 ] || { fail "$name" "cachet countersign exit $RC: $(tail -1 "$ERR")"; return; }
    local args=("$W/b-cs.der")
    [ "$content" = detached ] && args+=("$MSG")
    if bc verify "${args[@]}" >"$W/bc.out" 2>&1 && grep -q '^countersigner 0.0 valid' "$W/bc.out"; then
        ok "$name"
    else
        fail "$name" "BC: $(tr '\n' ' ' <"$W/bc.out")"
    fi
}
b_case "B:cachet-countersigns:detached:carol-ecdsa" detached \
    -- --cert "$PKI/carol.crt" --key "$PKI/carol.key"
b_case "B:cachet-countersigns:opaque:carol-ecdsa" opaque --opaque \
    -- --cert "$PKI/carol.crt" --key "$PKI/carol.key"
b_case "B:cachet-countersigns:detached:bob-rsa-sha512" detached \
    -- --cert "$PKI/bob.crt" --key "$PKI/bob.key" --digest sha512
b_case "B:cachet-countersigns:detached:bob-rsa-pss" detached \
    -- --cert "$PKI/bob.crt" --key "$PKI/bob.key" --pss
b_case "B:cachet-countersigns:detached:erin-ed25519" detached \
    -- --cert "$PKI/erin.crt" --key "$PKI/erin.key"

# ---- C: one countersignature from each, on the same signature ----
name="C:both-countersign"
cx countersign --raw --cert "$PKI/carol.crt" --key "$PKI/carol.key" --in "$W/a.der" \
    --out "$W/c1.der"
if [ "$RC" = 0 ] && bc countersign "$W/c1.der" "$W/c2.der" "$PKI/bob.crt" "$PKI/bob.key" \
    SHA256withRSA "$MSG" >"$W/bc.out" 2>&1; then
    cx verify --raw --content "$MSG" "${TRUST[@]}" --json --in "$W/c2.der" --out /dev/null
    if [ "$RC" = 0 ] && bc verify "$W/c2.der" "$MSG" >"$W/bc.out" 2>&1 &&
        [ "$(grep -c '^countersigner 0\.[01] valid' "$W/bc.out")" = 2 ] &&
        "$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if len(r["layers"][0]["signers"][0]["countersigners"]) == 2 else 1)' "$OUT"; then
        ok "$name"
    else
        fail "$name" "cachet exit $RC; BC: $(tr '\n' ' ' <"$W/bc.out")"
    fi
else
    fail "$name" "countersigning failed: $(tail -1 "$ERR") $(tail -1 "$W/bc.out")"
fi
finish
