#!/usr/bin/env bash
# The README's demo: the cachetd gateway for real. Two mail domains, a.example and
# b.example, each a private Postfix instance on 127.0.0.1 with cachetd as its milter
# (SQLite stores, demo domain keys from tests/pki/mkdomains.sh). alice@a.example
# writes to bob@b.example; A's gateway adds the RFC 3183 domain signature and
# encrypts to B's Domain Confidentiality Authority; B's gateway decrypts, verifies
# and adds Authentication-Results. The demo prints the message as it travelled
# between the domains and as bob got it, and fails unless each is what it must be.
# Uses $CACHET (else ./build/cachet) and $CACHETD (else ./build/cachetd). Postfix
# needs root: run as root, or the demo re-runs itself with sudo.
# Ports 127.0.0.1:12700-12707 (DEMO_PORT_BASE moves them). Everything it starts is
# stopped and its temporary directory removed on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
export CACHET=${CACHET:-$here/build/cachet} CACHETD=${CACHETD:-$here/build/cachetd} CACHET_SRC=$here
for b in "$CACHET" "$CACHETD"; do
    [ -x "$b" ] || { echo "demo: no binary at $b (build first, or set CACHET/CACHETD)" >&2; exit 2; }
done
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "demo: Postfix needs root (run as root)" >&2; exit 2; }
    echo "demo: Postfix needs root; re-running with sudo"
    exec sudo CACHET="$CACHET" CACHETD="$CACHETD" DEMO_PORT_BASE="${DEMO_PORT_BASE:-}" bash "$0" "$@"
fi

# The same harness as the end-to-end tests (tests/e2e/lib.sh), so the two never drift;
# a missing prerequisite is a failure here, not a skip.
export E2E_STRICT=1
# shellcheck source=../tests/e2e/lib.sh
source "$here/tests/e2e/lib.sh"
started=$SECONDS
step() { printf '\n== %s\n' "$*"; }

e2e_prereqs
E2E_PORT_BASE=${DEMO_PORT_BASE:-12700} e2e_init demo 12700

step "two domains on 127.0.0.1: PKI, gateway stores, Postfix A and B, cachetd-a and cachetd-b"
# A and B have agreed on authenticated encryption between their gateways (B's DCA
# certificate advertises no capabilities, so without this A would use AES-CBC).
A_CONF=$'[partner b.example]\ncipher = aes-256-gcm'
e2e_two_domains
cat <<TXT
   swaks -> Postfix A :$P_A_IN -> cachetd-a (sign as domain-signing-authority@a.example, encrypt)
         -> Postfix B :$P_B_IN -> cachetd-b (decrypt, verify, Authentication-Results) -> bob's mailbox
   A's store ($STORE_A): anchor ca.crt, keys dsa-a and dca-a, certificate dca-b
   B's store ($STORE_B): anchor ca.crt, keys dca-b and dsa-b
TXT
echo "   cachetd-a.conf:"
sed 's/^/     /' "$WORK/cachetd-a.conf"

step "alice@a.example writes to bob@b.example (sent with swaks to Postfix A)"
text="Hi Bob, lunch on Friday at noon? This travels signed by our domain and encrypted to yours."
e2e_message "$WORK/sent.eml" alice@a.example bob@b.example "Lunch on Friday?" "$text"
tr -d '\r' <"$WORK/sent.eml"
e2e_send "$P_A_IN" alice@a.example bob@b.example "$WORK/sent.eml"
e2e_wait_delivered sink 1 20
e2e_wait_delivered tap 1 5

step "as it travelled from A to B (a copy taken after cachetd-a): the header and the start of the body"
e2e_sink_message tap "$WORK/wire.eml"
tr -d '\r' <"$WORK/wire.eml" | sed -n '/^From:/,/^$/p'
e2e_body "$WORK/wire.eml" | tr -d '\r' | sed -n 1,3p
echo "[... $(wc -c <"$WORK/wire.eml") bytes]"
echo
echo "$ cachet inspect --in wire.eml"
"$CACHET" inspect --in "$WORK/wire.eml" | tee "$WORK/wire.inspect"
serial=$(openssl x509 -in "$PKI/dca-b.crt" -noout -serial | sed 's/^serial=//')
openssl cms -cmsout -print -in "$WORK/wire.eml" >"$WORK/wire.print"
grep -q "serialNumber: $((16#$serial))\$" "$WORK/wire.print" || fail "the RecipientInfo is not dca-b's"
echo "encrypted to: domain-confidentiality-authority@b.example (the one RecipientInfo names dca-b.crt, serial 0x$serial)"
"$CACHET" inspect --json --in "$WORK/wire.eml" >"$WORK/wire.json"
e2e_expect_json "$WORK/wire.json" 'j["layers"][0]["type"] == "authEnveloped" and j["layers"][0]["cipher"] == "aes-256-gcm"'
echo
echo "$ cachet decrypt --cert dca-b.crt --key dca-b.key --in wire.eml | cachet inspect   (what B's gateway opens)"
"$CACHET" decrypt --cert "$PKI/dca-b.crt" --key "$PKI/dca-b.key" --in "$WORK/wire.eml" --out "$WORK/inner.eml" ||
    fail "dca-b's key does not decrypt the message"
"$CACHET" inspect --in "$WORK/inner.eml"
"$CACHET" inspect --json --in "$WORK/inner.eml" >"$WORK/inner.json"
e2e_expect_json "$WORK/inner.json" 'j["layers"][0]["type"] == "signed" and j["layers"][0]["signers"][0]["emails"] == ["domain-signing-authority@a.example"] and j["layers"][0]["signers"][0]["signature_type"] == "domain"'

step "as bob@b.example got it (after cachetd-b)"
e2e_sink_message sink "$WORK/got.eml"
# The header without the Received trail, then the body with the signature's base64 elided.
python3 - "$WORK/got.eml" <<'PY'
import sys
head, body = open(sys.argv[1], "rb").read().decode("ascii", "replace").replace("\r\n", "\n").split("\n\n", 1)
skip = False
for line in head.split("\n"):
    if line[:1] in (" ", "\t"):
        if not skip:
            print(line)
        continue
    skip = line.lower().startswith("received:")
    if not skip:
        print(line)
print()
out, b64 = [], 0
for line in body.split("\n"):
    if b64 and line.startswith("--"):
        out.append("[... the domain signature: %d lines of base64]" % b64)
        b64 = 0
    if out and out[-1].startswith("Content-Disposition: attachment; filename=smime.p7s"):
        b64 = 1
        out.append("")
        continue
    if b64:
        b64 += 1 if line else 0
        continue
    out.append(line)
print("\n".join(out).rstrip())
PY
e2e_expect_header "$WORK/got.eml" Authentication-Results \
    '^mx\.b\.example; smime=pass .*body\.smime-identifier=domain-signing-authority@a\.example'
e2e_body "$WORK/got.eml" | grep -F "$text" >/dev/null || fail "bob's copy lacks the text alice wrote"

step "the gateways' log lines"
grep -h 'action=' "$WORK/cachetd-a.log" "$WORK/cachetd-b.log" | sed 's/^/   /' || true

printf '\ndemo OK (%ss): signed by domain-signing-authority@a.example (SignatureType domainSig), encrypted to domain-confidentiality-authority@b.example between the domains; delivered to bob decrypted with Authentication-Results smime=pass\n' \
    $((SECONDS - started))
