#!/usr/bin/env bash
# The README's demo: a throw-away PKI, a message from alice to bob, signed then encrypted,
# then decrypted and verified by bob; prints the report and the recovered message.
# Uses the cli at $CACHET, else ./build/cachet. Exits non-zero if any step fails.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cachet=${CACHET:-$here/build/cachet}
if [ ! -x "$cachet" ]; then
    echo "demo: no cachet binary at $cachet (build first, or set CACHET)" >&2
    exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/cachet-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "making a demo PKI (root CA, intermediate, alice and bob) in $work/pki"
bash "$here/tests/pki/mkpki.sh" "$work/pki"
pki=$work/pki

step "alice writes to bob"
printf 'From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: Lunch on Friday?\r\nDate: %s\r\nMessage-ID: <demo-%s@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHi Bob,\r\n\r\nLunch on Friday at noon? This message is signed and encrypted.\r\n\r\nAlice\r\n' \
    "$(date -R)" "$$" >"$work/message.eml"
cat "$work/message.eml"

step "alice signs it (cachet sign) ..."
"$cachet" sign --cert "$pki/alice.crt" --key "$pki/alice.key" --chain "$pki/inter.crt" \
    --in "$work/message.eml" --out "$work/signed.eml"
echo "signed: $(wc -c <"$work/signed.eml") bytes, $(grep -i -m1 '^Content-Type:' "$work/signed.eml")"

step "... and encrypts it to bob (cachet encrypt, AES-256-GCM by default)"
"$cachet" encrypt --to "$pki/bob.crt" --in "$work/signed.eml" --out "$work/sealed.eml"
echo "sealed: $(wc -c <"$work/sealed.eml") bytes, $(grep -i -m1 '^Content-Type:' "$work/sealed.eml")"
head -n 8 "$work/sealed.eml"
echo "[...]"

step "bob decrypts it and verifies alice's signature (cachet decrypt --trust ... --json)"
"$cachet" decrypt --cert "$pki/bob.crt" --key "$pki/bob.key" --trust "$pki/ca.crt" --json \
    --in "$work/sealed.eml" --out "$work/recovered.eml" >"$work/report.json"
python3 -m json.tool "$work/report.json"

step "the recovered message"
cat "$work/recovered.eml"

# The demo fails unless the report says what it must.
python3 - "$work/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
layers = r["layers"]
s = layers[1]["signers"][0] if len(layers) > 1 and layers[1].get("signers") else {}
checks = [
    (r.get("status") == "valid", "status is valid"),
    (layers[0].get("type") == "authEnveloped" and layers[0].get("authenticated") is True,
     "outer layer is authenticated encryption (AES-GCM)"),
    (len(layers) > 1 and layers[1].get("type") == "signed", "inner layer is signed"),
    (s.get("signature") == "valid" and s.get("chain") == "trusted", "alice's signature is valid and trusted"),
    (s.get("address_match") is True, "the signer's address matches From"),
]
bad = [what for good, what in checks if not good]
if bad:
    print("\ndemo FAILED: not " + "; not ".join(bad), file=sys.stderr)
    sys.exit(1)
print("\ndemo OK: " + "; ".join(what for _, what in checks))
PY
grep -q "Lunch on Friday at noon" "$work/recovered.eml" || {
    echo "demo FAILED: the recovered message lacks the text alice wrote" >&2
    exit 1
}
