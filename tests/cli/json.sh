# verify --json: the contract's key names and values; decrypt --json and
# inspect --json give the same shape; stdout holds only the report.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
A=(--cert pki/alice.crt --key pki/alice.key)
"$CACHET" sign "${A[@]}" --in msg.eml --out signed.eml

SIGNER_KEYS='{"subject", "emails", "signature", "chain", "address_match", "digest", "algorithm", "signing_time", "weak"}'
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in signed.eml
json_check out.txt 'set(r) >= {"status", "layers"}' 'r["status"] == "valid"' \
    'len(r["layers"]) == 1 and r["layers"][0]["type"] == "signed"' \
    "set(r['layers'][0]['signers'][0]) >= $SIGNER_KEYS" \
    'r["layers"][0]["signers"][0]["signature"] == "valid"' \
    'r["layers"][0]["signers"][0]["chain"] == "trusted"' \
    'r["layers"][0]["signers"][0]["address_match"] is True' \
    'r["layers"][0]["signers"][0]["digest"] == "sha256"' \
    'r["layers"][0]["signers"][0]["weak"] is False' \
    '"alice@example.com" in r["layers"][0]["signers"][0]["emails"]' \
    'r["layers"][0]["signers"][0]["signing_time"].endswith("Z")' \
    'r["layers"][0]["signers"][0]["algorithm"] == "rsaEncryption"'
# with --json the content does not go to stdout; --out still gets it
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in signed.eml --out content.eml
grep -q "the figures are attached" content.eml || fail "--out lacks the content"
grep -q "the figures are attached" out.txt && fail "content mixed into the JSON on stdout"

# untrusted (system store only): exit 1, status invalid, chain untrusted
expect_exit 1 "$CACHET" verify --json --in signed.eml
json_check out.txt 'r["status"] == "invalid"' 'r["layers"][0]["signers"][0]["chain"] == "untrusted"' \
    'r["layers"][0]["signers"][0]["signature"] == "valid"'

# tampered: signature invalid
sed 's/the figures are attached/the figures are ATTACHED/' signed.eml >tampered.eml
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --json --in tampered.eml
json_check out.txt 'r["status"] == "invalid"' 'r["layers"][0]["signers"][0]["signature"] == "invalid"'

# signer address differs from From: mismatch reported; --no-address-check accepts
a_message mallory.eml "Mallory <mallory@example.com>"
"$CACHET" sign "${A[@]}" --in mallory.eml --out mallory-signed.eml
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --json --in mallory-signed.eml
json_check out.txt 'r["status"] == "invalid"' 'r["layers"][0]["signers"][0]["address_match"] is False'
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --in mallory-signed.eml
expect_stderr "--no-address-check"
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --no-address-check --json --in mallory-signed.eml
json_check out.txt 'r["status"] == "valid"' 'r["layers"][0]["signers"][0]["address_checked"] is False'
expect_stderr "warning: --no-address-check"

# enveloped layers: authenticated, cipher, key_management
"$CACHET" encrypt --to pki/bob.crt --cipher aes-256-cbc --oaep --in msg.eml --out cbc.eml
expect_exit 0 "$CACHET" decrypt --cert pki/bob.crt --key pki/bob.key --json --in cbc.eml
json_check out.txt 'r["status"] == "valid"' 'r["layers"][0]["type"] == "enveloped"' \
    'r["layers"][0]["authenticated"] is False' 'r["layers"][0]["cipher"] == "aes-256-cbc"' \
    'r["layers"][0]["key_management"] == "rsaes-oaep"'
"$CACHET" encrypt --to pki/carol.crt --in msg.eml --out gcm.eml
expect_exit 0 "$CACHET" decrypt --cert pki/carol.crt --key pki/carol.key --json --in gcm.eml
json_check out.txt 'r["layers"][0]["type"] == "authEnveloped"' 'r["layers"][0]["authenticated"] is True' \
    'r["layers"][0]["cipher"] == "aes-256-gcm"' 'r["layers"][0]["key_management"].startswith("ecdh")'

# inspect --json: same shape, nothing checked
expect_exit 0 "$CACHET" inspect --json --in signed.eml
json_check out.txt '"status" in r and r["layers"][0]["type"] == "signed"' \
    "set(r['layers'][0]['signers'][0]) >= $SIGNER_KEYS"
expect_exit 0 "$CACHET" inspect --in gcm.eml
expect_stdout "layer 1: authEnveloped"

# strings from certificates are escaped: JSON stays valid ASCII
openssl req -x509 -newkey rsa:2048 -nodes -keyout evil.key -out evil.crt -days 30 \
    -subj "/CN=evil$(printf '\033')[2J\"quote/emailAddress=alice@example.com" \
    -addext "subjectAltName=email:alice@example.com" -addext "extendedKeyUsage=emailProtection" 2>/dev/null
"$CACHET" sign --cert evil.crt --key evil.key --in msg.eml --out evil.eml
expect_exit 0 "$CACHET" verify --trust evil.crt --json --in evil.eml
LC_ALL=C grep -q $'\033' out.txt && fail "escape byte in JSON output"
json_check out.txt '"\x1b" in r["layers"][0]["signers"][0]["subject"] or "\\\\1B" in r["layers"][0]["signers"][0]["subject"].upper() or "quote" in r["layers"][0]["signers"][0]["subject"]'
expect_exit 0 "$CACHET" verify --trust evil.crt --in evil.eml --out /dev/null
LC_ALL=C grep -q $'\033' err.txt && fail "escape byte on the terminal"
echo "json: ok"
