# Signed receipts in the CLI (RFC 2634 §2): `cachet sign --receipt-request
# all|first-tier|ADDR,... --receipts-to ADDR` asks, `cachet verify` reports the
# request, `cachet receipt` answers (From/To headers, smime-type=signed-receipt),
# `cachet verify --receipt-for ORIGINAL` matches it (JSON "receipt" member, text
# line), a receipt for another message fails (exit 1) naming the field, and
# --content-reference FILE links a reply to the original; `cachet receipt --to
# CERT` encrypts the receipt (§2.4: signed, enveloped, signed again with
# contentHints id-ct-receipt). Bad values of the options are usage errors
# (exit 2) naming the option, leaving no output.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
a_message other.eml
ALICE=(--cert pki/alice.crt --key pki/alice.key)
BOB=(--cert pki/bob.crt --key pki/bob.key)

# ---- request, report, receipt, match; detached and opaque ----
for form in "" --opaque; do
    expect_exit 0 "$CACHET" sign "${ALICE[@]}" $form --receipt-request all \
        --receipts-to alice@example.com,audit@example.com --in msg.eml --out req.eml
    expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in req.eml --out /dev/null
    json_check out.txt 'r["status"] == "valid"' \
        'r["layers"][0]["signers"][0]["ess"]["receipt_request"]["from"] == "all"' \
        'r["layers"][0]["signers"][0]["ess"]["receipt_request"]["to"] == ["alice@example.com", "audit@example.com"]' \
        'len(r["layers"][0]["signers"][0]["ess"]["receipt_request"]["content_identifier"]) == 48'
    expect_exit 0 "$CACHET" receipt "${BOB[@]}" --trust pki/ca.crt --in req.eml --out rcpt.eml
    grep -q '^From: bob@example.com' rcpt.eml || fail "the receipt has no From: bob"
    grep -q '^To: alice@example.com, audit@example.com' rcpt.eml || fail "the receipt is not To receiptsTo"
    grep -q 'smime-type=signed-receipt' rcpt.eml || fail "the receipt is not smime-type=signed-receipt"
    expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in rcpt.eml --receipt-for req.eml \
        --out /dev/null
    json_check out.txt 'r["status"] == "valid"' \
        'r["layers"][0]["content_type"] == "id-ct-receipt"' \
        'r["layers"][0]["receipt"]["matched"] is True' \
        'r["layers"][0]["receipt"]["content_type"] == "id-data"' \
        'r["layers"][0]["signers"][0]["ess"]["msg_sig_digest"] is True'
    expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in rcpt.eml --receipt-for req.eml --out /dev/null
    expect_stderr "signed receipt for content of type id-data, content identifier "
    expect_stderr "matches the original"
    # without the original: a valid signature, the match not checked
    expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in rcpt.eml --out /dev/null
    json_check out.txt 'r["layers"][0]["receipt"]["matched"] is None'
done

# ---- a receipt for another message ----
expect_exit 0 "$CACHET" sign "${ALICE[@]}" --receipt-request all --receipts-to alice@example.com \
    --in other.eml --out other.req
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --json --in rcpt.eml --receipt-for other.req \
    --out verified.out
json_check out.txt 'r["status"] != "valid"' 'r["layers"][0]["receipt"]["matched"] is False' \
    'r["layers"][0]["receipt"]["mismatch"].startswith("originatorSignatureValue:")'
expect_no_file verified.out
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --in rcpt.eml --receipt-for other.req --out /dev/null
expect_stderr "does NOT match the original: originatorSignatureValue"

# ---- receiptList and first tier ----
expect_exit 0 "$CACHET" sign "${ALICE[@]}" --opaque --receipt-request carol@example.com \
    --receipts-to alice@example.com --in msg.eml --out list.req
expect_exit 2 "$CACHET" receipt "${BOB[@]}" --trust pki/ca.crt --in list.req --out none.eml
expect_stderr "receiptList does not name"
expect_no_file none.eml
expect_exit 0 "$CACHET" receipt --cert pki/carol.crt --key pki/carol.key --trust pki/ca.crt \
    --in list.req --out carol.rcpt
expect_exit 0 "$CACHET" sign "${ALICE[@]}" --receipt-request first-tier \
    --receipts-to alice@example.com --in msg.eml --out first.req
expect_exit 0 "$CACHET" receipt "${BOB[@]}" --trust pki/ca.crt --in first.req --out first.rcpt
expect_exit 0 "$CACHET" sign "${ALICE[@]}" --raw --opaque --receipt-request first-tier \
    --receipts-to alice@example.com --in msg.eml --out first.der
expect_exit 0 "$CACHET" receipt "${BOB[@]}" --trust pki/ca.crt --raw --format pem --in first.der \
    --out first.pem
grep -q -- '-----BEGIN CMS-----\|-----BEGIN PKCS7-----' first.pem || fail "no PEM receipt"
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --raw --in first.pem --receipt-for first.der \
    --out /dev/null

# ---- triple wrap: the request is on the inner signature, the receipt answers it ----
expect_exit 0 "$CACHET" sign "${ALICE[@]}" --triple-wrap --to pki/bob.crt --to pki/alice.crt \
    --receipt-request all --receipts-to alice@example.com --in msg.eml --out triple.eml
expect_exit 0 "$CACHET" verify "${BOB[@]}" --trust pki/ca.crt --json --in triple.eml --out /dev/null
json_check out.txt 'r["status"] == "valid"' \
    '"receipt_request" not in r["layers"][0]["signers"][0].get("ess", {})' \
    'r["layers"][2]["signers"][0]["ess"]["receipt_request"]["from"] == "all"'
expect_exit 0 "$CACHET" receipt "${BOB[@]}" --trust pki/ca.crt --in triple.eml --out triple.rcpt
expect_exit 0 "$CACHET" verify "${ALICE[@]}" --trust pki/ca.crt --json --in triple.rcpt \
    --receipt-for triple.eml --out /dev/null
json_check out.txt 'r["status"] == "valid"' 'r["layers"][0]["receipt"]["matched"] is True'

# ---- encrypted receipt (RFC 2634 §2.4): signed, enveloped, signed again with contentHints ----
expect_exit 0 "$CACHET" receipt "${BOB[@]}" --trust pki/ca.crt --to pki/alice.crt \
    --cipher aes-128-cbc --in req.eml --out enc.rcpt
grep -q '^To: alice@example.com' enc.rcpt || fail "the encrypted receipt is not To receiptsTo"
grep -q 'smime-type=signed-data' enc.rcpt || fail "the encrypted receipt is not signed outside"
expect_exit 0 "$CACHET" verify "${ALICE[@]}" --trust pki/ca.crt --json --in enc.rcpt \
    --receipt-for req.eml --out /dev/null
json_check out.txt 'r["status"] == "valid"' 'len(r["layers"]) == 3' \
    'r["layers"][0]["type"] == "signed"' \
    'r["layers"][0]["signers"][0]["ess"]["content_hints"]["content_type"] == "id-ct-receipt"' \
    'r["layers"][1]["type"] == "enveloped"' 'r["layers"][1]["cipher"] == "aes-128-cbc"' \
    'r["layers"][2]["content_type"] == "id-ct-receipt"' \
    'r["layers"][2]["receipt"]["matched"] is True'
expect_exit 0 "$CACHET" verify "${ALICE[@]}" --trust pki/ca.crt --in enc.rcpt --receipt-for req.eml \
    --out /dev/null
expect_stderr "encrypted with aes-128-cbc"
expect_stderr "matches the original"
# openssl sees the outer contentHints and opens the envelope with alice's key
openssl cms -cmsout -print -in enc.rcpt >printed.txt 2>&1
grep -q 'id-smime-aa-contentHint' printed.txt || fail "openssl sees no contentHints"
grep -q 'id-smime-ct-receipt' printed.txt || fail "openssl sees no id-ct-receipt hint"
openssl cms -verify -CAfile pki/ca.crt -in enc.rcpt -out env.eml 2>/dev/null ||
    fail "openssl does not verify the outer signature"
openssl cms -decrypt -recip pki/alice.crt -inkey pki/alice.key -in env.eml -out inner.eml ||
    fail "openssl does not open the envelope"
grep -q 'smime-type=signed-receipt' inner.eml || fail "the envelope does not hold the signed receipt"
expect_exit 1 "$CACHET" verify "${ALICE[@]}" --trust pki/ca.crt --in enc.rcpt \
    --receipt-for other.req --out /dev/null
expect_stderr "does NOT match the original"
expect_exit 2 "$CACHET" receipt "${BOB[@]}" --trust pki/ca.crt --cipher aes-128-cbc --in req.eml \
    --out bad.eml
expect_stderr "--cipher encrypts the receipt"
expect_no_file bad.eml
expect_exit 2 "$CACHET" receipt "${BOB[@]}" --trust pki/ca.crt --to pki/alice.crt --raw \
    --in first.der --out bad.eml
expect_stderr "an encrypted receipt (--to) is S/MIME"
expect_no_file bad.eml

# ---- content reference: a reply names the original ----
a_message answer.txt 'Bob <bob@example.com>'
expect_exit 0 "$CACHET" sign "${BOB[@]}" --opaque --content-reference req.eml --in answer.txt \
    --out reply.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in reply.eml --out /dev/null
json_check out.txt 'r["status"] == "valid"'
openssl cms -cmsout -print -in reply.eml >printed.txt 2>&1
grep -q 'id-smime-aa-contentReference' printed.txt || fail "openssl sees no contentReference"

# ---- usage errors ----
expect_exit 2 "$CACHET" sign "${ALICE[@]}" --receipt-request all --in msg.eml --out bad.eml
expect_stderr "receipts-to"
expect_no_file bad.eml
expect_exit 2 "$CACHET" sign "${ALICE[@]}" --receipts-to alice@example.com --in msg.eml --out bad.eml
expect_stderr "only with --receipt-request"
expect_exit 2 "$CACHET" sign "${ALICE[@]}" --receipt-request all --receipts-to 'not an address' \
    --in msg.eml --out bad.eml
expect_stderr "not an email address"
expect_exit 2 "$CACHET" sign "${ALICE[@]}" --receipt-request 'a@example.com,,b@example.com' \
    --receipts-to alice@example.com --in msg.eml --out bad.eml
expect_stderr "--receipt-request"
expect_exit 2 "$CACHET" sign "${ALICE[@]}" --content-reference msg.eml --in msg.eml --out bad.eml
expect_no_file bad.eml
expect_exit 2 "$CACHET" receipt --trust pki/ca.crt --in req.eml --out bad.eml
expect_no_file bad.eml
echo "ok receipts"
