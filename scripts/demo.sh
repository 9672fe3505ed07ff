#!/usr/bin/env bash
# The README's demo: a throw-away PKI and a certificate store for alice and for bob. Bob
# signs a note to alice; alice's verify harvests his certificate and capabilities; alice
# then signs and encrypts to bob by address, and bob decrypts and verifies with his stored
# key. Prints the report and the recovered message.
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
export ALICE_P12_PASS=alicepass

# Each person has a certificate store of their own (SQLite, created on first use).
alice() { CACHET_STORE="$work/alice/store.db" "$cachet" "$@"; }
bob() { CACHET_STORE="$work/bob/store.db" "$cachet" "$@"; }

step "alice and bob set up their stores: the CA as trust anchor, their own keys"
alice certs import --anchor "$pki/ca.crt"
alice certs import "$pki/inter.crt"
alice keys import --p12 "$pki/alice.p12" --pass env:ALICE_P12_PASS
bob certs import --anchor "$pki/ca.crt"
bob certs import "$pki/inter.crt"
bob keys import --key "$pki/bob.key" --cert "$pki/bob.crt"
alice certs list

step "bob writes to alice first, signed (cachet sign --as bob@example.com)"
printf 'From: Bob <bob@example.com>\r\nTo: Alice <alice@example.com>\r\nSubject: Hello\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHi Alice, here is my certificate.\r\n' \
    "$(date -R)" >"$work/hello.eml"
bob sign --as bob@example.com --in "$work/hello.eml" --out "$work/hello-signed.eml"

step "alice verifies it and harvests bob's certificate and capabilities (cachet verify --harvest)"
alice verify --harvest --in "$work/hello-signed.eml" --out "$work/hello-verified.eml"
alice certs find bob@example.com

step "alice writes to bob"
printf 'From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: Lunch on Friday?\r\nDate: %s\r\nMessage-ID: <demo-%s@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHi Bob,\r\n\r\nLunch on Friday at noon? This message is signed and encrypted.\r\n\r\nAlice\r\n' \
    "$(date -R)" "$$" >"$work/message.eml"
cat "$work/message.eml"

step "alice signs it with her stored key (cachet sign --as alice@example.com) ..."
alice sign --as alice@example.com --pass env:ALICE_P12_PASS \
    --in "$work/message.eml" --out "$work/signed.eml"
echo "signed: $(wc -c <"$work/signed.eml") bytes, $(grep -i -m1 '^Content-Type:' "$work/signed.eml")"

step "... and encrypts it to bob by address (cachet encrypt --to bob@example.com)"
echo "(bob advertised AES-256-GCM in his signed mail, so the store chooses authenticated encryption)"
alice encrypt --to bob@example.com --in "$work/signed.eml" --out "$work/sealed.eml"
echo "sealed: $(wc -c <"$work/sealed.eml") bytes, $(grep -i -m1 '^Content-Type:' "$work/sealed.eml")"
head -n 8 "$work/sealed.eml"
echo "[...]"

step "bob decrypts it with his stored key and verifies alice's signature (cachet decrypt --as ... --json)"
bob decrypt --as bob@example.com --json \
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
