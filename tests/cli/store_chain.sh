# The store completes signers' paths (RFC 8550 §4.2): a message carrying only
# the signer's certificate verifies when the intermediate CA is in the store
# (imported or harvested earlier) and the root is a stored anchor, and not
# without the intermediate.
source "$(dirname "$0")/lib.sh"
bash "$CACHET_SRC/tests/pki/mkpki.sh" "$WORK/p" >"$WORK/mk.log" 2>&1 || fail "mkpki.sh failed"
a_message msg.eml
# no --chain: the message carries alice's certificate alone
expect_exit 0 "$CACHET" sign --cert p/alice.crt --key p/alice.key --in msg.eml --out signed.eml
openssl cms -verify -noverify -in signed.eml -certsout carried.pem -out /dev/null 2>/dev/null ||
    fail "openssl cannot read the signed message"
[ "$(grep -c 'BEGIN CERTIFICATE' carried.pem)" = 1 ] || fail "the message must carry one certificate"

export CACHET_STORE=$WORK/store.db
expect_exit 0 "$CACHET" certs import --anchor p/ca.crt
expect_exit 1 "$CACHET" verify --json --in signed.eml --out out.eml
json_check out.txt 'r["layers"][0]["signers"][0]["chain"] == "untrusted"'

expect_exit 0 "$CACHET" certs import p/inter.crt
expect_exit 0 "$CACHET" verify --json --in signed.eml --out out.eml
json_check out.txt 'r["status"] == "valid"' 'r["layers"][0]["signers"][0]["chain"] == "trusted"'

# an anchor is no intermediate of itself; removing the intermediate undoes it
inter_fp=$(openssl x509 -in p/inter.crt -outform DER | sha256sum | cut -c1-64)
expect_exit 0 "$CACHET" certs remove "$inter_fp"
expect_exit 1 "$CACHET" verify --json --in signed.eml --out out.eml
json_check out.txt 'r["layers"][0]["signers"][0]["chain"] == "untrusted"'
echo "store_chain: ok"
