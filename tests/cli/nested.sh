# Nested layers (signed, then encrypted, then signed again): verify with a key
# and trust processes every layer; decrypt with --trust too; without the key or
# the trust each stops where the contract says.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
A=(--cert pki/alice.crt --key pki/alice.key)
B=(--cert pki/bob.crt --key pki/bob.key)

"$CACHET" sign "${A[@]}" --in msg.eml | "$CACHET" encrypt --to pki/bob.crt |
    "$CACHET" sign "${A[@]}" --opaque >nested.eml
grep -q "^Subject: quarterly figures" nested.eml || fail "outer Subject lost in nesting"

expect_exit 0 "$CACHET" verify --trust pki/ca.crt "${B[@]}" --json --in nested.eml --out inner.eml
json_check out.txt 'r["status"] == "valid"' \
    '[l["type"] for l in r["layers"]] == ["signed", "authEnveloped", "signed"]' \
    'all(s["signature"] == "valid" and s["chain"] == "trusted" for l in r["layers"] if l["type"] == "signed" for s in l["signers"])' \
    'r["layers"][1]["authenticated"] is True and r["layers"][1]["cipher"] == "aes-256-gcm"'
grep -q "the figures are attached" inner.eml || fail "verify did not reach the content"
grep -q "multipart/signed\|pkcs7" inner.eml && fail "a layer is left in the verified output"

# the human summary lists every layer
expect_exit 0 "$CACHET" verify --trust pki/ca.crt "${B[@]}" --in nested.eml --out inner2.eml
[ "$(grep -c 'cachet: signed by alice@example.com' err.txt)" = 2 ] || fail "two signer lines expected"
expect_stderr "cachet: encrypted with aes-256-gcm"
expect_stderr "cachet: verification successful"

# decrypt with --trust verifies the signed layers too
expect_exit 0 "$CACHET" decrypt "${B[@]}" --trust pki/ca.crt --json --in nested.eml --out dec.eml
json_check out.txt 'r["status"] == "valid"' \
    '[l["type"] for l in r["layers"]] == ["signed", "authEnveloped", "signed"]'
cmp dec.eml inner.eml || fail "decrypt --trust and verify give different content"

# verify without a key stops at the enveloped layer: exit 1, says it is encrypted
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --in nested.eml --out nokey.eml
expect_stderr "encrypted"
expect_no_file nokey.eml

# decrypt without --trust stops at a signed layer and outputs it intact
"$CACHET" sign "${A[@]}" --in msg.eml --out signed.eml
"$CACHET" encrypt --to pki/bob.crt --in signed.eml --out enc.eml
expect_exit 0 "$CACHET" decrypt "${B[@]}" --in enc.eml --out stop.eml
grep -q "multipart/signed" stop.eml || fail "decrypt without --trust did not keep the signed layer"
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in stop.eml --out /dev/null

# compressed inside signed inside encrypted
"$CACHET" compress --in msg.eml | "$CACHET" sign "${A[@]}" | "$CACHET" encrypt --to pki/bob.crt --cipher aes-256-cbc >three.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt "${B[@]}" --json --in three.eml --out three.out
json_check out.txt '[l["type"] for l in r["layers"]] == ["enveloped", "signed", "compressed"]' \
    'r["layers"][0]["authenticated"] is False'
grep -q "the figures are attached" three.out || fail "three layers: content"
echo "nested: ok"
