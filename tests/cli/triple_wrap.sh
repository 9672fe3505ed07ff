# `cachet sign --triple-wrap --to CERT` (RFC 2634 section 1.1): signed, encrypted
# and signed again in one pass; verify reports the outer and inner signatures
# apart (JSON "position" per signed layer, text "; outer signature" /
# "; inner signature"); --cipher, --opaque and several --to apply; options that
# cannot go with a triple wrap are refused by name; a security label goes on
# both signatures, a receipt request on the inner one only.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
A=(--cert pki/alice.crt --key pki/alice.key)
B=(--cert pki/bob.crt --key pki/bob.key)

# ---- the default: multipart/signed around authEnveloped around multipart/signed ----
expect_exit 0 "$CACHET" sign "${A[@]}" --triple-wrap --to pki/bob.crt --in msg.eml --out tw.eml
grep -q "^Subject: quarterly figures" tw.eml || fail "the outer header lost the Subject"
grep -q "^Content-Type: multipart/signed" tw.eml || fail "the outer signature is multipart/signed"
expect_exit 0 "$CACHET" verify --trust pki/ca.crt "${B[@]}" --json --in tw.eml --out plain.eml
json_check out.txt 'r["status"] == "valid"' \
    '[l["type"] for l in r["layers"]] == ["signed", "authEnveloped", "signed"]' \
    '[l.get("position") for l in r["layers"]] == ["outer", None, "inner"]' \
    'all(l["signers"][0]["signature"] == "valid" and l["signers"][0]["chain"] == "trusted" and l["signers"][0]["role"] == "originator" for l in r["layers"] if l["type"] == "signed")' \
    'r["layers"][1]["cipher"] == "aes-256-gcm"'
grep -q "the figures are attached" plain.eml || fail "the content is not reached"
grep -q "pkcs7\|multipart/signed" plain.eml && fail "a layer is left in the verified output"
expect_exit 0 "$CACHET" verify --trust pki/ca.crt "${B[@]}" --in tw.eml --out plain2.eml
expect_stderr "cachet: signed by alice@example.com (emailAddress=alice@example.com,CN=alice): signature valid, chain trusted; outer signature"
expect_stderr "cachet: encrypted with aes-256-gcm"
expect_stderr "cachet: signed by alice@example.com (emailAddress=alice@example.com,CN=alice): signature valid, chain trusted; inner signature"
[ "$(head -1 err.txt)" = "cachet: signed by alice@example.com (emailAddress=alice@example.com,CN=alice): signature valid, chain trusted; outer signature" ] ||
    fail "the outer signature comes first: $(head -1 err.txt)"
cmp -s plain.eml plain2.eml || fail "text and JSON verify give different content"

# the same as the three commands chained
"$CACHET" sign "${A[@]}" --in msg.eml | "$CACHET" encrypt --to pki/bob.crt |
    "$CACHET" sign "${A[@]}" >piped.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt "${B[@]}" --json --in piped.eml --out piped.out
json_check out.txt '[l.get("position") for l in r["layers"]] == ["outer", None, "inner"]'
cmp -s plain.eml piped.out || fail "--triple-wrap and the piped commands give different content"

# ATTACKS SG-16: a valid outer signature never launders a broken inner one
"$CACHET" sign "${A[@]}" --in msg.eml --out inner.eml
sed 's/the figures are attached/the figures are ATTACHED/' inner.eml >inner-bad.eml
cmp -s inner.eml inner-bad.eml && fail "the inner content was not changed"
"$CACHET" encrypt --to pki/bob.crt --in inner-bad.eml | "$CACHET" sign "${A[@]}" >laundered.eml
expect_exit 1 "$CACHET" verify --trust pki/ca.crt "${B[@]}" --json --in laundered.eml --out never.eml
json_check out.txt 'r["status"] == "invalid"' \
    '[l.get("position") for l in r["layers"]] == ["outer", None, "inner"]' \
    'r["layers"][0]["signers"][0]["signature"] == "valid"' \
    'r["layers"][2]["signers"][0]["signature"] == "invalid"' \
    'r["layers"][2]["signers"][0]["signature_detail"] == "messageDigest does not match the content"'
expect_no_file never.eml

# a single signature is "only"
expect_exit 0 "$CACHET" sign "${A[@]}" --in msg.eml --out single.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in single.eml --out /dev/null
json_check out.txt '[l["position"] for l in r["layers"]] == ["only"]'
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in single.eml --out /dev/null
grep -q "outer signature\|inner signature" err.txt && fail "a single signature has no position line"

# ---- --opaque, --cipher, several recipients ----
expect_exit 0 "$CACHET" sign "${A[@]}" --triple-wrap --opaque --cipher aes-128-cbc --to pki/bob.crt \
    --to pki/carol.crt --in msg.eml --out two.eml
grep -q "^Content-Type: application/pkcs7-mime; smime-type=signed-data" two.eml ||
    fail "--opaque: the outer signature is opaque"
for who in bob carol; do
    expect_exit 0 "$CACHET" verify --trust pki/ca.crt --cert "pki/$who.crt" --key "pki/$who.key" \
        --json --in two.eml --out "two-$who.eml"
    json_check out.txt 'r["status"] == "valid"' \
        '[l["type"] for l in r["layers"]] == ["signed", "enveloped", "signed"]' \
        '[l.get("detached") for l in r["layers"]] == [False, None, False]' \
        'r["layers"][1]["cipher"] == "aes-128-cbc" and r["layers"][1]["recipients"] == 2'
done

# ---- without the key: the envelope stops it; the signature around it is the outer one ----
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --json --in tw.eml --out nokey.eml
json_check out.txt '[l.get("position") for l in r["layers"]] == ["outer", None]'
expect_no_file nokey.eml

# ---- a change under the outer signature fails it (the envelope itself still opens) ----
sed 's/filename=smime.p7m/filename=smime.p7x/' tw.eml >bad.eml
cmp -s tw.eml bad.eml && fail "the tampering changed nothing"
expect_exit 1 "$CACHET" verify --trust pki/ca.crt "${B[@]}" --json --in bad.eml --out bad.out
json_check out.txt 'r["status"] == "invalid"' 'r["layers"][0]["position"] == "outer"' \
    'r["layers"][0]["signers"][0]["signature"] == "invalid"'
expect_no_file bad.out

# ---- refused by name, nothing written ----
usage() { # usage TEXT ARGS...
    local text=$1
    shift
    rm -f u.eml
    expect_exit 2 "$CACHET" sign "${A[@]}" "$@" --in msg.eml --out u.eml
    expect_stderr "$text"
    expect_no_file u.eml
}
usage "--triple-wrap needs at least one --to CERT" --triple-wrap
usage "--to names the encryption of a triple wrap: add --triple-wrap" --to pki/bob.crt
usage "--cipher names the encryption of a triple wrap" --cipher aes-128-gcm
usage "--triple-wrap writes an S/MIME message signed, encrypted and signed again (RFC 2634 section 1.1); --raw does not apply" \
    --triple-wrap --to pki/bob.crt --raw
usage "--format does not apply" --triple-wrap --to pki/bob.crt --format der
usage "cannot open recipient certificate nosuch.crt" --triple-wrap --to nosuch.crt

# ---- RFC 2634: a security label on both signatures (section 3.1.1), the receipt
# request on the inner signature only (section 1.3.1), even though given once ----
LABEL="policy=1.2.840.113549.1.9.16.7.1,class=confidential"
expect_exit 0 "$CACHET" sign "${A[@]}" --triple-wrap --to pki/bob.crt --security-label "$LABEL" \
    --in msg.eml --out labelled.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt "${B[@]}" --json --in labelled.eml --out /dev/null
json_check out.txt 'r["status"] == "valid"' \
    'all(l["signers"][0]["ess"]["security_label"]["policy"] == "1.2.840.113549.1.9.16.7.1" and l["signers"][0]["ess"]["security_label"]["classification"] == 3 for l in r["layers"] if l["type"] == "signed")' \
    'all("receipt_request" not in l["signers"][0]["ess"] for l in r["layers"] if l["type"] == "signed")'

expect_exit 0 "$CACHET" sign "${A[@]}" --triple-wrap --to pki/bob.crt --security-label "$LABEL" \
    --receipt-request all --receipts-to alice@example.com --in msg.eml --out rr.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt "${B[@]}" --json --in rr.eml --out /dev/null
json_check out.txt 'r["status"] == "valid"' \
    '[l.get("position") for l in r["layers"]] == ["outer", None, "inner"]' \
    '"receipt_request" not in r["layers"][0]["signers"][0]["ess"]' \
    'r["layers"][2]["signers"][0]["ess"]["receipt_request"]["to"] == ["alice@example.com"]' \
    'r["layers"][2]["signers"][0]["ess"]["receipt_request"]["from"] == "all"' \
    'all(l["signers"][0]["ess"]["security_label"]["classification"] == 3 for l in r["layers"] if l["type"] == "signed")'
# openssl agrees: the outer SignedData has no receiptRequest, the inner one has
openssl cms -verify -CAfile pki/ca.crt -in rr.eml -out rr1.eml 2>/dev/null || fail "openssl refused the outer signature"
openssl cms -cmsout -print -in rr.eml | grep "Receipt Request\|receiptRequest\|1.2.840.113549.1.9.16.2.1\b" >/dev/null &&
    fail "the outer signature carries a receipt request"
openssl cms -decrypt -recip pki/bob.crt -inkey pki/bob.key -in rr1.eml -out rr2.eml 2>/dev/null ||
    fail "openssl could not decrypt the middle layer"
openssl cms -cmsout -print -in rr2.eml | grep "Receipt Request\|receiptRequest\|1.2.840.113549.1.9.16.2.1\b" >/dev/null ||
    fail "the inner signature lacks the receipt request"
echo "triple_wrap: ok"
