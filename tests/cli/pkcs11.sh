# Keys on a PKCS#11 token (SoftHSM2, made by tests/pki/softhsm.sh): `keys import --pkcs11`
# references them in the store, `sign --as` / `decrypt --as` use them on the token, and
# OpenSSL checks the results both ways (openssl cms -verify of our signatures, our
# decryption of openssl cms -encrypt). RSA v1.5 and OAEP transport, ECDH (P-256), RSA,
# ECDSA and Ed25519 signatures. The key material never reaches the store or any file,
# the PIN is not stored, and a wrong PIN is exit 2 naming the token.
# Exit 77 (skipped) when SoftHSM2 is not installed.
source "$(dirname "$0")/lib.sh"
bash "$CACHET_SRC/tests/pki/mkpki.sh" pki >/dev/null 2>&1
rc=0
module=$(bash "$CACHET_SRC/tests/pki/softhsm.sh" "$WORK/hsm" "$WORK/pki") || rc=$?
if [ "$rc" = 77 ]; then
    echo "SKIP: SoftHSM2 is not installed"
    exit 77
fi
[ "$rc" = 0 ] || fail "softhsm.sh failed ($rc)"
export SOFTHSM2_CONF=$WORK/hsm/softhsm2.conf
export CACHET_STORE=$WORK/store/store.db
unset XDG_DATA_HOME CACHET_PIN

uri() { # uri OBJECT [PIN]: the token key's URI, with the PIN when given
    local u="pkcs11:token=cachet;object=$1;type=private?module-path=$module"
    [ -z "${2:-}" ] || u="$u&pin-value=$2"
    echo "$u"
}

# ---- import: with the certificate file, or the token's own certificate ----
expect_exit 0 "$CACHET" certs import --anchor pki/ca.crt
expect_exit 0 "$CACHET" keys import --pkcs11 "$(uri alice 1234)" --cert pki/alice.pem
expect_exit 0 "$CACHET" keys import --pkcs11 "$(uri bob 1234)" --cert pki/bob.pem
expect_exit 0 "$CACHET" keys import --pkcs11 "$(uri carol 1234)"
expect_exit 0 "$CACHET" keys import --pkcs11 "$(uri erin 1234)" --cert pki/erin.pem
expect_exit 0 "$CACHET" certs import pki/inter.crt
expect_exit 0 "$CACHET" keys list --json
json_check out.txt \
    'sorted(e["emails"][0] for e in r) == ["alice@example.com", "bob@example.com", "carol@example.com", "erin@example.com"]' \
    'all(e["key"].startswith("pkcs11:") and "module-path=" in e["key"] for e in r)' \
    'all("pin-value" not in e["key"] for e in r)' \
    '[e["key"] for e in r if e["emails"][0] == "carol@example.com"][0].count("object=carol") == 1'

# The wrong certificate for a token key: refused, nothing stored for it.
expect_exit 2 "$CACHET" keys import --pkcs11 "$(uri alice 1234)" --cert pki/bob.pem
expect_stderr "does not belong"
# A wrong PIN: exit 2, the token named, the PIN not echoed.
expect_exit 2 "$CACHET" keys import --pkcs11 "$(uri alice 9999)" --cert pki/alice.pem
expect_stderr "wrong PIN for token \"cachet\""
if grep -q 9999 err.txt; then fail "the PIN appears in the message: $(cat err.txt)"; fi
# An object the token does not have.
expect_exit 2 "$CACHET" keys import --pkcs11 "$(uri nobody 1234)" --cert pki/alice.pem
expect_stderr "no private key on the token matches"
# None of the refused imports changed what is stored.
expect_exit 0 "$CACHET" keys list --json
json_check out.txt 'len(r) == 4' \
    '[e["key"] for e in r if e["emails"][0] == "bob@example.com"][0].count("object=bob") == 1'

a_message msg.eml

# ---- sign --as on the token; openssl verifies ----
export CACHET_PIN=1234
sigvalue() { # sigvalue FILE: the SignerInfo's signature, as openssl prints it
    openssl cms -cmsout -print -in "$1" | sed -n '/^ *signerInfos:/,$p' |
        sed -n '/^ *signature: *$/,/^ *unsignedAttrs:/p'
}
for who in alice carol erin; do
    a_message "msg-$who.eml" "$who <$who@example.com>"
    expect_exit 0 "$CACHET" sign --as "$who@example.com" --in "msg-$who.eml" --out "signed-$who.eml"
    expect_exit 0 "$CACHET" verify --store "$CACHET_STORE" --in "signed-$who.eml"
    if [ "$who" = erin ]; then
        # OpenSSL 3.0's cms cannot verify Ed25519 SignedData; Ed25519 is deterministic, so
        # the token's signature must equal the one made in software from the key file.
        expect_exit 0 "$CACHET" sign --as erin@example.com --at 2026-11-01T00:00:00Z --opaque \
            --in msg-erin.eml --out token-erin.p7m
        expect_exit 0 "$CACHET" sign --cert pki/erin.pem --key pki/erin.key --opaque \
            --at 2026-11-01T00:00:00Z --in msg-erin.eml --out soft-erin.p7m
        [ -n "$(sigvalue token-erin.p7m)" ] || fail "no signature printed for erin"
        [ "$(sigvalue token-erin.p7m)" = "$(sigvalue soft-erin.p7m)" ] ||
            fail "the token's Ed25519 signature differs from the software one"
        continue
    fi
    openssl cms -verify -in "signed-$who.eml" -CAfile pki/ca.crt -certfile pki/inter.crt \
        -out "verified-$who.txt" 2>"$WORK/openssl.err" ||
        fail "openssl cms -verify refused the token signature of $who: $(cat "$WORK/openssl.err")"
    grep -q "the figures are attached" "verified-$who.txt" || fail "openssl verified other content ($who)"
done
# PSS and an opaque signature through the token.
expect_exit 0 "$CACHET" sign --as alice@example.com --pss --opaque --in msg.eml --out signed-pss.eml
openssl cms -verify -in signed-pss.eml -CAfile pki/ca.crt -certfile pki/inter.crt -out /dev/null \
    2>"$WORK/openssl.err" || fail "openssl cms -verify refused the PSS signature: $(cat "$WORK/openssl.err")"
openssl cms -cmsout -print -in signed-pss.eml | grep "rsassaPss" >/dev/null || fail "not an RSASSA-PSS signature"

# A wrong PIN from the environment: exit 2, nothing written.
CACHET_PIN=9999 expect_exit 2 "$CACHET" sign --as alice@example.com --in msg.eml --out bad.eml
expect_stderr "wrong PIN"
expect_no_file bad.eml
# No PIN at all: the token hides its keys, and the message says so.
env -u CACHET_PIN "$CACHET" sign --as alice@example.com --in msg.eml --out bad.eml \
    >out.txt 2>err.txt && fail "sign without a PIN succeeded"
expect_stderr "needs a PIN"

# ---- decrypt --as on the token: openssl encrypts ----
openssl cms -encrypt -in msg.eml -out enc-v15.eml -aes256 pki/bob.crt
openssl cms -encrypt -in msg.eml -out enc-oaep.eml -aes256 -recip pki/bob.crt \
    -keyopt rsa_padding_mode:oaep
openssl cms -encrypt -in msg.eml -out enc-ecdh.eml -aes256 pki/carol.crt
for f in enc-v15:bob enc-oaep:bob enc-ecdh:carol; do
    expect_exit 0 "$CACHET" decrypt --as "${f#*:}@example.com" --in "${f%:*}.eml" --out "${f%:*}.out"
    grep -q "the figures are attached" "${f%:*}.out" ||
        fail "${f%:*}: the token decryption gave other content: $(cat "${f%:*}.out")"
done
# Encrypted to alice, decrypted as bob: not for this key.
openssl cms -encrypt -in msg.eml -out enc-alice.eml -aes256 pki/alice.crt
expect_exit 1 "$CACHET" decrypt --as bob@example.com --in enc-alice.eml --out x.out

# ---- the key never left the token ----
# The private halves (RSA private exponent and primes, EC/EdDSA private values) of the
# token keys, and the PINs, appear in no file outside the token directory and the PKI.
python3 - "$WORK" <<'PY' || fail "key material or a PIN was written outside the token"
import os, re, subprocess, sys
work = sys.argv[1]
secrets = []
for name in ("alice", "bob", "carol", "erin"):
    text = subprocess.run(["openssl", "pkey", "-in", f"{work}/pki/{name}.key", "-noout", "-text"],
                          capture_output=True, text=True, check=True).stdout
    for field in ("privateExponent", "prime1", "prime2", "priv"):
        m = re.search(r"^%s:\s*\n((?:\s+[0-9a-f:]+\n)+)" % field, text, re.M)
        if m:
            raw = bytes.fromhex(re.sub(r"[\s:]", "", m.group(1)))
            raw = raw.lstrip(b"\0")
            secrets.append((name, field, raw[:16]))
            secrets.append((name, field + " hex", raw[:16].hex().encode()))
    der = subprocess.run(["openssl", "pkey", "-in", f"{work}/pki/{name}.key", "-outform", "DER"],
                         capture_output=True, check=True).stdout
    secrets.append((name, "PKCS#8", der))
assert len(secrets) >= 4 * 3, secrets
bad = 0
for root, dirs, files in os.walk(work):
    dirs[:] = [d for d in dirs if os.path.join(root, d) not in (f"{work}/pki", f"{work}/hsm")]
    for f in files:
        path = os.path.join(root, f)
        data = open(path, "rb").read()
        for name, field, s in secrets:
            if s in data:
                print(f"{path} holds {name}'s {field}", file=sys.stderr)
                bad += 1
        if path.startswith(f"{work}/store") and b"pin-value" in data:
            print(f"{path} holds a pin-value", file=sys.stderr)
            bad += 1
sys.exit(1 if bad else 0)
PY
# No key file beside the store, and the store holds the certificates' public keys only.
for f in "$WORK"/store/* "$WORK"/store/.[!.]*; do
    case ${f##*/} in
        store.db | store.db-wal | store.db-shm | store.db-journal | '*' | '.[!.]*') ;;
        *) fail "a file beside the store: $f" ;;
    esac
done
echo "ok pkcs11"
